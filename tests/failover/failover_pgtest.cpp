// Failover test (issue 4 part 4, docs/standby.md), on the real binary: `herdpass serve --db` is
// given a PostgreSQL primary and its synchronous standby (tests/failover/pg_pair.sh) through
// libpq's multi-host string with target_session_attrs=read-write. Clients send W1 batches and note
// every acknowledged one; replication is held back for a moment (so that the primary's WAL runs
// ahead of the standby's, which is where asynchronous replication loses commits), the primary is
// killed with SIGKILL, the standby is promoted, and then:
//  - every acknowledged batch is on the promoted standby, asked directly with libpq, whole;
//  - no batch was acknowledged while the standby received nothing;
//  - the same server, never restarted, acknowledges batches again and answers W2 lookups;
//  - a batch that failed during the outage, resent, is stored all or nothing, never in part.
// The control experiment runs the same with asynchronous replication and must find acknowledged
// batches missing: otherwise the checks above could not tell a safe setup from an unsafe one.
//
// Labelled `slow` (15-30 s each on a busy 2-core machine).
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <stdlib.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"
#include "tests/api/write_load.h"
#include "tests/support/pg_test_db.h"

namespace herdpass::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kClients = 4;
constexpr int kRecordsPerBatch = 20;

// Runs tests/failover/pg_pair.sh with `args`; its output goes to `log`. True on exit 0.
bool PgPair(const std::vector<std::string>& args, const std::string& log) {
  ProcessOptions opts;
  opts.path = HERDPASS_PG_PAIR;
  opts.args = args;
  opts.stdout_path = log;
  opts.stderr_path = log;
  Process p(opts);
  auto status = p.Wait(std::chrono::seconds(240));
  if (!status) {
    p.Kill(SIGKILL);
    return false;
  }
  return status->exited && status->code == 0;
}

// The variables of DIR/pair.env (NAME=value or NAME='value').
std::map<std::string, std::string> ReadPairEnv(const std::string& path) {
  std::map<std::string, std::string> vars;
  std::istringstream in(ReadFile(path));
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
      value = value.substr(1, value.size() - 2);
    }
    vars[line.substr(0, eq)] = value;
  }
  return vars;
}

// Polls `done` until it holds; false after `timeout`. The pause between polls only spaces them.
bool PollUntil(const std::function<bool()>& done, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// The parameter: "sync" (the setup of docs/standby.md) or "async" (the control experiment).
class FailoverTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    pair_dir_ = scratch_.path() + "/pair";
    log_ = scratch_.path() + "/pg_pair.log";
    // The servers run as the postgres user when the test runs as root: it must reach pair_dir_.
    ASSERT_EQ(::chmod(scratch_.path().c_str(), 0755), 0);
    ASSERT_TRUE(PgPair({"start", pair_dir_, GetParam()}, log_)) << ReadFile(log_);
    vars_ = ReadPairEnv(pair_dir_ + "/pair.env");
    ASSERT_FALSE(vars_["HERDPASS_DB"].empty()) << ReadFile(pair_dir_ + "/pair.env");
    // herdpass (libpq) reads the password from here: it is in neither the URI nor argv.
    ::setenv("PGPASSFILE", vars_["PGPASSFILE"].c_str(), 1);
  }
  void TearDown() override { (void)PgPair({"stop", pair_dir_}, log_); }

  // Superuser connection over the Unix socket to database herdpass on `port_var`'s server.
  std::string Direct(const std::string& port_var) {
    return "host=" + vars_["SOCKET_DIR"] + " port=" + vars_[port_var] +
           " user=postgres dbname=herdpass";
  }

  TempDir scratch_{"herdpass-failover"};
  std::string pair_dir_;
  std::string log_;
  std::map<std::string, std::string> vars_;
};

TEST_P(FailoverTest, PrimaryKilledUnderLoadThenStandbyPromoted) {
  const bool sync = GetParam() == "sync";
  const std::string db = vars_["HERDPASS_DB"];
  HerdpassEnv env;
  // init and user add on the PostgreSQL database (the data directory keeps the keys and config).
  const std::vector<std::string> db_args = {"--data", env.data_dir(), "--db", db};
  auto with_db = [&](std::vector<std::string> args) {
    args.insert(args.end(), db_args.begin(), db_args.end());
    return args;
  };
  CommandResult init =
      RunHerdpass(with_db({"init", "--region", "KZ", "--authority", "KZ-ABY"}), env.scratch_dir());
  ASSERT_TRUE(init.ok()) << init.out << init.err;
  for (const std::string role : {"vaccinator", "vet"}) {
    CommandResult add = RunHerdpass(with_db({"user", "add", "--username", role, "--role", role}),
                                    env.scratch_dir(), "pw-" + role + "-1234\n");
    ASSERT_TRUE(add.ok()) << add.out << add.err;
  }
  ASSERT_EQ(PgColumn(Direct("PRIMARY_PORT"), "SELECT count(*) FROM users"),
            std::vector<std::string>{"3"})
      << "init and user add did not write to the primary";

  env.StartServer({"--db", db, "--lookups-per-minute", "0"});
  auto login = [&](const std::string& user) {
    auto r = env.Client()->Post("/api/v1/auth/login",
                                {{"username", user}, {"password", "pw-" + user + "-1234"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json().at("token").get<std::string>() : std::string();
  };
  const std::string vacc = login("vaccinator");
  const std::string vet = login("vet");
  ASSERT_FALSE(vacc.empty() || vet.empty());

  // A 503 (the database is unavailable) or a lost connection is noted, not fatal: the clients
  // carry on, as phones would.
  WriteLoad load({.port = env.port(),
                  .token = vacc,
                  .first_phone = 7000,
                  .clients = kClients,
                  .records_per_batch = kRecordsPerBatch,
                  .on_failure = WriteLoadOptions::OnFailure::kRetry});
  load.Start();
  auto acks_reach = [&load](int n) { return [&load, n] { return load.acknowledged() >= n; }; };

  ASSERT_TRUE(PollUntil(acks_reach(20), std::chrono::seconds(60)))
      << "fewer than 20 batches acknowledged in 60 s: " << env.ServerLog();
  // Hold replication back: with synchronous replication no commit can return now.
  // The WAL sender is stopped (SIGSTOP) when pg_pair.sh returns: a batch sent after this point
  // commits after the standby stopped receiving.
  ASSERT_TRUE(PgPair({"pause-replication", pair_dir_}, log_)) << ReadFile(log_);
  const auto paused_at = Clock::now();
  // Wait for what the two setups are about, instead of for a while:
  if (sync) {
    // a commit held back on the primary, waiting for the standby's confirmation;
    ASSERT_TRUE(PollUntil(
        [&] {
          return PgColumn(Direct("PRIMARY_PORT"),
                          "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'") !=
                 std::vector<std::string>{"0"};
        },
        std::chrono::seconds(60)))
        << "no commit waits for the standby although its WAL sender is stopped";
  } else {
    // batches sent after the pause and acknowledged, which the standby therefore lacks.
    ASSERT_TRUE(PollUntil([&] { return load.AcknowledgedSentSince(paused_at) >= 5; },
                          std::chrono::seconds(60)))
        << "fewer than 5 batches acknowledged after the pause";
  }
  const int failed_before_crash = load.failed();
  ASSERT_TRUE(PgPair({"crash-primary", pair_dir_}, log_)) << ReadFile(log_);
  const auto crashed_at = Clock::now();
  const int acked_at_crash = load.acknowledged();
  // The server has seen the loss once a client got a 503 or lost its connection.
  ASSERT_TRUE(
      PollUntil([&] { return load.failed() > failed_before_crash; }, std::chrono::seconds(60)))
      << "no request failed after the primary was killed: " << env.ServerLog().substr(0, 4000);
  ASSERT_TRUE(PgPair({"promote", pair_dir_}, log_)) << ReadFile(log_);
  const auto promoted_at = Clock::now();

  // The same server, not restarted, must acknowledge writes again.
  const bool resumed = PollUntil(acks_reach(load.acknowledged() + 10), std::chrono::seconds(60));
  const auto resumed_at = Clock::now();
  load.Stop();
  ASSERT_TRUE(resumed) << "the server did not acknowledge a batch within 60 s of the promotion: "
                       << env.ServerLog().substr(0, 4000);
  std::cout
      << "acknowledged " << acked_at_crash << " batches before the crash, "
      << load.acknowledged() - acked_at_crash << " after; " << load.failed()
      << " failed (503 or connection lost); writes resumed "
      << std::chrono::duration_cast<std::chrono::milliseconds>(resumed_at - promoted_at).count()
      << " ms after promotion\n";
  EXPECT_EQ(load.unexpected(), 0) << load.first_unexpected();

  // Nothing acknowledged while the synchronous standby received nothing: no batch sent after the
  // pause was acknowledged before the crash (one sent before may have been confirmed by the
  // standby just before the pause, and answered after it).
  int acked_while_held_back = 0;
  for (const auto& b : load.batches()) {
    acked_while_held_back += b.acknowledged && b.sent >= paused_at && b.answered < crashed_at;
  }

  // Every acknowledged record is on the promoted standby, asked directly.
  const auto stored_list = PgColumn(Direct("STANDBY_PORT"), "SELECT id::text FROM vaccination_ids");
  ASSERT_FALSE(!stored_list.empty() && stored_list[0].rfind("ERROR", 0) == 0) << stored_list[0];
  const std::set<std::string> stored(stored_list.begin(), stored_list.end());
  size_t acked_records = 0, lost = 0;
  for (const auto& b : load.batches()) {
    if (!b.acknowledged) continue;
    for (const auto& id : b.ids) {
      ++acked_records;
      lost += stored.count(id) == 0;
    }
  }
  std::cout << acked_while_held_back << " batches acknowledged while replication was held back; "
            << lost << " of " << acked_records << " acknowledged records missing\n";
  if (sync) {
    EXPECT_EQ(acked_while_held_back, 0)
        << "batches were acknowledged while the synchronous standby received nothing";
    EXPECT_EQ(lost, 0u) << lost << " of " << acked_records
                        << " acknowledged records are missing on the promoted standby";
  } else {
    EXPECT_GT(acked_while_held_back, 0) << "control: nothing acknowledged while held back";
    EXPECT_GT(lost, 0u) << "control: asynchronous replication lost nothing, so this test cannot "
                           "tell a safe setup from an unsafe one";
    return;  // what follows holds only when nothing acknowledged was lost
  }
  EXPECT_EQ(PgColumn(Direct("STANDBY_PORT"), "SELECT pg_is_in_recovery()"),
            std::vector<std::string>{"f"});

  // A batch that failed in the outage, resent, is stored whole or was already whole.
  auto client = env.Client();
  int64_t expected_records = 0;
  for (auto& b : load.batches()) {
    expected_records += static_cast<int64_t>(b.ids.size());
    if (b.acknowledged) continue;
    auto r = client->Post("/api/v1/vaccinations/batch", b.body, vacc);
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
    std::set<std::string> outcomes;
    const json results = r.json().at("results");
    for (const auto& res : results) outcomes.insert(res.at("status"));
    EXPECT_EQ(outcomes.size(), 1u)
        << "a batch that failed in the outage, resent: " << r.body.substr(0, 1000);
  }
  EXPECT_EQ(PgColumn(Direct("STANDBY_PORT"), "SELECT count(*) FROM vaccination_ids"),
            std::vector<std::string>{std::to_string(expected_records)});

  // W2 through the same server: every record of every owner.
  for (int c = 0; c < kClients; ++c) {
    HttpResponse r;
    for (int attempt = 0; attempt < 20; ++attempt) {  // a reader connection may still be stale
      r = client->Get("/api/v1/lookup?phone=" + KzPhone(7000 + c), vet);
      if (r.status != 503) break;
    }
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
    size_t shown = r.json().at("vaccinations").size();
    size_t sent = 0;
    for (const auto& b : load.batches()) sent += b.phone == KzPhone(7000 + c) ? b.ids.size() : 0;
    EXPECT_EQ(shown, sent) << "owner " << KzPhone(7000 + c);
  }
  const ExitStatus stopped = env.StopServer();
  EXPECT_TRUE(stopped.exited && stopped.code == 0) << env.ServerLog();
}

INSTANTIATE_TEST_SUITE_P(Replication, FailoverTest, ::testing::Values("sync", "async"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param == "sync" ? std::string("Synchronous")
                                                             : std::string("AsynchronousControl");
                         });

}  // namespace
}  // namespace herdpass::testing
