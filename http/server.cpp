#include "http/server.h"

// GCC 12 reports -Wmismatched-new-delete for every coroutine using Asio 1.74's awaitable frame
// allocator, whose sized operator delete does match its operator new: a false positive of GCC's
// coroutine lowering. Silenced for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

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
#include <charconv>
#include <condition_variable>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

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

}  // namespace

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

 private:
  struct Connection {
    explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
    beast::tcp_stream stream;
    std::string remote;
    bool busy = false;  // a request is being read past its header, handled or answered; strand only
  };

  asio::awaitable<void> AcceptLoop();
  asio::awaitable<void> Serve(std::shared_ptr<Connection> c);
  asio::awaitable<void> ServeRequests(Connection& c);
  asio::awaitable<void> WriteError(Connection& c, int status, std::string_view type_name,
                                   std::string_view title, std::string_view detail);
  asio::awaitable<void> LingeringClose(Connection& c);
  // Runs the handler on the handler pool and resumes the calling coroutine on its own executor.
  asio::awaitable<Response> RunOnPool(Request& request);
  Response Handle(Request& request) noexcept;
  void Record(std::string_view route, std::string_view method, int status, Clock::duration took);
  void Unregister(Connection* c);

  ServerOptions options_;
  const Router& router_;
  // Declared before anything a pending coroutine may still reference, so it is destroyed after
  // them.
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::optional<tcp::acceptor> acceptor_;
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

Result<int> Server::Impl::Start() {
  {
    std::lock_guard lock(mu_);
    if (started_ || stop_begun_) return FailedPrecondition("the server was already started");
    started_ = true;
  }
  HP_ASSIGN_OR_RETURN(auto listen, ParseListen(options_.listen));
  beast::error_code ec;
  auto address = asio::ip::make_address(listen.host, ec);
  if (ec) {
    return InvalidArgument("listen",
                           "bad IP address in listen address \"" + options_.listen + "\"");
  }
  tcp::endpoint endpoint(address, listen.port);
  acceptor_.emplace(asio::make_strand(ioc_));
  auto fail = [&](const char* what) -> Status {
    return Unavailable(std::string("cannot ") + what + " " + options_.listen + ": " + ec.message());
  };
  if (acceptor_->open(endpoint.protocol(), ec); ec) return fail("open a socket for");
  if (acceptor_->set_option(asio::socket_base::reuse_address(true), ec); ec)
    return fail("configure");
  if (acceptor_->bind(endpoint, ec); ec) return fail("bind");
  if (acceptor_->listen(asio::socket_base::max_listen_connections, ec); ec)
    return fail("listen on");
  port_ = acceptor_->local_endpoint(ec).port();

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
  asio::co_spawn(acceptor_->get_executor(), AcceptLoop(), asio::detached);
  for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
    io_threads_.emplace_back([this] { ioc_.run(); });
  }
  spdlog::info("HTTP server listening on {}:{} ({} I/O threads, {} handler threads)", listen.host,
               port_.load(), options_.io_threads, options_.handler_threads);
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

asio::awaitable<void> Server::Impl::AcceptLoop() {
  asio::steady_timer backoff(acceptor_->get_executor());
  for (;;) {
    beast::error_code ec;
    tcp::socket socket(asio::make_strand(ioc_));
    co_await acceptor_->async_accept(socket, kUseAwaitableEc(ec));
    if (stopping_ || ec == asio::error::operation_aborted || !acceptor_->is_open()) co_return;
    if (ec) {
      // Out of file descriptors, typically: back off instead of spinning.
      spdlog::warn("HTTP accept failed: {}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(kUseAwaitableEc(ec));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto c = std::make_shared<Connection>(std::move(socket));
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
    co_await ServeRequests(*c);
  } catch (const std::exception& e) {
    spdlog::error("HTTP connection from {} failed: {}", c->remote, e.what());
  }
  beast::error_code ec;
  c->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  c->stream.socket().close(ec);
  Unregister(c.get());
}

asio::awaitable<void> Server::Impl::ServeRequests(Connection& c) {
  beast::flat_buffer buffer;
  while (!stopping_) {
    beast::error_code ec;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options_.header_limit));
    parser.body_limit(options_.body_limit);
    c.busy = false;
    c.stream.expires_after(options_.idle_timeout);
    co_await bhttp::async_read_header(c.stream, buffer, parser, kUseAwaitableEc(ec));
    c.busy = true;
    if (!ec && !parser.is_done()) {
      if (EqualsIgnoreCase(Std(parser.get()[bhttp::field::expect]), "100-continue")) {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, parser.get().version()};
        co_await bhttp::async_write(c.stream, cont, kUseAwaitableEc(ec));
        if (ec) co_return;
      }
      co_await bhttp::async_read(c.stream, buffer, parser, kUseAwaitableEc(ec));
    }
    if (ec) {
      if (ec == bhttp::error::body_limit) {
        co_await WriteError(
            c, 413, "payload-too-large", "Payload too large",
            "The request body exceeds " + std::to_string(options_.body_limit) + " bytes.");
      } else if (ec == bhttp::error::header_limit) {
        co_await WriteError(
            c, 431, "request-header-fields-too-large", "Request header fields too large",
            "The request header exceeds " + std::to_string(options_.header_limit) + " bytes.");
      } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
                 ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
        co_await WriteError(c, 400, "malformed-request", "Malformed request",
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
    Response response = co_await RunOnPool(request);

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
    co_await bhttp::async_write(c.stream, res, kUseAwaitableEc(ec));
    if (ec || !keep_alive) co_return;
  }
}

asio::awaitable<void> Server::Impl::WriteError(Connection& c, int status,
                                               std::string_view type_name, std::string_view title,
                                               std::string_view detail) {
  Response problem = Problem(status, type_name, title, detail);
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), 11};
  res.set(bhttp::field::server, "herdpass");
  res.set(bhttp::field::date, Beast(HttpDate()));
  res.set(bhttp::field::content_type, Beast(problem.content_type));
  res.set("X-Content-Type-Options", "nosniff");
  res.body() = std::move(problem.body);
  res.keep_alive(false);
  res.prepare_payload();
  beast::error_code ec;
  c.stream.expires_after(options_.idle_timeout);
  Record("invalid", "other", status, {});
  spdlog::debug("{} invalid request answered {}", c.remote, status);
  co_await bhttp::async_write(c.stream, res, kUseAwaitableEc(ec));
  if (!ec) co_await LingeringClose(c);
}

asio::awaitable<void> Server::Impl::LingeringClose(Connection& c) {
  beast::error_code ec;
  c.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  c.stream.expires_after(kLingerTime);
  std::vector<char> scratch(64 << 10);
  size_t drained = 0;
  while (drained < kLingerBytes) {
    size_t n = co_await c.stream.async_read_some(asio::buffer(scratch), kUseAwaitableEc(ec));
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
          asio::dispatch(home,
                         [handler = std::move(handler), response = std::move(response)]() mutable {
                           std::move(handler)(std::move(response));
                         });
        });
      },
      asio::use_awaitable);
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

}  // namespace herdpass::http
