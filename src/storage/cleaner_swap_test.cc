// Crash at each step of the cleaner's segment swap, then reopen: the log is either the old one
// or the cleaned one, whole and ordered. Plus the offset map and the LogManager's cleaner.

#include "storage/cleaner_swap.h"

#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "storage/cleaner_test_util.h"
#include "storage/log_manager.h"

namespace eddy::storage {
namespace {

namespace fs = std::filesystem;
using testing::compact_config;
using testing::keyed_batch;
using testing::open_compacted;
using testing::read_all;
using testing::ReadRecord;
using testing::TempDir;

constexpr int64_t kNow = testing::kCleanerNow;

void append_updates(PartitionLog& log, int keys, int rounds) {
  for (int round = 0; round < rounds; ++round) {
    for (int key = 0; key < keys; ++key) {
      auto bytes = keyed_batch({{"k" + std::to_string(key), "v" + std::to_string(round)}}, kNow);
      ASSERT_EQ(log.append(bytes, 0, kNow).error, Error::kNone);
    }
  }
}

std::vector<std::pair<int64_t, std::string>> summary(const std::vector<ReadRecord>& records) {
  std::vector<std::pair<int64_t, std::string>> out;
  for (const auto& record : records) out.emplace_back(record.offset, record.value.value_or("-"));
  return out;
}

std::string name(int64_t base, const char* extension) {
  return Segment::file_name(base, extension);
}

class CleanerSwapCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    original_ = root_.path() / "orig-0";
    auto log = open_compacted(original_, compact_config());
    append_updates(*log, 4, 80);
    for (const auto& segment : log->segments()) bases_.push_back(segment->base_offset());
    before_ = summary(read_all(*log));
    log->close();
    // The same log, cleaned as one group (a larger segment.bytes groups every sealed segment).
    cleaned_ = root_.path() / "done-0";
    fs::copy(original_, cleaned_);
    config::TopicConfig config = compact_config();
    config.segment_bytes = 1 << 20;
    log = open_compacted(cleaned_, config);
    Cleaner cleaner(CleanerConfig{});
    ASSERT_EQ(cleaner.clean(*log, kNow), Error::kNone);
    ASSERT_EQ(log->segment_count(), 2u);
    after_ = summary(read_all(*log));
    log->close();
    ASSERT_GT(bases_.size(), 4u);
    ASSERT_NE(before_, after_);
  }

  // A copy of the original log dir to damage.
  fs::path crash_copy(const std::string& dir_name) {
    fs::path dir = root_.path() / dir_name;
    fs::copy(original_, dir);
    return dir;
  }
  void copy_cleaned(const fs::path& dir, const char* extension, const std::string& suffix) {
    fs::copy_file(cleaned_ / name(0, extension), dir / (name(0, extension) + suffix),
                  fs::copy_options::overwrite_existing);
  }
  void remove_old(const fs::path& dir, int64_t base) {
    for (const char* extension : {".log", ".index", ".timeindex"}) {
      fs::remove(dir / name(base, extension));
    }
  }
  std::vector<std::pair<int64_t, std::string>> reopen(const fs::path& dir) {
    auto log = open_compacted(dir, compact_config());
    for (const auto& entry : fs::directory_iterator(dir)) {
      std::string file = entry.path().filename().string();
      EXPECT_FALSE(file.ends_with(".swap") || file.ends_with(".cleaned")) << file;
    }
    return summary(read_all(*log));
  }

  TempDir root_;
  fs::path original_;
  fs::path cleaned_;
  std::vector<int64_t> bases_;  // the original's segments; the last is active
  std::vector<std::pair<int64_t, std::string>> before_;
  std::vector<std::pair<int64_t, std::string>> after_;
};

TEST_F(CleanerSwapCrash, BeforeCommitTheOldLogStays) {
  fs::path dir = crash_copy("step1-0");
  for (const char* extension : {".log", ".index", ".timeindex"}) {
    copy_cleaned(dir, extension, ".cleaned");
  }
  EXPECT_EQ(reopen(dir), before_);
}

TEST_F(CleanerSwapCrash, IndexesRenamedToSwapButNotTheLogMeansNotCommitted) {
  fs::path dir = crash_copy("step2-0");
  copy_cleaned(dir, ".index", ".swap");
  copy_cleaned(dir, ".log", ".cleaned");
  EXPECT_EQ(reopen(dir), before_);
}

TEST_F(CleanerSwapCrash, CommittedSwapIsCompleted) {
  fs::path dir = crash_copy("step2b-0");
  for (const char* extension : {".index", ".timeindex", ".log"}) {
    copy_cleaned(dir, extension, ".swap");
  }
  EXPECT_EQ(reopen(dir), after_);
}

TEST_F(CleanerSwapCrash, SwapWithOldSegmentsPartlyDeletedIsCompleted) {
  fs::path dir = crash_copy("step3-0");
  for (const char* extension : {".index", ".timeindex", ".log"}) {
    copy_cleaned(dir, extension, ".swap");
  }
  fs::remove(dir / name(0, ".log"));  // its stale index files remain
  remove_old(dir, bases_[1]);
  EXPECT_EQ(reopen(dir), after_);
}

TEST_F(CleanerSwapCrash, SwapWithIndexesAlreadyRenamedIsCompleted) {
  fs::path dir = crash_copy("step3b-0");
  for (size_t i = 0; i + 1 < bases_.size(); ++i) remove_old(dir, bases_[i]);
  copy_cleaned(dir, ".index", "");
  copy_cleaned(dir, ".timeindex", "");
  copy_cleaned(dir, ".log", ".swap");
  EXPECT_EQ(reopen(dir), after_);
}

TEST_F(CleanerSwapCrash, FinishedSwapIsTheCleanedLog) {
  EXPECT_EQ(reopen(cleaned_), after_);
}

TEST(CleanerOffsetMap, RemembersTheLastOffsetPerKeyWithinItsBound) {
  CleanerOffsetMap map(16 * CleanerOffsetMap::kSlotBytes, 0.9);
  map.reset(1000);
  EXPECT_EQ(map.memory_bytes(), 16 * 24);
  EXPECT_EQ(map.max_entries(), 14u);
  auto key = [](const std::string& text) {
    return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  };
  std::vector<std::string> keys;
  for (int i = 0; i < 14; ++i) keys.push_back("key" + std::to_string(i));
  for (int i = 0; i < 14; ++i) map.put(key(keys[i]), i);
  EXPECT_TRUE(map.full());
  for (int i = 0; i < 14; ++i) EXPECT_EQ(map.get(key(keys[i])), i);
  EXPECT_EQ(map.get(key("absent")), -1);
  EXPECT_EQ(map.latest_offset(), 13);
  map.reset(2);  // a small pass uses few slots
  EXPECT_EQ(map.memory_bytes(), 4 * 24);
  EXPECT_EQ(map.get(key(keys[0])), -1);
  map.put(key("a"), 7);
  map.put(key("a"), 9);
  EXPECT_EQ(map.entries(), 1u);
  EXPECT_EQ(map.get(key("a")), 9);
}

TEST(CleanerThread, CleansInTheBackgroundAndCheckpointsTheCleanerOffset) {
  TempDir root;
  LogManagerConfig config;
  config.log_dirs = {root.path() / "a"};
  config.default_config = compact_config();
  config.cleaner_backoff_ms = 10;
  int64_t cleaned_below = 0;
  {
    LogManager manager(config);
    ASSERT_EQ(manager.open_all(), Error::kNone);
    Error error = Error::kNone;
    auto log = manager.create_partition("t", 0, compact_config(), error);
    ASSERT_NE(log, nullptr);
    append_updates(*log, 5, 60);
    manager.start();
    // Bounded wait for the thread's first pass (the backoff is 10 ms).
    for (int i = 0; i < 2000 && log->cleaner_offset() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    cleaned_below = log->cleaner_offset();
    ASSERT_EQ(cleaned_below, log->segments().back()->base_offset());
    manager.shutdown();
  }
  std::ifstream checkpoint(root.path() / "a" / kCleanerOffsetCheckpointFile);
  std::string text((std::istreambuf_iterator<char>(checkpoint)), {});
  EXPECT_EQ(text, "0\n1\nt 0 " + std::to_string(cleaned_below) + "\n");
  LogManager reopened(config);
  ASSERT_EQ(reopened.open_all(), Error::kNone);
  EXPECT_EQ(reopened.get("t", 0)->cleaner_offset(), cleaned_below);
  EXPECT_FALSE(reopened.cleaner_pass(kNow));  // nothing dirty any more
}

}  // namespace
}  // namespace eddy::storage
