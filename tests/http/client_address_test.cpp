// The client address behind reverse proxies (http/client_address.h): X-Forwarded-For is believed
// only from a trusted proxy, and only as far as the nearest address a trusted proxy added.
#include "http/client_address.h"

#include <gtest/gtest.h>

namespace herdpass::http {
namespace {

TrustedProxies Proxies(const std::vector<std::string>& cidrs) {
  auto p = TrustedProxies::Parse(cidrs);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(p).value() : TrustedProxies();
}

Headers ForwardedFor(std::vector<std::string> values) {
  Headers h;
  h.Add("Host", "herdpass.example");
  for (auto& v : values) h.Add("X-Forwarded-For", std::move(v));
  return h;
}

TEST(TrustedProxiesTest, ParsesNetworksAndSingleAddresses) {
  const TrustedProxies p = Proxies({"10.0.0.0/8", "192.168.1.7", "fd00::/8", "::1"});
  EXPECT_FALSE(p.empty());
  EXPECT_TRUE(p.Contains("10.255.0.1"));
  EXPECT_FALSE(p.Contains("11.0.0.1"));
  EXPECT_TRUE(p.Contains("192.168.1.7"));
  EXPECT_FALSE(p.Contains("192.168.1.8"));
  EXPECT_TRUE(p.Contains("fd12:3456::1"));
  EXPECT_FALSE(p.Contains("fe80::1"));
  EXPECT_TRUE(p.Contains("::1"));
  EXPECT_TRUE(p.Contains("::ffff:10.1.2.3"));  // an IPv4 peer on an IPv6 socket
  EXPECT_FALSE(p.Contains("not an address"));
  EXPECT_FALSE(p.Contains(""));
  EXPECT_TRUE(Proxies({"0.0.0.0/0"}).Contains("203.0.113.5"));
  EXPECT_FALSE(Proxies({"0.0.0.0/0"}).Contains("2001:db8::1"));
  EXPECT_TRUE(TrustedProxies().empty());
}

TEST(TrustedProxiesTest, RefusesWhatIsNotANetworkNamingIt) {
  for (const std::string bad : {"", "10.0.0.0/33", "::/129", "10.0.0.1/", "10.0.0.1/x",
                                "10.0.0.1/-1", "localhost", "10.0.0", "10.0.0.0/08x"}) {
    SCOPED_TRACE(bad);
    auto p = TrustedProxies::Parse({"127.0.0.1", bad});
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(p.status().field(), "trusted-proxy");
    EXPECT_NE(p.status().message().find("'" + bad + "'"), std::string::npos)
        << p.status().message();
  }
}

TEST(TrustedProxiesTest, WithoutTrustedProxiesThePeerIsTheClient) {
  EXPECT_EQ(TrustedProxies().ClientAddress("203.0.113.5", ForwardedFor({"198.51.100.7"})),
            "203.0.113.5");
  EXPECT_EQ(Proxies({"10.0.0.0/8"}).ClientAddress("203.0.113.5", ForwardedFor({"198.51.100.7"})),
            "203.0.113.5");
}

TEST(TrustedProxiesTest, FromATrustedProxyTheNearestUntrustedForwardedAddressIsTheClient) {
  const TrustedProxies p = Proxies({"127.0.0.1", "10.0.0.0/8"});
  EXPECT_EQ(p.ClientAddress("127.0.0.1", ForwardedFor({"198.51.100.7"})), "198.51.100.7");
  // The client wrote the left entry itself: only what the proxy added counts.
  EXPECT_EQ(p.ClientAddress("127.0.0.1", ForwardedFor({"1.2.3.4, 198.51.100.7"})), "198.51.100.7");
  // Through a chain of trusted proxies, across repeated header fields.
  EXPECT_EQ(p.ClientAddress("10.0.0.2", ForwardedFor({"1.2.3.4", "198.51.100.7 ,10.0.0.3"})),
            "198.51.100.7");
  // Everyone on the way trusted: the first address.
  EXPECT_EQ(p.ClientAddress("10.0.0.2", ForwardedFor({"10.0.0.9, 10.0.0.3"})), "10.0.0.9");
  // IPv6, written canonically.
  EXPECT_EQ(p.ClientAddress("127.0.0.1", ForwardedFor({"2001:DB8:0::1"})), "2001:db8::1");
  // No header: the proxy itself.
  EXPECT_EQ(p.ClientAddress("127.0.0.1", ForwardedFor({})), "127.0.0.1");
  EXPECT_EQ(p.ClientAddress("127.0.0.1", ForwardedFor({""})), "127.0.0.1");
  // A malformed entry where the client should be: the hop that passed it on.
  EXPECT_EQ(p.ClientAddress("127.0.0.1", ForwardedFor({"unknown"})), "127.0.0.1");
  EXPECT_EQ(p.ClientAddress("10.0.0.2", ForwardedFor({"198.51.100.7, garbage, 10.0.0.3"})),
            "10.0.0.3");
  EXPECT_EQ(p.ClientAddress("127.0.0.1", ForwardedFor({"198.51.100.7:4711"})), "127.0.0.1");
}

}  // namespace
}  // namespace herdpass::http
