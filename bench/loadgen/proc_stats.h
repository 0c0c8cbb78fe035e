#pragma once

// Resource use of another process (the broker under test), read from /proc.

#include <cstdint>
#include <optional>

#include <sys/types.h>

namespace eddy::bench {

struct ProcessSample {
  double cpu_seconds = 0;      // utime + stime since the process started
  int64_t peak_rss_bytes = 0;  // VmHWM
  int64_t rss_bytes = 0;       // VmRSS
};

// nullopt when the process is gone or /proc is unreadable.
std::optional<ProcessSample> sample_process(pid_t pid);

// Resets VmHWM to the current RSS (writes 5 to /proc/<pid>/clear_refs), so a later VmHWM is the
// peak of the run rather than of the process's life. False when not permitted.
bool reset_peak_rss(pid_t pid);

// This process's own user + system CPU seconds.
double own_cpu_seconds();

}  // namespace eddy::bench
