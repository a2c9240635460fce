// W14 tracing (issue 13 item 3): where animals went from a holding, or where one animal went, over
// a window. The walk itself is one recursive query of the store (store/store.h TraceQuery); here:
// who may trace from where, the request's fields and defaults, the owners' personal fields, and
// the audit.
#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "domain/audit_detail.h"
#include "domain/ear_tag.h"
#include "service/service.h"

namespace herdpass {
namespace {

constexpr int kDefaultDepth = 2;
constexpr int kMaxDepth = 5;

}  // namespace

Result<TraceAnswer> HerdService::Trace(const Caller& caller, const TraceRequest& req) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kTrace));
  TraceAnswer out;
  TraceQuery q;
  if (req.holding && !req.tag.empty()) {
    return InvalidArgument("tag", "give a holding or a tag, not both");
  }
  if (req.holding) {
    HP_ASSIGN_OR_RETURN(Holding h, HoldingFor(caller, *req.holding, "holding"));
    q.holding_id = h.id;
    out.start_holding = std::move(h);
  } else if (!req.tag.empty()) {
    HP_ASSIGN_OR_RETURN(const EarTag tag, ParseEarTag(req.tag, config_.ear_tag_schemes, "tag"));
    auto animal = store_.FindAnimalByTag(tag.digits);
    if (!animal.ok() && animal.status().code() != StatusCode::kNotFound) return animal.status();
    if (!animal.ok() || (!caller.system && !InJurisdiction(caller.authority, animal->authority))) {
      return InvalidArgument("tag", "no animal with this ear tag in your jurisdiction");
    }
    q.animal_id = animal->id;
    out.start_tag = tag.digits;
  } else {
    return InvalidArgument("holding", "holding (or tag) is required");
  }

  const Disease* disease = nullptr;
  if (!req.disease.empty()) {
    disease = catalogue_.FindDisease(req.disease);
    if (disease == nullptr) {
      return InvalidArgument("disease", "disease must be a disease code of the catalogue");
    }
    out.disease = disease->code;
  }
  const Date today = clock_.Today();
  if (req.to.empty()) {
    out.to = today;
  } else {
    HP_ASSIGN_OR_RETURN(out.to, Date::Parse(req.to, "to"));
  }
  if (req.from.empty()) {
    // The disease's incubation period back from `to`; without a disease (or with one HerdPass
    // knows no period of) the longest period of the catalogue, so no default window is too short.
    int days = disease != nullptr ? disease->incubation_days : 0;
    if (days == 0) {
      for (const Disease& d : catalogue_.diseases()) days = std::max(days, d.incubation_days);
    }
    out.from = out.to.AddDays(-days);
  } else {
    HP_ASSIGN_OR_RETURN(out.from, Date::Parse(req.from, "from"));
  }
  if (out.to < out.from) return InvalidArgument("to", "to is before from");
  if (out.from.AddYears(1) < out.to) {
    return InvalidArgument("from", "the window from " + out.from.ToString() + " to " +
                                       out.to.ToString() + " is longer than a year");
  }
  out.depth = q.animal_id ? kMaxDepth : kDefaultDepth;
  if (req.depth) {
    if (*req.depth < 1 || *req.depth > kMaxDepth) {
      return InvalidArgument("depth", "depth must be from 1 to 5");
    }
    out.depth = static_cast<int>(*req.depth);
  }
  out.direction = req.direction.empty() ? "forward" : req.direction;
  if (out.direction != "forward" && out.direction != "backward" && out.direction != "both") {
    return InvalidArgument("direction", "direction must be forward, backward or both");
  }
  q.from = Timestamp(out.from.sys_days());
  q.to = Timestamp(out.to.AddDays(1).sys_days());
  q.depth = out.depth;
  q.forward = out.direction != "backward";
  q.backward = out.direction != "forward";
  const bool reads_owners = Permit(caller, Operation::kReadOwner).ok();
  q.owners = reads_owners;
  HP_ASSIGN_OR_RETURN(out.result, store_.Trace(q));

  // The owners of the holdings reached, at the fewest hops; their names and phones only to the
  // roles that read owners, within their jurisdiction.
  std::map<int64_t, TraceOwner> owners;
  for (const TraceHolding& t : out.result.holdings) {
    if (!t.holding.owner_id) continue;
    auto [it, inserted] = owners.try_emplace(*t.holding.owner_id);
    if (inserted || t.hop < it->second.hop) it->second.hop = t.hop;
    it->second.id = *t.holding.owner_id;
    it->second.masked_name = t.holding.owner_masked_name;
  }
  // The store read them with the walk, in one statement (by id, as `owners`).
  std::vector<std::string> shown;
  for (Owner& person : out.result.owners) {
    auto it = owners.find(person.id);
    if (it == owners.end()) continue;
    if (caller.system || InJurisdiction(caller.authority, person.authority)) {
      shown.push_back(std::to_string(person.id));
      it->second.person = std::move(person);
    }
  }
  out.result.owners.clear();
  for (auto& [id, o] : owners) out.owners.push_back(std::move(o));
  std::sort(out.owners.begin(), out.owners.end(), [](const TraceOwner& a, const TraceOwner& b) {
    return std::pair(a.hop, a.id) < std::pair(b.hop, b.id);
  });

  // Audited with its parameters, and the owners whose personal fields it shows (a read of
  // personal data, as owner.read is), before anything is answered.
  AuditDetail detail;
  if (out.start_holding) detail.Add("holding", out.start_holding->id);
  if (!out.start_tag.empty()) detail.Add("tag", out.start_tag);
  detail.Add("from", out.from.ToString())
      .Add("to", out.to.ToString())
      .Add("depth", out.depth)
      .Add("direction", out.direction);
  if (!out.disease.empty()) detail.Add("disease", out.disease);
  detail.Add("holdings", static_cast<int64_t>(out.result.holdings.size()))
      .Add("movements", static_cast<int64_t>(out.result.movements.size()));
  if (!shown.empty()) detail.Add("owners_read", shown);
  const std::string target = out.start_holding ? "holding:" + std::to_string(out.start_holding->id)
                                               : "tag:" + out.start_tag;
  const std::string authority = out.start_holding ? out.start_holding->authority : caller.authority;
  HP_RETURN_IF_ERROR(
      store_.AppendAudit(AuditFor(caller, authority, "trace", target, detail.Text())));
  return out;
}

}  // namespace herdpass
