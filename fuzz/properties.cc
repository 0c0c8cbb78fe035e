// Java .properties text (config/properties.h): server.properties at start, and the same parser
// reads meta.properties. The parsed properties then go through build_server_config and, key by
// key, validate_topic_config (the checks CreateTopics and AlterConfigs apply to client input).
//
// Invariants: parsed properties written back with every special character escaped parse to the
// same map; the config builders never crash on any key or value.

#include "config/properties.h"

#include <cstdint>
#include <string>
#include <string_view>

#include "config/server_config.h"
#include "config/topic_config.h"
#include "fuzz/fuzz_check.h"

using namespace eddy::config;

namespace {

void append_escaped(std::string_view text, std::string& out) {
  for (const char c : text) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\\':
      case ' ':
      case '=':
      case ':':
      case '#':
      case '!':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Properties properties;
  ParseError error;
  if (!parse_properties(text, properties, error)) {
    FUZZ_CHECK(error.line_number >= 1 && !error.message.empty());
    return 0;
  }

  std::string written;
  for (const auto& [key, value] : properties) {
    append_escaped(key, written);
    written += '=';
    append_escaped(value, written);
    written += '\n';
  }
  Properties again;
  FUZZ_CHECK(parse_properties(written, again, error));
  FUZZ_CHECK(again == properties);

  ServerConfig config;
  std::string config_error;
  if (!build_server_config(properties, {}, config, config_error)) {
    FUZZ_CHECK(!config_error.empty());
  }
  for (const auto& [key, value] : properties) {
    std::string topic_error;
    (void)validate_topic_config(key, value, topic_error);
  }
  return 0;
}
