// Down-conversion of stored v2 batches to magic 0/1 for Fetch v0-v3 (records/legacy_convert.h).
// Input: an options byte, the fetch offset byte, then batches as a segment holds them.
//
// Invariants: whatever down_convert appends reads back cleanly as a legacy message set (CRCs
// verified, wrappers opened), holds exactly `messages` top-level entries of the requested magic,
// respects max_output_bytes unless min_one_message let a first message through, and every
// record it delivers is at or above the fetch offset.

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "records/batch_header.h"
#include "records/legacy_convert.h"
#include "records/legacy_message.h"
#include "records/legacy_reader.h"

using namespace eddy::records;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  DownConvertOptions options;
  options.magic = static_cast<int8_t>(data[0] & 1);
  options.min_one_message = (data[0] & 2) != 0;
  options.max_output_bytes = (data[0] & 4) != 0 ? size_t{64} * (data[0] >> 3) : size_t{1} << 30;
  options.first_offset = data[1];
  options.max_decompressed_bytes = eddy::fuzz::kMaxDecompressedBytes;

  // Stored batches carry the offsets the broker assigned at append (small, increasing), so the
  // input's base offsets are replaced the way the append path does; everything else stays.
  std::vector<uint8_t> stored(data + 2, data + size);
  BatchIterator assign(stored, /*verify_crc=*/false);
  int64_t next_offset = 0;
  while (assign.next()) {
    set_base_offset(std::span(stored).subspan(assign.batch_position(), assign.batch().size()),
                    next_offset);
    next_offset += std::max(assign.header().last_offset_delta, 0) + int64_t{1};
  }
  const std::span<const uint8_t> batches(stored);

  DownConvertScratch scratch;
  std::vector<uint8_t> out;
  const DownConvertResult result = down_convert(batches, options, scratch, out);

  size_t entries = 0;
  LegacyMessageIterator it(out, /*verify_crc=*/true);
  LegacyMessage message;
  while (it.next(message)) {
    ++entries;
    FUZZ_CHECK(message.magic == options.magic);
  }
  FUZZ_CHECK(it.error() == LegacyError::kNone);
  FUZZ_CHECK(entries == result.messages);
  if (out.size() > options.max_output_bytes) {
    FUZZ_CHECK(options.min_one_message && result.messages == 1);
  }

  LegacyReadScratch read_scratch;
  const LegacyError read_error = read_legacy_records(
      out, options.max_decompressed_bytes, read_scratch, [&](const LegacyRecord& record) {
        FUZZ_CHECK(record.magic == options.magic);
        FUZZ_CHECK(record.offset >= options.first_offset);
      });
  FUZZ_CHECK(read_error == LegacyError::kNone);
  return 0;
}
