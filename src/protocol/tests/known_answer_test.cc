// Messages against bytes written out by hand from the protocol spec, independent of the
// generator: they catch mistakes that encode and decode would share.

#include <vector>

#include <gtest/gtest.h>

#include "protocol/generated/api_versions_request.h"
#include "protocol/generated/api_versions_response.h"
#include "protocol/generated/metadata_request.h"
#include "protocol/generated/produce_request.h"
#include "protocol/generated/request_header.h"
#include "protocol/generated/response_header.h"

namespace eddy::protocol {
namespace {

template <typename T>
std::vector<uint8_t> encode(const T& message, int16_t version) {
  Writer writer;
  message.encode(writer, version);
  return writer.flatten();
}

template <typename T>
bool decode(T& message, const std::vector<uint8_t>& bytes, int16_t version) {
  Reader reader(bytes.data(), bytes.size());
  return message.decode(reader, version) && reader.remaining() == 0;
}

TEST(KnownAnswer, ApiVersionsRequestV3UsesCompactStringsAndATagSection) {
  const std::vector<uint8_t> bytes = {
      0x05, 'e', 'd', 'd', 'y',  // ClientSoftwareName: compact length 4+1
      0x04, '1', '.', '0',       // ClientSoftwareVersion: compact length 3+1
      0x00,                      // no tagged fields
  };
  ApiVersionsRequest request;
  ASSERT_TRUE(decode(request, bytes, 3));
  EXPECT_EQ(request.client_software_name, "eddy");
  EXPECT_EQ(request.client_software_version, "1.0");
  EXPECT_EQ(encode(request, 3), bytes);
}

TEST(KnownAnswer, ApiVersionsRequestV0IsEmpty) {
  ApiVersionsRequest request;
  request.client_software_name = "ignored in v0";
  EXPECT_TRUE(encode(request, 0).empty());
}

TEST(KnownAnswer, MetadataRequestV1WithNullTopicsMeansAllTopics) {
  const std::vector<uint8_t> bytes = {0xff, 0xff, 0xff, 0xff};  // Topics: null array
  MetadataRequest request;
  ASSERT_TRUE(decode(request, bytes, 1));
  EXPECT_FALSE(request.topics.has_value());
  EXPECT_EQ(encode(request, 1), bytes);
}

TEST(KnownAnswer, MetadataRequestV0CannotCarryNullTopics) {
  MetadataRequest request;
  EXPECT_FALSE(decode(request, {0xff, 0xff, 0xff, 0xff}, 0));
}

TEST(KnownAnswer, MetadataRequestV4WithOneTopic) {
  const std::vector<uint8_t> bytes = {
      0x00, 0x00, 0x00, 0x01,       // Topics: 1 element
      0x00, 0x03, 'a',  'b',  'c',  // Name
      0x00,                         // AllowAutoTopicCreation: false
  };
  MetadataRequest request;
  ASSERT_TRUE(decode(request, bytes, 4));
  ASSERT_TRUE(request.topics.has_value());
  ASSERT_EQ(request.topics->size(), 1u);
  EXPECT_EQ((*request.topics)[0].name, "abc");
  EXPECT_FALSE(request.allow_auto_topic_creation);
  EXPECT_EQ(encode(request, 4), bytes);
}

TEST(KnownAnswer, MetadataRequestDefaultsAllowAutoTopicCreation) {
  EXPECT_TRUE(MetadataRequest{}.allow_auto_topic_creation);  // schema default "true"
}

TEST(KnownAnswer, RequestHeaderV2KeepsAClassicClientId) {
  const std::vector<uint8_t> bytes = {
      0x00, 0x12,              // RequestApiKey 18
      0x00, 0x03,              // RequestApiVersion 3
      0x00, 0x00, 0x00, 0x07,  // CorrelationId 7
      0x00, 0x02, 'a',  'b',   // ClientId: int16 length even in v2
      0x00,                    // no tagged fields
  };
  RequestHeader header;
  ASSERT_TRUE(decode(header, bytes, 2));
  EXPECT_EQ(header.request_api_key, 18);
  EXPECT_EQ(header.request_api_version, 3);
  EXPECT_EQ(header.correlation_id, 7);
  EXPECT_EQ(header.client_id, "ab");
  EXPECT_EQ(encode(header, 2), bytes);
}

TEST(KnownAnswer, RequestHeaderV1WithNullClientId) {
  const std::vector<uint8_t> bytes = {0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x2a, 0xff, 0xff};
  RequestHeader header;
  ASSERT_TRUE(decode(header, bytes, 1));
  EXPECT_EQ(header.correlation_id, 42);
  EXPECT_FALSE(header.client_id.has_value());
  EXPECT_EQ(encode(header, 1), bytes);
}

TEST(KnownAnswer, ResponseHeaderV1HasATagSection) {
  ResponseHeader header;
  header.correlation_id = 0x01020304;
  EXPECT_EQ(encode(header, 0), (std::vector<uint8_t>{1, 2, 3, 4}));
  EXPECT_EQ(encode(header, 1), (std::vector<uint8_t>{1, 2, 3, 4, 0}));
}

// ApiVersionsResponse v3: FinalizedFeaturesEpoch (tag 1) and ZkMigrationReady (tag 3) are
// written because they differ from their defaults, SupportedFeatures (tag 0) is not because
// it is empty, and an unknown tag 7 is forwarded, all in ascending tag order.
const std::vector<uint8_t> kApiVersionsV3 = {
    0x00, 0x00,                                      // ErrorCode
    0x02,                                            // ApiKeys: compact count 1+1
    0x00, 0x12, 0x00, 0x00, 0x00, 0x04,              // ApiKey 18, MinVersion 0, MaxVersion 4
    0x00,                                            // element's tagged fields
    0x00, 0x00, 0x00, 0x0a,                          // ThrottleTimeMs 10
    0x03,                                            // 3 tagged fields
    0x01, 0x08, 0,    0,    0,    0,    0, 0, 0, 5,  // tag 1, size 8: FinalizedFeaturesEpoch 5
    0x03, 0x01, 0x01,                                // tag 3, size 1: ZkMigrationReady true
    0x07, 0x01, 0xaa,                                // tag 7, size 1: unknown
};

TEST(KnownAnswer, ApiVersionsResponseV3WritesTaggedFieldsInTagOrder) {
  ApiVersionsResponse response;
  response.api_keys.push_back({18, 0, 4, {}});
  response.throttle_time_ms = 10;
  response.finalized_features_epoch = 5;
  response.zk_migration_ready = true;
  response.unknown_tagged_fields.push_back({7, {0xaa}});
  EXPECT_EQ(encode(response, 3), kApiVersionsV3);

  ApiVersionsResponse decoded;
  ASSERT_TRUE(decode(decoded, kApiVersionsV3, 3));
  EXPECT_EQ(decoded, response);
}

TEST(KnownAnswer, TaggedFieldsDecodeInAnyOrder) {
  const std::vector<uint8_t> bytes = {
      0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,           // ErrorCode, no ApiKeys, ThrottleTimeMs 0
      0x02,                                               // 2 tagged fields, out of order
      0x03, 0x01, 0x01,                                   // ZkMigrationReady true
      0x01, 0x08, 0,    0,    0,    0,    0,    0, 0, 9,  // FinalizedFeaturesEpoch 9
  };
  ApiVersionsResponse response;
  ASSERT_TRUE(decode(response, bytes, 3));
  EXPECT_TRUE(response.zk_migration_ready);
  EXPECT_EQ(response.finalized_features_epoch, 9);
}

TEST(KnownAnswer, TaggedFieldMustFillItsDeclaredSize) {
  std::vector<uint8_t> bytes = {0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
                                0x00, 0x01, 0x03, 0x02, 0x01, 0x00};  // tag 3 declares 2 bytes
  ApiVersionsResponse response;
  EXPECT_FALSE(decode(response, bytes, 3));
}

TEST(KnownAnswer, DefaultTaggedFieldsAreNotWritten) {
  ApiVersionsResponse response;  // FinalizedFeaturesEpoch = -1 and the rest at defaults
  EXPECT_EQ(encode(response, 3),
            (std::vector<uint8_t>{0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00}));
}

// ProduceRequest v3: the records bytes are a view into the input, and on encode a splice.
const std::vector<uint8_t> kProduceV3 = {
    0xff, 0xff,              // TransactionalId: null
    0xff, 0xff,              // Acks -1
    0x00, 0x00, 0x75, 0x30,  // TimeoutMs 30000
    0x00, 0x00, 0x00, 0x01,  // TopicData: 1 element
    0x00, 0x01, 't',         // Name
    0x00, 0x00, 0x00, 0x01,  // PartitionData: 1 element
    0x00, 0x00, 0x00, 0x02,  // Index 2
    0x00, 0x00, 0x00, 0x03,  // Records: 3 bytes
    0x0a, 0x0b, 0x0c,
};

TEST(KnownAnswer, ProduceRequestRecordsAreZeroCopy) {
  ProduceRequest request;
  ASSERT_TRUE(decode(request, kProduceV3, 3));
  EXPECT_FALSE(request.transactional_id.has_value());
  EXPECT_EQ(request.acks, -1);
  EXPECT_EQ(request.timeout_ms, 30000);
  ASSERT_EQ(request.topic_data.size(), 1u);
  ASSERT_EQ(request.topic_data[0].partition_data.size(), 1u);
  const Records& records = request.topic_data[0].partition_data[0].records;
  ASSERT_EQ(records.size_bytes, 3u);
  EXPECT_EQ(records.data, kProduceV3.data() + kProduceV3.size() - 3);  // a view, not a copy

  Writer writer;
  request.encode(writer, 3);
  ASSERT_EQ(writer.splices().size(), 1u);
  EXPECT_EQ(writer.splices()[0].buffer_offset, kProduceV3.size() - 3);
  EXPECT_EQ(writer.buffer().size(), kProduceV3.size() - 3);  // records not in the buffer
  EXPECT_EQ(writer.total_size(), kProduceV3.size());
  EXPECT_EQ(writer.flatten(), kProduceV3);
}

TEST(KnownAnswer, HostileLengthsFailWithoutAllocating) {
  MetadataRequest request;
  // 2^31-1 topics in four bytes: rejected on the count, before any element is allocated.
  EXPECT_FALSE(decode(request, {0x7f, 0xff, 0xff, 0xff}, 1));
  // A negative count other than -1.
  EXPECT_FALSE(decode(request, {0xff, 0xff, 0xff, 0xfe}, 1));
  // A topic name length of -2.
  EXPECT_FALSE(decode(request, {0x00, 0x00, 0x00, 0x01, 0xff, 0xfe}, 1));
  // A compact count whose varint never ends.
  EXPECT_FALSE(decode(request, {0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 9));
}

}  // namespace
}  // namespace eddy::protocol
