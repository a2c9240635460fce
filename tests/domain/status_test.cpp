#include "domain/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace herdpass {
namespace {

Result<std::unique_ptr<int>> MakeInt(bool ok, int v) {
  if (!ok) return NotFound("no int");
  return std::make_unique<int>(v);
}

// Adds two Results with the macro: each failure returns at once, with its own status.
Result<int> Sum(bool first_ok, bool second_ok, int* steps) {
  HP_ASSIGN_OR_RETURN(auto a, MakeInt(first_ok, 2));
  ++*steps;
  std::unique_ptr<int> b;
  HP_ASSIGN_OR_RETURN(b, MakeInt(second_ok, 3));  // assigns to an existing (move-only) variable
  ++*steps;
  return *a + *b;
}

TEST(StatusTest, AssignOrReturnGivesTheValueWhenOk) {
  int steps = 0;
  Result<int> r = Sum(true, true, &steps);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 5);
  EXPECT_EQ(steps, 2);
}

TEST(StatusTest, AssignOrReturnReturnsTheFirstFailureAndRunsNothingAfterIt) {
  int steps = 0;
  Result<int> r = Sum(false, true, &steps);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "no int");
  EXPECT_EQ(steps, 0);

  steps = 0;
  r = Sum(true, false, &steps);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(steps, 1);
}

struct Wait {
  int seconds = 0;
};
struct Other {};

Result<int> Throttled() { return ResourceExhausted("slow down").WithPayload(Wait{30}); }

TEST(StatusTest, PayloadIsReadBackByItsTypeOnly) {
  Result<int> r = Throttled();
  ASSERT_FALSE(r.ok());
  const Status copy = r.status();  // through a Result, then copied: the payload goes along
  ASSERT_NE(copy.payload<Wait>(), nullptr);
  EXPECT_EQ(copy.payload<Wait>()->seconds, 30);
  EXPECT_EQ(copy.payload<Other>(), nullptr);
  EXPECT_EQ(copy.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(copy.message(), "slow down");
  EXPECT_EQ(NotFound("x").payload<Wait>(), nullptr);
}

// The early return of HP_ASSIGN_OR_RETURN keeps the payload of the failure it passes on.
Result<std::unique_ptr<int>> PassOn() {
  HP_ASSIGN_OR_RETURN(int v, Throttled());
  return std::make_unique<int>(v);
}

TEST(StatusTest, AssignOrReturnPassesThePayloadOn) {
  auto r = PassOn();
  ASSERT_FALSE(r.ok());
  ASSERT_NE(r.status().payload<Wait>(), nullptr);
  EXPECT_EQ(r.status().payload<Wait>()->seconds, 30);
}

}  // namespace
}  // namespace herdpass
