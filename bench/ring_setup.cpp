// The ring list's zone for issue 13's benchmark (bench/run.sh run_outbreak_bench): a zone of
// FMD-O for cattle and sheep, 3 km protection and 10 km surveillance, around a new holding in the
// middle of the seeded area, filled up to --holdings holdings within its 10 km (those of the seeded
// data set that fall inside it count). Each holding added is a farm whose owner's W1 records (five
// cattle vaccinated against FMD-O there, some doses lapsed) keep the animals on it. Everything is
// written through the Store interface, as the seeder writes; kept out of bench/seed.cpp so that
// the cached data sets (keyed by the seeder's hash) stay valid. Run on a copy of a data set, with
// no server on it:
//   ring_setup --data DIR [--holdings 2000] [--authority KZ-ABY]
// Prints "HP_RESULT zone=ID lat= lon= radius_km= day= holdings=N added=M seeded_inside=K units=U
// records=R seconds=S" (day: days since 1970-01-01, as the store keeps dates).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "bench/workload.h"
#include "domain/catalogue.h"
#include "domain/holding.h"
#include "domain/outbreak.h"
#include "domain/time.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace herdpass::bench {
namespace {

constexpr double kCentreLat = 48.5;  // inside the seeder's 47-50 N, 77-83 E
constexpr double kCentreLon = 80.0;
constexpr double kRadiusKm = 10;
constexpr int kCattlePerFarm = 5;
constexpr int64_t kOwnerBase = 60'000'000;  // far above the seeder's owner indexes (OwnerPhone)
constexpr size_t kBatchRecords = 1000;

int Fail(const std::string& what, const Status& s) {
  std::cerr << "ring_setup: " << what << ": " << s.ToString() << "\n";
  return 1;
}

AuditEntry Audit(const std::string& action, const std::string& authority, Timestamp at) {
  AuditEntry a;
  a.at = at;
  a.username = "bench-ring";
  a.action = action;
  a.target = "bench";
  a.detail = "{}";
  a.authority = authority;
  return a;
}

int Run(const std::string& data_dir, int holdings_wanted, const std::string& authority) {
  SqliteOptions options;
  options.path = data_dir + "/herdpass.db";
  auto opened = OpenSqliteStore(options);
  if (!opened.ok()) return Fail("open " + options.path, opened.status());
  Store& store = **opened;
  SystemClock clock;
  const Timestamp now = clock.Now();
  const Date today = clock.Today();
  const auto start = std::chrono::steady_clock::now();

  auto add_holding = [&](const std::string& code, double lat, double lon,
                         std::optional<int64_t> owner) -> Result<Holding> {
    Holding h;
    h.code = code;
    h.kind = HoldingKind::kFarm;
    h.name = "Ring farm " + code;
    h.authority = authority;
    h.owner_id = owner;
    h.lat = lat;
    h.lon = lon;
    h.opened_on = today.AddDays(-400);
    h.created_at = now;
    return store.CreateHolding(h, Audit("holding.create", authority, now));
  };
  auto centre = add_holding("RING-0", kCentreLat, kCentreLon, std::nullopt);
  if (!centre.ok()) return Fail("centre holding", centre.status());
  Zone z;
  z.disease = "FMD-O";
  z.holding_id = centre->id;
  z.lat = kCentreLat;
  z.lon = kCentreLon;
  z.protection_km = 3;
  z.surveillance_km = kRadiusKm;
  z.species = {"cattle", "sheep"};
  z.starts_on = today;
  z.ends_on = today.AddDays(30);
  z.authority = authority;
  z.declared_by = 1;
  z.declared_at = now;
  if (Status valid = ValidateZone(z); !valid.ok()) return Fail("zone", valid);
  auto zone = store.CreateZone(z, Audit("zone.declare", authority, now));
  if (!zone.ok()) return Fail("zone", zone.status());

  const Catalogue& catalogue = DefaultCatalogue();
  RingQuery q;
  q.zone = *zone;
  q.today = today;
  q.catalogue = &catalogue;
  auto before = store.ListRing(q);
  if (!before.ok()) return Fail("ring before", before.status());
  const int inside = static_cast<int>(before->holdings.size());

  // Farms at uniform random points of the disc (radius a little under 10 km: inside whatever the
  // rounding of the distance), each with its owner's five cattle vaccinated there.
  const int to_add = std::max(0, holdings_wanted - inside);
  const double lat_km = 111.32;
  const double lon_km = 111.32 * std::cos(kCentreLat * M_PI / 180);
  std::vector<VaccinationInput> batch;
  int64_t records = 0;
  const auto base_ms = static_cast<uint64_t>(now.time_since_epoch().count());
  uint64_t seq = 0;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    BatchContext ctx;
    ctx.authority = authority;
    ctx.scope = authority;
    ctx.at = clock.Now();
    auto results = store.RecordVaccinations(batch, ctx, Audit("vaccination.batch", authority, now));
    if (!results.ok()) return results.status();
    for (const RecordResult& r : *results) {
      if (r.outcome != RecordOutcome::kCreated) return r.reason;
    }
    records += static_cast<int64_t>(results->size());
    batch.clear();
    return Status::Ok();
  };
  for (int i = 0; i < to_add; ++i) {
    const uint64_t h = Mix(static_cast<uint64_t>(i) + 0x5eed);
    const double r = 9.9 * std::sqrt(static_cast<double>(h % 1'000'000) / 1e6);
    const double a = 2 * M_PI * static_cast<double>((h >> 20) % 1'000'000) / 1e6;
    const double lat = kCentreLat + r * std::cos(a) / lat_km;
    const double lon = kCentreLon + r * std::sin(a) / lon_km;
    auto farm = add_holding("RING-" + std::to_string(i + 1), lat, lon, std::nullopt);
    if (!farm.ok()) return Fail("farm", farm.status());
    const int64_t owner = kOwnerBase + i;
    for (int k = 0; k < kCattlePerFarm; ++k) {
      VaccinationInput in;
      in.id = Uuid7(base_ms, seq++);
      in.owner_phone = OwnerPhone(owner);
      in.owner_name = OwnerName(owner);
      in.animal_tags = {AnimalTag(owner, k)};
      in.species = "cattle";
      in.head_count = 1;
      in.disease = "FMD-O";
      in.vaccine = "FMD-O-INACT";
      in.batch_no = "KZRING";
      in.dose_ml = 2.0;
      // Every fifth dose is older than FMD's 180 days of immunity: lapsed.
      in.administered_on =
          today.AddDays(-static_cast<int>((Mix(h + k) % 170) + (k == 4 ? 200 : 0)));
      in.lat = lat;
      in.lon = lon;
      in.device_id = "ring-bench";
      in.holding_id = farm->id;
      batch.push_back(std::move(in));
    }
    if (batch.size() >= kBatchRecords) {
      if (Status s = flush(); !s.ok()) return Fail("records", s);
    }
  }
  if (Status s = flush(); !s.ok()) return Fail("records", s);

  auto after = store.ListRing(q);
  if (!after.ok()) return Fail("ring after", after.status());
  int64_t units = 0;
  for (const RingHolding& h : after->holdings) units += static_cast<int64_t>(h.units.size());
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "HP_RESULT zone=%lld lat=%.5f lon=%.5f radius_km=%.0f day=%d holdings=%zu added=%d "
      "seeded_inside=%d units=%lld records=%lld seconds=%.1f\n",
      static_cast<long long>(zone->id), kCentreLat, kCentreLon, kRadiusKm, today.days(),
      after->holdings.size(), to_add, inside, static_cast<long long>(units),
      static_cast<long long>(records), secs);
  return 0;
}

}  // namespace
}  // namespace herdpass::bench

int main(int argc, char** argv) {
  std::string data;
  int holdings = 2000;
  std::string authority = "KZ-ABY";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--data") {
      data = argv[i + 1];
    } else if (a == "--holdings") {
      holdings = std::atoi(argv[i + 1]);
    } else if (a == "--authority") {
      authority = argv[i + 1];
    } else {
      std::cerr << "ring_setup: unknown option " << a << "\n";
      return 2;
    }
  }
  if (data.empty() || holdings < 1 || argc % 2 == 0) {
    std::cerr << "usage: ring_setup --data DIR [--holdings N] [--authority CODE]\n";
    return 2;
  }
  return herdpass::bench::Run(data, holdings, authority);
}
