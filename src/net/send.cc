#include "net/send.h"

#include <vector>

#include <asio/buffer.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <sys/sendfile.h>

namespace eddy::net {
namespace {

asio::awaitable<std::error_code> write_gathered(asio::ip::tcp::socket& socket,
                                                std::vector<asio::const_buffer>& buffers) {
  std::error_code error;
  if (!buffers.empty()) {
    co_await asio::async_write(socket, buffers, asio::redirect_error(asio::use_awaitable, error));
    buffers.clear();
  }
  co_return error;
}

asio::awaitable<std::error_code> send_file_range(asio::ip::tcp::socket& socket,
                                                 const FileRange& range) {
  off_t offset = range.offset;
  size_t remaining = range.size_bytes;
  std::error_code error;
  while (remaining > 0) {
    const ssize_t sent = ::sendfile(socket.native_handle(), range.fd, &offset, remaining);
    if (sent > 0) {
      remaining -= static_cast<size_t>(sent);
    } else if (sent < 0 && (errno == EAGAIN || errno == EINTR)) {
      co_await socket.async_wait(asio::ip::tcp::socket::wait_write,
                                 asio::redirect_error(asio::use_awaitable, error));
      if (error) co_return error;
    } else {
      // sent == 0: the file is shorter than promised (truncated underneath us).
      co_return sent == 0 ? std::make_error_code(std::errc::io_error)
                          : std::error_code(errno, std::system_category());
    }
  }
  co_return error;
}

}  // namespace

asio::awaitable<std::error_code> send_ranges(asio::ip::tcp::socket& socket,
                                             std::span<const OutputRange> ranges) {
  std::vector<asio::const_buffer> gathered;
  gathered.reserve(ranges.size());
  for (const OutputRange& range : ranges) {
    if (range.size_bytes == 0) continue;
    if (!range.is_file()) {
      gathered.emplace_back(range.data, range.size_bytes);
      continue;
    }
    if (auto error = co_await write_gathered(socket, gathered)) co_return error;
    if (auto error = co_await send_file_range(socket, range.file)) co_return error;
  }
  co_return co_await write_gathered(socket, gathered);
}

}  // namespace eddy::net
