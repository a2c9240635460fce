#include "store/postgres/connection.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace herdpass::postgres {
namespace {

// Notices (CREATE TABLE IF NOT EXISTS of an existing table, and the like) go to the debug log
// instead of libpq's default, stderr.
void OnNotice(void* /*arg*/, const PGresult* res) {
  const char* msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  spdlog::debug("postgres: notice: {}", msg != nullptr ? msg : "");
}

constexpr Query kConnect{"Connect", ""};

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
  PGresult* res = PQprepare(conn_, query.name, query.sql, 0, nullptr);
  Rows owner(res);
  if (res == nullptr || PQresultStatus(res) != PGRES_COMMAND_OK) return Failure(query, res);
  prepared_.insert(&query);
  return Status::Ok();
}

Result<Rows> Connection::Run(const Query& query, std::initializer_list<Param> params) {
  HP_RETURN_IF_ERROR(Prepare(query));
  const char* values[32];
  if (params.size() > std::size(values)) return Internal("storage rejected a request");
  int n = 0;
  for (const Param& p : params) values[n++] = p.c_str();
  PGresult* res = PQexecPrepared(conn_, query.name, n, values, nullptr, nullptr, 0);
  Rows rows(res);
  const ExecStatusType st = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) return Failure(query, res);
  return rows;
}

Result<Rows> Connection::Simple(const Query& query) {
  PGresult* res = PQexec(conn_, query.sql);
  Rows rows(res);
  const ExecStatusType st = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) return Failure(query, res);
  return rows;
}

Status Connection::Exec(const Query& query) { return Simple(query).status(); }

Status Connection::ExecScript(const Query& script) { return Exec(script); }

bool Connection::InTransaction() const {
  const PGTransactionStatusType t = PQtransactionStatus(conn_);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

bool Connection::InFailedTransaction() const {
  return PQtransactionStatus(conn_) == PQTRANS_INERROR;
}

bool Connection::Broken() const { return PQstatus(conn_) == CONNECTION_BAD; }

Status Connection::Reset() {
  PQreset(conn_);
  prepared_.clear();
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
