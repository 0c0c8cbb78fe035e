#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/server.h"
#include "protocol/writer.h"

namespace eddy::net {
namespace {

// Generous limits; each test tightens the one it checks.
ConnectionLimits test_limits() {
  ConnectionLimits limits;
  limits.max_request_bytes = 16 << 20;
  limits.max_inflight_requests = 100;
  limits.max_inflight_bytes = 16 << 20;
  limits.idle_timeout = std::chrono::minutes(10);
  return limits;
}

// Test handler. A request frame is "<delay_ms>:<payload>"; the response frame is the payload
// after the delay. "file:<text>" answers with <text> spliced from a temporary file; "close:"
// asks for the connection to be closed without a response.
class DelayEchoHandler : public RequestHandler {
 public:
  asio::awaitable<Response> handle(const ConnectionInfo& /*connection*/,
                                   net::RequestFrame frame) override {
    const int now = ++concurrent_;
    int seen = max_concurrent_.load();
    while (now > seen && !max_concurrent_.compare_exchange_weak(seen, now)) {
    }
    std::string text(frame.begin(), frame.end());
    auto writer = std::make_shared<protocol::Writer>();
    writer->write_int32(0);
    if (text == "close:") {
      --concurrent_;
      Response response;
      response.send = false;
      response.close_after = true;
      response.close_reason = "asked to close";
      co_return response;
    }
    if (text.rfind("file:", 0) == 0) {
      splice_file(text.substr(5), *writer);
    } else {
      const size_t colon = text.find(':');
      const int delay_ms = std::stoi(text.substr(0, colon));
      asio::steady_timer timer(co_await asio::this_coro::executor,
                               std::chrono::milliseconds(delay_ms));
      co_await timer.async_wait(asio::use_awaitable);
      const std::string payload = text.substr(colon + 1);
      writer->write_raw({reinterpret_cast<const uint8_t*>(payload.data()), payload.size()});
    }
    writer->patch_int32(0, static_cast<int32_t>(writer->total_size() - 4));
    --concurrent_;
    Response response;
    writer->output_ranges(response.ranges);
    response.owner = std::move(writer);
    co_return response;
  }

  std::atomic<int> concurrent_{0};
  std::atomic<int> max_concurrent_{0};

 private:
  static void splice_file(const std::string& text, protocol::Writer& out) {
    FILE* file = std::tmpfile();
    std::fwrite(text.data(), 1, text.size(), file);
    std::fflush(file);
    const int fd = fileno(file);
    auto keep_alive = std::shared_ptr<FILE>(file, [](FILE* f) { std::fclose(f); });
    out.write_raw({reinterpret_cast<const uint8_t*>("<"), 1});
    out.write_records(protocol::Records::from_file(FileRange{fd, 0, text.size()}, keep_alive),
                      false);
    out.write_raw({reinterpret_cast<const uint8_t*>(">"), 1});
  }
};

class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    timeval timeout{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  ~Client() { ::close(fd_); }

  void send_frame(const std::string& body) const {
    send_size(static_cast<int32_t>(body.size()));
    send_raw(body);
  }
  void send_size(int32_t size) const {
    const uint32_t big_endian = htonl(static_cast<uint32_t>(size));
    ASSERT_EQ(::write(fd_, &big_endian, 4), 4);
  }
  void send_raw(const std::string& bytes) const {
    ASSERT_EQ(::write(fd_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  // Reads one response frame; empty optional when the server closed the connection.
  std::optional<std::string> read_frame() {
    uint32_t size = 0;
    if (!read_exact(&size, 4)) return std::nullopt;
    std::string body(ntohl(size), '\0');
    if (!read_exact(body.data(), body.size())) return std::nullopt;
    return body;
  }

 private:
  bool read_exact(void* out, size_t size) const {
    auto* bytes = static_cast<char*>(out);
    while (size > 0) {
      const ssize_t n = ::read(fd_, bytes, size);
      if (n <= 0) return false;
      bytes += n;
      size -= static_cast<size_t>(n);
    }
    return true;
  }
  int fd_ = -1;
};

class ServerTest : public ::testing::Test {
 protected:
  void start(ConnectionLimits limits) {
    server_ = std::make_unique<Server>(2, limits, handler_);
    std::string error;
    ASSERT_TRUE(server_->bind({{"PLAINTEXT", "127.0.0.1", 0}}, error)) << error;
    server_->start();
    port_ = server_->bound_port(0);
  }
  void TearDown() override { server_.reset(); }

  DelayEchoHandler handler_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

TEST_F(ServerTest, PipelinedResponsesComeBackInRequestOrder) {
  start(test_limits());
  Client client(port_);
  // The first request takes longest, so handling finishes in reverse order.
  client.send_frame("150:first");
  client.send_frame("75:second");
  client.send_frame("0:third");
  EXPECT_EQ(client.read_frame(), "first");
  EXPECT_EQ(client.read_frame(), "second");
  EXPECT_EQ(client.read_frame(), "third");
  EXPECT_GE(handler_.max_concurrent_.load(), 2) << "requests were not processed concurrently";
}

TEST_F(ServerTest, InflightRequestsAreBounded) {
  ConnectionLimits limits = test_limits();
  limits.max_inflight_requests = 2;
  start(limits);
  Client client(port_);
  for (int i = 0; i < 6; ++i) client.send_frame("30:r" + std::to_string(i));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(client.read_frame(), "r" + std::to_string(i));
  EXPECT_LE(handler_.max_concurrent_.load(), 2);
}

TEST_F(ServerTest, OversizeAndNegativeSizesCloseOnlyThatConnection) {
  ConnectionLimits limits = test_limits();
  limits.max_request_bytes = 1024;
  start(limits);
  Client oversize(port_);
  oversize.send_size(1025);
  EXPECT_EQ(oversize.read_frame(), std::nullopt);
  Client negative(port_);
  negative.send_size(-5);
  EXPECT_EQ(negative.read_frame(), std::nullopt);
  Client good(port_);
  good.send_frame("0:still serving");
  EXPECT_EQ(good.read_frame(), "still serving");
}

TEST_F(ServerTest, SilentAndStalledClientsAreClosedAfterIdleTimeout) {
  ConnectionLimits limits = test_limits();
  limits.idle_timeout = std::chrono::milliseconds(200);
  start(limits);
  Client silent(port_);
  Client stalled(port_);
  stalled.send_size(100);
  stalled.send_raw("only part of the frame");
  EXPECT_EQ(silent.read_frame(), std::nullopt);
  EXPECT_EQ(stalled.read_frame(), std::nullopt);
}

TEST_F(ServerTest, SlowRequestIsNotIdle) {
  ConnectionLimits limits = test_limits();
  limits.idle_timeout = std::chrono::milliseconds(100);
  start(limits);
  Client client(port_);
  client.send_frame("400:long poll");
  EXPECT_EQ(client.read_frame(), "long poll");
}

TEST_F(ServerTest, FileSplicesAreSentInPlace) {
  start(test_limits());
  Client client(port_);
  client.send_frame("file:bytes from a file");
  const std::string prefix("\0\0\0\x11", 4);  // the records length prefix: 17 bytes
  EXPECT_EQ(client.read_frame(), "<" + prefix + "bytes from a file>");
}

// Frames with their size prefixes, back to back in one string: what a pipelining client's
// single write puts on the wire.
std::string framed(const std::vector<std::string>& bodies) {
  std::string out;
  for (const std::string& body : bodies) {
    const uint32_t big_endian = htonl(static_cast<uint32_t>(body.size()));
    out.append(reinterpret_cast<const char*>(&big_endian), 4);
    out += body;
  }
  return out;
}

TEST_F(ServerTest, ManyRequestsInOneSegmentAreEachAnsweredInOrder) {
  start(test_limits());
  Client client(port_);
  std::vector<std::string> bodies;
  std::string big(100000, 'x');  // larger than the read-ahead buffer, between small ones
  bodies.reserve(300);
  for (int i = 0; i < 300; ++i) {
    bodies.push_back("0:r" + std::to_string(i) + (i == 150 ? big : ""));
  }
  client.send_raw(framed(bodies));
  for (int i = 0; i < 300; ++i) {
    ASSERT_EQ(client.read_frame(), "r" + std::to_string(i) + (i == 150 ? big : ""));
  }
}

TEST_F(ServerTest, RequestsSplitAtEveryByteAreReassembled) {
  start(test_limits());
  Client client(port_);
  const std::string wire = framed({"0:first", "0:second", "0:third"});
  for (char byte : wire) {  // the size prefix arrives in pieces too
    client.send_raw(std::string(1, byte));
    std::this_thread::yield();
  }
  EXPECT_EQ(client.read_frame(), "first");
  EXPECT_EQ(client.read_frame(), "second");
  EXPECT_EQ(client.read_frame(), "third");
}

TEST_F(ServerTest, ResponsesAfterAClosingOneAreNotSent) {
  start(test_limits());
  Client client(port_);
  client.send_raw(framed({"0:before", "close:", "0:after"}));
  EXPECT_EQ(client.read_frame(), "before");
  EXPECT_EQ(client.read_frame(), std::nullopt);
}

}  // namespace
}  // namespace eddy::net
