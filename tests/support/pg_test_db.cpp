#include "tests/support/pg_test_db.h"

#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>

namespace herdpass::testing {
namespace {

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultCloser {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, ConnCloser>;
using Res = std::unique_ptr<PGresult, ResultCloser>;

void Quiet(void*, const PGresult*) {}

Conn Connect(const std::string& conninfo, std::string& error) {
  Conn c(PQconnectdb(conninfo.c_str()));
  if (PQstatus(c.get()) != CONNECTION_OK) {
    error = std::string("cannot connect to the test PostgreSQL (") + conninfo +
            "): " + PQerrorMessage(c.get());
    return nullptr;
  }
  PQsetNoticeReceiver(c.get(), Quiet, nullptr);
  return c;
}

std::string RunSql(PGconn* c, const std::string& sql) {
  Res r(PQexec(c, sql.c_str()));
  const ExecStatusType st = PQresultStatus(r.get());
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return "";
  return std::string("ERROR: ") + PQresultErrorMessage(r.get());
}

// One parameter of a libpq connection string, as parsed by libpq ("" when absent).
std::string ConninfoValue(const std::string& conninfo, const char* keyword) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (err != nullptr) PQfreemem(err);
  std::string out;
  for (PQconninfoOption* o = opts; o != nullptr && o->keyword != nullptr; ++o) {
    if (std::string(o->keyword) == keyword && o->val != nullptr) out = o->val;
  }
  PQconninfoFree(opts);
  return out;
}

}  // namespace

std::string TestServerConninfo(std::string* why) {
  if (const char* env = std::getenv("HERDPASS_TEST_PG"); env != nullptr && *env != '\0') return env;
  std::string file;
  if (const char* env = std::getenv("HERDPASS_TEST_PG_FILE"); env != nullptr && *env != '\0') {
    file = env;
  } else {
#ifdef HERDPASS_TEST_PG_DEFAULT_FILE
    file = HERDPASS_TEST_PG_DEFAULT_FILE;
#endif
  }
  std::ifstream in(file);
  std::string line;
  if (!file.empty() && std::getline(in, line) && !line.empty()) return line;
  if (why != nullptr) {
    *why =
        "no test PostgreSQL: set HERDPASS_TEST_PG to a connection string, or start the "
        "fixture's cluster with `tests/support/pg_cluster.sh start " +
        (file.empty() ? std::string("DIR") : std::filesystem::path(file).parent_path().string()) +
        "` (ctest does it for the tests that need it)";
  }
  return "";
}

PgTestDatabase::PgTestDatabase() {
  server_ = TestServerConninfo(&error_);
  if (server_.empty()) return;
  std::random_device rd;
  char buf[32];
  std::snprintf(buf, sizeof buf, "hp_test_%08x%08x", rd(), rd());
  name_ = buf;
  Conn c = Connect(server_, error_);
  if (!c) return;
  error_ = RunSql(c.get(), "CREATE DATABASE " + name_);
}

PgTestDatabase::~PgTestDatabase() {
  if (name_.empty() || server_.empty()) return;
  std::string error;
  Conn c = Connect(server_, error);
  if (!c) return;
  (void)RunSql(c.get(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

std::string PgTestDatabase::conninfo() const { return server_ + " dbname=" + name_; }

std::string PgTestDatabase::uri() const {
  std::string host = ConninfoValue(server_, "host");
  std::string port = ConninfoValue(server_, "port");
  std::string user = ConninfoValue(server_, "user");
  std::ostringstream out;
  out << "postgresql://" << (user.empty() ? "" : user + "@") << (host.empty() ? "localhost" : host)
      << (port.empty() ? "" : ":" + port) << "/" << name_ << "?sslmode=disable&gssencmode=disable";
  return out.str();
}

std::string PgTestDatabase::Exec(const std::string& sql) const {
  std::string error;
  Conn c = Connect(conninfo(), error);
  if (!c) return error;
  return RunSql(c.get(), sql);
}

std::vector<std::vector<std::string>> PgTestDatabase::Query(const std::string& sql) const {
  std::string error;
  Conn c = Connect(conninfo(), error);
  if (!c) return {{error}};
  Res r(PQexec(c.get(), sql.c_str()));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK && PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    return {{std::string("ERROR: ") + PQresultErrorMessage(r.get())}};
  }
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    std::vector<std::string> row;
    for (int j = 0; j < PQnfields(r.get()); ++j) row.emplace_back(PQgetvalue(r.get(), i, j));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string PgTestDatabase::Scalar(const std::string& sql) const {
  auto rows = Query(sql);
  if (rows.empty() || rows[0].empty()) return "";
  return rows[0][0];
}

std::vector<std::string> PgColumn(const std::string& conninfo, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  std::vector<std::string> out;
  if (PQstatus(conn) != CONNECTION_OK) {
    out.push_back(std::string("ERROR: ") + PQerrorMessage(conn));
    PQfinish(conn);
    return out;
  }
  PGresult* res = PQexec(conn, sql.c_str());
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    out.push_back(std::string("ERROR: ") + PQresultErrorMessage(res));
  } else {
    for (int i = 0; i < PQntuples(res); ++i) out.emplace_back(PQgetvalue(res, i, 0));
  }
  PQclear(res);
  PQfinish(conn);
  return out;
}

bool IsError(const std::vector<std::string>& column) {
  return column.size() == 1 && column[0].rfind("ERROR: ", 0) == 0;
}

}  // namespace herdpass::testing
