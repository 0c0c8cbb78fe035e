#pragma once

// A topic's configuration as typed values, and the one resolver that computes it: for each key
// of the table in topic_keys.h, the topic's override, else the broker's dynamic then static
// setting of its synonyms, else the table's default. The same resolution yields the value,
// source and synonym chain that DescribeConfigs reports, so what a client is told is what the
// broker applies.
//
// Resolved once per metadata image change (the partition sync on the raft thread) and carried
// by each partition's log; nothing on the request path looks a config up by name.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compression/compression.h"
#include "config/properties.h"
#include "config/topic_keys.h"

namespace eddy::config {

// The typed value of every topic config Eddy acts on (the table also holds configs that are
// accepted and reported only: tiered storage, replication throttles, compression levels,
// message.format.version). A default-constructed TopicConfig holds Kafka's defaults, read
// from the table: they are written nowhere else.
struct TopicConfig {
  TopicConfig();

  int64_t segment_bytes{};             // segment.bytes
  int64_t segment_ms{};                // segment.ms
  int64_t segment_jitter_ms{};         // segment.jitter.ms
  int64_t segment_index_bytes{};       // segment.index.bytes
  int32_t index_interval_bytes{};      // index.interval.bytes
  int64_t retention_ms{};              // retention.ms (< 0: unlimited)
  int64_t retention_bytes{};           // retention.bytes (< 0: unlimited)
  int64_t flush_messages{};            // flush.messages
  int64_t flush_ms{};                  // flush.ms
  int32_t max_message_bytes{};         // max.message.bytes
  bool preallocate{};                  // preallocate: reserve a new segment's blocks
  int64_t file_delete_delay_ms{};      // file.delete.delay.ms (reported; files go at once)
  bool compact{};                      // cleanup.policy contains "compact"
  bool delete_enabled{};               // cleanup.policy contains "delete"
  int64_t delete_retention_ms{};       // delete.retention.ms
  int64_t min_compaction_lag_ms{};     // min.compaction.lag.ms
  int64_t max_compaction_lag_ms{};     // max.compaction.lag.ms
  double min_cleanable_dirty_ratio{};  // min.cleanable.dirty.ratio
  bool log_append_time{};              // message.timestamp.type=LogAppendTime
  int64_t timestamp_before_max_ms{};   // message.timestamp.before.max.ms
  int64_t timestamp_after_max_ms{};    // message.timestamp.after.max.ms
  // compression.type; empty for "producer" (batches keep the producer's codec).
  std::optional<compression::Codec> recompress_to;
  bool downconversion_enable{};           // message.downconversion.enable
  int32_t min_insync_replicas{};          // min.insync.replicas
  bool unclean_leader_election_enable{};  // unclean.leader.election.enable

  bool operator==(const TopicConfig&) const = default;

 private:
  struct Unset {};
  explicit TopicConfig(Unset /*unused*/) {}
  friend const TopicConfig& table_defaults();
};

// The broker-level layers a topic config falls back to, highest priority first: dynamic
// configs of this node and of the cluster default (from the metadata log), then the keys the
// operator set in server.properties or --override.
struct BrokerConfigLayers {
  const std::map<std::string, std::string>* node_dynamic = nullptr;
  const std::map<std::string, std::string>* cluster_dynamic = nullptr;
  const Properties* static_given = nullptr;
};

struct ConfigSynonym {
  std::string name;
  std::optional<std::string> value;  // null: a synonym without a default
  ConfigSource source;
};

// One topic config resolved: the effective value, where it came from, and the whole chain
// (highest priority first; its first entry is the effective one).
struct ResolvedTopicEntry {
  std::string value;
  ConfigSource source = ConfigSource::kDefaultConfig;
  std::vector<ConfigSynonym> synonyms;
};

ResolvedTopicEntry resolve_topic_entry(const TopicConfigDef& def,
                                       const std::map<std::string, std::string>& overrides,
                                       const BrokerConfigLayers& broker);

// Every key of the table resolved into its TopicConfig field. A stored value that does not
// parse (only a value older versions let in) falls back to the next layer.
TopicConfig resolve_topic_config(const std::map<std::string, std::string>& overrides,
                                 const BrokerConfigLayers& broker);

}  // namespace eddy::config
