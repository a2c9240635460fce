// Owners' mobile numbers, normalized to E.164 with libphonenumber.
//
// Inspectors type numbers the local way ("8 701 234 5678" in Kazakhstan, "13912345678" in China);
// the deployment's default region says how to read a number without a country code. Thread-safe:
// the underlying PhoneNumberUtil is a thread-safe singleton, and the memo has its own lock.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

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
  // libphonenumber decides; a text it accepted is answered again from a memo of the last
  // kMemoSize accepted texts (a W1 batch names each owner's number several times, and a
  // vaccinator's batches the same owners day after day: parsing was 18 % of W1's CPU).
  Result<std::string> ToE164(std::string_view text, std::string_view field = "phone") const;

  const std::string& default_region() const { return default_region_; }

  static constexpr size_t kMemoSize = 4096;

 private:
  Result<std::string> Parse(std::string_view text, std::string_view field) const;

  std::string default_region_;
  // Accepted texts and their E.164 form; emptied when full. Guarded by memo_mu_.
  mutable std::mutex memo_mu_;
  mutable std::unordered_map<std::string, std::string> memo_;
};

// "+77012345678" -> "5678": what a certificate or a public answer may show.
std::string PhoneLast4(std::string_view e164);

}  // namespace herdpass
