#include "net/server.h"

#include <future>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include "common/assert.h"
#include "common/log.h"

namespace eddy::net {
namespace {

// Pause after a failed accept (EMFILE, ENFILE, ENOBUFS): long enough not to spin, short
// enough that a client barely notices once descriptors free up.
constexpr int kAcceptRetryMs = 100;

std::string endpoint_text(const asio::ip::tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace

Server::Server(int num_loops, ConnectionLimits limits, RequestHandler& handler)
    : limits_(limits), handler_(handler) {
  EDDY_ASSERT(num_loops >= 1);
  for (int i = 0; i < num_loops; ++i) loops_.push_back(std::make_unique<EventLoop>(i));
}

Server::~Server() {
  stop();
}

bool Server::bind(const std::vector<ListenerSpec>& listeners, std::string& error) {
  auto& context = loops_.front()->context();
  for (const auto& spec : listeners) {
    std::error_code ec;
    const auto address = spec.host.empty() ? asio::ip::address(asio::ip::address_v6::any())
                                           : asio::ip::make_address(spec.host, ec);
    if (ec) {
      error = "listener " + spec.name + ": invalid address '" + spec.host + "'";
      return false;
    }
    auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(context);
    const asio::ip::tcp::endpoint endpoint(address, spec.port);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      error =
          "cannot listen on " + endpoint_text(endpoint) + " (" + spec.name + "): " + ec.message();
      return false;
    }
    spdlog::info("listening on {} ({})", endpoint_text(acceptor->local_endpoint()), spec.name);
    asio::co_spawn(context, accept_loop(*acceptor, spec.name), asio::detached);
    acceptors_.push_back(std::move(acceptor));
  }
  return true;
}

void Server::start() {
  EDDY_ASSERT(!started_ && !stopped_);
  for (auto& loop : loops_) loop->start();
  started_ = true;
}

uint16_t Server::bound_port(size_t listener_index) const {
  EDDY_ASSERT(listener_index < acceptors_.size());
  return acceptors_[listener_index]->local_endpoint().port();
}

asio::awaitable<void> Server::accept_loop(asio::ip::tcp::acceptor& acceptor, std::string name) {
  uint64_t failures = 0;  // in a row
  while (acceptor.is_open()) {
    EventLoop& target = *loops_[next_loop_];
    next_loop_ = (next_loop_ + 1) % loops_.size();
    std::error_code error;
    auto socket = co_await acceptor.async_accept(target.context(),
                                                 asio::redirect_error(asio::use_awaitable, error));
    if (error == asio::error::operation_aborted) break;
    if (error) {
      // E.g. EMFILE: keep serving the connections we have; the client waits in the backlog
      // until a descriptor frees up. Logged at the first failure and every 100th after.
      if (failures++ % 100 == 0) {
        spdlog::warn("accept on {} failed ({} in a row): {}; retrying every {} ms", name, failures,
                     error.message(), kAcceptRetryMs);
      }
      asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(kAcceptRetryMs));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, error));
      continue;
    }
    if (failures > 0) {
      spdlog::info("accepting on {} again after {} failed attempts", name, failures);
      failures = 0;
    }
    ConnectionInfo info;
    info.id = next_connection_id_++;
    std::error_code peer_error;
    const auto peer = socket.remote_endpoint(peer_error);
    info.peer = peer_error ? "unknown" : endpoint_text(peer);
    info.listener_name = name;
    info.loop_index = target.index();
    auto connection =
        std::make_shared<Connection>(std::move(socket), std::move(info), limits_, handler_);
    asio::post(target.context(), [connection] { connection->start(); });
  }
}

void Server::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (started_) {
    // Acceptors belong to loop 0: close them on its thread.
    std::promise<void> closed;
    asio::post(loops_.front()->context(), [this, &closed] {
      for (auto& acceptor : acceptors_) {
        std::error_code ignored;
        acceptor->close(ignored);
      }
      closed.set_value();
    });
    closed.get_future().wait();
  }
  for (auto& loop : loops_) loop->stop();
  acceptors_.clear();
}

}  // namespace eddy::net
