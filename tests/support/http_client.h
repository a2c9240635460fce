// A small synchronous HTTP/1.1 client for tests, and a free-port finder.
//
// HttpClient keeps one keep-alive connection and reconnects when the server has closed it (once per
// request: a request that fails on a fresh connection throws). Network failures throw
// std::runtime_error, which gtest reports as a test failure. Not thread-safe: one client per
// thread.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herdpass::testing {

struct CaseInsensitiveLess {
  bool operator()(const std::string& a, const std::string& b) const;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string, CaseInsensitiveLess>
      headers;  // a repeated field: the last one
  std::string body;

  // The header `name` (any case), or "".
  std::string header(const std::string& name) const;
  // The body parsed as JSON; throws nlohmann::json::parse_error when it is not JSON.
  nlohmann::json json() const;
};

class HttpClient {
 public:
  HttpClient(std::string host, int port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `token`, when not empty, goes out as "Authorization: Bearer <token>".
  HttpResponse Get(std::string_view target, std::string_view token = {});
  HttpResponse Post(std::string_view target, const nlohmann::json& body,
                    std::string_view token = {});
  HttpResponse PostRaw(std::string_view target, std::string body,
                       std::string_view content_type = "application/json",
                       std::string_view token = {});
  // Any method, with extra header fields.
  HttpResponse Send(std::string_view method, std::string_view target, std::string body = {},
                    std::string_view content_type = {}, std::string_view token = {},
                    const std::vector<std::pair<std::string, std::string>>& headers = {});

  // TCP connections opened so far: 1 after any number of keep-alive requests on one connection.
  int connections_opened() const { return connections_opened_; }
  void Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int connections_opened_ = 0;
};

// Opens a fresh connection, writes `bytes` as they are, and returns everything the server sends
// until it closes the connection (or `timeout_ms` passes). For malformed-request tests.
// `closed_by_server`, when given, is set to whether the server closed the connection (false: the
// timeout ended the wait).
std::string SendRawBytes(const std::string& host, int port, std::string_view bytes,
                         int timeout_ms = 5000, bool* closed_by_server = nullptr);

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
int FindFreePort();

// True once a TCP connection to host:port succeeds, false after `timeout_ms`.
bool WaitForTcpPort(const std::string& host, int port, int timeout_ms);

}  // namespace herdpass::testing
