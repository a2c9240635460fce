#include "domain/movement.h"

#include <algorithm>
#include <iterator>

namespace herdpass {

const char* MovementStatusName(MovementStatus s) {
  switch (s) {
    case MovementStatus::kPlanned:
      return "planned";
    case MovementStatus::kArrived:
      return "arrived";
    case MovementStatus::kMismatch:
      return "mismatch";
    case MovementStatus::kRevoked:
      return "revoked";
    case MovementStatus::kExpired:
      return "expired";
  }
  return "planned";
}

Result<MovementStatus> ParseMovementStatus(std::string_view text, std::string_view field) {
  for (MovementStatus s :
       {MovementStatus::kPlanned, MovementStatus::kArrived, MovementStatus::kMismatch,
        MovementStatus::kRevoked, MovementStatus::kExpired}) {
    if (text == MovementStatusName(s)) return s;
  }
  return InvalidArgument(std::string(field), std::string(field) +
                                                 " must be planned, arrived, mismatch, revoked or "
                                                 "expired");
}

MovementStatus MovementStatusAt(const Certificate& c, Timestamp now) {
  switch (c.status) {
    case CertificateStatus::kRevoked:
      return MovementStatus::kRevoked;
    case CertificateStatus::kConsumed:
      return c.arrival && c.arrival->mismatch ? MovementStatus::kMismatch
                                              : MovementStatus::kArrived;
    case CertificateStatus::kIssued:
      break;
  }
  return c.expired_at(now) ? MovementStatus::kExpired : MovementStatus::kPlanned;
}

Result<Arrival> CompareArrival(const Certificate& c, std::optional<int64_t> head_counted,
                               const std::optional<std::vector<std::string>>& tags_seen) {
  Arrival a;
  if (head_counted) {
    if (*head_counted < 0) {
      return InvalidArgument("head_count", "head_count must be 0 or more");
    }
    if (*head_counted > c.head_count) {
      return Status(StatusCode::kUnprocessable,
                    "head_count " + std::to_string(*head_counted) +
                        " is more than the certificate's " + std::to_string(c.head_count),
                    "head_count");
    }
    a.head_counted = static_cast<int32_t>(*head_counted);
    if (*head_counted < c.head_count) a.mismatch = true;
  }
  if (tags_seen) {
    a.tags_seen = *tags_seen;
    std::sort(a.tags_seen.begin(), a.tags_seen.end());
    a.tags_seen.erase(std::unique(a.tags_seen.begin(), a.tags_seen.end()), a.tags_seen.end());
    std::vector<std::string> expected = c.tags;
    std::sort(expected.begin(), expected.end());
    std::set_difference(expected.begin(), expected.end(), a.tags_seen.begin(), a.tags_seen.end(),
                        std::back_inserter(a.missing_tags));
    std::set_difference(a.tags_seen.begin(), a.tags_seen.end(), expected.begin(), expected.end(),
                        std::back_inserter(a.extra_tags));
    if (!a.missing_tags.empty() || !a.extra_tags.empty()) a.mismatch = true;
  }
  return a;
}

}  // namespace herdpass
