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

// An event loop of the sender's thread and the kept-alive connections to smsbox. Hand-written over
// Beast rather than a client library: the project has none, and this is one GET per message.
struct KannelGateway::Pool {
  struct Connection {
    explicit Connection(asio::io_context& io) : stream(io) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    bool open = false;
    std::chrono::steady_clock::time_point last_used{};

    void Close() {
      beast::error_code ignored;
      stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      stream.close();
      buffer.clear();
      open = false;
    }
  };

  // smsbox closes a connection left idle; one idle this long is opened anew rather than risked.
  static constexpr std::chrono::seconds kMaxIdle{3};

  asio::io_context io;
  std::vector<std::unique_ptr<Connection>> connections;
  // Set when a connection failed or timed out in this SendAll: the messages not yet begun are
  // left for the sender's retry rather than each waiting out the timeout (a hung smsbox holds a
  // pass for about one timeout, not one per message).
  bool unreachable = false;

  // Hands `m` (its request `target`) over on `c`.
  asio::awaitable<Status> SendOn(Connection& c, const KannelGatewayOptions& options,
                                 const std::string& host, const std::string& port,
                                 std::string target) {
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

KannelGateway::KannelGateway(KannelGatewayOptions options)
    : options_(std::move(options)), pool_(std::make_unique<Pool>()) {
  if (auto parts = SplitUrl(options_.sendsms_url); parts.ok()) {
    host_ = parts->host;
    port_ = parts->port;
    path_ = parts->path;
  }
  for (int i = 0; i < std::max(1, options_.connections); ++i) {
    pool_->connections.push_back(std::make_unique<Pool::Connection>(pool_->io));
  }
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
  if (host_.empty()) {
    return std::vector<Status>(messages.size(), InvalidArgument("sms-gateway", "no sendsms URL"));
  }
  std::vector<Status> out(messages.size(), Unavailable("not handed over"));
  size_t next = 0;
  // Each connection takes the next message as soon as it has its answer: up to `connections` in
  // flight, on the caller's thread.
  auto worker = [&](Pool::Connection& c) -> asio::awaitable<void> {
    while (next < messages.size() && !pool_->unreachable) {
      const size_t i = next++;
      out[i] = co_await pool_->SendOn(c, options_, host_, port_, Target(messages[i]));
    }
  };
  const size_t n = std::min(pool_->connections.size(), messages.size());
  for (size_t c = 0; c < n; ++c) {
    asio::co_spawn(pool_->io, worker(*pool_->connections[c]), asio::detached);
  }
  pool_->unreachable = false;
  pool_->io.restart();
  try {
    pool_->io.run();
  } catch (const std::exception& e) {
    // Coroutines may still be suspended in the loop, over this call's vectors: a new loop and new
    // connections for the next call.
    const size_t connections = pool_->connections.size();
    pool_ = std::make_unique<Pool>();
    for (size_t i = 0; i < connections; ++i) {
      pool_->connections.push_back(std::make_unique<Pool::Connection>(pool_->io));
    }
    for (size_t i = 0; i < out.size(); ++i) {
      // What was answered stands; the rest is retried.
      if (!out[i].ok()) out[i] = Unavailable(std::string("smsbox: ") + e.what());
    }
  }
  return out;
}

}  // namespace herdpass::http
