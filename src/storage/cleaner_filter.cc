#include "storage/cleaner_filter.h"

#include <algorithm>
#include <limits>

#include "common/assert.h"
#include "common/log.h"
#include "compression/compression.h"
#include "records/byte_order.h"
#include "records/varint.h"

namespace eddy::storage {
namespace {

using records::BatchHeader;
using records::RecordView;

int64_t saturating_add(int64_t a, int64_t b) {
  if (b > 0 && a > std::numeric_limits<int64_t>::max() - b) {
    return std::numeric_limits<int64_t>::max();
  }
  return a + b;
}

void append_nullable(std::vector<uint8_t>& out, std::optional<std::span<const uint8_t>> bytes) {
  if (!bytes) {
    records::append_varint(out, -1);
    return;
  }
  records::append_varint(out, static_cast<int32_t>(bytes->size()));
  out.insert(out.end(), bytes->begin(), bytes->end());
}

size_t nullable_size(std::optional<std::span<const uint8_t>> bytes) {
  if (!bytes) return records::varint_size(-1);
  return records::varint_size(static_cast<int32_t>(bytes->size())) + bytes->size();
}

// Encodes `record` with its timestamp delta against `base_timestamp_ms`; all else unchanged.
void append_record(std::vector<uint8_t>& out, const RecordView& record, int64_t timestamp_delta) {
  size_t body = 1 + records::varlong_size(timestamp_delta) +
                records::varint_size(record.offset_delta) + nullable_size(record.key) +
                nullable_size(record.value) + records::varint_size(record.header_count) +
                record.headers.size();
  records::append_varint(out, static_cast<int32_t>(body));
  out.push_back(static_cast<uint8_t>(record.attributes));
  records::append_varlong(out, timestamp_delta);
  records::append_varint(out, record.offset_delta);
  append_nullable(out, record.key);
  append_nullable(out, record.value);
  records::append_varint(out, record.header_count);
  out.insert(out.end(), record.headers.begin(), record.headers.end());
}

void write_header(uint8_t* p, const BatchHeader& header) {
  using records::store_be;
  store_be<int64_t>(p + records::kBaseOffsetOffset, header.base_offset);
  store_be<int32_t>(p + records::kBatchLengthOffset, header.batch_length);
  store_be<int32_t>(p + records::kPartitionLeaderEpochOffset, header.partition_leader_epoch);
  p[records::kMagicOffset] = static_cast<uint8_t>(records::kCurrentMagic);
  store_be<uint32_t>(p + records::kCrcOffset, 0);
  store_be<int16_t>(p + records::kAttributesOffset, header.attributes);
  store_be<int32_t>(p + records::kLastOffsetDeltaOffset, header.last_offset_delta);
  store_be<int64_t>(p + records::kBaseTimestampOffset, header.base_timestamp);
  store_be<int64_t>(p + records::kMaxTimestampOffset, header.max_timestamp);
  store_be<int64_t>(p + records::kProducerIdOffset, header.producer_id);
  store_be<int16_t>(p + records::kProducerEpochOffset, header.producer_epoch);
  store_be<int32_t>(p + records::kBaseSequenceOffset, header.base_sequence);
  store_be<int32_t>(p + records::kRecordCountOffset, header.record_count);
}

}  // namespace

bool CleanerFilter::keep_record(const RecordView& record, int64_t offset, const BatchHeader& header,
                                CleanerOffsetMap& map, int64_t now_ms) {
  if (offset > map.latest_offset()) return true;  // beyond what this pass deduplicated
  if (!record.key) return false;                  // Kafka drops keyless records when cleaning
  bool latest_for_key = offset >= map.get(*record.key);
  if (!latest_for_key) return false;
  if (record.value) return true;
  // A tombstone stays until its batch's delete horizon has passed.
  return !header.has_delete_horizon() || now_ms < header.base_timestamp;
}

FilterOutcome CleanerFilter::filter(std::span<const uint8_t> batch, const BatchHeader& header,
                                    CleanerOffsetMap& map, int64_t now_ms,
                                    int64_t delete_retention_ms, std::vector<uint8_t>& out) {
  FilterOutcome outcome;
  if (header.is_control()) {
    // Transaction markers: kept as they are until transactions exist.
    out.insert(out.end(), batch.begin(), batch.end());
    return outcome;
  }
  std::span<const uint8_t> region;
  records::RecordError error =
      records::records_region(batch, header, decompressed_, max_decompressed_bytes_, region);
  kept_.clear();
  bool has_tombstone = false;
  if (error == records::RecordError::kNone) {
    records::RecordIterator records(region, header.record_count);
    RecordView record;
    while (records.next(record)) {
      outcome.records_read++;
      if (!keep_record(record, header.base_offset + record.offset_delta, header, map, now_ms)) {
        continue;
      }
      has_tombstone = has_tombstone || !record.value;
      kept_.push_back(record);
    }
    error = records.error();
  }
  if (error != records::RecordError::kNone) {
    spdlog::error("cleaner: undecodable batch at offset {}: {}", header.base_offset,
                  records::to_string(error));
    outcome.error = Error::kCorruptMessage;
    return outcome;
  }
  outcome.records_kept = static_cast<int32_t>(kept_.size());
  if (kept_.empty()) return outcome;  // no producer state to keep a batch for yet
  bool set_horizon = has_tombstone && !header.has_delete_horizon();
  if (has_tombstone) {
    outcome.pending_horizon_ms =
        set_horizon ? saturating_add(now_ms, delete_retention_ms) : header.base_timestamp;
  }
  if (kept_.size() == static_cast<size_t>(header.record_count) && !set_horizon) {
    out.insert(out.end(), batch.begin(), batch.end());
    return outcome;
  }
  BatchHeader rebuilt = header;
  rebuilt.record_count = static_cast<int32_t>(kept_.size());
  if (set_horizon) {
    rebuilt.base_timestamp = outcome.pending_horizon_ms;
    rebuilt.attributes = static_cast<int16_t>(rebuilt.attributes | records::kDeleteHorizonBit);
  }
  int64_t max_timestamp_ms = -1;
  records_.clear();
  for (const RecordView& record : kept_) {
    int64_t timestamp_ms = records::record_timestamp(header, record);
    max_timestamp_ms = std::max(max_timestamp_ms, timestamp_ms);
    append_record(records_, record, timestamp_ms - rebuilt.base_timestamp);
  }
  if (!header.is_log_append_time()) rebuilt.max_timestamp = max_timestamp_ms;
  if (!write_batch(rebuilt, out)) outcome.error = Error::kStorageError;
  return outcome;
}

bool CleanerFilter::write_batch(const BatchHeader& header, std::vector<uint8_t>& out) {
  auto codec = static_cast<compression::Codec>(header.compression());
  std::span<const uint8_t> stored = records_;
  if (codec != compression::Codec::kNone) {
    if (!compression::compress(codec, records_, compressed_)) {
      spdlog::error("cleaner: recompression with {} failed", compression::to_string(codec));
      return false;
    }
    stored = compressed_;
  }
  BatchHeader sized = header;
  size_t batch_size = records::kBatchHeaderSize + stored.size();
  sized.batch_length = static_cast<int32_t>(batch_size - records::kBatchLengthFieldEnd);
  size_t start = out.size();
  out.resize(start + records::kBatchHeaderSize);
  write_header(out.data() + start, sized);
  out.insert(out.end(), stored.begin(), stored.end());
  records::update_batch_crc(std::span<uint8_t>(out).subspan(start));
  return true;
}

}  // namespace eddy::storage
