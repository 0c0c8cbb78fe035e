#include "config/server_config.h"

#include <charconv>
#include <limits>
#include <map>
#include <thread>

#include <unistd.h>

namespace eddy::config {
namespace {

using T = ConfigType;

const std::vector<ConfigKey> kServerKeys = {
    {"node.id", "1", T::kInt},
    {"broker.id", "-1", T::kInt},
    {"listeners", "PLAINTEXT://:9092", T::kString},
    {"advertised.listeners", "", T::kString},
    {"listener.security.protocol.map",
     "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL", T::kString},
    {"log.dirs", "", T::kString},
    {"log.dir", "/tmp/kafka-logs", T::kString},
    {"metadata.log.dir", "", T::kString},
    {"socket.request.max.bytes", "104857600", T::kInt},
    {"num.network.threads", "0", T::kInt},
    {"queued.max.requests", "500", T::kInt},
    {"connections.max.idle.ms", "600000", T::kLong},
    {"num.partitions", "1", T::kInt},
    {"auto.create.topics.enable", "true", T::kBoolean},
    {"default.replication.factor", "1", T::kInt},
    {"log.retention.check.interval.ms", "300000", T::kLong},
    {"log.flush.offset.checkpoint.interval.ms", "60000", T::kInt},
    {"log.cleaner.enable", "true", T::kBoolean},
    {"log.cleaner.backoff.ms", "15000", T::kLong},
    {"log.cleaner.dedupe.buffer.size", "134217728", T::kLong},
    // The group coordinator's keys (parsed by src/group/config.cc from `effective`).
    {"group.initial.rebalance.delay.ms", "3000", T::kInt},
    {"group.min.session.timeout.ms", "6000", T::kInt},
    {"group.max.session.timeout.ms", "1800000", T::kInt},
    {"group.max.size", "2147483647", T::kInt},
    {"offset.metadata.max.bytes", "4096", T::kInt},
    {"offsets.retention.minutes", "10080", T::kInt},
    {"offsets.retention.check.interval.ms", "600000", T::kLong},
    {"offsets.topic.num.partitions", "50", T::kInt},
    // Kafka's default is 3, which a single node cannot satisfy; Eddy's is 1.
    {"offsets.topic.replication.factor", "1", T::kShort},
    {"offsets.topic.segment.bytes", "104857600", T::kInt},
    {"eddy.log.level", "info", T::kString},
    // Eddy only: fsync busy partitions this often so a crash start rescans little; 0: off.
    {"eddy.log.sync.interval.ms", "10000", T::kLong},
    // Eddy only: sealed segments holding descriptors at once; 0: from RLIMIT_NOFILE.
    {"eddy.log.max.open.segments", "0", T::kLong},
};

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string::npos) end = text.size();
    std::string part = text.substr(start, end - start);
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    if (!part.empty()) parts.push_back(part);
    start = end + 1;
  }
  return parts;
}

template <typename Int>
bool parse_int(const Properties& values, const char* key, Int& out, std::string& error) {
  const std::string& text = values.find(key)->second;
  int64_t parsed = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (ec != std::errc() || end != text.data() + text.size() ||
      parsed < std::numeric_limits<Int>::min() || parsed > std::numeric_limits<Int>::max()) {
    error = std::string("invalid value '") + text + "' for " + key + ": expected an integer";
    return false;
  }
  out = static_cast<Int>(parsed);
  return true;
}

bool parse_bool(const Properties& values, const char* key, bool& out, std::string& error) {
  const std::string& text = values.find(key)->second;
  if (text == "true" || text == "false") {
    out = text == "true";
    return true;
  }
  error = std::string("invalid value '") + text + "' for " + key + ": expected true or false";
  return false;
}

bool parse_host_port(const std::string& address, Listener& listener, std::string& error) {
  std::string host;
  std::string port_text;
  if (!address.empty() && address.front() == '[') {
    const size_t close = address.find(']');
    if (close == std::string::npos || close + 1 >= address.size() || address[close + 1] != ':') {
      error = "malformed IPv6 listener address " + address;
      return false;
    }
    host = address.substr(1, close - 1);
    port_text = address.substr(close + 2);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == std::string::npos) {
      error = "listener address without port: " + address;
      return false;
    }
    host = address.substr(0, colon);
    port_text = address.substr(colon + 1);
  }
  int port = -1;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 0 || port > 65535) {
    error = "invalid port in listener address " + address;
    return false;
  }
  listener.host = host;
  listener.port = static_cast<uint16_t>(port);
  return true;
}

bool build_listeners(ServerConfig& out, std::string& error) {
  const std::string& map = out.effective["listener.security.protocol.map"];
  if (!parse_listeners(out.effective["listeners"], map, out.listeners, error)) return false;
  if (out.listeners.empty()) {
    error = "listeners must name at least one listener";
    return false;
  }
  const std::string& advertised = out.effective["advertised.listeners"];
  if (advertised.empty()) {
    out.advertised_listeners = out.listeners;
  } else if (!parse_listeners(advertised, map, out.advertised_listeners, error)) {
    return false;
  }
  for (auto& listener : out.advertised_listeners) {
    // Clients cannot connect to "all interfaces"; Kafka advertises the host name instead.
    if (listener.host.empty() || listener.host == "0.0.0.0") {
      char name[256] = {};
      listener.host = gethostname(name, sizeof(name) - 1) == 0 ? name : "localhost";
    }
  }
  return true;
}

bool build_numbers(ServerConfig& out, std::string& error) {
  const Properties& v = out.effective;
  return parse_int(v, "node.id", out.node_id, error) &&
         parse_int(v, "socket.request.max.bytes", out.socket_request_max_bytes, error) &&
         parse_int(v, "num.network.threads", out.num_network_threads, error) &&
         parse_int(v, "queued.max.requests", out.queued_max_requests, error) &&
         parse_int(v, "connections.max.idle.ms", out.connections_max_idle_ms, error) &&
         parse_int(v, "num.partitions", out.num_partitions, error) &&
         parse_int(v, "default.replication.factor", out.default_replication_factor, error) &&
         parse_int(v, "log.retention.check.interval.ms", out.log_retention_check_interval_ms,
                   error) &&
         parse_int(v, "log.flush.offset.checkpoint.interval.ms",
                   out.log_flush_offset_checkpoint_interval_ms, error) &&
         parse_int(v, "eddy.log.sync.interval.ms", out.log_sync_interval_ms, error) &&
         parse_int(v, "eddy.log.max.open.segments", out.log_max_open_segments, error) &&
         parse_bool(v, "log.cleaner.enable", out.log_cleaner_enable, error) &&
         parse_int(v, "log.cleaner.backoff.ms", out.log_cleaner_backoff_ms, error) &&
         parse_int(v, "log.cleaner.dedupe.buffer.size", out.log_cleaner_dedupe_buffer_size,
                   error) &&
         parse_bool(v, "auto.create.topics.enable", out.auto_create_topics_enable, error);
}

// node.id (KRaft) wins; broker.id (the older name) is honoured when node.id is not given.
void apply_broker_id_alias(const Properties& file, const Properties& overrides,
                           Properties& effective) {
  const bool node_id_given = file.contains("node.id") || overrides.contains("node.id");
  const std::string& broker_id = effective["broker.id"];
  if (!node_id_given && broker_id != "-1") effective["node.id"] = broker_id;
}

bool check_ranges(const ServerConfig& out, std::string& error) {
  if (out.node_id < 0) error = "node.id must be >= 0";
  if (out.socket_request_max_bytes < 1024) error = "socket.request.max.bytes must be >= 1024";
  if (out.num_network_threads < 0) error = "num.network.threads must be >= 0";
  if (out.queued_max_requests < 1) error = "queued.max.requests must be >= 1";
  if (out.num_partitions < 1) error = "num.partitions must be >= 1";
  if (out.log_cleaner_backoff_ms < 1) error = "log.cleaner.backoff.ms must be >= 1";
  if (out.log_cleaner_dedupe_buffer_size < int64_t{1024} * 1024) {
    error = "log.cleaner.dedupe.buffer.size must be >= 1048576";
  }
  if (out.log_sync_interval_ms < 0) error = "eddy.log.sync.interval.ms must be >= 0";
  if (out.log_max_open_segments < 0) error = "eddy.log.max.open.segments must be >= 0";
  if (out.log_retention_check_interval_ms < 1) {
    error = "log.retention.check.interval.ms must be >= 1";
  }
  return error.empty();
}

}  // namespace

const std::vector<ConfigKey>& known_server_keys() {
  return kServerKeys;
}

std::optional<ConfigType> known_server_key_type(std::string_view name) {
  for (const auto& key : kServerKeys) {
    if (name == key.name) return key.type;
  }
  for (const TopicConfigDef& def : topic_config_defs()) {
    for (const BrokerSynonym& synonym : def.synonyms) {
      // Kafka defines log.retention.hours, log.roll.hours, ... as INT; same-unit synonyms
      // share the topic config's type.
      if (name == synonym.name) return synonym.unit_multiplier == 1 ? def.type : ConfigType::kInt;
    }
  }
  return std::nullopt;
}

ConfigType server_config_type(std::string_view name, std::string_view value) {
  if (const auto known = known_server_key_type(name)) return *known;
  if (value.empty()) return ConfigType::kString;
  if (value == "true" || value == "false") return ConfigType::kBoolean;
  int64_t number = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (ec != std::errc() || end != value.data() + value.size()) return ConfigType::kString;
  const bool fits_int = number >= std::numeric_limits<int32_t>::min() &&
                        number <= std::numeric_limits<int32_t>::max();
  return fits_int ? ConfigType::kInt : ConfigType::kLong;
}

bool parse_listeners(const std::string& text, const std::string& protocol_map,
                     std::vector<Listener>& out, std::string& error) {
  std::map<std::string, std::string> protocols;
  for (const auto& entry : split(protocol_map, ',')) {
    const size_t colon = entry.find(':');
    if (colon == std::string::npos) {
      error = "malformed listener.security.protocol.map entry " + entry;
      return false;
    }
    protocols[entry.substr(0, colon)] = entry.substr(colon + 1);
  }
  out.clear();
  for (const auto& entry : split(text, ',')) {
    const size_t scheme_end = entry.find("://");
    if (scheme_end == std::string::npos) {
      error = "listener must look like NAME://host:port, got " + entry;
      return false;
    }
    Listener listener;
    listener.name = entry.substr(0, scheme_end);
    const auto protocol = protocols.find(listener.name);
    if (protocol == protocols.end()) {
      error = "listener " + listener.name + " is not in listener.security.protocol.map";
      return false;
    }
    listener.security_protocol = protocol->second;
    if (!parse_host_port(entry.substr(scheme_end + 3), listener, error)) return false;
    out.push_back(listener);
  }
  return true;
}

bool build_server_config(const Properties& file, const Properties& overrides, ServerConfig& out,
                         std::string& error) {
  error.clear();
  out = ServerConfig{};
  for (const auto& key : kServerKeys) out.effective[key.name] = key.default_value;
  for (const auto& [key, value] : file) out.effective[key] = value;
  for (const auto& [key, value] : overrides) out.effective[key] = value;
  out.given = file;
  for (const auto& [key, value] : overrides) out.given[key] = value;
  apply_broker_id_alias(file, overrides, out.effective);
  if (!build_numbers(out, error) || !check_ranges(out, error) || !build_listeners(out, error)) {
    return false;
  }
  const std::string& dirs = out.effective["log.dirs"];
  out.log_dirs = split(dirs.empty() ? out.effective["log.dir"] : dirs, ',');
  if (out.log_dirs.empty()) {
    error = "log.dirs must name at least one directory";
    return false;
  }
  out.metadata_log_dir = out.effective["metadata.log.dir"];
  if (out.metadata_log_dir.empty()) out.metadata_log_dir = out.log_dirs.front();
  if (out.num_network_threads == 0) {
    out.num_network_threads =
        static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
  }
  out.log_level = out.effective["eddy.log.level"];
  return true;
}

}  // namespace eddy::config
