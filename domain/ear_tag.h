// Ear tags: the identifiers printed on (or encoded in) an animal's ear tag.
//
// Two 15-digit schemes are built in (DESIGN.md section 5):
//  - ISO 11784: 3-digit country (ISO 3166-1 numeric, 001-899) or manufacturer (900-998) code, then
//    a 12-digit national identification number.
//  - China's livestock tag: 1-digit species code, 6-digit county (administrative division) code,
//  then
//    an 8-digit serial.
// A deployment enables one or both. Input may carry spaces, dashes or dots between groups; the
// stored form is the 15 digits alone. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/status.h"

namespace herdpass {

enum class EarTagScheme { kIso11784, kChina };

const char* EarTagSchemeName(EarTagScheme s);  // "iso11784", "cn"
Result<EarTagScheme> ParseEarTagScheme(std::string_view name);

struct EarTag {
  std::string digits;  // normalized: exactly 15 ASCII digits
  EarTagScheme scheme;
};

// Normalizes and validates `text` against the enabled schemes, trying them in order; the error
// names `field` and says why the text is not a tag of any enabled scheme.
Result<EarTag> ParseEarTag(std::string_view text, const std::vector<EarTagScheme>& enabled,
                           std::string_view field = "tag");

}  // namespace herdpass
