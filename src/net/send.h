#pragma once

// Writes a chain of output ranges to a socket: memory ranges as gathered writes (one sendmsg
// for many), file ranges with sendfile(2) so record bytes never pass through user space.

#include <span>
#include <system_error>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "common/byte_ranges.h"

namespace eddy::net {

asio::awaitable<std::error_code> send_ranges(asio::ip::tcp::socket& socket,
                                             std::span<const OutputRange> ranges);

}  // namespace eddy::net
