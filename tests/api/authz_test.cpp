// The authorization matrix of DESIGN.md sections 7 and 9: every route against every role, and
// without a token, on the real server. A cell passes when the answer is 403 (401 without a token)
// exactly when the role may not use the route; an allowed request may still be refused for its
// body (400, 404, 409): that is not the matrix's business.
//
// The rows follow the role table in service/permissions.cpp, which implement DESIGN.md section 7's
// "who" column; a second test checks that the matrix has a row for every route of the OpenAPI
// document.
#include <gtest/gtest.h>

#include <cctype>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"
#include "tests/api/shared_server_test.h"

namespace herdpass::testing {
namespace {

using nlohmann::json;

enum class Who {
  kPublic,    // anyone, with or without a token
  kSignedIn,  // any role; 401 without a token
  kRoles,     // only `roles`; 403 for the others, 401 without a token
};

struct Row {
  std::string method;
  std::string pattern;  // as in the OpenAPI document, under /api/v1 unless it starts with '/'
  Who who;
  std::set<std::string> roles;
  // The request target and body; called once per cell so that each cell can use fresh data.
  std::function<std::string(int cell)> target;
  std::function<json(int cell)> body;
  bool fresh_token = false;  // the request ends its token (logout): use a token of its own
};

const std::vector<std::string> kRoles = {"vaccinator", "vet", "inspector", "admin", "auditor"};
// Who may read a certificate, its QR code and its printable page (service/permissions.cpp): the
// vets who issue, the inspectors who check, and the admins who revoke.
const std::set<std::string> kCertificateReaders = {"vet", "inspector", "admin"};

std::vector<Row> Matrix() {
  auto fixed = [](std::string t) { return [t](int) { return t; }; };
  auto no_body = [](int) { return json(); };
  const std::string unknown_uuid = "0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e5f";
  return {
      {"POST",
       "/auth/login",
       Who::kPublic,
       {},
       fixed("/api/v1/auth/login"),
       [](int) { return json::object(); }},  // 400: no username; a real attempt would count
      {"POST",
       "/auth/logout",
       Who::kSignedIn,
       {},
       fixed("/api/v1/auth/logout"),
       [](int) { return json::object(); },
       true},
      {"GET", "/auth/me", Who::kSignedIn, {}, fixed("/api/v1/auth/me"), no_body},
      {"POST",
       "/owners",
       Who::kRoles,
       {"vaccinator", "vet"},
       fixed("/api/v1/owners"),
       [](int cell) {
         return json{{"phone", KzPhone(3000 + cell)}, {"name", "Matrix Owner"}};
       }},
      {"GET",
       "/owners",
       Who::kRoles,
       {"vaccinator", "vet", "inspector"},
       fixed("/api/v1/owners?phone=%2B77059990001"),
       no_body},
      {"POST",
       "/animals",
       Who::kRoles,
       {"vaccinator", "vet"},
       fixed("/api/v1/animals"),
       [](int cell) {
         return json{{"tag", KzTag(3000 + cell)}, {"species", "cattle"}, {"owner_id", 999999}};
       }},
      {"GET",
       "/animals/{tag}",
       Who::kRoles,
       {"vaccinator", "vet", "inspector"},
       fixed("/api/v1/animals/" + KzTag(3999)),
       no_body},
      {"POST",
       "/vaccinations/batch",
       Who::kRoles,
       {"vaccinator", "vet"},
       fixed("/api/v1/vaccinations/batch"),
       [](int cell) {
         return json{
             {"records", json::array({FlockRecord(KzPhone(3100 + cell), DaysFromToday(0))})}};
       }},
      {"POST",
       "/vaccinations/{id}/void",
       Who::kRoles,
       {"vet"},
       fixed("/api/v1/vaccinations/" + unknown_uuid + "/void"),
       [](int) {
         return json{{"reason", "matrix"}};
       }},
      {"GET",
       "/lookup",
       Who::kRoles,
       {"inspector", "vet"},
       fixed("/api/v1/lookup?phone=%2B77059990002"),
       no_body},
      {"GET", "/audit", Who::kRoles, {"auditor", "admin"}, fixed("/api/v1/audit"), no_body},
      {"GET", "/certificates", Who::kRoles, kCertificateReaders,
       fixed("/api/v1/certificates?limit=5"), no_body},
      {"GET",
       "/reports/coverage",
       Who::kRoles,
       {"auditor", "admin", "vet"},
       fixed("/api/v1/reports/coverage?disease=FMD-O&species=sheep"),
       no_body},
      // Certificates: an allowed role asking for an unknown one gets 404, and an issue request
      // naming no owner 400; neither is the matrix's business.
      {"POST",
       "/certificates",
       Who::kRoles,
       {"vet"},
       fixed("/api/v1/certificates"),
       [](int) {
         return json{{"species", "cattle"}, {"purpose", "slaughter"}, {"destination", "KZ-ABY"}};
       }},
      {"GET", "/certificates/{id}", Who::kRoles, kCertificateReaders,
       fixed("/api/v1/certificates/" + unknown_uuid), no_body},
      {"GET", "/certificates/{id}/qr.svg", Who::kRoles, kCertificateReaders,
       fixed("/api/v1/certificates/" + unknown_uuid + "/qr.svg"), no_body},
      {"GET", "/certificates/{id}/qr.png", Who::kRoles, kCertificateReaders,
       fixed("/api/v1/certificates/" + unknown_uuid + "/qr.png"), no_body},
      {"GET", "/certificates/{id}/print", Who::kRoles, kCertificateReaders,
       fixed("/api/v1/certificates/" + unknown_uuid + "/print"), no_body},
      {"POST",
       "/certificates/{id}/consume",
       Who::kRoles,
       {"inspector"},
       fixed("/api/v1/certificates/" + unknown_uuid + "/consume"),
       [](int) {
         return json{{"place", "matrix gate"}};
       }},
      {"POST",
       "/certificates/{id}/revoke",
       Who::kRoles,
       {"vet", "admin"},
       fixed("/api/v1/certificates/" + unknown_uuid + "/revoke"),
       [](int) {
         return json{{"reason", "matrix"}};
       }},
      {"POST",
       "/verify",
       Who::kPublic,
       {},
       fixed("/api/v1/verify"),
       [](int) {
         return json{{"hp1", "HP1:NOT-A-CERTIFICATE"}};
       }},
      {"GET", "/trust-list", Who::kPublic, {}, fixed("/api/v1/trust-list"), no_body},
      {"GET", "/trust-root", Who::kPublic, {}, fixed("/api/v1/trust-root"), no_body},
      {"GET", "/revocations", Who::kPublic, {}, fixed("/api/v1/revocations"), no_body},
      {"GET", "/catalogue", Who::kPublic, {}, fixed("/api/v1/catalogue"), no_body},
      {"GET", "/openapi.json", Who::kPublic, {}, fixed("/api/v1/openapi.json"), no_body},
      {"GET", "/healthz", Who::kPublic, {}, fixed("/healthz"), no_body},
      {"GET", "/metrics", Who::kPublic, {}, fixed("/metrics"), no_body},
  };
}

// The tests log in themselves (the suite's tokens are made too, and not used).
class AuthzTest : public SharedServerTest<AuthzTest> {
 public:
  static SharedServerSpec Spec() {
    SharedServerSpec spec;
    spec.check_on_stop = false;
    for (const auto& role : kRoles) {
      if (role != "admin") spec.users.push_back({role, role, "", ""});
    }
    return spec;
  }
};

TEST_F(AuthzTest, EveryRouteAndRole) {
  // Tokens of its own: rows of the matrix may end sessions (fresh_token), so the suite's are not
  // relied on here.
  std::map<std::string, std::string> tokens;
  for (const auto& role : kRoles) tokens[role] = env_->Login(role);
  auto client = env_->Client();
  int cell = 0;
  for (const Row& row : Matrix()) {
    // "" = no token.
    std::vector<std::string> callers = {""};
    callers.insert(callers.end(), kRoles.begin(), kRoles.end());
    for (const std::string& role : callers) {
      ++cell;
      SCOPED_TRACE(row.method + " " + row.pattern + " as " + (role.empty() ? "nobody" : role));
      std::string token;
      if (!role.empty()) token = row.fresh_token ? env_->Login(role) : tokens.at(role);
      const json body = row.body(cell);
      const std::string target = row.target(cell);
      HttpResponse r =
          body.is_null() ? client->Send(row.method, target, "", "", token)
                         : client->Send(row.method, target, body.dump(), "application/json", token);
      bool allowed = false;
      switch (row.who) {
        case Who::kPublic:
          allowed = true;
          break;
        case Who::kSignedIn:
          allowed = !role.empty();
          break;
        case Who::kRoles:
          allowed = row.roles.count(role) > 0;
          break;
      }
      if (allowed) {
        EXPECT_NE(r.status, 401) << r.body;
        EXPECT_NE(r.status, 403) << r.body;
        EXPECT_LT(r.status, 500) << r.body;
      } else if (role.empty()) {
        ExpectProblem(r, 401);
      } else {
        ExpectProblem(r, 403);
        EXPECT_NE(r.body.find("permission-denied"), std::string::npos) << r.body;
      }
    }
  }
  // The batches the forbidden roles sent stored nothing; the allowed ones did.
  auto lookup = [&](int c) {
    return client->Get("/api/v1/lookup?phone=" + KzPhone(3100 + c), tokens.at("vet"));
  };
  int batch_row = 0;
  for (const Row& row : Matrix()) {
    if (row.pattern == "/vaccinations/batch") break;
    ++batch_row;
  }
  for (size_t k = 0; k <= kRoles.size(); ++k) {
    const int c = batch_row * static_cast<int>(kRoles.size() + 1) + static_cast<int>(k) + 1;
    const std::string role = k == 0 ? "" : kRoles[k - 1];
    SCOPED_TRACE("batch sent as " + (role.empty() ? std::string("nobody") : role));
    const bool may = role == "vaccinator" || role == "vet";
    EXPECT_EQ(lookup(c).status, may ? 200 : 404);
  }
}

// A role that may not use a route gets 403 before its request is read: a malformed body or a
// missing parameter must not turn the answer into a 400 that tells the caller how to shape the
// request.
TEST_F(AuthzTest, ForbiddenRoleGets403WhateverItSends) {
  std::map<std::string, std::string> tokens;
  for (const auto& role : kRoles) tokens[role] = env_->Login(role);
  auto client = env_->Client();
  for (const Row& row : Matrix()) {
    if (row.who != Who::kRoles) continue;
    for (const std::string& role : kRoles) {
      if (row.roles.count(role) > 0) continue;
      SCOPED_TRACE(row.method + " " + row.pattern + " as " + role);
      std::string target = row.target(0);
      target = target.substr(0, target.find('?'));  // drop the query: a required one is missing
      HttpResponse r = row.method == "GET" ? client->Send("GET", target, "", "", tokens.at(role))
                                           : client->Send(row.method, target, "{not json",
                                                          "application/json", tokens.at(role));
      ExpectProblem(r, 403);
    }
  }
}

// The matrix names every route the server documents, so that a new route cannot skip it.
TEST_F(AuthzTest, MatrixCoversEveryDocumentedRoute) {
  auto client = env_->Client();
  auto r = client->Get("/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  json doc = r.json();
  std::set<std::string> documented, in_matrix;
  for (const auto& [path, item] : doc.at("paths").items()) {
    for (const auto& [method, op] : item.items()) {
      static const std::set<std::string> kMethods = {"get",   "put",  "post",    "delete",
                                                     "patch", "head", "options", "trace"};
      if (kMethods.count(method) == 0) continue;  // "parameters", "summary", ...
      std::string m = method;
      for (char& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      documented.insert(m + " " + path);
    }
  }
  for (const auto& [path, methods] : doc.at("x-unversioned-paths").items()) {
    for (const auto& method : methods) {
      std::string m = method.get<std::string>();
      for (char& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      documented.insert(m + " " + path);
    }
  }
  for (const Row& row : Matrix()) in_matrix.insert(row.method + " " + row.pattern);
  EXPECT_EQ(documented, in_matrix);
}

}  // namespace
}  // namespace herdpass::testing
