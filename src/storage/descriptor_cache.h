#pragma once

// A bound on how many sealed segments hold open descriptors (a .log fd and two index mappings)
// at once. Kafka keeps every segment open; a partition that rolled thousands of segments then
// exhausts RLIMIT_NOFILE (or vm.max_map_count) and the broker cannot even start. Here a sealed
// segment opens its files on first use and the cache closes the least recently used ones when
// more than `max_open` are open (CLOCK: a used entry gets a second chance). Closing only drops
// the segment's own reference: a reader holding the files (a pending sendfile) keeps them.
//
// Threads: all methods are thread-safe. `mutex_` guards the CLOCK queue and its index
// (`queue_`, `positions_`), which every open, eviction and segment destruction changes from
// whichever thread does it. The cache's lock is never held while an entry closes its
// descriptors, and entries never call the cache while holding their own lock, so the two locks
// never nest. The bound is an atomic: set_max_open() may run while opens go on.

#include <atomic>
#include <cstddef>
#include <list>
#include <memory>
#include <unordered_map>
#include <vector>

#include "common/thread_annotations.h"

namespace eddy::storage {

class DescriptorCache {
 public:
  // Something whose descriptors can be closed and reopened later (a sealed Segment).
  class Entry {
   public:
    virtual ~Entry() = default;
    // Marks the entry as used lately (lock-free; called on every access).
    void touch() const { referenced_.store(true, std::memory_order_relaxed); }

   protected:
    // Drops the entry's reference to its descriptors; the next use reopens them.
    virtual void close_descriptors() const = 0;

   private:
    friend class DescriptorCache;
    mutable std::atomic<bool> referenced_{true};
  };

  explicit DescriptorCache(size_t max_open) : max_open_(max_open < 1 ? 1 : max_open) {}
  DescriptorCache(const DescriptorCache&) = delete;
  DescriptorCache& operator=(const DescriptorCache&) = delete;

  // `entry` (re)opened its descriptors: it counts against the bound, and entries not used
  // lately are closed until the count is within it.
  void opened(const std::shared_ptr<const Entry>& entry) EXCLUDES(mutex_);
  // `entry` is going away (its descriptors with it): it no longer counts.
  void forget(const Entry* entry) EXCLUDES(mutex_);
  // Closes up to `count` entries, least recently used first; returns how many. For descriptor
  // pressure (EMFILE while opening a file).
  size_t evict(size_t count) EXCLUDES(mutex_);

  size_t open_count() const EXCLUDES(mutex_);
  size_t max_open() const { return max_open_.load(std::memory_order_relaxed); }
  void set_max_open(size_t max_open) EXCLUDES(mutex_);

 private:
  // Picks up to `count` victims (second chance for referenced ones) and takes them out of the
  // queue; the caller closes them once it has released mutex_.
  void pick_victims_locked(size_t count, std::vector<std::weak_ptr<const Entry>>& victims)
      REQUIRES(mutex_);
  // Closes entries' descriptors; never under mutex_ (an entry takes its own lock to close).
  void close_all(std::vector<std::weak_ptr<const Entry>>& victims) const EXCLUDES(mutex_);

  std::atomic<size_t> max_open_;
  mutable Mutex mutex_;
  struct Slot {
    const Entry* key;
    std::weak_ptr<const Entry> entry;
  };
  // Oldest first; an entry appears once, and `positions_` finds it.
  std::list<Slot> queue_ GUARDED_BY(mutex_);
  std::unordered_map<const Entry*, std::list<Slot>::iterator> positions_ GUARDED_BY(mutex_);
};

// The process-wide cache of segment descriptors. Its bound starts at
// default_max_open_segments() and LogManager sets it from `eddy.log.max.open.segments`.
DescriptorCache& segment_descriptor_cache();

// A bound that leaves room for connections and the rest of the broker: a quarter of the soft
// RLIMIT_NOFILE, and at most an eighth of vm.max_map_count (two mappings per open segment),
// at least 16.
size_t default_max_open_segments();

// True when errno says the process or the system is out of descriptors (EMFILE, ENFILE) or
// mappings (ENOMEM from mmap).
bool out_of_descriptors(int error_number);

}  // namespace eddy::storage
