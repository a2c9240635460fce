#include "store/sqlite/connection.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/id_list.h"

namespace herdpass::sqlite {

Status SqlFailure(sqlite3* db, const Query& query, int rc) {
  // The log gets the statement's name and SQLite's own message (which names tables and columns,
  // never the statement text); the Status gets only what a user can act on.
  spdlog::warn("sqlite: {} failed: {} ({})", query.name, db ? sqlite3_errmsg(db) : "no connection",
               rc);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExists("the record already exists");
      }
      return FailedPrecondition("the change conflicts with stored records");
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
    case SQLITE_ERROR:
      return Internal("storage rejected a request");
    default:
      return Unavailable(std::string("storage failed: ") + sqlite3_errstr(rc));
  }
}

namespace {

// hp_names_any (connection.h). The sorted units are kept with the statement between rows as its
// auxiliary data for argument 1 (a bound parameter is the same for every row of one run).
void NamesAnyFunction(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  auto blob = [](sqlite3_value* v) {
    const void* p = sqlite3_value_blob(v);
    const int n = sqlite3_value_bytes(v);
    return p == nullptr ? std::string_view()
                        : std::string_view(static_cast<const char*>(p), static_cast<size_t>(n));
  };
  using Units = std::vector<int64_t>;
  auto* units = static_cast<Units*>(sqlite3_get_auxdata(ctx, 1));
  Units local;
  if (units == nullptr) {
    local = DecodeIds(blob(argv[1]));
    std::sort(local.begin(), local.end());
    sqlite3_set_auxdata(ctx, 1, new Units(local), [](void* p) { delete static_cast<Units*>(p); });
    units = &local;
  }
  sqlite3_result_int(ctx, NamesAnyOf(blob(argv[0]), *units) ? 1 : 0);
}

}  // namespace

int RegisterFunctions(sqlite3* db) {
  return sqlite3_create_function_v2(db, "hp_names_any", 2,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                    NamesAnyFunction, nullptr, nullptr, nullptr);
}

Statement::~Statement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Statement& Statement::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Statement& Statement::Bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}
Statement& Statement::Bind(int i, std::string_view text) {
  sqlite3_bind_text64(stmt_, i, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
Statement& Statement::Bind(int i, std::optional<double> v) { return v ? Bind(i, *v) : BindNull(i); }
Statement& Statement::BindBlob(int i, std::string_view bytes) {
  sqlite3_bind_blob64(stmt_, i, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Result<bool> Statement::Next() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqlFailure(sqlite3_db_handle(stmt_), *query_, rc);
}

Status Statement::Run() {
  int rc;
  while ((rc = sqlite3_step(stmt_)) == SQLITE_ROW) {
  }
  if (rc == SQLITE_DONE) return Status::Ok();
  return SqlFailure(sqlite3_db_handle(stmt_), *query_, rc);
}

std::optional<double> Statement::OptDouble(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Double(col);
}

std::string Statement::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return {};
  return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::string Statement::Blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  if (p == nullptr) return {};
  return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

namespace {

// One pool of page slots shared by every connection's page cache (SQLITE_CONFIG_PAGECACHE with a
// buffer), instead of one malloc and one free per page. In WAL mode a reader's cache is emptied
// whenever another connection has committed since its last read, and every audited read commits
// an audit row: a timeline or a W2 read fetches its pages again each time, and one malloc and one
// free per page was about 9 % of the server's CPU for a timeline (perf, 10 M set).
// SQLite hands out free slots last-in first-out and falls back to malloc when the pool is used
// up, so only the slots in use at once become resident. (A bulk block per connection instead, the
// same option with no buffer, was tried first: the server's RSS after a W2 load on the 10 M set
// was 83 to 90 MB against 64 MB, most likely because SQLite makes such a block for every page
// cache, those of its temporary b-trees included.)
constexpr int kPageSlots = 1024;
constexpr int kPageSize = 4096;  // SQLite's default, which HerdPass's databases keep

// SQLITE_CONFIG_* may only be set before SQLite initializes, which its first open does: this runs
// once, before the first open of a process's stores. If something initialized SQLite before (a
// test opening a file directly), the call fails, changes nothing, and SQLite keeps its default.
// The pool lives as long as the process (SQLite may use it until then).
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    int header = 0;
    if (sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &header) != SQLITE_OK) return;
    const int slot = (kPageSize + header + 7) / 8 * 8;
    static auto* const pool = new uint64_t[static_cast<size_t>(slot) / 8 * kPageSlots];
    if (sqlite3_config(SQLITE_CONFIG_PAGECACHE, pool, slot, kPageSlots) != SQLITE_OK) {
      spdlog::debug("sqlite: page cache left at its default (SQLite already initialized)");
    }
  });
}

constexpr Query kOpen{"Open", ""};
constexpr Query kPragmaJournalWal{"PragmaJournalWal", "PRAGMA journal_mode=WAL"};

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                     const std::string& vfs, int cache_kib,
                                                     bool query_only) {
  ConfigureSqliteOnce();
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, vfs.empty() ? nullptr : vfs.c_str());
  if (rc != SQLITE_OK) {
    (void)SqlFailure(db, kOpen, rc);  // logs why
    sqlite3_close_v2(db);
    return Unavailable("cannot open the database file");
  }
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  rc = RegisterFunctions(db);
  if (rc != SQLITE_OK) {
    (void)SqlFailure(db, kOpen, rc);
    return Unavailable("cannot open the database file");
  }

  // journal_mode answers with a row, so it is stepped rather than Exec'd.
  {
    auto st = conn->Prepare(kPragmaJournalWal);
    if (!st.ok()) return Unavailable("cannot open the database file");
    auto row = st->Next();
    if (!row.ok() || !*row || st->Text(0) != "wal") {
      return Unavailable("cannot switch the database to write-ahead logging");
    }
  }
  // The write connection keeps its statement journal (what a ROLLBACK TO SAVEPOINT restores: the
  // writer runs each job in a savepoint, store/writer.h) in memory: past 64 KiB SQLite would
  // otherwise spill it to a temporary file, created, written and deleted for every group of jobs
  // (an arrival dirties enough pages for that). Only rollbacks inside a transaction read it; what
  // a commit makes durable is the WAL, as before. Bounded by the pages one transaction changes.
  std::string pragmas = "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-" +
                        std::to_string(cache_kib > 0 ? cache_kib : 2048) + ";" +
                        (query_only ? " PRAGMA query_only=ON;" : " PRAGMA temp_store=MEMORY;");
  Query pragma_script{"ConnectionPragmas", pragmas.c_str()};
  HP_RETURN_IF_ERROR(conn->ExecScript(pragma_script));
  return conn;
}

Connection::~Connection() {
  for (auto& [query, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<Statement> Connection::Prepare(const Query& query) {
  auto it = statements_.find(&query);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, query.sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqlFailure(db_, query, rc);
    it = statements_.emplace(&query, stmt).first;
  }
  return Statement(it->second, query);
}

Status Connection::Exec(const Query& query) {
  HP_ASSIGN_OR_RETURN(Statement st, Prepare(query));
  return st.Run();
}

Status Connection::ExecScript(const Query& script) {
  int rc = sqlite3_exec(db_, script.sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqlFailure(db_, script, rc);
  return Status::Ok();
}

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> UuidToBytes(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  std::string out;
  out.reserve(16);
  for (size_t i = 0; i < 36;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    int hi = HexDigit(text[i]);
    int lo = HexDigit(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::string UuidFromBytes(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    auto b = static_cast<unsigned char>(bytes[i]);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

}  // namespace herdpass::sqlite
