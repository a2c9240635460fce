// SQLite implementation of Store: WAL, synchronous=FULL, numbered migrations, one writer thread
// that groups concurrent writes into one transaction, and a pool of reader connections.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "domain/status.h"
#include "store/store.h"

namespace herdpass {

struct SqliteOptions {
  std::string path;     // database file; created when missing
  int readers = 4;      // reader connections
  int max_group = 256;  // most write jobs folded into one transaction
  // Name of a registered SQLite VFS to open the database with ("" = the default). Fault tests
  // register a wrapping VFS (store/sqlite/fault_vfs.h) and name it here.
  std::string vfs;
  int cache_kib = 2048;  // page cache per connection
};

// Opens (creating and migrating as needed) the database. Fails with kUnavailable when the file
// cannot be opened or migrated, and kFailedPrecondition when its schema is newer than this
// program's.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

// What the writer has done since the store was opened: for /metrics, and for tests that check that
// concurrent writes really shared commits.
struct SqliteWriterStats {
  int64_t jobs = 0;                 // write calls run
  int64_t commits = 0;              // transactions committed (one fsync each)
  int64_t failed_transactions = 0;  // groups that failed as a whole (every job got kUnavailable)
  int64_t queued = 0;               // write calls waiting for the writer right now
};

// The writer statistics of `store`, or nullopt when it is not a SQLite store.
std::optional<SqliteWriterStats> GetSqliteWriterStats(const Store& store);

// The schema version this program writes (PRAGMA user_version of a migrated database).
int SqliteSchemaVersion();

}  // namespace herdpass
