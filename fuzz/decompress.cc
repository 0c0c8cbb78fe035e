// One decompressor per executable (EDDY_FUZZ_CODEC picks it): gzip, snappy (raw and xerial
// framing), lz4 (frame) and zstd, as they decompress compressed record batches. Every
// decompression is bounded.
//
// Invariants: output never exceeds the bound; what decompressed compresses and decompresses
// back to the same bytes; a smaller bound than the output size makes decompression fail rather
// than truncate silently.

#include <cstdint>
#include <span>
#include <vector>

#include "compression/compression.h"
#include "fuzz/fuzz_check.h"

using eddy::compression::Codec;

namespace {

constexpr auto kCodec = static_cast<Codec>(EDDY_FUZZ_CODEC);
constexpr size_t kBound = eddy::fuzz::kMaxDecompressedBytes;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  std::vector<uint8_t> out;
  if (!eddy::compression::decompress(kCodec, input, out, kBound)) return 0;
  FUZZ_CHECK(out.size() <= kBound);

  std::vector<uint8_t> compressed;
  FUZZ_CHECK(eddy::compression::compress(kCodec, out, compressed));
  std::vector<uint8_t> again;
  FUZZ_CHECK(eddy::compression::decompress(kCodec, compressed, again, kBound));
  FUZZ_CHECK(again == out);

  if (!out.empty()) {
    std::vector<uint8_t> bounded;
    FUZZ_CHECK(!eddy::compression::decompress(kCodec, input, bounded, out.size() - 1));
  }
  return 0;
}
