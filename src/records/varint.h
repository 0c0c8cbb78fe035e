#pragma once

// Zig-zag varints as used inside Kafka records (protobuf encoding): varint = int32 in at most
// 5 bytes, varlong = int64 in at most 10 bytes. Reading is bounds-checked and never fails hard.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace eddy::records {

inline constexpr size_t kMaxVarintBytes = 5;
inline constexpr size_t kMaxVarlongBytes = 10;

// A cursor over untrusted bytes; each read returns false when the bytes run out, a varint is
// too long or a length is invalid, and failure() then says which. The reads are inline: the
// produce validation pass decodes every field of every record with them.
class ByteReader {
 public:
  enum class Failure { kNone, kEndOfData, kVarintTooLong, kNegativeLength };

  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  bool read_varint(int32_t& out) {
    uint64_t raw = 0;
    if (!read_unsigned(kMaxVarintBytes, raw)) return false;
    // Bits beyond 32 are dropped, as Kafka's reader does.
    out = static_cast<int32_t>(zigzag_decode(static_cast<uint32_t>(raw)));
    return true;
  }
  bool read_varlong(int64_t& out) {
    uint64_t raw = 0;
    if (!read_unsigned(kMaxVarlongBytes, raw)) return false;
    out = zigzag_decode(raw);
    return true;
  }
  bool read_int8(int8_t& out) {
    if (remaining() < 1) return fail(Failure::kEndOfData);
    out = static_cast<int8_t>(data_[position_++]);
    return true;
  }
  bool read_bytes(size_t size, std::span<const uint8_t>& out) {
    if (remaining() < size) return fail(Failure::kEndOfData);
    out = data_.subspan(position_, size);
    position_ += size;
    return true;
  }
  // A varint length then that many bytes; length -1 means null (std::nullopt), other negative
  // lengths fail.
  bool read_nullable_bytes(std::optional<std::span<const uint8_t>>& out) {
    int32_t length = 0;
    if (!read_varint(length)) return false;
    if (length == -1) {
      out.reset();
      return true;
    }
    if (length < 0) return fail(Failure::kNegativeLength);
    std::span<const uint8_t> bytes;
    if (!read_bytes(static_cast<size_t>(length), bytes)) return false;
    out = bytes;
    return true;
  }

  size_t position() const { return position_; }
  size_t remaining() const { return data_.size() - position_; }
  Failure failure() const { return failure_; }

 private:
  bool read_unsigned(size_t max_bytes, uint64_t& out) {
    // Most fields (lengths, deltas, counts) fit one byte.
    if (position_ < data_.size() && data_[position_] < 0x80) {
      out = data_[position_++];
      return true;
    }
    return read_unsigned_long(max_bytes, out);
  }
  bool read_unsigned_long(size_t max_bytes, uint64_t& out);
  static int64_t zigzag_decode(uint64_t raw) {
    return static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1);
  }
  bool fail(Failure failure) {
    failure_ = failure;
    return false;
  }

  std::span<const uint8_t> data_;
  size_t position_ = 0;
  Failure failure_ = Failure::kNone;
};

size_t varint_size(int32_t value);
size_t varlong_size(int64_t value);
void append_varint(std::vector<uint8_t>& out, int32_t value);
void append_varlong(std::vector<uint8_t>& out, int64_t value);

}  // namespace eddy::records
