#include "loadgen/consumer.h"

#include <chrono>
#include <cstring>
#include <set>
#include <vector>

#include "loadgen/clock.h"

namespace eddy::bench {
namespace {

constexpr size_t kBatchMessages = 1000;
constexpr int kPollTimeoutMs = 100;

struct PartitionConsumer {
  KafkaHandle client;
  rd_kafka_topic_t* topic = nullptr;
  rd_kafka_queue_t* queue = nullptr;
};

// Creates the client and starts every partition at `start_offset` on one queue.
std::optional<std::string> start_partitions(const std::string& bootstrap, const Workload& workload,
                                            int64_t start_offset, PartitionConsumer& out) {
  std::string error;
  ConfHandle conf = make_conf(bootstrap, workload, error);
  if (!conf || !set_property(conf.get(), "enable.partition.eof", "true", error)) return error;
  out.client = make_client(RD_KAFKA_CONSUMER, std::move(conf), error);
  if (!out.client) return error;
  out.topic = rd_kafka_topic_new(out.client.get(), workload.topic.c_str(), nullptr);
  out.queue = rd_kafka_queue_new(out.client.get());
  for (int32_t partition = 0; partition < workload.partitions; ++partition) {
    if (rd_kafka_consume_start_queue(out.topic, partition, start_offset, out.queue) != 0) {
      return std::string("consume_start: ") + rd_kafka_err2str(rd_kafka_last_error());
    }
  }
  return std::nullopt;
}

void stop_partitions(PartitionConsumer& consumer, int32_t partitions) {
  if (consumer.topic == nullptr) return;
  for (int32_t partition = 0; partition < partitions; ++partition) {
    rd_kafka_consume_stop(consumer.topic, partition);
  }
  rd_kafka_queue_destroy(consumer.queue);
  rd_kafka_topic_destroy(consumer.topic);
  consumer.topic = nullptr;
}

int64_t embedded_timestamp_ns(const rd_kafka_message_t& message) {
  int64_t sent_ns = 0;
  if (message.len >= sizeof(sent_ns)) std::memcpy(&sent_ns, message.payload, sizeof(sent_ns));
  return sent_ns;
}

}  // namespace

RunResult run_consume(const std::string& bootstrap, const Workload& workload,
                      std::optional<pid_t> broker_pid) {
  RunResult result;
  PartitionConsumer consumer;
  if (broker_pid) result.broker_peak_reset = reset_peak_rss(*broker_pid);
  if (broker_pid) result.broker_before = sample_process(*broker_pid);
  const double cpu_before = own_cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration<double>(workload.duration_s);
  if (auto error = start_partitions(bootstrap, workload, RD_KAFKA_OFFSET_BEGINNING, consumer)) {
    result.error_message = *error;
    return result;
  }
  std::set<int32_t> at_end;
  std::vector<rd_kafka_message_t*> batch(kBatchMessages);
  const int64_t limit = workload.record_count > 0 ? workload.record_count : INT64_MAX;
  while (std::chrono::steady_clock::now() < deadline && result.records < limit &&
         static_cast<int32_t>(at_end.size()) < workload.partitions) {
    const ssize_t count =
        rd_kafka_consume_batch_queue(consumer.queue, kPollTimeoutMs, batch.data(), batch.size());
    for (ssize_t i = 0; i < count; ++i) {
      const rd_kafka_message_t& message = *batch[i];
      if (message.err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        at_end.insert(message.partition);
      } else if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++result.errors;
      } else {
        ++result.records;
        result.payload_bytes += static_cast<int64_t>(message.len + message.key_len);
      }
      rd_kafka_message_destroy(batch[i]);
    }
  }
  result.elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (broker_pid) result.broker_after = sample_process(*broker_pid);
  result.loadgen_cpu_s = own_cpu_seconds() - cpu_before;
  stop_partitions(consumer, workload.partitions);
  return result;
}

EndToEndReader::EndToEndReader(const std::string& bootstrap, const Workload& workload)
    : bootstrap_(bootstrap), workload_(workload) {}

EndToEndReader::~EndToEndReader() {
  finish(0, 0);
}

std::optional<std::string> EndToEndReader::start() {
  PartitionConsumer consumer;
  auto error = start_partitions(bootstrap_, workload_, RD_KAFKA_OFFSET_END, consumer);
  client_ = std::move(consumer.client);
  topic_ = consumer.topic;
  queue_ = consumer.queue;
  if (error) return error;
  thread_ = std::thread([this] { loop(); });
  return std::nullopt;
}

void EndToEndReader::finish(int64_t expected, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (records_.load() < expected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  PartitionConsumer consumer{std::move(client_), topic_, queue_};
  stop_partitions(consumer, workload_.partitions);
  topic_ = nullptr;
  queue_ = nullptr;
}

// One message at a time: rd_kafka_consume_batch_queue() waits until the whole batch is full
// (or its timeout passes), which would add up to kPollTimeoutMs to every latency measured.
void EndToEndReader::loop() {
  while (!stop_.load()) {
    rd_kafka_message_t* message = rd_kafka_consume_queue(queue_, kPollTimeoutMs);
    if (message == nullptr) continue;
    const int64_t now_ns = monotonic_ns();
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      latency_.record_us((now_ns - embedded_timestamp_ns(*message)) / 1000);
      records_.fetch_add(1);
    }
    rd_kafka_message_destroy(message);
  }
}

}  // namespace eddy::bench
