#pragma once

// Decompression piece by piece into the caller's buffer, so a reader can walk what a
// compressed payload holds without ever holding all of it: memory stays at the caller's
// window (plus the codec's own state) however far the payload inflates. Same framings as
// decompress() (compression.h). One instance is reused across payloads; its codec contexts
// are created on first use and kept.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "compression/compression.h"

namespace eddy::compression {

class StreamDecompressor {
 public:
  enum class State {
    kMore,     // read() may produce more bytes
    kEnd,      // the payload ended cleanly; everything was produced
    kCorrupt,  // the payload is corrupt or truncated
  };

  StreamDecompressor();
  ~StreamDecompressor();
  StreamDecompressor(const StreamDecompressor&) = delete;
  StreamDecompressor& operator=(const StreamDecompressor&) = delete;

  // Starts on a new payload. `in` must outlive the reads.
  void start(Codec codec, std::span<const uint8_t> in);

  // Writes up to out.size() bytes and returns how many; 0 only when state() is no longer
  // kMore (or `out` is empty).
  size_t read(std::span<uint8_t> out);
  State state() const { return state_; }
  // Decompressed bytes produced since start().
  uint64_t produced_bytes() const { return produced_bytes_; }

 private:
  struct Contexts;

  size_t read_gzip(std::span<uint8_t> out);
  size_t read_lz4(std::span<uint8_t> out);
  size_t read_zstd(std::span<uint8_t> out);
  size_t read_snappy(std::span<uint8_t> out);
  size_t read_none(std::span<uint8_t> out);
  bool next_snappy_block();
  size_t fail();

  std::unique_ptr<Contexts> contexts_;
  Codec codec_ = Codec::kNone;
  std::span<const uint8_t> in_;
  size_t in_position_ = 0;
  State state_ = State::kEnd;
  uint64_t produced_bytes_ = 0;
  bool frame_open_ = true;  // lz4/zstd/gzip: inside a frame (or before the first) not ended yet
  // Snappy has no streaming decoder: each block is decoded whole into this buffer (a block
  // announces its size first, and the caller bounds it through max_block_bytes).
  std::vector<uint8_t> snappy_block_;
  size_t snappy_block_position_ = 0;

 public:
  // Largest snappy block decoded at once (a raw snappy payload is one block). Larger blocks
  // are refused as corrupt; callers pass their own decompressed-size bound here.
  size_t max_block_bytes = 64u << 20;
};

}  // namespace eddy::compression
