// The produce validation pass (src/broker/produce/validator.h): a partition's records bytes
// under any Produce version and topic policy, legacy message sets (v0-2) included.
//
// Invariants: what passes is exactly one whole batch with a valid CRC whose records walk again
// to exactly its record count with offset deltas 0..n-1; the summary agrees with the headers
// (what storage's append asserts: summarize_built_batches) and with the records' timestamps;
// an error always carries a message.

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "broker/produce/validator.h"
#include "fuzz/fuzz_check.h"
#include "records/batch_header.h"
#include "records/batch_records.h"
#include "records/record.h"
#include "storage/partition_log.h"

namespace {

using namespace eddy;

// The first input byte picks the Produce version (0-11) and the policy.
broker::ProducePolicy policy_from(uint8_t selector) {
  broker::ProducePolicy policy;
  policy.compacted = (selector & 0x10) != 0;
  policy.log_append_time = (selector & 0x20) != 0;
  if ((selector & 0x40) != 0) {
    policy.timestamp_before_max_ms = 3'600'000;
    policy.timestamp_after_max_ms = 3'600'000;
  }
  if ((selector & 0x80) != 0) policy.recompress_to = compression::Codec::kLz4;
  return policy;
}

void check_accepted(const broker::ValidatedRecords& validated,
                    const broker::ProducePolicy& policy) {
  records::BatchHeader header;
  FUZZ_CHECK(records::parse_batch_header(validated.batches, header) == records::BatchError::kNone);
  FUZZ_CHECK(header.total_size_bytes() == validated.batches.size());
  FUZZ_CHECK(records::verify_batch_crc(validated.batches));
  FUZZ_CHECK(header.base_offset == 0);
  FUZZ_CHECK(header.record_count > 0);
  FUZZ_CHECK(validated.summary.record_count == header.record_count);
  FUZZ_CHECK(validated.summary.offset_count == header.record_count);

  const storage::BatchSummary from_headers = storage::summarize_built_batches(validated.batches);
  FUZZ_CHECK(from_headers.record_count == validated.summary.record_count);
  FUZZ_CHECK(from_headers.offset_count == validated.summary.offset_count);

  records::BatchRecordReader reader;
  reader.start(validated.batches, header);
  records::RecordView record;
  int64_t max_timestamp_ms = -1;
  while (reader.next(record)) {
    FUZZ_CHECK(record.offset_delta == reader.records_read() - 1);
    FUZZ_CHECK(!policy.compacted || record.key.has_value());
    max_timestamp_ms = std::max(max_timestamp_ms, records::record_timestamp(header, record));
  }
  FUZZ_CHECK(reader.error() == records::RecordError::kNone);
  FUZZ_CHECK(reader.records_read() == header.record_count);
  FUZZ_CHECK(validated.summary.max_timestamp_ms == max_timestamp_ms);
  if (!policy.log_append_time) FUZZ_CHECK(header.max_timestamp == max_timestamp_ms);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto version = static_cast<int16_t>((data[0] & 0x0f) % 12);
  const broker::ProducePolicy policy = policy_from(data[0]);
  // The validator patches the bytes in place, as it does in a request buffer.
  std::vector<uint8_t> records(data + 1, data + size);
  static broker::ProduceValidationScratch scratch;
  constexpr int64_t kNowMs = 1'700'000'000'000;
  const broker::ValidatedRecords validated =
      broker::validate_produce_records(records, version, policy, kNowMs, scratch);
  if (validated.error != eddy::protocol::ErrorCode::kNone) {
    FUZZ_CHECK(!validated.message.empty());
    FUZZ_CHECK(validated.record_errors.size() <= broker::kMaxRecordErrors);
    return 0;
  }
  check_accepted(validated, policy);
  return 0;
}
