#include "storage/cleaner.h"

#include <algorithm>

#include "common/assert.h"
#include "common/log.h"
#include "records/batch_records.h"
#include "storage/cleaner_reader.h"

namespace eddy::storage {
namespace {

// Bounds one batch's decompressed records, as the other storage readers do.
// The bound produce validation enforces, so every stored batch fits.
constexpr size_t kMaxDecompressedBytes = records::kMaxDecompressedBatchBytes;

// The sealed segments a pass rewrites (base below `end_offset`), in groups that each fit one
// segment: total size <= segment.bytes and offsets within an int32 of the group's base.
std::vector<std::vector<std::shared_ptr<Segment>>> group_segments(
    const std::vector<std::shared_ptr<Segment>>& segments, int64_t end_offset,
    const config::TopicConfig& config) {
  std::vector<std::vector<std::shared_ptr<Segment>>> groups;
  int64_t group_bytes = 0;
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    const auto& segment = segments[i];
    if (segment->base_offset() >= end_offset) break;
    bool fits = !groups.empty() && group_bytes + segment->size_bytes() <= config.segment_bytes &&
                segment->next_offset() - groups.back().front()->base_offset() <= INT32_MAX;
    if (!fits) {
      groups.emplace_back();
      group_bytes = 0;
    }
    groups.back().push_back(segment);
    group_bytes += segment->size_bytes();
  }
  return groups;
}

// The max timestamp of a segment's first batch, -1 if unknown (Kafka's first batch timestamp).
int64_t first_batch_timestamp_ms(const Segment& segment) {
  auto first = segment.read_batch(0, segment.size_bytes());
  return first ? first->max_timestamp_ms : -1;
}

}  // namespace

CleanableRange cleanable_range(const PartitionLog& log,
                               const std::vector<std::shared_ptr<Segment>>& segments,
                               const config::TopicConfig& config, int64_t now_ms) {
  EDDY_ASSERT(!segments.empty());
  CleanableRange range;
  range.first_uncleanable_offset = segments.back()->base_offset();
  // min.compaction.lag.ms: the first segment holding a record that recent, and all after it,
  // stay dirty.
  int64_t dirty = std::max(log.cleaner_offset(), log.log_start_offset());
  for (size_t i = 0; i + 1 < segments.size() && config.min_compaction_lag_ms > 0; ++i) {
    const Segment& segment = *segments[i];
    if (segment.next_offset() <= dirty) continue;
    if (segment.largest_timestamp_ms() > now_ms - config.min_compaction_lag_ms) {
      range.first_uncleanable_offset = segment.base_offset();
      break;
    }
  }
  range.first_dirty_offset = std::min(dirty, range.first_uncleanable_offset);
  bool first_dirty_seen = false;
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    const Segment& segment = *segments[i];
    if (segment.base_offset() >= range.first_uncleanable_offset) break;
    if (segment.next_offset() <= range.first_dirty_offset) {
      range.clean_bytes += segment.size_bytes();
      continue;
    }
    range.cleanable_bytes += segment.size_bytes();
    if (!first_dirty_seen) {
      first_dirty_seen = true;
      int64_t first_timestamp_ms = first_batch_timestamp_ms(segment);
      range.max_lag_exceeded =
          first_timestamp_ms >= 0 && now_ms - first_timestamp_ms > config.max_compaction_lag_ms;
    }
  }
  int64_t total = range.clean_bytes + range.cleanable_bytes;
  range.dirty_ratio =
      total > 0 ? static_cast<double>(range.cleanable_bytes) / static_cast<double>(total) : 0;
  return range;
}

Cleaner::Cleaner(const CleanerConfig& config)
    : config_(config),
      map_(config.dedupe_buffer_bytes, config.dedupe_load_factor),
      filter_(kMaxDecompressedBytes) {}

std::shared_ptr<PartitionLog> Cleaner::pick(const std::vector<std::shared_ptr<PartitionLog>>& logs,
                                            int64_t now_ms) const {
  std::shared_ptr<PartitionLog> filthiest;
  std::shared_ptr<PartitionLog> horizon_passed;
  double best_ratio = -1;
  for (const auto& log : logs) {
    const config::TopicConfig config = *log->config();
    if (!config.compact || uncleanable_.contains(log->dir().string())) continue;
    auto segments = log->segments();
    if (segments.size() < 2) continue;  // only the active segment
    CleanableRange range = cleanable_range(*log, segments, config, now_ms);
    bool due = range.dirty_ratio > config.min_cleanable_dirty_ratio || range.max_lag_exceeded;
    if (range.cleanable_bytes > 0 && due && range.dirty_ratio > best_ratio) {
      best_ratio = range.dirty_ratio;
      filthiest = log;
    }
    int64_t horizon_ms = log->delete_horizon_ms();
    if (horizon_passed == nullptr && horizon_ms >= 0 && horizon_ms <= now_ms) horizon_passed = log;
  }
  return filthiest != nullptr ? filthiest : horizon_passed;
}

size_t Cleaner::max_batch_bytes(const config::TopicConfig& config) const {
  return static_cast<size_t>(std::max<int64_t>(
      {int64_t{config.max_message_bytes} + static_cast<int64_t>(records::kBatchLengthFieldEnd),
       config_.io_buffer_bytes, 1 << 20}));
}

Error Cleaner::clean(PartitionLog& log, int64_t now_ms, CleanStats* stats_out) {
  CleanStats stats;
  PartitionLog::CleaningLock cleaning(log);
  const config::TopicConfig config = *log.config();
  auto segments = log.segments();
  CleanableRange range = cleanable_range(log, segments, config, now_ms);
  int64_t end_offset = range.first_uncleanable_offset;
  Error error = build_map(segments, range, config, end_offset, stats);
  int64_t horizon_ms = -1;
  if (error == Error::kNone) {
    for (const auto& group : group_segments(segments, end_offset, config)) {
      error = clean_group(log, group, config, now_ms, horizon_ms, stats);
      if (error != Error::kNone) break;
    }
  }
  if (error == Error::kCorruptMessage) {
    spdlog::error("cleaner: {} is damaged; it will not be cleaned until restart",
                  log.dir().string());
    uncleanable_.insert(log.dir().string());
  }
  if (error != Error::kNone) return error;
  log.set_cleaner_offset(std::max(log.cleaner_offset(), end_offset));
  log.set_delete_horizon_ms(horizon_ms);
  stats.end_offset = end_offset;
  spdlog::info(
      "cleaner: {}-{} cleaned below offset {}: {} -> {} bytes, kept {} of {} records, {} keys "
      "mapped",
      log.topic(), log.partition(), end_offset, stats.bytes_read, stats.bytes_written,
      stats.records_kept, stats.records_read, stats.map_entries);
  if (stats_out != nullptr) *stats_out = stats;
  return Error::kNone;
}

Error Cleaner::build_map(const std::vector<std::shared_ptr<Segment>>& segments,
                         const CleanableRange& range, const config::TopicConfig& config,
                         int64_t& end_offset, CleanStats& stats) {
  // The dirty range cannot hold more keys than offsets: size the map for that, within bounds.
  map_.reset(range.first_uncleanable_offset - range.first_dirty_offset);
  stats.map_memory_bytes = map_.memory_bytes();
  bool full = false;
  for (size_t i = 0; i + 1 < segments.size() && !full; ++i) {
    const Segment& segment = *segments[i];
    if (segment.base_offset() >= range.first_uncleanable_offset) break;
    if (segment.next_offset() <= range.first_dirty_offset) continue;
    CleanerReader reader(segment, read_buffer_, static_cast<size_t>(config_.io_buffer_bytes),
                         max_batch_bytes(config));
    std::span<const uint8_t> batch;
    records::BatchHeader header;
    while (!full && reader.next(batch, header)) {
      if (aborted()) return Error::kStorageError;
      Error error = map_batch(batch, header, range, full);
      if (error != Error::kNone) return error;
    }
    if (reader.error() != Error::kNone) return reader.error();
  }
  stats.map_entries = map_.entries();
  if (full) {
    end_offset = map_.latest_offset() + 1;
  } else {
    end_offset = range.first_uncleanable_offset;
    map_.set_latest_offset(end_offset - 1);
  }
  return Error::kNone;
}

Error Cleaner::map_batch(std::span<const uint8_t> batch, const records::BatchHeader& header,
                         const CleanableRange& range, bool& full) {
  if (header.is_control() || header.last_offset() < range.first_dirty_offset) {
    return Error::kNone;
  }
  std::span<const uint8_t> region;
  auto error = records::records_region(batch, header, decompressed_, kMaxDecompressedBytes, region);
  if (error != records::RecordError::kNone) return Error::kCorruptMessage;
  records::RecordIterator records(region, header.record_count);
  records::RecordView record;
  while (records.next(record)) {
    int64_t offset = header.base_offset + record.offset_delta;
    if (!record.key || offset < range.first_dirty_offset ||
        offset >= range.first_uncleanable_offset) {
      continue;
    }
    if (map_.full()) {
      full = true;  // this pass ends here; the next one starts at this record
      return Error::kNone;
    }
    map_.put(*record.key, offset);
  }
  return records.error() == records::RecordError::kNone ? Error::kNone : Error::kCorruptMessage;
}

Error Cleaner::clean_group(PartitionLog& log, const std::vector<std::shared_ptr<Segment>>& group,
                           const config::TopicConfig& config, int64_t now_ms, int64_t& horizon_ms,
                           CleanStats& stats) {
  auto cleaned =
      Segment::create_with_suffix(log.dir(), group.front()->base_offset(), config, ".cleaned");
  if (cleaned == nullptr) return Error::kStorageError;
  Error error = write_group(*cleaned, group, config, now_ms, horizon_ms, stats);
  // Step 1 ends with the files complete and durable; step 2 commits the swap.
  bool ready = error == Error::kNone && cleaned->seal() &&
               cleaned->set_last_modified_ms(group.back()->last_modified_ms()) &&
               cleaned->flush() && cleaned->rename_files(".swap") && fsync_dir(log.dir());
  if (!ready) {
    cleaned->remove_files();
    return error != Error::kNone ? error : Error::kStorageError;
  }
  // Step 3, under the append lock: the old files go, the new ones take their names.
  bool swapped = log.replace_segments(group, cleaned, [&group, &cleaned] {
    for (const auto& old : group) old->remove_files();
    if (!cleaned->rename_files("")) {
      spdlog::error("cleaner: swap of segment {} left as .swap; start-up recovery completes it",
                    cleaned->base_offset());
    }
  });
  if (!swapped) {
    cleaned->remove_files();
    return Error::kStorageError;  // the log was closed or changed meanwhile
  }
  fsync_dir(log.dir());
  stats.groups++;
  return Error::kNone;
}

Error Cleaner::write_group(Segment& cleaned, const std::vector<std::shared_ptr<Segment>>& group,
                           const config::TopicConfig& config, int64_t now_ms, int64_t& horizon_ms,
                           CleanStats& stats) {
  write_buffer_.clear();
  auto write_out = [&]() {
    if (write_buffer_.empty()) return Error::kNone;
    Error error = cleaned.append(write_buffer_, config.index_interval_bytes);
    stats.bytes_written += static_cast<int64_t>(write_buffer_.size());
    write_buffer_.clear();
    return error;
  };
  for (const auto& segment : group) {
    CleanerReader reader(*segment, read_buffer_, static_cast<size_t>(config_.io_buffer_bytes),
                         max_batch_bytes(config));
    std::span<const uint8_t> batch;
    records::BatchHeader header;
    while (reader.next(batch, header)) {
      if (aborted()) return Error::kStorageError;
      FilterOutcome outcome =
          filter_.filter(batch, header, map_, now_ms, config.delete_retention_ms, write_buffer_);
      if (outcome.error != Error::kNone) return outcome.error;
      stats.records_read += outcome.records_read;
      stats.records_kept += outcome.records_kept;
      if (outcome.pending_horizon_ms >= 0 &&
          (horizon_ms < 0 || outcome.pending_horizon_ms < horizon_ms)) {
        horizon_ms = outcome.pending_horizon_ms;
      }
      if (static_cast<int64_t>(write_buffer_.size()) >= config_.io_buffer_bytes) {
        Error error = write_out();
        if (error != Error::kNone) return error;
      }
    }
    stats.bytes_read += reader.bytes_read();
    if (reader.error() != Error::kNone) return reader.error();
  }
  return write_out();
}

}  // namespace eddy::storage
