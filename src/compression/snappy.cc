// Snappy as Kafka clients use it. The Java client writes snappy-java's "xerial" framing:
//   magic 0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00, int32 version 1, int32 compatible version 1,
//   then chunks of [int32 big-endian compressed length][raw snappy block].
// librdkafka writes one raw snappy block and reads both. We write xerial (every client reads
// it) and read both, telling them apart by the magic.

#include <algorithm>
#include <array>
#include <cstring>

#include <snappy.h>

#include "compression/codecs.h"

namespace eddy::compression::detail {
namespace {

constexpr std::array<uint8_t, 8> kXerialMagic = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00};
constexpr int32_t kXerialVersion = 1;
constexpr int32_t kXerialCompatibleVersion = 1;
constexpr size_t kXerialHeaderSize = 16;
constexpr size_t kChunkLengthSize = 4;
constexpr size_t kXerialChunkBytes = 32 * 1024;  // snappy-java's default block size

void put_int32_be(uint8_t* p, uint32_t value) {
  p[0] = static_cast<uint8_t>(value >> 24);
  p[1] = static_cast<uint8_t>(value >> 16);
  p[2] = static_cast<uint8_t>(value >> 8);
  p[3] = static_cast<uint8_t>(value);
}

uint32_t get_int32_be(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

bool is_xerial(std::span<const uint8_t> in) {
  return in.size() >= kXerialHeaderSize &&
         std::memcmp(in.data(), kXerialMagic.data(), kXerialMagic.size()) == 0;
}

// Appends the decompressed `block` to `out`, refusing to pass max_bytes in total.
bool append_raw_block(std::span<const uint8_t> block, std::vector<uint8_t>& out, size_t max_bytes) {
  auto* source = reinterpret_cast<const char*>(block.data());
  size_t length = 0;
  if (!snappy::GetUncompressedLength(source, block.size(), &length)) return false;
  if (length > max_bytes - out.size()) return false;  // the block header announces its size
  size_t used = out.size();
  out.resize(used + length);
  return snappy::RawUncompress(source, block.size(), reinterpret_cast<char*>(out.data() + used));
}

bool decompress_xerial(std::span<const uint8_t> in, std::vector<uint8_t>& out, size_t max_bytes) {
  std::span<const uint8_t> rest = in.subspan(kXerialHeaderSize);
  while (!rest.empty()) {
    if (rest.size() < kChunkLengthSize) return false;
    uint32_t chunk_bytes = get_int32_be(rest.data());
    rest = rest.subspan(kChunkLengthSize);
    if (chunk_bytes > rest.size()) return false;
    if (!append_raw_block(rest.first(chunk_bytes), out, max_bytes)) return false;
    rest = rest.subspan(chunk_bytes);
  }
  return true;
}

}  // namespace

bool snappy_compress(std::span<const uint8_t> in, std::vector<uint8_t>& out) {
  size_t chunks = (in.size() + kXerialChunkBytes - 1) / kXerialChunkBytes;
  out.resize(kXerialHeaderSize +
             chunks * (kChunkLengthSize + snappy::MaxCompressedLength(kXerialChunkBytes)));
  std::memcpy(out.data(), kXerialMagic.data(), kXerialMagic.size());
  put_int32_be(out.data() + 8, kXerialVersion);
  put_int32_be(out.data() + 12, kXerialCompatibleVersion);
  size_t used = kXerialHeaderSize;
  for (size_t start = 0; start < in.size(); start += kXerialChunkBytes) {
    size_t chunk = std::min(kXerialChunkBytes, in.size() - start);
    size_t compressed = 0;
    snappy::RawCompress(reinterpret_cast<const char*>(in.data() + start), chunk,
                        reinterpret_cast<char*>(out.data() + used + kChunkLengthSize), &compressed);
    put_int32_be(out.data() + used, static_cast<uint32_t>(compressed));
    used += kChunkLengthSize + compressed;
  }
  out.resize(used);
  return true;
}

bool snappy_decompress(std::span<const uint8_t> in, std::vector<uint8_t>& out, size_t max_bytes) {
  out.clear();
  if (is_xerial(in)) return decompress_xerial(in, out, max_bytes);
  return append_raw_block(in, out, max_bytes);
}

SnappyBlock snappy_next_block(std::span<const uint8_t> in, size_t& position) {
  if (position == 0 && is_xerial(in)) position = kXerialHeaderSize;
  if (position >= in.size()) return {SnappyBlock::kEnd, {}};
  if (position == 0) {
    position = in.size();  // raw: the whole payload is one block
    return {SnappyBlock::kBlock, in};
  }
  std::span<const uint8_t> rest = in.subspan(position);
  if (rest.size() < kChunkLengthSize) return {SnappyBlock::kCorrupt, {}};
  uint32_t chunk_bytes = get_int32_be(rest.data());
  if (chunk_bytes > rest.size() - kChunkLengthSize) return {SnappyBlock::kCorrupt, {}};
  position += kChunkLengthSize + chunk_bytes;
  return {SnappyBlock::kBlock, rest.subspan(kChunkLengthSize, chunk_bytes)};
}

bool snappy_decode_block(std::span<const uint8_t> block, std::vector<uint8_t>& out,
                         size_t max_bytes) {
  out.clear();
  return append_raw_block(block, out, max_bytes);
}

}  // namespace eddy::compression::detail
