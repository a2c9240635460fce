#include "service/sms_callback.h"

#include <sodium.h>

#include <array>

namespace herdpass {

namespace {

std::string HmacHex(const std::string& secret, const std::string& id) {
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(id.data()),
                                id.size());
  crypto_auth_hmacsha256_final(&state, mac.data());
  std::array<char, crypto_auth_hmacsha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
  return std::string(hex.data(), hex.size() - 1);
}

bool Matches(const std::string& secret, const std::string& want, const std::string& token) {
  return !secret.empty() && token.size() == want.size() &&
         sodium_memcmp(token.data(), want.data(), want.size()) == 0;
}

}  // namespace

std::string SmsCallbackToken(const std::string& secret, int64_t message_id) {
  return HmacHex(secret, std::to_string(message_id));
}

bool SmsCallbackTokenMatches(const std::string& secret, int64_t message_id,
                             const std::string& token) {
  return Matches(secret, SmsCallbackToken(secret, message_id), token);
}

// "inbound" is no decimal number: no message id's token is the inbound one.
std::string SmsInboundToken(const std::string& secret) { return HmacHex(secret, "inbound"); }

bool SmsInboundTokenMatches(const std::string& secret, const std::string& token) {
  return Matches(secret, SmsInboundToken(secret), token);
}

}  // namespace herdpass
