#pragma once

// Record-level checks of a produce request that depend on topic configs (Kafka's
// LogValidator): timestamps against message.timestamp.before/after.max.ms, keys on compacted
// topics, and recompression when compression.type names a codec. Framing, magic, CRC and size
// are checked by storage on append.
//
// The common case (CreateTime, unbounded timestamps, not compacted, compression.type=producer)
// needs no record walk at all: `needs_record_walk()` is false and validation costs nothing.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/server_config.h"
#include "metadata/image.h"
#include "protocol/error_code.h"
#include "records/batch_builder.h"
#include "records/batch_header.h"

namespace eddy::broker {

struct ProducePolicy {
  bool compacted = false;
  bool log_append_time = false;
  int64_t timestamp_before_max_ms = INT64_MAX;
  int64_t timestamp_after_max_ms = INT64_MAX;
  std::optional<records::Compression> recompress_to;  // empty: keep the producer's codec

  bool checks_timestamps() const {
    return !log_append_time &&
           (timestamp_before_max_ms != INT64_MAX || timestamp_after_max_ms != INT64_MAX);
  }
  bool needs_record_walk() const {
    return compacted || checks_timestamps() || recompress_to.has_value();
  }
};

ProducePolicy produce_policy_for(const config::ServerConfig& server,
                                 const metadata::ConfigMap& topic_overrides);

struct RecordErrorDetail {
  int32_t batch_index = 0;  // index of the offending record within its batch, as Kafka reports
  std::string message;
};

struct ProduceValidation {
  protocol::ErrorCode error = protocol::ErrorCode::kNone;
  std::string message;
  std::vector<RecordErrorDetail> record_errors;
  // The bytes to append: the request's own bytes, or `rewritten` after recompression.
  std::span<uint8_t> to_append;
};

// Validates `batches` under `policy`. Batches whose framing is broken are passed through
// untouched for storage to reject with its error.
ProduceValidation validate_produce(std::span<uint8_t> batches, const ProducePolicy& policy,
                                   int64_t now_ms, std::vector<uint8_t>& rewritten);

}  // namespace eddy::broker
