// A database of its own for each PostgreSQL test, on the throwaway cluster of the `postgres` CTest
// fixture (tests/support/pg_cluster.sh).
//
// The server comes from HERDPASS_TEST_PG (a libpq connection string to its maintenance database),
// or else from the file named by HERDPASS_TEST_PG_FILE, which the fixture writes (CTest sets the
// variable; the build's own fixture file is the default). Nothing here skips: with no server, every
// PostgreSQL test fails and says how to get one.
#pragma once

#include <string>
#include <vector>

namespace herdpass::testing {

// The connection string of the test server's maintenance database, or "" with `why` set.
std::string TestServerConninfo(std::string* why = nullptr);

// One column of every row of `sql` run on `conninfo` (any server, not only the fixture's), or one
// "ERROR: ..." value when the connection or the statement fails.
std::vector<std::string> PgColumn(const std::string& conninfo, const std::string& sql);
// Whether `column` is PgColumn's "ERROR: ..." answer.
bool IsError(const std::vector<std::string>& column);

// A new database with a random name, dropped (with any connection still open to it) on
// destruction. Not thread-safe; one per test.
class PgTestDatabase {
 public:
  PgTestDatabase();
  ~PgTestDatabase();
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;

  // False (with the reason) when the server or the database could not be had.
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& name() const { return name_; }
  // A libpq keyword string for this database.
  std::string conninfo() const;
  // The same as a postgresql:// URI (for `herdpass --db`).
  std::string uri() const;

  // Runs `sql` on this database on a connection of its own; "" on success, else the error.
  std::string Exec(const std::string& sql) const;
  // The rows of `sql` (text values, NULL as ""), or one row holding "ERROR: ..." on failure.
  std::vector<std::vector<std::string>> Query(const std::string& sql) const;
  // The first value of the first row of `sql`, "" when none.
  std::string Scalar(const std::string& sql) const;

 private:
  std::string server_;  // conninfo of the maintenance database
  std::string name_;
  std::string error_;
};

}  // namespace herdpass::testing
