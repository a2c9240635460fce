#include "domain/model.h"

namespace herdpass {
namespace {

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

}  // namespace

const char* RoleName(Role r) {
  switch (r) {
    case Role::kVaccinator:
      return "vaccinator";
    case Role::kVet:
      return "vet";
    case Role::kInspector:
      return "inspector";
    case Role::kAdmin:
      return "admin";
    case Role::kAuditor:
      return "auditor";
  }
  return "unknown";
}

Result<Role> ParseRole(std::string_view name) {
  for (Role r : kAllRoles) {
    if (name == RoleName(r)) return r;
  }
  return InvalidArgument("role",
                         "must be one of vaccinator, vet, inspector, admin, auditor; got \"" +
                             std::string(name.substr(0, 32)) + "\"");
}

bool InJurisdiction(std::string_view scope, std::string_view code) {
  if (scope.empty()) return false;
  if (code.size() < scope.size() || code.substr(0, scope.size()) != scope) return false;
  // "KZ" contains "KZ-ABY" but not "KZA": the prefix must end at a part boundary.
  return code.size() == scope.size() || code[scope.size()] == '-';
}

Status ValidateAuthorityCode(std::string_view code, std::string_view field) {
  auto bad = [&](const char* why) {
    return InvalidArgument(std::string(field),
                           std::string(why) + ", got \"" + std::string(code.substr(0, 64)) + "\"");
  };
  if (code.size() > 64) return bad("is too long (at most 64 characters)");
  if (code.size() < 2 || !IsUpper(code[0]) || !IsUpper(code[1])) {
    return bad("must start with a 2-letter country code such as KZ or CN");
  }
  if (code.size() == 2) return Status::Ok();
  if (code[2] != '-') return bad("must separate its parts with '-' after the country code");
  size_t part_len = 0;
  for (size_t i = 3; i < code.size(); ++i) {
    char c = code[i];
    if (c == '-') {
      if (part_len == 0) return bad("must not have an empty part");
      part_len = 0;
    } else if (IsUpper(c) || IsDigit(c)) {
      ++part_len;
    } else {
      return bad("may contain only A-Z, 0-9 and '-'");
    }
  }
  if (part_len == 0) return bad("must not have an empty part");
  return Status::Ok();
}

Result<std::string> NormalizeUuid(std::string_view text, std::string_view field) {
  static constexpr size_t kDashes[] = {8, 13, 18, 23};
  auto bad = InvalidArgument(std::string(field),
                             "must be a UUID such as 0190f1e4-7a3b-7c2d-8e9f-0a1b2c3d4e5f, got \"" +
                                 std::string(text.substr(0, 64)) + "\"");
  if (text.size() != 36) return bad;
  std::string out(text);
  for (size_t i = 0; i < out.size(); ++i) {
    bool dash_pos = i == kDashes[0] || i == kDashes[1] || i == kDashes[2] || i == kDashes[3];
    if (dash_pos) {
      if (out[i] != '-') return bad;
    } else {
      if (!IsHex(out[i])) return bad;
      if (out[i] >= 'A' && out[i] <= 'F') out[i] = static_cast<char>(out[i] - 'A' + 'a');
    }
  }
  return out;
}

std::string UuidText(std::span<const uint8_t, 16> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t k = 0; k < bytes.size(); ++k) {
    if (k == 4 || k == 6 || k == 8 || k == 10) out.push_back('-');
    out.push_back(kHex[bytes[k] >> 4]);
    out.push_back(kHex[bytes[k] & 0xf]);
  }
  return out;
}

}  // namespace herdpass
