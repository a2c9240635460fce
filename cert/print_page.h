// The printable page of a quarantine certificate (DESIGN.md W3: "shown as a QR code and a
// printable page"): one self-contained A4 HTML document (inline CSS, inline SVG, no external
// resource, so it prints the same offline), in the reader's language.
//
// The page carries what the HP1 payload carries (cert/hp1.h Hp1Payload) and nothing more personal:
// the owner's masked name and the last 4 digits of the phone, never a full number. Every value is
// HTML-escaped. The paper is only a copy; the signed QR code on it is what a verifier checks.
//
// Thread-safe: pure functions over values and static tables (cert/print_labels.h).
#pragma once

#include <string>
#include <string_view>

#include "domain/certificate.h"
#include "domain/status.h"
#include "domain/time.h"

namespace herdpass::cert {

// The best of HerdPass's nine languages (kPrintLanguages: "zh-Hans", "ug", "kk", "ky", "uz",
// "tg", "ru", "en", "fr") for an HTTP Accept-Language header ("ru-RU,ru;q=0.9,en;q=0.8" -> "ru")
// or a single tag ("zh-CN" -> "zh-Hans", "uz-Latn-UZ" -> "uz", "UG" -> "ug"). Higher q wins, the
// earlier entry on a tie; q=0 excludes. "en" when nothing matches. The result views static storage.
std::string_view PickLanguage(std::string_view accept_language);

// The page, with labels in `lang` (anything PickLanguage accepts; unknown -> English; Uyghur is
// laid out right to left: <html dir="rtl" lang="ug">).
//   qr_svg: the QR code of c.hp1 as QrSvg (cert/qr.h) made it. REQUIRES: QrSvg output (it is
//           inserted as markup, unescaped); an empty string leaves the QR code out.
//   now: when the page is printed. It shows the certificate's status at that time,
//           CertificateStatusAt(c, now) (domain/certificate.h: an issued certificate past its
//           valid_until is "expired"), translated.
//   verify_url: where to verify online ("https://vet.example.kz/verify"); shown as text, and as a
//           link when it is http(s) or a path.
std::string CertificatePrintHtml(const Certificate& c, std::string_view lang,
                                 std::string_view qr_svg, Timestamp now,
                                 std::string_view verify_url = "/verify");

// The same page with the QR code made here from c.hp1 (EncodeQr + QrSvg). kInvalidArgument, field
// "hp1", when c.hp1 cannot be drawn as a QR code (empty, or not QR alphanumeric text).
Result<std::string> CertificatePrintPage(const Certificate& c, std::string_view lang, Timestamp now,
                                         std::string_view verify_url = "/verify");

// The Content-Security-Policy header value to serve the page with: it loads and runs nothing, and
// allows its one <style> block by the block's SHA-256 ("default-src 'none'; style-src
// 'sha256-...'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'").
const std::string& PrintPageContentSecurityPolicy();

}  // namespace herdpass::cert
