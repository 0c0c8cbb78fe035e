#pragma once

// How clients see the cluster: brokers at the endpoint of the listener the client connected
// to (Kafka answers each listener with its own addresses), and the authorized-operation bit
// sets Metadata and DescribeCluster report.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "metadata/image.h"

namespace eddy::broker {

struct BrokerEndpoint {
  int32_t node_id = 0;
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;
};

// Every broker that has listener `listener_name`, by node id.
std::vector<BrokerEndpoint> endpoints_on(const metadata::MetadataImage& image,
                                         const std::string& listener_name);

// Broker `node_id` on listener `listener_name`, if it is registered with one.
std::optional<BrokerEndpoint> endpoint_of(const metadata::MetadataImage& image, int32_t node_id,
                                          const std::string& listener_name);

// With no authorizer every operation a resource type supports is allowed; Kafka reports
// them as bit sets of AclOperation codes (READ=3 ... IDEMPOTENT_WRITE=12).
inline constexpr int32_t kAllTopicOperations =
    (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);
inline constexpr int32_t kAllClusterOperations =
    (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);
inline constexpr int32_t kOperationsNotRequested = std::numeric_limits<int32_t>::min();

}  // namespace eddy::broker
