#pragma once

// Kafka's key and value layouts for the records of __consumer_offsets, so that Kafka's own
// tools can read an Eddy data directory. Every key and value starts with an int16 version.
//
//   OffsetCommitKey   v0-1: group string, topic string, partition int32
//   GroupMetadataKey  v2  : group string
//   OffsetCommitValue v1  : offset int64, metadata string, commit ts int64, expire ts int64
//                     v3  : offset int64, leader epoch int32, metadata string, commit ts int64
//   GroupMetadataValue v3 : protocol type string, generation int32, protocol nullable string,
//                           leader nullable string, current state ts int64, members array of
//                           {member id, group instance id (nullable), client id, client host,
//                           rebalance timeout int32, session timeout int32, subscription
//                           bytes, assignment bytes}
// A null value is a tombstone (the offset or group was deleted). Eddy writes the versions
// named above and reads every version Kafka defines (0-4; v4 is flexible).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace eddy::group {

inline constexpr const char* kOffsetsTopic = "__consumer_offsets";

enum class KeyType { kOffset, kGroup };

struct RecordKey {
  KeyType type = KeyType::kOffset;
  std::string group;
  std::string topic;       // offsets only
  int32_t partition = -1;  // offsets only
};

struct OffsetValue {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
  int64_t commit_timestamp_ms = -1;
  int64_t expire_timestamp_ms = -1;  // -1: none (written as v3); else written as v1
};

struct MemberValue {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = -1;
  int32_t session_timeout_ms = 0;
  std::vector<uint8_t> subscription;
  std::vector<uint8_t> assignment;
};

struct GroupValue {
  std::string protocol_type;
  int32_t generation = 0;
  std::optional<std::string> protocol;
  std::optional<std::string> leader;
  int64_t current_state_timestamp_ms = -1;
  std::vector<MemberValue> members;
};

std::vector<uint8_t> encode_offset_key(const std::string& group, const std::string& topic,
                                       int32_t partition);
std::vector<uint8_t> encode_group_key(const std::string& group);
std::vector<uint8_t> encode_offset_value(const OffsetValue& value);
std::vector<uint8_t> encode_group_value(const GroupValue& value);

// Decoders return false for bytes that are not a known version of the layout (disk input:
// never an assertion).
bool decode_key(std::span<const uint8_t> bytes, RecordKey& out);
bool decode_offset_value(std::span<const uint8_t> bytes, OffsetValue& out);
bool decode_group_value(std::span<const uint8_t> bytes, GroupValue& out);

}  // namespace eddy::group
