#pragma once

// A record batch (magic v2) header: field offsets, a decoded copy, validation, and in-place
// patching of the fields the broker owns. See docs/record-batch.md for the layout.

#include <cstddef>
#include <cstdint>
#include <span>

#include "compression/compression.h"

namespace eddy::records {

// Byte offsets of the header fields, all big-endian.
inline constexpr size_t kBaseOffsetOffset = 0;             // int64
inline constexpr size_t kBatchLengthOffset = 8;            // int32, bytes after this field
inline constexpr size_t kPartitionLeaderEpochOffset = 12;  // int32
inline constexpr size_t kMagicOffset = 16;                 // int8
inline constexpr size_t kCrcOffset = 17;                   // uint32, CRC-32C of [21, end)
inline constexpr size_t kAttributesOffset = 21;            // int16
inline constexpr size_t kLastOffsetDeltaOffset = 23;       // int32
inline constexpr size_t kBaseTimestampOffset = 27;         // int64
inline constexpr size_t kMaxTimestampOffset = 35;          // int64
inline constexpr size_t kProducerIdOffset = 43;            // int64
inline constexpr size_t kProducerEpochOffset = 51;         // int16
inline constexpr size_t kBaseSequenceOffset = 53;          // int32
inline constexpr size_t kRecordCountOffset = 57;           // int32
inline constexpr size_t kBatchHeaderSize = 61;             // records start here

// batch_length counts the bytes after the length field itself.
inline constexpr size_t kBatchLengthFieldEnd = 12;
inline constexpr int32_t kMinBatchLength = kBatchHeaderSize - kBatchLengthFieldEnd;  // 49
inline constexpr size_t kCrcCoverageStart = kAttributesOffset;
inline constexpr int8_t kCurrentMagic = 2;

// Attribute bits.
inline constexpr int16_t kCompressionMask = 0x07;
inline constexpr int16_t kTimestampTypeBit = 0x08;  // set: LogAppendTime
inline constexpr int16_t kTransactionalBit = 0x10;
inline constexpr int16_t kControlBit = 0x20;
inline constexpr int16_t kDeleteHorizonBit = 0x40;

inline constexpr int64_t kNoProducerId = -1;
inline constexpr int16_t kNoProducerEpoch = -1;
inline constexpr int32_t kNoSequence = -1;

enum class BatchError {
  kNone,
  kTruncated,       // fewer bytes than the header or than batch_length announces
  kBadLength,       // batch_length below the v2 minimum
  kBadMagic,        // not magic 2 (v0/v1 message sets are not accepted)
  kBadCrc,          // stored CRC differs from the computed one
  kBadRecordCount,  // record count negative, or inconsistent with the offset range
  kBadCompression,  // compression bits name no known codec
};

const char* to_string(BatchError error);

// A decoded copy of the 61 header bytes.
struct BatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = 0;
  int8_t magic = 0;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = kNoProducerId;
  int16_t producer_epoch = kNoProducerEpoch;
  int32_t base_sequence = kNoSequence;
  int32_t record_count = 0;

  // Raw codec bits; values above 4 are rejected by parse_batch_header.
  compression::Codec compression() const {
    return static_cast<compression::Codec>(attributes & kCompressionMask);
  }
  bool is_log_append_time() const { return (attributes & kTimestampTypeBit) != 0; }
  bool is_transactional() const { return (attributes & kTransactionalBit) != 0; }
  bool is_control() const { return (attributes & kControlBit) != 0; }
  bool has_delete_horizon() const { return (attributes & kDeleteHorizonBit) != 0; }
  int64_t last_offset() const { return base_offset + last_offset_delta; }
  size_t total_size_bytes() const {
    return kBatchLengthFieldEnd + static_cast<size_t>(batch_length);
  }
};

// Parses the header at data[0..]. Checks that the whole batch is present
// (size >= 12 + batch_length), batch_length >= 49, magic == 2, record_count >= 0 and a known
// codec. Does NOT check the CRC (see verify_batch_crc). `out` is filled as far as it could be
// read, so a caller can inspect `out.magic` after kBadMagic.
BatchError parse_batch_header(std::span<const uint8_t> data, BatchHeader& out);

// Extra checks Kafka applies to batches a producer sends: at least one record, and
// last_offset_delta + 1 == record_count (offsets inside a fresh batch are dense).
BatchError validate_produced_batch(const BatchHeader& header);

// CRC-32C over [attributes, end) of a whole batch, as stored in the crc field.
uint32_t compute_batch_crc(std::span<const uint8_t> batch);
// `batch` must be exactly one whole batch (at least the header).
bool verify_batch_crc(std::span<const uint8_t> batch);
void update_batch_crc(std::span<uint8_t> batch);

// Broker-owned fields outside the CRC range: patched in place, the CRC stays valid.
void set_base_offset(std::span<uint8_t> batch, int64_t base_offset);
void set_partition_leader_epoch(std::span<uint8_t> batch, int32_t epoch);

// For topics with message.timestamp.type=LogAppendTime. The max timestamp IS inside the CRC
// range, so this also sets the LogAppendTime attribute bit and recomputes the CRC over the whole
// batch, as Kafka does. Cost: one CRC pass over the batch.
void set_max_timestamp(std::span<uint8_t> batch, int64_t timestamp_ms);

// For CreateTime batches whose max timestamp field disagrees with their records (Kafka
// corrects it on produce): sets the field, keeps the attributes, recomputes the CRC.
void set_create_time_max_timestamp(std::span<uint8_t> batch, int64_t timestamp_ms);

// Walks concatenated batches (a produce request's records field, a segment file region).
// Stops at the end of the buffer or at the first invalid batch; valid_bytes() is then the length
// of the prefix of whole, valid batches (what segment recovery keeps).
class BatchIterator {
 public:
  explicit BatchIterator(std::span<const uint8_t> data, bool verify_crc = true)
      : data_(data), verify_crc_(verify_crc) {}

  // Moves to the next batch; false at the end (error() == kNone) or on an invalid batch.
  bool next();

  const BatchHeader& header() const { return header_; }
  std::span<const uint8_t> batch() const { return data_.subspan(batch_position_, batch_size_); }
  // Position of the current batch within the buffer (to build a mutable span over it).
  size_t batch_position() const { return batch_position_; }
  BatchError error() const { return error_; }
  size_t valid_bytes() const { return valid_bytes_; }

 private:
  std::span<const uint8_t> data_;
  bool verify_crc_;
  BatchHeader header_;
  size_t batch_position_ = 0;
  size_t batch_size_ = 0;
  size_t valid_bytes_ = 0;
  BatchError error_ = BatchError::kNone;
};

}  // namespace eddy::records
