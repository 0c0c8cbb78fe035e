#include "broker/handlers/sync_group.h"

#include "broker/await/await_callback.h"
#include "broker/dispatch/broker.h"
#include "group/coordinator.h"
#include "protocol/generated/sync_group_request.h"
#include "protocol/generated/sync_group_response.h"

namespace eddy::broker {
namespace {

using protocol::SyncGroupRequest;
using protocol::SyncGroupResponse;

asio::awaitable<SyncGroupResponse> handle(RequestContext& context, SyncGroupRequest& request) {
  SyncGroupResponse response = co_await await_callback<SyncGroupResponse>(
      [&](auto done) { context.broker.groups().sync(std::move(request), std::move(done)); });
  co_return response;
}

}  // namespace

HandlerSpec sync_group_handler() {
  return make_handler_spec<SyncGroupRequest, SyncGroupResponse, &handle>(0, 5);
}

}  // namespace eddy::broker
