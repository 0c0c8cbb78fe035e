#include "broker/log_config.h"

#include <charconv>

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
    std::from_chars(def->default_value.data(), def->default_value.data() + def->default_value.size(),
                    value);
  }
  return value;
}

}  // namespace

std::string topic_config_value(const config::ServerConfig& server,
                               const metadata::ConfigMap& topic_overrides,
                               std::string_view name) {
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
  out.index_interval_bytes = static_cast<int32_t>(number(server, overrides, "index.interval.bytes"));
  out.retention_ms = number(server, overrides, "retention.ms");
  out.retention_bytes = number(server, overrides, "retention.bytes");
  out.flush_messages = number(server, overrides, "flush.messages");
  out.flush_ms = number(server, overrides, "flush.ms");
  out.max_message_bytes = static_cast<int32_t>(number(server, overrides, "max.message.bytes"));
  out.file_delete_delay_ms = number(server, overrides, "file.delete.delay.ms");
  out.log_append_time =
      topic_config_value(server, overrides, "message.timestamp.type") == "LogAppendTime";
  return out;
}

}  // namespace eddy::broker
