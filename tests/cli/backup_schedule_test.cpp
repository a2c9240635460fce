// The backup schedule of `herdpass serve --backup-every` (backup/schedule.h), in-process with a
// fake clock: time moves only when the test says, and the test waits for the scheduler to be
// waiting again, so no test depends on how fast the machine is or waits for real time to pass.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "backup/schedule.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/api/herdpass_env.h"

namespace herdpass::backup {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::minutes;
using TimePoint = std::chrono::system_clock::time_point;

// 2026-12-01T00:00:00Z.
const TimePoint kStart = std::chrono::sys_days(std::chrono::year{2026} / 12 / 1);

// A clock that moves only on Advance(). Its waits end when the fake time reaches them (or on
// Wake()), and the test can wait for the scheduler to start its next wait.
class FakeScheduleClock : public ScheduleClock {
 public:
  explicit FakeScheduleClock(TimePoint start) : now_(start) {}

  TimePoint Now() override {
    std::lock_guard lock(mu_);
    return now_;
  }
  void WaitUntil(TimePoint until) override {
    std::unique_lock lock(mu_);
    ++waits_;
    last_until_ = until;
    cv_.notify_all();
    cv_.wait(lock, [&] { return woken_ || now_ >= until; });
  }
  void Wake() override {
    std::lock_guard lock(mu_);
    woken_ = true;
    cv_.notify_all();
  }

  void Advance(std::chrono::system_clock::duration d) {
    std::lock_guard lock(mu_);
    now_ += d;
    cv_.notify_all();
  }
  // Until when the scheduler's `n`th wait (counting from 1) is, once it has begun; nullopt if it
  // does not begin within a minute of real time (a failing test, not a slow machine).
  std::optional<TimePoint> AwaitWait(int n) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, std::chrono::minutes(1), [&] { return waits_ >= n; })) {
      return std::nullopt;
    }
    return last_until_;
  }
  int waits() {
    std::lock_guard lock(mu_);
    return waits_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  TimePoint now_;         // guarded by mu_
  TimePoint last_until_;  // guarded by mu_
  int waits_ = 0;         // guarded by mu_
  bool woken_ = false;    // guarded by mu_
};

class BackupScheduleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A data directory with a (new, empty) database: what a backup needs.
    SqliteOptions opts;
    opts.path = data_ + "/herdpass.db";
    auto store = OpenSqliteStore(opts);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
  }

  std::vector<std::string> Backups() {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(data_ + "/backups", ec)) {
      names.push_back(e.path().filename());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  herdpass::testing::TempDir dir_{"herdpass-schedule"};
  const std::string data_ = dir_.path();
};

TEST_F(BackupScheduleTest, FirstBackupAtOnceThenOneEachPeriodKeepingTheNewest) {
  FakeScheduleClock clock(kStart);
  BackupScheduler scheduler(data_, {.every = hours(1), .keep = 2, .dir = ""}, &clock);
  // No backup yet: the first is taken at once, then the scheduler waits a period.
  ASSERT_EQ(clock.AwaitWait(2), kStart + hours(1));
  EXPECT_EQ(scheduler.stats().succeeded, 1);
  EXPECT_EQ(scheduler.stats().last_success, kStart);
  EXPECT_EQ(Backups(), std::vector<std::string>{"herdpass-20261201T000000Z"});

  // A minute short of the period nothing happens: the wait has not ended.
  clock.Advance(minutes(59));
  EXPECT_EQ(clock.waits(), 2);
  EXPECT_EQ(scheduler.stats().succeeded, 1);

  clock.Advance(minutes(1));
  ASSERT_EQ(clock.AwaitWait(3), kStart + hours(2));
  EXPECT_EQ(scheduler.stats().succeeded, 2);
  clock.Advance(hours(1));
  ASSERT_EQ(clock.AwaitWait(4), kStart + hours(3));
  const auto stats = scheduler.stats();
  EXPECT_EQ(stats.succeeded, 3);
  EXPECT_EQ(stats.failed, 0);
  EXPECT_EQ(stats.last_success, kStart + hours(2));
  // keep = 2: the oldest is gone.
  EXPECT_EQ(Backups(),
            (std::vector<std::string>{"herdpass-20261201T010000Z", "herdpass-20261201T020000Z"}));
  EXPECT_TRUE(fs::exists(data_ + "/backups/herdpass-20261201T020000Z/manifest.json"));
}

TEST_F(BackupScheduleTest, ARestartTakesTheNextBackupAPeriodAfterTheNewest) {
  {
    FakeScheduleClock clock(kStart);
    BackupScheduler scheduler(data_, {.every = hours(1), .keep = 48, .dir = ""}, &clock);
    ASSERT_EQ(clock.AwaitWait(2), kStart + hours(1));
  }
  ASSERT_EQ(Backups().size(), 1u);
  // Restarted 20 minutes later: the next backup is due 40 minutes on, not at once.
  FakeScheduleClock clock(kStart + minutes(20));
  BackupScheduler scheduler(data_, {.every = hours(1), .keep = 48, .dir = ""}, &clock);
  ASSERT_EQ(clock.AwaitWait(1), kStart + hours(1));
  EXPECT_EQ(scheduler.stats().succeeded, 0);
  clock.Advance(minutes(40));
  ASSERT_EQ(clock.AwaitWait(2), kStart + hours(2));
  EXPECT_EQ(scheduler.stats().succeeded, 1);
  EXPECT_EQ(Backups().size(), 2u);
}

TEST_F(BackupScheduleTest, AFailureIsCountedAndTheNextBackupComesOnSchedule) {
  // A backup directory under a regular file cannot be made.
  std::ofstream(data_ + "/not-a-dir") << "x";
  FakeScheduleClock clock(kStart);
  BackupScheduler scheduler(data_, {.every = hours(1), .keep = 2, .dir = data_ + "/not-a-dir/b"},
                            &clock);
  ASSERT_EQ(clock.AwaitWait(2), kStart + hours(1));
  EXPECT_EQ(scheduler.stats().failed, 1);
  EXPECT_EQ(scheduler.stats().last_failure, kStart);
  clock.Advance(hours(1));
  ASSERT_EQ(clock.AwaitWait(3), kStart + hours(2));
  const auto stats = scheduler.stats();
  EXPECT_EQ(stats.failed, 2);
  EXPECT_EQ(stats.succeeded, 0);
  EXPECT_EQ(stats.last_failure, kStart + hours(1));
  EXPECT_FALSE(stats.last_success.has_value());
}

TEST_F(BackupScheduleTest, StoppingDuringAWaitReturnsWithoutAnotherBackup) {
  FakeScheduleClock clock(kStart);
  {
    BackupScheduler scheduler(data_, {.every = hours(1), .keep = 2, .dir = ""}, &clock);
    ASSERT_EQ(clock.AwaitWait(2), kStart + hours(1));
  }  // the destructor wakes the wait and joins: the fake time never reached the next backup
  EXPECT_EQ(Backups().size(), 1u);
}

}  // namespace
}  // namespace herdpass::backup
