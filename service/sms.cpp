// W15: the API's side of SMS to owners (service.h). The sender is service/sms_sender.cpp.
#include <sodium.h>

#include <string>

#include "domain/audit_detail.h"
#include "domain/owner_code.h"
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
  for (SmsMessage& m : page.messages) {
    if (m.kind == kOwnerCodeSmsKind) m.body = MaskOwnerCode(m.body);
  }
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

namespace {

// SHA-256 of the message's fields, each length-prefixed (no two messages share a byte string).
std::string InboundDigest(const std::string& from, const InboundSms& m) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  for (const std::string* field : {&from, &m.to, &m.id, &m.time, &m.text}) {
    const std::string size = std::to_string(field->size()) + ":";
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(size.data()),
                              size.size());
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(field->data()),
                              field->size());
  }
  std::string digest(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256_final(&state, reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

}  // namespace

Result<InboundSmsOutcome> HerdService::ReceiveSms(const InboundSms& message) {
  if (!SmsInboundTokenMatches(config_.sms_secret, message.token)) {
    return Status(StatusCode::kPermissionDenied, "the token is not this server's inbound one",
                  "token");
  }
  HP_ASSIGN_OR_RETURN(const std::string from, phones_.ToE164(message.from, "from"));
  InboundSmsChange change;
  change.digest = InboundDigest(from, message);
  change.at = clock_.Now();
  InboundSmsOutcome out;
  out.keyword = ParseSmsKeyword(message.text);
  auto owner = store_.FindOwnerByPhone(from);
  if (!owner.ok() && owner.status().code() != StatusCode::kNotFound) return owner.status();
  if (!owner.ok()) {
    // Not answered: a reply would cost the deployment an SMS to any number a forger names.
    HP_RETURN_IF_ERROR(store_.TakeInboundSms(change));
    return out;
  }
  out.owner_known = true;
  HP_ASSIGN_OR_RETURN(const SmsOwnerSettings settings, store_.FindSmsOwner(owner->id));
  const std::string language = SmsLanguageFor(settings.language, settings.authority);
  NewSms reply;
  reply.owner_id = owner->id;
  reply.kind = "reply";
  reply.requested = true;
  reply.at = change.at;
  switch (out.keyword) {
    case SmsKeyword::kStatus: {
      const Date today = clock_.Today();
      auto history = LoadOwnerCoverage(from, today, today);
      if (!history.ok() && history.status().code() != StatusCode::kNotFound) {
        return history.status();
      }
      reply.body = RenderStatusReply(
          history.ok() ? history->coverage.diseases : std::vector<DiseaseCoverage>{}, language);
      break;
    }
    case SmsKeyword::kStop:
      change.stopped = true;
      reply.body = RenderStopReply(language);
      break;
    case SmsKeyword::kStart:
      change.stopped = false;
      reply.body = RenderStartReply(language);
      break;
    case SmsKeyword::kLanguage:
      // LANG KK: the owner's language from now on, answered in it; LANG alone (or a code of none
      // of the nine) is answered with the codes, in the language they have.
      if (const std::string asked = SmsLanguageAsked(message.text); !asked.empty()) {
        change.language = asked;
        reply.body = RenderLanguageReply(asked);
      } else {
        reply.body = RenderLanguageHelp(language);
      }
      break;
    case SmsKeyword::kNone:
      reply.body = RenderHelpReply(language);
      break;
  }
  change.owner_id = owner->id;
  change.reply = reply;
  if (out.keyword == SmsKeyword::kStatus) {
    // The owner's record read out to their own phone: in the log of who read it, in the same
    // transaction as the reply (no reply goes unaudited).
    Caller gateway;
    gateway.username = "sms";
    gateway.authority = owner->authority;
    change.audit = Audit(gateway, "sms.status", std::to_string(owner->id),
                         AuditDetail().Add("phone", from).Text());
  }
  HP_RETURN_IF_ERROR(store_.TakeInboundSms(change));
  return out;
}

}  // namespace herdpass
