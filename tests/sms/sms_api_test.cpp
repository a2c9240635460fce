// SMS to owners through a real Kannel (DESIGN.md W15, issue 15): the real `herdpass serve` hands
// its outbox to smsbox's sendsms, and the test SMSC on Kannel's fake SMSC port is the owner's
// phone.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <string>

#include "http/request.h"
#include "service/sms_callback.h"
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

// smsbox's sms-service post-url for a server on `port` (docs/sms.md).
std::string InboundPath(const std::string& token = SmsInboundToken(kSecret)) {
  return "/api/v1/sms/inbound?token=" + token + "&from=%p&to=%P&id=%I&time=%T";
}

class SmsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.Init();
    env_.AddUser({"vacc", "vaccinator"});
    env_.AddUser({"vet", "vet", "", ""});
  }

  // A Kannel whose sms-service posts owners' messages to the server the next StartServer starts.
  std::unique_ptr<KannelGateway> KannelPostingToServer() {
    KannelOptions options;
    options.inbound_url = "http://127.0.0.1:" + std::to_string(env_.ReservePort()) + InboundPath();
    return std::make_unique<KannelGateway>(options);
  }

  // An owner's message as smsbox would post it, straight from the test (loopback).
  HttpResponse PostInbound(const std::string& from, const std::string& text,
                           const std::string& id = "0e1f2a3b-0000-4000-8000-000000000001",
                           const std::string& token = SmsInboundToken(kSecret)) {
    return env_.Client()->PostRaw("/api/v1/sms/inbound?token=" + token +
                                      "&from=" + http::PercentEncode(from) + "&to=1440&id=" + id +
                                      "&time=1796630400",
                                  text, "text/plain; charset=UTF-8");
  }

  // The messages of the admin's list sent to `phone`, oldest first.
  std::vector<json> MessagesTo(const std::string& phone) {
    std::vector<json> out;
    for (const auto& m : Messages()) {
      if (m.at("phone") == phone) out.insert(out.begin(), m);
    }
    return out;
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
  EXPECT_EQ(got[0].coding, "ucs-2");  // in Kazakh, the region's language: UCS-2
  EXPECT_EQ(got[0].text, "HerdPass " + UtcToday().ToString() +
                             ": вакцина егілді FMD-O 12 бас, FMD-O-INACT сериясы LOT-2025-01. "
                             "Вакцинатор vacc, " +
                             env_.authority() + ".");

  // smsbox's delivery report (the fake SMSC reports each message delivered) reaches the dlr URL.
  ASSERT_TRUE(EventuallyAllMessages(
      1, [](const json& m) { return m.at("status") == "delivered"; }, seconds(60)))
      << Messages().dump() << env_.ServerLog();
  json m = Messages().at(0);
  EXPECT_EQ(m.at("phone"), "+77012223344");
  EXPECT_EQ(m.at("kind"), "receipt");
  EXPECT_EQ(m.at("coding"), "ucs2");
  EXPECT_EQ(m.at("segments"), 2);
  EXPECT_EQ(m.at("attempts"), 1);
  EXPECT_EQ(m.at("dlr"), 1);
  EXPECT_EQ(kannel.Received().size(), 1u);
  // The list says a gateway takes the messages, and none waits.
  auto r = env_.Client()->Get("/api/v1/sms/messages", env_.Login("admin"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("gateway"), true);
  EXPECT_EQ(r.json().at("queued"), 0);
}

// W15's reminder (issue 15 item 3), queued by hand with `herdpass sms remind` and sent through a
// real Kannel: at the test SMSC in the owner's language (Kazakh, the region's).
TEST_F(SmsApiTest, AReminderQueuedByTheCliReachesTheOwnersPhoneInTheirLanguage) {
  env_.StartServer();  // no gateway yet: nothing leaves
  {
    // A flock whose FMD-O coverage (180 days) lapses in 5 days, and one covered for long.
    json records = {FlockRecord("+77012223344", DaysFromToday(-175), 12),
                    FlockRecord("+77012223355", DaysFromToday(-10), 7)};
    auto r = env_.Client()->Post("/api/v1/vaccinations/batch", {{"records", records}},
                                 env_.Login("vacc"));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  env_.StopServer();
  CommandResult run = env_.Run({"sms", "remind"});
  ASSERT_TRUE(run.ok()) << run.err;
  EXPECT_EQ(run.out, "reminders queued: 1 (coverage lapsing within 14 days)\n");
  // Run again: the owner was reminded this week.
  run = env_.Run({"sms", "remind", "--days", "30"});
  ASSERT_TRUE(run.ok()) << run.err;
  EXPECT_EQ(run.out, "reminders queued: 0 (coverage lapsing within 30 days)\n");

  KannelGateway kannel;
  env_.StartServer(GatewayArgs(kannel));
  // The receipt of the dose of 10 days ago goes too.
  std::vector<SmscMessage> reminders;
  for (const auto& m : kannel.WaitForMessages(2, seconds(60))) {
    if (m.receiver == "+77012223344") reminders.push_back(m);
  }
  ASSERT_EQ(reminders.size(), 1u) << env_.ServerLog() << kannel.Logs();
  EXPECT_EQ(reminders[0].receiver, "+77012223344");
  EXPECT_EQ(reminders[0].coding, "ucs-2");
  EXPECT_EQ(reminders[0].text, "HerdPass, еске салу: FMD-O 12 бас, қорғаныс " + DaysFromToday(5) +
                                   " аяқталады. Малды екпеге әкеліңіз.");
  ASSERT_TRUE(EventuallyAllMessages(
      2, [](const json& m) { return m.at("status") == "delivered"; }, seconds(60)))
      << Messages().dump() << env_.ServerLog();
  EXPECT_EQ(Messages().at(0).at("kind"), "reminder");  // newest first
  EXPECT_EQ(Messages().at(1).at("kind"), "receipt");
}

// Bad input to `herdpass sms remind`: a message naming the option, exit code 2, nothing queued.
TEST_F(SmsApiTest, SmsRemindRefusesBadDaysWithAMessageAndQueuesNothing) {
  env_.StartServer();
  {
    json records = {FlockRecord("+77012223344", DaysFromToday(-175), 12)};
    auto r = env_.Client()->Post("/api/v1/vaccinations/batch", {{"records", records}},
                                 env_.Login("vacc"));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  env_.StopServer();
  for (const char* days : {"0", "91"}) {
    CommandResult r = env_.Run({"sms", "remind", "--days", days});
    EXPECT_TRUE(r.status.exited && r.status.code == 2) << days << " " << r.err;
    EXPECT_EQ(r.err, "herdpass: days: days must be from 1 to 90\n") << days;
    EXPECT_EQ(r.out, "") << days;
  }
  CommandResult word = env_.Run({"sms", "remind", "--days", "soon"});
  EXPECT_TRUE(word.status.exited && word.status.code == 2) << word.err;
  EXPECT_NE(word.err.find("--days"), std::string::npos) << word.err;
  env_.StartServer();
  EXPECT_TRUE(Messages().empty()) << Messages().dump();
}

// Bad input to serve's reminder options: a message naming the option, exit code 2, before
// anything is served.
TEST_F(SmsApiTest, ServeRefusesABadReminderTimeOrDays) {
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--sms-reminders-at", "25:00"},
       "herdpass: sms-reminders-at: a time of day is 00:00 to 23:59\n"},
      {{"--sms-reminders-at", "2am"},
       "herdpass: sms-reminders-at: a time of day is HH:MM, e.g. 02:00\n"},
      {{"--sms-reminder-days", "0"},
       "herdpass: sms-reminder-days: --sms-reminder-days must be from 1 to 90\n"},
  };
  for (const auto& [args, message] : cases) {
    std::vector<std::string> command = {"serve", "--listen", "127.0.0.1:0"};
    command.insert(command.end(), args.begin(), args.end());
    CommandResult r = env_.Run(command);
    EXPECT_TRUE(r.status.exited && r.status.code == 2) << args[0] << " " << r.err;
    EXPECT_EQ(r.err, message) << args[0];
  }
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

// --sms-print-codes is a demo's stand-in for a gateway: with one it is a usage error and nothing
// is served.
TEST_F(SmsApiTest, PrintingCodesWithAGatewayIsAUsageError) {
  CommandResult r = env_.Run({"serve", "--listen", "127.0.0.1:0", "--sms-print-codes",
                              "--sms-gateway", "http://127.0.0.1:9/cgi-bin/sendsms"});
  EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.status.code << r.out << r.err;
  EXPECT_NE(r.err.find("herdpass: sms-print-codes: "), std::string::npos) << r.err;
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

// docs/sms.md: a crash sends each message handed over and not yet marked once more (at most the
// window's worth). Over three kill -9 of serve while it sends (a window of 4 in flight), every
// receipt reaches its owner, at most a window's worth of messages per crash come again, and no
// owner gets theirs more than once per crash more. A message can be in flight at two crashes (the
// restarted serve hands it over again first, and may be killed before its mark is committed), so
// the bound per owner is 1 + crashes, not 2; each kill waits for a further share of the owners
// (different receivers, not messages, which the messages sent again would also count).
TEST_F(SmsApiTest, TheOutboxLosesNothingOverKill9WhileSending) {
  constexpr int kOwners = 60;
  constexpr int kCrashes = 3;
  constexpr int kWindow = 4;
  auto args = [&](const KannelGateway& kannel) {
    auto a = GatewayArgs(kannel);
    a.insert(a.end(), {"--sms-window", std::to_string(kWindow)});
    return a;
  };
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
    env_.StartServer(args(kannel));
    // Killed once a further share of the owners has been reached: in the middle of sending.
    const size_t reached = static_cast<size_t>(kOwners * crash / (kCrashes + 1));
    kannel.WaitForReceivers(reached, seconds(60));
    env_.KillServer();
    reached_at_kills += std::to_string(kannel.Received().size()) + " ";
  }
  RecordProperty("reached_at_kills", reached_at_kills);
  env_.StartServer(args(kannel));
  ASSERT_TRUE(EventuallyAllMessages(
      kOwners, [](const json& m) { return m.at("status") != "queued"; }, seconds(120)))
      << Messages().dump() << env_.ServerLog() << kannel.Logs();
  // Everything handed over has reached the SMSC (bearerbox's queue is empty, its count is ours).
  ASSERT_TRUE(kannel.WaitUntilDelivered(seconds(60))) << kannel.Logs();
  EXPECT_EQ(distinct(), static_cast<size_t>(kOwners));
  const auto all = kannel.Received();
  EXPECT_LE(all.size(), static_cast<size_t>(kOwners + kCrashes * kWindow));
  std::map<std::string, int> per_owner;
  for (const auto& m : all) ++per_owner[m.receiver];
  int most = 0;
  for (const auto& [phone, n] : per_owner) {
    EXPECT_LE(n, 1 + kCrashes) << phone;
    most = std::max(most, n);
  }
  RecordProperty("most_to_one_owner", std::to_string(most));
  RecordProperty("smsbox_restarts", std::to_string(kannel.smsbox_restarts()));
  RecordProperty("duplicates", std::to_string(all.size() - kOwners));
}

// Issue 15: an owner's STATUS sent to the gateway's number reaches serve through smsbox's
// sms-service, and the per-disease state of their animals comes back at the owner's phone, in
// their region's language (Kazakh: the test deployment is in KZ).
TEST_F(SmsApiTest, AnOwnersStatusIsAnsweredAtTheirPhone) {
  auto kannel = KannelPostingToServer();
  env_.StartServer(GatewayArgs(*kannel));
  const std::string phone = "+77012223344";
  RecordFlocks({phone}, 12);
  ASSERT_EQ(kannel->WaitForMessages(1, seconds(60)).size(), 1u) << env_.ServerLog();
  EXPECT_EQ(
      kannel->Received()[0].text,
      "HerdPass " + UtcToday().ToString() +
          ": вакцина егілді FMD-O 12 бас, FMD-O-INACT сериясы LOT-2025-01. Вакцинатор vacc, " +
          env_.authority() + ".");
  EXPECT_EQ(kannel->Received()[0].coding, "ucs-2");  // Cyrillic: UCS-2

  kannel->Inject(phone, "1440", "  status ");
  auto got = kannel->WaitForMessages(2, seconds(60));
  ASSERT_EQ(got.size(), 2u) << env_.ServerLog() << kannel->Logs();
  EXPECT_EQ(got[1].receiver, phone);
  // The W2 lookup's coverage of the same owner, by the same rule.
  auto lookup =
      env_.Client()->Get("/api/v1/lookup?phone=" + http::PercentEncode(phone), env_.Login("vet"));
  ASSERT_EQ(lookup.status, 200) << lookup.body;
  const json coverage = lookup.json().at("coverage");
  ASSERT_FALSE(coverage.empty()) << lookup.body;
  std::string covered_until;
  for (const auto& c : coverage) {
    if (c.at("disease") == "FMD-O") covered_until = c.at("covered_until");
  }
  ASSERT_FALSE(covered_until.empty()) << lookup.body;
  const std::string& reply = got[1].text;
  EXPECT_EQ(reply.rfind("HerdPass: ", 0), 0u) << reply;
  EXPECT_NE(reply.find("FMD-O " + covered_until + " дейін қорғалған"), std::string::npos) << reply;
  size_t separators = 0;
  for (size_t at = 0; (at = reply.find("; ", at)) != std::string::npos; ++at) ++separators;
  EXPECT_EQ(separators + 1, coverage.size()) << reply;
  auto to_owner = MessagesTo(phone);
  ASSERT_EQ(to_owner.size(), 2u);
  EXPECT_EQ(to_owner[0].at("kind"), "receipt");
  EXPECT_EQ(to_owner[1].at("kind"), "reply");
  EXPECT_EQ(to_owner[1].at("status"), "delivered");
}

// Issue 15: a phone sends Cyrillic as UCS-2, which smsbox posts on as UTF-16BE. An owner's
// СТАТУС is answered with the state of their animals (in Kazakh, their region's); ТІЛ RU turns
// their messages to Russian, answered in Russian; their next статус is answered in Russian.
TEST_F(SmsApiTest, AnOwnersCyrillicStatusAndLanguageAreAnsweredThroughKannel) {
  auto kannel = KannelPostingToServer();
  env_.StartServer(GatewayArgs(*kannel));
  const std::string phone = "+77012225566";
  RecordFlocks({phone}, 12);
  ASSERT_EQ(kannel->WaitForMessages(1, seconds(60)).size(), 1u) << env_.ServerLog();

  kannel->InjectUcs2(phone, "1440", "СТАТУС");
  auto got = kannel->WaitForMessages(2, seconds(60));
  ASSERT_EQ(got.size(), 2u) << env_.ServerLog() << kannel->Logs();
  EXPECT_EQ(got[1].receiver, phone);
  EXPECT_EQ(got[1].text.rfind("HerdPass: ", 0), 0u) << got[1].text;
  EXPECT_NE(got[1].text.find("FMD-O "), std::string::npos) << got[1].text;
  EXPECT_NE(got[1].text.find(" дейін қорғалған"), std::string::npos) << got[1].text;

  kannel->InjectUcs2(phone, "1440", "ТІЛ RU");
  got = kannel->WaitForMessages(3, seconds(60));
  ASSERT_EQ(got.size(), 3u) << env_.ServerLog() << kannel->Logs();
  EXPECT_EQ(got[2].receiver, phone);
  EXPECT_EQ(got[2].text, "HerdPass: сообщения будут приходить на русском языке.");

  kannel->InjectUcs2(phone, "1440", "статус");
  got = kannel->WaitForMessages(4, seconds(60));
  ASSERT_EQ(got.size(), 4u) << env_.ServerLog() << kannel->Logs();
  EXPECT_NE(got[3].text.find(" защищены до "), std::string::npos) << got[3].text;
  auto to_owner = MessagesTo(phone);
  ASSERT_EQ(to_owner.size(), 4u);
  for (size_t i = 1; i < to_owner.size(); ++i) EXPECT_EQ(to_owner[i].at("kind"), "reply");
}

// STOP through the gateway: the owner is answered, and a vaccination recorded afterwards queues
// no receipt for them (the other owner of the same batch gets theirs); START turns it back on.
TEST_F(SmsApiTest, AnOwnersStopIsHonouredUntilStart) {
  auto kannel = KannelPostingToServer();
  env_.StartServer(GatewayArgs(*kannel));
  const std::string stopped = "+77012220001";
  const std::string other = "+77012220002";
  auto made = env_.Client()->Post(
      "/api/v1/owners", {{"phone", stopped}, {"name", "Stopping Owner"}}, env_.Login("vacc"));
  ASSERT_EQ(made.status, 201) << made.body;

  kannel->Inject(stopped, "1440", "STOP");
  auto got = kannel->WaitForMessages(1, seconds(60));
  ASSERT_EQ(got.size(), 1u) << env_.ServerLog() << kannel->Logs();
  EXPECT_EQ(got[0].receiver, stopped);
  EXPECT_EQ(got[0].text,
            "HerdPass: хабарламалар тоқтатылды. Сертификаттар келе береді. Қайта қосу үшін БАСТА "
            "деп жіберіңіз.");

  RecordFlocks({stopped, other});
  got = kannel->WaitForMessages(2, seconds(60));
  ASSERT_EQ(got.size(), 2u) << env_.ServerLog();
  EXPECT_EQ(got[1].receiver, other);  // the other owner's receipt
  // The batch queued its receipts in its own transaction: none for the owner who sent STOP.
  auto to_stopped = MessagesTo(stopped);
  ASSERT_EQ(to_stopped.size(), 1u);
  EXPECT_EQ(to_stopped[0].at("kind"), "reply");

  kannel->Inject(stopped, "1440", "Start");
  got = kannel->WaitForMessages(3, seconds(60));
  ASSERT_EQ(got.size(), 3u) << env_.ServerLog();
  EXPECT_EQ(got[2].receiver, stopped);
  EXPECT_EQ(got[2].text,
            "HerdPass: хабарламалар қосылды. ЖАҒДАЙ - малыңыздың екпелері, ТОҚТАТ - тоқтату.");
}

// The inbound route's refusals (no Kannel needed: the test posts as smsbox would): a bad token,
// a replay, a 10 KB body, a sender that is no phone number, an address not the gateway's; and a
// sender no owner has is taken and not answered. Each changes nothing.
TEST_F(SmsApiTest, ForgedReplayedOversizedOrStrangersMessagesChangeNothing) {
  env_.StartServer({"--sms-secret", kSecret});
  const std::string phone = "+77012223344";
  RecordFlocks({phone});
  ASSERT_EQ(Messages().size(), 1u);  // the receipt

  auto forged = PostInbound(phone, "STOP", "id-1", SmsInboundToken("another secret"));
  EXPECT_EQ(forged.status, 403) << forged.body;
  EXPECT_EQ(forged.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(forged.json().at("field"), "token");

  auto big = PostInbound(phone, std::string(10 * 1024, 'a'), "id-2");
  EXPECT_EQ(big.status, 413) << big.body;
  EXPECT_EQ(big.json().at("field"), "body");

  auto no_phone = PostInbound("not a number", "STOP", "id-3");
  EXPECT_EQ(no_phone.status, 400) << no_phone.body;
  EXPECT_EQ(no_phone.json().at("field"), "from");

  auto stranger = PostInbound("+77019998877", "STATUS", "id-4");
  EXPECT_EQ(stranger.status, 200) << stranger.body;
  EXPECT_EQ(stranger.json().at("owner_known"), false);
  ASSERT_EQ(Messages().size(), 1u);  // no answer to a number no owner has

  auto first = PostInbound(phone, "STATUS", "id-5");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json().at("keyword"), "status");
  ASSERT_EQ(Messages().size(), 2u);  // the reply
  auto replay = PostInbound(phone, "STATUS", "id-5");
  EXPECT_EQ(replay.status, 409) << replay.body;
  EXPECT_EQ(replay.json().at("field"), "message");
  EXPECT_EQ(Messages().size(), 2u);
  // The same text as a new message (another id from Kannel) is answered again.
  EXPECT_EQ(PostInbound(phone, "STATUS", "id-6").status, 200);
  EXPECT_EQ(Messages().size(), 3u);

  // Only from the gateway's addresses: a server that takes them from elsewhere refuses loopback.
  env_.StopServer();
  env_.StartServer({"--sms-secret", kSecret, "--sms-inbound-from", "10.1.0.0/16"});
  auto elsewhere = PostInbound(phone, "STOP", "id-7");
  EXPECT_EQ(elsewhere.status, 403) << elsewhere.body;
  EXPECT_EQ(elsewhere.json().at("field"), "address");
  EXPECT_EQ(Messages().size(), 3u);
}

}  // namespace
}  // namespace herdpass::testing
