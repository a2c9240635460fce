// Numbered schema migrations of the SQLite backend (DESIGN.md section 8).
//
// The schema version lives in PRAGMA user_version. Migrate() applies every migration newer than the
// file's version in one transaction, so a database is never left half-migrated. Migrations are only
// ever appended; a shipped migration is never edited.
#pragma once

#include "domain/status.h"
#include "store/sqlite/connection.h"

namespace herdpass::sqlite {

// The schema version this program writes.
int LatestSchemaVersion();

// REQUIRES: `conn` is open for writing and has no open transaction.
// kFailedPrecondition when the file's schema is newer than LatestSchemaVersion(); kUnavailable when
// a migration cannot be applied (nothing is changed then).
Status Migrate(Connection& conn);

}  // namespace herdpass::sqlite
