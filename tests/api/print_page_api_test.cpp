// The printed certificate as `herdpass serve --public-url --utc-offset` serves it (issue 11 item
// 11): times in the configured local time with the offset written out, and the full verify
// address as text and as a QR code; bad values are usage errors before anything opens.
// Black-box: the real `herdpass serve`, a deployment of its own per test.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"

namespace herdpass::testing {
namespace {

using nlohmann::json;

class PrintPageApiTest : public ::testing::Test {
 protected:
  void Start(const std::vector<std::string>& serve_args) {
    env_.Init();
    env_.AddUser({"vet", "vet", "", ""});
    env_.StartServer(serve_args);
    client_ = env_.Client();
  }

  // A certificate for slaughter within the province (KZ-ABY to KZ-ABY): valid until the end of
  // the local day of issue.
  json IssueWithinTheProvince() {
    const std::string token = env_.Login("vet");
    const std::string phone = KzPhone(7301);
    const std::string tag = KzTag(730100);
    json records = json::array();
    for (const char* disease : {"FMD-O", "FMD-A"}) {
      records.push_back({{"id", NewUuid()},
                         {"owner_phone", phone},
                         {"owner_name", "Bolat Seitkali"},
                         {"animal_tags", {tag}},
                         {"species", "cattle"},
                         {"disease", disease},
                         {"vaccine", "FMD-OA-INACT"},
                         {"batch_no", "LOT-PRINT-1"},
                         {"dose_ml", 2.0},
                         {"administered_on", DaysFromToday(0)}});
    }
    auto batch = client_->Post("/api/v1/vaccinations/batch", {{"records", records}}, token);
    EXPECT_EQ(batch.status, 200) << batch.body;
    auto r = client_->Post("/api/v1/certificates",
                           {{"owner_phone", phone},
                            {"animal_tags", {tag}},
                            {"species", "cattle"},
                            {"purpose", "slaughter"},
                            {"origin_place", "Kopa village"},
                            {"destination", "KZ-ABY"},
                            {"destination_place", "Ayagoz meat plant"},
                            {"transport", "truck 123 ABC 05"}},
                           token);
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) throw std::runtime_error("issue failed: " + r.body);
    return r.json();
  }

  HerdpassEnv env_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(PrintPageApiTest, ShowsLocalTimeAndTheFullVerifyAddressAsTextAndQrCode) {
  Start({"--public-url", "https://vet.example.kz/herdpass/", "--utc-offset", "+06:00"});
  const json c = IssueWithinTheProvince();
  auto page = client_->Get("/api/v1/certificates/" + c.at("id").get<std::string>() + "/print",
                           env_.Login("vet"));
  ASSERT_EQ(page.status, 200) << page.body.substr(0, 300);
  // Valid until 23:59:59 of the local day (UTC+06:00), shown as that local time.
  const std::string until = c.at("valid_until");  // "YYYY-MM-DDT17:59:59Z"
  ASSERT_EQ(until.substr(10, 9), "T17:59:59") << until;
  EXPECT_NE(page.body.find("<bdi>" + until.substr(0, 10) + " 23:59 UTC+06:00</bdi>"),
            std::string::npos)
      << page.body;
  EXPECT_EQ(page.body.find(" UTC</bdi>"), std::string::npos) << "a time left in UTC";
  // The full address (the trailing slash of --public-url dropped), as a link and a QR code.
  EXPECT_NE(page.body.find("<a href=\"https://vet.example.kz/herdpass/verify\"><bdi>"
                           "https://vet.example.kz/herdpass/verify</bdi></a>"),
            std::string::npos);
  const size_t figure = page.body.find("<figure class=\"verify-qr\"><svg");
  EXPECT_NE(figure, std::string::npos);
}

TEST_F(PrintPageApiTest, ABadPublicUrlOrUtcOffsetIsAUsageError) {
  env_.Init();
  struct Case {
    std::string flag, value, field;
  } cases[] = {
      {"--public-url", "ftp://vet.example.kz", "public_url"},
      {"--public-url", "https://", "public_url"},
      {"--public-url", "https://vet.example.kz/?a=1", "public_url"},
      {"--public-url", "vet.example.kz", "public_url"},
      {"--utc-offset", "5", "utc_offset"},
      {"--utc-offset", "+15:00", "utc_offset"},
      {"--utc-offset", "+05:60", "utc_offset"},
      {"--utc-offset", "Asia/Almaty", "utc_offset"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.flag + " " + k.value);
    CommandResult r = env_.Run({"serve", "--listen", "127.0.0.1:0", k.flag, k.value});
    EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.status.code << r.out << r.err;
    EXPECT_NE(r.err.find("herdpass: " + k.field + ": "), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace herdpass::testing
