#include "broker/produce/legacy_validator.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "broker/produce/record_rules.h"
#include "common/assert.h"
#include "records/batch_builder.h"
#include "records/legacy_message.h"
#include "records/legacy_reader.h"

namespace eddy::broker {
namespace {

using protocol::ErrorCode;
using records::LegacyError;
using records::LegacyMessage;
using records::LegacyMessageIterator;

// Produce v3 introduced record batches; only v0-2 may carry the legacy format.
constexpr int16_t kFirstBatchOnlyVersion = 3;

// Kafka's answers for a message that does not parse: a broken structure or checksum is a
// corrupt message (CorruptRecordException); a wrong magic or codec is an invalid record.
ValidatedRecords refuse_unparsable(LegacyError error, bool inner) {
  const char* where = inner ? "an inner message of a compressed message" : "a message";
  const std::string message =
      fmt::format("Invalid legacy message set, {}: {}", where, records::to_string(error));
  switch (error) {
    case LegacyError::kBadMagic:
    case LegacyError::kBadCompression:
      return ValidatedRecords::refused(ErrorCode::kInvalidRecord, message);
    default:
      return ValidatedRecords::refused(ErrorCode::kCorruptMessage, message);
  }
}

// One up-conversion: the messages read so far, already appended to the new batch.
class UpConversion {
 public:
  UpConversion(const ProducePolicy& policy, int64_t now_ms, compression::Codec codec)
      : policy_(policy), now_ms_(now_ms), builder_({.compression = codec}) {}

  // Checks one uncompressed message (top-level or inner) and adds it to the batch; a refusal
  // ends the conversion.
  std::optional<ValidatedRecords> add(const LegacyMessage& message) {
    const int64_t timestamp_ms = message.timestamp_ms;
    if (timestamp_ms < 0 && timestamp_ms != records::kNoTimestamp) {
      return ValidatedRecords::refused(ErrorCode::kInvalidTimestamp,
                                       fmt::format("Invalid negative timestamp {}", timestamp_ms));
    }
    // The new batch's records must decompress within the bound every reader shares. Each
    // message counts with its framing, so a set of empty messages is bounded too.
    message_bytes_ +=
        records::legacy_entry_size(message.magic, message.key ? message.key->size() : 0,
                                   message.value ? message.value->size() : 0);
    if (message_bytes_ > records::kMaxDecompressedBatchBytes) {
      return ValidatedRecords::refused(
          ErrorCode::kInvalidRecord,
          fmt::format("The message set holds more than {} bytes of messages",
                      records::kMaxDecompressedBatchBytes));
    }
    const RecordFacts facts{count_, message.key.has_value(), timestamp_ms,
                            timestamp_ms != records::kNoTimestamp};
    check_record_rules(facts, policy_, now_ms_, rule_errors_);
    builder_.add({message.key, message.value, {}, timestamp_ms});
    max_timestamp_ms_ = count_ == 0 ? timestamp_ms : std::max(max_timestamp_ms_, timestamp_ms);
    ++count_;
    return std::nullopt;
  }

  // The new batch, appended to `out` (cleared first), or the refusal.
  ValidatedRecords finish(std::vector<uint8_t>& out) {
    if (rule_errors_.error != ErrorCode::kNone) {
      describe_record_errors(rule_errors_);
      return std::move(rule_errors_);
    }
    out.clear();
    if (!builder_.finish(out)) {
      return ValidatedRecords::refused(ErrorCode::kInvalidRecord,
                                       "The up-converted batch could not be compressed");
    }
    ValidatedRecords validated;
    validated.batches = out;
    validated.summary.offset_count = count_;
    validated.summary.record_count = count_;
    validated.summary.max_timestamp_ms = max_timestamp_ms_;
    return validated;
  }

 private:
  const ProducePolicy& policy_;
  int64_t now_ms_;
  records::BatchBuilder builder_;
  ValidatedRecords rule_errors_;
  size_t message_bytes_ = 0;  // uncompressed, framing included
  int32_t count_ = 0;
  int64_t max_timestamp_ms_ = records::kNoTimestamp;
};

// Walks the top-level messages once: every one parses and its CRC holds, none claims
// LogAppendTime. Finds the producer's codec: the last compressed message's, as Kafka takes it.
std::optional<ValidatedRecords> scan_top_level(std::span<const uint8_t> records,
                                               compression::Codec& source_codec) {
  LegacyMessageIterator messages(records, /*verify_crc=*/true);
  LegacyMessage message;
  while (messages.next(message)) {
    // Eddy refuses it on every topic (docs/kafka-differences.md), as for record batches.
    if (message.is_log_append_time()) {
      return ValidatedRecords::refused(ErrorCode::kInvalidTimestamp,
                                       "Producer should not set timestamp type to LogAppendTime");
    }
    if (message.compression() != compression::Codec::kNone) source_codec = message.compression();
  }
  if (messages.error() != LegacyError::kNone) {
    return refuse_unparsable(messages.error(), /*inner=*/false);
  }
  return std::nullopt;
}

// Opens a compressed wrapper and adds its inner messages, which must be uncompressed and of
// the wrapper's magic (Kafka's deep iteration rules).
std::optional<ValidatedRecords> add_wrapper(const LegacyMessage& wrapper,
                                            records::LegacyReadScratch& scratch,
                                            UpConversion& conversion) {
  if (records::decompress_legacy_wrapper(wrapper, records::kMaxDecompressedBatchBytes, scratch) !=
      LegacyError::kNone) {
    return ValidatedRecords::refused(
        ErrorCode::kInvalidRecord,
        fmt::format("The value of a compressed message (codec {}) could not be "
                    "decompressed within {} bytes",
                    static_cast<int>(wrapper.compression()), records::kMaxDecompressedBatchBytes));
  }
  LegacyMessageIterator inner(scratch.decompressed, /*verify_crc=*/true);
  LegacyMessage message;
  int32_t count = 0;
  while (inner.next(message)) {
    if (message.compression() != compression::Codec::kNone) {
      return ValidatedRecords::refused(
          ErrorCode::kInvalidRecord,
          "Compressed outer message has an inner message that is compressed");
    }
    if (message.magic != wrapper.magic) {
      return ValidatedRecords::refused(
          ErrorCode::kInvalidRecord,
          fmt::format("Compressed message magic {} does not match wrapper magic {}", message.magic,
                      wrapper.magic));
    }
    if (auto refused = conversion.add(message)) return refused;
    ++count;
  }
  if (inner.error() != LegacyError::kNone) return refuse_unparsable(inner.error(), /*inner=*/true);
  if (count == 0) {
    return ValidatedRecords::refused(ErrorCode::kInvalidRecord,
                                     "Found invalid compressed record set with no inner records");
  }
  return std::nullopt;
}

}  // namespace

bool is_legacy_message_set(std::span<const uint8_t> records, int16_t api_version) {
  if (api_version >= kFirstBatchOnlyVersion || records.size() <= records::kLegacyMagicOffset) {
    return false;
  }
  const uint8_t magic = records[records::kLegacyMagicOffset];
  return magic == 0 || magic == 1;
}

ValidatedRecords up_convert_legacy_records(std::span<const uint8_t> records,
                                           const ProducePolicy& policy, int64_t now_ms,
                                           ProduceValidationScratch& scratch) {
  compression::Codec source_codec = compression::Codec::kNone;
  if (auto refused = scan_top_level(records, source_codec)) return *refused;
  UpConversion conversion(policy, now_ms, policy.recompress_to.value_or(source_codec));
  LegacyMessageIterator messages(records, /*verify_crc=*/false);  // the scan checked them
  LegacyMessage message;
  while (messages.next(message)) {
    auto refused = message.compression() == compression::Codec::kNone
                       ? conversion.add(message)
                       : add_wrapper(message, scratch.legacy, conversion);
    if (refused) return std::move(*refused);
  }
  EDDY_ASSERT(messages.error() == LegacyError::kNone);
  return conversion.finish(scratch.rewritten);
}

}  // namespace eddy::broker
