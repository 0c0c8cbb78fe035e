#include "records/varint.h"

namespace eddy::records {
namespace {

uint64_t zigzag_encode(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}

int64_t zigzag_decode(uint64_t raw) {
  return static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1);
}

size_t unsigned_size(uint64_t raw) {
  size_t size = 1;
  while (raw >= 0x80) {
    raw >>= 7;
    ++size;
  }
  return size;
}

void append_unsigned(std::vector<uint8_t>& out, uint64_t raw) {
  while (raw >= 0x80) {
    out.push_back(static_cast<uint8_t>(raw | 0x80));
    raw >>= 7;
  }
  out.push_back(static_cast<uint8_t>(raw));
}

}  // namespace

bool ByteReader::read_unsigned(size_t max_bytes, uint64_t& out) {
  uint64_t raw = 0;
  for (size_t i = 0; i < max_bytes; ++i) {
    if (position_ >= data_.size()) return fail(Failure::kEndOfData);
    uint8_t byte = data_[position_++];
    raw |= uint64_t{byte & 0x7Fu} << (7 * i);
    if ((byte & 0x80) == 0) {
      out = raw;
      return true;
    }
  }
  return fail(Failure::kVarintTooLong);  // continuation bit still set at the maximum length
}

bool ByteReader::read_varint(int32_t& out) {
  uint64_t raw = 0;
  if (!read_unsigned(kMaxVarintBytes, raw)) return false;
  // Bits beyond 32 are dropped, as Kafka's reader does.
  out = static_cast<int32_t>(zigzag_decode(static_cast<uint32_t>(raw)));
  return true;
}

bool ByteReader::read_varlong(int64_t& out) {
  uint64_t raw = 0;
  if (!read_unsigned(kMaxVarlongBytes, raw)) return false;
  out = zigzag_decode(raw);
  return true;
}

bool ByteReader::read_int8(int8_t& out) {
  if (remaining() < 1) return fail(Failure::kEndOfData);
  out = static_cast<int8_t>(data_[position_++]);
  return true;
}

bool ByteReader::read_bytes(size_t size, std::span<const uint8_t>& out) {
  if (remaining() < size) return fail(Failure::kEndOfData);
  out = data_.subspan(position_, size);
  position_ += size;
  return true;
}

bool ByteReader::read_nullable_bytes(std::optional<std::span<const uint8_t>>& out) {
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

size_t varint_size(int32_t value) {
  return unsigned_size(static_cast<uint32_t>(zigzag_encode(value)));
}
size_t varlong_size(int64_t value) {
  return unsigned_size(zigzag_encode(value));
}

void append_varint(std::vector<uint8_t>& out, int32_t value) {
  append_unsigned(out, static_cast<uint32_t>(zigzag_encode(value)));
}
void append_varlong(std::vector<uint8_t>& out, int64_t value) {
  append_unsigned(out, zigzag_encode(value));
}

}  // namespace eddy::records
