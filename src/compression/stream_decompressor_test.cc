// StreamDecompressor: the same bytes as decompress() for every codec, in pieces as small as
// one byte, and a clean refusal of garbage and truncation.

#include "compression/stream_decompressor.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <snappy.h>

#include "compression/compression.h"

namespace eddy::compression {
namespace {

using State = StreamDecompressor::State;

std::vector<uint8_t> sample(size_t size_bytes) {
  std::vector<uint8_t> out(size_bytes);
  for (size_t i = 0; i < size_bytes; ++i) out[i] = static_cast<uint8_t>((i * 7) % 251 + i / 1000);
  return out;
}

// Everything `decompressor` produces from `in`, reading `piece_bytes` at a time.
std::vector<uint8_t> drain(StreamDecompressor& decompressor, Codec codec,
                           std::span<const uint8_t> in, size_t piece_bytes) {
  decompressor.start(codec, in);
  std::vector<uint8_t> out;
  std::vector<uint8_t> piece(piece_bytes);
  while (decompressor.state() == State::kMore) {
    size_t produced = decompressor.read(piece);
    out.insert(out.end(), piece.begin(), piece.begin() + static_cast<ptrdiff_t>(produced));
  }
  return out;
}

class StreamDecompressorTest : public ::testing::TestWithParam<Codec> {};

TEST_P(StreamDecompressorTest, ProducesWhatDecompressProducesInAnyPieceSize) {
  const auto original = sample(300'000);
  std::vector<uint8_t> compressed;
  ASSERT_TRUE(compress(GetParam(), original, compressed));
  StreamDecompressor decompressor;
  for (size_t piece : {1u, 7u, 4096u, 1u << 20}) {
    EXPECT_EQ(drain(decompressor, GetParam(), compressed, piece), original) << piece;
    EXPECT_EQ(decompressor.state(), State::kEnd);
    EXPECT_EQ(decompressor.produced_bytes(), original.size());
  }
}

TEST_P(StreamDecompressorTest, GarbageIsCorrupt) {
  std::vector<uint8_t> garbage(200);
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<uint8_t>(i * 31 + 5);
  StreamDecompressor decompressor;
  drain(decompressor, GetParam(), garbage, 4096);
  EXPECT_EQ(decompressor.state(), State::kCorrupt);
}

TEST_P(StreamDecompressorTest, TruncationIsCorrupt) {
  const auto original = sample(100'000);
  std::vector<uint8_t> compressed;
  ASSERT_TRUE(compress(GetParam(), original, compressed));
  StreamDecompressor decompressor;
  for (size_t cut : {compressed.size() / 2, compressed.size() - 1}) {
    drain(decompressor, GetParam(), std::span(compressed).first(cut), 4096);
    EXPECT_EQ(decompressor.state(), State::kCorrupt) << cut;
  }
}

TEST_P(StreamDecompressorTest, EmptyPayloadIsCorrupt) {
  StreamDecompressor decompressor;
  drain(decompressor, GetParam(), {}, 4096);
  EXPECT_EQ(decompressor.state(), State::kCorrupt);
}

INSTANTIATE_TEST_SUITE_P(Codecs, StreamDecompressorTest,
                         ::testing::Values(Codec::kGzip, Codec::kSnappy, Codec::kLz4, Codec::kZstd),
                         [](const auto& param_info) {
                           return std::string(to_string(param_info.param));
                         });

TEST(StreamDecompressor, ABombStopsAtTheCallersBoundWithoutHoldingIt) {
  const std::vector<uint8_t> zeros(64u << 20, 0);
  std::vector<uint8_t> compressed;
  ASSERT_TRUE(compress(Codec::kZstd, zeros, compressed));
  ASSERT_LT(compressed.size(), 64u * 1024);
  StreamDecompressor decompressor;
  decompressor.start(Codec::kZstd, compressed);
  std::vector<uint8_t> window(size_t{64} * 1024);
  while (decompressor.state() == State::kMore && decompressor.produced_bytes() <= (1u << 20)) {
    decompressor.read(window);
  }
  EXPECT_EQ(decompressor.state(), State::kMore);
  EXPECT_GT(decompressor.produced_bytes(), 1u << 20);
  EXPECT_LE(decompressor.produced_bytes(), (1u << 20) + window.size());
}

// librdkafka sends one raw snappy block, which has no streaming decoder: the block's announced
// size is checked against the bound before anything is allocated.
TEST(StreamDecompressor, SnappyRawBlocksDecodeAndRefuseABlockAboveTheBound) {
  const auto original = sample(200'000);
  std::string raw;
  snappy::Compress(reinterpret_cast<const char*>(original.data()), original.size(), &raw);
  std::span<const uint8_t> block(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
  StreamDecompressor decompressor;
  EXPECT_EQ(drain(decompressor, Codec::kSnappy, block, 999), original);
  EXPECT_EQ(decompressor.state(), State::kEnd);
  decompressor.max_block_bytes = original.size() - 1;
  drain(decompressor, Codec::kSnappy, block, 999);
  EXPECT_EQ(decompressor.state(), State::kCorrupt);
}

}  // namespace
}  // namespace eddy::compression
