#pragma once

#include <array>
#include <optional>
#include <span>

#include "broker/dispatch/handler.h"

namespace eddy::broker {

// Handlers indexed by API key. Built once at start-up, read-only afterwards.
class HandlerRegistry {
 public:
  explicit HandlerRegistry(std::span<const HandlerSpec> specs);

  // The handler for `api_key`, or nullptr when Eddy does not implement that API.
  const HandlerSpec* find(int16_t api_key) const;
  // Every implemented API in key order, for ApiVersions.
  std::span<const HandlerSpec> all() const { return {specs_.data(), count_}; }

  static constexpr int16_t kMaxApiKey = 127;

 private:
  std::array<HandlerSpec, kMaxApiKey + 1> specs_{};
  size_t count_ = 0;
  std::array<int16_t, kMaxApiKey + 1> index_by_key_{};
};

// The registry of every handler in broker/handlers/, declared in all_handlers.cc.
const HandlerRegistry& default_registry();

}  // namespace eddy::broker
