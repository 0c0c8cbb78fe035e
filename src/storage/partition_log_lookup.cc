// ListOffsets by timestamp: the indexes find the batch, then its records give the exact offset.

#include <algorithm>
#include <optional>
#include <vector>

#include "records/batch_header.h"
#include "records/record.h"
#include "storage/partition_log.h"

namespace eddy::storage {
namespace {

// Decompressing a batch to look inside it may not take more memory than this.
constexpr size_t kMaxDecompressedBytes = 64 << 20;

struct RecordMatch {
  int64_t offset;
  int64_t timestamp_ms;
};

// The first record of `batch` whose timestamp satisfies `accept`; nullopt if none, or if the
// batch cannot be decoded (the caller then answers at batch granularity).
template <typename Accept>
std::optional<RecordMatch> first_record(const Segment& segment, const BatchInfo& batch,
                                        Accept accept) {
  std::vector<uint8_t> bytes(static_cast<size_t>(batch.size_bytes));
  if (!pread_all(segment.file()->fd(), bytes.data(), bytes.size(), batch.position)) {
    return std::nullopt;
  }
  records::BatchHeader header;
  if (records::parse_batch_header(bytes, header) != records::BatchError::kNone) {
    return std::nullopt;
  }
  if (header.is_log_append_time()) {
    // Every record carries the batch's append time.
    if (!accept(header.max_timestamp)) return std::nullopt;
    return RecordMatch{header.base_offset, header.max_timestamp};
  }
  std::vector<uint8_t> scratch;
  std::span<const uint8_t> region;
  if (records::records_region(bytes, header, scratch, kMaxDecompressedBytes, region) !=
      records::RecordError::kNone) {
    return std::nullopt;
  }
  records::RecordIterator iterator(region, header.record_count);
  records::RecordView record;
  while (iterator.next(record)) {
    int64_t timestamp_ms = header.base_timestamp + record.timestamp_delta;
    if (accept(timestamp_ms))
      return RecordMatch{header.base_offset + record.offset_delta, timestamp_ms};
  }
  return std::nullopt;
}

}  // namespace

OffsetLookup PartitionLog::offset_for_timestamp(int64_t timestamp_ms) const {
  int64_t log_start = log_start_offset();
  int64_t log_end = log_end_offset();
  for (const auto& segment : segments_snapshot()) {
    if (segment->next_offset() <= log_start || segment->max_timestamp_ms() < timestamp_ms) {
      continue;
    }
    auto batch = segment->find_timestamp(timestamp_ms);
    if (!batch || batch->base_offset >= log_end || batch->last_offset < log_start) continue;
    OffsetLookup lookup{Error::kNone, batch->base_offset, batch->max_timestamp_ms,
                        batch->leader_epoch};
    auto match = first_record(*segment, *batch, [&](int64_t record_timestamp_ms) {
      return record_timestamp_ms >= timestamp_ms;
    });
    if (match) {
      lookup.offset = match->offset;
      lookup.timestamp_ms = match->timestamp_ms;
    }
    lookup.offset = std::max(lookup.offset, log_start);
    return lookup;
  }
  return {};
}

OffsetLookup PartitionLog::max_timestamp() const {
  std::shared_ptr<Segment> best;
  for (const auto& segment : segments_snapshot()) {
    if (segment->max_timestamp_ms() < 0) continue;
    if (best == nullptr || segment->max_timestamp_ms() > best->max_timestamp_ms()) {
      best = segment;
    }
  }
  if (best == nullptr) return {};
  int64_t max_timestamp_ms = best->max_timestamp_ms();
  OffsetLookup lookup{Error::kNone, best->offset_of_max_timestamp(), max_timestamp_ms, -1};
  if (auto batch = best->locate(lookup.offset)) {
    lookup.leader_epoch = batch->leader_epoch;
    auto match = first_record(*best, *batch, [&](int64_t record_timestamp_ms) {
      return record_timestamp_ms == max_timestamp_ms;
    });
    if (match) lookup.offset = match->offset;
  }
  return lookup;
}

}  // namespace eddy::storage
