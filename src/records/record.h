#pragma once

// Records inside a v2 batch, decoded as views into an uncompressed records region:
//   length varint, attributes int8, timestampDelta varlong, offsetDelta varint,
//   key (varint length, -1 = null), value (same), header count varint,
//   headers: key (varint length, >= 0), value (varint length, -1 = null).
// Every length is checked against the region; hostile input yields a RecordError.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "records/batch_header.h"

namespace eddy::records {

enum class RecordError {
  kNone,
  kTruncated,             // a field runs past its record or the region
  kBadVarint,             // a varint longer than its maximum size
  kBadLength,             // negative record, key, value or header-key length
  kBadHeaderCount,        // negative header count
  kSizeMismatch,          // the record's fields do not fill exactly its declared length
  kCountMismatch,         // the region holds more or fewer records than recordCount
  kDecompressFailed,      // corrupt compressed data, or larger than the allowed maximum
  kDecompressedTooLarge,  // the records decompress to more than the allowed maximum
  kBadOffsetDelta,        // a record's offset delta is not its index in the batch
};

const char* to_string(RecordError error);

struct HeaderView {
  std::span<const uint8_t> key;
  std::optional<std::span<const uint8_t>> value;
};

struct RecordView {
  int8_t attributes = 0;
  int64_t timestamp_delta = 0;
  int32_t offset_delta = 0;
  std::optional<std::span<const uint8_t>> key;
  std::optional<std::span<const uint8_t>> value;
  int32_t header_count = 0;
  std::span<const uint8_t> headers;  // the encoded headers, already validated
};

// Walks the headers of a RecordView that came from RecordIterator (so they are known valid).
class HeaderIterator {
 public:
  explicit HeaderIterator(const RecordView& record);
  bool next(HeaderView& out);

 private:
  std::span<const uint8_t> rest_;
  int32_t remaining_;
};

// Iterates the records of an uncompressed region and checks there are exactly expected_count.
// After next() returns false, error() says whether the region ended cleanly.
class RecordIterator {
 public:
  RecordIterator(std::span<const uint8_t> region, int32_t expected_count)
      : region_(region), expected_count_(expected_count) {}

  bool next(RecordView& out);
  RecordError error() const { return error_; }
  int32_t records_read() const { return records_read_; }

 private:
  bool fail(RecordError error);

  std::span<const uint8_t> region_;
  size_t position_ = 0;
  int32_t expected_count_;
  int32_t records_read_ = 0;
  RecordError error_ = RecordError::kNone;
};

// A record's timestamp: its batch's base timestamp plus its delta, both chosen by the producer,
// so the sum wraps around as Kafka's (Java) long arithmetic does instead of overflowing.
inline int64_t record_timestamp(const BatchHeader& header, const RecordView& record) {
  return static_cast<int64_t>(static_cast<uint64_t>(header.base_timestamp) +
                              static_cast<uint64_t>(record.timestamp_delta));
}

// Decodes one record from the start of `data`; `consumed` is set to its total size.
RecordError decode_record(std::span<const uint8_t> data, RecordView& out, size_t& consumed);

// The uncompressed records region of one whole batch (its header parsed without error, so
// batch.size() == header.total_size_bytes()): the batch's own
// bytes after the header, or, for a compressed batch, its records decompressed into `scratch`
// (at most max_decompressed_bytes).
RecordError records_region(std::span<const uint8_t> batch, const BatchHeader& header,
                           std::vector<uint8_t>& scratch, size_t max_decompressed_bytes,
                           std::span<const uint8_t>& region);

// Decodes every record of a batch to check it is well formed and holds recordCount records.
// `batch` is one whole batch whose header parsed without error.
RecordError validate_records(std::span<const uint8_t> batch, const BatchHeader& header,
                             std::vector<uint8_t>& scratch, size_t max_decompressed_bytes);

}  // namespace eddy::records
