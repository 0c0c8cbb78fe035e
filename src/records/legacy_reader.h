#pragma once

// Reads a legacy (magic 0/1) message set the way a consumer does: compressed wrappers are
// opened and their inner messages reported with absolute offsets. Used by tests and to inspect
// what old clients send; every length is checked, hostile input yields a LegacyError.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "records/legacy_message.h"

namespace eddy::records {

// A message as a consumer sees it.
struct LegacyRecord {
  int64_t offset = 0;  // absolute
  int8_t magic = 0;
  int64_t timestamp_ms = kNoTimestamp;  // the wrapper's for a LogAppendTime wrapper
  bool log_append_time = false;
  compression::Codec wrapper_compression =
      compression::Codec::kNone;  // kNone when not inside a wrapper
  std::optional<std::span<const uint8_t>> key;
  std::optional<std::span<const uint8_t>> value;
};

// Buffers reused across calls; views passed to the visitor point into them or into `data`.
struct LegacyReadScratch {
  std::vector<uint8_t> compressed;  // an lz4 magic 0 value with its header checksum repaired
  std::vector<uint8_t> decompressed;
};

// Decompresses a wrapper's value into scratch.decompressed, at most `max_decompressed_bytes`
// (a magic 0 lz4 value gets its frame header checksum repaired first). kDecompressFailed when
// the value is null, corrupt or too large.
LegacyError decompress_legacy_wrapper(const LegacyMessage& wrapper, size_t max_decompressed_bytes,
                                      LegacyReadScratch& scratch);

// Calls `visit` for every message of `data`, inner messages of wrappers in place of the
// wrapper. Inner messages must be uncompressed and of the wrapper's magic. A wrapper holds at
// most `max_decompressed_bytes`. Stops at the first error; a partial entry at the end of `data`
// is kTruncated (Fetch may return one, the caller decides whether that is acceptable).
LegacyError read_legacy_records(std::span<const uint8_t> data, size_t max_decompressed_bytes,
                                LegacyReadScratch& scratch,
                                const std::function<void(const LegacyRecord&)>& visit);

}  // namespace eddy::records
