// The backups `herdpass serve --backup-every` takes (docs/backup-format.md, "Scheduled backups"):
// a thread that takes one each period into <dir>/herdpass-YYYYMMDDTHHMMSSZ and keeps the newest.
// Time comes from a ScheduleClock and the files through a BackupEnv (backup/backup.h), so the
// schedule is tested without real time (tests/cli/backup_schedule_test.cpp).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "backup/backup.h"

namespace herdpass::backup {

struct BackupSchedule {
  std::chrono::seconds every{0};
  int keep = 48;    // newest backups kept; older ones are removed after each backup
  std::string dir;  // "" = <data dir>/backups
};

// Time as the backup schedule sees it: the wall clock (the backups' names, the age of the newest
// backup, the metrics' timestamps) and a wait that Wake() ends early. The server uses
// RealScheduleClock(); a test passes a fake that moves only when told, so that the schedule is
// tested without real time (tests/cli/backup_schedule_test.cpp). Thread-safe.
class ScheduleClock {
 public:
  virtual ~ScheduleClock() = default;
  virtual std::chrono::system_clock::time_point Now() = 0;
  // Blocks until Now() >= `until`, or returns at once once Wake() has been called.
  virtual void WaitUntil(std::chrono::system_clock::time_point until) = 0;
  // Ends the current wait and makes every later one return at once (for shutting down).
  virtual void Wake() = 0;
};

// The system clock; a wait lasts the time left until `until` when it begins (a step of the wall
// clock during the wait does not stretch or shorten it).
std::unique_ptr<ScheduleClock> RealScheduleClock();

// Takes a backup into <dir>/herdpass-YYYYMMDDTHHMMSSZ every `every`, the first one when the
// newest backup already in <dir> is `every` old (at once when there is none), and keeps the newest
// `keep`. A failure is logged and counted, and the next backup comes on schedule: it never stops
// the server. Thread-safe; the destructor cancels a backup in progress and joins the thread.
class BackupScheduler {
 public:
  struct Stats {
    int64_t succeeded = 0;
    int64_t failed = 0;
    std::optional<std::chrono::system_clock::time_point> last_success;
    std::optional<std::chrono::system_clock::time_point> last_failure;
    double last_duration_seconds = 0;
  };

  // `clock`: null for RealScheduleClock(). REQUIRES: a given clock, and what `env` names, outlive
  // the scheduler.
  BackupScheduler(std::string data_dir, BackupSchedule schedule, ScheduleClock* clock = nullptr,
                  const BackupEnv& env = SystemBackupEnv());
  ~BackupScheduler();
  BackupScheduler(const BackupScheduler&) = delete;
  BackupScheduler& operator=(const BackupScheduler&) = delete;

  const std::string& dir() const { return schedule_.dir; }
  Stats stats() const;

 private:
  void Loop();
  void RunOnce();
  void Prune();

  const std::string data_dir_;
  BackupSchedule schedule_;
  const BackupEnv env_;
  std::unique_ptr<ScheduleClock> own_clock_;  // when none was given
  ScheduleClock* const clock_;
  std::atomic<bool> cancel_{false};
  mutable std::mutex mu_;
  bool stopping_ = false;  // guarded by mu_
  Stats stats_;            // guarded by mu_
  std::thread thread_;     // last: starts after everything above is initialised
};

}  // namespace herdpass::backup
