#include "http/routes/json_mapping.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include "domain/animal_events.h"
#include "domain/movement.h"
#include "domain/passage.h"
#include "http/response.h"

namespace herdpass::http {

using nlohmann::json;

FieldReader::FieldReader(const json& object, std::string prefix)
    : object_(object), prefix_(std::move(prefix)) {}

const json* FieldReader::Member(const char* key) {
  asked_.emplace_back(key);
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

const json* FieldReader::Array(const char* key, const char* expected) {
  const json* m = Member(key);
  if (m == nullptr) return nullptr;
  if (!m->is_array()) {
    TypeError(key, expected);
    return nullptr;
  }
  return m;
}

Status FieldReader::Done() const {
  for (const auto& [key, value] : object_.items()) {
    if (std::find(asked_.begin(), asked_.end(), key) != asked_.end()) continue;
    // The name is the client's: cut it short before echoing it back.
    const std::string name = key.size() > 64 ? key.substr(0, 64) + "..." : key;
    return InvalidArgument(prefix_ + name, "unknown field \"" + name + "\"");
  }
  return status_;
}

Status RequireObject(const json& body) {
  if (!body.is_object()) return InvalidArgument("body", "the body must be a JSON object");
  return Status::Ok();
}

Result<std::vector<VaccinationRecordInput>> ParseBatch(const json& body) {
  HP_RETURN_IF_ERROR(RequireObject(body));
  constexpr const char* kRecordsExpected = "an array of vaccination records";
  FieldReader top(body, "");
  const json* records = top.Array("records", kRecordsExpected);
  HP_RETURN_IF_ERROR(top.Done());
  if (records == nullptr) {
    return InvalidArgument("records", std::string("records must be ") + kRecordsExpected);
  }
  std::vector<VaccinationRecordInput> out;
  out.reserve(records->size());
  for (size_t i = 0; i < records->size(); ++i) {
    const json& r = (*records)[i];
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
    in.holding = f.Integer("holding");
    HP_RETURN_IF_ERROR(f.Done());
    out.push_back(std::move(in));
  }
  return out;
}

Result<CertificateRequest> ParseCertificateRequest(const json& body) {
  HP_RETURN_IF_ERROR(RequireObject(body));
  FieldReader f(body, "");
  CertificateRequest r;
  r.owner_id = f.Integer("owner_id");
  r.owner_phone = f.String("owner_phone");
  r.animal_tags = f.StringList("animal_tags");
  r.species = f.String("species");
  r.head_count = f.Integer("head_count");
  r.purpose = f.String("purpose");
  r.origin = f.String("origin");
  r.origin_place = f.String("origin_place");
  r.destination = f.String("destination");
  r.destination_place = f.String("destination_place");
  r.transport = f.String("transport");
  r.valid_hours = f.Integer("valid_hours");
  r.origin_holding = f.Integer("origin_holding");
  r.destination_holding = f.Integer("destination_holding");
  r.buyer_phone = f.String("buyer_phone");
  r.buyer_name = f.String("buyer_name");
  HP_RETURN_IF_ERROR(f.Done());
  return r;
}

Result<TransferRequest> ParseTransferRequest(const json& body) {
  HP_RETURN_IF_ERROR(RequireObject(body));
  FieldReader f(body, "");
  TransferRequest r;
  r.id = f.String("id");
  r.seller_id = f.Integer("seller_id");
  r.seller_phone = f.String("seller_phone");
  r.buyer_phone = f.String("buyer_phone");
  r.buyer_name = f.String("buyer_name");
  r.tags = f.StringList("tags");
  r.flock_id = f.Integer("flock_id");
  r.head = f.Integer("head");
  r.date = f.String("date");
  HP_RETURN_IF_ERROR(f.Done());
  return r;
}

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Str(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
void Field(Writer& w, const char* key, std::string_view value) {
  w.Key(key);
  Str(w, value);
}
// Without this overload a string literal would pick the bool one.
void Field(Writer& w, const char* key, const char* value) {
  w.Key(key);
  Str(w, value);
}
void Field(Writer& w, const char* key, int64_t value) {
  w.Key(key);
  w.Int64(value);
}
void Field(Writer& w, const char* key, bool value) {
  w.Key(key);
  w.Bool(value);
}
void Field(Writer& w, const char* key, const std::optional<Date>& d) {
  w.Key(key);
  if (d) {
    Str(w, d->ToString());
  } else {
    w.Null();
  }
}
void Field(Writer& w, const char* key, const std::optional<double>& v) {
  w.Key(key);
  if (v) {
    w.Double(*v);
  } else {
    w.Null();
  }
}
void TimeField(Writer& w, const char* key, Timestamp t) { Field(w, key, FormatRfc3339(t)); }
void NullableString(Writer& w, const char* key, const std::string& s) {
  w.Key(key);
  if (s.empty()) {
    w.Null();
  } else {
    Str(w, s);
  }
}

// The members of each entity, without the enclosing braces, so callers can add their own.
void Members(Writer& w, const Owner& o) {
  Field(w, "id", o.id);
  Field(w, "phone", o.phone);
  Field(w, "name", o.name);
  Field(w, "village", o.village);
  Field(w, "authority", o.authority);
  TimeField(w, "created_at", o.created_at);
}

// "holding": {id, code, name, kind} of a record that names one, from `holdings` (those the answer
// carries); nothing when it names none.
void HoldingRef(Writer& w, const std::optional<int64_t>& id, std::span<const Holding> holdings) {
  if (!id) return;
  for (const Holding& h : holdings) {
    if (h.id != *id) continue;
    w.Key("holding");
    w.StartObject();
    Field(w, "id", h.id);
    Field(w, "code", h.code);
    Field(w, "name", h.name);
    Field(w, "kind", HoldingKindName(h.kind));
    w.EndObject();
    return;
  }
}

void Members(Writer& w, const Animal& a, std::span<const Holding> holdings) {
  Field(w, "id", a.id);
  Field(w, "owner_id", a.owner_id);
  Field(w, "kind", a.is_flock() ? "flock" : "animal");
  NullableString(w, "tag", a.tag.value_or(""));
  Field(w, "species", a.species);
  Field(w, "head_count", int64_t{a.head_count});
  NullableString(w, "sex", a.sex);
  Field(w, "birth_date", a.birth_date);
  Field(w, "authority", a.authority);
  TimeField(w, "created_at", a.created_at);
  HoldingRef(w, a.holding_id, holdings);
  // W12: "alive", or how its life ended; and when (null while alive). A flock stays "alive".
  Field(w, "status", a.ended_kind ? AnimalEventKindName(*a.ended_kind) : "alive");
  Field(w, "ended_on", a.ended_on);
}

void Write(Writer& w, const AnimalEvent& e) {
  w.StartObject();
  Field(w, "id", e.id);
  Field(w, "animal_id", e.animal_id);
  Field(w, "kind", AnimalEventKindName(e.kind));
  Field(w, "date", e.on.ToString());
  Field(w, "reason", e.reason);
  NullableString(w, "old_tag", e.old_tag);
  NullableString(w, "new_tag", e.new_tag);
  Field(w, "head", int64_t{e.head});
  Field(w, "head_after", int64_t{e.head_after});
  Field(w, "recorded_by", e.recorded_by);
  TimeField(w, "recorded_at", e.recorded_at);
  w.EndObject();
}

// `earlier`, for a dose a bought animal had under an earlier owner (W8): that owner is named by
// its masked name only (previous_owner) and its id is not given (owner_id null).
void Write(Writer& w, const Vaccination& v, std::span<const Holding> holdings,
           const EarlierDose* earlier = nullptr) {
  w.StartObject();
  Field(w, "id", v.id);
  if (earlier) {
    w.Key("owner_id");
    w.Null();
    w.Key("previous_owner");
    w.StartObject();
    Field(w, "masked_name", earlier->previous_owner_masked);
    Field(w, "sold_on", earlier->sold_on.ToString());
    w.EndObject();
  } else {
    Field(w, "owner_id", v.owner_id);
  }
  w.Key("animal_ids");
  w.StartArray();
  for (int64_t id : v.animal_ids) w.Int64(id);
  w.EndArray();
  Field(w, "species", v.species);
  Field(w, "head_count", int64_t{v.head_count});
  Field(w, "disease", v.disease);
  Field(w, "vaccine", v.vaccine);
  Field(w, "batch_no", v.batch_no);
  Field(w, "dose_ml", v.dose_ml);
  Field(w, "administered_on", v.administered_on.ToString());
  Field(w, "lat", v.lat);
  Field(w, "lon", v.lon);
  Field(w, "device_id", v.device_id);
  Field(w, "recorded_by", v.recorded_by);
  TimeField(w, "recorded_at", v.recorded_at);
  Field(w, "authority", v.authority);
  Field(w, "voided", v.voided);
  if (v.voided) {
    Field(w, "void_reason", v.void_reason);
    w.Key("voided_at");
    if (v.voided_at) {
      Str(w, FormatRfc3339(*v.voided_at));
    } else {
      w.Null();
    }
  }
  if (!v.corrects.empty()) Field(w, "corrects", v.corrects);
  HoldingRef(w, v.holding_id, holdings);
  w.EndObject();
}

void Write(Writer& w, const DiseaseCoverage& c, const Catalogue& catalogue) {
  const Disease* d = catalogue.FindDisease(c.disease);
  w.StartObject();
  Field(w, "disease", c.disease);
  Field(w, "disease_name", d != nullptr ? std::string_view(d->name) : c.disease);
  Field(w, "status", CoverageStateName(c.state));
  Field(w, "last_dose", c.last_dose);
  Field(w, "covered_until", c.covered_until);
  Field(w, "overdue_since", c.overdue_since);
  w.EndObject();
}

void WriteCoverage(Writer& w, const std::vector<DiseaseCoverage>& list,
                   const Catalogue& catalogue) {
  w.Key("coverage");
  w.StartArray();
  for (const auto& c : list) Write(w, c, catalogue);
  w.EndArray();
}

void WriteVaccinations(Writer& w, const std::vector<Vaccination>& list,
                       std::span<const Holding> holdings) {
  w.Key("vaccinations");
  w.StartArray();
  for (const auto& v : list) Write(w, v, holdings);
  w.EndArray();
}

void WriteUser(Writer& w, const User& u) {
  w.StartObject();
  Field(w, "id", u.id);
  Field(w, "username", u.username);
  Field(w, "role", RoleName(u.role));
  Field(w, "authority", u.authority);
  Field(w, "disabled", u.disabled);
  w.EndObject();
}

void Strings(Writer& w, const char* key, const std::vector<std::string>& list) {
  w.Key(key);
  w.StartArray();
  for (const auto& s : list) Str(w, s);
  w.EndArray();
}

// The claims of a certificate that its signed payload carries, so that they may be shown to anyone
// holding the QR code: no owner id, name or phone number beyond the masked name and last 4 digits.
// `with_record_ids`: the stored vaccinations' ids, for signed-in readers (the QR code has none).
void PublicClaims(Writer& w, const Certificate& c, bool with_record_ids) {
  Field(w, "number", c.number);
  Field(w, "authority", c.authority);
  Field(w, "kid", c.kid);
  Field(w, "purpose", PurposeName(c.purpose));
  Field(w, "species", c.species);
  Field(w, "head_count", int64_t{c.head_count});
  Strings(w, "tags", c.tags);
  Field(w, "tag_count", static_cast<int64_t>(c.tags.size()));
  Field(w, "origin", c.origin);
  Field(w, "origin_place", c.origin_place);
  Field(w, "destination", c.destination);
  Field(w, "destination_place", c.destination_place);
  Field(w, "transport", c.transport);
  TimeField(w, "issued_at", c.issued_at);
  TimeField(w, "valid_until", c.valid_until);
  w.Key("vaccinations");
  w.StartArray();
  for (const auto& v : c.vaccinations) {
    w.StartObject();
    if (with_record_ids) Field(w, "record_id", v.record_id);
    Field(w, "disease", v.disease);
    Field(w, "administered_on", v.administered_on.ToString());
    Field(w, "batch_no", v.batch_no);
    w.EndObject();
  }
  w.EndArray();
  Field(w, "owner_masked_name", c.owner_masked_name);
  Field(w, "owner_phone_last4", c.owner_phone_last4);
}

template <typename Fn>
std::string Build(Fn&& fn, size_t reserve = 1024) {
  rapidjson::StringBuffer buffer(nullptr, reserve);
  Writer w(buffer);
  fn(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

std::string OwnerJson(const Owner& o) {
  return Build([&](Writer& w) {
    w.StartObject();
    Members(w, o);
    w.EndObject();
  });
}

std::string AnimalJson(const Animal& a, std::span<const Holding> holdings) {
  return Build([&](Writer& w) {
    w.StartObject();
    Members(w, a, holdings);
    w.EndObject();
  });
}

namespace {
void Members(Writer& w, const Holding& h) {
  Field(w, "id", h.id);
  Field(w, "code", h.code);
  Field(w, "kind", HoldingKindName(h.kind));
  Field(w, "name", h.name);
  Field(w, "authority", h.authority);
  w.Key("owner_id");
  if (h.owner_id) {
    w.Int64(*h.owner_id);
  } else {
    w.Null();
  }
  NullableString(w, "owner_masked_name", h.owner_masked_name);
  w.Key("lat");
  w.Double(h.lat);
  w.Key("lon");
  w.Double(h.lon);
  Field(w, "opened_on", h.opened_on.ToString());
  Field(w, "closed_on", h.closed_on);
  TimeField(w, "created_at", h.created_at);
}
}  // namespace

std::string HoldingJson(const Holding& h) {
  return Build([&](Writer& w) {
    w.StartObject();
    Members(w, h);
    w.EndObject();
  });
}

std::string HoldingPageJson(const HoldingPage& page) {
  return Build([&](Writer& w) {
    w.StartObject();
    w.Key("items");
    w.StartArray();
    for (const auto& item : page.items) {
      w.StartObject();
      Members(w, item.holding);
      if (item.distance_m) Field(w, "distance_m", *item.distance_m);
      w.EndObject();
    }
    w.EndArray();
    NullableString(w, "next_cursor", page.next_cursor);
    w.EndObject();
  });
}

std::string LoginJson(const LoginResult& r) {
  return Build([&](Writer& w) {
    w.StartObject();
    Field(w, "token", r.token);
    TimeField(w, "expires_at", r.expires_at);
    w.Key("user");
    WriteUser(w, r.user);
    w.EndObject();
  });
}

std::string BatchSummaryJson(const BatchSummary& s) {
  return Build(
      [&](Writer& w) {
        w.StartObject();
        Field(w, "created", int64_t{s.created});
        Field(w, "duplicate", int64_t{s.duplicate});
        Field(w, "rejected", int64_t{s.rejected});
        w.Key("results");
        w.StartArray();
        for (const auto& r : s.results) {
          w.StartObject();
          Field(w, "id", r.id);
          Field(w, "status", RecordOutcomeName(r.outcome));
          if (r.outcome == RecordOutcome::kRejected) {
            w.Key("reason");
            w.StartObject();
            // The same members as a problem+json answer (RFC 9457), for one record.
            Field(w, "type", std::string(kProblemTypeBase) + ProblemTypeName(r.reason.code()));
            Field(w, "title", ProblemTitle(r.reason.code()));
            Field(w, "status", int64_t{HttpStatusFor(r.reason.code())});
            Field(w, "detail", r.reason.message());
            if (!r.reason.field().empty()) Field(w, "field", r.reason.field());
            w.EndObject();
          } else {
            Field(w, "owner_id", r.owner_id);
          }
          w.EndObject();
        }
        w.EndArray();
        w.EndObject();
      },
      64 * s.results.size() + 64);
}

std::string CoverageJson(const CoverageAnswer& a) {
  return Build([&](Writer& w) {
    w.StartObject();
    Field(w, "region", a.region);
    Field(w, "from", a.from);
    Field(w, "to", a.to);
    // The monthly rows, then the period totals (no month): the same fields otherwise.
    for (const bool period : {false, true}) {
      w.Key(period ? "totals" : "rows");
      w.StartArray();
      for (const auto& r : period ? a.report.totals : a.report.rows) {
        w.StartObject();
        Field(w, "authority", r.authority);
        Field(w, "disease", r.disease);
        Field(w, "species", r.species);
        if (!period) Field(w, "month", r.month);
        Field(w, "vaccinated_head", r.vaccinated_head);
        Field(w, "registered_head", r.registered_head);
        w.Key("coverage");
        w.Double(r.coverage);
        w.EndObject();
      }
      w.EndArray();
    }
    Field(w, "truncated", a.report.truncated);
    w.EndObject();
  });
}

namespace {

// The entries of one owner's due list that name the same unit (consecutive: DueList orders them
// by unit), from `begin`; returns the end of the run.
size_t UnitRunEnd(const std::vector<DueUnit>& units, size_t begin) {
  size_t end = begin + 1;
  while (end < units.size() && units[end].unit.id == units[begin].unit.id) ++end;
  return end;
}

// The owners of one village: consecutive in a DueList.
size_t VillageRunEnd(const std::vector<DueOwner>& owners, size_t begin) {
  size_t end = begin + 1;
  while (end < owners.size() && owners[end].owner.village == owners[begin].owner.village) ++end;
  return end;
}

void WriteDueOwner(Writer& w, const DueOwner& o, bool masked, const Catalogue& catalogue) {
  w.StartObject();
  Field(w, "id", o.owner.id);
  Field(w, "name", o.owner.name);
  if (!masked) Field(w, "phone", o.owner.phone);
  Field(w, "village", o.owner.village);
  Field(w, "authority", o.owner.authority);
  w.Key("units");
  w.StartArray();
  for (size_t i = 0; i < o.units.size();) {
    const size_t end = UnitRunEnd(o.units, i);
    const Animal& a = o.units[i].unit;
    w.StartObject();
    Field(w, "animal_id", a.id);
    w.Key("tag");
    if (a.tag) {
      Str(w, *a.tag);
    } else {
      w.Null();
    }
    Field(w, "species", a.species);
    Field(w, "head_count", int64_t{a.head_count});
    w.Key("holding_id");
    if (a.holding_id) {
      w.Int64(*a.holding_id);
    } else {
      w.Null();
    }
    w.Key("due");
    w.StartArray();
    for (; i < end; ++i) {
      const DueUnit& u = o.units[i];
      const Disease* d = catalogue.FindDisease(u.coverage.disease);
      w.StartObject();
      Field(w, "disease", u.coverage.disease);
      Field(w, "disease_name", d != nullptr ? std::string_view(d->name) : u.coverage.disease);
      Field(w, "status", CoverageStateName(u.coverage.state));
      Field(w, "last_dose", u.coverage.last_dose);
      Field(w, "lapses_on", u.lapses_on);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

// A CSV field as RFC 4180 quotes it, and a text a spreadsheet would run as a formula (a name
// typed as "=HYPERLINK(...)") made plain text by a leading apostrophe. Hand-written: no CSV
// library is in the project, and these two rules are all the list needs.
void CsvField(std::string& out, std::string_view v, bool text) {
  const bool formula =
      text && !v.empty() && std::string_view("=+-@\t\r").find(v[0]) != std::string_view::npos;
  const bool quote = formula || v.find_first_of(",\"\r\n") != std::string_view::npos;
  if (quote) out += '"';
  if (formula) out += '\'';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  if (quote) out += '"';
}

}  // namespace

std::string DueJson(const DueAnswer& a, const Catalogue& catalogue) {
  return Build(
      [&](Writer& w) {
        w.StartObject();
        Field(w, "authority", a.authority);
        Field(w, "disease", a.disease);
        Field(w, "days", int64_t{a.days});
        Field(w, "today", std::optional<Date>(a.list.today));
        Field(w, "through", std::optional<Date>(a.list.through));
        Field(w, "masked", a.masked);
        Field(w, "truncated", a.list.truncated);
        w.Key("villages");
        w.StartArray();
        const auto& owners = a.list.owners;
        for (size_t i = 0; i < owners.size();) {
          const size_t end = VillageRunEnd(owners, i);
          int64_t units = 0, heads = 0;
          for (size_t k = i; k < end; ++k) {
            const auto& list = owners[k].units;
            for (size_t u = 0; u < list.size(); u = UnitRunEnd(list, u)) {
              ++units;
              heads += list[u].unit.head_count;
            }
          }
          w.StartObject();
          Field(w, "village", owners[i].owner.village);
          Field(w, "owner_count", static_cast<int64_t>(end - i));
          Field(w, "unit_count", units);
          Field(w, "head_count", heads);
          w.Key("owners");
          w.StartArray();
          for (; i < end; ++i) WriteDueOwner(w, owners[i], a.masked, catalogue);
          w.EndArray();
          w.EndObject();
        }
        w.EndArray();
        w.EndObject();
      },
      512 * a.list.owners.size() + 256);
}

std::string DueCsv(const DueAnswer& a) {
  std::string out =
      "village,authority,owner_id,owner_name,owner_phone,tag,species,head_count,disease,status,"
      "last_dose,lapses_on\r\n";
  out.reserve(160 * a.list.owners.size() + out.size());
  const auto date = [](const std::optional<Date>& d) { return d ? d->ToString() : std::string(); };
  for (const DueOwner& o : a.list.owners) {
    for (const DueUnit& u : o.units) {
      CsvField(out, o.owner.village, true);
      out += ',';
      CsvField(out, o.owner.authority, false);
      out += ',' + std::to_string(o.owner.id) + ',';
      CsvField(out, o.owner.name, true);
      out += ',';
      CsvField(out, a.masked ? std::string_view() : std::string_view(o.owner.phone), false);
      out += ',';
      CsvField(out, u.unit.tag.value_or(""), false);
      out += ',';
      CsvField(out, u.unit.species, false);
      out += ',' + std::to_string(u.unit.head_count) + ',';
      CsvField(out, u.coverage.disease, false);
      out += ',';
      out += CoverageStateName(u.coverage.state);
      out += ',' + date(u.coverage.last_dose) + ',' + date(u.lapses_on) + "\r\n";
    }
  }
  return out;
}

std::string AuditPageJson(const std::vector<AuditRow>& rows, std::optional<int64_t> next_cursor) {
  return Build([&](Writer& w) {
    w.StartObject();
    w.Key("items");
    w.StartArray();
    for (const auto& r : rows) {
      w.StartObject();
      Field(w, "seq", r.seq);
      TimeField(w, "at", r.entry.at);
      Field(w, "user_id", r.entry.user_id);
      Field(w, "username", r.entry.username);
      Field(w, "action", r.entry.action);
      Field(w, "target", r.entry.target);
      w.Key("detail");
      // The detail is a JSON object written by service/; pass it through as it is.
      if (!r.entry.detail.empty() && json::accept(r.entry.detail)) {
        w.RawValue(r.entry.detail.data(), r.entry.detail.size(), rapidjson::kObjectType);
      } else {
        Str(w, r.entry.detail);
      }
      Field(w, "address", r.entry.address);
      Field(w, "hash", r.hash);
      w.EndObject();
    }
    w.EndArray();
    w.Key("next_cursor");
    if (next_cursor) {
      w.Int64(*next_cursor);
    } else {
      w.Null();
    }
    w.EndObject();
  });
}

namespace {
// "animals": each animal or flock as GET /animals/{tag} shows it, with its own coverage per
// disease: W2's and GET /me's (issue 15 item 4).
void WriteAnimalsWithCoverage(Writer& w, const std::vector<Animal>& animals,
                              const OwnerCoverage& coverage, std::span<const Holding> holdings,
                              const Catalogue& catalogue) {
  std::unordered_map<int64_t, const UnitCoverage*> unit_cov;
  for (const auto& u : coverage.units) unit_cov[u.animal_id] = &u;
  w.Key("animals");
  w.StartArray();
  for (const auto& a : animals) {
    w.StartObject();
    Members(w, a, holdings);
    auto it = unit_cov.find(a.id);
    WriteCoverage(w, it != unit_cov.end() ? it->second->diseases : std::vector<DiseaseCoverage>{},
                  catalogue);
    w.EndObject();
  }
  w.EndArray();
}
}  // namespace

std::string LookupJson(const LookupResult& r, const Catalogue& catalogue) {
  return Build(
      [&](Writer& w) {
        w.StartObject();
        w.Key("owner");
        w.StartObject();
        Members(w, r.owner);
        w.EndObject();
        Field(w, "today", r.today.ToString());
        Field(w, "since", r.since.ToString());
        WriteCoverage(w, r.coverage.diseases, catalogue);
        WriteAnimalsWithCoverage(w, r.animals, r.coverage, r.holdings, catalogue);
        // The owner's own doses and (W8) those its bought animals had under earlier owners, in
        // one list newest first (by date, then id), the earlier ones marked by previous_owner.
        w.Key("vaccinations");
        w.StartArray();
        size_t j = 0;
        for (const Vaccination& v : r.vaccinations) {
          for (; j < r.earlier_vaccinations.size(); ++j) {
            const EarlierDose& e = r.earlier_vaccinations[j];
            if (std::pair(e.vaccination.administered_on, e.vaccination.id) <
                std::pair(v.administered_on, v.id)) {
              break;
            }
            Write(w, e.vaccination, r.holdings, &e);
          }
          Write(w, v, r.holdings);
        }
        for (; j < r.earlier_vaccinations.size(); ++j) {
          Write(w, r.earlier_vaccinations[j].vaccination, r.holdings, &r.earlier_vaccinations[j]);
        }
        w.EndArray();
        // W8: what the owner sold, newest first, with the day; no dose after it is the owner's.
        w.Key("sold");
        w.StartArray();
        for (const OwnershipChange& c : r.sold) {
          w.StartObject();
          Field(w, "animal_id", c.animal_id);
          NullableString(w, "tag", c.tag.value_or(""));
          Field(w, "species", c.species);
          Field(w, "head", int64_t{c.head});
          Field(w, "sold_on", c.on.ToString());
          w.EndObject();
        }
        w.EndArray();
        w.EndObject();
      },
      700 * (r.vaccinations.size() + r.earlier_vaccinations.size()) + 1200 * r.animals.size() +
          2048);
}

std::string AnimalViewJson(const AnimalView& v, const Catalogue& catalogue) {
  return Build([&](Writer& w) {
    w.StartObject();
    Members(w, v.animal, v.holdings);
    Strings(w, "former_tags", v.animal.former_tags);
    w.Key("events");
    w.StartArray();
    for (const AnimalEvent& e : v.events) Write(w, e);
    w.EndArray();
    w.Key("owner");
    w.StartObject();
    Members(w, v.owner);
    w.EndObject();
    WriteVaccinations(w, v.vaccinations, v.holdings);
    WriteCoverage(w, v.coverage, catalogue);
    w.EndObject();
  });
}

std::string AnimalEventJson(const AnimalEventResult& r) {
  return Build([&](Writer& w) {
    w.StartObject();
    Field(w, "status", r.duplicate ? "duplicate" : "created");
    w.Key("event");
    Write(w, r.event);
    w.Key("animal");
    w.StartObject();
    // The event's answer does not read the animal's holding: GET /animals/{tag} names it.
    Members(w, r.animal, {});
    Strings(w, "former_tags", r.animal.former_tags);
    w.EndObject();
    w.EndObject();
  });
}

void Write(Writer& w, const PassageView& v) {
  const Passage& p = v.passage;
  w.StartObject();
  Field(w, "id", p.id);
  Field(w, "certificate_id", p.certificate_id);
  Field(w, "certificate_number", v.certificate_number);
  Field(w, "holding", p.holding_id);
  TimeField(w, "at", p.at);
  Field(w, "head_seen", int64_t{p.head_seen});
  Field(w, "note", p.note);
  Field(w, "recorded_by", p.recorded_by);
  TimeField(w, "received_at", p.received_at);
  NullableString(w, "flag", PassageFlagName(p.flag));
  NullableString(w, "flag_reason", v.flag_reason);
  w.EndObject();
}

std::string PassageJson(const PassageView& v) {
  return Build([&](Writer& w) {
    w.StartObject();
    Field(w, "status", v.duplicate ? "duplicate" : "created");
    w.Key("passage");
    Write(w, v);
    w.EndObject();
  });
}

std::string PassageListJson(const std::vector<PassageView>& items) {
  return Build([&](Writer& w) {
    w.StartObject();
    w.Key("items");
    w.StartArray();
    for (const PassageView& v : items) Write(w, v);
    w.EndArray();
    w.EndObject();
  });
}

namespace {

// The holding of a timeline entry: {id, code, name, kind}.
void TimelineHolding(Writer& w, const std::optional<Holding>& h) {
  if (!h) return;
  w.Key("holding");
  w.StartObject();
  Field(w, "id", h->id);
  Field(w, "code", h->code);
  Field(w, "name", h->name);
  Field(w, "kind", HoldingKindName(h->kind));
  w.EndObject();
}

void Write(Writer& w, const ShownOwner& o) {
  w.StartObject();
  Field(w, "masked", o.masked);
  w.Key("id");
  if (o.masked) {
    w.Null();
  } else {
    w.Int64(o.id);
  }
  Field(w, "name", o.name);
  NullableString(w, "phone", o.phone);
  NullableString(w, "village", o.village);
  Field(w, "authority", o.authority);
  w.EndObject();
}

void TimelineCertificate(Writer& w, const Certificate& c, Timestamp now) {
  w.Key("certificate");
  w.StartObject();
  Field(w, "id", c.id);
  Field(w, "number", c.number);
  Field(w, "status", CertificateStatusAt(c, now));
  Field(w, "purpose", PurposeName(c.purpose));
  Field(w, "species", c.species);
  Field(w, "head_count", int64_t{c.head_count});
  Field(w, "origin", c.origin);
  Field(w, "origin_place", c.origin_place);
  Field(w, "destination", c.destination);
  Field(w, "destination_place", c.destination_place);
  TimeField(w, "issued_at", c.issued_at);
  TimeField(w, "valid_until", c.valid_until);
  Field(w, "vet", c.vet_name);
  Field(w, "owner_masked_name", c.owner_masked_name);
  w.Key("consumed");
  if (c.consumed_at) {
    w.StartObject();
    TimeField(w, "at", *c.consumed_at);
    Field(w, "place", c.consumed_place);
    Field(w, "by", c.consumed_by_name);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("revoked");
  if (c.revoked_at) {
    w.StartObject();
    TimeField(w, "at", *c.revoked_at);
    Field(w, "reason", c.revoke_reason);
    w.EndObject();
  } else {
    w.Null();
  }
  w.EndObject();
}

// The members of the journeys' entries (issue 12 item 6): holding, passage, arrival,
// ownership_change; and a dose given under an earlier owner.
void TimelineJourney(Writer& w, const TimelineEntry& e) {
  if (e.vaccination) NullableString(w, "previous_owner_masked", e.previous_owner_masked);
  if (e.kind == TimelineKind::kHolding || e.kind == TimelineKind::kPassage) {
    NullableString(w, "certificate_number", e.certificate_number);
  }
  if (e.passage) {
    w.Key("passage");
    w.StartObject();
    Field(w, "id", e.passage->id);
    Field(w, "head_seen", int64_t{e.passage->head_seen});
    Field(w, "note", e.passage->note);
    NullableString(w, "flag", PassageFlagName(e.passage->flag));
    w.EndObject();
  }
  if (e.arrival) {
    const Arrival& a = *e.arrival;
    w.Key("arrival");
    w.StartObject();
    Field(w, "head_expected", int64_t{e.certificate ? e.certificate->head_count : 0});
    w.Key("head_counted");
    if (a.head_counted) {
      w.Int64(*a.head_counted);
    } else {
      w.Null();
    }
    Field(w, "mismatch", a.mismatch);
    Strings(w, "missing_tags", a.missing_tags);
    Strings(w, "extra_tags", a.extra_tags);
    w.EndObject();
  }
  if (e.ownership) {
    const TimelineOwnership& o = *e.ownership;
    w.Key("ownership");
    w.StartObject();
    w.Key("from");
    Write(w, o.from);
    w.Key("to");
    Write(w, o.to);
    Field(w, "head", int64_t{o.head});
    Field(w, "via", o.transfer_id.empty() ? "sale_certificate" : "transfer");
    NullableString(w, "certificate_number", o.certificate_number);
    NullableString(w, "transfer_id", o.transfer_id);
    w.EndObject();
  }
}

void Write(Writer& w, const TimelineEntry& e, Timestamp now) {
  w.StartObject();
  Field(w, "kind", TimelineKindName(e.kind));
  Field(w, "date", e.on.ToString());
  w.Key("at");
  if (e.at) {
    Str(w, FormatRfc3339(*e.at));
  } else {
    w.Null();
  }
  NullableString(w, "by", e.by);
  if (e.owner) {
    w.Key("owner");
    Write(w, *e.owner);
  }
  TimelineHolding(w, e.holding);
  if (e.event) {
    w.Key("event");
    w.StartObject();
    Field(w, "id", e.event->id);
    Field(w, "kind", AnimalEventKindName(e.event->kind));
    Field(w, "reason", e.event->reason);
    NullableString(w, "old_tag", e.event->old_tag);
    NullableString(w, "new_tag", e.event->new_tag);
    Field(w, "head", int64_t{e.event->head});
    Field(w, "head_after", int64_t{e.event->head_after});
    w.EndObject();
  }
  if (e.vaccination) {
    const Vaccination& v = *e.vaccination;
    w.Key("vaccination");
    w.StartObject();
    Field(w, "id", v.id);
    Field(w, "disease", v.disease);
    Field(w, "vaccine", v.vaccine);
    Field(w, "batch_no", v.batch_no);
    Field(w, "dose_ml", v.dose_ml);
    Field(w, "head_count", int64_t{v.head_count});
    Field(w, "lat", v.lat);
    Field(w, "lon", v.lon);
    Field(w, "authority", v.authority);
    Field(w, "voided", v.voided);
    if (v.voided) Field(w, "void_reason", v.void_reason);
    w.EndObject();
  }
  if (e.certificate) TimelineCertificate(w, *e.certificate, now);
  TimelineJourney(w, e);
  w.EndObject();
}

}  // namespace

std::string TimelineJson(const AnimalTimeline& t, Timestamp now) {
  return Build([&](Writer& w) {
    w.StartObject();
    w.Key("animal");
    w.StartObject();
    Members(w, t.animal, t.holdings);
    Strings(w, "former_tags", t.animal.former_tags);
    w.EndObject();
    w.Key("owner");
    Write(w, t.owner);
    w.Key("entries");
    w.StartArray();
    for (const TimelineEntry& e : t.entries) Write(w, e, now);
    w.EndArray();
    w.EndObject();
  });
}

std::string TransferJson(const TransferResult& r) {
  return Build([&](Writer& w) {
    const Transfer& t = r.transfer;
    w.StartObject();
    Field(w, "status", r.duplicate ? "duplicate" : "created");
    Field(w, "id", t.id);
    Field(w, "seller_id", t.seller_id);
    Field(w, "buyer_id", t.buyer_id);
    Field(w, "buyer_created", r.buyer_created);
    Field(w, "date", t.on.ToString());
    Field(w, "recorded_by", t.recorded_by);
    TimeField(w, "recorded_at", t.recorded_at);
    w.Key("changes");
    w.StartArray();
    for (const OwnershipChange& c : t.changes) {
      w.StartObject();
      Field(w, "animal_id", c.animal_id);
      Field(w, "to_animal_id", c.to_animal_id);
      NullableString(w, "tag", c.tag.value_or(""));
      Field(w, "species", c.species);
      Field(w, "head", int64_t{c.head});
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  });
}

std::string CatalogueJson(const Catalogue& c, std::span<const MovementRule> movement_rules) {
  return Build([&](Writer& w) {
    w.StartObject();
    w.Key("species");
    w.StartArray();
    for (const auto& s : c.species()) {
      w.StartObject();
      Field(w, "code", s.code);
      Field(w, "name", s.name);
      Field(w, "flock_only", s.flock_only);
      w.EndObject();
    }
    w.EndArray();
    w.Key("diseases");
    w.StartArray();
    for (const auto& d : c.diseases()) {
      w.StartObject();
      Field(w, "code", d.code);
      Field(w, "name", d.name);
      Field(w, "immunity_days", int64_t{d.immunity_days});
      if (d.incubation_days > 0) Field(w, "incubation_days", int64_t{d.incubation_days});
      Strings(w, "species", d.species);
      w.EndObject();
    }
    w.EndArray();
    w.Key("vaccines");
    w.StartArray();
    for (const auto& v : c.vaccines()) {
      w.StartObject();
      Field(w, "code", v.code);
      Field(w, "name", v.name);
      Field(w, "maker", v.maker);
      Strings(w, "diseases", v.diseases);
      w.EndObject();
    }
    w.EndArray();
    w.Key("movement_rules");
    w.StartArray();
    for (const auto& r : movement_rules) {
      w.StartObject();
      Field(w, "name", r.name);
      Field(w, "purpose", PurposeName(r.purpose));
      Field(w, "scope", r.scope ? MovementScopeName(*r.scope) : "");
      Strings(w, "species", r.species);
      Strings(w, "diseases", r.diseases);
      Field(w, "max_age_days", int64_t{r.max_age_days});
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  });
}

namespace {
void NullableId(Writer& w, const char* key, const std::optional<int64_t>& id) {
  w.Key(key);
  if (id) {
    w.Int64(*id);
  } else {
    w.Null();
  }
}

// W13: {status, origin_holding, destination_holding, head_expected, arrival: null | {at, holding,
// head_count (null: not counted), tags_seen, missing_tags, extra_tags, mismatch}}.
void MovementMember(Writer& w, const Certificate& c, Timestamp now) {
  w.Key("movement");
  w.StartObject();
  Field(w, "status", MovementStatusName(MovementStatusAt(c, now)));
  NullableId(w, "origin_holding", c.origin_holding_id);
  NullableId(w, "destination_holding", c.destination_holding_id);
  Field(w, "head_expected", int64_t{c.head_count});
  w.Key("arrival");
  if (c.arrival) {
    const Arrival& a = *c.arrival;
    w.StartObject();
    TimeField(w, "at", a.at);
    NullableId(w, "holding", a.holding_id);
    std::optional<int64_t> head;
    if (a.head_counted) head = *a.head_counted;
    NullableId(w, "head_count", head);
    Strings(w, "tags_seen", a.tags_seen);
    Strings(w, "missing_tags", a.missing_tags);
    Strings(w, "extra_tags", a.extra_tags);
    Field(w, "mismatch", a.mismatch);
    w.EndObject();
  } else {
    w.Null();
  }
  w.EndObject();
}
}  // namespace

namespace {

// A page of certificates as the certificate list and the movement lists answer it: each item's
// summary, then what `more` adds to it.
template <class More>
std::string CertificateListJson(const CertificatePage& page, Timestamp now, More more) {
  return Build([&](Writer& w) {
    w.StartObject();
    w.Key("items");
    w.StartArray();
    for (const auto& c : page.items) {
      w.StartObject();
      Field(w, "id", c.id);
      Field(w, "number", c.number);
      Field(w, "status", CertificateStatusAt(c, now));
      Field(w, "purpose", PurposeName(c.purpose));
      TimeField(w, "issued_at", c.issued_at);
      TimeField(w, "valid_until", c.valid_until);
      Field(w, "origin", c.origin);
      Field(w, "destination", c.destination);
      Field(w, "owner_masked_name", c.owner_masked_name);
      more(w, c);
      w.EndObject();
    }
    w.EndArray();
    NullableString(w, "next_cursor", page.next_cursor);
    w.EndObject();
  });
}

}  // namespace

std::string MovementPageJson(const CertificatePage& page, Timestamp now) {
  return CertificateListJson(page, now, [now](Writer& w, const Certificate& c) {
    Field(w, "species", c.species);
    Field(w, "head_count", int64_t{c.head_count});
    Strings(w, "tags", c.tags);
    MovementMember(w, c, now);
  });
}

// Issue 15 item 4: GET /me, what the owner sees of their own records. The owner, the coverage per
// disease and per animal as W2 writes them, the animals and flocks kept now with their holdings,
// and the certificates for them as GET /movements lists them.
std::string OwnerRecordsJson(const OwnerRecords& r, const Catalogue& catalogue, Timestamp now) {
  CertificatePage certificates;
  certificates.items = r.certificates;
  const std::string certificate_list = MovementPageJson(certificates, now);
  return Build(
      [&](Writer& w) {
        w.StartObject();
        w.Key("owner");
        w.StartObject();
        Members(w, r.owner);
        w.EndObject();
        Field(w, "today", r.today.ToString());
        // The owner's language for SMS: their choice (null: none, the region's) and the one used.
        w.Key("language");
        if (r.language.empty()) {
          w.Null();
        } else {
          w.String(r.language.data(), static_cast<rapidjson::SizeType>(r.language.size()));
        }
        Field(w, "language_in_use", r.language_in_use);
        WriteCoverage(w, r.coverage.diseases, catalogue);
        WriteAnimalsWithCoverage(w, r.animals, r.coverage, r.holdings, catalogue);
        w.Key("certificates");
        w.RawValue(certificate_list.data(), certificate_list.size(), rapidjson::kObjectType);
        w.EndObject();
      },
      1200 * r.animals.size() + certificate_list.size() + 2048);
}

// Issue 15 item 4: GET /me/readers, {items: [{at, action, role, authority, authority_name}]}: no
// name and no user id of an official.
std::string OwnerReadersJson(const std::vector<OwnerReader>& items) {
  json list = json::array();
  for (const OwnerReader& r : items) {
    list.push_back({{"at", FormatRfc3339(r.at)},
                    {"action", r.action},
                    {"role", r.role},
                    {"authority", r.authority},
                    {"authority_name", r.authority_name}});
  }
  return json{{"items", std::move(list)}}.dump();
}

namespace {

// A use of a certificate (issue 14 item 5): {id, double_use, scanned_at, received_at, by, by_id,
// place, holding, head_counted, authority}; holding and head_counted null when not given.
void WriteUse(Writer& w, const CertificateUse& u) {
  w.StartObject();
  Field(w, "id", u.id);
  Field(w, "double_use", u.double_use);
  TimeField(w, "scanned_at", u.scanned_at);
  TimeField(w, "received_at", u.received_at);
  Field(w, "by", u.user_name);
  Field(w, "by_id", u.user_id);
  Field(w, "place", u.place);
  w.Key("holding");
  if (u.holding_id) {
    w.Int64(*u.holding_id);
  } else {
    w.Null();
  }
  w.Key("head_counted");
  if (u.head_counted) {
    w.Int64(*u.head_counted);
  } else {
    w.Null();
  }
  Field(w, "authority", u.authority);
  w.EndObject();
}

std::string UseJson(const CertificateUse& u) {
  return Build([&](Writer& w) { WriteUse(w, u); }, 256);
}

}  // namespace

namespace {

// Writes `v` as nlohmann::json's dump(-1, ' ', false) writes it: the members of every object in
// the byte order of their keys (its std::map), numbers and escapes in its forms. The answers that
// were made by a parse into nlohmann::json and a dump keep their bytes, at a fraction of the cost
// (an arrival's answer: W13's hot path). Doubles and strings with control characters, which the two
// libraries write differently, are handed to nlohmann::json as they were before.
void WriteKeysSorted(Writer& w, const rapidjson::Value& v) {
  switch (v.GetType()) {
    case rapidjson::kObjectType: {
      std::vector<const rapidjson::Value::Member*> members;
      members.reserve(v.MemberCount());
      for (const auto& m : v.GetObject()) members.push_back(&m);
      const auto key = [](const rapidjson::Value::Member* m) {
        return std::string_view(m->name.GetString(), m->name.GetStringLength());
      };
      std::stable_sort(members.begin(), members.end(),
                       [&](const auto* a, const auto* b) { return key(a) < key(b); });
      w.StartObject();
      for (size_t i = 0; i < members.size(); ++i) {
        // A key given twice: nlohmann::json keeps the last.
        if (i + 1 < members.size() && key(members[i]) == key(members[i + 1])) continue;
        Str(w, key(members[i]));
        WriteKeysSorted(w, members[i]->value);
      }
      w.EndObject();
      return;
    }
    case rapidjson::kArrayType:
      w.StartArray();
      for (const rapidjson::Value& e : v.GetArray()) WriteKeysSorted(w, e);
      w.EndArray();
      return;
    case rapidjson::kStringType: {
      const std::string_view s(v.GetString(), v.GetStringLength());
      if (std::any_of(s.begin(), s.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
        const std::string text =
            json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
        w.RawValue(text.data(), text.size(), rapidjson::kStringType);
      } else {
        Str(w, s);
      }
      return;
    }
    case rapidjson::kNumberType:
      if (v.IsUint64()) {
        w.Uint64(v.GetUint64());
      } else if (v.IsInt64()) {
        w.Int64(v.GetInt64());
      } else {
        const std::string text = json(v.GetDouble()).dump();
        w.RawValue(text.data(), text.size(), rapidjson::kNumberType);
      }
      return;
    case rapidjson::kTrueType:
      w.Bool(true);
      return;
    case rapidjson::kFalseType:
      w.Bool(false);
      return;
    case rapidjson::kNullType:
      w.Null();
      return;
  }
}

}  // namespace

// The certificate with "use" (and its "duplicate") among its members, every object's keys sorted
// (as nlohmann::json, which made this answer before, wrote them).
std::string CertificateUseAnswerJson(const CertificateUseAnswer& a, Timestamp now) {
  const std::string certificate = CertificateJson(a.certificate, now);
  const std::string use_text = UseJson(a.use);
  rapidjson::Document out;
  out.Parse(certificate.data(), certificate.size());
  rapidjson::Document use(&out.GetAllocator());
  use.Parse(use_text.data(), use_text.size());
  if (out.HasParseError() || use.HasParseError() || !out.IsObject() || !use.IsObject()) {
    throw std::logic_error("a certificate or a use written as JSON does not parse");
  }
  use.AddMember("duplicate", a.duplicate, out.GetAllocator());
  out.AddMember("use", use.Move(), out.GetAllocator());
  return Build([&](Writer& w) { WriteKeysSorted(w, out); },
               certificate.size() + use_text.size() + 64);
}

std::string DoubleUsePageJson(const DoubleUsePage& page, Timestamp now) {
  CertificatePage certificates;
  certificates.next_cursor = page.next_cursor;
  for (const DoubleUseItem& item : page.items) certificates.items.push_back(item.certificate);
  size_t i = 0;
  return CertificateListJson(certificates, now, [&](Writer& w, const Certificate& c) {
    Field(w, "species", c.species);
    Field(w, "head_count", int64_t{c.head_count});
    w.Key("uses");
    w.StartArray();
    for (const CertificateUse& u : page.items[i].uses) WriteUse(w, u);
    w.EndArray();
    ++i;
  });
}

std::string CertificateJson(const Certificate& c, Timestamp now) {
  return Build(
      [&](Writer& w) {
        w.StartObject();
        Field(w, "id", c.id);
        Field(w, "status", CertificateStatusAt(c, now));
        Field(w, "hp1", c.hp1);
        PublicClaims(w, c, /*with_record_ids=*/true);
        Field(w, "owner_id", c.owner_id);
        w.Key("buyer_id");  // W8: a sale's buyer, null for none
        if (c.buyer_id != 0) {
          w.Int64(c.buyer_id);
        } else {
          w.Null();
        }
        w.Key("animal_ids");
        w.StartArray();
        for (int64_t id : c.animal_ids) w.Int64(id);
        w.EndArray();
        w.Key("vet");
        w.StartObject();
        Field(w, "id", c.vet_id);
        Field(w, "name", c.vet_name);
        w.EndObject();
        w.Key("consumed");
        if (c.consumed_at) {
          w.StartObject();
          TimeField(w, "at", *c.consumed_at);
          Field(w, "place", c.consumed_place);
          Field(w, "by", c.consumed_by_name);
          Field(w, "by_id", c.consumed_by);
          w.EndObject();
        } else {
          w.Null();
        }
        MovementMember(w, c, now);
        w.Key("revoked");
        if (c.revoked_at) {
          w.StartObject();
          TimeField(w, "at", *c.revoked_at);
          Field(w, "reason", c.revoke_reason);
          Field(w, "by_id", c.revoked_by);
          w.EndObject();
        } else {
          w.Null();
        }
        const std::string base = "/api/v1/certificates/" + c.id;
        w.Key("links");
        w.StartObject();
        Field(w, "self", base);
        Field(w, "qr_svg", base + "/qr.svg");
        Field(w, "qr_png", base + "/qr.png");
        Field(w, "print", base + "/print");
        w.EndObject();
        w.EndObject();
      },
      c.hp1.size() + 2048);
}

std::string CertificatePageJson(const CertificatePage& page, Timestamp now) {
  return CertificateListJson(page, now, [](Writer& w, const Certificate& c) {
    Field(w, "head_count", int64_t{c.head_count});
  });
}

std::string VerifyResultJson(const VerifyResult& r) {
  return Build([&](Writer& w) {
    w.StartObject();
    Field(w, "valid", r.valid);
    Field(w, "status", r.status);
    w.Key("reasons");
    w.StartArray();
    for (const auto& [code, message] : r.reasons) {
      w.StartObject();
      Field(w, "code", code);
      Field(w, "message", message);
      w.EndObject();
    }
    w.EndArray();
    w.Key("certificate");
    if (r.certificate) {
      w.StartObject();
      PublicClaims(w, *r.certificate, /*with_record_ids=*/false);
      Field(w, "vet", r.certificate->vet_name);
      w.EndObject();
    } else {
      w.Null();
    }
    if (r.consumed_at) {
      TimeField(w, "consumed_at", *r.consumed_at);
      Field(w, "consumed_place", r.consumed_place);
    }
    if (!r.warnings.empty()) {
      w.Key("warnings");
      w.StartArray();
      for (const auto& [code, message] : r.warnings) {
        w.StartObject();
        Field(w, "code", code);
        Field(w, "message", message);
        w.EndObject();
      }
      w.EndArray();
    }
    w.EndObject();
  });
}

std::string TrustRootJson(const TrustRoot& r) {
  return Build([&](Writer& w) {
    w.StartObject();
    Field(w, "country", r.country);
    w.Key("keys");
    w.StartArray();
    for (const SigningKey& k : r.keys) {
      w.StartObject();
      Field(w, "kid", k.kid);
      Field(w, "public_key", k.public_key);
      TimeField(w, "valid_from", k.valid_from);
      TimeField(w, "valid_until", k.valid_until);
      w.Key("retired_at");
      if (k.retired_at) {
        Str(w, FormatRfc3339(*k.retired_at));
      } else {
        w.Null();
      }
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  });
}

namespace {

json RuleFailuresJson(const std::vector<RuleFailure>& failures) {
  json out = json::array();
  auto date = [](const std::optional<Date>& d) { return d ? json(d->ToString()) : json(); };
  for (const auto& f : failures) {
    json j = {{"animal", f.animal},
              {"rule", f.rule},
              {"disease", f.disease},
              {"state", CoverageStateName(f.coverage.state)},
              {"message", f.message}};
    if (f.zone_id != 0) {  // W14: rule "zone"
      j["zone"] = f.zone_id;
      j["ring"] = f.ring;
    }
    if (f.coverage.last_dose) j["last_dose"] = date(f.coverage.last_dose);
    if (f.coverage.covered_until) j["covered_until"] = date(f.coverage.covered_until);
    if (f.coverage.overdue_since) j["overdue_since"] = date(f.coverage.overdue_since);
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

// W10: the lines of a field copy (NDJSON: one JSON object and "\n" each), "type" first.
namespace {
template <typename Fn>
std::string Line(const char* type, Fn&& members) {
  std::string out = Build([&](Writer& w) {
    w.StartObject();
    Field(w, "type", type);
    members(w);
    w.EndObject();
  });
  out += '\n';
  return out;
}
}  // namespace

std::string FieldCopyOwnerLine(const Owner& o) {
  return Line("owner", [&](Writer& w) { Members(w, o); });
}

std::string FieldCopyAnimalLine(const Animal& a) {
  return Line("animal", [&](Writer& w) {
    Members(w, a, {});
    w.Key("holding_id");
    if (a.holding_id) {
      w.Int64(*a.holding_id);
    } else {
      w.Null();
    }
  });
}

std::string FieldCopyVaccinationLine(const Vaccination& v) {
  std::string out = Build([&](Writer& w) { Write(w, v, {}); });
  // {"id":... -> {"type":"vaccination","id":...: the record as W2 shows it, typed.
  out.insert(1, "\"type\":\"vaccination\",");
  out += '\n';
  return out;
}

std::string FieldCopyCertificateLine(const Certificate& c, Timestamp now) {
  return Line("certificate", [&](Writer& w) {
    Field(w, "id", c.id);
    Field(w, "number", c.number);
    Field(w, "owner_id", c.owner_id);
    Field(w, "status", CertificateStatusAt(c, now));
    Field(w, "purpose", PurposeName(c.purpose));
    Field(w, "species", c.species);
    Field(w, "head_count", int64_t{c.head_count});
    TimeField(w, "issued_at", c.issued_at);
    TimeField(w, "valid_until", c.valid_until);
    Field(w, "origin", c.origin);
    Field(w, "destination", c.destination);
  });
}

std::string FieldCopyAnimalGoneLine(int64_t animal_id, int64_t owner_id) {
  return Line("animal_removed", [&](Writer& w) {
    Field(w, "id", animal_id);
    Field(w, "owner_id", owner_id);
    Field(w, "reason", "sold");
  });
}

std::string FieldCopyEndLine(const FieldCopySummary& s, bool incremental, Timestamp taken_at) {
  return Line("end", [&](Writer& w) {
    Field(w, "cursor", s.cursor);
    Field(w, "incremental", incremental);
    TimeField(w, "taken_at", taken_at);
    w.Key("counts");
    w.StartObject();
    Field(w, "owners", s.owners);
    Field(w, "animals", s.animals);
    Field(w, "vaccinations", s.vaccinations);
    Field(w, "certificates", s.certificates);
    Field(w, "removed", s.removed);
    w.EndObject();
  });
}

Response ApiProblem(const Status& status) {
  if (status.ok() || status.code() == StatusCode::kInternal) return ProblemFromStatus(status);
  json members = json::object();
  std::optional<int64_t> retry_after;
  if (const auto* existing = status.payload<ExistingRecord>()) {
    members["id"] = existing->id;
  } else if (const auto* wait = status.payload<RetryAfter>()) {
    retry_after = std::max<int64_t>(1, wait->wait.count());
    members["retry_after"] = *retry_after;
  } else if (const auto* first = status.payload<FirstConsumption>()) {
    members["first_consumed"] = {{"at", first->at ? FormatRfc3339(*first->at) : std::string()},
                                 {"place", first->place},
                                 {"by", first->by}};
  } else if (const auto* twice = status.payload<DoubleUseRecorded>()) {
    // Issue 14 item 5: first_consumed as for any second use, and both scans in full.
    members["first_consumed"] = {{"at", FormatRfc3339(twice->first.scanned_at)},
                                 {"place", twice->first.place},
                                 {"by", twice->first.user_name}};
    members["first_use"] = json::parse(UseJson(twice->first));
    members["double_use"] = json::parse(UseJson(twice->second));
  } else if (const auto* unmet = status.payload<UnmetRules>()) {
    members["failures"] = RuleFailuresJson(unmet->failures);
  } else if (const auto* large = status.payload<FieldCopyTooLarge>()) {
    // W10: not a throttle (429) but a request for too much: 413, telling the user to narrow it.
    members["max_rows"] = large->max_rows;
    if (!status.field().empty()) members["field"] = status.field();
    return Problem(413, "field-copy-too-large", "Field copy too large", status.message(), members);
  }
  Response r = ProblemFromStatus(status, members);
  if (retry_after) r.AddHeader("Retry-After", std::to_string(*retry_after));
  return r;
}

// --- outbreaks and zones (W14) ---

namespace {

json OutbreakObject(const Outbreak& o) {
  json j = {{"id", o.id},
            {"holding", o.holding_id},
            {"authority", o.authority},
            {"disease", o.disease},
            {"species", o.species},
            {"first_signs_on", o.first_signs_on.ToString()},
            {"head_sick", o.head_sick},
            {"head_dead", o.head_dead},
            {"lat", o.lat},
            {"lon", o.lon},
            {"note", o.note},
            {"reported_by", o.reported_by},
            {"reported_at", FormatRfc3339(o.reported_at)},
            {"status", OutbreakStatusName(o.status)}};
  if (o.decided_at) {
    j["decided_by"] = o.decided_by;
    j["decided_at"] = FormatRfc3339(*o.decided_at);
    j["lab_reference"] = o.lab_reference;
    j["decision_note"] = o.decision_note;
  }
  return j;
}

}  // namespace

std::string OutbreakJson(const Outbreak& o, bool duplicate) {
  json j = OutbreakObject(o);
  j["duplicate"] = duplicate;
  return j.dump();
}

std::string OutbreakListJson(const std::vector<Outbreak>& items) {
  json list = json::array();
  for (const Outbreak& o : items) list.push_back(OutbreakObject(o));
  return json{{"items", std::move(list)}}.dump();
}

std::string SmsListJson(const std::vector<SmsMessage>& items, int64_t queued, bool gateway) {
  json list = json::array();
  for (const SmsMessage& m : items) {
    const SmsEncoding enc = EncodeForSms(m.body);
    json j = {{"id", m.id},
              {"owner_id", m.owner_id},
              {"phone", m.phone},
              {"authority", m.authority},
              {"kind", m.kind},
              {"text", m.body},
              {"coding", SmsCodingName(enc.coding)},
              {"segments", enc.segments},
              {"status", SmsStatusName(m.status)},
              {"attempts", m.attempts},
              {"requested", m.requested},
              {"created_at", FormatRfc3339(m.created_at)},
              {"next_attempt_at", FormatRfc3339(m.next_attempt_at)},
              {"sent_at", m.sent_at ? json(FormatRfc3339(*m.sent_at)) : json(nullptr)},
              {"dlr", m.dlr},
              {"last_error", m.last_error}};
    list.push_back(std::move(j));
  }
  json out = {{"items", std::move(list)}, {"queued", queued}, {"gateway", gateway}};
  if (!items.empty()) out["next_before"] = items.back().id;
  return out.dump();
}

namespace {

json ZoneObject(const Zone& z) {
  json j = {{"id", z.id},
            {"disease", z.disease},
            {"species", z.species},
            {"starts_on", z.starts_on.ToString()},
            {"ends_on", z.ends_on.ToString()},
            {"authority", z.authority},
            {"declared_by", z.declared_by},
            {"declared_at", FormatRfc3339(z.declared_at)}};
  if (!z.outbreak_id.empty()) j["outbreak_id"] = z.outbreak_id;
  if (z.by_radius()) {
    j["holding"] = z.holding_id;
    j["lat"] = z.lat;
    j["lon"] = z.lon;
    j["protection_km"] = z.protection_km;
    j["surveillance_km"] = z.surveillance_km;
  } else {
    j["authorities"] = z.authorities;
  }
  if (z.lifted_at) {
    j["lifted_at"] = FormatRfc3339(*z.lifted_at);
    j["lifted_by"] = z.lifted_by;
    j["lift_reason"] = z.lift_reason;
  }
  return j;
}

}  // namespace

std::string ZoneJson(const Zone& z) { return ZoneObject(z).dump(); }

std::string ZoneListJson(const std::vector<Zone>& items) {
  json list = json::array();
  for (const Zone& z : items) list.push_back(ZoneObject(z));
  return json{{"items", std::move(list)}}.dump();
}

std::string ZoneRevocationJson(const ZoneRevocation& r) {
  json revoked = json::array();
  for (const Certificate& c : r.revoked) revoked.push_back({{"id", c.id}, {"number", c.number}});
  json failed = json::array();
  for (const auto& [number, why] : r.failed) {
    failed.push_back({{"number", number}, {"message", why}});
  }
  return json{{"revoked", std::move(revoked)}, {"failed", std::move(failed)}}.dump();
}

// --- W14 tracing ---
namespace {

json TraceHoldingJson(const TraceHolding& t) {
  const Holding& h = t.holding;
  return {{"id", h.id},
          {"code", h.code},
          {"name", h.name},
          {"kind", HoldingKindName(h.kind)},
          {"authority", h.authority},
          {"lat", h.lat},
          {"lon", h.lon},
          {"owner_id", h.owner_id ? json(*h.owner_id) : json(nullptr)},
          {"hop", t.hop},
          {"first_at", FormatRfc3339(t.first_at)},
          {"last_at", FormatRfc3339(t.last_at)}};
}

json TraceMovementJson(const TraceMovement& m) {
  return {{"certificate_id", m.certificate_id},
          {"number", m.number},
          {"kind", m.kind},
          {"from_holding", m.from_holding},
          {"to_holding", m.to_holding},
          {"at", FormatRfc3339(m.at)},
          {"head", m.head},
          {"hop", m.hop},
          {"direction", m.forward ? "forward" : "backward"}};
}

const Holding* TracedHolding(const TraceAnswer& a, int64_t id) {
  for (const TraceHolding& t : a.result.holdings) {
    if (t.holding.id == id) return &t.holding;
  }
  return nullptr;
}

}  // namespace

std::string TraceJson(const TraceAnswer& a) {
  json start;
  if (a.start_holding) {
    start["holding"] = json::parse(HoldingJson(*a.start_holding));
  } else {
    start["tag"] = a.start_tag;
  }
  json holdings = json::array();
  for (const TraceHolding& t : a.result.holdings) holdings.push_back(TraceHoldingJson(t));
  json movements = json::array();
  for (const TraceMovement& m : a.result.movements) movements.push_back(TraceMovementJson(m));
  json owners = json::array();
  for (const TraceOwner& o : a.owners) {
    json j = {{"id", o.id}, {"hop", o.hop}, {"masked_name", o.masked_name}};
    if (o.person) {
      j["name"] = o.person->name;
      j["phone"] = o.person->phone;
      j["village"] = o.person->village;
    }
    owners.push_back(std::move(j));
  }
  return json{{"start", std::move(start)},
              {"from", a.from.ToString()},
              {"to", a.to.ToString()},
              {"depth", a.depth},
              {"direction", a.direction},
              {"disease", a.disease.empty() ? json(nullptr) : json(a.disease)},
              {"holdings", std::move(holdings)},
              {"movements", std::move(movements)},
              {"owners", std::move(owners)}}
      .dump();
}

std::string TraceGeoJson(const TraceAnswer& a) {
  json features = json::array();
  for (const TraceHolding& t : a.result.holdings) {
    json props = TraceHoldingJson(t);
    props.erase("lat");
    props.erase("lon");
    props["feature"] = "holding";
    features.push_back(
        {{"type", "Feature"},
         {"id", "holding-" + std::to_string(t.holding.id)},
         {"geometry",
          {{"type", "Point"}, {"coordinates", json::array({t.holding.lon, t.holding.lat})}}},
         {"properties", std::move(props)}});
  }
  for (const TraceMovement& m : a.result.movements) {
    const Holding* from = TracedHolding(a, m.from_holding);
    const Holding* to = TracedHolding(a, m.to_holding);
    if (from == nullptr || to == nullptr) continue;  // every end is reached: never taken
    json props = TraceMovementJson(m);
    props["feature"] = "movement";
    features.push_back({{"type", "Feature"},
                        {"geometry",
                         {{"type", "LineString"},
                          {"coordinates", json::array({json::array({from->lon, from->lat}),
                                                       json::array({to->lon, to->lat})})}}},
                        {"properties", std::move(props)}});
  }
  return json{{"type", "FeatureCollection"}, {"features", std::move(features)}}.dump();
}

namespace {

// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; a leading
// =, +, - or @ is prefixed with ' so that a spreadsheet does not run it as a formula.
std::string CsvField(std::string_view v) {
  std::string text(v);
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@')) {
    text.insert(text.begin(), '\'');
  }
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char ch : text) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

}  // namespace

std::string TraceCsv(const TraceAnswer& a) {
  std::string out =
      "hop,direction,kind,number,certificate_id,at,head,from_holding,from_code,from_authority,"
      "to_holding,to_code,to_authority\r\n";
  for (const TraceMovement& m : a.result.movements) {
    const Holding* from = TracedHolding(a, m.from_holding);
    const Holding* to = TracedHolding(a, m.to_holding);
    out += std::to_string(m.hop) + ',' + (m.forward ? "forward" : "backward") + ',' + m.kind + ',' +
           CsvField(m.number) + ',' + CsvField(m.certificate_id) + ',' + FormatRfc3339(m.at) + ',' +
           std::to_string(m.head) + ',' + std::to_string(m.from_holding) + ',' +
           CsvField(from ? from->code : "") + ',' + CsvField(from ? from->authority : "") + ',' +
           std::to_string(m.to_holding) + ',' + CsvField(to ? to->code : "") + ',' +
           CsvField(to ? to->authority : "") + "\r\n";
  }
  return out;
}

// --- W14 ring list ---
namespace {

const ShownOwner* RingOwner(const RingAnswer& a, std::optional<int64_t> id) {
  if (!id) return nullptr;
  auto it = a.owners.find(*id);
  return it == a.owners.end() ? nullptr : &it->second;
}

void WriteRingOwner(Writer& w, const RingAnswer& a, std::optional<int64_t> id) {
  w.Key("owner");
  if (const ShownOwner* o = RingOwner(a, id)) {
    Write(w, *o);
  } else {
    w.Null();
  }
}

}  // namespace

std::string RingJson(const RingAnswer& a, const Catalogue& catalogue) {
  const Disease* disease = catalogue.FindDisease(a.zone.disease);
  return Build(
      [&](Writer& w) {
        int64_t head = 0, uncovered = 0;
        for (const RingHolding& h : a.list.holdings) {
          head += h.head;
          uncovered += h.head_uncovered;
        }
        w.StartObject();
        w.Key("zone");
        const std::string zone = ZoneJson(a.zone);
        w.RawValue(zone.data(), zone.size(), rapidjson::kObjectType);
        Field(w, "disease", a.zone.disease);
        Field(w, "disease_name",
              disease != nullptr ? std::string_view(disease->name) : a.zone.disease);
        Field(w, "today", std::optional<Date>(a.list.today));
        Field(w, "truncated", a.list.truncated);
        Field(w, "head", head);
        Field(w, "head_uncovered", uncovered);
        w.Key("holdings");
        w.StartArray();
        for (const RingHolding& h : a.list.holdings) {
          w.StartObject();
          Field(w, "ring", h.ring);
          w.Key("distance_m");
          if (h.distance_m) {
            w.Int64(*h.distance_m);
          } else {
            w.Null();
          }
          w.Key("holding");
          w.StartObject();
          Members(w, h.holding);
          w.EndObject();
          WriteRingOwner(w, a, h.holding.owner_id);
          Field(w, "head", h.head);
          Field(w, "head_uncovered", h.head_uncovered);
          w.Key("units");
          w.StartArray();
          for (const RingUnit& u : h.units) {
            w.StartObject();
            Field(w, "animal_id", u.unit.id);
            w.Key("tag");
            if (u.unit.tag) {
              Str(w, *u.unit.tag);
            } else {
              w.Null();
            }
            Field(w, "species", u.unit.species);
            Field(w, "head", u.head);
            WriteRingOwner(w, a, u.unit.owner_id);
            Field(w, "status", CoverageStateName(u.coverage.state));
            Field(w, "covered_until", u.coverage.covered_until);
            Field(w, "last_dose", u.coverage.last_dose);
            Field(w, "overdue_since", u.coverage.overdue_since);
            w.EndObject();
          }
          w.EndArray();
          w.EndObject();
        }
        w.EndArray();
        w.EndObject();
      },
      1024 + 400 * a.list.holdings.size());
}

std::string RingCsv(const RingAnswer& a) {
  std::string out =
      "ring,distance_km,holding_code,holding_name,holding_authority,owner_name,owner_phone,tag,"
      "species,head,status,covered_until,last_dose\r\n";
  const auto date = [](const std::optional<Date>& d) { return d ? d->ToString() : std::string(); };
  for (const RingHolding& h : a.list.holdings) {
    std::string where = h.ring + ',';
    if (h.distance_m) {
      char km[32];
      std::snprintf(km, sizeof km, "%.1f", static_cast<double>(*h.distance_m) / 1000);
      where += km;
    }
    where += ',';
    CsvField(where, h.holding.code, true);
    where += ',';
    CsvField(where, h.holding.name, true);
    where += ',';
    CsvField(where, h.holding.authority, false);
    where += ',';
    const auto owner = [&](std::optional<int64_t> id) {
      const ShownOwner* o = RingOwner(a, id);
      CsvField(out, o != nullptr ? std::string_view(o->name) : std::string_view(), true);
      out += ',';
      CsvField(out, o != nullptr ? std::string_view(o->phone) : std::string_view(), false);
      out += ',';
    };
    if (h.units.empty()) {  // a holding in the ring with no animal of the species: still visited
      out += where;
      owner(h.holding.owner_id);
      out += ",,0,,,\r\n";
      continue;
    }
    for (const RingUnit& u : h.units) {
      out += where;
      owner(u.unit.owner_id);
      CsvField(out, u.unit.tag.value_or(""), false);
      out += ',';
      CsvField(out, u.unit.species, false);
      out += ',' + std::to_string(u.head) + ',' + CoverageStateName(u.coverage.state) + ',' +
             date(u.coverage.covered_until) + ',' + date(u.coverage.last_dose) + "\r\n";
    }
  }
  return out;
}

}  // namespace herdpass::http
