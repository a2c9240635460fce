// Black-box tests of quarantine certificates (DESIGN.md W3-W6 and W9, section 7): the real
// `herdpass` binary issues, serves, consumes and revokes them over HTTP; the public verifies them
// online, and `herdpass verify` verifies them offline from the signed lists alone. zbarimg (the
// ZBar tool, as a separate process) reads the served QR code back.
//
// Each test uses its own phone numbers and ear tags (5000 + 100 * test index and up).
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/api/api_test_util.h"
#include "tests/api/herdpass_env.h"
#include "tests/api/shared_server_test.h"
#include "tests/support/process.h"

namespace herdpass::testing {
namespace {

using nlohmann::json;

// Base64url (RFC 4648 section 5, no padding), as a JWS carries its parts.
std::string Base64UrlDecode(const std::string& in) {
  std::string out(in.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), in.data(),
                        in.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    throw std::runtime_error("not base64url: " + in.substr(0, 40));
  }
  out.resize(len);
  return out;
}

// The JSON payload of a JWS in the flattened serialization (not verified: the CLI test does that).
json JwsPayload(const std::string& jws) {
  return json::parse(Base64UrlDecode(json::parse(jws).at("payload").get<std::string>()));
}

// Hex SHA-256 of the 16 bytes of a UUID: how the revocation list names a certificate (computed
// here independently of cert/).
std::string RevocationHashOf(const std::string& uuid) {
  std::string hex;
  for (char c : uuid) {
    if (c != '-') hex += c;
  }
  unsigned char raw[16];
  for (int i = 0; i < 16; ++i)
    raw[i] = static_cast<unsigned char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, raw, sizeof raw);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

// One character of the base45 body changed to another base45 character.
std::string Tamper(const std::string& hp1) {
  std::string t = hp1;
  const size_t at = t.size() / 2;
  t[at] = t[at] == 'A' ? 'B' : 'A';
  return t;
}

// The national forms of an E.164 number an HTML page must not show: "+77051234567" and
// "7051234567" (its digits after the country code).
std::vector<std::string> PhoneForms(const std::string& e164) { return {e164, e164.substr(2)}; }

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

class CertificateApiTest : public SharedServerTest<CertificateApiTest> {
 public:
  static SharedServerSpec Spec() {
    SharedServerSpec spec;
    spec.users = {{"vacc", "vaccinator", "", ""},          {"vet", "vet", "", ""},
                  {"insp", "inspector", "", ""},           {"vet-alm", "vet", "KZ-ALM", ""},
                  {"insp-alm", "inspector", "KZ-ALM", ""}, {"insp-akm", "inspector", "KZ-AKM", ""},
                  {"insp-2", "inspector", "", ""}};
    return spec;
  }

 protected:
  // An owner with `tags.size()` tagged cattle, each vaccinated on `date` against `disease` with
  // `vaccine` (the bivalent FMD O+A vaccine covers both serotypes), recorded by the vet.
  struct Herd {
    std::string phone;
    std::vector<std::string> tags;
  };
  Herd CattleHerd(int n, int heads, const std::string& vaccine = "FMD-OA-INACT",
                  const std::string& date = DaysFromToday(0)) {
    Herd h{KzPhone(5000 + n), {}};
    json records = json::array();
    for (int k = 0; k < heads; ++k) {
      h.tags.push_back(KzTag(500000 + 10LL * n + k));
      records.push_back(Dose(h.phone, h.tags.back(), vaccine, date));
    }
    auto r = client_->Post("/api/v1/vaccinations/batch", {{"records", records}}, Token("vet"));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().value("created", 0), heads) << r.body;
    return h;
  }

  static json Dose(const std::string& phone, const std::string& tag, const std::string& vaccine,
                   const std::string& date) {
    return {{"id", NewUuid()},
            {"owner_phone", phone},
            {"owner_name", "Bolat Seitkali"},
            {"animal_tags", {tag}},
            {"species", "cattle"},
            {"disease", "FMD-O"},
            {"vaccine", vaccine},
            {"batch_no", "LOT-" + tag.substr(11)},
            {"dose_ml", 2.0},
            {"administered_on", date}};
  }

  static json IssueBody(const Herd& h) {
    return {{"owner_phone", h.phone},
            {"animal_tags", h.tags},
            {"species", "cattle"},
            {"purpose", "slaughter"},
            {"origin_place", "Kopa village"},
            {"destination", "KZ-ABY"},
            {"destination_place", "Ayagoz meat plant"},
            {"transport", "truck 123 ABC 05"}};
  }

  // POST /certificates as the vet; expects 201 and returns the certificate.
  json Issue(const json& body) {
    auto r = client_->Post("/api/v1/certificates", body, Token("vet"));
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) throw std::runtime_error("issue failed: " + r.body);
    return r.json();
  }

  // Issue 14 item 5: the item of GET /double-uses for certificate `id` as `token` sees it, or null
  // when it is not listed (every page read).
  json DoubleUsesOf(const std::string& id, const std::string& token) {
    std::string cursor;
    for (int page = 0; page < 100; ++page) {
      auto r = client_->Get(
          "/api/v1/double-uses?limit=1000" + (cursor.empty() ? "" : "&cursor=" + cursor), token);
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) return nullptr;
      const json j = r.json();
      for (const json& item : j.at("items")) {
        if (item.at("id") == id) return item;
      }
      if (j.at("next_cursor").is_null()) return nullptr;
      cursor = j.at("next_cursor").get<std::string>();
    }
    return nullptr;
  }

  json Verify(const std::string& hp1, HttpClient* client = nullptr) {
    auto r = (client ? client : client_.get())->Post("/api/v1/verify", {{"hp1", hp1}});
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("Content-Type").rfind("application/json", 0), 0u);
    return r.json();
  }

  std::string File(const std::string& name) const { return env_->scratch_dir() + "/" + name; }

  // GET a public document into a file.
  std::string Fetch(const std::string& target, const std::string& name) {
    auto r = client_->Get(target);
    EXPECT_EQ(r.status, 200) << r.body;
    WriteFile(File(name), r.body);
    return File(name);
  }

  // `herdpass trust export`: the trust list file and the root key to pin.
  std::pair<std::string, std::string> ExportTrust(HerdpassEnv& env, const std::string& name) {
    const std::string file = env.scratch_dir() + "/" + name;
    CommandResult r = env.Run({"trust", "export", file});
    EXPECT_TRUE(r.ok()) << r.out << r.err;
    std::string root = ReadFile(file + ".root-key");
    root.erase(std::remove_if(root.begin(), root.end(), ::isspace), root.end());
    EXPECT_EQ(root.size(), 44u) << root;  // base64 of 32 bytes
    EXPECT_NE(r.out.find(root), std::string::npos) << "the root key is printed too: " << r.out;
    return {file, root};
  }

  // `herdpass verify ...` offline: no --data, no server.
  CommandResult VerifyOffline(std::vector<std::string> args) {
    return RunHerdpass(args, env_->scratch_dir());
  }
};

// --- W3 issue and W4 verify ---

TEST_F(CertificateApiTest, VetIssuesAndAnyoneVerifiesWithoutPersonalData) {
  Herd h = CattleHerd(0, 2);
  auto r = client_->Post("/api/v1/certificates", IssueBody(h), Token("vet"));
  ASSERT_EQ(r.status, 201) << r.body;
  json c = r.json();
  const std::string id = c.at("id");
  EXPECT_EQ(r.header("Location"), "/api/v1/certificates/" + id);
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(c.at("number").get<std::string>().rfind("KZ-ABY-", 0), 0u) << c.at("number");
  EXPECT_EQ(c.at("hp1").get<std::string>().rfind("HP1:", 0), 0u);
  EXPECT_EQ(c.at("status"), "issued");
  EXPECT_EQ(c.at("kid").get<std::string>().size(), 16u);
  EXPECT_EQ(c.at("purpose"), "slaughter");
  EXPECT_EQ(c.at("species"), "cattle");
  EXPECT_EQ(c.at("head_count"), 2);
  std::vector<std::string> sorted = h.tags;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(c.at("tags").get<std::vector<std::string>>(), sorted);
  EXPECT_EQ(c.at("origin"), "KZ-ABY");
  EXPECT_EQ(c.at("destination"), "KZ-ABY");
  EXPECT_EQ(c.at("destination_place"), "Ayagoz meat plant");
  EXPECT_EQ(c.at("transport"), "truck 123 ABC 05");
  EXPECT_EQ(c.at("owner_phone_last4"), h.phone.substr(h.phone.size() - 4));
  EXPECT_EQ(c.at("owner_masked_name").get<std::string>().substr(0, 1), "B");
  EXPECT_EQ(c.at("owner_masked_name").get<std::string>().find("olat"), std::string::npos);
  ASSERT_FALSE(c.at("vaccinations").empty()) << c.dump(1);
  for (const auto& v : c["vaccinations"]) {
    EXPECT_EQ(v.at("record_id").get<std::string>().size(), 36u) << v;
    EXPECT_EQ(v.at("administered_on"), DaysFromToday(0)) << v;
    EXPECT_FALSE(v.at("batch_no").get<std::string>().empty()) << v;
  }
  auto issued_at = ParseRfc3339(c.at("issued_at").get<std::string>());
  auto valid_until = ParseRfc3339(c.at("valid_until").get<std::string>());
  ASSERT_TRUE(issued_at.ok() && valid_until.ok()) << c.dump(1);
  EXPECT_LT(issued_at.value(), valid_until.value());
  EXPECT_EQ(c.at("links").at("qr_png"), "/api/v1/certificates/" + id + "/qr.png");
  EXPECT_EQ(c.at("links").at("qr_svg"), "/api/v1/certificates/" + id + "/qr.svg");
  EXPECT_EQ(c.at("links").at("print"), "/api/v1/certificates/" + id + "/print");
  EXPECT_EQ(r.body.find(h.phone), std::string::npos) << "no full phone number, ever";

  // The inspector reads the same certificate.
  auto got = client_->Get("/api/v1/certificates/" + id, Token("insp"));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json().at("hp1"), c.at("hp1"));
  EXPECT_EQ(got.json().at("number"), c.at("number"));

  // Anyone verifies it, without a token, and learns nothing personal.
  auto pr = client_->Post("/api/v1/verify", {{"hp1", c.at("hp1")}});
  ASSERT_EQ(pr.status, 200) << pr.body;
  json v = pr.json();
  EXPECT_EQ(v.at("valid"), true) << v.dump(1);
  EXPECT_EQ(v.at("status"), "valid");
  EXPECT_TRUE(v.at("reasons").empty()) << v.dump(1);
  const json& pc = v.at("certificate");
  EXPECT_EQ(pc.at("number"), c.at("number"));
  EXPECT_EQ(pc.at("purpose"), "slaughter");
  EXPECT_EQ(pc.at("species"), "cattle");
  EXPECT_EQ(pc.at("head_count"), 2);
  EXPECT_EQ(pc.at("tags"), c.at("tags"));
  EXPECT_EQ(pc.at("origin"), "KZ-ABY");
  EXPECT_EQ(pc.at("destination"), "KZ-ABY");
  EXPECT_EQ(pc.at("transport"), "truck 123 ABC 05");
  EXPECT_EQ(pc.at("issued_at"), c.at("issued_at"));
  EXPECT_EQ(pc.at("valid_until"), c.at("valid_until"));
  EXPECT_EQ(pc.at("authority"), "KZ-ABY");
  EXPECT_EQ(pc.at("kid"), c.at("kid"));
  EXPECT_EQ(pc.at("vet"), c.at("vet").at("name"));
  EXPECT_EQ(pc.at("owner_masked_name"), c.at("owner_masked_name"));
  EXPECT_EQ(pc.at("owner_phone_last4"), c.at("owner_phone_last4"));
  EXPECT_EQ(pc.at("vaccinations").size(), c.at("vaccinations").size());
  for (const char* personal :
       {"owner_id", "animal_ids", "record_id", "hp1", "consumed", "revoked"}) {
    EXPECT_EQ(pr.body.find(std::string("\"") + personal + "\""), std::string::npos)
        << personal << " in " << pr.body;
  }
  EXPECT_EQ(pr.body.find(h.phone), std::string::npos);
  EXPECT_EQ(pr.body.find("Bolat"), std::string::npos);
}

TEST_F(CertificateApiTest, ATamperedOrForeignTextIsInvalidWithAReason) {
  json c = Issue(IssueBody(CattleHerd(1, 1)));
  const std::string hp1 = c.at("hp1");
  json t = Verify(Tamper(hp1));
  EXPECT_EQ(t.at("valid"), false) << t.dump(1);
  EXPECT_EQ(t.at("status"), "invalid") << t.dump(1);
  ASSERT_FALSE(t.at("reasons").empty()) << t.dump(1);
  EXPECT_FALSE(t["reasons"][0].at("code").get<std::string>().empty());
  EXPECT_FALSE(t["reasons"][0].at("message").get<std::string>().empty());

  json p = Verify("HP2:" + hp1.substr(4));
  EXPECT_EQ(p.at("valid"), false);
  ASSERT_FALSE(p.at("reasons").empty());
  EXPECT_EQ(p["reasons"][0].at("code"), "prefix") << p.dump(1);
  EXPECT_TRUE(p.at("certificate").is_null()) << p.dump(1);

  // The original still verifies: the answer depends on the text alone.
  EXPECT_EQ(Verify(hp1).at("valid"), true);
}

TEST_F(CertificateApiTest, VerifyRefusesAMissingOrNonStringHp1) {
  ExpectProblem(client_->Post("/api/v1/verify", json::object()), 400, "hp1");
  ExpectProblem(client_->Post("/api/v1/verify", {{"hp1", 42}}), 400, "hp1");
  ExpectProblem(client_->Post("/api/v1/verify", {{"hp1", "HP1:X"}, {"hp2", "y"}}), 400, "hp2");
  ExpectProblem(client_->PostRaw("/api/v1/verify", "{\"hp1\":"), 400, "body");
  ExpectProblem(client_->Post("/api/v1/verify", json::array({"HP1:X"})), 400, "body");
}

TEST_F(CertificateApiTest, UnmetRulesAre422ListingEveryFailingAnimalAndStoreNothing) {
  // One cow with the monovalent FMD O vaccine today (no FMD A), one with the bivalent vaccine 200
  // days ago (both lapsed after 180 days), one covered today, and one never vaccinated.
  Herd mono = CattleHerd(2, 1, "FMD-O-INACT");
  const std::string old_tag = KzTag(500000 + 10LL * 2 + 5);
  const std::string ok_tag = KzTag(500000 + 10LL * 2 + 6);
  ASSERT_EQ(client_
                ->Post("/api/v1/vaccinations/batch",
                       {{"records",
                         {Dose(mono.phone, old_tag, "FMD-OA-INACT", DaysFromToday(-200)),
                          Dose(mono.phone, ok_tag, "FMD-OA-INACT", DaysFromToday(0))}}},
                       Token("vet"))
                .status,
            200);
  auto owner = client_->Get("/api/v1/owners?phone=%2B" + mono.phone.substr(1), Token("vet"));
  ASSERT_EQ(owner.status, 200) << owner.body;
  const std::string never_tag = KzTag(500000 + 10LL * 2 + 7);
  ASSERT_EQ(
      client_
          ->Post("/api/v1/animals",
                 {{"tag", never_tag}, {"species", "cattle"}, {"owner_id", owner.json().at("id")}},
                 Token("vet"))
          .status,
      201);
  const std::string metric_before = client_->Get("/metrics").body;

  json body = IssueBody(mono);
  body["animal_tags"] = {mono.tags[0], old_tag, ok_tag, never_tag};
  auto r = client_->Post("/api/v1/certificates", body, Token("vet"));
  ExpectProblem(r, 422);
  json j = r.json();
  ASSERT_TRUE(j.contains("failures") && j["failures"].is_array()) << r.body;
  // The list once: no copy of it as JSON text in an "info" string (issue 10 item 4).
  EXPECT_FALSE(j.contains("info")) << r.body;
  std::map<std::string, std::map<std::string, json>> by_animal;  // tag -> disease -> failure
  for (const auto& f : j["failures"]) {
    for (const char* key : {"animal", "rule", "disease", "state", "message"}) {
      EXPECT_TRUE(f.contains(key) && f[key].is_string()) << key << " in " << f;
    }
    by_animal[f.at("animal")][f.at("disease")] = f;
  }
  EXPECT_EQ(by_animal.count(ok_tag), 0u) << "a covered animal is not listed: " << r.body;
  ASSERT_EQ(by_animal.count(mono.tags[0]), 1u) << r.body;
  EXPECT_EQ(by_animal[mono.tags[0]].count("FMD-O"), 0u) << r.body;
  ASSERT_EQ(by_animal[mono.tags[0]].count("FMD-A"), 1u) << r.body;
  EXPECT_EQ(by_animal[mono.tags[0]]["FMD-A"].at("state"), "never");
  EXPECT_EQ(by_animal[mono.tags[0]]["FMD-A"].at("rule"), "slaughter-fmd-ppr");
  ASSERT_EQ(by_animal.count(old_tag), 1u) << r.body;
  const json& lapsed = by_animal[old_tag]["FMD-O"];
  EXPECT_EQ(lapsed.at("state"), "overdue") << lapsed;
  EXPECT_EQ(lapsed.at("last_dose"), DaysFromToday(-200)) << lapsed;
  EXPECT_EQ(lapsed.at("overdue_since"), DaysFromToday(-20)) << lapsed;
  ASSERT_EQ(by_animal.count(never_tag), 1u) << r.body;
  EXPECT_EQ(by_animal[never_tag].size(), 2u) << "FMD-O and FMD-A: " << r.body;
  EXPECT_EQ(by_animal[never_tag]["FMD-O"].at("state"), "never");
  EXPECT_FALSE(by_animal[never_tag]["FMD-O"].contains("last_dose"));

  // Nothing was stored: the certificate count is unchanged.
  const std::string metric_after = client_->Get("/metrics").body;
  auto count = [](const std::string& metrics) {
    const std::string key = "herdpass_records{kind=\"certificates\"} ";
    auto at = metrics.find(key);
    return at == std::string::npos ? std::string("?") : metrics.substr(at + key.size(), 8);
  };
  EXPECT_NE(count(metric_before), "?") << metric_before;
  EXPECT_EQ(count(metric_before), count(metric_after));

  // With only the covered animal, it issues.
  body["animal_tags"] = {ok_tag};
  EXPECT_EQ(Issue(body).at("head_count"), 1);
}

TEST_F(CertificateApiTest, BadInputIs400NamingTheField) {
  const json good = IssueBody(CattleHerd(3, 1));
  auto with = [&](const char* key, json value) {
    json b = good;
    b[key] = std::move(value);
    return client_->Post("/api/v1/certificates", b, Token("vet"));
  };
  ExpectProblem(with("valid_hour", 2), 400, "valid_hour");  // misspelt: refused, not ignored
  ExpectProblem(with("purpose", "picnic"), 400, "purpose");
  ExpectProblem(with("purpose", 1), 400, "purpose");
  ExpectProblem(with("animal_tags", "398000000000001"), 400, "animal_tags");
  ExpectProblem(with("valid_hours", "1"), 400, "valid_hours");
  ExpectProblem(with("owner_id", "7"), 400, "owner_id");
  ExpectProblem(client_->Post("/api/v1/certificates", json::array(), Token("vet")), 400, "body");
  ExpectProblem(client_->PostRaw("/api/v1/certificates", "{", "application/json", Token("vet")),
                400, "body");
  // The good body still issues: nothing above was half-stored.
  EXPECT_EQ(Issue(good).at("status"), "issued");
}

// --- QR code and printable page ---

TEST_F(CertificateApiTest, QrPngReadsBackAsExactlyTheHp1AndSvgIsSvg) {
  json c = Issue(IssueBody(CattleHerd(4, 2)));
  const std::string id = c.at("id");
  auto png = client_->Get("/api/v1/certificates/" + id + "/qr.png", Token("insp"));
  ASSERT_EQ(png.status, 200) << png.body.substr(0, 300);
  EXPECT_EQ(png.header("Content-Type"), "image/png");
  ASSERT_EQ(png.body.rfind("\x89PNG\r\n\x1a\n", 0), 0u);
  const std::string png_path = File("qr4.png");
  WriteFile(png_path, png.body);

  ProcessOptions opts;
  opts.path = "/usr/bin/zbarimg";
  opts.args = {"--raw", "-q", png_path};
  opts.stdout_path = File("zbar4.out");
  opts.stderr_path = File("zbar4.err");
  Process zbar(opts);
  auto status = zbar.Wait(std::chrono::seconds(30));
  ASSERT_TRUE(status && status->exited && status->code == 0) << ReadFile(File("zbar4.err"));
  std::string text = ReadFile(File("zbar4.out"));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  EXPECT_EQ(text, c.at("hp1").get<std::string>());

  auto svg = client_->Get("/api/v1/certificates/" + id + "/qr.svg", Token("vet"));
  ASSERT_EQ(svg.status, 200) << svg.body.substr(0, 300);
  EXPECT_EQ(svg.header("Content-Type").rfind("image/svg+xml", 0), 0u) << svg.header("Content-Type");
  EXPECT_NE(svg.body.find("<svg"), std::string::npos);
  EXPECT_NE(svg.body.find("</svg>"), std::string::npos);

  ExpectProblem(client_->Get("/api/v1/certificates/" + NewUuid() + "/qr.png", Token("insp")), 404);
}

TEST_F(CertificateApiTest, PrintPageInRussianAndUyghurShowsTheNumberAndNoPhone) {
  Herd h = CattleHerd(5, 1);
  json c = Issue(IssueBody(h));
  const std::string id = c.at("id");
  const std::string number = c.at("number");

  auto ru = client_->Get("/api/v1/certificates/" + id + "/print?lang=ru", Token("insp"));
  ASSERT_EQ(ru.status, 200) << ru.body.substr(0, 300);
  EXPECT_EQ(ru.header("Content-Type").rfind("text/html", 0), 0u) << ru.header("Content-Type");
  EXPECT_NE(ru.body.find(number), std::string::npos);
  EXPECT_NE(ru.body.find("lang=\"ru\""), std::string::npos) << ru.body.substr(0, 500);
  EXPECT_EQ(ru.body.find("dir=\"rtl\""), std::string::npos);
  for (const auto& form : PhoneForms(h.phone)) {
    EXPECT_EQ(ru.body.find(form), std::string::npos) << form;
  }

  // Uyghur from Accept-Language: written right to left.
  auto ug = client_->Send("GET", "/api/v1/certificates/" + id + "/print", "", "", Token("vet"),
                          {{"Accept-Language", "ug-CN,ug;q=0.9,zh;q=0.5"}});
  ASSERT_EQ(ug.status, 200) << ug.body.substr(0, 300);
  EXPECT_NE(ug.body.find(number), std::string::npos);
  EXPECT_NE(ug.body.find("lang=\"ug\""), std::string::npos) << ug.body.substr(0, 500);
  EXPECT_NE(ug.body.find("dir=\"rtl\""), std::string::npos) << ug.body.substr(0, 500);
  for (const auto& form : PhoneForms(h.phone)) {
    EXPECT_EQ(ug.body.find(form), std::string::npos) << form;
  }
}

// The print page runs no script and loads nothing: a strict Content-Security-Policy allows its one
// inline style block (by hash) and nothing else, and the browser must not sniff its type.
TEST_F(CertificateApiTest, PrintPageHasAStrictContentSecurityPolicy) {
  json c = Issue(IssueBody(CattleHerd(24, 1)));
  auto page = client_->Get("/api/v1/certificates/" + c.at("id").get<std::string>() + "/print",
                           Token("vet"));
  ASSERT_EQ(page.status, 200) << page.body.substr(0, 300);
  const std::string csp = page.header("Content-Security-Policy");
  const size_t open = page.body.find("<style>");
  const size_t close = page.body.find("</style>");
  ASSERT_NE(open, std::string::npos);
  ASSERT_NE(close, std::string::npos);
  const std::string style = page.body.substr(open + 7, close - open - 7);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(style.data()), style.size());
  char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(b64, sizeof b64, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
  EXPECT_EQ(csp, std::string("default-src 'none'; style-src 'sha256-") + b64 +
                     "'; img-src 'none'; base-uri 'none'; form-action 'none'; "
                     "frame-ancestors 'none'")
      << csp;
  EXPECT_EQ(page.body.find("<script"), std::string::npos);
  EXPECT_EQ(page.header("X-Content-Type-Options"), "nosniff");
}

// --- W5 consume, W6 revoke ---

TEST_F(CertificateApiTest, ConsumedOnceThenASecondUseIs409WithTheFirst) {
  json c = Issue(IssueBody(CattleHerd(6, 1)));
  const std::string target = "/api/v1/certificates/" + c.at("id").get<std::string>() + "/consume";
  ExpectProblem(client_->Post(target, {{"place", "x"}, {"where", "y"}}, Token("insp")), 400,
                "where");
  auto first = client_->Post(target, {{"place", "Ayagoz meat plant, gate 2"}}, Token("insp"));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json().at("status"), "consumed");
  EXPECT_EQ(first.json().at("consumed").at("place"), "Ayagoz meat plant, gate 2");

  auto second = client_->Post(target, {{"place", "Semey market"}}, Token("insp"));
  ExpectProblem(second, 409);
  json j = second.json();
  ASSERT_TRUE(j.contains("first_consumed")) << second.body;
  EXPECT_EQ(j["first_consumed"].at("place"), "Ayagoz meat plant, gate 2");
  EXPECT_EQ(j["first_consumed"].at("by"), "insp");
  EXPECT_TRUE(ParseRfc3339(j["first_consumed"].at("at").get<std::string>()).ok()) << second.body;

  // The public learns that it was used, when and where, but not by whom.
  auto pv = client_->Post("/api/v1/verify", {{"hp1", c.at("hp1")}});
  json v = pv.json();
  EXPECT_EQ(v.at("valid"), false) << v.dump(1);
  EXPECT_EQ(v.at("status"), "consumed");
  EXPECT_EQ(v.at("consumed_place"), "Ayagoz meat plant, gate 2");
  EXPECT_TRUE(v.contains("consumed_at")) << v.dump(1);
  EXPECT_EQ(pv.body.find("\"insp\""), std::string::npos) << pv.body;

  // A vet may not consume.
  ExpectProblem(client_->Post(target, {{"place", "x"}}, Token("vet")), 403);
}

TEST_F(CertificateApiTest, RevokedIsSaidByVerifyAndTheRevocationListGrows) {
  json c = Issue(IssueBody(CattleHerd(7, 1)));
  const std::string id = c.at("id");
  auto before = client_->Get("/api/v1/revocations");
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(before.header("Content-Type").rfind("application/json", 0), 0u);
  EXPECT_NE(before.header("Cache-Control").find("max-age=60"), std::string::npos)
      << before.header("Cache-Control");
  json list0 = JwsPayload(before.body);
  const int64_t seq0 = list0.at("sequence").get<int64_t>();

  ExpectProblem(
      client_->Post("/api/v1/certificates/" + id + "/revoke", json::object(), Token("vet")), 400,
      "reason");
  auto r = client_->Post("/api/v1/certificates/" + id + "/revoke",
                         {{"reason", "animals sold before transport"}}, Token("vet"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("status"), "revoked");
  EXPECT_EQ(r.json().at("revoked").at("reason"), "animals sold before transport");
  ExpectProblem(client_->Post("/api/v1/certificates/" + id + "/revoke", {{"reason", "again"}},
                              Token("admin")),
                409);

  json v = Verify(c.at("hp1"));
  EXPECT_EQ(v.at("valid"), false) << v.dump(1);
  EXPECT_EQ(v.at("status"), "revoked");
  bool said = false;
  for (const auto& reason : v.at("reasons")) said |= reason.at("code") == "revoked";
  EXPECT_TRUE(said) << v.dump(1);

  auto after = client_->Get("/api/v1/revocations");
  ASSERT_EQ(after.status, 200);
  json list1 = JwsPayload(after.body);
  EXPECT_GT(list1.at("sequence").get<int64_t>(), seq0) << after.body;
  const auto hashes = list1.at("revoked").get<std::vector<std::string>>();
  EXPECT_NE(std::find(hashes.begin(), hashes.end(), RevocationHashOf(id)), hashes.end())
      << "the list names the certificate by the SHA-256 of its id: " << list1.dump(1);
  EXPECT_EQ(after.body.find(id), std::string::npos) << "and never by its id";

  // A revoked certificate cannot be used.
  ExpectProblem(
      client_->Post("/api/v1/certificates/" + id + "/consume", {{"place", "gate"}}, Token("insp")),
      409);
}

TEST_F(CertificateApiTest, TrustListIsServedSignedWithTheSigningKeys) {
  json c = Issue(IssueBody(CattleHerd(8, 1)));
  auto r = client_->Get("/api/v1/trust-list");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type").rfind("application/json", 0), 0u);
  EXPECT_NE(r.header("Cache-Control").find("max-age=300"), std::string::npos)
      << r.header("Cache-Control");
  json jws = json::parse(r.body);
  for (const char* part : {"protected", "payload", "signature"}) {
    EXPECT_TRUE(jws.contains(part) && jws[part].is_string()) << part;
  }
  json header = json::parse(Base64UrlDecode(jws.at("protected")));
  EXPECT_EQ(header.at("alg"), "EdDSA");
  json list = JwsPayload(r.body);
  EXPECT_EQ(list.at("country"), "KZ");
  bool listed = false;
  for (const auto& k : list.at("keys")) listed |= k.at("kid") == c.at("kid");
  EXPECT_TRUE(listed) << "the key that signed the certificate is in the trust list: "
                      << list.dump(1);
  // Never private material: the key files' seeds appear in no document.
  for (const auto& entry : std::filesystem::directory_iterator(env_->data_dir() + "/keys")) {
    std::string key_file = ReadFile(entry.path());
    const std::string seed = key_file.substr(key_file.find(':') + 1, 44);
    EXPECT_EQ(r.body.find(seed), std::string::npos);
    EXPECT_EQ(client_->Get("/api/v1/revocations").body.find(seed), std::string::npos);
  }
}

// Animals travel, and any inspector may verify a certificate (public); reading it follows the list
// (issued in the inspector's subtree or destined to it), and only the destination's jurisdiction
// consumes it: an inspector on the road cannot burn a truck's certificate. A vet of another
// jurisdiction neither sees nor revokes it.
TEST_F(CertificateApiTest, InspectorsReadWhatTheirJurisdictionIssuedOrAwaitsAndOnlyItConsumes) {
  json body = IssueBody(CattleHerd(9, 1));
  body["destination"] = "KZ-ALM";
  body["destination_place"] = "Almaty meat plant";
  json c = Issue(body);
  const std::string id = c.at("id");
  const std::string base = "/api/v1/certificates/" + id;
  ExpectProblem(client_->Get(base, Token("vet-alm")), 404);
  ExpectProblem(client_->Post(base + "/revoke", {{"reason", "not mine"}}, Token("vet-alm")), 403);

  // The road (KZ-AKM): nothing to read, nothing to consume; the public verify still says valid.
  for (const char* part : {"", "/qr.svg", "/qr.png", "/print"}) {
    SCOPED_TRACE(part);
    ExpectProblem(client_->Get(base + part, Token("insp-akm")), 404);
    auto read = client_->Get(base + part, Token("insp-alm"));  // the destination reads it
    EXPECT_EQ(read.status, 200) << read.body.substr(0, 300);
    auto issuer = client_->Get(base + part, Token("insp"));  // and so does the issuer's
    EXPECT_EQ(issuer.status, 200) << issuer.body.substr(0, 300);
  }
  auto road = client_->Post(base + "/consume", {{"place", "checkpoint 7"}}, Token("insp-akm"));
  ExpectProblem(road, 403);
  EXPECT_NE(road.body.find("permission-denied"), std::string::npos) << road.body;
  ExpectProblem(client_->Post(base + "/consume", {{"place", "Ayagoz"}}, Token("insp")), 403);
  json v = Verify(c.at("hp1"));
  EXPECT_EQ(v.at("status"), "valid") << v.dump(1);
  EXPECT_EQ(client_->Get(base, Token("insp")).json().at("status"), "issued");

  auto used = client_->Post(base + "/consume", {{"place", "Almaty meat plant"}}, Token("insp-alm"));
  ASSERT_EQ(used.status, 200) << used.body;
  EXPECT_EQ(used.json().at("consumed").at("by"), "insp-alm");
}

// A certificate of KZ-ABY bound for KZ-ABY is neither read nor consumed by KZ-ALM's inspector.
TEST_F(CertificateApiTest, AnInspectorElsewhereNeitherReadsNorConsumes) {
  json c = Issue(IssueBody(CattleHerd(20, 1)));
  const std::string base = "/api/v1/certificates/" + c.at("id").get<std::string>();
  ExpectProblem(client_->Get(base, Token("insp-alm")), 404);
  ExpectProblem(client_->Get(base + "/print", Token("insp-alm")), 404);
  ExpectProblem(client_->Post(base + "/consume", {{"place", "Almaty"}}, Token("insp-alm")), 403);
  auto used = client_->Post(base + "/consume", {{"place", "Ayagoz"}}, Token("insp"));
  EXPECT_EQ(used.status, 200) << used.body;
}

// The origin is where the animals leave from: within the vet's jurisdiction (403 naming it).
TEST_F(CertificateApiTest, OriginOutsideTheVetsJurisdictionIs403NamingIt) {
  const Herd herd = CattleHerd(21, 1);
  json body = IssueBody(herd);
  body["origin"] = "KZ-ALM";
  ExpectProblem(client_->Post("/api/v1/certificates", body, Token("vet")), 403, "origin");
  // Nothing issued for this herd's owner (the list filtered to that owner, not a count of a shared
  // server's certificates, which a page limit could cut).
  auto owner = client_->Get("/api/v1/owners?phone=%2B" + herd.phone.substr(1), Token("vet"));
  ASSERT_EQ(owner.status, 200) << owner.body;
  const json owner_json = owner.json();
  auto listed = client_->Get(
      "/api/v1/certificates?owner_id=" + std::to_string(owner_json.at("id").get<int64_t>()),
      Token("vet"));
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_TRUE(listed.json().at("items").empty()) << listed.body;
}

// owner_id and owner_phone given together must name the same owner (400 naming owner_phone).
TEST_F(CertificateApiTest, OwnerIdAndPhoneOfDifferentOwnersIs400) {
  Herd a = CattleHerd(22, 1);
  Herd b = CattleHerd(23, 1);
  auto owner_b = client_->Get("/api/v1/owners?phone=%2B" + b.phone.substr(1), Token("vet"));
  ASSERT_EQ(owner_b.status, 200) << owner_b.body;
  json body = IssueBody(b);  // b's tags, b's id, and a's phone
  body["owner_id"] = owner_b.json().at("id");
  body["owner_phone"] = a.phone;
  ExpectProblem(client_->Post("/api/v1/certificates", body, Token("vet")), 400, "owner_phone");
  body["owner_phone"] = b.phone;
  auto ok = client_->Post("/api/v1/certificates", body, Token("vet"));
  EXPECT_EQ(ok.status, 201) << ok.body;
}

// --- offline verification with `herdpass verify` ---

TEST_F(CertificateApiTest, OfflineVerifyReadsThePngAndSaysValidThenRevoked) {
  json c = Issue(IssueBody(CattleHerd(10, 2)));
  const std::string id = c.at("id");
  auto png = client_->Get("/api/v1/certificates/" + id + "/qr.png", Token("insp"));
  ASSERT_EQ(png.status, 200);
  WriteFile(File("qr10.png"), png.body);
  auto [trust_list, root_key] = ExportTrust(*env_, "trust10.json");
  const std::string served_tl = Fetch("/api/v1/trust-list", "served-trust10.json");
  const std::string rl = Fetch("/api/v1/revocations", "revocations10.json");

  CommandResult ok = VerifyOffline({"verify", "--png", File("qr10.png"), "--trust-list", served_tl,
                                    "--revocations", rl, "--root-key", root_key});
  EXPECT_EQ(ok.status.code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("status:          valid"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find(c.at("number").get<std::string>()), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("trust list:"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find(" h old"), std::string::npos) << "the lists' age: " << ok.out;
  // The exported file is the same document as the served one.
  EXPECT_EQ(VerifyOffline({"verify", c.at("hp1").get<std::string>(), "--trust-list", trust_list,
                           "--revocations", rl, "--root-key", root_key})
                .status.code,
            0);

  // Revoked, with a fresh revocation list: exit 1, and it says so.
  ASSERT_EQ(
      client_->Post("/api/v1/certificates/" + id + "/revoke", {{"reason", "test"}}, Token("vet"))
          .status,
      200);
  const std::string rl2 = Fetch("/api/v1/revocations", "revocations10b.json");
  CommandResult revoked = VerifyOffline({"verify", "--png", File("qr10.png"), "--trust-list",
                                         served_tl, "--revocations", rl2, "--root-key", root_key});
  EXPECT_EQ(revoked.status.code, 1) << revoked.out << revoked.err;
  EXPECT_NE(revoked.out.find("revoked"), std::string::npos) << revoked.out;
  // With the old list, the verifier cannot know yet: valid, and the list's age tells how stale.
  EXPECT_EQ(VerifyOffline({"verify", "--png", File("qr10.png"), "--trust-list", served_tl,
                           "--revocations", rl, "--root-key", root_key})
                .status.code,
            0);

  // A tampered text: exit 1.
  CommandResult tampered =
      VerifyOffline({"verify", Tamper(c.at("hp1").get<std::string>()), "--trust-list", served_tl,
                     "--revocations", rl, "--root-key", root_key});
  EXPECT_EQ(tampered.status.code, 1) << tampered.out << tampered.err;
  EXPECT_NE(tampered.out.find("invalid"), std::string::npos) << tampered.out;
}

TEST_F(CertificateApiTest, OfflineVerifyUsageAndFileErrorsExit2) {
  json c = Issue(IssueBody(CattleHerd(11, 1)));
  auto [trust_list, root_key] = ExportTrust(*env_, "trust11.json");
  const std::string rl = Fetch("/api/v1/revocations", "revocations11.json");
  const std::string hp1 = c.at("hp1");
  // Another root key than the one that signed the trust list: nothing can be trusted.
  const std::string other_root = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"verify", hp1, "--trust-list", trust_list, "--revocations", rl, "--root-key", other_root},
       "pinned root"},
      {{"verify", hp1, "--trust-list", File("missing.json"), "--revocations", rl, "--root-key",
        root_key},
       "missing.json"},
      {{"verify", hp1, "--trust-list", trust_list, "--revocations", rl, "--root-key", "not base64"},
       "root"},
      {{"verify", hp1, "--trust-list", rl, "--revocations", rl, "--root-key", root_key},
       "trust list"},
      {{"verify", "--png", File("missing.png"), "--trust-list", trust_list, "--revocations", rl,
        "--root-key", root_key},
       "missing.png"},
      {{"verify", hp1, "--trust-list", trust_list, "--revocations", rl, "--root-key", root_key,
        "--now", "yesterday"},
       "now"},
      {{"verify", "--trust-list", trust_list, "--revocations", rl, "--root-key", root_key}, "HP1"},
      {{"verify", hp1, "--revocations", rl, "--root-key", root_key}, "trust-list"},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.says);
    CommandResult r = VerifyOffline(k.args);
    EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.status.code << r.out << r.err;
    EXPECT_NE(r.err.find(k.says), std::string::npos) << r.err;
  }
}

TEST_F(CertificateApiTest, OfflineVerifyAfterTheValidityWindowSaysExpired) {
  json body = IssueBody(CattleHerd(12, 1));
  // To another province: the default validity is then days long, so one hour always shortens it.
  // Within the province it ends at local midnight, and from 23:00 local time (18:00 UTC at the
  // default +05:00) one hour would be refused: the test failed at that hour of the wall clock.
  body["destination"] = "KZ-ALM";
  body["valid_hours"] = 1;
  json c = Issue(body);
  auto issued = ParseRfc3339(c.at("issued_at").get<std::string>());
  auto until = ParseRfc3339(c.at("valid_until").get<std::string>());
  ASSERT_TRUE(issued.ok() && until.ok());
  EXPECT_EQ(until.value() - issued.value(), std::chrono::hours(1));
  auto [trust_list, root_key] = ExportTrust(*env_, "trust12.json");
  const std::string rl = Fetch("/api/v1/revocations", "revocations12.json");
  auto verify_at = [&](Timestamp t) {
    return VerifyOffline({"verify", c.at("hp1").get<std::string>(), "--trust-list", trust_list,
                          "--revocations", rl, "--root-key", root_key, "--now", FormatRfc3339(t)});
  };
  CommandResult within = verify_at(issued.value() + std::chrono::minutes(30));
  EXPECT_EQ(within.status.code, 0) << within.out << within.err;
  CommandResult later = verify_at(issued.value() + std::chrono::hours(2));
  EXPECT_EQ(later.status.code, 1) << later.out << later.err;
  EXPECT_NE(later.out.find("status:          expired"), std::string::npos) << later.out;
}

// --- W9: a neighbouring country imports this one's trust list ---

TEST_F(CertificateApiTest, ANeighbourImportingTheTrustListVerifiesOurCertificates) {
  json c = Issue(IssueBody(CattleHerd(13, 1)));
  const std::string hp1 = c.at("hp1");
  auto [trust_list, root_key] = ExportTrust(*env_, "trust13.json");

  HerdpassEnv uz;
  uz.Init("UZ", "UZ-TO");
  uz.StartServer();
  auto uz_client = uz.Client();
  json before = Verify(hp1, uz_client.get());
  EXPECT_EQ(before.at("valid"), false) << before.dump(1);
  ASSERT_FALSE(before.at("reasons").empty());
  EXPECT_EQ(before["reasons"][0].at("code"), "unknown_kid") << before.dump(1);

  // A trust list with the wrong pinned key is refused and changes nothing.
  const std::string uz_root = ExportTrust(uz, "uz-trust.json").second;
  CommandResult wrong = uz.Run({"trust", "import", trust_list, "--root-key", uz_root});
  EXPECT_TRUE(wrong.status.exited && wrong.status.code == 2) << wrong.out << wrong.err;
  EXPECT_EQ(wrong.err.rfind("herdpass: trust_list: the trust list is refused: ", 0), 0u)
      << wrong.err;
  CommandResult unchanged = uz.Run({"key", "list"});
  ASSERT_TRUE(unchanged.ok()) << unchanged.err;
  EXPECT_EQ(unchanged.out.find("KZ"), std::string::npos) << unchanged.out;
  CommandResult missing =
      uz.Run({"trust", "import", uz.scratch_dir() + "/none.json", "--root-key", root_key});
  EXPECT_TRUE(missing.status.exited && missing.status.code == 2) << missing.out << missing.err;
  EXPECT_EQ(missing.err, "herdpass: file: cannot read " + uz.scratch_dir() + "/none.json\n");

  CommandResult imported = uz.Run({"trust", "import", trust_list, "--root-key", root_key});
  ASSERT_TRUE(imported.ok()) << imported.out << imported.err;
  EXPECT_NE(imported.out.find(c.at("kid").get<std::string>()), std::string::npos) << imported.out;
  CommandResult keys = uz.Run({"key", "list"});
  ASSERT_TRUE(keys.ok()) << keys.err;
  EXPECT_NE(keys.out.find("import:KZ"), std::string::npos) << keys.out;

  // The server reads keys at start (and caches them for a few seconds): restart it.
  ExitStatus stopped = uz.StopServer();
  EXPECT_TRUE(stopped.exited && stopped.code == 0);
  uz.StartServer();
  uz_client = uz.Client();
  json after = Verify(hp1, uz_client.get());
  EXPECT_EQ(after.at("valid"), true) << after.dump(1);
  EXPECT_EQ(after.at("status"), "valid");
  EXPECT_EQ(after.at("certificate").at("number"), c.at("number"));
  EXPECT_EQ(after.at("certificate").at("authority"), "KZ-ABY");
  // Its own trust list still lists only its own keys: it republishes no one else's.
  json uz_list = JwsPayload(uz_client->Get("/api/v1/trust-list").body);
  EXPECT_EQ(uz_list.at("country"), "UZ");
  for (const auto& k : uz_list.at("keys")) EXPECT_NE(k.at("kid"), c.at("kid"));
}

// --- a node keeps keys and users of its own country only (issue 17) ---

TEST_F(CertificateApiTest, KeysAndUsersOfAnotherCountryAreRefusedByTheCommandLine) {
  struct Case {
    std::vector<std::string> args;
    std::string stdin_text;
    std::string names;  // what the message must name
  };
  const std::vector<Case> cases = {
      {{"key", "new", "--authority", "CN-65"}, "", "CN-65"},
      {{"key", "new", "--root", "--country", "CN"}, "", "CN"},
      {{"user", "add", "--username", "cn-vet", "--role", "vet", "--authority", "CN-65"},
       "pw-cn-vet-1234\n",
       "CN-65"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.args[0] + " " + k.args[1]);
    CommandResult r = env_->Run(k.args, k.stdin_text);
    EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.status.code << r.out << r.err;
    EXPECT_NE(r.err.find(k.names + " is not of KZ, this node's country"), std::string::npos)
        << r.err;
  }
  // Nothing was made.
  CommandResult keys = env_->Run({"key", "list"});
  ASSERT_TRUE(keys.ok()) << keys.err;
  EXPECT_EQ(keys.out.find("CN"), std::string::npos) << keys.out;
  CommandResult users = env_->Run({"user", "list"});
  ASSERT_TRUE(users.ok()) << users.err;
  EXPECT_EQ(users.out.find("cn-vet"), std::string::npos) << users.out;
}

TEST_F(CertificateApiTest, AForeignKeyInTheStoreStaysOutOfTheTrustListThatVerifiersUse) {
  json c = Issue(IssueBody(CattleHerd(14, 1)));
  const std::string hp1 = c.at("hp1");
  // A key of another country among this node's own, as an older version let `key new --authority
  // CN-65` store: made here as a KZ key, then relabelled in the database.
  CommandResult made = env_->Run({"key", "new", "--authority", "KZ-ABY-09"});
  ASSERT_TRUE(made.ok()) << made.out << made.err;
  const std::string marker = "signing key ";
  ASSERT_NE(made.out.find(marker), std::string::npos) << made.out;
  const std::string foreign_kid = made.out.substr(made.out.find(marker) + marker.size(), 16);
  env_->ExecSql("UPDATE signing_keys SET authority = 'CN-65', country = 'CN' WHERE kid = '" +
                foreign_kid + "'");
  // Any change of the key set signs the list again.
  CommandResult alm = env_->Run({"key", "new", "--authority", "KZ-ALM"});
  ASSERT_TRUE(alm.ok()) << alm.out << alm.err;

  auto [trust_list, root_key] = ExportTrust(*env_, "trust14.json");
  json payload = JwsPayload(ReadFile(trust_list));
  EXPECT_EQ(payload.at("country"), "KZ");
  ASSERT_FALSE(payload.at("keys").empty());
  for (const auto& k : payload.at("keys")) {
    EXPECT_NE(k.at("kid"), foreign_kid) << payload.dump(1);
    EXPECT_EQ(k.at("country"), "KZ") << payload.dump(1);
  }
  // Offline verification with that list: the genuine certificate is valid.
  const std::string rl = Fetch("/api/v1/revocations", "revocations14.json");
  CommandResult offline = VerifyOffline(
      {"verify", hp1, "--trust-list", trust_list, "--revocations", rl, "--root-key", root_key});
  EXPECT_EQ(offline.status.code, 0) << offline.out << offline.err;
  EXPECT_NE(offline.out.find("status:          valid"), std::string::npos) << offline.out;
  // And a neighbour imports it.
  HerdpassEnv uz;
  uz.Init("UZ", "UZ-TO");
  CommandResult imported = uz.Run({"trust", "import", trust_list, "--root-key", root_key});
  ASSERT_TRUE(imported.ok()) << imported.out << imported.err;
  EXPECT_NE(imported.out.find(c.at("kid").get<std::string>()), std::string::npos) << imported.out;
  EXPECT_EQ(imported.out.find(foreign_kid), std::string::npos) << imported.out;
}

// --- keys from the command line ---

TEST_F(CertificateApiTest, KeyCommandsListNewAndRetireWithoutPrivateMaterial) {
  CommandResult list = env_->Run({"key", "list"});
  ASSERT_TRUE(list.ok()) << list.err;
  EXPECT_NE(list.out.find("\troot\t"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("KZ-ABY\tsigning\t"), std::string::npos) << list.out;
  for (const auto& entry : std::filesystem::directory_iterator(env_->data_dir() + "/keys")) {
    const std::string key_file = ReadFile(entry.path());
    EXPECT_EQ(list.out.find(key_file.substr(key_file.find(':') + 1, 44)), std::string::npos);
    EXPECT_EQ((std::filesystem::status(entry.path()).permissions() &
               (std::filesystem::perms::group_all | std::filesystem::perms::others_all)),
              std::filesystem::perms::none)
        << entry.path();
  }

  CommandResult made = env_->Run({"key", "new", "--authority", "KZ-ABY-07", "--valid-days", "30"});
  ASSERT_TRUE(made.ok()) << made.out << made.err;
  const std::string marker = "signing key ";
  ASSERT_NE(made.out.find(marker), std::string::npos) << made.out;
  const std::string kid = made.out.substr(made.out.find(marker) + marker.size(), 16);
  EXPECT_TRUE(std::filesystem::exists(env_->data_dir() + "/keys/" + kid + ".key")) << made.out;
  CommandResult again = env_->Run({"key", "list"});
  EXPECT_NE(again.out.find(kid + "\tKZ-ABY-07\tsigning\t"), std::string::npos) << again.out;

  CommandResult retired = env_->Run({"key", "retire", kid});
  EXPECT_TRUE(retired.ok()) << retired.out << retired.err;
  CommandResult twice = env_->Run({"key", "retire", kid});
  EXPECT_TRUE(twice.status.exited && twice.status.code == 1) << twice.out << twice.err;
  EXPECT_EQ(twice.err, "herdpass: the signing key is already retired\n");
  CommandResult unknown = env_->Run({"key", "retire", "00000000000000ff"});
  EXPECT_TRUE(unknown.status.exited && unknown.status.code == 1) << unknown.out << unknown.err;
  EXPECT_EQ(unknown.err, "herdpass: no signing key 00000000000000ff\n");

  CommandResult usage = env_->Run({"key", "new"});
  EXPECT_TRUE(usage.status.exited && usage.status.code == 2) << usage.out << usage.err;
  EXPECT_EQ(usage.err, "herdpass: authority: give --authority CODE, or --root [--country CC]\n");
}

// --- W13: movements ---

// POST /holdings as `who` (its own authority); the new holding's id.
int64_t AddHolding(HttpClient& client, const std::string& token, const std::string& code,
                   const std::string& kind) {
  auto r = client.Post("/api/v1/holdings",
                       {{"code", code},
                        {"kind", kind},
                        {"name", "Holding " + code},
                        {"lat", 47.9},
                        {"lon", 80.6},
                        {"opened_on", "2020-01-01"}},
                       token);
  EXPECT_EQ(r.status, 201) << r.body;
  return r.status == 201 ? r.json().at("id").get<int64_t>() : 0;
}

TEST_F(CertificateApiTest, AnArrivalWithAMismatchReachesTheOriginVetAndBadInputChangesNothing) {
  Herd h = CattleHerd(40, 2);
  const std::string unique = NewUuid().substr(0, 8);
  const int64_t station = AddHolding(*client_, Token("vet"), "QS-" + unique, "quarantine_station");
  const int64_t plant = AddHolding(*client_, Token("vet"), "SH-" + unique, "slaughterhouse");
  const int64_t far = AddHolding(*client_, Token("vet-alm"), "SHA-" + unique, "slaughterhouse");
  json body = IssueBody(h);
  body["origin_holding"] = far;  // not the vet's
  ExpectProblem(client_->Post("/api/v1/certificates", body, Token("vet")), 403, "origin_holding");
  body["origin_holding"] = station;
  body["destination_holding"] = 99999999;
  ExpectProblem(client_->Post("/api/v1/certificates", body, Token("vet")), 400,
                "destination_holding");
  body["destination_holding"] = plant;
  json c = Issue(body);
  const std::string id = c.at("id");
  EXPECT_EQ(c.at("movement").at("status"), "planned");
  EXPECT_EQ(c.at("movement").at("origin_holding"), station);
  EXPECT_EQ(c.at("movement").at("destination_holding"), plant);

  // The destination's inspector sees it coming, with the head and tags expected.
  auto incoming = client_->Get("/api/v1/movements/incoming?limit=1000", Token("insp"));
  ASSERT_EQ(incoming.status, 200) << incoming.body;
  json coming;
  const json incoming_page = incoming.json();
  for (const auto& item : incoming_page.at("items")) {
    if (item.at("id") == id) coming = item;
  }
  ASSERT_FALSE(coming.is_null()) << incoming.body.substr(0, 500);
  EXPECT_EQ(coming.at("movement").at("head_expected"), 2);
  std::vector<std::string> sorted = h.tags;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(coming.at("tags").get<std::vector<std::string>>(), sorted);

  // Bad input: each refused naming the field, and nothing changes.
  const std::string target = "/api/v1/certificates/" + id + "/consume";
  auto with = [&](json extra) {
    json b = {{"place", "Ayagoz meat plant"}, {"holding", plant}};
    for (auto& [k, v] : extra.items()) b[k] = v;
    return client_->Post(target, b, Token("insp"));
  };
  ExpectProblem(with({{"head_count", 3}}), 422, "head_count");
  ExpectProblem(with({{"tags", {"not-a-tag"}}}), 400, "tags[0]");
  ExpectProblem(with({{"holding", 99999999}}), 400, "holding");
  ExpectProblem(with({{"holding", far}}), 403, "holding");
  auto unchanged = client_->Get("/api/v1/certificates/" + id, Token("insp"));
  ASSERT_EQ(unchanged.status, 200) << unchanged.body;
  EXPECT_EQ(unchanged.json().at("status"), "issued");
  EXPECT_TRUE(unchanged.json().at("movement").at("arrival").is_null());
  for (const auto& tag : h.tags) {
    auto a = client_->Get("/api/v1/animals/" + tag, Token("vet"));
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.json().at("status"), "alive") << a.body;
  }

  // One head of two came, with one of the tags: a mismatch.
  auto arrived = with({{"head_count", 1}, {"tags", {h.tags[0]}}});
  ASSERT_EQ(arrived.status, 200) << arrived.body;
  const json arrival = arrived.json().at("movement").at("arrival");
  EXPECT_EQ(arrived.json().at("movement").at("status"), "mismatch");
  EXPECT_EQ(arrival.at("head_count"), 1);
  EXPECT_EQ(arrival.at("holding"), plant);
  EXPECT_EQ(arrival.at("missing_tags"), json::array({h.tags[1]}));
  EXPECT_EQ(arrival.at("extra_tags"), json::array());
  EXPECT_EQ(arrival.at("mismatch"), true);

  // The origin vet sees the mismatch; a vet elsewhere does not.
  auto mismatches = client_->Get("/api/v1/movements?status=mismatch&limit=1000", Token("vet"));
  ASSERT_EQ(mismatches.status, 200) << mismatches.body;
  json listed;
  const json mismatch_page = mismatches.json();
  for (const auto& item : mismatch_page.at("items")) {
    if (item.at("id") == id) listed = item;
  }
  ASSERT_FALSE(listed.is_null()) << mismatches.body.substr(0, 500);
  EXPECT_EQ(listed.at("movement").at("arrival").at("missing_tags"), json::array({h.tags[1]}));
  auto elsewhere = client_->Get("/api/v1/movements?status=mismatch&limit=1000", Token("vet-alm"));
  ASSERT_EQ(elsewhere.status, 200) << elsewhere.body;
  EXPECT_EQ(elsewhere.body.find(id), std::string::npos);
  ExpectProblem(client_->Get("/api/v1/movements?status=lost", Token("vet")), 400, "status");

  // The one that came was slaughtered at the plant; the missing one was not.
  auto came = client_->Get("/api/v1/animals/" + h.tags[0], Token("vet")).json();
  EXPECT_EQ(came.at("status"), "slaughtered") << came.dump();
  EXPECT_EQ(came.at("holding").at("id"), plant) << came.dump();
  EXPECT_EQ(client_->Get("/api/v1/animals/" + h.tags[1], Token("vet")).json().at("status"),
            "alive");
}

// An arrival at a holding may leave the place out: it is the holding's name. Without a holding
// the place is required, and a refusal uses nothing up.
TEST_F(CertificateApiTest, AnArrivalAtAHoldingNeedsNoPlaceOneWithoutAHoldingDoes) {
  Herd h = CattleHerd(43, 2);
  const std::string unique = NewUuid().substr(0, 8);
  const int64_t plant = AddHolding(*client_, Token("vet"), "SHP-" + unique, "slaughterhouse");
  json body = IssueBody(h);
  body["destination_holding"] = plant;
  const std::string id = Issue(body).at("id");
  const std::string target = "/api/v1/certificates/" + id + "/consume";
  ExpectProblem(client_->Post(target, json{{"head_count", 2}}, Token("insp")), 400, "place");
  ExpectProblem(client_->Post(target, json{{"place", ""}, {"head_count", 2}}, Token("insp")), 400,
                "place");
  auto unchanged = client_->Get("/api/v1/certificates/" + id, Token("insp"));
  ASSERT_EQ(unchanged.status, 200) << unchanged.body;
  EXPECT_EQ(unchanged.json().at("status"), "issued");

  auto arrived = client_->Post(target, json{{"holding", plant}, {"head_count", 2}}, Token("insp"));
  ASSERT_EQ(arrived.status, 200) << arrived.body;
  EXPECT_EQ(arrived.json().at("status"), "consumed");
  EXPECT_EQ(arrived.json().at("consumed").at("place"), "Holding SHP-" + unique);
  EXPECT_EQ(arrived.json().at("movement").at("arrival").at("holding"), plant);
}

TEST_F(CertificateApiTest, OfTwoInspectorsConfirmingOneArrivalExactlyOneWins) {
  Herd h = CattleHerd(41, 1);
  const int64_t plant =
      AddHolding(*client_, Token("vet"), "SHC-" + NewUuid().substr(0, 8), "slaughterhouse");
  json c = Issue(IssueBody(h));
  const std::string target = "/api/v1/certificates/" + c.at("id").get<std::string>() + "/consume";
  const std::string token = Token("insp");
  constexpr int kInspectors = 4;
  std::vector<int> status(kInspectors, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kInspectors; ++i) {
    threads.emplace_back([&, i] {
      HttpClient own("127.0.0.1", env_->port());
      status[i] = own.Post(target,
                           {{"place", "gate " + std::to_string(i)},
                            {"holding", plant},
                            {"head_count", i % 2},
                            {"tags", {h.tags[0]}}},
                           token)
                      .status;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(status.begin(), status.end(), 200), 1);
  EXPECT_EQ(std::count(status.begin(), status.end(), 409), kInspectors - 1);
  auto stored = client_->Get("/api/v1/certificates/" + c.at("id").get<std::string>(), token);
  ASSERT_EQ(stored.status, 200);
  EXPECT_EQ(stored.json().at("status"), "consumed");
  // Issue 14 item 5: each of the others is a recorded double use.
  const json listed = DoubleUsesOf(c.at("id"), token);
  ASSERT_EQ(listed.at("uses").size(), static_cast<size_t>(kInspectors)) << listed.dump(1);
  EXPECT_EQ(listed.at("uses")[0].at("double_use"), false);
  EXPECT_EQ(listed.at("uses")[0].at("place"), stored.json().at("consumed").at("place"));
  for (size_t i = 1; i < listed.at("uses").size(); ++i) {
    EXPECT_EQ(listed.at("uses")[i].at("double_use"), true);
  }
  // Slaughtered once, by the one arrival applied.
  auto animal = client_->Get("/api/v1/animals/" + h.tags[0], Token("vet"));
  ASSERT_EQ(animal.status, 200);
  EXPECT_EQ(animal.json().at("status"), "slaughtered") << animal.body;
  EXPECT_EQ(animal.json().at("events").size(), 1u) << animal.body;
}

// `c`'s issued_at plus `seconds`, as RFC 3339: a scan time that does not depend on the clock.
std::string AfterIssue(const json& c, int seconds) {
  auto t = ParseRfc3339(c.at("issued_at").get<std::string>());
  EXPECT_TRUE(t.ok());
  return FormatRfc3339(t.value() + std::chrono::seconds(seconds));
}

// Issue 14 item 5: an arrival scanned offline waits on the phone with the id the phone made and
// the scan time; sent twice (the answer was lost), it is one use; a second inspector's scan of the
// same certificate is kept as a double use with both scans, answered 409 naming the first, audited,
// and listed for both inspectors and the origin vet, not for another jurisdiction.
TEST_F(CertificateApiTest, AnOfflineArrivalSentTwiceIsOneUseAndASecondScanIsARecordedDoubleUse) {
  json c = Issue(IssueBody(CattleHerd(44, 1)));
  const std::string id = c.at("id");
  const std::string target = "/api/v1/certificates/" + id + "/consume";
  const std::string first_id = NewUuid(), second_id = NewUuid();
  const json first_body = {
      {"id", first_id}, {"at", AfterIssue(c, 60)}, {"place", "Ayagoz meat plant, gate 2"}};
  auto first = client_->Post(target, first_body, Token("insp"));
  ASSERT_EQ(first.status, 200) << first.body;
  const json use = first.json().at("use");
  EXPECT_EQ(use.at("id"), first_id);
  EXPECT_EQ(use.at("double_use"), false);
  EXPECT_EQ(use.at("duplicate"), false);
  EXPECT_EQ(use.at("scanned_at"), AfterIssue(c, 60));
  EXPECT_EQ(use.at("by"), "insp");
  // Consumed when it was scanned, not when it reached the server.
  EXPECT_EQ(first.json().at("consumed").at("at"), AfterIssue(c, 60));

  auto again = client_->Post(target, first_body, Token("insp"));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json().at("use").at("id"), first_id);
  EXPECT_EQ(again.json().at("use").at("duplicate"), true);
  EXPECT_EQ(again.json().at("use").at("received_at"), use.at("received_at"));

  const json second_body = {
      {"id", second_id}, {"at", AfterIssue(c, 120)}, {"place", "Semey market"}};
  auto second = client_->Post(target, second_body, Token("insp-2"));
  ExpectProblem(second, 409);
  const json p = second.json();
  EXPECT_EQ(p.at("type").get<std::string>().substr(p.at("type").get<std::string>().rfind('/') + 1),
            "already-exists");
  EXPECT_NE(p.at("detail").get<std::string>().find("double use"), std::string::npos) << p.dump(1);
  EXPECT_EQ(p.at("first_consumed").at("place"), "Ayagoz meat plant, gate 2");
  EXPECT_EQ(p.at("first_consumed").at("by"), "insp");
  EXPECT_EQ(p.at("first_consumed").at("at"), AfterIssue(c, 60));
  EXPECT_EQ(p.at("first_use").at("id"), first_id);
  EXPECT_EQ(p.at("double_use").at("id"), second_id);
  EXPECT_EQ(p.at("double_use").at("double_use"), true);
  EXPECT_EQ(p.at("double_use").at("by"), "insp-2");
  EXPECT_EQ(p.at("double_use").at("place"), "Semey market");
  EXPECT_EQ(p.at("double_use").at("scanned_at"), AfterIssue(c, 120));
  // The double use sent again is the same double use.
  auto second_again = client_->Post(target, second_body, Token("insp-2"));
  ExpectProblem(second_again, 409);
  EXPECT_EQ(second_again.json().at("double_use").at("id"), second_id);
  EXPECT_EQ(second_again.json().at("double_use").at("received_at"),
            p.at("double_use").at("received_at"));

  // The first use stays the certificate's.
  auto stored = client_->Get("/api/v1/certificates/" + id, Token("vet"));
  ASSERT_EQ(stored.status, 200);
  EXPECT_EQ(stored.json().at("consumed").at("by"), "insp");

  // Both inspectors and the origin vet see it with both scans; KZ-ALM does not.
  for (const char* who : {"insp", "insp-2", "vet"}) {
    SCOPED_TRACE(who);
    const json item = DoubleUsesOf(id, Token(who));
    ASSERT_TRUE(item.is_object()) << "not listed";
    EXPECT_EQ(item.at("number"), c.at("number"));
    ASSERT_EQ(item.at("uses").size(), 2u) << item.dump(1);
    EXPECT_EQ(item.at("uses")[0].at("id"), first_id);
    EXPECT_EQ(item.at("uses")[0].at("by"), "insp");
    EXPECT_EQ(item.at("uses")[1].at("id"), second_id);
    EXPECT_EQ(item.at("uses")[1].at("by"), "insp-2");
  }
  EXPECT_TRUE(DoubleUsesOf(id, Token("insp-alm")).is_null());

  // Audited once: the double use, by the second inspector.
  auto audit =
      client_->Get("/api/v1/audit?action=certificate.double_use&limit=1000", Token("admin"));
  ASSERT_EQ(audit.status, 200) << audit.body;
  int rows = 0;
  const json audited = audit.json();  // kept: a range-for over audit.json().at(...) would dangle
  for (const json& row : audited.at("items")) {
    if (row.at("target") != "certificate:" + id) continue;
    ++rows;
    EXPECT_EQ(row.at("username"), "insp-2");
  }
  EXPECT_EQ(rows, 1);
}

TEST_F(CertificateApiTest, ABadScanIdOrTimeIs400NamingItAndUsesNothing) {
  json c = Issue(IssueBody(CattleHerd(45, 1)));
  const std::string id = c.at("id");
  const std::string target = "/api/v1/certificates/" + id + "/consume";
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"id", "not-a-uuid"}, {"place", "gate"}}, "id"},
      {{{"id", "00000000-0000-0000-0000-000000000000"}, {"place", "gate"}}, "id"},
      {{{"id", 42}, {"place", "gate"}}, "id"},
      {{{"id", NewUuid()}, {"at", "yesterday"}, {"place", "gate"}}, "at"},
      {{{"id", NewUuid()}, {"at", "2099-01-01T00:00:00Z"}, {"place", "gate"}}, "at"},
      {{{"id", NewUuid()}, {"at", "1999-01-01T00:00:00Z"}, {"place", "gate"}}, "at"},
  };
  for (const auto& [body, field] : cases) {
    SCOPED_TRACE(body.dump());
    ExpectProblem(client_->Post(target, body, Token("insp")), 400, field);
  }
  auto stored = client_->Get("/api/v1/certificates/" + id, Token("vet"));
  ASSERT_EQ(stored.status, 200);
  EXPECT_EQ(stored.json().at("status"), "issued");
}

TEST_F(CertificateApiTest, PassageScannedOfflineAndSentTwiceIsStoredOnce) {
  json c = Issue(IssueBody(CattleHerd(40, 2)));
  const std::string id = c.at("id");
  const int64_t post = AddHolding(*client_, Token("vet"), "PS-CP-40", "checkpoint");
  const std::string passage_id = NewUuid();
  const json body = {{"id", passage_id},
                     {"holding", post},
                     {"at", AfterIssue(c, 60)},
                     {"head_seen", 2},
                     {"note", "truck 123 ABC 05"}};
  const std::string target = "/api/v1/certificates/" + id + "/passages";
  auto first = client_->Post(target, body, Token("insp"));
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.json().at("status"), "created");
  const json p = first.json().at("passage");
  EXPECT_EQ(p.at("id"), passage_id);
  EXPECT_EQ(p.at("certificate_id"), id);
  EXPECT_EQ(p.at("certificate_number"), c.at("number"));
  EXPECT_EQ(p.at("holding"), post);
  EXPECT_EQ(p.at("at"), AfterIssue(c, 60));
  EXPECT_EQ(p.at("head_seen"), 2);
  EXPECT_EQ(p.at("note"), "truck 123 ABC 05");
  EXPECT_TRUE(p.at("flag").is_null()) << first.body;
  EXPECT_TRUE(p.at("flag_reason").is_null()) << first.body;
  // The phone's outbox sends it again (it never heard the answer): stored once.
  auto again = client_->Post(target, body, Token("insp"));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json().at("status"), "duplicate");
  EXPECT_EQ(again.json().at("passage").at("received_at"), p.at("received_at"));
  auto list = client_->Get(target, Token("vet"));
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json().at("items").size(), 1u) << list.body;
  EXPECT_EQ(list.json().at("items")[0].at("id"), passage_id);
}

TEST_F(CertificateApiTest, PassageOfARevokedCertificateIsStoredFlagged) {
  json c = Issue(IssueBody(CattleHerd(41, 1)));
  const std::string id = c.at("id");
  const int64_t post = AddHolding(*client_, Token("vet"), "PS-BP-41", "border_post");
  auto r =
      client_->Post("/api/v1/certificates/" + id + "/revoke", {{"reason", "forged"}}, Token("vet"));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string revoked_at = r.json().at("revoked").at("at");
  // Scanned a minute after the revocation.
  auto t = ParseRfc3339(revoked_at);
  ASSERT_TRUE(t.ok()) << r.body;
  auto flagged = client_->Post("/api/v1/certificates/" + id + "/passages",
                               {{"id", NewUuid()},
                                {"holding", post},
                                {"at", FormatRfc3339(t.value() + std::chrono::minutes(1))},
                                {"head_seen", 1}},
                               Token("insp"));
  ASSERT_EQ(flagged.status, 201) << flagged.body;
  const json p = flagged.json().at("passage");
  EXPECT_EQ(p.at("flag"), "revoked");
  EXPECT_EQ(p.at("flag_reason"), "the certificate " + c.at("number").get<std::string>() +
                                     " was revoked at " + revoked_at);
  auto list = client_->Get("/api/v1/certificates/" + id + "/passages", Token("vet"));
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json().at("items").size(), 1u) << list.body;
  EXPECT_EQ(list.json().at("items")[0].at("flag"), "revoked");
}

TEST_F(CertificateApiTest, BadPassageIsRefusedNamingTheFieldAndChangesNothing) {
  json c = Issue(IssueBody(CattleHerd(42, 1)));
  const std::string id = c.at("id");
  const std::string target = "/api/v1/certificates/" + id + "/passages";
  const int64_t post = AddHolding(*client_, Token("vet"), "PS-CP-42", "checkpoint");
  const int64_t farm = AddHolding(*client_, Token("vet"), "PS-FM-42", "farm");
  const int64_t far = AddHolding(*client_, Token("vet-alm"), "PS-CP-42A", "checkpoint");
  const json good = {
      {"id", NewUuid()}, {"holding", post}, {"at", AfterIssue(c, 5)}, {"head_seen", 1}};
  auto with = [&](const char* key, json value) {
    json b = good;
    b[key] = std::move(value);
    return b;
  };
  auto audit_rows = [&] {
    auto a = client_->Get("/api/v1/audit?action=certificate.passage&limit=1000", Token("admin"));
    EXPECT_EQ(a.status, 200) << a.body;
    return a.json().at("items").size();
  };
  const size_t audit_before = audit_rows();
  ExpectProblem(
      client_->Post("/api/v1/certificates/" + NewUuid() + "/passages", good, Token("insp")), 404,
      "certificate");
  ExpectProblem(client_->Post(target, with("head_seen", 2), Token("insp")), 422, "head_seen");
  ExpectProblem(client_->Post(target, with("holding", farm), Token("insp")), 400, "holding");
  ExpectProblem(client_->Post(target, with("holding", far), Token("insp")), 400, "holding");
  ExpectProblem(client_->Post(target, with("at", "2999-01-01T00:00:00Z"), Token("insp")), 400,
                "at");
  ExpectProblem(client_->Post(target, with("speed", 5), Token("insp")), 400, "speed");
  ExpectProblem(client_->Post(target, good, Token("vet")), 403);
  auto list = client_->Get(target, Token("vet"));
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_TRUE(list.json().at("items").empty()) << list.body;
  EXPECT_EQ(audit_rows(), audit_before);
  // The same id, sent right, is new.
  EXPECT_EQ(client_->Post(target, good, Token("insp")).status, 201);
}

// --- W14: outbreaks and zones ---

// POST /holdings of a farm at (lat, lon) as the vet; its id. Far from the other tests' holdings
// (47.9, 80.6), so that a zone here stops none of theirs.
int64_t AddFarmAt(HttpClient& client, const std::string& token, const std::string& code, double lat,
                  double lon) {
  auto r = client.Post("/api/v1/holdings",
                       {{"code", code},
                        {"kind", "farm"},
                        {"name", "Farm " + code},
                        {"lat", lat},
                        {"lon", lon},
                        {"opened_on", "2020-01-01"}},
                       token);
  EXPECT_EQ(r.status, 201) << r.body;
  return r.status == 201 ? r.json().at("id").get<int64_t>() : 0;
}

TEST_F(CertificateApiTest,
       ACertificateFromInsideAZoneIsRefusedNamingItOutsideAndAfterTheLiftIssued) {
  const std::string unique = NewUuid().substr(0, 8);
  const int64_t farm = AddFarmAt(*client_, Token("vet"), "OB-" + unique, 45.0, 75.0);
  const int64_t near = AddFarmAt(*client_, Token("vet"), "NE-" + unique, 45.01, 75.0);  // ~1.1 km
  const int64_t away = AddFarmAt(*client_, Token("vet"), "AW-" + unique, 45.3, 75.0);   // ~33 km

  // The vaccinator reports it; sent twice (the phone did not hear the answer), stored once.
  const std::string report_id = NewUuid();
  const json report = {{"id", report_id},
                       {"holding", farm},
                       {"disease", "FMD-O"},
                       {"species", "cattle"},
                       {"head_sick", 3},
                       {"head_dead", 0},
                       {"first_signs_on", DaysFromToday(-2)},
                       {"lat", 45.0},
                       {"lon", 75.0},
                       {"note", "vesicles on the feet"}};
  auto first = client_->Post("/api/v1/outbreaks", report, Token("vacc"));
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.json().at("status"), "reported");
  EXPECT_EQ(first.json().at("duplicate"), false);
  auto again = client_->Post("/api/v1/outbreaks", report, Token("vacc"));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json().at("duplicate"), true);
  json bad = report;
  bad["id"] = NewUuid();
  bad["head_sick"] = -1;
  ExpectProblem(client_->Post("/api/v1/outbreaks", bad, Token("vacc")), 400, "head_sick");
  auto listed = client_->Get("/api/v1/outbreaks?status=reported", Token("vet"));
  ASSERT_EQ(listed.status, 200) << listed.body;
  int found = 0;
  const json listed_page = listed.json();
  for (const json& o : listed_page.at("items")) found += o.at("id") == report_id ? 1 : 0;
  EXPECT_EQ(found, 1) << listed.body;

  json zone = {{"outbreak_id", report_id},
               {"protection_km", 3},
               {"surveillance_km", 10},
               {"species", {"cattle"}},
               {"ends_on", DaysFromToday(20)}};
  // Not before a vet confirms it.
  ExpectProblem(client_->Post("/api/v1/zones", zone, Token("vet")), 409, "outbreak_id");
  ExpectProblem(
      client_->Post("/api/v1/outbreaks/" + report_id + "/confirm", json::object(), Token("vet")),
      400, "lab_reference");
  auto confirmed = client_->Post("/api/v1/outbreaks/" + report_id + "/confirm",
                                 {{"lab_reference", "NRL-" + unique}}, Token("vet"));
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_EQ(confirmed.json().at("status"), "confirmed");
  ExpectProblem(
      client_->Post("/api/v1/outbreaks/" + report_id + "/rule-out", json::object(), Token("vet")),
      409);

  json zero = zone;
  zero["protection_km"] = 0;
  ExpectProblem(client_->Post("/api/v1/zones", zero, Token("vet")), 400, "protection_km");
  json wide = zone;
  wide["surveillance_km"] = 101;
  ExpectProblem(client_->Post("/api/v1/zones", wide, Token("vet")), 400, "surveillance_km");
  json backwards = zone;
  backwards["starts_on"] = DaysFromToday(5);
  backwards["ends_on"] = DaysFromToday(1);
  ExpectProblem(client_->Post("/api/v1/zones", backwards, Token("vet")), 400, "ends_on");
  auto declared = client_->Post("/api/v1/zones", zone, Token("vet"));
  ASSERT_EQ(declared.status, 201) << declared.body;
  const int64_t zone_id = declared.json().at("id").get<int64_t>();
  EXPECT_EQ(declared.json().at("holding"), farm);

  // From inside: 422 with the zone named among the failures, nothing stored.
  json inside = IssueBody(CattleHerd(61, 1));
  inside["origin_holding"] = near;
  auto refused = client_->Post("/api/v1/certificates", inside, Token("vet"));
  ExpectProblem(refused, 422);
  const json problem = refused.json();
  ASSERT_EQ(problem.at("failures").size(), 1u) << refused.body;
  const json& failure = problem.at("failures").at(0);
  EXPECT_EQ(failure.at("rule"), "zone");
  EXPECT_EQ(failure.at("zone"), zone_id);
  EXPECT_EQ(failure.at("ring"), "protection");
  EXPECT_EQ(failure.at("disease"), "FMD-O");
  EXPECT_EQ(failure.at("animal"), "holding:NE-" + unique);
  EXPECT_NE(failure.at("message").get<std::string>().find("zone " + std::to_string(zone_id)),
            std::string::npos);

  // From outside: issued.
  json outside = IssueBody(CattleHerd(62, 1));
  outside["origin_holding"] = away;
  Issue(outside);

  // Lifted early: from inside, issued.
  ExpectProblem(client_->Post("/api/v1/zones/" + std::to_string(zone_id) + "/lift", json::object(),
                              Token("vet")),
                400, "reason");
  auto lifted = client_->Post("/api/v1/zones/" + std::to_string(zone_id) + "/lift",
                              {{"reason", "no new case"}}, Token("vet"));
  ASSERT_EQ(lifted.status, 200) << lifted.body;
  EXPECT_TRUE(lifted.json().contains("lifted_at"));
  Issue(inside);
}

// Zones travel with the revocation list: `herdpass verify` warns offline that a certificate issued
// before the zone now comes from inside it, once it has a list with the zone; with the list from
// before (no zones member), it verifies as it always did.
TEST_F(CertificateApiTest, OfflineVerifyWarnsOfAZoneFromTheRevocationList) {
  const std::string unique = NewUuid().substr(0, 8);
  const int64_t farm = AddFarmAt(*client_, Token("vet"), "OZ-" + unique, 44.0, 74.0);
  const int64_t near = AddFarmAt(*client_, Token("vet"), "OZN-" + unique, 44.01, 74.0);
  json body = IssueBody(CattleHerd(63, 1));
  body["origin_holding"] = near;
  const json c = Issue(body);
  auto [trust_list, root_key] = ExportTrust(*env_, "trust63.json");
  const std::string before = Fetch("/api/v1/revocations", "revocations63.json");

  const std::string report_id = NewUuid();
  auto report = client_->Post("/api/v1/outbreaks",
                              {{"id", report_id},
                               {"holding", farm},
                               {"disease", "FMD-O"},
                               {"species", "cattle"},
                               {"head_sick", 1},
                               {"head_dead", 0},
                               {"first_signs_on", DaysFromToday(0)},
                               {"lat", 44.0},
                               {"lon", 74.0}},
                              Token("vacc"));
  ASSERT_EQ(report.status, 201) << report.body;
  ASSERT_EQ(client_
                ->Post("/api/v1/outbreaks/" + report_id + "/confirm",
                       {{"lab_reference", "NRL-" + unique}}, Token("vet"))
                .status,
            200);
  auto declared = client_->Post("/api/v1/zones",
                                {{"outbreak_id", report_id},
                                 {"protection_km", 3},
                                 {"surveillance_km", 10},
                                 {"species", {"cattle"}},
                                 {"ends_on", DaysFromToday(20)}},
                                Token("vet"));
  ASSERT_EQ(declared.status, 201) << declared.body;
  const std::string zone_id = std::to_string(declared.json().at("id").get<int64_t>());
  const std::string with_zone = Fetch("/api/v1/revocations", "revocations63b.json");

  const std::string hp1 = c.at("hp1");
  CommandResult warned = VerifyOffline({"verify", hp1, "--trust-list", trust_list, "--revocations",
                                        with_zone, "--root-key", root_key});
  EXPECT_EQ(warned.status.code, 0) << warned.out << warned.err;  // a warning, not a refusal
  EXPECT_NE(warned.out.find("status:          valid"), std::string::npos) << warned.out;
  EXPECT_NE(warned.out.find("warning:         origin_in_zone: now in force: zone " + zone_id),
            std::string::npos)
      << warned.out;
  CommandResult old = VerifyOffline(
      {"verify", hp1, "--trust-list", trust_list, "--revocations", before, "--root-key", root_key});
  EXPECT_EQ(old.status.code, 0) << old.out << old.err;
  EXPECT_EQ(old.out.find("origin_in_zone"), std::string::npos) << old.out;

  ASSERT_EQ(
      client_->Post("/api/v1/zones/" + zone_id + "/lift", {{"reason", "cleared"}}, Token("vet"))
          .status,
      200);
}

}  // namespace
}  // namespace herdpass::testing
