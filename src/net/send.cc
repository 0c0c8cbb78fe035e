#include "net/send.h"

#include <vector>

#include <asio/buffer.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <sys/sendfile.h>

#include "common/assert.h"

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
                                                 const protocol::Records& records) {
  off_t offset = records.file_offset;
  size_t remaining = records.size_bytes;
  std::error_code error;
  while (remaining > 0) {
    const ssize_t sent = ::sendfile(socket.native_handle(), records.fd, &offset, remaining);
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

asio::awaitable<std::error_code> send_frame(asio::ip::tcp::socket& socket,
                                            const protocol::Writer& frame) {
  const auto& bytes = frame.buffer();
  std::vector<asio::const_buffer> gathered;
  size_t position = 0;
  for (const auto& splice : frame.splices()) {
    EDDY_ASSERT(splice.buffer_offset >= position && splice.buffer_offset <= bytes.size());
    if (splice.buffer_offset > position) {
      gathered.emplace_back(bytes.data() + position, splice.buffer_offset - position);
    }
    position = splice.buffer_offset;
    const auto& records = splice.records;
    if (records.size_bytes == 0) continue;
    if (!records.is_file()) {
      gathered.emplace_back(records.data, records.size_bytes);
      continue;
    }
    if (auto error = co_await write_gathered(socket, gathered)) co_return error;
    if (auto error = co_await send_file_range(socket, records)) co_return error;
  }
  if (position < bytes.size())
    gathered.emplace_back(bytes.data() + position, bytes.size() - position);
  co_return co_await write_gathered(socket, gathered);
}

}  // namespace eddy::net
