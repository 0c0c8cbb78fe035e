#include "storage/log_manager.h"

#include <fstream>

#include <gtest/gtest.h>

#include "storage/test_util.h"

namespace eddy::storage {
namespace {

namespace fs = std::filesystem;
using testing::make_batches;
using testing::read_headers;
using testing::TempDir;

constexpr int64_t kNow = 1'700'000'000'000;

LogManagerConfig two_dirs(const TempDir& root) {
  LogManagerConfig config;
  config.log_dirs = {root.path() / "a", root.path() / "b"};
  config.default_config.segment_bytes = 4096;
  return config;
}

void append(PartitionLog& log, int count) {
  for (int i = 0; i < count; ++i) {
    auto bytes = make_batches(1, 1, kNow + i);
    ASSERT_EQ(log.append(bytes, 0, kNow).error, Error::kNone);
  }
}

TEST(PartitionDirName, ParsesTopicWithDashes) {
  std::string topic;
  int32_t partition = -1;
  ASSERT_TRUE(parse_partition_dir_name("my-topic-12", topic, partition));
  EXPECT_EQ(topic, "my-topic");
  EXPECT_EQ(partition, 12);
  EXPECT_FALSE(parse_partition_dir_name("topic", topic, partition));
  EXPECT_FALSE(parse_partition_dir_name("topic-", topic, partition));
  EXPECT_FALSE(parse_partition_dir_name("-3", topic, partition));
  EXPECT_FALSE(parse_partition_dir_name("t-0.abcdef-delete", topic, partition));
  EXPECT_FALSE(parse_partition_dir_name("t-0-future", topic, partition));
}

TEST(LogManager, SpreadsNewPartitionsOverDirs) {
  TempDir root;
  LogManager manager(two_dirs(root));
  ASSERT_EQ(manager.open_all(), Error::kNone);
  Error error = Error::kNone;
  for (int32_t p = 0; p < 4; ++p) {
    ASSERT_NE(manager.create_partition("t", p, config::TopicConfig{}, error), nullptr);
  }
  EXPECT_EQ(manager.create_partition("t", 0, config::TopicConfig{}, error), nullptr);
  EXPECT_EQ(error, Error::kPartitionExists);
  int in_a = 0;
  for (int32_t p = 0; p < 4; ++p)
    in_a += fs::exists(root.path() / "a" / ("t-" + std::to_string(p)));
  EXPECT_EQ(in_a, 2);
  EXPECT_EQ(manager.partitions().size(), 4u);
}

TEST(LogManager, CleanShutdownWritesCheckpointsAndMarkerThenReopensWithoutScan) {
  TempDir root;
  {
    LogManager manager(two_dirs(root));
    ASSERT_EQ(manager.open_all(), Error::kNone);
    Error error = Error::kNone;
    auto log = manager.create_partition("orders", 0, config::TopicConfig{}, error);
    ASSERT_NE(log, nullptr);
    append(*log, 100);
    ASSERT_EQ(log->delete_records_before(10), Error::kNone);
    manager.shutdown();
  }
  fs::path dir = root.path() / "a";
  EXPECT_TRUE(fs::exists(dir / kCleanShutdownFile));
  EXPECT_EQ(read_checkpoint(dir / kRecoveryPointCheckpointFile),
            (OffsetCheckpoint{{{"orders", 0}, 100}}));
  EXPECT_EQ(read_checkpoint(dir / kLogStartOffsetCheckpointFile),
            (OffsetCheckpoint{{{"orders", 0}, 10}}));

  LogManager manager(two_dirs(root));
  ASSERT_EQ(manager.open_all(), Error::kNone);
  EXPECT_TRUE(manager.opened_clean());
  EXPECT_FALSE(fs::exists(dir / kCleanShutdownFile));  // removed before any write
  auto log = manager.get("orders", 0);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->recovery_stats().scanned_bytes, 0);
  EXPECT_EQ(log->log_end_offset(), 100);
  EXPECT_EQ(log->log_start_offset(), 10);
  EXPECT_EQ(read_headers(log->read(10, 1 << 20, 100, true)).size(), 90u);
}

TEST(LogManager, MissingMarkerMeansRecovery) {
  TempDir root;
  {
    LogManager manager(two_dirs(root));
    ASSERT_EQ(manager.open_all(), Error::kNone);
    Error error = Error::kNone;
    append(*manager.create_partition("t", 0, config::TopicConfig{}, error), 20);
    manager.flush_pass(kNow);  // checkpoints recovery point 0: nothing was flushed
  }
  // The destructor shut down cleanly; removing the marker makes the next start a crash start.
  fs::remove(root.path() / "a" / kCleanShutdownFile);
  fs::remove(root.path() / "a" / kRecoveryPointCheckpointFile);
  LogManager manager(two_dirs(root));
  ASSERT_EQ(manager.open_all(), Error::kNone);
  EXPECT_FALSE(manager.opened_clean());
  auto log = manager.get("t", 0);
  EXPECT_GT(log->recovery_stats().scanned_bytes, 0);
  EXPECT_EQ(log->log_end_offset(), 20);
}

TEST(LogManager, IgnoresForeignEntriesAndFinishesDeletes) {
  TempDir root;
  fs::path dir = root.path() / "a";
  fs::create_directories(dir / "__cluster_metadata-0");
  fs::create_directories(dir / "old-0.0123abcd-delete");
  std::ofstream(dir / "old-0.0123abcd-delete" / "00000000000000000000.log") << "x";
  std::ofstream(dir / "meta.properties") << "version=1\n";
  std::ofstream(dir / "__cluster_metadata-0" / "00000000000000000000.log") << "not batches";
  LogManagerConfig config = two_dirs(root);
  LogManager manager(config);
  ASSERT_EQ(manager.open_all(), Error::kNone);
  EXPECT_TRUE(manager.partitions().empty());
  manager.retention_pass(kNow);
  EXPECT_FALSE(fs::exists(dir / "old-0.0123abcd-delete"));
  EXPECT_EQ(fs::file_size(dir / "__cluster_metadata-0" / "00000000000000000000.log"), 11u);
  EXPECT_TRUE(fs::exists(dir / "meta.properties"));
}

TEST(LogManager, DeletePartitionRenamesThenRemoves) {
  TempDir root;
  LogManager manager(two_dirs(root));
  ASSERT_EQ(manager.open_all(), Error::kNone);
  Error error = Error::kNone;
  auto log = manager.create_partition("gone", 3, config::TopicConfig{}, error);
  append(*log, 5);
  ASSERT_EQ(manager.delete_partition("gone", 3), Error::kNone);
  EXPECT_EQ(manager.get("gone", 3), nullptr);
  EXPECT_EQ(manager.delete_partition("gone", 3), Error::kUnknownPartition);
  fs::path dir = root.path() / "a";
  EXPECT_FALSE(fs::exists(dir / "gone-3"));
  int pending = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    pending += entry.path().filename().string().ends_with("-delete");
  }
  EXPECT_EQ(pending, 1);
  // A reader that still holds the log can finish reading the open file.
  EXPECT_EQ(read_headers(log->read(0, 1 << 20, 5, true)).size(), 5u);
  manager.retention_pass(kNow);
  for (const auto& entry : fs::directory_iterator(dir)) {
    EXPECT_FALSE(entry.path().filename().string().ends_with("-delete"));
  }
}

TEST(LogManager, FlusherThreadFlushesByMessageCount) {
  TempDir root;
  LogManagerConfig config = two_dirs(root);
  config.flush_check_interval_ms = 1;
  LogManager manager(config);
  ASSERT_EQ(manager.open_all(), Error::kNone);
  config::TopicConfig log_config;
  log_config.flush_messages = 1;
  Error error = Error::kNone;
  auto log = manager.create_partition("t", 0, log_config, error);
  manager.start();
  append(*log, 3);
  // Bounded wait for the background flush; the assertion is on the state, not on timing.
  for (int i = 0; i < 5000 && log->recovery_point() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(log->recovery_point(), 3);
  manager.shutdown();
}

}  // namespace
}  // namespace eddy::storage
