// Failure paths of W1 through the whole stack, in-process: a SQLite store on the fault VFS
// (tests/support/fault_vfs.h), the service, the routes and the HTTP server on a free port. A write
// or an fsync that fails during a batch's commit must answer 503 problem+json, store nothing of the
// batch (DESIGN.md section 8: a 2xx means on disk, so a non-2xx must mean nothing), leave the
// server serving, and let the same batch, resent, be stored in full.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "domain/catalogue.h"
#include "domain/time.h"
#include "http/http.h"
#include "http/routes/api.h"
#include "service/service.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"
#include "tests/support/fault_vfs.h"
#include "tests/support/http_client.h"

namespace herdpass {
namespace {

using nlohmann::json;
using testing::ExpectProblem;
using testing::FlockRecord;
using testing::HttpClient;
using testing::HttpResponse;
using testing::KzPhone;

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vfs_ = &FaultVfs::Register("hp-api-fault");
    vfs_->Clear();
    SqliteOptions opts;
    opts.path = dir_.path() + "/fault.db";
    opts.vfs = vfs_->name();
    auto store = OpenSqliteStore(opts);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    ServiceConfig config;
    config.default_region = "KZ";
    service_ = std::make_unique<HerdService>(*store_, clock_, DefaultCatalogue(), config);
    const Caller system = HerdService::SystemCaller();
    ASSERT_TRUE(service_->AddAuthority(system, {"KZ-ABY", "Abay", "KZ"}).ok());
    ASSERT_TRUE(
        service_->AddUser(system, "vacc", "vacc-password", Role::kVaccinator, "KZ-ABY").ok());
    ASSERT_TRUE(service_->AddUser(system, "vet", "vet-password", Role::kVet, "KZ-ABY").ok());
    auto vacc = service_->Login("vacc", "vacc-password", "127.0.0.1");
    auto vet = service_->Login("vet", "vet-password", "127.0.0.1");
    ASSERT_TRUE(vacc.ok() && vet.ok());
    vacc_token_ = vacc->token;
    vet_token_ = vet->token;

    http::RegisterApiRoutes(router_, *service_, metrics_);
    http::ServerOptions server_options;
    server_options.listen = "127.0.0.1:0";
    server_options.io_threads = 1;
    server_options.handler_threads = 4;
    server_options.metrics = &metrics_;
    server_ = std::make_unique<http::Server>(server_options, router_);
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    client_ = std::make_unique<HttpClient>("127.0.0.1", port.value());
    ASSERT_EQ(client_->Get("/healthz").status, 200);
    // Warm the token cache and the statements, so that the armed fault hits the batch's commit.
    ASSERT_EQ(Batch(json::array({FlockRecord(KzPhone(1), testing::DaysFromToday(0))})).status, 200);
  }

  void TearDown() override {
    vfs_->Clear();
    if (server_) server_->Stop();
  }

  HttpResponse Batch(const json& records) {
    return client_->Post("/api/v1/vaccinations/batch", {{"records", records}}, vacc_token_);
  }

  StoreCounts Counts() {
    auto c = store_->Counts();
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? c.value() : StoreCounts{};
  }

  static json Records(int phone, int n) {
    json records = json::array();
    for (int i = 0; i < n; ++i) {
      records.push_back(FlockRecord(KzPhone(phone), testing::DaysFromToday(-i % 30), 5 + i));
    }
    return records;
  }

  // Arms a fault with `arm`, sends a batch that must fail with 503 and store nothing, then checks
  // that the server goes on and that the same batch, resent, is stored whole.
  void FailOneBatchThenRecover(const std::function<void()>& arm, int records_in_batch) {
    const json failing = Records(100, records_in_batch);
    const StoreCounts before = Counts();
    const int64_t faults_before = vfs_->injected_faults();

    arm();
    HttpResponse r = Batch(failing);
    vfs_->Clear();
    ASSERT_EQ(vfs_->injected_faults(), faults_before + 1) << "the armed fault never fired";
    ExpectProblem(r, 503);
    // The client sees neither SQL nor the driver's words.
    for (const char* leak : {"INSERT", "SELECT", "sqlite", "SQLITE", "disk I/O"}) {
      EXPECT_EQ(r.body.find(leak), std::string::npos) << r.body;
    }

    const StoreCounts after_failure = Counts();
    EXPECT_EQ(after_failure.vaccinations, before.vaccinations);
    EXPECT_EQ(after_failure.owners, before.owners);
    EXPECT_EQ(after_failure.animals, before.animals);
    EXPECT_EQ(after_failure.audit_rows, before.audit_rows);
    ExpectProblem(client_->Get("/api/v1/lookup?phone=" + KzPhone(100), vet_token_), 404);

    // The server keeps serving, and writing.
    EXPECT_EQ(client_->Get("/healthz").status, 200);
    HttpResponse next = Batch(Records(200, 3));
    ASSERT_EQ(next.status, 200) << next.body;
    EXPECT_EQ(next.json().at("created"), 3);

    // The failed batch, resent as the phone would, is stored whole: created, not duplicate.
    HttpResponse resent = Batch(failing);
    ASSERT_EQ(resent.status, 200) << resent.body;
    EXPECT_EQ(resent.json().at("created"), records_in_batch) << resent.body;
    EXPECT_EQ(resent.json().at("duplicate"), 0);
    HttpResponse lookup = client_->Get("/api/v1/lookup?phone=" + KzPhone(100), vet_token_);
    ASSERT_EQ(lookup.status, 200) << lookup.body;
    EXPECT_EQ(lookup.json().at("vaccinations").size(), static_cast<size_t>(records_in_batch));
    EXPECT_EQ(Counts().vaccinations, before.vaccinations + 3 + records_in_batch);

    auto audit = store_->VerifyAudit();
    ASSERT_TRUE(audit.ok()) << audit.status().ToString();
    EXPECT_TRUE(audit->ok) << audit->problem << " at " << audit->first_bad_seq;
  }

  testing::TempDir dir_{"herdpass-fault"};
  FaultVfs* vfs_ = nullptr;
  SystemClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<HerdService> service_;
  http::MetricsRegistry metrics_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<HttpClient> client_;
  std::string vacc_token_, vet_token_;
};

TEST_F(FaultTest, FailedFsyncAnswers503AndStoresNothingOfTheBatch) {
  FailOneBatchThenRecover([this] { vfs_->FailNthSync(1); }, 20);
}

TEST_F(FaultTest, FailedFirstWriteAnswers503AndStoresNothingOfTheBatch) {
  FailOneBatchThenRecover([this] { vfs_->FailNthWrite(1); }, 20);
}

// A write failing after some pages of a large batch were written.
TEST_F(FaultTest, FailedLaterWriteOfALargeBatchStoresNothingOfIt) {
  FailOneBatchThenRecover([this] { vfs_->FailNthWrite(5); }, 500);
}

}  // namespace
}  // namespace herdpass
