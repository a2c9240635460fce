// The nightly reminder job of `herdpass serve` (W15, issue 15 item 3): a thread that runs
// HerdService::QueueReminders once a day at a local time (serve --sms-reminders-at, 02:00 by
// default: the messages then wait in the outbox for the end of quiet hours, 08:00).
//
// The time comes from the service's clock: RunIfDue decides by it alone, so that a test on the
// fake clock runs the job by moving the clock. The thread only wakes every `poll` to ask.
// Thread-safe: Start, Stop and RunIfDue may be called from any thread (RunIfDue runs one job at a
// time). The service and clock must outlive the job.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "domain/time.h"
#include "service/service.h"

namespace herdpass {

struct ReminderJobOptions {
  std::chrono::minutes at{2 * 60};          // local time of day
  std::chrono::minutes utc_offset{5 * 60};  // serve --utc-offset
  std::chrono::milliseconds poll{30000};
};

class ReminderJob {
 public:
  // The first run is the next `at` at or after the clock's now.
  ReminderJob(HerdService& service, const Clock& clock, ReminderJobOptions options);
  ~ReminderJob();  // stops
  ReminderJob(const ReminderJob&) = delete;
  ReminderJob& operator=(const ReminderJob&) = delete;

  void Start();
  void Stop();

  // Runs the job when its time has come, and sets the next run a day on: the run's outcome, or
  // nullopt when it was not time. A failed run is logged and tried again at the next poll.
  std::optional<Result<HerdService::ReminderRun>> RunIfDue();
  Timestamp next_run() const;

 private:
  void Loop();

  HerdService& service_;
  const Clock& clock_;
  ReminderJobOptions options_;

  mutable std::mutex mu_;  // guards next_, stop_; held through a run (one at a time)
  Timestamp next_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace herdpass
