#include "http/routes/json_mapping.h"

#include <unordered_map>

#include "http/response.h"

namespace herdpass::http {

using nlohmann::json;

FieldReader::FieldReader(const json& object, std::string prefix)
    : object_(object), prefix_(std::move(prefix)) {}

const json* FieldReader::Member(const char* key) {
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

void FieldReader::TypeError(const char* key, const char* expected) {
  if (status_.ok()) {
    const std::string field = prefix_ + key;
    status_ = InvalidArgument(field, field + " must be " + expected);
  }
}

std::string FieldReader::String(const char* key) {
  const json* m = Member(key);
  if (m == nullptr) return {};
  if (!m->is_string()) {
    TypeError(key, "a string");
    return {};
  }
  return m->get<std::string>();
}

std::optional<int64_t> FieldReader::Integer(const char* key) {
  const json* m = Member(key);
  if (m == nullptr) return std::nullopt;
  if (!m->is_number_integer()) {
    TypeError(key, "an integer");
    return std::nullopt;
  }
  if (m->is_number_unsigned() && m->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    TypeError(key, "an integer in range");
    return std::nullopt;
  }
  return m->get<int64_t>();
}

std::optional<double> FieldReader::Number(const char* key) {
  const json* m = Member(key);
  if (m == nullptr) return std::nullopt;
  if (!m->is_number()) {
    TypeError(key, "a number");
    return std::nullopt;
  }
  return m->get<double>();
}

std::vector<std::string> FieldReader::StringList(const char* key) {
  const json* m = Member(key);
  if (m == nullptr) return {};
  if (!m->is_array()) {
    TypeError(key, "an array of strings");
    return {};
  }
  std::vector<std::string> out;
  out.reserve(m->size());
  for (const auto& e : *m) {
    if (!e.is_string()) {
      TypeError(key, "an array of strings");
      return {};
    }
    out.push_back(e.get<std::string>());
  }
  return out;
}

Status RequireObject(const json& body) {
  if (!body.is_object()) return InvalidArgument("body", "the body must be a JSON object");
  return Status::Ok();
}

Result<std::vector<VaccinationRecordInput>> ParseBatch(const json& body) {
  HP_RETURN_IF_ERROR(RequireObject(body));
  auto it = body.find("records");
  if (it == body.end() || !it->is_array()) {
    return InvalidArgument("records", "records must be an array of vaccination records");
  }
  std::vector<VaccinationRecordInput> out;
  out.reserve(it->size());
  for (size_t i = 0; i < it->size(); ++i) {
    const json& r = (*it)[i];
    const std::string prefix = "records[" + std::to_string(i) + "].";
    if (!r.is_object()) {
      return InvalidArgument(prefix.substr(0, prefix.size() - 1), "each record must be an object");
    }
    FieldReader f(r, prefix);
    VaccinationRecordInput in;
    in.id = f.String("id");
    in.owner_id = f.Integer("owner_id");
    in.owner_phone = f.String("owner_phone");
    in.owner_name = f.String("owner_name");
    in.animal_tags = f.StringList("animal_tags");
    in.species = f.String("species");
    in.head_count = f.Integer("head_count");
    in.disease = f.String("disease");
    in.vaccine = f.String("vaccine");
    in.batch_no = f.String("batch_no");
    in.dose_ml = f.Number("dose_ml");
    in.administered_on = f.String("administered_on");
    in.lat = f.Number("lat");
    in.lon = f.Number("lon");
    in.device_id = f.String("device_id");
    in.corrects = f.String("corrects");
    if (!f.status().ok()) return f.status();
    out.push_back(std::move(in));
  }
  return out;
}

namespace {
json OptionalDate(const std::optional<Date>& d) { return d ? json(d->ToString()) : json(nullptr); }
template <typename T>
json OptionalValue(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}
}  // namespace

json ToJson(const Owner& o) {
  return {{"id", o.id},
          {"phone", o.phone},
          {"name", o.name},
          {"village", o.village},
          {"authority", o.authority},
          {"created_at", FormatRfc3339(o.created_at)}};
}

json ToJson(const Animal& a) {
  return {{"id", a.id},
          {"owner_id", a.owner_id},
          {"kind", a.is_flock() ? "flock" : "animal"},
          {"tag", a.tag ? json(*a.tag) : json(nullptr)},
          {"species", a.species},
          {"head_count", a.head_count},
          {"sex", a.sex.empty() ? json(nullptr) : json(a.sex)},
          {"birth_date", OptionalDate(a.birth_date)},
          {"authority", a.authority},
          {"created_at", FormatRfc3339(a.created_at)}};
}

json ToJson(const Vaccination& v) {
  json j = {{"id", v.id},
            {"owner_id", v.owner_id},
            {"animal_ids", v.animal_ids},
            {"species", v.species},
            {"head_count", v.head_count},
            {"disease", v.disease},
            {"vaccine", v.vaccine},
            {"batch_no", v.batch_no},
            {"dose_ml", OptionalValue(v.dose_ml)},
            {"administered_on", v.administered_on.ToString()},
            {"lat", OptionalValue(v.lat)},
            {"lon", OptionalValue(v.lon)},
            {"device_id", v.device_id},
            {"recorded_by", v.recorded_by},
            {"recorded_at", FormatRfc3339(v.recorded_at)},
            {"authority", v.authority},
            {"voided", v.voided}};
  if (v.voided) {
    j["void_reason"] = v.void_reason;
    j["voided_at"] = v.voided_at ? json(FormatRfc3339(*v.voided_at)) : json(nullptr);
  }
  if (!v.corrects.empty()) j["corrects"] = v.corrects;
  return j;
}

json ToJson(const User& u) {
  return {{"id", u.id},
          {"username", u.username},
          {"role", RoleName(u.role)},
          {"authority", u.authority},
          {"disabled", u.disabled}};
}

json ToJson(const DiseaseCoverage& c, const Catalogue& catalogue) {
  const Disease* d = catalogue.FindDisease(c.disease);
  return {{"disease", c.disease},
          {"disease_name", d ? d->name : c.disease},
          {"status", CoverageStateName(c.state)},
          {"last_dose", OptionalDate(c.last_dose)},
          {"covered_until", OptionalDate(c.covered_until)},
          {"overdue_since", OptionalDate(c.overdue_since)}};
}

json ToJson(const AuditRow& r) {
  json detail = json::parse(r.entry.detail, nullptr, false);
  return {{"seq", r.seq},
          {"at", FormatRfc3339(r.entry.at)},
          {"user_id", r.entry.user_id},
          {"username", r.entry.username},
          {"action", r.entry.action},
          {"target", r.entry.target},
          {"detail", detail.is_discarded() ? json(r.entry.detail) : detail},
          {"address", r.entry.address},
          {"hash", r.hash}};
}

json ToJson(const BatchSummary& s) {
  json results = json::array();
  for (const auto& r : s.results) {
    json item = {{"id", r.id}, {"status", RecordOutcomeName(r.outcome)}};
    if (r.outcome == RecordOutcome::kRejected) {
      item["reason"] = {{"type", std::string(kProblemTypeBase) + ProblemTypeName(r.reason.code())},
                        {"title", r.reason.message()},
                        {"field", r.reason.field()}};
    } else {
      item["owner_id"] = r.owner_id;
    }
    results.push_back(std::move(item));
  }
  return {{"created", s.created},
          {"duplicate", s.duplicate},
          {"rejected", s.rejected},
          {"results", std::move(results)}};
}

json ToJson(const LookupResult& r, const Catalogue& catalogue) {
  std::unordered_map<int64_t, const UnitCoverage*> unit_cov;
  for (const auto& u : r.coverage.units) unit_cov[u.animal_id] = &u;
  json animals = json::array();
  for (const auto& a : r.animals) {
    json j = ToJson(a);
    json cov = json::array();
    if (auto it = unit_cov.find(a.id); it != unit_cov.end()) {
      for (const auto& c : it->second->diseases) cov.push_back(ToJson(c, catalogue));
    }
    j["coverage"] = std::move(cov);
    animals.push_back(std::move(j));
  }
  json vaccinations = json::array();
  for (const auto& v : r.vaccinations) vaccinations.push_back(ToJson(v));
  json coverage = json::array();
  for (const auto& c : r.coverage.diseases) coverage.push_back(ToJson(c, catalogue));
  return {{"owner", ToJson(r.owner)},      {"today", r.today.ToString()},
          {"since", r.since.ToString()},   {"coverage", std::move(coverage)},
          {"animals", std::move(animals)}, {"vaccinations", std::move(vaccinations)}};
}

json ToJson(const AnimalView& v, const Catalogue& catalogue) {
  json j = ToJson(v.animal);
  j["owner"] = ToJson(v.owner);
  json vs = json::array();
  for (const auto& x : v.vaccinations) vs.push_back(ToJson(x));
  j["vaccinations"] = std::move(vs);
  json cov = json::array();
  for (const auto& c : v.coverage) cov.push_back(ToJson(c, catalogue));
  j["coverage"] = std::move(cov);
  return j;
}

}  // namespace herdpass::http
