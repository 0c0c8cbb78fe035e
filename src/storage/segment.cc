#include "storage/segment.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/assert.h"
#include "common/log.h"
#include "records/batch_header.h"
#include "records/byte_order.h"

namespace eddy::storage {
namespace {

namespace fs = std::filesystem;
using records::kBatchHeaderSize;

// How many idle segments a failed open (EMFILE, ENFILE, ENOMEM from mmap) closes before its
// one retry.
constexpr size_t kEvictionsUnderPressure = 64;
using records::load_be;

}  // namespace

BatchInfo info_from_header(int64_t position, const records::BatchHeader& header) {
  return {position,
          static_cast<int64_t>(header.total_size_bytes()),
          header.base_offset,
          header.last_offset(),
          header.max_timestamp,
          header.partition_leader_epoch};
}

std::string Segment::file_name(int64_t base_offset, const char* extension) {
  char digits[32];
  std::snprintf(digits, sizeof(digits), "%020lld", static_cast<long long>(base_offset));
  return std::string(digits) + extension;
}

Segment::Segment(fs::path dir, int64_t base_offset, std::string suffix)
    : dir_(std::move(dir)),
      base_offset_(base_offset),
      files_(std::make_shared<SegmentFiles>()),
      suffix_(std::move(suffix)),
      writer_files_(files_),
      next_offset_(base_offset) {}

fs::path Segment::path(const char* extension) const {
  MutexLock lock(files_mutex_);
  return path(extension, suffix_);
}

fs::path Segment::path(const char* extension, const std::string& suffix) const {
  return dir_ / (file_name(base_offset_, extension) + suffix);
}

Segment::~Segment() {
  if (cached_) segment_descriptor_cache().forget(this);
}

SegmentFiles& Segment::writer_files() const {
  EDDY_ASSERT_MSG(writer_files_ != nullptr, "a sealed segment takes no writes");
  return *writer_files_;
}

void Segment::enter_cache() {
  if (cached_) return;
  cached_ = true;
  writer_files_.reset();  // from here on the cache may close the files
  segment_descriptor_cache().opened(shared_from_this());
}

void Segment::close_descriptors() const {
  std::shared_ptr<SegmentFiles> closing;
  {
    MutexLock lock(files_mutex_);
    closing.swap(files_);
  }
  // Unmapped and closed here (outside the lock) unless a reader still holds them.
}

std::shared_ptr<SegmentFiles> Segment::load_files(const std::string& suffix,
                                                  int& error_number) const {
  auto files = std::make_shared<SegmentFiles>();
  files->log = File::open(path(".log", suffix), false);
  if (files->log == nullptr) {
    error_number = errno;
    return nullptr;
  }
  // Sealed indexes hold exactly their entries (trimmed); the size bound is unused.
  auto offsets = IndexFile::open(path(".index", suffix), kOffsetIndexEntrySize, 0, false);
  if (offsets == nullptr) {
    error_number = errno;
    return nullptr;
  }
  auto times = IndexFile::open(path(".timeindex", suffix), kTimeIndexEntrySize, 0, false);
  if (times == nullptr) {
    error_number = errno;
    return nullptr;
  }
  files->offset_index = std::make_unique<OffsetIndex>(std::move(offsets), base_offset_);
  files->time_index = std::make_unique<TimeIndex>(std::move(times), base_offset_);
  return files;
}

std::shared_ptr<SegmentFiles> Segment::load_files_under_pressure(const std::string& suffix) const {
  int error_number = 0;
  auto files = load_files(suffix, error_number);
  if (files == nullptr && out_of_descriptors(error_number)) {
    // Close some idle segments and try once more.
    segment_descriptor_cache().evict(kEvictionsUnderPressure);
    files = load_files(suffix, error_number);
  }
  return files;
}

std::shared_ptr<const SegmentFiles> Segment::open_files(Error* error) const {
  std::string suffix;
  {
    MutexLock lock(files_mutex_);
    if (files_ != nullptr) {
      touch();
      return files_;
    }
    if (removed_) return nullptr;
    suffix = suffix_;
  }
  // Opened without the lock: other readers keep using (or reopening) files meanwhile.
  auto files = load_files_under_pressure(suffix);
  {
    MutexLock lock(files_mutex_);
    if (files_ != nullptr) return files_;  // another reader reopened them meanwhile
    if (files == nullptr) {
      if (!removed_ && error != nullptr) *error = Error::kStorageError;
      return nullptr;
    }
    files_ = files;
  }
  // After the unlock: the cache may close other segments, which takes their locks.
  segment_descriptor_cache().opened(shared_from_this());
  return files;
}

std::shared_ptr<const File> Segment::file() const {
  auto files = open_files();
  return files == nullptr ? nullptr : files->log;
}

std::shared_ptr<Segment> Segment::create(const fs::path& dir, int64_t base_offset,
                                         const config::TopicConfig& config, int64_t now_ms) {
  auto segment = create_with_suffix(dir, base_offset, config, "");
  if (segment != nullptr) segment->created_ms_ = now_ms;
  return segment;
}

std::shared_ptr<Segment> Segment::create_with_suffix(const fs::path& dir, int64_t base_offset,
                                                     const config::TopicConfig& config,
                                                     const std::string& suffix) {
  std::shared_ptr<Segment> segment(new Segment(dir, base_offset, suffix));
  SegmentFiles& files = segment->writer_files();
  files.log = File::open(segment->path(".log"), true);
  if (files.log == nullptr && out_of_descriptors(errno)) {
    segment_descriptor_cache().evict(kEvictionsUnderPressure);
    files.log = File::open(segment->path(".log"), true);
  }
  // A leftover file under the same name (a failed earlier roll or cleaner pass) must not leak
  // into the log: it is emptied, and removed again if this creation fails.
  if (files.log == nullptr || !segment->open_indexes(config, true) ||
      ::ftruncate(files.log->fd(), 0) != 0) {
    segment->remove_files();
    return nullptr;
  }
  files.offset_index->file().clear();
  files.time_index->file().clear();
  return segment;
}

bool Segment::rename_files(const std::string& suffix) {
  MutexLock lock(files_mutex_);
  for (const char* extension : {".index", ".timeindex", ".log"}) {
    const fs::path source = path(extension, suffix_);
    std::error_code error;
    fs::rename(source, path(extension, suffix), error);
    if (error) {
      spdlog::error("storage: rename {} failed: {}", source.string(), error.message());
      return false;
    }
  }
  suffix_ = suffix;
  if (files_ != nullptr) {  // trim() resizes by path
    files_->offset_index->file().set_path(path(".index", suffix_));
    files_->time_index->file().set_path(path(".timeindex", suffix_));
  }
  return true;
}

bool Segment::set_last_modified_ms(int64_t mtime_ms) {
  if (mtime_ms < 0) return true;
  struct timespec times[2];
  times[0].tv_sec = 0;
  times[0].tv_nsec = UTIME_OMIT;
  times[1].tv_sec = mtime_ms / 1000;
  times[1].tv_nsec = (mtime_ms % 1000) * 1000000;
  auto files = open_files();
  return files != nullptr && ::futimens(files->log->fd(), times) == 0;
}

std::shared_ptr<Segment> Segment::open(const fs::path& dir, int64_t base_offset,
                                       const config::TopicConfig& config, bool active, bool recover,
                                       RecoveryStats& stats, bool& truncated,
                                       int64_t synced_offset) {
  truncated = false;
  std::shared_ptr<Segment> segment(new Segment(dir, base_offset, ""));
  SegmentFiles& files = segment->writer_files();
  files.log = File::open(segment->path(".log"), false);
  if (files.log == nullptr && out_of_descriptors(errno)) {
    segment_descriptor_cache().evict(kEvictionsUnderPressure);
    files.log = File::open(segment->path(".log"), false);
  }
  if (files.log == nullptr) return nullptr;
  segment->created_ms_ = segment->file_mtime_ms();
  bool indexes_exist =
      fs::exists(segment->path(".index")) && fs::exists(segment->path(".timeindex"));
  bool rebuild = recover || !indexes_exist;
  if (!rebuild) {
    if (!segment->open_indexes(config, active)) return nullptr;
    rebuild = !segment->load_trusted();
    if (rebuild)
      spdlog::warn("storage: rebuilding damaged index of {}", segment->path(".log").string());
  }
  if (rebuild) {
    if (!segment->open_indexes(config, true)) return nullptr;
    if (!segment->recover(config, synced_offset, stats, truncated)) return nullptr;
    stats.indexes_rebuilt++;
    if (!active && !segment->seal()) return nullptr;
  }
  if (!active) segment->enter_cache();
  return segment;
}

bool Segment::open_indexes(const config::TopicConfig& config, bool for_append) {
  SegmentFiles& files = writer_files();
  files.offset_index.reset();
  files.time_index.reset();
  auto open_index = [&](const char* extension, size_t entry_size) {
    auto index =
        IndexFile::open(path(extension), entry_size, config.segment_index_bytes, for_append);
    if (index == nullptr && out_of_descriptors(errno)) {
      segment_descriptor_cache().evict(kEvictionsUnderPressure);
      index = IndexFile::open(path(extension), entry_size, config.segment_index_bytes, for_append);
    }
    return index;
  };
  auto offsets = open_index(".index", kOffsetIndexEntrySize);
  auto times = open_index(".timeindex", kTimeIndexEntrySize);
  if (offsets == nullptr || times == nullptr) return false;
  files.offset_index = std::make_unique<OffsetIndex>(std::move(offsets), base_offset_);
  files.time_index = std::make_unique<TimeIndex>(std::move(times), base_offset_);
  sealed_ = !for_append;
  return true;
}

// Trusts the indexes: only the batches after the last offset index entry are looked at (their
// headers, no CRC), which is a few headers, so start-up time does not grow with the data.
bool Segment::load_trusted() {
  const SegmentFiles& files = writer_files();
  int64_t file_size = files.log->size_bytes();
  if (file_size < 0 || file_size > INT32_MAX) return false;
  if (!files.offset_index->sane(file_size) || !files.time_index->sane()) return false;
  auto last_entry = files.offset_index->last();
  int64_t position = last_entry ? last_entry->position : 0;
  int64_t next_offset = last_entry ? last_entry->offset : base_offset_;
  while (position < file_size) {
    auto batch = read_batch_in(files, position, file_size);
    if (!batch || batch->base_offset < next_offset) return false;
    next_offset = batch->last_offset + 1;
    position += batch->size_bytes;
  }
  if (auto last_time = files.time_index->last()) {
    if (last_time->offset >= next_offset && file_size > 0) return false;
    max_timestamp_ms_.store(last_time->timestamp_ms, std::memory_order_release);
    offset_of_max_timestamp_.store(last_time->offset, std::memory_order_release);
  }
  if (file_size > 0) {
    auto first = read_batch_in(files, 0, file_size);
    if (!first) return false;
    rolling_base_ms_ = first->max_timestamp_ms;
  }
  bytes_since_index_entry_ = file_size - (last_entry ? last_entry->position : 0);
  next_offset_.store(next_offset, std::memory_order_release);
  size_bytes_.store(file_size, std::memory_order_release);
  return true;
}

void Segment::index_batch(const BatchInfo& batch, int32_t index_interval_bytes) {
  SegmentFiles& files = writer_files();
  OffsetIndex& offset_index = *files.offset_index;
  TimeIndex& time_index = *files.time_index;
  if (batch.position == 0) rolling_base_ms_ = batch.max_timestamp_ms;
  if (batch.max_timestamp_ms > max_timestamp_ms_.load(std::memory_order_relaxed)) {
    max_timestamp_ms_.store(batch.max_timestamp_ms, std::memory_order_release);
    offset_of_max_timestamp_.store(batch.last_offset, std::memory_order_release);
  }
  if (bytes_since_index_entry_ > index_interval_bytes && batch.position > 0) {
    if (!offset_index.file().full()) offset_index.append(batch.base_offset, batch.position);
    // One time index slot stays free for the entry seal() adds.
    if (time_index.entries() + 1 < time_index.file().max_entries() &&
        max_timestamp_ms_.load(std::memory_order_relaxed) >= 0) {
      time_index.maybe_append(max_timestamp_ms_.load(std::memory_order_relaxed),
                              offset_of_max_timestamp_.load(std::memory_order_relaxed));
    }
    bytes_since_index_entry_ = 0;
  }
  bytes_since_index_entry_ += batch.size_bytes;
}

bool Segment::should_roll(int64_t incoming_bytes, int64_t last_offset,
                          int64_t incoming_timestamp_ms, int64_t now_ms,
                          const config::TopicConfig& config) const {
  EDDY_ASSERT(!sealed_);
  int64_t size = size_bytes();
  if (size == 0) return false;
  if (size > config.segment_bytes - incoming_bytes) return true;
  if (size > INT32_MAX - incoming_bytes) return true;  // index positions are int32
  int64_t waited_ms =
      rolling_base_ms_ >= 0 ? incoming_timestamp_ms - rolling_base_ms_ : now_ms - created_ms_;
  if (waited_ms > config.segment_ms) return true;
  if (last_offset - base_offset_ > INT32_MAX) return true;
  const SegmentFiles& files = writer_files();
  return files.offset_index->file().full() ||
         files.time_index->entries() + 1 >= files.time_index->file().max_entries();
}

Error Segment::append(std::span<const uint8_t> batches, int32_t index_interval_bytes) {
  EDDY_ASSERT(!sealed_);
  const int fd = writer_files().log->fd();
  int64_t position = size_bytes();
  if (!pwrite_all(fd, batches.data(), batches.size(), position)) {
    spdlog::error("storage: write to {} failed", path(".log").string());
    if (::ftruncate(fd, position) != 0) {
      spdlog::error("storage: cannot cut back {}", path(".log").string());
    }
    reserved_bytes_ = std::min(reserved_bytes_, position);  // the cut freed the blocks past it
    return Error::kStorageError;
  }
  int64_t next_offset = next_offset_.load(std::memory_order_relaxed);
  records::BatchIterator iterator(batches, false);
  while (iterator.next()) {
    BatchInfo batch = info_from_header(position + static_cast<int64_t>(iterator.batch_position()),
                                       iterator.header());
    EDDY_ASSERT(batch.base_offset >= next_offset);
    index_batch(batch, index_interval_bytes);
    next_offset = batch.last_offset + 1;
  }
  EDDY_ASSERT(iterator.valid_bytes() == batches.size());
  size_bytes_.store(position + static_cast<int64_t>(batches.size()), std::memory_order_release);
  next_offset_.store(next_offset, std::memory_order_release);
  return Error::kNone;
}

void Segment::reserve_disk(int64_t end_position, const config::TopicConfig& config) {
  EDDY_ASSERT(!sealed_);
  if (!config.preallocate || end_position <= reserved_bytes_ || reserve_unsupported_) return;
  const int64_t target = std::max(end_position, config.segment_bytes);
  if (::fallocate(writer_files().log->fd(), FALLOC_FL_KEEP_SIZE, reserved_bytes_,
                  target - reserved_bytes_) != 0) {
    // Appends still work without the reservation.
    if (errno != EOPNOTSUPP) {
      spdlog::warn("storage: cannot reserve disk for {}: {}", path(".log").string(),
                   std::strerror(errno));
    }
    reserve_unsupported_ = true;
    return;
  }
  reserved_bytes_ = target;
}

bool Segment::seal() {
  if (sealed_) return true;
  const SegmentFiles& files = writer_files();
  if (max_timestamp_ms_.load() >= 0) {
    files.time_index->maybe_append(max_timestamp_ms_.load(), offset_of_max_timestamp_.load());
  }
  sealed_ = true;
  bool ok = files.offset_index->file().trim() && files.time_index->file().trim();
  // Truncating to the current size frees the blocks reserved past it.
  if (reserved_bytes_ > size_bytes() && ::ftruncate(files.log->fd(), size_bytes()) != 0) {
    ok = false;
  }
  enter_cache();
  return ok;
}

bool Segment::flush() {
  auto files = open_files();
  bool ok = files != nullptr && ::fdatasync(files->log->fd()) == 0;
  ok = ok && files->offset_index->file().flush();
  ok = ok && files->time_index->file().flush();
  if (!ok) spdlog::error("storage: flush of {} failed", path(".log").string());
  return ok;
}

void Segment::start_writeback(int64_t from, int64_t to) const {
  EDDY_ASSERT(from <= to);
  auto files = open_files();
  // A failure only means the kernel writes these pages back on its own schedule.
  if (files == nullptr ||
      ::sync_file_range(files->log->fd(), from, to - from, SYNC_FILE_RANGE_WRITE) != 0) {
    spdlog::debug("storage: writeback of {} not started: {}", path(".log").string(),
                  std::strerror(errno));
  }
}

void Segment::remove_files() {
  MutexLock lock(files_mutex_);
  removed_ = true;  // a reader must not reopen (or recreate) them
  std::error_code ignored;
  for (const char* extension : {".log", ".index", ".timeindex"})
    fs::remove(path(extension, suffix_), ignored);
}

void Segment::remove_files_of(const fs::path& dir, int64_t base_offset) {
  std::error_code ignored;
  for (const char* extension : {".log", ".index", ".timeindex"}) {
    fs::remove(dir / file_name(base_offset, extension), ignored);
  }
}

int64_t Segment::largest_timestamp_ms() const {
  int64_t max_timestamp = max_timestamp_ms();
  return max_timestamp >= 0 ? max_timestamp : file_mtime_ms();
}

int64_t Segment::file_mtime_ms() const {
  auto files = open_files();
  struct stat st {};
  if (files == nullptr || ::fstat(files->log->fd(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

std::optional<BatchInfo> Segment::read_batch(int64_t position, int64_t limit_position) const {
  auto files = open_files();
  if (files == nullptr) return std::nullopt;
  return read_batch_in(*files, position, limit_position);
}

std::optional<BatchInfo> Segment::read_batch_in(const SegmentFiles& files, int64_t position,
                                                int64_t limit_position) const {
  if (position < 0 || position + static_cast<int64_t>(kBatchHeaderSize) > limit_position) {
    return std::nullopt;
  }
  uint8_t header[kBatchHeaderSize];
  if (!pread_all(files.log->fd(), header, sizeof(header), position)) return std::nullopt;
  int32_t batch_length = load_be<int32_t>(header + records::kBatchLengthOffset);
  if (batch_length < records::kMinBatchLength ||
      header[records::kMagicOffset] != records::kCurrentMagic) {
    return std::nullopt;
  }
  BatchInfo batch;
  batch.position = position;
  batch.size_bytes = static_cast<int64_t>(records::kBatchLengthFieldEnd) + batch_length;
  if (position + batch.size_bytes > limit_position) return std::nullopt;
  batch.base_offset = load_be<int64_t>(header + records::kBaseOffsetOffset);
  batch.last_offset =
      batch.base_offset + load_be<int32_t>(header + records::kLastOffsetDeltaOffset);
  batch.max_timestamp_ms = load_be<int64_t>(header + records::kMaxTimestampOffset);
  batch.leader_epoch = load_be<int32_t>(header + records::kPartitionLeaderEpochOffset);
  return batch;
}

std::optional<BatchInfo> Segment::locate(int64_t offset) const {
  Error ignored = Error::kNone;
  return locate(offset, ignored);
}

std::optional<BatchInfo> Segment::locate(int64_t offset, Error& error) const {
  auto files = open_files(&error);
  if (files == nullptr) return std::nullopt;
  int64_t position = files->offset_index->lookup(offset).position;
  // Loaded after the index: an entry is published after the size that covers it.
  int64_t limit = size_bytes();
  while (auto batch = read_batch_in(*files, position, limit)) {
    if (batch->last_offset >= offset) return batch;
    position += batch->size_bytes;
  }
  return std::nullopt;
}

int64_t Segment::end_of_whole_batches(int64_t start_position, int64_t limit_position) const {
  auto files = open_files();
  if (files == nullptr) return start_position;
  int64_t position =
      std::max(start_position, files->offset_index->lookup_position(limit_position).position);
  while (auto batch = read_batch_in(*files, position, limit_position)) {
    position += batch->size_bytes;
  }
  return position;
}

std::optional<BatchInfo> Segment::find_timestamp(int64_t timestamp_ms) const {
  auto files = open_files();
  if (files == nullptr) return std::nullopt;
  auto entry = files->time_index->last_before(timestamp_ms);
  int64_t position = entry ? files->offset_index->lookup(entry->offset).position : 0;
  int64_t limit = size_bytes();
  while (auto batch = read_batch_in(*files, position, limit)) {
    if (batch->max_timestamp_ms >= timestamp_ms) return batch;
    position += batch->size_bytes;
  }
  return std::nullopt;
}

}  // namespace eddy::storage
