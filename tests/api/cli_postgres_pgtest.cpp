// `herdpass --db postgresql://...` from the command line (issue 4): init records the choice, later
// commands follow it, and what PostgreSQL cannot do here (SQLite's backups) or cannot reach is a
// clear refusal. Black-box: the real binary against the `postgres` fixture's cluster.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/api/herdpass_env.h"
#include "tests/support/pg_test_db.h"

namespace herdpass::testing {
namespace {

class CliPostgresTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(db_.ok()) << db_.error(); }

  CommandResult Run(const std::vector<std::string>& args, const std::string& stdin_text = "") {
    return RunHerdpass(args, dir_.path(), stdin_text);
  }
  std::string Data(const std::string& name = "data") const { return dir_.path() + "/" + name; }

  TempDir dir_{"herdpass-cli-pg"};
  PgTestDatabase db_;
};

TEST_F(CliPostgresTest, InitRecordsTheDatabaseAndLaterCommandsUseIt) {
  auto init = Run({"init", "--data", Data(), "--db", db_.uri(), "--authority", "KZ-ABY"});
  ASSERT_TRUE(init.ok()) << init.out << init.err;
  EXPECT_NE(init.out.find("admin password: "), std::string::npos) << init.out;
  EXPECT_NE(ReadFile(Data() + "/herdpass.conf").find("db = \"" + db_.uri() + "\""),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(Data() + "/herdpass.db"));
  EXPECT_EQ(db_.Scalar("SELECT username FROM users"), "admin");

  // No --db: the data directory's herdpass.conf says where the records are.
  auto add = Run({"user", "add", "--data", Data(), "--username", "vet1", "--role", "vet"},
                 "pw-vet1-12345\n");
  ASSERT_TRUE(add.ok()) << add.err;
  EXPECT_EQ(db_.Scalar("SELECT count(*) FROM users"), "2");
  auto verify = Run({"audit", "verify", "--data", Data()});
  ASSERT_TRUE(verify.ok()) << verify.err;
  EXPECT_NE(verify.out.find("audit log ok"), std::string::npos) << verify.out;
  EXPECT_FALSE(std::filesystem::exists(Data() + "/herdpass.db"));

  // A second init on the same database is refused, whatever the data directory.
  auto again = Run({"init", "--data", Data("other"), "--db", db_.uri()});
  EXPECT_EQ(again.status.code, 1);
  EXPECT_NE(again.err.find("the PostgreSQL database already holds a HerdPass database"),
            std::string::npos)
      << again.err;
}

TEST_F(CliPostgresTest, DemoFillsThePostgresDatabase) {
  auto demo = Run({"demo", "--data", Data(), "--db", db_.uri(), "--owners", "20"});
  ASSERT_TRUE(demo.ok()) << demo.out << demo.err;
  EXPECT_EQ(db_.Scalar("SELECT count(*) FROM owners"), "20");
  EXPECT_NE(db_.Scalar("SELECT value FROM counters WHERE name = 'vaccinations'"), "0");
  // Run again without --db, the same seed: herdpass.conf leads it to the same deployment, where
  // the same records are duplicates.
  auto again = Run({"demo", "--data", Data(), "--owners", "20"});
  ASSERT_TRUE(again.ok()) << again.out << again.err;
  EXPECT_EQ(db_.Scalar("SELECT count(*) FROM owners"), "20");
  EXPECT_EQ(db_.Scalar("SELECT count(*) FROM users WHERE username = 'admin'"), "1");
}

TEST_F(CliPostgresTest, BackupsOfAPostgresDeploymentAreRefusedWithWhatToUseInstead) {
  ASSERT_TRUE(Run({"init", "--data", Data(), "--db", db_.uri()}).ok());
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"backup", "--data", Data(), dir_.path() + "/backup"},
           {"restore", "--data", Data(), dir_.path() + "/backup"},
           {"serve", "--data", Data(), "--listen", "127.0.0.1:0", "--backup-every", "1h"}}) {
    SCOPED_TRACE(args[0]);
    auto r = Run(args);
    EXPECT_EQ(r.status.code, 1);
    EXPECT_NE(r.err.find("pg_basebackup"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/backup"));
}

TEST_F(CliPostgresTest, AnUninitialisedDatabaseIsRefusedUntilInit) {
  auto add =
      Run({"user", "add", "--data", Data(), "--db", db_.uri(), "--username", "u", "--role", "vet"},
          "pw-u-12345678\n");
  EXPECT_EQ(add.status.code, 1);
  EXPECT_NE(add.err.find("holds no HerdPass deployment yet"), std::string::npos) << add.err;
  EXPECT_EQ(db_.Scalar("SELECT count(*) FROM users"), "0");
}

TEST_F(CliPostgresTest, UnreachableServerOrABadUriIsAClearError) {
  auto down = Run({"init", "--data", Data(), "--db", "postgresql://postgres@127.0.0.1:1/herdpass"});
  EXPECT_EQ(down.status.code, 1);
  EXPECT_NE(down.err.find("herdpass: cannot connect to the PostgreSQL server"), std::string::npos)
      << down.err;
  EXPECT_EQ(down.err.find("127.0.0.1:1/"), std::string::npos) << down.err;  // no URI echoed

  auto other = Run({"init", "--data", Data("x"), "--db", "mysql://127.0.0.1/herdpass"});
  EXPECT_EQ(other.status.code, 2);
  EXPECT_NE(other.err.find("--db takes a postgresql:// URI"), std::string::npos) << other.err;
}

}  // namespace
}  // namespace herdpass::testing
