#pragma once

// The one produce validation pass: Kafka's ProduceRequest shape rules and its LogValidator in
// one pure function, from a partition's records bytes, the request version and the topic's
// policy to validated batches with their summary, or Kafka's error. No I/O, no locks; storage
// appends what it returns and only asserts the summary (docs/record-batch.md, "Validation").
//
// Every record of every batch is decoded: uncompressed records in place, compressed ones
// streamed through a bounded window (records::BatchRecordReader), so a decompression bomb
// costs at most the bound in CPU and one record in memory. No allocation per record.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "broker/produce/policy.h"
#include "protocol/error_code.h"
#include "records/batch_builder.h"
#include "records/batch_records.h"
#include "records/legacy_reader.h"
#include "storage/partition_log.h"

namespace eddy::broker {

struct RecordErrorDetail {
  int32_t batch_index = 0;  // index of the offending record within its batch, as Kafka reports
  std::string message;
};

struct ValidatedRecords {
  protocol::ErrorCode error = protocol::ErrorCode::kNone;
  std::string message;
  std::vector<RecordErrorDetail> record_errors;  // at most kMaxRecordErrors
  // What to append: the request's own bytes (header fields possibly patched in place), or
  // the scratch's `rewritten` buffer after recompression.
  std::span<uint8_t> batches;
  storage::BatchSummary summary;

  // A refusal of the whole partition's records.
  static ValidatedRecords refused(protocol::ErrorCode error, std::string message) {
    ValidatedRecords out;
    out.error = error;
    out.message = std::move(message);
    return out;
  }
};

// Buffers reused from one call to the next (one per event-loop thread), so the steady state
// allocates nothing.
struct ProduceValidationScratch {
  records::BatchRecordReader reader;
  records::RecompressScratch recompress;
  records::LegacyReadScratch legacy;  // decompressed wrappers of a legacy message set
  std::vector<uint8_t> rewritten;
};

// Record errors reported per batch; Kafka lists them all, which for a batch of a million
// keyless records on a compacted topic is a million strings.
inline constexpr size_t kMaxRecordErrors = 100;

// Validates one partition's records of a Produce request at `api_version`. The bytes are the
// request's own: a batch whose max timestamp disagrees with its records is corrected in place
// (CRC recomputed), as Kafka does. A legacy message set (magic 0/1, Produce v0-2) is
// up-converted into one new batch in scratch.rewritten (legacy_validator.h).
ValidatedRecords validate_produce_records(std::span<uint8_t> records, int16_t api_version,
                                          const ProducePolicy& policy, int64_t now_ms,
                                          ProduceValidationScratch& scratch);

}  // namespace eddy::broker
