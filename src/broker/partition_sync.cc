#include "broker/partition_sync.h"

#include <set>

#include "broker/log_config.h"
#include "common/log.h"

namespace eddy::broker {

void PartitionSync::create_logs(const metadata::TopicImage& topic, int32_t first_partition) {
  const storage::LogConfig log_config = log_config_for(config_, topic.configs);
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
  for (const auto& [name, topic] : new_image.topics_by_name) {
    const metadata::TopicImage* before = old_image.topic(name);
    const bool same_topic = before != nullptr && before->topic_id == topic->topic_id;
    if (same_topic && before == topic.get()) continue;  // unchanged (shared copy-on-write)
    create_logs(*topic, same_topic ? static_cast<int32_t>(before->partitions.size()) : 0);
    if (same_topic && before->configs != topic->configs) {
      const storage::LogConfig log_config = log_config_for(config_, topic->configs);
      for (const auto& partition : topic->partitions) {
        if (auto log = logs_.get(name, partition.partition_index)) log->update_config(log_config);
      }
    }
  }
}

void PartitionSync::reconcile(const metadata::MetadataImage& image) {
  for (const auto& [name, topic] : image.topics_by_name) create_logs(*topic, 0);
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

}  // namespace eddy::broker
