// JSON <-> service types for the API of DESIGN.md section 7. The only place that knows the wire
// field names. Type errors name the field as the client wrote it ("records[2].head_count").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/status.h"
#include "service/service.h"

namespace herdpass::http {

// Reads typed members of one JSON object. Absent and null members read as empty; a member of the
// wrong type records an error (the first one wins) and reads as empty.
class FieldReader {
 public:
  FieldReader(const nlohmann::json& object, std::string prefix);

  std::string String(const char* key);
  std::optional<int64_t> Integer(const char* key);
  std::optional<double> Number(const char* key);
  std::vector<std::string> StringList(const char* key);

  const Status& status() const { return status_; }

 private:
  const nlohmann::json* Member(const char* key);
  void TypeError(const char* key, const char* expected);

  const nlohmann::json& object_;
  std::string prefix_;
  Status status_;
};

// The body must be a JSON object; otherwise a 400 naming "body".
Status RequireObject(const nlohmann::json& body);

Result<std::vector<VaccinationRecordInput>> ParseBatch(const nlohmann::json& body);

nlohmann::json ToJson(const Owner& o);
nlohmann::json ToJson(const Animal& a);
nlohmann::json ToJson(const Vaccination& v);
nlohmann::json ToJson(const User& u);
nlohmann::json ToJson(const DiseaseCoverage& c, const Catalogue& catalogue);
nlohmann::json ToJson(const AuditRow& r);
nlohmann::json ToJson(const BatchSummary& s);
nlohmann::json ToJson(const LookupResult& r, const Catalogue& catalogue);
nlohmann::json ToJson(const AnimalView& v, const Catalogue& catalogue);

}  // namespace herdpass::http
