// `herdpass backup`, `herdpass restore` and the wiring of `herdpass serve --backup-every`: argument
// parsing and printing over the backup library (backup/backup.h, backup/schedule.h), where the
// backups are taken, checked and restored (DESIGN.md section 8, W7; docs/backup-format.md).
#pragma once

#include <chrono>
#include <string>

#include "backup/backup.h"
#include "backup/schedule.h"
#include "domain/status.h"

namespace herdpass::http {
class MetricsRegistry;
}

namespace herdpass::cli {

using backup::BackupSchedule;
using backup::BackupScheduler;

// The commands: exit codes as in commands.h. Progress goes to stderr, the summary to stdout.
// BackupCommand: backup::TakeBackup of `data_dir` into the new directory `out_dir`.
int BackupCommand(const std::string& data_dir, const std::string& out_dir);
// backup::RestoreBackup: a damaged backup changes nothing; `force` replaces a database.
int RestoreCommand(const std::string& data_dir, const std::string& backup_dir, bool force);

// "90s", "30m", "1h", "2d": a positive whole number and a unit.
Result<std::chrono::seconds> ParseBackupPeriod(const std::string& text);

// /metrics: herdpass_backups_total{result="ok"|"failed"}, and the time of the last success and
// failure and the duration of the last backup. REQUIRES: `backups` outlives `metrics`' renders.
void RegisterBackupMetrics(http::MetricsRegistry& metrics, const BackupScheduler& backups);

}  // namespace herdpass::cli
