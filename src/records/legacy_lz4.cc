#include "records/legacy_lz4.h"

#include <bit>
#include <cstring>

namespace eddy::records {
namespace {

constexpr uint32_t kPrime1 = 0x9E3779B1u;
constexpr uint32_t kPrime2 = 0x85EBCA77u;
constexpr uint32_t kPrime3 = 0xC2B2AE3Du;
constexpr uint32_t kPrime4 = 0x27D4EB2Fu;
constexpr uint32_t kPrime5 = 0x165667B1u;
constexpr size_t kStripeBytes = 16;

uint32_t load_le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

uint32_t mix_lane(uint32_t accumulator, uint32_t lane) {
  return std::rotl(accumulator + lane * kPrime2, 13) * kPrime1;
}

uint32_t avalanche(uint32_t hash) {
  hash ^= hash >> 15;
  hash *= kPrime2;
  hash ^= hash >> 13;
  hash *= kPrime3;
  return hash ^ (hash >> 16);
}

// LZ4 frame descriptor: magic (4), FLG, BD, [content size (8)], [dictionary id (4)], HC.
constexpr uint32_t kLz4FrameMagic = 0x184D2204u;
constexpr size_t kFlagOffset = 4;
constexpr uint8_t kContentSizeFlag = 0x08;
constexpr uint8_t kDictionaryIdFlag = 0x01;

}  // namespace

uint32_t xxh32(std::span<const uint8_t> data, uint32_t seed) {
  const uint8_t* p = data.data();
  size_t left = data.size();
  uint32_t hash = seed + kPrime5;
  if (left >= kStripeBytes) {
    uint32_t lanes[4] = {seed + kPrime1 + kPrime2, seed + kPrime2, seed, seed - kPrime1};
    for (; left >= kStripeBytes; left -= kStripeBytes, p += kStripeBytes) {
      for (size_t i = 0; i < 4; ++i) lanes[i] = mix_lane(lanes[i], load_le32(p + 4 * i));
    }
    hash = std::rotl(lanes[0], 1) + std::rotl(lanes[1], 7) + std::rotl(lanes[2], 12) +
           std::rotl(lanes[3], 18);
  }
  hash += static_cast<uint32_t>(data.size());
  for (; left >= 4; left -= 4, p += 4)
    hash = std::rotl(hash + load_le32(p) * kPrime3, 17) * kPrime4;
  for (; left > 0; --left, ++p) hash = std::rotl(hash + *p * kPrime5, 11) * kPrime1;
  return avalanche(hash);
}

bool set_lz4_header_checksum(std::span<uint8_t> frame, bool broken) {
  if (frame.size() <= kFlagOffset + 2 || load_le32(frame.data()) != kLz4FrameMagic) return false;
  const uint8_t flags = frame[kFlagOffset];
  size_t checksum_offset = kFlagOffset + 2;
  if (flags & kContentSizeFlag) checksum_offset += 8;
  if (flags & kDictionaryIdFlag) checksum_offset += 4;
  if (frame.size() <= checksum_offset) return false;
  const size_t start = broken ? 0 : kFlagOffset;
  const uint32_t hash = xxh32(frame.subspan(start, checksum_offset - start), 0);
  frame[checksum_offset] = static_cast<uint8_t>(hash >> 8);
  return true;
}

}  // namespace eddy::records
