#include "broker/fetch/fetch_waiters.h"

#include <algorithm>

#include <asio/post.hpp>

namespace eddy::broker {

std::unique_ptr<FetchWaiters::Registration> FetchWaiters::watch(
    std::vector<const storage::PartitionLog*> logs, std::shared_ptr<asio::steady_timer> timer) {
  auto waiter = std::make_shared<Waiter>(Waiter{std::move(timer)});
  {
    MutexLock lock(mutex_);
    for (const auto* log : logs) waiters_[log].push_back(waiter);
    waiter_count_.fetch_add(1);  // seq_cst: pairs with the fence in notify()
  }
  return std::make_unique<Registration>(*this, std::move(logs), std::move(waiter));
}

void FetchWaiters::unwatch(const std::vector<const storage::PartitionLog*>& logs,
                           const Waiter* waiter) {
  MutexLock lock(mutex_);
  for (const auto* log : logs) {
    auto found = waiters_.find(log);
    if (found == waiters_.end()) continue;
    auto& list = found->second;
    list.erase(std::remove_if(list.begin(), list.end(),
                              [waiter](const auto& entry) { return entry.get() == waiter; }),
               list.end());
    if (list.empty()) waiters_.erase(found);
  }
  waiter_count_.fetch_sub(1);
}

void FetchWaiters::notify(const storage::PartitionLog* log) {
  // The appender stored the new log end, then reads the count; a fetch increments the count,
  // then re-reads the log end. The fence makes sure at least one of them sees the other.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (waiter_count_.load() == 0) return;
  MutexLock lock(mutex_);
  const auto found = waiters_.find(log);
  if (found == waiters_.end()) return;
  for (const auto& waiter : found->second) {
    // The timer belongs to the fetch's event loop: cancel it there.
    asio::post(waiter->timer->get_executor(), [timer = waiter->timer] { timer->cancel(); });
  }
}

}  // namespace eddy::broker
