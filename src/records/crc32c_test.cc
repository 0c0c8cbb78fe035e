#include "records/crc32c.h"

#include <algorithm>
#include <cstring>
#include <random>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace eddy::records {
namespace {

uint32_t crc_of(std::string_view text) {
  return crc32c(0, reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(crc_of(""), 0u);
  EXPECT_EQ(crc_of("123456789"), 0xE3069283u);
  EXPECT_EQ(crc_of("a"), 0xC1D04330u);
  // RFC 3720 (iSCSI) B.4: 32 bytes of zeros and 32 bytes of 0xFF.
  std::vector<uint8_t> zeros(32, 0x00);
  std::vector<uint8_t> ones(32, 0xFF);
  EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);
  EXPECT_EQ(crc32c(ones), 0x62A8AB43u);
  std::vector<uint8_t> ascending(32);
  for (size_t i = 0; i < ascending.size(); ++i) ascending[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
}

TEST(Crc32c, PortableMatchesKnownVector) {
  const char* text = "123456789";
  EXPECT_EQ(crc32c_portable(0, reinterpret_cast<const uint8_t*>(text), 9), 0xE3069283u);
}

TEST(Crc32c, IncrementalEqualsOneShot) {
  const std::string_view text = "The quick brown fox jumps over the lazy dog";
  auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  for (size_t split = 0; split <= text.size(); ++split) {
    uint32_t crc = crc32c(0, bytes, split);
    crc = crc32c(crc, bytes + split, text.size() - split);
    EXPECT_EQ(crc, crc_of(text)) << "split at " << split;
  }
}

TEST(Crc32c, HardwareMatchesPortableOnRandomData) {
  std::mt19937_64 random(42);
  std::vector<uint8_t> data(4099);
  for (auto& byte : data) byte = static_cast<uint8_t>(random());
  // Every length and misalignment up to a few words, then larger sizes.
  for (size_t start = 0; start < 9; ++start) {
    for (size_t size = 0; size < 40; ++size) {
      EXPECT_EQ(crc32c(0, data.data() + start, size),
                crc32c_portable(0, data.data() + start, size));
    }
  }
  EXPECT_EQ(crc32c(7, data.data(), data.size()), crc32c_portable(7, data.data(), data.size()));
}

std::vector<uint8_t> random_bytes(size_t size, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<uint8_t> data(size);
  for (auto& byte : data) byte = static_cast<uint8_t>(random());
  return data;
}

// Counts mismatches instead of one EXPECT per length, so a broken combine reports briefly.
TEST(Crc32c, EveryLengthUpTo4096MatchesPortable) {
  constexpr size_t kMaxSize = 4096;
  const auto data = random_bytes(kMaxSize + 8, 1);
  for (size_t start : {0, 1, 5}) {
    size_t mismatches = 0;
    size_t first_mismatch = 0;
    for (size_t size = 0; size <= kMaxSize; ++size) {
      const uint32_t initial = static_cast<uint32_t>(size * 0x9E3779B9u);
      const uint8_t* bytes = data.data() + start;
      if (crc32c(initial, bytes, size) != crc32c_portable(initial, bytes, size)) {
        if (mismatches++ == 0) first_mismatch = size;
      }
    }
    EXPECT_EQ(mismatches, 0u) << "start " << start << ", first bad size " << first_mismatch;
  }
}

TEST(Crc32c, LargeLengthsMatchPortableAtEveryMisalignment) {
  // Around the chunk sizes of the interleaved path (3 lanes of 64, 512 and 4096 bytes), then a
  // few MB with odd tails.
  const std::vector<size_t> sizes = {191,   192,         193,     1535,       1536,
                                     1537,  12287,       12288,   12289,      12288 + 1536,
                                     16384, 65536 + 200, 1000003, (1u << 20), (3u << 20) + 7};
  const auto data = random_bytes((3u << 20) + 16, 2);
  for (size_t size : sizes) {
    for (size_t start = 0; start < 8; ++start) {
      const uint8_t* bytes = data.data() + start;
      EXPECT_EQ(crc32c(0, bytes, size), crc32c_portable(0, bytes, size))
          << "size " << size << ", start " << start;
      EXPECT_EQ(crc32c(0xDEADBEEFu, bytes, size), crc32c_portable(0xDEADBEEFu, bytes, size))
          << "size " << size << ", start " << start;
    }
  }
}

TEST(Crc32c, SplittingAtRandomPointsGivesTheOneShotValue) {
  const auto data = random_bytes(200000, 3);
  const uint32_t expected = crc32c_portable(0, data.data(), data.size());
  EXPECT_EQ(crc32c(0, data.data(), data.size()), expected);
  std::mt19937_64 random(4);
  for (int round = 0; round < 50; ++round) {
    uint32_t crc = 0;
    size_t offset = 0;
    while (offset < data.size()) {
      // Pieces from a few bytes to tens of KB, so every path of crc32c() is entered mid-stream.
      const size_t max_piece = size_t{1} << (random() % 16);
      const size_t piece = std::min<size_t>(random() % (max_piece + 1), data.size() - offset);
      crc = crc32c(crc, data.data() + offset, piece);
      offset += piece;
    }
    EXPECT_EQ(crc, expected) << "round " << round;
  }
}

TEST(Crc32c, SingleChainMatchesPortable) {
  const auto data = random_bytes(70000, 5);
  for (size_t size : {0, 1, 7, 8, 9, 64, 1000, 70000}) {
    EXPECT_EQ(crc32c_single_chain(3, data.data(), size), crc32c_portable(3, data.data(), size));
  }
}

}  // namespace
}  // namespace eddy::records
