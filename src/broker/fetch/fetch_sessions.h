#pragma once

// Incremental fetch sessions (KIP-227). A consumer that fetches many partitions sends the
// full list once; the broker keeps it in a session, and later requests carry only what
// changed (new fetch offsets, partitions added or forgotten). Responses then carry only the
// partitions with news: records, an error, or a moved high watermark, last stable offset or
// log start offset.
//
// Request (session_id, session_epoch) -> meaning, as in Kafka:
//   (0, -1) full fetch without a session        (X, -1) close session X, full fetch
//   (0,  0) full fetch that opens a session     (X,  0) close X, open a new one
//   (X,  N>0) incremental fetch in session X; N must be the epoch X expects next.
//
// Threads: the cache is locked; a session is used by one request at a time (in_use), so its
// contents need no lock of their own and no lock is held while a fetch long-polls.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <unordered_map>

#include "common/thread_annotations.h"
#include "protocol/error_code.h"
#include "protocol/generated/fetch_request.h"
#include "protocol/generated/fetch_response.h"
#include "protocol/uuid.h"

namespace eddy::broker {

// A partition as a session names it: by topic id from Fetch v13 on, by name before.
struct SessionPartitionKey {
  std::string topic;
  protocol::Uuid topic_id;
  int32_t partition = 0;
  bool operator<(const SessionPartitionKey& other) const {
    return std::tie(topic_id.bytes, topic, partition) <
           std::tie(other.topic_id.bytes, other.topic, other.partition);
  }
};

struct SessionPartition {
  // From the client's latest request naming the partition.
  int64_t fetch_offset = 0;
  int32_t partition_max_bytes = 0;
  int32_t current_leader_epoch = -1;
  // Last values sent to the client; a change means the partition is in the next response.
  int64_t high_watermark = -1;
  int64_t last_stable_offset = -1;
  int64_t log_start_offset = -1;
};

struct FetchSession {
  int32_t id = 0;
  int32_t next_epoch = 1;
  bool in_use = false;  // guarded by the cache's mutex; one request at a time
  std::map<SessionPartitionKey, SessionPartition> partitions;
  std::chrono::steady_clock::time_point last_used;
};

class FetchSessionCache {
 public:
  // max.incremental.fetch.session.cache.slots (Kafka's default: 1000).
  explicit FetchSessionCache(size_t max_sessions = 1000) : max_sessions_(max_sessions) {}

  // A new, empty session, evicting the least recently used one when the cache is full.
  std::shared_ptr<FetchSession> create() EXCLUDES(mutex_);
  // The session `id` if it exists, expects `epoch` next and is not in use; otherwise the
  // Kafka error (FETCH_SESSION_ID_NOT_FOUND or INVALID_FETCH_SESSION_EPOCH) and null.
  // A session returned by create() or use() is in use until release().
  std::shared_ptr<FetchSession> use(int32_t id, int32_t epoch, protocol::ErrorCode& error)
      EXCLUDES(mutex_);
  void release(FetchSession& session) EXCLUDES(mutex_);
  void remove(int32_t id) EXCLUDES(mutex_);
  size_t size() const EXCLUDES(mutex_);

 private:
  mutable Mutex mutex_;
  const size_t max_sessions_;
  std::unordered_map<int32_t, std::shared_ptr<FetchSession>> sessions_ GUARDED_BY(mutex_);
  int32_t last_id_ GUARDED_BY(mutex_) = 0;
};

// One request's use of the session machinery.
struct SessionUse {
  std::shared_ptr<FetchSession> session;  // null: sessionless (or refused, see error)
  bool incremental = false;
  protocol::ErrorCode error = protocol::ErrorCode::kNone;
};

// Applies the request's session fields. For an incremental fetch it rewrites request.topics
// to the session's whole partition list, so the handler serves it like a full request.
SessionUse begin_session(FetchSessionCache& cache, protocol::FetchRequest& request);

// Records what the response tells the client, drops partitions without news from an
// incremental response, sets the response's session id and releases the session.
void end_session(FetchSessionCache& cache, SessionUse& use, protocol::FetchResponse& response);

}  // namespace eddy::broker
