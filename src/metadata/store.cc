#include "metadata/store.h"

#include <filesystem>

#include "common/assert.h"
#include "common/log.h"
#include "metadata/meta_properties.h"

namespace eddy::metadata {
namespace {

constexpr const char* kRaftDirName = "__cluster_metadata-0";

Status status_from_raft(int raft_status) {
  switch (raft_status) {
    case RAFT_NOTLEADER:
    case RAFT_LEADERSHIPLOST:
    case RAFT_SHUTDOWN:
      return Status::error(Error::kNotController,
                           std::string("metadata log: ") + raft_strerror(raft_status));
    default:
      return Status::error(Error::kInternal,
                           std::string("metadata log: ") + raft_strerror(raft_status));
  }
}

Status shutting_down() {
  return Status::error(Error::kNotController, "metadata store is shutting down");
}

Status queue_full() {
  return Status::error(Error::kTimedOut, "metadata operation queue is full");
}

// Items that had succeeded in planning inherit the append failure.
template <typename Item>
void fail_succeeded(std::vector<Item>& results, const Status& status) {
  for (Item& item : results) {
    if (item.status.ok()) item.status = status;
  }
}
void fail_succeeded(Status& result, const Status& status) {
  if (result.ok()) result = status;
}

}  // namespace

MetadataStore::MetadataStore(const MetadataOptions& options)
    : options_(options),
      defaults_{options.node_id, options.default_num_partitions,
                options.default_replication_factor} {
  committed_.set_identity(options.cluster_id, options.node_id);
  current_ = committed_.publish();
}

MetadataStore::~MetadataStore() {
  shutdown();
}

std::unique_ptr<MetadataStore> MetadataStore::open(const MetadataOptions& input,
                                                   std::string* error) {
  std::string ignored;
  std::string& message = error != nullptr ? *error : ignored;
  MetadataOptions options = input;
  if (options.node_id < 0 || options.snapshot_interval_entries <= 0 || options.log_dir.empty()) {
    message = "invalid metadata options";
    return nullptr;
  }
  if (options.cluster_id.empty()) {
    LogDirsResult dirs = format_or_check_log_dirs({options.log_dir}, options.node_id);
    if (!dirs.ok()) {
      message = dirs.error;
      return nullptr;
    }
    options.cluster_id = dirs.cluster_id;
  }
  std::filesystem::path raft_dir = std::filesystem::path(options.log_dir) / kRaftDirName;
  std::error_code ec;
  std::filesystem::create_directories(raft_dir, ec);
  if (ec) {
    message = "cannot create " + raft_dir.string() + ": " + ec.message();
    return nullptr;
  }
  std::unique_ptr<MetadataStore> store(new MetadataStore(options));
  MetadataLogOptions log_options;
  log_options.raft_dir = raft_dir.string();
  // Raft ids must be positive while Kafka node ids start at 0.
  log_options.raft_id = static_cast<uint64_t>(options.node_id) + 1;
  log_options.snapshot_interval_entries = static_cast<uint32_t>(options.snapshot_interval_entries);
  log_options.startup_timeout_ms = options.startup_timeout_ms;
  store->log_ = MetadataLog::open(log_options, store.get(), message);
  if (store->log_ == nullptr) return nullptr;
  return store;
}

std::shared_ptr<const MetadataImage> MetadataStore::current() const {
  MutexLock lock(image_mutex_);
  return current_;
}

void MetadataStore::set_listener(ImageListener listener) {
  MutexLock lock(listener_mutex_);
  listener_ = std::move(listener);
}

void MetadataStore::shutdown() {
  if (log_ != nullptr) log_->shutdown();
}

const MetadataImage& MetadataStore::latest_image() {
  if (speculative_stale_) {
    // Start from a published image: committed_ may still edit its unpublished topics in
    // place, and the two machines must never share a topic one of them edits.
    publish_if_dirty();
    speculative_ = MetadataStateMachine(*current());
    speculative_stale_ = false;
  }
  return speculative_.image();
}

template <typename Results>
void MetadataStore::submit(std::function<Results(const MetadataImage&, std::vector<Record>&)> plan,
                           std::function<Results(const Status&)> reject, bool validate_only,
                           std::function<void(Results)> done) {
  auto task = [this, plan, reject, validate_only, done](bool run) {
    if (!run) {
      done(reject(shutting_down()));
      return;
    }
    std::vector<Record> records;
    Results results = plan(latest_image(), records);
    if (validate_only || records.empty()) {
      done(std::move(results));
      return;
    }
    for (const Record& record : records) {
      Status applied = speculative_.apply(record);
      EDDY_ASSERT_MSG(applied.ok(), "planned record does not apply to the latest state");
    }
    log_->append(encode_batch(records),
                 [this, results = std::move(results), done](int raft_status) mutable {
                   if (raft_status != 0) {
                     // Entries after a failed one fail too; rebuild from the committed state.
                     speculative_stale_ = true;
                     fail_succeeded(results, status_from_raft(raft_status));
                   } else {
                     publish_if_dirty();
                   }
                   done(std::move(results));
                 });
  };
  if (log_ == nullptr || !log_->post(task)) {
    done(reject(log_ == nullptr || log_->stopping() ? shutting_down() : queue_full()));
  }
}

void MetadataStore::create_topics(std::vector<CreateTopicSpec> specs, bool validate_only,
                                  std::function<void(std::vector<TopicResult>)> done) {
  auto shared = std::make_shared<const std::vector<CreateTopicSpec>>(std::move(specs));
  submit<std::vector<TopicResult>>(
      [this, shared, validate_only](const MetadataImage& image, std::vector<Record>& records) {
        auto results = plan_create_topics(image, defaults_, *shared, records);
        // A dry run creates no topic, so it reports no id (Kafka's zero UUID).
        if (validate_only) {
          for (TopicResult& result : results) result.topic_id = Uuid{};
        }
        return results;
      },
      [shared](const Status& status) {
        std::vector<TopicResult> results;
        for (const CreateTopicSpec& spec : *shared) {
          results.push_back({spec.name, {}, spec.num_partitions, spec.replication_factor, status});
        }
        return results;
      },
      validate_only, std::move(done));
}

void MetadataStore::delete_topics(std::vector<TopicRef> topics,
                                  std::function<void(std::vector<DeleteTopicResult>)> done) {
  auto shared = std::make_shared<const std::vector<TopicRef>>(std::move(topics));
  submit<std::vector<DeleteTopicResult>>(
      [shared](const MetadataImage& image, std::vector<Record>& records) {
        return plan_delete_topics(image, *shared, records);
      },
      [shared](const Status& status) {
        std::vector<DeleteTopicResult> results;
        for (const TopicRef& ref : *shared) results.push_back({ref.name, ref.topic_id, status});
        return results;
      },
      false, std::move(done));
}

void MetadataStore::create_partitions(
    std::vector<CreatePartitionsSpec> specs, bool validate_only,
    std::function<void(std::vector<CreatePartitionsResult>)> done) {
  auto shared = std::make_shared<const std::vector<CreatePartitionsSpec>>(std::move(specs));
  submit<std::vector<CreatePartitionsResult>>(
      [this, shared](const MetadataImage& image, std::vector<Record>& records) {
        return plan_create_partitions(image, defaults_, *shared, records);
      },
      [shared](const Status& status) {
        std::vector<CreatePartitionsResult> results;
        for (const CreatePartitionsSpec& spec : *shared) results.push_back({spec.name, status});
        return results;
      },
      validate_only, std::move(done));
}

void MetadataStore::alter_configs(std::vector<AlterConfigsSpec> specs, bool validate_only,
                                  std::function<void(std::vector<AlterConfigsResult>)> done) {
  auto shared = std::make_shared<const std::vector<AlterConfigsSpec>>(std::move(specs));
  submit<std::vector<AlterConfigsResult>>(
      [shared](const MetadataImage& image, std::vector<Record>& records) {
        return plan_alter_configs(image, *shared, records);
      },
      [shared](const Status& status) {
        std::vector<AlterConfigsResult> results;
        for (const AlterConfigsSpec& spec : *shared) {
          results.push_back({spec.resource_type, spec.resource_name, status});
        }
        return results;
      },
      validate_only, std::move(done));
}

void MetadataStore::register_broker(RegisterBrokerRecord registration,
                                    std::function<void(Status)> done) {
  auto shared = std::make_shared<const RegisterBrokerRecord>(std::move(registration));
  submit<Status>(
      [shared](const MetadataImage&, std::vector<Record>& records) {
        return plan_register_broker(*shared, records);
      },
      [](const Status& status) { return status; }, false, std::move(done));
}

void MetadataStore::publish_if_dirty() {
  if (!dirty_) return;
  dirty_ = false;
  std::shared_ptr<const MetadataImage> next = committed_.publish();
  std::shared_ptr<const MetadataImage> previous;
  {
    MutexLock lock(image_mutex_);
    previous = std::exchange(current_, next);
  }
  ImageListener listener;
  {
    MutexLock lock(listener_mutex_);
    listener = listener_;
  }
  if (listener) listener(*previous, *next);
}

void MetadataStore::apply_entry(const uint8_t* data, size_t size_bytes, uint64_t index) {
  DecodeResult batch = decode_batch(data, size_bytes);
  if (!batch.ok()) {
    spdlog::error("metadata log: skipping undecodable entry {}: {}", index, batch.error);
  }
  for (const Record& record : batch.records) {
    Status status = committed_.apply(record);
    if (!status.ok()) {
      spdlog::warn("metadata log: entry {}: skipped record: {}", index,
                   status.message.value_or(""));
    }
  }
  committed_.set_last_applied_index(index);
  dirty_ = true;
}

std::vector<uint8_t> MetadataStore::encode_snapshot() {
  return metadata::encode_snapshot(committed_.image());
}

bool MetadataStore::restore_snapshot(const uint8_t* data, size_t size_bytes) {
  SnapshotDecodeResult snapshot = decode_snapshot(data, size_bytes);
  if (!snapshot.ok()) {
    spdlog::error("metadata log: cannot restore snapshot: {}", snapshot.error);
    return false;
  }
  committed_ = MetadataStateMachine(snapshot.image);
  committed_.set_identity(options_.cluster_id, options_.node_id);
  speculative_stale_ = true;
  dirty_ = true;
  return true;
}

void MetadataStore::on_ready() {
  publish_if_dirty();
  speculative_stale_ = true;
  spdlog::info("metadata: ready at index {} with {} topics", current()->last_applied_index,
               current()->topics_by_name.size());
}

}  // namespace eddy::metadata
