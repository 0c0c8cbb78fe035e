// Start-up recovery of one segment after a crash (see docs/storage-format.md, "Recovery").

#include <algorithm>
#include <vector>

#include <unistd.h>

#include "common/log.h"
#include "records/batch_header.h"
#include "records/byte_order.h"
#include "storage/segment.h"

namespace eddy::storage {
namespace {

using records::load_be;

// Recovery reads the log in chunks of this size (a larger batch gets a buffer of its own).
constexpr size_t kRecoveryChunkBytes = 1 << 20;

}  // namespace

// True if `batch` may come next in the segment: in offset order, and within the int32
// relative offsets and positions of the indexes.
bool Segment::follows(const BatchInfo& batch, int64_t next_offset) const {
  return batch.base_offset >= next_offset && batch.last_offset >= batch.base_offset &&
         batch.last_offset - base_offset_ <= INT32_MAX &&
         batch.position + batch.size_bytes <= INT32_MAX;
}

void Segment::reset_writer_state() {
  SegmentFiles& files = writer_files();
  files.offset_index->file().clear();
  files.time_index->file().clear();
  max_timestamp_ms_.store(-1);
  offset_of_max_timestamp_.store(-1);
  bytes_since_index_entry_ = 0;
  rolling_base_ms_ = -1;
}

size_t Segment::synced_offset_entries(int64_t synced_offset, int64_t file_size) const {
  const OffsetIndex& index = *writer_files().offset_index;
  size_t count = 0;
  OffsetIndex::Entry previous{base_offset_, 0};
  for (; count < index.entries(); ++count) {
    OffsetIndex::Entry entry = index.at(count);
    // Preallocated, never written slots read as {base offset, 0} and stop the walk.
    bool valid = entry.offset > previous.offset && entry.position > previous.position &&
                 entry.offset < synced_offset && entry.position < file_size;
    if (!valid) break;
    previous = entry;
  }
  return count;
}

size_t Segment::synced_time_entries(int64_t synced_offset) const {
  const TimeIndex& index = *writer_files().time_index;
  size_t count = 0;
  for (; count < index.entries(); ++count) {
    TimeIndex::Entry entry = index.at(count);
    bool valid =
        entry.timestamp_ms >= 0 && entry.offset >= base_offset_ && entry.offset < synced_offset;
    if (count > 0) {
      TimeIndex::Entry previous = index.at(count - 1);
      valid =
          valid && entry.timestamp_ms > previous.timestamp_ms && entry.offset >= previous.offset;
    }
    if (!valid) break;
  }
  return count;
}

bool Segment::restore_max_timestamp(int64_t file_size) {
  const SegmentFiles& files = writer_files();
  auto last = files.time_index->last();
  if (!last) return true;
  // The entry names the batch ending at its offset; a never written slot (zeros) names a batch
  // that does not match, unless it happens to be true.
  int64_t position = files.offset_index->lookup(last->offset).position;
  while (auto batch = read_batch(position, file_size)) {
    if (batch->last_offset >= last->offset) {
      if (batch->last_offset != last->offset || batch->max_timestamp_ms != last->timestamp_ms) {
        return false;
      }
      max_timestamp_ms_.store(last->timestamp_ms);
      offset_of_max_timestamp_.store(last->offset);
      return true;
    }
    position += batch->size_bytes;
  }
  return false;
}

Segment::ScanStart Segment::keep_synced_prefix(int64_t synced_offset, int64_t file_size,
                                               int32_t index_interval_bytes) {
  const ScanStart everything{0, base_offset_};
  SegmentFiles& files = writer_files();
  size_t offset_entries = synced_offset_entries(synced_offset, file_size);
  size_t time_entries = synced_time_entries(synced_offset);
  reset_writer_state();
  if (synced_offset <= base_offset_ || file_size <= 0) return everything;
  files.offset_index->file().keep_first(offset_entries);
  files.time_index->file().keep_first(time_entries);
  auto first = read_batch(0, file_size);
  if (!first || !restore_max_timestamp(file_size)) {
    reset_writer_state();
    return everything;
  }
  rolling_base_ms_ = first->max_timestamp_ms;
  // Replays the writer from the last index entry (whose batch must be there) to the synced
  // offset: a few headers, as when the entry was written.
  auto last_entry = files.offset_index->last();
  ScanStart start{last_entry ? last_entry->position : 0, base_offset_};
  while (start.next_offset < synced_offset) {
    auto batch = read_batch(start.position, file_size);
    bool expected = batch && follows(*batch, start.next_offset) &&
                    batch->last_offset < synced_offset &&
                    (!last_entry || start.next_offset > base_offset_ ||
                     batch->base_offset == last_entry->offset);
    if (!expected) break;
    index_batch(*batch, index_interval_bytes);
    start = {start.position + batch->size_bytes, batch->last_offset + 1};
  }
  if (last_entry && start.next_offset == base_offset_) {
    reset_writer_state();  // the last index entry names no batch
    return everything;
  }
  return start;
}

// Reads every batch from the scan start on, checks it, and rebuilds both indexes; the log ends
// at the first batch that is torn, corrupt, or out of order.
bool Segment::recover(const config::TopicConfig& config, int64_t synced_offset,
                      RecoveryStats& stats, bool& truncated) {
  const File& log = *writer_files().log;
  int64_t file_size = log.size_bytes();
  ScanStart start = keep_synced_prefix(synced_offset, file_size, config.index_interval_bytes);
  int64_t max_batch_bytes = std::max<int64_t>(config.max_message_bytes, 0) +
                            static_cast<int64_t>(records::kBatchLengthFieldEnd);
  std::vector<uint8_t> buffer(kRecoveryChunkBytes);
  int64_t position = start.position;
  int64_t next_offset = start.next_offset;
  bool corrupt = false;
  while (position < file_size && !corrupt) {
    size_t chunk = static_cast<size_t>(std::min<int64_t>(buffer.size(), file_size - position));
    if (!pread_all(log.fd(), buffer.data(), chunk, position)) {
      spdlog::error("storage: cannot read {} at byte {}", path(".log").string(), position);
      return false;
    }
    records::BatchIterator batches(std::span<const uint8_t>(buffer.data(), chunk), true);
    size_t consumed = 0;
    while (batches.next()) {
      const records::BatchHeader& header = batches.header();
      int64_t batch_position = position + static_cast<int64_t>(batches.batch_position());
      BatchInfo batch = info_from_header(batch_position, header);
      if (!follows(batch, next_offset)) {
        corrupt = true;
        break;
      }
      index_batch(batch, config.index_interval_bytes);
      next_offset = header.last_offset() + 1;
      consumed = batches.valid_bytes();
    }
    if (!corrupt) consumed = batches.valid_bytes();
    position += static_cast<int64_t>(consumed);
    stats.scanned_bytes += static_cast<int64_t>(consumed);
    if (corrupt || batches.error() == records::BatchError::kNone) continue;
    bool chunk_reached_end =
        position - static_cast<int64_t>(consumed) + static_cast<int64_t>(chunk) >= file_size;
    if (batches.error() != records::BatchError::kTruncated || chunk_reached_end) break;
    if (consumed > 0) continue;  // re-read from the partial batch
    // A single batch larger than the buffer: grow the buffer once, within bounds.
    int64_t needed = static_cast<int64_t>(records::kBatchLengthFieldEnd) +
                     load_be<int32_t>(buffer.data() + records::kBatchLengthOffset);
    if (needed <= static_cast<int64_t>(buffer.size()) || needed > max_batch_bytes ||
        needed > file_size - position) {
      break;
    }
    buffer.resize(static_cast<size_t>(needed));
  }
  if (position < file_size) {
    spdlog::warn("storage: truncating {} at byte {} of {} (torn or corrupt batch)",
                 path(".log").string(), position, file_size);
    if (::ftruncate(log.fd(), position) != 0) {
      spdlog::error("storage: truncate {} failed", path(".log").string());
    }
    stats.truncated_bytes += file_size - position;
    truncated = true;
  }
  next_offset_.store(next_offset, std::memory_order_release);
  size_bytes_.store(position, std::memory_order_release);
  return true;
}

}  // namespace eddy::storage
