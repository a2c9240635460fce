// Fuzz target: owners' phone numbers (domain/phone.h), the text inspectors type.
//
// The first input byte picks the deployment's default region; the rest is the number. Properties:
// never crashes; a success is E.164 ("+" and digits only, at most 15 digits) and normalizing it
// again gives it back unchanged; a failure names the field.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/phone.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const herdpass::PhoneNormalizer kNormalizers[] = {
      herdpass::PhoneNormalizer("KZ"), herdpass::PhoneNormalizer("CN"),
      herdpass::PhoneNormalizer("KG"), herdpass::PhoneNormalizer("UZ"),
      herdpass::PhoneNormalizer("TJ"), herdpass::PhoneNormalizer("RU")};
  constexpr size_t kCount = sizeof kNormalizers / sizeof kNormalizers[0];
  if (size < 1) return 0;
  const herdpass::PhoneNormalizer& phones = kNormalizers[data[0] % kCount];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  auto e164 = phones.ToE164(text, "owner_phone");
  if (!e164.ok()) {
    FUZZ_CHECK(e164.status().code() == herdpass::StatusCode::kInvalidArgument);
    FUZZ_CHECK(e164.status().field() == "owner_phone");
    FUZZ_CHECK(!e164.status().message().empty());
    return 0;
  }
  const std::string& s = e164.value();
  FUZZ_CHECK(s.size() >= 2);
  FUZZ_CHECK(s.size() <= 16);  // at most 15 digits (ITU-T E.164); see regressions/phone
  FUZZ_CHECK(s[0] == '+');
  FUZZ_CHECK(s.find_first_not_of("0123456789", 1) == std::string::npos);
  FUZZ_CHECK(herdpass::PhoneLast4(s).size() == 4 || s.size() < 5);

  // Round trip: the stored form is itself accepted, in every region, and unchanged.
  for (const auto& other : kNormalizers) {
    auto again = other.ToE164(s);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again.value() == s);
  }
  return 0;
}
