// Online backup of a live SQLite database, and the facts a restore checks a copy against
// (DESIGN.md section 8, W7; the manifest, the key files and the directory handling are cli/'s).
//
// Why SQLite's online backup API and not a file copy: the server keeps writing while the copy is
// taken; the backup API reads every page of ONE snapshot, so the copy is a database as it was at
// one commit, never a mix. The source connection holds that snapshot in an explicit read
// transaction for the whole copy: in WAL mode a reader blocks no writer (a write load goes on at
// full speed; only checkpoints wait, so the WAL grows for the length of the copy), and a
// sqlite3_backup_step() over a held snapshot is never restarted by other connections' commits,
// which a backup that re-opens its read transaction at each step would be, for ever, under a
// steady load. The copy proceeds a few hundred pages per step so that progress can be reported.
//
// Thread-compatible free functions: each opens its own connections and closes them before it
// returns. They may run in the server's process (scheduled backups) or in another one.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "domain/status.h"
#include "store/store.h"

namespace herdpass {

// The last row of the audit chain (seq 0 and an empty hash for an empty log).
struct AuditHead {
  int64_t seq = 0;
  std::string hash;
  bool operator==(const AuditHead&) const = default;
};

// What a database file holds, read in one snapshot of a file that nothing else writes.
struct SqliteFileFacts {
  int schema_version = 0;  // PRAGMA user_version
  // Rows counted in the tables themselves (COUNT(*)), not the writer's counters table: a check
  // that does not trust what it checks.
  StoreCounts counts;
  AuditHead audit_head;
  std::string integrity;  // PRAGMA integrity_check: "ok", or SQLite's list of problems
  int64_t page_size = 0;
  int64_t page_count = 0;
};

struct SqliteBackupOptions {
  int pages_per_step = 256;  // 1 MiB per step at the default page size
  // Called after every step with the pages copied so far and the total (both > 0). Optional.
  std::function<void(int64_t done, int64_t total)> progress;
  // Checked between steps: when set and true, the copy stops (kUnavailable) and `dest` is removed.
  const std::atomic<bool>* cancel = nullptr;
};

// Copies the database `source` (which a server may be writing) into the new file `dest`, as of
// the moment the copy starts: every transaction committed before the call is in the copy,
// nothing committed later is. The copy is a self-contained rollback-journal file (no -wal to go
// with it), fsynced, and checked: the facts returned are read from `dest` after the copy.
// kNotFound when `source` does not exist (it is never created); kAlreadyExists when `dest`
// exists; kUnavailable on an I/O failure; kFailedPrecondition when the copy is not sound
// (integrity_check), then `dest` is removed.
// REQUIRES: dest's directory exists.
Result<SqliteFileFacts> BackupSqliteDatabase(const std::string& source, const std::string& dest,
                                             const SqliteBackupOptions& options = {});

// Reads the facts of `path` (integrity_check reads every page: time grows with the file).
// REQUIRES: no other process writes `path` (a backup, or a copy about to be restored).
// kNotFound when it does not exist; kFailedPrecondition when it is not a HerdPass database.
Result<SqliteFileFacts> InspectSqliteFile(const std::string& path);

// True when another connection (a running `herdpass serve`, in this or another process) has
// the database `path` open: every connection to a WAL database holds a shared lock on the file
// while it is open, so an exclusive lock cannot be had. False when `path` does not exist.
// kUnavailable when `path` cannot be opened at all.
Result<bool> SqliteFileInUse(const std::string& path);

}  // namespace herdpass
