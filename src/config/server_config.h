#pragma once

// The broker's static configuration, with Kafka's names and defaults. Built from a
// server.properties file plus command-line overrides; every known key is validated.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/properties.h"
#include "config/topic_keys.h"

namespace eddy::config {

struct Listener {
  std::string name;               // e.g. PLAINTEXT
  std::string security_protocol;  // from listener.security.protocol.map
  std::string host;               // empty: all interfaces
  uint16_t port = 0;
};

// Every typed broker setting. A default-constructed ServerConfig holds the defaults of the key
// table in server_config.cc (the only place they are written), with listeners and log dirs
// parsed from them.
struct ServerConfig {
  ServerConfig();

  int32_t node_id{};
  std::vector<Listener> listeners;
  std::vector<Listener> advertised_listeners;
  std::vector<std::string> log_dirs;
  std::string metadata_log_dir;  // defaults to the first log dir
  int32_t socket_request_max_bytes{};
  int32_t num_network_threads{};  // 0 in the file means one event loop per core
  int32_t queued_max_requests{};
  int64_t connections_max_idle_ms{};
  int32_t num_partitions{};
  bool auto_create_topics_enable{};
  int16_t default_replication_factor{};
  int64_t log_retention_check_interval_ms{};
  int64_t log_flush_offset_checkpoint_interval_ms{};
  int64_t log_sync_interval_ms{};   // eddy.log.sync.interval.ms (0: off)
  int64_t log_max_open_segments{};  // eddy.log.max.open.segments (0: from RLIMIT_NOFILE)
  bool log_cleaner_enable{};
  int64_t log_cleaner_backoff_ms{};
  int64_t log_cleaner_dedupe_buffer_size{};
  std::string log_level;
  // The group coordinator's (src/group/config.h reads them).
  int64_t group_initial_rebalance_delay_ms{};
  int32_t group_min_session_timeout_ms{};
  int32_t group_max_session_timeout_ms{};
  int32_t group_max_size{};
  int32_t offset_metadata_max_bytes{};
  int32_t offsets_retention_minutes{};
  int64_t offsets_retention_check_interval_ms{};
  int32_t offsets_topic_num_partitions{};
  int16_t offsets_topic_replication_factor{};
  int32_t offsets_topic_segment_bytes{};

  // Every known key with its effective value as text (the file, overrides and defaults
  // merged), for DescribeConfigs and the start-up log.
  Properties effective;
  // Only what the operator set (the file and the overrides merged): broker-level values of
  // topic configs (log.retention.ms, ...) come from here.
  Properties given;

 private:
  struct Unset {};
  explicit ServerConfig(Unset /*unused*/) {}
  friend bool build_server_config(const Properties& file, const Properties& overrides,
                                  ServerConfig& out, std::string& error);
};

// Merges `file` and `overrides` (overrides win) over the defaults and validates. Unknown keys
// are kept in `effective` and logged by the caller, as Kafka does.
bool build_server_config(const Properties& file, const Properties& overrides, ServerConfig& out,
                         std::string& error);

// Parses "NAME://host:port,NAME2://[::1]:port" with the given protocol map.
bool parse_listeners(const std::string& text, const std::string& protocol_map,
                     std::vector<Listener>& out, std::string& error);

// Parses a key's value into its ServerConfig field; false if it is not of the key's type.
using ServerFieldSetter = bool (*)(ServerConfig& config, std::string_view text);

// The configuration keys Eddy knows: Kafka's name, default and ConfigDef type, the least value
// Eddy accepts for a number, and the field it sets (null: parsed as a whole, like listeners
// and log dirs, or only reported).
struct ConfigKey {
  std::string_view name;
  std::string_view default_value;
  ConfigType type;
  std::optional<int64_t> min_value;
  ServerFieldSetter set = nullptr;
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
