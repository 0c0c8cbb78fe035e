#include "metadata/metadata_log.h"

#include <cstring>

#include <fmt/format.h>

#include "common/assert.h"
#include "common/log.h"
#include "metadata/local_transport.h"

namespace eddy::metadata {
namespace {

constexpr uint64_t kLeaderPollMs = 5;
// The transport never dials anyone, so the address is only a label in raft's configuration.
constexpr const char* kLocalAddress = "local";

MetadataLog* log_of(struct raft_fsm* fsm) {
  return static_cast<MetadataLog*>(fsm->data);
}

// libraft requires every entry's length to be a multiple of 8 bytes (its segment writer
// pads nothing), so entries carry an envelope: u32 payload length (big-endian), u32 zero,
// payload, zero padding up to the next multiple of 8.
constexpr size_t kEnvelopeHeaderBytes = 8;

bool wrap_entry(const std::vector<uint8_t>& payload, struct raft_buffer& out) {
  if (payload.size() > UINT32_MAX) return false;
  size_t padded = (kEnvelopeHeaderBytes + payload.size() + 7) / 8 * 8;
  auto* bytes = static_cast<uint8_t*>(raft_malloc(padded));
  if (bytes == nullptr) return false;
  std::memset(bytes, 0, padded);
  auto size = static_cast<uint32_t>(payload.size());
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<uint8_t>(size >> (24 - 8 * i));
  if (!payload.empty()) std::memcpy(bytes + kEnvelopeHeaderBytes, payload.data(), payload.size());
  out.base = bytes;
  out.len = padded;
  return true;
}

bool unwrap_entry(const struct raft_buffer& buffer, const uint8_t*& payload, size_t& size) {
  if (buffer.len < kEnvelopeHeaderBytes || buffer.len % 8 != 0) return false;
  const auto* bytes = static_cast<const uint8_t*>(buffer.base);
  uint32_t length = 0;
  for (int i = 0; i < 4; ++i) length = (length << 8) | bytes[i];
  size_t padded = (kEnvelopeHeaderBytes + size_t{length} + 7) / 8 * 8;
  if (padded != buffer.len) return false;
  payload = bytes + kEnvelopeHeaderBytes;
  size = length;
  return true;
}

std::string raft_error(const char* what, int rv) {
  return fmt::format("{}: {} ({})", what, raft_strerror(rv), rv);
}

}  // namespace

struct MetadataLog::ApplyContext {
  RaftApplyRequest request{};
  MetadataLog* log = nullptr;
  AppendDone done;
};

MetadataLog::MetadataLog(const MetadataLogOptions& options, LogStateMachine* machine)
    : options_(options), machine_(machine) {}

MetadataLog::~MetadataLog() {
  shutdown();
}

std::unique_ptr<MetadataLog> MetadataLog::open(const MetadataLogOptions& options,
                                               LogStateMachine* machine, std::string& error) {
  EDDY_ASSERT(machine != nullptr && options.raft_id > 0);
  std::unique_ptr<MetadataLog> log(new MetadataLog(options, machine));
  std::future<std::string> started = log->startup_.get_future();
  log->thread_ = std::thread([raw = log.get()] { raw->run_loop(); });
  error = started.get();
  if (!error.empty()) {
    log->shutdown();
    return nullptr;
  }
  return log;
}

bool MetadataLog::post(Task task) {
  {
    MutexLock lock(mutex_);
    if (stop_requested_ || tasks_.size() >= kMaxQueuedTasks) return false;
    tasks_.push_back(std::move(task));
    // Sent under the lock so begin_close() cannot close the handle in between.
    uv_async_send(&async_);
  }
  return true;
}

bool MetadataLog::stopping() {
  MutexLock lock(mutex_);
  return stop_requested_;
}

void MetadataLog::shutdown() {
  EDDY_ASSERT_MSG(!on_raft_thread(), "shutdown() from the raft thread would join itself");
  {
    MutexLock lock(mutex_);
    if (!stop_requested_) {
      stop_requested_ = true;
      // After a failed startup the loop closed the handle itself.
      if (!async_closed_) uv_async_send(&async_);
    }
  }
  if (thread_.joinable()) thread_.join();
}

void MetadataLog::run_loop() {
  EDDY_ASSERT(uv_loop_init(&loop_) == 0);
  uv_async_init(&loop_, &async_, on_async);
  uv_check_init(&loop_, &check_);
  uv_timer_init(&loop_, &leader_timer_);
  async_.data = check_.data = leader_timer_.data = this;
  uv_check_start(&check_, on_check);

  int rv = start_raft();
  if (rv == 0) {
    startup_deadline_ms_ = uv_now(&loop_) + options_.startup_timeout_ms;
    uv_timer_start(&leader_timer_, on_leader_poll, 0, kLeaderPollMs);
  } else {
    std::string detail = raft_initialized_ ? raft_errmsg(&raft_) : io_.errmsg;
    finish_startup(raft_error("metadata log start failed", rv) + ": " + detail);
  }
  uv_run(&loop_, UV_RUN_DEFAULT);
  int close_rv = uv_loop_close(&loop_);
  if (close_rv != 0) spdlog::error("metadata log: uv_loop_close: {}", uv_strerror(close_rv));
}

int MetadataLog::start_raft() {
  init_local_transport(transport_);
  int rv = raft_uv_init(&io_, &loop_, options_.raft_dir.c_str(), &transport_);
  if (rv != 0) return rv;
  // libraft's auto-recovery renames a corrupt segment aside and starts without its
  // (committed) entries; refusing to start is better than silently losing metadata.
  raft_uv_set_auto_recovery(&io_, false);
  fsm_.version = 2;  // v2: we own (and free) snapshot buffers in snapshot_finalize
  fsm_.data = this;
  fsm_.apply = fsm_apply;
  fsm_.snapshot = fsm_snapshot;
  fsm_.snapshot_finalize = fsm_snapshot_finalize;
  fsm_.restore = fsm_restore;
  rv = raft_init(&raft_, &io_, &fsm_, options_.raft_id, kLocalAddress);
  if (rv != 0) {
    raft_uv_close(&io_);
    return rv;
  }
  raft_initialized_ = true;
  raft_.data = this;
  raft_set_snapshot_threshold(&raft_, options_.snapshot_interval_entries);
  // Keep a short tail after a snapshot: there are no followers to catch up yet.
  raft_set_snapshot_trailing(&raft_, std::min(options_.snapshot_interval_entries, 128u));

  struct raft_configuration configuration;
  raft_configuration_init(&configuration);
  rv = raft_configuration_add(&configuration, options_.raft_id, kLocalAddress, RAFT_VOTER);
  if (rv == 0) {
    // Only a pristine directory accepts a bootstrap; CANTBOOTSTRAP means "already done".
    rv = raft_bootstrap(&raft_, &configuration);
    if (rv == RAFT_CANTBOOTSTRAP) rv = 0;
  }
  raft_configuration_close(&configuration);
  if (rv != 0) return rv;
  return raft_start(&raft_);
}

void MetadataLog::finish_startup(std::string error) {
  if (startup_reported_) return;
  startup_reported_ = true;
  bool failed = !error.empty();
  if (failed) spdlog::error("metadata log: {}", error);
  startup_.set_value(std::move(error));
  if (failed) begin_close();
}

void MetadataLog::begin_close() {
  if (closing_) return;
  closing_ = true;
  {
    // From here on nobody may touch async_: post() and shutdown() check this flag.
    MutexLock lock(mutex_);
    stop_requested_ = true;
    async_closed_ = true;
  }
  uv_timer_stop(&leader_timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&check_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&leader_timer_), nullptr);
  cancel_queued_tasks();
  // raft_close fails the in-flight appends; uv_run returns once raft released its handles.
  if (raft_initialized_) raft_close(&raft_, on_raft_closed);
}

void MetadataLog::cancel_queued_tasks() {
  std::deque<Task> cancelled;
  {
    MutexLock lock(mutex_);
    cancelled.swap(tasks_);
  }
  for (Task& task : cancelled) task(false);
}

void MetadataLog::on_raft_closed(struct raft* raft) {
  auto* self = static_cast<MetadataLog*>(raft->data);
  raft_uv_close(&self->io_);
}

void MetadataLog::drain_tasks() {
  while (!closing_ && inflight_appends_ < kMaxInflightAppends) {
    Task task;
    {
      MutexLock lock(mutex_);
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task(true);
  }
}

void MetadataLog::append(const std::vector<uint8_t>& entry, AppendDone done) {
  EDDY_ASSERT(on_raft_thread());
  if (closing_) {
    done(RAFT_SHUTDOWN);
    return;
  }
  struct raft_buffer buffer;
  if (!wrap_entry(entry, buffer)) {
    done(RAFT_NOMEM);
    return;
  }
  auto* context = new ApplyContext{{}, this, std::move(done)};
  context->request.data = context;
  int rv = raft_apply(&raft_, &context->request, &buffer, 1, on_applied);
  if (rv != 0) {
    raft_free(buffer.base);
    AppendDone failed = std::move(context->done);
    delete context;
    failed(rv);
    return;
  }
  ++inflight_appends_;
}

void MetadataLog::on_applied(RaftApplyRequest* req, int status, void* /*result*/) {
  std::unique_ptr<ApplyContext> context(static_cast<ApplyContext*>(req->data));
  MetadataLog* self = context->log;
  EDDY_ASSERT(self->inflight_appends_ > 0);
  --self->inflight_appends_;
  context->done(status);
  self->drain_tasks();
}

void MetadataLog::on_async(uv_async_t* handle) {
  auto* self = static_cast<MetadataLog*>(handle->data);
  bool stop = false;
  {
    MutexLock lock(self->mutex_);
    stop = self->stop_requested_;
  }
  if (stop) {
    self->finish_startup("shut down during startup");
    self->begin_close();
    return;
  }
  self->drain_tasks();
}

void MetadataLog::on_check(uv_check_t* handle) {
  auto* self = static_cast<MetadataLog*>(handle->data);
  if (!self->closing_) self->machine_->on_loop_iteration();
}

void MetadataLog::on_leader_poll(uv_timer_t* handle) {
  auto* self = static_cast<MetadataLog*>(handle->data);
  if (self->closing_) return;
  if (raft_state(&self->raft_) == RAFT_LEADER) {
    uv_timer_stop(handle);
    // A barrier completes once every earlier entry is applied: the image is then current.
    self->barrier_.data = self;
    int rv = raft_barrier(&self->raft_, &self->barrier_, on_barrier);
    if (rv != 0) self->finish_startup(raft_error("metadata log barrier", rv));
    return;
  }
  if (uv_now(&self->loop_) >= self->startup_deadline_ms_) {
    self->finish_startup(fmt::format("no leader after {} ms", self->options_.startup_timeout_ms));
  }
}

void MetadataLog::on_barrier(struct raft_barrier* req, int status) {
  auto* self = static_cast<MetadataLog*>(req->data);
  if (status != 0) {
    self->finish_startup(raft_error("metadata log barrier", status));
    return;
  }
  self->machine_->on_ready();
  self->finish_startup("");
  self->drain_tasks();
}

int MetadataLog::fsm_apply(struct raft_fsm* fsm, const struct raft_buffer* buf, void** result) {
  MetadataLog* self = log_of(fsm);
  // libraft advances last_applied after the FSM returns, so this entry is the next one.
  uint64_t index = raft_last_applied(&self->raft_) + 1;
  const uint8_t* payload = nullptr;
  size_t payload_size = 0;
  if (unwrap_entry(*buf, payload, payload_size)) {
    self->machine_->apply_entry(payload, payload_size, index);
  } else {
    // An empty payload keeps the index moving; the machine rejects it as undecodable.
    spdlog::error("metadata log: entry {} has a bad envelope ({} bytes)", index, buf->len);
    self->machine_->apply_entry(nullptr, 0, index);
  }
  *result = nullptr;
  // Always 0: a malformed entry is skipped deterministically, and a non-zero return
  // would stall the log forever.
  return 0;
}

int MetadataLog::fsm_snapshot(struct raft_fsm* fsm, struct raft_buffer* bufs[], unsigned* n_bufs) {
  MetadataLog* self = log_of(fsm);
  std::vector<uint8_t> bytes = self->machine_->encode_snapshot();
  auto* buffers = static_cast<struct raft_buffer*>(raft_malloc(sizeof(struct raft_buffer)));
  if (buffers == nullptr) return RAFT_NOMEM;
  buffers[0].len = bytes.size();
  buffers[0].base = raft_malloc(bytes.size());
  if (buffers[0].base == nullptr) {
    raft_free(buffers);
    return RAFT_NOMEM;
  }
  std::memcpy(buffers[0].base, bytes.data(), bytes.size());
  *bufs = buffers;
  *n_bufs = 1;
  spdlog::info("metadata log: snapshot at index {} ({} bytes)", raft_last_applied(&self->raft_),
               bytes.size());
  return 0;
}

int MetadataLog::fsm_snapshot_finalize(struct raft_fsm*, struct raft_buffer* bufs[],
                                       unsigned* n_bufs) {
  if (*bufs != nullptr) {
    for (unsigned i = 0; i < *n_bufs; ++i) raft_free((*bufs)[i].base);
    raft_free(*bufs);
  }
  *bufs = nullptr;
  *n_bufs = 0;
  return 0;
}

int MetadataLog::fsm_restore(struct raft_fsm* fsm, struct raft_buffer* buf) {
  MetadataLog* self = log_of(fsm);
  if (!self->machine_->restore_snapshot(static_cast<const uint8_t*>(buf->base), buf->len)) {
    return RAFT_CORRUPT;
  }
  // On success the FSM owns the snapshot buffer.
  raft_free(buf->base);
  return 0;
}

}  // namespace eddy::metadata
