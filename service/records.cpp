// W1: owners, animals and vaccination records. Validation and normalization happen here; the store
// only keeps integrity (uniqueness, idempotency, atomicity).
#include <algorithm>
#include <map>
#include <span>
#include <string_view>

#include "domain/animal_events.h"
#include "domain/audit_detail.h"
#include "service/service.h"
#include "service/throttle.h"

namespace herdpass {
namespace {

std::string Field(size_t index, const char* name) {
  return "records[" + std::to_string(index) + "]." + name;
}

Status CheckLength(const std::string& value, size_t max, const std::string& field, bool required) {
  if (required && value.empty()) return InvalidArgument(field, field + " is required");
  if (value.size() > max) {
    return InvalidArgument(field, field + " is longer than " + std::to_string(max) + " characters");
  }
  return Status::Ok();
}

// A date of the field (a dose, a birth): at most one day after `today`, the server's UTC date,
// since the local date of a place runs up to a day ahead of UTC (UTC+14 at the most; UTC+5 to +8
// in Central Asia and China), and not more than `max_years` back.
Status CheckFieldDate(Date d, Date today, int max_years, const std::string& field) {
  if (d > today.AddDays(1)) {
    return InvalidArgument(field, "the date is in the future: at most one day after " +
                                      today.ToString() + " (UTC) is accepted");
  }
  if (d < today.AddYears(-max_years)) {
    return InvalidArgument(field,
                           "the date is more than " + std::to_string(max_years) + " years back");
  }
  return Status::Ok();
}

// No farm animal lives longer: an older birth date is a typing error.
constexpr int kMaxAnimalAgeYears = 50;

// A name of blanks is no name: whitespace-only text is refused like empty text.
bool Blank(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  });
}

// Record ids are UUIDs made on the device; the nil UUID is no device's and would collide.
constexpr std::string_view kNilUuid = "00000000-0000-0000-0000-000000000000";

}  // namespace

Status HerdService::OwnerConflict(const Caller& caller, const std::string& e164) {
  auto existing = store_.FindOwnerByPhone(e164);
  if (existing.ok() && (caller.system || InJurisdiction(caller.authority, existing->authority))) {
    return AlreadyExists("an owner with this phone number is already registered")
        .WithPayload(ExistingRecord{existing->id});
  }
  // Phone numbers are unique everywhere, so registering one that another authority holds must fail
  // and so tells that it exists. It names nothing else, was counted as a phone lookup (by
  // RegisterOwner), and is audited like one.
  HP_RETURN_IF_ERROR(
      store_.AppendAudit(Audit(caller, "owner.conflict", "phone:" + e164,
                               AuditDetail().Add("outside_jurisdiction", true).Text())));
  return AlreadyExists("this phone number is registered with another authority");
}

Result<Owner> HerdService::RegisterOwner(const Caller& caller, const OwnerInput& input) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kRegisterOwner));
  HP_ASSIGN_OR_RETURN(auto phone, phones_.ToE164(input.phone, "phone"));
  HP_RETURN_IF_ERROR(CheckLength(input.name, 200, "name", true));
  if (Blank(input.name)) return InvalidArgument("name", "name is blank");
  HP_RETURN_IF_ERROR(CheckLength(input.village, 200, "village", false));
  const std::string authority = input.authority.empty() ? caller.authority : input.authority;
  HP_RETURN_IF_ERROR(ValidateAuthorityCode(authority));
  if (!caller.system && !InJurisdiction(caller.authority, authority)) {
    return PermissionDenied("the authority " + authority + " is outside your jurisdiction");
  }
  // The answer tells whether the number is free (201) or held, here or by another authority
  // (409): a phone lookup, counted before it is asked so that a spent budget (429) tells nothing.
  HP_RETURN_IF_ERROR(CheckLookupRate(caller));
  NewOwner o{phone, input.name, input.village, authority, clock_.Now()};
  auto created = store_.CreateOwner(o, Audit(caller, "owner.create", "phone:" + o.phone));
  if (!created.ok() && created.status().code() == StatusCode::kAlreadyExists) {
    return OwnerConflict(caller, o.phone);
  }
  return created;
}

Result<Owner> HerdService::FindOwnerByPhone(const Caller& caller, const std::string& phone) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadOwner));
  HP_ASSIGN_OR_RETURN(auto e164, phones_.ToE164(phone, "phone"));
  HP_RETURN_IF_ERROR(CheckLookupRate(caller));
  auto owner = store_.FindOwnerByPhone(e164);
  const bool visible =
      owner.ok() && (caller.system || InJurisdiction(caller.authority, owner->authority));
  // Reading personal data is audited whether or not the number was found: the question is personal.
  HP_RETURN_IF_ERROR(store_.AppendAudit(
      Audit(caller, "owner.read", "phone:" + e164, AuditDetail().Add("found", visible).Text())));
  if (!owner.ok() && owner.status().code() != StatusCode::kNotFound) return owner.status();
  if (!visible) return NotFound("no owner with this phone number in your jurisdiction");
  return owner;
}

Result<Animal> HerdService::RegisterAnimal(const Caller& caller, const AnimalInput& input) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kRegisterAnimal));
  HP_ASSIGN_OR_RETURN(auto tag, ParseEarTag(input.tag, config_.ear_tag_schemes, "tag"));
  const Species* species = catalogue_.FindSpecies(input.species);
  if (species == nullptr)
    return InvalidArgument("species", "unknown species '" + input.species + "'");
  if (species->flock_only) {
    return InvalidArgument("species", species->name + " are recorded as flocks, not by ear tag");
  }
  if (input.sex != "" && input.sex != "m" && input.sex != "f") {
    return InvalidArgument("sex", "sex is 'm', 'f' or absent");
  }
  std::optional<Date> birth;
  if (!input.birth_date.empty()) {
    HP_ASSIGN_OR_RETURN(auto d, Date::Parse(input.birth_date, "birth_date"));
    HP_RETURN_IF_ERROR(CheckFieldDate(d, clock_.Today(), kMaxAnimalAgeYears, "birth_date"));
    birth = d;
  }
  if (input.owner_id <= 0) return InvalidArgument("owner_id", "owner_id is required");
  auto owner = store_.FindOwnerById(input.owner_id);
  if (!owner.ok() && owner.status().code() != StatusCode::kNotFound) return owner.status();
  if (!owner.ok() || (!caller.system && !InJurisdiction(caller.authority, owner->authority))) {
    return InvalidArgument("owner_id", "no owner with this id in your jurisdiction");
  }
  std::optional<int64_t> holding_id;
  if (input.holding) {
    HP_ASSIGN_OR_RETURN(const Holding h, HoldingFor(caller, *input.holding, "holding"));
    HP_RETURN_IF_ERROR(CheckHoldingOpenOn(h, clock_.Today(), "holding"));
    holding_id = h.id;
  }
  NewAnimal a;
  a.owner_id = owner->id;
  a.tag = tag.digits;
  a.species = species->code;
  a.head_count = 1;
  a.sex = input.sex;
  a.birth_date = birth;
  a.authority = owner->authority;
  a.created_at = clock_.Now();
  a.holding_id = holding_id;
  auto created = store_.CreateAnimal(a, Audit(caller, "animal.create", "tag:" + tag.digits));
  if (!created.ok() && created.status().code() == StatusCode::kAlreadyExists) {
    auto existing = store_.FindAnimalByTag(tag.digits);
    if (existing.ok() && (caller.system || InJurisdiction(caller.authority, existing->authority))) {
      return AlreadyExists("an animal with this ear tag is already registered")
          .WithPayload(ExistingRecord{existing->id});
    }
    // Tags are unique everywhere, so the answer must say the tag is taken; it names nothing else.
    return AlreadyExists("this ear tag is registered with another authority");
  }
  return created;
}

Result<AnimalView> HerdService::GetAnimal(const Caller& caller, const std::string& tag_text) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadAnimal));
  HP_ASSIGN_OR_RETURN(auto tag, ParseEarTag(tag_text, config_.ear_tag_schemes, "tag"));
  // The answer names the owner with the full phone, and tags are sequential: a read counts against
  // the per-user lookup budget like a phone lookup, found or not.
  HP_RETURN_IF_ERROR(CheckLookupRate(caller));
  auto animal = store_.FindAnimalByTag(tag.digits);
  if (!animal.ok() && animal.status().code() != StatusCode::kNotFound) return animal.status();
  if (!animal.ok() || (!caller.system && !InJurisdiction(caller.authority, animal->authority))) {
    return NotFound("no animal with this ear tag in your jurisdiction");
  }
  const Date today = clock_.Today();
  HP_ASSIGN_OR_RETURN(
      auto history,
      store_.LoadOwnerHistory(animal->owner_id, today.AddYears(-config_.lookup_years_max)));
  // The answer names the owner: a read of personal data.
  HP_RETURN_IF_ERROR(
      store_.AppendAudit(Audit(caller, "animal.read", "tag:" + tag.digits,
                               AuditDetail().Add("owner_id", history.owner.id).Text())));
  AnimalView view;
  view.animal = animal.value();
  HP_ASSIGN_OR_RETURN(view.events, store_.ListAnimalEvents(animal->id));
  view.owner = history.owner;
  for (auto& v : history.vaccinations) {
    if (std::find(v.animal_ids.begin(), v.animal_ids.end(), animal->id) != v.animal_ids.end()) {
      view.vaccinations.push_back(std::move(v));
    }
  }
  for (const Disease* d : catalogue_.DiseasesFor(view.animal.species)) {
    view.coverage.push_back(CoverageOf(*d, view.animal, view.vaccinations, today, &catalogue_));
  }
  // The history's holdings, of the owner's animals and records, narrowed to this animal's.
  for (Holding& h : history.holdings) {
    bool named = view.animal.holding_id == h.id;
    for (const Vaccination& v : view.vaccinations) named = named || v.holding_id == h.id;
    if (named) view.holdings.push_back(std::move(h));
  }
  return view;
}

Result<AnimalEventResult> HerdService::RecordAnimalEvent(const Caller& caller,
                                                         const std::string& tag_text,
                                                         const AnimalEventRequest& request) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kRecordAnimalEvent));
  HP_ASSIGN_OR_RETURN(auto tag, ParseEarTag(tag_text, config_.ear_tag_schemes, "tag"));
  if (request.head) return InvalidArgument("head", "head is for flocks; an animal is one head");
  auto animal = store_.FindAnimalByTag(tag.digits);
  if (!animal.ok() && animal.status().code() != StatusCode::kNotFound) return animal.status();
  if (!animal.ok() || (!caller.system && !InJurisdiction(caller.authority, animal->authority))) {
    return NotFound("no animal with this ear tag in your jurisdiction");
  }
  return StoreAnimalEvent(caller, *animal, request);
}

Result<AnimalEventResult> HerdService::RecordFlockEvent(const Caller& caller, int64_t flock_id,
                                                        const AnimalEventRequest& request) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kRecordAnimalEvent));
  auto flock = store_.FindAnimalById(flock_id);
  if (!flock.ok() && flock.status().code() != StatusCode::kNotFound) return flock.status();
  if (!flock.ok() || !flock->is_flock() ||
      (!caller.system && !InJurisdiction(caller.authority, flock->authority))) {
    return NotFound("no flock with this id in your jurisdiction");
  }
  if (!request.head) return InvalidArgument("head", "head is required for a flock");
  return StoreAnimalEvent(caller, *flock, request);
}

Result<AnimalEventResult> HerdService::StoreAnimalEvent(const Caller& caller, const Animal& unit,
                                                        const AnimalEventRequest& request) {
  AnimalEventInput in;
  HP_ASSIGN_OR_RETURN(in.id, NormalizeUuid(request.id, "id"));
  if (in.id == kNilUuid) {
    return InvalidArgument("id", "the nil UUID is not an event id: make a UUIDv7");
  }
  HP_ASSIGN_OR_RETURN(in.kind, ParseAnimalEventKind(request.kind, "kind"));
  if (in.kind == AnimalEventKind::kSold) {  // written by the sale itself (store/ownership_core.h)
    return InvalidArgument("kind",
                           "heads sold are recorded by the sale: POST /api/v1/transfers or the "
                           "arrival of a sale certificate");
  }
  if (!caller.system && caller.role == Role::kInspector &&
      in.kind != AnimalEventKind::kSlaughtered) {
    return Status(StatusCode::kPermissionDenied, "an inspector records only slaughtered", "kind");
  }
  HP_ASSIGN_OR_RETURN(in.on, Date::Parse(request.date, "date"));
  const Date today = clock_.Today();
  HP_RETURN_IF_ERROR(CheckFieldDate(in.on, today, config_.max_record_age_years, "date"));
  HP_RETURN_IF_ERROR(CheckLength(request.reason, 500, "reason", false));
  if (in.kind == AnimalEventKind::kTagReplaced) {
    HP_ASSIGN_OR_RETURN(auto new_tag,
                        ParseEarTag(request.new_tag, config_.ear_tag_schemes, "new_tag"));
    in.new_tag = new_tag.digits;
  } else if (!request.new_tag.empty()) {
    return InvalidArgument("new_tag", "new_tag is given only with kind tag_replaced");
  }
  if (request.head) {
    if (*request.head < 1 || *request.head > 1000000) {
      return InvalidArgument("head", "head must be from 1 to 1000000");
    }
    in.head = static_cast<int32_t>(*request.head);
  }
  in.reason = request.reason;
  in.animal_id = unit.id;
  in.user_id = caller.user_id;
  in.scope = caller.authority;
  in.unrestricted = caller.system;
  in.at = clock_.Now();
  AuditDetail detail;
  detail.Add("id", in.id).Add("kind", AnimalEventKindName(in.kind)).Add("date", request.date);
  if (unit.is_flock()) detail.Add("head", in.head);
  if (!in.new_tag.empty()) detail.Add("new_tag", in.new_tag);
  return store_.RecordAnimalEvent(in, AuditFor(caller, unit.authority, "animal.event",
                                               "animal:" + std::to_string(unit.id), detail.Text()));
}

Result<VaccinationInput> HerdService::ValidateRecord(const VaccinationRecordInput& in, size_t i,
                                                     Date today) const {
  VaccinationInput out;
  HP_ASSIGN_OR_RETURN(auto id, NormalizeUuid(in.id, Field(i, "id")));
  if (id == kNilUuid) {
    return InvalidArgument(Field(i, "id"), "the nil UUID is not a record id: make a UUIDv7");
  }
  out.id = id;

  if (in.owner_id) {
    if (*in.owner_id <= 0)
      return InvalidArgument(Field(i, "owner_id"), "owner_id must be positive");
    out.owner_id = *in.owner_id;
  } else if (!in.owner_phone.empty()) {
    HP_ASSIGN_OR_RETURN(auto phone, phones_.ToE164(in.owner_phone, Field(i, "owner_phone")));
    out.owner_phone = phone;
  } else {
    return InvalidArgument(Field(i, "owner_phone"), "owner_phone or owner_id is required");
  }
  HP_RETURN_IF_ERROR(CheckLength(in.owner_name, 200, Field(i, "owner_name"), false));
  if (!in.owner_name.empty() && Blank(in.owner_name)) {
    return InvalidArgument(Field(i, "owner_name"), "owner_name is blank");
  }
  out.owner_name = in.owner_name;

  const Species* species = catalogue_.FindSpecies(in.species);
  if (species == nullptr) {
    return InvalidArgument(Field(i, "species"), in.species.empty()
                                                    ? "species is required"
                                                    : "unknown species '" + in.species + "'");
  }
  out.species = species->code;
  if (!in.animal_tags.empty()) {
    if (in.head_count) {
      return InvalidArgument(Field(i, "head_count"),
                             "give either animal_tags or head_count, not both");
    }
    if (species->flock_only) {
      return InvalidArgument(Field(i, "animal_tags"),
                             species->name + " are recorded as flocks by head count");
    }
    if (in.animal_tags.size() > 1000) {
      return InvalidArgument(Field(i, "animal_tags"), "at most 1,000 tags in one record");
    }
    for (size_t t = 0; t < in.animal_tags.size(); ++t) {
      HP_ASSIGN_OR_RETURN(auto tag,
                          ParseEarTag(in.animal_tags[t], config_.ear_tag_schemes,
                                      Field(i, "animal_tags") + "[" + std::to_string(t) + "]"));
      if (std::find(out.animal_tags.begin(), out.animal_tags.end(), tag.digits) ==
          out.animal_tags.end()) {
        out.animal_tags.push_back(tag.digits);
      }
    }
    out.head_count = static_cast<int32_t>(out.animal_tags.size());
  } else {
    if (!in.head_count) {
      return InvalidArgument(Field(i, "animal_tags"),
                             "animal_tags, or species and head_count, are required");
    }
    if (*in.head_count < 1 || *in.head_count > 1000000) {
      return InvalidArgument(Field(i, "head_count"), "head_count must be from 1 to 1,000,000");
    }
    out.head_count = static_cast<int32_t>(*in.head_count);
  }

  Status s = catalogue_.CheckVaccination(in.disease, in.vaccine, out.species);
  if (!s.ok()) return InvalidArgument(Field(i, s.field().c_str()), s.message());
  out.disease = in.disease;
  out.vaccine = in.vaccine;
  HP_RETURN_IF_ERROR(CheckLength(in.batch_no, 64, Field(i, "batch_no"), true));
  out.batch_no = in.batch_no;
  if (in.dose_ml && !(*in.dose_ml > 0 && *in.dose_ml <= 1000)) {
    return InvalidArgument(Field(i, "dose_ml"), "dose_ml must be more than 0 and at most 1000");
  }
  out.dose_ml = in.dose_ml;
  HP_ASSIGN_OR_RETURN(auto date, Date::Parse(in.administered_on, Field(i, "administered_on")));
  HP_RETURN_IF_ERROR(
      CheckFieldDate(date, today, config_.max_record_age_years, Field(i, "administered_on")));
  out.administered_on = date;
  if (in.lat.has_value() != in.lon.has_value()) {
    return InvalidArgument(Field(i, in.lat ? "lon" : "lat"), "lat and lon come together");
  }
  if (in.lat && !(*in.lat >= -90 && *in.lat <= 90)) {
    return InvalidArgument(Field(i, "lat"), "lat must be between -90 and 90");
  }
  if (in.lon && !(*in.lon >= -180 && *in.lon <= 180)) {
    return InvalidArgument(Field(i, "lon"), "lon must be between -180 and 180");
  }
  out.lat = in.lat;
  out.lon = in.lon;
  HP_RETURN_IF_ERROR(CheckLength(in.device_id, 64, Field(i, "device_id"), false));
  out.device_id = in.device_id;
  if (!in.corrects.empty()) {
    HP_ASSIGN_OR_RETURN(auto c, NormalizeUuid(in.corrects, Field(i, "corrects")));
    out.corrects = c;
  }
  if (in.holding && *in.holding <= 0) {
    return InvalidArgument(Field(i, "holding"), "holding must be a holding id");
  }
  out.holding_id = in.holding;
  return out;
}

Status HerdService::CheckBatchPhones(const Caller& caller,
                                     const std::vector<VaccinationInput>& records) {
  if (config_.lookups_per_minute <= 0 || caller.system) return Status::Ok();
  // A record naming its owner by phone is answered `created` when the number is free and
  // `rejected` when another authority's owner holds it: the answer is a phone lookup. Each distinct
  // number that is not of an owner of the caller's jurisdiction takes one lookup, whether free or
  // held elsewhere, so that the cost tells nothing; the caller's own owners cost nothing. A batch
  // that needs more than is left is refused whole (429) before anything is stored or counted: the
  // client sends it again later (a batch is idempotent).
  std::vector<std::string> phones;
  for (const VaccinationInput& v : records) {
    if (v.owner_id || v.owner_phone.empty()) continue;
    if (std::find(phones.begin(), phones.end(), v.owner_phone) == phones.end()) {
      phones.push_back(v.owner_phone);
    }
  }
  int cost = 0;
  for (const std::string& phone : phones) {
    auto owner = store_.FindOwnerByPhone(phone);
    if (!owner.ok() && owner.status().code() != StatusCode::kNotFound) return owner.status();
    if (owner.ok() && InJurisdiction(caller.authority, owner->authority)) continue;
    ++cost;
  }
  if (cost == 0) return Status::Ok();
  // More than a whole minute allows can never pass at once: a 400 naming no record, which the
  // client answers by sending smaller batches (docs/sync-protocol.md), where a 429 would be resent
  // as it is, for ever.
  if (cost > config_.lookups_per_minute) {
    return InvalidArgument("records",
                           "the batch names " + std::to_string(cost) +
                               " phone numbers of no owner of your jurisdiction, more than the " +
                               std::to_string(config_.lookups_per_minute) +
                               " phone lookups allowed a minute: send it in smaller batches");
  }
  if (!throttle_->TakeLookups(caller.user_id, clock_.Now(), config_.lookups_per_minute, cost)) {
    return ResourceExhausted(
        "the batch names " + std::to_string(cost) +
        " phone numbers of no owner of your jurisdiction: more than your phone lookups left "
        "this minute; send it again in a minute, or in smaller batches");
  }
  return Status::Ok();
}

Result<BatchSummary> HerdService::RecordBatch(const Caller& caller,
                                              const std::vector<VaccinationRecordInput>& records) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kRecordVaccinations));
  if (records.empty()) return InvalidArgument("records", "the batch has no records");
  if (records.size() > static_cast<size_t>(config_.max_batch)) {
    return InvalidArgument("records", "a batch holds at most " + std::to_string(config_.max_batch) +
                                          " records, got " + std::to_string(records.size()));
  }
  const Date today = clock_.Today();
  BatchSummary summary;
  summary.results.resize(records.size());
  std::vector<VaccinationInput> valid;
  std::vector<size_t> valid_index;
  std::map<int64_t, Result<Holding>> holdings;  // by id, as HoldingFor found them
  valid.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    auto v = ValidateRecord(records[i], i, today);
    summary.results[i].id = records[i].id;
    if (!v.ok()) {
      summary.results[i].outcome = RecordOutcome::kRejected;
      summary.results[i].reason = v.status();
      continue;
    }
    // The holding: one of the caller's jurisdiction, open on the day of the dose; read once per
    // batch however many records name it. Holdings are never deleted, so what is found here is
    // still there when the batch is stored.
    if (v->holding_id) {
      auto it = holdings.find(*v->holding_id);
      if (it == holdings.end()) {
        it = holdings.emplace(*v->holding_id, HoldingFor(caller, *v->holding_id, "holding")).first;
      }
      const Result<Holding>& h = it->second;
      if (!h.ok() && h.status().code() != StatusCode::kInvalidArgument) return h.status();
      Status open = h.ok() ? CheckHoldingOpenOn(*h, v->administered_on, Field(i, "holding"))
                           : InvalidArgument(Field(i, "holding"), h.status().message());
      if (!open.ok()) {
        summary.results[i].outcome = RecordOutcome::kRejected;
        summary.results[i].reason = open;
        continue;
      }
    }
    valid.push_back(std::move(v).value());
    valid_index.push_back(i);
  }
  HP_RETURN_IF_ERROR(CheckBatchPhones(caller, valid));
  if (!valid.empty()) {
    BatchContext ctx;
    ctx.user_id = caller.user_id;
    ctx.authority = caller.authority;
    ctx.scope = caller.authority;
    ctx.unrestricted = caller.system;
    ctx.at = clock_.Now();
    // The audit row names what was stored, known only in the transaction: none when nothing was.
    const AuditEntry batch_audit = Audit(caller, "vaccination.batch", "");
    HP_ASSIGN_OR_RETURN(
        auto stored,
        store_.RecordVaccinations(
            valid, ctx,
            BatchAudit([&](std::span<const RecordResult> results) -> std::optional<AuditEntry> {
              size_t created = 0;
              const RecordResult* first = nullptr;
              for (const RecordResult& r : results) {
                if (r.outcome != RecordOutcome::kCreated) continue;
                if (first == nullptr) first = &r;
                ++created;
              }
              if (first == nullptr) return std::nullopt;
              AuditEntry e = batch_audit;
              e.target = "records:" + std::to_string(created);
              e.detail = AuditDetail().Add("count", created).Add("first_id", first->id).Text();
              return e;
            })));
    std::vector<std::string> foreign_phones;
    for (size_t k = 0; k < valid_index.size(); ++k) {
      RecordResult r = stored.at(k);
      r.id = valid[k].id;
      if (r.outcome == RecordOutcome::kRejected) {
        // The store names fields plainly ("species"); the client needs the record's path.
        const std::string path = "records[" + std::to_string(valid_index[k]) + "]";
        r.reason = Status(r.reason.code(), r.reason.message(),
                          r.reason.field().empty() ? path : path + "." + r.reason.field(),
                          r.reason.detail());
        if (r.reason.code() == StatusCode::kPermissionDenied && !valid[k].owner_phone.empty()) {
          foreign_phones.push_back(valid[k].owner_phone);
        }
      }
      summary.results[valid_index[k]] = std::move(r);
    }
    // A record refused because its phone belongs to another authority's owner tells that the
    // owner exists: audited as a read of personal data, like a lookup.
    if (!foreign_phones.empty()) {
      HP_RETURN_IF_ERROR(store_.AppendAudit(Audit(
          caller, "owner.conflict", "phones:" + std::to_string(foreign_phones.size()),
          AuditDetail().Add("outside_jurisdiction", true).Add("phones", foreign_phones).Text())));
    }
  }
  for (const auto& r : summary.results) {
    switch (r.outcome) {
      case RecordOutcome::kCreated:
        ++summary.created;
        break;
      case RecordOutcome::kDuplicate:
        ++summary.duplicate;
        break;
      case RecordOutcome::kRejected:
        ++summary.rejected;
        break;
    }
  }
  return summary;
}

Status HerdService::VoidVaccination(const Caller& caller, const std::string& id_text,
                                    const std::string& reason) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kVoidVaccination));
  HP_ASSIGN_OR_RETURN(auto id, NormalizeUuid(id_text, "id"));
  HP_RETURN_IF_ERROR(CheckLength(reason, 500, "reason", true));
  auto v = store_.FindVaccination(id);
  if (!v.ok() && v.status().code() != StatusCode::kNotFound) return v.status();
  if (!v.ok() || (!caller.system && !InJurisdiction(caller.authority, v->authority))) {
    return NotFound("no vaccination record " + id + " in your jurisdiction");
  }
  return store_.VoidVaccination(id, reason, clock_.Now(),
                                Audit(caller, "vaccination.void", "vaccination:" + id,
                                      AuditDetail().Add("reason", reason).Text()));
}

// --- W8: a sale at the farm ---

Result<std::string> HerdService::BuyerPhone(const std::string& text) const {
  auto phone = phones_.ToE164(text, "buyer_phone");
  if (!phone.ok()) {
    return Status(StatusCode::kUnprocessable, phone.status().message(), "buyer_phone");
  }
  return phone;
}

Result<TransferResult> HerdService::RecordTransfer(const Caller& caller,
                                                   const TransferRequest& request) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kRecordTransfer));
  TransferInput in;
  HP_ASSIGN_OR_RETURN(in.id, NormalizeUuid(request.id, "id"));
  if (in.id == kNilUuid) {
    return InvalidArgument("id", "the nil UUID is not a transfer id: make a UUIDv7");
  }
  if (request.seller_id) {
    if (*request.seller_id <= 0) return InvalidArgument("seller_id", "seller_id must be positive");
    in.seller_id = *request.seller_id;
  } else if (!request.seller_phone.empty()) {
    HP_ASSIGN_OR_RETURN(in.seller_phone, phones_.ToE164(request.seller_phone, "seller_phone"));
  } else {
    return InvalidArgument("seller_phone", "seller_phone or seller_id is required");
  }
  if (request.buyer_phone.empty()) {
    return InvalidArgument("buyer_phone", "buyer_phone is required");
  }
  HP_ASSIGN_OR_RETURN(in.buyer_phone, BuyerPhone(request.buyer_phone));
  HP_RETURN_IF_ERROR(CheckLength(request.buyer_name, 200, "buyer_name", false));
  if (!request.buyer_name.empty() && Blank(request.buyer_name)) {
    return InvalidArgument("buyer_name", "buyer_name is blank");
  }
  in.buyer_name = request.buyer_name;
  if (request.tags.empty() && !request.flock_id) {
    return InvalidArgument("tags", "tags or flock_id is required");
  }
  if (request.tags.size() > 1000) return InvalidArgument("tags", "at most 1,000 tags in one sale");
  for (size_t i = 0; i < request.tags.size(); ++i) {
    const std::string field = "tags[" + std::to_string(i) + "]";
    HP_ASSIGN_OR_RETURN(auto tag, ParseEarTag(request.tags[i], config_.ear_tag_schemes, field));
    if (std::find(in.tags.begin(), in.tags.end(), tag.digits) != in.tags.end()) {
      return InvalidArgument(field, "the tag is listed twice");
    }
    in.tags.push_back(tag.digits);
  }
  if (request.flock_id) {
    if (*request.flock_id <= 0) return InvalidArgument("flock_id", "flock_id must be positive");
    if (!request.head) return InvalidArgument("head", "head is required with flock_id");
    if (*request.head < 1 || *request.head > 1000000) {
      return InvalidArgument("head", "head must be from 1 to 1000000");
    }
    in.flock_id = *request.flock_id;
    in.head = static_cast<int32_t>(*request.head);
  } else if (request.head) {
    return InvalidArgument("head", "head is given only with flock_id");
  }
  HP_ASSIGN_OR_RETURN(in.on, Date::Parse(request.date, "date"));
  HP_RETURN_IF_ERROR(CheckFieldDate(in.on, clock_.Today(), config_.max_record_age_years, "date"));
  in.user_id = caller.user_id;
  in.scope = caller.authority;
  in.unrestricted = caller.system;
  in.at = clock_.Now();
  AuditDetail detail;
  detail.Add("id", in.id).Add("date", request.date).Add("tags", in.tags.size());
  if (in.flock_id) detail.Add("flock_id", *in.flock_id).Add("head", in.head);
  return store_.RecordTransfer(in, AuditFor(caller, caller.authority, "transfer.record",
                                            "transfer:" + in.id, detail.Text()));
}

}  // namespace herdpass
