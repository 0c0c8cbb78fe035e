#include "config/topic_config.h"

#include <gtest/gtest.h>

namespace eddy::config {
namespace {

using Map = std::map<std::string, std::string>;

TEST(TopicConfig, DefaultsComeFromTheKeyTable) {
  const TopicConfig defaults;
  EXPECT_EQ(defaults.segment_bytes, 1073741824);
  EXPECT_EQ(defaults.retention_ms, 604800000);
  EXPECT_EQ(defaults.retention_bytes, -1);
  EXPECT_EQ(defaults.max_message_bytes, 1048588);
  EXPECT_FALSE(defaults.compact);
  EXPECT_TRUE(defaults.delete_enabled);
  EXPECT_FALSE(defaults.log_append_time);
  EXPECT_FALSE(defaults.recompress_to.has_value());
  EXPECT_DOUBLE_EQ(defaults.min_cleanable_dirty_ratio, 0.5);
  EXPECT_EQ(defaults.timestamp_before_max_ms, INT64_MAX);
  EXPECT_TRUE(defaults.downconversion_enable);
  // Every table default parses into its field: resolving nothing gives the same values.
  EXPECT_EQ(resolve_topic_config({}, {}), defaults);
}

TEST(TopicConfig, EveryActedOnKeySetsItsField) {
  const TopicConfig defaults;
  for (const TopicConfigDef& def : topic_config_defs()) {
    if (def.set == nullptr) continue;
    TopicConfig config;
    // A value different from the default, valid for the key.
    std::string value = def.type == ConfigType::kBoolean
                            ? (def.default_value == "true" ? "false" : "true")
                        : def.type == ConfigType::kDouble ? "0.25"
                        : !def.allowed.empty()            ? std::string(def.allowed.front())
                                                          : "12345";
    if (value == def.default_value) value = std::string(def.allowed.back());
    std::string error;
    ASSERT_TRUE(validate_topic_config(def.name, value, error)) << def.name << ": " << error;
    ASSERT_TRUE(def.set(config, value)) << def.name;
    EXPECT_NE(config, defaults) << def.name << " set no field";
    EXPECT_FALSE(def.set(config, "not a value")) << def.name;
  }
}

TEST(TopicConfig, ResolutionOrderIsTopicThenDynamicThenStaticThenDefault) {
  const TopicConfigDef& retention = *find_topic_config("retention.ms");
  const Properties given = {{"log.retention.hours", "2"}};
  auto entry = resolve_topic_entry(retention, {}, {nullptr, nullptr, &given});
  EXPECT_EQ(entry.value, "7200000");
  EXPECT_EQ(entry.source, ConfigSource::kStaticBrokerConfig);
  EXPECT_EQ(entry.synonyms.front().name, "log.retention.hours");
  EXPECT_EQ(entry.synonyms.front().value, "2");

  const Properties both = {{"log.retention.ms", "5"}, {"log.retention.hours", "2"}};
  entry = resolve_topic_entry(retention, {}, {nullptr, nullptr, &both});
  EXPECT_EQ(entry.value, "5");
  ASSERT_EQ(entry.synonyms.size(), 3u);  // ms, hours, then the hours default (168)
  EXPECT_EQ(entry.synonyms[2].value, "168");
  EXPECT_EQ(entry.synonyms[2].source, ConfigSource::kDefaultConfig);

  const Map cluster = {{"log.retention.ms", "9"}};
  const Map node = {{"log.retention.minutes", "1"}};
  entry = resolve_topic_entry(retention, {}, {&node, &cluster, &both});
  EXPECT_EQ(entry.value, "9");  // log.retention.ms outranks minutes at every level
  EXPECT_EQ(entry.source, ConfigSource::kDynamicDefaultBrokerConfig);
  entry = resolve_topic_entry(retention, {}, {&node, nullptr, &given});
  EXPECT_EQ(entry.value, "60000");
  EXPECT_EQ(entry.source, ConfigSource::kDynamicBrokerConfig);

  entry = resolve_topic_entry(retention, {{"retention.ms", "1000"}}, {nullptr, nullptr, &given});
  EXPECT_EQ(entry.value, "1000");
  EXPECT_EQ(entry.source, ConfigSource::kDynamicTopicConfig);
  EXPECT_EQ(entry.synonyms.size(), 3u);  // override, static hours, default hours

  entry = resolve_topic_entry(retention, {}, {});
  EXPECT_EQ(entry.value, "604800000");
  EXPECT_EQ(entry.source, ConfigSource::kDefaultConfig);
}

TEST(TopicConfig, TypedValuesFollowTheSameResolution) {
  const Properties given = {{"log.retention.hours", "2"}, {"log.cleanup.policy", "compact"}};
  const Map overrides = {{"compression.type", "zstd"},
                         {"message.timestamp.type", "LogAppendTime"},
                         {"cleanup.policy", "compact, delete"},
                         {"min.cleanable.dirty.ratio", "0.1"}};
  const TopicConfig config = resolve_topic_config(overrides, {nullptr, nullptr, &given});
  EXPECT_EQ(config.retention_ms, 7200000);
  EXPECT_TRUE(config.compact);
  EXPECT_TRUE(config.delete_enabled);
  EXPECT_EQ(config.recompress_to, compression::Codec::kZstd);
  EXPECT_TRUE(config.log_append_time);
  EXPECT_DOUBLE_EQ(config.min_cleanable_dirty_ratio, 0.1);

  const TopicConfig broker_only = resolve_topic_config({}, {nullptr, nullptr, &given});
  EXPECT_TRUE(broker_only.compact);
  EXPECT_FALSE(broker_only.delete_enabled);
}

TEST(TopicConfig, AStoredValueThatDoesNotParseFallsBackToTheNextLayer) {
  const Properties given = {{"log.segment.bytes", "2048"}};
  const TopicConfig config =
      resolve_topic_config({{"segment.bytes", "lots"}}, {nullptr, nullptr, &given});
  EXPECT_EQ(config.segment_bytes, 2048);
}

}  // namespace
}  // namespace eddy::config
