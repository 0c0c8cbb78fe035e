#pragma once

// Bridges callback-style APIs whose callbacks run on another thread (the metadata store's
// raft thread) into coroutines: the result is posted back to the awaiting coroutine's
// executor, so the handler resumes on its own event loop.
//
//   auto results = co_await await_callback<std::vector<TopicResult>>(
//       [&](auto done) { store.create_topics(std::move(specs), false, std::move(done)); });
//
// `start` runs at once, before the coroutine suspends, so capturing the coroutine's locals by
// reference is safe — and it must capture only by reference: g++ 12 may destroy a temporary
// that lives across a co_await twice (GCC PRs 99576 and relatives), which is harmless only for
// trivially destructible objects. The static_assert below enforces it.

#include <functional>
#include <memory>
#include <type_traits>

#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

namespace eddy::broker {

template <typename Result, typename Start>
asio::awaitable<Result> await_callback(Start start) {
  static_assert(std::is_trivially_destructible_v<Start>,
                "capture by reference only (see the comment above)");
  auto initiate = [start = std::move(start)](auto handler) mutable {
    using Handler = decltype(handler);
    auto executor = asio::get_associated_executor(handler);
    // std::function needs a copyable callable; the completion handler is move-only.
    auto shared = std::make_shared<Handler>(std::move(handler));
    std::function<void(Result)> done = [shared, executor](Result result) {
      asio::post(executor,
                 [shared, result = std::move(result)]() mutable { (*shared)(std::move(result)); });
    };
    start(std::move(done));
  };
  return asio::async_initiate<decltype(asio::use_awaitable), void(Result)>(std::move(initiate),
                                                                           asio::use_awaitable);
}

}  // namespace eddy::broker
