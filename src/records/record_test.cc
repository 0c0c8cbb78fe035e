#include "records/record.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "records/byte_order.h"
#include "records/test_batches.h"

namespace eddy::records {
namespace {

using testing::kHandWrittenBatch;

constexpr size_t kMaxDecompressed = 1 << 20;

std::string text(std::span<const uint8_t> bytes) {
  return {bytes.begin(), bytes.end()};
}

std::span<const uint8_t> hand_written_records() {
  return std::span<const uint8_t>(kHandWrittenBatch).subspan(kBatchHeaderSize);
}

TEST(Records, DecodesHandWrittenBatch) {
  RecordIterator it(hand_written_records(), 2);
  RecordView record;
  ASSERT_TRUE(it.next(record));
  EXPECT_EQ(record.attributes, 0);
  EXPECT_EQ(record.timestamp_delta, 0);
  EXPECT_EQ(record.offset_delta, 0);
  ASSERT_TRUE(record.key.has_value());
  EXPECT_EQ(text(*record.key), "k");
  ASSERT_TRUE(record.value.has_value());
  EXPECT_EQ(text(*record.value), "v");
  EXPECT_EQ(record.header_count, 0);

  ASSERT_TRUE(it.next(record));
  EXPECT_EQ(record.timestamp_delta, 5);
  EXPECT_EQ(record.offset_delta, 1);
  EXPECT_FALSE(record.key.has_value());
  EXPECT_EQ(text(*record.value), "hello");
  ASSERT_EQ(record.header_count, 1);
  HeaderIterator headers(record);
  HeaderView header;
  ASSERT_TRUE(headers.next(header));
  EXPECT_EQ(text(header.key), "h");
  ASSERT_TRUE(header.value.has_value());
  EXPECT_EQ(text(*header.value), "x");
  EXPECT_FALSE(headers.next(header));

  EXPECT_FALSE(it.next(record));
  EXPECT_EQ(it.error(), RecordError::kNone);
  EXPECT_EQ(it.records_read(), 2);
}

TEST(Records, ValidateWholeBatch) {
  BatchHeader header;
  ASSERT_EQ(parse_batch_header(kHandWrittenBatch, header), BatchError::kNone);
  std::vector<uint8_t> scratch;
  EXPECT_EQ(validate_records(kHandWrittenBatch, header, scratch, kMaxDecompressed),
            RecordError::kNone);
}

RecordError iterate_all(std::span<const uint8_t> region, int32_t expected_count) {
  RecordIterator it(region, expected_count);
  RecordView record;
  int guard = 0;
  while (it.next(record)) {
    EXPECT_LE(++guard, expected_count);
  }
  return it.error();
}

TEST(Records, CountMismatchBothWays) {
  EXPECT_EQ(iterate_all(hand_written_records(), 1), RecordError::kCountMismatch);
  EXPECT_EQ(iterate_all(hand_written_records(), 3), RecordError::kCountMismatch);
  EXPECT_EQ(iterate_all(hand_written_records(), 0), RecordError::kCountMismatch);
  EXPECT_EQ(iterate_all({}, 0), RecordError::kNone);
}

TEST(Records, TruncatedAtEveryByteFails) {
  auto full = hand_written_records();
  for (size_t size = 0; size < full.size(); ++size) {
    std::vector<uint8_t> prefix(full.begin(), full.begin() + size);  // exact heap size for asan
    EXPECT_NE(iterate_all(prefix, 2), RecordError::kNone) << size;
  }
}

TEST(Records, MalformedFieldsAreReported) {
  struct Case {
    std::vector<uint8_t> bytes;
    RecordError expected;
  };
  std::vector<Case> cases = {
      // length varint never terminates
      {{0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, RecordError::kBadVarint},
      // negative record length
      {{0x01}, RecordError::kBadLength},
      // record length past the region
      {{0x40, 0x00}, RecordError::kTruncated},
      // offset delta varint too long inside the record
      {{0x10, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, RecordError::kBadVarint},
      // key length -2
      {{0x0a, 0x00, 0x00, 0x00, 0x03, 0x01}, RecordError::kBadLength},
      // negative header count (-1)
      {{0x0c, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01}, RecordError::kBadHeaderCount},
      // negative header key length
      {{0x0e, 0x00, 0x00, 0x00, 0x01, 0x01, 0x02, 0x01}, RecordError::kBadLength},
      // header count 2 but only one header
      {{0x10, 0x00, 0x00, 0x00, 0x01, 0x01, 0x04, 0x00, 0x01}, RecordError::kTruncated},
      // fields end before the declared length (one spare byte)
      {{0x0e, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00}, RecordError::kSizeMismatch},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(iterate_all(cases[i].bytes, 1), cases[i].expected) << "case " << i;
  }
}

TEST(Records, RandomMutationsNeverCrash) {
  std::mt19937_64 random(7);
  auto full = hand_written_records();
  for (int round = 0; round < 5000; ++round) {
    std::vector<uint8_t> mutated(full.begin(), full.end());
    int flips = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < flips; ++i) {
      mutated[random() % mutated.size()] = static_cast<uint8_t>(random());
    }
    mutated.resize(random() % (mutated.size() + 1));
    RecordIterator it(mutated, 2);
    RecordView record;
    while (it.next(record)) {
      HeaderIterator headers(record);
      HeaderView header;
      while (headers.next(header)) {
      }
    }
  }
}

void expect_kafka_python_batch(std::span<const uint8_t> batch, compression::Codec compression) {
  BatchHeader header;
  ASSERT_EQ(parse_batch_header(batch, header), BatchError::kNone);
  ASSERT_EQ(header.total_size_bytes(), batch.size());
  EXPECT_TRUE(verify_batch_crc(batch));
  EXPECT_EQ(header.compression(), compression);
  EXPECT_EQ(header.base_offset, 0);
  EXPECT_EQ(header.last_offset_delta, 1);
  EXPECT_EQ(header.base_timestamp, 1700000000000);
  EXPECT_EQ(header.max_timestamp, 1700000000003);
  EXPECT_EQ(header.producer_id, 4242);
  EXPECT_EQ(header.producer_epoch, 1);
  EXPECT_EQ(header.base_sequence, 10);
  EXPECT_EQ(header.record_count, 2);
  EXPECT_EQ(validate_produced_batch(header), BatchError::kNone);

  std::vector<uint8_t> scratch;
  std::span<const uint8_t> region;
  ASSERT_EQ(records_region(batch, header, scratch, kMaxDecompressed, region), RecordError::kNone);
  RecordIterator it(region, header.record_count);
  RecordView record;
  ASSERT_TRUE(it.next(record));
  EXPECT_EQ(record.offset_delta, 0);
  EXPECT_EQ(record.timestamp_delta, 0);
  EXPECT_EQ(text(*record.key), "key");
  EXPECT_EQ(text(*record.value), "value-value-value-value-value-");
  ASSERT_EQ(record.header_count, 1);
  HeaderIterator headers(record);
  HeaderView header_view;
  ASSERT_TRUE(headers.next(header_view));
  EXPECT_EQ(text(header_view.key), "h");
  EXPECT_EQ(text(*header_view.value), "v");
  ASSERT_TRUE(it.next(record));
  EXPECT_EQ(record.offset_delta, 1);
  EXPECT_EQ(record.timestamp_delta, 3);
  EXPECT_FALSE(record.key.has_value());
  EXPECT_EQ(text(*record.value), "second");
  EXPECT_EQ(record.header_count, 0);
  EXPECT_FALSE(it.next(record));
  EXPECT_EQ(it.error(), RecordError::kNone);
}

TEST(Records, ReadsBatchWrittenByKafkaPython) {
  expect_kafka_python_batch(testing::kKafkaPythonNoneBatch, compression::Codec::kNone);
}

TEST(Records, ReadsGzipBatchWrittenByKafkaPython) {
  expect_kafka_python_batch(testing::kKafkaPythonGzipBatch, compression::Codec::kGzip);
}

TEST(Records, CorruptCompressedRegionFails) {
  std::vector<uint8_t> batch(kHandWrittenBatch.begin(), kHandWrittenBatch.end());
  store_be<int16_t>(batch.data() + kAttributesOffset,
                    static_cast<int16_t>(compression::Codec::kZstd));
  BatchHeader header;
  ASSERT_EQ(parse_batch_header(batch, header), BatchError::kNone);
  std::vector<uint8_t> scratch;
  EXPECT_EQ(validate_records(batch, header, scratch, kMaxDecompressed),
            RecordError::kDecompressFailed);
}

}  // namespace
}  // namespace eddy::records
