#include "compression/stream_decompressor.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include <lz4frame.h>
#include <zlib.h>
#include <zstd.h>

#include "compression/codecs.h"

namespace eddy::compression {
namespace {

constexpr int kAutoWindowBits = 15 + 32;  // +32: accept a gzip or a zlib wrapper

}  // namespace

// The codecs' decoder states, created on first use and reset between payloads.
struct StreamDecompressor::Contexts {
  z_stream inflate{};
  bool inflate_ready = false;
  LZ4F_dctx* lz4 = nullptr;
  ZSTD_DCtx* zstd = nullptr;

  ~Contexts() {
    if (inflate_ready) inflateEnd(&inflate);
    LZ4F_freeDecompressionContext(lz4);
    ZSTD_freeDCtx(zstd);
  }

  bool reset(Codec codec) {
    switch (codec) {
      case Codec::kGzip:
        if (!inflate_ready) inflate_ready = inflateInit2(&inflate, kAutoWindowBits) == Z_OK;
        return inflate_ready && inflateReset(&inflate) == Z_OK;
      case Codec::kLz4:
        if (lz4 == nullptr && LZ4F_isError(LZ4F_createDecompressionContext(&lz4, LZ4F_VERSION))) {
          lz4 = nullptr;
        }
        if (lz4 != nullptr) LZ4F_resetDecompressionContext(lz4);
        return lz4 != nullptr;
      case Codec::kZstd:
        if (zstd == nullptr) zstd = ZSTD_createDCtx();
        return zstd != nullptr && !ZSTD_isError(ZSTD_DCtx_reset(zstd, ZSTD_reset_session_only));
      case Codec::kNone:
      case Codec::kSnappy:
        return true;
    }
    return false;
  }
};

StreamDecompressor::StreamDecompressor() : contexts_(std::make_unique<Contexts>()) {}
StreamDecompressor::~StreamDecompressor() = default;

void StreamDecompressor::start(Codec codec, std::span<const uint8_t> in) {
  codec_ = codec;
  in_ = in;
  in_position_ = 0;
  produced_bytes_ = 0;
  frame_open_ = true;
  snappy_block_.clear();
  snappy_block_position_ = 0;
  state_ = contexts_->reset(codec) ? State::kMore : State::kCorrupt;
}

size_t StreamDecompressor::fail() {
  state_ = State::kCorrupt;
  return 0;
}

size_t StreamDecompressor::read(std::span<uint8_t> out) {
  if (state_ != State::kMore || out.empty()) return 0;
  size_t produced = 0;
  switch (codec_) {
    case Codec::kNone:
      produced = read_none(out);
      break;
    case Codec::kGzip:
      produced = read_gzip(out);
      break;
    case Codec::kSnappy:
      produced = read_snappy(out);
      break;
    case Codec::kLz4:
      produced = read_lz4(out);
      break;
    case Codec::kZstd:
      produced = read_zstd(out);
      break;
    default:
      return fail();
  }
  produced_bytes_ += produced;
  return produced;
}

size_t StreamDecompressor::read_none(std::span<uint8_t> out) {
  size_t count = std::min(out.size(), in_.size() - in_position_);
  std::memcpy(out.data(), in_.data() + in_position_, count);
  in_position_ += count;
  if (in_position_ == in_.size()) state_ = State::kEnd;
  return count;
}

// Each reader below loops until it produces something, the payload ends after a whole frame
// (kEnd), or no progress is possible (kCorrupt: garbage, or a payload cut inside a frame).
// frame_open_ starts true, so an empty payload is corrupt too.

// Concatenated gzip members decode as one stream, like java.util.zip.GZIPInputStream.
size_t StreamDecompressor::read_gzip(std::span<uint8_t> out) {
  z_stream& stream = contexts_->inflate;
  size_t produced = 0;
  while (produced == 0) {
    if (in_position_ == in_.size() && !frame_open_) {
      state_ = State::kEnd;
      return 0;
    }
    size_t chunk = std::min<size_t>(out.size(), UINT_MAX);
    size_t input = std::min<size_t>(in_.size() - in_position_, UINT_MAX);
    stream.next_in = const_cast<Bytef*>(in_.data() + in_position_);  // zlib is not const-correct
    stream.avail_in = static_cast<uInt>(input);
    stream.next_out = out.data();
    stream.avail_out = static_cast<uInt>(chunk);
    int result = inflate(&stream, Z_NO_FLUSH);
    size_t consumed = input - stream.avail_in;
    in_position_ += consumed;
    produced = chunk - stream.avail_out;
    if (result == Z_STREAM_END) {
      frame_open_ = false;
      if (inflateReset(&stream) != Z_OK) return fail();
      continue;
    }
    if (result != Z_OK && result != Z_BUF_ERROR) return fail();
    frame_open_ = true;
    if (produced == 0 && consumed == 0) return fail();
  }
  return produced;
}

size_t StreamDecompressor::read_lz4(std::span<uint8_t> out) {
  size_t produced = 0;
  while (produced == 0) {
    if (in_position_ == in_.size() && !frame_open_) {
      state_ = State::kEnd;
      return 0;
    }
    size_t room = out.size();
    size_t taken = in_.size() - in_position_;
    size_t hint = LZ4F_decompress(contexts_->lz4, out.data(), &room, in_.data() + in_position_,
                                  &taken, nullptr);
    if (LZ4F_isError(hint)) return fail();
    in_position_ += taken;
    produced = room;
    frame_open_ = hint != 0;  // 0: a frame ended, fully flushed
    if (produced == 0 && taken == 0 && frame_open_) return fail();
  }
  return produced;
}

size_t StreamDecompressor::read_zstd(std::span<uint8_t> out) {
  size_t produced = 0;
  while (produced == 0) {
    if (in_position_ == in_.size() && !frame_open_) {
      state_ = State::kEnd;
      return 0;
    }
    ZSTD_inBuffer input{in_.data(), in_.size(), in_position_};
    ZSTD_outBuffer output{out.data(), out.size(), 0};
    size_t hint = ZSTD_decompressStream(contexts_->zstd, &output, &input);
    if (ZSTD_isError(hint)) return fail();
    size_t taken = input.pos - in_position_;
    in_position_ = input.pos;
    produced = output.pos;
    frame_open_ = hint != 0;  // 0: a frame ended, fully flushed
    if (produced == 0 && taken == 0 && frame_open_) return fail();
  }
  return produced;
}

bool StreamDecompressor::next_snappy_block() {
  detail::SnappyBlock block = detail::snappy_next_block(in_, in_position_);
  if (block.kind == detail::SnappyBlock::kEnd) {
    state_ = in_.empty() ? State::kCorrupt : State::kEnd;
    return false;
  }
  if (block.kind == detail::SnappyBlock::kCorrupt ||
      !detail::snappy_decode_block(block.bytes, snappy_block_, max_block_bytes)) {
    state_ = State::kCorrupt;
    return false;
  }
  snappy_block_position_ = 0;
  return true;
}

size_t StreamDecompressor::read_snappy(std::span<uint8_t> out) {
  while (snappy_block_position_ == snappy_block_.size()) {
    if (!next_snappy_block()) return 0;
  }
  size_t count = std::min(out.size(), snappy_block_.size() - snappy_block_position_);
  std::memcpy(out.data(), snappy_block_.data() + snappy_block_position_, count);
  snappy_block_position_ += count;
  return count;
}

}  // namespace eddy::compression
