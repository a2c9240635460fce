#include "tests/backup/memory_file_system.h"

#include <algorithm>

namespace herdpass::backup::testing {
namespace {

std::string Parent(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

bool Under(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         (dir == "/" || path[dir.size()] == '/');
}

class MemoryReadableFile final : public ReadableFile {
 public:
  explicit MemoryReadableFile(std::string data) : data_(std::move(data)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    const size_t count = std::min(n, data_.size() - pos_);
    std::copy_n(data_.data() + pos_, count, buf);
    pos_ += count;
    return count;
  }
  int64_t size() const override { return static_cast<int64_t>(data_.size()); }

 private:
  const std::string data_;
  size_t pos_ = 0;
};

}  // namespace

class MemoryWritableFile final : public WritableFile {
 public:
  MemoryWritableFile(MemoryFileSystem& fs, std::string path) : fs_(fs), path_(std::move(path)) {}
  Status Append(std::string_view bytes) override { return fs_.AppendTo(path_, bytes); }
  Status Sync() override { return Status::Ok(); }
  Status Close() override { return Status::Ok(); }

 private:
  MemoryFileSystem& fs_;
  const std::string path_;
};

MemoryFileSystem::MemoryFileSystem() { nodes_["/"] = {.is_directory = true, .data = ""}; }

void MemoryFileSystem::MakeParentsLocked(const std::string& path) {
  for (std::string p = Parent(path); p != "/"; p = Parent(p)) {
    nodes_[p].is_directory = true;
  }
}

void MemoryFileSystem::WriteFile(const std::string& path, const std::string& data) {
  std::lock_guard lock(mu_);
  MakeParentsLocked(path);
  nodes_[path] = {.is_directory = false, .data = data};
}

std::optional<std::string> MemoryFileSystem::ReadFile(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(path);
  if (it == nodes_.end() || it->second.is_directory) return std::nullopt;
  return it->second.data;
}

MemoryFileSystem::Snapshot MemoryFileSystem::Files(const std::string& prefix) const {
  std::lock_guard lock(mu_);
  Snapshot out;
  for (const auto& [path, node] : nodes_) {
    if (prefix.empty() || path == prefix || Under(path, prefix)) out.emplace(path, node);
  }
  return out;
}

bool MemoryFileSystem::Exists(const std::string& path) {
  std::lock_guard lock(mu_);
  return nodes_.contains(path);
}

bool MemoryFileSystem::IsDirectory(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(path);
  return it != nodes_.end() && it->second.is_directory;
}

bool MemoryFileSystem::IsRegularFile(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(path);
  return it != nodes_.end() && !it->second.is_directory;
}

Result<std::vector<DirectoryEntry>> MemoryFileSystem::ListDirectory(const std::string& dir) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(dir);
  if (it == nodes_.end() || !it->second.is_directory) {
    return Unavailable("cannot list " + dir + ": No such file or directory");
  }
  std::vector<DirectoryEntry> out;
  for (const auto& [path, node] : nodes_) {
    if (Under(path, dir) && Parent(path) == dir) {
      out.push_back({path.substr(path.rfind('/') + 1), node.is_directory, !node.is_directory});
    }
  }
  return out;
}

Status MemoryFileSystem::CreatePrivateDirectory(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(path);
  if (it != nodes_.end() && !it->second.is_directory) {
    return Unavailable("cannot create " + path + ": File exists");
  }
  MakeParentsLocked(path);
  nodes_[path].is_directory = true;
  return Status::Ok();
}

Status MemoryFileSystem::RestrictToOwner(const std::string& path) {
  std::lock_guard lock(mu_);
  if (!nodes_.contains(path)) return Unavailable("cannot restrict " + path + ": no such file");
  return Status::Ok();
}

Result<std::unique_ptr<ReadableFile>> MemoryFileSystem::OpenForRead(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(path);
  if (it == nodes_.end() || it->second.is_directory) {
    return Unavailable("cannot read " + path + ": No such file or directory");
  }
  return std::unique_ptr<ReadableFile>(std::make_unique<MemoryReadableFile>(it->second.data));
}

Result<std::unique_ptr<WritableFile>> MemoryFileSystem::CreateNewFile(const std::string& path) {
  std::lock_guard lock(mu_);
  if (nodes_.contains(path)) return Unavailable("cannot create " + path + ": File exists");
  auto parent = nodes_.find(Parent(path));
  if (parent == nodes_.end() || !parent->second.is_directory) {
    return Unavailable("cannot create " + path + ": No such file or directory");
  }
  nodes_[path] = {};
  return std::unique_ptr<WritableFile>(std::make_unique<MemoryWritableFile>(*this, path));
}

Status MemoryFileSystem::AppendTo(const std::string& path, std::string_view bytes) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(path);
  if (it == nodes_.end()) return Unavailable("cannot write " + path + ": removed");
  it->second.data.append(bytes);
  return Status::Ok();
}

Status MemoryFileSystem::Rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(from);
  auto parent = nodes_.find(Parent(to));
  if (it == nodes_.end() || parent == nodes_.end() || !parent->second.is_directory) {
    return Unavailable("cannot rename " + from + " to " + to + ": No such file or directory");
  }
  auto target = nodes_.find(to);
  if (target != nodes_.end()) {
    if (target->second.is_directory != it->second.is_directory) {
      return Unavailable("cannot rename " + from + " to " + to + ": not the same kind");
    }
    for (const auto& [path, node] : nodes_) {
      if (Under(path, to)) {
        return Unavailable("cannot rename " + from + " to " + to + ": Directory not empty");
      }
    }
  }
  Snapshot moved;
  for (auto n = nodes_.begin(); n != nodes_.end();) {
    if (n->first == from || Under(n->first, from)) {
      moved.emplace(to + n->first.substr(from.size()), std::move(n->second));
      n = nodes_.erase(n);
    } else {
      ++n;
    }
  }
  for (auto& [path, node] : moved) nodes_[path] = std::move(node);
  return Status::Ok();
}

Status MemoryFileSystem::RemoveAll(const std::string& path) {
  std::lock_guard lock(mu_);
  std::erase_if(nodes_, [&](const auto& n) { return n.first == path || Under(n.first, path); });
  if (path == "/") nodes_["/"] = {.is_directory = true, .data = ""};
  return Status::Ok();
}

Status MemoryFileSystem::SyncPath(const std::string& path) {
  std::lock_guard lock(mu_);
  if (!nodes_.contains(path)) return Unavailable("cannot open " + path + ": no such file");
  return Status::Ok();
}

std::string MemoryFileSystem::Absolute(const std::string& path) { return path; }

}  // namespace herdpass::backup::testing
