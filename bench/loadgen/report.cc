#include "loadgen/report.h"

#include <fmt/format.h>

namespace eddy::bench {
namespace {

constexpr double kBytesPerMb = 1e6;
constexpr double kBytesPerGb = 1e9;

double per_second(double amount, double elapsed_s) {
  return elapsed_s > 0 ? amount / elapsed_s : 0;
}

std::string latency_json(const LatencyHistogram& histogram) {
  return fmt::format(R"({{"count":{},"p50_us":{},"p99_us":{},"p999_us":{},"max_us":{}}})",
                     histogram.count(), histogram.percentile_us(0.50),
                     histogram.percentile_us(0.99), histogram.percentile_us(0.999),
                     histogram.max_us());
}

std::string latency_text(const char* label, const LatencyHistogram& histogram) {
  if (histogram.count() == 0) return fmt::format("{}: none measured\n", label);
  return fmt::format(
      "{}: p50 {:.2f} ms, p99 {:.2f} ms, p99.9 {:.2f} ms, max {:.2f} ms ({} samples)\n", label,
      histogram.percentile_us(0.50) / 1e3, histogram.percentile_us(0.99) / 1e3,
      histogram.percentile_us(0.999) / 1e3, histogram.max_us() / 1e3, histogram.count());
}

double broker_cpu_s(const RunResult& result) {
  if (!result.broker_before || !result.broker_after) return -1;
  return result.broker_after->cpu_seconds - result.broker_before->cpu_seconds;
}

std::string escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  }
  return out;
}

}  // namespace

std::string to_json(const Workload& workload, const RunResult& result) {
  const double bytes = static_cast<double>(result.payload_bytes);
  const double cpu_s = broker_cpu_s(result);
  const bool have_broker = cpu_s >= 0;
  return fmt::format(
      R"({{"workload":"{}","mode":"{}","ok":{},"error":"{}","records":{},"payload_bytes":{},)"
      R"("errors":{},"elapsed_s":{:.6f},"records_per_s":{:.1f},"mb_per_s":{:.3f},)"
      R"("produce_latency":{},"end_to_end_latency":{},"broker_cpu_s":{},)"
      R"("broker_cpu_s_per_gb":{},"broker_peak_rss_bytes":{},"broker_peak_rss_run_only":{},)"
      R"("loadgen_cpu_s":{:.3f}}})",
      escape(workload.name), to_string(workload.mode), result.error_message.empty(),
      escape(result.error_message), result.records, result.payload_bytes, result.errors,
      result.elapsed_s, per_second(static_cast<double>(result.records), result.elapsed_s),
      per_second(bytes / kBytesPerMb, result.elapsed_s), latency_json(result.produce_latency),
      latency_json(result.end_to_end_latency), have_broker ? fmt::format("{:.3f}", cpu_s) : "null",
      have_broker && bytes > 0 ? fmt::format("{:.3f}", cpu_s / (bytes / kBytesPerGb)) : "null",
      result.broker_after ? std::to_string(result.broker_after->peak_rss_bytes) : "null",
      result.broker_peak_reset, result.loadgen_cpu_s);
}

std::string to_text(const Workload& workload, const RunResult& result) {
  const double bytes = static_cast<double>(result.payload_bytes);
  std::string text = fmt::format(
      "{} ({}): {} records, {:.1f} MB in {:.2f} s: {:.0f} records/s, {:.1f} MB/s, {} errors\n",
      workload.name, to_string(workload.mode), result.records, bytes / kBytesPerMb,
      result.elapsed_s, per_second(static_cast<double>(result.records), result.elapsed_s),
      per_second(bytes / kBytesPerMb, result.elapsed_s), result.errors);
  if (workload.mode == Mode::kProduce)
    text += latency_text("produce latency", result.produce_latency);
  if (workload.end_to_end) text += latency_text("end-to-end latency", result.end_to_end_latency);
  const double cpu_s = broker_cpu_s(result);
  if (cpu_s >= 0) {
    text += fmt::format("broker: {:.2f} CPU s ({:.2f} per GB), peak RSS {:.1f} MB{}\n", cpu_s,
                        bytes > 0 ? cpu_s / (bytes / kBytesPerGb) : 0.0,
                        static_cast<double>(result.broker_after->peak_rss_bytes) / kBytesPerMb,
                        result.broker_peak_reset ? "" : " (process lifetime)");
  }
  text += fmt::format("loadgen: {:.2f} CPU s\n", result.loadgen_cpu_s);
  if (!result.error_message.empty()) text += "error: " + result.error_message + "\n";
  return text;
}

}  // namespace eddy::bench
