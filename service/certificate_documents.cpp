#include "service/certificate_documents.h"

#include <utility>

#include "cert/print_page.h"
#include "cert/qr.h"

namespace herdpass {

Result<std::string> CertificateQrImage(HerdService& service, const Caller& caller,
                                       const std::string& id, QrImageFormat format) {
  HP_ASSIGN_OR_RETURN(const Certificate c, service.GetCertificate(caller, id));
  auto qr = cert::EncodeQr(c.hp1);
  if (!qr.ok()) return Internal("QR code of " + c.id + ": " + qr.status().message());
  if (format == QrImageFormat::kSvg) return cert::QrSvg(qr.value());
  auto image = cert::QrPng(qr.value(), 6);
  if (!image.ok()) return Internal("PNG of " + c.id + ": " + image.status().message());
  return std::move(image).value();
}

Result<CertificatePrintout> CertificatePrintPage(HerdService& service, const Caller& caller,
                                                 const std::string& id,
                                                 std::string_view language_preference) {
  HP_ASSIGN_OR_RETURN(const Certificate c, service.GetCertificate(caller, id));
  CertificatePrintout out;
  out.language = std::string(cert::PickLanguage(language_preference));
  auto page = cert::CertificatePrintPage(c, out.language, service.clock().Now());
  if (!page.ok()) return Internal("print page of " + c.id + ": " + page.status().message());
  out.html = std::move(page).value();
  out.content_security_policy = cert::PrintPageContentSecurityPolicy();
  return out;
}

}  // namespace herdpass
