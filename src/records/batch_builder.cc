#include "records/batch_builder.h"

#include <algorithm>

#include "common/assert.h"
#include "compression/compression.h"
#include "records/byte_order.h"
#include "records/record.h"
#include "records/varint.h"

namespace eddy::records {
namespace {

void append_nullable(std::vector<uint8_t>& out, std::optional<std::span<const uint8_t>> bytes) {
  if (!bytes) {
    append_varint(out, -1);
    return;
  }
  append_varint(out, static_cast<int32_t>(bytes->size()));
  out.insert(out.end(), bytes->begin(), bytes->end());
}

int16_t attributes_of(const BatchOptions& options) {
  auto attributes = static_cast<int16_t>(options.compression);
  if (options.log_append_time) attributes |= kTimestampTypeBit;
  if (options.transactional) attributes |= kTransactionalBit;
  if (options.control) attributes |= kControlBit;
  return attributes;
}

// Writes the 61 header bytes at `p`, CRC left zero.
void write_header(uint8_t* p, const BatchHeader& header) {
  store_be<int64_t>(p + kBaseOffsetOffset, header.base_offset);
  store_be<int32_t>(p + kBatchLengthOffset, header.batch_length);
  store_be<int32_t>(p + kPartitionLeaderEpochOffset, header.partition_leader_epoch);
  p[kMagicOffset] = static_cast<uint8_t>(kCurrentMagic);
  store_be<uint32_t>(p + kCrcOffset, 0);
  store_be<int16_t>(p + kAttributesOffset, header.attributes);
  store_be<int32_t>(p + kLastOffsetDeltaOffset, header.last_offset_delta);
  store_be<int64_t>(p + kBaseTimestampOffset, header.base_timestamp);
  store_be<int64_t>(p + kMaxTimestampOffset, header.max_timestamp);
  store_be<int64_t>(p + kProducerIdOffset, header.producer_id);
  store_be<int16_t>(p + kProducerEpochOffset, header.producer_epoch);
  store_be<int32_t>(p + kBaseSequenceOffset, header.base_sequence);
  store_be<int32_t>(p + kRecordCountOffset, header.record_count);
}

// Appends header + records (compressed per the attributes) to `out` and seals the CRC.
bool append_batch(BatchHeader header, std::span<const uint8_t> records,
                  std::vector<uint8_t>& compressed, std::vector<uint8_t>& out) {
  auto codec = static_cast<compression::Codec>(header.attributes & kCompressionMask);
  std::span<const uint8_t> stored = records;
  if (codec != compression::Codec::kNone) {
    if (!compression::compress(codec, records, compressed)) return false;
    stored = compressed;
  }
  size_t batch_size = kBatchHeaderSize + stored.size();
  EDDY_ASSERT(batch_size - kBatchLengthFieldEnd <= INT32_MAX);
  header.batch_length = static_cast<int32_t>(batch_size - kBatchLengthFieldEnd);
  size_t start = out.size();
  out.resize(start + kBatchHeaderSize);
  write_header(out.data() + start, header);
  out.insert(out.end(), stored.begin(), stored.end());
  update_batch_crc(std::span<uint8_t>(out).subspan(start));
  return true;
}

}  // namespace

void BatchBuilder::add(const RecordInput& record) {
  if (record_count_ == 0) {
    base_timestamp_ms_ = record.timestamp_ms;
    max_timestamp_ms_ = record.timestamp_ms;
  }
  max_timestamp_ms_ = std::max(max_timestamp_ms_, record.timestamp_ms);
  body_.clear();
  body_.push_back(0);  // record attributes: unused, always zero
  // Wrapping, as Kafka's long arithmetic: an old client's timestamps are arbitrary int64s.
  append_varlong(body_, static_cast<int64_t>(static_cast<uint64_t>(record.timestamp_ms) -
                                             static_cast<uint64_t>(base_timestamp_ms_)));
  append_varint(body_, record_count_);
  append_nullable(body_, record.key);
  append_nullable(body_, record.value);
  append_varint(body_, static_cast<int32_t>(record.headers.size()));
  for (const HeaderInput& header : record.headers) {
    append_nullable(body_, header.key);
    append_nullable(body_, header.value);
  }
  append_varint(records_, static_cast<int32_t>(body_.size()));
  records_.insert(records_.end(), body_.begin(), body_.end());
  ++record_count_;
}

bool BatchBuilder::finish(std::vector<uint8_t>& out) {
  EDDY_ASSERT(record_count_ > 0);
  BatchHeader header;
  header.base_offset = options_.base_offset;
  header.partition_leader_epoch = options_.partition_leader_epoch;
  header.attributes = attributes_of(options_);
  header.last_offset_delta = record_count_ - 1;
  header.base_timestamp = base_timestamp_ms_;
  header.max_timestamp = max_timestamp_ms_;
  header.producer_id = options_.producer_id;
  header.producer_epoch = options_.producer_epoch;
  header.base_sequence = options_.base_sequence;
  header.record_count = record_count_;
  bool ok = append_batch(header, records_, compressed_, out);
  records_.clear();
  record_count_ = 0;
  return ok;
}

RecordError recompress_batch(std::span<const uint8_t> batch, compression::Codec target,
                             size_t max_decompressed_bytes, RecompressScratch& scratch,
                             std::vector<uint8_t>& out) {
  BatchHeader header;
  BatchError batch_error = parse_batch_header(batch, header);
  EDDY_ASSERT(batch_error == BatchError::kNone && batch.size() == header.total_size_bytes());
  std::span<const uint8_t> region;
  RecordError error =
      records_region(batch, header, scratch.decompressed, max_decompressed_bytes, region);
  if (error != RecordError::kNone) return error;
  RecordIterator it(region, header.record_count);
  RecordView record;
  while (it.next(record)) {
  }
  if (it.error() != RecordError::kNone) return it.error();
  header.attributes =
      static_cast<int16_t>((header.attributes & ~kCompressionMask) | static_cast<int16_t>(target));
  if (!append_batch(header, region, scratch.compressed, out)) {
    return RecordError::kDecompressFailed;
  }
  return RecordError::kNone;
}

}  // namespace eddy::records
