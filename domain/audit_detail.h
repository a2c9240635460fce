// The `detail` of an audit entry (domain/audit.h): a small flat JSON object, built here only.
//
// Members appear in the order they are added, each written once by the caller. The text is
// nlohmann::json's compact dump() of the object (RFC 8259 escaping); bytes that are not UTF-8 are
// written as U+FFFD, so the audit row is always valid JSON, whatever a caller passed. The stored
// text is part of the hash chain (ChainHash), so this format does not change for rows already
// written.
#pragma once

#include <concepts>
#include <cstdint>
#include <nlohmann/json.hpp>
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
    object_[std::string(key)] = value;
    return *this;
  }
  AuditDetail& Add(std::string_view key, const std::vector<std::string>& values);

  // The JSON object: "{}" when nothing was added.
  std::string Text() const;

 private:
  nlohmann::ordered_json object_ = nlohmann::ordered_json::object();
};

}  // namespace herdpass
