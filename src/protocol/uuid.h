#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eddy::protocol {

// A Kafka UUID (topic ids, directory ids, ...): 16 raw bytes on the wire.
struct Uuid {
  std::array<uint8_t, 16> bytes{};

  bool operator==(const Uuid&) const = default;
  bool is_zero() const;
  // URL-safe base64 without padding (22 characters), the form Kafka prints and accepts.
  std::string to_string() const;
  static std::optional<Uuid> from_string(std::string_view text);
  // A random version-4 UUID that, like Kafka's, is never zero and never prints with a
  // leading '-' (which command-line tools would take for a flag).
  static Uuid random();
};

}  // namespace eddy::protocol
