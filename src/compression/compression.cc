#include "compression/compression.h"

#include "compression/codecs.h"

namespace eddy::compression {

const char* to_string(Codec codec) {
  switch (codec) {
    case Codec::kNone:
      return "none";
    case Codec::kGzip:
      return "gzip";
    case Codec::kSnappy:
      return "snappy";
    case Codec::kLz4:
      return "lz4";
    case Codec::kZstd:
      return "zstd";
  }
  return "unknown";
}

bool compress(Codec codec, std::span<const uint8_t> in, std::vector<uint8_t>& out) {
  switch (codec) {
    case Codec::kNone:
      out.assign(in.begin(), in.end());
      return true;
    case Codec::kGzip:
      return detail::gzip_compress(in, out);
    case Codec::kSnappy:
      return detail::snappy_compress(in, out);
    case Codec::kLz4:
      return detail::lz4_compress(in, out);
    case Codec::kZstd:
      return detail::zstd_compress(in, out);
  }
  return false;
}

bool decompress(Codec codec, std::span<const uint8_t> in, std::vector<uint8_t>& out,
                size_t max_output_bytes) {
  switch (codec) {
    case Codec::kNone:
      if (in.size() > max_output_bytes) return false;
      out.assign(in.begin(), in.end());
      return true;
    case Codec::kGzip:
      return detail::gzip_decompress(in, out, max_output_bytes);
    case Codec::kSnappy:
      return detail::snappy_decompress(in, out, max_output_bytes);
    case Codec::kLz4:
      return detail::lz4_decompress(in, out, max_output_bytes);
    case Codec::kZstd:
      return detail::zstd_decompress(in, out, max_output_bytes);
  }
  return false;
}

}  // namespace eddy::compression
