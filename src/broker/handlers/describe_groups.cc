#include "broker/handlers/describe_groups.h"

#include <limits>

#include "broker/await/await_callback.h"
#include "broker/dispatch/broker.h"
#include "group/coordinator.h"
#include "protocol/generated/describe_groups_request.h"
#include "protocol/generated/describe_groups_response.h"

namespace eddy::broker {
namespace {

using protocol::DescribeGroupsRequest;
using protocol::DescribeGroupsResponse;
using Described = std::vector<DescribeGroupsResponse::DescribedGroup>;

// With no authorizer every group operation is allowed: READ, DELETE and DESCRIBE, as bits of
// AclOperation codes.
constexpr int32_t kAllGroupOperations = (1 << 3) | (1 << 6) | (1 << 8);

asio::awaitable<DescribeGroupsResponse> handle(RequestContext& context,
                                               DescribeGroupsRequest& request) {
  DescribeGroupsResponse response;
  response.groups = co_await await_callback<Described>([&](auto done) {
    context.broker.groups().describe(std::move(request.groups), std::move(done));
  });
  for (auto& group : response.groups) {
    group.authorized_operations = request.include_authorized_operations
                                      ? kAllGroupOperations
                                      : std::numeric_limits<int32_t>::min();
  }
  co_return response;
}

}  // namespace

HandlerSpec describe_groups_handler() {
  return make_handler_spec<DescribeGroupsRequest, DescribeGroupsResponse, &handle>(0, 5);
}

}  // namespace eddy::broker
