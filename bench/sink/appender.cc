#include "sink/appender.h"

#include <cerrno>
#include <climits>

#include <fcntl.h>
#include <unistd.h>

#include "common/assert.h"

namespace eddy::bench {

Appender::~Appender() {
  if (releaser_.joinable()) releaser_.join();
  if (fd_ >= 0) ::close(fd_);
}

bool Appender::open(const std::string& path, int64_t max_file_bytes) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  max_file_bytes_ = max_file_bytes;
  return fd_ >= 0;
}

bool Appender::rotate() {
  if (releaser_.joinable()) releaser_.join();
  const int old_fd = fd_;
  if (::unlink(path_.c_str()) != 0) return false;
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  releaser_ = std::thread([old_fd] { ::close(old_fd); });
  file_bytes_ = 0;
  return fd_ >= 0;
}

bool Appender::append(const iovec* parts, int count) {
  EDDY_ASSERT(fd_ >= 0 && count >= 0 && count <= IOV_MAX);
  int64_t total = 0;
  for (int i = 0; i < count; ++i) total += static_cast<int64_t>(parts[i].iov_len);
  if (file_bytes_ + total > max_file_bytes_ && !rotate()) return false;
  // writev may write less than asked (signals, huge requests): finish part by part.
  int64_t written = 0;
  for (int i = 0; i < count;) {
    const ssize_t result = ::writev(fd_, parts + i, count - i);
    if (result < 0 && errno == EINTR) continue;
    if (result <= 0) return false;
    written += result;
    int64_t skip = result;
    while (i < count && skip >= static_cast<int64_t>(parts[i].iov_len)) {
      skip -= static_cast<int64_t>(parts[i].iov_len);
      ++i;
    }
    if (skip > 0) {
      const auto* base = static_cast<const uint8_t*>(parts[i].iov_base) + skip;
      const size_t left = parts[i].iov_len - static_cast<size_t>(skip);
      if (::write(fd_, base, left) != static_cast<ssize_t>(left)) return false;
      written += static_cast<int64_t>(left);
      ++i;
    }
  }
  file_bytes_ += written;
  appended_bytes_ += written;
  return true;
}

}  // namespace eddy::bench
