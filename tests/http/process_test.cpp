// tests/support: the child-process helper and free ports.
#include "tests/support/process.h"

#include <gtest/gtest.h>
#include <signal.h>

#include "http/server.h"
#include "tests/support/http_client.h"

namespace herdpass::testing {
namespace {

using std::chrono::milliseconds;

ProcessOptions Command(std::string path, std::vector<std::string> args = {},
                       std::vector<std::pair<std::string, std::string>> env = {}) {
  ProcessOptions options;
  options.path = std::move(path);
  options.args = std::move(args);
  options.env = std::move(env);
  return options;
}

TEST(ProcessTest, ReportsTheExitCode) {
  Process p(Command("/bin/sh", {"-c", "exit 3"}));
  auto s = p.Wait(milliseconds(5000));
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->exited);
  EXPECT_EQ(s->code, 3);
}

TEST(ProcessTest, PassesEnvironment) {
  Process p(Command("/bin/sh", {"-c", "test \"$HP_TEST_VAR\" = yes"}, {{"HP_TEST_VAR", "yes"}}));
  auto s = p.Wait(milliseconds(5000));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->code, 0);
}

TEST(ProcessTest, KillWithASignal) {
  Process p(Command("/bin/sleep", {"30"}));
  EXPECT_TRUE(p.Running());
  EXPECT_FALSE(p.Wait(milliseconds(10)).has_value());
  p.Kill(SIGTERM);
  auto s = p.Wait(milliseconds(5000));
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->signaled);
  EXPECT_EQ(s->signal, SIGTERM);
  EXPECT_FALSE(p.Running());
}

TEST(ProcessTest, WaitForPortGivesUpWhenTheChildExits) {
  int port = FindFreePort();
  Process p(Command("/bin/sh", {"-c", "exit 1"}));
  EXPECT_FALSE(p.WaitForPort("127.0.0.1", port, milliseconds(5000)));
  ASSERT_TRUE(p.exit_status().has_value());
  EXPECT_EQ(p.exit_status()->code, 1);
}

TEST(ProcessTest, WaitForPortSeesAListener) {
  int port = FindFreePort();
  http::Router router;
  http::ServerOptions options;
  options.listen = "127.0.0.1:" + std::to_string(port);
  http::Server server(options, router);
  ASSERT_TRUE(server.Start().ok());
  Process p(Command("/bin/sleep", {"30"}));
  EXPECT_TRUE(p.WaitForPort("127.0.0.1", port, milliseconds(5000)));
}

TEST(ProcessTest, SpawnFailureThrows) {
  EXPECT_THROW(Process(Command("/nonexistent/herdpass")), std::runtime_error);
}

TEST(FreePortTest, PortIsBindable) {
  int port = FindFreePort();
  EXPECT_GT(port, 0);
  EXPECT_FALSE(WaitForTcpPort("127.0.0.1", port, 1));
}

}  // namespace
}  // namespace herdpass::testing
