#pragma once

// A memory-mapped file of fixed-size index entries (see docs/storage-format.md).
// One writer appends entries (under the partition's append lock); readers may look at the first
// entries() entries at any time without a lock: an entry is written before the count that makes
// it visible is published.
// No descriptor stays open: the mapping is all an index needs (trim() resizes by path), so an
// open segment costs one descriptor, its .log.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

namespace eddy::storage {

class IndexFile {
 public:
  // Opens `path` (creating it only `for_append`). Entries present = file size / entry size.
  // With `for_append`, the file is extended to `max_size_bytes` (rounded down to whole entries,
  // at least two) so appends need no allocation. nullptr on error (logged; errno kept).
  static std::unique_ptr<IndexFile> open(const std::filesystem::path& path, size_t entry_size,
                                         int64_t max_size_bytes, bool for_append);
  ~IndexFile();
  IndexFile(const IndexFile&) = delete;
  IndexFile& operator=(const IndexFile&) = delete;

  size_t entries() const { return entries_.load(std::memory_order_acquire); }
  size_t max_entries() const { return max_entries_; }
  bool full() const { return entries() >= max_entries_; }
  const uint8_t* entry(size_t index) const { return data_ + index * entry_size_; }

  // Copies one entry in; the index must not be full.
  void append(const uint8_t* entry);
  // Forgets every entry (before a rebuild).
  void clear() { entries_.store(0, std::memory_order_release); }
  // Keeps the first `count` entries present when the file was opened (a partial rebuild).
  void keep_first(size_t count);
  // Shrinks the file to the entries written; no append may follow. The file must still be at
  // path().
  bool trim();
  // Writes the mapped pages back (msync).
  bool flush();
  const std::filesystem::path& path() const { return path_; }
  // After the file was renamed (a cleaner swap).
  void set_path(std::filesystem::path path) { path_ = std::move(path); }

 private:
  IndexFile(std::filesystem::path path, size_t entry_size)
      : path_(std::move(path)), entry_size_(entry_size) {}
  bool map(int fd, size_t length_bytes);

  std::filesystem::path path_;
  size_t entry_size_;
  uint8_t* data_ = nullptr;
  size_t mapped_bytes_ = 0;
  size_t max_entries_ = 0;
  std::atomic<size_t> entries_{0};
};

}  // namespace eddy::storage
