// W10: the field copy, a bulk read of personal data for offline use.
#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "domain/audit_detail.h"
#include "service/service.h"

namespace herdpass {
namespace {

// The cursor's text: opaque to clients, versioned so that its form can change.
constexpr std::string_view kCursorPrefix = "fc1.";

std::string CursorText(int64_t seq) { return std::string(kCursorPrefix) + std::to_string(seq); }

Result<int64_t> ParseCursor(std::string_view text) {
  auto bad = [] { return InvalidArgument("since", "since is not a cursor of this server"); };
  if (!text.starts_with(kCursorPrefix)) return bad();
  text.remove_prefix(kCursorPrefix.size());
  int64_t seq = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seq);
  if (ec != std::errc() || end != text.data() + text.size() || seq < 0) return bad();
  return seq;
}

// Counts what passes to the caller's sink and stops the copy past the limit.
class CountingSink final : public FieldCopySink {
 public:
  CountingSink(FieldCopySink& out, int64_t max_rows, FieldCopySummary& summary, std::string field)
      : out_(out), max_rows_(max_rows), summary_(summary), field_(std::move(field)) {}

  Status OnOwner(const Owner& o) override { return Pass(summary_.owners, out_.OnOwner(o)); }
  Status OnAnimal(const Animal& a) override { return Pass(summary_.animals, out_.OnAnimal(a)); }
  Status OnVaccination(const Vaccination& v) override {
    return Pass(summary_.vaccinations, out_.OnVaccination(v));
  }
  Status OnCertificate(const Certificate& c) override {
    return Pass(summary_.certificates, out_.OnCertificate(c));
  }
  Status OnAnimalGone(int64_t animal_id, int64_t owner_id) override {
    return Pass(summary_.removed, out_.OnAnimalGone(animal_id, owner_id));
  }

 private:
  Status Pass(int64_t& count, Status passed) {
    HP_RETURN_IF_ERROR(passed);
    ++count;
    if (summary_.rows() <= max_rows_) return Status::Ok();
    return Status(StatusCode::kResourceExhausted,
                  "the copy has more than " + std::to_string(max_rows_) +
                      " rows: take a smaller area or fewer owners",
                  field_)
        .WithPayload(FieldCopyTooLarge{max_rows_});
  }

  FieldCopySink& out_;
  const int64_t max_rows_;
  FieldCopySummary& summary_;
  const std::string field_;
};

}  // namespace

Result<FieldCopySummary> HerdService::TakeFieldCopy(const Caller& caller,
                                                    const FieldCopyRequest& request,
                                                    FieldCopySink& sink) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kTakeFieldCopy));
  if (request.authority.empty() == request.owners.empty()) {
    return InvalidArgument("authority", "give either an authority or a list of owners");
  }
  FieldCopyQuery q;
  std::string target;
  std::string field = "authority";
  if (!request.authority.empty()) {
    if (!caller.system && !InJurisdiction(caller.authority, request.authority)) {
      return Status(StatusCode::kPermissionDenied, "the authority is outside your jurisdiction",
                    "authority");
    }
    q.scope = request.authority;
    target = "authority:" + request.authority;
  } else {
    field = "owners";
    if (request.owners.size() > static_cast<size_t>(config_.field_copy_max_owners)) {
      return InvalidArgument("owners", "at most " + std::to_string(config_.field_copy_max_owners) +
                                           " owners in one copy");
    }
    for (size_t i = 0; i < request.owners.size(); ++i) {
      const std::string f = "owners[" + std::to_string(i) + "]";
      HP_ASSIGN_OR_RETURN(const std::string e164, phones_.ToE164(request.owners[i], f));
      auto owner = store_.FindOwnerByPhone(e164);
      if (!owner.ok() && owner.status().code() != StatusCode::kNotFound) return owner.status();
      // As W2: an owner outside the jurisdiction is not told apart from no owner.
      if (!owner.ok() || (!caller.system && !InJurisdiction(caller.authority, owner->authority))) {
        return Status(StatusCode::kNotFound, "no owner with this phone number in your jurisdiction",
                      f);
      }
      q.owner_ids.push_back(owner->id);
    }
    std::sort(q.owner_ids.begin(), q.owner_ids.end());
    q.owner_ids.erase(std::unique(q.owner_ids.begin(), q.owner_ids.end()), q.owner_ids.end());
    target = "owners:" + std::to_string(q.owner_ids.size());
  }
  if (!request.since.empty()) {
    HP_ASSIGN_OR_RETURN(q.since, ParseCursor(request.since));
  }
  FieldCopySummary summary;
  CountingSink counting(sink, config_.field_copy_max_rows, summary, field);
  HP_ASSIGN_OR_RETURN(const int64_t cursor, store_.ReadFieldCopy(q, counting));
  summary.cursor = CursorText(cursor);
  AuditDetail detail;
  detail.Add("since", request.since)
      .Add("cursor", summary.cursor)
      .Add("owners", summary.owners)
      .Add("animals", summary.animals)
      .Add("vaccinations", summary.vaccinations)
      .Add("certificates", summary.certificates)
      .Add("removed", summary.removed);
  HP_RETURN_IF_ERROR(store_.AppendAudit(Audit(caller, "field_copy.take", target, detail.Text())));
  return summary;
}

}  // namespace herdpass
