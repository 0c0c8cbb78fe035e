#include "storage/cleaner_offset_map.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include <openssl/evp.h>

#include "common/assert.h"

namespace eddy::storage {
namespace {

// The smallest power of two >= `value`, at least 2 (double hashing needs an even table).
size_t power_of_two_at_least(size_t value) {
  return std::max<size_t>(std::bit_ceil(std::max<size_t>(value, 1)), 2);
}

}  // namespace

CleanerOffsetMap::CleanerOffsetMap(int64_t max_memory_bytes, double load_factor)
    : load_factor_(load_factor), digest_context_(EVP_MD_CTX_new()) {
  EDDY_ASSERT(digest_context_ != nullptr);
  EDDY_ASSERT(load_factor > 0 && load_factor <= 1);
  size_t affordable = static_cast<size_t>(std::max<int64_t>(max_memory_bytes, 0)) / kSlotBytes;
  // Round down to a power of two so the probe sequence visits every slot.
  max_slots_ = affordable < 2 ? 2 : std::bit_floor(affordable);
}

CleanerOffsetMap::~CleanerOffsetMap() {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(digest_context_));
}

void CleanerOffsetMap::reset(int64_t expected_keys) {
  auto wanted =
      static_cast<size_t>(static_cast<double>(std::max<int64_t>(expected_keys, 1)) / load_factor_) +
      1;
  size_t slot_count = std::min(power_of_two_at_least(wanted), max_slots_);
  slots_.assign(slot_count, Slot{0, 0, -1});
  max_entries_ =
      std::max<size_t>(static_cast<size_t>(static_cast<double>(slot_count) * load_factor_), 1);
  max_entries_ = std::min(max_entries_, slot_count - 1);  // one slot stays empty: probes end
  entries_ = 0;
  latest_offset_ = -1;
}

CleanerOffsetMap::Slot& CleanerOffsetMap::find(std::span<const uint8_t> key) {
  EDDY_ASSERT(!slots_.empty());
  auto* context = static_cast<EVP_MD_CTX*>(digest_context_);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  bool ok = EVP_DigestInit_ex(context, EVP_sha256(), nullptr) == 1 &&
            EVP_DigestUpdate(context, key.data(), key.size()) == 1 &&
            EVP_DigestFinal_ex(context, digest, &digest_size) == 1;
  EDDY_ASSERT_MSG(ok && digest_size >= 16, "SHA-256 failed");
  uint64_t high = 0;
  uint64_t low = 0;
  std::memcpy(&high, digest, 8);
  std::memcpy(&low, digest + 8, 8);
  size_t mask = slots_.size() - 1;
  size_t step = static_cast<size_t>(low) | 1;  // odd: coprime with the power-of-two size
  size_t position = static_cast<size_t>(high) & mask;
  // At least one slot is empty (max_entries_ < slots), so this loop ends within slots_.size().
  for (size_t probe = 0; probe < slots_.size(); ++probe) {
    Slot& slot = slots_[position];
    if (slot.offset < 0 || (slot.digest_high == high && slot.digest_low == low)) {
      slot.digest_high = high;
      slot.digest_low = low;
      return slot;
    }
    position = (position + step) & mask;
  }
  EDDY_ASSERT_MSG(false, "offset map has no empty slot");
  return slots_[0];
}

void CleanerOffsetMap::put(std::span<const uint8_t> key, int64_t offset) {
  EDDY_ASSERT(!full());
  Slot& slot = find(key);
  if (slot.offset < 0) entries_++;
  slot.offset = offset;
  latest_offset_ = offset;
}

int64_t CleanerOffsetMap::get(std::span<const uint8_t> key) {
  return find(key).offset;
}

}  // namespace eddy::storage
