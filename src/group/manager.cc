// GroupManager: group life cycle shared by every API (rebalance, member removal, timers).

#include "group/manager.h"

#include <fmt/format.h>

#include "common/assert.h"
#include "common/log.h"

namespace eddy::group {
namespace {

// Java's String.hashCode over the UTF-16 code units of the (UTF-8) id; malformed bytes count
// as U+FFFD, as Java's decoder would make them.
int32_t java_string_hash(std::string_view text) {
  uint32_t hash = 0;
  const auto add = [&hash](uint32_t unit) { hash = hash * 31 + unit; };
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<uint8_t>(text[i]);
    size_t length = byte < 0x80           ? 1
                    : (byte >> 5) == 0x6  ? 2
                    : (byte >> 4) == 0xe  ? 3
                    : (byte >> 3) == 0x1e ? 4
                                          : 0;
    uint32_t code_point = length == 1   ? byte
                          : length == 2 ? byte & 0x1f
                          : length == 3 ? byte & 0x0f
                                        : byte & 0x07;
    bool valid = length != 0 && i + length <= text.size();
    for (size_t k = 1; valid && k < length; ++k) {
      const auto next = static_cast<uint8_t>(text[i + k]);
      valid = (next & 0xc0) == 0x80;
      code_point = (code_point << 6) | (next & 0x3f);
    }
    if (!valid) {
      add(0xfffd);
      ++i;
      continue;
    }
    i += length;
    if (code_point >= 0x10000) {
      code_point -= 0x10000;
      add(0xd800 + (code_point >> 10));
      add(0xdc00 + (code_point & 0x3ff));
    } else {
      add(code_point);
    }
  }
  return static_cast<int32_t>(hash);
}

}  // namespace

int32_t partition_for_group(std::string_view group_id, int32_t partition_count) {
  EDDY_ASSERT(partition_count > 0);
  const int32_t hash = java_string_hash(group_id);
  // Kafka's Utils.abs: Integer.MIN_VALUE maps to 0.
  const int32_t positive = hash == INT32_MIN ? 0 : (hash < 0 ? -hash : hash);
  return positive % partition_count;
}

GroupManager::GroupManager(const GroupConfig& config, RecordSink& sink, int32_t partition_count)
    : config_(config), sink_(sink), partition_count_(partition_count) {
  EDDY_ASSERT(partition_count > 0);
}

const Group* GroupManager::find(const std::string& group_id) const {
  const auto found = groups_.find(group_id);
  return found == groups_.end() ? nullptr : &found->second;
}

Group* GroupManager::find_mutable(const std::string& group_id) {
  const auto found = groups_.find(group_id);
  return found == groups_.end() ? nullptr : &found->second;
}

Group& GroupManager::create_group(const std::string& group_id, int64_t now_ms) {
  auto [it, inserted] = groups_.try_emplace(group_id);
  if (inserted) {
    it->second.id = group_id;
    it->second.state_timestamp_ms = now_ms;
  }
  return it->second;
}

void GroupManager::transition(Group& group, GroupState state, int64_t now_ms) {
  group.state = state;
  group.state_timestamp_ms = now_ms;
}

void GroupManager::add_member_and_rebalance(Group& group, Member member, JoinCallback done,
                                            int64_t now_ms) {
  member.awaiting_join = std::move(done);
  member.is_new = true;
  member.joined_ms = now_ms;
  member.last_heartbeat_ms = now_ms;
  if (group.members.empty()) group.protocol_type = member.protocol_type;
  if (!group.leader_id) group.leader_id = member.member_id;
  if (member.group_instance_id) group.static_members[*member.group_instance_id] = member.member_id;
  group.pending_members.erase(member.member_id);
  const std::string member_id = member.member_id;
  Member& added = group.members.insert_or_assign(member_id, std::move(member)).first->second;
  schedule_session(group, added);
  if (group.is(GroupState::kPreparingRebalance) && group.initial_delay) {
    group.new_member_added = true;
  }
  maybe_prepare_rebalance(group, now_ms);
  try_complete_join(group, now_ms);
}

void GroupManager::update_member_and_rebalance(Group& group, Member& member,
                                               const protocol::JoinGroupRequest& request,
                                               Protocols protocols, JoinCallback done,
                                               int64_t now_ms) {
  if (member.awaiting_join) {
    // A second JoinGroup replaces the first, which is answered so no request hangs.
    protocol::JoinGroupResponse superseded;
    superseded.error_code = protocol::to_int(ErrorCode::kRebalanceInProgress);
    superseded.member_id = member.member_id;
    member.awaiting_join(std::move(superseded));
  }
  member.protocols = std::move(protocols);
  member.session_timeout_ms = request.session_timeout_ms;
  member.rebalance_timeout_ms = request.rebalance_timeout_ms;
  member.awaiting_join = std::move(done);
  member.last_heartbeat_ms = now_ms;
  maybe_prepare_rebalance(group, now_ms);
  try_complete_join(group, now_ms);
}

void GroupManager::maybe_prepare_rebalance(Group& group, int64_t now_ms) {
  if (group.is(GroupState::kStable) || group.is(GroupState::kCompletingRebalance) ||
      group.is(GroupState::kEmpty)) {
    prepare_rebalance(group, now_ms);
  }
}

void GroupManager::prepare_rebalance(Group& group, int64_t now_ms) {
  if (group.is(GroupState::kCompletingRebalance)) {
    fail_awaiting_sync(group, ErrorCode::kRebalanceInProgress);
  }
  timers_.cancel(group.sync_timer);
  group.sync_timer = kNoTimer;
  timers_.cancel(group.join_timer);
  // An empty group waits group.initial.rebalance.delay.ms (extended while members keep
  // arriving, up to the rebalance timeout) so that a starting fleet forms one generation.
  const bool initial = group.is(GroupState::kEmpty);
  transition(group, GroupState::kPreparingRebalance, now_ms);
  group.initial_delay = initial;
  group.new_member_added = false;
  int64_t delay_ms = group.max_rebalance_timeout_ms();
  if (initial) {
    delay_ms = config_.initial_rebalance_delay_ms;
    group.initial_delay_remaining_ms =
        std::max<int64_t>(group.max_rebalance_timeout_ms() - delay_ms, 0);
  }
  group.join_timer = timers_.schedule(now_ms + delay_ms, {TimerKind::kJoin, group.id, {}, 0});
  spdlog::info("group '{}': preparing to rebalance (generation {})", group.id, group.generation);
}

void GroupManager::try_complete_join(Group& group, int64_t now_ms) {
  if (group.is(GroupState::kPreparingRebalance) && !group.initial_delay &&
      group.all_members_joined()) {
    complete_join(group, now_ms);
  }
}

void GroupManager::complete_join(Group& group, int64_t now_ms) {
  timers_.cancel(group.join_timer);
  group.join_timer = kNoTimer;
  group.initial_delay = false;
  std::vector<std::string> not_rejoined;
  for (const auto& [id, member] : group.members) {
    if (!member.awaiting_join) not_rejoined.push_back(id);
  }
  for (const std::string& id : not_rejoined) erase_member(group, id);
  ++group.generation;
  if (group.members.empty()) {
    group.protocol_name.reset();
    group.leader_id.reset();
    transition(group, GroupState::kEmpty, now_ms);
    persist_group(group, now_ms);
    spdlog::info("group '{}': generation {} is empty", group.id, group.generation);
    return;
  }
  if (!group.leader_id || !group.has_member(*group.leader_id)) {
    group.leader_id = group.members.begin()->first;
  }
  group.protocol_name = group.select_protocol();
  transition(group, GroupState::kCompletingRebalance, now_ms);
  group.sync_timer = timers_.schedule(now_ms + group.max_rebalance_timeout_ms(),
                                      {TimerKind::kSync, group.id, {}, group.generation});
  spdlog::info("group '{}': generation {} with {} members, protocol {}, leader {}", group.id,
               group.generation, group.members.size(), *group.protocol_name, *group.leader_id);
  for (auto& [id, member] : group.members) {
    JoinCallback done = std::move(member.awaiting_join);
    member.awaiting_join = nullptr;
    member.is_new = false;
    member.last_heartbeat_ms = now_ms;
    schedule_session(group, member);  // a new member's timer was at the join timeout
    done(current_generation(group, member, id == *group.leader_id, false));
  }
}

protocol::JoinGroupResponse GroupManager::current_generation(const Group& group,
                                                             const Member& member,
                                                             bool with_members,
                                                             bool skip_assignment) const {
  protocol::JoinGroupResponse response;
  response.generation_id = group.generation;
  response.protocol_type = group.protocol_type;
  response.protocol_name = group.protocol_name;
  response.leader = group.leader_id.value_or("");
  response.member_id = member.member_id;
  response.skip_assignment = skip_assignment;
  if (!with_members) return response;
  for (const auto& [id, other] : group.members) {
    protocol::JoinGroupResponse::JoinGroupResponseMember entry;
    entry.member_id = id;
    entry.group_instance_id = other.group_instance_id;
    const Protocol* chosen =
        group.protocol_name ? other.find_protocol(*group.protocol_name) : nullptr;
    if (chosen != nullptr) entry.metadata = chosen->metadata;
    response.members.push_back(std::move(entry));
  }
  return response;
}

void GroupManager::fail_awaiting_sync(Group& group, ErrorCode error) {
  for (auto& [id, member] : group.members) {
    release(member.assignment);
    if (!member.awaiting_sync) continue;
    SyncCallback done = std::move(member.awaiting_sync);
    member.awaiting_sync = nullptr;
    protocol::SyncGroupResponse response;
    response.error_code = protocol::to_int(error);
    done(std::move(response));
  }
}

void GroupManager::erase_member(Group& group, const std::string& member_id) {
  const auto found = group.members.find(member_id);
  if (found == group.members.end()) return;
  Member& member = found->second;
  timers_.cancel(member.session_timer);
  if (member.awaiting_join) {
    protocol::JoinGroupResponse response;
    response.error_code = protocol::to_int(ErrorCode::kUnknownMemberId);
    response.member_id = member_id;
    member.awaiting_join(std::move(response));
  }
  if (member.awaiting_sync) {
    protocol::SyncGroupResponse response;
    response.error_code = protocol::to_int(ErrorCode::kUnknownMemberId);
    member.awaiting_sync(std::move(response));
  }
  if (member.group_instance_id) group.static_members.erase(*member.group_instance_id);
  group.members.erase(found);
  if (group.leader_id == member_id) {
    group.leader_id.reset();
    if (!group.members.empty()) group.leader_id = group.members.begin()->first;
  }
}

void GroupManager::remove_member_and_update_group(Group& group, const std::string& member_id,
                                                  int64_t now_ms) {
  erase_member(group, member_id);
  if (group.is(GroupState::kStable) || group.is(GroupState::kCompletingRebalance)) {
    prepare_rebalance(group, now_ms);
  }
  try_complete_join(group, now_ms);
}

int64_t GroupManager::session_deadline(const Member& member) const {
  if (member.awaiting_join && member.is_new) {
    return member.joined_ms + config_.new_member_join_timeout_ms;
  }
  return member.last_heartbeat_ms + member.session_timeout_ms;
}

void GroupManager::schedule_session(Group& group, Member& member) {
  timers_.cancel(member.session_timer);
  member.session_timer = timers_.schedule(session_deadline(member),
                                          {TimerKind::kSession, group.id, member.member_id, 0});
}

size_t GroupManager::max_record_bytes(const std::string& group_id) const {
  return sink_.max_record_bytes(partition_for_group(group_id, partition_count_));
}

ErrorCode GroupManager::persist_group(const Group& group, int64_t now_ms) {
  std::vector<KeyValue> records(1);
  records[0].key = encode_group_key(group.id);
  // Checked before the record is built: building it copies every member's metadata and
  // assignment several times over.
  const size_t record_bytes = records[0].key.size() + group.record_value_bytes();
  if (record_bytes > max_record_bytes(group.id)) {
    spdlog::error(
        "group '{}': its metadata record of {} bytes exceeds the {} bytes {} takes; answering "
        "UNKNOWN_SERVER_ERROR",
        group.id, record_bytes, max_record_bytes(group.id), kOffsetsTopic);
    return ErrorCode::kUnknownServerError;
  }
  records[0].value = encode_group_value(group.to_value());
  ErrorCode error = sink_.append(partition_for_group(group.id, partition_count_), records, now_ms);
  // The sink answers in OffsetCommit's terms; Kafka's storeGroup answers a record too large
  // (MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE) with UNKNOWN_SERVER_ERROR.
  if (error == ErrorCode::kInvalidCommitOffsetSize) error = ErrorCode::kUnknownServerError;
  if (error != ErrorCode::kNone) {
    spdlog::warn("group '{}': writing its metadata failed: {}", group.id, protocol::to_int(error));
  }
  return error;
}

void GroupManager::remove_group(Group& group, int64_t now_ms) {
  EDDY_ASSERT(group.members.empty());
  timers_.cancel(group.join_timer);
  timers_.cancel(group.sync_timer);
  transition(group, GroupState::kDead, now_ms);
  const std::string group_id = group.id;  // the key must outlive the erase
  groups_.erase(group_id);
}

void GroupManager::fail_parked(ErrorCode error) {
  for (auto& [group_id, group] : groups_) {
    for (auto& [member_id, member] : group.members) {
      if (member.awaiting_join) {
        protocol::JoinGroupResponse response;
        response.error_code = protocol::to_int(error);
        response.member_id = member_id;
        JoinCallback done = std::move(member.awaiting_join);
        member.awaiting_join = nullptr;
        done(std::move(response));
      }
      if (member.awaiting_sync) {
        protocol::SyncGroupResponse response;
        response.error_code = protocol::to_int(error);
        SyncCallback done = std::move(member.awaiting_sync);
        member.awaiting_sync = nullptr;
        done(std::move(response));
      }
    }
  }
}

}  // namespace eddy::group
