#pragma once

// The network server: one event loop per configured thread, one acceptor per listener (on
// loop 0), and accepted connections spread round-robin over the loops.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <asio/ip/tcp.hpp>

#include "net/connection.h"
#include "net/event_loop.h"
#include "net/request_handler.h"

namespace eddy::net {

struct ListenerSpec {
  std::string name;  // e.g. PLAINTEXT
  std::string host;  // empty: all interfaces
  uint16_t port = 0;
};

class Server {
 public:
  Server(int num_loops, ConnectionLimits limits, RequestHandler& handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every listener (port 0 picks a free port). Returns false with `error` set if a bind
  // fails. Connections that arrive before start() wait in the kernel's accept queue.
  bool bind(const std::vector<ListenerSpec>& listeners, std::string& error);
  // Starts the loops, and with them accepting and serving.
  void start();
  // The bound port of listener i (useful when it was configured as 0).
  uint16_t bound_port(size_t listener_index) const;
  // Stops accepting, closes connections and joins the loops.
  void stop();
  EventLoop& loop(size_t index) { return *loops_[index]; }
  size_t loop_count() const { return loops_.size(); }

 private:
  asio::awaitable<void> accept_loop(asio::ip::tcp::acceptor& acceptor, std::string name);

  ConnectionLimits limits_;
  RequestHandler& handler_;
  std::vector<std::unique_ptr<EventLoop>> loops_;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors_;
  std::atomic<uint64_t> next_connection_id_{1};
  size_t next_loop_ = 0;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace eddy::net
