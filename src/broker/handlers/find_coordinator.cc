#include "broker/handlers/find_coordinator.h"

#include "broker/await/await_callback.h"
#include "broker/cluster/endpoints.h"
#include "broker/dispatch/broker.h"
#include "group/consumer_offsets_records.h"
#include "group/coordinator.h"
#include "protocol/error_code.h"
#include "protocol/generated/find_coordinator_request.h"
#include "protocol/generated/find_coordinator_response.h"

namespace eddy::broker {
namespace {

using protocol::ErrorCode;
using protocol::FindCoordinatorRequest;
using protocol::FindCoordinatorResponse;
using Coordinator = FindCoordinatorResponse::Coordinator;

constexpr int8_t kGroupKeyType = 0;
constexpr int8_t kTransactionKeyType = 1;
constexpr int16_t kFirstBatchedVersion = 4;  // KIP-699

Coordinator coordinator_error(const std::string& key, ErrorCode error) {
  Coordinator out;
  out.key = key;
  out.node_id = -1;
  out.port = -1;
  out.error_code = protocol::to_int(error);
  out.error_message = std::string(protocol::error_code_name(error));
  return out;
}

// The leader of the group's __consumer_offsets partition, at the listener the client used.
Coordinator locate_group(RequestContext& context, const metadata::MetadataImage& image,
                         const std::string& key) {
  const metadata::PartitionImage* partition =
      image.partition(group::kOffsetsTopic, context.broker.groups().partition_for(key));
  const auto endpoint = partition == nullptr ? std::nullopt
                                             : endpoint_of(image, partition->leader,
                                                           context.connection.listener_name);
  if (!endpoint) return coordinator_error(key, ErrorCode::kCoordinatorNotAvailable);
  Coordinator out;
  out.key = key;
  out.node_id = endpoint->node_id;
  out.host = endpoint->host;
  out.port = endpoint->port;
  out.error_message.reset();
  return out;
}

asio::awaitable<FindCoordinatorResponse> handle(RequestContext& context,
                                                FindCoordinatorRequest& request) {
  std::vector<std::string> keys = request.coordinator_keys;
  if (context.api_version < kFirstBatchedVersion) keys = {request.key};
  ErrorCode topic_error = ErrorCode::kNone;
  if (request.key_type == kGroupKeyType) {
    topic_error = co_await await_callback<ErrorCode>(
        [&](auto done) { context.broker.groups().ensure_topic(std::move(done)); });
  }
  const auto image = context.broker.metadata().current();
  FindCoordinatorResponse response;
  for (const std::string& key : keys) {
    if (request.key_type == kTransactionKeyType) {
      response.coordinators.push_back(coordinator_error(key, ErrorCode::kCoordinatorNotAvailable));
    } else if (request.key_type != kGroupKeyType) {
      response.coordinators.push_back(coordinator_error(key, ErrorCode::kInvalidRequest));
    } else if (topic_error != ErrorCode::kNone) {
      response.coordinators.push_back(coordinator_error(key, topic_error));
    } else {
      response.coordinators.push_back(locate_group(context, *image, key));
    }
  }
  if (context.api_version < kFirstBatchedVersion && !response.coordinators.empty()) {
    const Coordinator& only = response.coordinators.front();
    response.error_code = only.error_code;
    response.error_message = only.error_message;
    response.node_id = only.node_id;
    response.host = only.host;
    response.port = only.port;
    response.coordinators.clear();
  }
  co_return response;
}

}  // namespace

HandlerSpec find_coordinator_handler() {
  return make_handler_spec<FindCoordinatorRequest, FindCoordinatorResponse, &handle>(0, 6);
}

}  // namespace eddy::broker
