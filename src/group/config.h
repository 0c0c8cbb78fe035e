#pragma once

// The group coordinator's broker configs, with Kafka's names and defaults. They are read from
// the server's effective properties (unknown to the config module's key list, which keeps them
// as given).

#include <cstdint>
#include <string>

#include "config/properties.h"

namespace eddy::group {

struct GroupConfig {
  int64_t initial_rebalance_delay_ms = 3000;             // group.initial.rebalance.delay.ms
  int32_t min_session_timeout_ms = 6000;                 // group.min.session.timeout.ms
  int32_t max_session_timeout_ms = 1800000;              // group.max.session.timeout.ms
  int32_t max_size = 2147483647;                         // group.max.size
  int32_t offset_metadata_max_bytes = 4096;              // offset.metadata.max.bytes
  int64_t offsets_retention_ms = 10080LL * 60000;        // offsets.retention.minutes
  int64_t offsets_retention_check_interval_ms = 600000;  // offsets.retention.check.interval.ms
  // message.max.bytes: __consumer_offsets' max.message.bytes unless the topic overrides it.
  // Bounds every record the coordinator writes, and so each member's metadata (manager.h).
  int32_t message_max_bytes = 1048588;
  int32_t offsets_topic_num_partitions = 50;        // offsets.topic.num.partitions
  int16_t offsets_topic_replication_factor = 1;     // offsets.topic.replication.factor
  int64_t offsets_topic_segment_bytes = 104857600;  // offsets.topic.segment.bytes
  // Kafka's fixed timeout for a new member whose JoinGroup is parked (KIP-394 follow-up).
  int64_t new_member_join_timeout_ms = 300000;
};

// Reads the keys above from `properties` (missing keys keep their defaults). False with
// `error` set when a value is not a number in range.
bool parse_group_config(const config::Properties& properties, GroupConfig& out, std::string& error);

}  // namespace eddy::group
