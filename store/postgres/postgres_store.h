// PostgreSQL implementation of Store (DESIGN.md section 8): libpq, numbered migrations applied at
// open, prepared statements, a small persistent pool of reader connections and one writer
// connection whose thread groups concurrent writes into one transaction. See schema.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "domain/status.h"
#include "store/store.h"

namespace herdpass {

struct PostgresOptions {
  // A libpq connection string: keywords ("host=... dbname=...") or a URI
  // ("postgresql://user@host:5432/herdpass"), libpq's multi-host form included.
  std::string conninfo;
  // Reader connections, opened at start and kept: a fresh PostgreSQL backend takes a while to
  // reach full speed, and more connections than cores only contend. 0: the number of cores.
  // The writer has one more connection of its own.
  int pool_size = 0;
  int max_group = 256;  // most write jobs folded into one transaction
};

// True for a --db value that names a PostgreSQL database: a postgresql:// or postgres:// URI.
bool IsPostgresUri(std::string_view db);

// Connects, migrates the schema (creating it in an empty database) and opens the pool. Fails with
// kUnavailable when the server cannot be reached or the schema cannot be migrated, and
// kFailedPrecondition when the database's schema is newer than this program's. No Status carries
// SQL or the server's own message; the log has the latter.
Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options);

// How many times this process's PostgreSQL connections have waited for the server (a statement
// run, or a pipeline of them): for tests that pin the round trips of a use case.
int64_t PostgresRoundTrips();
// How many statements they have sent (in a round trip or a pipeline): for tests that pin the
// statements of a use case.
int64_t PostgresStatements();

// A W1 batch sends its record rows to the server every this many stored records, each such run
// as one statement while the batch goes on, and the rest with its other rows at its end: for
// tests that count a batch's statements.
inline constexpr int kPostgresRecordsPerSend = 128;

// The schema version this program writes (the highest version in schema_migrations).
int PostgresSchemaVersion();

}  // namespace herdpass
