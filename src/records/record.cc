#include "records/record.h"

#include "common/assert.h"
#include "compression/compression.h"
#include "records/varint.h"

namespace eddy::records {
namespace {

RecordError failure_of(const ByteReader& reader) {
  switch (reader.failure()) {
    case ByteReader::Failure::kVarintTooLong:
      return RecordError::kBadVarint;
    case ByteReader::Failure::kNegativeLength:
      return RecordError::kBadLength;
    case ByteReader::Failure::kEndOfData:
    case ByteReader::Failure::kNone:
      break;
  }
  return RecordError::kTruncated;
}

RecordError read_headers(ByteReader& reader, int32_t count) {
  for (int32_t i = 0; i < count; ++i) {
    int32_t key_length = 0;
    if (!reader.read_varint(key_length)) return failure_of(reader);
    if (key_length < 0) return RecordError::kBadLength;
    std::span<const uint8_t> key;
    if (!reader.read_bytes(static_cast<size_t>(key_length), key)) return failure_of(reader);
    std::optional<std::span<const uint8_t>> value;
    if (!reader.read_nullable_bytes(value)) return failure_of(reader);
  }
  return RecordError::kNone;
}

// Fields after the length prefix, all inside `body`.
RecordError decode_body(std::span<const uint8_t> body, RecordView& out) {
  ByteReader reader(body);
  bool ok = reader.read_int8(out.attributes) && reader.read_varlong(out.timestamp_delta) &&
            reader.read_varint(out.offset_delta) && reader.read_nullable_bytes(out.key) &&
            reader.read_nullable_bytes(out.value) && reader.read_varint(out.header_count);
  if (!ok) return failure_of(reader);
  if (out.header_count < 0) return RecordError::kBadHeaderCount;
  size_t headers_start = reader.position();
  if (RecordError error = read_headers(reader, out.header_count); error != RecordError::kNone) {
    return error;
  }
  out.headers = body.subspan(headers_start, reader.position() - headers_start);
  if (reader.remaining() != 0) return RecordError::kSizeMismatch;
  return RecordError::kNone;
}

}  // namespace

const char* to_string(RecordError error) {
  switch (error) {
    case RecordError::kNone:
      return "none";
    case RecordError::kTruncated:
      return "record truncated";
    case RecordError::kBadVarint:
      return "malformed varint";
    case RecordError::kBadLength:
      return "negative length";
    case RecordError::kBadHeaderCount:
      return "negative header count";
    case RecordError::kSizeMismatch:
      return "record fields do not match record length";
    case RecordError::kCountMismatch:
      return "record count does not match batch header";
    case RecordError::kDecompressFailed:
      return "decompression failed";
    case RecordError::kDecompressedTooLarge:
      return "records decompress to more than the allowed maximum";
    case RecordError::kBadOffsetDelta:
      return "record offset delta is not its index in the batch";
  }
  return "unknown";
}

RecordError decode_record(std::span<const uint8_t> data, RecordView& out, size_t& consumed) {
  ByteReader reader(data);
  int32_t length = 0;
  if (!reader.read_varint(length)) return failure_of(reader);
  if (length < 0) return RecordError::kBadLength;
  std::span<const uint8_t> body;
  if (!reader.read_bytes(static_cast<size_t>(length), body)) return failure_of(reader);
  consumed = reader.position();
  return decode_body(body, out);
}

HeaderIterator::HeaderIterator(const RecordView& record)
    : rest_(record.headers), remaining_(record.header_count) {}

bool HeaderIterator::next(HeaderView& out) {
  if (remaining_ <= 0) return false;
  ByteReader reader(rest_);
  int32_t key_length = 0;
  bool ok = reader.read_varint(key_length) && key_length >= 0 &&
            reader.read_bytes(static_cast<size_t>(key_length), out.key) &&
            reader.read_nullable_bytes(out.value);
  EDDY_ASSERT_MSG(ok, "headers are validated when the record is decoded");
  rest_ = rest_.subspan(reader.position());
  --remaining_;
  return true;
}

bool RecordIterator::fail(RecordError error) {
  error_ = error;
  return false;
}

bool RecordIterator::next(RecordView& out) {
  if (error_ != RecordError::kNone) return false;
  bool region_done = position_ == region_.size();
  if (records_read_ == expected_count_) {
    return region_done ? false : fail(RecordError::kCountMismatch);
  }
  if (region_done) return fail(RecordError::kCountMismatch);
  size_t consumed = 0;
  RecordError error = decode_record(region_.subspan(position_), out, consumed);
  if (error != RecordError::kNone) return fail(error);
  position_ += consumed;
  ++records_read_;
  return true;
}

RecordError records_region(std::span<const uint8_t> batch, const BatchHeader& header,
                           std::vector<uint8_t>& scratch, size_t max_decompressed_bytes,
                           std::span<const uint8_t>& region) {
  EDDY_ASSERT(batch.size() == header.total_size_bytes());
  std::span<const uint8_t> stored = batch.subspan(kBatchHeaderSize);
  if (header.compression() == compression::Codec::kNone) {
    region = stored;
    return RecordError::kNone;
  }
  auto codec = header.compression();
  if (!compression::decompress(codec, stored, scratch, max_decompressed_bytes)) {
    return RecordError::kDecompressFailed;
  }
  region = scratch;
  return RecordError::kNone;
}

RecordError validate_records(std::span<const uint8_t> batch, const BatchHeader& header,
                             std::vector<uint8_t>& scratch, size_t max_decompressed_bytes) {
  std::span<const uint8_t> region;
  RecordError error = records_region(batch, header, scratch, max_decompressed_bytes, region);
  if (error != RecordError::kNone) return error;
  RecordIterator it(region, header.record_count);
  RecordView record;
  while (it.next(record)) {
  }
  return it.error();
}

}  // namespace eddy::records
