// The HTTP/1.1 server: accepts connections, parses requests, runs handlers off the I/O threads.
//
// Threading: `io_threads` threads run the network (one C++20 coroutine per connection, on its own
// strand; keep-alive, one request at a time per connection, no pipelining). Handlers block (a
// durable SQLite commit takes ~0.3 ms and is shared between concurrent requests), so each request
// hops to a pool of `handler_threads` threads to run its handler and hops back to its connection to
// write. Many slow handlers therefore overlap, up to `handler_threads` at once.
//
// Limits: a body over `body_limit` answers 413 and closes; a header over `header_limit` answers
// 431; a request that does not parse answers 400 and closes. A connection idle (or a request
// arriving slower than) `idle_timeout` is closed. Handler exceptions answer a generic 500 problem;
// what() is logged, never sent.
//
// Metrics (when a registry is given): http_requests_total{route,method,status} and
// http_request_duration_seconds{route} (from the request read to its response handed to the
// socket; both are recorded before the write, so a client holding a response sees it counted). The
// route label is the pattern, "unmatched" when no route matched, "invalid" for requests that did
// not parse, so that clients cannot create series at will. Access log: spdlog at debug level.
//
// Thread safety: Start, Stop and Wait may be called from any thread except a handler thread.
// The Router and MetricsRegistry must outlive the Server and must not change after Start().
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "domain/status.h"
#include "http/client_address.h"
#include "http/metrics.h"
#include "http/router.h"

namespace herdpass::http {

struct ServerOptions {
  // "host:port"; host is an IP address ("127.0.0.1", "0.0.0.0", "[::1]"); port 0 picks a free port.
  std::string listen = "127.0.0.1:8080";
  int io_threads = 2;
  int handler_threads = 32;
  size_t body_limit = 1 << 20;  // 1 MiB (DESIGN.md 7)
  size_t header_limit = 16 << 10;
  std::chrono::milliseconds idle_timeout{30'000};
  // Stop() waits this long for in-flight requests before closing connections by force.
  std::chrono::milliseconds drain_timeout{10'000};
  MetricsRegistry* metrics = nullptr;  // not owned; may be null
  // Reverse proxies whose X-Forwarded-For names the client (Request::remote_address); none by
  // default: the peer is the client.
  TrustedProxies trusted_proxies;
  // HTTPS: PEM files of the certificate (with its chain) and of its private key, both or neither.
  // With them the listener speaks TLS only: TLS 1.2 and 1.3, for 1.2 ECDHE key exchange with AEAD
  // ciphers only, and every response carries Strict-Transport-Security. ReloadTls() reads them
  // again.
  std::string tls_cert;
  std::string tls_key;
  // "host:port" of a plain HTTP listener that answers every request with a 308 to the same path on
  // https (the Host header's name, the TLS listener's port); "" = none. REQUIRES: TLS.
  std::string redirect_listen;
};

// Reads and checks a TLS certificate and key as ServerOptions would use them: kInvalidArgument
// (field "tls-cert" or "tls-key") naming the file when one is missing, unreadable, not PEM, or the
// key is not the certificate's.
Status CheckTlsFiles(const std::string& cert_file, const std::string& key_file);

class Server {
 public:
  // REQUIRES: `router` outlives the Server.
  Server(ServerOptions options, const Router& router);
  // Stops (gracefully) if still running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the I/O and handler threads; returns the bound port. kInvalidArgument
  // for an unparseable listen address, kUnavailable when binding fails (port taken, no permission).
  // REQUIRES: called once.
  Result<int> Start();

  // Graceful stop: stops accepting, closes idle keep-alive connections, lets requests in flight run
  // their handlers and write their responses (for at most drain_timeout), then joins every thread.
  // Idempotent. REQUIRES: not called from a handler.
  void Stop();

  // Blocks until Stop() has finished (on another thread).
  void Wait();

  // The port Start() bound, or 0.
  int port() const;
  // The redirect listener's port, or 0.
  int redirect_port() const;

  // Reads ServerOptions::tls_cert and tls_key again (after a certificate renewal): handshakes from
  // now on use them; connections already open keep theirs. On an error (CheckTlsFiles' errors, or
  // no TLS configured: kFailedPrecondition) the server keeps the certificate it had.
  Status ReloadTls();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace herdpass::http
