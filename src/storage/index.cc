#include "storage/index.h"

#include "common/assert.h"
#include "records/byte_order.h"

namespace eddy::storage {

using records::load_be;
using records::store_be;

OffsetIndex::Entry OffsetIndex::at(size_t index) const {
  const uint8_t* p = file_->entry(index);
  return {base_offset_ + load_be<int32_t>(p), load_be<int32_t>(p + 4)};
}

OffsetIndex::Entry OffsetIndex::lookup(int64_t offset) const {
  // Binary search for the first entry above `offset`; the one before it is the answer.
  size_t low = 0;
  size_t high = entries();
  while (low < high) {
    size_t middle = low + (high - low) / 2;
    if (at(middle).offset <= offset) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low == 0 ? Entry{base_offset_, 0} : at(low - 1);
}

OffsetIndex::Entry OffsetIndex::lookup_position(int64_t position) const {
  size_t low = 0;
  size_t high = entries();
  while (low < high) {
    size_t middle = low + (high - low) / 2;
    if (at(middle).position <= position) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low == 0 ? Entry{base_offset_, 0} : at(low - 1);
}

std::optional<OffsetIndex::Entry> OffsetIndex::last() const {
  size_t count = entries();
  if (count == 0) return std::nullopt;
  return at(count - 1);
}

void OffsetIndex::append(int64_t offset, int64_t position) {
  auto previous = last();
  EDDY_ASSERT(offset > base_offset_ && offset - base_offset_ <= INT32_MAX);
  EDDY_ASSERT(position > 0 && position <= INT32_MAX);
  EDDY_ASSERT(!previous || (offset > previous->offset && position > previous->position));
  uint8_t entry[kOffsetIndexEntrySize];
  store_be<int32_t>(entry, static_cast<int32_t>(offset - base_offset_));
  store_be<int32_t>(entry + 4, static_cast<int32_t>(position));
  file_->append(entry);
}

bool OffsetIndex::sane(int64_t log_size_bytes) const {
  size_t count = entries();
  if (count == 0) return true;
  Entry tail = at(count - 1);
  if (tail.offset <= base_offset_ || tail.position <= 0 || tail.position >= log_size_bytes) {
    return false;
  }
  if (count == 1) return true;
  Entry before = at(count - 2);
  return before.offset < tail.offset && before.position < tail.position;
}

TimeIndex::Entry TimeIndex::at(size_t index) const {
  const uint8_t* p = file_->entry(index);
  return {load_be<int64_t>(p), base_offset_ + load_be<int32_t>(p + 8)};
}

std::optional<TimeIndex::Entry> TimeIndex::last_before(int64_t timestamp_ms) const {
  size_t low = 0;
  size_t high = entries();
  while (low < high) {
    size_t middle = low + (high - low) / 2;
    if (at(middle).timestamp_ms < timestamp_ms) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  if (low == 0) return std::nullopt;
  return at(low - 1);
}

std::optional<TimeIndex::Entry> TimeIndex::last() const {
  size_t count = entries();
  if (count == 0) return std::nullopt;
  return at(count - 1);
}

void TimeIndex::maybe_append(int64_t timestamp_ms, int64_t offset) {
  auto previous = last();
  if (previous && timestamp_ms <= previous->timestamp_ms) return;
  EDDY_ASSERT(offset >= base_offset_ && offset - base_offset_ <= INT32_MAX);
  uint8_t entry[kTimeIndexEntrySize];
  store_be<int64_t>(entry, timestamp_ms);
  store_be<int32_t>(entry + 8, static_cast<int32_t>(offset - base_offset_));
  file_->append(entry);
}

bool TimeIndex::sane() const {
  size_t count = entries();
  if (count < 2) return true;
  Entry tail = at(count - 1);
  Entry before = at(count - 2);
  return before.timestamp_ms < tail.timestamp_ms && before.offset <= tail.offset;
}

}  // namespace eddy::storage
