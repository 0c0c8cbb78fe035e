#pragma once

// MetadataImage: an immutable snapshot of cluster metadata at one log index. Readers on
// any thread hold a shared_ptr<const MetadataImage>; topics are shared between images
// (copy-on-write per topic), so a new image costs O(topics) pointer copies, never a copy
// of partitions.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "metadata/log_records.h"
#include "metadata/types.h"

namespace eddy::metadata {

struct PartitionImage {
  int32_t partition_index = 0;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
  int32_t leader = -1;
  int32_t leader_epoch = 0;
  int32_t partition_epoch = 0;
  bool operator==(const PartitionImage&) const = default;
};

using ConfigMap = std::map<std::string, std::string>;

struct TopicImage {
  std::string name;
  Uuid topic_id;
  std::vector<PartitionImage> partitions;  // index i holds partition i
  ConfigMap configs;                       // overrides only; defaults live in config
  bool operator==(const TopicImage&) const = default;

  // Partition `index`, or nullptr when the topic has no such partition (any int32 is safe).
  const PartitionImage* partition(int32_t index) const {
    return index >= 0 && static_cast<size_t>(index) < partitions.size() ? &partitions[index]
                                                                        : nullptr;
  }
};

struct BrokerImage {
  int32_t node_id = 0;
  std::vector<Listener> listeners;
  std::optional<std::string> rack;
  bool operator==(const BrokerImage&) const = default;
};

using TopicPtr = std::shared_ptr<const TopicImage>;

struct MetadataImage {
  std::string cluster_id;
  int32_t controller_id = -1;
  // Raft index of the last entry applied into this image (0 = empty log).
  uint64_t last_applied_index = 0;
  std::map<std::string, TopicPtr> topics_by_name;
  std::unordered_map<Uuid, TopicPtr, UuidHash> topics_by_id;
  std::map<int32_t, BrokerImage> brokers;
  // Broker resource configs keyed by resource name ("" = cluster-wide default, "1" = node 1).
  std::map<std::string, ConfigMap> broker_configs;

  const TopicImage* topic(const std::string& name) const;
  const TopicImage* topic(const Uuid& id) const;
  // Partition `index` of topic `name`, or nullptr when either does not exist.
  const PartitionImage* partition(const std::string& name, int32_t index) const;

  // Deep comparison (topic contents, not pointers); used by determinism tests.
  bool equals(const MetadataImage& other) const;
};

}  // namespace eddy::metadata
