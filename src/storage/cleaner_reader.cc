#include "storage/cleaner_reader.h"

#include <algorithm>
#include <cstring>

#include "common/log.h"
#include "records/byte_order.h"

namespace eddy::storage {

CleanerReader::CleanerReader(const Segment& segment, std::vector<uint8_t>& buffer,
                             size_t chunk_bytes, size_t max_batch_bytes)
    : file_(segment.file()),
      buffer_(buffer),
      chunk_bytes_(chunk_bytes),
      max_batch_bytes_(std::max(max_batch_bytes, chunk_bytes)),
      end_position_(segment.size_bytes()) {
  if (buffer_.size() < chunk_bytes_) buffer_.resize(chunk_bytes_);
  if (file_ == nullptr) error_ = Error::kStorageError;  // logged by the failed open
}

bool CleanerReader::fill(size_t wanted) {
  if (buffered_ - cursor_ >= wanted) return true;
  // Keep the partial batch: move it to the front, then read behind it.
  size_t kept = buffered_ - cursor_;
  std::memmove(buffer_.data(), buffer_.data() + cursor_, kept);
  buffer_position_ += static_cast<int64_t>(cursor_);
  cursor_ = 0;
  buffered_ = kept;
  if (wanted > buffer_.size()) buffer_.resize(wanted);
  int64_t file_left = end_position_ - (buffer_position_ + static_cast<int64_t>(buffered_));
  size_t room = buffer_.size() - buffered_;
  auto to_read = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(room), file_left));
  if (to_read > 0) {
    if (!pread_all(file_->fd(), buffer_.data() + buffered_, to_read,
                   buffer_position_ + static_cast<int64_t>(buffered_))) {
      spdlog::error("cleaner: cannot read {}", file_->path().string());
      error_ = Error::kStorageError;
      return false;
    }
    buffered_ += to_read;
    bytes_read_ += static_cast<int64_t>(to_read);
  }
  return buffered_ >= wanted;
}

bool CleanerReader::next(std::span<const uint8_t>& batch, records::BatchHeader& header) {
  if (error_ != Error::kNone) return false;
  int64_t position = buffer_position_ + static_cast<int64_t>(cursor_);
  if (position >= end_position_) return false;
  if (!fill(records::kBatchHeaderSize)) {
    if (error_ == Error::kNone) error_ = Error::kCorruptMessage;
    return false;
  }
  auto length = records::load_be<int32_t>(buffer_.data() + cursor_ + records::kBatchLengthOffset);
  auto total = static_cast<int64_t>(records::kBatchLengthFieldEnd) + length;
  if (length < records::kMinBatchLength || total > static_cast<int64_t>(max_batch_bytes_) ||
      position + total > end_position_) {
    spdlog::error("cleaner: bad batch length {} at byte {} of {}", length, position,
                  file_->path().string());
    error_ = Error::kCorruptMessage;
    return false;
  }
  if (!fill(static_cast<size_t>(total))) {
    if (error_ == Error::kNone) error_ = Error::kCorruptMessage;
    return false;
  }
  std::span<const uint8_t> bytes(buffer_.data() + cursor_, static_cast<size_t>(total));
  if (records::parse_batch_header(bytes, header) != records::BatchError::kNone ||
      !records::verify_batch_crc(bytes)) {
    spdlog::error("cleaner: corrupt batch at byte {} of {}", position, file_->path().string());
    error_ = Error::kCorruptMessage;
    return false;
  }
  batch = bytes;
  cursor_ += static_cast<size_t>(total);
  return true;
}

}  // namespace eddy::storage
