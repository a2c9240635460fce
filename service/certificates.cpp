// Quarantine certificates: W3 issue, W5 consume, W6 revoke, W4 verify, and the signed revocation
// list (DESIGN.md sections 2 and 6). The HP1 encoding and signatures are cert/'s; this file decides
// who may do what, which animals qualify and which key signs.
#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <span>

#include "cert/documents.h"
#include "cert/hp1.h"
#include "domain/animal_events.h"
#include "domain/audit_detail.h"
#include "domain/movement.h"
#include "service/cert_state.h"
#include "service/certificate_page.h"
#include "service/service.h"

namespace herdpass {
namespace {

constexpr size_t kMaxTags = 1000;
constexpr int64_t kMaxFlockHeads = 1000000;
constexpr size_t kMaxPlace = 200;
constexpr size_t kMaxReason = 500;
constexpr int kIssueAttempts = 5;
constexpr size_t kMaxConsumedCache = 100000;

Status CheckText(const std::string& value, size_t max, const std::string& field, bool required) {
  if (required && value.empty()) return InvalidArgument(field, field + " is required");
  if (value.size() > max) {
    return InvalidArgument(field, field + " is longer than " + std::to_string(max) + " characters");
  }
  for (char ch : value) {
    if (static_cast<unsigned char>(ch) < 0x20 && ch != '\t') {
      return InvalidArgument(field, field + " holds a control character");
    }
  }
  return Status::Ok();
}

// The local calendar date of `t` (vaccination dates and the day of issue are local dates).
Date LocalDate(Timestamp t, std::chrono::minutes offset) { return Date::Of(t + offset); }

std::string YyyyMmDd(Date d) {
  std::string s = d.ToString();  // YYYY-MM-DD
  s.erase(std::remove(s.begin(), s.end(), '-'), s.end());
  return s;
}

// A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, version 7, variant 10, the rest random.
std::array<uint8_t, 16> NewUuid7(Timestamp now, const RandomSource& random) {
  std::array<uint8_t, 16> b{};
  random.Fill(std::span(b).subspan(6));
  const auto ms = static_cast<uint64_t>(now.time_since_epoch().count());
  for (size_t k = 0; k < 6; ++k) b[k] = static_cast<uint8_t>(ms >> (40 - 8 * k));
  b[6] = static_cast<uint8_t>(0x70 | (b[6] & 0x0f));
  b[8] = static_cast<uint8_t>(0x80 | (b[8] & 0x3f));
  return b;
}

// 8 Crockford base32 characters from the last 40 random bits of the id: short enough to read out
// over the phone, without the letters I, L, O and U that are mistaken for digits.
std::string NumberSuffix(const std::array<uint8_t, 16>& b) {
  static constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  uint64_t bits = 0;
  for (size_t k = 11; k < 16; ++k) bits = (bits << 8) | b[k];
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kCrockford[bits & 0x1f];
    bits >>= 5;
  }
  return out;
}

// --- W3 steps that need no service state ---

// The request's form, checked before anything is read.
struct IssueForm {
  const Species* species = nullptr;
  std::vector<std::pair<size_t, std::string>> tags;  // (index in the request, normalized tag)
  Purpose purpose = Purpose::kSlaughter;
};

Result<IssueForm> CheckForm(const CertificateRequest& req, const Catalogue& catalogue,
                            const std::vector<EarTagScheme>& schemes) {
  IssueForm form;
  form.species = catalogue.FindSpecies(req.species);
  if (form.species == nullptr) {
    return InvalidArgument("species", req.species.empty()
                                          ? "species is required"
                                          : "unknown species '" + req.species.substr(0, 64) + "'");
  }
  if (req.animal_tags.size() > kMaxTags) {
    return InvalidArgument("animal_tags",
                           "at most " + std::to_string(kMaxTags) + " tags in one certificate");
  }
  if (!req.animal_tags.empty() && form.species->flock_only) {
    return InvalidArgument("animal_tags",
                           form.species->name + " are certified as a flock by head_count");
  }
  for (size_t i = 0; i < req.animal_tags.size(); ++i) {
    const std::string field = "animal_tags[" + std::to_string(i) + "]";
    HP_ASSIGN_OR_RETURN(const EarTag tag, ParseEarTag(req.animal_tags[i], schemes, field));
    auto same = [&](const auto& t) { return t.second == tag.digits; };
    if (std::find_if(form.tags.begin(), form.tags.end(), same) == form.tags.end()) {
      form.tags.emplace_back(i, tag.digits);
    }
  }
  if (req.head_count && (*req.head_count < 1 || *req.head_count > kMaxFlockHeads)) {
    return InvalidArgument("head_count", "head_count must be from 1 to 1,000,000");
  }
  if (form.tags.empty() && !req.head_count) {
    return InvalidArgument("animal_tags", "give animal_tags, or head_count for the owner's flock");
  }
  HP_ASSIGN_OR_RETURN(form.purpose, ParsePurpose(req.purpose, "purpose"));
  if (req.destination.empty()) return InvalidArgument("destination", "destination is required");
  HP_RETURN_IF_ERROR(ValidateAuthorityCode(req.destination, "destination"));
  if (!req.origin.empty()) HP_RETURN_IF_ERROR(ValidateAuthorityCode(req.origin, "origin"));
  HP_RETURN_IF_ERROR(CheckText(req.origin_place, kMaxPlace, "origin_place", false));
  HP_RETURN_IF_ERROR(CheckText(req.destination_place, kMaxPlace, "destination_place", false));
  HP_RETURN_IF_ERROR(CheckText(req.transport, kMaxPlace, "transport", false));
  if (req.valid_hours && *req.valid_hours <= 0) {
    return InvalidArgument("valid_hours", "valid_hours must be more than 0");
  }
  return form;
}

// The first day a dose can have been given and still protect on `today`: how far back the
// owner's records are read.
Date OldestProtectingDose(const Catalogue& catalogue, Date today) {
  Date since = today;
  for (const Disease& d : catalogue.diseases()) {
    since = std::min(since, today.AddDays(-d.immunity_days));
  }
  return since;
}

// Where the animals leave from (the owner's authority unless the request names it): a vet signs
// for places of their own jurisdiction only.
Result<std::string> CheckOrigin(const Caller& caller, const CertificateRequest& req,
                                const Owner& owner) {
  std::string origin = req.origin.empty() ? owner.authority : req.origin;
  if (!caller.system && !InJurisdiction(caller.authority, origin)) {
    return Status(
        StatusCode::kPermissionDenied,
        "the origin " + origin + " is outside your jurisdiction (" + caller.authority + ")",
        "origin");
  }
  return origin;
}

// The owner's tagged animals and flock heads the certificate names.
struct Units {
  std::vector<const Animal*> animals;  // into the OwnerHistory's animals: tagged, then the flock
  int64_t heads = 0;
};

Result<Units> PickUnits(const CertificateRequest& req, const IssueForm& form,
                        const std::vector<Animal>& owned) {
  const std::string& species = form.species->code;
  Units units;
  for (const auto& [index, tag] : form.tags) {
    const std::string field = "animal_tags[" + std::to_string(index) + "]";
    auto it = std::find_if(owned.begin(), owned.end(),
                           [&](const Animal& a) { return a.tag && *a.tag == tag; });
    if (it == owned.end()) {
      return InvalidArgument(field, "the animal " + tag + " is not registered to this owner");
    }
    if (it->species != species) {
      return InvalidArgument(field,
                             "the animal " + tag + " is a " + it->species + ", not a " + species);
    }
    // W12: an animal whose life ended (died, slaughtered, ...) goes nowhere.
    if (it->ended_kind) {
      return Status(StatusCode::kFailedPrecondition,
                    "the animal " + tag + " " + AnimalEventKindName(*it->ended_kind) +
                        (it->ended_on ? " on " + it->ended_on->ToString() : std::string()),
                    field);
    }
    units.animals.push_back(&*it);
  }
  units.heads = static_cast<int64_t>(units.animals.size());
  if (req.head_count) {
    auto flock = std::find_if(owned.begin(), owned.end(), [&](const Animal& a) {
      return a.is_flock() && a.species == species;
    });
    if (flock == owned.end()) {
      return InvalidArgument("head_count", "the owner has no flock of " + species);
    }
    if (flock->head_count < *req.head_count) {
      return InvalidArgument("head_count", "the owner's flock of " + species + " has " +
                                               std::to_string(flock->head_count) +
                                               " heads, fewer than " +
                                               std::to_string(*req.head_count));
    }
    units.animals.push_back(&*flock);
    units.heads += *req.head_count;
  }
  return units;
}

// The 422 of unmet movement rules: the first three in the message, all of them in the payload.
Status RulesUnmet(std::vector<RuleFailure> unmet) {
  std::string message = "the animals do not meet the movement rules: ";
  for (size_t i = 0; i < unmet.size() && i < 3; ++i) {
    message += (i ? "; " : "") + unmet[i].animal + " " + unmet[i].message;
  }
  if (unmet.size() > 3) message += "; and " + std::to_string(unmet.size() - 3) + " more";
  return Unprocessable(message).WithPayload(UnmetRules{std::move(unmet)});
}

// Everything of the certificate but its id, number and signature.
Certificate Draft(const Caller& caller, const CertificateRequest& req, const IssueForm& form,
                  const Owner& owner, const Units& units) {
  Certificate c;
  c.owner_id = owner.id;
  c.species = form.species->code;
  c.head_count = static_cast<int32_t>(units.heads);
  for (const Animal* unit : units.animals) {
    c.animal_ids.push_back(unit->id);
    if (unit->tag) c.tags.push_back(*unit->tag);
  }
  std::sort(c.tags.begin(), c.tags.end());
  c.purpose = form.purpose;
  c.origin_place = req.origin_place;
  c.destination = req.destination;
  c.destination_place = req.destination_place;
  c.transport = req.transport;
  c.vet_id = caller.user_id;
  c.vet_name = caller.username;
  c.owner_masked_name = MaskName(owner.name);
  c.owner_phone_last4 = PhoneLast4(owner.phone);
  c.status = CertificateStatus::kIssued;
  return c;
}

// The certificate as its signed payload tells it: what a verifier may show to anyone.
Certificate FromPayload(const cert::Hp1Payload& p, const std::string& kid) {
  Certificate c;
  c.id = p.id;
  c.number = p.number;
  c.authority = p.iss;
  c.kid = kid;
  c.species = p.species;
  c.head_count = p.head_count;
  c.tags = p.tags;
  if (auto purpose = ParsePurpose(p.purpose); purpose.ok()) c.purpose = purpose.value();
  c.origin = p.origin;
  c.origin_place = p.origin_place;
  c.destination = p.destination;
  c.destination_place = p.destination_place;
  c.transport = p.transport;
  c.issued_at = p.iat;
  c.valid_until = p.exp;
  c.vaccinations = p.vaccinations;
  c.vet_name = p.vet;
  c.owner_masked_name = p.owner_masked_name;
  c.owner_phone_last4 = p.owner_phone_last4;
  return c;
}

// The stored certificate asked for by id (UUID) or by its number.
Result<Certificate> FindByIdOrNumber(Store& store, const std::string& text) {
  if (text.empty()) return InvalidArgument("id", "the certificate id is required");
  if (text.size() > 128) return NotFound("no certificate " + text.substr(0, 64));
  auto id = NormalizeUuid(text, "id");
  auto found = id.ok() ? store.FindCertificate(id.value()) : store.FindCertificateByNumber(text);
  if (!found.ok() && found.status().code() == StatusCode::kNotFound) {
    return NotFound("no certificate " + text);
  }
  return found;
}

// Issue 14 item 5: a scan of a consumed certificate, kept as a double use, answered with both
// scans; the message names the first use (when, where, by whom).
Status DoubleUse(const Certificate& c, const CertificateUse& first, const CertificateUse& second) {
  return AlreadyExists("already consumed at " + FormatRfc3339(first.scanned_at) + " at " +
                       first.place + " by " + first.user_name + ": this scan of " + c.number +
                       " is recorded as a double use")
      .WithPayload(DoubleUseRecorded{first, second});
}

// The scan of a use as the request gives it: its id (made by the device, or here for older
// clients) and its time (now when not given).
struct ScanOfUse {
  std::string id;
  Timestamp at{};
};

constexpr std::string_view kNilUseId = "00000000-0000-0000-0000-000000000000";
// As passages: a phone's clock may run ahead.
constexpr auto kScanFutureTolerance = std::chrono::hours(24);

Result<ScanOfUse> ReadScanOfUse(const ArrivalRequest& r, Timestamp now, const RandomSource& random,
                                const ServiceConfig& config) {
  ScanOfUse scan;
  if (r.id.empty()) {
    scan.id = UuidText(NewUuid7(now, random));
  } else {
    HP_ASSIGN_OR_RETURN(scan.id, NormalizeUuid(r.id, "id"));
    if (scan.id == kNilUseId) {
      return InvalidArgument("id", "the nil UUID is not a scan id: make a UUIDv7");
    }
  }
  if (r.at.empty()) {
    scan.at = now;
    return scan;
  }
  HP_ASSIGN_OR_RETURN(scan.at, ParseRfc3339(r.at, "at"));
  if (scan.at > now + kScanFutureTolerance) {
    return InvalidArgument("at", "the scan is in the future: at most one day after " +
                                     FormatRfc3339(now) + " is accepted");
  }
  if (Date::Of(scan.at) < Date::Of(now).AddYears(-config.max_record_age_years)) {
    return InvalidArgument("at", "the scan is more than " +
                                     std::to_string(config.max_record_age_years) + " years back");
  }
  return scan;
}

Status Revoked(const Certificate& c) {
  return FailedPrecondition("the certificate " + c.number + " was revoked" +
                            (c.revoked_at ? " at " + FormatRfc3339(*c.revoked_at) : "") + ": " +
                            c.revoke_reason);
}

}  // namespace

Result<Certificate> FindCertificateByIdOrNumber(Store& store, const std::string& text) {
  return FindByIdOrNumber(store, text);
}

// --- CertState: revocations and consumption ---

Result<std::shared_ptr<const RevocationSnapshot>> HerdService::CertState::Revocations(
    Store& store, Timestamp now) {
  std::lock_guard lock(revocations_mu_);
  const bool fresh = revocations_ && !revocations_stale_ && now >= revocations_checked_at_ &&
                     now - revocations_checked_at_ < kRevocationCacheFor;
  if (fresh) return revocations_;
  const int64_t after = revocations_ ? revocations_->sequence : 0;
  auto rows = store.ListRevocations(after);
  if (!rows.ok()) {
    if (revocations_) return revocations_;  // the last list known: better than none
    return rows.status();
  }
  if (!revocations_ || !rows->empty()) {
    auto next = revocations_ ? std::make_shared<RevocationSnapshot>(*revocations_)
                             : std::make_shared<RevocationSnapshot>();
    for (const Revocation& r : rows.value()) {
      next->sequence = std::max(next->sequence, r.sequence);
      if (!next->ids.insert(r.certificate_id).second) continue;
      auto hash = cert::RevocationHash(r.certificate_id);
      if (hash.ok()) next->hashes.push_back(std::move(hash).value());
    }
    revocations_ = std::move(next);
  }
  revocations_checked_at_ = now;
  revocations_stale_ = false;
  return revocations_;
}

void HerdService::CertState::InvalidateRevocations() {
  std::lock_guard lock(revocations_mu_);
  revocations_stale_ = true;
}

std::optional<std::string> HerdService::CertState::RevocationDocument(
    int64_t sequence, const std::string& zones_key, Timestamp now, std::chrono::minutes max_age) {
  std::lock_guard lock(revocations_mu_);
  if (revocation_doc_.empty() || revocation_doc_sequence_ != sequence ||
      revocation_doc_zones_ != zones_key || now < revocation_doc_at_ ||
      now - revocation_doc_at_ >= max_age) {
    return std::nullopt;
  }
  return revocation_doc_;
}

void HerdService::CertState::KeepRevocationDocument(std::string doc, int64_t sequence,
                                                    std::string zones_key, Timestamp signed_at) {
  std::lock_guard lock(revocations_mu_);
  revocation_doc_ = std::move(doc);
  revocation_doc_sequence_ = sequence;
  revocation_doc_zones_ = std::move(zones_key);
  revocation_doc_at_ = signed_at;
}

std::shared_ptr<const ZoneSnapshot> HerdService::CertState::PublishedZones(Date day,
                                                                           Timestamp now) {
  std::lock_guard lock(revocations_mu_);
  if (!zones_ || zones_->day != day || now < zones_->loaded_at ||
      now - zones_->loaded_at >= kRevocationCacheFor) {
    return nullptr;
  }
  return zones_;
}

void HerdService::CertState::KeepPublishedZones(std::shared_ptr<const ZoneSnapshot> zones) {
  std::lock_guard lock(revocations_mu_);
  zones_ = std::move(zones);
}

std::shared_ptr<const ZonesInForce> HerdService::CertState::ZonesForIssuance(Date day) {
  std::lock_guard lock(issuance_zones_mu_);
  if (!issuance_zones_ || issuance_zones_->day != day) return nullptr;
  return issuance_zones_;
}

void HerdService::CertState::KeepZonesForIssuance(std::shared_ptr<const ZonesInForce> zones) {
  std::lock_guard lock(issuance_zones_mu_);
  issuance_zones_ = std::move(zones);
}

void HerdService::CertState::InvalidateZones() {
  {
    std::lock_guard lock(revocations_mu_);
    zones_.reset();
  }
  std::lock_guard lock(issuance_zones_mu_);
  issuance_zones_.reset();
}

std::optional<HerdService::CertState::Consumed> HerdService::CertState::FindConsumed(
    const std::string& id, Timestamp now) {
  std::lock_guard lock(consumed_mu_);
  auto it = consumed_.find(id);
  if (it == consumed_.end()) return std::nullopt;
  // Consumption is final: a consumed certificate stays consumed, so only other answers expire.
  if (!it->second.consumed &&
      (now < it->second.fetched_at || now - it->second.fetched_at >= kConsumptionCacheFor)) {
    consumed_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void HerdService::CertState::RememberConsumed(const std::string& id, Consumed c) {
  std::lock_guard lock(consumed_mu_);
  if (consumed_.size() >= kMaxConsumedCache) consumed_.clear();  // bound memory
  consumed_[id] = std::move(c);
}

void HerdService::CertState::ForgetConsumed(const std::string& id) {
  std::lock_guard lock(consumed_mu_);
  consumed_.erase(id);
}

// --- W3 ---

Result<Certificate> HerdService::IssueCertificate(const Caller& caller,
                                                  const CertificateRequest& req) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kIssueCertificate));
  HP_ASSIGN_OR_RETURN(const IssueForm form, CheckForm(req, catalogue_, config_.ear_tag_schemes));
  // W8: only a sale names a buyer; a phone that does not parse is refused before anything is read.
  std::string buyer_phone;
  if (!req.buyer_phone.empty() || !req.buyer_name.empty()) {
    if (form.purpose != Purpose::kSale) {
      return InvalidArgument(req.buyer_phone.empty() ? "buyer_name" : "buyer_phone",
                             "only a certificate for sale names a buyer");
    }
    if (req.buyer_phone.empty()) {
      return InvalidArgument("buyer_phone", "buyer_phone is required with buyer_name");
    }
    HP_ASSIGN_OR_RETURN(buyer_phone, BuyerPhone(req.buyer_phone));
    if (req.buyer_name.size() > 200) {
      return InvalidArgument("buyer_name", "buyer_name is longer than 200 characters");
    }
  }
  // The answer tells whether a phone or an id is an owner's, and of which authority: a phone
  // lookup, counted as such (DESIGN.md section 9).
  HP_RETURN_IF_ERROR(CheckLookupRate(caller));
  const Timestamp now = std::chrono::floor<std::chrono::seconds>(clock_.Now());  // CWT: seconds
  const Date today = LocalDate(now, config_.local_utc_offset);
  HP_ASSIGN_OR_RETURN(const OwnerHistory history,
                      LoadOwnerToCertify(caller, req, OldestProtectingDose(catalogue_, today)));
  HP_ASSIGN_OR_RETURN(const std::string origin, CheckOrigin(caller, req, history.owner));
  const MovementScope scope = ScopeOf(origin, req.destination);
  const ValidityPolicy validity{config_.local_utc_offset, config_.validity_days_across_provinces};
  HP_ASSIGN_OR_RETURN(const Timestamp valid_until,
                      ValidUntil(scope, now, validity, req.valid_hours));
  HP_ASSIGN_OR_RETURN(const Units units, PickUnits(req, form, history.animals));
  // The signing key before the rules: without one nothing can be issued.
  const std::string authority = caller.system ? history.owner.authority : caller.authority;
  HP_ASSIGN_OR_RETURN(const auto signer, SignerFor(authority, valid_until));
  MovementAssessment assessed =
      AssessMovement(config_.movement_rules, catalogue_, {form.purpose, scope, form.species->code},
                     units.animals, history.vaccinations, today);
  // W14: a zone in force around the origin is one more unmet rule, listed with the others. The
  // zones as kept in memory; the revision they were read at is checked again when the
  // certificate is stored.
  std::shared_ptr<const ZonesInForce> zones;
  std::vector<RuleFailure> zoned;
  auto judge_zones = [&](bool afresh) -> Status {
    if (afresh) certs_->InvalidateZones();
    HP_ASSIGN_OR_RETURN(zones, ZonesForIssuance(today));
    HP_ASSIGN_OR_RETURN(zoned, ZoneFailuresFor(zones->zones, req.origin_holding, origin,
                                               form.species->code, today));
    return Status::Ok();
  };
  HP_RETURN_IF_ERROR(judge_zones(false));
  // A refusal is never judged on kept zones alone: another server may have lifted the zone.
  if (!zoned.empty()) HP_RETURN_IF_ERROR(judge_zones(true));
  assessed.failures.insert(assessed.failures.end(), std::make_move_iterator(zoned.begin()),
                           std::make_move_iterator(zoned.end()));
  if (!assessed.failures.empty()) return RulesUnmet(std::move(assessed.failures));

  HP_RETURN_IF_ERROR(CheckMovementHoldings(caller, req, today));
  Certificate c = Draft(caller, req, form, history.owner, units);
  c.origin_holding_id = req.origin_holding;
  c.destination_holding_id = req.destination_holding;
  if (!buyer_phone.empty()) {
    c.buyer_phone = buyer_phone;
    c.buyer_name = req.buyer_name;
  }
  c.authority = authority;
  c.origin = origin;
  c.issued_at = now;
  c.valid_until = valid_until;
  c.vaccinations = std::move(assessed.rests_on);
  c.kid = signer.first.kid;
  Result<Certificate> stored = NotFound("");
  for (int attempt = 0;; ++attempt) {
    stored = NumberSignAndStore(caller, c, *signer.second, today, zones->revision);
    if (stored.ok() || !ZonesChanged(stored.status())) break;
    // A zone was declared or lifted since the zones were read, here or by another server on the
    // same database: judged again on the zones now in force (the other rules held).
    if (attempt + 1 >= kIssueAttempts) return Unavailable("the zones kept changing; try again");
    HP_RETURN_IF_ERROR(judge_zones(true));
    if (!zoned.empty()) return RulesUnmet(std::move(zoned));
  }
  HP_ASSIGN_OR_RETURN(Certificate issued, std::move(stored));
  if (!buyer_phone.empty()) {  // the buyer the store found or created with the certificate
    HP_ASSIGN_OR_RETURN(const Owner buyer, store_.FindOwnerByPhone(buyer_phone));
    issued.buyer_id = buyer.id;
  }
  return issued;
}

Result<OwnerHistory> HerdService::LoadOwnerToCertify(const Caller& caller,
                                                     const CertificateRequest& req, Date since) {
  Result<OwnerHistory> history = NotFound("");
  std::string owner_field;
  std::optional<std::string> also_phone;  // owner_phone given with owner_id: must be that owner's
  if (req.owner_id) {
    owner_field = "owner_id";
    if (*req.owner_id <= 0) return InvalidArgument(owner_field, "owner_id must be positive");
    if (!req.owner_phone.empty()) {
      HP_ASSIGN_OR_RETURN(also_phone, phones_.ToE164(req.owner_phone, "owner_phone"));
    }
    history = store_.LoadOwnerHistory(*req.owner_id, since);
  } else if (!req.owner_phone.empty()) {
    owner_field = "owner_phone";
    HP_ASSIGN_OR_RETURN(const std::string phone, phones_.ToE164(req.owner_phone, owner_field));
    history = store_.LoadOwnerHistoryByPhone(phone, since);
  } else {
    return InvalidArgument("owner_phone", "owner_phone or owner_id is required");
  }
  if (!history.ok()) {
    if (history.status().code() != StatusCode::kNotFound) return history.status();
    return InvalidArgument(owner_field, owner_field == "owner_id"
                                            ? "no owner with this id"
                                            : "no owner with this phone number");
  }
  const Owner& owner = history->owner;
  if (!caller.system && !InJurisdiction(caller.authority, owner.authority)) {
    // The answer tells that the owner exists elsewhere: audited like a read of personal data.
    HP_RETURN_IF_ERROR(store_.AppendAudit(
        Audit(caller, "owner.conflict", "owner:" + std::to_string(owner.id),
              AuditDetail().Add("outside_jurisdiction", true).Add("use", "certificate").Text())));
    return PermissionDenied("the owner belongs to " + owner.authority +
                            ", outside your jurisdiction");
  }
  // Compared only once the owner is known to be the caller's to see: the answer tells nothing of
  // an owner elsewhere.
  if (also_phone && *also_phone != owner.phone) {
    return InvalidArgument("owner_phone",
                           "owner_phone is not the phone number of the owner owner_id names");
  }
  return history;
}

Result<Certificate> HerdService::NumberSignAndStore(const Caller& caller, Certificate c,
                                                    const cert::Ed25519Signer& signer, Date today,
                                                    std::optional<int64_t> zones_revision) {
  for (int attempt = 0;; ++attempt) {
    const auto id = NewUuid7(c.issued_at, random_);
    c.id = UuidText(id);
    c.number = c.authority + "-" + YyyyMmDd(today) + "-" + NumberSuffix(id);
    c.hp1 = cert::EncodeHp1(cert::PayloadOf(c), signer);
    const std::string detail = AuditDetail()
                                   .Add("destination", c.destination)
                                   .Add("head_count", c.head_count)
                                   .Add("kid", c.kid)
                                   .Add("number", c.number)
                                   .Add("owner_id", c.owner_id)
                                   .Add("purpose", PurposeName(c.purpose))
                                   .Add("species", c.species)
                                   .Text();
    Status stored = store_.CreateCertificate(
        c, Audit(caller, "certificate.issue", "certificate:" + c.id, detail), zones_revision);
    if (stored.ok()) return c;
    // A taken id or number (40 random bits a day per authority) is drawn again.
    if (stored.code() != StatusCode::kAlreadyExists || attempt + 1 >= kIssueAttempts) {
      return stored;
    }
  }
}

Result<Certificate> HerdService::GetCertificate(const Caller& caller, const std::string& id) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadCertificate));
  HP_ASSIGN_OR_RETURN(Certificate c, FindByIdOrNumber(store_, id));
  // As GET /certificates lists them: what was issued in the caller's subtree, and for inspectors
  // also what is bound for it. Anyone else verifies the QR code (public).
  const bool visible =
      caller.system || InJurisdiction(caller.authority, c.authority) ||
      (caller.role == Role::kInspector && InJurisdiction(caller.authority, c.destination));
  if (!visible) return NotFound("no certificate " + id + " in your jurisdiction");
  return c;
}

// The cursor of a certificate list: "<issued_at in ms>.<id>" of the last item shown.
Result<CertificatePage> HerdService::ListCertificates(const Caller& caller,
                                                      const CertificateListRequest& request) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadCertificate));
  CertificateListQuery q;
  q.scope = caller.authority;
  q.all_authorities = caller.system;
  q.destination_too = caller.role == Role::kInspector;
  q.now = clock_.Now();
  q.owner_id = request.owner_id;
  // "valid" lists what the items show as "issued" (issued and not expired); "issued" is taken too.
  if (request.status == "valid" || request.status == "issued" || request.status == "expired") {
    q.status = CertificateStatus::kIssued;
    q.valid_at_now = request.status != "expired";
  } else if (request.status == "consumed") {
    q.status = CertificateStatus::kConsumed;
  } else if (request.status == "revoked") {
    q.status = CertificateStatus::kRevoked;
  } else if (!request.status.empty()) {
    return InvalidArgument("status", "status must be valid, issued, consumed, revoked or expired");
  }
  return ReadCertificatePage(
      std::move(q), request.limit, request.cursor,
      [&](const CertificateListQuery& query) { return store_.ListCertificates(query); });
}

// --- W5 ---

Result<Certificate> HerdService::ConsumeCertificate(const Caller& caller, const std::string& id,
                                                    const std::string& place) {
  ArrivalRequest arrival;
  arrival.place = place;
  return ConsumeCertificate(caller, id, arrival);
}

Result<Certificate> HerdService::ConsumeCertificate(const Caller& caller, const std::string& id,
                                                    const ArrivalRequest& arrival) {
  HP_ASSIGN_OR_RETURN(CertificateUseAnswer used, UseCertificate(caller, id, arrival));
  return std::move(used.certificate);
}

Result<CertificateUseAnswer> HerdService::UseCertificate(const Caller& caller,
                                                         const std::string& id,
                                                         const ArrivalRequest& arrival) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kConsumeCertificate));
  // The place: required, unless the arrival names its holding, whose name it is then.
  std::string place = arrival.place;
  HP_RETURN_IF_ERROR(CheckText(place, kMaxPlace, "place", !arrival.holding));
  // The arrival's form, before anything is read.
  std::optional<std::vector<std::string>> tags_seen;
  if (arrival.tags) {
    if (arrival.tags->size() > kMaxTags) {
      return InvalidArgument("tags", "at most " + std::to_string(kMaxTags) + " tags");
    }
    tags_seen.emplace();
    for (size_t i = 0; i < arrival.tags->size(); ++i) {
      HP_ASSIGN_OR_RETURN(const EarTag tag, ParseEarTag((*arrival.tags)[i], config_.ear_tag_schemes,
                                                        "tags[" + std::to_string(i) + "]"));
      tags_seen->push_back(tag.digits);
    }
  }
  const Timestamp now = clock_.Now();
  HP_ASSIGN_OR_RETURN(const ScanOfUse scan, ReadScanOfUse(arrival, now, random_, config_));
  HP_ASSIGN_OR_RETURN(Certificate c, FindByIdOrNumber(store_, id));
  // W5: at the destination (its authority, or the destination holding's). Inspectors elsewhere
  // verify it (and record passages); they must not use it up on the road. Checked before its
  // state, which they would learn otherwise.
  bool at_destination = caller.system || InJurisdiction(caller.authority, c.destination);
  if (!at_destination && c.destination_holding_id) {
    auto to = store_.FindHolding(*c.destination_holding_id);
    at_destination = to.ok() && InJurisdiction(caller.authority, to->authority);
  }
  if (!at_destination) {
    return PermissionDenied("the certificate " + c.number + " is bound for " + c.destination +
                            ": only an inspector of that jurisdiction consumes it");
  }
  // A consumed certificate goes on to the store, which answers a scan sent again as the first
  // time, and keeps any other as a double use. A scan that waited offline is judged at its time.
  if (c.status == CertificateStatus::kIssued && c.expired_at(scan.at)) {
    return FailedPrecondition("the certificate " + c.number + " expired at " +
                              FormatRfc3339(c.valid_until));
  }
  Consumption use;
  use.user_id = caller.user_id;
  use.user_name = caller.username;
  use.place = place;
  use.at = scan.at;
  use.on = LocalDate(scan.at, config_.local_utc_offset);
  // The use is recorded in the authority of the arrival holding, when named; else the caller's.
  std::string use_authority = caller.authority;
  if (arrival.holding) {
    auto at = store_.FindHolding(*arrival.holding);
    if (!at.ok()) {
      if (at.status().code() != StatusCode::kNotFound) return at.status();
      return InvalidArgument("holding", "no holding " + std::to_string(*arrival.holding));
    }
    if (!caller.system && !InJurisdiction(caller.authority, at->authority)) {
      return Status(StatusCode::kPermissionDenied,
                    "the holding " + at->code + " is in " + at->authority +
                        ", outside your jurisdiction (" + caller.authority + ")",
                    "holding");
    }
    if (place.empty()) use.place = place = at->name;
    use_authority = at->authority;
  }
  HP_ASSIGN_OR_RETURN(use.arrival, CompareArrival(c, arrival.head_count, tags_seen));
  use.arrival.holding_id = arrival.holding;
  for (size_t i = 0; i < c.animal_ids.size(); ++i) {
    use.event_ids.push_back(UuidText(NewUuid7(now, random_)));
  }
  AuditDetail detail;
  detail.Add("number", c.number).Add("place", place).Add("id", scan.id);
  if (arrival.holding) detail.Add("holding", *arrival.holding);
  if (use.arrival.head_counted) detail.Add("head_count", int64_t{*use.arrival.head_counted});
  if (use.arrival.mismatch) detail.Add("mismatch", true);
  detail.Add("at", FormatRfc3339(scan.at));
  CertificateUseInput in;
  in.use.id = scan.id;
  in.use.scanned_at = scan.at;
  in.use.received_at = now;
  in.use.user_id = caller.user_id;
  in.use.user_name = caller.username;
  in.use.place = place;
  in.use.holding_id = arrival.holding;
  in.use.head_counted = use.arrival.head_counted;
  in.use.authority = std::move(use_authority);
  in.consumption = std::move(use);
  const std::string target = "certificate:" + c.id;
  in.consumed = Audit(caller, "certificate.consume", target, detail.Text());
  in.double_used = Audit(caller, "certificate.double_use", target, detail.Text());
  auto stored = store_.UseCertificate(c.id, in);
  certs_->ForgetConsumed(c.id);
  if (!stored.ok()) {
    // A vet revoked it between the read and the write.
    if (stored.status().code() == StatusCode::kFailedPrecondition) {
      auto now_stored = store_.FindCertificate(c.id);
      if (now_stored.ok() && now_stored->status == CertificateStatus::kRevoked) {
        return Revoked(now_stored.value());
      }
    }
    return stored.status();
  }
  if (stored->use.double_use) return DoubleUse(stored->certificate, stored->first, stored->use);
  CertificateUseAnswer answer;
  answer.certificate = std::move(stored->certificate);
  answer.use = std::move(stored->use);
  answer.duplicate = stored->duplicate;
  return answer;
}

// --- W6 ---

Result<Certificate> HerdService::RevokeCertificate(const Caller& caller, const std::string& id,
                                                   const std::string& reason) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kRevokeCertificate));
  HP_RETURN_IF_ERROR(CheckText(reason, kMaxReason, "reason", true));
  HP_ASSIGN_OR_RETURN(Certificate c, FindByIdOrNumber(store_, id));
  if (!caller.system && !InJurisdiction(caller.authority, c.authority)) {
    return PermissionDenied("the certificate " + c.number + " was issued by " + c.authority +
                            ", outside your jurisdiction");
  }
  if (c.status == CertificateStatus::kRevoked) return Revoked(c);
  const Timestamp now = clock_.Now();
  auto revoked = store_.RevokeCertificate(
      c.id, caller.user_id, reason, now,
      Audit(caller, "certificate.revoke", "certificate:" + c.id,
            AuditDetail().Add("number", c.number).Add("reason", reason).Text()));
  if (!revoked.ok()) {
    if (revoked.status().code() == StatusCode::kFailedPrecondition) {
      auto again = store_.FindCertificate(c.id);
      if (again.ok() && again->status == CertificateStatus::kRevoked) return Revoked(again.value());
    }
    return revoked.status();
  }
  certs_->InvalidateRevocations();
  certs_->ForgetConsumed(c.id);
  c.status = CertificateStatus::kRevoked;
  c.revoked_at = revoked->revoked_at;
  c.revoked_by = caller.user_id;
  c.revoke_reason = reason;
  return c;
}

// --- W4 ---

VerifyResult HerdService::Verify(const Caller& /*caller: public, nothing personal is shown*/,
                                 const std::string& hp1) {
  VerifyResult out;
  out.status = "invalid";
  // A scanner may add a line end or spaces around the text.
  const auto first = hp1.find_first_not_of(" \t\r\n");
  const auto last = hp1.find_last_not_of(" \t\r\n");
  const std::string_view text = first == std::string::npos
                                    ? std::string_view()
                                    : std::string_view(hp1).substr(first, last - first + 1);
  const cert::Limits limits;
  if (text.empty()) {
    out.reasons.emplace_back(cert::reason::kPrefix, "no certificate text was given");
    return out;
  }
  if (auto body = cert::Hp1Body(text, limits); !body.ok()) {
    out.reasons.emplace_back(body.status().field(), body.status().message());
    return out;
  }
  const Timestamp now = clock_.Now();
  auto keys = certs_->Keys(store_, now, config_.key_cache_for);
  if (!keys.ok()) {
    out.reasons.emplace_back(cert::reason::kTrustList, "the trust list cannot be read now");
    return out;
  }
  auto revocations = certs_->Revocations(store_, now);
  if (!revocations.ok()) {
    out.reasons.emplace_back(cert::reason::kRevocationList,
                             "the revocation list cannot be read now");
    return out;
  }
  // Each thread keeps its own copy of the verifier's input and refreshes it only when the key set
  // changes: copying the keys on every call would cost a good part of a verification. Revocations
  // are checked here against a hash set rather than passed in, for the same reason.
  struct ThreadInput {
    uint64_t generation = 0;
    cert::VerifyInput input;
  };
  thread_local ThreadInput tls;
  if (tls.generation != (*keys)->generation) {
    tls.input.keys = (*keys)->trusted;
    tls.input.limits = limits;
    tls.generation = (*keys)->generation;
  }
  tls.input.now = now;
  cert::VerifyOutcome outcome = cert::VerifyHp1(text, tls.input);
  out.valid = outcome.valid;
  out.status = outcome.status;
  for (auto& r : outcome.reasons) out.reasons.emplace_back(std::move(r.code), std::move(r.message));
  // Only a payload whose signature verified is shown: an "invalid" one may say anything. A key
  // retired or expired is found after the signature has verified: what it signed is shown.
  const bool signature_ok =
      outcome.status != "invalid" ||
      (!outcome.reasons.empty() && (out.reasons.front().first == cert::reason::kKeyRetired ||
                                    out.reasons.front().first == cert::reason::kKeyExpired));
  if (!signature_ok || !outcome.payload) return out;
  const cert::Hp1Payload& p = *outcome.payload;
  out.certificate = FromPayload(p, outcome.kid);

  if (out.status == "invalid") return out;
  if ((*revocations)->ids.count(p.id) != 0 && outcome.status != "revoked") {
    out.valid = false;
    out.status = "revoked";
    out.reasons.emplace_back(cert::reason::kRevoked, "the certificate was revoked");
  }
  if (out.status == "revoked") {
    out.certificate->status = CertificateStatus::kRevoked;
    return out;
  }

  // Consumption is known only to the node that stores the certificate.
  auto known = certs_->FindConsumed(p.id, now);
  if (!known) {
    auto stored = store_.FindCertificate(p.id);
    CertState::Consumed c;
    c.fetched_at = now;
    if (stored.ok()) {
      c.known = true;
      c.consumed = stored->status == CertificateStatus::kConsumed && stored->consumed_at;
      if (c.consumed) {
        c.at = *stored->consumed_at;
        c.place = stored->consumed_place;
      }
    }
    if (stored.ok() || stored.status().code() == StatusCode::kNotFound) {
      certs_->RememberConsumed(p.id, c);
    }
    known = c;
  }
  if (known->consumed) {
    out.valid = false;
    out.status = "consumed";
    out.consumed_at = known->at;
    out.consumed_place = known->place;
    out.certificate->status = CertificateStatus::kConsumed;
    out.certificate->consumed_at = known->at;
    out.certificate->consumed_place = known->place;
    out.reasons.emplace_back(
        cert::reason::kConsumed,
        "the certificate was used at " + known->place + " at " + FormatRfc3339(known->at));
    return out;
  }
  // W14: a certificate still good whose origin is now in a zone: it holds (it was issued before
  // the zone), but the verifier is told. Only this node knows the zones and its origin holding.
  if (auto zoned = ZoneWarnings(p.id, LocalDate(now, config_.local_utc_offset)); zoned.ok()) {
    out.warnings = std::move(zoned).value();
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> HerdService::ZoneWarnings(
    const std::string& certificate_id, Date today) {
  std::vector<std::pair<std::string, std::string>> out;
  HP_ASSIGN_OR_RETURN(const std::vector<Zone> zones, store_.ListZonesInForce(today));
  if (zones.empty()) return out;
  auto c = store_.FindCertificate(certificate_id);
  if (!c.ok()) return out;
  HP_ASSIGN_OR_RETURN(const auto failures,
                      ZoneFailuresFor(zones, c->origin_holding_id, c->origin, c->species, today));
  for (const RuleFailure& f : failures) {
    out.emplace_back("origin_in_zone", "now in force: " + f.message);
  }
  return out;
}

// --- signed documents ---

Result<std::string> HerdService::TrustListDocument() {
  auto doc = store_.LoadDocument("trust-list");
  if (!doc.ok()) {
    if (doc.status().code() == StatusCode::kNotFound) {
      return NotFound(
          "this node has no signed trust list yet: create a root key with `herdpass key new --root "
          "--authority <country>` and a signing key, or sign the list where the root key is kept");
    }
    return doc.status();
  }
  return doc->body;
}

Result<std::string> HerdService::RevocationListDocument() {
  const Timestamp now = clock_.Now();
  HP_ASSIGN_OR_RETURN(const auto revocations, certs_->Revocations(store_, now));
  const int64_t sequence = revocations->sequence;
  HP_ASSIGN_OR_RETURN(const auto zones,
                      PublishedZones(LocalDate(now, config_.local_utc_offset), now));
  if (auto cached =
          certs_->RevocationDocument(sequence, zones->key, now, config_.revocation_list_max_age)) {
    return *cached;
  }
  HP_ASSIGN_OR_RETURN(const auto keys, certs_->Keys(store_, now, config_.key_cache_for));
  std::vector<const SigningKey*> candidates;
  for (const SigningKey& k : keys->all) {
    if (IsOwnLocalKey(k, config_.country) && !k.root && k.usable_at(now)) {
      candidates.push_back(&k);
    }
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const SigningKey* a, const SigningKey* b) { return a->valid_from > b->valid_from; });
  for (const SigningKey* k : candidates) {
    if (config_.key_dir.empty()) break;
    auto signer = certs_->Signer(config_.key_dir, k->kid);
    if (!signer.ok()) continue;
    cert::RevocationList list;
    list.authority = k->authority;
    list.sequence = sequence;
    list.issued_at = std::chrono::floor<std::chrono::seconds>(now);
    list.revoked_hashes = revocations->hashes;
    list.zones = zones->zones;
    list.zones_utc_offset = config_.local_utc_offset;  // zones' days are the node's local days
    std::string doc = cert::SignRevocationList(list, *signer.value());
    certs_->KeepRevocationDocument(doc, sequence, zones->key, now);
    return doc;
  }
  return FailedPrecondition(
      "no signing key to sign the revocation list: run `herdpass key new --authority <authority>`");
}

}  // namespace herdpass
