// `herdpass backup`, `herdpass restore` and the backup metrics: parsing and printing only; the
// work is the backup library's (backup/backup.h).
#include "cli/backup.h"

#include <iomanip>
#include <iostream>
#include <optional>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "http/metrics.h"

namespace herdpass::cli {
namespace {

using Clock = std::chrono::system_clock;
constexpr int64_t kMiB = int64_t{1024} * 1024;

}  // namespace

int BackupCommand(const std::string& data_dir, const std::string& out_dir) {
  auto r = backup::TakeBackup(backup::SystemBackupEnv(), data_dir, out_dir, &std::cerr);
  if (!r.ok()) return Fail(r.status());
  const StoreCounts& c = r->facts.counts;
  std::cout << "backup of " << data_dir << " written to " << r->dir << " in " << std::fixed
            << std::setprecision(2) << r->seconds << " s: " << c.owners << " owners, " << c.animals
            << " animals and flocks, " << c.vaccinations << " vaccinations, " << c.certificates
            << " certificates, " << c.users << " users, " << c.audit_rows
            << " audit rows (chain head " << r->facts.audit_head.seq << "), " << r->bytes / kMiB
            << " MiB; integrity_check ok\n";
  return 0;
}

int RestoreCommand(const std::string& data_dir, const std::string& backup_dir, bool force) {
  auto r =
      backup::RestoreBackup(backup::SystemBackupEnv(), data_dir, backup_dir, force, &std::cerr);
  if (!r.ok()) return Fail(r.status());
  const StoreCounts& c = r->counts;
  std::cout << "restored the backup of " << r->created_at << " into " << data_dir << ": "
            << c.owners << " owners, " << c.animals << " animals and flocks, " << c.vaccinations
            << " vaccinations, " << c.certificates << " certificates, " << c.users
            << " users; audit chain verified (" << r->audit_rows << " rows); " << r->key_files
            << " key files" << (r->conf_restored ? ", herdpass.conf" : "") << "\n";
  if (!r->replaced.empty()) {
    std::cout << "the database it replaced is kept as " << r->replaced
              << " (delete it when not needed)\n";
  }
  return 0;
}

Result<std::chrono::seconds> ParseBackupPeriod(const std::string& text) {
  auto bad = [&text] {
    return InvalidArgument("backup-every", "'" + text +
                                               "' is not a period: give a whole number and s, m, "
                                               "h or d, such as 30m or 1h");
  };
  if (text.size() < 2) return bad();
  int64_t n = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9' || n > 1000000) return bad();
    n = n * 10 + (text[i] - '0');
  }
  if (n <= 0) return bad();
  switch (text.back()) {
    case 's':
      return std::chrono::seconds(n);
    case 'm':
      return std::chrono::seconds(n * 60);
    case 'h':
      return std::chrono::seconds(n * 3600);
    case 'd':
      return std::chrono::seconds(n * 86400);
    default:
      return bad();
  }
}

void RegisterBackupMetrics(http::MetricsRegistry& metrics, const BackupScheduler& backups) {
  metrics.RegisterGaugeFamily("herdpass_backups_total",
                              "Scheduled backups since the server started, by result", [&backups] {
                                auto s = backups.stats();
                                return std::vector<std::pair<http::Labels, double>>{
                                    {{{"result", "ok"}}, static_cast<double>(s.succeeded)},
                                    {{{"result", "failed"}}, static_cast<double>(s.failed)}};
                              });
  auto seconds = [](const std::optional<Clock::time_point>& t) {
    return t ? std::chrono::duration<double>(t->time_since_epoch()).count() : 0.0;
  };
  metrics.RegisterGauge("herdpass_backup_last_success_timestamp_seconds",
                        "When the last scheduled backup succeeded (Unix time; 0: never)",
                        [&backups, seconds] { return seconds(backups.stats().last_success); });
  metrics.RegisterGauge("herdpass_backup_last_failure_timestamp_seconds",
                        "When the last scheduled backup failed (Unix time; 0: never)",
                        [&backups, seconds] { return seconds(backups.stats().last_failure); });
  metrics.RegisterGauge("herdpass_backup_last_duration_seconds",
                        "How long the last scheduled backup took",
                        [&backups] { return backups.stats().last_duration_seconds; });
}

}  // namespace herdpass::cli
