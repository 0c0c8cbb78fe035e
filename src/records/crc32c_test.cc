#include "records/crc32c.h"

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

}  // namespace
}  // namespace eddy::records
