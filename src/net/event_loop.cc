#include "net/event_loop.h"

#include <string>

#include <asio/steady_timer.hpp>
#include <pthread.h>

#include "common/log.h"

namespace eddy::net {

EventLoop::EventLoop(int index) : index_(index) {
  // Creates the loop's reactor (epoll, eventfd and timerfd descriptors) now: created lazily,
  // by the first socket a loop gets, a failure (EMFILE) would throw inside a running loop and
  // abort the process. Here it throws std::system_error to whoever builds the server.
  asio::steady_timer warm_up(context_);
}

EventLoop::~EventLoop() {
  stop();
}

void EventLoop::start() {
  work_.emplace(context_.get_executor());
  thread_ = std::thread([this] {
    const std::string name = "eddy-loop-" + std::to_string(index_);
    pthread_setname_np(pthread_self(), name.c_str());
    context_.run();
  });
}

void EventLoop::stop() {
  work_.reset();
  context_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace eddy::net
