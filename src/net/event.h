#pragma once

// A wake-up signal between coroutines of one event loop: wait() suspends until notify().
// Callers re-check their condition after waking (notify wakes all waiters). Single-threaded
// by construction: only coroutines on the owning io_context touch it.

#include <asio/awaitable.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

namespace eddy::net {

class Event {
 public:
  explicit Event(const asio::any_io_executor& executor) : timer_(executor) {
    timer_.expires_at(asio::steady_timer::time_point::max());
  }

  asio::awaitable<void> wait() {
    std::error_code ignored;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }

  void notify() { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

}  // namespace eddy::net
