// Request bodies of every API key and version, decoded by the generated codecs as dispatch does.
// Input: api key (int16), api version (int16), then the body. The key picks one of the known
// APIs (modulo their count) and the version one of its versions, so every input exercises a
// real decoder.
//
// Invariants: decoding never crashes or over-allocates; what decoded re-encodes to bytes that
// decode to the same message (compared through the JSON dump, which prints every field) and
// re-encode to the same bytes (encode is canonical). The bytes of the first encoding may differ
// from the input only where the wire format has more than one spelling of a value.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "protocol/generated/api_keys.h"
#include "protocol/generated/testing/registry.h"

namespace {

using eddy::protocol::testing::MessageHooks;

const MessageHooks* pick_message(uint16_t key_bits) {
  const auto apis = eddy::protocol::all_apis();
  const auto& api = apis[key_bits % apis.size()];
  return eddy::protocol::testing::find_message(api.key, "request");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  const MessageHooks* message = pick_message(static_cast<uint16_t>((data[0] << 8) | data[1]));
  FUZZ_CHECK(message != nullptr);
  const int versions = message->max_version - message->min_version + 1;
  const auto version = static_cast<int16_t>(
      message->min_version + static_cast<uint16_t>((data[2] << 8) | data[3]) % versions);
  const std::span<const uint8_t> body(data + 4, size - 4);

  std::vector<uint8_t> encoded;
  std::string json;
  if (!message->decode(body, version, &encoded, &json)) return 0;

  std::vector<uint8_t> encoded_again;
  std::string json_again;
  FUZZ_CHECK(message->decode(encoded, version, &encoded_again, &json_again));
  FUZZ_CHECK(json_again == json);
  FUZZ_CHECK(encoded_again == encoded);
  return 0;
}
