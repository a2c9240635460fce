// Checkpoint passages (issue 12 item 4): an inspector at a checkpoint, border post, market or
// quarantine station scans a certificate and records that the animals passed there, with the head
// seen. The rules, written once: at which holdings passages are recorded, and when a passage is
// flagged (the certificate was already used, revoked or expired when it was scanned). Value types
// and pure functions; store/ applies the flag inside the write transaction, service/ checks the
// request and who may send it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/certificate.h"
#include "domain/holding.h"
#include "domain/status.h"
#include "domain/time.h"

namespace herdpass {

// Why a passage is suspect, judged at the moment of the scan (`at`), not when it reached the
// server: an offline scan sent a day later is judged as it was when scanned.
enum class PassageFlag {
  kNone,
  kRevoked,       // revoked at or before `at`
  kConsumed,      // used up (arrived) at or before `at`
  kExpired,       // `at` after valid_until
  kNotYetIssued,  // `at` before issued_at: a copy of a certificate not made yet, or a wrong clock
};
const char* PassageFlagName(
    PassageFlag f);  // "", "revoked", "consumed", "expired", "not_yet_issued"
Result<PassageFlag> ParsePassageFlag(std::string_view text);

struct Passage {
  std::string id;  // UUID made on the device, canonical lowercase text
  std::string certificate_id;
  int64_t holding_id = 0;
  Timestamp at{};  // when it was scanned (the device's clock)
  int32_t head_seen = 0;
  std::string note;
  int64_t recorded_by = 0;
  std::string recorded_by_name;  // filled by service/ where shown; not stored
  Timestamp received_at{};       // when the server stored it
  PassageFlag flag = PassageFlag::kNone;
  std::string authority;  // the holding's: who may see the passage
};

// Passages are recorded at the places where certificates are checked on the road: checkpoints,
// border posts, markets and quarantine stations. Not at farms, camps and pastures (kept by an
// owner), nor at slaughterhouses (where the certificate is consumed at arrival instead).
bool HoldingTakesPassages(HoldingKind k);
// kInvalidArgument naming `field` when `h` is not such a place.
Status CheckPassageHolding(const Holding& h, std::string_view field);

// The flag of a passage of `c` scanned at `at`. When several apply, the first of revoked,
// consumed, expired, not yet issued.
PassageFlag PassageFlagAt(const Certificate& c, Timestamp at);
// Why, in words, for the answer ("" for kNone): "the certificate KZ-... was revoked at <time>".
// Only what the public verification tells too: no revocation reason, no place of arrival.
std::string PassageFlagReason(const Certificate& c, PassageFlag flag);

}  // namespace herdpass
