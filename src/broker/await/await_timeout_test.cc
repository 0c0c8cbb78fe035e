#include "broker/await/await_timeout.h"

#include <chrono>
#include <thread>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <gtest/gtest.h>

namespace eddy::broker {
namespace {

using Clock = std::chrono::steady_clock;

// Stands in for the metadata store: keeps the callback and calls it later from its own thread.
struct SlowOperation {
  std::function<void(int)> done;
  void start(std::function<void(int)> callback) { done = std::move(callback); }
};

struct Outcome {
  bool finished = false;
  std::optional<int> result;
  std::chrono::milliseconds waited_ms{0};
};

asio::awaitable<void> wait_on(SlowOperation& operation, int32_t timeout_ms, Outcome& out) {
  const auto started = Clock::now();
  out.result = co_await await_callback_for<int>(
      timeout_ms, [&](auto done) { operation.start(std::move(done)); });
  out.waited_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  out.finished = true;
}

TEST(AwaitTimeout, ResultBeforeTheDeadlineIsReturned) {
  asio::io_context io;
  SlowOperation operation;
  Outcome outcome;
  asio::co_spawn(io, wait_on(operation, 5000, outcome), asio::detached);
  io.run_one();  // starts the coroutine up to its suspension
  std::thread other([&] { operation.done(42); });
  other.join();
  io.run();  // returns once the timer was cancelled and the coroutine finished
  ASSERT_TRUE(outcome.finished);
  EXPECT_EQ(outcome.result, 42);
  EXPECT_LT(outcome.waited_ms.count(), 5000);
}

TEST(AwaitTimeout, NoResultMeansNulloptAtTheDeadline) {
  asio::io_context io;
  SlowOperation operation;
  Outcome outcome;
  asio::co_spawn(io, wait_on(operation, 50, outcome), asio::detached);
  io.run();  // only the timer can end the wait
  ASSERT_TRUE(outcome.finished);
  EXPECT_FALSE(outcome.result.has_value());
  EXPECT_GE(outcome.waited_ms.count(), 50);
  EXPECT_LT(outcome.waited_ms.count(), 2000);
  // The operation completes later: its result is dropped and the coroutine is not resumed
  // a second time.
  ASSERT_TRUE(operation.done);
  operation.done(7);
  io.restart();
  io.run();
  EXPECT_FALSE(outcome.result.has_value());
}

TEST(AwaitTimeout, NonPositiveTimeoutWaitsForTheResult) {
  for (const int32_t timeout_ms : {0, -1}) {
    asio::io_context io;
    SlowOperation operation;
    Outcome outcome;
    asio::co_spawn(io, wait_on(operation, timeout_ms, outcome), asio::detached);
    io.run_for(std::chrono::milliseconds(100));  // no deadline fires meanwhile
    EXPECT_FALSE(outcome.finished);
    ASSERT_TRUE(operation.done);
    std::thread other([&] { operation.done(9); });
    other.join();
    io.run();  // returns once the coroutine finished
    ASSERT_TRUE(outcome.finished);
    EXPECT_EQ(outcome.result, 9);
  }
}

TEST(AwaitTimeout, SynchronousCompletionIsReturned) {
  asio::io_context io;
  Outcome outcome;
  auto immediate = [&]() -> asio::awaitable<void> {
    outcome.result =
        co_await await_callback_for<int>(1000, [&](auto done) { done(5); });  // caller's thread
    outcome.finished = true;
  };
  asio::co_spawn(io, immediate(), asio::detached);
  io.run();
  ASSERT_TRUE(outcome.finished);
  EXPECT_EQ(outcome.result, 5);
}

}  // namespace
}  // namespace eddy::broker
