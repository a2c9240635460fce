// The token of a delivery report's URL (http/kannel_gateway.h): HMAC-SHA-256 (libsodium's
// crypto_auth_hmacsha256) of the message id under the deployment's SMS secret, in hex. Smsbox
// calls the URL as it was given; the token proves the URL came from this server and names that
// message alone, so that the secret itself never travels in a URL.
#pragma once

#include <cstdint>
#include <string>

namespace herdpass {

std::string SmsCallbackToken(const std::string& secret, int64_t message_id);
// Constant-time comparison with the expected token.
bool SmsCallbackTokenMatches(const std::string& secret, int64_t message_id,
                             const std::string& token);

}  // namespace herdpass
