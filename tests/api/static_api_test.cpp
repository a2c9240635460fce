// The web app as the real `herdpass serve --web DIR` serves it, black-box over TCP: content types,
// gzip (inflated and compared), ETag and 304, cache headers, deep links of the single-page app,
// 404 for missing files, refused traversal, the API untouched behind it, the page shown without
// --web, and the refusal of a --web directory that is missing or has no index.html.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"
#include "tests/support/gzip.h"

namespace herdpass::testing {
namespace {

namespace fs = std::filesystem;

using Fields = std::vector<std::pair<std::string, std::string>>;

const std::string kIndexHtml = [] {
  std::string s =
      "<!doctype html><html><head><meta charset=utf-8><title>HerdPass</title>"
      "<script type=module src=/assets/app-abc123.js></script></head><body>";
  for (int i = 0; i < 40; ++i) s += "<p>vaccination record</p>";
  return s + "</body></html>\n";
}();
const std::string kAppJs = [] {
  std::string s;
  for (int i = 0; i < 200; ++i) s += "export const disease" + std::to_string(i) + " = 'FMD-O';\n";
  return s;
}();
const std::string kSwJs = "self.addEventListener('install', () => self.skipWaiting());\n";

const char* kCsp =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; connect-src 'self'; worker-src 'self'; "
    "manifest-src 'self'; frame-ancestors 'none'; base-uri 'self'";

void WriteFile(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

void ExpectStaticHeaders(const HttpResponse& r) {
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.header("Referrer-Policy"), "no-referrer");
}

class StaticApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new HerdpassEnv();
    env_->Init();
    web_ = new std::string(env_->scratch_dir() + "/web");
    WriteFile(*web_ + "/index.html", kIndexHtml);
    WriteFile(*web_ + "/assets/app-abc123.js", kAppJs);
    WriteFile(*web_ + "/sw.js", kSwJs);
    env_->StartServer({"--web", *web_});
  }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
    delete web_;
    web_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(env_, nullptr);
    client_ = env_->Client();
  }

  HttpResponse Get(const std::string& target, const Fields& headers = {}) {
    return client_->Send("GET", target, "", "", "", headers);
  }

  static HerdpassEnv* env_;
  static std::string* web_;
  std::unique_ptr<HttpClient> client_;
};

HerdpassEnv* StaticApiTest::env_ = nullptr;
std::string* StaticApiTest::web_ = nullptr;

TEST_F(StaticApiTest, LogsTheWebAppAtStart) {
  const std::string out = ReadFile(env_->scratch_dir() + "/serve.out");
  EXPECT_NE(out.find("web app: " + *web_ + " (3 files, "), std::string::npos) << out;
  EXPECT_NE(out.find(" KiB gzipped)"), std::string::npos) << out;
}

TEST_F(StaticApiTest, RootIsIndexHtmlWithItsHeaders) {
  HttpResponse r = Get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, kIndexHtml);
  EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r.header("Cache-Control"), "no-cache");
  EXPECT_EQ(r.header("Content-Security-Policy"), kCsp);
  EXPECT_EQ(r.header("Content-Encoding"), "");
  ExpectStaticHeaders(r);
}

TEST_F(StaticApiTest, ContentTypesAndCacheHeaders) {
  HttpResponse app = Get("/assets/app-abc123.js");
  EXPECT_EQ(app.status, 200);
  EXPECT_EQ(app.body, kAppJs);
  EXPECT_EQ(app.header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(app.header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(app.header("Content-Security-Policy"), "") << "a CSP is for HTML";
  ExpectStaticHeaders(app);

  HttpResponse sw = Get("/sw.js");
  EXPECT_EQ(sw.status, 200);
  EXPECT_EQ(sw.body, kSwJs);
  EXPECT_EQ(sw.header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(sw.header("Cache-Control"), "no-cache");
  ExpectStaticHeaders(sw);
}

TEST_F(StaticApiTest, GzipRoundTrip) {
  HttpResponse gz = Get("/assets/app-abc123.js", {{"Accept-Encoding", "gzip, deflate, br"}});
  EXPECT_EQ(gz.status, 200);
  EXPECT_EQ(gz.header("Content-Encoding"), "gzip");
  EXPECT_EQ(gz.header("Vary"), "Accept-Encoding");
  EXPECT_EQ(gz.header("Content-Length"), std::to_string(gz.body.size()));
  EXPECT_LT(gz.body.size(), kAppJs.size());
  EXPECT_EQ(Gunzip(gz.body), kAppJs);

  HttpResponse html = Get("/", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(html.header("Content-Encoding"), "gzip");
  EXPECT_EQ(Gunzip(html.body), kIndexHtml);

  HttpResponse refused = Get("/assets/app-abc123.js", {{"Accept-Encoding", "gzip;q=0"}});
  EXPECT_EQ(refused.header("Content-Encoding"), "");
  EXPECT_EQ(refused.body, kAppJs);
}

TEST_F(StaticApiTest, IfNoneMatchIs304) {
  HttpResponse first = Get("/assets/app-abc123.js");
  const std::string etag = first.header("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"') << "a strong tag: " << etag;

  HttpResponse again = Get("/assets/app-abc123.js", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.body, "");
  EXPECT_EQ(again.header("ETag"), etag);
  EXPECT_EQ(again.header("Cache-Control"), "public, max-age=31536000, immutable");

  EXPECT_EQ(Get("/assets/app-abc123.js", {{"If-None-Match", "\"stale\""}}).status, 200);
  // The connection is still usable after a 304 (no body was expected or sent).
  EXPECT_EQ(Get("/sw.js").body, kSwJs);
  EXPECT_EQ(client_->connections_opened(), 1);
}

TEST_F(StaticApiTest, DeepLinksOfTheAppAreIndexHtml) {
  const std::string etag = Get("/").header("ETag");
  for (const char* path : {"/verify", "/inspector", "/inspector/x", "/verify?hp1=HP1%3AXYZ"}) {
    HttpResponse r = Get(path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, kIndexHtml) << path;
    EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8") << path;
    EXPECT_EQ(r.header("Content-Security-Policy"), kCsp) << path;
    // A reload of the deep link revalidates index.html.
    EXPECT_EQ(Get(path, {{"If-None-Match", etag}}).status, 304) << path;
  }
}

TEST_F(StaticApiTest, MissingFileIs404Problem) {
  HttpResponse r = Get("/nope.js");
  ExpectProblem(r, 404);
  EXPECT_EQ(r.json().value("type", ""), "https://herdpass.org/problems/not-found");
  ExpectStaticHeaders(r);
  ExpectProblem(Get("/assets/app-000000.js"), 404);
}

TEST_F(StaticApiTest, TraversalIsRefused) {
  for (const char* path : {"/%2e%2e/etc/passwd", "/assets/../../x", "/../etc/passwd",
                           "/assets/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "/x%00.js"}) {
    HttpResponse r = Get(path);
    ExpectProblem(r, 400, "path");
    EXPECT_EQ(r.body.find("root:"), std::string::npos) << path;
  }
}

TEST_F(StaticApiTest, TheApiKeepsItsRoutesAndProblems) {
  HttpResponse nope = Get("/api/v1/nope");
  ExpectProblem(nope, 404);
  EXPECT_EQ(nope.json().value("type", ""), "https://herdpass.org/problems/not-found");
  EXPECT_EQ(nope.body.find("<html"), std::string::npos);

  HttpResponse doc = Get("/api/v1/openapi.json");
  EXPECT_EQ(doc.status, 200);
  EXPECT_EQ(doc.json().value("openapi", "").rfind("3.", 0), 0u);
  EXPECT_EQ(Get("/healthz").status, 200);
  // A GET on a POST-only route is still the API's 405, not the app.
  HttpResponse wrong = Get("/api/v1/vaccinations/batch");
  ExpectProblem(wrong, 405);
  EXPECT_NE(wrong.header("Allow").find("POST"), std::string::npos) << wrong.header("Allow");
  // Signing in still works.
  EXPECT_EQ(Get("/api/v1/auth/me").status, 401);
}

TEST_F(StaticApiTest, OtherMethodsKeepTheApisAnswers) {
  // An unknown API path is a 404 whatever the method; a known one names the methods it takes.
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    HttpResponse nope = client_->Send(method, "/api/v1/nope", "{}", "application/json", "", {});
    ExpectProblem(nope, 404);
  }
  HttpResponse lookup = client_->Send("POST", "/api/v1/lookup", "{}", "application/json", "", {});
  ExpectProblem(lookup, 405);
  EXPECT_EQ(lookup.header("Allow"), "GET");
  // The web app's own paths are read with GET only.
  HttpResponse page = client_->Send("POST", "/verify", "{}", "application/json", "", {});
  ExpectProblem(page, 405);
  EXPECT_EQ(page.header("Allow"), "GET");
  // And the real POST routes are untouched.
  HttpResponse verify =
      client_->Send("POST", "/api/v1/verify", R"({"hp1":"HP1:X"})", "application/json", "", {});
  EXPECT_EQ(verify.status, 200) << verify.body;
}

// Without --web, "/" says the app was not built; a --web that cannot be served stops serve.
class StaticApiNoWebTest : public ::testing::Test {
 protected:
  void SetUp() override { env_.Init(); }
  HerdpassEnv env_;
};

TEST_F(StaticApiNoWebTest, RootSaysTheWebAppWasNotBuilt) {
  env_.StartServer();
  auto client = env_.Client();
  HttpResponse r = client->Get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("make web"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("href=\"/api/v1/openapi.json\""), std::string::npos) << r.body;
  EXPECT_EQ(r.header("Content-Security-Policy"), kCsp);
  ExpectProblem(client->Get("/api/v1/nope"), 404);
  EXPECT_EQ(client->Get("/healthz").status, 200);
}

TEST_F(StaticApiNoWebTest, WebDirectoryMissingIsAUsageError) {
  CommandResult r = env_.Run({"serve", "--listen", "127.0.0.1:0", "--web", "/nonexistent"});
  EXPECT_TRUE(r.status.exited);
  EXPECT_EQ(r.status.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("'/nonexistent' is not a directory"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("herdpass serving"), std::string::npos) << r.out;
}

TEST_F(StaticApiNoWebTest, WebDirectoryWithoutIndexHtmlIsAUsageError) {
  const std::string dir = env_.scratch_dir() + "/dist";
  WriteFile(dir + "/assets/app.js", "x");
  CommandResult r = env_.Run({"serve", "--listen", "127.0.0.1:0", "--web", dir});
  EXPECT_TRUE(r.status.exited);
  EXPECT_EQ(r.status.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("has no index.html"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("make web"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace herdpass::testing
