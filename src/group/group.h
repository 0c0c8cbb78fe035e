#pragma once

// One classic consumer group as the coordinator holds it in memory: state, generation,
// members with their protocols and assignments, and committed offsets. Plain data plus the
// rules that only read it (protocol selection, support checks); GroupManager changes it.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "group/consumer_offsets_records.h"
#include "group/timer_queue.h"
#include "protocol/generated/join_group_response.h"
#include "protocol/generated/sync_group_response.h"

namespace eddy::group {

enum class GroupState { kEmpty, kPreparingRebalance, kCompletingRebalance, kStable, kDead };

// Kafka's names, as DescribeGroups and ListGroups report them.
const char* state_name(GroupState state);

using JoinCallback = std::function<void(protocol::JoinGroupResponse)>;
using SyncCallback = std::function<void(protocol::SyncGroupResponse)>;

struct Protocol {
  std::string name;
  std::vector<uint8_t> metadata;
};

struct Member {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<Protocol> protocols;  // in the member's order of preference
  std::vector<uint8_t> assignment;
  JoinCallback awaiting_join;  // set while its JoinGroup is parked
  SyncCallback awaiting_sync;  // set while its SyncGroup is parked
  bool is_new = false;         // joined during the current rebalance
  int64_t joined_ms = 0;
  int64_t last_heartbeat_ms = 0;
  TimerId session_timer = kNoTimer;

  const Protocol* find_protocol(const std::string& name) const;
  // What the member's protocols hold: names and metadata.
  size_t protocol_bytes() const;
  bool same_protocols(const std::vector<Protocol>& other) const;
};

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

struct Group {
  std::string id;
  GroupState state = GroupState::kEmpty;
  int64_t state_timestamp_ms = -1;
  int32_t generation = 0;
  std::string protocol_type;  // empty until a member joins (simple groups never have one)
  std::optional<std::string> protocol_name;
  std::optional<std::string> leader_id;
  std::map<std::string, Member> members;
  std::map<std::string, std::string> static_members;  // group.instance.id -> member id
  std::set<std::string> pending_members;              // ids handed out with MEMBER_ID_REQUIRED
  std::map<TopicPartition, OffsetValue> offsets;

  TimerId join_timer = kNoTimer;  // the PreparingRebalance deadline
  TimerId sync_timer = kNoTimer;  // the CompletingRebalance deadline
  bool initial_delay = false;     // the join timer is the delayed initial rebalance
  bool new_member_added = false;  // a member joined during the initial delay
  int64_t initial_delay_remaining_ms = 0;

  bool is(GroupState other) const { return state == other; }
  bool has_member(const std::string& member_id) const { return members.count(member_id) > 0; }
  // True when a JoinGroup (or SyncGroup) of every member is parked.
  bool all_members_joined() const;
  size_t awaiting_join_count() const;
  int32_t max_rebalance_timeout_ms() const;
  // Whether a member with these protocols may join: same protocol type and at least one
  // protocol every current member supports.
  bool supports_protocols(const std::string& type, const std::vector<Protocol>& protocols) const;
  // The protocol with the most votes among those all members support; each member votes for
  // its most preferred supported one.
  std::string select_protocol() const;
  // The topics the members subscribe to, read from the consumer protocol's subscription
  // metadata; nullopt when the group does not use the consumer protocol or it cannot be read.
  std::optional<std::set<std::string>> subscribed_topics() const;
  GroupValue to_value() const;
  // The size of encode_group_value(to_value()), computed without copying anything (the
  // members' metadata and assignments may be large).
  size_t record_value_bytes() const;
};

// Empties `bytes` and gives its memory back (clear() would keep the capacity).
void release(std::vector<uint8_t>& bytes);

}  // namespace eddy::group
