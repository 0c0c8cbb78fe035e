#include "storage/index_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/assert.h"
#include "common/log.h"

namespace eddy::storage {

std::unique_ptr<IndexFile> IndexFile::open(const std::filesystem::path& path, size_t entry_size,
                                           int64_t max_size_bytes, bool for_append) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    spdlog::error("storage: open {} failed: {}", path.string(), std::strerror(errno));
    return nullptr;
  }
  std::unique_ptr<IndexFile> index(new IndexFile(path, fd, entry_size));
  struct stat st {};
  if (::fstat(fd, &st) != 0) return nullptr;
  size_t present = static_cast<size_t>(st.st_size) / entry_size;
  size_t length = present * entry_size;
  if (for_append) {
    size_t max_entries = std::max<size_t>(static_cast<size_t>(max_size_bytes) / entry_size, 2);
    length = std::max(present, max_entries) * entry_size;
    if (::ftruncate(fd, static_cast<off_t>(length)) != 0) {
      spdlog::error("storage: resize {} failed: {}", path.string(), std::strerror(errno));
      return nullptr;
    }
  }
  if (!index->map(length)) return nullptr;
  index->max_entries_ = for_append ? length / entry_size : present;
  index->entries_.store(present, std::memory_order_release);
  return index;
}

bool IndexFile::map(size_t length_bytes) {
  if (length_bytes == 0) return true;
  void* p = ::mmap(nullptr, length_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (p == MAP_FAILED) {
    spdlog::error("storage: mmap {} failed: {}", path_.string(), std::strerror(errno));
    return false;
  }
  // Index lookups touch a few scattered entries, and an active index is a mostly sparse,
  // preallocated file: with the default read-ahead every fault would read (zero-fill) a large
  // window of it, which with 1,000 partitions cost more CPU than the appends themselves.
  if (::madvise(p, length_bytes, MADV_RANDOM) != 0) {
    spdlog::warn("storage: madvise {} failed: {}", path_.string(), std::strerror(errno));
  }
  data_ = static_cast<uint8_t*>(p);
  mapped_bytes_ = length_bytes;
  return true;
}

IndexFile::~IndexFile() {
  if (data_ != nullptr) ::munmap(data_, mapped_bytes_);
  ::close(fd_);
}

void IndexFile::append(const uint8_t* entry) {
  size_t count = entries_.load(std::memory_order_relaxed);
  EDDY_ASSERT(count < max_entries_);
  std::memcpy(data_ + count * entry_size_, entry, entry_size_);
  entries_.store(count + 1, std::memory_order_release);
}

void IndexFile::keep_first(size_t count) {
  EDDY_ASSERT(count <= mapped_bytes_ / entry_size_);
  entries_.store(count, std::memory_order_release);
}

bool IndexFile::trim() {
  size_t count = entries();
  // The mapping keeps its length; only the first `count` entries are ever touched again.
  max_entries_ = count;
  if (::ftruncate(fd_, static_cast<off_t>(count * entry_size_)) != 0) {
    spdlog::error("storage: trim {} failed: {}", path_.string(), std::strerror(errno));
    return false;
  }
  return true;
}

bool IndexFile::flush() {
  size_t bytes = entries() * entry_size_;
  if (bytes == 0) return true;
  return ::msync(data_, bytes, MS_SYNC) == 0;
}

}  // namespace eddy::storage
