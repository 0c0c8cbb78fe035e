#pragma once

#include <string>

#include "loadgen/run_result.h"
#include "loadgen/workload.h"

namespace eddy::bench {

// One JSON object (a single line) with every figure; what run_suite.py parses.
std::string to_json(const Workload& workload, const RunResult& result);
// A few human-readable lines.
std::string to_text(const Workload& workload, const RunResult& result);

}  // namespace eddy::bench
