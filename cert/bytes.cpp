// Byte helpers of cert/ (cert/detail/bytes.h) over libsodium.
#include "cert/detail/bytes.h"

#include <sodium.h>

#include "domain/model.h"

namespace herdpass::cert::detail {

bool EnsureSodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

std::string Hex(ByteView b) { return KidHex(b); }

std::optional<Bytes> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  Bytes out(hex.size() / 2);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, &end) != 0 ||
      len != out.size() || end != hex.data() + hex.size()) {
    return std::nullopt;
  }
  return out;
}

Bytes Sha256(ByteView b) {
  Bytes out(crypto_hash_sha256_BYTES);
  crypto_hash_sha256(out.data(), b.data(), b.size());
  return out;
}

namespace {

std::string ToBase64(ByteView b, int variant) {
  std::string out(sodium_base64_encoded_len(b.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), b.data(), b.size(), variant);
  out.resize(out.size() - 1);  // the terminating NUL sodium writes
  return out;
}

std::optional<Bytes> FromBase64Variant(std::string_view text, int variant) {
  Bytes out(text.size() / 4 * 3 + 3);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        variant) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

}  // namespace

std::string Base64(ByteView b) { return ToBase64(b, sodium_base64_VARIANT_ORIGINAL); }
std::optional<Bytes> FromBase64(std::string_view text) {
  return FromBase64Variant(text, sodium_base64_VARIANT_ORIGINAL);
}
std::string Base64Url(ByteView b) { return ToBase64(b, sodium_base64_VARIANT_URLSAFE_NO_PADDING); }
std::optional<Bytes> FromBase64Url(std::string_view text) {
  return FromBase64Variant(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::optional<Bytes> UuidBytes(std::string_view id) {
  auto canonical = NormalizeUuid(id);
  if (!canonical.ok()) return std::nullopt;
  std::string hex;
  for (char c : canonical.value()) {
    if (c != '-') hex += c;
  }
  return FromHex(hex);
}

}  // namespace herdpass::cert::detail
