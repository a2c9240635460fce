// `herdpass demo`: a realistic synthetic county, seeded through the same service calls the API uses
// (validation, batching, audit), so the demo exercises the real write path.
//
// Shape: `owners` households, each with 7 to 10 tagged animals and 1 to 3 flocks; vaccinations come
// from the county's campaigns of the last three years: FMD in spring and autumn, anthrax and the
// small-ruminant diseases each May, HPAI and Newcastle disease for poultry twice a year. Each
// household misses a campaign now and then, so the demo shows covered, overdue and never-vaccinated
// stock.
//
// Then a vet issues a few certificates for households whose animals meet the movement rules, an
// inspector consumes two of them at the destination and the vet revokes one, all through the
// service, so that the rules, signatures and audit are the real ones. In the last household, an
// animal died, another's ear tag was replaced and a flock lost three head (W12).
#include <algorithm>
#include <array>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <utility>

#include "cli/commands.h"

namespace herdpass::cli {
namespace {

constexpr std::array kGivenNames = {"Nurlan", "Aigerim", "Bolat",  "Gulnara", "Yerlan", "Saule",
                                    "Marat",  "Dana",    "Serik",  "Aliya",   "Kanat",  "Zhanna",
                                    "Askar",  "Madina",  "Daulet", "Ainur",   "Arman",  "Gulmira",
                                    "Erzhan", "Aizhan",  "Ruslan", "Asel",    "Timur",  "Roza"};
constexpr std::array kFamilyNames = {"Nurlanov", "Seitkali",  "Abenov",   "Zhumabekov",  "Omarov",
                                     "Kairatov", "Tulegenov", "Sadykov",  "Bekmukhamet", "Iskakov",
                                     "Akhmetov", "Baimukhan", "Ermekov",  "Dzhaksybek",  "Kasymov",
                                     "Mukanov",  "Saparov",   "Tokhtarov"};

struct Unit {
  std::string tag;  // empty for a flock
  std::string species;
  int heads = 1;
};

// ISO 3166-1 numeric code used as the first three digits of demo ISO 11784 tags.
std::string TagCountry(const std::string& region) {
  if (region == "CN") return "156";
  if (region == "KG") return "417";
  if (region == "UZ") return "860";
  if (region == "TJ") return "762";
  if (region == "RU") return "643";
  return "398";
}

// The village of the demo's n-th owner.
std::string DemoVillage(const std::string& region, int n) {
  if (region == "CN") {
    constexpr std::array v = {"Emin", "Tacheng", "Yumin", "Toli", "Shawan"};
    return v[static_cast<size_t>(n) % v.size()];
  }
  constexpr std::array v = {"Akshatau", "Ayagoz", "Bakanas", "Kokpekty", "Makanshi", "Urzhar"};
  return v[static_cast<size_t>(n) % v.size()];
}

std::string DemoPhone(const std::string& region, std::mt19937& rng) {
  auto digits = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng() % 10);
    return s;
  };
  if (region == "CN") {
    constexpr std::array p = {"139", "138", "137", "136", "135", "150", "151", "152", "158", "187"};
    return std::string("+86") + p[rng() % p.size()] + digits(8);
  }
  if (region == "KG")
    return std::string("+996") + std::array{"555", "700", "770"}[rng() % 3] + digits(6);
  if (region == "UZ")
    return std::string("+998") + std::array{"90", "91", "93", "97"}[rng() % 4] + digits(7);
  if (region == "TJ")
    return std::string("+992") + std::array{"90", "91", "93"}[rng() % 3] + digits(7);
  if (region == "RU")
    return std::string("+7") + std::array{"913", "923", "903"}[rng() % 3] + digits(7);
  constexpr std::array p = {"701", "702", "705", "707", "747", "771", "775", "777", "778"};
  return std::string("+7") + p[rng() % p.size()] + digits(7);
}

// A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits with the version and variant set.
std::string UuidV7(int64_t unix_ms, std::mt19937_64& rng) {
  std::array<uint8_t, 16> b{};
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(unix_ms >> (8 * (5 - i)));
  const uint64_t r1 = rng(), r2 = rng();
  for (int i = 6; i < 16; ++i) b[i] = static_cast<uint8_t>((i < 11 ? r1 : r2) >> (8 * (i % 8)));
  b[6] = static_cast<uint8_t>(0x70 | (b[6] & 0x0f));
  b[8] = static_cast<uint8_t>(0x80 | (b[8] & 0x3f));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += kHex[b[i] >> 4];
    s += kHex[b[i] & 15];
  }
  return s;
}

const VaccineProduct* VaccineFor(const Catalogue& c, const std::string& disease) {
  for (const auto& v : c.vaccines()) {
    for (const auto& d : v.diseases) {
      if (d == disease) return &v;
    }
  }
  return nullptr;
}

bool Applies(const Catalogue& c, const std::string& disease, const std::string& species) {
  const Disease* d = c.FindDisease(disease);
  return d != nullptr &&
         std::find(d->species.begin(), d->species.end(), species) != d->species.end();
}

struct Household {
  std::string phone;
  std::vector<Unit> units;
};

constexpr size_t kDemoCertificates = 6;
constexpr size_t kHouseholdsTried = 300;

// A demo user as a signed-in caller of the service (the certificate names its vet).
Result<Caller> DemoUserNamed(HerdService& service, const std::string& name) {
  HP_ASSIGN_OR_RETURN(auto users, service.ListUsers(HerdService::SystemCaller()));
  for (const auto& u : users) {
    if (u.username != name) continue;
    Caller c;
    c.user_id = u.id;
    c.username = u.username;
    c.role = u.role;
    c.authority = u.authority;
    c.address = "demo";
    return c;
  }
  return NotFound("demo user " + name + " is missing");
}

Result<Caller> DemoUser(HerdService& service, Role role) {
  return DemoUserNamed(service, std::string("demo-") + RoleName(role));
}

// The demo's inspector at the certificates' destination (`demo-inspector-dest`, password
// demo-inspector-pass), made when missing: only an inspector of the destination's jurisdiction
// consumes a certificate, and the destination is not the deployment's authority.
Result<Caller> DestinationInspector(HerdService& service, const std::string& destination) {
  constexpr const char* kName = "demo-inspector-dest";
  auto made = service.AddUser(HerdService::SystemCaller(), kName, "demo-inspector-pass",
                              Role::kInspector, destination);
  if (!made.ok() && made.status().code() != StatusCode::kAlreadyExists) return made.status();
  return DemoUserNamed(service, kName);
}

// A slaughterhouse in another province of the same country: certificates across provinces stay
// valid for days (DESIGN.md W3), so the demo's certificates outlive the day they were made.
std::string DemoDestination(const std::string& authority) {
  static const std::map<std::string, std::string> kCity = {{"KZ", "KZ-ALA"}, {"CN", "CN-11"},
                                                           {"KG", "KG-GB"},  {"UZ", "UZ-TK"},
                                                           {"TJ", "TJ-DU"},  {"RU", "RU-ALT"}};
  const std::string country = CountryOf(authority);
  auto it = kCity.find(country);
  if (it == kCity.end() || InJurisdiction(it->second, authority)) return country;
  return it->second;
}

// What the vet asks for: up to three tagged animals of one species of the household.
std::optional<CertificateRequest> DemoRequest(const Household& h, const std::string& authority,
                                              size_t n) {
  for (const char* species : {"cattle", "sheep", "horse"}) {
    CertificateRequest r;
    for (const auto& u : h.units) {
      if (!u.tag.empty() && u.species == species && r.animal_tags.size() < 3) {
        r.animal_tags.push_back(u.tag);
      }
    }
    if (r.animal_tags.empty()) continue;
    r.owner_phone = h.phone;
    r.species = species;
    r.purpose = "slaughter";
    r.origin_place = "Ayagoz district, farm " + std::to_string(n + 1);
    r.destination = DemoDestination(authority);
    r.destination_place = "Central meat processing plant";
    r.transport = "truck 0" + std::to_string(10 + n) + " ABC 05";
    return r;
  }
  return std::nullopt;
}

// The doses, given today by the demo vet, that the movement rules' `failures` ask for before the
// movement `request` may go.
std::vector<VaccinationRecordInput> DosesFor(HerdService& service,
                                             const CertificateRequest& request,
                                             const std::vector<RuleFailure>& failures,
                                             std::mt19937_64& idrng) {
  const Catalogue& cat = service.catalogue();
  const Date today = service.clock().Today();
  std::vector<VaccinationRecordInput> doses;
  for (const auto& f : failures) {
    const VaccineProduct* vaccine = VaccineFor(cat, f.disease);
    if (vaccine == nullptr) continue;
    VaccinationRecordInput r;
    r.id = UuidV7(static_cast<int64_t>(today.days()) * 86400000LL + 6 * 3600000LL, idrng);
    r.owner_phone = request.owner_phone;
    r.animal_tags = {f.animal};
    r.species = request.species;
    r.disease = f.disease;
    r.vaccine = vaccine->code;
    r.batch_no = vaccine->code.substr(0, 3) + "-PRE-" + std::to_string(today.days() % 9000);
    r.dose_ml = request.species == "sheep" ? 1.0 : 2.0;
    r.administered_on = today.ToString();
    r.device_id = "demo-vet";
    doses.push_back(std::move(r));
  }
  return doses;
}

// Issues kDemoCertificates certificates for households whose animals meet the movement rules. When
// the campaigns leave too few covered today (early spring, before the FMD round), the vet
// vaccinates the animals a refusal names and issues then: what a vet does before a movement.
Result<std::vector<Certificate>> IssueDemoCertificates(HerdService& service, const Deployment& d,
                                                       const std::vector<Household>& households,
                                                       std::mt19937_64& idrng) {
  HP_ASSIGN_OR_RETURN(auto vet, DemoUser(service, Role::kVet));
  std::vector<Certificate> issued;
  std::vector<std::pair<CertificateRequest, std::vector<RuleFailure>>> refused;
  for (size_t i = 0; i < households.size() && i < kHouseholdsTried; ++i) {
    if (issued.size() == kDemoCertificates) break;
    auto request = DemoRequest(households[i], d.authority, issued.size());
    if (!request) continue;
    auto c = service.IssueCertificate(vet, *request);
    if (c.ok()) {
      issued.push_back(std::move(c).value());
    } else if (const UnmetRules* unmet = c.status().payload<UnmetRules>()) {
      refused.emplace_back(std::move(*request), unmet->failures);
    } else {
      return c.status();
    }
  }
  for (auto& [request, failures] : refused) {
    if (issued.size() == kDemoCertificates) break;
    HP_ASSIGN_OR_RETURN(auto recorded,
                        service.RecordBatch(vet, DosesFor(service, request, failures, idrng)));
    request.transport = "truck 0" + std::to_string(10 + issued.size()) + " ABC 05";
    auto c = service.IssueCertificate(vet, request);
    if (c.ok()) issued.push_back(std::move(c).value());
  }
  return issued;
}

// The demo region's centre, for the holdings' GPS points: Abay region (Kazakhstan), Urumqi
// (Xinjiang), or Tashkent elsewhere.
std::pair<double, double> DemoCentre(const std::string& region) {
  if (region == "KZ") return {47.95, 80.44};
  if (region == "CN") return {43.83, 87.62};
  return {41.31, 69.24};
}

// A demo holding: created, or the one of that code a run before created.
Result<Holding> EnsureHolding(HerdService& service, const Caller& system, const HoldingInput& in) {
  auto created = service.CreateHolding(system, in);
  if (created.ok() || created.status().code() != StatusCode::kAlreadyExists) return created;
  HoldingListRequest q;
  q.authority = in.authority;
  q.limit = 1000;
  HP_ASSIGN_OR_RETURN(auto page, service.ListHoldings(system, q));
  for (auto& item : page.items) {
    if (item.holding.code == in.code) return std::move(item.holding);
  }
  return created.status();
}

// The public places of the demo county (W12): a market, a slaughterhouse, a checkpoint and a
// quarantine station round the centre, open for ten years.
struct DemoPlace {
  const char* code;
  const char* kind;
  const char* name;
  double dlat, dlon;
};
constexpr DemoPlace kDemoPlaces[] = {
    {"MKT-01", "market", "Central livestock market", 0.02, 0.03},
    {"SLH-01", "slaughterhouse", "Central meat processing plant", -0.05, 0.08},
    {"CHK-01", "checkpoint", "Veterinary checkpoint, highway km 42", 0.31, -0.12},
    {"QST-01", "quarantine_station", "District quarantine station", -0.18, -0.22},
};
constexpr const DemoPlace& kDemoCheckpoint = kDemoPlaces[2];

// The demo place `p`: created, or the one a run before created.
Result<Holding> EnsureDemoPlace(HerdService& service, const Deployment& d, Date today,
                                const DemoPlace& p) {
  const auto [lat, lon] = DemoCentre(d.region);
  HoldingInput in;
  in.code = p.code;
  in.kind = p.kind;
  in.name = p.name;
  in.authority = d.authority;
  in.lat = lat + p.dlat;
  in.lon = lon + p.dlon;
  in.opened_on = today.AddYears(-10).ToString();
  return EnsureHolding(service, HerdService::SystemCaller(), in);
}

Status AddDemoPlaces(HerdService& service, const Deployment& d, Date today) {
  for (const DemoPlace& p : kDemoPlaces) {
    HP_RETURN_IF_ERROR(EnsureDemoPlace(service, d, today, p).status());
  }
  return Status::Ok();
}

constexpr int kDemoFarms = 6;

// Tag life (W12) in the last household seeded (one no certificate is tried for, and not the
// example owner the other demos read): its last tagged animal died last week, the one before lost
// its ear tag and wears a new one, and its first flock lost three head. Recorded by the
// vaccinator, through the service.
Status RecordDemoTagLife(HerdService& service, const Household& h, const std::string& new_tag,
                         std::mt19937_64& idrng, DemoResult& result) {
  HP_ASSIGN_OR_RETURN(auto vaccinator, DemoUser(service, Role::kVaccinator));
  const Date today = service.clock().Today();
  const int64_t ms = static_cast<int64_t>(today.days()) * 86400000LL + 7 * 3600000LL;
  std::vector<const Unit*> tagged;
  const Unit* flock = nullptr;
  for (const Unit& u : h.units) {
    if (!u.tag.empty()) tagged.push_back(&u);
    if (u.tag.empty() && flock == nullptr && u.heads > 3) flock = &u;
  }
  if (tagged.size() < 2) return Status::Ok();
  AnimalEventRequest died;
  died.id = UuidV7(ms, idrng);
  died.kind = "died";
  died.date = today.AddDays(-6).ToString();
  died.reason = "found dead at the winter camp";
  HP_RETURN_IF_ERROR(service.RecordAnimalEvent(vaccinator, tagged.back()->tag, died).status());
  AnimalEventRequest replaced;
  replaced.id = UuidV7(ms + 1, idrng);
  replaced.kind = "tag_replaced";
  replaced.date = today.AddDays(-2).ToString();
  replaced.reason = "ear tag torn out";
  replaced.new_tag = new_tag;
  const std::string old_tag = tagged[tagged.size() - 2]->tag;
  HP_RETURN_IF_ERROR(service.RecordAnimalEvent(vaccinator, old_tag, replaced).status());
  if (flock != nullptr) {
    auto view = service.Lookup(HerdService::SystemCaller(), h.phone, 3);
    if (view.ok()) {
      for (const Animal& a : view->animals) {
        if (!a.is_flock() || a.species != flock->species) continue;
        AnimalEventRequest deaths;
        deaths.id = UuidV7(ms + 2, idrng);
        deaths.kind = "died";
        deaths.date = today.AddDays(-3).ToString();
        deaths.reason = "cold night";
        deaths.head = 3;
        HP_RETURN_IF_ERROR(service.RecordFlockEvent(vaccinator, a.id, deaths).status());
        break;
      }
    }
  }
  result.tag_life_phone = h.phone;
  result.dead_tag = tagged.back()->tag;
  result.replaced_tag = old_tag;
  result.new_tag = new_tag;
  return Status::Ok();
}

// The animals' journeys (issue 12): the tag-life owner sells its re-tagged animal to a demo buyer
// at the farm (W8: the buyer's lookup shows the doses from before the sale), and the demo
// inspector records a passage of the first certificate at the county's checkpoint (W13).
Status RecordDemoJourneys(HerdService& service, const Deployment& d, const std::string& buyer_phone,
                          const std::vector<Certificate>& certs, std::mt19937_64& idrng,
                          DemoResult& result) {
  const Date today = service.clock().Today();
  const int64_t ms = static_cast<int64_t>(today.days()) * 86400000LL + 9 * 3600000LL;
  if (!result.new_tag.empty()) {
    HP_ASSIGN_OR_RETURN(auto vet, DemoUser(service, Role::kVet));
    TransferRequest sale;
    sale.id = UuidV7(ms, idrng);
    sale.seller_phone = result.tag_life_phone;
    sale.buyer_phone = buyer_phone;
    sale.buyer_name = "Demo Buyer";
    sale.tags = {result.new_tag};
    sale.date = today.AddDays(-1).ToString();
    HP_RETURN_IF_ERROR(service.RecordTransfer(vet, sale).status());
    result.buyer_phone = buyer_phone;
  }
  if (certs.empty() || certs[0].status != CertificateStatus::kIssued) return Status::Ok();
  HP_ASSIGN_OR_RETURN(const Holding checkpoint,
                      EnsureDemoPlace(service, d, today, kDemoCheckpoint));
  HP_ASSIGN_OR_RETURN(auto inspector, DemoUser(service, Role::kInspector));
  PassageRequest p;
  p.id = UuidV7(ms + 1, idrng);
  p.holding = checkpoint.id;
  p.at = FormatRfc3339(service.clock().Now());
  p.head_seen = certs[0].head_count;
  p.note = "seals intact";
  HP_RETURN_IF_ERROR(service.RecordPassage(inspector, certs[0].id, p).status());
  result.passage_certificate = certs[0].number;
  return Status::Ok();
}

// The certificate `request` asks for, issued by `vet`; when the movement rules refuse it, what a
// vet does before a movement: the doses the rules ask for, today, then issued again. The outer
// Result fails on a store error; the inner one is the issuance's answer.
Result<Result<Certificate>> IssueVaccinatingFirst(HerdService& service, const Caller& vet,
                                                  const CertificateRequest& request,
                                                  std::mt19937_64& idrng) {
  auto c = service.IssueCertificate(vet, request);
  const UnmetRules* unmet = c.status().payload<UnmetRules>();
  if (unmet == nullptr) return c;
  HP_RETURN_IF_ERROR(
      service.RecordBatch(vet, DosesFor(service, request, unmet->failures, idrng)).status());
  return service.IssueCertificate(vet, request);
}

// W14 tracing: movements worth tracing from the outbreak's farm, made before its zone stops them.
// Three demo owners, two vaccinated cows each: the first's go from FARM-OB-01 to a market
// (MKT-OB-01) and arrive three days ago, the second's from that market to a farm (FARM-OB-02) and
// arrive yesterday: a chain of two hops within FMD's 14-day incubation period. The third's went
// from FARM-OB-01 to FARM-OB-03, arriving 30 days ago (the inspector's scan dated then, as an
// offline scan is): outside it. The holdings lie north of the outbreak farm, further from the
// county's centre. Made once, on the run that first reports the outbreak.
Status RecordDemoTraceMovements(HerdService& service, const Deployment& d, const Holding& farm) {
  const Date today = service.clock().Today();
  const Timestamp now = service.clock().Now();
  auto place = [&](const std::string& code, const std::string& kind, const std::string& name,
                   double dlat) -> Result<Holding> {
    HoldingInput in;
    in.code = code;
    in.kind = kind;
    in.name = name;
    in.authority = d.authority;
    in.lat = farm.lat + dlat;
    in.lon = farm.lon + 0.02;
    in.opened_on = today.AddYears(-10).ToString();
    return EnsureHolding(service, HerdService::SystemCaller(), in);
  };
  HP_ASSIGN_OR_RETURN(const Holding market,
                      place("MKT-OB-01", "market", "Summer pasture market (outbreak demo)", 0.06));
  HP_ASSIGN_OR_RETURN(
      const Holding buyer_farm,
      place("FARM-OB-02", "farm", "Farm of the market's buyer (outbreak demo)", 0.12));
  HP_ASSIGN_OR_RETURN(const Holding old_farm,
                      place("FARM-OB-03", "farm", "Farm sold to last month (outbreak demo)", 0.18));
  HP_ASSIGN_OR_RETURN(auto vet, DemoUser(service, Role::kVet));
  HP_ASSIGN_OR_RETURN(auto inspector, DemoUser(service, Role::kInspector));
  Caller system = HerdService::SystemCaller();
  system.authority = d.authority;
  std::mt19937 rng(0x0b7aceU);
  std::mt19937_64 idrng(0x0b7aceULL);
  PhoneNormalizer normalizer(d.region);
  struct Leg {
    const Holding* from;
    const Holding* to;
    int days_ago;
  };
  const Leg legs[] = {{&farm, &market, 3}, {&market, &buyer_farm, 1}, {&farm, &old_farm, 30}};
  uint64_t serial = 990000000ULL;
  for (const Leg& leg : legs) {
    std::string phone;
    do {
      phone = DemoPhone(d.region, rng);
    } while (!normalizer.ToE164(phone).ok());
    CertificateRequest request;
    std::vector<VaccinationRecordInput> doses;
    for (int k = 0; k < 2; ++k) {
      char tag[16];
      std::snprintf(tag, sizeof tag, "%s%012llu", TagCountry(d.region).c_str(),
                    static_cast<unsigned long long>(serial++));
      VaccinationRecordInput r;
      r.id = UuidV7(static_cast<int64_t>(today.days()) * 86400000LL + 7 * 3600000LL, idrng);
      r.owner_phone = phone;
      r.owner_name = "Outbreak Demo Owner";
      r.animal_tags = {tag};
      r.species = "cattle";
      r.disease = "FMD-O";
      r.vaccine = "FMD-OA-INACT";
      r.batch_no = "FMD-TRACE-1";
      r.dose_ml = 2.0;
      r.administered_on = today.AddDays(-60).ToString();
      r.device_id = "demo-vet";
      doses.push_back(std::move(r));
      request.animal_tags.push_back(tag);
    }
    HP_RETURN_IF_ERROR(service.RecordBatch(system, doses).status());
    request.owner_phone = phone;
    request.species = "cattle";
    request.purpose = "sale";
    request.origin_place = leg.from->name;
    request.origin_holding = leg.from->id;
    request.destination = d.authority;
    request.destination_place = leg.to->name;
    request.destination_holding = leg.to->id;
    request.transport = "truck 0" + std::to_string(60 + leg.days_ago) + " OBD 05";
    HP_ASSIGN_OR_RETURN(auto issued, IssueVaccinatingFirst(service, vet, request, idrng));
    HP_ASSIGN_OR_RETURN(const Certificate c, std::move(issued));
    ArrivalRequest arrival;
    arrival.holding = leg.to->id;
    arrival.head_count = c.head_count;
    arrival.tags = c.tags;
    arrival.at = FormatRfc3339(now - std::chrono::days(leg.days_ago));
    HP_RETURN_IF_ERROR(service.ConsumeCertificate(inspector, c.id, arrival).status());
  }
  return Status::Ok();
}

// W14 ring list: animals round the outbreak farm, so that its zone's ring list has holdings in both
// rings, some covered and some not. At the outbreak farm, three cows never vaccinated; 1.5 km away
// (protection), two cows never vaccinated and a flock of 40 sheep vaccinated against FMD O 30 days
// ago; 5.5 km away (surveillance), two cows vaccinated 10 days ago and one whose dose of 200 days
// ago has lapsed. Made once, on the run that first reports the outbreak.
Status RecordDemoRing(HerdService& service, const Deployment& d, const Holding& farm) {
  const Date today = service.clock().Today();
  auto place = [&](const std::string& code, const std::string& name, double dlat,
                   double dlon) -> Result<Holding> {
    HoldingInput in;
    in.code = code;
    in.kind = "farm";
    in.name = name;
    in.authority = d.authority;
    in.lat = farm.lat + dlat;
    in.lon = farm.lon + dlon;
    in.opened_on = today.AddYears(-10).ToString();
    return EnsureHolding(service, HerdService::SystemCaller(), in);
  };
  HP_ASSIGN_OR_RETURN(const Holding near,
                      place("FARM-RING-01", "Neighbouring farm (ring demo)", 0.012, 0.006));
  HP_ASSIGN_OR_RETURN(const Holding river,
                      place("FARM-RING-02", "Farm by the river (ring demo)", 0.045, -0.028));
  Caller system = HerdService::SystemCaller();
  system.authority = d.authority;
  std::mt19937 rng(0x0121c5U);
  std::mt19937_64 idrng(0x0121c5ULL);
  PhoneNormalizer normalizer(d.region);
  uint64_t serial = 991000000ULL;
  auto next_tag = [&]() {
    char tag[16];
    std::snprintf(tag, sizeof tag, "%s%012llu", TagCountry(d.region).c_str(),
                  static_cast<unsigned long long>(serial++));
    return std::string(tag);
  };
  // A dose: `tags` (a flock of `head` sheep when none), given `days_ago` at the holding.
  struct Dose {
    int tags;
    int head;
    int days_ago;
  };
  struct Herd {
    const Holding* at;
    const char* name;
    std::vector<Dose> doses;
    int never;  // cows registered and never vaccinated
  };
  const Herd herds[] = {{&farm, "Outbreak Farm Keeper", {}, 3},
                        {&near, "Neighbouring Ring Owner", {{0, 40, 30}}, 2},
                        {&river, "River Ring Owner", {{2, 0, 10}, {1, 0, 200}}, 0}};
  for (const Herd& herd : herds) {
    std::string phone;
    do {
      phone = DemoPhone(d.region, rng);
    } while (!normalizer.ToE164(phone).ok());
    HP_ASSIGN_OR_RETURN(const std::string e164, normalizer.ToE164(phone));
    auto owner = service.store().FindOwnerByPhone(e164);
    if (!owner.ok() && owner.status().code() != StatusCode::kNotFound) return owner.status();
    if (!owner.ok()) {
      OwnerInput o;
      o.phone = phone;
      o.name = herd.name;
      o.authority = d.authority;
      HP_ASSIGN_OR_RETURN(owner, service.RegisterOwner(system, o));
    }
    std::vector<VaccinationRecordInput> doses;
    for (const Dose& dose : herd.doses) {
      VaccinationRecordInput r;
      r.id = UuidV7(static_cast<int64_t>(today.days()) * 86400000LL + 8 * 3600000LL, idrng);
      r.owner_id = owner->id;
      for (int k = 0; k < dose.tags; ++k) r.animal_tags.push_back(next_tag());
      r.species = dose.tags > 0 ? "cattle" : "sheep";
      if (dose.tags == 0) r.head_count = dose.head;
      r.disease = "FMD-O";
      r.vaccine = dose.tags > 0 ? "FMD-OA-INACT" : "FMD-O-INACT";
      r.batch_no = "FMD-RING-1";
      r.dose_ml = 2.0;
      r.administered_on = today.AddDays(-dose.days_ago).ToString();
      r.device_id = "demo-vaccinator";
      r.holding = herd.at->id;
      doses.push_back(std::move(r));
    }
    if (!doses.empty()) HP_RETURN_IF_ERROR(service.RecordBatch(system, doses).status());
    for (int k = 0; k < herd.never; ++k) {
      AnimalInput a;
      a.tag = next_tag();
      a.species = "cattle";
      a.owner_id = owner->id;
      a.holding = herd.at->id;
      HP_RETURN_IF_ERROR(service.RegisterAnimal(system, a).status());
    }
  }
  return Status::Ok();
}

// W14: a suspected outbreak of FMD (serotype O) in cattle at a remote demo farm, reported by the
// vaccinator, confirmed by the vet, and a zone of 3 and 10 km around it for the FMD species,
// holding for 21 days. The farm lies ~65 km north of the county's centre, so that the zone stops no
// other demo movement. The report's id is fixed: a second run sends it again (a duplicate), finds
// it confirmed, and declares no second zone while the first holds.
Status RecordDemoOutbreak(HerdService& service, const Deployment& d, DemoResult& result) {
  const Date today = service.clock().Today();
  const auto [lat, lon] = DemoCentre(d.region);
  HoldingInput in;
  in.code = "FARM-OB-01";
  in.kind = "farm";
  in.name = "Remote summer farm (outbreak demo)";
  in.authority = d.authority;
  in.lat = lat + 0.58;
  in.lon = lon + 0.1;
  in.opened_on = today.AddYears(-10).ToString();
  HP_ASSIGN_OR_RETURN(const Holding farm, EnsureHolding(service, HerdService::SystemCaller(), in));
  HP_ASSIGN_OR_RETURN(auto vaccinator, DemoUser(service, Role::kVaccinator));
  HP_ASSIGN_OR_RETURN(auto vet, DemoUser(service, Role::kVet));
  OutbreakReportRequest report;
  report.id = "01930000-0000-7000-8000-00000000f4d0";
  report.holding = farm.id;
  report.disease = "FMD-O";
  report.species = "cattle";
  report.first_signs_on = today.AddDays(-3).ToString();
  report.head_sick = 7;
  report.head_dead = 1;
  report.lat = farm.lat;
  report.lon = farm.lon;
  report.note = "fever, vesicles on tongue and feet, lameness";
  HP_ASSIGN_OR_RETURN(const OutbreakResult reported, service.ReportOutbreak(vaccinator, report));
  if (!reported.duplicate) {
    HP_RETURN_IF_ERROR(RecordDemoTraceMovements(service, d, farm));
    HP_RETURN_IF_ERROR(RecordDemoRing(service, d, farm));
  }
  if (reported.outbreak.status == OutbreakStatus::kReported) {
    HP_RETURN_IF_ERROR(
        service.ConfirmOutbreak(vet, report.id, "NRL-DEMO-0001", "RT-PCR positive, serotype O")
            .status());
  } else if (reported.outbreak.status != OutbreakStatus::kConfirmed) {
    return Status::Ok();
  }
  result.outbreak_id = report.id;
  HP_ASSIGN_OR_RETURN(const auto in_force, service.store().ListZonesInForce(today));
  for (const Zone& z : in_force) {
    if (z.outbreak_id == report.id) {
      result.zone_id = z.id;
      return Status::Ok();
    }
  }
  ZoneRequest zone;
  zone.outbreak_id = report.id;
  zone.protection_km = 3;
  zone.surveillance_km = 10;
  zone.species = {"cattle", "sheep", "goat"};
  zone.ends_on = today.AddDays(21).ToString();
  HP_ASSIGN_OR_RETURN(const Zone declared, service.DeclareZone(vet, zone));
  result.zone_id = declared.id;
  return Status::Ok();
}

// A sale certificate (W8) to a demo buyer, arrived at its destination: up to two tagged animals of
// one species, of a household none of whose animals is on another demo certificate (from the last
// households back; not the example owner, not the tag-life one). On arrival they pass to the
// buyer, whose phone check then shows them with the doses from before the sale. A household whose
// animals a run before sold, or whose animals the rules refuse, is passed over; none found: no
// sale.
Status RecordDemoSaleCertificate(HerdService& service, const std::vector<Household>& households,
                                 const std::string& authority,
                                 const std::vector<Certificate>& certs,
                                 const std::string& buyer_phone, std::mt19937_64& idrng,
                                 DemoResult& result) {
  HP_ASSIGN_OR_RETURN(auto vet, DemoUser(service, Role::kVet));
  std::set<std::string> used;
  for (const auto& c : certs) used.insert(c.tags.begin(), c.tags.end());
  constexpr size_t kTries = 40;
  size_t tried = 0;
  for (auto h = households.rbegin(); h != households.rend() && tried < kTries; ++h) {
    if (h->phone == result.example_phone || h->phone == result.tag_life_phone) continue;
    if (std::any_of(h->units.begin(), h->units.end(),
                    [&](const Unit& u) { return used.count(u.tag) > 0; })) {
      continue;
    }
    auto request = DemoRequest(*h, authority, kDemoCertificates);
    if (!request) continue;
    ++tried;
    if (request->animal_tags.size() > 2) request->animal_tags.resize(2);
    request->purpose = "sale";
    request->destination_place = "Buyer's farm";
    request->buyer_phone = buyer_phone;
    request->buyer_name = "Demo Sale Buyer";
    HP_ASSIGN_OR_RETURN(auto c, IssueVaccinatingFirst(service, vet, *request, idrng));
    if (!c.ok()) continue;
    HP_ASSIGN_OR_RETURN(auto inspector, DestinationInspector(service, c->destination));
    ArrivalRequest arrival;
    arrival.place = "Buyer's farm";
    arrival.head_count = c->head_count;
    arrival.tags = c->tags;
    HP_ASSIGN_OR_RETURN(auto arrived, service.ConsumeCertificate(inspector, c->id, arrival));
    result.sale_certificate = arrived.number;
    result.sale_buyer_phone = arrived.buyer_phone.empty() ? buyer_phone : arrived.buyer_phone;
    result.sale_tags = arrived.tags;
    return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace

Result<DemoResult> SeedDemo(HerdService& service, const Deployment& d, int owners, uint32_t seed) {
  std::mt19937 rng(seed);
  std::mt19937_64 idrng(seed);
  const Catalogue& cat = service.catalogue();
  const Date today = service.clock().Today();
  Caller system = HerdService::SystemCaller();
  system.authority = d.authority;

  DemoResult result;
  std::vector<VaccinationRecordInput> pending;
  auto flush = [&]() -> Status {
    if (pending.empty()) return Status::Ok();
    HP_ASSIGN_OR_RETURN(auto r, service.RecordBatch(system, pending));
    for (const auto& rec : r.results) {
      if (rec.outcome == RecordOutcome::kRejected) {
        return Internal("demo record rejected: " + rec.reason.ToString());
      }
    }
    pending.clear();
    return Status::Ok();
  };

  // Campaign days of the last three years, oldest first.
  struct Campaign {
    Date day;
    std::vector<std::string> diseases;
  };
  std::vector<Campaign> campaigns;
  const int year_now = static_cast<int>(std::chrono::year_month_day(today.sys_days()).year());
  for (int y = year_now - 3; y <= year_now; ++y) {
    auto at = [&](unsigned m, unsigned dd) {
      return Date(std::chrono::sys_days(std::chrono::year{y} / std::chrono::month{m} /
                                        std::chrono::day{dd}));
    };
    campaigns.push_back({at(4, 15), {"FMD-O", "HPAI", "ND"}});
    campaigns.push_back({at(5, 20), {"ANTHRAX", "SGP", "BRUCELLOSIS"}});
    campaigns.push_back({at(10, 15), {"FMD-O", "HPAI"}});
  }
  const Date since = today.AddYears(-3);

  HP_RETURN_IF_ERROR(AddDemoPlaces(service, d, today));
  const auto [centre_lat, centre_lon] = DemoCentre(d.region);

  std::set<std::string> phones;
  std::vector<Household> households;
  Household last;
  PhoneNormalizer normalizer(d.region);
  const std::string country = TagCountry(d.region);
  uint64_t serial = 100000000ULL + seed % 1000;
  for (int o = 0; o < owners; ++o) {
    std::string phone;
    do {
      phone = DemoPhone(d.region, rng);
    } while (!normalizer.ToE164(phone).ok() || !phones.insert(phone).second);
    const std::string name = std::string(kGivenNames[rng() % kGivenNames.size()]) + " " +
                             kFamilyNames[rng() % kFamilyNames.size()];
    std::vector<Unit> units;
    const int tagged = 7 + static_cast<int>(rng() % 4);
    for (int a = 0; a < tagged; ++a) {
      constexpr std::array kSpecies = {"sheep", "sheep", "sheep", "cattle", "cattle",
                                       "horse", "goat",  "camel", "cattle", "sheep"};
      char digits[16];
      std::snprintf(digits, sizeof digits, "%s%012llu", country.c_str(),
                    static_cast<unsigned long long>(serial++));
      units.push_back({digits, kSpecies[rng() % kSpecies.size()], 1});
    }
    const int flocks = 1 + static_cast<int>(rng() % 3);
    constexpr std::array kFlockSpecies = {"sheep", "goat", "poultry"};
    for (int f = 0; f < flocks; ++f) {
      units.push_back({"", kFlockSpecies[f], 10 + static_cast<int>(rng() % 120)});
    }
    if (result.example_phone.empty()) result.example_phone = phone;
    if (households.size() < kHouseholdsTried) households.push_back({phone, units});
    // The first households keep their animals at a farm, winter camp or summer pasture of their
    // own (W12): the owner is registered first, the holding made, and every record of the
    // household names it, so the animals it creates are kept there.
    // Every owner is registered first with a village (W15's due lists go village by village),
    // taken in turn so that the rest of the demo draws the same numbers as before.
    auto owner =
        service.RegisterOwner(system, {phone, name, DemoVillage(d.region, o), d.authority});
    if (!owner.ok() && owner.status().code() != StatusCode::kAlreadyExists) {
      return owner.status();
    }
    const ExistingRecord* existing = owner.status().payload<ExistingRecord>();
    if (!owner.ok() && existing == nullptr) return owner.status();
    std::optional<int64_t> holding;
    if (o < kDemoFarms) {
      constexpr std::array kFarmKinds = {"farm", "winter_camp", "summer_pasture"};
      HoldingInput in;
      in.code = "FARM-" + std::to_string(o + 1);
      in.kind = kFarmKinds[o % kFarmKinds.size()];
      in.name = name + (o % 3 == 0 ? " farm" : o % 3 == 1 ? " winter camp" : " summer pasture");
      in.authority = d.authority;
      in.owner_id = owner.ok() ? owner->id : existing->id;
      in.lat = centre_lat + 0.04 * (o % 3) - 0.05;
      in.lon = centre_lon + 0.05 * (o / 3) - 0.06;
      in.opened_on = today.AddYears(-5).ToString();
      HP_ASSIGN_OR_RETURN(const Holding h, EnsureHolding(service, system, in));
      holding = h.id;
    }
    if (o == owners - 1) last = {phone, units};

    // How diligent this household is: the chance it takes part in a campaign.
    const double diligence = 0.55 + 0.45 * static_cast<double>(rng() % 1000) / 1000.0;
    bool ppr_done = false;
    for (const auto& c : campaigns) {
      const Date day = c.day.AddDays(static_cast<int32_t>(rng() % 21) - 10);
      if (day < since || day > today) continue;
      if (static_cast<double>(rng() % 1000) / 1000.0 > diligence) continue;
      std::vector<std::string> diseases = c.diseases;
      if (!ppr_done && c.diseases.front() == "ANTHRAX") {
        diseases.push_back("PPR");  // PPR protects for three years: one dose in the window
        ppr_done = true;
      }
      for (const auto& disease : diseases) {
        const VaccineProduct* vaccine = VaccineFor(cat, disease);
        if (vaccine == nullptr) continue;
        for (const auto& u : units) {
          if (!Applies(cat, disease, u.species)) continue;
          VaccinationRecordInput r;
          const int64_t ms = static_cast<int64_t>(day.days()) * 86400000LL + 8 * 3600000LL;
          r.id = UuidV7(ms, idrng);
          r.owner_phone = phone;
          r.owner_name = name;
          r.species = u.species;
          if (u.tag.empty()) {
            r.head_count = u.heads;
          } else {
            r.animal_tags = {u.tag};
          }
          r.disease = disease;
          r.vaccine = vaccine->code;
          r.batch_no = vaccine->code.substr(0, 3) + "-" + std::to_string(day.days() % 9000 + 1000);
          r.dose_ml = u.species == "poultry"
                          ? 0.3
                          : (u.species == "sheep" || u.species == "goat" ? 1.0 : 2.0);
          r.administered_on = day.ToString();
          r.device_id = "demo-" + std::to_string(o % 12);
          r.holding = holding;
          pending.push_back(std::move(r));
          if (pending.size() == 1000) HP_RETURN_IF_ERROR(flush());
        }
      }
    }
  }
  HP_RETURN_IF_ERROR(flush());
  {
    // W15's reminders: a few households had their sheep and goats dosed against echinococcosis
    // (a year's protection, outside the campaigns) a year ago less 3 to 12 days, so that whatever
    // day the demo is made on, their coverage lapses within the reminders' 14 days. Ids of their
    // own seed, as the tag life's: a second run sends the same records again, answered as
    // duplicates.
    std::mt19937_64 remind_ids(seed ^ 0xec41ULL);
    const VaccineProduct* vaccine = VaccineFor(cat, "ECHINO");
    for (size_t i = 0; vaccine != nullptr && i < households.size() && i < 12; ++i) {
      const Date day = today.AddDays(-365 + 3 + static_cast<int32_t>(i % 10));
      for (const auto& u : households[i].units) {
        if (!Applies(cat, "ECHINO", u.species)) continue;
        VaccinationRecordInput r;
        r.id = UuidV7(static_cast<int64_t>(day.days()) * 86400000LL + 9 * 3600000LL, remind_ids);
        r.owner_phone = households[i].phone;
        r.species = u.species;
        if (u.tag.empty()) {
          r.head_count = u.heads;
        } else {
          r.animal_tags = {u.tag};
        }
        r.disease = "ECHINO";
        r.vaccine = vaccine->code;
        r.batch_no = "ECH-" + std::to_string(day.days() % 9000 + 1000);
        r.dose_ml = 1.0;
        r.administered_on = day.ToString();
        r.device_id = "demo-echino";
        pending.push_back(std::move(r));
      }
    }
    HP_RETURN_IF_ERROR(flush());
  }

  HP_ASSIGN_OR_RETURN(auto issued, IssueDemoCertificates(service, d, households, idrng));
  std::vector<Certificate>& certs = issued;
  // At the destination: its inspector consumes the second and third (only an inspector of the
  // destination's jurisdiction may); the vet revokes the fourth.
  if (certs.size() >= 3) {
    HP_ASSIGN_OR_RETURN(auto inspector, DestinationInspector(service, certs[1].destination));
    HP_ASSIGN_OR_RETURN(auto first,
                        service.ConsumeCertificate(inspector, certs[1].id,
                                                   "Central meat processing plant, gate 2"));
    certs[1] = std::move(first);
    // The third arrives one head short (W13): a mismatch the origin vet sees.
    ArrivalRequest short_one;
    short_one.place = "Central meat processing plant, gate 2";
    if (certs[2].head_count > 1) short_one.head_count = certs[2].head_count - 1;
    HP_ASSIGN_OR_RETURN(auto second, service.ConsumeCertificate(inspector, certs[2].id, short_one));
    if (short_one.head_count) result.mismatch_certificate = second.number;
    certs[2] = std::move(second);
  }
  if (certs.size() >= 4) {
    HP_ASSIGN_OR_RETURN(auto vet, DemoUser(service, Role::kVet));
    HP_ASSIGN_OR_RETURN(auto c, service.RevokeCertificate(
                                    vet, certs[3].id, "animals sold at the farm before transport"));
    certs[3] = std::move(c);
  }
  if (owners > static_cast<int>(kHouseholdsTried)) {
    char new_tag[16];
    std::snprintf(new_tag, sizeof new_tag, "%s%012llu", country.c_str(),
                  static_cast<unsigned long long>(serial++));
    // Ids of their own seed: a second run (make run after an interrupted seed) sends the same
    // events again, answered as duplicates, whatever the certificates drew from idrng.
    std::mt19937_64 event_rng(seed ^ 0x7a61ULL);
    HP_RETURN_IF_ERROR(RecordDemoTagLife(service, last, new_tag, event_rng, result));
  }
  {
    std::mt19937 buyer_rng(seed ^ 0xb0b5U);
    std::mt19937_64 journey_rng(seed ^ 0x6a6fULL);
    HP_RETURN_IF_ERROR(
        RecordDemoJourneys(service, d, DemoPhone(d.region, buyer_rng), certs, journey_rng, result));
  }
  {
    // A buyer of their own seed, not an owner of the county (a phone none of them has).
    std::mt19937 sale_rng(seed ^ 0x5a1eU);
    std::string buyer;
    do {
      buyer = DemoPhone(d.region, sale_rng);
    } while (!normalizer.ToE164(buyer).ok() || phones.count(buyer) > 0);
    std::mt19937_64 sale_ids(seed ^ 0x5a1e5ULL);
    HP_RETURN_IF_ERROR(RecordDemoSaleCertificate(service, households, d.authority, certs, buyer,
                                                 sale_ids, result));
  }
  HP_RETURN_IF_ERROR(RecordDemoOutbreak(service, d, result));
  for (const auto& c : certs) {
    result.certificates.push_back(
        {c.id, c.number, CertificateStatusName(c.status), c.hp1, c.valid_until});
  }
  return result;
}

}  // namespace herdpass::cli
