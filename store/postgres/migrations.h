// Numbered schema migrations of the PostgreSQL backend: the same numbers, and the same logical
// schema at each number, as store/sqlite/migrations.cpp. schema_migrations holds one row per
// applied migration.
#pragma once

#include "domain/status.h"
#include "store/postgres/connection.h"

namespace herdpass::postgres {

// Brings the database to the latest schema in one transaction, under an advisory lock so that
// servers starting together on one database migrate it once. kFailedPrecondition when the
// database's schema is newer than this program's; kUnavailable when a migration fails.
Status Migrate(Connection& conn);

int LatestSchemaVersion();

}  // namespace herdpass::postgres
