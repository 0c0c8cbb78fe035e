#pragma once

// Big-endian loads and stores at arbitrary (unaligned) positions, as the Kafka wire format uses.
// Callers check bounds first; these helpers only move bytes.

#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace eddy::records {
namespace detail {

template <typename U>
U swap_to_big_endian(U raw) {
  if constexpr (std::endian::native == std::endian::big || sizeof(U) == 1) {
    return raw;
  } else if constexpr (sizeof(U) == 2) {
    return __builtin_bswap16(raw);
  } else if constexpr (sizeof(U) == 4) {
    return __builtin_bswap32(raw);
  } else {
    static_assert(sizeof(U) == 8);
    return __builtin_bswap64(raw);
  }
}

}  // namespace detail

template <typename T>
T load_be(const uint8_t* p) {
  static_assert(std::is_integral_v<T>);
  std::make_unsigned_t<T> raw;
  std::memcpy(&raw, p, sizeof(raw));
  return static_cast<T>(detail::swap_to_big_endian(raw));
}

template <typename T>
void store_be(uint8_t* p, T value) {
  static_assert(std::is_integral_v<T>);
  auto raw = detail::swap_to_big_endian(static_cast<std::make_unsigned_t<T>>(value));
  std::memcpy(p, &raw, sizeof(raw));
}

}  // namespace eddy::records
