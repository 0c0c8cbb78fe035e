#pragma once

// The consumer side: a timed backlog read (consume mode) and the end-to-end latency reader that
// runs beside a producer. Both use librdkafka's partition consumer (no group), so they need only
// Metadata, ListOffsets and Fetch from the broker.

#include <atomic>
#include <optional>
#include <string>
#include <thread>

#include <sys/types.h>

#include "loadgen/histogram.h"
#include "loadgen/rdkafka_client.h"
#include "loadgen/run_result.h"
#include "loadgen/workload.h"

namespace eddy::bench {

// Reads the topic from the beginning until every partition reached its end once, record_count
// records, or duration_s, whichever is first.
RunResult run_consume(const std::string& bootstrap, const Workload& workload,
                      std::optional<pid_t> broker_pid);

// Reads new records (from the end of each partition) on its own thread and records
// now - (timestamp in the first 8 value bytes).
class EndToEndReader {
 public:
  EndToEndReader(const std::string& bootstrap, const Workload& workload);
  ~EndToEndReader();
  EndToEndReader(const EndToEndReader&) = delete;
  EndToEndReader& operator=(const EndToEndReader&) = delete;

  std::optional<std::string> start();
  // Keeps reading until `expected` records arrived or `timeout_ms` passed, then stops.
  void finish(int64_t expected, int timeout_ms);
  const LatencyHistogram& latency() const { return latency_; }
  int64_t records() const { return records_.load(); }

 private:
  void loop();

  std::string bootstrap_;
  Workload workload_;
  KafkaHandle client_;
  rd_kafka_topic_t* topic_ = nullptr;
  rd_kafka_queue_t* queue_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> records_{0};
  LatencyHistogram latency_;  // written by the reader thread only, read after finish()
};

}  // namespace eddy::bench
