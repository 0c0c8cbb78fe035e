#pragma once

// The produce policy of a topic, resolved once per topic image instead of once per request
// (resolving copies five config strings). Topic images are immutable and replaced whenever
// anything about the topic changes, configs included, so an entry keyed by the image can never
// be stale: AlterConfigs publishes a new image, which misses the cache and is resolved afresh.
// The broker's configs that feed the policy (server.properties) are fixed for the process.
//
// A fixed array of slots indexed by a hash of the image's address; a collision only costs a
// fresh resolution. Each slot keeps its image alive, so an address seen in a slot cannot have
// been reused by another image (the price: up to kSlots retired images stay allocated per
// thread until their slots are overwritten). Lookups never allocate.
//
// Threads: one cache per event-loop thread (thread_produce_policy_cache()); no locking.

#include <array>
#include <cstddef>

#include "broker/produce/policy.h"
#include "config/server_config.h"
#include "metadata/image.h"

namespace eddy::broker {

class ProducePolicyCache {
 public:
  static constexpr size_t kSlots = 64;

  // The policy of `topic` (not null) under `server`; resolves it on the first call for this
  // image or after a collision evicted it.
  ProducePolicy policy_for(const config::ServerConfig& server, const metadata::TopicPtr& topic);

  // How many lookups had to resolve the policy (for tests).
  size_t resolutions() const { return resolutions_; }

 private:
  struct Slot {
    const config::ServerConfig* server = nullptr;
    metadata::TopicPtr topic;
    ProducePolicy policy;
  };

  std::array<Slot, kSlots> slots_;
  size_t resolutions_ = 0;
};

// The calling thread's cache. Handlers run on their connection's event loop, so each loop
// uses its own and nothing is shared between threads.
ProducePolicyCache& thread_produce_policy_cache();

}  // namespace eddy::broker
