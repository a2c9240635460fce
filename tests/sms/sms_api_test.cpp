// SMS to owners through a real Kannel (DESIGN.md W15, issue 15): the real `herdpass serve` hands
// its outbox to smsbox's sendsms, and the test SMSC on Kannel's fake SMSC port is the owner's
// phone.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <string>

#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"
#include "tests/support/kannel.h"

namespace herdpass::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr const char* kSecret = "sms-test-secret";

std::vector<std::string> GatewayArgs(const KannelGateway& kannel) {
  return {"--sms-gateway",      kannel.sendsms_url(),
          "--sms-user",         kannel.options().sendsms_user,
          "--sms-password",     kannel.options().sendsms_password,
          "--sms-secret",       kSecret,
          "--sms-callback-url", "http://127.0.0.1:{port}",
          "--utc-offset",       NoonUtcOffset()};
}

class SmsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.Init();
    env_.AddUser({"vacc", "vaccinator"});
  }

  // Records one flock of `head` sheep for each phone, as the vaccinator.
  void RecordFlocks(const std::vector<std::string>& phones, int head = 12) {
    auto client = env_.Client();
    json records = json::array();
    for (const auto& phone : phones)
      records.push_back(FlockRecord(phone, UtcToday().ToString(), head));
    auto r = client->Post("/api/v1/vaccinations/batch", {{"records", records}}, env_.Login("vacc"));
    ASSERT_EQ(r.status, 200) << r.body;
    const json body = r.json();  // kept: a range-for over r.json().at(...) reads a freed temporary
    ASSERT_EQ(body.at("results").size(), phones.size()) << r.body;
    for (const auto& item : body.at("results")) ASSERT_EQ(item.at("status"), "created") << r.body;
  }

  // The admin's list of messages, newest first.
  json Messages() {
    auto r = env_.Client()->Get("/api/v1/sms/messages?limit=1000", env_.Login("admin"));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json().at("items") : json::array();
  }

  // Waits until every message of the admin's list satisfies `done`; false after `timeout`.
  template <typename Done>
  bool EventuallyAllMessages(size_t count, Done done, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      json items = Messages();
      bool all = items.size() == count;
      for (const auto& m : items) all = all && done(m);
      if (all) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling a condition
    }
    return false;
  }

  HerdpassEnv env_;
};

TEST_F(SmsApiTest, AVaccinationsReceiptReachesTheOwnersPhoneAndItsDeliveryIsRecorded) {
  KannelGateway kannel;
  env_.StartServer(GatewayArgs(kannel));
  RecordFlocks({"+77012223344"}, 12);

  auto got = kannel.WaitForMessages(1, seconds(60));
  ASSERT_EQ(got.size(), 1u) << env_.ServerLog() << kannel.Logs();
  EXPECT_EQ(got[0].receiver, "+77012223344");
  EXPECT_EQ(got[0].coding, "text");  // GSM-7: the text is plain Latin
  EXPECT_EQ(got[0].text, "HerdPass " + UtcToday().ToString() +
                             ": vaccinated FMD-O 12 head, FMD-O-INACT lot LOT-2025-01. By vacc, " +
                             env_.authority() + ".");

  // smsbox's delivery report (the fake SMSC reports each message delivered) reaches the dlr URL.
  ASSERT_TRUE(EventuallyAllMessages(
      1, [](const json& m) { return m.at("status") == "delivered"; }, seconds(60)))
      << Messages().dump() << env_.ServerLog();
  json m = Messages().at(0);
  EXPECT_EQ(m.at("phone"), "+77012223344");
  EXPECT_EQ(m.at("kind"), "receipt");
  EXPECT_EQ(m.at("coding"), "gsm7");
  EXPECT_EQ(m.at("segments"), 1);
  EXPECT_EQ(m.at("attempts"), 1);
  EXPECT_EQ(m.at("dlr"), 1);
  EXPECT_EQ(kannel.Received().size(), 1u);
  // The list says a gateway takes the messages, and none waits.
  auto r = env_.Client()->Get("/api/v1/sms/messages", env_.Login("admin"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("gateway"), true);
  EXPECT_EQ(r.json().at("queued"), 0);
}

TEST_F(SmsApiTest, ADeliveryReportWithAnotherMessagesTokenIsRefusedAndChangesNothing) {
  env_.StartServer();  // no gateway: the message stays queued
  RecordFlocks({"+77012223344", "+77012223355"});
  json items = Messages();
  ASSERT_EQ(items.size(), 2u);
  const int64_t id = items[0].at("id");
  const int64_t other = items[1].at("id");
  auto client = env_.Client();
  // The server has no secret: no token is anyone's.
  auto r = client->Get("/api/v1/sms/dlr?id=" + std::to_string(id) + "&status=1&token=x");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(r.json().at("field"), "token");
  EXPECT_EQ(client->Get("/api/v1/sms/dlr?id=abc&status=1&token=x").json().at("field"), "id");
  EXPECT_EQ(client->Get("/api/v1/sms/dlr?id=1&status=x&token=x").json().at("field"), "status");
  for (const auto& m : Messages()) {
    EXPECT_EQ(m.at("status"), "queued");
    EXPECT_EQ(m.at("dlr"), 0);
  }
  (void)other;
}

TEST_F(SmsApiTest, WithNoGatewayMessagesStayQueuedAndServeSaysSo) {
  env_.StartServer();
  RecordFlocks({"+77012223344"});
  env_.StopServer();
  env_.StartServer();
  EXPECT_NE(env_.ServerLog().find("sms: no gateway configured (serve --sms-gateway): messages to "
                                  "owners stay queued (1 queued now)"),
            std::string::npos)
      << env_.ServerLog();
  json items = Messages();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("status"), "queued");
  EXPECT_EQ(items[0].at("attempts"), 0);
  // The admin's screen is told too: no gateway, and how many wait.
  auto r = env_.Client()->Get("/api/v1/sms/messages", env_.Login("admin"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("gateway"), false);
  EXPECT_EQ(r.json().at("queued"), 1);
}

// The admin's filter by status: only that status's messages, while the count of queued ones stays
// the jurisdiction's; a status that is none is refused naming the field.
TEST_F(SmsApiTest, TheListFiltersByStatusAndRefusesAStatusThatIsNone) {
  env_.StartServer();  // no gateway: the messages stay queued
  RecordFlocks({"+77012223344", "+77012223355"});
  auto client = env_.Client();
  const std::string token = env_.Login("admin");
  auto queued = client->Get("/api/v1/sms/messages?status=queued", token);
  ASSERT_EQ(queued.status, 200) << queued.body;
  EXPECT_EQ(queued.json().at("items").size(), 2u);
  auto sent = client->Get("/api/v1/sms/messages?status=sent", token);
  ASSERT_EQ(sent.status, 200) << sent.body;
  EXPECT_TRUE(sent.json().at("items").empty()) << sent.body;
  EXPECT_FALSE(sent.json().contains("next_before"));
  EXPECT_EQ(sent.json().at("queued"), 2);
  EXPECT_EQ(sent.json().at("gateway"), false);
  auto bad = client->Get("/api/v1/sms/messages?status=lost", token);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(bad.json().at("field"), "status");
}

// docs/sms.md: a crash between the hand-over and its marking sends that message once more. Over
// three kill -9 of serve while it sends, every receipt reaches its owner, and at most one message
// per crash twice.
TEST_F(SmsApiTest, TheOutboxLosesNothingOverKill9WhileSending) {
  constexpr int kOwners = 60;
  constexpr int kCrashes = 3;
  KannelGateway kannel;
  std::vector<std::string> phones;
  for (int i = 0; i < kOwners; ++i) phones.push_back("+7701" + std::to_string(5000000 + i));
  env_.StartServer();  // no gateway yet: the receipts wait in the outbox
  RecordFlocks(phones);
  env_.StopServer();

  auto distinct = [&] {
    std::set<std::string> receivers;
    for (const auto& m : kannel.Received()) receivers.insert(m.receiver);
    return receivers.size();
  };
  std::string reached_at_kills;
  for (int crash = 1; crash <= kCrashes; ++crash) {
    env_.StartServer(GatewayArgs(kannel));
    // Killed once a further share of the owners has been reached: in the middle of sending.
    const size_t reached = static_cast<size_t>(kOwners * crash / (kCrashes + 1));
    kannel.WaitForMessages(reached, seconds(60));
    env_.KillServer();
    reached_at_kills += std::to_string(kannel.Received().size()) + " ";
  }
  RecordProperty("reached_at_kills", reached_at_kills);
  env_.StartServer(GatewayArgs(kannel));
  ASSERT_TRUE(EventuallyAllMessages(
      kOwners, [](const json& m) { return m.at("status") != "queued"; }, seconds(120)))
      << Messages().dump();
  // Everything handed over has reached the SMSC (bearerbox's queue is empty, its count is ours).
  ASSERT_TRUE(kannel.WaitUntilDelivered(seconds(60))) << kannel.Logs();
  EXPECT_EQ(distinct(), static_cast<size_t>(kOwners));
  const auto all = kannel.Received();
  EXPECT_LE(all.size(), static_cast<size_t>(kOwners + kCrashes));
  std::map<std::string, int> per_owner;
  for (const auto& m : all) ++per_owner[m.receiver];
  for (const auto& [phone, n] : per_owner) EXPECT_LE(n, 2) << phone;
  RecordProperty("duplicates", std::to_string(all.size() - kOwners));
}

}  // namespace
}  // namespace herdpass::testing
