#pragma once

// Clang's thread-safety analysis (-Wthread-safety, on in every clang build): members say which
// mutex guards them and functions say which mutex they need, and the compiler checks each access.
// On gcc the macros expand to nothing.
//
// libstdc++'s std::mutex carries no annotations, so locked state uses eddy::Mutex and
// eddy::MutexLock below (same cost: a thin wrapper over std::mutex).
//
//   eddy::Mutex mutex_;
//   int count_ GUARDED_BY(mutex_);
//   void bump() EXCLUDES(mutex_) { eddy::MutexLock lock(mutex_); ++count_; }
//   void bump_locked() REQUIRES(mutex_);

#include <mutex>
#include <shared_mutex>

#if defined(__clang__)
#define EDDY_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define EDDY_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(name) EDDY_THREAD_ANNOTATION(capability(name))
#define SCOPED_CAPABILITY EDDY_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(mutex) EDDY_THREAD_ANNOTATION(guarded_by(mutex))
#define PT_GUARDED_BY(mutex) EDDY_THREAD_ANNOTATION(pt_guarded_by(mutex))
#define REQUIRES(...) EDDY_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) EDDY_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#define EXCLUDES(...) EDDY_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) EDDY_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) EDDY_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) EDDY_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) EDDY_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) EDDY_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define RETURN_CAPABILITY(x) EDDY_THREAD_ANNOTATION(lock_returned(x))
#define ASSERT_CAPABILITY(x) EDDY_THREAD_ANNOTATION(assert_capability(x))
// For the rare function the analysis cannot follow; say why next to it.
#define NO_THREAD_SAFETY_ANALYSIS EDDY_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace eddy {

// std::mutex with capability annotations. Also a BasicLockable, so
// std::condition_variable_any can wait on it (see MutexLock::wait).
class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ACQUIRE() { mutex_.lock(); }
  void unlock() RELEASE() { mutex_.unlock(); }
  bool try_lock() TRY_ACQUIRE(true) { return mutex_.try_lock(); }

  // For std::condition_variable, which needs std::unique_lock<std::mutex>: the caller holds
  // this Mutex already (see MutexLock::native_lock).
  std::mutex& native() RETURN_CAPABILITY(this) { return mutex_; }

 private:
  std::mutex mutex_;
};

// Holds a Mutex for its scope (std::lock_guard with annotations).
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) ACQUIRE(mutex) : mutex_(mutex) { mutex_.lock(); }
  ~MutexLock() RELEASE() { mutex_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  // Waits on `condition` with the lock held before and after (it is released while waiting).
  // The analysis treats the lock as held throughout, which is what the caller's code sees.
  template <typename Condition, typename Predicate>
  void wait(Condition& condition, Predicate predicate) {
    std::unique_lock<std::mutex> native(mutex_.native(), std::adopt_lock);
    condition.wait(native, predicate);
    native.release();  // still locked; this MutexLock unlocks at scope exit
  }

  template <typename Condition, typename Duration, typename Predicate>
  bool wait_for(Condition& condition, Duration timeout, Predicate predicate) {
    std::unique_lock<std::mutex> native(mutex_.native(), std::adopt_lock);
    const bool satisfied = condition.wait_for(native, timeout, predicate);
    native.release();
    return satisfied;
  }

 private:
  Mutex& mutex_;
};

// std::shared_mutex with capability annotations: a GUARDED_BY member may be read under
// ReaderMutexLock and written under WriterMutexLock.
class CAPABILITY("mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void lock() ACQUIRE() { mutex_.lock(); }
  void unlock() RELEASE() { mutex_.unlock(); }
  void lock_shared() ACQUIRE_SHARED() { mutex_.lock_shared(); }
  void unlock_shared() RELEASE_SHARED() { mutex_.unlock_shared(); }

 private:
  std::shared_mutex mutex_;
};

// Holds a SharedMutex shared for its scope (std::shared_lock with annotations).
class SCOPED_CAPABILITY ReaderMutexLock {
 public:
  explicit ReaderMutexLock(SharedMutex& mutex) ACQUIRE_SHARED(mutex) : mutex_(mutex) {
    mutex_.lock_shared();
  }
  ~ReaderMutexLock() RELEASE() { mutex_.unlock_shared(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  SharedMutex& mutex_;
};

// Holds a SharedMutex exclusively for its scope.
class SCOPED_CAPABILITY WriterMutexLock {
 public:
  explicit WriterMutexLock(SharedMutex& mutex) ACQUIRE(mutex) : mutex_(mutex) { mutex_.lock(); }
  ~WriterMutexLock() RELEASE() { mutex_.unlock(); }
  WriterMutexLock(const WriterMutexLock&) = delete;
  WriterMutexLock& operator=(const WriterMutexLock&) = delete;

 private:
  SharedMutex& mutex_;
};

}  // namespace eddy
