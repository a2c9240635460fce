// The token of a delivery report's URL (http/kannel_gateway.h): HMAC-SHA-256 (libsodium's
// crypto_auth_hmacsha256) of the message id under the deployment's SMS secret, in hex. Smsbox
// calls the URL as it was given; the token proves the URL came from this server and names that
// message alone, so that the secret itself never travels in a URL.
#pragma once

#include <cstdint>
#include <string>

namespace herdpass {

std::string SmsCallbackToken(const std::string& secret, int64_t message_id);
// The token of the inbound URL (smsbox's sms-service post-url, docs/sms.md): HMAC-SHA-256 of the
// word "inbound" under the same secret, in hex. One for every message: the URL is configured once.
std::string SmsInboundToken(const std::string& secret);
bool SmsInboundTokenMatches(const std::string& secret, const std::string& token);
// Constant-time comparison with the expected token.
bool SmsCallbackTokenMatches(const std::string& secret, int64_t message_id,
                             const std::string& token);

}  // namespace herdpass
