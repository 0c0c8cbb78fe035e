// The produce validation pass on its own: every malformed shape gets Kafka's error code, and
// what passes comes with the summary storage asserts.

#include "broker/produce/validator.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "records/test_batches.h"
#include "records/test_forge.h"
#include "records/varint.h"

namespace eddy::broker {
namespace {

using protocol::ErrorCode;
using records::testing::forge_batch;
using records::testing::forge_good_batch;
using records::testing::forge_record;
using records::testing::forge_records;
using records::testing::ForgeOptions;
using records::testing::kForgeTimestamp;

constexpr int16_t kVersion = 9;
constexpr int64_t kNow = kForgeTimestamp + 1000;

std::vector<uint8_t> concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

class ValidatorTest : public ::testing::Test {
 protected:
  ValidatedRecords validate(std::vector<uint8_t>& bytes, int16_t version = kVersion,
                            const ProducePolicy& policy = {}) {
    return validate_produce_records(bytes, version, policy, kNow, scratch_);
  }
  ErrorCode error_of(std::vector<uint8_t> bytes, int16_t version = kVersion,
                     const ProducePolicy& policy = {}) {
    return validate(bytes, version, policy).error;
  }

  ProduceValidationScratch scratch_;
};

TEST_F(ValidatorTest, AWellFormedBatchPassesWithItsSummary) {
  auto bytes = forge_good_batch(10);
  const ValidatedRecords result = validate(bytes);
  ASSERT_EQ(result.error, ErrorCode::kNone) << result.message;
  EXPECT_EQ(result.batches.data(), bytes.data());  // appended in place, no copy
  EXPECT_EQ(result.summary.record_count, 10);
  EXPECT_EQ(result.summary.offset_count, 10);
  EXPECT_EQ(result.summary.max_timestamp_ms, kForgeTimestamp + 9);
}

TEST_F(ValidatorTest, BatchesFromARealClientPass) {
  for (std::span<const uint8_t> batch :
       {std::span<const uint8_t>(records::testing::kKafkaPythonNoneBatch),
        std::span<const uint8_t>(records::testing::kKafkaPythonGzipBatch)}) {
    std::vector<uint8_t> bytes(batch.begin(), batch.end());
    EXPECT_EQ(validate(bytes).error, ErrorCode::kNone);
  }
}

class ValidatorCodecTest : public ValidatorTest,
                           public ::testing::WithParamInterface<compression::Codec> {
 protected:
  ForgeOptions options() const { return {.compression = GetParam()}; }
};

TEST_P(ValidatorCodecTest, CountTooHigh) {
  EXPECT_EQ(error_of(forge_batch(forge_records(3), INT32_MAX, INT32_MAX - 1, options())),
            ErrorCode::kInvalidRecord);
}

TEST_P(ValidatorCodecTest, CountTooLow) {
  EXPECT_EQ(error_of(forge_batch(forge_records(5), 3, 2, options())), ErrorCode::kInvalidRecord);
}

TEST_P(ValidatorCodecTest, RecordLongerThanTheBatch) {
  auto record = forge_record(0);
  record[0] = 0x7e;
  EXPECT_EQ(error_of(forge_batch(record, 1, 0, options())), ErrorCode::kInvalidRecord);
}

TEST_P(ValidatorCodecTest, JunkBetweenRecords) {
  auto region = concat({forge_record(0), {0x01, 0x02, 0x03}, forge_record(1)});
  EXPECT_EQ(error_of(forge_batch(region, 2, 1, options())), ErrorCode::kInvalidRecord);
}

TEST_P(ValidatorCodecTest, BadVarint) {
  std::vector<uint8_t> region = {0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  EXPECT_EQ(error_of(forge_batch(region, 1, 0, options())), ErrorCode::kInvalidRecord);
}

TEST_P(ValidatorCodecTest, OffsetDeltasOutOfOrder) {
  auto region = concat({forge_record(1), forge_record(0)});
  EXPECT_EQ(error_of(forge_batch(region, 2, 1, options())), ErrorCode::kInvalidRecord);
}

TEST_P(ValidatorCodecTest, CountAndOffsetRangeDisagree) {
  EXPECT_EQ(error_of(forge_batch(forge_records(3), 3, 5, options())), ErrorCode::kInvalidRecord);
}

INSTANTIATE_TEST_SUITE_P(Codecs, ValidatorCodecTest,
                         ::testing::Values(compression::Codec::kNone, compression::Codec::kGzip,
                                           compression::Codec::kSnappy, compression::Codec::kLz4,
                                           compression::Codec::kZstd),
                         [](const auto& param_info) {
                           return "codec" + std::to_string(int(param_info.param));
                         });

class ValidatorPayloadTest : public ValidatorTest,
                             public ::testing::WithParamInterface<compression::Codec> {};

TEST_P(ValidatorPayloadTest, GarbageCompressedPayload) {
  std::vector<uint8_t> garbage(200);
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<uint8_t>(i * 13 + 1);
  const ValidatedRecords result = [&] {
    auto bytes = forge_batch(garbage, 1, 0, {.compression = GetParam(), .compress_region = false});
    return validate(bytes);
  }();
  EXPECT_EQ(result.error, ErrorCode::kInvalidRecord);
  EXPECT_NE(result.message.find("decompression failed"), std::string::npos) << result.message;
}

TEST_P(ValidatorPayloadTest, OversizedCompressedPayload) {
  // A record announcing 100 MiB is refused before anything is inflated (the bound is 64 MiB;
  // records adding up past it are records_tests' CompressedPayloadTest).
  std::vector<uint8_t> region;
  records::append_varint(region, 100 << 20);
  region.resize(region.size() + 1000, 0);
  auto bytes = forge_batch(region, 1, 0, {.compression = GetParam()});
  const ValidatedRecords result = validate(bytes);
  EXPECT_EQ(result.error, ErrorCode::kInvalidRecord);
  EXPECT_NE(result.message.find("allowed maximum"), std::string::npos) << result.message;
}

INSTANTIATE_TEST_SUITE_P(Codecs, ValidatorPayloadTest,
                         ::testing::Values(compression::Codec::kGzip, compression::Codec::kSnappy,
                                           compression::Codec::kLz4, compression::Codec::kZstd),
                         [](const auto& param_info) {
                           return "codec" + std::to_string(int(param_info.param));
                         });

TEST_F(ValidatorTest, ShapeRules) {
  EXPECT_EQ(error_of({}), ErrorCode::kInvalidRecord);
  EXPECT_EQ(error_of(concat({forge_good_batch(1), forge_good_batch(1)})),
            ErrorCode::kInvalidRecord);  // exactly one batch
  EXPECT_EQ(error_of(concat({forge_good_batch(1), {0x00, 0x01}})), ErrorCode::kInvalidRecord);
  auto truncated = forge_good_batch(2);
  truncated.pop_back();
  EXPECT_EQ(error_of(truncated), ErrorCode::kCorruptMessage);
  EXPECT_EQ(error_of(forge_good_batch(1, {.compression = compression::Codec::kZstd}), 6),
            ErrorCode::kUnsupportedCompressionType);
  EXPECT_EQ(error_of(forge_good_batch(1, {.compression = compression::Codec::kZstd}), 7),
            ErrorCode::kNone);
  auto old_magic = forge_good_batch(1);
  old_magic[records::kMagicOffset] = 1;
  EXPECT_EQ(error_of(old_magic, 9), ErrorCode::kInvalidRecord);
  auto unknown_codec = forge_good_batch(1, {.extra_attributes = 6});
  EXPECT_EQ(error_of(unknown_codec), ErrorCode::kUnsupportedCompressionType);
}

TEST_F(ValidatorTest, BatchRules) {
  auto corrupt = forge_good_batch(3);
  corrupt.back() ^= 0x40;
  EXPECT_EQ(error_of(corrupt), ErrorCode::kCorruptMessage);
  EXPECT_EQ(error_of(forge_good_batch(1, {.base_offset = 5})), ErrorCode::kInvalidRecord);
  EXPECT_EQ(error_of(forge_good_batch(1, {.extra_attributes = records::kControlBit})),
            ErrorCode::kInvalidRecord);
  EXPECT_EQ(error_of(forge_good_batch(1, {.producer_id = 7, .base_sequence = -1})),
            ErrorCode::kInvalidRecord);
  EXPECT_EQ(error_of(forge_good_batch(1, {.producer_id = 7, .base_sequence = 0})),
            ErrorCode::kNone);
  EXPECT_EQ(error_of(forge_good_batch(1, {.extra_attributes = records::kTimestampTypeBit})),
            ErrorCode::kInvalidTimestamp);
  EXPECT_EQ(error_of(forge_batch(forge_records(0), 0, -1)), ErrorCode::kInvalidRecord);
}

TEST_F(ValidatorTest, CompactedTopicsNeedKeys) {
  const ProducePolicy compacted{.compacted = true};
  auto region = concat({forge_record(0), forge_record(1, std::nullopt), forge_record(2)});
  auto bytes = forge_batch(region, 3, 2);
  const ValidatedRecords result = validate(bytes, kVersion, compacted);
  EXPECT_EQ(result.error, ErrorCode::kInvalidRecord);
  ASSERT_EQ(result.record_errors.size(), 1u);
  EXPECT_EQ(result.record_errors[0].batch_index, 1);
}

TEST_F(ValidatorTest, RecordErrorsAreBounded) {
  const ProducePolicy compacted{.compacted = true};
  std::vector<uint8_t> region;
  for (int32_t i = 0; i < 1000; ++i) {
    auto record = forge_record(i, std::nullopt);
    region.insert(region.end(), record.begin(), record.end());
  }
  auto bytes = forge_batch(region, 1000, 999);
  EXPECT_EQ(validate(bytes, kVersion, compacted).record_errors.size(), kMaxRecordErrors);
}

TEST_F(ValidatorTest, TimestampBounds) {
  const ProducePolicy bounded{.timestamp_before_max_ms = 500, .timestamp_after_max_ms = 500};
  auto region = concat({forge_record(0, "a", "v", 0), forge_record(1, "b", "v", 900)});
  auto bytes = forge_batch(region, 2, 1);
  const ValidatedRecords result = validate(bytes, kVersion, bounded);
  EXPECT_EQ(result.error, ErrorCode::kInvalidTimestamp);
  ASSERT_EQ(result.record_errors.size(), 1u);
  EXPECT_EQ(result.record_errors[0].batch_index, 0);  // kNow - 1000 is too old; kNow - 100 is not
}

// Producer-chosen timestamps near the int64 limits wrap as Kafka's long arithmetic does; under
// UBSan an overflow here would abort.
TEST_F(ValidatorTest, ExtremeTimestampsWrapInsteadOfOverflowing) {
  const ProducePolicy bounded{.timestamp_before_max_ms = 500, .timestamp_after_max_ms = 500};
  auto region = concat({forge_record(0, "a", "v", INT64_MAX), forge_record(1, "b", "v", 0)});
  auto bytes = forge_batch(region, 2, 1);
  const ValidatedRecords result = validate(bytes, kVersion, bounded);
  EXPECT_EQ(result.error, ErrorCode::kInvalidTimestamp);
  auto unbounded = forge_batch(region, 2, 1);
  EXPECT_EQ(validate(unbounded).error, ErrorCode::kNone);
}

TEST_F(ValidatorTest, AWrongMaxTimestampIsCorrectedWithAValidCrc) {
  auto bytes = forge_good_batch(4, {.max_timestamp = 5});
  const ValidatedRecords result = validate(bytes);
  ASSERT_EQ(result.error, ErrorCode::kNone);
  records::BatchHeader header;
  ASSERT_EQ(records::parse_batch_header(bytes, header), records::BatchError::kNone);
  EXPECT_EQ(header.max_timestamp, kForgeTimestamp + 3);
  EXPECT_TRUE(records::verify_batch_crc(bytes));
}

TEST_F(ValidatorTest, RecompressesToTheTopicsCodec) {
  const ProducePolicy zstd{.recompress_to = compression::Codec::kZstd};
  auto bytes = forge_good_batch(50);
  const ValidatedRecords result = validate(bytes, kVersion, zstd);
  ASSERT_EQ(result.error, ErrorCode::kNone);
  records::BatchHeader header;
  ASSERT_EQ(records::parse_batch_header(result.batches, header), records::BatchError::kNone);
  EXPECT_EQ(header.compression(), compression::Codec::kZstd);
  EXPECT_EQ(header.record_count, 50);
  EXPECT_EQ(result.summary.record_count, 50);
}

}  // namespace
}  // namespace eddy::broker
