// The Fetch core against real partition logs in a temporary directory: what a plan reads, the
// size rules, errors, down-conversion for old fetchers, and when the long poll may end.

#include "broker/handlers/fetch.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "broker/testing/led_topics.h"
#include "records/batch_header.h"
#include "storage/file.h"
#include "storage/test_util.h"

namespace eddy::broker {
namespace {

using protocol::ErrorCode;
using protocol::FetchRequest;
using protocol::to_int;

constexpr int64_t kNow = 1'700'000'000'000;

class FetchCore : public ::testing::Test {
 protected:
  FetchCore() : logs_(log_manager_config()) {
    EXPECT_EQ(logs_.open_all(), storage::Error::kNone);
    testing::add_led_topic(image_, logs_, "events", 1, /*leader_epoch=*/2);
  }

  storage::LogManagerConfig log_manager_config() const {
    storage::LogManagerConfig out;
    out.log_dirs = {dir_.path()};
    return out;
  }

  // Ten batches of 4 records: offsets 0..39.
  void fill() {
    auto bytes = storage::testing::make_batches(10, 4, kNow);
    ASSERT_EQ(logs_.get("events", 0)->append(bytes, 2, kNow).error, storage::Error::kNone);
  }

  FetchRequest request(const std::string& topic, int64_t offset, int32_t partition_max_bytes,
                       int32_t min_bytes = 1, int32_t max_wait_ms = 500) {
    FetchRequest out;
    out.max_wait_ms = max_wait_ms;
    out.min_bytes = min_bytes;
    out.max_bytes = 50 << 20;
    FetchRequest::FetchTopic entry;
    entry.topic = topic;
    FetchRequest::FetchPartition wanted;
    wanted.partition = 0;
    wanted.fetch_offset = offset;
    wanted.partition_max_bytes = partition_max_bytes;
    entry.partitions.push_back(wanted);
    out.topics.push_back(entry);
    return out;
  }

  FetchRead read(const FetchRequest& fetch, int16_t version = 12) {
    const FetchPlan plan = plan_fetch(PartitionView{config_, image_, logs_}, fetch, version);
    return read_fetch(plan, fetch, version);
  }

  static const protocol::FetchResponse::PartitionData& only(const FetchRead& read) {
    EXPECT_EQ(read.response.responses.size(), 1u);
    EXPECT_EQ(read.response.responses[0].partitions.size(), 1u);
    return read.response.responses[0].partitions[0];
  }

  // The record bytes a response sends (read back from the file range, or the memory copy).
  static std::vector<uint8_t> bytes_of(const protocol::Records& records) {
    if (records.data != nullptr) return {records.data, records.data + records.size_bytes};
    std::vector<uint8_t> out(records.size_bytes);
    EXPECT_TRUE(storage::pread_all(records.fd, out.data(), out.size(), records.file_offset));
    return out;
  }

  storage::testing::TempDir dir_;
  config::ServerConfig config_;
  metadata::MetadataImage image_;
  storage::LogManager logs_;
};

TEST_F(FetchCore, ReadsWholeBatchesFromTheFetchOffset) {
  fill();
  const FetchRead result = read(request("events", 13, 1 << 20));
  const auto& partition = only(result);
  EXPECT_EQ(partition.error_code, to_int(ErrorCode::kNone));
  EXPECT_EQ(partition.high_watermark, 40);
  const auto headers = storage::testing::parse_all(bytes_of(partition.records));
  ASSERT_EQ(headers.size(), 7u);  // the batch holding 13 (12..15) and every later one
  EXPECT_EQ(headers.front().base_offset, 12);
  EXPECT_EQ(headers.back().last_offset(), 39);
  EXPECT_EQ(result.bytes, static_cast<int64_t>(partition.records.size_bytes));
  EXPECT_TRUE(fetch_satisfied(result, request("events", 13, 1 << 20)));
}

TEST_F(FetchCore, PartitionMaxBytesStillSendsTheFirstBatchWhole) {
  fill();
  const auto headers =
      storage::testing::parse_all(bytes_of(only(read(request("events", 0, 1))).records));
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].base_offset, 0);
}

TEST_F(FetchCore, NothingNewDoesNotSatisfyMinBytesUntilTheWaitIsZero) {
  fill();
  const FetchRequest waiting = request("events", 40, 1 << 20, 1, 500);
  const FetchRead at_end = read(waiting);
  EXPECT_EQ(only(at_end).error_code, to_int(ErrorCode::kNone));
  EXPECT_EQ(at_end.bytes, 0);
  EXPECT_FALSE(fetch_satisfied(at_end, waiting));
  EXPECT_TRUE(fetch_satisfied(at_end, request("events", 40, 1 << 20, 1, 0)));
}

TEST_F(FetchCore, ErrorsEndTheLongPollAtOnce) {
  fill();
  const FetchRequest out_of_range = request("events", 41, 1 << 20);
  const FetchRead beyond = read(out_of_range);
  EXPECT_EQ(only(beyond).error_code, to_int(ErrorCode::kOffsetOutOfRange));
  EXPECT_TRUE(fetch_satisfied(beyond, out_of_range));
  EXPECT_EQ(only(read(request("missing", 0, 1 << 20))).error_code,
            to_int(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(FetchCore, OldFetchersGetAMemoryCopyInTheLegacyFormat) {
  fill();
  const FetchRead result = read(request("events", 0, 1 << 20), /*version=*/2);
  const auto& partition = only(result);
  EXPECT_EQ(partition.error_code, to_int(ErrorCode::kNone));
  ASSERT_NE(partition.records.data, nullptr);  // converted, not a file range
  const auto bytes = bytes_of(partition.records);
  ASSERT_GT(bytes.size(), 17u);
  EXPECT_EQ(bytes[16], 1);  // magic 1 in the first message's header (offset, size, crc, magic)
}

TEST_F(FetchCore, DownConversionDisabledRefusesOnlyOldFetchers) {
  fill();
  config::TopicConfig no_down_conversion;
  no_down_conversion.downconversion_enable = false;
  logs_.get("events", 0)->update_config(no_down_conversion);
  EXPECT_EQ(only(read(request("events", 0, 1 << 20), /*version=*/3)).error_code,
            to_int(ErrorCode::kUnsupportedVersion));
  EXPECT_EQ(only(read(request("events", 0, 1 << 20), /*version=*/4)).error_code,
            to_int(ErrorCode::kNone));
}

}  // namespace
}  // namespace eddy::broker
