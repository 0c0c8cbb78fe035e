#include "broker/produce_validation.h"

#include <charconv>

#include <fmt/format.h>

#include "broker/log_config.h"
#include "records/record.h"

namespace eddy::broker {
namespace {

using protocol::ErrorCode;

// Decompressed records of one batch may not exceed this: a produce request is at most
// socket.request.max.bytes, and a codec rarely expands data more than this factor.
constexpr size_t kMaxDecompressedBytes = 256u << 20;

int64_t to_int64(const std::string& text) {
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::optional<records::Compression> compression_named(const std::string& name) {
  if (name == "uncompressed") return records::Compression::kNone;
  if (name == "gzip") return records::Compression::kGzip;
  if (name == "snappy") return records::Compression::kSnappy;
  if (name == "lz4") return records::Compression::kLz4;
  if (name == "zstd") return records::Compression::kZstd;
  return std::nullopt;  // "producer"
}

// Checks every record of one batch; returns false with details on the first violation kind.
bool check_records(std::span<const uint8_t> batch, const records::BatchHeader& header,
                   const ProducePolicy& policy, int64_t now_ms, std::vector<uint8_t>& scratch,
                   ProduceValidation& out) {
  std::span<const uint8_t> region;
  if (records::records_region(batch, header, scratch, kMaxDecompressedBytes, region) !=
      records::RecordError::kNone) {
    out.error = ErrorCode::kCorruptMessage;
    out.message = "record batch could not be decompressed";
    return false;
  }
  records::RecordIterator iterator(region, header.record_count);
  records::RecordView record;
  int32_t index = 0;
  for (; iterator.next(record); ++index) {
    if (policy.compacted && !record.key.has_value()) {
      out.error = ErrorCode::kInvalidRecord;
      out.record_errors.push_back({index, "Compacted topic cannot accept message without key."});
    }
    if (policy.checks_timestamps()) {
      const int64_t timestamp = header.base_timestamp + record.timestamp_delta;
      if (now_ms - timestamp > policy.timestamp_before_max_ms ||
          timestamp - now_ms > policy.timestamp_after_max_ms) {
        out.error = ErrorCode::kInvalidTimestamp;
        out.record_errors.push_back(
            {index, fmt::format("Timestamp {} of message with offset {} is out of range. The "
                                "timestamp should be within [{}, {}]",
                                timestamp, index, now_ms - policy.timestamp_before_max_ms,
                                now_ms + policy.timestamp_after_max_ms)});
      }
    }
  }
  if (iterator.error() != records::RecordError::kNone) {
    out.error = ErrorCode::kCorruptMessage;
    out.message = std::string("malformed record: ") + records::to_string(iterator.error());
    return false;
  }
  if (out.error != ErrorCode::kNone) {
    out.message = out.record_errors.front().message;
    return false;
  }
  return true;
}

}  // namespace

ProducePolicy produce_policy_for(const config::ServerConfig& server,
                                 const metadata::ConfigMap& overrides) {
  ProducePolicy policy;
  const std::string cleanup = topic_config_value(server, overrides, "cleanup.policy");
  policy.compacted = cleanup.find("compact") != std::string::npos;
  policy.log_append_time =
      topic_config_value(server, overrides, "message.timestamp.type") == "LogAppendTime";
  policy.timestamp_before_max_ms =
      to_int64(topic_config_value(server, overrides, "message.timestamp.before.max.ms"));
  policy.timestamp_after_max_ms =
      to_int64(topic_config_value(server, overrides, "message.timestamp.after.max.ms"));
  policy.recompress_to =
      compression_named(topic_config_value(server, overrides, "compression.type"));
  return policy;
}

ProduceValidation validate_produce(std::span<uint8_t> batches, const ProducePolicy& policy,
                                   int64_t now_ms, std::vector<uint8_t>& rewritten) {
  ProduceValidation out;
  out.to_append = batches;
  if (!policy.needs_record_walk()) return out;

  std::vector<uint8_t> scratch;
  records::RecompressScratch recompress_scratch;
  bool rewrite = false;
  rewritten.clear();
  records::BatchIterator iterator(batches, /*verify_crc=*/true);
  while (iterator.next()) {
    const auto& header = iterator.header();
    const auto batch = iterator.batch();
    if (!check_records(batch, header, policy, now_ms, scratch, out)) return out;
    if (policy.recompress_to && *policy.recompress_to != header.compression()) rewrite = true;
  }
  // Broken framing: storage rejects the request with the precise error.
  if (iterator.error() != records::BatchError::kNone) return out;
  if (!rewrite) return out;

  records::BatchIterator again(batches, /*verify_crc=*/false);
  while (again.next()) {
    if (records::recompress_batch(again.batch(), *policy.recompress_to, kMaxDecompressedBytes,
                                  recompress_scratch, rewritten) != records::RecordError::kNone) {
      out.error = ErrorCode::kCorruptMessage;
      out.message = "record batch could not be recompressed";
      return out;
    }
  }
  out.to_append = rewritten;
  return out;
}

}  // namespace eddy::broker
