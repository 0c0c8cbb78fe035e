#include "metadata/controller.h"

#include <set>
#include <unordered_set>

#include <fmt/format.h>

namespace eddy::metadata {
namespace {

bool legal_topic_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool fits_record(const std::string& value) {
  return value.size() <= kMaxStringBytes;
}

Status validate_config_entries(const std::vector<ConfigEntry>& entries) {
  for (const ConfigEntry& entry : entries) {
    if (entry.key.empty() || !fits_record(entry.key) ||
        (entry.value && !fits_record(*entry.value))) {
      return Status::error(Error::kInvalidConfig,
                           fmt::format("Invalid config key or value for '{}'", entry.key));
    }
  }
  return {};
}

PartitionRecord new_partition(const Uuid& topic_id, int32_t index, int32_t node_id) {
  return PartitionRecord{topic_id, index, {node_id}, {node_id}, node_id, 0, 0};
}

Uuid fresh_topic_id(const MetadataImage& image) {
  Uuid id = Uuid::random();
  while (image.topic(id) != nullptr) id = Uuid::random();
  return id;
}

Status validate_partition_count(int32_t count) {
  if (count <= 0) {
    return Status::error(Error::kInvalidPartitions,
                         "Number of partitions was set to an invalid non-positive value.");
  }
  if (count > kMaxPartitionsPerTopic) {
    return Status::error(Error::kInvalidPartitions,
                         fmt::format("Number of partitions {} exceeds the limit of {}.", count,
                                     kMaxPartitionsPerTopic));
  }
  return {};
}

Status validate_replication_factor(int16_t factor) {
  if (factor <= 0) {
    return Status::error(Error::kInvalidReplicationFactor,
                         "Replication factor must be larger than 0, or -1 to use the default "
                         "value.");
  }
  // Single node: exactly one broker can hold a replica.
  if (factor > 1) {
    return Status::error(Error::kInvalidReplicationFactor,
                         fmt::format("Unable to replicate the partition {} time(s): The target "
                                     "replication factor of {} cannot be reached because only "
                                     "1 broker(s) are registered.",
                                     factor, factor));
  }
  return {};
}

Status validate_new_topic(const MetadataImage& image, const CreateTopicSpec& spec,
                          int32_t partitions, int16_t factor) {
  Status status = validate_topic_name(spec.name);
  if (!status.ok()) return status;
  if (image.topic(spec.name) != nullptr) {
    return Status::error(Error::kTopicExists, fmt::format("Topic '{}' already exists.", spec.name));
  }
  status = validate_partition_count(partitions);
  if (!status.ok()) return status;
  status = validate_replication_factor(factor);
  if (!status.ok()) return status;
  return validate_config_entries(spec.configs);
}

template <typename T, typename Key>
std::set<std::string> duplicate_names(const std::vector<T>& items, Key key) {
  std::set<std::string> seen;
  std::set<std::string> duplicates;
  for (const T& item : items) {
    if (!seen.insert(key(item)).second) duplicates.insert(key(item));
  }
  return duplicates;
}

Status duplicate_error() {
  return Status::error(Error::kInvalidRequest, "Duplicate resource in request.");
}

bool is_broker_resource_name(const std::string& name) {
  if (name.empty()) return true;  // cluster-wide default
  if (name.size() > 10) return false;
  for (char c : name) {
    if (c < '0' || c > '9') return false;
  }
  return std::stoll(name) <= INT32_MAX;
}

}  // namespace

bool is_internal_topic(const std::string& name) {
  return name == "__consumer_offsets" || name == "__transaction_state";
}

Status validate_topic_name(const std::string& name) {
  if (name.empty()) {
    return Status::error(Error::kInvalidTopic, "Topic name is illegal, it can't be empty");
  }
  if (name == "." || name == "..") {
    return Status::error(Error::kInvalidTopic, "Topic name cannot be \".\" or \"..\"");
  }
  if (name.size() > kMaxTopicNameBytes) {
    return Status::error(Error::kInvalidTopic,
                         fmt::format("Topic name is illegal, it can't be longer than {} "
                                     "characters, topic name: {}",
                                     kMaxTopicNameBytes, name));
  }
  for (char c : name) {
    if (!legal_topic_char(c)) {
      return Status::error(Error::kInvalidTopic,
                           fmt::format("Topic name \"{}\" is illegal, it contains a character "
                                       "other than ASCII alphanumerics, '.', '_' and '-'",
                                       name));
    }
  }
  return {};
}

std::vector<TopicResult> plan_create_topics(const MetadataImage& image,
                                            const ControllerDefaults& defaults,
                                            const std::vector<CreateTopicSpec>& specs,
                                            std::vector<Record>& records) {
  auto duplicates = duplicate_names(specs, [](const CreateTopicSpec& s) { return s.name; });
  std::vector<TopicResult> results;
  results.reserve(specs.size());
  for (const CreateTopicSpec& spec : specs) {
    TopicResult result{spec.name, {}, spec.num_partitions, spec.replication_factor, {}};
    if (result.num_partitions == -1) result.num_partitions = defaults.num_partitions;
    if (result.replication_factor == -1) result.replication_factor = defaults.replication_factor;
    result.status =
        duplicates.contains(spec.name)
            ? duplicate_error()
            : validate_new_topic(image, spec, result.num_partitions, result.replication_factor);
    if (result.status.ok()) {
      result.topic_id = fresh_topic_id(image);
      records.push_back(TopicRecord{spec.name, result.topic_id});
      for (int32_t i = 0; i < result.num_partitions; ++i) {
        records.push_back(new_partition(result.topic_id, i, defaults.node_id));
      }
      for (const ConfigEntry& entry : spec.configs) {
        if (!entry.value) continue;
        records.push_back(
            ConfigRecord{ConfigResourceType::kTopic, spec.name, entry.key, entry.value});
      }
    }
    results.push_back(std::move(result));
  }
  return results;
}

std::vector<DeleteTopicResult> plan_delete_topics(const MetadataImage& image,
                                                  const std::vector<TopicRef>& refs,
                                                  std::vector<Record>& records) {
  std::unordered_set<Uuid, UuidHash> removed;
  std::vector<DeleteTopicResult> results;
  results.reserve(refs.size());
  for (const TopicRef& ref : refs) {
    DeleteTopicResult result{ref.name, ref.topic_id, {}};
    const TopicImage* topic = ref.name.empty() ? image.topic(ref.topic_id) : image.topic(ref.name);
    if (topic == nullptr || removed.contains(topic->topic_id)) {
      result.status = ref.name.empty()
                          ? Status::error(Error::kUnknownTopicId,
                                          "This server does not "
                                          "host this topic ID.")
                          : Status::error(Error::kUnknownTopic,
                                          "This server does not host this topic-partition.");
    } else {
      result.name = topic->name;
      result.topic_id = topic->topic_id;
      removed.insert(topic->topic_id);
      records.push_back(RemoveTopicRecord{topic->topic_id});
    }
    results.push_back(std::move(result));
  }
  return results;
}

std::vector<CreatePartitionsResult> plan_create_partitions(
    const MetadataImage& image, const ControllerDefaults& defaults,
    const std::vector<CreatePartitionsSpec>& specs, std::vector<Record>& records) {
  auto duplicates = duplicate_names(specs, [](const CreatePartitionsSpec& s) { return s.name; });
  std::vector<CreatePartitionsResult> results;
  results.reserve(specs.size());
  for (const CreatePartitionsSpec& spec : specs) {
    CreatePartitionsResult result{spec.name, {}};
    const TopicImage* topic = image.topic(spec.name);
    int32_t current = topic ? static_cast<int32_t>(topic->partitions.size()) : 0;
    if (duplicates.contains(spec.name)) {
      result.status = duplicate_error();
    } else if (topic == nullptr) {
      result.status =
          Status::error(Error::kUnknownTopic, "This server does not host this topic-partition.");
    } else if (spec.count < current) {
      result.status = Status::error(
          Error::kInvalidPartitions,
          fmt::format("Topic currently has {} partitions, which is higher than the requested {}.",
                      current, spec.count));
    } else if (spec.count == current) {
      result.status = Status::error(Error::kInvalidPartitions,
                                    fmt::format("Topic already has {} partitions.", current));
    } else {
      result.status = validate_partition_count(spec.count);
    }
    if (result.status.ok()) {
      for (int32_t i = current; i < spec.count; ++i) {
        records.push_back(new_partition(topic->topic_id, i, defaults.node_id));
      }
    }
    results.push_back(std::move(result));
  }
  return results;
}

std::vector<AlterConfigsResult> plan_alter_configs(const MetadataImage& image,
                                                   const std::vector<AlterConfigsSpec>& specs,
                                                   std::vector<Record>& records) {
  auto key = [](const AlterConfigsSpec& s) {
    return fmt::format("{}:{}", static_cast<int>(s.resource_type), s.resource_name);
  };
  auto duplicates = duplicate_names(specs, key);
  std::vector<AlterConfigsResult> results;
  results.reserve(specs.size());
  for (const AlterConfigsSpec& spec : specs) {
    AlterConfigsResult result{spec.resource_type, spec.resource_name, {}};
    bool topic = spec.resource_type == ConfigResourceType::kTopic;
    if (duplicates.contains(key(spec))) {
      result.status = duplicate_error();
    } else if (topic && image.topic(spec.resource_name) == nullptr) {
      result.status =
          Status::error(Error::kUnknownTopic, "This server does not host this topic-partition.");
    } else if (!topic && !is_broker_resource_name(spec.resource_name)) {
      result.status =
          Status::error(Error::kInvalidRequest,
                        fmt::format("Invalid broker resource name '{}'", spec.resource_name));
    } else {
      result.status = validate_config_entries(spec.changes);
    }
    if (result.status.ok()) {
      for (const ConfigEntry& change : spec.changes) {
        records.push_back(
            ConfigRecord{spec.resource_type, spec.resource_name, change.key, change.value});
      }
    }
    results.push_back(std::move(result));
  }
  return results;
}

Status plan_register_broker(const RegisterBrokerRecord& registration,
                            std::vector<Record>& records) {
  bool fits = !registration.rack || fits_record(*registration.rack);
  for (const Listener& listener : registration.listeners) {
    fits = fits && fits_record(listener.name) && fits_record(listener.host);
  }
  if (registration.node_id < 0 || !fits || registration.listeners.size() > 1024) {
    return Status::error(Error::kInvalidRequest, "Invalid broker registration");
  }
  records.push_back(registration);
  return {};
}

}  // namespace eddy::metadata
