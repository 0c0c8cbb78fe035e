#include "compression/compression.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace eddy::compression {
namespace {

constexpr size_t kMiB = 1024 * 1024;
constexpr Codec kAllCodecs[] = {Codec::kNone, Codec::kGzip, Codec::kSnappy, Codec::kLz4,
                                Codec::kZstd};
constexpr Codec kRealCodecs[] = {Codec::kGzip, Codec::kSnappy, Codec::kLz4, Codec::kZstd};

std::vector<uint8_t> random_bytes(size_t size, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<uint8_t> bytes(size);
  for (auto& byte : bytes) byte = static_cast<uint8_t>(random());
  return bytes;
}

std::vector<uint8_t> compressible_bytes(size_t size) {
  const std::string line = "{\"user\":42,\"event\":\"click\",\"page\":\"/home\"}\n";
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(line[i % line.size()]);
  return bytes;
}

std::vector<uint8_t> bytes_of(std::string_view text) {
  return {text.begin(), text.end()};
}

std::string codec_name(const ::testing::TestParamInfo<Codec>& param_info) {
  return to_string(param_info.param);
}

class CodecTest : public ::testing::TestWithParam<Codec> {};

TEST_P(CodecTest, RoundTripsSeveralSizes) {
  std::vector<std::vector<uint8_t>> inputs = {
      {}, {0x7F}, random_bytes(kMiB, 1), compressible_bytes(kMiB), random_bytes(100003, 2)};
  for (const auto& input : inputs) {
    std::vector<uint8_t> compressed;
    ASSERT_TRUE(compress(GetParam(), input, compressed)) << input.size();
    std::vector<uint8_t> restored = {1, 2, 3};  // stale content must be replaced
    ASSERT_TRUE(decompress(GetParam(), compressed, restored, input.size())) << input.size();
    EXPECT_EQ(restored, input) << input.size();
  }
}

TEST_P(CodecTest, OutputOverTheLimitFails) {
  auto input = compressible_bytes(kMiB);
  std::vector<uint8_t> compressed;
  ASSERT_TRUE(compress(GetParam(), input, compressed));
  std::vector<uint8_t> restored;
  EXPECT_FALSE(decompress(GetParam(), compressed, restored, input.size() - 1));
  EXPECT_LE(restored.capacity(), 2 * kMiB);
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecTest, ::testing::ValuesIn(kAllCodecs), codec_name);

class RealCodecTest : public ::testing::TestWithParam<Codec> {};

TEST_P(RealCodecTest, CompressesRepetitiveData) {
  auto input = compressible_bytes(kMiB);
  std::vector<uint8_t> compressed;
  ASSERT_TRUE(compress(GetParam(), input, compressed));
  EXPECT_LT(compressed.size(), input.size() / 10);
}

TEST_P(RealCodecTest, BombStopsAtTheLimit) {
  // 32 MiB of zeros compresses to very little; a 1 MiB limit must stop it early.
  std::vector<uint8_t> zeros(32 * kMiB, 0);
  std::vector<uint8_t> bomb;
  ASSERT_TRUE(compress(GetParam(), zeros, bomb));
  zeros = {};
  std::vector<uint8_t> restored;
  EXPECT_FALSE(decompress(GetParam(), bomb, restored, kMiB));
  EXPECT_LE(restored.size(), kMiB + 1);
}

TEST_P(RealCodecTest, CorruptInputFails) {
  auto input = random_bytes(50000, 3);
  std::vector<uint8_t> compressed;
  ASSERT_TRUE(compress(GetParam(), input, compressed));
  std::vector<uint8_t> restored;
  // Truncated at several points, including just the first byte and all but the last.
  for (size_t size : {size_t{0}, size_t{1}, compressed.size() / 2, compressed.size() - 1}) {
    std::vector<uint8_t> truncated(compressed.begin(), compressed.begin() + size);
    EXPECT_FALSE(decompress(GetParam(), truncated, restored, kMiB)) << size;
  }
  // Garbage that is not a frame of this codec.
  EXPECT_FALSE(decompress(GetParam(), bytes_of("this is not compressed data"), restored, kMiB));
}

TEST_P(RealCodecTest, RandomGarbageNeverCrashes) {
  std::vector<uint8_t> restored;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    auto garbage = random_bytes(seed * 7, seed);
    (void)decompress(GetParam(), garbage, restored, 64 * 1024);
    EXPECT_LE(restored.size(), 64 * 1024 + 1);
  }
}

INSTANTIATE_TEST_SUITE_P(RealCodecs, RealCodecTest, ::testing::ValuesIn(kRealCodecs), codec_name);

// Known-good frames produced by the command-line tools (`gzip -n -9`, `lz4`, `zstd` reading
// stdin, so without a content size) from this text:
constexpr std::string_view kKnownText =
    "Eddy speaks Kafka. Eddy speaks Kafka. Eddy speaks Kafka.\n";

void expect_decodes_to(Codec codec, const std::vector<uint8_t>& frame, std::string_view text) {
  std::vector<uint8_t> restored;
  ASSERT_TRUE(decompress(codec, frame, restored, kMiB));
  EXPECT_EQ(std::string(restored.begin(), restored.end()), text);
}

TEST(KnownFrames, Gzip) {
  expect_decodes_to(Codec::kGzip, {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x73,
                                   0x4d, 0x49, 0xa9, 0x54, 0x28, 0x2e, 0x48, 0x4d, 0xcc, 0x2e, 0x56,
                                   0xf0, 0x4e, 0x4c, 0xcb, 0x4e, 0xd4, 0x53, 0x70, 0x25, 0x46, 0x88,
                                   0x0b, 0x00, 0xfa, 0x6b, 0x81, 0xeb, 0x39, 0x00, 0x00, 0x00},
                    kKnownText);
}

TEST(KnownFrames, Lz4) {
  expect_decodes_to(Codec::kLz4,
                    {0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7, 0x1e, 0x00, 0x00, 0x00, 0xff, 0x04,
                     0x45, 0x64, 0x64, 0x79, 0x20, 0x73, 0x70, 0x65, 0x61, 0x6b, 0x73, 0x20, 0x4b,
                     0x61, 0x66, 0x6b, 0x61, 0x2e, 0x20, 0x13, 0x00, 0x0e, 0x50, 0x66, 0x6b, 0x61,
                     0x2e, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x16, 0x3e, 0x63, 0x6a},
                    kKnownText);
}

TEST(KnownFrames, ZstdWithoutContentSize) {
  expect_decodes_to(Codec::kZstd,
                    {0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58, 0xd5, 0x00, 0x00, 0xa0, 0x45, 0x64, 0x64,
                     0x79, 0x20, 0x73, 0x70, 0x65, 0x61, 0x6b, 0x73, 0x20, 0x4b, 0x61, 0x66, 0x6b,
                     0x61, 0x2e, 0x20, 0x0a, 0x01, 0x00, 0xd9, 0x33, 0xc3, 0xe0, 0x03, 0xba, 0xf6},
                    kKnownText);
}

// No snappy command-line tool is installed, so these blocks are hand-encoded from the snappy
// format: varint uncompressed length, literal tag ((len-1) << 2), copy-1 tag
// (((len-4) << 2) | 1, then the offset byte).
const std::vector<uint8_t> kRawSnappyAbc = {0x0c, 0x08, 'a', 'b', 'c', 0x15, 0x03};

TEST(KnownFrames, SnappyRawBlock) {
  expect_decodes_to(Codec::kSnappy, kRawSnappyAbc, "abcabcabcabc");
}

TEST(KnownFrames, SnappyXerialTwoChunks) {
  std::vector<uint8_t> frame = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00, 0,
                                0,    0,   1,   0,   0,   0,   1,  // version, compatible version
                                0,    0,   0,   7};                // first chunk length
  frame.insert(frame.end(), kRawSnappyAbc.begin(), kRawSnappyAbc.end());
  const std::vector<uint8_t> second_chunk = {0, 0, 0, 4, 0x02, 0x04, 'x', 'y'};
  frame.insert(frame.end(), second_chunk.begin(), second_chunk.end());
  expect_decodes_to(Codec::kSnappy, frame, "abcabcabcabcxy");
}

TEST(KnownFrames, SnappyWritesXerialHeader) {
  std::vector<uint8_t> compressed;
  ASSERT_TRUE(compress(Codec::kSnappy, bytes_of("abc"), compressed));
  const std::vector<uint8_t> header = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00,
                                       0,    0,   0,   1,   0,   0,   0,   1};
  ASSERT_GE(compressed.size(), header.size() + 4);
  EXPECT_TRUE(std::equal(header.begin(), header.end(), compressed.begin()));
}

TEST(KnownFrames, SnappyXerialChunkLengthPastEndFails) {
  std::vector<uint8_t> frame = {0x82, 'S', 'N', 'A', 'P', 'P',  'Y',  0x00, 0,    0,    0,
                                1,    0,   0,   0,   1,   0xFF, 0xFF, 0xFF, 0xFF, 0x0c, 0x08};
  std::vector<uint8_t> restored;
  EXPECT_FALSE(decompress(Codec::kSnappy, frame, restored, kMiB));
}

TEST(KnownFrames, SnappyRawBlockAnnouncingHugeLengthFailsBeforeAllocating) {
  // Varint length 0xFFFFFFFF (4 GiB) followed by a one-byte literal.
  const std::vector<uint8_t> block = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 'a'};
  std::vector<uint8_t> restored;
  EXPECT_FALSE(decompress(Codec::kSnappy, block, restored, kMiB));
  EXPECT_LE(restored.capacity(), kMiB);
}

TEST(KnownFrames, GzipConcatenatedMembersDecodeAsOne) {
  std::vector<uint8_t> first, second;
  ASSERT_TRUE(compress(Codec::kGzip, bytes_of("hello "), first));
  ASSERT_TRUE(compress(Codec::kGzip, bytes_of("world"), second));
  first.insert(first.end(), second.begin(), second.end());
  expect_decodes_to(Codec::kGzip, first, "hello world");
}

TEST(Limits, ExactLimitSucceeds) {
  auto input = compressible_bytes(200000);
  for (Codec codec : kAllCodecs) {
    std::vector<uint8_t> compressed, restored;
    ASSERT_TRUE(compress(codec, input, compressed));
    EXPECT_TRUE(decompress(codec, compressed, restored, input.size())) << to_string(codec);
    EXPECT_EQ(restored, input);
  }
}

}  // namespace
}  // namespace eddy::compression
