// SMS to owners (DESIGN.md W15, issue 15): the rules of the outbox, with no I/O.
//
// - Coding and segments: GSM 03.38 7-bit where every character of the text is in the GSM default
//   alphabet or its extension table (an extension character takes two septets), else UCS-2 (UTF-16
//   code units). One message holds 160 septets or 70 units; a longer one is sent in parts of 153
//   septets or 67 units (the rest carries the concatenation header).
// - Sending times: nothing the owner did not ask for is sent in quiet hours, 21:00 to 08:00 local
//   time (UTC + the deployment's offset, serve --utc-offset); it waits until 08:00.
// - Retries: a failed hand-over to the gateway is retried after 30 s, doubling up to 1 h, and given
//   up after kSmsMaxAttempts.
// - Rate limits: at most SmsLimits::per_owner_per_day messages to one owner in any 24 h (what the
//   owner asked for included: a STATUS flood does not become an SMS flood), and at most
//   SmsLimits::global_per_minute handed to the gateway in any minute.
// Thread-safe: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/time.h"

namespace herdpass {

enum class SmsCoding { kGsm7, kUcs2 };
const char* SmsCodingName(SmsCoding c);  // "gsm7", "ucs2"

struct SmsEncoding {
  SmsCoding coding = SmsCoding::kGsm7;
  int units = 0;     // septets (GSM-7) or UTF-16 code units (UCS-2)
  int segments = 0;  // 1 for the empty text
};

// One code point of UTF-8 `s` at byte `i` (advanced past it); kBadUtf8 for a bad byte (skipped).
// Hand-written: domain/ links no Unicode library, and the SMS rules need only this.
inline constexpr char32_t kBadUtf8 = 0xFFFFFFFF;
char32_t NextCodePoint(std::string_view s, size_t& i);

// How `utf8` goes out: its coding and the number of parts. Text that is not valid UTF-8 counts each
// bad byte as one UCS-2 unit.
SmsEncoding EncodeForSms(std::string_view utf8);

enum class SmsStatus { kQueued, kSent, kDelivered, kFailed };
const char* SmsStatusName(SmsStatus s);  // "queued", "sent", "delivered", "failed"
bool ParseSmsStatus(std::string_view name, SmsStatus* out);

inline constexpr int kSmsMaxAttempts = 8;

// The status a delivery report leaves a message in: Kannel's dlr codes 1 (delivered to the phone)
// gives delivered, 2 (not delivered) and 16 (refused by the SMSC) failed; any other (4 buffered, 8
// taken by the SMSC) leaves `current` as it is, except that a queued message is then sent: the
// gateway has it (a crash came between the hand-over and its marking, docs/sms.md).
SmsStatus SmsStatusAfterReport(SmsStatus current, int dlr);

struct SmsLimits {
  int per_owner_per_day = 5;
  int global_per_minute = 600;
};

// The earliest time at or after `now` a message may go: `now` itself when it was requested by the
// owner or it is between 08:00 and 21:00 local (UTC + `utc_offset`), else the next 08:00 local.
Timestamp SmsSendableFrom(Timestamp now, std::chrono::minutes utc_offset, bool requested);

// The wait before the next attempt after `attempts` failed ones (>= 1): 30 s, 60 s, ... up to 1 h.
std::chrono::seconds SmsRetryDelay(int attempts);

}  // namespace herdpass
