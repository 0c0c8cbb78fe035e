#include "broker/handlers/delete_topics.h"

#include <set>

#include <fmt/format.h>

#include "broker/await/await_timeout.h"
#include "broker/dispatch/broker.h"
#include "broker/errors/kafka_errors.h"
#include "metadata/controller.h"
#include "protocol/generated/delete_topics_request.h"
#include "protocol/generated/delete_topics_response.h"

namespace eddy::broker {
namespace {

using protocol::DeleteTopicsRequest;
using protocol::DeleteTopicsResponse;
using protocol::ErrorCode;
using Result = DeleteTopicsResponse::DeletableTopicResult;

// One requested topic, whichever way the version names it.
struct Requested {
  std::optional<std::string> name;
  metadata::Uuid topic_id;
};

std::vector<Requested> requested_topics(const DeleteTopicsRequest& request, int16_t version) {
  std::vector<Requested> out;
  if (version < 6) {
    for (const std::string& name : request.topic_names) out.push_back({name, {}});
    return out;
  }
  for (const auto& topic : request.topics) {
    metadata::Uuid id;
    id.bytes = topic.topic_id.bytes;
    out.push_back({topic.name, id});
  }
  return out;
}

// The internal topics hold the group and transaction coordinators' state; deleting one under
// a running coordinator loses every committed offset or transaction. Kafka leaves the refusal
// to its command-line tool; Eddy refuses at the broker, for every client.
bool is_internal_topic(const std::string& name) {
  return name == "__consumer_offsets" || name == "__transaction_state";
}

Result make_result(const Requested& topic, const ApiError& error) {
  Result out;
  out.name = topic.name;
  out.topic_id.bytes = topic.topic_id.bytes;
  out.error_code = protocol::to_int(error.code);
  out.error_message = error.message;
  return out;
}

ApiError precheck(const metadata::MetadataImage& image, const Requested& topic,
                  const std::set<std::string>& duplicates) {
  const bool has_name = topic.name.has_value() && !topic.name->empty();
  if (has_name && !topic.topic_id.is_zero()) {
    return ApiError::make(ErrorCode::kInvalidRequest,
                          "You may not specify both topic name and topic id.");
  }
  if (!has_name && topic.topic_id.is_zero()) {
    return ApiError::make(ErrorCode::kInvalidRequest, "Neither topic name nor id was specified.");
  }
  const std::string key = has_name ? *topic.name : topic.topic_id.to_string();
  if (duplicates.contains(key)) {
    return ApiError::make(ErrorCode::kInvalidRequest,
                          has_name ? "Duplicate topic name." : "Duplicate topic id.");
  }
  const metadata::TopicImage* found =
      has_name ? image.topic(*topic.name) : image.topic(topic.topic_id);
  if (found != nullptr && is_internal_topic(found->name)) {
    return ApiError::make(
        ErrorCode::kInvalidRequest,
        fmt::format("Topic {} is an internal topic and cannot be deleted.", found->name));
  }
  return {};
}

std::string key_of(const Requested& topic) {
  return topic.name.has_value() && !topic.name->empty() ? *topic.name : topic.topic_id.to_string();
}

asio::awaitable<DeleteTopicsResponse> handle(RequestContext& context,
                                             DeleteTopicsRequest& request) {
  const std::vector<Requested> topics = requested_topics(request, context.api_version);
  std::set<std::string> seen;
  std::set<std::string> duplicates;
  for (const Requested& topic : topics) {
    if (!seen.insert(key_of(topic)).second) duplicates.insert(key_of(topic));
  }
  const auto image = context.broker.metadata().current();
  DeleteTopicsResponse response;
  std::set<std::string> answered;
  std::vector<metadata::TopicRef> refs;
  std::vector<size_t> ref_result_index;
  for (const Requested& topic : topics) {
    if (!answered.insert(key_of(topic)).second) continue;  // a duplicate is answered once
    const ApiError error = precheck(*image, topic, duplicates);
    if (!error.ok()) {
      response.responses.push_back(make_result(topic, error));
      continue;
    }
    ref_result_index.push_back(response.responses.size());
    response.responses.push_back(make_result(topic, {}));
    refs.push_back({topic.name.value_or(""), topic.topic_id});
  }
  if (refs.empty()) co_return response;
  auto answered_in_time = co_await await_callback_for<std::vector<metadata::DeleteTopicResult>>(
      request.timeout_ms, [&](auto done) {
        context.broker.metadata().delete_topics(std::move(refs), std::move(done));
      });
  if (!answered_in_time) {
    for (const size_t index : ref_result_index) {
      Result& slot = response.responses[index];
      slot.error_code = protocol::to_int(ErrorCode::kRequestTimedOut);
      slot.error_message = kTimedOutMessage;
    }
    co_return response;
  }
  const auto& results = *answered_in_time;
  for (size_t i = 0; i < results.size() && i < ref_result_index.size(); ++i) {
    Result& slot = response.responses[ref_result_index[i]];
    const ApiError error = to_api_error(results[i].status);
    if (!results[i].name.empty()) slot.name = results[i].name;
    slot.topic_id.bytes = results[i].topic_id.bytes;
    slot.error_code = protocol::to_int(error.code);
    slot.error_message = error.message;
  }
  co_return response;
}

}  // namespace

HandlerSpec delete_topics_handler() {
  return make_handler_spec<DeleteTopicsRequest, DeleteTopicsResponse, &handle>(0, 6);
}

}  // namespace eddy::broker
