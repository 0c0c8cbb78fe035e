#include "storage/cleaner.h"

#include <atomic>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "storage/cleaner_test_util.h"

namespace eddy::storage {
namespace {

namespace fs = std::filesystem;
using testing::compact_config;
using testing::keyed_batch;
using testing::KeyValue;
using testing::latest_values;
using testing::open_compacted;
using testing::read_all;
using testing::ReadRecord;
using testing::TempDir;

constexpr int64_t kNow = testing::kCleanerNow;

std::string key_name(int key) {
  return "key-" + std::to_string(key);
}

// `rounds` rounds of one update per key, each in its own batch; value "<key>@<round>".
void append_updates(PartitionLog& log, int keys, int rounds, int64_t timestamp_ms = kNow,
                    int first_round = 0) {
  for (int round = first_round; round < first_round + rounds; ++round) {
    for (int key = 0; key < keys; ++key) {
      auto bytes =
          keyed_batch({{key_name(key), key_name(key) + "@" + std::to_string(round)}}, timestamp_ms);
      ASSERT_EQ(log.append(bytes, 0, kNow).error, Error::kNone);
    }
  }
}

// Below `below_offset`: exactly one record per key, holding the expected latest value.
void expect_deduplicated(const std::vector<ReadRecord>& records, int64_t below_offset,
                         const std::map<std::string, std::optional<std::string>>& expected) {
  std::map<std::string, int> seen;
  for (const auto& record : records) {
    if (record.offset >= below_offset) continue;
    seen[record.key]++;
    ASSERT_TRUE(expected.contains(record.key)) << record.key;
    EXPECT_EQ(record.value, expected.at(record.key)) << record.key;
  }
  for (const auto& [key, count] : seen) EXPECT_EQ(count, 1) << key;
}

void expect_increasing(const std::vector<ReadRecord>& records) {
  for (size_t i = 1; i < records.size(); ++i) {
    ASSERT_LT(records[i - 1].offset, records[i].offset);
  }
}

std::vector<ReadRecord> records_from(const std::vector<ReadRecord>& records, int64_t offset) {
  std::vector<ReadRecord> out;
  for (const auto& record : records) {
    if (record.offset >= offset) out.push_back(record);
  }
  return out;
}

void expect_same(const std::vector<ReadRecord>& a, const std::vector<ReadRecord>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].offset, b[i].offset);
    EXPECT_EQ(a[i].key, b[i].key);
    EXPECT_EQ(a[i].value, b[i].value);
    EXPECT_EQ(a[i].timestamp_ms, b[i].timestamp_ms);
  }
}

TEST(Cleaner, KeepsOnlyTheLatestValuePerKeyAndLeavesTheActiveSegment) {
  TempDir root;
  auto log = open_compacted(root.path() / "c-0", compact_config());
  append_updates(*log, 5, 100);
  auto before = read_all(*log);
  auto active = log->segments().back();
  int64_t active_base = active->base_offset();
  int64_t active_size = active->size_bytes();
  ASSERT_GT(log->segment_count(), 3u);
  auto expected = latest_values(before, active_base);

  Cleaner cleaner(CleanerConfig{});
  CleanStats stats;
  ASSERT_EQ(cleaner.clean(*log, kNow, &stats), Error::kNone);
  auto after = read_all(*log);
  expect_increasing(after);
  expect_deduplicated(after, active_base, expected);
  EXPECT_EQ(latest_values(after, active_base).size(), 5u);
  expect_same(records_from(after, active_base), records_from(before, active_base));
  EXPECT_LT(after.size(), before.size());  // gaps: offsets were not reused
  EXPECT_EQ(log->log_end_offset(), 500);
  EXPECT_EQ(log->segments().back(), active);
  EXPECT_EQ(active->size_bytes(), active_size);
  EXPECT_EQ(log->cleaner_offset(), active_base);
  EXPECT_EQ(stats.end_offset, active_base);
  EXPECT_LT(stats.bytes_written, stats.bytes_read);

  // The rewritten files are whole: a crash-recovery open sees the same log.
  log->close();
  log = open_compacted(root.path() / "c-0", compact_config());
  expect_same(read_all(*log), after);
  // A second pass merges the small cleaned segments into one group.
  size_t segments = log->segment_count();
  append_updates(*log, 5, 100, kNow, 100);
  ASSERT_EQ(cleaner.clean(*log, kNow), Error::kNone);
  EXPECT_LT(log->segment_count(), segments + 100);
  expect_increasing(read_all(*log));
}

TEST(Cleaner, TombstonesStayUntilTheDeleteHorizonThenGo) {
  TempDir root;
  auto log = open_compacted(root.path() / "c-0", compact_config());
  append_updates(*log, 3, 10);
  auto tombstone = keyed_batch({{key_name(1), std::nullopt}}, kNow - 5000);
  ASSERT_EQ(log->append(tombstone, 0, kNow).error, Error::kNone);
  int64_t tombstone_offset = log->log_end_offset() - 1;
  for (int i = 0; i < 60; ++i) {
    auto bytes = keyed_batch({{key_name(i % 2 == 0 ? 0 : 2), "later"}}, kNow);
    ASSERT_EQ(log->append(bytes, 0, kNow).error, Error::kNone);
  }
  ASSERT_GT(log->segments().back()->base_offset(), tombstone_offset);

  Cleaner cleaner(CleanerConfig{});
  ASSERT_EQ(cleaner.clean(*log, kNow), Error::kNone);
  auto find_key1 = [&log] {
    std::vector<ReadRecord> found;
    for (const auto& record : read_all(*log)) {
      if (record.key == key_name(1)) found.push_back(record);
    }
    return found;
  };
  auto key1 = find_key1();
  ASSERT_EQ(key1.size(), 1u);
  EXPECT_EQ(key1[0].offset, tombstone_offset);
  EXPECT_FALSE(key1[0].value);
  EXPECT_EQ(key1[0].timestamp_ms, kNow - 5000);  // re-encoded against the horizon, unchanged
  EXPECT_TRUE(key1[0].batch.has_delete_horizon());
  EXPECT_EQ(key1[0].batch.base_timestamp, kNow + 1000);
  EXPECT_EQ(log->delete_horizon_ms(), kNow + 1000);

  // Nothing dirty: the horizon alone makes the log due, once it has passed.
  EXPECT_EQ(
      cleaner.pick({std::shared_ptr<PartitionLog>(log.get(), [](PartitionLog*) {})}, kNow + 999),
      nullptr);
  ASSERT_EQ(cleaner.clean(*log, kNow + 999), Error::kNone);
  EXPECT_EQ(find_key1().size(), 1u);
  std::shared_ptr<PartitionLog> shared(log.get(), [](PartitionLog*) {});
  EXPECT_EQ(cleaner.pick({shared}, kNow + 1000), shared);
  ASSERT_EQ(cleaner.clean(*log, kNow + 1000), Error::kNone);
  EXPECT_TRUE(find_key1().empty());
  EXPECT_EQ(log->delete_horizon_ms(), -1);
  expect_increasing(read_all(*log));
}

TEST(Cleaner, MinCompactionLagKeepsRecentSegmentsDirty) {
  TempDir root;
  config::TopicConfig config = compact_config();
  config.min_compaction_lag_ms = 60000;
  auto log = open_compacted(root.path() / "c-0", config);
  append_updates(*log, 4, 50, kNow - 100000);
  append_updates(*log, 4, 50, kNow, 50);
  auto before = read_all(*log);
  int64_t first_recent = 200;
  // The segment holding offset 200 and everything after stay as they are.
  int64_t uncleanable = -1;
  for (const auto& segment : log->segments()) {
    if (segment->base_offset() <= first_recent) uncleanable = segment->base_offset();
  }
  Cleaner cleaner(CleanerConfig{});
  ASSERT_EQ(cleaner.clean(*log, kNow), Error::kNone);
  auto after = read_all(*log);
  EXPECT_EQ(log->cleaner_offset(), uncleanable);
  expect_same(records_from(after, uncleanable), records_from(before, uncleanable));
  expect_deduplicated(after, uncleanable, latest_values(before, uncleanable));

  // Later, the lag has passed for all sealed segments.
  int64_t active_base = log->segments().back()->base_offset();
  ASSERT_EQ(cleaner.clean(*log, kNow + 120000), Error::kNone);
  expect_deduplicated(read_all(*log), active_base, latest_values(before, active_base));
}

TEST(Cleaner, CompressedBatchesKeepTheirCodec) {
  for (auto codec : {compression::Codec::kGzip, compression::Codec::kSnappy,
                     compression::Codec::kLz4, compression::Codec::kZstd}) {
    TempDir root;
    auto log = open_compacted(root.path() / "c-0", compact_config());
    for (int round = 0; round < 60; ++round) {
      std::vector<KeyValue> batch;
      for (int i = 0; i < 10; ++i) {
        batch.push_back({key_name((round + i) % 7), "value-" + std::to_string(round * 10 + i)});
      }
      auto bytes = keyed_batch(batch, kNow, codec);
      ASSERT_EQ(log->append(bytes, 0, kNow).error, Error::kNone);
    }
    auto before = read_all(*log);
    int64_t active_base = log->segments().back()->base_offset();
    Cleaner cleaner(CleanerConfig{});
    ASSERT_EQ(cleaner.clean(*log, kNow), Error::kNone);
    auto after = read_all(*log);  // checks every CRC
    expect_deduplicated(after, active_base, latest_values(before, active_base));
    for (const auto& record : after) EXPECT_EQ(record.batch.compression(), codec);
    // Rebuilt batches keep their original offset range.
    for (const auto& record : after) {
      EXPECT_EQ((record.batch.base_offset % 10), 0);
      EXPECT_EQ(record.batch.last_offset_delta, 9);
    }
  }
}

TEST(Cleaner, BoundedMapCleansInSeveralPasses) {
  TempDir root;
  auto log = open_compacted(root.path() / "c-0", compact_config());
  append_updates(*log, 200, 3);
  auto before = read_all(*log);
  int64_t active_base = log->segments().back()->base_offset();
  CleanerConfig config;
  config.dedupe_buffer_bytes = 64 * CleanerOffsetMap::kSlotBytes;  // 57 keys per pass
  Cleaner cleaner(config);
  int passes = 0;
  while (log->cleaner_offset() < active_base && passes < 100) {
    CleanStats stats;
    ASSERT_EQ(cleaner.clean(*log, kNow, &stats), Error::kNone);
    EXPECT_LE(stats.map_entries, 57u);
    EXPECT_LE(stats.map_memory_bytes, config.dedupe_buffer_bytes);
    passes++;
    // Every intermediate log still gives each key its latest value.
    auto now = read_all(*log);
    expect_increasing(now);
    EXPECT_EQ(latest_values(now, active_base), latest_values(before, active_base));
  }
  EXPECT_GT(passes, 5);
  expect_deduplicated(read_all(*log), active_base, latest_values(before, active_base));
}

TEST(Cleaner, AppendsAndReadsContinueDuringCleaning) {
  TempDir root;
  auto log = open_compacted(root.path() / "c-0", compact_config());
  append_updates(*log, 10, 50);
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    append_updates(*log, 10, 100, kNow, 50);
    writing = false;
  });
  std::thread reader([&] {
    while (writing) expect_increasing(read_all(*log));
  });
  Cleaner cleaner(CleanerConfig{});
  int passes = 0;
  while (writing) {
    ASSERT_EQ(cleaner.clean(*log, kNow), Error::kNone);
    passes++;
  }
  writer.join();
  reader.join();
  ASSERT_EQ(cleaner.clean(*log, kNow), Error::kNone);
  EXPECT_GT(passes, 0);
  EXPECT_EQ(log->log_end_offset(), 1500);
  auto after = read_all(*log);
  expect_increasing(after);
  int64_t active_base = log->segments().back()->base_offset();
  auto latest = latest_values(after, INT64_MAX);
  for (int key = 0; key < 10; ++key) {
    EXPECT_EQ(latest[key_name(key)], key_name(key) + "@149");
  }
  expect_deduplicated(after, active_base, latest_values(after, active_base));
}

TEST(Cleaner, PicksTheDirtiestCompactedLog) {
  TempDir root;
  std::shared_ptr<PartitionLog> dirty = open_compacted(root.path() / "a-0", compact_config());
  std::shared_ptr<PartitionLog> cleaned = open_compacted(root.path() / "b-0", compact_config());
  config::TopicConfig plain = compact_config();
  plain.compact = false;
  std::shared_ptr<PartitionLog> not_compacted = open_compacted(root.path() / "c-0", plain);
  for (auto* log : {dirty.get(), cleaned.get(), not_compacted.get()}) append_updates(*log, 5, 60);
  Cleaner cleaner(CleanerConfig{});
  ASSERT_EQ(cleaner.clean(*cleaned, kNow), Error::kNone);
  EXPECT_EQ(cleaner.pick({not_compacted, cleaned, dirty}, kNow), dirty);
  ASSERT_EQ(cleaner.clean(*dirty, kNow), Error::kNone);
  EXPECT_EQ(cleaner.pick({not_compacted, cleaned, dirty}, kNow), nullptr);
}

TEST(Cleaner, CompactOnlyTopicsKeepOldSegmentsUnderRetention) {
  TempDir root;
  config::TopicConfig config = compact_config();
  config.retention_ms = 1;
  auto log = open_compacted(root.path() / "c-0", config);
  append_updates(*log, 5, 60);
  size_t segments = log->segment_count();
  log->apply_retention(kNow + 1'000'000);
  EXPECT_EQ(log->segment_count(), segments);
  config.delete_enabled = true;  // compact,delete
  log->update_config(config);
  log->apply_retention(kNow + 1'000'000);
  EXPECT_EQ(log->segment_count(), 1u);
}

TEST(Cleaner, DamagedBatchStopsThePassAndChangesNothing) {
  TempDir root;
  auto log = open_compacted(root.path() / "c-0", compact_config());
  append_updates(*log, 5, 60);
  auto before = read_all(*log);
  auto first = log->segments().front();
  uint8_t byte = 0;
  ASSERT_TRUE(pread_all(first->file()->fd(), &byte, 1, 70));
  byte ^= 0xff;
  ASSERT_TRUE(pwrite_all(first->file()->fd(), &byte, 1, 70));
  std::shared_ptr<PartitionLog> shared(log.get(), [](PartitionLog*) {});
  Cleaner cleaner(CleanerConfig{});
  EXPECT_EQ(cleaner.clean(*log, kNow), Error::kCorruptMessage);
  EXPECT_EQ(log->segments().front(), first);
  EXPECT_EQ(cleaner.pick({shared}, kNow), nullptr);  // marked uncleanable
  for (const auto& entry : fs::directory_iterator(root.path() / "c-0")) {
    EXPECT_EQ(entry.path().string().find(".cleaned"), std::string::npos);
  }
}

}  // namespace
}  // namespace eddy::storage
