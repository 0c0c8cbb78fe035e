// ListOffsets by timestamp: the indexes find the batch, then its records give the exact offset.

#include <algorithm>
#include <optional>
#include <vector>

#include "records/batch_header.h"
#include "records/batch_records.h"
#include "records/record.h"
#include "storage/partition_log.h"

namespace eddy::storage {
namespace {

// Decompressing a batch to look inside it may not take more memory than this.
// The bound produce validation enforces, so every stored batch fits.
constexpr size_t kMaxDecompressedBytes = records::kMaxDecompressedBatchBytes;

struct RecordMatch {
  int64_t offset;
  int64_t timestamp_ms;
};

// The first record of `batch` for which accept(offset, timestamp) holds; nullopt if none, or
// if the batch cannot be decoded.
template <typename Accept>
std::optional<RecordMatch> first_record(const Segment& segment, const BatchInfo& batch,
                                        Accept accept) {
  std::vector<uint8_t> bytes(static_cast<size_t>(batch.size_bytes));
  const auto file = segment.file();  // nullptr: out of descriptors (logged)
  if (file == nullptr || !pread_all(file->fd(), bytes.data(), bytes.size(), batch.position)) {
    return std::nullopt;
  }
  records::BatchHeader header;
  if (records::parse_batch_header(bytes, header) != records::BatchError::kNone) {
    return std::nullopt;
  }
  if (header.is_log_append_time()) {
    // Every record carries the batch's append time.
    for (int64_t offset = header.base_offset; offset <= header.last_offset(); ++offset) {
      if (accept(offset, header.max_timestamp)) return RecordMatch{offset, header.max_timestamp};
    }
    return std::nullopt;
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
    const int64_t timestamp_ms = records::record_timestamp(header, record);
    const int64_t offset = header.base_offset + record.offset_delta;
    if (accept(offset, timestamp_ms)) return RecordMatch{offset, timestamp_ms};
  }
  return std::nullopt;
}

}  // namespace

// As Kafka: the first record with timestamp >= `timestamp_ms` and offset >= the log start.
// The time index gives where to start in a segment (or the log start's batch, if later);
// batches are then scanned forward, since a batch's max timestamp may exceed the target
// while its records below the log start do not count.
OffsetLookup PartitionLog::offset_for_timestamp(int64_t timestamp_ms) const {
  const int64_t log_start = log_start_offset();
  const int64_t log_end = log_end_offset();
  const auto accept = [&](int64_t offset, int64_t record_timestamp_ms) {
    return offset >= log_start && offset < log_end && record_timestamp_ms >= timestamp_ms;
  };
  for (const auto& segment : segments_snapshot()) {
    if (segment->next_offset() <= log_start || segment->max_timestamp_ms() < timestamp_ms) {
      continue;
    }
    auto batch = segment->find_timestamp(timestamp_ms);
    if (const auto start = segment->locate(log_start); start && batch) {
      if (start->position > batch->position) batch = start;
    }
    const int64_t limit = segment->size_bytes();
    for (; batch && batch->base_offset < log_end;
         batch = segment->read_batch(batch->position + batch->size_bytes, limit)) {
      if (batch->max_timestamp_ms < timestamp_ms || batch->last_offset < log_start) continue;
      if (const auto match = first_record(*segment, *batch, accept)) {
        return {Error::kNone, match->offset, match->timestamp_ms, batch->leader_epoch};
      }
    }
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
    auto match = first_record(*best, *batch, [&](int64_t, int64_t record_timestamp_ms) {
      return record_timestamp_ms == max_timestamp_ms;
    });
    if (match) lookup.offset = match->offset;
  }
  return lookup;
}

}  // namespace eddy::storage
