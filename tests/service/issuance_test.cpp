// W3 issuance with the randomness injected (domain/random.h): a certificate whose drawn id or
// number is taken is drawn again, and when every attempt collides the store's answer is returned.
// Over the real SQLite store in a temporary directory, with a fake clock that does not move, so
// that the same random bytes give the same UUIDv7 and the same number.
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <random>
#include <vector>

#include "service/service.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/service/stored_user.h"

namespace herdpass {
namespace {

namespace fs = std::filesystem;

constexpr char kPhone[] = "87012345678";
constexpr char kSheep[] = "398000000000001";
constexpr int kIssueAttempts = 5;  // service/certificates.cpp

// Hands out the given draws in order, then repeats the last one; each draw is repeated to fill
// what is asked for. Counts the draws.
class ScriptedRandom final : public RandomSource {
 public:
  explicit ScriptedRandom(std::vector<std::vector<uint8_t>> draws) : draws_(std::move(draws)) {}

  void Fill(std::span<uint8_t> out) const override {
    std::lock_guard lock(mu_);
    const std::vector<uint8_t>& d = draws_[std::min(count_, draws_.size() - 1)];
    for (size_t i = 0; i < out.size(); ++i) out[i] = d[i % d.size()];
    ++count_;
  }

  size_t count() const {
    std::lock_guard lock(mu_);
    return count_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::vector<uint8_t>> draws_;
  mutable size_t count_ = 0;
};

// Ten bytes, as one certificate id draws them: the last five make its number's suffix.
const std::vector<uint8_t> kDrawA(10, 0x11);  // suffix 248H248H
const std::vector<uint8_t> kDrawB(10, 0x22);  // suffix 48H248H2
// kDrawA's number with another id: the first five bytes differ.
const std::vector<uint8_t> kDrawANumberOnly = {0x33, 0x33, 0x33, 0x33, 0x33,
                                               0x11, 0x11, 0x11, 0x11, 0x11};

class IssuanceTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::vector<uint8_t>> draws) {
    dir_ = fs::temp_directory_path() / ("hp-issuance-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    SqliteOptions opts;
    opts.path = (dir_ / "herdpass.db").string();
    auto opened = OpenSqliteStore(opts);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    ServiceConfig config;
    config.default_region = "KZ";
    config.key_dir = (dir_ / "keys").string();
    random_ = std::make_unique<ScriptedRandom>(std::move(draws));
    service_ = std::make_unique<HerdService>(*store_, clock_, DefaultCatalogue(), config, *random_);
    vet_ = User("vet1", Role::kVet, "KZ-ABY");
    const Caller vaccinator = User("vacc", Role::kVaccinator, "KZ-ABY");
    ASSERT_TRUE(
        service_->NewSigningKey(HerdService::SystemCaller(), "KZ-ABY", /*root=*/false, 730).ok());
    VaccinationRecordInput fmd;
    fmd.id = "018f3a7c-0000-7000-8000-000000000001";
    fmd.owner_phone = kPhone;
    fmd.owner_name = "Nurlan Abenov";
    fmd.animal_tags = {kSheep};
    fmd.species = "sheep";
    fmd.disease = "FMD-O";
    fmd.vaccine = "FMD-OA-INACT";
    fmd.batch_no = "B-1";
    fmd.administered_on = "2026-11-01";
    VaccinationRecordInput ppr = fmd;
    ppr.id = "018f3a7c-0000-7000-8000-000000000002";
    ppr.disease = "PPR";
    ppr.vaccine = "PPR-LIVE";
    auto recorded = service_->RecordBatch(vaccinator, {fmd, ppr});
    ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();
    ASSERT_EQ(recorded->created, 2);
  }

  void TearDown() override {
    service_.reset();
    store_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  Caller User(const std::string& name, Role role, const std::string& authority) {
    return testing::StoredUser(*store_, name, role, authority);
  }

  static CertificateRequest Request() {
    CertificateRequest req;
    req.owner_phone = kPhone;
    req.animal_tags = {kSheep};
    req.species = "sheep";
    req.purpose = "slaughter";
    req.destination = "KZ-ABY";
    return req;
  }

  int64_t CertificateCount() {
    auto counts = store_->Counts();
    EXPECT_TRUE(counts.ok());
    return counts.ok() ? counts->certificates : -1;
  }

  fs::path dir_;
  // Never moves: the same draw gives the same UUIDv7 (its first 48 bits are the time).
  FakeClock clock_{
      Timestamp(std::chrono::sys_days(std::chrono::year{2026} / 11 / 29).time_since_epoch() +
                std::chrono::hours(9))};
  std::unique_ptr<Store> store_;
  std::unique_ptr<ScriptedRandom> random_;
  std::unique_ptr<HerdService> service_;
  Caller vet_;
};

TEST_F(IssuanceTest, NumberIsDrawnFromTheInjectedRandomSource) {
  Start({kDrawA});
  auto c = service_->IssueCertificate(vet_, Request());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->number, "KZ-ABY-20261129-248H248H");
  EXPECT_EQ(random_->count(), 1u);
}

TEST_F(IssuanceTest, TakenIdAndNumberAreDrawnAgain) {
  Start({kDrawA, kDrawA, kDrawB});
  auto first = service_->IssueCertificate(vet_, Request());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = service_->IssueCertificate(vet_, Request());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(first->number, "KZ-ABY-20261129-248H248H");
  EXPECT_EQ(second->number, "KZ-ABY-20261129-48H248H2");
  EXPECT_NE(second->id, first->id);
  EXPECT_EQ(random_->count(), 3u);   // the collision cost one more draw
  EXPECT_EQ(CertificateCount(), 2);  // one for each issuance, none for the collision
  auto stored = store_->FindCertificateByNumber(second->number);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->id, second->id);
}

TEST_F(IssuanceTest, TakenNumberAloneIsDrawnAgain) {
  Start({kDrawA, kDrawANumberOnly, kDrawB});
  auto first = service_->IssueCertificate(vet_, Request());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = service_->IssueCertificate(vet_, Request());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->number, "KZ-ABY-20261129-48H248H2");
  EXPECT_EQ(random_->count(), 3u);
  EXPECT_EQ(CertificateCount(), 2);
}

TEST_F(IssuanceTest, WhenEveryAttemptCollidesTheStoresConflictIsReturnedAndNothingStored) {
  Start({kDrawA});  // every draw the same
  auto first = service_->IssueCertificate(vet_, Request());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = service_->IssueCertificate(vet_, Request());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(second.status().field(), "id");
  EXPECT_EQ(second.status().message(), "a certificate with this id exists");
  EXPECT_EQ(random_->count(), 1u + kIssueAttempts);
  EXPECT_EQ(CertificateCount(), 1);
}

}  // namespace
}  // namespace herdpass
