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

namespace {

// Logs a failure without losing errno (callers react to EMFILE).
void log_failure(const char* what, const std::filesystem::path& path) {
  const int error_number = errno;
  spdlog::error("storage: {} {} failed: {}", what, path.string(), std::strerror(error_number));
  errno = error_number;
}

// Closes the descriptor when it goes out of scope, keeping errno.
struct ScopedFd {
  int fd;
  ~ScopedFd() {
    const int error_number = errno;
    if (fd >= 0) ::close(fd);
    errno = error_number;
  }
};

}  // namespace

std::unique_ptr<IndexFile> IndexFile::open(const std::filesystem::path& path, size_t entry_size,
                                           int64_t max_size_bytes, bool for_append) {
  const int flags = O_RDWR | O_CLOEXEC | (for_append ? O_CREAT : 0);
  ScopedFd file{::open(path.c_str(), flags, 0644)};
  const int fd = file.fd;
  if (fd < 0) {
    log_failure("open", path);
    return nullptr;
  }
  std::unique_ptr<IndexFile> index(new IndexFile(path, entry_size));
  struct stat st {};
  if (::fstat(fd, &st) != 0) return nullptr;
  size_t present = static_cast<size_t>(st.st_size) / entry_size;
  size_t length = present * entry_size;
  if (for_append) {
    size_t max_entries = std::max<size_t>(static_cast<size_t>(max_size_bytes) / entry_size, 2);
    length = std::max(present, max_entries) * entry_size;
    if (::ftruncate(fd, static_cast<off_t>(length)) != 0) {
      log_failure("resize", path);
      return nullptr;
    }
  }
  if (!index->map(fd, length)) return nullptr;
  index->max_entries_ = for_append ? length / entry_size : present;
  index->entries_.store(present, std::memory_order_release);
  return index;
}

bool IndexFile::map(int fd, size_t length_bytes) {
  if (length_bytes == 0) return true;
  void* p = ::mmap(nullptr, length_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    log_failure("mmap", path_);
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
  if (::truncate(path_.c_str(), static_cast<off_t>(count * entry_size_)) != 0) {
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
