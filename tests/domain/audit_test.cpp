#include "domain/audit.h"

#include <gtest/gtest.h>
#include <sodium.h>

namespace herdpass {
namespace {

using namespace std::chrono_literals;

AuditEntry Sample() {
  AuditEntry e;
  e.at = Timestamp(1'764'386'951'123ms);
  e.user_id = 7;
  e.username = "inspector1";
  e.action = "lookup.phone";
  e.target = "phone:+77012345678";
  e.detail = R"({"years":3})";
  e.address = "10.0.0.5";
  e.authority = "KZ-ABY";
  return e;
}

bool IsLowerHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

TEST(AuditChainTest, IsLowercaseHexSha256AndDeterministic) {
  std::string h = ChainHash(kAuditGenesisHash, 1, Sample());
  EXPECT_TRUE(IsLowerHex64(h)) << h;
  EXPECT_EQ(h, ChainHash(kAuditGenesisHash, 1, Sample()));
  EXPECT_EQ(kAuditGenesisHash, std::string(64, '0'));
}

// The chain hash of row 1 after the genesis hash, computed independently of domain/audit.cpp:
// SHA-256 over 8-byte big-endian integers and length-prefixed strings, the authority last and only
// when `with_authority`.
std::string IndependentHash(const AuditEntry& e, bool with_authority) {
  auto u64 = [](std::string& out, uint64_t v) {
    for (int i = 7; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  };
  auto field = [&](std::string& out, const std::string& s) {
    u64(out, s.size());
    out += s;
  };
  std::string buf;
  field(buf, kAuditGenesisHash);
  u64(buf, 1);
  u64(buf, static_cast<uint64_t>(e.at.time_since_epoch().count()));
  u64(buf, static_cast<uint64_t>(e.user_id));
  field(buf, e.username);
  field(buf, e.action);
  field(buf, e.target);
  field(buf, e.detail);
  field(buf, e.address);
  if (with_authority) field(buf, e.authority);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(buf.data()), buf.size());
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

// Pins the encoding: every backend and `herdpass audit verify` must agree on it forever, so a
// change here breaks every stored chain.
TEST(AuditChainTest, EncodingIsLengthPrefixedBigEndian) {
  AuditEntry e = Sample();
  ASSERT_FALSE(e.authority.empty());
  EXPECT_EQ(ChainHash(kAuditGenesisHash, 1, e), IndependentHash(e, true));
}

// Rows stored before AuditEntry had an authority (every one of them has authority "") must keep
// their hash, or every existing chain would fail `herdpass audit verify` after the upgrade: an
// empty authority is left out of the encoding, which is then the one of the first release.
TEST(AuditChainTest, EmptyAuthorityHashesAsRowsWrittenBeforeTheField) {
  AuditEntry e = Sample();
  e.authority.clear();
  EXPECT_EQ(ChainHash(kAuditGenesisHash, 1, e), IndependentHash(e, false));
}

TEST(AuditChainTest, EveryFieldChangesTheHash) {
  const std::string base = ChainHash(kAuditGenesisHash, 1, Sample());
  auto differs = [&](auto mutate) {
    AuditEntry e = Sample();
    mutate(e);
    return ChainHash(kAuditGenesisHash, 1, e) != base;
  };
  EXPECT_TRUE(differs([](AuditEntry& e) { e.at += 1ms; }));
  EXPECT_TRUE(differs([](AuditEntry& e) { e.user_id = 8; }));
  EXPECT_TRUE(differs([](AuditEntry& e) { e.username = "inspector2"; }));
  EXPECT_TRUE(differs([](AuditEntry& e) { e.action = "lookup.tag"; }));
  EXPECT_TRUE(differs([](AuditEntry& e) { e.target = "phone:+77012345679"; }));
  EXPECT_TRUE(differs([](AuditEntry& e) { e.detail = R"({"years":2})"; }));
  EXPECT_TRUE(differs([](AuditEntry& e) { e.address = "10.0.0.6"; }));
  EXPECT_TRUE(differs([](AuditEntry& e) { e.authority = "KZ-ALM"; }));
  EXPECT_NE(ChainHash(kAuditGenesisHash, 2, Sample()), base);
  EXPECT_NE(ChainHash(std::string(63, '0') + "1", 1, Sample()), base);
}

TEST(AuditChainTest, FieldBoundariesCannotShift) {
  AuditEntry a = Sample(), b = Sample();
  a.action = "lookup.phone";
  a.target = "x";
  b.action = "lookup.phon";
  b.target = "ex";
  EXPECT_NE(ChainHash(kAuditGenesisHash, 1, a), ChainHash(kAuditGenesisHash, 1, b));
  a.detail = "";
  a.address = "ab";
  b = a;
  b.detail = "ab";
  b.address = "";
  EXPECT_NE(ChainHash(kAuditGenesisHash, 1, a), ChainHash(kAuditGenesisHash, 1, b));
  // The optional last field cannot borrow from the one before it either.
  a.authority = "";
  b = a;
  b.address = "";
  b.authority = "ab";
  EXPECT_NE(ChainHash(kAuditGenesisHash, 1, a), ChainHash(kAuditGenesisHash, 1, b));
}

TEST(AuditChainTest, ChainDetectsARemovedRow) {
  std::vector<AuditRow> rows;
  std::string prev = kAuditGenesisHash;
  for (int64_t seq = 1; seq <= 3; ++seq) {
    AuditRow r{seq, Sample(), prev, ""};
    r.entry.user_id = seq;
    r.hash = ChainHash(r.prev_hash, r.seq, r.entry);
    prev = r.hash;
    rows.push_back(r);
  }
  // Row 3 links to row 2; with row 2 removed it no longer links to row 1.
  EXPECT_EQ(rows[2].prev_hash, rows[1].hash);
  EXPECT_NE(rows[2].prev_hash, rows[0].hash);
  EXPECT_EQ(ChainHash(rows[2].prev_hash, rows[2].seq, rows[2].entry), rows[2].hash);
}

}  // namespace
}  // namespace herdpass
