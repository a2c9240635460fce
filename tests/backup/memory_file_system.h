// An in-memory FileSystem (backup/file_system.h) for tests: files and directories in a map, no
// disk. A test reads and changes files directly (Files(), WriteFile, Truncate) to build a data
// directory or damage a backup, and compares snapshots to check that nothing changed.
//
// Paths are absolute ("/data/herdpass.db"); "/" exists from the start. Thread-safe (one mutex).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "backup/file_system.h"

namespace herdpass::backup::testing {

class MemoryFileSystem final : public FileSystem {
 public:
  struct Node {
    bool is_directory = false;
    std::string data;
    bool operator==(const Node&) const = default;
  };
  using Snapshot = std::map<std::string, Node>;

  MemoryFileSystem();

  // --- for the test ---
  // Creates or replaces the file `path`, creating its parent directories.
  void WriteFile(const std::string& path, const std::string& data);
  // The content of the file `path`; nullopt when there is no such file.
  std::optional<std::string> ReadFile(const std::string& path) const;
  // Every file and directory under `prefix` ("" = all), by path.
  Snapshot Files(const std::string& prefix = "") const;

  // --- FileSystem ---
  bool Exists(const std::string& path) override;
  bool IsDirectory(const std::string& path) override;
  bool IsRegularFile(const std::string& path) override;
  Result<std::vector<DirectoryEntry>> ListDirectory(const std::string& dir) override;
  Status CreatePrivateDirectory(const std::string& path) override;
  Status RestrictToOwner(const std::string& path) override;
  Result<std::unique_ptr<ReadableFile>> OpenForRead(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> CreateNewFile(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status RemoveAll(const std::string& path) override;
  Status SyncPath(const std::string& path) override;
  std::string Absolute(const std::string& path) override;

 private:
  friend class MemoryWritableFile;
  Status AppendTo(const std::string& path, std::string_view bytes);
  void MakeParentsLocked(const std::string& path);

  mutable std::mutex mu_;
  Snapshot nodes_;  // guarded by mu_
};

}  // namespace herdpass::backup::testing
