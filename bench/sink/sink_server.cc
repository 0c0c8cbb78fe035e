#include "sink/sink_server.h"

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/assert.h"
#include "common/log.h"

namespace eddy::bench {
namespace {

constexpr size_t kInitialInputBytes = 256 * 1024;
constexpr size_t kMaxPendingOutputBytes = 16 * 1024 * 1024;  // stop reading above this
constexpr int kMaxConnections = 10000;
constexpr int kMaxEvents = 64;

int32_t read_frame_size(const uint8_t* data) {
  return static_cast<int32_t>((uint32_t{data[0]} << 24) | (uint32_t{data[1]} << 16) |
                              (uint32_t{data[2]} << 8) | uint32_t{data[3]});
}

}  // namespace

SinkServer::SinkServer(SinkHandler& handler, int32_t max_frame_bytes)
    : handler_(handler), max_frame_bytes_(max_frame_bytes) {}

SinkServer::~SinkServer() {
  for (const auto& [fd, connection] : connections_) ::close(fd);
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

std::string SinkServer::listen(const std::string& host, int port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return std::string("socket: ") + std::strerror(errno);
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) return "bad host " + host;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(listen_fd_, 128) != 0) {
    return std::string("bind/listen: ") + std::strerror(errno);
  }
  socklen_t length = sizeof(address);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = listen_fd_;
  if (epoll_fd_ < 0 || ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &event) != 0) {
    return std::string("epoll: ") + std::strerror(errno);
  }
  return "";
}

void SinkServer::run(const std::atomic<bool>& stop) {
  epoll_event events[kMaxEvents];
  while (!stop.load()) {
    const int count = ::epoll_wait(epoll_fd_, events, kMaxEvents, 100);
    for (int i = 0; i < count; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listen_fd_) {
        accept_all();
        continue;
      }
      const auto found = connections_.find(fd);
      if (found == connections_.end()) continue;
      Connection& connection = *found->second;
      if ((events[i].events & EPOLLOUT) != 0 && !flush_output(connection)) {
        close_connection(fd);
        continue;
      }
      if ((events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) on_readable(connection);
    }
  }
}

void SinkServer::accept_all() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    if (static_cast<int>(connections_.size()) >= kMaxConnections) {
      ::close(fd);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    auto connection = std::make_unique<Connection>();
    connection->fd = fd;
    connection->input.resize(kInitialInputBytes);
    connection->events = EPOLLIN;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
    connections_.emplace(fd, std::move(connection));
  }
}

void SinkServer::on_readable(Connection& connection) {
  if (connection.input_size == connection.input.size()) {
    connection.input.resize(connection.input.size() * 2);  // bounded by the frame check
  }
  const ssize_t received = ::read(connection.fd, connection.input.data() + connection.input_size,
                                  connection.input.size() - connection.input_size);
  if (received == 0 || (received < 0 && errno != EAGAIN && errno != EINTR)) {
    close_connection(connection.fd);
    return;
  }
  if (received < 0) return;
  connection.input_size += static_cast<size_t>(received);
  const int fd = connection.fd;
  if (!process_frames(connection) || !flush_output(connection)) close_connection(fd);
}

bool SinkServer::process_frames(Connection& connection) {
  size_t consumed = 0;
  while (connection.input_size - consumed >= 4) {
    const int32_t size = read_frame_size(connection.input.data() + consumed);
    if (size < 0 || size > max_frame_bytes_) {
      spdlog::warn("sink: frame size {} outside [0, {}], closing", size, max_frame_bytes_);
      return false;
    }
    const size_t frame_end = consumed + 4 + static_cast<size_t>(size);
    if (frame_end > connection.input_size) {
      // Make room for the whole frame: at most max_frame_bytes_ + 4.
      if (connection.input.size() < 4 + static_cast<size_t>(size)) {
        connection.input.resize(4 + static_cast<size_t>(size));
      }
      break;
    }
    std::span<uint8_t> frame(connection.input.data() + consumed + 4, static_cast<size_t>(size));
    if (!handler_.handle(frame, connection.output)) {
      spdlog::warn("sink: unsupported or malformed request, closing");
      return false;
    }
    consumed = frame_end;
  }
  std::memmove(connection.input.data(), connection.input.data() + consumed,
               connection.input_size - consumed);
  connection.input_size -= consumed;
  EDDY_ASSERT(connection.input_size <= connection.input.size());
  return true;
}

bool SinkServer::flush_output(Connection& connection) {
  while (connection.output_sent < connection.output.size()) {
    const ssize_t sent = ::write(connection.fd, connection.output.data() + connection.output_sent,
                                 connection.output.size() - connection.output_sent);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && errno == EAGAIN) break;
    if (sent <= 0) return false;
    connection.output_sent += static_cast<size_t>(sent);
  }
  if (connection.output_sent == connection.output.size()) {
    connection.output.clear();
    connection.output_sent = 0;
  }
  update_interest(connection);
  return true;
}

// Reads pause while too many response bytes wait, so a client that does not read its responses
// gets TCP back-pressure instead of growing the sink's memory.
void SinkServer::update_interest(Connection& connection) {
  const size_t pending = connection.output.size() - connection.output_sent;
  const uint32_t events = (pending > kMaxPendingOutputBytes ? 0u : uint32_t{EPOLLIN}) |
                          (pending > 0 ? uint32_t{EPOLLOUT} : 0u);
  if (events == connection.events) return;
  connection.events = events;
  epoll_event event{};
  event.events = events;
  event.data.fd = connection.fd;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, connection.fd, &event);
}

void SinkServer::close_connection(int fd) {
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  ::close(fd);
  connections_.erase(fd);
}

}  // namespace eddy::bench
