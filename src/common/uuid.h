#pragma once

// Kafka's 16-byte ids (topic ids, cluster ids, directory ids): random version-4 UUIDs, printed
// as 22 characters of URL-safe base64 without padding. The zero UUID means "no id".

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eddy {

struct Uuid {
  std::array<uint8_t, 16> bytes{};

  bool operator==(const Uuid&) const = default;
  auto operator<=>(const Uuid&) const = default;
  bool is_zero() const;
  // URL-safe base64 without padding (22 characters), the form Kafka prints and accepts.
  std::string to_string() const;
  static std::optional<Uuid> from_string(std::string_view text);
  // A random version-4 UUID from the kernel's CSPRNG that, like Kafka's, is never zero and
  // never prints with a leading '-' (which command-line tools would take for a flag).
  static Uuid random();
};

struct UuidHash {
  size_t operator()(const Uuid& id) const;
};

}  // namespace eddy
