#include "net/connection.h"

#include <algorithm>
#include <array>
#include <cstring>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include "common/assert.h"
#include "common/log.h"
#include "net/send.h"

namespace eddy::net {

Connection::Connection(asio::ip::tcp::socket socket, ConnectionInfo info, ConnectionLimits limits,
                       RequestHandler& handler)
    : socket_(std::move(socket)),
      info_(std::move(info)),
      limits_(limits),
      handler_(handler),
      response_ready_(socket_.get_executor()),
      room_available_(socket_.get_executor()),
      idle_timer_(socket_.get_executor()),
      last_activity_(std::chrono::steady_clock::now()) {
  EDDY_ASSERT(limits_.max_request_bytes > 0 && limits_.max_inflight_requests > 0 &&
              limits_.max_inflight_bytes > 0 && limits_.idle_timeout.count() > 0);
}

void Connection::start() {
  std::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  socket_.native_non_blocking(true, ignored);
  // The reader's read_some must return would_block instead of waiting (see receive()).
  socket_.non_blocking(true, ignored);
  auto self = shared_from_this();
  asio::co_spawn(
      socket_.get_executor(), [self] { return self->read_loop(); }, asio::detached);
  asio::co_spawn(
      socket_.get_executor(), [self] { return self->write_loop(); }, asio::detached);
  asio::co_spawn(
      socket_.get_executor(), [self] { return self->idle_watchdog(); }, asio::detached);
}

void Connection::close(const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  if (!reason.empty())
    spdlog::info("closing connection {} from {}: {}", info_.id, info_.peer, reason);
  std::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  idle_timer_.cancel();
  response_ready_.notify();
  room_available_.notify();
}

bool Connection::has_room_for(size_t request_bytes) const {
  // One request is always admitted when nothing is in flight, whatever its size (it is
  // already bounded by socket.request.max.bytes).
  if (pending_.empty()) return true;
  return static_cast<int32_t>(pending_.size()) < limits_.max_inflight_requests &&
         inflight_bytes_ + static_cast<int64_t>(request_bytes) <= limits_.max_inflight_bytes;
}

size_t Connection::ReadAhead::take(std::span<uint8_t> out) {
  const size_t count = std::min(out.size(), size());
  if (count > 0) std::memcpy(out.data(), bytes.get() + begin, count);
  begin += count;
  if (begin == end) begin = end = 0;
  return count;
}

asio::awaitable<std::error_code> Connection::receive(std::span<uint8_t> frame_rest,
                                                     size_t& to_frame) {
  ReadAhead& ahead = read_ahead_;
  to_frame = 0;
  while (true) {
    if (ahead.bytes == nullptr)
      ahead.bytes = std::make_unique<uint8_t[]>(ReadAhead::kCapacityBytes);
    if (ahead.begin > 0) {  // keep the unread bytes at the front, the free room after them
      std::memmove(ahead.bytes.get(), ahead.bytes.get() + ahead.begin, ahead.size());
      ahead.end -= ahead.begin;
      ahead.begin = 0;
    }
    EDDY_ASSERT(!frame_rest.empty() || ahead.end < ReadAhead::kCapacityBytes);
    const std::array<asio::mutable_buffer, 2> buffers{
        asio::buffer(frame_rest.data(), frame_rest.size()),
        asio::buffer(ahead.bytes.get() + ahead.end, ReadAhead::kCapacityBytes - ahead.end)};
    std::error_code error;
    const size_t received = socket_.read_some(buffers, error);  // never blocks (start())
    if (!error) {
      to_frame = std::min(received, frame_rest.size());
      ahead.end += received - to_frame;
      co_return error;
    }
    if (error != asio::error::would_block) co_return error;
    if (ahead.size() == 0) ahead.bytes.reset();  // an idle connection holds no buffer
    co_await socket_.async_wait(asio::ip::tcp::socket::wait_read,
                                asio::redirect_error(asio::use_awaitable, error));
    if (error) co_return error;
    if (closed_) co_return asio::error::operation_aborted;
  }
}

asio::awaitable<std::error_code> Connection::receive_size_prefix() {
  while (read_ahead_.size() < 4) {
    size_t to_frame = 0;
    if (auto error = co_await receive({}, to_frame)) co_return error;
  }
  co_return std::error_code{};
}

asio::awaitable<void> Connection::read_loop() {
  std::error_code error;
  while (!closed_) {
    error = co_await receive_size_prefix();
    if (error) break;
    uint8_t size_prefix[4];
    read_ahead_.take(size_prefix);
    const int32_t size =
        static_cast<int32_t>((uint32_t{size_prefix[0]} << 24) | (uint32_t{size_prefix[1]} << 16) |
                             (uint32_t{size_prefix[2]} << 8) | size_prefix[3]);
    if (size < 0 || size > limits_.max_request_bytes) {
      close(fmt::format("request size {} outside [0, socket.request.max.bytes={}]", size,
                        limits_.max_request_bytes));
      co_return;
    }
    while (!closed_ && !has_room_for(static_cast<size_t>(size))) co_await room_available_.wait();
    if (closed_) co_return;
    RequestFrame frame(static_cast<size_t>(size));
    size_t filled = read_ahead_.take(frame);
    while (filled < frame.size() && !error) {
      size_t to_frame = 0;
      error = co_await receive(std::span(frame).subspan(filled), to_frame);
      filled += to_frame;
    }
    if (error) break;
    last_activity_ = std::chrono::steady_clock::now();
    Pending& slot = pending_.emplace_back();
    slot.request_bytes = frame.size();
    inflight_bytes_ += static_cast<int64_t>(frame.size());
    auto self = shared_from_this();
    asio::co_spawn(
        socket_.get_executor(),
        [self, slot_ptr = &slot, frame = std::move(frame)]() mutable {
          return self->process(slot_ptr, std::move(frame));
        },
        asio::detached);
  }
  if (error == asio::error::eof) {
    close("");  // the client closed its side: ordinary, not worth a log line
  } else if (error && error != asio::error::operation_aborted) {
    close("read failed: " + error.message());
  }
}

asio::awaitable<void> Connection::process(Pending* slot, RequestFrame frame) {
  // The deque only grows at the back and shrinks at the front, and the slot is popped only
  // after it is ready, so `slot` stays valid until we set ready below.
  try {
    slot->response = co_await handler_.handle(info_, std::move(frame));
  } catch (const std::exception& error) {
    // A bug in a handler, not the client's doing: drop this connection, keep the broker.
    spdlog::error("request handler failed on connection {}: {}", info_.id, error.what());
    slot->response = Response{};
    slot->response.send = false;
    slot->response.close_after = true;
    slot->response.close_reason = "request handler failed";
  }
  slot->ready = true;
  response_ready_.notify();
}

asio::awaitable<void> Connection::write_loop() {
  std::vector<OutputRange> ranges;
  while (!closed_) {
    if (pending_.empty() || !pending_.front().ready) {
      co_await response_ready_.wait();
      continue;
    }
    // Every response ready at the head leaves in one gathered write; a response that closes
    // the connection ends the batch. Slots stay queued (owning their ranges) until sent.
    ranges.clear();
    size_t batch = 0;
    bool close_after = false;
    std::string reason;
    for (const Pending& slot : pending_) {
      if (!slot.ready || batch == kMaxResponsesPerWrite) break;
      ++batch;
      const Response& response = slot.response;
      if (response.send)
        ranges.insert(ranges.end(), response.ranges.begin(), response.ranges.end());
      if (response.close_after) {
        close_after = true;
        reason = response.close_reason;
        break;
      }
    }
    if (auto error = co_await send_ranges(socket_, ranges)) {
      close("write failed: " + error.message());
      break;
    }
    last_activity_ = std::chrono::steady_clock::now();
    for (size_t i = 0; i < batch; ++i) {
      inflight_bytes_ -= static_cast<int64_t>(pending_.front().request_bytes);
      pending_.pop_front();
    }
    EDDY_ASSERT(inflight_bytes_ >= 0);
    room_available_.notify();
    if (close_after) close(reason);
  }
  // Requests still being processed own shared references; their results are dropped.
}

asio::awaitable<void> Connection::idle_watchdog() {
  auto deadline = last_activity_ + limits_.idle_timeout;
  while (!closed_) {
    idle_timer_.expires_at(deadline);
    std::error_code error;
    co_await idle_timer_.async_wait(asio::redirect_error(asio::use_awaitable, error));
    if (closed_) break;
    const auto now = std::chrono::steady_clock::now();
    deadline = last_activity_ + limits_.idle_timeout;
    if (now < deadline) continue;
    if (!pending_.empty()) {
      // A request is being served (a long poll, say): that is not idleness.
      deadline = now + limits_.idle_timeout;
      continue;
    }
    close(fmt::format("idle for connections.max.idle.ms={} without a complete request",
                      limits_.idle_timeout.count()));
  }
}

}  // namespace eddy::net
