#include "http/kannel_gateway.h"

// GCC 12's false -Wmismatched-new-delete on Asio's coroutine frames (as in http/server.cpp).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// clang-format off: before Boost.Asio, whose awaitable.hpp uses std::exchange unincluded.
#include <utility>
// clang-format on

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "http/request.h"
#include "service/sms_callback.h"

namespace herdpass::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

struct UrlParts {
  std::string host, port, path;
};

// http://host[:port]/path, as smsbox's address is configured; anything else is refused at start.
Result<UrlParts> SplitUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) {
    return InvalidArgument("sms-gateway",
                           "--sms-gateway must be an http:// URL of smsbox's sendsms");
  }
  const std::string rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  UrlParts p;
  p.path = slash == std::string::npos ? "/" : rest.substr(slash);
  const size_t colon = authority.rfind(':');
  p.host = authority.substr(0, colon);
  p.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  if (p.host.empty() || p.port.empty() ||
      p.port.find_first_not_of("0123456789") != std::string::npos) {
    return InvalidArgument("sms-gateway", "--sms-gateway must be http://host[:port]/path");
  }
  return p;
}

}  // namespace

Status CheckSendsmsUrl(const std::string& url) { return SplitUrl(url).status(); }

// An event loop of its own thread and the kept-alive connections to smsbox. Hand-written over
// Beast rather than a client library: the project has none, and this is one GET per message.
struct KannelGateway::Pool {
  struct Connection {
    explicit Connection(asio::io_context& io) : stream(io) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    bool open = false;
    bool busy = false;  // a worker is sending on it
    std::chrono::steady_clock::time_point last_used{};

    void Close() {
      beast::error_code ignored;
      stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      stream.close();
      buffer.clear();
      open = false;
    }
  };
  struct Request {
    int64_t id = 0;
    std::string target;
  };

  // smsbox closes a connection left idle; one idle this long is opened anew rather than risked.
  static constexpr std::chrono::seconds kMaxIdle{3};

  Pool(const KannelGatewayOptions& o, std::string h, std::string p)
      : options(o), host(std::move(h)), port(std::move(p)), work(asio::make_work_guard(io)) {
    for (int i = 0; i < std::max(1, options.connections); ++i) {
      connections.push_back(std::make_unique<Connection>(io));
    }
    thread = std::thread([this] { io.run(); });
  }
  ~Pool() {
    // Nothing is in flight by now (the sender drains its window before it stops); what a worker
    // still awaits is dropped with the loop.
    work.reset();
    io.stop();
    thread.join();
  }

  // Hands the requests over after those queued before (any thread).
  void Begin(std::vector<Request> requests) {
    asio::post(io, [this, requests = std::move(requests)]() mutable {
      unreachable = false;  // a new call tries smsbox again
      for (Request& r : requests) queue.push_back(std::move(r));
      for (auto& c : connections) {
        if (c->busy || queue.empty()) continue;
        c->busy = true;
        asio::co_spawn(io, Work(*c), asio::detached);
      }
    });
  }

  // The answers come since the last call, waiting up to `wait` for `at_least` (any thread).
  std::vector<SmsGateway::Answer> Answered(size_t at_least, std::chrono::milliseconds wait) {
    std::unique_lock lock(mu);
    wanted = at_least;
    answered_cv.wait_for(lock, wait, [&] { return answers.size() >= at_least; });
    wanted = 0;
    return std::exchange(answers, {});
  }

  const KannelGatewayOptions& options;
  const std::string host;
  const std::string port;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::vector<std::unique_ptr<Connection>> connections;
  std::thread thread;

  // The loop's thread alone:
  std::deque<Request> queue;  // begun, not yet sent
  // Set when a connection failed or timed out: the requests not yet sent are answered at once
  // (kUnavailable: the sender retries them later) rather than each waiting out the timeout (a hung
  // smsbox holds the sender for about one timeout, not one per message of the window). Cleared by
  // the next Begin.
  bool unreachable = false;

  std::mutex mu;
  std::condition_variable answered_cv;
  std::vector<SmsGateway::Answer> answers;  // under mu
  // How many answers Answered waits for (under mu): the waiter is woken once, when they are
  // there, not at each answer (measured: with a wake-up per answer, context switches were the
  // largest part of serve's CPU in perf during the SMS benchmark).
  size_t wanted = 0;

  void Reply(int64_t id, Status status) {
    bool enough = false;
    {
      std::lock_guard lock(mu);
      answers.push_back({id, std::move(status)});
      enough = wanted > 0 && answers.size() >= wanted;
    }
    if (enough) answered_cv.notify_one();
  }

  // Takes the queue's next request as soon as `c` has its answer: one request in flight per
  // connection, as many connections as there are.
  asio::awaitable<void> Work(Connection& c) {
    while (!queue.empty()) {
      Request r = std::move(queue.front());
      queue.pop_front();
      if (unreachable) {
        Reply(r.id, Unavailable("not handed over: smsbox unreachable"));
        continue;
      }
      Status s = Unavailable("not handed over");
      try {
        s = co_await SendOn(c, r.target);
      } catch (const std::exception& e) {
        c.Close();
        unreachable = true;
        s = Unavailable(std::string("smsbox: ") + e.what());
      }
      Reply(r.id, std::move(s));
    }
    c.busy = false;
  }

  // Hands one request (its `target`) over on `c`.
  asio::awaitable<Status> SendOn(Connection& c, const std::string& target) {
    beast::error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    if (c.open && std::chrono::steady_clock::now() - c.last_used > kMaxIdle) c.Close();
    if (!c.open) {
      asio::ip::tcp::resolver resolver(io);
      auto endpoints = co_await resolver.async_resolve(host, port, token);
      if (ec) {
        unreachable = true;
        co_return Unavailable("smsbox unreachable: " + ec.message());
      }
      c.stream.expires_after(options.timeout);
      co_await c.stream.async_connect(endpoints, token);
      if (ec) {
        c.Close();
        unreachable = true;
        co_return Unavailable("smsbox unreachable: " + ec.message());
      }
      // Each request is one small write that waits for its answer: sent at once (no Nagle).
      beast::error_code ignored;
      c.stream.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
      c.open = true;
    }
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, host);
    req.set(bhttp::field::user_agent, "HerdPass");
    req.keep_alive(true);
    c.stream.expires_after(options.timeout);
    co_await bhttp::async_write(c.stream, req, token);
    bhttp::response<bhttp::string_body> res;
    if (!ec) co_await bhttp::async_read(c.stream, c.buffer, res, token);
    if (ec) {
      c.Close();
      unreachable = true;
      co_return Unavailable("smsbox unreachable: " + ec.message());
    }
    c.last_used = std::chrono::steady_clock::now();
    if (!res.keep_alive()) c.Close();
    // smsbox answers 202 "0: Accepted for delivery" or "3: Queued for later delivery".
    if (res.result_int() == 202 || res.result_int() == 200) co_return Status::Ok();
    co_return Unavailable("smsbox answered " + std::to_string(res.result_int()) + ": " +
                          res.body());
  }
};

KannelGateway::KannelGateway(KannelGatewayOptions options) : options_(std::move(options)) {
  if (auto parts = SplitUrl(options_.sendsms_url); parts.ok()) {
    host_ = parts->host;
    port_ = parts->port;
    path_ = parts->path;
  }
  pool_ = std::make_unique<Pool>(options_, host_, port_);
}

KannelGateway::~KannelGateway() = default;

std::string KannelGateway::Target(const SmsMessage& m) const {
  const SmsEncoding enc = EncodeForSms(m.body);
  std::string target = path_ + (path_.find('?') == std::string::npos ? "?" : "&");
  target += "username=" + PercentEncode(options_.username) +
            "&password=" + PercentEncode(options_.password) + "&to=" + PercentEncode(m.phone) +
            "&text=" + PercentEncode(m.body) +
            "&charset=UTF-8&coding=" + (enc.coding == SmsCoding::kGsm7 ? "0" : "2");
  if (!options_.sender.empty()) target += "&from=" + PercentEncode(options_.sender);
  if (!options_.callback_url.empty()) {
    const std::string dlr = options_.callback_url + "/api/v1/sms/dlr?id=" + std::to_string(m.id) +
                            "&token=" + SmsCallbackToken(options_.secret, m.id) + "&status=%d";
    target += "&dlr-mask=31&dlr-url=" + PercentEncode(dlr);
  }
  return target;
}

Status KannelGateway::Send(const SmsMessage& m) {
  return SendAll(std::span<const SmsMessage>(&m, 1)).front();
}

std::vector<Status> KannelGateway::SendAll(std::span<const SmsMessage> messages) {
  // Through Begin and Answered: the ids tell the answers apart (a message's id is its outbox's).
  std::vector<Status> out(messages.size(), Unavailable("not handed over"));
  std::unordered_map<int64_t, std::vector<size_t>> at;
  for (size_t i = 0; i < messages.size(); ++i) at[messages[i].id].push_back(i);
  Begin({messages.begin(), messages.end()});
  for (size_t left = messages.size(); left > 0;) {
    for (SmsGateway::Answer& a : Answered(left, std::chrono::hours(1))) {
      auto it = at.find(a.id);
      if (it == at.end() || it->second.empty()) continue;
      out[it->second.back()] = std::move(a.status);
      it->second.pop_back();
      --left;
    }
  }
  return out;
}

void KannelGateway::Begin(std::vector<SmsMessage> messages) {
  std::vector<Pool::Request> requests;
  requests.reserve(messages.size());
  for (const SmsMessage& m : messages) {
    if (host_.empty()) {
      pool_->Reply(m.id, InvalidArgument("sms-gateway", "no sendsms URL"));
      continue;
    }
    requests.push_back({m.id, Target(m)});
  }
  if (!requests.empty()) pool_->Begin(std::move(requests));
}

std::vector<SmsGateway::Answer> KannelGateway::Answered(size_t at_least,
                                                        std::chrono::milliseconds wait) {
  return pool_->Answered(at_least, wait);
}

}  // namespace herdpass::http
