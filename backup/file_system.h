// The file system as backup, restore and the backup schedule see it (backup/backup.h): the few
// operations they need, behind an interface so that a test runs them on an in-memory fake
// (tests/backup/memory_file_system.h) and can damage a backup, truncate a file or fail a rename
// without a disk (leveldb's Env, reduced to what is used here).
//
// Paths are '/'-separated strings as the caller gives them. Errors are values: kUnavailable naming
// the path and the cause ("cannot create /d/x: Permission denied").
//
// Thread-safety: PosixFileSystem() is safe from any thread; a fake says its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "domain/status.h"

namespace herdpass::backup {

struct DirectoryEntry {
  std::string name;  // the last component only
  bool is_directory = false;
  bool is_regular_file = false;
};

// A file open for reading, from its start. Owned by the caller; closed by the destructor.
class ReadableFile {
 public:
  virtual ~ReadableFile() = default;
  // Up to `n` bytes into `buf`; 0 at the end of the file.
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
  // The size when it was opened.
  virtual int64_t size() const = 0;
};

// A new file open for writing. Owned by the caller; the destructor closes it (without a sync).
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view bytes) = 0;
  // fsync: what was appended is on disk when this returns ok.
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  virtual bool Exists(const std::string& path) = 0;
  virtual bool IsDirectory(const std::string& path) = 0;
  virtual bool IsRegularFile(const std::string& path) = 0;
  // The entries of `dir` (not "." and ".."), in no particular order.
  virtual Result<std::vector<DirectoryEntry>> ListDirectory(const std::string& dir) = 0;
  // Creates `path` and its missing parents; `path` ends up mode 0700 (readable by its owner only).
  virtual Status CreatePrivateDirectory(const std::string& path) = 0;
  // Makes the file `path` mode 0600 (it holds personal data or a key).
  virtual Status RestrictToOwner(const std::string& path) = 0;
  virtual Result<std::unique_ptr<ReadableFile>> OpenForRead(const std::string& path) = 0;
  // Creates the NEW file `path` (mode 0600 whatever the umask); fails when it exists.
  virtual Result<std::unique_ptr<WritableFile>> CreateNewFile(const std::string& path) = 0;
  // rename(2): atomic; replaces a file at `to`.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Removes `path` and, for a directory, everything under it. Ok when `path` does not exist.
  virtual Status RemoveAll(const std::string& path) = 0;
  // fsync of a file or a directory (a rename is durable once its directory is synced).
  virtual Status SyncPath(const std::string& path) = 0;
  // `path` made absolute and normal ("/srv/herdpass" for "herdpass" run in /srv).
  virtual std::string Absolute(const std::string& path) = 0;
};

// The real file system (POSIX calls and std::filesystem). Lives for the whole process.
FileSystem& PosixFileSystem();

}  // namespace herdpass::backup
