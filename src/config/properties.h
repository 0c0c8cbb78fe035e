#pragma once

// Java `.properties` files, the format of Kafka's server.properties: `key=value`, `key: value`
// or `key value`; `#` and `!` start comments; a trailing backslash continues a line; `\t`,
// `\n`, `\\` and `\uXXXX` escapes.

#include <map>
#include <string>
#include <string_view>

namespace eddy::config {

using Properties = std::map<std::string, std::string, std::less<>>;

struct ParseError {
  int line_number = 0;
  std::string message;
};

// Parses the text of a properties file. Returns false and fills `error` on malformed input.
bool parse_properties(std::string_view text, Properties& out, ParseError& error);

// Reads and parses a file; `error.message` names the problem (missing file included).
bool load_properties_file(const std::string& path, Properties& out, ParseError& error);

}  // namespace eddy::config
