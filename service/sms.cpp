// W15: the API's side of SMS to owners (service.h). The sender is service/sms_sender.cpp.
#include <string>

#include "domain/audit_detail.h"
#include "service/service.h"
#include "service/sms_callback.h"

namespace herdpass {

Status HerdService::RecordSmsDelivery(int64_t id, int dlr, const std::string& token) {
  HP_RETURN_IF_ERROR(store_.FindSms(id).status());  // kNotFound first: ids are no secret
  if (!SmsCallbackTokenMatches(config_.sms_secret, id, token)) {
    return Status(StatusCode::kPermissionDenied, "the token is not this message's", "token");
  }
  return store_.RecordSmsDelivery(id, dlr, clock_.Now());
}

Result<HerdService::SmsPage> HerdService::ListSmsMessages(const Caller& caller, int64_t before_id,
                                                          std::optional<int64_t> limit,
                                                          std::string_view status) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadSms));
  SmsListQuery q;
  q.scope = caller.authority;
  q.all_authorities = caller.system;
  q.before_id = before_id;
  if (before_id < 0) return InvalidArgument("before", "before must be a message id");
  if (limit) {
    if (*limit < 1 || *limit > 1000)
      return InvalidArgument("limit", "limit must be from 1 to 1000");
    q.limit = static_cast<int>(*limit);
  }
  if (!status.empty()) {
    SmsStatus wanted;
    if (!ParseSmsStatus(status, &wanted)) {
      return InvalidArgument("status", "status must be queued, sent, delivered or failed");
    }
    q.status = wanted;
  }
  SmsPage page;
  page.gateway = config_.sms_gateway;
  HP_ASSIGN_OR_RETURN(page.queued, store_.CountQueuedSms(q));
  HP_ASSIGN_OR_RETURN(page.messages, store_.ListSms(q));
  const auto& messages = page.messages;
  // Which owners' numbers were shown.
  std::string owners;
  for (const SmsMessage& m : messages)
    owners += (owners.empty() ? "" : " ") + std::to_string(m.owner_id);
  HP_RETURN_IF_ERROR(
      store_.AppendAudit(Audit(caller, "sms.list", "",
                               AuditDetail()
                                   .Add("messages", static_cast<int64_t>(messages.size()))
                                   .Add("owners", owners)
                                   .Text())));
  return page;
}

}  // namespace herdpass
