// pgBackRest proven by restoring (issue 16 item 2, docs/standby.md): a PostgreSQL cluster of the
// test's own archives its WAL into a pgBackRest repository of its own (tests/pgbackrest/pitr.sh,
// on tests/support/pg_cluster.sh's clusters); the real `herdpass serve` writes W1 batches from two
// clients without a stop while a full and then an incremental backup are taken; two moments are
// chosen between acknowledged batches (the clients held for an instant, WriteLoad::Pause, so that
// no batch is astride), the first as a time, the second as a named restore point, and writing goes
// on after both. Then, each into a NEW cluster on another port, the primary still running:
//  - restored to the restore point: exactly the records acknowledged before it (the same count,
//    the same ids; every one acknowledged after it absent), and `herdpass audit verify` passes;
//  - restored to the earlier time: exactly the records acknowledged before that time; the first
//    batch acknowledged after it, present in the later restore, is absent here;
//  - the WAL segment holding the restore point taken out of the repository: the restore to it
//    fails, PostgreSQL saying the recovery ended before the target was reached.
//
// Why a named restore point for the main check: it is a record in the WAL itself, so "before"
// and "after" are the WAL's own order, with no clock involved (recovery to a time compares commit
// timestamps with the target, and a commit sharing the target's microsecond is a matter of
// inclusive or exclusive). It is also what an operator makes before a risky change (a migration).
// The time target is the other case, the restore to "just before the mistake" that nobody marked:
// it is checked too, as the earlier moment.
//
// Labelled `postgres;backup;slow` (a cluster of its own, three restores: 30-60 s on a busy 2-core
// machine): the sanitizer pass skips `slow`; it runs no HerdPass code the store and API tests do
// not already put through ASan.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"
#include "tests/api/write_load.h"
#include "tests/support/pg_test_db.h"

namespace herdpass::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kClients = 2;
constexpr int kRecordsPerBatch = 10;
constexpr const char* kRestorePoint = "herdpass-pitr-test";

// Runs tests/pgbackrest/pitr.sh with `args`; its output is appended to `log`. True on exit 0.
bool Pitr(const std::vector<std::string>& args, const std::string& log) {
  ProcessOptions opts;
  opts.path = HERDPASS_PITR_SH;
  opts.args = args;
  opts.stdout_path = log;
  opts.stderr_path = log;
  Process p(opts);
  auto status = p.Wait(std::chrono::seconds(240));
  if (!status) {
    p.Kill(SIGKILL);
    return false;
  }
  return status->exited && status->code == 0;
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// Polls `done` until it holds; false after `timeout`. The pause between polls only spaces them.
bool PollUntil(const std::function<bool()>& done, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// Now, as PostgreSQL reads a timestamptz, to the microsecond, in UTC.
std::string UtcNowMicros() {
  const auto now = std::chrono::system_clock::now();
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  const time_t secs = static_cast<time_t>(micros / 1000000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06lld+00", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(micros % 1000000));
  return buf;
}

class PgBackRestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_.path() + "/pitr";
    log_ = scratch_.path() + "/pitr.log";
    const auto started = Clock::now();
    ASSERT_TRUE(Pitr({"setup", dir_}, log_)) << ReadFile(log_);
    std::cout << "cluster, stanza and archive check: " << SecondsSince(started) << " s\n";
  }
  void TearDown() override { (void)Pitr({"stop", dir_}, log_); }

  static double SecondsSince(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  }
  // The postgresql:// URI of database herdpass on the cluster DIR/name (pitr.sh writes it).
  std::string Uri(const std::string& name) const {
    return FirstLine(ReadFile(dir_ + "/" + name + "/uri"));
  }

  TempDir scratch_{"herdpass-pitr"};
  std::string dir_;
  std::string log_;
};

// The records of a restored database against those the load had acknowledged before `mark`
// (every batch was either acknowledged before it or sent after it: the load was paused).
struct RestoreCheck {
  size_t stored = 0;         // records in the restored database
  size_t expected = 0;       // acknowledged before the mark
  size_t missing = 0;        // acknowledged before the mark, not restored
  size_t after_present = 0;  // of batches sent after the mark, restored
  size_t unknown = 0;        // restored, sent by nobody
  std::string index_count;   // count(*) of vaccination_ids, the index by record id
};

RestoreCheck CheckRestored(const std::string& uri, const std::vector<SentBatch>& batches,
                           int64_t mark) {
  RestoreCheck c;
  const auto ids = PgColumn(uri, "SELECT id::text FROM vaccinations");
  if (IsError(ids)) {
    ADD_FAILURE() << ids[0];
    return c;
  }
  const std::set<std::string> stored(ids.begin(), ids.end());
  c.stored = stored.size();
  EXPECT_EQ(stored.size(), ids.size()) << "a record id twice";
  size_t known = 0;
  for (const auto& b : batches) {
    const bool before = b.acknowledged && b.acked_at < mark;
    for (const auto& id : b.ids) {
      const bool present = stored.count(id) != 0;
      known += present;
      if (before) {
        ++c.expected;
        c.missing += !present;
      } else {
        c.after_present += present;
      }
    }
  }
  c.unknown = c.stored - known;
  const auto index = PgColumn(uri, "SELECT count(*) FROM vaccination_ids");
  c.index_count = index.empty() ? "" : index[0];
  return c;
}

TEST_F(PgBackRestTest, PointInTimeRestoreHoldsExactlyTheRecordsAcknowledgedBeforeTheMoment) {
  const auto test_started = Clock::now();
  const std::string primary = Uri("primary");
  ASSERT_EQ(primary.rfind("postgresql://", 0), 0u) << primary;

  HerdpassEnv env;
  const std::vector<std::string> db_args = {"--data", env.data_dir(), "--db", primary};
  auto with_db = [&](std::vector<std::string> args) {
    args.insert(args.end(), db_args.begin(), db_args.end());
    return args;
  };
  CommandResult init =
      RunHerdpass(with_db({"init", "--region", "KZ", "--authority", "KZ-ABY"}), env.scratch_dir());
  ASSERT_TRUE(init.ok()) << init.out << init.err;
  CommandResult add =
      RunHerdpass(with_db({"user", "add", "--username", "vacc", "--role", "vaccinator"}),
                  env.scratch_dir(), "pw-vacc-12345\n");
  ASSERT_TRUE(add.ok()) << add.out << add.err;
  env.StartServer({"--db", primary});
  auto login = env.Client()->Post("/api/v1/auth/login",
                                  {{"username", "vacc"}, {"password", "pw-vacc-12345"}});
  ASSERT_EQ(login.status, 200) << login.body;

  // Any failed or refused batch is a failure of the test (kTestFailure): the backups must not
  // disturb the writes.
  WriteLoad load({.port = env.port(),
                  .token = login.json().at("token").get<std::string>(),
                  .first_phone = 7100,
                  .clients = kClients,
                  .records_per_batch = kRecordsPerBatch});
  load.Start();
  auto more_acks = [&load](int n) {
    const int want = load.acknowledged() + n;
    return PollUntil([&load, want] { return load.acknowledged() >= want; },
                     std::chrono::seconds(60));
  };
  ASSERT_TRUE(more_acks(10)) << "fewer than 10 batches acknowledged in 60 s: " << env.ServerLog();

  // A full backup, then an incremental one, the clients writing all along.
  struct Span {
    Clock::time_point from, to;
  };
  Span full{}, incr{};
  full.from = Clock::now();
  ASSERT_TRUE(Pitr({"backup", dir_, "full"}, log_)) << ReadFile(log_);
  full.to = Clock::now();
  ASSERT_TRUE(more_acks(10)) << env.ServerLog();
  incr.from = Clock::now();
  ASSERT_TRUE(Pitr({"backup", dir_, "incr"}, log_)) << ReadFile(log_);
  incr.to = Clock::now();
  ASSERT_TRUE(more_acks(10)) << env.ServerLog();

  // The earlier moment, as a time: the clients held, no batch in flight.
  load.Pause();
  const int64_t mark_time = load.Mark();
  const std::string target_time = UtcNowMicros();
  load.Resume();
  ASSERT_TRUE(more_acks(10)) << env.ServerLog();

  // The moment, as a named restore point; the WAL segment that holds it, for the last check.
  load.Pause();
  const int64_t mark_point = load.Mark();
  const auto point_segment =
      PgColumn(primary, std::string("SELECT pg_walfile_name(pg_create_restore_point('") +
                            kRestorePoint + "'))");
  load.Resume();
  ASSERT_EQ(point_segment.size(), 1u);
  ASSERT_FALSE(IsError(point_segment)) << point_segment[0];
  ASSERT_TRUE(more_acks(10)) << env.ServerLog();
  load.Stop();
  // `pgbackrest check` switches the WAL and waits until the segment is archived: everything
  // written so far is in the repository.
  ASSERT_TRUE(Pitr({"check", dir_}, log_)) << ReadFile(log_);
  const ExitStatus stopped = env.StopServer();
  EXPECT_TRUE(stopped.exited && stopped.code == 0) << env.ServerLog();

  const std::vector<SentBatch>& batches = load.batches();
  auto count_batches = [&](const std::function<bool(const SentBatch&)>& pred) {
    int n = 0;
    for (const auto& b : batches) n += pred(b);
    return n;
  };
  auto acked_within = [&](const Span& s) {
    return count_batches([&](const SentBatch& b) {
      return b.acknowledged && b.sent >= s.from && b.answered <= s.to;
    });
  };
  const int during_full = acked_within(full);
  const int during_incr = acked_within(incr);
  const int before_time =
      count_batches([&](const SentBatch& b) { return b.acknowledged && b.acked_at < mark_time; });
  const int before_point =
      count_batches([&](const SentBatch& b) { return b.acknowledged && b.acked_at < mark_point; });
  const int total = count_batches([](const SentBatch& b) { return b.acknowledged; });
  // None failed (the load reports a failure itself), and every batch is on one side of each
  // moment: acknowledged before it, or sent after it.
  ASSERT_EQ(count_batches([](const SentBatch& b) { return !b.acknowledged; }), 0);
  std::cout << total << " batches of " << kRecordsPerBatch << " records acknowledged, none failed; "
            << during_full << " sent and acknowledged during the full backup ("
            << std::chrono::duration<double>(full.to - full.from).count() << " s), " << during_incr
            << " during the incremental one ("
            << std::chrono::duration<double>(incr.to - incr.from).count() << " s); " << before_time
            << " before the time " << target_time << ", " << before_point
            << " before the restore point (segment " << point_segment[0] << "), "
            << total - before_point << " after it\n";
  EXPECT_GT(during_full, 0) << "no batch was written while the full backup ran";
  EXPECT_GT(during_incr, 0) << "no batch was written while the incremental backup ran";
  ASSERT_GT(before_point, before_time);
  ASSERT_GT(total, before_point);

  {
    SCOPED_TRACE("restored to the restore point");
    const auto started = Clock::now();
    ASSERT_TRUE(Pitr({"restore", dir_, "at-point", "name", kRestorePoint}, log_)) << ReadFile(log_);
    const std::string restored = Uri("at-point");
    const RestoreCheck c = CheckRestored(restored, batches, mark_point);
    std::cout << "restore to the point (" << SecondsSince(started) << " s): " << c.stored
              << " records, " << c.expected << " acknowledged before it, " << c.missing
              << " of them missing, " << c.after_present << " of those sent after it present\n";
    EXPECT_EQ(c.expected, static_cast<size_t>(before_point) * kRecordsPerBatch);
    EXPECT_EQ(c.stored, c.expected);
    EXPECT_EQ(c.missing, 0u);
    EXPECT_EQ(c.after_present, 0u);
    EXPECT_EQ(c.unknown, 0u);
    EXPECT_EQ(c.index_count, std::to_string(c.expected));
    // The copy is a HerdPass database whose audit chain is whole.
    CommandResult verify = RunHerdpass(
        {"audit", "verify", "--data", env.data_dir(), "--db", restored}, env.scratch_dir());
    EXPECT_TRUE(verify.ok()) << verify.out << verify.err;
    EXPECT_NE(verify.out.find("audit log ok: "), std::string::npos) << verify.out;
    std::cout << "herdpass audit verify on the restored copy: " << FirstLine(verify.out) << "\n";
  }

  {
    SCOPED_TRACE("restored to the earlier time");
    const auto started = Clock::now();
    ASSERT_TRUE(Pitr({"restore", dir_, "at-time", "time", target_time}, log_)) << ReadFile(log_);
    const std::string restored = Uri("at-time");
    const RestoreCheck c = CheckRestored(restored, batches, mark_time);
    std::cout << "restore to the time (" << SecondsSince(started) << " s): " << c.stored
              << " records, " << c.expected << " acknowledged before it, " << c.missing
              << " of them missing, " << c.after_present << " of those sent after it present\n";
    EXPECT_EQ(c.expected, static_cast<size_t>(before_time) * kRecordsPerBatch);
    EXPECT_EQ(c.stored, c.expected);
    EXPECT_EQ(c.missing, 0u);
    EXPECT_EQ(c.after_present, 0u);
    EXPECT_EQ(c.unknown, 0u);
    // The first batch acknowledged after the time: in the later restore, not in this one.
    const SentBatch* first_after = nullptr;
    for (const auto& b : batches) {
      if (b.acked_at >= mark_time &&
          (first_after == nullptr || b.acked_at < first_after->acked_at)) {
        first_after = &b;
      }
    }
    ASSERT_NE(first_after, nullptr);
    const std::string is_there =
        "SELECT count(*) FROM vaccinations WHERE id = '" + first_after->ids.front() + "'";
    EXPECT_EQ(PgColumn(restored, is_there), std::vector<std::string>{"0"});
    EXPECT_EQ(PgColumn(Uri("at-point"), is_there), std::vector<std::string>{"1"});
  }

  {
    SCOPED_TRACE("the restore point's WAL segment missing from the repository");
    const std::string log = scratch_.path() + "/missing-segment.log";
    ASSERT_TRUE(Pitr({"hide-wal", dir_, point_segment[0]}, log_)) << ReadFile(log_);
    EXPECT_FALSE(Pitr({"restore", dir_, "missing-segment", "name", kRestorePoint}, log))
        << ReadFile(log);
    EXPECT_NE(ReadFile(log).find("recovery ended before configured recovery target was reached"),
              std::string::npos)
        << ReadFile(log);
    EXPECT_TRUE(Pitr({"show-wal", dir_, point_segment[0]}, log_)) << ReadFile(log_);
  }
  std::cout << "the whole test: " << SecondsSince(test_started) << " s after the setup\n";
}

}  // namespace
}  // namespace herdpass::testing
