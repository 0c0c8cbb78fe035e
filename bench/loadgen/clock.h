#pragma once

#include <cstdint>

#include <time.h>

namespace eddy::bench {

// CLOCK_MONOTONIC in nanoseconds: one clock for every process on this machine, so a timestamp
// written into a record by the producer can be compared by a consumer in another process.
inline int64_t monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

}  // namespace eddy::bench
