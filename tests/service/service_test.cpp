// service/ over the real SQLite store in a temporary directory, with a fake clock.
#include "service/service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "service/reminder_job.h"
#include "store/sqlite/sqlite_store.h"

namespace herdpass {
namespace {

// The coverage line for one disease, or nullptr: ASSERT_NE on it before reading it, so a missing
// disease fails the test instead of passing it (a map's operator[] would make a default entry).
const DiseaseCoverage* CoverageFor(const OwnerCoverage& coverage, std::string_view disease) {
  for (const auto& c : coverage.diseases) {
    if (c.disease == disease) return &c;
  }
  return nullptr;
}

Timestamp At(int y, unsigned m, unsigned d) {
  return Timestamp(std::chrono::sys_days(std::chrono::year{y} / m / d).time_since_epoch() +
                   std::chrono::hours(9));
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hp-service-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    SqliteOptions opts;
    opts.path = (dir_ / "herdpass.db").string();
    auto store = OpenSqliteStore(opts);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    ServiceConfig config;
    config.default_region = "KZ";
    config.lookups_per_minute = 5;
    service_ = std::make_unique<HerdService>(*store_, clock_, DefaultCatalogue(), config);
    vaccinator_ = AddAndLogin("vacc", Role::kVaccinator, "KZ-ABY");
    vet_ = AddAndLogin("vet1", Role::kVet, "KZ-ABY");
    inspector_ = AddAndLogin("insp", Role::kInspector, "KZ-ABY");
    auditor_ = AddAndLogin("audi", Role::kAuditor, "KZ");
    other_vaccinator_ = AddAndLogin("vacc2", Role::kVaccinator, "KZ-ALM");
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  Caller AddAndLogin(const std::string& name, Role role, const std::string& authority) {
    auto u = service_->AddUser(HerdService::SystemCaller(), name, "secret-pass", role, authority);
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    auto login = service_->Login(name, "secret-pass", "10.0.0.1");
    EXPECT_TRUE(login.ok()) << login.status().ToString();
    auto caller = service_->Authenticate(login->token, "10.0.0.1");
    EXPECT_TRUE(caller.ok()) << caller.status().ToString();
    return caller.value();
  }

  VaccinationRecordInput Record(std::string id, std::string phone, std::string tag,
                                std::string disease = "FMD-O", std::string date = "2026-11-01") {
    VaccinationRecordInput r;
    r.id = std::move(id);
    r.owner_phone = std::move(phone);
    r.owner_name = "Nurlan Abenov";
    r.animal_tags = {std::move(tag)};
    r.species = "sheep";
    r.disease = std::move(disease);
    r.vaccine = VaccineFor(r.disease);
    r.batch_no = "B-1";
    r.administered_on = std::move(date);
    return r;
  }

  static std::string VaccineFor(const std::string& disease) {
    for (const auto& v : DefaultCatalogue().vaccines()) {
      for (const auto& d : v.diseases) {
        if (d == disease) return v.code;
      }
    }
    return "none";
  }

  std::filesystem::path dir_;
  FakeClock clock_{At(2026, 11, 29)};
  std::unique_ptr<Store> store_;
  std::unique_ptr<HerdService> service_;
  Caller vaccinator_, vet_, inspector_, auditor_, other_vaccinator_;
};

TEST_F(ServiceTest, LoginWithWrongPasswordIsUnauthenticatedThenThrottled) {
  for (int i = 0; i < 5; ++i) {
    auto r = service_->Login("vet1", "wrong-pass", "10.0.0.2");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  }
  auto blocked = service_->Login("vet1", "secret-pass", "10.0.0.2");
  EXPECT_EQ(blocked.status().code(), StatusCode::kResourceExhausted);
  clock_.Advance(std::chrono::minutes(16));
  EXPECT_TRUE(service_->Login("vet1", "secret-pass", "10.0.0.2").ok());
}

TEST_F(ServiceTest, TokenExpiresAndLogoutEndsIt) {
  auto login = service_->Login("insp", "secret-pass", "");
  ASSERT_TRUE(login.ok());
  EXPECT_TRUE(service_->Authenticate(login->token, "").ok());
  clock_.Advance(std::chrono::hours(13));
  EXPECT_EQ(service_->Authenticate(login->token, "").status().code(), StatusCode::kUnauthenticated);

  auto again = service_->Login("insp", "secret-pass", "");
  ASSERT_TRUE(again.ok());
  auto caller = service_->Authenticate(again->token, "");
  ASSERT_TRUE(caller.ok());
  ASSERT_TRUE(service_->Logout(again->token, caller.value()).ok());
  EXPECT_EQ(service_->Authenticate(again->token, "").status().code(), StatusCode::kUnauthenticated);
}

TEST_F(ServiceTest, DisabledUserCannotSignIn) {
  ASSERT_TRUE(service_->SetUserDisabled(HerdService::SystemCaller(), "vacc", true).ok());
  EXPECT_EQ(service_->Login("vacc", "secret-pass", "").status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(ServiceTest, AddUserChecksRoleNameAndPassword) {
  EXPECT_EQ(service_->AddUser(vet_, "newuser", "long-enough", Role::kVet, "KZ-ABY").status().code(),
            StatusCode::kPermissionDenied);
  auto bad_name = service_->AddUser(HerdService::SystemCaller(), "Bad Name", "long-enough",
                                    Role::kVet, "KZ-ABY");
  EXPECT_EQ(bad_name.status().field(), "username");
  auto short_pw =
      service_->AddUser(HerdService::SystemCaller(), "newuser", "short", Role::kVet, "KZ-ABY");
  EXPECT_EQ(short_pw.status().field(), "password");
  auto taken =
      service_->AddUser(HerdService::SystemCaller(), "vet1", "long-enough", Role::kVet, "KZ-ABY");
  EXPECT_EQ(taken.status().code(), StatusCode::kAlreadyExists);
}

TEST_F(ServiceTest, RegisterOwnerNormalizesPhoneAndRefusesDuplicates) {
  auto o = service_->RegisterOwner(vaccinator_, {"8 701 234 5678", "Aigerim", "Akzhar", ""});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->phone, "+77012345678");
  EXPECT_EQ(o->authority, "KZ-ABY");
  auto dup = service_->RegisterOwner(vet_, {"+7 (701) 234-56-78", "Other", "", ""});
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  ASSERT_NE(dup.status().payload<ExistingRecord>(), nullptr) << dup.status().ToString();
  EXPECT_EQ(dup.status().payload<ExistingRecord>()->id, o->id);
  EXPECT_EQ(service_->RegisterOwner(inspector_, {"87011112233", "X", "", ""}).status().code(),
            StatusCode::kPermissionDenied);
  auto outside = service_->RegisterOwner(vaccinator_, {"87011112233", "X", "", "KZ-ALM"});
  EXPECT_EQ(outside.status().code(), StatusCode::kPermissionDenied);
  auto bad = service_->RegisterOwner(vaccinator_, {"12345", "X", "", ""});
  EXPECT_EQ(bad.status().field(), "phone");
}

TEST_F(ServiceTest, BatchStoresGoodRecordsAndRejectsBadOnesWithFields) {
  std::vector<VaccinationRecordInput> batch = {
      Record("018f3a7c-0000-7000-8000-000000000001", "87012345678", "398000000000001"),
      Record("018f3a7c-0000-7000-8000-000000000002", "87012345678", "398000000000002", "NOPE"),
      Record("018f3a7c-0000-7000-8000-000000000003", "87012345678", "12"),
      Record("018f3a7c-0000-7000-8000-000000000004", "87012345678", "398000000000003", "FMD-O",
             "2027-03-01"),
      Record("not-a-uuid", "87012345678", "398000000000004"),
      Record("018f3a7c-0000-7000-8000-000000000005", "87012345678", "398000000000005", "FMD-O",
             "2015-01-01"),
  };
  auto r = service_->RecordBatch(vaccinator_, batch);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->created, 1);
  EXPECT_EQ(r->rejected, 5);
  EXPECT_EQ(r->results[0].outcome, RecordOutcome::kCreated);
  EXPECT_EQ(r->results[1].reason.field(), "records[1].disease");
  EXPECT_EQ(r->results[2].reason.field(), "records[2].animal_tags[0]");
  EXPECT_EQ(r->results[3].reason.field(), "records[3].administered_on");
  EXPECT_EQ(r->results[4].reason.field(), "records[4].id");
  EXPECT_EQ(r->results[5].reason.field(), "records[5].administered_on");

  auto again = service_->RecordBatch(vaccinator_, {batch[0]});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->duplicate, 1);
  EXPECT_EQ(again->created, 0);
  auto counts = store_->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->vaccinations, 1);
}

TEST_F(ServiceTest, BatchOverTheLimitIsRefusedWhole) {
  std::vector<VaccinationRecordInput> batch(1001, Record("", "87012345678", "398000000000001"));
  auto r = service_->RecordBatch(vaccinator_, batch);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().field(), "records");
  EXPECT_EQ(service_->RecordBatch(vaccinator_, {}).status().field(), "records");
  EXPECT_EQ(service_->RecordBatch(inspector_, {batch[0]}).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(ServiceTest, LookupShowsCoveragePerDiseaseAndIsAudited) {
  // Sheep 1: FMD-O 2026-11-01 (covered until 2027-04-29); sheep 2: FMD-O 2025-10-01 (lapsed).
  std::vector<VaccinationRecordInput> batch = {
      Record("018f3a7c-0000-7000-8000-00000000000a", "87012345678", "398000000000001", "FMD-O",
             "2026-11-01"),
      Record("018f3a7c-0000-7000-8000-00000000000b", "87012345678", "398000000000002", "FMD-O",
             "2025-10-01"),
      Record("018f3a7c-0000-7000-8000-00000000000c", "87012345678", "398000000000002", "PPR",
             "2025-10-01"),
  };
  ASSERT_EQ(service_->RecordBatch(vaccinator_, batch)->created, 3);

  auto r = service_->Lookup(inspector_, "+7 701 234 56 78", std::nullopt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->owner.phone, "+77012345678");
  EXPECT_EQ(r->animals.size(), 2u);
  EXPECT_EQ(r->vaccinations.size(), 3u);
  EXPECT_EQ(r->since, Date::Of(At(2023, 11, 29)));
  const DiseaseCoverage* fmd = CoverageFor(r->coverage, "FMD-O");
  ASSERT_NE(fmd, nullptr);
  EXPECT_EQ(fmd->state, CoverageState::kOverdue);
  // Sheep 2 is covered for PPR, sheep 1 never had it: not every animal is covered.
  const DiseaseCoverage* ppr = CoverageFor(r->coverage, "PPR");
  ASSERT_NE(ppr, nullptr);
  EXPECT_EQ(ppr->state, CoverageState::kOverdue);
  const DiseaseCoverage* sgp = CoverageFor(r->coverage, "SGP");
  ASSERT_NE(sgp, nullptr);
  EXPECT_EQ(sgp->state, CoverageState::kNever);

  AuditQuery q;
  q.action = "lookup.phone";
  auto rows = service_->ListAudit(auditor_, q);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().entry.username, "insp");
  EXPECT_EQ(rows->front().entry.target, "phone:+77012345678");
  EXPECT_EQ(rows->front().entry.address, "10.0.0.1");
}

TEST_F(ServiceTest, LookupRespectsRolesJurisdictionAndRate) {
  ASSERT_EQ(service_
                ->RecordBatch(vaccinator_, {Record("018f3a7c-0000-7000-8000-00000000000d",
                                                   "87012345678", "398000000000001")})
                ->created,
            1);
  EXPECT_EQ(service_->Lookup(vaccinator_, "87012345678", std::nullopt).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(service_->Lookup(inspector_, "87012345678", 11).status().field(), "years");
  EXPECT_EQ(service_->Lookup(inspector_, "not a phone", 3).status().field(), "phone");
  // The other authority's vaccinator cannot see it, and cannot write to that owner either.
  EXPECT_EQ(service_->FindOwnerByPhone(other_vaccinator_, "87012345678").status().code(),
            StatusCode::kNotFound);
  auto foreign = service_->RecordBatch(
      other_vaccinator_,
      {Record("018f3a7c-0000-7000-8000-00000000000e", "87012345678", "398000000000009")});
  ASSERT_TRUE(foreign.ok());
  EXPECT_EQ(foreign->rejected, 1);
  // Rate: 5 per minute per user in this fixture (the lookups above that passed validation count).
  int allowed = 0;
  for (int i = 0; i < 10; ++i) {
    auto r = service_->Lookup(inspector_, "87012345678", 3);
    if (r.ok()) {
      ++allowed;
    } else {
      EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
    }
  }
  EXPECT_EQ(allowed, 5);
  clock_.Advance(std::chrono::minutes(1));
  EXPECT_TRUE(service_->Lookup(inspector_, "87012345678", 3).ok());
}

TEST_F(ServiceTest, VoidedRecordStaysVisibleButStopsCounting) {
  const std::string id = "018f3a7c-0000-7000-8000-00000000000f";
  ASSERT_EQ(
      service_->RecordBatch(vaccinator_, {Record(id, "87012345678", "398000000000001")})->created,
      1);
  EXPECT_EQ(service_->VoidVaccination(vaccinator_, id, "wrong animal").code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(service_->VoidVaccination(vet_, id, "").field(), "reason");
  ASSERT_TRUE(service_->VoidVaccination(vet_, id, "wrong animal").ok());
  EXPECT_EQ(service_->VoidVaccination(vet_, id, "again").code(), StatusCode::kFailedPrecondition);
  auto r = service_->Lookup(vet_, "87012345678", 3);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->vaccinations.size(), 1u);
  EXPECT_TRUE(r->vaccinations[0].voided);
  const DiseaseCoverage* fmd = CoverageFor(r->coverage, "FMD-O");
  ASSERT_NE(fmd, nullptr);
  EXPECT_EQ(fmd->state, CoverageState::kNever);
}

TEST_F(ServiceTest, FlockRecordsUseOneFlockPerSpecies) {
  VaccinationRecordInput a = Record("018f3a7c-0000-7000-8000-000000000010", "87012345678", "");
  a.animal_tags.clear();
  a.head_count = 40;
  VaccinationRecordInput b = a;
  b.id = "018f3a7c-0000-7000-8000-000000000011";
  b.head_count = 55;
  auto r = service_->RecordBatch(vaccinator_, {a, b});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->created, 2);
  auto l = service_->Lookup(inspector_, "87012345678", 3);
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->animals.size(), 1u);
  EXPECT_TRUE(l->animals[0].is_flock());
  EXPECT_EQ(l->animals[0].head_count, 55);
}

TEST_F(ServiceTest, RegisteringAPhoneHeldElsewhereNamesNothingAndIsAudited) {
  auto mine = service_->RegisterOwner(vaccinator_, {"87012345678", "Aigerim", "", ""});
  ASSERT_TRUE(mine.ok());
  auto theirs = service_->RegisterOwner(other_vaccinator_, {"8 701 234 5678", "X", "", ""});
  EXPECT_EQ(theirs.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(theirs.status().payload<ExistingRecord>(), nullptr);  // no id of another authority's
  auto again = service_->RegisterOwner(vet_, {"87012345678", "X", "", ""});
  ASSERT_NE(again.status().payload<ExistingRecord>(), nullptr);  // same authority: the id
  EXPECT_EQ(again.status().payload<ExistingRecord>()->id, mine->id);

  AuditQuery q;
  q.action = "owner.conflict";
  auto rows = service_->ListAudit(auditor_, q);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().entry.username, "vacc2");
  EXPECT_EQ(rows->front().entry.target, "phone:+77012345678");
}

TEST_F(ServiceTest, AuditorSeesOnlyTheirSubtreeAndReadingIsAudited) {
  Caller local_auditor = AddAndLogin("audi2", Role::kAuditor, "KZ-ALM");
  ASSERT_TRUE(service_->RegisterOwner(vaccinator_, {"87012345678", "A", "", ""}).ok());
  ASSERT_TRUE(service_->RegisterOwner(other_vaccinator_, {"87019998877", "B", "", ""}).ok());
  AuditQuery q;
  q.action = "owner.create";
  auto local = service_->ListAudit(local_auditor, q);
  ASSERT_TRUE(local.ok());
  ASSERT_EQ(local->size(), 1u);
  EXPECT_EQ(local->front().entry.username, "vacc2");
  auto national = service_->ListAudit(auditor_, q);  // auditor_ is at KZ, above both
  ASSERT_TRUE(national.ok());
  EXPECT_EQ(national->size(), 2u);
  q.action = "audit.read";
  auto reads = service_->ListAudit(auditor_, q);
  ASSERT_TRUE(reads.ok());
  EXPECT_EQ(reads->size(), 2u);  // the KZ auditor's first read; KZ-ALM's is visible too
}

TEST_F(ServiceTest, ConcurrentWrongPasswordsCannotPassTheThrottle) {
  std::atomic<int> unauthenticated{0}, throttled{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&] {
      auto r = service_->Login("vet1", "wrong-pass", "10.0.0.9");
      if (r.status().code() == StatusCode::kUnauthenticated) ++unauthenticated;
      if (r.status().code() == StatusCode::kResourceExhausted) ++throttled;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(unauthenticated.load(), 5);
  EXPECT_EQ(throttled.load(), 7);
}

TEST_F(ServiceTest, ShortWindowStillCountsDosesThatProtectToday) {
  // PPR protects for three years: a dose two years back covers today even when only the last
  // year's records are shown.
  ASSERT_EQ(
      service_
          ->RecordBatch(vaccinator_, {Record("018f3a7c-0000-7000-8000-000000000020", "87012345678",
                                             "398000000000001", "PPR", "2024-12-01")})
          ->created,
      1);
  auto r = service_->Lookup(inspector_, "87012345678", 1);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->vaccinations.empty());
  const DiseaseCoverage* ppr = CoverageFor(r->coverage, "PPR");
  ASSERT_NE(ppr, nullptr);
  EXPECT_EQ(ppr->state, CoverageState::kCovered);
}

// --- issue 17 ---

// GET /animals/{tag} names the owner with the full phone: it takes from the same per-user budget as
// the phone lookups (5 a minute in this fixture), and it is audited.
TEST_F(ServiceTest, ReadingAnAnimalCountsAgainstTheLookupLimit) {
  ASSERT_EQ(service_
                ->RecordBatch(vaccinator_, {Record("018f3a7c-0000-7000-8000-000000000030",
                                                   "87012345678", "398000000000001")})
                ->created,
            1);
  for (int i = 0; i < 4; ++i) {
    auto a = service_->GetAnimal(inspector_, "398000000000001");
    ASSERT_TRUE(a.ok()) << i << ": " << a.status().ToString();
    EXPECT_EQ(a->owner.phone, "+77012345678");
  }
  // An unknown tag takes from the budget too: tags are sequential, probing them is the attack.
  EXPECT_EQ(service_->GetAnimal(inspector_, "398000000000099").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(service_->GetAnimal(inspector_, "398000000000001").status().code(),
            StatusCode::kResourceExhausted);
  // The budget is the one of the phone lookups.
  EXPECT_EQ(service_->Lookup(inspector_, "87012345678", 3).status().code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(service_->FindOwnerByPhone(inspector_, "87012345678").status().code(),
            StatusCode::kResourceExhausted);
  clock_.Advance(std::chrono::minutes(1));
  EXPECT_TRUE(service_->GetAnimal(inspector_, "398000000000001").ok());

  AuditQuery q;
  q.action = "animal.read";
  auto rows = service_->ListAudit(auditor_, q);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 5u);  // each answer that named the owner; none of the refused ones
}

// POST /owners answers 201 for a free number and 409 for one held elsewhere: every registration
// takes from the lookup budget, so that once it is spent the answer (429) no longer tells the two
// apart.
TEST_F(ServiceTest, RegisteringOwnersCountsAgainstTheLookupLimit) {
  ASSERT_TRUE(service_->RegisterOwner(vaccinator_, {"87012345678", "Aigerim", "", ""}).ok());
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(
        service_->RegisterOwner(other_vaccinator_, {"87012345678", "X", "", ""}).status().code(),
        StatusCode::kAlreadyExists);
  }
  ASSERT_TRUE(service_->RegisterOwner(other_vaccinator_, {"87010000001", "B", "", ""}).ok());
  ASSERT_TRUE(service_->RegisterOwner(other_vaccinator_, {"87010000002", "B", "", ""}).ok());
  ASSERT_TRUE(service_->RegisterOwner(other_vaccinator_, {"87010000003", "B", "", ""}).ok());
  // Spent: a number held elsewhere and a free one get the same answer, and nothing is stored.
  EXPECT_EQ(
      service_->RegisterOwner(other_vaccinator_, {"87012345678", "X", "", ""}).status().code(),
      StatusCode::kResourceExhausted);
  EXPECT_EQ(
      service_->RegisterOwner(other_vaccinator_, {"87010000004", "X", "", ""}).status().code(),
      StatusCode::kResourceExhausted);
  EXPECT_EQ(store_->FindOwnerByPhone("+77010000004").status().code(), StatusCode::kNotFound);
  clock_.Advance(std::chrono::minutes(1));
  EXPECT_TRUE(service_->RegisterOwner(other_vaccinator_, {"87010000004", "X", "", ""}).ok());
}

// A batch record naming its owner by phone tells whether the number is held by another
// authority's owner (rejected) or free (created): each distinct number that is not of an owner of
// the caller's jurisdiction takes one lookup. A batch that needs more than is left is refused
// whole (429) before anything is stored, so the client sends it again later.
TEST_F(ServiceTest, BatchPhonesOutsideTheJurisdictionCountAgainstTheLookupLimit) {
  // Three owners of KZ-ABY.
  for (const char* phone : {"87012345671", "87012345672", "87012345673"}) {
    ASSERT_TRUE(service_->RegisterOwner(vaccinator_, {phone, "Aigerim", "", ""}).ok());
  }
  clock_.Advance(std::chrono::minutes(1));
  auto counts_before = store_->Counts();
  ASSERT_TRUE(counts_before.ok());
  // KZ-ALM's vaccinator names the three numbers of KZ-ABY and three free ones: 6 > 5.
  std::vector<VaccinationRecordInput> six;
  int n = 0;
  for (const char* phone :
       {"87012345671", "87012345672", "87012345673", "87010000001", "87010000002", "87010000003"}) {
    char id[64];
    std::snprintf(id, sizeof id, "018f3a7c-0000-7000-8000-0000000001%02d", n);
    six.push_back(Record(id, phone, "3980000001000" + std::to_string(10 + n)));
    ++n;
  }
  // More than a minute's limit can never pass at once: a 400 (the client splits the batch),
  // not a 429 that the client would resend as it is for ever.
  auto refused = service_->RecordBatch(other_vaccinator_, six);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().field(), "records");
  auto counts_after = store_->Counts();
  ASSERT_TRUE(counts_after.ok());
  EXPECT_EQ(counts_after->vaccinations, counts_before->vaccinations);
  EXPECT_EQ(counts_after->owners, counts_before->owners);

  // Five fit: the same number twice counts once.
  std::vector<VaccinationRecordInput> five(six.begin(), six.begin() + 5);
  five.push_back(Record("018f3a7c-0000-7000-8000-000000000199", "87010000001", "398000000100099"));
  auto stored = service_->RecordBatch(other_vaccinator_, five);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->rejected, 3);
  EXPECT_EQ(stored->created, 3);
  // Spent: one more free number is refused, the caller's own owners (by phone or id) are not.
  auto more = service_->RecordBatch(
      other_vaccinator_,
      {Record("018f3a7c-0000-7000-8000-000000000200", "87010000009", "398000000100200")});
  EXPECT_EQ(more.status().code(), StatusCode::kResourceExhausted);
  auto own = service_->RecordBatch(
      other_vaccinator_,
      {Record("018f3a7c-0000-7000-8000-000000000201", "87010000001", "398000000100201")});
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  EXPECT_EQ(own->created, 1);
  clock_.Advance(std::chrono::minutes(1));
  auto later = service_->RecordBatch(
      other_vaccinator_,
      {Record("018f3a7c-0000-7000-8000-000000000200", "87010000009", "398000000100200")});
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  EXPECT_EQ(later->created, 1);
}

// administered_on may be at most one day after the server's UTC date (the local date runs up to
// a day ahead of UTC: UTC+14 at the most), at any time of the UTC day.
TEST_F(ServiceTest, AdministeredOnIsAtMostOneDayAheadOfTheUtcDate) {
  int n = 0;
  auto one = [&](const std::string& date) {
    char id[64];
    std::snprintf(id, sizeof id, "018f3a7c-0000-7000-8000-0000000003%02d", n++);
    auto r = service_->RecordBatch(vaccinator_,
                                   {Record(id, "87012345678", "398000000000001", "FMD-O", date)});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->results.at(0) : RecordResult{};
  };
  const Timestamp midnight(std::chrono::sys_days(std::chrono::year{2026} / 11 / 29));
  for (Timestamp t : {midnight, midnight + std::chrono::hours(24) - std::chrono::seconds(1)}) {
    clock_.Set(t);
    SCOPED_TRACE(FormatRfc3339(t));
    EXPECT_EQ(one("2026-11-30").outcome, RecordOutcome::kCreated);
    RecordResult ahead = one("2026-12-01");
    EXPECT_EQ(ahead.outcome, RecordOutcome::kRejected);
    EXPECT_EQ(ahead.reason.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(ahead.reason.field(), "records[0].administered_on");
  }
}

// A dose date is at most ten years (lookup_years_max) before the server's UTC date: the exact edge,
// with a fixed clock (the API test keeps a day clear of it, since it cannot fix the server's
// clock).
TEST_F(ServiceTest, AdministeredOnIsAtMostTenYearsBack) {
  clock_.Set(Timestamp(std::chrono::sys_days(std::chrono::year{2026} / 11 / 29)));
  int n = 0;
  auto one = [&](const std::string& date) {
    char id[64];
    std::snprintf(id, sizeof id, "018f3a7c-0000-7000-8000-0000000004%02d", n++);
    auto r = service_->RecordBatch(vaccinator_,
                                   {Record(id, "87012345678", "398000000000001", "FMD-O", date)});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->results.at(0) : RecordResult{};
  };
  EXPECT_EQ(one("2016-11-29").outcome, RecordOutcome::kCreated);
  RecordResult older = one("2016-11-28");
  EXPECT_EQ(older.outcome, RecordOutcome::kRejected);
  EXPECT_EQ(older.reason.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(older.reason.field(), "records[0].administered_on");
}

// A birth date is a date of the last 50 years, and not after tomorrow.
TEST_F(ServiceTest, BirthDateIsWithinTheLastFiftyYears) {
  auto owner = service_->RegisterOwner(vaccinator_, {"87012345678", "Aigerim", "", ""});
  ASSERT_TRUE(owner.ok());
  int n = 0;
  auto animal = [&](const std::string& birth) {
    return service_->RegisterAnimal(vaccinator_, {"39800000000050" + std::to_string(n++), "cattle",
                                                  owner->id, "f", birth, std::nullopt});
  };
  for (const char* bad : {"0000-01-01", "1976-11-28", "2026-12-01"}) {
    SCOPED_TRACE(bad);
    auto r = animal(bad);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().field(), "birth_date");
  }
  for (const char* good : {"1976-11-29", "2026-11-30"}) {
    SCOPED_TRACE(good);
    auto r = animal(good);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->birth_date->ToString(), good);
  }
}

// The operator's console acts for the authority it names: an auditor of another authority does not
// see that a user or a signing key was made there.
TEST_F(ServiceTest, AuditorsDoNotSeeTheConsolesActionsForOtherAuthorities) {
  Caller local_auditor = AddAndLogin("audi2", Role::kAuditor, "KZ-ALM");
  AuditQuery q;
  q.action = "user.create";
  auto local = service_->ListAudit(local_auditor, q);
  ASSERT_TRUE(local.ok());
  std::set<std::string> seen;
  for (const auto& row : *local) seen.insert(row.entry.target);
  EXPECT_EQ(seen, (std::set<std::string>{"user:vacc2", "user:audi2"}));
  auto national = service_->ListAudit(auditor_, q);
  ASSERT_TRUE(national.ok());
  EXPECT_EQ(national->size(), 6u);  // every user of the fixture is of KZ or below
  for (const auto& row : *national) EXPECT_FALSE(row.entry.authority.empty()) << row.entry.target;
}

// Each audit row's detail, byte for byte: rows are hashed into the chain as they are written and
// read back by auditors' tools, so the text of an event must not drift between releases.
TEST_F(ServiceTest, AuditDetailsAreTheirExactText) {
  // The newest row of `action`, of any authority.
  auto last_detail = [&](const std::string& action) -> std::string {
    AuditQuery q;
    q.all_authorities = true;
    q.action = action;
    q.limit = 1000;
    auto rows = store_->ListAudit(q);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok() || rows->empty()) return "(no " + action + " row)";
    return rows->back().entry.detail;
  };
  EXPECT_EQ(last_detail("user.create"), R"({"role":"vaccinator","authority":"KZ-ALM"})");

  auto owner = service_->RegisterOwner(vaccinator_, {"87012345678", "Aigerim", "", ""});
  ASSERT_TRUE(owner.ok()) << owner.status().ToString();
  const std::string owner_id = std::to_string(owner->id);
  EXPECT_EQ(
      service_->RegisterOwner(other_vaccinator_, {"87012345678", "X", "", ""}).status().code(),
      StatusCode::kAlreadyExists);
  EXPECT_EQ(last_detail("owner.conflict"), R"({"outside_jurisdiction":true})");
  ASSERT_TRUE(service_->FindOwnerByPhone(vaccinator_, "87012345678").ok());
  EXPECT_EQ(last_detail("owner.read"), R"({"found":true})");
  EXPECT_EQ(service_->FindOwnerByPhone(vaccinator_, "87019999999").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(last_detail("owner.read"), R"({"found":false})");

  const std::string first = "018f3a7c-0000-7000-8000-000000000501";
  const std::string second = "018f3a7c-0000-7000-8000-000000000502";
  auto batch =
      service_->RecordBatch(vaccinator_, {Record(first, "87012345678", "398000000000051"),
                                          Record(second, "87012345678", "398000000000052", "PPR")});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->created, 2);
  EXPECT_EQ(last_detail("vaccination.batch"), R"({"count":2,"first_id":")" + first + R"("})");

  clock_.Advance(std::chrono::minutes(1));  // a fresh lookup budget
  auto foreign = service_->RecordBatch(
      other_vaccinator_,
      {Record("018f3a7c-0000-7000-8000-000000000503", "8 701 234 5678", "398000000000053")});
  ASSERT_TRUE(foreign.ok()) << foreign.status().ToString();
  ASSERT_EQ(foreign->rejected, 1);
  EXPECT_EQ(last_detail("owner.conflict"),
            R"({"outside_jurisdiction":true,"phones":["+77012345678"]})");

  ASSERT_TRUE(service_->GetAnimal(inspector_, "398000000000051").ok());
  EXPECT_EQ(last_detail("animal.read"), R"({"owner_id":)" + owner_id + "}");
  ASSERT_TRUE(service_->Lookup(inspector_, "87012345678", 3).ok());
  EXPECT_EQ(last_detail("lookup.phone"), R"({"found":true,"owner_id":)" + owner_id + "}");
  EXPECT_EQ(service_->Lookup(inspector_, "87019999999", 3).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(last_detail("lookup.phone"), R"({"found":false})");

  // Quotes, backslashes and control characters are escaped; other text is kept as it is.
  ASSERT_TRUE(service_->VoidVaccination(vet_, first, "dose \"B-1\" \\ wrong\tтип").ok());
  EXPECT_EQ(last_detail("vaccination.void"), R"({"reason":"dose \"B-1\" \\ wrong\tтип"})");

  auto read = service_->ListAudit(auditor_, AuditQuery{});
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(last_detail("audit.read"), R"({"rows":)" + std::to_string(read->size()) + "}");
}

// A batch's audit row names only records that were stored; a batch that stored nothing writes none.
TEST_F(ServiceTest, BatchAuditNamesOnlyStoredRecords) {
  VaccinationRecordInput no_owner =
      Record("018f3a7c-0000-7000-8000-000000000400", "", "398000000000040");
  no_owner.owner_phone.clear();
  no_owner.owner_id = 99999;  // well formed, refused by the store: no such owner
  auto only = service_->RecordBatch(vaccinator_, {no_owner});
  ASSERT_TRUE(only.ok()) << only.status().ToString();
  ASSERT_EQ(only->rejected, 1);
  AuditQuery q;
  q.action = "vaccination.batch";
  auto rows = service_->ListAudit(auditor_, q);
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->empty()) << rows->front().entry.detail;

  VaccinationRecordInput good =
      Record("018f3a7c-0000-7000-8000-000000000401", "87012345678", "398000000000041");
  no_owner.id = "018f3a7c-0000-7000-8000-000000000402";
  auto mixed = service_->RecordBatch(vaccinator_, {no_owner, good});
  ASSERT_TRUE(mixed.ok());
  ASSERT_EQ(mixed->created, 1);
  rows = service_->ListAudit(auditor_, q);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().entry.target, "records:1");
  auto detail = nlohmann::json::parse(rows->front().entry.detail);
  EXPECT_EQ(detail.at("first_id"), good.id);
  EXPECT_EQ(detail.at("count"), 1);

  // Sent again: all duplicates, nothing stored, no row.
  ASSERT_EQ(service_->RecordBatch(vaccinator_, {good})->duplicate, 1);
  rows = service_->ListAudit(auditor_, q);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 1u);
}

// --- holdings (W12) ---

HoldingInput Farm(std::string code, std::string authority = "") {
  HoldingInput h;
  h.code = std::move(code);
  h.kind = "farm";
  h.name = "Zhailau farm";
  h.authority = std::move(authority);
  h.lat = 45.01;
  h.lon = 78.38;
  h.opened_on = "2020-04-01";
  return h;
}

TEST_F(ServiceTest, HoldingIsCreatedWithAMaskedOwnerAndAudited) {
  auto owner = service_->RegisterOwner(vet_, {"87012345678", "Aigerim Nurlanovna", "", ""});
  ASSERT_TRUE(owner.ok());
  HoldingInput in = Farm("F-1", "KZ-ABY-01");
  in.owner_phone = "+7 701 234 56 78";
  auto h = service_->CreateHolding(vet_, in);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->authority, "KZ-ABY-01");
  EXPECT_EQ(h->owner_id, std::optional<int64_t>(owner->id));
  EXPECT_EQ(h->owner_masked_name, "A****** N*********");
  auto got = service_->GetHolding(inspector_, h->id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->code, "F-1");
  AuditQuery q;
  q.action = "holding.create";
  auto rows = service_->ListAudit(auditor_, q);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].entry.target, "holding:KZ-ABY-01/F-1");
  EXPECT_EQ((*rows)[0].entry.username, "vet1");
}

TEST_F(ServiceTest, BadHoldingsAreRefusedNamingTheFieldAndStoreNothing) {
  auto owner = service_->RegisterOwner(vet_, {"87012345678", "Aigerim", "", ""});
  ASSERT_TRUE(owner.ok());
  auto other = service_->RegisterOwner(other_vaccinator_, {"87012345699", "Other", "", ""});
  ASSERT_TRUE(other.ok());
  struct Case {
    const char* what;
    std::function<void(HoldingInput&)> change;
    StatusCode code;
    const char* field;
  };
  const std::vector<Case> cases = {
      {"unknown kind", [](HoldingInput& h) { h.kind = "barn"; }, StatusCode::kInvalidArgument,
       "kind"},
      {"lat", [](HoldingInput& h) { h.lat = 90.5; }, StatusCode::kInvalidArgument, "lat"},
      {"lon", [](HoldingInput& h) { h.lon = -181; }, StatusCode::kInvalidArgument, "lon"},
      {"no lat", [](HoldingInput& h) { h.lat.reset(); }, StatusCode::kInvalidArgument, "lat"},
      {"closed before opened", [](HoldingInput& h) { h.closed_on = "2020-03-31"; },
       StatusCode::kInvalidArgument, "closed_on"},
      {"no opened_on", [](HoldingInput& h) { h.opened_on = ""; }, StatusCode::kInvalidArgument,
       "opened_on"},
      {"bad code", [](HoldingInput& h) { h.code = "F 1"; }, StatusCode::kInvalidArgument, "code"},
      {"owner of a market",
       [&](HoldingInput& h) {
         h.kind = "market";
         h.owner_id = owner->id;
       },
       StatusCode::kInvalidArgument, "owner_id"},
      {"owner phone of a slaughterhouse",
       [](HoldingInput& h) {
         h.kind = "slaughterhouse";
         h.owner_phone = "87012345678";
       },
       StatusCode::kInvalidArgument, "owner_phone"},
      {"owner elsewhere", [&](HoldingInput& h) { h.owner_id = other->id; },
       StatusCode::kInvalidArgument, "owner_id"},
      {"unknown owner", [](HoldingInput& h) { h.owner_id = 999999; }, StatusCode::kInvalidArgument,
       "owner_id"},
      {"authority elsewhere", [](HoldingInput& h) { h.authority = "KZ-ALM"; },
       StatusCode::kPermissionDenied, "authority"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    HoldingInput in = Farm("F-1");
    c.change(in);
    auto r = service_->CreateHolding(vet_, in);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), c.code) << r.status().ToString();
    EXPECT_EQ(r.status().field(), c.field) << r.status().ToString();
  }
  auto page = service_->ListHoldings(vet_, {});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
  // And a duplicate code in the same authority is 409 naming the code.
  ASSERT_TRUE(service_->CreateHolding(vet_, Farm("F-1")).ok());
  auto dup = service_->CreateHolding(vet_, Farm("F-1"));
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(dup.status().field(), "code");
}

TEST_F(ServiceTest, VaccinatorsRegisterFarmsButNotMarkets) {
  auto farm = service_->CreateHolding(vaccinator_, Farm("F-1"));
  ASSERT_TRUE(farm.ok()) << farm.status().ToString();
  HoldingInput market = Farm("M-1");
  market.kind = "market";
  auto r = service_->CreateHolding(vaccinator_, market);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(r.status().field(), "kind");
  EXPECT_TRUE(service_->CreateHolding(vet_, market).ok());
  EXPECT_EQ(service_->CreateHolding(inspector_, Farm("F-2")).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(ServiceTest, HoldingsAreReadWithinTheCallersJurisdictionOnly) {
  auto mine = service_->CreateHolding(vet_, Farm("F-1"));
  ASSERT_TRUE(mine.ok());
  auto theirs = service_->CreateHolding(other_vaccinator_, Farm("F-1"));
  ASSERT_TRUE(theirs.ok()) << theirs.status().ToString();
  EXPECT_EQ(service_->GetHolding(vet_, theirs->id).status().code(), StatusCode::kNotFound);
  auto page = service_->ListHoldings(vet_, {});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].holding.id, mine->id);
  HoldingListRequest elsewhere;
  elsewhere.authority = "KZ-ALM";
  auto r = service_->ListHoldings(vet_, elsewhere);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(r.status().field(), "authority");
  // The auditor of the country sees both.
  auto all = service_->ListHoldings(auditor_, {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->items.size(), 2u);
}

TEST_F(ServiceTest, HoldingListParametersAreCheckedAndNearPagesByCursor) {
  for (int i = 0; i < 3; ++i) {
    HoldingInput in = Farm("F-" + std::to_string(i));
    in.lat = 45.0 + 0.01 * i;
    ASSERT_TRUE(service_->CreateHolding(vet_, in).ok());
  }
  struct Bad {
    HoldingListRequest req;
    const char* field;
  };
  std::vector<Bad> bad(6);
  bad[0].req.kind = "barn";
  bad[0].field = "kind";
  bad[1].req.near = "45.0";
  bad[1].field = "near";
  bad[2].req.near = "91,10";
  bad[2].field = "near";
  bad[3].req.near = "45,78";
  bad[3].req.radius_km = 5000;
  bad[3].field = "radius_km";
  bad[4].req.limit = 0;
  bad[4].field = "limit";
  bad[5].req.cursor = "x";
  bad[5].field = "cursor";
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.field);
    auto r = service_->ListHoldings(vet_, b.req);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().field(), b.field);
  }
  HoldingListRequest near;
  near.near = "45.025,78.38";
  near.limit = 2;
  auto first = service_->ListHoldings(vet_, near);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_EQ(first->items[0].holding.code, "F-2");
  EXPECT_EQ(first->items[1].holding.code, "F-1");
  ASSERT_FALSE(first->next_cursor.empty());
  near.cursor = first->next_cursor;
  auto second = service_->ListHoldings(vet_, near);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].holding.code, "F-0");
  EXPECT_EQ(second->next_cursor, "");
}

TEST_F(ServiceTest, AnimalsAndRecordsNameAHoldingOfTheJurisdiction) {
  auto owner = service_->RegisterOwner(vaccinator_, {"87012345678", "Aigerim", "", ""});
  ASSERT_TRUE(owner.ok());
  auto farm = service_->CreateHolding(vaccinator_, Farm("F-1"));
  ASSERT_TRUE(farm.ok());
  auto theirs = service_->CreateHolding(other_vaccinator_, Farm("F-9"));
  ASSERT_TRUE(theirs.ok());
  HoldingInput closed_in = Farm("F-OLD");
  closed_in.closed_on = "2025-12-31";
  auto closed = service_->CreateHolding(vaccinator_, closed_in);
  ASSERT_TRUE(closed.ok());

  AnimalInput a{"398000000000501", "cattle", owner->id, "f", "", std::nullopt};
  for (int64_t bad : {theirs->id, int64_t{999999}, closed->id}) {
    SCOPED_TRACE(bad);
    a.holding = bad;
    auto r = service_->RegisterAnimal(vaccinator_, a);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().field(), "holding");
  }
  EXPECT_EQ(store_->FindAnimalByTag("398000000000501").status().code(), StatusCode::kNotFound);
  a.holding = farm->id;
  auto animal = service_->RegisterAnimal(vaccinator_, a);
  ASSERT_TRUE(animal.ok()) << animal.status().ToString();
  EXPECT_EQ(animal->holding_id, std::optional<int64_t>(farm->id));

  // W1: a record at another authority's holding, at an unknown one, or at one closed on its date
  // is rejected naming its holding; the others of the batch are stored.
  std::vector<VaccinationRecordInput> batch;
  const std::vector<std::optional<int64_t>> holdings = {farm->id, theirs->id, 999999, closed->id,
                                                        std::nullopt};
  for (size_t i = 0; i < holdings.size(); ++i) {
    VaccinationRecordInput r = Record("0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e0" + std::to_string(i),
                                      "87012345678", "398000000000501", "FMD-O", "2026-11-01");
    r.species = "cattle";
    r.holding = holdings[i];
    batch.push_back(r);
  }
  auto summary = service_->RecordBatch(vaccinator_, batch);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->created, 2);
  EXPECT_EQ(summary->rejected, 3);
  for (size_t i : {1u, 2u, 3u}) {
    SCOPED_TRACE(i);
    EXPECT_EQ(summary->results[i].outcome, RecordOutcome::kRejected);
    EXPECT_EQ(summary->results[i].reason.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(summary->results[i].reason.field(), "records[" + std::to_string(i) + "].holding");
  }

  // The animal view and W2 name the holding of the animal and of its records.
  auto view = service_->GetAnimal(vaccinator_, "398000000000501");
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  ASSERT_EQ(view->holdings.size(), 1u);
  EXPECT_EQ(view->holdings[0].code, "F-1");
  ASSERT_EQ(view->vaccinations.size(), 2u);
  auto lookup = service_->Lookup(inspector_, "87012345678", std::nullopt);
  ASSERT_TRUE(lookup.ok()) << lookup.status().ToString();
  ASSERT_EQ(lookup->holdings.size(), 1u);
  EXPECT_EQ(lookup->holdings[0].id, farm->id);
  int at_farm = 0;
  for (const Vaccination& v : lookup->vaccinations) at_farm += v.holding_id == farm->id ? 1 : 0;
  EXPECT_EQ(at_farm, 1);
}

// --- tag life (W12) ---

AnimalEventRequest Event(std::string id, std::string kind, std::string date = "2026-11-20") {
  AnimalEventRequest e;
  e.id = std::move(id);
  e.kind = std::move(kind);
  e.date = std::move(date);
  e.reason = "found dead in the winter camp";
  return e;
}

TEST_F(ServiceTest, AnimalEventFieldsAreCheckedAndBadInputStoresNothing) {
  ASSERT_EQ(service_
                ->RecordBatch(vaccinator_, {Record("018f3a7c-0000-7000-8000-000000000a01",
                                                   "87012345678", "398000000000001")})
                ->created,
            1);
  const std::string tag = "398000000000001";
  auto field_of = [&](const AnimalEventRequest& e) {
    auto r = service_->RecordAnimalEvent(vaccinator_, tag, e);
    EXPECT_FALSE(r.ok());
    return std::make_pair(r.status().code(), r.status().field());
  };
  using P = std::pair<StatusCode, std::string>;
  const std::string id = "018f3a7c-0000-7000-8000-000000000e01";
  EXPECT_EQ(field_of(Event("not-a-uuid", "died")), (P{StatusCode::kInvalidArgument, "id"}));
  EXPECT_EQ(field_of(Event("00000000-0000-0000-0000-000000000000", "died")),
            (P{StatusCode::kInvalidArgument, "id"}));
  EXPECT_EQ(field_of(Event(id, "eaten")), (P{StatusCode::kInvalidArgument, "kind"}));
  EXPECT_EQ(field_of(Event(id, "born")), (P{StatusCode::kInvalidArgument, "kind"}));
  // The fake clock's UTC date is 2026-11-29: one day ahead is accepted as W1, two are not.
  EXPECT_EQ(field_of(Event(id, "died", "2026-12-01")), (P{StatusCode::kInvalidArgument, "date"}));
  EXPECT_EQ(field_of(Event(id, "died", "29.11.2026")), (P{StatusCode::kInvalidArgument, "date"}));
  AnimalEventRequest long_reason = Event(id, "died");
  long_reason.reason = std::string(501, 'x');
  EXPECT_EQ(field_of(long_reason), (P{StatusCode::kInvalidArgument, "reason"}));
  EXPECT_EQ(field_of(Event(id, "tag_replaced")), (P{StatusCode::kInvalidArgument, "new_tag"}));
  AnimalEventRequest stray_tag = Event(id, "died");
  stray_tag.new_tag = "398000000000009";
  EXPECT_EQ(field_of(stray_tag), (P{StatusCode::kInvalidArgument, "new_tag"}));
  AnimalEventRequest stray_head = Event(id, "died");
  stray_head.head = 1;
  EXPECT_EQ(field_of(stray_head), (P{StatusCode::kInvalidArgument, "head"}));
  AnimalEventRequest own_tag = Event(id, "tag_replaced");
  own_tag.new_tag = tag;
  EXPECT_EQ(field_of(own_tag), (P{StatusCode::kAlreadyExists, "new_tag"}));

  auto animal = store_->FindAnimalByTag(tag);
  ASSERT_TRUE(animal.ok());
  EXPECT_TRUE(animal->alive());
  EXPECT_TRUE(store_->ListAnimalEvents(animal->id)->empty());
  // Two days ahead refused above; one day ahead (a place east of UTC) is accepted.
  auto ok = service_->RecordAnimalEvent(vaccinator_, tag, Event(id, "died", "2026-11-30"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
}

// W2 after a death: the animal is listed with what happened and when, and today's coverage is
// of the living only.
TEST_F(ServiceTest, DeathIsShownInTheLookupAndCoverageCountsOnlyTheLiving) {
  ASSERT_EQ(
      service_
          ->RecordBatch(vaccinator_, {Record("018f3a7c-0000-7000-8000-000000000a01", "87012345678",
                                             "398000000000001", "FMD-O", "2026-11-01"),
                                      Record("018f3a7c-0000-7000-8000-000000000a02", "87012345678",
                                             "398000000000002", "FMD-O", "2025-10-01")})
          ->created,
      2);
  auto before = service_->Lookup(inspector_, "87012345678", 3);
  ASSERT_TRUE(before.ok());
  const DiseaseCoverage* fmd = CoverageFor(before->coverage, "FMD-O");
  ASSERT_NE(fmd, nullptr);
  EXPECT_EQ(fmd->state, CoverageState::kOverdue);

  auto died = service_->RecordAnimalEvent(vaccinator_, "398000000000002",
                                          Event("018f3a7c-0000-7000-8000-000000000e02", "died"));
  ASSERT_TRUE(died.ok()) << died.status().ToString();
  EXPECT_FALSE(died->duplicate);
  EXPECT_EQ(died->event.recorded_by, vaccinator_.user_id);
  EXPECT_EQ(died->event.recorded_at, clock_.Now());

  auto after = service_->Lookup(inspector_, "87012345678", 3);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->animals.size(), 2u);
  const Animal& dead = after->animals[1];
  EXPECT_EQ(dead.tag, "398000000000002");
  EXPECT_EQ(dead.ended_kind, AnimalEventKind::kDied);
  EXPECT_EQ(dead.ended_on, Date::Parse("2026-11-20").value());
  EXPECT_TRUE(after->animals[0].alive());
  fmd = CoverageFor(after->coverage, "FMD-O");
  ASSERT_NE(fmd, nullptr);
  EXPECT_EQ(fmd->state, CoverageState::kCovered);
  // Its doses stay in the history.
  EXPECT_EQ(after->vaccinations.size(), 2u);

  // The event is audited with what it said.
  AuditQuery q;
  q.action = "animal.event";
  auto rows = service_->ListAudit(auditor_, q);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().entry.username, "vacc");
  EXPECT_EQ(rows->front().entry.target, "animal:" + std::to_string(dead.id));
  EXPECT_EQ(rows->front().entry.detail,
            R"({"id":"018f3a7c-0000-7000-8000-000000000e02","kind":"died","date":"2026-11-20"})");
}

TEST_F(ServiceTest, AnimalEventRolesAndJurisdiction) {
  ASSERT_EQ(service_
                ->RecordBatch(vaccinator_, {Record("018f3a7c-0000-7000-8000-000000000a01",
                                                   "87012345678", "398000000000001")})
                ->created,
            1);
  const std::string tag = "398000000000001";
  // Out of the caller's jurisdiction: as if there were no such animal, and nothing stored.
  auto elsewhere = service_->RecordAnimalEvent(
      other_vaccinator_, tag, Event("018f3a7c-0000-7000-8000-000000000e01", "died"));
  EXPECT_EQ(elsewhere.status().code(), StatusCode::kNotFound);
  auto auditor = service_->RecordAnimalEvent(auditor_, tag,
                                             Event("018f3a7c-0000-7000-8000-000000000e01", "died"));
  EXPECT_EQ(auditor.status().code(), StatusCode::kPermissionDenied);
  // An inspector records a slaughter, nothing else.
  auto inspector_died = service_->RecordAnimalEvent(
      inspector_, tag, Event("018f3a7c-0000-7000-8000-000000000e01", "died"));
  EXPECT_EQ(inspector_died.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(inspector_died.status().field(), "kind");
  EXPECT_TRUE(store_->FindAnimalByTag(tag)->alive());
  auto slaughtered = service_->RecordAnimalEvent(
      inspector_, tag, Event("018f3a7c-0000-7000-8000-000000000e01", "slaughtered"));
  ASSERT_TRUE(slaughtered.ok()) << slaughtered.status().ToString();
  EXPECT_EQ(store_->FindAnimalByTag(tag)->ended_kind, AnimalEventKind::kSlaughtered);
  // A second end: 409 naming kind. The first sent again: a duplicate.
  auto again =
      service_->RecordAnimalEvent(vet_, tag, Event("018f3a7c-0000-7000-8000-000000000e02", "died"));
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(again.status().field(), "kind");
  auto resent = service_->RecordAnimalEvent(
      inspector_, tag, Event("018f3a7c-0000-7000-8000-000000000e01", "slaughtered"));
  ASSERT_TRUE(resent.ok()) << resent.status().ToString();
  EXPECT_TRUE(resent->duplicate);
}

// W8: a sale at the farm on the fake clock. The bought animal's dose from before the sale
// protects it in the buyer's coverage and is listed under the seller's masked name; bad input is
// refused naming the field, and nothing is stored.
TEST_F(ServiceTest, SaleAtTheFarmCarriesTheDosesToTheBuyer) {
  ASSERT_EQ(
      service_
          ->RecordBatch(vaccinator_, {Record("018f3a7c-0000-7000-8000-000000000b01", "87012345678",
                                             "398000000000001", "FMD-O", "2026-11-01")})
          ->created,
      1);
  auto sale = [](std::string date) {
    TransferRequest t;
    t.id = "018f3a7c-0000-7000-8000-000000000bf1";
    t.seller_phone = "87012345678";
    t.buyer_phone = "87019998877";
    t.buyer_name = "Asel Omarova";
    t.tags = {"398000000000001"};
    t.date = std::move(date);
    return t;
  };
  using P = std::pair<StatusCode, std::string>;
  auto field_of = [&](const Caller& who, const TransferRequest& t) {
    auto r = service_->RecordTransfer(who, t);
    return r.ok() ? P{StatusCode::kOk, ""} : P{r.status().code(), r.status().field()};
  };
  // Two days ahead of the fake clock's date: refused; so are a phone that is not one, another
  // authority's vet and a vaccinator.
  EXPECT_EQ(field_of(vet_, sale("2026-12-01")), (P{StatusCode::kInvalidArgument, "date"}));
  TransferRequest bad_phone = sale("2026-11-20");
  bad_phone.buyer_phone = "12";
  EXPECT_EQ(field_of(vet_, bad_phone), (P{StatusCode::kUnprocessable, "buyer_phone"}));
  Caller far_vet = AddAndLogin("vet2", Role::kVet, "KZ-ALM");
  EXPECT_EQ(field_of(far_vet, sale("2026-11-20")),
            (P{StatusCode::kPermissionDenied, "seller_phone"}));
  EXPECT_EQ(field_of(vaccinator_, sale("2026-11-20")).first, StatusCode::kPermissionDenied);
  EXPECT_EQ(service_->Lookup(inspector_, "87019998877", 3).status().code(), StatusCode::kNotFound);

  auto sold = service_->RecordTransfer(vet_, sale("2026-11-20"));
  ASSERT_TRUE(sold.ok()) << sold.status().ToString();
  EXPECT_TRUE(sold->buyer_created);
  auto buyer = service_->Lookup(inspector_, "87019998877", 3);
  ASSERT_TRUE(buyer.ok()) << buyer.status().ToString();
  ASSERT_EQ(buyer->animals.size(), 1u);
  EXPECT_TRUE(buyer->vaccinations.empty());
  ASSERT_EQ(buyer->earlier_vaccinations.size(), 1u);
  EXPECT_EQ(buyer->earlier_vaccinations[0].previous_owner_masked, "N***** A*****");
  EXPECT_EQ(buyer->earlier_vaccinations[0].sold_on, Date::Parse("2026-11-20").value());
  const DiseaseCoverage* fmd = CoverageFor(buyer->coverage, "FMD-O");
  ASSERT_NE(fmd, nullptr);
  EXPECT_EQ(fmd->state, CoverageState::kCovered);
  auto seller = service_->Lookup(inspector_, "87012345678", 3);
  ASSERT_TRUE(seller.ok());
  EXPECT_TRUE(seller->animals.empty());
  ASSERT_EQ(seller->sold.size(), 1u);
  EXPECT_EQ(seller->sold[0].tag, "398000000000001");
}

TEST_F(ServiceTest, FlockEventsNeedAHeadAndNeverGoBelowZero) {
  VaccinationRecordInput flock = Record("018f3a7c-0000-7000-8000-000000000a10", "87012345678", "");
  flock.animal_tags.clear();
  flock.head_count = 40;
  ASSERT_EQ(service_->RecordBatch(vaccinator_, {flock})->created, 1);
  auto l = service_->Lookup(inspector_, "87012345678", 3);
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->animals.size(), 1u);
  const int64_t flock_id = l->animals[0].id;

  AnimalEventRequest e = Event("018f3a7c-0000-7000-8000-000000000e10", "died");
  auto no_head = service_->RecordFlockEvent(vaccinator_, flock_id, e);
  EXPECT_EQ(no_head.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(no_head.status().field(), "head");
  e.head = 0;
  EXPECT_EQ(service_->RecordFlockEvent(vaccinator_, flock_id, e).status().field(), "head");
  e.head = 41;
  auto too_many = service_->RecordFlockEvent(vaccinator_, flock_id, e);
  EXPECT_EQ(too_many.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(too_many.status().field(), "head");
  EXPECT_EQ(service_->RecordFlockEvent(other_vaccinator_, flock_id, e).status().code(),
            StatusCode::kNotFound);
  e.head = 15;
  auto died = service_->RecordFlockEvent(vaccinator_, flock_id, e);
  ASSERT_TRUE(died.ok()) << died.status().ToString();
  EXPECT_EQ(died->animal.head_count, 25);
  AnimalEventRequest born = Event("018f3a7c-0000-7000-8000-000000000e11", "born");
  born.head = 2;
  ASSERT_TRUE(service_->RecordFlockEvent(vet_, flock_id, born).ok());
  auto now = service_->Lookup(inspector_, "87012345678", 3);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->animals[0].head_count, 27);

  // A tagged animal is no flock.
  ASSERT_EQ(service_
                ->RecordBatch(vaccinator_, {Record("018f3a7c-0000-7000-8000-000000000a11",
                                                   "87012345678", "398000000000001")})
                ->created,
            1);
  const int64_t animal_id = store_->FindAnimalByTag("398000000000001")->id;
  EXPECT_EQ(service_->RecordFlockEvent(vaccinator_, animal_id, e).status().code(),
            StatusCode::kNotFound);
}

TEST_F(ServiceTest, GetAnimalByAReplacedTagShowsTheSameAnimalWithItsHistory) {
  ASSERT_EQ(service_
                ->RecordBatch(vaccinator_, {Record("018f3a7c-0000-7000-8000-000000000a01",
                                                   "87012345678", "398000000000001")})
                ->created,
            1);
  AnimalEventRequest replace = Event("018f3a7c-0000-7000-8000-000000000e01", "tag_replaced");
  replace.new_tag = "398 000 000 000 009";
  auto r = service_->RecordAnimalEvent(vaccinator_, "398000000000001", replace);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->event.new_tag, "398000000000009");
  // A record sent later by an offline phone with the old tag.
  ASSERT_EQ(service_
                ->RecordBatch(vaccinator_, {Record("018f3a7c-0000-7000-8000-000000000a02",
                                                   "87012345678", "398000000000001", "PPR")})
                ->created,
            1);
  for (const char* tag : {"398000000000001", "398000000000009"}) {
    SCOPED_TRACE(tag);
    auto view = service_->GetAnimal(vet_, tag);
    ASSERT_TRUE(view.ok()) << view.status().ToString();
    EXPECT_EQ(view->animal.tag, "398000000000009");
    EXPECT_EQ(view->animal.former_tags, std::vector<std::string>{"398000000000001"});
    EXPECT_EQ(view->vaccinations.size(), 2u);
    ASSERT_EQ(view->events.size(), 1u);
    EXPECT_EQ(view->events[0].kind, AnimalEventKind::kTagReplaced);
  }
}

// Issue 15 item 4: the one-time code goes in the owner's language (KZ-ABY's owners: Kazakh).
TEST_F(ServiceTest, TheOneTimeCodeGoesInTheOwnersLanguage) {
  auto r = service_->RecordBatch(vaccinator_, {Record("018f3a7c-0000-7000-8000-0000000000c1",
                                                      "87012345678", "398000000000001")});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(service_->RequestOwnerCode("87012345678", "10.0.0.9").ok());
  auto all = store_->ListSms({"KZ", true, 0, 100, {}});
  ASSERT_TRUE(all.ok());
  std::vector<std::string> codes;
  for (const SmsMessage& m : *all) {
    if (m.kind == "otp") codes.push_back(m.body);
  }
  ASSERT_EQ(codes.size(), 1u);
  ASSERT_GE(codes[0].size(), 7u);
  const std::string code = codes[0].substr(0, 6);
  EXPECT_EQ(code.find_first_not_of("0123456789"), std::string::npos) << codes[0];
  EXPECT_EQ(codes[0], RenderOwnerCodeSms(code, "kk"));
}

// --- W15's reminders (issue 15 item 3), on the fake clock ---

class ReminderServiceTest : public ServiceTest {
 protected:
  // An owner whose sheep's FMD-O coverage lapses on 2026-12-17 (a dose of 2026-06-20, 180 days),
  // and one covered until May.
  void RecordLapsingAndCovered() {
    auto r = service_->RecordBatch(vaccinator_,
                                   {Record("018f3a7c-0000-7000-8000-0000000000a1", "87012345678",
                                           "398000000000001", "FMD-O", "2026-06-20"),
                                    Record("018f3a7c-0000-7000-8000-0000000000a2", "87012345679",
                                           "398000000000002", "FMD-O", "2026-11-20")});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->created, 2);
  }

  std::vector<SmsMessage> Reminders() {
    auto all = store_->ListSms({"KZ", true, 0, 1000, {}});
    EXPECT_TRUE(all.ok());
    std::vector<SmsMessage> out;
    if (!all.ok()) return out;
    for (auto& m : *all) {
      if (m.kind == "reminder") out.push_back(std::move(m));
    }
    return out;
  }
};

TEST_F(ReminderServiceTest, AReminderGoesInTheOwnersLanguageAtMostOnceAWeek) {
  RecordLapsingAndCovered();
  // 2026-11-29: the lapse on 2026-12-17 is 18 days ahead, beyond the default 14.
  auto early = service_->QueueReminders();
  ASSERT_TRUE(early.ok()) << early.status().ToString();
  EXPECT_EQ(early->days, 14);
  EXPECT_EQ(early->owners, 0);

  auto first = service_->QueueReminders(30);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->owners, 1);
  auto sent = Reminders();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].phone, "+77012345678");
  // KZ-ABY's owners read Kazakh: which disease, how many head, the day protection ends. The
  // FMD-O dose was of the bivalent O+A vaccine (VaccineFor): both lapse.
  EXPECT_EQ(VaccineFor("FMD-O"), "FMD-OA-INACT");
  EXPECT_EQ(sent[0].body,
            "HerdPass, еске салу: FMD-O 1 бас, қорғаныс 2026-12-17 аяқталады; FMD-A 1 бас, "
            "қорғаныс 2026-12-17 аяқталады. Малды екпеге әкеліңіз.");
  EXPECT_FALSE(sent[0].requested);  // not asked for: the sender holds it in quiet hours
  EXPECT_EQ(sent[0].status, SmsStatus::kQueued);
  EXPECT_EQ(sent[0].dedupe_key, "reminder/" + std::to_string(sent[0].owner_id) + "/2026-11-29");

  // Again the same day, and three days on: no second reminder.
  EXPECT_EQ(service_->QueueReminders(30)->owners, 0);
  clock_.Advance(std::chrono::days(3));
  EXPECT_EQ(service_->QueueReminders(30)->owners, 0);
  EXPECT_EQ(Reminders().size(), 1u);
  // A week after the first: the next one.
  clock_.Advance(std::chrono::days(4));
  auto week = service_->QueueReminders(30);
  ASSERT_TRUE(week.ok());
  EXPECT_EQ(week->owners, 1);
  EXPECT_EQ(Reminders().size(), 2u);

  // Each run is audited with its counts.
  auto audit = store_->ListAudit({});
  ASSERT_TRUE(audit.ok());
  const auto runs = std::count_if(audit->begin(), audit->end(),
                                  [](const AuditRow& r) { return r.entry.action == "sms.remind"; });
  EXPECT_EQ(runs, 5);
}

TEST_F(ReminderServiceTest, StopStopsRemindersAndStartBringsThemBack) {
  RecordLapsingAndCovered();
  auto owner = store_->FindOwnerByPhone("+77012345678");
  ASSERT_TRUE(owner.ok());
  InboundSmsChange stop;
  stop.digest = std::string(32, 'x');
  stop.at = clock_.Now();
  stop.owner_id = owner->id;
  stop.stopped = true;
  ASSERT_TRUE(store_->TakeInboundSms(stop).ok());
  EXPECT_EQ(service_->QueueReminders(30)->owners, 0);
  InboundSmsChange start = stop;
  start.digest = std::string(32, 'y');
  start.stopped = false;
  ASSERT_TRUE(store_->TakeInboundSms(start).ok());
  EXPECT_EQ(service_->QueueReminders(30)->owners, 1);
}

TEST_F(ReminderServiceTest, DaysOutsideTheRangeAreRefusedAndNothingIsQueued) {
  RecordLapsingAndCovered();
  for (int days : {0, -1, kReminderDaysMax + 1}) {
    auto r = service_->QueueReminders(days);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << days;
    EXPECT_EQ(r.status().field(), "days") << days;
  }
  EXPECT_TRUE(Reminders().empty());
}

TEST_F(ReminderServiceTest, TheNightlyJobRunsAtItsLocalTimeOnTheServicesClock) {
  RecordLapsingAndCovered();
  ServiceConfig config;
  config.reminder_days = 30;
  HerdService service(*store_, clock_, DefaultCatalogue(), config);
  // 09:00 UTC is 14:00 at UTC+5: the job's 02:00 is at 21:00 UTC.
  ReminderJob job(service, clock_, {std::chrono::hours(2), std::chrono::hours(5)});
  EXPECT_EQ(job.next_run(), ParseRfc3339("2026-11-29T21:00:00Z").value());
  EXPECT_FALSE(job.RunIfDue().has_value());
  clock_.Set(ParseRfc3339("2026-11-29T20:59:59Z").value());
  EXPECT_FALSE(job.RunIfDue().has_value());
  EXPECT_TRUE(Reminders().empty());
  clock_.Set(ParseRfc3339("2026-11-29T21:00:00Z").value());
  auto ran = job.RunIfDue();
  ASSERT_TRUE(ran.has_value());
  ASSERT_TRUE(ran->ok()) << ran->status().ToString();
  EXPECT_EQ((*ran)->owners, 1);
  EXPECT_EQ(job.next_run(), ParseRfc3339("2026-11-30T21:00:00Z").value());
  EXPECT_FALSE(job.RunIfDue().has_value());
  // A day on, the job runs again; the owner reminded yesterday is not reminded twice.
  clock_.Set(ParseRfc3339("2026-11-30T21:00:00Z").value());
  ran = job.RunIfDue();
  ASSERT_TRUE(ran.has_value() && ran->ok());
  EXPECT_EQ((*ran)->owners, 0);
  EXPECT_EQ(Reminders().size(), 1u);
}

}  // namespace
}  // namespace herdpass
