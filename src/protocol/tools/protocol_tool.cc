// eddy_protocol_tool: decode and re-encode Kafka messages from the command line, for
// cross-checks against other implementations (tests/protocol/) and for debugging.
//
//   eddy_protocol_tool decode-encode <api_key> <version> request|response   (hex on stdin)
//   eddy_protocol_tool decode-encode <MessageName> <version>                 (hex on stdin)
//     prints the decoded message as one JSON line, then the re-encoding as one hex line;
//     exits 1 (printing "error: ...") if the bytes do not decode to exactly one message.
//   eddy_protocol_tool encode-filled <MessageName> <version> [values|nulls|unknown-tags]
//     prints the hex of a message with every field filled, as the round-trip tests use.
//   eddy_protocol_tool list
//     prints every message with its api key and version range.

#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "protocol/generated/testing/registry.h"

namespace {

using eddy::protocol::testing::FillMode;
using eddy::protocol::testing::MessageHooks;

int usage() {
  std::fprintf(stderr,
               "usage: eddy_protocol_tool decode-encode <api_key> <version> request|response\n"
               "       eddy_protocol_tool decode-encode <MessageName> <version>\n"
               "       eddy_protocol_tool encode-filled <MessageName> <version> "
               "[values|nulls|unknown-tags]\n"
               "       eddy_protocol_tool list\n");
  return 2;
}

bool parse_hex(const std::string& text, std::vector<uint8_t>& bytes) {
  std::string digits;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) digits.push_back(c);
  }
  if (digits.size() % 2 != 0) return false;
  for (size_t i = 0; i < digits.size(); i += 2) {
    const std::string pair = digits.substr(i, 2);
    if (pair.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) return false;
    bytes.push_back(static_cast<uint8_t>(std::stoul(pair, nullptr, 16)));
  }
  return true;
}

std::string to_hex(const std::vector<uint8_t>& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string text;
  for (uint8_t byte : bytes) {
    text.push_back(kDigits[byte >> 4]);
    text.push_back(kDigits[byte & 0xf]);
  }
  return text;
}

const MessageHooks* find(const std::string& key_or_name, const std::string& kind) {
  if (!key_or_name.empty() && std::isdigit(static_cast<unsigned char>(key_or_name[0]))) {
    return eddy::protocol::testing::find_message(static_cast<int16_t>(std::stoi(key_or_name)),
                                                 kind);
  }
  return eddy::protocol::testing::find_message(key_or_name);
}

int decode_encode(const MessageHooks& message, int16_t version) {
  const std::string input{std::istreambuf_iterator<char>(std::cin),
                          std::istreambuf_iterator<char>()};
  std::vector<uint8_t> bytes;
  if (!parse_hex(input, bytes)) {
    std::printf("error: input is not hex\n");
    return 1;
  }
  std::vector<uint8_t> reencoded;
  std::string json;
  if (!message.decode(bytes, version, &reencoded, &json)) {
    std::printf("error: %s v%d does not decode\n", std::string(message.name).c_str(), version);
    return 1;
  }
  std::printf("%s\n%s\n", json.c_str(), to_hex(reencoded).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && args[0] == "list") {
    for (const MessageHooks& message : eddy::protocol::testing::all_messages()) {
      std::printf("%s %d %d-%d\n", std::string(message.name).c_str(), message.api_key,
                  message.min_version, message.max_version);
    }
    return 0;
  }
  if (args.size() < 3) return usage();
  const MessageHooks* message = find(args[1], args.size() > 3 ? args[3] : "");
  if (message == nullptr) {
    std::fprintf(stderr, "unknown message %s\n", args[1].c_str());
    return 2;
  }
  const auto version = static_cast<int16_t>(std::stoi(args[2]));
  if (args[0] == "decode-encode") return decode_encode(*message, version);
  if (args[0] == "encode-filled") {
    FillMode mode = FillMode::kValues;
    if (args.size() > 3 && args[3] == "nulls") mode = FillMode::kNulls;
    if (args.size() > 3 && args[3] == "unknown-tags") mode = FillMode::kUnknownTags;
    const std::vector<uint8_t> bytes = message->encode_filled(version, mode);
    std::printf("%s\n", to_hex(bytes).c_str());
    return 0;
  }
  return usage();
}
