#include "broker/produce/record_rules.h"

#include <string>
#include <utility>

#include <fmt/format.h>

namespace eddy::broker {
namespace {

using protocol::ErrorCode;

// Producer-chosen timestamps are compared as Kafka compares them: in wrapping long arithmetic.
int64_t wrapping_sub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t wrapping_add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

}  // namespace

void check_record_rules(const RecordFacts& record, const ProducePolicy& policy, int64_t now_ms,
                        ValidatedRecords& out) {
  const auto add = [&](ErrorCode error, std::string message) {
    // A timestamp error wins the top-level code, as in Kafka.
    if (out.error != ErrorCode::kInvalidTimestamp) out.error = error;
    if (out.record_errors.size() < kMaxRecordErrors) {
      out.record_errors.push_back({record.index, std::move(message)});
    }
  };
  if (policy.compacted && !record.has_key) {
    add(ErrorCode::kInvalidRecord, "Compacted topic cannot accept message without key.");
    return;
  }
  const int64_t timestamp_ms = record.timestamp_ms;
  if (record.timestamp_checked && policy.checks_timestamps() &&
      (wrapping_sub(now_ms, timestamp_ms) > policy.timestamp_before_max_ms ||
       wrapping_sub(timestamp_ms, now_ms) > policy.timestamp_after_max_ms)) {
    add(ErrorCode::kInvalidTimestamp,
        fmt::format("Timestamp {} of message with offset {} is out of range. The timestamp "
                    "should be within [{}, {}]",
                    timestamp_ms, record.index,
                    wrapping_sub(now_ms, policy.timestamp_before_max_ms),
                    wrapping_add(now_ms, policy.timestamp_after_max_ms)));
  }
}

void describe_record_errors(ValidatedRecords& out) {
  if (out.error == ErrorCode::kInvalidTimestamp) {
    out.message = "One or more records have been rejected due to invalid timestamp";
    return;
  }
  out.message =
      fmt::format("One or more records have been rejected due to {} record errors; the first: {}",
                  out.record_errors.size(), out.record_errors.front().message);
}

}  // namespace eddy::broker
