// Exact-error assertions for domain tests: code, field and (optionally) message, never "it failed".
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "domain/status.h"

namespace herdpass::testing {

inline ::testing::AssertionResult IsInvalidArgument(const Status& s, std::string_view field,
                                                    std::string_view message = {}) {
  if (s.code() != StatusCode::kInvalidArgument) {
    return ::testing::AssertionFailure() << "expected invalid_argument, got " << s.ToString();
  }
  if (s.field() != field) {
    return ::testing::AssertionFailure()
           << "expected field \"" << field << "\", got " << s.ToString();
  }
  if (!message.empty() && s.message() != message) {
    return ::testing::AssertionFailure()
           << "expected message \"" << message << "\", got \"" << s.message() << "\"";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace herdpass::testing
