// Every generated message, every version: round trips, truncations and garbage.
// One CTest test per message (the versions loop inside) keeps CTest fast.

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/generated/testing/registry.h"

namespace eddy::protocol::testing {
namespace {

std::string message_name(const ::testing::TestParamInfo<const MessageHooks*>& info) {
  return std::string(info.param->name);
}

std::vector<const MessageHooks*> all_message_hooks() {
  std::vector<const MessageHooks*> hooks;
  for (const MessageHooks& message : all_messages()) hooks.push_back(&message);
  return hooks;
}

bool flexible(const MessageHooks& message, int16_t version) {
  return message.first_flexible_version >= 0 && version >= message.first_flexible_version;
}

void round_trips_every_field(const MessageHooks& message) {
  for (int16_t version = message.min_version; version <= message.max_version; ++version) {
    EXPECT_EQ(message.round_trip(version, FillMode::kValues), "") << "version " << version;
  }
}

void round_trips_nulls(const MessageHooks& message) {
  for (int16_t version = message.min_version; version <= message.max_version; ++version) {
    EXPECT_EQ(message.round_trip(version, FillMode::kNulls), "") << "version " << version;
  }
}

void preserves_unknown_tagged_fields(const MessageHooks& message) {
  for (int16_t version = message.min_version; version <= message.max_version; ++version) {
    EXPECT_EQ(message.round_trip(version, FillMode::kUnknownTags), "") << "version " << version;
    if (!flexible(message, version)) continue;
    // The unknown fields really travel: the encoding is longer than without them.
    EXPECT_GT(message.encode_filled(version, FillMode::kUnknownTags).size(),
              message.encode_filled(version, FillMode::kValues).size())
        << "version " << version;
  }
}

void rejects_versions_outside_the_schema(const MessageHooks& message) {
  const std::vector<uint8_t> bytes = message.encode_filled(message.max_version, FillMode::kValues);
  EXPECT_FALSE(
      message.decode(bytes, static_cast<int16_t>(message.max_version + 1), nullptr, nullptr));
  EXPECT_FALSE(
      message.decode(bytes, static_cast<int16_t>(message.min_version - 1), nullptr, nullptr));
}

void every_truncation_fails_to_decode(const MessageHooks& message) {
  for (int16_t version = message.min_version; version <= message.max_version; ++version) {
    for (FillMode mode : {FillMode::kValues, FillMode::kNulls, FillMode::kUnknownTags}) {
      const std::vector<uint8_t> bytes = message.encode_filled(version, mode);
      for (size_t size = 0; size < bytes.size(); ++size) {
        // A copy of exactly `size` bytes, so the sanitizer sees any read past the prefix.
        const std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + size);
        ASSERT_FALSE(message.decode(prefix, version, nullptr, nullptr))
            << "version " << version << " prefix " << size << " of " << bytes.size();
      }
    }
  }
}

void survives_garbage_and_mutations(const MessageHooks& message) {
  std::mt19937 random(12345);  // fixed seed: failures reproduce
  for (int16_t version = message.min_version; version <= message.max_version; ++version) {
    const std::vector<uint8_t> valid = message.encode_filled(version, FillMode::kValues);
    for (int round = 0; round < 200; ++round) {
      std::vector<uint8_t> bytes;
      if (round % 2 == 0) {
        bytes.resize(random() % 96);
        for (uint8_t& byte : bytes) byte = static_cast<uint8_t>(random());
      } else {
        bytes = valid;
        if (bytes.empty()) continue;
        for (int flips = 1 + random() % 4; flips > 0; --flips) {
          bytes[random() % bytes.size()] = static_cast<uint8_t>(random());
        }
      }
      std::vector<uint8_t> reencoded;
      std::string json;
      // Any result is fine; crashing, hanging or sanitizer reports are not. A successful
      // decode must also re-encode and decode again to the same bytes.
      if (message.decode(bytes, version, &reencoded, &json)) {
        std::vector<uint8_t> again;
        ASSERT_TRUE(message.decode(reencoded, version, &again, nullptr)) << "version " << version;
        ASSERT_EQ(again, reencoded) << "version " << version;
      }
    }
  }
}

class MessageTest : public ::testing::TestWithParam<const MessageHooks*> {};

TEST_P(MessageTest, AllVersions) {
  const MessageHooks& message = *GetParam();
  {
    SCOPED_TRACE("round trip, every field filled");
    round_trips_every_field(message);
  }
  {
    SCOPED_TRACE("round trip, nullable fields null");
    round_trips_nulls(message);
  }
  {
    SCOPED_TRACE("unknown tagged fields");
    preserves_unknown_tagged_fields(message);
  }
  {
    SCOPED_TRACE("versions outside the schema");
    rejects_versions_outside_the_schema(message);
  }
  {
    SCOPED_TRACE("truncations");
    every_truncation_fails_to_decode(message);
  }
  {
    SCOPED_TRACE("garbage and mutations");
    survives_garbage_and_mutations(message);
  }
}

INSTANTIATE_TEST_SUITE_P(All, MessageTest, ::testing::ValuesIn(all_message_hooks()), message_name);

TEST(MessageRegistry, HoldsEverySchema) {
  EXPECT_EQ(all_messages().size(), 178u);
  EXPECT_NE(find_message(18, "request"), nullptr);
  EXPECT_NE(find_message("RequestHeader"), nullptr);
}

}  // namespace
}  // namespace eddy::protocol::testing
