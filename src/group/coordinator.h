#pragma once

// GroupCoordinator: the group coordinator service the broker's handlers use. An actor: one
// thread running an asio io_context owns the GroupManager, its timers and its writes to
// __consumer_offsets. Handlers hand it requests and get the answer through a callback that
// runs on the coordinator thread (post it back to your own loop, e.g. with await_callback).
// At most kMaxQueuedRequests wait in its queue; beyond that requests are refused with
// COORDINATOR_NOT_AVAILABLE, which clients retry.
//
// Start-up: start() loads every __consumer_offsets partition on the coordinator thread;
// until that is done group requests get COORDINATOR_LOAD_IN_PROGRESS. After stop() they get
// NOT_COORDINATOR, and so do JoinGroup/SyncGroup requests parked at that moment.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include "group/config.h"
#include "group/manager.h"
#include "group/offsets_log.h"
#include "metadata/store.h"
#include "protocol/generated/delete_groups_response.h"
#include "storage/log_manager.h"

namespace eddy::group {

struct FetchQuery {
  std::string group_id;
  std::optional<FetchTopics> topics;  // nullopt: all of the group's offsets
};

struct ListResult {
  ErrorCode error = ErrorCode::kNone;
  std::vector<protocol::ListGroupsResponse::ListedGroup> groups;
};

class GroupCoordinator {
 public:
  static constexpr size_t kMaxQueuedRequests = 10000;

  GroupCoordinator(const GroupConfig& config, storage::LogManager& logs,
                   metadata::MetadataStore& metadata);
  ~GroupCoordinator();
  GroupCoordinator(const GroupCoordinator&) = delete;
  GroupCoordinator& operator=(const GroupCoordinator&) = delete;

  // Starts the coordinator thread, which first loads __consumer_offsets.
  void start();
  // Answers parked requests with NOT_COORDINATOR and joins the thread. Idempotent.
  void stop();
  bool loaded() const { return state_.load() == State::kServing; }

  // Creates __consumer_offsets (offsets.topic.num.partitions, compacted) unless it exists.
  // `done` runs on the metadata thread, or at once on the caller's.
  void ensure_topic(std::function<void(ErrorCode)> done);
  // The __consumer_offsets partition that holds `group_id`.
  int32_t partition_for(const std::string& group_id) const;

  void join(protocol::JoinGroupRequest request, ClientInfo client, JoinCallback done);
  void sync(protocol::SyncGroupRequest request, SyncCallback done);
  void heartbeat(protocol::HeartbeatRequest request,
                 std::function<void(protocol::HeartbeatResponse)> done);
  void leave(protocol::LeaveGroupRequest request, int16_t version,
             std::function<void(protocol::LeaveGroupResponse)> done);
  void describe(
      std::vector<std::string> group_ids,
      std::function<void(std::vector<protocol::DescribeGroupsResponse::DescribedGroup>)> done);
  void list(std::vector<std::string> states_filter, std::vector<std::string> types_filter,
            std::function<void(ListResult)> done);
  void delete_groups(
      std::vector<std::string> group_ids,
      std::function<void(std::vector<protocol::DeleteGroupsResponse::DeletableGroupResult>)> done);
  void commit(protocol::OffsetCommitRequest request, int16_t version,
              std::function<void(protocol::OffsetCommitResponse)> done);
  void fetch(std::vector<FetchQuery> queries, std::function<void(std::vector<FetchedGroup>)> done);
  void delete_offsets(protocol::OffsetDeleteRequest request,
                      std::function<void(protocol::OffsetDeleteResponse)> done);

 private:
  enum class State { kIdle, kLoading, kServing, kStopped };

  // Why a request cannot be queued now, or kNone (and then it counts against the bound).
  ErrorCode admit(bool needs_topic);
  template <typename Work>
  void post(Work work) {
    asio::post(io_, [this, work = std::move(work)]() mutable {
      queued_.fetch_sub(1);
      work(*manager_, now_ms());
      arm_timer();
    });
  }
  void load_all();
  void arm_timer();
  static int64_t now_ms();

  const GroupConfig config_;
  storage::LogManager& logs_;
  metadata::MetadataStore& metadata_;
  int32_t partition_count_;
  LogSink sink_;
  std::unique_ptr<GroupManager> manager_;  // coordinator thread only
  std::atomic<State> state_{State::kIdle};
  std::atomic<size_t> queued_{0};
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_guard_;
  asio::steady_timer timer_;
  int64_t armed_deadline_ms_ = -1;  // coordinator thread only
  std::thread thread_;
};

}  // namespace eddy::group
