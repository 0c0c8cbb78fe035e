#pragma once

// The coordinator's side of __consumer_offsets: LogSink writes the manager's records as v2
// batches into the partition logs, load_partition() reads a partition back at start-up.

#include <functional>
#include <vector>

#include "group/manager.h"
#include "storage/log_manager.h"

namespace eddy::group {

class LogSink final : public RecordSink {
 public:
  using PartitionValue = std::function<int32_t(int32_t partition)>;
  static constexpr int32_t kDefaultMaxBatchBytes = 1048588;  // Kafka's message.max.bytes
  // The framing of a batch holding one record at its largest: the v2 batch header (61 bytes)
  // and the record's varints, attributes and header count.
  static constexpr size_t kBatchOverheadBytes = 61 + 32;
  // Appends keep their batch buffer up to this capacity; a larger one is freed after use.
  static constexpr size_t kKeptBatchBytes = 1 << 20;

  // `leader_epoch` gives the current leader epoch of a partition of the topic,
  // `max_batch_bytes` its max.message.bytes.
  LogSink(
      storage::LogManager& logs, PartitionValue leader_epoch,
      PartitionValue max_batch_bytes = [](int32_t) { return kDefaultMaxBatchBytes; })
      : logs_(logs),
        leader_epoch_(std::move(leader_epoch)),
        max_batch_bytes_(std::move(max_batch_bytes)) {}

  // One uncompressed batch, appended with PartitionLog::append (written, not yet fsynced, when
  // it returns: the log's flush policy applies, as for produced data).
  ErrorCode append(int32_t partition, const std::vector<KeyValue>& records,
                   int64_t now_ms) override;
  size_t max_record_bytes(int32_t partition) const override;

 private:
  storage::LogManager& logs_;
  PartitionValue leader_epoch_;
  PartitionValue max_batch_bytes_;
  std::vector<uint8_t> batch_;  // reused between appends, up to kKeptBatchBytes
};

struct LoadStats {
  int64_t batches = 0;
  int64_t records = 0;
  int64_t unreadable_records = 0;
};

// Feeds every record of `log`, from its start to its end, to `manager.load()`. Control
// batches are skipped; keys that are not Kafka's layouts are counted and skipped. False when
// the log cannot be read.
bool load_partition(const storage::PartitionLog& log, GroupManager& manager, LoadStats& stats);

}  // namespace eddy::group
