// GroupManager: JoinGroup and SyncGroup.

#include <random>

#include <fmt/format.h>

#include "common/log.h"
#include "group/manager.h"

namespace eddy::group {
namespace {

constexpr int16_t kFirstMemberIdRequiredVersion = 4;  // KIP-394
constexpr int16_t kFirstSkipAssignmentVersion = 9;    // KIP-814

protocol::JoinGroupResponse join_error(ErrorCode error, std::string member_id = {}) {
  protocol::JoinGroupResponse response;
  response.error_code = protocol::to_int(error);
  response.member_id = std::move(member_id);
  response.protocol_name.reset();
  return response;
}

protocol::SyncGroupResponse sync_error(ErrorCode error) {
  protocol::SyncGroupResponse response;
  response.error_code = protocol::to_int(error);
  return response;
}

size_t protocol_bytes(const protocol::JoinGroupRequest& request) {
  size_t bytes = 0;
  for (const auto& entry : request.protocols) bytes += entry.name.size() + entry.metadata.size();
  return bytes;
}

std::vector<Protocol> protocols_of(protocol::JoinGroupRequest& request) {
  std::vector<Protocol> protocols;
  protocols.reserve(request.protocols.size());
  for (auto& entry : request.protocols) {
    protocols.push_back({std::move(entry.name), std::move(entry.metadata)});
  }
  return protocols;
}

// A member whose group.instance.id maps to another member id is a zombie of a replaced
// static member.
bool fenced(const Group& group, const std::optional<std::string>& instance_id,
            const std::string& member_id) {
  if (!instance_id) return false;
  const auto found = group.static_members.find(*instance_id);
  return found != group.static_members.end() && found->second != member_id;
}

}  // namespace

std::string GroupManager::generate_member_id(const std::string& prefix) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  const uint64_t high = random();
  const uint64_t low = random() ^ ++member_counter_;
  return fmt::format("{}-{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", prefix, high >> 32,
                     (high >> 16) & 0xffff, high & 0xffff, low >> 48, low & 0xffffffffffffULL);
}

Member GroupManager::new_member(const protocol::JoinGroupRequest& request, const ClientInfo& client,
                                Protocols protocols, std::string member_id) const {
  Member member;
  member.member_id = std::move(member_id);
  member.group_instance_id = request.group_instance_id;
  member.client_id = client.client_id;
  member.client_host = client.client_host;
  member.session_timeout_ms = request.session_timeout_ms;
  member.rebalance_timeout_ms = request.rebalance_timeout_ms;
  member.protocol_type = request.protocol_type;
  member.protocols = std::move(protocols);
  return member;
}

bool GroupManager::accepts_joining_member(const Group& group, const std::string& member_id) const {
  const auto max_size = static_cast<size_t>(config_.max_size);
  switch (group.state) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      return true;
    case GroupState::kPreparingRebalance: {
      const auto found = group.members.find(member_id);
      return (found != group.members.end() && found->second.awaiting_join) ||
             group.awaiting_join_count() < max_size;
    }
    case GroupState::kCompletingRebalance:
    case GroupState::kStable:
      return group.has_member(member_id) || group.members.size() < max_size;
  }
  return false;
}

void GroupManager::join(protocol::JoinGroupRequest request, const ClientInfo& client,
                        JoinCallback done, int64_t now_ms) {
  if (request.group_id.empty()) return done(join_error(ErrorCode::kInvalidGroupId));
  if (request.session_timeout_ms < config_.min_session_timeout_ms ||
      request.session_timeout_ms > config_.max_session_timeout_ms) {
    return done(join_error(ErrorCode::kInvalidSessionTimeout, request.member_id));
  }
  if (const size_t bytes = protocol_bytes(request); bytes > max_record_bytes(request.group_id)) {
    // The group's record could never be stored: refused before anything is kept.
    spdlog::error(
        "group '{}': refusing a JoinGroup with {} bytes of protocol metadata (a record of {} "
        "takes at most {}); answering UNKNOWN_SERVER_ERROR",
        request.group_id, bytes, kOffsetsTopic, max_record_bytes(request.group_id));
    return done(join_error(ErrorCode::kUnknownServerError, request.member_id));
  }
  // JoinGroup v0 has no rebalance timeout: the session timeout serves as one.
  if (request.rebalance_timeout_ms < 0) request.rebalance_timeout_ms = request.session_timeout_ms;
  const bool unknown_member = request.member_id.empty();
  Group* group = find_mutable(request.group_id);
  if (group == nullptr && !unknown_member) {
    return done(join_error(ErrorCode::kUnknownMemberId, request.member_id));
  }
  if (group == nullptr) group = &create_group(request.group_id, now_ms);
  if (!accepts_joining_member(*group, request.member_id)) {
    if (group->has_member(request.member_id)) {
      remove_member_and_update_group(*group, request.member_id, now_ms);
    }
    return done(join_error(ErrorCode::kGroupMaxSizeReached, request.member_id));
  }
  Protocols protocols = protocols_of(request);
  if (unknown_member) {
    join_unknown_member(*group, request, client, std::move(protocols), done, now_ms);
  } else {
    join_known_member(*group, request, client, std::move(protocols), done, now_ms);
  }
}

void GroupManager::join_unknown_member(Group& group, protocol::JoinGroupRequest& request,
                                       const ClientInfo& client, Protocols protocols,
                                       JoinCallback& done, int64_t now_ms) {
  if (group.is(GroupState::kDead)) return done(join_error(ErrorCode::kCoordinatorNotAvailable));
  if (!group.supports_protocols(request.protocol_type, protocols)) {
    return done(join_error(ErrorCode::kInconsistentGroupProtocol));
  }
  const std::string member_id =
      generate_member_id(request.group_instance_id.value_or(client.client_id));
  if (request.group_instance_id) {
    return join_static_member(group, request, client, std::move(protocols), member_id, done,
                              now_ms);
  }
  if (client.api_version >= kFirstMemberIdRequiredVersion) {
    // KIP-394: the member must come back with this id, so a client that dies between the two
    // requests leaves no member behind (only a pending id that expires).
    group.pending_members.insert(member_id);
    timers_.schedule(now_ms + request.session_timeout_ms,
                     {TimerKind::kPendingMember, group.id, member_id, 0});
    return done(join_error(ErrorCode::kMemberIdRequired, member_id));
  }
  add_member_and_rebalance(group, new_member(request, client, std::move(protocols), member_id),
                           std::move(done), now_ms);
}

void GroupManager::join_known_member(Group& group, protocol::JoinGroupRequest& request,
                                     const ClientInfo& client, Protocols protocols,
                                     JoinCallback& done, int64_t now_ms) {
  const std::string& member_id = request.member_id;
  if (group.is(GroupState::kDead)) {
    return done(join_error(ErrorCode::kCoordinatorNotAvailable, member_id));
  }
  if (!group.supports_protocols(request.protocol_type, protocols)) {
    return done(join_error(ErrorCode::kInconsistentGroupProtocol, member_id));
  }
  if (group.pending_members.count(member_id) > 0) {
    return add_member_and_rebalance(group,
                                    new_member(request, client, std::move(protocols), member_id),
                                    std::move(done), now_ms);
  }
  if (fenced(group, request.group_instance_id, member_id)) {
    return done(join_error(ErrorCode::kFencedInstanceId, member_id));
  }
  const auto found = group.members.find(member_id);
  if (found == group.members.end()) {
    return done(join_error(ErrorCode::kUnknownMemberId, member_id));
  }
  Member& member = found->second;
  const bool is_leader = group.leader_id == member_id;
  switch (group.state) {
    case GroupState::kPreparingRebalance:
      return update_member_and_rebalance(group, member, request, std::move(protocols),
                                         std::move(done), now_ms);
    case GroupState::kCompletingRebalance:
      // The member lost its JoinGroup answer: give it again unless its protocols changed.
      if (member.same_protocols(protocols)) {
        member.last_heartbeat_ms = now_ms;
        return done(current_generation(group, member, is_leader, false));
      }
      return update_member_and_rebalance(group, member, request, std::move(protocols),
                                         std::move(done), now_ms);
    case GroupState::kStable:
      // The leader rejoins to trigger a rebalance (e.g. topic metadata changed).
      if (is_leader || !member.same_protocols(protocols)) {
        return update_member_and_rebalance(group, member, request, std::move(protocols),
                                           std::move(done), now_ms);
      }
      member.last_heartbeat_ms = now_ms;
      return done(current_generation(group, member, false, false));
    case GroupState::kEmpty:
    case GroupState::kDead:
      return done(join_error(ErrorCode::kUnknownMemberId, member_id));
  }
}

// KIP-345: a static member that restarts joins with no member id. It takes over the old
// member's place (and assignment), and the old id is fenced.
void GroupManager::join_static_member(Group& group, protocol::JoinGroupRequest& request,
                                      const ClientInfo& client, Protocols protocols,
                                      const std::string& new_member_id, JoinCallback& done,
                                      int64_t now_ms) {
  const std::string& instance_id = *request.group_instance_id;
  const auto existing = group.static_members.find(instance_id);
  if (existing == group.static_members.end()) {
    return add_member_and_rebalance(
        group, new_member(request, client, std::move(protocols), new_member_id), std::move(done),
        now_ms);
  }
  const std::string old_member_id = existing->second;
  Member member = std::move(group.members.at(old_member_id));
  timers_.cancel(member.session_timer);
  member.session_timer = kNoTimer;
  if (member.awaiting_join)
    member.awaiting_join(join_error(ErrorCode::kFencedInstanceId, old_member_id));
  if (member.awaiting_sync) member.awaiting_sync(sync_error(ErrorCode::kFencedInstanceId));
  member.awaiting_join = nullptr;
  member.awaiting_sync = nullptr;
  group.members.erase(old_member_id);
  member.member_id = new_member_id;
  member.client_id = client.client_id;
  member.client_host = client.client_host;
  member.last_heartbeat_ms = now_ms;
  const bool protocols_changed = !member.same_protocols(protocols);
  Member& replaced = group.members.emplace(new_member_id, std::move(member)).first->second;
  group.static_members[instance_id] = new_member_id;
  if (group.leader_id == old_member_id) group.leader_id = new_member_id;
  schedule_session(group, replaced);
  spdlog::info("group '{}': static member {} replaced {} by {}", group.id, instance_id,
               old_member_id, new_member_id);
  if (group.is(GroupState::kStable) && !protocols_changed) {
    persist_group(group, now_ms);
    const bool is_leader = group.leader_id == new_member_id;
    const bool skip = is_leader && client.api_version >= kFirstSkipAssignmentVersion;
    return done(current_generation(group, replaced, skip, skip));
  }
  update_member_and_rebalance(group, replaced, request, std::move(protocols), std::move(done),
                              now_ms);
}

void GroupManager::sync(protocol::SyncGroupRequest request, SyncCallback done, int64_t now_ms) {
  if (request.group_id.empty()) return done(sync_error(ErrorCode::kInvalidGroupId));
  Group* group = find_mutable(request.group_id);
  if (group == nullptr) return done(sync_error(ErrorCode::kUnknownMemberId));
  if (group->is(GroupState::kDead)) return done(sync_error(ErrorCode::kCoordinatorNotAvailable));
  if (fenced(*group, request.group_instance_id, request.member_id)) {
    return done(sync_error(ErrorCode::kFencedInstanceId));
  }
  const auto found = group->members.find(request.member_id);
  if (found == group->members.end()) return done(sync_error(ErrorCode::kUnknownMemberId));
  if (request.generation_id != group->generation) {
    return done(sync_error(ErrorCode::kIllegalGeneration));
  }
  const bool type_mismatch =
      request.protocol_type && *request.protocol_type != group->protocol_type;
  const bool name_mismatch =
      request.protocol_name && *request.protocol_name != group->protocol_name;
  if (type_mismatch || name_mismatch) {
    return done(sync_error(ErrorCode::kInconsistentGroupProtocol));
  }
  Member& member = found->second;
  member.last_heartbeat_ms = now_ms;
  switch (group->state) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      return done(sync_error(ErrorCode::kUnknownMemberId));
    case GroupState::kPreparingRebalance:
      return done(sync_error(ErrorCode::kRebalanceInProgress));
    case GroupState::kStable: {
      protocol::SyncGroupResponse response;
      response.protocol_type = group->protocol_type;
      response.protocol_name = group->protocol_name;
      response.assignment = member.assignment;
      return done(std::move(response));
    }
    case GroupState::kCompletingRebalance:
      if (member.awaiting_sync) member.awaiting_sync(sync_error(ErrorCode::kRebalanceInProgress));
      member.awaiting_sync = std::move(done);
      if (group->leader_id == request.member_id) complete_sync(*group, request, now_ms);
      return;
  }
}

// The leader's SyncGroup carries everyone's assignment: persist the generation, then answer
// every parked SyncGroup and become Stable.
void GroupManager::complete_sync(Group& group, protocol::SyncGroupRequest& request,
                                 int64_t now_ms) {
  for (auto& [id, member] : group.members) release(member.assignment);
  for (auto& entry : request.assignments) {
    const auto target = group.members.find(entry.member_id);
    if (target != group.members.end()) target->second.assignment = std::move(entry.assignment);
  }
  const ErrorCode error = persist_group(group, now_ms);
  if (error != ErrorCode::kNone) {
    fail_awaiting_sync(group, error);  // releases the assignments again
    prepare_rebalance(group, now_ms);
    return;
  }
  timers_.cancel(group.sync_timer);
  group.sync_timer = kNoTimer;
  transition(group, GroupState::kStable, now_ms);
  for (auto& [id, member] : group.members) {
    if (!member.awaiting_sync) continue;
    SyncCallback done = std::move(member.awaiting_sync);
    member.awaiting_sync = nullptr;
    protocol::SyncGroupResponse response;
    response.protocol_type = group.protocol_type;
    response.protocol_name = group.protocol_name;
    response.assignment = member.assignment;
    done(std::move(response));
  }
}

}  // namespace eddy::group
