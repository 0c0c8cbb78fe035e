#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "broker/dispatch/handler.h"
#include "broker/partitions/led_partition.h"
#include "config/server_config.h"
#include "metadata/image.h"
#include "protocol/error_code.h"
#include "protocol/generated/list_offsets_request.h"
#include "protocol/generated/list_offsets_response.h"
#include "storage/log_manager.h"

namespace eddy::broker {

// ListOffsets 0-10. v1+: per partition, the earliest (-2), latest (-1), max-timestamp (-3,
// v7+), earliest-local (-4, v8+) or latest-tiered (-5, v9+) offset, or the first offset whose
// record timestamp is >= the requested one. v0: the "old style" list of segment start offsets
// (legacy_offsets_before).
HandlerSpec list_offsets_handler();

// The whole ListOffsets answer at `version`; reads storage, never blocks on appends. `now_ms`
// stands for the log end's time in a v0 answer.
protocol::ListOffsetsResponse list_offsets(const PartitionView& view,
                                           const protocol::ListOffsetsRequest& request,
                                           int16_t version, int64_t now_ms);

// What ListOffsets v0 knows of a log: where each segment starts and when its file was last
// written.
struct SegmentTime {
  int64_t base_offset = 0;
  int64_t last_modified_ms = 0;
};
struct LegacyOffsetsLog {
  std::span<const SegmentTime> segments;  // oldest first, never empty
  bool active_segment_has_bytes = false;
  int64_t log_start_offset = 0;
  int64_t log_end_offset = 0;
};

// ListOffsets v0 as Kafka 3.x answered it (UnifiedLog.legacyFetchOffsetsBefore): the
// candidates are every segment's base offset (at least the log start) stamped with its file's
// mtime, plus the log end stamped `now_ms` when the active segment holds data. Latest (-1)
// starts from the last candidate, earliest (-2) from the first, any other timestamp from the
// last candidate stamped at or before it; from there at most `max_num_offsets` candidates going
// back, largest offset first. No candidate that old, or max_num_offsets <= 0: an empty list.
std::vector<int64_t> legacy_offsets_before(const LegacyOffsetsLog& log, int64_t timestamp,
                                           int32_t max_num_offsets, int64_t now_ms);

}  // namespace eddy::broker
