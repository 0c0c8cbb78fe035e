#pragma once

// The seam between the network layer and the broker: net moves frames, the broker gives them
// meaning. net calls handle() once per request frame, on the connection's event loop, possibly
// with several requests of one connection in flight at once; it writes the responses in
// request order.

#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include <asio/awaitable.hpp>

#include "common/byte_ranges.h"

namespace eddy::net {

// An allocator whose value-less construct() leaves elements default-initialised: for bytes,
// uninitialised. The socket read overwrites a request frame at once, so zeroing it first
// (std::vector's resize does) would be a wasted pass over every produced byte.
template <typename T>
struct UninitialisedAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = UninitialisedAllocator<U>;
  };
  UninitialisedAllocator() = default;
  template <typename U>
  explicit UninitialisedAllocator(const UninitialisedAllocator<U>& /*other*/) noexcept {}
  template <typename U>
  void construct(U* place) noexcept {
    ::new (static_cast<void*>(place)) U;
  }
  template <typename U, typename... Args>
  void construct(U* place, Args&&... args) {
    ::new (static_cast<void*>(place)) U(std::forward<Args>(args)...);
  }
};

// One request as read from the socket, without its 4-byte size prefix.
using RequestFrame = std::vector<uint8_t, UninitialisedAllocator<uint8_t>>;

struct ConnectionInfo {
  uint64_t id = 0;
  std::string peer;           // "host:port" of the client
  std::string listener_name;  // e.g. PLAINTEXT
  int loop_index = 0;         // which event loop serves this connection
};

struct Response {
  // The whole response frame, size prefix included, as a chain of memory and file ranges in
  // order; `owner` keeps their memory and descriptors alive until the frame is sent.
  std::vector<OutputRange> ranges;
  std::shared_ptr<const void> owner;
  // False when the request has no response (Produce with acks=0).
  bool send = true;
  // Close the connection after sending (or instead of sending when !send); `close_reason`
  // is logged.
  bool close_after = false;
  std::string close_reason;
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // `frame` is the request without its 4-byte size prefix; it is the handler's to keep or
  // mutate (Produce patches batch headers in place).
  virtual asio::awaitable<Response> handle(const ConnectionInfo& connection,
                                           RequestFrame frame) = 0;
};

}  // namespace eddy::net
