#include "broker/configs/describe.h"

#include <map>

#include "reconcile/resolve.h"

namespace eddy::broker {
namespace {

using config::ConfigSource;
using config::ConfigSynonym;
using config::ConfigType;

// The dynamic broker configs that apply to this node: its own, then the cluster default ("").
void add_dynamic_synonyms(const metadata::MetadataImage& image, const std::string& node,
                          const std::string& name, std::vector<ConfigSynonym>& out) {
  const auto add = [&](const std::string& resource, ConfigSource source) {
    const auto it = image.broker_configs.find(resource);
    if (it == image.broker_configs.end()) return;
    if (const auto found = it->second.find(name); found != it->second.end()) {
      out.push_back({name, found->second, source});
    }
  };
  add(node, ConfigSource::kDynamicBrokerConfig);
  add("", ConfigSource::kDynamicDefaultBrokerConfig);
}

bool is_sensitive(std::string_view name) {
  return name.find("password") != std::string_view::npos ||
         name.find("jaas.config") != std::string_view::npos ||
         name.find("secret") != std::string_view::npos;
}

std::optional<std::string> known_default(const std::string& name) {
  for (const auto& key : config::known_server_keys()) {
    if (name == key.name) return std::string(key.default_value);
  }
  return std::nullopt;
}

// A broker config's entry: dynamic (node, then cluster default), static, then default.
DescribedConfig broker_entry(const config::ServerConfig& server,
                             const metadata::MetadataImage& image, const std::string& name,
                             const std::optional<std::string>& default_value, ConfigType type) {
  DescribedConfig entry;
  entry.name = name;
  entry.type = type;
  // Eddy applies no broker config at run time (AlterConfigs refuses them), so all are
  // read-only, as Kafka reports its non-dynamic configs.
  entry.read_only = true;
  entry.sensitive = is_sensitive(name);
  add_dynamic_synonyms(image, std::to_string(server.node_id), name, entry.synonyms);
  if (const auto it = server.given.find(name); it != server.given.end()) {
    entry.synonyms.push_back({name, it->second, ConfigSource::kStaticBrokerConfig});
  }
  entry.synonyms.push_back({name, default_value, ConfigSource::kDefaultConfig});
  entry.value = entry.synonyms.front().value;
  entry.source = entry.synonyms.front().source;
  if (entry.sensitive) {
    entry.value.reset();
    for (auto& synonym : entry.synonyms) synonym.value.reset();
  }
  return entry;
}

}  // namespace

std::vector<DescribedConfig> describe_topic_configs(const config::ServerConfig& server,
                                                    const metadata::MetadataImage& image,
                                                    const metadata::ConfigMap& overrides) {
  std::vector<DescribedConfig> out;
  const config::BrokerConfigLayers broker = reconcile::broker_config_layers(server, image);
  for (const config::TopicConfigDef& def : config::topic_config_defs()) {
    config::ResolvedTopicEntry resolved = config::resolve_topic_entry(def, overrides, broker);
    DescribedConfig entry;
    entry.name = std::string(def.name);
    entry.value = std::move(resolved.value);
    entry.source = resolved.source;
    entry.type = def.type;
    entry.synonyms = std::move(resolved.synonyms);
    out.push_back(std::move(entry));
  }
  return out;
}

std::vector<DescribedConfig> describe_broker_configs(const config::ServerConfig& server,
                                                     const metadata::MetadataImage& image) {
  std::map<std::string, DescribedConfig> entries;
  for (const auto& [name, value] : server.effective) {
    // The default is Kafka's for a key the operator set, else the effective value (some
    // defaults are derived, e.g. metadata.log.dir from log.dirs).
    std::optional<std::string> fallback = value;
    if (server.given.contains(name)) fallback = known_default(name);
    if (fallback && fallback->empty()) fallback.reset();  // unset, shown as null like Kafka
    entries[name] =
        broker_entry(server, image, name, fallback, config::server_config_type(name, value));
  }
  for (const config::TopicConfigDef& def : config::topic_config_defs()) {
    for (size_t i = 0; i < def.synonyms.size(); ++i) {
      const std::string name(def.synonyms[i].name);
      if (entries.contains(name)) continue;
      const std::optional<std::string> fallback = config::synonym_default(def, i);
      entries[name] = broker_entry(server, image, name, fallback,
                                   config::server_config_type(name, fallback.value_or("")));
    }
  }
  // Keys the operator set that Eddy does not know are kept and reported, as Kafka does.
  for (const auto& [name, value] : server.given) {
    if (!entries.contains(name)) {
      entries[name] =
          broker_entry(server, image, name, std::nullopt, config::server_config_type(name, value));
    }
  }
  std::vector<DescribedConfig> out;
  out.reserve(entries.size());
  for (auto& [name, entry] : entries) out.push_back(std::move(entry));
  return out;
}

}  // namespace eddy::broker
