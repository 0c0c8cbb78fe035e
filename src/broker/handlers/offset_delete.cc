#include "broker/handlers/offset_delete.h"

#include "broker/await/await_callback.h"
#include "broker/dispatch/broker.h"
#include "broker/partitions/known_partitions.h"
#include "group/coordinator.h"
#include "protocol/generated/offset_delete_request.h"
#include "protocol/generated/offset_delete_response.h"

namespace eddy::broker {
namespace {

using protocol::OffsetDeleteRequest;
using protocol::OffsetDeleteResponse;

asio::awaitable<OffsetDeleteResponse> handle(RequestContext& context,
                                             OffsetDeleteRequest& request) {
  const auto image = context.broker.metadata().current();
  OffsetDeleteRequest known = only_known_partitions(*image, request);
  OffsetDeleteResponse deleted = co_await await_callback<OffsetDeleteResponse>([&](auto done) {
    context.broker.groups().delete_offsets(std::move(known), std::move(done));
  });
  if (deleted.error_code != 0) co_return deleted;
  co_return in_request_order(request, std::move(deleted));
}

}  // namespace

HandlerSpec offset_delete_handler() {
  return make_handler_spec<OffsetDeleteRequest, OffsetDeleteResponse, &handle>(0, 0);
}

}  // namespace eddy::broker
