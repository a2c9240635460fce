// Online backup and file checks of the SQLite backend. See backup.h for the contracts.
#include "store/sqlite/backup.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/queries.h"

namespace herdpass {
namespace {

using sqlite::Query;

// The statements of this file, named as every statement of the backend is (queries.h).
constexpr Query kOpenBackupSource{"OpenBackupSource", ""};
constexpr Query kOpenBackupCopy{"OpenBackupCopy", ""};
constexpr Query kBackupStep{"BackupStep", ""};
constexpr Query kBackupQueryOnly{"BackupQueryOnly", "PRAGMA query_only=ON"};
// The first read of a deferred transaction fixes its snapshot.
constexpr Query kBackupBeginSnapshot{"BackupBeginSnapshot", "BEGIN"};
constexpr Query kBackupReadSnapshot{"BackupReadSnapshot", "SELECT COUNT(*) FROM sqlite_schema"};
constexpr Query kBackupEndSnapshot{"BackupEndSnapshot", "COMMIT"};
constexpr Query kCopyJournalDelete{"CopyJournalDelete", "PRAGMA journal_mode=DELETE"};
constexpr Query kCopyIntegrityCheck{"CopyIntegrityCheck", "PRAGMA integrity_check"};
constexpr Query kCopyUserVersion{"CopyUserVersion", "PRAGMA user_version"};
constexpr Query kCopyPageSize{"CopyPageSize", "PRAGMA page_size"};
constexpr Query kCopyPageCount{"CopyPageCount", "PRAGMA page_count"};
constexpr Query kCopyTables{"CopyTables", "SELECT name FROM sqlite_schema WHERE type = 'table'"};
constexpr Query kCountOwners{"CountOwners", "SELECT COUNT(*) FROM owners"};
constexpr Query kCountAnimals{"CountAnimals", "SELECT COUNT(*) FROM animals"};
constexpr Query kCountVaccinations{"CountVaccinations", "SELECT COUNT(*) FROM vaccinations"};
constexpr Query kCountUsers{"CountUsers", "SELECT COUNT(*) FROM users"};
constexpr Query kCountCertificates{"CountCertificates", "SELECT COUNT(*) FROM certificates"};
constexpr Query kCountAudit{"CountAudit", "SELECT COUNT(*) FROM audit"};
constexpr Query kInUseExclusiveMode{"InUseExclusiveMode", "PRAGMA locking_mode=EXCLUSIVE"};
constexpr Query kInUseBegin{"InUseBegin", "BEGIN EXCLUSIVE"};
constexpr Query kInUseRollback{"InUseRollback", "ROLLBACK"};

// An open sqlite3 handle, closed on destruction.
struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* st) const { sqlite3_finalize(st); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

Result<Db> OpenFile(const std::string& path, int flags, const Query& what) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    (void)sqlite::SqlFailure(raw, what, rc);  // logs why
    return Unavailable("cannot open " + path);
  }
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

Status Exec(sqlite3* db, const Query& q) {
  const int rc = sqlite3_exec(db, q.sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite::SqlFailure(db, q, rc);
  return Status::Ok();
}

// Every row's first column, as text.
Result<std::vector<std::string>> Column0(sqlite3* db, const Query& q) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, q.sql, -1, &raw, nullptr);
  Stmt st(raw);
  if (rc != SQLITE_OK) return sqlite::SqlFailure(db, q, rc);
  std::vector<std::string> out;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
    out.emplace_back(text != nullptr ? text : "");
  }
  if (rc != SQLITE_DONE) return sqlite::SqlFailure(db, q, rc);
  return out;
}

Result<int64_t> Int(sqlite3* db, const Query& q) {
  HP_ASSIGN_OR_RETURN(const std::vector<std::string> rows, Column0(db, q));
  if (rows.size() != 1) return Internal(std::string(q.name) + " returned no row");
  return std::stoll(rows.front());
}

Status FsyncFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unavailable("cannot open " + path + " to sync it");
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return Unavailable("cannot sync " + path + " to disk");
  return Status::Ok();
}

// The facts of an open database, read in one transaction.
Result<SqliteFileFacts> ReadFacts(sqlite3* db, const std::string& path) {
  HP_RETURN_IF_ERROR(Exec(db, kBackupBeginSnapshot));
  struct EndRead {
    sqlite3* db;
    ~EndRead() {
      if (sqlite3_get_autocommit(db) == 0) (void)Exec(db, kBackupEndSnapshot);
    }
  } end_read{db};

  auto tables = Column0(db, kCopyTables);
  if (!tables.ok()) {
    return FailedPrecondition(path + " is not a readable SQLite database");
  }
  const std::set<std::string> have(tables->begin(), tables->end());
  for (const char* table : {"owners", "animals", "vaccinations", "users", "audit"}) {
    if (have.count(table) == 0) {
      return FailedPrecondition(path + " is not a HerdPass database (it has no " +
                                std::string(table) + " table)");
    }
  }

  SqliteFileFacts f;
  HP_ASSIGN_OR_RETURN(const std::vector<std::string> integrity, Column0(db, kCopyIntegrityCheck));
  for (const auto& line : integrity) f.integrity += (f.integrity.empty() ? "" : "; ") + line;

  struct Field {
    const Query& query;
    int64_t* out;
  };
  for (const Field& field :
       {Field{kCountOwners, &f.counts.owners}, Field{kCountAnimals, &f.counts.animals},
        Field{kCountVaccinations, &f.counts.vaccinations}, Field{kCountUsers, &f.counts.users},
        Field{kCountAudit, &f.counts.audit_rows}, Field{kCopyPageSize, &f.page_size},
        Field{kCopyPageCount, &f.page_count}}) {
    HP_ASSIGN_OR_RETURN(*field.out, Int(db, field.query));
  }
  if (have.count("certificates") != 0) {
    HP_ASSIGN_OR_RETURN(f.counts.certificates, Int(db, kCountCertificates));
  }
  HP_ASSIGN_OR_RETURN(const int64_t version, Int(db, kCopyUserVersion));
  f.schema_version = static_cast<int>(version);

  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sqlite::kSelectAuditHead.sql, -1, &raw, nullptr);
  Stmt head(raw);
  if (rc != SQLITE_OK) return sqlite::SqlFailure(db, sqlite::kSelectAuditHead, rc);
  rc = sqlite3_step(raw);
  if (rc == SQLITE_ROW) {
    f.audit_head.seq = sqlite3_column_int64(raw, 0);
    const auto* hash = reinterpret_cast<const char*>(sqlite3_column_text(raw, 1));
    f.audit_head.hash = hash != nullptr ? hash : "";
  } else if (rc != SQLITE_DONE) {
    return sqlite::SqlFailure(db, sqlite::kSelectAuditHead, rc);
  }
  return f;
}

}  // namespace

Result<SqliteFileFacts> BackupSqliteDatabase(const std::string& source, const std::string& dest,
                                             const SqliteBackupOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(source, ec)) return NotFound("no database at " + source);
  if (std::filesystem::exists(dest, ec)) return AlreadyExists(dest + " already exists");

  // The source: never created, never written (query_only). Its journal mode is left as it is
  // (every HerdPass database is in WAL mode: the snapshot below blocks no writer).
  HP_ASSIGN_OR_RETURN(Db src, OpenFile(source, SQLITE_OPEN_READWRITE, kOpenBackupSource));
  sqlite3_busy_timeout(src.get(), 5000);
  HP_RETURN_IF_ERROR(Exec(src.get(), kBackupQueryOnly));
  HP_RETURN_IF_ERROR(Exec(src.get(), kBackupBeginSnapshot));
  HP_RETURN_IF_ERROR(Column0(src.get(), kBackupReadSnapshot).status());

  HP_ASSIGN_OR_RETURN(Db dst,
                      OpenFile(dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, kOpenBackupCopy));
  auto remove_dest = [&dest] {
    std::error_code rm;
    std::filesystem::remove(dest, rm);
    std::filesystem::remove(dest + "-journal", rm);
  };

  sqlite3_backup* backup = sqlite3_backup_init(dst.get(), "main", src.get(), "main");
  if (backup == nullptr) {
    Status s = sqlite::SqlFailure(dst.get(), kBackupStep, sqlite3_errcode(dst.get()));
    dst.reset();
    remove_dest();
    return s;
  }
  const int pages = options.pages_per_step > 0 ? options.pages_per_step : 256;
  int rc = SQLITE_OK;
  int busy_retries = 0;
  bool cancelled = false;
  for (;;) {
    if (options.cancel != nullptr && options.cancel->load()) {
      cancelled = true;
      break;
    }
    rc = sqlite3_backup_step(backup, pages);
    if (rc == SQLITE_OK || rc == SQLITE_DONE) {
      const int64_t total = sqlite3_backup_pagecount(backup);
      if (options.progress && total > 0)
        options.progress(total - sqlite3_backup_remaining(backup), total);
      if (rc == SQLITE_DONE) break;
      continue;
    }
    // The destination is private to this call and the source snapshot is held, so a busy answer
    // is not expected; it is retried for a while rather than failing a long backup at once.
    if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && ++busy_retries < 500) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    break;
  }
  const int finish_rc = sqlite3_backup_finish(backup);
  (void)Exec(src.get(), kBackupEndSnapshot);
  src.reset();
  if (cancelled) {
    dst.reset();
    remove_dest();
    return Unavailable("the backup was cancelled");
  }
  if (rc != SQLITE_DONE || finish_rc != SQLITE_OK) {
    Status s = sqlite::SqlFailure(dst.get(), kBackupStep, rc != SQLITE_DONE ? rc : finish_rc);
    dst.reset();
    remove_dest();
    return Unavailable("the backup copy failed: " + s.message());
  }

  // The copied header says WAL (the source's mode); the copy is made a rollback-journal file so
  // that it is whole in itself and can be read where nothing may be written.
  {
    auto mode = Column0(dst.get(), kCopyJournalDelete);
    if (!mode.ok() || mode->size() != 1 || mode->front() != "delete") {
      dst.reset();
      remove_dest();
      return Unavailable("cannot make the copy a self-contained file");
    }
  }
  auto facts = ReadFacts(dst.get(), dest);
  dst.reset();
  if (!facts.ok()) {
    remove_dest();
    return facts.status();
  }
  if (facts->integrity != "ok") {
    remove_dest();
    return FailedPrecondition("the copy fails PRAGMA integrity_check: " + facts->integrity);
  }
  if (std::filesystem::exists(dest + "-wal", ec) ||
      std::filesystem::exists(dest + "-journal", ec)) {
    remove_dest();
    return Internal("the copy left a journal file beside it");
  }
  HP_RETURN_IF_ERROR(FsyncFile(dest));
  return facts;
}

Result<SqliteFileFacts> InspectSqliteFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFound("no database at " + path);
  HP_ASSIGN_OR_RETURN(Db db, OpenFile(path, SQLITE_OPEN_READWRITE, kOpenBackupCopy));
  sqlite3_busy_timeout(db.get(), 5000);
  HP_RETURN_IF_ERROR(Exec(db.get(), kBackupQueryOnly));
  return ReadFacts(db.get(), path);
}

Result<bool> SqliteFileInUse(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return false;
  HP_ASSIGN_OR_RETURN(Db db, OpenFile(path, SQLITE_OPEN_READWRITE, kOpenBackupSource));
  // No busy timeout: a lock held by someone else is the answer, not something to wait out.
  HP_RETURN_IF_ERROR(Exec(db.get(), kInUseExclusiveMode));
  const int rc = sqlite3_exec(db.get(), kInUseBegin.sql, nullptr, nullptr, nullptr);
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) return true;
  if (rc != SQLITE_OK) return sqlite::SqlFailure(db.get(), kInUseBegin, rc);
  (void)Exec(db.get(), kInUseRollback);
  return false;
}

}  // namespace herdpass
