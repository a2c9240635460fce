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

}  // namespace
}  // namespace herdpass
