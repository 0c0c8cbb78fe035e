#include "loadgen/workload.h"

#include <charconv>
#include <fstream>
#include <functional>
#include <map>

namespace eddy::bench {
namespace {

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

template <typename T>
bool parse_number(const std::string& text, T& out) {
  const auto result = std::from_chars(text.data(), text.data() + text.size(), out);
  return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

bool parse_bool(const std::string& text, bool& out) {
  if (text == "true" || text == "1") return out = true, true;
  if (text == "false" || text == "0") return out = false, true;
  return false;
}

template <typename T>
std::optional<std::string> set_number(T& field, const std::string& value, T min, T max) {
  T parsed{};
  if (!parse_number(value, parsed) || parsed < min || parsed > max) {
    return "expected a number in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  }
  field = parsed;
  return std::nullopt;
}

using Setter = std::function<std::optional<std::string>(Workload&, const std::string&)>;

const std::map<std::string, Setter>& setters() {
  static const std::map<std::string, Setter> table = {
      {"name", [](Workload& w, const std::string& v) { return w.name = v, std::nullopt; }},
      {"topic", [](Workload& w, const std::string& v) { return w.topic = v, std::nullopt; }},
      {"mode",
       [](Workload& w, const std::string& v) -> std::optional<std::string> {
         if (v == "produce") return w.mode = Mode::kProduce, std::nullopt;
         if (v == "consume") return w.mode = Mode::kConsume, std::nullopt;
         return "expected produce or consume";
       }},
      {"partitions",
       [](Workload& w, const std::string& v) { return set_number(w.partitions, v, 1, 100000); }},
      {"create_topic",
       [](Workload& w, const std::string& v) -> std::optional<std::string> {
         if (parse_bool(v, w.create_topic)) return std::nullopt;
         return "expected true or false";
       }},
      {"replication_factor",
       [](Workload& w, const std::string& v) {
         return set_number<int16_t>(w.replication_factor, v, 1, 16);
       }},
      {"record_size_bytes",
       [](Workload& w, const std::string& v) {
         return set_number(w.record_size_bytes, v, 8, 16 * 1024 * 1024);
       }},
      {"key_distribution",
       [](Workload& w, const std::string& v) -> std::optional<std::string> {
         if (v == "none") return w.key_distribution = KeyDistribution::kNone, std::nullopt;
         if (v == "random") return w.key_distribution = KeyDistribution::kRandom, std::nullopt;
         if (v == "round-robin") {
           return w.key_distribution = KeyDistribution::kRoundRobin, std::nullopt;
         }
         return "expected none, random or round-robin";
       }},
      {"key_count",
       [](Workload& w, const std::string& v) { return set_number(w.key_count, v, 1, 1 << 30); }},
      {"acks",
       [](Workload& w, const std::string& v) -> std::optional<std::string> {
         if (v == "0" || v == "1" || v == "all") return w.acks = v, std::nullopt;
         if (v == "-1") return w.acks = "all", std::nullopt;
         return "expected 0, 1, all or -1";
       }},
      {"linger_ms",
       [](Workload& w, const std::string& v) { return set_number(w.linger_ms, v, 0, 900000); }},
      {"batch_size_bytes",
       [](Workload& w, const std::string& v) {
         return set_number(w.batch_size_bytes, v, 1, 2147483647);
       }},
      {"compression",
       [](Workload& w, const std::string& v) -> std::optional<std::string> {
         for (const char* codec : {"none", "gzip", "snappy", "lz4", "zstd"}) {
           if (v == codec) return w.compression = v, std::nullopt;
         }
         return "expected none, gzip, snappy, lz4 or zstd";
       }},
      {"target_rate",
       [](Workload& w, const std::string& v) {
         return set_number<int64_t>(w.target_rate, v, 0, 100'000'000);
       }},
      {"duration_s",
       [](Workload& w, const std::string& v) { return set_number(w.duration_s, v, 0.1, 3600.0); }},
      {"record_count",
       [](Workload& w, const std::string& v) {
         return set_number<int64_t>(w.record_count, v, 0, int64_t{1} << 40);
       }},
      {"end_to_end",
       [](Workload& w, const std::string& v) -> std::optional<std::string> {
         if (parse_bool(v, w.end_to_end)) return std::nullopt;
         return "expected true or false";
       }},
  };
  return table;
}

}  // namespace

std::optional<std::string> apply_setting(Workload& workload, const std::string& key,
                                         const std::string& value) {
  static const std::string kPassThrough = "rdkafka.";
  if (key.rfind(kPassThrough, 0) == 0 && key.size() > kPassThrough.size()) {
    workload.rdkafka.emplace_back(key.substr(kPassThrough.size()), value);
    return std::nullopt;
  }
  const auto found = setters().find(key);
  if (found == setters().end()) return "unknown key '" + key + "'";
  if (auto error = found->second(workload, value)) return key + ": " + *error;
  return std::nullopt;
}

std::optional<std::string> load_workload(const std::string& path, Workload& workload) {
  std::ifstream file(path);
  if (!file) return "cannot open " + path;
  std::string line;
  constexpr int kMaxLines = 10000;  // a workload file is small; refuse anything else
  for (int number = 1; number <= kMaxLines && std::getline(file, line); ++number) {
    const std::string content = trim(line.substr(0, line.find('#')));
    if (content.empty()) continue;
    const auto equals = content.find('=');
    if (equals == std::string::npos) {
      return path + ":" + std::to_string(number) + ": expected key = value";
    }
    if (auto error = apply_setting(workload, trim(content.substr(0, equals)),
                                   trim(content.substr(equals + 1)))) {
      return path + ":" + std::to_string(number) + ": " + *error;
    }
  }
  return std::nullopt;
}

const char* to_string(Mode mode) {
  return mode == Mode::kProduce ? "produce" : "consume";
}

const char* to_string(KeyDistribution distribution) {
  switch (distribution) {
    case KeyDistribution::kNone:
      return "none";
    case KeyDistribution::kRandom:
      return "random";
    case KeyDistribution::kRoundRobin:
      return "round-robin";
  }
  return "?";
}

}  // namespace eddy::bench
