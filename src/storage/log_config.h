#pragma once

// Per-partition log settings, with Kafka's topic config names and defaults.

#include <cstdint>
#include <limits>

namespace eddy::storage {

struct LogConfig {
  int64_t segment_bytes = 1073741824;                            // segment.bytes
  int64_t segment_ms = 604800000;                                // segment.ms
  int64_t segment_index_bytes = 10485760;                        // segment.index.bytes
  int32_t index_interval_bytes = 4096;                           // index.interval.bytes
  int64_t retention_ms = 604800000;                              // retention.ms (< 0: unlimited)
  int64_t retention_bytes = -1;                                  // retention.bytes (< 0: unlimited)
  int64_t flush_messages = std::numeric_limits<int64_t>::max();  // flush.messages
  int64_t flush_ms = std::numeric_limits<int64_t>::max();        // flush.ms
  int32_t max_message_bytes = 1048588;                           // max.message.bytes
  bool preallocate = false;              // preallocate: reserve a new segment's whole size on disk
  bool log_append_time = false;          // message.timestamp.type=LogAppendTime
  int64_t file_delete_delay_ms = 60000;  // file.delete.delay.ms (kept for DescribeConfigs;
                                         // files are unlinked at once, see the format doc)
  // cleanup.policy: "delete" (default), "compact", or both.
  bool compact = false;
  bool delete_enabled = true;
  int64_t delete_retention_ms = 86400000;                               // delete.retention.ms
  int64_t min_compaction_lag_ms = 0;                                    // min.compaction.lag.ms
  int64_t max_compaction_lag_ms = std::numeric_limits<int64_t>::max();  // max.compaction.lag.ms
  double min_cleanable_dirty_ratio = 0.5;                               // min.cleanable.dirty.ratio
};

}  // namespace eddy::storage
