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

bool lz4_compress(std::span<const uint8_t> in, std::vector<uint8_t>& out);
bool lz4_decompress(std::span<const uint8_t> in, std::vector<uint8_t>& out, size_t max_bytes);

bool zstd_compress(std::span<const uint8_t> in, std::vector<uint8_t>& out);
bool zstd_decompress(std::span<const uint8_t> in, std::vector<uint8_t>& out, size_t max_bytes);

}  // namespace eddy::compression::detail
