#pragma once

// What one run measured, printed by report.cc.

#include <cstdint>
#include <optional>
#include <string>

#include "loadgen/histogram.h"
#include "loadgen/proc_stats.h"

namespace eddy::bench {

struct RunResult {
  int64_t records = 0;        // delivered (produce) or consumed (consume)
  int64_t payload_bytes = 0;  // key + value bytes of those records
  int64_t errors = 0;         // failed deliveries or consumer errors
  double elapsed_s = 0;
  LatencyHistogram produce_latency;     // send (or scheduled send) -> delivery report
  LatencyHistogram end_to_end_latency;  // send -> consumed
  std::optional<ProcessSample> broker_before;
  std::optional<ProcessSample> broker_after;
  bool broker_peak_reset = false;  // peak RSS covers this run only
  double loadgen_cpu_s = 0;
  std::string error_message;  // set when the run could not complete
};

}  // namespace eddy::bench
