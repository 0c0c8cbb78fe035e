#include "metadata/types.h"

#include <cstring>

#include <openssl/rand.h>

#include "common/assert.h"

namespace eddy::metadata {

bool Uuid::is_zero() const {
  for (uint8_t byte : bytes) {
    if (byte != 0) return false;
  }
  return true;
}

std::string Uuid::to_base64() const {
  return base64url_encode(bytes.data(), bytes.size());
}

Uuid Uuid::random() {
  Uuid id;
  // Kafka ids are random version-4 UUIDs; a zero id is reserved, so draw again on the
  // astronomically unlikely zero.
  do {
    EDDY_ASSERT(RAND_bytes(id.bytes.data(), static_cast<int>(id.bytes.size())) == 1);
    id.bytes[6] = static_cast<uint8_t>((id.bytes[6] & 0x0f) | 0x40);
    id.bytes[8] = static_cast<uint8_t>((id.bytes[8] & 0x3f) | 0x80);
  } while (id.is_zero());
  return id;
}

size_t UuidHash::operator()(const Uuid& id) const {
  uint64_t high = 0;
  uint64_t low = 0;
  std::memcpy(&high, id.bytes.data(), 8);
  std::memcpy(&low, id.bytes.data() + 8, 8);
  return std::hash<uint64_t>{}(high ^ (low * 0x9e3779b97f4a7c15ULL));
}

std::string base64url_encode(const uint8_t* data, size_t size_bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((size_bytes * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= size_bytes; i += 3) {
    uint32_t group = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[(group >> shift) & 63]);
  }
  size_t left = size_bytes - i;
  if (left == 1) {
    uint32_t group = uint32_t{data[i]} << 16;
    out.push_back(kAlphabet[(group >> 18) & 63]);
    out.push_back(kAlphabet[(group >> 12) & 63]);
  } else if (left == 2) {
    uint32_t group = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    out.push_back(kAlphabet[(group >> 18) & 63]);
    out.push_back(kAlphabet[(group >> 12) & 63]);
    out.push_back(kAlphabet[(group >> 6) & 63]);
  }
  return out;
}

}  // namespace eddy::metadata
