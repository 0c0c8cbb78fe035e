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

}  // namespace
}  // namespace eddy::config
