// Owners signing in to /me (DESIGN.md W15, issue 15 item 4) with a one-time code sent by SMS: the
// code's rules, with no I/O. A code has kOwnerCodeDigits digits, is good for kOwnerCodeValidFor
// after it was made and for kOwnerCodeMaxTries tries, and signs in once; only the newest code of
// an owner counts (asking again makes the one before useless). The code itself is never stored:
// only its hash (service/owner_access.cpp).
// Thread-safe: value types and pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "domain/time.h"

namespace herdpass {

inline constexpr int kOwnerCodeDigits = 6;
inline constexpr std::chrono::minutes kOwnerCodeValidFor{10};
inline constexpr int kOwnerCodeMaxTries = 5;

// A code as stored.
struct OwnerCode {
  int64_t id = 0;
  int64_t owner_id = 0;
  std::string code_hash;  // "salt$sha256(salt, code)", hex (service/owner_access.cpp)
  Timestamp created_at{};
  Timestamp expires_at{};
  int tries = 0;      // wrong tries so far
  bool used = false;  // it signed in
};

enum class OwnerCodeOutcome {
  kSignedIn,  // the right code, in time, with tries left: now used
  kWrong,     // a wrong code; tries are left
  kSpent,     // no tries left (this wrong try was the last, or they were spent before), or used
  kExpired,   // older than kOwnerCodeValidFor
  kNone,      // the owner has no code (or the phone no owner: the service answers alike)
};
const char* OwnerCodeOutcomeName(OwnerCodeOutcome o);  // "signed_in", "wrong", ...

// One try of the newest code of an owner at `now`, `matches` telling whether the code typed is
// this one: the outcome, with `code` changed as it is to be stored (a wrong try counted, a right
// one used). A spent, used or expired code is not compared at all.
OwnerCodeOutcome TryOwnerCode(OwnerCode& code, bool matches, Timestamp now);

// Whether `text` has the form of a code: exactly kOwnerCodeDigits ASCII digits.
bool IsOwnerCodeForm(const std::string& text);

// The outbox's kind of the message carrying a code (SmsMessage::kind).
inline constexpr const char* kOwnerCodeSmsKind = "otp";

// `text` with every run of exactly kOwnerCodeDigits ASCII digits (the code, in any language's
// text) replaced by as many '*': how staff see a code's message (GET /sms/messages), so that no
// one who can read the outbox can sign in as the owner.
std::string MaskOwnerCode(const std::string& text);

}  // namespace herdpass
