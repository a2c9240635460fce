// High availability with Patroni and etcd, for real (issue 16 item 1, docs/standby.md): three etcd
// members and three PostgreSQL 15 nodes under Patroni on loopback (tests/ha/patroni_cluster.py),
// and the real `herdpass serve --db` given the three nodes in libpq's multi-host URI with
// target_session_attrs=read-write. Clients send W1 batches throughout (write_load.h) and note every
// acknowledged record by its id.
//
//  - Failovers: the leader's Patroni and PostgreSQL are killed with SIGKILL, ten times in a row;
//    Patroni promotes the synchronous standby, the same server process carries on, and every
//    acknowledged record is read back on the new leader. Every other kill comes after replication
//    was held back (the leader's WAL senders stopped), so that the leader holds commits no replica
//    has: the window in which asynchronous replication loses acknowledged records.
//  - Switchover: `patronictl switchover` under the load; the old leader rejoins as a replica.
//  - AsynchronousControl: synchronous_mode off, replication held back, the leader killed: the same
//    check must find acknowledged records missing, or it could not tell a safe setup from an
//    unsafe one.
//
// Run by `make ha-test` (ctest label `ha`), not by `make test`: a cluster takes 20 s to start and
// a failover about Patroni's ttl (10 s).
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
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

constexpr int kFailovers = 10;
constexpr int kClients = 4;
constexpr int kRecordsPerBatch = 5;

int64_t Ms(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
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

// What a batch record says about the records it held.
struct Count {
  size_t acknowledged = 0;  // records in acknowledged batches
  size_t lost = 0;          // ... of which the leader lacks
};

Count CountLost(const std::vector<SentBatch>& batches, const std::set<std::string>& stored) {
  Count c;
  for (const auto& b : batches) {
    if (!b.acknowledged) continue;
    for (const auto& id : b.ids) {
      ++c.acknowledged;
      c.lost += stored.count(id) == 0;
    }
  }
  return c;
}

// Batches sent at or after `from` and acknowledged before `until`.
int AcknowledgedBetween(const std::vector<SentBatch>& batches, Clock::time_point from,
                        Clock::time_point until) {
  int n = 0;
  for (const auto& b : batches) n += b.acknowledged && b.sent >= from && b.answered < until;
  return n;
}

// The first acknowledgement of a batch sent at or after `since`, as a delay after `since`.
std::optional<Clock::duration> FirstAcknowledgementAfter(const std::vector<SentBatch>& batches,
                                                         Clock::time_point since) {
  std::optional<Clock::duration> first;
  for (const auto& b : batches) {
    if (!b.acknowledged || b.sent < since) continue;
    if (!first || b.answered - since < *first) first = b.answered - since;
  }
  return first;
}

class PatroniTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (load_) load_->Stop();
    if (!cluster_dir_.empty()) (void)Cluster({"stop", cluster_dir_});
  }

  // Runs tests/ha/patroni_cluster.py with `args`; its trimmed stdout, nullopt unless it exits 0.
  // Its stderr goes to the log, shown by ClusterLog().
  std::optional<std::string> Cluster(std::vector<std::string> args,
                                     std::chrono::seconds timeout = std::chrono::seconds(300)) {
    const std::string out_path = scratch_.path() + "/cluster.out";
    ::unlink(out_path.c_str());
    ProcessOptions opts;
    opts.path = HERDPASS_PATRONI_CLUSTER;
    opts.args = std::move(args);
    opts.stdout_path = out_path;
    opts.stderr_path = log_;
    Process p(opts);
    auto status = p.Wait(timeout);
    if (!status) {
      p.Kill(SIGKILL);
      return std::nullopt;
    }
    std::string out = ReadFile(out_path);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    if (!status->exited || status->code != 0) return std::nullopt;
    return out;
  }
  std::string ClusterLog() { return ReadFile(log_); }

  // Starts the cluster (mode "sync" or "async"), herdpass on it, and the write load.
  void StartAll(const std::string& mode) {
    ASSERT_EQ(::chmod(scratch_.path().c_str(), 0755), 0);  // the cluster's user must reach it
    cluster_dir_ = scratch_.path() + "/cluster";
    ASSERT_TRUE(Cluster({"start", cluster_dir_, mode})) << ClusterLog();
    cluster_ = json::parse(ReadFile(cluster_dir_ + "/cluster.json"));
    // herdpass (libpq) reads the password from here: it is in neither the URI nor argv.
    ::setenv("PGPASSFILE", cluster_.at("pgpass").get<std::string>().c_str(), 1);
    const std::string db = cluster_.at("herdpass_db");
    const std::vector<std::string> db_args = {"--data", env_.data_dir(), "--db", db};
    auto with_db = [&](std::vector<std::string> args) {
      args.insert(args.end(), db_args.begin(), db_args.end());
      return args;
    };
    CommandResult init = RunHerdpass(with_db({"init", "--region", "KZ", "--authority", "KZ-ABY"}),
                                     env_.scratch_dir());
    ASSERT_TRUE(init.ok()) << init.out << init.err;
    CommandResult add =
        RunHerdpass(with_db({"user", "add", "--username", "vaccinator", "--role", "vaccinator"}),
                    env_.scratch_dir(), "pw-vaccinator-1234\n");
    ASSERT_TRUE(add.ok()) << add.out << add.err;
    env_.StartServer({"--db", db, "--lookups-per-minute", "0"});
    auto r = env_.Client()->Post("/api/v1/auth/login",
                                 {{"username", "vaccinator"}, {"password", "pw-vaccinator-1234"}});
    ASSERT_EQ(r.status, 200) << r.body;
    token_ = r.json().at("token").get<std::string>();
    // A 503 (no read-write node yet) or a lost connection is counted, and the client carries on
    // with a new batch, as a phone would; any other answer is unexpected().
    load_ = std::make_unique<WriteLoad>(
        WriteLoadOptions{.port = env_.port(),
                         .token = token_,
                         .first_phone = 7000,
                         .clients = kClients,
                         .records_per_batch = kRecordsPerBatch,
                         .on_failure = WriteLoadOptions::OnFailure::kRetry});
    load_->Start();
  }

  // Waits until the cluster is whole again; {leader, synchronous standby or "-"}.
  std::pair<std::string, std::string> Healthy() {
    auto out = Cluster({"healthy", cluster_dir_, "180"});
    EXPECT_TRUE(out) << ClusterLog();
    std::istringstream in(out.value_or(""));
    std::string leader, sync;
    in >> leader >> sync;
    return {leader, sync};
  }

  // Waits until `n` more batches are acknowledged than now.
  bool AcknowledgesMore(int n, std::chrono::seconds timeout = std::chrono::seconds(120)) {
    const int target = load_->acknowledged() + n;
    return PollUntil([&] { return load_->acknowledged() >= target; }, timeout);
  }

  // Superuser connection over `node`'s Unix socket to database herdpass.
  std::string Direct(const std::string& node) {
    const json& n = cluster_.at("nodes").at(node);
    return "host=" + n.at("socket_dir").get<std::string>() +
           " port=" + std::to_string(n.at("pg_port").get<int>()) + " user=postgres dbname=herdpass";
  }

  // The record ids stored on `node`, asked directly.
  std::set<std::string> StoredIds(const std::string& node) {
    const auto ids = PgColumn(Direct(node), "SELECT id::text FROM vaccination_ids");
    EXPECT_FALSE(IsError(ids)) << ids[0];
    return {ids.begin(), ids.end()};
  }

  // How many times pg_rewind succeeded on `node`, from its Patroni log.
  int Rewinds(const std::string& node) {
    std::istringstream in(ReadFile(cluster_dir_ + "/" + node + "/patroni.log"));
    int n = 0;
    for (std::string line; std::getline(in, line);) {
      n += line.find("pg_rewind exit code=0") != std::string::npos;
    }
    return n;
  }

  TempDir scratch_{"herdpass-ha"};
  std::string log_ = scratch_.path() + "/cluster.log";
  std::string cluster_dir_;
  json cluster_;
  HerdpassEnv env_;
  std::string token_;  // the vaccinator's
  std::unique_ptr<WriteLoad> load_;
};

TEST_F(PatroniTest, TenLeadersKilledNoAcknowledgedRecordLost) {
  ASSERT_NO_FATAL_FAILURE(StartAll("sync"));
  size_t total_lost = 0;
  int rewinds_expected = 0;
  std::set<std::string> leaders;
  std::vector<std::pair<Clock::time_point, Clock::time_point>> kills;  // called, returned
  Clock::time_point restarted_at;
  for (int i = 1; i <= kFailovers; ++i) {
    const auto healthy = Healthy();
    if (i > 1) {
      std::cout << "  the killed node rejoined, the cluster whole again "
                << Ms(Clock::now() - restarted_at) << " ms after its Patroni started again\n";
    }
    const std::string leader = healthy.first, sync = healthy.second;
    ASSERT_FALSE(leader.empty() || sync.empty() || sync == "-") << ClusterLog();
    ASSERT_TRUE(AcknowledgesMore(5))
        << "writes do not flow before failover " << i << ": " << env_.ServerLog().substr(0, 4000);
    // Every other time, the leader runs ahead of both replicas before it dies.
    const bool held_back = i % 2 == 0;
    Clock::time_point paused_at = Clock::now();
    if (held_back) {
      ASSERT_TRUE(Cluster({"pause-replication", cluster_dir_})) << ClusterLog();
      paused_at = Clock::now();
      // A commit waits for the synchronous standby's confirmation, which cannot come.
      ASSERT_TRUE(PollUntil(
          [&] {
            const auto waiting =
                PgColumn(Direct(leader),
                         "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'");
            return !IsError(waiting) && waiting != std::vector<std::string>{"0"};
          },
          std::chrono::seconds(60)))
          << "no commit waits for the synchronous standby although replication is held back";
    }
    // The kill happens inside the script, between these two times.
    const auto kill_called_at = Clock::now();
    const auto killed = Cluster({"kill-leader", cluster_dir_});
    const auto killed_at = Clock::now();
    kills.push_back({kill_called_at, killed_at});
    ASSERT_EQ(killed, leader) << ClusterLog();
    const auto promoted = Cluster({"wait-leader", cluster_dir_, leader, "120"});
    ASSERT_TRUE(promoted) << ClusterLog();
    const auto promoted_at = Clock::now();
    EXPECT_EQ(*promoted, sync) << "Patroni promoted another node than the synchronous standby";
    // The dead node's Patroni starts again at once, as an operator would restart a machine; it
    // rejoins on its own (the next Healthy() waits for that), rewound where it diverged.
    ASSERT_TRUE(Cluster({"start-node", cluster_dir_, leader})) << ClusterLog();
    restarted_at = Clock::now();
    leaders.insert(*promoted);
    // The same server, never restarted, acknowledges a batch sent after the kill.
    ASSERT_TRUE(PollUntil([&] { return load_->AcknowledgedSentSince(killed_at) >= 1; },
                          std::chrono::seconds(120)))
        << "failover " << i
        << ": no batch acknowledged within 120 s of the kill: " << env_.ServerLog().substr(0, 4000);
    // Every record acknowledged so far (before the kill, and since on the new leader) is on the
    // new leader.
    const auto batches = load_->Snapshot();
    const Count count = CountLost(batches, StoredIds(*promoted));
    const auto first_ack = FirstAcknowledgementAfter(batches, killed_at);
    ASSERT_TRUE(first_ack.has_value());
    std::cout << "failover " << i << ": " << leader << " killed"
              << (held_back ? " (replication held back)" : "") << ", " << *promoted
              << " promoted (leader " << Ms(promoted_at - killed_at)
              << " ms after the kill); acknowledged " << count.acknowledged << " records, lost "
              << count.lost << "; first acknowledgement " << Ms(*first_ack)
              << " ms after the kill\n";
    total_lost += count.lost;
    EXPECT_EQ(count.lost, 0u) << "failover " << i << ": acknowledged records missing on "
                              << *promoted;
    if (held_back) {
      EXPECT_EQ(AcknowledgedBetween(batches, paused_at, killed_at), 0)
          << "batches were acknowledged while no replica received anything";
      // The dead leader holds WAL the new one never had: it can only rejoin through pg_rewind.
      ++rewinds_expected;
    }
  }
  const auto [leader, sync] = Healthy();  // the last killed node has rejoined too
  ASSERT_FALSE(leader.empty());
  load_->Stop();
  EXPECT_EQ(load_->unexpected(), 0) << load_->first_unexpected();
  const Count count = CountLost(load_->batches(), StoredIds(leader));
  std::cout << kFailovers << " failovers: " << count.acknowledged << " records acknowledged, lost "
            << count.lost << "; " << load_->failed()
            << " requests failed (503 or connection lost) and were sent anew as new batches\n";
  EXPECT_EQ(count.lost, 0u);
  EXPECT_EQ(total_lost, 0u);
  // A batch in flight when its leader died (sent before the kill returned, answered after it was
  // called) was answered 503 (or not at all) and may or may not have been committed: its COMMIT
  // may have reached the synchronous standby while the answer was lost with the leader. Resent as
  // is, as a phone would, it is stored whole or was already stored whole (its records' ids make the
  // resend idempotent), never in part and never twice. Batches that failed later found no
  // read-write node and committed nothing.
  auto client = env_.Client();
  std::set<std::string> expected;
  int resent = 0, already_stored = 0;
  for (const auto& b : load_->batches()) {
    bool in_flight = false;
    for (const auto& [called, returned] : kills) {
      in_flight = in_flight || (b.sent < returned && b.answered >= called);
    }
    if (b.acknowledged) {
      expected.insert(b.ids.begin(), b.ids.end());
      continue;
    }
    if (!in_flight) continue;
    auto r = client->Post("/api/v1/vaccinations/batch", b.body, token_);
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
    std::set<std::string> outcomes;
    const json answer = r.json();
    for (const auto& res : answer.at("results")) outcomes.insert(res.at("status"));
    EXPECT_EQ(outcomes.size(), 1u)
        << "a batch in flight at a kill, resent: " << r.body.substr(0, 1000);
    ++resent;
    already_stored += outcomes == std::set<std::string>{"duplicate"};
    expected.insert(b.ids.begin(), b.ids.end());
  }
  const auto stored = StoredIds(leader);
  std::cout << resent << " batches in flight at a kill resent: " << already_stored
            << " had been stored before the kill, " << resent - already_stored
            << " were stored now; " << stored.size() << " records stored, " << expected.size()
            << " expected\n";
  EXPECT_GT(resent, 0) << "no batch was in flight at any kill";
  size_t missing = 0, extra = 0;
  for (const auto& id : expected) missing += stored.count(id) == 0;
  for (const auto& id : stored) extra += expected.count(id) == 0;
  EXPECT_EQ(missing, 0u) << "acknowledged or resent records missing on the leader";
  EXPECT_EQ(extra, 0u) << "the leader holds records neither acknowledged nor resent";
  EXPECT_GE(leaders.size(), 2u) << "the leadership never moved";
  int rewinds = 0;
  for (const std::string node : {"node1", "node2", "node3"}) rewinds += Rewinds(node);
  std::cout << rewinds << " pg_rewind runs\n";
  EXPECT_GE(rewinds, rewinds_expected) << "killed leaders rejoined without pg_rewind";
  const ExitStatus stopped = env_.StopServer();
  EXPECT_TRUE(stopped.exited && stopped.code == 0) << env_.ServerLog();
}

TEST_F(PatroniTest, SwitchoverUnderLoadOldLeaderRejoinsAsReplica) {
  ASSERT_NO_FATAL_FAILURE(StartAll("sync"));
  const auto [leader, sync] = Healthy();
  ASSERT_FALSE(leader.empty() || sync == "-");
  ASSERT_TRUE(AcknowledgesMore(10)) << env_.ServerLog().substr(0, 4000);
  const auto switched_at = Clock::now();
  const auto old = Cluster({"switchover", cluster_dir_, sync});
  ASSERT_TRUE(old) << ClusterLog();
  // patronictl prints its table, the script the old leader's name last.
  EXPECT_EQ(old->substr(old->rfind('\n') + 1), leader);
  const auto promoted = Cluster({"wait-leader", cluster_dir_, leader, "120"});
  ASSERT_EQ(promoted, sync) << ClusterLog();
  ASSERT_TRUE(PollUntil([&] { return load_->AcknowledgedSentSince(switched_at) >= 10; },
                        std::chrono::seconds(120)))
      << env_.ServerLog().substr(0, 4000);
  // Whole again, led by the candidate, with the old leader among the streaming replicas.
  const auto [now_leader, now_sync] = Healthy();
  EXPECT_EQ(now_leader, sync);
  const auto old_member = Cluster({"member", cluster_dir_, leader});
  ASSERT_TRUE(old_member) << ClusterLog();
  const json m = json::parse(*old_member);
  const auto leader_member = Cluster({"member", cluster_dir_, sync});
  ASSERT_TRUE(leader_member) << ClusterLog();
  const json l = json::parse(*leader_member);
  EXPECT_EQ(m.at("role"), "replica") << m.dump();
  EXPECT_EQ(m.at("state"), "running") << m.dump();
  EXPECT_EQ(m.at("timeline"), l.at("timeline")) << m.dump() << l.dump();
  bool streams_to_old = false;
  for (const auto& r : l.at("replication")) {
    streams_to_old =
        streams_to_old || (r.at("application_name") == leader && r.at("state") == "streaming");
  }
  EXPECT_TRUE(streams_to_old) << l.dump();
  load_->Stop();
  EXPECT_EQ(load_->unexpected(), 0) << load_->first_unexpected();
  const Count count = CountLost(load_->batches(), StoredIds(sync));
  // The write outage: the longest time without an acknowledgement since the switchover began.
  std::vector<Clock::time_point> acks = {switched_at};
  for (const auto& b : load_->batches()) {
    if (b.acknowledged && b.answered > switched_at) acks.push_back(b.answered);
  }
  std::sort(acks.begin(), acks.end());
  Clock::duration outage{};
  for (size_t k = 1; k < acks.size(); ++k) outage = std::max(outage, acks[k] - acks[k - 1]);
  std::cout << "switchover " << leader << " -> " << sync << ": acknowledged " << count.acknowledged
            << " records, lost " << count.lost << "; longest time without an acknowledgement "
            << Ms(outage) << " ms; " << load_->failed() << " requests failed; pg_rewind runs on "
            << leader << ": " << Rewinds(leader) << "\n";
  EXPECT_EQ(count.lost, 0u);
  const ExitStatus stopped = env_.StopServer();
  EXPECT_TRUE(stopped.exited && stopped.code == 0) << env_.ServerLog();
}

TEST_F(PatroniTest, AsynchronousControlLosesAcknowledgedRecords) {
  ASSERT_NO_FATAL_FAILURE(StartAll("async"));
  const auto [leader, sync] = Healthy();
  ASSERT_EQ(sync, "-") << "the control must run without a synchronous standby";
  ASSERT_TRUE(AcknowledgesMore(5)) << env_.ServerLog().substr(0, 4000);
  // The same hold-back as in the failover test: now commits return without the replicas.
  ASSERT_TRUE(Cluster({"pause-replication", cluster_dir_})) << ClusterLog();
  const auto paused_at = Clock::now();
  ASSERT_TRUE(PollUntil([&] { return load_->AcknowledgedSentSince(paused_at) >= 5; },
                        std::chrono::seconds(60)))
      << "fewer than 5 batches acknowledged after the pause";
  const auto killed = Cluster({"kill-leader", cluster_dir_});
  const auto killed_at = Clock::now();
  ASSERT_EQ(killed, leader) << ClusterLog();
  const auto promoted = Cluster({"wait-leader", cluster_dir_, leader, "120"});
  ASSERT_TRUE(promoted) << ClusterLog();
  ASSERT_TRUE(PollUntil([&] { return load_->AcknowledgedSentSince(killed_at) >= 1; },
                        std::chrono::seconds(120)))
      << env_.ServerLog().substr(0, 4000);
  const auto batches = load_->Snapshot();
  const Count count = CountLost(batches, StoredIds(*promoted));
  const auto first_ack = FirstAcknowledgementAfter(batches, killed_at);
  ASSERT_TRUE(first_ack.has_value());
  std::cout << "asynchronous control: " << leader << " killed (replication held back), "
            << *promoted << " promoted; acknowledged " << count.acknowledged << " records, lost "
            << count.lost << "; first acknowledgement " << Ms(*first_ack) << " ms after the kill\n";
  EXPECT_GT(AcknowledgedBetween(batches, paused_at, killed_at), 0)
      << "control: nothing acknowledged while replication was held back";
  EXPECT_GT(count.lost, 0u) << "control: asynchronous replication lost nothing, so the failover "
                               "test's check cannot tell a safe setup from an unsafe one";
}

}  // namespace
}  // namespace herdpass::testing
