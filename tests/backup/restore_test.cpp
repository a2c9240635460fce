// Backup and restore (backup/backup.h) in-process on an in-memory file system with fake database
// files: each check restore makes (docs/backup-format.md, "How it is restored") is hit alone, with
// its exact error, and a refused restore changes nothing anywhere. No binary, no disk, no real
// time.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "backup/backup.h"
#include "tests/backup/fake_database_files.h"
#include "tests/backup/memory_file_system.h"

namespace herdpass::backup {
namespace {

using nlohmann::json;
using testing::FakeDatabaseFiles;
using testing::MemoryFileSystem;

constexpr const char* kNode = "/srv/node";
constexpr const char* kBackup = "/srv/backups/b1";
constexpr const char* kManifest = "/srv/backups/b1/manifest.json";

// 2026-12-01T08:30:00Z.
const Timestamp kNow = std::chrono::sys_days(std::chrono::year{2026} / 12 / 1) +
                       std::chrono::hours(8) + std::chrono::minutes(30);

SqliteFileFacts FactsV1() {
  SqliteFileFacts f;
  f.schema_version = FakeDatabaseFiles::kSchemaVersion;
  f.counts = {.owners = 2,
              .animals = 5,
              .vaccinations = 9,
              .users = 3,
              .audit_rows = 14,
              .certificates = 1};
  f.audit_head = {.seq = 14, .hash = "a14"};
  f.integrity = "ok";
  f.page_size = 4096;
  f.page_count = 10;
  return f;
}

class RestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.Define("db:v1", FactsV1());
    fs_.WriteFile(std::string(kNode) + "/herdpass.db", "db:v1");
    fs_.WriteFile(std::string(kNode) + "/keys/kz-1.key", "secret-key-1");
    fs_.WriteFile(std::string(kNode) + "/keys/notes.txt", "not a key");
    fs_.WriteFile(std::string(kNode) + "/herdpass.conf", "region = KZ\n");
    auto b = TakeBackup(env_, kNode, kBackup);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
  }

  json Manifest() { return json::parse(fs_.ReadFile(kManifest).value()); }
  void EditManifest(const std::function<void(json&)>& edit) {
    json m = Manifest();
    edit(m);
    fs_.WriteFile(kManifest, m.dump(2));
  }

  // Restores into `target` and expects it refused with `code` and a message holding `text`,
  // with no file or directory anywhere added, changed or removed.
  void ExpectRefused(const std::string& target, bool force, StatusCode code,
                     const std::string& text) {
    const auto before = fs_.Files();
    auto r = RestoreBackup(env_, target, kBackup, force);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), code) << r.status().ToString();
    EXPECT_NE(r.status().message().find(text), std::string::npos)
        << "message: " << r.status().message() << "\nexpected to contain: " << text;
    EXPECT_EQ(fs_.Files(), before) << "a refused restore changed the file system";
  }

  MemoryFileSystem fs_;
  FakeDatabaseFiles db_{fs_};
  FakeClock clock_{kNow};
  BackupEnv env_{fs_, db_, clock_};
};

TEST_F(RestoreTest, BackupHoldsTheDatabaseTheKeysTheSettingsAndAManifestOfThem) {
  EXPECT_FALSE(fs_.Exists(std::string(kBackup) + ".tmp"));
  EXPECT_EQ(fs_.ReadFile(std::string(kBackup) + "/herdpass.db"), "db:v1");
  EXPECT_EQ(fs_.ReadFile(std::string(kBackup) + "/keys/kz-1.key"), "secret-key-1");
  EXPECT_FALSE(fs_.Exists(std::string(kBackup) + "/keys/notes.txt"));
  const json m = Manifest();
  EXPECT_EQ(m.at("format"), "herdpass-backup");
  EXPECT_EQ(m.at("format_version"), 1);
  EXPECT_EQ(m.at("created_at"), "2026-12-01T08:30:00.000Z");
  EXPECT_EQ(m.at("source"), kNode);
  EXPECT_EQ(m.at("schema_version"), FakeDatabaseFiles::kSchemaVersion);
  EXPECT_EQ(m.at("counts").at("vaccinations"), 9);
  EXPECT_EQ(m.at("audit_head").at("hash"), "a14");
  ASSERT_EQ(m.at("files").size(), 3u);
  EXPECT_EQ(m.at("files")[0].at("path"), "herdpass.db");
  EXPECT_EQ(m.at("files")[0].at("size"), 5);
  EXPECT_EQ(m.at("files")[1].at("path"), "keys/kz-1.key");
  EXPECT_EQ(m.at("files")[1].at("size"), 12);
  // SHA-256 of "secret-key-1".
  // `printf secret-key-1 | sha256sum`
  EXPECT_EQ(m.at("files")[1].at("sha256"),
            "a6c1eaef9d5f23f4e13d9b574cbbe07ae877227d92be87d077005dc6776bcdcc");
  EXPECT_EQ(m.at("files")[2].at("path"), "herdpass.conf");
}

TEST_F(RestoreTest, BackupIntoAnExistingDirectoryIsRefused) {
  auto r = TakeBackup(env_, kNode, kBackup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists);
}

TEST_F(RestoreTest, RestoresIntoANewDirectory) {
  auto r = RestoreBackup(env_, "/srv/new", kBackup, /*force=*/false);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(fs_.ReadFile("/srv/new/herdpass.db"), "db:v1");
  EXPECT_EQ(fs_.ReadFile("/srv/new/keys/kz-1.key"), "secret-key-1");
  EXPECT_EQ(fs_.ReadFile("/srv/new/herdpass.conf"), "region = KZ\n");
  EXPECT_FALSE(fs_.Exists("/srv/new/herdpass.db.restoring"));
  EXPECT_EQ(r->created_at, "2026-12-01T08:30:00.000Z");
  EXPECT_EQ(r->counts.vaccinations, 9);
  EXPECT_EQ(r->audit_rows, 14);
  EXPECT_EQ(r->key_files, 1);
  EXPECT_TRUE(r->conf_restored);
  EXPECT_EQ(r->replaced, "");
}

TEST_F(RestoreTest, ForceReplacesTheDatabaseKeepingTheOldOneWithItsLogAndTheNodesSettings) {
  db_.Define("db:v2", FactsV1());
  fs_.WriteFile(std::string(kNode) + "/herdpass.db", "db:v2");
  fs_.WriteFile(std::string(kNode) + "/herdpass.db-wal", "wal of v2");
  fs_.WriteFile(std::string(kNode) + "/herdpass.conf", "region = CN\n");
  auto r = RestoreBackup(env_, kNode, kBackup, /*force=*/true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(fs_.ReadFile(std::string(kNode) + "/herdpass.db"), "db:v1");
  EXPECT_FALSE(fs_.Exists(std::string(kNode) + "/herdpass.db-wal"));
  EXPECT_EQ(fs_.ReadFile(std::string(kNode) + "/herdpass.db.replaced"), "db:v2");
  EXPECT_EQ(fs_.ReadFile(std::string(kNode) + "/herdpass.db.replaced-wal"), "wal of v2");
  EXPECT_EQ(fs_.ReadFile(std::string(kNode) + "/herdpass.conf"), "region = CN\n");
  EXPECT_FALSE(r->conf_restored);
  EXPECT_EQ(r->replaced, std::string(kNode) + "/herdpass.db.replaced");
}

// --- 1. the backup on its own ---

TEST_F(RestoreTest, WithoutAManifestIsNotABackup) {
  ASSERT_TRUE(fs_.RemoveAll(kManifest).ok());
  ExpectRefused("/srv/new", false, StatusCode::kFailedPrecondition,
                std::string(kManifest) + " is missing");
}

TEST_F(RestoreTest, AManifestOfAnotherFormatIsRefused) {
  EditManifest([](json& m) { m["format"] = "tarball"; });
  ExpectRefused("/srv/new", false, StatusCode::kFailedPrecondition,
                std::string(kManifest) + " is not a HerdPass backup manifest");
}

TEST_F(RestoreTest, AnotherFormatVersionIsRefused) {
  EditManifest([](json& m) { m["format_version"] = 2; });
  ExpectRefused("/srv/new", false, StatusCode::kFailedPrecondition,
                "backup format version 2 is not one this program reads (it reads 1)");
}

TEST_F(RestoreTest, AManifestMissingAFieldIsDamaged) {
  EditManifest([](json& m) { m.erase("counts"); });
  ExpectRefused("/srv/new", false, StatusCode::kFailedPrecondition,
                std::string(kManifest) + " is damaged");
}

TEST_F(RestoreTest, AFlippedByteInTheDatabaseIsFoundByItsChecksum) {
  fs_.WriteFile(std::string(kBackup) + "/herdpass.db", "db:v9");  // same size
  ExpectRefused("/srv/new", false, StatusCode::kFailedPrecondition,
                "is damaged; nothing was restored: herdpass.db: its SHA-256 is not the "
                "manifest's (the file is damaged)");
}

TEST_F(RestoreTest, ATruncatedKeyFileIsFoundByItsSize) {
  fs_.WriteFile(std::string(kBackup) + "/keys/kz-1.key", "secre");
  ExpectRefused("/srv/new", false, StatusCode::kFailedPrecondition,
                "keys/kz-1.key has 5 bytes, the manifest says 12");
}

TEST_F(RestoreTest, AMissingFileIsNamed) {
  ASSERT_TRUE(fs_.RemoveAll(std::string(kBackup) + "/herdpass.conf").ok());
  ExpectRefused("/srv/new", false, StatusCode::kFailedPrecondition, "herdpass.conf is missing");
}

TEST_F(RestoreTest, APathLeavingTheBackupIsRefused) {
  EditManifest([](json& m) { m["files"][1]["path"] = "keys/../../etc/passwd"; });
  ExpectRefused("/srv/new", false, StatusCode::kFailedPrecondition,
                "the manifest names \"keys/../../etc/passwd\", which is not a backup file");
}

TEST_F(RestoreTest, AFileListedTwiceIsRefused) {
  EditManifest([](json& m) { m["files"].push_back(m["files"][1]); });
  ExpectRefused("/srv/new", false, StatusCode::kFailedPrecondition,
                "the manifest lists keys/kz-1.key twice");
}

TEST_F(RestoreTest, AManifestWithoutTheDatabaseIsRefused) {
  EditManifest([](json& m) { m["files"].erase(0); });
  ExpectRefused("/srv/new", false, StatusCode::kFailedPrecondition,
                "the manifest lists no herdpass.db");
}

TEST_F(RestoreTest, AManifestRecordingAFailedIntegrityCheckIsRefused) {
  EditManifest([](json& m) { m["database"]["integrity_check"] = "row 3 missing from index"; });
  ExpectRefused("/srv/new", false, StatusCode::kFailedPrecondition,
                "the manifest records a failed integrity_check: row 3 missing from index");
}

TEST_F(RestoreTest, ANewerSchemaIsRefused) {
  EditManifest([](json& m) { m["schema_version"] = FakeDatabaseFiles::kSchemaVersion + 1; });
  ExpectRefused("/srv/new", false, StatusCode::kFailedPrecondition,
                "the backup has schema version 8, newer than this program's 7");
}

// --- 2. the target ---

TEST_F(RestoreTest, ADatabaseAServerHasOpenIsNotReplaced) {
  db_.SetInUse(std::string(kNode) + "/herdpass.db");
  ExpectRefused(kNode, /*force=*/true, StatusCode::kFailedPrecondition,
                "a server (or another herdpass command) has /srv/node/herdpass.db open");
}

TEST_F(RestoreTest, ADatabaseIsReplacedOnlyWithForce) {
  ExpectRefused(kNode, /*force=*/false, StatusCode::kAlreadyExists,
                "/srv/node already holds a HerdPass database; restore --force replaces it");
}

// --- 3. the copy, checked against the manifest ---

TEST_F(RestoreTest, CountsOtherThanTheManifestsAreFound) {
  EditManifest([](json& m) { m["counts"]["owners"] = 3; });
  ExpectRefused("/srv/new", false, StatusCode::kFailedPrecondition,
                "owners: the copy holds 2 rows, the manifest says 3");
}

TEST_F(RestoreTest, AnotherAuditHeadIsFound) {
  EditManifest([](json& m) { m["audit_head"]["hash"] = "forged"; });
  ExpectRefused("/srv/new", false, StatusCode::kFailedPrecondition,
                "the audit chain of the copy ends at row 14, the manifest says row 14 with "
                "another hash");
}

TEST_F(RestoreTest, ASchemaVersionOtherThanTheManifestsIsFound) {
  EditManifest([](json& m) { m["schema_version"] = 6; });
  ExpectRefused("/srv/new", false, StatusCode::kFailedPrecondition,
                "the copy has schema version 7, the manifest says 6");
}

TEST_F(RestoreTest, ACopyFailingItsIntegrityCheckIsRefused) {
  SqliteFileFacts bad = FactsV1();
  bad.integrity = "page 4 is never used";
  db_.Define("db:v1", bad);
  ExpectRefused("/srv/new", false, StatusCode::kFailedPrecondition,
                "integrity_check of the copy: page 4 is never used");
}

TEST_F(RestoreTest, ACopyThatIsNoDatabaseIsRefused) {
  db_.Forget("db:v1");
  ExpectRefused("/srv/new", false, StatusCode::kFailedPrecondition,
                "nothing was restored: herdpass.db: /srv/new/herdpass.db.restoring is not a "
                "HerdPass database");
}

TEST_F(RestoreTest, ABrokenAuditChainIsRefused) {
  db_.BreakAudit("db:v1", 6, "its hash does not match");
  ExpectRefused("/srv/new", false, StatusCode::kFailedPrecondition,
                "the audit chain is broken at row 6: its hash does not match");
}

TEST_F(RestoreTest, ARefusedForcedRestoreLeavesTheOldDatabaseInPlace) {
  db_.BreakAudit("db:v1", 6, "its hash does not match");
  ExpectRefused(kNode, /*force=*/true, StatusCode::kFailedPrecondition,
                "the audit chain is broken at row 6");
  EXPECT_EQ(fs_.ReadFile(std::string(kNode) + "/herdpass.db"), "db:v1");
}

}  // namespace
}  // namespace herdpass::backup
