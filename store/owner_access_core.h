// Owners' sign-in to /me (issue 15 item 4, domain/owner_code.h), written once for both backends:
// store_core.h runs these inside its write transactions, over a backend's codecs
// (record_codecs.h).
#pragma once

#include <cstdint>
#include <functional>

#include "domain/owner_code.h"
#include "domain/status.h"
#include "store/sms_core.h"
#include "store/store.h"

namespace herdpass::store {

// Stores the code and queues its message. kNotFound when the owner does not exist.
template <class Codecs, class Connection>
Result<int64_t> SaveOwnerCodeIn(Connection& conn, const OwnerCode& code, const NewSms& sms) {
  HP_RETURN_IF_ERROR((QueueSmsIn<Codecs>(conn, sms)).status());
  return Codecs::InsertOwnerCode(conn, code);
}

// One try of the owner's newest code: counted, or the code used and `session` saved.
template <class Codecs, class Connection>
Result<OwnerCodeOutcome> TryOwnerCodeIn(Connection& conn, int64_t owner_id,
                                        const std::function<bool(const OwnerCode&)>& matches,
                                        Timestamp now, const OwnerSession& session) {
  HP_ASSIGN_OR_RETURN(auto code, Codecs::ReadNewestOwnerCode(conn, owner_id));
  if (!code) return OwnerCodeOutcome::kNone;
  const OwnerCode before = *code;
  const OwnerCodeOutcome outcome = TryOwnerCode(*code, matches(*code), now);
  if (code->tries != before.tries || code->used != before.used) {
    HP_RETURN_IF_ERROR(Codecs::UpdateOwnerCode(conn, *code));
  }
  if (outcome == OwnerCodeOutcome::kSignedIn) {
    HP_RETURN_IF_ERROR(Codecs::InsertOwnerSession(conn, session));
  }
  return outcome;
}

}  // namespace herdpass::store
