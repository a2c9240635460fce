// Movements (W13, issue 12 item 3): a certificate is a planned movement from an origin holding to a
// destination holding; the inspector at arrival counts the head and reads the tags. The rules of
// an arrival and of a movement's status, written once. Pure functions: no clock, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/certificate.h"
#include "domain/status.h"
#include "domain/time.h"

namespace herdpass {

// planned: issued, not arrived (and still valid); arrived; mismatch: arrived with fewer head or
// missing or extra tags; revoked; expired: issued, never arrived, past valid_until.
enum class MovementStatus { kPlanned, kArrived, kMismatch, kRevoked, kExpired };
const char* MovementStatusName(MovementStatus s);  // "planned", "arrived", "mismatch", ...
// kInvalidArgument naming `field` for any other text.
Result<MovementStatus> ParseMovementStatus(std::string_view text,
                                           std::string_view field = "status");

// The movement's status at `now`.
MovementStatus MovementStatusAt(const Certificate& c, Timestamp now);

// What arrived, compared with the certificate `c`:
//  - head_counted, when given, is from 0 to c.head_count: more head than certified is refused
//    (kUnprocessable naming "head_count"), as is a negative count (kInvalidArgument);
//  - tags_seen, when given, are normalized tags (duplicates counted once): missing_tags are the
//    certificate's tags not seen, extra_tags the tags seen that it does not name;
//  - mismatch when fewer head were counted, or a tag is missing or extra. Without a count and
//    without tags (older clients) nothing is compared and the arrival is no mismatch.
Result<Arrival> CompareArrival(const Certificate& c, std::optional<int64_t> head_counted,
                               const std::optional<std::vector<std::string>>& tags_seen);

}  // namespace herdpass
