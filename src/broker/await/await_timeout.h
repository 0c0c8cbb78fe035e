#pragma once

// await_callback with the request's deadline: a handler that waits on another thread (the
// metadata store's raft thread) gives up after `timeout_ms` and answers REQUEST_TIMED_OUT,
// as Kafka does for CreateTopics, DeleteTopics, CreatePartitions and the config APIs. The
// operation itself is not cancelled: it may still complete, and its late result is dropped.
//
//   std::optional<std::vector<DeleteTopicResult>> results =
//       co_await await_callback_for<std::vector<DeleteTopicResult>>(request.timeout_ms,
//           [&](auto done) { store.delete_topics(std::move(refs), std::move(done)); });
//   if (!results) ... answer every topic with kRequestTimedOut ...
//
// timeout_ms <= 0 waits for the result with no deadline: Kafka's protocol says such a request
// "returns immediately", but Eddy still owes the client the operation's errors (e.g.
// INVALID_PARTITIONS) and a single node has them within milliseconds.
//
// Both completions (the result, posted back from the other thread, and the timer) run on the
// awaiting coroutine's executor, a single-threaded event loop, so the first one to run
// resumes the coroutine and the other finds nothing left to do. Same capture rule as
// await_callback: `start` runs before the coroutine suspends and captures by reference only.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>

#include <asio/any_io_executor.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

namespace eddy::broker {

// The error message of a REQUEST_TIMED_OUT answer given by await_callback_for's callers.
inline constexpr const char* kTimedOutMessage =
    "The operation did not complete within timeout_ms; it may still complete later.";

// The awaiting coroutine's handler plus the timer that bounds its wait; resumed at most once.
template <typename Handler, typename Result>
class TimedWait {
 public:
  TimedWait(Handler handler, const asio::any_io_executor& executor)
      : handler_(std::move(handler)), timer_(executor) {}

  // Arms the deadline; `self` keeps this alive until the timer fires or is cancelled.
  void arm(std::chrono::milliseconds timeout, std::shared_ptr<TimedWait> self) {
    timer_.expires_after(timeout);
    timer_.async_wait([self = std::move(self)](const std::error_code& error) {
      if (!error) self->resume(std::nullopt);
    });
  }

  // The first call resumes the coroutine (nullopt: timed out); later calls do nothing.
  void resume(std::optional<Result> result) {
    if (!handler_) return;
    Handler handler = std::move(*handler_);
    handler_.reset();
    timer_.cancel();
    std::move(handler)(std::move(result));
  }

 private:
  std::optional<Handler> handler_;
  asio::steady_timer timer_;
};

template <typename Result, typename Start>
asio::awaitable<std::optional<Result>> await_callback_for(int32_t timeout_ms, Start start) {
  static_assert(std::is_trivially_destructible_v<Start>,
                "capture by reference only (see await_callback.h)");
  auto initiate = [start = std::move(start), timeout_ms](auto handler) mutable {
    using Handler = decltype(handler);
    using Wait = TimedWait<Handler, Result>;
    asio::any_io_executor executor = asio::get_associated_executor(handler);
    auto wait = std::make_shared<Wait>(std::move(handler), executor);
    if (timeout_ms > 0) wait->arm(std::chrono::milliseconds(timeout_ms), wait);
    // std::function needs a copyable callable: the shared state is.
    std::function<void(Result)> done = [wait, executor](Result result) {
      asio::post(executor,
                 [wait, result = std::move(result)]() mutable { wait->resume(std::move(result)); });
    };
    start(std::move(done));
  };
  return asio::async_initiate<decltype(asio::use_awaitable), void(std::optional<Result>)>(
      std::move(initiate), asio::use_awaitable);
}

}  // namespace eddy::broker
