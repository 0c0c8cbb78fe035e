#include "group/offsets_log.h"

#include "common/log.h"
#include "records/batch_builder.h"
#include "records/batch_records.h"
#include "records/record.h"
#include "storage/file.h"

namespace eddy::group {
namespace {

constexpr int32_t kLoadReadBytes = 1 << 20;
// The bound produce validation enforces, so every stored batch fits.
constexpr size_t kMaxDecompressedBytes = records::kMaxDecompressedBatchBytes;

ErrorCode to_coordinator_error(storage::Error error) {
  switch (error) {
    case storage::Error::kNone:
      return ErrorCode::kNone;
    case storage::Error::kMessageTooLarge:
    case storage::Error::kRecordListTooLarge:
      return ErrorCode::kInvalidCommitOffsetSize;
    default:
      return ErrorCode::kCoordinatorNotAvailable;
  }
}

void load_batch(std::span<const uint8_t> batch, const records::BatchHeader& header,
                std::vector<uint8_t>& scratch, GroupManager& manager, LoadStats& stats) {
  ++stats.batches;
  if (header.is_control()) return;
  std::span<const uint8_t> region;
  if (records::records_region(batch, header, scratch, kMaxDecompressedBytes, region) !=
      records::RecordError::kNone) {
    stats.unreadable_records += header.record_count;
    return;
  }
  records::RecordIterator iterator(region, header.record_count);
  records::RecordView record;
  while (iterator.next(record)) {
    ++stats.records;
    RecordKey key;
    if (!record.key || !decode_key(*record.key, key)) {
      ++stats.unreadable_records;
      continue;
    }
    manager.load(key, record.value);
  }
}

}  // namespace

ErrorCode LogSink::append(int32_t partition, const std::vector<KeyValue>& records, int64_t now_ms) {
  auto log = logs_.get(kOffsetsTopic, partition);
  if (log == nullptr) return ErrorCode::kCoordinatorNotAvailable;
  records::BatchBuilder builder(records::BatchOptions{});
  for (const KeyValue& record : records) {
    records::RecordInput input;
    input.key = std::span<const uint8_t>(record.key);
    if (record.value) input.value = std::span<const uint8_t>(*record.value);
    input.timestamp_ms = now_ms;
    builder.add(input);
  }
  batch_.clear();
  ErrorCode error = ErrorCode::kCoordinatorNotAvailable;
  if (builder.finish(batch_)) {
    const storage::AppendResult result = log->append(batch_, leader_epoch_(partition), now_ms);
    if (result.error != storage::Error::kNone) {
      spdlog::warn("{}-{}: append failed: {}", kOffsetsTopic, partition,
                   storage::to_string(result.error));
    }
    error = to_coordinator_error(result.error);
  }
  // A large batch (a big offset commit) must not pin its buffer for the broker's lifetime.
  if (batch_.capacity() > kKeptBatchBytes) release(batch_);
  return error;
}

size_t LogSink::max_record_bytes(int32_t partition) const {
  const int32_t batch_bytes = max_batch_bytes_(partition);
  return batch_bytes > static_cast<int32_t>(kBatchOverheadBytes)
             ? static_cast<size_t>(batch_bytes) - kBatchOverheadBytes
             : 0;
}

bool load_partition(const storage::PartitionLog& log, GroupManager& manager, LoadStats& stats) {
  const int64_t end = log.log_end_offset();
  int64_t next = log.log_start_offset();
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> scratch;
  while (next < end) {
    const storage::ReadResult read = log.read(next, kLoadReadBytes, end, true);
    if (read.error != storage::Error::kNone) {
      spdlog::error("{}-{}: cannot read offset {}: {}", log.topic(), log.partition(), next,
                    storage::to_string(read.error));
      return false;
    }
    const int64_t before = next;
    for (const storage::FileSlice& slice : read.slices) {
      if (!slice.read(bytes)) return false;
      records::BatchIterator batches(bytes);
      while (batches.next()) {
        load_batch(batches.batch(), batches.header(), scratch, manager, stats);
        next = std::max(next, batches.header().last_offset() + 1);
      }
    }
    if (next == before) break;  // nothing readable past this point (compacted gap or damage)
  }
  return true;
}

}  // namespace eddy::group
