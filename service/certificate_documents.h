// The documents made of a certificate for a reader: its QR code as an image and its printable
// page (DESIGN.md W3: "shown as a QR code and a printable page"). http/ serves them through these
// functions and never reaches cert/ itself: the drawing is cert/'s, who may see the certificate is
// the service's (HerdService::GetCertificate's checks, unchanged).
//
// Thread-safe: free functions over a thread-safe HerdService.
#pragma once

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
// status at the service clock's now. Errors as for CertificateQrImage.
Result<CertificatePrintout> CertificatePrintPage(HerdService& service, const Caller& caller,
                                                 const std::string& id,
                                                 std::string_view language_preference);

}  // namespace herdpass
