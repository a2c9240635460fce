// The owner's messages about their certificates (DESIGN.md W15, issue 15 item 3): issued, with its
// number and a short check code; arrived; revoked. In the owner's language (domain/sms_text.h).
// Queued whether or not the owner sent STOP: the number travels with the truck driver.
// Thread-safe: pure functions.
#pragma once

#include <string>

namespace herdpass {

enum class CertificateSmsEvent { kIssued, kArrived, kRevoked };
const char* CertificateSmsEventName(CertificateSmsEvent e);  // "issued", "arrived", "revoked"

// Six digits from the SHA-256 of the certificate's signed HP1 text (the first four bytes, big
// endian, modulo 10^6, zero-padded): what a driver reads out over a phone to show the number on
// the SMS belongs to the signed certificate, not a number made up. Changes with any signed byte.
std::string CertificateCheckCode(const std::string& hp1);

// The outbox's dedupe key: one message per certificate and event.
std::string CertificateSmsKey(const std::string& certificate_id, CertificateSmsEvent e);

// The text. `check_code` and `head` are used by kIssued only.
std::string RenderCertificateSms(CertificateSmsEvent e, const std::string& number,
                                 const std::string& check_code, int head,
                                 const std::string& language);

}  // namespace herdpass
