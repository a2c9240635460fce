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

// Responses are written with RapidJSON's streaming Writer straight into the body string: the W2
// answer carries ~50 records and ~60 coverage entries, and building an nlohmann::json tree for it
// cost ~90% of a lookup's CPU (callgrind, bench/). Requests are still parsed with nlohmann::json.
std::string OwnerJson(const Owner& o);
std::string AnimalJson(const Animal& a);
std::string LoginJson(const LoginResult& r);
std::string BatchSummaryJson(const BatchSummary& s);
std::string AuditPageJson(const std::vector<AuditRow>& rows, std::optional<int64_t> next_cursor);
std::string LookupJson(const LookupResult& r, const Catalogue& catalogue);
std::string AnimalViewJson(const AnimalView& v, const Catalogue& catalogue);
std::string CatalogueJson(const Catalogue& c);

}  // namespace herdpass::http
