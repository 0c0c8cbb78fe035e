#pragma once

// A workload file: `key = value` lines, `#` starts a comment. Keys and defaults are listed in
// bench/README.md; `rdkafka.<property> = value` passes any librdkafka property through.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace eddy::bench {

enum class Mode { kProduce, kConsume };
enum class KeyDistribution { kNone, kRandom, kRoundRobin };

struct Workload {
  std::string name = "unnamed";
  Mode mode = Mode::kProduce;
  std::string topic = "bench";
  int32_t partitions = 1;
  bool create_topic = false;
  int16_t replication_factor = 1;
  int32_t record_size_bytes = 1024;
  KeyDistribution key_distribution = KeyDistribution::kNone;
  int32_t key_count = 1000;
  std::string acks = "1";  // 0, 1 or all
  int32_t linger_ms = 5;
  int32_t batch_size_bytes = 1000000;
  std::string compression = "none";
  int64_t target_rate = 0;   // records/s; 0 = unthrottled
  double duration_s = 10;    // the run stops at whichever of duration and count comes first
  int64_t record_count = 0;  // 0 = no count bound
  bool end_to_end = false;   // produce mode: also consume, for end-to-end latency
  std::vector<std::pair<std::string, std::string>> rdkafka;  // pass-through properties
};

// Applies one `key=value` setting; an error message on an unknown key or a bad value.
std::optional<std::string> apply_setting(Workload& workload, const std::string& key,
                                         const std::string& value);
// Parses a workload file; an error message (with the line number) on failure.
std::optional<std::string> load_workload(const std::string& path, Workload& workload);

const char* to_string(Mode mode);
const char* to_string(KeyDistribution distribution);

}  // namespace eddy::bench
