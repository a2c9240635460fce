// Owners' mobile numbers, normalized to E.164 with libphonenumber.
//
// Inspectors type numbers the local way ("8 701 234 5678" in Kazakhstan, "13912345678" in China);
// the deployment's default region says how to read a number without a country code. Thread-safe:
// the underlying PhoneNumberUtil is a thread-safe singleton.
#pragma once

#include <string>
#include <string_view>

#include "domain/status.h"

namespace herdpass {

class PhoneNormalizer {
 public:
  // `default_region` is an ISO 3166-1 alpha-2 code such as "KZ" or "CN". REQUIRES: a region that
  // libphonenumber knows (check with IsKnownRegion first when it comes from user input).
  explicit PhoneNormalizer(std::string default_region);

  static bool IsKnownRegion(std::string_view region);

  // Returns the number in E.164 ("+77012345678"), or kInvalidArgument naming `field` when the text
  // is not a valid phone number (too short, wrong digits for the region, letters, ...).
  Result<std::string> ToE164(std::string_view text, std::string_view field = "phone") const;

  const std::string& default_region() const { return default_region_; }

 private:
  std::string default_region_;
};

// "+77012345678" -> "5678": what a certificate or a public answer may show.
std::string PhoneLast4(std::string_view e164);

}  // namespace herdpass
