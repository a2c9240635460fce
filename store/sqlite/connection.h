// One SQLite connection with its cache of prepared statements, and a thin statement wrapper.
//
// Thread-compatible: a Connection is used by one thread at a time (the writer thread, or a reader
// that leased it from the pool). Opened with SQLITE_OPEN_NOMUTEX for that reason.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/status.h"
#include "store/sqlite/queries.h"

namespace herdpass::sqlite {

// Maps a failed SQLite call to a Status safe to show a user (no SQL text) and logs the query name
// with SQLite's message. Unique and primary key conflicts are kAlreadyExists, other constraints
// kFailedPrecondition, everything else kUnavailable.
Status SqlFailure(sqlite3* db, const Query& query, int rc);

// A cached prepared statement, borrowed from its Connection. Resets itself (and clears its
// bindings) when destroyed, so the next user starts clean. Movable, not copyable.
class Statement {
 public:
  Statement(sqlite3_stmt* stmt, const Query& query) : stmt_(stmt), query_(&query) {}
  Statement(Statement&& other) noexcept : stmt_(other.stmt_), query_(other.query_) {
    other.stmt_ = nullptr;
  }
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  // Parameters are numbered from 1. Text and blobs are copied (SQLITE_TRANSIENT).
  Statement& Bind(int i, int64_t v);
  Statement& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Statement& Bind(int i, double v);
  Statement& Bind(int i, std::string_view text);
  Statement& Bind(int i, const std::string& text) { return Bind(i, std::string_view(text)); }
  Statement& Bind(int i, const char* text) { return Bind(i, std::string_view(text)); }
  Statement& Bind(int i, std::optional<double> v);
  Statement& BindBlob(int i, std::string_view bytes);
  Statement& BindNull(int i);

  // Steps once. ok(true) on a row, ok(false) when done.
  Result<bool> Next();
  // Steps to the end, expecting no rows.
  Status Run();
  // Rows changed by the last Run() of an INSERT, UPDATE or DELETE.
  int64_t Changes() const { return sqlite3_changes64(sqlite3_db_handle(stmt_)); }

  // Columns are numbered from 0. REQUIRES: the last Next() returned true.
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  std::optional<double> OptDouble(int col) const;
  std::string Text(int col) const;
  std::string Blob(int col) const;

 private:
  sqlite3_stmt* stmt_;
  const Query* query_;
};

class Connection {
 public:
  // Opens `path` through the VFS named `vfs` ("" = default) and sets the per-connection pragmas:
  // WAL, synchronous=FULL, foreign keys, busy timeout, page cache size. A `query_only` connection
  // refuses writes (the readers).
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, const std::string& vfs,
                                                  int cache_kib, bool query_only);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_; }

  // The cached prepared statement for `query` (prepared on first use, SQLITE_PREPARE_PERSISTENT).
  Result<Statement> Prepare(const Query& query);
  // Prepares and runs a statement that takes no parameters and returns no rows.
  Status Exec(const Query& query);
  // Runs a multi-statement script (migrations). `name` is what the log shows.
  Status ExecScript(const Query& script);
  // True while a transaction is open on this connection.
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<const Query*, sqlite3_stmt*> statements_;
};

// Registers HerdPass's SQL functions on `db` (Open does so on every connection it opens; a tool
// that runs the store's statements on a connection of its own calls it too). SQLite's result code.
//   hp_names_any(ids, units): 1 when the id blob `ids` (id_list.h) names one of the ids of the
//   blob `units`, else 0 (0 for NULL). `units` is decoded once per statement run
//   (sqlite3_set_auxdata), so a filter over many rows with one bound `units` costs a scan of each
//   row's few bytes.
int RegisterFunctions(sqlite3* db);

// Bytes of a canonical UUID ("8-4-4-4-12" hex, any case) as 16 bytes, or nullopt when malformed.
std::optional<std::string> UuidToBytes(std::string_view text);
// 16 bytes to lowercase canonical text. REQUIRES: bytes.size() == 16.
std::string UuidFromBytes(std::string_view bytes);

}  // namespace herdpass::sqlite
