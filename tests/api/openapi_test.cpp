// The OpenAPI document (http/routes/openapi.json, served at /api/v1/openapi.json) against the
// routes RegisterApiRoutes really registers: the same (method, path) set both ways (DESIGN.md
// section 7: "described by an OpenAPI 3 document that a test keeps true"). In-process, over a
// SQLite store in a temporary file; no network.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "domain/catalogue.h"
#include "domain/time.h"
#include "http/http.h"
#include "http/routes/api.h"
#include "service/service.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/api/herdpass_env.h"

namespace herdpass::http {
namespace {

using nlohmann::json;

const std::set<std::string> kHttpMethods = {"get",   "put",  "post",    "delete",
                                            "patch", "head", "options", "trace"};

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteOptions opts;
    opts.path = dir_.path() + "/openapi.db";
    auto store = OpenSqliteStore(opts);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    service_ = std::make_unique<HerdService>(*store_, clock_, DefaultCatalogue(), ServiceConfig{});
    RegisterApiRoutes(router_, *service_, metrics_);

    doc_ = json::parse(OpenApiDocument(), nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(doc_.is_discarded()) << "openapi.json does not parse";
    ASSERT_TRUE(doc_.is_object());
    ASSERT_TRUE(doc_.contains("servers") && doc_["servers"].is_array() && !doc_["servers"].empty());
    prefix_ = doc_["servers"][0].at("url").get<std::string>();
  }

  // Every (METHOD, full path) the document describes.
  std::set<std::string> Documented() const {
    std::set<std::string> out;
    for (const auto& [path, item] : doc_.at("paths").items()) {
      for (const auto& [method, op] : item.items()) {
        if (kHttpMethods.count(method) > 0) out.insert(Upper(method) + " " + prefix_ + path);
      }
    }
    for (const auto& [path, methods] : doc_.at("x-unversioned-paths").items()) {
      for (const auto& m : methods) out.insert(Upper(m.get<std::string>()) + " " + path);
    }
    return out;
  }

  herdpass::testing::TempDir dir_{"herdpass-openapi"};
  SystemClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<HerdService> service_;
  MetricsRegistry metrics_;
  Router router_;
  json doc_;
  std::string prefix_;
};

TEST_F(OpenApiTest, DocumentIsOpenApi3WithTheVersionedServer) {
  EXPECT_EQ(doc_.value("openapi", "").rfind("3.", 0), 0u) << doc_.value("openapi", "");
  EXPECT_EQ(prefix_, "/api/v1");
  ASSERT_TRUE(doc_.contains("paths") && doc_["paths"].is_object());
  ASSERT_TRUE(doc_.contains("x-unversioned-paths") && doc_["x-unversioned-paths"].is_object());
}

TEST_F(OpenApiTest, DocumentedRoutesAreExactlyTheRegisteredRoutes) {
  std::set<std::string> registered;
  for (const RouteInfo& r : router_.Routes()) {
    EXPECT_TRUE(registered.insert(r.method + " " + r.pattern).second) << r.pattern;
  }
  const std::set<std::string> documented = Documented();
  for (const auto& r : registered) {
    EXPECT_TRUE(documented.count(r)) << r << " is served but not in openapi.json";
  }
  for (const auto& d : documented) {
    EXPECT_TRUE(registered.count(d)) << d << " is in openapi.json but not served";
  }
}

TEST_F(OpenApiTest, EveryOperationHasResponsesAndDeclaresItsPathParameters) {
  for (const auto& [path, item] : doc_.at("paths").items()) {
    std::set<std::string> in_path;
    for (size_t at = path.find('{'); at != std::string::npos; at = path.find('{', at + 1)) {
      in_path.insert(path.substr(at + 1, path.find('}', at) - at - 1));
    }
    for (const auto& [method, op] : item.items()) {
      if (kHttpMethods.count(method) == 0) continue;
      SCOPED_TRACE(Upper(method) + " " + path);
      ASSERT_TRUE(op.contains("responses") && op["responses"].is_object());
      EXPECT_FALSE(op["responses"].empty());
      for (const auto& [code, response] : op["responses"].items()) {
        EXPECT_TRUE(code == "default" || (code.size() == 3 && code[0] >= '1' && code[0] <= '5' &&
                                          std::all_of(code.begin(), code.end(), ::isdigit)))
            << code;
        EXPECT_TRUE(response.contains("description") || response.contains("$ref")) << code;
      }
      std::set<std::string> declared;
      for (const auto* params : {&item, &op}) {
        if (!params->contains("parameters")) continue;
        for (const auto& p : params->at("parameters")) {
          if (p.value("in", "") == "path") {
            EXPECT_TRUE(p.value("required", false)) << p;
            declared.insert(p.value("name", ""));
          }
        }
      }
      EXPECT_EQ(declared, in_path);
    }
  }
  for (const auto& [path, methods] : doc_.at("x-unversioned-paths").items()) {
    EXPECT_TRUE(methods.is_array() && !methods.empty()) << path;
  }
}

// Every "$ref" points at something the document defines.
TEST_F(OpenApiTest, EveryReferenceResolves) {
  std::vector<const json*> stack = {&doc_};
  int refs = 0;
  while (!stack.empty()) {
    const json* j = stack.back();
    stack.pop_back();
    if (j->is_object()) {
      if (auto it = j->find("$ref"); it != j->end() && it->is_string()) {
        ++refs;
        const std::string ref = it->get<std::string>();
        ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
        EXPECT_TRUE(doc_.contains(json::json_pointer(ref.substr(1)))) << ref << " is undefined";
      }
      for (const auto& [k, v] : j->items()) stack.push_back(&v);
    } else if (j->is_array()) {
      for (const auto& v : *j) stack.push_back(&v);
    }
  }
  EXPECT_GT(refs, 0);
}

// The "security" of each operation is what the server does without a token: a bearer operation
// answers 401, an open one does not.
TEST_F(OpenApiTest, SecurityMatchesWhatTheServerDoesWithoutAToken) {
  const json global_security = doc_.value("security", json::array());
  for (const auto& [path, item] : doc_.at("paths").items()) {
    for (const auto& [method, op] : item.items()) {
      if (kHttpMethods.count(method) == 0) continue;
      SCOPED_TRACE(Upper(method) + " " + path);
      const json security = op.value("security", global_security);
      const bool needs_token = !security.empty() && !security[0].empty();
      std::string concrete = prefix_ + path;
      for (size_t at; (at = concrete.find('{')) != std::string::npos;) {
        concrete.replace(at, concrete.find('}', at) - at + 1,
                         "0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e5f");
      }
      Request req;
      req.method = Upper(method);
      req.target = concrete;
      req.path = concrete;
      req.remote_address = "127.0.0.1";
      Response res = router_.Dispatch(req);
      if (needs_token) {
        EXPECT_EQ(res.status, 401) << res.body;
      } else {
        EXPECT_NE(res.status, 401) << res.body;
        EXPECT_NE(res.status, 403) << res.body;
      }
    }
  }
}

// What /api/v1/openapi.json serves is this document.
TEST_F(OpenApiTest, ServedDocumentIsTheEmbeddedOne) {
  Request req;
  req.method = "GET";
  req.target = req.path = "/api/v1/openapi.json";
  Response res = router_.Dispatch(req);
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(res.content_type.rfind("application/json", 0), 0u) << res.content_type;
  EXPECT_EQ(json::parse(res.body), doc_);
}

}  // namespace
}  // namespace herdpass::http
