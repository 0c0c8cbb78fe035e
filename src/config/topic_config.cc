#include "config/topic_config.h"

#include <charconv>

namespace eddy::config {
namespace {

// A broker synonym's value in the topic config's unit (log.retention.hours=2 → 7200000).
std::string in_topic_unit(const BrokerSynonym& synonym, const std::string& value) {
  if (synonym.unit_multiplier == 1) return value;
  int64_t number = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (ec != std::errc() || end != value.data() + value.size()) return value;
  return std::to_string(number * synonym.unit_multiplier);
}

template <typename Layer>
void add_if_set(const Layer* layer, const std::string& name, ConfigSource source,
                std::vector<ConfigSynonym>& out) {
  if (layer == nullptr) return;
  if (const auto it = layer->find(name); it != layer->end()) {
    out.push_back({name, it->second, source});
  }
}

// The chain without the topic override: for each synonym in priority order its dynamic and
// static settings, then the default.
void add_broker_chain(const TopicConfigDef& def, const BrokerConfigLayers& broker,
                      std::vector<ConfigSynonym>& out) {
  for (const BrokerSynonym& synonym : def.synonyms) {
    const std::string name(synonym.name);
    add_if_set(broker.node_dynamic, name, ConfigSource::kDynamicBrokerConfig, out);
    add_if_set(broker.cluster_dynamic, name, ConfigSource::kDynamicDefaultBrokerConfig, out);
    add_if_set(broker.static_given, name, ConfigSource::kStaticBrokerConfig, out);
  }
  if (def.synonyms.empty()) {
    out.push_back(
        {std::string(def.name), std::string(def.default_value), ConfigSource::kDefaultConfig});
  } else {
    const size_t last = def.synonyms.size() - 1;
    out.push_back({std::string(def.synonyms[last].name), synonym_default(def, last),
                   ConfigSource::kDefaultConfig});
  }
}

// The effective value of a chain entry, in the topic config's unit.
std::string effective_value(const TopicConfigDef& def, const ConfigSynonym& entry) {
  if (entry.source == ConfigSource::kDefaultConfig) return std::string(def.default_value);
  if (entry.source == ConfigSource::kDynamicTopicConfig) return entry.value.value_or("");
  for (const BrokerSynonym& synonym : def.synonyms) {
    if (synonym.name == entry.name) return in_topic_unit(synonym, entry.value.value_or(""));
  }
  return entry.value.value_or("");
}

}  // namespace

const TopicConfig& table_defaults() {
  static const TopicConfig defaults = [] {
    TopicConfig config{TopicConfig::Unset{}};
    for (const TopicConfigDef& def : topic_config_defs()) {
      if (def.set != nullptr) def.set(config, def.default_value);
    }
    return config;
  }();
  return defaults;
}

TopicConfig::TopicConfig() : TopicConfig(table_defaults()) {}

ResolvedTopicEntry resolve_topic_entry(const TopicConfigDef& def,
                                       const std::map<std::string, std::string>& overrides,
                                       const BrokerConfigLayers& broker) {
  ResolvedTopicEntry out;
  const std::string name(def.name);
  if (const auto it = overrides.find(name); it != overrides.end()) {
    out.synonyms.push_back({name, it->second, ConfigSource::kDynamicTopicConfig});
  }
  add_broker_chain(def, broker, out.synonyms);
  out.source = out.synonyms.front().source;
  out.value = effective_value(def, out.synonyms.front());
  return out;
}

TopicConfig resolve_topic_config(const std::map<std::string, std::string>& overrides,
                                 const BrokerConfigLayers& broker) {
  TopicConfig config;  // the table's defaults
  for (const TopicConfigDef& def : topic_config_defs()) {
    if (def.set == nullptr) continue;
    const ResolvedTopicEntry entry = resolve_topic_entry(def, overrides, broker);
    for (const ConfigSynonym& layer : entry.synonyms) {
      if (def.set(config, effective_value(def, layer))) break;
    }
  }
  return config;
}

}  // namespace eddy::config
