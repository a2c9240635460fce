#include "backup/schedule.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <ctime>
#include <vector>

namespace herdpass::backup {
namespace {

using Clock = std::chrono::system_clock;
using detail::kManifestName;
using detail::kTmpSuffix;

constexpr const char* kScheduledPrefix = "herdpass-";
constexpr int64_t kMiB = int64_t{1024} * 1024;

std::string UtcStamp(Clock::time_point t) {
  const std::time_t tt = Clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::optional<Clock::time_point> ParseUtcStamp(const std::string& s) {
  std::tm tm{};
  const char* end = ::strptime(s.c_str(), "%Y%m%dT%H%M%SZ", &tm);
  if (end == nullptr) return std::nullopt;
  return Clock::from_time_t(::timegm(&tm));
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class SystemScheduleClock : public ScheduleClock {
 public:
  std::chrono::system_clock::time_point Now() override { return Clock::now(); }
  void WaitUntil(std::chrono::system_clock::time_point until) override {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, until - Clock::now(), [this] { return woken_; });
  }
  void Wake() override {
    std::lock_guard lock(mu_);
    woken_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;  // guarded by mu_
};

// Complete scheduled backups in `dir`, oldest first (their names sort by time).
std::vector<std::string> ScheduledBackups(FileSystem& fs, const std::string& dir) {
  std::vector<std::string> names;
  auto entries = fs.ListDirectory(dir);
  if (!entries.ok()) return names;
  for (const auto& e : *entries) {
    if (e.name.rfind(kScheduledPrefix, 0) != 0 || e.name.ends_with(kTmpSuffix)) continue;
    if (!e.is_directory || !fs.Exists(dir + "/" + e.name + "/" + kManifestName)) continue;
    names.push_back(e.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

std::unique_ptr<ScheduleClock> RealScheduleClock() {
  return std::make_unique<SystemScheduleClock>();
}

BackupScheduler::BackupScheduler(std::string data_dir, BackupSchedule schedule,
                                 ScheduleClock* clock, const BackupEnv& env)
    : data_dir_(std::move(data_dir)),
      schedule_(std::move(schedule)),
      env_(env),
      own_clock_(clock == nullptr ? RealScheduleClock() : nullptr),
      clock_(clock == nullptr ? own_clock_.get() : clock) {
  if (schedule_.dir.empty()) schedule_.dir = data_dir_ + "/backups";
  schedule_.dir = detail::StripTrailingSlashes(schedule_.dir);
  if (schedule_.keep < 1) schedule_.keep = 1;
  if (schedule_.every <= std::chrono::seconds(0)) schedule_.every = std::chrono::hours(1);
  thread_ = std::thread([this] { Loop(); });
}

BackupScheduler::~BackupScheduler() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cancel_ = true;
  clock_->Wake();
  thread_.join();
}

BackupScheduler::Stats BackupScheduler::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void BackupScheduler::Loop() {
  // The first backup is due `every` after the newest one already there, so that restarting the
  // server does not put backups off; at once when there is none.
  auto wait = Clock::duration::zero();
  const auto existing = ScheduledBackups(env_.fs, schedule_.dir);
  if (!existing.empty()) {
    const std::string stamp = existing.back().substr(std::string(kScheduledPrefix).size(), 16);
    if (auto t = ParseUtcStamp(stamp)) {
      const auto age = clock_->Now() - *t;
      if (age < schedule_.every) {
        wait = std::min<Clock::duration>(schedule_.every - age, schedule_.every);
      }
    }
  }
  auto next = clock_->Now() + wait;
  for (;;) {
    clock_->WaitUntil(next);
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    next = clock_->Now() + schedule_.every;
    RunOnce();
  }
}

void BackupScheduler::RunOnce() {
  const auto start = std::chrono::steady_clock::now();
  Status result;
  std::string target;
  try {
    if (Status s = env_.fs.CreatePrivateDirectory(schedule_.dir); !s.ok()) {
      result = s;
    } else {
      const std::string base = schedule_.dir + "/" + kScheduledPrefix + UtcStamp(clock_->Now());
      target = base;
      for (int i = 2; env_.fs.Exists(target) || env_.fs.Exists(target + kTmpSuffix); ++i) {
        target = base + "-" + std::to_string(i);
      }
      auto r = TakeBackup(env_, data_dir_, target, nullptr, &cancel_);
      if (r.ok()) {
        spdlog::info("backup: {} written in {:.2f} s ({} vaccinations, {} MiB)", target, r->seconds,
                     r->facts.counts.vaccinations, r->bytes / kMiB);
      } else {
        result = r.status();
      }
    }
  } catch (const std::exception& e) {
    result = Internal(std::string("backup failed: ") + e.what());
  }
  if (result.ok()) {
    try {
      Prune();
    } catch (const std::exception& e) {
      spdlog::error("backup: removing old backups failed: {}", e.what());
    }
  }
  {
    std::lock_guard lock(mu_);
    stats_.last_duration_seconds = SecondsSince(start);
    if (result.ok()) {
      ++stats_.succeeded;
      stats_.last_success = clock_->Now();
    } else {
      ++stats_.failed;
      stats_.last_failure = clock_->Now();
    }
  }
  if (!result.ok()) {
    spdlog::error("backup into {} failed: {}", target.empty() ? schedule_.dir : target,
                  result.message());
  }
}

void BackupScheduler::Prune() {
  auto names = ScheduledBackups(env_.fs, schedule_.dir);
  const size_t keep = static_cast<size_t>(schedule_.keep);
  for (size_t i = 0; i + keep < names.size(); ++i) {
    if (Status s = env_.fs.RemoveAll(schedule_.dir + "/" + names[i]); !s.ok()) {
      spdlog::warn("backup: cannot remove old backup {}: {}", names[i], s.message());
    } else {
      spdlog::info("backup: removed old backup {} (keeping the newest {})", names[i], keep);
    }
  }
  // Unfinished ones of a run that crashed: none is in progress here.
  auto entries = env_.fs.ListDirectory(schedule_.dir);
  if (!entries.ok()) return;
  for (const auto& e : *entries) {
    const std::string path = schedule_.dir + "/" + e.name;
    if (e.name.rfind(kScheduledPrefix, 0) == 0 && e.name.ends_with(kTmpSuffix) &&
        detail::OnlyBackupFiles(env_.fs, path)) {
      (void)env_.fs.RemoveAll(path);
    }
  }
}

}  // namespace herdpass::backup
