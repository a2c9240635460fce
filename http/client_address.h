// The address of the client behind reverse proxies (DESIGN.md section 9): login throttling and the
// audit log go by it. A reverse proxy (nginx, a TLS terminator) connects to the server itself and
// names the client in X-Forwarded-For; anyone else could write that header too, so it is believed
// only from the networks the operator lists (`herdpass serve --trusted-proxy CIDR`).
//
// Value type; thread-compatible (const methods may be called from any number of threads).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/status.h"
#include "http/request.h"

namespace herdpass::http {

class TrustedProxies {
 public:
  // None: the peer of the connection is always the client.
  TrustedProxies() = default;

  // Networks as "10.0.0.0/8", "fd00::/8", or one address ("192.168.1.7", "::1"). kInvalidArgument
  // with field "trusted-proxy" naming the first one that is not an IPv4 or IPv6 network.
  static Result<TrustedProxies> Parse(const std::vector<std::string>& networks);

  bool empty() const { return networks_.empty(); }
  // Whether `address` (an IP address as text; an IPv4 address may come IPv4-mapped,
  // "::ffff:a.b.c.d") is in one of the networks. False for text that is no IP address.
  bool Contains(std::string_view address) const;

  // The client of a request whose connection came from `peer`: `peer` itself unless it is a
  // trusted proxy. From a trusted proxy, X-Forwarded-For (every such field, in order, as one
  // comma-separated list) is read from the right: each trusted proxy named there passed the request
  // on, and the first address that is not one is the client; entries further left were written by
  // the client and prove nothing. When every entry is a trusted proxy, the left-most is the client;
  // when an entry is not an IP address (or the list is empty), the hop that passed it on is.
  // Addresses come back in their canonical text form.
  std::string ClientAddress(std::string_view peer, const Headers& headers) const;

 private:
  struct Network {
    std::array<uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
    int prefix = 0;                   // of the 128 bits
  };
  std::vector<Network> networks_;
};

}  // namespace herdpass::http
