// The SMS outbox's rules (DESIGN.md W15, domain/sms.h), written once for both backends:
// store_core.h calls them inside its write transactions, over a backend's codecs (record_codecs.h).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "domain/certificate.h"
#include "domain/sms.h"
#include "domain/sms_certificate.h"
#include "domain/sms_receipt.h"
#include "domain/sms_text.h"
#include "domain/status.h"
#include "store/not_found.h"
#include "store/store.h"

namespace herdpass::store {

// Queues `sms` unless its dedupe key is taken (then the id of the message there). kNotFound when
// the owner does not exist.
template <class Codecs, class Connection>
Result<int64_t> QueueSmsIn(Connection& conn, const NewSms& sms) {
  HP_RETURN_IF_ERROR(Codecs::ReadOwnerById(conn, sms.owner_id).status());
  if (!sms.dedupe_key.empty()) {
    HP_ASSIGN_OR_RETURN(auto existing, Codecs::ReadSmsByKey(conn, sms.dedupe_key));
    if (existing) return existing->id;
  }
  return Codecs::InsertSms(conn, sms);
}

// W1: the owners' receipts of the records `results` says were created (one per owner per day,
// merged into the day's receipt while it is still queued; none once it has gone, none to an
// owner who sent STOP, and none for a record given long before it is recorded: TakesReceipt), in
// the owner's language (SmsLanguageFor). Reads through the batch's record port in one round trip
// whatever the batch's size (port.ReadReceiptInputs: Codecs::ReadReceiptInputs, or PostgreSQL's
// batch port answering from what it read with the batch's other reads), and writes with codecs
// that need not wait (AddSms, UpdateSmsBody, which a PostgreSQL batch sends as one statement each
// for all its owners): a PostgreSQL batch keeps its fixed number of round trips and statements.
template <class Codecs, class Connection, class Port>
Status QueueReceipts(Connection& conn, Port& port, std::span<const VaccinationInput> records,
                     std::span<const RecordResult> results, const BatchContext& ctx) {
  std::map<int64_t, VaccinationReceipt> by_owner;
  for (size_t i = 0; i < results.size() && i < records.size(); ++i) {
    if (results[i].outcome != RecordOutcome::kCreated || results[i].owner_id == 0) continue;
    const VaccinationInput& r = records[i];
    if (!TakesReceipt(r.administered_on, ctx.at)) continue;
    const int64_t head =
        r.animal_tags.empty() ? r.head_count : static_cast<int64_t>(r.animal_tags.size());
    by_owner[results[i].owner_id].Add(r.disease, r.vaccine, r.batch_no, head);
  }
  if (by_owner.empty()) return Status::Ok();
  const Date day = Date::Of(ctx.at);
  std::vector<int64_t> owner_ids;
  std::vector<std::string> keys;
  for (const auto& [owner_id, receipt] : by_owner) {
    owner_ids.push_back(owner_id);
    keys.push_back(VaccinationReceipt::Key(owner_id, day));
  }
  HP_ASSIGN_OR_RETURN(SmsReceiptInputs read, port.ReadReceiptInputs(owner_ids, keys, ctx.user_id));
  std::map<int64_t, SmsOwnerSettings> settings;
  for (auto& s : read.settings) settings[s.owner_id] = std::move(s);
  std::map<std::string, SmsMessage> existing;
  for (auto& m : read.existing) existing[m.dedupe_key] = std::move(m);
  const std::string& vaccinator = read.vaccinator;

  for (auto& [owner_id, receipt] : by_owner) {
    auto s = settings.find(owner_id);
    if (s != settings.end() && s->second.stopped) continue;
    const std::string language = s != settings.end()
                                     ? SmsLanguageFor(s->second.language, s->second.authority)
                                     : SmsLanguageOfRegion(ctx.authority);
    receipt.day = day;
    receipt.vaccinator = vaccinator;
    receipt.station = ctx.authority;
    const std::string key = VaccinationReceipt::Key(owner_id, day);
    if (auto e = existing.find(key); e != existing.end()) {
      if (e->second.status != SmsStatus::kQueued) continue;  // the day's receipt has gone
      auto queued = VaccinationReceipt::FromJson(e->second.payload);
      if (!queued.ok()) continue;  // not a receipt's payload: left as it is
      queued->Merge(receipt);
      HP_RETURN_IF_ERROR(Codecs::UpdateSmsBody(conn, e->second.id, RenderReceipt(*queued, language),
                                               queued->ToJson()));
      continue;
    }
    NewSms sms;
    sms.owner_id = owner_id;
    sms.kind = "receipt";
    sms.dedupe_key = key;
    sms.body = RenderReceipt(receipt, language);
    sms.payload = receipt.ToJson();
    sms.at = ctx.at;
    HP_RETURN_IF_ERROR(Codecs::AddSms(conn, sms));
  }
  return Status::Ok();
}

// W15: the owner's message about their certificate `c` (issued, arrived, revoked), in the
// caller's transaction, in the owner's language. Queued whatever STOP says (docs/sms.md), once
// per certificate and event (its dedupe key), due from `at`.
template <class Codecs, class Connection>
Status QueueCertificateSms(Connection& conn, const Certificate& c, CertificateSmsEvent event,
                           Timestamp at) {
  HP_ASSIGN_OR_RETURN(const auto settings, Codecs::ReadSmsOwner(conn, c.owner_id));
  if (!settings) return NotFound(kNoSuchOwner);
  NewSms sms;
  sms.owner_id = c.owner_id;
  sms.kind = "certificate";
  sms.dedupe_key = CertificateSmsKey(c.id, event);
  sms.body = RenderCertificateSms(event, c.number, CertificateCheckCode(c.hp1), c.head_count,
                                  SmsLanguageFor(settings->language, settings->authority));
  sms.at = at;
  return QueueSmsIn<Codecs>(conn, sms).status();
}

// kInvalidArgument naming "language" unless `language` is one of the nine an owner may choose.
inline Status CheckSmsLanguage(const std::string& language) {
  if (IsSmsLanguage(language)) return Status::Ok();
  return InvalidArgument("language",
                         "language must be one of zh-Hans, ug, kk, ky, uz, tg, ru, en, fr");
}

// The owner's language for SMS from now on (their choice in /me), in the caller's transaction.
// kInvalidArgument naming "language" unless it is one of the nine; kNotFound when there is no
// owner. Their STOP or START stays as it is.
template <class Codecs, class Connection>
Status SetSmsLanguageIn(Connection& conn, int64_t owner_id, const std::string& language,
                        Timestamp at) {
  HP_RETURN_IF_ERROR(CheckSmsLanguage(language));
  HP_ASSIGN_OR_RETURN(auto settings, Codecs::ReadSmsOwner(conn, owner_id));
  if (!settings) return NotFound(kNoSuchOwner);
  settings->language = language;
  settings->changed_at = at;
  return Codecs::UpsertSmsOwner(conn, *settings);
}

// W15 inbound: an owner's message, in the caller's transaction. The digest first: a replayed
// message is kAlreadyExists ("message") and changes nothing; then STOP, START or LANG (the owner's
// language), then the reply.
template <class Codecs, class Connection>
Status TakeInboundSmsIn(Connection& conn, const InboundSmsChange& in) {
  HP_ASSIGN_OR_RETURN(const bool fresh, Codecs::InsertSmsInbound(conn, in.digest, in.at));
  if (!fresh) {
    return Status(StatusCode::kAlreadyExists, "this message was taken before", "message");
  }
  if (in.owner_id == 0) return Status::Ok();
  HP_ASSIGN_OR_RETURN(auto settings, Codecs::ReadSmsOwner(conn, in.owner_id));
  if (!settings) return NotFound(kNoSuchOwner);
  if (in.language) HP_RETURN_IF_ERROR(CheckSmsLanguage(*in.language));
  if (in.stopped || in.language) {
    if (in.stopped) settings->stopped = *in.stopped;
    if (in.language) settings->language = *in.language;
    settings->changed_at = in.at;
    HP_RETURN_IF_ERROR(Codecs::UpsertSmsOwner(conn, *settings));
  }
  if (in.reply) HP_RETURN_IF_ERROR(QueueSmsIn<Codecs>(conn, *in.reply).status());
  return Status::Ok();
}

// The sender's changes to a message, each a rule over the stored row.
enum class SmsChange { kSent, kDefer, kFailedAttempt, kReport };

struct SmsChangeInput {
  SmsChange change = SmsChange::kSent;
  Timestamp at{};     // kSent: when; kDefer, kFailedAttempt: the next attempt; kReport: received
  std::string error;  // kFailedAttempt
  int dlr = 0;        // kReport
};

// The sender's outcome (store.h ApplySmsOutcomes) as the change it makes.
inline SmsChangeInput SmsChangeOf(const SmsOutcome& o) {
  switch (o.kind) {
    case SmsOutcome::Kind::kSent:
      return {SmsChange::kSent, o.at, "", 0};
    case SmsOutcome::Kind::kDefer:
      return {SmsChange::kDefer, o.at, "", 0};
    case SmsOutcome::Kind::kFailedAttempt:
      break;
  }
  return {SmsChange::kFailedAttempt, o.at, o.error, 0};
}

// Applies `in` to the stored message `id` and writes it back. kNotFound; kFailedPrecondition when
// the sender's change (sent, defer, failed attempt) meets a message no longer queued.
template <class Codecs, class Connection>
Status ChangeSms(Connection& conn, int64_t id, const SmsChangeInput& in) {
  HP_ASSIGN_OR_RETURN(SmsMessage m, Codecs::ReadSms(conn, id));
  // The gateway's report can come back before the sender has marked its hand-over (smsbox answers
  // the sender and the SMSC reports at about the same time): the report has already counted it.
  if (in.change == SmsChange::kSent && m.status != SmsStatus::kQueued && m.dlr != 0) {
    return Status::Ok();
  }
  if (in.change != SmsChange::kReport && m.status != SmsStatus::kQueued) {
    return FailedPrecondition(std::string("the message is ") + SmsStatusName(m.status));
  }
  switch (in.change) {
    case SmsChange::kSent:
      m.status = SmsStatus::kSent;
      m.attempts += 1;
      m.sent_at = in.at;
      m.last_error.clear();
      break;
    case SmsChange::kDefer:
      m.next_attempt_at = in.at;
      break;
    case SmsChange::kFailedAttempt:
      m.attempts += 1;
      m.last_error = in.error;
      m.next_attempt_at = in.at;
      if (m.attempts >= kSmsMaxAttempts) m.status = SmsStatus::kFailed;
      break;
    case SmsChange::kReport:
      // A late interim report (taken by the SMSC after delivered) changes nothing of a final one.
      if ((m.status == SmsStatus::kDelivered || m.status == SmsStatus::kFailed) &&
          SmsStatusAfterReport(m.status, in.dlr) == m.status) {
        return Status::Ok();
      }
      m.dlr = in.dlr;
      m.dlr_at = in.at;
      m.status = SmsStatusAfterReport(m.status, in.dlr);
      // A report for a message still queued: the gateway took it before the sender marked it, or
      // before a crash let it be marked (docs/sms.md). It has gone, once; it is not sent again.
      if (!m.sent_at && m.status != SmsStatus::kQueued) {
        m.sent_at = in.at;
        m.attempts += 1;
      }
      break;
  }
  return Codecs::UpdateSmsState(conn, m);
}

}  // namespace herdpass::store
