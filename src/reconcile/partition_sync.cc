#include "reconcile/partition_sync.h"

#include <set>

#include "common/log.h"
#include "reconcile/resolve.h"

namespace eddy::reconcile {

void PartitionSync::create_logs(const metadata::MetadataImage& image,
                                const metadata::TopicImage& topic, int32_t first_partition) {
  const config::TopicConfig log_config = topic_config_for(config_, image, topic.configs);
  for (auto index = static_cast<size_t>(first_partition); index < topic.partitions.size();
       ++index) {
    const int32_t partition = topic.partitions[index].partition_index;
    if (logs_.get(topic.name, partition) != nullptr) continue;
    storage::Error error = storage::Error::kNone;
    logs_.create_partition(topic.name, partition, log_config, error);
    if (error != storage::Error::kNone) {
      // The log manager retries it in the background; meanwhile its requests get
      // KAFKA_STORAGE_ERROR.
      spdlog::error("cannot create log for {}-{}: {}", topic.name, partition,
                    storage::to_string(error));
    }
  }
}

void PartitionSync::delete_logs(const metadata::TopicImage& topic) {
  for (const auto& partition : topic.partitions) {
    const storage::Error error = logs_.delete_partition(topic.name, partition.partition_index);
    if (error != storage::Error::kNone && error != storage::Error::kUnknownPartition) {
      spdlog::error("cannot delete log for {}-{}: {}", topic.name, partition.partition_index,
                    storage::to_string(error));
    }
  }
}

void PartitionSync::apply(const metadata::MetadataImage& old_image,
                          const metadata::MetadataImage& new_image) {
  for (const auto& [name, old_topic] : old_image.topics_by_name) {
    const metadata::TopicImage* now = new_image.topic(name);
    if (now == nullptr || now->topic_id != old_topic->topic_id) delete_logs(*old_topic);
  }
  // Dynamic broker configs feed every topic's resolution.
  const bool broker_configs_changed = old_image.broker_configs != new_image.broker_configs;
  for (const auto& [name, topic] : new_image.topics_by_name) {
    const metadata::TopicImage* before = old_image.topic(name);
    const bool same_topic = before != nullptr && before->topic_id == topic->topic_id;
    const bool unchanged = same_topic && before == topic.get();  // shared copy-on-write
    if (!unchanged) {
      create_logs(new_image, *topic,
                  same_topic ? static_cast<int32_t>(before->partitions.size()) : 0);
    }
    if (same_topic && (before->configs != topic->configs || broker_configs_changed)) {
      update_configs(new_image, *topic);
    }
  }
}

void PartitionSync::update_configs(const metadata::MetadataImage& image,
                                   const metadata::TopicImage& topic) {
  const config::TopicConfig log_config = topic_config_for(config_, image, topic.configs);
  for (const auto& partition : topic.partitions) {
    if (auto log = logs_.get(topic.name, partition.partition_index)) {
      log->update_config(log_config);
    }
  }
}

void PartitionSync::reconcile(const metadata::MetadataImage& image) {
  for (const auto& [name, topic] : image.topics_by_name) create_logs(image, *topic, 0);
  std::set<std::string> reported;
  for (const auto& [topic, partition] : logs_.partitions()) {
    if (image.topic(topic) == nullptr && reported.insert(topic).second) {
      spdlog::warn("log dir holds topic '{}' that the metadata log does not know; left untouched",
                   topic);
    }
  }
}

int32_t first_partition_without_log(const storage::LogManager& logs,
                                    const metadata::TopicImage& topic, int32_t node_id) {
  for (const auto& partition : topic.partitions) {
    if (partition.leader != node_id) continue;
    if (logs.get(topic.name, partition.partition_index) == nullptr) {
      return partition.partition_index;
    }
  }
  return -1;
}

}  // namespace eddy::reconcile
