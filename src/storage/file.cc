#include "storage/file.h"

#include <cerrno>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

namespace eddy::storage {

std::shared_ptr<File> File::open(const std::filesystem::path& path, bool create) {
  int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0);
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) {
    const int error_number = errno;  // callers react to EMFILE
    spdlog::error("storage: open {} failed: {}", path.string(), std::strerror(error_number));
    errno = error_number;
    return nullptr;
  }
  return std::make_shared<File>(fd, path);
}

File::~File() {
  ::close(fd_);
}

int64_t File::size_bytes() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return -1;
  return st.st_size;
}

bool pread_all(int fd, uint8_t* data, size_t size, int64_t position) {
  while (size > 0) {
    ssize_t n = ::pread(fd, data, size, position);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
    position += n;
  }
  return true;
}

bool pwrite_all(int fd, const uint8_t* data, size_t size, int64_t position) {
  while (size > 0) {
    ssize_t n = ::pwrite(fd, data, size, position);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
    position += n;
  }
  return true;
}

bool fsync_dir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

bool write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    spdlog::error("storage: create {} failed: {}", tmp.string(), std::strerror(errno));
    return false;
  }
  bool ok = pwrite_all(fd, reinterpret_cast<const uint8_t*>(content.data()), content.size(), 0) &&
            ::fsync(fd) == 0;
  ::close(fd);
  ok = ok && ::rename(tmp.c_str(), path.c_str()) == 0 && fsync_dir(path.parent_path());
  if (!ok) spdlog::error("storage: writing {} failed: {}", path.string(), std::strerror(errno));
  return ok;
}

}  // namespace eddy::storage
