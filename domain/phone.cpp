#include "domain/phone.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <set>

namespace herdpass {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

constexpr size_t kMaxPhoneChars = 64;

const PhoneNumberUtil& Util() { return *PhoneNumberUtil::GetInstance(); }

bool IsAsciiLetter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

PhoneNormalizer::PhoneNormalizer(std::string default_region)
    : default_region_(std::move(default_region)) {}

bool PhoneNormalizer::IsKnownRegion(std::string_view region) {
  static const std::set<std::string, std::less<>> kRegions = [] {
    std::set<std::string> r;
    Util().GetSupportedRegions(&r);
    return std::set<std::string, std::less<>>(r.begin(), r.end());
  }();
  return kRegions.find(region) != kRegions.end();
}

Result<std::string> PhoneNormalizer::ToE164(std::string_view text, std::string_view field) const {
  // A map under a lock rather than a cache library: nothing in the project's dependencies has one,
  // and the memo only needs to remember recent numbers, not to age them finely.
  const std::string key(text);
  {
    std::lock_guard lock(memo_mu_);
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  }
  HP_ASSIGN_OR_RETURN(std::string e164, Parse(text, field));
  std::lock_guard lock(memo_mu_);
  if (memo_.size() >= kMemoSize) memo_.clear();
  memo_.emplace(key, e164);
  return e164;
}

Result<std::string> PhoneNormalizer::Parse(std::string_view text, std::string_view field) const {
  auto bad = [&](const std::string& why) { return InvalidArgument(std::string(field), why); };
  if (text.find_first_not_of(" \t") == std::string_view::npos) {
    return bad("is empty; enter the owner's mobile number");
  }
  if (text.size() > kMaxPhoneChars) {
    return bad("is too long to be a phone number (at most 64 characters)");
  }
  for (unsigned char c : text) {
    // libphonenumber would read letters as a keypad word ("1-800-FLOWERS") or an extension; an
    // owner's mobile number has neither, and a letter is more likely a typing mistake.
    if (IsAsciiLetter(c)) return bad("must contain digits only, not letters");
    if (c < 0x20 || c == 0x7f) return bad("contains a control character");
  }
  PhoneNumber number;
  switch (Util().Parse(std::string(text), default_region_, &number)) {
    case PhoneNumberUtil::NO_PARSING_ERROR:
      break;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
      return bad("does not start with a known country code");
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN:
      return bad("is too short to be a phone number");
    case PhoneNumberUtil::TOO_LONG_NSN:
      return bad("has too many digits to be a phone number");
    default:
      return bad("is not a phone number");
  }
  if (number.has_extension()) return bad("must not have an extension");
  if (!Util().IsValidNumber(number)) {
    if (number.country_code() != Util().GetCountryCodeForRegion(default_region_)) {
      return bad("is not a valid +" + std::to_string(number.country_code()) +
                 " phone number; check the digits");
    }
    return bad("is not a valid phone number for " + default_region_ +
               "; check the digits, or write it with + and the country code");
  }
  std::string e164;
  Util().Format(number, PhoneNumberUtil::E164, &e164);
  // E.164 allows at most 15 digits; libphonenumber's metadata accepts some longer numbers (found
  // by fuzz/phone_fuzz: "+49956 78949956 789" became 16 digits).
  if (e164.size() > 16) return bad("has more digits than a phone number can have (15 at most)");
  return e164;
}

std::string PhoneLast4(std::string_view e164) {
  std::string digits;
  for (char c : e164) {
    if (c >= '0' && c <= '9') digits += c;
  }
  return digits.size() <= 4 ? digits : digits.substr(digits.size() - 4);
}

}  // namespace herdpass
