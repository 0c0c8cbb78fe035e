#pragma once

// Thin RAII helpers over librdkafka's C API.

#include <memory>
#include <optional>
#include <string>

#include <librdkafka/rdkafka.h>

#include "loadgen/workload.h"

namespace eddy::bench {

struct KafkaDeleter {
  void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaDeleter>;

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using ConfHandle = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

// A configuration with bootstrap.servers and the workload's pass-through properties set;
// nullptr and `error` on a rejected property.
ConfHandle make_conf(const std::string& bootstrap, const Workload& workload, std::string& error);
// Sets one property; false and `error` when librdkafka rejects it.
bool set_property(rd_kafka_conf_t* conf, const std::string& name, const std::string& value,
                  std::string& error);
// Creates a client (taking the conf); nullptr and `error` on failure.
KafkaHandle make_client(rd_kafka_type_t type, ConfHandle conf, std::string& error);

// CreateTopics through the admin API (TOPIC_ALREADY_EXISTS counts as success), then waits until
// the topic's metadata shows all partitions. An error message on failure.
std::optional<std::string> create_topic(const std::string& bootstrap, const Workload& workload);

}  // namespace eddy::bench
