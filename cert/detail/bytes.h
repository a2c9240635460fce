// Private to cert/: small byte helpers shared by the HP1 codec, the signed documents and the key
// files. libsodium does the work (hex, base64, SHA-256, init); these only adapt it to Bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cert/hp1.h"

namespace herdpass::cert::detail {

// Calls sodium_init() once per process; false when libsodium cannot start (no randomness).
bool EnsureSodium();

std::string Hex(ByteView b);                         // lowercase
std::optional<Bytes> FromHex(std::string_view hex);  // any case; nullopt when not hex
Bytes Sha256(ByteView b);

// Standard base64 with padding (RFC 4648 section 4): key files and trust-list keys.
std::string Base64(ByteView b);
std::optional<Bytes> FromBase64(std::string_view text);
// base64url without padding (RFC 4648 section 5, RFC 7515 section 2): JWS.
std::string Base64Url(ByteView b);
std::optional<Bytes> FromBase64Url(std::string_view text);

// The 16 bytes of a UUID in text form (any case); nullopt when not a UUID.
std::optional<Bytes> UuidBytes(std::string_view id);

inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace herdpass::cert::detail
