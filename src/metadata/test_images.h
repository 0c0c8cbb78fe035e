#pragma once

// Test helpers: metadata images built by hand, for the modules above metadata that read them.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "metadata/image.h"

namespace eddy::metadata::testing {

// A topic whose partitions 0..partitions-1 each have `leader` as their only replica.
inline std::shared_ptr<TopicImage> topic_image(const std::string& name, int32_t partitions,
                                               int32_t leader, int32_t leader_epoch = 0,
                                               ConfigMap configs = {}) {
  auto topic = std::make_shared<TopicImage>();
  topic->name = name;
  topic->configs = std::move(configs);
  for (int32_t p = 0; p < partitions; ++p) {
    PartitionImage partition;
    partition.partition_index = p;
    partition.replicas = {leader};
    partition.isr = {leader};
    partition.leader = leader;
    partition.leader_epoch = leader_epoch;
    topic->partitions.push_back(partition);
  }
  return topic;
}

}  // namespace eddy::metadata::testing
