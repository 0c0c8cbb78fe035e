// Bounded crash recovery: recovery from inside a segment (only what lies above the recovery
// point is CRC-checked) and the LogManager's background sync (eddy.log.sync.interval.ms) that
// keeps the recovery point recent.

#include <fstream>

#include <gtest/gtest.h>

#include "records/byte_order.h"
#include "storage/log_manager.h"
#include "storage/test_util.h"

namespace eddy::storage {
namespace {

namespace fs = std::filesystem;
using testing::make_batches;
using testing::read_headers;
using testing::TempDir;

constexpr int64_t kNow = 1'700'000'000'000;

config::TopicConfig indexed_config() {
  config::TopicConfig config;
  config.index_interval_bytes = 256;
  config.segment_index_bytes = int64_t{64} * 1024;
  return config;
}

void append_batches(PartitionLog& log, int count, int64_t first_timestamp_ms = kNow) {
  for (int i = 0; i < count; ++i) {
    auto bytes = make_batches(1, 2, first_timestamp_ms + int64_t{i} * 10);
    ASSERT_EQ(log.append(bytes, 0, kNow).error, Error::kNone);
  }
}

// Every batch of two records reads back at its offset.
void expect_all_readable(const PartitionLog& log) {
  for (int64_t offset = 0; offset < log.log_end_offset(); offset += 2) {
    auto headers = read_headers(log.read(offset, 1, log.log_end_offset(), true));
    ASSERT_EQ(headers.size(), 1u) << "offset " << offset;
    EXPECT_EQ(headers[0].base_offset, offset);
  }
}

class PartialRecoveryTest : public ::testing::Test {
 protected:
  std::unique_ptr<PartitionLog> open_log(const config::TopicConfig& config,
                                         int64_t recovery_point) {
    PartitionLog::Options options;
    options.dir = dir_.path() / "topic-0";
    options.topic = "topic";
    options.config = config;
    options.recovery_point = recovery_point;  // never a clean shutdown here
    options.now_ms = kNow;
    Error error = Error::kNone;
    auto log = PartitionLog::open(options, error);
    EXPECT_EQ(error, Error::kNone);
    return log;
  }
  fs::path file(int64_t base_offset, const char* extension) const {
    return dir_.path() / "topic-0" / Segment::file_name(base_offset, extension);
  }
  // The active segment after 100 flushed and 20 unflushed batches, dropped as by kill -9.
  // Returns the .log size at the flush.
  int64_t crash_with_unflushed_tail() {
    auto log = open_log(indexed_config(), 0);
    append_batches(*log, 100);
    log->flush(kNow);
    EXPECT_EQ(log->recovery_point(), 200);
    auto synced_bytes = static_cast<int64_t>(fs::file_size(file(0, ".log")));
    append_batches(*log, 20, kNow + 1000);
    return synced_bytes;
  }

  TempDir dir_;
};

TEST_F(PartialRecoveryTest, ChecksOnlyTheBatchesAboveTheRecoveryPoint) {
  int64_t synced_bytes = crash_with_unflushed_tail();
  auto total_bytes = static_cast<int64_t>(fs::file_size(file(0, ".log")));
  auto log = open_log(indexed_config(), 200);
  EXPECT_EQ(log->recovery_stats().scanned_bytes, total_bytes - synced_bytes);
  EXPECT_EQ(log->log_end_offset(), 240);
  expect_all_readable(*log);
  // Same answers as after a full scan.
  auto partial_max = log->max_timestamp();
  auto partial_lookup = log->offset_for_timestamp(kNow + 505);
  log.reset();
  auto full = open_log(indexed_config(), 0);
  EXPECT_EQ(full->recovery_stats().scanned_bytes, total_bytes);
  EXPECT_EQ(partial_max.offset, full->max_timestamp().offset);
  EXPECT_EQ(partial_max.timestamp_ms, full->max_timestamp().timestamp_ms);
  EXPECT_EQ(partial_lookup.offset, full->offset_for_timestamp(kNow + 505).offset);
  EXPECT_EQ(partial_lookup.offset, 102);
}

TEST_F(PartialRecoveryTest, AppendsContinueAfterPartialRecovery) {
  crash_with_unflushed_tail();
  {
    auto log = open_log(indexed_config(), 200);
    append_batches(*log, 30, kNow + 5000);
    EXPECT_EQ(log->log_end_offset(), 300);
    log->flush(kNow);
  }
  auto log = open_log(indexed_config(), 300);
  EXPECT_EQ(log->recovery_stats().scanned_bytes, 0);
  EXPECT_EQ(log->log_end_offset(), 300);
  expect_all_readable(*log);
  EXPECT_EQ(log->offset_for_timestamp(kNow + 5000).offset, 240);
}

TEST_F(PartialRecoveryTest, TornTailAboveRecoveryPointIsTruncated) {
  crash_with_unflushed_tail();
  auto size = fs::file_size(file(0, ".log"));
  fs::resize_file(file(0, ".log"), size - 20);
  auto log = open_log(indexed_config(), 200);
  EXPECT_EQ(log->log_end_offset(), 238);
  EXPECT_GT(log->recovery_stats().truncated_bytes, 0);
  expect_all_readable(*log);
}

TEST_F(PartialRecoveryTest, RecoveryPointInsideASealedSegment) {
  config::TopicConfig config = indexed_config();
  config.segment_bytes = 4096;
  {
    auto log = open_log(config, 0);
    append_batches(*log, 200);
    log->flush(kNow);
  }
  std::vector<int64_t> bases = open_log(config, 0)->segment_base_offsets();
  ASSERT_GT(bases.size(), 3u);
  int64_t total_bytes = 0;
  for (int64_t base : bases) total_bytes += static_cast<int64_t>(fs::file_size(file(base, ".log")));
  int64_t middle = bases[1] + (bases[2] - bases[1]) / 2;
  middle -= middle % 2;  // a batch boundary
  auto log = open_log(config, middle);
  EXPECT_GT(log->recovery_stats().scanned_bytes, 0);
  EXPECT_LT(log->recovery_stats().scanned_bytes,
            total_bytes - static_cast<int64_t>(fs::file_size(file(bases[0], ".log"))) -
                static_cast<int64_t>(fs::file_size(file(bases[1], ".log"))) / 4);
  EXPECT_EQ(log->log_end_offset(), 400);
  expect_all_readable(*log);
}

TEST_F(PartialRecoveryTest, TimeIndexThatDisagreesWithTheLogMeansAFullScan) {
  crash_with_unflushed_tail();
  // Bump the timestamp of the last written time index entry: it no longer matches its batch.
  auto handle = File::open(file(0, ".timeindex"), false);
  auto slots = static_cast<int64_t>(fs::file_size(file(0, ".timeindex"))) / 12;
  int64_t last_written = -1;
  uint8_t entry[12];
  for (int64_t i = 0; i < slots; ++i) {
    ASSERT_TRUE(pread_all(handle->fd(), entry, sizeof(entry), i * 12));
    if (records::load_be<int64_t>(entry) == 0) break;
    last_written = i;
  }
  ASSERT_GE(last_written, 1);
  ASSERT_TRUE(pread_all(handle->fd(), entry, sizeof(entry), last_written * 12));
  records::store_be<int64_t>(entry, records::load_be<int64_t>(entry) + 1);
  ASSERT_TRUE(pwrite_all(handle->fd(), entry, sizeof(entry), last_written * 12));
  handle.reset();

  auto log = open_log(indexed_config(), 240);
  EXPECT_EQ(log->recovery_stats().scanned_bytes,
            static_cast<int64_t>(fs::file_size(file(0, ".log"))));
  EXPECT_EQ(log->log_end_offset(), 240);
  EXPECT_EQ(log->max_timestamp().timestamp_ms, kNow + 1000 + 190 + 1);
  expect_all_readable(*log);
}

TEST_F(PartialRecoveryTest, RecoveryPointBeyondTheDataKeepsWhatIsThere) {
  crash_with_unflushed_tail();
  auto log = open_log(indexed_config(), 1000);  // a checkpoint ahead of the files
  EXPECT_EQ(log->log_end_offset(), 240);
  EXPECT_EQ(log->recovery_point(), 240);
  expect_all_readable(*log);
}

// --- LogManager background sync ---

constexpr int64_t kSyncIntervalMs = 5000;

LogManagerConfig sync_config(const TempDir& root, int64_t sync_interval_ms) {
  LogManagerConfig config;
  config.log_dirs = {root.path() / "data"};
  config.default_config = indexed_config();
  config.background_sync_interval_ms = sync_interval_ms;
  config.cleaner_enable = false;
  return config;
}

int64_t log_file_bytes(const PartitionLog& log) {
  return static_cast<int64_t>(fs::file_size(log.dir() / Segment::file_name(0, ".log")));
}

// What a kill -9 leaves: the files as they are now (written, maybe not fsynced), no marker.
fs::path crash_copy(const TempDir& root) {
  fs::path copy = root.path() / "crashed";
  fs::copy(root.path() / "data", copy, fs::copy_options::recursive);
  EXPECT_FALSE(fs::exists(copy / kCleanShutdownFile));
  return copy;
}

std::unique_ptr<LogManager> open_crashed(const fs::path& copy) {
  LogManagerConfig config;
  config.log_dirs = {copy};
  config.default_config = indexed_config();
  config.cleaner_enable = false;
  auto manager = std::make_unique<LogManager>(config);
  EXPECT_EQ(manager->open_all(), Error::kNone);
  EXPECT_FALSE(manager->opened_clean());
  return manager;
}

TEST(BackgroundSync, MovesTheRecoveryPointAndWritesItsCheckpoint) {
  TempDir root;
  LogManager manager(sync_config(root, kSyncIntervalMs));
  ASSERT_EQ(manager.open_all(), Error::kNone);
  Error error = Error::kNone;
  auto log = manager.create_partition("t", 0, indexed_config(), error);
  ASSERT_NE(log, nullptr);
  append_batches(*log, 25);
  int64_t start_ms = log->last_flush_ms();
  manager.flush_pass(start_ms + kSyncIntervalMs - 1);  // also the periodic checkpoints
  EXPECT_EQ(log->recovery_point(), 0);
  manager.flush_pass(start_ms + kSyncIntervalMs);
  EXPECT_EQ(log->recovery_point(), 50);
  // Written at once, not at the next log.flush.offset.checkpoint.interval.ms.
  EXPECT_EQ(read_checkpoint(root.path() / "data" / kRecoveryPointCheckpointFile),
            (OffsetCheckpoint{{{"t", 0}, 50}}));
  manager.flush_pass(start_ms + 2 * kSyncIntervalMs);  // nothing new: nothing to do
  EXPECT_EQ(log->last_flush_ms(), start_ms + kSyncIntervalMs);
}

TEST(BackgroundSync, CrashStartScansOnlyWhatCameAfterTheLastSync) {
  TempDir root;
  LogManager manager(sync_config(root, kSyncIntervalMs));
  ASSERT_EQ(manager.open_all(), Error::kNone);
  Error error = Error::kNone;
  auto log = manager.create_partition("t", 0, indexed_config(), error);
  append_batches(*log, 100);
  manager.flush_pass(log->last_flush_ms() + kSyncIntervalMs);
  int64_t synced_bytes = log_file_bytes(*log);
  append_batches(*log, 10, kNow + 5000);
  int64_t total_bytes = log_file_bytes(*log);

  auto crashed = open_crashed(crash_copy(root));
  auto reopened = crashed->get("t", 0);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->recovery_stats().scanned_bytes, total_bytes - synced_bytes);
  EXPECT_EQ(reopened->log_end_offset(), 220);
  expect_all_readable(*reopened);
}

TEST(BackgroundSync, IntervalZeroDisablesIt) {
  TempDir root;
  LogManager manager(sync_config(root, 0));
  ASSERT_EQ(manager.open_all(), Error::kNone);
  Error error = Error::kNone;
  auto log = manager.create_partition("t", 0, indexed_config(), error);
  append_batches(*log, 100);
  manager.flush_pass(log->last_flush_ms() + 1000 * kSyncIntervalMs);
  EXPECT_EQ(log->recovery_point(), 0);

  auto crashed = open_crashed(crash_copy(root));
  EXPECT_EQ(crashed->get("t", 0)->recovery_stats().scanned_bytes, log_file_bytes(*log));
}

TEST(BackgroundSync, OneSyncCoversEveryDirtyPartitionOnceOneIsDue) {
  TempDir root;
  LogManager manager(sync_config(root, kSyncIntervalMs));
  ASSERT_EQ(manager.open_all(), Error::kNone);
  std::vector<std::shared_ptr<PartitionLog>> logs;
  Error error = Error::kNone;
  for (int32_t p = 0; p < 3; ++p) {
    logs.push_back(manager.create_partition("t", p, indexed_config(), error));
    ASSERT_NE(logs.back(), nullptr);
  }
  const int64_t start_ms = logs[0]->last_flush_ms();
  append_batches(*logs[0], 3);
  append_batches(*logs[1], 4);  // logs[2] stays idle
  const int64_t idle_flush_ms = logs[2]->last_flush_ms();

  manager.flush_pass(start_ms + kSyncIntervalMs - 1);  // not due yet
  EXPECT_EQ(logs[0]->recovery_point(), 0);
  EXPECT_EQ(logs[1]->recovery_point(), 0);

  manager.flush_pass(logs[2]->last_flush_ms() + kSyncIntervalMs);  // due: every dirty one goes
  EXPECT_EQ(logs[0]->recovery_point(), 6);
  EXPECT_EQ(logs[1]->recovery_point(), 8);
  EXPECT_EQ(logs[2]->recovery_point(), 0);
  EXPECT_EQ(logs[2]->last_flush_ms(), idle_flush_ms);  // nothing to sync: untouched
  const int64_t synced_ms = logs[1]->last_flush_ms();

  append_batches(*logs[1], 1);
  manager.flush_pass(synced_ms + kSyncIntervalMs - 1);  // its last sync is too recent
  EXPECT_EQ(logs[1]->recovery_point(), 8);
  manager.flush_pass(synced_ms + kSyncIntervalMs);
  EXPECT_EQ(logs[1]->recovery_point(), 10);
  EXPECT_EQ(logs[0]->last_flush_ms(), synced_ms);  // clean since: left alone
}

}  // namespace
}  // namespace eddy::storage
