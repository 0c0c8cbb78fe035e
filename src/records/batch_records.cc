#include "records/batch_records.h"

#include <algorithm>
#include <cstring>

#include "common/assert.h"
#include "records/varint.h"

namespace eddy::records {
namespace {

constexpr size_t kInitialWindowBytes = size_t{64} * 1024;
// A window larger than this after a walk is released rather than kept for the next batch.
constexpr size_t kRetainedWindowBytes = 1u << 20;

}  // namespace

BatchRecordReader::BatchRecordReader(size_t max_decompressed_bytes)
    : max_decompressed_bytes_(max_decompressed_bytes) {
  decompressor_.max_block_bytes = max_decompressed_bytes;
}

void BatchRecordReader::start(std::span<const uint8_t> batch, const BatchHeader& header) {
  EDDY_ASSERT(batch.size() == header.total_size_bytes());
  expected_count_ = header.record_count;
  records_read_ = 0;
  error_ = RecordError::kNone;
  std::span<const uint8_t> stored = batch.subspan(kBatchHeaderSize);
  compressed_ = header.compression() != compression::Codec::kNone;
  if (!compressed_) {
    plain_ = RecordIterator(stored, expected_count_);
    return;
  }
  if (window_.capacity() > kRetainedWindowBytes) window_ = {};
  if (window_.size() < kInitialWindowBytes) window_.resize(kInitialWindowBytes);
  window_begin_ = 0;
  window_end_ = 0;
  decompressor_.start(header.compression(), stored);
}

bool BatchRecordReader::fail(RecordError error) {
  error_ = error;
  return false;
}

bool BatchRecordReader::next(RecordView& out) {
  if (error_ != RecordError::kNone) return false;
  bool found = compressed_ ? next_compressed(out) : plain_.next(out);
  if (!compressed_ && !found) error_ = plain_.error();
  if (!found) return false;
  if (out.offset_delta != records_read_) return fail(RecordError::kBadOffsetDelta);
  ++records_read_;
  return true;
}

// Reads decompressed bytes until the window holds `needed_bytes` from window_begin_ (moving
// what is unread to the front and growing the window when it must). False when the payload
// ends first (error_ untouched), is corrupt, or passes the bound.
bool BatchRecordReader::refill(size_t needed_bytes) {
  if (needed_bytes > max_decompressed_bytes_) return fail(RecordError::kDecompressedTooLarge);
  if (window_begin_ > 0) {
    std::memmove(window_.data(), window_.data() + window_begin_, window_end_ - window_begin_);
    window_end_ -= window_begin_;
    window_begin_ = 0;
  }
  if (window_.size() < needed_bytes) window_.resize(std::max(needed_bytes, window_.size() * 2));
  while (window_end_ < needed_bytes) {
    size_t produced =
        decompressor_.read({window_.data() + window_end_, window_.size() - window_end_});
    window_end_ += produced;
    if (decompressor_.produced_bytes() > max_decompressed_bytes_) {
      return fail(RecordError::kDecompressedTooLarge);
    }
    if (produced == 0) {
      if (decompressor_.state() == compression::StreamDecompressor::State::kCorrupt) {
        return fail(RecordError::kDecompressFailed);
      }
      return false;  // the payload ended
    }
  }
  return true;
}

bool BatchRecordReader::at_end_of_compressed() {
  if (window_begin_ != window_end_) return fail(RecordError::kCountMismatch);
  if (refill(1)) return fail(RecordError::kCountMismatch);  // bytes after the last record
  return false;  // error_ is set when the payload was corrupt or too large
}

bool BatchRecordReader::next_compressed(RecordView& out) {
  if (records_read_ == expected_count_) return at_end_of_compressed();
  while (true) {
    std::span<const uint8_t> available(window_.data() + window_begin_, window_end_ - window_begin_);
    ByteReader reader(available);
    int32_t length = 0;
    if (reader.read_varint(length)) {
      if (length < 0) return fail(RecordError::kBadLength);
      size_t record_bytes = reader.position() + static_cast<size_t>(length);
      if (available.size() >= record_bytes) {
        size_t consumed = 0;
        RecordError error = decode_record(available.first(record_bytes), out, consumed);
        if (error != RecordError::kNone) return fail(error);
        EDDY_ASSERT(consumed == record_bytes);
        window_begin_ += record_bytes;
        return true;
      }
      if (!refill(record_bytes)) {
        return error_ == RecordError::kNone ? fail(RecordError::kTruncated) : false;
      }
      continue;
    }
    if (reader.failure() == ByteReader::Failure::kVarintTooLong) {
      return fail(RecordError::kBadVarint);
    }
    // The length itself is cut by the window's end: read more.
    if (!refill(available.size() + 1)) {
      return error_ == RecordError::kNone ? fail(RecordError::kCountMismatch) : false;
    }
  }
}

}  // namespace eddy::records
