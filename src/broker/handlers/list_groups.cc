#include "broker/handlers/list_groups.h"

#include "broker/await/await_callback.h"
#include "broker/dispatch/broker.h"
#include "group/coordinator.h"
#include "protocol/generated/list_groups_request.h"
#include "protocol/generated/list_groups_response.h"

namespace eddy::broker {
namespace {

using protocol::ListGroupsRequest;
using protocol::ListGroupsResponse;

asio::awaitable<ListGroupsResponse> handle(RequestContext& context, ListGroupsRequest& request) {
  group::ListResult listed = co_await await_callback<group::ListResult>([&](auto done) {
    context.broker.groups().list(std::move(request.states_filter), std::move(request.types_filter),
                                 std::move(done));
  });
  ListGroupsResponse response;
  response.error_code = protocol::to_int(listed.error);
  response.groups = std::move(listed.groups);
  co_return response;
}

}  // namespace

HandlerSpec list_groups_handler() {
  return make_handler_spec<ListGroupsRequest, ListGroupsResponse, &handle>(0, 5);
}

}  // namespace eddy::broker
