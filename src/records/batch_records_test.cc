// BatchRecordReader: every record of a batch, compressed or not, with the batch's own count
// and offset deltas enforced, and hostile shapes refused with their error.

#include "records/batch_records.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "records/test_batches.h"
#include "records/test_forge.h"

namespace eddy::records {
namespace {

using testing::forge_batch;
using testing::forge_record;
using testing::forge_records;
using testing::ForgeOptions;

struct Walk {
  RecordError error = RecordError::kNone;
  std::vector<std::string> values;
};

Walk walk(BatchRecordReader& reader, std::span<const uint8_t> batch) {
  BatchHeader header;
  EXPECT_EQ(parse_batch_header(batch, header), BatchError::kNone);
  reader.start(batch.first(header.total_size_bytes()), header);
  Walk out;
  RecordView record;
  while (reader.next(record)) {
    out.values.emplace_back(record.value->begin(), record.value->end());
  }
  out.error = reader.error();
  return out;
}

std::vector<uint8_t> concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

class BatchRecordReaderTest : public ::testing::TestWithParam<compression::Codec> {
 protected:
  ForgeOptions options() const { return {.compression = GetParam()}; }
  BatchRecordReader reader_;
};

TEST_P(BatchRecordReaderTest, WalksEveryRecord) {
  const Walk result = walk(reader_, forge_batch(forge_records(500), 500, 499, options()));
  EXPECT_EQ(result.error, RecordError::kNone);
  ASSERT_EQ(result.values.size(), 500u);
  EXPECT_EQ(result.values[0], "value-0");
  EXPECT_EQ(result.values[499], "value-499");
}

TEST_P(BatchRecordReaderTest, CountAboveTheRecordsHeld) {
  // The fuzz find: 2^31-1 records claimed, 3 held.
  auto batch = forge_batch(forge_records(3), INT32_MAX, INT32_MAX - 1, options());
  EXPECT_EQ(walk(reader_, batch).error, RecordError::kCountMismatch);
}

TEST_P(BatchRecordReaderTest, CountBelowTheRecordsHeld) {
  EXPECT_EQ(walk(reader_, forge_batch(forge_records(5), 3, 2, options())).error,
            RecordError::kCountMismatch);
}

TEST_P(BatchRecordReaderTest, RecordLongerThanTheBatch) {
  auto record = forge_record(0);
  record[0] = 0x7e;  // length 63, far more than the record's bytes
  EXPECT_EQ(walk(reader_, forge_batch(record, 1, 0, options())).error, RecordError::kTruncated);
}

TEST_P(BatchRecordReaderTest, JunkBetweenRecords) {
  auto region = concat({forge_record(0), {0x01, 0x02, 0x03}, forge_record(1)});
  EXPECT_NE(walk(reader_, forge_batch(region, 2, 1, options())).error, RecordError::kNone);
}

TEST_P(BatchRecordReaderTest, JunkAfterTheLastRecord) {
  auto region = concat({forge_records(2), {0x00}});
  EXPECT_EQ(walk(reader_, forge_batch(region, 2, 1, options())).error, RecordError::kCountMismatch);
}

TEST_P(BatchRecordReaderTest, BadVarint) {
  std::vector<uint8_t> region = {0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  EXPECT_EQ(walk(reader_, forge_batch(region, 1, 0, options())).error, RecordError::kBadVarint);
}

TEST_P(BatchRecordReaderTest, OffsetDeltasOutOfOrder) {
  auto region = concat({forge_record(1), forge_record(0)});
  EXPECT_EQ(walk(reader_, forge_batch(region, 2, 1, options())).error,
            RecordError::kBadOffsetDelta);
}

TEST_P(BatchRecordReaderTest, RecordFieldsShorterThanTheRecordLength) {
  auto record = forge_record(0);
  record.push_back(0x00);
  record[0] = static_cast<uint8_t>(record[0] + 2);  // zig-zag: length one more
  EXPECT_EQ(walk(reader_, forge_batch(record, 1, 0, options())).error, RecordError::kSizeMismatch);
}

INSTANTIATE_TEST_SUITE_P(Codecs, BatchRecordReaderTest,
                         ::testing::Values(compression::Codec::kNone, compression::Codec::kGzip,
                                           compression::Codec::kSnappy, compression::Codec::kLz4,
                                           compression::Codec::kZstd),
                         [](const auto& param_info) {
                           return "codec" + std::to_string(int(param_info.param));
                         });

class CompressedPayloadTest : public ::testing::TestWithParam<compression::Codec> {};

TEST_P(CompressedPayloadTest, GarbagePayloadFailsToDecompress) {
  std::vector<uint8_t> garbage(200);
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<uint8_t>(i * 13 + 1);
  BatchRecordReader reader;
  auto batch = forge_batch(garbage, 1, 0, {.compression = GetParam(), .compress_region = false});
  EXPECT_EQ(walk(reader, batch).error, RecordError::kDecompressFailed);
}

TEST_P(CompressedPayloadTest, OversizedPayloadStopsAtTheBound) {
  // One record whose value is 4 MiB of zeros, against a 1 MiB bound.
  auto record = forge_record(0, "k", std::string(4u << 20, '\0'));
  BatchRecordReader reader(1u << 20);
  EXPECT_EQ(walk(reader, forge_batch(record, 1, 0, {.compression = GetParam()})).error,
            RecordError::kDecompressedTooLarge);
  // Many small records adding up past the bound fail the same way.
  EXPECT_EQ(walk(reader,
                 forge_batch(forge_records(100'000), 100'000, 99'999, {.compression = GetParam()}))
                .error,
            RecordError::kDecompressedTooLarge);
}

TEST_P(CompressedPayloadTest, ReaderIsReusableAfterAFailure) {
  BatchRecordReader reader;
  std::vector<uint8_t> garbage(64, 0x5a);
  walk(reader, forge_batch(garbage, 1, 0, {.compression = GetParam(), .compress_region = false}));
  EXPECT_EQ(walk(reader, forge_batch(forge_records(10), 10, 9, {.compression = GetParam()}))
                .values.size(),
            10u);
}

INSTANTIATE_TEST_SUITE_P(Codecs, CompressedPayloadTest,
                         ::testing::Values(compression::Codec::kGzip, compression::Codec::kSnappy,
                                           compression::Codec::kLz4, compression::Codec::kZstd),
                         [](const auto& param_info) {
                           return "codec" + std::to_string(int(param_info.param));
                         });

TEST(BatchRecordReader, ReadsBatchesWrittenByARealClient) {
  BatchRecordReader reader;
  for (std::span<const uint8_t> batch :
       {std::span<const uint8_t>(testing::kKafkaPythonNoneBatch),
        std::span<const uint8_t>(testing::kKafkaPythonGzipBatch)}) {
    const Walk result = walk(reader, batch);
    EXPECT_EQ(result.error, RecordError::kNone);
    ASSERT_EQ(result.values.size(), 2u);
    EXPECT_EQ(result.values[1], "second");
  }
}

}  // namespace
}  // namespace eddy::records
