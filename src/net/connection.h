#pragma once

// One client connection: a reader coroutine that frames requests and starts their handling,
// and a writer coroutine that sends responses strictly in request order. Several requests
// may be in flight; both their count and their bytes are bounded, and the reader stops
// reading (TCP back-pressure) when a bound is reached.
//
// System calls per request matter more than bytes copied for small requests (a client with
// many partitions sends one small Produce per partition): each read also fills a small
// read-ahead buffer with what follows the current frame, so the next size prefix (often whole
// requests) costs no read of its own, and the writer sends every response that is ready in one
// gathered write.

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "net/event.h"
#include "net/request_handler.h"

namespace eddy::net {

// Set by the server from its configuration (the keys' defaults live in src/config only);
// every limit must be positive.
struct ConnectionLimits {
  int32_t max_request_bytes = 0;              // socket.request.max.bytes
  int32_t max_inflight_requests = 0;          // queued.max.requests, per connection
  int64_t max_inflight_bytes = 0;             // request bytes held by in-flight requests
  std::chrono::milliseconds idle_timeout{0};  // connections.max.idle.ms
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::ip::tcp::socket socket, ConnectionInfo info, ConnectionLimits limits,
             RequestHandler& handler);

  // Starts the reader, writer and idle watchdog coroutines on the socket's executor.
  void start();
  // Closes the socket; coroutines end on their next wake-up. Safe to call twice.
  void close(const std::string& reason);
  const ConnectionInfo& info() const { return info_; }

 private:
  struct Pending {
    bool ready = false;
    size_t request_bytes = 0;
    Response response;
  };

  // Bytes read past the frame being received: the next size prefix, often whole requests.
  // Allocated while the connection is busy and released whenever the socket runs dry with
  // nothing buffered, so an idle connection holds none.
  struct ReadAhead {
    static constexpr size_t kCapacityBytes = 32 * 1024;
    std::unique_ptr<uint8_t[]> bytes;
    size_t begin = 0;  // first unread byte
    size_t end = 0;    // one past the last unread byte

    size_t size() const { return end - begin; }
    // Moves up to `out.size()` unread bytes into `out`; returns how many.
    size_t take(std::span<uint8_t> out);
  };

  asio::awaitable<void> read_loop();
  // Reads what the socket has into `frame_rest` first and the read-ahead buffer after it, in one
  // system call; waits for the socket only when it has nothing. `to_frame` is how many bytes
  // went into `frame_rest`.
  asio::awaitable<std::error_code> receive(std::span<uint8_t> frame_rest, size_t& to_frame);
  // Reads until the read-ahead buffer holds a whole size prefix.
  asio::awaitable<std::error_code> receive_size_prefix();
  asio::awaitable<void> write_loop();
  asio::awaitable<void> idle_watchdog();
  asio::awaitable<void> process(Pending* slot, RequestFrame frame);
  bool has_room_for(size_t request_bytes) const;

  asio::ip::tcp::socket socket_;
  ConnectionInfo info_;
  ConnectionLimits limits_;
  RequestHandler& handler_;
  // Responses sent in one gathered write at most: bounds the writer's batch of ranges.
  static constexpr size_t kMaxResponsesPerWrite = 64;

  std::deque<Pending> pending_;  // in request order; front is the next response to write
  ReadAhead read_ahead_;
  int64_t inflight_bytes_ = 0;
  Event response_ready_;
  Event room_available_;
  asio::steady_timer idle_timer_;
  std::chrono::steady_clock::time_point last_activity_;
  bool closed_ = false;
};

}  // namespace eddy::net
