#include "config/topic_config.h"

#include <gtest/gtest.h>

namespace eddy::config {
namespace {

TEST(TopicConfig, DefinitionsAreSortedAndFindable) {
  const auto& defs = topic_config_defs();
  for (size_t i = 1; i < defs.size(); ++i) EXPECT_LT(defs[i - 1].name, defs[i].name);
  for (const auto& def : defs) EXPECT_EQ(find_topic_config(def.name), &def);
  EXPECT_EQ(find_topic_config("no.such.config"), nullptr);
  EXPECT_EQ(find_topic_config("retention.ms")->default_value, "604800000");
}

TEST(TopicConfig, EveryDefaultIsValid) {
  for (const auto& def : topic_config_defs()) {
    std::string error;
    EXPECT_TRUE(validate_topic_config(def.name, def.default_value, error)) << error;
  }
}

TEST(TopicConfig, ValidationMatchesKafkasRules) {
  std::string error;
  EXPECT_TRUE(validate_topic_config("cleanup.policy", "compact,delete", error));
  EXPECT_TRUE(validate_topic_config("cleanup.policy", "compact, delete", error));
  EXPECT_FALSE(validate_topic_config("cleanup.policy", "compact,shred", error));
  EXPECT_NE(error.find("cleanup.policy"), std::string::npos);
  EXPECT_FALSE(validate_topic_config("retention.ms", "forever", error));
  EXPECT_EQ(error,
            "Invalid value forever for configuration retention.ms: Not a number of type LONG");
  EXPECT_TRUE(validate_topic_config("retention.ms", "-1", error));
  EXPECT_FALSE(validate_topic_config("retention.ms", "-2", error));
  EXPECT_FALSE(validate_topic_config("segment.bytes", "3000000000", error));  // beyond INT
  EXPECT_FALSE(validate_topic_config("segment.bytes", "10", error));
  EXPECT_FALSE(validate_topic_config("min.cleanable.dirty.ratio", "1.5", error));
  EXPECT_TRUE(validate_topic_config("min.cleanable.dirty.ratio", "0.25", error));
  EXPECT_FALSE(validate_topic_config("preallocate", "yes", error));
  EXPECT_FALSE(validate_topic_config("message.timestamp.type", "Whenever", error));
  EXPECT_FALSE(validate_topic_config("bogus", "1", error));
}

TEST(TopicConfig, ResolutionOrderIsTopicThenBrokerThenDefault) {
  const TopicConfigDef& retention = *find_topic_config("retention.ms");
  const Properties broker = {{"log.retention.hours", "2"}};
  auto resolved = resolve_topic_config(retention, {}, broker);
  EXPECT_EQ(resolved.value, "7200000");
  EXPECT_EQ(resolved.source, ConfigSource::kStaticBrokerConfig);
  EXPECT_EQ(resolved.synonym_name, "log.retention.hours");

  resolved = resolve_topic_config(retention, {},
                                  {{"log.retention.ms", "5"}, {"log.retention.hours", "2"}});
  EXPECT_EQ(resolved.value, "5");

  resolved = resolve_topic_config(retention, {{"retention.ms", "1000"}}, broker);
  EXPECT_EQ(resolved.value, "1000");
  EXPECT_EQ(resolved.source, ConfigSource::kDynamicTopicConfig);

  resolved = resolve_topic_config(retention, {}, {});
  EXPECT_EQ(resolved.value, "604800000");
  EXPECT_EQ(resolved.source, ConfigSource::kDefaultConfig);
}

}  // namespace
}  // namespace eddy::config
