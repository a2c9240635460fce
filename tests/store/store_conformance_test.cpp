// The store conformance suite: every Store implementation must pass it. Written against the Store
// interface only; backend-specific tests live in <backend>_store_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <latch>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "domain/sms_certificate.h"
#include "domain/sms_reminder.h"
#include "tests/store/store_test_support.h"

namespace herdpass::testing {
namespace {

// Every field of a stored certificate against what was given (or expected).
void ExpectSameCertificate(const Certificate& got, const Certificate& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.number, want.number);
  EXPECT_EQ(got.authority, want.authority);
  EXPECT_EQ(got.kid, want.kid);
  EXPECT_EQ(got.owner_id, want.owner_id);
  EXPECT_EQ(got.species, want.species);
  EXPECT_EQ(got.head_count, want.head_count);
  EXPECT_EQ(got.animal_ids, want.animal_ids);
  EXPECT_EQ(got.tags, want.tags);
  EXPECT_EQ(got.purpose, want.purpose);
  EXPECT_EQ(got.origin, want.origin);
  EXPECT_EQ(got.origin_place, want.origin_place);
  EXPECT_EQ(got.destination, want.destination);
  EXPECT_EQ(got.destination_place, want.destination_place);
  EXPECT_EQ(got.transport, want.transport);
  EXPECT_EQ(got.issued_at, want.issued_at);
  EXPECT_EQ(got.valid_until, want.valid_until);
  ASSERT_EQ(got.vaccinations.size(), want.vaccinations.size());
  for (size_t i = 0; i < want.vaccinations.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(got.vaccinations[i].record_id, want.vaccinations[i].record_id);
    EXPECT_EQ(got.vaccinations[i].disease, want.vaccinations[i].disease);
    EXPECT_EQ(got.vaccinations[i].administered_on, want.vaccinations[i].administered_on);
    EXPECT_EQ(got.vaccinations[i].batch_no, want.vaccinations[i].batch_no);
  }
  EXPECT_EQ(got.vet_id, want.vet_id);
  EXPECT_EQ(got.vet_name, want.vet_name);
  EXPECT_EQ(got.owner_masked_name, want.owner_masked_name);
  EXPECT_EQ(got.owner_phone_last4, want.owner_phone_last4);
  EXPECT_EQ(got.hp1, want.hp1);
  EXPECT_EQ(got.status, want.status);
  EXPECT_EQ(got.consumed_at, want.consumed_at);
  EXPECT_EQ(got.consumed_by, want.consumed_by);
  EXPECT_EQ(got.consumed_by_name, want.consumed_by_name);
  EXPECT_EQ(got.consumed_place, want.consumed_place);
  EXPECT_EQ(got.revoked_at, want.revoked_at);
  EXPECT_EQ(got.revoked_by, want.revoked_by);
  EXPECT_EQ(got.revoke_reason, want.revoke_reason);
}

template <typename Factory>
class StoreTest : public ::testing::Test {
 public:  // for the helpers outside the fixture (MakeTraceWorld)
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    auto opened = factory_.Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  Store& store() { return *store_; }

  Owner AddOwner(int64_t n, const std::string& authority = "KZ-ABY-01") {
    NewOwner o{Phone(n), "Owner " + std::to_string(n), "Village", authority, At(1000 + n)};
    auto r = store_->CreateOwner(o, MakeAudit("owner.create"));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Owner{};
  }

  Animal AddAnimal(int64_t owner_id, std::optional<std::string> tag, int32_t heads = 1) {
    NewAnimal a;
    a.owner_id = owner_id;
    a.tag = std::move(tag);
    a.species = "sheep";
    a.head_count = heads;
    a.sex = "f";
    a.birth_date = Day("2024-03-01");
    a.authority = "KZ-ABY-01";
    a.created_at = At(5000);
    auto r = store_->CreateAnimal(a, MakeAudit("animal.create"));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Animal{};
  }

  std::vector<RecordResult> Record(const std::vector<VaccinationInput>& records,
                                   const BatchContext& ctx = MakeContext()) {
    auto r = store_->RecordVaccinations(records, ctx, MakeAudit("vaccination.batch"));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<RecordResult>{};
  }

  // An owner (numbered n) with two tagged sheep and a flock, and a stored certificate for the
  // three of them.
  Certificate AddCertificate(int64_t n) {
    Owner o = AddOwner(n);
    Animal a = AddAnimal(o.id, Tag(2 * n));
    Animal b = AddAnimal(o.id, Tag(2 * n + 1));
    Animal flock = AddAnimal(o.id, std::nullopt, 30);
    Certificate c = MakeCertificate(n, o.id, {a.id, b.id, flock.id}, {Tag(2 * n), Tag(2 * n + 1)});
    Status s = store_->CreateCertificate(c, MakeAudit("certificate.issue"));
    EXPECT_TRUE(s.ok()) << s.ToString();
    return c;
  }

  // The certificate of AddCertificate (two tagged sheep and 30 of a flock, 32 head) leaving from a
  // farm of KZ-ABY-01 for a holding of `to_kind` in KZ-ALA-02; `n` numbers it.
  Certificate AddMovement(int64_t n, HoldingKind to_kind, Holding* to_out) {
    Holding from = AddHolding("F" + std::to_string(n), 48.1, 80.1);
    Holding to = AddHolding("T" + std::to_string(n), 43.2, 76.9, "KZ-ALA-02", to_kind);
    Owner o = AddOwner(n);
    Animal a = AddAnimal(o.id, Tag(2 * n));
    Animal b = AddAnimal(o.id, Tag(2 * n + 1));
    Animal flock = AddAnimal(o.id, std::nullopt, 30);
    Certificate c = MakeCertificate(n, o.id, {a.id, b.id, flock.id}, {Tag(2 * n), Tag(2 * n + 1)});
    c.origin_holding_id = from.id;
    c.destination_holding_id = to.id;
    Status s = store().CreateCertificate(c, MakeAudit("certificate.issue"));
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (to_out) *to_out = to;
    return c;
  }

  // A holding of `authority` with code `code` at (lat, lon), a farm of `owner_id` when given.
  Holding AddHolding(const std::string& code, double lat, double lon,
                     const std::string& authority = "KZ-ABY-01",
                     HoldingKind kind = HoldingKind::kFarm,
                     std::optional<int64_t> owner_id = std::nullopt) {
    auto r = store_->CreateHolding(MakeHolding(code, lat, lon, authority, kind, owner_id),
                                   MakeAudit("holding.create"));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Holding{};
  }

  static Holding MakeHolding(const std::string& code, double lat, double lon,
                             const std::string& authority, HoldingKind kind,
                             std::optional<int64_t> owner_id) {
    Holding h;
    h.code = code;
    h.kind = kind;
    h.name = "Holding " + code;
    h.authority = authority;
    h.owner_id = owner_id;
    h.owner_masked_name = owner_id ? "O**** 1" : "";
    h.lat = lat;
    h.lon = lon;
    h.opened_on = Day("2020-05-01");
    h.created_at = At(7000);
    return h;
  }

  std::vector<int64_t> ListIds(const HoldingListQuery& q) {
    auto r = store_->ListHoldings(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<int64_t> ids;
    if (r.ok()) {
      for (const HoldingListItem& item : *r) ids.push_back(item.holding.id);
    }
    return ids;
  }

  int64_t AuditRows() { return Counts().audit_rows; }
  // The audit rows of `action`; -1 when the log cannot be read.
  int64_t AuditRowsOf(const std::string& action) {
    auto rows = store_->ListAudit({});
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? std::count_if(rows->begin(), rows->end(),
                                     [&](const AuditRow& r) { return r.entry.action == action; })
                     : -1;
  }

  StoreCounts Counts() {
    auto c = store_->Counts();
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : StoreCounts{};
  }

  Factory factory_;
  std::unique_ptr<Store> store_;
};

// The PostgreSQL factory stays second: CTest gives its instance (StoreTest/1.*) the `postgres`
// fixture (tests/store/CMakeLists.txt); out of place, its tests would fail for want of a server.
// CTest names each test after its factory, e.g.
// StoreTest.CreateOwnerThenFindByIdAndPhone<herdpass::testing::PostgresStoreFactory>.
using StoreFactories = ::testing::Types<SqliteStoreFactory, PostgresStoreFactory>;
TYPED_TEST_SUITE(StoreTest, StoreFactories);

// --- owners ---

TYPED_TEST(StoreTest, CreateOwnerThenFindByIdAndPhone) {
  NewOwner o{"+77012345678", "Aigerim", "Kokpekty", "KZ-ABY-01", At(123456)};
  auto created = this->store().CreateOwner(o, MakeAudit("owner.create"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_GT(created->id, 0);
  for (auto found :
       {this->store().FindOwnerById(created->id), this->store().FindOwnerByPhone("+77012345678")}) {
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    EXPECT_EQ(found->id, created->id);
    EXPECT_EQ(found->phone, "+77012345678");
    EXPECT_EQ(found->name, "Aigerim");
    EXPECT_EQ(found->village, "Kokpekty");
    EXPECT_EQ(found->authority, "KZ-ABY-01");
    EXPECT_EQ(found->created_at, At(123456));
  }
}

TYPED_TEST(StoreTest, CreateOwnerWithKnownPhoneIsAlreadyExistsWithItsId) {
  Owner first = this->AddOwner(1);
  NewOwner again{Phone(1), "Someone else", "", "KZ-ABY-01", At(1)};
  auto r = this->store().CreateOwner(again, MakeAudit("owner.create"));
  ASSERT_TRUE(HasCode(r.status(), StatusCode::kAlreadyExists));
  EXPECT_EQ(r.status().detail(), std::to_string(first.id));
  EXPECT_EQ(this->Counts().owners, 1);
}

TYPED_TEST(StoreTest, MissingOwnerIsNotFound) {
  EXPECT_TRUE(HasCode(this->store().FindOwnerById(42).status(), StatusCode::kNotFound));
  EXPECT_TRUE(
      HasCode(this->store().FindOwnerByPhone("+77010000000").status(), StatusCode::kNotFound));
}

// The lookups' kNotFound messages reach users as they are (a problem's `detail`): every backend
// and every call that looks the row up says the same words.
TYPED_TEST(StoreTest, NotFoundMessagesAreTheSameWhicheverCallFindsTheRowMissing) {
  auto expect = [](const Status& s, const std::string& message) {
    EXPECT_TRUE(HasCode(s, StatusCode::kNotFound)) << message;
    EXPECT_EQ(s.message(), message);
  };
  Store& store = this->store();
  const std::string no_owner = "no such owner";
  const std::string no_phone = "no owner with this phone number";
  expect(store.FindOwnerById(42).status(), no_owner);
  expect(store.LoadOwnerHistory(42, Day("2020-01-01")).status(), no_owner);
  expect(store
             .CreateAnimal(
                 {42, Tag(1), "sheep", 1, "", std::nullopt, "KZ-ABY-01", At(1), std::nullopt},
                 MakeAudit("animal.create"))
             .status(),
         no_owner);
  expect(store.FindOwnerByPhone("+77010000000").status(), no_phone);
  expect(store.LoadOwnerHistoryByPhone("+77010000000", Day("2020-01-01")).status(), no_phone);
  expect(store.FindAnimalByTag(Tag(1)).status(), "no animal with this tag");

  const std::string no_record = "no such vaccination record";
  expect(store.FindVaccination(Uuid(5)).status(), no_record);
  expect(store.FindVaccination("xyz").status(), no_record);
  expect(store.VoidVaccination(Uuid(5), "typo", At(9), MakeAudit("void")), no_record);

  const std::string no_user = "no such user";
  expect(store.FindUserByName("nobody").status(), no_user);
  expect(store.FindUserById(42).status(), no_user);
  expect(store.SetUserDisabled("nobody", true, MakeAudit("user.disable")), no_user);
  expect(store.SetUserPassword("nobody", "$argon2id$x", MakeAudit("user.password")), no_user);

  const std::string no_certificate = "no such certificate";
  expect(store.FindCertificate(Uuid(1)).status(), no_certificate);
  expect(store.FindCertificateByNumber("KZ-ABY-01-20260601-ZZZZZZZZ").status(), no_certificate);
  expect(store
             .ConsumeCertificate(Uuid(1), Consumption{7, "Inspector", "Market", At(9)},
                                 MakeAudit("certificate.consume"))
             .status(),
         no_certificate);
  expect(
      store.RevokeCertificate(Uuid(1), 7, "error", At(9), MakeAudit("certificate.revoke")).status(),
      no_certificate);

  // A record naming an owner id that does not exist is rejected with the same words, on its field.
  VaccinationInput in = MakeRecord(1, "", {Tag(1)});
  in.owner_id = 12345;
  auto results = this->Record({in});
  ASSERT_EQ(results.size(), 1u);
  expect(results[0].reason, no_owner);
  EXPECT_EQ(results[0].reason.field(), "owner_id");
  EXPECT_EQ(this->Counts().audit_rows, 1);  // the batch's own row; no failed call wrote one
}

// --- animals ---

TYPED_TEST(StoreTest, CreateAnimalThenFindByTag) {
  Owner o = this->AddOwner(1);
  Animal a = this->AddAnimal(o.id, Tag(1));
  auto found = this->store().FindAnimalByTag(Tag(1));
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, a.id);
  EXPECT_EQ(found->owner_id, o.id);
  EXPECT_EQ(found->tag, Tag(1));
  EXPECT_EQ(found->species, "sheep");
  EXPECT_EQ(found->head_count, 1);
  EXPECT_EQ(found->sex, "f");
  EXPECT_EQ(found->birth_date, Day("2024-03-01"));
  EXPECT_EQ(found->authority, "KZ-ABY-01");
  EXPECT_EQ(found->created_at, At(5000));
  EXPECT_FALSE(found->is_flock());
}

TYPED_TEST(StoreTest, CreateAnimalWithKnownTagIsAlreadyExistsWithItsId) {
  Owner o = this->AddOwner(1);
  Animal a = this->AddAnimal(o.id, Tag(1));
  NewAnimal again{o.id, Tag(1), "sheep", 1, "", std::nullopt, "KZ-ABY-01", At(1), std::nullopt};
  auto r = this->store().CreateAnimal(again, MakeAudit("animal.create"));
  ASSERT_TRUE(HasCode(r.status(), StatusCode::kAlreadyExists));
  EXPECT_EQ(r.status().detail(), std::to_string(a.id));
}

TYPED_TEST(StoreTest, CreateAnimalForMissingOwnerIsNotFound) {
  NewAnimal a{999, Tag(1), "sheep", 1, "", std::nullopt, "KZ-ABY-01", At(1), std::nullopt};
  auto r = this->store().CreateAnimal(a, MakeAudit("animal.create"));
  EXPECT_TRUE(HasCode(r.status(), StatusCode::kNotFound));
  EXPECT_EQ(this->Counts().animals, 0);
}

TYPED_TEST(StoreTest, FlocksHaveNoTagAndMayBeMany) {
  Owner o = this->AddOwner(1);
  Animal f1 = this->AddAnimal(o.id, std::nullopt, 40);
  Animal f2 = this->AddAnimal(o.id, std::nullopt, 12);
  EXPECT_NE(f1.id, f2.id);
  EXPECT_TRUE(f1.is_flock());
  EXPECT_EQ(this->Counts().animals, 2);
  EXPECT_TRUE(HasCode(this->store().FindAnimalByTag(Tag(5)).status(), StatusCode::kNotFound));
}

// --- vaccinations ---

TYPED_TEST(StoreTest, RecordCreatesOwnerAnimalsAndRecord) {
  // The record corrects a voided record of the same owner.
  ASSERT_EQ(this->Record({MakeRecord(999, Phone(1), {Tag(1)})})[0].outcome,
            RecordOutcome::kCreated);
  ASSERT_TRUE(this->store().VoidVaccination(Uuid(999), "typo", At(1), MakeAudit("void")).ok());
  VaccinationInput in = MakeRecord(1, Phone(1), {Tag(1), Tag(2)});
  in.corrects = Uuid(999);
  auto results = this->Record({in});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].id, Uuid(1));
  EXPECT_EQ(results[0].outcome, RecordOutcome::kCreated) << results[0].reason.ToString();
  EXPECT_TRUE(results[0].reason.ok());

  auto owner = this->store().FindOwnerByPhone(Phone(1));
  ASSERT_TRUE(owner.ok()) << owner.status().ToString();
  EXPECT_EQ(owner->id, results[0].owner_id);
  EXPECT_EQ(owner->name, "Owner of " + Phone(1));
  EXPECT_EQ(owner->authority, "KZ-ABY-01");  // ctx.authority

  auto a1 = this->store().FindAnimalByTag(Tag(1));
  auto a2 = this->store().FindAnimalByTag(Tag(2));
  ASSERT_TRUE(a1.ok() && a2.ok());
  EXPECT_EQ(a1->owner_id, owner->id);
  EXPECT_EQ(a1->species, "cattle");

  auto v = this->store().FindVaccination(Uuid(1));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->id, Uuid(1));
  EXPECT_EQ(v->owner_id, owner->id);
  EXPECT_EQ(v->animal_ids, (std::vector<int64_t>{a1->id, a2->id}));
  EXPECT_EQ(v->species, "cattle");
  EXPECT_EQ(v->head_count, 2);
  EXPECT_EQ(v->disease, "FMD-O");
  EXPECT_EQ(v->vaccine, "FMD-OA-INACT");
  EXPECT_EQ(v->batch_no, "B-2026-1");
  EXPECT_EQ(v->dose_ml, 2.0);
  EXPECT_EQ(v->administered_on, Day("2026-05-10"));
  EXPECT_EQ(v->lat, 43.25);
  EXPECT_EQ(v->lon, 76.95);
  EXPECT_EQ(v->device_id, "phone-1");
  EXPECT_EQ(v->recorded_by, 7);
  EXPECT_EQ(v->recorded_at, MakeContext().at);
  EXPECT_EQ(v->authority, "KZ-ABY-01");
  EXPECT_FALSE(v->voided);
  EXPECT_FALSE(v->voided_at.has_value());
  EXPECT_EQ(v->corrects, Uuid(999));

  StoreCounts c = this->Counts();
  EXPECT_EQ(c.owners, 1);
  EXPECT_EQ(c.animals, 2);
  EXPECT_EQ(c.vaccinations, 2);
}

TYPED_TEST(StoreTest, RecordWithoutOptionalFieldsRoundTrips) {
  VaccinationInput in = MakeRecord(1, Phone(1), {Tag(1)});
  in.dose_ml.reset();
  in.lat.reset();
  in.lon.reset();
  in.device_id.clear();
  ASSERT_EQ(this->Record({in})[0].outcome, RecordOutcome::kCreated);
  auto v = this->store().FindVaccination(Uuid(1));
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->dose_ml.has_value());
  EXPECT_FALSE(v->lat.has_value());
  EXPECT_FALSE(v->lon.has_value());
  EXPECT_EQ(v->device_id, "");
  EXPECT_EQ(v->corrects, "");
}

TYPED_TEST(StoreTest, RecordFindsExistingOwnerByIdOrPhoneAndExistingTags) {
  Owner o = this->AddOwner(1);
  Animal a = this->AddAnimal(o.id, Tag(1));  // a sheep
  VaccinationInput by_phone = MakeRecord(1, Phone(1), {Tag(1)});
  by_phone.species = "sheep";
  VaccinationInput by_id = MakeRecord(2, "", {Tag(1)});
  by_id.species = "sheep";
  by_id.owner_id = o.id;
  auto results = this->Record({by_phone, by_id});
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    EXPECT_EQ(r.outcome, RecordOutcome::kCreated) << r.reason.ToString();
    EXPECT_EQ(r.owner_id, o.id);
  }
  EXPECT_EQ(this->store().FindVaccination(Uuid(2))->animal_ids, std::vector<int64_t>{a.id});
  EXPECT_EQ(this->Counts().owners, 1);
  EXPECT_EQ(this->Counts().animals, 1);
}

TYPED_TEST(StoreTest, DuplicateIdWithinOneCallIsStoredOnce) {
  VaccinationInput first = MakeRecord(1, Phone(1), {Tag(1)});
  VaccinationInput second = MakeRecord(1, Phone(2), {Tag(2)});  // same id, other content
  auto results = this->Record({first, second});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].outcome, RecordOutcome::kCreated);
  EXPECT_EQ(results[1].outcome, RecordOutcome::kDuplicate);
  EXPECT_EQ(results[1].owner_id, results[0].owner_id);
  EXPECT_EQ(this->Counts().vaccinations, 1);
  EXPECT_TRUE(HasCode(this->store().FindOwnerByPhone(Phone(2)).status(), StatusCode::kNotFound));
}

TYPED_TEST(StoreTest, DuplicateIdAcrossCallsIsDuplicateWhateverItsContent) {
  auto first = this->Record({MakeRecord(1, Phone(1), {Tag(1)})});
  VaccinationInput changed = MakeRecord(1, Phone(1), {Tag(1)});
  changed.disease = "PPR";
  auto again = this->Record({changed, MakeRecord(2, Phone(1), {Tag(1)})});
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].outcome, RecordOutcome::kDuplicate);
  EXPECT_EQ(again[0].owner_id, first[0].owner_id);
  EXPECT_EQ(again[1].outcome, RecordOutcome::kCreated);
  EXPECT_EQ(this->store().FindVaccination(Uuid(1))->disease, "FMD-O");
  EXPECT_EQ(this->Counts().vaccinations, 2);
}

// The W2 answer cache is keyed by the owner's revision: each stored record raises it, on both
// backends (PostgreSQL's batch has a port of its own), and a duplicate or rejected one does not.
TYPED_TEST(StoreTest, EachStoredRecordRaisesItsOwnersRevision) {
  Owner owner = this->AddOwner(1);
  auto before = this->store().FindOwnerRevisionByPhone(Phone(1));
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  auto results =
      this->Record({MakeRecord(1, Phone(1), {Tag(1)}), MakeRecord(2, Phone(1), {Tag(1)})});
  ASSERT_EQ(results.size(), 2u);
  ASSERT_EQ(results[1].outcome, RecordOutcome::kCreated);
  auto after = this->store().FindOwnerRevisionByPhone(Phone(1));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->owner_id, owner.id);
  EXPECT_GT(after->revision, before->revision);
  ASSERT_EQ(this->Record({MakeRecord(1, Phone(1), {Tag(1)})})[0].outcome,
            RecordOutcome::kDuplicate);
  auto again = this->store().FindOwnerRevisionByPhone(Phone(1));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->revision, after->revision);
}

TYPED_TEST(StoreTest, TagOfAnotherOwnerIsRejectedAndLeavesNothing) {
  Owner other = this->AddOwner(1);
  this->AddAnimal(other.id, Tag(1));
  // A new owner with a fresh tag and a tag of someone else: neither the owner nor the fresh tag
  // stay.
  auto results = this->Record({MakeRecord(1, Phone(2), {Tag(2), Tag(1)})});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, RecordOutcome::kRejected);
  EXPECT_TRUE(HasCode(results[0].reason, StatusCode::kFailedPrecondition));
  EXPECT_TRUE(HasCode(this->store().FindOwnerByPhone(Phone(2)).status(), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(this->store().FindAnimalByTag(Tag(2)).status(), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(this->store().FindVaccination(Uuid(1)).status(), StatusCode::kNotFound));
  StoreCounts c = this->Counts();
  EXPECT_EQ(c.owners, 1);
  EXPECT_EQ(c.animals, 1);
  EXPECT_EQ(c.vaccinations, 0);
}

TYPED_TEST(StoreTest, OwnerOutsideScopeIsRejectedOthersInBatchStored) {
  Owner far = this->AddOwner(1, "KZ-VOS-02");
  VaccinationInput outside = MakeRecord(1, Phone(1), {Tag(1)});
  VaccinationInput inside = MakeRecord(2, Phone(2), {Tag(2)});
  auto results = this->Record({outside, inside}, MakeContext("KZ-ABY"));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].outcome, RecordOutcome::kRejected);
  EXPECT_TRUE(HasCode(results[0].reason, StatusCode::kPermissionDenied));
  EXPECT_EQ(results[1].outcome, RecordOutcome::kCreated);
  EXPECT_TRUE(HasCode(this->store().FindAnimalByTag(Tag(1)).status(), StatusCode::kNotFound));
  EXPECT_EQ(this->Counts().vaccinations, 1);
  (void)far;
}

TYPED_TEST(StoreTest, UnknownOwnerIdIsRejectedNotFound) {
  VaccinationInput in = MakeRecord(1, "", {Tag(1)});
  in.owner_id = 12345;
  auto results = this->Record({in});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, RecordOutcome::kRejected);
  EXPECT_TRUE(HasCode(results[0].reason, StatusCode::kNotFound));
  EXPECT_EQ(this->Counts().animals, 0);
}

TYPED_TEST(StoreTest, FlockRecordsShareTheOwnersFlockAndRaiseItsHeadCount) {
  VaccinationInput a = MakeRecord(1, Phone(1));
  a.species = "sheep";
  a.head_count = 30;
  VaccinationInput b = MakeRecord(2, Phone(1));
  b.species = "sheep";
  b.head_count = 45;
  VaccinationInput c = MakeRecord(3, Phone(1));
  c.species = "sheep";
  c.head_count = 10;
  VaccinationInput goats = MakeRecord(4, Phone(1));
  goats.species = "goat";
  goats.head_count = 8;
  auto results = this->Record({a, b, c, goats});
  for (const auto& r : results) EXPECT_EQ(r.outcome, RecordOutcome::kCreated);

  auto history = this->store().LoadOwnerHistory(results[0].owner_id, Day("2020-01-01"));
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->animals.size(), 2u);
  const Animal& sheep = history->animals[0];
  EXPECT_TRUE(sheep.is_flock());
  EXPECT_EQ(sheep.species, "sheep");
  EXPECT_EQ(sheep.head_count, 45);
  EXPECT_EQ(history->animals[1].species, "goat");
  EXPECT_EQ(history->animals[1].head_count, 8);
  auto vc = this->store().FindVaccination(Uuid(3));
  EXPECT_EQ(vc->animal_ids, std::vector<int64_t>{sheep.id});
  EXPECT_EQ(vc->head_count, 10);
}

// W2 and issuance read an owner by phone with its history in one call, in one snapshot: what
// LoadOwnerHistory reads by id, and kNotFound for an unknown phone.
TYPED_TEST(StoreTest, LoadOwnerHistoryByPhoneReadsTheOwnersHistory) {
  Owner o = this->AddOwner(1);
  this->AddOwner(2);
  VaccinationInput early = MakeRecord(1, Phone(1), {Tag(1)});
  early.administered_on = Day("2024-03-01");
  VaccinationInput flock = MakeRecord(2, Phone(1));
  VaccinationInput other = MakeRecord(3, Phone(2), {Tag(2)});
  for (const auto& r : this->Record({early, flock, other})) {
    ASSERT_EQ(r.outcome, RecordOutcome::kCreated) << r.reason.ToString();
  }

  auto by_phone = this->store().LoadOwnerHistoryByPhone(Phone(1), Day("2020-01-01"));
  ASSERT_TRUE(by_phone.ok()) << by_phone.status().ToString();
  EXPECT_EQ(by_phone->owner.id, o.id);
  EXPECT_EQ(by_phone->owner.phone, Phone(1));
  EXPECT_EQ(by_phone->owner.name, o.name);
  EXPECT_EQ(by_phone->owner.authority, o.authority);
  auto by_id = this->store().LoadOwnerHistory(o.id, Day("2020-01-01"));
  ASSERT_TRUE(by_id.ok()) << by_id.status().ToString();
  ASSERT_EQ(by_phone->animals.size(), 2u);
  ASSERT_EQ(by_id->animals.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(by_phone->animals[i].id, by_id->animals[i].id);
    EXPECT_EQ(by_phone->animals[i].owner_id, o.id);
  }
  ASSERT_EQ(by_phone->vaccinations.size(), 2u);
  EXPECT_EQ(by_phone->vaccinations[0].id, Uuid(2));  // newest first
  EXPECT_EQ(by_phone->vaccinations[1].id, Uuid(1));

  // `since` bounds the records as it does by id.
  auto recent = this->store().LoadOwnerHistoryByPhone(Phone(1), Day("2025-01-01"));
  ASSERT_TRUE(recent.ok()) << recent.status().ToString();
  ASSERT_EQ(recent->vaccinations.size(), 1u);
  EXPECT_EQ(recent->vaccinations[0].id, Uuid(2));
  EXPECT_EQ(recent->animals.size(), 2u);

  auto unknown = this->store().LoadOwnerHistoryByPhone(Phone(9), Day("2020-01-01"));
  EXPECT_TRUE(HasCode(unknown.status(), StatusCode::kNotFound));
}

// Regression: rows a batch created carried the recorder's authority, so that a record made by a
// district vet for an owner of a neighbouring district was invisible to that district.
TYPED_TEST(StoreTest, NewAnimalsFlocksAndRecordsTakeTheOwnersAuthority) {
  Owner o = this->AddOwner(1, "KZ-ABY-02");
  VaccinationInput tagged = MakeRecord(1, Phone(1), {Tag(1)});
  VaccinationInput flock = MakeRecord(2, Phone(1));
  flock.species = "goat";
  VaccinationInput new_owner = MakeRecord(3, Phone(2), {Tag(2)});
  BatchContext ctx = MakeContext("KZ-ABY");  // a recorder of KZ-ABY-01
  auto results = this->Record({tagged, flock, new_owner}, ctx);
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results)
    EXPECT_EQ(r.outcome, RecordOutcome::kCreated) << r.reason.ToString();

  auto history = this->store().LoadOwnerHistory(o.id, Day("2020-01-01"));
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->animals.size(), 2u);
  for (const Animal& a : history->animals) EXPECT_EQ(a.authority, "KZ-ABY-02");
  ASSERT_EQ(history->vaccinations.size(), 2u);
  for (const Vaccination& v : history->vaccinations) EXPECT_EQ(v.authority, "KZ-ABY-02");

  // An owner the batch creates takes the batch's authority, and so does everything under it.
  auto created = this->store().FindOwnerByPhone(Phone(2));
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->authority, ctx.authority);
  EXPECT_EQ(this->store().FindAnimalByTag(Tag(2))->authority, ctx.authority);
  EXPECT_EQ(this->store().FindVaccination(Uuid(3))->authority, ctx.authority);
}

// Regression: re-sending an id stored in another jurisdiction answered `duplicate` with that
// jurisdiction's owner id.
TYPED_TEST(StoreTest, DuplicateIdOfAnotherJurisdictionIsRejectedWithoutItsOwner) {
  BatchContext far = MakeContext("KZ-VOS");
  far.authority = "KZ-VOS-02";
  auto first = this->Record({MakeRecord(1, Phone(1), {Tag(1)})}, far);
  ASSERT_EQ(first[0].outcome, RecordOutcome::kCreated);
  const int64_t far_owner = first[0].owner_id;

  auto again = this->Record({MakeRecord(1, Phone(2), {Tag(2)})}, MakeContext("KZ-ABY"));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].outcome, RecordOutcome::kRejected);
  EXPECT_TRUE(HasCode(again[0].reason, StatusCode::kPermissionDenied));
  EXPECT_EQ(again[0].reason.message(), "a record with this id exists in another jurisdiction");
  EXPECT_EQ(again[0].reason.field(), "id");
  EXPECT_EQ(again[0].reason.detail(), "");
  EXPECT_EQ(again[0].owner_id, 0);
  // Nothing of the rejected record was stored.
  EXPECT_TRUE(HasCode(this->store().FindOwnerByPhone(Phone(2)).status(), StatusCode::kNotFound));

  // Its own jurisdiction (or a scope above it) and the operator's console still see a duplicate.
  BatchContext above = MakeContext("KZ");
  BatchContext console = MakeContext("");
  console.unrestricted = true;
  for (const BatchContext& ctx : {far, above, console}) {
    auto dup = this->Record({MakeRecord(1, Phone(1), {Tag(1)})}, ctx);
    EXPECT_EQ(dup[0].outcome, RecordOutcome::kDuplicate) << ctx.scope;
    EXPECT_EQ(dup[0].owner_id, far_owner) << ctx.scope;
  }
  EXPECT_EQ(this->Counts().vaccinations, 1);
}

TYPED_TEST(StoreTest, TagOfAnotherSpeciesIsRejectedOnSpecies) {
  Owner o = this->AddOwner(1);
  this->AddAnimal(o.id, Tag(1));  // a sheep
  VaccinationInput in = MakeRecord(1, Phone(1), {Tag(2), Tag(1)});
  in.species = "cattle";
  auto results = this->Record({in});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, RecordOutcome::kRejected);
  EXPECT_TRUE(HasCode(results[0].reason, StatusCode::kInvalidArgument));
  EXPECT_EQ(results[0].reason.field(), "species");
  EXPECT_EQ(results[0].reason.message(),
            "the animal with tag " + Tag(1) + " is a sheep, not a cattle");
  EXPECT_EQ(results[0].owner_id, 0);
  // The fresh tag created before the mismatch was found is gone with the record.
  EXPECT_TRUE(HasCode(this->store().FindAnimalByTag(Tag(2)).status(), StatusCode::kNotFound));
  EXPECT_EQ(this->Counts().animals, 1);
  EXPECT_EQ(this->Counts().vaccinations, 0);
}

TYPED_TEST(StoreTest, CorrectionMustNameAVoidedRecordOfTheSameOwner) {
  auto setup = this->Record({MakeRecord(1, Phone(1), {Tag(1)}), MakeRecord(2, Phone(1), {Tag(1)}),
                             MakeRecord(3, Phone(2), {Tag(2)})});
  for (const auto& r : setup) ASSERT_EQ(r.outcome, RecordOutcome::kCreated);
  ASSERT_TRUE(this->store().VoidVaccination(Uuid(2), "typo", At(1), MakeAudit("void")).ok());
  ASSERT_TRUE(this->store().VoidVaccination(Uuid(3), "typo", At(1), MakeAudit("void")).ok());

  auto correcting = [](int64_t n, const std::string& phone, int64_t corrected) {
    VaccinationInput in = MakeRecord(n, phone, {});
    in.corrects = Uuid(corrected);
    return in;
  };
  auto results = this->Record({
      correcting(10, Phone(1), 99),  // no such record
      correcting(11, Phone(1), 1),   // not voided
      correcting(12, Phone(1), 3),   // voided, but the record of another owner
      correcting(13, Phone(3), 2),   // a new owner cannot own the corrected record
      correcting(14, Phone(1), 2),   // voided, same owner
  });
  ASSERT_EQ(results.size(), 5u);
  const char* why[] = {
      "the corrected record does not exist",
      "the corrected record is not voided; void it before recording its correction",
      "the corrected record belongs to another owner",
      "the corrected record belongs to another owner",
  };
  for (size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(results[i].outcome, RecordOutcome::kRejected);
    EXPECT_TRUE(HasCode(results[i].reason, StatusCode::kFailedPrecondition));
    EXPECT_EQ(results[i].reason.field(), "corrects");
    EXPECT_EQ(results[i].reason.message(), why[i]);
    EXPECT_EQ(results[i].owner_id, 0);
  }
  EXPECT_EQ(results[4].outcome, RecordOutcome::kCreated) << results[4].reason.ToString();
  EXPECT_EQ(this->store().FindVaccination(Uuid(14))->corrects, Uuid(2));
  EXPECT_TRUE(HasCode(this->store().FindOwnerByPhone(Phone(3)).status(), StatusCode::kNotFound));
  EXPECT_EQ(this->Counts().vaccinations, 4);
}

// service/ prefixes a rejection's field with the record's place ("records[3].species"), so the
// store names the plain field; and no rejection tells another jurisdiction's ids.
TYPED_TEST(StoreTest, RejectionsNameThePlainFieldAndNoOtherJurisdictionsIds) {
  Owner far = this->AddOwner(1, "KZ-VOS-02");
  Owner near = this->AddOwner(2);
  this->AddAnimal(far.id, Tag(1));
  VaccinationInput bad_id = MakeRecord(1, Phone(2), {Tag(2)});
  bad_id.id = "not-a-uuid";
  VaccinationInput bad_corrects = MakeRecord(2, Phone(2), {Tag(2)});
  bad_corrects.corrects = "nope";
  VaccinationInput far_by_phone = MakeRecord(3, Phone(1), {Tag(3)});
  VaccinationInput far_by_id = MakeRecord(4, "", {Tag(3)});
  far_by_id.owner_id = far.id;
  VaccinationInput unknown_owner = MakeRecord(5, "", {Tag(3)});
  unknown_owner.owner_id = far.id + near.id + 100;
  VaccinationInput no_owner = MakeRecord(6, "", {Tag(3)});
  VaccinationInput far_tag = MakeRecord(7, Phone(2), {Tag(1)});
  far_tag.species = "sheep";
  VaccinationInput no_heads = MakeRecord(8, Phone(2));
  no_heads.head_count = 0;
  auto results = this->Record(
      {bad_id, bad_corrects, far_by_phone, far_by_id, unknown_owner, no_owner, far_tag, no_heads},
      MakeContext("KZ-ABY"));
  ASSERT_EQ(results.size(), 8u);
  const std::pair<StatusCode, const char*> expected[] = {
      {StatusCode::kInvalidArgument, "id"},
      {StatusCode::kInvalidArgument, "corrects"},
      {StatusCode::kPermissionDenied, "owner_phone"},
      {StatusCode::kPermissionDenied, "owner_id"},
      {StatusCode::kNotFound, "owner_id"},
      {StatusCode::kInvalidArgument, "owner_phone"},
      {StatusCode::kFailedPrecondition, "animal_tags"},
      {StatusCode::kInvalidArgument, "head_count"},
  };
  for (size_t i = 0; i < results.size(); ++i) {
    SCOPED_TRACE(i);
    const RecordResult& r = results[i];
    EXPECT_EQ(r.outcome, RecordOutcome::kRejected);
    EXPECT_TRUE(HasCode(r.reason, expected[i].first));
    EXPECT_EQ(r.reason.field(), expected[i].second);
    EXPECT_EQ(r.owner_id, 0);
    EXPECT_EQ(r.reason.detail(), "");
    // No number in the message is the other jurisdiction's owner id (an ear tag may be named).
    std::vector<std::string> numbers(1);
    for (char c : r.reason.message()) {
      if (std::isdigit(static_cast<unsigned char>(c))) {
        numbers.back() += c;
      } else if (!numbers.back().empty()) {
        numbers.emplace_back();
      }
    }
    EXPECT_EQ(std::count(numbers.begin(), numbers.end(), std::to_string(far.id)), 0)
        << r.reason.message();
  }
  EXPECT_EQ(this->Counts().vaccinations, 0);
}

TYPED_TEST(StoreTest, VoidKeepsTheRecordAndRefusesASecondVoid) {
  this->Record({MakeRecord(1, Phone(1), {Tag(1)})});
  Status s = this->store().VoidVaccination(Uuid(1), "wrong batch", At(777), MakeAudit("void"));
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto v = this->store().FindVaccination(Uuid(1));
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->voided);
  EXPECT_EQ(v->void_reason, "wrong batch");
  EXPECT_EQ(v->voided_at, At(777));
  EXPECT_TRUE(HasCode(this->store().VoidVaccination(Uuid(1), "again", At(778), MakeAudit("void")),
                      StatusCode::kFailedPrecondition));
  EXPECT_TRUE(HasCode(this->store().VoidVaccination(Uuid(2), "none", At(778), MakeAudit("void")),
                      StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(this->store().VoidVaccination("not-a-uuid", "x", At(1), MakeAudit("void")),
                      StatusCode::kNotFound));
  EXPECT_EQ(this->store().FindVaccination(Uuid(1))->void_reason, "wrong batch");
  EXPECT_EQ(this->Counts().vaccinations, 1);
}

TYPED_TEST(StoreTest, FindVaccinationOfUnknownIdIsNotFound) {
  EXPECT_TRUE(HasCode(this->store().FindVaccination(Uuid(5)).status(), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(this->store().FindVaccination("xyz").status(), StatusCode::kNotFound));
}

TYPED_TEST(StoreTest, OwnerHistoryHasAnimalsAndRecordsSinceNewestFirst) {
  Owner o = this->AddOwner(1);
  Owner other = this->AddOwner(2);
  std::vector<VaccinationInput> batch;
  const char* dates[] = {"2022-01-15", "2023-06-01", "2025-02-28", "2024-11-30", "2023-06-01"};
  for (int i = 0; i < 5; ++i) {
    VaccinationInput in = MakeRecord(10 + i, Phone(1), {Tag(1)});
    in.administered_on = Day(dates[i]);
    batch.push_back(in);
  }
  batch.push_back(MakeRecord(50, Phone(2), {Tag(2)}));  // someone else's
  this->Record(batch);
  ASSERT_TRUE(this->store().VoidVaccination(Uuid(13), "typo", At(9), MakeAudit("void")).ok());
  this->AddAnimal(o.id, std::nullopt, 20);

  auto h = this->store().LoadOwnerHistory(o.id, Day("2023-06-01"));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->owner.id, o.id);
  EXPECT_EQ(h->owner.phone, Phone(1));
  ASSERT_EQ(h->animals.size(), 2u);
  EXPECT_EQ(h->animals[0].tag, Tag(1));
  EXPECT_TRUE(h->animals[1].is_flock());
  ASSERT_EQ(h->vaccinations.size(), 4u);
  EXPECT_EQ(h->vaccinations[0].administered_on, Day("2025-02-28"));
  EXPECT_EQ(h->vaccinations[1].administered_on, Day("2024-11-30"));
  EXPECT_TRUE(h->vaccinations[1].voided);  // voided records are included
  EXPECT_EQ(h->vaccinations[2].administered_on, Day("2023-06-01"));
  EXPECT_EQ(h->vaccinations[3].administered_on, Day("2023-06-01"));
  for (const auto& v : h->vaccinations) EXPECT_EQ(v.owner_id, o.id);
  (void)other;
}

TYPED_TEST(StoreTest, OwnerHistoryOfUnknownOwnerIsNotFound) {
  EXPECT_TRUE(HasCode(this->store().LoadOwnerHistory(77, Day("2020-01-01")).status(),
                      StatusCode::kNotFound));
}

TYPED_TEST(StoreTest, EmptyBatchCommitsOnlyItsAuditRow) {
  auto r = this->store().RecordVaccinations({}, MakeContext(), MakeAudit("vaccination.batch"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(this->Counts().audit_rows, 1);
}

// --- users, tokens, authorities ---

TYPED_TEST(StoreTest, UsersCreateFindListDisableAndChangePassword) {
  NewUser u{"vet.aliya", "$argon2id$hash1", Role::kVet, "KZ-ABY", At(42)};
  auto created = this->store().CreateUser(u, MakeAudit("user.create"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto again = this->store().CreateUser(u, MakeAudit("user.create"));
  ASSERT_TRUE(HasCode(again.status(), StatusCode::kAlreadyExists));
  EXPECT_EQ(again.status().detail(), std::to_string(created->id));
  ASSERT_TRUE(this->store()
                  .CreateUser({"insp", "$h", Role::kInspector, "KZ", At(43)}, MakeAudit("u"))
                  .ok());

  auto by_name = this->store().FindUserByName("vet.aliya");
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(by_name->id, created->id);
  EXPECT_EQ(by_name->password_hash, "$argon2id$hash1");
  EXPECT_EQ(by_name->role, Role::kVet);
  EXPECT_EQ(by_name->authority, "KZ-ABY");
  EXPECT_FALSE(by_name->disabled);
  EXPECT_EQ(by_name->created_at, At(42));
  EXPECT_EQ(this->store().FindUserById(created->id)->username, "vet.aliya");

  auto all = this->store().ListUsers();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].username, "vet.aliya");
  EXPECT_EQ((*all)[1].role, Role::kInspector);

  ASSERT_TRUE(this->store().SetUserDisabled("vet.aliya", true, MakeAudit("user.disable")).ok());
  EXPECT_TRUE(this->store().FindUserByName("vet.aliya")->disabled);
  ASSERT_TRUE(this->store().SetUserDisabled("vet.aliya", false, MakeAudit("user.enable")).ok());
  EXPECT_FALSE(this->store().FindUserByName("vet.aliya")->disabled);
  ASSERT_TRUE(
      this->store().SetUserPassword("vet.aliya", "$argon2id$hash2", MakeAudit("user.pw")).ok());
  EXPECT_EQ(this->store().FindUserByName("vet.aliya")->password_hash, "$argon2id$hash2");

  EXPECT_TRUE(HasCode(this->store().SetUserDisabled("nobody", true, MakeAudit("x")),
                      StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(this->store().SetUserPassword("nobody", "$h", MakeAudit("x")),
                      StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(this->store().FindUserByName("nobody").status(), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(this->store().FindUserById(999).status(), StatusCode::kNotFound));
  EXPECT_EQ(this->Counts().users, 2);
}

TYPED_TEST(StoreTest, TokensSaveFindDelete) {
  auto user = this->store().CreateUser({"a", "$h", Role::kAdmin, "KZ", At(1)}, MakeAudit("u"));
  ASSERT_TRUE(user.ok());
  const std::string hash(64, 'a');
  TokenRecord t{hash, user->id, At(100), At(200)};
  ASSERT_TRUE(this->store().SaveToken(t, MakeAudit("login")).ok());
  EXPECT_TRUE(HasCode(this->store().SaveToken(t, MakeAudit("login")), StatusCode::kAlreadyExists));
  auto found = this->store().FindToken(hash);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->user_id, user->id);
  EXPECT_EQ(found->created_at, At(100));
  EXPECT_EQ(found->expires_at, At(200));
  ASSERT_TRUE(this->store().DeleteToken(hash, MakeAudit("logout")).ok());
  EXPECT_TRUE(HasCode(this->store().FindToken(hash).status(), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(this->store().DeleteToken(hash, MakeAudit("logout")), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(
      this->store().SaveToken({std::string(64, 'b'), 999, At(1), At(2)}, MakeAudit("login")),
      StatusCode::kNotFound));
}

// Disabling or enabling a user ends every token of theirs in the same transaction, and no token is
// saved for a disabled user: a token that exists belongs to an enabled user (issue 17).
TYPED_TEST(StoreTest, ChangingWhetherAUserIsDisabledEndsTheirTokens) {
  auto user = this->store().CreateUser({"vet", "$h", Role::kVet, "KZ", At(1)}, MakeAudit("u"));
  auto other =
      this->store().CreateUser({"insp", "$h", Role::kInspector, "KZ", At(1)}, MakeAudit("u"));
  ASSERT_TRUE(user.ok() && other.ok());
  const std::string t1(64, '1'), t2(64, '2'), t3(64, '3'), t4(64, '4'), kept(64, 'k');
  ASSERT_TRUE(this->store().SaveToken({t1, user->id, At(10), At(900)}, MakeAudit("login")).ok());
  ASSERT_TRUE(this->store().SaveToken({t2, user->id, At(11), At(900)}, MakeAudit("login")).ok());
  ASSERT_TRUE(this->store().SaveToken({kept, other->id, At(12), At(900)}, MakeAudit("login")).ok());
  const int64_t audit_before = this->Counts().audit_rows;

  ASSERT_TRUE(this->store().SetUserDisabled("vet", true, MakeAudit("user.disable")).ok());
  EXPECT_TRUE(HasCode(this->store().FindToken(t1).status(), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(this->store().FindToken(t2).status(), StatusCode::kNotFound));
  EXPECT_TRUE(this->store().FindToken(kept).ok());
  EXPECT_EQ(this->Counts().audit_rows, audit_before + 1);  // the disable alone

  // A sign-in that checked the password before the disable cannot store its token after it.
  EXPECT_TRUE(HasCode(this->store().SaveToken({t3, user->id, At(20), At(900)}, MakeAudit("login")),
                      StatusCode::kFailedPrecondition));
  EXPECT_TRUE(HasCode(this->store().FindToken(t3).status(), StatusCode::kNotFound));
  EXPECT_EQ(this->Counts().audit_rows, audit_before + 1);

  // Enabling brings none back; new sign-ins work again.
  ASSERT_TRUE(this->store().SetUserDisabled("vet", false, MakeAudit("user.enable")).ok());
  EXPECT_TRUE(HasCode(this->store().FindToken(t1).status(), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(this->store().FindToken(t3).status(), StatusCode::kNotFound));
  ASSERT_TRUE(this->store().SaveToken({t4, user->id, At(30), At(900)}, MakeAudit("login")).ok());
  EXPECT_TRUE(this->store().FindToken(t4).ok());
  EXPECT_TRUE(this->store().FindToken(kept).ok());
}

TYPED_TEST(StoreTest, AuthoritiesSaveUpdatesAndListsByCode) {
  ASSERT_TRUE(this->store().SaveAuthority({"KZ-ABY", "Abay", "KZ"}, MakeAudit("a")).ok());
  ASSERT_TRUE(this->store().SaveAuthority({"KZ", "Kazakhstan", ""}, MakeAudit("a")).ok());
  ASSERT_TRUE(this->store().SaveAuthority({"KZ-ABY", "Abay region", "KZ"}, MakeAudit("a")).ok());
  auto list = this->store().ListAuthorities();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].code, "KZ");
  EXPECT_EQ((*list)[0].parent, "");
  EXPECT_EQ((*list)[1].code, "KZ-ABY");
  EXPECT_EQ((*list)[1].name, "Abay region");
  EXPECT_EQ((*list)[1].parent, "KZ");
}

// --- signing keys and signed documents ---

TYPED_TEST(StoreTest, SigningKeysSaveListOldestFirstAndRetire) {
  SigningKey newer = MakeKey("bbbbbbbbbbbbbbbb", "local", 5000);
  newer.root = true;
  newer.authority = "KZ";
  newer.algorithm = "EdDSA";
  SigningKey older = MakeKey("cccccccccccccccc", "import:UZ", 1000);
  older.country = "UZ";
  older.retired_at = At(1500);
  SigningKey same_start = MakeKey("aaaaaaaaaaaaaaaa", "local", 5000);
  for (const SigningKey& k : {newer, older, same_start}) {
    ASSERT_TRUE(this->store().SaveSigningKey(k, MakeAudit("key.add")).ok());
  }
  Status again = this->store().SaveSigningKey(MakeKey("bbbbbbbbbbbbbbbb"), MakeAudit("key.add"));
  EXPECT_TRUE(HasCode(again, StatusCode::kAlreadyExists));
  EXPECT_EQ(again.detail(), "bbbbbbbbbbbbbbbb");

  auto keys = this->store().ListSigningKeys();
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 3u);
  EXPECT_EQ((*keys)[0].kid, "cccccccccccccccc");  // oldest valid_from first, then by kid
  EXPECT_EQ((*keys)[1].kid, "aaaaaaaaaaaaaaaa");
  EXPECT_EQ((*keys)[2].kid, "bbbbbbbbbbbbbbbb");
  const SigningKey& o = (*keys)[0];
  EXPECT_EQ(o.authority, "KZ-ABY-01");
  EXPECT_EQ(o.country, "UZ");
  EXPECT_EQ(o.algorithm, "EdDSA");
  EXPECT_EQ(o.public_key, "pub-cccccccccccccccc");
  EXPECT_FALSE(o.root);
  EXPECT_EQ(o.valid_from, At(1000));
  EXPECT_EQ(o.valid_until, At(1'001'000));
  EXPECT_EQ(o.retired_at, At(1500));
  EXPECT_EQ(o.source, "import:UZ");
  EXPECT_TRUE((*keys)[2].root);
  EXPECT_EQ((*keys)[2].authority, "KZ");
  EXPECT_FALSE((*keys)[2].retired_at.has_value());

  ASSERT_TRUE(
      this->store().RetireSigningKey("bbbbbbbbbbbbbbbb", At(7000), MakeAudit("key.retire")).ok());
  EXPECT_TRUE(
      HasCode(this->store().RetireSigningKey("bbbbbbbbbbbbbbbb", At(8000), MakeAudit("key.retire")),
              StatusCode::kFailedPrecondition));
  EXPECT_TRUE(
      HasCode(this->store().RetireSigningKey("cccccccccccccccc", At(8000), MakeAudit("key.retire")),
              StatusCode::kFailedPrecondition));
  EXPECT_TRUE(
      HasCode(this->store().RetireSigningKey("dddddddddddddddd", At(8000), MakeAudit("key.retire")),
              StatusCode::kNotFound));
  keys = this->store().ListSigningKeys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ((*keys)[2].retired_at, At(7000));  // the first retirement stands
  EXPECT_EQ((*keys)[0].retired_at, At(1500));
  EXPECT_EQ(this->AuditRows(), 4);  // three saves and one retirement
}

TYPED_TEST(StoreTest, ReplaceKeysReplacesOnlyItsSourceAtomically) {
  auto kids = [&] {
    std::vector<std::string> out;
    auto keys = this->store().ListSigningKeys();
    EXPECT_TRUE(keys.ok()) << keys.status().ToString();
    if (keys.ok()) {
      for (const auto& k : *keys) out.push_back(k.kid + "/" + k.source);
    }
    return out;
  };
  using V = std::vector<std::string>;
  ASSERT_TRUE(this->store().SaveSigningKey(MakeKey("l1", "local", 1), MakeAudit("k")).ok());
  ASSERT_TRUE(this->store().SaveSigningKey(MakeKey("p1", "pinned:UZ", 2), MakeAudit("k")).ok());
  // The keys are stored under the source named, whatever their own field says.
  ASSERT_TRUE(this->store()
                  .ReplaceKeys("import:UZ", {MakeKey("u1", "local", 3), MakeKey("u2", "x", 4)},
                               MakeAudit("keys.import"))
                  .ok());
  EXPECT_EQ(kids(), (V{"l1/local", "p1/pinned:UZ", "u1/import:UZ", "u2/import:UZ"}));

  ASSERT_TRUE(this->store()
                  .ReplaceKeys("import:UZ",
                               {MakeKey("u2", "import:UZ", 4), MakeKey("u3", "import:UZ", 5)},
                               MakeAudit("keys.import"))
                  .ok());
  EXPECT_EQ(kids(), (V{"l1/local", "p1/pinned:UZ", "u2/import:UZ", "u3/import:UZ"}));
  const int64_t rows = this->AuditRows();

  // A kid of another source is not taken over, nor a kid listed twice; nothing changes then.
  Status taken = this->store().ReplaceKeys(
      "import:UZ", {MakeKey("u4", "import:UZ", 6), MakeKey("l1", "import:UZ", 7)},
      MakeAudit("keys.import"));
  EXPECT_TRUE(HasCode(taken, StatusCode::kAlreadyExists));
  EXPECT_EQ(taken.detail(), "l1");
  Status twice = this->store().ReplaceKeys(
      "import:UZ", {MakeKey("u5", "import:UZ", 6), MakeKey("u5", "import:UZ", 6)},
      MakeAudit("keys.import"));
  EXPECT_TRUE(HasCode(twice, StatusCode::kAlreadyExists));
  EXPECT_EQ(kids(), (V{"l1/local", "p1/pinned:UZ", "u2/import:UZ", "u3/import:UZ"}));
  EXPECT_EQ(this->store().ListSigningKeys()->at(0).public_key, "pub-l1");
  EXPECT_EQ(this->AuditRows(), rows);

  // An empty list removes the source's keys.
  ASSERT_TRUE(this->store().ReplaceKeys("import:UZ", {}, MakeAudit("keys.import")).ok());
  EXPECT_EQ(kids(), (V{"l1/local", "p1/pinned:UZ"}));
  EXPECT_EQ(this->AuditRows(), rows + 1);
}

TYPED_TEST(StoreTest, ReplaceKeysKeepsARetirementMadeHere) {
  ASSERT_TRUE(this->store()
                  .ReplaceKeys("import:UZ",
                               {MakeKey("u1", "import:UZ"), MakeKey("u2", "import:UZ")},
                               MakeAudit("keys.import"))
                  .ok());
  ASSERT_TRUE(this->store().RetireSigningKey("u1", At(9000), MakeAudit("key.retire")).ok());
  SigningKey u1 = MakeKey("u1", "import:UZ");
  SigningKey u2 = MakeKey("u2", "import:UZ");
  u2.retired_at = At(4000);  // the country's own list retires u2
  ASSERT_TRUE(this->store().ReplaceKeys("import:UZ", {u1, u2}, MakeAudit("keys.import")).ok());
  auto keys = this->store().ListSigningKeys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].retired_at, At(9000));
  EXPECT_EQ((*keys)[1].retired_at, At(4000));
  // The earlier of the two retirements wins.
  u1.retired_at = At(8000);
  ASSERT_TRUE(this->store().ReplaceKeys("import:UZ", {u1}, MakeAudit("keys.import")).ok());
  EXPECT_EQ(this->store().ListSigningKeys()->at(0).retired_at, At(8000));
}

TYPED_TEST(StoreTest, DocumentsSaveReplaceAndLoad) {
  EXPECT_TRUE(HasCode(this->store().LoadDocument("trust-list").status(), StatusCode::kNotFound));
  ASSERT_TRUE(
      this->store().SaveDocument({"trust-list", 1, "{\"v\":1}", At(100)}, MakeAudit("doc")).ok());
  ASSERT_TRUE(
      this->store().SaveDocument({"revocations", 7, "{\"r\":[]}", At(150)}, MakeAudit("doc")).ok());
  ASSERT_TRUE(
      this->store().SaveDocument({"trust-list", 2, "{\"v\":2}", At(200)}, MakeAudit("doc")).ok());
  auto doc = this->store().LoadDocument("trust-list");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->name, "trust-list");
  EXPECT_EQ(doc->sequence, 2);
  EXPECT_EQ(doc->body, "{\"v\":2}");
  EXPECT_EQ(doc->saved_at, At(200));
  auto other = this->store().LoadDocument("revocations");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->sequence, 7);
  EXPECT_EQ(other->body, "{\"r\":[]}");
  EXPECT_EQ(this->AuditRows(), 3);
}

// --- certificates ---

TYPED_TEST(StoreTest, CertificateRoundTripsByIdAndNumber) {
  Owner o = this->AddOwner(1);
  Animal flock = this->AddAnimal(o.id, std::nullopt, 30);
  Animal b = this->AddAnimal(o.id, Tag(9));
  Animal a = this->AddAnimal(o.id, Tag(3));
  // Animals and vaccinations keep the order given; tags come back sorted.
  Certificate c = MakeCertificate(1, o.id, {b.id, flock.id, a.id}, {Tag(9), Tag(3)});
  // Whatever the input says, a new certificate is issued and neither consumed nor revoked.
  Certificate given = c;
  given.status = CertificateStatus::kRevoked;
  given.consumed_at = At(5);
  given.consumed_by = 4;
  given.revoked_at = At(6);
  given.revoke_reason = "x";
  ASSERT_TRUE(this->store().CreateCertificate(given, MakeAudit("certificate.issue")).ok());

  Certificate want = c;
  want.tags = {Tag(3), Tag(9)};
  for (auto found :
       {this->store().FindCertificate(c.id), this->store().FindCertificateByNumber(c.number)}) {
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    ExpectSameCertificate(*found, want);
  }
  EXPECT_EQ(this->Counts().certificates, 1);
  EXPECT_EQ(this->AuditRows(), 5);  // owner, three animals, the certificate

  // A certificate with no animals or vaccinations (the store does not judge) round-trips too.
  Certificate bare = MakeCertificate(2, o.id, {}, {});
  bare.vaccinations.clear();
  bare.purpose = Purpose::kExport;
  ASSERT_TRUE(this->store().CreateCertificate(bare, MakeAudit("certificate.issue")).ok());
  auto found = this->store().FindCertificate(bare.id);
  ASSERT_TRUE(found.ok());
  ExpectSameCertificate(*found, bare);
}

TYPED_TEST(StoreTest, UnknownCertificateIsNotFound) {
  this->AddCertificate(1);
  EXPECT_TRUE(HasCode(this->store().FindCertificate(Uuid(1)).status(), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(this->store().FindCertificate("").status(), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(this->store().FindCertificateByNumber("KZ-ABY-01-20260601-ZZZZZZZZ").status(),
                      StatusCode::kNotFound));
}

TYPED_TEST(StoreTest, CertificateWithTakenIdOrNumberIsAlreadyExists) {
  Certificate first = this->AddCertificate(1);
  const int64_t rows = this->AuditRows();
  Certificate same_id = first;
  same_id.number = "KZ-ABY-01-20260601-QQQQQQQQ";
  Status s = this->store().CreateCertificate(same_id, MakeAudit("certificate.issue"));
  EXPECT_TRUE(HasCode(s, StatusCode::kAlreadyExists));
  EXPECT_EQ(s.field(), "id");
  Certificate same_number = first;
  same_number.id = Uuid(0xabc);
  s = this->store().CreateCertificate(same_number, MakeAudit("certificate.issue"));
  EXPECT_TRUE(HasCode(s, StatusCode::kAlreadyExists));
  EXPECT_EQ(s.field(), "number");
  EXPECT_TRUE(HasCode(this->store().FindCertificate(Uuid(0xabc)).status(), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(this->store().FindCertificateByNumber(same_id.number).status(),
                      StatusCode::kNotFound));
  auto stored = this->store().FindCertificate(first.id);
  ASSERT_TRUE(stored.ok());
  ExpectSameCertificate(*stored, first);
  EXPECT_EQ(this->Counts().certificates, 1);
  EXPECT_EQ(this->AuditRows(), rows);
}

TYPED_TEST(StoreTest, CertificateMustNameTheOwnerAndTheOwnersAnimalsAndTheirTags) {
  Owner o = this->AddOwner(1);
  Owner other = this->AddOwner(2);
  Animal mine = this->AddAnimal(o.id, Tag(1));
  Animal theirs = this->AddAnimal(other.id, Tag(2));
  const int64_t rows = this->AuditRows();
  struct Case {
    const char* what;
    Certificate certificate;
    StatusCode code;
  };
  const Case cases[] = {
      {"unknown owner", MakeCertificate(1, 999, {}, {}), StatusCode::kNotFound},
      {"unknown animal", MakeCertificate(2, o.id, {mine.id, 999}, {Tag(1)}),
       StatusCode::kFailedPrecondition},
      {"another owner's animal", MakeCertificate(3, o.id, {mine.id, theirs.id}, {Tag(1), Tag(2)}),
       StatusCode::kFailedPrecondition},
      {"a tag that is not the animal's", MakeCertificate(4, o.id, {mine.id}, {Tag(5)}),
       StatusCode::kInvalidArgument},
      {"a tag missing", MakeCertificate(5, o.id, {mine.id}, {}), StatusCode::kInvalidArgument},
      {"a tag too many", MakeCertificate(6, o.id, {mine.id}, {Tag(1), Tag(1)}),
       StatusCode::kInvalidArgument},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Status s = this->store().CreateCertificate(c.certificate, MakeAudit("certificate.issue"));
    EXPECT_TRUE(HasCode(s, c.code));
    if (c.code == StatusCode::kInvalidArgument) {
      EXPECT_EQ(s.field(), "tags");
    }
    EXPECT_TRUE(
        HasCode(this->store().FindCertificate(c.certificate.id).status(), StatusCode::kNotFound));
  }
  EXPECT_EQ(this->Counts().certificates, 0);
  EXPECT_EQ(this->AuditRows(), rows);
  // The same certificates, put right, are stored.
  ASSERT_TRUE(this->store()
                  .CreateCertificate(MakeCertificate(4, o.id, {mine.id}, {Tag(1)}),
                                     MakeAudit("certificate.issue"))
                  .ok());
  EXPECT_EQ(this->Counts().certificates, 1);
}

TYPED_TEST(StoreTest, ConsumeOnceThenAlreadyExistsWithTheFirstConsumptionKept) {
  Certificate c = this->AddCertificate(1);
  Consumption first{21, "insp.nurlan", "Almaty meat plant, gate 2", At(1'790'000'100'000)};
  auto consumed = this->store().ConsumeCertificate(c.id, first, MakeAudit("certificate.consume"));
  ASSERT_TRUE(consumed.ok()) << consumed.status().ToString();
  Certificate want = c;
  want.status = CertificateStatus::kConsumed;
  want.consumed_at = first.at;
  want.consumed_by = 21;
  want.consumed_by_name = "insp.nurlan";
  want.consumed_place = "Almaty meat plant, gate 2";
  ExpectSameCertificate(*consumed, want);
  const int64_t rows = this->AuditRows();

  Consumption second{22, "insp.other", "Shymkent market", At(1'790'000'200'000)};
  auto again = this->store().ConsumeCertificate(c.id, second, MakeAudit("certificate.consume"));
  EXPECT_TRUE(HasCode(again.status(), StatusCode::kAlreadyExists));
  EXPECT_EQ(again.status().detail(), c.id);
  auto stored = this->store().FindCertificate(c.id);
  ASSERT_TRUE(stored.ok());
  ExpectSameCertificate(*stored, want);
  EXPECT_EQ(this->AuditRows(), rows);

  EXPECT_TRUE(HasCode(
      this->store().ConsumeCertificate(Uuid(5), first, MakeAudit("certificate.consume")).status(),
      StatusCode::kNotFound));
}

TYPED_TEST(StoreTest, ConcurrentConsumersOfOneCertificateExactlyOneSucceeds) {
  Certificate c = this->AddCertificate(1);
  constexpr int kThreads = 16;
  std::latch start(kThreads);
  std::atomic<int> ok{0};
  std::atomic<int> already{0};
  std::atomic<int> other{0};
  std::atomic<int64_t> winner{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Consumption by{100 + t, "insp" + std::to_string(t), "post " + std::to_string(t), At(t)};
      start.arrive_and_wait();
      auto r =
          this->store_->ConsumeCertificate(c.id, by, MakeAudit("certificate.consume", 100 + t));
      if (r.ok()) {
        ++ok;
        winner = 100 + t;
      } else if (r.status().code() == StatusCode::kAlreadyExists) {
        ++already;
      } else {
        ++other;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(already.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  auto stored = this->store().FindCertificate(c.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->status, CertificateStatus::kConsumed);
  EXPECT_EQ(stored->consumed_by, winner.load());
  EXPECT_EQ(stored->consumed_place, "post " + std::to_string(winner.load() - 100));
  AuditQuery q;
  q.action = "certificate.consume";
  auto rows = this->store().ListAudit(q);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);  // only the consumption that happened is audited
  EXPECT_EQ((*rows)[0].entry.user_id, winner.load());
}

TYPED_TEST(StoreTest, RevokedCertificateCannotBeConsumed) {
  Certificate issued = this->AddCertificate(1);
  Certificate consumed = this->AddCertificate(2);
  Consumption by{21, "insp", "gate", At(10)};
  ASSERT_TRUE(this->store().ConsumeCertificate(consumed.id, by, MakeAudit("consume")).ok());
  // Issued or consumed alike can be revoked; the consumption stays recorded.
  for (const Certificate* c : {&issued, &consumed}) {
    ASSERT_TRUE(this->store()
                    .RevokeCertificate(c->id, 3, "forged batch", At(20), MakeAudit("revoke"))
                    .ok());
    EXPECT_TRUE(HasCode(this->store().ConsumeCertificate(c->id, by, MakeAudit("consume")).status(),
                        StatusCode::kFailedPrecondition));
  }
  auto stored = this->store().FindCertificate(consumed.id);
  ASSERT_TRUE(stored.ok());
  Certificate want = consumed;
  want.status = CertificateStatus::kRevoked;
  want.consumed_at = At(10);
  want.consumed_by = 21;
  want.consumed_by_name = "insp";
  want.consumed_place = "gate";
  want.revoked_at = At(20);
  want.revoked_by = 3;
  want.revoke_reason = "forged batch";
  ExpectSameCertificate(*stored, want);
  auto never_consumed = this->store().FindCertificate(issued.id);
  ASSERT_TRUE(never_consumed.ok());
  EXPECT_EQ(never_consumed->status, CertificateStatus::kRevoked);
  EXPECT_FALSE(never_consumed->consumed_at.has_value());
  EXPECT_EQ(never_consumed->consumed_by, 0);
}

TYPED_TEST(StoreTest, RevocationsGetConsecutiveSequencesAndListAfterACursor) {
  std::vector<Certificate> certs;
  for (int n = 1; n <= 3; ++n) certs.push_back(this->AddCertificate(n));
  const int order[] = {2, 0, 1};
  for (int i = 0; i < 3; ++i) {
    const Certificate& c = certs[order[i]];
    auto r = this->store().RevokeCertificate(c.id, 3, "reason", At(100 + i), MakeAudit("revoke"));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->sequence, i + 1);
    EXPECT_EQ(r->certificate_id, c.id);
    EXPECT_EQ(r->revoked_at, At(100 + i));
  }
  const int64_t rows = this->AuditRows();
  auto twice = this->store().RevokeCertificate(certs[0].id, 3, "again", At(200), MakeAudit("r"));
  EXPECT_TRUE(HasCode(twice.status(), StatusCode::kFailedPrecondition));
  EXPECT_TRUE(HasCode(
      this->store().RevokeCertificate(Uuid(77), 3, "none", At(200), MakeAudit("r")).status(),
      StatusCode::kNotFound));
  EXPECT_EQ(this->AuditRows(), rows);
  EXPECT_EQ(this->store().FindCertificate(certs[0].id)->revoke_reason, "reason");

  auto ids = [&](int64_t after) {
    std::vector<std::string> out;
    auto list = this->store().ListRevocations(after);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    if (list.ok()) {
      int64_t expected = after + 1;
      for (const auto& r : *list) {
        EXPECT_EQ(r.sequence, expected++);
        out.push_back(r.certificate_id);
      }
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids(0), (V{certs[2].id, certs[0].id, certs[1].id}));
  EXPECT_EQ(ids(1), (V{certs[0].id, certs[1].id}));
  EXPECT_EQ(ids(3), V{});
  EXPECT_EQ(ids(99), V{});
  auto list = this->store().ListRevocations();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[1].revoked_at, At(101));
}

TYPED_TEST(StoreTest, ConcurrentRevocationsNumberEachOnceWithoutGaps) {
  constexpr int kCerts = 8;
  constexpr int kThreads = 2 * kCerts;  // two threads race for each certificate
  std::vector<Certificate> certs;
  for (int n = 1; n <= kCerts; ++n) certs.push_back(this->AddCertificate(n));
  std::latch start(kThreads);
  std::mutex mu;
  std::vector<int64_t> sequences;
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      auto r = this->store_->RevokeCertificate(certs[t % kCerts].id, t, "r", At(t),
                                               MakeAudit("certificate.revoke", t));
      if (r.ok()) {
        std::lock_guard lock(mu);
        sequences.push_back(r->sequence);
      } else if (r.status().code() == StatusCode::kFailedPrecondition) {
        ++refused;
      } else {
        ++other;
      }
    });
  }
  for (auto& th : threads) th.join();
  std::sort(sequences.begin(), sequences.end());
  std::vector<int64_t> expected(kCerts);
  for (int i = 0; i < kCerts; ++i) expected[i] = i + 1;
  EXPECT_EQ(sequences, expected);
  EXPECT_EQ(refused.load(), kThreads - kCerts);
  EXPECT_EQ(other.load(), 0);
  auto list = this->store().ListRevocations(0);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), static_cast<size_t>(kCerts));
  std::vector<std::string> listed;
  for (const auto& r : *list) listed.push_back(r.certificate_id);
  std::sort(listed.begin(), listed.end());
  std::vector<std::string> all;
  for (const auto& c : certs) all.push_back(c.id);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(listed, all);
}

TYPED_TEST(StoreTest, CertificateWritesAreAuditedAndTheChainVerifies) {
  Certificate c = this->AddCertificate(1);
  ASSERT_TRUE(this->store()
                  .ConsumeCertificate(c.id, {21, "i", "p", At(1)}, MakeAudit("cert.consume"))
                  .ok());
  ASSERT_TRUE(this->store().RevokeCertificate(c.id, 3, "r", At(2), MakeAudit("cert.revoke")).ok());
  ASSERT_TRUE(this->store().SaveSigningKey(MakeKey("k1"), MakeAudit("key.add")).ok());
  ASSERT_TRUE(this->store().RetireSigningKey("k1", At(3), MakeAudit("key.retire")).ok());
  ASSERT_TRUE(
      this->store().ReplaceKeys("import:UZ", {MakeKey("u1")}, MakeAudit("key.import")).ok());
  ASSERT_TRUE(
      this->store().SaveDocument({"trust-list", 1, "{}", At(4)}, MakeAudit("doc.save")).ok());
  auto rows = this->store().ListAudit({});
  ASSERT_TRUE(rows.ok());
  std::vector<std::string> actions;
  for (const auto& r : *rows) actions.push_back(r.entry.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"owner.create", "animal.create", "animal.create",
                                               "animal.create", "certificate.issue", "cert.consume",
                                               "cert.revoke", "key.add", "key.retire", "key.import",
                                               "doc.save"}));
  auto v = this->store().VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
}

// --- audit ---

TYPED_TEST(StoreTest, EveryWriteAppendsItsAuditEntryAndFailedWritesNone) {
  Owner o = this->AddOwner(1);                                                            // 1
  this->AddAnimal(o.id, Tag(1));                                                          // 2
  this->Record({MakeRecord(1, Phone(1), {Tag(1)})});                                      // 3
  ASSERT_TRUE(this->store().AppendAudit(MakeAudit("lookup.phone", 9, "phone:+7")).ok());  // 4
  // Failed writes leave no audit row.
  EXPECT_FALSE(
      this->store().CreateOwner({Phone(1), "x", "", "KZ", At(1)}, MakeAudit("owner.create")).ok());
  EXPECT_FALSE(this->store().VoidVaccination(Uuid(9), "x", At(1), MakeAudit("void")).ok());

  auto rows = this->store().ListAudit({});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ((*rows)[0].seq, 1);
  EXPECT_EQ((*rows)[0].prev_hash, kAuditGenesisHash);
  EXPECT_EQ((*rows)[0].entry.action, "owner.create");
  EXPECT_EQ((*rows)[2].entry.action, "vaccination.batch");
  const AuditRow& lookup = (*rows)[3];
  EXPECT_EQ(lookup.seq, 4);
  EXPECT_EQ(lookup.entry.user_id, 9);
  EXPECT_EQ(lookup.entry.username, "user9");
  EXPECT_EQ(lookup.entry.target, "phone:+7");
  EXPECT_EQ(lookup.entry.detail, "{}");
  EXPECT_EQ(lookup.entry.address, "10.0.0.1");
  EXPECT_EQ(lookup.entry.at, MakeAudit("x").at);
  EXPECT_EQ(lookup.prev_hash, (*rows)[2].hash);
  EXPECT_EQ(lookup.hash, ChainHash(lookup.prev_hash, 4, lookup.entry));
  EXPECT_EQ(this->Counts().audit_rows, 4);

  auto v = this->store().VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->rows, 4);
}

// AppendAuditThen (W2's kept answers): `then` is called once, with ok, when the row is committed:
// a read made as soon as it is called finds the row; and so for every one of many racing callers,
// each row once in one unbroken chain.
TYPED_TEST(StoreTest, AppendAuditThenCallsBackOnceTheRowIsCommitted) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Status> results;
  auto then = [&](Status s) {
    std::lock_guard lock(mu);
    results.push_back(std::move(s));
    cv.notify_all();
  };
  auto wait_for = [&](size_t n) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return results.size() >= n; });
  };
  this->store().AppendAuditThen(MakeAudit("lookup.phone", 7, "phone:+77010000001"), then);
  wait_for(1);
  auto rows = this->store().ListAudit({});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().entry.target, "phone:+77010000001");

  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        this->store().AppendAuditThen(
            MakeAudit("lookup.phone", 10 + t, "phone:+7701" + std::to_string(t * kEach + i)), then);
      }
    });
  }
  for (auto& t : threads) t.join();
  wait_for(1 + kThreads * kEach);
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(results.size(), static_cast<size_t>(1 + kThreads * kEach));
    for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  }
  AuditQuery q;
  q.limit = 1000;
  rows = this->store().ListAudit(q);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::set<std::string> targets;
  for (const auto& r : *rows) targets.insert(r.entry.target);
  EXPECT_EQ(rows->size(), static_cast<size_t>(1 + kThreads * kEach));
  EXPECT_EQ(targets.size(), static_cast<size_t>(1 + kThreads * kEach));
  auto v = this->store().VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
}

TYPED_TEST(StoreTest, ListAuditFiltersAndPages) {
  for (int i = 0; i < 6; ++i) {
    AuditEntry e = MakeAudit(i % 2 == 0 ? "lookup.phone" : "owner.create", 100 + i % 3);
    e.at = At(1000 * (i + 1));
    ASSERT_TRUE(this->store().AppendAudit(e).ok());
  }
  auto seqs = [&](const AuditQuery& q) {
    std::vector<int64_t> out;
    auto rows = this->store().ListAudit(q);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (rows.ok()) {
      for (const auto& r : *rows) out.push_back(r.seq);
    }
    return out;
  };
  using V = std::vector<int64_t>;
  auto query = [](auto&& edit) {
    AuditQuery q;
    edit(q);
    return q;
  };
  EXPECT_EQ(seqs({}), (V{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(seqs(query([](AuditQuery& q) { q.after_seq = 4; })), (V{5, 6}));
  EXPECT_EQ(seqs(query([](AuditQuery& q) { q.limit = 2; })), (V{1, 2}));
  EXPECT_EQ(seqs(query([](AuditQuery& q) {
              q.after_seq = 2;
              q.limit = 2;
            })),
            (V{3, 4}));
  EXPECT_EQ(seqs(query([](AuditQuery& q) { q.action = "lookup.phone"; })), (V{1, 3, 5}));
  EXPECT_EQ(seqs(query([](AuditQuery& q) { q.user_id = 101; })), (V{2, 5}));
  EXPECT_EQ(seqs(query([](AuditQuery& q) {
              q.from = At(2000);
              q.to = At(4000);
            })),
            (V{2, 3, 4}));
  EXPECT_EQ(seqs(query([](AuditQuery& q) {
              q.action = "owner.create";
              q.user_id = 100;
            })),
            (V{4}));
}

TYPED_TEST(StoreTest, AuditAuthorityIsStoredAndChained) {
  AuditEntry e = MakeAudit("lookup.phone");
  e.authority = "KZ-ABY-01";
  ASSERT_TRUE(this->store().AppendAudit(e).ok());
  ASSERT_TRUE(this->store().AppendAudit(MakeAudit("console")).ok());
  AuditQuery all;
  all.all_authorities = true;
  auto rows = this->store().ListAudit(all);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].entry.authority, "KZ-ABY-01");
  EXPECT_EQ((*rows)[0].hash, ChainHash(kAuditGenesisHash, 1, e));
  EXPECT_EQ((*rows)[1].entry.authority, "");
  auto v = this->store().VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
}

// An auditor lists the actions of their own subtree and of no authority (the operator's console,
// anonymous callers); a code that merely starts with the same letters is someone else's.
TYPED_TEST(StoreTest, ListAuditKeepsToTheScopeAndRowsOfNoAuthority) {
  const char* authorities[] = {"",       "KZ-ABY", "KZ-ABY-01", "KZ-ABY-01-7", "KZ-ABYX",
                               "KZ-ALM", "KZ",     "kz-aby-01", "KZ-AB"};
  for (const char* a : authorities) {
    AuditEntry e = MakeAudit("lookup.phone");
    e.authority = a;
    ASSERT_TRUE(this->store().AppendAudit(e).ok());
  }
  auto seqs = [&](const std::string& scope, bool all) {
    AuditQuery q;
    q.scope = scope;
    q.all_authorities = all;
    std::vector<int64_t> out;
    auto rows = this->store().ListAudit(q);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (rows.ok()) {
      for (const auto& r : *rows) out.push_back(r.seq);
    }
    return out;
  };
  using V = std::vector<int64_t>;
  EXPECT_EQ(seqs("KZ-ABY", false), (V{1, 2, 3, 4}));
  EXPECT_EQ(seqs("KZ-ABY-01", false), (V{1, 3, 4}));
  EXPECT_EQ(seqs("KZ", false), (V{1, 2, 3, 4, 5, 6, 7, 9}));
  EXPECT_EQ(seqs("KZ-ALM", false), (V{1, 6}));
  EXPECT_EQ(seqs("", false), (V{1}));  // an empty scope is nobody's
  EXPECT_EQ(seqs("", true), (V{1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(seqs("KZ-ALM", true), (V{1, 2, 3, 4, 5, 6, 7, 8, 9}));

  // The scope combines with the other filters and the cursor.
  AuditQuery q;
  q.scope = "KZ-ABY";
  q.after_seq = 1;
  q.limit = 2;
  auto page = this->store().ListAudit(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].seq, 2);
  EXPECT_EQ((*page)[1].seq, 3);
}

TYPED_TEST(StoreTest, EmptyAuditVerifies) {
  auto v = this->store().VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok);
  EXPECT_EQ(v->rows, 0);
}

// --- persistence and concurrency ---

TYPED_TEST(StoreTest, ReopenKeepsEverythingAndTheChainContinues) {
  Owner o = this->AddOwner(1);
  this->Record({MakeRecord(1, Phone(1), {Tag(1)})});
  ASSERT_TRUE(this->store().CreateUser({"u", "$h", Role::kVet, "KZ", At(1)}, MakeAudit("u")).ok());
  this->Reopen();
  EXPECT_EQ(this->store().FindOwnerById(o.id)->phone, Phone(1));
  EXPECT_TRUE(this->store().FindVaccination(Uuid(1)).ok());
  EXPECT_TRUE(this->store().FindUserByName("u").ok());
  ASSERT_TRUE(this->store().AppendAudit(MakeAudit("after.reopen")).ok());
  StoreCounts c = this->Counts();
  EXPECT_EQ(c.owners, 1);
  EXPECT_EQ(c.animals, 1);
  EXPECT_EQ(c.vaccinations, 1);
  EXPECT_EQ(c.users, 1);
  EXPECT_EQ(c.audit_rows, 4);
  auto v = this->store().VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->rows, 4);
  // Re-sending after a restart is still a duplicate.
  EXPECT_EQ(this->Record({MakeRecord(1, Phone(1), {Tag(1)})})[0].outcome,
            RecordOutcome::kDuplicate);
}

TYPED_TEST(StoreTest, ReopenKeepsCertificatesKeysDocumentsAndTheRevocationSequence) {
  Certificate consumed = this->AddCertificate(1);
  Certificate revoked = this->AddCertificate(2);
  Certificate later = this->AddCertificate(3);
  ASSERT_TRUE(
      this->store().ConsumeCertificate(consumed.id, {21, "i", "gate", At(9)}, MakeAudit("c")).ok());
  ASSERT_TRUE(this->store().RevokeCertificate(revoked.id, 3, "r", At(10), MakeAudit("r")).ok());
  ASSERT_TRUE(this->store().SaveSigningKey(MakeKey("k1"), MakeAudit("k")).ok());
  ASSERT_TRUE(this->store().SaveDocument({"trust-list", 4, "{}", At(11)}, MakeAudit("d")).ok());
  this->Reopen();
  auto c = this->store().FindCertificate(consumed.id);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->status, CertificateStatus::kConsumed);
  EXPECT_EQ(c->consumed_place, "gate");
  EXPECT_EQ(c->tags, consumed.tags);
  EXPECT_EQ(this->store().FindCertificateByNumber(revoked.number)->status,
            CertificateStatus::kRevoked);
  EXPECT_EQ(this->store().ListSigningKeys()->size(), 1u);
  EXPECT_EQ(this->store().LoadDocument("trust-list")->sequence, 4);
  EXPECT_EQ(this->Counts().certificates, 3);
  // Consumed stays consumed, and the revocation list continues where it was.
  EXPECT_TRUE(HasCode(this->store()
                          .ConsumeCertificate(consumed.id, {22, "j", "x", At(12)}, MakeAudit("c"))
                          .status(),
                      StatusCode::kAlreadyExists));
  auto r = this->store().RevokeCertificate(later.id, 3, "r", At(13), MakeAudit("r"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->sequence, 2);
}

TYPED_TEST(StoreTest, SixteenConcurrentWritersAllCommit) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 12;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int n = t * kPerThread + i;
        auto r = this->store_->RecordVaccinations(
            std::vector<VaccinationInput>{MakeRecord(n, Phone(t), {Tag(n)})}, MakeContext(),
            MakeAudit("vaccination.batch", t));
        if (!r.ok() || (*r)[0].outcome != RecordOutcome::kCreated) ++failures;
        auto read = this->store_->FindOwnerByPhone(Phone(t));
        if (!read.ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  StoreCounts c = this->Counts();
  EXPECT_EQ(c.owners, kThreads);
  EXPECT_EQ(c.animals, kThreads * kPerThread);
  EXPECT_EQ(c.vaccinations, kThreads * kPerThread);
  EXPECT_EQ(c.audit_rows, kThreads * kPerThread);
  auto v = this->store().VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->rows, kThreads * kPerThread);
}

// One write at a time: each is a job and a commit of its own.
TYPED_TEST(StoreTest, WriterStatsCountJobsAndCommits) {
  ASSERT_TRUE(this->store().AppendAudit(MakeAudit("one")).ok());
  EXPECT_TRUE(
      HasCode(this->store().CreateOwner({"", "x", "", "KZ", At(1)}, MakeAudit("o")).status(),
              StatusCode::kOk));
  EXPECT_TRUE(
      HasCode(this->store().CreateOwner({"", "y", "", "KZ", At(1)}, MakeAudit("o")).status(),
              StatusCode::kAlreadyExists));
  const WriterStats stats = this->store().GetWriterStats();
  EXPECT_EQ(stats.jobs, 3);
  EXPECT_EQ(stats.commits, 3);  // a failed job still commits its (empty) group
  EXPECT_EQ(stats.failed_transactions, 0);
  EXPECT_EQ(stats.queued, 0);
}

// --- certificate lists ---

std::vector<std::string> Numbers(const std::vector<Certificate>& list) {
  std::vector<std::string> out;
  for (const auto& c : list) out.push_back(c.number.substr(c.number.size() - 2));
  return out;
}

TYPED_TEST(StoreTest, CertificateListIsNewestFirstFilteredAndPaged) {
  std::vector<Certificate> made;
  for (int n = 1; n <= 5; ++n) made.push_back(this->AddCertificate(n));
  // A sixth issued at the same instant as the fifth: the id breaks the tie (descending).
  {
    Owner o = this->AddOwner(6);
    Animal a = this->AddAnimal(o.id, Tag(12));
    Certificate c = MakeCertificate(6, o.id, {a.id}, {Tag(12)});
    c.issued_at = made[4].issued_at;
    ASSERT_TRUE(this->store().CreateCertificate(c, MakeAudit("certificate.issue")).ok());
    made.push_back(c);
  }
  ASSERT_TRUE(this->store()
                  .ConsumeCertificate(made[1].id,
                                      Consumption{9, "Insp", "Gate 2", At(1'790'000'100'000)},
                                      MakeAudit("certificate.consume"))
                  .ok());
  ASSERT_TRUE(this->store()
                  .RevokeCertificate(made[2].id, 3, "sold", At(1'790'000'100'000),
                                     MakeAudit("certificate.revoke"))
                  .ok());
  CertificateListQuery q;
  q.scope = "KZ-ABY";
  q.now = At(1'790'000'000'000 + 3'600'000);  // within every one's 72 hours
  q.limit = 10;
  auto all = this->store().ListCertificates(q);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  // Numbers end in base32 of n: ...AB = 1, ...AC = 2, ...
  EXPECT_EQ(Numbers(*all), (std::vector<std::string>{"AG", "AF", "AE", "AD", "AC", "AB"}));
  const Certificate& first = (*all)[1];  // the fifth
  EXPECT_EQ(first.id, made[4].id);
  EXPECT_EQ(first.number, made[4].number);
  EXPECT_EQ(first.authority, "KZ-ABY-01");
  EXPECT_EQ(first.owner_id, made[4].owner_id);
  EXPECT_EQ(first.purpose, Purpose::kSale);
  EXPECT_EQ(first.origin, "KZ-ABY-01");
  EXPECT_EQ(first.destination, "KZ-ALA");
  EXPECT_EQ(first.issued_at, made[4].issued_at);
  EXPECT_EQ(first.valid_until, made[4].valid_until);
  EXPECT_EQ(first.owner_masked_name, "A****** N*********");
  EXPECT_EQ(first.head_count, 32);
  EXPECT_EQ(first.status, CertificateStatus::kIssued);
  EXPECT_EQ((*all)[3].status, CertificateStatus::kRevoked);
  EXPECT_EQ((*all)[4].status, CertificateStatus::kConsumed);

  auto numbers = [&](const CertificateListQuery& query) {
    auto r = this->store().ListCertificates(query);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? Numbers(*r) : std::vector<std::string>{};
  };
  CertificateListQuery f = q;
  f.status = CertificateStatus::kConsumed;
  EXPECT_EQ(numbers(f), (std::vector<std::string>{"AC"}));
  f.status = CertificateStatus::kRevoked;
  EXPECT_EQ(numbers(f), (std::vector<std::string>{"AD"}));
  f.status = CertificateStatus::kIssued;
  f.valid_at_now = true;
  EXPECT_EQ(numbers(f), (std::vector<std::string>{"AG", "AF", "AE", "AB"}));
  f.valid_at_now = false;
  EXPECT_EQ(numbers(f), (std::vector<std::string>{}));
  f.now = made[0].valid_until + std::chrono::milliseconds(1);  // the first has expired
  EXPECT_EQ(numbers(f), (std::vector<std::string>{"AB"}));
  f.valid_at_now = true;
  EXPECT_EQ(numbers(f), (std::vector<std::string>{"AG", "AF", "AE"}));

  CertificateListQuery o = q;
  o.owner_id = made[3].owner_id;
  EXPECT_EQ(numbers(o), (std::vector<std::string>{"AE"}));

  // Pages of two, through the tie at the top.
  CertificateListQuery p = q;
  p.limit = 2;
  std::vector<std::string> pages;
  for (int i = 0; i < 4; ++i) {
    auto page = this->store().ListCertificates(p);
    ASSERT_TRUE(page.ok());
    if (page->empty()) break;
    for (const auto& s : Numbers(*page)) pages.push_back(s);
    p.before_issued_at = page->back().issued_at;
    p.before_id = page->back().id;
  }
  EXPECT_EQ(pages, Numbers(*all));
}

TYPED_TEST(StoreTest, CertificateListKeepsToTheScopeOrItsDestinations) {
  this->AddCertificate(1);  // issued by KZ-ABY-01 for KZ-ALA
  CertificateListQuery q;
  q.now = At(1'790'000'000'000);
  auto count = [&](const std::string& scope, bool destination_too, bool all = false) {
    CertificateListQuery x = q;
    x.scope = scope;
    x.destination_too = destination_too;
    x.all_authorities = all;
    auto r = this->store().ListCertificates(x);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->size() : 999u;
  };
  EXPECT_EQ(count("KZ-ABY-01", false), 1u);
  EXPECT_EQ(count("KZ-ABY", false), 1u);
  EXPECT_EQ(count("KZ", false), 1u);
  EXPECT_EQ(count("KZ-AB", false), 0u);  // a prefix that is not a subtree
  EXPECT_EQ(count("KZ-ABY-02", false), 0u);
  EXPECT_EQ(count("KZ-ALA", false), 0u);
  EXPECT_EQ(count("KZ-ALA", true), 1u);  // an inspector where the animals go
  EXPECT_EQ(count("KZ-AL", true), 0u);
  EXPECT_EQ(count("UZ", true), 0u);
  EXPECT_EQ(count("", false, true), 1u);
}

// --- reports (W11) ---

// Owners in KZ-ABY-01 and KZ-ABY-02 (in scope KZ-ABY), KZ-ALA-01 and KZ-ABYZ (not: a prefix that
// is not a subtree), with animals registered at known times and doses in and around the window
// 2026-09..2026-11: a voided dose, a dose before the window, a second dose the same month for the
// same animal, a flock dosed twice in a month beyond its size, a bivalent vaccine, and an animal
// stored after the window but vaccinated inside it.
void SeedCoverage(Store& store) {
  auto time = [](const char* day) { return At(int64_t{Day(day).days()} * 86'400'000 + 3'600'000); };
  auto owner = [&](int64_t n, const char* authority) {
    NewOwner o{Phone(n), "Owner " + std::to_string(n), "Village", authority, time("2025-06-01")};
    auto r = store.CreateOwner(o, MakeAudit("owner.create"));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->id : 0;
  };
  auto animal = [&](int64_t owner_id, std::optional<std::string> tag, const char* species,
                    int32_t heads, const char* created) {
    NewAnimal a;
    a.owner_id = owner_id;
    a.tag = std::move(tag);
    a.species = species;
    a.head_count = heads;
    a.authority = "KZ-ABY-01";
    a.created_at = time(created);
    auto r = store.CreateAnimal(a, MakeAudit("animal.create"));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  };
  auto dose = [](int64_t n, int64_t owner_id, std::vector<std::string> tags, const char* species,
                 int32_t heads, const char* disease, const char* vaccine, const char* day) {
    VaccinationInput v = MakeRecord(n, "");
    v.owner_id = owner_id;
    v.owner_phone.clear();
    v.animal_tags = std::move(tags);
    v.species = species;
    v.head_count = heads;
    v.disease = disease;
    v.vaccine = vaccine;
    v.administered_on = Day(day);
    return v;
  };
  const int64_t a = owner(1, "KZ-ABY-01"), b = owner(2, "KZ-ABY-02"), c = owner(3, "KZ-ALA-01"),
                d = owner(4, "KZ-ABYZ");
  animal(a, Tag(11), "sheep", 1, "2026-01-01");
  animal(a, Tag(12), "sheep", 1, "2026-01-01");
  animal(a, Tag(13), "sheep", 1, "2026-10-15");  // registered in October, never vaccinated
  animal(a, std::nullopt, "sheep", 40, "2026-01-01");
  animal(a, Tag(14), "cattle", 1, "2026-12-20");  // stored later, but vaccinated in September
  animal(b, Tag(21), "goat", 1, "2026-01-01");
  animal(c, Tag(31), "sheep", 1, "2026-01-01");
  animal(d, Tag(41), "sheep", 1, "2026-01-01");
  BatchContext ctx = MakeContext();
  ctx.unrestricted = true;
  const std::vector<VaccinationInput> records = {
      dose(1, a, {Tag(11), Tag(12)}, "sheep", 0, "FMD-O", "FMD-O-INACT", "2026-10-03"),
      dose(2, a, {Tag(11)}, "sheep", 0, "FMD-O", "FMD-O-INACT", "2026-10-20"),  // same month
      dose(3, a, {}, "sheep", 25, "FMD-O", "FMD-O-INACT", "2026-11-02"),
      dose(4, a, {}, "sheep", 25, "FMD-O", "FMD-O-INACT", "2026-11-09"),          // 50 heads of 40
      dose(5, a, {Tag(12)}, "sheep", 0, "FMD-O", "FMD-O-INACT", "2026-11-05"),    // voided below
      dose(6, a, {Tag(11)}, "sheep", 0, "FMD-O", "FMD-O-INACT", "2026-08-10"),    // before window
      dose(7, a, {Tag(14)}, "cattle", 0, "FMD-O", "FMD-OA-INACT", "2026-09-05"),  // O and A
      dose(8, b, {Tag(21)}, "goat", 0, "PPR", "PPR-LIVE", "2026-10-10"),
      dose(9, c, {Tag(31)}, "sheep", 0, "FMD-O", "FMD-O-INACT", "2026-10-03"),
      dose(10, d, {Tag(41)}, "sheep", 0, "FMD-O", "FMD-O-INACT", "2026-10-03"),
      dose(11, a, {Tag(12)}, "sheep", 0, "FMD-O", "FMD-O-INACT", "2026-12-01"),  // after window
  };
  auto stored = store.RecordVaccinations(records, ctx, MakeAudit("vaccination.batch"));
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  for (const auto& r : *stored) {
    EXPECT_EQ(r.outcome, RecordOutcome::kCreated) << r.id << " " << r.reason.ToString();
  }
  Status s = store.VoidVaccination(Uuid(5), "wrong animal", At(777), MakeAudit("void"));
  EXPECT_TRUE(s.ok()) << s.ToString();
}

CoverageQuery CoverageWindow(const std::string& scope) {
  CoverageQuery q;
  q.scope = scope;
  q.from = Day("2026-09-01");
  q.to = Day("2026-11-30");
  q.catalogue = &DefaultCatalogue();
  return q;
}

std::string RowText(const CoverageRow& r) {
  char coverage[32];
  std::snprintf(coverage, sizeof coverage, "%.4f", r.coverage);
  return r.authority + " " + r.disease + " " + r.species + " " + r.month + " " +
         std::to_string(r.vaccinated_head) + "/" + std::to_string(r.registered_head) + " " +
         coverage;
}

std::vector<std::string> RowTexts(const CoverageReport& report) {
  std::vector<std::string> out;
  for (const auto& r : report.rows) out.push_back(RowText(r));
  return out;
}

TYPED_TEST(StoreTest, CoverageCountsHeadsOncePerMonthAndDiseaseWithinTheScope) {
  SeedCoverage(this->store());
  CoverageQuery q = CoverageWindow("KZ-ABY");
  q.disease = "FMD-O";
  q.species = "sheep";
  auto r = this->store().ReportCoverage(q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->truncated);
  // September: 2 tagged sheep and the flock of 40 registered, nothing vaccinated (the August dose
  // is outside). October: the third sheep is registered; two sheep vaccinated, the first twice.
  // November: the flock's 50 heads count as its 40, the voided dose not at all.
  EXPECT_EQ(RowTexts(*r), (std::vector<std::string>{
                              "KZ-ABY-01 FMD-O sheep 2026-09 0/42 0.0000",
                              "KZ-ABY-01 FMD-O sheep 2026-10 2/43 0.0465",
                              "KZ-ABY-01 FMD-O sheep 2026-11 40/43 0.9302",
                          }));
  EXPECT_DOUBLE_EQ(r->rows[1].coverage, 0.0465);
}

TYPED_TEST(StoreTest, CoverageCoversEveryApplicableDiseaseAndTheVaccinesOtherDiseases) {
  SeedCoverage(this->store());
  auto r = this->store().ReportCoverage(CoverageWindow("KZ-ABY"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // sheep (8 diseases), cattle (7) and goats (9) over 3 months, every row with registered heads.
  EXPECT_EQ(r->rows.size(), (8u + 7u + 9u) * 3u);
  std::map<std::string, std::string> by_key;
  for (const auto& row : r->rows) {
    EXPECT_TRUE(row.authority == "KZ-ABY-01" || row.authority == "KZ-ABY-02") << RowText(row);
    by_key[row.authority + " " + row.disease + " " + row.species + " " + row.month] = RowText(row);
  }
  // The cattle stored in December counts from its September dose; the bivalent vaccine recorded
  // under FMD-O counts for FMD-A too, not for Asia1.
  EXPECT_EQ(by_key["KZ-ABY-01 FMD-O cattle 2026-09"], "KZ-ABY-01 FMD-O cattle 2026-09 1/1 1.0000");
  EXPECT_EQ(by_key["KZ-ABY-01 FMD-A cattle 2026-09"], "KZ-ABY-01 FMD-A cattle 2026-09 1/1 1.0000");
  EXPECT_EQ(by_key["KZ-ABY-01 FMD-ASIA1 cattle 2026-09"],
            "KZ-ABY-01 FMD-ASIA1 cattle 2026-09 0/1 0.0000");
  EXPECT_EQ(by_key["KZ-ABY-01 FMD-O cattle 2026-10"], "KZ-ABY-01 FMD-O cattle 2026-10 0/1 0.0000");
  EXPECT_EQ(by_key["KZ-ABY-01 FMD-A sheep 2026-10"], "KZ-ABY-01 FMD-A sheep 2026-10 0/43 0.0000");
  EXPECT_EQ(by_key["KZ-ABY-02 PPR goat 2026-10"], "KZ-ABY-02 PPR goat 2026-10 1/1 1.0000");
  EXPECT_EQ(by_key.count("KZ-ABY-01 LSD sheep 2026-10"), 0u);  // LSD is not a sheep disease
  // Ordered by authority, disease, species, month.
  EXPECT_TRUE(std::is_sorted(r->rows.begin(), r->rows.end(), [](const auto& x, const auto& y) {
    return std::tie(x.authority, x.disease, x.species, x.month) <
           std::tie(y.authority, y.disease, y.species, y.month);
  }));
}

TYPED_TEST(StoreTest, CoverageKeepsToTheSubtreeAndTruncatesAtMaxRows) {
  SeedCoverage(this->store());
  auto goats = this->store().ReportCoverage(CoverageWindow("KZ-ABY-02"));
  ASSERT_TRUE(goats.ok()) << goats.status().ToString();
  EXPECT_EQ(goats->rows.size(), 9u * 3u);
  for (const auto& row : goats->rows) EXPECT_EQ(row.species, "goat") << RowText(row);

  CoverageQuery other = CoverageWindow("KZ-ALA-01");
  other.species = "sheep";
  other.disease = "FMD-O";
  auto ala = this->store().ReportCoverage(other);
  ASSERT_TRUE(ala.ok());
  EXPECT_EQ(RowTexts(*ala), (std::vector<std::string>{
                                "KZ-ALA-01 FMD-O sheep 2026-09 0/1 0.0000",
                                "KZ-ALA-01 FMD-O sheep 2026-10 1/1 1.0000",
                                "KZ-ALA-01 FMD-O sheep 2026-11 0/1 0.0000",
                            }));

  auto none = this->store().ReportCoverage(CoverageWindow("UZ"));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->rows.empty());
  EXPECT_FALSE(none->truncated);

  CoverageQuery small = CoverageWindow("KZ-ABY");
  small.max_rows = 5;
  auto cut = this->store().ReportCoverage(small);
  ASSERT_TRUE(cut.ok());
  EXPECT_TRUE(cut->truncated);
  ASSERT_EQ(cut->rows.size(), 5u);
  EXPECT_EQ(RowText(cut->rows[0]), "KZ-ABY-01 ANTHRAX cattle 2026-09 0/1 0.0000");
}

// Period totals over a year, with numbers a reader can add up by hand: in KZ-ABY-01, a sheep
// vaccinated against FMD-O in three months, a sheep never vaccinated, a flock of 30 vaccinated
// twice (20 heads in March, 20 in September: 40 doses for 30 heads) and a sheep registered in
// June; all but the last registered in January.
void SeedCoverageYear(Store& store) {
  auto time = [](const char* day) { return At(int64_t{Day(day).days()} * 86'400'000 + 3'600'000); };
  NewOwner o{Phone(1), "Owner 1", "Village", "KZ-ABY-01", time("2025-06-01")};
  auto owner = store.CreateOwner(o, MakeAudit("owner.create"));
  ASSERT_TRUE(owner.ok()) << owner.status().ToString();
  auto animal = [&](std::optional<std::string> tag, int32_t heads, const char* created) {
    NewAnimal a;
    a.owner_id = owner->id;
    a.tag = std::move(tag);
    a.species = "sheep";
    a.head_count = heads;
    a.authority = "KZ-ABY-01";
    a.created_at = time(created);
    auto r = store.CreateAnimal(a, MakeAudit("animal.create"));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  };
  animal(Tag(11), 1, "2026-01-05");
  animal(Tag(12), 1, "2026-01-05");
  animal(std::nullopt, 30, "2026-01-05");
  animal(Tag(13), 1, "2026-06-10");
  auto dose = [&](int64_t n, std::vector<std::string> tags, int32_t heads, const char* day) {
    VaccinationInput v = MakeRecord(n, "");
    v.owner_id = owner->id;
    v.owner_phone.clear();
    v.animal_tags = std::move(tags);
    v.species = "sheep";
    v.head_count = heads;
    v.disease = "FMD-O";
    v.vaccine = "FMD-O-INACT";
    v.administered_on = Day(day);
    return v;
  };
  const std::vector<VaccinationInput> records = {
      dose(1, {Tag(11)}, 0, "2026-02-03"), dose(2, {Tag(11)}, 0, "2026-05-03"),
      dose(3, {Tag(11)}, 0, "2026-08-03"), dose(4, {}, 20, "2026-03-10"),
      dose(5, {}, 20, "2026-09-10"),
  };
  BatchContext ctx = MakeContext();
  ctx.unrestricted = true;
  auto stored = store.RecordVaccinations(records, ctx, MakeAudit("vaccination.batch"));
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  for (const auto& r : *stored) {
    EXPECT_EQ(r.outcome, RecordOutcome::kCreated) << r.id << " " << r.reason.ToString();
  }
}

CoverageQuery CoverageYear() {
  CoverageQuery q;
  q.scope = "KZ-ABY";
  q.from = Day("2026-01-01");
  q.to = Day("2026-12-31");
  q.disease = "FMD-O";
  q.species = "sheep";
  q.catalogue = &DefaultCatalogue();
  return q;
}

TYPED_TEST(StoreTest, CoveragePeriodTotalsCountEachHeadOnceOverTheYear) {
  SeedCoverageYear(this->store());
  auto r = this->store().ReportCoverage(CoverageYear());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->truncated);
  ASSERT_EQ(r->rows.size(), 12u);
  // The monthly rows, summed, would say 12 x 32 + 7 = 391 registered head.
  int64_t monthly_registered = 0;
  for (const auto& row : r->rows) monthly_registered += row.registered_head;
  EXPECT_EQ(monthly_registered, 391);
  // Over the year: 33 head present (2 sheep, the flock of 30, the June sheep), not 12 times it;
  // the sheep vaccinated in February, May and August once, the flock's 40 doses as its 30 heads:
  // 31 of 33.
  EXPECT_EQ(RowTexts(CoverageReport{r->totals, {}, false}),
            (std::vector<std::string>{"KZ-ABY-01 FMD-O sheep  31/33 0.9394"}));
}

TYPED_TEST(StoreTest, CoveragePeriodTotalsOfOneMonthEqualItsRowAndSkipLaterAnimals) {
  SeedCoverageYear(this->store());
  CoverageQuery march = CoverageYear();
  march.from = Day("2026-03-01");
  march.to = Day("2026-03-31");
  auto r = this->store().ReportCoverage(march);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // In March the June sheep is not yet there: 32 head, 20 of the flock vaccinated.
  EXPECT_EQ(RowTexts(*r), (std::vector<std::string>{"KZ-ABY-01 FMD-O sheep 2026-03 20/32 0.6250"}));
  EXPECT_EQ(RowTexts(CoverageReport{r->totals, {}, false}),
            (std::vector<std::string>{"KZ-ABY-01 FMD-O sheep  20/32 0.6250"}));
}

TYPED_TEST(StoreTest, CoveragePeriodTotalsSpanEveryDiseaseAndSpeciesWithinTheScope) {
  SeedCoverage(this->store());
  auto r = this->store().ReportCoverage(CoverageWindow("KZ-ABY"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // One total per (authority, disease, species) that has rows: sheep (8 diseases), cattle (7)
  // and goats (9).
  EXPECT_EQ(r->totals.size(), 8u + 7u + 9u);
  std::vector<std::string> fmd_o;
  for (const auto& row : r->totals) {
    EXPECT_TRUE(row.month.empty()) << RowText(row);
    if (row.disease == "FMD-O") fmd_o.push_back(RowText(row));
  }
  // Sheep over September to November: 43 head (the October sheep included); vaccinated the two
  // tagged sheep (the first twice in October) and the flock's 50 doses as its 40 heads; the
  // voided dose and those outside the window not at all. The cattle counts from its September
  // dose though stored in December.
  EXPECT_EQ(fmd_o, (std::vector<std::string>{
                       "KZ-ABY-01 FMD-O cattle  1/1 1.0000",
                       "KZ-ABY-01 FMD-O sheep  42/43 0.9767",
                       "KZ-ABY-02 FMD-O goat  0/1 0.0000",
                   }));
  CoverageQuery small = CoverageWindow("KZ-ABY");
  small.max_rows = 5;
  auto cut = this->store().ReportCoverage(small);
  ASSERT_TRUE(cut.ok());
  EXPECT_TRUE(cut->truncated);
  EXPECT_EQ(cut->totals.size(), 5u);
}

}  // namespace
}  // namespace herdpass::testing

namespace herdpass::testing {
namespace {

// --- due lists (W15) ---

// Today is 2026-12-01; FMD-O protects 180 days, so a dose on today - 170 lapses on today + 10.
// Owners in three villages of KZ-ABY (one with no village) and one of KZ-ALA; a dead animal, a
// flock dosed short of its size, a voided dose, a dose dated after today, a bivalent vaccine.
Date DueToday() { return Day("2026-12-01"); }

// The animal `animal_id` died on `on` (event Uuid(900)).
void RecordDeath(Store& store, int64_t animal_id, Date on) {
  AnimalEventInput died;
  died.id = Uuid(900);
  died.animal_id = animal_id;
  died.kind = AnimalEventKind::kDied;
  died.on = on;
  died.user_id = 7;
  died.unrestricted = true;
  died.at = At(9000);
  auto ended = store.RecordAnimalEvent(died, MakeAudit("animal.event"));
  EXPECT_TRUE(ended.ok()) << ended.status().ToString();
}

void SeedDue(Store& store) {
  const Date today = DueToday();
  auto owner = [&](int64_t n, const char* village, const char* authority) {
    NewOwner o{Phone(n), "Owner " + std::to_string(n), village, authority, At(1000 + n)};
    auto r = store.CreateOwner(o, MakeAudit("owner.create"));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->id : 0;
  };
  auto animal = [&](int64_t owner_id, std::optional<std::string> tag, const char* species,
                    int32_t heads, const char* authority = "KZ-ABY-01") {
    NewAnimal a;
    a.owner_id = owner_id;
    a.tag = std::move(tag);
    a.species = species;
    a.head_count = heads;
    a.authority = authority;
    a.created_at = At(5000);
    auto r = store.CreateAnimal(a, MakeAudit("animal.create"));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->id : 0;
  };
  auto dose = [&](int64_t n, int64_t owner_id, std::vector<std::string> tags, const char* species,
                  int32_t heads, const char* vaccine, int days_ago) {
    VaccinationInput v = MakeRecord(n, "");
    v.owner_id = owner_id;
    v.owner_phone.clear();
    v.animal_tags = std::move(tags);
    v.species = species;
    v.head_count = heads;
    v.disease = "FMD-O";
    v.vaccine = vaccine;
    v.administered_on = today.AddDays(-days_ago);
    return v;
  };
  const int64_t a = owner(1, "Bakanas", "KZ-ABY-01"), b = owner(2, "Akshi", "KZ-ABY-02"),
                c = owner(3, "", "KZ-ABY-01"), d = owner(4, "Akshi", "KZ-ALA-01");
  animal(a, Tag(11), "sheep", 1);
  animal(a, Tag(12), "sheep", 1);
  animal(a, Tag(13), "sheep", 1);
  animal(a, std::nullopt, "sheep", 40);
  animal(a, Tag(14), "cattle", 1);
  const int64_t dead = animal(a, Tag(15), "sheep", 1);
  animal(b, Tag(21), "goat", 1, "KZ-ABY-02");
  animal(c, Tag(31), "sheep", 1);
  animal(d, Tag(41), "sheep", 1, "KZ-ALA-01");
  BatchContext ctx = MakeContext();
  ctx.unrestricted = true;
  const std::vector<VaccinationInput> records = {
      dose(1, a, {Tag(11)}, "sheep", 0, "FMD-O-INACT", 170),    // lapses in 10 days
      dose(2, a, {Tag(12)}, "sheep", 0, "FMD-O-INACT", 10),     // covered long after
      dose(3, a, {Tag(13)}, "sheep", 0, "FMD-O-INACT", 5),      // voided below
      dose(4, a, {Tag(13)}, "sheep", 0, "FMD-O-INACT", -3),     // after today
      dose(5, a, {}, "sheep", 25, "FMD-O-INACT", 20),           // 25 heads of 40
      dose(6, a, {Tag(14)}, "cattle", 0, "FMD-OA-INACT", 175),  // O and A, lapse in 5 days
      dose(7, c, {Tag(31)}, "sheep", 0, "FMD-O-INACT", 200),    // lapsed 20 days ago
  };
  auto stored = store.RecordVaccinations(records, ctx, MakeAudit("vaccination.batch"));
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  for (const auto& r : *stored) {
    EXPECT_EQ(r.outcome, RecordOutcome::kCreated) << r.id << " " << r.reason.ToString();
  }
  EXPECT_TRUE(store.VoidVaccination(Uuid(3), "wrong animal", At(777), MakeAudit("void")).ok());
  RecordDeath(store, dead, today.AddDays(-1));
}

DueQuery DueWithin(int days, const std::string& disease = "FMD-O",
                   const std::string& scope = "KZ-ABY") {
  DueQuery q;
  q.scope = scope;
  q.today = DueToday();
  q.days = days;
  q.disease = disease;
  q.catalogue = &DefaultCatalogue();
  return q;
}

// "village owner: unit disease state lapses" per due unit, in the list's order.
std::vector<std::string> DueTexts(const DueList& list) {
  std::vector<std::string> out;
  for (const DueOwner& o : list.owners) {
    for (const DueUnit& u : o.units) {
      out.push_back(
          o.owner.village + " " + o.owner.name + ": " +
          (u.unit.tag ? u.unit.tag->substr(12) : "flock" + std::to_string(u.unit.head_count)) +
          " " + u.coverage.disease + " " + CoverageStateName(u.coverage.state) + " " +
          (u.lapses_on ? u.lapses_on->ToString() : "-"));
    }
  }
  return out;
}

TYPED_TEST(StoreTest, DueListsWhatLapsesWithinTheDaysByVillage) {
  SeedDue(this->store());
  auto r = this->store().ListDue(DueWithin(30));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->truncated);
  EXPECT_EQ(r->today, DueToday());
  EXPECT_EQ(r->through, Day("2026-12-31"));
  // Akshi, then Bakanas, then the owner with no village; KZ-ALA-01's Akshi is out of scope. The
  // sheep covered for 170 more days and the dead one are not due; the voided dose and the one
  // dated after today leave 013 never vaccinated; the flock dosed short of its size is overdue
  // with no date.
  EXPECT_EQ(DueTexts(*r), (std::vector<std::string>{
                              "Akshi Owner 2: 021 FMD-O never -",
                              "Bakanas Owner 1: 011 FMD-O covered 2026-12-11",
                              "Bakanas Owner 1: 013 FMD-O never -",
                              "Bakanas Owner 1: 014 FMD-O covered 2026-12-06",
                              "Bakanas Owner 1: flock40 FMD-O overdue -",
                              " Owner 3: 031 FMD-O overdue 2026-11-11",
                          }));
  ASSERT_EQ(r->owners.size(), 3u);
  EXPECT_EQ(r->owners[1].owner.phone, Phone(1));
  EXPECT_EQ(r->owners[1].owner.authority, "KZ-ABY-01");
}

TYPED_TEST(StoreTest, DueListLeavesOutWhatLapsesAfterTheDays) {
  SeedDue(this->store());
  auto r = this->store().ListDue(DueWithin(5));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // 011 lapses on day 10: not within 5. 014 lapses on day 5: within.
  EXPECT_EQ(DueTexts(*r), (std::vector<std::string>{
                              "Akshi Owner 2: 021 FMD-O never -",
                              "Bakanas Owner 1: 013 FMD-O never -",
                              "Bakanas Owner 1: 014 FMD-O covered 2026-12-06",
                              "Bakanas Owner 1: flock40 FMD-O overdue -",
                              " Owner 3: 031 FMD-O overdue 2026-11-11",
                          }));
  auto nine = this->store().ListDue(DueWithin(9));
  ASSERT_TRUE(nine.ok());
  auto ten = this->store().ListDue(DueWithin(10));
  ASSERT_TRUE(ten.ok());
  EXPECT_EQ(DueTexts(*nine).size() + 1, DueTexts(*ten).size());
}

TYPED_TEST(StoreTest, DueListCoversEveryDiseaseOfTheSpeciesAndTheVaccinesOthers) {
  SeedDue(this->store());
  auto r = this->store().ListDue(DueWithin(30, ""));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> cattle;
  for (const std::string& t : DueTexts(*r)) {
    if (t.starts_with("Bakanas Owner 1: 014 ")) cattle.push_back(t.substr(21));
  }
  // The bivalent dose recorded under FMD-O protects against FMD-A as well, until the same day;
  // every other cattle disease was never vaccinated against, in catalogue order.
  std::vector<std::string> want;
  for (const Disease* d : DefaultCatalogue().DiseasesFor("cattle")) {
    if (d->code == "FMD-O" || d->code == "FMD-A") {
      want.push_back(d->code + " covered 2026-12-06");
    } else {
      want.push_back(d->code + " never -");
    }
  }
  EXPECT_EQ(cattle, want);
}

TYPED_TEST(StoreTest, DueListKeepsToTheSubtreeAndTruncatesAtMaxOwners) {
  SeedDue(this->store());
  auto ala = this->store().ListDue(DueWithin(30, "FMD-O", "KZ-ALA"));
  ASSERT_TRUE(ala.ok());
  EXPECT_EQ(DueTexts(*ala), (std::vector<std::string>{"Akshi Owner 4: 041 FMD-O never -"}));
  auto two = this->store().ListDue(DueWithin(30, "FMD-O", "KZ-ABY-02"));
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(DueTexts(*two), (std::vector<std::string>{"Akshi Owner 2: 021 FMD-O never -"}));
  auto none = this->store().ListDue(DueWithin(30, "FMD-O", "UZ"));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->owners.empty());
  EXPECT_FALSE(none->truncated);
  DueQuery small = DueWithin(30);
  small.max_owners = 1;
  auto cut = this->store().ListDue(small);
  ASSERT_TRUE(cut.ok());
  EXPECT_TRUE(cut->truncated);
  EXPECT_EQ(DueTexts(*cut), (std::vector<std::string>{"Akshi Owner 2: 021 FMD-O never -"}));
}

// --- reminders (W15, issue 15 item 3) ---

// Today is 2026-12-01 and the job runs at 02:00 UTC; FMD-O-INACT protects 180 days, so a dose 170
// days ago lapses on 2026-12-11 and one 175 days ago on 2026-12-06.
struct ReminderWorld {
  int64_t lapsing = 0, covered = 0, lapsed = 0, stopped = 0, reminded_3 = 0, reminded_8 = 0,
          seller = 0, buyer = 0, dead = 0;
  Timestamp now = ParseRfc3339("2026-12-01T02:00:00Z").value();
};

ReminderWorld SeedReminders(Store& store) {
  ReminderWorld w;
  const Date today = DueToday();
  auto dose = [&](int64_t n, int64_t owner, std::vector<std::string> tags, int32_t heads,
                  int days_ago) {
    VaccinationInput v = MakeRecord(n, Phone(owner), std::move(tags));
    if (heads > 0) v.head_count = heads;
    v.vaccine = "FMD-O-INACT";
    v.administered_on = today.AddDays(-days_ago);
    return v;
  };
  BatchContext ctx = MakeContext("KZ");
  ctx.unrestricted = true;
  auto stored = store.RecordVaccinations(
      std::vector<VaccinationInput>{
          dose(1, 1, {Tag(11)}, 0, 170),   // lapsing: 2026-12-11
          dose(2, 1, {}, 30, 175),         // lapsing: a flock of 30, 2026-12-06
          dose(3, 1, {Tag(12)}, 0, 10),    // covered long after: not in the reminder
          dose(4, 2, {Tag(21)}, 0, 10),    // covered
          dose(5, 3, {Tag(31)}, 0, 400),   // lapsed long ago
          dose(6, 4, {Tag(41)}, 0, 170),   // lapsing, but STOPped
          dose(7, 5, {Tag(51)}, 0, 170),   // lapsing, reminded 3 days ago
          dose(8, 6, {Tag(61)}, 0, 172),   // lapsing, reminded 8 days ago
          dose(9, 7, {Tag(71)}, 0, 170),   // lapsing, then sold away
          dose(10, 9, {Tag(91)}, 0, 170),  // lapsing, but it died
          dose(11, 1, {Tag(13)}, 0, 200),  // lapsed: not counted with 011
      },
      ctx, MakeAudit("vaccination.batch"));
  EXPECT_TRUE(stored.ok()) << stored.status().ToString();
  if (!stored.ok()) return w;
  std::map<size_t, int64_t> owner_of;
  for (size_t i = 0; i < stored->size(); ++i) owner_of[i] = (*stored)[i].owner_id;
  w.lapsing = owner_of[0];
  w.covered = owner_of[3];
  w.lapsed = owner_of[4];
  w.stopped = owner_of[5];
  w.reminded_3 = owner_of[6];
  w.reminded_8 = owner_of[7];
  w.seller = owner_of[8];
  w.dead = owner_of[9];

  InboundSmsChange stop;
  stop.digest = std::string(32, 's');
  stop.at = w.now - std::chrono::days(20);
  stop.owner_id = w.stopped;
  stop.stopped = true;
  EXPECT_TRUE(store.TakeInboundSms(stop).ok());
  for (auto [owner, days] : {std::pair{w.reminded_3, 3}, std::pair{w.reminded_8, 8}}) {
    const Timestamp at = w.now - std::chrono::days(days);
    EXPECT_TRUE(store
                    .QueueSms({owner, kReminderKind, ReminderKey(owner, Date::Of(at)), "earlier",
                               "", false, at})
                    .ok());
  }
  // Other messages of the week are no reminder.
  EXPECT_TRUE(store.QueueSms({w.reminded_8, "reply", "", "ok", "", true, w.now}).ok());

  TransferInput sale;
  sale.id = Uuid(0x5a1e0002);
  sale.seller_id = w.seller;
  sale.buyer_phone = Phone(8);
  sale.buyer_name = "Buyer";
  sale.tags = {Tag(71)};
  sale.on = today.AddDays(-30);
  sale.user_id = 7;
  sale.scope = "KZ";
  sale.at = At(1'790'000'000'000);
  auto sold = store.RecordTransfer(sale, MakeAudit("transfer.record"));
  EXPECT_TRUE(sold.ok()) << sold.status().ToString();
  if (sold.ok()) w.buyer = sold->transfer.buyer_id;
  auto died = store.FindAnimalByTag(Tag(91));
  EXPECT_TRUE(died.ok());
  if (died.ok()) RecordDeath(store, died->id, today.AddDays(-1));
  return w;
}

ReminderQuery RemindWithin(const ReminderWorld& w, int days) {
  ReminderQuery q;
  q.today = DueToday();
  q.days = days;
  q.reminded_after = w.now - std::chrono::days(kReminderEveryDays);
  q.catalogue = &DefaultCatalogue();
  return q;
}

// "owner: disease head lapses_on; ..." per owner reminded, by owner id.
std::map<int64_t, std::string> ReminderTexts(const std::vector<OwnerReminder>& reminders) {
  std::map<int64_t, std::string> out;
  for (const OwnerReminder& r : reminders) {
    std::string text = r.language + ":";
    for (const ReminderLine& l : r.lines) {
      text += " " + l.disease + " " + std::to_string(l.head) + " " + l.lapses_on.ToString();
    }
    out[r.owner_id] = text;
  }
  return out;
}

TYPED_TEST(StoreTest, RemindersSelectOwnersWhoseCoverageLapsesWithinTheDays) {
  const ReminderWorld w = SeedReminders(this->store());
  auto r = this->store().SelectReminders(RemindWithin(w, 14));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Not the covered, the long lapsed, the STOPped, the one reminded 3 days ago, the seller whose
  // animal is the buyer's now, nor the owner of the dead animal. The buyer's animal keeps the dose
  // it had under the seller (W8). Owners of KZ get Kazakh.
  EXPECT_EQ(ReminderTexts(*r), (std::map<int64_t, std::string>{
                                   {w.lapsing, "kk: FMD-O 31 2026-12-06"},
                                   {w.reminded_8, "kk: FMD-O 1 2026-12-09"},
                                   {w.buyer, "kk: FMD-O 1 2026-12-11"},
                               }));
  // Within 7 days: the reminder of 2026-12-11 is not yet; the flock's of 2026-12-06 is.
  auto week = this->store().SelectReminders(RemindWithin(w, 7));
  ASSERT_TRUE(week.ok());
  EXPECT_EQ(ReminderTexts(*week), (std::map<int64_t, std::string>{
                                      {w.lapsing, "kk: FMD-O 30 2026-12-06"},
                                  }));
  // After a START the STOPped owner is reminded again.
  InboundSmsChange start;
  start.digest = std::string(32, 't');
  start.at = w.now;
  start.owner_id = w.stopped;
  start.stopped = false;
  ASSERT_TRUE(this->store().TakeInboundSms(start).ok());
  auto started = this->store().SelectReminders(RemindWithin(w, 14));
  ASSERT_TRUE(started.ok());
  EXPECT_EQ(ReminderTexts(*started).count(w.stopped), 1u);
}

TYPED_TEST(StoreTest, ReminderSelectionAgreesWithTheOwnersW2Coverage) {
  const ReminderWorld w = SeedReminders(this->store());
  ReminderQuery q = RemindWithin(w, 14);
  q.reminded_after = w.now;  // no one left out for a reminder
  auto r = this->store().SelectReminders(q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // The same rule over what W2 reads for each owner (LoadOwnerHistory, its earlier owners' doses
  // included): its units lapsing within the days, per disease.
  std::map<int64_t, std::string> want;
  for (int64_t owner :
       {w.lapsing, w.covered, w.lapsed, w.reminded_3, w.reminded_8, w.seller, w.buyer, w.dead}) {
    auto history = this->store().LoadOwnerHistory(owner, q.today.AddYears(-3));
    ASSERT_TRUE(history.ok()) << history.status().ToString();
    std::vector<Vaccination> doses = history->vaccinations;
    for (const EarlierDose& e : history->earlier_vaccinations) doses.push_back(e.vaccination);
    std::vector<Animal> living;
    for (const Animal& a : history->animals) {
      if (a.alive()) living.push_back(a);
    }
    const OwnerCoverage c = ComputeOwnerCoverage(DefaultCatalogue(), living, doses, q.today);
    OwnerReminder one;
    for (size_t i = 0; i < living.size(); ++i) {
      for (const DiseaseCoverage& d : c.units[i].diseases) {
        if (!LapsesWithin(d, q.today, q.days)) continue;
        const int64_t head = living[i].is_flock() ? living[i].head_count : 1;
        auto line = std::find_if(one.lines.begin(), one.lines.end(),
                                 [&](const ReminderLine& l) { return l.disease == d.disease; });
        if (line == one.lines.end()) {
          one.lines.push_back({d.disease, head, *LapsesOn(d)});
        } else {
          line->head += head;
          line->lapses_on = std::min(line->lapses_on, *LapsesOn(d));
        }
      }
    }
    if (one.lines.empty()) continue;
    one.owner_id = owner;
    one.language = "kk";
    want.insert(*ReminderTexts({one}).begin());
  }
  EXPECT_EQ(ReminderTexts(*r), want);
  EXPECT_EQ(want.size(), 4u);  // lapsing, both reminded before, the buyer
}

TYPED_TEST(StoreTest, ABatchOfMessagesIsQueuedWholeOrNotAtAll) {
  const Owner o = this->AddOwner(1);
  const Timestamp at = At(1'790'000'000'000);
  const std::vector<NewSms> bad = {{o.id, kReminderKind, "reminder/a", "one", "", false, at},
                                   {9999, kReminderKind, "reminder/b", "two", "", false, at}};
  EXPECT_TRUE(HasCode(this->store().QueueSmsBatch(bad).status(), StatusCode::kNotFound));
  EXPECT_TRUE(this->store().ListSms({"KZ", true, 0, 100, {}})->empty());
  const std::vector<NewSms> good = {{o.id, kReminderKind, "reminder/a", "one", "", false, at},
                                    {o.id, kReminderKind, "reminder/a", "again", "", false, at},
                                    {o.id, "reply", "", "three", "", true, at}};
  auto ids = this->store().QueueSmsBatch(good);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  ASSERT_EQ(ids->size(), 3u);
  EXPECT_EQ((*ids)[0], (*ids)[1]);  // the dedupe key holds within a batch
  EXPECT_NE((*ids)[0], (*ids)[2]);
  auto first = this->store().FindSms((*ids)[0]);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->body, "one");
  EXPECT_EQ(first->kind, "reminder");
  EXPECT_FALSE(first->requested);
  EXPECT_EQ(this->store().ListSms({"KZ", true, 0, 100, {}})->size(), 2u);
}

// --- ring lists (W14, issue 13 item 4) ---

// Today is 2026-12-01. Round a centre at (43, 77): holdings at 0, 1, 2, 8 and 9 km north (the
// last a market with no animal), one 15 km north and one 9 km north and 9 km east (12.7 km: in
// the box round the 10 km circle, outside the circle), each a farm of its own owner. FMD-O
// protects 180 days.
struct RingWorld {
  std::map<std::string, Holding> h;
  std::map<int64_t, std::string> names;  // holding id -> code
  Zone zone;
};

template <typename Test>
RingWorld MakeRingWorld(Test& t) {
  RingWorld w;
  Store& store = t.store();
  const Date today = Day("2026-12-01");
  constexpr double kLatPerKm = 1 / 111.195;
  constexpr double kLonPerKm = 1 / 81.32;  // at 43 degrees
  struct Place {
    const char* code;
    double north_km, east_km;
    const char* authority;
    HoldingKind kind;
  };
  const Place places[] = {{"C", 0, 0, "KZ-ABY-01", HoldingKind::kFarm},
                          {"P1", 1, 0, "KZ-ABY-01", HoldingKind::kFarm},
                          {"P2", 2, 0, "KZ-ABY-01", HoldingKind::kFarm},
                          {"S8", 8, 0, "KZ-ALM-01", HoldingKind::kFarm},
                          {"S9", 9, 0, "KZ-ABY-01", HoldingKind::kMarket},
                          {"X15", 15, 0, "KZ-ABY-01", HoldingKind::kFarm},
                          {"XC", 9, 9, "KZ-ABY-01", HoldingKind::kFarm}};
  int64_t n = 0;
  std::map<std::string, int64_t> owner;
  for (const Place& p : places) {
    ++n;
    std::optional<int64_t> owner_id;
    if (p.kind == HoldingKind::kFarm) {
      owner_id = t.AddOwner(n, p.authority).id;
      owner[p.code] = *owner_id;
    }
    w.h[p.code] = t.AddHolding(p.code, 43 + p.north_km * kLatPerKm, 77 + p.east_km * kLonPerKm,
                               p.authority, p.kind, owner_id);
    w.names[w.h[p.code].id] = p.code;
  }
  auto animal = [&](const char* at, std::optional<std::string> tag, const char* species,
                    int32_t heads, std::optional<int64_t> owner_id = std::nullopt) {
    NewAnimal a;
    a.owner_id = owner_id.value_or(owner[at]);
    a.tag = std::move(tag);
    a.species = species;
    a.head_count = heads;
    a.authority = w.h[at].authority;
    a.created_at = At(5000);
    a.holding_id = w.h[at].id;
    auto r = store.CreateAnimal(a, MakeAudit("animal.create"));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->id : 0;
  };
  // A seller elsewhere whose tagged cow, dosed under him 60 days ago, now stands at P2 with its
  // buyer (the owner of P2): its dose follows it.
  const int64_t seller = t.AddOwner(50, "KZ-ABY-01").id;
  animal("C", Tag(101), "cattle", 1);  // dosed 10 days ago: covered
  animal("C", Tag(102), "cattle", 1);  // never
  animal("C", Tag(103), "goat", 1);    // a species the zone does not restrict
  const int64_t dead = animal("C", Tag(104), "cattle", 1);
  animal("P1", Tag(201), "cattle", 1);      // covered
  animal("P2", std::nullopt, "sheep", 40);  // 25 of 40 dosed: not covered
  animal("P2", Tag(501), "cattle", 1, seller);
  animal("S8", Tag(401), "cattle", 1);  // dosed 200 days ago: lapsed
  animal("X15", Tag(601), "cattle", 1);
  animal("XC", Tag(701), "cattle", 1);
  auto dose = [&](int64_t k, const char* at, std::vector<std::string> tags, const char* species,
                  int32_t heads, int days_ago, std::optional<int64_t> owner_id = std::nullopt) {
    VaccinationInput v = MakeRecord(k, "");
    v.owner_id = owner_id.value_or(owner[at]);
    v.owner_phone.clear();
    v.animal_tags = std::move(tags);
    v.species = species;
    v.head_count = heads;
    v.disease = "FMD-O";
    v.vaccine = "FMD-O-INACT";
    v.administered_on = today.AddDays(-days_ago);
    return v;
  };
  BatchContext ctx = MakeContext("KZ");
  ctx.unrestricted = true;
  auto stored = store.RecordVaccinations(
      std::vector<VaccinationInput>{
          dose(1, "C", {Tag(101)}, "cattle", 0, 10), dose(2, "P1", {Tag(201)}, "cattle", 0, 30),
          dose(3, "P2", {}, "sheep", 25, 20), dose(4, "S8", {Tag(401)}, "cattle", 0, 200),
          dose(5, "X15", {Tag(601)}, "cattle", 0, 400),
          dose(6, "P2", {Tag(501)}, "cattle", 0, 60, seller),
          dose(7, "C", {Tag(102)}, "cattle", 0, 5)},
      ctx, MakeAudit("vaccination.batch"));
  EXPECT_TRUE(stored.ok()) << stored.status().ToString();
  // The dose of 102 was voided: it stays never vaccinated.
  EXPECT_TRUE(store.VoidVaccination(Uuid(7), "wrong animal", At(777), MakeAudit("void")).ok());
  TransferInput sale;
  sale.id = Uuid(0x5a1e0001);
  sale.seller_id = seller;
  sale.buyer_phone = Phone(3);  // the owner of P2
  sale.tags = {Tag(501)};
  sale.on = today.AddDays(-30);
  sale.user_id = 7;
  sale.scope = "KZ";
  sale.at = At(1'790'000'000'000);
  auto sold = store.RecordTransfer(sale, MakeAudit("transfer.record"));
  EXPECT_TRUE(sold.ok()) << sold.status().ToString();
  RecordDeath(store, dead, today.AddDays(-1));

  w.zone.id = 1;
  w.zone.disease = "FMD-O";
  w.zone.holding_id = w.h["C"].id;
  w.zone.lat = w.h["C"].lat;
  w.zone.lon = w.h["C"].lon;
  w.zone.protection_km = 3;
  w.zone.surveillance_km = 10;
  w.zone.species = {"cattle", "sheep"};
  w.zone.starts_on = today;
  w.zone.ends_on = today.AddDays(30);
  w.zone.authority = "KZ-ABY-01";
  return w;
}

RingQuery RingOf(const Zone& zone) {
  RingQuery q;
  q.zone = zone;
  q.today = Day("2026-12-01");
  q.catalogue = &DefaultCatalogue();
  return q;
}

// "ring code head/uncovered: unit state until, ..." per holding, in the list's order.
std::vector<std::string> RingTexts(const RingWorld& w, const RingList& list) {
  std::vector<std::string> out;
  for (const RingHolding& h : list.holdings) {
    std::string line = h.ring + " " + w.names.at(h.holding.id) + " " + std::to_string(h.head) +
                       "/" + std::to_string(h.head_uncovered) + ":";
    for (const RingUnit& u : h.units) {
      line +=
          " " +
          (u.unit.tag ? u.unit.tag->substr(12) : u.unit.species + "x" + std::to_string(u.head)) +
          " " + CoverageStateName(u.coverage.state) +
          (u.coverage.covered_until ? " " + u.coverage.covered_until->ToString() : "");
    }
    out.push_back(line);
  }
  return out;
}

TYPED_TEST(StoreTest, RingListHoldsEachRadiusUncoveredFirstThenNearest) {
  RingWorld w = MakeRingWorld(*this);
  auto r = this->store().ListRing(RingOf(w.zone));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->truncated);
  EXPECT_EQ(r->today, Day("2026-12-01"));
  // Protection (3 km), then surveillance (10 km); 15 km and the box's corner are not listed. In
  // each ring the holdings with heads to vaccinate come first, then those all covered, then the
  // market with no animal; on a holding the never vaccinated before the covered. The goat and the
  // dead cow are left out; the voided dose counts for nothing; 501's dose under its seller counts.
  EXPECT_EQ(RingTexts(w, *r), (std::vector<std::string>{
                                  "protection C 2/1: 102 never 101 covered 2027-05-19",
                                  "protection P2 41/40: sheepx40 overdue 501 covered 2027-03-30",
                                  "protection P1 1/0: 201 covered 2027-04-29",
                                  "surveillance S8 1/1: 401 overdue",
                                  "surveillance S9 0/0:",
                              }));
  ASSERT_EQ(r->holdings.size(), 5u);
  EXPECT_EQ(r->holdings[0].distance_m, 0);
  EXPECT_NEAR(static_cast<double>(*r->holdings[1].distance_m), 2000, 5);
  EXPECT_NEAR(static_cast<double>(*r->holdings[3].distance_m), 8000, 10);
  // The owners named: each holding's and each unit's (the buyer of 501 owns P2), with their phones.
  std::vector<int64_t> ids;
  for (const Owner& o : r->owners) ids.push_back(o.id);
  std::vector<int64_t> want = {*w.h["C"].owner_id, *w.h["P1"].owner_id, *w.h["P2"].owner_id,
                               *w.h["S8"].owner_id};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(ids, want);
  EXPECT_EQ(r->owners.front().phone, Phone(1));
}

TYPED_TEST(StoreTest, RingListOfAuthorityCodesHoldsTheirSubtreesAndTruncates) {
  RingWorld w = MakeRingWorld(*this);
  Zone codes = w.zone;
  codes.holding_id = 0;
  codes.protection_km = codes.surveillance_km = 0;
  codes.authorities = {"KZ-ALM"};
  auto r = this->store().ListRing(RingOf(codes));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(RingTexts(w, *r), (std::vector<std::string>{"authority S8 1/1: 401 overdue"}));
  EXPECT_FALSE(r->holdings[0].distance_m.has_value());
  // Only sheep: the cattle are left out, the holdings stay.
  Zone sheep = w.zone;
  sheep.species = {"sheep"};
  RingQuery q = RingOf(sheep);
  q.max_holdings = 2;
  auto cut = this->store().ListRing(q);
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_TRUE(cut->truncated);
  EXPECT_EQ(RingTexts(w, *cut), (std::vector<std::string>{"protection P2 40/40: sheepx40 overdue",
                                                          "protection C 0/0:"}));
  // An empty list where the zone holds no holding.
  Zone far = w.zone;
  far.lat = -43;
  auto none = this->store().ListRing(RingOf(far));
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->holdings.empty());
  EXPECT_TRUE(none->owners.empty());
}

// --- holdings (W12) ---

TYPED_TEST(StoreTest, HoldingIsStoredAndFoundWithEveryField) {
  Owner o = this->AddOwner(1);
  Holding want = this->MakeHolding("F-001", 43.251234567891, 76.951234567891, "KZ-ABY-01",
                                   HoldingKind::kWinterCamp, o.id);
  want.closed_on = Day("2026-01-31");
  const int64_t audit_before = this->AuditRows();
  auto created = this->store().CreateHolding(want, MakeAudit("holding.create"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(this->AuditRows(), audit_before + 1);
  auto got = this->store().FindHolding(created->id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->id, created->id);
  EXPECT_EQ(got->code, "F-001");
  EXPECT_EQ(got->kind, HoldingKind::kWinterCamp);
  EXPECT_EQ(got->name, "Holding F-001");
  EXPECT_EQ(got->authority, "KZ-ABY-01");
  EXPECT_EQ(got->owner_id, std::optional<int64_t>(o.id));
  EXPECT_EQ(got->owner_masked_name, "O**** 1");
  EXPECT_EQ(got->lat, 43.251234567891);  // exactly: a double's digits survive the round trip
  EXPECT_EQ(got->lon, 76.951234567891);
  EXPECT_EQ(got->opened_on, Day("2020-05-01"));
  EXPECT_EQ(got->closed_on, std::optional<Date>(Day("2026-01-31")));
  EXPECT_EQ(got->created_at, At(7000));

  Holding market = this->AddHolding("M-1", 43.3, 77.0, "KZ-ABY-01", HoldingKind::kMarket);
  auto m = this->store().FindHolding(market.id);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->owner_id, std::nullopt);
  EXPECT_EQ(m->owner_masked_name, "");
  EXPECT_EQ(m->closed_on, std::nullopt);
}

TYPED_TEST(StoreTest, HoldingCodeIsUniqueWithinItsAuthorityOnly) {
  this->AddHolding("F-001", 43.25, 76.95, "KZ-ABY-01");
  const int64_t audit_before = this->AuditRows();
  auto again = this->store().CreateHolding(
      this->MakeHolding("F-001", 44.0, 77.0, "KZ-ABY-01", HoldingKind::kFarm, std::nullopt),
      MakeAudit("holding.create"));
  ASSERT_TRUE(HasCode(again.status(), StatusCode::kAlreadyExists));
  EXPECT_EQ(again.status().field(), "code");
  EXPECT_EQ(this->AuditRows(), audit_before);  // nothing stored, not even the audit row
  // The same code in another authority is another holding.
  Holding other = this->AddHolding("F-001", 44.0, 77.0, "KZ-ABY-02");
  EXPECT_GT(other.id, 0);
}

TYPED_TEST(StoreTest, HoldingOfAnUnknownOwnerOrAnUnknownIdIsNotFound) {
  auto r = this->store().CreateHolding(
      this->MakeHolding("F-9", 43.0, 76.0, "KZ-ABY-01", HoldingKind::kFarm, 999999),
      MakeAudit("holding.create"));
  EXPECT_TRUE(HasCode(r.status(), StatusCode::kNotFound));
  auto f = this->store().FindHolding(12345);
  ASSERT_TRUE(HasCode(f.status(), StatusCode::kNotFound));
  EXPECT_EQ(f.status().message(), "no such holding");
}

TYPED_TEST(StoreTest, HoldingsListByAuthoritySubtreeAndKindAPageAtATime) {
  const int64_t a = this->AddHolding("A", 43.0, 76.0, "KZ-ABY-01").id;
  const int64_t b = this->AddHolding("B", 43.1, 76.1, "KZ-ABY-01-02", HoldingKind::kMarket).id;
  const int64_t c = this->AddHolding("C", 43.2, 76.2, "KZ-ABY-01").id;
  this->AddHolding("D", 43.3, 76.3, "KZ-ABY-010");  // not below KZ-ABY-01
  this->AddHolding("E", 43.4, 76.4, "KZ-ALM");
  HoldingListQuery q;
  q.scope = "KZ-ABY-01";
  EXPECT_EQ(this->ListIds(q), (std::vector<int64_t>{a, b, c}));
  q.limit = 2;
  EXPECT_EQ(this->ListIds(q), (std::vector<int64_t>{a, b}));
  q.after_id = b;
  EXPECT_EQ(this->ListIds(q), (std::vector<int64_t>{c}));
  q.after_id = 0;
  q.limit = 50;
  q.kind = HoldingKind::kMarket;
  EXPECT_EQ(this->ListIds(q), (std::vector<int64_t>{b}));
  HoldingListQuery all;
  all.all_authorities = true;
  EXPECT_EQ(this->ListIds(all).size(), 5u);
}

TYPED_TEST(StoreTest, HoldingsNearAPointComeNearestFirstWithinTheRadius) {
  // Around Almaty (43.2389, 76.8897): 1.1 km north, 5.5 km east, 11 km south, 60 km west; one
  // across the radius, one of another authority.
  const int64_t north = this->AddHolding("N", 43.2489, 76.8897).id;
  const int64_t east = this->AddHolding("E", 43.2389, 76.9577).id;
  const int64_t south = this->AddHolding("S", 43.1389, 76.8897).id;
  const int64_t west = this->AddHolding("W", 43.2389, 76.1497).id;
  this->AddHolding("FAR", 45.0, 76.8897);               // ~196 km north
  this->AddHolding("ALM", 43.2390, 76.8898, "KZ-ALM");  // outside the scope
  HoldingListQuery q;
  q.scope = "KZ-ABY";
  q.near = HoldingListQuery::Near{43.2389, 76.8897, 100000};
  auto r = this->store().ListHoldings(q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<int64_t> ids;
  std::vector<int64_t> metres;
  for (const HoldingListItem& item : *r) {
    ids.push_back(item.holding.id);
    ASSERT_TRUE(item.distance_m.has_value());
    metres.push_back(*item.distance_m);
  }
  EXPECT_EQ(ids, (std::vector<int64_t>{north, east, south, west}));
  // Haversine distances, to the metre.
  EXPECT_EQ(metres[0], std::llround(DistanceMeters(43.2389, 76.8897, 43.2489, 76.8897)));
  EXPECT_NEAR(static_cast<double>(metres[0]), 1112, 1);
  // 0.74 degrees of longitude along the parallel of 43.2389 are 59,968 m on the sphere; the great
  // circle between the two points is a little shorter.
  EXPECT_EQ(metres[3], std::llround(DistanceMeters(43.2389, 76.8897, 43.2389, 76.1497)));
  EXPECT_LT(metres[3], 59968);
  EXPECT_GT(metres[3], 59900);
  // A page at a time, from the cursor (distance, id).
  q.limit = 2;
  auto first = this->store().ListHoldings(q);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  q.after_distance_m = *first->back().distance_m;
  q.after_id = first->back().holding.id;
  EXPECT_EQ(this->ListIds(q), (std::vector<int64_t>{south, west}));
  // A smaller radius leaves the far ones out.
  HoldingListQuery near;
  near.scope = "KZ-ABY";
  near.near = HoldingListQuery::Near{43.2389, 76.8897, 6000};
  EXPECT_EQ(this->ListIds(near), (std::vector<int64_t>{north, east}));
}

// Two holdings at one point are ordered by id, and the cursor between them loses neither.
TYPED_TEST(StoreTest, HoldingsAtOneDistanceArePagedById) {
  const int64_t a = this->AddHolding("A", 43.30, 76.90).id;
  const int64_t b = this->AddHolding("B", 43.30, 76.90).id;
  HoldingListQuery q;
  q.scope = "KZ-ABY-01";
  q.near = HoldingListQuery::Near{43.30, 76.90, 1000};
  q.limit = 1;
  auto first = this->store().ListHoldings(q);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(first->front().holding.id, a);
  EXPECT_EQ(first->front().distance_m, std::optional<int64_t>(0));
  q.after_distance_m = 0;
  q.after_id = a;
  EXPECT_EQ(this->ListIds(q), (std::vector<int64_t>{b}));
}

TYPED_TEST(StoreTest, AnimalsAndRecordsKeepTheirHolding) {
  Owner o = this->AddOwner(1);
  Holding farm = this->AddHolding("F-1", 43.0, 76.0, "KZ-ABY-01", HoldingKind::kFarm, o.id);
  NewAnimal a;
  a.owner_id = o.id;
  a.tag = Tag(1);
  a.species = "cattle";
  a.authority = "KZ-ABY-01";
  a.created_at = At(5000);
  a.holding_id = farm.id;
  auto animal = this->store().CreateAnimal(a, MakeAudit("animal.create"));
  ASSERT_TRUE(animal.ok()) << animal.status().ToString();
  EXPECT_EQ(animal->holding_id, std::optional<int64_t>(farm.id));
  EXPECT_EQ(this->store().FindAnimalByTag(Tag(1))->holding_id, std::optional<int64_t>(farm.id));
  // A record at the holding; the tag it creates is kept there too; one with no holding has none.
  VaccinationInput at_farm = MakeRecord(1, o.phone, {Tag(2)});
  at_farm.holding_id = farm.id;
  VaccinationInput nowhere = MakeRecord(2, o.phone, {Tag(1)});
  nowhere.species = "cattle";
  auto results = this->Record({at_farm, nowhere});
  ASSERT_EQ(results.size(), 2u);
  ASSERT_EQ(results[0].outcome, RecordOutcome::kCreated) << results[0].reason.ToString();
  ASSERT_EQ(results[1].outcome, RecordOutcome::kCreated) << results[1].reason.ToString();
  EXPECT_EQ(this->store().FindVaccination(Uuid(1))->holding_id, std::optional<int64_t>(farm.id));
  EXPECT_EQ(this->store().FindVaccination(Uuid(2))->holding_id, std::nullopt);
  EXPECT_EQ(this->store().FindAnimalByTag(Tag(2))->holding_id, std::optional<int64_t>(farm.id));
  // W2's read names the holdings once each.
  auto history = this->store().LoadOwnerHistory(o.id, Day("2000-01-01"));
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->holdings.size(), 1u);
  EXPECT_EQ(history->holdings[0].id, farm.id);
  EXPECT_EQ(history->holdings[0].code, "F-1");
}

TYPED_TEST(StoreTest, AnimalAtAnUnknownHoldingIsNotStored) {
  Owner o = this->AddOwner(1);
  NewAnimal a;
  a.owner_id = o.id;
  a.tag = Tag(1);
  a.species = "cattle";
  a.authority = "KZ-ABY-01";
  a.holding_id = 424242;
  auto r = this->store().CreateAnimal(a, MakeAudit("animal.create"));
  EXPECT_TRUE(HasCode(r.status(), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(this->store().FindAnimalByTag(Tag(1)).status(), StatusCode::kNotFound));
}

// --- tag life (W12) ---

AnimalEventInput MakeEvent(int64_t n, int64_t animal_id, AnimalEventKind kind, int32_t head = 0) {
  AnimalEventInput e;
  e.id = Uuid(0xe0000 + n);
  e.animal_id = animal_id;
  e.kind = kind;
  e.on = Day("2026-05-20");
  e.reason = "reason " + std::to_string(n);
  e.head = head;
  e.user_id = 7;
  e.scope = "KZ-ABY";
  e.at = At(1'790'000'000'000 + n);
  return e;
}

TYPED_TEST(StoreTest, AnimalDiesOnceAndItsLifeRefusesFurtherEvents) {
  Owner o = this->AddOwner(1);
  Animal a = this->AddAnimal(o.id, Tag(1));
  const int64_t audit_before = this->AuditRows();
  auto died = this->store().RecordAnimalEvent(MakeEvent(1, a.id, AnimalEventKind::kDied),
                                              MakeAudit("animal.event"));
  ASSERT_TRUE(died.ok()) << died.status().ToString();
  EXPECT_FALSE(died->duplicate);
  EXPECT_EQ(died->event.id, Uuid(0xe0001));
  EXPECT_EQ(died->event.kind, AnimalEventKind::kDied);
  EXPECT_EQ(died->event.on, Day("2026-05-20"));
  EXPECT_EQ(died->event.reason, "reason 1");
  EXPECT_EQ(died->event.head, 1);
  EXPECT_EQ(died->event.head_after, 0);
  EXPECT_EQ(died->event.recorded_by, 7);
  EXPECT_EQ(died->event.authority, "KZ-ABY-01");
  EXPECT_EQ(died->animal.ended_kind, AnimalEventKind::kDied);
  EXPECT_EQ(this->AuditRows(), audit_before + 1);

  auto found = this->store().FindAnimalByTag(Tag(1));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->ended_kind, AnimalEventKind::kDied);
  EXPECT_EQ(found->ended_on, Day("2026-05-20"));
  EXPECT_FALSE(found->alive());

  // Another end event: refused, naming kind, and nothing stored.
  for (AnimalEventKind kind :
       {AnimalEventKind::kSlaughtered, AnimalEventKind::kDied, AnimalEventKind::kTagReplaced}) {
    AnimalEventInput again = MakeEvent(2, a.id, kind);
    again.new_tag = Tag(50);
    auto r = this->store().RecordAnimalEvent(again, MakeAudit("animal.event"));
    ASSERT_TRUE(HasCode(r.status(), StatusCode::kFailedPrecondition));
    EXPECT_EQ(r.status().field(), "kind");
  }
  EXPECT_EQ(this->AuditRows(), audit_before + 1);
  EXPECT_TRUE(HasCode(this->store().FindAnimalByTag(Tag(50)).status(), StatusCode::kNotFound));

  // The first event sent again: a duplicate, answered with the stored one, whatever it says now.
  AnimalEventInput resent = MakeEvent(1, a.id, AnimalEventKind::kStolen);
  auto dup = this->store().RecordAnimalEvent(resent, MakeAudit("animal.event"));
  ASSERT_TRUE(dup.ok()) << dup.status().ToString();
  EXPECT_TRUE(dup->duplicate);
  EXPECT_EQ(dup->event.kind, AnimalEventKind::kDied);
  auto events = this->store().ListAnimalEvents(a.id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].id, Uuid(0xe0001));
  EXPECT_EQ((*events)[0].recorded_at, At(1'790'000'000'001));
}

TYPED_TEST(StoreTest, ReplacedTagAndItsSuccessorResolveToTheSameAnimal) {
  Owner o = this->AddOwner(1);
  Animal a = this->AddAnimal(o.id, Tag(1));
  Animal other = this->AddAnimal(o.id, Tag(2));
  AnimalEventInput replace = MakeEvent(1, a.id, AnimalEventKind::kTagReplaced);
  replace.new_tag = Tag(10);
  auto r = this->store().RecordAnimalEvent(replace, MakeAudit("animal.event"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->event.old_tag, Tag(1));
  EXPECT_EQ(r->event.new_tag, Tag(10));
  EXPECT_EQ(r->animal.tag, Tag(10));
  EXPECT_TRUE(r->animal.alive());
  EXPECT_EQ(r->animal.former_tags, std::vector<std::string>{Tag(1)});

  for (const std::string& tag : {Tag(1), Tag(10)}) {
    SCOPED_TRACE(tag);
    auto found = this->store().FindAnimalByTag(tag);
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    EXPECT_EQ(found->id, a.id);
    EXPECT_EQ(found->tag, Tag(10));
    EXPECT_EQ(found->former_tags, std::vector<std::string>{Tag(1)});
  }
  // Replaced again: both former tags, oldest first, still the same animal.
  AnimalEventInput second = MakeEvent(2, a.id, AnimalEventKind::kTagReplaced);
  second.new_tag = Tag(11);
  second.on = Day("2026-05-21");
  ASSERT_TRUE(this->store().RecordAnimalEvent(second, MakeAudit("animal.event")).ok());
  auto found = this->store().FindAnimalByTag(Tag(1));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, a.id);
  EXPECT_EQ(found->tag, Tag(11));
  EXPECT_EQ(found->former_tags, (std::vector<std::string>{Tag(1), Tag(10)}));

  // A tag already known, current or former, is refused naming new_tag, and nothing changes.
  const int64_t audit_before = this->AuditRows();
  for (const std::string& taken : {Tag(2), Tag(1), Tag(10), Tag(11)}) {
    SCOPED_TRACE(taken);
    AnimalEventInput clash = MakeEvent(3, other.id, AnimalEventKind::kTagReplaced);
    clash.new_tag = taken;
    auto refused = this->store().RecordAnimalEvent(clash, MakeAudit("animal.event"));
    ASSERT_TRUE(HasCode(refused.status(), StatusCode::kAlreadyExists));
    EXPECT_EQ(refused.status().field(), "new_tag");
  }
  EXPECT_EQ(this->AuditRows(), audit_before);
  EXPECT_EQ(this->store().FindAnimalByTag(Tag(2))->id, other.id);
  // Registering a former tag anew is refused as a known tag.
  NewAnimal reuse;
  reuse.owner_id = o.id;
  reuse.tag = Tag(1);
  reuse.species = "sheep";
  reuse.authority = "KZ-ABY-01";
  EXPECT_TRUE(HasCode(this->store().CreateAnimal(reuse, MakeAudit("animal.create")).status(),
                      StatusCode::kAlreadyExists));

  // A W1 record sent later with the old tag (an offline phone) lands on the same animal.
  const int64_t animals_before = this->Counts().animals;
  VaccinationInput late = MakeRecord(1, o.phone, {Tag(1)});
  late.species = "sheep";
  auto results = this->Record({late});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, RecordOutcome::kCreated) << results[0].reason.ToString();
  EXPECT_EQ(this->store().FindVaccination(Uuid(1))->animal_ids, std::vector<int64_t>{a.id});
  EXPECT_EQ(this->Counts().animals, animals_before);
  auto events = this->store().ListAnimalEvents(a.id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].new_tag, Tag(10));
  EXPECT_EQ((*events)[1].new_tag, Tag(11));
}

TYPED_TEST(StoreTest, FlockEventsChangeTheHeadCountNeverBelowZero) {
  Owner o = this->AddOwner(1);
  Animal flock = this->AddAnimal(o.id, std::nullopt, 30);
  auto step = [&](int64_t n, AnimalEventKind kind, int32_t head) {
    return this->store().RecordAnimalEvent(MakeEvent(n, flock.id, kind, head),
                                           MakeAudit("animal.event"));
  };
  auto died = step(1, AnimalEventKind::kDied, 5);
  ASSERT_TRUE(died.ok()) << died.status().ToString();
  EXPECT_EQ(died->event.head, 5);
  EXPECT_EQ(died->event.head_after, 25);
  EXPECT_EQ(died->animal.head_count, 25);
  EXPECT_FALSE(died->animal.ended_kind.has_value());
  ASSERT_TRUE(step(2, AnimalEventKind::kBorn, 3).ok());
  const int64_t audit_before = this->AuditRows();
  auto too_many = step(3, AnimalEventKind::kSlaughtered, 29);
  ASSERT_TRUE(HasCode(too_many.status(), StatusCode::kFailedPrecondition));
  EXPECT_EQ(too_many.status().field(), "head");
  EXPECT_EQ(this->AuditRows(), audit_before);
  auto none = step(4, AnimalEventKind::kTagReplaced, 1);
  ASSERT_TRUE(HasCode(none.status(), StatusCode::kInvalidArgument));
  EXPECT_EQ(none.status().field(), "kind");
  auto culled = step(5, AnimalEventKind::kCulled, 28);
  ASSERT_TRUE(culled.ok()) << culled.status().ToString();
  EXPECT_EQ(culled->animal.head_count, 0);
  EXPECT_FALSE(culled->animal.alive());
  auto history = this->store().LoadOwnerHistory(o.id, Day("2020-01-01"));
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->animals.size(), 1u);
  EXPECT_EQ(history->animals[0].head_count, 0);
  auto events = this->store().ListAnimalEvents(flock.id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[1].kind, AnimalEventKind::kBorn);
  EXPECT_EQ((*events)[1].head_after, 28);
}

// A W1 record raises a flock to its head count (store.h), but an offline phone's record dated
// before the flock's last head event does not undo that event: deaths stay counted.
TYPED_TEST(StoreTest, LateRecordDatedBeforeAFlockEventDoesNotRaiseItsHeadCount) {
  Owner o = this->AddOwner(1);
  Animal flock = this->AddAnimal(o.id, std::nullopt, 30);
  ASSERT_TRUE(this->store()
                  .RecordAnimalEvent(MakeEvent(1, flock.id, AnimalEventKind::kDied, 5),
                                     MakeAudit("animal.event"))
                  .ok());
  auto head_now = [&] {
    auto h = this->store().LoadOwnerHistory(o.id, Day("2020-01-01"));
    EXPECT_TRUE(h.ok());
    return h.ok() && h->animals.size() == 1 ? h->animals[0].head_count : -1;
  };
  EXPECT_EQ(head_now(), 25);
  VaccinationInput before = MakeRecord(1, o.phone);
  before.species = "sheep";
  before.head_count = 30;
  before.administered_on = Day("2026-05-10");  // the deaths are dated 2026-05-20
  ASSERT_EQ(this->Record({before})[0].outcome, RecordOutcome::kCreated);
  EXPECT_EQ(head_now(), 25);
  VaccinationInput after = MakeRecord(2, o.phone);
  after.species = "sheep";
  after.head_count = 28;
  after.administered_on = Day("2026-05-25");
  ASSERT_EQ(this->Record({after})[0].outcome, RecordOutcome::kCreated);
  EXPECT_EQ(head_now(), 28);
}

TYPED_TEST(StoreTest, AnimalOutsideTheScopeIsRefusedAndNothingStored) {
  Owner o = this->AddOwner(1);
  Animal a = this->AddAnimal(o.id, Tag(1));
  AnimalEventInput e = MakeEvent(1, a.id, AnimalEventKind::kDied);
  e.scope = "KZ-ALA";
  auto r = this->store().RecordAnimalEvent(e, MakeAudit("animal.event"));
  ASSERT_TRUE(HasCode(r.status(), StatusCode::kPermissionDenied));
  EXPECT_TRUE(this->store().FindAnimalByTag(Tag(1))->alive());
  // Its id is not taken: the rightful recorder stores it.
  e.scope = "KZ-ABY";
  ASSERT_TRUE(this->store().RecordAnimalEvent(e, MakeAudit("animal.event")).ok());
  // Sent again from outside: not even told what it was.
  e.scope = "KZ-ALA";
  auto dup = this->store().RecordAnimalEvent(e, MakeAudit("animal.event"));
  ASSERT_TRUE(HasCode(dup.status(), StatusCode::kPermissionDenied));
  EXPECT_EQ(dup.status().field(), "id");
  EXPECT_TRUE(HasCode(this->store()
                          .RecordAnimalEvent(MakeEvent(2, 999999, AnimalEventKind::kDied),
                                             MakeAudit("animal.event"))
                          .status(),
                      StatusCode::kNotFound));
}

TYPED_TEST(StoreTest, DoseAfterTheAnimalDiedIsRejectedOneBeforeIsKept) {
  Owner o = this->AddOwner(1);
  Animal a = this->AddAnimal(o.id, Tag(1));
  ASSERT_TRUE(
      this->store()
          .RecordAnimalEvent(MakeEvent(1, a.id, AnimalEventKind::kDied), MakeAudit("animal.event"))
          .ok());
  VaccinationInput before = MakeRecord(1, o.phone, {Tag(1)});
  before.species = "sheep";
  before.administered_on = Day("2026-05-20");  // the day it died
  VaccinationInput after = MakeRecord(2, o.phone, {Tag(1)});
  after.species = "sheep";
  after.administered_on = Day("2026-05-21");
  auto results = this->Record({before, after});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].outcome, RecordOutcome::kCreated) << results[0].reason.ToString();
  EXPECT_EQ(results[1].outcome, RecordOutcome::kRejected);
  EXPECT_EQ(results[1].reason.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(results[1].reason.field(), "animal_tags");
  EXPECT_TRUE(HasCode(this->store().FindVaccination(Uuid(2)).status(), StatusCode::kNotFound));
}

// Two devices ending one animal at once (a death and a slaughter, or the same death typed twice
// with two ids): exactly one wins, the others are refused, and one event is stored.
TYPED_TEST(StoreTest, ConcurrentEndEventsOnOneAnimalExactlyOneWins) {
  Owner o = this->AddOwner(1);
  Animal a = this->AddAnimal(o.id, Tag(1));
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::atomic<int> won{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      auto r = this->store_->RecordAnimalEvent(
          MakeEvent(t, a.id, t % 2 ? AnimalEventKind::kDied : AnimalEventKind::kSlaughtered),
          MakeAudit("animal.event", t));
      if (r.ok()) {
        ++won;
      } else if (r.status().code() == StatusCode::kFailedPrecondition) {
        ++refused;
      } else {
        ++other;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(refused.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  auto events = this->store().ListAnimalEvents(a.id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(this->store().FindAnimalByTag(Tag(1))->ended_kind, (*events)[0].kind);
}

// --- timeline (W12) ---

// One snapshot of what the timeline needs: the animal by id (found by its former tag as well), its
// owner, events, the records naming it (voided ones too; not those of its herd-mates or flock),
// the certificates naming it with their consumption, the holdings named, and the recorders.
TYPED_TEST(StoreTest, AnimalTimelineReadsEverySourceOfOneAnimal) {
  auto vaccinator = this->store().CreateUser(
      {"vac.timur", "$h", Role::kVaccinator, "KZ-ABY", At(1)}, MakeAudit("user.create"));
  ASSERT_TRUE(vaccinator.ok()) << vaccinator.status().ToString();
  Owner o = this->AddOwner(1);
  Holding farm = this->AddHolding("F-1", 43.0, 76.0, "KZ-ABY-01", HoldingKind::kFarm, o.id);
  Holding camp = this->AddHolding("C-1", 44.0, 77.0, "KZ-ABY-01", HoldingKind::kWinterCamp, o.id);
  NewAnimal na;
  na.owner_id = o.id;
  na.tag = Tag(1);
  na.species = "cattle";
  na.authority = "KZ-ABY-01";
  na.created_at = At(5000);
  na.holding_id = farm.id;
  auto animal = this->store().CreateAnimal(na, MakeAudit("animal.create"));
  ASSERT_TRUE(animal.ok()) << animal.status().ToString();
  BatchContext ctx = MakeContext();
  ctx.user_id = vaccinator->id;
  VaccinationInput at_camp = MakeRecord(1, o.phone, {Tag(1)});
  at_camp.holding_id = camp.id;
  VaccinationInput later = MakeRecord(2, o.phone, {Tag(1), Tag(2)});
  later.administered_on = Day("2026-05-12");
  VaccinationInput mate_only = MakeRecord(3, o.phone, {Tag(2)});
  VaccinationInput flock = MakeRecord(4, o.phone);
  for (const RecordResult& r : this->Record({at_camp, later, mate_only, flock}, ctx)) {
    ASSERT_EQ(r.outcome, RecordOutcome::kCreated) << r.reason.ToString();
  }
  ASSERT_TRUE(this->store().VoidVaccination(Uuid(1), "typo", At(9), MakeAudit("void")).ok());
  auto mate = this->store().FindAnimalByTag(Tag(2));
  ASSERT_TRUE(mate.ok());
  Certificate named = MakeCertificate(1, o.id, {animal->id, mate->id}, {Tag(1), Tag(2)});
  named.species = "cattle";
  Certificate other = MakeCertificate(2, o.id, {mate->id}, {Tag(2)});
  other.species = "cattle";
  ASSERT_TRUE(this->store().CreateCertificate(named, MakeAudit("certificate.issue")).ok());
  ASSERT_TRUE(this->store().CreateCertificate(other, MakeAudit("certificate.issue")).ok());
  ASSERT_TRUE(this->store()
                  .ConsumeCertificate(named.id,
                                      Consumption{vaccinator->id, "Inspector A", "Almaty market",
                                                  At(1'790'000'100'000)},
                                      MakeAudit("certificate.consume"))
                  .ok());
  AnimalEventInput replaced = MakeEvent(1, animal->id, AnimalEventKind::kTagReplaced);
  replaced.new_tag = Tag(9);
  replaced.user_id = vaccinator->id;
  ASSERT_TRUE(this->store().RecordAnimalEvent(replaced, MakeAudit("animal.event")).ok());

  auto t = this->store().LoadAnimalTimeline(animal->id);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->animal.id, animal->id);
  EXPECT_EQ(t->animal.tag, std::optional<std::string>(Tag(9)));
  EXPECT_EQ(t->animal.former_tags, std::vector<std::string>{Tag(1)});
  EXPECT_EQ(t->owner.id, o.id);
  EXPECT_EQ(t->owner.name, o.name);
  ASSERT_EQ(t->events.size(), 1u);
  EXPECT_EQ(t->events[0].kind, AnimalEventKind::kTagReplaced);
  EXPECT_EQ(t->events[0].old_tag, Tag(1));
  EXPECT_EQ(t->events[0].new_tag, Tag(9));
  // Newest first: the two records naming it, the voided one marked.
  ASSERT_EQ(t->vaccinations.size(), 2u);
  EXPECT_EQ(t->vaccinations[0].id, Uuid(2));
  EXPECT_FALSE(t->vaccinations[0].voided);
  EXPECT_EQ(t->vaccinations[1].id, Uuid(1));
  EXPECT_TRUE(t->vaccinations[1].voided);
  EXPECT_EQ(t->vaccinations[1].holding_id, std::optional<int64_t>(camp.id));
  ASSERT_EQ(t->certificates.size(), 1u);
  EXPECT_EQ(t->certificates[0].id, named.id);
  EXPECT_EQ(t->certificates[0].number, named.number);
  EXPECT_EQ(t->certificates[0].status, CertificateStatus::kConsumed);
  EXPECT_EQ(t->certificates[0].consumed_place, "Almaty market");
  EXPECT_EQ(t->certificates[0].consumed_by_name, "Inspector A");
  EXPECT_EQ(t->certificates[0].consumed_at, std::optional<Timestamp>(At(1'790'000'100'000)));
  EXPECT_EQ(t->certificates[0].hp1, "");
  ASSERT_EQ(t->holdings.size(), 2u);
  EXPECT_EQ(t->holdings[0].id, std::min(farm.id, camp.id));
  EXPECT_EQ(t->holdings[1].id, std::max(farm.id, camp.id));
  ASSERT_EQ(t->recorders.size(), 1u);
  EXPECT_EQ(t->recorders[0].id, vaccinator->id);
  EXPECT_EQ(t->recorders[0].username, "vac.timur");
  EXPECT_EQ(t->recorders[0].password_hash, "");

  // A flock's timeline by its id: its own records only.
  auto flock_unit = this->store().LoadOwnerHistory(o.id, Day("2000-01-01"));
  ASSERT_TRUE(flock_unit.ok());
  int64_t flock_id = 0;
  for (const Animal& a : flock_unit->animals) {
    if (a.is_flock()) flock_id = a.id;
  }
  ASSERT_NE(flock_id, 0);
  auto ft = this->store().LoadAnimalTimeline(flock_id);
  ASSERT_TRUE(ft.ok()) << ft.status().ToString();
  ASSERT_EQ(ft->vaccinations.size(), 1u);
  EXPECT_EQ(ft->vaccinations[0].id, Uuid(4));
  EXPECT_TRUE(ft->certificates.empty());
  EXPECT_TRUE(ft->events.empty());

  EXPECT_TRUE(HasCode(this->store().LoadAnimalTimeline(424242).status(), StatusCode::kNotFound));
}

// --- movements (W13) ---

Consumption MakeArrival(const Certificate& c, int64_t holding_id, std::optional<int64_t> head,
                        std::optional<std::vector<std::string>> tags, int64_t user = 21) {
  Consumption use{user, "insp" + std::to_string(user), "gate", At(1'790'000'100'000 + user)};
  auto compared = CompareArrival(c, head, tags);
  EXPECT_TRUE(compared.ok()) << compared.status().ToString();
  if (compared.ok()) use.arrival = *compared;
  use.arrival.holding_id = holding_id;
  use.on = Day("2026-09-20");
  for (size_t i = 0; i < c.animal_ids.size(); ++i) {
    use.event_ids.push_back(Uuid(0xe00000 + 100 * user + static_cast<int64_t>(i)));
  }
  return use;
}

MovementListQuery Movements(MovementListQuery::Side side, const std::string& scope,
                            std::optional<MovementStatus> status = std::nullopt) {
  MovementListQuery q;
  q.side = side;
  q.scope = scope;
  q.status = status;
  q.now = At(1'790'000'050'000);
  return q;
}

std::vector<std::string> Ids(const Result<std::vector<Certificate>>& page) {
  std::vector<std::string> ids;
  EXPECT_TRUE(page.ok()) << page.status().ToString();
  if (page.ok()) {
    for (const Certificate& c : *page) ids.push_back(c.id);
  }
  return ids;
}

TYPED_TEST(StoreTest, AMovementIsSeenComingAndItsArrivalWithAMismatchReachesTheOrigin) {
  Holding market;
  Certificate c = this->AddMovement(1, HoldingKind::kMarket, &market);
  auto stored = this->store().FindCertificate(c.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->origin_holding_id, c.origin_holding_id);
  EXPECT_EQ(stored->destination_holding_id, market.id);
  EXPECT_FALSE(stored->arrival.has_value());
  using Side = MovementListQuery::Side;
  // The destination holding's authority sees it coming, with the tags expected; others do not.
  auto incoming = this->store().ListMovements(Movements(Side::kIncoming, "KZ-ALA"));
  ASSERT_EQ(Ids(incoming), std::vector<std::string>{c.id});
  EXPECT_EQ((*incoming)[0].tags, (std::vector<std::string>{Tag(2), Tag(3)}));
  EXPECT_EQ((*incoming)[0].head_count, 32);
  EXPECT_TRUE(Ids(this->store().ListMovements(Movements(Side::kIncoming, "KZ-AST"))).empty());
  EXPECT_EQ(Ids(this->store().ListMovements(
                Movements(Side::kOutgoing, "KZ-ABY", MovementStatus::kPlanned))),
            std::vector<std::string>{c.id});

  // 31 head of 32, one certified tag missing and one not on the certificate.
  Consumption use = MakeArrival(c, market.id, 31, std::vector<std::string>{Tag(2), Tag(99)});
  auto arrived = this->store().ConsumeCertificate(c.id, use, MakeAudit("certificate.consume"));
  ASSERT_TRUE(arrived.ok()) << arrived.status().ToString();
  ASSERT_TRUE(arrived->arrival.has_value());
  for (const Certificate& got : {*arrived, *this->store().FindCertificate(c.id)}) {
    ASSERT_TRUE(got.arrival.has_value());
    EXPECT_EQ(got.status, CertificateStatus::kConsumed);
    EXPECT_EQ(got.arrival->holding_id, market.id);
    EXPECT_EQ(got.arrival->head_counted, 31);
    EXPECT_EQ(got.arrival->tags_seen, (std::vector<std::string>{Tag(2), Tag(99)}));
    EXPECT_EQ(got.arrival->missing_tags, std::vector<std::string>{Tag(3)});
    EXPECT_EQ(got.arrival->extra_tags, std::vector<std::string>{Tag(99)});
    EXPECT_TRUE(got.arrival->mismatch);
    EXPECT_EQ(got.arrival->at, use.at);
  }
  // The animal that arrived is kept at the market, the missing one where it was; the whole flock
  // came (31 counted, 1 of them tagged), so it moved.
  EXPECT_EQ(this->store().FindAnimalByTag(Tag(2))->holding_id, market.id);
  EXPECT_EQ(this->store().FindAnimalByTag(Tag(3))->holding_id, std::nullopt);
  EXPECT_EQ(this->store().FindAnimalById(c.animal_ids[2])->holding_id, market.id);
  EXPECT_EQ(this->store().FindAnimalById(c.animal_ids[2])->head_count, 30);
  // Nothing is slaughtered at a market.
  EXPECT_TRUE(this->store().FindAnimalByTag(Tag(2))->alive());
  EXPECT_TRUE(this->store().ListAnimalEvents(c.animal_ids[0])->empty());
  // No longer coming; listed for the origin as a mismatch, not as arrived.
  EXPECT_TRUE(Ids(this->store().ListMovements(Movements(Side::kIncoming, "KZ-ALA"))).empty());
  auto mismatches =
      this->store().ListMovements(Movements(Side::kOutgoing, "KZ-ABY", MovementStatus::kMismatch));
  ASSERT_EQ(Ids(mismatches), std::vector<std::string>{c.id});
  ASSERT_TRUE((*mismatches)[0].arrival.has_value());
  EXPECT_EQ((*mismatches)[0].arrival->missing_tags, std::vector<std::string>{Tag(3)});
  EXPECT_TRUE(Ids(this->store().ListMovements(
                      Movements(Side::kOutgoing, "KZ-ABY", MovementStatus::kArrived)))
                  .empty());
  EXPECT_TRUE(Ids(this->store().ListMovements(
                      Movements(Side::kOutgoing, "KZ-ALA", MovementStatus::kMismatch)))
                  .empty());
}

TYPED_TEST(StoreTest, AnArrivalAtASlaughterhouseSlaughtersTheAnimalsThatCameByTheTagLifeRule) {
  Holding plant;
  Certificate c = this->AddMovement(1, HoldingKind::kSlaughterhouse, &plant);
  // Both tags seen, 20 head counted: 18 of the flock's 30.
  Consumption use = MakeArrival(c, plant.id, 20, std::vector<std::string>{Tag(2), Tag(3)});
  auto arrived = this->store().ConsumeCertificate(c.id, use, MakeAudit("certificate.consume"));
  ASSERT_TRUE(arrived.ok()) << arrived.status().ToString();
  EXPECT_TRUE(arrived->arrival->mismatch);  // fewer head than certified
  for (const std::string& tag : {Tag(2), Tag(3)}) {
    auto a = this->store().FindAnimalByTag(tag);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->ended_kind, AnimalEventKind::kSlaughtered);
    EXPECT_EQ(a->ended_on, Day("2026-09-20"));
    EXPECT_EQ(a->holding_id, plant.id);
    auto events = this->store().ListAnimalEvents(a->id);
    ASSERT_TRUE(events.ok());
    ASSERT_EQ(events->size(), 1u);
    EXPECT_EQ((*events)[0].kind, AnimalEventKind::kSlaughtered);
    EXPECT_EQ((*events)[0].recorded_by, 21);
  }
  auto flock = this->store().FindAnimalById(c.animal_ids[2]);
  ASSERT_TRUE(flock.ok());
  EXPECT_EQ(flock->head_count, 12);
  EXPECT_EQ(flock->holding_id, std::nullopt);  // part of it came: the flock stays where it was
  auto events = this->store().ListAnimalEvents(flock->id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].head, 18);
  EXPECT_EQ((*events)[0].head_after, 12);
}

TYPED_TEST(StoreTest,
           AnArrivalThatCannotBeAppliedLeavesTheCertificateIssuedAndTheAnimalsAsTheyWere) {
  Holding plant;
  Certificate c = this->AddMovement(1, HoldingKind::kSlaughterhouse, &plant);
  const int64_t rows = this->AuditRows();
  Consumption use = MakeArrival(c, plant.id, std::nullopt, std::nullopt);
  use.event_ids.clear();  // the slaughter events cannot be stored: the arrival fails as a whole
  auto refused = this->store().ConsumeCertificate(c.id, use, MakeAudit("certificate.consume"));
  EXPECT_TRUE(HasCode(refused.status(), StatusCode::kInternal));
  auto stored = this->store().FindCertificate(c.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->status, CertificateStatus::kIssued);
  EXPECT_FALSE(stored->arrival.has_value());
  EXPECT_TRUE(this->store().FindAnimalByTag(Tag(2))->alive());
  EXPECT_EQ(this->store().FindAnimalByTag(Tag(2))->holding_id, std::nullopt);
  EXPECT_EQ(this->store().FindAnimalById(c.animal_ids[2])->head_count, 30);
  EXPECT_EQ(this->AuditRows(), rows);
}

TYPED_TEST(StoreTest, OfConcurrentArrivalsOfOneMovementExactlyOneIsApplied) {
  Holding plant;
  Certificate c = this->AddMovement(1, HoldingKind::kSlaughterhouse, &plant);
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::atomic<int> ok{0}, already{0}, other{0};
  std::atomic<int64_t> winner{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each inspector counts a different head: 32, 31, ..., 25.
      Consumption use = MakeArrival(c, plant.id, 32 - t, std::nullopt, 100 + t);
      start.arrive_and_wait();
      auto r = this->store_->ConsumeCertificate(c.id, use, MakeAudit("certificate.consume", t));
      if (r.ok()) {
        ++ok;
        winner = 100 + t;
      } else if (r.status().code() == StatusCode::kAlreadyExists) {
        ++already;
      } else {
        ++other;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(already.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  auto stored = this->store().FindCertificate(c.id);
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->arrival.has_value());
  const int32_t head = static_cast<int32_t>(32 - (winner.load() - 100));
  EXPECT_EQ(stored->arrival->head_counted, head);
  // Slaughtered once: one event per animal, the flock lowered by the winner's count only.
  for (int64_t id : c.animal_ids) {
    auto events = this->store().ListAnimalEvents(id);
    ASSERT_TRUE(events.ok());
    EXPECT_EQ(events->size(), 1u);
  }
  EXPECT_EQ(this->store().FindAnimalById(c.animal_ids[2])->head_count, 30 - (head - 2));
}

TYPED_TEST(StoreTest, ACertificateWithoutHoldingsArrivesWithoutOneAsOlderClientsSendIt) {
  Certificate c = this->AddCertificate(1);
  auto stored = this->store().FindCertificate(c.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->origin_holding_id, std::nullopt);
  EXPECT_EQ(stored->destination_holding_id, std::nullopt);
  // Incoming by its destination authority (KZ-ALA).
  EXPECT_EQ(
      Ids(this->store().ListMovements(Movements(MovementListQuery::Side::kIncoming, "KZ-ALA"))),
      std::vector<std::string>{c.id});
  Consumption old{21, "insp", "gate", At(1'790'000'100'000)};
  auto arrived = this->store().ConsumeCertificate(c.id, old, MakeAudit("certificate.consume"));
  ASSERT_TRUE(arrived.ok()) << arrived.status().ToString();
  ASSERT_TRUE(arrived->arrival.has_value());
  EXPECT_EQ(arrived->arrival->head_counted, std::nullopt);
  EXPECT_EQ(arrived->arrival->holding_id, std::nullopt);
  EXPECT_FALSE(arrived->arrival->mismatch);
  EXPECT_EQ(this->store().FindAnimalByTag(Tag(2))->holding_id, std::nullopt);
  EXPECT_EQ(Ids(this->store().ListMovements(
                Movements(MovementListQuery::Side::kOutgoing, "KZ-ABY", MovementStatus::kArrived))),
            std::vector<std::string>{c.id});
}

}  // namespace
}  // namespace herdpass::testing

namespace herdpass::testing {
namespace {

// --- checkpoint passages (issue 12 item 4) ---

// A passage of `c` at a checkpoint holding, scanned `after_issue_ms` after the certificate's issue.
PassageInput MakePassage(int64_t n, const Certificate& c, int64_t holding_id,
                         int64_t after_issue_ms) {
  PassageInput p;
  p.id = Uuid(0xa55000 + n);
  p.certificate_id = c.id;
  p.holding_id = holding_id;
  p.authority = "KZ-ABY-01";
  p.at = c.issued_at + std::chrono::milliseconds(after_issue_ms);
  p.head_seen = 30;
  p.note = "truck KZ 123 ABC 05, " + std::to_string(n);
  p.user_id = 21;
  p.received_at = At(1'790'500'000'000 + n);
  p.scope = "KZ-ABY";
  return p;
}

TYPED_TEST(StoreTest, PassageIsStoredOnceByItsIdAndListedInScanOrder) {
  Certificate c = this->AddCertificate(1);
  Holding post = this->AddHolding("CP-1", 43.1, 77.1, "KZ-ABY-01", HoldingKind::kCheckpoint);
  const int64_t audit_before = this->AuditRows();
  PassageInput late = MakePassage(1, c, post.id, 3'600'000);
  auto first = this->store().RecordPassage(late, MakeAudit("certificate.passage"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->duplicate);
  EXPECT_EQ(this->AuditRows(), audit_before + 1);
  const Passage& p = first->passage;
  EXPECT_EQ(p.id, late.id);
  EXPECT_EQ(p.certificate_id, c.id);
  EXPECT_EQ(p.holding_id, post.id);
  EXPECT_EQ(p.at, late.at);
  EXPECT_EQ(p.head_seen, 30);
  EXPECT_EQ(p.note, late.note);
  EXPECT_EQ(p.recorded_by, 21);
  EXPECT_EQ(p.received_at, late.received_at);
  EXPECT_EQ(p.flag, PassageFlag::kNone);
  EXPECT_EQ(p.authority, "KZ-ABY-01");

  // Sent again (the phone did not hear the answer), with other content even: stored once.
  PassageInput again = late;
  again.head_seen = 2;
  again.note = "changed";
  auto dup = this->store().RecordPassage(again, MakeAudit("certificate.passage"));
  ASSERT_TRUE(dup.ok()) << dup.status().ToString();
  EXPECT_TRUE(dup->duplicate);
  EXPECT_EQ(dup->passage.head_seen, 30);
  EXPECT_EQ(dup->passage.note, late.note);

  // One scanned earlier and sent later comes first.
  PassageInput early = MakePassage(2, c, post.id, 60'000);
  ASSERT_TRUE(this->store().RecordPassage(early, MakeAudit("certificate.passage")).ok());
  auto list = this->store().ListPassages(c.id);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, early.id);
  EXPECT_EQ((*list)[1].id, late.id);
  EXPECT_EQ((*list)[1].head_seen, 30);
  // Another certificate's list is its own.
  Certificate other = this->AddCertificate(2);
  auto none = this->store().ListPassages(other.id);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TYPED_TEST(StoreTest, PassageIsFlaggedByTheCertificatesStateWhenItWasScanned) {
  Holding post = this->AddHolding("CP-1", 43.1, 77.1, "KZ-ABY-01", HoldingKind::kCheckpoint);
  auto flag_of = [&](const PassageInput& in) {
    auto r = this->store().RecordPassage(in, MakeAudit("certificate.passage"));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->passage.flag : PassageFlag::kNone;
  };
  // Revoked one hour after issue: a scan before is clean, one after is flagged, even when both
  // reach the server after the revocation.
  Certificate revoked = this->AddCertificate(1);
  const Timestamp revoked_at = revoked.issued_at + std::chrono::hours(1);
  ASSERT_TRUE(this->store()
                  .RevokeCertificate(revoked.id, 3, "forged", revoked_at, MakeAudit("revoke"))
                  .ok());
  EXPECT_EQ(flag_of(MakePassage(1, revoked, post.id, 3'599'000)), PassageFlag::kNone);
  EXPECT_EQ(flag_of(MakePassage(2, revoked, post.id, 3'600'000)), PassageFlag::kRevoked);

  // Consumed (arrived) two hours after issue.
  Certificate used = this->AddCertificate(2);
  Consumption arrival{21, "insp", "gate", used.issued_at + std::chrono::hours(2)};
  ASSERT_TRUE(this->store().ConsumeCertificate(used.id, arrival, MakeAudit("consume")).ok());
  EXPECT_EQ(flag_of(MakePassage(3, used, post.id, 3'600'000)), PassageFlag::kNone);
  EXPECT_EQ(flag_of(MakePassage(4, used, post.id, 7'200'001)), PassageFlag::kConsumed);

  // Valid 72 hours; a scan before the issue is a copy or a wrong clock.
  Certificate plain = this->AddCertificate(3);
  EXPECT_EQ(flag_of(MakePassage(5, plain, post.id, 72 * 3'600'000)), PassageFlag::kNone);
  EXPECT_EQ(flag_of(MakePassage(6, plain, post.id, 72 * 3'600'000 + 1)), PassageFlag::kExpired);
  EXPECT_EQ(flag_of(MakePassage(7, plain, post.id, -1)), PassageFlag::kNotYetIssued);

  // The flags are stored as judged.
  auto list = this->store().ListPassages(revoked.id);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].flag, PassageFlag::kNone);
  EXPECT_EQ((*list)[1].flag, PassageFlag::kRevoked);
}

TYPED_TEST(StoreTest, PassageOfAnUnknownCertificateIsNotFoundAndNothingStored) {
  Certificate c = this->AddCertificate(1);
  Holding post = this->AddHolding("CP-1", 43.1, 77.1, "KZ-ABY-01", HoldingKind::kCheckpoint);
  PassageInput in = MakePassage(1, c, post.id, 1000);
  in.certificate_id = Uuid(0xdead);
  const int64_t audit_before = this->AuditRows();
  auto r = this->store().RecordPassage(in, MakeAudit("certificate.passage"));
  ASSERT_TRUE(HasCode(r.status(), StatusCode::kNotFound));
  EXPECT_EQ(this->AuditRows(), audit_before);
  // Its id is not taken: sent for the right certificate it is new.
  in.certificate_id = c.id;
  auto ok = this->store().RecordPassage(in, MakeAudit("certificate.passage"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_FALSE(ok->duplicate);
}

TYPED_TEST(StoreTest, PassageIdOfAnotherJurisdictionIsRefusedWithoutThePassage) {
  Certificate c = this->AddCertificate(1);
  Holding post = this->AddHolding("CP-1", 43.1, 77.1, "KZ-ABY-01", HoldingKind::kCheckpoint);
  PassageInput in = MakePassage(1, c, post.id, 1000);
  ASSERT_TRUE(this->store().RecordPassage(in, MakeAudit("certificate.passage")).ok());
  in.scope = "KZ-ALA";
  auto r = this->store().RecordPassage(in, MakeAudit("certificate.passage"));
  ASSERT_TRUE(HasCode(r.status(), StatusCode::kPermissionDenied));
  EXPECT_EQ(r.status().field(), "id");
}

// --- sale (W8) ---

// A seller (Phone(1)) with two tagged cattle (Tag(1), Tag(2)) and a flock of 5, each with a dose
// on 2026-05-10 (records Uuid(1) and Uuid(2)).
struct Sale {
  int64_t seller_id = 0;
  int64_t flock_id = 0;
};

TransferInput MakeTransfer(int64_t n, int64_t seller_id, std::vector<std::string> tags,
                           std::optional<int64_t> flock_id = std::nullopt, int32_t head = 0) {
  TransferInput t;
  t.id = Uuid(0x5a1e0000 + n);
  t.seller_id = seller_id;
  t.buyer_phone = Phone(2);
  t.buyer_name = "Aigerim Nurlanovna";
  t.tags = std::move(tags);
  t.flock_id = flock_id;
  t.head = head;
  t.on = Day("2026-05-15");
  t.user_id = 7;
  t.scope = "KZ-ABY";
  t.at = At(1'790'000'000'000 + n);
  return t;
}

template <typename Store>
Sale AddSeller(Store& store) {
  auto r = store.RecordVaccinations(
      std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1), Tag(2)}),
                                    MakeRecord(2, Phone(1))},
      MakeContext(), MakeAudit("vaccination.batch"));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  Sale sale;
  if (!r.ok()) return sale;
  sale.seller_id = (*r)[0].owner_id;
  auto flock = store.FindVaccination(Uuid(2));
  EXPECT_TRUE(flock.ok());
  if (flock.ok() && flock->animal_ids.size() == 1) sale.flock_id = flock->animal_ids[0];
  return sale;
}

TYPED_TEST(StoreTest, TransferPassesAnimalsAndFlockHeadsAndTheirDosesFollowThem) {
  const Sale sale = AddSeller(this->store());
  ASSERT_NE(sale.flock_id, 0);
  const int64_t audit_before = this->AuditRows();
  auto r = this->store().RecordTransfer(MakeTransfer(1, sale.seller_id, {Tag(1)}, sale.flock_id, 2),
                                        MakeAudit("transfer.record"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->duplicate);
  EXPECT_TRUE(r->buyer_created);
  EXPECT_EQ(this->AuditRows(), audit_before + 1);
  auto buyer = this->store().FindOwnerByPhone(Phone(2));
  ASSERT_TRUE(buyer.ok());
  EXPECT_EQ(buyer->name, "Aigerim Nurlanovna");
  EXPECT_EQ(buyer->authority, "KZ-ABY-01");  // the seller's
  EXPECT_EQ(r->transfer.buyer_id, buyer->id);
  EXPECT_EQ(r->transfer.seller_id, sale.seller_id);
  ASSERT_EQ(r->transfer.changes.size(), 2u);
  const Animal sold = this->store().FindAnimalByTag(Tag(1)).value();
  EXPECT_EQ(sold.owner_id, buyer->id);
  EXPECT_EQ(this->store().FindAnimalByTag(Tag(2))->owner_id, sale.seller_id);
  EXPECT_EQ(this->store().FindAnimalById(sale.flock_id)->head_count, 3);
  const OwnershipChange& flock_change = r->transfer.changes[1];
  EXPECT_EQ(flock_change.animal_id, sale.flock_id);
  EXPECT_EQ(flock_change.head, 2);
  EXPECT_NE(flock_change.to_animal_id, sale.flock_id);
  auto bought_flock = this->store().FindAnimalById(flock_change.to_animal_id);
  ASSERT_TRUE(bought_flock.ok());
  EXPECT_EQ(bought_flock->owner_id, buyer->id);
  EXPECT_EQ(bought_flock->head_count, 2);
  EXPECT_EQ(r->transfer.changes[0].tag, Tag(1));
  EXPECT_EQ(r->transfer.changes[0].transfer_id, Uuid(0x5a1e0001));

  // The seller's flock has a dose after the sale: not the buyer's heads'.
  VaccinationInput later = MakeRecord(3, Phone(1));
  later.administered_on = Day("2026-05-20");
  this->Record({later});

  auto bought = this->store().LoadOwnerHistoryByPhone(Phone(2), Day("2020-01-01"));
  ASSERT_TRUE(bought.ok()) << bought.status().ToString();
  EXPECT_EQ(bought->animals.size(), 2u);
  EXPECT_TRUE(bought->vaccinations.empty());
  ASSERT_EQ(bought->earlier_vaccinations.size(), 2u);
  std::map<std::string, const EarlierDose*> by_id;
  for (const EarlierDose& e : bought->earlier_vaccinations) by_id[e.vaccination.id] = &e;
  ASSERT_EQ(by_id.count(Uuid(1)), 1u);
  ASSERT_EQ(by_id.count(Uuid(2)), 1u);
  const EarlierDose& tagged = *by_id.at(Uuid(1));
  EXPECT_EQ(tagged.vaccination.animal_ids, std::vector<int64_t>{sold.id});  // not Tag(2)'s
  EXPECT_EQ(tagged.vaccination.head_count, 1);
  EXPECT_EQ(tagged.previous_owner_masked, MaskName("Owner of " + Phone(1)));
  EXPECT_EQ(tagged.sold_on, Day("2026-05-15"));
  const EarlierDose& flock = *by_id.at(Uuid(2));
  EXPECT_EQ(flock.vaccination.animal_ids, std::vector<int64_t>{flock_change.to_animal_id});
  EXPECT_EQ(flock.vaccination.head_count, 2);

  auto seller = this->store().LoadOwnerHistory(sale.seller_id, Day("2020-01-01"));
  ASSERT_TRUE(seller.ok());
  ASSERT_EQ(seller->sold.size(), 2u);
  for (const OwnershipChange& c : seller->sold) EXPECT_EQ(c.on, Day("2026-05-15"));
  EXPECT_EQ(seller->animals.size(), 2u);  // Tag(2) and the flock
  EXPECT_TRUE(seller->earlier_vaccinations.empty());
  auto history = this->store().ListOwnershipChanges(sold.id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].from_owner_id, sale.seller_id);
}

// A buyer's W2 reads each earlier owner's records up to the last day a unit left that owner: a
// dose counts for a unit when given on or before the day it left, not after, whatever the other
// units' days. Tag(1) leaves on 05-15 and Tag(2) on 05-20, both to Phone(2); every dose is stored
// under the seller before the sales are recorded.
TYPED_TEST(StoreTest, BuyersEarlierDosesEndOnTheDayEachUnitLeft) {
  const Sale sale = AddSeller(this->store());  // Uuid(1): Tag(1) and Tag(2) on 05-10
  ASSERT_NE(sale.seller_id, 0);
  auto dose = [](int64_t n, const std::string& tag, const char* on) {
    VaccinationInput v = MakeRecord(n, Phone(1), {tag});
    v.administered_on = Day(on);
    return v;
  };
  this->Record({dose(3, Tag(1), "2026-05-15"), dose(4, Tag(1), "2026-05-16"),
                dose(5, Tag(2), "2026-05-20"), dose(6, Tag(2), "2026-05-21")});
  ASSERT_TRUE(
      this->store()
          .RecordTransfer(MakeTransfer(1, sale.seller_id, {Tag(1)}), MakeAudit("transfer.record"))
          .ok());
  TransferInput second = MakeTransfer(2, sale.seller_id, {Tag(2)});
  second.on = Day("2026-05-20");
  auto r = this->store().RecordTransfer(second, MakeAudit("transfer.record"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const int64_t tag1 = this->store().FindAnimalByTag(Tag(1)).value().id;
  const int64_t tag2 = this->store().FindAnimalByTag(Tag(2)).value().id;

  auto bought = this->store().LoadOwnerHistoryByPhone(Phone(2), Day("2020-01-01"));
  ASSERT_TRUE(bought.ok()) << bought.status().ToString();
  std::vector<std::string> ids;
  for (const EarlierDose& d : bought->earlier_vaccinations) ids.push_back(d.vaccination.id);
  // Newest first: Tag(2)'s on its sale day, Tag(1)'s on its sale day, the dose of both.
  EXPECT_EQ(ids, (std::vector<std::string>{Uuid(5), Uuid(3), Uuid(1)}));
  ASSERT_EQ(bought->earlier_vaccinations.size(), 3u);
  const EarlierDose& on_second_day = bought->earlier_vaccinations[0];
  EXPECT_EQ(on_second_day.vaccination.animal_ids, std::vector<int64_t>{tag2});
  EXPECT_EQ(on_second_day.sold_on, Day("2026-05-20"));
  const EarlierDose& on_first_day = bought->earlier_vaccinations[1];
  EXPECT_EQ(on_first_day.vaccination.animal_ids, std::vector<int64_t>{tag1});
  EXPECT_EQ(on_first_day.sold_on, Day("2026-05-15"));
  const EarlierDose& both = bought->earlier_vaccinations[2];
  EXPECT_EQ(both.vaccination.animal_ids, (std::vector<int64_t>{tag1, tag2}));
  EXPECT_EQ(both.vaccination.head_count, 2);
  EXPECT_EQ(both.sold_on, Day("2026-05-15"));
  // Decoded whole: the fields a dose shows.
  EXPECT_EQ(on_second_day.vaccination.batch_no, "B-2026-5");
  EXPECT_EQ(on_second_day.vaccination.owner_id, sale.seller_id);
  EXPECT_EQ(on_second_day.vaccination.administered_on, Day("2026-05-20"));
  EXPECT_EQ(on_second_day.previous_owner_masked, MaskName("Owner of " + Phone(1)));
  // Read from a day after Tag(1)'s sale: only Tag(2)'s dose on its sale day.
  auto recent = this->store().LoadOwnerHistoryByPhone(Phone(2), Day("2026-05-16"));
  ASSERT_TRUE(recent.ok()) << recent.status().ToString();
  ASSERT_EQ(recent->earlier_vaccinations.size(), 1u);
  EXPECT_EQ(recent->earlier_vaccinations[0].vaccination.id, Uuid(5));
}

// The earlier doses of a sold animal and of heads sold from a flock are read by the units they
// name (Codecs::ReadVaccinationsOfAnimals): a dose voided and its correction before the sale, a
// dose voided after it, and a flock dose entered after the sale for a day before it all show to
// the buyer, each as stored now; a flock dose given after the sale and the doses of the units kept
// do not.
TYPED_TEST(StoreTest, BuyersEarlierDosesAreTheSoldUnitsDosesAsStoredNow) {
  const Sale sale = AddSeller(this->store());  // Uuid(1): Tag(1) and Tag(2); Uuid(2): the flock
  ASSERT_NE(sale.flock_id, 0);
  auto tagged = [](int64_t n, const std::string& tag, const char* on) {
    VaccinationInput v = MakeRecord(n, Phone(1), {tag});
    v.administered_on = Day(on);
    return v;
  };
  this->Record({tagged(3, Tag(1), "2026-05-12"), tagged(8, Tag(2), "2026-05-12")});
  ASSERT_TRUE(this->store().VoidVaccination(Uuid(3), "typo", At(1), MakeAudit("void")).ok());
  VaccinationInput correction = tagged(4, Tag(1), "2026-05-12");
  correction.corrects = Uuid(3);
  ASSERT_EQ(this->Record({correction})[0].outcome, RecordOutcome::kCreated);
  auto r = this->store().RecordTransfer(MakeTransfer(1, sale.seller_id, {Tag(1)}, sale.flock_id, 2),
                                        MakeAudit("transfer.record"));  // on 05-15
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const int64_t tag1 = this->store().FindAnimalByTag(Tag(1)).value().id;
  const int64_t bought_flock = r->transfer.changes.at(1).to_animal_id;
  // After the sale: the seller's flock dosed on a day before it and on a day after it, and the
  // dose of both tagged animals voided.
  this->Record({MakeRecordOn(5, Phone(1), "2026-05-14"), MakeRecordOn(6, Phone(1), "2026-05-16")});
  ASSERT_TRUE(this->store().VoidVaccination(Uuid(1), "wrong batch", At(2), MakeAudit("void")).ok());

  auto bought = this->store().LoadOwnerHistoryByPhone(Phone(2), Day("2020-01-01"));
  ASSERT_TRUE(bought.ok()) << bought.status().ToString();
  std::vector<std::string> ids;
  for (const EarlierDose& d : bought->earlier_vaccinations) ids.push_back(d.vaccination.id);
  // Newest first (by day, then id): the late flock dose, the voided dose and its correction, then
  // the two doses of the first day.
  EXPECT_EQ(ids, (std::vector<std::string>{Uuid(5), Uuid(4), Uuid(3), Uuid(2), Uuid(1)}));
  std::map<std::string, const EarlierDose*> by_id;
  for (const EarlierDose& d : bought->earlier_vaccinations) by_id[d.vaccination.id] = &d;
  ASSERT_EQ(by_id.size(), 5u);
  const Vaccination& voided_before = by_id.at(Uuid(3))->vaccination;
  EXPECT_TRUE(voided_before.voided);
  EXPECT_EQ(voided_before.void_reason, "typo");
  EXPECT_EQ(voided_before.animal_ids, std::vector<int64_t>{tag1});
  const Vaccination& corrects = by_id.at(Uuid(4))->vaccination;
  EXPECT_FALSE(corrects.voided);
  EXPECT_EQ(corrects.corrects, Uuid(3));
  EXPECT_EQ(corrects.animal_ids, std::vector<int64_t>{tag1});
  const Vaccination& voided_after = by_id.at(Uuid(1))->vaccination;
  EXPECT_TRUE(voided_after.voided);
  EXPECT_EQ(voided_after.void_reason, "wrong batch");
  EXPECT_EQ(voided_after.animal_ids, std::vector<int64_t>{tag1});  // not Tag(2)'s
  const EarlierDose& late = *by_id.at(Uuid(5));
  EXPECT_EQ(late.vaccination.animal_ids, std::vector<int64_t>{bought_flock});
  EXPECT_EQ(late.vaccination.head_count, 2);
  EXPECT_EQ(late.sold_on, Day("2026-05-15"));
  EXPECT_EQ(late.previous_owner_masked, MaskName("Owner of " + Phone(1)));
}

// A tagged animal sold A to B, then B to C: C's W2 shows its doses under A and under B, each with
// the owner it was given under and the day the animal left that owner; B's shows it sold.
TYPED_TEST(StoreTest, ATaggedAnimalsDosesFollowItAcrossTwoSales) {
  const Sale sale = AddSeller(this->store());  // A: Phone(1); Uuid(1): Tag(1) and Tag(2) on 05-10
  ASSERT_NE(sale.seller_id, 0);
  ASSERT_TRUE(
      this->store()
          .RecordTransfer(MakeTransfer(1, sale.seller_id, {Tag(1)}), MakeAudit("transfer.record"))
          .ok());  // to B on 05-15
  auto b = this->store().FindOwnerByPhone(Phone(2));
  ASSERT_TRUE(b.ok());
  VaccinationInput under_b = MakeRecord(7, Phone(2), {Tag(1)});
  under_b.administered_on = Day("2026-05-17");
  ASSERT_EQ(this->Record({under_b})[0].outcome, RecordOutcome::kCreated);
  TransferInput b_to_c = MakeTransfer(2, b->id, {Tag(1)});
  b_to_c.buyer_phone = Phone(3);
  b_to_c.buyer_name = "Owner C";
  b_to_c.on = Day("2026-05-20");
  auto to_c = this->store().RecordTransfer(b_to_c, MakeAudit("transfer.record"));
  ASSERT_TRUE(to_c.ok()) << to_c.status().ToString();
  const int64_t tag1 = this->store().FindAnimalByTag(Tag(1)).value().id;

  auto c = this->store().LoadOwnerHistoryByPhone(Phone(3), Day("2020-01-01"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->vaccinations.empty());
  ASSERT_EQ(c->earlier_vaccinations.size(), 2u);
  const EarlierDose& from_b = c->earlier_vaccinations[0];  // newest first
  EXPECT_EQ(from_b.vaccination.id, Uuid(7));
  EXPECT_EQ(from_b.previous_owner_masked, MaskName(b->name));
  EXPECT_EQ(from_b.sold_on, Day("2026-05-20"));
  EXPECT_EQ(from_b.vaccination.animal_ids, std::vector<int64_t>{tag1});
  const EarlierDose& from_a = c->earlier_vaccinations[1];
  EXPECT_EQ(from_a.vaccination.id, Uuid(1));
  EXPECT_EQ(from_a.previous_owner_masked, MaskName("Owner of " + Phone(1)));
  EXPECT_EQ(from_a.sold_on, Day("2026-05-15"));
  EXPECT_EQ(from_a.vaccination.animal_ids, std::vector<int64_t>{tag1});
  EXPECT_EQ(from_a.vaccination.head_count, 1);

  auto b_history = this->store().LoadOwnerHistory(b->id, Day("2020-01-01"));
  ASSERT_TRUE(b_history.ok()) << b_history.status().ToString();
  ASSERT_EQ(b_history->vaccinations.size(), 1u);
  EXPECT_EQ(b_history->vaccinations[0].id, Uuid(7));
  // The animal left B: B's W2 shows it sold, and no longer its doses under A.
  EXPECT_TRUE(b_history->earlier_vaccinations.empty());
  ASSERT_EQ(b_history->sold.size(), 1u);
  EXPECT_EQ(b_history->sold[0].on, Day("2026-05-20"));
}

TYPED_TEST(StoreTest, TransferSentAgainIsStoredOnce) {
  const Sale sale = AddSeller(this->store());
  ASSERT_TRUE(this->store()
                  .RecordTransfer(MakeTransfer(1, sale.seller_id, {}, sale.flock_id, 2),
                                  MakeAudit("transfer.record"))
                  .ok());
  auto again = this->store().RecordTransfer(
      MakeTransfer(1, sale.seller_id, {Tag(2)}, sale.flock_id, 3), MakeAudit("transfer.record"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->duplicate);
  ASSERT_EQ(again->transfer.changes.size(), 1u);
  EXPECT_EQ(again->transfer.changes[0].head, 2);
  EXPECT_EQ(this->store().FindAnimalById(sale.flock_id)->head_count, 3);
  EXPECT_EQ(this->store().FindAnimalByTag(Tag(2))->owner_id, sale.seller_id);
}

TYPED_TEST(StoreTest, SellingWhatIsNoLongerTheSellersIsRefusedAndStoresNothing) {
  const Sale sale = AddSeller(this->store());
  ASSERT_TRUE(
      this->store()
          .RecordTransfer(MakeTransfer(1, sale.seller_id, {Tag(1)}), MakeAudit("transfer.record"))
          .ok());
  const int64_t audit_before = this->AuditRows();
  const StoreCounts counts_before = this->Counts();
  // Tag(2) is still the seller's, Tag(1) is not any more: the whole sale is refused.
  TransferInput again = MakeTransfer(2, sale.seller_id, {Tag(2), Tag(1)}, sale.flock_id, 1);
  again.buyer_phone = Phone(3);
  auto r = this->store().RecordTransfer(again, MakeAudit("transfer.record"));
  ASSERT_TRUE(HasCode(r.status(), StatusCode::kFailedPrecondition));
  EXPECT_EQ(r.status().field(), "tags[1]");
  // More head than the flock has: refused naming head.
  TransferInput too_many = MakeTransfer(3, sale.seller_id, {Tag(2)}, sale.flock_id, 6);
  too_many.buyer_phone = Phone(3);
  auto r2 = this->store().RecordTransfer(too_many, MakeAudit("transfer.record"));
  ASSERT_TRUE(HasCode(r2.status(), StatusCode::kFailedPrecondition));
  EXPECT_EQ(r2.status().field(), "head");
  EXPECT_EQ(this->AuditRows(), audit_before);
  EXPECT_EQ(this->Counts().owners, counts_before.owners);
  EXPECT_EQ(this->Counts().animals, counts_before.animals);
  EXPECT_TRUE(HasCode(this->store().FindOwnerByPhone(Phone(3)).status(), StatusCode::kNotFound));
  EXPECT_EQ(this->store().FindAnimalByTag(Tag(2))->owner_id, sale.seller_id);
  EXPECT_EQ(this->store().FindAnimalById(sale.flock_id)->head_count, 5);
  EXPECT_TRUE(this->store().ListOwnershipChanges(sale.flock_id)->empty());
  // Outside the vet's jurisdiction: refused naming the seller.
  TransferInput foreign = MakeTransfer(4, sale.seller_id, {Tag(2)});
  foreign.scope = "KZ-ALM";
  auto r3 = this->store().RecordTransfer(foreign, MakeAudit("transfer.record"));
  ASSERT_TRUE(HasCode(r3.status(), StatusCode::kPermissionDenied));
  EXPECT_EQ(r3.status().field(), "seller_id");
  EXPECT_EQ(this->store().FindAnimalByTag(Tag(2))->owner_id, sale.seller_id);
}

TYPED_TEST(StoreTest, SaleCertificateNamesItsBuyerCreatedOnTheSpot) {
  Owner o = this->AddOwner(1);
  Animal a = this->AddAnimal(o.id, Tag(1));
  Certificate c = MakeCertificate(1, o.id, {a.id}, {Tag(1)});
  c.purpose = Purpose::kSale;
  c.buyer_phone = Phone(9);
  c.buyer_name = "Buyer Nine";
  Status s = this->store().CreateCertificate(c, MakeAudit("certificate.issue"));
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto buyer = this->store().FindOwnerByPhone(Phone(9));
  ASSERT_TRUE(buyer.ok());
  EXPECT_EQ(buyer->name, "Buyer Nine");
  EXPECT_EQ(buyer->authority, c.destination);
  auto stored = this->store().FindCertificate(c.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->buyer_id, buyer->id);
  // The animal is still the seller's: it passes at arrival.
  EXPECT_EQ(this->store().FindAnimalByTag(Tag(1))->owner_id, o.id);

  // The owner as its own buyer: refused naming buyer_phone, nothing stored.
  Certificate self = MakeCertificate(2, o.id, {a.id}, {Tag(1)});
  self.purpose = Purpose::kSale;
  self.buyer_phone = o.phone;
  const int64_t audit_before = this->AuditRows();
  Status refused = this->store().CreateCertificate(self, MakeAudit("certificate.issue"));
  ASSERT_TRUE(HasCode(refused, StatusCode::kInvalidArgument));
  EXPECT_EQ(refused.field(), "buyer_phone");
  EXPECT_TRUE(HasCode(this->store().FindCertificate(self.id).status(), StatusCode::kNotFound));
  EXPECT_EQ(this->AuditRows(), audit_before);
  // Certificates without a buyer read back none.
  Certificate plain = this->AddCertificate(3);
  EXPECT_EQ(this->store().FindCertificate(plain.id)->buyer_id, 0);
}

// W8 at arrival: a sale certificate's animals that came, and the flock's heads counted, pass to
// the buyer in the consume transaction; a tag missing at arrival stays the seller's. The buyer's
// W2 then shows the doses given before the sale.
TYPED_TEST(StoreTest, AnArrivalOfASaleCertificatePassesWhatCameToTheBuyer) {
  const Sale sale = AddSeller(this->store());
  auto tag1 = this->store().FindAnimalByTag(Tag(1));
  auto tag2 = this->store().FindAnimalByTag(Tag(2));
  ASSERT_TRUE(tag1.ok() && tag2.ok());
  Certificate c =
      MakeCertificate(1, sale.seller_id, {tag1->id, tag2->id, sale.flock_id}, {Tag(1), Tag(2)});
  c.purpose = Purpose::kSale;
  c.head_count = 7;  // two tagged and five of the flock
  c.buyer_phone = Phone(9);
  c.buyer_name = "Buyer Nine";
  ASSERT_TRUE(this->store().CreateCertificate(c, MakeAudit("certificate.issue")).ok());
  auto buyer = this->store().FindOwnerByPhone(Phone(9));
  ASSERT_TRUE(buyer.ok());

  // Tag(2) did not come, and only 4 of the flock's 5 heads: 5 head counted.
  Consumption use{21, "insp21", "market", At(1'790'000'100'000)};
  auto compared = CompareArrival(c, 5, std::vector<std::string>{Tag(1)});
  ASSERT_TRUE(compared.ok()) << compared.status().ToString();
  use.arrival = *compared;
  use.on = Day("2026-06-01");
  auto arrived = this->store().ConsumeCertificate(c.id, use, MakeAudit("certificate.consume"));
  ASSERT_TRUE(arrived.ok()) << arrived.status().ToString();

  EXPECT_EQ(this->store().FindAnimalByTag(Tag(1))->owner_id, buyer->id);
  EXPECT_EQ(this->store().FindAnimalByTag(Tag(2))->owner_id, sale.seller_id);
  EXPECT_EQ(this->store().FindAnimalById(sale.flock_id)->head_count, 1);
  auto bought = this->store().LoadOwnerHistoryByPhone(Phone(9), Day("2020-01-01"));
  ASSERT_TRUE(bought.ok()) << bought.status().ToString();
  int32_t flock_heads = 0;
  for (const Animal& a : bought->animals) {
    if (a.is_flock()) flock_heads += a.head_count;
  }
  EXPECT_EQ(flock_heads, 4);
  std::vector<std::string> earlier;
  for (const EarlierDose& d : bought->earlier_vaccinations) earlier.push_back(d.vaccination.id);
  std::sort(earlier.begin(), earlier.end());
  std::vector<std::string> expected{Uuid(1), Uuid(2)};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(earlier, expected);
  auto seller = this->store().LoadOwnerHistory(sale.seller_id, Day("2020-01-01"));
  ASSERT_TRUE(seller.ok());
  EXPECT_EQ(seller->sold.size(), 2u);  // Tag(1) and the flock's heads
}

// --- journeys (issue 12 item 6) ---

// The timeline's data tells where the animal was kept and since when, the passages and the
// arrival of its certificates, and its owners; the doses given under the seller follow it.
TYPED_TEST(StoreTest, TimelineDataHasTheStaysPassagesArrivalAndOwnersOfTheAnimal) {
  Owner seller = this->AddOwner(1);
  Holding farm = this->AddHolding("F-1", 48.1, 80.1, "KZ-ABY-01", HoldingKind::kFarm, seller.id);
  Holding market = this->AddHolding("M-1", 43.2, 76.9, "KZ-ALA-02", HoldingKind::kMarket);
  Holding post = this->AddHolding("CP-1", 43.1, 77.1, "KZ-ABY-01", HoldingKind::kCheckpoint);
  NewAnimal na;
  na.owner_id = seller.id;
  na.tag = Tag(1);
  na.species = "cattle";
  na.authority = "KZ-ABY-01";
  na.created_at = At(5000);
  na.holding_id = farm.id;
  auto animal = this->store().CreateAnimal(na, MakeAudit("animal.create"));
  ASSERT_TRUE(animal.ok()) << animal.status().ToString();
  ASSERT_EQ(this->Record({MakeRecord(1, seller.phone, {Tag(1)})})[0].outcome,
            RecordOutcome::kCreated);
  Certificate c = MakeCertificate(1, seller.id, {animal->id}, {Tag(1)});
  c.species = "cattle";
  c.head_count = 1;
  c.origin_holding_id = farm.id;
  c.destination_holding_id = market.id;
  c.purpose = Purpose::kSale;
  c.buyer_phone = Phone(9);
  c.buyer_name = "Buyer Nine";
  ASSERT_TRUE(this->store().CreateCertificate(c, MakeAudit("certificate.issue")).ok());
  PassageInput passage = MakePassage(1, c, post.id, 3'600'000);
  ASSERT_TRUE(this->store().RecordPassage(passage, MakeAudit("certificate.passage")).ok());
  Consumption use = MakeArrival(c, market.id, 1, std::vector<std::string>{Tag(1)});
  auto arrived = this->store().ConsumeCertificate(c.id, use, MakeAudit("certificate.consume"));
  ASSERT_TRUE(arrived.ok()) << arrived.status().ToString();
  auto buyer = this->store().FindOwnerByPhone(Phone(9));
  ASSERT_TRUE(buyer.ok());

  auto t = this->store().LoadAnimalTimeline(animal->id);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->owner.id, buyer->id);
  // Kept at the farm since its registration, at the market since it arrived there.
  ASSERT_EQ(t->stays.size(), 2u);
  EXPECT_EQ(t->stays[0].holding_id, farm.id);
  EXPECT_EQ(t->stays[0].since, At(5000));
  EXPECT_EQ(t->stays[0].certificate_id, "");
  EXPECT_EQ(t->stays[1].holding_id, market.id);
  EXPECT_EQ(t->stays[1].since, use.at);
  EXPECT_EQ(t->stays[1].certificate_id, c.id);
  ASSERT_EQ(t->passages.size(), 1u);
  EXPECT_EQ(t->passages[0].id, passage.id);
  EXPECT_EQ(t->passages[0].holding_id, post.id);
  EXPECT_EQ(t->passages[0].at, passage.at);
  EXPECT_EQ(t->passages[0].flag, PassageFlag::kNone);
  ASSERT_EQ(t->certificates.size(), 1u);
  ASSERT_TRUE(t->certificates[0].arrival.has_value());
  EXPECT_EQ(t->certificates[0].arrival->holding_id, std::optional<int64_t>(market.id));
  EXPECT_EQ(t->certificates[0].arrival->head_counted, std::optional<int32_t>(1));
  EXPECT_FALSE(t->certificates[0].arrival->mismatch);
  EXPECT_EQ(t->certificates[0].arrival->at, use.at);
  EXPECT_EQ(t->certificates[0].origin_holding_id, std::optional<int64_t>(farm.id));
  ASSERT_EQ(t->changes.size(), 1u);
  EXPECT_EQ(t->changes[0].from_owner_id, seller.id);
  EXPECT_EQ(t->changes[0].to_owner_id, buyer->id);
  EXPECT_EQ(t->changes[0].certificate_id, c.id);
  EXPECT_EQ(t->changes[0].on, use.on);
  ASSERT_EQ(t->owners.size(), 2u);
  EXPECT_EQ(t->owners[0].id, std::min(seller.id, buyer->id));
  EXPECT_EQ(t->owners[1].id, std::max(seller.id, buyer->id));
  // The dose given under the seller is in the buyer's timeline, marked as the seller's.
  EXPECT_TRUE(t->vaccinations.empty());
  ASSERT_EQ(t->earlier_vaccinations.size(), 1u);
  EXPECT_EQ(t->earlier_vaccinations[0].vaccination.id, Uuid(1));
  EXPECT_EQ(t->earlier_vaccinations[0].previous_owner_masked, MaskName(seller.name));
  std::vector<int64_t> holdings;
  for (const Holding& h : t->holdings) holdings.push_back(h.id);
  std::vector<int64_t> expected{farm.id, market.id, post.id};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(holdings, expected);
}

// W8 across two sales: a flock's heads sold A to B, then B to C. C's W2 shows the doses given
// under A and under B, each with the masked name of the owner it was given under.
TYPED_TEST(StoreTest, FlockDosesFollowTheHeadsAcrossTwoSales) {
  const Sale sale = AddSeller(this->store());  // A: Phone(1), a flock of 5 with dose Uuid(2)
  ASSERT_NE(sale.flock_id, 0);
  auto to_b = this->store().RecordTransfer(MakeTransfer(1, sale.seller_id, {}, sale.flock_id, 4),
                                           MakeAudit("transfer.record"));
  ASSERT_TRUE(to_b.ok()) << to_b.status().ToString();
  const int64_t b_flock = to_b->transfer.changes.at(0).to_animal_id;
  auto b = this->store().FindOwnerByPhone(Phone(2));
  ASSERT_TRUE(b.ok());
  // B doses its flock, then sells 3 heads to C.
  VaccinationInput under_b = MakeRecord(7, Phone(2));
  under_b.administered_on = Day("2026-05-18");
  ASSERT_EQ(this->Record({under_b})[0].outcome, RecordOutcome::kCreated);
  ASSERT_EQ(this->store().FindVaccination(Uuid(7))->animal_ids, std::vector<int64_t>{b_flock});
  TransferInput b_to_c = MakeTransfer(2, b->id, {}, b_flock, 3);
  b_to_c.buyer_phone = Phone(3);
  b_to_c.buyer_name = "Owner C";
  b_to_c.on = Day("2026-05-20");
  auto to_c = this->store().RecordTransfer(b_to_c, MakeAudit("transfer.record"));
  ASSERT_TRUE(to_c.ok()) << to_c.status().ToString();
  const int64_t c_flock = to_c->transfer.changes.at(0).to_animal_id;

  auto c = this->store().LoadOwnerHistoryByPhone(Phone(3), Day("2020-01-01"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  std::map<std::string, EarlierDose> by_id;
  for (const EarlierDose& d : c->earlier_vaccinations) by_id.emplace(d.vaccination.id, d);
  ASSERT_EQ(by_id.size(), 2u);
  ASSERT_EQ(by_id.count(Uuid(2)), 1u);  // under A
  ASSERT_EQ(by_id.count(Uuid(7)), 1u);  // under B
  const EarlierDose& from_a = by_id.at(Uuid(2));
  EXPECT_EQ(from_a.previous_owner_masked, MaskName("Owner of " + Phone(1)));
  EXPECT_EQ(from_a.vaccination.animal_ids, std::vector<int64_t>{c_flock});
  EXPECT_EQ(from_a.vaccination.head_count, 3);  // at most the heads that reached C
  EXPECT_EQ(from_a.sold_on, Day("2026-05-15"));
  const EarlierDose& from_b = by_id.at(Uuid(7));
  EXPECT_EQ(from_b.previous_owner_masked, MaskName(b->name));
  EXPECT_EQ(from_b.vaccination.animal_ids, std::vector<int64_t>{c_flock});
  EXPECT_EQ(from_b.vaccination.head_count, 3);
  EXPECT_EQ(from_b.sold_on, Day("2026-05-20"));
}

// A flock's heads sold are a head event of the seller's flock, stored with the sale: at the farm
// (by transfer) and at the arrival of a sale certificate alike.
TYPED_TEST(StoreTest, FlockHeadsSoldAreAHeadEventOfTheSellersFlock) {
  const Sale sale = AddSeller(this->store());
  ASSERT_NE(sale.flock_id, 0);
  TransferInput in = MakeTransfer(1, sale.seller_id, {Tag(1)}, sale.flock_id, 2);
  ASSERT_TRUE(this->store().RecordTransfer(in, MakeAudit("transfer.record")).ok());
  auto events = this->store().ListAnimalEvents(sale.flock_id);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 1u);
  const AnimalEvent& sold = (*events)[0];
  EXPECT_EQ(sold.kind, AnimalEventKind::kSold);
  EXPECT_EQ(sold.on, in.on);
  EXPECT_EQ(sold.head, 2);
  EXPECT_EQ(sold.head_after, 3);
  EXPECT_EQ(sold.recorded_by, in.user_id);
  EXPECT_EQ(sold.recorded_at, in.at);
  EXPECT_EQ(sold.reason, "sold to " + MaskName("Aigerim Nurlanovna"));
  // The tagged animal sold whole has no head event.
  EXPECT_TRUE(this->store().ListAnimalEvents(this->store().FindAnimalByTag(Tag(1))->id)->empty());
  // Sent again: stored once, no second event.
  ASSERT_TRUE(this->store().RecordTransfer(in, MakeAudit("transfer.record"))->duplicate);
  EXPECT_EQ(this->store().ListAnimalEvents(sale.flock_id)->size(), 1u);

  // At the arrival of a sale certificate: 2 more heads.
  Certificate c = MakeCertificate(1, sale.seller_id, {sale.flock_id}, {});
  c.species = "cattle";
  c.purpose = Purpose::kSale;
  c.head_count = 2;
  c.buyer_phone = Phone(9);
  c.buyer_name = "Buyer Nine";
  ASSERT_TRUE(this->store().CreateCertificate(c, MakeAudit("certificate.issue")).ok());
  Consumption use{21, "insp21", "market", At(1'790'000'100'000)};
  auto compared = CompareArrival(c, 2, std::nullopt);
  ASSERT_TRUE(compared.ok()) << compared.status().ToString();
  use.arrival = *compared;
  use.on = Day("2026-06-01");
  use.event_ids = {Uuid(0xe0001)};
  ASSERT_TRUE(this->store().ConsumeCertificate(c.id, use, MakeAudit("certificate.consume")).ok());
  events = this->store().ListAnimalEvents(sale.flock_id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[1].kind, AnimalEventKind::kSold);
  EXPECT_EQ((*events)[1].on, Day("2026-06-01"));
  EXPECT_EQ((*events)[1].head, 2);
  EXPECT_EQ((*events)[1].head_after, 1);
  EXPECT_EQ((*events)[1].reason,
            "sold to " + MaskName("Buyer Nine") + " with certificate " + c.number);
  EXPECT_EQ(this->store().FindAnimalById(sale.flock_id)->head_count, 1);
}

// --- certificate uses (W5, issue 14 item 5) ---

// A scan at the destination by inspector `user` with the device-made id Uuid(id_n), scanned at
// `scanned` and received at `received`, at `place`.
CertificateUseInput ScanOf(int64_t id_n, int64_t user, const std::string& place, Timestamp scanned,
                           Timestamp received, const std::string& authority = "KZ-ALA") {
  CertificateUseInput in;
  in.use.id = Uuid(0x5ca0000 + id_n);
  in.use.scanned_at = scanned;
  in.use.received_at = received;
  in.use.user_id = user;
  in.use.user_name = "insp" + std::to_string(user);
  in.use.place = place;
  in.use.head_counted = 30;
  in.use.authority = authority;
  in.consumption = Consumption{user, in.use.user_name, place, scanned};
  in.consumed = MakeAudit("certificate.consume", user);
  in.double_used = MakeAudit("certificate.double_use", user);
  return in;
}

TYPED_TEST(StoreTest, FirstUseIsKeptAndASecondIsRecordedAsADoubleUseWithBothScans) {
  Certificate c = this->AddCertificate(1);
  const int64_t rows = this->AuditRows();
  const CertificateUseInput first =
      ScanOf(1, 21, "Almaty meat plant", At(1'790'000'100'000), At(1'790'000'900'000));
  auto used = this->store().UseCertificate(c.id, first);
  ASSERT_TRUE(used.ok()) << used.status().ToString();
  EXPECT_FALSE(used->duplicate);
  EXPECT_FALSE(used->use.double_use);
  EXPECT_EQ(used->use.id, first.use.id);
  EXPECT_EQ(used->first.id, first.use.id);
  EXPECT_EQ(used->certificate.status, CertificateStatus::kConsumed);
  // Consumed when scanned (offline, received later), by whom and where.
  EXPECT_EQ(used->certificate.consumed_at, first.use.scanned_at);
  EXPECT_EQ(used->certificate.consumed_by, 21);
  EXPECT_EQ(used->certificate.consumed_place, "Almaty meat plant");
  EXPECT_EQ(this->AuditRows(), rows + 1);

  const CertificateUseInput second =
      ScanOf(2, 22, "Almaty market", At(1'790'000'200'000), At(1'790'001'000'000), "KZ-ALA-02");
  auto twice = this->store().UseCertificate(c.id, second);
  ASSERT_TRUE(twice.ok()) << twice.status().ToString();
  EXPECT_FALSE(twice->duplicate);
  EXPECT_TRUE(twice->use.double_use);
  EXPECT_EQ(twice->use.id, second.use.id);
  EXPECT_EQ(twice->first.id, first.use.id);
  EXPECT_EQ(twice->first.user_name, "insp21");
  // The first use stays the certificate's.
  EXPECT_EQ(twice->certificate.consumed_by, 21);
  EXPECT_EQ(twice->certificate.consumed_place, "Almaty meat plant");
  EXPECT_EQ(this->AuditRows(), rows + 2);
  AuditQuery q;
  q.all_authorities = true;
  q.action = "certificate.double_use";
  auto audited = this->store().ListAudit(q);
  ASSERT_TRUE(audited.ok());
  ASSERT_EQ(audited->size(), 1u);
  EXPECT_EQ((*audited)[0].entry.user_id, 22);

  auto uses = this->store().ListCertificateUses(c.id);
  ASSERT_TRUE(uses.ok()) << uses.status().ToString();
  ASSERT_EQ(uses->size(), 2u);
  const CertificateUse& a = (*uses)[0];
  const CertificateUse& b = (*uses)[1];
  EXPECT_EQ(a.id, first.use.id);
  EXPECT_FALSE(a.double_use);
  EXPECT_EQ(a.certificate_id, c.id);
  EXPECT_EQ(a.scanned_at, first.use.scanned_at);
  EXPECT_EQ(a.received_at, first.use.received_at);
  EXPECT_EQ(a.user_id, 21);
  EXPECT_EQ(a.user_name, "insp21");
  EXPECT_EQ(a.place, "Almaty meat plant");
  EXPECT_EQ(a.head_counted, 30);
  EXPECT_EQ(a.holding_id, std::nullopt);
  EXPECT_EQ(a.authority, "KZ-ALA");
  EXPECT_EQ(b.id, second.use.id);
  EXPECT_TRUE(b.double_use);
  EXPECT_EQ(b.scanned_at, second.use.scanned_at);
  EXPECT_EQ(b.received_at, second.use.received_at);
  EXPECT_EQ(b.user_id, 22);
  EXPECT_EQ(b.place, "Almaty market");
  EXPECT_EQ(b.authority, "KZ-ALA-02");
}

TYPED_TEST(StoreTest, AUseSentTwiceIsOneUseAnsweredAsTheFirstTime) {
  Certificate c = this->AddCertificate(1);
  const CertificateUseInput scan =
      ScanOf(1, 21, "Almaty meat plant", At(1'790'000'100'000), At(1'790'000'900'000));
  ASSERT_TRUE(this->store().UseCertificate(c.id, scan).ok());
  const int64_t rows = this->AuditRows();
  // Sent again (its answer was lost), received later and with other content: the stored use.
  CertificateUseInput again = scan;
  again.use.received_at = At(1'790'005'000'000);
  again.use.place = "somewhere else";
  auto resent = this->store().UseCertificate(c.id, again);
  ASSERT_TRUE(resent.ok()) << resent.status().ToString();
  EXPECT_TRUE(resent->duplicate);
  EXPECT_FALSE(resent->use.double_use);
  EXPECT_EQ(resent->use.place, "Almaty meat plant");
  EXPECT_EQ(resent->use.received_at, scan.use.received_at);
  EXPECT_EQ(this->AuditRows(), rows);
  EXPECT_EQ(this->store().ListCertificateUses(c.id)->size(), 1u);

  // A double use sent twice is one double use.
  const CertificateUseInput other =
      ScanOf(2, 22, "Almaty market", At(1'790'000'200'000), At(1'790'001'000'000));
  ASSERT_TRUE(this->store().UseCertificate(c.id, other)->use.double_use);
  auto other_again = this->store().UseCertificate(c.id, other);
  ASSERT_TRUE(other_again.ok());
  EXPECT_TRUE(other_again->duplicate);
  EXPECT_TRUE(other_again->use.double_use);
  EXPECT_EQ(this->store().ListCertificateUses(c.id)->size(), 2u);

  // The same id for another certificate is refused, nothing stored.
  Certificate d = this->AddCertificate(2);
  const int64_t before = this->AuditRows();
  auto misused = this->store().UseCertificate(d.id, scan);
  EXPECT_TRUE(HasCode(misused.status(), StatusCode::kPermissionDenied));
  EXPECT_EQ(misused.status().field(), "id");
  EXPECT_EQ(this->store().FindCertificate(d.id)->status, CertificateStatus::kIssued);
  EXPECT_EQ(this->AuditRows(), before);
}

TYPED_TEST(StoreTest, AUseOfARevokedCertificateStoresNothing) {
  Certificate c = this->AddCertificate(1);
  ASSERT_TRUE(this->store().RevokeCertificate(c.id, 3, "forged", At(20), MakeAudit("revoke")).ok());
  const int64_t rows = this->AuditRows();
  auto used = this->store().UseCertificate(c.id, ScanOf(1, 21, "gate", At(30), At(40)));
  EXPECT_TRUE(HasCode(used.status(), StatusCode::kFailedPrecondition));
  EXPECT_TRUE(this->store().ListCertificateUses(c.id)->empty());
  EXPECT_EQ(this->AuditRows(), rows);
  EXPECT_TRUE(HasCode(
      this->store().UseCertificate(Uuid(77), ScanOf(2, 21, "gate", At(30), At(40))).status(),
      StatusCode::kNotFound));
}

TYPED_TEST(StoreTest, ConcurrentUsesOfOneCertificateOneConsumesTheOthersAreDoubleUses) {
  Certificate c = this->AddCertificate(1);
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::atomic<int> consumed{0};
  std::atomic<int> doubles{0};
  std::atomic<int> other{0};
  std::atomic<int64_t> winner{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const CertificateUseInput in =
          ScanOf(t, 100 + t, "post " + std::to_string(t), At(1000 + t), At(2000 + t));
      start.arrive_and_wait();
      auto r = this->store_->UseCertificate(c.id, in);
      if (!r.ok()) {
        ++other;
      } else if (r->use.double_use) {
        ++doubles;
      } else {
        ++consumed;
        winner = 100 + t;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(consumed.load(), 1);
  EXPECT_EQ(doubles.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  auto uses = this->store().ListCertificateUses(c.id);
  ASSERT_TRUE(uses.ok());
  ASSERT_EQ(uses->size(), static_cast<size_t>(kThreads));
  EXPECT_FALSE((*uses)[0].double_use);
  EXPECT_EQ((*uses)[0].user_id, winner.load());
  EXPECT_EQ(this->store().FindCertificate(c.id)->consumed_by, winner.load());
  for (size_t i = 1; i < uses->size(); ++i) EXPECT_TRUE((*uses)[i].double_use);
}

TYPED_TEST(StoreTest, DoubleUsedCertificatesAreListedInTheScopeOfTheIssuerDestinationOrScan) {
  // Three certificates of KZ-ABY-01 bound for KZ-ALA: one used once, two used twice (one of them
  // scanned the second time in KZ-SHY, outside the destination).
  Certificate once = this->AddCertificate(1);
  Certificate twice = this->AddCertificate(2);
  Certificate elsewhere = this->AddCertificate(3);
  ASSERT_TRUE(this->store().UseCertificate(once.id, ScanOf(1, 21, "a", At(10), At(11))).ok());
  ASSERT_TRUE(this->store().UseCertificate(twice.id, ScanOf(2, 21, "a", At(10), At(11))).ok());
  ASSERT_TRUE(this->store().UseCertificate(twice.id, ScanOf(3, 22, "b", At(12), At(13))).ok());
  ASSERT_TRUE(this->store().UseCertificate(elsewhere.id, ScanOf(4, 21, "a", At(10), At(11))).ok());
  ASSERT_TRUE(this->store()
                  .UseCertificate(elsewhere.id, ScanOf(5, 23, "c", At(12), At(13), "KZ-SHY-04"))
                  .ok());
  auto ids = [&](const std::string& scope, int limit = 50,
                 std::optional<Certificate> after = std::nullopt) {
    DoubleUseListQuery q;
    q.scope = scope;
    q.limit = limit;
    if (after) {
      q.before_issued_at = after->issued_at;
      q.before_id = after->id;
    }
    std::vector<std::string> out;
    auto page = this->store().ListDoubleUsedCertificates(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (page.ok()) {
      for (const Certificate& c : *page) out.push_back(c.id);
    }
    return out;
  };
  // Newest issued first (AddCertificate(n) is issued at n).
  const std::vector<std::string> both{elsewhere.id, twice.id};
  EXPECT_EQ(ids("KZ-ABY"), both);  // the origin vet's
  EXPECT_EQ(ids("KZ-ALA"), both);  // the destination's inspectors
  EXPECT_EQ(ids("KZ-SHY-04"), std::vector<std::string>{elsewhere.id});  // the second scan's
  EXPECT_TRUE(ids("KZ-SHY-05").empty());
  EXPECT_TRUE(ids("KZ-AB").empty());  // a prefix that is not a parent
  // Paged by the cursor of ReadCertificatePage.
  EXPECT_EQ(ids("KZ-ALA", 1), std::vector<std::string>{elsewhere.id});
  EXPECT_EQ(ids("KZ-ALA", 1, elsewhere), std::vector<std::string>{twice.id});
  DoubleUseListQuery all;
  all.all_authorities = true;
  EXPECT_EQ(this->store().ListDoubleUsedCertificates(all)->size(), 2u);
}

// --- field copy (W10) ---

// What a field copy gives, one string a row: "owner:ID", "animal:ID:OWNER:HOLDING:HEAD",
// "vaccination:ID:VOIDED", "certificate:ID:STATUS", "gone:ANIMAL:OWNER".
class CopyLog final : public FieldCopySink {
 public:
  Status OnOwner(const Owner& o) override { return Add("owner:" + std::to_string(o.id)); }
  Status OnAnimal(const Animal& a) override {
    return Add("animal:" + std::to_string(a.id) + ":" + std::to_string(a.owner_id) + ":" +
               std::to_string(a.holding_id.value_or(0)) + ":" + std::to_string(a.head_count));
  }
  Status OnVaccination(const Vaccination& v) override {
    return Add("vaccination:" + v.id + ":" + (v.voided ? "1" : "0"));
  }
  Status OnCertificate(const Certificate& c) override {
    return Add("certificate:" + c.id + ":" + CertificateStatusName(c.status));
  }
  Status OnAnimalGone(int64_t animal_id, int64_t owner_id) override {
    return Add("gone:" + std::to_string(animal_id) + ":" + std::to_string(owner_id));
  }
  // The rows sorted, for comparing sets of rows.
  std::vector<std::string> Sorted() const {
    std::vector<std::string> out = rows;
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<std::string> rows;

 private:
  Status Add(std::string row) {
    rows.push_back(std::move(row));
    return Status::Ok();
  }
};

std::string AnimalRow(const Animal& a, int64_t owner_id, int64_t holding_id = 0) {
  return "animal:" + std::to_string(a.id) + ":" + std::to_string(owner_id) + ":" +
         std::to_string(holding_id) + ":" + std::to_string(a.head_count);
}

std::vector<std::string> SortedRows(std::vector<std::string> rows) {
  std::sort(rows.begin(), rows.end());
  return rows;
}

TYPED_TEST(StoreTest,
           AFieldCopyHoldsTheOwnersOfItsScopeOnlyWithTheirAnimalsRecordsAndCertificates) {
  auto here = this->store().RecordVaccinations(
      std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1), Tag(2)})}, MakeContext(),
      MakeAudit("vaccination.batch"));
  ASSERT_TRUE(here.ok()) << here.status().ToString();
  BatchContext elsewhere = MakeContext("KZ");
  elsewhere.authority = "KZ-ALA-02";
  auto there = this->store().RecordVaccinations(
      std::vector<VaccinationInput>{MakeRecord(2, Phone(2), {Tag(3)})}, elsewhere,
      MakeAudit("vaccination.batch"));
  ASSERT_TRUE(there.ok()) << there.status().ToString();
  const int64_t o1 = (*here)[0].owner_id, o2 = (*there)[0].owner_id;
  const Animal a1 = *this->store().FindAnimalByTag(Tag(1));
  const Animal a2 = *this->store().FindAnimalByTag(Tag(2));
  const Animal a3 = *this->store().FindAnimalByTag(Tag(3));
  Certificate c = MakeCertificate(1, o1, {a1.id}, {Tag(1)});
  ASSERT_TRUE(this->store().CreateCertificate(c, MakeAudit("certificate.issue")).ok());

  FieldCopyQuery q;
  q.scope = "KZ-ABY";
  CopyLog copy;
  auto cursor = this->store().ReadFieldCopy(q, copy);
  ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
  EXPECT_GT(*cursor, 0);
  // The owner first, then its animals, records and certificates; nothing of KZ-ALA.
  ASSERT_FALSE(copy.rows.empty());
  EXPECT_EQ(copy.rows.front(), "owner:" + std::to_string(o1));
  EXPECT_EQ(copy.Sorted(),
            SortedRows({"owner:" + std::to_string(o1), AnimalRow(a1, o1), AnimalRow(a2, o1),
                        "vaccination:" + Uuid(1) + ":0", "certificate:" + c.id + ":issued"}));

  // By owner: the listed one alone, whatever the scope.
  FieldCopyQuery by_owner;
  by_owner.owner_ids = {o2};
  CopyLog listed;
  ASSERT_TRUE(this->store().ReadFieldCopy(by_owner, listed).ok());
  EXPECT_EQ(listed.Sorted(), SortedRows({"owner:" + std::to_string(o2), AnimalRow(a3, o2),
                                         "vaccination:" + Uuid(2) + ":0"}));
}

TYPED_TEST(StoreTest, AFieldCopyRefreshBringsExactlyTheNewVoidedMovedAndSoldRowsOnce) {
  Holding market;
  const Certificate c = this->AddMovement(1, HoldingKind::kMarket, &market);
  const int64_t o1 = c.owner_id;
  VaccinationInput sheep_dose = MakeRecord(10, Phone(1), {Tag(2)});
  sheep_dose.species = "sheep";  // the movement's animals are sheep
  auto first = this->store().RecordVaccinations(
      std::vector<VaccinationInput>{sheep_dose, MakeRecord(5, Phone(5), {Tag(50)})}, MakeContext(),
      MakeAudit("vaccination.batch"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ((*first)[0].outcome, RecordOutcome::kCreated) << (*first)[0].reason.ToString();
  ASSERT_EQ((*first)[1].outcome, RecordOutcome::kCreated) << (*first)[1].reason.ToString();
  const int64_t o5 = (*first)[1].owner_id;
  FieldCopyQuery q;
  q.scope = "KZ-ABY";
  CopyLog full;
  auto c1 = this->store().ReadFieldCopy(q, full);
  ASSERT_TRUE(c1.ok()) << c1.status().ToString();
  q.since = *c1;
  {
    CopyLog nothing;
    auto again = this->store().ReadFieldCopy(q, nothing);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *c1);
    EXPECT_TRUE(nothing.rows.empty()) << ::testing::PrintToString(nothing.rows);
  }

  // New: a record for owner 5. Voided: owner 1's record 10. Moved: the certificate's animals
  // arrive at the market. Sold: then one of them (Tag 3) goes to a new owner 6.
  auto added = this->store().RecordVaccinations(
      std::vector<VaccinationInput>{MakeRecord(11, Phone(5), {Tag(50)})}, MakeContext(),
      MakeAudit("vaccination.batch"));
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  ASSERT_EQ((*added)[0].outcome, RecordOutcome::kCreated) << (*added)[0].reason.ToString();
  ASSERT_TRUE(this->store()
                  .VoidVaccination(Uuid(10), "wrong batch", At(9000), MakeAudit("vaccination.void"))
                  .ok());
  ASSERT_TRUE(this->store()
                  .ConsumeCertificate(c.id, MakeArrival(c, market.id, std::nullopt, std::nullopt),
                                      MakeAudit("certificate.consume"))
                  .ok());
  TransferInput t;
  t.id = Uuid(90);
  t.seller_id = o1;
  t.buyer_phone = Phone(6);
  t.buyer_name = "Buyer";
  t.tags = {Tag(3)};
  t.on = Day("2026-09-21");
  t.scope = "KZ-ABY";
  auto sold = this->store().RecordTransfer(t, MakeAudit("transfer.record"));
  ASSERT_TRUE(sold.ok()) << sold.status().ToString();
  const int64_t o6 = sold->transfer.buyer_id;

  CopyLog refresh;
  auto c2 = this->store().ReadFieldCopy(q, refresh);
  ASSERT_TRUE(c2.ok()) << c2.status().ToString();
  EXPECT_GT(*c2, *c1);
  const Animal a = *this->store().FindAnimalByTag(Tag(2));
  const Animal b = *this->store().FindAnimalByTag(Tag(3));
  Animal flock;
  auto history = this->store().LoadOwnerHistory(o1, Day("2000-01-01"));
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  for (const Animal& u : history->animals) {
    if (u.is_flock()) flock = u;
  }
  ASSERT_NE(flock.id, 0);
  EXPECT_EQ(refresh.Sorted(),
            SortedRows({"vaccination:" + Uuid(11) + ":0", "vaccination:" + Uuid(10) + ":1",
                        "certificate:" + c.id + ":consumed", AnimalRow(a, o1, market.id),
                        AnimalRow(flock, o1, market.id),
                        "gone:" + std::to_string(b.id) + ":" + std::to_string(o1),
                        "owner:" + std::to_string(o6), AnimalRow(b, o6, market.id)}));
  EXPECT_NE(o5, 0);

  // Another district's copy sees none of it; the next refresh nothing.
  FieldCopyQuery other = q;
  other.scope = "KZ-ALA";
  CopyLog none;
  ASSERT_TRUE(this->store().ReadFieldCopy(other, none).ok());
  EXPECT_TRUE(none.rows.empty()) << ::testing::PrintToString(none.rows);
  q.since = *c2;
  CopyLog after;
  ASSERT_TRUE(this->store().ReadFieldCopy(q, after).ok());
  EXPECT_TRUE(after.rows.empty()) << ::testing::PrintToString(after.rows);
}

TYPED_TEST(StoreTest, AFieldCopyStopsAtTheSinksFirstRefusal) {
  ASSERT_TRUE(this->store()
                  .RecordVaccinations(
                      std::vector<VaccinationInput>{MakeRecord(1, Phone(1), {Tag(1), Tag(2)})},
                      MakeContext(), MakeAudit("vaccination.batch"))
                  .ok());
  class Refusing final : public FieldCopySink {
   public:
    Status OnOwner(const Owner&) override { return Status::Ok(); }
    Status OnAnimal(const Animal&) override {
      ++animals;
      return Status(StatusCode::kResourceExhausted, "enough", "authority");
    }
    Status OnVaccination(const Vaccination&) override { return Status::Ok(); }
    Status OnCertificate(const Certificate&) override { return Status::Ok(); }
    Status OnAnimalGone(int64_t, int64_t) override { return Status::Ok(); }
    int animals = 0;
  } refusing;
  FieldCopyQuery q;
  q.scope = "KZ-ABY";
  auto r = this->store().ReadFieldCopy(q, refusing);
  EXPECT_TRUE(HasCode(r.status(), StatusCode::kResourceExhausted));
  EXPECT_EQ(r.status().field(), "authority");
  EXPECT_EQ(refusing.animals, 1);
}

// --- an owner's revision and its field copy's change log together (store/owner_change.h) ---

// An owner's revision and the field copy's cursor, as they were before a write.
struct OwnerMark {
  int64_t revision = 0;
  int64_t cursor = 0;
};

OwnerMark MarkOwner(Store& store, const std::string& phone) {
  OwnerMark m;
  auto r = store.FindOwnerRevisionByPhone(phone);
  EXPECT_TRUE(r.ok()) << phone << ": " << r.status().ToString();
  if (r.ok()) m.revision = r->revision;
  FieldCopyQuery q;  // a refresh from beyond every change: the cursor alone
  q.all_authorities = true;
  q.since = std::numeric_limits<int64_t>::max();
  CopyLog none;
  auto cursor = store.ReadFieldCopy(q, none);
  EXPECT_TRUE(cursor.ok()) << cursor.status().ToString();
  if (cursor.ok()) m.cursor = *cursor;
  return m;
}

// After a write: the owner's revision rose past `m`'s, and a refresh of the owner's field copy
// from `m`'s cursor brings `row` (CopyLog's form).
void ExpectOwnerChanged(Store& store, const std::string& phone, const OwnerMark& m,
                        const std::string& row) {
  auto r = store.FindOwnerRevisionByPhone(phone);
  ASSERT_TRUE(r.ok()) << phone << ": " << r.status().ToString();
  EXPECT_GT(r->revision, m.revision) << phone << "'s revision did not rise";
  FieldCopyQuery q;
  q.owner_ids = {r->owner_id};
  q.since = m.cursor;
  CopyLog refresh;
  ASSERT_TRUE(store.ReadFieldCopy(q, refresh).ok());
  EXPECT_NE(std::find(refresh.rows.begin(), refresh.rows.end(), row), refresh.rows.end())
      << phone << "'s refresh has no " << row << ": " << ::testing::PrintToString(refresh.rows);
}

// Every kind of write that changes what an owner's W2 answer or field copy shows raises the
// owner's revision (the W2 answer cache) and notes the row for field copies, both: a W1 record
// (and the flock head count it raises), an animal registered, a void, a tag event, a flock event,
// an ownership change (seller and buyer), a sale certificate issued, arrived (seller and buyer)
// and revoked.
TYPED_TEST(StoreTest, EveryWriteAnOwnerSeesRaisesItsRevisionAndNotesTheRow) {
  Store& store = this->store();
  const Sale sale = AddSeller(store);  // Phone(1): Tag(1), Tag(2), a flock of 5
  ASSERT_NE(sale.flock_id, 0);
  const std::string seller = Phone(1);
  const Owner buyer = this->AddOwner(2);
  const Owner sale_buyer = this->AddOwner(9);
  auto row_of = [&](int64_t animal_id, int64_t owner_id) {
    auto a = store.FindAnimalById(animal_id);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? AnimalRow(*a, owner_id) : std::string("no animal");
  };
  {
    SCOPED_TRACE("W1 record");
    const OwnerMark m = MarkOwner(store, seller);
    ASSERT_EQ(this->Record({MakeRecord(3, seller, {Tag(1)})})[0].outcome, RecordOutcome::kCreated);
    ExpectOwnerChanged(store, seller, m, "vaccination:" + Uuid(3) + ":0");
  }
  {
    SCOPED_TRACE("W1 record raising the flock's head count");
    VaccinationInput more = MakeRecord(4, seller);
    more.head_count = 8;
    const OwnerMark m = MarkOwner(store, seller);
    ASSERT_EQ(this->Record({more})[0].outcome, RecordOutcome::kCreated);
    ASSERT_EQ(store.FindAnimalById(sale.flock_id)->head_count, 8);
    ExpectOwnerChanged(store, seller, m, row_of(sale.flock_id, sale.seller_id));
  }
  {
    SCOPED_TRACE("animal registered");
    const OwnerMark m = MarkOwner(store, seller);
    const Animal a = this->AddAnimal(sale.seller_id, Tag(30));
    ExpectOwnerChanged(store, seller, m, AnimalRow(a, sale.seller_id));
  }
  {
    SCOPED_TRACE("void");
    const OwnerMark m = MarkOwner(store, seller);
    ASSERT_TRUE(
        store.VoidVaccination(Uuid(3), "wrong batch", At(9000), MakeAudit("vaccination.void"))
            .ok());
    ExpectOwnerChanged(store, seller, m, "vaccination:" + Uuid(3) + ":1");
  }
  const int64_t tag2 = store.FindAnimalByTag(Tag(2))->id;
  {
    SCOPED_TRACE("tag event");
    AnimalEventInput e = MakeEvent(1, tag2, AnimalEventKind::kTagReplaced);
    e.new_tag = Tag(20);
    const OwnerMark m = MarkOwner(store, seller);
    auto r = store.RecordAnimalEvent(e, MakeAudit("animal.event"));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ExpectOwnerChanged(store, seller, m, row_of(tag2, sale.seller_id));
  }
  {
    SCOPED_TRACE("flock event");
    const OwnerMark m = MarkOwner(store, seller);
    auto r = store.RecordAnimalEvent(MakeEvent(2, sale.flock_id, AnimalEventKind::kBorn, 2),
                                     MakeAudit("animal.event"));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ExpectOwnerChanged(store, seller, m, row_of(sale.flock_id, sale.seller_id));
  }
  {
    SCOPED_TRACE("ownership change");
    const int64_t tag1 = store.FindAnimalByTag(Tag(1))->id;
    const OwnerMark s = MarkOwner(store, seller);
    const OwnerMark b = MarkOwner(store, buyer.phone);
    auto r = store.RecordTransfer(MakeTransfer(1, sale.seller_id, {Tag(1)}),
                                  MakeAudit("transfer.record"));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->transfer.buyer_id, buyer.id);
    ExpectOwnerChanged(store, seller, s,
                       "gone:" + std::to_string(tag1) + ":" + std::to_string(sale.seller_id));
    ExpectOwnerChanged(store, buyer.phone, b, row_of(tag1, buyer.id));
  }
  Certificate c = MakeCertificate(1, sale.seller_id, {tag2}, {Tag(20)});
  c.head_count = 1;
  c.buyer_phone = sale_buyer.phone;
  {
    SCOPED_TRACE("sale certificate issued");
    const OwnerMark m = MarkOwner(store, seller);
    const Status issued = store.CreateCertificate(c, MakeAudit("certificate.issue"));
    ASSERT_TRUE(issued.ok()) << issued.ToString();
    ExpectOwnerChanged(store, seller, m, "certificate:" + c.id + ":issued");
  }
  {
    SCOPED_TRACE("sale certificate arrived");
    const OwnerMark s = MarkOwner(store, seller);
    const OwnerMark b = MarkOwner(store, sale_buyer.phone);
    Consumption use{21, "insp21", "market", At(1'790'000'100'000)};
    use.on = Day("2026-06-01");
    auto arrived = store.ConsumeCertificate(c.id, use, MakeAudit("certificate.consume"));
    ASSERT_TRUE(arrived.ok()) << arrived.status().ToString();
    ASSERT_EQ(store.FindAnimalById(tag2)->owner_id, sale_buyer.id);
    ExpectOwnerChanged(store, seller, s, "certificate:" + c.id + ":consumed");
    ExpectOwnerChanged(store, sale_buyer.phone, b, row_of(tag2, sale_buyer.id));
  }
  {
    SCOPED_TRACE("certificate revoked");
    Certificate other = MakeCertificate(2, sale.seller_id, {sale.flock_id}, {});
    other.head_count = 3;
    ASSERT_TRUE(store.CreateCertificate(other, MakeAudit("certificate.issue")).ok());
    const OwnerMark m = MarkOwner(store, seller);
    ASSERT_TRUE(store
                    .RevokeCertificate(other.id, 7, "issued in error", At(9500),
                                       MakeAudit("certificate.revoke"))
                    .ok());
    ExpectOwnerChanged(store, seller, m, "certificate:" + other.id + ":revoked");
  }
}

}  // namespace
}  // namespace herdpass::testing

namespace herdpass::testing {
namespace {

// --- outbreaks and zones (W14, issue 13) ---

Outbreak MakeOutbreak(int64_t n, int64_t holding_id, const std::string& authority) {
  Outbreak o;
  o.id = Uuid(0x0b0000 + n);
  o.holding_id = holding_id;
  o.authority = authority;
  o.disease = "FMD-O";
  o.species = "cattle";
  o.first_signs_on = Day("2026-11-28");
  o.head_sick = 4;
  o.head_dead = 1;
  o.lat = 43.25;
  o.lon = 76.95;
  o.note = "lesions on the tongue, " + std::to_string(n);
  o.reported_by = 31;
  o.reported_at = At(1'790'000'000'000 + n);
  return o;
}

Zone MakeZone(const Outbreak& o, const Holding& centre) {
  Zone z;
  z.disease = o.disease;
  z.outbreak_id = o.id;
  z.holding_id = centre.id;
  z.lat = centre.lat;
  z.lon = centre.lon;
  z.protection_km = 3;
  z.surveillance_km = 10;
  z.species = {"cattle", "sheep"};
  z.starts_on = Day("2026-12-01");
  z.ends_on = Day("2026-12-31");
  z.authority = o.authority;
  z.declared_by = 21;
  z.declared_at = At(1'790'100'000'000);
  return z;
}

TYPED_TEST(StoreTest, OutbreakReportIsStoredOnceByItsId) {
  Holding farm = this->AddHolding("F-1", 43.25, 76.95, "KZ-ABY-01", HoldingKind::kFarm);
  const int64_t audit_before = this->AuditRows();
  Outbreak o = MakeOutbreak(1, farm.id, "KZ-ABY-01");
  auto first = this->store().RecordOutbreak(o, "KZ-ABY", false, MakeAudit("outbreak.report"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->duplicate);
  EXPECT_EQ(this->AuditRows(), audit_before + 1);

  // Sent again with other content: the first report stands.
  Outbreak again = o;
  again.head_sick = 40;
  again.note = "changed";
  auto dup = this->store().RecordOutbreak(again, "KZ-ABY", false, MakeAudit("outbreak.report"));
  ASSERT_TRUE(dup.ok()) << dup.status().ToString();
  EXPECT_TRUE(dup->duplicate);
  EXPECT_EQ(dup->outbreak.head_sick, 4);
  EXPECT_EQ(dup->outbreak.note, o.note);
  // From another jurisdiction the id is not handed out.
  auto elsewhere =
      this->store().RecordOutbreak(again, "KZ-ALM", false, MakeAudit("outbreak.report"));
  EXPECT_TRUE(HasCode(elsewhere.status(), StatusCode::kPermissionDenied));
  EXPECT_EQ(elsewhere.status().field(), "id");

  auto found = this->store().FindOutbreak(o.id);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->holding_id, farm.id);
  EXPECT_EQ(found->authority, "KZ-ABY-01");
  EXPECT_EQ(found->disease, "FMD-O");
  EXPECT_EQ(found->species, "cattle");
  EXPECT_EQ(found->first_signs_on, Day("2026-11-28"));
  EXPECT_EQ(found->head_sick, 4);
  EXPECT_EQ(found->head_dead, 1);
  EXPECT_DOUBLE_EQ(found->lat, 43.25);
  EXPECT_DOUBLE_EQ(found->lon, 76.95);
  EXPECT_EQ(found->reported_by, 31);
  EXPECT_EQ(found->reported_at, o.reported_at);
  EXPECT_EQ(found->status, OutbreakStatus::kReported);
  EXPECT_FALSE(found->decided_at.has_value());
  EXPECT_TRUE(HasCode(this->store().FindOutbreak(Uuid(0x0b0099)).status(), StatusCode::kNotFound));
}

TYPED_TEST(StoreTest, OutbreakIsDecidedOnceAndListedByAuthorityAndStatus) {
  Holding farm = this->AddHolding("F-1", 43.25, 76.95, "KZ-ABY-01", HoldingKind::kFarm);
  Holding other = this->AddHolding("F-2", 43.5, 77.5, "KZ-ALM-01", HoldingKind::kFarm);
  Outbreak a = MakeOutbreak(1, farm.id, "KZ-ABY-01");
  Outbreak b = MakeOutbreak(2, farm.id, "KZ-ABY-01");
  Outbreak c = MakeOutbreak(3, other.id, "KZ-ALM-01");
  for (const Outbreak& o : {a, b, c}) {
    ASSERT_TRUE(this->store().RecordOutbreak(o, "KZ", false, MakeAudit("outbreak.report")).ok());
  }
  Outbreak confirm;
  confirm.id = a.id;
  confirm.status = OutbreakStatus::kConfirmed;
  confirm.decided_by = 21;
  confirm.decided_at = At(1'790'050'000'000);
  confirm.lab_reference = "NRL-2026-0412";
  auto decided = this->store().DecideOutbreak(confirm, MakeAudit("outbreak.confirm"));
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->status, OutbreakStatus::kConfirmed);
  EXPECT_EQ(decided->decided_by, 21);
  EXPECT_EQ(decided->decided_at, confirm.decided_at);
  EXPECT_EQ(decided->lab_reference, "NRL-2026-0412");
  // Once: ruling it out afterwards changes nothing.
  Outbreak rule_out = confirm;
  rule_out.status = OutbreakStatus::kRuledOut;
  rule_out.lab_reference = "";
  auto twice = this->store().DecideOutbreak(rule_out, MakeAudit("outbreak.rule_out"));
  EXPECT_TRUE(HasCode(twice.status(), StatusCode::kFailedPrecondition));
  EXPECT_EQ(this->store().FindOutbreak(a.id)->status, OutbreakStatus::kConfirmed);
  rule_out.id = Uuid(0x0b0099);
  EXPECT_TRUE(
      HasCode(this->store().DecideOutbreak(rule_out, MakeAudit("outbreak.rule_out")).status(),
              StatusCode::kNotFound));

  OutbreakListQuery q;
  q.scope = "KZ-ABY";
  auto aby = this->store().ListOutbreaks(q);
  ASSERT_TRUE(aby.ok()) << aby.status().ToString();
  ASSERT_EQ(aby->size(), 2u);
  EXPECT_EQ((*aby)[0].id, b.id);  // newest reported first
  EXPECT_EQ((*aby)[1].id, a.id);
  q.status = OutbreakStatus::kConfirmed;
  auto confirmed = this->store().ListOutbreaks(q);
  ASSERT_TRUE(confirmed.ok());
  ASSERT_EQ(confirmed->size(), 1u);
  EXPECT_EQ((*confirmed)[0].id, a.id);
  OutbreakListQuery all;
  all.all_authorities = true;
  all.limit = 2;
  auto two = this->store().ListOutbreaks(all);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].id, c.id);
}

// Issuance keeps the zones in force in memory (service/cert_state.h) and gives their revision to
// CreateCertificate, which reads it again in its transaction: a zone declared or lifted through
// another store on the same database (another server) since refuses the certificate.
TYPED_TEST(StoreTest, AZoneChangedThroughAnotherStoreRefusesACertificateJudgedBeforeIt) {
  Holding farm = this->AddHolding("F-1", 43.25, 76.95, "KZ-ABY-01", HoldingKind::kFarm);
  Outbreak o = MakeOutbreak(1, farm.id, "KZ-ABY-01");
  ASSERT_TRUE(this->store().RecordOutbreak(o, "KZ", false, MakeAudit("outbreak.report")).ok());
  auto opened = this->factory_.Open();
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& other = **opened;
  const Date day = Day("2026-12-05");
  Owner owner = this->AddOwner(1);
  auto certificate = [&](int n) {
    Animal a = this->AddAnimal(owner.id, Tag(n));
    Certificate c = MakeCertificate(n, owner.id, {a.id}, {Tag(n)});
    c.head_count = 1;
    return c;
  };

  auto before = this->store().LoadZonesInForce(day);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_TRUE(before->zones.empty());
  EXPECT_EQ(before->day, day);
  auto zone = other.CreateZone(MakeZone(o, farm), MakeAudit("zone.declare"));
  ASSERT_TRUE(zone.ok()) << zone.status().ToString();
  const Certificate first = certificate(1);
  const int64_t audit_rows = this->AuditRows();
  Status stale = this->store().CreateCertificate(first, MakeAudit("c.issue"), before->revision);
  EXPECT_TRUE(ZonesChanged(stale)) << stale.ToString();
  EXPECT_EQ(this->Counts().certificates, 0);
  EXPECT_EQ(this->AuditRows(), audit_rows);
  auto declared = this->store().LoadZonesInForce(day);
  ASSERT_TRUE(declared.ok()) << declared.status().ToString();
  ASSERT_EQ(declared->zones.size(), 1u);
  EXPECT_EQ(declared->zones[0].id, zone->id);
  EXPECT_NE(declared->revision, before->revision);
  Status judged = this->store().CreateCertificate(first, MakeAudit("c.issue"), declared->revision);
  EXPECT_TRUE(judged.ok()) << judged.ToString();

  // A lift there moves it too; a lift refused (lifted before) does not.
  ASSERT_TRUE(
      other.LiftZone(zone->id, 23, At(1'790'300'000'000), "negative", MakeAudit("zone.lift")).ok());
  auto lifted = this->store().LoadZonesInForce(day);
  ASSERT_TRUE(lifted.ok()) << lifted.status().ToString();
  EXPECT_TRUE(lifted->zones.empty());
  EXPECT_NE(lifted->revision, declared->revision);
  const Certificate second = certificate(2);
  EXPECT_TRUE(ZonesChanged(
      this->store().CreateCertificate(second, MakeAudit("c.issue"), declared->revision)));
  EXPECT_FALSE(
      other.LiftZone(zone->id, 23, At(1'790'400'000'000), "again", MakeAudit("zone.lift")).ok());
  Status after = this->store().CreateCertificate(second, MakeAudit("c.issue"), lifted->revision);
  EXPECT_TRUE(after.ok()) << after.ToString();
  EXPECT_EQ(this->Counts().certificates, 2);
  // Without a revision (the CLI, imports) nothing is compared.
  EXPECT_TRUE(this->store().CreateCertificate(certificate(3), MakeAudit("c.issue")).ok());
}

TYPED_TEST(StoreTest, ZoneIsStoredInForceOverItsDaysAndLiftedOnce) {
  Holding farm = this->AddHolding("F-1", 43.25, 76.95, "KZ-ABY-01", HoldingKind::kFarm);
  Outbreak o = MakeOutbreak(1, farm.id, "KZ-ABY-01");
  ASSERT_TRUE(this->store().RecordOutbreak(o, "KZ", false, MakeAudit("outbreak.report")).ok());
  const int64_t audit_before = this->AuditRows();
  auto radii = this->store().CreateZone(MakeZone(o, farm), MakeAudit("zone.declare"));
  ASSERT_TRUE(radii.ok()) << radii.status().ToString();
  EXPECT_GT(radii->id, 0);
  EXPECT_EQ(this->AuditRows(), audit_before + 1);
  Zone codes;
  codes.disease = "SGP";
  codes.authorities = {"KZ-ABY-02", "KZ-ALM"};
  codes.species = {"sheep", "goat"};
  codes.starts_on = Day("2026-12-10");
  codes.ends_on = Day("2026-12-20");
  codes.authority = "KZ";
  codes.declared_by = 22;
  codes.declared_at = At(1'790'200'000'000);
  auto by_codes = this->store().CreateZone(codes, MakeAudit("zone.declare"));
  ASSERT_TRUE(by_codes.ok()) << by_codes.status().ToString();

  auto found = this->store().FindZone(radii->id);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->disease, "FMD-O");
  EXPECT_EQ(found->outbreak_id, o.id);
  EXPECT_EQ(found->holding_id, farm.id);
  EXPECT_DOUBLE_EQ(found->lat, 43.25);
  EXPECT_DOUBLE_EQ(found->protection_km, 3);
  EXPECT_DOUBLE_EQ(found->surveillance_km, 10);
  EXPECT_TRUE(found->authorities.empty());
  EXPECT_EQ(found->species, (std::vector<std::string>{"cattle", "sheep"}));
  EXPECT_EQ(found->starts_on, Day("2026-12-01"));
  EXPECT_EQ(found->ends_on, Day("2026-12-31"));
  EXPECT_EQ(found->authority, "KZ-ABY-01");
  EXPECT_EQ(found->declared_at, At(1'790'100'000'000));
  EXPECT_FALSE(found->lifted_at.has_value());
  auto found_codes = this->store().FindZone(by_codes->id);
  ASSERT_TRUE(found_codes.ok());
  EXPECT_EQ(found_codes->authorities, (std::vector<std::string>{"KZ-ABY-02", "KZ-ALM"}));
  EXPECT_TRUE(found_codes->outbreak_id.empty());
  EXPECT_EQ(found_codes->holding_id, 0);

  auto ids_on = [&](const char* day) {
    std::vector<int64_t> ids;
    auto zones = this->store().ListZonesInForce(Day(day));
    EXPECT_TRUE(zones.ok()) << zones.status().ToString();
    if (zones.ok()) {
      for (const Zone& z : *zones) ids.push_back(z.id);
    }
    return ids;
  };
  EXPECT_EQ(ids_on("2026-11-30"), std::vector<int64_t>{});
  EXPECT_EQ(ids_on("2026-12-01"), std::vector<int64_t>{radii->id});
  EXPECT_EQ(ids_on("2026-12-20"), (std::vector<int64_t>{radii->id, by_codes->id}));
  EXPECT_EQ(ids_on("2026-12-21"), std::vector<int64_t>{radii->id});
  EXPECT_EQ(ids_on("2027-01-01"), std::vector<int64_t>{});

  auto lifted = this->store().LiftZone(radii->id, 23, At(1'790'300'000'000), "tests negative",
                                       MakeAudit("zone.lift"));
  ASSERT_TRUE(lifted.ok()) << lifted.status().ToString();
  EXPECT_EQ(lifted->lifted_at, std::optional<Timestamp>(At(1'790'300'000'000)));
  EXPECT_EQ(lifted->lifted_by, 23);
  EXPECT_EQ(lifted->lift_reason, "tests negative");
  EXPECT_EQ(ids_on("2026-12-20"), std::vector<int64_t>{by_codes->id});
  auto again =
      this->store().LiftZone(radii->id, 23, At(1'790'400'000'000), "again", MakeAudit("zone.lift"));
  EXPECT_TRUE(HasCode(again.status(), StatusCode::kFailedPrecondition));
  EXPECT_EQ(this->store().FindZone(radii->id)->lift_reason, "tests negative");
  EXPECT_TRUE(HasCode(this->store().FindZone(9999).status(), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(
      this->store().LiftZone(9999, 23, At(1'790'400'000'000), "x", MakeAudit("zone.lift")).status(),
      StatusCode::kNotFound));
}

// --- W14 tracing ---

// Day `d` of the trace tests (day 0 is 2026-09-21 13:46 UTC), in ms.
Timestamp TraceDay(double d) {
  return At(1'790'000'000'000 + static_cast<int64_t>(d * 86'400'000));
}

// The movements of a trace as "hop direction kind from>to", by the trace's order.
std::vector<std::string> TraceSteps(const Result<TraceResult>& r,
                                    const std::map<int64_t, std::string>& names) {
  std::vector<std::string> out;
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return out;
  for (const TraceMovement& m : r->movements) {
    out.push_back(std::to_string(m.hop) + (m.forward ? " f " : " b ") + m.kind + " " +
                  names.at(m.from_holding) + ">" + names.at(m.to_holding));
  }
  return out;
}

std::vector<std::string> TraceHoldings(const Result<TraceResult>& r,
                                       const std::map<int64_t, std::string>& names) {
  std::vector<std::string> out;
  if (!r.ok()) return out;
  for (const TraceHolding& h : r->holdings) {
    out.push_back(names.at(h.holding.id) + "@" + std::to_string(h.hop));
  }
  return out;
}

// A farm A sells to a market M (day 2), which sells on to a farm B (day 5, scanned at a checkpoint
// P on day 4.9), which moves to C (day 8). M sold to D on day 1, before A's animals came, and to X
// on day 40, after the window; a movement M to R was revoked before it left. Owner 1 keeps A and
// B, owner 2 the market M, owner 3 the farm D; the others have no owner.
struct TraceWorld {
  std::map<std::string, Holding> h;
  std::map<int64_t, std::string> names;
  Animal sheep;
  std::vector<Certificate> certs;
  std::vector<Owner> owners;  // 1, 2, 3
};

template <typename Test>
TraceWorld MakeTraceWorld(Test& t) {
  TraceWorld w;
  Owner o = t.AddOwner(1);
  w.owners = {o, t.AddOwner(2), t.AddOwner(3)};
  auto add = [&](const std::string& name, HoldingKind kind, std::optional<int64_t> owner) {
    w.h[name] = t.AddHolding("TR-" + name, 48.0 + 0.01 * static_cast<double>(w.h.size()), 80.0,
                             "KZ-ABY-01", kind, owner);
    w.names[w.h[name].id] = name;
  };
  add("A", HoldingKind::kFarm, o.id);
  add("B", HoldingKind::kFarm, o.id);
  add("D", HoldingKind::kFarm, w.owners[2].id);
  for (const char* name : {"C", "X", "R"}) add(name, HoldingKind::kFarm, std::nullopt);
  add("M", HoldingKind::kMarket, w.owners[1].id);
  add("P", HoldingKind::kCheckpoint, std::nullopt);
  w.sheep = t.AddAnimal(o.id, Tag(2));
  int n = 0;
  auto move = [&](const std::string& from, const std::string& to, double day, bool tagged,
                  Purpose purpose, bool arrive) {
    ++n;
    Animal other = t.AddAnimal(o.id, Tag(100 + n));
    std::vector<int64_t> ids = {other.id};
    std::vector<std::string> tags = {Tag(100 + n)};
    if (tagged) {
      ids.insert(ids.begin(), w.sheep.id);
      tags.insert(tags.begin(), Tag(2));
      std::sort(tags.begin(), tags.end());
    }
    Certificate c = MakeCertificate(n, o.id, ids, tags);
    c.head_count = static_cast<int32_t>(ids.size());
    c.purpose = purpose;
    c.origin_holding_id = w.h[from].id;
    c.destination_holding_id = w.h[to].id;
    c.issued_at = TraceDay(day - 0.25);
    c.valid_until = c.issued_at + std::chrono::hours(72);
    Status s = t.store().CreateCertificate(c, MakeAudit("certificate.issue"));
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (arrive) {
      Consumption use{21, "insp", "gate", TraceDay(day)};
      use.arrival.holding_id = w.h[to].id;
      use.on = Date::Of(TraceDay(day));
      auto done = t.store().ConsumeCertificate(c.id, use, MakeAudit("certificate.consume"));
      EXPECT_TRUE(done.ok()) << done.status().ToString();
    }
    w.certs.push_back(c);
    return c;
  };
  move("A", "M", 2, true, Purpose::kSale, true);
  Certificate mb = move("M", "B", 5, true, Purpose::kSale, true);
  PassageInput p = MakePassage(1, mb, w.h["P"].id, 0);
  p.at = TraceDay(4.9);
  EXPECT_TRUE(t.store().RecordPassage(p, MakeAudit("certificate.passage")).ok());
  move("B", "C", 8, false, Purpose::kBreeding, true);
  move("M", "D", 1, false, Purpose::kSale, true);
  move("M", "X", 40, false, Purpose::kSale, true);
  Certificate mr = move("M", "R", 3, false, Purpose::kSale, false);
  EXPECT_TRUE(
      t.store().RevokeCertificate(mr.id, 3, "wrong", TraceDay(3), MakeAudit("c.revoke")).ok());
  return w;
}

TraceQuery TraceFrom(int64_t holding, int depth, bool forward, bool backward) {
  TraceQuery q;
  q.holding_id = holding;
  q.from = TraceDay(0);
  q.to = TraceDay(21);
  q.depth = depth;
  q.forward = forward;
  q.backward = backward;
  return q;
}

TYPED_TEST(StoreTest, TraceFollowsMovementsForwardInTimeOrderWithinTheWindowAndDepth) {
  auto w = MakeTraceWorld(*this);
  auto r = this->store().Trace(TraceFrom(w.h["A"].id, 2, true, false));
  // Two sales away: B, and the checkpoint P its animals passed; not D (sold before A's animals
  // came), X (after the window), R (revoked before it left) nor C (three hops).
  EXPECT_EQ(TraceSteps(r, w.names),
            (std::vector<std::string>{"1 f sale A>M", "2 f passage M>P", "2 f sale M>B"}));
  EXPECT_EQ(TraceHoldings(r, w.names), (std::vector<std::string>{"A@0", "M@1", "B@2", "P@2"}));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->movements.size(), 3u);
  const TraceMovement& sale = r->movements[2];
  EXPECT_EQ(sale.certificate_id, w.certs[1].id);
  EXPECT_EQ(sale.number, w.certs[1].number);
  EXPECT_EQ(sale.at, TraceDay(5));
  EXPECT_EQ(sale.head, 2);
  for (const TraceHolding& t : r->holdings) {
    if (w.names.at(t.holding.id) != "M") continue;
    EXPECT_EQ(t.holding.code, "TR-M");
    EXPECT_EQ(t.first_at, TraceDay(2));
    EXPECT_EQ(t.last_at, TraceDay(5));
  }
  // One hop deeper reaches C; a window ending before day 5 stops at M.
  EXPECT_EQ(TraceHoldings(this->store().Trace(TraceFrom(w.h["A"].id, 3, true, false)), w.names),
            (std::vector<std::string>{"A@0", "M@1", "B@2", "P@2", "C@3"}));
  TraceQuery short_window = TraceFrom(w.h["A"].id, 3, true, false);
  short_window.to = TraceDay(3.5);
  EXPECT_EQ(TraceSteps(this->store().Trace(short_window), w.names),
            std::vector<std::string>{"1 f sale A>M"});
  // From the market with a window reaching day 40: D before, X after, each one hop.
  TraceQuery market = TraceFrom(w.h["M"].id, 1, true, false);
  market.to = TraceDay(41);
  EXPECT_EQ(TraceSteps(this->store().Trace(market), w.names),
            (std::vector<std::string>{"1 f sale M>D", "1 f passage M>P", "1 f sale M>B",
                                      "1 f sale M>X"}));
}

TYPED_TEST(StoreTest, TraceReadsTheOwnersOfTheHoldingsReachedWhenAsked) {
  auto w = MakeTraceWorld(*this);
  TraceQuery q = TraceFrom(w.h["A"].id, 2, true, false);
  auto without = this->store().Trace(q);
  ASSERT_TRUE(without.ok()) << without.status().ToString();
  EXPECT_TRUE(without->owners.empty());
  // A, M, B and P reached: owner 1 (A and B) once, owner 2 (M); not owner 3, whose D was not.
  q.owners = true;
  auto with = this->store().Trace(q);
  ASSERT_TRUE(with.ok()) << with.status().ToString();
  ASSERT_EQ(with->owners.size(), 2u);
  EXPECT_EQ(with->owners[0].id, w.owners[0].id);
  EXPECT_EQ(with->owners[0].phone, w.owners[0].phone);
  EXPECT_EQ(with->owners[0].name, "Owner 1");
  EXPECT_EQ(with->owners[0].authority, "KZ-ABY-01");
  EXPECT_EQ(with->owners[1].id, w.owners[1].id);
  EXPECT_EQ(with->owners[1].name, "Owner 2");
  EXPECT_EQ(TraceSteps(with, w.names), TraceSteps(without, w.names));
  // Nobody reached with an owner: none read.
  q.holding_id = w.h["C"].id;
  auto lone = this->store().Trace(q);
  ASSERT_TRUE(lone.ok()) << lone.status().ToString();
  EXPECT_TRUE(lone->owners.empty());
}

TYPED_TEST(StoreTest, TraceFollowsMovementsBackwardAndBoth) {
  auto w = MakeTraceWorld(*this);
  // Backward from C: B brought them (day 8), M before that (day 5, and by P), A before that.
  auto back = this->store().Trace(TraceFrom(w.h["C"].id, 3, false, true));
  EXPECT_EQ(TraceSteps(back, w.names),
            (std::vector<std::string>{"1 b arrival B>C", "2 b passage P>B", "2 b sale M>B",
                                      "3 b sale A>M", "3 b passage M>P"}));
  EXPECT_EQ(TraceHoldings(back, w.names),
            (std::vector<std::string>{"C@0", "B@1", "M@2", "P@2", "A@3"}));
  // Both from B, one hop: M and P before it, C after it.
  auto both = this->store().Trace(TraceFrom(w.h["B"].id, 1, true, true));
  EXPECT_EQ(TraceSteps(both, w.names),
            (std::vector<std::string>{"1 b passage P>B", "1 b sale M>B", "1 f arrival B>C"}));
  EXPECT_EQ(TraceHoldings(both, w.names), (std::vector<std::string>{"B@0", "C@1", "M@1", "P@1"}));
}

TYPED_TEST(StoreTest, TraceOfAnAnimalFollowsOnlyItsCertificates) {
  auto w = MakeTraceWorld(*this);
  TraceQuery q;
  q.animal_id = w.sheep.id;
  q.from = TraceDay(0);
  q.to = TraceDay(21);
  q.depth = 5;
  auto r = this->store().Trace(q);
  // A to M, then M to B by P: not the market's other sales, nor B's move to C.
  EXPECT_EQ(TraceSteps(r, w.names), (std::vector<std::string>{"1 f sale A>M", "2 f passage M>P",
                                                              "2 f sale M>B", "3 f passage P>B"}));
  EXPECT_EQ(TraceHoldings(r, w.names), (std::vector<std::string>{"A@0", "M@1", "B@2", "P@2"}));
  // Nothing in a window it did not move in.
  q.from = TraceDay(10);
  auto none = this->store().Trace(q);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->movements.empty());
  EXPECT_TRUE(none->holdings.empty());
}

// --- SMS outbox (W15) ---

TYPED_TEST(StoreTest, ABatchQueuesOneReceiptPerOwnerInItsOwnTransaction) {
  ASSERT_TRUE(
      this->store()
          .CreateUser({"vacc7", "$h", Role::kVaccinator, "KZ-ABY-01", At(1)}, MakeAudit("u"))
          .ok());
  BatchContext ctx = MakeContext();
  // Given on the day they are recorded (older ones take no receipt: TakesReceipt).
  auto given_today = [](VaccinationInput v) {
    v.administered_on = Day("2026-09-21");
    return v;
  };
  ctx.user_id = this->store().FindUserByName("vacc7")->id;
  auto first = given_today(MakeRecord(1, Phone(1), {Tag(1), Tag(2)}));  // two tagged head
  auto second = given_today(MakeRecord(2, Phone(1)));  // a flock of 5, same product, batch 2
  auto other = given_today(MakeRecord(3, Phone(2)));
  auto results = this->Record({first, second, other}, ctx);
  ASSERT_EQ(results.size(), 3u);

  auto queued = this->store().ListSms({"KZ", false, 0, 100, {}});
  ASSERT_TRUE(queued.ok()) << queued.status().ToString();
  ASSERT_EQ(queued->size(), 2u);  // one per owner, newest first
  const SmsMessage& one = (*queued)[1];
  EXPECT_EQ(one.owner_id, results[0].owner_id);
  EXPECT_EQ(one.phone, Phone(1));
  EXPECT_EQ(one.authority, "KZ-ABY-01");
  EXPECT_EQ(one.kind, "receipt");
  EXPECT_EQ(one.dedupe_key, "receipt/" + std::to_string(one.owner_id) + "/2026-09-21");
  EXPECT_EQ(one.status, SmsStatus::kQueued);
  EXPECT_EQ(one.attempts, 0);
  EXPECT_FALSE(one.requested);
  EXPECT_EQ(one.created_at, ctx.at);
  EXPECT_EQ(one.next_attempt_at, ctx.at);
  // In Kazakh: the owner's region (KZ) chose it, none being stored.
  EXPECT_EQ(one.body,
            "HerdPass 2026-09-21: вакцина егілді FMD-O 2 бас, FMD-OA-INACT сериясы B-2026-1; "
            "FMD-O 5 бас, FMD-OA-INACT сериясы B-2026-2. Вакцинатор vacc7, KZ-ABY-01.");

  // A later batch the same day merges into the queued receipt; a duplicate record adds nothing.
  auto third = given_today(MakeRecord(4, Phone(1)));
  third.batch_no = "B-2026-1";
  third.head_count = 3;
  ctx.at += std::chrono::hours(2);
  this->Record({third, first}, ctx);
  auto merged = this->store().FindSms(one.id);
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->body,
            "HerdPass 2026-09-21: вакцина егілді FMD-O 5 бас, FMD-OA-INACT сериясы B-2026-1; "
            "FMD-O 5 бас, FMD-OA-INACT сериясы B-2026-2. Вакцинатор vacc7, KZ-ABY-01.");
  EXPECT_EQ(this->store().ListSms({"KZ", true, 0, 100, {}})->size(), 2u);

  // Once it has gone, that day's later records queue no second receipt; the next day's do.
  ASSERT_TRUE(this->store().MarkSmsSent(one.id, ctx.at).ok());
  this->Record({given_today(MakeRecord(5, Phone(1)))}, ctx);
  EXPECT_EQ(this->store().ListSms({"KZ", true, 0, 100, {}})->size(), 2u);
  ctx.at += std::chrono::hours(24);
  this->Record({given_today(MakeRecord(6, Phone(1)))}, ctx);
  EXPECT_EQ(this->store().ListSms({"KZ", true, 0, 100, {}})->size(), 3u);
}

TYPED_TEST(StoreTest, RecordsGivenLongBeforeTheyAreRecordedQueueNoReceipt) {
  BatchContext ctx = MakeContext();  // 2026-09-21
  auto old = MakeRecord(1, Phone(1));
  old.administered_on = Day("2026-08-21");  // 31 days before: history typed in late
  auto recent = MakeRecord(2, Phone(2));
  recent.administered_on = Day("2026-08-22");  // 30 days before: still a receipt
  auto results = this->Record({old, recent}, ctx);
  ASSERT_EQ(results.size(), 2u);
  ASSERT_EQ(results[0].outcome, RecordOutcome::kCreated);
  auto queued = this->store().ListSms({"KZ", true, 0, 100, {}});
  ASSERT_TRUE(queued.ok()) << queued.status().ToString();
  ASSERT_EQ(queued->size(), 1u);
  EXPECT_EQ((*queued)[0].phone, Phone(2));
  // With no user named (the operator's console), the receipt names the station alone.
  EXPECT_EQ((*queued)[0].body,
            "HerdPass 2026-09-21: вакцина егілді FMD-O 5 бас, FMD-OA-INACT сериясы B-2026-2. "
            "KZ-ABY-01.");
}

// Issue 15: the owner chooses their language (in /me, or LANG by SMS); their messages go in it from
// then on, their STOP stays as it was, and a language not of the nine changes nothing.
TYPED_TEST(StoreTest, AnOwnersLanguageIsKeptAndTheirReceiptsGoInIt) {
  auto first = this->Record({MakeRecordOn(1, Phone(1), "2026-09-21")});
  ASSERT_EQ(first.size(), 1u);
  const int64_t owner = first[0].owner_id;

  // Refused, and nothing changes: not one of the nine (nor its case), no such owner.
  for (const char* bad : {"", "de", "KK", "zh", "kk "}) {
    EXPECT_TRUE(HasField(this->store().SetSmsOwnerLanguage(owner, bad, At(1'790'000'000'000),
                                                           MakeAudit("me.language")),
                         StatusCode::kInvalidArgument, "language"))
        << bad;
  }
  EXPECT_TRUE(HasCode(this->store().SetSmsOwnerLanguage(9999, "ru", At(1'790'000'000'000),
                                                        MakeAudit("me.language")),
                      StatusCode::kNotFound));
  EXPECT_EQ(this->store().FindSmsOwner(owner)->language, "");
  EXPECT_EQ(this->AuditRowsOf("me.language"), 0);

  // A STOP before, kept through the change of language.
  InboundSmsChange stop;
  stop.digest = std::string(32, 's');
  stop.at = At(1'790'000'050'000);
  stop.owner_id = owner;
  stop.stopped = true;
  ASSERT_TRUE(this->store().TakeInboundSms(stop).ok());

  const Timestamp chosen_at = At(1'790'000'100'000);
  ASSERT_TRUE(
      this->store().SetSmsOwnerLanguage(owner, "ru", chosen_at, MakeAudit("me.language")).ok());
  auto chosen = this->store().FindSmsOwner(owner);
  ASSERT_TRUE(chosen.ok()) << chosen.status().ToString();
  EXPECT_EQ(chosen->language, "ru");
  EXPECT_TRUE(chosen->stopped);
  EXPECT_EQ(chosen->changed_at, chosen_at);
  EXPECT_EQ(this->AuditRowsOf("me.language"), 1);

  // START: the language stays; the next day's receipt is in Russian, the region (KZ) aside.
  InboundSmsChange start;
  start.digest = std::string(32, 't');
  start.at = At(1'790'000'150'000);
  start.owner_id = owner;
  start.stopped = false;
  ASSERT_TRUE(this->store().TakeInboundSms(start).ok());
  EXPECT_EQ(this->store().FindSmsOwner(owner)->language, "ru");
  BatchContext next = MakeContext();
  next.at += std::chrono::hours(24);
  this->Record({MakeRecordOn(2, Phone(1), "2026-09-22")}, next);
  auto queued = this->store().ListSms({"KZ", true, 0, 100, {}});
  ASSERT_TRUE(queued.ok());
  ASSERT_FALSE(queued->empty());
  EXPECT_EQ((*queued)[0].kind, "receipt");
  EXPECT_EQ((*queued)[0].body.rfind("HerdPass 2026-09-22: привито FMD-O", 0), 0u)
      << (*queued)[0].body;

  // LANG by SMS: the language with the reply, in one change; a replay changes nothing.
  InboundSmsChange lang;
  lang.digest = std::string(32, 'l');
  lang.at = At(1'790'000'200'000);
  lang.owner_id = owner;
  lang.language = "kk";
  lang.reply = NewSms{owner, "reply", "", "kk now", "", true, lang.at};
  ASSERT_TRUE(this->store().TakeInboundSms(lang).ok());
  EXPECT_EQ(this->store().FindSmsOwner(owner)->language, "kk");
  EXPECT_FALSE(this->store().FindSmsOwner(owner)->stopped);
  lang.language = "en";
  EXPECT_TRUE(HasCode(this->store().TakeInboundSms(lang), StatusCode::kAlreadyExists));
  EXPECT_EQ(this->store().FindSmsOwner(owner)->language, "kk");
  // A LANG naming none of the nine is refused whole: no digest kept, no reply.
  const size_t messages = this->store().ListSms({"KZ", true, 0, 100, {}})->size();
  InboundSmsChange bad = lang;
  bad.digest = std::string(32, 'x');
  bad.language = "xx";
  EXPECT_TRUE(
      HasField(this->store().TakeInboundSms(bad), StatusCode::kInvalidArgument, "language"));
  EXPECT_EQ(this->store().ListSms({"KZ", true, 0, 100, {}})->size(), messages);
  EXPECT_EQ(this->store().FindSmsOwner(owner)->language, "kk");
}

TYPED_TEST(StoreTest, AnOwnersStopIsKeptAndHoldsTheirReceiptsUntilStart) {
  auto first = this->Record({MakeRecordOn(1, Phone(1), "2026-09-21")});
  ASSERT_EQ(first.size(), 1u);
  const int64_t owner = first[0].owner_id;
  auto defaults = this->store().FindSmsOwner(owner);
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  EXPECT_FALSE(defaults->stopped);
  EXPECT_EQ(defaults->language, "");
  EXPECT_EQ(defaults->authority, "KZ-ABY-01");
  EXPECT_TRUE(HasCode(this->store().FindSmsOwner(9999).status(), StatusCode::kNotFound));

  InboundSmsChange stop;
  stop.digest = std::string(32, 'a');
  stop.at = At(1'790'000'100'000);
  stop.owner_id = owner;
  stop.stopped = true;
  stop.reply = NewSms{owner, "reply", "", "stopped", "", true, stop.at};
  // An audit row carried by the change is written with it, and only once (the replay below).
  stop.audit = MakeAudit("sms.status");
  ASSERT_TRUE(this->store().TakeInboundSms(stop).ok());
  EXPECT_EQ(this->AuditRowsOf("sms.status"), 1);
  auto stopped = this->store().FindSmsOwner(owner);
  ASSERT_TRUE(stopped.ok());
  EXPECT_TRUE(stopped->stopped);
  EXPECT_EQ(stopped->changed_at, stop.at);
  auto after_stop = this->store().ListSms({"KZ", true, 0, 100, {}});
  ASSERT_EQ(after_stop->size(), 2u);  // the day's receipt and the reply
  EXPECT_EQ((*after_stop)[0].kind, "reply");
  EXPECT_EQ((*after_stop)[0].body, "stopped");
  EXPECT_TRUE((*after_stop)[0].requested);

  // The same message again: refused, nothing changes (no second reply).
  stop.stopped = false;
  EXPECT_TRUE(HasCode(this->store().TakeInboundSms(stop), StatusCode::kAlreadyExists));
  EXPECT_TRUE(this->store().FindSmsOwner(owner)->stopped);
  EXPECT_EQ(this->AuditRowsOf("sms.status"), 1);
  EXPECT_EQ(this->store().ListSms({"KZ", true, 0, 100, {}})->size(), 2u);

  // A record of the next day queues no receipt while stopped.
  BatchContext next = MakeContext();
  next.at += std::chrono::hours(24);
  this->Record({MakeRecordOn(2, Phone(1), "2026-09-22")}, next);
  EXPECT_EQ(this->store().ListSms({"KZ", true, 0, 100, {}})->size(), 2u);

  InboundSmsChange start;
  start.digest = std::string(32, 'b');
  start.at = At(1'790'000'200'000);
  start.owner_id = owner;
  start.stopped = false;
  ASSERT_TRUE(this->store().TakeInboundSms(start).ok());
  EXPECT_FALSE(this->store().FindSmsOwner(owner)->stopped);
  next.at += std::chrono::hours(24);
  this->Record({MakeRecordOn(3, Phone(1), "2026-09-23")}, next);
  EXPECT_EQ(this->store().ListSms({"KZ", true, 0, 100, {}})->size(), 3u);

  // A sender no owner has: the digest alone is kept.
  InboundSmsChange stranger;
  stranger.digest = std::string(32, 'c');
  stranger.at = start.at;
  ASSERT_TRUE(this->store().TakeInboundSms(stranger).ok());
  EXPECT_TRUE(HasCode(this->store().TakeInboundSms(stranger), StatusCode::kAlreadyExists));
  EXPECT_EQ(this->store().ListSms({"KZ", true, 0, 100, {}})->size(), 3u);
}

TYPED_TEST(StoreTest, CertificatesQueueTheOwnersMessagesInTheirOwnTransactions) {
  auto certificate_messages = [&] {
    std::vector<SmsMessage> out;
    auto all = this->store().ListSms({"KZ", true, 0, 1000, {}});
    EXPECT_TRUE(all.ok()) << all.status().ToString();
    for (const auto& m : *all) {
      if (m.kind == "certificate") out.insert(out.begin(), m);  // oldest first
    }
    return out;
  };
  Certificate issued = this->AddCertificate(1);
  auto one = certificate_messages();
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].phone, Phone(1));
  EXPECT_EQ(one[0].dedupe_key, "certificate/" + issued.id + "/issued");
  EXPECT_EQ(one[0].created_at, issued.issued_at);
  EXPECT_FALSE(one[0].requested);
  // In Kazakh (the owner's region), with the number and the check code of the signed text.
  EXPECT_EQ(one[0].body, "HerdPass: " + issued.number +
                             " сертификаты берілді, 32 бас. Тексеру коды " +
                             CertificateCheckCode(issued.hp1) + ".");

  // A certificate the store refuses (the same id again) queues nothing.
  EXPECT_FALSE(this->store().CreateCertificate(issued, MakeAudit("certificate.issue")).ok());
  EXPECT_EQ(certificate_messages().size(), 1u);

  // The owner of the second sends STOP: its messages still come.
  Certificate moved = this->AddCertificate(2);
  InboundSmsChange stop;
  stop.digest = std::string(32, 's');
  stop.at = At(1'790'000'100'000);
  stop.owner_id = moved.owner_id;
  stop.stopped = true;
  ASSERT_TRUE(this->store().TakeInboundSms(stop).ok());
  Consumption by{21, "insp", "gate", At(1'790'000'200'000)};
  ASSERT_TRUE(this->store().ConsumeCertificate(moved.id, by, MakeAudit("consume")).ok());
  ASSERT_TRUE(this->store()
                  .RevokeCertificate(issued.id, 3, "forged batch", At(1'790'000'300'000),
                                     MakeAudit("revoke"))
                  .ok());
  // A second revocation is refused and queues nothing more.
  EXPECT_FALSE(
      this->store()
          .RevokeCertificate(issued.id, 3, "again", At(1'790'000'400'000), MakeAudit("revoke"))
          .ok());
  auto all = certificate_messages();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[1].dedupe_key, "certificate/" + moved.id + "/issued");
  EXPECT_EQ(all[2].dedupe_key, "certificate/" + moved.id + "/arrived");
  EXPECT_EQ(all[2].body,
            "HerdPass: " + moved.number + " сертификаты бойынша мал межелі жерге жетті.");
  EXPECT_EQ(all[2].created_at, by.at);
  EXPECT_EQ(all[3].dedupe_key, "certificate/" + issued.id + "/revoked");
  EXPECT_EQ(all[3].body, "HerdPass: " + issued.number + " сертификатының күші жойылды.");
  EXPECT_EQ(all[3].phone, Phone(1));
}

TYPED_TEST(StoreTest, ARejectedBatchQueuesNoReceipt) {
  auto bad = MakeRecord(1, Phone(1));
  bad.species = "";  // rejected by the record rules
  auto results = this->Record({bad});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, RecordOutcome::kRejected);
  EXPECT_TRUE(this->store().ListSms({"KZ", true, 0, 100, {}})->empty());
}

TYPED_TEST(StoreTest, TheSenderWalksAMessageThroughItsStates) {
  Owner o = this->AddOwner(1);
  NewSms sms{o.id, "reply", "", "Your animals: FMD-O covered", "", true, At(1'000'000)};
  auto id = this->store().QueueSms(sms);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_TRUE(HasCode(this->store().QueueSms({9999, "reply", "", "x", "", true, At(1)}).status(),
                      StatusCode::kNotFound));
  // A dedupe key is used once.
  auto keyed = this->store().QueueSms({o.id, "receipt", "k/1", "a", "", false, At(1'000'000)});
  ASSERT_TRUE(keyed.ok());
  auto again = this->store().QueueSms({o.id, "receipt", "k/1", "b", "", false, At(1'000'001)});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *keyed);
  EXPECT_EQ(this->store().FindSms(*keyed)->body, "a");

  auto ids = [&](Timestamp now) {
    std::vector<int64_t> out;
    auto due = this->store().ListDueSms(now, 10);
    EXPECT_TRUE(due.ok()) << due.status().ToString();
    if (due.ok()) {
      for (const auto& m : *due) out.push_back(m.id);
    }
    return out;
  };
  EXPECT_EQ(ids(At(999'999)), std::vector<int64_t>{});
  EXPECT_EQ(ids(At(1'000'000)), (std::vector<int64_t>{*id, *keyed}));
  // "Everything queued", as `serve` without a gateway counts it: a bound both stores hold.
  EXPECT_EQ(ids(kLastStoredInstant), (std::vector<int64_t>{*id, *keyed}));

  // Deferred (quiet hours): no attempt counted, due later.
  ASSERT_TRUE(this->store().DeferSms(*keyed, At(2'000'000)).ok());
  EXPECT_EQ(ids(At(1'999'999)), std::vector<int64_t>{*id});
  EXPECT_EQ(this->store().FindSms(*keyed)->attempts, 0);

  // A failed hand-over: an attempt, the error, a retry time.
  ASSERT_TRUE(this->store().FailSmsAttempt(*id, At(1'030'000), "503 from the gateway").ok());
  auto failed = this->store().FindSms(*id);
  EXPECT_EQ(failed->attempts, 1);
  EXPECT_EQ(failed->status, SmsStatus::kQueued);
  EXPECT_EQ(failed->last_error, "503 from the gateway");
  EXPECT_EQ(ids(At(1'029'999)), std::vector<int64_t>{});

  // Sent, then delivered by report.
  ASSERT_TRUE(this->store().MarkSmsSent(*id, At(1'030'500)).ok());
  auto sent = this->store().FindSms(*id);
  EXPECT_EQ(sent->status, SmsStatus::kSent);
  EXPECT_EQ(sent->attempts, 2);
  EXPECT_EQ(sent->sent_at, std::optional<Timestamp>(At(1'030'500)));
  EXPECT_EQ(sent->last_error, "");
  EXPECT_EQ(ids(At(9'000'000)), std::vector<int64_t>{*keyed});
  EXPECT_TRUE(
      HasCode(this->store().MarkSmsSent(*id, At(1'031'000)), StatusCode::kFailedPrecondition));
  EXPECT_TRUE(HasCode(this->store().DeferSms(*id, At(1'031'000)), StatusCode::kFailedPrecondition));
  ASSERT_TRUE(this->store().RecordSmsDelivery(*id, 1, At(1'040'000)).ok());
  auto delivered = this->store().FindSms(*id);
  EXPECT_EQ(delivered->status, SmsStatus::kDelivered);
  EXPECT_EQ(delivered->dlr, 1);
  EXPECT_EQ(delivered->dlr_at, std::optional<Timestamp>(At(1'040'000)));
  // Kannel's interim report (8, taken by the SMSC) may come after the final one: it changes
  // nothing.
  ASSERT_TRUE(this->store().RecordSmsDelivery(*id, 8, At(1'050'000)).ok());
  EXPECT_EQ(this->store().FindSms(*id)->dlr, 1);
  EXPECT_EQ(this->store().FindSms(*id)->status, SmsStatus::kDelivered);
  EXPECT_TRUE(HasCode(this->store().RecordSmsDelivery(9999, 1, At(1)), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(this->store().MarkSmsSent(9999, At(1)), StatusCode::kNotFound));

  // A report for a message still queued (a crash before its marking): it has gone, not again.
  ASSERT_TRUE(this->store().RecordSmsDelivery(*keyed, 8, At(2'100'000)).ok());
  EXPECT_EQ(this->store().FindSms(*keyed)->status, SmsStatus::kSent);
  EXPECT_EQ(this->store().FindSms(*keyed)->attempts, 1);  // the hand-over the report tells of
  EXPECT_EQ(ids(At(9'000'000)), std::vector<int64_t>{});
  // The sender's mark, when it comes after that report, counts nothing twice and keeps the report.
  ASSERT_TRUE(this->store().RecordSmsDelivery(*keyed, 1, At(2'100'100)).ok());
  ASSERT_TRUE(this->store().MarkSmsSent(*keyed, At(2'100'200)).ok());
  auto reported = this->store().FindSms(*keyed);
  EXPECT_EQ(reported->status, SmsStatus::kDelivered);
  EXPECT_EQ(reported->attempts, 1);
  EXPECT_EQ(reported->sent_at, std::optional<Timestamp>(At(2'100'000)));

  auto count = this->store().CountSmsSentSince(o.id, At(1'030'500));
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 2);
  EXPECT_EQ(*this->store().CountSmsSentSince(o.id, At(1'030'501)), 1);
}

// The sender's sliding window reads the due messages that are not in flight (store.h ListDueSms's
// `except`): the ids left out are skipped and the limit counts only what is returned.
TYPED_TEST(StoreTest, TheDueListLeavesOutTheMessagesInFlight) {
  Owner o = this->AddOwner(1);
  std::vector<int64_t> queued;
  for (int i = 0; i < 5; ++i) {
    auto id = this->store().QueueSms(
        {o.id, "reply", "", "reply " + std::to_string(i), "", true, At(1'000'000 + i)});
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    queued.push_back(*id);
  }
  auto ids = [&](int limit, std::vector<int64_t> except) {
    std::vector<int64_t> out;
    auto due = this->store().ListDueSms(At(2'000'000), limit, except);
    EXPECT_TRUE(due.ok()) << due.status().ToString();
    if (due.ok()) {
      for (const auto& m : *due) out.push_back(m.id);
    }
    return out;
  };
  EXPECT_EQ(ids(3, {}), (std::vector<int64_t>{queued[0], queued[1], queued[2]}));
  EXPECT_EQ(ids(3, {queued[0], queued[2]}),
            (std::vector<int64_t>{queued[1], queued[3], queued[4]}));
  EXPECT_EQ(ids(10, {queued[4], 9999, queued[1]}),
            (std::vector<int64_t>{queued[0], queued[2], queued[3]}));
  EXPECT_EQ(ids(10, queued), std::vector<int64_t>{});
}

// The sender's group commit (store.h ApplySmsOutcomes): one transaction for a pass's marks, each
// outcome applied as its single call would, a refusal of one message leaving the others applied.
TYPED_TEST(StoreTest, ThePassOutcomesAreAppliedTogetherEachAsItsOwnCall) {
  Owner a = this->AddOwner(1);
  Owner b = this->AddOwner(2);
  const int64_t sent = *this->store().QueueSms({a.id, "reply", "", "s", "", true, At(1)});
  const int64_t deferred = *this->store().QueueSms({a.id, "reply", "", "d", "", true, At(2)});
  const int64_t refused = *this->store().QueueSms({b.id, "reply", "", "r", "", true, At(3)});
  const int64_t gone = *this->store().QueueSms({b.id, "reply", "", "g", "", true, At(4)});
  const int64_t reported = *this->store().QueueSms({b.id, "reply", "", "p", "", true, At(5)});
  ASSERT_TRUE(this->store().MarkSmsSent(gone, At(10)).ok());
  // A delivery report that came before the sender's mark (docs/sms.md).
  ASSERT_TRUE(this->store().RecordSmsDelivery(reported, 1, At(15)).ok());

  const std::vector<SmsOutcome> outcomes = {
      {sent, SmsOutcome::Kind::kSent, At(20), ""},
      {deferred, SmsOutcome::Kind::kDefer, At(5'000), ""},
      {refused, SmsOutcome::Kind::kFailedAttempt, At(30'020), "503 from smsbox"},
      {gone, SmsOutcome::Kind::kSent, At(20), ""},
      {9999, SmsOutcome::Kind::kSent, At(20), ""},
      {reported, SmsOutcome::Kind::kSent, At(20), ""},
  };
  auto applied = this->store().ApplySmsOutcomes(outcomes);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  ASSERT_EQ(applied->size(), outcomes.size());
  EXPECT_TRUE((*applied)[0].ok());
  EXPECT_TRUE((*applied)[1].ok());
  EXPECT_TRUE((*applied)[2].ok());
  EXPECT_TRUE(HasCode((*applied)[3], StatusCode::kFailedPrecondition));
  EXPECT_TRUE(HasCode((*applied)[4], StatusCode::kNotFound));
  EXPECT_TRUE((*applied)[5].ok());

  auto s = this->store().FindSms(sent);
  EXPECT_EQ(s->status, SmsStatus::kSent);
  EXPECT_EQ(s->attempts, 1);
  EXPECT_EQ(s->sent_at, std::optional<Timestamp>(At(20)));
  auto d = this->store().FindSms(deferred);
  EXPECT_EQ(d->status, SmsStatus::kQueued);
  EXPECT_EQ(d->attempts, 0);
  EXPECT_EQ(d->next_attempt_at, At(5'000));
  auto r = this->store().FindSms(refused);
  EXPECT_EQ(r->status, SmsStatus::kQueued);
  EXPECT_EQ(r->attempts, 1);
  EXPECT_EQ(r->last_error, "503 from smsbox");
  EXPECT_EQ(r->next_attempt_at, At(30'020));
  auto g = this->store().FindSms(gone);
  EXPECT_EQ(g->sent_at, std::optional<Timestamp>(At(10)));  // the refusal changed nothing
  EXPECT_EQ(g->attempts, 1);
  auto p = this->store().FindSms(reported);
  EXPECT_EQ(p->status, SmsStatus::kDelivered);  // the report counted the hand-over: kept
  EXPECT_EQ(p->attempts, 1);
  EXPECT_EQ(p->sent_at, std::optional<Timestamp>(At(15)));

  auto counts = this->store().CountSmsSentSinceEach(std::vector<int64_t>{b.id, a.id, 9999}, At(0));
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(*counts, (std::vector<int64_t>{2, 1, 0}));
  EXPECT_EQ(*this->store().CountSmsSentSinceEach(std::vector<int64_t>{b.id}, At(11)),
            std::vector<int64_t>{1});
  EXPECT_TRUE(this->store().CountSmsSentSinceEach({}, At(0))->empty());
}

TYPED_TEST(StoreTest, AMessageFailsForGoodAfterItsLastAttempt) {
  Owner o = this->AddOwner(1);
  auto id = this->store().QueueSms({o.id, "reply", "", "x", "", true, At(1)});
  ASSERT_TRUE(id.ok());
  for (int i = 1; i < kSmsMaxAttempts; ++i) {
    ASSERT_TRUE(this->store().FailSmsAttempt(*id, At(1 + i), "refused").ok());
    EXPECT_EQ(this->store().FindSms(*id)->status, SmsStatus::kQueued);
  }
  ASSERT_TRUE(this->store().FailSmsAttempt(*id, At(100), "refused").ok());
  auto m = this->store().FindSms(*id);
  EXPECT_EQ(m->status, SmsStatus::kFailed);
  EXPECT_EQ(m->attempts, kSmsMaxAttempts);
  EXPECT_TRUE(this->store().ListDueSms(At(1'000'000), 10)->empty());
}

TYPED_TEST(StoreTest, TheMessageListKeepsToItsJurisdictionNewestFirst) {
  Owner here = this->AddOwner(1, "KZ-ABY-01");
  Owner below = this->AddOwner(2, "KZ-ABY-01-02");
  Owner elsewhere = this->AddOwner(3, "KZ-ALM");
  Owner prefix = this->AddOwner(4, "KZ-ABYX");
  std::vector<int64_t> ids;
  for (const Owner& o : {here, below, elsewhere, prefix}) {
    ids.push_back(*this->store().QueueSms({o.id, "reply", "", "x", "", true, At(1)}));
  }
  auto listed = [&](SmsListQuery q) {
    std::vector<int64_t> out;
    auto got = this->store().ListSms(q);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (got.ok()) {
      for (const auto& m : *got) out.push_back(m.id);
    }
    return out;
  };
  EXPECT_EQ(listed({"KZ-ABY-01", false, 0, 100, {}}), (std::vector<int64_t>{ids[1], ids[0]}));
  EXPECT_EQ(listed({"KZ-ABY", false, 0, 100, {}}), (std::vector<int64_t>{ids[1], ids[0]}));
  EXPECT_EQ(listed({"KZ", false, 0, 100, {}}),
            (std::vector<int64_t>{ids[3], ids[2], ids[1], ids[0]}));
  EXPECT_EQ(listed({"KZ", false, 0, 2, {}}), (std::vector<int64_t>{ids[3], ids[2]}));
  EXPECT_EQ(listed({"KZ", false, ids[2], 2, {}}), (std::vector<int64_t>{ids[1], ids[0]}));
  EXPECT_EQ(listed({"", true, 0, 100, {}}).size(), 4u);
}

TYPED_TEST(StoreTest, TheMessageListFiltersByStatusAndCountsTheQueuedOfItsJurisdiction) {
  Owner here = this->AddOwner(1, "KZ-ABY-01");
  Owner elsewhere = this->AddOwner(2, "KZ-ALM");
  const int64_t sent = *this->store().QueueSms({here.id, "reply", "", "a", "", true, At(1)});
  const int64_t waiting = *this->store().QueueSms({here.id, "reply", "", "b", "", true, At(2)});
  const int64_t failed = *this->store().QueueSms({here.id, "reply", "", "c", "", true, At(3)});
  const int64_t away = *this->store().QueueSms({elsewhere.id, "reply", "", "d", "", true, At(4)});
  ASSERT_TRUE(this->store().MarkSmsSent(sent, At(10)).ok());
  for (int i = 0; i < kSmsMaxAttempts; ++i) {
    ASSERT_TRUE(this->store().FailSmsAttempt(failed, At(11 + i), "refused").ok());
  }
  auto listed = [&](SmsListQuery q) {
    std::vector<int64_t> out;
    auto got = this->store().ListSms(q);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (got.ok()) {
      for (const auto& m : *got) out.push_back(m.id);
    }
    return out;
  };
  EXPECT_EQ(listed({"KZ-ABY", false, 0, 100, SmsStatus::kQueued}), std::vector<int64_t>{waiting});
  EXPECT_EQ(listed({"KZ-ABY", false, 0, 100, SmsStatus::kSent}), std::vector<int64_t>{sent});
  EXPECT_EQ(listed({"KZ-ABY", false, 0, 100, SmsStatus::kFailed}), std::vector<int64_t>{failed});
  EXPECT_TRUE(listed({"KZ-ABY", false, 0, 100, SmsStatus::kDelivered}).empty());
  EXPECT_EQ(listed({"", true, 0, 100, SmsStatus::kQueued}), (std::vector<int64_t>{away, waiting}));
  EXPECT_EQ(listed({"KZ-ABY", false, 0, 100, {}}), (std::vector<int64_t>{failed, waiting, sent}));

  EXPECT_EQ(*this->store().CountQueuedSms({"KZ-ABY", false, 0, 100, {}}), 1);
  EXPECT_EQ(*this->store().CountQueuedSms({"KZ-ALM", false, 0, 100, {}}), 1);
  EXPECT_EQ(*this->store().CountQueuedSms({"", true, 0, 100, {}}), 2);
  EXPECT_EQ(*this->store().CountQueuedSms({"KZ-TAR", false, 0, 100, {}}), 0);
  // The filter of the list does not narrow the count.
  EXPECT_EQ(*this->store().CountQueuedSms({"KZ-ABY", false, 0, 100, SmsStatus::kSent}), 1);
}

// --- owners' sign-in to /me (issue 15 item 4) ---

// A code stored with its SMS (requested: quiet hours do not hold it) and its audit row in one
// transaction; an unknown owner stores nothing.
TYPED_TEST(StoreTest, AnOwnerCodeIsStoredWithItsSmsAndAuditRow) {
  Owner o = this->AddOwner(1);
  OwnerCode code{0, o.id, "salt$hash", At(5'000), At(5'000) + kOwnerCodeValidFor, 0, false};
  NewSms sms{o.id, "otp", "", "123456 is your HerdPass code.", "", true, At(5'000)};
  auto id = this->store().SaveOwnerCode(code, sms, MakeAudit("me.code", 0, "phone:" + o.phone));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto queued = this->store().ListSms({"", true, 0, 100});
  ASSERT_TRUE(queued.ok());
  ASSERT_EQ(queued->size(), 1u);
  EXPECT_EQ((*queued)[0].kind, "otp");
  EXPECT_TRUE((*queued)[0].requested);
  EXPECT_EQ((*queued)[0].body, "123456 is your HerdPass code.");
  auto audit = this->store().ListAudit({"", true, 0, 100, "me.code", 0, {}, {}});
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->size(), 1u);

  code.owner_id = 9999;
  sms.owner_id = 9999;
  EXPECT_TRUE(HasCode(this->store().SaveOwnerCode(code, sms, MakeAudit("me.code")).status(),
                      StatusCode::kNotFound));
  EXPECT_EQ(this->store().ListSms({"", true, 0, 100})->size(), 1u);
  EXPECT_EQ(this->store().ListAudit({"", true, 0, 100, "me.code", 0, {}, {}})->size(), 1u);
}

// Five wrong tries spend a code (the right one then opens nothing); each try, right or wrong, is
// counted with its audit row; the newest code of the owner is the one tried.
TYPED_TEST(StoreTest, FiveWrongTriesSpendAnOwnerCode) {
  Owner o = this->AddOwner(1);
  auto save = [&](const std::string& hash, Timestamp at) {
    OwnerCode code{0, o.id, hash, at, at + kOwnerCodeValidFor, 0, false};
    NewSms sms{o.id, "otp", "", "code", "", true, at};
    ASSERT_TRUE(this->store().SaveOwnerCode(code, sms, MakeAudit("me.code", 0)).ok());
  };
  std::vector<OwnerCodeOutcome> audited;
  auto attempt = [&](const std::string& typed, Timestamp now, const std::string& token_hash) {
    auto r = this->store().TryOwnerCode(
        o.id, [&](const OwnerCode& c) { return c.code_hash == typed; }, now,
        {token_hash, o.id, now, now + std::chrono::hours(1)},
        [&](OwnerCodeOutcome out) {
          audited.push_back(out);
          return MakeAudit("me.sign_in", 0, "owner:" + std::to_string(o.id));
        });
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : OwnerCodeOutcome::kNone;
  };
  EXPECT_EQ(attempt("a", At(10'000), "t0"), OwnerCodeOutcome::kNone);
  save("a", At(10'000));
  for (int i = 0; i < kOwnerCodeMaxTries - 1; ++i) {
    EXPECT_EQ(attempt("wrong", At(11'000 + i), "t1"), OwnerCodeOutcome::kWrong) << i;
  }
  EXPECT_EQ(attempt("wrong", At(12'000), "t1"), OwnerCodeOutcome::kSpent);
  EXPECT_EQ(attempt("a", At(12'001), "t1"), OwnerCodeOutcome::kSpent);
  EXPECT_TRUE(HasCode(this->store().FindOwnerSession("t1").status(), StatusCode::kNotFound));

  // A new code replaces it; the right one signs in once, in time.
  save("b", At(20'000));
  EXPECT_EQ(attempt("a", At(20'001), "t2"), OwnerCodeOutcome::kWrong);
  EXPECT_EQ(attempt("b", At(20'002), "t2"), OwnerCodeOutcome::kSignedIn);
  auto session = this->store().FindOwnerSession("t2");
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_EQ(session->owner_id, o.id);
  EXPECT_EQ(session->expires_at, At(20'002) + std::chrono::hours(1));
  EXPECT_EQ(attempt("b", At(20'003), "t3"), OwnerCodeOutcome::kSpent);

  save("c", At(30'000));
  EXPECT_EQ(attempt("c", At(30'000) + kOwnerCodeValidFor, "t4"), OwnerCodeOutcome::kExpired);
  EXPECT_TRUE(HasCode(this->store().FindOwnerSession("t4").status(), StatusCode::kNotFound));

  EXPECT_EQ(audited.size(), 11u);
  auto rows = this->store().ListAudit({"", true, 0, 100, "me.sign_in", 0, {}, {}});
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 11u);

  ASSERT_TRUE(this->store().DeleteOwnerSession("t2", MakeAudit("me.sign_out", 0)).ok());
  EXPECT_TRUE(HasCode(this->store().FindOwnerSession("t2").status(), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(this->store().DeleteOwnerSession("t2", MakeAudit("me.sign_out", 0)),
                      StatusCode::kNotFound));
}

// The reads of an owner's number or record by users, newest first, with the user's role and
// authority (and its name); the owner's own rows and the console's (no user) are not reads.
TYPED_TEST(StoreTest, AnOwnersReadersAreTheUsersWhoReadTheirNumber) {
  ASSERT_TRUE(this->store()
                  .SaveAuthority({"KZ-ALM", "Almaty region", "KZ"}, MakeAudit("authority.save"))
                  .ok());
  auto insp = this->store().CreateUser({"insp9", "$h", Role::kInspector, "KZ-ALM", At(1)},
                                       MakeAudit("user.create"));
  auto vet = this->store().CreateUser({"vet9", "$h", Role::kVet, "KZ-XXX", At(1)},
                                      MakeAudit("user.create"));
  ASSERT_TRUE(insp.ok() && vet.ok());
  Owner o = this->AddOwner(1);
  Owner other = this->AddOwner(2);
  auto row = [&](int64_t user_id, const std::string& authority, const std::string& action,
                 const std::string& target, int64_t at) {
    AuditEntry e = MakeAudit(action, user_id, target);
    e.authority = authority;
    e.at = At(at);
    ASSERT_TRUE(this->store().AppendAudit(e).ok());
  };
  row(insp->id, "KZ-ALM", "lookup.phone", "phone:" + o.phone, 100);
  row(vet->id, "KZ-XXX", "owner.conflict", "owner:" + std::to_string(o.id), 200);
  row(insp->id, "KZ-ALM", "lookup.phone", "phone:" + other.phone, 300);    // another owner
  row(0, "KZ-ABY-01", "me.read", "owner:" + std::to_string(o.id), 400);    // the owner
  row(insp->id, "KZ-ALM", "lookup.phone", "phone:" + o.phone + "0", 500);  // another number
  auto readers = this->store().ListOwnerReaders(o.id, o.phone, 10);
  ASSERT_TRUE(readers.ok()) << readers.status().ToString();
  ASSERT_EQ(readers->size(), 2u);
  EXPECT_EQ((*readers)[0].at, At(200));
  EXPECT_EQ((*readers)[0].action, "owner.conflict");
  EXPECT_EQ((*readers)[0].role, "vet");
  EXPECT_EQ((*readers)[0].authority, "KZ-XXX");
  EXPECT_EQ((*readers)[0].authority_name, "");
  EXPECT_EQ((*readers)[1].at, At(100));
  EXPECT_EQ((*readers)[1].role, "inspector");
  EXPECT_EQ((*readers)[1].authority, "KZ-ALM");
  EXPECT_EQ((*readers)[1].authority_name, "Almaty region");
  EXPECT_EQ(this->store().ListOwnerReaders(o.id, o.phone, 1)->size(), 1u);
}

}  // namespace
}  // namespace herdpass::testing
