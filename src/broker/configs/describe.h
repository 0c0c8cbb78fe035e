#pragma once

// Configs as DescribeConfigs and CreateTopics (v5+) report them: every topic config of a topic
// and every broker config of this node, each with its effective value, source and synonym
// chain, resolved as the partitions' typed configs are (configs/resolve.h), so the value
// reported is the value applied.

#include <optional>
#include <string>
#include <vector>

#include "config/server_config.h"
#include "config/topic_config.h"
#include "config/topic_keys.h"
#include "metadata/image.h"

namespace eddy::broker {

// One config as DescribeConfigs and CreateTopics (v5+) report it.
struct DescribedConfig {
  std::string name;
  std::optional<std::string> value;  // null for sensitive or unset configs
  config::ConfigSource source = config::ConfigSource::kDefaultConfig;
  bool read_only = false;
  bool sensitive = false;
  config::ConfigType type = config::ConfigType::kString;
  std::vector<config::ConfigSynonym>
      synonyms;  // highest priority first, the entry's own source first
};

// Every topic config for a topic with `overrides`, sorted by name.
std::vector<DescribedConfig> describe_topic_configs(const config::ServerConfig& server,
                                                    const metadata::MetadataImage& image,
                                                    const metadata::ConfigMap& overrides);

// Every broker config of this node, sorted by name: the server keys plus the broker-level
// names of topic configs (log.retention.hours, ...).
std::vector<DescribedConfig> describe_broker_configs(const config::ServerConfig& server,
                                                     const metadata::MetadataImage& image);

}  // namespace eddy::broker
