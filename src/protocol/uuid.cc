#include "protocol/uuid.h"

#include <random>

namespace eddy::protocol {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int alphabet_index(char c) {
  const size_t at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

}  // namespace

bool Uuid::is_zero() const {
  for (uint8_t byte : bytes) {
    if (byte != 0) return false;
  }
  return true;
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
  thread_local std::mt19937_64 engine{std::random_device{}()};
  while (true) {
    Uuid uuid;
    const uint64_t high = engine();
    const uint64_t low = engine();
    for (int i = 0; i < 8; ++i) {
      uuid.bytes[i] = static_cast<uint8_t>(high >> (56 - 8 * i));
      uuid.bytes[8 + i] = static_cast<uint8_t>(low >> (56 - 8 * i));
    }
    uuid.bytes[6] = static_cast<uint8_t>((uuid.bytes[6] & 0x0f) | 0x40);  // version 4
    uuid.bytes[8] = static_cast<uint8_t>((uuid.bytes[8] & 0x3f) | 0x80);  // IETF variant
    if (!uuid.is_zero() && uuid.to_string().front() != '-') return uuid;
  }
}

}  // namespace eddy::protocol
