#pragma once

// Topic-level configs: Kafka's names, types, defaults, valid values, and the broker configs
// ("synonyms") that supply a topic's value when the topic does not override it.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/properties.h"

namespace eddy::config {

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

struct TopicConfigDef {
  std::string_view name;
  ConfigType type;
  std::string_view default_value;
  std::vector<BrokerSynonym> synonyms;  // highest priority first
  std::optional<double> min_value;      // numeric types
  std::optional<double> max_value;
  std::vector<std::string_view> allowed;  // string/list types: every element must be one
};

// Every topic config, sorted by name.
const std::vector<TopicConfigDef>& topic_config_defs();
const TopicConfigDef* find_topic_config(std::string_view name);

// Checks `value` against the definition of `name`; on failure `error` reads like Kafka's
// ("Invalid value x for configuration retention.ms: Not a number of type LONG").
bool validate_topic_config(std::string_view name, std::string_view value, std::string& error);

struct ResolvedConfig {
  std::string value;
  ConfigSource source;
  std::string synonym_name;  // the broker config it came from, if kStaticBrokerConfig
};

// The effective value: the topic's override, else the first broker synonym the operator set
// (`broker_given` = keys from server.properties and --override), else the default.
ResolvedConfig resolve_topic_config(const TopicConfigDef& def,
                                    const std::map<std::string, std::string>& topic_overrides,
                                    const Properties& broker_given);

}  // namespace eddy::config
