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
  // `leader_epoch` gives the current leader epoch of a partition of the topic.
  LogSink(storage::LogManager& logs, std::function<int32_t(int32_t partition)> leader_epoch)
      : logs_(logs), leader_epoch_(std::move(leader_epoch)) {}

  // One uncompressed batch, appended with PartitionLog::append (written, not yet fsynced, when
  // it returns: the log's flush policy applies, as for produced data).
  ErrorCode append(int32_t partition, const std::vector<KeyValue>& records,
                   int64_t now_ms) override;

 private:
  storage::LogManager& logs_;
  std::function<int32_t(int32_t)> leader_epoch_;
  std::vector<uint8_t> batch_;  // reused between appends
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
