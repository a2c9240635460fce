#include "http/router.h"

#include <gtest/gtest.h>

namespace herdpass::http {
namespace {

Handler Returns(std::string body) {
  return [body](Request&) { return Text(200, body); };
}

Response DispatchTo(const Router& router, std::string method, std::string path) {
  Request req;
  req.method = std::move(method);
  req.path = std::move(path);
  return router.Dispatch(req);
}

TEST(RouterTest, MatchesLiteralRoute) {
  Router router;
  router.Add("GET", "/healthz", Returns("ok"));
  router.Add("GET", "/api/v1/owners", Returns("owners"));
  EXPECT_EQ(DispatchTo(router, "GET", "/healthz").body, "ok");
  EXPECT_EQ(DispatchTo(router, "GET", "/api/v1/owners").body, "owners");
}

TEST(RouterTest, RootRoute) {
  Router router;
  router.Add("GET", "/", Returns("root"));
  EXPECT_EQ(DispatchTo(router, "GET", "/").body, "root");
  EXPECT_EQ(DispatchTo(router, "GET", "/x").status, 404);
}

TEST(RouterTest, BindsParamsPercentDecodedAndSetsRoute) {
  Router router;
  router.Add("GET", "/api/v1/animals/{tag}", [](Request& req) {
    return Text(200, std::string(req.Param("tag")) + "|" + std::string(req.route));
  });
  router.Add("GET", "/api/v1/owners/{owner}/animals/{tag}", [](Request& req) {
    return Text(200, std::string(req.Param("owner")) + "|" + std::string(req.Param("tag")));
  });
  EXPECT_EQ(DispatchTo(router, "GET", "/api/v1/animals/CN%20123").body,
            "CN 123|/api/v1/animals/{tag}");
  EXPECT_EQ(DispatchTo(router, "GET", "/api/v1/owners/7/animals/a%2Fb").body, "7|a/b");
}

TEST(RouterTest, ParamDoesNotMatchEmptySegment) {
  Router router;
  router.Add("GET", "/animals/{tag}", Returns("animal"));
  EXPECT_EQ(DispatchTo(router, "GET", "/animals/").status, 404);
  EXPECT_EQ(DispatchTo(router, "GET", "/animals").status, 404);
}

TEST(RouterTest, LiteralWinsOverParam) {
  Router router;
  router.Add("GET", "/owners/{id}", Returns("param"));
  router.Add("GET", "/owners/count", Returns("literal"));
  EXPECT_EQ(DispatchTo(router, "GET", "/owners/count").body, "literal");
  EXPECT_EQ(DispatchTo(router, "GET", "/owners/42").body, "param");
}

TEST(RouterTest, BacktracksFromLiteralToParam) {
  Router router;
  router.Add("GET", "/a/b/c", Returns("abc"));
  router.Add("GET", "/a/{x}/d", Returns("axd"));
  EXPECT_EQ(DispatchTo(router, "GET", "/a/b/d").body, "axd");
  EXPECT_EQ(DispatchTo(router, "GET", "/a/b/c").body, "abc");
}

TEST(RouterTest, MethodOnParamRouteNotHiddenByLiteral) {
  Router router;
  router.Add("GET", "/certificates/export", Returns("export"));
  router.Add("POST", "/certificates/{id}", Returns("post-id"));
  EXPECT_EQ(DispatchTo(router, "POST", "/certificates/export").body, "post-id");
}

TEST(RouterTest, TrailingSlashIsADifferentPath) {
  Router router;
  router.Add("GET", "/owners", Returns("owners"));
  EXPECT_EQ(DispatchTo(router, "GET", "/owners/").status, 404);
}

TEST(RouterTest, CatchAllBindsTheRest) {
  Router router;
  router.Add("GET", "/app/{path...}",
             [](Request& req) { return Text(200, "[" + std::string(req.Param("path")) + "]"); });
  EXPECT_EQ(DispatchTo(router, "GET", "/app/assets/main.js").body, "[assets/main.js]");
  EXPECT_EQ(DispatchTo(router, "GET", "/app/").body, "[]");
  EXPECT_EQ(DispatchTo(router, "GET", "/app").body, "[]");
}

TEST(RouterTest, UnknownPathIs404Problem) {
  Router router;
  router.Add("GET", "/healthz", Returns("ok"));
  Response r = DispatchTo(router, "GET", "/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/problem+json");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["type"], "https://herdpass.org/problems/not-found");
  EXPECT_EQ(j["status"], 404);
}

TEST(RouterTest, OtherMethodIs405WithAllow) {
  Router router;
  router.Add("GET", "/owners", Returns("list"));
  router.Add("POST", "/owners", Returns("create"));
  Response r = DispatchTo(router, "DELETE", "/owners");
  EXPECT_EQ(r.status, 405);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Allow");
  EXPECT_EQ(r.headers[0].second, "GET, POST");
  EXPECT_EQ(nlohmann::json::parse(r.body)["type"],
            "https://herdpass.org/problems/method-not-allowed");
}

TEST(RouterTest, RoutesListsRegistrationOrder) {
  Router router;
  router.Add("POST", "/api/v1/owners", Returns(""));
  router.Add("GET", "/api/v1/owners", Returns(""));
  router.Add("GET", "/api/v1/animals/{tag}", Returns(""));
  auto routes = router.Routes();
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0].method, "POST");
  EXPECT_EQ(routes[0].pattern, "/api/v1/owners");
  EXPECT_EQ(routes[2].method, "GET");
  EXPECT_EQ(routes[2].pattern, "/api/v1/animals/{tag}");
  EXPECT_EQ(router.size(), 3u);
}

TEST(RouterTest, RejectsDuplicateAndMalformedPatterns) {
  Router router;
  router.Add("GET", "/a/{x}", Returns(""));
  EXPECT_THROW(router.Add("GET", "/a/{y}", Returns("")), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "a", Returns("")), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/a/{rest...}/b", Returns("")), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/a/x{y}", Returns("")), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/b", Handler()), std::invalid_argument);
  router.Add("POST", "/a/{y}", Returns(""));  // another method on the same shape is fine
}

TEST(RouterTest, ParamNamesFollowTheMatchedMethodsPattern) {
  Router router;
  router.Add("GET", "/v/{id}", [](Request& r) { return Text(200, std::string(r.Param("id"))); });
  router.Add("POST", "/v/{vid}", [](Request& r) { return Text(200, std::string(r.Param("vid"))); });
  EXPECT_EQ(DispatchTo(router, "GET", "/v/1").body, "1");
  EXPECT_EQ(DispatchTo(router, "POST", "/v/2").body, "2");
}

}  // namespace
}  // namespace herdpass::http
