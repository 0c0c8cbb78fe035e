#include "broker/handlers/alter_configs.h"

#include <vector>

#include "broker/configs/alter.h"
#include "broker/configs/validation.h"
#include "broker/dispatch/broker.h"
#include "protocol/generated/alter_configs_request.h"
#include "protocol/generated/alter_configs_response.h"

namespace eddy::broker {
namespace {

using protocol::AlterConfigsRequest;
using protocol::AlterConfigsResponse;

PlannedAlter plan(const Broker& broker, const metadata::MetadataImage& image,
                  const AlterConfigsRequest::AlterConfigsResource& resource) {
  PlannedAlter out{resource.resource_type, resource.resource_name, {}, {}};
  const metadata::TopicImage* topic = nullptr;
  out.error = check_alter_resource(broker.config().node_id, image, resource.resource_type,
                                   resource.resource_name, resource.configs.size(), topic);
  if (!out.error.ok() || topic == nullptr) return out;
  std::vector<RequestedConfig> requested;
  requested.reserve(resource.configs.size());
  for (const auto& config : resource.configs) requested.push_back({config.name, config.value});
  metadata::ConfigMap desired;
  out.error = replacement_overrides(requested, desired);
  if (out.error.ok()) out.changes = override_delta(topic->configs, desired);
  return out;
}

asio::awaitable<AlterConfigsResponse> handle(RequestContext& context,
                                             AlterConfigsRequest& request) {
  const auto image = context.broker.metadata().current();
  std::vector<PlannedAlter> planned;
  for (const auto& resource : request.resources) {
    planned.push_back(plan(context.broker, *image, resource));
  }
  const std::vector<ApiError> outcomes =
      co_await submit_alters(context.broker.metadata(), planned, request.validate_only);
  co_return alter_response<AlterConfigsResponse>(planned, outcomes);
}

}  // namespace

HandlerSpec alter_configs_handler() {
  return make_handler_spec<AlterConfigsRequest, AlterConfigsResponse, &handle>(0, 2);
}

}  // namespace eddy::broker
