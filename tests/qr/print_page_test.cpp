// Tests of cert/print_page.h and its translation table (cert/print_labels.h): every language
// complete and used, right to left for Uyghur, every value escaped, no full phone number.
#include "cert/print_page.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cert/print_labels.h"
#include "cert/qr.h"
#include "domain/catalogue.h"
#include "tests/domain/status_matchers.h"

namespace herdpass::cert {
namespace {

using ::herdpass::testing::IsInvalidArgument;
using namespace std::chrono;

// The plain labels the page shows (every row of the table without a "prefix.").
constexpr std::string_view kPageLabels[] = {
    "title",          "number",      "status",      "purpose",      "species",        "head_count",
    "ear_tags",       "origin",      "destination", "authority",    "place",          "transport",
    "valid_from",     "valid_until", "issuer",      "vaccinations", "disease",        "date",
    "batch",          "vet",         "owner",       "phone_last4",  "verify_heading", "signed_note",
    "certificate_id", "signing_key"};

Certificate SampleCertificate() {
  Certificate c;
  c.id = "0190f3a2-7c41-7d2e-9b1a-4f5e6d7c8b9a";
  c.number = "CN-65-650203-20261129-K7Q2M4XA";
  c.authority = "CN-65-650203";
  c.kid = "a1b2c3d4e5f60718";
  c.species = "sheep";
  c.head_count = 3;
  c.tags = {"165650203000117", "165650203000118", "165650203000119"};
  c.purpose = Purpose::kSlaughter;
  c.origin = "CN-65-650203";
  c.origin_place = "Kuytun village 3";
  c.destination = "CN-65-650102";
  c.destination_place = "Urumqi meat processing plant";
  c.transport = "Truck XJ-A 12345";
  c.issued_at = sys_days{year{2026} / 11 / 29} + hours{3} + minutes{29};
  c.valid_until = c.issued_at + hours{72};
  c.vaccinations = {{"r1", "FMD-O", Date(sys_days{year{2026} / 9 / 1}), "FMD2026-0901"},
                    {"r2", "PPR", Date(sys_days{year{2025} / 4 / 15}), "PPR-C9-25-044"}};
  c.vet_name = "Dr. Ablimit Tursun";
  c.owner_masked_name = "A****** N*********";
  c.owner_phone_last4 = "4650";
  c.hp1 = "HP1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH";
  return c;
}

// When the tests print: an hour after the sample's issue, well within its validity.
Timestamp PrintedAt(const Certificate& c) { return c.issued_at + hours{1}; }

PrintSettings At(std::string verify_url, minutes utc_offset = minutes{0}) {
  PrintSettings s;
  s.utc_offset = utc_offset;
  s.verify_url = std::move(verify_url);
  return s;
}

std::string Page(const Certificate& c, std::string_view lang) {
  return CertificatePrintHtml(c, lang, "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>",
                              PrintedAt(c), At("https://vet.example.kz/verify"));
}

// The HTML-escaped form of a label (French labels carry apostrophes).
std::string Escaped(std::string_view s) {
  std::string out;
  for (char ch : s) {
    if (ch == '\'') {
      out += "&#39;";
    } else if (ch == '&') {
      out += "&amp;";
    } else {
      out += ch;
    }
  }
  return out;
}

TEST(PrintTranslations, EveryKeyHasEveryLanguage) {
  std::set<std::string_view> keys;
  for (const Translation& t : PrintTranslations()) {
    EXPECT_TRUE(keys.insert(t.key).second) << "duplicate key " << t.key;
    for (size_t i = 0; i < kPrintLanguages.size(); ++i) {
      EXPECT_FALSE(t.text[i].empty()) << "\"" << t.key << "\" has no " << kPrintLanguages[i];
    }
  }
  for (std::string_view key : kPageLabels) EXPECT_TRUE(keys.count(key)) << key;
  EXPECT_TRUE(keys.count("verify_text"));
  EXPECT_TRUE(keys.count("verify_qr"));
  EXPECT_TRUE(keys.count("no_tags"));
  EXPECT_TRUE(keys.count("no_vaccinations"));
}

TEST(PrintTranslations, CoverEveryPurposeStatusAndDefaultCatalogueEntry) {
  for (Purpose p : kAllPurposes) {
    for (size_t i = 0; i < kPrintLanguages.size(); ++i) {
      EXPECT_FALSE(Translate(std::string("purpose.") + PurposeName(p), i).empty())
          << PurposeName(p);
    }
  }
  for (std::string_view s : {"issued", "consumed", "revoked", "expired"}) {
    EXPECT_FALSE(Translate("status." + std::string(s), 0).empty()) << s;
  }
  for (const Species& s : DefaultCatalogue().species()) {
    EXPECT_FALSE(Translate("species." + s.code, 0).empty()) << s.code;
  }
  for (const Disease& d : DefaultCatalogue().diseases()) {
    EXPECT_FALSE(Translate("disease." + d.code, 0).empty()) << d.code;
  }
  // {url} must be in every verify text, or the address would be lost in that language.
  for (size_t i = 0; i < kPrintLanguages.size(); ++i) {
    EXPECT_NE(Translate("verify_text", i).find("{url}"), std::string_view::npos)
        << kPrintLanguages[i];
  }
}

// The app's translation files (web/src/locales/<lang>/common.json), read here as the app reads
// them; the build generates the print table's names from the same files (cert/CMakeLists.txt).
nlohmann::json AppCommonTexts(std::string_view lang) {
  const std::string path =
      std::string(HERDPASS_LOCALES_DIR) + "/" + std::string(lang) + "/common.json";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

constexpr std::string_view kNameGroups[] = {"purpose", "species", "disease"};

// Regression: the page said "Ящур (тип O)" where the app said "Ящур тип O" (issue 10). Both ways:
// every name of the app is the page's, and the page has no name the app lacks.
TEST(PrintTranslations, PurposeSpeciesAndDiseaseNamesAreTheAppsInEveryLanguage) {
  for (size_t li = 0; li < kPrintLanguages.size(); ++li) {
    const nlohmann::json app = AppCommonTexts(kPrintLanguages[li]);
    ASSERT_TRUE(app.is_object()) << kPrintLanguages[li];
    for (std::string_view group : kNameGroups) {
      const auto names = app.find(group);
      ASSERT_NE(names, app.end()) << kPrintLanguages[li] << " has no " << group;
      ASSERT_TRUE(names->is_object());
      ASSERT_FALSE(names->empty());
      for (const auto& [code, text] : names->items()) {
        const std::string key = std::string(group) + "." + code;
        const std::string want = text.get<std::string>();
        EXPECT_EQ(Translate(key, li), want)
            << key << " in " << kPrintLanguages[li] << ": printed \"" << Translate(key, li)
            << "\", the app's \"" << want << "\"";
      }
    }
    size_t printed_names = 0;
    for (const Translation& t : PrintTranslations()) {
      const size_t dot = t.key.find('.');
      if (dot == std::string_view::npos) continue;  // a plain label, the page's own
      const std::string group(t.key.substr(0, dot));
      if (group == "status") continue;  // the page's own words (the app's cert_status differ)
      const std::string code(t.key.substr(dot + 1));
      ++printed_names;
      EXPECT_TRUE(app.contains(group) && app.at(group).contains(code))
          << t.key << " is printed but not in the app's " << kPrintLanguages[li];
    }
    EXPECT_GT(printed_names, 0u);
  }
}

// The English names are the default catalogue's own (domain/catalogue.cpp): the official names.
TEST(PrintTranslations, EnglishNamesAreTheCatalogues) {
  ASSERT_FALSE(DefaultCatalogue().species().empty());
  ASSERT_FALSE(DefaultCatalogue().diseases().empty());
  for (const Species& s : DefaultCatalogue().species()) {
    EXPECT_EQ(Translate("species." + s.code, kEnglish), s.name);
  }
  for (const Disease& d : DefaultCatalogue().diseases()) {
    EXPECT_EQ(Translate("disease." + d.code, kEnglish), d.name);
  }
}

// Every language shows its own word for every label, purpose and species on the page, and none of
// the English labels that differ from it.
TEST(CertificatePrintHtml, EveryLanguageRendersFullyTranslated) {
  const Certificate c = SampleCertificate();
  for (size_t li = 0; li < kPrintLanguages.size(); ++li) {
    const std::string_view lang = kPrintLanguages[li];
    SCOPED_TRACE(std::string(lang));
    const std::string page = Page(c, lang);
    EXPECT_NE(page.find("<html lang=\"" + std::string(lang) + "\""), std::string::npos);
    for (std::string_view key : kPageLabels) {
      EXPECT_NE(page.find(Escaped(Translate(key, li))), std::string::npos) << key;
      if (li != kEnglish && Translate(key, li) != Translate(key, kEnglish)) {
        EXPECT_EQ(page.find(">" + Escaped(Translate(key, kEnglish)) + "<"), std::string::npos)
            << "English label for " << key;
      }
    }
    std::string_view verify = Translate("verify_text", li);
    EXPECT_NE(page.find(Escaped(verify.substr(0, verify.find("{url}")))), std::string::npos);
    EXPECT_EQ(page.find("{url}"), std::string::npos);
    EXPECT_NE(page.find(Escaped(Translate("purpose.slaughter", li))), std::string::npos);
    EXPECT_NE(page.find(Escaped(Translate("species.sheep", li))), std::string::npos);
    EXPECT_NE(page.find(Escaped(Translate("status.issued", li))), std::string::npos);
    EXPECT_NE(page.find(Escaped(Translate("disease.FMD-O", li))), std::string::npos);
    EXPECT_NE(page.find(Escaped(Translate("disease.PPR", li))), std::string::npos);
  }
}

TEST(CertificatePrintHtml, EveryPurposeIsTranslated) {
  Certificate c = SampleCertificate();
  for (Purpose p : kAllPurposes) {
    c.purpose = p;
    for (size_t li = 0; li < kPrintLanguages.size(); ++li) {
      const std::string page = Page(c, kPrintLanguages[li]);
      EXPECT_NE(
          page.find("<td>" + Escaped(Translate(std::string("purpose.") + PurposeName(p), li)) +
                    "</td>"),
          std::string::npos)
          << PurposeName(p) << " in " << kPrintLanguages[li];
    }
  }
}

TEST(CertificatePrintHtml, UyghurIsRightToLeftAndOthersLeftToRight) {
  const Certificate c = SampleCertificate();
  EXPECT_NE(Page(c, "ug").find("<html lang=\"ug\" dir=\"rtl\">"), std::string::npos);
  EXPECT_NE(Page(c, "ug-CN").find("<html lang=\"ug\" dir=\"rtl\">"), std::string::npos);
  for (std::string_view lang : kPrintLanguages) {
    if (lang == "ug") continue;
    EXPECT_NE(Page(c, lang).find("dir=\"ltr\""), std::string::npos) << lang;
    EXPECT_EQ(Page(c, lang).find("rtl"), std::string::npos) << lang;
  }
}

TEST(CertificatePrintHtml, UnknownLanguageFallsBackToEnglish) {
  const Certificate c = SampleCertificate();
  for (std::string_view lang : {"", "de", "xx-YY", "*", "en-GB"}) {
    const std::string page = Page(c, lang);
    EXPECT_NE(page.find("<html lang=\"en\" dir=\"ltr\">"), std::string::npos) << lang;
    EXPECT_NE(page.find("Animal quarantine certificate"), std::string::npos) << lang;
  }
  EXPECT_NE(Page(c, "ru-RU,ru;q=0.9").find("Карантинный сертификат"), std::string::npos);
}

TEST(CertificatePrintHtml, EscapesEveryValue) {
  Certificate c = SampleCertificate();
  c.destination_place = "<script>alert(1)</script>";
  c.destination = "CN-65\"><img src=x onerror=alert(2)>";
  c.origin_place = "Farm 'Ak-Su' & sons";
  c.transport = "<b>truck</b>";
  c.vet_name = "<i>vet</i>";
  c.owner_masked_name = "<u>A***";
  c.number = "N<1>";
  c.tags = {"<tag>"};
  c.vaccinations = {{"r", "<FMD>", Date(sys_days{year{2026} / 1 / 2}), "</td><script>"}};
  c.species = "<yak>";
  c.kid = "\"kid\"";
  c.id = "<id>";
  const std::string page =
      CertificatePrintHtml(c, "en", "", PrintedAt(c), At("javascript:alert(3)"));
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find("<b>"), std::string::npos);
  EXPECT_EQ(page.find("<i>"), std::string::npos);
  EXPECT_EQ(page.find("<u>"), std::string::npos);
  EXPECT_EQ(page.find("<tag>"), std::string::npos);
  EXPECT_EQ(page.find("<FMD>"), std::string::npos);
  EXPECT_EQ(page.find("<yak>"), std::string::npos);
  EXPECT_EQ(page.find("<id>"), std::string::npos);
  EXPECT_EQ(page.find("href=\"javascript"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.find("CN-65&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"), std::string::npos);
  EXPECT_NE(page.find("Farm &#39;Ak-Su&#39; &amp; sons"), std::string::npos);
  EXPECT_NE(page.find("&lt;/td&gt;&lt;script&gt;"), std::string::npos);
  EXPECT_NE(page.find("N&lt;1&gt;"), std::string::npos);
  EXPECT_NE(page.find("javascript:alert(3)"), std::string::npos) << "shown as text";
}

TEST(CertificatePrintHtml, ShowsOnlyTheMaskedNameAndLast4DigitsOfThePhone) {
  Certificate c = SampleCertificate();
  std::string page = Page(c, "en");
  EXPECT_NE(page.find("****4650"), std::string::npos);
  EXPECT_NE(page.find("A****** N*********"), std::string::npos);
  // A caller that passes the whole number or the full name by mistake still prints no more.
  c.owner_phone_last4 = "+7 701 234 4650";
  c.owner_masked_name = "Aigerim Nurlanovna";
  page = Page(c, "en");
  EXPECT_NE(page.find("****4650"), std::string::npos);
  EXPECT_EQ(page.find("701"), std::string::npos);
  EXPECT_EQ(page.find("+7"), std::string::npos);
  EXPECT_EQ(page.find("Aigerim"), std::string::npos);
  EXPECT_EQ(page.find("Nurlanovna"), std::string::npos);
  EXPECT_NE(page.find("A****** N*********"), std::string::npos);
}

TEST(CertificatePrintHtml, ShowsTheCertificateFacts) {
  Certificate c = SampleCertificate();
  c.status = CertificateStatus::kRevoked;
  const std::string page = Page(c, "en");
  for (std::string_view want : {"CN-65-650203-20261129-K7Q2M4XA",
                                "Revoked",
                                "Slaughter",
                                "Sheep",
                                "<bdi>3</bdi>",
                                "165650203000117",
                                "165650203000118",
                                "165650203000119",
                                "Kuytun village 3",
                                "CN-65-650102",
                                "Urumqi meat processing plant",
                                "Truck XJ-A 12345",
                                "2026-11-29 03:29 UTC",
                                "2026-12-02 03:29 UTC",
                                "Foot-and-mouth disease, serotype O",
                                "FMD-O",
                                "2026-09-01",
                                "FMD2026-0901",
                                "Peste des petits ruminants",
                                "2025-04-15",
                                "PPR-C9-25-044",
                                "Dr. Ablimit Tursun",
                                "a1b2c3d4e5f60718",
                                "0190f3a2-7c41-7d2e-9b1a-4f5e6d7c8b9a",
                                "<a href=\"https://vet.example.kz/verify\">",
                                "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>",
                                "@media print",
                                "size: A4"}) {
    EXPECT_NE(page.find(want), std::string::npos) << want;
  }
  EXPECT_NE(page.find("status-revoked"), std::string::npos);
}

// The page works out the status itself (CertificateStatusAt), at the time it is printed: an
// issued certificate is expired only after its valid_until; consumed and revoked stay so.
TEST(CertificatePrintHtml, ShowsTheStatusAtTheTimeItIsPrinted) {
  Certificate c = SampleCertificate();
  const size_t ru = PrintLanguageIndex("ru");
  auto shows = [&](Timestamp at, std::string_view status) {
    const std::string page = CertificatePrintHtml(c, "ru", "", at);
    const std::string words = Escaped(Translate("status." + std::string(status), ru));
    EXPECT_FALSE(words.empty()) << status;
    EXPECT_NE(page.find("<p class=\"status status-" + std::string(status) + "\">"),
              std::string::npos)
        << status;
    EXPECT_NE(page.find("<strong>" + words + "</strong>"), std::string::npos) << status;
    EXPECT_EQ(page.find("status status-", page.find("status status-") + 1), std::string::npos);
  };
  shows(c.valid_until, "issued");  // valid through its last millisecond
  shows(c.valid_until + milliseconds{1}, "expired");
  c.status = CertificateStatus::kConsumed;
  shows(c.issued_at + hours{2}, "consumed");
  shows(c.valid_until + days{30}, "consumed");
  c.status = CertificateStatus::kRevoked;
  shows(c.issued_at + hours{2}, "revoked");
  shows(c.valid_until + days{30}, "revoked");
}

TEST(CertificatePrintHtml, AFlockWithoutTagsSaysSo) {
  Certificate c = SampleCertificate();
  c.tags.clear();
  c.head_count = 240;
  c.vaccinations.clear();
  const std::string page = Page(c, "kk");
  EXPECT_NE(page.find(Translate("no_tags", 2)), std::string::npos);
  EXPECT_NE(page.find(Translate("no_vaccinations", 2)), std::string::npos);
  EXPECT_NE(page.find("<bdi>240</bdi>"), std::string::npos);
}

TEST(CertificatePrintHtml, IsSelfContained) {
  const Certificate c = SampleCertificate();
  Result<std::string> page = CertificatePrintPage(c, "fr", PrintedAt(c));
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  for (std::string_view external : {"src=", "<link", "@import", "url(", "<script", "<iframe"}) {
    EXPECT_EQ(page->find(external), std::string::npos) << external;
  }
  // The only absolute address is the SVG namespace name, which is never fetched.
  size_t http = 0;
  for (size_t at = 0; (at = page->find("http", at)) != std::string::npos; ++at) ++http;
  EXPECT_EQ(http, 1u);
  EXPECT_NE(page->find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(page->find("<path"), std::string::npos);
  EXPECT_NE(page->find("<a href=\"/verify\">"), std::string::npos);
}

// Times in local time (the deployment's offset from UTC), the offset written out: a reader in
// another zone can still tell the hour.
TEST(CertificatePrintHtml, ShowsTimesInLocalTimeWithTheOffset) {
  const Certificate c = SampleCertificate();  // issued 2026-11-29 03:29 UTC, valid 72 hours
  std::string page = CertificatePrintHtml(c, "ug", "", PrintedAt(c), At("/verify", hours{5}));
  EXPECT_NE(page.find("<bdi>2026-11-29 08:29 UTC+05:00</bdi>"), std::string::npos);
  EXPECT_NE(page.find("<bdi>2026-12-02 08:29 UTC+05:00</bdi>"), std::string::npos);
  EXPECT_EQ(page.find("03:29"), std::string::npos) << "no UTC time besides the local one";
  // Across midnight, and west of Greenwich.
  page = CertificatePrintHtml(c, "en", "", PrintedAt(c), At("/verify", -(hours{3} + minutes{30})));
  EXPECT_NE(page.find("<bdi>2026-11-28 23:59 UTC-03:30</bdi>"), std::string::npos);
  page = CertificatePrintHtml(c, "en", "", PrintedAt(c), At("/verify", hours{8}));
  EXPECT_NE(page.find("<bdi>2026-11-29 11:29 UTC+08:00</bdi>"), std::string::npos);
}

// With the server's public address, the page gives the full verify address as text, as a link
// and as a QR code a phone can open; the QR code reads back as the address.
TEST(CertificatePrintPage, ShowsTheFullVerifyAddressAsTextAndQrCode) {
  const Certificate c = SampleCertificate();
  const std::string url = "https://vet.example.kz/herdpass/verify";
  Result<std::string> page = CertificatePrintPage(c, "kk", PrintedAt(c), At(url));
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_NE(page->find("<a href=\"" + url + "\"><bdi>" + url + "</bdi></a>"), std::string::npos);
  Result<QrCode> address = EncodeQrBytes(url);
  ASSERT_TRUE(address.ok()) << address.status().ToString();
  EXPECT_NE(page->find("<figure class=\"verify-qr\">" + QrSvg(*address) + "<figcaption>" +
                       std::string(Translate("verify_qr", PrintLanguageIndex("kk"))) +
                       "</figcaption></figure>"),
            std::string::npos);
  Result<std::string> png = QrPng(*address, 4);
  ASSERT_TRUE(png.ok()) << png.status().ToString();
  Result<std::string> read = DecodeQrPng(*png);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, url);
}

// Without a public address (serve with no --public-url) the page cannot know the host: it shows
// the path /verify, as text and a link, and no second QR code.
TEST(CertificatePrintPage, WithoutAPublicAddressShowsThePathAndNoAddressQrCode) {
  const Certificate c = SampleCertificate();
  Result<std::string> page = CertificatePrintPage(c, "ru", PrintedAt(c));
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_NE(page->find("<a href=\"/verify\"><bdi>/verify</bdi></a>"), std::string::npos);
  EXPECT_EQ(page->find("verify-qr\">"), std::string::npos);
  EXPECT_EQ(page->find("<svg", page->find("<footer")), std::string::npos);
}

TEST(CertificatePrintPage, RefusesATextThatCannotBeAQrCode) {
  Certificate c = SampleCertificate();
  c.hp1 = "hp1:lowercase";
  EXPECT_TRUE(IsInvalidArgument(CertificatePrintPage(c, "en", PrintedAt(c)).status(), "hp1"));
  c.hp1.clear();
  EXPECT_TRUE(IsInvalidArgument(CertificatePrintPage(c, "en", PrintedAt(c)).status(), "hp1"));
}

TEST(PickLanguage, PicksTheBestOfTheNine) {
  struct Case {
    std::string_view header;
    std::string_view want;
  } cases[] = {
      {"ru-RU,ru;q=0.9,en;q=0.8", "ru"},
      {"zh-CN", "zh-Hans"},
      {"zh-Hant-TW", "zh-Hans"},
      {"zh_CN", "zh-Hans"},
      {"uz-Latn-UZ", "uz"},
      {"ug-CN,zh;q=0.8", "ug"},
      {"UG", "ug"},
      {"kk-KZ", "kk"},
      {"ky", "ky"},
      {"tg-Cyrl-TJ", "tg"},
      {"fr-CA, fr;q=0.9", "fr"},
      {"de-DE,de;q=0.9,fr;q=0.5,en;q=0.4", "fr"},
      {"en;q=0.5, kk", "kk"},
      {"en, ru", "en"},
      {"ru;q=0.5, kk;q=0.5", "ru"},
      {"ky;q=0, ru;q=0.1", "ru"},
      {"ky;q=0", "en"},
      {"ky;q=abc, tg;q=0.2", "tg"},
      {"ky;q=1.5, tg;q=0.2", "tg"},
      {"*", "en"},
      {"de", "en"},
      {"", "en"},
      {" , ;q=1,", "en"},
      {"zh-Hans", "zh-Hans"},
  };
  for (const Case& c : cases) EXPECT_EQ(PickLanguage(c.header), c.want) << c.header;
}

}  // namespace
}  // namespace herdpass::cert
