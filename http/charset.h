// Text between character sets on the wire: what smsbox posts (UTF-16BE for a UCS-2 message) and
// what the test SMSC injects. Over iconv (glibc) rather than hand-written. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "domain/status.h"

namespace herdpass::http {

// `bytes` in charset `from` as charset `to` (iconv names: "UTF-8", "UTF-16BE"). kInvalidArgument
// naming `field` when `bytes` is not `from`; kInternal when iconv knows neither.
Result<std::string> Recode(std::string_view bytes, const char* from, const char* to,
                           const std::string& field);

}  // namespace herdpass::http
