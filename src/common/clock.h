#pragma once

// Wall-clock time in milliseconds since the Unix epoch: Kafka's timestamps (record times,
// LogAppendTime, commit times, retention). Durations and deadlines use std::chrono::steady_clock.

#include <chrono>
#include <cstdint>

namespace eddy {

inline int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace eddy
