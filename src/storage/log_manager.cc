#include "storage/log_manager.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>

#include <fcntl.h>
#include <unistd.h>

#include "common/assert.h"
#include "common/clock.h"
#include "common/log.h"
#include "storage/descriptor_cache.h"
#include "storage/file.h"

namespace eddy::storage {
namespace {

namespace fs = std::filesystem;

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The metadata log lives in a log dir too, but belongs to the metadata module.
constexpr const char* kMetadataTopic = "__cluster_metadata";

// Flushes `log`; true if its recovery point moved.
bool flush_moved_recovery_point(PartitionLog& log, int64_t now_ms) {
  int64_t before = log.recovery_point();
  log.flush(now_ms);
  return log.recovery_point() > before;
}

int64_t offset_or_zero(const OffsetCheckpoint& checkpoint, const TopicPartition& key) {
  auto it = checkpoint.find(key);
  return it == checkpoint.end() ? 0 : it->second;
}

std::string random_hex_id() {
  std::random_device device;
  std::mt19937_64 generator(device());
  return fmt::format("{:016x}{:016x}", generator(), generator());
}

}  // namespace

bool parse_partition_dir_name(const std::string& name, std::string& topic, int32_t& partition) {
  size_t dash = name.rfind('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == name.size()) return false;
  std::string digits = name.substr(dash + 1);
  if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return false;
  topic = name.substr(0, dash);
  bool legal = std::all_of(topic.begin(), topic.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
  if (!legal) return false;
  partition = std::stoi(digits);
  return true;
}

LogManager::LogManager(LogManagerConfig config)
    : config_(std::move(config)), cleaner_(config_.cleaner) {
  const size_t max_open = config_.max_open_segments > 0
                              ? static_cast<size_t>(config_.max_open_segments)
                              : default_max_open_segments();
  segment_descriptor_cache().set_max_open(max_open);
  spdlog::info("storage: at most {} sealed segments keep descriptors open", max_open);
}

LogManager::~LogManager() {
  shutdown();
  for (int fd : dir_fds_) ::close(fd);
}

Error LogManager::open_all(const ConfigForTopic& config_for) {
  opened_clean_ = true;
  for (size_t i = 0; i < config_.log_dirs.size(); ++i) {
    Error error = open_dir(i, config_for);
    if (error != Error::kNone) return error;
    const int fd = ::open(config_.log_dirs[i].c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      spdlog::error("storage: cannot open log dir {}: {}", config_.log_dirs[i].string(),
                    std::strerror(errno));
      return Error::kStorageError;
    }
    dir_fds_.push_back(fd);
  }
  // From here on the files change, so a crash must not look like a clean shutdown.
  for (const auto& dir : config_.log_dirs) {
    std::error_code ignored;
    if (fs::remove(dir / kCleanShutdownFile, ignored)) fsync_dir(dir);
  }
  return Error::kNone;
}

Error LogManager::open_dir(size_t dir_index, const ConfigForTopic& config_for) {
  const fs::path& dir = config_.log_dirs[dir_index];
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    spdlog::error("storage: cannot create log dir {}: {}", dir.string(), error.message());
    return Error::kStorageError;
  }
  bool clean = fs::exists(dir / kCleanShutdownFile);
  opened_clean_ = opened_clean_ && clean;
  DirCheckpoints on_disk{read_checkpoint(dir / kRecoveryPointCheckpointFile),
                         read_checkpoint(dir / kLogStartOffsetCheckpointFile),
                         read_checkpoint(dir / kCleanerOffsetCheckpointFile)};
  int64_t now_ms = wall_clock_ms();
  error.clear();
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    const fs::directory_entry& entry = *it;
    if (!entry.is_directory()) continue;
    std::string name = entry.path().filename().string();
    if (ends_with(name, "-delete")) {
      MutexLock lock(mutex_);
      pending_deletes_.push_back(entry.path());
      continue;
    }
    PartitionLog::Options options;
    if (!parse_partition_dir_name(name, options.topic, options.partition) ||
        options.topic == kMetadataTopic) {
      continue;
    }
    TopicPartition key{options.topic, options.partition};
    options.dir = entry.path();
    options.config = config_for ? config_for(options.topic) : config_.default_config;
    options.clean_shutdown = clean;
    options.recovery_point = offset_or_zero(on_disk.recovery_points, key);
    options.log_start_offset = offset_or_zero(on_disk.log_starts, key);
    options.cleaner_offset = offset_or_zero(on_disk.cleaner_offsets, key);
    options.now_ms = now_ms;
    MutexLock lock(mutex_);
    if (partitions_.contains(key) || offline_.contains(key)) {
      spdlog::error("storage: {} exists in two log dirs; keeping the first", name);
      continue;
    }
    Error open_error = Error::kNone;
    std::shared_ptr<PartitionLog> log = open_or_mark_offline(options, dir_index, open_error);
    if (log != nullptr) partitions_[key] = {std::move(log), dir_index};
  }
  if (error) {
    // A partial listing would drop the checkpoints of the partitions it missed.
    spdlog::error("storage: cannot list log dir {}: {}", dir.string(), error.message());
    return Error::kStorageError;
  }
  if (!drop_stale_checkpoint_entries(dir_index, on_disk)) return Error::kStorageError;
  return Error::kNone;
}

void LogManager::start() {
  MutexLock lock(mutex_);
  if (flusher_.joinable() || stopping_) return;
  flusher_ = std::thread([this] { flusher_loop(); });
  retention_ = std::thread([this] { retention_loop(); });
  if (config_.cleaner_enable) cleaner_thread_ = std::thread([this] { cleaner_loop(); });
}

size_t LogManager::pick_dir() const {
  std::vector<size_t> counts(config_.log_dirs.size(), 0);
  for (const auto& [key, entry] : partitions_) counts[entry.dir_index]++;
  return static_cast<size_t>(std::min_element(counts.begin(), counts.end()) - counts.begin());
}

std::shared_ptr<PartitionLog> LogManager::create_partition(const std::string& topic,
                                                           int32_t partition,
                                                           const config::TopicConfig& config,
                                                           Error& error) {
  MutexLock lock(mutex_);
  error = Error::kNone;
  if (config_.log_dirs.empty() || stopping_) {
    error = Error::kStorageError;
    return nullptr;
  }
  TopicPartition key{topic, partition};
  if (partitions_.contains(key) || deleting_.contains(key)) {
    error = Error::kPartitionExists;
    return nullptr;
  }
  size_t dir_index = 0;
  PartitionLog::Options options;
  if (auto offline = offline_.find(key); offline != offline_.end()) {
    // Failed before: same directory and checkpointed offsets, the config of now.
    options = offline->second.options;
    dir_index = offline->second.dir_index;
  } else {
    dir_index = pick_dir();
    options.dir = config_.log_dirs[dir_index] / (topic + "-" + std::to_string(partition));
    options.topic = topic;
    options.partition = partition;
  }
  options.config = config;
  options.now_ms = wall_clock_ms();
  std::shared_ptr<PartitionLog> log = open_or_mark_offline(options, dir_index, error);
  if (log == nullptr) return nullptr;
  fsync_dir(config_.log_dirs[dir_index]);  // the new partition directory entry
  partitions_[key] = {log, dir_index};
  return log;
}

std::shared_ptr<PartitionLog> LogManager::open_or_mark_offline(const PartitionLog::Options& options,
                                                               size_t dir_index, Error& error) {
  TopicPartition key{options.topic, options.partition};
  std::shared_ptr<PartitionLog> log = PartitionLog::open(options, error);
  if (log == nullptr) {
    spdlog::error("storage: {} is offline ({}); retrying every {} ms", options.dir.string(),
                  to_string(error), config_.offline_retry_interval_ms);
    offline_[key] = {options, dir_index, options.now_ms + config_.offline_retry_interval_ms};
    return nullptr;
  }
  if (offline_.erase(key) > 0) spdlog::info("storage: {} is back online", options.dir.string());
  return log;
}

bool LogManager::offline(const std::string& topic, int32_t partition) const {
  MutexLock lock(mutex_);
  return offline_.contains({topic, partition});
}

void LogManager::retry_offline_pass(int64_t now_ms) {
  MutexLock lock(mutex_);
  std::vector<TopicPartition> due;
  for (const auto& [key, offline] : offline_) {
    if (offline.next_retry_ms <= now_ms) due.push_back(key);
  }
  for (const auto& key : due) {
    if (stopping_) return;
    OfflineEntry offline = offline_[key];
    offline.options.now_ms = now_ms;
    Error error = Error::kNone;
    // Under mutex_, as create_partition: no second PartitionLog on the same directory.
    auto log = open_or_mark_offline(offline.options, offline.dir_index, error);
    if (log != nullptr) partitions_[key] = {std::move(log), offline.dir_index};
  }
}

Error LogManager::delete_partition(const std::string& topic, int32_t partition) {
  TopicPartition key{topic, partition};
  Entry entry;
  std::optional<OfflineEntry> offline;  // set when the partition never opened
  {
    MutexLock lock(mutex_);
    auto it = partitions_.find(key);
    if (auto off = offline_.find(key); it == partitions_.end() && off != offline_.end()) {
      offline = off->second;
      entry.dir_index = off->second.dir_index;
      offline_.erase(off);
    } else if (it == partitions_.end()) {
      return Error::kUnknownPartition;
    } else {
      entry = it->second;
      partitions_.erase(it);
    }
    deleting_.insert(key);
  }
  const fs::path dir = offline ? offline->options.dir : entry.log->dir();
  // Checkpoints first, then the rename. A crash in between leaves the directory under its live
  // name but in no checkpoint: it loads as a new partition would (recovery point 0, a full
  // scan), which is safe. The other order can leave its offsets in the files after the
  // directory is gone, and a partition recreated under the same name would inherit them at the
  // next crash start: a recovery point above unchecked data, a log start hiding records.
  if (!forget_in_checkpoints(key, entry.dir_index)) {
    MutexLock lock(mutex_);
    deleting_.erase(key);
    if (offline) {
      offline_[key] = *offline;
    } else {
      partitions_[key] = entry;
    }
    return Error::kStorageError;
  }
  if (entry.log != nullptr) entry.log->close(false);
  fs::path doomed = dir;
  doomed += "." + random_hex_id() + "-delete";
  std::error_code error;
  // A partition that never opened may have no directory at all.
  if (offline && !fs::exists(dir, error)) {
    MutexLock lock(mutex_);
    deleting_.erase(key);
    return Error::kNone;
  }
  fs::rename(dir, doomed, error);
  if (!error) fsync_dir(dir.parent_path());
  {
    MutexLock lock(mutex_);
    deleting_.erase(key);
    if (!error) pending_deletes_.push_back(doomed);
  }
  if (error) {
    spdlog::error("storage: cannot rename {}: {}", dir.string(), error.message());
    return Error::kStorageError;
  }
  wake_.notify_all();
  return Error::kNone;
}

std::shared_ptr<PartitionLog> LogManager::get(const std::string& topic, int32_t partition) const {
  MutexLock lock(mutex_);
  auto it = partitions_.find({topic, partition});
  return it == partitions_.end() ? nullptr : it->second.log;
}

std::vector<TopicPartition> LogManager::partitions() const {
  MutexLock lock(mutex_);
  std::vector<TopicPartition> keys;
  for (const auto& [key, entry] : partitions_) keys.push_back(key);
  return keys;
}

std::vector<std::shared_ptr<PartitionLog>> LogManager::logs() const {
  MutexLock lock(mutex_);
  std::vector<std::shared_ptr<PartitionLog>> result;
  for (const auto& [key, entry] : partitions_) result.push_back(entry.log);
  return result;
}

std::array<LogManager::CheckpointFile, 3> LogManager::files_of(const DirCheckpoints& checkpoints) {
  return {CheckpointFile{kRecoveryPointCheckpointFile, &checkpoints.recovery_points},
          CheckpointFile{kLogStartOffsetCheckpointFile, &checkpoints.log_starts},
          CheckpointFile{kCleanerOffsetCheckpointFile, &checkpoints.cleaner_offsets}};
}

std::vector<LogManager::DirCheckpoints> LogManager::checkpoint_snapshot() const {
  std::vector<DirCheckpoints> dirs(config_.log_dirs.size());
  MutexLock lock(mutex_);
  for (const auto& [key, entry] : partitions_) {
    DirCheckpoints& dir = dirs[entry.dir_index];
    dir.recovery_points[key] = entry.log->recovery_point();
    dir.log_starts[key] = entry.log->log_start_offset();
    if (entry.log->cleaner_offset() > 0) dir.cleaner_offsets[key] = entry.log->cleaner_offset();
  }
  // An offline partition keeps what the files said when it failed to open.
  for (const auto& [key, offline] : offline_) {
    DirCheckpoints& dir = dirs[offline.dir_index];
    dir.recovery_points[key] = offline.options.recovery_point;
    dir.log_starts[key] = offline.options.log_start_offset;
    if (offline.options.cleaner_offset > 0) {
      dir.cleaner_offsets[key] = offline.options.cleaner_offset;
    }
  }
  return dirs;
}

bool LogManager::write_dir_checkpoints(size_t dir_index, const DirCheckpoints& checkpoints) const {
  bool ok = true;
  for (const auto& [name, offsets] : files_of(checkpoints)) {
    ok = write_checkpoint(config_.log_dirs[dir_index] / name, *offsets) && ok;
  }
  return ok;
}

bool LogManager::write_recovery_point_checkpoints() {
  MutexLock writing(checkpoint_mutex_);
  std::vector<DirCheckpoints> snapshot = checkpoint_snapshot();
  bool ok = true;
  for (size_t i = 0; i < config_.log_dirs.size(); ++i) {
    const fs::path& dir = config_.log_dirs[i];
    ok = write_checkpoint(dir / kRecoveryPointCheckpointFile, snapshot[i].recovery_points) && ok;
  }
  return ok;
}

bool LogManager::write_checkpoints() {
  MutexLock writing(checkpoint_mutex_);
  std::vector<DirCheckpoints> snapshot = checkpoint_snapshot();
  bool ok = true;
  for (size_t i = 0; i < config_.log_dirs.size(); ++i) {
    ok = write_dir_checkpoints(i, snapshot[i]) && ok;
  }
  return ok;
}

bool LogManager::forget_in_checkpoints(const TopicPartition& key, size_t dir_index) {
  MutexLock writing(checkpoint_mutex_);
  const DirCheckpoints now = checkpoint_snapshot()[dir_index];
  const fs::path& dir = config_.log_dirs[dir_index];
  bool ok = true;
  for (const auto& [name, offsets] : files_of(now)) {
    // A file that does not name the partition needs no rewrite (nor its two fsyncs): the case
    // of a partition deleted before its first checkpoint, or never compacted.
    if (!read_checkpoint(dir / name).contains(key)) continue;
    ok = write_checkpoint(dir / name, *offsets) && ok;
  }
  return ok;
}

bool LogManager::drop_stale_checkpoint_entries(size_t dir_index, const DirCheckpoints& on_disk) {
  MutexLock writing(checkpoint_mutex_);
  bool stale = false;
  {
    MutexLock lock(mutex_);
    for (const auto& [name, offsets] : files_of(on_disk)) {
      for (const auto& [key, offset] : *offsets) {
        auto it = partitions_.find(key);
        auto off = offline_.find(key);
        const bool here = (it != partitions_.end() && it->second.dir_index == dir_index) ||
                          (off != offline_.end() && off->second.dir_index == dir_index);
        stale = stale || !here;
      }
    }
  }
  if (!stale) return true;
  // Left by an older Eddy (which renamed a deleted partition before rewriting the files) or by
  // a directory removed by hand: a partition created under that name must not inherit them.
  spdlog::info("storage: dropping checkpoint entries without a partition in {}",
               config_.log_dirs[dir_index].string());
  return write_dir_checkpoints(dir_index, checkpoint_snapshot()[dir_index]);
}

bool LogManager::background_sync(int64_t now_ms) {
  if (config_.background_sync_interval_ms <= 0) return false;
  std::vector<std::vector<std::shared_ptr<PartitionLog>>> dirty(config_.log_dirs.size());
  std::vector<bool> due(config_.log_dirs.size(), false);
  {
    MutexLock lock(mutex_);
    for (const auto& [key, entry] : partitions_) {
      const PartitionLog& log = *entry.log;
      // Two atomic loads: an idle partition (nothing above its recovery point) costs no more.
      if (log.recovery_point() >= log.log_end_offset()) continue;
      dirty[entry.dir_index].push_back(entry.log);
      if (now_ms - log.last_flush_ms() >= config_.background_sync_interval_ms) {
        due[entry.dir_index] = true;
      }
    }
  }
  bool moved = false;
  for (size_t dir_index = 0; dir_index < dirty.size(); ++dir_index) {
    if (due[dir_index]) moved = sync_dir(dir_index, dirty[dir_index], now_ms) || moved;
  }
  return moved;
}

bool LogManager::sync_dir(size_t dir_index, const std::vector<std::shared_ptr<PartitionLog>>& dirty,
                          int64_t now_ms) {
  // One file-system sync instead of an fsync per partition: one device cache flush for all of
  // them, and the write-back itself done by the kernel's flusher threads, as for any write
  // nobody syncs. It covers the logs, their indexes (mapped) and directory entries alike.
  EDDY_ASSERT(dir_index < dir_fds_.size());
  std::vector<PartitionLog::SyncPoint> points;
  points.reserve(dirty.size());
  for (const auto& log : dirty) points.push_back(log->sync_point());
  if (::syncfs(dir_fds_[dir_index]) != 0) {
    spdlog::error("storage: syncfs of {} failed: {}; flushing its partitions one by one",
                  config_.log_dirs[dir_index].string(), std::strerror(errno));
    bool moved = false;  // each partition's own fsync reports (and logs) its own errors
    for (const auto& log : dirty) moved = flush_moved_recovery_point(*log, now_ms) || moved;
    return moved;
  }
  for (size_t i = 0; i < dirty.size(); ++i) dirty[i]->mark_synced(points[i], now_ms);
  return !dirty.empty();
}

void LogManager::flush_pass(int64_t now_ms) {
  std::vector<std::shared_ptr<PartitionLog>> all = logs();
  bool moved = false;
  for (const auto& log : all) {
    if (log->needs_flush(now_ms)) moved = flush_moved_recovery_point(*log, now_ms) || moved;
  }
  // After the policy flushes: a partition flushed above is no longer dirty.
  moved = background_sync(now_ms) || moved;
  if (now_ms - last_checkpoint_ms_ >= config_.flush_offset_checkpoint_interval_ms) {
    write_checkpoints();
    last_checkpoint_ms_ = now_ms;
  } else if (moved) {
    // A crash start scans from the recovery point on disk, so publish the new one now.
    write_recovery_point_checkpoints();
  }
}

void LogManager::retention_pass(int64_t now_ms) {
  for (const auto& log : logs()) log->apply_retention(now_ms);
  remove_pending_deletes();
}

bool LogManager::cleaner_pass(int64_t now_ms) {
  MutexLock cleaning(cleaner_mutex_);
  auto log = cleaner_.pick(logs(), now_ms);
  if (log == nullptr) return false;
  return cleaner_.clean(*log, now_ms) == Error::kNone;
}

void LogManager::cleaner_loop() {
  while (!stopping()) {
    // Back to work at once after a pass (another log may be dirty); otherwise back off.
    if (!cleaner_pass(wall_clock_ms())) sleep_unless_stopping(config_.cleaner_backoff_ms);
  }
}

bool LogManager::stopping() const {
  MutexLock lock(mutex_);
  return stopping_;
}

bool LogManager::sleep_unless_stopping(int64_t timeout_ms, bool until_pending_deletes) {
  MutexLock lock(mutex_);
  lock.wait_for(wake_, std::chrono::milliseconds(timeout_ms),
                [this, until_pending_deletes]() REQUIRES(mutex_) {
                  return stopping_ || (until_pending_deletes && !pending_deletes_.empty());
                });
  return !stopping_;
}

void LogManager::abort_cleaner() {
  cleaner_.abort();
}

void LogManager::remove_pending_deletes() {
  std::vector<fs::path> doomed;
  {
    MutexLock lock(mutex_);
    doomed.swap(pending_deletes_);
  }
  for (const auto& dir : doomed) {
    std::error_code error;
    fs::remove_all(dir, error);
    if (error) spdlog::warn("storage: cannot remove {}: {}", dir.string(), error.message());
  }
}

void LogManager::writeback_pass() {
  for (const auto& log : logs()) log->start_writeback();
}

void LogManager::flusher_loop() {
  int64_t next_flush_ms = wall_clock_ms() + config_.flush_check_interval_ms;
  while (true) {
    const int64_t until_flush_ms = std::max<int64_t>(next_flush_ms - wall_clock_ms(), 0);
    if (!sleep_unless_stopping(std::min(config_.writeback_interval_ms, until_flush_ms))) return;
    writeback_pass();
    const int64_t now_ms = wall_clock_ms();
    if (now_ms >= next_flush_ms) {
      flush_pass(now_ms);
      retry_offline_pass(now_ms);
      next_flush_ms = now_ms + config_.flush_check_interval_ms;
    }
  }
}

void LogManager::retention_loop() {
  int64_t next_retention_ms = wall_clock_ms() + config_.retention_check_interval_ms;
  while (true) {
    const int64_t wait_ms = std::max<int64_t>(next_retention_ms - wall_clock_ms(), 0);
    if (!sleep_unless_stopping(wait_ms, /*until_pending_deletes=*/true)) return;
    remove_pending_deletes();
    const int64_t now_ms = wall_clock_ms();
    if (now_ms >= next_retention_ms) {
      for (const auto& log : logs()) log->apply_retention(now_ms);
      next_retention_ms = now_ms + config_.retention_check_interval_ms;
    }
  }
}

void LogManager::shutdown() {
  {
    MutexLock lock(mutex_);
    if (shut_down_) return;
    shut_down_ = true;
    stopping_ = true;
  }
  wake_.notify_all();
  abort_cleaner();
  if (flusher_.joinable()) flusher_.join();
  if (retention_.joinable()) retention_.join();
  if (cleaner_thread_.joinable()) cleaner_thread_.join();
  for (const auto& log : logs()) log->close();
  if (!write_checkpoints()) {
    spdlog::error("storage: checkpoints not written; next start will recover");
    return;
  }
  {
    MutexLock lock(mutex_);
    if (!offline_.empty()) {
      // Their files were never checked this run: the next start recovers them.
      spdlog::warn("storage: {} partitions offline; no clean shutdown marker", offline_.size());
      return;
    }
  }
  for (const auto& dir : config_.log_dirs) {
    write_file_atomically(dir / kCleanShutdownFile, "");
  }
}

}  // namespace eddy::storage
