#include "broker/handlers/describe_configs.h"

#include <algorithm>

#include <fmt/format.h>

#include "broker/configs/describe.h"
#include "broker/dispatch/broker.h"
#include "metadata/controller.h"
#include "protocol/error_code.h"
#include "protocol/generated/describe_configs_request.h"
#include "protocol/generated/describe_configs_response.h"

namespace eddy::broker {
namespace {

using config::ConfigSource;
using protocol::DescribeConfigsRequest;
using protocol::DescribeConfigsResponse;
using protocol::ErrorCode;

constexpr int8_t kTopicResource = 2;
constexpr int8_t kBrokerResource = 4;
constexpr int8_t kBrokerLoggerResource = 8;

DescribeConfigsResponse::DescribeConfigsResourceResult to_protocol(const DescribedConfig& config,
                                                                   bool include_synonyms) {
  DescribeConfigsResponse::DescribeConfigsResourceResult out;
  out.name = config.name;
  out.value = config.value;
  out.read_only = config.read_only;
  out.is_default = config.source == ConfigSource::kDefaultConfig;
  out.config_source = static_cast<int8_t>(config.source);
  out.is_sensitive = config.sensitive;
  out.config_type = static_cast<int8_t>(config.type);
  out.documentation = std::nullopt;
  if (include_synonyms) {
    for (const auto& synonym : config.synonyms) {
      DescribeConfigsResponse::DescribeConfigsSynonym entry;
      entry.name = synonym.name;
      entry.value = synonym.value;
      entry.source = static_cast<int8_t>(synonym.source);
      out.synonyms.push_back(std::move(entry));
    }
  }
  return out;
}

DescribeConfigsResponse::DescribeConfigsResult resource_error(
    const DescribeConfigsRequest::DescribeConfigsResource& resource, ErrorCode error,
    std::string message) {
  DescribeConfigsResponse::DescribeConfigsResult out;
  out.error_code = protocol::to_int(error);
  out.error_message = std::move(message);
  out.resource_type = resource.resource_type;
  out.resource_name = resource.resource_name;
  return out;
}

bool wanted(const DescribeConfigsRequest::DescribeConfigsResource& resource,
            const std::string& name) {
  if (!resource.configuration_keys) return true;
  const auto& keys = *resource.configuration_keys;
  return std::find(keys.begin(), keys.end(), name) != keys.end();
}

DescribeConfigsResponse::DescribeConfigsResult describe_resource(
    RequestContext& context, const metadata::MetadataImage& image,
    const DescribeConfigsRequest::DescribeConfigsResource& resource, bool include_synonyms) {
  const config::ServerConfig& server = context.broker.config();
  std::vector<DescribedConfig> configs;
  if (resource.resource_type == kTopicResource) {
    const metadata::Status name_status = metadata::validate_topic_name(resource.resource_name);
    if (!name_status.ok()) {
      return resource_error(resource, ErrorCode::kInvalidTopicException,
                            name_status.message.value_or(""));
    }
    const metadata::TopicImage* topic = image.topic(resource.resource_name);
    if (topic == nullptr) {
      return resource_error(resource, ErrorCode::kUnknownTopicOrPartition,
                            fmt::format("The topic '{}' does not exist.", resource.resource_name));
    }
    configs = describe_topic_configs(server, image, topic->configs);
  } else if (resource.resource_type == kBrokerResource ||
             resource.resource_type == kBrokerLoggerResource) {
    if (!resource.resource_name.empty() &&
        resource.resource_name != std::to_string(server.node_id)) {
      return resource_error(resource, ErrorCode::kInvalidRequest,
                            fmt::format("Unexpected broker id, expected {} or empty string, but "
                                        "received {}",
                                        server.node_id, resource.resource_name));
    }
    // Eddy has no per-logger levels to report for BROKER_LOGGER: an empty list.
    if (resource.resource_type == kBrokerResource) configs = describe_broker_configs(server, image);
  } else {
    return resource_error(resource, ErrorCode::kInvalidRequest,
                          fmt::format("Unsupported resource type {}", resource.resource_type));
  }
  DescribeConfigsResponse::DescribeConfigsResult out;
  out.error_message = std::nullopt;
  out.resource_type = resource.resource_type;
  out.resource_name = resource.resource_name;
  for (const DescribedConfig& config : configs) {
    if (wanted(resource, config.name)) out.configs.push_back(to_protocol(config, include_synonyms));
  }
  return out;
}

asio::awaitable<DescribeConfigsResponse> handle(RequestContext& context,
                                                DescribeConfigsRequest& request) {
  const auto image = context.broker.metadata().current();
  DescribeConfigsResponse response;
  for (const auto& resource : request.resources) {
    response.results.push_back(
        describe_resource(context, *image, resource, request.include_synonyms));
  }
  co_return response;
}

}  // namespace

HandlerSpec describe_configs_handler() {
  return make_handler_spec<DescribeConfigsRequest, DescribeConfigsResponse, &handle>(0, 4);
}

}  // namespace eddy::broker
