// LZ4 frame format (not raw blocks), as Kafka uses for magic v2: 64 KiB independent blocks,
// with the frame header checksum computed correctly (KIP-57).

#include <lz4frame.h>

#include "compression/codecs.h"
#include "compression/output_buffer.h"

namespace eddy::compression::detail {
namespace {

// One decompression context per thread, reused between calls.
class Lz4Decompressor {
 public:
  Lz4Decompressor() {
    if (LZ4F_isError(LZ4F_createDecompressionContext(&context_, LZ4F_VERSION))) {
      context_ = nullptr;
    }
  }
  ~Lz4Decompressor() { LZ4F_freeDecompressionContext(context_); }
  Lz4Decompressor(const Lz4Decompressor&) = delete;
  Lz4Decompressor& operator=(const Lz4Decompressor&) = delete;

  LZ4F_dctx* reset() {
    if (context_ != nullptr) LZ4F_resetDecompressionContext(context_);
    return context_;
  }

 private:
  LZ4F_dctx* context_ = nullptr;
};

LZ4F_preferences_t kafka_preferences() {
  LZ4F_preferences_t preferences{};
  preferences.frameInfo.blockSizeID = LZ4F_max64KB;
  preferences.frameInfo.blockMode = LZ4F_blockIndependent;
  return preferences;
}

}  // namespace

bool lz4_compress(std::span<const uint8_t> in, std::vector<uint8_t>& out) {
  LZ4F_preferences_t preferences = kafka_preferences();
  out.resize(LZ4F_compressFrameBound(in.size(), &preferences));
  size_t written = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), &preferences);
  if (LZ4F_isError(written)) return false;
  out.resize(written);
  return true;
}

bool lz4_decompress(std::span<const uint8_t> in, std::vector<uint8_t>& out, size_t max_bytes) {
  thread_local Lz4Decompressor decompressor;
  LZ4F_dctx* context = decompressor.reset();
  if (context == nullptr) return false;
  BoundedOutput output(out, max_bytes);
  size_t used = 0;
  size_t consumed = 0;
  bool frame_complete = false;
  while (consumed < in.size()) {
    if (output.free_after(used) == 0 && !output.grow(in.size() * 4)) return false;
    size_t produced = output.free_after(used);
    size_t taken = in.size() - consumed;
    size_t hint =
        LZ4F_decompress(context, output.at(used), &produced, in.data() + consumed, &taken, nullptr);
    if (LZ4F_isError(hint)) return false;
    used += produced;
    consumed += taken;
    frame_complete = hint == 0;  // 0: a frame ended; further bytes would start another
  }
  // Input is exhausted, but the decoder may still hold buffered output.
  while (!frame_complete) {
    if (output.free_after(used) == 0 && !output.grow()) return false;
    size_t produced = output.free_after(used);
    size_t taken = 0;
    size_t hint = LZ4F_decompress(context, output.at(used), &produced, nullptr, &taken, nullptr);
    if (LZ4F_isError(hint)) return false;
    if (produced == 0 && hint != 0) return false;  // truncated frame
    used += produced;
    frame_complete = hint == 0;
  }
  return output.finish(used);
}

}  // namespace eddy::compression::detail
