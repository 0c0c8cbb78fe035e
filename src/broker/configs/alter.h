#pragma once

// The resource handling AlterConfigs and IncrementalAlterConfigs share: resource checks,
// submitting the planned changes to the metadata store, and the response of either API. The
// two handlers differ only in how a request's configs become the desired override set
// (configs/validation.h).

#include <cstdint>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "broker/errors/kafka_errors.h"
#include "metadata/image.h"
#include "metadata/store.h"
#include "protocol/error_code.h"

namespace eddy::broker {

// One resource of an (Incremental)AlterConfigs request, ready to submit.
struct PlannedAlter {
  int8_t resource_type = 0;
  std::string resource_name;
  ApiError error;                              // set: answered without the store
  std::vector<metadata::ConfigEntry> changes;  // the delta against the current overrides
};

// Resource-level checks. For a topic resource returns its current image in `topic`. Broker
// resources (this node, `node_id`, or the cluster default "") are refused unless
// `change_count` is 0: Eddy applies no broker config at run time, and accepting one would
// report a value that does not take effect.
ApiError check_alter_resource(int32_t node_id, const metadata::MetadataImage& image,
                              int8_t resource_type, const std::string& resource_name,
                              size_t change_count, const metadata::TopicImage*& topic);

// Submits the planned changes that have no error (validate_only: checks them only) and
// returns one outcome per resource, in order.
asio::awaitable<std::vector<ApiError>> submit_alters(metadata::MetadataStore& store,
                                                     const std::vector<PlannedAlter>& planned,
                                                     bool validate_only);

// The response of either API: one entry per planned resource with its outcome.
template <typename Response>
Response alter_response(const std::vector<PlannedAlter>& planned,
                        const std::vector<ApiError>& outcomes) {
  Response response;
  for (size_t i = 0; i < planned.size(); ++i) {
    auto& entry = response.responses.emplace_back();
    entry.error_code = protocol::to_int(outcomes[i].code);
    entry.error_message = outcomes[i].message;
    entry.resource_type = planned[i].resource_type;
    entry.resource_name = planned[i].resource_name;
  }
  return response;
}

}  // namespace eddy::broker
