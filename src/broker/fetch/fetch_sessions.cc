#include "broker/fetch/fetch_sessions.h"

#include "common/assert.h"

namespace eddy::broker {

std::shared_ptr<FetchSession> FetchSessionCache::create() {
  MutexLock lock(mutex_);
  if (max_sessions_ == 0) return nullptr;
  if (sessions_.size() >= max_sessions_) {
    // Evict the least recently used session that no request is using; if every session is
    // busy, decline (the client then fetches without a session).
    auto oldest = sessions_.end();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second->in_use) continue;
      if (oldest == sessions_.end() || it->second->last_used < oldest->second->last_used) {
        oldest = it;
      }
    }
    if (oldest == sessions_.end()) return nullptr;
    sessions_.erase(oldest);
  }
  // Ids are positive and not reused while a session holds them.
  do {
    last_id_ = last_id_ == INT32_MAX ? 1 : last_id_ + 1;
  } while (sessions_.contains(last_id_));
  auto session = std::make_shared<FetchSession>();
  session->id = last_id_;
  session->last_used = std::chrono::steady_clock::now();
  session->in_use = true;
  sessions_[session->id] = session;
  EDDY_ASSERT(sessions_.size() <= max_sessions_);
  return session;
}

std::shared_ptr<FetchSession> FetchSessionCache::use(int32_t id, int32_t epoch,
                                                     protocol::ErrorCode& error) {
  MutexLock lock(mutex_);
  const auto found = sessions_.find(id);
  if (found == sessions_.end()) {
    error = protocol::ErrorCode::kFetchSessionIdNotFound;
    return nullptr;
  }
  FetchSession& session = *found->second;
  if (epoch != session.next_epoch || session.in_use) {
    error = protocol::ErrorCode::kInvalidFetchSessionEpoch;
    return nullptr;
  }
  session.next_epoch = epoch == INT32_MAX ? 1 : epoch + 1;
  session.last_used = std::chrono::steady_clock::now();
  session.in_use = true;
  error = protocol::ErrorCode::kNone;
  return found->second;
}

void FetchSessionCache::release(FetchSession& session) {
  MutexLock lock(mutex_);
  session.in_use = false;
}

void FetchSessionCache::remove(int32_t id) {
  MutexLock lock(mutex_);
  sessions_.erase(id);
}

size_t FetchSessionCache::size() const {
  MutexLock lock(mutex_);
  return sessions_.size();
}

}  // namespace eddy::broker

namespace eddy::broker {
namespace {

using protocol::FetchRequest;
using protocol::FetchResponse;

void add_partitions(const FetchRequest& request, FetchSession& session) {
  for (const auto& topic : request.topics) {
    for (const auto& partition : topic.partitions) {
      SessionPartition& cached =
          session.partitions[{topic.topic, topic.topic_id, partition.partition}];
      cached.fetch_offset = partition.fetch_offset;
      cached.partition_max_bytes = partition.partition_max_bytes;
      cached.current_leader_epoch = partition.current_leader_epoch;
    }
  }
}

void forget_partitions(const FetchRequest& request, FetchSession& session) {
  for (const auto& topic : request.forgotten_topics_data) {
    for (const int32_t partition : topic.partitions) {
      session.partitions.erase({topic.topic, topic.topic_id, partition});
    }
  }
}

// The session's whole partition list, as the request the handler then serves.
std::vector<FetchRequest::FetchTopic> session_topics(const FetchSession& session) {
  std::vector<FetchRequest::FetchTopic> topics;
  for (const auto& [key, cached] : session.partitions) {
    if (topics.empty() || topics.back().topic != key.topic ||
        topics.back().topic_id != key.topic_id) {
      topics.emplace_back();
      topics.back().topic = key.topic;
      topics.back().topic_id = key.topic_id;
    }
    FetchRequest::FetchPartition partition;
    partition.partition = key.partition;
    partition.fetch_offset = cached.fetch_offset;
    partition.partition_max_bytes = cached.partition_max_bytes;
    partition.current_leader_epoch = cached.current_leader_epoch;
    topics.back().partitions.push_back(partition);
  }
  return topics;
}

// Records what the client now knows; true if the partition has news for it.
bool note_sent(SessionPartition& cached, const FetchResponse::PartitionData& data) {
  const bool news = data.error_code != 0 || data.records.size_bytes > 0 ||
                    data.high_watermark != cached.high_watermark ||
                    data.last_stable_offset != cached.last_stable_offset ||
                    data.log_start_offset != cached.log_start_offset;
  cached.high_watermark = data.high_watermark;
  cached.last_stable_offset = data.last_stable_offset;
  cached.log_start_offset = data.log_start_offset;
  return news;
}

}  // namespace

SessionUse begin_session(FetchSessionCache& cache, FetchRequest& request) {
  SessionUse use;
  const bool closes_or_restarts = request.session_epoch <= 0;
  if (closes_or_restarts) {
    if (request.session_id != 0) cache.remove(request.session_id);
    if (request.session_epoch == 0) use.session = cache.create();
    if (use.session != nullptr) add_partitions(request, *use.session);
    return use;
  }
  use.session = cache.use(request.session_id, request.session_epoch, use.error);
  if (use.session == nullptr) return use;
  use.incremental = true;
  add_partitions(request, *use.session);
  forget_partitions(request, *use.session);
  request.topics = session_topics(*use.session);
  return use;
}

void end_session(FetchSessionCache& cache, SessionUse& use, FetchResponse& response) {
  if (use.session == nullptr) return;
  FetchSession& session = *use.session;
  for (auto& topic : response.responses) {
    auto& partitions = topic.partitions;
    std::erase_if(partitions, [&](const FetchResponse::PartitionData& data) {
      auto cached = session.partitions.find({topic.topic, topic.topic_id, data.partition_index});
      const bool news = cached == session.partitions.end() || note_sent(cached->second, data);
      return use.incremental && !news;
    });
  }
  std::erase_if(response.responses, [](const auto& topic) { return topic.partitions.empty(); });
  response.session_id = session.id;
  cache.release(session);
}

}  // namespace eddy::broker
