#pragma once

// Deterministic non-default values for generated fill() helpers, and JSON output for the
// generated to_json() helpers. Test support only.

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "protocol/records.h"
#include "protocol/tagged_fields.h"
#include "protocol/uuid.h"

namespace eddy::protocol::testing {

// A value derived from `counter` that differs from the field's default.
template <typename T, typename D>
T test_int(uint32_t counter, D default_value) {
  T value = static_cast<T>(1 + counter % 100);
  if (value == static_cast<T>(default_value)) value = static_cast<T>(value + 1);
  return value;
}

inline Uuid test_uuid(uint32_t counter) {
  Uuid uuid;
  for (size_t i = 0; i < uuid.bytes.size(); ++i) {
    uuid.bytes[i] = static_cast<uint8_t>(counter * 31 + i + 1);
  }
  return uuid;
}

inline std::string test_string(uint32_t counter) {
  return "s" + std::to_string(counter);
}

inline std::vector<uint8_t> test_bytes(uint32_t counter) {
  return {static_cast<uint8_t>(counter), 0x00, 0xff};
}

// Points into static storage: a records field is a view, never owned.
inline Records test_records(uint32_t counter) {
  static const uint8_t kBytes[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  return Records::from_memory(kBytes, 1 + counter % 15);
}

inline void json_hex(const uint8_t* data, size_t size, std::string& json) {
  static const char kDigits[] = "0123456789abcdef";
  json += '"';
  for (size_t i = 0; i < size; ++i) {
    json += kDigits[data[i] >> 4];
    json += kDigits[data[i] & 0xf];
  }
  json += '"';
}

template <typename T>
void json_value(T value, std::string& json) {
  json += std::to_string(value);
}
inline void json_value(int8_t value, std::string& json) {
  json += std::to_string(int{value});
}
inline void json_value(bool value, std::string& json) {
  json += value ? "true" : "false";
}
inline void json_value(double value, std::string& json) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.17g", value);
  json += text;
}
inline void json_value(const Uuid& value, std::string& json) {
  json += '"' + value.to_string() + '"';
}
inline void json_value(const std::string& value, std::string& json) {
  json += '"';
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      json += '\\';
      json += static_cast<char>(c);
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      json += escaped;
    } else {
      json += static_cast<char>(c);
    }
  }
  json += '"';
}
inline void json_value(const std::vector<uint8_t>& value, std::string& json) {
  json_hex(value.data(), value.size(), json);
}
inline void json_value(const Records& value, std::string& json) {
  if (value.is_null) {
    json += "null";
  } else if (value.is_file()) {
    json += "\"<file>\"";
  } else {
    json_hex(value.data, value.size_bytes, json);
  }
}

}  // namespace eddy::protocol::testing
