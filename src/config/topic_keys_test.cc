#include "config/topic_keys.h"

#include <gtest/gtest.h>

namespace eddy::config {
namespace {

TEST(TopicKeys, DefinitionsAreSortedAndFindable) {
  const auto& defs = topic_config_defs();
  for (size_t i = 1; i < defs.size(); ++i) EXPECT_LT(defs[i - 1].name, defs[i].name);
  for (const auto& def : defs) EXPECT_EQ(find_topic_config(def.name), &def);
  EXPECT_EQ(find_topic_config("no.such.config"), nullptr);
  EXPECT_EQ(find_topic_config("retention.ms")->default_value, "604800000");
}

TEST(TopicKeys, EveryDefaultIsValid) {
  for (const auto& def : topic_config_defs()) {
    std::string error;
    EXPECT_TRUE(validate_topic_config(def.name, def.default_value, error)) << error;
  }
}

TEST(TopicKeys, ValidationMatchesKafkasRules) {
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

TEST(TopicKeys, ThrottledReplicaListsAreStarOrPartitionBrokerPairs) {
  std::string error;
  for (const char* valid : {"", "*", "0:1", "0:1, 1:2", "0:1,"}) {
    EXPECT_TRUE(validate_topic_config("leader.replication.throttled.replicas", valid, error))
        << valid << ": " << error;
  }
  for (const char* invalid : {"x", "0-1", "0:", ":1", "*,0:1"}) {
    EXPECT_FALSE(validate_topic_config("follower.replication.throttled.replicas", invalid, error))
        << invalid;
  }
}

TEST(TopicKeys, OldClientsConfigsAreAcceptedAsKafka3Did) {
  std::string error;
  EXPECT_TRUE(validate_topic_config("message.format.version", "0.10.2", error)) << error;
  EXPECT_TRUE(validate_topic_config("message.format.version", "0.10.0-IV1", error)) << error;
  EXPECT_TRUE(validate_topic_config("message.format.version", "2.8.1", error)) << error;
  EXPECT_TRUE(validate_topic_config("message.format.version", "3.0-IV1", error)) << error;
  EXPECT_FALSE(validate_topic_config("message.format.version", "banana", error));
  EXPECT_EQ(error,
            "Invalid value banana for configuration message.format.version: Version `banana` "
            "is not a valid version");
  EXPECT_FALSE(validate_topic_config("message.format.version", "2.80", error));
  EXPECT_TRUE(validate_topic_config("message.downconversion.enable", "false", error));
  EXPECT_FALSE(validate_topic_config("message.downconversion.enable", "no", error));
}

}  // namespace
}  // namespace eddy::config
