#include "broker/configs/validation.h"

#include <algorithm>
#include <charconv>
#include <set>

#include <fmt/format.h>

#include "broker/errors/kafka_errors.h"
#include "config/topic_config.h"
#include "config/topic_keys.h"

namespace eddy::broker {
namespace {

using protocol::ErrorCode;

int64_t long_value(const metadata::ConfigMap& overrides, const std::string& name) {
  const auto it = overrides.find(name);
  const std::string_view text = it != overrides.end()
                                    ? std::string_view(it->second)
                                    : config::find_topic_config(name)->default_value;
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) items.emplace_back(item);
    start = end + 1;
  }
  return items;
}

ApiError duplicate_keys() {
  return ApiError::make(ErrorCode::kInvalidRequest, "Error due to duplicate config keys");
}

// APPEND adds the values the list lacks; SUBTRACT removes every occurrence of the values.
std::string edit_list(std::string_view current, std::string_view operand, bool append) {
  std::vector<std::string> items = split_list(current);
  for (const std::string& value : split_list(operand)) {
    const auto found = std::find(items.begin(), items.end(), value);
    if (append && found == items.end()) items.push_back(value);
    if (!append) items.erase(std::remove(items.begin(), items.end(), value), items.end());
  }
  return fmt::format("{}", fmt::join(items, ","));
}

ApiError apply_one(const config::BrokerConfigLayers& broker, const IncrementalChange& change,
                   metadata::ConfigMap& overrides) {
  const auto operation = static_cast<AlterOperation>(change.operation);
  const config::TopicConfigDef* def = config::find_topic_config(change.name);
  if (change.operation < 0 || change.operation > 3) {
    return ApiError::make(ErrorCode::kInvalidRequest,
                          fmt::format("Unknown alter config operation {}", change.operation));
  }
  if (def == nullptr) {
    return ApiError::make(ErrorCode::kInvalidConfig,
                          fmt::format("Unknown topic config name: {}", change.name));
  }
  if (operation == AlterOperation::kDelete) {
    overrides.erase(change.name);
    return {};
  }
  if (!change.value) {
    return ApiError::make(ErrorCode::kInvalidRequest,
                          fmt::format("Null value not supported for : {}", change.name));
  }
  if (operation == AlterOperation::kSet) {
    overrides[change.name] = *change.value;
    return {};
  }
  const bool append = operation == AlterOperation::kAppend;
  if (def->type != config::ConfigType::kList) {
    return ApiError::make(ErrorCode::kInvalidConfig,
                          fmt::format("Config value {} is not allowed for config key: {}",
                                      append ? "append" : "subtract", change.name));
  }
  const std::string current = config::resolve_topic_entry(*def, overrides, broker).value;
  overrides[change.name] = edit_list(current, *change.value, append);
  return {};
}

}  // namespace

ApiError validate_topic_overrides(const metadata::ConfigMap& overrides) {
  for (const auto& [name, value] : overrides) {
    std::string error;
    if (!config::validate_topic_config(name, value, error)) {
      return ApiError::make(ErrorCode::kInvalidConfig, std::move(error));
    }
  }
  const int64_t min_lag_ms = long_value(overrides, "min.compaction.lag.ms");
  const int64_t max_lag_ms = long_value(overrides, "max.compaction.lag.ms");
  if (min_lag_ms > max_lag_ms) {
    return ApiError::make(ErrorCode::kInvalidConfig,
                          fmt::format("conflict topic config setting min.compaction.lag.ms ({}) "
                                      "> max.compaction.lag.ms ({})",
                                      min_lag_ms, max_lag_ms));
  }
  // Eddy has no remote log storage; accepting the flag would promise tiering that never runs.
  if (const auto it = overrides.find("remote.storage.enable");
      it != overrides.end() && it->second == "true") {
    return ApiError::make(ErrorCode::kInvalidConfig,
                          "Tiered Storage functionality is disabled in the broker. Topic cannot "
                          "be configured with remote log storage.");
  }
  return {};
}

ApiError build_topic_overrides(const std::vector<RequestedConfig>& requested,
                               metadata::ConfigMap& overrides) {
  overrides.clear();
  for (const RequestedConfig& config : requested) {
    if (!config.value) {
      return ApiError::make(
          ErrorCode::kInvalidConfig,
          fmt::format("Null value not supported for topic configs: {}", config.name));
    }
    overrides[config.name] = *config.value;
  }
  return validate_topic_overrides(overrides);
}

ApiError replacement_overrides(const std::vector<RequestedConfig>& requested,
                               metadata::ConfigMap& overrides) {
  std::set<std::string> seen;
  for (const RequestedConfig& config : requested) {
    if (!seen.insert(config.name).second) return duplicate_keys();
  }
  return build_topic_overrides(requested, overrides);
}

ApiError apply_incremental(const config::BrokerConfigLayers& broker,
                           const std::vector<IncrementalChange>& changes,
                           metadata::ConfigMap& overrides) {
  std::set<std::string> seen;
  for (const IncrementalChange& change : changes) {
    if (!seen.insert(change.name).second) return duplicate_keys();
  }
  for (const IncrementalChange& change : changes) {
    ApiError error = apply_one(broker, change, overrides);
    if (!error.ok()) return error;
  }
  return validate_topic_overrides(overrides);
}

std::vector<metadata::ConfigEntry> override_delta(const metadata::ConfigMap& current,
                                                  const metadata::ConfigMap& desired) {
  std::vector<metadata::ConfigEntry> changes;
  for (const auto& [name, value] : current) {
    if (!desired.contains(name)) changes.push_back({name, std::nullopt});
  }
  for (const auto& [name, value] : desired) {
    const auto it = current.find(name);
    if (it == current.end() || it->second != value) changes.push_back({name, value});
  }
  return changes;
}

}  // namespace eddy::broker
