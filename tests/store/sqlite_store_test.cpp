// SQLite-specific store tests: fault injection through the wrapping VFS, group commit, migrations,
// and tampering with the audit chain through raw SQL.
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/id_list.h"
#include "store/sqlite/queries.h"
#include "tests/store/store_test_support.h"
#include "tests/support/fault_vfs.h"

namespace herdpass::testing {
namespace {

// A raw connection for what the Store interface cannot do: tamper, inspect pragmas, hold a lock.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
    EXPECT_EQ(sqlite::RegisterFunctions(db_), SQLITE_OK);  // the store's statements use them
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void Exec(const std::string& sql) {
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
        << (err ? err : "") << " in " << sql;
    sqlite3_free(err);
  }
  // EXPLAIN QUERY PLAN of `sql`, its details one per line.
  std::string Plan(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    const std::string explain = "EXPLAIN QUERY PLAN " + sql;
    EXPECT_EQ(sqlite3_prepare_v2(db_, explain.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    std::string out;
    while (sqlite3_step(st) == SQLITE_ROW) {
      const auto* detail = sqlite3_column_text(st, 3);
      out += detail ? reinterpret_cast<const char*>(detail) : "";
      out += "\n";
    }
    sqlite3_finalize(st);
    return out;
  }
  std::string Scalar(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(st, 0);
      out = text ? reinterpret_cast<const char*>(text) : "";
    }
    sqlite3_finalize(st);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

// Undoes migration 17 (the trace's covering indexes) on a database of the latest schema, as if
// written at schema 16: the movement indexes as migration 15 made them, no certificates_for_trace.
void RevertToSchema16(RawDb& raw) {
  raw.Exec("DROP INDEX certificates_for_trace");
  raw.Exec("DROP INDEX movements_by_origin");
  raw.Exec("CREATE INDEX movements_by_origin ON movements(origin_holding_id, arrived_at)");
  raw.Exec("DROP INDEX movements_by_end");
  raw.Exec(
      "CREATE INDEX movements_by_end\n  ON movements(coalesce(arrival_holding_id, "
      "destination_holding_id), arrived_at)");
  raw.Exec("PRAGMA user_version = 16");
}

// Undoes migration 17, then 16 (owners' codes and sessions, the audit log by target), as if
// written at schema 15.
void RevertToSchema15(RawDb& raw) {
  RevertToSchema16(raw);
  raw.Exec("DROP INDEX audit_by_target");
  raw.Exec("DROP TABLE owner_sessions");
  raw.Exec("DROP TABLE owner_codes");
  raw.Exec("PRAGMA user_version = 15");
}

// Undoes migration 16, then 15 (the trace's indexes, zones_in_force, animals_by_holding), as if
// written at schema 14.
void RevertToSchema14(RawDb& raw) {
  RevertToSchema15(raw);
  raw.Exec("DROP INDEX movements_by_origin");
  raw.Exec("DROP INDEX movements_by_end");
  raw.Exec("DROP INDEX passages_by_holding");
  raw.Exec("DROP INDEX zones_in_force");
  raw.Exec("CREATE INDEX zones_by_end ON zones(ends_on)");
  raw.Exec("DROP INDEX animals_by_holding");
  raw.Exec("PRAGMA user_version = 14");
}

// Undoes migrations 16 to 14 (the SMS outbox), as if written at schema 13.
void RevertToSchema13(RawDb& raw) {
  RevertToSchema14(raw);
  raw.Exec("DROP TABLE sms_inbound");
  raw.Exec("DROP TABLE sms_owners");
  raw.Exec("DROP TABLE sms_outbox");
  raw.Exec("PRAGMA user_version = 13");
}

// Undoes migration 13 (outbreaks and zones), as if written at schema 12.
void RevertToSchema12(RawDb& raw) {
  RevertToSchema13(raw);
  raw.Exec("DROP TABLE zones");
  raw.Exec("DROP TABLE outbreaks");
  raw.Exec("PRAGMA user_version = 12");
}

// Undoes migration 12 (field copy), as if written at schema 11.
void RevertToSchema11(RawDb& raw) {
  RevertToSchema12(raw);
  raw.Exec("DROP TABLE field_changes");
  raw.Exec("DROP INDEX owners_by_authority");
  raw.Exec("PRAGMA user_version = 11");
}

// Undoes migration 11 (certificate uses), as if written at schema 10.
void RevertToSchema10(RawDb& raw) {
  RevertToSchema11(raw);
  raw.Exec("DROP TABLE certificate_uses");
  raw.Exec("PRAGMA user_version = 10");
}

// Undoes migration 10 (journeys), as if written at schema 9.
void RevertToSchema9(RawDb& raw) {
  RevertToSchema10(raw);
  raw.Exec("DROP INDEX certificate_animals_by_animal");
  raw.Exec("DROP TABLE holding_stays");
  raw.Exec("PRAGMA user_version = 9");
}

// Undoes migration 9 (owners' revisions), as if written at schema 8.
void RevertToSchema8(RawDb& raw) {
  RevertToSchema9(raw);
  raw.Exec("ALTER TABLE owners DROP COLUMN revision");
  raw.Exec("PRAGMA user_version = 8");
}

// Undoes migrations 12 to 8 (sale) on a database of the latest schema, as if written at schema 7.
void RevertToSchema7(RawDb& raw) {
  RevertToSchema8(raw);
  raw.Exec("DROP TABLE ownership_changes");
  raw.Exec("DROP TABLE transfers");
  raw.Exec("ALTER TABLE certificates DROP COLUMN buyer_id");
  raw.Exec("PRAGMA user_version = 7");
}

// Undoes migrations 8 and 7 (checkpoint passages) on a database of the latest schema, as if
// written at schema 6.
void RevertToSchema6(RawDb& raw) {
  RevertToSchema7(raw);
  raw.Exec("DROP TABLE passages");
  raw.Exec("PRAGMA user_version = 6");
}

// Undoes migrations 8 to 6 (movements) on a database of the latest schema, as if written at
// schema 5.
void RevertToSchema5(RawDb& raw) {
  RevertToSchema6(raw);
  raw.Exec("DROP TABLE movements");
  raw.Exec("PRAGMA user_version = 5");
}

// Undoes migrations 8 to 5 (tag life) on a database of the latest schema, as if written at
// schema 4.
void RevertToSchema4(RawDb& raw) {
  RevertToSchema5(raw);
  raw.Exec("DROP TABLE animal_events");
  raw.Exec("DROP TABLE former_tags");
  raw.Exec("ALTER TABLE animals DROP COLUMN ended_on");
  raw.Exec("ALTER TABLE animals DROP COLUMN ended_kind");
  raw.Exec("PRAGMA user_version = 4");
}

// Takes a database of the latest schema back to what migration 3 left, as a file written by the
// release before holdings would be. The holdings table must be empty and no row may name one.
void RevertToSchema3(RawDb& raw) {
  RevertToSchema4(raw);
  raw.Exec("ALTER TABLE vaccinations DROP COLUMN holding_id");
  raw.Exec("ALTER TABLE animals DROP COLUMN holding_id");
  raw.Exec("DROP TABLE holdings");
  raw.Exec("PRAGMA user_version = 3");
}

// Takes a database of the latest schema back to what migration 2 left, as a file written by the
// previous release would be. The new tables must be empty (or their rows are lost here).
void RevertToSchema2(RawDb& raw) {
  RevertToSchema3(raw);
  for (const char* table : {"revocations", "certificate_vaccinations", "certificate_animals",
                            "certificates", "documents", "signing_keys"}) {
    raw.Exec(std::string("DROP TABLE ") + table);
  }
  raw.Exec("DELETE FROM counters WHERE name = 'certificates'");
  raw.Exec("PRAGMA user_version = 2");
}

// The schema as SQLite keeps it: every table and index with its SQL, by name.
std::string SchemaOf(RawDb& raw) {
  return raw.Scalar(
      "SELECT group_concat(type || ' ' || name || ': ' || coalesce(sql, ''), char(10)) FROM "
      "(SELECT type, name, sql FROM sqlite_schema ORDER BY name)");
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> Open(const SqliteOptions& options) {
    auto s = OpenSqliteStore(options);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  std::unique_ptr<Store> Open() { return Open(factory_.options()); }

  SqliteStoreFactory factory_;
};

TEST_F(SqliteStoreTest, OpensInWalModeAtTheLatestSchema) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  RawDb raw(factory_.db_path());
  EXPECT_EQ(raw.Scalar("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.Scalar("PRAGMA user_version"), std::to_string(SqliteSchemaVersion()));
  // W2's layout: vaccinations clustered by (owner, date, id).
  std::string ddl = raw.Scalar("SELECT sql FROM sqlite_schema WHERE name = 'vaccinations'");
  EXPECT_NE(ddl.find("WITHOUT ROWID"), std::string::npos);
  EXPECT_NE(ddl.find("PRIMARY KEY(owner_id, administered_on, id)"), std::string::npos);
}

TEST_F(SqliteStoreTest, ReopenDoesNotMigrateAgain) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->AppendAudit(MakeAudit("first")).ok());
  }
  for (int i = 0; i < 2; ++i) {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->Counts()->audit_rows, 1);
  }
  RawDb raw(factory_.db_path());
  EXPECT_EQ(raw.Scalar("PRAGMA user_version"), std::to_string(SqliteSchemaVersion()));
  EXPECT_EQ(raw.Scalar("SELECT count(*) FROM counters"), "6");
}

// Databases of schema 1 exist: their audit rows have no authority and were hashed without one.
TEST_F(SqliteStoreTest, MigratesASchema1DatabaseAndItsChainStillVerifies) {
  EXPECT_EQ(SqliteSchemaVersion(), 17);
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE(store->AppendAudit(MakeAudit("old" + std::to_string(i))).ok());
  }
  {
    // Back to what migration 1 left.
    RawDb raw(factory_.db_path());
    RevertToSchema2(raw);
    raw.Exec("ALTER TABLE audit DROP COLUMN authority");
    raw.Exec("PRAGMA user_version = 1");
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  {
    RawDb raw(factory_.db_path());
    EXPECT_EQ(raw.Scalar("PRAGMA user_version"), "17");
    EXPECT_EQ(raw.Scalar("SELECT count(*) FROM audit WHERE authority = ''"), "3");
  }
  AuditEntry e = MakeAudit("new");
  e.authority = "KZ-ABY-01";
  ASSERT_TRUE(store->AppendAudit(e).ok());
  auto v = store->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem << " at " << v->first_bad_seq;
  EXPECT_EQ(v->rows, 4);
  // The old rows are the operator's console's: every auditor sees them.
  AuditQuery q;
  q.scope = "KZ-ALM";
  auto rows = store->ListAudit(q);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 3u);
}

// Databases of schema 2 exist: migration 3 adds the certificate tables to a file full of records,
// which keep working, and the file ends up with the schema of a new one.
TEST_F(SqliteStoreTest, MigratesASchema2DatabaseToCertificates) {
  std::string fresh_schema;
  int64_t owner_id = 0;
  std::vector<int64_t> animal_ids;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    auto recorded = store->RecordVaccinations(
        std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1), Tag(2)})}, MakeContext(),
        MakeAudit("vaccination.batch"));
    ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();
    owner_id = (*recorded)[0].owner_id;
    animal_ids = store->FindVaccination(Uuid(1))->animal_ids;
    ASSERT_EQ(animal_ids.size(), 2u);
    RawDb raw(factory_.db_path());
    fresh_schema = SchemaOf(raw);
  }
  {
    RawDb raw(factory_.db_path());
    RevertToSchema2(raw);
    EXPECT_EQ(raw.Scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE '%certificate%'"),
              "0");
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  {
    RawDb raw(factory_.db_path());
    EXPECT_EQ(raw.Scalar("PRAGMA user_version"), "17");
    EXPECT_EQ(SchemaOf(raw), fresh_schema);
    EXPECT_EQ(raw.Scalar("SELECT value FROM counters WHERE name = 'certificates'"), "0");
    EXPECT_EQ(raw.Scalar("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(raw.Scalar("PRAGMA foreign_key_check"), "");
  }
  // The records written before are all there, and certificates rest on them.
  StoreCounts before = *store->Counts();
  EXPECT_EQ(before.vaccinations, 1);
  EXPECT_EQ(before.animals, 2);
  EXPECT_EQ(before.certificates, 0);
  Certificate c = MakeCertificate(1, owner_id, animal_ids, {Tag(2), Tag(1)});
  ASSERT_TRUE(store->CreateCertificate(c, MakeAudit("certificate.issue")).ok());
  auto found = store->FindCertificateByNumber(c.number);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->animal_ids, animal_ids);
  EXPECT_EQ(found->tags, (std::vector<std::string>{Tag(1), Tag(2)}));
  ASSERT_TRUE(store->RevokeCertificate(c.id, 3, "r", At(1), MakeAudit("revoke")).ok());
  EXPECT_EQ(store->ListRevocations()->size(), 1u);
  EXPECT_EQ(store->Counts()->certificates, 1);
  auto v = store->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->rows, 3);
}

// Databases of schema 3 exist: migration 4 adds holdings to a file full of records, which keep
// working with no holding, and the file ends up with the schema of a new one.
TEST_F(SqliteStoreTest, MigratesASchema3DatabaseToHoldingsWithItsRowsIntact) {
  std::string fresh_schema;
  int64_t owner_id = 0;
  std::vector<int64_t> animal_ids;
  Certificate c;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    auto recorded = store->RecordVaccinations(
        std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1), Tag(2)}),
                                      MakeRecord(2, Phone(1))},
        MakeContext(), MakeAudit("vaccination.batch"));
    ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();
    owner_id = (*recorded)[0].owner_id;
    animal_ids = store->FindVaccination(Uuid(1))->animal_ids;
    c = MakeCertificate(1, owner_id, animal_ids, {Tag(1), Tag(2)});
    ASSERT_TRUE(store->CreateCertificate(c, MakeAudit("certificate.issue")).ok());
    RawDb raw(factory_.db_path());
    fresh_schema = SchemaOf(raw);
  }
  {
    RawDb raw(factory_.db_path());
    RevertToSchema3(raw);
    EXPECT_EQ(raw.Scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE '%holding%'"), "0");
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  {
    RawDb raw(factory_.db_path());
    EXPECT_EQ(raw.Scalar("PRAGMA user_version"), "17");
    EXPECT_EQ(SchemaOf(raw), fresh_schema);
    EXPECT_EQ(raw.Scalar("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(raw.Scalar("PRAGMA foreign_key_check"), "");
    EXPECT_EQ(raw.Scalar("SELECT count(*) FROM animals WHERE holding_id IS NULL"), "3");
  }
  // Every row is there, with no holding, and reads as before.
  StoreCounts counts = *store->Counts();
  EXPECT_EQ(counts.owners, 1);
  EXPECT_EQ(counts.animals, 3);
  EXPECT_EQ(counts.vaccinations, 2);
  EXPECT_EQ(counts.certificates, 1);
  auto history = store->LoadOwnerHistory(owner_id, Day("2000-01-01"));
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  EXPECT_EQ(history->animals.size(), 3u);
  ASSERT_EQ(history->vaccinations.size(), 2u);
  for (const Vaccination& v : history->vaccinations) EXPECT_EQ(v.holding_id, std::nullopt);
  for (const Animal& a : history->animals) EXPECT_EQ(a.holding_id, std::nullopt);
  EXPECT_TRUE(history->holdings.empty());
  auto cert = store->FindCertificateByNumber(c.number);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_EQ(cert->animal_ids, animal_ids);
  // And holdings work on the migrated file.
  Holding h;
  h.code = "F-1";
  h.name = "Farm";
  h.authority = "KZ-ABY-01";
  h.lat = 43.2;
  h.lon = 76.9;
  h.opened_on = Day("2020-01-01");
  auto created = store->CreateHolding(h, MakeAudit("holding.create"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  VaccinationInput at_farm = MakeRecord(3, Phone(1), {Tag(1)});
  at_farm.holding_id = created->id;
  auto r = store->RecordVaccinations(std::vector<VaccinationInput>{at_farm}, MakeContext(),
                                     MakeAudit("vaccination.batch"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].outcome, RecordOutcome::kCreated);
  EXPECT_EQ(store->FindVaccination(Uuid(3))->holding_id, std::optional<int64_t>(created->id));
  auto v = store->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
}

// Databases of schema 9 exist: migration 10 gives every animal kept at a holding that holding since
// its registration, the one stay known, and the file ends up with the schema of a new one.
TEST_F(SqliteStoreTest, MigratesASchema9DatabaseWithEachAnimalKeptWhereItIs) {
  std::string fresh_schema;
  int64_t kept_id = 0, holding_id = 0;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    auto owner = store->CreateOwner({Phone(1), "Owner 1", "Village", "KZ-ABY-01", At(1000)},
                                    MakeAudit("owner.create"));
    ASSERT_TRUE(owner.ok()) << owner.status().ToString();
    Holding farm;
    farm.code = "F-1";
    farm.kind = HoldingKind::kFarm;
    farm.name = "Farm 1";
    farm.authority = "KZ-ABY-01";
    farm.lat = 48.1;
    farm.lon = 80.1;
    farm.opened_on = Day("2020-05-01");
    farm.created_at = At(7000);
    auto held = store->CreateHolding(farm, MakeAudit("holding.create"));
    ASSERT_TRUE(held.ok()) << held.status().ToString();
    holding_id = held->id;
    NewAnimal a;
    a.owner_id = owner->id;
    a.tag = Tag(1);
    a.species = "sheep";
    a.authority = "KZ-ABY-01";
    a.created_at = At(5000);
    a.holding_id = holding_id;
    auto kept = store->CreateAnimal(a, MakeAudit("animal.create"));
    ASSERT_TRUE(kept.ok()) << kept.status().ToString();
    kept_id = kept->id;
    a.tag = Tag(2);
    a.holding_id.reset();
    ASSERT_TRUE(store->CreateAnimal(a, MakeAudit("animal.create")).ok());
    RawDb raw(factory_.db_path());
    fresh_schema = SchemaOf(raw);
  }
  {
    RawDb raw(factory_.db_path());
    RevertToSchema9(raw);
    EXPECT_EQ(raw.Scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'holding_stays%' OR "
                         "name = 'certificate_animals_by_animal'"),
              "0");
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  {
    RawDb raw(factory_.db_path());
    EXPECT_EQ(raw.Scalar("PRAGMA user_version"), "17");
    EXPECT_EQ(SchemaOf(raw), fresh_schema);
    EXPECT_EQ(raw.Scalar("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(raw.Scalar("PRAGMA foreign_key_check"), "");
    EXPECT_EQ(raw.Scalar("SELECT count(*) FROM holding_stays"), "1");
  }
  auto t = store->LoadAnimalTimeline(kept_id);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->stays.size(), 1u);
  EXPECT_EQ(t->stays[0].holding_id, holding_id);
  EXPECT_EQ(t->stays[0].since, At(5000));
  EXPECT_EQ(t->stays[0].certificate_id, "");
}

// The timeline's reads by animal search an index, never scan: its certificates, their movements
// and passages through certificate_animals_by_animal, its stays through holding_stays_by_animal,
// its changes of owner through both ownership_changes indexes.
TEST_F(SqliteStoreTest, TimelineReadsSearchAnIndex) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  RawDb raw(factory_.db_path());
  for (const sqlite::Query* q :
       {&sqlite::kSelectCertificatesOfAnimal, &sqlite::kSelectMovementsOfAnimal,
        &sqlite::kSelectPassagesOfAnimal, &sqlite::kSelectHoldingStays,
        &sqlite::kSelectChangesOfAnimal}) {
    SCOPED_TRACE(q->name);
    const std::string plan = raw.Plan(q->sql);
    EXPECT_FALSE(plan.empty());
    EXPECT_EQ(plan.find("SCAN"), std::string::npos) << plan;
  }
  EXPECT_NE(raw.Plan(sqlite::kSelectCertificatesOfAnimal.sql)
                .find("certificate_animals_by_animal (animal_id=?)"),
            std::string::npos);
  EXPECT_NE(raw.Plan(sqlite::kSelectPassagesOfAnimal.sql).find("passages_by_certificate"),
            std::string::npos);
  EXPECT_NE(raw.Plan(sqlite::kSelectHoldingStays.sql).find("holding_stays_by_animal"),
            std::string::npos);
}

// The nearest-first list reads a range of holdings_by_lat, not the whole table.
TEST_F(SqliteStoreTest, HoldingsNearAPointSearchTheLatitudeIndex) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  RawDb raw(factory_.db_path());
  const std::string plan = raw.Plan(sqlite::kSelectHoldingsInBox.sql);
  EXPECT_NE(plan.find("SEARCH holdings USING INDEX holdings_by_lat"), std::string::npos) << plan;
  EXPECT_EQ(raw.Plan(sqlite::kSelectHoldingById.sql).find("SCAN"), std::string::npos);
}

// The questions asked of certificates are answered through a key or an index, never a scan: W5
// and W4 look one up among millions, and the revocation list is read from a cursor.
TEST_F(SqliteStoreTest, CertificateQueriesSearchAnIndex) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  RawDb raw(factory_.db_path());
  for (const sqlite::Query* q :
       {&sqlite::kSelectCertificateById, &sqlite::kSelectCertificateByNumber,
        &sqlite::kSelectCertificateAnimals, &sqlite::kSelectCertificateVaccinations,
        &sqlite::kSelectCertificateStatus, &sqlite::kConsumeCertificate,
        &sqlite::kRevokeCertificate, &sqlite::kInsertRevocation,
        &sqlite::kSelectRevocationsAfter}) {
    SCOPED_TRACE(q->name);
    const std::string plan = raw.Plan(q->sql);
    EXPECT_FALSE(plan.empty());
    EXPECT_EQ(plan.find("SCAN"), std::string::npos) << plan;
  }
  EXPECT_NE(
      raw.Plan(sqlite::kSelectCertificateByNumber.sql).find("sqlite_autoindex_certificates_2"),
      std::string::npos);
  EXPECT_NE(raw.Plan("SELECT id FROM certificates WHERE owner_id = 1 ORDER BY issued_at DESC")
                .find("certificates_by_owner"),
            std::string::npos);
}

// Tag life (W12): a lookup by any tag an animal wore, and its events, are key probes, never a scan.
TEST_F(SqliteStoreTest, TagLifeQueriesSearchAnIndex) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  RawDb raw(factory_.db_path());
  for (const sqlite::Query* q :
       {&sqlite::kSelectAnimalByTag, &sqlite::kSelectAnimalById, &sqlite::kSelectFormerTags,
        &sqlite::kSelectAnimalEvent, &sqlite::kSelectAnimalEvents, &sqlite::kEndAnimal,
        &sqlite::kSetHeadCount, &sqlite::kUpdateAnimalTag}) {
    SCOPED_TRACE(q->name);
    const std::string plan = raw.Plan(q->sql);
    EXPECT_FALSE(plan.empty());
    EXPECT_EQ(plan.find("SCAN"), std::string::npos) << plan;
  }
}

// hp_names_any(ids, units) (connection.h) over the id blobs of id_list.h: ids of several bytes
// are whole varints (300 is not 44, its low seven bits), and one `units` serves every row of a
// statement.
TEST_F(SqliteStoreTest, NamesAnyMatchesWholeIdsOfTheBlob) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  RawDb raw(factory_.db_path());
  auto blob = [](std::vector<int64_t> ids) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out = "X'";
    for (char c : sqlite::EncodeIds(ids)) {
      out += kHex[static_cast<unsigned char>(c) >> 4];
      out += kHex[static_cast<unsigned char>(c) & 15];
    }
    return out + "'";
  };
  auto names_any = [&](std::vector<int64_t> ids, std::vector<int64_t> units) {
    return raw.Scalar("SELECT hp_names_any(" + blob(ids) + ", " + blob(units) + ")");
  };
  EXPECT_EQ(names_any({5, 300}, {7, 300}), "1");
  EXPECT_EQ(names_any({300}, {44}), "0");
  EXPECT_EQ(names_any({44}, {300}), "0");
  EXPECT_EQ(names_any({int64_t{1} << 35}, {3, int64_t{1} << 35}), "1");
  EXPECT_EQ(names_any({(int64_t{1} << 35) + 1}, {int64_t{1} << 35}), "0");
  EXPECT_EQ(names_any({9, 2, 4}, {4}), "1");  // the units' order does not matter either
  EXPECT_EQ(names_any({9, 2, 4}, {8, 1}), "0");
  EXPECT_EQ(names_any({}, {1}), "0");
  EXPECT_EQ(raw.Scalar("SELECT hp_names_any(NULL, " + blob({1}) + ")"), "0");
  EXPECT_EQ(raw.Scalar("SELECT count(*) FROM (VALUES (" + blob({1, 2}) + "), (" + blob({3}) +
                       "), (" + blob({300}) + "), (" + blob({4, 200}) +
                       ")) AS t WHERE hp_names_any(t.column1, " + blob({300, 2, 200}) + ")"),
            "3");
}

// A buyer's W2 reads an earlier owner's records as one range of the primary key bounded by date
// at both ends, newest first without a sort, and filters them by their units inside the scan.
TEST_F(SqliteStoreTest, BuyersEarlierDosesAreOneBoundedRangeOfTheKey) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  RawDb raw(factory_.db_path());
  const std::string plan = raw.Plan(sqlite::kSelectOwnerVaccinationsBetween.sql);
  EXPECT_NE(plan.find("SEARCH v USING PRIMARY KEY (owner_id=? AND administered_on>? AND "
                      "administered_on<?)"),
            std::string::npos)
      << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
}

// W1's flock of an owner (a record of heads without tags) is found among that owner's animals
// (animals_by_owner), never by a walk of the tag index's NULL entries: those are every flock of
// every owner, and walking them for each flock record made seeding 100,000 flocks quadratic.
TEST_F(SqliteStoreTest, TheFlockOfAnOwnerIsSearchedAmongItsAnimals) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  RawDb raw(factory_.db_path());
  const std::string plan = raw.Plan(sqlite::kSelectFlock.sql);
  EXPECT_NE(plan.find("SEARCH animals USING INDEX animals_by_owner (owner_id=? AND species=?)"),
            std::string::npos)
      << plan;
  EXPECT_EQ(plan.find("SCAN"), std::string::npos) << plan;
}

// Databases of schema 7 exist: migration 8 adds sales to a file full of records and
// certificates, which keep working with no buyer, and the file ends up with the schema of a new
// one.
TEST_F(SqliteStoreTest, MigratesASchema7DatabaseToSales) {
  std::string fresh_schema;
  std::string certificate_id;
  int64_t owner_id = 0;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    auto recorded = store->RecordVaccinations(
        std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1), Tag(2)})}, MakeContext(),
        MakeAudit("vaccination.batch"));
    ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();
    owner_id = (*recorded)[0].owner_id;
    Certificate c =
        MakeCertificate(1, owner_id, store->FindVaccination(Uuid(1))->animal_ids, {Tag(1), Tag(2)});
    certificate_id = c.id;
    ASSERT_TRUE(store->CreateCertificate(c, MakeAudit("certificate.issue")).ok());
    RawDb raw(factory_.db_path());
    fresh_schema = SchemaOf(raw);
  }
  {
    RawDb raw(factory_.db_path());
    RevertToSchema7(raw);
    EXPECT_EQ(raw.Scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE '%ownership%'"), "0");
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  {
    RawDb raw(factory_.db_path());
    EXPECT_EQ(raw.Scalar("PRAGMA user_version"), "17");
    EXPECT_EQ(SchemaOf(raw), fresh_schema);
    EXPECT_EQ(raw.Scalar("PRAGMA integrity_check"), "ok");
  }
  auto c = store->FindCertificate(certificate_id);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->buyer_id, 0);
  // And sales go on from there.
  TransferInput t;
  t.id = Uuid(99);
  t.seller_id = owner_id;
  t.buyer_phone = Phone(2);
  t.tags = {Tag(1)};
  t.on = Day("2026-05-15");
  t.scope = "KZ-ABY";
  auto sold = store->RecordTransfer(t, MakeAudit("transfer.record"));
  ASSERT_TRUE(sold.ok()) << sold.status().ToString();
  EXPECT_EQ(store->FindAnimalByTag(Tag(1))->owner_id, sold->transfer.buyer_id);
}

// Databases of schema 8 exist: migration 9 gives each owner revision 0, and the writes raise it.
TEST_F(SqliteStoreTest, MigratesASchema8DatabaseToOwnerRevisions) {
  std::string fresh_schema;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    auto recorded =
        store->RecordVaccinations(std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1)})},
                                  MakeContext(), MakeAudit("vaccination.batch"));
    ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();
    RawDb raw(factory_.db_path());
    fresh_schema = SchemaOf(raw);
  }
  {
    RawDb raw(factory_.db_path());
    RevertToSchema8(raw);
    EXPECT_EQ(raw.Scalar("SELECT count(*) FROM pragma_table_info('owners') WHERE name = "
                         "'revision'"),
              "0");
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  {
    RawDb raw(factory_.db_path());
    EXPECT_EQ(raw.Scalar("PRAGMA user_version"), "17");
    EXPECT_EQ(SchemaOf(raw), fresh_schema);
  }
  auto before = store->FindOwnerRevisionByPhone(Phone(1));
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(before->revision, 0);
  ASSERT_TRUE(
      store
          ->RecordVaccinations(std::vector<VaccinationInput>{MakeRecord(2, Phone(1), {Tag(1)})},
                               MakeContext(), MakeAudit("vaccination.batch"))
          .ok());
  auto after = store->FindOwnerRevisionByPhone(Phone(1));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->owner_id, before->owner_id);
  EXPECT_EQ(after->revision, 1);
}

// Databases of schema 15 exist: migration 16 adds owners' codes and sessions and the audit log by
// target; the schema is then the fresh one's.
TEST_F(SqliteStoreTest, MigratesASchema15DatabaseToOwnerCodes) {
  std::string fresh_schema;
  int64_t owner_id = 0;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    auto owner = store->CreateOwner({Phone(1), "Owner", "Village", "KZ-ABY-01", At(1)},
                                    MakeAudit("owner.create"));
    ASSERT_TRUE(owner.ok());
    owner_id = owner->id;
    RawDb raw(factory_.db_path());
    fresh_schema = SchemaOf(raw);
  }
  {
    RawDb raw(factory_.db_path());
    RevertToSchema15(raw);
    EXPECT_EQ(raw.Scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'owner_codes'"), "0");
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  {
    RawDb raw(factory_.db_path());
    EXPECT_EQ(raw.Scalar("PRAGMA user_version"), "17");
    EXPECT_EQ(SchemaOf(raw), fresh_schema);
    EXPECT_EQ(raw.Scalar("PRAGMA integrity_check"), "ok");
    // The readers of a number are found through the index, not by a scan of the audit log.
    const std::string plan = raw.Plan(sqlite::kSelectOwnerReaders.sql);
    EXPECT_NE(plan.find("audit_by_target"), std::string::npos) << plan;
    EXPECT_EQ(plan.find("SCAN a"), std::string::npos) << plan;
  }
  OwnerCode code{0, owner_id, "s$h", At(10), At(10) + kOwnerCodeValidFor, 0, false};
  EXPECT_TRUE(store
                  ->SaveOwnerCode(code, {owner_id, "otp", "", "123456", "", true, At(10)},
                                  MakeAudit("me.code"))
                  .ok());
}

// Databases of schema 13 exist: migration 14 adds the SMS outbox to a file with records (whose
// receipts were never queued: none appear); the schema is then the fresh one's.
TEST_F(SqliteStoreTest, MigratesASchema13DatabaseToTheSmsOutbox) {
  std::string fresh_schema;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(
        store
            ->RecordVaccinations(std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1)})},
                                 MakeContext(), MakeAudit("vaccination.batch"))
            .ok());
    RawDb raw(factory_.db_path());
    fresh_schema = SchemaOf(raw);
  }
  {
    RawDb raw(factory_.db_path());
    RevertToSchema13(raw);
    EXPECT_EQ(raw.Scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'sms_outbox'"), "0");
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  {
    RawDb raw(factory_.db_path());
    EXPECT_EQ(raw.Scalar("PRAGMA user_version"), "17");
    EXPECT_EQ(SchemaOf(raw), fresh_schema);
    EXPECT_EQ(raw.Scalar("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(raw.Scalar("SELECT count(*) FROM sms_outbox"), "0");
  }
  EXPECT_TRUE(store->FindVaccination(Uuid(1)).ok());
  auto owner = store->FindOwnerByPhone(Phone(1));
  ASSERT_TRUE(owner.ok());
  EXPECT_TRUE(store->QueueSms({owner->id, "reply", "", "x", "", true, At(1)}).ok());
}

// A database written at an older schema (`revert` takes a fresh one back to it, which drops
// `dropped_index`) with a movement from a farm to a market: reopened, it is migrated to the fresh
// schema, the rows stay, and a trace of the migrated file finds what it did before.
class SqliteTraceMigrationTest : public SqliteStoreTest {
 protected:
  void MigratesAndStillTraces(void (*revert)(RawDb&), const char* dropped_index) {
    std::string fresh_schema;
    int64_t farm = 0, market = 0;
    {
      auto store = Open();
      ASSERT_NE(store, nullptr);
      auto recorded = store->RecordVaccinations(
          std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1)})}, MakeContext(),
          MakeAudit("vaccination.batch"));
      ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();
      auto holding = [&](const std::string& code, HoldingKind kind) -> int64_t {
        auto made = store->CreateHolding(MakeHolding(code, kind), MakeAudit("holding.create"));
        EXPECT_TRUE(made.ok()) << made.status().ToString();
        return made.ok() ? made->id : 0;
      };
      farm = holding("MG-F", HoldingKind::kFarm);
      market = holding("MG-M", HoldingKind::kMarket);
      Certificate c = MakeCertificate(1, (*recorded)[0].owner_id,
                                      store->FindVaccination(Uuid(1))->animal_ids, {Tag(1)});
      c.origin_holding_id = farm;
      c.destination_holding_id = market;
      ASSERT_TRUE(store->CreateCertificate(c, MakeAudit("certificate.issue")).ok());
      RawDb raw(factory_.db_path());
      fresh_schema = SchemaOf(raw);
    }
    {
      RawDb raw(factory_.db_path());
      revert(raw);
      EXPECT_EQ(raw.Scalar(std::string("SELECT count(*) FROM sqlite_schema WHERE name = '") +
                           dropped_index + "'"),
                "0");
    }
    auto store = Open();
    ASSERT_NE(store, nullptr);
    {
      RawDb raw(factory_.db_path());
      EXPECT_EQ(raw.Scalar("PRAGMA user_version"), "17");
      EXPECT_EQ(SchemaOf(raw), fresh_schema);
      EXPECT_EQ(raw.Scalar("PRAGMA integrity_check"), "ok");
    }
    auto r = store->Trace(TraceForwardFrom(farm, 1));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->movements.size(), 1u);
    EXPECT_EQ(r->movements[0].to_holding, market);
    // What the walk reads of the certificate (its number, purpose and head), from the index.
    EXPECT_EQ(r->movements[0].number, MakeCertificate(1, 0, {}, {}).number);
    EXPECT_EQ(r->movements[0].kind, "sale");
    EXPECT_EQ(r->movements[0].head, 32);
  }
};

// Databases of schema 14 exist: migration 15 adds the trace's indexes and keeps only the zones
// not lifted in the index issuance reads.
TEST_F(SqliteTraceMigrationTest, MigratesASchema14DatabaseToTheTraceIndexes) {
  MigratesAndStillTraces(RevertToSchema14, "movements_by_origin");
}

// Databases of schema 16 exist: migration 17 gives the trace's movement indexes the columns the
// walk reads, and adds certificates_for_trace.
TEST_F(SqliteTraceMigrationTest, MigratesASchema16DatabaseToTheCoveringTraceIndexes) {
  MigratesAndStillTraces(RevertToSchema16, "certificates_for_trace");
}

// A trace steps from holding to holding through indexes (migration 15) and reads their pages only
// (migration 17): every step searches movements, passages and certificates by a key, none reads a
// whole table, and neither a movement's row nor a certificate's is read where an index holds what
// the walk needs; the steps through the passages of every movement out of or into a holding search
// passages before the certificate. Issuance's zones in force are a range of zones_in_force.
TEST_F(SqliteStoreTest, TraceStepsSearchAnIndex) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  RawDb raw(factory_.db_path());
  const std::string plan = raw.Plan(sqlite::kSelectTraceWalk.sql);
  for (const char* table : {"movements", "passages", "certificates", "certificate_animals"}) {
    SCOPED_TRACE(table);
    EXPECT_EQ(plan.find(std::string("SCAN ") + table), std::string::npos) << plan;
  }
  for (const char* index :
       {"USING COVERING INDEX movements_by_origin (origin_holding_id=? AND arrived_at>? AND "
        "arrived_at<?)",
        "USING COVERING INDEX movements_by_origin (origin_holding_id=? AND arrived_at=?)",
        "USING COVERING INDEX movements_by_end (<expr>=? AND arrived_at>? AND arrived_at<?)",
        "USING COVERING INDEX certificates_for_trace (id=?)",
        "USING INDEX passages_by_holding (holding_id=? AND scanned_at<?)",
        "USING INDEX passages_by_holding (holding_id=? AND scanned_at>? AND scanned_at<?)"}) {
    EXPECT_NE(plan.find(index), std::string::npos) << index << "\n" << plan;
  }
  // A certificate is never read by its unique index on id (and then its row).
  EXPECT_EQ(plan.find("sqlite_autoindex_certificates_1"), std::string::npos) << plan;
  // Every movement out of a holding, of any time: then its passages, then its certificate.
  for (const char* step : {"USING COVERING INDEX movements_by_origin (origin_holding_id=?)\n",
                           "USING COVERING INDEX movements_by_end (<expr>=?)\n"}) {
    SCOPED_TRACE(step);
    const size_t m = plan.find(step);
    ASSERT_NE(m, std::string::npos) << plan;
    const size_t p = plan.find("SEARCH p USING INDEX passages_by_certificate", m);
    const size_t c = plan.find("SEARCH c USING COVERING INDEX certificates_for_trace", m);
    ASSERT_NE(p, std::string::npos) << plan;
    ASSERT_NE(c, std::string::npos) << plan;
    EXPECT_LT(p, c) << plan;
  }
  EXPECT_NE(raw.Plan(sqlite::kSelectZonesInForce.sql).find("USING INDEX zones_in_force"),
            std::string::npos);
}

// The ring list of a zone reads the animals kept on its holdings by animals_by_holding (migration
// 15), and their owners and doses by key: no read of every animal.
TEST_F(SqliteStoreTest, RingListReadsAnimalsByHolding) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  RawDb raw(factory_.db_path());
  for (const char* sql : {sqlite::kSelectRingUnits.sql, sqlite::kSelectRingOwners.sql,
                          sqlite::kSelectRingDoses.sql}) {
    const std::string plan = raw.Plan(sql);
    EXPECT_EQ(plan.find("SCAN a"), std::string::npos) << plan;
    EXPECT_NE(plan.find("USING INDEX animals_by_holding (holding_id=?)"), std::string::npos)
        << plan;
  }
}

// Databases of schema 12 exist: migration 13 adds outbreak reports and zones; the schema is then
// the fresh one's and the records stay.
TEST_F(SqliteStoreTest, MigratesASchema12DatabaseToOutbreaks) {
  std::string fresh_schema;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(
        store
            ->RecordVaccinations(std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1)})},
                                 MakeContext(), MakeAudit("vaccination.batch"))
            .ok());
    RawDb raw(factory_.db_path());
    fresh_schema = SchemaOf(raw);
  }
  {
    RawDb raw(factory_.db_path());
    RevertToSchema12(raw);
    EXPECT_EQ(raw.Scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'zones'"), "0");
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  {
    RawDb raw(factory_.db_path());
    EXPECT_EQ(raw.Scalar("PRAGMA user_version"), "17");
    EXPECT_EQ(SchemaOf(raw), fresh_schema);
    EXPECT_EQ(raw.Scalar("PRAGMA integrity_check"), "ok");
  }
  auto zones = store->ListZonesInForce(Day("2026-12-01"));
  ASSERT_TRUE(zones.ok()) << zones.status().ToString();
  EXPECT_TRUE(zones->empty());
  EXPECT_TRUE(store->FindVaccination(Uuid(1)).ok());
}

// Databases of schema 11 exist: migration 12 adds the field copy's change log to a file full of
// records. A full copy holds them all; the first refresh brings only what changed after it.
TEST_F(SqliteStoreTest, MigratesASchema11DatabaseToFieldCopies) {
  std::string fresh_schema;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(
        store
            ->RecordVaccinations(std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1)})},
                                 MakeContext(), MakeAudit("vaccination.batch"))
            .ok());
    RawDb raw(factory_.db_path());
    fresh_schema = SchemaOf(raw);
  }
  {
    RawDb raw(factory_.db_path());
    RevertToSchema11(raw);
    EXPECT_EQ(raw.Scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'field_changes'"), "0");
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  {
    RawDb raw(factory_.db_path());
    EXPECT_EQ(raw.Scalar("PRAGMA user_version"), "17");
    EXPECT_EQ(SchemaOf(raw), fresh_schema);
    EXPECT_EQ(raw.Scalar("PRAGMA integrity_check"), "ok");
  }
  FieldCopyQuery q;
  q.scope = "KZ-ABY";
  struct Count final : FieldCopySink {
    Status OnOwner(const Owner&) override { return Add(); }
    Status OnAnimal(const Animal&) override { return Add(); }
    Status OnVaccination(const Vaccination&) override { return Add(); }
    Status OnCertificate(const Certificate&) override { return Add(); }
    Status OnAnimalGone(int64_t, int64_t) override { return Add(); }
    Status Add() {
      ++rows;
      return Status::Ok();
    }
    int rows = 0;
  } full, refresh;
  auto cursor = store->ReadFieldCopy(q, full);
  ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
  EXPECT_EQ(*cursor, 0);    // nothing noted before the migration
  EXPECT_EQ(full.rows, 3);  // owner, animal, record
  ASSERT_TRUE(
      store
          ->RecordVaccinations(std::vector<VaccinationInput>{MakeRecord(2, Phone(1), {Tag(1)})},
                               MakeContext(), MakeAudit("vaccination.batch"))
          .ok());
  q.since = *cursor;
  ASSERT_TRUE(store->ReadFieldCopy(q, refresh).ok());
  EXPECT_EQ(refresh.rows, 1);  // the new record
}

// Databases of schema 4 exist: migration 5 keeps every animal, each alive, with its records, and
// the file ends up with the schema of a new one.
TEST_F(SqliteStoreTest, MigratesASchema4DatabaseWithEveryAnimalAlive) {
  std::string fresh_schema;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    auto recorded = store->RecordVaccinations(
        std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1), Tag(2)})}, MakeContext(),
        MakeAudit("vaccination.batch"));
    ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();
    RawDb raw(factory_.db_path());
    fresh_schema = SchemaOf(raw);
  }
  {
    RawDb raw(factory_.db_path());
    RevertToSchema4(raw);
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  {
    RawDb raw(factory_.db_path());
    EXPECT_EQ(raw.Scalar("PRAGMA user_version"), "17");
    EXPECT_EQ(SchemaOf(raw), fresh_schema);
    EXPECT_EQ(raw.Scalar("PRAGMA integrity_check"), "ok");
  }
  auto animal = store->FindAnimalByTag(Tag(1));
  ASSERT_TRUE(animal.ok()) << animal.status().ToString();
  EXPECT_TRUE(animal->alive());
  EXPECT_FALSE(animal->ended_kind.has_value());
  EXPECT_TRUE(animal->former_tags.empty());
  // And its life goes on from there.
  AnimalEventInput died;
  died.id = Uuid(77);
  died.animal_id = animal->id;
  died.kind = AnimalEventKind::kDied;
  died.on = Day("2026-05-20");
  died.scope = "KZ-ABY";
  auto r = store->RecordAnimalEvent(died, MakeAudit("animal.event"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(store->FindAnimalByTag(Tag(1))->ended_kind, AnimalEventKind::kDied);
  EXPECT_TRUE(store->FindAnimalByTag(Tag(2))->alive());
}

// Databases of schema 5 exist: migration 6 keeps every certificate, a consumed one as an arrived
// movement with head unknown, an issued one as planned and seen coming at its destination.
TEST_F(SqliteStoreTest, MigratesASchema5DatabaseWithConsumedCertificatesArrived) {
  std::string fresh_schema;
  Certificate used, planned;
  const Timestamp consumed_at = At(1'790'000'100'000);
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    auto recorded = store->RecordVaccinations(
        std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1), Tag(2)})}, MakeContext(),
        MakeAudit("vaccination.batch"));
    ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();
    const int64_t owner_id = (*recorded)[0].owner_id;
    const std::vector<int64_t> animals = store->FindVaccination(Uuid(1))->animal_ids;
    used = MakeCertificate(1, owner_id, {animals[0]}, {Tag(1)});
    planned = MakeCertificate(2, owner_id, {animals[1]}, {Tag(2)});
    ASSERT_TRUE(store->CreateCertificate(used, MakeAudit("certificate.issue")).ok());
    ASSERT_TRUE(store->CreateCertificate(planned, MakeAudit("certificate.issue")).ok());
    ASSERT_TRUE(store
                    ->ConsumeCertificate(used.id, Consumption{21, "insp", "gate", consumed_at},
                                         MakeAudit("certificate.consume"))
                    .ok());
    RawDb raw(factory_.db_path());
    fresh_schema = SchemaOf(raw);
  }
  {
    RawDb raw(factory_.db_path());
    RevertToSchema5(raw);
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  {
    RawDb raw(factory_.db_path());
    EXPECT_EQ(raw.Scalar("PRAGMA user_version"), "17");
    EXPECT_EQ(SchemaOf(raw), fresh_schema);
    EXPECT_EQ(raw.Scalar("SELECT count(*) FROM movements"), "2");
  }
  auto arrived = store->FindCertificate(used.id);
  ASSERT_TRUE(arrived.ok()) << arrived.status().ToString();
  EXPECT_EQ(arrived->status, CertificateStatus::kConsumed);
  EXPECT_EQ(arrived->consumed_place, "gate");
  ASSERT_TRUE(arrived->arrival.has_value());
  EXPECT_EQ(arrived->arrival->at, consumed_at);
  EXPECT_EQ(arrived->arrival->head_counted, std::nullopt);
  EXPECT_EQ(arrived->arrival->holding_id, std::nullopt);
  EXPECT_FALSE(arrived->arrival->mismatch);
  EXPECT_EQ(MovementStatusAt(*arrived, consumed_at), MovementStatus::kArrived);
  auto issued = store->FindCertificate(planned.id);
  ASSERT_TRUE(issued.ok());
  EXPECT_FALSE(issued->arrival.has_value());
  MovementListQuery q;
  q.side = MovementListQuery::Side::kIncoming;
  q.scope = "KZ-ALA";
  q.now = planned.issued_at;
  auto incoming = store->ListMovements(q);
  ASSERT_TRUE(incoming.ok());
  ASSERT_EQ(incoming->size(), 1u);
  EXPECT_EQ((*incoming)[0].id, planned.id);
}

// Databases of schema 6 exist: migration 7 (passages) keeps their certificates, which take
// passages from then on, and the file ends up with the schema of a new one.
TEST_F(SqliteStoreTest, MigratesASchema6DatabaseAndItsCertificatesTakePassages) {
  std::string fresh_schema;
  Certificate c;
  Holding post;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    NewOwner o;
    o.phone = Phone(1);
    o.name = "Owner 1";
    o.village = "Kokpekty";
    o.authority = "KZ-ABY-01";
    auto owner = store->CreateOwner(o, MakeAudit("owner.create"));
    ASSERT_TRUE(owner.ok()) << owner.status().ToString();
    c = MakeCertificate(1, owner->id, {}, {});
    ASSERT_TRUE(store->CreateCertificate(c, MakeAudit("certificate.issue")).ok());
    Holding h;
    h.code = "CP-1";
    h.kind = HoldingKind::kCheckpoint;
    h.name = "Checkpoint 1";
    h.authority = "KZ-ABY-01";
    h.opened_on = Day("2020-01-01");
    auto made = store->CreateHolding(h, MakeAudit("holding.create"));
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    post = *made;
    RawDb raw(factory_.db_path());
    fresh_schema = SchemaOf(raw);
  }
  {
    RawDb raw(factory_.db_path());
    RevertToSchema6(raw);
    EXPECT_EQ(raw.Scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'passages'"), "0");
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  {
    RawDb raw(factory_.db_path());
    EXPECT_EQ(raw.Scalar("PRAGMA user_version"), "17");
    EXPECT_EQ(SchemaOf(raw), fresh_schema);
    EXPECT_EQ(raw.Scalar("PRAGMA integrity_check"), "ok");
  }
  auto kept = store->FindCertificate(c.id);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->number, c.number);
  PassageInput in;
  in.id = Uuid(0xa55001);
  in.certificate_id = c.id;
  in.holding_id = post.id;
  in.authority = post.authority;
  in.at = c.issued_at + std::chrono::minutes(5);
  in.head_seen = 3;
  in.scope = "KZ-ABY";
  auto r = store->RecordPassage(in, MakeAudit("certificate.passage"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(store->ListPassages(c.id)->size(), 1u);
}

// Databases of schema 8 exist: migration 10 gives each consumed certificate its first use (from
// its consumption) and none to the others, so that a later scan of it is a double use.
TEST_F(SqliteStoreTest, MigratesASchema10DatabaseWithTheFirstUseOfEachConsumedCertificate) {
  Certificate used, planned;
  std::string fresh_schema;
  const Timestamp consumed_at = At(1'790'000'100'000);
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    NewOwner o{Phone(1), "Owner 1", "Kokpekty", "KZ-ABY-01", At(1000)};
    auto owner = store->CreateOwner(o, MakeAudit("owner.create"));
    ASSERT_TRUE(owner.ok()) << owner.status().ToString();
    used = MakeCertificate(1, owner->id, {}, {});
    planned = MakeCertificate(2, owner->id, {}, {});
    ASSERT_TRUE(store->CreateCertificate(used, MakeAudit("certificate.issue")).ok());
    ASSERT_TRUE(store->CreateCertificate(planned, MakeAudit("certificate.issue")).ok());
    ASSERT_TRUE(store
                    ->ConsumeCertificate(used.id, Consumption{21, "insp", "gate 2", consumed_at},
                                         MakeAudit("certificate.consume"))
                    .ok());
    RawDb raw(factory_.db_path());
    fresh_schema = SchemaOf(raw);
    RevertToSchema10(raw);
    EXPECT_EQ(raw.Scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'certificate_uses'"),
              "0");
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  {
    RawDb raw(factory_.db_path());
    EXPECT_EQ(raw.Scalar("PRAGMA user_version"), "17");
    EXPECT_EQ(SchemaOf(raw), fresh_schema);
    EXPECT_EQ(raw.Scalar("SELECT count(*) FROM certificate_uses"), "1");
  }
  auto uses = store->ListCertificateUses(used.id);
  ASSERT_TRUE(uses.ok()) << uses.status().ToString();
  ASSERT_EQ(uses->size(), 1u);
  EXPECT_FALSE((*uses)[0].double_use);
  EXPECT_EQ((*uses)[0].user_id, 21);
  EXPECT_EQ((*uses)[0].place, "gate 2");
  EXPECT_EQ((*uses)[0].scanned_at, consumed_at);
  EXPECT_EQ((*uses)[0].authority, used.destination);
  EXPECT_TRUE(store->ListCertificateUses(planned.id)->empty());
}

TEST_F(SqliteStoreTest, TamperedAuditAuthorityIsReported) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 3; ++i) {
    AuditEntry e = MakeAudit("a" + std::to_string(i));
    e.authority = "KZ-ABY-01";
    ASSERT_TRUE(store->AppendAudit(e).ok());
  }
  RawDb raw(factory_.db_path());
  // Moving a row out of an auditor's sight, or into it, breaks the chain.
  raw.Exec("UPDATE audit SET authority = '' WHERE seq = 2");
  auto v = store->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_seq, 2);
}

TEST_F(SqliteStoreTest, NewerSchemaIsRefused) {
  { ASSERT_NE(Open(), nullptr); }
  {
    RawDb raw(factory_.db_path());
    raw.Exec("PRAGMA user_version = " + std::to_string(SqliteSchemaVersion() + 1));
  }
  auto s = OpenSqliteStore(factory_.options());
  ASSERT_TRUE(HasCode(s.status(), StatusCode::kFailedPrecondition));
  EXPECT_EQ(s.status().message().find("SELECT"), std::string::npos);
}

TEST_F(SqliteStoreTest, UnopenablePathIsUnavailable) {
  SqliteOptions o = factory_.options();
  o.path = "/nonexistent-dir/for/sure/herdpass.db";
  EXPECT_TRUE(HasCode(OpenSqliteStore(o).status(), StatusCode::kUnavailable));
}

// Concurrent single-record writes share commits: while the database is locked by another
// connection, the writer's first group waits; every other caller queues behind it, and they all go
// out in the next group with one COMMIT.
TEST_F(SqliteStoreTest, ConcurrentWritesShareOneCommit) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 16;
  RawDb blocker(factory_.db_path());
  blocker.Exec("BEGIN IMMEDIATE");

  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto r = store->RecordVaccinations(std::vector<VaccinationInput>{MakeRecord(t, Phone(t))},
                                         MakeContext(), MakeAudit("vaccination.batch", t));
      if (!r.ok() || (*r)[0].outcome != RecordOutcome::kCreated) ++failures;
    });
  }
  // The writer itself gives up on the lock after its 5 s busy timeout, which makes the calls fail
  // and the test report it.
  if (const int64_t reached = AwaitWriterCalls(*store, 0, kThreads); reached != kThreads) {
    blocker.Exec("COMMIT");
    for (auto& th : threads) th.join();
    FAIL() << "only " << reached << " of " << kThreads << " calls reached the writer";
  }
  blocker.Exec("COMMIT");
  for (auto& th : threads) th.join();

  EXPECT_EQ(failures.load(), 0);
  const WriterStats stats = store->GetWriterStats();
  EXPECT_EQ(stats.jobs, kThreads);
  EXPECT_LE(stats.commits, 2);  // the group stuck behind the lock, then everyone else at once
  EXPECT_EQ(stats.failed_transactions, 0);
  EXPECT_EQ(store->Counts()->vaccinations, kThreads);
  EXPECT_TRUE(store->VerifyAudit()->ok);
}

// How many writes share a commit depends on the scheduler (ConcurrentWritesShareOneCommit above
// shows the sharing deterministically); what must always hold under contention is that every write
// lands once, no group fails, and the audit chain stays whole.
TEST_F(SqliteStoreTest, ManyConcurrentWritersKeepEveryRowAndTheAuditChain) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 16;
  constexpr int kPerThread = 20;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!store->AppendAudit(MakeAudit("lookup.phone", t)).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  const WriterStats stats = store->GetWriterStats();
  EXPECT_EQ(stats.jobs, kThreads * kPerThread);
  EXPECT_GE(stats.commits, 1);
  EXPECT_LE(stats.commits, stats.jobs);
  EXPECT_EQ(stats.failed_transactions, 0);
  EXPECT_EQ(stats.queued, 0);
  EXPECT_EQ(store->Counts()->audit_rows, kThreads * kPerThread);
  auto chain = store->VerifyAudit();
  ASSERT_TRUE(chain.ok());
  EXPECT_TRUE(chain->ok);
}

class SqliteFaultTest : public SqliteStoreTest {
 protected:
  void SetUp() override {
    vfs_ = &FaultVfs::Register("herdpass-fault");
    vfs_->Clear();
    SqliteOptions o = factory_.options();
    o.vfs = vfs_->name();
    store_ = Open(o);
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    vfs_->Clear();
    store_.reset();
  }

  FaultVfs* vfs_ = nullptr;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteFaultTest, FailedCommitSyncStoresNothingAndTheNextWriteSucceeds) {
  auto first =
      store_->RecordVaccinations(std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1)})},
                                 MakeContext(), MakeAudit("vaccination.batch"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  StoreCounts before = *store_->Counts();

  const int64_t faults = vfs_->injected_faults();
  vfs_->FailNthSync(1);
  std::vector<VaccinationInput> batch;
  for (int i = 2; i < 12; ++i) batch.push_back(MakeRecord(i, Phone(i), {Tag(i)}));
  auto failed = store_->RecordVaccinations(batch, MakeContext(), MakeAudit("vaccination.batch"));
  ASSERT_TRUE(HasCode(failed.status(), StatusCode::kUnavailable));
  EXPECT_EQ(vfs_->injected_faults(), faults + 1);
  EXPECT_EQ(failed.status().message().find("INSERT"), std::string::npos);

  StoreCounts after = *store_->Counts();
  EXPECT_EQ(after.owners, before.owners);
  EXPECT_EQ(after.animals, before.animals);
  EXPECT_EQ(after.vaccinations, before.vaccinations);
  EXPECT_EQ(after.audit_rows, before.audit_rows);
  EXPECT_TRUE(HasCode(store_->FindVaccination(Uuid(2)).status(), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(store_->FindOwnerByPhone(Phone(2)).status(), StatusCode::kNotFound));
  EXPECT_EQ(store_->GetWriterStats().failed_transactions, 1);

  // The writer recovered: the same batch now goes through, and the audit chain is whole.
  auto retry = store_->RecordVaccinations(batch, MakeContext(), MakeAudit("vaccination.batch"));
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  for (const auto& r : *retry) EXPECT_EQ(r.outcome, RecordOutcome::kCreated);
  EXPECT_EQ(store_->Counts()->vaccinations, before.vaccinations + 10);
  auto v = store_->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem << " at " << v->first_bad_seq;
  EXPECT_EQ(v->rows, before.audit_rows + 1);

  // And it survives a reopen intact.
  store_.reset();
  RawDb raw(factory_.db_path());
  EXPECT_EQ(raw.Scalar("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(raw.Scalar("SELECT count(*) FROM vaccinations"), "11");
  EXPECT_EQ(raw.Scalar("SELECT count(*) FROM audit"), std::to_string(before.audit_rows + 1));
}

// A revocation whose commit fails leaves the certificate issued and takes no sequence number:
// the list that offline verifiers cache has no gap and no number twice.
TEST_F(SqliteFaultTest, FailedRevocationCommitTakesNoSequenceNumber) {
  auto owner = store_->CreateOwner({Phone(1), "x", "", "KZ", At(1)}, MakeAudit("o"));
  ASSERT_TRUE(owner.ok());
  Certificate a = MakeCertificate(1, owner->id, {}, {});
  Certificate b = MakeCertificate(2, owner->id, {}, {});
  ASSERT_TRUE(store_->CreateCertificate(a, MakeAudit("issue")).ok());
  ASSERT_TRUE(store_->CreateCertificate(b, MakeAudit("issue")).ok());
  const int64_t rows = store_->Counts()->audit_rows;

  vfs_->FailNthSync(1);
  auto failed = store_->RevokeCertificate(a.id, 3, "r", At(5), MakeAudit("revoke"));
  ASSERT_TRUE(HasCode(failed.status(), StatusCode::kUnavailable));
  EXPECT_EQ(store_->FindCertificate(a.id)->status, CertificateStatus::kIssued);
  EXPECT_TRUE(store_->ListRevocations()->empty());
  EXPECT_EQ(store_->Counts()->audit_rows, rows);

  auto first = store_->RevokeCertificate(b.id, 3, "r", At(6), MakeAudit("revoke"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->sequence, 1);
  auto second = store_->RevokeCertificate(a.id, 3, "r", At(7), MakeAudit("revoke"));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->sequence, 2);
  EXPECT_TRUE(store_->VerifyAudit()->ok);
}

TEST_F(SqliteFaultTest, FailingWritesFailEveryWriteUntilCleared) {
  ASSERT_TRUE(store_->AppendAudit(MakeAudit("before")).ok());
  vfs_->FailAllWrites();
  EXPECT_TRUE(HasCode(store_->AppendAudit(MakeAudit("lost")), StatusCode::kUnavailable));
  EXPECT_TRUE(
      HasCode(store_->CreateOwner({Phone(1), "x", "", "KZ", At(1)}, MakeAudit("o")).status(),
              StatusCode::kUnavailable));
  // Reads still work.
  EXPECT_EQ(store_->Counts()->audit_rows, 1);
  vfs_->Clear();
  ASSERT_TRUE(store_->AppendAudit(MakeAudit("after")).ok());
  auto owner = store_->CreateOwner({Phone(1), "x", "", "KZ", At(1)}, MakeAudit("o"));
  ASSERT_TRUE(owner.ok()) << owner.status().ToString();
  auto rows = store_->ListAudit({});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[1].entry.action, "after");
  EXPECT_EQ((*rows)[1].seq, 2);
  EXPECT_TRUE(store_->VerifyAudit()->ok);
}

TEST_F(SqliteFaultTest, NthWriteAndSyncCountFromNow) {
  vfs_->FailNthWrite(1);
  EXPECT_TRUE(HasCode(store_->AppendAudit(MakeAudit("lost")), StatusCode::kUnavailable));
  ASSERT_TRUE(store_->AppendAudit(MakeAudit("kept")).ok());  // the fault fired once
  const int64_t syncs = vfs_->syncs();
  ASSERT_TRUE(store_->CreateOwner({Phone(1), "x", "", "KZ", At(1)}, MakeAudit("o1")).ok());
  EXPECT_GT(vfs_->syncs(), syncs);  // synchronous=FULL: every durable commit syncs
  vfs_->FailNthSync(2);             // not this commit's sync, the next one's
  ASSERT_TRUE(store_->CreateOwner({Phone(2), "x", "", "KZ", At(1)}, MakeAudit("o2")).ok());
  EXPECT_TRUE(
      HasCode(store_->CreateOwner({Phone(3), "x", "", "KZ", At(1)}, MakeAudit("o3")).status(),
              StatusCode::kUnavailable));
  EXPECT_EQ(store_->Counts()->audit_rows, 3);
  EXPECT_EQ(store_->Counts()->owners, 2);
  EXPECT_TRUE(store_->VerifyAudit()->ok);
}

// A read's audit row is committed to the WAL without an fsync of its own; the next durable write
// syncs the log, and with it the audit rows before it.
TEST_F(SqliteFaultTest, AppendAuditSharesTheNextDurableSync) {
  ASSERT_TRUE(store_->CreateOwner({Phone(1), "x", "", "KZ", At(1)}, MakeAudit("o1")).ok());
  const int64_t syncs = vfs_->syncs();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store_->AppendAudit(MakeAudit("read")).ok());
  EXPECT_EQ(vfs_->syncs(), syncs);
  EXPECT_EQ(store_->Counts()->audit_rows, 6);
  ASSERT_TRUE(store_->CreateOwner({Phone(2), "x", "", "KZ", At(1)}, MakeAudit("o2")).ok());
  EXPECT_GT(vfs_->syncs(), syncs);
  EXPECT_TRUE(store_->VerifyAudit()->ok);
}

TEST_F(SqliteStoreTest, TamperedAuditRowIsReported) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(store->AppendAudit(MakeAudit("a" + std::to_string(i))).ok());
  ASSERT_TRUE(store->VerifyAudit()->ok);

  RawDb raw(factory_.db_path());
  raw.Exec("UPDATE audit SET target = 'owner:666' WHERE seq = 3");
  auto v = store->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_seq, 3);
  EXPECT_EQ(v->rows, 5);
  EXPECT_FALSE(v->problem.empty());
}

TEST_F(SqliteStoreTest, RemovedAuditRowIsReported) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(store->AppendAudit(MakeAudit("a" + std::to_string(i))).ok());
  RawDb raw(factory_.db_path());
  raw.Exec("DELETE FROM audit WHERE seq = 2");
  auto v = store->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_seq, 3);
  EXPECT_EQ(v->rows, 4);
}

TEST_F(SqliteStoreTest, RehashedRowStillBreaksTheLinkToTheNext) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(store->AppendAudit(MakeAudit("a" + std::to_string(i))).ok());
  auto rows = store->ListAudit({});
  ASSERT_TRUE(rows.ok());
  AuditEntry forged = (*rows)[1].entry;
  forged.target = "forged";
  const std::string hash = ChainHash((*rows)[1].prev_hash, 2, forged);
  RawDb raw(factory_.db_path());
  raw.Exec("UPDATE audit SET target = 'forged', hash = '" + hash + "' WHERE seq = 2");
  auto v = store->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_seq, 3);
}

// Another process (the CLI) appending while the server runs must not fork the chain.
TEST_F(SqliteStoreTest, WritesFromAnotherConnectionKeepTheChainWhole) {
  auto a = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(a->AppendAudit(MakeAudit("server")).ok());
  {
    auto b = Open();
    ASSERT_NE(b, nullptr);
    ASSERT_TRUE(b->AppendAudit(MakeAudit("cli")).ok());
  }
  ASSERT_TRUE(a->AppendAudit(MakeAudit("server again")).ok());
  auto v = a->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem << " at " << v->first_bad_seq;
  EXPECT_EQ(v->rows, 3);
}

}  // namespace
}  // namespace herdpass::testing
