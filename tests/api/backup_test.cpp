// Backup and restore on SQLite (W7, DESIGN.md section 8, issue 4 part 3), black-box on the real
// binary: `herdpass backup` taken while clients write, `herdpass restore` into a new data directory
// (counts as the manifest says, `audit verify` passes, every batch acknowledged before the backup
// began is there and every batch is there whole or not at all), damaged backups refused with the
// reason and nothing changed, the refusals that protect a live data directory, and the backups
// `serve --backup-every` schedules.
#include <gtest/gtest.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"
#include "tests/api/write_load.h"

namespace herdpass::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kClients = 4;
constexpr int kRecordsPerBatch = 40;

// --- files ---

// Every file under `dir` (relative path -> content): what "unchanged" means for a data directory.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = ReadFile(e.path());
  }
  return out;
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

std::string Sha256Hex(const std::string& bytes) {
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[sizeof hash * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return hex;
}

int Mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 0777);
}

json Manifest(const std::string& backup_dir) {
  return json::parse(ReadFile(backup_dir + "/manifest.json"));
}

void CopyTree(const std::string& from, const std::string& to) {
  fs::copy(from, to, fs::copy_options::recursive);
}

// Runs one statement on a database file and returns the first column of the first row ("" when
// none).
std::string Sql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db_path;
    sqlite3_close(db);
    return out;
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  } else {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

int64_t CountRows(const std::string& db_path, const std::string& table) {
  return std::stoll(Sql(db_path, "SELECT COUNT(*) FROM " + table));
}

// The value of the Prometheus series `series` (e.g. `x{result="ok"}`), or -1 when absent.
double MetricValue(const std::string& metrics, const std::string& series) {
  size_t at = 0;
  while ((at = metrics.find(series + " ", at)) != std::string::npos) {
    if (at == 0 || metrics[at - 1] == '\n') {
      return std::stod(metrics.substr(at + series.size() + 1));
    }
    at += series.size();
  }
  return -1;
}

// The ids of every vaccination of the owner with `phone`, as W2 shows them.
std::set<std::string> StoredIds(HttpClient& client, const std::string& token,
                                const std::string& phone) {
  auto r = client.Get("/api/v1/lookup?phone=" + phone, token);
  if (r.status == 404) return {};
  EXPECT_EQ(r.status, 200) << r.body.substr(0, 500);
  std::set<std::string> ids;
  if (r.status != 200) return ids;
  const json body = r.json();  // kept: a range-for over a temporary's member would dangle
  for (const auto& v : body.at("vaccinations")) ids.insert(v.at("id").get<std::string>());
  return ids;
}

// A deployment with a few batches stored and a backup of it in `backup_dir`.
struct BackedUp {
  HerdpassEnv env;
  std::string backup_dir;
  std::string vacc_token;
};

void MakeBackedUp(BackedUp& b) {
  b.env.Init();
  b.env.AddUser({"vacc", "vaccinator", "", ""});
  b.env.StartServer();
  b.vacc_token = b.env.Login("vacc");
  auto client = b.env.Client();
  for (int i = 0; i < 3; ++i) {
    json records = json::array();
    for (int r = 0; r < 5; ++r) records.push_back(FlockRecord(KzPhone(100 + i), DaysFromToday(0)));
    ASSERT_EQ(
        client->Post("/api/v1/vaccinations/batch", {{"records", records}}, b.vacc_token).status,
        200);
  }
  b.backup_dir = b.env.scratch_dir() + "/backup";
  CommandResult r = b.env.Run({"backup", b.backup_dir});
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  b.env.StopServer();
}

// --- tests ---

TEST(BackupTest, TakenDuringAWriteLoadItRestoresEveryBatchAcknowledgedBeforeItWhole) {
  HerdpassEnv env;
  env.Init();
  env.AddUser({"vacc", "vaccinator", "", ""});
  env.AddUser({"vet", "vet", "", ""});
  env.StartServer({"--lookups-per-minute", "0"});
  const std::string vacc = env.Login("vacc");
  const std::string vet = env.Login("vet");

  WriteLoad load({.port = env.port(),
                  .token = vacc,
                  .first_phone = 7000,
                  .clients = kClients,
                  .records_per_batch = kRecordsPerBatch,
                  .on_failure = WriteLoadOptions::OnFailure::kTestFailure});
  load.Start();
  // The backup starts once the load is well under way; waiting for that is a poll, not a sleep.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (load.acknowledged() < 20 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GE(load.acknowledged(), 20) << "the load did not get under way within a minute";
  const std::string backup_dir = env.scratch_dir() + "/backup";
  const int64_t backup_started = load.Mark();
  CommandResult backup = env.Run({"backup", backup_dir});
  const int64_t backup_ended = load.Mark();
  // A little more load after the backup: none of it may be in the copy's consistent snapshot
  // unless it was committed before the snapshot (checked below through wholeness and counts).
  load.Stop();
  ASSERT_TRUE(backup.ok()) << backup.out << backup.err;
  env.StopServer();

  size_t before = 0, during = 0;
  for (const auto& b : load.batches()) {
    EXPECT_EQ(b.acknowledged, b.all_created) << "a new batch answered duplicate";
    before += b.acknowledged && b.acked_at < backup_started;
    during += b.acknowledged && b.acked_at > backup_started && b.acked_at < backup_ended;
  }
  std::cout << load.batches().size() << " batches sent, " << before
            << " acknowledged before the backup started, " << during << " while it ran\n"
            << backup.out;
  ASSERT_GE(before, 20u);
  EXPECT_GT(during, 0u) << "no batch was acknowledged while the backup ran: the test proves "
                           "nothing about an online backup";

  // The backup directory: the database, the keys (0600 in 0700) and the manifest.
  const json m = Manifest(backup_dir);
  EXPECT_EQ(m.at("format"), "herdpass-backup");
  EXPECT_EQ(m.at("format_version"), 1);
  EXPECT_EQ(m.at("database").at("integrity_check"), "ok");
  EXPECT_EQ(Mode(backup_dir), 0700);
  EXPECT_EQ(Mode(backup_dir + "/keys"), 0700);
  std::set<std::string> listed;
  for (const auto& f : m.at("files")) {
    const std::string path = f.at("path");
    listed.insert(path);
    const std::string content = ReadFile(backup_dir + "/" + path);
    EXPECT_EQ(f.at("size").get<size_t>(), content.size()) << path;
    EXPECT_EQ(f.at("sha256"), Sha256Hex(content)) << path;
    EXPECT_EQ(Mode(backup_dir + "/" + path), 0600) << path;
  }
  EXPECT_TRUE(listed.count("herdpass.db"));
  std::set<std::string> keys;
  for (const auto& e : fs::directory_iterator(env.data_dir() + "/keys")) {
    keys.insert("keys/" + e.path().filename().string());
  }
  ASSERT_EQ(keys.size(), 2u) << "init makes a root key and a signing key";
  for (const auto& k : keys) EXPECT_TRUE(listed.count(k)) << k << " is not in the backup";
  EXPECT_FALSE(fs::exists(backup_dir + ".tmp"));

  // Restore into a new data directory.
  HerdpassEnv restored;
  CommandResult r =
      RunHerdpass({"restore", "--data", restored.data_dir(), backup_dir}, restored.scratch_dir());
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  const std::string db = restored.database_path();
  const json& counts = m.at("counts");
  EXPECT_EQ(CountRows(db, "owners"), counts.at("owners").get<int64_t>());
  EXPECT_EQ(CountRows(db, "animals"), counts.at("animals").get<int64_t>());
  EXPECT_EQ(CountRows(db, "vaccinations"), counts.at("vaccinations").get<int64_t>());
  EXPECT_EQ(CountRows(db, "users"), counts.at("users").get<int64_t>());
  EXPECT_EQ(CountRows(db, "audit"), counts.at("audit").get<int64_t>());
  EXPECT_EQ(Sql(db, "SELECT seq FROM audit ORDER BY seq DESC LIMIT 1"),
            std::to_string(m.at("audit_head").at("seq").get<int64_t>()));
  EXPECT_EQ(Sql(db, "PRAGMA integrity_check"), "ok");
  CommandResult verify = restored.Run({"audit", "verify"});
  EXPECT_TRUE(verify.ok()) << verify.out << verify.err;
  for (const auto& k : keys) {
    EXPECT_EQ(ReadFile(restored.data_dir() + "/" + k), ReadFile(env.data_dir() + "/" + k)) << k;
    EXPECT_EQ(Mode(restored.data_dir() + "/" + k), 0600) << k;
  }
  EXPECT_EQ(Mode(restored.data_dir() + "/keys"), 0700);
  EXPECT_EQ(Mode(restored.data_dir()), 0700);

  // The restored node serves the records: the tokens of the original are in the copy too.
  restored.StartServer({"--lookups-per-minute", "0"});
  auto client = restored.Client();
  std::map<std::string, std::set<std::string>> stored;
  for (const auto& b : load.batches()) {
    if (!stored.count(b.phone)) stored[b.phone] = StoredIds(*client, vet, b.phone);
  }
  int64_t present_records = 0;
  for (const auto& b : load.batches()) {
    size_t present = 0;
    for (const auto& id : b.ids) present += stored[b.phone].count(id);
    EXPECT_TRUE(present == 0 || present == b.ids.size())
        << "a batch of " << b.phone << " is in the backup in part: " << present << " of "
        << b.ids.size();
    if (b.acknowledged && b.acked_at < backup_started) {
      EXPECT_EQ(present, b.ids.size())
          << "a batch acknowledged before the backup started is not in it";
    }
    present_records += static_cast<int64_t>(present);
  }
  EXPECT_EQ(present_records, counts.at("vaccinations").get<int64_t>());
}

TEST(BackupTest, ADamagedBackupIsRefusedWithTheReasonAndChangesNothing) {
  BackedUp base;
  ASSERT_NO_FATAL_FAILURE(MakeBackedUp(base));
  const json m = Manifest(base.backup_dir);
  const int64_t vaccinations = m.at("counts").at("vaccinations");
  std::string a_key;
  for (const auto& f : m.at("files")) {
    if (f.at("path").get<std::string>().rfind("keys/", 0) == 0) a_key = f.at("path");
  }
  ASSERT_FALSE(a_key.empty());

  // Re-hashes herdpass.db in the manifest after a change made on purpose: then only the checks
  // inside the database can find what is wrong.
  auto rehash = [](const std::string& dir) {
    json j = Manifest(dir);
    for (auto& f : j.at("files")) {
      if (f.at("path") != "herdpass.db") continue;
      const std::string content = ReadFile(dir + "/herdpass.db");
      f["size"] = content.size();
      f["sha256"] = Sha256Hex(content);
    }
    WriteFile(dir + "/manifest.json", j.dump(2));
  };

  struct Damage {
    std::string name;
    std::function<void(const std::string& dir)> apply;
    std::string expected;  // in the error
  };
  const std::vector<Damage> damages = {
      {"one byte flipped in herdpass.db",
       [](const std::string& dir) {
         std::string db = ReadFile(dir + "/herdpass.db");
         db[db.size() / 2] = static_cast<char>(db[db.size() / 2] ^ 0x01);
         WriteFile(dir + "/herdpass.db", db);
       },
       "herdpass.db: its SHA-256 is not the manifest's (the file is damaged)"},
      {"a key file missing", [&](const std::string& dir) { fs::remove(dir + "/" + a_key); },
       a_key + " is missing"},
      {"herdpass.db missing", [](const std::string& dir) { fs::remove(dir + "/herdpass.db"); },
       "herdpass.db is missing"},
      {"the manifest's vaccination count edited",
       [](const std::string& dir) {
         json j = Manifest(dir);
         j["counts"]["vaccinations"] = j["counts"]["vaccinations"].get<int64_t>() + 1;
         WriteFile(dir + "/manifest.json", j.dump(2));
       },
       "vaccinations: the copy holds " + std::to_string(vaccinations) +
           " rows, the manifest says " + std::to_string(vaccinations + 1)},
      {"an audit row changed and the manifest re-hashed",
       [&](const std::string& dir) {
         Sql(dir + "/herdpass.db", "UPDATE audit SET detail = detail || ' (edited)' WHERE seq = 2");
         rehash(dir);
       },
       "the audit chain is broken at row 2"},
      {"a record deleted and the manifest re-hashed",
       [&](const std::string& dir) {
         Sql(dir + "/herdpass.db",
             "DELETE FROM vaccinations WHERE id IN (SELECT id FROM vaccinations LIMIT 1)");
         rehash(dir);
       },
       "vaccinations: the copy holds " + std::to_string(vaccinations - 1) +
           " rows, the manifest says " + std::to_string(vaccinations)},
      {"the manifest missing (a backup that never finished)",
       [](const std::string& dir) { fs::remove(dir + "/manifest.json"); },
       "manifest.json is missing: not a HerdPass backup, or one that did not finish"},
  };

  // Targets: a data directory that does not exist yet, and one that holds a database (--force).
  HerdpassEnv target;
  target.Init();
  target.AddUser({"only-in-target", "vet", "", ""});
  const auto target_before = Snapshot(target.data_dir());

  int n = 0;
  for (const auto& damage : damages) {
    SCOPED_TRACE(damage.name);
    const std::string dir = base.env.scratch_dir() + "/damaged-" + std::to_string(++n);
    CopyTree(base.backup_dir, dir);
    damage.apply(dir);

    const std::string fresh = base.env.scratch_dir() + "/fresh-" + std::to_string(n);
    CommandResult r = RunHerdpass({"restore", "--data", fresh, dir}, base.env.scratch_dir());
    EXPECT_TRUE(r.status.exited && r.status.code == 1) << r.out << r.err;
    EXPECT_NE(r.err.find(damage.expected), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(fresh)) << "a refused restore left " << fresh << " behind";

    r = target.Run({"restore", dir, "--force"});
    EXPECT_TRUE(r.status.exited && r.status.code == 1) << r.out << r.err;
    EXPECT_NE(r.err.find(damage.expected), std::string::npos) << r.err;
    EXPECT_TRUE(Snapshot(target.data_dir()) == target_before)
        << "a refused restore changed the target data directory";
  }

  // The undamaged backup still restores (the damage was in the copies only).
  CommandResult r = target.Run({"restore", base.backup_dir, "--force"});
  EXPECT_TRUE(r.ok()) << r.out << r.err;
  EXPECT_EQ(CountRows(target.database_path(), "vaccinations"), vaccinations);
}

TEST(BackupTest, RestoreRefusesADatabaseWithoutForceAndAServedOneEvenWithIt) {
  BackedUp base;
  ASSERT_NO_FATAL_FAILURE(MakeBackedUp(base));
  const json m = Manifest(base.backup_dir);

  HerdpassEnv target;
  target.Init();
  target.AddUser({"only-in-target", "vet", "", ""});
  const auto before = Snapshot(target.data_dir());

  CommandResult r = target.Run({"restore", base.backup_dir});
  EXPECT_TRUE(r.status.exited && r.status.code == 1) << r.out << r.err;
  EXPECT_NE(r.err.find("already holds a HerdPass database; restore --force replaces it"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(Snapshot(target.data_dir()) == before);

  target.StartServer();
  r = target.Run({"restore", base.backup_dir, "--force"});
  EXPECT_TRUE(r.status.exited && r.status.code == 1) << r.out << r.err;
  EXPECT_NE(r.err.find("open: stop it before restoring"), std::string::npos) << r.err;
  EXPECT_EQ(target.Client()->Get("/healthz").status, 200);
  target.StopServer();
  EXPECT_EQ(
      Sql(target.database_path(), "SELECT COUNT(*) FROM users WHERE username = 'only-in-target'"),
      "1");

  r = target.Run({"restore", base.backup_dir, "--force"});
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  EXPECT_NE(r.out.find("herdpass.db.replaced"), std::string::npos) << r.out;
  EXPECT_EQ(
      Sql(target.database_path(), "SELECT COUNT(*) FROM users WHERE username = 'only-in-target'"),
      "0");
  EXPECT_EQ(CountRows(target.database_path(), "vaccinations"),
            m.at("counts").at("vaccinations").get<int64_t>());
  // The replaced database is kept whole beside it.
  EXPECT_EQ(Sql(target.data_dir() + "/herdpass.db.replaced",
                "SELECT COUNT(*) FROM users WHERE username = 'only-in-target'"),
            "1");
  CommandResult verify = target.Run({"audit", "verify"});
  EXPECT_TRUE(verify.ok()) << verify.out << verify.err;
  // The restored node serves, with the original's tokens.
  target.StartServer();
  EXPECT_EQ(target.Client()->Get("/api/v1/auth/me", base.vacc_token).status, 200);
}

TEST(BackupTest, AnUnfinishedBackupNeverLooksCompleteAndIsReplacedByTheNext) {
  HerdpassEnv env;
  env.Init();
  const std::string out = env.scratch_dir() + "/b";
  // What a backup killed half way leaves: the temp directory, with no manifest.
  fs::create_directories(out + ".tmp");
  WriteFile(out + ".tmp/herdpass.db", "half a database");
  CommandResult r =
      RunHerdpass({"restore", "--data", env.scratch_dir() + "/x", out + ".tmp"}, env.scratch_dir());
  EXPECT_TRUE(r.status.exited && r.status.code == 1) << r.err;
  EXPECT_NE(r.err.find("manifest.json is missing"), std::string::npos) << r.err;

  r = env.Run({"backup", out});
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  EXPECT_FALSE(fs::exists(out + ".tmp"));
  EXPECT_TRUE(fs::exists(out + "/manifest.json"));

  // A backup never goes over anything: an existing directory is refused.
  r = env.Run({"backup", out});
  EXPECT_TRUE(r.status.exited && r.status.code == 1) << r.err;
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  // Someone else's files in OUTDIR.tmp are not removed.
  fs::create_directories(env.scratch_dir() + "/c.tmp");
  WriteFile(env.scratch_dir() + "/c.tmp/notes.txt", "mine");
  r = env.Run({"backup", env.scratch_dir() + "/c"});
  EXPECT_TRUE(r.status.exited && r.status.code == 1) << r.err;
  EXPECT_EQ(ReadFile(env.scratch_dir() + "/c.tmp/notes.txt"), "mine");
}

// The schedule itself (periods, keeping the newest, a restart, failures) is tested with a fake
// clock in tests/cli/backup_schedule_test.cpp. Here: that `serve --backup-every` runs it, with the
// first backup taken at once (none exists yet), so nothing waits for a period to pass.

// Polls /metrics until the metric `name` is at least `at_least`; its last value (less after a
// minute: a failing test, not a slow machine).
double AwaitMetric(HerdpassEnv& env, const std::string& name, double at_least,
                   std::string* metrics = nullptr) {
  auto client = env.Client();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  double value = 0;
  std::string text;
  for (;;) {
    text = client->Get("/metrics").body;
    value = MetricValue(text, name);
    if (value >= at_least || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // spaces the polls only
  }
  if (metrics != nullptr) *metrics = text;
  return value;
}

TEST(BackupTest, ServeTakesAScheduledBackupThatRestores) {
  HerdpassEnv env;
  env.Init();
  env.StartServer({"--backup-every", "1h", "--backup-keep", "2"});
  std::string metrics;
  ASSERT_EQ(AwaitMetric(env, "herdpass_backups_total{result=\"ok\"}", 1, &metrics), 1)
      << metrics << env.ServerLog();
  EXPECT_EQ(MetricValue(metrics, "herdpass_backups_total{result=\"failed\"}"), 0) << metrics;
  EXPECT_GT(MetricValue(metrics, "herdpass_backup_last_success_timestamp_seconds"), 1.7e9)
      << metrics;
  const ExitStatus stopped = env.StopServer();
  EXPECT_TRUE(stopped.exited && stopped.code == 0) << env.ServerLog();

  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(env.data_dir() + "/backups")) {
    names.push_back(e.path().filename());
  }
  ASSERT_EQ(names.size(), 1u) << ::testing::PrintToString(names);
  EXPECT_EQ(names[0].rfind("herdpass-", 0), 0u) << names[0];
  EXPECT_EQ(names[0].find(".tmp"), std::string::npos) << names[0];
  CommandResult r = RunHerdpass({"restore", "--data", env.scratch_dir() + "/restored",
                                 env.data_dir() + "/backups/" + names[0]},
                                env.scratch_dir());
  EXPECT_TRUE(r.ok()) << r.out << r.err;
}

TEST(BackupTest, AFailingScheduledBackupIsCountedAndTheServerKeepsServing) {
  HerdpassEnv env;
  env.Init();
  env.AddUser({"vacc", "vaccinator", "", ""});
  // A backup directory under a regular file cannot be made.
  env.StartServer(
      {"--backup-every", "1h", "--backup-dir", env.data_dir() + "/herdpass.conf/backups"});
  std::string metrics;
  EXPECT_EQ(AwaitMetric(env, "herdpass_backups_total{result=\"failed\"}", 1, &metrics), 1)
      << metrics;
  auto client = env.Client();
  EXPECT_EQ(client->Get("/healthz").status, 200);
  const std::string token = env.Login("vacc");
  json records = json::array({FlockRecord(KzPhone(1), DaysFromToday(0))});
  EXPECT_EQ(client->Post("/api/v1/vaccinations/batch", {{"records", records}}, token).status, 200);
  EXPECT_NE(env.ServerLog().find("backup into"), std::string::npos) << env.ServerLog();
  const ExitStatus stopped = env.StopServer();
  EXPECT_TRUE(stopped.exited && stopped.code == 0) << env.ServerLog();
}

TEST(BackupTest, ABadBackupPeriodIsAUsageError) {
  HerdpassEnv env;
  env.Init();
  CommandResult r = RunHerdpass(
      {"serve", "--data", env.data_dir(), "--listen", "127.0.0.1:0", "--backup-every", "5x"},
      env.scratch_dir());
  EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.err;
  EXPECT_NE(r.err.find("backup-every: '5x' is not a period"), std::string::npos) << r.err;
}

// The data directory holds personal data and the private keys: only the owner may read it (issue
// 17: herdpass.db was made 0644). A database left readable by an older version is closed up when
// it is next opened.
TEST(DataFilesTest, AreReadableByTheOwnerAlone) {
  HerdpassEnv env;
  env.Init();
  env.AddUser({"vacc", "vaccinator", "", ""});
  env.StartServer();
  auto client = env.Client();
  const std::string token = env.Login("vacc");
  json records = json::array({FlockRecord(KzPhone(2), DaysFromToday(0))});
  ASSERT_EQ(client->Post("/api/v1/vaccinations/batch", {{"records", records}}, token).status, 200);
  auto mode = [](const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  };
  const std::string db = env.database_path();
  EXPECT_EQ(mode(env.data_dir()), 0700u);
  EXPECT_EQ(mode(env.data_dir() + "/keys"), 0700u);
  for (const std::string& file :
       {db, db + "-wal", db + "-shm", env.data_dir() + "/herdpass.conf"}) {
    SCOPED_TRACE(file);
    EXPECT_EQ(mode(file), 0600u);
  }
  const ExitStatus stopped = env.StopServer();
  EXPECT_TRUE(stopped.exited && stopped.code == 0) << env.ServerLog();

  ASSERT_EQ(::chmod(db.c_str(), 0644), 0);
  CommandResult list = env.Run({"user", "list"});
  ASSERT_TRUE(list.ok()) << list.out << list.err;
  EXPECT_EQ(mode(db), 0600u);
}

}  // namespace
}  // namespace herdpass::testing
