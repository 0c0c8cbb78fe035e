#pragma once

// AlterConfigs 0-2 (legacy, non-incremental: the request's configs replace a topic's whole
// override set) and the resource handling it shares with IncrementalAlterConfigs.

#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "broker/config_validation.h"
#include "broker/handler.h"
#include "metadata/image.h"

namespace eddy::broker {

class Broker;

// One resource of an (Incremental)AlterConfigs request, ready to submit.
struct PlannedAlter {
  int8_t resource_type = 0;
  std::string resource_name;
  ApiError error;                              // set: answered without the store
  std::vector<metadata::ConfigEntry> changes;  // the delta against the current overrides
};

// Resource-level checks. For a topic resource returns its current image in `topic`. Broker
// resources are refused unless `change_count` is 0: Eddy applies no broker config at run
// time, and accepting one would report a value that does not take effect.
ApiError check_alter_resource(const Broker& broker, const metadata::MetadataImage& image,
                              int8_t resource_type, const std::string& resource_name,
                              size_t change_count, const metadata::TopicImage*& topic);

// Submits the planned changes that have no error (validate_only: checks them only) and
// returns one outcome per resource, in order.
asio::awaitable<std::vector<ApiError>> submit_alters(Broker& broker,
                                                     const std::vector<PlannedAlter>& planned,
                                                     bool validate_only);

HandlerSpec alter_configs_handler();

}  // namespace eddy::broker
