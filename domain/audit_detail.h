// The `detail` of an audit entry (domain/audit.h): a small flat JSON object, built here only.
//
// Members appear in the order they are added, each written once by the caller. Strings are escaped
// as RFC 8259 requires (quote, backslash and the control characters below U+0020; `\b \f \n \r \t`
// by name, the rest as `\u00XX`); every other character is written as it is, so the text is the
// same as nlohmann::json's dump() of the same object. Bytes that are not UTF-8 are written as
// U+FFFD: the audit row is always valid JSON, whatever a caller passed. The stored text is part of
// the hash chain (ChainHash), so this format does not change for rows already written.
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace herdpass {

class AuditDetail {
 public:
  AuditDetail& Add(std::string_view key, std::string_view value);
  AuditDetail& Add(std::string_view key, const char* value) {
    return Add(key, std::string_view(value));
  }
  AuditDetail& Add(std::string_view key, bool value);
  template <std::integral T>
  requires(!std::same_as<T, bool>) AuditDetail& Add(std::string_view key, T value) {
    Key(key);
    body_ += std::to_string(value);
    return *this;
  }
  AuditDetail& Add(std::string_view key, const std::vector<std::string>& values);

  // The JSON object: "{}" when nothing was added.
  std::string Text() const { return "{" + body_ + "}"; }

 private:
  void Key(std::string_view key);
  std::string body_;  // the members, comma-separated, without the braces
};

// Appends `text` to `out` as a JSON string, quotes included, escaped as described above.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace herdpass
