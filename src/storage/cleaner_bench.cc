// Cleaner benchmark (a program, not a test): writes a compacted log of about 100 MB holding
// 10k keys, cleans it once, and prints the time and the process's peak memory.
//   storage_cleaner_bench [total_mb] [keys] [value_bytes]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <sys/resource.h>

#include "storage/cleaner.h"
#include "storage/cleaner_test_util.h"

namespace {

namespace ct = eddy::storage::testing;
using eddy::config::TopicConfig;
using eddy::storage::Cleaner;
using eddy::storage::CleanerConfig;
using eddy::storage::CleanStats;
using eddy::storage::Error;

int64_t peak_rss_kb() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t total_mb = argc > 1 ? std::atoll(argv[1]) : 100;
  int keys = argc > 2 ? std::atoi(argv[2]) : 10000;
  size_t value_bytes = argc > 3 ? static_cast<size_t>(std::atoll(argv[3])) : 1000;
  ct::TempDir root;
  TopicConfig config = ct::compact_config();
  config.segment_bytes = 16 << 20;
  config.index_interval_bytes = 4096;
  auto log = ct::open_compacted(root.path() / "bench-0", config);
  std::string value(value_bytes, 'v');
  int64_t records = total_mb * 1000000 / static_cast<int64_t>(value_bytes + 30);
  for (int64_t i = 0; i < records; i += 10) {
    std::vector<ct::KeyValue> batch;
    for (int64_t j = i; j < i + 10; ++j)
      batch.push_back({"key-" + std::to_string(j % keys), value});
    auto bytes = ct::keyed_batch(batch, ct::kCleanerNow);
    if (log->append(bytes, 0, ct::kCleanerNow).error != Error::kNone) return 1;
  }
  int64_t rss_before_kb = peak_rss_kb();
  Cleaner cleaner(CleanerConfig{});
  CleanStats stats;
  auto start = std::chrono::steady_clock::now();
  Error error = cleaner.clean(*log, ct::kCleanerNow, &stats);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (error != Error::kNone) return 1;
  std::printf("records=%lld keys=%d read=%.1f MB written=%.2f MB kept=%lld of %lld\n",
              static_cast<long long>(records), keys, stats.bytes_read / 1e6,
              stats.bytes_written / 1e6, static_cast<long long>(stats.records_kept),
              static_cast<long long>(stats.records_read));
  std::printf("clean: %.2f s (%.0f MB/s), map %zu entries in %.1f MB\n", seconds,
              stats.bytes_read / 1e6 / seconds, stats.map_entries, stats.map_memory_bytes / 1e6);
  std::printf("peak RSS: %.1f MB before cleaning, %.1f MB after\n", rss_before_kb / 1e3,
              peak_rss_kb() / 1e3);
  return 0;
}
