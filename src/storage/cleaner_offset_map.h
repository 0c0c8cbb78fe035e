#pragma once

// The cleaner's key -> last offset map, in bounded memory (Kafka's SkimpyOffsetMap idea):
// a fixed array of 24-byte slots holding a 16-byte key digest (half a SHA-256) and an offset,
// open addressing with double hashing. Keys themselves are never stored, so the memory per
// key is fixed whatever the key size. Two keys with the same 128-bit digest would be taken for
// one; at this digest size that does not happen in practice.
//
// Threads: one owner (the cleaner thread).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace eddy::storage {

class CleanerOffsetMap {
 public:
  static constexpr size_t kSlotBytes = 24;

  // `max_memory_bytes` bounds the slot array (log.cleaner.dedupe.buffer.size); at most
  // `load_factor` of the slots are filled.
  CleanerOffsetMap(int64_t max_memory_bytes, double load_factor);
  ~CleanerOffsetMap();
  CleanerOffsetMap(const CleanerOffsetMap&) = delete;
  CleanerOffsetMap& operator=(const CleanerOffsetMap&) = delete;

  // Empties the map and sizes it for about `expected_keys` keys, within the memory bound.
  void reset(int64_t expected_keys);
  // Records `offset` as the latest for `key`; the map must not be full().
  void put(std::span<const uint8_t> key, int64_t offset);
  // The offset recorded for `key`, or -1.
  int64_t get(std::span<const uint8_t> key);

  bool full() const { return entries_ >= max_entries_; }
  size_t entries() const { return entries_; }
  size_t max_entries() const { return max_entries_; }
  // The last offset this pass deduplicated: the last put since reset() (-1 if none), or what
  // set_latest_offset() said when the whole dirty range fitted.
  int64_t latest_offset() const { return latest_offset_; }
  void set_latest_offset(int64_t offset) { latest_offset_ = offset; }
  int64_t memory_bytes() const { return static_cast<int64_t>(slots_.size() * kSlotBytes); }

 private:
  struct Slot {
    uint64_t digest_high;
    uint64_t digest_low;
    int64_t offset;  // -1: empty
  };
  static_assert(sizeof(Slot) == kSlotBytes);

  // The slot holding `key`'s digest, or the empty slot where it would go.
  Slot& find(std::span<const uint8_t> key);

  size_t max_slots_;
  double load_factor_;
  std::vector<Slot> slots_;
  size_t max_entries_ = 0;
  size_t entries_ = 0;
  int64_t latest_offset_ = -1;
  void* digest_context_;  // EVP_MD_CTX, reused for every key
};

}  // namespace eddy::storage
