#pragma once

// Down-conversion of stored record batches (magic 2) to the legacy message format (magic 0/1)
// for old Fetch versions. Every record keeps its offset, key, value and (magic 1) timestamp and
// timestamp type; headers are dropped; control batches are skipped; a compressed batch becomes
// one compressed wrapper message with the same codec. zstd has no legacy form.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "records/legacy_message.h"

namespace eddy::records {

struct DownConvertOptions {
  int8_t magic = 1;                   // 0 or 1
  int64_t first_offset = 0;           // records below it are left out (the fetch offset)
  size_t max_output_bytes = 0;        // only whole messages, up to this many bytes...
  bool min_one_message = true;        // ...except the first message, which always goes out
  size_t max_decompressed_bytes = 0;  // per compressed batch
};

// Buffers reused across calls, so a fetch loop does not allocate in steady state.
struct DownConvertScratch {
  std::vector<uint8_t> decompressed;  // a compressed batch's records
  std::vector<uint8_t> inner;         // a wrapper's inner message set
  std::vector<uint8_t> compressed;    // a wrapper's value
};

struct DownConvertResult {
  LegacyError error = LegacyError::kNone;
  size_t messages = 0;       // top-level entries appended to `out`
  int64_t next_offset = -1;  // first offset neither converted nor skipped (-1: nothing read)
  bool full = false;         // stopped because the next message did not fit
};

// Converts the whole batches in `batches` (as read from a segment) and appends the messages to
// `out`. Stops at the first error; messages appended before it stay in `out` and are valid.
DownConvertResult down_convert(std::span<const uint8_t> batches, const DownConvertOptions& options,
                               DownConvertScratch& scratch, std::vector<uint8_t>& out);

}  // namespace eddy::records
