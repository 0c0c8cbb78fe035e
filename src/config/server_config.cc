#include "config/server_config.h"

#include <charconv>
#include <limits>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <unistd.h>

#include "common/assert.h"
#include "config/field_setters.h"

namespace eddy::config {
namespace {

using T = ConfigType;

using C = ServerConfig;

// Every broker key Eddy knows (the broker names of topic configs are in topic_keys.cc).
const std::vector<ConfigKey> kServerKeys = {
    {"node.id", "1", T::kInt, 0, &set_integer<&C::node_id>},
    {"broker.id", "-1", T::kInt, {}},  // the older name of node.id (apply_broker_id_alias)
    {"listeners", "PLAINTEXT://:9092", T::kString, {}},
    {"advertised.listeners", "", T::kString, {}},
    {"listener.security.protocol.map",
     "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
     T::kString,
     {}},
    {"log.dirs", "", T::kString, {}},
    {"log.dir", "/tmp/kafka-logs", T::kString, {}},
    {"metadata.log.dir", "", T::kString, {}},
    {"socket.request.max.bytes", "104857600", T::kInt, 1024,
     &set_integer<&C::socket_request_max_bytes>},
    {"num.network.threads", "0", T::kInt, 0, &set_integer<&C::num_network_threads>},
    {"queued.max.requests", "500", T::kInt, 1, &set_integer<&C::queued_max_requests>},
    {"connections.max.idle.ms", "600000", T::kLong, {}, &set_integer<&C::connections_max_idle_ms>},
    {"num.partitions", "1", T::kInt, 1, &set_integer<&C::num_partitions>},
    {"auto.create.topics.enable",
     "true",
     T::kBoolean,
     {},
     &set_boolean<&C::auto_create_topics_enable>},
    {"default.replication.factor", "1", T::kInt, {}, &set_integer<&C::default_replication_factor>},
    {"log.retention.check.interval.ms", "300000", T::kLong, 1,
     &set_integer<&C::log_retention_check_interval_ms>},
    {"log.flush.offset.checkpoint.interval.ms",
     "60000",
     T::kInt,
     {},
     &set_integer<&C::log_flush_offset_checkpoint_interval_ms>},
    {"log.cleaner.enable", "true", T::kBoolean, {}, &set_boolean<&C::log_cleaner_enable>},
    {"log.cleaner.backoff.ms", "15000", T::kLong, 1, &set_integer<&C::log_cleaner_backoff_ms>},
    {"log.cleaner.dedupe.buffer.size", "134217728", T::kLong, 1048576,
     &set_integer<&C::log_cleaner_dedupe_buffer_size>},
    {"group.initial.rebalance.delay.ms", "3000", T::kInt, 0,
     &set_integer<&C::group_initial_rebalance_delay_ms>},
    {"group.min.session.timeout.ms", "6000", T::kInt, 0,
     &set_integer<&C::group_min_session_timeout_ms>},
    {"group.max.session.timeout.ms", "1800000", T::kInt, 0,
     &set_integer<&C::group_max_session_timeout_ms>},
    {"group.max.size", "2147483647", T::kInt, 1, &set_integer<&C::group_max_size>},
    {"offset.metadata.max.bytes", "4096", T::kInt, 0, &set_integer<&C::offset_metadata_max_bytes>},
    {"offsets.retention.minutes", "10080", T::kInt, 1, &set_integer<&C::offsets_retention_minutes>},
    {"offsets.retention.check.interval.ms", "600000", T::kLong, 1,
     &set_integer<&C::offsets_retention_check_interval_ms>},
    {"offsets.topic.num.partitions", "50", T::kInt, 1,
     &set_integer<&C::offsets_topic_num_partitions>},
    // Kafka's default is 3, which a single node cannot satisfy; Eddy's is 1.
    {"offsets.topic.replication.factor", "1", T::kShort, 1,
     &set_integer<&C::offsets_topic_replication_factor>},
    {"offsets.topic.segment.bytes", "104857600", T::kInt, 1,
     &set_integer<&C::offsets_topic_segment_bytes>},
    {"eddy.log.level", "info", T::kString, {}, &set_string<&C::log_level>},
    // Eddy only: fsync busy partitions this often so a crash start rescans little; 0: off.
    {"eddy.log.sync.interval.ms", "10000", T::kLong, 0, &set_integer<&C::log_sync_interval_ms>},
    // Eddy only: sealed segments holding descriptors at once; 0: from RLIMIT_NOFILE.
    {"eddy.log.max.open.segments", "0", T::kLong, 0, &set_integer<&C::log_max_open_segments>},
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

// node.id (KRaft) wins; broker.id (the older name) is honoured when node.id is not given.
void apply_broker_id_alias(const Properties& file, const Properties& overrides,
                           Properties& effective) {
  const bool node_id_given = file.contains("node.id") || overrides.contains("node.id");
  const std::string& broker_id = effective["broker.id"];
  if (!node_id_given && broker_id != "-1") effective["node.id"] = broker_id;
}

// Sets every bound field from its effective value, checking type and least value.
bool set_fields(ServerConfig& out, std::string& error) {
  for (const ConfigKey& key : kServerKeys) {
    if (key.set == nullptr) continue;
    const std::string& text = out.effective.find(key.name)->second;
    int64_t number = 0;
    const bool numeric = key.type != T::kString && key.type != T::kBoolean;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    const bool below_min = numeric && key.min_value && ec == std::errc() && number < *key.min_value;
    if (!key.set(out, text) || below_min) {
      error = fmt::format("invalid value '{}' for {}: ", text, key.name);
      if (key.type == T::kBoolean)
        error += "expected true or false";
      else if (below_min)
        error += fmt::format("must be >= {}", *key.min_value);
      else
        error += "expected an integer in range";
      return false;
    }
  }
  return true;
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
  out = ServerConfig(ServerConfig::Unset{});
  for (const auto& key : kServerKeys) out.effective[std::string(key.name)] = key.default_value;
  for (const auto& [key, value] : file) out.effective[key] = value;
  for (const auto& [key, value] : overrides) out.effective[key] = value;
  out.given = file;
  for (const auto& [key, value] : overrides) out.given[key] = value;
  apply_broker_id_alias(file, overrides, out.effective);
  if (!set_fields(out, error) || !build_listeners(out, error)) return false;
  for (const auto& [key, value] : out.given) {
    if (auto invalid = check_broker_synonym(key, value)) {
      error = std::move(*invalid);
      return false;
    }
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
  return true;
}

ServerConfig::ServerConfig() {
  static const ServerConfig defaults = [] {
    ServerConfig config{Unset{}};
    std::string error;
    EDDY_ASSERT_MSG(build_server_config({}, {}, config, error), "invalid server key table");
    return config;
  }();
  *this = defaults;
}

}  // namespace eddy::config
