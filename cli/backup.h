// `herdpass backup`, `herdpass restore` and the backups `herdpass serve --backup-every` schedules
// (DESIGN.md section 8, W7; issue 4 part 3). The backup format is written down in
// docs/backup-format.md.
//
// A backup is a directory: herdpass.db (a consistent copy taken with SQLite's online backup API
// while the server writes, store/sqlite/backup.h), keys/*.key (the private signing keys, 0600 in
// a 0700 directory: without them the node cannot sign), herdpass.conf, and manifest.json (format
// version, time, schema version, row counts, audit chain head, integrity_check, SHA-256 and size
// of every file). It is written into OUTDIR.tmp and renamed to OUTDIR only when complete, so a
// directory named OUTDIR is always a whole backup.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>

#include "domain/status.h"
#include "store/sqlite/backup.h"

namespace herdpass::http {
class MetricsRegistry;
}

namespace herdpass::cli {

inline constexpr int kBackupFormatVersion = 1;

struct BackupSummary {
  std::string dir;
  SqliteFileFacts facts;  // of the copy
  int64_t bytes = 0;      // of every file in the backup
  double seconds = 0;
};

// Takes a backup of the data directory `data_dir` into the new directory `out_dir`.
// kAlreadyExists when `out_dir` exists; kNotFound when there is no database to back up.
// `progress`, when set, gets a line each 5% once the copy has run for a second. `cancel`, when
// set and true, stops the copy (kUnavailable) and leaves nothing behind.
Result<BackupSummary> TakeBackup(const std::string& data_dir, const std::string& out_dir,
                                 std::ostream* progress = nullptr,
                                 const std::atomic<bool>* cancel = nullptr);

// The commands: exit codes as in commands.h.
int BackupCommand(const std::string& data_dir, const std::string& out_dir);
// Checks the backup (every file's SHA-256 and size, integrity_check, counts and audit head as the
// manifest says, the audit chain) and only then puts it in place: the database through a temp
// file in `data_dir` renamed over herdpass.db, the key files likewise. A damaged backup changes
// nothing. Refuses a data directory whose database a running server has open, and one that holds
// a database unless `force` (the database replaced is kept as herdpass.db.replaced).
int RestoreCommand(const std::string& data_dir, const std::string& backup_dir, bool force);

// "90s", "30m", "1h", "2d": a positive whole number and a unit.
Result<std::chrono::seconds> ParseBackupPeriod(const std::string& text);

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

  // `clock`: null for RealScheduleClock(). REQUIRES: a given clock outlives the scheduler.
  BackupScheduler(std::string data_dir, BackupSchedule schedule, ScheduleClock* clock = nullptr);
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
  std::unique_ptr<ScheduleClock> own_clock_;  // when none was given
  ScheduleClock* const clock_;
  std::atomic<bool> cancel_{false};
  mutable std::mutex mu_;
  bool stopping_ = false;  // guarded by mu_
  Stats stats_;            // guarded by mu_
  std::thread thread_;     // last: starts after everything above is initialised
};

// /metrics: herdpass_backups_total{result="ok"|"failed"}, and the time of the last success and
// failure and the duration of the last backup. REQUIRES: `backups` outlives `metrics`' renders.
void RegisterBackupMetrics(http::MetricsRegistry& metrics, const BackupScheduler& backups);

}  // namespace herdpass::cli
