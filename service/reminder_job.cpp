#include "service/reminder_job.h"

#include <spdlog/spdlog.h>

#include "domain/sms_reminder.h"

namespace herdpass {

ReminderJob::ReminderJob(HerdService& service, const Clock& clock, ReminderJobOptions options)
    : service_(service),
      clock_(clock),
      options_(options),
      next_(NextReminderRun(clock.Now(), options.at, options.utc_offset)) {}

ReminderJob::~ReminderJob() { Stop(); }

void ReminderJob::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void ReminderJob::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Timestamp ReminderJob::next_run() const {
  std::lock_guard lock(mu_);
  return next_;
}

std::optional<Result<HerdService::ReminderRun>> ReminderJob::RunIfDue() {
  std::lock_guard lock(mu_);
  const Timestamp now = clock_.Now();
  if (now < next_) return std::nullopt;
  auto run = service_.QueueReminders();
  if (!run.ok()) {
    spdlog::error("sms: the reminder job failed ({}); trying again", run.status().message());
    return run;
  }
  // The next day's run, however late this one was: a clock that jumped days runs the job once.
  next_ = NextReminderRun(now + std::chrono::minutes(1), options_.at, options_.utc_offset);
  spdlog::info("sms: reminders queued for {} owners (coverage lapsing within {} days)", run->owners,
               run->days);
  return run;
}

void ReminderJob::Loop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, options_.poll, [this] { return stop_; });
      if (stop_) return;
    }
    (void)RunIfDue();
  }
}

}  // namespace herdpass
