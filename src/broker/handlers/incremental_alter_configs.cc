#include "broker/handlers/incremental_alter_configs.h"

#include "broker/configs/alter.h"
#include "broker/configs/validation.h"
#include "broker/dispatch/broker.h"
#include "protocol/generated/incremental_alter_configs_request.h"
#include "protocol/generated/incremental_alter_configs_response.h"
#include "reconcile/resolve.h"

namespace eddy::broker {
namespace {

using protocol::IncrementalAlterConfigsRequest;
using protocol::IncrementalAlterConfigsResponse;

PlannedAlter plan(const Broker& broker, const metadata::MetadataImage& image,
                  const IncrementalAlterConfigsRequest::AlterConfigsResource& resource) {
  PlannedAlter out{resource.resource_type, resource.resource_name, {}, {}};
  const metadata::TopicImage* topic = nullptr;
  out.error = check_alter_resource(broker.config().node_id, image, resource.resource_type,
                                   resource.resource_name, resource.configs.size(), topic);
  if (!out.error.ok() || topic == nullptr) return out;
  std::vector<IncrementalChange> changes;
  changes.reserve(resource.configs.size());
  for (const auto& config : resource.configs) {
    changes.push_back({config.name, config.config_operation, config.value});
  }
  metadata::ConfigMap desired = topic->configs;
  out.error =
      apply_incremental(reconcile::broker_config_layers(broker.config(), image), changes, desired);
  if (out.error.ok()) out.changes = override_delta(topic->configs, desired);
  return out;
}

asio::awaitable<IncrementalAlterConfigsResponse> handle(RequestContext& context,
                                                        IncrementalAlterConfigsRequest& request) {
  const auto image = context.broker.metadata().current();
  std::vector<PlannedAlter> planned;
  for (const auto& resource : request.resources) {
    planned.push_back(plan(context.broker, *image, resource));
  }
  const std::vector<ApiError> outcomes =
      co_await submit_alters(context.broker.metadata(), planned, request.validate_only);
  co_return alter_response<IncrementalAlterConfigsResponse>(planned, outcomes);
}

}  // namespace

HandlerSpec incremental_alter_configs_handler() {
  return make_handler_spec<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse,
                           &handle>(0, 1);
}

}  // namespace eddy::broker
