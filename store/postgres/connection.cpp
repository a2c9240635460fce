#include "store/postgres/connection.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace herdpass::postgres {
namespace {

// Notices (CREATE TABLE IF NOT EXISTS of an existing table, and the like) go to the debug log
// instead of libpq's default, stderr.
void OnNotice(void* /*arg*/, const PGresult* res) {
  const char* msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  spdlog::debug("postgres: notice: {}", msg != nullptr ? msg : "");
}

constexpr Query kConnect{"Connect", ""};
constexpr Query kPipeline{"Pipeline", ""};

// A pipeline waits for its answers at the latest after this many statements, so that neither side
// blocks on a full socket buffer while the other is still sending.
constexpr size_t kMaxPending = 1024;

std::atomic<int64_t> round_trips{0};
void CountRoundTrip() { round_trips.fetch_add(1, std::memory_order_relaxed); }
std::atomic<int64_t> statements_run{0};
void CountStatement() { statements_run.fetch_add(1, std::memory_order_relaxed); }

}  // namespace

Param::Param(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  value_ = ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

Param::Param(std::optional<double> v) {
  if (v) *this = Param(*v);
}

Param::Param(Timestamp t) : value_(std::to_string(t.time_since_epoch().count())) {}

Param::Param(std::optional<Timestamp> t) {
  if (t) *this = Param(*t);
}

Param::Param(std::optional<Date> d) {
  if (d) *this = Param(*d);
}

int64_t Rows::affected() const {
  const char* n = PQcmdTuples(res_.get());
  return n != nullptr && *n != '\0' ? std::strtoll(n, nullptr, 10) : 0;
}

std::string Rows::Text(int row, int col) const {
  if (IsNull(row, col)) return {};
  return std::string(PQgetvalue(res_.get(), row, col),
                     static_cast<size_t>(PQgetlength(res_.get(), row, col)));
}

int64_t Rows::Int(int row, int col) const {
  if (IsNull(row, col)) return 0;
  return std::strtoll(PQgetvalue(res_.get(), row, col), nullptr, 10);
}

double Rows::Double(int row, int col) const {
  if (IsNull(row, col)) return 0;
  // PostgreSQL 12 and later print a double in its shortest form that reads back exactly.
  return std::strtod(PQgetvalue(res_.get(), row, col), nullptr);
}

std::optional<double> Rows::OptDouble(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Double(row, col);
}

bool Rows::Bool(int row, int col) const {
  return !IsNull(row, col) && PQgetvalue(res_.get(), row, col)[0] == 't';
}

std::optional<Timestamp> Rows::OptTime(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Time(row, col);
}

std::vector<int64_t> Rows::IntArray(int row, int col) const {
  std::vector<int64_t> out;
  if (IsNull(row, col)) return out;
  const char* p = PQgetvalue(res_.get(), row, col);
  while (*p != '\0') {
    if (*p == '-' || (*p >= '0' && *p <= '9')) {
      char* end = nullptr;
      out.push_back(std::strtoll(p, &end, 10));
      p = end;
    } else {
      ++p;  // '{', ',', '}'
    }
  }
  return out;
}

int64_t RoundTrips() { return round_trips.load(std::memory_order_relaxed); }
int64_t Statements() { return statements_run.load(std::memory_order_relaxed); }

Status SqlFailure(const Query& query, const char* sqlstate, std::string_view message) {
  const std::string state = sqlstate != nullptr ? sqlstate : "";
  spdlog::warn("postgres: {} failed: {} ({})", query.name, message,
               state.empty() ? "no SQLSTATE" : state);
  if (state == "23505") return AlreadyExists("the record already exists");
  if (state.rfind("23", 0) == 0) {
    return FailedPrecondition("the change conflicts with stored records");
  }
  // Syntax, undefined objects, bad values, a statement out of place: a bug of ours.
  if (state.rfind("42", 0) == 0 || state.rfind("22", 0) == 0 || state.rfind("25", 0) == 0 ||
      state.rfind("26", 0) == 0 || state.rfind("34", 0) == 0) {
    return Internal("storage rejected a request");
  }
  // Connection loss (08), shutdown (57P), resources (53), serialization (40) and the rest.
  return Unavailable("storage failed: the database server is unavailable");
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    std::string why = conn != nullptr ? PQerrorMessage(conn) : "out of memory";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    spdlog::error("postgres: cannot connect: {}", why);
    PQfinish(conn);
    return Unavailable("cannot connect to the PostgreSQL server");
  }
  PQsetNoticeReceiver(conn, OnNotice, nullptr);
  // No JIT compiling: it pays for long analytic queries, and HerdPass's are short. The trace's walk
  // (queries.h SelectTraceWalk) is estimated costly, since the planner cannot know how few holdings
  // a walk reaches, and took 8.7 s to compile for 60 ms of work on a data set of 1 M movements
  // (bench/RESULTS.md, issue 13).
  PGresult* jit = PQexec(conn, "SET jit = off");
  const bool set = jit != nullptr && PQresultStatus(jit) == PGRES_COMMAND_OK;
  PQclear(jit);
  if (!set) {
    spdlog::error("postgres: cannot turn JIT off: {}", PQerrorMessage(conn));
    PQfinish(conn);
    return Unavailable("cannot connect to the PostgreSQL server");
  }
  return std::unique_ptr<Connection>(new Connection(conn));
}

Connection::~Connection() { PQfinish(conn_); }

Status Connection::Failure(const Query& query, const PGresult* res) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = primary != nullptr ? primary : PQerrorMessage(conn_);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (Broken()) state = nullptr;  // whatever it said, the connection is gone: kUnavailable
  return SqlFailure(query, state, message);
}

Status Connection::Prepare(const Query& query) {
  if (prepared_.contains(&query)) return Status::Ok();
  CountRoundTrip();
  PGresult* res = PQprepare(conn_, query.name, query.sql, 0, nullptr);
  Rows owner(res);
  if (res == nullptr || PQresultStatus(res) != PGRES_COMMAND_OK) return Failure(query, res);
  prepared_.insert(&query);
  return Status::Ok();
}

Result<Rows> Connection::Run(const Query& query, std::initializer_list<Param> params) {
  return Run(query, std::span<const Param>(params.begin(), params.size()));
}

std::string Connection::ParamsKey(std::span<const Param> params) {
  std::string key;
  for (const Param& p : params) {
    if (p.c_str() == nullptr) {
      key += 'n';
    } else {
      const std::string_view v = p.c_str();
      key += std::to_string(v.size());
      key += ':';
      key += v;
    }
  }
  return key;
}

void Connection::SendAhead(const Query& query, std::initializer_list<Param> params) {
  if (!pipeline_) return;
  const std::span<const Param> list(params.begin(), params.size());
  if (!SendPrepared(query, list).ok()) return;
  ahead_.push_back({&query, ParamsKey(list), std::nullopt, true});
  pending_.back().ahead = static_cast<int>(ahead_.size()) - 1;
}

Result<Rows> Connection::Run(const Query& query, std::span<const Param> params) {
  if (pipeline_ && !ahead_.empty()) {
    const std::string key = ParamsKey(params);
    for (Ahead& a : ahead_) {
      if (a.query != &query || a.params != key || (!a.waiting && !a.rows)) continue;
      if (a.waiting) HP_RETURN_IF_ERROR(Sync());
      if (!a.rows) break;
      Rows rows = std::move(*a.rows);
      a.rows.reset();
      return rows;
    }
  }
  if (pipeline_) {
    HP_RETURN_IF_ERROR(SendPrepared(query, params));
    std::vector<Rows> last;
    HP_RETURN_IF_ERROR(SyncPipeline(&last, 1));
    return std::move(last.back());
  }
  HP_RETURN_IF_ERROR(Prepare(query));
  const char* values[32];
  if (params.size() > std::size(values)) return Internal("storage rejected a request");
  int n = 0;
  for (const Param& p : params) values[n++] = p.c_str();
  CountRoundTrip();
  CountStatement();
  PGresult* res = PQexecPrepared(conn_, query.name, n, values, nullptr, nullptr, 0);
  Rows rows(res);
  const ExecStatusType st = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) return Failure(query, res);
  return rows;
}

Result<Rows> Connection::Simple(const Query& query) {
  if (pipeline_) {
    HP_RETURN_IF_ERROR(SendText(query));
    std::vector<Rows> last;
    HP_RETURN_IF_ERROR(SyncPipeline(&last, 1));
    return std::move(last.back());
  }
  CountRoundTrip();
  CountStatement();
  PGresult* res = PQexec(conn_, query.sql);
  Rows rows(res);
  const ExecStatusType st = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) return Failure(query, res);
  return rows;
}

Status Connection::Exec(const Query& query) {
  if (pipeline_) return SendText(query);
  return Simple(query).status();
}

Status Connection::ExecScript(const Query& script) { return Exec(script); }

Status Connection::Send(const Query& query, std::initializer_list<Param> params) {
  if (DeferWrites()) {
    for (const CollectedForm& form : kCollected) {
      if (form.row != &query) continue;
      collected_.push_back({&form, std::vector<Param>(params)});
      return Status::Ok();
    }
  }
  if (pipeline_) return SendPrepared(query, params);
  return Run(query, params).status();
}

namespace {

// One array parameter of a set form: the values of one parameter of the collected rows, as a
// PostgreSQL array literal ({"a",NULL,"b \"c\""}; a bigint[] value goes in as its own literal,
// quoted, and is cast back by the set form).
std::string ArrayOfParams(const std::vector<const Param*>& values) {
  // Sized once and copied a run at a time between the characters to escape (a batch's literals
  // are large: perf showed the byte-at-a-time copy at about 7 % of the server's W1 CPU).
  size_t size = 2;
  for (const Param* p : values) size += p->c_str() == nullptr ? 5 : std::strlen(p->c_str()) + 3;
  std::string out;
  out.reserve(size + size / 16);
  out += '{';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    const char* v = values[i]->c_str();
    if (v == nullptr) {
      out += "NULL";
      continue;
    }
    out += '"';
    const std::string_view text(v);
    size_t from = 0;
    for (size_t at; (at = text.find_first_of("\"\\", from)) != std::string_view::npos;
         from = at + 1) {
      out.append(text, from, at - from);
      out += '\\';
      out += text[at];
    }
    out.append(text, from);
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace

Status Connection::SendCollected(const Query* only) {
  std::vector<Collected> collected;
  if (only == nullptr) {
    collected.swap(collected_);
  } else {
    std::vector<Collected> kept;
    for (Collected& c : collected_)
      (c.form->row == only ? collected : kept).push_back(std::move(c));
    collected_.swap(kept);
  }
  // In kCollected's order: the records, the owners' revisions, the field changes, the receipts.
  for (const CollectedForm& form : kCollected) {
    std::vector<std::vector<const Param*>> columns;
    for (const Collected& c : collected) {
      if (c.form != &form) continue;
      if (columns.empty()) columns.resize(c.params.size());
      if (c.params.size() != columns.size()) return Internal("storage rejected a request");
      for (size_t i = 0; i < c.params.size(); ++i) columns[i].push_back(&c.params[i]);
    }
    if (columns.empty()) continue;
    std::vector<Param> arrays;
    arrays.reserve(columns.size());
    for (const auto& column : columns) arrays.emplace_back(ArrayOfParams(column));
    if (pipeline_) {
      HP_RETURN_IF_ERROR(SendPrepared(*form.set, arrays));
    } else {
      HP_RETURN_IF_ERROR(Run(*form.set, arrays).status());
    }
  }
  // libpq keeps a pipeline's statements in its buffer until it fills or a wait sends them.
  if (only != nullptr && pipeline_ && PQflush(conn_) != 0) return Failure(kPipeline, nullptr);
  return Status::Ok();
}

Status Connection::BeginPipeline() {
  if (pipeline_ || PQenterPipelineMode(conn_) != 1) return Failure(kPipeline, nullptr);
  pipeline_ = true;
  return Status::Ok();
}

Status Connection::EndPipeline() {
  if (!pipeline_) return Status::Ok();
  Status first = pending_.empty() ? Status::Ok() : SyncPipeline(nullptr);
  pipeline_ = false;
  pending_.clear();
  ahead_.clear();
  collected_.clear();
  if (PQexitPipelineMode(conn_) != 1 && first.ok()) first = Failure(kPipeline, nullptr);
  return first;
}

Status Connection::Sync() {
  if (!pipeline_ || pending_.empty()) return Status::Ok();
  return SyncPipeline(nullptr);
}

Status Connection::SendPrepared(const Query& query, std::initializer_list<Param> params) {
  return SendPrepared(query, std::span<const Param>(params.begin(), params.size()));
}

Status Connection::SendPrepared(const Query& query, std::span<const Param> params) {
  if (pending_.size() >= kMaxPending) HP_RETURN_IF_ERROR(SyncPipeline(nullptr));
  if (!prepared_.contains(&query)) {
    if (PQsendPrepare(conn_, query.name, query.sql, 0, nullptr) != 1) {
      return Failure(query, nullptr);
    }
    prepared_.insert(&query);  // taken back if the server refuses it
    pending_.push_back({&query, true});
  }
  const char* values[32];
  if (params.size() > std::size(values)) return Internal("storage rejected a request");
  int n = 0;
  for (const Param& p : params) values[n++] = p.c_str();
  if (PQsendQueryPrepared(conn_, query.name, n, values, nullptr, nullptr, 0) != 1) {
    return Failure(query, nullptr);
  }
  CountStatement();
  pending_.push_back({&query, false});
  return Status::Ok();
}

Status Connection::SendText(const Query& query) {
  if (pending_.size() >= kMaxPending) HP_RETURN_IF_ERROR(SyncPipeline(nullptr));
  if (PQsendQueryParams(conn_, query.sql, 0, nullptr, nullptr, nullptr, nullptr, 0) != 1) {
    return Failure(query, nullptr);
  }
  CountStatement();
  pending_.push_back({&query, false});
  return Status::Ok();
}

Status Connection::SyncPipeline(std::vector<Rows>* kept, size_t keep) {
  CountRoundTrip();
  std::vector<Pending> pending;
  pending.swap(pending_);
  if (PQpipelineSync(conn_) != 1) return Failure(kPipeline, nullptr);
  size_t statements = 0;
  for (const Pending& p : pending) statements += p.prepare ? 0 : 1;
  // Reads sent ahead are not among the last `keep`: they are sent before them.
  Status first = Status::Ok();
  size_t statement = 0;
  for (size_t i = 0; i < pending.size(); ++i) {
    const Pending& p = pending[i];
    PGresult* res = PQgetResult(conn_);
    if (res == nullptr) {  // the connection is gone: nothing more will come
      for (size_t j = i; j < pending.size(); ++j) {
        if (pending[j].prepare) prepared_.erase(pending[j].query);
      }
      return first.ok() ? Failure(*p.query, nullptr) : first;
    }
    Rows rows(res);
    const ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
      if (p.prepare) prepared_.erase(p.query);
      // A statement skipped after an earlier failure (PGRES_PIPELINE_ABORTED) says nothing new.
      if (first.ok()) first = Failure(*p.query, res);
    }
    // Each statement's results end with a null.
    while (PGresult* more = PQgetResult(conn_)) PQclear(more);
    if (p.prepare) continue;
    if (p.ahead >= 0) {
      Ahead& a = ahead_[static_cast<size_t>(p.ahead)];
      a.waiting = false;
      if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) a.rows = std::move(rows);
      ++statement;
      continue;
    }
    if (kept != nullptr && statement + keep >= statements) kept->push_back(std::move(rows));
    ++statement;
  }
  // The sync's own result.
  if (PGresult* sync = PQgetResult(conn_)) {
    const bool synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    if (!synced && first.ok()) first = Failure(kPipeline, nullptr);
  } else if (first.ok()) {
    first = Failure(kPipeline, nullptr);
  }
  if (first.ok() && kept != nullptr && kept->size() != keep) first = Failure(kPipeline, nullptr);
  return first;
}

Result<std::vector<Rows>> Connection::RunAll(const std::vector<Statement>& statements) {
  std::vector<Rows> out;
  if (!pipeline_) {
    for (const Statement& s : statements) {
      HP_ASSIGN_OR_RETURN(Rows rows, Run(s.query, s.params));
      out.push_back(std::move(rows));
    }
    return out;
  }
  if (pending_.size() + 2 * statements.size() >= kMaxPending) HP_RETURN_IF_ERROR(Sync());
  for (const Statement& s : statements) HP_RETURN_IF_ERROR(SendPrepared(s.query, s.params));
  HP_RETURN_IF_ERROR(SyncPipeline(&out, statements.size()));
  return out;
}

PGTransactionStatusType Connection::TransactionStatus() {
  if (!pipeline_ || !pending_.empty()) return PQtransactionStatus(conn_);
  // Leaving and entering pipeline mode with nothing pending is local to libpq.
  if (PQexitPipelineMode(conn_) != 1) return PQtransactionStatus(conn_);
  const PGTransactionStatusType t = PQtransactionStatus(conn_);
  if (PQenterPipelineMode(conn_) != 1) pipeline_ = false;
  return t;
}

bool Connection::InTransaction() {
  const PGTransactionStatusType t = TransactionStatus();
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

bool Connection::InFailedTransaction() { return TransactionStatus() == PQTRANS_INERROR; }

bool Connection::Broken() const { return PQstatus(conn_) == CONNECTION_BAD; }

Status Connection::Reset() {
  PQreset(conn_);
  prepared_.clear();
  pipeline_ = false;
  pending_.clear();
  ahead_.clear();
  collected_.clear();
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn_);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    spdlog::warn("postgres: {} failed: {}", kConnect.name, why);
    return Unavailable("cannot connect to the PostgreSQL server");
  }
  spdlog::info("postgres: reconnected");
  return Status::Ok();
}

}  // namespace herdpass::postgres
