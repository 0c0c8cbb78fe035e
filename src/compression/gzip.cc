// gzip as Kafka uses it: a zlib deflate stream with the gzip wrapper (RFC 1952).

#include <climits>

#include <zlib.h>

#include "compression/codecs.h"
#include "compression/output_buffer.h"

namespace eddy::compression::detail {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // +16: write a gzip wrapper
constexpr int kAutoWindowBits = 15 + 32;  // +32: accept gzip or zlib wrapper
constexpr int kMemLevel = 8;

// One inflate state per thread, reset between calls instead of reallocated.
class Inflater {
 public:
  Inflater() { ok_ = inflateInit2(&stream_, kAutoWindowBits) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&stream_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  z_stream* reset() {
    if (!ok_ || inflateReset(&stream_) != Z_OK) return nullptr;
    return &stream_;
  }

 private:
  z_stream stream_{};
  bool ok_ = false;
};

}  // namespace

bool gzip_compress(std::span<const uint8_t> in, std::vector<uint8_t>& out) {
  if (in.size() > UINT_MAX) return false;
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, kMemLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return false;
  }
  out.resize(deflateBound(&stream, static_cast<uLong>(in.size())));
  stream.next_in = const_cast<Bytef*>(in.data());  // zlib's API is not const-correct
  stream.avail_in = static_cast<uInt>(in.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return result == Z_STREAM_END;
}

bool gzip_decompress(std::span<const uint8_t> in, std::vector<uint8_t>& out, size_t max_bytes) {
  if (in.size() > UINT_MAX) return false;
  thread_local Inflater inflater;
  z_stream* stream = inflater.reset();
  if (stream == nullptr) return false;
  BoundedOutput output(out, max_bytes);
  size_t used = 0;
  stream->next_in = const_cast<Bytef*>(in.data());
  stream->avail_in = static_cast<uInt>(in.size());
  while (true) {
    if (output.free_after(used) == 0 && !output.grow(in.size() * 4)) return false;
    size_t chunk = std::min<size_t>(output.free_after(used), UINT_MAX);
    stream->next_out = output.at(used);
    stream->avail_out = static_cast<uInt>(chunk);
    int result = inflate(stream, Z_NO_FLUSH);
    used += chunk - stream->avail_out;
    if (result == Z_STREAM_END) {
      if (stream->avail_in == 0) break;
      // Concatenated gzip members decode as one stream, like java.util.zip.GZIPInputStream.
      if (inflateReset(stream) != Z_OK) return false;
      continue;
    }
    if (result == Z_BUF_ERROR && stream->avail_out == 0) continue;  // output full: grow
    if (result != Z_OK) return false;  // corrupt, or Z_BUF_ERROR: input ended mid-stream
  }
  return output.finish(used);
}

}  // namespace eddy::compression::detail
