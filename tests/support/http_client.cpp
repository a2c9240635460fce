#include "tests/support/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>
#include <thread>

namespace herdpass::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

beast::string_view Beast(std::string_view s) { return {s.data(), s.size()}; }

constexpr auto kIoTimeout = std::chrono::seconds(30);

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool CaseInsensitiveLess::operator()(const std::string& a, const std::string& b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return Lower(x) < Lower(y); });
}

std::string HttpResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

nlohmann::json HttpResponse::json() const { return nlohmann::json::parse(body); }

// Asynchronous operations run to completion on a private io_context, so that the stream's timeout
// applies (synchronous Asio calls would ignore it and could hang a test forever).
struct HttpClient::Impl {
  std::string host;
  std::string port;
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool connected = false;

  void Run() {
    ioc.restart();
    ioc.run();
  }

  beast::error_code Connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(host, port, ec);
    if (ec) return ec;
    stream.expires_after(kIoTimeout);
    stream.async_connect(results, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    Run();
    if (!ec) {
      connected = true;
      buffer.clear();
      stream.socket().set_option(tcp::no_delay(true), ec);
    }
    return ec;
  }

  void Close() {
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream.socket().close(ec);
    connected = false;
  }

  beast::error_code Write(bhttp::request<bhttp::string_body>& req) {
    beast::error_code ec;
    stream.expires_after(kIoTimeout);
    bhttp::async_write(stream, req, [&](beast::error_code e, size_t) { ec = e; });
    Run();
    return ec;
  }

  beast::error_code Read(HttpResponse* out, bool* keep_alive) {
    beast::error_code ec;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    stream.expires_after(kIoTimeout);
    bhttp::async_read(stream, buffer, parser, [&](beast::error_code e, size_t) { ec = e; });
    Run();
    if (ec) return ec;
    auto res = parser.release();
    out->status = static_cast<int>(res.result_int());
    out->headers.clear();
    for (const auto& field : res) {
      out->headers[std::string(field.name_string())] = std::string(field.value());
    }
    out->body = std::move(res.body());
    *keep_alive = res.keep_alive();
    return ec;
  }
};

HttpClient::HttpClient(std::string host, int port) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = std::to_string(port);
}

HttpClient::~HttpClient() { impl_->Close(); }

void HttpClient::Close() { impl_->Close(); }

HttpResponse HttpClient::Get(std::string_view target, std::string_view token) {
  return Send("GET", target, {}, {}, token);
}

HttpResponse HttpClient::Post(std::string_view target, const nlohmann::json& body,
                              std::string_view token) {
  return Send("POST", target, body.dump(), "application/json", token);
}

HttpResponse HttpClient::PostRaw(std::string_view target, std::string body,
                                 std::string_view content_type, std::string_view token) {
  return Send("POST", target, std::move(body), content_type, token);
}

HttpResponse HttpClient::Send(std::string_view method, std::string_view target, std::string body,
                              std::string_view content_type, std::string_view token,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(Beast(method));
  req.target(Beast(target));
  req.version(11);
  req.set(bhttp::field::host, impl_->host + ":" + impl_->port);
  req.set(bhttp::field::user_agent, "herdpass-test");
  if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + std::string(token));
  if (!content_type.empty()) req.set(bhttp::field::content_type, Beast(content_type));
  for (const auto& [name, value] : headers) req.insert(name, value);
  const bool has_body = !body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
  req.body() = std::move(body);
  req.keep_alive(true);
  if (has_body) req.prepare_payload();

  for (int attempt = 0;; ++attempt) {
    const bool fresh = !impl_->connected;
    if (fresh) {
      if (auto ec = impl_->Connect()) {
        throw std::runtime_error("cannot connect to " + impl_->host + ":" + impl_->port + ": " +
                                 ec.message());
      }
      ++connections_opened_;
    }
    beast::error_code write_ec = impl_->Write(req);
    // Even when the write failed, the server may have answered (413 before reading the body).
    HttpResponse response;
    bool keep_alive = false;
    beast::error_code read_ec = impl_->Read(&response, &keep_alive);
    if (!read_ec) {
      if (!keep_alive || write_ec) impl_->Close();
      return response;
    }
    impl_->Close();
    // A reused connection the server closed while idle: retry once on a fresh one.
    if (fresh || attempt > 0) {
      throw std::runtime_error(std::string(method) + " " + std::string(target) +
                               " failed: " + (write_ec ? write_ec.message() : read_ec.message()));
    }
  }
}

std::string SendRawBytes(const std::string& host, int port, std::string_view bytes, int timeout_ms,
                         bool* closed_by_server) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(host, std::to_string(port));
  stream.connect(results);
  beast::error_code ec;
  stream.expires_after(std::chrono::milliseconds(timeout_ms));
  asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()),
                    [&](beast::error_code e, size_t) { ec = e; });
  ioc.run();
  std::string out;
  char buf[4096];
  for (;;) {
    size_t got = 0;
    stream.async_read_some(asio::buffer(buf), [&](beast::error_code e, size_t n) {
      ec = e;
      got = n;
    });
    ioc.restart();
    ioc.run();
    out.append(buf, got);
    if (ec) break;
  }
  if (closed_by_server != nullptr) *closed_by_server = ec != beast::error::timeout;
  return out;
}

int FindFreePort() {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

bool WaitForTcpPort(const std::string& host, int port, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  asio::io_context ioc;
  while (std::chrono::steady_clock::now() < deadline) {
    tcp::socket socket(ioc);
    beast::error_code ec;
    socket.connect(tcp::endpoint(asio::ip::make_address(host), static_cast<uint16_t>(port)), ec);
    if (!ec) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace herdpass::testing
