// StaticFiles over a directory the test writes: loading and its refusals, content types, gzip,
// ETags and 304, cache headers, the single-page-app fallback, refused paths, and its place behind
// the API routes in a Router.
#include "http/static_files.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/gzip.h"

namespace herdpass::http {
namespace {

namespace fs = std::filesystem;
using herdpass::testing::Gunzip;

class TempTree {
 public:
  TempTree() {
    std::string tmpl = (fs::temp_directory_path() / "herdpass-static-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempTree() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  void Write(const std::string& relative, const std::string& content) const {
    fs::path p = path_ / relative;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  std::string path() const { return path_.string(); }
  fs::path operator/(const std::string& relative) const { return path_ / relative; }

 private:
  fs::path path_;
};

// Text that gzip shrinks a lot.
std::string Repetitive(const std::string& unit, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += unit;
  return out;
}

const std::string kIndex =
    "<!doctype html><html><head><script type=module src=/assets/app-abc123.js></script></head>" +
    Repetitive("<p>HerdPass</p>", 50) + "</html>";
const std::string kAppJs = Repetitive("export const x = 'vaccination';\n", 100);

std::string Header(const Response& r, std::string_view name) {
  std::string value;
  int seen = 0;
  for (const auto& [n, v] : r.headers) {
    if (EqualsIgnoreCase(n, name)) {
      value = v;
      ++seen;
    }
  }
  EXPECT_LE(seen, 1) << name << " appears " << seen << " times";
  return value;
}

void ExpectProblem(const Response& r, int status, const std::string& type_name) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.content_type, kProblemContentType);
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.body;
  EXPECT_EQ(j.value("type", ""), std::string(kProblemTypeBase) + type_name) << r.body;
  EXPECT_EQ(j.value("status", 0), status);
  EXPECT_EQ(Header(r, "X-Content-Type-Options"), "nosniff");
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.Write("index.html", kIndex);
    tree_.Write("assets/app-abc123.js", kAppJs);
    tree_.Write("assets/app-abc123.css", Repetitive("body { color: black; }\n", 40));
    tree_.Write("assets/logo-9f8e7d.png",
                std::string("\x89PNG\r\n\x1a\n", 8) + std::string(600, 'x'));
    tree_.Write("sw.js", Repetitive("self.addEventListener('fetch', () => {});\n", 20));
    tree_.Write("manifest.webmanifest", R"({"name": "HerdPass", "start_url": "/"})");
    tree_.Write("small.txt", "hi");
    auto files = StaticFiles::Load(tree_.path());
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    files_ = std::move(files).value();
  }

  Response Get(std::string path, std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request req;
    req.method = "GET";
    req.path = std::move(path);
    for (auto& [n, v] : headers) req.headers.Add(n, v);
    return files_->Serve(req);
  }

  TempTree tree_;
  std::unique_ptr<StaticFiles> files_;
};

// serve --tile-url: the policy given to Load goes on HTML, and on HTML only.
TEST_F(StaticFilesTest, HtmlCarriesThePolicyGivenToLoad) {
  const std::string csp = std::string(kContentSecurityPolicy) + "; x-test 'none'";
  auto files = StaticFiles::Load(tree_.path(), csp);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  Request req;
  req.method = "GET";
  req.path = "/";
  EXPECT_EQ(Header((*files)->Serve(req), "Content-Security-Policy"), csp);
  req.path = "/deep/link";
  EXPECT_EQ(Header((*files)->Serve(req), "Content-Security-Policy"), csp);
  req.path = "/assets/app-abc123.js";
  EXPECT_EQ(Header((*files)->Serve(req), "Content-Security-Policy"), "");
}

TEST_F(StaticFilesTest, LoadsEveryFileAndCountsBytes) {
  EXPECT_EQ(files_->file_count(), 7u);
  EXPECT_GT(files_->total_bytes(), kIndex.size() + kAppJs.size());
  EXPECT_LT(files_->gzipped_bytes(), files_->total_bytes());
}

TEST_F(StaticFilesTest, RootIsIndexHtmlWithCspAndNoCache) {
  Response r = Get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, kIndex);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(Header(r, "Cache-Control"), "no-cache");
  EXPECT_EQ(Header(r, "Content-Security-Policy"), kContentSecurityPolicy);
  EXPECT_EQ(Header(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(Header(r, "Referrer-Policy"), "no-referrer");
  EXPECT_EQ(Header(r, "Content-Encoding"), "");
  EXPECT_EQ(Get("/index.html").body, kIndex);
}

TEST_F(StaticFilesTest, ContentTypeByExtension) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"index.html", "text/html; charset=utf-8"},
      {"a.js", "text/javascript; charset=utf-8"},
      {"a.mjs", "text/javascript; charset=utf-8"},
      {"a.css", "text/css; charset=utf-8"},
      {"a.json", "application/json"},
      {"a.webmanifest", "application/manifest+json"},
      {"a.svg", "image/svg+xml"},
      {"a.png", "image/png"},
      {"a.ico", "image/x-icon"},
      {"a.txt", "text/plain; charset=utf-8"},
      {"a.woff2", "font/woff2"},
      {"a.wasm", "application/wasm"},
      {"a.js.map", "application/json"},
      {"a.bin", "application/octet-stream"},
      {"noext", "application/octet-stream"},
  };
  TempTree tree;
  for (const auto& [name, type] : cases) tree.Write("t/" + name, "x");
  tree.Write("index.html", "<p>x</p>");
  auto files = StaticFiles::Load(tree.path());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  for (const auto& [name, type] : cases) {
    Request req;
    req.method = "GET";
    req.path = "/t/" + name;
    Response r = (*files)->Serve(req);
    EXPECT_EQ(r.status, 200) << name;
    EXPECT_EQ(r.content_type, type) << name;
    EXPECT_EQ(Header(r, "Content-Security-Policy").empty(), name != "index.html") << name;
  }
}

TEST_F(StaticFilesTest, AssetsAreImmutableEverythingElseNoCache) {
  EXPECT_EQ(Header(Get("/assets/app-abc123.js"), "Cache-Control"),
            "public, max-age=31536000, immutable");
  EXPECT_EQ(Header(Get("/assets/logo-9f8e7d.png"), "Cache-Control"),
            "public, max-age=31536000, immutable");
  EXPECT_EQ(Header(Get("/sw.js"), "Cache-Control"), "no-cache");
  EXPECT_EQ(Header(Get("/manifest.webmanifest"), "Cache-Control"), "no-cache");
  EXPECT_EQ(Get("/manifest.webmanifest").content_type, "application/manifest+json");
  EXPECT_EQ(Header(Get("/index.html"), "Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, GzipWhenAcceptedAndSmallerRoundTrips) {
  Response r = Get("/assets/app-abc123.js", {{"Accept-Encoding", "br, gzip, deflate"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Header(r, "Content-Encoding"), "gzip");
  EXPECT_EQ(Header(r, "Vary"), "Accept-Encoding");
  EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");
  EXPECT_LT(r.body.size(), kAppJs.size());
  EXPECT_EQ(Gunzip(r.body), kAppJs);

  Response plain = Get("/assets/app-abc123.js");
  EXPECT_EQ(Header(plain, "Content-Encoding"), "");
  EXPECT_EQ(Header(plain, "Vary"), "Accept-Encoding") << "both encodings must say they vary";
  EXPECT_EQ(plain.body, kAppJs);
  EXPECT_NE(Header(plain, "ETag"), Header(r, "ETag"));

  Response html = Get("/", {{"accept-encoding", "GZIP"}});
  EXPECT_EQ(Header(html, "Content-Encoding"), "gzip");
  EXPECT_EQ(Gunzip(html.body), kIndex);
}

TEST_F(StaticFilesTest, AcceptEncodingQualities) {
  auto encoding = [&](const std::string& accept) {
    return Header(Get("/sw.js", {{"Accept-Encoding", accept}}), "Content-Encoding");
  };
  EXPECT_EQ(encoding("gzip"), "gzip");
  EXPECT_EQ(encoding("gzip;q=0.5"), "gzip");
  EXPECT_EQ(encoding("x-gzip"), "gzip");
  EXPECT_EQ(encoding("*"), "gzip");
  EXPECT_EQ(encoding("gzip;q=0"), "");
  EXPECT_EQ(encoding("gzip; q=0.000, br"), "");
  EXPECT_EQ(encoding("*, gzip;q=0"), "");
  EXPECT_EQ(encoding("*;q=0"), "");
  EXPECT_EQ(encoding("identity"), "");
  EXPECT_EQ(encoding("br, deflate"), "");
  EXPECT_EQ(encoding("gzipx"), "");
}

TEST_F(StaticFilesTest, NoGzipForPngOrWhenNotSmaller) {
  Response png = Get("/assets/logo-9f8e7d.png", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(png.content_type, "image/png");
  EXPECT_EQ(Header(png, "Content-Encoding"), "");
  EXPECT_EQ(Header(png, "Vary"), "");
  Response small = Get("/small.txt", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(small.body, "hi");
  EXPECT_EQ(Header(small, "Content-Encoding"), "");
  EXPECT_EQ(Header(small, "Vary"), "");
}

TEST_F(StaticFilesTest, StrongEtagAndIfNoneMatch) {
  Response r = Get("/assets/app-abc123.js");
  const std::string etag = Header(r, "ETag");
  ASSERT_GE(etag.size(), 3u);
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
  EXPECT_FALSE(etag.starts_with("W/"));

  Response again = Get("/assets/app-abc123.js", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.body, "");
  EXPECT_EQ(Header(again, "ETag"), etag);
  EXPECT_EQ(Header(again, "Cache-Control"), "public, max-age=31536000, immutable");

  EXPECT_EQ(Get("/assets/app-abc123.js", {{"If-None-Match", "\"x\", W/" + etag}}).status, 304);
  EXPECT_EQ(Get("/assets/app-abc123.js", {{"If-None-Match", "*"}}).status, 304);
  EXPECT_EQ(Get("/assets/app-abc123.js", {{"If-None-Match", "\"other\""}}).status, 200);
  // The identity tag does not validate the gzip representation.
  Response gz =
      Get("/assets/app-abc123.js", {{"Accept-Encoding", "gzip"}, {"If-None-Match", etag}});
  EXPECT_EQ(gz.status, 200);
  EXPECT_EQ(Get("/assets/app-abc123.js",
                {{"Accept-Encoding", "gzip"}, {"If-None-Match", Header(gz, "ETag")}})
                .status,
            304);
  // The tag of one file does not validate another.
  EXPECT_EQ(Get("/sw.js", {{"If-None-Match", etag}}).status, 200);
}

TEST_F(StaticFilesTest, EtagFollowsTheContent) {
  const std::string before = Header(Get("/sw.js"), "ETag");
  tree_.Write("sw.js", "self.skipWaiting();");
  auto reloaded = StaticFiles::Load(tree_.path());
  ASSERT_TRUE(reloaded.ok());
  Request req;
  req.method = "GET";
  req.path = "/sw.js";
  EXPECT_NE(Header((*reloaded)->Serve(req), "ETag"), before);
  EXPECT_EQ(Header(Get("/sw.js"), "ETag"), before) << "loaded once: the disk is not read again";
}

TEST_F(StaticFilesTest, DeepLinksFallBackToIndexHtml) {
  for (const char* path : {"/verify", "/inspector", "/inspector/x", "/inspector/x/", "/assets",
                           "/certificates/0192f1e4-7c5a", "/.well-known"}) {
    Response r = Get(path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, kIndex) << path;
    EXPECT_EQ(Header(r, "Cache-Control"), "no-cache") << path;
    EXPECT_EQ(Header(r, "Content-Security-Policy"), kContentSecurityPolicy) << path;
  }
}

TEST_F(StaticFilesTest, MissingFileWithExtensionIs404Problem) {
  ExpectProblem(Get("/nope.js"), 404, "not-found");
  ExpectProblem(Get("/assets/app-000000.js"), 404, "not-found");
  ExpectProblem(Get("/inspector/x.png"), 404, "not-found");
}

TEST_F(StaticFilesTest, ApiPathsAreNeverTheApp) {
  ExpectProblem(Get("/api/v1/nope"), 404, "not-found");
  ExpectProblem(Get("/api"), 404, "not-found");
  ExpectProblem(Get("/api/"), 404, "not-found");
  ExpectProblem(Get("/%61pi/v1/nope"), 404, "not-found");
}

TEST_F(StaticFilesTest, TraversalAndMalformedPathsAre400) {
  for (const char* path :
       {"/%2e%2e/etc/passwd", "/assets/../../x", "/..", "/./index.html", "/assets/%2E%2E/%2E%2E/x",
        "/a%2fb", "/a%2Fb.js", "/a%5c..%5cb", "/x%00.js", "/x%00", "/%zz", "/x%2", "/x%",
        "//etc/passwd", "/assets//app-abc123.js", "/a%0ab"}) {
    Response r = Get(path);
    ExpectProblem(r, 400, "invalid-argument");
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    EXPECT_EQ(j.value("field", ""), "path") << path;
  }
}

TEST_F(StaticFilesTest, PercentEncodedNamesAreDecoded) {
  tree_.Write("assets/a b.js", "x");
  auto files = StaticFiles::Load(tree_.path());
  ASSERT_TRUE(files.ok());
  Request req;
  req.method = "GET";
  req.path = "/assets/a%20b.js";
  EXPECT_EQ((*files)->Serve(req).body, "x");
  req.path = "/assets/app%2Dabc123.js";
  EXPECT_EQ((*files)->Serve(req).body, kAppJs);
}

TEST(StaticFilesLoadTest, RefusesAMissingDirectoryOrOneWithoutIndexHtml) {
  auto missing = StaticFiles::Load("/nonexistent/herdpass-web");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().field(), "web");
  EXPECT_NE(missing.status().message().find("is not a directory"), std::string::npos)
      << missing.status().ToString();

  TempTree tree;
  tree.Write("assets/app.js", "x");
  auto no_index = StaticFiles::Load(tree.path());
  ASSERT_FALSE(no_index.ok());
  EXPECT_EQ(no_index.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_index.status().message().find("has no index.html"), std::string::npos)
      << no_index.status().ToString();

  tree.Write("index.html", "x");
  auto file = StaticFiles::Load((tree / "index.html").string());
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.status().message().find("is not a directory"), std::string::npos);
}

TEST(StaticFilesLoadTest, RefusesAFileOver8MiB) {
  TempTree tree;
  tree.Write("index.html", "x");
  tree.Write("assets/big.js", std::string(kMaxStaticFileBytes, 'a'));
  EXPECT_TRUE(StaticFiles::Load(tree.path()).ok()) << "exactly 8 MiB is allowed";
  tree.Write("assets/big.js", std::string(kMaxStaticFileBytes + 1, 'a'));
  auto big = StaticFiles::Load(tree.path());
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(big.status().message().find("'assets/big.js'"), std::string::npos)
      << big.status().ToString();
  EXPECT_NE(big.status().message().find("over 8 MiB"), std::string::npos);
}

TEST(StaticFilesLoadTest, RefusesLinksLeadingOutside) {
  TempTree outside;
  outside.Write("secret.txt", "secret");
  TempTree tree;
  tree.Write("index.html", "x");
  fs::create_symlink(outside / "secret.txt", tree / "leak.txt");
  auto files = StaticFiles::Load(tree.path());
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(files.status().message().find("'leak.txt'"), std::string::npos)
      << files.status().ToString();
  EXPECT_NE(files.status().message().find("outside"), std::string::npos);

  fs::remove(tree / "leak.txt");
  fs::create_directories(tree / "assets");
  fs::create_symlink(outside.path(), tree / "assets" / "dir");
  auto dir_link = StaticFiles::Load(tree.path());
  ASSERT_FALSE(dir_link.ok());
  EXPECT_NE(dir_link.status().message().find("'assets/dir'"), std::string::npos)
      << dir_link.status().ToString();

  fs::remove(tree / "assets" / "dir");
  fs::create_symlink("../../" + (outside / "secret.txt").lexically_relative("/").string(),
                     tree / "assets" / "rel.txt");
  EXPECT_FALSE(StaticFiles::Load(tree.path()).ok()) << "a relative link out";
}

TEST(StaticFilesLoadTest, ServesLinksLeadingInside) {
  TempTree tree;
  tree.Write("index.html", "<p>x</p>");
  tree.Write("assets/real.js", "real");
  fs::create_symlink("assets/real.js", tree / "alias.js");
  fs::create_symlink("assets", tree / "assets-link");
  auto files = StaticFiles::Load(tree.path());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ((*files)->file_count(), 3u) << "a link to a directory inside is not descended into";
  Request req;
  req.method = "GET";
  req.path = "/alias.js";
  EXPECT_EQ((*files)->Serve(req).body, "real");
}

TEST(StaticFilesNotBuiltTest, RootSaysTheWebAppWasNotBuilt) {
  auto files = StaticFiles::NotBuilt();
  for (const char* path : {"/", "/verify"}) {
    Request req;
    req.method = "GET";
    req.path = path;
    Response r = files->Serve(req);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_NE(r.body.find("make web"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("href=\"/api/v1/openapi.json\""), std::string::npos) << r.body;
    EXPECT_EQ(Header(r, "Content-Security-Policy"), kContentSecurityPolicy);
  }
  Request req;
  req.method = "GET";
  req.path = "/assets/app.js";
  ExpectProblem(files->Serve(req), 404, "not-found");
}

// Behind a Router with API routes: the API keeps every path it has, for every method it has.
TEST_F(StaticFilesTest, ApiRoutesWinInTheRouter) {
  Router router;
  router.Add("GET", "/healthz", [](Request&) { return Text(200, "ok"); });
  router.Add("GET", "/api/v1/animals/{tag}",
             [](Request& r) { return Text(200, "animal " + std::string(r.Param("tag"))); });
  router.Add("POST", "/api/v1/vaccinations/batch", [](Request&) { return Text(200, "batch"); });
  RegisterStaticRoute(router, *files_);
  auto dispatch = [&](std::string method, std::string path) {
    Request req;
    req.method = std::move(method);
    req.path = std::move(path);
    return router.Dispatch(req);
  };
  EXPECT_EQ(dispatch("GET", "/healthz").body, "ok");
  EXPECT_EQ(dispatch("GET", "/api/v1/animals/398000000000123").body, "animal 398000000000123");
  EXPECT_EQ(dispatch("POST", "/api/v1/vaccinations/batch").body, "batch");
  EXPECT_EQ(dispatch("GET", "/").body, kIndex);
  EXPECT_EQ(dispatch("GET", "/verify").body, kIndex);
  EXPECT_EQ(dispatch("GET", "/assets/app-abc123.js").body, kAppJs);
  Response unknown = dispatch("GET", "/api/v1/nope");
  ExpectProblem(unknown, 404, "not-found");
  EXPECT_EQ(unknown.body.find("<html"), std::string::npos);
  // GET on a POST-only API path stays a 405 naming POST, as without the static route.
  Response wrong_method = dispatch("GET", "/api/v1/vaccinations/batch");
  ExpectProblem(wrong_method, 405, "method-not-allowed");
  EXPECT_EQ(Header(wrong_method, "Allow"), "POST");
  EXPECT_EQ(dispatch("DELETE", "/api/v1/animals/1").status, 405);
}

}  // namespace
}  // namespace herdpass::http
