#include "broker/log_config.h"

#include <charconv>
#include <cstdlib>

#include "common/assert.h"
#include "config/topic_config.h"

namespace eddy::broker {
namespace {

int64_t number(const config::ServerConfig& server, const metadata::ConfigMap& overrides,
               std::string_view name) {
  const std::string text = topic_config_value(server, overrides, name);
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  // Values are validated before they enter the metadata log or start-up succeeds; a broker
  // synonym set to garbage falls back to the default.
  if (ec != std::errc() || end != text.data() + text.size()) {
    const auto* def = config::find_topic_config(name);
    std::from_chars(def->default_value.data(),
                    def->default_value.data() + def->default_value.size(), value);
  }
  return value;
}

// cleanup.policy is a list: "compact", "delete", or both, in any order, maybe with spaces.
bool policy_contains(const std::string& list, std::string_view policy) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string_view item(list.data() + start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == policy) return true;
    start = comma + 1;
  }
  return false;
}

double ratio(const config::ServerConfig& server, const metadata::ConfigMap& overrides,
             std::string_view name) {
  const std::string text = topic_config_value(server, overrides, name);
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') value = 0.5;  // Kafka's default; validated upstream
  return value;
}

}  // namespace

std::string topic_config_value(const config::ServerConfig& server,
                               const metadata::ConfigMap& topic_overrides, std::string_view name) {
  const config::TopicConfigDef* def = config::find_topic_config(name);
  EDDY_ASSERT_MSG(def != nullptr, "unknown topic config name in broker code");
  return config::resolve_topic_config(*def, topic_overrides, server.given).value;
}

storage::LogConfig log_config_for(const config::ServerConfig& server,
                                  const metadata::ConfigMap& overrides) {
  storage::LogConfig out;
  out.segment_bytes = number(server, overrides, "segment.bytes");
  out.segment_ms = number(server, overrides, "segment.ms");
  out.segment_index_bytes = number(server, overrides, "segment.index.bytes");
  out.index_interval_bytes =
      static_cast<int32_t>(number(server, overrides, "index.interval.bytes"));
  out.retention_ms = number(server, overrides, "retention.ms");
  out.retention_bytes = number(server, overrides, "retention.bytes");
  out.flush_messages = number(server, overrides, "flush.messages");
  out.flush_ms = number(server, overrides, "flush.ms");
  out.max_message_bytes = static_cast<int32_t>(number(server, overrides, "max.message.bytes"));
  out.file_delete_delay_ms = number(server, overrides, "file.delete.delay.ms");
  out.preallocate = topic_config_value(server, overrides, "preallocate") == "true";
  out.log_append_time =
      topic_config_value(server, overrides, "message.timestamp.type") == "LogAppendTime";
  const std::string policy = topic_config_value(server, overrides, "cleanup.policy");
  out.compact = policy_contains(policy, "compact");
  out.delete_enabled = policy_contains(policy, "delete");
  out.delete_retention_ms = number(server, overrides, "delete.retention.ms");
  out.min_compaction_lag_ms = number(server, overrides, "min.compaction.lag.ms");
  out.max_compaction_lag_ms = number(server, overrides, "max.compaction.lag.ms");
  out.min_cleanable_dirty_ratio = ratio(server, overrides, "min.cleanable.dirty.ratio");
  return out;
}

}  // namespace eddy::broker
