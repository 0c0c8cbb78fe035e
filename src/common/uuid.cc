#include "common/uuid.h"

#include <algorithm>
#include <cstring>

#include <sys/random.h>

#include "common/assert.h"

namespace eddy {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int alphabet_index(char c) {
  const size_t at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

}  // namespace

bool Uuid::is_zero() const {
  return std::ranges::all_of(bytes, [](uint8_t byte) { return byte == 0; });
}

std::string Uuid::to_string() const {
  std::string text;
  text.reserve(22);
  uint32_t bits = 0;
  int bit_count = 0;
  for (uint8_t byte : bytes) {
    bits = (bits << 8) | byte;
    bit_count += 8;
    while (bit_count >= 6) {
      bit_count -= 6;
      text.push_back(kAlphabet[(bits >> bit_count) & 0x3f]);
    }
  }
  // 128 bits leave 2 bits over, padded with zeros to a last 6-bit group.
  text.push_back(kAlphabet[(bits << (6 - bit_count)) & 0x3f]);
  return text;
}

std::optional<Uuid> Uuid::from_string(std::string_view text) {
  if (text.size() != 22) return std::nullopt;
  Uuid uuid;
  uint32_t bits = 0;
  int bit_count = 0;
  size_t out = 0;
  for (char c : text) {
    const int value = alphabet_index(c);
    if (value < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(value);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      if (out < uuid.bytes.size()) uuid.bytes[out++] = static_cast<uint8_t>(bits >> bit_count);
    }
  }
  // The 2 leftover bits must be zero, otherwise two texts would name the same UUID.
  if ((bits & ((1u << bit_count) - 1)) != 0) return std::nullopt;
  return uuid;
}

Uuid Uuid::random() {
  while (true) {
    Uuid uuid;
    // 16 bytes from getrandom(2) never come back short (requests up to 256 bytes are whole).
    EDDY_ASSERT(getrandom(uuid.bytes.data(), uuid.bytes.size(), 0) ==
                static_cast<ssize_t>(uuid.bytes.size()));
    uuid.bytes[6] = static_cast<uint8_t>((uuid.bytes[6] & 0x0f) | 0x40);  // version 4
    uuid.bytes[8] = static_cast<uint8_t>((uuid.bytes[8] & 0x3f) | 0x80);  // IETF variant
    if (!uuid.is_zero() && uuid.to_string().front() != '-') return uuid;
  }
}

size_t UuidHash::operator()(const Uuid& id) const {
  uint64_t high = 0;
  uint64_t low = 0;
  std::memcpy(&high, id.bytes.data(), 8);
  std::memcpy(&low, id.bytes.data() + 8, 8);
  return std::hash<uint64_t>{}(high ^ (low * 0x9e3779b97f4a7c15ULL));
}

}  // namespace eddy
