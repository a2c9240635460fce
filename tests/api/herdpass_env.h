// Black-box test environment: a data directory made by the real `herdpass init` and `user add`, and
// a `herdpass serve` process on a free port (DESIGN.md section 11: API tests start the real
// server).
//
// Not thread-safe: one test thread drives it; HttpClients made from it may be used on other threads
// (one client per thread). The destructor kills a server still running and removes the directory.
//
// With HERDPASS_TEST_API_DB=postgres in the environment (the `postgres.` registrations of the
// black-box tests, tests/api/CMakeLists.txt), every environment keeps its records in a PostgreSQL
// database of its own on the `postgres` fixture's cluster: each herdpass command and the server get
// `--db postgresql://...`. Without a test server that throws: nothing is skipped.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/pg_test_db.h"
#include "tests/support/process.h"

namespace herdpass::testing {

// Path of the herdpass binary under test (the build passes it as HERDPASS_BIN).
const std::string& HerdpassBinary();

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "herdpass-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct CommandResult {
  ExitStatus status;
  std::string out;  // stdout
  std::string err;  // stderr
  bool ok() const { return status.exited && status.code == 0; }
};

// Runs `herdpass args...` to completion with `stdin_text` on its standard input; `scratch_dir`
// holds the files that carry stdin/stdout/stderr. Throws std::runtime_error when it does not end
// within `timeout`.
CommandResult RunHerdpass(const std::vector<std::string>& args, const std::string& scratch_dir,
                          const std::string& stdin_text = "",
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

// One user of the test deployment.
struct TestUser {
  std::string username;
  std::string role;       // "vaccinator", "vet", "inspector", "admin", "auditor"
  std::string authority;  // "" = the deployment's
  std::string password;   // filled in for admin by init
};

class HerdpassEnv {
 public:
  static constexpr const char* kRegion = "KZ";
  static constexpr const char* kAuthority = "KZ-ABY";

  HerdpassEnv();
  ~HerdpassEnv();
  HerdpassEnv(const HerdpassEnv&) = delete;
  HerdpassEnv& operator=(const HerdpassEnv&) = delete;

  const std::string& data_dir() const { return data_dir_; }
  // The SQLite database file (meaningless when postgres()).
  std::string database_path() const;
  // The environment keeps its records in PostgreSQL (HERDPASS_TEST_API_DB=postgres).
  bool postgres() const { return pg_ != nullptr; }

  // `herdpass init --region KZ --authority KZ-ABY`; remembers the admin password. Throws on
  // failure.
  void Init();
  // The same for another deployment (a neighbouring country's node: "UZ", "UZ-TO").
  void Init(const std::string& region, const std::string& authority);
  const std::string& authority() const { return authority_; }
  // `herdpass user add`, password on stdin; the user's authority defaults to the deployment's.
  // Throws on failure.
  void AddUser(const TestUser& user);
  const TestUser& user(const std::string& username) const;

  // Starts `herdpass serve` on a free port with `extra_args` and waits until /healthz answers 200;
  // "{port}" in an argument is replaced by that port. Throws (with the server's stderr) when it
  // does not come up.
  void StartServer(const std::vector<std::string>& extra_args = {});
  // SIGTERM and wait (graceful); returns how the server ended.
  ExitStatus StopServer();
  // SIGKILL and reap: a crash.
  void KillServer();
  bool server_running();
  int port() const { return port_; }
  // A free port the next StartServer listens on (for a URL another process must be given before
  // the server starts: Kannel's inbound post-url). Should it be taken meanwhile, StartServer
  // throws rather than move to another port the URL does not name.
  int ReservePort();

  std::unique_ptr<HttpClient> Client() const;
  // POST /auth/login; returns the token. Throws unless the answer is 200.
  std::string Login(const std::string& username);
  // Runs another herdpass command against this data directory (`--data DIR` is appended).
  CommandResult Run(std::vector<std::string> args, const std::string& stdin_text = "");
  // Runs `sql` on the deployment's database (SQLite or PostgreSQL) behind herdpass's back, as an
  // older version or an operator with a SQL shell would. Throws on failure.
  void ExecSql(const std::string& sql);

  // The server's stderr so far, for failure messages.
  std::string ServerLog() const;
  // A scratch directory of this environment (removed with it), for files a test writes.
  const std::string& scratch_dir() const { return dir_.path(); }

 private:
  // Appends `--db URI` when the records live in PostgreSQL.
  void AddDbOption(std::vector<std::string>& args) const;

  TempDir dir_;
  std::unique_ptr<PgTestDatabase> pg_;  // when postgres()
  std::string data_dir_;
  std::string authority_ = kAuthority;
  std::map<std::string, TestUser> users_;
  std::unique_ptr<Process> server_;
  int port_ = 0;
  int reserved_port_ = 0;
  int server_starts_ = 0;
};

// Reads a whole file ("" when missing).
std::string ReadFile(const std::string& path);

}  // namespace herdpass::testing
