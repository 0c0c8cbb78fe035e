#include "metadata/log_records.h"

#include <random>

#include <gtest/gtest.h>

#include "metadata/state_machine.h"

namespace eddy::metadata {
namespace {

Uuid id_of(uint8_t seed) {
  Uuid id;
  for (size_t i = 0; i < id.bytes.size(); ++i) id.bytes[i] = static_cast<uint8_t>(seed + i);
  return id;
}

std::vector<Record> sample_records() {
  return {
      RegisterBrokerRecord{1, {{"PLAINTEXT", "localhost", 9092}, {"SSL", "h", 9093}}, "rack-a"},
      RegisterBrokerRecord{2, {}, std::nullopt},
      TopicRecord{"orders", id_of(1)},
      PartitionRecord{id_of(1), 0, {1}, {1}, 1, 3, 7},
      PartitionRecord{id_of(1), 1, {1, 2, 3}, {}, -1, 0, 0},
      ConfigRecord{ConfigResourceType::kTopic, "orders", "retention.ms", "1000"},
      ConfigRecord{ConfigResourceType::kBroker, "", "log.retention.ms", std::nullopt},
      ConfigRecord{ConfigResourceType::kTopic, "orders", "empty.value", ""},
      RemoveTopicRecord{id_of(1)},
  };
}

TEST(MetadataRecords, BatchRoundTrip) {
  std::vector<Record> records = sample_records();
  std::vector<uint8_t> bytes = encode_batch(records);
  DecodeResult decoded = decode_batch(bytes.data(), bytes.size());
  ASSERT_TRUE(decoded.ok()) << decoded.error;
  EXPECT_EQ(decoded.records, records);
}

TEST(MetadataRecords, EmptyBatchRoundTrip) {
  std::vector<uint8_t> bytes = encode_batch({});
  DecodeResult decoded = decode_batch(bytes.data(), bytes.size());
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded.records.empty());
}

TEST(MetadataRecords, EveryTruncationIsAnError) {
  std::vector<uint8_t> bytes = encode_batch(sample_records());
  for (size_t size = 0; size < bytes.size(); ++size) {
    DecodeResult decoded = decode_batch(bytes.data(), size);
    EXPECT_FALSE(decoded.ok()) << "prefix of " << size << " bytes decoded";
  }
}

TEST(MetadataRecords, TrailingBytesAreAnError) {
  std::vector<uint8_t> bytes = encode_batch(sample_records());
  bytes.push_back(0);
  EXPECT_FALSE(decode_batch(bytes.data(), bytes.size()).ok());
}

TEST(MetadataRecords, UnknownTypeVersionAndMagicAreErrors) {
  std::vector<uint8_t> good = encode_batch({TopicRecord{"t", id_of(9)}});
  // Header: magic(1) version(1) count(4); frame: type(2) version(2) length(4).
  std::vector<uint8_t> bad_magic = good;
  bad_magic[0] ^= 0xff;
  std::vector<uint8_t> bad_type = good;
  bad_type[7] = 99;
  std::vector<uint8_t> bad_version = good;
  bad_version[9] = 1;
  std::vector<uint8_t> reserved_type = good;
  reserved_type[7] = static_cast<uint8_t>(RecordType::kProducerIds);
  for (const auto& bytes : {bad_magic, bad_type, bad_version, reserved_type}) {
    EXPECT_FALSE(decode_batch(bytes.data(), bytes.size()).ok());
  }
}

TEST(MetadataRecords, HugeCountsDoNotAllocate) {
  // A record count and an array count far beyond the input size must fail fast.
  std::vector<uint8_t> bytes = {0xED, 1, 0xff, 0xff, 0xff, 0xff};
  EXPECT_FALSE(decode_batch(bytes.data(), bytes.size()).ok());
  std::vector<uint8_t> partition = encode_batch({PartitionRecord{id_of(1), 0, {1}, {1}, 1, 0, 0}});
  // The replicas count follows header(6) + frame(8) + uuid(16) + index(4).
  size_t count_at = 6 + 8 + 16 + 4;
  for (size_t i = 0; i < 4; ++i) partition[count_at + i] = 0xff;
  EXPECT_FALSE(decode_batch(partition.data(), partition.size()).ok());
}

TEST(MetadataRecords, RandomCorruptionNeverCrashes) {
  std::vector<uint8_t> good = encode_batch(sample_records());
  std::mt19937 random(12345);
  for (int round = 0; round < 5000; ++round) {
    std::vector<uint8_t> bytes = good;
    int flips = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < flips; ++i) bytes[random() % bytes.size()] = static_cast<uint8_t>(random());
    bytes.resize(random() % (bytes.size() + 1));
    DecodeResult decoded = decode_batch(bytes.data(), bytes.size());
    // Whatever decodes must re-encode to the same bytes (no silent misreads).
    if (decoded.ok()) {
      EXPECT_EQ(encode_batch(decoded.records), bytes);
    }
  }
}

TEST(MetadataRecords, RandomBytesNeverCrashSnapshotDecode) {
  std::mt19937 random(777);
  for (int round = 0; round < 2000; ++round) {
    std::vector<uint8_t> bytes(random() % 64);
    for (uint8_t& byte : bytes) byte = static_cast<uint8_t>(random());
    if (!bytes.empty()) bytes[0] = 0x45;
    EXPECT_FALSE(decode_snapshot(bytes.data(), bytes.size()).ok());
  }
}

}  // namespace
}  // namespace eddy::metadata
