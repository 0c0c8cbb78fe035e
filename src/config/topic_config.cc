#include "config/topic_config.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace eddy::config {
namespace {

constexpr std::string_view kLongMax = "9223372036854775807";
constexpr double kIntMax = std::numeric_limits<int32_t>::max();

// Kafka 4.0's topic configs. Values Eddy does not act on yet (e.g. remote storage) are still
// defined, validated and reported, as Kafka reports them.
std::vector<TopicConfigDef> make_defs() {
  using T = ConfigType;
  return {
      {"cleanup.policy",
       T::kList,
       "delete",
       {{"log.cleanup.policy"}},
       {},
       {},
       {"compact", "delete"}},
      {"compression.gzip.level", T::kInt, "-1", {{"compression.gzip.level"}}, -1, 9, {}},
      {"compression.lz4.level", T::kInt, "9", {{"compression.lz4.level"}}, 1, 17, {}},
      {"compression.type",
       T::kString,
       "producer",
       {{"compression.type"}},
       {},
       {},
       {"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"}},
      {"compression.zstd.level", T::kInt, "3", {{"compression.zstd.level"}}, -131072, 22, {}},
      {"delete.retention.ms",
       T::kLong,
       "86400000",
       {{"log.cleaner.delete.retention.ms"}},
       0,
       {},
       {}},
      {"file.delete.delay.ms", T::kLong, "60000", {{"log.segment.delete.delay.ms"}}, 0, {}, {}},
      {"flush.messages", T::kLong, kLongMax, {{"log.flush.interval.messages"}}, 1, {}, {}},
      {"flush.ms", T::kLong, kLongMax, {{"log.flush.interval.ms"}}, 0, {}, {}},
      {"follower.replication.throttled.replicas", T::kList, "", {}, {}, {}, {}},
      {"index.interval.bytes", T::kInt, "4096", {{"log.index.interval.bytes"}}, 0, {}, {}},
      {"leader.replication.throttled.replicas", T::kList, "", {}, {}, {}, {}},
      {"local.retention.bytes", T::kLong, "-2", {{"log.local.retention.bytes"}}, -2, {}, {}},
      {"local.retention.ms", T::kLong, "-2", {{"log.local.retention.ms"}}, -2, {}, {}},
      {"max.compaction.lag.ms",
       T::kLong,
       kLongMax,
       {{"log.cleaner.max.compaction.lag.ms"}},
       1,
       {},
       {}},
      {"max.message.bytes", T::kInt, "1048588", {{"message.max.bytes"}}, 0, {}, {}},
      {"message.timestamp.after.max.ms",
       T::kLong,
       kLongMax,
       {{"log.message.timestamp.after.max.ms"}},
       0,
       {},
       {}},
      {"message.timestamp.before.max.ms",
       T::kLong,
       kLongMax,
       {{"log.message.timestamp.before.max.ms"}},
       0,
       {},
       {}},
      {"message.timestamp.type",
       T::kString,
       "CreateTime",
       {{"log.message.timestamp.type"}},
       {},
       {},
       {"CreateTime", "LogAppendTime"}},
      {"min.cleanable.dirty.ratio",
       T::kDouble,
       "0.5",
       {{"log.cleaner.min.cleanable.ratio"}},
       0,
       1,
       {}},
      {"min.compaction.lag.ms", T::kLong, "0", {{"log.cleaner.min.compaction.lag.ms"}}, 0, {}, {}},
      {"min.insync.replicas", T::kInt, "1", {{"min.insync.replicas"}}, 1, {}, {}},
      {"preallocate", T::kBoolean, "false", {{"log.preallocate"}}, {}, {}, {}},
      {"remote.storage.enable", T::kBoolean, "false", {}, {}, {}, {}},
      {"retention.bytes", T::kLong, "-1", {{"log.retention.bytes"}}, {}, {}, {}},
      {"retention.ms",
       T::kLong,
       "604800000",
       {{"log.retention.ms"}, {"log.retention.minutes", 60000}, {"log.retention.hours", 3600000}},
       -1,
       {},
       {}},
      {"segment.bytes", T::kInt, "1073741824", {{"log.segment.bytes"}}, 14, {}, {}},
      {"segment.index.bytes", T::kInt, "10485760", {{"log.index.size.max.bytes"}}, 4, {}, {}},
      {"segment.jitter.ms",
       T::kLong,
       "0",
       {{"log.roll.jitter.ms"}, {"log.roll.jitter.hours", 3600000}},
       0,
       {},
       {}},
      {"segment.ms",
       T::kLong,
       "604800000",
       {{"log.roll.ms"}, {"log.roll.hours", 3600000}},
       1,
       {},
       {}},
      {"unclean.leader.election.enable",
       T::kBoolean,
       "false",
       {{"unclean.leader.election.enable"}},
       {},
       {},
       {}},
  };
}

std::string_view type_name(ConfigType type) {
  switch (type) {
    case ConfigType::kBoolean:
      return "BOOLEAN";
    case ConfigType::kString:
      return "STRING";
    case ConfigType::kInt:
      return "INT";
    case ConfigType::kShort:
      return "SHORT";
    case ConfigType::kLong:
      return "LONG";
    case ConfigType::kDouble:
      return "DOUBLE";
    case ConfigType::kList:
      return "LIST";
    case ConfigType::kClass:
      return "CLASS";
    case ConfigType::kPassword:
      return "PASSWORD";
  }
  return "UNKNOWN";
}

std::string trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return std::string(text);
}

std::optional<double> parse_number(const TopicConfigDef& def, const std::string& text) {
  if (def.type == ConfigType::kDouble) {
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value)) return {};
    return value;
  }
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return {};
  if (def.type == ConfigType::kInt && (value > kIntMax || value < -kIntMax - 1)) return {};
  return static_cast<double>(value);
}

bool validate_number(const TopicConfigDef& def, const std::string& text, std::string& reason) {
  const auto value = parse_number(def, text);
  if (!value) {
    reason = fmt::format("Not a number of type {}", type_name(def.type));
    return false;
  }
  if ((def.min_value && *value < *def.min_value) || (def.max_value && *value > *def.max_value)) {
    reason = def.max_value
                 ? fmt::format("Value must be in [{}, {}]", *def.min_value, *def.max_value)
                 : fmt::format("Value must be at least {}", *def.min_value);
    return false;
  }
  return true;
}

bool validate_allowed(const TopicConfigDef& def, const std::string& text, std::string& reason) {
  if (def.allowed.empty()) return true;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string element = trim(std::string_view(text).substr(start, end - start));
    if (std::find(def.allowed.begin(), def.allowed.end(), element) == def.allowed.end()) {
      reason = fmt::format("String must be one of: {}", fmt::join(def.allowed, ", "));
      return false;
    }
    if (def.type != ConfigType::kList) break;
    start = end + 1;
  }
  return true;
}

}  // namespace

const std::vector<TopicConfigDef>& topic_config_defs() {
  static const std::vector<TopicConfigDef> defs = make_defs();
  return defs;
}

const TopicConfigDef* find_topic_config(std::string_view name) {
  const auto& defs = topic_config_defs();
  const auto found = std::lower_bound(
      defs.begin(), defs.end(), name,
      [](const TopicConfigDef& def, std::string_view key) { return def.name < key; });
  return found != defs.end() && found->name == name ? &*found : nullptr;
}

bool validate_topic_config(std::string_view name, std::string_view value, std::string& error) {
  const TopicConfigDef* def = find_topic_config(name);
  if (def == nullptr) {
    error = fmt::format("Unknown topic config name: {}", name);
    return false;
  }
  const std::string text = trim(value);
  std::string reason;
  bool ok = true;
  switch (def->type) {
    case ConfigType::kBoolean:
      ok = text == "true" || text == "false";
      if (!ok) reason = "Expected value to be either true or false";
      break;
    case ConfigType::kInt:
    case ConfigType::kShort:
    case ConfigType::kLong:
    case ConfigType::kDouble:
      ok = validate_number(*def, text, reason);
      break;
    default:
      ok = validate_allowed(*def, text, reason);
  }
  if (!ok) error = fmt::format("Invalid value {} for configuration {}: {}", value, name, reason);
  return ok;
}

ResolvedConfig resolve_topic_config(const TopicConfigDef& def,
                                    const std::map<std::string, std::string>& topic_overrides,
                                    const Properties& broker_given) {
  if (const auto it = topic_overrides.find(std::string(def.name)); it != topic_overrides.end()) {
    return {it->second, ConfigSource::kDynamicTopicConfig, ""};
  }
  for (const auto& synonym : def.synonyms) {
    const auto it = broker_given.find(synonym.name);
    if (it == broker_given.end()) continue;
    std::string value = it->second;
    int64_t number = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (synonym.unit_multiplier != 1 && ec == std::errc()) {
      value = std::to_string(number * synonym.unit_multiplier);
    }
    return {value, ConfigSource::kStaticBrokerConfig, std::string(synonym.name)};
  }
  return {std::string(def.default_value), ConfigSource::kDefaultConfig, ""};
}

}  // namespace eddy::config
