#pragma once

// Builds a valid v2 record batch (used for recompression and for the broker's own topics).
// Offset deltas are 0..n-1; the first record's timestamp becomes the base timestamp.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "records/batch_header.h"
#include "records/record.h"

namespace eddy::records {

struct HeaderInput {
  std::span<const uint8_t> key;
  std::optional<std::span<const uint8_t>> value;
};

struct RecordInput {
  std::optional<std::span<const uint8_t>> key;
  std::optional<std::span<const uint8_t>> value;
  std::span<const HeaderInput> headers;
  int64_t timestamp_ms = 0;
};

struct BatchOptions {
  compression::Codec compression = compression::Codec::kNone;
  int64_t base_offset = 0;
  int32_t partition_leader_epoch = -1;
  int64_t producer_id = kNoProducerId;
  int16_t producer_epoch = kNoProducerEpoch;
  int32_t base_sequence = kNoSequence;
  bool transactional = false;
  bool control = false;
  bool log_append_time = false;
};

class BatchBuilder {
 public:
  explicit BatchBuilder(const BatchOptions& options) : options_(options) {}

  void add(const RecordInput& record);
  int32_t record_count() const { return record_count_; }

  // Appends the finished batch to `out` (at least one record must have been added) and resets
  // the builder for the next batch. False only if compression fails.
  bool finish(std::vector<uint8_t>& out);

 private:
  BatchOptions options_;
  std::vector<uint8_t> records_;     // encoded, uncompressed records
  std::vector<uint8_t> compressed_;  // reused between batches
  std::vector<uint8_t> body_;        // one record's fields, before its length prefix
  int32_t record_count_ = 0;
  int64_t base_timestamp_ms_ = 0;
  int64_t max_timestamp_ms_ = 0;
};

// Buffers reused across recompress_batch calls, so steady state does not allocate.
struct RecompressScratch {
  std::vector<uint8_t> decompressed;
  std::vector<uint8_t> compressed;
};

// Rewrites one whole batch (header already valid) with another codec: same header fields and
// records, new attributes and CRC, appended to `out`. The records are validated on the way
// (count included); their error is returned, or kDecompressFailed if compressing fails.
RecordError recompress_batch(std::span<const uint8_t> batch, compression::Codec target,
                             size_t max_decompressed_bytes, RecompressScratch& scratch,
                             std::vector<uint8_t>& out);

}  // namespace eddy::records
