#pragma once

// MetadataStore: cluster metadata as a replicated state machine. Controller operations are
// validated and appended on the raft thread; readers on any thread take current().
//
// Threading: every callback passed to this class (operation completions, the listener)
// runs on the raft thread. Callers must hand results back to their own thread (e.g. with
// asio::post) and must not block in a callback. Only when an operation cannot even be
// queued (queue full or shutting down) does its callback run on the calling thread, before
// the call returns.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/thread_annotations.h"
#include "metadata/controller.h"
#include "metadata/image.h"
#include "metadata/metadata_log.h"
#include "metadata/state_machine.h"

namespace eddy::metadata {

struct MetadataOptions {
  std::string log_dir;     // metadata.log.dir; raft files go to <log_dir>/__cluster_metadata-0
  int32_t node_id = 0;     // node.id
  std::string cluster_id;  // empty: read or create meta.properties in log_dir
  int32_t snapshot_interval_entries = 10000;
  int32_t default_num_partitions = 1;      // num.partitions
  int16_t default_replication_factor = 1;  // default.replication.factor
  uint32_t startup_timeout_ms = 10000;
};

class MetadataStore final : private LogStateMachine {
 public:
  using ImageListener =
      std::function<void(const MetadataImage& old_image, const MetadataImage& new_image)>;

  // Starts the raft thread, replays snapshot + log and waits until this node leads.
  // Returns null (with `error` set when given) on failure.
  static std::unique_ptr<MetadataStore> open(const MetadataOptions& input,
                                             std::string* error = nullptr);
  ~MetadataStore() override;

  // Any thread; cheap (a mutex-protected shared_ptr copy). Never null.
  std::shared_ptr<const MetadataImage> current() const EXCLUDES(image_mutex_);

  void create_topics(std::vector<CreateTopicSpec> specs, bool validate_only,
                     std::function<void(std::vector<TopicResult>)> done);
  void delete_topics(std::vector<TopicRef> topics,
                     std::function<void(std::vector<DeleteTopicResult>)> done);
  void create_partitions(std::vector<CreatePartitionsSpec> specs, bool validate_only,
                         std::function<void(std::vector<CreatePartitionsResult>)> done);
  // Incremental: each change sets a key (value present) or deletes it (value absent).
  void alter_configs(std::vector<AlterConfigsSpec> specs, bool validate_only,
                     std::function<void(std::vector<AlterConfigsResult>)> done);
  void register_broker(RegisterBrokerRecord registration, std::function<void(Status)> done);

  // Called on the raft thread after each newly published image, with the previous one.
  // Images published before the listener was set are not replayed: read current() first.
  void set_listener(ImageListener listener) EXCLUDES(listener_mutex_);

  // Fails queued operations with NOT_CONTROLLER, stops the raft thread. Idempotent; not
  // from a callback.
  void shutdown();

 private:
  explicit MetadataStore(const MetadataOptions& options);

  template <typename Results>
  void submit(std::function<Results(const MetadataImage&, std::vector<Record>&)> plan,
              std::function<Results(const Status&)> reject, bool validate_only,
              std::function<void(Results)> done);
  const MetadataImage& latest_image();
  void publish_if_dirty() EXCLUDES(image_mutex_, listener_mutex_);

  // LogStateMachine (raft thread).
  void apply_entry(const uint8_t* data, size_t size_bytes, uint64_t index) override;
  std::vector<uint8_t> encode_snapshot() override;
  bool restore_snapshot(const uint8_t* data, size_t size_bytes) override;
  void on_loop_iteration() override { publish_if_dirty(); }
  void on_ready() override;

  MetadataOptions options_;
  ControllerDefaults defaults_;

  // Raft thread only.
  MetadataStateMachine committed_;    // state of applied (committed) entries
  MetadataStateMachine speculative_;  // committed + appended-but-uncommitted entries
  bool speculative_stale_ = true;
  bool dirty_ = false;  // committed_ changed since the last publish

  mutable Mutex image_mutex_;
  std::shared_ptr<const MetadataImage> current_ GUARDED_BY(image_mutex_);
  Mutex listener_mutex_;
  ImageListener listener_ GUARDED_BY(listener_mutex_);

  std::unique_ptr<MetadataLog> log_;
};

}  // namespace eddy::metadata
