// The printable certificate page (cert/print_page.h). Hand-written HTML rather than a template
// engine: the page is one fixed layout, and writing it here keeps every value going through one
// escaping function and adds no dependency.
#include "cert/print_page.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <string>
#include <tuple>

#include "cert/print_labels.h"
#include "cert/qr.h"
#include "domain/time.h"

namespace herdpass::cert {
namespace {

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Maps one language tag to one of ours by its primary subtag. Every Chinese tag (zh-CN, zh-TW,
// zh-Hant) gets the Simplified page, the only Chinese one there is: readers of Traditional
// characters read it more easily than any other language offered. "uz-Cyrl" likewise gets the
// Latin Uzbek page.
std::string_view MatchTag(std::string_view tag) {
  std::string primary = Lower(tag.substr(0, tag.find_first_of("-_")));
  if (primary == "zh") return kPrintLanguages[0];
  for (std::string_view lang : kPrintLanguages) {
    if (primary == lang) return lang;
  }
  return {};
}

// The q of one Accept-Language entry's parameters ("q=0.8"): 1 when absent, nullopt when
// malformed (the entry is then ignored, as RFC 9110 allows).
std::optional<double> QualityOf(std::string_view params) {
  double q = 1.0;
  while (!params.empty()) {
    size_t semi = params.find(';');
    std::string_view p = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
    if (p.size() < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=') continue;
    std::string_view v = p.substr(2);
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), q);
    if (ec != std::errc() || end != v.data() + v.size() || q < 0 || q > 1) return std::nullopt;
  }
  return q;
}

// "UTC", "UTC+05:00", "UTC-03:30".
std::string FormatUtcOffset(std::chrono::minutes offset) {
  if (offset.count() == 0) return "UTC";
  const long long m = offset.count() < 0 ? -offset.count() : offset.count();
  auto two = [](long long v) { return std::string(v < 10 ? "0" : "") + std::to_string(v); };
  return std::string("UTC") + (offset.count() < 0 ? "-" : "+") + two(m / 60) + ":" + two(m % 60);
}

// "2026-11-29 08:29 UTC+05:00": local time (UTC + offset), minutes being as precise as a paper
// certificate needs, with the offset spelled out because the reader may be in another zone
// (Urumqi is UTC+8, or UTC+6 by local custom; Almaty UTC+5).
std::string FormatTime(Timestamp t, std::chrono::minutes offset) {
  std::string rfc = FormatRfc3339(t + offset);  // "2026-11-29T08:29:11.123Z"
  size_t tpos = rfc.find('T');
  if (tpos == std::string::npos || rfc.size() < tpos + 6) return rfc;
  return rfc.substr(0, tpos) + " " + rfc.substr(tpos + 1, 5) + " " + FormatUtcOffset(offset);
}

// An address a phone can open from a QR code: http(s) and a host.
bool IsWebAddress(std::string_view url) {
  return (url.starts_with("https://") && url.size() > 8) ||
         (url.starts_with("http://") && url.size() > 7);
}

// At most the last 4 digits of whatever the field holds, so that a caller that passed a whole
// number by mistake still prints no more than the HP1 payload would carry.
std::string Last4Digits(std::string_view s) {
  std::string digits;
  for (char c : s) {
    if (c >= '0' && c <= '9') digits += c;
  }
  return digits.size() > 4 ? digits.substr(digits.size() - 4) : digits;
}

bool IsLinkable(std::string_view url) {
  return url.starts_with("https://") || url.starts_with("http://") ||
         (url.starts_with("/") && !url.starts_with("//"));
}

constexpr std::string_view kStyle = R"css(
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
html { font-family: "Noto Sans", "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 10.5pt;
       color: #000; background: #fff; line-height: 1.35; }
html[lang="zh-Hans"] { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei",
       "PingFang SC", "WenQuanYi Micro Hei", sans-serif; }
html[lang="ug"] { font-family: "UKIJ Tuz Tom", "UKIJ Tuz", "Noto Naskh Arabic",
       "Microsoft Uighur", "Alkatip Basma Tom", sans-serif; font-size: 11.5pt; }
body { margin: 0; }
.sheet { width: 186mm; margin: 0 auto; }
header { display: flex; justify-content: space-between; align-items: flex-start; gap: 6mm;
         border-bottom: 0.7mm solid #000; padding-bottom: 3mm; }
h1 { font-size: 17pt; margin: 0 0 1.5mm; }
h2 { font-size: 12pt; margin: 5mm 0 1.5mm; }
.number { font-size: 13pt; margin: 0; }
.code, .number bdi { font-family: "DejaVu Sans Mono", "Noto Sans Mono", Consolas, monospace; }
.status { margin: 0; padding: 1.5mm 3mm; border: 0.7mm solid currentColor; font-size: 12pt;
          white-space: nowrap; }
.status-issued { color: #0b5a1e; }
.status-consumed, .status-revoked, .status-expired { color: #a00000; }
.top { display: flex; gap: 6mm; margin-top: 4mm; align-items: flex-start; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: start; vertical-align: top; padding: 1.2mm 2mm; }
tr { border-bottom: 0.2mm solid #888; }
.facts { flex: 1; }
.facts th { width: 42%; font-weight: 600; }
.qr { margin: 0; width: 72mm; flex: none; text-align: center; }
.qr svg { display: block; width: 72mm; height: 72mm; }
.qr figcaption { font-size: 9pt; }
.route { display: flex; gap: 5mm; margin-top: 4mm; }
.route section { flex: 1; border: 0.3mm solid #555; padding: 2mm 3mm; }
.route h2 { margin-top: 0; }
.vaccinations thead th { border-bottom: 0.5mm solid #000; font-weight: 600; }
.tags { columns: 4; column-gap: 4mm; list-style: none; margin: 0; padding: 0; font-size: 9pt; }
footer { margin-top: 5mm; border-top: 0.5mm solid #000; padding-top: 2mm; }
footer p { margin: 1mm 0; }
.verify { display: flex; gap: 4mm; align-items: flex-start; }
.verify-qr { margin: 0; width: 30mm; flex: none; }
.verify-qr svg { display: block; width: 30mm; height: 30mm; }
.verify-qr figcaption { font-size: 8pt; text-align: center; }
.small { font-size: 8.5pt; color: #333; }
@media print {
  .sheet { width: auto; }
  a { color: inherit; text-decoration: none; }
  header, .top, .route, tr, footer { break-inside: avoid; }
}
@media screen {
  body { background: #e8e8e8; }
  .sheet { background: #fff; padding: 12mm; margin: 6mm auto; width: 210mm; }
}
)css";

}  // namespace

std::string_view PickLanguage(std::string_view accept_language) {
  std::string_view best = kPrintLanguages[kEnglish];
  double best_q = 0;
  while (!accept_language.empty()) {
    size_t comma = accept_language.find(',');
    std::string_view entry = Trim(accept_language.substr(0, comma));
    accept_language =
        comma == std::string_view::npos ? std::string_view{} : accept_language.substr(comma + 1);
    size_t semi = entry.find(';');
    std::string_view tag = Trim(entry.substr(0, semi));
    std::optional<double> q =
        QualityOf(semi == std::string_view::npos ? std::string_view{} : entry.substr(semi + 1));
    if (!q || *q <= 0) continue;
    std::string_view lang = MatchTag(tag);
    // Strictly greater: among equal q the earlier entry wins, as the user listed it first.
    if (!lang.empty() && *q > best_q) {
      best = lang;
      best_q = *q;
    }
  }
  return best;
}

std::string CertificatePrintHtml(const Certificate& c, std::string_view lang,
                                 std::string_view qr_svg, Timestamp now,
                                 const PrintSettings& settings, std::string_view verify_qr_svg) {
  const std::string_view verify_url = settings.verify_url;
  const std::string_view code = PickLanguage(lang);
  const size_t li = PrintLanguageIndex(code);
  const bool rtl = code == "ug";
  auto label = [li](std::string_view key) { return Escape(Translate(key, li)); };
  // A coded value (purpose, species, disease): its translation when the table has one, else the
  // code itself (a species or disease an admin added to the catalogue).
  auto coded = [li](std::string_view prefix, std::string_view value) {
    std::string_view t = Translate(std::string(prefix) + std::string(value), li);
    return Escape(t.empty() ? value : t);
  };
  // Values that are codes, numbers and dates are isolated so that, on the right-to-left page,
  // "CN-65-650203" or "2026-11-29 03:29 UTC" keep their left-to-right order.
  auto bdi = [](std::string_view value) { return "<bdi>" + Escape(value) + "</bdi>"; };
  auto row = [](const std::string& th, const std::string& td) {
    return "<tr><th scope=\"row\">" + th + "</th><td>" + td + "</td></tr>\n";
  };

  // "issued", "consumed", "revoked" or "expired", each with its words in the table.
  const std::string status = CertificateStatusAt(c, now);

  std::string h;
  h.reserve(16 * 1024 + qr_svg.size() + c.tags.size() * 40);
  h += "<!DOCTYPE html>\n<html lang=\"";
  h += code;
  h += rtl ? "\" dir=\"rtl\">\n" : "\" dir=\"ltr\">\n";
  h += "<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<meta name=\"robots\" content=\"noindex\">\n";
  h += "<title>" + label("title") + " " + Escape(c.number) + "</title>\n";
  h += "<style>";
  h += kStyle;
  h += "</style>\n</head>\n<body>\n<main class=\"sheet\">\n";

  h += "<header>\n<div>\n<h1>" + label("title") + "</h1>\n";
  h += "<p class=\"number\">" + label("number") + ": " + bdi(c.number) + "</p>\n</div>\n";
  h += "<p class=\"status status-" + status + "\">" + label("status") + ": <strong>" +
       label("status." + status) + "</strong></p>\n</header>\n";

  h += "<div class=\"top\">\n<table class=\"facts\">\n";
  h += row(label("purpose"), coded("purpose.", PurposeName(c.purpose)));
  h += row(label("species"), coded("species.", c.species));
  h += row(label("head_count"), bdi(std::to_string(c.head_count)));
  h += row(label("valid_from"), bdi(FormatTime(c.issued_at, settings.utc_offset)));
  h += row(label("valid_until"),
           "<strong>" + bdi(FormatTime(c.valid_until, settings.utc_offset)) + "</strong>");
  h += row(label("issuer"), "<span class=\"code\">" + bdi(c.authority) + "</span>");
  h += row(label("vet"), Escape(c.vet_name));
  // MaskName keeps the first letter of each word: it leaves a masked name as it is and masks a
  // full name given by mistake, so the page never shows more than the HP1 payload does.
  h += row(label("owner"), Escape(MaskName(c.owner_masked_name)));
  h += row(label("phone_last4"), bdi("****" + Last4Digits(c.owner_phone_last4)));
  h += "</table>\n";
  if (!qr_svg.empty()) {
    h += "<figure class=\"qr\">";
    h += qr_svg;
    h += "<figcaption>" + bdi(c.number) + "</figcaption></figure>\n";
  }
  h += "</div>\n";

  h += "<div class=\"route\">\n";
  for (const auto& [key, authority, place] :
       {std::tuple{"origin", &c.origin, &c.origin_place},
        std::tuple{"destination", &c.destination, &c.destination_place}}) {
    h += "<section>\n<h2>" + label(key) + "</h2>\n<table>\n";
    h += row(label("authority"), "<span class=\"code\">" + bdi(*authority) + "</span>");
    h += row(label("place"), Escape(*place));
    h += "</table>\n</section>\n";
  }
  h += "</div>\n";
  h += "<table class=\"facts\">\n" + row(label("transport"), Escape(c.transport)) + "</table>\n";

  h += "<h2>" + label("ear_tags") + " (" + bdi(std::to_string(c.tags.size())) + ")</h2>\n";
  if (c.tags.empty()) {
    h += "<p>" + label("no_tags") + "</p>\n";
  } else {
    h += "<ul class=\"tags code\">\n";
    for (const std::string& tag : c.tags) h += "<li>" + bdi(tag) + "</li>\n";
    h += "</ul>\n";
  }

  h += "<h2>" + label("vaccinations") + "</h2>\n<table class=\"vaccinations\">\n<thead><tr><th>" +
       label("disease") + "</th><th>" + label("date") + "</th><th>" + label("batch") +
       "</th></tr></thead>\n<tbody>\n";
  if (c.vaccinations.empty()) {
    h += "<tr><td colspan=\"3\">" + label("no_vaccinations") + "</td></tr>\n";
  }
  for (const CertificateVaccination& v : c.vaccinations) {
    std::string name = coded("disease.", v.disease);
    if (name != Escape(v.disease)) name += " <span class=\"code\">" + bdi(v.disease) + "</span>";
    h += "<tr><td>" + name + "</td><td>" + bdi(v.administered_on.ToString()) +
         "</td><td class=\"code\">" + bdi(v.batch_no) + "</td></tr>\n";
  }
  h += "</tbody>\n</table>\n";

  std::string url = Escape(verify_url.empty() ? std::string_view("/verify") : verify_url);
  std::string shown = IsLinkable(verify_url.empty() ? "/verify" : verify_url)
                          ? "<a href=\"" + url + "\"><bdi>" + url + "</bdi></a>"
                          : "<bdi>" + url + "</bdi>";
  std::string verify = label("verify_text");
  if (size_t at = verify.find("{url}"); at != std::string::npos) verify.replace(at, 5, shown);
  h += "<footer>\n<h2>" + label("verify_heading") + "</h2>\n";
  h += "<div class=\"verify\">";
  if (!verify_qr_svg.empty()) {
    h += "<figure class=\"verify-qr\">";
    h += verify_qr_svg;
    h += "<figcaption>" + label("verify_qr") + "</figcaption></figure>";
  }
  h += "<div>\n<p>" + verify + "</p>\n";
  h += "<p>" + label("signed_note") + "</p>\n</div></div>\n";
  h += "<p class=\"small\">" + label("certificate_id") + ": <span class=\"code\">" + bdi(c.id) +
       "</span> · " + label("signing_key") + ": <span class=\"code\">" + bdi(c.kid) +
       "</span></p>\n";
  h += "</footer>\n</main>\n</body>\n</html>\n";
  return h;
}

const std::string& PrintPageContentSecurityPolicy() {
  static const std::string policy = [] {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(kStyle.data()),
                       kStyle.size());
    char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
    return std::string("default-src 'none'; style-src 'sha256-") + b64 +
           "'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  }();
  return policy;
}

Result<std::string> CertificatePrintPage(const Certificate& c, std::string_view lang, Timestamp now,
                                         const PrintSettings& settings) {
  Result<QrCode> qr = EncodeQr(c.hp1);
  if (!qr.ok()) {
    return InvalidArgument(
        "hp1", "the certificate text cannot be drawn as a QR code: " + qr.status().message());
  }
  std::string verify_qr;
  if (IsWebAddress(settings.verify_url)) {
    Result<QrCode> address = EncodeQrBytes(settings.verify_url);
    if (!address.ok()) {
      return InvalidArgument("verify_url", "the verify address cannot be drawn as a QR code: " +
                                               address.status().message());
    }
    verify_qr = QrSvg(*address);
  }
  return CertificatePrintHtml(c, lang, QrSvg(*qr), now, settings, verify_qr);
}

}  // namespace herdpass::cert
