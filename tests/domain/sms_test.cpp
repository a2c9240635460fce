#include "domain/sms.h"

#include <gtest/gtest.h>

#include <string>

namespace herdpass {
namespace {

using namespace std::chrono_literals;

Timestamp T(std::string_view s) {
  auto r = ParseRfc3339(s);
  EXPECT_TRUE(r.ok()) << s;
  return r.ok() ? *r : Timestamp();
}

TEST(SmsEncodingTest, GsmTextCountsSeptetsAndExtensionCharactersTwice) {
  auto e = EncodeForSms("Vaccinated: 12 head, FMD O @ $5_");
  EXPECT_EQ(e.coding, SmsCoding::kGsm7);
  EXPECT_EQ(e.units, 32);
  EXPECT_EQ(e.segments, 1);
  auto ext = EncodeForSms("a{b}€");  // {, } and the euro sign: escape + character
  EXPECT_EQ(ext.coding, SmsCoding::kGsm7);
  EXPECT_EQ(ext.units, 8);
  EXPECT_EQ(EncodeForSms("é è Ä ß Δ").coding, SmsCoding::kGsm7);  // in the basic table
}

TEST(SmsEncodingTest, SegmentsSplitAt160Then153) {
  EXPECT_EQ(EncodeForSms(std::string(160, 'a')).segments, 1);
  EXPECT_EQ(EncodeForSms(std::string(161, 'a')).segments, 2);
  EXPECT_EQ(EncodeForSms(std::string(306, 'a')).segments, 2);
  EXPECT_EQ(EncodeForSms(std::string(307, 'a')).segments, 3);
  // 80 braces are 160 septets (one part); 81 are 162 (two).
  EXPECT_EQ(EncodeForSms(std::string(80, '{')).segments, 1);
  EXPECT_EQ(EncodeForSms(std::string(81, '{')).segments, 2);
  EXPECT_EQ(EncodeForSms("").segments, 1);
}

TEST(SmsEncodingTest, AnyOtherCharacterMakesItUcs2At70Then67) {
  std::string russian;
  for (int i = 0; i < 70; ++i) russian += "ж";
  auto one = EncodeForSms(russian);
  EXPECT_EQ(one.coding, SmsCoding::kUcs2);
  EXPECT_EQ(one.units, 70);
  EXPECT_EQ(one.segments, 1);
  EXPECT_EQ(EncodeForSms(russian + "ж").segments, 2);
  EXPECT_EQ(EncodeForSms("abc`").coding, SmsCoding::kUcs2);  // the backtick is not GSM
  auto chinese = EncodeForSms("已接种");
  EXPECT_EQ(chinese.coding, SmsCoding::kUcs2);
  EXPECT_EQ(chinese.units, 3);
  EXPECT_EQ(EncodeForSms("😀").units, 2);  // beyond the BMP: a surrogate pair
  std::string bytes = "a\xff";
  EXPECT_EQ(EncodeForSms(bytes).coding, SmsCoding::kUcs2);
}

TEST(SmsScheduleTest, QuietHoursHoldWhatTheOwnerDidNotAskFor) {
  const auto offset = 5h;  // UTC+5: 16:00Z is 21:00 local, 03:00Z is 08:00 local
  EXPECT_EQ(SmsSendableFrom(T("2026-12-07T10:00:00Z"), offset, false), T("2026-12-07T10:00:00Z"));
  EXPECT_EQ(SmsSendableFrom(T("2026-12-07T15:59:59Z"), offset, false), T("2026-12-07T15:59:59Z"));
  EXPECT_EQ(SmsSendableFrom(T("2026-12-07T16:00:00Z"), offset, false), T("2026-12-08T03:00:00Z"));
  EXPECT_EQ(SmsSendableFrom(T("2026-12-07T20:30:00Z"), offset, false), T("2026-12-08T03:00:00Z"));
  EXPECT_EQ(SmsSendableFrom(T("2026-12-08T02:59:00Z"), offset, false), T("2026-12-08T03:00:00Z"));
  EXPECT_EQ(SmsSendableFrom(T("2026-12-08T03:00:00Z"), offset, false), T("2026-12-08T03:00:00Z"));
  // Asked for (a reply to STATUS): at once, night or day.
  EXPECT_EQ(SmsSendableFrom(T("2026-12-07T20:30:00Z"), offset, true), T("2026-12-07T20:30:00Z"));
  // A negative offset: UTC-3, 00:30Z is 21:30 local the day before.
  EXPECT_EQ(SmsSendableFrom(T("2026-12-08T00:30:00Z"), -3h, false), T("2026-12-08T11:00:00Z"));
}

TEST(SmsScheduleTest, RetriesBackOffFrom30SecondsToAnHour) {
  EXPECT_EQ(SmsRetryDelay(1), 30s);
  EXPECT_EQ(SmsRetryDelay(2), 60s);
  EXPECT_EQ(SmsRetryDelay(3), 120s);
  EXPECT_EQ(SmsRetryDelay(7), 1920s);
  EXPECT_EQ(SmsRetryDelay(8), 3600s);
  EXPECT_EQ(SmsRetryDelay(50), 3600s);
}

TEST(SmsStatusTest, DeliveryReportsMoveTheStatus) {
  EXPECT_EQ(SmsStatusAfterReport(SmsStatus::kSent, 1), SmsStatus::kDelivered);
  EXPECT_EQ(SmsStatusAfterReport(SmsStatus::kSent, 2), SmsStatus::kFailed);
  EXPECT_EQ(SmsStatusAfterReport(SmsStatus::kSent, 16), SmsStatus::kFailed);
  EXPECT_EQ(SmsStatusAfterReport(SmsStatus::kSent, 8), SmsStatus::kSent);
  EXPECT_EQ(SmsStatusAfterReport(SmsStatus::kDelivered, 8), SmsStatus::kDelivered);
  // Still queued (a crash before the marking): the gateway has it, so it is not sent again.
  EXPECT_EQ(SmsStatusAfterReport(SmsStatus::kQueued, 8), SmsStatus::kSent);
  EXPECT_EQ(SmsStatusAfterReport(SmsStatus::kQueued, 1), SmsStatus::kDelivered);
}

TEST(SmsStatusTest, NamesRoundTrip) {
  for (SmsStatus s :
       {SmsStatus::kQueued, SmsStatus::kSent, SmsStatus::kDelivered, SmsStatus::kFailed}) {
    SmsStatus back = SmsStatus::kFailed;
    ASSERT_TRUE(ParseSmsStatus(SmsStatusName(s), &back));
    EXPECT_EQ(back, s);
  }
  SmsStatus ignored;
  EXPECT_FALSE(ParseSmsStatus("lost", &ignored));
}

}  // namespace
}  // namespace herdpass
