#include "http/client_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <optional>

namespace herdpass::http {
namespace {

using Bytes16 = std::array<uint8_t, 16>;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An IPv4 or IPv6 address as 16 bytes (IPv4 mapped into IPv6), or nothing.
std::optional<Bytes16> ParseAddress(std::string_view text, bool* is_v4 = nullptr) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  const std::string s(text);
  Bytes16 out{};
  in_addr v4{};
  if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    if (is_v4) *is_v4 = true;
    return out;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    if (is_v4) *is_v4 = false;
    return out;
  }
  return std::nullopt;
}

bool IsV4Mapped(const Bytes16& b) {
  for (int i = 0; i < 10; ++i) {
    if (b[i] != 0) return false;
  }
  return b[10] == 0xff && b[11] == 0xff;
}

std::string Canonical(const Bytes16& b) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (IsV4Mapped(b)) {
    ::inet_ntop(AF_INET, b.data() + 12, buf, sizeof buf);
  } else {
    ::inet_ntop(AF_INET6, b.data(), buf, sizeof buf);
  }
  return buf;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& networks) {
  TrustedProxies out;
  for (const std::string& text : networks) {
    auto bad = [&](const std::string& why) {
      return InvalidArgument("trusted-proxy", "'" + text.substr(0, 64) + "' is not " + why);
    };
    const size_t slash = text.find('/');
    bool v4 = false;
    auto address = ParseAddress(std::string_view(text).substr(0, slash), &v4);
    if (!address) return bad("an IPv4 or IPv6 address or network, such as 10.0.0.0/8 or ::1");
    const int bits = v4 ? 32 : 128;
    int prefix = bits;
    if (slash != std::string::npos) {
      const std::string_view p = std::string_view(text).substr(slash + 1);
      auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
      if (p.empty() || p.size() > 3 || ec != std::errc() || end != p.data() + p.size() ||
          prefix < 0 || prefix > bits) {
        return bad("a network: the prefix length after '/' is 0 to " + std::to_string(bits));
      }
    }
    Network n;
    n.bytes = *address;
    n.prefix = prefix + (v4 ? 96 : 0);
    out.networks_.push_back(n);
  }
  return out;
}

bool TrustedProxies::Contains(std::string_view address) const {
  if (networks_.empty()) return false;
  auto a = ParseAddress(address);
  if (!a) return false;
  for (const Network& n : networks_) {
    bool match = true;
    int bits = n.prefix;
    for (int i = 0; i < 16 && bits > 0 && match; ++i, bits -= 8) {
      const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
      match = ((*a)[i] & mask) == (n.bytes[i] & mask);
    }
    if (match) return true;
  }
  return false;
}

std::string TrustedProxies::ClientAddress(std::string_view peer, const Headers& headers) const {
  if (!Contains(peer)) return std::string(peer);
  std::vector<std::string_view> hops;  // left to right, as the proxies appended them
  for (const auto& [name, value] : headers.fields()) {
    if (!EqualsIgnoreCase(name, "X-Forwarded-For")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      hops.push_back(Trim(rest.substr(0, comma)));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  std::string client = Canonical(*ParseAddress(peer));
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    auto address = ParseAddress(*it);
    if (!address) break;  // not an address: the hop that passed it on is all that is known
    client = Canonical(*address);
    if (!Contains(client)) break;
  }
  return client;
}

}  // namespace herdpass::http
