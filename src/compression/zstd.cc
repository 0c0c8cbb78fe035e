// Zstandard frames, decoded with the streaming API so frames without a content size (as
// streaming compressors such as zstd-jni write them) decode too.

#include <zstd.h>

#include "compression/codecs.h"
#include "compression/output_buffer.h"

namespace eddy::compression::detail {
namespace {

constexpr int kCompressionLevel = 3;  // Kafka's default compression.zstd.level

// One decompression context per thread, reused between calls.
class ZstdDecompressor {
 public:
  ZstdDecompressor() : context_(ZSTD_createDCtx()) {}
  ~ZstdDecompressor() { ZSTD_freeDCtx(context_); }
  ZstdDecompressor(const ZstdDecompressor&) = delete;
  ZstdDecompressor& operator=(const ZstdDecompressor&) = delete;

  ZSTD_DCtx* reset() {
    if (context_ == nullptr) return nullptr;
    if (ZSTD_isError(ZSTD_DCtx_reset(context_, ZSTD_reset_session_only))) return nullptr;
    return context_;
  }

 private:
  ZSTD_DCtx* context_;
};

}  // namespace

bool zstd_compress(std::span<const uint8_t> in, std::vector<uint8_t>& out) {
  out.resize(ZSTD_compressBound(in.size()));
  size_t written = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), kCompressionLevel);
  if (ZSTD_isError(written)) return false;
  out.resize(written);
  return true;
}

bool zstd_decompress(std::span<const uint8_t> in, std::vector<uint8_t>& out, size_t max_bytes) {
  thread_local ZstdDecompressor decompressor;
  ZSTD_DCtx* context = decompressor.reset();
  if (context == nullptr) return false;
  BoundedOutput output(out, max_bytes);
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  size_t used = 0;
  size_t remaining_hint = 1;  // nonzero: the current frame is not finished
  while (input.pos < input.size || remaining_hint != 0) {
    if (output.free_after(used) == 0 && !output.grow(in.size() * 4)) return false;
    ZSTD_outBuffer buffer{output.at(used), output.free_after(used), 0};
    size_t before = input.pos;
    remaining_hint = ZSTD_decompressStream(context, &buffer, &input);
    if (ZSTD_isError(remaining_hint)) return false;
    used += buffer.pos;
    bool stalled = buffer.pos == 0 && input.pos == before && buffer.pos < buffer.size;
    if (stalled) return false;  // input ended inside a frame
  }
  return output.finish(used);
}

}  // namespace eddy::compression::detail
