#include "broker/handlers/leave_group.h"

#include "broker/await/await_callback.h"
#include "broker/dispatch/broker.h"
#include "group/coordinator.h"
#include "protocol/generated/leave_group_request.h"
#include "protocol/generated/leave_group_response.h"

namespace eddy::broker {
namespace {

using protocol::LeaveGroupRequest;
using protocol::LeaveGroupResponse;

asio::awaitable<LeaveGroupResponse> handle(RequestContext& context, LeaveGroupRequest& request) {
  const int16_t version = context.api_version;
  LeaveGroupResponse response = co_await await_callback<LeaveGroupResponse>([&](auto done) {
    context.broker.groups().leave(std::move(request), version, std::move(done));
  });
  co_return response;
}

}  // namespace

HandlerSpec leave_group_handler() {
  return make_handler_spec<LeaveGroupRequest, LeaveGroupResponse, &handle>(0, 5);
}

}  // namespace eddy::broker
