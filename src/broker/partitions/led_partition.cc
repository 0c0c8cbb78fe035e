#include "broker/partitions/led_partition.h"

#include "common/assert.h"

namespace eddy::broker {

using protocol::ErrorCode;

ErrorCode check_leader_epoch(int32_t current_leader_epoch, int32_t leader_epoch) {
  if (current_leader_epoch < 0 || current_leader_epoch == leader_epoch) return ErrorCode::kNone;
  return current_leader_epoch > leader_epoch ? ErrorCode::kUnknownLeaderEpoch
                                             : ErrorCode::kFencedLeaderEpoch;
}

LedPartition find_led_partition(const PartitionView& view, const metadata::TopicImage* topic,
                                int32_t partition, int32_t current_leader_epoch) {
  LedPartition out;
  const metadata::PartitionImage* image = topic == nullptr ? nullptr : topic->partition(partition);
  if (image == nullptr) {
    out.error = ErrorCode::kUnknownTopicOrPartition;
    return out;
  }
  EDDY_ASSERT(image->partition_index == partition);
  if (image->leader != view.config.node_id) {
    out.error = ErrorCode::kNotLeaderOrFollower;
    return out;
  }
  out.leader_epoch = image->leader_epoch;
  out.error = check_leader_epoch(current_leader_epoch, image->leader_epoch);
  if (out.error != ErrorCode::kNone) return out;
  out.log = view.logs.get(topic->name, partition);
  if (out.log == nullptr) {
    // A log that failed to open (out of descriptors, I/O error) is Kafka's offline log dir.
    out.error = view.logs.offline(topic->name, partition) ? ErrorCode::kKafkaStorageError
                                                          : ErrorCode::kNotLeaderOrFollower;
  }
  return out;
}

LedPartition find_led_partition(const PartitionView& view, const std::string& topic,
                                int32_t partition, int32_t current_leader_epoch) {
  return find_led_partition(view, view.image.topic(topic), partition, current_leader_epoch);
}

}  // namespace eddy::broker
