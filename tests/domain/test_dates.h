// D("2026-11-29"): a Date written as text in a domain test; a text that does not parse fails the
// test (with the parser's reason) rather than give a default date silently.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "domain/time.h"

namespace herdpass {

inline Date D(std::string_view s) {
  auto r = Date::Parse(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().ToString();
  return r.ok() ? *r : Date();
}

}  // namespace herdpass
