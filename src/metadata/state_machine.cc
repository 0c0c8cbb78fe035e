#include "metadata/state_machine.h"

#include <fmt/format.h>

#include "metadata/byte_codec.h"

namespace eddy::metadata {
namespace {

constexpr uint32_t kSnapshotMagic = 0x45444d53;  // "EDMS"
constexpr uint16_t kSnapshotVersion = 1;
constexpr size_t kSnapshotHeaderBytes = 4 + 2 + 8;

Status invalid(std::string message) {
  return Status::error(Error::kInvalidRequest, std::move(message));
}

}  // namespace

void MetadataStateMachine::set_identity(const std::string& cluster_id, int32_t controller_id) {
  image_.cluster_id = cluster_id;
  image_.controller_id = controller_id;
}

Status MetadataStateMachine::apply(const Record& record) {
  return std::visit([this](const auto& rec) { return apply_record(rec); }, record);
}

std::shared_ptr<const MetadataImage> MetadataStateMachine::publish() {
  writable_.clear();
  return std::make_shared<const MetadataImage>(image_);
}

TopicImage* MetadataStateMachine::writable_topic(Uuid id) {
  auto owned = writable_.find(id);
  if (owned != writable_.end()) return owned->second.get();
  auto it = image_.topics_by_id.find(id);
  if (it == image_.topics_by_id.end()) return nullptr;
  auto copy = std::make_shared<TopicImage>(*it->second);
  it->second = copy;
  image_.topics_by_name[copy->name] = copy;
  writable_.emplace(id, copy);
  return copy.get();
}

Status MetadataStateMachine::apply_record(const RegisterBrokerRecord& rec) {
  image_.brokers[rec.node_id] = BrokerImage{rec.node_id, rec.listeners, rec.rack};
  return {};
}

Status MetadataStateMachine::apply_record(const TopicRecord& rec) {
  if (rec.topic_id.is_zero()) return invalid("topic record with zero id");
  if (image_.topics_by_name.contains(rec.name)) {
    return invalid(fmt::format("topic {} already exists", rec.name));
  }
  if (image_.topics_by_id.contains(rec.topic_id)) {
    return invalid(fmt::format("topic id {} already exists", rec.topic_id.to_string()));
  }
  auto topic = std::make_shared<TopicImage>();
  topic->name = rec.name;
  topic->topic_id = rec.topic_id;
  image_.topics_by_name.emplace(rec.name, topic);
  image_.topics_by_id.emplace(rec.topic_id, topic);
  writable_.emplace(rec.topic_id, topic);
  return {};
}

Status MetadataStateMachine::apply_record(const PartitionRecord& rec) {
  const TopicImage* current = image_.topic(rec.topic_id);
  if (current == nullptr) return invalid("partition record for unknown topic id");
  size_t count = current->partitions.size();
  if (rec.partition_index < 0 || static_cast<size_t>(rec.partition_index) > count) {
    return invalid(
        fmt::format("partition {} out of order for {}", rec.partition_index, current->name));
  }
  TopicImage* topic = writable_topic(rec.topic_id);
  PartitionImage partition{rec.partition_index, rec.replicas,     rec.isr,
                           rec.leader,          rec.leader_epoch, rec.partition_epoch};
  if (static_cast<size_t>(rec.partition_index) == count) {
    topic->partitions.push_back(std::move(partition));
  } else {
    topic->partitions[static_cast<size_t>(rec.partition_index)] = std::move(partition);
  }
  return {};
}

Status MetadataStateMachine::apply_record(const ConfigRecord& rec) {
  if (rec.resource_type == ConfigResourceType::kBroker) {
    ConfigMap& configs = image_.broker_configs[rec.resource_name];
    if (rec.value) {
      configs[rec.key] = *rec.value;
    } else {
      configs.erase(rec.key);
    }
    if (configs.empty()) image_.broker_configs.erase(rec.resource_name);
    return {};
  }
  const TopicImage* current = image_.topic(rec.resource_name);
  if (current == nullptr) return invalid("config record for unknown topic");
  TopicImage* topic = writable_topic(current->topic_id);
  if (rec.value) {
    topic->configs[rec.key] = *rec.value;
  } else {
    topic->configs.erase(rec.key);
  }
  return {};
}

Status MetadataStateMachine::apply_record(const RemoveTopicRecord& rec) {
  auto it = image_.topics_by_id.find(rec.topic_id);
  if (it == image_.topics_by_id.end()) return invalid("remove of unknown topic id");
  image_.topics_by_name.erase(it->second->name);
  image_.topics_by_id.erase(it);
  writable_.erase(rec.topic_id);
  return {};
}

std::vector<uint8_t> encode_snapshot(const MetadataImage& image) {
  std::vector<Record> records;
  for (const auto& [node_id, broker] : image.brokers) {
    records.emplace_back(RegisterBrokerRecord{node_id, broker.listeners, broker.rack});
  }
  for (const auto& [name, configs] : image.broker_configs) {
    for (const auto& [key, value] : configs) {
      records.emplace_back(ConfigRecord{ConfigResourceType::kBroker, name, key, value});
    }
  }
  for (const auto& [name, topic] : image.topics_by_name) {
    records.emplace_back(TopicRecord{name, topic->topic_id});
    for (const PartitionImage& p : topic->partitions) {
      records.emplace_back(PartitionRecord{topic->topic_id, p.partition_index, p.replicas, p.isr,
                                           p.leader, p.leader_epoch, p.partition_epoch});
    }
    for (const auto& [key, value] : topic->configs) {
      records.emplace_back(ConfigRecord{ConfigResourceType::kTopic, name, key, value});
    }
  }
  ByteWriter header;
  header.u32(kSnapshotMagic);
  header.u16(kSnapshotVersion);
  header.u64(image.last_applied_index);
  std::vector<uint8_t> out = std::move(header.bytes());
  std::vector<uint8_t> batch = encode_batch(records);
  out.insert(out.end(), batch.begin(), batch.end());
  return out;
}

SnapshotDecodeResult decode_snapshot(const uint8_t* data, size_t size_bytes) {
  SnapshotDecodeResult result;
  ByteReader r(data, size_bytes);
  uint32_t magic = 0;
  uint16_t version = 0;
  uint64_t last_applied_index = 0;
  if (!r.u32(magic) || !r.u16(version) || !r.u64(last_applied_index)) {
    result.error = "truncated snapshot header";
    return result;
  }
  if (magic != kSnapshotMagic || version != kSnapshotVersion) {
    result.error = "bad snapshot magic or version";
    return result;
  }
  DecodeResult batch = decode_batch(data + kSnapshotHeaderBytes, size_bytes - kSnapshotHeaderBytes);
  if (!batch.ok()) {
    result.error = "snapshot: " + batch.error;
    return result;
  }
  MetadataStateMachine machine;
  for (const Record& record : batch.records) {
    Status status = machine.apply(record);
    if (!status.ok()) {
      result.error = "snapshot: " + status.message.value_or("inconsistent record");
      return result;
    }
  }
  machine.set_last_applied_index(last_applied_index);
  result.image = machine.image();
  return result;
}

}  // namespace eddy::metadata
