// W12 timeline (issue 12 item 6) through the service, over the real SQLite store with a fake
// clock: the order of entries, the owner masked outside the caller's jurisdiction or to roles that
// do not read personal data, the audit row, the lookup budget, flocks by id.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "domain/animal_events.h"
#include "domain/movement.h"
#include "service/service.h"
#include "store/sqlite/sqlite_store.h"

namespace herdpass {
namespace {

Timestamp At(int y, unsigned m, unsigned d, int hour = 9) {
  return Timestamp(std::chrono::sys_days(std::chrono::year{y} / m / d).time_since_epoch() +
                   std::chrono::hours(hour));
}

constexpr char kTag[] = "398000000000001";
constexpr char kNewTag[] = "398000000000009";

class TimelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hp-timeline-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    SqliteOptions opts;
    opts.path = (dir_ / "herdpass.db").string();
    auto store = OpenSqliteStore(opts);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    ServiceConfig config;
    config.default_region = "KZ";
    config.lookups_per_minute = 5;
    config.local_utc_offset = std::chrono::hours(5);
    service_ = std::make_unique<HerdService>(*store_, clock_, DefaultCatalogue(), config);
    vaccinator_ = AddAndLogin("vacc", Role::kVaccinator, "KZ-ABY");
    vet_ = AddAndLogin("vet1", Role::kVet, "KZ-ABY");
    inspector_ = AddAndLogin("insp", Role::kInspector, "KZ-ABY");
    auditor_ = AddAndLogin("audi", Role::kAuditor, "KZ");
    other_inspector_ = AddAndLogin("insp2", Role::kInspector, "KZ-ALM");
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

  VaccinationRecordInput Record(std::string id, std::string disease, std::string date) {
    VaccinationRecordInput r;
    r.id = std::move(id);
    r.owner_phone = "87012345678";
    r.animal_tags = {kTag};
    r.species = "sheep";
    r.disease = std::move(disease);
    r.vaccine = r.disease == "PPR" ? "PPR-LIVE" : "FMD-OA-INACT";
    r.batch_no = "B-" + r.disease;
    r.administered_on = std::move(date);
    r.lat = 49.1;
    r.lon = 82.5;
    return r;
  }

  AnimalEventRequest Event(std::string id, std::string kind, std::string date) {
    AnimalEventRequest e;
    e.id = std::move(id);
    e.kind = std::move(kind);
    e.date = std::move(date);
    e.reason = "reason";
    return e;
  }

  // The animal's life, each step on its own day (UTC+5 local days):
  //   2026-11-29 registered (09:00 UTC), and an FMD-O dose the same day;
  //   2026-12-01 a PPR dose, voided later;  2026-12-03 a second FMD-O dose;
  //   2026-12-04 its tag replaced;
  //   2026-12-05 a certificate issued (10:00 UTC), used at 12:00 UTC, and the animal slaughtered.
  void LiveTheLife() {
    auto owner =
        service_->RegisterOwner(vaccinator_, {"87012345678", "Nurlan Abenov", "Akzhar", ""});
    ASSERT_TRUE(owner.ok()) << owner.status().ToString();
    owner_id_ = owner->id;
    AnimalInput a;
    a.tag = kTag;
    a.species = "sheep";
    a.owner_id = owner->id;
    auto animal = service_->RegisterAnimal(vaccinator_, a);
    ASSERT_TRUE(animal.ok()) << animal.status().ToString();
    animal_id_ = animal->id;
    clock_.Set(At(2026, 12, 5, 8));
    auto batch = service_->RecordBatch(
        vaccinator_, {Record("018f3a7c-0000-7000-8000-000000000a03", "FMD-O", "2026-12-03"),
                      Record("018f3a7c-0000-7000-8000-000000000a01", "FMD-O", "2026-11-29"),
                      Record("018f3a7c-0000-7000-8000-000000000a02", "PPR", "2026-12-01")});
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    ASSERT_EQ(batch->created, 3);
    ASSERT_TRUE(
        service_->VoidVaccination(vet_, "018f3a7c-0000-7000-8000-000000000a02", "wrong animal")
            .ok());
    AnimalEventRequest replace =
        Event("018f3a7c-0000-7000-8000-000000000e01", "tag_replaced", "2026-12-04");
    replace.new_tag = kNewTag;
    ASSERT_TRUE(service_->RecordAnimalEvent(vaccinator_, kTag, replace).ok());
    // The certificate straight into the store: issuing needs signing keys, which are not what
    // this test is about.
    Certificate c;
    c.id = "018f3a7c-0000-7000-8000-0000000000c1";
    c.number = "KZ-ABY-20261205-AAAAAAAA";
    c.authority = "KZ-ABY";
    c.kid = "0123456789abcdef";
    c.owner_id = owner_id_;
    c.species = "sheep";
    c.head_count = 1;
    c.animal_ids = {animal_id_};
    c.tags = {kNewTag};
    c.purpose = Purpose::kSlaughter;
    c.origin = "KZ-ABY";
    c.origin_place = "Akzhar farm";
    c.destination = "KZ-ABY";
    c.destination_place = "Ayagoz meat plant";
    c.transport = "on foot";
    c.issued_at = At(2026, 12, 5, 10);
    c.valid_until = At(2026, 12, 5, 18);
    c.vet_id = vet_.user_id;
    c.vet_name = "vet1";
    c.owner_masked_name = "N***** A*****";
    c.owner_phone_last4 = "5678";
    c.hp1 = "HP1:TEST";
    ASSERT_TRUE(store_->CreateCertificate(c, AuditEntry{}).ok());
    ASSERT_TRUE(store_
                    ->ConsumeCertificate(c.id,
                                         Consumption{inspector_.user_id, "insp",
                                                     "Ayagoz meat plant", At(2026, 12, 5, 12)},
                                         AuditEntry{})
                    .ok());
    clock_.Set(At(2026, 12, 5, 13));
    ASSERT_TRUE(service_
                    ->RecordAnimalEvent(
                        inspector_, kNewTag,
                        Event("018f3a7c-0000-7000-8000-000000000e02", "slaughtered", "2026-12-05"))
                    .ok());
    clock_.Advance(std::chrono::minutes(1));  // a fresh lookup budget
  }

  // "kind/date" of each entry, with what tells entries of one kind apart.
  static std::vector<std::string> Shape(const AnimalTimeline& t) {
    std::vector<std::string> out;
    for (const TimelineEntry& e : t.entries) {
      std::string s = std::string(TimelineKindName(e.kind)) + "/" + e.on.ToString();
      if (e.vaccination)
        s += "/" + e.vaccination->disease + (e.vaccination->voided ? "/voided" : "");
      if (e.event) s += std::string("/") + AnimalEventKindName(e.event->kind);
      out.push_back(s);
    }
    return out;
  }

  std::vector<AuditRow> TimelineAudit() {
    AuditQuery q;
    q.all_authorities = true;
    q.action = "animal.timeline";
    auto rows = store_->ListAudit(q);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<AuditRow>{};
  }

  std::filesystem::path dir_;
  FakeClock clock_{At(2026, 11, 29)};
  std::unique_ptr<Store> store_;
  std::unique_ptr<HerdService> service_;
  Caller vaccinator_, vet_, inspector_, auditor_, other_inspector_;
  int64_t owner_id_ = 0, animal_id_ = 0;
};

TEST_F(TimelineTest, EntriesComeInTimeOrderFromEverySource) {
  LiveTheLife();
  auto t = service_->AnimalTimelineByTag(vet_, kTag);  // the replaced tag
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(Shape(*t), (std::vector<std::string>{
                           "registered/2026-11-29",
                           "vaccination/2026-11-29/FMD-O",
                           "vaccination/2026-12-01/PPR/voided",
                           "vaccination/2026-12-03/FMD-O",
                           "life_event/2026-12-04/tag_replaced",
                           "certificate/2026-12-05",
                           "certificate_used/2026-12-05",
                           "life_event/2026-12-05/slaughtered",
                       }));
  EXPECT_EQ(t->animal.tag, std::optional<std::string>(kNewTag));
  EXPECT_EQ(t->animal.former_tags, std::vector<std::string>{kTag});
  ASSERT_EQ(t->entries.size(), 8u);
  EXPECT_EQ(t->entries[0].at, std::optional<Timestamp>(At(2026, 11, 29)));
  EXPECT_EQ(t->entries[1].by, "vacc");
  EXPECT_EQ(t->entries[1].vaccination->batch_no, "B-FMD-O");
  EXPECT_EQ(t->entries[2].vaccination->void_reason, "wrong animal");
  EXPECT_EQ(t->entries[4].event->old_tag, kTag);
  EXPECT_EQ(t->entries[4].event->new_tag, kNewTag);
  EXPECT_EQ(t->entries[4].by, "vacc");
  ASSERT_NE(t->entries[5].certificate, nullptr);
  EXPECT_EQ(t->entries[5].certificate->number, "KZ-ABY-20261205-AAAAAAAA");
  EXPECT_EQ(t->entries[5].certificate->status, CertificateStatus::kConsumed);
  EXPECT_EQ(t->entries[5].certificate->hp1, "");
  EXPECT_EQ(t->entries[5].by, "vet1");
  EXPECT_EQ(t->entries[6].at, std::optional<Timestamp>(At(2026, 12, 5, 12)));
  EXPECT_EQ(t->entries[6].certificate->consumed_place, "Ayagoz meat plant");
  EXPECT_EQ(t->entries[6].by, "insp");
  EXPECT_EQ(t->entries[7].by, "insp");

  // The new tag names the same animal and the same timeline.
  auto by_new = service_->AnimalTimelineByTag(vet_, kNewTag);
  ASSERT_TRUE(by_new.ok()) << by_new.status().ToString();
  EXPECT_EQ(Shape(*by_new), Shape(*t));
}

TEST_F(TimelineTest, TheDayOfATimedEntryIsItsLocalDay) {
  // Registered at 20:00 UTC on 29 November: 01:00 on 30 November at UTC+5.
  clock_.Set(At(2026, 11, 29, 20));
  auto owner = service_->RegisterOwner(vaccinator_, {"87012345678", "Nurlan Abenov", "", ""});
  ASSERT_TRUE(owner.ok()) << owner.status().ToString();
  AnimalInput a;
  a.tag = kTag;
  a.species = "sheep";
  a.owner_id = owner->id;
  ASSERT_TRUE(service_->RegisterAnimal(vaccinator_, a).ok());
  auto t = service_->AnimalTimelineByTag(vet_, kTag);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(Shape(*t), std::vector<std::string>{"registered/2026-11-30"});
}

TEST_F(TimelineTest, OwnerIsFullWithinTheJurisdictionAndMaskedOutsideOrWithoutPersonalData) {
  LiveTheLife();
  auto inside = service_->AnimalTimelineByTag(inspector_, kNewTag);
  ASSERT_TRUE(inside.ok()) << inside.status().ToString();
  EXPECT_FALSE(inside->owner.masked);
  EXPECT_EQ(inside->owner.id, owner_id_);
  EXPECT_EQ(inside->owner.name, "Nurlan Abenov");
  EXPECT_EQ(inside->owner.phone, "+77012345678");
  ASSERT_TRUE(inside->entries[0].owner.has_value());
  EXPECT_EQ(inside->entries[0].owner->name, "Nurlan Abenov");
  EXPECT_EQ(inside->entries[1].vaccination->lat, std::optional<double>(49.1));
  EXPECT_EQ(inside->entries[5].certificate->owner_phone_last4, "5678");

  // An inspector of another province, and an auditor (whose role reads no personal data) of the
  // whole country: the masked name only, no phone, no id, no GPS.
  for (const Caller* caller : {&other_inspector_, &auditor_}) {
    SCOPED_TRACE(caller->username);
    auto t = service_->AnimalTimelineByTag(*caller, kNewTag);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_TRUE(t->owner.masked);
    EXPECT_EQ(t->owner.id, 0);
    EXPECT_EQ(t->owner.name, "N***** A*****");
    EXPECT_EQ(t->owner.phone, "");
    EXPECT_EQ(t->owner.village, "");
    EXPECT_EQ(t->owner.authority, "KZ-ABY");
    ASSERT_TRUE(t->entries[0].owner.has_value());
    EXPECT_EQ(t->entries[0].owner->name, "N***** A*****");
    EXPECT_EQ(t->entries[0].owner->phone, "");
    ASSERT_TRUE(t->entries[1].vaccination.has_value());
    EXPECT_EQ(t->entries[1].vaccination->lat, std::nullopt);
    EXPECT_EQ(t->entries[1].vaccination->lon, std::nullopt);
    EXPECT_EQ(t->entries[5].certificate->owner_phone_last4, "");
    EXPECT_EQ(Shape(*t), Shape(*inside));  // the same life, the owner masked
  }
}

TEST_F(TimelineTest, EveryReadIsAuditedFoundOrNot) {
  LiveTheLife();
  ASSERT_TRUE(service_->AnimalTimelineByTag(vet_, kTag).ok());
  ASSERT_TRUE(service_->AnimalTimelineByTag(other_inspector_, kNewTag).ok());
  EXPECT_EQ(service_->AnimalTimelineByTag(vet_, "398000000000777").status().code(),
            StatusCode::kNotFound);
  auto rows = TimelineAudit();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].entry.username, "vet1");
  EXPECT_EQ(rows[0].entry.target, std::string("tag:") + kTag);
  EXPECT_EQ(rows[0].entry.detail, R"({"found":true,"owner_id":)" + std::to_string(owner_id_) +
                                      R"(,"owner_masked":false})");
  EXPECT_EQ(rows[1].entry.username, "insp2");
  EXPECT_EQ(rows[1].entry.authority, "KZ-ALM");
  EXPECT_EQ(rows[1].entry.detail, R"({"found":true,"owner_id":)" + std::to_string(owner_id_) +
                                      R"(,"owner_masked":true})");
  EXPECT_EQ(rows[2].entry.target, "tag:398000000000777");
  EXPECT_EQ(rows[2].entry.detail, R"({"found":false})");
}

TEST_F(TimelineTest, BadTagIsRefusedNamingItAndReadsCountAgainstTheLookupLimit) {
  LiveTheLife();
  auto bad = service_->AnimalTimelineByTag(vet_, "12ab");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().field(), "tag");
  EXPECT_TRUE(TimelineAudit().empty());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(service_->AnimalTimelineByTag(vet_, kNewTag).ok()) << i;
  }
  EXPECT_EQ(service_->AnimalTimelineByTag(vet_, kNewTag).status().code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(TimelineAudit().size(), 5u);
  // Another user's budget is their own.
  EXPECT_TRUE(service_->AnimalTimelineByTag(inspector_, kNewTag).ok());
}

TEST_F(TimelineTest, FlockIsReadByItsIdAndATaggedAnimalIsNot) {
  VaccinationRecordInput r = Record("018f3a7c-0000-7000-8000-000000000f01", "PPR", "2026-11-28");
  r.animal_tags.clear();
  r.head_count = 40;
  auto batch = service_->RecordBatch(
      vaccinator_, {r, Record("018f3a7c-0000-7000-8000-000000000f02", "FMD-O", "2026-11-28")});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->created, 2);
  auto history = store_->LoadOwnerHistory(batch->results[0].owner_id, Date::Of(At(2000, 1, 1)));
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  int64_t flock_id = 0, animal_id = 0;
  for (const Animal& a : history->animals) (a.is_flock() ? flock_id : animal_id) = a.id;
  ASSERT_NE(flock_id, 0);
  ASSERT_NE(animal_id, 0);

  auto t = service_->FlockTimeline(vet_, flock_id);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->animal.is_flock());
  EXPECT_EQ(Shape(*t),
            (std::vector<std::string>{"vaccination/2026-11-28/PPR", "registered/2026-11-29"}));
  EXPECT_EQ(service_->FlockTimeline(vet_, animal_id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service_->FlockTimeline(vet_, 987654).status().code(), StatusCode::kNotFound);
  auto rows = TimelineAudit();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].entry.target, "flock:" + std::to_string(flock_id));
  EXPECT_EQ(rows[2].entry.detail, R"({"found":false})");
}

Holding MakeHolding(const std::string& code, HoldingKind kind, const std::string& name,
                    std::optional<int64_t> owner_id = std::nullopt) {
  Holding h;
  h.code = code;
  h.kind = kind;
  h.name = name;
  h.authority = "KZ-ABY";
  h.owner_id = owner_id;
  h.lat = 48.1;
  h.lon = 80.1;
  h.opened_on = Date::Of(At(2020, 1, 1));
  h.created_at = At(2026, 11, 1);
  return h;
}

// The journey (issue 12 item 6): registered at the farm; a dose; on 5 December a sale certificate
// to the market, scanned at a checkpoint on the way, arrived at the market, where the animal
// passed to the buyer. The timeline shows each step, the registration where it was then (not where
// it is now) and by whom it was owned then; the dose given under the seller stays in it, marked.
TEST_F(TimelineTest, TheJourneyShowsHoldingsPassagesTheArrivalAndTheChangeOfOwner) {
  auto owner = service_->RegisterOwner(vaccinator_, {"87012345678", "Nurlan Abenov", "Akzhar", ""});
  ASSERT_TRUE(owner.ok()) << owner.status().ToString();
  auto farm = store_->CreateHolding(
      MakeHolding("F-1", HoldingKind::kFarm, "Akzhar farm", owner->id), AuditEntry{});
  auto market = store_->CreateHolding(MakeHolding("M-1", HoldingKind::kMarket, "Ayagoz market"),
                                      AuditEntry{});
  auto post = store_->CreateHolding(MakeHolding("CP-1", HoldingKind::kCheckpoint, "Checkpoint 1"),
                                    AuditEntry{});
  ASSERT_TRUE(farm.ok() && market.ok() && post.ok());
  AnimalInput a;
  a.tag = kTag;
  a.species = "sheep";
  a.owner_id = owner->id;
  a.holding = farm->id;
  auto animal = service_->RegisterAnimal(vaccinator_, a);
  ASSERT_TRUE(animal.ok()) << animal.status().ToString();
  clock_.Set(At(2026, 12, 5, 8));
  auto batch = service_->RecordBatch(
      vaccinator_, {Record("018f3a7c-0000-7000-8000-000000000a01", "FMD-O", "2026-11-29")});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->created, 1);

  Certificate c;
  c.id = "018f3a7c-0000-7000-8000-0000000000c1";
  c.number = "KZ-ABY-20261205-AAAAAAAA";
  c.authority = "KZ-ABY";
  c.kid = "0123456789abcdef";
  c.owner_id = owner->id;
  c.species = "sheep";
  c.head_count = 1;
  c.animal_ids = {animal->id};
  c.tags = {kTag};
  c.purpose = Purpose::kSale;
  c.origin = "KZ-ABY";
  c.destination = "KZ-ABY";
  c.destination_place = "Ayagoz market";
  c.issued_at = At(2026, 12, 5, 10);
  c.valid_until = At(2026, 12, 5, 18);
  c.vet_id = vet_.user_id;
  c.vet_name = "vet1";
  c.owner_masked_name = "N***** A*****";
  c.hp1 = "HP1:TEST";
  c.origin_holding_id = farm->id;
  c.destination_holding_id = market->id;
  c.buyer_phone = "+77019998877";
  c.buyer_name = "Aigerim Nurlanovna";
  ASSERT_TRUE(store_->CreateCertificate(c, AuditEntry{}).ok());
  PassageInput p;
  p.id = "018f3a7c-0000-7000-8000-0000000000f1";
  p.certificate_id = c.id;
  p.holding_id = post->id;
  p.authority = "KZ-ABY";
  p.at = At(2026, 12, 5, 11);
  p.head_seen = 1;
  p.note = "truck 05";
  p.user_id = inspector_.user_id;
  p.received_at = At(2026, 12, 5, 11);
  p.scope = "KZ-ABY";
  ASSERT_TRUE(store_->RecordPassage(p, AuditEntry{}).ok());
  Consumption use{inspector_.user_id, "insp", "Ayagoz market", At(2026, 12, 5, 12)};
  auto compared = CompareArrival(c, 1, std::vector<std::string>{kTag});
  ASSERT_TRUE(compared.ok()) << compared.status().ToString();
  use.arrival = *compared;
  use.arrival.holding_id = market->id;
  use.on = Date::Of(At(2026, 12, 5));
  use.event_ids = {"018f3a7c-0000-7000-8000-000000000e09"};
  auto used = store_->ConsumeCertificate(c.id, use, AuditEntry{});
  ASSERT_TRUE(used.ok()) << used.status().ToString();
  clock_.Set(At(2026, 12, 5, 13));

  auto t = service_->AnimalTimelineByTag(vet_, kTag);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(Shape(*t), (std::vector<std::string>{
                           "registered/2026-11-29",
                           "vaccination/2026-11-29/FMD-O",
                           "certificate/2026-12-05",
                           "passage/2026-12-05",
                           "certificate_used/2026-12-05",
                           "arrival/2026-12-05",
                           "holding/2026-12-05",
                           "ownership_change/2026-12-05",
                       }));
  EXPECT_EQ(t->owner.name, "Aigerim Nurlanovna");  // its owner now
  const auto& e = t->entries;
  // Registered at the farm by the seller, though it is the buyer's at the market now.
  ASSERT_TRUE(e[0].holding.has_value());
  EXPECT_EQ(e[0].holding->id, farm->id);
  ASSERT_TRUE(e[0].owner.has_value());
  EXPECT_EQ(e[0].owner->name, "Nurlan Abenov");
  EXPECT_EQ(e[1].previous_owner_masked, "N***** A*****");
  EXPECT_EQ(e[1].vaccination->lat, std::nullopt);
  ASSERT_TRUE(e[3].passage.has_value());
  EXPECT_EQ(e[3].holding->id, post->id);
  EXPECT_EQ(e[3].at, std::optional<Timestamp>(At(2026, 12, 5, 11)));
  EXPECT_EQ(e[3].passage->flag, PassageFlag::kNone);
  EXPECT_EQ(e[3].certificate_number, c.number);
  EXPECT_EQ(e[3].by, "insp");
  ASSERT_TRUE(e[5].arrival.has_value());
  EXPECT_EQ(e[5].holding->id, market->id);
  EXPECT_EQ(e[5].at, std::optional<Timestamp>(At(2026, 12, 5, 12)));
  EXPECT_EQ(e[5].arrival->head_counted, std::optional<int32_t>(1));
  EXPECT_FALSE(e[5].arrival->mismatch);
  EXPECT_EQ(e[5].certificate->number, c.number);
  EXPECT_EQ(e[6].holding->id, market->id);
  EXPECT_EQ(e[6].certificate_number, c.number);
  ASSERT_TRUE(e[7].ownership.has_value());
  EXPECT_EQ(e[7].ownership->from.name, "Nurlan Abenov");
  EXPECT_FALSE(e[7].ownership->from.masked);
  EXPECT_EQ(e[7].ownership->to.name, "Aigerim Nurlanovna");
  EXPECT_EQ(e[7].ownership->certificate_number, c.number);
  EXPECT_EQ(e[7].ownership->transfer_id, "");

  // Outside the owners' jurisdiction: both masked.
  auto masked = service_->AnimalTimelineByTag(other_inspector_, kTag);
  ASSERT_TRUE(masked.ok()) << masked.status().ToString();
  ASSERT_EQ(Shape(*masked), Shape(*t));
  const TimelineEntry& change = masked->entries[7];
  EXPECT_TRUE(change.ownership->from.masked);
  EXPECT_EQ(change.ownership->from.name, "N***** A*****");
  EXPECT_EQ(change.ownership->from.phone, "");
  EXPECT_TRUE(change.ownership->to.masked);
  EXPECT_EQ(change.ownership->to.name, "A****** N*********");
  EXPECT_EQ(masked->entries[0].owner->name, "N***** A*****");
}

// Within one day, most sources know the day only: the order is by what an entry is. A tag changed
// that day comes before the certificate naming the new tag; an end of life comes last.
TEST(SortTimelineTest, WithinADayTagChangesComeBeforeCertificatesAndTheEndLast) {
  const Date day = Date::Of(At(2026, 12, 5));
  auto life = [&](AnimalEventKind kind) {
    TimelineEntry e;
    e.kind = TimelineKind::kLifeEvent;
    e.on = day;
    e.event = AnimalEvent{};
    e.event->kind = kind;
    return e;
  };
  auto timed = [&](TimelineKind kind, int hour) {
    TimelineEntry e;
    e.kind = kind;
    e.on = day;
    e.at = At(2026, 12, 5, hour);
    return e;
  };
  TimelineEntry dose;
  dose.kind = TimelineKind::kVaccination;
  dose.on = day;
  TimelineEntry yesterday = life(AnimalEventKind::kSlaughtered);
  yesterday.on = day.AddDays(-1);
  std::vector<TimelineEntry> entries = {life(AnimalEventKind::kSlaughtered),
                                        timed(TimelineKind::kCertificateUsed, 12),
                                        timed(TimelineKind::kCertificate, 10),
                                        life(AnimalEventKind::kTagReplaced),
                                        dose,
                                        timed(TimelineKind::kRegistered, 8),
                                        yesterday};
  SortTimeline(entries);
  std::vector<std::string> got;
  for (const TimelineEntry& e : entries) {
    got.push_back(std::string(TimelineKindName(e.kind)) +
                  (e.event ? std::string("/") + AnimalEventKindName(e.event->kind) : "") + "/" +
                  e.on.ToString());
  }
  EXPECT_EQ(
      got, (std::vector<std::string>{"life_event/slaughtered/2026-12-04", "registered/2026-12-05",
                                     "vaccination/2026-12-05", "life_event/tag_replaced/2026-12-05",
                                     "certificate/2026-12-05", "certificate_used/2026-12-05",
                                     "life_event/slaughtered/2026-12-05"}));
}

// Entries of one kind on one day, none with a time: the order they were recorded in, whatever
// order the sources give them in (the store reads doses newest first). A dose given under an
// earlier owner comes first; then by when the server stored each; then by id. Life events and
// changes of owner alike.
TEST(SortTimelineTest, EntriesOfOneKindAndDayComeInTheOrderTheyWereRecorded) {
  const Date day = Date::Of(At(2026, 12, 5));
  auto dose = [&](std::string id, int recorded_hour, std::string earlier_owner = "") {
    TimelineEntry e;
    e.kind = TimelineKind::kVaccination;
    e.on = day;
    e.vaccination = Vaccination{};
    e.vaccination->id = std::move(id);
    e.vaccination->recorded_at = At(2026, 12, 5, recorded_hour);
    e.previous_owner_masked = std::move(earlier_owner);
    return e;
  };
  auto event = [&](std::string id, int recorded_hour) {
    TimelineEntry e;
    e.kind = TimelineKind::kLifeEvent;
    e.on = day;
    e.event = AnimalEvent{};
    e.event->kind = AnimalEventKind::kBorn;
    e.event->id = std::move(id);
    e.event->recorded_at = At(2026, 12, 5, recorded_hour);
    return e;
  };
  auto change = [&](std::string transfer, int recorded_hour) {
    TimelineEntry e;
    e.kind = TimelineKind::kOwnershipChange;
    e.on = day;
    e.ownership = TimelineOwnership{};
    e.ownership->transfer_id = std::move(transfer);
    e.ownership->recorded_at = At(2026, 12, 5, recorded_hour);
    return e;
  };
  std::vector<TimelineEntry> entries = {
      change("t-b", 11), dose("d-b", 10),   dose("d-c", 9),   event("e-b", 14),
      dose("d-a", 10),   change("t-a", 12), event("e-a", 13), dose("d-z", 15, "A**** O*****")};
  SortTimeline(entries);
  std::vector<std::string> got;
  for (const TimelineEntry& e : entries) {
    got.push_back(e.vaccination ? e.vaccination->id
                  : e.event     ? e.event->id
                                : e.ownership->transfer_id);
  }
  EXPECT_EQ(got,
            (std::vector<std::string>{"d-z", "d-c", "d-a", "d-b", "e-a", "e-b", "t-b", "t-a"}));
}

// Heads sold are written by the sale itself: a client may not post them as an event.
TEST_F(TimelineTest, HeadsSoldAreNotPostedAsAnEvent) {
  LiveTheLife();
  auto sold = service_->RecordAnimalEvent(
      vaccinator_, kNewTag, Event("018f3a7c-0000-7000-8000-000000000e07", "sold", "2026-12-05"));
  EXPECT_EQ(sold.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(sold.status().field(), "kind");
  EXPECT_EQ(store_->ListAnimalEvents(animal_id_)->size(), 2u);  // tag replaced, slaughtered
}

TEST_F(TimelineTest, ThePublicMayNotReadATimeline) {
  LiveTheLife();
  EXPECT_EQ(service_->AnimalTimelineByTag(Caller{}, kNewTag).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_TRUE(TimelineAudit().empty());
}

}  // namespace
}  // namespace herdpass
