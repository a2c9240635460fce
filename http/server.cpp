#include "http/server.h"

// GCC 12 reports -Wmismatched-new-delete for every coroutine using Asio 1.74's awaitable frame
// allocator, whose sized operator delete does match its operator new: a false positive of GCC's
// coroutine lowering. Silenced for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "http/compression.h"

namespace herdpass::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Beast 1.74 speaks boost::string_view.
std::string_view Std(beast::string_view s) { return {s.data(), s.size()}; }
beast::string_view Beast(std::string_view s) { return {s.data(), s.size()}; }

constexpr auto kUseAwaitableEc = [](beast::error_code& ec) {
  return asio::redirect_error(asio::use_awaitable, ec);
};

// After an error response on a request we did not read to the end, the client may still be sending
// the body. Closing at once would make the kernel answer its data with a reset, which can destroy
// our response before the client reads it; so we half-close and drain a bounded amount first.
constexpr size_t kLingerBytes = 16 << 20;
constexpr auto kLingerTime = std::chrono::seconds(2);

// The Date header, formatted once per second per thread.
std::string_view HttpDate() {
  thread_local std::time_t cached_second = 0;
  thread_local char buf[64] = {};
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  return buf;
}

// The method as a metrics label: only the methods we know, so that clients cannot add series.
std::string_view MethodLabel(std::string_view m) {
  for (std::string_view known : {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}) {
    if (m == known) return known;
  }
  return "other";
}

struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};

Result<ListenAddress> ParseListen(std::string_view s) {
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument("listen",
                           "listen address must be host:port, got \"" + std::string(s) + "\"");
  }
  std::string_view host = s.substr(0, colon);
  std::string_view port = s.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value > 65535) {
    return InvalidArgument("listen", "bad port in listen address \"" + std::string(s) + "\"");
  }
  return ListenAddress{host.empty() ? std::string("0.0.0.0") : std::string(host),
                       static_cast<uint16_t>(value)};
}

// TLS 1.2 suites: ECDHE key exchange and AEAD ciphers only (forward secrecy, no CBC, no RSA key
// exchange); TLS 1.3's own suites are all AEAD.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr std::string_view kHsts = "max-age=31536000";
// zlib level for responses compressed per request: 6 (zlib's default) costs ~0.3 ms for the
// 45 KB W2 answer and gets within a few per cent of level 9.
constexpr int kResponseGzipLevel = 6;

// The newest OpenSSL error of this thread as text ("" when none), clearing the queue.
std::string OpenSslError() {
  unsigned long e = 0;
  unsigned long last = 0;
  while ((e = ERR_get_error()) != 0) last = e;
  if (last == 0) return "";
  char buf[256];
  ERR_error_string_n(last, buf, sizeof buf);
  return buf;
}

Status CheckReadable(const std::string& file, const char* field, const char* what) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return InvalidArgument(field, std::string("cannot read the TLS ") + what + " " + file + ": " +
                                      std::strerror(errno));
  }
  return Status();
}

Result<std::shared_ptr<asio::ssl::context>> MakeTlsContext(const std::string& cert,
                                                           const std::string& key) {
  if (cert.empty() || key.empty()) {
    return InvalidArgument(cert.empty() ? "tls-cert" : "tls-key",
                           "TLS needs both a certificate (--tls-cert) and its key (--tls-key)");
  }
  HP_RETURN_IF_ERROR(CheckReadable(cert, "tls-cert", "certificate"));
  HP_RETURN_IF_ERROR(CheckReadable(key, "tls-key", "key"));
  ERR_clear_error();
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* raw = ctx->native_handle();
  SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION);
  SSL_CTX_set_options(
      raw, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(raw, kTls12Ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(raw, kTls13Suites) != 1 ||
      SSL_CTX_set1_groups_list(raw, "X25519:P-256:P-384") != 1) {
    return Internal("cannot configure TLS: " + OpenSslError());
  }
  if (SSL_CTX_use_certificate_chain_file(raw, cert.c_str()) != 1) {
    return InvalidArgument(
        "tls-cert", "the TLS certificate " + cert + " is not a PEM certificate: " + OpenSslError());
  }
  const bool key_loaded = SSL_CTX_use_PrivateKey_file(raw, key.c_str(), SSL_FILETYPE_PEM) == 1;
  if (!key_loaded && ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH) {
    return InvalidArgument("tls-key",
                           "the TLS key " + key + " is not a PEM private key: " + OpenSslError());
  }
  if (!key_loaded || SSL_CTX_check_private_key(raw) != 1) {
    ERR_clear_error();
    return InvalidArgument("tls-key",
                           "the TLS key " + key + " is not the key of the certificate " + cert);
  }
  return ctx;
}

// The Host header's name without its port ("[::1]" keeps its brackets); "" when it is missing or
// holds anything but the characters of a DNS name or an IP address.
std::string HostName(std::string_view host) {
  if (host.empty()) return "";
  std::string_view name = host;
  if (host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return "";
    name = host.substr(0, close + 1);
  } else if (size_t colon = host.find(':'); colon != std::string_view::npos) {
    name = host.substr(0, colon);
  }
  for (char ch : name) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == ':' || ch == '[' ||
                    ch == ']';
    if (!ok) return "";
  }
  return name.empty() ? "" : std::string(name);
}

}  // namespace

Status CheckTlsFiles(const std::string& cert_file, const std::string& key_file) {
  auto ctx = MakeTlsContext(cert_file, key_file);
  return ctx.ok() ? Status() : ctx.status();
}

class Server::Impl {
 public:
  Impl(ServerOptions options, const Router& router)
      : options_(std::move(options)),
        router_(router),
        ioc_(std::max(1, options_.io_threads)),
        work_(asio::make_work_guard(ioc_)) {}

  ~Impl() { Stop(); }

  Result<int> Start();
  void Stop();
  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return stopped_; });
  }
  int port() const { return port_.load(); }
  int redirect_port() const { return redirect_port_.load(); }
  Status ReloadTls();

 private:
  struct Connection {
    // `tls` null: plain HTTP.
    Connection(tcp::socket socket, std::shared_ptr<asio::ssl::context> tls, bool redirect_only)
        : stream(std::move(socket)), tls_context(std::move(tls)), redirect(redirect_only) {
      if (tls_context) tls_stream.emplace(stream, *tls_context);
    }
    beast::tcp_stream stream;
    // The context this connection's handshake used: kept alive while the connection lives, even
    // when a reload has replaced the server's.
    std::shared_ptr<asio::ssl::context> tls_context;
    std::optional<beast::ssl_stream<beast::tcp_stream&>> tls_stream;
    const bool redirect;  // the plain listener that only redirects to https
    std::string remote;
    bool busy = false;  // a request is being read past its header, handled or answered; strand only
  };

  Result<tcp::acceptor> Listen(const std::string& listen_address);
  asio::awaitable<void> AcceptLoop(tcp::acceptor& acceptor, bool redirect);
  asio::awaitable<void> Serve(std::shared_ptr<Connection> c);
  template <class Stream>
  asio::awaitable<void> ServeRequests(Connection& c, Stream& s);
  template <class Stream>
  asio::awaitable<void> WriteError(Connection& c, Stream& s, int status, std::string_view type_name,
                                   std::string_view title, std::string_view detail);
  template <class Stream>
  asio::awaitable<void> LingeringClose(Connection& c, Stream& s);
  // A response that does not need the handler: a redirect of the plain listener, or a problem
  // with the request body's Content-Encoding. Inflates a gzip body in place.
  std::optional<Response> Prehandle(const Connection& c, Request& request);
  // gzip-encodes `response` when the request accepts it and it is worth it (http/compression.h).
  void Compress(const Request& request, Response& response);
  // Runs the handler on the handler pool and resumes the calling coroutine on its own executor.
  asio::awaitable<Response> RunOnPool(Request& request);
  Response Handle(Request& request) noexcept;
  // Runs a deferred response (Response::deferred), `resume` called once with what is to be sent.
  void RunDeferred(const Request& request, std::function<void(Response::Send)> deferred,
                   Response::Send resume) noexcept;
  void Record(std::string_view route, std::string_view method, int status, Clock::duration took);
  void Unregister(Connection* c);

  ServerOptions options_;
  const Router& router_;
  // Declared before anything a pending coroutine may still reference, so it is destroyed after
  // them.
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<tcp::acceptor> redirect_acceptor_;
  std::atomic<int> redirect_port_{0};
  std::mutex tls_mu_;
  std::shared_ptr<asio::ssl::context> tls_;  // guarded by tls_mu_; null: plain HTTP
  std::optional<asio::thread_pool> pool_;
  std::vector<std::thread> io_threads_;
  std::atomic<int> port_{0};
  std::atomic<bool> stopping_{false};

  // Route pattern -> latency histogram, built at Start() and read-only afterwards.
  std::map<std::string, Histogram*, std::less<>> latency_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<Connection*, std::shared_ptr<Connection>> connections_;  // guarded by mu_
  bool started_ = false;                                                      // guarded by mu_
  bool stop_begun_ = false;                                                   // guarded by mu_
  bool stopped_ = false;                                                      // guarded by mu_
};

Result<tcp::acceptor> Server::Impl::Listen(const std::string& listen_address) {
  HP_ASSIGN_OR_RETURN(auto listen, ParseListen(listen_address));
  beast::error_code ec;
  auto address = asio::ip::make_address(listen.host, ec);
  if (ec) {
    return InvalidArgument("listen", "bad IP address in listen address \"" + listen_address + "\"");
  }
  tcp::endpoint endpoint(address, listen.port);
  tcp::acceptor acceptor(asio::make_strand(ioc_));
  auto fail = [&](const char* what) -> Status {
    return Unavailable(std::string("cannot ") + what + " " + listen_address + ": " + ec.message());
  };
  if (acceptor.open(endpoint.protocol(), ec); ec) return fail("open a socket for");
  if (acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec) return fail("configure");
  if (acceptor.bind(endpoint, ec); ec) return fail("bind");
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) return fail("listen on");
  return acceptor;
}

Status Server::Impl::ReloadTls() {
  {
    std::lock_guard lock(tls_mu_);
    if (!tls_) return FailedPrecondition("the server does not speak TLS");
  }
  HP_ASSIGN_OR_RETURN(auto ctx, MakeTlsContext(options_.tls_cert, options_.tls_key));
  std::lock_guard lock(tls_mu_);
  tls_ = std::move(ctx);
  return Status();
}

Result<int> Server::Impl::Start() {
  {
    std::lock_guard lock(mu_);
    if (started_ || stop_begun_) return FailedPrecondition("the server was already started");
    started_ = true;
  }
  HP_ASSIGN_OR_RETURN(auto listen, ParseListen(options_.listen));
  if (!options_.tls_cert.empty() || !options_.tls_key.empty()) {
    HP_ASSIGN_OR_RETURN(tls_, MakeTlsContext(options_.tls_cert, options_.tls_key));
  } else if (!options_.redirect_listen.empty()) {
    return InvalidArgument("redirect-port",
                           "a redirect listener needs TLS (--tls-cert, --tls-key)");
  }
  HP_ASSIGN_OR_RETURN(auto acceptor, Listen(options_.listen));
  acceptor_.emplace(std::move(acceptor));
  beast::error_code ec;
  port_ = acceptor_->local_endpoint(ec).port();
  if (!options_.redirect_listen.empty()) {
    HP_ASSIGN_OR_RETURN(auto redirect, Listen(options_.redirect_listen));
    redirect_acceptor_.emplace(std::move(redirect));
    redirect_port_ = redirect_acceptor_->local_endpoint(ec).port();
  }

  if (options_.metrics != nullptr) {
    auto add = [&](std::string_view pattern) {
      latency_[std::string(pattern)] = options_.metrics->GetHistogram(
          "http_request_duration_seconds",
          "Time from a request read to its response written, by route.",
          {{"route", std::string(pattern)}});
    };
    for (const auto& route : router_.Routes()) add(route.pattern);
    add("unmatched");
    add("invalid");
  }

  pool_.emplace(static_cast<size_t>(std::max(1, options_.handler_threads)));
  asio::co_spawn(acceptor_->get_executor(), AcceptLoop(*acceptor_, false), asio::detached);
  if (redirect_acceptor_) {
    asio::co_spawn(redirect_acceptor_->get_executor(), AcceptLoop(*redirect_acceptor_, true),
                   asio::detached);
  }
  for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
    io_threads_.emplace_back([this] { ioc_.run(); });
  }
  spdlog::info("HTTP server listening on {}:{}{} ({} I/O threads, {} handler threads)", listen.host,
               port_.load(), tls_ ? " with TLS" : "", options_.io_threads,
               options_.handler_threads);
  if (redirect_acceptor_) {
    spdlog::info("plain HTTP listener on port {} redirects to https", redirect_port_.load());
  }
  return port_.load();
}

void Server::Impl::Stop() {
  {
    std::unique_lock lock(mu_);
    if (stop_begun_) {
      cv_.wait(lock, [&] { return stopped_; });
      return;
    }
    stop_begun_ = true;
    if (!started_ || !pool_) {
      stopped_ = true;
      cv_.notify_all();
      return;
    }
  }
  stopping_ = true;
  // Stop accepting.
  asio::post(acceptor_->get_executor(), [this] {
    beast::error_code ec;
    acceptor_->close(ec);
  });
  if (redirect_acceptor_) {
    asio::post(redirect_acceptor_->get_executor(), [this] {
      beast::error_code ec;
      redirect_acceptor_->close(ec);
    });
  }
  // Close idle connections; busy ones close themselves after writing their response.
  auto close_connections = [this](bool even_busy) {
    std::lock_guard lock(mu_);
    for (auto& [raw, c] : connections_) {
      asio::post(c->stream.get_executor(), [c = c, even_busy] {
        if (c->busy && !even_busy) return;
        beast::error_code ec;
        c->stream.socket().close(ec);
      });
    }
  };
  close_connections(false);
  {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, options_.drain_timeout, [&] { return connections_.empty(); })) {
      spdlog::warn("HTTP server: {} connections still busy after {} ms; closing them",
                   connections_.size(), options_.drain_timeout.count());
      lock.unlock();
      close_connections(true);
    }
  }
  // Handlers cannot be interrupted: wait for those still running, then for their connections.
  pool_->join();
  {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(5), [&] { return connections_.empty(); });
  }
  work_.reset();
  ioc_.stop();
  for (auto& t : io_threads_) t.join();
  io_threads_.clear();
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
  spdlog::info("HTTP server stopped");
}

void Server::Impl::Unregister(Connection* c) {
  std::lock_guard lock(mu_);
  connections_.erase(c);
  if (connections_.empty()) cv_.notify_all();
}

asio::awaitable<void> Server::Impl::AcceptLoop(tcp::acceptor& acceptor, bool redirect) {
  asio::steady_timer backoff(acceptor.get_executor());
  for (;;) {
    beast::error_code ec;
    tcp::socket socket(asio::make_strand(ioc_));
    co_await acceptor.async_accept(socket, kUseAwaitableEc(ec));
    if (stopping_ || ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // Out of file descriptors, typically: back off instead of spinning.
      spdlog::warn("HTTP accept failed: {}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(kUseAwaitableEc(ec));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    std::shared_ptr<asio::ssl::context> tls;
    if (!redirect) {
      std::lock_guard lock(tls_mu_);
      tls = tls_;
    }
    auto c = std::make_shared<Connection>(std::move(socket), std::move(tls), redirect);
    auto remote = c->stream.socket().remote_endpoint(ec);
    if (!ec) c->remote = remote.address().to_string();
    {
      std::lock_guard lock(mu_);
      connections_.emplace(c.get(), c);
    }
    auto executor = c->stream.get_executor();  // before `c` is moved: argument order is unspecified
    asio::co_spawn(executor, Serve(std::move(c)), asio::detached);
  }
}

asio::awaitable<void> Server::Impl::Serve(std::shared_ptr<Connection> c) {
  try {
    if (c->tls_stream) {
      beast::error_code ec;
      c->stream.expires_after(options_.idle_timeout);
      co_await c->tls_stream->async_handshake(asio::ssl::stream_base::server, kUseAwaitableEc(ec));
      if (!ec) {
        co_await ServeRequests(*c, *c->tls_stream);
        // close_notify, bounded: a client that closes without answering it does not hold us.
        c->stream.expires_after(std::chrono::seconds(1));
        co_await c->tls_stream->async_shutdown(kUseAwaitableEc(ec));
      }
    } else {
      co_await ServeRequests(*c, c->stream);
    }
  } catch (const std::exception& e) {
    spdlog::error("HTTP connection from {} failed: {}", c->remote, e.what());
  }
  beast::error_code ec;
  c->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  c->stream.socket().close(ec);
  Unregister(c.get());
}

template <class Stream>
asio::awaitable<void> Server::Impl::ServeRequests(Connection& c, Stream& s) {
  beast::flat_buffer buffer;
  while (!stopping_) {
    beast::error_code ec;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options_.header_limit));
    parser.body_limit(options_.body_limit);
    c.busy = false;
    c.stream.expires_after(options_.idle_timeout);
    co_await bhttp::async_read_header(s, buffer, parser, kUseAwaitableEc(ec));
    c.busy = true;
    if (!ec && !parser.is_done()) {
      if (EqualsIgnoreCase(Std(parser.get()[bhttp::field::expect]), "100-continue")) {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, parser.get().version()};
        co_await bhttp::async_write(s, cont, kUseAwaitableEc(ec));
        if (ec) co_return;
      }
      co_await bhttp::async_read(s, buffer, parser, kUseAwaitableEc(ec));
    }
    if (ec) {
      if (ec == bhttp::error::body_limit) {
        co_await WriteError(
            c, s, 413, "payload-too-large", "Payload too large",
            "The request body exceeds " + std::to_string(options_.body_limit) + " bytes.");
      } else if (ec == bhttp::error::header_limit) {
        co_await WriteError(
            c, s, 431, "request-header-fields-too-large", "Request header fields too large",
            "The request header exceeds " + std::to_string(options_.header_limit) + " bytes.");
      } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
                 ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
        co_await WriteError(c, s, 400, "malformed-request", "Malformed request",
                            "The request is not valid HTTP/1.1.");
      }
      // Anything else (end of stream, reset, timeout, shutdown): close quietly.
      co_return;
    }

    const Clock::time_point start = Clock::now();
    bhttp::request<bhttp::string_body> hreq = parser.release();
    Request request;
    request.method = std::string(hreq.method_string());
    request.target = std::string(hreq.target());
    std::string_view target = request.target;
    size_t q = target.find('?');
    request.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) request.query = ParseQuery(target.substr(q + 1));
    for (const auto& field : hreq) {
      request.headers.Add(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(hreq.body());
    request.remote_address = options_.trusted_proxies.ClientAddress(c.remote, request.headers);

    c.stream.expires_never();
    std::optional<Response> early = Prehandle(c, request);
    // Not a conditional expression: GCC 12 miscompiles co_await inside one.
    Response response;
    if (early) {
      response = std::move(*early);
    } else {
      response = co_await RunOnPool(request);
    }
    Compress(request, response);

    const bool keep_alive = hreq.keep_alive() && !stopping_;
    bhttp::response<bhttp::string_body> res;
    res.version(hreq.version());
    res.result(static_cast<unsigned>(response.status));
    res.set(bhttp::field::server, "herdpass");
    res.set(bhttp::field::date, Beast(HttpDate()));
    res.set(bhttp::field::content_type, Beast(response.content_type));
    for (auto& [name, value] : response.headers) res.insert(name, value);
    // No answer is to be read as anything but its Content-Type (JSON as HTML, say).
    if (res.find("X-Content-Type-Options") == res.end()) {
      res.set("X-Content-Type-Options", "nosniff");
    }
    if (c.tls_stream) res.set("Strict-Transport-Security", Beast(kHsts));
    res.body() = std::move(response.body);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    // Recorded before the write, so that a client that has its response also sees it counted.
    const Clock::duration took = Clock::now() - start;
    std::string_view route = request.route.empty() ? std::string_view("unmatched") : request.route;
    Record(route, request.method, response.status, took);
    spdlog::debug("{} \"{} {}\" {} {} {}us", c.remote, request.method, request.path,
                  response.status, res.body().size(),
                  std::chrono::duration_cast<std::chrono::microseconds>(took).count());

    c.stream.expires_after(options_.idle_timeout);
    co_await bhttp::async_write(s, res, kUseAwaitableEc(ec));
    if (ec || !keep_alive) co_return;
  }
}

template <class Stream>
asio::awaitable<void> Server::Impl::WriteError(Connection& c, Stream& s, int status,
                                               std::string_view type_name, std::string_view title,
                                               std::string_view detail) {
  Response problem = Problem(status, type_name, title, detail);
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), 11};
  res.set(bhttp::field::server, "herdpass");
  res.set(bhttp::field::date, Beast(HttpDate()));
  res.set(bhttp::field::content_type, Beast(problem.content_type));
  res.set("X-Content-Type-Options", "nosniff");
  if (c.tls_stream) res.set("Strict-Transport-Security", Beast(kHsts));
  res.body() = std::move(problem.body);
  res.keep_alive(false);
  res.prepare_payload();
  beast::error_code ec;
  c.stream.expires_after(options_.idle_timeout);
  Record("invalid", "other", status, {});
  spdlog::debug("{} invalid request answered {}", c.remote, status);
  co_await bhttp::async_write(s, res, kUseAwaitableEc(ec));
  if (!ec) co_await LingeringClose(c, s);
}

template <class Stream>
asio::awaitable<void> Server::Impl::LingeringClose(Connection& c, Stream& s) {
  beast::error_code ec;
  c.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  c.stream.expires_after(kLingerTime);
  std::vector<char> scratch(64 << 10);
  size_t drained = 0;
  while (drained < kLingerBytes) {
    size_t n = co_await s.async_read_some(asio::buffer(scratch), kUseAwaitableEc(ec));
    if (ec) break;
    drained += n;
  }
}

asio::awaitable<Response> Server::Impl::RunOnPool(Request& request) {
  // asio::post(pool, use_awaitable) would resume the coroutine on its own executor, not on the pool
  // (the completion goes through the handler's associated executor), so the hop is spelled out:
  // run on the pool, then dispatch the completion back to the connection's strand.
  return asio::async_initiate<decltype(asio::use_awaitable), void(Response)>(
      [this, &request](auto handler) {
        auto home = asio::prefer(asio::get_associated_executor(handler),
                                 asio::execution::outstanding_work.tracked);
        asio::post(*pool_, [this, &request, handler = std::move(handler),
                            home = std::move(home)]() mutable {
          Response response = Handle(request);
          // Resumes the coroutine on its strand with the response to send.
          auto resume = [handler = std::make_shared<decltype(handler)>(std::move(handler)),
                         home = std::move(home)](Response r) mutable {
            asio::dispatch(home, [handler, r = std::move(r)]() mutable {
              std::move (*handler)(std::move(r));
            });
          };
          if (!response.deferred) return resume(std::move(response));
          // A deferred response (Response::deferred) resumes the coroutine when it is ready, from
          // whichever thread makes it so; this thread goes back to the pool at once.
          RunDeferred(request, std::move(response.deferred), std::move(resume));
        });
      },
      asio::use_awaitable);
}

void Server::Impl::RunDeferred(const Request& request, std::function<void(Response::Send)> deferred,
                               Response::Send resume) noexcept {
  // The coroutine is resumed exactly once: by `deferred`'s send, or here when it threw before
  // calling it.
  auto sent = std::make_shared<std::atomic<bool>>(false);
  Response::Send once = [sent, resume](Response r) {
    if (!sent->exchange(true)) resume(std::move(r));
  };
  try {
    deferred(once);
    return;
  } catch (const std::exception& e) {
    spdlog::error("handler for {} {} threw: {}", request.method, request.route, e.what());
  } catch (...) {
    spdlog::error("handler for {} {} threw a non-exception", request.method, request.route);
  }
  once(Problem(500, "internal", "Internal error", "An internal error occurred."));
}

Response Server::Impl::Handle(Request& request) noexcept {
  try {
    return router_.Dispatch(request);
  } catch (const std::exception& e) {
    spdlog::error("handler for {} {} threw: {}", request.method,
                  request.route.empty() ? std::string_view(request.path) : request.route, e.what());
  } catch (...) {
    spdlog::error("handler for {} {} threw a non-exception", request.method, request.path);
  }
  return Problem(500, "internal", "Internal error", "An internal error occurred.");
}

std::optional<Response> Server::Impl::Prehandle(const Connection& c, Request& request) {
  if (c.redirect) {
    const std::string host = HostName(request.Header("Host"));
    if (host.empty()) {
      Response r =
          Problem(400, "malformed-request", "Malformed request",
                  "A request to the plain HTTP port needs a Host header to be redirected.");
      return r;
    }
    std::string location = "https://" + host;
    if (port_ != 443) location += ":" + std::to_string(port_.load());
    location += request.target.empty() || request.target[0] != '/' ? "/" : request.target;
    Response r = Text(308, "Moved to " + location + "\n", "text/plain; charset=utf-8");
    r.AddHeader("Location", location);
    return r;
  }
  std::string_view encoding = request.Header("Content-Encoding");
  if (encoding.empty() || EqualsIgnoreCase(encoding, "identity")) return std::nullopt;
  if (!EqualsIgnoreCase(encoding, "gzip") && !EqualsIgnoreCase(encoding, "x-gzip")) {
    Response r = Problem(415, "unsupported-content-encoding", "Unsupported Content-Encoding",
                         "Request bodies may be sent as they are or gzip-encoded, not as \"" +
                             std::string(encoding) + "\".",
                         {{"field", "Content-Encoding"}});
    r.AddHeader("Accept-Encoding", "gzip");
    return r;
  }
  std::string inflated;
  switch (GunzipLimited(request.body, options_.body_limit, inflated)) {
    case GunzipResult::kOk:
      break;
    case GunzipResult::kTooLarge:
      return Problem(413, "payload-too-large", "Payload too large",
                     "The request body inflates to more than " +
                         std::to_string(options_.body_limit) + " bytes.",
                     {{"field", "Content-Encoding"}});
    case GunzipResult::kCorrupt:
      return Problem(400, "malformed-body", "Malformed request body",
                     "The request body is not a complete gzip stream.",
                     {{"field", "Content-Encoding"}});
  }
  request.body = std::move(inflated);
  Headers headers;
  for (const auto& [name, value] : request.headers.fields()) {
    if (!EqualsIgnoreCase(name, "Content-Encoding") && !EqualsIgnoreCase(name, "Content-Length")) {
      headers.Add(name, value);
    }
  }
  headers.Add("Content-Length", std::to_string(request.body.size()));
  request.headers = std::move(headers);
  return std::nullopt;
}

void Server::Impl::Compress(const Request& request, Response& response) {
  if (response.body.size() < kCompressMinBytes || !IsCompressible(response.content_type)) return;
  for (const auto& [name, value] : response.headers) {
    // Already encoded, or the static files' own per-encoding ETags (compressed at startup).
    if (EqualsIgnoreCase(name, "Content-Encoding") || EqualsIgnoreCase(name, "ETag")) return;
  }
  response.AddHeader("Vary", "Accept-Encoding");
  if (!AcceptsGzip(request.Header("Accept-Encoding"))) return;
  std::string gz = Gzip(response.body, kResponseGzipLevel);
  if (gz.empty() || gz.size() >= response.body.size()) return;
  response.body = std::move(gz);
  response.AddHeader("Content-Encoding", "gzip");
}

void Server::Impl::Record(std::string_view route, std::string_view method, int status,
                          Clock::duration took) {
  MetricsRegistry* m = options_.metrics;
  if (m == nullptr) return;
  m->GetCounter("http_requests_total", "HTTP requests answered, by route, method and status.",
                {{"route", std::string(route)},
                 {"method", std::string(MethodLabel(method))},
                 {"status", std::to_string(status)}})
      ->Increment();
  auto it = latency_.find(route);
  if (it != latency_.end()) {
    it->second->Observe(std::chrono::duration<double>(took).count());
  }
}

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}
Server::~Server() = default;
Result<int> Server::Start() { return impl_->Start(); }
void Server::Stop() { impl_->Stop(); }
void Server::Wait() { impl_->Wait(); }
int Server::port() const { return impl_->port(); }
int Server::redirect_port() const { return impl_->redirect_port(); }
Status Server::ReloadTls() { return impl_->ReloadTls(); }

}  // namespace herdpass::http
