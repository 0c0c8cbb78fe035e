#include "broker/handlers/heartbeat.h"

#include "broker/await/await_callback.h"
#include "broker/dispatch/broker.h"
#include "group/coordinator.h"
#include "protocol/generated/heartbeat_request.h"
#include "protocol/generated/heartbeat_response.h"

namespace eddy::broker {
namespace {

using protocol::HeartbeatRequest;
using protocol::HeartbeatResponse;

asio::awaitable<HeartbeatResponse> handle(RequestContext& context, HeartbeatRequest& request) {
  HeartbeatResponse response = co_await await_callback<HeartbeatResponse>(
      [&](auto done) { context.broker.groups().heartbeat(std::move(request), std::move(done)); });
  co_return response;
}

}  // namespace

HandlerSpec heartbeat_handler() {
  return make_handler_spec<HeartbeatRequest, HeartbeatResponse, &handle>(0, 4);
}

}  // namespace eddy::broker
