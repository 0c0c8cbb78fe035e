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
// too long or a length is invalid, and failure() then says which.
class ByteReader {
 public:
  enum class Failure { kNone, kEndOfData, kVarintTooLong, kNegativeLength };

  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  bool read_varint(int32_t& out);
  bool read_varlong(int64_t& out);
  bool read_int8(int8_t& out);
  bool read_bytes(size_t size, std::span<const uint8_t>& out);
  // A varint length then that many bytes; length -1 means null (std::nullopt), other negative
  // lengths fail.
  bool read_nullable_bytes(std::optional<std::span<const uint8_t>>& out);

  size_t position() const { return position_; }
  size_t remaining() const { return data_.size() - position_; }
  Failure failure() const { return failure_; }

 private:
  bool read_unsigned(size_t max_bytes, uint64_t& out);
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
