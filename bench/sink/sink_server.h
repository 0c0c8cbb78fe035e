#pragma once

// A single-threaded epoll server: accepts connections, splits the byte stream into Kafka frames,
// hands each to the SinkHandler and writes the responses back in order.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sink/sink_handler.h"

namespace eddy::bench {

class SinkServer {
 public:
  SinkServer(SinkHandler& handler, int32_t max_frame_bytes);
  ~SinkServer();

  // Binds and listens on host:port (0: any free port); an error message on failure.
  std::string listen(const std::string& host, int port);
  int port() const { return port_; }
  // Serves until `stop` becomes true (checked at least every 100 ms).
  void run(const std::atomic<bool>& stop);

 private:
  struct Connection {
    int fd = -1;
    std::vector<uint8_t> input;  // received bytes not yet consumed; never above a frame + 4
    size_t input_size = 0;
    std::vector<uint8_t> output;  // responses not yet written
    size_t output_sent = 0;
    uint32_t events = 0;  // the epoll interest currently registered
  };

  void accept_all();
  void on_readable(Connection& connection);
  // Handles every whole frame in the input buffer; false: close.
  bool process_frames(Connection& connection);
  bool flush_output(Connection& connection);
  void update_interest(Connection& connection);
  void close_connection(int fd);

  SinkHandler& handler_;
  const int32_t max_frame_bytes_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int port_ = 0;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
};

}  // namespace eddy::bench
