// GroupManager: committed offsets (OffsetCommit, OffsetFetch, OffsetDelete), their expiry, and
// loading __consumer_offsets at start-up.

#include "common/log.h"
#include "group/manager.h"

namespace eddy::group {
namespace {

constexpr int16_t kLastRetentionTimeVersion = 4;     // OffsetCommit v5 dropped retention_time_ms
constexpr int16_t kFirstGroupIdNotFoundVersion = 9;  // KIP-848 era answer for unknown groups

protocol::OffsetCommitResponse commit_answer(const protocol::OffsetCommitRequest& request,
                                             ErrorCode error) {
  protocol::OffsetCommitResponse response;
  for (const auto& topic : request.topics) {
    protocol::OffsetCommitResponse::OffsetCommitResponseTopic out;
    out.name = topic.name;
    for (const auto& partition : topic.partitions) {
      out.partitions.push_back({partition.partition_index, protocol::to_int(error)});
    }
    response.topics.push_back(std::move(out));
  }
  return response;
}

using FetchedTopic = protocol::OffsetFetchResponse::OffsetFetchResponseTopics;
using FetchedPartition = protocol::OffsetFetchResponse::OffsetFetchResponsePartitions;

FetchedPartition fetched_partition(int32_t index, const OffsetValue* value) {
  FetchedPartition out;
  out.partition_index = index;
  out.committed_offset = value != nullptr ? value->offset : -1;
  out.committed_leader_epoch = value != nullptr ? value->leader_epoch : -1;
  out.metadata = value != nullptr ? value->metadata : std::string();
  return out;
}

}  // namespace

ErrorCode GroupManager::validate_commit(Group& group, const protocol::OffsetCommitRequest& request,
                                        int64_t now_ms) {
  const int32_t generation = request.generation_id_or_member_epoch;
  if (group.is(GroupState::kDead)) return ErrorCode::kCoordinatorNotAvailable;
  if (request.group_instance_id) {
    const auto found = group.static_members.find(*request.group_instance_id);
    if (found != group.static_members.end() && found->second != request.member_id) {
      return ErrorCode::kFencedInstanceId;
    }
  }
  // Generation -1 on a group without members: a "simple" consumer that manages its own
  // partitions and only stores offsets here.
  if (generation < 0 && group.is(GroupState::kEmpty)) return ErrorCode::kNone;
  if (group.is(GroupState::kCompletingRebalance)) return ErrorCode::kRebalanceInProgress;
  const auto member = group.members.find(request.member_id);
  if (member == group.members.end()) return ErrorCode::kUnknownMemberId;
  if (generation != group.generation) return ErrorCode::kIllegalGeneration;
  member->second.last_heartbeat_ms = now_ms;
  return ErrorCode::kNone;
}

protocol::OffsetCommitResponse GroupManager::commit(const protocol::OffsetCommitRequest& request,
                                                    int16_t version, int64_t now_ms) {
  if (request.group_id.empty()) return commit_answer(request, ErrorCode::kInvalidGroupId);
  Group* group = find_mutable(request.group_id);
  if (group == nullptr) {
    if (request.generation_id_or_member_epoch >= 0) {
      return commit_answer(request, version >= kFirstGroupIdNotFoundVersion
                                        ? ErrorCode::kGroupIdNotFound
                                        : ErrorCode::kIllegalGeneration);
    }
    group = &create_group(request.group_id, now_ms);
  }
  const ErrorCode error = validate_commit(*group, request, now_ms);
  if (error != ErrorCode::kNone) return commit_answer(request, error);

  const bool explicit_retention =
      version <= kLastRetentionTimeVersion && request.retention_time_ms >= 0;
  protocol::OffsetCommitResponse response = commit_answer(request, ErrorCode::kNone);
  std::vector<KeyValue> records;
  std::vector<std::pair<TopicPartition, OffsetValue>> accepted;
  std::vector<int16_t*> accepted_codes;
  for (size_t t = 0; t < request.topics.size(); ++t) {
    const auto& topic = request.topics[t];
    for (size_t p = 0; p < topic.partitions.size(); ++p) {
      const auto& partition = topic.partitions[p];
      int16_t& code = response.topics[t].partitions[p].error_code;
      const std::string metadata = partition.committed_metadata.value_or("");
      if (metadata.size() > static_cast<size_t>(config_.offset_metadata_max_bytes)) {
        code = protocol::to_int(ErrorCode::kOffsetMetadataTooLarge);
        continue;
      }
      OffsetValue value;
      value.offset = partition.committed_offset;
      value.leader_epoch = partition.committed_leader_epoch;
      value.metadata = metadata;
      // OffsetCommit v1 may name its own commit time (-1: now), as Kafka 3.x honours it.
      value.commit_timestamp_ms =
          partition.commit_timestamp != -1 ? partition.commit_timestamp : now_ms;
      if (explicit_retention) value.expire_timestamp_ms = now_ms + request.retention_time_ms;
      records.push_back({encode_offset_key(group->id, topic.name, partition.partition_index),
                         encode_offset_value(value)});
      accepted.push_back({{topic.name, partition.partition_index}, std::move(value)});
      accepted_codes.push_back(&code);
    }
  }
  if (records.empty()) return response;
  const ErrorCode written =
      sink_.append(partition_for_group(group->id, partition_count_), records, now_ms);
  if (written != ErrorCode::kNone) {
    for (int16_t* code : accepted_codes) *code = protocol::to_int(written);
    return response;
  }
  for (auto& [partition, value] : accepted) group->offsets[partition] = std::move(value);
  return response;
}

FetchedGroup GroupManager::fetch(const std::string& group_id,
                                 const std::optional<FetchTopics>& topics) const {
  FetchedGroup out;
  out.group_id = group_id;
  if (group_id.empty()) {
    out.error_code = protocol::to_int(ErrorCode::kInvalidGroupId);
    return out;
  }
  const Group* group = find(group_id);
  if (!topics) {
    if (group == nullptr) return out;
    for (const auto& [partition, value] : group->offsets) {
      if (out.topics.empty() || out.topics.back().name != partition.topic) {
        out.topics.push_back({partition.topic, {}, {}});
      }
      out.topics.back().partitions.push_back(fetched_partition(partition.partition, &value));
    }
    return out;
  }
  for (const auto& topic : *topics) {
    FetchedTopic answer;
    answer.name = topic.name;
    for (int32_t index : topic.partition_indexes) {
      const OffsetValue* value = nullptr;
      if (group != nullptr) {
        const auto found = group->offsets.find({topic.name, index});
        if (found != group->offsets.end()) value = &found->second;
      }
      answer.partitions.push_back(fetched_partition(index, value));
    }
    out.topics.push_back(std::move(answer));
  }
  return out;
}

protocol::OffsetDeleteResponse GroupManager::delete_offsets(
    const protocol::OffsetDeleteRequest& request, int64_t now_ms) {
  protocol::OffsetDeleteResponse response;
  const auto top_level = [&response](ErrorCode error) {
    response.error_code = protocol::to_int(error);
    return response;
  };
  if (request.group_id.empty()) return top_level(ErrorCode::kInvalidGroupId);
  Group* group = find_mutable(request.group_id);
  if (group == nullptr || group->is(GroupState::kDead)) {
    return top_level(ErrorCode::kGroupIdNotFound);
  }
  const bool empty = group->is(GroupState::kEmpty);
  if (!empty && group->protocol_type != "consumer") return top_level(ErrorCode::kNonEmptyGroup);
  // Unreadable subscriptions count as subscribed to everything: never delete offsets in use.
  const std::optional<std::set<std::string>> subscribed =
      empty ? std::optional<std::set<std::string>>(std::set<std::string>{})
            : group->subscribed_topics();
  std::vector<KeyValue> records;
  std::vector<TopicPartition> deleted;
  std::vector<int16_t*> deleted_codes;
  for (const auto& topic : request.topics) {
    protocol::OffsetDeleteResponse::OffsetDeleteResponseTopic out;
    out.name = topic.name;
    const bool in_use = !subscribed || subscribed->count(topic.name) > 0;
    for (const auto& partition : topic.partitions) {
      const ErrorCode error = in_use ? ErrorCode::kGroupSubscribedToTopic : ErrorCode::kNone;
      out.partitions.push_back({partition.partition_index, protocol::to_int(error)});
      const TopicPartition key{topic.name, partition.partition_index};
      if (in_use || group->offsets.count(key) == 0) continue;
      records.push_back({encode_offset_key(group->id, key.topic, key.partition), {}});
      deleted.push_back(key);
    }
    response.topics.push_back(std::move(out));
  }
  for (auto& topic : response.topics) {
    for (auto& partition : topic.partitions) {
      if (group->offsets.count({topic.name, partition.partition_index}) > 0 &&
          partition.error_code == 0) {
        deleted_codes.push_back(&partition.error_code);
      }
    }
  }
  if (records.empty()) return response;
  const ErrorCode written =
      sink_.append(partition_for_group(group->id, partition_count_), records, now_ms);
  if (written != ErrorCode::kNone) {
    for (int16_t* code : deleted_codes) *code = protocol::to_int(written);
    return response;
  }
  for (const TopicPartition& key : deleted) group->offsets.erase(key);
  return response;
}

// Kafka's rules (KIP-211, KIP-496): offsets with an explicit expiry time expire then; an empty
// group's offsets expire offsets.retention.minutes after the group became empty (after their
// commit for a group that never used group management); a Stable consumer group's offsets of
// topics it no longer subscribes to expire that long after their commit.
std::vector<TopicPartition> GroupManager::expired_offsets(const Group& group,
                                                          int64_t now_ms) const {
  std::vector<TopicPartition> expired;
  const bool empty = group.is(GroupState::kEmpty);
  const bool simple = group.protocol_type.empty();
  std::optional<std::set<std::string>> subscribed;
  if (group.is(GroupState::kStable)) subscribed = group.subscribed_topics();
  for (const auto& [partition, value] : group.offsets) {
    bool due = false;
    if (value.expire_timestamp_ms >= 0) {
      due = now_ms >= value.expire_timestamp_ms;
    } else if (empty) {
      const int64_t base_ms = simple ? value.commit_timestamp_ms : group.state_timestamp_ms;
      due = now_ms - base_ms >= config_.offsets_retention_ms;
    } else if (subscribed && subscribed->count(partition.topic) == 0) {
      due = now_ms - value.commit_timestamp_ms >= config_.offsets_retention_ms;
    }
    if (due) expired.push_back(partition);
  }
  return expired;
}

void GroupManager::expire_offsets(int64_t now_ms) {
  std::vector<std::string> ids;
  for (const auto& [id, group] : groups_) ids.push_back(id);
  for (const std::string& id : ids) {
    Group& group = groups_.at(id);
    const std::vector<TopicPartition> expired = expired_offsets(group, now_ms);
    const bool remove = group.is(GroupState::kEmpty) && group.members.empty() &&
                        group.pending_members.empty() && expired.size() == group.offsets.size();
    if (expired.empty() && !remove) continue;
    std::vector<KeyValue> records;
    for (const TopicPartition& partition : expired) {
      records.push_back({encode_offset_key(id, partition.topic, partition.partition), {}});
    }
    if (remove) records.push_back({encode_group_key(id), {}});
    if (sink_.append(partition_for_group(id, partition_count_), records, now_ms) !=
        ErrorCode::kNone) {
      continue;  // retried at the next pass
    }
    for (const TopicPartition& partition : expired) group.offsets.erase(partition);
    if (!expired.empty()) spdlog::info("group '{}': {} offsets expired", id, expired.size());
    if (remove) remove_group(group, now_ms);
  }
}

void GroupManager::load(const RecordKey& key, std::optional<std::span<const uint8_t>> value) {
  if (key.type == KeyType::kOffset) {
    auto& offsets = loaded_offsets_[key.group];
    const TopicPartition partition{key.topic, key.partition};
    OffsetValue decoded;
    if (!value) {
      offsets.erase(partition);
    } else if (decode_offset_value(*value, decoded)) {
      offsets[partition] = std::move(decoded);
    } else {
      spdlog::warn("__consumer_offsets: unreadable offset value for group '{}'", key.group);
    }
    return;
  }
  GroupValue decoded;
  if (!value) {
    loaded_groups_.erase(key.group);
  } else if (decode_group_value(*value, decoded)) {
    loaded_groups_[key.group] = std::move(decoded);
  } else {
    spdlog::warn("__consumer_offsets: unreadable metadata for group '{}'", key.group);
  }
}

void GroupManager::finish_loading(int64_t now_ms) {
  for (auto& [id, value] : loaded_groups_) {
    Group& group = create_group(id, now_ms);
    group.generation = value.generation;
    group.protocol_type = value.protocol_type;
    group.protocol_name = value.protocol;
    group.leader_id = value.leader;
    group.state_timestamp_ms =
        value.current_state_timestamp_ms >= 0 ? value.current_state_timestamp_ms : now_ms;
    // A group loaded with members resumes Stable: they keep their assignment and must
    // heartbeat within their session timeout, as after a coordinator failover in Kafka.
    group.state = value.members.empty() ? GroupState::kEmpty : GroupState::kStable;
    for (MemberValue& loaded : value.members) {
      Member member;
      member.member_id = loaded.member_id;
      member.group_instance_id = loaded.group_instance_id;
      member.client_id = loaded.client_id;
      member.client_host = loaded.client_host;
      member.session_timeout_ms = loaded.session_timeout_ms;
      member.rebalance_timeout_ms = loaded.rebalance_timeout_ms >= 0 ? loaded.rebalance_timeout_ms
                                                                     : loaded.session_timeout_ms;
      member.protocol_type = value.protocol_type;
      if (value.protocol) member.protocols.push_back({*value.protocol, loaded.subscription});
      member.assignment = std::move(loaded.assignment);
      member.joined_ms = now_ms;
      member.last_heartbeat_ms = now_ms;
      if (member.group_instance_id)
        group.static_members[*member.group_instance_id] = member.member_id;
      Member& added = group.members.emplace(member.member_id, std::move(member)).first->second;
      schedule_session(group, added);
    }
  }
  for (auto& [id, offsets] : loaded_offsets_) {
    if (offsets.empty() && loaded_groups_.count(id) == 0) continue;
    Group& group = create_group(id, now_ms);
    group.offsets = std::move(offsets);
  }
  spdlog::info("group coordinator loaded {} groups", groups_.size());
  loaded_groups_.clear();
  loaded_offsets_.clear();
}

}  // namespace eddy::group
