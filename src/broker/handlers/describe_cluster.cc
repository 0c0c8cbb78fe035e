#include "broker/handlers/describe_cluster.h"

#include "broker/cluster/endpoints.h"
#include "broker/dispatch/broker.h"
#include "protocol/error_code.h"
#include "protocol/generated/describe_cluster_request.h"
#include "protocol/generated/describe_cluster_response.h"

namespace eddy::broker {
namespace {

using protocol::DescribeClusterRequest;
using protocol::DescribeClusterResponse;
using protocol::ErrorCode;

constexpr int8_t kBrokerEndpoints = 1;

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
  for (auto& endpoint : endpoints_on(*image, context.connection.listener_name)) {
    response.brokers.push_back(
        {endpoint.node_id, std::move(endpoint.host), endpoint.port, std::move(endpoint.rack), {}});
  }
  co_return response;
}

}  // namespace

HandlerSpec describe_cluster_handler() {
  return make_handler_spec<DescribeClusterRequest, DescribeClusterResponse, &handle>(0, 1);
}

}  // namespace eddy::broker
