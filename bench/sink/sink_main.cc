// eddy_sink: the baseline "broker" of the benchmarks. See bench/README.md.
//
//   eddy_sink [--host 127.0.0.1] [--port 0] [--partitions N] [--topic NAME]...
//             [--data-file PATH] [--max-file-bytes N]
//
// Prints "listening on HOST:PORT" once ready; SIGTERM or SIGINT stops it and prints totals.

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sink/appender.h"
#include "sink/sink_handler.h"
#include "sink/sink_server.h"

namespace {

std::atomic<bool> g_stop{false};

void on_signal(int) {
  g_stop.store(true);
}

struct Arguments {
  std::string host = "127.0.0.1";
  int port = 0;
  eddy::bench::SinkOptions options;
  std::string data_file = "sink.data";
  int64_t max_file_bytes = INT64_MAX;  // keep everything, as a broker does
};

bool parse_number(const std::string& text, int64_t min, int64_t max, int64_t& out) {
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || value < min || value > max) return false;
  out = value;
  return true;
}

bool parse(int argc, char** argv, Arguments& out) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    int64_t number = 0;
    if (flag == "--host") {
      out.host = value;
    } else if (flag == "--port" && parse_number(value, 0, 65535, number)) {
      out.port = static_cast<int>(number);
    } else if (flag == "--partitions" && parse_number(value, 1, 100000, number)) {
      out.options.partitions = static_cast<int32_t>(number);
    } else if (flag == "--topic") {
      out.options.topics.push_back(value);
    } else if (flag == "--data-file") {
      out.data_file = value;
    } else if (flag == "--max-file-bytes" && parse_number(value, 1 << 20, INT64_MAX, number)) {
      out.max_file_bytes = number;
    } else {
      std::fprintf(stderr, "bad flag or value: %s %s\n", flag.c_str(), value.c_str());
      return false;
    }
  }
  return argc % 2 == 1;
}

}  // namespace

int main(int argc, char** argv) {
  Arguments arguments;
  if (!parse(argc, argv, arguments)) {
    std::fprintf(stderr,
                 "usage: eddy_sink [--host H] [--port P] [--partitions N] [--topic T]... "
                 "[--data-file PATH] [--max-file-bytes N]\n");
    return 2;
  }
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::signal(SIGPIPE, SIG_IGN);

  eddy::bench::Appender appender;
  if (!appender.open(arguments.data_file, arguments.max_file_bytes)) {
    std::perror(arguments.data_file.c_str());
    return 1;
  }
  arguments.options.advertised_host = arguments.host;
  eddy::bench::SinkHandler handler(arguments.options, appender);
  constexpr int32_t kMaxFrameBytes = 100 * 1024 * 1024;  // socket.request.max.bytes default
  eddy::bench::SinkServer server(handler, kMaxFrameBytes);
  if (const std::string error = server.listen(arguments.host, arguments.port); !error.empty()) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  handler.set_port(server.port());  // Metadata advertises the port actually bound
  std::printf("listening on %s:%d\n", arguments.host.c_str(), server.port());
  std::fflush(stdout);
  server.run(g_stop);
  const auto& stats = handler.stats();
  std::printf("requests %lld produce %lld batches %lld records %lld corrupt %lld bytes %lld\n",
              static_cast<long long>(stats.requests),
              static_cast<long long>(stats.produce_requests), static_cast<long long>(stats.batches),
              static_cast<long long>(stats.records), static_cast<long long>(stats.corrupt_batches),
              static_cast<long long>(appender.appended_bytes()));
  return 0;
}
