#pragma once

// Writes a protocol::Writer's output to a socket: buffer bytes and memory splices as gathered
// writes, file splices with sendfile(2) so record bytes never pass through user space.

#include <system_error>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "protocol/writer.h"

namespace eddy::net {

asio::awaitable<std::error_code> send_frame(asio::ip::tcp::socket& socket,
                                            const protocol::Writer& frame);

}  // namespace eddy::net
