#include "domain/passage.h"

#include <string>

namespace herdpass {

const char* PassageFlagName(PassageFlag f) {
  switch (f) {
    case PassageFlag::kNone:
      return "";
    case PassageFlag::kRevoked:
      return "revoked";
    case PassageFlag::kConsumed:
      return "consumed";
    case PassageFlag::kExpired:
      return "expired";
    case PassageFlag::kNotYetIssued:
      return "not_yet_issued";
  }
  return "";
}

Result<PassageFlag> ParsePassageFlag(std::string_view text) {
  for (PassageFlag f : {PassageFlag::kNone, PassageFlag::kRevoked, PassageFlag::kConsumed,
                        PassageFlag::kExpired, PassageFlag::kNotYetIssued}) {
    if (text == PassageFlagName(f)) return f;
  }
  return Internal("unknown passage flag");
}

bool HoldingTakesPassages(HoldingKind k) {
  return k == HoldingKind::kCheckpoint || k == HoldingKind::kBorderPost ||
         k == HoldingKind::kMarket || k == HoldingKind::kQuarantineStation;
}

Status CheckPassageHolding(const Holding& h, std::string_view field) {
  if (HoldingTakesPassages(h.kind)) return Status::Ok();
  return InvalidArgument(
      std::string(field),
      std::string("passages are recorded at a checkpoint, border post, market or "
                  "quarantine station, not at a ") +
          HoldingKindName(h.kind));
}

PassageFlag PassageFlagAt(const Certificate& c, Timestamp at) {
  if (c.status == CertificateStatus::kRevoked && c.revoked_at && *c.revoked_at <= at) {
    return PassageFlag::kRevoked;
  }
  if (c.consumed_at && *c.consumed_at <= at) return PassageFlag::kConsumed;
  if (c.expired_at(at)) return PassageFlag::kExpired;
  if (at < c.issued_at) return PassageFlag::kNotYetIssued;
  return PassageFlag::kNone;
}

std::string PassageFlagReason(const Certificate& c, PassageFlag flag) {
  switch (flag) {
    case PassageFlag::kNone:
      return "";
    case PassageFlag::kRevoked:
      return "the certificate " + c.number + " was revoked" +
             (c.revoked_at ? " at " + FormatRfc3339(*c.revoked_at) : "");
    case PassageFlag::kConsumed:
      return "the certificate " + c.number + " was already used" +
             (c.consumed_at ? " at " + FormatRfc3339(*c.consumed_at) : "");
    case PassageFlag::kExpired:
      return "the certificate " + c.number + " expired at " + FormatRfc3339(c.valid_until);
    case PassageFlag::kNotYetIssued:
      return "the certificate " + c.number + " was issued at " + FormatRfc3339(c.issued_at) +
             ", after the scan";
  }
  return "";
}

}  // namespace herdpass
