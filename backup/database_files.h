// The database files as backup and restore see them (backup/backup.h): copying a live database,
// reading the facts of a copy, whether a server has it open, and walking its audit chain. An
// interface so that restore's checks are unit-tested with a fake whose "databases" are whatever a
// test says they hold (tests/backup/fake_database_files.h); SqliteDatabaseFiles() does the real
// work with store/sqlite/backup.h and the SQLite store.
//
// Thread-safety: SqliteDatabaseFiles() is safe from any thread.
#pragma once

#include <string>

#include "domain/status.h"
#include "store/sqlite/backup.h"
#include "store/store.h"

namespace herdpass::backup {

class DatabaseFiles {
 public:
  virtual ~DatabaseFiles() = default;
  // The schema version this program writes and reads.
  virtual int SchemaVersion() = 0;
  // BackupSqliteDatabase (store/sqlite/backup.h), same contract.
  virtual Result<SqliteFileFacts> Copy(const std::string& source, const std::string& dest,
                                       const SqliteBackupOptions& options) = 0;
  // InspectSqliteFile, same contract.
  virtual Result<SqliteFileFacts> Inspect(const std::string& path) = 0;
  // SqliteFileInUse, same contract.
  virtual Result<bool> InUse(const std::string& path) = 0;
  // Opens `path` as a store, walks its audit chain (Store::VerifyAudit) and closes it; the close
  // checkpoints, so no -wal file is left beside it.
  virtual Result<AuditVerification> VerifyAudit(const std::string& path) = 0;
};

// The real one. Lives for the whole process.
DatabaseFiles& SqliteDatabaseFiles();

}  // namespace herdpass::backup
