// Legacy message sets (magic 0 and 1): what Produce v0-v2 clients send and what old Fetch
// versions receive. LegacyMessageIterator over top-level entries, then read_legacy_records,
// which opens compressed wrappers (bounded) as a consumer does.
//
// Invariants: every parsed entry re-encodes with append_legacy_message to the very same bytes
// (its CRC recomputed), legacy_entry_size agrees with what was consumed, the iterator's position
// only grows and stays inside the input, and read_legacy_records visits only views inside the
// input or its own scratch buffers.

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "records/byte_order.h"
#include "records/legacy_message.h"
#include "records/legacy_reader.h"

namespace {

using namespace eddy::records;
using eddy::fuzz::kMaxDecompressedBytes;

void check_reencoded(std::span<const uint8_t> entry, const LegacyMessage& message) {
  const LegacyMessageInput input{message.offset, message.attributes, message.timestamp_ms,
                                 message.key, message.value};
  std::vector<uint8_t> out;
  append_legacy_message(message.magic, input, out);
  FUZZ_CHECK(out.size() == entry.size());
  FUZZ_CHECK(out.size() == legacy_entry_size(message.magic, message.key ? message.key->size() : 0,
                                             message.value ? message.value->size() : 0));
  // Same bytes everywhere but the CRC, which is the computed one.
  FUZZ_CHECK(std::equal(out.begin(), out.begin() + kLegacyCrcOffset, entry.begin()));
  FUZZ_CHECK(
      std::equal(out.begin() + kLegacyMagicOffset, out.end(), entry.begin() + kLegacyMagicOffset));
  FUZZ_CHECK(load_be<uint32_t>(out.data() + kLegacyCrcOffset) == compute_legacy_crc(entry));
}

bool inside(std::span<const uint8_t> part, std::span<const uint8_t> whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);

  LegacyMessageIterator it(input, /*verify_crc=*/false);
  LegacyMessage message;
  size_t position = 0;
  while (it.next(message)) {
    FUZZ_CHECK(it.position() > position && it.position() <= size);
    FUZZ_CHECK(message.magic == 0 || message.magic == 1);
    check_reencoded(input.subspan(position, it.position() - position), message);
    position = it.position();
  }
  if (it.error() == LegacyError::kNone) FUZZ_CHECK(position == size);

  LegacyReadScratch scratch;
  size_t visited = 0;
  const LegacyError error =
      read_legacy_records(input, kMaxDecompressedBytes, scratch, [&](const LegacyRecord& record) {
        ++visited;
        FUZZ_CHECK(record.magic == 0 || record.magic == 1);
        for (const auto& bytes : {record.key, record.value}) {
          if (!bytes) continue;
          FUZZ_CHECK(inside(*bytes, input) || inside(*bytes, scratch.decompressed) ||
                     inside(*bytes, scratch.compressed));
        }
      });
  FUZZ_CHECK(scratch.decompressed.size() <= kMaxDecompressedBytes);
  (void)error;
  (void)visited;
  return 0;
}
