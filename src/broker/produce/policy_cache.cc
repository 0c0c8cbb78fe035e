#include "broker/produce/policy_cache.h"

#include <bit>
#include <cstdint>

#include "common/assert.h"

namespace eddy::broker {
namespace {

static_assert((ProducePolicyCache::kSlots & (ProducePolicyCache::kSlots - 1)) == 0);

// Fibonacci hashing: heap addresses share their low bits (alignment), so multiply to mix
// them into the high bits and take those.
size_t slot_index(const void* address) {
  constexpr int kSlotBits = std::countr_zero(ProducePolicyCache::kSlots);
  const auto mixed = reinterpret_cast<uintptr_t>(address) * uint64_t{0x9E3779B97F4A7C15};
  return static_cast<size_t>(mixed >> (64 - kSlotBits));
}

}  // namespace

ProducePolicy ProducePolicyCache::policy_for(const config::ServerConfig& server,
                                             const metadata::TopicPtr& topic) {
  EDDY_ASSERT(topic != nullptr);
  Slot& slot = slots_[slot_index(topic.get())];
  if (slot.topic == topic && slot.server == &server) return slot.policy;
  ++resolutions_;
  slot.server = &server;
  slot.topic = topic;
  slot.policy = produce_policy_for(server, topic->configs);
  return slot.policy;
}

ProducePolicyCache& thread_produce_policy_cache() {
  thread_local ProducePolicyCache cache;
  return cache;
}

}  // namespace eddy::broker
