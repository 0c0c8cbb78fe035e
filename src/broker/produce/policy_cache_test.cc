#include "broker/produce/policy_cache.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace eddy::broker {
namespace {

metadata::TopicPtr topic_with(metadata::ConfigMap configs) {
  auto topic = std::make_shared<metadata::TopicImage>();
  topic->name = "events";
  topic->configs = std::move(configs);
  return topic;
}

TEST(ProducePolicyCache, ResolvesEachImageOnce) {
  const config::ServerConfig server;
  ProducePolicyCache cache;
  const auto topic = topic_with({{"cleanup.policy", "compact"}});
  EXPECT_TRUE(cache.policy_for(server, topic).compacted);
  EXPECT_TRUE(cache.policy_for(server, topic).compacted);
  EXPECT_EQ(cache.resolutions(), 1u);
}

// AlterConfigs publishes a new topic image: its policy is resolved afresh, never the old one.
TEST(ProducePolicyCache, NewImageOfTheTopicGetsItsOwnPolicy) {
  const config::ServerConfig server;
  ProducePolicyCache cache;
  auto topic = topic_with({});
  const ProducePolicy before = cache.policy_for(server, topic);
  EXPECT_FALSE(before.compacted);
  EXPECT_FALSE(before.recompress_to.has_value());

  topic = topic_with({{"cleanup.policy", "compact"},
                      {"compression.type", "zstd"},
                      {"message.timestamp.type", "LogAppendTime"},
                      {"message.timestamp.after.max.ms", "1000"}});
  const ProducePolicy after = cache.policy_for(server, topic);
  EXPECT_TRUE(after.compacted);
  EXPECT_EQ(after.recompress_to, records::Compression::kZstd);
  EXPECT_TRUE(after.log_append_time);
  EXPECT_EQ(after.timestamp_after_max_ms, 1000);
  EXPECT_EQ(cache.resolutions(), 2u);
}

TEST(ProducePolicyCache, FollowsTheBrokersGivenConfigs) {
  config::ServerConfig plain;
  config::ServerConfig compacting;
  compacting.given = {{"log.cleanup.policy", "compact"}};
  ProducePolicyCache cache;
  const auto topic = topic_with({});
  EXPECT_FALSE(cache.policy_for(plain, topic).compacted);
  EXPECT_TRUE(cache.policy_for(compacting, topic).compacted);
}

// More topics than slots: collisions evict, and every answer is still the topic's own.
TEST(ProducePolicyCache, CollisionsOnlyCostAResolution) {
  const config::ServerConfig server;
  ProducePolicyCache cache;
  std::vector<metadata::TopicPtr> topics;
  for (size_t i = 0; i < 4 * ProducePolicyCache::kSlots; ++i) {
    topics.push_back(topic_with({{"message.timestamp.before.max.ms", std::to_string(1000 + i)}}));
  }
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < topics.size(); ++i) {
      EXPECT_EQ(cache.policy_for(server, topics[i]).timestamp_before_max_ms,
                static_cast<int64_t>(1000 + i));
    }
  }
  EXPECT_GE(cache.resolutions(), topics.size());
  EXPECT_LE(cache.resolutions(), 2 * topics.size());
}

TEST(ProducePolicyCache, EachThreadHasItsOwnCache) {
  ProducePolicyCache* mine = &thread_produce_policy_cache();
  ProducePolicyCache* theirs = nullptr;
  std::thread([&] { theirs = &thread_produce_policy_cache(); }).join();
  EXPECT_EQ(&thread_produce_policy_cache(), mine);
  EXPECT_NE(theirs, mine);
}

}  // namespace
}  // namespace eddy::broker
