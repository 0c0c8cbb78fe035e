#include "broker/handlers/offset_commit.h"

#include "broker/await/await_callback.h"
#include "broker/dispatch/broker.h"
#include "broker/partitions/known_partitions.h"
#include "group/coordinator.h"
#include "protocol/generated/offset_commit_request.h"
#include "protocol/generated/offset_commit_response.h"

namespace eddy::broker {
namespace {

using protocol::OffsetCommitRequest;
using protocol::OffsetCommitResponse;

asio::awaitable<OffsetCommitResponse> handle(RequestContext& context,
                                             OffsetCommitRequest& request) {
  const auto image = context.broker.metadata().current();
  OffsetCommitRequest known = only_known_partitions(*image, request);
  const int16_t version = context.api_version;
  OffsetCommitResponse committed;
  // An empty request still goes to the coordinator: it checks the group and member.
  if (!known.topics.empty() || request.topics.empty()) {
    committed = co_await await_callback<OffsetCommitResponse>([&](auto done) {
      context.broker.groups().commit(std::move(known), version, std::move(done));
    });
  }
  co_return in_request_order(request, std::move(committed));
}

}  // namespace

HandlerSpec offset_commit_handler() {
  return make_handler_spec<OffsetCommitRequest, OffsetCommitResponse, &handle>(0, 9);
}

}  // namespace eddy::broker
