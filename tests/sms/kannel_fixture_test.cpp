// The Kannel fixture itself (tests/support/kannel.h): a message given to smsbox's sendsms reaches
// the test SMSC, whole and in its coding; one an owner sends reaches the sms-service URL; the
// delivery report reaches the dlr-url. Nothing of Kannel is left running after (checked by pid).
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "http/request.h"
#include "tests/support/http_client.h"
#include "tests/support/kannel.h"

namespace herdpass::testing {
namespace {

using std::chrono::seconds;

std::string SendSms(KannelGateway& kannel, const std::string& to, const std::string& text,
                    const std::string& coding, const std::string& extra = "") {
  HttpClient client("127.0.0.1", kannel.sendsms_port());
  auto res =
      client.Get("/cgi-bin/sendsms?username=" + http::PercentEncode(kannel.options().sendsms_user) +
                 "&password=" + http::PercentEncode(kannel.options().sendsms_password) +
                 "&to=" + http::PercentEncode(to) + "&text=" + http::PercentEncode(text) +
                 "&charset=UTF-8&coding=" + coding + extra);
  return std::to_string(res.status) + " " + res.body;
}

TEST(KannelFixtureTest, SendsmsReachesTheTestSmscInItsCoding) {
  KannelGateway kannel;
  EXPECT_EQ(SendSms(kannel, "+77011234567", "Vaccinated: 12 head, FMD O", "0"),
            "202 0: Accepted for delivery");
  // Cyrillic: UCS-2, and long enough (80 characters) for two parts.
  std::string russian;
  for (int i = 0; i < 8; ++i) russian += "Привет, мир";
  EXPECT_EQ(SendSms(kannel, "+77011234568", russian, "2"), "202 0: Accepted for delivery");

  auto got = kannel.WaitForMessages(2, seconds(30));
  ASSERT_EQ(got.size(), 2u) << kannel.Logs();
  EXPECT_EQ(got[0].sender, "1440");
  EXPECT_EQ(got[0].receiver, "+77011234567");
  EXPECT_EQ(got[0].coding, "text");
  EXPECT_EQ(got[0].text, "Vaccinated: 12 head, FMD O");
  EXPECT_EQ(got[0].parts, 1);
  EXPECT_EQ(got[1].receiver, "+77011234568");
  EXPECT_EQ(got[1].coding, "ucs-2");
  EXPECT_EQ(got[1].text, russian);
  EXPECT_EQ(got[1].parts, 2);
}

TEST(KannelFixtureTest, WrongSendsmsPasswordIsRefusedAndNothingReachesTheSmsc) {
  KannelGateway kannel;
  HttpClient client("127.0.0.1", kannel.sendsms_port());
  auto res =
      client.Get("/cgi-bin/sendsms?username=herdpass&password=wrong&to=%2B77011234567&text=x");
  EXPECT_EQ(res.status, 403) << res.body;
  // A message sent after it with the right password is the first and only one to arrive.
  EXPECT_EQ(SendSms(kannel, "+77011234567", "second", "0"), "202 0: Accepted for delivery");
  auto got = kannel.WaitForMessages(1, seconds(30));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].text, "second");
}

TEST(KannelFixtureTest, AnOwnersMessageReachesThePostUrlAndDeliveryReportsTheDlrUrl) {
  RecordingHttpServer app;
  KannelOptions options;
  options.inbound_url = "http://127.0.0.1:" + std::to_string(app.port()) + "/inbound?from=%p&to=%P";
  KannelGateway kannel(options);

  kannel.Inject("+77011234567", "1440", "STATUS please");
  auto requests = app.WaitForRequests(1, seconds(30));
  ASSERT_EQ(requests.size(), 1u) << kannel.Logs();
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/inbound?from=%2B77011234567&to=1440");
  EXPECT_EQ(requests[0].body, "STATUS please");

  std::string dlr_url = "http://127.0.0.1:" + std::to_string(app.port()) + "/dlr?id=42&status=%d";
  EXPECT_EQ(SendSms(kannel, "+77011234567", "receipt", "0",
                    "&dlr-mask=3&dlr-url=" + http::PercentEncode(dlr_url)),
            "202 0: Accepted for delivery");
  requests = app.WaitForRequests(2, seconds(30));
  ASSERT_EQ(requests.size(), 2u) << kannel.Logs();
  EXPECT_EQ(requests[1].target, "/dlr?id=42&status=1");  // 1: delivered
  ASSERT_EQ(kannel.WaitForMessages(1, seconds(30)).size(), 1u);
}

// smsbox that dies (it can abort when the dlr-url server dies mid-report: kannel.cpp KeepSmsbox) is
// started again, as Debian's run_kannel_box does, and what is sent after reaches the SMSC; the
// restarted smsbox is stopped with the rest.
TEST(KannelFixtureTest, AnSmsboxThatDiesIsStartedAgain) {
  pid_t first = 0, second = 0;
  {
    KannelGateway kannel;
    first = kannel.smsbox_pid();
    ASSERT_EQ(::kill(first, SIGKILL), 0);
    // Polling a condition: sendsms answers again once the new smsbox has connected to bearerbox.
    std::string answer;
    const auto deadline = std::chrono::steady_clock::now() + seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        answer = SendSms(kannel, "+77011234567", "after the restart", "0");
      } catch (const std::exception& e) {
        answer = e.what();
      }
      if (answer == "202 0: Accepted for delivery") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(answer, "202 0: Accepted for delivery") << kannel.Logs();
    auto got = kannel.WaitForMessages(1, seconds(30));
    ASSERT_EQ(got.size(), 1u) << kannel.Logs();
    EXPECT_EQ(got[0].text, "after the restart");
    EXPECT_EQ(kannel.smsbox_restarts(), 1);
    second = kannel.smsbox_pid();
    EXPECT_NE(second, first);
  }
  EXPECT_EQ(::kill(second, 0), -1);
}

TEST(KannelFixtureTest, NothingIsLeftRunning) {
  pid_t bearerbox = 0, smsbox = 0;
  std::string dir;
  {
    KannelGateway kannel;
    bearerbox = kannel.bearerbox_pid();
    smsbox = kannel.smsbox_pid();
    dir = kannel.dir();
    ASSERT_EQ(::kill(bearerbox, 0), 0);
    ASSERT_EQ(::kill(smsbox, 0), 0);
  }
  // Reaped children: their pids are gone (ESRCH), and so is the directory.
  EXPECT_EQ(::kill(bearerbox, 0), -1);
  EXPECT_EQ(::kill(smsbox, 0), -1);
  EXPECT_FALSE(std::filesystem::exists(dir));
}

}  // namespace
}  // namespace herdpass::testing
