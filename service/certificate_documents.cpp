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
  cert::PrintSettings settings;
  settings.utc_offset = service.config().local_utc_offset;
  if (!service.config().public_url.empty())
    settings.verify_url = service.config().public_url + "/verify";
  auto page = cert::CertificatePrintPage(c, out.language, service.clock().Now(), settings);
  if (!page.ok()) return Internal("print page of " + c.id + ": " + page.status().message());
  out.html = std::move(page).value();
  out.content_security_policy = cert::PrintPageContentSecurityPolicy();
  return out;
}

Result<std::string> ParsePublicUrl(std::string_view text) {
  auto bad = [](const std::string& why) { return InvalidArgument("public_url", why); };
  size_t scheme = 0;
  if (text.starts_with("https://")) {
    scheme = 8;
  } else if (text.starts_with("http://")) {
    scheme = 7;
  } else {
    return bad("must start with https:// or http://");
  }
  for (char ch : text) {
    if (static_cast<unsigned char>(ch) <= ' ' || static_cast<unsigned char>(ch) >= 0x7f) {
      return bad("must not contain spaces or other characters outside printable ASCII");
    }
    if (ch == '?' || ch == '#') return bad("must not have a query or fragment");
    if (ch == '"' || ch == '<' || ch == '>' || ch == '\\')
      return bad("must not contain \" < > or \\");
  }
  std::string_view rest = text.substr(scheme);
  std::string_view host = rest.substr(0, rest.find('/'));
  if (host.empty()) return bad("must name a host");
  if (host.find('@') != std::string_view::npos) return bad("must not carry a user name");
  std::string out(text);
  while (out.size() > scheme + host.size() && out.back() == '/') out.pop_back();
  return out;
}

Result<std::chrono::minutes> ParseUtcOffset(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument("utc_offset", "'" + std::string(text) +
                                             "' is not an offset from UTC such as +05:00, -03:30 "
                                             "or UTC+8 (from -12:00 to +14:00)");
  };
  std::string_view t = text;
  if (t.starts_with("UTC")) t.remove_prefix(3);
  if (t.empty() || (t[0] != '+' && t[0] != '-')) return bad();
  const int sign = t[0] == '-' ? -1 : 1;
  t.remove_prefix(1);
  auto digits = [](std::string_view d, int& value) {
    if (d.empty() || d.size() > 2) return false;
    value = 0;
    for (char ch : d) {
      if (ch < '0' || ch > '9') return false;
      value = value * 10 + (ch - '0');
    }
    return true;
  };
  int hours = 0, mins = 0;
  const size_t colon = t.find(':');
  if (!digits(t.substr(0, colon), hours)) return bad();
  if (colon != std::string_view::npos &&
      (t.size() - colon - 1 != 2 || !digits(t.substr(colon + 1), mins))) {
    return bad();
  }
  if (mins > 59) return bad();
  const int total = sign * (hours * 60 + mins);
  if (total < -12 * 60 || total > 14 * 60) return bad();
  return std::chrono::minutes(total);
}

}  // namespace herdpass
