#include "loadgen/proc_stats.h"

#include <fstream>
#include <sstream>
#include <string>

#include <sys/resource.h>
#include <unistd.h>

namespace eddy::bench {
namespace {

// utime and stime (clock ticks) are fields 14 and 15 of /proc/<pid>/stat; the command name
// (field 2) may hold spaces, so counting starts after its closing parenthesis.
std::optional<double> read_cpu_seconds(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(file, line)) return std::nullopt;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  uint64_t utime = 0;
  uint64_t stime = 0;
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14) utime = std::stoull(field);
    if (index == 15) stime = std::stoull(field);
  }
  if (!fields) return std::nullopt;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

int64_t status_kb(const std::string& status, const std::string& key) {
  const auto at = status.find(key + ":");
  if (at == std::string::npos) return 0;
  return std::stoll(status.substr(at + key.size() + 1));
}

}  // namespace

std::optional<ProcessSample> sample_process(pid_t pid) {
  const auto cpu = read_cpu_seconds(pid);
  if (!cpu) return std::nullopt;
  std::ifstream file("/proc/" + std::to_string(pid) + "/status");
  std::stringstream status;
  status << file.rdbuf();
  ProcessSample sample;
  sample.cpu_seconds = *cpu;
  sample.peak_rss_bytes = status_kb(status.str(), "VmHWM") * 1024;
  sample.rss_bytes = status_kb(status.str(), "VmRSS") * 1024;
  return sample;
}

bool reset_peak_rss(pid_t pid) {
  std::ofstream file("/proc/" + std::to_string(pid) + "/clear_refs");
  file << "5";
  file.flush();
  return static_cast<bool>(file);
}

double own_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace eddy::bench
