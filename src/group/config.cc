#include "group/config.h"

#include <charconv>
#include <limits>

namespace eddy::group {
namespace {

template <typename Int>
bool read_int(const config::Properties& properties, const char* key, int64_t min, Int& out,
              std::string& error) {
  const auto found = properties.find(key);
  if (found == properties.end()) return true;
  const std::string& text = found->second;
  int64_t parsed = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (ec != std::errc() || end != text.data() + text.size() || parsed < min ||
      parsed > std::numeric_limits<Int>::max()) {
    error = "invalid value '" + text + "' for " + key;
    return false;
  }
  out = static_cast<Int>(parsed);
  return true;
}

}  // namespace

bool parse_group_config(const config::Properties& properties, GroupConfig& out,
                        std::string& error) {
  auto retention_minutes = static_cast<int32_t>(out.offsets_retention_ms / 60000);
  const bool ok =
      read_int(properties, "group.initial.rebalance.delay.ms", 0, out.initial_rebalance_delay_ms,
               error) &&
      read_int(properties, "group.min.session.timeout.ms", 0, out.min_session_timeout_ms, error) &&
      read_int(properties, "group.max.session.timeout.ms", 0, out.max_session_timeout_ms, error) &&
      read_int(properties, "group.max.size", 1, out.max_size, error) &&
      read_int(properties, "offset.metadata.max.bytes", 0, out.offset_metadata_max_bytes, error) &&
      read_int(properties, "message.max.bytes", 0, out.message_max_bytes, error) &&
      read_int(properties, "offsets.retention.minutes", 1, retention_minutes, error) &&
      read_int(properties, "offsets.retention.check.interval.ms", 1,
               out.offsets_retention_check_interval_ms, error) &&
      read_int(properties, "offsets.topic.num.partitions", 1, out.offsets_topic_num_partitions,
               error) &&
      read_int(properties, "offsets.topic.replication.factor", 1,
               out.offsets_topic_replication_factor, error) &&
      read_int(properties, "offsets.topic.segment.bytes", 1, out.offsets_topic_segment_bytes,
               error);
  if (ok) out.offsets_retention_ms = int64_t{retention_minutes} * 60000;
  return ok;
}

}  // namespace eddy::group
