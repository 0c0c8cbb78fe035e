#include "broker/dispatch/handler_registry.h"

#include <algorithm>

#include "common/assert.h"
#include "protocol/generated/api_keys.h"

namespace eddy::broker {

HandlerRegistry::HandlerRegistry(std::span<const HandlerSpec> specs) {
  index_by_key_.fill(-1);
  std::vector<HandlerSpec> sorted(specs.begin(), specs.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const HandlerSpec& a, const HandlerSpec& b) { return a.api_key < b.api_key; });
  for (const auto& spec : sorted) {
    EDDY_ASSERT(spec.api_key >= 0 && spec.api_key <= kMaxApiKey);
    EDDY_ASSERT_MSG(index_by_key_[spec.api_key] < 0, "two handlers for one API key");
    // A handler may never claim versions the schemas do not define.
    const protocol::ApiInfo* api = protocol::find_api(spec.api_key);
    EDDY_ASSERT(api != nullptr);
    EDDY_ASSERT(spec.min_version >= api->min_version && spec.max_version <= api->max_version);
    EDDY_ASSERT(spec.min_version <= spec.max_version);
    index_by_key_[spec.api_key] = static_cast<int16_t>(count_);
    specs_[count_++] = spec;
  }
}

const HandlerSpec* HandlerRegistry::find(int16_t api_key) const {
  if (api_key < 0 || api_key > kMaxApiKey) return nullptr;
  const int16_t index = index_by_key_[api_key];
  return index < 0 ? nullptr : &specs_[index];
}

}  // namespace eddy::broker
