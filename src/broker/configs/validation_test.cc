#include "broker/configs/validation.h"

#include <memory>
#include <vector>

#include <gtest/gtest.h>

namespace eddy::broker {
namespace {

using protocol::ErrorCode;

// Broker layers with only static settings; the properties live as long as the test binary.
config::BrokerConfigLayers server_with(config::Properties given) {
  static std::vector<std::unique_ptr<config::Properties>> kept;
  kept.push_back(std::make_unique<config::Properties>(std::move(given)));
  return {nullptr, nullptr, kept.back().get()};
}

TEST(ConfigValidation, AcceptsValidOverrides) {
  metadata::ConfigMap overrides;
  const ApiError error = build_topic_overrides(
      {{"retention.ms", "86400000"}, {"cleanup.policy", "compact,delete"}}, overrides);
  EXPECT_TRUE(error.ok()) << error.message.value_or("");
  EXPECT_EQ(overrides.at("retention.ms"), "86400000");
  EXPECT_EQ(overrides.at("cleanup.policy"), "compact,delete");
}

TEST(ConfigValidation, RejectsUnknownNamesBadValuesAndNulls) {
  metadata::ConfigMap overrides;
  ApiError error = build_topic_overrides({{"no.such.config", "1"}}, overrides);
  EXPECT_EQ(error.code, ErrorCode::kInvalidConfig);
  EXPECT_EQ(error.message, "Unknown topic config name: no.such.config");

  error = build_topic_overrides({{"retention.ms", "soon"}}, overrides);
  EXPECT_EQ(error.code, ErrorCode::kInvalidConfig);
  EXPECT_EQ(error.message,
            "Invalid value soon for configuration retention.ms: Not a number of type LONG");

  EXPECT_EQ(build_topic_overrides({{"cleanup.policy", "shred"}}, overrides).code,
            ErrorCode::kInvalidConfig);
  EXPECT_EQ(build_topic_overrides({{"retention.ms", std::nullopt}}, overrides).code,
            ErrorCode::kInvalidConfig);
}

TEST(ConfigValidation, LastValueWinsOnCreate) {
  metadata::ConfigMap overrides;
  ASSERT_TRUE(
      build_topic_overrides({{"retention.ms", "1"}, {"retention.ms", "2"}}, overrides).ok());
  EXPECT_EQ(overrides.at("retention.ms"), "2");
}

TEST(ConfigValidation, CrossConfigRules) {
  EXPECT_EQ(
      validate_topic_overrides({{"min.compaction.lag.ms", "10"}, {"max.compaction.lag.ms", "5"}})
          .code,
      ErrorCode::kInvalidConfig);
  EXPECT_TRUE(
      validate_topic_overrides({{"min.compaction.lag.ms", "5"}, {"max.compaction.lag.ms", "10"}})
          .ok());
  EXPECT_EQ(validate_topic_overrides({{"remote.storage.enable", "true"}}).code,
            ErrorCode::kInvalidConfig);
  EXPECT_TRUE(validate_topic_overrides({{"remote.storage.enable", "false"}}).ok());
}

TEST(ConfigValidation, ReplacementRejectsDuplicateKeys) {
  metadata::ConfigMap overrides;
  const ApiError error =
      replacement_overrides({{"retention.ms", "1"}, {"retention.ms", "2"}}, overrides);
  EXPECT_EQ(error.code, ErrorCode::kInvalidRequest);
}

TEST(ConfigValidation, DeltaSetsChangedAndDeletesDropped) {
  const metadata::ConfigMap current = {
      {"retention.ms", "1000"}, {"segment.bytes", "2097152"}, {"cleanup.policy", "compact"}};
  const metadata::ConfigMap desired = {{"retention.ms", "2000"}, {"cleanup.policy", "compact"}};
  const auto delta = override_delta(current, desired);
  ASSERT_EQ(delta.size(), 2u);
  EXPECT_EQ(delta[0].key, "segment.bytes");
  EXPECT_FALSE(delta[0].value.has_value());
  EXPECT_EQ(delta[1].key, "retention.ms");
  EXPECT_EQ(delta[1].value, "2000");
  EXPECT_TRUE(override_delta(current, current).empty());
}

TEST(ConfigValidation, IncrementalSetAndDelete) {
  metadata::ConfigMap overrides = {{"retention.ms", "1000"}, {"segment.bytes", "2097152"}};
  const ApiError error = apply_incremental(
      server_with({}), {{"retention.ms", 0, "3000"}, {"segment.bytes", 1, std::nullopt}},
      overrides);
  ASSERT_TRUE(error.ok()) << error.message.value_or("");
  EXPECT_EQ(overrides, (metadata::ConfigMap{{"retention.ms", "3000"}}));
}

TEST(ConfigValidation, IncrementalAppendStartsFromEffectiveValue) {
  metadata::ConfigMap overrides;
  ASSERT_TRUE(
      apply_incremental(server_with({}), {{"cleanup.policy", 2, "compact"}}, overrides).ok());
  EXPECT_EQ(overrides.at("cleanup.policy"), "delete,compact");
  // Appending a value already present changes nothing.
  ASSERT_TRUE(
      apply_incremental(server_with({}), {{"cleanup.policy", 2, "compact"}}, overrides).ok());
  EXPECT_EQ(overrides.at("cleanup.policy"), "delete,compact");
  ASSERT_TRUE(
      apply_incremental(server_with({}), {{"cleanup.policy", 3, "delete"}}, overrides).ok());
  EXPECT_EQ(overrides.at("cleanup.policy"), "compact");

  // With no override, the broker's own setting is the starting point.
  metadata::ConfigMap fresh;
  ASSERT_TRUE(apply_incremental(server_with({{"log.cleanup.policy", "compact"}}),
                                {{"cleanup.policy", 2, "delete"}}, fresh)
                  .ok());
  EXPECT_EQ(fresh.at("cleanup.policy"), "compact,delete");
}

TEST(ConfigValidation, IncrementalErrors) {
  metadata::ConfigMap overrides = {{"retention.ms", "1000"}};
  const auto server = server_with({});
  EXPECT_EQ(apply_incremental(server, {{"retention.ms", 2, "5"}}, overrides).code,
            ErrorCode::kInvalidConfig);  // APPEND on a non-list config
  EXPECT_EQ(apply_incremental(server, {{"retention.ms", 0, std::nullopt}}, overrides).code,
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(apply_incremental(server, {{"retention.ms", 7, "5"}}, overrides).code,
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(apply_incremental(server, {{"made.up", 0, "5"}}, overrides).code,
            ErrorCode::kInvalidConfig);
  EXPECT_EQ(apply_incremental(server, {{"retention.ms", 0, "x"}}, overrides).code,
            ErrorCode::kInvalidConfig);
  EXPECT_EQ(
      apply_incremental(server, {{"retention.ms", 0, "1"}, {"retention.ms", 1, {}}}, overrides)
          .code,
      ErrorCode::kInvalidRequest);
}

}  // namespace
}  // namespace eddy::broker
