#pragma once

// Long-poll wake-ups: a Fetch that has too few bytes registers the partitions it reads and a
// timer; an append to one of them cancels the timer (on the timer's own event loop), so the
// fetch wakes at once instead of at max_wait_ms.
//
// Threads: watch() and notify() may be called from any event loop. notify() takes no lock
// when no fetch waits anywhere (the common case under pure produce load).

#include <atomic>
#include <memory>
#include <unordered_map>
#include <vector>

#include <asio/steady_timer.hpp>

#include "common/thread_annotations.h"

namespace eddy::storage {
class PartitionLog;
}

namespace eddy::broker {

class FetchWaiters {
 public:
  // While the returned registration lives, an append to any of `logs` cancels `timer`.
  class Registration;
  std::unique_ptr<Registration> watch(std::vector<const storage::PartitionLog*> logs,
                                      std::shared_ptr<asio::steady_timer> timer) EXCLUDES(mutex_);
  void notify(const storage::PartitionLog* log) EXCLUDES(mutex_);

 private:
  struct Waiter {
    std::shared_ptr<asio::steady_timer> timer;
  };
  void unwatch(const std::vector<const storage::PartitionLog*>& logs, const Waiter* waiter)
      EXCLUDES(mutex_);

  Mutex mutex_;
  std::unordered_map<const storage::PartitionLog*, std::vector<std::shared_ptr<Waiter>>> waiters_
      GUARDED_BY(mutex_);
  std::atomic<int64_t> waiter_count_{0};
};

class FetchWaiters::Registration {
 public:
  Registration(FetchWaiters& owner, std::vector<const storage::PartitionLog*> logs,
               std::shared_ptr<Waiter> waiter)
      : owner_(owner), logs_(std::move(logs)), waiter_(std::move(waiter)) {}
  ~Registration() { owner_.unwatch(logs_, waiter_.get()); }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

 private:
  FetchWaiters& owner_;
  std::vector<const storage::PartitionLog*> logs_;
  std::shared_ptr<Waiter> waiter_;
};

}  // namespace eddy::broker
