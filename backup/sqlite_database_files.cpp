#include "backup/database_files.h"
#include "store/sqlite/sqlite_store.h"

namespace herdpass::backup {
namespace {

class Sqlite final : public DatabaseFiles {
 public:
  int SchemaVersion() override { return SqliteSchemaVersion(); }
  Result<SqliteFileFacts> Copy(const std::string& source, const std::string& dest,
                               const SqliteBackupOptions& options) override {
    return BackupSqliteDatabase(source, dest, options);
  }
  Result<SqliteFileFacts> Inspect(const std::string& path) override {
    return InspectSqliteFile(path);
  }
  Result<bool> InUse(const std::string& path) override { return SqliteFileInUse(path); }
  Result<AuditVerification> VerifyAudit(const std::string& path) override {
    SqliteOptions opts;
    opts.path = path;
    opts.readers = 1;
    HP_ASSIGN_OR_RETURN(auto store, OpenSqliteStore(opts));
    return store->VerifyAudit();
  }
};

}  // namespace

DatabaseFiles& SqliteDatabaseFiles() {
  static Sqlite* const db = new Sqlite;  // never destroyed: used until the process ends
  return *db;
}

}  // namespace herdpass::backup
