#include "broker/handlers/describe_cluster.h"

#include <limits>

#include "broker/broker.h"
#include "protocol/error_code.h"
#include "protocol/generated/describe_cluster_request.h"
#include "protocol/generated/describe_cluster_response.h"

namespace eddy::broker {
namespace {

using protocol::DescribeClusterRequest;
using protocol::DescribeClusterResponse;
using protocol::ErrorCode;

constexpr int8_t kBrokerEndpoints = 1;
// With no authorizer every cluster operation is allowed (AclOperation codes as bits), the
// same set the Metadata handler reports.
constexpr int32_t kAllClusterOperations =
    (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);
constexpr int32_t kOperationsNotRequested = std::numeric_limits<int32_t>::min();

asio::awaitable<DescribeClusterResponse> handle(RequestContext& context,
                                                DescribeClusterRequest& request) {
  const auto image = context.broker.metadata().current();
  DescribeClusterResponse response;
  response.endpoint_type = kBrokerEndpoints;
  response.cluster_id = image->cluster_id;
  if (request.endpoint_type != kBrokerEndpoints) {
    // This node is a broker: controller endpoints are asked of a controller (KIP-919).
    response.error_code = protocol::to_int(ErrorCode::kMismatchedEndpointType);
    response.error_message =
        "The request was sent to an endpoint of type BROKER, but we wanted "
        "an endpoint of type CONTROLLER";
    co_return response;
  }
  response.controller_id = context.broker.config().node_id;
  response.cluster_authorized_operations = request.include_cluster_authorized_operations
                                               ? kAllClusterOperations
                                               : kOperationsNotRequested;
  for (const auto& [node_id, broker] : image->brokers) {
    for (const auto& listener : broker.listeners) {
      if (listener.name != context.connection.listener_name) continue;
      DescribeClusterResponse::DescribeClusterBroker entry;
      entry.broker_id = node_id;
      entry.host = listener.host;
      entry.port = listener.port;
      entry.rack = broker.rack;
      response.brokers.push_back(std::move(entry));
    }
  }
  co_return response;
}

}  // namespace

HandlerSpec describe_cluster_handler() {
  return make_handler_spec<DescribeClusterRequest, DescribeClusterResponse, &handle>(0, 1);
}

}  // namespace eddy::broker
