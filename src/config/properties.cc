#include "config/properties.h"

#include <fstream>
#include <sstream>
#include <vector>

namespace eddy::config {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\f';
}

// Joins physical lines ending in an odd number of backslashes into logical lines.
std::vector<std::pair<int, std::string>> logical_lines(std::string_view text) {
  std::vector<std::pair<int, std::string>> lines;
  std::string current;
  int line_number = 0;
  int first_line = 1;
  bool continuing = false;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (continuing) {
      while (!line.empty() && is_blank(line.front())) line.remove_prefix(1);
    } else {
      first_line = line_number;
    }
    size_t backslashes = 0;
    while (backslashes < line.size() && line[line.size() - 1 - backslashes] == '\\') ++backslashes;
    continuing = backslashes % 2 == 1;
    if (continuing) line.remove_suffix(1);
    current.append(line);
    if (!continuing) {
      lines.emplace_back(first_line, std::move(current));
      current.clear();
    }
    if (end == text.size()) break;
    start = end + 1;
  }
  if (continuing) lines.emplace_back(first_line, std::move(current));
  return lines;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, unsigned code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

bool unescape(std::string_view in, std::string& out, std::string& error) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out.push_back(in[i]);
      continue;
    }
    if (++i == in.size()) break;
    switch (in[i]) {
      case 't':
        out.push_back('\t');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'u': {
        unsigned code_point = 0;
        for (int digit = 0; digit < 4; ++digit) {
          const int value = i + 1 < in.size() ? hex_value(in[++i]) : -1;
          if (value < 0) {
            error = "malformed \\uXXXX escape";
            return false;
          }
          code_point = code_point * 16 + static_cast<unsigned>(value);
        }
        append_utf8(out, code_point);
        break;
      }
      default:
        out.push_back(in[i]);
    }
  }
  return true;
}

// Splits "key<sep>value" where the separator is '=', ':' or blanks (unescaped).
void split_key_value(std::string_view line, std::string_view& key, std::string_view& value) {
  size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (c == '\\') {
      i += 2;
      continue;
    }
    if (c == '=' || c == ':' || is_blank(c)) break;
    ++i;
  }
  key = line.substr(0, std::min(i, line.size()));
  while (i < line.size() && is_blank(line[i])) ++i;
  if (i < line.size() && (line[i] == '=' || line[i] == ':')) ++i;
  while (i < line.size() && is_blank(line[i])) ++i;
  value = i < line.size() ? line.substr(i) : std::string_view();
}

}  // namespace

bool parse_properties(std::string_view text, Properties& out, ParseError& error) {
  for (auto& [line_number, raw] : logical_lines(text)) {
    std::string_view line = raw;
    while (!line.empty() && is_blank(line.front())) line.remove_prefix(1);
    if (line.empty() || line.front() == '#' || line.front() == '!') continue;
    std::string_view key_text;
    std::string_view value_text;
    split_key_value(line, key_text, value_text);
    std::string key;
    std::string value;
    std::string message;
    if (!unescape(key_text, key, message) || !unescape(value_text, value, message)) {
      error = {line_number, message};
      return false;
    }
    out[key] = value;
  }
  return true;
}

bool load_properties_file(const std::string& path, Properties& out, ParseError& error) {
  std::ifstream file(path);
  if (!file) {
    error = {0, "cannot open config file " + path};
    return false;
  }
  std::stringstream text;
  text << file.rdbuf();
  return parse_properties(text.str(), out, error);
}

}  // namespace eddy::config
