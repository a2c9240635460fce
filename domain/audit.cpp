#include "domain/audit.h"

#include <sodium.h>

#include <string_view>

namespace herdpass {
namespace {

// Appends the 8-byte big-endian encoding of `v`.
void PutU64(crypto_hash_sha256_state* st, uint64_t v) {
  unsigned char b[8];
  for (int i = 7; i >= 0; --i) {
    b[i] = static_cast<unsigned char>(v & 0xff);
    v >>= 8;
  }
  crypto_hash_sha256_update(st, b, sizeof b);
}

// A length prefix makes the encoding injective: ("ab", "c") and ("a", "bc") hash differently.
void PutField(crypto_hash_sha256_state* st, std::string_view s) {
  PutU64(st, s.size());
  crypto_hash_sha256_update(st, reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

}  // namespace

std::string ChainHash(const std::string& prev_hash, int64_t seq, const AuditEntry& entry) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  PutField(&st, prev_hash);
  PutU64(&st, static_cast<uint64_t>(seq));
  PutU64(&st, static_cast<uint64_t>(entry.at.time_since_epoch().count()));
  PutU64(&st, static_cast<uint64_t>(entry.user_id));
  PutField(&st, entry.username);
  PutField(&st, entry.action);
  PutField(&st, entry.target);
  PutField(&st, entry.detail);
  PutField(&st, entry.address);
  // Only when set, so that chains written before the field existed still verify (audit.h).
  if (!entry.authority.empty()) PutField(&st, entry.authority);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, digest);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex, crypto_hash_sha256_BYTES * 2);
}

}  // namespace herdpass
