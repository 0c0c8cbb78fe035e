#include "broker/handlers/metadata.h"

#include <map>

#include "broker/cluster/endpoints.h"
#include "broker/dispatch/broker.h"
#include "broker/partitions/auto_create.h"
#include "metadata/controller.h"
#include "protocol/error_code.h"
#include "protocol/generated/metadata_request.h"
#include "protocol/generated/metadata_response.h"

namespace eddy::broker {
namespace {

using protocol::ErrorCode;
using protocol::MetadataRequest;
using protocol::MetadataResponse;

MetadataResponse::MetadataResponseTopic describe_topic(const metadata::TopicImage& topic,
                                                       bool include_operations) {
  MetadataResponse::MetadataResponseTopic out;
  out.name = topic.name;
  out.topic_id = topic.topic_id;
  out.is_internal = metadata::is_internal_topic(topic.name);
  out.topic_authorized_operations =
      include_operations ? kAllTopicOperations : kOperationsNotRequested;
  for (const auto& partition : topic.partitions) {
    MetadataResponse::MetadataResponsePartition entry;
    entry.partition_index = partition.partition_index;
    entry.leader_id = partition.leader;
    entry.leader_epoch = partition.leader_epoch;
    entry.replica_nodes = partition.replicas;
    entry.isr_nodes = partition.isr;
    if (partition.leader < 0) entry.error_code = protocol::to_int(ErrorCode::kLeaderNotAvailable);
    out.partitions.push_back(std::move(entry));
  }
  return out;
}

MetadataResponse::MetadataResponseTopic topic_error(
    const MetadataRequest::MetadataRequestTopic& requested, ErrorCode error) {
  MetadataResponse::MetadataResponseTopic out;
  out.error_code = protocol::to_int(error);
  out.name = requested.name;
  out.topic_id = requested.topic_id;
  return out;
}

void add_brokers(const metadata::MetadataImage& image, const std::string& listener_name,
                 MetadataResponse& response) {
  for (auto& endpoint : endpoints_on(image, listener_name)) {
    response.brokers.push_back(
        {endpoint.node_id, std::move(endpoint.host), endpoint.port, std::move(endpoint.rack), {}});
  }
}

MetadataResponse::MetadataResponseTopic lookup_topic(
    const metadata::MetadataImage& image, const MetadataRequest::MetadataRequestTopic& requested,
    bool include_operations) {
  if (!requested.name.has_value()) {
    // v10+: by topic id; a request naming neither is malformed at the topic level.
    if (requested.topic_id.is_zero()) return topic_error(requested, ErrorCode::kInvalidRequest);
    const metadata::TopicImage* topic = image.topic(requested.topic_id);
    if (topic == nullptr) return topic_error(requested, ErrorCode::kUnknownTopicId);
    return describe_topic(*topic, include_operations);
  }
  if (!metadata::validate_topic_name(*requested.name).ok()) {
    return topic_error(requested, ErrorCode::kInvalidTopicException);
  }
  const metadata::TopicImage* topic = image.topic(*requested.name);
  if (topic == nullptr) return topic_error(requested, ErrorCode::kUnknownTopicOrPartition);
  return describe_topic(*topic, include_operations);
}

// Auto-creates the valid names the request lists that do not exist yet and returns why the
// ones that are still missing could not be created. Kafka answers LEADER_NOT_AVAILABLE while
// it creates; Eddy waits for the commit (see partitions/auto_create.h), so the response that
// follows already describes the new topics.
asio::awaitable<std::map<std::string, ErrorCode>> auto_create_missing(
    RequestContext& context, const metadata::MetadataImage& image,
    const std::vector<MetadataRequest::MetadataRequestTopic>& topics) {
  std::vector<std::string> missing;
  for (const auto& requested : topics) {
    if (!requested.name || image.topic(*requested.name) != nullptr) continue;
    if (metadata::validate_topic_name(*requested.name).ok()) missing.push_back(*requested.name);
  }
  std::map<std::string, ErrorCode> failures;
  if (missing.empty()) co_return failures;
  for (const auto& result : co_await auto_create_topics(
           context.broker.config(), context.broker.metadata(), std::move(missing))) {
    if (result.error != ErrorCode::kNone) failures[result.name] = result.error;
  }
  co_return failures;
}

asio::awaitable<MetadataResponse> handle(RequestContext& context, MetadataRequest& request) {
  auto image = context.broker.metadata().current();
  MetadataResponse response;
  add_brokers(*image, context.connection.listener_name, response);
  response.cluster_id = image->cluster_id;
  response.controller_id = context.broker.config().node_id;
  response.cluster_authorized_operations = request.include_cluster_authorized_operations
                                               ? kAllClusterOperations
                                               : kOperationsNotRequested;
  const bool include_operations = request.include_topic_authorized_operations;
  // v0 has no null: an empty list means all topics. From v1 on, null means all topics.
  const bool all_topics =
      !request.topics.has_value() || (context.api_version == 0 && request.topics->empty());
  if (all_topics) {
    for (const auto& [name, topic] : image->topics_by_name) {
      response.topics.push_back(describe_topic(*topic, include_operations));
    }
    co_return response;
  }
  // v0-v3 have no allow_auto_topic_creation: those clients always allow it.
  std::map<std::string, ErrorCode> creation_failures;
  if (context.api_version < 4 || request.allow_auto_topic_creation) {
    creation_failures = co_await auto_create_missing(context, *image, *request.topics);
    image = context.broker.metadata().current();
  }
  for (const auto& requested : *request.topics) {
    auto topic = lookup_topic(*image, requested, include_operations);
    const auto failure =
        requested.name ? creation_failures.find(*requested.name) : creation_failures.end();
    if (failure != creation_failures.end() &&
        topic.error_code == protocol::to_int(ErrorCode::kUnknownTopicOrPartition)) {
      topic.error_code = protocol::to_int(failure->second);
    }
    response.topics.push_back(std::move(topic));
  }
  co_return response;
}

}  // namespace

HandlerSpec metadata_handler() {
  return make_handler_spec<MetadataRequest, MetadataResponse, &handle>(0, 12);
}

}  // namespace eddy::broker
