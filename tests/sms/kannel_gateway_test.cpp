// The production gateway (http/kannel_gateway.h) on its own, against a real smsbox: the sliding
// window's hand-over (Begin, Answered) answers each message begun exactly once and smsbox passes
// every one on; with no smsbox listening, every message begun is answered kUnavailable, and at
// most one per connection is tried (the rest are not, so a dead smsbox does not cost a timeout
// per message of the window).
#include "http/kannel_gateway.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/kannel.h"

namespace herdpass {
namespace {

using std::chrono::seconds;

SmsMessage Message(int64_t id) {
  SmsMessage m;
  m.id = id;
  m.owner_id = id;
  m.phone = "+7701" + std::to_string(6000000 + id);
  m.body = "HerdPass receipt " + std::to_string(id);
  return m;
}

std::vector<SmsMessage> Messages(int64_t from, int64_t to) {
  std::vector<SmsMessage> out;
  for (int64_t id = from; id <= to; ++id) out.push_back(Message(id));
  return out;
}

// Every answer until `count` have come, by id (an id answered twice fails the test); stops early
// when an Answered call brings none within its wait.
std::map<int64_t, Status> AnswersOf(SmsGateway& gateway, size_t count) {
  std::map<int64_t, Status> out;
  while (out.size() < count) {
    auto answers = gateway.Answered(count - out.size(), seconds(60));
    if (answers.empty()) break;
    for (auto& a : answers) {
      EXPECT_TRUE(out.emplace(a.id, a.status).second) << "answered twice: " << a.id;
    }
  }
  return out;
}

TEST(KannelGatewayTest, EachMessageBegunIsAnsweredOnceAndReachesTheSmsc) {
  testing::KannelGateway kannel;
  http::KannelGateway gateway({kannel.sendsms_url(), kannel.options().sendsms_user,
                               kannel.options().sendsms_password, "", "", "", seconds(10)});
  // Three Begins, the later ones while the first's are still in flight.
  gateway.Begin(Messages(1, 20));
  gateway.Begin(Messages(21, 30));
  gateway.Begin(Messages(31, 45));
  const auto answers = AnswersOf(gateway, 45);
  ASSERT_EQ(answers.size(), 45u);
  for (const auto& [id, status] : answers) {
    EXPECT_GE(id, 1);
    EXPECT_LE(id, 45);
    EXPECT_TRUE(status.ok()) << id << ": " << status.ToString();
  }
  const auto got = kannel.WaitForMessages(45, seconds(60));
  ASSERT_EQ(got.size(), 45u) << kannel.Logs();
  std::set<std::string> phones;
  for (const auto& m : got) phones.insert(m.receiver);
  for (int64_t id = 1; id <= 45; ++id) EXPECT_EQ(phones.count(Message(id).phone), 1u) << id;
}

TEST(KannelGatewayTest, WithNoSmsboxEveryMessageIsAnsweredUnavailableAndFewAreTried) {
  const int port = testing::FindFreePort();  // nothing listens there
  http::KannelGatewayOptions options{
      "http://127.0.0.1:" + std::to_string(port) + "/cgi-bin/sendsms",
      "herdpass",
      "secret",
      "",
      "",
      "",
      seconds(10)};
  options.connections = 4;
  http::KannelGateway gateway(options);
  // Twice: a later Begin tries smsbox again.
  for (int64_t round = 0; round < 2; ++round) {
    gateway.Begin(Messages(round * 100 + 1, round * 100 + 40));
    const auto answers = AnswersOf(gateway, 40);
    ASSERT_EQ(answers.size(), 40u) << "round " << round;
    int tried = 0;
    for (const auto& [id, status] : answers) {
      EXPECT_EQ(status.code(), StatusCode::kUnavailable) << id << ": " << status.ToString();
      if (status.message().find("Connection refused") != std::string::npos) ++tried;
    }
    EXPECT_GE(tried, 1) << "round " << round;
    EXPECT_LE(tried, options.connections) << "round " << round;
  }
}

}  // namespace
}  // namespace herdpass
