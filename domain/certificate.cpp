#include "domain/certificate.h"

namespace herdpass {
namespace {

// The province of an authority code: its first two parts ("CN-65-650203" -> "CN-65"); a country
// code alone is its own province.
std::string_view ProvinceOf(std::string_view code) {
  size_t first = code.find('-');
  if (first == std::string_view::npos) return code;
  size_t second = code.find('-', first + 1);
  return second == std::string_view::npos ? code : code.substr(0, second);
}

std::string_view CountryOf(std::string_view code) { return code.substr(0, code.find('-')); }

// Decodes one UTF-8 sequence starting at `i` and returns its length (1 for a stray byte), so that
// masking never cuts a Cyrillic, Arabic-script or Chinese letter in half.
size_t Utf8Length(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  if (i + len > s.size()) return 1;
  for (size_t k = 1; k < len; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 1;
  }
  return len;
}

}  // namespace

const char* PurposeName(Purpose p) {
  switch (p) {
    case Purpose::kSlaughter:
      return "slaughter";
    case Purpose::kSale:
      return "sale";
    case Purpose::kBreeding:
      return "breeding";
    case Purpose::kGrazing:
      return "grazing";
    case Purpose::kExport:
      return "export";
  }
  return "unknown";
}

Result<Purpose> ParsePurpose(std::string_view text, std::string_view field) {
  for (Purpose p : kAllPurposes) {
    if (text == PurposeName(p)) return p;
  }
  return InvalidArgument(std::string(field),
                         "must be one of slaughter, sale, breeding, grazing, export; got \"" +
                             std::string(text.substr(0, 32)) + "\"");
}

const char* CertificateStatusName(CertificateStatus s) {
  switch (s) {
    case CertificateStatus::kIssued:
      return "issued";
    case CertificateStatus::kConsumed:
      return "consumed";
    case CertificateStatus::kRevoked:
      return "revoked";
  }
  return "unknown";
}

Result<CertificateStatus> ParseCertificateStatus(std::string_view text) {
  for (auto s :
       {CertificateStatus::kIssued, CertificateStatus::kConsumed, CertificateStatus::kRevoked}) {
    if (text == CertificateStatusName(s)) return s;
  }
  return InvalidArgument("status", "must be one of issued, consumed, revoked");
}

const char* MovementScopeName(MovementScope s) {
  switch (s) {
    case MovementScope::kWithinProvince:
      return "within_province";
    case MovementScope::kAcrossProvinces:
      return "across_provinces";
    case MovementScope::kExport:
      return "export";
  }
  return "unknown";
}

MovementScope ScopeOf(std::string_view origin, std::string_view destination) {
  if (CountryOf(origin) != CountryOf(destination)) return MovementScope::kExport;
  return ProvinceOf(origin) == ProvinceOf(destination) ? MovementScope::kWithinProvince
                                                       : MovementScope::kAcrossProvinces;
}

const std::vector<MovementRule>& DefaultMovementRules() {
  static const auto* const kRules = new std::vector<MovementRule>{
      {"slaughter-fmd-ppr", Purpose::kSlaughter, std::nullopt, {}, {"FMD-O", "FMD-A", "PPR"}, 0},
      {"sale-fmd-ppr", Purpose::kSale, std::nullopt, {}, {"FMD-O", "FMD-A", "PPR"}, 0},
      {"export-fmd-ppr-sgp-anthrax",
       Purpose::kExport,
       std::nullopt,
       {},
       {"FMD-O", "FMD-A", "PPR", "SGP", "ANTHRAX"},
       0},
      {"breeding-across-provinces-fmd",
       Purpose::kBreeding,
       MovementScope::kAcrossProvinces,
       {},
       {"FMD-O", "FMD-A"},
       0},
      {"grazing-across-provinces-fmd",
       Purpose::kGrazing,
       MovementScope::kAcrossProvinces,
       {},
       {"FMD-O", "FMD-A"},
       0},
      {"slaughter-poultry-hpai-nd",
       Purpose::kSlaughter,
       std::nullopt,
       {"poultry"},
       {"HPAI", "ND"},
       0},
      {"sale-poultry-hpai-nd", Purpose::kSale, std::nullopt, {"poultry"}, {"HPAI", "ND"}, 0},
  };
  return *kRules;
}

const char* CertificateStatusAt(const Certificate& c, Timestamp now) {
  if (c.status == CertificateStatus::kIssued && c.expired_at(now)) return "expired";
  return CertificateStatusName(c.status);
}

Result<Timestamp> ValidUntil(MovementScope scope, Timestamp issued_at, const ValidityPolicy& policy,
                             std::optional<int64_t> valid_hours) {
  Timestamp until;
  if (scope == MovementScope::kWithinProvince) {
    // 23:59:59 local time on the local day of issue.
    const Date today = Date::Of(issued_at + policy.local_utc_offset);
    until =
        Timestamp(today.AddDays(1).sys_days()) - policy.local_utc_offset - std::chrono::seconds(1);
  } else {
    until = issued_at + std::chrono::days(policy.days_across_provinces);
  }
  if (!valid_hours) return until;
  const auto longest = std::chrono::duration_cast<std::chrono::hours>(until - issued_at);
  if (*valid_hours > longest.count()) {
    return InvalidArgument("valid_hours",
                           "valid_hours may only shorten the default validity: at most " +
                               std::to_string(longest.count()) + " hours for a " +
                               MovementScopeName(scope) + " movement");
  }
  return issued_at + std::chrono::hours(*valid_hours);
}

std::string MaskName(std::string_view name) {
  std::string out;
  bool word_start = true;
  for (size_t i = 0; i < name.size();) {
    size_t len = Utf8Length(name, i);
    char c = name[i];
    if (c == ' ' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
      word_start = true;
    } else if (word_start) {
      out.append(name.substr(i, len));
      word_start = false;
    } else {
      out += '*';
    }
    i += len;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace herdpass
