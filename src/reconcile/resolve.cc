#include "reconcile/resolve.h"

#include <string>

namespace eddy::reconcile {

config::BrokerConfigLayers broker_config_layers(const config::ServerConfig& server,
                                                const metadata::MetadataImage& image) {
  const auto layer = [&image](const std::string& resource) -> const metadata::ConfigMap* {
    const auto it = image.broker_configs.find(resource);
    return it == image.broker_configs.end() ? nullptr : &it->second;
  };
  // Kafka names a node's dynamic configs by its id and the cluster default by "".
  return {layer(std::to_string(server.node_id)), layer(""), &server.given};
}

config::TopicConfig topic_config_for(const config::ServerConfig& server,
                                     const metadata::MetadataImage& image,
                                     const metadata::ConfigMap& topic_overrides) {
  return config::resolve_topic_config(topic_overrides, broker_config_layers(server, image));
}

}  // namespace eddy::reconcile
