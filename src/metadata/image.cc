#include "metadata/image.h"

namespace eddy::metadata {

const TopicImage* MetadataImage::topic(const std::string& name) const {
  auto it = topics_by_name.find(name);
  return it == topics_by_name.end() ? nullptr : it->second.get();
}

const TopicImage* MetadataImage::topic(const Uuid& id) const {
  auto it = topics_by_id.find(id);
  return it == topics_by_id.end() ? nullptr : it->second.get();
}

const PartitionImage* MetadataImage::partition(const std::string& name, int32_t index) const {
  const TopicImage* found = topic(name);
  return found == nullptr ? nullptr : found->partition(index);
}

bool MetadataImage::equals(const MetadataImage& other) const {
  if (cluster_id != other.cluster_id || controller_id != other.controller_id ||
      last_applied_index != other.last_applied_index || brokers != other.brokers ||
      broker_configs != other.broker_configs ||
      topics_by_name.size() != other.topics_by_name.size() ||
      topics_by_id.size() != other.topics_by_id.size()) {
    return false;
  }
  for (const auto& [name, topic_ptr] : topics_by_name) {
    const TopicImage* theirs = other.topic(name);
    if (theirs == nullptr || !(*theirs == *topic_ptr)) return false;
    if (other.topic(topic_ptr->topic_id) != theirs) return false;
  }
  return true;
}

}  // namespace eddy::metadata
