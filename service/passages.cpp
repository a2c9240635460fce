// Issue 12 item 4: checkpoint passages. The rules of a passage (where, when flagged) are in
// domain/passage.h; here: who may record and read them, the request's fields, and the audit.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/audit_detail.h"
#include "domain/passage.h"
#include "service/cert_state.h"
#include "service/permissions.h"
#include "service/service.h"

namespace herdpass {
namespace {

constexpr std::string_view kNilUuid = "00000000-0000-0000-0000-000000000000";
constexpr size_t kMaxNote = 500;
// As tag-life event dates (at most one day after today): a phone's clock may run ahead.
constexpr auto kFutureTolerance = std::chrono::hours(24);

PassageView ViewOf(Passage p, const Certificate& c, bool duplicate) {
  PassageView v;
  v.flag_reason = PassageFlagReason(c, p.flag);
  v.certificate_number = c.number;
  v.duplicate = duplicate;
  v.passage = std::move(p);
  return v;
}

}  // namespace

Result<PassageView> HerdService::RecordPassage(const Caller& caller, const std::string& certificate,
                                               const PassageRequest& request) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kRecordPassage));
  auto found = FindCertificateByIdOrNumber(store_, certificate);
  if (!found.ok() && found.status().code() == StatusCode::kNotFound) {
    return Status(StatusCode::kNotFound, found.status().message(), "certificate");
  }
  HP_ASSIGN_OR_RETURN(const Certificate c, std::move(found));
  PassageInput in;
  HP_ASSIGN_OR_RETURN(in.id, NormalizeUuid(request.id, "id"));
  if (in.id == kNilUuid) {
    return InvalidArgument("id", "the nil UUID is not a passage id: make a UUIDv7");
  }
  if (request.at.empty()) return InvalidArgument("at", "at (when it was scanned) is required");
  HP_ASSIGN_OR_RETURN(in.at, ParseRfc3339(request.at, "at"));
  const Timestamp now = clock_.Now();
  if (in.at > now + kFutureTolerance) {
    return InvalidArgument("at", "the scan is in the future: at most one day after " +
                                     FormatRfc3339(now) + " is accepted");
  }
  if (Date::Of(in.at) < clock_.Today().AddYears(-config_.max_record_age_years)) {
    return InvalidArgument("at", "the scan is more than " +
                                     std::to_string(config_.max_record_age_years) + " years back");
  }
  if (!request.holding) return InvalidArgument("holding", "holding is required");
  HP_ASSIGN_OR_RETURN(const Holding h, HoldingFor(caller, *request.holding, "holding"));
  HP_RETURN_IF_ERROR(CheckPassageHolding(h, "holding"));
  HP_RETURN_IF_ERROR(CheckHoldingOpenOn(h, Date::Of(in.at), "holding"));
  if (!request.head_seen) return InvalidArgument("head_seen", "head_seen is required");
  if (*request.head_seen < 0) return InvalidArgument("head_seen", "head_seen must be 0 or more");
  if (*request.head_seen > c.head_count) {
    return Status(StatusCode::kUnprocessable,
                  "head_seen " + std::to_string(*request.head_seen) + " is more than the " +
                      std::to_string(c.head_count) + " head of the certificate " + c.number,
                  "head_seen");
  }
  if (request.note.size() > kMaxNote) {
    return InvalidArgument("note", "note must be at most 500 characters");
  }
  in.certificate_id = c.id;
  in.holding_id = h.id;
  in.authority = h.authority;
  in.head_seen = static_cast<int32_t>(*request.head_seen);
  in.note = request.note;
  in.user_id = caller.user_id;
  in.received_at = now;
  in.scope = caller.authority;
  in.unrestricted = caller.system;
  AuditDetail detail;
  detail.Add("id", in.id)
      .Add("number", c.number)
      .Add("holding", h.id)
      .Add("at", FormatRfc3339(in.at))
      .Add("head_seen", in.head_seen);
  HP_ASSIGN_OR_RETURN(PassageResult stored,
                      store_.RecordPassage(in, AuditFor(caller, h.authority, "certificate.passage",
                                                        "certificate:" + c.id, detail.Text())));
  if (stored.passage.certificate_id == c.id) {
    // Read again: the flag was judged on the state inside the write, which the reason must tell.
    auto now_stored = store_.FindCertificate(c.id);
    const Certificate& current = now_stored.ok() ? now_stored.value() : c;
    return ViewOf(std::move(stored.passage), current, stored.duplicate);
  }
  // A duplicate id sent with another certificate: the stored passage is the answer.
  HP_ASSIGN_OR_RETURN(const Certificate first,
                      store_.FindCertificate(stored.passage.certificate_id));
  return ViewOf(std::move(stored.passage), first, stored.duplicate);
}

Result<std::vector<PassageView>> HerdService::ListPassages(const Caller& caller,
                                                           const std::string& certificate) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadCertificate));
  HP_ASSIGN_OR_RETURN(const Certificate c, FindCertificateByIdOrNumber(store_, certificate));
  auto readable = GetCertificate(caller, c.id);
  if (!readable.ok() && readable.status().code() != StatusCode::kNotFound) {
    return readable.status();
  }
  HP_ASSIGN_OR_RETURN(std::vector<Passage> all, store_.ListPassages(c.id));
  std::vector<PassageView> out;
  for (Passage& p : all) {
    if (readable.ok() ||
        (caller.role == Role::kInspector && InJurisdiction(caller.authority, p.authority))) {
      out.push_back(ViewOf(std::move(p), c, false));
    }
  }
  if (!readable.ok() && out.empty()) {
    return NotFound("no certificate " + certificate + " in your jurisdiction");
  }
  return out;
}

}  // namespace herdpass
