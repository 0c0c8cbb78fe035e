#include "storage/descriptor_cache.h"

#include <fstream>

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "storage/log_manager.h"
#include "storage/test_util.h"

namespace eddy::storage {
namespace {

namespace fs = std::filesystem;
using testing::make_batches;
using testing::read_headers;
using testing::TempDir;

constexpr int64_t kNow = 1'700'000'000'000;

// An entry that counts how often it was closed.
class FakeEntry : public DescriptorCache::Entry {
 public:
  mutable int closes = 0;
  mutable bool open = false;

 protected:
  void close_descriptors() const override {
    closes++;
    open = false;
  }
};

// Marks the entry open, then tells the cache, as a segment does.
void open_entry(DescriptorCache& cache, const std::shared_ptr<FakeEntry>& entry) {
  entry->open = true;
  cache.opened(entry);
}

std::vector<std::shared_ptr<FakeEntry>> make_entries(int count) {
  std::vector<std::shared_ptr<FakeEntry>> entries(static_cast<size_t>(count));
  for (auto& entry : entries) entry = std::make_shared<FakeEntry>();
  return entries;
}

int open_count(const std::vector<std::shared_ptr<FakeEntry>>& entries) {
  int open = 0;
  for (const auto& entry : entries) open += entry->open ? 1 : 0;
  return open;
}

TEST(DescriptorCache, KeepsAtMostTheBoundOpen) {
  DescriptorCache cache(3);
  auto entries = make_entries(10);
  for (const auto& entry : entries) {
    open_entry(cache, entry);
    EXPECT_LE(cache.open_count(), 3u);
    EXPECT_LE(open_count(entries), 3);
  }
  EXPECT_EQ(open_count(entries), 3);
  // Without any later use, the oldest went first.
  EXPECT_TRUE(entries[9]->open);
  EXPECT_FALSE(entries[0]->open);
}

TEST(DescriptorCache, AUsedEntryGetsASecondChance) {
  DescriptorCache cache(2);
  auto entries = make_entries(4);
  open_entry(cache, entries[0]);
  open_entry(cache, entries[1]);
  open_entry(cache, entries[2]);  // all fresh: the oldest goes, the others' flags are cleared
  EXPECT_FALSE(entries[0]->open);
  entries[1]->touch();  // used since: survives the next sweep, though older
  open_entry(cache, entries[3]);
  EXPECT_TRUE(entries[1]->open);
  EXPECT_FALSE(entries[2]->open);
  EXPECT_TRUE(entries[3]->open);
  EXPECT_EQ(cache.open_count(), 2u);
}

TEST(DescriptorCache, ReopenedEntryCountsOnceAndForgottenOnesDoNot) {
  DescriptorCache cache(4);
  auto entries = make_entries(3);
  for (const auto& entry : entries) open_entry(cache, entry);
  open_entry(cache, entries[1]);  // already counted
  EXPECT_EQ(cache.open_count(), 3u);
  cache.forget(entries[1].get());
  EXPECT_EQ(cache.open_count(), 2u);
  EXPECT_EQ(cache.evict(10), 2u);
  EXPECT_EQ(cache.open_count(), 0u);
  EXPECT_EQ(entries[1]->closes, 0);  // forgotten: the cache no longer closes it
}

TEST(DescriptorCache, ExpiredEntriesAreDroppedWithoutClosing) {
  DescriptorCache cache(2);
  auto kept = std::make_shared<FakeEntry>();
  {
    auto gone = std::make_shared<FakeEntry>();
    open_entry(cache, gone);
  }  // destroyed without forget(): the cache must not touch it
  open_entry(cache, kept);
  EXPECT_EQ(cache.evict(2), 1u);
  EXPECT_EQ(kept->closes, 1);
  EXPECT_EQ(cache.open_count(), 0u);
}

TEST(DescriptorCache, LoweringTheBoundClosesAtOnce) {
  DescriptorCache cache(10);
  auto entries = make_entries(8);
  for (const auto& entry : entries) open_entry(cache, entry);
  cache.set_max_open(3);
  EXPECT_EQ(cache.open_count(), 3u);
  EXPECT_EQ(open_count(entries), 3);
}

TEST(DescriptorCache, DefaultBoundFollowsTheLimits) {
  EXPECT_GE(default_max_open_segments(), 16u);
  struct rlimit limit {};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur >= 64) {
    EXPECT_LE(default_max_open_segments(), static_cast<size_t>(limit.rlim_cur) / 4);
  }
}

// Descriptors of this process that name a file under `dir`.
int open_fds_under(const fs::path& dir) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator("/proc/self/fd")) {
    std::error_code error;
    fs::path target = fs::read_symlink(entry.path(), error);
    if (!error && target.string().starts_with(dir.string())) count++;
  }
  return count;
}

// Mappings of this process of files under `dir`.
int mappings_under(const fs::path& dir) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  int count = 0;
  while (std::getline(maps, line)) {
    if (line.find(dir.string()) != std::string::npos) count++;
  }
  return count;
}

class SegmentDescriptorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_bound_ = segment_descriptor_cache().max_open();
    segment_descriptor_cache().set_max_open(kBound);
  }
  void TearDown() override { segment_descriptor_cache().set_max_open(saved_bound_); }

  std::unique_ptr<PartitionLog> open_log(bool clean) {
    PartitionLog::Options options;
    options.dir = dir_.path() / "topic-0";
    options.topic = "topic";
    options.config.segment_bytes = 1024;  // a few batches per segment
    options.config.index_interval_bytes = 128;
    options.clean_shutdown = clean;
    options.now_ms = kNow;
    Error error = Error::kNone;
    auto log = PartitionLog::open(options, error);
    EXPECT_EQ(error, Error::kNone);
    return log;
  }

  // Appends `count` one-record batches; returns their offsets' count.
  static void append(PartitionLog& log, int count) {
    for (int i = 0; i < count; ++i) {
      auto bytes = make_batches(1, 1, kNow + i, 200);
      ASSERT_EQ(log.append(bytes, 0, kNow).error, Error::kNone);
    }
  }

  // Reads every offset from 0, one fetch at a time, and checks they are dense.
  static void expect_reads_back(const PartitionLog& log, int64_t count) {
    int64_t next = 0;
    while (next < count) {
      ReadResult result = log.read(next, 1 << 20, log.high_watermark(), true);
      ASSERT_EQ(result.error, Error::kNone);
      auto headers = read_headers(result);
      ASSERT_FALSE(headers.empty()) << "nothing at offset " << next;
      for (const auto& header : headers) {
        ASSERT_EQ(header.base_offset, next);
        next = header.last_offset() + 1;
      }
    }
    EXPECT_EQ(next, count);
  }

  static constexpr size_t kBound = 4;
  TempDir dir_;
  size_t saved_bound_ = 0;
};

TEST_F(SegmentDescriptorsTest, ManySegmentsKeepFewDescriptorsAndAllReadBack) {
  auto log = open_log(false);
  append(*log, 400);
  ASSERT_GT(log->segment_count(), 50u);
  // The active segment (1 fd) plus at most kBound sealed ones; indexes hold no descriptor.
  EXPECT_LE(segment_descriptor_cache().open_count(), kBound);
  EXPECT_LE(open_fds_under(dir_.path()), static_cast<int>(kBound) + 1);
  EXPECT_LE(mappings_under(dir_.path()), 2 * (static_cast<int>(kBound) + 1));
  expect_reads_back(*log, 400);  // every sealed segment reopened on demand
  EXPECT_LE(open_fds_under(dir_.path()), static_cast<int>(kBound) + 1);
  // Lookups by timestamp reopen too.
  EXPECT_EQ(log->offset_for_timestamp(kNow + 399).offset, 399);
  EXPECT_EQ(log->offset_for_timestamp(kNow).offset, 0);
}

TEST_F(SegmentDescriptorsTest, RestartOpensLazilyAndFindsEverything) {
  {
    auto log = open_log(false);
    append(*log, 300);
    log->close();
  }
  EXPECT_EQ(segment_descriptor_cache().open_count(), 0u);
  auto log = open_log(true);
  EXPECT_LE(open_fds_under(dir_.path()), static_cast<int>(kBound) + 1);
  EXPECT_EQ(log->log_end_offset(), 300);
  expect_reads_back(*log, 300);
  append(*log, 10);
  expect_reads_back(*log, 310);
}

TEST_F(SegmentDescriptorsTest, AReaderKeepsItsFileAcrossEviction) {
  auto log = open_log(false);
  append(*log, 100);
  ReadResult first = log->read(0, 100, log->high_watermark(), true);
  ASSERT_EQ(first.error, Error::kNone);
  ASSERT_EQ(first.slices.size(), 1u);
  const int fd = first.slices[0].file->fd();
  auto before = testing::read_slice(first.slices[0]);
  // Every cached segment closes; the pending "send" still holds the first segment's file.
  segment_descriptor_cache().evict(1000);
  EXPECT_EQ(segment_descriptor_cache().open_count(), 0u);
  struct stat st {};
  EXPECT_EQ(::fstat(fd, &st), 0);
  EXPECT_EQ(testing::read_slice(first.slices[0]), before);
  // The segment itself reopens with a new descriptor.
  ReadResult again = log->read(0, 100, log->high_watermark(), true);
  ASSERT_EQ(again.slices.size(), 1u);
  EXPECT_EQ(testing::read_slice(again.slices[0]), before);
}

TEST_F(SegmentDescriptorsTest, RemovedSegmentIsNeverReopenedOrRecreated) {
  auto log = open_log(false);
  append(*log, 100);
  auto segments = log->segments();
  auto oldest = segments.front();
  segment_descriptor_cache().evict(1000);
  ASSERT_EQ(log->delete_records_before(50), Error::kNone);
  log->apply_retention(kNow);
  EXPECT_FALSE(fs::exists(dir_.path() / "topic-0" / Segment::file_name(0, ".log")));
  Error error = Error::kNone;
  EXPECT_FALSE(oldest->locate(0, error).has_value());
  EXPECT_EQ(error, Error::kNone);  // removed, not unreadable: a reader moves on by offset
  EXPECT_EQ(oldest->file(), nullptr);
  EXPECT_FALSE(fs::exists(dir_.path() / "topic-0" / Segment::file_name(0, ".index")));
}

TEST(LogManagerOffline, APartitionThatCannotOpenIsOfflineAndTheRestServe) {
  TempDir root;
  LogManagerConfig config;
  config.log_dirs = {root.path()};
  config.default_config.segment_bytes = 4096;
  {
    LogManager manager(config);
    ASSERT_EQ(manager.open_all(), Error::kNone);
    Error error = Error::kNone;
    for (int p = 0; p < 2; ++p) {
      auto log = manager.create_partition("t", p, config.default_config, error);
      ASSERT_NE(log, nullptr);
      auto bytes = make_batches(3, 1, kNow);
      ASSERT_EQ(log->append(bytes, 0, kNow).error, Error::kNone);
    }
    manager.shutdown();
  }
  // Partition 1's segment cannot be opened (a directory where its .log should be).
  const fs::path bad = root.path() / "t-1" / Segment::file_name(0, ".log");
  const fs::path aside = root.path() / "aside.log";
  fs::rename(bad, aside);
  fs::create_directory(bad);
  std::ofstream(bad / "occupied") << "x";  // not removable as a leftover file
  LogManager manager(config);
  ASSERT_EQ(manager.open_all(), Error::kNone);
  ASSERT_NE(manager.get("t", 0), nullptr);
  EXPECT_EQ(manager.get("t", 0)->log_end_offset(), 3);
  EXPECT_EQ(manager.get("t", 1), nullptr);
  EXPECT_TRUE(manager.offline("t", 1));
  // Re-creating it (the metadata image insists) does not start an empty log over its data.
  Error error = Error::kNone;
  EXPECT_EQ(manager.create_partition("t", 1, config.default_config, error), nullptr);
  EXPECT_EQ(error, Error::kStorageError);
  EXPECT_TRUE(fs::is_directory(bad));
  // Once the file is back, the background retry opens it with its records.
  fs::remove_all(bad);
  fs::rename(aside, bad);
  manager.retry_offline_pass(wall_clock_ms() + 60'000);
  EXPECT_FALSE(manager.offline("t", 1));
  ASSERT_NE(manager.get("t", 1), nullptr);
  EXPECT_EQ(manager.get("t", 1)->log_end_offset(), 3);
}

TEST(LogManagerOffline, OfflinePartitionKeepsItsCheckpointsAndNoCleanMarker) {
  TempDir root;
  LogManagerConfig config;
  config.log_dirs = {root.path()};
  {
    LogManager manager(config);
    ASSERT_EQ(manager.open_all(), Error::kNone);
    Error error = Error::kNone;
    auto log = manager.create_partition("t", 0, config.default_config, error);
    auto bytes = make_batches(5, 1, kNow);
    ASSERT_EQ(log->append(bytes, 0, kNow).error, Error::kNone);
    ASSERT_EQ(log->delete_records_before(2), Error::kNone);
    manager.shutdown();
  }
  // Its offset index cannot be opened (a directory in its place).
  const fs::path bad = root.path() / "t-0" / Segment::file_name(0, ".index");
  fs::remove(bad);
  fs::create_directory(bad);
  std::ofstream(bad / "occupied") << "x";
  {
    LogManager manager(config);
    ASSERT_EQ(manager.open_all(), Error::kNone);
    EXPECT_TRUE(manager.offline("t", 0));
    manager.shutdown();
  }
  EXPECT_FALSE(fs::exists(root.path() / kCleanShutdownFile));
  auto starts = read_checkpoint(root.path() / kLogStartOffsetCheckpointFile);
  EXPECT_EQ(starts[TopicPartition("t", 0)], 2);
}

}  // namespace
}  // namespace eddy::storage
