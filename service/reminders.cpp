// W15's reminder job (issue 15 item 3): the store selects (store/reminders.h), this renders each
// owner's message in their language and queues it, a batch of owners a transaction.
#include <algorithm>
#include <span>

#include "domain/audit_detail.h"
#include "domain/sms_reminder.h"
#include "service/service.h"

namespace herdpass {

Result<HerdService::ReminderRun> HerdService::QueueReminders(std::optional<int> days) {
  ReminderRun run;
  run.days = days.value_or(config_.reminder_days);
  if (run.days < 1 || run.days > kReminderDaysMax) {
    return InvalidArgument("days", "days must be from 1 to " + std::to_string(kReminderDaysMax));
  }
  const Timestamp now = clock_.Now();
  ReminderQuery q;
  q.today = clock_.Today();
  q.days = run.days;
  q.reminded_after = now - std::chrono::days(kReminderEveryDays);
  q.catalogue = &catalogue_;
  HP_ASSIGN_OR_RETURN(const std::vector<OwnerReminder> owners, store_.SelectReminders(q));
  std::vector<NewSms> batch;
  batch.reserve(std::min(owners.size(), kReminderBatch));
  const auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    HP_ASSIGN_OR_RETURN(const auto ids, store_.QueueSmsBatch(batch));
    run.owners += static_cast<int64_t>(ids.size());
    batch.clear();
    return Status::Ok();
  };
  for (const OwnerReminder& r : owners) {
    NewSms sms;
    sms.owner_id = r.owner_id;
    sms.kind = kReminderKind;
    sms.dedupe_key = ReminderKey(r.owner_id, q.today);
    sms.body = RenderReminder(r.lines, r.language);
    sms.requested = false;  // not asked for: quiet hours hold it
    sms.at = now;
    batch.push_back(std::move(sms));
    if (batch.size() == kReminderBatch) HP_RETURN_IF_ERROR(flush());
  }
  HP_RETURN_IF_ERROR(flush());
  HP_RETURN_IF_ERROR(store_.AppendAudit(
      Audit(SystemCaller(), "sms.remind", "job:reminders",
            AuditDetail().Add("days", run.days).Add("owners", run.owners).Text())));
  return run;
}

}  // namespace herdpass
