#pragma once

// The group coordinator's settings, taken from the broker's typed configuration: their names
// and defaults are in the server key table (src/config/server_config.cc), nowhere else.

#include <cstdint>

#include "config/server_config.h"

namespace eddy::group {

struct GroupConfig {
  // From `server`; a default-constructed GroupConfig holds Kafka's defaults.
  explicit GroupConfig(const config::ServerConfig& server = config::ServerConfig());

  int64_t initial_rebalance_delay_ms;           // group.initial.rebalance.delay.ms
  int32_t min_session_timeout_ms;               // group.min.session.timeout.ms
  int32_t max_session_timeout_ms;               // group.max.session.timeout.ms
  int32_t max_size;                             // group.max.size
  int32_t offset_metadata_max_bytes;            // offset.metadata.max.bytes
  int64_t offsets_retention_ms;                 // offsets.retention.minutes
  int64_t offsets_retention_check_interval_ms;  // offsets.retention.check.interval.ms
  // __consumer_offsets' max.message.bytes (message.max.bytes at broker level). Bounds every
  // record the coordinator writes, and so each member's metadata (manager.h).
  int32_t message_max_bytes;
  int32_t offsets_topic_num_partitions;      // offsets.topic.num.partitions
  int16_t offsets_topic_replication_factor;  // offsets.topic.replication.factor
  int64_t offsets_topic_segment_bytes;       // offsets.topic.segment.bytes
  // Kafka's fixed timeout for a new member whose JoinGroup is parked (KIP-394 follow-up).
  int64_t new_member_join_timeout_ms = 300000;
};

}  // namespace eddy::group
