// Login throttling over HTTP (DESIGN.md section 9, issue 17): 429 with Retry-After, and the client
// address taken from X-Forwarded-For only when the peer is a proxy given by `serve
// --trusted-proxy`. Black-box: the real `herdpass serve`, a deployment of its own per test.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"

namespace herdpass::testing {
namespace {

using nlohmann::json;

constexpr char kAttacker[] = "203.0.113.5";
constexpr char kOffice[] = "198.51.100.7";

class AuthApiTest : public ::testing::Test {
 protected:
  void Start(const std::vector<std::string>& serve_args) {
    env_.Init();
    env_.AddUser({"insp", "inspector", "", ""});
    env_.StartServer(serve_args);
    client_ = env_.Client();
  }

  // POST /auth/login with X-Forwarded-For: `forwarded_for` (none when empty).
  HttpResponse Login(const std::string& password, const std::string& forwarded_for) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!forwarded_for.empty()) headers.emplace_back("X-Forwarded-For", forwarded_for);
    return client_->Send("POST", "/api/v1/auth/login",
                         json{{"username", "insp"}, {"password", password}}.dump(),
                         "application/json", "", headers);
  }

  // The addresses of the `auth.login` audit rows, as the admin reads them.
  std::vector<std::string> LoginAddresses() {
    auto r = client_->Get("/api/v1/audit?action=auth.login", env_.Login("admin"));
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    const json body = r.json();
    for (const auto& row : body.at("items")) {
      if (row.at("username").get<std::string>() == "insp") {
        out.push_back(row.at("address").get<std::string>());
      }
    }
    return out;
  }

  HerdpassEnv env_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(AuthApiTest, BehindATrustedProxyEachClientIsThrottledByItsOwnAddressWithRetryAfter) {
  Start({"--trusted-proxy", "127.0.0.1/32"});
  for (int i = 0; i < 5; ++i) ExpectProblem(Login("wrong-password", kAttacker), 401);

  auto throttled = Login("wrong-password", kAttacker);
  ExpectProblem(throttled, 429);
  EXPECT_EQ(throttled.json().value("type", ""), "https://herdpass.org/problems/resource-exhausted");
  const std::string retry_after = throttled.header("Retry-After");
  ASSERT_FALSE(retry_after.empty()) << "no Retry-After: " << throttled.body;
  const int seconds = std::stoi(retry_after);
  EXPECT_GE(seconds, 1);
  EXPECT_LE(seconds, 30);
  EXPECT_EQ(throttled.json().value("retry_after", 0), seconds) << throttled.body;
  // Even the right password waits at the attacker's address...
  ExpectProblem(Login(env_.user("insp").password, kAttacker), 429);

  // ... while the inspector, behind the same proxy at another address, signs in at once, and the
  // audit log says from where.
  auto ok = Login(env_.user("insp").password, kOffice);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(LoginAddresses(), std::vector<std::string>{kOffice});
}

TEST_F(AuthApiTest, ForwardedForIsIgnoredFromAPeerThatIsNotATrustedProxy) {
  Start({"--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "::1"});
  // The test's client connects from 127.0.0.1, which is not a proxy here: a forged
  // X-Forwarded-For changes nothing, and every attempt counts against 127.0.0.1.
  for (int i = 0; i < 5; ++i) ExpectProblem(Login("wrong-password", kAttacker), 401);
  auto forged = Login(env_.user("insp").password, kOffice);
  ExpectProblem(forged, 429);
  EXPECT_FALSE(forged.header("Retry-After").empty());
}

TEST_F(AuthApiTest, ABadTrustedProxyIsAUsageError) {
  env_.Init();
  for (const std::string bad : {"10.0.0.0/33", "localhost", "10.0.0.1/", "::1/129"}) {
    SCOPED_TRACE(bad);
    CommandResult r = env_.Run({"serve", "--listen", "127.0.0.1:0", "--trusted-proxy", bad});
    EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.status.code << r.out << r.err;
    EXPECT_NE(r.err.find("herdpass: trusted-proxy: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace herdpass::testing
