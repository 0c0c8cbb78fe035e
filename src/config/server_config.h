#pragma once

// The broker's static configuration, with Kafka's names and defaults. Built from a
// server.properties file plus command-line overrides; every known key is validated.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/properties.h"
#include "config/topic_config.h"

namespace eddy::config {

struct Listener {
  std::string name;               // e.g. PLAINTEXT
  std::string security_protocol;  // from listener.security.protocol.map
  std::string host;               // empty: all interfaces
  uint16_t port = 0;
};

struct ServerConfig {
  int32_t node_id = 1;
  std::vector<Listener> listeners;
  std::vector<Listener> advertised_listeners;
  std::vector<std::string> log_dirs;
  std::string metadata_log_dir;  // defaults to the first log dir
  int32_t socket_request_max_bytes = 104857600;
  int32_t num_network_threads = 0;  // 0 in the file means one event loop per core
  int32_t queued_max_requests = 500;
  int64_t connections_max_idle_ms = 600000;
  int32_t num_partitions = 1;
  bool auto_create_topics_enable = true;
  int16_t default_replication_factor = 1;
  int64_t log_retention_check_interval_ms = 300000;
  int64_t log_flush_offset_checkpoint_interval_ms = 60000;
  int64_t log_sync_interval_ms = 10000;  // eddy.log.sync.interval.ms (0: off)
  int64_t log_max_open_segments = 0;     // eddy.log.max.open.segments (0: from RLIMIT_NOFILE)
  bool log_cleaner_enable = true;
  int64_t log_cleaner_backoff_ms = 15000;
  int64_t log_cleaner_dedupe_buffer_size = 134217728;
  std::string log_level = "info";

  // Every known key with its effective value as text (the file, overrides and defaults
  // merged), for DescribeConfigs and the start-up log.
  Properties effective;
  // Only what the operator set (the file and the overrides merged): broker-level values of
  // topic configs (log.retention.ms, ...) come from here.
  Properties given;
};

// Merges `file` and `overrides` (overrides win) over the defaults and validates. Unknown keys
// are kept in `effective` and logged by the caller, as Kafka does.
bool build_server_config(const Properties& file, const Properties& overrides, ServerConfig& out,
                         std::string& error);

// Parses "NAME://host:port,NAME2://[::1]:port" with the given protocol map.
bool parse_listeners(const std::string& text, const std::string& protocol_map,
                     std::vector<Listener>& out, std::string& error);

// The configuration keys Eddy knows, with their Kafka defaults and ConfigDef types.
struct ConfigKey {
  const char* name;
  const char* default_value;
  ConfigType type;
};
const std::vector<ConfigKey>& known_server_keys();

// Kafka's type for a broker config: the key table's, or for the broker name of a topic config
// (log.retention.ms, log.segment.bytes, ...) that topic config's (INT for the hours and
// minutes variants); nullopt for a key Eddy does not know.
std::optional<ConfigType> known_server_key_type(std::string_view name);
// The type DescribeConfigs reports for a broker config: the known one, else guessed from the
// value (BOOLEAN, INT or LONG by magnitude, else STRING; an empty value is a STRING).
ConfigType server_config_type(std::string_view name, std::string_view value);

}  // namespace eddy::config
