#pragma once

// MetadataLog: the replicated metadata log on libraft (one voter in single-node mode),
// driven by a libuv loop on a dedicated thread. Every raft_* call happens on that thread;
// other threads hand work over with post() (a bounded queue plus uv_async_send).

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/thread_annotations.h"
#include "metadata/raft_c.h"

namespace eddy::metadata {

// What the log drives. All methods run on the raft thread.
class LogStateMachine {
 public:
  virtual ~LogStateMachine() = default;
  // A committed entry, in log order. `index` is its raft index.
  virtual void apply_entry(const uint8_t* data, size_t size_bytes, uint64_t index) = 0;
  // The whole committed state, for a raft snapshot.
  virtual std::vector<uint8_t> encode_snapshot() = 0;
  // Replaces the state with a snapshot. False when the bytes are not a valid snapshot.
  virtual bool restore_snapshot(const uint8_t* data, size_t size_bytes) = 0;
  // Called once per loop iteration (after I/O callbacks); lets the owner batch work.
  virtual void on_loop_iteration() = 0;
  // Called once, when this node leads and every entry of the log has been applied.
  virtual void on_ready() = 0;
};

struct MetadataLogOptions {
  std::string raft_dir;  // must exist
  uint64_t raft_id = 1;  // raft ids must be > 0
  uint32_t snapshot_interval_entries = 10000;
  uint32_t startup_timeout_ms = 10000;
};

class MetadataLog {
 public:
  // A task posted to the raft thread. `run` is false when the log shuts down first.
  using Task = std::function<void(bool run)>;
  // Completion of an append: 0 once committed and applied, else a RAFT_* error code.
  using AppendDone = std::function<void(int raft_status)>;

  static constexpr size_t kMaxQueuedTasks = 1024;
  static constexpr size_t kMaxInflightAppends = 256;

  // Starts the raft thread and blocks until this node leads with its log replayed, or
  // fails (returning null with `error` set) after startup_timeout_ms.
  static std::unique_ptr<MetadataLog> open(const MetadataLogOptions& options,
                                           LogStateMachine* machine, std::string& error);
  ~MetadataLog();
  MetadataLog(const MetadataLog&) = delete;
  MetadataLog& operator=(const MetadataLog&) = delete;

  // Any thread. Returns false (and drops the task) when the queue is full or the log is
  // shutting down.
  bool post(Task task) EXCLUDES(mutex_);
  // Any thread. True once shutdown has begun (post() then always fails).
  bool stopping() EXCLUDES(mutex_);
  // Raft thread only. Takes the entry bytes; `done` runs on the raft thread.
  void append(const std::vector<uint8_t>& entry, AppendDone done);
  bool on_raft_thread() const { return std::this_thread::get_id() == thread_.get_id(); }
  // Stops the loop and joins the thread; queued tasks run with run=false. Idempotent.
  void shutdown() EXCLUDES(mutex_);

 private:
  explicit MetadataLog(const MetadataLogOptions& options, LogStateMachine* machine);
  struct ApplyContext;

  void run_loop();
  int start_raft();
  void begin_close() EXCLUDES(mutex_);
  void drain_tasks() EXCLUDES(mutex_);
  void cancel_queued_tasks() EXCLUDES(mutex_);
  void finish_startup(std::string error);

  static void on_async(uv_async_t* handle);
  static void on_check(uv_check_t* handle);
  static void on_leader_poll(uv_timer_t* handle);
  static void on_barrier(struct raft_barrier* req, int status);
  static void on_applied(RaftApplyRequest* req, int status, void* result);
  static void on_raft_closed(struct raft* raft);
  static int fsm_apply(struct raft_fsm* fsm, const struct raft_buffer* buf, void** result);
  static int fsm_snapshot(struct raft_fsm* fsm, struct raft_buffer* bufs[], unsigned* n_bufs);
  static int fsm_snapshot_finalize(struct raft_fsm* fsm, struct raft_buffer* bufs[],
                                   unsigned* n_bufs);
  static int fsm_restore(struct raft_fsm* fsm, struct raft_buffer* buf);

  MetadataLogOptions options_;
  LogStateMachine* machine_;
  std::thread thread_;
  std::promise<std::string> startup_;  // empty string = ready
  bool startup_reported_ = false;

  // Raft-thread state.
  uv_loop_t loop_{};
  uv_async_t async_{};
  uv_check_t check_{};
  uv_timer_t leader_timer_{};
  uint64_t startup_deadline_ms_ = 0;
  struct raft_uv_transport transport_ {};
  struct raft_io io_ {};
  struct raft_fsm fsm_ {};
  struct raft raft_ {};
  struct raft_barrier barrier_ {};
  bool raft_initialized_ = false;
  bool closing_ = false;
  size_t inflight_appends_ = 0;

  // Shared with other threads.
  Mutex mutex_;
  std::deque<Task> tasks_ GUARDED_BY(mutex_);
  bool stop_requested_ GUARDED_BY(mutex_) = false;
  bool async_closed_ GUARDED_BY(mutex_) = false;
};

}  // namespace eddy::metadata
