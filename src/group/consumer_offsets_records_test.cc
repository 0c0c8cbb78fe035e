// __consumer_offsets layouts checked against bytes written by hand from Kafka's schemas.

#include "group/consumer_offsets_records.h"

#include <gtest/gtest.h>

namespace eddy::group {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(GroupRecords, OffsetKeyIsVersionOneGroupTopicPartition) {
  const Bytes expected = {0, 1,            // version 1
                          0, 2, 'g', '1',  // group
                          0, 1, 't',       // topic
                          0, 0, 0,   7};   // partition
  EXPECT_EQ(encode_offset_key("g1", "t", 7), expected);
  RecordKey key;
  ASSERT_TRUE(decode_key(expected, key));
  EXPECT_EQ(key.type, KeyType::kOffset);
  EXPECT_EQ(key.group, "g1");
  EXPECT_EQ(key.topic, "t");
  EXPECT_EQ(key.partition, 7);
}

TEST(GroupRecords, GroupKeyIsVersionTwo) {
  const Bytes expected = {0, 2, 0, 3, 'a', 'b', 'c'};
  EXPECT_EQ(encode_group_key("abc"), expected);
  RecordKey key;
  ASSERT_TRUE(decode_key(expected, key));
  EXPECT_EQ(key.type, KeyType::kGroup);
  EXPECT_EQ(key.group, "abc");
}

TEST(GroupRecords, OffsetValueVersionThreeCarriesTheLeaderEpoch) {
  OffsetValue value;
  value.offset = 42;
  value.leader_epoch = 5;
  value.metadata = "m";
  value.commit_timestamp_ms = 1000;
  const Bytes expected = {0, 3,                             // version 3
                          0, 0, 0,   0, 0, 0, 0,    42,     // offset
                          0, 0, 0,   5,                     // leader epoch
                          0, 1, 'm',                        // metadata
                          0, 0, 0,   0, 0, 0, 0x03, 0xe8};  // commit timestamp
  EXPECT_EQ(encode_offset_value(value), expected);
  OffsetValue decoded;
  ASSERT_TRUE(decode_offset_value(expected, decoded));
  EXPECT_EQ(decoded.offset, 42);
  EXPECT_EQ(decoded.leader_epoch, 5);
  EXPECT_EQ(decoded.metadata, "m");
  EXPECT_EQ(decoded.commit_timestamp_ms, 1000);
  EXPECT_EQ(decoded.expire_timestamp_ms, -1);
}

TEST(GroupRecords, OffsetValueWithExpiryIsVersionOne) {
  OffsetValue value;
  value.offset = 1;
  value.commit_timestamp_ms = 2;
  value.expire_timestamp_ms = 3;
  const Bytes expected = {0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,  // version, offset, ""
                          0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3};
  EXPECT_EQ(encode_offset_value(value), expected);
  OffsetValue decoded;
  ASSERT_TRUE(decode_offset_value(expected, decoded));
  EXPECT_EQ(decoded.expire_timestamp_ms, 3);
  EXPECT_EQ(decoded.leader_epoch, -1);
}

TEST(GroupRecords, GroupValueVersionThree) {
  GroupValue value;
  value.protocol_type = "consumer";
  value.generation = 2;
  value.protocol = "range";
  value.leader = "m";
  value.current_state_timestamp_ms = 9;
  MemberValue member;
  member.member_id = "m";
  member.group_instance_id = std::nullopt;
  member.client_id = "c";
  member.client_host = "/h";
  member.rebalance_timeout_ms = 300;
  member.session_timeout_ms = 100;
  member.subscription = {1};
  member.assignment = {2, 3};
  value.members.push_back(member);
  const Bytes expected = {0,    3,                                               // version
                          0,    8,    'c',  'o',  'n', 's', 'u', 'm', 'e', 'r',  // protocol type
                          0,    0,    0,    2,                                   // generation
                          0,    5,    'r',  'a',  'n', 'g', 'e',                 // protocol
                          0,    1,    'm',                                       // leader
                          0,    0,    0,    0,    0,   0,   0,   9,  // current state timestamp
                          0,    0,    0,    1,                       // one member
                          0,    1,    'm',                           // member id
                          0xff, 0xff,                                // group instance id: null
                          0,    1,    'c',                           // client id
                          0,    2,    '/',  'h',                     // client host
                          0,    0,    0x01, 0x2c,                    // rebalance timeout 300
                          0,    0,    0,    100,                     // session timeout
                          0,    0,    0,    1,    1,                 // subscription
                          0,    0,    0,    2,    2,   3};           // assignment
  EXPECT_EQ(encode_group_value(value), expected);
  GroupValue decoded;
  ASSERT_TRUE(decode_group_value(expected, decoded));
  EXPECT_EQ(decoded.protocol, "range");
  ASSERT_EQ(decoded.members.size(), 1u);
  EXPECT_EQ(decoded.members[0].rebalance_timeout_ms, 300);
  EXPECT_EQ(decoded.members[0].assignment, (Bytes{2, 3}));
}

TEST(GroupRecords, GroupValueVersionZeroHasNoTimeoutsOrInstanceIds) {
  const Bytes v0 = {0, 0, 0, 0,  0, 0, 0,   1, 0xff, 0xff, 0xff, 0xff,  // "", gen 1, nulls
                    0, 0, 0, 1,  0, 1, 'm', 0, 0,    0,    0,  // one member "m", client "", host ""
                    0, 0, 0, 10, 0, 0, 0,   0, 0,    0,    0,    0};  // session 10, empty bytes
  GroupValue decoded;
  ASSERT_TRUE(decode_group_value(v0, decoded));
  EXPECT_EQ(decoded.generation, 1);
  EXPECT_FALSE(decoded.protocol.has_value());
  ASSERT_EQ(decoded.members.size(), 1u);
  EXPECT_EQ(decoded.members[0].session_timeout_ms, 10);
  EXPECT_EQ(decoded.members[0].rebalance_timeout_ms, -1);
}

TEST(GroupRecords, GarbageIsRefusedNotTrusted) {
  RecordKey key;
  EXPECT_FALSE(decode_key(Bytes{0, 9, 0, 0}, key));
  EXPECT_FALSE(decode_key(Bytes{0, 1, 0, 50, 'x'}, key));
  OffsetValue offset;
  EXPECT_FALSE(decode_offset_value(Bytes{0, 3, 0}, offset));
  GroupValue group;
  EXPECT_FALSE(decode_group_value(Bytes{0, 3, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff,
                                        0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff},
                                  group));
}

}  // namespace
}  // namespace eddy::group
