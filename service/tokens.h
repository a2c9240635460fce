// Bearer tokens of 256 random bits, stored only as their SHA-256 (DESIGN.md section 7): the staff's
// (service/auth.cpp) and the owners' in /me (service/owner_access.cpp). Private to service/.
#pragma once

#include <sodium.h>

#include <array>
#include <string>

namespace herdpass {

inline std::string ToHex(const unsigned char* data, size_t n) {
  std::string hex(n * 2, '\0');
  sodium_bin2hex(hex.data(), hex.size() + 1, data, n);
  return hex;
}

inline std::string TokenHash(const std::string& token) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> h{};
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return ToHex(h.data(), h.size());
}

// 64 hex characters.
inline std::string NewToken() {
  std::array<unsigned char, 32> raw{};
  randombytes_buf(raw.data(), raw.size());
  return ToHex(raw.data(), raw.size());
}

}  // namespace herdpass
