// The Produce core against real partition logs in a temporary directory: what passes
// validation lands at dense offsets, what does not leaves the log untouched, and clients
// cannot write internal topics.

#include "broker/handlers/produce.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "broker/testing/led_topics.h"
#include "records/test_forge.h"
#include "storage/test_util.h"

namespace eddy::broker {
namespace {

using protocol::ErrorCode;
using protocol::to_int;
using records::testing::forge_batch;
using records::testing::forge_good_batch;
using records::testing::forge_records;
using records::testing::kForgeTimestamp;

constexpr int64_t kNow = kForgeTimestamp + 1000;

class ProduceCore : public ::testing::Test {
 protected:
  ProduceCore() : logs_(log_manager_config()) {
    EXPECT_EQ(logs_.open_all(), storage::Error::kNone);
    add_topic("orders");
    add_topic("__consumer_offsets");
  }

  storage::LogManagerConfig log_manager_config() const {
    storage::LogManagerConfig out;
    out.log_dirs = {dir_.path()};
    return out;
  }

  void add_topic(const std::string& name) {
    testing::add_led_topic(image_, logs_, name, 1, /*leader_epoch=*/3);
  }

  // Produces `records` to partition 0 of `topic`; returns the partition's answer.
  protocol::ProduceResponse::PartitionProduceResponse produce_one(std::vector<uint8_t>& records,
                                                                  const std::string& topic) {
    protocol::ProduceRequest request;
    request.acks = -1;
    protocol::ProduceRequest::PartitionProduceData data;
    data.index = 0;
    data.records.data = records.data();
    data.records.size_bytes = records.size();
    request.topic_data.push_back({topic, {data}, {}});
    const auto response = produce(PartitionView{config_, image_, logs_}, request, 9, kNow, nullptr);
    EXPECT_EQ(response.responses.size(), 1u);
    EXPECT_EQ(response.responses[0].partition_responses.size(), 1u);
    return response.responses[0].partition_responses[0];
  }

  storage::PartitionLog& log(const std::string& topic) { return *logs_.get(topic, 0); }

  storage::testing::TempDir dir_;
  config::ServerConfig config_;
  metadata::MetadataImage image_;
  storage::LogManager logs_;
};

TEST_F(ProduceCore, ValidBatchesLandAtDenseOffsets) {
  for (int64_t expected_base : {0, 10, 20}) {
    auto batch = forge_good_batch(10);
    const auto answer = produce_one(batch, "orders");
    EXPECT_EQ(answer.error_code, to_int(ErrorCode::kNone));
    EXPECT_EQ(answer.base_offset, expected_base);
  }
  EXPECT_EQ(log("orders").log_end_offset(), 30);
}

// The fuzz find: a 120-byte request claiming 2^31-1 records moved the log end offset by the
// claimed count and rolled a segment each time.
TEST_F(ProduceCore, AnInflatedRecordCountMovesNothing) {
  for (int i = 0; i < 20; ++i) {
    auto batch = forge_batch(forge_records(3), INT32_MAX, INT32_MAX - 1);
    EXPECT_EQ(produce_one(batch, "orders").error_code, to_int(ErrorCode::kInvalidRecord));
  }
  EXPECT_EQ(log("orders").log_end_offset(), 0);
  EXPECT_EQ(log("orders").segment_count(), 1u);
  auto good = forge_good_batch(2);
  EXPECT_EQ(produce_one(good, "orders").base_offset, 0);
}

TEST_F(ProduceCore, GarbageMarkedCompressedIsRefused) {
  std::vector<uint8_t> garbage(200, 0x42);
  auto batch = forge_batch(garbage, 1, 0,
                           {.compression = compression::Codec::kGzip, .compress_region = false});
  EXPECT_EQ(produce_one(batch, "orders").error_code, to_int(ErrorCode::kInvalidRecord));
  EXPECT_EQ(log("orders").log_end_offset(), 0);
}

TEST_F(ProduceCore, ClientsCannotWriteInternalTopics) {
  auto batch = forge_good_batch(1);
  EXPECT_EQ(produce_one(batch, "__consumer_offsets").error_code,
            to_int(ErrorCode::kInvalidTopicException));
  EXPECT_EQ(log("__consumer_offsets").log_end_offset(), 0);
}

TEST_F(ProduceCore, UnknownTopicsAreUnknown) {
  auto batch = forge_good_batch(1);
  EXPECT_EQ(produce_one(batch, "nope").error_code, to_int(ErrorCode::kUnknownTopicOrPartition));
}

}  // namespace
}  // namespace eddy::broker
