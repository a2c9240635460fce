// Fuzz target: ear tag numbers (domain/ear_tag.h), typed or scanned from a tag.
//
// The first input byte picks the enabled schemes (ISO 11784, China's, both in either order, or
// none); the rest is the tag text. Properties: never crashes; a success is exactly 15 ASCII digits
// of an enabled scheme, and parsing those digits again gives the same tag and scheme; a failure
// names the field (or, with no scheme enabled, is kFailedPrecondition).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "domain/ear_tag.h"
#include "fuzz/fuzz_check.h"

using herdpass::EarTagScheme;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<EarTagScheme> kSchemes[] = {
      {EarTagScheme::kIso11784},
      {EarTagScheme::kChina},
      {EarTagScheme::kIso11784, EarTagScheme::kChina},
      {EarTagScheme::kChina, EarTagScheme::kIso11784},
      {},
  };
  constexpr size_t kCount = sizeof kSchemes / sizeof kSchemes[0];
  if (size < 1) return 0;
  const std::vector<EarTagScheme>& enabled = kSchemes[data[0] % kCount];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  auto tag = herdpass::ParseEarTag(text, enabled, "animal_tags[0]");
  if (!tag.ok()) {
    if (enabled.empty()) {
      FUZZ_CHECK(tag.status().code() == herdpass::StatusCode::kFailedPrecondition);
    } else {
      FUZZ_CHECK(tag.status().code() == herdpass::StatusCode::kInvalidArgument);
      FUZZ_CHECK(tag.status().field() == "animal_tags[0]");
    }
    FUZZ_CHECK(!tag.status().message().empty());
    return 0;
  }
  FUZZ_CHECK(!enabled.empty());
  FUZZ_CHECK(tag->digits.size() == 15);
  FUZZ_CHECK(std::all_of(tag->digits.begin(), tag->digits.end(),
                         [](char c) { return c >= '0' && c <= '9'; }));
  FUZZ_CHECK(std::find(enabled.begin(), enabled.end(), tag->scheme) != enabled.end());
  // The digits are the input without its separators, in order.
  std::string_view rest = text;
  for (char c : tag->digits) {
    size_t at = rest.find(c);
    FUZZ_CHECK(at != std::string_view::npos && rest.find_first_not_of(" -.") == at);
    rest.remove_prefix(at + 1);
  }
  FUZZ_CHECK(rest.find_first_not_of(" -.") == std::string_view::npos);

  // Round trip: the stored form parses to itself under the same schemes.
  auto again = herdpass::ParseEarTag(tag->digits, enabled);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->digits == tag->digits);
  FUZZ_CHECK(again->scheme == tag->scheme);
  FUZZ_CHECK(herdpass::ParseEarTagScheme(herdpass::EarTagSchemeName(tag->scheme)).ok());
  return 0;
}
