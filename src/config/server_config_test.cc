#include "config/server_config.h"

#include <gtest/gtest.h>

namespace eddy::config {
namespace {

TEST(ServerConfig, DefaultsAreKafkas) {
  ServerConfig config;
  std::string error;
  ASSERT_TRUE(build_server_config({}, {}, config, error)) << error;
  EXPECT_EQ(config.socket_request_max_bytes, 104857600);
  EXPECT_EQ(config.num_partitions, 1);
  EXPECT_TRUE(config.auto_create_topics_enable);
  ASSERT_EQ(config.listeners.size(), 1u);
  EXPECT_EQ(config.listeners[0].name, "PLAINTEXT");
  EXPECT_EQ(config.listeners[0].port, 9092);
  EXPECT_EQ(config.log_dirs, std::vector<std::string>{"/tmp/kafka-logs"});
  EXPECT_EQ(config.metadata_log_dir, "/tmp/kafka-logs");
  EXPECT_GE(config.num_network_threads, 1);
  EXPECT_EQ(config.log_sync_interval_ms, 10000);
  EXPECT_EQ(config.effective["eddy.log.sync.interval.ms"], "10000");
}

TEST(ServerConfig, SyncIntervalIsValidated) {
  ServerConfig config;
  std::string error;
  ASSERT_TRUE(build_server_config({{"eddy.log.sync.interval.ms", "0"}}, {}, config, error));
  EXPECT_EQ(config.log_sync_interval_ms, 0);
  ASSERT_TRUE(build_server_config({}, {{"eddy.log.sync.interval.ms", "500"}}, config, error));
  EXPECT_EQ(config.log_sync_interval_ms, 500);
  EXPECT_FALSE(build_server_config({{"eddy.log.sync.interval.ms", "-1"}}, {}, config, error));
  EXPECT_NE(error.find("eddy.log.sync.interval.ms"), std::string::npos);
  EXPECT_FALSE(build_server_config({{"eddy.log.sync.interval.ms", "soon"}}, {}, config, error));
  EXPECT_NE(error.find("eddy.log.sync.interval.ms"), std::string::npos);
}

TEST(ServerConfig, OverridesWinOverFile) {
  ServerConfig config;
  std::string error;
  const Properties file = {
      {"node.id", "3"}, {"log.dirs", "/a, /b"}, {"listeners", "PLAINTEXT://127.0.0.1:9092"}};
  const Properties overrides = {{"listeners", "PLAINTEXT://127.0.0.1:19092"}};
  ASSERT_TRUE(build_server_config(file, overrides, config, error)) << error;
  EXPECT_EQ(config.node_id, 3);
  EXPECT_EQ(config.listeners[0].host, "127.0.0.1");
  EXPECT_EQ(config.listeners[0].port, 19092);
  EXPECT_EQ(config.advertised_listeners[0].port, 19092);
  EXPECT_EQ(config.log_dirs, (std::vector<std::string>{"/a", "/b"}));
}

TEST(ServerConfig, BrokerIdIsAnAliasWhenNodeIdIsAbsent) {
  ServerConfig config;
  std::string error;
  ASSERT_TRUE(build_server_config({{"broker.id", "7"}}, {}, config, error)) << error;
  EXPECT_EQ(config.node_id, 7);
  ASSERT_TRUE(build_server_config({{"broker.id", "7"}, {"node.id", "2"}}, {}, config, error));
  EXPECT_EQ(config.node_id, 2);
}

TEST(ServerConfig, ListenersWithIpv6AndAdvertised) {
  ServerConfig config;
  std::string error;
  const Properties file = {{"listeners", "PLAINTEXT://[::1]:9092,SSL://:9093"},
                           {"advertised.listeners", "PLAINTEXT://broker.example:9092"}};
  ASSERT_TRUE(build_server_config(file, {}, config, error)) << error;
  ASSERT_EQ(config.listeners.size(), 2u);
  EXPECT_EQ(config.listeners[0].host, "::1");
  EXPECT_EQ(config.listeners[1].security_protocol, "SSL");
  EXPECT_EQ(config.advertised_listeners[0].host, "broker.example");
}

TEST(ServerConfig, InvalidValuesNameTheKey) {
  ServerConfig config;
  std::string error;
  EXPECT_FALSE(build_server_config({{"socket.request.max.bytes", "lots"}}, {}, config, error));
  EXPECT_NE(error.find("socket.request.max.bytes"), std::string::npos);
  EXPECT_FALSE(build_server_config({{"listeners", "FOO://:1"}}, {}, config, error));
  EXPECT_NE(error.find("FOO"), std::string::npos);
  EXPECT_FALSE(build_server_config({{"listeners", "PLAINTEXT://host:99999"}}, {}, config, error));
  EXPECT_FALSE(build_server_config({{"auto.create.topics.enable", "yes"}}, {}, config, error));
}

TEST(ServerConfig, ADefaultConstructedConfigHoldsTheTableDefaults) {
  const ServerConfig defaults;
  ServerConfig built;
  std::string error;
  ASSERT_TRUE(build_server_config({}, {}, built, error)) << error;
  EXPECT_EQ(defaults.node_id, built.node_id);
  EXPECT_EQ(defaults.effective, built.effective);
  EXPECT_EQ(defaults.queued_max_requests, 500);
  EXPECT_EQ(defaults.group_initial_rebalance_delay_ms, 3000);
  EXPECT_EQ(defaults.offsets_topic_num_partitions, 50);
  EXPECT_EQ(defaults.log_level, "info");
  // Every bound key's default parses (build_server_config would have failed otherwise) and
  // every key is in `effective`.
  for (const ConfigKey& key : known_server_keys()) {
    EXPECT_TRUE(defaults.effective.contains(key.name)) << key.name;
  }
}

TEST(ServerConfig, LeastValuesAreEnforcedWithTheKeyInTheMessage) {
  ServerConfig config;
  std::string error;
  EXPECT_FALSE(build_server_config({{"queued.max.requests", "0"}}, {}, config, error));
  EXPECT_EQ(error, "invalid value '0' for queued.max.requests: must be >= 1");
  EXPECT_FALSE(build_server_config({{"group.max.size", "0"}}, {}, config, error));
  EXPECT_NE(error.find("group.max.size"), std::string::npos);
  EXPECT_FALSE(
      build_server_config({{"offsets.topic.replication.factor", "40000"}}, {}, config, error));
  EXPECT_NE(error.find("offsets.topic.replication.factor"), std::string::npos);
}

TEST(ServerConfig, BrokerNamesOfTopicConfigsAreValidatedAtStart) {
  ServerConfig config;
  std::string error;
  EXPECT_FALSE(build_server_config({{"log.retention.ms", "forever"}}, {}, config, error));
  EXPECT_EQ(error,
            "Invalid value forever for configuration log.retention.ms: Not a number of type LONG");
  EXPECT_FALSE(build_server_config({{"log.cleanup.policy", "shred"}}, {}, config, error));
  EXPECT_NE(error.find("log.cleanup.policy"), std::string::npos);
  EXPECT_FALSE(build_server_config({{"log.retention.hours", "soon"}}, {}, config, error));
  EXPECT_NE(error.find("log.retention.hours"), std::string::npos);
  EXPECT_FALSE(build_server_config({{"log.segment.bytes", "10"}}, {}, config, error));
  EXPECT_TRUE(build_server_config({{"log.retention.hours", "2"}}, {}, config, error)) << error;
}

TEST(ServerConfigType, KnownKeysHaveKafkasTypeWhateverTheirValue) {
  // Small values of LONG configs must not read as INT, nor large INT ones as LONG.
  EXPECT_EQ(server_config_type("eddy.log.sync.interval.ms", "10000"), ConfigType::kLong);
  EXPECT_EQ(server_config_type("log.retention.check.interval.ms", "300000"), ConfigType::kLong);
  EXPECT_EQ(server_config_type("connections.max.idle.ms", "1"), ConfigType::kLong);
  EXPECT_EQ(server_config_type("log.cleaner.dedupe.buffer.size", "134217728"), ConfigType::kLong);
  EXPECT_EQ(server_config_type("num.partitions", "4"), ConfigType::kInt);
  EXPECT_EQ(server_config_type("log.flush.offset.checkpoint.interval.ms", "60000"),
            ConfigType::kInt);
  EXPECT_EQ(server_config_type("offsets.topic.replication.factor", "1"), ConfigType::kShort);
  EXPECT_EQ(server_config_type("auto.create.topics.enable", "true"), ConfigType::kBoolean);
  EXPECT_EQ(server_config_type("log.dirs", ""), ConfigType::kString);
}

TEST(ServerConfigType, BrokerNamesOfTopicConfigsHaveKafkasType) {
  EXPECT_EQ(server_config_type("log.retention.ms", "1000"), ConfigType::kLong);
  EXPECT_EQ(server_config_type("log.retention.ms", ""), ConfigType::kLong);  // unset
  EXPECT_EQ(server_config_type("log.retention.minutes", ""), ConfigType::kInt);
  EXPECT_EQ(server_config_type("log.retention.hours", "168"), ConfigType::kInt);
  EXPECT_EQ(server_config_type("log.retention.bytes", "-1"), ConfigType::kLong);
  EXPECT_EQ(server_config_type("log.segment.bytes", "1073741824"), ConfigType::kInt);
  EXPECT_EQ(server_config_type("log.flush.interval.ms", "1000"), ConfigType::kLong);
  EXPECT_EQ(server_config_type("log.flush.interval.messages", "1"), ConfigType::kLong);
  EXPECT_EQ(server_config_type("log.roll.ms", "1"), ConfigType::kLong);
  EXPECT_EQ(server_config_type("log.roll.hours", "168"), ConfigType::kInt);
  EXPECT_EQ(server_config_type("message.max.bytes", "1048588"), ConfigType::kInt);
  EXPECT_EQ(server_config_type("log.cleaner.min.cleanable.ratio", "0.5"), ConfigType::kDouble);
  EXPECT_EQ(server_config_type("log.cleanup.policy", "delete"), ConfigType::kList);
  EXPECT_EQ(server_config_type("log.preallocate", "false"), ConfigType::kBoolean);
}

TEST(ServerConfigType, EveryKeyInTheTableIsKnown) {
  for (const ConfigKey& key : known_server_keys()) {
    ASSERT_TRUE(known_server_key_type(key.name).has_value()) << key.name;
    EXPECT_EQ(*known_server_key_type(key.name), key.type) << key.name;
  }
  EXPECT_FALSE(known_server_key_type("no.such.key").has_value());
}

TEST(ServerConfigType, UnknownKeysAreGuessedFromTheValue) {
  EXPECT_EQ(server_config_type("custom.flag", "true"), ConfigType::kBoolean);
  EXPECT_EQ(server_config_type("custom.count", "2147483647"), ConfigType::kInt);
  EXPECT_EQ(server_config_type("custom.count", "-2147483648"), ConfigType::kInt);
  EXPECT_EQ(server_config_type("custom.size", "2147483648"), ConfigType::kLong);
  EXPECT_EQ(server_config_type("custom.name", "12abc"), ConfigType::kString);
  EXPECT_EQ(server_config_type("custom.unset", ""), ConfigType::kString);
}

}  // namespace
}  // namespace eddy::config
