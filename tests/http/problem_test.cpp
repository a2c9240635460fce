#include <gtest/gtest.h>

#include "http/response.h"

namespace herdpass::http {
namespace {

struct Mapping {
  StatusCode code;
  int http;
  const char* type;
  const char* title;
};

void PrintTo(const Mapping& m, std::ostream* os) { *os << m.type; }

class ProblemFromStatusTest : public ::testing::TestWithParam<Mapping> {};

TEST_P(ProblemFromStatusTest, MapsCodeToHttpStatusTypeAndTitle) {
  const Mapping& m = GetParam();
  Response r = ProblemFromStatus(Status(m.code, "what happened", "records[3].disease"));
  EXPECT_EQ(r.status, m.http);
  EXPECT_EQ(HttpStatusFor(m.code), m.http);
  EXPECT_EQ(r.content_type, "application/problem+json");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["type"], std::string("https://herdpass.org/problems/") + m.type);
  EXPECT_EQ(j["title"], m.title);
  EXPECT_EQ(j["status"], m.http);
  if (m.code == StatusCode::kInternal) {
    EXPECT_EQ(j["detail"], "An internal error occurred.");
    EXPECT_FALSE(j.contains("field"));
  } else {
    EXPECT_EQ(j["detail"], "what happened");
    EXPECT_EQ(j["field"], "records[3].disease");
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryStatusCode, ProblemFromStatusTest,
    ::testing::Values(
        Mapping{StatusCode::kInvalidArgument, 400, "invalid-argument", "Invalid argument"},
        Mapping{StatusCode::kNotFound, 404, "not-found", "Not found"},
        Mapping{StatusCode::kAlreadyExists, 409, "already-exists", "Already exists"},
        Mapping{StatusCode::kFailedPrecondition, 409, "failed-precondition",
                "Conflict with the current state"},
        Mapping{StatusCode::kUnprocessable, 422, "unprocessable", "Refused by the rules"},
        Mapping{StatusCode::kPermissionDenied, 403, "permission-denied", "Permission denied"},
        Mapping{StatusCode::kUnauthenticated, 401, "unauthenticated", "Authentication required"},
        Mapping{StatusCode::kResourceExhausted, 429, "resource-exhausted", "Too many requests"},
        Mapping{StatusCode::kUnavailable, 503, "unavailable", "Service unavailable"},
        Mapping{StatusCode::kInternal, 500, "internal", "Internal error"}),
    [](const ::testing::TestParamInfo<Mapping>& param_info) {
      std::string name = param_info.param.type;
      std::erase(name, '-');
      return name;
    });

TEST(ProblemTest, FieldOmittedWhenUnset) {
  auto j = nlohmann::json::parse(ProblemFromStatus(NotFound("no such owner")).body);
  EXPECT_FALSE(j.contains("field"));
  EXPECT_FALSE(j.contains("id"));
  EXPECT_EQ(j["detail"], "no such owner");
}

TEST(ProblemTest, UnauthenticatedAsksForBearer) {
  Response r = ProblemFromStatus(Unauthenticated("token expired"));
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "WWW-Authenticate");
  EXPECT_EQ(r.headers[0].second, "Bearer");
  EXPECT_TRUE(ProblemFromStatus(PermissionDenied("no")).headers.empty());
}

// The text detail of a Status is for the layers below; what a client is told beyond the message
// comes from typed payloads (http/routes' ApiProblem, tests/http/api_problem_test.cpp).
TEST(ProblemTest, TextDetailIsNeverSent) {
  for (StatusCode code : {StatusCode::kAlreadyExists, StatusCode::kResourceExhausted,
                          StatusCode::kFailedPrecondition, StatusCode::kUnprocessable}) {
    Response r = ProblemFromStatus(Status(code, "refused", "", "778899"));
    SCOPED_TRACE(r.body);
    EXPECT_TRUE(r.headers.empty());
    auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j.size(), 4u);  // type, title, status, detail
    EXPECT_EQ(j["detail"], "refused");
    EXPECT_EQ(r.body.find("778899"), std::string::npos);
  }
}

TEST(ProblemTest, InternalHidesMessageFieldAndDetail) {
  Response r = ProblemFromStatus(
      Status(StatusCode::kInternal, "SQLITE_CORRUPT in SELECT * FROM owners", "f", "d"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("SQLITE"), std::string::npos);
  EXPECT_EQ(r.body.find("owners"), std::string::npos);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_FALSE(j.contains("field"));
  EXPECT_FALSE(j.contains("info"));
}

TEST(ProblemTest, OkStatusIsABugAnswered500) {
  Response r = ProblemFromStatus(Status::Ok());
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(nlohmann::json::parse(r.body)["type"], "https://herdpass.org/problems/internal");
}

TEST(ProblemTest, ExtraMembersCannotReplaceStandardOnes) {
  Response r = ProblemFromStatus(
      FailedPrecondition("already consumed"),
      {{"first_used_at", "2024-05-01T10:00:00Z"}, {"status", 200}, {"type", "x"}});
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["first_used_at"], "2024-05-01T10:00:00Z");
  EXPECT_EQ(j["status"], 409);
  EXPECT_EQ(j["type"], "https://herdpass.org/problems/failed-precondition");
}

TEST(ProblemTest, InvalidUtf8IsReplacedNotThrown) {
  Response r = ProblemFromStatus(InvalidArgument("name", "bad \xff byte"));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(nlohmann::json::accept(r.body));
}

TEST(ProblemTest, JsonAndText) {
  Response j = Json(201, {{"id", 7}});
  EXPECT_EQ(j.status, 201);
  EXPECT_EQ(j.content_type, "application/json");
  EXPECT_EQ(j.body, R"({"id":7})");
  Response t = Text(200, "ok");
  EXPECT_EQ(t.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(t.body, "ok");
}

}  // namespace
}  // namespace herdpass::http
