#include "broker/handlers/create_topics.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "broker/await/await_timeout.h"
#include "broker/configs/describe.h"
#include "broker/configs/validation.h"
#include "broker/dispatch/broker.h"
#include "metadata/controller.h"
#include "protocol/generated/create_topics_request.h"
#include "protocol/generated/create_topics_response.h"
#include "reconcile/partition_sync.h"

namespace eddy::broker {
namespace {

using protocol::CreateTopicsRequest;
using protocol::CreateTopicsResponse;
using protocol::ErrorCode;
using Topic = CreateTopicsRequest::CreatableTopic;
using TopicResult = CreateTopicsResponse::CreatableTopicResult;

ApiError assignment_error(std::string message) {
  return ApiError::make(ErrorCode::kInvalidReplicaAssignment, std::move(message));
}

// Manual assignments: partitions 0..n-1, each replicated on exactly this node.
ApiError check_assignments(const Topic& topic, int32_t node_id) {
  if (topic.num_partitions != -1 || topic.replication_factor != -1) {
    return ApiError::make(ErrorCode::kInvalidRequest,
                          "Both numPartitions or replicationFactor and replicasAssignments were "
                          "set. Both cannot be used at the same time.");
  }
  const auto count = static_cast<int32_t>(topic.assignments.size());
  std::set<int32_t> indexes;
  for (const auto& assignment : topic.assignments) {
    if (assignment.partition_index < 0 || assignment.partition_index >= count ||
        !indexes.insert(assignment.partition_index).second) {
      return assignment_error("Partitions should be a consecutive 0-based integer sequence");
    }
    if (assignment.broker_ids.empty()) {
      return assignment_error(
          "All partitions in the manual partition assignment must contain at least one replica.");
    }
    for (const int32_t broker : assignment.broker_ids) {
      if (broker != node_id) {
        return assignment_error(
            fmt::format("The manual partition assignment includes broker "
                        "{}, but no such broker is registered.",
                        broker));
      }
    }
    if (assignment.broker_ids.size() > 1) {
      return assignment_error(
          fmt::format("The manual partition assignment includes the "
                      "partition {} with duplicate replica {}.",
                      assignment.partition_index, node_id));
    }
  }
  return {};
}

// Kafka metric names turn '.' into '_', so "a.b" and "a_b" may not both exist.
const metadata::TopicImage* colliding_topic(const metadata::MetadataImage& image,
                                            const std::string& name) {
  const auto normalize = [](std::string text) {
    std::replace(text.begin(), text.end(), '.', '_');
    return text;
  };
  const std::string wanted = normalize(name);
  for (const auto& [existing, topic] : image.topics_by_name) {
    if (existing != name && normalize(existing) == wanted) return topic.get();
  }
  return nullptr;
}

// Checks that need no controller; the store re-checks existence and counts atomically.
ApiError precheck(const config::ServerConfig& server, const metadata::MetadataImage& image,
                  const Topic& topic, metadata::ConfigMap& overrides) {
  const metadata::Status name_status = metadata::validate_topic_name(topic.name);
  if (!name_status.ok()) return to_api_error(name_status);
  if (image.topic(topic.name) != nullptr) {
    return ApiError::make(ErrorCode::kTopicAlreadyExists,
                          fmt::format("Topic '{}' already exists.", topic.name));
  }
  if (const metadata::TopicImage* other = colliding_topic(image, topic.name)) {
    return ApiError::make(
        ErrorCode::kInvalidTopicException,
        fmt::format("Topic '{}' collides with existing topic: {}", topic.name, other->name));
  }
  if (!topic.assignments.empty()) {
    ApiError error = check_assignments(topic, server.node_id);
    if (!error.ok()) return error;
  }
  std::vector<RequestedConfig> requested;
  requested.reserve(topic.configs.size());
  for (const auto& config : topic.configs) requested.push_back({config.name, config.value});
  return build_topic_overrides(requested, overrides);
}

metadata::CreateTopicSpec to_spec(const Topic& topic, const metadata::ConfigMap& overrides) {
  metadata::CreateTopicSpec spec;
  spec.name = topic.name;
  spec.num_partitions = topic.num_partitions;
  spec.replication_factor = topic.replication_factor;
  if (!topic.assignments.empty()) {
    spec.num_partitions = static_cast<int32_t>(topic.assignments.size());
    spec.replication_factor = 1;
  }
  for (const auto& [name, value] : overrides) spec.configs.push_back({name, value});
  return spec;
}

TopicResult error_result(const std::string& name, const ApiError& error) {
  TopicResult out;
  out.name = name;
  out.error_code = protocol::to_int(error.code);
  out.error_message = error.message;
  return out;
}

TopicResult created_result(const config::ServerConfig& server, const metadata::MetadataImage& image,
                           const metadata::TopicResult& created,
                           const metadata::ConfigMap& overrides) {
  TopicResult out;
  out.name = created.name;
  out.topic_id.bytes = created.topic_id.bytes;
  out.error_message = std::nullopt;
  out.num_partitions = created.num_partitions;
  out.replication_factor = created.replication_factor;
  std::vector<CreateTopicsResponse::CreatableTopicConfigs> configs;
  for (const DescribedConfig& config : describe_topic_configs(server, image, overrides)) {
    CreateTopicsResponse::CreatableTopicConfigs entry;
    entry.name = config.name;
    entry.value = config.value;
    entry.read_only = config.read_only;
    entry.config_source = static_cast<int8_t>(config.source);
    entry.is_sensitive = config.sensitive;
    configs.push_back(std::move(entry));
  }
  out.configs = std::move(configs);
  return out;
}

std::set<std::string> duplicate_names(const std::vector<Topic>& topics) {
  std::set<std::string> seen;
  std::set<std::string> duplicates;
  for (const Topic& topic : topics) {
    if (!seen.insert(topic.name).second) duplicates.insert(topic.name);
  }
  return duplicates;
}

asio::awaitable<CreateTopicsResponse> handle(RequestContext& context,
                                             CreateTopicsRequest& request) {
  const config::ServerConfig& server = context.broker.config();
  const auto image = context.broker.metadata().current();
  const std::set<std::string> duplicates = duplicate_names(request.topics);
  std::set<std::string> answered;
  CreateTopicsResponse response;
  std::vector<metadata::CreateTopicSpec> specs;
  std::vector<size_t> spec_result_index;
  std::vector<metadata::ConfigMap> spec_overrides;
  for (const Topic& topic : request.topics) {
    if (!answered.insert(topic.name).second) continue;  // a duplicate is answered once
    metadata::ConfigMap overrides;
    ApiError error = duplicates.contains(topic.name)
                         ? ApiError::make(ErrorCode::kInvalidRequest,
                                          fmt::format("Create topics request contains multiple "
                                                      "entries for the topic {}",
                                                      topic.name))
                         : precheck(server, *image, topic, overrides);
    if (!error.ok()) {
      response.topics.push_back(error_result(topic.name, error));
      continue;
    }
    spec_result_index.push_back(response.topics.size());
    response.topics.emplace_back().name = topic.name;
    specs.push_back(to_spec(topic, overrides));
    spec_overrides.push_back(std::move(overrides));
  }
  if (specs.empty()) co_return response;
  // Answered once the creation is committed, or with REQUEST_TIMED_OUT after timeout_ms (the
  // creation may still complete).
  auto answered_in_time = co_await await_callback_for<std::vector<metadata::TopicResult>>(
      request.timeout_ms, [&](auto done) {
        context.broker.metadata().create_topics(std::move(specs), request.validate_only,
                                                std::move(done));
      });
  if (!answered_in_time) {
    const ApiError timed_out = ApiError::make(ErrorCode::kRequestTimedOut, kTimedOutMessage);
    for (const size_t index : spec_result_index) {
      response.topics[index] = error_result(response.topics[index].name, timed_out);
    }
    co_return response;
  }
  const auto& results = *answered_in_time;
  const auto after = context.broker.metadata().current();
  for (size_t i = 0; i < results.size() && i < spec_result_index.size(); ++i) {
    TopicResult& slot = response.topics[spec_result_index[i]];
    slot = results[i].status.ok() ? created_result(server, *after, results[i], spec_overrides[i])
                                  : error_result(results[i].name, to_api_error(results[i].status));
    const metadata::TopicImage* created = after->topic(results[i].name);
    if (results[i].status.ok() && !request.validate_only && created != nullptr) {
      // Committed, but a log failed to open here (say, out of descriptors): not a success.
      const int32_t missing =
          reconcile::first_partition_without_log(context.broker.logs(), *created, server.node_id);
      if (missing >= 0) {
        slot = error_result(results[i].name,
                            ApiError::make(ErrorCode::kKafkaStorageError,
                                           fmt::format("The log of partition {} could not be "
                                                       "opened; the broker keeps retrying",
                                                       missing)));
      }
    }
  }
  co_return response;
}

}  // namespace

HandlerSpec create_topics_handler() {
  return make_handler_spec<CreateTopicsRequest, CreateTopicsResponse, &handle>(0, 7);
}

}  // namespace eddy::broker
