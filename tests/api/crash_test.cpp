// Crash test (the idea of SQLite's test/crash*.test and leveldb's fault_injection_test, on the real
// binary): clients send W1 batches while the server is killed with SIGKILL at a random moment;
// after a restart, every acknowledged record must be there, every batch must be there whole or not
// at all, the database must pass PRAGMA integrity_check, and the audit chain must verify.
//
// Labelled `slow`: about 20 s. The seed is printed; HERDPASS_CRASH_SEED=<n> repeats a run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"
#include "tests/api/write_load.h"

namespace herdpass::testing {
namespace {

using nlohmann::json;

constexpr int kCycles = 5;
constexpr int kClients = 4;
constexpr int kRecordsPerBatch = 50;

// The ids of every vaccination of the owner with `phone`, as W2 shows them.
std::set<std::string> StoredIds(HttpClient& client, const std::string& token,
                                const std::string& phone) {
  auto r = client.Get("/api/v1/lookup?phone=" + phone, token);
  if (r.status == 404) return {};
  EXPECT_EQ(r.status, 200) << r.body.substr(0, 500);
  std::set<std::string> ids;
  if (r.status != 200) return ids;
  const json vaccinations = r.json().at("vaccinations");
  for (const auto& v : vaccinations) ids.insert(v.at("id").get<std::string>());
  return ids;
}

std::string QueryText(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
    return out;
  }
  while (sqlite3_step(st) == SQLITE_ROW) {
    if (!out.empty()) out += "\n";
    const unsigned char* text = sqlite3_column_text(st, 0);
    out += text ? reinterpret_cast<const char*>(text) : "NULL";
  }
  sqlite3_finalize(st);
  return out;
}

TEST(CrashTest, AcknowledgedBatchesSurviveSigkillWholeAndTheDatabaseStaysSound) {
  uint32_t seed = std::random_device{}();
  if (const char* s = std::getenv("HERDPASS_CRASH_SEED"))
    seed = static_cast<uint32_t>(std::stoul(s));
  std::cout << "HERDPASS_CRASH_SEED=" << seed << "\n";
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> kill_after_ms(300, 1500);

  HerdpassEnv env;
  env.Init();
  env.AddUser({"vacc", "vaccinator", "", ""});
  env.AddUser({"vet", "vet", "", ""});
  const std::vector<std::string> serve_args = {"--lookups-per-minute", "0"};
  env.StartServer(serve_args);
  // Tokens are stored durably too: the same ones must work after every crash.
  const std::string vacc = env.Login("vacc");
  const std::string vet = env.Login("vet");

  std::vector<SentBatch> batches;  // of every cycle
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    SCOPED_TRACE("cycle " + std::to_string(cycle));
    if (cycle > 0) {
      ASSERT_NO_THROW(env.StartServer(serve_args));
    }

    WriteLoad load({.port = env.port(),
                    .token = vacc,
                    .first_phone = 5000 + cycle * kClients,
                    .clients = kClients,
                    .records_per_batch = kRecordsPerBatch,
                    .on_failure = WriteLoadOptions::OnFailure::kServerDied});
    load.Start();
    // The crash comes at a random moment of the load; waiting here is the test, not a readiness
    // poll.
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms(rng)));
    env.KillServer();
    load.Stop();
    const size_t first_batch = batches.size();
    for (auto& b : load.batches()) batches.push_back(std::move(b));

    size_t acked = 0;
    for (size_t i = first_batch; i < batches.size(); ++i) acked += batches[i].acknowledged;
    std::cout << "cycle " << cycle << ": " << batches.size() - first_batch << " batches sent, "
              << acked << " acknowledged before SIGKILL\n";
    EXPECT_GT(acked, 0u) << "no batch was acknowledged before the crash: the test proves nothing";

    ASSERT_NO_THROW(env.StartServer(serve_args));
    auto client = env.Client();
    ASSERT_EQ(client->Get("/api/v1/auth/me", vacc).status, 200) << "token lost in the crash";

    // A batch in flight at the crash, resent, is all created or all duplicate: never half.
    for (size_t i = first_batch; i < batches.size(); ++i) {
      SentBatch& b = batches[i];
      if (b.acknowledged) continue;
      auto r = client->Post("/api/v1/vaccinations/batch", b.body, vacc);
      ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
      std::set<std::string> outcomes;
      const json results = r.json().at("results");
      for (const auto& res : results) outcomes.insert(res.at("status"));
      EXPECT_EQ(outcomes.size(), 1u)
          << "a batch in flight at the crash was stored in part: " << r.body.substr(0, 1000);
      EXPECT_TRUE(outcomes.count("created") || outcomes.count("duplicate"))
          << r.body.substr(0, 500);
      b.acknowledged = true;
    }

    // Every batch of every cycle so far is there whole; nothing else is.
    std::map<std::string, std::set<std::string>> stored;
    for (const auto& b : batches) {
      if (!stored.count(b.phone)) stored[b.phone] = StoredIds(*client, vet, b.phone);
    }
    int64_t expected_records = 0;
    for (const auto& b : batches) {
      const auto& have = stored[b.phone];
      size_t present = 0;
      for (const auto& id : b.ids) present += have.count(id);
      EXPECT_EQ(present, b.ids.size()) << "acknowledged batch of " << b.phone << " lost "
                                       << b.ids.size() - present << " records";
      expected_records += static_cast<int64_t>(b.ids.size());
    }
    int64_t shown = 0;
    for (const auto& [phone, ids] : stored) shown += static_cast<int64_t>(ids.size());
    EXPECT_EQ(shown, expected_records);

    const ExitStatus stopped = env.StopServer();
    EXPECT_TRUE(stopped.exited && stopped.code == 0) << env.ServerLog();

    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(env.database_path().c_str(), &db, SQLITE_OPEN_READWRITE, nullptr),
              SQLITE_OK);
    EXPECT_EQ(QueryText(db, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(QueryText(db, "SELECT COUNT(*) FROM vaccinations"), std::to_string(expected_records));
    EXPECT_EQ(QueryText(db, "SELECT COUNT(*) FROM vaccination_ids"),
              std::to_string(expected_records));
    EXPECT_EQ(QueryText(db, "SELECT value FROM counters WHERE name = 'vaccinations'"),
              std::to_string(expected_records));
    EXPECT_EQ(QueryText(db, "SELECT COUNT(*) FROM owners"),
              QueryText(db, "SELECT value FROM counters WHERE name = 'owners'"));
    EXPECT_EQ(QueryText(db, "SELECT COUNT(*) FROM audit"),
              QueryText(db, "SELECT value FROM counters WHERE name = 'audit'"));
    sqlite3_close(db);

    CommandResult verify = env.Run({"audit", "verify"});
    EXPECT_TRUE(verify.ok()) << verify.out << verify.err;
    if (::testing::Test::HasFailure()) break;
  }
}

// W2's cache hits are answered from the store's writer thread once their audit row is committed
// (HerdService::LookupEncodedThen), and those rows are written without an fsync of their own: a
// SIGKILL right after the last answer still finds a row for every answer given.
TEST(CrashTest, AcknowledgedLookupsKeepTheirAuditRowsThroughSigkill) {
  HerdpassEnv env;
  env.Init();
  env.AddUser({"vacc", "vaccinator", "", ""});
  env.AddUser({"insp", "inspector", "", ""});
  env.StartServer({"--lookups-per-minute", "0"});
  const std::string phone = KzPhone(7100);
  auto client = env.Client();
  json records = json::array();
  for (int i = 0; i < 5; ++i) records.push_back(FlockRecord(phone, DaysFromToday(-i)));
  auto batch =
      client->Post("/api/v1/vaccinations/batch", {{"records", records}}, env.Login("vacc"));
  ASSERT_EQ(batch.status, 200) << batch.body.substr(0, 500);
  const std::string insp = env.Login("insp");

  constexpr int kLookups = 300;  // the first a miss, the rest hits of the answer cache
  for (int i = 0; i < kLookups; ++i) {
    auto r = client->Send("GET", "/api/v1/lookup?phone=" + phone, {}, {}, insp,
                          {{"Accept-Encoding", "gzip"}});
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
    ASSERT_EQ(r.header("Content-Encoding"), "gzip");
  }
  env.KillServer();

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(env.database_path().c_str(), &db, SQLITE_OPEN_READWRITE, nullptr),
            SQLITE_OK);
  EXPECT_EQ(QueryText(db, "PRAGMA integrity_check"), "ok");
  const std::string rows =
      "SELECT COUNT(*) FROM audit WHERE action = 'lookup.phone' AND target = "
      "'phone:" +
      phone + "' AND username = 'insp'";
  EXPECT_EQ(QueryText(db, rows.c_str()), std::to_string(kLookups));
  sqlite3_close(db);
  CommandResult verify = env.Run({"audit", "verify"});
  EXPECT_TRUE(verify.ok()) << verify.out << verify.err;
}

}  // namespace
}  // namespace herdpass::testing
