#include "broker/produce/policy.h"

#include <charconv>
#include <string>

#include "broker/log_config.h"

namespace eddy::broker {
namespace {

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

}  // namespace eddy::broker
