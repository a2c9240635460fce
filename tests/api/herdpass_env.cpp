#include "tests/api/herdpass_env.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

namespace herdpass::testing {
namespace {

std::string Join(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += " " + a;
  return out;
}

// Waits until `server` has written "herdpass serving" to `log` past its first `offset` bytes; false
// when it exits first or 30 s pass.
bool WaitForServingLine(Process& server, const std::string& log, size_t offset) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = ReadFile(log);
    if (text.size() > offset && text.find("herdpass serving", offset) != std::string::npos) {
      return true;
    }
    if (!server.Running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace

const std::string& HerdpassBinary() {
  static const std::string path = HERDPASS_BIN;
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TempDir::TempDir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp " + pattern + " failed");
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

CommandResult RunHerdpass(const std::vector<std::string>& args, const std::string& scratch_dir,
                          const std::string& stdin_text, std::chrono::milliseconds timeout) {
  static int counter = 0;
  const std::string base = scratch_dir + "/cmd" + std::to_string(++counter);
  const std::string in_path = base + ".in", out_path = base + ".out", err_path = base + ".err";
  {
    std::ofstream in(in_path, std::ios::binary);
    in << stdin_text;
  }
  // Process has no stdin redirection; a shell does it without any quoting of the arguments.
  ProcessOptions opts;
  opts.path = "/bin/sh";
  opts.args = {"-c", "exec \"$0\" \"$@\" < \"$HP_TEST_STDIN\"", HerdpassBinary()};
  opts.args.insert(opts.args.end(), args.begin(), args.end());
  opts.env = {{"HP_TEST_STDIN", in_path}};
  opts.stdout_path = out_path;
  opts.stderr_path = err_path;
  Process p(opts);
  auto status = p.Wait(timeout);
  if (!status) throw std::runtime_error("herdpass" + Join(args) + " did not finish in time");
  CommandResult r{*status, ReadFile(out_path), ReadFile(err_path)};
  std::error_code ec;
  for (const auto& f : {in_path, out_path, err_path}) std::filesystem::remove(f, ec);
  return r;
}

HerdpassEnv::HerdpassEnv() : dir_("herdpass-api"), data_dir_(dir_.path() + "/data") {
  const char* db = std::getenv("HERDPASS_TEST_API_DB");
  if (db != nullptr && std::string(db) == "postgres") {
    pg_ = std::make_unique<PgTestDatabase>();
    if (!pg_->ok()) throw std::runtime_error("HERDPASS_TEST_API_DB=postgres: " + pg_->error());
  }
}

void HerdpassEnv::AddDbOption(std::vector<std::string>& args) const {
  if (!pg_) return;
  args.push_back("--db");
  args.push_back(pg_->uri());
}

HerdpassEnv::~HerdpassEnv() {
  if (server_) KillServer();
}

std::string HerdpassEnv::database_path() const { return data_dir_ + "/herdpass.db"; }

CommandResult HerdpassEnv::Run(std::vector<std::string> args, const std::string& stdin_text) {
  args.push_back("--data");
  args.push_back(data_dir_);
  AddDbOption(args);
  return RunHerdpass(args, dir_.path(), stdin_text);
}

void HerdpassEnv::ExecSql(const std::string& sql) {
  if (pg_) {
    const std::string error = pg_->Exec(sql);
    if (!error.empty()) throw std::runtime_error("SQL failed: " + error);
    return;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(database_path().c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    const std::string error = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + database_path() + ": " + error);
  }
  sqlite3_busy_timeout(db, 10000);  // the server may be writing
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  const std::string error = message ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  if (rc != SQLITE_OK) throw std::runtime_error("SQL failed: " + error);
}

void HerdpassEnv::Init() { Init(kRegion, kAuthority); }

void HerdpassEnv::Init(const std::string& region, const std::string& authority) {
  auto r = Run({"init", "--region", region, "--authority", authority});
  const std::string marker = "admin password: ";
  auto at = r.out.find(marker);
  if (!r.ok() || at == std::string::npos) {
    throw std::runtime_error("herdpass init failed: " + r.out + r.err);
  }
  std::string password = r.out.substr(at + marker.size());
  password = password.substr(0, password.find_first_of("\r\n"));
  authority_ = authority;
  users_["admin"] = {"admin", "admin", authority, password};
}

void HerdpassEnv::AddUser(const TestUser& user) {
  TestUser u = user;
  if (u.password.empty()) u.password = "pw-" + u.username + "-1234";
  if (u.authority.empty()) u.authority = authority_;
  auto r =
      Run({"user", "add", "--username", u.username, "--role", u.role, "--authority", u.authority},
          u.password + "\n");
  if (!r.ok()) throw std::runtime_error("herdpass user add " + u.username + " failed: " + r.err);
  users_[u.username] = u;
}

const TestUser& HerdpassEnv::user(const std::string& username) const {
  auto it = users_.find(username);
  if (it == users_.end()) throw std::runtime_error("no test user " + username);
  return it->second;
}

int HerdpassEnv::ReservePort() {
  reserved_port_ = FindFreePort();
  return reserved_port_;
}

void HerdpassEnv::StartServer(const std::vector<std::string>& extra_args) {
  if (server_ && server_->Running()) throw std::runtime_error("the server is already running");
  // A port found free may be taken by someone else before serve binds it: then serve exits, and
  // another port is tried.
  const int reserved = std::exchange(reserved_port_, 0);
  for (int attempt = 0; attempt < (reserved != 0 ? 1 : 5); ++attempt) {
    port_ = reserved != 0 ? reserved : FindFreePort();
    ProcessOptions opts;
    opts.path = HerdpassBinary();
    opts.args = {"serve", "--data", data_dir_, "--listen", "127.0.0.1:" + std::to_string(port_)};
    AddDbOption(opts.args);
    for (std::string arg : extra_args) {
      // "{port}": the port this start listens on (a URL the server gives others to call it back).
      for (size_t at; (at = arg.find("{port}")) != std::string::npos;) {
        arg.replace(at, 6, std::to_string(port_));
      }
      opts.args.push_back(std::move(arg));
    }
    opts.stdout_path = dir_.path() + "/serve.out";
    opts.stderr_path = dir_.path() + "/serve.err";
    ++server_starts_;
    const size_t log_before = ReadFile(opts.stdout_path).size();
    server_ = std::make_unique<Process>(opts);
    // Another test's server may hold the port: then the port answers, but not ours. Ours says
    // "herdpass serving" once it has bound the port.
    if (server_->WaitForPort("127.0.0.1", port_, std::chrono::seconds(30)) &&
        WaitForServingLine(*server_, opts.stdout_path, log_before)) {
      break;
    }
    if (server_->Running()) {
      throw std::runtime_error("herdpass serve did not listen within 30 s: " + ServerLog());
    }
    server_.reset();
  }
  if (!server_) throw std::runtime_error("herdpass serve did not start: " + ServerLog());
  // Listening is not necessarily serving: poll /healthz.
  HttpClient client("127.0.0.1", port_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (client.Get("/healthz").status == 200) return;
    } catch (const std::runtime_error&) {
      client.Close();
    }
    if (!server_->Running()) break;
  }
  throw std::runtime_error("herdpass serve never answered /healthz: " + ServerLog());
}

ExitStatus HerdpassEnv::StopServer() {
  if (!server_) throw std::runtime_error("no server to stop");
  server_->Kill(SIGTERM);
  auto status = server_->Wait(std::chrono::seconds(30));
  if (!status) {
    KillServer();
    throw std::runtime_error("herdpass serve did not stop within 30 s of SIGTERM");
  }
  server_.reset();
  return *status;
}

void HerdpassEnv::KillServer() {
  if (!server_) return;
  server_->Kill(SIGKILL);
  (void)server_->Wait(std::chrono::seconds(30));
  server_.reset();
}

bool HerdpassEnv::server_running() { return server_ && server_->Running(); }

std::unique_ptr<HttpClient> HerdpassEnv::Client() const {
  return std::make_unique<HttpClient>("127.0.0.1", port_);
}

std::string HerdpassEnv::Login(const std::string& username) {
  const TestUser& u = user(username);
  auto client = Client();
  auto r = client->Post("/api/v1/auth/login", {{"username", u.username}, {"password", u.password}});
  if (r.status != 200) {
    throw std::runtime_error("login as " + username + " answered " + std::to_string(r.status) +
                             ": " + r.body);
  }
  return r.json().at("token").get<std::string>();
}

std::string HerdpassEnv::ServerLog() const {
  return ReadFile(dir_.path() + "/serve.err") + ReadFile(dir_.path() + "/serve.out");
}

}  // namespace herdpass::testing
