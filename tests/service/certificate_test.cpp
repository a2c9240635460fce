// Certificates (W3-W6) and signing keys (W9) through HerdService, over the real SQLite store in a
// temporary directory, with a fake clock and key files in the same directory.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <thread>
#include <tuple>

#include "cert/documents.h"
#include "cert/hp1.h"
#include "service/service.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/service/stored_user.h"

namespace herdpass {
namespace {

namespace fs = std::filesystem;

// 2026-11-29 09:00 UTC: 14:00 in Abay (UTC+5), the local time the fixture's service uses.
Timestamp At(int y, unsigned m, unsigned d, int hour = 9) {
  return Timestamp(std::chrono::sys_days(std::chrono::year{y} / m / d).time_since_epoch() +
                   std::chrono::hours(hour));
}

constexpr char kPhone[] = "87012345678";  // +77012345678
constexpr char kSheep1[] = "398000000000001";
constexpr char kSheep2[] = "398000000000002";
constexpr char kAlmSheep[] = "398000000000011";  // another owner's, in KZ-ALM

// One HerdPass node: its own database, key directory and service.
struct Node {
  Node(const fs::path& node_dir, const Clock& clock, ServiceConfig config) : dir(node_dir) {
    fs::create_directories(dir);
    SqliteOptions opts;
    opts.path = (dir / "herdpass.db").string();
    auto opened = OpenSqliteStore(opts);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    store = std::move(opened).value();
    config.key_dir = (dir / "keys").string();
    service = std::make_unique<HerdService>(*store, clock, DefaultCatalogue(), config);
  }

  Caller User(const std::string& name, Role role, const std::string& authority) {
    return testing::StoredUser(*store, name, role, authority);
  }

  SigningKey NewKey(const std::string& authority, bool root, int days = 730) {
    auto k = service->NewSigningKey(HerdService::SystemCaller(), authority, root, days);
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return k.ok() ? k.value() : SigningKey{};
  }

  fs::path dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<HerdService> service;
};

VaccinationRecordInput Dose(const std::string& id, const std::string& phone,
                            std::vector<std::string> tags, const std::string& disease,
                            const std::string& vaccine, const std::string& date,
                            const std::string& species = "sheep") {
  VaccinationRecordInput r;
  r.id = id;
  r.owner_phone = phone;
  r.owner_name = "Nurlan Abenov";
  r.animal_tags = std::move(tags);
  r.species = species;
  r.disease = disease;
  r.vaccine = vaccine;
  r.batch_no = "B-" + disease;
  r.administered_on = date;
  return r;
}

std::string Uuid(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "018f3a7c-0000-7000-8000-%012d", n);
  return buf;
}

class CertificateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_dir_ =
        fs::temp_directory_path() / ("hp-cert-service-" + std::to_string(std::random_device{}()));
    kz_ = MakeNode("kz", Config());
    vet_ = kz_->User("vet1", Role::kVet, "KZ-ABY");
    far_vet_ = kz_->User("vet2", Role::kVet, "KZ-ALM");
    vaccinator_ = kz_->User("vacc", Role::kVaccinator, "KZ-ABY");
    inspector_ = kz_->User("insp", Role::kInspector, "KZ-ABY");  // at Request()'s destination
    admin_ = kz_->User("admin", Role::kAdmin, "KZ");
    auditor_ = kz_->User("audi", Role::kAuditor, "KZ");
    root_ = kz_->NewKey("KZ", true, 3650);
    key_ = kz_->NewKey("KZ-ABY", false);
  }
  void TearDown() override {
    kz_.reset();
    uz_.reset();
    fs::remove_all(root_dir_);
  }

  static ServiceConfig Config() {
    ServiceConfig config;
    config.default_region = "KZ";
    return config;
  }

  std::unique_ptr<Node> MakeNode(const std::string& name, ServiceConfig config) {
    return std::make_unique<Node>(root_dir_ / name, clock_, std::move(config));
  }

  HerdService& svc() { return *kz_->service; }

  // Sheep 1 covered against FMD O and A (bivalent vaccine) and PPR; sheep 2 registered, never
  // vaccinated (it had only a brucellosis dose).
  void SeedSheep() {
    auto r = svc().RecordBatch(
        vaccinator_, {Dose(Uuid(1), kPhone, {kSheep1}, "FMD-O", "FMD-OA-INACT", "2026-11-01"),
                      Dose(Uuid(2), kPhone, {kSheep1}, "PPR", "PPR-LIVE", "2026-11-01"),
                      Dose(Uuid(3), kPhone, {kSheep2}, "BRUCELLOSIS", "BRU-REV1", "2026-11-01")});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->created, 3) << r->results[0].reason.ToString();
  }

  CertificateRequest Request(std::vector<std::string> tags = {kSheep1}) {
    CertificateRequest req;
    req.owner_phone = "+7 701 234 56 78";
    req.animal_tags = std::move(tags);
    req.species = "sheep";
    req.purpose = "slaughter";
    req.destination = "KZ-ABY";
    req.destination_place = "Ayagoz meat plant";
    req.transport = "truck 123 ABC 05";
    return req;
  }

  Certificate Issue(const CertificateRequest& req) {
    auto c = svc().IssueCertificate(vet_, req);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? c.value() : Certificate{};
  }

  int64_t CertificateCount() {
    auto counts = kz_->store->Counts();
    EXPECT_TRUE(counts.ok());
    return counts.ok() ? counts->certificates : -1;
  }

  // The unmet movement rules a 422 carries as its payload; none (and a failed expectation) when the
  // answer carries none.
  static std::vector<RuleFailure> UnmetOf(const Result<Certificate>& c) {
    const UnmetRules* unmet = c.ok() ? nullptr : c.status().payload<UnmetRules>();
    EXPECT_NE(unmet, nullptr) << (c.ok() ? "issued" : c.status().ToString());
    return unmet != nullptr ? unmet->failures : std::vector<RuleFailure>{};
  }

  static bool HasReason(const VerifyResult& r, const std::string& code) {
    for (const auto& reason : r.reasons) {
      if (reason.first == code) return true;
    }
    return false;
  }

  static std::vector<std::string> ReasonCodes(const VerifyResult& r) {
    std::vector<std::string> codes;
    for (const auto& [code, message] : r.reasons) codes.push_back(code);
    return codes;
  }

  fs::path root_dir_;
  FakeClock clock_{At(2026, 11, 29)};
  std::unique_ptr<Node> kz_, uz_;
  Caller vet_, far_vet_, vaccinator_, inspector_, admin_, auditor_;
  const Caller public_{};
  SigningKey root_, key_;
};

// --- W3 ---

TEST_F(CertificateTest, IssuedCertificateVerifiesAndCarriesNoPhoneNumber) {
  SeedSheep();
  const Certificate c = Issue(Request());
  EXPECT_EQ(c.authority, "KZ-ABY");
  EXPECT_EQ(c.kid, key_.kid);
  EXPECT_TRUE(std::regex_match(c.number, std::regex("KZ-ABY-20261129-[0-9A-HJKMNP-TV-Z]{8}")))
      << c.number;
  EXPECT_TRUE(
      std::regex_match(c.id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                        "[0-9a-f]{12}")))
      << c.id;
  EXPECT_EQ(c.species, "sheep");
  EXPECT_EQ(c.head_count, 1);
  EXPECT_EQ(c.tags, std::vector<std::string>{kSheep1});
  EXPECT_EQ(c.origin, "KZ-ABY");
  EXPECT_EQ(c.vet_name, "vet1");
  EXPECT_EQ(c.owner_masked_name, "N***** A*****");
  EXPECT_EQ(c.owner_phone_last4, "5678");
  EXPECT_EQ(c.issued_at, At(2026, 11, 29));
  EXPECT_EQ(c.status, CertificateStatus::kIssued);
  // It rests on the bivalent FMD dose (for O and for A) and the PPR dose.
  std::set<std::pair<std::string, std::string>> rests;
  for (const auto& v : c.vaccinations) rests.emplace(v.record_id, v.disease);
  EXPECT_EQ(rests, (std::set<std::pair<std::string, std::string>>{
                       {Uuid(1), "FMD-O"}, {Uuid(1), "FMD-A"}, {Uuid(2), "PPR"}}));

  auto stored = svc().GetCertificate(inspector_, c.id);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->number, c.number);
  EXPECT_EQ(stored->hp1, c.hp1);
  EXPECT_EQ(CertificateCount(), 1);

  VerifyResult v = svc().Verify(public_, c.hp1);
  EXPECT_TRUE(v.valid) << v.status;
  EXPECT_EQ(v.status, "valid");
  EXPECT_TRUE(v.reasons.empty());
  ASSERT_TRUE(v.certificate.has_value());
  EXPECT_EQ(v.certificate->id, c.id);
  EXPECT_EQ(v.certificate->number, c.number);
  EXPECT_EQ(v.certificate->owner_id, 0);
  EXPECT_EQ(v.certificate->owner_masked_name, "N***** A*****");
  EXPECT_EQ(v.certificate->owner_phone_last4, "5678");
  EXPECT_EQ(v.certificate->valid_until, c.valid_until);

  // Decode the QR text by hand: neither the full number nor the name is in it.
  auto body = cert::StripPrefix(c.hp1);
  ASSERT_TRUE(body.ok());
  auto zipped = cert::Base45Decode(body.value());
  ASSERT_TRUE(zipped.ok());
  auto cose = cert::Inflate(zipped.value(), 1 << 20);
  ASSERT_TRUE(cose.ok());
  const std::string bytes(cose->begin(), cose->end());
  EXPECT_EQ(bytes.find("7012345678"), std::string::npos);
  EXPECT_EQ(bytes.find("Nurlan"), std::string::npos);
  EXPECT_NE(bytes.find(c.number), std::string::npos);

  AuditQuery q;
  q.action = "certificate.issue";
  auto rows = svc().ListAudit(auditor_, q);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().entry.target, "certificate:" + c.id);
  EXPECT_EQ(rows->front().entry.username, "vet1");
}

// Found by bench/cert_bench: iat is whole seconds, so a key made at 09:00:00.700 must already cover
// a certificate signed at 09:00:00.900 (iat 09:00:00).
TEST_F(CertificateTest, KeyMadeMidSecondVerifiesCertificatesOfThatSecond) {
  SeedSheep();
  clock_.Advance(std::chrono::hours(1) + std::chrono::milliseconds(700));
  ASSERT_TRUE(svc().RetireSigningKey(HerdService::SystemCaller(), key_.kid).ok());
  const SigningKey fresh = kz_->NewKey("KZ-ABY", false);
  clock_.Advance(std::chrono::milliseconds(200));
  const Certificate c = Issue(Request());
  ASSERT_EQ(c.kid, fresh.kid);
  const VerifyResult r = svc().Verify(public_, c.hp1);
  EXPECT_TRUE(r.valid) << r.status << " " << ::testing::PrintToString(ReasonCodes(r));
}

// The server's answer names the same reason as the verifier in cert/ and the app
// (docs/hp1-format.md section 7): a text over the length limit is refused at base45, not at the
// prefix.
TEST_F(CertificateTest, ATextOverTheLengthLimitIsRefusedAtBase45LikeEveryVerifier) {
  const std::string text = "HP1:" + std::string(cert::Limits{}.max_text, 'A');
  const VerifyResult server = svc().Verify(public_, text);
  EXPECT_FALSE(server.valid);
  EXPECT_EQ(ReasonCodes(server), std::vector<std::string>{"base45"});
  const cert::VerifyOutcome local = cert::VerifyHp1(text, cert::VerifyInput{});
  ASSERT_EQ(local.reasons.size(), 1u);
  EXPECT_EQ(local.reasons[0].code, "base45");
}

TEST_F(CertificateTest, EachInvalidFieldIsNamed) {
  SeedSheep();
  struct Case {
    const char* field;
    std::function<void(CertificateRequest&)> spoil;
  };
  const std::vector<Case> cases = {
      {"owner_phone", [](auto& r) { r.owner_phone = "12"; }},
      {"owner_phone", [](auto& r) { r.owner_phone = "87019999999"; }},  // nobody's
      {"owner_phone", [](auto& r) { r.owner_phone.clear(); }},
      {"owner_id", [](auto& r) { r.owner_id = 0; }},
      {"owner_id", [](auto& r) { r.owner_id = 999999; }},
      {"animal_tags[1]",
       [](auto& r) {
         r.animal_tags = {kSheep1, "12"};
       }},
      {"animal_tags[1]",
       [](auto& r) {
         r.animal_tags = {kSheep1, "398000000000099"};
       }},
      {"animal_tags", [](auto& r) { r.animal_tags.clear(); }},
      {"species", [](auto& r) { r.species = "unicorn"; }},
      {"species", [](auto& r) { r.species.clear(); }},
      {"animal_tags[0]", [](auto& r) { r.species = "goat"; }},  // sheep 1 is not a goat
      {"head_count", [](auto& r) { r.head_count = 0; }},
      {"head_count", [](auto& r) { r.head_count = 5; }},  // the owner has no flock
      {"purpose", [](auto& r) { r.purpose = "smuggling"; }},
      {"purpose", [](auto& r) { r.purpose.clear(); }},
      {"origin", [](auto& r) { r.origin = "kz abay"; }},
      {"destination", [](auto& r) { r.destination.clear(); }},
      {"destination", [](auto& r) { r.destination = "Almaty"; }},
      {"transport", [](auto& r) { r.transport = std::string(201, 'x'); }},
      {"origin_place", [](auto& r) { r.origin_place = std::string(201, 'x'); }},
      {"destination_place", [](auto& r) { r.destination_place = "line\nbreak"; }},
      {"valid_hours", [](auto& r) { r.valid_hours = 0; }},
      {"valid_hours", [](auto& r) { r.valid_hours = -3; }},
  };
  for (const Case& k : cases) {
    CertificateRequest req = Request();
    k.spoil(req);
    auto c = svc().IssueCertificate(vet_, req);
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument)
        << k.field << ": " << c.status().ToString();
    EXPECT_EQ(c.status().field(), k.field) << c.status().ToString();
  }
  EXPECT_EQ(CertificateCount(), 0);
  // The same request unspoilt is fine: the cases above failed for their field alone.
  EXPECT_TRUE(svc().IssueCertificate(vet_, Request()).ok());
}

// W12: an animal whose life ended cannot be moved; the certificate is refused naming it, and
// nothing is stored.
TEST_F(CertificateTest, AnimalThatDiedIsRefusedNamingItsTag) {
  SeedSheep();
  AnimalEventRequest died;
  died.id = "018f3a7c-0000-7000-8000-0000000000d1";
  died.kind = "died";
  died.date = "2026-11-20";
  ASSERT_TRUE(svc().RecordAnimalEvent(vaccinator_, kSheep1, died).ok());
  auto c = svc().IssueCertificate(vet_, Request({kSheep1}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kFailedPrecondition) << c.status().ToString();
  EXPECT_EQ(c.status().field(), "animal_tags[0]");
  EXPECT_EQ(CertificateCount(), 0);
}

TEST_F(CertificateTest, OwnerOutsideTheVetsJurisdictionIsDenied) {
  SeedSheep();
  kz_->NewKey("KZ-ALM", false);  // a key is not what is missing
  auto c = svc().IssueCertificate(far_vet_, Request());
  EXPECT_EQ(c.status().code(), StatusCode::kPermissionDenied) << c.status().ToString();
  EXPECT_EQ(CertificateCount(), 0);
  AuditQuery q;
  q.action = "owner.conflict";
  auto rows = svc().ListAudit(auditor_, q);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().entry.username, "vet2");
}

TEST_F(CertificateTest, UnmetMovementRulesListEveryFailingAnimalAndStoreNothing) {
  SeedSheep();
  auto before = kz_->store->Counts();
  ASSERT_TRUE(before.ok());
  auto c = svc().IssueCertificate(vet_, Request({kSheep1, kSheep2}));
  ASSERT_EQ(c.status().code(), StatusCode::kUnprocessable) << c.status().ToString();
  // The Status carries the list, typed, for every caller (http/ answers the 422 with it).
  const std::vector<RuleFailure> failures = UnmetOf(c);
  ASSERT_EQ(failures.size(), 3u);
  std::set<std::string> diseases;
  for (const RuleFailure& f : failures) {
    EXPECT_EQ(f.animal, kSheep2);
    EXPECT_EQ(f.rule, "slaughter-fmd-ppr");
    EXPECT_EQ(f.coverage.state, CoverageState::kNever);
    EXPECT_EQ(f.message, f.disease + ": never vaccinated");
    diseases.insert(f.disease);
  }
  EXPECT_EQ(diseases, (std::set<std::string>{"FMD-O", "FMD-A", "PPR"}));

  auto after = kz_->store->Counts();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->certificates, before->certificates);
  EXPECT_EQ(after->audit_rows, before->audit_rows);
}

TEST_F(CertificateTest, LapsedDoseIsNamedWithItsLastDay) {
  // FMD on 2026-01-01 protects 180 days: through 2026-06-29.
  auto r = svc().RecordBatch(
      vaccinator_, {Dose(Uuid(10), kPhone, {kSheep1}, "FMD-O", "FMD-OA-INACT", "2026-01-01"),
                    Dose(Uuid(11), kPhone, {kSheep1}, "PPR", "PPR-LIVE", "2026-01-01")});
  ASSERT_EQ(r->created, 2);
  auto c = svc().IssueCertificate(vet_, Request());
  ASSERT_EQ(c.status().code(), StatusCode::kUnprocessable);
  const std::vector<RuleFailure> failures = UnmetOf(c);
  ASSERT_EQ(failures.size(), 2u);  // PPR (three years) still protects
  EXPECT_EQ(failures[0].message, "FMD-O: covered until 2026-06-29, lapsed");
  EXPECT_EQ(failures[1].message, "FMD-A: covered until 2026-06-29, lapsed");
  EXPECT_EQ(failures[0].coverage.state, CoverageState::kOverdue);
  EXPECT_EQ(failures[0].coverage.overdue_since, Date::Of(At(2026, 6, 30)));
}

// Issuing reads the owner by phone or id, and its answer (403 naming the authority, 400 for no
// owner) tells whether the number is held and where: it counts against the lookup limit.
TEST_F(CertificateTest, IssuingCountsAgainstTheLookupLimit) {
  ServiceConfig config = Config();
  config.lookups_per_minute = 2;
  config.key_dir = (kz_->dir / "keys").string();
  kz_->service = std::make_unique<HerdService>(*kz_->store, clock_, DefaultCatalogue(), config);
  SeedSheep();
  // A vet elsewhere probes the KZ-ABY owner's phone: refused twice, then throttled.
  for (int i = 0; i < 2; ++i) {
    auto probe = svc().IssueCertificate(far_vet_, Request());
    EXPECT_EQ(probe.status().code(), StatusCode::kPermissionDenied) << i;
  }
  auto throttled = svc().IssueCertificate(far_vet_, Request());
  EXPECT_EQ(throttled.status().code(), StatusCode::kResourceExhausted)
      << throttled.status().ToString();
  // The owner's own vet is counted apart, and a minute later the limit is back.
  EXPECT_TRUE(svc().IssueCertificate(vet_, Request()).ok());
  clock_.Advance(std::chrono::minutes(1));
  auto again = svc().IssueCertificate(far_vet_, Request());
  EXPECT_EQ(again.status().code(), StatusCode::kPermissionDenied) << again.status().ToString();
}

TEST_F(CertificateTest, RuleWithMaxAgeRefusesOlderDoses) {
  ServiceConfig config = Config();
  config.movement_rules = {
      {"sale-fresh-fmd", Purpose::kSale, std::nullopt, {"sheep"}, {"FMD-O"}, 30}};
  config.key_dir = (kz_->dir / "keys").string();
  kz_->service = std::make_unique<HerdService>(*kz_->store, clock_, DefaultCatalogue(), config);
  auto r = svc().RecordBatch(
      vaccinator_, {Dose(Uuid(20), kPhone, {kSheep1}, "FMD-O", "FMD-O-INACT", "2026-11-01"),
                    Dose(Uuid(21), kPhone, {kSheep2}, "FMD-O", "FMD-O-INACT", "2026-10-01")});
  ASSERT_EQ(r->created, 2);
  CertificateRequest req = Request({kSheep1, kSheep2});
  req.purpose = "sale";
  auto c = svc().IssueCertificate(vet_, req);
  ASSERT_EQ(c.status().code(), StatusCode::kUnprocessable);
  const std::vector<RuleFailure> failures = UnmetOf(c);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].animal, kSheep2);
  EXPECT_EQ(failures[0].rule, "sale-fresh-fmd");
  EXPECT_EQ(failures[0].coverage.state, CoverageState::kCovered);  // covered, but not recently
  EXPECT_NE(failures[0].message.find("2026-10-01"), std::string::npos) << failures[0].message;
  EXPECT_NE(failures[0].message.find("30 days"), std::string::npos) << failures[0].message;

  req.animal_tags = {kSheep1};
  const Certificate ok = Issue(req);
  ASSERT_EQ(ok.vaccinations.size(), 1u);
  EXPECT_EQ(ok.vaccinations[0].record_id, Uuid(20));
  EXPECT_EQ(ok.vaccinations[0].disease, "FMD-O");
}

TEST_F(CertificateTest, FlockHeadsComeFromTheOwnersFlock) {
  VaccinationRecordInput fmd = Dose(Uuid(30), kPhone, {}, "FMD-O", "FMD-OA-INACT", "2026-11-01");
  fmd.head_count = 40;
  VaccinationRecordInput ppr = Dose(Uuid(31), kPhone, {}, "PPR", "PPR-LIVE", "2026-11-01");
  ppr.head_count = 40;
  auto r = svc().RecordBatch(vaccinator_, {fmd, ppr});
  ASSERT_EQ(r->created, 2);
  SeedSheep();  // the tagged sheep too

  CertificateRequest req = Request();
  req.head_count = 41;
  auto too_many = svc().IssueCertificate(vet_, req);
  EXPECT_EQ(too_many.status().field(), "head_count") << too_many.status().ToString();
  req.species = "goat";
  req.animal_tags.clear();
  req.head_count = 1;
  EXPECT_EQ(svc().IssueCertificate(vet_, req).status().field(), "head_count");  // no goat flock

  req = Request();
  req.head_count = 30;
  const Certificate c = Issue(req);
  EXPECT_EQ(c.head_count, 31);  // one tagged sheep and 30 of the flock
  EXPECT_EQ(c.animal_ids.size(), 2u);
  EXPECT_EQ(c.tags, std::vector<std::string>{kSheep1});
  EXPECT_TRUE(svc().Verify(public_, c.hp1).valid);
}

TEST_F(CertificateTest, FlockWithTooFewDosesFailsTheRules) {
  VaccinationRecordInput fmd = Dose(Uuid(32), kPhone, {}, "FMD-O", "FMD-OA-INACT", "2026-11-01");
  fmd.head_count = 40;
  VaccinationRecordInput ppr = Dose(Uuid(33), kPhone, {}, "PPR", "PPR-LIVE", "2026-11-01");
  ppr.head_count = 10;  // the flock still has 40 heads: PPR never reached all of them
  ASSERT_EQ(svc().RecordBatch(vaccinator_, {fmd, ppr})->created, 2);
  CertificateRequest req = Request({});
  req.head_count = 10;
  auto c = svc().IssueCertificate(vet_, req);
  ASSERT_EQ(c.status().code(), StatusCode::kUnprocessable);
  const std::vector<RuleFailure> failures = UnmetOf(c);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].animal, "flock:sheep");
  EXPECT_EQ(failures[0].disease, "PPR");
}

TEST_F(CertificateTest, WithoutAnApplyingRuleItRestsOnEveryCoveringDose) {
  SeedSheep();
  CertificateRequest req = Request({kSheep2});  // never vaccinated against FMD or PPR
  req.purpose = "grazing";                      // within the province: no rule applies
  const Certificate c = Issue(req);
  ASSERT_EQ(c.vaccinations.size(), 1u);
  EXPECT_EQ(c.vaccinations[0].disease, "BRUCELLOSIS");
  EXPECT_EQ(c.vaccinations[0].record_id, Uuid(3));
}

// --- validity ---

TEST_F(CertificateTest, ValidityEndsAtLocalMidnightWithinTheProvinceAndAfterFiveDaysBeyond) {
  SeedSheep();
  // 23:59:59 in UTC+5 on 2026-11-29 is 18:59:59 UTC.
  const Certificate local = Issue(Request());
  EXPECT_EQ(local.valid_until,
            At(2026, 11, 29, 18) + std::chrono::minutes(59) + std::chrono::seconds(59));
  CertificateRequest req = Request();
  req.destination = "KZ-ALM";
  const Certificate across = Issue(req);
  EXPECT_EQ(across.valid_until, At(2026, 12, 4));
  // Late in the local evening (20:30 UTC is 01:30 the next local day), the local day is the next.
  clock_.Set(At(2026, 11, 29, 20) + std::chrono::minutes(30));
  const Certificate late = Issue(Request());
  EXPECT_EQ(late.valid_until,
            At(2026, 11, 30, 18) + std::chrono::minutes(59) + std::chrono::seconds(59));
  EXPECT_NE(late.number.find("-20261130-"), std::string::npos) << late.number;
}

TEST_F(CertificateTest, ValidHoursMayOnlyShortenTheValidity) {
  SeedSheep();
  CertificateRequest req = Request();
  req.valid_hours = 24;  // more than the ~10 hours left of the local day
  auto longer = svc().IssueCertificate(vet_, req);
  EXPECT_EQ(longer.status().field(), "valid_hours") << longer.status().ToString();
  req.destination = "KZ-ALM";
  req.valid_hours = 5 * 24 + 1;
  EXPECT_EQ(svc().IssueCertificate(vet_, req).status().field(), "valid_hours");
  req.valid_hours = 72;
  EXPECT_EQ(Issue(req).valid_until, At(2026, 12, 2));
  req.destination = "KZ-ABY";
  req.valid_hours = 2;
  EXPECT_EQ(Issue(req).valid_until, At(2026, 11, 29, 11));
}

// --- W5 ---

TEST_F(CertificateTest, ConsumedOnceThenRefusedWithWhenWhereAndWho) {
  SeedSheep();
  const Certificate c = Issue(Request());
  EXPECT_EQ(svc().ConsumeCertificate(inspector_, c.id, "").status().field(), "place");
  EXPECT_EQ(svc().ConsumeCertificate(vet_, c.id, "plant").status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(svc().ConsumeCertificate(inspector_, Uuid(999), "plant").status().code(),
            StatusCode::kNotFound);

  clock_.Advance(std::chrono::hours(1));
  auto first = svc().ConsumeCertificate(inspector_, c.id, "Ayagoz meat plant");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->status, CertificateStatus::kConsumed);
  EXPECT_EQ(first->consumed_place, "Ayagoz meat plant");

  clock_.Advance(std::chrono::minutes(5));
  Caller other = kz_->User("insp2", Role::kInspector, "KZ-ABY");
  auto second = svc().ConsumeCertificate(other, c.number, "market");  // by number, too
  ASSERT_EQ(second.status().code(), StatusCode::kAlreadyExists) << second.status().ToString();
  // The second scan is kept as a double use (issue 14 item 5): the answer names both scans.
  const DoubleUseRecorded* uses = second.status().payload<DoubleUseRecorded>();
  ASSERT_NE(uses, nullptr) << second.status().ToString();
  EXPECT_EQ(FormatRfc3339(uses->first.scanned_at), "2026-11-29T10:00:00.000Z");
  EXPECT_EQ(uses->first.place, "Ayagoz meat plant");
  EXPECT_EQ(uses->first.user_name, "insp");
  EXPECT_FALSE(uses->first.double_use);
  EXPECT_EQ(FormatRfc3339(uses->second.scanned_at), "2026-11-29T10:05:00.000Z");
  EXPECT_EQ(uses->second.place, "market");
  EXPECT_EQ(uses->second.user_name, "insp2");
  EXPECT_TRUE(uses->second.double_use);
  EXPECT_EQ(second.status().message(),
            "already consumed at 2026-11-29T10:00:00.000Z at Ayagoz meat plant by insp: this scan "
            "of " +
                c.number + " is recorded as a double use");

  AuditQuery q;
  q.action = "certificate.consume";
  auto rows = svc().ListAudit(auditor_, q);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().entry.username, "insp");
}

// --- W13: movements ---

// A holding of `kind` stored straight in the node's store (holdings are service_test's).
Holding AddHoldingTo(Store& store, const std::string& code, HoldingKind kind,
                     const std::string& authority) {
  Holding h;
  h.code = code;
  h.kind = kind;
  h.name = "Holding " + code;
  h.authority = authority;
  h.lat = 47.9;
  h.lon = 80.6;
  h.opened_on = Date::Parse("2020-01-01").value();
  auto r = store.CreateHolding(h, AuditEntry{});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Holding{};
}

TEST_F(CertificateTest, IssueNamesTheHoldingsAndRefusesUnknownOrForeignOnesStoringNothing) {
  SeedSheep();
  const Holding station =
      AddHoldingTo(*kz_->store, "QS-1", HoldingKind::kQuarantineStation, "KZ-ABY-01");
  const Holding plant = AddHoldingTo(*kz_->store, "SH-1", HoldingKind::kSlaughterhouse, "KZ-ABY");
  const Holding far = AddHoldingTo(*kz_->store, "SH-2", HoldingKind::kSlaughterhouse, "KZ-ALM");
  struct Case {
    std::optional<int64_t> from, to;
    StatusCode code;
    const char* field;
  };
  const Case cases[] = {
      {999, plant.id, StatusCode::kInvalidArgument, "origin_holding"},
      {far.id, plant.id, StatusCode::kPermissionDenied, "origin_holding"},
      {station.id, 999, StatusCode::kInvalidArgument, "destination_holding"},
      {station.id, far.id, StatusCode::kInvalidArgument, "destination_holding"},  // not KZ-ABY
  };
  for (const Case& k : cases) {
    CertificateRequest req = Request();
    req.origin_holding = k.from;
    req.destination_holding = k.to;
    auto r = svc().IssueCertificate(vet_, req);
    EXPECT_EQ(r.status().code(), k.code) << r.status().ToString();
    EXPECT_EQ(r.status().field(), k.field);
  }
  EXPECT_EQ(CertificateCount(), 0);
  CertificateRequest req = Request();
  req.origin_holding = station.id;
  req.destination_holding = plant.id;
  const Certificate c = Issue(req);
  auto stored = svc().GetCertificate(vet_, c.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->origin_holding_id, station.id);
  EXPECT_EQ(stored->destination_holding_id, plant.id);
}

TEST_F(CertificateTest, AnArrivalWithAMismatchIsListedForTheOriginVetAndBadInputChangesNothing) {
  SeedSheep();
  const Holding plant = AddHoldingTo(*kz_->store, "SH-1", HoldingKind::kSlaughterhouse, "KZ-ABY");
  const Holding far = AddHoldingTo(*kz_->store, "SH-2", HoldingKind::kSlaughterhouse, "KZ-ALM");
  CertificateRequest req = Request();
  req.destination_holding = plant.id;
  const Certificate c = Issue(req);
  auto incoming = svc().ListIncomingMovements(inspector_, {});
  ASSERT_TRUE(incoming.ok()) << incoming.status().ToString();
  ASSERT_EQ(incoming->items.size(), 1u);
  EXPECT_EQ(incoming->items[0].tags, std::vector<std::string>{kSheep1});
  EXPECT_EQ(svc().ListIncomingMovements(vet_, {}).status().code(), StatusCode::kPermissionDenied);

  auto arrival = [&](std::optional<int64_t> holding, std::optional<int64_t> head,
                     std::optional<std::vector<std::string>> tags) {
    ArrivalRequest a;
    a.place = "Ayagoz meat plant";
    a.holding = holding;
    a.head_count = head;
    a.tags = std::move(tags);
    return svc().ConsumeCertificate(inspector_, c.id, a);
  };
  struct Case {
    Result<Certificate> answer;
    StatusCode code;
    const char* field;
  };
  const Case bad[] = {
      {arrival(plant.id, 2, std::nullopt), StatusCode::kUnprocessable, "head_count"},
      {arrival(plant.id, -1, std::nullopt), StatusCode::kInvalidArgument, "head_count"},
      {arrival(plant.id, 1, std::vector<std::string>{"12ab"}), StatusCode::kInvalidArgument,
       "tags[0]"},
      {arrival(999, 1, std::nullopt), StatusCode::kInvalidArgument, "holding"},
      {arrival(far.id, 1, std::nullopt), StatusCode::kPermissionDenied, "holding"},
  };
  for (const Case& k : bad) {
    EXPECT_EQ(k.answer.status().code(), k.code) << k.answer.status().ToString();
    EXPECT_EQ(k.answer.status().field(), k.field);
  }
  ASSERT_EQ(svc().GetCertificate(vet_, c.id)->status, CertificateStatus::kIssued);
  EXPECT_TRUE(kz_->store->FindAnimalByTag(kSheep1)->alive());

  // One head counted, but not the tag the certificate names: a mismatch.
  clock_.Advance(std::chrono::hours(1));
  auto arrived = arrival(plant.id, 1, std::vector<std::string>{});
  ASSERT_TRUE(arrived.ok()) << arrived.status().ToString();
  ASSERT_TRUE(arrived->arrival.has_value());
  EXPECT_TRUE(arrived->arrival->mismatch);
  EXPECT_EQ(arrived->arrival->missing_tags, std::vector<std::string>{kSheep1});
  EXPECT_TRUE(svc().ListIncomingMovements(inspector_, {})->items.empty());
  MovementListRequest mismatches;
  mismatches.status = "mismatch";
  auto listed = svc().ListMovements(vet_, mismatches);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].id, c.id);
  EXPECT_EQ(svc().ListMovements(far_vet_, mismatches)->items.size(), 0u);
  MovementListRequest bogus;
  bogus.status = "lost";
  EXPECT_EQ(svc().ListMovements(vet_, bogus).status().field(), "status");
  // The tag was missing: the animal did not come and is not slaughtered.
  EXPECT_TRUE(kz_->store->FindAnimalByTag(kSheep1)->alive());
}

TEST_F(CertificateTest, AnimalsArrivingAtASlaughterhouseAreSlaughteredOnTheLocalDay) {
  SeedSheep();
  const Holding plant = AddHoldingTo(*kz_->store, "SH-1", HoldingKind::kSlaughterhouse, "KZ-ABY");
  const Certificate c = Issue(Request());
  ArrivalRequest a;
  a.place = "Ayagoz meat plant";
  a.holding = plant.id;
  a.head_count = 1;
  a.tags = std::vector<std::string>{kSheep1};
  auto arrived = svc().ConsumeCertificate(inspector_, c.id, a);
  ASSERT_TRUE(arrived.ok()) << arrived.status().ToString();
  EXPECT_FALSE(arrived->arrival->mismatch);
  auto sheep = kz_->store->FindAnimalByTag(kSheep1);
  ASSERT_TRUE(sheep.ok());
  EXPECT_EQ(sheep->ended_kind, AnimalEventKind::kSlaughtered);
  EXPECT_EQ(sheep->ended_on, Date::Parse("2026-11-29").value());
  EXPECT_EQ(sheep->holding_id, plant.id);
}

TEST_F(CertificateTest, ConcurrentConsumersSucceedOnceAltogether) {
  SeedSheep();
  const Certificate c = Issue(Request());
  std::atomic<int> ok{0}, already{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto r = svc().ConsumeCertificate(inspector_, c.id, "gate " + std::to_string(i));
      if (r.ok()) {
        ++ok;
      } else if (r.status().code() == StatusCode::kAlreadyExists) {
        ++already;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(already.load(), 7);
  EXPECT_EQ(other.load(), 0);
}

TEST_F(CertificateTest, ConcurrentIssuersGetDistinctCertificates) {
  SeedSheep();
  std::mutex mu;
  std::set<std::string> ids, numbers;
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 5; ++k) {
        auto c = svc().IssueCertificate(vet_, Request());
        ASSERT_TRUE(c.ok()) << c.status().ToString();
        std::lock_guard lock(mu);
        ids.insert(c->id);
        numbers.insert(c->number);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ids.size(), 20u);
  EXPECT_EQ(numbers.size(), 20u);
  EXPECT_EQ(CertificateCount(), 20);
}

TEST_F(CertificateTest, ExpiredCertificateCannotBeConsumed) {
  SeedSheep();
  const Certificate c = Issue(Request());
  clock_.Set(c.valid_until + std::chrono::seconds(1));
  auto late = svc().ConsumeCertificate(inspector_, c.id, "plant");
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(late.status().message().find("expired at"), std::string::npos)
      << late.status().message();
  VerifyResult v = svc().Verify(public_, c.hp1);
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.status, "expired");
}

TEST_F(CertificateTest, ConsumedCertificateVerifiesAsConsumedWithoutWho) {
  SeedSheep();
  const Certificate c = Issue(Request());
  EXPECT_TRUE(svc().Verify(public_, c.hp1).valid);  // cached as not consumed...
  ASSERT_TRUE(svc().ConsumeCertificate(inspector_, c.id, "Ayagoz meat plant").ok());
  VerifyResult v = svc().Verify(public_, c.hp1);  // ...and forgotten at once when consumed
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.status, "consumed");
  ASSERT_TRUE(v.consumed_at.has_value());
  EXPECT_EQ(*v.consumed_at, At(2026, 11, 29));
  EXPECT_EQ(v.consumed_place, "Ayagoz meat plant");
  ASSERT_TRUE(v.certificate.has_value());
  EXPECT_EQ(v.certificate->consumed_by, 0);
  EXPECT_EQ(v.certificate->consumed_by_name, "");
  EXPECT_EQ(ReasonCodes(v), std::vector<std::string>{"consumed"});
}

// --- W6 ---

TEST_F(CertificateTest, RevokedCertificateIsRefusedAtOnceAndListed) {
  SeedSheep();
  const Certificate c = Issue(Request());
  const Certificate other = Issue(Request());
  ASSERT_TRUE(svc().Verify(public_, c.hp1).valid);  // fills the revocation cache

  auto before = svc().RevocationListDocument();
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  auto keys = kz_->store->ListSigningKeys();
  ASSERT_TRUE(keys.ok());
  std::vector<SigningKey> signing;
  for (const auto& k : keys.value()) {
    if (!k.root) signing.push_back(k);
  }
  auto list0 = cert::OpenRevocationList(before.value(), signing);
  ASSERT_TRUE(list0.ok()) << list0.status().ToString();
  EXPECT_EQ(list0->sequence, 0);
  EXPECT_TRUE(list0->revoked_hashes.empty());

  EXPECT_EQ(svc().RevokeCertificate(vet_, c.id, "").status().field(), "reason");
  EXPECT_EQ(svc().RevokeCertificate(inspector_, c.id, "x").status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(svc().RevokeCertificate(far_vet_, c.id, "x").status().code(),
            StatusCode::kPermissionDenied);
  auto revoked = svc().RevokeCertificate(vet_, c.id, "wrong animals listed");
  ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
  EXPECT_EQ(revoked->status, CertificateStatus::kRevoked);
  EXPECT_EQ(revoked->revoke_reason, "wrong animals listed");
  EXPECT_EQ(svc().RevokeCertificate(admin_, c.id, "again").status().code(),
            StatusCode::kFailedPrecondition);

  VerifyResult v = svc().Verify(public_, c.hp1);  // no clock change: the cache was invalidated
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.status, "revoked");
  EXPECT_EQ(ReasonCodes(v), std::vector<std::string>{"revoked"});
  EXPECT_TRUE(svc().Verify(public_, other.hp1).valid);

  auto after = svc().RevocationListDocument();
  ASSERT_TRUE(after.ok());
  auto list1 = cert::OpenRevocationList(after.value(), signing);
  ASSERT_TRUE(list1.ok()) << list1.status().ToString();
  EXPECT_EQ(list1->sequence, 1);
  auto hash = cert::RevocationHash(c.id);
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(list1->revoked_hashes, std::vector<std::string>{hash.value()});

  auto consume = svc().ConsumeCertificate(inspector_, c.id, "plant");
  EXPECT_EQ(consume.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(consume.status().message().find("wrong animals listed"), std::string::npos);

  // An admin above the vet revokes the other one: the list grows.
  ASSERT_TRUE(svc().RevokeCertificate(admin_, other.number, "duplicate").ok());
  auto list2 = cert::OpenRevocationList(svc().RevocationListDocument().value(), signing);
  ASSERT_TRUE(list2.ok());
  EXPECT_EQ(list2->sequence, 2);
  EXPECT_EQ(list2->revoked_hashes.size(), 2u);

  AuditQuery q;
  q.action = "certificate.revoke";
  auto rows = svc().ListAudit(auditor_, q);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 2u);
}

TEST_F(CertificateTest, RevocationListIsReSignedWhenOld) {
  auto a = svc().RevocationListDocument();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  clock_.Advance(std::chrono::minutes(1));
  EXPECT_EQ(svc().RevocationListDocument().value(), a.value());  // cached
  clock_.Advance(std::chrono::minutes(60));
  auto b = svc().RevocationListDocument();
  ASSERT_TRUE(b.ok());
  EXPECT_NE(b.value(), a.value());
  auto list = cert::OpenRevocationList(b.value(), {key_});
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->issued_at, At(2026, 11, 29) + std::chrono::minutes(61));
}

// --- W4 ---

TEST_F(CertificateTest, MalformedTextIsInvalidWithAReason) {
  for (const std::string& text :
       {std::string(), std::string("   "), std::string("hello"), std::string("HP1:"),
        std::string("HP1:%%%%"), std::string("HP1:") + std::string(100000, 'A'),
        std::string("HC1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDE")}) {
    VerifyResult v = svc().Verify(public_, text);
    EXPECT_FALSE(v.valid) << text.substr(0, 20);
    EXPECT_EQ(v.status, "invalid") << text.substr(0, 20);
    EXPECT_FALSE(v.reasons.empty()) << text.substr(0, 20);
    EXPECT_FALSE(v.certificate.has_value());
  }
}

TEST_F(CertificateTest, TamperedCertificateIsInvalid) {
  SeedSheep();
  const Certificate c = Issue(Request());
  // Re-sign the same payload with a key nobody trusts.
  cert::Ed25519Signer stranger = cert::Ed25519Signer::Generate();
  VerifyResult v = svc().Verify(public_, cert::EncodeHp1(cert::PayloadOf(c), stranger));
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.status, "invalid");
  EXPECT_TRUE(HasReason(v, "unknown_kid")) << ::testing::PrintToString(v.reasons);
  EXPECT_FALSE(v.certificate.has_value());
}

// --- keys ---

TEST_F(CertificateTest, NewKeySignsNewCertificatesAndOldOnesStillVerify) {
  SeedSheep();
  const Certificate old_cert = Issue(Request());
  auto trust0 = svc().TrustListDocument();
  ASSERT_TRUE(trust0.ok()) << trust0.status().ToString();
  auto list0 = cert::OpenTrustList(trust0.value(), {root_});
  ASSERT_TRUE(list0.ok()) << list0.status().ToString();
  EXPECT_EQ(list0->country, "KZ");
  ASSERT_EQ(list0->keys.size(), 1u);
  EXPECT_EQ(list0->keys[0].kid, key_.kid);

  clock_.Advance(std::chrono::hours(1));
  const SigningKey newer = kz_->NewKey("KZ-ABY", false);
  const Certificate new_cert = Issue(Request());
  EXPECT_EQ(new_cert.kid, newer.kid);
  EXPECT_NE(newer.kid, key_.kid);
  EXPECT_TRUE(svc().Verify(public_, old_cert.hp1).valid);
  EXPECT_TRUE(svc().Verify(public_, new_cert.hp1).valid);

  auto list1 = cert::OpenTrustList(svc().TrustListDocument().value(), {root_});
  ASSERT_TRUE(list1.ok());
  EXPECT_GT(list1->sequence, list0->sequence);
  EXPECT_EQ(list1->keys.size(), 2u);

  // Private halves stay in 0600 files named by kid; nothing secret in the listing.
  auto perms = fs::status(kz_->dir / "keys" / (newer.kid + ".key")).permissions();
  EXPECT_EQ(perms & (fs::perms::group_all | fs::perms::others_all), fs::perms::none);
  auto listed = svc().ListSigningKeys(admin_);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 3u);  // root, old, new
}

TEST_F(CertificateTest, RetiredKeyNoLongerVerifiesNorSigns) {
  SeedSheep();
  const Certificate c = Issue(Request());
  clock_.Advance(std::chrono::minutes(1));
  ASSERT_TRUE(svc().RetireSigningKey(admin_, key_.kid).ok());
  VerifyResult v = svc().Verify(public_, c.hp1);
  EXPECT_FALSE(v.valid);
  EXPECT_TRUE(HasReason(v, "key_retired")) << ::testing::PrintToString(v.reasons);
  ASSERT_TRUE(v.certificate.has_value());  // the signature verified: what it claims is shown
  EXPECT_EQ(v.certificate->number, c.number);
  EXPECT_EQ(svc().RetireSigningKey(admin_, key_.kid).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(svc().RetireSigningKey(admin_, "0000000000000000").code(), StatusCode::kNotFound);

  auto none = svc().IssueCertificate(vet_, Request());
  EXPECT_EQ(none.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(none.status().message().find("herdpass key new --authority KZ-ABY"), std::string::npos)
      << none.status().message();

  // The trust list was re-signed: the key is still in it, marked retired.
  auto list = cert::OpenTrustList(svc().TrustListDocument().value(), {root_});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->keys.size(), 1u);
  EXPECT_TRUE(list->keys[0].retired_at.has_value());
}

TEST_F(CertificateTest, NoKeyForTheVetsAuthorityIsAFailedPrecondition) {
  // Only KZ-ABY has a key; a KZ-ALM vet's owner is in KZ-ALM.
  ASSERT_TRUE(
      svc()
          .RecordBatch(
              kz_->User("vacc2", Role::kVaccinator, "KZ-ALM"),
              {Dose(Uuid(40), "87019998877", {kAlmSheep}, "FMD-O", "FMD-OA-INACT", "2026-11-01"),
               Dose(Uuid(41), "87019998877", {kAlmSheep}, "PPR", "PPR-LIVE", "2026-11-01")})
          .ok());
  CertificateRequest req = Request({kAlmSheep});
  req.owner_phone = "87019998877";
  req.destination = "KZ-ALM";
  auto c = svc().IssueCertificate(far_vet_, req);
  EXPECT_EQ(c.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(c.status().message(),
            "no signing key for authority KZ-ALM: run `herdpass key new --authority KZ-ALM`");

  // A national key signs for every authority below it; the most specific key wins where both are.
  const SigningKey national = kz_->NewKey("KZ", false);
  auto signed_by_kz = svc().IssueCertificate(far_vet_, req);
  ASSERT_TRUE(signed_by_kz.ok()) << signed_by_kz.status().ToString();
  EXPECT_EQ(signed_by_kz->kid, national.kid);
  SeedSheep();
  EXPECT_EQ(Issue(Request()).kid, key_.kid);
}

TEST_F(CertificateTest, KeyThatOutlivesTheCertificateIsPreferred) {
  SeedSheep();
  clock_.Advance(std::chrono::hours(1));
  const SigningKey short_lived = kz_->NewKey("KZ-ABY", false, 2);  // newer, but ends in 2 days
  CertificateRequest req = Request();
  EXPECT_EQ(Issue(req).kid, short_lived.kid);  // ends tonight: the newest key will do
  req.destination = "KZ-ALM";                  // 5 days: only the older key lasts
  EXPECT_EQ(Issue(req).kid, key_.kid);
}

TEST_F(CertificateTest, KeyCommandsCheckTheirArguments) {
  EXPECT_EQ(svc().NewSigningKey(admin_, "KZ-ABY", true, 10).status().field(), "authority");
  EXPECT_EQ(svc().NewSigningKey(admin_, "kz", false, 10).status().field(), "authority");
  EXPECT_EQ(svc().NewSigningKey(admin_, "KZ-ABY", false, 0).status().field(), "valid_days");
  Caller local_admin = kz_->User("admin2", Role::kAdmin, "KZ-ALM");
  EXPECT_EQ(svc().NewSigningKey(local_admin, "KZ-ABY", false, 10).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(svc().RetireSigningKey(local_admin, key_.kid).code(), StatusCode::kPermissionDenied);
  auto ok = svc().NewSigningKey(local_admin, "KZ-ALM", false, 10);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->country, "KZ");
  EXPECT_EQ(ok->source, "local");
  EXPECT_EQ(ok->valid_until, At(2026, 12, 9));

  AuditQuery q;
  q.action = "key.new";
  auto rows = svc().ListAudit(auditor_, q);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 3u);  // root, KZ-ABY, KZ-ALM
}

TEST_F(CertificateTest, KeysCannotBeMadeWithoutAKeyDirectory) {
  ServiceConfig config = Config();
  HerdService no_dir(*kz_->store, clock_, DefaultCatalogue(), config);
  auto k = no_dir.NewSigningKey(HerdService::SystemCaller(), "KZ-ABY", false, 10);
  EXPECT_EQ(k.status().code(), StatusCode::kFailedPrecondition);
}

// --- a node keeps users, authorities and keys of its own country only (issue 17) ---

TEST_F(CertificateTest, UsersAuthoritiesAndKeysOfAnotherCountryAreRefused) {
  const Caller system = HerdService::SystemCaller();
  auto expect_refused = [](const Status& s, const std::string& field, const std::string& code) {
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
    EXPECT_EQ(s.field(), field) << s.ToString();
    EXPECT_NE(s.message().find(code + " is not of KZ, this node's country"), std::string::npos)
        << s.ToString();
  };
  expect_refused(svc().NewSigningKey(system, "CN-65", false, 730).status(), "authority", "CN-65");
  expect_refused(svc().NewSigningKey(system, "CN", true, 3650).status(), "authority", "CN");
  expect_refused(svc().NewSigningKey(admin_, "UZ-TAS", false, 730).status(), "authority", "UZ-TAS");
  expect_refused(svc().AddUser(system, "cn-vet", "long-enough-pass", Role::kVet, "CN-65").status(),
                 "authority", "CN-65");
  expect_refused(svc().AddAuthority(system, {"CN-65", "Xinjiang", "CN"}), "code", "CN-65");
  expect_refused(svc().AddAuthority(system, {"KZ-NEW", "New district", "CN"}), "parent", "CN");

  // Nothing was stored.
  auto keys = svc().ListSigningKeys(system);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 2u);  // root_ and key_
  auto users = svc().ListUsers(system);
  ASSERT_TRUE(users.ok());
  for (const User& u : users.value()) EXPECT_NE(u.username, "cn-vet");
  auto authorities = kz_->store->ListAuthorities();
  ASSERT_TRUE(authorities.ok());
  for (const Authority& a : authorities.value()) EXPECT_NE(a.code, "KZ-NEW");
  // Within the country all is as before.
  EXPECT_TRUE(svc().AddAuthority(system, {"KZ-NEW", "New district", "KZ"}).ok());
  EXPECT_TRUE(svc().NewSigningKey(system, "KZ-NEW", false, 730).ok());
}

TEST_F(CertificateTest, TrustListLeavesOutKeysOfAnotherCountryThatTheStoreHolds) {
  // Keys of CN stored among this node's own, as an older version let them be made: a signing key
  // and, newer than the KZ root, a root key with its private half at hand.
  ServiceConfig cn = Config();
  cn.default_region = "CN";
  cn.key_dir = (root_dir_ / "kz" / "keys").string();
  HerdService older(*kz_->store, clock_, DefaultCatalogue(), cn);
  auto cn_key = older.NewSigningKey(HerdService::SystemCaller(), "CN-65", false, 730);
  ASSERT_TRUE(cn_key.ok()) << cn_key.status().ToString();
  // The newest signing key, but not the one that signs the revocation list: verifiers know the
  // keys of the trust list alone.
  clock_.Advance(std::chrono::seconds(6));  // past the key cache
  auto revocations = svc().RevocationListDocument();
  ASSERT_TRUE(revocations.ok()) << revocations.status().ToString();
  auto opened = cert::OpenRevocationList(revocations.value(), {key_});
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  clock_.Advance(std::chrono::seconds(1));
  auto cn_root = older.NewSigningKey(HerdService::SystemCaller(), "CN", true, 3650);
  ASSERT_TRUE(cn_root.ok()) << cn_root.status().ToString();

  // The next change of the KZ key set signs the list: with the KZ root, of KZ keys only.
  clock_.Advance(std::chrono::seconds(1));
  const SigningKey alm = kz_->NewKey("KZ-ALM", false);
  auto doc = svc().TrustListDocument();
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  auto list = cert::OpenTrustList(doc.value(), {root_});
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->country, "KZ");
  std::set<std::string> kids;
  for (const SigningKey& k : list->keys) kids.insert(k.kid);
  EXPECT_EQ(kids, (std::set<std::string>{key_.kid, alm.kid}));

  // The audit row of that signature names the key left out.
  AuditQuery q;
  q.action = "trust_list.sign";
  auto rows = svc().ListAudit(HerdService::SystemCaller(), q);
  ASSERT_TRUE(rows.ok());
  ASSERT_FALSE(rows->empty());
  const auto detail = nlohmann::json::parse(rows->back().entry.detail);
  EXPECT_EQ(detail.at("root_kid"), root_.kid) << detail.dump();
  EXPECT_EQ(detail.at("skipped"), nlohmann::json::array({cn_key->kid})) << detail.dump();
  // And no certificate of this node is signed by the foreign key.
  SeedSheep();
  EXPECT_EQ(Issue(Request()).kid, key_.kid);
}

// --- W9: another country's trust list ---

class CrossBorderTest : public CertificateTest {
 protected:
  void SetUp() override {
    CertificateTest::SetUp();
    ServiceConfig config;
    config.default_region = "UZ";
    config.local_utc_offset = std::chrono::minutes(5 * 60);
    uz_ = MakeNode("uz", config);
    uz_root_ = uz_->NewKey("UZ", true, 3650);
    uz_key_ = uz_->NewKey("UZ-TAS", false);
    Caller vacc = uz_->User("uz-vacc", Role::kVaccinator, "UZ-TAS");
    uz_vet_ = uz_->User("uz-vet", Role::kVet, "UZ-TAS");
    auto r = uz_->service->RecordBatch(vacc, {Dose(Uuid(50), "+998901234567", {"860000000000001"},
                                                   "FMD-O", "FMD-OA-INACT", "2026-11-01"),
                                              Dose(Uuid(51), "+998901234567", {"860000000000001"},
                                                   "PPR", "PPR-LIVE", "2026-11-01"),
                                              Dose(Uuid(52), "+998901234567", {"860000000000001"},
                                                   "SGP", "SGP-SHEEPPOX-LIVE", "2026-11-01"),
                                              Dose(Uuid(53), "+998901234567", {"860000000000001"},
                                                   "ANTHRAX", "ANTHRAX-SPORE", "2026-11-01")});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->created, 4) << r->results[0].reason.ToString();
    CertificateRequest req;
    req.owner_phone = "+998901234567";
    req.animal_tags = {"860000000000001"};
    req.species = "sheep";
    req.purpose = "export";
    req.destination = "KZ-ABY";
    req.transport = "truck 01 A 123 BC";
    auto c = uz_->service->IssueCertificate(uz_vet_, req);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    uz_cert_ = c.value();
  }

  Caller uz_vet_;
  SigningKey uz_root_, uz_key_;
  Certificate uz_cert_;
};

// Each audit row's detail of certificates and keys, byte for byte: rows are hashed into the chain
// as they are written and read back by auditors' tools, so the text of an event must not drift.
TEST_F(CrossBorderTest, AuditDetailsAreTheirExactText) {
  // Every row of `action` on the KZ node, oldest first.
  auto details = [&](const std::string& action) {
    AuditQuery q;
    q.all_authorities = true;
    q.action = action;
    q.limit = 1000;
    auto rows = kz_->store->ListAudit(q);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<std::string> out;
    for (const AuditRow& r : rows.ok() ? rows.value() : std::vector<AuditRow>{}) {
      out.push_back(r.entry.detail);
    }
    return out;
  };
  const auto text = [](const std::string& s) { return "\"" + s + "\""; };
  // SetUp made the root, then KZ-ABY's signing key; each change of the key set signed the list.
  EXPECT_EQ(details("key.new"),
            (std::vector<std::string>{R"({"authority":"KZ","root":true,"valid_until":)" +
                                          text(FormatRfc3339(root_.valid_until)) + "}",
                                      R"({"authority":"KZ-ABY","root":false,"valid_until":)" +
                                          text(FormatRfc3339(key_.valid_until)) + "}"}));
  EXPECT_EQ(details("trust_list.sign"),
            (std::vector<std::string>{
                R"({"keys":0,"root_kid":)" + text(root_.kid) + R"(,"sequence":1})",
                R"({"keys":1,"root_kid":)" + text(root_.kid) + R"(,"sequence":2})"}));

  SeedSheep();
  const Certificate revoked = Issue(Request());
  ASSERT_TRUE(svc().RevokeCertificate(vet_, revoked.id, "sold \\ \"elsewhere\"").ok());
  const Certificate used = Issue(Request());
  ASSERT_TRUE(svc().ConsumeCertificate(inspector_, used.id, "gate\t\"north\"").ok());
  const auto issued = [&](const Certificate& c) {
    return R"({"destination":"KZ-ABY","head_count":1,"kid":)" + text(key_.kid) + R"(,"number":)" +
           text(c.number) + R"(,"owner_id":)" + std::to_string(c.owner_id) +
           R"(,"purpose":"slaughter","species":"sheep"})";
  };
  EXPECT_EQ(details("certificate.issue"),
            (std::vector<std::string>{issued(revoked), issued(used)}));
  EXPECT_EQ(details("certificate.revoke"),
            std::vector<std::string>{R"({"number":)" + text(revoked.number) +
                                     R"(,"reason":"sold \\ \"elsewhere\""})"});
  // The use's id is made by the server here (no device id sent): 36 characters between the two.
  const auto consumed = details("certificate.consume");
  ASSERT_EQ(consumed.size(), 1u);
  const std::string head =
      R"({"number":)" + text(used.number) + R"(,"place":"gate\t\"north\"","id":")";
  EXPECT_EQ(consumed[0].substr(0, head.size()), head);
  EXPECT_EQ(consumed[0].substr(std::min(consumed[0].size(), head.size() + 36)),
            R"(","at":"2026-11-29T09:00:00.000Z"})");
  EXPECT_EQ(svc().IssueCertificate(far_vet_, Request()).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(details("owner.conflict"),
            std::vector<std::string>{R"({"outside_jurisdiction":true,"use":"certificate"})"});

  auto list = uz_->service->TrustListDocument();
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_TRUE(svc().ImportTrustList(admin_, list.value(), uz_root_.public_key).ok());
  EXPECT_EQ(details("trust_list.pin"),
            std::vector<std::string>{R"({"kid":)" + text(uz_root_.kid) + "}"});
  EXPECT_EQ(details("trust_list.import"),
            std::vector<std::string>{R"({"keys":1,"root_kid":)" + text(uz_root_.kid) +
                                     R"(,"sequence":2})"});

  ASSERT_TRUE(svc().RetireSigningKey(HerdService::SystemCaller(), key_.kid).ok());
  EXPECT_EQ(details("key.retire"),
            std::vector<std::string>{R"({"authority":"KZ-ABY","root":false})"});
  ASSERT_EQ(details("trust_list.sign").size(), 3u);
  EXPECT_EQ(details("trust_list.sign").back(),
            R"({"keys":1,"root_kid":)" + text(root_.kid) + R"(,"sequence":3})");
}

TEST_F(CrossBorderTest, ImportedTrustListLetsTheNeighboursCertificateVerify) {
  EXPECT_EQ(uz_cert_.valid_until, At(2026, 12, 4));  // export: five days
  VerifyResult before = svc().Verify(public_, uz_cert_.hp1);
  EXPECT_FALSE(before.valid);
  EXPECT_TRUE(HasReason(before, "unknown_kid")) << ::testing::PrintToString(before.reasons);

  auto list = uz_->service->TrustListDocument();
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  auto imported = svc().ImportTrustList(admin_, list.value(), uz_root_.public_key);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  ASSERT_EQ(imported->size(), 1u);
  EXPECT_EQ(imported->at(0).kid, uz_key_.kid);
  EXPECT_EQ(imported->at(0).source, "import:UZ");

  VerifyResult after = svc().Verify(public_, uz_cert_.hp1);
  EXPECT_TRUE(after.valid) << after.status;
  ASSERT_TRUE(after.certificate.has_value());
  EXPECT_EQ(after.certificate->authority, "UZ-TAS");
  EXPECT_FALSE(after.consumed_at.has_value());

  // The keys as stored: the signing key imported, the root pinned; neither signs here.
  auto keys = svc().ListSigningKeys(HerdService::SystemCaller());
  ASSERT_TRUE(keys.ok());
  std::map<std::string, std::string> source_of;
  for (const auto& k : keys.value()) source_of[k.kid] = k.source;
  EXPECT_EQ(source_of[uz_key_.kid], "import:UZ");
  EXPECT_EQ(source_of[uz_root_.kid], "pinned:UZ");
  // Our own trust list is unchanged: it lists only local keys.
  auto own = cert::OpenTrustList(svc().TrustListDocument().value(), {root_});
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->keys.size(), 1u);

  // Importing again replaces, not duplicates.
  ASSERT_TRUE(svc().ImportTrustList(admin_, list.value(), uz_root_.public_key).ok());
  EXPECT_EQ(svc().ListSigningKeys(admin_)->size(), keys->size());

  // A KZ inspector at the border can read the stored UZ certificate? No: it is stored in UZ only.
  EXPECT_EQ(svc().GetCertificate(inspector_, uz_cert_.id).status().code(), StatusCode::kNotFound);
}

TEST_F(CrossBorderTest, TrustListWithTheWrongRootIsRefused) {
  auto list = uz_->service->TrustListDocument();
  ASSERT_TRUE(list.ok());
  // Signed by UZ's root, offered with KZ's root pinned: refused, nothing stored.
  auto wrong = svc().ImportTrustList(admin_, list.value(), root_.public_key);
  EXPECT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().field(), "trust_list") << wrong.status().ToString();
  EXPECT_EQ(svc().ListSigningKeys(admin_)->size(), 2u);
  EXPECT_FALSE(svc().Verify(public_, uz_cert_.hp1).valid);

  EXPECT_EQ(svc().ImportTrustList(admin_, list.value(), "not base64!").status().field(),
            "root_public_key");
  EXPECT_EQ(svc().ImportTrustList(admin_, list.value(), "AAAA").status().field(),
            "root_public_key");
  EXPECT_EQ(svc().ImportTrustList(admin_, "{}", uz_root_.public_key).status().field(),
            "trust_list");
  // Our own country's list is made here, never imported.
  auto own = svc().ImportTrustList(admin_, svc().TrustListDocument().value(), root_.public_key);
  EXPECT_EQ(own.status().code(), StatusCode::kFailedPrecondition) << own.status().ToString();
  // A regional admin does not decide which countries to trust.
  Caller local_admin = kz_->User("admin2", Role::kAdmin, "KZ-ALM");
  EXPECT_EQ(svc().ImportTrustList(local_admin, list.value(), uz_root_.public_key).status().code(),
            StatusCode::kPermissionDenied);
}

// --- who may do what ---

TEST_F(CertificateTest, EveryRoleNotPermittedIsDenied) {
  SeedSheep();
  const Certificate c = Issue(Request());
  std::map<std::string, Caller> callers = {{"vaccinator", vaccinator_},
                                           {"vet", vet_},
                                           {"inspector", inspector_},
                                           {"admin", admin_},
                                           {"auditor", auditor_}};
  struct Op {
    std::string name;
    std::set<std::string> allowed;
    std::function<Status(const Caller&)> run;
  };
  const std::vector<Op> ops = {
      {"issue", {"vet"}, [&](const Caller& k) { return svc().IssueCertificate(k, {}).status(); }},
      {"get",
       {"vet", "inspector", "admin"},
       [&](const Caller& k) { return svc().GetCertificate(k, c.id).status(); }},
      {"consume",
       {"inspector"},
       [&](const Caller& k) { return svc().ConsumeCertificate(k, c.id, "").status(); }},
      {"revoke",
       {"vet", "admin"},
       [&](const Caller& k) { return svc().RevokeCertificate(k, c.id, "").status(); }},
      {"new key",
       {"admin"},
       [&](const Caller& k) { return svc().NewSigningKey(k, "", false, 0).status(); }},
      {"retire key", {"admin"}, [&](const Caller& k) { return svc().RetireSigningKey(k, ""); }},
      {"list keys", {"admin"}, [&](const Caller& k) { return svc().ListSigningKeys(k).status(); }},
      {"import",
       {"admin"},
       [&](const Caller& k) { return svc().ImportTrustList(k, "", "").status(); }},
  };
  for (const Op& op : ops) {
    for (const auto& [role, caller] : callers) {
      const Status s = op.run(caller);
      if (op.allowed.count(role) != 0) {
        EXPECT_NE(s.code(), StatusCode::kPermissionDenied) << op.name << " by " << role;
        EXPECT_NE(s.code(), StatusCode::kUnauthenticated) << op.name << " by " << role;
      } else {
        EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << op.name << " by " << role;
      }
    }
    EXPECT_EQ(op.run(public_).code(), StatusCode::kUnauthenticated) << op.name << " by the public";
  }
  // Verification and the signed documents are public.
  EXPECT_TRUE(svc().Verify(public_, c.hp1).valid);
  EXPECT_TRUE(svc().TrustListDocument().ok());
  EXPECT_TRUE(svc().RevocationListDocument().ok());
}

// Inspectors read what their jurisdiction issued or awaits (as GET /certificates lists it), and
// only the destination's consume: an inspector on the road cannot burn a truck's certificate.
TEST_F(CertificateTest,
       InspectorsReadWhatTheirJurisdictionIssuedOrAwaitsAndTheDestinationConsumes) {
  SeedSheep();
  const Certificate local = Issue(Request());  // KZ-ABY to KZ-ABY
  CertificateRequest far_req = Request();
  far_req.destination = "KZ-ALM";
  const Certificate far = Issue(far_req);  // KZ-ABY to KZ-ALM
  const Caller far_inspector = kz_->User("insp-alm", Role::kInspector, "KZ-ALM");
  const Caller road_inspector = kz_->User("insp-akm", Role::kInspector, "KZ-AKM");
  const Caller national_inspector = kz_->User("insp-kz", Role::kInspector, "KZ");

  EXPECT_TRUE(svc().GetCertificate(inspector_, local.id).ok());
  EXPECT_TRUE(svc().GetCertificate(inspector_, far.id).ok());  // issued in its subtree
  EXPECT_TRUE(svc().GetCertificate(far_inspector, far.id).ok());
  EXPECT_TRUE(svc().GetCertificate(far_inspector, far.number).ok());
  EXPECT_TRUE(svc().GetCertificate(national_inspector, far.id).ok());
  EXPECT_TRUE(svc().GetCertificate(admin_, local.id).ok());  // KZ admin, above
  for (const auto& [who, id] :
       {std::pair{far_inspector, local.id}, std::pair{road_inspector, local.id},
        std::pair{road_inspector, far.id}, std::pair{far_vet_, local.id},
        std::pair{far_vet_, far.id}}) {
    SCOPED_TRACE(who.username + " reads " + id);
    EXPECT_EQ(svc().GetCertificate(who, id).status().code(), StatusCode::kNotFound);
  }
  EXPECT_EQ(svc().GetCertificate(vet_, "KZ-ABY-20261129-NOTTHERE").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(svc().GetCertificate(vet_, "").status().field(), "id");

  // Consuming: the destination's jurisdiction only; the refusals change nothing.
  for (const auto& [who, c] : {std::pair{road_inspector, far}, std::pair{inspector_, far},
                               std::pair{far_inspector, local}}) {
    SCOPED_TRACE(who.username + " consumes " + c.number);
    auto refused = svc().ConsumeCertificate(who, c.id, "gate");
    EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied)
        << refused.status().ToString();
  }
  EXPECT_TRUE(svc().Verify(public_, far.hp1).valid);
  EXPECT_TRUE(svc().Verify(public_, local.hp1).valid);
  auto used = svc().ConsumeCertificate(far_inspector, far.id, "Almaty meat plant");
  ASSERT_TRUE(used.ok()) << used.status().ToString();
  EXPECT_EQ(used->consumed_by_name, "insp-alm");
  EXPECT_TRUE(svc().ConsumeCertificate(national_inspector, local.id, "Ayagoz meat plant").ok());
}

// The origin is where the animals leave from: within the vet's jurisdiction.
TEST_F(CertificateTest, OriginOutsideTheVetsJurisdictionIsDenied) {
  SeedSheep();
  CertificateRequest req = Request();
  req.origin = "KZ-ALM";
  auto c = svc().IssueCertificate(vet_, req);
  EXPECT_EQ(c.status().code(), StatusCode::kPermissionDenied) << c.status().ToString();
  EXPECT_EQ(c.status().field(), "origin");
  EXPECT_EQ(CertificateCount(), 0);
  req.origin = "KZ-ABY-01";  // below the vet's authority: fine
  EXPECT_TRUE(svc().IssueCertificate(vet_, req).ok());
}

// owner_id and owner_phone together must name the same owner.
TEST_F(CertificateTest, OwnerIdAndPhoneOfDifferentOwnersAreRefused) {
  SeedSheep();
  auto other = svc().RegisterOwner(vaccinator_, {"87019990000", "Other", "", ""});
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  auto owner = kz_->store->FindOwnerByPhone("+77012345678");
  ASSERT_TRUE(owner.ok());
  CertificateRequest req = Request();
  req.owner_id = other->id;  // owner_phone stays the sheep's owner's
  auto c = svc().IssueCertificate(vet_, req);
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << c.status().ToString();
  EXPECT_EQ(c.status().field(), "owner_phone");
  EXPECT_EQ(CertificateCount(), 0);
  req.owner_id = owner->id;
  EXPECT_TRUE(svc().IssueCertificate(vet_, req).ok());
}

}  // namespace
}  // namespace herdpass

namespace herdpass {
namespace {

// --- checkpoint passages (issue 12 item 4) ---

class PassageTest : public CertificateTest {
 protected:
  // A holding of `kind` made by the admin in `authority`.
  Holding Place(const std::string& code, const std::string& kind,
                const std::string& authority = "KZ-ABY") {
    HoldingInput in;
    in.code = code;
    in.kind = kind;
    in.name = "Place " + code;
    in.authority = authority;
    in.lat = 48.2;
    in.lon = 80.1;
    in.opened_on = "2020-01-01";
    auto h = svc().CreateHolding(admin_, in);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? h.value() : Holding{};
  }

  PassageRequest Scan(int n, int64_t holding, Timestamp at, int64_t head_seen = 1) {
    PassageRequest r;
    r.id = Uuid(7000 + n);
    r.holding = holding;
    r.at = FormatRfc3339(at);
    r.head_seen = head_seen;
    r.note = "truck 123 ABC 05";
    return r;
  }

  size_t Stored(const Certificate& c) {
    auto list = kz_->store->ListPassages(c.id);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    return list.ok() ? list->size() : 0;
  }
};

TEST_F(PassageTest, ScannedOfflineAndSentTwiceIsStoredOnceAndAudited) {
  SeedSheep();
  const Certificate c = Issue(Request());
  const Holding post = Place("CP-1", "checkpoint");
  const Timestamp scanned = clock_.Now() + std::chrono::minutes(30);
  clock_.Advance(std::chrono::hours(5));  // the phone was offline; the certificate is still valid
  auto first = svc().RecordPassage(inspector_, c.id, Scan(1, post.id, scanned));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->duplicate);
  EXPECT_EQ(first->passage.at, scanned);
  EXPECT_EQ(first->passage.received_at, clock_.Now());
  EXPECT_EQ(first->passage.flag, PassageFlag::kNone);
  EXPECT_EQ(first->flag_reason, "");
  EXPECT_EQ(first->certificate_number, c.number);

  clock_.Advance(std::chrono::minutes(1));
  auto again = svc().RecordPassage(inspector_, c.number, Scan(1, post.id, scanned));  // by number
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->passage.received_at, first->passage.received_at);
  EXPECT_EQ(Stored(c), 1u);

  AuditQuery q;
  q.action = "certificate.passage";
  auto rows = svc().ListAudit(auditor_, q);
  ASSERT_TRUE(rows.ok());
  ASSERT_GE(rows->size(), 1u);
  EXPECT_EQ(rows->back().entry.username, "insp");
  EXPECT_EQ(rows->back().entry.target, "certificate:" + c.id);
}

TEST_F(PassageTest, PassageOfARevokedCertificateIsStoredFlaggedWithTheReason) {
  SeedSheep();
  const Certificate c = Issue(Request());
  const Holding post = Place("CP-1", "checkpoint");
  const Timestamp before = clock_.Now() + std::chrono::minutes(1);
  clock_.Advance(std::chrono::minutes(10));
  ASSERT_TRUE(svc().RevokeCertificate(vet_, c.id, "wrong animals listed").ok());
  clock_.Advance(std::chrono::minutes(10));
  auto flagged = svc().RecordPassage(inspector_, c.id, Scan(1, post.id, clock_.Now()));
  ASSERT_TRUE(flagged.ok()) << flagged.status().ToString();
  EXPECT_EQ(flagged->passage.flag, PassageFlag::kRevoked);
  EXPECT_EQ(flagged->flag_reason,
            "the certificate " + c.number + " was revoked at 2026-11-29T09:10:00.000Z");
  // Scanned before the revocation, sent after: not flagged.
  auto clean = svc().RecordPassage(inspector_, c.id, Scan(2, post.id, before));
  ASSERT_TRUE(clean.ok()) << clean.status().ToString();
  EXPECT_EQ(clean->passage.flag, PassageFlag::kNone);
  auto list = svc().ListPassages(vet_, c.id);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].passage.flag, PassageFlag::kNone);
  EXPECT_EQ((*list)[1].passage.flag, PassageFlag::kRevoked);
  EXPECT_EQ((*list)[1].flag_reason, flagged->flag_reason);
}

TEST_F(PassageTest, PassageOfAUsedOrExpiredCertificateIsFlagged) {
  SeedSheep();
  const Certificate used = Issue(Request());
  const Certificate expiring = Issue(Request());
  const Holding market = Place("M-1", "market");
  clock_.Advance(std::chrono::hours(1));
  ASSERT_TRUE(svc().ConsumeCertificate(inspector_, used.id, "Ayagoz meat plant").ok());
  clock_.Advance(std::chrono::minutes(1));
  auto u = svc().RecordPassage(inspector_, used.id, Scan(1, market.id, clock_.Now()));
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->passage.flag, PassageFlag::kConsumed);
  EXPECT_EQ(u->flag_reason,
            "the certificate " + used.number + " was already used at 2026-11-29T10:00:00.000Z");
  clock_.Set(expiring.valid_until + std::chrono::minutes(1));
  auto e = svc().RecordPassage(inspector_, expiring.id, Scan(2, market.id, clock_.Now()));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->passage.flag, PassageFlag::kExpired);
}

TEST_F(PassageTest, BadInputIsRefusedNamingTheFieldAndStoresNothing) {
  SeedSheep();
  const Certificate c = Issue(Request());  // one head
  const Holding post = Place("CP-1", "checkpoint");
  const Holding farm_post = Place("SH-1", "slaughterhouse");
  const Holding far_post = Place("CP-9", "checkpoint", "KZ-ALM");
  const Timestamp now = clock_.Now();
  auto field_of = [&](const std::string& cert, const PassageRequest& r) {
    auto got = svc().RecordPassage(inspector_, cert, r);
    EXPECT_FALSE(got.ok());
    return std::make_pair(got.status().code(), got.status().field());
  };
  using P = std::pair<StatusCode, std::string>;
  EXPECT_EQ(field_of(Uuid(999), Scan(1, post.id, now)), P(StatusCode::kNotFound, "certificate"));
  EXPECT_EQ(field_of(c.id, Scan(1, post.id, now, 2)), P(StatusCode::kUnprocessable, "head_seen"));
  EXPECT_EQ(field_of(c.id, Scan(1, post.id, now, -1)),
            P(StatusCode::kInvalidArgument, "head_seen"));
  EXPECT_EQ(field_of(c.id, Scan(1, far_post.id, now)), P(StatusCode::kInvalidArgument, "holding"));
  EXPECT_EQ(field_of(c.id, Scan(1, farm_post.id, now)), P(StatusCode::kInvalidArgument, "holding"));
  EXPECT_EQ(field_of(c.id, Scan(1, 987654, now)), P(StatusCode::kInvalidArgument, "holding"));
  // One day ahead is a phone's clock; more is refused.
  EXPECT_EQ(
      field_of(c.id, Scan(1, post.id, now + std::chrono::hours(24) + std::chrono::seconds(1))),
      P(StatusCode::kInvalidArgument, "at"));
  PassageRequest no_at = Scan(1, post.id, now);
  no_at.at = "yesterday";
  EXPECT_EQ(field_of(c.id, no_at), P(StatusCode::kInvalidArgument, "at"));
  PassageRequest bad_id = Scan(1, post.id, now);
  bad_id.id = "00000000-0000-0000-0000-000000000000";
  EXPECT_EQ(field_of(c.id, bad_id), P(StatusCode::kInvalidArgument, "id"));
  PassageRequest long_note = Scan(1, post.id, now);
  long_note.note = std::string(501, 'x');
  EXPECT_EQ(field_of(c.id, long_note), P(StatusCode::kInvalidArgument, "note"));
  EXPECT_EQ(Stored(c), 0u);
  // Only inspectors record passages.
  EXPECT_EQ(svc().RecordPassage(vet_, c.id, Scan(1, post.id, now)).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(Stored(c), 0u);
  // The same id, sent right, is new.
  auto ok = svc().RecordPassage(inspector_, c.id, Scan(1, post.id, now + std::chrono::hours(24)));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_FALSE(ok->duplicate);
}

TEST_F(PassageTest, InspectorsOnTheRoadSeeTheirPassagesAndTheIssuersSeeAll) {
  SeedSheep();
  const Certificate c = Issue(Request());
  const Holding post = Place("CP-1", "checkpoint");
  const Holding far_post = Place("CP-9", "border_post", "KZ-ALM");
  Caller far_inspector = kz_->User("insp9", Role::kInspector, "KZ-ALM");
  ASSERT_TRUE(svc().RecordPassage(inspector_, c.id, Scan(1, post.id, clock_.Now())).ok());
  auto far = svc().RecordPassage(far_inspector, c.id, Scan(2, far_post.id, clock_.Now()));
  ASSERT_TRUE(far.ok()) << far.status().ToString();
  auto all = svc().ListPassages(vet_, c.id);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->size(), 2u);
  auto theirs = svc().ListPassages(far_inspector, c.id);
  ASSERT_TRUE(theirs.ok()) << theirs.status().ToString();
  ASSERT_EQ(theirs->size(), 1u);
  EXPECT_EQ(theirs->front().passage.holding_id, far_post.id);
  EXPECT_EQ(svc().ListPassages(far_vet_, c.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(svc().ListPassages(vaccinator_, c.id).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(svc().ListPassages(vet_, Uuid(999)).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace herdpass

namespace herdpass {
namespace {

// --- W14: outbreaks and zones ---

class OutbreakTest : public CertificateTest {
 protected:
  // A holding at (lat, lon), stored straight in the node's store.
  Holding Place(const std::string& code, double lat, double lon,
                const std::string& authority = "KZ-ABY-01", HoldingKind kind = HoldingKind::kFarm) {
    Holding h;
    h.code = code;
    h.kind = kind;
    h.name = "Holding " + code;
    h.authority = authority;
    h.lat = lat;
    h.lon = lon;
    h.opened_on = Date::Parse("2020-01-01").value();
    auto r = kz_->store->CreateHolding(h, AuditEntry{});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Holding{};
  }

  OutbreakReportRequest Report(int64_t holding, int n = 1) {
    OutbreakReportRequest r;
    r.id = Uuid(5000 + n);
    r.holding = holding;
    r.disease = "SGP";
    r.species = "sheep";
    r.first_signs_on = "2026-11-27";
    r.head_sick = 6;
    r.head_dead = 2;
    r.lat = 47.9;
    r.lon = 80.6;
    r.note = "pox lesions on the skin";
    return r;
  }

  // A confirmed outbreak at `holding`: its id.
  std::string Confirmed(int64_t holding, int n = 1) {
    auto r = svc().ReportOutbreak(vaccinator_, Report(holding, n));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    auto c = svc().ConfirmOutbreak(vet_, Uuid(5000 + n), "NRL-2026-77", "");
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return Uuid(5000 + n);
  }

  ZoneRequest Zone3And10(const std::string& outbreak_id) {
    ZoneRequest z;
    z.outbreak_id = outbreak_id;
    z.protection_km = 3;
    z.surveillance_km = 10;
    z.species = {"sheep", "goat"};
    z.ends_on = "2026-12-20";
    return z;
  }

  // A farm F-1 (for an outbreak), and a certificate of sheep from 2 km away (inside a 3 km zone
  // around it) and one from 22 km away (outside a 10 km one), both issued now.
  std::tuple<Holding, Certificate, Certificate> FarmAndTwoCertificates() {
    SeedSheep();
    const Holding farm = Place("F-1", 47.9, 80.6);
    const Holding near = Place("F-2", 47.92, 80.6);
    const Holding away = Place("F-4", 48.1, 80.6);
    CertificateRequest req = Request();
    req.origin_holding = near.id;
    const Certificate inside = Issue(req);
    req.origin_holding = away.id;
    return {farm, inside, Issue(req)};
  }

  int64_t AuditCount(const std::string& action) {
    AuditQuery q;
    q.all_authorities = true;
    q.action = action;
    auto rows = kz_->store->ListAudit(q);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? static_cast<int64_t>(rows->size()) : -1;
  }
};

TEST_F(OutbreakTest, AReportIsStoredOnceAuditedAndDecidedOnceByAVetOfItsJurisdiction) {
  const Holding farm = Place("F-1", 47.9, 80.6);
  auto first = svc().ReportOutbreak(vaccinator_, Report(farm.id));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->duplicate);
  EXPECT_EQ(first->outbreak.authority, "KZ-ABY-01");
  EXPECT_EQ(first->outbreak.status, OutbreakStatus::kReported);
  auto again = svc().ReportOutbreak(vaccinator_, Report(farm.id));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(AuditCount("outbreak.report"), 2);
  OutbreakListRequest all;
  auto listed = svc().ListOutbreaks(inspector_, all);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, Uuid(5001));
  // The read is audited: who, the scope asked and how many reports it showed.
  {
    AuditQuery q;
    q.all_authorities = true;
    q.action = "outbreak.list";
    auto rows = kz_->store->ListAudit(q);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].entry.user_id, inspector_.user_id);
    EXPECT_EQ((*rows)[0].entry.target, "outbreaks:" + inspector_.authority);
    EXPECT_NE((*rows)[0].entry.detail.find("\"count\":1"), std::string::npos)
        << (*rows)[0].entry.detail;
  }

  // Decisions: the vet of the jurisdiction only, with a lab reference to confirm, once.
  EXPECT_EQ(svc().ConfirmOutbreak(vaccinator_, Uuid(5001), "NRL-1", "").status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(svc().ConfirmOutbreak(far_vet_, Uuid(5001), "NRL-1", "").status().code(),
            StatusCode::kNotFound);
  auto no_lab = svc().ConfirmOutbreak(vet_, Uuid(5001), "", "");
  EXPECT_EQ(no_lab.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(no_lab.status().field(), "lab_reference");
  auto confirmed = svc().ConfirmOutbreak(vet_, Uuid(5001), "NRL-2026-77", "PCR positive");
  ASSERT_TRUE(confirmed.ok()) << confirmed.status().ToString();
  EXPECT_EQ(confirmed->status, OutbreakStatus::kConfirmed);
  EXPECT_EQ(confirmed->lab_reference, "NRL-2026-77");
  EXPECT_EQ(confirmed->decided_by, vet_.user_id);
  EXPECT_EQ(svc().RuleOutOutbreak(vet_, Uuid(5001), "").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(AuditCount("outbreak.confirm"), 1);
  OutbreakListRequest reported;
  reported.status = "reported";
  EXPECT_TRUE(svc().ListOutbreaks(vet_, reported)->empty());
  OutbreakListRequest elsewhere;
  elsewhere.authority = "KZ-ALM";
  auto denied = svc().ListOutbreaks(vet_, elsewhere);
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(denied.status().field(), "authority");
  // Two reads answered, one refused: the refused one leaves no read row.
  EXPECT_EQ(AuditCount("outbreak.list"), 2);
}

TEST_F(OutbreakTest, EachBadFieldOfAReportIsNamedAndNothingIsStored) {
  const Holding farm = Place("F-1", 47.9, 80.6);
  const Holding far = Place("F-9", 43.2, 76.9, "KZ-ALM-01");
  struct Case {
    std::function<void(OutbreakReportRequest&)> change;
    const char* field;
  };
  const Case cases[] = {
      {[](auto& r) { r.id = "not-a-uuid"; }, "id"},
      {[](auto& r) { r.holding.reset(); }, "holding"},
      {[&](auto& r) { r.holding = far.id; }, "holding"},
      {[](auto& r) { r.disease = "FMD"; }, "disease"},
      {[](auto& r) { r.species = "dog"; }, "species"},
      {[](auto& r) { r.species = "cattle"; }, "species"},  // sheep pox is not of cattle
      {[](auto& r) { r.first_signs_on = "2026-12-05"; }, "first_signs_on"},
      {[](auto& r) { r.first_signs_on = "27.11.2026"; }, "first_signs_on"},
      {[](auto& r) { r.head_sick = -1; }, "head_sick"},
      {[](auto& r) { r.head_dead.reset(); }, "head_dead"},
      {[](auto& r) { r.lat = 91; }, "lat"},
      {[](auto& r) { r.lon.reset(); }, "lon"},
      {[](auto& r) { r.note = std::string(1001, 'x'); }, "note"},
  };
  for (const Case& k : cases) {
    OutbreakReportRequest r = Report(farm.id);
    k.change(r);
    auto out = svc().ReportOutbreak(vaccinator_, r);
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument) << k.field;
    EXPECT_EQ(out.status().field(), k.field);
  }
  EXPECT_EQ(svc().ReportOutbreak(inspector_, Report(farm.id)).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(svc().ListOutbreaks(vet_, {})->empty());
  EXPECT_EQ(AuditCount("outbreak.report"), 0);
}

TEST_F(OutbreakTest, ACertificateFromInsideAZoneIsRefusedNamingItOutsideAndAfterTheLiftIssued) {
  SeedSheep();
  const Holding farm = Place("F-1", 47.9, 80.6);
  const Holding near = Place("F-2", 47.92, 80.6);    // ~2.2 km north: protection
  const Holding around = Place("F-3", 47.95, 80.6);  // ~5.6 km: surveillance
  const Holding away = Place("F-4", 48.1, 80.6);     // ~22 km: outside
  auto zone = svc().DeclareZone(vet_, Zone3And10(Confirmed(farm.id)));
  ASSERT_TRUE(zone.ok()) << zone.status().ToString();
  EXPECT_EQ(zone->holding_id, farm.id);
  EXPECT_EQ(zone->starts_on, Date::Parse("2026-11-29").value());
  EXPECT_EQ(AuditCount("zone.declare"), 1);

  auto from = [&](const Holding& h) {
    CertificateRequest req = Request();
    req.origin_holding = h.id;
    return svc().IssueCertificate(vet_, req);
  };
  for (const auto& [h, ring] : {std::pair{near, "protection"}, std::pair{around, "surveillance"}}) {
    auto refused = from(h);
    ASSERT_EQ(refused.status().code(), StatusCode::kUnprocessable) << refused.status().ToString();
    const std::vector<RuleFailure> unmet = UnmetOf(refused);
    ASSERT_EQ(unmet.size(), 1u);
    EXPECT_EQ(unmet[0].rule, "zone");
    EXPECT_EQ(unmet[0].zone_id, zone->id);
    EXPECT_EQ(unmet[0].ring, ring);
    EXPECT_EQ(unmet[0].disease, "SGP");
    EXPECT_EQ(unmet[0].animal, "holding:" + h.code);
    EXPECT_NE(unmet[0].message.find("zone " + std::to_string(zone->id)), std::string::npos)
        << unmet[0].message;
  }
  EXPECT_EQ(CertificateCount(), 0);
  EXPECT_TRUE(from(away).ok());
  EXPECT_EQ(CertificateCount(), 1);

  EXPECT_EQ(svc().LiftZone(vet_, zone->id, "").status().field(), "reason");
  EXPECT_EQ(svc().LiftZone(far_vet_, zone->id, "over").status().code(), StatusCode::kNotFound);
  auto lifted = svc().LiftZone(vet_, zone->id, "21 days without a new case");
  ASSERT_TRUE(lifted.ok()) << lifted.status().ToString();
  EXPECT_TRUE(lifted->lifted_at.has_value());
  EXPECT_EQ(svc().LiftZone(vet_, zone->id, "again").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(from(near).ok());
  EXPECT_EQ(AuditCount("zone.lift"), 1);
}

// Issuance keeps the zones in force in memory; a second server on the same database (its own store
// and service) declaring or lifting a zone is seen by the next issuance here all the same.
TEST_F(OutbreakTest, AZoneDeclaredByAnotherServerOnTheDatabaseRefusesIssuanceHereAndItsLiftNot) {
  SeedSheep();
  const Holding farm = Place("F-1", 47.9, 80.6);
  const Holding near = Place("F-2", 47.92, 80.6);  // ~2.2 km north: protection
  CertificateRequest req = Request();
  req.origin_holding = near.id;
  auto before = svc().IssueCertificate(vet_, req);  // no zone yet: judged and kept here
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(CertificateCount(), 1);

  Node other(kz_->dir, clock_, Config());
  const std::string outbreak = Confirmed(farm.id);
  auto zone = other.service->DeclareZone(vet_, Zone3And10(outbreak));
  ASSERT_TRUE(zone.ok()) << zone.status().ToString();
  auto refused = svc().IssueCertificate(vet_, req);
  ASSERT_EQ(refused.status().code(), StatusCode::kUnprocessable) << refused.status().ToString();
  const std::vector<RuleFailure> unmet = UnmetOf(refused);
  ASSERT_EQ(unmet.size(), 1u);
  EXPECT_EQ(unmet[0].rule, "zone");
  EXPECT_EQ(unmet[0].zone_id, zone->id);
  EXPECT_EQ(CertificateCount(), 1);
  // Refused again: the zone is kept here now.
  EXPECT_EQ(svc().IssueCertificate(vet_, req).status().code(), StatusCode::kUnprocessable);

  auto lifted = other.service->LiftZone(vet_, zone->id, "ruled out by the laboratory");
  ASSERT_TRUE(lifted.ok()) << lifted.status().ToString();
  auto after = svc().IssueCertificate(vet_, req);
  EXPECT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(CertificateCount(), 2);
}

TEST_F(OutbreakTest, AZoneOfAuthorityCodesStopsTheSubtreeOnlyForItsSpeciesAndDays) {
  SeedSheep();
  const Holding inside = Place("F-1", 47.9, 80.6, "KZ-ABY-01");
  ZoneRequest z;
  z.disease = "PPR";
  z.authorities = {"KZ-ABY-01"};
  z.species = {"sheep"};
  z.starts_on = "2026-11-30";  // tomorrow
  z.ends_on = "2026-12-10";
  auto zone = svc().DeclareZone(admin_, z);
  ASSERT_TRUE(zone.ok()) << zone.status().ToString();
  CertificateRequest req = Request();
  req.origin_holding = inside.id;
  EXPECT_TRUE(svc().IssueCertificate(vet_, req).ok());  // not yet in force
  clock_.Set(At(2026, 11, 30));
  auto refused = svc().IssueCertificate(vet_, req);
  const std::vector<RuleFailure> unmet = UnmetOf(refused);
  ASSERT_EQ(unmet.size(), 1u);
  EXPECT_EQ(unmet[0].zone_id, zone->id);
  EXPECT_EQ(unmet[0].ring, "authority");
  // Without an origin holding, the origin authority (the owner's, KZ-ABY) is not inside KZ-ABY-01.
  EXPECT_TRUE(svc().IssueCertificate(vet_, Request()).ok());
}

TEST_F(OutbreakTest, BadZonesAreRefusedNamingTheField) {
  const Holding farm = Place("F-1", 47.9, 80.6);
  auto reported = svc().ReportOutbreak(vaccinator_, Report(farm.id, 2));
  ASSERT_TRUE(reported.ok());
  const std::string confirmed = Confirmed(farm.id);
  struct Case {
    std::function<void(ZoneRequest&)> change;
    StatusCode code;
    const char* field;
  };
  const Case cases[] = {
      {[](auto& z) { z.protection_km = 0; }, StatusCode::kInvalidArgument, "protection_km"},
      {[](auto& z) { z.protection_km = 101; }, StatusCode::kInvalidArgument, "protection_km"},
      {[](auto& z) { z.surveillance_km = 2; }, StatusCode::kInvalidArgument, "surveillance_km"},
      {[](auto& z) { z.surveillance_km = 150; }, StatusCode::kInvalidArgument, "surveillance_km"},
      {[](auto& z) { z.surveillance_km.reset(); }, StatusCode::kInvalidArgument, "surveillance_km"},
      {[](auto& z) { z.starts_on = "2026-12-10", z.ends_on = "2026-12-01"; },
       StatusCode::kInvalidArgument, "ends_on"},
      {[](auto& z) { z.ends_on = ""; }, StatusCode::kInvalidArgument, "ends_on"},
      {[](auto& z) {
         z.species = {"sheep", "dog"};
       },
       StatusCode::kInvalidArgument, "species[1]"},
      {[](auto& z) { z.disease = "PPR"; }, StatusCode::kInvalidArgument, "disease"},
      {[](auto& z) { z.outbreak_id = Uuid(9999); }, StatusCode::kInvalidArgument, "outbreak_id"},
      {[&](auto& z) { z.outbreak_id = Uuid(5002); }, StatusCode::kFailedPrecondition,
       "outbreak_id"},
      {[](auto& z) { z.authorities = {"KZ-ABY"}; }, StatusCode::kInvalidArgument, "authorities"},
      {[](auto& z) {
         z.protection_km.reset(), z.surveillance_km.reset(), z.authorities = {"KZ-ALM"};
       },
       StatusCode::kPermissionDenied, "authorities[0]"},
  };
  for (const Case& k : cases) {
    ZoneRequest z = Zone3And10(confirmed);
    k.change(z);
    auto out = svc().DeclareZone(vet_, z);
    EXPECT_EQ(out.status().code(), k.code) << k.field << ": " << out.status().ToString();
    EXPECT_EQ(out.status().field(), k.field);
  }
  EXPECT_EQ(svc().DeclareZone(vaccinator_, Zone3And10(confirmed)).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(AuditCount("zone.declare"), 0);
  auto none = kz_->store->ListZonesInForce(Date::Parse("2026-11-29").value());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(OutbreakTest, CertificatesIssuedBeforeAZoneAreListedWarnedAtVerifyAndRevokedTogether) {
  const auto [farm, inside, outside] = FarmAndTwoCertificates();
  EXPECT_TRUE(svc().Verify(public_, inside.hp1).warnings.empty());
  clock_.Advance(std::chrono::minutes(10));
  auto zone = svc().DeclareZone(vet_, Zone3And10(Confirmed(farm.id)));
  ASSERT_TRUE(zone.ok()) << zone.status().ToString();

  const VerifyResult verified = svc().Verify(public_, inside.hp1);
  EXPECT_TRUE(verified.valid);
  ASSERT_EQ(verified.warnings.size(), 1u);
  EXPECT_EQ(verified.warnings[0].first, "origin_in_zone");
  EXPECT_NE(verified.warnings[0].second.find("zone " + std::to_string(zone->id)),
            std::string::npos);
  EXPECT_TRUE(svc().Verify(public_, outside.hp1).warnings.empty());

  auto listed = svc().ZoneCertificates(vet_, zone->id);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, inside.id);
  EXPECT_EQ(svc().ZoneCertificates(far_vet_, zone->id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(svc().RevokeZoneCertificates(vet_, zone->id, "").status().field(), "reason");

  auto revoked = svc().RevokeZoneCertificates(vet_, zone->id, "sheep pox at F-1");
  ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
  ASSERT_EQ(revoked->revoked.size(), 1u);
  EXPECT_TRUE(revoked->failed.empty());
  EXPECT_EQ(revoked->revoked[0].id, inside.id);
  auto stored = svc().GetCertificate(vet_, inside.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->status, CertificateStatus::kRevoked);
  EXPECT_EQ(stored->revoke_reason, "zone " + std::to_string(zone->id) + ": sheep pox at F-1");
  EXPECT_EQ(svc().GetCertificate(vet_, outside.id)->status, CertificateStatus::kIssued);
  EXPECT_EQ(svc().Verify(public_, inside.hp1).status, "revoked");
  auto after = svc().ZoneCertificates(vet_, zone->id);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->empty());
}

TEST_F(OutbreakTest, ZonesArePublishedWithTheRevocationListForOfflineVerifiers) {
  const auto [farm, inside, outside] = FarmAndTwoCertificates();
  // No zone: the list carries none (the document old verifiers know).
  auto before = cert::OpenRevocationList(svc().RevocationListDocument().value(), {key_});
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_TRUE(before->zones.empty());

  clock_.Advance(std::chrono::minutes(10));
  auto zone = svc().DeclareZone(vet_, Zone3And10(Confirmed(farm.id)));
  ASSERT_TRUE(zone.ok()) << zone.status().ToString();
  // At once, though no certificate was revoked (the same sequence): declaring drops the cache.
  auto with = cert::OpenRevocationList(svc().RevocationListDocument().value(), {key_});
  ASSERT_TRUE(with.ok()) << with.status().ToString();
  EXPECT_EQ(with->sequence, before->sequence);
  ASSERT_EQ(with->zones.size(), 1u);
  const cert::PublishedZone& z = with->zones[0];
  EXPECT_EQ(z.id, zone->id);
  EXPECT_EQ(z.disease, "SGP");
  EXPECT_EQ(z.species, (std::vector<std::string>{"sheep", "goat"}));
  EXPECT_EQ(z.ends_on, Date::Parse("2026-12-20").value());
  EXPECT_EQ(z.certificates, std::vector<std::string>{cert::RevocationHash(inside.id).value()});
  // What an offline verifier concludes from it: the same warning as POST /verify, for `inside`
  // only.
  const Date today = clock_.Today();
  auto w = cert::OfflineZoneWarnings(*with, cert::RevocationHash(inside.id).value(), "sheep",
                                     inside.origin, today);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].first, svc().Verify(public_, inside.hp1).warnings.at(0).first);
  EXPECT_TRUE(cert::OfflineZoneWarnings(*with, cert::RevocationHash(outside.id).value(), "sheep",
                                        outside.origin, today)
                  .empty());

  // Lifted: gone from the next list at once.
  ASSERT_TRUE(svc().LiftZone(vet_, zone->id, "ruled out after all").ok());
  auto lifted = cert::OpenRevocationList(svc().RevocationListDocument().value(), {key_});
  ASSERT_TRUE(lifted.ok()) << lifted.status().ToString();
  EXPECT_TRUE(lifted->zones.empty());
}

}  // namespace
}  // namespace herdpass
