#include "protocol/uuid.h"

#include <gtest/gtest.h>

namespace eddy::protocol {
namespace {

TEST(Uuid, PrintsLikeKafka) {
  Uuid zero;
  EXPECT_TRUE(zero.is_zero());
  EXPECT_EQ(zero.to_string(), "AAAAAAAAAAAAAAAAAAAAAA");
  Uuid metadata_topic_id;  // Kafka's Uuid(0, 1)
  metadata_topic_id.bytes[15] = 1;
  EXPECT_EQ(metadata_topic_id.to_string(), "AAAAAAAAAAAAAAAAAAAAAQ");
  Uuid all_ones;
  all_ones.bytes.fill(0xff);
  EXPECT_EQ(all_ones.to_string(), "_____________________w");
}

TEST(Uuid, ParsesWhatItPrints) {
  for (int i = 0; i < 100; ++i) {
    const Uuid uuid = Uuid::random();
    EXPECT_FALSE(uuid.is_zero());
    EXPECT_NE(uuid.to_string().front(), '-');
    EXPECT_EQ(Uuid::from_string(uuid.to_string()), uuid);
  }
}

TEST(Uuid, RejectsMalformedText) {
  EXPECT_EQ(Uuid::from_string("short"), std::nullopt);
  EXPECT_EQ(Uuid::from_string("AAAAAAAAAAAAAAAAAAAAA="), std::nullopt);
  EXPECT_EQ(Uuid::from_string("AAAAAAAAAAAAAAAAAAAAAB"), std::nullopt);  // stray low bits
}

}  // namespace
}  // namespace eddy::protocol
