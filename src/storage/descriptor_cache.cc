#include "storage/descriptor_cache.h"

#include <algorithm>
#include <cerrno>
#include <fstream>

#include <sys/resource.h>

namespace eddy::storage {

void DescriptorCache::opened(const std::shared_ptr<const Entry>& entry) {
  entry->touch();
  std::vector<std::weak_ptr<const Entry>> victims;
  {
    MutexLock lock(mutex_);
    if (!positions_.contains(entry.get())) {
      queue_.push_back({entry.get(), entry});
      positions_[entry.get()] = std::prev(queue_.end());
    }
    const size_t bound = max_open();
    if (queue_.size() > bound) pick_victims_locked(queue_.size() - bound, victims);
  }
  close_all(victims);
}

void DescriptorCache::forget(const Entry* entry) {
  MutexLock lock(mutex_);
  auto it = positions_.find(entry);
  if (it == positions_.end()) return;
  queue_.erase(it->second);
  positions_.erase(it);
}

size_t DescriptorCache::evict(size_t count) {
  std::vector<std::weak_ptr<const Entry>> victims;
  {
    MutexLock lock(mutex_);
    pick_victims_locked(std::min(count, queue_.size()), victims);
  }
  const size_t closed = victims.size();
  close_all(victims);
  return closed;
}

size_t DescriptorCache::open_count() const {
  MutexLock lock(mutex_);
  return queue_.size();
}

void DescriptorCache::set_max_open(size_t max_open) {
  const size_t bound = std::max<size_t>(max_open, 1);
  max_open_.store(bound, std::memory_order_relaxed);
  std::vector<std::weak_ptr<const Entry>> victims;
  {
    MutexLock lock(mutex_);
    if (queue_.size() > bound) pick_victims_locked(queue_.size() - bound, victims);
  }
  close_all(victims);
}

void DescriptorCache::pick_victims_locked(size_t count,
                                          std::vector<std::weak_ptr<const Entry>>& victims) {
  // Each entry is looked at most twice: once to clear its flag, once to take it.
  const size_t max_looks = 2 * queue_.size() + count;
  for (size_t looked = 0; victims.size() < count && !queue_.empty() && looked < max_looks;
       ++looked) {
    auto front = queue_.begin();
    std::shared_ptr<const Entry> entry = front->entry.lock();
    if (entry != nullptr && entry->referenced_.exchange(false, std::memory_order_relaxed)) {
      queue_.splice(queue_.end(), queue_, front);  // second chance
      continue;
    }
    // An expired entry is being destroyed: its forget() then finds nothing left to do.
    if (entry != nullptr) victims.push_back(front->entry);
    positions_.erase(front->key);
    queue_.erase(front);
  }
}

void DescriptorCache::close_all(std::vector<std::weak_ptr<const Entry>>& victims) const {
  for (auto& victim : victims) {
    if (auto entry = victim.lock()) entry->close_descriptors();
  }
}

DescriptorCache& segment_descriptor_cache() {
  static DescriptorCache cache(default_max_open_segments());
  return cache;
}

size_t default_max_open_segments() {
  struct rlimit limit {};
  size_t by_files = 256;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    by_files = static_cast<size_t>(limit.rlim_cur) / 4;
  } else if (limit.rlim_cur == RLIM_INFINITY) {
    by_files = 1 << 20;
  }
  size_t by_maps = 65530 / 8;
  std::ifstream max_map_count("/proc/sys/vm/max_map_count");
  size_t maps = 0;
  if (max_map_count >> maps && maps > 0) by_maps = maps / 8;
  return std::max<size_t>(std::min(by_files, by_maps), 16);
}

bool out_of_descriptors(int error_number) {
  return error_number == EMFILE || error_number == ENFILE || error_number == ENOMEM;
}

}  // namespace eddy::storage
