// SQLite implementation of Store: WAL, synchronous=FULL, numbered migrations, one writer thread
// that groups concurrent writes into one transaction, and a pool of reader connections.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "domain/status.h"
#include "store/store.h"

namespace herdpass {

struct SqliteOptions {
  std::string path;     // database file; created when missing
  int readers = 4;      // reader connections
  int max_group = 256;  // most write jobs folded into one transaction
  // Name of a registered SQLite VFS to open the database with ("" = the default). Fault tests
  // register a wrapping VFS (tests/support/fault_vfs.h) and name it here.
  std::string vfs;
  int cache_kib = 2048;  // page cache per connection
};

// Opens (creating and migrating as needed) the database. Fails with kUnavailable when the file
// cannot be opened or migrated, and kFailedPrecondition when its schema is newer than this
// program's.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

// The schema version this program writes (PRAGMA user_version of a migrated database).
int SqliteSchemaVersion();

}  // namespace herdpass
