#pragma once

// Per-codec entry points behind compress()/decompress(); same contracts as those.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace eddy::compression::detail {

bool gzip_compress(std::span<const uint8_t> in, std::vector<uint8_t>& out);
bool gzip_decompress(std::span<const uint8_t> in, std::vector<uint8_t>& out, size_t max_bytes);

bool snappy_compress(std::span<const uint8_t> in, std::vector<uint8_t>& out);
bool snappy_decompress(std::span<const uint8_t> in, std::vector<uint8_t>& out, size_t max_bytes);
// Snappy piece by piece (StreamDecompressor): the next block of a raw (one block) or xerial
// (chunked) payload, starting at `position` (0 for the first call), which moves past it.
struct SnappyBlock {
  enum Kind { kBlock, kEnd, kCorrupt } kind;
  std::span<const uint8_t> bytes;
};
SnappyBlock snappy_next_block(std::span<const uint8_t> in, size_t& position);
// Replaces `out` with the decoded block; false if corrupt or larger than max_bytes.
bool snappy_decode_block(std::span<const uint8_t> block, std::vector<uint8_t>& out,
                         size_t max_bytes);

bool lz4_compress(std::span<const uint8_t> in, std::vector<uint8_t>& out);
bool lz4_decompress(std::span<const uint8_t> in, std::vector<uint8_t>& out, size_t max_bytes);

bool zstd_compress(std::span<const uint8_t> in, std::vector<uint8_t>& out);
bool zstd_decompress(std::span<const uint8_t> in, std::vector<uint8_t>& out, size_t max_bytes);

}  // namespace eddy::compression::detail
