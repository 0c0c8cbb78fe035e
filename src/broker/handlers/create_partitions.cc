#include "broker/handlers/create_partitions.h"

#include <fmt/format.h>

#include "broker/await/await_timeout.h"
#include "broker/dispatch/broker.h"
#include "broker/errors/kafka_errors.h"
#include "metadata/controller.h"
#include "protocol/generated/create_partitions_request.h"
#include "protocol/generated/create_partitions_response.h"

namespace eddy::broker {
namespace {

using protocol::CreatePartitionsRequest;
using protocol::CreatePartitionsResponse;
using protocol::ErrorCode;
using Topic = CreatePartitionsRequest::CreatePartitionsTopic;
using Result = CreatePartitionsResponse::CreatePartitionsTopicResult;

ApiError assignment_error(std::string message) {
  return ApiError::make(ErrorCode::kInvalidReplicaAssignment, std::move(message));
}

// Manual assignments must cover exactly the new partitions, each on this node alone. Counts
// that do not grow the topic are left to the store, which answers INVALID_PARTITIONS.
ApiError check_assignments(const metadata::MetadataImage& image, const Topic& topic,
                           int32_t node_id) {
  const metadata::TopicImage* current = image.topic(topic.name);
  if (!topic.assignments || current == nullptr) return {};
  const auto existing = static_cast<int32_t>(current->partitions.size());
  if (topic.count <= existing) return {};
  const auto added = static_cast<int64_t>(topic.count) - existing;
  if (static_cast<int64_t>(topic.assignments->size()) != added) {
    return assignment_error(
        fmt::format("Increasing the number of partitions by {} but {} "
                    "assignments provided.",
                    added, topic.assignments->size()));
  }
  for (const auto& assignment : *topic.assignments) {
    if (assignment.broker_ids.size() != 1 || assignment.broker_ids.front() != node_id) {
      return assignment_error(
          fmt::format("Each new partition must be assigned to broker {} "
                      "alone: this cluster has a single broker.",
                      node_id));
    }
  }
  return {};
}

Result make_result(const std::string& name, const ApiError& error) {
  Result out;
  out.name = name;
  out.error_code = protocol::to_int(error.code);
  out.error_message = error.message;
  return out;
}

asio::awaitable<CreatePartitionsResponse> handle(RequestContext& context,
                                                 CreatePartitionsRequest& request) {
  const auto image = context.broker.metadata().current();
  const int32_t node_id = context.broker.config().node_id;
  CreatePartitionsResponse response;
  std::vector<metadata::CreatePartitionsSpec> specs;
  std::vector<size_t> spec_result_index;
  for (const Topic& topic : request.topics) {
    const ApiError error = check_assignments(*image, topic, node_id);
    if (error.ok()) {
      spec_result_index.push_back(response.results.size());
      specs.push_back({topic.name, topic.count});
    }
    response.results.push_back(make_result(topic.name, error));
  }
  if (specs.empty()) co_return response;
  auto answered_in_time =
      co_await await_callback_for<std::vector<metadata::CreatePartitionsResult>>(
          request.timeout_ms, [&](auto done) {
            context.broker.metadata().create_partitions(std::move(specs), request.validate_only,
                                                        std::move(done));
          });
  if (!answered_in_time) {
    const ApiError timed_out = ApiError::make(ErrorCode::kRequestTimedOut, kTimedOutMessage);
    for (const size_t index : spec_result_index) {
      response.results[index] = make_result(response.results[index].name, timed_out);
    }
    co_return response;
  }
  const auto& results = *answered_in_time;
  for (size_t i = 0; i < results.size() && i < spec_result_index.size(); ++i) {
    response.results[spec_result_index[i]] =
        make_result(results[i].name, to_api_error(results[i].status));
  }
  co_return response;
}

}  // namespace

HandlerSpec create_partitions_handler() {
  return make_handler_spec<CreatePartitionsRequest, CreatePartitionsResponse, &handle>(0, 3);
}

}  // namespace eddy::broker
