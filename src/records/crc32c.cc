#include "records/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace eddy::records {
namespace {

constexpr uint32_t kReflectedPolynomial = 0x82F63B78u;

constexpr std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t value = i;
    for (int bit = 0; bit < 8; ++bit) {
      value = (value & 1u) ? (value >> 1) ^ kReflectedPolynomial : value >> 1;
    }
    table[i] = value;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = make_table();

// Why the three-way interleave is correct
// ---------------------------------------
// Let S be the raw 32-bit CRC register: the value the crc32 instruction reads and writes (the
// public `crc` is ~S; the inversions happen only on entry and exit). Feeding bytes M to S gives
// feed(S, M). One byte b does S' = kTable[(S ^ b) & 0xFF] ^ (S >> 8), and kTable is linear over
// GF(2) (kTable[x ^ y] == kTable[x] ^ kTable[y]), so feed(S, M) is linear in the pair (S, M):
//   feed(S, M) = feed(S, zeros(|M|)) ^ feed(0, M) = Z_|M|(S) ^ feed(0, M),
// where Z_n ("advance the register over n zero bytes") is a linear map on 32 bits. Hence
//   feed(S, A || B) = feed(feed(S, A), B) = Z_|B|(feed(S, A)) ^ feed(0, B),
// and for three adjacent lanes of n bytes each
//   feed(S, A || B || C) = Z_n(Z_n(feed(S, A)) ^ feed(0, B)) ^ feed(0, C).
// The three feed() calls are independent dependency chains, so the CPU overlaps them and hides
// the instruction's 3-cycle latency. Z_n is linear, so it is the XOR of its values on the four
// bytes of S taken separately: four 256-entry tables per lane length, built at compile time from
// the images of the 32 single bits, which come from squaring the one-zero-byte map.

// A GF(2)-linear map on CRC registers, stored as the images of the 32 single-bit registers.
struct LinearMap {
  std::array<uint32_t, 32> bit_images{};
};

constexpr uint32_t apply(const LinearMap& map, uint32_t value) {
  uint32_t result = 0;
  for (int bit = 0; bit < 32; ++bit) {
    if ((value >> bit) & 1u) result ^= map.bit_images[bit];
  }
  return result;
}

constexpr LinearMap compose(const LinearMap& outer, const LinearMap& inner) {
  LinearMap result;
  for (int bit = 0; bit < 32; ++bit) result.bit_images[bit] = apply(outer, inner.bit_images[bit]);
  return result;
}

// Z_count: advance the register over `count` zero bytes (binary exponentiation of Z_1).
constexpr LinearMap zero_bytes_map(size_t count) {
  LinearMap power;  // Z_1, then Z_2, Z_4, ...
  LinearMap result;
  for (int bit = 0; bit < 32; ++bit) {
    const uint32_t single = 1u << bit;
    power.bit_images[bit] = kTable[single & 0xFFu] ^ (single >> 8);
    result.bit_images[bit] = single;  // identity
  }
  for (; count > 0; count >>= 1) {
    if (count & 1u) result = compose(power, result);
    power = compose(power, power);
  }
  return result;
}

using ShiftTables = std::array<std::array<uint32_t, 256>, 4>;

constexpr ShiftTables make_shift_tables(size_t zero_bytes) {
  const LinearMap map = zero_bytes_map(zero_bytes);
  ShiftTables tables{};
  for (uint32_t byte_index = 0; byte_index < 4; ++byte_index) {
    for (uint32_t value = 0; value < 256; ++value) {
      tables[byte_index][value] = apply(map, value << (8 * byte_index));
    }
  }
  return tables;
}

// Z_kLaneBytes as byte-indexed tables.
template <size_t kLaneBytes>
constexpr ShiftTables kShiftOverLane = make_shift_tables(kLaneBytes);

inline uint32_t shift(const ShiftTables& tables, uint32_t state) {
  return tables[0][state & 0xFFu] ^ tables[1][(state >> 8) & 0xFFu] ^
         tables[2][(state >> 16) & 0xFFu] ^ tables[3][state >> 24];
}

#if defined(__x86_64__)
inline uint64_t load_u64(const uint8_t* data) {
  uint64_t word;
  std::memcpy(&word, data, sizeof(word));  // unaligned-safe load
  return word;
}

// Feeds the raw register over data[0, size) with one dependent chain of crc32 instructions.
__attribute__((target("sse4.2"))) uint32_t feed_single_chain(uint32_t state, const uint8_t* data,
                                                             size_t size) {
  uint64_t state64 = state;
  for (; size >= 8; data += 8, size -= 8) state64 = _mm_crc32_u64(state64, load_u64(data));
  auto state32 = static_cast<uint32_t>(state64);
  for (; size > 0; ++data, --size) state32 = _mm_crc32_u8(state32, *data);
  return state32;
}

// Feeds the raw register over as many whole chunks of three kLaneBytes lanes as `size` holds,
// advancing `data` and `size` past them.
template <size_t kLaneBytes>
__attribute__((target("sse4.2"))) uint32_t feed_three_lanes(uint32_t state, const uint8_t*& data,
                                                            size_t& size) {
  static_assert(kLaneBytes % 8 == 0 && kLaneBytes > 0);
  constexpr size_t kChunkBytes = 3 * kLaneBytes;
  for (; size >= kChunkBytes; data += kChunkBytes, size -= kChunkBytes) {
    uint64_t lane_a = state;
    uint64_t lane_b = 0;
    uint64_t lane_c = 0;
    for (size_t offset = 0; offset < kLaneBytes; offset += 8) {
      lane_a = _mm_crc32_u64(lane_a, load_u64(data + offset));
      lane_b = _mm_crc32_u64(lane_b, load_u64(data + kLaneBytes + offset));
      lane_c = _mm_crc32_u64(lane_c, load_u64(data + 2 * kLaneBytes + offset));
    }
    const ShiftTables& over_lane = kShiftOverLane<kLaneBytes>;
    const uint32_t after_b =
        shift(over_lane, static_cast<uint32_t>(lane_a)) ^ static_cast<uint32_t>(lane_b);
    state = shift(over_lane, after_b) ^ static_cast<uint32_t>(lane_c);
  }
  return state;
}

// Lane lengths: the large one keeps the combine cost (two table shifts) near 1% of a chunk; the
// smaller ones let buffers of a few hundred bytes to a few KB use three chains too. Buffers
// under 3 * kSmallLaneBytes take the single chain, where the combine would not pay off.
constexpr size_t kLargeLaneBytes = 4096;
constexpr size_t kMediumLaneBytes = 512;
constexpr size_t kSmallLaneBytes = 64;

__attribute__((target("sse4.2"))) uint32_t crc32c_sse42(uint32_t crc, const uint8_t* data,
                                                        size_t size) {
  uint32_t state = ~crc;
  state = feed_three_lanes<kLargeLaneBytes>(state, data, size);
  state = feed_three_lanes<kMediumLaneBytes>(state, data, size);
  state = feed_three_lanes<kSmallLaneBytes>(state, data, size);
  return ~feed_single_chain(state, data, size);
}

bool detect_sse42() {
  __builtin_cpu_init();  // needed because this runs during static initialisation
  return __builtin_cpu_supports("sse4.2");
}
#else
bool detect_sse42() {
  return false;
}
#endif

const bool kHasSse42 = detect_sse42();

}  // namespace

uint32_t crc32c_portable(uint32_t crc, const uint8_t* data, size_t size) {
  uint32_t state = ~crc;
  for (size_t i = 0; i < size; ++i) {
    state = kTable[(state ^ data[i]) & 0xFFu] ^ (state >> 8);
  }
  return ~state;
}

uint32_t crc32c_single_chain(uint32_t crc, const uint8_t* data, size_t size) {
#if defined(__x86_64__)
  if (kHasSse42) return ~feed_single_chain(~crc, data, size);
#endif
  return crc32c_portable(crc, data, size);
}

bool crc32c_uses_hardware() {
  return kHasSse42;
}

uint32_t crc32c(uint32_t crc, const uint8_t* data, size_t size) {
#if defined(__x86_64__)
  if (kHasSse42) return crc32c_sse42(crc, data, size);
#endif
  return crc32c_portable(crc, data, size);
}

}  // namespace eddy::records
