#include "http/request.h"

#include <gtest/gtest.h>

namespace herdpass::http {
namespace {

TEST(RequestTest, HeadersAreCaseInsensitive) {
  Request req;
  req.headers.Add("Content-Type", "application/json");
  req.headers.Add("X-Twice", "first");
  req.headers.Add("x-twice", "second");
  EXPECT_EQ(req.Header("content-type"), "application/json");
  EXPECT_EQ(req.Header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(req.Header("X-TWICE"), "first");
  EXPECT_EQ(req.Header("Missing"), "");
  EXPECT_TRUE(req.headers.Has("x-twice"));
  EXPECT_FALSE(req.headers.Has("x-thrice"));
}

TEST(RequestTest, BearerToken) {
  Request req;
  EXPECT_EQ(req.BearerToken(), "");
  req.headers.Add("Authorization", "Bearer abc.DEF-123");
  EXPECT_EQ(req.BearerToken(), "abc.DEF-123");

  Request lower;
  lower.headers.Add("authorization", "  bearer   tok  ");
  EXPECT_EQ(lower.BearerToken(), "tok");

  Request basic;
  basic.headers.Add("Authorization", "Basic dXNlcjpwdw==");
  EXPECT_EQ(basic.BearerToken(), "");

  Request glued;
  glued.headers.Add("Authorization", "Bearertok");
  EXPECT_EQ(glued.BearerToken(), "");

  Request empty;
  empty.headers.Add("Authorization", "Bearer ");
  EXPECT_EQ(empty.BearerToken(), "");
}

TEST(RequestTest, PercentDecode) {
  EXPECT_EQ(PercentDecode("%2B7%20701", false), "+7 701");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("%zz%4", false), "%zz%4");  // malformed escapes kept literally
  EXPECT_EQ(PercentDecode("%", false), "%");
  EXPECT_EQ(PercentDecode("%e4%B8%AD", false), "\xe4\xb8\xad");
}

TEST(RequestTest, ParseQuery) {
  auto q = ParseQuery("phone=%2B7+701&years=3&flag&empty=&years=9&&=x");
  EXPECT_EQ(q.at("phone"), "+7 701");
  EXPECT_EQ(q.at("years"), "3");  // the first occurrence wins
  EXPECT_EQ(q.at("flag"), "");
  EXPECT_EQ(q.at("empty"), "");
  EXPECT_EQ(q.at(""), "x");
  EXPECT_TRUE(ParseQuery("").empty());

  Request req;
  req.query = q;
  EXPECT_EQ(req.Query("phone"), "+7 701");
  EXPECT_EQ(req.Query("absent"), "");
}

TEST(RequestTest, ParseJsonBody) {
  Request req;
  req.body = R"({"phone": "+77012345678"})";
  auto ok = ParseJsonBody(req);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)["phone"], "+77012345678");

  req.body = R"({"phone": )";
  auto bad = ParseJsonBody(req);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().field(), "body");
  EXPECT_EQ(bad.status().message().find("+7701"), std::string::npos);  // input is not echoed

  req.body.clear();
  auto empty = ParseJsonBody(req);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.status().field(), "body");
}

TEST(RequestTest, EqualsIgnoreCase) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Length", "content-length"));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Length", "content-lengt"));
  EXPECT_FALSE(EqualsIgnoreCase("a", "b"));
}

}  // namespace
}  // namespace herdpass::http
