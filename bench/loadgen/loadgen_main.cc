// eddy_loadgen: a librdkafka load generator. See bench/README.md.
//
//   eddy_loadgen --bootstrap HOST:PORT --workload FILE [--set key=value]... [--broker-pid PID]
//                [--json] [--create-only]

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "loadgen/consumer.h"
#include "loadgen/producer.h"
#include "loadgen/rdkafka_client.h"
#include "loadgen/report.h"
#include "loadgen/workload.h"

namespace {

using eddy::bench::Workload;

struct Arguments {
  std::string bootstrap = "127.0.0.1:9092";
  Workload workload;
  std::optional<pid_t> broker_pid;
  bool json = false;
  bool create_only = false;  // create the workload's topic, then exit
};

int usage(const std::string& problem) {
  std::fprintf(stderr,
               "%s\nusage: eddy_loadgen --bootstrap HOST:PORT [--workload FILE] "
               "[--set key=value]... [--broker-pid PID] [--json] [--create-only]\n",
               problem.c_str());
  return 2;
}

// Settings apply in command-line order, so `--set` after `--workload` overrides the file.
std::optional<std::string> parse(int argc, char** argv, Arguments& out) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--json" || flag == "--create-only") {
      (flag == "--json" ? out.json : out.create_only) = true;
      continue;
    }
    if (i + 1 >= argc) return flag + " needs a value";
    const std::string value = argv[++i];
    if (flag == "--bootstrap") {
      out.bootstrap = value;
    } else if (flag == "--workload") {
      if (auto error = eddy::bench::load_workload(value, out.workload)) return error;
    } else if (flag == "--set") {
      const auto equals = value.find('=');
      if (equals == std::string::npos) return "--set needs key=value";
      if (auto error = eddy::bench::apply_setting(out.workload, value.substr(0, equals),
                                                  value.substr(equals + 1))) {
        return error;
      }
    } else if (flag == "--broker-pid") {
      char* end = nullptr;
      const long pid = std::strtol(value.c_str(), &end, 10);
      if (end == value.c_str() || *end != '\0' || pid <= 0) return "bad --broker-pid";
      out.broker_pid = static_cast<pid_t>(pid);
    } else {
      return "unknown flag " + flag;
    }
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  Arguments arguments;
  if (auto error = parse(argc, argv, arguments)) return usage(*error);
  const Workload& workload = arguments.workload;
  eddy::bench::RunResult result;
  if (arguments.create_only) {
    const auto error = eddy::bench::create_topic(arguments.bootstrap, workload);
    std::fprintf(stderr, "create %s (%d partitions): %s\n", workload.topic.c_str(),
                 workload.partitions, error ? error->c_str() : "ok");
    return error ? 1 : 0;
  }
  if (workload.create_topic) {
    if (auto error = eddy::bench::create_topic(arguments.bootstrap, workload)) {
      result.error_message = "create topic: " + *error;
    }
  }
  if (result.error_message.empty()) {
    result = workload.mode == eddy::bench::Mode::kProduce
                 ? eddy::bench::run_produce(arguments.bootstrap, workload, arguments.broker_pid)
                 : eddy::bench::run_consume(arguments.bootstrap, workload, arguments.broker_pid);
  }
  std::fputs(eddy::bench::to_text(workload, result).c_str(), stderr);
  if (arguments.json) std::printf("%s\n", eddy::bench::to_json(workload, result).c_str());
  const bool ok = result.error_message.empty() && result.records > 0;
  return ok ? 0 : 1;
}
