#include "records/legacy_lz4.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "compression/compression.h"

namespace eddy::records {
namespace {

std::span<const uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

TEST(LegacyLz4, Xxh32KnownValues) {
  // Values liblz4 writes as the content checksum of frames holding these inputs.
  EXPECT_EQ(xxh32({}, 0), 0x02CC5D05u);
  EXPECT_EQ(xxh32(bytes_of("a"), 0), 0x550D7456u);
  EXPECT_EQ(xxh32(bytes_of("abc"), 0), 0x32D153FFu);
  EXPECT_EQ(xxh32(bytes_of(std::string(40, 'x')), 0), 0x39E89D83u);  // 16-byte stripes
}

// liblz4 writes the standard header checksum: recomputing it must give the same byte, for a
// short descriptor and (via a long input) whatever descriptor the library picks.
TEST(LegacyLz4, StandardChecksumMatchesLiblz4) {
  for (const std::string& text : {std::string("hello"), std::string(100000, 'x')}) {
    std::vector<uint8_t> frame;
    ASSERT_TRUE(compression::compress(compression::Codec::kLz4, bytes_of(text), frame));
    const std::vector<uint8_t> original = frame;
    frame[6] ^= 0xFF;
    ASSERT_TRUE(set_lz4_header_checksum(frame, /*broken=*/false));
    EXPECT_EQ(frame, original);
  }
}

TEST(LegacyLz4, BrokenChecksumCoversTheMagicAndRoundTrips) {
  std::vector<uint8_t> frame;
  ASSERT_TRUE(compression::compress(compression::Codec::kLz4, bytes_of("legacy lz4"), frame));
  const std::vector<uint8_t> original = frame;
  ASSERT_TRUE(set_lz4_header_checksum(frame, /*broken=*/true));
  // No content size or dictionary id in our frames: the checksum sits at byte 6.
  EXPECT_EQ(frame[6], static_cast<uint8_t>(xxh32(std::span(original).first(6), 0) >> 8));
  EXPECT_NE(frame[6], original[6]);  // true for this input; the test would be void otherwise
  std::vector<uint8_t> out;
  EXPECT_FALSE(compression::decompress(compression::Codec::kLz4, frame, out, 1 << 20));
  ASSERT_TRUE(set_lz4_header_checksum(frame, /*broken=*/false));
  EXPECT_EQ(frame, original);
}

TEST(LegacyLz4, RefusesWhatIsNotAFrameDescriptor) {
  std::vector<uint8_t> short_frame = {0x04, 0x22, 0x4d, 0x18, 0x60, 0x40};
  EXPECT_FALSE(set_lz4_header_checksum(short_frame, true));
  std::vector<uint8_t> wrong_magic = {0x05, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82, 0x00};
  EXPECT_FALSE(set_lz4_header_checksum(wrong_magic, true));
  // Content size flag announced but the 8 bytes are missing.
  std::vector<uint8_t> missing_size = {0x04, 0x22, 0x4d, 0x18, 0x68, 0x40, 0x00, 0x00};
  EXPECT_FALSE(set_lz4_header_checksum(missing_size, true));
  EXPECT_FALSE(set_lz4_header_checksum({}, false));
}

}  // namespace
}  // namespace eddy::records
