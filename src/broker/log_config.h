#pragma once

// A partition's storage settings: each topic config resolved (topic override, else the
// broker's synonym from server.properties, else Kafka's default) and converted.

#include "config/server_config.h"
#include "metadata/image.h"
#include "storage/log_config.h"

namespace eddy::broker {

storage::LogConfig log_config_for(const config::ServerConfig& server,
                                  const metadata::ConfigMap& topic_overrides);

// The same resolution, for one config by name (e.g. "cleanup.policy"), as text.
std::string topic_config_value(const config::ServerConfig& server,
                               const metadata::ConfigMap& topic_overrides, std::string_view name);

}  // namespace eddy::broker
