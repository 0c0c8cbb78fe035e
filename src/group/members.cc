// GroupManager: Heartbeat, LeaveGroup, DescribeGroups, ListGroups and DeleteGroups.

#include <algorithm>
#include <cctype>

#include "common/log.h"
#include "group/manager.h"

namespace eddy::group {
namespace {

constexpr int16_t kFirstBatchLeaveVersion = 3;

bool equals_ignoring_case(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool matches_filter(const std::vector<std::string>& filter, const std::string& value) {
  if (filter.empty()) return true;
  return std::any_of(filter.begin(), filter.end(), [&](const std::string& wanted) {
    return equals_ignoring_case(wanted, value);
  });
}

}  // namespace

protocol::HeartbeatResponse GroupManager::heartbeat(const protocol::HeartbeatRequest& request,
                                                    int64_t now_ms) {
  protocol::HeartbeatResponse response;
  const auto answer = [&response](ErrorCode error) {
    response.error_code = protocol::to_int(error);
    return response;
  };
  if (request.group_id.empty()) return answer(ErrorCode::kInvalidGroupId);
  Group* group = find_mutable(request.group_id);
  if (group == nullptr || group->is(GroupState::kEmpty)) return answer(ErrorCode::kUnknownMemberId);
  if (group->is(GroupState::kDead)) return answer(ErrorCode::kCoordinatorNotAvailable);
  if (request.group_instance_id) {
    const auto found = group->static_members.find(*request.group_instance_id);
    if (found != group->static_members.end() && found->second != request.member_id) {
      return answer(ErrorCode::kFencedInstanceId);
    }
  }
  const auto found = group->members.find(request.member_id);
  if (found == group->members.end()) return answer(ErrorCode::kUnknownMemberId);
  if (request.generation_id != group->generation) return answer(ErrorCode::kIllegalGeneration);
  found->second.last_heartbeat_ms = now_ms;
  if (group->is(GroupState::kPreparingRebalance)) return answer(ErrorCode::kRebalanceInProgress);
  return answer(ErrorCode::kNone);
}

protocol::LeaveGroupResponse GroupManager::leave(const protocol::LeaveGroupRequest& request,
                                                 int16_t version, int64_t now_ms) {
  using Identity = protocol::LeaveGroupRequest::MemberIdentity;
  std::vector<Identity> leaving = request.members;
  if (version < kFirstBatchLeaveVersion) leaving = {Identity{request.member_id, {}, {}, {}}};
  protocol::LeaveGroupResponse response;
  const auto finish = [&response, version]() {
    if (version < kFirstBatchLeaveVersion && response.error_code == 0 &&
        !response.members.empty()) {
      response.error_code = response.members.front().error_code;
    }
    return response;
  };
  if (request.group_id.empty()) {
    response.error_code = protocol::to_int(ErrorCode::kInvalidGroupId);
    return response;
  }
  Group* group = find_mutable(request.group_id);
  if (group != nullptr && group->is(GroupState::kDead)) {
    response.error_code = protocol::to_int(ErrorCode::kCoordinatorNotAvailable);
    return response;
  }
  for (const Identity& identity : leaving) {
    protocol::LeaveGroupResponse::MemberResponse entry;
    entry.member_id = identity.member_id;
    entry.group_instance_id = identity.group_instance_id;
    ErrorCode error = ErrorCode::kUnknownMemberId;
    if (group != nullptr) error = leave_member(*group, identity, now_ms);
    entry.error_code = protocol::to_int(error);
    response.members.push_back(std::move(entry));
  }
  return finish();
}

ErrorCode GroupManager::leave_member(Group& group,
                                     const protocol::LeaveGroupRequest::MemberIdentity& identity,
                                     int64_t now_ms) {
  std::string member_id = identity.member_id;
  if (identity.group_instance_id) {
    const auto found = group.static_members.find(*identity.group_instance_id);
    if (found == group.static_members.end()) return ErrorCode::kUnknownMemberId;
    // KIP-345: an admin removes a static member by instance id alone.
    if (member_id.empty()) member_id = found->second;
    if (found->second != member_id) return ErrorCode::kFencedInstanceId;
  }
  if (group.pending_members.erase(member_id) > 0) {
    try_complete_join(group, now_ms);
    return ErrorCode::kNone;
  }
  if (!group.has_member(member_id)) return ErrorCode::kUnknownMemberId;
  spdlog::info("group '{}': member {} left", group.id, member_id);
  remove_member_and_update_group(group, member_id, now_ms);
  return ErrorCode::kNone;
}

protocol::DescribeGroupsResponse::DescribedGroup GroupManager::describe(
    const std::string& group_id) const {
  protocol::DescribeGroupsResponse::DescribedGroup out;
  out.group_id = group_id;
  if (group_id.empty()) {
    out.error_code = protocol::to_int(ErrorCode::kInvalidGroupId);
    return out;
  }
  const Group* group = find(group_id);
  if (group == nullptr) {
    out.group_state = state_name(GroupState::kDead);
    return out;
  }
  out.group_state = state_name(group->state);
  out.protocol_type = group->protocol_type;
  // Kafka shows the protocol, member metadata and assignments only for a Stable group.
  const bool stable = group->is(GroupState::kStable);
  if (stable) out.protocol_data = group->protocol_name.value_or("");
  for (const auto& [id, member] : group->members) {
    protocol::DescribeGroupsResponse::DescribedGroupMember entry;
    entry.member_id = id;
    entry.group_instance_id = member.group_instance_id;
    entry.client_id = member.client_id;
    entry.client_host = member.client_host;
    if (stable) {
      const Protocol* chosen = member.find_protocol(*group->protocol_name);
      if (chosen != nullptr) entry.member_metadata = chosen->metadata;
      entry.member_assignment = member.assignment;
    }
    out.members.push_back(std::move(entry));
  }
  return out;
}

std::vector<protocol::ListGroupsResponse::ListedGroup> GroupManager::list(
    const std::vector<std::string>& states_filter,
    const std::vector<std::string>& types_filter) const {
  std::vector<protocol::ListGroupsResponse::ListedGroup> out;
  for (const auto& [id, group] : groups_) {
    const char* state = state_name(group.state);
    if (!matches_filter(states_filter, state) || !matches_filter(types_filter, "classic")) {
      continue;
    }
    protocol::ListGroupsResponse::ListedGroup entry;
    entry.group_id = id;
    entry.protocol_type = group.protocol_type;
    entry.group_state = state;
    entry.group_type = "classic";
    out.push_back(std::move(entry));
  }
  return out;
}

ErrorCode GroupManager::delete_group(const std::string& group_id, int64_t now_ms) {
  if (group_id.empty()) return ErrorCode::kInvalidGroupId;
  Group* group = find_mutable(group_id);
  if (group == nullptr || group->is(GroupState::kDead)) return ErrorCode::kGroupIdNotFound;
  if (!group->is(GroupState::kEmpty)) return ErrorCode::kNonEmptyGroup;
  std::vector<KeyValue> records;
  for (const auto& [partition, value] : group->offsets) {
    records.push_back({encode_offset_key(group_id, partition.topic, partition.partition), {}});
  }
  records.push_back({encode_group_key(group_id), {}});
  const ErrorCode error =
      sink_.append(partition_for_group(group_id, partition_count_), records, now_ms);
  if (error != ErrorCode::kNone) return error;
  spdlog::info("group '{}': deleted", group_id);
  remove_group(*group, now_ms);
  return ErrorCode::kNone;
}

}  // namespace eddy::group
