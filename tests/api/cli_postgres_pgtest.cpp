// `herdpass --db postgresql://...` from the command line (issue 4): init records the choice, later
// commands follow it, and what PostgreSQL cannot do here (SQLite's backups) or cannot reach is a
// clear refusal. Black-box: the real binary against the `postgres` fixture's cluster.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
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

  // `herdpass serve` of the data directory `Data()` on a free port; waits until /healthz answers.
  struct Server {
    std::unique_ptr<Process> process;
    int port = 0;
    std::unique_ptr<HttpClient> Client() const {
      return std::make_unique<HttpClient>("127.0.0.1", port);
    }
  };
  Server Serve(const std::string& name) {
    Server s;
    // A port found free may be taken before serve binds it: then serve exits; try another.
    for (int attempt = 0; attempt < 5 && !s.process; ++attempt) {
      s.port = FindFreePort();
      ProcessOptions opts;
      opts.path = HerdpassBinary();
      opts.args = {"serve", "--data", Data(), "--listen", "127.0.0.1:" + std::to_string(s.port)};
      opts.stdout_path = dir_.path() + "/" + name + ".out";
      opts.stderr_path = dir_.path() + "/" + name + ".err";
      s.process = std::make_unique<Process>(opts);
      if (!s.process->WaitForPort("127.0.0.1", s.port, std::chrono::seconds(30))) {
        s.process.reset();
      }
    }
    EXPECT_TRUE(s.process) << ReadFile(dir_.path() + "/" + name + ".err");
    if (!s.process) return s;
    HttpClient client("127.0.0.1", s.port);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        if (client.Get("/healthz").status == 200) return s;
      } catch (const std::runtime_error&) {
        client.Close();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << name
                  << " never answered /healthz: " << ReadFile(dir_.path() + "/" + name + ".err");
    return s;
  }

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
  // The 20 owners, the buyer its sale certificate names (created on the spot, W8), the three
  // owners whose cattle move round the outbreak farm (W14 tracing, made once) and the three of the
  // farms round it that its zone's ring list shows (made once too).
  EXPECT_EQ(db_.Scalar("SELECT count(*) FROM owners"), "27");
  EXPECT_NE(db_.Scalar("SELECT value FROM counters WHERE name = 'vaccinations'"), "0");
  // Run again without --db, the same seed: herdpass.conf leads it to the same deployment, where
  // the same records are duplicates.
  auto again = Run({"demo", "--data", Data(), "--owners", "20"});
  ASSERT_TRUE(again.ok()) << again.out << again.err;
  EXPECT_EQ(db_.Scalar("SELECT count(*) FROM owners"), "27");
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

// Two servers of one deployment on one PostgreSQL database (issue 17): a user disabled from the
// console can use their token on neither server from that moment, and enabling them again does
// not bring it back.
TEST_F(CliPostgresTest, DisablingAUserEndsTheirTokenAtOnceOnEveryServer) {
  ASSERT_TRUE(Run({"init", "--data", Data(), "--db", db_.uri(), "--authority", "KZ-ABY"}).ok());
  auto add = Run({"user", "add", "--data", Data(), "--username", "insp", "--role", "inspector"},
                 "pw-insp-12345\n");
  ASSERT_TRUE(add.ok()) << add.err;
  Server a = Serve("a"), b = Serve("b");
  ASSERT_TRUE(a.process && b.process);
  auto on_a = a.Client(), on_b = b.Client();
  const nlohmann::json credentials = {{"username", "insp"}, {"password", "pw-insp-12345"}};
  auto login = on_a->Post("/api/v1/auth/login", credentials);
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string token = login.json().at("token");
  // Both servers have just served the token.
  ASSERT_EQ(on_b->Get("/api/v1/auth/me", token).status, 200);
  ASSERT_EQ(on_a->Get("/api/v1/auth/me", token).status, 200);

  auto disable = Run({"user", "disable", "--data", Data(), "--username", "insp"});
  ASSERT_TRUE(disable.ok()) << disable.err;
  for (auto* client : {on_b.get(), on_a.get()}) {
    auto me = client->Get("/api/v1/auth/me", token);
    EXPECT_EQ(me.status, 401) << me.body;
    EXPECT_EQ(me.json().value("type", ""), "https://herdpass.org/problems/unauthenticated")
        << me.body;
  }
  EXPECT_EQ(db_.Scalar("SELECT count(*) FROM tokens"), "0");

  auto enable = Run({"user", "enable", "--data", Data(), "--username", "insp"});
  ASSERT_TRUE(enable.ok()) << enable.err;
  EXPECT_EQ(on_b->Get("/api/v1/auth/me", token).status, 401);
  EXPECT_EQ(on_a->Get("/api/v1/auth/me", token).status, 401);
  // A new sign-in on one server works on the other.
  auto again = on_b->Post("/api/v1/auth/login", credentials);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(on_a->Get("/api/v1/auth/me", again.json().at("token").get<std::string>()).status, 200);
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
