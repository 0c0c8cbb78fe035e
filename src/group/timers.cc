// GroupManager: what happens when a deadline passes.

#include "common/log.h"
#include "group/manager.h"

namespace eddy::group {

void GroupManager::run_timers(int64_t now_ms) {
  TimerEvent event;
  // Each firing removes its event; a re-armed timer is due strictly later, so this ends.
  while (timers_.pop_due(now_ms, event)) on_timer(event, now_ms);
}

void GroupManager::on_timer(const TimerEvent& event, int64_t now_ms) {
  if (event.kind == TimerKind::kOffsetExpiry) {
    expire_offsets(now_ms);
    timers_.schedule(now_ms + config_.offsets_retention_check_interval_ms,
                     {TimerKind::kOffsetExpiry, {}, {}, 0});
    return;
  }
  Group* group = find_mutable(event.group_id);
  if (group == nullptr) return;
  switch (event.kind) {
    case TimerKind::kJoin:
      return on_join_timer(*group, now_ms);
    case TimerKind::kSync:
      return on_sync_timer(*group, event.generation, now_ms);
    case TimerKind::kSession:
      return on_session_timer(*group, event.member_id, now_ms);
    case TimerKind::kPendingMember:
      return on_pending_member_timer(*group, event.member_id, now_ms);
    case TimerKind::kOffsetExpiry:
      return;
  }
}

void GroupManager::on_join_timer(Group& group, int64_t now_ms) {
  group.join_timer = kNoTimer;
  if (!group.is(GroupState::kPreparingRebalance)) return;
  if (group.initial_delay && group.new_member_added && group.initial_delay_remaining_ms > 0) {
    const int64_t delay_ms =
        std::min(config_.initial_rebalance_delay_ms, group.initial_delay_remaining_ms);
    group.initial_delay_remaining_ms -= delay_ms;
    group.new_member_added = false;
    group.join_timer = timers_.schedule(now_ms + delay_ms, {TimerKind::kJoin, group.id, {}, 0});
    return;
  }
  complete_join(group, now_ms);
}

// The leader did not send its assignment within the rebalance timeout: members that never
// sent SyncGroup are removed and the group rebalances without them.
void GroupManager::on_sync_timer(Group& group, int32_t generation, int64_t now_ms) {
  group.sync_timer = kNoTimer;
  if (!group.is(GroupState::kCompletingRebalance) || group.generation != generation) return;
  std::vector<std::string> silent;
  for (const auto& [id, member] : group.members) {
    if (!member.awaiting_sync) silent.push_back(id);
  }
  spdlog::info("group '{}': {} members did not sync generation {} in time", group.id, silent.size(),
               generation);
  for (const std::string& id : silent) erase_member(group, id);
  prepare_rebalance(group, now_ms);
  try_complete_join(group, now_ms);
}

void GroupManager::on_session_timer(Group& group, const std::string& member_id, int64_t now_ms) {
  const auto found = group.members.find(member_id);
  if (found == group.members.end()) return;
  Member& member = found->second;
  member.session_timer = kNoTimer;
  // A known member parked in JoinGroup is alive: its session restarts when the join ends.
  if (member.awaiting_join && !member.is_new) member.last_heartbeat_ms = now_ms;
  if (session_deadline(member) > now_ms) return schedule_session(group, member);
  spdlog::info("group '{}': member {} expired (session timeout {} ms)", group.id, member_id,
               member.session_timeout_ms);
  remove_member_and_update_group(group, member_id, now_ms);
}

void GroupManager::on_pending_member_timer(Group& group, const std::string& member_id,
                                           int64_t now_ms) {
  if (group.pending_members.erase(member_id) == 0) return;
  try_complete_join(group, now_ms);
}

void GroupManager::start_expiry(int64_t now_ms) {
  if (expiry_started_) return;
  expiry_started_ = true;
  timers_.schedule(now_ms + config_.offsets_retention_check_interval_ms,
                   {TimerKind::kOffsetExpiry, {}, {}, 0});
}

}  // namespace eddy::group
