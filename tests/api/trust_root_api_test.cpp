// GET /api/v1/trust-root (docs/hp1-format.md section 8): the public halves of a node's own root
// keys, which a verifier with no key from its operator pins on first use. Black-box against the
// real `herdpass` binary: the key served verifies the served trust list, its kid is the SHA-256 of
// the key, the answer holds nothing but the public fields (no seed from the key files), and a new
// or retired root shows. libsodium checks the JWS here, independently of cert/. One in-process
// case: a node with no root key answers 404.
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "domain/catalogue.h"
#include "domain/time.h"
#include "http/http.h"
#include "http/routes/api.h"
#include "service/service.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"

namespace herdpass::testing {
namespace {

using nlohmann::json;

std::string Decode(const std::string& in, int variant) {
  std::string out(in.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), in.data(),
                        in.size(), nullptr, &len, nullptr, variant) != 0) {
    throw std::runtime_error("not base64: " + in.substr(0, 40));
  }
  out.resize(len);
  return out;
}

std::string Encode(const std::string& raw, int variant) {
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::string Hex(const unsigned char* bytes, size_t n) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return out;
}

// What the spec says a kid is: the first 8 bytes of SHA-256 of the raw key, in lowercase hex.
std::string KidOf(const std::string& raw) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  return Hex(digest, 8);
}

// The kid in the protected header of a JWS, and whether its signature verifies with `raw_key`.
std::string JwsKid(const std::string& jws) {
  const json o = json::parse(jws);
  return json::parse(
             Decode(o.at("protected").get<std::string>(), sodium_base64_VARIANT_URLSAFE_NO_PADDING))
      .at("kid")
      .get<std::string>();
}

bool JwsVerifies(const std::string& jws, const std::string& raw_key) {
  const json o = json::parse(jws);
  const std::string input =
      o.at("protected").get<std::string>() + "." + o.at("payload").get<std::string>();
  const std::string sig =
      Decode(o.at("signature").get<std::string>(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  if (sig.size() != crypto_sign_BYTES || raw_key.size() != crypto_sign_PUBLICKEYBYTES) return false;
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.data()),
                                     reinterpret_cast<const unsigned char*>(input.data()),
                                     input.size(),
                                     reinterpret_cast<const unsigned char*>(raw_key.data())) == 0;
}

json JwsPayload(const std::string& jws) {
  return json::parse(Decode(json::parse(jws).at("payload").get<std::string>(),
                            sodium_base64_VARIANT_URLSAFE_NO_PADDING));
}

std::set<std::string> Members(const json& object) {
  std::set<std::string> out;
  for (const auto& [name, value] : object.items()) out.insert(name);
  return out;
}

class TrustRootApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (sodium_init() < 0) {
      setup_error_ = "libsodium did not initialise";
      return;
    }
    try {
      env_ = new HerdpassEnv();
      env_->Init();
      // Keys are read for every request: a key the CLI makes or retires shows at once, so the
      // tests below need neither a wait nor a poll.
      env_->StartServer({"--key-cache-seconds", "0"});
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    if (env_ != nullptr && setup_error_.empty()) {
      ExitStatus s = env_->StopServer();
      EXPECT_TRUE(s.exited && s.code == 0) << env_->ServerLog();
    }
    delete env_;
    env_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(setup_error_.empty()) << setup_error_;
    client_ = env_->Client();
  }

  json TrustRoot() {
    auto r = client_->Get("/api/v1/trust-root");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }

  // Checks the served trust list against the served root keys: signed by one of them, of their
  // country, the signature verified with libsodium. Returns the kid that signed it.
  std::string ExpectTrustListSignedBy(const json& root) {
    auto r = client_->Get("/api/v1/trust-list");
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string kid = JwsKid(r.body);
    bool found = false;
    for (const auto& k : root.at("keys")) {
      if (k.at("kid") != kid) continue;
      found = true;
      EXPECT_TRUE(JwsVerifies(
          r.body, Decode(k.at("public_key").get<std::string>(), sodium_base64_VARIANT_ORIGINAL)))
          << "the trust list signed by " << kid << " verifies with the key served for it";
    }
    EXPECT_TRUE(found) << "the trust list is signed by " << kid
                       << ", not a served root key: " << root.dump();
    EXPECT_EQ(JwsPayload(r.body).at("country"), root.at("country"));
    return kid;
  }

  // The kid's private key file as it is on disk, and the seed it holds in the forms an answer
  // could leak it in.
  std::vector<std::string> PrivateForms(const std::string& kid) {
    std::ifstream in(env_->data_dir() + "/keys/" + kid + ".key");
    std::string line;
    std::getline(in, line);
    const std::string prefix = "herdpass-ed25519-seed:";
    EXPECT_EQ(line.rfind(prefix, 0), 0u) << "key file of " << kid;
    if (line.rfind(prefix, 0) != 0) return {};
    const std::string seed_b64 = line.substr(prefix.size());
    const std::string seed = Decode(seed_b64, sodium_base64_VARIANT_ORIGINAL);
    EXPECT_EQ(seed.size(), 32u);
    return {line, seed_b64, Encode(seed, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
            Hex(reinterpret_cast<const unsigned char*>(seed.data()), seed.size())};
  }

  static inline HerdpassEnv* env_ = nullptr;
  static inline std::string setup_error_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(TrustRootApiTest, ServedKeyVerifiesTheServedTrustListAndHoldsNoPrivateMaterial) {
  auto r = client_->Get("/api/v1/trust-root");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type").rfind("application/json", 0), 0u) << r.header("Content-Type");
  EXPECT_EQ(r.header("Cache-Control"), "public, max-age=300");
  const json root = r.json();
  EXPECT_EQ(Members(root), (std::set<std::string>{"country", "keys"})) << r.body;
  EXPECT_EQ(root.at("country"), "KZ");
  ASSERT_EQ(root.at("keys").size(), 1u) << "init made one root key: " << r.body;
  const json& key = root.at("keys")[0];
  EXPECT_EQ(Members(key),
            (std::set<std::string>{"kid", "public_key", "valid_from", "valid_until", "retired_at"}))
      << r.body;
  const std::string raw =
      Decode(key.at("public_key").get<std::string>(), sodium_base64_VARIANT_ORIGINAL);
  EXPECT_EQ(raw.size(), 32u);
  EXPECT_EQ(key.at("kid"), KidOf(raw)) << "kid = SHA-256(public key)[0..8] in hex";
  EXPECT_TRUE(key.at("retired_at").is_null());
  EXPECT_TRUE(ParseRfc3339(key.at("valid_from").get<std::string>()).ok()) << r.body;
  EXPECT_TRUE(ParseRfc3339(key.at("valid_until").get<std::string>()).ok()) << r.body;

  EXPECT_EQ(ExpectTrustListSignedBy(root), key.at("kid"));

  // The root's private key file is on this node (init made it): nothing of it is in the answer.
  for (const std::string& form : PrivateForms(key.at("kid").get<std::string>())) {
    EXPECT_EQ(r.body.find(form), std::string::npos) << "the answer leaks the root's key file";
  }
  // Nor is any signing key: the answer names root keys only.
  const json list = JwsPayload(client_->Get("/api/v1/trust-list").body);
  for (const auto& k : list.at("keys")) {
    EXPECT_EQ(r.body.find(k.at("kid").get<std::string>()), std::string::npos) << r.body;
  }
}

TEST_F(TrustRootApiTest, NewRootShowsNewestFirstAndARetiredRootSaysWhen) {
  const json before = TrustRoot();
  ASSERT_EQ(before.at("keys").size(), 1u) << before.dump();
  const std::string old_kid = before.at("keys")[0].at("kid").get<std::string>();

  CommandResult made = env_->Run({"key", "new", "--root"});
  ASSERT_TRUE(made.ok()) << made.out << made.err;
  const json two = TrustRoot();
  ASSERT_EQ(two.at("keys").size(), 2u) << two.dump();
  EXPECT_EQ(two.at("country"), "KZ");
  std::string new_kid;
  for (const auto& k : two.at("keys")) {
    const std::string raw =
        Decode(k.at("public_key").get<std::string>(), sodium_base64_VARIANT_ORIGINAL);
    EXPECT_EQ(k.at("kid"), KidOf(raw));
    if (k.at("kid") != old_kid) new_kid = k.at("kid").get<std::string>();
  }
  ASSERT_FALSE(new_kid.empty()) << two.dump();
  const auto from = [&](size_t i) {
    return ParseRfc3339(two.at("keys")[i].at("valid_from").get<std::string>()).value();
  };
  EXPECT_GE(from(0), from(1)) << "newest first: " << two.dump();
  ExpectTrustListSignedBy(two);

  CommandResult retired = env_->Run({"key", "retire", old_kid});
  ASSERT_TRUE(retired.ok()) << retired.out << retired.err;
  const json after = TrustRoot();
  ASSERT_EQ(after.at("keys").size(), 2u) << "a retired root stays, so that verifiers learn of it";
  std::map<std::string, json> retired_at;
  for (const auto& k : after.at("keys")) retired_at.emplace(k.at("kid"), k.at("retired_at"));
  ASSERT_EQ(retired_at.count(old_kid), 1u) << after.dump();
  ASSERT_EQ(retired_at.count(new_kid), 1u) << after.dump();
  ASSERT_TRUE(retired_at.at(old_kid).is_string()) << after.dump();
  EXPECT_TRUE(ParseRfc3339(retired_at.at(old_kid).get<std::string>()).ok()) << after.dump();
  EXPECT_TRUE(retired_at.at(new_kid).is_null()) << after.dump();
  // The list is re-signed by the root still in use, and verifies with it.
  EXPECT_EQ(ExpectTrustListSignedBy(after), new_kid);
}

// A node with no root key (its list is signed elsewhere, or not yet): 404 problem+json. In-process
// over an empty SQLite store: `herdpass init` always makes a root key.
TEST(TrustRootWithoutRootKey, Answers404Problem) {
  TempDir dir("herdpass-trust-root");
  SqliteOptions opts;
  opts.path = dir.path() + "/empty.db";
  auto store = OpenSqliteStore(opts);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  SystemClock clock;
  HerdService service(*store.value(), clock, DefaultCatalogue(), ServiceConfig{});
  auto roots = service.TrustRootKeys();
  ASSERT_FALSE(roots.ok());
  EXPECT_EQ(roots.status().code(), StatusCode::kNotFound) << roots.status().ToString();

  http::Router router;
  http::MetricsRegistry metrics;
  http::RegisterApiRoutes(router, service, metrics);
  http::Request req;
  req.method = "GET";
  req.target = req.path = "/api/v1/trust-root";
  http::Response res = router.Dispatch(req);
  EXPECT_EQ(res.status, 404) << res.body;
  EXPECT_EQ(res.content_type.rfind("application/problem+json", 0), 0u) << res.content_type;
  const json problem = json::parse(res.body);
  EXPECT_EQ(problem.value("status", 0), 404) << res.body;
}

}  // namespace
}  // namespace herdpass::testing
