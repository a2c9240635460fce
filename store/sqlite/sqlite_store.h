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
  // Bytes of the file each reader connection maps into memory (PRAGMA mmap_size), in MiB; 0 reads
  // every page with pread. A reader's page cache is emptied whenever another connection commits
  // (WAL), so under writes (every audited read is one) each read copies its pages in again: a
  // mapped page is read where it lies. SQLite caps the size at its build's SQLITE_MAX_MMAP_SIZE
  // (2 GiB in Debian's); pages beyond are read as before. The mapped pages are the kernel's page
  // cache, shared and reclaimable: they show in the process's RssFile, not RssAnon. The writer
  // maps nothing.
  int reader_mmap_mib = 2048;
};

// Opens (creating and migrating as needed) the database. Fails with kUnavailable when the file
// cannot be opened or migrated, and kFailedPrecondition when its schema is newer than this
// program's.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

// The schema version this program writes (PRAGMA user_version of a migrated database).
int SqliteSchemaVersion();

}  // namespace herdpass
