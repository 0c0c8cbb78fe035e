// eddy: a Kafka-compatible broker. `eddy [serve] [--config FILE] [--override key=value]...`

#include <cstdlib>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <malloc.h>

#include "common/log.h"
#include "server/run.h"

namespace {

// glibc raises its mmap threshold to the size of each large block freed (up to 32 MiB) and its
// trim threshold to twice that; blocks below it then come from the heap and stay resident once
// freed. A few 30 MB JoinGroup requests left over 120 MB held that way (issue 10). Fixed
// thresholds keep blocks of 8 MiB and more in mmap, given back to the kernel when freed.
// Produce requests (1 MB batches to a few partitions: up to about 6 MiB) stay below it: with
// 4 MiB each request frame was a fresh mapping whose page faults it paid every time, and
// workload 1 went from 0.75 to 0.92 of the sink's CPU per GB at 0.64 of its throughput
// (docs/performance.md).
constexpr int kMmapThresholdBytes = 8 << 20;
constexpr int kTrimThresholdBytes = 8 << 20;

void set_allocator_thresholds() {
  mallopt(M_MMAP_THRESHOLD, kMmapThresholdBytes);
  mallopt(M_TRIM_THRESHOLD, kTrimThresholdBytes);
}

}  // namespace

int main(int argc, char** argv) {
  set_allocator_thresholds();
  CLI::App app{"Eddy: a Kafka-compatible streaming broker"};
  app.require_subcommand(0, 1);
  eddy::server::Options options;
  auto add_serve_options = [&options](CLI::App& command) {
    command.add_option("-c,--config", options.config_path, "server.properties file");
    command.add_option("-o,--override", options.overrides,
                       "key=value overriding the config file (repeatable)");
  };
  add_serve_options(app);
  CLI::App* serve = app.add_subcommand("serve", "Run the broker (the default)");
  add_serve_options(*serve);
  CLI11_PARSE(app, argc, argv);
  return eddy::server::run(options);
}
