// Private key files (cert/keys.h): POSIX open/fstat rather than iostreams, for O_EXCL, O_NOFOLLOW,
// the file mode and fsync.
#include "cert/keys.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cert/detail/bytes.h"

namespace herdpass::cert {
namespace {

constexpr std::string_view kMagic = "herdpass-ed25519-seed:";
// The line is 22 + 44 + 1 = 67 bytes; read a little more to notice a longer file.
constexpr size_t kMaxFileBytes = 128;

// Closes a descriptor on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool IsKidHex(std::string_view s) {
  if (s.size() != 16) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string Errno(std::string_view what, const std::filesystem::path& p) {
  return std::string(what) + " " + p.string() + ": " + std::strerror(errno);
}

// Makes `dir` (mode 0700) and its missing parents. An existing directory is left as it is.
Status MakeKeyDir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path(), ec);
  if (ec) return Unavailable("cannot create " + dir.parent_path().string() + ": " + ec.message());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return Unavailable(Errno("mkdir", dir));
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Unavailable(dir.string() + " is not a directory");
  }
  return Status::Ok();
}

}  // namespace

Status WriteKeyFile(const std::filesystem::path& dir, const Ed25519Signer& signer) {
  HP_RETURN_IF_ERROR(MakeKeyDir(dir));
  const std::filesystem::path path = dir / (signer.kid_hex() + ".key");
  Fd f;
  f.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (f.fd < 0) {
    if (errno == EEXIST) return AlreadyExists("key file " + path.string() + " exists");
    return Unavailable(Errno("cannot create", path));
  }
  // The umask may only take bits away from 0600; set it exactly anyway.
  if (::fchmod(f.fd, 0600) != 0) return Unavailable(Errno("chmod", path));
  std::string line = std::string(kMagic) + detail::Base64(signer.seed()) + "\n";
  size_t written = 0;
  Status status;
  while (written < line.size()) {
    ssize_t n = ::write(f.fd, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      status = Unavailable(Errno("cannot write", path));
      break;
    }
    written += static_cast<size_t>(n);
  }
  if (status.ok() && ::fsync(f.fd) != 0) status = Unavailable(Errno("cannot fsync", path));
  sodium_memzero(line.data(), line.size());
  if (!status.ok()) {
    ::unlink(path.c_str());  // a half-written key file would later read as a corrupt key
    return status;
  }
  // The new name must survive a crash too.
  Fd d;
  d.fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d.fd >= 0) ::fsync(d.fd);
  return Status::Ok();
}

Result<Ed25519Signer> ReadKeyFile(const std::filesystem::path& dir, const std::string& kid_hex) {
  // The kid becomes a file name: only 16 lowercase hex digits, so never "../" or a slash.
  if (!IsKidHex(kid_hex)) return InvalidArgument("kid", "must be 16 lowercase hex digits");
  const std::filesystem::path path = dir / (kid_hex + ".key");
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (f.fd < 0) {
    if (errno == ENOENT) return NotFound("no key file " + path.string());
    if (errno == ELOOP) return FailedPrecondition(path.string() + " is a symbolic link");
    return Unavailable(Errno("cannot open", path));
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return Unavailable(Errno("cannot stat", path));
  if (!S_ISREG(st.st_mode)) return FailedPrecondition(path.string() + " is not a regular file");
  if ((st.st_mode & 077) != 0) {
    return FailedPrecondition(
        path.string() + " is readable or writable by group or others: chmod 600 " + path.string());
  }
  char buf[kMaxFileBytes];
  size_t got = 0;
  while (got < sizeof buf) {
    ssize_t n = ::read(f.fd, buf + got, sizeof buf - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Unavailable(Errno("cannot read", path));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  std::string_view text(buf, got);
  Status bad = FailedPrecondition(path.string() + " is not a herdpass-ed25519-seed key file");
  if (text.size() < kMagic.size() + 1 || text.substr(0, kMagic.size()) != kMagic ||
      text.back() != '\n') {
    sodium_memzero(buf, sizeof buf);
    return bad;
  }
  auto seed = detail::FromBase64(text.substr(kMagic.size(), text.size() - kMagic.size() - 1));
  sodium_memzero(buf, sizeof buf);
  if (!seed || seed->size() != crypto_sign_SEEDBYTES) return bad;
  auto signer = Ed25519Signer::FromSeed(*seed);
  sodium_memzero(seed->data(), seed->size());
  if (!signer.ok()) return bad;
  if (signer->kid_hex() != kid_hex) {
    return FailedPrecondition(path.string() + " holds the key " + signer->kid_hex() +
                              ", not the key its name says");
  }
  return signer;
}

}  // namespace herdpass::cert
