#pragma once

// Deadlines of the coordinator (rebalance, sync, member session, offset expiry) in one ordered
// set, owned by the coordinator's thread: scheduling, cancelling and firing are O(log n), so
// thousands of groups and members cost no OS timers. Session deadlines are lazy: a heartbeat
// only moves the member's last-heartbeat time, and the member's one timer re-arms itself when
// it fires early (see GroupManager).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace eddy::group {

enum class TimerKind { kJoin, kSync, kSession, kPendingMember, kOffsetExpiry };

struct TimerEvent {
  TimerKind kind = TimerKind::kJoin;
  std::string group_id;
  std::string member_id;   // kSession and kPendingMember
  int32_t generation = 0;  // kSync: the generation the timer guards
};

using TimerId = uint64_t;
inline constexpr TimerId kNoTimer = 0;

class TimerQueue {
 public:
  TimerId schedule(int64_t deadline_ms, TimerEvent event);
  // Cancelling kNoTimer or a timer that already fired does nothing.
  void cancel(TimerId id);
  std::optional<int64_t> next_deadline() const;
  // Removes and returns the earliest event due at `now_ms`, if any.
  bool pop_due(int64_t now_ms, TimerEvent& out);
  size_t size() const { return events_.size(); }

 private:
  using Key = std::pair<int64_t, TimerId>;  // deadline, then scheduling order
  std::map<Key, TimerEvent> events_;
  std::unordered_map<TimerId, int64_t> deadlines_;
  TimerId next_id_ = 1;
};

}  // namespace eddy::group
