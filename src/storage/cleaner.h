#pragma once

// Log compaction (cleanup.policy=compact): Kafka's LogCleaner. A pass over one partition maps
// each key of the dirty range to its last offset (bounded memory, cleaner_offset_map.h), then
// rewrites the segments below the mapped end, keeping the latest record per key, and swaps
// them in crash-safely. Format and rules: docs/storage-format.md, "Compaction".
//
// Threads: a Cleaner is used by one thread (the LogManager's cleaner thread, or a test). It
// reads segment files without any log lock; appends continue meanwhile. It takes the log's
// append lock only to swap segment objects (PartitionLog::replace_segments).

#include <atomic>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "storage/cleaner_filter.h"
#include "storage/cleaner_offset_map.h"
#include "storage/error.h"
#include "storage/partition_log.h"

namespace eddy::storage {

struct CleanerConfig {
  int64_t dedupe_buffer_bytes = 134217728;  // log.cleaner.dedupe.buffer.size
  double dedupe_load_factor = 0.9;          // log.cleaner.io.buffer.load.factor
  int64_t io_buffer_bytes = 1 << 20;        // read chunk and write batching size
};

// What a log offers to clean now (Kafka's LogToClean).
struct CleanableRange {
  int64_t first_dirty_offset = 0;
  int64_t first_uncleanable_offset = 0;  // the active segment, or min.compaction.lag.ms
  int64_t clean_bytes = 0;
  int64_t cleanable_bytes = 0;
  double dirty_ratio = 0;
  bool max_lag_exceeded = false;  // max.compaction.lag.ms says: clean now
};

CleanableRange cleanable_range(const PartitionLog& log,
                               const std::vector<std::shared_ptr<Segment>>& segments,
                               const config::TopicConfig& config, int64_t now_ms);

struct CleanStats {
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
  int64_t records_read = 0;
  int64_t records_kept = 0;
  int32_t groups = 0;       // segments written
  int64_t end_offset = -1;  // the new first dirty offset
  size_t map_entries = 0;
  int64_t map_memory_bytes = 0;
};

class Cleaner {
 public:
  explicit Cleaner(const CleanerConfig& config);

  // Kafka's "filthiest log": the compacted log with the highest dirty ratio above its
  // min.cleanable.dirty.ratio (or past max.compaction.lag.ms); else one whose earliest delete
  // horizon has passed; else nullptr. Logs marked uncleanable are skipped.
  std::shared_ptr<PartitionLog> pick(const std::vector<std::shared_ptr<PartitionLog>>& logs,
                                     int64_t now_ms) const;
  // One pass over `log` (see the header comment). On a damaged batch the log is marked
  // uncleanable; on any error the log is left as it was before the failing group.
  Error clean(PartitionLog& log, int64_t now_ms, CleanStats* stats = nullptr);
  // Makes a running and every later clean() stop early (broker shutdown).
  void abort() { aborted_.store(true, std::memory_order_release); }

 private:
  Error build_map(const std::vector<std::shared_ptr<Segment>>& segments,
                  const CleanableRange& range, const config::TopicConfig& config,
                  int64_t& end_offset, CleanStats& stats);
  Error map_batch(std::span<const uint8_t> batch, const records::BatchHeader& header,
                  const CleanableRange& range, bool& full);
  Error clean_group(PartitionLog& log, const std::vector<std::shared_ptr<Segment>>& group,
                    const config::TopicConfig& config, int64_t now_ms, int64_t& horizon_ms,
                    CleanStats& stats);
  Error write_group(Segment& cleaned, const std::vector<std::shared_ptr<Segment>>& group,
                    const config::TopicConfig& config, int64_t now_ms, int64_t& horizon_ms,
                    CleanStats& stats);
  size_t max_batch_bytes(const config::TopicConfig& config) const;
  bool aborted() const { return aborted_.load(std::memory_order_acquire); }

  const CleanerConfig config_;
  CleanerOffsetMap map_;
  CleanerFilter filter_;
  std::vector<uint8_t> read_buffer_;
  std::vector<uint8_t> write_buffer_;
  std::vector<uint8_t> decompressed_;
  std::set<std::string> uncleanable_;  // partition directories
  std::atomic<bool> aborted_{false};
};

}  // namespace eddy::storage
