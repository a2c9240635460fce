// Ear tag validation. Hand-written: the schemes are a few fixed digit-range rules, and no Debian
// package validates ISO 11784 or China's livestock tag numbers.
#include "domain/ear_tag.h"

#include <optional>

namespace herdpass {
namespace {

constexpr size_t kTagDigits = 15;
constexpr size_t kMaxInputChars = 64;

// First two digits of the county code: China's province-level divisions (GB/T 2260).
bool IsChineseProvinceCode(int p) {
  return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) || (p >= 31 && p <= 37) ||
         (p >= 41 && p <= 46) || (p >= 50 && p <= 54) || (p >= 61 && p <= 65) || p == 71 ||
         p == 81 || p == 82;
}

int DigitsValue(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

// Why `digits` (exactly 15 digits) is not an ISO 11784 code, or nullopt when it is one.
std::optional<std::string> IsoProblem(const std::string& digits) {
  int code = DigitsValue(std::string_view(digits).substr(0, 3));
  if (code == 0 || code == 999) {
    return "code " + digits.substr(0, 3) +
           " is neither a country code (001-899) nor a manufacturer code (900-998)";
  }
  return std::nullopt;
}

// Why `digits` (exactly 15 digits) is not a Chinese livestock tag, or nullopt when it is one.
std::optional<std::string> ChinaProblem(const std::string& digits) {
  if (digits[0] == '0') return std::string("species code 0 is not used (must be 1-9)");
  int province = DigitsValue(std::string_view(digits).substr(1, 2));
  if (!IsChineseProvinceCode(province)) {
    return "county code " + digits.substr(1, 6) + " does not start with a Chinese province code";
  }
  return std::nullopt;
}

const char* SchemeTitle(EarTagScheme s) {
  return s == EarTagScheme::kChina ? "a Chinese livestock tag" : "an ISO 11784 tag";
}

}  // namespace

const char* EarTagSchemeName(EarTagScheme s) {
  switch (s) {
    case EarTagScheme::kIso11784:
      return "iso11784";
    case EarTagScheme::kChina:
      return "cn";
  }
  return "unknown";
}

Result<EarTagScheme> ParseEarTagScheme(std::string_view name) {
  for (EarTagScheme s : {EarTagScheme::kIso11784, EarTagScheme::kChina}) {
    if (name == EarTagSchemeName(s)) return s;
  }
  return InvalidArgument("scheme",
                         "must be iso11784 or cn, got \"" + std::string(name.substr(0, 32)) + "\"");
}

Result<EarTag> ParseEarTag(std::string_view text, const std::vector<EarTagScheme>& enabled,
                           std::string_view field) {
  auto bad = [&](const std::string& why) { return InvalidArgument(std::string(field), why); };
  if (enabled.empty()) return FailedPrecondition("no ear tag scheme is enabled");
  if (text.size() > kMaxInputChars) return bad("is too long: an ear tag has 15 digits");
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != ' ' && c != '-' && c != '.') {
      return bad("may contain only digits, with spaces, '-' or '.' between groups");
    }
  }
  if (digits.empty()) return bad("is empty; enter the 15 digits of the ear tag");
  if (digits.size() != kTagDigits) {
    return bad("must have 15 digits, got " + std::to_string(digits.size()));
  }
  std::string reasons;
  for (EarTagScheme s : enabled) {
    auto problem = s == EarTagScheme::kChina ? ChinaProblem(digits) : IsoProblem(digits);
    if (!problem) return EarTag{digits, s};
    if (!reasons.empty()) reasons += "; nor ";
    reasons += std::string(SchemeTitle(s)) + ": " + *problem;
  }
  return bad("is not " + reasons);
}

}  // namespace herdpass
