#include "storage/index.h"

#include <gtest/gtest.h>

#include "storage/checkpoint.h"
#include "storage/test_util.h"

namespace eddy::storage {
namespace {

using testing::TempDir;

TEST(OffsetIndex, LookupFindsLastEntryAtOrBelow) {
  TempDir dir;
  auto file = IndexFile::open(dir.path() / "0.index", kOffsetIndexEntrySize, 80, true);
  ASSERT_NE(file, nullptr);
  OffsetIndex index(std::move(file), 100);
  EXPECT_EQ(index.lookup(150).position, 0);
  EXPECT_EQ(index.lookup(150).offset, 100);
  for (int i = 1; i <= 5; ++i) index.append(100 + i * 10, i * 1000);
  EXPECT_EQ(index.lookup(105).position, 0);
  EXPECT_EQ(index.lookup(110).position, 1000);
  EXPECT_EQ(index.lookup(119).position, 1000);
  EXPECT_EQ(index.lookup(150).position, 5000);
  EXPECT_EQ(index.lookup(999).position, 5000);
  EXPECT_EQ(index.lookup_position(2500).position, 2000);
  EXPECT_EQ(index.lookup_position(999).position, 0);
  EXPECT_TRUE(index.sane(6000));
  EXPECT_FALSE(index.sane(5000));  // last entry must point inside the log
}

TEST(OffsetIndex, TrimmedFileReopensWithItsEntries) {
  TempDir dir;
  auto path = dir.path() / "0.index";
  {
    auto file = IndexFile::open(path, kOffsetIndexEntrySize, 1024, true);
    OffsetIndex index(std::move(file), 0);
    index.append(5, 100);
    index.append(9, 200);
    EXPECT_EQ(std::filesystem::file_size(path), 1024u);
    ASSERT_TRUE(index.file().trim());
  }
  EXPECT_EQ(std::filesystem::file_size(path), 16u);
  OffsetIndex reopened(IndexFile::open(path, kOffsetIndexEntrySize, 1024, false), 0);
  ASSERT_EQ(reopened.entries(), 2u);
  EXPECT_EQ(reopened.lookup(9).position, 200);
}

TEST(OffsetIndex, UntrimmedZeroTailIsNotSane) {
  TempDir dir;
  auto path = dir.path() / "0.index";
  {
    OffsetIndex index(IndexFile::open(path, kOffsetIndexEntrySize, 1024, true), 0);
    index.append(5, 100);
  }
  OffsetIndex reopened(IndexFile::open(path, kOffsetIndexEntrySize, 1024, false), 0);
  EXPECT_FALSE(reopened.sane(1000));
}

TEST(TimeIndex, KeepsTimestampsIncreasing) {
  TempDir dir;
  TimeIndex index(IndexFile::open(dir.path() / "0.timeindex", kTimeIndexEntrySize, 120, true), 50);
  index.maybe_append(1000, 55);
  index.maybe_append(900, 56);  // not larger: skipped
  index.maybe_append(2000, 60);
  ASSERT_EQ(index.entries(), 2u);
  EXPECT_FALSE(index.last_before(1000).has_value());
  EXPECT_EQ(index.last_before(1001)->offset, 55);
  EXPECT_EQ(index.last_before(5000)->timestamp_ms, 2000);
}

TEST(Checkpoint, RoundTripsKafkaTextFormat) {
  OffsetCheckpoint offsets{{{"orders", 0}, 1843}, {{"my-topic", 12}, 7}};
  std::string text = format_checkpoint(offsets);
  EXPECT_EQ(text, "0\n2\nmy-topic 12 7\norders 0 1843\n");
  OffsetCheckpoint parsed;
  ASSERT_TRUE(parse_checkpoint(text, parsed));
  EXPECT_EQ(parsed, offsets);
}

TEST(Checkpoint, RejectsMalformedText) {
  OffsetCheckpoint parsed;
  EXPECT_FALSE(parse_checkpoint("1\n0\n", parsed));
  EXPECT_FALSE(parse_checkpoint("0\n2\nt 0 1\n", parsed));  // count mismatch
  EXPECT_FALSE(parse_checkpoint("0\n1\nt zero 1\n", parsed));
  EXPECT_FALSE(parse_checkpoint("0\n1\nt 0 1 extra\n", parsed));
}

TEST(Checkpoint, WritesAtomicallyAndReadsBack) {
  TempDir dir;
  auto path = dir.path() / kRecoveryPointCheckpointFile;
  EXPECT_TRUE(read_checkpoint(path).empty());
  OffsetCheckpoint offsets{{{"t", 3}, 42}};
  ASSERT_TRUE(write_checkpoint(path, offsets));
  EXPECT_EQ(read_checkpoint(path), offsets);
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
}

}  // namespace
}  // namespace eddy::storage
