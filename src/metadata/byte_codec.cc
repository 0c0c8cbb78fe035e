#include "metadata/byte_codec.h"

#include <cstring>

#include "common/assert.h"

namespace eddy::metadata {

void ByteWriter::u16(uint16_t value) {
  u8(static_cast<uint8_t>(value >> 8));
  u8(static_cast<uint8_t>(value));
}

void ByteWriter::u32(uint32_t value) {
  u16(static_cast<uint16_t>(value >> 16));
  u16(static_cast<uint16_t>(value));
}

void ByteWriter::u64(uint64_t value) {
  u32(static_cast<uint32_t>(value >> 32));
  u32(static_cast<uint32_t>(value));
}

void ByteWriter::raw(const void* data, size_t size_bytes) {
  const auto* begin = static_cast<const uint8_t*>(data);
  bytes_.insert(bytes_.end(), begin, begin + size_bytes);
}

void ByteWriter::string(std::string_view value) {
  EDDY_ASSERT(value.size() <= UINT16_MAX);
  u16(static_cast<uint16_t>(value.size()));
  raw(value.data(), value.size());
}

void ByteWriter::nullable_string(const std::optional<std::string>& value) {
  if (!value) {
    i16(-1);
    return;
  }
  EDDY_ASSERT(value->size() <= INT16_MAX);
  i16(static_cast<int16_t>(value->size()));
  raw(value->data(), value->size());
}

void ByteWriter::int32_array(const std::vector<int32_t>& values) {
  u32(static_cast<uint32_t>(values.size()));
  for (int32_t value : values) i32(value);
}

void ByteWriter::patch_u32(size_t position, uint32_t value) {
  EDDY_ASSERT(position + 4 <= bytes_.size());
  for (int i = 0; i < 4; ++i) {
    bytes_[position + static_cast<size_t>(i)] = static_cast<uint8_t>(value >> (24 - 8 * i));
  }
}

bool ByteReader::raw(void* out, size_t size_bytes) {
  if (remaining() < size_bytes) return false;
  if (size_bytes > 0) std::memcpy(out, data_ + position_, size_bytes);
  position_ += size_bytes;
  return true;
}

bool ByteReader::u8(uint8_t& out) {
  return raw(&out, 1);
}

bool ByteReader::u16(uint16_t& out) {
  uint8_t b[2];
  if (!raw(b, 2)) return false;
  out = static_cast<uint16_t>((b[0] << 8) | b[1]);
  return true;
}

bool ByteReader::u32(uint32_t& out) {
  uint16_t high = 0;
  uint16_t low = 0;
  if (!u16(high) || !u16(low)) return false;
  out = (static_cast<uint32_t>(high) << 16) | low;
  return true;
}

bool ByteReader::u64(uint64_t& out) {
  uint32_t high = 0;
  uint32_t low = 0;
  if (!u32(high) || !u32(low)) return false;
  out = (static_cast<uint64_t>(high) << 32) | low;
  return true;
}

bool ByteReader::i8(int8_t& out) {
  uint8_t value = 0;
  if (!u8(value)) return false;
  out = static_cast<int8_t>(value);
  return true;
}

bool ByteReader::i16(int16_t& out) {
  uint16_t value = 0;
  if (!u16(value)) return false;
  out = static_cast<int16_t>(value);
  return true;
}

bool ByteReader::i32(int32_t& out) {
  uint32_t value = 0;
  if (!u32(value)) return false;
  out = static_cast<int32_t>(value);
  return true;
}

bool ByteReader::i64(int64_t& out) {
  uint64_t value = 0;
  if (!u64(value)) return false;
  out = static_cast<int64_t>(value);
  return true;
}

bool ByteReader::string(std::string& out) {
  uint16_t length = 0;
  if (!u16(length) || remaining() < length) return false;
  out.assign(reinterpret_cast<const char*>(data_ + position_), length);
  position_ += length;
  return true;
}

bool ByteReader::nullable_string(std::optional<std::string>& out) {
  int16_t length = 0;
  if (!i16(length)) return false;
  if (length == -1) {
    out.reset();
    return true;
  }
  if (length < 0 || remaining() < static_cast<size_t>(length)) return false;
  out.emplace(reinterpret_cast<const char*>(data_ + position_), static_cast<size_t>(length));
  position_ += static_cast<size_t>(length);
  return true;
}

bool ByteReader::int32_array(std::vector<int32_t>& out) {
  uint32_t count = 0;
  // The count is checked against the bytes left before reserving, so a hostile count
  // cannot make us allocate more than the input size.
  if (!u32(count) || remaining() / 4 < count) return false;
  out.clear();
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    int32_t value = 0;
    if (!i32(value)) return false;
    out.push_back(value);
  }
  return true;
}

bool ByteReader::sub_reader(size_t size_bytes, ByteReader& out) {
  if (remaining() < size_bytes) return false;
  out = ByteReader(data_ + position_, size_bytes);
  position_ += size_bytes;
  return true;
}

}  // namespace eddy::metadata
