#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "backup/file_system.h"

namespace herdpass::backup {
namespace {

namespace fs = std::filesystem;

// strerror's text, thread-safely (the scheduler's thread and the server's run at once).
std::string ErrnoText(int e) { return std::error_code(e, std::generic_category()).message(); }

class PosixReadableFile final : public ReadableFile {
 public:
  PosixReadableFile(int fd, std::string path, int64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  ~PosixReadableFile() override { ::close(fd_); }

  Result<size_t> Read(char* buf, size_t n) override {
    for (;;) {
      const ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) return Unavailable("cannot read " + path_ + ": " + ErrnoText(errno));
    }
  }
  int64_t size() const override { return size_; }

 private:
  const int fd_;
  const std::string path_;
  const int64_t size_;
};

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(std::string_view bytes) override {
    size_t written = 0;
    while (written < bytes.size()) {
      const ssize_t w = ::write(fd_, bytes.data() + written, bytes.size() - written);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return Unavailable("cannot write " + path_ + ": " + ErrnoText(errno));
      written += static_cast<size_t>(w);
    }
    return Status::Ok();
  }
  Status Sync() override {
    if (::fsync(fd_) != 0) return Unavailable("cannot sync " + path_ + ": " + ErrnoText(errno));
    return Status::Ok();
  }
  Status Close() override {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return Unavailable("cannot close " + path_ + ": " + ErrnoText(errno));
    return Status::Ok();
  }

 private:
  int fd_;
  const std::string path_;
};

class Posix final : public FileSystem {
 public:
  bool Exists(const std::string& path) override {
    std::error_code ec;
    return fs::exists(path, ec);
  }
  bool IsDirectory(const std::string& path) override {
    std::error_code ec;
    return fs::is_directory(path, ec);
  }
  bool IsRegularFile(const std::string& path) override {
    std::error_code ec;
    return fs::is_regular_file(path, ec);
  }
  Result<std::vector<DirectoryEntry>> ListDirectory(const std::string& dir) override {
    std::vector<DirectoryEntry> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      std::error_code ec2;
      out.push_back({e.path().filename(), e.is_directory(ec2), e.is_regular_file(ec2)});
    }
    if (ec) return Unavailable("cannot list " + dir + ": " + ec.message());
    return out;
  }
  Status CreatePrivateDirectory(const std::string& path) override {
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec) return Unavailable("cannot create " + path + ": " + ec.message());
    if (::chmod(path.c_str(), 0700) != 0) {
      return Unavailable("cannot restrict " + path + " to its owner: " + ErrnoText(errno));
    }
    return Status::Ok();
  }
  Status RestrictToOwner(const std::string& path) override {
    if (::chmod(path.c_str(), 0600) != 0) {
      return Unavailable("cannot restrict " + path + " to its owner: " + ErrnoText(errno));
    }
    return Status::Ok();
  }
  Result<std::unique_ptr<ReadableFile>> OpenForRead(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Unavailable("cannot read " + path + ": " + ErrnoText(errno));
    struct stat st {};
    ::fstat(fd, &st);
    return std::unique_ptr<ReadableFile>(
        std::make_unique<PosixReadableFile>(fd, path, static_cast<int64_t>(st.st_size)));
  }
  Result<std::unique_ptr<WritableFile>> CreateNewFile(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Unavailable("cannot create " + path + ": " + ErrnoText(errno));
    ::fchmod(fd, 0600);  // whatever the umask
    return std::unique_ptr<WritableFile>(std::make_unique<PosixWritableFile>(fd, path));
  }
  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return Unavailable("cannot rename " + from + " to " + to + ": " + ErrnoText(errno));
    }
    return Status::Ok();
  }
  Status RemoveAll(const std::string& path) override {
    std::error_code ec;
    fs::remove_all(path, ec);
    if (ec) return Unavailable("cannot remove " + path + ": " + ec.message());
    return Status::Ok();
  }
  Status SyncPath(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Unavailable("cannot open " + path + ": " + ErrnoText(errno));
    const int rc = ::fsync(fd);
    const int e = errno;
    ::close(fd);
    if (rc != 0) return Unavailable("cannot sync " + path + " to disk: " + ErrnoText(e));
    return Status::Ok();
  }
  std::string Absolute(const std::string& path) override {
    std::error_code ec;
    return fs::absolute(path, ec).lexically_normal().string();
  }
};

}  // namespace

FileSystem& PosixFileSystem() {
  static Posix* const fs = new Posix;  // never destroyed: used until the process ends
  return *fs;
}

}  // namespace herdpass::backup
