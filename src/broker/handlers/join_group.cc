#include "broker/handlers/join_group.h"

#include "broker/await/await_callback.h"
#include "broker/dispatch/broker.h"
#include "group/coordinator.h"
#include "protocol/generated/join_group_request.h"
#include "protocol/generated/join_group_response.h"

namespace eddy::broker {
namespace {

using protocol::JoinGroupRequest;
using protocol::JoinGroupResponse;

// Kafka reports a member's host as "/<address>" (Java's InetAddress.toString()).
std::string client_host(const std::string& peer) {
  std::string host = peer.substr(0, peer.rfind(':'));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return "/" + host;
}

asio::awaitable<JoinGroupResponse> handle(RequestContext& context, JoinGroupRequest& request) {
  group::ClientInfo client{context.api_version, context.client_id.value_or(""),
                           client_host(context.connection.peer)};
  JoinGroupResponse response = co_await await_callback<JoinGroupResponse>([&](auto done) {
    context.broker.groups().join(std::move(request), std::move(client), std::move(done));
  });
  co_return response;
}

}  // namespace

HandlerSpec join_group_handler() {
  return make_handler_spec<JoinGroupRequest, JoinGroupResponse, &handle>(0, 9);
}

}  // namespace eddy::broker
