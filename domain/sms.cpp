#include "domain/sms.h"

#include <algorithm>
#include <array>

namespace herdpass {
namespace {

// The GSM 03.38 default alphabet (one septet each) beyond ASCII letters, digits and the ASCII
// punctuation it shares, and its extension table (two septets each: escape + character). Written
// out here because no Debian library offers it (Kannel's charset tables live inside Kannel).
constexpr std::u32string_view kGsmBasicExtra = U"£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà";
constexpr std::u32string_view kGsmAsciiMissing = U"`[]{}\\^~|";  // ASCII not in the basic table
constexpr std::u32string_view kGsmExtension = U"^{}\\[~]|€";

}  // namespace

char32_t NextCodePoint(std::string_view s, size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  int follow = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
  if (follow < 0 || i + static_cast<size_t>(follow) >= s.size()) {
    ++i;
    return follow == 0 ? c : 0xFFFFFFFF;
  }
  char32_t cp = follow == 0 ? c : follow == 1 ? (c & 0x1F) : follow == 2 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k <= follow; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
    if ((b >> 6) != 2) {
      ++i;
      return 0xFFFFFFFF;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += static_cast<size_t>(follow) + 1;
  return cp;
}

namespace {

// Septets the character takes in GSM-7, 0 when it has none.
int GsmSeptets(char32_t c) {
  if (c == '\n' || c == '\r') return 1;
  if (c >= 0x20 && c < 0x7F) {
    if (kGsmAsciiMissing.find(c) == std::u32string_view::npos) return 1;
  }
  if (kGsmBasicExtra.find(c) != std::u32string_view::npos) return 1;
  if (kGsmExtension.find(c) != std::u32string_view::npos) return 2;
  return 0;
}

}  // namespace

const char* SmsCodingName(SmsCoding c) { return c == SmsCoding::kGsm7 ? "gsm7" : "ucs2"; }

SmsEncoding EncodeForSms(std::string_view utf8) {
  int septets = 0;
  int units = 0;
  bool gsm = true;
  for (size_t i = 0; i < utf8.size();) {
    const char32_t c = NextCodePoint(utf8, i);
    units += c != 0xFFFFFFFF && c >= 0x10000 ? 2 : 1;
    const int n = c == 0xFFFFFFFF ? 0 : GsmSeptets(c);
    if (n == 0) gsm = false;
    septets += n;
  }
  SmsEncoding e;
  e.coding = gsm ? SmsCoding::kGsm7 : SmsCoding::kUcs2;
  e.units = gsm ? septets : units;
  const int single = gsm ? 160 : 70;
  const int part = gsm ? 153 : 67;
  e.segments = e.units <= single ? 1 : (e.units + part - 1) / part;
  return e;
}

const char* SmsStatusName(SmsStatus s) {
  switch (s) {
    case SmsStatus::kQueued:
      return "queued";
    case SmsStatus::kSent:
      return "sent";
    case SmsStatus::kDelivered:
      return "delivered";
    case SmsStatus::kFailed:
      return "failed";
  }
  return "queued";
}

bool ParseSmsStatus(std::string_view name, SmsStatus* out) {
  for (SmsStatus s :
       {SmsStatus::kQueued, SmsStatus::kSent, SmsStatus::kDelivered, SmsStatus::kFailed}) {
    if (name == SmsStatusName(s)) {
      *out = s;
      return true;
    }
  }
  return false;
}

SmsStatus SmsStatusAfterReport(SmsStatus current, int dlr) {
  if (dlr == 1) return SmsStatus::kDelivered;
  if (dlr == 2 || dlr == 16) return SmsStatus::kFailed;
  return current == SmsStatus::kQueued ? SmsStatus::kSent : current;
}

Timestamp SmsSendableFrom(Timestamp now, std::chrono::minutes utc_offset, bool requested) {
  using namespace std::chrono;
  if (requested) return now;
  const Timestamp local = now + utc_offset;
  const auto day = floor<days>(local);
  const auto into_day = local - day;
  if (into_day >= hours(8) && into_day < hours(21)) return now;
  const auto next_8 = into_day < hours(8) ? day + hours(8) : day + days(1) + hours(8);
  return time_point_cast<milliseconds>(next_8 - utc_offset);
}

std::chrono::seconds SmsRetryDelay(int attempts) {
  const int doublings = std::clamp(attempts - 1, 0, 7);
  return std::min(std::chrono::seconds(30) * (1 << doublings), std::chrono::seconds(3600));
}

}  // namespace herdpass
