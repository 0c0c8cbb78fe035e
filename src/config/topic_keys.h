#pragma once

// The topic config key table, the one place where each topic config is written down: Kafka's
// name, type, default, valid values, the broker configs ("synonyms") that supply a topic's
// value when the topic does not override it, and the TopicConfig field the value sets.
// topic_config.h resolves a topic's typed TopicConfig from it.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eddy::config {

struct TopicConfig;

// Kafka's ConfigDef types, numbered as DescribeConfigs v3+ reports them.
enum class ConfigType : int8_t {
  kBoolean = 1,
  kString = 2,
  kInt = 3,
  kShort = 4,
  kLong = 5,
  kDouble = 6,
  kList = 7,
  kClass = 8,
  kPassword = 9,
};

// Where an effective value came from, numbered as DescribeConfigs reports it.
enum class ConfigSource : int8_t {
  kDynamicTopicConfig = 1,
  kDynamicBrokerConfig = 2,
  kDynamicDefaultBrokerConfig = 3,
  kStaticBrokerConfig = 4,
  kDefaultConfig = 5,
};

// A broker config that supplies a topic config's value, times `unit_multiplier` (a broker
// config in hours or minutes feeding a topic config in ms); 1 for same units.
struct BrokerSynonym {
  std::string_view name;
  int64_t unit_multiplier = 1;
};

// Parses a validated value into its TopicConfig field; false if `text` does not parse (only
// possible for a value that bypassed validation, e.g. one stored by an older version).
using TopicFieldSetter = bool (*)(TopicConfig& config, std::string_view text);

struct TopicConfigDef {
  std::string_view name;
  ConfigType type;
  std::string_view default_value;
  std::vector<BrokerSynonym> synonyms;  // highest priority first
  std::optional<double> min_value;      // numeric types
  std::optional<double> max_value;
  std::vector<std::string_view> allowed;  // string/list types: every element must be one
  TopicFieldSetter set = nullptr;         // null: accepted and reported, not acted on
  // Extra check of a value beyond type, range and `allowed` (message.format.version); null
  // for none. Returns the reason on failure.
  std::optional<std::string> (*check)(std::string_view text) = nullptr;
};

// Every topic config, sorted by name.
const std::vector<TopicConfigDef>& topic_config_defs();
const TopicConfigDef* find_topic_config(std::string_view name);

// Checks `value` against the definition of `name`; on failure `error` reads like Kafka's
// ("Invalid value x for configuration retention.ms: Not a number of type LONG").
bool validate_topic_config(std::string_view name, std::string_view value, std::string& error);

// For the broker-level name of a topic config (log.retention.hours, log.cleanup.policy, ...):
// the reason `value` is invalid, checked by the topic config's rules in its unit; nullopt for
// a valid value or a name that is no synonym. Start-up refuses an invalid one.
std::optional<std::string> check_broker_synonym(std::string_view name, std::string_view value);

// The default of synonym `index` of `def`, in the synonym's unit. Only the lowest-priority
// synonym has one (log.retention.hours = 168); higher ones (log.retention.ms) are unset, as
// Kafka reports them.
std::optional<std::string> synonym_default(const TopicConfigDef& def, size_t index);

}  // namespace eddy::config
