#include "broker/cluster/endpoints.h"

namespace eddy::broker {
namespace {

std::optional<BrokerEndpoint> on_listener(int32_t node_id, const metadata::BrokerImage& broker,
                                          const std::string& listener_name) {
  for (const auto& listener : broker.listeners) {
    if (listener.name == listener_name) {
      return BrokerEndpoint{node_id, listener.host, listener.port, broker.rack};
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<BrokerEndpoint> endpoints_on(const metadata::MetadataImage& image,
                                         const std::string& listener_name) {
  std::vector<BrokerEndpoint> out;
  for (const auto& [node_id, broker] : image.brokers) {
    if (auto endpoint = on_listener(node_id, broker, listener_name)) out.push_back(*endpoint);
  }
  return out;
}

std::optional<BrokerEndpoint> endpoint_of(const metadata::MetadataImage& image, int32_t node_id,
                                          const std::string& listener_name) {
  const auto broker = image.brokers.find(node_id);
  if (broker == image.brokers.end()) return std::nullopt;
  return on_listener(node_id, broker->second, listener_name);
}

}  // namespace eddy::broker
