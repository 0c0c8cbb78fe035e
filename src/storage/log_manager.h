#pragma once

// All partition logs of this broker, across the log dirs (`log.dirs`).
//
// Threads: two background threads once start() is called:
//  - flusher: every writeback_interval_ms, starts writeback of each active segment's newly
//    appended megabytes (PartitionLog::start_writeback); every flush_check_interval_ms,
//    fsyncs partitions that need it (flush.messages, flush.ms, rolled segments), syncs the
//    file system of a log dir whose busy partitions are due a background sync, writes the
//    recovery-point checkpoint after a pass that moved a recovery point, and periodically writes
//    all checkpoints;
//  - retention: every retention_check_interval_ms, applies retention to every partition, and
//    removes the directories of deleted partitions;
//  - cleaner (log.cleaner.enable): compacts the filthiest compacted partition, one pass after
//    another, and sleeps cleaner_backoff_ms when none needs it (cleaner.h).
// The public methods are thread-safe. Nothing fsyncs on the caller's thread except shutdown(),
// create_partition (its directory entry) and delete_partition (the checkpoint files naming the
// partition, then the rename): call those off the event loops.
//
// Locks (checkpoint_mutex_ is taken before mutex_; cleaner_mutex_ never with another):
//  - mutex_ guards the partition maps (partitions_, offline_, deleting_), pending_deletes_ and
//    the shutdown flags, which callers and the three threads read and change. It is held while
//    a partition opens (create, offline retry), so no two PartitionLogs share a directory; the
//    threads sleep on wake_ with it.
//  - checkpoint_mutex_ makes a checkpoint write one step, snapshot and files together: a
//    snapshot that still names a deleted partition cannot be written after the write that
//    dropped it. It guards the files, not a member.
//  - cleaner_mutex_ guards cleaner_ (one pass at a time: the cleaner thread, or a test).
// Unlocked: the thread objects (start() sets them under mutex_ unless stopping; shutdown() joins
// them once stopping_ is set, when nothing sets them any more), opened_clean_ and dir_fds_
// (open_all(), before anything runs; the destructor closes the descriptors) and
// last_checkpoint_ms_ (the flusher's own).

#include <array>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/thread_annotations.h"
#include "config/topic_config.h"
#include "storage/checkpoint.h"
#include "storage/cleaner.h"
#include "storage/error.h"
#include "storage/partition_log.h"

namespace eddy::storage {

inline constexpr const char* kCleanShutdownFile = ".kafka_cleanshutdown";
inline constexpr const char* kCleanerOffsetCheckpointFile = "cleaner-offset-checkpoint";

struct LogManagerConfig {
  std::vector<std::filesystem::path> log_dirs;   // log.dirs
  config::TopicConfig default_config;            // log.* defaults for topics
  int64_t retention_check_interval_ms = 300000;  // log.retention.check.interval.ms
  int64_t flush_check_interval_ms = 1000;        // how often flush policies are checked
  // How often writeback of new appends is started: at 100 ms a partition taking 60 MB/s hands
  // the disk ~6 MB at a time.
  int64_t writeback_interval_ms = 100;
  int64_t flush_offset_checkpoint_interval_ms = 60000;  // log.flush.offset.checkpoint.interval.ms
  // eddy.log.sync.interval.ms: flush a partition holding data above its recovery point once
  // its last flush is this old, so a crash start rescans at most about this much; 0: off.
  int64_t background_sync_interval_ms = 10000;
  bool cleaner_enable = true;          // log.cleaner.enable
  int64_t cleaner_backoff_ms = 15000;  // log.cleaner.backoff.ms
  CleanerConfig cleaner;               // log.cleaner.dedupe.buffer.size, ...
  // eddy.log.max.open.segments: sealed segments holding descriptors at once (descriptor_cache.h);
  // 0: default_max_open_segments(), from RLIMIT_NOFILE and vm.max_map_count.
  int64_t max_open_segments = 0;
  // How often the flusher retries opening partitions that failed to open (offline()).
  int64_t offline_retry_interval_ms = 5000;
};

class LogManager {
 public:
  using ConfigForTopic = std::function<config::TopicConfig(const std::string& topic)>;

  explicit LogManager(LogManagerConfig config);
  ~LogManager();  // shutdown() if not done
  LogManager(const LogManager&) = delete;
  LogManager& operator=(const LogManager&) = delete;

  // Loads every partition of every log dir (recovering after a crash), then removes the clean
  // shutdown markers. `config_for` gives a topic's config (default: default_config). A
  // partition that fails to open (out of descriptors, I/O error) does not stop the others: it
  // is offline (logged) and retried in the background; an error here means a log dir itself
  // is unusable.
  Error open_all(const ConfigForTopic& config_for = {}) EXCLUDES(checkpoint_mutex_, mutex_);
  // Starts the flusher and retention threads.
  void start() EXCLUDES(mutex_);

  // On failure the partition is offline (retried in the background) and `error` says why.
  std::shared_ptr<PartitionLog> create_partition(const std::string& topic, int32_t partition,
                                                 const config::TopicConfig& config, Error& error)
      EXCLUDES(mutex_);
  // True if the partition's log failed to open (at start-up or creation) and has not opened
  // since: its requests get KAFKA_STORAGE_ERROR.
  bool offline(const std::string& topic, int32_t partition) const EXCLUDES(mutex_);
  // Tries to open the offline partitions whose retry is due; the flusher calls it.
  void retry_offline_pass(int64_t now_ms) EXCLUDES(mutex_);
  // Removes the partition from its log dir's checkpoint files, then renames the directory to
  // <topic>-<partition>.<id>-delete and removes it in the background. Readers holding the
  // PartitionLog keep working on open files. Until the rename, create_partition of the same
  // name gives kPartitionExists.
  Error delete_partition(const std::string& topic, int32_t partition)
      EXCLUDES(checkpoint_mutex_, mutex_);
  std::shared_ptr<PartitionLog> get(const std::string& topic, int32_t partition) const
      EXCLUDES(mutex_);
  std::vector<TopicPartition> partitions() const EXCLUDES(mutex_);

  // Flushes every partition, writes checkpoints and the clean shutdown markers. Idempotent.
  void shutdown() EXCLUDES(checkpoint_mutex_, mutex_);

  // One pass of each background job, for tests and tools that run without threads.
  void writeback_pass();
  void flush_pass(int64_t now_ms);
  void retention_pass(int64_t now_ms);
  // Cleans the filthiest compacted partition once; false when none needed it.
  bool cleaner_pass(int64_t now_ms) EXCLUDES(cleaner_mutex_);
  bool write_checkpoints() EXCLUDES(checkpoint_mutex_, mutex_);
  bool write_recovery_point_checkpoints() EXCLUDES(checkpoint_mutex_, mutex_);

  // True if every log dir had a clean shutdown marker at open_all.
  bool opened_clean() const { return opened_clean_; }

 private:
  struct Entry {
    std::shared_ptr<PartitionLog> log;
    size_t dir_index = 0;
  };
  // A partition whose log failed to open: what it takes to try again.
  struct OfflineEntry {
    PartitionLog::Options options;
    size_t dir_index = 0;
    int64_t next_retry_ms = 0;
  };
  // One log dir's share of the three checkpoint files.
  struct DirCheckpoints {
    OffsetCheckpoint recovery_points;
    OffsetCheckpoint log_starts;
    OffsetCheckpoint cleaner_offsets;
  };
  using CheckpointFile = std::pair<const char*, const OffsetCheckpoint*>;  // file name, content
  static std::array<CheckpointFile, 3> files_of(const DirCheckpoints& checkpoints);

  Error open_dir(size_t dir_index, const ConfigForTopic& config_for)
      EXCLUDES(checkpoint_mutex_, mutex_);
  // Opens a partition's log; on failure records it offline (logged).
  std::shared_ptr<PartitionLog> open_or_mark_offline(const PartitionLog::Options& options,
                                                     size_t dir_index, Error& error)
      REQUIRES(mutex_);
  size_t pick_dir() const REQUIRES(mutex_);  // the dir with the fewest partitions
  std::vector<std::shared_ptr<PartitionLog>> logs() const EXCLUDES(mutex_);
  // Background sync (eddy.log.sync.interval.ms): once a partition with data above its recovery
  // point has gone an interval without a flush, one syncfs(2) of its log dir's file system
  // makes every such partition of that dir durable up to where it ended when the sync began.
  // True if a recovery point moved.
  bool background_sync(int64_t now_ms) EXCLUDES(mutex_);
  bool sync_dir(size_t dir_index, const std::vector<std::shared_ptr<PartitionLog>>& dirty,
                int64_t now_ms);
  void flusher_loop();
  void retention_loop();
  void cleaner_loop();
  bool stopping() const EXCLUDES(mutex_);
  // Sleeps up to `timeout_ms`, or until shutdown, or (with `until_pending_deletes`) until a
  // deleted partition's directory waits for removal. False once shutting down.
  bool sleep_unless_stopping(int64_t timeout_ms, bool until_pending_deletes = false)
      EXCLUDES(mutex_);
  // Makes a running cleaner pass stop early. Not under cleaner_mutex_, which the pass holds:
  // taking it would wait for the very pass this means to stop. Cleaner::abort() only sets an
  // atomic flag, safe beside a running pass, but the analysis cannot tell that one method of
  // the guarded cleaner_ from the others.
  void abort_cleaner() NO_THREAD_SAFETY_ANALYSIS;
  void remove_pending_deletes() EXCLUDES(mutex_);
  // What the checkpoint files should say now, per log dir.
  std::vector<DirCheckpoints> checkpoint_snapshot() const REQUIRES(checkpoint_mutex_)
      EXCLUDES(mutex_);
  bool write_dir_checkpoints(size_t dir_index, const DirCheckpoints& checkpoints) const
      REQUIRES(checkpoint_mutex_);
  // Rewrites the checkpoint files of one log dir that name `key` (which is no longer in
  // partitions_), so none of them outlives the partition's directory.
  bool forget_in_checkpoints(const TopicPartition& key, size_t dir_index)
      EXCLUDES(checkpoint_mutex_, mutex_);
  // At open: entries naming no partition directory of the dir are dropped from its files.
  bool drop_stale_checkpoint_entries(size_t dir_index, const DirCheckpoints& on_disk)
      EXCLUDES(checkpoint_mutex_, mutex_);

  const LogManagerConfig config_;
  mutable Mutex mutex_;
  std::map<TopicPartition, Entry> partitions_ GUARDED_BY(mutex_);
  // Failed to open; never also in partitions_.
  std::map<TopicPartition, OfflineEntry> offline_ GUARDED_BY(mutex_);
  // Being deleted, directory not yet renamed away.
  std::set<TopicPartition> deleting_ GUARDED_BY(mutex_);
  std::vector<std::filesystem::path> pending_deletes_ GUARDED_BY(mutex_);
  // One descriptor per log dir, open for the manager's life: syncfs(2) on it reports every
  // write-back error of the dir's file system since it was opened, so a descriptor opened just
  // for the sync would miss the errors of write-back that happened before.
  std::vector<int> dir_fds_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  bool shut_down_ GUARDED_BY(mutex_) = false;
  std::condition_variable wake_;  // waits with mutex_
  Mutex checkpoint_mutex_;
  bool opened_clean_ = false;
  std::thread flusher_;
  std::thread retention_;
  std::thread cleaner_thread_;
  Mutex cleaner_mutex_;
  Cleaner cleaner_ GUARDED_BY(cleaner_mutex_);
  int64_t last_checkpoint_ms_ = 0;  // flusher thread only
};

// Splits "<topic>-<partition>" (the topic may contain dashes); false for other names.
bool parse_partition_dir_name(const std::string& name, std::string& topic, int32_t& partition);

}  // namespace eddy::storage
