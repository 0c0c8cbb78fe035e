#pragma once

// A topic's produce rules (Kafka's LogValidator inputs), taken from the typed config the
// partition carries: message.timestamp.type and its before/after bounds, cleanup.policy
// (compacted topics need keys) and compression.type (recompression).

#include <cstdint>
#include <optional>

#include "config/topic_config.h"
#include "records/batch_header.h"

namespace eddy::broker {

struct ProducePolicy {
  bool compacted = false;
  bool log_append_time = false;
  int64_t timestamp_before_max_ms = INT64_MAX;
  int64_t timestamp_after_max_ms = INT64_MAX;
  std::optional<compression::Codec> recompress_to;  // empty: keep the producer's codec

  bool checks_timestamps() const {
    return !log_append_time &&
           (timestamp_before_max_ms != INT64_MAX || timestamp_after_max_ms != INT64_MAX);
  }
};

ProducePolicy produce_policy_for(const config::TopicConfig& config);

}  // namespace eddy::broker
