// W2's answer cache (HerdService::LookupEncoded, service/lookup_cache.h) over the real SQLite
// store, with a fake clock: every write that touches an owner makes the next lookup a miss; a hit
// is still audited and rate-limited; an answer is never handed to a caller it was not made for.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "service/service.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/service/stored_user.h"

namespace herdpass {
namespace {

namespace fs = std::filesystem;

Timestamp At(int y, unsigned m, unsigned d, int hour = 9) {
  return Timestamp(std::chrono::sys_days(std::chrono::year{y} / m / d).time_since_epoch() +
                   std::chrono::hours(hour));
}

constexpr char kPhone[] = "87012345678";  // +77012345678
constexpr char kBuyerPhone[] = "87019998877";
constexpr char kThirdPhone[] = "87017776655";
constexpr char kSheep1[] = "398000000000001";
constexpr char kSheep2[] = "398000000000002";

std::string Uuid(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "018f3a7c-0000-7000-8000-%012d", n);
  return buf;
}

VaccinationRecordInput Dose(int id, const std::string& phone, std::vector<std::string> tags,
                            const std::string& disease = "FMD-O",
                            const std::string& vaccine = "FMD-OA-INACT",
                            const std::string& date = "2026-11-01") {
  VaccinationRecordInput r;
  r.id = Uuid(id);
  r.owner_phone = phone;
  r.owner_name = "Nurlan Abenov";
  r.animal_tags = std::move(tags);
  r.species = "sheep";
  r.disease = disease;
  r.vaccine = vaccine;
  r.batch_no = "B-" + disease;
  r.administered_on = date;
  return r;
}

class LookupCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("hp-lookup-cache-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    SqliteOptions opts;
    opts.path = (dir_ / "herdpass.db").string();
    auto opened = OpenSqliteStore(opts);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    ServiceConfig config;
    config.default_region = "KZ";
    config.key_dir = (dir_ / "keys").string();
    config.lookups_per_minute = 0;
    service_ = std::make_unique<HerdService>(*store_, clock_, DefaultCatalogue(), config);
    vaccinator_ = User("vacc", Role::kVaccinator, "KZ-ABY");
    vet_ = User("vet1", Role::kVet, "KZ-ABY");
    inspector_ = User("insp", Role::kInspector, "KZ-ABY");
    auto root = service_->NewSigningKey(HerdService::SystemCaller(), "KZ", true, 3650);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    auto key = service_->NewSigningKey(HerdService::SystemCaller(), "KZ-ABY", false, 730);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    // Sheep 1 (FMD O and PPR: fit to move) and 2 of the owner; and a flock of 30.
    VaccinationRecordInput flock = Dose(3, kPhone, {});
    flock.head_count = 30;
    auto r =
        service_->RecordBatch(vaccinator_, {Dose(1, kPhone, {kSheep1}), Dose(2, kPhone, {kSheep2}),
                                            flock, Dose(4, kPhone, {kSheep1}, "PPR", "PPR-LIVE")});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->created, 4);
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  Caller User(const std::string& name, Role role, const std::string& authority) {
    return testing::StoredUser(*store_, name, role, authority);
  }

  // The answer of a lookup as `who`, encoded by a stand-in for the HTTP layer's encoder that
  // counts its calls (a miss) and writes what the answer shows.
  std::string Look(const Caller& who, const std::string& phone = kPhone) {
    auto a = service_->LookupEncoded(who, phone, std::nullopt, [&](const LookupResult& r, bool) {
      ++encoded_;
      std::string s = "owner=" + std::to_string(r.owner.id);
      for (const Animal& an : r.animals) {
        s += " animal=" + an.tag.value_or("flock") + ":" + std::to_string(an.head_count) +
             (an.ended_on ? ":ended" : "");
      }
      for (const Vaccination& v : r.vaccinations) s += v.voided ? " dose=voided" : " dose";
      for (const EarlierDose& d : r.earlier_vaccinations) {
        s += d.vaccination.voided ? " earlier=voided" : " earlier";
      }
      s += " sold=" + std::to_string(r.sold.size());
      return EncodedLookup{s, false};
    });
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? (*a)->body : "error: " + a.status().ToString();
  }

  // Looks the owner up twice (the second a hit), runs `write`, and looks again: the answer must be
  // made anew. Returns the answers before and after.
  std::pair<std::string, std::string> AroundWrite(const std::function<void()>& write,
                                                  const std::string& phone = kPhone) {
    const std::string before = Look(inspector_, phone);
    const int made = encoded_;
    EXPECT_EQ(Look(inspector_, phone), before);
    EXPECT_EQ(encoded_, made) << "the second lookup was not answered from the cache";
    write();
    const std::string after = Look(inspector_, phone);
    EXPECT_EQ(encoded_, made + 1) << "the lookup after the write was answered from the cache";
    return {before, after};
  }

  int64_t FlockId() {
    auto l = service_->Lookup(HerdService::SystemCaller(), kPhone, std::nullopt);
    EXPECT_TRUE(l.ok());
    if (!l.ok()) return 0;
    for (const Animal& a : l->animals) {
      if (a.is_flock()) return a.id;
    }
    ADD_FAILURE() << "no flock";
    return 0;
  }

  CertificateRequest Request(const std::string& purpose = "slaughter") {
    CertificateRequest req;
    req.owner_phone = kPhone;
    req.animal_tags = {kSheep1};
    req.species = "sheep";
    req.purpose = purpose;
    req.destination = "KZ-ABY";
    req.destination_place = "Ayagoz meat plant";
    req.transport = "truck 123 ABC 05";
    return req;
  }

  Certificate Issue(const CertificateRequest& req) {
    auto c = service_->IssueCertificate(vet_, req);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? c.value() : Certificate{};
  }

  int64_t LookupAuditRows() {
    AuditQuery q;
    q.action = "lookup.phone";
    q.limit = 1000;
    q.scope = "KZ";
    auto rows = store_->ListAudit(q);
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? static_cast<int64_t>(rows->size()) : -1;
  }

  fs::path dir_;
  FakeClock clock_{At(2026, 11, 29)};
  std::unique_ptr<Store> store_;
  std::unique_ptr<HerdService> service_;
  Caller vaccinator_, vet_, inspector_;
  int encoded_ = 0;
};

TEST_F(LookupCacheTest, ANewVaccinationDropsTheAnswer) {
  auto [before, after] = AroundWrite([&] {
    auto r = service_->RecordBatch(vaccinator_,
                                   {Dose(10, kPhone, {kSheep1}, "ANTHRAX", "ANTHRAX-SPORE")});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->created, 1);
  });
  EXPECT_NE(before, after);
}

TEST_F(LookupCacheTest, AVoidedVaccinationDropsTheAnswer) {
  auto [before, after] = AroundWrite(
      [&] { ASSERT_TRUE(service_->VoidVaccination(vet_, Uuid(1), "wrong animal").ok()); });
  EXPECT_NE(before, after);
  EXPECT_NE(after.find("dose=voided"), std::string::npos) << after;
}

TEST_F(LookupCacheTest, IssuingACertificateDropsTheAnswer) {
  AroundWrite([&] { Issue(Request()); });
}

TEST_F(LookupCacheTest, RevokingACertificateDropsTheAnswer) {
  const Certificate c = Issue(Request());
  AroundWrite(
      [&] { ASSERT_TRUE(service_->RevokeCertificate(vet_, c.id, "issued in error").ok()); });
}

TEST_F(LookupCacheTest, ConsumingACertificateDropsTheAnswer) {
  const Certificate c = Issue(Request());
  AroundWrite([&] {
    auto used = service_->ConsumeCertificate(inspector_, c.id, "Ayagoz meat plant");
    ASSERT_TRUE(used.ok()) << used.status().ToString();
  });
}

TEST_F(LookupCacheTest, ASaleDropsTheAnswersOfSellerAndBuyer) {
  // The buyer exists (and is cached) before the sale.
  auto b = service_->RecordBatch(vaccinator_, {Dose(20, kBuyerPhone, {"398000000000009"})});
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->created, 1);
  TransferRequest t;
  t.id = Uuid(30);
  t.seller_phone = kPhone;
  t.buyer_phone = kBuyerPhone;
  t.tags = {kSheep1};
  t.date = "2026-11-29";
  const std::string buyer_before = Look(inspector_, kBuyerPhone);
  auto [before, after] = AroundWrite([&] {
    auto sold = service_->RecordTransfer(vet_, t);
    ASSERT_TRUE(sold.ok()) << sold.status().ToString();
  });
  EXPECT_NE(before, after);
  EXPECT_NE(after.find("sold=1"), std::string::npos) << after;
  const int made = encoded_;
  const std::string buyer_after = Look(inspector_, kBuyerPhone);
  EXPECT_EQ(encoded_, made + 1) << "the buyer's answer after the sale came from the cache";
  EXPECT_NE(buyer_after.find(std::string("animal=") + kSheep1), std::string::npos) << buyer_after;
  EXPECT_NE(buyer_before, buyer_after);
}

TEST_F(LookupCacheTest, ASaleCertificateConsumedDropsTheBuyersAnswer) {
  auto b = service_->RecordBatch(vaccinator_, {Dose(20, kBuyerPhone, {"398000000000009"})});
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->created, 1);
  CertificateRequest req = Request("sale");
  req.buyer_phone = kBuyerPhone;
  req.destination_place = "the buyer's farm";
  const Certificate c = Issue(req);
  auto [before, after] = AroundWrite(
      [&] {
        auto used = service_->ConsumeCertificate(inspector_, c.id, "the buyer's farm");
        ASSERT_TRUE(used.ok()) << used.status().ToString();
      },
      kBuyerPhone);
  EXPECT_NE(after.find(std::string("animal=") + kSheep1), std::string::npos) << after;
}

TEST_F(LookupCacheTest, ATagEventDropsTheAnswer) {
  auto [before, after] = AroundWrite([&] {
    AnimalEventRequest e;
    e.id = Uuid(40);
    e.kind = "tag_replaced";
    e.date = "2026-11-29";
    e.new_tag = "398000000000077";
    auto r = service_->RecordAnimalEvent(vaccinator_, kSheep1, e);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  });
  EXPECT_NE(after.find("animal=398000000000077"), std::string::npos) << after;
}

TEST_F(LookupCacheTest, ADeathDropsTheAnswer) {
  auto [before, after] = AroundWrite([&] {
    AnimalEventRequest e;
    e.id = Uuid(41);
    e.kind = "died";
    e.date = "2026-11-29";
    auto r = service_->RecordAnimalEvent(vaccinator_, kSheep2, e);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  });
  EXPECT_NE(after.find(std::string("animal=") + kSheep2 + ":1:ended"), std::string::npos) << after;
}

TEST_F(LookupCacheTest, AFlockEventDropsTheAnswer) {
  const int64_t flock = FlockId();
  auto [before, after] = AroundWrite([&] {
    AnimalEventRequest e;
    e.id = Uuid(42);
    e.kind = "born";
    e.date = "2026-11-29";
    e.head = 5;
    auto r = service_->RecordFlockEvent(vaccinator_, flock, e);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  });
  EXPECT_NE(after.find("animal=flock:35"), std::string::npos) << after;
}

TEST_F(LookupCacheTest, ANewAnimalOfTheOwnerDropsTheAnswer) {
  auto owner = service_->FindOwnerByPhone(vet_, kPhone);
  ASSERT_TRUE(owner.ok());
  auto [before, after] = AroundWrite([&] {
    AnimalInput a;
    a.owner_id = owner->id;
    a.tag = "398000000000055";
    a.species = "sheep";
    auto r = service_->RegisterAnimal(vaccinator_, a);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  });
  EXPECT_NE(after.find("animal=398000000000055"), std::string::npos) << after;
}

// W8: a dose given under the owner (A) to its flock, whose heads went A to B, then B to C, shows
// in B's and C's answers as an earlier dose; voiding it makes both answers anew.
TEST_F(LookupCacheTest, AVoidedDoseOfAFlockSoldOnTwiceDropsEveryLaterOwnersAnswer) {
  TransferRequest to_b;
  to_b.id = Uuid(60);
  to_b.seller_phone = kPhone;
  to_b.buyer_phone = kBuyerPhone;
  to_b.buyer_name = "Buyer Bee";
  to_b.flock_id = FlockId();
  to_b.head = 10;
  to_b.date = "2026-11-29";
  auto b = service_->RecordTransfer(vet_, to_b);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->transfer.changes.size(), 1u);
  TransferRequest to_c = to_b;
  to_c.id = Uuid(61);
  to_c.seller_phone = kBuyerPhone;
  to_c.buyer_phone = kThirdPhone;
  to_c.buyer_name = "Buyer Sea";
  to_c.flock_id = b->transfer.changes[0].to_animal_id;
  to_c.head = 4;
  auto c = service_->RecordTransfer(vet_, to_c);
  ASSERT_TRUE(c.ok()) << c.status().ToString();

  // Both answers show the dose (record 3, the flock's), and are kept.
  const std::string b_before = Look(inspector_, kBuyerPhone);
  const std::string c_before = Look(inspector_, kThirdPhone);
  EXPECT_NE(b_before.find(" earlier"), std::string::npos) << b_before;
  EXPECT_NE(c_before.find(" earlier"), std::string::npos) << c_before;
  int made = encoded_;
  EXPECT_EQ(Look(inspector_, kBuyerPhone), b_before);
  EXPECT_EQ(Look(inspector_, kThirdPhone), c_before);
  ASSERT_EQ(encoded_, made) << "the answers were not kept";

  ASSERT_TRUE(service_->VoidVaccination(vet_, Uuid(3), "wrong flock").ok());
  const std::string b_after = Look(inspector_, kBuyerPhone);
  EXPECT_EQ(encoded_, made + 1) << "B's answer after the void came from the cache";
  EXPECT_NE(b_after.find("earlier=voided"), std::string::npos) << b_after;
  made = encoded_;
  const std::string c_after = Look(inspector_, kThirdPhone);
  EXPECT_EQ(encoded_, made + 1) << "C's answer after the void came from the cache";
  EXPECT_NE(c_after.find("earlier=voided"), std::string::npos) << c_after;
}

TEST_F(LookupCacheTest, AWriteToAnotherOwnerKeepsTheAnswer) {
  const std::string before = Look(inspector_);
  const int made = encoded_;
  auto r = service_->RecordBatch(vaccinator_, {Dose(50, kBuyerPhone, {"398000000000009"})});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->created, 1);
  EXPECT_EQ(Look(inspector_), before);
  EXPECT_EQ(encoded_, made);
}

TEST_F(LookupCacheTest, AHitIsAuditedAndRateLimited) {
  const int64_t rows = LookupAuditRows();
  Look(inspector_);
  Look(inspector_);
  const int made = encoded_;
  Look(inspector_);
  EXPECT_EQ(encoded_, made);  // a hit
  EXPECT_EQ(LookupAuditRows(), rows + 3);
  EXPECT_EQ(service_->lookup_cache_stats().hits, 2);

  // The rate limit is counted on hits too: a service of 2 lookups a minute on the same store.
  ServiceConfig config;
  config.default_region = "KZ";
  config.lookups_per_minute = 2;
  HerdService limited(*store_, clock_, DefaultCatalogue(), config);
  auto look = [&] {
    return limited.LookupEncoded(inspector_, kPhone, std::nullopt, [&](const LookupResult&, bool) {
      ++encoded_;
      return EncodedLookup{"x", false};
    });
  };
  ASSERT_TRUE(look().ok());
  ASSERT_TRUE(look().ok());
  EXPECT_EQ(limited.lookup_cache_stats().hits, 1);
  EXPECT_EQ(look().status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(limited.lookup_cache_stats().hits, 2);  // found, and refused before it was shown
  EXPECT_EQ(LookupAuditRows(), rows + 5);           // the refused one is not audited
}

// The encoder is told whether its answer will be kept: only a kept one is worth compressing once
// at the highest level; one made for a single caller (cache off, or an answer not kept) is not.
TEST_F(LookupCacheTest, TheEncoderIsToldWhetherItsAnswerIsKept) {
  std::vector<bool> told;
  auto look = [&](HerdService& service, const Caller& who) {
    return service.LookupEncoded(who, kPhone, std::nullopt, [&](const LookupResult&, bool kept) {
      told.push_back(kept);
      return EncodedLookup{"x", false};
    });
  };
  ASSERT_TRUE(look(*service_, inspector_).ok());  // a miss, kept
  ASSERT_TRUE(look(*service_, inspector_).ok());  // a hit: not encoded
  const Caller county = User("insp3", Role::kInspector, "KZ");
  ASSERT_TRUE(look(*service_, county).ok());  // a miss of another authority, kept for it
  EXPECT_EQ(told, (std::vector<bool>{true, true}));

  // The cache off: every answer is made for its caller alone.
  ServiceConfig config;
  config.default_region = "KZ";
  config.lookups_per_minute = 0;
  config.lookup_cache_bytes = 0;
  HerdService uncached(*store_, clock_, DefaultCatalogue(), config);
  told.clear();
  ASSERT_TRUE(look(uncached, inspector_).ok());
  ASSERT_TRUE(look(uncached, inspector_).ok());
  EXPECT_EQ(told, (std::vector<bool>{false, false}));
  EXPECT_EQ(uncached.lookup_cache_stats().entries, 0u);
}

TEST_F(LookupCacheTest, ACallerOfAnotherJurisdictionGetsNoKeptAnswer) {
  const std::string mine = Look(inspector_);
  const Caller far = User("insp2", Role::kInspector, "KZ-ALM");
  auto theirs = service_->LookupEncoded(far, kPhone, std::nullopt, [&](const LookupResult&, bool) {
    ++encoded_;
    return EncodedLookup{"made for KZ-ALM", false};
  });
  EXPECT_EQ(theirs.status().code(), StatusCode::kNotFound);
  // A caller of the parent authority sees the owner, with an answer made for it, not the kept one.
  const Caller county = User("insp3", Role::kInspector, "KZ");
  const int made = encoded_;
  EXPECT_EQ(Look(county), mine);
  EXPECT_EQ(encoded_, made + 1);
}

TEST_F(LookupCacheTest, ANewDayMakesTheAnswerAnew) {
  Look(inspector_);
  const int made = encoded_;
  clock_.Advance(std::chrono::hours(24));
  Look(inspector_);
  EXPECT_EQ(encoded_, made + 1);
}

TEST(LookupCacheBound, DropsTheLeastRecentlyUsedBeyondItsBytes) {
  LookupCache cache(100);
  auto answer = [](size_t n) {
    return std::make_shared<const EncodedLookup>(EncodedLookup{std::string(n, 'x'), true});
  };
  cache.Put("a", answer(40));  // 41 bytes with its key
  cache.Put("b", answer(40));
  ASSERT_NE(cache.Find("a"), nullptr);  // a is now the more recently used
  cache.Put("c", answer(40));           // 123 > 100: b goes
  EXPECT_EQ(cache.Find("b"), nullptr);
  EXPECT_NE(cache.Find("a"), nullptr);
  EXPECT_NE(cache.Find("c"), nullptr);
  EXPECT_EQ(cache.stats().bytes, 82u);
  cache.Put("d", answer(200));  // larger than the bound: not kept, nothing dropped
  EXPECT_EQ(cache.Find("d"), nullptr);
  EXPECT_EQ(cache.stats().entries, 2u);
  LookupCache none(0);
  none.Put("a", answer(1));
  EXPECT_EQ(none.Find("a"), nullptr);
}

}  // namespace
}  // namespace herdpass
