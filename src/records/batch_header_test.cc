#include "records/batch_header.h"

#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "records/byte_order.h"
#include "records/test_batches.h"

namespace eddy::records {
namespace {

using testing::kHandWrittenBatch;

std::vector<uint8_t> hand_written() {
  return {kHandWrittenBatch.begin(), kHandWrittenBatch.end()};
}

TEST(BatchHeader, ParsesEveryFieldOfHandWrittenBatch) {
  BatchHeader header;
  ASSERT_EQ(parse_batch_header(kHandWrittenBatch, header), BatchError::kNone);
  EXPECT_EQ(header.base_offset, 1000);
  EXPECT_EQ(header.batch_length, 74);
  EXPECT_EQ(header.partition_leader_epoch, 7);
  EXPECT_EQ(header.magic, 2);
  EXPECT_EQ(header.crc, 0x884B774Cu);
  EXPECT_EQ(header.attributes, 0);
  EXPECT_EQ(header.last_offset_delta, 1);
  EXPECT_EQ(header.base_timestamp, 1700000000000);
  EXPECT_EQ(header.max_timestamp, 1700000000005);
  EXPECT_EQ(header.producer_id, 12345);
  EXPECT_EQ(header.producer_epoch, 3);
  EXPECT_EQ(header.base_sequence, 42);
  EXPECT_EQ(header.record_count, 2);
  EXPECT_EQ(header.compression(), compression::Codec::kNone);
  EXPECT_FALSE(header.is_log_append_time());
  EXPECT_FALSE(header.is_transactional());
  EXPECT_FALSE(header.is_control());
  EXPECT_EQ(header.last_offset(), 1001);
  EXPECT_EQ(header.total_size_bytes(), kHandWrittenBatch.size());
  EXPECT_TRUE(verify_batch_crc(kHandWrittenBatch));
  EXPECT_EQ(validate_produced_batch(header), BatchError::kNone);
}

TEST(BatchHeader, AttributeBits) {
  BatchHeader header;
  header.attributes = 0x78 | 3;  // lz4 + every flag
  EXPECT_EQ(header.compression(), compression::Codec::kLz4);
  EXPECT_TRUE(header.is_log_append_time());
  EXPECT_TRUE(header.is_transactional());
  EXPECT_TRUE(header.is_control());
  EXPECT_TRUE(header.has_delete_horizon());
}

TEST(BatchHeader, TruncatedAtEveryByteIsReported) {
  for (size_t size = 0; size < kHandWrittenBatch.size(); ++size) {
    // A fresh heap copy of exactly `size` bytes so asan catches any read past the end.
    std::vector<uint8_t> prefix(kHandWrittenBatch.begin(), kHandWrittenBatch.begin() + size);
    BatchHeader header;
    EXPECT_EQ(parse_batch_header(prefix, header), BatchError::kTruncated) << size;
    EXPECT_FALSE(verify_batch_crc(prefix)) << size;
  }
}

TEST(BatchHeader, RejectsShortBatchLength) {
  auto bytes = hand_written();
  store_be<int32_t>(bytes.data() + kBatchLengthOffset, kMinBatchLength - 1);
  BatchHeader header;
  EXPECT_EQ(parse_batch_header(bytes, header), BatchError::kBadLength);
  store_be<int32_t>(bytes.data() + kBatchLengthOffset, -1);
  EXPECT_EQ(parse_batch_header(bytes, header), BatchError::kBadLength);
  store_be<int32_t>(bytes.data() + kBatchLengthOffset, INT32_MAX);
  EXPECT_EQ(parse_batch_header(bytes, header), BatchError::kTruncated);
}

TEST(BatchHeader, RejectsOldAndUnknownMagic) {
  for (int8_t magic : {0, 1, 3, -1}) {
    auto bytes = hand_written();
    bytes[kMagicOffset] = static_cast<uint8_t>(magic);
    BatchHeader header;
    EXPECT_EQ(parse_batch_header(bytes, header), BatchError::kBadMagic);
    EXPECT_EQ(header.magic, magic);
  }
}

TEST(BatchHeader, RejectsNegativeCountAndUnknownCodec) {
  auto bytes = hand_written();
  store_be<int32_t>(bytes.data() + kRecordCountOffset, -1);
  BatchHeader header;
  EXPECT_EQ(parse_batch_header(bytes, header), BatchError::kBadRecordCount);
  bytes = hand_written();
  store_be<int16_t>(bytes.data() + kAttributesOffset, 5);
  EXPECT_EQ(parse_batch_header(bytes, header), BatchError::kBadCompression);
}

TEST(BatchHeader, ProducedBatchNeedsDenseOffsets) {
  BatchHeader header;
  ASSERT_EQ(parse_batch_header(kHandWrittenBatch, header), BatchError::kNone);
  header.last_offset_delta = 5;
  EXPECT_EQ(validate_produced_batch(header), BatchError::kBadRecordCount);
  header.last_offset_delta = -1;
  header.record_count = 0;
  EXPECT_EQ(validate_produced_batch(header), BatchError::kBadRecordCount);
}

TEST(BatchHeader, CrcDetectsAnyFlippedByteInCoveredRange) {
  for (size_t i = kCrcCoverageStart; i < kHandWrittenBatch.size(); ++i) {
    auto bytes = hand_written();
    bytes[i] ^= 0x01;
    EXPECT_FALSE(verify_batch_crc(bytes)) << i;
  }
}

TEST(BatchHeader, BrokerFieldsPatchWithoutBreakingCrc) {
  auto bytes = hand_written();
  set_base_offset(bytes, 0x0102030405060708);
  set_partition_leader_epoch(bytes, 99);
  EXPECT_TRUE(verify_batch_crc(bytes));
  BatchHeader header;
  ASSERT_EQ(parse_batch_header(bytes, header), BatchError::kNone);
  EXPECT_EQ(header.base_offset, 0x0102030405060708);
  EXPECT_EQ(header.partition_leader_epoch, 99);
  EXPECT_EQ(header.crc, 0x884B774Cu);
}

TEST(BatchHeader, LogAppendTimeSetsBitAndRecomputesCrc) {
  auto bytes = hand_written();
  set_max_timestamp(bytes, 1800000000000);
  EXPECT_TRUE(verify_batch_crc(bytes));
  BatchHeader header;
  ASSERT_EQ(parse_batch_header(bytes, header), BatchError::kNone);
  EXPECT_EQ(header.max_timestamp, 1800000000000);
  EXPECT_TRUE(header.is_log_append_time());
  EXPECT_NE(header.crc, 0x884B774Cu);
}

TEST(BatchIterator, WalksConcatenatedBatches) {
  std::vector<uint8_t> buffer;
  for (int i = 0; i < 3; ++i)
    buffer.insert(buffer.end(), kHandWrittenBatch.begin(), kHandWrittenBatch.end());
  BatchIterator it(buffer);
  int count = 0;
  while (it.next()) {
    EXPECT_EQ(it.batch_position(), count * kHandWrittenBatch.size());
    EXPECT_EQ(it.batch().size(), kHandWrittenBatch.size());
    EXPECT_EQ(it.header().record_count, 2);
    ++count;
  }
  EXPECT_EQ(count, 3);
  EXPECT_EQ(it.error(), BatchError::kNone);
  EXPECT_EQ(it.valid_bytes(), buffer.size());
  EXPECT_FALSE(it.next());
}

TEST(BatchIterator, EmptyBufferHasNoBatches) {
  BatchIterator it(std::span<const uint8_t>{});
  EXPECT_FALSE(it.next());
  EXPECT_EQ(it.error(), BatchError::kNone);
  EXPECT_EQ(it.valid_bytes(), 0u);
}

TEST(BatchIterator, StopsAtTornTailWithValidPrefix) {
  std::vector<uint8_t> buffer = hand_written();
  for (size_t tail = 1; tail < kHandWrittenBatch.size(); ++tail) {
    std::vector<uint8_t> torn = buffer;
    torn.insert(torn.end(), kHandWrittenBatch.begin(), kHandWrittenBatch.begin() + tail);
    BatchIterator it(torn);
    EXPECT_TRUE(it.next());
    EXPECT_FALSE(it.next());
    EXPECT_EQ(it.error(), BatchError::kTruncated) << tail;
    EXPECT_EQ(it.valid_bytes(), kHandWrittenBatch.size());
  }
}

TEST(BatchIterator, StopsAtCorruptBatch) {
  std::vector<uint8_t> buffer = hand_written();
  buffer.insert(buffer.end(), kHandWrittenBatch.begin(), kHandWrittenBatch.end());
  buffer.back() ^= 0xFF;
  BatchIterator checked(buffer);
  EXPECT_TRUE(checked.next());
  EXPECT_FALSE(checked.next());
  EXPECT_EQ(checked.error(), BatchError::kBadCrc);
  EXPECT_EQ(checked.valid_bytes(), kHandWrittenBatch.size());

  BatchIterator unchecked(buffer, /*verify_crc=*/false);
  EXPECT_TRUE(unchecked.next());
  EXPECT_TRUE(unchecked.next());
  EXPECT_FALSE(unchecked.next());
  EXPECT_EQ(unchecked.error(), BatchError::kNone);
}

TEST(BatchIterator, MutatedHeadersNeverCrash) {
  std::mt19937_64 random(5);
  for (int round = 0; round < 20000; ++round) {
    std::vector<uint8_t> buffer = hand_written();
    buffer.insert(buffer.end(), kHandWrittenBatch.begin(), kHandWrittenBatch.end());
    buffer[random() % kBatchHeaderSize] = static_cast<uint8_t>(random());
    buffer.resize(random() % (buffer.size() + 1));
    BatchIterator it(buffer);
    while (it.next()) {
      EXPECT_LE(it.batch_position() + it.batch().size(), buffer.size());
    }
    EXPECT_LE(it.valid_bytes(), buffer.size());
  }
}

}  // namespace
}  // namespace eddy::records
