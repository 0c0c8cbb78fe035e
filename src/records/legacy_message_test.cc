#include "records/legacy_message.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "compression/compression.h"
#include "records/byte_order.h"
#include "records/legacy_reader.h"
#include "records/legacy_test_messages.h"

namespace eddy::records {
namespace {

std::span<const uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

std::string text_of(const std::optional<std::span<const uint8_t>>& bytes) {
  return bytes ? std::string(bytes->begin(), bytes->end()) : std::string("<null>");
}

std::vector<LegacyRecord> read_all(std::span<const uint8_t> data, LegacyError& error,
                                   std::vector<std::string>& keys,
                                   std::vector<std::string>& values) {
  std::vector<LegacyRecord> out;
  LegacyReadScratch scratch;
  error = read_legacy_records(data, 1 << 20, scratch, [&](const LegacyRecord& record) {
    out.push_back(record);
    keys.push_back(text_of(record.key));
    values.push_back(text_of(record.value));
  });
  return out;
}

const std::string kFirstValue = "value-value-value-value-value-";

TEST(LegacyMessage, WritesExactlyWhatKafkaPythonWritesForMagic0) {
  const std::string key = "key";
  const std::string first = kFirstValue;
  const std::string second = "second";
  std::vector<uint8_t> out;
  append_legacy_message(0, {0, 0, kNoTimestamp, bytes_of(key), bytes_of(first)}, out);
  append_legacy_message(0, {1, 0, kNoTimestamp, std::nullopt, bytes_of(second)}, out);
  EXPECT_EQ(out, std::vector<uint8_t>(testing::kKafkaPythonV0None.begin(),
                                      testing::kKafkaPythonV0None.end()));
}

TEST(LegacyMessage, WritesExactlyWhatKafkaPythonWritesForMagic1) {
  const std::string key = "key";
  const std::string first = kFirstValue;
  const std::string second = "second";
  std::vector<uint8_t> out;
  append_legacy_message(1, {0, 0, 1700000000000, bytes_of(key), bytes_of(first)}, out);
  append_legacy_message(1, {1, 0, 1700000000003, std::nullopt, bytes_of(second)}, out);
  EXPECT_EQ(out, std::vector<uint8_t>(testing::kKafkaPythonV1None.begin(),
                                      testing::kKafkaPythonV1None.end()));
}

TEST(LegacyMessage, ParsesFieldsOfAnUncompressedSet) {
  LegacyMessageIterator messages(testing::kKafkaPythonV1None);
  LegacyMessage message;
  ASSERT_TRUE(messages.next(message));
  EXPECT_EQ(message.offset, 0);
  EXPECT_EQ(message.magic, 1);
  EXPECT_EQ(message.timestamp_ms, 1700000000000);
  EXPECT_FALSE(message.is_log_append_time());
  EXPECT_EQ(text_of(message.key), "key");
  EXPECT_EQ(text_of(message.value), kFirstValue);
  ASSERT_TRUE(messages.next(message));
  EXPECT_EQ(message.offset, 1);
  EXPECT_FALSE(message.key.has_value());
  EXPECT_EQ(text_of(message.value), "second");
  EXPECT_FALSE(messages.next(message));
  EXPECT_EQ(messages.error(), LegacyError::kNone);
}

struct Fixture {
  const char* name;
  std::span<const uint8_t> data;
  int8_t magic;
  compression::Codec codec;
};

class LegacyClientSets : public ::testing::TestWithParam<Fixture> {};

// Compressed sets: the client leaves the wrapper offset to the broker, so set it as a broker
// would (outside the CRC). Magic 1 inner offsets are relative to it; magic 0 ones are absolute
// already, whatever the wrapper says.
TEST_P(LegacyClientSets, DecodesEveryCodecWithAbsoluteOffsets) {
  const Fixture& fixture = GetParam();
  std::vector<uint8_t> data(fixture.data.begin(), fixture.data.end());
  const bool compressed = fixture.codec != compression::Codec::kNone;
  if (compressed) store_be<int64_t>(data.data(), 101);
  const int64_t base = compressed && fixture.magic == 1 ? 100 : 0;
  LegacyError error = LegacyError::kNone;
  std::vector<std::string> keys, values;
  const auto records = read_all(data, error, keys, values);
  ASSERT_EQ(error, LegacyError::kNone) << to_string(error);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].offset, base);
  EXPECT_EQ(records[1].offset, base + 1);
  EXPECT_EQ(keys, (std::vector<std::string>{"key", "<null>"}));
  EXPECT_EQ(values, (std::vector<std::string>{kFirstValue, "second"}));
  for (const auto& record : records) {
    EXPECT_EQ(record.magic, fixture.magic);
    EXPECT_EQ(record.wrapper_compression, fixture.codec);
  }
  if (fixture.magic == 1) {
    EXPECT_EQ(records[0].timestamp_ms, 1700000000000);
    EXPECT_EQ(records[1].timestamp_ms, 1700000000003);
  } else {
    EXPECT_EQ(records[0].timestamp_ms, kNoTimestamp);
  }
}

INSTANTIATE_TEST_SUITE_P(
    KafkaPython, LegacyClientSets,
    ::testing::Values(
        Fixture{"v0_none", testing::kKafkaPythonV0None, 0, compression::Codec::kNone},
        Fixture{"v0_gzip", testing::kKafkaPythonV0Gzip, 0, compression::Codec::kGzip},
        Fixture{"v0_snappy", testing::kKafkaPythonV0Snappy, 0, compression::Codec::kSnappy},
        Fixture{"v1_none", testing::kKafkaPythonV1None, 1, compression::Codec::kNone},
        Fixture{"v1_gzip", testing::kKafkaPythonV1Gzip, 1, compression::Codec::kGzip},
        Fixture{"v1_snappy", testing::kKafkaPythonV1Snappy, 1, compression::Codec::kSnappy},
        Fixture{"v1_lz4", testing::kKafkaPythonV1Lz4, 1, compression::Codec::kLz4}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(LegacyMessage, EveryTruncationIsAnErrorNeverACrash) {
  const std::span<const uint8_t> whole = testing::kKafkaPythonV1None;
  const size_t first_entry = 12 + 0x37;
  for (size_t size = 1; size < first_entry; ++size) {
    LegacyMessage message;
    size_t consumed = 1;
    EXPECT_EQ(parse_legacy_message(whole.first(size), true, message, consumed),
              LegacyError::kTruncated)
        << size;
    EXPECT_EQ(consumed, 0u);
  }
}

TEST(LegacyMessage, RejectsBadCrcMagicSizeLengthAndCodec) {
  const auto parse = [](std::vector<uint8_t> data) {
    LegacyMessage message;
    size_t consumed = 0;
    return parse_legacy_message(data, true, message, consumed);
  };
  const std::vector<uint8_t> good(testing::kKafkaPythonV0None.begin(),
                                  testing::kKafkaPythonV0None.begin() + 12 + 0x2f);
  ASSERT_EQ(parse(good), LegacyError::kNone);

  auto corrupt = good;
  corrupt.back() ^= 0x01;  // inside the value, covered by the CRC
  EXPECT_EQ(parse(corrupt), LegacyError::kBadCrc);

  auto magic = good;
  magic[kLegacyMagicOffset] = 2;
  EXPECT_EQ(parse(magic), LegacyError::kBadMagic);

  auto small = good;
  store_be<int32_t>(small.data() + kLegacySizeOffset, kLegacyMinSizeV0 - 1);
  EXPECT_EQ(parse(small), LegacyError::kBadSize);

  auto negative_key = good;
  store_be<int32_t>(negative_key.data() + 18, -2);
  EXPECT_EQ(parse(negative_key), LegacyError::kBadLength);

  auto long_key = good;
  store_be<int32_t>(long_key.data() + 18, 1000);
  EXPECT_EQ(parse(long_key), LegacyError::kBadSize);

  auto zstd = good;
  zstd[kLegacyMagicOffset + 1] = static_cast<uint8_t>(compression::Codec::kZstd);
  EXPECT_EQ(parse(zstd), LegacyError::kBadCompression);

  auto negative_size = good;
  store_be<int32_t>(negative_size.data() + kLegacySizeOffset, -5);
  EXPECT_EQ(parse(negative_size), LegacyError::kBadSize);
}

TEST(LegacyMessage, NestedCompressionAndEmptyWrapperAreRefused) {
  // A wrapper whose inner message is itself a compressed wrapper.
  std::vector<uint8_t> inner(testing::kKafkaPythonV1Gzip.begin(),
                             testing::kKafkaPythonV1Gzip.end());
  std::vector<uint8_t> value;
  ASSERT_TRUE(compression::compress(compression::Codec::kGzip, inner, value));
  std::vector<uint8_t> nested;
  append_legacy_message(1, {5, 1, 0, std::nullopt, value}, nested);
  LegacyError error = LegacyError::kNone;
  std::vector<std::string> keys, values;
  read_all(nested, error, keys, values);
  EXPECT_EQ(error, LegacyError::kBadCompression);

  std::vector<uint8_t> null_value;
  append_legacy_message(1, {5, 1, 0, std::nullopt, std::nullopt}, null_value);
  read_all(null_value, error, keys, values);
  EXPECT_EQ(error, LegacyError::kDecompressFailed);
}

TEST(LegacyMessage, WrapperLargerThanTheLimitFails) {
  std::vector<uint8_t> data(testing::kKafkaPythonV1Gzip.begin(), testing::kKafkaPythonV1Gzip.end());
  LegacyReadScratch scratch;
  EXPECT_EQ(read_legacy_records(data, 16, scratch, [](const LegacyRecord&) {}),
            LegacyError::kDecompressFailed);
}

// Random corruption of every client set: the reader returns an error or succeeds, and the
// sanitizers see no undefined behaviour.
TEST(LegacyMessage, HostileMutationsNeverMisbehave) {
  std::mt19937 random(20240601);
  const std::span<const uint8_t> sets[] = {
      testing::kKafkaPythonV0None, testing::kKafkaPythonV0Gzip, testing::kKafkaPythonV0Snappy,
      testing::kKafkaPythonV1None, testing::kKafkaPythonV1Gzip, testing::kKafkaPythonV1Snappy,
      testing::kKafkaPythonV1Lz4};
  LegacyReadScratch scratch;
  size_t visited = 0;
  for (int round = 0; round < 4000; ++round) {
    const auto set = sets[round % std::size(sets)];
    std::vector<uint8_t> data(set.begin(), set.end());
    const int flips = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < flips; ++i) data[random() % data.size()] = static_cast<uint8_t>(random());
    if (round % 3 == 0) data.resize(random() % (data.size() + 1));
    // Without the CRC check, corruption reaches the length and decompression paths too.
    LegacyMessageIterator shallow(data, /*verify_crc=*/round % 2 == 0);
    LegacyMessage message;
    while (shallow.next(message)) ++visited;
    static_cast<void>(
        read_legacy_records(data, 1 << 16, scratch, [&](const LegacyRecord&) { ++visited; }));
  }
  EXPECT_GT(visited, 0u);
}

// Corrupt compressed values behind a valid CRC reach the decompressors and the inner parser.
TEST(LegacyMessage, CorruptWrapperValuesWithValidCrcNeverMisbehave) {
  std::mt19937 random(7);
  const std::span<const uint8_t> wrappers[] = {
      testing::kKafkaPythonV0Gzip, testing::kKafkaPythonV0Snappy, testing::kKafkaPythonV1Gzip,
      testing::kKafkaPythonV1Snappy, testing::kKafkaPythonV1Lz4};
  LegacyReadScratch scratch;
  for (int round = 0; round < 4000; ++round) {
    const auto set = wrappers[round % std::size(wrappers)];
    LegacyMessage wrapper;
    size_t consumed = 0;
    ASSERT_EQ(parse_legacy_message(set, true, wrapper, consumed), LegacyError::kNone);
    std::vector<uint8_t> value(wrapper.value->begin(), wrapper.value->end());
    const int flips = 1 + static_cast<int>(random() % 3);
    for (int i = 0; i < flips; ++i) value[random() % value.size()] = static_cast<uint8_t>(random());
    if (round % 4 == 0) value.resize(random() % (value.size() + 1));
    std::vector<uint8_t> data;
    append_legacy_message(
        wrapper.magic,
        {wrapper.offset, wrapper.attributes, wrapper.timestamp_ms, std::nullopt, value}, data);
    static_cast<void>(read_legacy_records(data, 1 << 16, scratch, [](const LegacyRecord&) {}));
  }
}

}  // namespace
}  // namespace eddy::records
