#include "protocol/reader.h"

#include <bit>
#include <cstring>
#include <utility>

namespace eddy::protocol {
namespace {

template <typename T>
T load_big_endian(const uint8_t* bytes) {
  using Unsigned = std::make_unsigned_t<T>;
  Unsigned value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) value = static_cast<Unsigned>((value << 8) | bytes[i]);
  return static_cast<T>(value);
}

}  // namespace

Reader::Reader(const uint8_t* data, size_t size) : data_(data), size_(data ? size : 0) {}

Reader::Reader(const uint8_t* data, size_t size, std::shared_ptr<const void> keep_alive)
    : data_(data), size_(data ? size : 0), keep_alive_(std::move(keep_alive)) {}

void Reader::fail() {
  ok_ = false;
  position_ = size_;
}

bool Reader::take(size_t size) {
  if (!ok_ || size > remaining()) {
    fail();
    return false;
  }
  position_ += size;
  return true;
}

int8_t Reader::read_int8() {
  return take(1) ? static_cast<int8_t>(data_[position_ - 1]) : 0;
}

int16_t Reader::read_int16() {
  return take(2) ? load_big_endian<int16_t>(data_ + position_ - 2) : 0;
}

int32_t Reader::read_int32() {
  return take(4) ? load_big_endian<int32_t>(data_ + position_ - 4) : 0;
}

int64_t Reader::read_int64() {
  return take(8) ? load_big_endian<int64_t>(data_ + position_ - 8) : 0;
}

uint16_t Reader::read_uint16() {
  return take(2) ? load_big_endian<uint16_t>(data_ + position_ - 2) : 0;
}

uint32_t Reader::read_uint32() {
  return take(4) ? load_big_endian<uint32_t>(data_ + position_ - 4) : 0;
}

double Reader::read_float64() {
  return std::bit_cast<double>(static_cast<uint64_t>(read_int64()));
}

// Kafka reads any non-zero byte as true.
bool Reader::read_bool() {
  return read_int8() != 0;
}

uint64_t Reader::read_unsigned_varlong(int max_bytes) {
  uint64_t value = 0;
  for (int i = 0; i < max_bytes; ++i) {
    if (!take(1)) return 0;
    const uint8_t byte = data_[position_ - 1];
    value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) return value;
  }
  fail();  // continuation bit still set after the longest legal encoding
  return 0;
}

uint32_t Reader::read_unsigned_varint() {
  const uint64_t value = read_unsigned_varlong(5);
  if (value > UINT32_MAX) {
    fail();
    return 0;
  }
  return static_cast<uint32_t>(value);
}

int32_t Reader::read_varint() {
  const uint32_t raw = read_unsigned_varint();
  return static_cast<int32_t>((raw >> 1) ^ (~(raw & 1) + 1));
}

int64_t Reader::read_varlong() {
  const uint64_t raw = read_unsigned_varlong(10);
  return static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
}

Uuid Reader::read_uuid() {
  Uuid uuid;
  if (take(16)) std::memcpy(uuid.bytes.data(), data_ + position_ - 16, 16);
  return uuid;
}

int64_t Reader::read_length(bool compact, bool wide, bool nullable) {
  int64_t length;
  if (compact) {
    length = static_cast<int64_t>(read_unsigned_varint()) - 1;
  } else {
    length = wide ? read_int32() : read_int16();
  }
  if (!ok_) return 0;
  if (length < -1 || (length == -1 && !nullable) ||
      (length >= 0 && static_cast<uint64_t>(length) > remaining())) {
    fail();
    return 0;
  }
  return length;
}

std::string Reader::read_string(bool compact) {
  const int64_t length = read_length(compact, false, false);
  if (length <= 0) return {};
  take(static_cast<size_t>(length));
  return std::string(reinterpret_cast<const char*>(data_ + position_ - length),
                     static_cast<size_t>(length));
}

std::optional<std::string> Reader::read_nullable_string(bool compact) {
  const int64_t length = read_length(compact, false, true);
  if (length < 0) return std::nullopt;
  take(static_cast<size_t>(length));
  return std::string(reinterpret_cast<const char*>(data_ + position_ - length),
                     static_cast<size_t>(length));
}

std::vector<uint8_t> Reader::read_bytes(bool compact) {
  const int64_t length = read_length(compact, true, false);
  if (length <= 0) return {};
  take(static_cast<size_t>(length));
  return std::vector<uint8_t>(data_ + position_ - length, data_ + position_);
}

std::optional<std::vector<uint8_t>> Reader::read_nullable_bytes(bool compact) {
  const int64_t length = read_length(compact, true, true);
  if (length < 0) return std::nullopt;
  take(static_cast<size_t>(length));
  return std::vector<uint8_t>(data_ + position_ - length, data_ + position_);
}

Records Reader::read_records(bool compact, bool nullable) {
  const int64_t length = read_length(compact, true, nullable);
  if (!ok_) return {};
  if (length < 0) return Records::null();
  take(static_cast<size_t>(length));
  return Records::from_memory(data_ + position_ - length, static_cast<size_t>(length), keep_alive_);
}

int32_t Reader::read_array_length(bool compact, bool nullable, size_t min_element_size) {
  int64_t count;
  if (compact) {
    count = static_cast<int64_t>(read_unsigned_varint()) - 1;
  } else {
    count = read_int32();
  }
  if (!ok_) return 0;
  if (count < -1 || (count == -1 && !nullable) || count > INT32_MAX) {
    fail();
    return 0;
  }
  if (count > 0 && static_cast<uint64_t>(count) * min_element_size > remaining()) {
    fail();
    return 0;
  }
  return static_cast<int32_t>(count);
}

Reader Reader::sub_reader(size_t size) {
  if (!take(size)) {
    Reader failed(nullptr, 0);
    failed.fail();
    return failed;
  }
  return Reader(data_ + position_ - size, size, keep_alive_);
}

std::vector<uint8_t> Reader::read_raw(size_t size) {
  if (!take(size)) return {};
  return std::vector<uint8_t>(data_ + position_ - size, data_ + position_);
}

}  // namespace eddy::protocol
