#include "storage/partition_log.h"

#include <atomic>
#include <thread>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "records/byte_order.h"
#include "storage/test_util.h"

namespace eddy::storage {
namespace {

namespace fs = std::filesystem;
using testing::make_batches;
using testing::read_headers;
using testing::TempDir;

constexpr int64_t kNow = 1'700'000'000'000;

config::TopicConfig small_config() {
  config::TopicConfig config;
  config.segment_bytes = 4096;
  config.index_interval_bytes = 256;
  return config;
}

class PartitionLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<PartitionLog> open_log(const config::TopicConfig& config, bool clean = false,
                                         int64_t recovery_point = 0, int64_t log_start = 0) {
    PartitionLog::Options options;
    options.dir = dir_.path() / "topic-0";
    options.topic = "topic";
    options.partition = 0;
    options.config = config;
    options.clean_shutdown = clean;
    options.recovery_point = recovery_point;
    options.log_start_offset = log_start;
    options.now_ms = kNow;
    Error error = Error::kNone;
    auto log = PartitionLog::open(options, error);
    EXPECT_EQ(error, Error::kNone);
    return log;
  }

  // Appends `count` single-batch requests of `records_per_batch` records.
  void append_batches(PartitionLog& log, int count, int records_per_batch = 1,
                      int64_t first_timestamp_ms = kNow) {
    for (int i = 0; i < count; ++i) {
      auto bytes = make_batches(1, records_per_batch, first_timestamp_ms + int64_t{i} * 10);
      auto result = log.append(bytes, 5, kNow);
      ASSERT_EQ(result.error, Error::kNone);
    }
  }

  fs::path log_file(int64_t base_offset) const {
    return dir_.path() / "topic-0" / Segment::file_name(base_offset, ".log");
  }

  TempDir dir_;
};

TEST_F(PartitionLogTest, AppendAssignsOffsetsAndPatchesHeaders) {
  auto log = open_log(config::TopicConfig{});
  auto bytes = make_batches(3, 4, kNow);
  auto result = log->append(bytes, 7, kNow);
  ASSERT_EQ(result.error, Error::kNone);
  EXPECT_EQ(result.base_offset, 0);
  EXPECT_EQ(result.log_append_time_ms, -1);
  EXPECT_EQ(log->log_end_offset(), 12);
  auto more = make_batches(1, 2, kNow);
  EXPECT_EQ(log->append(more, 7, kNow).base_offset, 12);

  auto read = log->read(0, 1 << 20, log->high_watermark(), true);
  ASSERT_EQ(read.error, Error::kNone);
  auto headers = read_headers(read);
  ASSERT_EQ(headers.size(), 4u);
  for (size_t i = 0; i < headers.size(); ++i) {
    EXPECT_EQ(headers[i].base_offset, static_cast<int64_t>(i * 4));
    EXPECT_EQ(headers[i].partition_leader_epoch, 7);
  }
  EXPECT_EQ(read.high_watermark, 14);
}

TEST_F(PartitionLogTest, RoundTripAcrossSegmentRollsFindsEveryOffset) {
  auto log = open_log(small_config());
  append_batches(*log, 150, 3);
  ASSERT_EQ(log->log_end_offset(), 450);
  EXPECT_GT(log->segment_count(), 4u);
  for (int64_t offset = 0; offset < 450; ++offset) {
    auto read = log->read(offset, 1, 450, true);
    ASSERT_EQ(read.error, Error::kNone);
    auto headers = read_headers(read);
    ASSERT_EQ(headers.size(), 1u) << offset;
    EXPECT_LE(headers[0].base_offset, offset);
    EXPECT_GE(headers[0].last_offset(), offset);
  }
  // A large read continues into the following segments.
  EXPECT_GT(log->read(0, 1 << 20, 450, true).slices.size(), 1u);
  // Reading everything in a loop yields every batch once, in order.
  int64_t next = 0;
  while (next < 450) {
    auto headers = read_headers(log->read(next, 1000, 450, true));
    ASSERT_FALSE(headers.empty());
    for (const auto& header : headers) {
      EXPECT_EQ(header.base_offset, next);
      next = header.last_offset() + 1;
    }
  }
}

TEST_F(PartitionLogTest, FullIndexRollsTheSegment) {
  config::TopicConfig config;
  config.segment_index_bytes = 48;  // 6 offset entries, 4 time entries (one kept for sealing)
  config.index_interval_bytes = 1;  // an entry per batch
  auto log = open_log(config);
  append_batches(*log, 40);
  EXPECT_GE(log->segment_count(), 8u);
  for (int64_t offset = 0; offset < 40; ++offset) {
    auto headers = read_headers(log->read(offset, 1, 40, true));
    ASSERT_EQ(headers.size(), 1u);
    EXPECT_EQ(headers[0].base_offset, offset);
    EXPECT_EQ(log->offset_for_timestamp(kNow + offset * 10).offset, offset);
  }
}

TEST_F(PartitionLogTest, SegmentMsComparesBatchTimestamps) {
  config::TopicConfig config;
  config.segment_ms = 100;
  auto log = open_log(config);
  auto append_at = [&](int64_t timestamp_ms) {
    auto bytes = make_batches(1, 1, timestamp_ms);
    ASSERT_EQ(log->append(bytes, 0, kNow).error, Error::kNone);
  };
  append_at(1000);
  append_at(1100);  // exactly segment.ms later: no roll yet
  EXPECT_EQ(log->segment_count(), 1u);
  append_at(1101);
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{0, 2}));
}

TEST_F(PartitionLogTest, EmptyAppendIsANoOp) {
  auto log = open_log(config::TopicConfig{});
  std::vector<uint8_t> nothing;
  auto result = log->append(nothing, 0, kNow);
  EXPECT_EQ(result.error, Error::kNone);
  EXPECT_EQ(result.base_offset, -1);
  EXPECT_EQ(log->log_end_offset(), 0);
}

TEST_F(PartitionLogTest, ReadRespectsMaxBytesAndMinOneBatch) {
  auto log = open_log(config::TopicConfig{});
  append_batches(*log, 10);
  auto one = log->read(0, 1, 10, true);
  ASSERT_EQ(read_headers(one).size(), 1u);
  int64_t batch_bytes = one.slices[0].size_bytes;
  EXPECT_TRUE(log->read(0, 1, 10, false).slices.empty());
  auto three = log->read(0, static_cast<int32_t>(batch_bytes * 3 + batch_bytes / 2), 10, false);
  EXPECT_EQ(read_headers(three).size(), 3u);  // whole batches only
}

TEST_F(PartitionLogTest, ReadsNeverPassMaxOffset) {
  auto log = open_log(small_config());
  append_batches(*log, 40, 2);
  for (int64_t max_offset : {0, 1, 2, 3, 17, 18, 79, 80}) {
    for (int64_t fetch = 0; fetch < max_offset; ++fetch) {
      for (const auto& header : read_headers(log->read(fetch, 1 << 20, max_offset, true))) {
        EXPECT_LE(header.last_offset(), max_offset - 1) << fetch << " " << max_offset;
      }
    }
  }
  EXPECT_TRUE(log->read(18, 1 << 20, 18, true).slices.empty());
  EXPECT_TRUE(log->read(80, 1 << 20, 80, true).slices.empty());
  EXPECT_EQ(log->read(80, 1 << 20, 80, true).error, Error::kNone);
  EXPECT_EQ(log->read(81, 1 << 20, 80, true).error, Error::kOffsetOutOfRange);
}

// Everything else about the bytes is checked before append (broker/produce/validator_test.cc).
TEST_F(PartitionLogTest, RefusesBatchesAboveTheSizeLimits) {
  config::TopicConfig config;
  config.max_message_bytes = 300;
  config.segment_bytes = 1000;
  auto log = open_log(config);

  auto large = make_batches(1, 1, kNow, 400);
  EXPECT_EQ(log->append(large, 0, kNow).error, Error::kMessageTooLarge);
  // All or nothing: a good batch followed by a large one appends neither.
  auto mixed = make_batches(1, 1, kNow);
  mixed.insert(mixed.end(), large.begin(), large.end());
  EXPECT_EQ(log->append(mixed, 0, kNow).error, Error::kMessageTooLarge);
  auto many = make_batches(10, 1, kNow);
  ASSERT_GT(many.size(), 1000u);
  EXPECT_EQ(log->append(many, 0, kNow).error, Error::kRecordListTooLarge);
  EXPECT_EQ(log->log_end_offset(), 0);
  EXPECT_EQ(fs::file_size(log_file(0)), 0u);
}

TEST_F(PartitionLogTest, LogAppendTimeSetsTimestampAndKeepsCrcValid) {
  config::TopicConfig config;
  config.log_append_time = true;
  auto log = open_log(config);
  auto bytes = make_batches(1, 3, 1000);
  auto result = log->append(bytes, 0, kNow + 5);
  ASSERT_EQ(result.error, Error::kNone);
  EXPECT_EQ(result.log_append_time_ms, kNow + 5);
  auto headers = read_headers(log->read(0, 1 << 20, 3, true));  // parse_all checks CRCs
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].max_timestamp, kNow + 5);
  EXPECT_TRUE(headers[0].is_log_append_time());
}

TEST_F(PartitionLogTest, OffsetForTimestampAndMaxTimestamp) {
  auto log = open_log(small_config());
  // Batch i holds offsets 2i, 2i+1 with timestamps 1000 + 10i and 1001 + 10i.
  append_batches(*log, 100, 2, 1000);
  EXPECT_GT(log->segment_count(), 1u);
  for (int i = 0; i < 100; ++i) {
    auto lookup = log->offset_for_timestamp(1000 + 10 * i - 5);
    ASSERT_EQ(lookup.error, Error::kNone);
    EXPECT_EQ(lookup.offset, 2 * i) << i;
    EXPECT_EQ(lookup.timestamp_ms, 1000 + 10 * i);
    EXPECT_EQ(lookup.leader_epoch, 5);
    // Inside a batch: the exact record, not the batch start.
    lookup = log->offset_for_timestamp(1001 + 10 * i);
    EXPECT_EQ(lookup.offset, 2 * i + 1) << i;
    EXPECT_EQ(lookup.timestamp_ms, 1001 + 10 * i);
  }
  EXPECT_EQ(log->offset_for_timestamp(0).offset, 0);
  EXPECT_EQ(log->offset_for_timestamp(999999).offset, -1);
  auto max = log->max_timestamp();
  EXPECT_EQ(max.timestamp_ms, 1001 + 10 * 99);
  EXPECT_EQ(max.offset, 199);
}

TEST_F(PartitionLogTest, MaxTimestampPointsAtTheRecordInsideItsBatch) {
  auto log = open_log(config::TopicConfig{});
  append_batches(*log, 2, 2, 100);  // offsets 0..3, timestamps 100, 101, 110, 111
  records::BatchBuilder builder(records::BatchOptions{});
  std::vector<uint8_t> value(10, 'x');
  for (int64_t timestamp_ms : {500, 900, 700}) {
    records::RecordInput record;
    record.value = std::span<const uint8_t>(value);
    record.timestamp_ms = timestamp_ms;
    builder.add(record);
  }
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(builder.finish(bytes));
  ASSERT_EQ(log->append(bytes, 0, kNow).error, Error::kNone);  // offsets 4..6
  auto max = log->max_timestamp();
  EXPECT_EQ(max.timestamp_ms, 900);
  EXPECT_EQ(max.offset, 5);
  EXPECT_EQ(log->offset_for_timestamp(600).offset, 5);
}

TEST_F(PartitionLogTest, RetentionByTimeDeletesOldSegments) {
  config::TopicConfig config = small_config();
  config.retention_ms = 1000;
  auto log = open_log(config);
  append_batches(*log, 120, 1, kNow - 100000);  // old timestamps
  size_t old_segments = log->segment_count();
  ASSERT_GT(old_segments, 2u);
  append_batches(*log, 1, 1, kNow);  // the active segment is never deleted
  auto bases = log->segment_base_offsets();
  log->apply_retention(kNow);
  EXPECT_EQ(log->segment_count(), 1u);
  EXPECT_EQ(log->log_start_offset(), log->segment_base_offsets().front());
  EXPECT_GT(log->log_start_offset(), 0);
  for (size_t i = 0; i + 1 < bases.size(); ++i) EXPECT_FALSE(fs::exists(log_file(bases[i])));
  EXPECT_EQ(log->read(0, 100, 100, true).error, Error::kOffsetOutOfRange);
  EXPECT_FALSE(
      read_headers(log->read(log->log_start_offset(), 1 << 20, log->log_end_offset(), true))
          .empty());
}

TEST_F(PartitionLogTest, RetentionBySizeKeepsNewestSegments) {
  config::TopicConfig config = small_config();
  config.retention_ms = -1;
  config.retention_bytes = 8192;
  auto log = open_log(config);
  append_batches(*log, 200);
  ASSERT_GT(log->segment_count(), 4u);
  log->apply_retention(kNow);
  int64_t total = 0;
  for (int64_t base : log->segment_base_offsets()) total += fs::file_size(log_file(base));
  EXPECT_LE(total, 8192 + 4096);
  EXPECT_GE(total, 8192 - 4096);
  EXPECT_EQ(log->log_start_offset(), log->segment_base_offsets().front());
  EXPECT_EQ(log->log_end_offset(), 200);
}

TEST_F(PartitionLogTest, DeleteRecordsMovesLogStartThenRetentionDeletes) {
  auto log = open_log(small_config());
  append_batches(*log, 100);
  EXPECT_EQ(log->delete_records_before(101), Error::kOffsetOutOfRange);
  ASSERT_EQ(log->delete_records_before(70), Error::kNone);
  EXPECT_EQ(log->log_start_offset(), 70);
  EXPECT_EQ(log->read(69, 100, 100, true).error, Error::kOffsetOutOfRange);
  auto headers = read_headers(log->read(70, 1, 100, true));
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].base_offset, 70);
  ASSERT_EQ(log->delete_records_before(10), Error::kNone);  // never moves back
  EXPECT_EQ(log->log_start_offset(), 70);

  size_t before = log->segment_count();
  log->apply_retention(kNow);
  EXPECT_LT(log->segment_count(), before);
  EXPECT_LE(log->segment_base_offsets().front(), 70);
  EXPECT_EQ(log->log_start_offset(), 70);
}

TEST_F(PartitionLogTest, CleanReopenDoesNotScan) {
  {
    auto log = open_log(small_config());
    append_batches(*log, 100, 2);
    log->close();
  }
  auto log = open_log(small_config(), true, 0);
  EXPECT_EQ(log->recovery_stats().scanned_bytes, 0);
  EXPECT_EQ(log->recovery_stats().indexes_rebuilt, 0);
  EXPECT_EQ(log->log_end_offset(), 200);
  EXPECT_EQ(log->recovery_point(), 200);
  for (int64_t offset = 0; offset < 200; ++offset) {
    auto headers = read_headers(log->read(offset, 1, 200, true));
    ASSERT_EQ(headers.size(), 1u);
    EXPECT_EQ(headers[0].base_offset, offset - offset % 2);
  }
  EXPECT_EQ(log->offset_for_timestamp(kNow + 505).offset, 102);
  append_batches(*log, 1);
  EXPECT_EQ(log->log_end_offset(), 201);
}

TEST_F(PartitionLogTest, MissingIndexIsRebuiltAfterCleanShutdown) {
  {
    auto log = open_log(small_config());
    append_batches(*log, 100, 2);
    log->close();
  }
  fs::remove(dir_.path() / "topic-0" / Segment::file_name(0, ".index"));
  auto log = open_log(small_config(), true, 0);
  EXPECT_EQ(log->recovery_stats().indexes_rebuilt, 1);
  EXPECT_TRUE(fs::exists(dir_.path() / "topic-0" / Segment::file_name(0, ".index")));
  EXPECT_GT(fs::file_size(dir_.path() / "topic-0" / Segment::file_name(0, ".index")), 0u);
  EXPECT_EQ(log->log_end_offset(), 200);
  for (int64_t offset = 0; offset < 200; offset += 2) {
    auto headers = read_headers(log->read(offset, 1, 200, true));
    ASSERT_EQ(headers.size(), 1u);
    EXPECT_EQ(headers[0].base_offset, offset);
  }
}

TEST_F(PartitionLogTest, RecoveryTruncatesTornTail) {
  {
    auto log = open_log(small_config());
    append_batches(*log, 30);
  }  // no close(): as after kill -9
  auto bases = [&] {
    auto log = open_log(small_config());
    return log->segment_base_offsets();
  }();
  fs::path last = log_file(bases.back());
  auto size = fs::file_size(last);
  ASSERT_GT(size, 20u);
  fs::resize_file(last, size - 20);  // cut the last batch in the middle
  auto log = open_log(small_config());
  EXPECT_EQ(log->log_end_offset(), 29);
  EXPECT_GT(log->recovery_stats().truncated_bytes, 0);
  EXPECT_GT(log->recovery_stats().scanned_bytes, 0);
  append_batches(*log, 1);
  EXPECT_EQ(log->log_end_offset(), 30);
  auto headers = read_headers(log->read(28, 1 << 20, 30, true));
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[1].base_offset, 29);
}

TEST_F(PartitionLogTest, RecoveryTruncatesAtCorruptBatch) {
  {
    auto log = open_log(config::TopicConfig{});
    append_batches(*log, 10);
  }
  fs::path file = log_file(0);
  auto size = fs::file_size(file);
  {
    // Flip one byte of the last batch's records: its CRC no longer matches.
    auto handle = File::open(file, false);
    uint8_t byte = 0;
    ASSERT_TRUE(pread_all(handle->fd(), &byte, 1, static_cast<int64_t>(size) - 3));
    byte ^= 0x40;
    ASSERT_TRUE(pwrite_all(handle->fd(), &byte, 1, static_cast<int64_t>(size) - 3));
  }
  auto log = open_log(config::TopicConfig{});
  EXPECT_EQ(log->log_end_offset(), 9);
  EXPECT_LT(fs::file_size(file), size);
  EXPECT_EQ(read_headers(log->read(0, 1 << 20, 9, true)).size(), 9u);
}

TEST_F(PartitionLogTest, CorruptionInOlderSegmentDropsLaterSegments) {
  {
    auto log = open_log(small_config());
    append_batches(*log, 200);
  }
  auto bases = open_log(small_config())->segment_base_offsets();
  ASSERT_GT(bases.size(), 3u);
  // Corrupt the first batch of the second segment.
  {
    auto handle = File::open(log_file(bases[1]), false);
    uint8_t byte = 0xff;
    ASSERT_TRUE(pwrite_all(handle->fd(), &byte, 1, 70));
  }
  auto log = open_log(small_config(), false, 0);
  EXPECT_EQ(log->log_end_offset(), bases[1]);
  EXPECT_EQ(log->segment_count(), 2u);
  EXPECT_FALSE(fs::exists(log_file(bases[2])));
  append_batches(*log, 1);
  EXPECT_EQ(log->log_end_offset(), bases[1] + 1);
}

TEST_F(PartitionLogTest, ConcurrentAppendAndRead) {
  auto log = open_log(small_config());
  constexpr int kBatches = 2000;
  std::atomic<bool> failed{false};
  std::thread reader([&] {
    int64_t next = 0;
    while (next < int64_t{kBatches} * 2 && !failed) {
      auto result = log->read(next, 1000, log->high_watermark(), true);
      if (result.error != Error::kNone) failed = true;
      for (const auto& slice : result.slices) {
        auto bytes = testing::read_slice(slice);
        records::BatchIterator iterator(bytes, true);
        while (iterator.next()) {
          if (iterator.header().base_offset != next) failed = true;
          next = iterator.header().last_offset() + 1;
        }
        if (iterator.valid_bytes() != bytes.size()) failed = true;
      }
      std::this_thread::yield();
    }
  });
  for (int i = 0; i < kBatches && !failed; ++i) {
    auto bytes = make_batches(1, 2, kNow + i);
    if (log->append(bytes, 1, kNow).error != Error::kNone) failed = true;
  }
  reader.join();
  EXPECT_FALSE(failed);
  EXPECT_EQ(log->log_end_offset(), kBatches * 2);
}

TEST_F(PartitionLogTest, FlushMovesRecoveryPoint) {
  config::TopicConfig config;
  config.flush_messages = 5;
  auto log = open_log(config);
  append_batches(*log, 4);
  EXPECT_FALSE(log->needs_flush(kNow));
  append_batches(*log, 1);
  EXPECT_TRUE(log->needs_flush(kNow));
  log->flush(kNow);
  EXPECT_EQ(log->recovery_point(), 5);
  EXPECT_FALSE(log->needs_flush(kNow));
}

TEST_F(PartitionLogTest, RolledSegmentNeedsFlush) {
  auto log = open_log(small_config());
  append_batches(*log, 5);
  EXPECT_FALSE(log->needs_flush(kNow));
  append_batches(*log, 60);
  ASSERT_GT(log->segment_count(), 1u);
  EXPECT_TRUE(log->needs_flush(kNow));
  log->flush(kNow);
  EXPECT_EQ(log->recovery_point(), 65);
}

TEST_F(PartitionLogTest, UnclosedSegmentIndexesAreRebuiltAfterCrash) {
  {
    auto log = open_log(small_config());
    append_batches(*log, 100, 2);
    log->flush(kNow);
  }
  // Unclean start from a recovery point in the last segments: only the tail is scanned.
  auto log = open_log(small_config(), false, 190);
  EXPECT_EQ(log->log_end_offset(), 200);
  EXPECT_GT(log->recovery_stats().scanned_bytes, 0);
  EXPECT_LT(log->recovery_stats().scanned_bytes, 4096 * 2);
  for (int64_t offset = 0; offset < 200; offset += 2) {
    auto headers = read_headers(log->read(offset, 1, 200, true));
    ASSERT_EQ(headers.size(), 1u);
    EXPECT_EQ(headers[0].base_offset, offset);
  }
}

// Disk blocks the file holds, and whether its file system can reserve them at all.
int64_t allocated_bytes(const fs::path& file) {
  struct stat st {};
  EXPECT_EQ(::stat(file.c_str(), &st), 0);
  return static_cast<int64_t>(st.st_blocks) * 512;
}

bool can_reserve(const fs::path& dir) {
  auto probe = File::open(dir / "probe", true);
  return probe != nullptr && ::fallocate(probe->fd(), FALLOC_FL_KEEP_SIZE, 0, 4096) == 0;
}

TEST_F(PartitionLogTest, PreallocateReservesTheSegmentAndARollReleasesTheRest) {
  if (!can_reserve(dir_.path())) GTEST_SKIP() << "file system without fallocate";
  config::TopicConfig config;
  config.segment_bytes = 3 << 20;
  config.preallocate = true;
  auto log = open_log(config);
  append_batches(*log, 1);
  EXPECT_EQ(fs::file_size(log_file(0)), log->segments().back()->size_bytes());
  EXPECT_GE(allocated_bytes(log_file(0)), config.segment_bytes);

  while (log->segment_count() < 2) {
    auto batch = make_batches(1, 100, kNow, 1000);  // about 100 KB; append patches it in place
    ASSERT_EQ(log->append(batch, 5, kNow).error, Error::kNone);
  }
  const int64_t sealed_size = log->segments().front()->size_bytes();
  EXPECT_GT(sealed_size, 2 << 20);
  EXPECT_LE(allocated_bytes(log_file(0)), sealed_size + 4096);
}

TEST_F(PartitionLogTest, WithoutPreallocateNothingIsReservedAhead) {
  if (!can_reserve(dir_.path())) GTEST_SKIP() << "file system without fallocate";
  config::TopicConfig config;
  config.segment_bytes = 40 << 20;
  auto log = open_log(config);
  append_batches(*log, 1);
  EXPECT_LE(allocated_bytes(log_file(0)), 64 << 10);
}

TEST_F(PartitionLogTest, WritebackStartsForEachNewMegabyteOfTheActiveSegment) {
  config::TopicConfig config;
  config.segment_bytes = 3 << 20;
  auto log = open_log(config);
  auto append_kb = [&](int kilobytes) {
    for (int i = 0; i < kilobytes / 100; ++i) {
      auto batch = make_batches(1, 100, kNow, 1000);  // about 100 KB
      ASSERT_EQ(log->append(batch, 5, kNow).error, Error::kNone);
    }
  };
  append_kb(500);
  EXPECT_EQ(log->start_writeback(), 0) << "less than a chunk waits";
  append_kb(700);
  const int64_t size = log->segments().back()->size_bytes();
  EXPECT_EQ(log->start_writeback(), size);
  EXPECT_EQ(log->start_writeback(), 0) << "nothing new";
  append_kb(1100);
  EXPECT_EQ(log->start_writeback(), log->segments().back()->size_bytes() - size);

  while (log->segment_count() < 2) append_kb(100);
  append_kb(1100);
  // A new active segment starts from its first byte.
  EXPECT_EQ(log->start_writeback(), log->segments().back()->size_bytes());
}

}  // namespace
}  // namespace eddy::storage
