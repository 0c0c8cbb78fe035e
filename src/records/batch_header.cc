#include "records/batch_header.h"

#include "common/assert.h"
#include "records/byte_order.h"
#include "records/crc32c.h"

namespace eddy::records {
namespace {

constexpr int16_t kMaxKnownCodec = static_cast<int16_t>(compression::Codec::kZstd);

void decode_fields(const uint8_t* p, BatchHeader& out) {
  out.partition_leader_epoch = load_be<int32_t>(p + kPartitionLeaderEpochOffset);
  out.crc = load_be<uint32_t>(p + kCrcOffset);
  out.attributes = load_be<int16_t>(p + kAttributesOffset);
  out.last_offset_delta = load_be<int32_t>(p + kLastOffsetDeltaOffset);
  out.base_timestamp = load_be<int64_t>(p + kBaseTimestampOffset);
  out.max_timestamp = load_be<int64_t>(p + kMaxTimestampOffset);
  out.producer_id = load_be<int64_t>(p + kProducerIdOffset);
  out.producer_epoch = load_be<int16_t>(p + kProducerEpochOffset);
  out.base_sequence = load_be<int32_t>(p + kBaseSequenceOffset);
  out.record_count = load_be<int32_t>(p + kRecordCountOffset);
}

}  // namespace

const char* to_string(BatchError error) {
  switch (error) {
    case BatchError::kNone:
      return "none";
    case BatchError::kTruncated:
      return "truncated batch";
    case BatchError::kBadLength:
      return "batch length below minimum";
    case BatchError::kBadMagic:
      return "unsupported magic";
    case BatchError::kBadCrc:
      return "CRC mismatch";
    case BatchError::kBadRecordCount:
      return "invalid record count";
    case BatchError::kBadCompression:
      return "unknown compression codec";
  }
  return "unknown";
}

BatchError parse_batch_header(std::span<const uint8_t> data, BatchHeader& out) {
  if (data.size() < kBatchLengthFieldEnd) return BatchError::kTruncated;
  const uint8_t* p = data.data();
  out.base_offset = load_be<int64_t>(p + kBaseOffsetOffset);
  out.batch_length = load_be<int32_t>(p + kBatchLengthOffset);
  // The magic decides the format, so look at it before judging the length (v0/v1 are shorter).
  if (data.size() <= kMagicOffset) return BatchError::kTruncated;
  out.magic = static_cast<int8_t>(p[kMagicOffset]);
  if (out.magic != kCurrentMagic) return BatchError::kBadMagic;
  if (out.batch_length < kMinBatchLength) return BatchError::kBadLength;
  if (data.size() < out.total_size_bytes()) return BatchError::kTruncated;
  decode_fields(p, out);
  if (out.record_count < 0) return BatchError::kBadRecordCount;
  if ((out.attributes & kCompressionMask) > kMaxKnownCodec) return BatchError::kBadCompression;
  return BatchError::kNone;
}

BatchError validate_produced_batch(const BatchHeader& header) {
  if (header.record_count <= 0) return BatchError::kBadRecordCount;
  if (static_cast<int64_t>(header.last_offset_delta) + 1 != header.record_count) {
    return BatchError::kBadRecordCount;
  }
  return BatchError::kNone;
}

uint32_t compute_batch_crc(std::span<const uint8_t> batch) {
  EDDY_ASSERT(batch.size() >= kBatchHeaderSize);
  return crc32c(batch.subspan(kCrcCoverageStart));
}

bool verify_batch_crc(std::span<const uint8_t> batch) {
  if (batch.size() < kBatchHeaderSize) return false;
  return compute_batch_crc(batch) == load_be<uint32_t>(batch.data() + kCrcOffset);
}

void update_batch_crc(std::span<uint8_t> batch) {
  store_be<uint32_t>(batch.data() + kCrcOffset, compute_batch_crc(batch));
}

void set_base_offset(std::span<uint8_t> batch, int64_t base_offset) {
  EDDY_ASSERT(batch.size() >= kBatchHeaderSize);
  store_be<int64_t>(batch.data() + kBaseOffsetOffset, base_offset);
}

void set_partition_leader_epoch(std::span<uint8_t> batch, int32_t epoch) {
  EDDY_ASSERT(batch.size() >= kBatchHeaderSize);
  store_be<int32_t>(batch.data() + kPartitionLeaderEpochOffset, epoch);
}

void set_max_timestamp(std::span<uint8_t> batch, int64_t timestamp_ms) {
  EDDY_ASSERT(batch.size() >= kBatchHeaderSize);
  uint8_t* p = batch.data();
  auto attributes = load_be<int16_t>(p + kAttributesOffset);
  store_be<int16_t>(p + kAttributesOffset, static_cast<int16_t>(attributes | kTimestampTypeBit));
  store_be<int64_t>(p + kMaxTimestampOffset, timestamp_ms);
  update_batch_crc(batch);
}

void set_create_time_max_timestamp(std::span<uint8_t> batch, int64_t timestamp_ms) {
  EDDY_ASSERT(batch.size() >= kBatchHeaderSize);
  store_be<int64_t>(batch.data() + kMaxTimestampOffset, timestamp_ms);
  update_batch_crc(batch);
}

bool BatchIterator::next() {
  if (error_ != BatchError::kNone) return false;
  size_t position = batch_position_ + batch_size_;
  EDDY_ASSERT(position == valid_bytes_);
  if (position == data_.size()) return false;
  std::span<const uint8_t> rest = data_.subspan(position);
  BatchError error = parse_batch_header(rest, header_);
  if (error == BatchError::kNone && verify_crc_ &&
      !verify_batch_crc(rest.first(header_.total_size_bytes()))) {
    error = BatchError::kBadCrc;
  }
  if (error != BatchError::kNone) {
    error_ = error;
    return false;
  }
  batch_position_ = position;
  batch_size_ = header_.total_size_bytes();
  valid_bytes_ = position + batch_size_;
  return true;
}

}  // namespace eddy::records
