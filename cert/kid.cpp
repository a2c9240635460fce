// kid: the first 8 bytes of SHA-256 over a key (DESIGN.md section 6).
#include <sodium.h>

#include <algorithm>

#include "cert/hp1.h"

namespace herdpass::cert {

std::array<uint8_t, 8> KidOf(ByteView key_bytes) {
  std::array<uint8_t, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), key_bytes.data(), key_bytes.size());
  std::array<uint8_t, 8> kid{};
  std::copy_n(digest.begin(), kid.size(), kid.begin());
  return kid;
}

std::string KidHex(ByteView kid) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(kid.size() * 2);
  for (uint8_t b : kid) {
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
  return out;
}

}  // namespace herdpass::cert
