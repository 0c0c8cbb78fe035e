#pragma once

// Typed metadata records and their binary encoding. The byte layout is specified in
// docs/metadata-log.md; decoding never trusts its input and reports errors as values.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "metadata/types.h"

namespace eddy::metadata {

// Record type numbers. Gaps are reserved so later records keep stable numbers.
enum class RecordType : uint16_t {
  kRegisterBroker = 1,
  kTopic = 2,
  kPartition = 3,
  kConfig = 4,
  kRemoveTopic = 5,
  // Reserved, not yet implemented:
  kUnregisterBroker = 6,
  kPartitionChange = 7,
  kProducerIds = 8,
  kAccessControlEntry = 9,
  kRemoveAccessControlEntry = 10,
  kFeatureLevel = 11,
  kClientQuota = 12,
};

struct Listener {
  std::string name;
  std::string host;
  int32_t port = 0;
  bool operator==(const Listener&) const = default;
};

struct RegisterBrokerRecord {
  int32_t node_id = 0;
  std::vector<Listener> listeners;
  std::optional<std::string> rack;
  bool operator==(const RegisterBrokerRecord&) const = default;
};

struct TopicRecord {
  std::string name;
  Uuid topic_id;
  bool operator==(const TopicRecord&) const = default;
};

struct PartitionRecord {
  Uuid topic_id;
  int32_t partition_index = 0;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
  int32_t leader = -1;
  int32_t leader_epoch = 0;
  int32_t partition_epoch = 0;
  bool operator==(const PartitionRecord&) const = default;
};

struct ConfigRecord {
  ConfigResourceType resource_type = ConfigResourceType::kTopic;
  std::string resource_name;
  std::string key;
  std::optional<std::string> value;  // nullopt deletes the key
  bool operator==(const ConfigRecord&) const = default;
};

struct RemoveTopicRecord {
  Uuid topic_id;
  bool operator==(const RemoveTopicRecord&) const = default;
};

using Record = std::variant<RegisterBrokerRecord, TopicRecord, PartitionRecord, ConfigRecord,
                            RemoveTopicRecord>;

// Encoded size limits that keep a single record's strings within the u16 length prefix.
inline constexpr size_t kMaxStringBytes = 32767;

// Appends one framed record (type, version, length, payload) to `out`.
void encode_record(const Record& record, std::vector<uint8_t>& out);

// A batch is what one raft entry carries: a header plus framed records.
std::vector<uint8_t> encode_batch(const std::vector<Record>& records);

struct DecodeResult {
  std::vector<Record> records;
  std::string error;  // empty on success
  bool ok() const { return error.empty(); }
};

// Decodes a whole batch; any malformed byte makes the whole batch an error.
DecodeResult decode_batch(const uint8_t* data, size_t size_bytes);

}  // namespace eddy::metadata
