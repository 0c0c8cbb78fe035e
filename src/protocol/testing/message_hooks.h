#pragma once

// Type-erased access to every generated message, for tests and eddy_protocol_tool only.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reader.h"
#include "protocol/writer.h"

namespace eddy::protocol::testing {

enum class FillMode {
  kValues,       // every field present in the version gets a non-default value
  kNulls,        // like kValues, but fields nullable in the version are null
  kUnknownTags,  // like kValues, plus unknown tagged fields in every flexible struct
};

struct MessageHooks {
  std::string_view name;  // schema name, e.g. "ApiVersionsRequest"
  std::string_view kind;  // "request", "response" or "header"
  int16_t api_key;        // -1 for headers
  int16_t min_version;
  int16_t max_version;
  int16_t first_flexible_version;
  // The wire bytes of a message filled for `version` and `mode`.
  std::vector<uint8_t> (*encode_filled)(int16_t version, FillMode mode);
  // Fills, encodes, decodes, compares and re-encodes; "" on success, else the failure.
  std::string (*round_trip)(int16_t version, FillMode mode);
  // Decodes `bytes` (all of them); on success gives the re-encoding and a JSON dump.
  bool (*decode)(std::span<const uint8_t> bytes, int16_t version, std::vector<uint8_t>* reencoded,
                 std::string* json);
};

template <typename T, void (*Fill)(T&, int16_t, FillMode, uint32_t&),
          void (*ToJson)(const T&, int16_t, std::string&)>
MessageHooks make_hooks(std::string_view name, std::string_view kind) {
  MessageHooks hooks{name,           kind,           T::kApiKey,
                     T::kMinVersion, T::kMaxVersion, T::kFirstFlexibleVersion,
                     nullptr,        nullptr,        nullptr};
  hooks.encode_filled = [](int16_t version, FillMode mode) {
    T message;
    uint32_t counter = 1;
    Fill(message, version, mode, counter);
    Writer writer;
    message.encode(writer, version);
    return writer.flatten();
  };
  hooks.round_trip = [](int16_t version, FillMode mode) -> std::string {
    T original;
    uint32_t counter = 1;
    Fill(original, version, mode, counter);
    Writer writer;
    original.encode(writer, version);
    const std::vector<uint8_t> bytes = writer.flatten();
    if (bytes.size() != writer.total_size()) return "total_size() differs from flatten()";
    Reader reader(bytes.data(), bytes.size());
    T decoded;
    if (!decoded.decode(reader, version)) return "decode failed";
    if (reader.remaining() != 0) return "decode left " + std::to_string(reader.remaining());
    if (!(decoded == original)) return "decoded value differs from the original";
    Writer again;
    decoded.encode(again, version);
    if (again.flatten() != bytes) return "re-encoding differs";
    return "";
  };
  hooks.decode = [](std::span<const uint8_t> bytes, int16_t version,
                    std::vector<uint8_t>* reencoded, std::string* json) {
    Reader reader(bytes.data(), bytes.size());
    T message;
    if (!message.decode(reader, version) || reader.remaining() != 0) return false;
    if (reencoded != nullptr) {
      Writer writer;
      message.encode(writer, version);
      *reencoded = writer.flatten();
    }
    if (json != nullptr) {
      json->clear();
      ToJson(message, version, *json);
    }
    return true;
  };
  return hooks;
}

}  // namespace eddy::protocol::testing
