#include "broker/produce/validator.h"

#include <algorithm>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "broker/produce/legacy_validator.h"
#include "broker/produce/record_rules.h"
#include "common/assert.h"
#include "records/batch_header.h"

namespace eddy::broker {
namespace {

using protocol::ErrorCode;
using records::BatchError;
using records::BatchHeader;

// Produce v7 introduced zstd (KIP-110); older requests may not carry it.
constexpr int16_t kFirstZstdVersion = 7;

// The request-level shape (Kafka's ProduceRequest.validateRecords and
// getFirstBatchAndMaybeValidateNoMoreBatches): exactly one whole magic 2 batch, with a codec
// the version may carry. Fills `header` from the one batch.
std::optional<ValidatedRecords> check_shape(std::span<const uint8_t> records, int16_t version,
                                            BatchHeader& header) {
  const BatchError error = records::parse_batch_header(records, header);
  const auto fail = [&](ErrorCode code, const char* what) {
    return ValidatedRecords::refused(
        code, fmt::format("Produce requests with version {} {}", version, what));
  };
  if (records.empty()) {
    return fail(ErrorCode::kInvalidRecord, "must have at least one record batch per partition");
  }
  if (error == BatchError::kBadMagic) {
    return fail(ErrorCode::kInvalidRecord,
                "are only allowed to contain record batches with magic version 2");
  }
  if (error == BatchError::kBadCompression) {
    return ValidatedRecords::refused(
        ErrorCode::kUnsupportedCompressionType,
        fmt::format("Unknown compression codec {} in the record batch attributes",
                    header.attributes & records::kCompressionMask));
  }
  if (error != BatchError::kNone) {
    return ValidatedRecords::refused(
        ErrorCode::kCorruptMessage,
        fmt::format("Malformed record batch: {}", records::to_string(error)));
  }
  if (version < kFirstZstdVersion && header.compression() == compression::Codec::kZstd) {
    return fail(ErrorCode::kUnsupportedCompressionType,
                "are not allowed to use ZStandard compression");
  }
  if (header.total_size_bytes() != records.size()) {
    return fail(ErrorCode::kInvalidRecord,
                "are only allowed to contain exactly one record batch per partition");
  }
  return std::nullopt;
}

// Kafka's batch rules for clients (UnifiedLog.analyzeAndValidateRecords, validateBatch).
std::optional<ValidatedRecords> check_batch(std::span<const uint8_t> batch,
                                            const BatchHeader& header) {
  if (header.base_offset != 0) {
    return ValidatedRecords::refused(
        ErrorCode::kInvalidRecord,
        fmt::format("The baseOffset of the record batch should be 0, but it is {}",
                    header.base_offset));
  }
  if (!records::verify_batch_crc(batch)) {
    return ValidatedRecords::refused(
        ErrorCode::kCorruptMessage,
        fmt::format("Record batch is corrupt (stored crc = {})", header.crc));
  }
  if (records::validate_produced_batch(header) != BatchError::kNone) {
    return ValidatedRecords::refused(
        ErrorCode::kInvalidRecord,
        fmt::format("Inconsistent batch offset range [0, {}] and count of records {}",
                    header.last_offset_delta, header.record_count));
  }
  if (header.is_control()) {
    return ValidatedRecords::refused(ErrorCode::kInvalidRecord,
                                     "Clients are not allowed to write control records");
  }
  if (header.producer_id >= 0 && header.base_sequence < 0) {
    return ValidatedRecords::refused(
        ErrorCode::kInvalidRecord,
        fmt::format("Invalid sequence number {} in record batch with producerId {}",
                    header.base_sequence, header.producer_id));
  }
  if (header.is_log_append_time()) {
    return ValidatedRecords::refused(ErrorCode::kInvalidTimestamp,
                                     "Producer should not set timestamp type to LogAppendTime");
  }
  return std::nullopt;
}

// Decodes every record: structure, count, offset deltas, and the topic rules. Returns the
// largest record timestamp.
int64_t check_records(std::span<const uint8_t> batch, const BatchHeader& header,
                      const ProducePolicy& policy, int64_t now_ms,
                      records::BatchRecordReader& reader, ValidatedRecords& out) {
  reader.start(batch, header);
  records::RecordView record;
  int64_t max_timestamp_ms = -1;
  while (reader.next(record)) {
    const int64_t timestamp_ms = records::record_timestamp(header, record);
    max_timestamp_ms = std::max(max_timestamp_ms, timestamp_ms);
    const RecordFacts facts{reader.records_read() - 1, record.key.has_value(), timestamp_ms};
    check_record_rules(facts, policy, now_ms, out);
  }
  if (reader.error() != records::RecordError::kNone) {
    out.error = ErrorCode::kInvalidRecord;
    out.record_errors.clear();
    out.message =
        fmt::format("Invalid record at index {} of a batch of {}: {}", reader.records_read(),
                    header.record_count, records::to_string(reader.error()));
    return max_timestamp_ms;
  }
  if (out.error != ErrorCode::kNone) describe_record_errors(out);
  return max_timestamp_ms;
}

}  // namespace

ValidatedRecords validate_produce_records(std::span<uint8_t> records, int16_t api_version,
                                          const ProducePolicy& policy, int64_t now_ms,
                                          ProduceValidationScratch& scratch) {
  if (is_legacy_message_set(records, api_version)) {
    return up_convert_legacy_records(records, policy, now_ms, scratch);
  }
  BatchHeader header;
  if (auto refused = check_shape(records, api_version, header)) return *refused;
  if (auto refused = check_batch(records, header)) return *refused;

  ValidatedRecords out;
  const int64_t max_timestamp_ms =
      check_records(records, header, policy, now_ms, scratch.reader, out);
  if (out.error != ErrorCode::kNone) return out;
  EDDY_ASSERT(scratch.reader.records_read() == header.record_count);

  // Kafka sets a CreateTime batch's max timestamp from its records (LogAppendTime batches are
  // stamped by storage at append).
  if (!policy.log_append_time && header.max_timestamp != max_timestamp_ms) {
    records::set_create_time_max_timestamp(records, max_timestamp_ms);
  }
  out.batches = records;
  out.summary.offset_count = header.record_count;
  out.summary.record_count = header.record_count;
  out.summary.max_timestamp_ms = max_timestamp_ms;

  if (policy.recompress_to && *policy.recompress_to != header.compression()) {
    scratch.rewritten.clear();
    if (records::recompress_batch(records, *policy.recompress_to,
                                  records::kMaxDecompressedBatchBytes, scratch.recompress,
                                  scratch.rewritten) != records::RecordError::kNone) {
      return ValidatedRecords::refused(ErrorCode::kInvalidRecord,
                                       "record batch could not be recompressed");
    }
    out.batches = scratch.rewritten;
  }
  return out;
}

}  // namespace eddy::broker
