#include "group/config.h"

#include "config/topic_config.h"

namespace eddy::group {

GroupConfig::GroupConfig(const config::ServerConfig& server)
    : initial_rebalance_delay_ms(server.group_initial_rebalance_delay_ms),
      min_session_timeout_ms(server.group_min_session_timeout_ms),
      max_session_timeout_ms(server.group_max_session_timeout_ms),
      max_size(server.group_max_size),
      offset_metadata_max_bytes(server.offset_metadata_max_bytes),
      offsets_retention_ms(int64_t{server.offsets_retention_minutes} * 60000),
      offsets_retention_check_interval_ms(server.offsets_retention_check_interval_ms),
      message_max_bytes(
          config::resolve_topic_config({}, {nullptr, nullptr, &server.given}).max_message_bytes),
      offsets_topic_num_partitions(server.offsets_topic_num_partitions),
      offsets_topic_replication_factor(server.offsets_topic_replication_factor),
      offsets_topic_segment_bytes(server.offsets_topic_segment_bytes) {}

}  // namespace eddy::group
