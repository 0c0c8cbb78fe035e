#pragma once

// One client connection: a reader coroutine that frames requests and starts their handling,
// and a writer coroutine that sends responses strictly in request order. Several requests
// may be in flight; both their count and their bytes are bounded, and the reader stops
// reading (TCP back-pressure) when a bound is reached.

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>

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

  asio::awaitable<void> read_loop();
  asio::awaitable<void> write_loop();
  asio::awaitable<void> idle_watchdog();
  asio::awaitable<void> process(Pending* slot, RequestFrame frame);
  bool has_room_for(size_t request_bytes) const;

  asio::ip::tcp::socket socket_;
  ConnectionInfo info_;
  ConnectionLimits limits_;
  RequestHandler& handler_;
  std::deque<Pending> pending_;  // in request order; front is the next response to write
  int64_t inflight_bytes_ = 0;
  Event response_ready_;
  Event room_available_;
  asio::steady_timer idle_timer_;
  std::chrono::steady_clock::time_point last_activity_;
  bool closed_ = false;
};

}  // namespace eddy::net
