#pragma once

// A file descriptor owner shared between the log and in-flight reads: a segment deleted by
// retention stays readable (through sendfile) until the last reader drops its reference.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace eddy::storage {

class File {
 public:
  // Opens (or with `create`, creates) a file for reading and writing; nullptr on error (logged,
  // errno kept).
  static std::shared_ptr<File> open(const std::filesystem::path& path, bool create);

  File(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  ~File();
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  int fd() const { return fd_; }
  const std::filesystem::path& path() const { return path_; }
  // Current size from fstat; -1 on error.
  int64_t size_bytes() const;

 private:
  int fd_;
  std::filesystem::path path_;
};

// Whole-buffer positional I/O that retries short transfers and EINTR. A read past the end of
// the file fails.
bool pread_all(int fd, uint8_t* data, size_t size, int64_t position);
bool pwrite_all(int fd, const uint8_t* data, size_t size, int64_t position);

// fsync of a directory, so created, renamed and removed entries are durable.
bool fsync_dir(const std::filesystem::path& dir);

// Writes `content` to `path` atomically: temp file, fsync, rename, fsync of the directory.
bool write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace eddy::storage
