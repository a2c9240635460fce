// PostgreSQL-specific store tests: migrations and their lock, the W2 layout, group commit, several
// stores (servers) on one database, lost connections, and tampering with the audit chain through
// raw SQL. Each test has a database of its own on the `postgres` fixture's cluster.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <latch>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/postgres_store.h"
#include "store/postgres/queries.h"
#include "tests/store/store_test_support.h"

namespace herdpass::testing {
namespace {

// The down step of migration 17 (the trace's covering indexes): the movement indexes as
// migration 15 made them, no certificates_for_trace.
#define HP_UNDO_COVERING_TRACE                                                                  \
  "DROP INDEX certificates_for_trace; DROP INDEX movements_by_origin; CREATE INDEX "            \
  "movements_by_origin ON movements(origin_holding_id, arrived_at); DROP INDEX "                \
  "movements_by_end; CREATE INDEX movements_by_end ON movements((coalesce(arrival_holding_id, " \
  "destination_holding_id)), arrived_at); DELETE FROM schema_migrations WHERE version = 17; "
constexpr char kUndoCoveringTrace[] = HP_UNDO_COVERING_TRACE;

// Undoes migration 17, then 16 (owners' codes and sessions, the audit log by target).
#define HP_UNDO_OWNER_CODES                                                                     \
  HP_UNDO_COVERING_TRACE                                                                        \
  "DROP INDEX audit_by_target; DROP TABLE owner_sessions; DROP TABLE owner_codes; DELETE FROM " \
  "schema_migrations WHERE version = 16; "
constexpr char kUndoOwnerCodes[] = HP_UNDO_OWNER_CODES;

// Undoes migration 16, then 15 (the trace's indexes, zones_in_force, animals_by_holding).
#define HP_UNDO_TRACE_INDEXES                                                                     \
  HP_UNDO_OWNER_CODES                                                                             \
  "DROP INDEX movements_by_origin; DROP INDEX movements_by_end; DROP INDEX passages_by_holding; " \
  "DROP INDEX zones_in_force; CREATE INDEX zones_by_end ON zones(ends_on); "                      \
  "DROP INDEX animals_by_holding; DELETE FROM schema_migrations WHERE version = 15; "
constexpr char kUndoTraceIndexes[] = HP_UNDO_TRACE_INDEXES;

// Undoes migrations 16 and 15, then 14 (the SMS outbox).
#define HP_UNDO_SMS                                                                    \
  HP_UNDO_TRACE_INDEXES                                                                \
  "DROP TABLE sms_inbound; DROP TABLE sms_owners; DROP TABLE sms_outbox; DELETE FROM " \
  "schema_migrations WHERE version = 14; "
constexpr char kUndoSms[] = HP_UNDO_SMS;

// Undoes migration 14, then 13 (outbreaks and zones).
#define HP_UNDO_OUTBREAKS \
  HP_UNDO_SMS             \
  "DROP TABLE zones; DROP TABLE outbreaks; DELETE FROM schema_migrations WHERE version = 13; "
constexpr char kUndoOutbreaks[] = HP_UNDO_OUTBREAKS;

// Undoes migration 13, then 12 (field copy).
#define HP_UNDO_FIELD_COPY                                                 \
  HP_UNDO_OUTBREAKS                                                        \
  "DROP TABLE field_changes; DROP INDEX owners_by_authority; DELETE FROM " \
  "schema_migrations WHERE version = 12; "
constexpr char kUndoFieldCopy[] = HP_UNDO_FIELD_COPY;

// Undoes migration 12, then 11 (certificate uses).
#define HP_UNDO_USES \
  HP_UNDO_FIELD_COPY \
  "DROP TABLE certificate_uses; DELETE FROM schema_migrations WHERE version = 11; "
constexpr char kUndoUses[] = HP_UNDO_USES;

// Undoes migrations 12 and 11, then 10 (journeys: holding stays, certificate_animals by animal).
#define HP_UNDO_JOURNEYS                                                             \
  HP_UNDO_USES                                                                       \
  "DROP INDEX certificate_animals_by_animal; DROP TABLE holding_stays; DELETE FROM " \
  "schema_migrations WHERE version = 10; "
constexpr char kUndoJourneys[] = HP_UNDO_JOURNEYS;

// Undoes migrations 12 to 10, then 9 (owners' revisions): back to schema 8.
constexpr char kUndoOwnerRevision[] = HP_UNDO_JOURNEYS
    "ALTER TABLE owners DROP COLUMN revision; DELETE FROM schema_migrations WHERE version = 9";
#undef HP_UNDO_JOURNEYS
#undef HP_UNDO_USES
#undef HP_UNDO_FIELD_COPY

// The down step of migration 8 (sale), undone after kUndoOwnerRevision.
constexpr char kUndoSale[] =
    "DROP TABLE ownership_changes; DROP TABLE transfers; ALTER TABLE certificates DROP COLUMN "
    "buyer_id; DELETE FROM schema_migrations WHERE version = 8";

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(factory_.db().ok()) << factory_.db().error();
    Reopen();
  }

  void Reopen() {
    store_.reset();
    auto opened = factory_.Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  const PgTestDatabase& db() const { return factory_.db(); }

  Owner AddOwner(int64_t n, Store* store = nullptr) {
    NewOwner o{Phone(n), "Owner " + std::to_string(n), "Village", "KZ-ABY-01", At(1000 + n)};
    auto r = (store ? store : store_.get())->CreateOwner(o, MakeAudit("owner.create"));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Owner{};
  }

  PostgresStoreFactory factory_;
  std::unique_ptr<Store> store_;
};

// The down step of migration 7 (checkpoint passages), undone after kUndoSale.
constexpr char kUndoPassages[] =
    "DROP TABLE passages; DELETE FROM schema_migrations WHERE version = 7";

TEST_F(PostgresStoreTest, MigratesToTheLatestSchemaOnceAndRecordsEachVersion) {
  EXPECT_EQ(PostgresSchemaVersion(), 17);
  EXPECT_EQ(
      db().Scalar("SELECT string_agg(version || ':' || name, ',' ORDER BY version) FROM "
                  "schema_migrations"),
      "1:Migration1,2:Migration2,3:Migration3,4:Migration4,5:Migration5,"
      "6:Migration6,7:Migration7,8:Migration8,9:Migration9,10:Migration10,11:Migration11,12:"
      "Migration12,13:Migration13,14:Migration14,15:Migration15,16:Migration16,17:Migration17");
  AddOwner(1);
  Reopen();
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM schema_migrations"), "17");
  EXPECT_EQ(store_->Counts()->owners, 1);
}

// Databases of schema 8 exist: migration 9 gives each owner revision 0, and the writes raise it.
TEST_F(PostgresStoreTest, MigratesASchema8DatabaseToOwnerRevisions) {
  Owner o = AddOwner(1);
  store_.reset();
  ASSERT_EQ(db().Exec(kUndoOwnerRevision), "");
  Reopen();
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM schema_migrations"), "17");
  auto before = store_->FindOwnerRevisionByPhone(Phone(1));
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(before->owner_id, o.id);
  EXPECT_EQ(before->revision, 0);
  NewAnimal a;
  a.owner_id = o.id;
  a.tag = Tag(1);
  a.species = "sheep";
  a.authority = "KZ-ABY-01";
  a.created_at = At(5000);
  ASSERT_TRUE(store_->CreateAnimal(a, MakeAudit("animal.create")).ok());
  auto after = store_->FindOwnerRevisionByPhone(Phone(1));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->revision, 1);
}

// Databases of schema 10 exist: migration 11 gives each consumed certificate its first use.
TEST_F(PostgresStoreTest, MigratesASchema10DatabaseWithTheFirstUseOfEachConsumedCertificate) {
  Owner o = AddOwner(1);
  Certificate used = MakeCertificate(1, o.id, {}, {});
  Certificate planned = MakeCertificate(2, o.id, {}, {});
  ASSERT_TRUE(store_->CreateCertificate(used, MakeAudit("certificate.issue")).ok());
  ASSERT_TRUE(store_->CreateCertificate(planned, MakeAudit("certificate.issue")).ok());
  const Timestamp consumed_at = At(1'790'000'100'000);
  ASSERT_TRUE(store_
                  ->ConsumeCertificate(used.id, Consumption{21, "insp", "gate 2", consumed_at},
                                       MakeAudit("certificate.consume"))
                  .ok());
  store_.reset();
  ASSERT_EQ(db().Exec(kUndoUses), "");
  Reopen();
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM schema_migrations"), "17");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM certificate_uses"), "1");
  auto uses = store_->ListCertificateUses(used.id);
  ASSERT_TRUE(uses.ok()) << uses.status().ToString();
  ASSERT_EQ(uses->size(), 1u);
  EXPECT_FALSE((*uses)[0].double_use);
  EXPECT_EQ((*uses)[0].user_id, 21);
  EXPECT_EQ((*uses)[0].place, "gate 2");
  EXPECT_EQ((*uses)[0].scanned_at, consumed_at);
  EXPECT_EQ((*uses)[0].authority, used.destination);
  EXPECT_TRUE(store_->ListCertificateUses(planned.id)->empty());
}

// Databases of schema 4 exist: migration 5 keeps every animal, each alive.
TEST_F(PostgresStoreTest, MigratesASchema4DatabaseWithEveryAnimalAlive) {
  Owner o = AddOwner(1);
  NewAnimal a;
  a.owner_id = o.id;
  a.tag = Tag(1);
  a.species = "sheep";
  a.authority = "KZ-ABY-01";
  a.created_at = At(5000);
  ASSERT_TRUE(store_->CreateAnimal(a, MakeAudit("animal.create")).ok());
  store_.reset();
  ASSERT_EQ(db().Exec(kUndoOwnerRevision), "");
  ASSERT_EQ(db().Exec(kUndoSale), "");
  ASSERT_EQ(db().Exec(kUndoPassages), "");
  ASSERT_EQ(db().Exec("DROP TABLE movements; DELETE FROM schema_migrations WHERE version = 6; "
                      "DROP TABLE animal_events; DROP TABLE former_tags; "
                      "ALTER TABLE animals DROP COLUMN ended_kind, DROP COLUMN ended_on; "
                      "DELETE FROM schema_migrations WHERE version = 5"),
            "");
  Reopen();
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM schema_migrations"), "17");
  auto animal = store_->FindAnimalByTag(Tag(1));
  ASSERT_TRUE(animal.ok()) << animal.status().ToString();
  EXPECT_TRUE(animal->alive());
  EXPECT_FALSE(animal->ended_kind.has_value());
}

// Databases of schema 5 exist: migration 6 keeps every certificate, a consumed one as an arrived
// movement with head unknown, an issued one as planned and seen coming at its destination.
TEST_F(PostgresStoreTest, MigratesASchema5DatabaseWithConsumedCertificatesArrived) {
  auto recorded = store_->RecordVaccinations(
      std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1), Tag(2)})}, MakeContext(),
      MakeAudit("vaccination.batch"));
  ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();
  const int64_t owner_id = (*recorded)[0].owner_id;
  const std::vector<int64_t> animals = store_->FindVaccination(Uuid(1))->animal_ids;
  Certificate used = MakeCertificate(1, owner_id, {animals[0]}, {Tag(1)});
  Certificate planned = MakeCertificate(2, owner_id, {animals[1]}, {Tag(2)});
  ASSERT_TRUE(store_->CreateCertificate(used, MakeAudit("certificate.issue")).ok());
  ASSERT_TRUE(store_->CreateCertificate(planned, MakeAudit("certificate.issue")).ok());
  const Timestamp consumed_at = At(1'790'000'100'000);
  ASSERT_TRUE(store_
                  ->ConsumeCertificate(used.id, Consumption{21, "insp", "gate", consumed_at},
                                       MakeAudit("certificate.consume"))
                  .ok());
  store_.reset();
  ASSERT_EQ(db().Exec(kUndoOwnerRevision), "");
  ASSERT_EQ(db().Exec(kUndoSale), "");
  ASSERT_EQ(db().Exec(kUndoPassages), "");
  ASSERT_EQ(db().Exec("DROP TABLE movements; DELETE FROM schema_migrations WHERE version = 6"), "");
  Reopen();
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM schema_migrations"), "17");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM movements"), "2");
  auto arrived = store_->FindCertificate(used.id);
  ASSERT_TRUE(arrived.ok()) << arrived.status().ToString();
  EXPECT_EQ(arrived->status, CertificateStatus::kConsumed);
  ASSERT_TRUE(arrived->arrival.has_value());
  EXPECT_EQ(arrived->arrival->at, consumed_at);
  EXPECT_EQ(arrived->arrival->head_counted, std::nullopt);
  EXPECT_EQ(arrived->arrival->holding_id, std::nullopt);
  EXPECT_FALSE(arrived->arrival->mismatch);
  EXPECT_EQ(MovementStatusAt(*arrived, consumed_at), MovementStatus::kArrived);
  EXPECT_FALSE(store_->FindCertificate(planned.id)->arrival.has_value());
  MovementListQuery q;
  q.side = MovementListQuery::Side::kIncoming;
  q.scope = "KZ-ALA";
  q.now = planned.issued_at;
  auto incoming = store_->ListMovements(q);
  ASSERT_TRUE(incoming.ok());
  ASSERT_EQ(incoming->size(), 1u);
  EXPECT_EQ((*incoming)[0].id, planned.id);
}

// Databases of schema 6 exist: migration 7 keeps their certificates, which take passages.
TEST_F(PostgresStoreTest, MigratesASchema6DatabaseAndItsCertificatesTakePassages) {
  Owner o = AddOwner(1);
  Certificate c = MakeCertificate(1, o.id, {}, {});
  ASSERT_TRUE(store_->CreateCertificate(c, MakeAudit("certificate.issue")).ok());
  Holding h;
  h.code = "CP-1";
  h.kind = HoldingKind::kCheckpoint;
  h.name = "Checkpoint 1";
  h.authority = "KZ-ABY-01";
  h.opened_on = Day("2020-01-01");
  auto post = store_->CreateHolding(h, MakeAudit("holding.create"));
  ASSERT_TRUE(post.ok()) << post.status().ToString();
  store_.reset();
  ASSERT_EQ(db().Exec(kUndoOwnerRevision), "");
  ASSERT_EQ(db().Exec(kUndoSale), "");
  ASSERT_EQ(db().Exec(kUndoPassages), "");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'passages'"), "0");
  Reopen();
  EXPECT_EQ(db().Scalar("SELECT max(version) FROM schema_migrations"), "17");
  ASSERT_TRUE(store_->FindCertificate(c.id).ok());
  PassageInput in;
  in.id = Uuid(0xa55001);
  in.certificate_id = c.id;
  in.holding_id = post->id;
  in.authority = post->authority;
  in.at = c.issued_at + std::chrono::minutes(5);
  in.head_seen = 3;
  in.scope = "KZ-ABY";
  auto r = store_->RecordPassage(in, MakeAudit("certificate.passage"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(store_->ListPassages(c.id)->size(), 1u);
}

// Two servers starting together on an empty database: the advisory lock lets one migrate while the
// other waits, then finds nothing left to do.
TEST_F(PostgresStoreTest, StoresOpeningAnEmptyDatabaseTogetherMigrateItOnce) {
  store_.reset();
  ASSERT_EQ(db().Exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public"), "");
  constexpr int kStores = 4;
  std::latch start(kStores);
  std::vector<std::string> errors(kStores);
  std::vector<std::thread> threads;
  for (int i = 0; i < kStores; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto s = OpenPostgresStore(factory_.options());
      if (!s.ok()) errors[i] = s.status().ToString();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM schema_migrations"), "17");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM counters"), "6");
}

TEST_F(PostgresStoreTest, NewerSchemaIsRefused) {
  store_.reset();
  const std::string known = std::to_string(PostgresSchemaVersion());
  const std::string newer = std::to_string(PostgresSchemaVersion() + 1);
  ASSERT_EQ(db().Exec("INSERT INTO schema_migrations(version, name) VALUES(" + newer +
                      ", 'Migration" + newer + "')"),
            "");
  auto s = OpenPostgresStore(factory_.options());
  ASSERT_TRUE(HasCode(s.status(), StatusCode::kFailedPrecondition));
  EXPECT_EQ(s.status().message(),
            "the database was written by a newer version of HerdPass (schema " + newer +
                ", this program knows up to " + known + ")");
}

// Databases of schema 3 exist: migration 4 adds holdings to a database full of records, which keep
// working with no holding; W2 stays an index-only scan of the rebuilt primary key.
TEST_F(PostgresStoreTest, MigratesASchema3DatabaseToHoldingsWithItsRowsIntact) {
  auto recorded = store_->RecordVaccinations(
      std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1), Tag(2)}),
                                    MakeRecord(2, Phone(1))},
      MakeContext(), MakeAudit("vaccination.batch"));
  ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();
  const int64_t owner_id = (*recorded)[0].owner_id;
  const std::vector<int64_t> animal_ids = store_->FindVaccination(Uuid(1))->animal_ids;
  Certificate c = MakeCertificate(1, owner_id, animal_ids, {Tag(1), Tag(2)});
  ASSERT_TRUE(store_->CreateCertificate(c, MakeAudit("certificate.issue")).ok());
  const std::string pkey = db().Scalar(
      "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indexrelid = "
      "'vaccinations_pkey'::regclass");
  store_.reset();
  // Back to what migration 3 left: no tag life (migration 5), the key as migration 1 made it, no
  // holdings.
  ASSERT_EQ(db().Exec(kUndoOwnerRevision), "");
  ASSERT_EQ(db().Exec(kUndoSale), "");
  ASSERT_EQ(db().Exec(kUndoPassages), "");
  ASSERT_EQ(db().Exec("DROP TABLE movements; DELETE FROM schema_migrations WHERE version = 6; "
                      "DROP TABLE animal_events; DROP TABLE former_tags; "
                      "ALTER TABLE animals DROP COLUMN ended_kind, DROP COLUMN ended_on; "
                      "DELETE FROM schema_migrations WHERE version = 5; "
                      "ALTER TABLE vaccinations DROP COLUMN holding_id; "
                      "ALTER TABLE animals DROP COLUMN holding_id; DROP TABLE holdings; "
                      "ALTER TABLE vaccinations ADD CONSTRAINT vaccinations_pkey PRIMARY "
                      "KEY(owner_id, administered_on, id) INCLUDE(animal_ids, species, "
                      "head_count, disease, vaccine, batch_no, dose_ml, lat, lon, device_id, "
                      "recorded_by, recorded_at, authority, voided, void_reason, voided_at, "
                      "corrects); DELETE FROM schema_migrations WHERE version = 4"),
            "");
  ASSERT_EQ(db().Scalar("SELECT count(*) FROM pg_class WHERE relname LIKE '%holding%'"), "0");
  Reopen();
  EXPECT_EQ(db().Scalar("SELECT max(version) FROM schema_migrations"), "17");
  EXPECT_EQ(db().Scalar("SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indexrelid = "
                        "'vaccinations_pkey'::regclass"),
            pkey);
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM animals WHERE holding_id IS NULL"), "3");
  StoreCounts counts = *store_->Counts();
  EXPECT_EQ(counts.animals, 3);
  EXPECT_EQ(counts.vaccinations, 2);
  EXPECT_EQ(counts.certificates, 1);
  auto history = store_->LoadOwnerHistory(owner_id, Day("2000-01-01"));
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  EXPECT_EQ(history->animals.size(), 3u);
  ASSERT_EQ(history->vaccinations.size(), 2u);
  for (const Vaccination& v : history->vaccinations) EXPECT_EQ(v.holding_id, std::nullopt);
  EXPECT_TRUE(history->holdings.empty());
  auto cert = store_->FindCertificateByNumber(c.number);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_EQ(cert->animal_ids, animal_ids);
  Holding h;
  h.code = "F-1";
  h.name = "Farm";
  h.authority = "KZ-ABY-01";
  h.lat = 43.2;
  h.lon = 76.9;
  h.opened_on = Day("2020-01-01");
  auto created = store_->CreateHolding(h, MakeAudit("holding.create"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  VaccinationInput at_farm = MakeRecord(3, Phone(1), {Tag(1)});
  at_farm.holding_id = created->id;
  auto r = store_->RecordVaccinations(std::vector<VaccinationInput>{at_farm}, MakeContext(),
                                      MakeAudit("vaccination.batch"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].outcome, RecordOutcome::kCreated);
  EXPECT_EQ(store_->FindVaccination(Uuid(3))->holding_id, std::optional<int64_t>(created->id));
  auto v = store_->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
}

// Databases of schema 12 exist: migration 13 adds outbreak reports and zones beside the records.
// Databases of schema 14 exist: migration 15 adds the trace's indexes (the records stay), and the
// trace's walk searches them.
TEST_F(PostgresStoreTest, MigratesASchema14DatabaseToTheTraceIndexes) {
  ASSERT_TRUE(
      store_
          ->RecordVaccinations(std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1)})},
                               MakeContext(), MakeAudit("vaccination.batch"))
          .ok());
  store_.reset();
  ASSERT_EQ(db().Exec(kUndoTraceIndexes), "");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'movements_by_origin'"),
            "0");
  Reopen();
  EXPECT_EQ(db().Scalar("SELECT max(version) FROM schema_migrations"), "17");
  EXPECT_EQ(db().Scalar("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes "
                        "WHERE indexname IN ('movements_by_origin', 'movements_by_end', "
                        "'passages_by_holding', 'zones_in_force', 'zones_by_end')"),
            "movements_by_end,movements_by_origin,passages_by_holding,zones_in_force");
  EXPECT_TRUE(store_->FindVaccination(Uuid(1)).ok());
  TraceQuery q;
  q.holding_id = 1;
  q.from = At(0);
  q.to = At(4'000'000'000'000);
  q.depth = 2;
  q.forward = true;
  q.backward = true;
  auto r = store_->Trace(q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->movements.empty());
}

// Databases of schema 16 exist: migration 17 gives the trace's movement indexes the columns the
// walk reads and adds certificates_for_trace; a movement stored before is traced as before, with
// what the walk reads of its certificate.
TEST_F(PostgresStoreTest, MigratesASchema16DatabaseToTheCoveringTraceIndexes) {
  auto recorded =
      store_->RecordVaccinations(std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1)})},
                                 MakeContext(), MakeAudit("vaccination.batch"));
  ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();
  auto holding = [&](const std::string& code) -> int64_t {
    auto made =
        store_->CreateHolding(MakeHolding(code, HoldingKind::kFarm), MakeAudit("holding.create"));
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? made->id : 0;
  };
  const int64_t farm = holding("MG-F");
  const int64_t other = holding("MG-G");
  Certificate c = MakeCertificate(1, (*recorded)[0].owner_id,
                                  store_->FindVaccination(Uuid(1))->animal_ids, {Tag(1)});
  c.origin_holding_id = farm;
  c.destination_holding_id = other;
  ASSERT_TRUE(store_->CreateCertificate(c, MakeAudit("certificate.issue")).ok());
  store_.reset();
  ASSERT_EQ(db().Exec(kUndoCoveringTrace), "");
  EXPECT_EQ(
      db().Scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'certificates_for_trace'"),
      "0");
  Reopen();
  EXPECT_EQ(db().Scalar("SELECT max(version) FROM schema_migrations"), "17");
  EXPECT_EQ(db().Scalar("SELECT string_agg(indexname || ': ' || substr(indexdef, "
                        "strpos(indexdef, 'INCLUDE')), ' | ' ORDER BY indexname) FROM pg_indexes "
                        "WHERE indexname IN ('movements_by_origin', 'movements_by_end', "
                        "'certificates_for_trace')"),
            "certificates_for_trace: INCLUDE (issued_at, status, purpose, head_count, number) | "
            "movements_by_end: INCLUDE (certificate_id, origin_holding_id, arrival_holding_id, "
            "destination_holding_id, head_counted) | movements_by_origin: INCLUDE "
            "(certificate_id, arrival_holding_id, destination_holding_id, head_counted)");
  auto r = store_->Trace(TraceForwardFrom(farm, 1));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->movements.size(), 1u);
  EXPECT_EQ(r->movements[0].to_holding, other);
  EXPECT_EQ(r->movements[0].number, c.number);
  EXPECT_EQ(r->movements[0].kind, "sale");
  EXPECT_EQ(r->movements[0].head, 32);
}

// Databases of schema 15 exist: migration 16 adds owners' codes and sessions, and the audit log by
// target; the records and the outbox stay.
TEST_F(PostgresStoreTest, MigratesASchema15DatabaseToOwnerCodes) {
  Owner o = AddOwner(1);
  ASSERT_TRUE(store_->QueueSms({o.id, "reply", "", "x", "", true, At(1)}).ok());
  store_.reset();
  ASSERT_EQ(db().Exec(kUndoOwnerCodes), "");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'owner_codes'"), "0");
  Reopen();
  EXPECT_EQ(db().Scalar("SELECT max(version) FROM schema_migrations"), "17");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM sms_outbox"), "1");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'audit_by_target'"),
            "1");
  OwnerCode code{0, o.id, "s$h", At(10), At(10) + kOwnerCodeValidFor, 0, false};
  ASSERT_TRUE(
      store_
          ->SaveOwnerCode(code, {o.id, "otp", "", "123456", "", true, At(10)}, MakeAudit("me.code"))
          .ok());
  auto tried = store_->TryOwnerCode(
      o.id, [](const OwnerCode& c) { return c.code_hash == "s$h"; }, At(11),
      {"tok", o.id, At(11), At(12)}, [](OwnerCodeOutcome) { return MakeAudit("me.sign_in"); });
  ASSERT_TRUE(tried.ok()) << tried.status().ToString();
  EXPECT_EQ(*tried, OwnerCodeOutcome::kSignedIn);
}

// Databases of schema 13 exist: migration 14 adds the SMS outbox; the records from before it
// queue no receipt.
TEST_F(PostgresStoreTest, MigratesASchema13DatabaseToTheSmsOutbox) {
  ASSERT_TRUE(
      store_
          ->RecordVaccinations(std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1)})},
                               MakeContext(), MakeAudit("vaccination.batch"))
          .ok());
  store_.reset();
  ASSERT_EQ(db().Exec(kUndoSms), "");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'sms_outbox'"), "0");
  Reopen();
  EXPECT_EQ(db().Scalar("SELECT max(version) FROM schema_migrations"), "17");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM sms_outbox"), "0");
  EXPECT_TRUE(store_->FindVaccination(Uuid(1)).ok());
  auto owner = store_->FindOwnerByPhone(Phone(1));
  ASSERT_TRUE(owner.ok());
  EXPECT_TRUE(store_->QueueSms({owner->id, "reply", "", "x", "", true, At(1)}).ok());
}

TEST_F(PostgresStoreTest, MigratesASchema12DatabaseToOutbreaks) {
  ASSERT_TRUE(
      store_
          ->RecordVaccinations(std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1)})},
                               MakeContext(), MakeAudit("vaccination.batch"))
          .ok());
  store_.reset();
  ASSERT_EQ(db().Exec(kUndoOutbreaks), "");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'zones'"), "0");
  Reopen();
  EXPECT_EQ(db().Scalar("SELECT max(version) FROM schema_migrations"), "17");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM pg_tables WHERE tablename IN ('zones', 'outbreaks')"),
            "2");
  auto zones = store_->ListZonesInForce(Day("2026-12-01"));
  ASSERT_TRUE(zones.ok()) << zones.status().ToString();
  EXPECT_TRUE(zones->empty());
  EXPECT_TRUE(store_->FindVaccination(Uuid(1)).ok());
}

// Databases of schema 11 exist: migration 12 adds the field copy's change log. A full copy holds
// the records from before it; the first refresh brings only what changed after it.
TEST_F(PostgresStoreTest, MigratesASchema11DatabaseToFieldCopies) {
  ASSERT_TRUE(
      store_
          ->RecordVaccinations(std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1)})},
                               MakeContext(), MakeAudit("vaccination.batch"))
          .ok());
  store_.reset();
  ASSERT_EQ(db().Exec(kUndoFieldCopy), "");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'field_changes'"), "0");
  Reopen();
  EXPECT_EQ(db().Scalar("SELECT max(version) FROM schema_migrations"), "17");
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
  FieldCopyQuery q;
  q.scope = "KZ-ABY";
  auto cursor = store_->ReadFieldCopy(q, full);
  ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
  EXPECT_EQ(*cursor, 0);    // nothing noted before the migration
  EXPECT_EQ(full.rows, 3);  // owner, animal, record
  ASSERT_TRUE(
      store_
          ->RecordVaccinations(std::vector<VaccinationInput>{MakeRecord(2, Phone(1), {Tag(1)})},
                               MakeContext(), MakeAudit("vaccination.batch"))
          .ok());
  q.since = *cursor;
  ASSERT_TRUE(store_->ReadFieldCopy(q, refresh).ok());
  EXPECT_EQ(refresh.rows, 1);  // the new record
}

// Databases of schema 7 exist: migration 8 adds sales; certificates before it have no buyer.
TEST_F(PostgresStoreTest, MigratesASchema7DatabaseToSales) {
  auto recorded = store_->RecordVaccinations(
      std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1), Tag(2)})}, MakeContext(),
      MakeAudit("vaccination.batch"));
  ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();
  const int64_t owner_id = (*recorded)[0].owner_id;
  Certificate c =
      MakeCertificate(1, owner_id, store_->FindVaccination(Uuid(1))->animal_ids, {Tag(1), Tag(2)});
  ASSERT_TRUE(store_->CreateCertificate(c, MakeAudit("certificate.issue")).ok());
  store_.reset();
  ASSERT_EQ(db().Exec(kUndoOwnerRevision), "");
  ASSERT_EQ(db().Exec(kUndoSale), "");
  Reopen();
  EXPECT_EQ(db().Scalar("SELECT max(version) FROM schema_migrations"), "17");
  auto stored = store_->FindCertificate(c.id);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->buyer_id, 0);
  TransferInput t;
  t.id = Uuid(99);
  t.seller_id = owner_id;
  t.buyer_phone = Phone(2);
  t.tags = {Tag(1)};
  t.on = Day("2026-05-15");
  t.scope = "KZ-ABY";
  auto sold = store_->RecordTransfer(t, MakeAudit("transfer.record"));
  ASSERT_TRUE(sold.ok()) << sold.status().ToString();
  EXPECT_EQ(store_->FindAnimalByTag(Tag(1))->owner_id, sold->transfer.buyer_id);
}

// Databases of schema 9 exist: migration 10 gives every animal kept at a holding that holding since
// its registration, the one stay known; its timeline then shows it there.
TEST_F(PostgresStoreTest, MigratesASchema9DatabaseWithEachAnimalKeptWhereItIs) {
  Owner o = AddOwner(1);
  Holding farm;
  farm.code = "F-1";
  farm.kind = HoldingKind::kFarm;
  farm.name = "Farm 1";
  farm.authority = "KZ-ABY-01";
  farm.lat = 48.1;
  farm.lon = 80.1;
  farm.opened_on = Day("2020-05-01");
  farm.created_at = At(7000);
  auto held = store_->CreateHolding(farm, MakeAudit("holding.create"));
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  NewAnimal a;
  a.owner_id = o.id;
  a.tag = Tag(1);
  a.species = "sheep";
  a.authority = "KZ-ABY-01";
  a.created_at = At(5000);
  a.holding_id = held->id;
  auto kept = store_->CreateAnimal(a, MakeAudit("animal.create"));
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  a.tag = Tag(2);
  a.holding_id.reset();
  ASSERT_TRUE(store_->CreateAnimal(a, MakeAudit("animal.create")).ok());
  store_.reset();
  ASSERT_EQ(db().Exec(kUndoJourneys), "");
  ASSERT_EQ(db().Scalar("SELECT count(*) FROM pg_class WHERE relname LIKE 'holding_stays%' OR "
                        "relname = 'certificate_animals_by_animal'"),
            "0");
  Reopen();
  EXPECT_EQ(db().Scalar("SELECT max(version) FROM schema_migrations"), "17");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM holding_stays"), "1");
  auto t = store_->LoadAnimalTimeline(kept->id);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->stays.size(), 1u);
  EXPECT_EQ(t->stays[0].holding_id, held->id);
  EXPECT_EQ(t->stays[0].since, At(5000));
  EXPECT_EQ(t->stays[0].certificate_id, "");
}

// The timeline's reads by animal are index reads (with sequential scans off, as a table of
// millions would have them): its certificates, movements and passages through
// certificate_animals_by_animal, its stays through holding_stays_by_animal.
TEST_F(PostgresStoreTest, TimelineJourneyReadsUseTheirIndexes) {
  auto explain = [&](const store::Query& q) {
    auto plan = db().Query(
        std::string("SET enable_seqscan = off; EXPLAIN (COSTS OFF) ") +
        std::string(q.sql).replace(std::string(q.sql).find("$1::bigint"), 10, "1::bigint"));
    std::string text;
    for (const auto& row : plan) text += row.at(0) + "\n";
    return text;
  };
  const std::string passages = explain(postgres::kSelectPassagesOfAnimal);
  EXPECT_NE(passages.find("certificate_animals_by_animal"), std::string::npos) << passages;
  EXPECT_NE(passages.find("passages_by_certificate"), std::string::npos) << passages;
  const std::string movements = explain(postgres::kSelectMovementsOfAnimal);
  EXPECT_NE(movements.find("certificate_animals_by_animal"), std::string::npos) << movements;
  EXPECT_NE(movements.find("movements_pkey"), std::string::npos) << movements;
  const std::string certificates = explain(postgres::kSelectCertificatesOfAnimal);
  EXPECT_NE(certificates.find("certificate_animals_by_animal"), std::string::npos) << certificates;
  const std::string stays = explain(postgres::kSelectHoldingStays);
  EXPECT_NE(stays.find("holding_stays_by_animal"), std::string::npos) << stays;
}

// The trace reads what it needs of a certificate from certificates_for_trace alone (migration 17;
// index-only once VACUUM has marked the pages, as autovacuum does), never the row by the primary
// key, and the arms over every movement of a holding and its passages search the certificate by
// the passage found (the planner took the certificate first otherwise). Which movement index the
// steps take depends on the statistics of a full table: bench/pg_trace.sh's plan shows it.
TEST_F(PostgresStoreTest, TraceReadsCertificatesByIndexAndByThePassageFound) {
  ASSERT_EQ(db().Exec("VACUUM (ANALYZE) movements, certificates, passages"), "");
  auto plan = db().Query(std::string("SET enable_seqscan = off; PREPARE walk AS ") +
                         postgres::kSelectTraceWalk.sql +
                         "; EXPLAIN (COSTS OFF) EXECUTE walk(1, 0, 0, 4000000000000, 2, 1, 1)");
  std::string text;
  for (const auto& row : plan) text += row.at(0) + "\n";
  EXPECT_NE(text.find("Index Only Scan using certificates_for_trace"), std::string::npos) << text;
  EXPECT_EQ(text.find("certificates_pkey"), std::string::npos) << text;
  // Forward from the origin to a checkpoint, and backward into the end from one.
  const size_t first = text.find("Index Cond: (id = p");
  ASSERT_NE(first, std::string::npos) << text;
  EXPECT_NE(text.find("Index Cond: (id = p", first + 1), std::string::npos) << text;
}

TEST_F(PostgresStoreTest, UnreachableServerIsUnavailableAndTheStatusSaysNoMore) {
  // Port 1 (tcpmux): nothing listens there.
  PostgresOptions o;
  o.conninfo = "host=127.0.0.1 port=1 user=postgres dbname=nothing connect_timeout=5";
  auto s = OpenPostgresStore(o);
  ASSERT_TRUE(HasCode(s.status(), StatusCode::kUnavailable));
  EXPECT_EQ(s.status().message(), "cannot connect to the PostgreSQL server");
  o.conninfo = factory_.options().conninfo + " dbname=hp_no_such_database";
  s = OpenPostgresStore(o);
  ASSERT_TRUE(HasCode(s.status(), StatusCode::kUnavailable));
  EXPECT_EQ(s.status().message(), "cannot connect to the PostgreSQL server");
}

TEST_F(PostgresStoreTest, PostgresUrisAreRecognised) {
  EXPECT_TRUE(IsPostgresUri("postgresql://u@h:5432/db"));
  EXPECT_TRUE(IsPostgresUri("postgres://h/db"));
  EXPECT_FALSE(IsPostgresUri("/var/lib/herdpass/herdpass.db"));
  EXPECT_FALSE(IsPostgresUri("postgresql.db"));
}

// W2 reads one owner's records as one backward range of the primary key, without visiting the
// table: the key INCLUDEs every column (schema.md).
TEST_F(PostgresStoreTest, OwnerHistoryIsAnIndexOnlyRangeOfThePrimaryKey) {
  std::vector<VaccinationInput> batch;
  for (int owner = 1; owner <= 20; ++owner) {
    for (int i = 0; i < 10; ++i) {
      VaccinationInput in = MakeRecord(owner * 100 + i, Phone(owner), {Tag(owner)});
      in.administered_on = Day("2025-01-01").AddDays(owner + 7 * i);
      batch.push_back(in);
    }
  }
  auto r = store_->RecordVaccinations(batch, MakeContext(), MakeAudit("vaccination.batch"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const int64_t owner = (*r)[55].owner_id;
  ASSERT_EQ(db().Exec("VACUUM (ANALYZE) vaccinations"), "");
  const std::string query =
      "SELECT v.id, v.owner_id, hp_days(v.administered_on), v.animal_ids, v.species, "
      "v.head_count, v.disease, v.vaccine, v.batch_no, v.dose_ml, v.lat, v.lon, v.device_id, "
      "v.recorded_by, hp_ms(v.recorded_at), v.authority, v.voided, v.void_reason, "
      "hp_ms(v.voided_at), v.corrects, v.holding_id FROM vaccinations v WHERE v.owner_id = " +
      std::to_string(owner) +
      " AND v.administered_on >= hp_date(20000) ORDER BY v.administered_on DESC, v.id DESC";
  auto plan = db().Query(
      "SET enable_seqscan = off; SET enable_bitmapscan = off; "
      "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " +
      query);
  std::string text;
  for (const auto& row : plan) text += row.at(0) + "\n";
  EXPECT_NE(text.find("Index Only Scan Backward using vaccinations_pkey"), std::string::npos)
      << text;
  EXPECT_NE(text.find("Heap Fetches: 0"), std::string::npos) << text;
  EXPECT_EQ(text.find("Sort"), std::string::npos) << text;
  // And the store's own query returns what that plan reads.
  auto history = store_->LoadOwnerHistory(owner, Date::FromDays(20000));
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->vaccinations.size(), 10u);
}

// Times and dates are PostgreSQL's own types, so that an operator's SQL reads them as such; the
// conversion is exact to the millisecond, before 1970 and far ahead alike.
TEST_F(PostgresStoreTest, TimesAndDatesAreNativeAndExact) {
  const int64_t times[] = {-86'400'001, 0, 1'790'000'000'123, 253'402'300'799'999};
  for (int i = 0; i < 4; ++i) {
    const int64_t ms = times[i];
    SCOPED_TRACE(ms);
    NewOwner o{Phone(100 + i), "x", "", "KZ", At(ms)};
    auto created = store_->CreateOwner(o, MakeAudit("owner.create"));
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    EXPECT_EQ(store_->FindOwnerById(created->id)->created_at, At(ms));
  }
  ASSERT_EQ(db().Exec("SET TimeZone = 'UTC'"), "");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM owners WHERE created_at = timestamptz "
                        "'2026-09-21 14:13:20.123+00'"),
            "1");
  EXPECT_EQ(db().Scalar("SELECT pg_typeof(created_at)::text FROM owners LIMIT 1"),
            "timestamp with time zone");

  VaccinationInput in = MakeRecord(1, Phone(1), {Tag(1)});
  in.administered_on = Day("1969-12-31");
  auto r = store_->RecordVaccinations(std::vector<VaccinationInput>{in}, MakeContext(),
                                      MakeAudit("vaccination.batch"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(db().Scalar("SELECT administered_on::text FROM vaccinations"), "1969-12-31");
  EXPECT_EQ(db().Scalar("SELECT id::text FROM vaccinations"), Uuid(1));
  EXPECT_EQ(store_->FindVaccination(Uuid(1))->administered_on, Day("1969-12-31"));
}

TEST_F(PostgresStoreTest, ConcurrentWritesShareCommits) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 10;
  const WriterStats before = store_->GetWriterStats();
  std::latch start(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) {
        if (!store_->AppendAudit(MakeAudit("lookup.phone", t)).ok()) ++failures;
        auto r = store_->RecordVaccinations(
            std::vector<VaccinationInput>{MakeRecord(t * kPerThread + i, Phone(t))}, MakeContext(),
            MakeAudit("vaccination.batch", t));
        if (!r.ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  const WriterStats after = store_->GetWriterStats();
  const int64_t jobs = after.jobs - before.jobs;
  const int64_t commits = after.commits - before.commits;
  EXPECT_EQ(jobs, 2 * kThreads * kPerThread);
  EXPECT_GE(commits, 1);
  EXPECT_LE(commits, jobs);  // how many share a commit depends on scheduling: see the next test
  EXPECT_EQ(after.failed_transactions, 0);
  EXPECT_EQ(store_->Counts()->vaccinations, kThreads * kPerThread);
  auto v = store_->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->rows, 2 * kThreads * kPerThread);
}

// Concurrent single-record writes share commits: while another connection holds the writer lock,
// the writer's first group waits for it; every other caller queues behind it, and they all go out
// in the next group with one COMMIT.
TEST_F(PostgresStoreTest, ConcurrentWritesShareOneCommit) {
  constexpr int kThreads = 16;
  const WriterStats before = store_->GetWriterStats();
  ASSERT_EQ(db().Exec("BEGIN; SELECT pg_advisory_xact_lock(" HP_WRITER_LOCK ")"), "");
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto r = store_->RecordVaccinations(std::vector<VaccinationInput>{MakeRecord(t, Phone(t))},
                                          MakeContext(), MakeAudit("vaccination.batch", t));
      if (!r.ok() || (*r)[0].outcome != RecordOutcome::kCreated) ++failures;
    });
  }
  if (const int64_t reached = AwaitWriterCalls(*store_, before.jobs, kThreads);
      reached != kThreads) {
    db().Exec("COMMIT");
    for (auto& th : threads) th.join();
    FAIL() << "only " << reached << " of " << kThreads << " calls reached the writer";
  }
  ASSERT_EQ(db().Exec("COMMIT"), "");
  for (auto& th : threads) th.join();

  EXPECT_EQ(failures.load(), 0);
  const WriterStats after = store_->GetWriterStats();
  EXPECT_EQ(after.jobs - before.jobs, kThreads);
  // The group stuck behind the lock, then everyone else at once.
  EXPECT_LE(after.commits - before.commits, 2);
  EXPECT_EQ(after.failed_transactions, 0);
  EXPECT_EQ(store_->Counts()->vaccinations, kThreads);
  auto v = store_->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
}

// A W1 batch waits for the server a fixed number of times, whatever its size: the rows its records
// name are read ahead with one statement each, and its writes go out in a pipeline (issue 16).
// It also sends a fixed number of statements, however many owners it names, and one more for each
// kPostgresRecordsPerSend records stored: the record rows, revisions, field changes and the owners'
// SMS receipts (merged into the day's queued ones here) go out as one statement each, the record
// rows of each run of kPostgresRecordsPerSend records ahead of the rest. Each batch mixes records
// of flocks and of tagged animals, a duplicate, and a record rejected after its savepoint (another
// owner's tag).
TEST_F(PostgresStoreTest, ABatchTakesAFixedNumberOfRoundTripsWhateverItsSize) {
  constexpr int kOwners = 20;
  std::vector<VaccinationInput> setup;
  for (int o = 0; o < kOwners; ++o) {
    setup.push_back(MakeRecord(o, Phone(o)));
    setup.push_back(MakeRecord(100 + o, Phone(o), {Tag(o)}));
  }
  auto made = store_->RecordVaccinations(setup, MakeContext(), MakeAudit("vaccination.batch"));
  ASSERT_TRUE(made.ok()) << made.status().ToString();

  auto batch = [&](int first, int n) {
    std::vector<VaccinationInput> b;
    for (int i = 0; i < n; ++i) {
      const int o = i % kOwners;
      b.push_back(i % 2 == 0 ? MakeRecord(first + i, Phone(o))
                             : MakeRecord(first + i, Phone(o), {Tag(o)}));
    }
    b.push_back(MakeRecord(0, Phone(0)));                    // stored already
    b.push_back(MakeRecord(first + n, Phone(1), {Tag(2)}));  // owner 2's animal
    return b;
  };
  // The round trips of one batch of n new records, checking its outcomes; its statements in
  // `statements`.
  int64_t statements = 0;
  auto round_trips = [&](int first, int n) -> int64_t {
    const std::vector<VaccinationInput> b = batch(first, n);
    const int64_t before = PostgresRoundTrips();
    const int64_t statements_before = PostgresStatements();
    auto r = store_->RecordVaccinations(b, MakeContext(), MakeAudit("vaccination.batch"));
    const int64_t after = PostgresRoundTrips();
    statements = PostgresStatements() - statements_before;
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return -1;
    EXPECT_EQ(r->size(), b.size());
    int created = 0;
    for (int i = 0; i < n && i < static_cast<int>(r->size()); ++i) {
      created += (*r)[i].outcome == RecordOutcome::kCreated ? 1 : 0;
    }
    EXPECT_EQ(created, n);
    EXPECT_EQ(r->at(n).outcome, RecordOutcome::kDuplicate);
    EXPECT_EQ(r->at(n + 1).outcome, RecordOutcome::kRejected);
    EXPECT_EQ(r->at(n + 1).reason.field(), "animal_tags");
    return after - before;
  };
  round_trips(1000, 4);  // prepares the statements on the writer's connection
  const int64_t small = round_trips(2000, 10);  // 10 owners' receipts
  const int64_t small_statements = statements;
  const int64_t big = round_trips(3000, 200);  // 20 owners' receipts
  const int64_t big_statements = statements;
  RecordProperty("round_trips_10", std::to_string(small));
  RecordProperty("round_trips_200", std::to_string(big));
  RecordProperty("statements_10", std::to_string(small_statements));
  RecordProperty("statements_200", std::to_string(big_statements));
  EXPECT_EQ(big, small);
  // BEGIN with the lock and the audit head; the batch's reads, the receipts' with them; the audit
  // row, which waits for the collected writes; COMMIT.
  EXPECT_EQ(small, 4);
  // The same statements, and the record rows of each full kPostgresRecordsPerSend records sent
  // ahead as one more (none in the small batch).
  static_assert(kPostgresRecordsPerSend > 10 && kPostgresRecordsPerSend <= 200);
  EXPECT_EQ(big_statements, small_statements + 200 / kPostgresRecordsPerSend);
  EXPECT_GT(small_statements, 0);
  EXPECT_EQ(store_->Counts()->vaccinations, 2 * kOwners + 4 + 10 + 200);
  auto v = store_->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
}

// A W1 batch's record rows, owners' revisions and field changes go out as one statement each at
// the end of the batch (Connection's collected writes); a record rejected after a write of its
// own went out (a new owner, then another owner's tag) is undone whole, collected rows included,
// and a record without such a write needs no savepoint at all.
TEST_F(PostgresStoreTest, ABatchWritesItsRowsTogetherAndUndoesARejectedRecordWhole) {
  const std::vector<VaccinationInput> first = {MakeRecord(1, Phone(0), {Tag(0)})};
  auto setup = store_->RecordVaccinations(first, MakeContext(), MakeAudit("vaccination.batch"));
  ASSERT_TRUE(setup.ok()) << setup.status().ToString();
  const std::string owner0 = db().Scalar("SELECT id FROM owners WHERE phone = '" + Phone(0) + "'");
  const std::string revision_before =
      db().Scalar("SELECT revision FROM owners WHERE id = " + owner0);
  const std::string changes_before = db().Scalar("SELECT coalesce(max(seq), 0) FROM field_changes");
  const std::vector<VaccinationInput> batch = {
      MakeRecord(10, Phone(0), {Tag(0)}),            // collected rows only
      MakeRecord(11, Phone(50)),                     // a new owner and its flock
      MakeRecord(12, Phone(51), {Tag(0)}),           // a new owner, then owner 0's animal
      MakeRecord(13, Phone(0), {Tag(0)}),            // owner 0 again
      MakeRecord(14, Phone(50), {Tag(60), Tag(0)}),  // a new animal, then owner 0's animal
      MakeRecord(10, Phone(0), {Tag(0)}),            // record 10 sent twice
  };
  auto r = store_->RecordVaccinations(batch, MakeContext(), MakeAudit("vaccination.batch"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), batch.size());
  EXPECT_EQ(r->at(0).outcome, RecordOutcome::kCreated);
  EXPECT_EQ(r->at(1).outcome, RecordOutcome::kCreated);
  EXPECT_EQ(r->at(2).outcome, RecordOutcome::kRejected);
  EXPECT_EQ(r->at(2).reason.field(), "animal_tags");
  EXPECT_EQ(r->at(3).outcome, RecordOutcome::kCreated);
  EXPECT_EQ(r->at(4).outcome, RecordOutcome::kRejected);
  EXPECT_EQ(r->at(5).outcome, RecordOutcome::kDuplicate);

  // Nothing of the rejected records: not their owner, animal, record rows or changes.
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM owners WHERE phone = '" + Phone(51) + "'"), "0");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM animals WHERE tag = '" + Tag(60) + "'"), "0");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM vaccination_ids"), "4");
  EXPECT_EQ(db().Scalar("SELECT count(*) FROM vaccinations"), "4");
  // Owner 0's revision rose once for each of its two new records.
  EXPECT_EQ(std::stoll(db().Scalar("SELECT revision FROM owners WHERE id = " + owner0)),
            std::stoll(revision_before) + 2);
  // The changes in the order the batch made them: record 10, owner 50, its flock, record 11,
  // record 13.
  const std::string owner50 =
      db().Scalar("SELECT id FROM owners WHERE phone = '" + Phone(50) + "'");
  const std::string flock50 =
      db().Scalar("SELECT id FROM animals WHERE owner_id = " + owner50 + " AND tag IS NULL");
  EXPECT_EQ(db().Scalar("SELECT string_agg(kind || ':' || ref, ',' ORDER BY seq) FROM "
                        "field_changes WHERE seq > " +
                        changes_before),
            "vaccination:" + Uuid(10) + ",owner:" + owner50 + ",animal:" + flock50 +
                ",vaccination:" + Uuid(11) + ",vaccination:" + Uuid(13));
  EXPECT_EQ(store_->Counts()->vaccinations, 4);
  auto v = store_->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
}

// Two servers (or the CLI beside a server) on one database: every write takes the writer lock and
// reads the audit head under it, so the chain stays one chain, the counters add up and revocations
// are numbered without gaps.
TEST_F(PostgresStoreTest, StoresSharingADatabaseKeepOneChainAndOneRevocationSequence) {
  auto second = factory_.Open();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  Store* stores[] = {store_.get(), second->get()};

  // Certificates to revoke, half made through each store.
  constexpr int kCerts = 8;
  std::vector<std::string> ids;
  for (int n = 1; n <= kCerts; ++n) {
    Store* s = stores[n % 2];
    Owner o = AddOwner(1000 + n, s);
    NewAnimal a{o.id,         Tag(1000 + n), "sheep", 1,           "f",
                std::nullopt, "KZ-ABY-01",   At(1),   std::nullopt};
    auto animal = s->CreateAnimal(a, MakeAudit("animal.create"));
    ASSERT_TRUE(animal.ok());
    Certificate c = MakeCertificate(n, o.id, {animal->id}, {Tag(1000 + n)});
    ASSERT_TRUE(s->CreateCertificate(c, MakeAudit("certificate.issue")).ok());
    ids.push_back(c.id);
  }

  constexpr int kThreads = 8;
  constexpr int kPerThread = 10;
  std::latch start(kThreads);
  std::atomic<int> failures{0};
  std::mutex mu;
  std::vector<int64_t> sequences;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Store* s = stores[t % 2];
      start.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) {
        const int n = t * kPerThread + i;
        auto r = s->RecordVaccinations(std::vector<VaccinationInput>{MakeRecord(n, Phone(t))},
                                       MakeContext(), MakeAudit("vaccination.batch", t));
        if (!r.ok() || (*r)[0].outcome != RecordOutcome::kCreated) ++failures;
        if (!s->AppendAudit(MakeAudit("lookup.phone", t)).ok()) ++failures;
      }
      auto rev = s->RevokeCertificate(ids[t], t, "r", At(t), MakeAudit("certificate.revoke", t));
      if (rev.ok()) {
        std::lock_guard lock(mu);
        sequences.push_back(rev->sequence);
      } else {
        ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  std::sort(sequences.begin(), sequences.end());
  EXPECT_EQ(sequences, (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  for (Store* s : stores) {
    StoreCounts c = *s->Counts();
    EXPECT_EQ(c.vaccinations, kThreads * kPerThread);
    EXPECT_EQ(c.owners, kCerts + kThreads);
    EXPECT_EQ(c.certificates, kCerts);
    const int64_t audit = 3 * kCerts + 2 * kThreads * kPerThread + kThreads;
    EXPECT_EQ(c.audit_rows, audit);
    auto v = s->VerifyAudit();
    ASSERT_TRUE(v.ok());
    EXPECT_TRUE(v->ok) << v->problem << " at " << v->first_bad_seq;
    EXPECT_EQ(v->rows, audit);
  }
}

// The server drops every connection (a restart, a failover): the call that meets the dead
// connection fails with kUnavailable and stores nothing; the next call reconnects.
TEST_F(PostgresStoreTest, LostConnectionsAreUnavailableOnceThenReopened) {
  Owner o = AddOwner(1);
  auto terminated = db().Scalar(
      "SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity WHERE datname = "
      "current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'");
  ASSERT_EQ(terminated, "3");  // the writer and both readers

  auto read = store_->FindOwnerById(o.id);
  ASSERT_TRUE(HasCode(read.status(), StatusCode::kUnavailable));
  EXPECT_EQ(read.status().message(), "storage failed: the database server is unavailable");
  read = store_->FindOwnerById(o.id);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->phone, Phone(1));

  NewOwner second{Phone(2), "Second", "", "KZ-ABY-01", At(2)};
  auto lost = store_->CreateOwner(second, MakeAudit("owner.create"));
  ASSERT_TRUE(HasCode(lost.status(), StatusCode::kUnavailable));
  EXPECT_EQ(lost.status().message(), "storage failed to save the change; nothing was stored");
  auto saved = store_->CreateOwner(second, MakeAudit("owner.create"));
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(store_->Counts()->owners, 2);
  auto v = store_->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->rows, 2);
}

// A statement that fails inside a write job (a duplicate key) aborts the transaction back to the
// job's savepoint only: the job fails with its own code, and the writes after it commit.
TEST_F(PostgresStoreTest, AFailedStatementFailsItsJobAloneAndTheNextWritesCommit) {
  auto user = store_->CreateUser({"a", "$h", Role::kAdmin, "KZ", At(1)}, MakeAudit("u"));
  ASSERT_TRUE(user.ok());
  const TokenRecord t{std::string(64, 'a'), user->id, At(1), At(2)};
  ASSERT_TRUE(store_->SaveToken(t, MakeAudit("login")).ok());
  // The duplicate insert fails inside the job; the transaction goes on for the others.
  EXPECT_TRUE(HasCode(store_->SaveToken(t, MakeAudit("login")), StatusCode::kAlreadyExists));
  AddOwner(1);
  EXPECT_EQ(store_->Counts()->audit_rows, 3);
  auto v = store_->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
}

TEST_F(PostgresStoreTest, TamperedAuditRowIsReported) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store_->AppendAudit(MakeAudit("lookup.phone")).ok());
  ASSERT_EQ(db().Exec("UPDATE audit SET target = 'phone:+79990000000' WHERE seq = 2"), "");
  auto v = store_->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_seq, 2);
  EXPECT_EQ(v->problem, "the row's content does not match its hash");
  EXPECT_EQ(v->rows, 3);
}

TEST_F(PostgresStoreTest, TamperedAuditAuthorityIsReported) {
  AuditEntry e = MakeAudit("lookup.phone");
  e.authority = "KZ-ABY-01";
  ASSERT_TRUE(store_->AppendAudit(e).ok());
  ASSERT_EQ(db().Exec("UPDATE audit SET authority = 'KZ-ALM' WHERE seq = 1"), "");
  auto v = store_->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_seq, 1);
}

TEST_F(PostgresStoreTest, RemovedAuditRowIsReported) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store_->AppendAudit(MakeAudit("lookup.phone")).ok());
  ASSERT_EQ(db().Exec("DELETE FROM audit WHERE seq = 2"), "");
  auto v = store_->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_seq, 3);
  EXPECT_EQ(v->problem, "a row is missing before this one");
}

// The chain is read in pages of 10,000 rows; a chain longer than one page verifies across them.
TEST_F(PostgresStoreTest, LongChainVerifiesAcrossPages) {
  ASSERT_TRUE(store_->AppendAudit(MakeAudit("lookup.phone")).ok());
  // Rows 2..10,001 chained in SQL would need ChainHash; instead the store writes them, in groups.
  constexpr int kThreads = 8;
  constexpr int kRows = 10'050;
  std::atomic<int> next{1};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      while (next.fetch_add(1) < kRows) {
        if (!store_->AppendAudit(MakeAudit("lookup.phone")).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  auto v = store_->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->rows, kRows);
  ASSERT_EQ(db().Exec("UPDATE audit SET detail = '{\"x\":1}' WHERE seq = 10005"), "");
  v = store_->VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_seq, 10005);
  EXPECT_EQ(v->rows, kRows);
}

}  // namespace
}  // namespace herdpass::testing
