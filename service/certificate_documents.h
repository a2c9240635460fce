// The documents made of a certificate for a reader: its QR code as an image and its printable
// page (DESIGN.md W3: "shown as a QR code and a printable page"). http/ serves them through these
// functions and never reaches cert/ itself: the drawing is cert/'s, who may see the certificate is
// the service's (HerdService::GetCertificate's checks, unchanged).
//
// Thread-safe: free functions over a thread-safe HerdService.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "domain/status.h"
#include "service/service.h"

namespace herdpass {

enum class QrImageFormat { kSvg, kPng };

// The QR code of certificate `id` (its signed HP1 text), as an SVG document or a PNG image (6
// pixels a module). Errors of HerdService::GetCertificate as they are (kNotFound,
// kPermissionDenied, ...); kInternal when the stored text cannot be drawn.
Result<std::string> CertificateQrImage(HerdService& service, const Caller& caller,
                                       const std::string& id, QrImageFormat format);

struct CertificatePrintout {
  std::string html;      // the self-contained page (cert/print_page.h)
  std::string language;  // the language it is written in ("ru", "zh-Hans", ...)
  // The Content-Security-Policy to serve it with: it runs and loads nothing.
  std::string content_security_policy;
};

// The printable page of certificate `id`, in the best of HerdPass's languages for
// `language_preference` (an Accept-Language header or a single tag), showing the certificate's
// status at the service clock's now, its times in the configured local time
// (ServiceConfig::local_utc_offset) and where to verify it (ServiceConfig::public_url + "/verify",
// else the path "/verify"). Errors as for CertificateQrImage.
Result<CertificatePrintout> CertificatePrintPage(HerdService& service, const Caller& caller,
                                                 const std::string& id,
                                                 std::string_view language_preference);

// serve --public-url: an http(s) address with a host and no query, fragment, user or space
// ("https://vet.example.kz", "http://10.0.0.5:8080/herdpass"), returned without a trailing
// slash. kInvalidArgument, field "public_url", naming what is wrong.
Result<std::string> ParsePublicUrl(std::string_view text);

// serve --utc-offset: the local time's offset from UTC, "+05:00", "-03:30", "+8" or "UTC+06:00",
// within -12:00..+14:00, minutes 00..59. kInvalidArgument, field "utc_offset".
Result<std::chrono::minutes> ParseUtcOffset(std::string_view text);

}  // namespace herdpass
