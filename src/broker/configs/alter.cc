#include "broker/configs/alter.h"

#include <fmt/format.h>

#include "broker/await/await_callback.h"
#include "metadata/controller.h"

namespace eddy::broker {
namespace {

using protocol::ErrorCode;

constexpr int8_t kTopicResource = 2;
constexpr int8_t kBrokerResource = 4;

}  // namespace

ApiError check_alter_resource(int32_t node_id, const metadata::MetadataImage& image,
                              int8_t resource_type, const std::string& resource_name,
                              size_t change_count, const metadata::TopicImage*& topic) {
  topic = nullptr;
  if (resource_type == kTopicResource) {
    const metadata::Status name_status = metadata::validate_topic_name(resource_name);
    if (!name_status.ok()) return to_api_error(name_status);
    topic = image.topic(resource_name);
    if (topic == nullptr) {
      return ApiError::make(ErrorCode::kUnknownTopicOrPartition,
                            fmt::format("The topic '{}' does not exist.", resource_name));
    }
    return {};
  }
  if (resource_type != kBrokerResource) {
    return ApiError::make(ErrorCode::kInvalidRequest,
                          fmt::format("Unsupported resource type {}", resource_type));
  }
  const std::string node = std::to_string(node_id);
  if (!resource_name.empty() && resource_name != node) {
    return ApiError::make(ErrorCode::kInvalidRequest,
                          fmt::format("Unexpected broker id, expected {} or empty string, but "
                                      "received {}",
                                      node, resource_name));
  }
  if (change_count > 0) {
    return ApiError::make(ErrorCode::kInvalidRequest,
                          "Broker configs cannot be updated dynamically in Eddy: set them in "
                          "server.properties and restart");
  }
  return {};
}

asio::awaitable<std::vector<ApiError>> submit_alters(metadata::MetadataStore& store,
                                                     const std::vector<PlannedAlter>& planned,
                                                     bool validate_only) {
  std::vector<ApiError> outcomes;
  std::vector<metadata::AlterConfigsSpec> specs;
  std::vector<size_t> spec_index;
  for (const PlannedAlter& alter : planned) {
    // Only topic resources with a change reach the store; the rest are answered here.
    if (alter.error.ok() && alter.resource_type == kTopicResource) {
      spec_index.push_back(outcomes.size());
      specs.push_back({metadata::ConfigResourceType::kTopic, alter.resource_name, alter.changes});
    }
    outcomes.push_back(alter.error);
  }
  if (specs.empty()) co_return outcomes;
  auto results = co_await await_callback<std::vector<metadata::AlterConfigsResult>>(
      [&](auto done) { store.alter_configs(std::move(specs), validate_only, std::move(done)); });
  for (size_t i = 0; i < results.size() && i < spec_index.size(); ++i) {
    outcomes[spec_index[i]] = to_api_error(results[i].status);
  }
  co_return outcomes;
}

}  // namespace eddy::broker
