#include "loadgen/rdkafka_client.h"

#include <chrono>
#include <thread>

namespace eddy::bench {
namespace {

constexpr int kAdminTimeoutMs = 30000;
constexpr int kMetadataWaitMs = 30000;

// Polls metadata until `topic` reports `partitions` partitions without error.
bool topic_ready(rd_kafka_t* client, const Workload& workload) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kMetadataWaitMs);
  rd_kafka_topic_t* topic = rd_kafka_topic_new(client, workload.topic.c_str(), nullptr);
  bool ready = false;
  while (!ready && std::chrono::steady_clock::now() < deadline) {
    const rd_kafka_metadata_t* metadata = nullptr;
    if (rd_kafka_metadata(client, 0, topic, &metadata, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ready = metadata->topic_cnt == 1 && metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
              metadata->topics[0].partition_cnt == workload.partitions;
      rd_kafka_metadata_destroy(metadata);
    }
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  rd_kafka_topic_destroy(topic);
  return ready;
}

std::optional<std::string> send_create_topics(rd_kafka_t* client, const Workload& workload) {
  char error_text[512];
  rd_kafka_NewTopic_t* new_topic =
      rd_kafka_NewTopic_new(workload.topic.c_str(), workload.partitions,
                            workload.replication_factor, error_text, sizeof(error_text));
  if (new_topic == nullptr) return std::string("NewTopic: ") + error_text;
  rd_kafka_queue_t* queue = rd_kafka_queue_new(client);
  rd_kafka_CreateTopics(client, &new_topic, 1, nullptr, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, kAdminTimeoutMs);
  std::optional<std::string> error;
  if (event == nullptr) {
    error = "CreateTopics timed out";
  } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error = std::string("CreateTopics: ") + rd_kafka_event_error_string(event);
  } else {
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
    for (size_t i = 0; i < count; ++i) {
      const rd_kafka_resp_err_t code = rd_kafka_topic_result_error(results[i]);
      if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        error = std::string("CreateTopics: ") + rd_kafka_err2name(code);
      }
    }
  }
  if (event != nullptr) rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy(new_topic);
  return error;
}

}  // namespace

bool set_property(rd_kafka_conf_t* conf, const std::string& name, const std::string& value,
                  std::string& error) {
  char error_text[512];
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error_text, sizeof(error_text)) ==
      RD_KAFKA_CONF_OK) {
    return true;
  }
  error = name + "=" + value + ": " + error_text;
  return false;
}

ConfHandle make_conf(const std::string& bootstrap, const Workload& workload, std::string& error) {
  ConfHandle conf(rd_kafka_conf_new());
  if (!set_property(conf.get(), "bootstrap.servers", bootstrap, error)) return nullptr;
  if (!set_property(conf.get(), "client.id", "eddy-loadgen", error)) return nullptr;
  for (const auto& [name, value] : workload.rdkafka) {
    if (!set_property(conf.get(), name, value, error)) return nullptr;
  }
  return conf;
}

KafkaHandle make_client(rd_kafka_type_t type, ConfHandle conf, std::string& error) {
  char error_text[512];
  rd_kafka_t* client = rd_kafka_new(type, conf.get(), error_text, sizeof(error_text));
  if (client == nullptr) {
    error = std::string("rd_kafka_new: ") + error_text;
    return nullptr;
  }
  conf.release();  // owned by the client now
  return KafkaHandle(client);
}

std::optional<std::string> create_topic(const std::string& bootstrap, const Workload& workload) {
  std::string error;
  ConfHandle conf = make_conf(bootstrap, workload, error);
  if (!conf) return error;
  KafkaHandle client = make_client(RD_KAFKA_PRODUCER, std::move(conf), error);
  if (!client) return error;
  if (auto failure = send_create_topics(client.get(), workload)) return failure;
  if (!topic_ready(client.get(), workload)) {
    return "topic " + workload.topic + " did not show " + std::to_string(workload.partitions) +
           " partitions in metadata";
  }
  return std::nullopt;
}

}  // namespace eddy::bench
