// domain/owner_code.h: the one-time code's rules (issue 15 item 4).
#include "domain/owner_code.h"

#include <gtest/gtest.h>

namespace herdpass {
namespace {

Timestamp At(int64_t s) { return Timestamp(std::chrono::seconds(s)); }

OwnerCode Fresh() {
  OwnerCode c;
  c.created_at = At(1000);
  c.expires_at = At(1000) + kOwnerCodeValidFor;
  return c;
}

TEST(OwnerCodeTest, TheRightCodeInTimeSignsInOnce) {
  OwnerCode c = Fresh();
  EXPECT_EQ(TryOwnerCode(c, true, At(1001)), OwnerCodeOutcome::kSignedIn);
  EXPECT_TRUE(c.used);
  EXPECT_EQ(c.tries, 0);
  EXPECT_EQ(TryOwnerCode(c, true, At(1002)), OwnerCodeOutcome::kSpent);
}

TEST(OwnerCodeTest, TheFifthWrongTrySpendsTheCode) {
  OwnerCode c = Fresh();
  for (int i = 1; i < kOwnerCodeMaxTries; ++i) {
    EXPECT_EQ(TryOwnerCode(c, false, At(1001)), OwnerCodeOutcome::kWrong) << i;
    EXPECT_EQ(c.tries, i);
  }
  EXPECT_EQ(TryOwnerCode(c, false, At(1001)), OwnerCodeOutcome::kSpent);
  EXPECT_EQ(c.tries, kOwnerCodeMaxTries);
  EXPECT_EQ(TryOwnerCode(c, true, At(1001)), OwnerCodeOutcome::kSpent);
  EXPECT_FALSE(c.used);
  EXPECT_EQ(c.tries, kOwnerCodeMaxTries);  // a spent code counts no more tries
}

TEST(OwnerCodeTest, ACodeExpiresTenMinutesAfterItWasMade) {
  OwnerCode c = Fresh();
  OwnerCode last_second = c;
  EXPECT_EQ(TryOwnerCode(last_second, true, At(1000 + 599)), OwnerCodeOutcome::kSignedIn);
  EXPECT_EQ(TryOwnerCode(c, true, At(1000 + 600)), OwnerCodeOutcome::kExpired);
  EXPECT_FALSE(c.used);
  EXPECT_EQ(TryOwnerCode(c, false, At(1000 + 600)), OwnerCodeOutcome::kExpired);
  EXPECT_EQ(c.tries, 0);
}

TEST(OwnerCodeTest, TheFormIsSixAsciiDigits) {
  EXPECT_TRUE(IsOwnerCodeForm("012345"));
  EXPECT_FALSE(IsOwnerCodeForm("12345"));
  EXPECT_FALSE(IsOwnerCodeForm("1234567"));
  EXPECT_FALSE(IsOwnerCodeForm("12 456"));
  EXPECT_FALSE(IsOwnerCodeForm("١٢٣٤٥٦"));  // Arabic-Indic digits: not the SMS's
  EXPECT_FALSE(IsOwnerCodeForm(""));
}

TEST(OwnerCodeTest, StaffSeeTheCodeMaskedAndTheRestOfTheText) {
  EXPECT_EQ(MaskOwnerCode("012345 is your HerdPass code. It is good for 10 minutes."),
            "****** is your HerdPass code. It is good for 10 minutes.");
  // In any language, wherever the code stands; longer and shorter runs of digits stay.
  EXPECT_EQ(MaskOwnerCode("HerdPass коды: 987654. 10 минут; +77050007000"),
            "HerdPass коды: ******. 10 минут; +77050007000");
  EXPECT_EQ(MaskOwnerCode("1234567 12345"), "1234567 12345");
  EXPECT_EQ(MaskOwnerCode(""), "");
}

}  // namespace
}  // namespace herdpass
