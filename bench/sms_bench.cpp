// SMS handed to Kannel per second by HerdPass's sender (service/sms_sender.h) against Kannel's own
// sendsms throughput from a plain HTTP client, in the same run on the same Kannel
// (BENCH_ONLY=sms, issue 15 "Measured").
//
//   sms_bench --herdpass BIN --data DIR [--messages 5000] [--connections 4]
//
// DIR is a data directory made by `herdpass init`. The bench
//  1. starts a real bearerbox and smsbox on loopback with Kannel's fake SMSC and a test SMSC that
//     takes everything (tests/support/kannel.h, the fixture of the SMS tests: the same
//     kannel.conf);
//  2. records one flock vaccination for each of N owners through the Store, so that N receipts are
//     queued as W1 queues them (store/sms_core.h), in the owners' default language;
//  3. reference: a plain HTTP client sends the same N texts to the same phones to sendsms, with the
//     same parameters as the sender (http/kannel_gateway.cpp) and keep-alive connections, one
//     request in flight per connection; timed from the first request to the last 202; run before
//     and again after step 4, the rate counted over both (the machine may be busier in one half);
//     also, for information, on one connection, and on a new connection per message;
//  4. starts `herdpass serve --sms-gateway` on DIR (no delivery-report URL, as the reference has
//     none; rate limits lifted; --utc-offset making it about noon, outside quiet hours) and reads
//     the outbox (SQLite, read-only, beside the server) until no message is queued; the rate is
//     counted over the messages' own sent_at marks, first to last, without the messages of the
//     first mark (a pass marks its window at once: they went before it), so the server's start is
//     not in it;
//  5. waits until Kannel has passed every message to the SMSC, and checks the SMSC got 2N.
// Prints one "HP_RESULT key=value ..." line.
#include <sqlite3.h>

// clang-format off: before Boost.Asio, whose awaitable.hpp uses std::exchange unincluded.
#include <utility>
// clang-format on

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "bench/workload.h"
#include "domain/sms.h"
#include "domain/time.h"
#include "http/request.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "tests/support/kannel.h"
#include "tests/support/process.h"

namespace herdpass::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using Clock = std::chrono::steady_clock;

struct Args {
  std::string herdpass;
  std::string data_dir;
  int messages = 5000;
  int connections = 4;
};

struct Text {
  std::string phone;
  std::string body;
};

// The owners' receipts, queued through the Store as a W1 batch queues them.
bool QueueReceipts(const Args& args, std::vector<Text>* texts) {
  SqliteOptions options;
  options.path = args.data_dir + "/herdpass.db";
  auto store = OpenSqliteStore(options);
  if (!store.ok()) {
    std::cerr << "sms_bench: cannot open " << options.path << ": " << store.status().message()
              << "\n";
    return false;
  }
  SystemClock clock;
  const auto base_ms = static_cast<uint64_t>(clock.Now().time_since_epoch().count());
  BatchContext ctx;
  ctx.authority = "KZ-ABY";
  ctx.scope = "KZ-ABY";
  std::vector<VaccinationInput> batch;
  for (int i = 0; i < args.messages; ++i) {
    VaccinationInput r;
    r.id = Uuid7(base_ms, static_cast<uint64_t>(i));
    r.owner_phone = OwnerPhone(kW1OwnerBase + i);
    r.owner_name = OwnerName(kW1OwnerBase + i);
    r.species = "sheep";
    r.head_count = 20 + i % 300;
    r.disease = "FMD-O";
    r.vaccine = "FMD-O-INACT";
    r.batch_no = "LOT-2026-" + std::to_string(i % 97);
    r.administered_on = clock.Today();
    batch.push_back(std::move(r));
    if (batch.size() == 500 || i + 1 == args.messages) {
      ctx.at = clock.Now();
      AuditEntry audit;
      audit.at = ctx.at;
      audit.username = "bench-sms";
      audit.action = "vaccination.batch";
      audit.target = "records:" + std::to_string(batch.size());
      audit.detail = "{}";
      audit.authority = ctx.authority;
      auto results = (*store)->RecordVaccinations(batch, ctx, audit);
      if (!results.ok()) {
        std::cerr << "sms_bench: batch failed: " << results.status().message() << "\n";
        return false;
      }
      batch.clear();
    }
  }
  auto due = (*store)->ListDueSms(kLastStoredInstant, args.messages + 1);
  if (!due.ok() || static_cast<int>(due->size()) != args.messages) {
    std::cerr << "sms_bench: expected " << args.messages << " queued receipts, found "
              << (due.ok() ? due->size() : 0) << "\n";
    return false;
  }
  for (const SmsMessage& m : *due) texts->push_back({m.phone, m.body});
  return true;
}

// sendsms's target for `t`, with the parameters KannelGateway::Send gives (no dlr-url).
std::string SendsmsTarget(const testing::KannelGateway& kannel, const Text& t) {
  const SmsEncoding enc = EncodeForSms(t.body);
  return "/cgi-bin/sendsms?username=" + http::PercentEncode(kannel.options().sendsms_user) +
         "&password=" + http::PercentEncode(kannel.options().sendsms_password) +
         "&to=" + http::PercentEncode(t.phone) + "&text=" + http::PercentEncode(t.body) +
         "&charset=UTF-8&coding=" + (enc.coding == SmsCoding::kGsm7 ? "0" : "2");
}

// The plain client: `connections` keep-alive connections, each sending its share of the texts one
// request at a time (`fresh`: a new connection for each request, as the sender opens one).
// Returns the seconds from the first request to the last answer, or -1.
double SendPlain(const testing::KannelGateway& kannel, const std::vector<Text>& texts,
                 int connections, bool fresh = false) {
  std::atomic<size_t> next{0};
  std::atomic<int> refused{0};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&] {
      asio::io_context io;
      beast::tcp_stream stream(io);
      stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                             static_cast<uint16_t>(kannel.sendsms_port())));
      beast::flat_buffer buffer;
      for (size_t i = next++; i < texts.size(); i = next++) {
        bhttp::request<bhttp::empty_body> req{bhttp::verb::get, SendsmsTarget(kannel, texts[i]),
                                              11};
        req.set(bhttp::field::host, "127.0.0.1");
        req.keep_alive(true);
        bhttp::write(stream, req);
        bhttp::response<bhttp::string_body> res;
        bhttp::read(stream, buffer, res);
        if (res.result_int() != 202 && res.result_int() != 200) ++refused;
        if (!res.keep_alive() || fresh) {
          beast::error_code ignored;
          stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
          stream.close();
          stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                                 static_cast<uint16_t>(kannel.sendsms_port())));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  if (refused > 0) {
    std::cerr << "sms_bench: smsbox refused " << refused << " of the plain client's messages\n";
    return -1;
  }
  return secs;
}

struct OutboxState {
  int64_t queued = 0;
  int64_t sent = 0;
  int64_t first_ms = 0;
  int64_t last_ms = 0;
  int64_t at_first = 0;  // messages marked with the first mark (the sender's first pass)
};

// The outbox as the server has committed it, read beside the server (WAL: readers do not block
// the writer).
bool ReadOutbox(sqlite3* db, OutboxState* out) {
  sqlite3_stmt* st = nullptr;
  const char* sql =
      "SELECT sum(status = 'queued'), sum(status <> 'queued'), min(sent_at), max(sent_at), "
      "(SELECT count(*) FROM sms_outbox WHERE sent_at = (SELECT min(sent_at) FROM sms_outbox)) "
      "FROM sms_outbox";
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) return false;
  bool ok = sqlite3_step(st) == SQLITE_ROW;
  if (ok) {
    out->queued = sqlite3_column_int64(st, 0);
    out->sent = sqlite3_column_int64(st, 1);
    out->first_ms = sqlite3_column_int64(st, 2);
    out->last_ms = sqlite3_column_int64(st, 3);
    out->at_first = sqlite3_column_int64(st, 4);
  }
  sqlite3_finalize(st);
  return ok;
}

int Run(const Args& args) {
  testing::KannelGateway kannel;
  std::vector<Text> texts;
  if (!QueueReceipts(args, &texts)) return 1;
  size_t ucs2 = 0, segments = 0;
  for (const Text& t : texts) {
    const SmsEncoding enc = EncodeForSms(t.body);
    ucs2 += enc.coding == SmsCoding::kUcs2 ? 1 : 0;
    segments += static_cast<size_t>(enc.segments);
  }
  std::cerr << "sms_bench: " << texts.size() << " receipts queued (" << ucs2 << " UCS-2, "
            << segments << " parts); Kannel on sendsms port " << kannel.sendsms_port() << "\n";

  // A short warm-up of smsbox and bearerbox, then the reference.
  const std::vector<Text> warmup(texts.begin(), texts.begin() + std::min<size_t>(50, texts.size()));
  if (SendPlain(kannel, warmup, args.connections) < 0) return 1;
  const double plain_secs = SendPlain(kannel, texts, args.connections);
  if (plain_secs < 0) return 1;
  const double plain_one_secs = SendPlain(kannel, texts, 1);
  if (plain_one_secs < 0) return 1;
  const double plain_fresh_secs = SendPlain(kannel, texts, 1, true);
  if (plain_fresh_secs < 0) return 1;
  if (!kannel.WaitUntilDelivered(std::chrono::seconds(300))) {
    std::cerr << "sms_bench: Kannel did not pass the reference's messages on:\n" << kannel.Logs();
    return 1;
  }
  const size_t before = kannel.Received().size();

  testing::ProcessOptions serve;
  serve.path = args.herdpass;
  serve.args = {"serve",
                "--data",
                args.data_dir,
                "--listen",
                "127.0.0.1:0",
                "--sms-gateway",
                kannel.sendsms_url(),
                "--sms-user",
                kannel.options().sendsms_user,
                "--sms-password",
                kannel.options().sendsms_password,
                "--sms-per-minute",
                "100000000",
                "--sms-per-owner-per-day",
                "1000",
                "--utc-offset",
                testing::NoonUtcOffset()};
  serve.stdout_path = args.data_dir + "/serve.log";
  serve.stderr_path = args.data_dir + "/serve.log";
  const auto serve_start = Clock::now();
  testing::Process server(serve);
  sqlite3* db = nullptr;
  const std::string path = args.data_dir + "/herdpass.db";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::cerr << "sms_bench: cannot open " << path << " to watch the outbox\n";
    return 1;
  }
  sqlite3_busy_timeout(db, 1000);
  OutboxState state;
  const auto deadline = Clock::now() + std::chrono::minutes(10);
  while (true) {
    if (ReadOutbox(db, &state) && state.queued == 0 && state.sent == args.messages) break;
    if (Clock::now() > deadline || !server.Running()) {
      std::cerr << "sms_bench: the server did not send everything (" << state.sent << " of "
                << args.messages << ")\n";
      sqlite3_close(db);
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a condition
  }
  const double wall_secs = std::chrono::duration<double>(Clock::now() - serve_start).count();
  sqlite3_close(db);
  server.Kill(SIGTERM);
  (void)server.Wait(std::chrono::seconds(30));
  if (!kannel.WaitUntilDelivered(std::chrono::seconds(300))) {
    std::cerr << "sms_bench: Kannel did not pass HerdPass's messages on:\n" << kannel.Logs();
    return 1;
  }
  // The reference once more after HerdPass's run, so that a machine busier in one half of the run
  // than in the other weighs on both sides alike: the rate is that of both runs together.
  const double plain_after_secs = SendPlain(kannel, texts, args.connections);
  if (plain_after_secs < 0) return 1;
  if (!kannel.WaitUntilDelivered(std::chrono::seconds(300))) {
    std::cerr << "sms_bench: Kannel did not pass the reference's messages on:\n" << kannel.Logs();
    return 1;
  }
  const size_t got = kannel.Received().size() - before - texts.size();
  if (got != texts.size()) {
    std::cerr << "sms_bench: the SMSC got " << got << " of HerdPass's " << texts.size()
              << " messages\n";
    return 1;
  }
  const double span = static_cast<double>(state.last_ms - state.first_ms) / 1000.0;
  // The messages of the first mark went before it, outside the span: counted out (a pass marks a
  // window of them at once; one message when the sender marked one at a time).
  const double herdpass_rate =
      span > 0 ? static_cast<double>(args.messages - state.at_first) / span : 0;
  std::printf(
      "HP_RESULT messages=%d ucs2=%zu parts=%zu connections=%d plain_per_s=%.0f "
      "plain_one_per_s=%.0f plain_fresh_per_s=%.0f herdpass_per_s=%.0f herdpass_wall_s=%.2f "
      "smsc_received=%zu\n",
      args.messages, ucs2, segments, args.connections,
      2.0 * static_cast<double>(texts.size()) / (plain_secs + plain_after_secs),
      static_cast<double>(texts.size()) / plain_one_secs,
      static_cast<double>(texts.size()) / plain_fresh_secs, herdpass_rate, wall_secs, got);
  return 0;
}

}  // namespace
}  // namespace herdpass::bench

int main(int argc, char** argv) {
  herdpass::bench::Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const char* v = argv[i + 1];
    if (a == "--herdpass") {
      args.herdpass = v;
    } else if (a == "--data") {
      args.data_dir = v;
    } else if (a == "--messages") {
      args.messages = std::atoi(v);
    } else if (a == "--connections") {
      args.connections = std::atoi(v);
    } else {
      std::cerr << "sms_bench: unknown option " << a << "\n";
      return 2;
    }
  }
  if (args.herdpass.empty() || args.data_dir.empty() || args.messages < 2 || args.connections < 1) {
    std::cerr << "usage: sms_bench --herdpass BIN --data DIR [--messages N] [--connections N]\n";
    return 2;
  }
  try {
    return herdpass::bench::Run(args);
  } catch (const std::exception& e) {
    std::cerr << "sms_bench: " << e.what() << "\n";
    return 1;
  }
}
