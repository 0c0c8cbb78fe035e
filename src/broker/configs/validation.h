#pragma once

// Pure logic shared by CreateTopics, AlterConfigs and IncrementalAlterConfigs: validating a
// topic's override set and turning a request into the set/delete changes the metadata store
// applies. No I/O, no threads.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/errors/kafka_errors.h"
#include "config/topic_config.h"
#include "metadata/controller.h"
#include "metadata/image.h"
#include "protocol/error_code.h"

namespace eddy::broker {

// A config as a request carries it: a null value is meaningful (delete, or an error).
struct RequestedConfig {
  std::string name;
  std::optional<std::string> value;
};

// Builds the override set of a new topic: every name must be a known topic config with a
// non-null, valid value (INVALID_CONFIG otherwise, with Kafka's message). A name given twice
// keeps its last value, as Kafka's keyed collection does.
ApiError build_topic_overrides(const std::vector<RequestedConfig>& requested,
                               metadata::ConfigMap& overrides);

// Checks a whole override set: each value on its own and the rules that tie configs
// together (compaction lags; no tiered storage in Eddy).
ApiError validate_topic_overrides(const metadata::ConfigMap& overrides);

// AlterConfigs (not incremental): the request's configs become the topic's whole override
// set. Duplicate names are INVALID_REQUEST; a null value is INVALID_CONFIG.
ApiError replacement_overrides(const std::vector<RequestedConfig>& requested,
                               metadata::ConfigMap& overrides);

// IncrementalAlterConfigs operation codes.
enum class AlterOperation : int8_t { kSet = 0, kDelete = 1, kAppend = 2, kSubtract = 3 };

struct IncrementalChange {
  std::string name;
  int8_t operation = 0;
  std::optional<std::string> value;
};

// Applies `changes` to a topic's `overrides` in place (on error, `overrides` is partly
// edited: pass a copy). APPEND and SUBTRACT work on list configs only and start from the
// effective value (override, broker setting or default).
ApiError apply_incremental(const config::BrokerConfigLayers& broker,
                           const std::vector<IncrementalChange>& changes,
                           metadata::ConfigMap& overrides);

// The set/delete changes that turn `current` into `desired` (empty when equal).
std::vector<metadata::ConfigEntry> override_delta(const metadata::ConfigMap& current,
                                                  const metadata::ConfigMap& desired);

}  // namespace eddy::broker
