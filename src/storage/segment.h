#pragma once

// One segment of a partition log: <base>.log, <base>.index and <base>.timeindex
// (layout in docs/storage-format.md).
//
// Threads: one writer at a time (the partition's append lock) calls append/seal/flush; any
// number of readers call the const lookups concurrently. The writer publishes the new size
// only after write() returned, and readers never look past the size they loaded, so a reader
// never sees a partial batch.
//
// Descriptors: the active segment keeps its .log fd and index mappings open. A sealed segment
// belongs to the descriptor cache (descriptor_cache.h), which may close them when too many
// are open; the next use reopens them. Every use holds a SegmentFiles reference for its
// duration, so closing never pulls files from under a reader.
//
// Locking: `files_mutex_` guards what closing, reopening, renaming and removal change, as they
// may run on different threads at once (the cache's evictions, readers, the cleaner,
// retention): `files_` (the reference readers take), `suffix_` (the file names) and `removed_`.
// It is held only to swap those, never across a call into the descriptor cache. The writer
// holds its own reference (`writer_files_`) until the segment enters the cache: nothing
// replaces the files before then, so appends use them without the lock.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "common/thread_annotations.h"
#include "config/topic_config.h"
#include "storage/descriptor_cache.h"
#include "storage/error.h"
#include "storage/file.h"
#include "storage/index.h"

namespace eddy::records {
struct BatchHeader;
}

namespace eddy::storage {

// Where one batch sits in a segment file, and the header fields storage needs.
struct BatchInfo {
  int64_t position = 0;
  int64_t size_bytes = 0;
  int64_t base_offset = 0;
  int64_t last_offset = 0;
  int64_t max_timestamp_ms = -1;
  int32_t leader_epoch = -1;
};

// The fields of a batch header that storage needs, for the batch at `position`.
BatchInfo info_from_header(int64_t position, const records::BatchHeader& header);

// What start-up recovery did, for logs and tests.
struct RecoveryStats {
  int64_t scanned_bytes = 0;    // bytes whose batches were read and CRC-checked
  int64_t truncated_bytes = 0;  // bytes cut from torn or corrupt tails
  int32_t indexes_rebuilt = 0;  // segments whose indexes were rebuilt
};

// The open descriptors of a segment: its .log and the two index mappings.
struct SegmentFiles {
  std::shared_ptr<const File> log;
  std::unique_ptr<OffsetIndex> offset_index;
  std::unique_ptr<TimeIndex> time_index;
};

class Segment : public DescriptorCache::Entry, public std::enable_shared_from_this<Segment> {
 public:
  // "00000000000000001843" + extension (".log", ".index", ".timeindex").
  static std::string file_name(int64_t base_offset, const char* extension);

  // Creates an empty active segment; nullptr on I/O error (logged).
  static std::shared_ptr<Segment> create(const std::filesystem::path& dir, int64_t base_offset,
                                         const config::TopicConfig& config, int64_t now_ms);

  // Creates an empty segment whose three files carry `suffix` (".cleaned"), for the cleaner to
  // write into; nullptr on I/O error (logged).
  static std::shared_ptr<Segment> create_with_suffix(const std::filesystem::path& dir,
                                                     int64_t base_offset,
                                                     const config::TopicConfig& config,
                                                     const std::string& suffix);

  // Opens an existing segment. With `recover`, every batch from `synced_offset` on is read and
  // checked, the indexes are rebuilt and a torn or corrupt tail is truncated (`truncated`
  // tells); the batches below `synced_offset` (the recovery point: fsynced with their index
  // entries) keep their index entries and are not CRC-checked, unless the files disagree with
  // it (then everything is checked). Without `recover` the files are trusted, unless an index
  // is missing or fails its sanity check (then rebuilt).
  // `active` keeps the indexes preallocated for appends; otherwise they are trimmed.
  static std::shared_ptr<Segment> open(const std::filesystem::path& dir, int64_t base_offset,
                                       const config::TopicConfig& config, bool active, bool recover,
                                       RecoveryStats& stats, bool& truncated,
                                       int64_t synced_offset = 0);

  ~Segment() override;
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  int64_t base_offset() const { return base_offset_; }
  int64_t size_bytes() const { return size_bytes_.load(std::memory_order_acquire); }
  // One past the last offset in the segment (base offset when empty).
  int64_t next_offset() const { return next_offset_.load(std::memory_order_acquire); }
  // Largest batch max timestamp, -1 if none; and the last offset of that batch.
  int64_t max_timestamp_ms() const { return max_timestamp_ms_.load(std::memory_order_acquire); }
  int64_t offset_of_max_timestamp() const {
    return offset_of_max_timestamp_.load(std::memory_order_acquire);
  }
  // For time retention: the max timestamp, or the .log file's mtime when batches carry none.
  int64_t largest_timestamp_ms() const;
  // The .log file, reopened if the descriptor cache closed it; nullptr when it cannot be
  // opened (out of descriptors: logged) or the segment was removed.
  std::shared_ptr<const File> file() const;

  // --- writer side ---
  // True if `incoming_bytes` ending at `last_offset` must go to a new segment. As in Kafka,
  // segment.ms compares the incoming max timestamp with the first batch's timestamp (wall
  // clock since creation when batches carry no timestamp).
  bool should_roll(int64_t incoming_bytes, int64_t last_offset, int64_t incoming_timestamp_ms,
                   int64_t now_ms, const config::TopicConfig& config) const;
  // Writes batches whose offsets are already assigned, then indexes them. On error the file is
  // cut back to its previous size.
  Error append(std::span<const uint8_t> batches, int32_t index_interval_bytes);
  // With the `preallocate` topic config, reserves the whole segment's disk blocks at the first
  // append (fallocate, file size unchanged), as Kafka does. Off by default: the reservation
  // allocates on the caller's thread, and an allocation can wait on block-bitmap reads (see
  // docs/storage-format.md, "Disk reservation"). A file system without fallocate skips it.
  void reserve_disk(int64_t end_position, const config::TopicConfig& config);
  // Ends appends: final time index entry, indexes trimmed to their entries, unused reserved
  // disk blocks released.
  bool seal();
  // fdatasync of the .log and msync of the indexes.
  bool flush();
  // Starts writeback of the .log's bytes [from, to) without waiting (sync_file_range).
  void start_writeback(int64_t from, int64_t to) const;
  static void remove_files_of(const std::filesystem::path& dir, int64_t base_offset);
  // Unlinks the three files; open descriptors (readers) keep the data alive.
  void remove_files() EXCLUDES(files_mutex_);
  // Renames the three files to carry `suffix` instead of the current one (indexes first, the
  // .log last, so a renamed .log means the indexes were renamed too). Open descriptors and
  // mappings are unaffected. False on the first failure (logged).
  bool rename_files(const std::string& suffix) EXCLUDES(files_mutex_);
  // Sets the .log file's modification time (a cleaned segment inherits the replaced one's).
  bool set_last_modified_ms(int64_t mtime_ms);
  int64_t last_modified_ms() const { return file_mtime_ms(); }

  // --- reader side ---
  // The header of the batch at `position`, if a whole batch lies below `limit_position`.
  std::optional<BatchInfo> read_batch(int64_t position, int64_t limit_position) const;
  // The first batch whose last offset is >= `offset`.
  std::optional<BatchInfo> locate(int64_t offset) const;
  // The same; `error` is kStorageError when nothing was found because the files could not be
  // opened (rather than because no such batch is here, or the segment was removed).
  std::optional<BatchInfo> locate(int64_t offset, Error& error) const;
  // The largest batch boundary in [start_position, limit_position].
  int64_t end_of_whole_batches(int64_t start_position, int64_t limit_position) const;
  // The first batch whose max timestamp is >= `timestamp_ms`.
  std::optional<BatchInfo> find_timestamp(int64_t timestamp_ms) const;

 private:
  // An unpublished segment whose files are still to be opened (into writer_files()).
  Segment(std::filesystem::path dir, int64_t base_offset, std::string suffix);
  // The current file name (takes files_mutex_: the cleaner may be renaming the files).
  std::filesystem::path path(const char* extension) const EXCLUDES(files_mutex_);
  std::filesystem::path path(const char* extension, const std::string& suffix) const;
  bool open_indexes(const config::TopicConfig& config, bool for_append);
  // The writer's files: from creation until the segment enters the descriptor cache.
  SegmentFiles& writer_files() const;
  // The files (a shared reference: valid for as long as the caller holds it), reopened if the
  // descriptor cache closed them. nullptr if the segment was removed, or if opening failed
  // (logged; `error`, when given, becomes kStorageError).
  std::shared_ptr<const SegmentFiles> open_files(Error* error = nullptr) const
      EXCLUDES(files_mutex_);
  // Opens a sealed segment's three files; nullptr with `error_number` on failure.
  std::shared_ptr<SegmentFiles> load_files(const std::string& suffix, int& error_number) const;
  // The same, closing idle segments and trying once more when out of descriptors.
  std::shared_ptr<SegmentFiles> load_files_under_pressure(const std::string& suffix) const;
  void close_descriptors() const override EXCLUDES(files_mutex_);
  // A sealed segment's descriptors are the cache's from here on: the writer drops its
  // reference.
  void enter_cache();
  std::optional<BatchInfo> read_batch_in(const SegmentFiles& files, int64_t position,
                                         int64_t limit_position) const;
  bool load_trusted();
  // False on an I/O error (nothing is truncated then: a read error is not corruption).
  bool recover(const config::TopicConfig& config, int64_t synced_offset, RecoveryStats& stats,
               bool& truncated);
  // Where recover()'s checked scan starts: a batch boundary and the offset expected there.
  struct ScanStart {
    int64_t position;
    int64_t next_offset;
  };
  // Keeps the index entries and writer state of the batches below `synced_offset`, checking
  // their headers against the indexes (no CRC); {0, base offset} with empty indexes when they
  // disagree. Reads at most about index.interval.bytes of headers past the last index entry.
  ScanStart keep_synced_prefix(int64_t synced_offset, int64_t file_size,
                               int32_t index_interval_bytes);
  // Leading offset / time index entries that are well formed and below `synced_offset`.
  size_t synced_offset_entries(int64_t synced_offset, int64_t file_size) const;
  size_t synced_time_entries(int64_t synced_offset) const;
  // Takes the max timestamp from the last time index entry, if the batch it names agrees.
  bool restore_max_timestamp(int64_t file_size);
  void reset_writer_state();
  bool follows(const BatchInfo& batch, int64_t next_offset) const;
  int64_t file_mtime_ms() const;
  void index_batch(const BatchInfo& batch, int32_t index_interval_bytes);

  std::filesystem::path dir_;
  int64_t base_offset_;
  mutable Mutex files_mutex_;
  // The open files as readers find them; nullptr once the descriptor cache closed them.
  mutable std::shared_ptr<SegmentFiles> files_ GUARDED_BY(files_mutex_);
  // Appended to every file name; empty once a segment is live.
  std::string suffix_ GUARDED_BY(files_mutex_);
  bool removed_ GUARDED_BY(files_mutex_) = false;  // files unlinked: never reopen them
  // Writer-only: the same files as files_ until enter_cache() (then nullptr).
  std::shared_ptr<SegmentFiles> writer_files_;
  bool cached_ = false;  // writer-only: entered the descriptor cache
  std::atomic<int64_t> size_bytes_{0};
  std::atomic<int64_t> next_offset_;
  std::atomic<int64_t> max_timestamp_ms_{-1};
  std::atomic<int64_t> offset_of_max_timestamp_{-1};
  // Writer-only state.
  int64_t bytes_since_index_entry_ = 0;
  int64_t rolling_base_ms_ = -1;  // the first batch's max timestamp; -1 if none
  int64_t created_ms_ = 0;        // creation (or, after a restart, .log mtime)
  bool sealed_ = false;
  int64_t reserved_bytes_ = 0;  // disk blocks reserved up to here (0: none)
  bool reserve_unsupported_ = false;
};

}  // namespace eddy::storage
