#include "broker/handlers/delete_groups.h"

#include "broker/await/await_callback.h"
#include "broker/dispatch/broker.h"
#include "group/coordinator.h"
#include "protocol/generated/delete_groups_request.h"
#include "protocol/generated/delete_groups_response.h"

namespace eddy::broker {
namespace {

using protocol::DeleteGroupsRequest;
using protocol::DeleteGroupsResponse;
using Results = std::vector<DeleteGroupsResponse::DeletableGroupResult>;

asio::awaitable<DeleteGroupsResponse> handle(RequestContext& context,
                                             DeleteGroupsRequest& request) {
  DeleteGroupsResponse response;
  response.results = co_await await_callback<Results>([&](auto done) {
    context.broker.groups().delete_groups(std::move(request.groups_names), std::move(done));
  });
  co_return response;
}

}  // namespace

HandlerSpec delete_groups_handler() {
  return make_handler_spec<DeleteGroupsRequest, DeleteGroupsResponse, &handle>(0, 2);
}

}  // namespace eddy::broker
