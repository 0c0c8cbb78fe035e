#pragma once

// Automatic topic creation (auto.create.topics.enable), shared by the Metadata and Produce
// handlers: unknown topics a client names are created with num.partitions and
// default.replication.factor and no config overrides.
//
// Unlike Kafka, which answers LEADER_NOT_AVAILABLE while the topic is being created and lets
// the client retry, Eddy waits until the creation is committed (milliseconds on one node), so
// the caller can answer with the topic ready.

#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "config/server_config.h"
#include "metadata/store.h"
#include "protocol/error_code.h"

namespace eddy::broker {

struct AutoCreateResult {
  std::string name;
  // kNone: the topic exists now (created here or concurrently). Otherwise why it does not:
  // UNKNOWN_TOPIC_OR_PARTITION (auto creation disabled, or an internal topic name),
  // INVALID_TOPIC_EXCEPTION, or the creation's own error (e.g. INVALID_REPLICATION_FACTOR).
  protocol::ErrorCode error = protocol::ErrorCode::kNone;
};

// Creates those of `names` that do not exist; one result per name, in order. At most
// kMaxAutoCreateTopics names are created per call; the rest get UNKNOWN_TOPIC_OR_PARTITION.
// Runs on the caller's event loop; never blocks it.
inline constexpr size_t kMaxAutoCreateTopics = 1000;
asio::awaitable<std::vector<AutoCreateResult>> auto_create_topics(
    const config::ServerConfig& config, metadata::MetadataStore& store,
    std::vector<std::string> names);

}  // namespace eddy::broker
