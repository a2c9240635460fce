// Gunzip for tests that check what a server gzips: one helper for the http/ unit tests and the
// black-box API tests.
#pragma once

#include <string>
#include <string_view>

namespace herdpass::testing {

// The bytes a complete gzip stream (RFC 1952) holds; "<not a complete gzip stream>" otherwise, so
// that a comparison with the expected text fails and shows why.
std::string Gunzip(std::string_view gz);

}  // namespace herdpass::testing
