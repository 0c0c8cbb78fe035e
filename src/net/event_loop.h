#pragma once

// One io_context run by one thread. Eddy runs one event loop per core; a connection lives on
// exactly one loop for its whole life, so its state needs no locks.

#include <optional>
#include <thread>

#include <asio/io_context.hpp>

namespace eddy::net {

class EventLoop {
 public:
  // Throws std::system_error when the reactor's descriptors cannot be created (EMFILE).
  explicit EventLoop(int index);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  void start();
  void stop();  // stops the context and joins the thread; idempotent
  asio::io_context& context() { return context_; }
  int index() const { return index_; }

 private:
  int index_;
  asio::io_context context_{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread thread_;
};

}  // namespace eddy::net
