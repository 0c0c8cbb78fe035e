#include "storage/partition_log.h"

#include <algorithm>
#include <chrono>

#include "common/assert.h"
#include "common/clock.h"
#include "common/log.h"
#include "records/batch_header.h"

namespace eddy::storage {

BatchSummary summarize_built_batches(std::span<const uint8_t> batches) {
  BatchSummary summary;
  records::BatchIterator iterator(batches, /*verify_crc=*/false);
  while (iterator.next()) {
    const records::BatchHeader& header = iterator.header();
    EDDY_ASSERT(records::validate_produced_batch(header) == records::BatchError::kNone);
    summary.offset_count += static_cast<int64_t>(header.last_offset_delta) + 1;
    summary.record_count += header.record_count;
    summary.max_timestamp_ms = std::max(summary.max_timestamp_ms, header.max_timestamp);
  }
  EDDY_ASSERT_MSG(iterator.error() == records::BatchError::kNone,
                  "batches built by the broker are whole v2 batches");
  return summary;
}

PartitionLog::PartitionLog(const Options& options)
    : dir_(options.dir),
      topic_(options.topic),
      partition_(options.partition),
      config_(options.config),
      shared_config_(std::make_shared<const config::TopicConfig>(options.config)),
      max_message_bytes_(options.config.max_message_bytes),
      segment_bytes_(options.config.segment_bytes) {}

PartitionLog::~PartitionLog() = default;

std::unique_ptr<PartitionLog> PartitionLog::open(const Options& options, Error& error) {
  std::unique_ptr<PartitionLog> log(new PartitionLog(options));
  error = log->load(options);
  if (error != Error::kNone) return nullptr;
  return log;
}

AppendResult PartitionLog::append(std::span<uint8_t> batches, const BatchSummary& summary,
                                  int32_t leader_epoch, int64_t now_ms) {
  AppendResult result;
  result.log_start_offset = log_start_offset();
  result.error = check_size_limits(batches);
  if (result.error != Error::kNone || batches.empty()) return result;

  MutexLock lock(append_mutex_);
  if (closed_) {
    result.error = Error::kStorageError;
    return result;
  }
  int64_t base_offset = log_end_offset_.load(std::memory_order_relaxed);
  int64_t last_offset = base_offset + summary.offset_count - 1;
  int64_t max_timestamp_ms = config_.log_append_time ? now_ms : summary.max_timestamp_ms;
  std::shared_ptr<Segment> active = active_segment();
  if (active->should_roll(static_cast<int64_t>(batches.size()), last_offset, max_timestamp_ms,
                          now_ms, config_)) {
    result.error = roll_locked(now_ms);
    if (result.error != Error::kNone) return result;
    active = active_segment();
  }
  // Patch the broker-owned header fields in place; the validation pass proved the layout, and
  // the walk asserts it agrees with the summary.
  records::BatchIterator iterator(batches, false);
  int64_t next_offset = base_offset;
  int64_t record_count = 0;
  while (iterator.next()) {
    auto batch = batches.subspan(iterator.batch_position(), iterator.header().total_size_bytes());
    records::set_base_offset(batch, next_offset);
    records::set_partition_leader_epoch(batch, leader_epoch);
    if (config_.log_append_time) records::set_max_timestamp(batch, now_ms);
    next_offset += static_cast<int64_t>(iterator.header().last_offset_delta) + 1;
    record_count += iterator.header().record_count;
  }
  EDDY_ASSERT(iterator.error() == records::BatchError::kNone);
  EDDY_ASSERT(next_offset == last_offset + 1);
  EDDY_ASSERT(record_count == summary.record_count);
  active->reserve_disk(active->size_bytes() + static_cast<int64_t>(batches.size()), config_);
  result.error = active->append(batches, config_.index_interval_bytes);
  if (result.error != Error::kNone) return result;
  log_end_offset_.store(next_offset, std::memory_order_release);
  unflushed_messages_.fetch_add(summary.record_count, std::memory_order_relaxed);
  result.base_offset = base_offset;
  result.log_append_time_ms = config_.log_append_time ? now_ms : -1;
  return result;
}

// Kafka's size limits (UnifiedLog's): no batch above max.message.bytes, no request above
// segment.bytes. Everything else about the bytes was checked before they got here.
Error PartitionLog::check_size_limits(std::span<const uint8_t> batches) const {
  if (static_cast<int64_t>(batches.size()) > segment_bytes_.load(std::memory_order_relaxed)) {
    return Error::kRecordListTooLarge;
  }
  int64_t max_message_bytes = max_message_bytes_.load(std::memory_order_relaxed);
  records::BatchIterator iterator(batches, /*verify_crc=*/false);
  while (iterator.next()) {
    if (static_cast<int64_t>(iterator.header().total_size_bytes()) > max_message_bytes) {
      return Error::kMessageTooLarge;
    }
  }
  EDDY_ASSERT_MSG(iterator.error() == records::BatchError::kNone,
                  "append() takes validated batches only");
  return Error::kNone;
}

Error PartitionLog::roll_locked(int64_t now_ms) {
  int64_t base_offset = log_end_offset_.load(std::memory_order_relaxed);
  auto segment = Segment::create(dir_, base_offset, config_, now_ms);
  if (segment == nullptr) return Error::kStorageError;
  if (!active_segment()->seal()) {
    // The old segment cannot take appends any more; stop writing to this log.
    closed_ = true;
    return Error::kStorageError;
  }
  {
    WriterMutexLock lock(segments_mutex_);
    segments_.push_back(std::move(segment));
  }
  spdlog::debug("storage: {}-{} rolled a new segment at offset {}", topic_, partition_,
                base_offset);
  return Error::kNone;
}

ReadResult PartitionLog::read(int64_t fetch_offset, int32_t max_bytes, int64_t max_offset,
                              bool min_one_batch) const {
  ReadResult result;
  int64_t log_end = log_end_offset();
  result.high_watermark = log_end;
  result.last_stable_offset = log_end;
  result.log_start_offset = log_start_offset();
  if (fetch_offset < result.log_start_offset || fetch_offset > log_end) {
    result.error = Error::kOffsetOutOfRange;
    return result;
  }
  max_offset = std::min(max_offset, log_end);
  if (fetch_offset >= max_offset) return result;

  std::shared_ptr<Segment> segment;
  std::optional<BatchInfo> first = find_batch(fetch_offset, segment, result.error);
  if (!first || first->last_offset >= max_offset) return result;

  // Whole batches from `first` on; when a sealed segment is used up and bytes remain, the read
  // continues at the start of the next segment (one more slice).
  int64_t budget_bytes = std::max<int64_t>(max_bytes, 0);
  while (true) {
    int64_t limit = segment->size_bytes();
    if (max_offset < segment->next_offset()) {
      // Stop before the batch holding max_offset: batches before it are entirely below.
      if (auto bound = segment->locate(max_offset)) limit = bound->position;
    }
    int64_t wanted_end = std::min(limit, first->position + budget_bytes);
    int64_t end = segment->end_of_whole_batches(first->position, wanted_end);
    if (end == first->position && min_one_batch && result.slices.empty()) {
      end = first->position + first->size_bytes;
    }
    if (end > first->position) {
      auto file = segment->file();  // nullptr: out of descriptors (logged)
      if (file == nullptr) {
        if (result.slices.empty()) result.error = Error::kStorageError;
        break;
      }
      result.slices.push_back({std::move(file), first->position, end - first->position});
      budget_bytes -= end - first->position;
    }
    if (end < segment->size_bytes() || budget_bytes <= 0) break;
    Error next_error = Error::kNone;
    first = find_batch(segment->next_offset(), segment, next_error);
    if (!first || first->last_offset >= max_offset) break;
  }
  return result;
}

std::shared_ptr<Segment> PartitionLog::active_segment() const {
  ReaderMutexLock lock(segments_mutex_);
  return segments_.back();
}

std::shared_ptr<Segment> PartitionLog::segment_for(int64_t offset) const {
  ReaderMutexLock lock(segments_mutex_);
  auto it = std::upper_bound(segments_.begin(), segments_.end(), offset,
                             [](int64_t value, const std::shared_ptr<Segment>& segment) {
                               return value < segment->base_offset();
                             });
  if (it == segments_.begin()) return nullptr;
  return *(it - 1);
}

std::shared_ptr<Segment> PartitionLog::segment_after(int64_t base_offset) const {
  ReaderMutexLock lock(segments_mutex_);
  for (const auto& segment : segments_) {
    if (segment->base_offset() > base_offset) return segment;
  }
  return nullptr;
}

std::optional<BatchInfo> PartitionLog::find_batch(int64_t offset, std::shared_ptr<Segment>& segment,
                                                  Error& error) const {
  segment = segment_for(offset);
  while (segment != nullptr) {
    if (auto batch = segment->locate(offset, error)) return batch;
    if (error != Error::kNone) return std::nullopt;  // unreadable, not a gap
    // Nothing at or after `offset` in this segment (a gap): go on from its end. A segment a
    // cleaner swap just replaced still leads to the replacement, which holds later offsets.
    offset = std::max(offset, segment->next_offset());
    auto next = segment_for(offset);
    segment = next == segment ? segment_after(segment->base_offset()) : next;
  }
  return std::nullopt;
}

std::vector<std::shared_ptr<Segment>> PartitionLog::segments_snapshot() const {
  ReaderMutexLock lock(segments_mutex_);
  return segments_;
}

size_t PartitionLog::segment_count() const {
  ReaderMutexLock lock(segments_mutex_);
  return segments_.size();
}

std::vector<int64_t> PartitionLog::segment_base_offsets() const {
  std::vector<int64_t> bases;
  for (const auto& segment : segments_snapshot()) bases.push_back(segment->base_offset());
  return bases;
}

Error PartitionLog::delete_records_before(int64_t offset) {
  MutexLock lock(append_mutex_);
  if (offset == -1) offset = high_watermark();
  if (offset < 0 || offset > high_watermark()) return Error::kOffsetOutOfRange;
  if (offset > log_start_offset()) log_start_offset_.store(offset, std::memory_order_release);
  return Error::kNone;
}

void PartitionLog::apply_retention(int64_t now_ms) {
  // A cleaner pass is rewriting segments: retention waits for the next round.
  if (!cleaning_mutex_.try_lock()) return;
  for (const auto& segment : detach_retired(now_ms)) {
    spdlog::info("storage: {}-{} deleting segment {}", topic_, partition_, segment->base_offset());
    segment->remove_files();
  }
  cleaning_mutex_.unlock();
}

std::vector<std::shared_ptr<Segment>> PartitionLog::detach_retired(int64_t now_ms) {
  MutexLock lock(append_mutex_);
  const size_t count = retired_prefix(now_ms);
  if (count == 0) return {};
  std::vector<std::shared_ptr<Segment>> doomed;
  int64_t first_base = 0;
  {
    // The segments counted are still the first ones: append_mutex_ was held meanwhile.
    WriterMutexLock segments_lock(segments_mutex_);
    const auto end = segments_.begin() + static_cast<ptrdiff_t>(count);
    doomed.assign(segments_.begin(), end);
    segments_.erase(segments_.begin(), end);
    first_base = segments_.front()->base_offset();
  }
  if (first_base > log_start_offset()) {
    log_start_offset_.store(first_base, std::memory_order_release);
  }
  return doomed;
}

size_t PartitionLog::retired_prefix(int64_t now_ms) const {
  ReaderMutexLock lock(segments_mutex_);
  int64_t total_bytes = 0;
  for (const auto& segment : segments_) total_bytes += segment->size_bytes();
  size_t count = 0;
  const int64_t log_start = log_start_offset();
  // Oldest first, never the active segment.
  while (count + 1 < segments_.size()) {
    const Segment& segment = *segments_[count];
    bool below_start = segments_[count + 1]->base_offset() <= log_start;
    // cleanup.policy=compact alone: only the log start offset deletes segments.
    bool expired = config_.delete_enabled && config_.retention_ms >= 0 &&
                   now_ms - segment.largest_timestamp_ms() > config_.retention_ms;
    bool oversize = config_.delete_enabled && config_.retention_bytes >= 0 &&
                    total_bytes - segment.size_bytes() >= config_.retention_bytes;
    if (!below_start && !expired && !oversize) break;
    total_bytes -= segment.size_bytes();
    count++;
  }
  return count;
}

bool PartitionLog::replace_segments(const std::vector<std::shared_ptr<Segment>>& old,
                                    std::shared_ptr<Segment> replacement,
                                    const std::function<void()>& commit_files) {
  EDDY_ASSERT(!old.empty() && replacement != nullptr);
  MutexLock lock(append_mutex_);
  if (closed_) return false;
  const std::optional<size_t> position = position_of(old);
  if (!position) return false;
  commit_files();
  // `old` is still at `position`: append_mutex_ was held meanwhile.
  WriterMutexLock segments_lock(segments_mutex_);
  auto begin = segments_.begin() + static_cast<ptrdiff_t>(*position);
  segments_.erase(begin + 1, begin + static_cast<ptrdiff_t>(old.size()));
  segments_[*position] = std::move(replacement);
  return true;
}

std::optional<size_t> PartitionLog::position_of(
    const std::vector<std::shared_ptr<Segment>>& old) const {
  ReaderMutexLock lock(segments_mutex_);
  auto first = std::find(segments_.begin(), segments_.end(), old.front());
  auto position = static_cast<size_t>(first - segments_.begin());
  // The active segment is never replaced.
  if (first == segments_.end() || position + old.size() >= segments_.size()) return std::nullopt;
  for (size_t i = 0; i < old.size(); ++i) {
    if (segments_[position + i] != old[i]) return std::nullopt;
  }
  return position;
}

bool PartitionLog::needs_flush(int64_t now_ms) const {
  MutexLock lock(append_mutex_);
  if (closed_) return false;
  int64_t recovery = recovery_point();
  if (recovery >= log_end_offset()) return false;
  return unflushed_messages_.load(std::memory_order_relaxed) >= config_.flush_messages ||
         now_ms - last_flush_ms_.load(std::memory_order_relaxed) >= config_.flush_ms ||
         active_segment()->base_offset() > recovery;
}

int64_t PartitionLog::start_writeback() {
  std::shared_ptr<Segment> active = active_segment();
  if (active->base_offset() != writeback_base_offset_) {
    writeback_base_offset_ = active->base_offset();
    writeback_position_ = 0;
  }
  const int64_t size = active->size_bytes();
  const int64_t pending = size - writeback_position_;
  if (pending < kWritebackChunkBytes) return 0;
  active->start_writeback(writeback_position_, size);
  writeback_position_ = size;
  return pending;
}

void PartitionLog::flush() {
  flush(wall_clock_ms());
}

void PartitionLog::flush(int64_t now_ms) {
  MutexLock flush_lock(flush_mutex_);
  int64_t target = 0;
  int64_t unflushed = 0;
  int64_t recovery = recovery_point();
  std::vector<std::shared_ptr<Segment>> pending;
  {
    // Under the append lock: everything below `target` is in these segments.
    MutexLock lock(append_mutex_);
    ReaderMutexLock segments_lock(segments_mutex_);
    target = log_end_offset();
    unflushed = unflushed_messages_.load(std::memory_order_relaxed);
    for (const auto& segment : segments_) {
      if (segment->next_offset() > recovery || segment == segments_.back()) {
        pending.push_back(segment);
      }
    }
  }
  // fsync outside the append lock: appends continue meanwhile.
  bool ok = true;
  for (const auto& segment : pending) ok = segment->flush() && ok;
  ok = fsync_dir(dir_) && ok;
  if (!ok) return;
  publish_flush(SyncPoint{target, unflushed}, now_ms);
}

PartitionLog::SyncPoint PartitionLog::sync_point() const {
  MutexLock lock(append_mutex_);
  return SyncPoint{log_end_offset(), unflushed_messages_.load(std::memory_order_relaxed)};
}

void PartitionLog::mark_synced(const SyncPoint& point, int64_t now_ms) {
  MutexLock flush_lock(flush_mutex_);
  publish_flush(point, now_ms);
}

void PartitionLog::publish_flush(const SyncPoint& point, int64_t now_ms) {
  if (point.log_end_offset > recovery_point()) {
    recovery_point_.store(point.log_end_offset, std::memory_order_release);
  }
  // Never below zero: a flush that overlapped this one (close()) may have cleared part of it.
  int64_t unflushed = unflushed_messages_.load(std::memory_order_relaxed);
  while (!unflushed_messages_.compare_exchange_weak(
      unflushed, std::max<int64_t>(unflushed - point.unflushed_messages, 0),
      std::memory_order_relaxed)) {
  }
  last_flush_ms_.store(now_ms, std::memory_order_relaxed);
}

void PartitionLog::update_config(const config::TopicConfig& config) {
  MutexLock lock(append_mutex_);
  config_ = config;
  shared_config_.store(std::make_shared<const config::TopicConfig>(config),
                       std::memory_order_release);
  max_message_bytes_.store(config.max_message_bytes, std::memory_order_relaxed);
  segment_bytes_.store(config.segment_bytes, std::memory_order_relaxed);
}

void PartitionLog::close(bool flush_files) {
  {
    MutexLock lock(append_mutex_);
    if (closed_) return;
    closed_ = true;
    active_segment()->seal();
  }
  if (flush_files) flush(wall_clock_ms());
}

}  // namespace eddy::storage
