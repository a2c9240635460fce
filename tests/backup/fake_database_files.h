// A fake DatabaseFiles (backup/database_files.h) over a MemoryFileSystem, for tests: a "database"
// is a file whose content names it ("db:v1"), and what it holds (its SqliteFileFacts, its audit
// chain) is whatever the test Define()d for that content. Copying copies the content. So a test
// can make a copy that is unsound, holds other counts, or has a broken audit chain, without SQLite.
//
// Thread-safe (one mutex).
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "backup/database_files.h"
#include "tests/backup/memory_file_system.h"

namespace herdpass::backup::testing {

class FakeDatabaseFiles final : public DatabaseFiles {
 public:
  static constexpr int kSchemaVersion = 7;

  explicit FakeDatabaseFiles(MemoryFileSystem& fs) : fs_(fs) {}

  // A database file with this content holds `facts`; its audit chain verifies (facts'
  // audit_rows rows) unless BreakAudit.
  void Define(const std::string& content, const SqliteFileFacts& facts) {
    std::lock_guard lock(mu_);
    facts_[content] = facts;
    audit_[content] = {
        .rows = facts.counts.audit_rows, .ok = true, .first_bad_seq = 0, .problem = ""};
  }
  // Files with this content are no HerdPass database any more.
  void Forget(const std::string& content) {
    std::lock_guard lock(mu_);
    facts_.erase(content);
  }
  void BreakAudit(const std::string& content, int64_t seq, const std::string& problem) {
    std::lock_guard lock(mu_);
    audit_[content] = {.rows = seq - 1, .ok = false, .first_bad_seq = seq, .problem = problem};
  }
  void SetInUse(const std::string& path) {
    std::lock_guard lock(mu_);
    in_use_.insert(path);
  }

  int SchemaVersion() override { return kSchemaVersion; }

  Result<SqliteFileFacts> Copy(const std::string& source, const std::string& dest,
                               const SqliteBackupOptions& options) override {
    auto content = fs_.ReadFile(source);
    if (!content) return NotFound(source + " does not exist");
    if (fs_.Exists(dest)) return AlreadyExists(dest + " exists");
    fs_.WriteFile(dest, *content);
    if (options.progress) options.progress(1, 1);
    return Inspect(dest);
  }

  Result<SqliteFileFacts> Inspect(const std::string& path) override {
    auto content = fs_.ReadFile(path);
    if (!content) return NotFound(path + " does not exist");
    std::lock_guard lock(mu_);
    auto it = facts_.find(*content);
    if (it == facts_.end()) return FailedPrecondition(path + " is not a HerdPass database");
    return it->second;
  }

  Result<bool> InUse(const std::string& path) override {
    std::lock_guard lock(mu_);
    return in_use_.contains(path);
  }

  Result<AuditVerification> VerifyAudit(const std::string& path) override {
    auto content = fs_.ReadFile(path);
    if (!content) return NotFound(path + " does not exist");
    std::lock_guard lock(mu_);
    auto it = audit_.find(*content);
    if (it == audit_.end()) return FailedPrecondition(path + " is not a HerdPass database");
    return it->second;
  }

 private:
  MemoryFileSystem& fs_;
  std::mutex mu_;
  std::map<std::string, SqliteFileFacts> facts_;    // guarded by mu_
  std::map<std::string, AuditVerification> audit_;  // guarded by mu_
  std::set<std::string> in_use_;                    // guarded by mu_
};

}  // namespace herdpass::backup::testing
