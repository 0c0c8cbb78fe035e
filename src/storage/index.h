#pragma once

// The two sparse per-segment indexes (see docs/storage-format.md):
//   OffsetIndex: relative offset (int32) -> position in the .log (int32)
//   TimeIndex:   timestamp (int64) -> relative offset (int32)
// Both are append-only with strictly increasing keys, so lookups are binary searches.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include "storage/index_file.h"

namespace eddy::storage {

inline constexpr size_t kOffsetIndexEntrySize = 8;
inline constexpr size_t kTimeIndexEntrySize = 12;

class OffsetIndex {
 public:
  struct Entry {
    int64_t offset;
    int64_t position;
  };

  OffsetIndex(std::unique_ptr<IndexFile> file, int64_t base_offset)
      : file_(std::move(file)), base_offset_(base_offset) {}

  // The last entry with offset <= `offset`, or {base offset, 0}.
  Entry lookup(int64_t offset) const;
  // The last entry with position <= `position`, or {base offset, 0}.
  Entry lookup_position(int64_t position) const;
  std::optional<Entry> last() const;
  Entry at(size_t index) const;
  size_t entries() const { return file_->entries(); }

  // Adds an entry; offset and position must exceed the last entry's.
  void append(int64_t offset, int64_t position);
  // True when the entries are strictly increasing and within the given bounds (a cheap check
  // of the last entries, as Kafka does, not a full scan).
  bool sane(int64_t log_size_bytes) const;
  IndexFile& file() { return *file_; }

 private:
  std::unique_ptr<IndexFile> file_;
  int64_t base_offset_;
};

class TimeIndex {
 public:
  struct Entry {
    int64_t timestamp_ms;
    int64_t offset;
  };

  TimeIndex(std::unique_ptr<IndexFile> file, int64_t base_offset)
      : file_(std::move(file)), base_offset_(base_offset) {}

  // The last entry with timestamp < `timestamp_ms`, if any.
  std::optional<Entry> last_before(int64_t timestamp_ms) const;
  std::optional<Entry> last() const;
  Entry at(size_t index) const;
  size_t entries() const { return file_->entries(); }

  // Adds an entry only if `timestamp_ms` exceeds the last entry's; needs a free slot.
  void maybe_append(int64_t timestamp_ms, int64_t offset);
  bool sane() const;
  IndexFile& file() { return *file_; }

 private:
  std::unique_ptr<IndexFile> file_;
  int64_t base_offset_;
};

}  // namespace eddy::storage
