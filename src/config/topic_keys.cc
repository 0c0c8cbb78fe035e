#include "config/topic_keys.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "config/field_setters.h"
#include "config/topic_config.h"

namespace eddy::config {
namespace {

constexpr std::string_view kLongMax = "9223372036854775807";
constexpr double kIntMax = std::numeric_limits<int32_t>::max();

// Calls `visit` with each element of a comma-separated list, trimmed.
template <typename Visit>
void for_each_element(std::string_view list, Visit visit) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    visit(trimmed(list.substr(start, end - start)));
    start = end + 1;
  }
}

bool set_cleanup_policy(TopicConfig& config, std::string_view text) {
  bool compact = false;
  bool remove = false;
  bool known = true;
  for_each_element(text, [&](std::string_view element) {
    compact = compact || element == "compact";
    remove = remove || element == "delete";
    known = known && (element == "compact" || element == "delete");
  });
  if (!known) return false;
  config.compact = compact;
  config.delete_enabled = remove;
  return true;
}

bool set_compression_type(TopicConfig& config, std::string_view text) {
  using compression::Codec;
  text = trimmed(text);
  if (text == "producer") {
    config.recompress_to.reset();
  } else if (text == "uncompressed") {
    config.recompress_to = Codec::kNone;
  } else if (text == "gzip") {
    config.recompress_to = Codec::kGzip;
  } else if (text == "snappy") {
    config.recompress_to = Codec::kSnappy;
  } else if (text == "lz4") {
    config.recompress_to = Codec::kLz4;
  } else if (text == "zstd") {
    config.recompress_to = Codec::kZstd;
  } else {
    return false;
  }
  return true;
}

bool set_timestamp_type(TopicConfig& config, std::string_view text) {
  text = trimmed(text);
  if (text != "CreateTime" && text != "LogAppendTime") return false;
  config.log_append_time = text == "LogAppendTime";
  return true;
}

// message.format.version as Kafka 3.x parsed it (MetadataVersion.fromVersionString): a known
// release, "0.x.y" or "x.y", optionally with more segments or an "-IVn" suffix. Kafka 3.x
// ignored the value from inter.broker.protocol.version 3.0 on (KIP-724); so does Eddy.
std::optional<std::string> check_message_format_version(std::string_view text) {
  static constexpr std::string_view kReleases[] = {
      "0.8.0", "0.8.1", "0.8.2", "0.9.0", "0.10.0", "0.10.1", "0.10.2", "0.11.0", "1.0", "1.1",
      "2.0",   "2.1",   "2.2",   "2.3",   "2.4",    "2.5",    "2.6",    "2.7",    "2.8", "3.0",
      "3.1",   "3.2",   "3.3",   "3.4",   "3.5",    "3.6",    "3.7",    "3.8",    "3.9"};
  text = trimmed(text);
  for (const std::string_view release : kReleases) {
    if (!text.starts_with(release)) continue;
    const std::string_view rest = text.substr(release.size());
    if (rest.empty() || rest.front() == '.') return std::nullopt;
    if (rest.starts_with("-IV") && rest.size() > 3 &&
        rest.find_first_not_of("0123456789", 3) == std::string_view::npos) {
      return std::nullopt;
    }
  }
  return fmt::format("Version `{}` is not a valid version", text);
}

// Replication throttles as Kafka's ThrottledReplicaListValidator accepts them: "*", or a list
// of "partition:broker" pairs (empty elements allowed).
std::optional<std::string> check_throttled_replicas(std::string_view text) {
  if (trimmed(text) == "*") return std::nullopt;
  bool valid = true;
  for_each_element(text, [&valid](std::string_view element) {
    if (element.empty()) return;
    const size_t colon = element.find(':');
    const auto digits = [](std::string_view part) {
      return !part.empty() && part.find_first_not_of("0123456789") == std::string_view::npos;
    };
    valid = valid && colon != std::string_view::npos && digits(element.substr(0, colon)) &&
            digits(element.substr(colon + 1));
  });
  if (valid) return std::nullopt;
  return std::string(
      "must be the literal '*' or a list of replicas in the following format: "
      "[partitionId]:[brokerId],[partitionId]:[brokerId],...");
}

// Kafka 4.0's topic configs, plus the two that Kafka 3.x still accepted and old clients still
// send (message.format.version, message.downconversion.enable). Values Eddy does not act on yet
// (e.g. remote storage) are still defined, validated and reported, as Kafka reports them.
std::vector<TopicConfigDef> make_defs() {
  using T = ConfigType;
  using C = TopicConfig;
  return {
      {.name = "cleanup.policy",
       .type = T::kList,
       .default_value = "delete",
       .synonyms = {{"log.cleanup.policy"}},
       .allowed = {"compact", "delete"},
       .set = &set_cleanup_policy},
      {.name = "compression.gzip.level",
       .type = T::kInt,
       .default_value = "-1",
       .synonyms = {{"compression.gzip.level"}},
       .min_value = -1,
       .max_value = 9},
      {.name = "compression.lz4.level",
       .type = T::kInt,
       .default_value = "9",
       .synonyms = {{"compression.lz4.level"}},
       .min_value = 1,
       .max_value = 17},
      {.name = "compression.type",
       .type = T::kString,
       .default_value = "producer",
       .synonyms = {{"compression.type"}},
       .allowed = {"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"},
       .set = &set_compression_type},
      {.name = "compression.zstd.level",
       .type = T::kInt,
       .default_value = "3",
       .synonyms = {{"compression.zstd.level"}},
       .min_value = -131072,
       .max_value = 22},
      {.name = "delete.retention.ms",
       .type = T::kLong,
       .default_value = "86400000",
       .synonyms = {{"log.cleaner.delete.retention.ms"}},
       .min_value = 0,
       .set = &set_integer<&C::delete_retention_ms>},
      {.name = "file.delete.delay.ms",
       .type = T::kLong,
       .default_value = "60000",
       .synonyms = {{"log.segment.delete.delay.ms"}},
       .min_value = 0,
       .set = &set_integer<&C::file_delete_delay_ms>},
      {.name = "flush.messages",
       .type = T::kLong,
       .default_value = kLongMax,
       .synonyms = {{"log.flush.interval.messages"}},
       .min_value = 1,
       .set = &set_integer<&C::flush_messages>},
      {.name = "flush.ms",
       .type = T::kLong,
       .default_value = kLongMax,
       .synonyms = {{"log.flush.interval.ms"}},
       .min_value = 0,
       .set = &set_integer<&C::flush_ms>},
      {.name = "follower.replication.throttled.replicas",
       .type = T::kList,
       .default_value = "",
       .check = &check_throttled_replicas},
      {.name = "index.interval.bytes",
       .type = T::kInt,
       .default_value = "4096",
       .synonyms = {{"log.index.interval.bytes"}},
       .min_value = 0,
       .set = &set_integer<&C::index_interval_bytes>},
      {.name = "leader.replication.throttled.replicas",
       .type = T::kList,
       .default_value = "",
       .check = &check_throttled_replicas},
      {.name = "local.retention.bytes",
       .type = T::kLong,
       .default_value = "-2",
       .synonyms = {{"log.local.retention.bytes"}},
       .min_value = -2},
      {.name = "local.retention.ms",
       .type = T::kLong,
       .default_value = "-2",
       .synonyms = {{"log.local.retention.ms"}},
       .min_value = -2},
      {.name = "max.compaction.lag.ms",
       .type = T::kLong,
       .default_value = kLongMax,
       .synonyms = {{"log.cleaner.max.compaction.lag.ms"}},
       .min_value = 1,
       .set = &set_integer<&C::max_compaction_lag_ms>},
      {.name = "max.message.bytes",
       .type = T::kInt,
       .default_value = "1048588",
       .synonyms = {{"message.max.bytes"}},
       .min_value = 0,
       .set = &set_integer<&C::max_message_bytes>},
      {.name = "message.downconversion.enable",
       .type = T::kBoolean,
       .default_value = "true",
       .synonyms = {{"log.message.downconversion.enable"}},
       .set = &set_boolean<&C::downconversion_enable>},
      {.name = "message.format.version",
       .type = T::kString,
       .default_value = "3.0-IV1",
       .synonyms = {{"log.message.format.version"}},
       .check = &check_message_format_version},
      {.name = "message.timestamp.after.max.ms",
       .type = T::kLong,
       .default_value = kLongMax,
       .synonyms = {{"log.message.timestamp.after.max.ms"}},
       .min_value = 0,
       .set = &set_integer<&C::timestamp_after_max_ms>},
      {.name = "message.timestamp.before.max.ms",
       .type = T::kLong,
       .default_value = kLongMax,
       .synonyms = {{"log.message.timestamp.before.max.ms"}},
       .min_value = 0,
       .set = &set_integer<&C::timestamp_before_max_ms>},
      {.name = "message.timestamp.type",
       .type = T::kString,
       .default_value = "CreateTime",
       .synonyms = {{"log.message.timestamp.type"}},
       .allowed = {"CreateTime", "LogAppendTime"},
       .set = &set_timestamp_type},
      {.name = "min.cleanable.dirty.ratio",
       .type = T::kDouble,
       .default_value = "0.5",
       .synonyms = {{"log.cleaner.min.cleanable.ratio"}},
       .min_value = 0,
       .max_value = 1,
       .set = &set_double<&C::min_cleanable_dirty_ratio>},
      {.name = "min.compaction.lag.ms",
       .type = T::kLong,
       .default_value = "0",
       .synonyms = {{"log.cleaner.min.compaction.lag.ms"}},
       .min_value = 0,
       .set = &set_integer<&C::min_compaction_lag_ms>},
      {.name = "min.insync.replicas",
       .type = T::kInt,
       .default_value = "1",
       .synonyms = {{"min.insync.replicas"}},
       .min_value = 1,
       .set = &set_integer<&C::min_insync_replicas>},
      {.name = "preallocate",
       .type = T::kBoolean,
       .default_value = "false",
       .synonyms = {{"log.preallocate"}},
       .set = &set_boolean<&C::preallocate>},
      {.name = "remote.storage.enable", .type = T::kBoolean, .default_value = "false"},
      {.name = "retention.bytes",
       .type = T::kLong,
       .default_value = "-1",
       .synonyms = {{"log.retention.bytes"}},
       .set = &set_integer<&C::retention_bytes>},
      {.name = "retention.ms",
       .type = T::kLong,
       .default_value = "604800000",
       .synonyms = {{"log.retention.ms"},
                    {"log.retention.minutes", 60000},
                    {"log.retention.hours", 3600000}},
       .min_value = -1,
       .set = &set_integer<&C::retention_ms>},
      {.name = "segment.bytes",
       .type = T::kInt,
       .default_value = "1073741824",
       .synonyms = {{"log.segment.bytes"}},
       .min_value = 14,
       .set = &set_integer<&C::segment_bytes>},
      {.name = "segment.index.bytes",
       .type = T::kInt,
       .default_value = "10485760",
       .synonyms = {{"log.index.size.max.bytes"}},
       .min_value = 4,
       .set = &set_integer<&C::segment_index_bytes>},
      {.name = "segment.jitter.ms",
       .type = T::kLong,
       .default_value = "0",
       .synonyms = {{"log.roll.jitter.ms"}, {"log.roll.jitter.hours", 3600000}},
       .min_value = 0,
       .set = &set_integer<&C::segment_jitter_ms>},
      {.name = "segment.ms",
       .type = T::kLong,
       .default_value = "604800000",
       .synonyms = {{"log.roll.ms"}, {"log.roll.hours", 3600000}},
       .min_value = 1,
       .set = &set_integer<&C::segment_ms>},
      {.name = "unclean.leader.election.enable",
       .type = T::kBoolean,
       .default_value = "false",
       .synonyms = {{"unclean.leader.election.enable"}},
       .set = &set_boolean<&C::unclean_leader_election_enable>},
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
  return std::string(trimmed(text));
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

std::optional<std::string> synonym_default(const TopicConfigDef& def, size_t index) {
  if (index + 1 != def.synonyms.size()) return std::nullopt;
  const int64_t multiplier = def.synonyms[index].unit_multiplier;
  if (multiplier == 1) return std::string(def.default_value);
  int64_t value = 0;
  std::from_chars(def.default_value.data(), def.default_value.data() + def.default_value.size(),
                  value);
  return std::to_string(value / multiplier);
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
  if (ok && def->check != nullptr) {
    if (auto failure = def->check(text)) {
      ok = false;
      reason = std::move(*failure);
    }
  }
  if (!ok) error = fmt::format("Invalid value {} for configuration {}: {}", value, name, reason);
  return ok;
}

}  // namespace eddy::config

namespace eddy::config {

std::optional<std::string> check_broker_synonym(std::string_view name, std::string_view value) {
  for (const TopicConfigDef& def : topic_config_defs()) {
    for (const BrokerSynonym& synonym : def.synonyms) {
      if (synonym.name != name) continue;
      std::string in_topic_unit(trimmed(value));
      if (synonym.unit_multiplier != 1) {
        int64_t number = 0;
        const auto [end, ec] = std::from_chars(in_topic_unit.data(),
                                               in_topic_unit.data() + in_topic_unit.size(), number);
        if (ec != std::errc() || end != in_topic_unit.data() + in_topic_unit.size() ||
            number > kIntMax || number < -kIntMax - 1) {
          return fmt::format("Invalid value {} for configuration {}: Not a number of type INT",
                             value, name);
        }
        in_topic_unit = std::to_string(number * synonym.unit_multiplier);
      }
      std::string error;
      if (validate_topic_config(def.name, in_topic_unit, error)) return std::nullopt;
      // Name the key the operator wrote, not the topic config it feeds.
      return fmt::format("Invalid value {} for configuration {}: {}", value, name,
                         error.substr(error.find(": ") + 2));
    }
  }
  return std::nullopt;
}

}  // namespace eddy::config
