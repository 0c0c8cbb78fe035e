#pragma once

#include <optional>
#include <string>

#include <sys/types.h>

#include "loadgen/run_result.h"
#include "loadgen/workload.h"

namespace eddy::bench {

// Produces the workload's records (until duration_s or record_count), waits for every delivery
// report, and measures throughput and produce latency; with end_to_end, also end-to-end latency.
RunResult run_produce(const std::string& bootstrap, const Workload& workload,
                      std::optional<pid_t> broker_pid);

}  // namespace eddy::bench
