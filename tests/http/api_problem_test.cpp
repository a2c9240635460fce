// ApiProblem (http/routes/json_mapping.h): the typed payloads service/ attaches to a Status, as the
// members and headers a client reads. Each payload, the exact body, and nothing leaked for
// kInternal.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "domain/time.h"
#include "http/routes/json_mapping.h"

namespace herdpass::http {
namespace {

using nlohmann::json;

TEST(ApiProblemTest, ExistingRecordIsTheIdAsANumber) {
  Response r = ApiProblem(AlreadyExists("phone is known").WithPayload(ExistingRecord{42}));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(json::parse(r.body), json({{"type", "https://herdpass.org/problems/already-exists"},
                                       {"title", ProblemTitle(StatusCode::kAlreadyExists)},
                                       {"status", 409},
                                       {"detail", "phone is known"},
                                       {"id", 42}}));
}

TEST(ApiProblemTest, RetryAfterIsAHeaderAndAMember) {
  Response r = ApiProblem(
      ResourceExhausted("too many sign-ins").WithPayload(RetryAfter{std::chrono::seconds(90)}));
  EXPECT_EQ(r.status, 429);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Retry-After");
  EXPECT_EQ(r.headers[0].second, "90");
  EXPECT_EQ(json::parse(r.body).at("retry_after"), 90);
  // Without a payload, no header.
  EXPECT_TRUE(ApiProblem(ResourceExhausted("over the limit")).headers.empty());
}

TEST(ApiProblemTest, FirstConsumptionSaysWhenWhereAndByWhom) {
  const Timestamp at = ParseRfc3339("2026-11-29T10:00:00Z", "at").value();
  Response r = ApiProblem(AlreadyExists("already consumed")
                              .WithPayload(FirstConsumption{at, "Ayagoz meat plant", "insp"}));
  EXPECT_EQ(r.status, 409);
  auto j = json::parse(r.body);
  EXPECT_EQ(
      j.at("first_consumed"),
      json({{"at", "2026-11-29T10:00:00.000Z"}, {"place", "Ayagoz meat plant"}, {"by", "insp"}}));
  EXPECT_FALSE(j.contains("id"));
}

TEST(ApiProblemTest, UnmetRulesAreTheFailuresOnce) {
  RuleFailure f;
  f.rule = "slaughter-fmd-ppr";
  f.disease = "PPR";
  f.animal = "398000000000001";
  f.coverage.state = CoverageState::kNever;
  f.message = "PPR: never vaccinated";
  Response r = ApiProblem(
      Unprocessable("the animals do not meet the movement rules").WithPayload(UnmetRules{{f}}));
  EXPECT_EQ(r.status, 422);
  auto j = json::parse(r.body);
  EXPECT_EQ(j.at("failures"), json::array({{{"animal", "398000000000001"},
                                            {"rule", "slaughter-fmd-ppr"},
                                            {"disease", "PPR"},
                                            {"state", "never"},
                                            {"message", "PPR: never vaccinated"}}}));
  // The list goes out once: no copy of it as text.
  EXPECT_EQ(j.size(), 5u) << r.body;  // type, title, status, detail, failures
}

TEST(ApiProblemTest, InternalSendsNoPayload) {
  Response r = ApiProblem(Internal("bug").WithPayload(ExistingRecord{42}));
  EXPECT_EQ(r.status, 500);
  EXPECT_FALSE(json::parse(r.body).contains("id")) << r.body;
}

}  // namespace
}  // namespace herdpass::http
