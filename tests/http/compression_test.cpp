// http/compression: gzip, Accept-Encoding, and inflating request bodies under a limit. The server's
// use of them, black-box: serve_tls_test.py CompressionTest.
#include "http/compression.h"

#include <gtest/gtest.h>

#include "tests/support/gzip.h"

namespace herdpass::http {
namespace {

using testing::Gunzip;

TEST(GzipTest, GzipRoundTripsThroughAnIndependentInflater) {
  const std::string text(5000, 'a');
  const std::string gz = Gzip(text, 6);
  ASSERT_FALSE(gz.empty());
  EXPECT_LT(gz.size(), 100u);
  EXPECT_EQ(Gunzip(gz), text);
}

TEST(GzipTest, InflatesWithinTheLimitAndExactlyAtIt) {
  const std::string text(4096, 'x');
  std::string out;
  EXPECT_EQ(GunzipLimited(Gzip(text, 6), 4096, out), GunzipResult::kOk);
  EXPECT_EQ(out, text);
  EXPECT_EQ(GunzipLimited(Gzip(text, 6), 4095, out), GunzipResult::kTooLarge);
  EXPECT_TRUE(out.empty());
}

TEST(GzipTest, ABombStopsAtTheLimit) {
  const std::string bomb = Gzip(std::string(64 << 20, '\0'), 9);  // 64 MiB of zeros
  ASSERT_LT(bomb.size(), 100u << 10);
  std::string out;
  EXPECT_EQ(GunzipLimited(bomb, 1 << 20, out), GunzipResult::kTooLarge);
  EXPECT_TRUE(out.empty());
}

TEST(GzipTest, ConcatenatedMembersAreOneBody) {
  std::string out;
  EXPECT_EQ(GunzipLimited(Gzip("{\"a\":", 6) + Gzip("1}", 6), 100, out), GunzipResult::kOk);
  EXPECT_EQ(out, "{\"a\":1}");
}

TEST(GzipTest, BrokenStreamsAreCorrupt) {
  const std::string gz = Gzip(std::string(2000, 'q') + "end", 6);
  std::string out;
  EXPECT_EQ(GunzipLimited(gz.substr(0, gz.size() - 4), 1 << 20, out), GunzipResult::kCorrupt);
  EXPECT_EQ(GunzipLimited(gz.substr(0, 12), 1 << 20, out), GunzipResult::kCorrupt);
  EXPECT_EQ(GunzipLimited(gz + "junk", 1 << 20, out), GunzipResult::kCorrupt);
  EXPECT_EQ(GunzipLimited("{\"not\": \"gzip\"}", 1 << 20, out), GunzipResult::kCorrupt);
  EXPECT_EQ(GunzipLimited("", 1 << 20, out), GunzipResult::kCorrupt);
  std::string flipped = gz;
  flipped[gz.size() - 6] ^= 0x55;  // the CRC-32 no longer matches
  EXPECT_EQ(GunzipLimited(flipped, 1 << 20, out), GunzipResult::kCorrupt);
  EXPECT_TRUE(out.empty());
}

TEST(GzipTest, AcceptEncoding) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("br, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("br, deflate"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0.000, *"));
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
}

TEST(GzipTest, CompressibleTypes) {
  EXPECT_TRUE(IsCompressible("application/json"));
  EXPECT_TRUE(IsCompressible("application/problem+json"));
  EXPECT_TRUE(IsCompressible("text/html; charset=utf-8"));
  EXPECT_TRUE(IsCompressible("image/svg+xml"));
  EXPECT_FALSE(IsCompressible("image/png"));
  EXPECT_FALSE(IsCompressible("application/pdf"));
  EXPECT_FALSE(IsCompressible("application/octet-stream"));
}

}  // namespace
}  // namespace herdpass::http
