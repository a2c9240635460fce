// Backup and restore of a SQLite data directory (DESIGN.md section 8, W7; issue 4 part 3), as a
// library: `herdpass backup`, `herdpass restore` (cli/backup.h) and the schedule of
// `herdpass serve --backup-every` (backup/schedule.h) call it. The format is written down in
// docs/backup-format.md.
//
// A backup is a directory: herdpass.db (a consistent copy taken with SQLite's online backup API
// while the server writes, store/sqlite/backup.h), keys/*.key (the private signing keys, 0600 in
// a 0700 directory: without them the node cannot sign), herdpass.conf, and manifest.json (format
// version, time, schema version, row counts, audit chain head, integrity_check, SHA-256 and size
// of every file). It is written into OUTDIR.tmp and renamed to OUTDIR only when complete, so a
// directory named OUTDIR is always a whole backup.
//
// The file system, the database files and the clock come in a BackupEnv, so that tests run
// restore's checks on an in-memory file system (tests/backup/).
//
// Thread-compatible free functions: two of them must not work on the same directories at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <ostream>
#include <string>

#include "backup/database_files.h"
#include "backup/file_system.h"
#include "domain/status.h"
#include "domain/time.h"
#include "store/sqlite/backup.h"

namespace herdpass::backup {

inline constexpr int kBackupFormatVersion = 1;

// What backup and restore work on. REQUIRES: each outlives every call given it.
struct BackupEnv {
  FileSystem& fs;
  DatabaseFiles& db;
  const Clock& clock;  // the manifest's created_at
};

// The real file system, SQLite and the system clock.
BackupEnv SystemBackupEnv();

struct BackupSummary {
  std::string dir;
  SqliteFileFacts facts;  // of the copy
  int64_t bytes = 0;      // of every file in the backup
  double seconds = 0;
};

// Takes a backup of the data directory `data_dir` into the new directory `out_dir`.
// kAlreadyExists when `out_dir` exists; kNotFound when there is no database to back up.
// `progress`, when set, gets a line each 5% once the copy has run for a second. `cancel`, when
// set and true, stops the copy (kUnavailable) and leaves nothing behind.
Result<BackupSummary> TakeBackup(const BackupEnv& env, const std::string& data_dir,
                                 const std::string& out_dir, std::ostream* progress = nullptr,
                                 const std::atomic<bool>* cancel = nullptr);

struct RestoreSummary {
  std::string created_at;  // the backup's, from its manifest
  StoreCounts counts;      // of the restored database
  int64_t audit_rows = 0;  // verified
  int key_files = 0;       // restored
  bool conf_restored = false;
  std::string replaced;  // where the database replaced is kept; "" when none was
};

// Checks the backup (every file's SHA-256 and size, integrity_check, counts and audit head as the
// manifest says, the audit chain) and only then puts it in place: the database through a temp
// file in `data_dir` renamed over herdpass.db, the key files likewise. Every failure before the
// final renames leaves `data_dir` as it was (kFailedPrecondition naming each problem of a damaged
// backup, "... is damaged; nothing was restored: ..."). Refuses a data directory whose database a
// running server has open (kFailedPrecondition), and one that holds a database unless `force`
// (kAlreadyExists; the database replaced is kept as herdpass.db.replaced).
// `progress`, when set, gets a line each 5% of the database copy once it has run for a second.
Result<RestoreSummary> RestoreBackup(const BackupEnv& env, const std::string& data_dir,
                                     const std::string& backup_dir, bool force,
                                     std::ostream* progress = nullptr);

namespace detail {
// For the schedule (backup/schedule.cpp): whether `dir` holds only files a backup writes, so that
// an unfinished backup directory may be removed whole.
bool OnlyBackupFiles(FileSystem& fs, const std::string& dir);
std::string StripTrailingSlashes(std::string path);
inline constexpr const char* kManifestName = "manifest.json";
inline constexpr const char* kTmpSuffix = ".tmp";
}  // namespace detail

}  // namespace herdpass::backup
