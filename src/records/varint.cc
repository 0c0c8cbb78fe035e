#include "records/varint.h"

namespace eddy::records {
namespace {

uint64_t zigzag_encode(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
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

bool ByteReader::read_unsigned_long(size_t max_bytes, uint64_t& out) {
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
