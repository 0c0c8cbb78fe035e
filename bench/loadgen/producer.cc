#include "loadgen/producer.h"

#include <chrono>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "loadgen/clock.h"
#include "loadgen/consumer.h"
#include "loadgen/rdkafka_client.h"

namespace eddy::bench {
namespace {

constexpr int kFlushTimeoutMs = 60000;
constexpr int kEndToEndDrainMs = 10000;
constexpr int64_t kMaxBurstRecords = 10000;  // records sent per pacing step at a fixed rate

// Filled by librdkafka's delivery callback, which runs inside rd_kafka_poll/flush on the
// producing thread, so no locking is needed.
struct DeliveryStats {
  LatencyHistogram latency;
  int64_t delivered = 0;
  int64_t payload_bytes = 0;
  int64_t errors = 0;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto& stats = *static_cast<DeliveryStats*>(opaque);
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++stats.errors;
    return;
  }
  ++stats.delivered;
  stats.payload_bytes += static_cast<int64_t>(message->len + message->key_len);
  const auto sent_ns = reinterpret_cast<intptr_t>(message->_private);
  stats.latency.record_us((monotonic_ns() - sent_ns) / 1000);
}

// Letters from a small alphabet: compressible about as much as typical text or JSON, unlike
// random bytes (nothing to gain) or zeros (unrealistically much).
std::vector<uint8_t> make_payload(int32_t size_bytes) {
  std::vector<uint8_t> payload(static_cast<size_t>(size_bytes));
  std::mt19937 random(42);
  std::uniform_int_distribution<int> letter(0, 15);
  for (auto& byte : payload) byte = static_cast<uint8_t>('a' + letter(random));
  return payload;
}

std::vector<std::string> make_keys(const Workload& workload) {
  std::vector<std::string> keys;
  if (workload.key_distribution == KeyDistribution::kNone) return keys;
  keys.reserve(static_cast<size_t>(workload.key_count));
  for (int32_t i = 0; i < workload.key_count; ++i) keys.push_back("key-" + std::to_string(i));
  return keys;
}

KafkaHandle make_producer(const std::string& bootstrap, const Workload& workload,
                          DeliveryStats& stats, std::string& error) {
  ConfHandle conf = make_conf(bootstrap, workload, error);
  if (!conf) return nullptr;
  const std::pair<const char*, std::string> settings[] = {
      {"acks", workload.acks},
      {"linger.ms", std::to_string(workload.linger_ms)},
      {"batch.size", std::to_string(workload.batch_size_bytes)},
      {"compression.type", workload.compression},
      {"queue.buffering.max.kbytes", "65536"},  // bounds the producer's memory
  };
  for (const auto& [name, value] : settings) {
    if (!set_property(conf.get(), name, value, error)) return nullptr;
  }
  // Pass-through properties win over the derived ones.
  for (const auto& [name, value] : workload.rdkafka) {
    if (!set_property(conf.get(), name, value, error)) return nullptr;
  }
  rd_kafka_conf_set_dr_msg_cb(conf.get(), on_delivery);
  rd_kafka_conf_set_opaque(conf.get(), &stats);
  return make_client(RD_KAFKA_PRODUCER, std::move(conf), error);
}

class RecordSender {
 public:
  RecordSender(rd_kafka_t* client, rd_kafka_topic_t* topic, const Workload& workload)
      : client_(client),
        topic_(topic),
        workload_(workload),
        payload_(make_payload(workload.record_size_bytes)),
        keys_(make_keys(workload)) {}

  // Sends one record stamped with `sent_ns`; waits (polling delivery reports) while the local
  // queue is full. False on a non-retriable error.
  bool send(int64_t sent_ns) {
    std::memcpy(payload_.data(), &sent_ns, sizeof(sent_ns));
    const std::string* key = next_key();
    for (;;) {
      const int status =
          rd_kafka_produce(topic_, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, payload_.data(),
                           payload_.size(), key ? key->data() : nullptr, key ? key->size() : 0,
                           reinterpret_cast<void*>(static_cast<intptr_t>(sent_ns)));
      if (status == 0) return true;
      if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) return false;
      rd_kafka_poll(client_, 1);
    }
  }

 private:
  const std::string* next_key() {
    if (keys_.empty()) return nullptr;
    if (workload_.key_distribution == KeyDistribution::kRoundRobin) {
      return &keys_[static_cast<size_t>(sequence_++ % static_cast<int64_t>(keys_.size()))];
    }
    return &keys_[static_cast<size_t>(random_() % keys_.size())];
  }

  rd_kafka_t* client_;
  rd_kafka_topic_t* topic_;
  const Workload& workload_;
  std::vector<uint8_t> payload_;
  std::vector<std::string> keys_;
  std::mt19937_64 random_{7};
  int64_t sequence_ = 0;
};

// The send loop: unthrottled, or paced so that record i is due at start + i / rate. With a
// rate the latency clock starts at the due time, not the actual send, so a stalled producer
// cannot hide the stall (coordinated omission).
int64_t send_all(rd_kafka_t* client, RecordSender& sender, const Workload& workload,
                 std::string& error) {
  const int64_t start_ns = monotonic_ns();
  const int64_t end_ns = start_ns + static_cast<int64_t>(workload.duration_s * 1e9);
  const int64_t limit = workload.record_count > 0 ? workload.record_count : INT64_MAX;
  int64_t sent = 0;
  const auto fail = [&error](int64_t count) {
    error = std::string("produce: ") + rd_kafka_err2str(rd_kafka_last_error());
    return count;
  };
  while (sent < limit) {
    const int64_t now_ns = monotonic_ns();
    if (now_ns >= end_ns) break;
    if (workload.target_rate == 0) {
      if (!sender.send(now_ns)) return fail(sent);
      ++sent;
      if ((sent & 1023) == 0) rd_kafka_poll(client, 0);
      continue;
    }
    const double per_record_ns = 1e9 / static_cast<double>(workload.target_rate);
    const auto due = std::min<int64_t>(
        limit, static_cast<int64_t>(static_cast<double>(now_ns - start_ns) / per_record_ns) + 1);
    for (int64_t burst = 0; sent < due && burst < kMaxBurstRecords; ++burst, ++sent) {
      if (!sender.send(start_ns +
                       static_cast<int64_t>(static_cast<double>(sent) * per_record_ns))) {
        return fail(sent);
      }
    }
    rd_kafka_poll(client, 0);
    const auto next_ns = start_ns + static_cast<int64_t>(static_cast<double>(sent) * per_record_ns);
    if (next_ns > monotonic_ns()) {
      std::this_thread::sleep_for(std::chrono::nanoseconds(next_ns - monotonic_ns()));
    }
  }
  return sent;
}

}  // namespace

RunResult run_produce(const std::string& bootstrap, const Workload& workload,
                      std::optional<pid_t> broker_pid) {
  RunResult result;
  DeliveryStats stats;
  KafkaHandle client = make_producer(bootstrap, workload, stats, result.error_message);
  if (!client) return result;
  rd_kafka_topic_t* topic = rd_kafka_topic_new(client.get(), workload.topic.c_str(), nullptr);
  std::optional<EndToEndReader> reader;
  if (workload.end_to_end) {
    reader.emplace(bootstrap, workload);
    if (auto error = reader->start()) {
      result.error_message = "end-to-end reader: " + *error;
      rd_kafka_topic_destroy(topic);
      return result;
    }
  }
  RecordSender sender(client.get(), topic, workload);
  if (broker_pid) result.broker_peak_reset = reset_peak_rss(*broker_pid);
  if (broker_pid) result.broker_before = sample_process(*broker_pid);
  const double cpu_before = own_cpu_seconds();
  const int64_t start_ns = monotonic_ns();

  const int64_t sent = send_all(client.get(), sender, workload, result.error_message);
  const int flush_error = rd_kafka_flush(client.get(), kFlushTimeoutMs);

  result.elapsed_s = static_cast<double>(monotonic_ns() - start_ns) / 1e9;
  if (broker_pid) result.broker_after = sample_process(*broker_pid);
  result.loadgen_cpu_s = own_cpu_seconds() - cpu_before;
  if (flush_error != RD_KAFKA_RESP_ERR_NO_ERROR && result.error_message.empty()) {
    result.error_message = std::to_string(rd_kafka_outq_len(client.get())) +
                           " records still undelivered after the flush timeout";
  }
  if (reader) {
    reader->finish(stats.delivered, kEndToEndDrainMs);
    result.end_to_end_latency = reader->latency();
  }
  result.records = stats.delivered;
  result.payload_bytes = stats.payload_bytes;
  result.errors = sent - stats.delivered;  // failed reports plus any never reported
  result.produce_latency = stats.latency;
  rd_kafka_topic_destroy(topic);
  return result;
}

}  // namespace eddy::bench
