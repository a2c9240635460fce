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

#include <chrono>
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

// What the deployment says about where and when its pages are read (serve --utc-offset and
// --public-url; service/certificate_documents.h fills it from ServiceConfig).
struct PrintSettings {
  // Local time is UTC + utc_offset: the page shows its times in it, with the offset written out
  // ("2026-11-29 08:29 UTC+05:00"; "... UTC" when 0).
  std::chrono::minutes utc_offset{0};
  // Where to verify online: the full address ("https://vet.example.kz/verify"), shown as text, as a
  // link, and (CertificatePrintPage) as a second, small QR code; or, when the server does not know
  // its public address, the path "/verify", shown as text and a link, with no QR code.
  std::string verify_url = "/verify";
};

// The page, with labels in `lang` (anything PickLanguage accepts; unknown -> English; Uyghur is
// laid out right to left: <html dir="rtl" lang="ug">).
//   qr_svg: the QR code of c.hp1 as QrSvg (cert/qr.h) made it. REQUIRES: QrSvg output (it is
//           inserted as markup, unescaped); an empty string leaves the QR code out.
//   now: when the page is printed. It shows the certificate's status at that time,
//           CertificateStatusAt(c, now) (domain/certificate.h: an issued certificate past its
//           valid_until is "expired"), translated.
//   settings: the local time and the verify address (PrintSettings).
//   verify_qr_svg: the QR code of settings.verify_url as QrSvg made it, inserted unescaped beside
//           the address; empty leaves it out.
std::string CertificatePrintHtml(const Certificate& c, std::string_view lang,
                                 std::string_view qr_svg, Timestamp now,
                                 const PrintSettings& settings = {},
                                 std::string_view verify_qr_svg = "");

// The same page with the QR codes made here: c.hp1's (EncodeQr + QrSvg), and, when
// settings.verify_url is an http(s) address, the address's (EncodeQrBytes). kInvalidArgument, field
// "hp1", when c.hp1 cannot be drawn as a QR code (empty, or not QR alphanumeric text); field
// "verify_url" when the address is too long for one.
Result<std::string> CertificatePrintPage(const Certificate& c, std::string_view lang, Timestamp now,
                                         const PrintSettings& settings = {});

// The Content-Security-Policy header value to serve the page with: it loads and runs nothing, and
// allows its one <style> block by the block's SHA-256 ("default-src 'none'; style-src
// 'sha256-...'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'").
const std::string& PrintPageContentSecurityPolicy();

}  // namespace herdpass::cert
