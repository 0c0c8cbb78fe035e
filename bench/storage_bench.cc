// PartitionLog append and read throughput, without the network: the ceiling the storage engine
// puts on the produce and fetch paths. Data goes to a temporary directory under $TMPDIR.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <unistd.h>

#include "common/assert.h"
#include "common/log.h"
#include "records/batch_builder.h"
#include "storage/file.h"
#include "storage/partition_log.h"

namespace {

using eddy::storage::PartitionLog;

constexpr int64_t kNowMs = 1'700'000'000'000;
constexpr int64_t kSegmentBytes = 256 * 1024 * 1024;

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "eddy-storage-bench-XXXXXX").string();
    EDDY_ASSERT(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::unique_ptr<PartitionLog> open_log(const TempDir& dir) {
  PartitionLog::Options options;
  options.dir = dir.path() / "bench-0";
  options.topic = "bench";
  options.config.segment_bytes = kSegmentBytes;
  options.now_ms = kNowMs;
  eddy::storage::Error error = eddy::storage::Error::kNone;
  auto log = PartitionLog::open(options, error);
  EDDY_ASSERT(log != nullptr && error == eddy::storage::Error::kNone);
  return log;
}

// One v2 batch of `record_count` records with `value_bytes`-byte values, as a producer sends.
std::vector<uint8_t> make_batch(int64_t record_count, int64_t value_bytes) {
  std::vector<uint8_t> value(static_cast<size_t>(value_bytes), 'v');
  eddy::records::BatchBuilder builder(eddy::records::BatchOptions{});
  for (int64_t i = 0; i < record_count; ++i) {
    eddy::records::RecordInput record;
    record.value = std::span<const uint8_t>(value);
    record.timestamp_ms = kNowMs + i;
    builder.add(record);
  }
  std::vector<uint8_t> batch;
  EDDY_ASSERT(builder.finish(batch));
  return batch;
}

// Args: records per batch, value bytes. One append of one batch per iteration. Append patches
// the base offset in place and accepts only batches with base offset 0 (as Kafka does from
// producers), so each iteration resets those 8 bytes and reuses the buffer.
void BM_Append(benchmark::State& state) {
  TempDir dir;
  auto log = open_log(dir);
  auto batch = make_batch(state.range(0), state.range(1));
  for (auto _ : state) {
    eddy::records::set_base_offset(batch, 0);
    const auto result = log->append(batch, 0, kNowMs);
    if (result.error != eddy::storage::Error::kNone) {
      state.SkipWithError(eddy::storage::to_string(result.error));
      break;
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(batch.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

constexpr int64_t kFillRecordsPerBatch = 16;

// Fills a log with `total_bytes` of equal 16 KB batches; returns the batch size.
int64_t fill(PartitionLog& log, int64_t total_bytes) {
  auto batch = make_batch(kFillRecordsPerBatch, 1000);
  for (int64_t written = 0; written < total_bytes; written += static_cast<int64_t>(batch.size())) {
    eddy::records::set_base_offset(batch, 0);
    EDDY_ASSERT(log.append(batch, 0, kNowMs).error == eddy::storage::Error::kNone);
  }
  return static_cast<int64_t>(batch.size());
}

// Arg: max bytes per read. Sequential reads over 64 MB; `copy` also preads the slices into a
// buffer (what a TLS connection must do), otherwise only the lookup (sendfile's share).
void read_benchmark(benchmark::State& state, bool copy) {
  TempDir dir;
  auto log = open_log(dir);
  const int64_t batch_bytes = fill(*log, 64 * 1024 * 1024);
  const int64_t end_offset = log->log_end_offset();
  const auto max_bytes = static_cast<int32_t>(state.range(0));
  std::vector<uint8_t> buffer(static_cast<size_t>(max_bytes) + 64 * 1024);
  int64_t offset = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const auto result = log->read(offset, max_bytes, end_offset, true);
    if (result.error != eddy::storage::Error::kNone || result.slices.empty()) {
      state.SkipWithError("read returned nothing");
      break;
    }
    int64_t read_bytes = 0;
    for (const auto& slice : result.slices) {
      read_bytes += slice.size_bytes;
      if (copy && slice.size_bytes <= static_cast<int64_t>(buffer.size())) {
        EDDY_ASSERT(eddy::storage::pread_all(slice.file->fd(), buffer.data(),
                                             static_cast<size_t>(slice.size_bytes),
                                             slice.position));
      }
    }
    bytes += read_bytes;
    // Equal batches: the next offset follows from the byte count. Wrap at the end.
    offset += kFillRecordsPerBatch * (read_bytes / batch_bytes);
    if (offset >= end_offset) offset = 0;
  }
  state.SetBytesProcessed(bytes);
}

void BM_ReadLookup(benchmark::State& state) {
  read_benchmark(state, false);
}
void BM_ReadCopy(benchmark::State& state) {
  read_benchmark(state, true);
}

BENCHMARK(BM_Append)
    ->ArgNames({"records", "value_bytes"})
    ->Args({16, 1000})    // a 16 KB batch of 1 KB records
    ->Args({1000, 1000})  // a 1 MB batch
    ->Args({100, 100})    // small records
    ->Args({1, 100});     // one tiny record per append: fixed per-append cost
BENCHMARK(BM_ReadLookup)->Arg(64 * 1024)->Arg(1024 * 1024);
BENCHMARK(BM_ReadCopy)->Arg(64 * 1024)->Arg(1024 * 1024);

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);  // opening a log per run logs at info
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
