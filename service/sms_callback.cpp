#include "service/sms_callback.h"

#include <sodium.h>

#include <array>

namespace herdpass {

std::string SmsCallbackToken(const std::string& secret, int64_t message_id) {
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  const std::string id = std::to_string(message_id);
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(id.data()),
                                id.size());
  crypto_auth_hmacsha256_final(&state, mac.data());
  std::array<char, crypto_auth_hmacsha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
  return std::string(hex.data(), hex.size() - 1);
}

bool SmsCallbackTokenMatches(const std::string& secret, int64_t message_id,
                             const std::string& token) {
  const std::string want = SmsCallbackToken(secret, message_id);
  return !secret.empty() && token.size() == want.size() &&
         sodium_memcmp(token.data(), want.data(), want.size()) == 0;
}

}  // namespace herdpass
