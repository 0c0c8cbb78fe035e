#include "broker/handlers/metadata.h"

#include <limits>

#include "broker/broker.h"
#include "metadata/controller.h"
#include "protocol/error_code.h"
#include "protocol/generated/metadata_request.h"
#include "protocol/generated/metadata_response.h"

namespace eddy::broker {
namespace {

using protocol::ErrorCode;
using protocol::MetadataRequest;
using protocol::MetadataResponse;

// With no authorizer every operation a resource type supports is allowed; Kafka reports them
// as bit sets of AclOperation codes.
constexpr int32_t kAllTopicOperations = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) |
                                        (1 << 8) | (1 << 10) | (1 << 11);
constexpr int32_t kAllClusterOperations = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) |
                                          (1 << 11) | (1 << 12);
constexpr int32_t kOperationsNotRequested = std::numeric_limits<int32_t>::min();

protocol::Uuid to_protocol(const metadata::Uuid& id) {
  protocol::Uuid out;
  out.bytes = id.bytes;
  return out;
}

metadata::Uuid to_metadata(const protocol::Uuid& id) {
  metadata::Uuid out;
  out.bytes = id.bytes;
  return out;
}

MetadataResponse::MetadataResponseTopic describe_topic(const metadata::TopicImage& topic,
                                                       bool include_operations) {
  MetadataResponse::MetadataResponseTopic out;
  out.name = topic.name;
  out.topic_id = to_protocol(topic.topic_id);
  out.is_internal = topic.name == "__consumer_offsets" || topic.name == "__transaction_state";
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

MetadataResponse::MetadataResponseTopic topic_error(const MetadataRequest::MetadataRequestTopic& requested,
                                                    ErrorCode error) {
  MetadataResponse::MetadataResponseTopic out;
  out.error_code = protocol::to_int(error);
  out.name = requested.name;
  out.topic_id = requested.topic_id;
  return out;
}

void add_brokers(const metadata::MetadataImage& image, const std::string& listener_name,
                 MetadataResponse& response) {
  for (const auto& [node_id, broker] : image.brokers) {
    for (const auto& listener : broker.listeners) {
      if (listener.name != listener_name) continue;
      MetadataResponse::MetadataResponseBroker entry;
      entry.node_id = node_id;
      entry.host = listener.host;
      entry.port = listener.port;
      entry.rack = broker.rack;
      response.brokers.push_back(std::move(entry));
    }
  }
}

MetadataResponse::MetadataResponseTopic lookup_topic(
    const metadata::MetadataImage& image, const MetadataRequest::MetadataRequestTopic& requested,
    bool include_operations) {
  if (!requested.name.has_value()) {
    // v10+: by topic id; a request naming neither is malformed at the topic level.
    if (requested.topic_id.is_zero()) return topic_error(requested, ErrorCode::kInvalidRequest);
    const metadata::TopicImage* topic = image.topic(to_metadata(requested.topic_id));
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

asio::awaitable<MetadataResponse> handle(RequestContext& context, MetadataRequest& request) {
  const auto image = context.broker.metadata().current();
  MetadataResponse response;
  add_brokers(*image, context.connection.listener_name, response);
  response.cluster_id = image->cluster_id;
  response.controller_id = context.broker.config().node_id;
  response.cluster_authorized_operations = request.include_cluster_authorized_operations
                                               ? kAllClusterOperations
                                               : kOperationsNotRequested;
  const bool include_operations = request.include_topic_authorized_operations;
  // v0 has no null: an empty list means all topics. From v1 on, null means all topics.
  const bool all_topics = !request.topics.has_value() ||
                          (context.api_version == 0 && request.topics->empty());
  if (all_topics) {
    for (const auto& [name, topic] : image->topics_by_name) {
      response.topics.push_back(describe_topic(*topic, include_operations));
    }
    co_return response;
  }
  for (const auto& requested : *request.topics) {
    response.topics.push_back(lookup_topic(*image, requested, include_operations));
  }
  co_return response;
}

}  // namespace

HandlerSpec metadata_handler() {
  return make_handler_spec<MetadataRequest, MetadataResponse, &handle>(0, 12);
}

}  // namespace eddy::broker
