// A real server on an ephemeral port, driven over TCP by the test client.
#include "http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "tests/support/http_client.h"

namespace herdpass::http {
namespace {

using herdpass::testing::HttpClient;
using herdpass::testing::HttpResponse;
using herdpass::testing::SendRawBytes;
using std::chrono::milliseconds;
using std::chrono::seconds;

// How long a test waits for something that should happen at once. Only a failing test waits that
// long: the deadline turns a hang into a clear failure, it bounds no performance.
constexpr auto kDeadline = seconds(60);

// True when a TCP connection to 127.0.0.1:`port` is accepted now (one attempt).
bool Accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// Polls `done` until it holds or kDeadline passes; false (and the test should fail) on timeout.
bool WaitUntil(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/hello", [](Request&) { return Json(200, {{"hello", "world"}}); });
    router_.Add("POST", "/echo", [](Request& req) {
      return Json(200, {{"body", req.body},
                        {"content_type", req.Header("content-type")},
                        {"token", req.BearerToken()}});
    });
    router_.Add("GET", "/animals/{tag}", [](Request& req) {
      return Json(200, {{"tag", req.Param("tag")},
                        {"phone", req.Query("phone")},
                        {"remote", req.remote_address},
                        {"target", req.target},
                        {"path", req.path}});
    });
    router_.Add("GET", "/throw", [](Request&) -> Response {
      throw std::runtime_error("SELECT secret FROM owners failed");
    });
    // A deferred response (Response::deferred): its send is parked for the test to call, from
    // the test's thread, when it likes.
    router_.Add("GET", "/deferred", [this](Request& req) {
      Response r;
      r.deferred = [this, n = req.Query("n")](Response::Send send) {
        std::lock_guard lock(gate_mu_);
        parked_.emplace_back(n, std::move(send));
        gate_cv_.notify_all();
      };
      return r;
    });
    router_.Add("GET", "/deferred-throw", [](Request&) {
      Response r;
      r.deferred = [](Response::Send) { throw std::runtime_error("SELECT secret failed"); };
      return r;
    });
    router_.Add("GET", "/status",
                [](Request&) { return ProblemFromStatus(Unauthenticated("token expired")); });
    // A handler that stays busy until the test opens the gate: the tests see requests in flight
    // by counting them (entered_), not by timing them. After kDeadline it gives up with 504, so a
    // test that never opens the gate fails instead of hanging.
    router_.Add("GET", "/held", [this](Request&) {
      std::unique_lock lock(gate_mu_);
      ++entered_;
      gate_cv_.notify_all();
      if (!gate_cv_.wait_for(lock, kDeadline, [&] { return gate_open_; })) {
        return Json(504, {{"held", "the test never opened the gate"}});
      }
      return Json(200, {{"held", true}});
    });
  }

  void TearDown() override {
    OpenGate();
    if (server_) server_->Stop();
  }

  void OpenGate() {
    std::lock_guard lock(gate_mu_);
    gate_open_ = true;
    gate_cv_.notify_all();
  }

  // True once `n` /held handlers run at the same time; false after kDeadline.
  bool WaitForHeld(int n) {
    std::unique_lock lock(gate_mu_);
    return gate_cv_.wait_for(lock, kDeadline, [&] { return entered_ >= n; });
  }

  int Held() {
    std::lock_guard lock(gate_mu_);
    return entered_;
  }

  int StartServer(ServerOptions options = {}) {
    options.listen = "127.0.0.1:0";
    options.metrics = &metrics_;
    server_ = std::make_unique<Server>(options, router_);
    auto port = server_->Start();
    EXPECT_TRUE(port.ok()) << port.status().ToString();
    return port.ok() ? *port : 0;
  }

  Router router_;
  MetricsRegistry metrics_;
  std::unique_ptr<Server> server_;
  std::mutex gate_mu_;
  std::condition_variable gate_cv_;
  int entered_ = 0;         // guarded by gate_mu_
  bool gate_open_ = false;  // guarded by gate_mu_
  // The sends of /deferred's responses, with their ?n=; guarded by gate_mu_.
  std::vector<std::pair<std::string, Response::Send>> parked_;
};

TEST_F(ServerTest, ServesJsonAndReusesTheConnection) {
  int port = StartServer();
  ASSERT_GT(port, 0);
  EXPECT_EQ(server_->port(), port);
  HttpClient client("127.0.0.1", port);
  for (int i = 0; i < 5; ++i) {
    HttpResponse r = client.Get("/hello");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.json()["hello"], "world");
    EXPECT_EQ(r.header("content-type"), "application/json");
    EXPECT_EQ(r.header("server"), "herdpass");
    EXPECT_FALSE(r.header("date").empty());
  }
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(ServerTest, PassesBodyHeadersTokenParamsAndQuery) {
  int port = StartServer();
  HttpClient client("127.0.0.1", port);
  HttpResponse echo = client.PostRaw("/echo", "raw body", "text/plain", "tok123");
  ASSERT_EQ(echo.status, 200);
  EXPECT_EQ(echo.json()["body"], "raw body");
  EXPECT_EQ(echo.json()["content_type"], "text/plain");
  EXPECT_EQ(echo.json()["token"], "tok123");

  HttpResponse json = client.Post("/echo", {{"a", 1}});
  EXPECT_EQ(json.json()["body"], R"({"a":1})");

  HttpResponse r = client.Get("/animals/CN%20001?phone=%2B7+701");
  ASSERT_EQ(r.status, 200);
  auto j = r.json();
  EXPECT_EQ(j["tag"], "CN 001");
  EXPECT_EQ(j["phone"], "+7 701");
  EXPECT_EQ(j["remote"], "127.0.0.1");
  EXPECT_EQ(j["target"], "/animals/CN%20001?phone=%2B7+701");
  EXPECT_EQ(j["path"], "/animals/CN%20001");
}

TEST_F(ServerTest, UnknownPathAndWrongMethodAreProblems) {
  int port = StartServer();
  HttpClient client("127.0.0.1", port);
  HttpResponse missing = client.Get("/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("content-type"), "application/problem+json");
  EXPECT_EQ(missing.json()["type"], "https://herdpass.org/problems/not-found");

  HttpResponse wrong = client.Post("/hello", nlohmann::json::object());
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.header("allow"), "GET");
  EXPECT_EQ(client.connections_opened(), 1);  // errors in handlers keep the connection
}

TEST_F(ServerTest, ProblemHeadersReachTheClient) {
  int port = StartServer();
  HttpClient client("127.0.0.1", port);
  HttpResponse r = client.Get("/status");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("www-authenticate"), "Bearer");
  EXPECT_EQ(r.json()["type"], "https://herdpass.org/problems/unauthenticated");
}

TEST_F(ServerTest, BodyOverLimitIs413AndCloses) {
  int port = StartServer();
  HttpClient client("127.0.0.1", port);
  HttpResponse r = client.PostRaw("/echo", std::string(2 << 20, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_EQ(r.json()["type"], "https://herdpass.org/problems/payload-too-large");
  EXPECT_EQ(r.header("connection"), "close");
  // The client reconnects for the next request.
  EXPECT_EQ(client.Get("/hello").status, 200);
  EXPECT_EQ(client.connections_opened(), 2);
}

TEST_F(ServerTest, BodyAtTheLimitIsAccepted) {
  ServerOptions options;
  options.body_limit = 1000;
  int port = StartServer(options);
  HttpClient client("127.0.0.1", port);
  EXPECT_EQ(client.PostRaw("/echo", std::string(1000, 'x')).status, 200);
  EXPECT_EQ(client.PostRaw("/echo", std::string(1001, 'x')).status, 413);
}

TEST_F(ServerTest, ExpectContinueOverLimitIs413WithoutSendingTheBody) {
  int port = StartServer();
  std::string reply = SendRawBytes("127.0.0.1", port,
                                   "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2097152\r\n"
                                   "Expect: 100-continue\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply;
}

TEST_F(ServerTest, ExpectContinueWithinLimitGets100ThenTheResponse) {
  int port = StartServer();
  std::string reply =
      SendRawBytes("127.0.0.1", port,
                   "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n"
                   "Connection: close\r\n\r\nhi");
  EXPECT_EQ(reply.rfind("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200", 0), 0u) << reply;
}

TEST_F(ServerTest, MalformedRequestIs400AndCloses) {
  int port = StartServer();
  std::string reply = SendRawBytes("127.0.0.1", port, "GARBAGE\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  EXPECT_NE(reply.find("application/problem+json"), std::string::npos);
  EXPECT_NE(reply.find("https://herdpass.org/problems/malformed-request"), std::string::npos);

  std::string bad_length = SendRawBytes(
      "127.0.0.1", port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
  EXPECT_EQ(bad_length.rfind("HTTP/1.1 400", 0), 0u) << bad_length;
}

TEST_F(ServerTest, HeaderOverLimitIs431) {
  ServerOptions options;
  options.header_limit = 4096;
  int port = StartServer(options);
  std::string reply = SendRawBytes(
      "127.0.0.1", port,
      "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'a') + "\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 431", 0), 0u) << reply.substr(0, 200);
}

TEST_F(ServerTest, HandlerExceptionIsGeneric500) {
  int port = StartServer();
  HttpClient client("127.0.0.1", port);
  HttpResponse r = client.Get("/throw");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.json()["type"], "https://herdpass.org/problems/internal");
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
  EXPECT_EQ(r.body.find("SELECT"), std::string::npos);
  EXPECT_EQ(client.Get("/hello").status, 200);  // the server and the connection survive
  EXPECT_EQ(client.connections_opened(), 1);
}

// A deferred response holds no handler thread while it waits: with ONE handler thread, three
// wait at once and another request is still answered; each is sent, to its own client, when its
// send is called from another thread. One that throws before sending is a generic 500.
TEST_F(ServerTest, DeferredResponsesHoldNoHandlerThread) {
  ServerOptions options;
  options.handler_threads = 1;
  int port = StartServer(options);
  std::vector<std::future<HttpResponse>> waiting;
  for (int i = 0; i < 3; ++i) {
    waiting.push_back(std::async(std::launch::async, [port, i] {
      HttpClient client("127.0.0.1", port);
      return client.Get("/deferred?n=" + std::to_string(i));
    }));
  }
  {
    std::unique_lock lock(gate_mu_);
    ASSERT_TRUE(gate_cv_.wait_for(lock, kDeadline, [&] { return parked_.size() == 3; }))
        << parked_.size() << " deferred responses parked";
  }
  HttpClient other("127.0.0.1", port);
  EXPECT_EQ(other.Get("/hello").status, 200);
  for (auto& f : waiting) EXPECT_EQ(f.wait_for(milliseconds(0)), std::future_status::timeout);
  std::vector<std::pair<std::string, Response::Send>> parked;
  {
    std::lock_guard lock(gate_mu_);
    parked.swap(parked_);
  }
  for (auto& [n, send] : parked) send(Json(201, {{"n", n}}));
  for (int i = 0; i < 3; ++i) {
    HttpResponse r = waiting[i].get();
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.json().at("n"), std::to_string(i));
  }
  HttpResponse thrown = other.Get("/deferred-throw");
  EXPECT_EQ(thrown.status, 500);
  EXPECT_EQ(thrown.body.find("SELECT"), std::string::npos);
  EXPECT_EQ(other.Get("/hello").status, 200);  // the connection survives
}

TEST_F(ServerTest, SlowHandlersOverlapUpToThePoolSize) {
  ServerOptions options;
  options.handler_threads = 8;
  int port = StartServer(options);
  constexpr int kRequests = 20;
  std::vector<std::future<int>> results;
  for (int i = 0; i < kRequests; ++i) {
    results.push_back(std::async(std::launch::async, [port] {
      HttpClient client("127.0.0.1", port);
      return client.Get("/held").status;
    }));
  }
  // Every handler thread holds a request at once: they overlap instead of running one by one.
  ASSERT_TRUE(WaitForHeld(options.handler_threads))
      << Held() << " of " << options.handler_threads << " handlers ran at once";
  // No more than the pool: the other requests wait for a free handler thread.
  EXPECT_EQ(Held(), options.handler_threads);
  OpenGate();
  for (auto& f : results) EXPECT_EQ(f.get(), 200);
  EXPECT_EQ(Held(), kRequests);
}

TEST_F(ServerTest, SlowHandlersDoNotBlockTheIoThreads) {
  ServerOptions options;
  options.io_threads = 1;
  options.handler_threads = 4;
  int port = StartServer(options);
  std::vector<std::future<int>> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(std::async(std::launch::async, [port] {
      HttpClient client("127.0.0.1", port);
      return client.Get("/held").status;
    }));
  }
  ASSERT_TRUE(WaitForHeld(2)) << Held() << " handlers entered";
  // The single I/O thread still serves while both handlers are held (the gate is shut, so they
  // cannot have finished: no timing involved).
  HttpClient fast("127.0.0.1", port);
  EXPECT_EQ(fast.Get("/hello").status, 200);
  for (auto& f : held) {
    EXPECT_EQ(f.wait_for(milliseconds(0)), std::future_status::timeout);
  }
  OpenGate();
  for (auto& f : held) EXPECT_EQ(f.get(), 200);
}

TEST_F(ServerTest, GracefulStopFinishesRequestsInFlight) {
  ServerOptions options;
  // Both far beyond kDeadline: if Stop() waited for the idle connection (instead of closing it),
  // it would not return within kDeadline and the test would fail.
  options.idle_timeout = std::chrono::hours(1);
  options.drain_timeout = std::chrono::hours(1);
  int port = StartServer(options);
  auto in_flight = std::async(std::launch::async, [port] {
    HttpClient client("127.0.0.1", port);
    HttpResponse r = client.Get("/held");
    return std::make_pair(r.status, r.header("connection"));
  });
  HttpClient idle("127.0.0.1", port);
  ASSERT_EQ(idle.Get("/hello").status, 200);  // an idle keep-alive connection
  ASSERT_TRUE(WaitForHeld(1));

  auto stopped = std::async(std::launch::async, [this] { server_->Stop(); });
  // Stop() first stops accepting: once a connection is refused, the stop has begun while the
  // request is still held.
  ASSERT_TRUE(WaitUntil([port] { return !Accepts(port); }))
      << "the server kept accepting after Stop()";
  EXPECT_EQ(stopped.wait_for(milliseconds(0)), std::future_status::timeout)
      << "Stop() returned with a request in flight";
  OpenGate();
  ASSERT_EQ(stopped.wait_for(kDeadline), std::future_status::ready)
      << "Stop() did not return after the request in flight finished (held up by the idle "
         "connection?)";
  auto [status, connection] = in_flight.get();
  EXPECT_EQ(status, 200);
  EXPECT_EQ(connection, "close");
  EXPECT_FALSE(Accepts(port));
  server_->Wait();  // returns at once after Stop
  server_->Stop();  // idempotent
}

TEST_F(ServerTest, IdleConnectionsTimeOut) {
  ServerOptions options;
  options.idle_timeout = milliseconds(100);
  int port = StartServer(options);
  bool closed_by_server = false;
  std::string reply = SendRawBytes("127.0.0.1", port, "GET /hel", 60'000, &closed_by_server);
  EXPECT_EQ(reply, "");
  EXPECT_TRUE(closed_by_server) << "the client gave up first: the server kept the idle connection";
}

TEST_F(ServerTest, MetricsCountRequestsByRouteMethodAndStatus) {
  int port = StartServer();
  HttpClient client("127.0.0.1", port);
  ASSERT_EQ(client.Get("/hello").status, 200);
  ASSERT_EQ(client.Get("/hello").status, 200);
  ASSERT_EQ(client.Get("/animals/1").status, 200);
  ASSERT_EQ(client.Get("/nope").status, 404);
  ASSERT_EQ(client.Send("BREW", "/hello").status, 405);
  std::string text = metrics_.Render();
  EXPECT_NE(text.find("http_requests_total{route=\"/hello\",method=\"GET\",status=\"200\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("http_requests_total{route=\"/animals/{tag}\",method=\"GET\",status=\"200\"} 1"),
      std::string::npos);
  EXPECT_NE(text.find("http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("http_requests_total{route=\"/hello\",method=\"other\",status=\"405\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("http_request_duration_seconds_count{route=\"/hello\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE http_request_duration_seconds histogram"), std::string::npos);
}

TEST_F(ServerTest, StartFailsWhenThePortIsTaken) {
  int port = StartServer();
  ServerOptions options;
  options.listen = "127.0.0.1:" + std::to_string(port);
  Server second(options, router_);
  auto r = second.Start();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
}

TEST(ServerOptionsTest, BadListenAddressIsInvalidArgument) {
  Router router;
  for (const char* listen : {"localhost", "127.0.0.1:99999", "127.0.0.1:x", "nohost:80"}) {
    ServerOptions options;
    options.listen = listen;
    Server server(options, router);
    auto r = server.Start();
    ASSERT_FALSE(r.ok()) << listen;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << listen;
    EXPECT_EQ(r.status().field(), "listen");
  }
}

TEST(ServerOptionsTest, StopWithoutStartReturnsAndWaitDoesNotBlock) {
  Router router;
  Server server(ServerOptions{}, router);
  auto stopped = std::async(std::launch::async, [&server] {
    server.Stop();
    server.Wait();
  });
  ASSERT_EQ(stopped.wait_for(kDeadline), std::future_status::ready);
  EXPECT_EQ(server.port(), 0);
  server.Stop();  // idempotent
}

}  // namespace
}  // namespace herdpass::http
