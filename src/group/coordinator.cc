#include "group/coordinator.h"

#include <charconv>
#include <chrono>

#include "common/clock.h"
#include "common/log.h"

namespace eddy::group {
namespace {

template <typename Response>
Response with_error(ErrorCode error) {
  Response response;
  response.error_code = protocol::to_int(error);
  return response;
}

int32_t existing_partition_count(const metadata::MetadataStore& metadata, int32_t fallback) {
  const auto image = metadata.current();
  const metadata::TopicImage* topic = image->topic(kOffsetsTopic);
  if (topic == nullptr || topic->partitions.empty()) return fallback;
  return static_cast<int32_t>(topic->partitions.size());
}

int32_t leader_epoch(const metadata::MetadataStore& metadata, int32_t partition) {
  const auto image = metadata.current();
  const metadata::TopicImage* topic = image->topic(kOffsetsTopic);
  if (topic == nullptr || partition >= static_cast<int32_t>(topic->partitions.size())) return -1;
  return topic->partitions[partition].leader_epoch;
}

// __consumer_offsets' max.message.bytes: its override, else the broker's message.max.bytes.
int32_t max_message_bytes(const metadata::MetadataStore& metadata, int32_t default_bytes) {
  const auto image = metadata.current();
  const metadata::TopicImage* topic = image->topic(kOffsetsTopic);
  if (topic == nullptr) return default_bytes;
  const auto found = topic->configs.find("max.message.bytes");
  if (found == topic->configs.end()) return default_bytes;
  int32_t bytes = 0;
  const std::string& text = found->second;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), bytes);
  return ec == std::errc() && end == text.data() + text.size() ? bytes : default_bytes;
}

}  // namespace

GroupCoordinator::GroupCoordinator(const GroupConfig& config, storage::LogManager& logs,
                                   metadata::MetadataStore& metadata)
    : config_(config),
      logs_(logs),
      metadata_(metadata),
      partition_count_(existing_partition_count(metadata, config.offsets_topic_num_partitions)),
      sink_(
          logs, [&metadata](int32_t partition) { return leader_epoch(metadata, partition); },
          [&metadata, default_bytes = config.message_max_bytes](int32_t) {
            return max_message_bytes(metadata, default_bytes);
          }),
      manager_(std::make_unique<GroupManager>(config_, sink_, partition_count_)),
      work_guard_(io_.get_executor()),
      timer_(io_) {}

GroupCoordinator::~GroupCoordinator() {
  stop();
}

int64_t GroupCoordinator::now_ms() {
  return wall_clock_ms();
}

void GroupCoordinator::start() {
  State idle = State::kIdle;
  if (!state_.compare_exchange_strong(idle, State::kLoading)) return;
  asio::post(io_, [this] { load_all(); });
  thread_ = std::thread([this] { io_.run(); });
}

void GroupCoordinator::stop() {
  const State previous = state_.exchange(State::kStopped);
  if (previous == State::kStopped) return;
  if (thread_.joinable()) {
    asio::post(io_, [this] {
      manager_->fail_parked(ErrorCode::kNotCoordinator);
      timer_.cancel();
      work_guard_.reset();
    });
    thread_.join();
  }
}

void GroupCoordinator::load_all() {
  const auto started = std::chrono::steady_clock::now();
  LoadStats stats;
  for (int32_t partition = 0; partition < partition_count_; ++partition) {
    const auto log = logs_.get(kOffsetsTopic, partition);
    if (log != nullptr && !load_partition(*log, *manager_, stats)) {
      spdlog::error("{}-{}: load stopped early; later records are ignored", kOffsetsTopic,
                    partition);
    }
  }
  const int64_t now = now_ms();
  manager_->finish_loading(now);
  manager_->start_expiry(now);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  spdlog::info("{}: loaded {} records in {} batches ({} unreadable) in {} ms", kOffsetsTopic,
               stats.records, stats.batches, stats.unreadable_records, elapsed.count());
  State loading = State::kLoading;
  state_.compare_exchange_strong(loading, State::kServing);
  arm_timer();
}

// One asio timer for the whole coordinator, armed at the manager's earliest deadline.
void GroupCoordinator::arm_timer() {
  const std::optional<int64_t> next = manager_->next_deadline();
  if (!next || state_.load() == State::kStopped) return;
  if (armed_deadline_ms_ >= 0 && armed_deadline_ms_ <= *next) return;
  armed_deadline_ms_ = *next;
  timer_.expires_after(std::chrono::milliseconds(std::max<int64_t>(*next - now_ms(), 0)));
  timer_.async_wait([this](const std::error_code& error) {
    if (error) return;  // re-armed earlier or stopped; the newer wait runs the timers
    armed_deadline_ms_ = -1;
    manager_->run_timers(now_ms());
    arm_timer();
  });
}

ErrorCode GroupCoordinator::admit(bool needs_topic) {
  switch (state_.load()) {
    case State::kIdle:
    case State::kLoading:
      return ErrorCode::kCoordinatorLoadInProgress;
    case State::kStopped:
      return ErrorCode::kNotCoordinator;
    case State::kServing:
      break;
  }
  if (needs_topic && metadata_.current()->topic(kOffsetsTopic) == nullptr) {
    // Created on first use, as Kafka does; the client retries meanwhile.
    ensure_topic([](ErrorCode) {});
    return ErrorCode::kCoordinatorNotAvailable;
  }
  if (queued_.fetch_add(1) >= kMaxQueuedRequests) {
    queued_.fetch_sub(1);
    return ErrorCode::kCoordinatorNotAvailable;
  }
  return ErrorCode::kNone;
}

void GroupCoordinator::ensure_topic(std::function<void(ErrorCode)> done) {
  if (metadata_.current()->topic(kOffsetsTopic) != nullptr) return done(ErrorCode::kNone);
  metadata::CreateTopicSpec spec;
  spec.name = kOffsetsTopic;
  spec.num_partitions = partition_count_;
  spec.replication_factor = config_.offsets_topic_replication_factor;
  spec.configs = {{"cleanup.policy", "compact"},
                  {"compression.type", "producer"},
                  {"segment.bytes", std::to_string(config_.offsets_topic_segment_bytes)}};
  metadata_.create_topics(
      {spec}, false, [done = std::move(done)](std::vector<metadata::TopicResult> results) {
        const bool created =
            !results.empty() &&
            (results[0].status.ok() || results[0].status.code == metadata::Error::kTopicExists);
        if (created) {
          spdlog::info("created {}", kOffsetsTopic);
        } else if (!results.empty()) {
          spdlog::warn("cannot create {}: {}", kOffsetsTopic,
                       results[0].status.message.value_or(""));
        }
        done(created ? ErrorCode::kNone : ErrorCode::kCoordinatorNotAvailable);
      });
}

int32_t GroupCoordinator::partition_for(const std::string& group_id) const {
  return partition_for_group(group_id, partition_count_);
}

void GroupCoordinator::join(protocol::JoinGroupRequest request, ClientInfo client,
                            JoinCallback done) {
  if (const ErrorCode error = admit(true); error != ErrorCode::kNone) {
    auto response = with_error<protocol::JoinGroupResponse>(error);
    response.member_id = request.member_id;
    return done(std::move(response));
  }
  post([request = std::move(request), client = std::move(client), done = std::move(done)](
           GroupManager& manager, int64_t now) mutable {
    manager.join(std::move(request), client, std::move(done), now);
  });
}

void GroupCoordinator::sync(protocol::SyncGroupRequest request, SyncCallback done) {
  if (const ErrorCode error = admit(false); error != ErrorCode::kNone) {
    return done(with_error<protocol::SyncGroupResponse>(error));
  }
  post([request = std::move(request), done = std::move(done)](GroupManager& manager,
                                                              int64_t now) mutable {
    manager.sync(std::move(request), std::move(done), now);
  });
}

void GroupCoordinator::heartbeat(protocol::HeartbeatRequest request,
                                 std::function<void(protocol::HeartbeatResponse)> done) {
  if (const ErrorCode error = admit(false); error != ErrorCode::kNone) {
    return done(with_error<protocol::HeartbeatResponse>(error));
  }
  post([request = std::move(request), done = std::move(done)](GroupManager& manager, int64_t now) {
    done(manager.heartbeat(request, now));
  });
}

void GroupCoordinator::leave(protocol::LeaveGroupRequest request, int16_t version,
                             std::function<void(protocol::LeaveGroupResponse)> done) {
  if (const ErrorCode error = admit(false); error != ErrorCode::kNone) {
    return done(with_error<protocol::LeaveGroupResponse>(error));
  }
  post([request = std::move(request), version, done = std::move(done)](
           GroupManager& manager, int64_t now) { done(manager.leave(request, version, now)); });
}

void GroupCoordinator::describe(
    std::vector<std::string> group_ids,
    std::function<void(std::vector<protocol::DescribeGroupsResponse::DescribedGroup>)> done) {
  if (const ErrorCode error = admit(false); error != ErrorCode::kNone) {
    std::vector<protocol::DescribeGroupsResponse::DescribedGroup> out(group_ids.size());
    for (size_t i = 0; i < group_ids.size(); ++i) {
      out[i].group_id = group_ids[i];
      out[i].error_code = protocol::to_int(error);
    }
    return done(std::move(out));
  }
  post([group_ids = std::move(group_ids), done = std::move(done)](GroupManager& manager, int64_t) {
    std::vector<protocol::DescribeGroupsResponse::DescribedGroup> out;
    for (const std::string& id : group_ids) out.push_back(manager.describe(id));
    done(std::move(out));
  });
}

void GroupCoordinator::list(std::vector<std::string> states_filter,
                            std::vector<std::string> types_filter,
                            std::function<void(ListResult)> done) {
  if (const ErrorCode error = admit(false); error != ErrorCode::kNone) {
    return done(ListResult{error, {}});
  }
  post([states = std::move(states_filter), types = std::move(types_filter), done = std::move(done)](
           GroupManager& manager, int64_t) {
    done(ListResult{ErrorCode::kNone, manager.list(states, types)});
  });
}

void GroupCoordinator::delete_groups(
    std::vector<std::string> group_ids,
    std::function<void(std::vector<protocol::DeleteGroupsResponse::DeletableGroupResult>)> done) {
  using Result = protocol::DeleteGroupsResponse::DeletableGroupResult;
  const ErrorCode refused = admit(false);
  const auto answer = [](std::vector<std::string>& ids, auto&& error_for) {
    std::vector<Result> out(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      out[i].group_id = ids[i];
      out[i].error_code = protocol::to_int(error_for(ids[i]));
    }
    return out;
  };
  if (refused != ErrorCode::kNone) {
    return done(answer(group_ids, [refused](const std::string&) { return refused; }));
  }
  post([group_ids = std::move(group_ids), done = std::move(done), answer](GroupManager& manager,
                                                                          int64_t now) mutable {
    done(answer(group_ids, [&](const std::string& id) { return manager.delete_group(id, now); }));
  });
}

void GroupCoordinator::commit(protocol::OffsetCommitRequest request, int16_t version,
                              std::function<void(protocol::OffsetCommitResponse)> done) {
  if (const ErrorCode error = admit(true); error != ErrorCode::kNone) {
    protocol::OffsetCommitResponse response;
    for (const auto& topic : request.topics) {
      response.topics.push_back({topic.name, {}, {}});
      for (const auto& partition : topic.partitions) {
        response.topics.back().partitions.push_back(
            {partition.partition_index, protocol::to_int(error), {}});
      }
    }
    return done(std::move(response));
  }
  post([request = std::move(request), version, done = std::move(done)](
           GroupManager& manager, int64_t now) { done(manager.commit(request, version, now)); });
}

void GroupCoordinator::fetch(std::vector<FetchQuery> queries,
                             std::function<void(std::vector<FetchedGroup>)> done) {
  if (const ErrorCode error = admit(false); error != ErrorCode::kNone) {
    std::vector<FetchedGroup> out(queries.size());
    for (size_t i = 0; i < queries.size(); ++i) {
      out[i].group_id = queries[i].group_id;
      out[i].error_code = protocol::to_int(error);
    }
    return done(std::move(out));
  }
  post([queries = std::move(queries), done = std::move(done)](GroupManager& manager, int64_t) {
    std::vector<FetchedGroup> out;
    for (const FetchQuery& query : queries)
      out.push_back(manager.fetch(query.group_id, query.topics));
    done(std::move(out));
  });
}

void GroupCoordinator::delete_offsets(protocol::OffsetDeleteRequest request,
                                      std::function<void(protocol::OffsetDeleteResponse)> done) {
  if (const ErrorCode error = admit(false); error != ErrorCode::kNone) {
    return done(with_error<protocol::OffsetDeleteResponse>(error));
  }
  post([request = std::move(request), done = std::move(done)](GroupManager& manager, int64_t now) {
    done(manager.delete_offsets(request, now));
  });
}

}  // namespace eddy::group
