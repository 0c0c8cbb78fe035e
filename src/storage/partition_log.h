#pragma once

// The log of one partition: an ordered list of segments, the last one active.
//
// Threads: any thread may call any method. Appends are serialised by `append_mutex_`; its
// critical section assigns offsets, patches headers, write()s and updates indexes, with no
// fsync. Readers take `segments_mutex_` shared only to pick a segment, then read files without
// locks, bounded by the published log end offset, so they never wait for an append's write.
// Flushes run on the LogManager's flusher thread; fsync happens outside the append lock.
//
// Locks, in the order they nest (cleaning or flush, then append, then segments):
//  - cleaning_mutex_: held for a whole cleaner pass (CleaningLock); retention only try-locks
//    it and skips the log meanwhile, so it never deletes a segment being rewritten. It guards
//    that protocol, not a member.
//  - flush_mutex_: one flush at a time (flusher thread, close()), so a flush never moves the
//    recovery point or the unflushed count under another one's feet. The values themselves are
//    atomics that anyone reads.
//  - append_mutex_: the writers (append, roll, retention, segment swap, DeleteRecords, config
//    changes, close); guards config_, closed_ and the active segment's writer side.
//  - segments_mutex_ (shared): guards segments_. It only changes under append_mutex_ too, so a
//    writer that looked at segments_ (retention, a swap) finds it unchanged when it takes the
//    exclusive lock to edit it.
// The offsets (log start, log end, recovery point, ...) are atomics: readers never lock them.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/byte_ranges.h"
#include "common/thread_annotations.h"
#include "config/topic_config.h"
#include "storage/error.h"
#include "storage/file.h"
#include "storage/segment.h"

namespace eddy::storage {

// What the produce validation pass (broker/produce/validator.h) proved about the batches it
// hands to append(): storage trusts the layout and asserts these totals instead of decoding
// the records again.
struct BatchSummary {
  int64_t offset_count = 0;  // offsets the batches take: the sum of last_offset_delta + 1
  int64_t record_count = 0;
  int64_t max_timestamp_ms = -1;
};

// The totals of batches the broker built itself (group coordinator, metadata, tests), from
// their headers; asserts they are well formed (whole v2 batches, dense offsets).
BatchSummary summarize_built_batches(std::span<const uint8_t> batches);

struct AppendResult {
  Error error = Error::kNone;
  int64_t base_offset = -1;         // offset of the first appended record; -1 if nothing
  int64_t log_append_time_ms = -1;  // the broker's timestamp for LogAppendTime topics, else -1
  int64_t log_start_offset = -1;
};

// A byte range of a segment file, to be sent with sendfile. Holding it keeps the file open.
// Readers use range() and read(), never the descriptor itself.
struct FileSlice {
  std::shared_ptr<const File> file;
  int64_t position = 0;
  int64_t size_bytes = 0;

  // The range for sendfile; valid while `file` is held.
  FileRange range() const {
    return FileRange{file->fd(), position, static_cast<size_t>(size_bytes)};
  }
  // Copies the slice's bytes into `out` (resized to fit); false on a read error.
  bool read(std::vector<uint8_t>& out) const {
    out.resize(static_cast<size_t>(size_bytes));
    return pread_all(file->fd(), out.data(), out.size(), position);
  }
};

struct ReadResult {
  Error error = Error::kNone;
  // Whole batches only, in offset order; one slice per segment touched (a read continues into
  // the next segment when a sealed one is used up); empty when nothing to return.
  std::vector<FileSlice> slices;
  int64_t high_watermark = -1;
  int64_t log_start_offset = -1;
  int64_t last_stable_offset = -1;
};

// A ListOffsets answer; offset and timestamp are -1 when nothing matches.
struct OffsetLookup {
  Error error = Error::kNone;
  int64_t offset = -1;
  int64_t timestamp_ms = -1;
  int32_t leader_epoch = -1;
};

class PartitionLog {
 public:
  struct Options {
    std::filesystem::path dir;  // <log.dir>/<topic>-<partition>
    std::string topic;
    int32_t partition = 0;
    config::TopicConfig config;
    bool clean_shutdown = false;   // trust files (no scan) when true
    int64_t recovery_point = 0;    // from recovery-point-offset-checkpoint
    int64_t log_start_offset = 0;  // from log-start-offset-checkpoint
    int64_t cleaner_offset = 0;    // from cleaner-offset-checkpoint
    int64_t now_ms = 0;
  };

  // Opens (and recovers) or creates the log in options.dir; nullptr and `error` on failure.
  static std::unique_ptr<PartitionLog> open(const Options& options, Error& error);
  ~PartitionLog();

  // Appends validated batches (one or more whole v2 batches whose totals are `summary`). They
  // are patched in place (base offset, leader epoch, and max timestamp for LogAppendTime) and
  // written as they are. All-or-nothing. Refuses a batch above max.message.bytes and a request
  // above segment.bytes (limits for every writer, clients and coordinators alike). An empty
  // span appends nothing and succeeds.
  AppendResult append(std::span<uint8_t> batches, const BatchSummary& summary, int32_t leader_epoch,
                      int64_t now_ms) EXCLUDES(append_mutex_);
  // Batches the broker built itself: summarised with summarize_built_batches().
  AppendResult append(std::span<uint8_t> batches, int32_t leader_epoch, int64_t now_ms) {
    return append(batches, summarize_built_batches(batches), leader_epoch, now_ms);
  }

  // Whole batches starting at the one containing `fetch_offset`, at most `max_bytes` (but the
  // first batch even if larger when `min_one_batch`), none with an offset >= `max_offset`.
  // Offsets outside [log start, log end] give kOffsetOutOfRange.
  ReadResult read(int64_t fetch_offset, int32_t max_bytes, int64_t max_offset,
                  bool min_one_batch) const;

  int64_t log_start_offset() const { return log_start_offset_.load(std::memory_order_acquire); }
  int64_t log_end_offset() const { return log_end_offset_.load(std::memory_order_acquire); }
  // Single node: everything appended is committed.
  int64_t high_watermark() const { return log_end_offset(); }
  int64_t last_stable_offset() const { return high_watermark(); }
  int64_t recovery_point() const { return recovery_point_.load(std::memory_order_acquire); }

  // ListOffsets by timestamp: the first record with timestamp >= `timestamp_ms` (not below the
  // log start), found via the time index, then decoding that one batch (decompressing if
  // needed). {-1, -1} when no record is that recent.
  OffsetLookup offset_for_timestamp(int64_t timestamp_ms) const;
  // ListOffsets MAX_TIMESTAMP (KIP-734): the first record holding the largest timestamp.
  OffsetLookup max_timestamp() const;

  // DeleteRecords: moves the log start offset up to `offset` (<= high watermark, else
  // kOffsetOutOfRange; -1 means the high watermark, as in the protocol). Segments wholly below it
  // go at the next apply_retention.
  Error delete_records_before(int64_t offset) EXCLUDES(append_mutex_);
  // Deletes whole non-active segments by retention.ms / retention.bytes / log start offset.
  void apply_retention(int64_t now_ms) EXCLUDES(cleaning_mutex_, append_mutex_);
  // True when flush.messages or flush.ms says so, or a rolled segment is not yet fsynced.
  bool needs_flush(int64_t now_ms) const EXCLUDES(append_mutex_);
  // When the last flush ended (or the log was opened), for the background sync's schedule.
  int64_t last_flush_ms() const { return last_flush_ms_.load(std::memory_order_relaxed); }
  // Flusher thread only. Asks the kernel to start writing back what was appended to the
  // active segment since the last call, once that is at least kWritebackChunkBytes; returns
  // the bytes it asked for (0: none). Left alone, ext4 writes back in large bursts across every
  // busy file, and an append that needs the file's block map meanwhile waits tens of
  // milliseconds (docs/performance.md, "Latency"). Never waits for the disk; promises nothing
  // about durability (that is flush()).
  int64_t start_writeback();
  static constexpr int64_t kWritebackChunkBytes = 1 << 20;
  // fsyncs everything up to the current end and moves the recovery point there.
  void flush(int64_t now_ms) EXCLUDES(flush_mutex_, append_mutex_);
  void flush() EXCLUDES(flush_mutex_, append_mutex_);
  // A flush done by someone else (the background sync's syncfs of the whole file system): take
  // sync_point() before the sync starts and give it to mark_synced() once it succeeded.
  struct SyncPoint {
    int64_t log_end_offset = 0;      // everything below is in the files already written
    int64_t unflushed_messages = 0;  // what the sync clears from the flush.messages count
  };
  SyncPoint sync_point() const EXCLUDES(append_mutex_);
  void mark_synced(const SyncPoint& point, int64_t now_ms) EXCLUDES(flush_mutex_);
  void update_config(const config::TopicConfig& config) EXCLUDES(append_mutex_);
  // The topic's configuration as of the last update: an immutable snapshot that request
  // handlers and the cleaner read without taking the append lock.
  std::shared_ptr<const config::TopicConfig> config() const {
    return shared_config_.load(std::memory_order_acquire);
  }
  // Seals the active segment (trimmed indexes) and, with `flush`, fsyncs; later appends fail
  // with kStorageError. For shutdown (flush) and partition deletion (no flush).
  void close(bool flush = true) EXCLUDES(flush_mutex_, append_mutex_);

  const std::string& topic() const { return topic_; }
  int32_t partition() const { return partition_; }
  const std::filesystem::path& dir() const { return dir_; }
  const RecoveryStats& recovery_stats() const { return recovery_stats_; }
  size_t segment_count() const;
  std::vector<int64_t> segment_base_offsets() const;

  // --- for the cleaner (cleaner.h) ---
  // The segments, oldest first; the last one is active.
  std::vector<std::shared_ptr<Segment>> segments() const { return segments_snapshot(); }
  // Held for a whole cleaner pass (a scoped lock on the log's cleaning mutex): retention skips
  // this log meanwhile, so it never deletes a segment that is being rewritten.
  class SCOPED_CAPABILITY CleaningLock {
   public:
    explicit CleaningLock(PartitionLog& log) ACQUIRE(log.cleaning_mutex_)
        : mutex_(log.cleaning_mutex_) {
      mutex_.lock();
    }
    ~CleaningLock() RELEASE() { mutex_.unlock(); }
    CleaningLock(const CleaningLock&) = delete;
    CleaningLock& operator=(const CleaningLock&) = delete;

   private:
    Mutex& mutex_;
  };
  // Replaces `old` (consecutive sealed segments, still in the log) by `replacement` under the
  // append lock. `commit_files` runs inside that critical section, before the swap (it renames
  // files). False, with nothing done, if the log is closed or `old` is no longer in it.
  bool replace_segments(const std::vector<std::shared_ptr<Segment>>& old,
                        std::shared_ptr<Segment> replacement,
                        const std::function<void()>& commit_files) EXCLUDES(append_mutex_);
  // The first dirty offset: everything below was deduplicated (cleaner-offset-checkpoint).
  int64_t cleaner_offset() const { return cleaner_offset_.load(std::memory_order_acquire); }
  void set_cleaner_offset(int64_t offset) {
    cleaner_offset_.store(offset, std::memory_order_release);
  }
  // The earliest delete horizon of a tombstone batch still in the log; -1 when none is known.
  int64_t delete_horizon_ms() const { return delete_horizon_ms_.load(std::memory_order_acquire); }
  void set_delete_horizon_ms(int64_t horizon_ms) {
    delete_horizon_ms_.store(horizon_ms, std::memory_order_release);
  }

 private:
  PartitionLog(const Options& options);
  Error load(const Options& options) EXCLUDES(append_mutex_, segments_mutex_);
  Error check_size_limits(std::span<const uint8_t> batches) const;
  // Moves the recovery point up to a completed flush's point and clears its unflushed count.
  void publish_flush(const SyncPoint& point, int64_t now_ms) REQUIRES(flush_mutex_);
  // Seals the active segment and starts a new one at the log end.
  Error roll_locked(int64_t now_ms) REQUIRES(append_mutex_) EXCLUDES(segments_mutex_);
  // How many segments from the oldest on retention deletes now (never the active one).
  size_t retired_prefix(int64_t now_ms) const REQUIRES(append_mutex_) EXCLUDES(segments_mutex_);
  // Takes those segments out of the log (their files are the caller's to remove).
  std::vector<std::shared_ptr<Segment>> detach_retired(int64_t now_ms) REQUIRES(cleaning_mutex_)
      EXCLUDES(append_mutex_, segments_mutex_);
  // Where `old` sits in the log, if its segments are still there, consecutive and sealed.
  std::optional<size_t> position_of(const std::vector<std::shared_ptr<Segment>>& old) const
      EXCLUDES(segments_mutex_);
  std::shared_ptr<Segment> active_segment() const EXCLUDES(segments_mutex_);
  // The segment that would hold `offset` (last with base <= offset), or nullptr.
  std::shared_ptr<Segment> segment_for(int64_t offset) const EXCLUDES(segments_mutex_);
  // The first segment whose base offset is above `base_offset`, or nullptr.
  std::shared_ptr<Segment> segment_after(int64_t base_offset) const EXCLUDES(segments_mutex_);
  // The first batch whose last offset is >= `offset`, skipping gaps (compaction), and its
  // segment. Safe against a concurrent segment swap: a stale segment leads on by offset.
  // `error` becomes kStorageError when a segment's files cannot be opened (out of descriptors).
  std::optional<BatchInfo> find_batch(int64_t offset, std::shared_ptr<Segment>& segment,
                                      Error& error) const;
  std::vector<std::shared_ptr<Segment>> segments_snapshot() const EXCLUDES(segments_mutex_);

  const std::filesystem::path dir_;
  const std::string topic_;
  const int32_t partition_;

  mutable Mutex append_mutex_;
  config::TopicConfig config_ GUARDED_BY(append_mutex_);
  // config_'s published copy, replaced whole by update_config().
  std::atomic<std::shared_ptr<const config::TopicConfig>> shared_config_;
  bool closed_ GUARDED_BY(append_mutex_) = false;
  // config_'s size limits, for the checks append() makes before taking the lock.
  std::atomic<int32_t> max_message_bytes_;
  std::atomic<int64_t> segment_bytes_;

  mutable SharedMutex segments_mutex_;
  // Sorted by base offset, never empty; changed only under append_mutex_ too.
  std::vector<std::shared_ptr<Segment>> segments_ GUARDED_BY(segments_mutex_);

  std::atomic<int64_t> log_start_offset_{0};
  std::atomic<int64_t> log_end_offset_{0};
  std::atomic<int64_t> recovery_point_{0};
  std::atomic<int64_t> unflushed_messages_{0};
  std::atomic<int64_t> last_flush_ms_{0};
  // Flusher-only: the active segment (by base offset) and how far its writeback was started.
  int64_t writeback_base_offset_ = -1;
  int64_t writeback_position_ = 0;
  Mutex flush_mutex_;
  Mutex cleaning_mutex_;
  std::atomic<int64_t> cleaner_offset_{0};
  std::atomic<int64_t> delete_horizon_ms_{-1};
  RecoveryStats recovery_stats_;
};

}  // namespace eddy::storage
