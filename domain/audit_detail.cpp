#include "domain/audit_detail.h"

namespace herdpass {

AuditDetail& AuditDetail::Add(std::string_view key, std::string_view value) {
  object_[std::string(key)] = std::string(value);
  return *this;
}

AuditDetail& AuditDetail::Add(std::string_view key, bool value) {
  object_[std::string(key)] = value;
  return *this;
}

AuditDetail& AuditDetail::Add(std::string_view key, const std::vector<std::string>& values) {
  object_[std::string(key)] = values;
  return *this;
}

std::string AuditDetail::Text() const {
  // Compact, not ASCII-escaped, and invalid UTF-8 replaced (dump() would throw on it).
  return object_.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace herdpass
