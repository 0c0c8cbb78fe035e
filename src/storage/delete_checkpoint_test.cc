// A deleted partition leaves no entry in the checkpoint files, so a partition recreated under
// the same name never inherits its recovery point, log start offset or cleaner offset, even
// across a crash.

#include <gtest/gtest.h>

#include "storage/log_manager.h"
#include "storage/test_util.h"

namespace eddy::storage {
namespace {

namespace fs = std::filesystem;
using testing::make_batches;
using testing::TempDir;

constexpr int64_t kNow = 1'700'000'000'000;
const TopicPartition kDoomed{"t", 0};
const TopicPartition kKept{"t", 1};

LogManagerConfig config_for(const fs::path& dir) {
  LogManagerConfig config;
  config.log_dirs = {dir};
  config.cleaner_enable = false;
  return config;
}

void append(PartitionLog& log, int count) {
  for (int i = 0; i < count; ++i) {
    auto bytes = make_batches(1, 1, kNow + i);
    ASSERT_EQ(log.append(bytes, 0, kNow).error, Error::kNone);
  }
}

int64_t log_file_bytes(const PartitionLog& log) {
  return static_cast<int64_t>(fs::file_size(log.dir() / "00000000000000000000.log"));
}

// What a kill -9 leaves: the files as they are now, no clean shutdown marker.
fs::path crash_copy(const fs::path& dir, const fs::path& copy) {
  fs::copy(dir, copy, fs::copy_options::recursive);
  EXPECT_FALSE(fs::exists(copy / kCleanShutdownFile));
  return copy;
}

// A clean shutdown with both partitions in every checkpoint file: recovery point 50, log start
// 10 and (as if a cleaner pass had run) cleaner offset 30.
void write_two_partitions(const fs::path& dir) {
  {
    LogManager manager(config_for(dir));
    ASSERT_EQ(manager.open_all(), Error::kNone);
    for (const auto& [topic, partition] : {kDoomed, kKept}) {
      Error error = Error::kNone;
      auto log = manager.create_partition(topic, partition, config::TopicConfig{}, error);
      ASSERT_NE(log, nullptr);
      append(*log, 50);
      ASSERT_EQ(log->delete_records_before(10), Error::kNone);
    }
  }
  ASSERT_TRUE(write_checkpoint(dir / kCleanerOffsetCheckpointFile,
                               OffsetCheckpoint{{kDoomed, 30}, {kKept, 30}}));
}

void expect_in_no_checkpoint(const fs::path& dir, const TopicPartition& gone,
                             const TopicPartition& kept) {
  for (const char* name : {kRecoveryPointCheckpointFile, kLogStartOffsetCheckpointFile,
                           kCleanerOffsetCheckpointFile}) {
    OffsetCheckpoint offsets = read_checkpoint(dir / name);
    EXPECT_FALSE(offsets.contains(gone)) << name;
    EXPECT_TRUE(offsets.contains(kept)) << name;
  }
}

TEST(DeleteCheckpoint, DeletePartitionRemovesItFromEveryCheckpointFile) {
  TempDir root;
  fs::path dir = root.path() / "data";
  write_two_partitions(dir);
  LogManager manager(config_for(dir));
  ASSERT_EQ(manager.open_all(), Error::kNone);
  ASSERT_EQ(manager.get("t", 0)->cleaner_offset(), 30);
  ASSERT_EQ(manager.delete_partition("t", 0), Error::kNone);
  expect_in_no_checkpoint(dir, kDoomed, kKept);
  EXPECT_EQ(read_checkpoint(dir / kRecoveryPointCheckpointFile), (OffsetCheckpoint{{kKept, 50}}));
  EXPECT_FALSE(fs::exists(dir / "t-0"));
}

TEST(DeleteCheckpoint, RecreatedPartitionIsFullyRecoveredAfterACrash) {
  TempDir root;
  fs::path dir = root.path() / "data";
  write_two_partitions(dir);
  LogManager manager(config_for(dir));
  ASSERT_EQ(manager.open_all(), Error::kNone);
  ASSERT_EQ(manager.delete_partition("t", 0), Error::kNone);

  // Crash right after the delete, then recreate the partition and crash again before any
  // checkpoint is written.
  fs::path first_crash = crash_copy(dir, root.path() / "crash1");
  LogManager restarted(config_for(first_crash));
  ASSERT_EQ(restarted.open_all(), Error::kNone);
  ASSERT_EQ(restarted.get("t", 0), nullptr);
  Error error = Error::kNone;
  auto recreated = restarted.create_partition("t", 0, config::TopicConfig{}, error);
  ASSERT_NE(recreated, nullptr);
  append(*recreated, 100);  // past the old recovery point (50)
  fs::path second_crash = crash_copy(first_crash, root.path() / "crash2");

  LogManager reopened(config_for(second_crash));
  ASSERT_EQ(reopened.open_all(), Error::kNone);
  EXPECT_FALSE(reopened.opened_clean());
  auto log = reopened.get("t", 0);
  ASSERT_NE(log, nullptr);
  // Recovery point 0: every byte of the new partition was CRC-checked.
  EXPECT_EQ(log->recovery_stats().scanned_bytes, log_file_bytes(*log));
  EXPECT_EQ(log->log_start_offset(), 0);
  EXPECT_EQ(log->cleaner_offset(), 0);
  EXPECT_EQ(log->log_end_offset(), 100);
  // The partition that stayed kept its checkpointed offsets.
  auto kept = reopened.get("t", 1);
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->recovery_stats().scanned_bytes, 0);
  EXPECT_EQ(kept->log_start_offset(), 10);
  EXPECT_EQ(kept->cleaner_offset(), 30);
}

TEST(DeleteCheckpoint, OpenDropsEntriesWhosePartitionDirectoryIsGone) {
  TempDir root;
  fs::path dir = root.path() / "data";
  write_two_partitions(dir);
  // What an older version could leave: the directory renamed away, the entries still there.
  fs::rename(dir / "t-0", dir / "t-0.0123abcd-delete");
  LogManager manager(config_for(dir));
  ASSERT_EQ(manager.open_all(), Error::kNone);
  expect_in_no_checkpoint(dir, kDoomed, kKept);
}

TEST(DeleteCheckpoint, DeletingAPartitionNeverCheckpointedWritesNoFile) {
  TempDir root;
  fs::path dir = root.path() / "data";
  LogManager manager(config_for(dir));
  ASSERT_EQ(manager.open_all(), Error::kNone);
  Error error = Error::kNone;
  ASSERT_NE(manager.create_partition("fresh", 0, config::TopicConfig{}, error), nullptr);
  ASSERT_EQ(manager.delete_partition("fresh", 0), Error::kNone);
  EXPECT_FALSE(fs::exists(dir / kRecoveryPointCheckpointFile));
  EXPECT_FALSE(fs::exists(dir / kLogStartOffsetCheckpointFile));
}

}  // namespace
}  // namespace eddy::storage
