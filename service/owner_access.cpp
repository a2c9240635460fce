// Owners in /me (DESIGN.md W15, issue 15 item 4): a one-time code by SMS, a session that reaches
// only the owner's own records, and who read them.
//
// The code is stored as "salt$SHA-256(salt || code)". A fast hash of a 6-digit code cannot stop
// someone holding the database from trying all million codes; it need not: a code is good for 10
// minutes and 5 tries, and whoever holds the database holds the records the code opens. The hash
// keeps codes out of backups, logs and replicas in a form that could be typed.
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <string>

#include "domain/audit_detail.h"
#include "domain/owner_code.h"
#include "domain/sms.h"
#include "domain/sms_text.h"
#include "service/service.h"
#include "service/throttle.h"
#include "service/tokens.h"

namespace herdpass {
namespace {

std::string CodeHash(const std::string& salt, const std::string& code) {
  return salt + "$" + TokenHash(salt + code);
}

bool CodeMatches(const std::string& stored, const std::string& code) {
  const size_t dollar = stored.find('$');
  if (dollar == std::string::npos) return false;
  const std::string expected = CodeHash(stored.substr(0, dollar), code);
  return expected.size() == stored.size() &&
         sodium_memcmp(expected.data(), stored.data(), stored.size()) == 0;
}

// A uniform code of kOwnerCodeDigits digits from `random` (rejection sampling: no modulo bias).
std::string NewCode(const RandomSource& random) {
  constexpr uint32_t kRange = 1000000;
  constexpr uint32_t kLimit = UINT32_MAX - (UINT32_MAX % kRange);
  uint32_t n = 0;
  do {
    std::array<uint8_t, 4> b{};
    random.Fill(b);
    n = uint32_t{b[0]} | (uint32_t{b[1]} << 8) | (uint32_t{b[2]} << 16) | (uint32_t{b[3]} << 24);
  } while (n >= kLimit);
  std::string code = std::to_string(n % kRange);
  return std::string(static_cast<size_t>(kOwnerCodeDigits) - code.size(), '0') + code;
}

std::string NewSalt(const RandomSource& random) {
  std::array<uint8_t, 16> b{};
  random.Fill(b);
  return ToHex(b.data(), b.size());
}

// The audit row of an owner's own action: no user; the owner's authority (its auditors see it),
// "" for a phone of no owner.
AuditEntry OwnerAudit(Timestamp at, const std::string& address, const std::string& authority,
                      std::string action, std::string target, std::string detail = {}) {
  AuditEntry e;
  e.at = at;
  e.action = std::move(action);
  e.target = std::move(target);
  e.detail = std::move(detail);
  e.address = address;
  e.authority = authority;
  return e;
}

}  // namespace

Status HerdService::RequestOwnerCode(const std::string& phone, const std::string& address) {
  if (phone.empty()) return InvalidArgument("phone", "phone is required");
  HP_ASSIGN_OR_RETURN(const std::string e164, phones_.ToE164(phone, "phone"));
  const Timestamp now = clock_.Now();
  if (auto wait =
          throttle_->TakeOwnerCode(e164, address, now, config_.owner_codes_per_phone_per_hour,
                                   config_.owner_codes_per_address_per_hour)) {
    return Throttled(
        "too many codes asked for; try again in " + std::to_string(wait->count()) + " s", *wait);
  }
  auto owner = store_.FindOwnerByPhone(e164);
  if (!owner.ok()) {
    if (owner.status().code() != StatusCode::kNotFound) return owner.status();
    // Answered as for an owner: whoever asks learns nothing of whether the number is held.
    return store_.AppendAudit(OwnerAudit(now, address, "", "me.code", "phone:" + e164,
                                         AuditDetail().Add("known", false).Text()));
  }
  const std::string code = NewCode(random_);
  OwnerCode stored;
  stored.owner_id = owner->id;
  stored.code_hash = CodeHash(NewSalt(random_), code);
  stored.created_at = now;
  stored.expires_at = now + kOwnerCodeValidFor;
  NewSms sms;
  sms.owner_id = owner->id;
  sms.kind = kOwnerCodeSmsKind;
  HP_ASSIGN_OR_RETURN(const SmsOwnerSettings settings, store_.FindSmsOwner(owner->id));
  sms.body = RenderOwnerCodeSms(code, SmsLanguageFor(settings.language, settings.authority));
  sms.requested = true;
  sms.at = now;
  if (config_.print_owner_codes) {
    // A demo's stand-in for the SMS (serve --sms-print-codes, refused with a gateway).
    spdlog::info("one-time code for {} (owner {}): {} (--sms-print-codes)", e164, owner->id, code);
  }
  return store_
      .SaveOwnerCode(stored, sms,
                     OwnerAudit(now, address, owner->authority, "me.code", "phone:" + e164,
                                AuditDetail().Add("known", true).Add("owner_id", owner->id).Text()))
      .status();
}

Result<OwnerLoginResult> HerdService::OwnerSignIn(const std::string& phone, const std::string& code,
                                                  const std::string& address) {
  if (phone.empty()) return InvalidArgument("phone", "phone is required");
  HP_ASSIGN_OR_RETURN(const std::string e164, phones_.ToE164(phone, "phone"));
  if (!IsOwnerCodeForm(code)) {
    return InvalidArgument("code", "the code is the 6 digits of the SMS");
  }
  const Timestamp now = clock_.Now();
  const auto refused = [] { return Unauthenticated("wrong or expired code; ask for a new one"); };
  auto owner = store_.FindOwnerByPhone(e164);
  if (!owner.ok()) {
    if (owner.status().code() != StatusCode::kNotFound) return owner.status();
    HP_RETURN_IF_ERROR(store_.AppendAudit(OwnerAudit(
        now, address, "", "me.sign_in", "phone:" + e164,
        AuditDetail().Add("outcome", OwnerCodeOutcomeName(OwnerCodeOutcome::kNone)).Text())));
    return refused();
  }
  OwnerLoginResult out;
  out.token = NewToken();
  out.expires_at = now + config_.owner_session_ttl;
  const OwnerSession session{TokenHash(out.token), owner->id, now, out.expires_at};
  HP_ASSIGN_OR_RETURN(
      const OwnerCodeOutcome outcome,
      store_.TryOwnerCode(
          owner->id, [&](const OwnerCode& c) { return CodeMatches(c.code_hash, code); }, now,
          session,
          [&](OwnerCodeOutcome o) {
            return OwnerAudit(now, address, owner->authority, "me.sign_in",
                              "owner:" + std::to_string(owner->id),
                              AuditDetail().Add("outcome", OwnerCodeOutcomeName(o)).Text());
          }));
  if (outcome != OwnerCodeOutcome::kSignedIn) return refused();
  return out;
}

Result<OwnerCaller> HerdService::AuthenticateOwner(const std::string& token,
                                                   const std::string& address) {
  if (token.empty()) return Unauthenticated("sign in with your phone number first");
  if (token.size() != 64) return Unauthenticated("the session is not valid");
  auto session = store_.FindOwnerSession(TokenHash(token));
  if (!session.ok()) {
    if (session.status().code() == StatusCode::kNotFound) {
      return Unauthenticated("the session is not valid; sign in with your phone number");
    }
    return session.status();
  }
  if (session->expires_at <= clock_.Now()) {
    return Unauthenticated("the session has expired; sign in again");
  }
  return OwnerCaller{session->owner_id, address};
}

Status HerdService::OwnerSignOut(const std::string& token, const OwnerCaller& owner) {
  HP_ASSIGN_OR_RETURN(const Owner o, store_.FindOwnerById(owner.owner_id));
  return store_.DeleteOwnerSession(
      TokenHash(token), OwnerAudit(clock_.Now(), owner.address, o.authority, "me.sign_out",
                                   "owner:" + std::to_string(o.id)));
}

Result<OwnerRecords> HerdService::OwnerOwnRecords(const OwnerCaller& owner) {
  OwnerRecords out;
  out.today = clock_.Today();
  const Date since = out.today.AddYears(-config_.lookup_years_default);
  HP_ASSIGN_OR_RETURN(OwnerHistory history,
                      store_.LoadOwnerHistory(owner.owner_id, CoverageLoadSince(since, out.today)));
  out.coverage = HistoryCoverage(history, out.today);
  out.owner = std::move(history.owner);
  for (Animal& a : history.animals) {
    if (a.alive()) out.animals.push_back(std::move(a));
  }
  out.holdings = std::move(history.holdings);
  CertificateListQuery q;
  q.all_authorities = true;  // the owner's own, wherever issued
  q.owner_id = owner.owner_id;
  q.now = clock_.Now();
  q.limit = 100;
  HP_ASSIGN_OR_RETURN(out.certificates, store_.ListCertificates(q));
  HP_ASSIGN_OR_RETURN(const SmsOwnerSettings sms, store_.FindSmsOwner(owner.owner_id));
  out.language = IsSmsLanguage(sms.language) ? sms.language : "";
  out.language_in_use = SmsLanguageFor(sms.language, sms.authority);
  HP_RETURN_IF_ERROR(
      store_.AppendAudit(OwnerAudit(clock_.Now(), owner.address, out.owner.authority, "me.read",
                                    "owner:" + std::to_string(out.owner.id),
                                    AuditDetail().Add("animals", out.animals.size()).Text())));
  return out;
}

Result<std::vector<OwnerReader>> HerdService::OwnerReaders(const OwnerCaller& owner) {
  HP_ASSIGN_OR_RETURN(const Owner o, store_.FindOwnerById(owner.owner_id));
  HP_ASSIGN_OR_RETURN(auto readers, store_.ListOwnerReaders(o.id, o.phone, 200));
  // A number looked up before it was this owner's was not theirs to be told about.
  std::erase_if(readers, [&](const OwnerReader& r) { return r.at < o.created_at; });
  HP_RETURN_IF_ERROR(store_.AppendAudit(OwnerAudit(
      clock_.Now(), owner.address, o.authority, "me.readers", "owner:" + std::to_string(o.id),
      AuditDetail().Add("rows", readers.size()).Text())));
  return readers;
}

Status HerdService::OwnerSetLanguage(const OwnerCaller& owner, const std::string& language) {
  HP_ASSIGN_OR_RETURN(const Owner o, store_.FindOwnerById(owner.owner_id));
  const Timestamp now = clock_.Now();
  return store_.SetSmsOwnerLanguage(
      o.id, language, now,
      OwnerAudit(now, owner.address, o.authority, "me.language", "owner:" + std::to_string(o.id),
                 AuditDetail().Add("language", language).Text()));
}

}  // namespace herdpass
