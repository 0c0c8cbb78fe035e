#pragma once

// Setters the key tables bind to fields: each parses a value's text into one member of a
// config struct (ServerConfig, TopicConfig) and returns false when the text is not of the
// member's type or range. `&set_integer<&TopicConfig::retention_ms>` is a row's setter.

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

namespace eddy::config {

inline std::string_view trimmed(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// The struct a member pointer belongs to, so a setter's signature names it.
template <typename>
struct MemberOf;
template <typename Class, typename Field>
struct MemberOf<Field Class::*> {
  using Owner = Class;
};
template <auto Member>
using OwnerOf = typename MemberOf<decltype(Member)>::Owner;

template <auto Member>
bool set_integer(OwnerOf<Member>& config, std::string_view text) {
  using Field = std::remove_reference_t<decltype(config.*Member)>;
  text = trimmed(text);
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() ||
      value < std::numeric_limits<Field>::min() || value > std::numeric_limits<Field>::max()) {
    return false;
  }
  config.*Member = static_cast<Field>(value);
  return true;
}

template <auto Member>
bool set_boolean(OwnerOf<Member>& config, std::string_view text) {
  text = trimmed(text);
  if (text != "true" && text != "false") return false;
  config.*Member = text == "true";
  return true;
}

template <auto Member>
bool set_double(OwnerOf<Member>& config, std::string_view text) {
  const std::string copy(trimmed(text));
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size() || !std::isfinite(value)) return false;
  config.*Member = value;
  return true;
}

template <auto Member>
bool set_string(OwnerOf<Member>& config, std::string_view text) {
  config.*Member = std::string(text);
  return true;
}

}  // namespace eddy::config
