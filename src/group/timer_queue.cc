#include "group/timer_queue.h"

namespace eddy::group {

TimerId TimerQueue::schedule(int64_t deadline_ms, TimerEvent event) {
  const TimerId id = next_id_++;
  events_.emplace(Key{deadline_ms, id}, std::move(event));
  deadlines_.emplace(id, deadline_ms);
  return id;
}

void TimerQueue::cancel(TimerId id) {
  const auto found = deadlines_.find(id);
  if (found == deadlines_.end()) return;
  events_.erase(Key{found->second, id});
  deadlines_.erase(found);
}

std::optional<int64_t> TimerQueue::next_deadline() const {
  if (events_.empty()) return std::nullopt;
  return events_.begin()->first.first;
}

bool TimerQueue::pop_due(int64_t now_ms, TimerEvent& out) {
  if (events_.empty() || events_.begin()->first.first > now_ms) return false;
  auto first = events_.begin();
  deadlines_.erase(first->first.second);
  out = std::move(first->second);
  events_.erase(first);
  return true;
}

}  // namespace eddy::group
