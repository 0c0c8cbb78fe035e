#pragma once

// GroupManager: the classic group protocol and committed offsets as a single-threaded state
// machine. Time is a parameter (`now_ms`) and deadlines live in a TimerQueue the owner drives
// with run_timers(), so tests use a fake clock. Records go to a RecordSink, synchronously: an
// answer that depends on a write is given only after the write returned.
//
// JoinGroup and SyncGroup answers may be parked and delivered later, from another call or a
// timer; every other call answers at once. Callbacks run inside the manager's calls and must
// not call back into it.
//
// Memory bound: a group's metadata record must fit in one record of __consumer_offsets
// (RecordSink::max_record_bytes). A JoinGroup whose protocol metadata alone exceeds it could
// never be stored and is refused with UNKNOWN_SERVER_ERROR (what Kafka's storeGroup answers
// for a record too large) before anything is kept; a group record that exceeds it (the
// leader's assignments, many members) fails the SyncGroup the same way without being built,
// and the assignments are released. Nothing of a failed write stays in memory.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "group/config.h"
#include "group/group.h"
#include "group/timer_queue.h"
#include "protocol/error_code.h"
#include "protocol/generated/describe_groups_response.h"
#include "protocol/generated/heartbeat_request.h"
#include "protocol/generated/heartbeat_response.h"
#include "protocol/generated/join_group_request.h"
#include "protocol/generated/leave_group_request.h"
#include "protocol/generated/leave_group_response.h"
#include "protocol/generated/list_groups_request.h"
#include "protocol/generated/list_groups_response.h"
#include "protocol/generated/offset_commit_request.h"
#include "protocol/generated/offset_commit_response.h"
#include "protocol/generated/offset_delete_request.h"
#include "protocol/generated/offset_delete_response.h"
#include "protocol/generated/offset_fetch_request.h"
#include "protocol/generated/offset_fetch_response.h"
#include "protocol/generated/sync_group_request.h"

namespace eddy::group {

using protocol::ErrorCode;

struct KeyValue {
  std::vector<uint8_t> key;
  std::optional<std::vector<uint8_t>> value;  // nullopt: tombstone
};

// Where the manager's records go: one batch per call, appended to a partition of
// __consumer_offsets. Returns the error code to answer with when the write failed.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual ErrorCode append(int32_t partition, const std::vector<KeyValue>& records,
                           int64_t now_ms) = 0;
  // The largest key plus value that one record appended to `partition` may have (the
  // partition's max.message.bytes less the batch's framing).
  virtual size_t max_record_bytes(int32_t partition) const = 0;
};

// Kafka's coordinator partition: Utils.abs(groupId.hashCode()) % partitions, with Java's
// String.hashCode over UTF-16 code units.
int32_t partition_for_group(std::string_view group_id, int32_t partition_count);

struct ClientInfo {
  int16_t api_version = 0;
  std::string client_id;
  std::string client_host;  // "/<ip>", as Kafka reports it
};

using FetchTopics = std::vector<protocol::OffsetFetchRequest::OffsetFetchRequestTopics>;
using FetchedGroup = protocol::OffsetFetchResponse::OffsetFetchResponseGroup;

class GroupManager {
 public:
  GroupManager(const GroupConfig& config, RecordSink& sink, int32_t partition_count);

  void join(protocol::JoinGroupRequest request, const ClientInfo& client, JoinCallback done,
            int64_t now_ms);
  void sync(protocol::SyncGroupRequest request, SyncCallback done, int64_t now_ms);
  protocol::HeartbeatResponse heartbeat(const protocol::HeartbeatRequest& request, int64_t now_ms);
  // Answers in the v3+ shape (per-member results); for v0-2 the top-level error is the
  // single member's.
  protocol::LeaveGroupResponse leave(const protocol::LeaveGroupRequest& request, int16_t version,
                                     int64_t now_ms);
  protocol::DescribeGroupsResponse::DescribedGroup describe(const std::string& group_id) const;
  std::vector<protocol::ListGroupsResponse::ListedGroup> list(
      const std::vector<std::string>& states_filter,
      const std::vector<std::string>& types_filter) const;
  ErrorCode delete_group(const std::string& group_id, int64_t now_ms);
  protocol::OffsetCommitResponse commit(const protocol::OffsetCommitRequest& request,
                                        int16_t version, int64_t now_ms);
  // `topics` nullopt: every committed offset of the group.
  FetchedGroup fetch(const std::string& group_id, const std::optional<FetchTopics>& topics) const;
  protocol::OffsetDeleteResponse delete_offsets(const protocol::OffsetDeleteRequest& request,
                                                int64_t now_ms);

  // Fires every deadline due at `now_ms`.
  void run_timers(int64_t now_ms);
  std::optional<int64_t> next_deadline() const { return timers_.next_deadline(); }
  // Expires offsets by offsets.retention.minutes and removes empty groups left without
  // offsets (the periodic job; also run by its own timer once start_expiry() was called).
  void expire_offsets(int64_t now_ms);
  void start_expiry(int64_t now_ms);

  // Start-up: feed every record of __consumer_offsets in log order (last value per key wins,
  // a null value deletes), then finish_loading() builds the groups.
  void load(const RecordKey& key, std::optional<std::span<const uint8_t>> value);
  void finish_loading(int64_t now_ms);

  // Answers every parked JoinGroup and SyncGroup with `error` (shutdown).
  void fail_parked(ErrorCode error);

  const Group* find(const std::string& group_id) const;
  size_t group_count() const { return groups_.size(); }
  size_t timer_count() const { return timers_.size(); }

 private:
  using Protocols = std::vector<Protocol>;

  // Membership (manager.cc).
  Group& create_group(const std::string& group_id, int64_t now_ms);
  void transition(Group& group, GroupState state, int64_t now_ms);
  void add_member_and_rebalance(Group& group, Member member, JoinCallback done, int64_t now_ms);
  void update_member_and_rebalance(Group& group, Member& member,
                                   const protocol::JoinGroupRequest& request, Protocols protocols,
                                   JoinCallback done, int64_t now_ms);
  void maybe_prepare_rebalance(Group& group, int64_t now_ms);
  void prepare_rebalance(Group& group, int64_t now_ms);
  void try_complete_join(Group& group, int64_t now_ms);
  void complete_join(Group& group, int64_t now_ms);
  void remove_member_and_update_group(Group& group, const std::string& member_id, int64_t now_ms);
  void erase_member(Group& group, const std::string& member_id);
  void fail_awaiting_sync(Group& group, ErrorCode error);
  void schedule_session(Group& group, Member& member);
  int64_t session_deadline(const Member& member) const;
  ErrorCode persist_group(const Group& group, int64_t now_ms);
  size_t max_record_bytes(const std::string& group_id) const;
  protocol::JoinGroupResponse current_generation(const Group& group, const Member& member,
                                                 bool with_members, bool skip_assignment) const;
  void remove_group(Group& group, int64_t now_ms);

  // Join paths (join.cc).
  void join_unknown_member(Group& group, protocol::JoinGroupRequest& request,
                           const ClientInfo& client, Protocols protocols, JoinCallback& done,
                           int64_t now_ms);
  void join_known_member(Group& group, protocol::JoinGroupRequest& request,
                         const ClientInfo& client, Protocols protocols, JoinCallback& done,
                         int64_t now_ms);
  void join_static_member(Group& group, protocol::JoinGroupRequest& request,
                          const ClientInfo& client, Protocols protocols,
                          const std::string& new_member_id, JoinCallback& done, int64_t now_ms);
  bool accepts_joining_member(const Group& group, const std::string& member_id) const;
  Member new_member(const protocol::JoinGroupRequest& request, const ClientInfo& client,
                    Protocols protocols, std::string member_id) const;
  std::string generate_member_id(const std::string& prefix);
  void complete_sync(Group& group, protocol::SyncGroupRequest& request, int64_t now_ms);
  ErrorCode leave_member(Group& group, const protocol::LeaveGroupRequest::MemberIdentity& identity,
                         int64_t now_ms);

  // Timers.
  void on_timer(const TimerEvent& event, int64_t now_ms);
  void on_join_timer(Group& group, int64_t now_ms);
  void on_sync_timer(Group& group, int32_t generation, int64_t now_ms);
  void on_session_timer(Group& group, const std::string& member_id, int64_t now_ms);
  void on_pending_member_timer(Group& group, const std::string& member_id, int64_t now_ms);

  // Offsets (offsets.cc).
  ErrorCode validate_commit(Group& group, const protocol::OffsetCommitRequest& request,
                            int64_t now_ms);
  std::vector<TopicPartition> expired_offsets(const Group& group, int64_t now_ms) const;
  Group* find_mutable(const std::string& group_id);

  const GroupConfig config_;
  RecordSink& sink_;
  const int32_t partition_count_;
  std::map<std::string, Group> groups_;
  TimerQueue timers_;
  uint64_t member_counter_ = 0;
  bool expiry_started_ = false;
  // Start-up state, emptied by finish_loading().
  std::map<std::string, GroupValue> loaded_groups_;
  std::map<std::string, std::map<TopicPartition, OffsetValue>> loaded_offsets_;
};

}  // namespace eddy::group
