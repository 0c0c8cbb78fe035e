// The bytes a client sends on a connection: size-prefixed frames, each a request header and a
// body. Mirrors what net/connection.cc (framing) and broker/dispatch/dispatch.cc (api key, version,
// header version, header decode) do with them, then decodes the body with the generated codec.
// Seeds are frames captured from real clients (scripts/capture-seeds.sh).
//
// Invariants: the header decodes iff dispatch would accept it, and a decoded header re-encodes
// to bytes that decode to the same header at the same position (so the body starts where
// dispatch says); a decoded body re-encodes canonically (see request_body.cc).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "protocol/generated/api_keys.h"
#include "protocol/generated/request_header.h"
#include "protocol/generated/testing/registry.h"
#include "protocol/reader.h"
#include "protocol/writer.h"

namespace {

using eddy::protocol::Reader;
using eddy::protocol::RequestHeader;
using eddy::protocol::Writer;

// socket.request.max.bytes' default; a frame announcing more closes the connection.
constexpr int32_t kMaxRequestBytes = 100 * 1024 * 1024;

void check_header_round_trip(const RequestHeader& header, int16_t header_version,
                             size_t header_size) {
  Writer writer;
  header.encode(writer, header_version);
  const std::vector<uint8_t> bytes = writer.flatten();
  FUZZ_CHECK(bytes.size() == writer.total_size());
  Reader reader(bytes.data(), bytes.size());
  RequestHeader again;
  FUZZ_CHECK(again.decode(reader, header_version));
  FUZZ_CHECK(reader.remaining() == 0);
  FUZZ_CHECK(again == header);
  // Encodings are not unique (varint padding), but never longer than what was read.
  FUZZ_CHECK(bytes.size() <= header_size);
}

void check_body(int16_t api_key, int16_t api_version, std::span<const uint8_t> body) {
  const auto* message = eddy::protocol::testing::find_message(api_key, "request");
  FUZZ_CHECK(message != nullptr);
  if (api_version < message->min_version || api_version > message->max_version) return;
  std::vector<uint8_t> encoded;
  std::string json;
  if (!message->decode(body, api_version, &encoded, &json)) return;
  std::vector<uint8_t> encoded_again;
  std::string json_again;
  FUZZ_CHECK(message->decode(encoded, api_version, &encoded_again, &json_again));
  FUZZ_CHECK(json_again == json && encoded_again == encoded);
}

// One frame (without its size prefix), as Broker::handle sees it.
void handle_frame(std::span<const uint8_t> frame) {
  Reader reader(frame.data(), frame.size());
  const int16_t api_key = reader.read_int16();
  const int16_t api_version = reader.read_int16();
  if (!reader.ok()) return;
  const eddy::protocol::ApiInfo* api = eddy::protocol::find_api(api_key);
  if (api == nullptr) return;

  const int16_t header_version = eddy::protocol::request_header_version(api_key, api_version);
  FUZZ_CHECK(header_version >= 0 && header_version <= 2);
  Reader header_reader(frame.data(), frame.size());
  RequestHeader header;
  if (!header.decode(header_reader, header_version)) return;
  FUZZ_CHECK(header.request_api_key == api_key && header.request_api_version == api_version);
  FUZZ_CHECK(header_reader.position() <= frame.size());
  check_header_round_trip(header, header_version, header_reader.position());
  check_body(api_key, api_version, frame.subspan(header_reader.position()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> stream(data, size);
  while (stream.size() >= 4) {
    const auto frame_size =
        static_cast<int32_t>((uint32_t{stream[0]} << 24) | (uint32_t{stream[1]} << 16) |
                             (uint32_t{stream[2]} << 8) | stream[3]);
    if (frame_size < 0 || frame_size > kMaxRequestBytes) return 0;  // connection closed
    stream = stream.subspan(4);
    if (static_cast<size_t>(frame_size) > stream.size()) return 0;  // waits for more bytes
    handle_frame(stream.first(static_cast<size_t>(frame_size)));
    stream = stream.subspan(static_cast<size_t>(frame_size));
  }
  return 0;
}
