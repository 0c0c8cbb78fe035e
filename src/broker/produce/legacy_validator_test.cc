// Up-conversion of legacy message sets (magic 0 and 1) in the produce validation pass: every
// codec, nested and mixed sets, timestamps, topic rules, and Kafka's error codes for each
// broken shape.

#include "broker/produce/legacy_validator.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "compression/compression.h"
#include "records/batch_header.h"
#include "records/batch_records.h"
#include "records/legacy_lz4.h"
#include "records/legacy_message.h"
#include "records/legacy_test_messages.h"
#include "records/record.h"

namespace eddy::broker {
namespace {

using protocol::ErrorCode;
using records::kNoTimestamp;

constexpr int64_t kNow = 1'700'000'001'000;
constexpr int64_t kClientTimestamp = 1'700'000'000'000;  // legacy_test_messages.h
constexpr int8_t kLogAppendTimeBit = records::kLegacyLogAppendTimeBit;

std::span<const uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

std::string text_of(const std::optional<std::span<const uint8_t>>& bytes) {
  return bytes ? std::string(bytes->begin(), bytes->end()) : std::string("<null>");
}

// One uncompressed message of `magic` at `offset`.
std::vector<uint8_t> message(int8_t magic, int64_t offset, const std::string& value,
                             int64_t timestamp_ms = kClientTimestamp, int8_t attributes = 0,
                             std::optional<std::string> key = "k") {
  std::vector<uint8_t> out;
  std::optional<std::span<const uint8_t>> key_bytes;
  if (key) key_bytes = bytes_of(*key);
  records::append_legacy_message(
      magic, {offset, attributes, timestamp_ms, key_bytes, bytes_of(value)}, out);
  return out;
}

std::vector<uint8_t> concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// A wrapper holding `inner` compressed with `codec`; magic 0 lz4 gets Kafka 0.9's broken frame
// header checksum, as such clients wrote it.
std::vector<uint8_t> wrapper(int8_t magic, compression::Codec codec,
                             const std::vector<uint8_t>& inner, int8_t extra_attributes = 0) {
  std::vector<uint8_t> value;
  EXPECT_TRUE(compression::compress(codec, inner, value));
  if (magic == 0 && codec == compression::Codec::kLz4) {
    EXPECT_TRUE(records::set_lz4_header_checksum(value, /*broken=*/true));
  }
  std::vector<uint8_t> out;
  const auto attributes = static_cast<int8_t>(static_cast<int8_t>(codec) | extra_attributes);
  records::append_legacy_message(magic, {0, attributes, kClientTimestamp, std::nullopt, value},
                                 out);
  return out;
}

struct Converted {
  records::BatchHeader header;
  std::vector<std::string> keys;
  std::vector<std::string> values;
  std::vector<int64_t> timestamps;
};

// Decodes the one batch the validator produced.
Converted decode(std::span<const uint8_t> batch) {
  Converted out;
  EXPECT_EQ(records::parse_batch_header(batch, out.header), records::BatchError::kNone);
  EXPECT_EQ(out.header.total_size_bytes(), batch.size());
  EXPECT_TRUE(records::verify_batch_crc(batch));
  records::BatchRecordReader reader;
  reader.start(batch, out.header);
  records::RecordView record;
  while (reader.next(record)) {
    EXPECT_EQ(record.offset_delta, reader.records_read() - 1);
    out.keys.push_back(text_of(record.key));
    out.values.push_back(text_of(record.value));
    out.timestamps.push_back(records::record_timestamp(out.header, record));
  }
  EXPECT_EQ(reader.error(), records::RecordError::kNone);
  return out;
}

class LegacyValidatorTest : public ::testing::Test {
 protected:
  ValidatedRecords validate(std::vector<uint8_t>& bytes, int16_t version = 2,
                            const ProducePolicy& policy = {}) {
    return validate_produce_records(bytes, version, policy, kNow, scratch_);
  }
  ErrorCode error_of(std::vector<uint8_t> bytes, const ProducePolicy& policy = {}) {
    return validate(bytes, 2, policy).error;
  }
  // Validates `bytes` and decodes the new batch.
  Converted convert(std::vector<uint8_t> bytes, const ProducePolicy& policy = {}) {
    const ValidatedRecords result = validate(bytes, 2, policy);
    EXPECT_EQ(result.error, ErrorCode::kNone) << result.message;
    if (result.error != ErrorCode::kNone) return {};
    Converted out = decode(result.batches);
    EXPECT_EQ(result.summary.record_count, out.header.record_count);
    EXPECT_EQ(result.summary.offset_count, out.header.record_count);
    EXPECT_EQ(result.summary.max_timestamp_ms, out.header.max_timestamp);
    return out;
  }

  ProduceValidationScratch scratch_;
};

// --- what passes --------------------------------------------------------------------------

struct ClientSet {
  const char* name;
  std::span<const uint8_t> bytes;
  int8_t magic;
  compression::Codec codec;
};

class LegacyClientSetTest : public LegacyValidatorTest,
                            public ::testing::WithParamInterface<ClientSet> {};

TEST_P(LegacyClientSetTest, UpConvertsToOneBatchKeepingTheCodec) {
  const ClientSet& set = GetParam();
  for (int16_t version : {0, 1, 2}) {
    std::vector<uint8_t> bytes(set.bytes.begin(), set.bytes.end());
    const ValidatedRecords result = validate(bytes, version);
    ASSERT_EQ(result.error, ErrorCode::kNone) << result.message;
    EXPECT_EQ(result.batches.data(), scratch_.rewritten.data());
  }
  const Converted converted = convert({set.bytes.begin(), set.bytes.end()});
  EXPECT_EQ(converted.header.magic, records::kCurrentMagic);
  EXPECT_EQ(converted.header.base_offset, 0);
  EXPECT_EQ(converted.header.compression(), set.codec);
  EXPECT_FALSE(converted.header.is_log_append_time());
  EXPECT_EQ(converted.header.producer_id, records::kNoProducerId);
  EXPECT_EQ(converted.keys, (std::vector<std::string>{"key", "<null>"}));
  EXPECT_EQ(converted.values,
            (std::vector<std::string>{"value-value-value-value-value-", "second"}));
  // Magic 0 has no timestamps: -1 (NO_TIMESTAMP), as Kafka 3.x stores them.
  const std::vector<int64_t> expected =
      set.magic == 0 ? std::vector<int64_t>{kNoTimestamp, kNoTimestamp}
                     : std::vector<int64_t>{kClientTimestamp, kClientTimestamp + 3};
  EXPECT_EQ(converted.timestamps, expected);
  EXPECT_EQ(converted.header.max_timestamp, expected.back());
}

INSTANTIATE_TEST_SUITE_P(
    KafkaPython, LegacyClientSetTest,
    ::testing::Values(
        ClientSet{"v0none", records::testing::kKafkaPythonV0None, 0, compression::Codec::kNone},
        ClientSet{"v0gzip", records::testing::kKafkaPythonV0Gzip, 0, compression::Codec::kGzip},
        ClientSet{"v0snappy", records::testing::kKafkaPythonV0Snappy, 0,
                  compression::Codec::kSnappy},
        ClientSet{"v1none", records::testing::kKafkaPythonV1None, 1, compression::Codec::kNone},
        ClientSet{"v1gzip", records::testing::kKafkaPythonV1Gzip, 1, compression::Codec::kGzip},
        ClientSet{"v1snappy", records::testing::kKafkaPythonV1Snappy, 1,
                  compression::Codec::kSnappy},
        ClientSet{"v1lz4", records::testing::kKafkaPythonV1Lz4, 1, compression::Codec::kLz4}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(LegacyValidatorTest, Magic0Lz4WithTheBrokenFrameChecksum) {
  const auto inner = concat({message(0, 0, "a"), message(0, 1, "b")});
  const Converted converted = convert(wrapper(0, compression::Codec::kLz4, inner));
  EXPECT_EQ(converted.header.compression(), compression::Codec::kLz4);
  EXPECT_EQ(converted.values, (std::vector<std::string>{"a", "b"}));
}

TEST_F(LegacyValidatorTest, MixedSetsBecomeOneBatchWithTheLastWrappersCodec) {
  const auto bytes = concat(
      {message(1, 0, "plain", kClientTimestamp + 5),
       wrapper(1, compression::Codec::kGzip, message(1, 0, "gz")), message(0, 0, "old"),
       wrapper(1, compression::Codec::kSnappy, concat({message(1, 0, "s1"), message(1, 1, "s2")})),
       message(1, 0, "tail", kClientTimestamp + 1)});
  const Converted converted = convert(bytes);
  EXPECT_EQ(converted.header.compression(), compression::Codec::kSnappy);
  EXPECT_EQ(converted.values, (std::vector<std::string>{"plain", "gz", "old", "s1", "s2", "tail"}));
  EXPECT_EQ(converted.timestamps,
            (std::vector<int64_t>{kClientTimestamp + 5, kClientTimestamp, kNoTimestamp,
                                  kClientTimestamp, kClientTimestamp, kClientTimestamp + 1}));
  EXPECT_EQ(converted.header.max_timestamp, kClientTimestamp + 5);
}

TEST_F(LegacyValidatorTest, TheTopicsCompressionTypeIsReapplied) {
  const ProducePolicy zstd{.recompress_to = compression::Codec::kZstd};
  EXPECT_EQ(convert(message(1, 0, "v"), zstd).header.compression(), compression::Codec::kZstd);
  const ProducePolicy uncompressed{.recompress_to = compression::Codec::kNone};
  const Converted plain = convert(
      {records::testing::kKafkaPythonV1Gzip.begin(), records::testing::kKafkaPythonV1Gzip.end()},
      uncompressed);
  EXPECT_EQ(plain.header.compression(), compression::Codec::kNone);
  EXPECT_EQ(plain.values.size(), 2u);
}

TEST_F(LegacyValidatorTest, LogAppendTimeTopicsLeaveTheStampToStorage) {
  const ProducePolicy log_append_time{.log_append_time = true};
  const Converted converted = convert(message(1, 0, "v"), log_append_time);
  EXPECT_EQ(converted.timestamps, (std::vector<int64_t>{kClientTimestamp}));
}

TEST_F(LegacyValidatorTest, AnInnerLogAppendTimeBitFollowsItsCreateTimeWrapper) {
  const auto inner = message(1, 0, "v", kClientTimestamp, kLogAppendTimeBit);
  EXPECT_EQ(convert(wrapper(1, compression::Codec::kGzip, inner)).timestamps,
            (std::vector<int64_t>{kClientTimestamp}));
}

// --- what is refused ----------------------------------------------------------------------

TEST_F(LegacyValidatorTest, LogAppendTimeFromAProducerIsRefused) {
  EXPECT_EQ(error_of(message(1, 0, "v", kClientTimestamp, kLogAppendTimeBit)),
            ErrorCode::kInvalidTimestamp);
  EXPECT_EQ(error_of(wrapper(1, compression::Codec::kGzip, message(1, 0, "v"), kLogAppendTimeBit)),
            ErrorCode::kInvalidTimestamp);
}

TEST_F(LegacyValidatorTest, NegativeTimestampsOtherThanNoTimestampAreRefused) {
  EXPECT_EQ(error_of(message(1, 0, "v", -5)), ErrorCode::kInvalidTimestamp);
  EXPECT_EQ(error_of(message(1, 0, "v", kNoTimestamp)), ErrorCode::kNone);
}

TEST_F(LegacyValidatorTest, CorruptMessagesAreCorruptMessage) {
  auto bad_crc = message(1, 0, "value");
  bad_crc.back() ^= 0x01;
  EXPECT_EQ(error_of(bad_crc), ErrorCode::kCorruptMessage);
  auto bad_inner_crc = message(1, 0, "value");
  bad_inner_crc.back() ^= 0x01;
  EXPECT_EQ(error_of(wrapper(1, compression::Codec::kGzip, bad_inner_crc)),
            ErrorCode::kCorruptMessage);
  auto truncated = concat({message(1, 0, "a"), message(1, 1, "b")});
  truncated.pop_back();
  EXPECT_EQ(error_of(truncated), ErrorCode::kCorruptMessage);
  auto too_small = message(0, 0, "");
  too_small[records::kLegacySizeOffset + 3] = 5;
  EXPECT_EQ(error_of(too_small), ErrorCode::kCorruptMessage);
}

TEST_F(LegacyValidatorTest, InvalidWrappersAreInvalidRecord) {
  const auto nested = wrapper(1, compression::Codec::kGzip,
                              wrapper(1, compression::Codec::kGzip, message(1, 0, "v")));
  EXPECT_EQ(error_of(nested), ErrorCode::kInvalidRecord);
  EXPECT_EQ(error_of(wrapper(1, compression::Codec::kGzip, message(0, 0, "v"))),
            ErrorCode::kInvalidRecord);  // inner magic differs from the wrapper's
  EXPECT_EQ(error_of(wrapper(1, compression::Codec::kGzip, {})), ErrorCode::kInvalidRecord);
  std::vector<uint8_t> null_value;
  records::append_legacy_message(1, {0, 1, 0, std::nullopt, std::nullopt}, null_value);
  EXPECT_EQ(error_of(null_value), ErrorCode::kInvalidRecord);
  std::vector<uint8_t> garbage_value;
  records::append_legacy_message(1, {0, 2, 0, std::nullopt, bytes_of("not snappy")}, garbage_value);
  EXPECT_EQ(error_of(garbage_value), ErrorCode::kInvalidRecord);
  std::vector<uint8_t> zstd;
  records::append_legacy_message(1, {0, 4, 0, std::nullopt, bytes_of("x")}, zstd);
  EXPECT_EQ(error_of(zstd), ErrorCode::kInvalidRecord);
  // A record batch after legacy messages: one message set holds one format.
  auto mixed_magic = concat({message(1, 0, "v"), message(1, 1, "w")});
  mixed_magic[message(1, 0, "v").size() + records::kLegacyMagicOffset] = 2;
  EXPECT_EQ(error_of(mixed_magic), ErrorCode::kInvalidRecord);
}

TEST_F(LegacyValidatorTest, OnlyVersions0To2CarryLegacySets) {
  auto bytes = message(1, 0, "v");
  EXPECT_EQ(validate(bytes, 3).error, ErrorCode::kInvalidRecord);
  EXPECT_FALSE(is_legacy_message_set(bytes, 3));
  EXPECT_TRUE(is_legacy_message_set(bytes, 0));
}

TEST_F(LegacyValidatorTest, TopicRulesApplyToEveryMessage) {
  const ProducePolicy compacted{.compacted = true};
  const auto keyless =
      concat({message(1, 0, "a"), message(1, 1, "b", kClientTimestamp, 0, std::nullopt)});
  EXPECT_EQ(error_of(keyless, compacted), ErrorCode::kInvalidRecord);
  EXPECT_EQ(error_of(wrapper(1, compression::Codec::kGzip, keyless), compacted),
            ErrorCode::kInvalidRecord);
  const ProducePolicy bounded{.timestamp_before_max_ms = 500, .timestamp_after_max_ms = 500};
  EXPECT_EQ(error_of(message(1, 0, "v"), bounded), ErrorCode::kInvalidTimestamp);
  EXPECT_EQ(error_of(message(1, 0, "v", kNow), bounded), ErrorCode::kNone);
  // Magic 0 carries no timestamp, which Kafka never bounds.
  EXPECT_EQ(error_of(message(0, 0, "v"), bounded), ErrorCode::kNone);
}

TEST_F(LegacyValidatorTest, MessagesAreBoundedAcrossWrappers) {
  const std::string large(40u << 20, 'x');
  const auto one = wrapper(1, compression::Codec::kLz4, message(1, 0, large));
  EXPECT_EQ(error_of(one), ErrorCode::kNone);
  EXPECT_EQ(error_of(concat({one, one})), ErrorCode::kInvalidRecord);
}

// Empty messages compress to almost nothing; their framing counts against the bound, so a
// few wrappers cannot turn into hundreds of millions of records.
TEST_F(LegacyValidatorTest, EmptyMessagesCountTheirFraming) {
  std::vector<uint8_t> inner;
  const size_t per_message = records::legacy_entry_size(0, 0, 0);
  const size_t count = (40u << 20) / per_message;
  inner.reserve(count * per_message);
  for (size_t i = 0; i < count; ++i) {
    records::append_legacy_message(0, {static_cast<int64_t>(i), 0, 0, std::nullopt, std::nullopt},
                                   inner);
  }
  const auto one = wrapper(0, compression::Codec::kLz4, inner);
  EXPECT_EQ(error_of(one), ErrorCode::kNone);
  EXPECT_EQ(error_of(concat({one, one})), ErrorCode::kInvalidRecord);
}

}  // namespace
}  // namespace eddy::broker
