#pragma once

// Compression codecs with the framings Kafka clients use for record batches (magic v2).
// Every decompressor is bounded: it stops and fails once the output would exceed the limit,
// so a decompression bomb cannot exhaust memory.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace eddy::compression {

// Values match the compression bits of a record batch's attributes.
enum class Codec : int8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };

const char* to_string(Codec codec);

// Replaces `out` with the compressed form of `in` (its capacity is reused). False only if the
// library fails, which it should not for valid arguments.
bool compress(Codec codec, std::span<const uint8_t> in, std::vector<uint8_t>& out);

// Replaces `out` with the decompressed form of `in`. False on corrupt or truncated input, or
// when the output would be larger than `max_output_bytes`; `out` is then unspecified.
bool decompress(Codec codec, std::span<const uint8_t> in, std::vector<uint8_t>& out,
                size_t max_output_bytes);

}  // namespace eddy::compression
