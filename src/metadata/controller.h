#pragma once

// Controller operations as pure functions: validate a request against an image and
// produce the records that carry it out plus per-item results. The store runs them on the
// raft thread against the latest (possibly not yet committed) state, which makes
// validate-then-append atomic.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "metadata/image.h"
#include "metadata/log_records.h"
#include "metadata/types.h"

namespace eddy::metadata {

inline constexpr size_t kMaxTopicNameBytes = 249;
// One request may not create more partitions than this per topic: each partition is one
// record and a raft entry must stay bounded.
inline constexpr int32_t kMaxPartitionsPerTopic = 10000;

struct ConfigEntry {
  std::string key;
  std::optional<std::string> value;  // nullopt: delete (alter) / ignore (create)
};

struct CreateTopicSpec {
  std::string name;
  int32_t num_partitions = -1;      // -1: the default
  int16_t replication_factor = -1;  // -1: the default
  std::vector<ConfigEntry> configs;
};

struct TopicResult {
  std::string name;
  Uuid topic_id;  // zero when the topic was not created
  int32_t num_partitions = -1;
  int16_t replication_factor = -1;
  Status status;
};

// Identifies a topic by name, or by id when the name is empty.
struct TopicRef {
  std::string name;
  Uuid topic_id;
};

struct DeleteTopicResult {
  std::string name;
  Uuid topic_id;
  Status status;
};

struct CreatePartitionsSpec {
  std::string name;
  int32_t count = 0;  // new total number of partitions
};

struct CreatePartitionsResult {
  std::string name;
  Status status;
};

struct AlterConfigsSpec {
  ConfigResourceType resource_type = ConfigResourceType::kTopic;
  std::string resource_name;
  std::vector<ConfigEntry> changes;  // set when value present, delete otherwise
};

struct AlterConfigsResult {
  ConfigResourceType resource_type = ConfigResourceType::kTopic;
  std::string resource_name;
  Status status;
};

struct ControllerDefaults {
  int32_t node_id = 0;
  int32_t num_partitions = 1;      // num.partitions
  int16_t replication_factor = 1;  // default.replication.factor
};

// Returns an empty status when `name` is a legal Kafka topic name.
Status validate_topic_name(const std::string& name);

// Kafka's internal topics, written only by their coordinators: clients may not produce to,
// delete, auto-create or delete records of them.
bool is_internal_topic(const std::string& name);

// Each function appends the records to `records` (only for items that succeeded) and
// returns one result per requested item, in request order.
std::vector<TopicResult> plan_create_topics(const MetadataImage& image,
                                            const ControllerDefaults& defaults,
                                            const std::vector<CreateTopicSpec>& specs,
                                            std::vector<Record>& records);
std::vector<DeleteTopicResult> plan_delete_topics(const MetadataImage& image,
                                                  const std::vector<TopicRef>& refs,
                                                  std::vector<Record>& records);
std::vector<CreatePartitionsResult> plan_create_partitions(
    const MetadataImage& image, const ControllerDefaults& defaults,
    const std::vector<CreatePartitionsSpec>& specs, std::vector<Record>& records);
std::vector<AlterConfigsResult> plan_alter_configs(const MetadataImage& image,
                                                   const std::vector<AlterConfigsSpec>& specs,
                                                   std::vector<Record>& records);
Status plan_register_broker(const RegisterBrokerRecord& registration, std::vector<Record>& records);

}  // namespace eddy::metadata
