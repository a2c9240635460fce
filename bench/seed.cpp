// Seeds a HerdPass database with synthetic owners for the benchmarks (bench/run.sh).
//
// Writes through Store::RecordVaccinations, in batches of 1,000 records, on the data directory's
// database (created by `herdpass init`): the same code path as W1 minus HTTP and validation, which
// are not what seeding measures. Owner i has 10 cattle (tags from bench/workload.h) and 50
// vaccination records spread over the last three years. Also writes the owners' phone numbers, in
// the local form an inspector types ("8 701 ..." without spaces), one a line, for the W2 load.
//
// With --journeys DIR it then adds the journeys data of issue 12 (BENCH_ONLY=journeys), all through
// the Store interface as the server writes it (CreateHolding, CreateCertificate, ConsumeCertificate
// with an arrival, RecordPassage, RecordAnimalEvent; owners, animals and flocks through W1
// records), from many threads so that the writer groups the commits. Its owners are apart from the
// W2 owners above (workload.h kJourneyOwnerBase), whose data stay as they were:
//  - holdings: a farm for each journey owner; shared summer pastures, winter camps, markets and
//    checkpoints;
//  - travellers: owners of 10 cattle (50 records) whose herd makes 20 movements between holdings,
//    5 of them with a checkpoint passage, and whose animals get a new tag 4 times: each animal's
//    timeline has 50 entries (registration, 5 doses, 20 certificates issued and used, 4 tag
//    events); their present tags in DIR/travellers.txt;
//  - buyers: owners who bought 10 cattle at a market from three sellers (4 + 3 + 3, sale
//    certificates that arrived), so that their W2 shows 50 doses given under three earlier owners,
//    as an ordinary W2 owner shows 50 of its own; their phones in DIR/buyers.txt;
//  - the bulk: pairs of 500-head sheep flocks moving between farm, summer pasture and winter camp,
//    8 movements each, two of them a sale of 50 head to the other flock's owner, until the arrived
//    movements reach --movements (default: records / 10); one pair in five has a passage;
//  - market hubs (issue 13): one flock pair in 40 also takes both flocks to a market, back to the
//    farm and on to a pasture in the last three weeks; the markets' holding ids in
//    DIR/markets.txt;
//  - the arrival pool: planned certificates of whole 500-head flocks, 100 per flock (issued, valid
//    for 10 years so that a cached data set stays usable), alternately in
//    DIR/arrivals-herdpass.txt and DIR/arrivals-raw.txt, one "certificate_id holding_id head" a
//    line.
// Certificates carry a placeholder HP1 text of a real one's length: the benchmarks never verify it.
//
//   seed --data DIR --records N --phones FILE [--authority KZ-ABY] [--journeys DIR]
//        [--movements N] [--threads 256] [--journeys-only]
//   seed --schema-version        prints the schema version this build writes
// --journeys-only: the database holds the N records of the W2 owners already (a data set this
// generator seeded before, of any schema: opening it migrates it); only the phone list and the
// journeys data are written.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/workload.h"
#include "domain/certificate.h"
#include "domain/holding.h"
#include "domain/movement.h"
#include "domain/phone.h"
#include "domain/time.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace herdpass::bench {
namespace {

constexpr int kBatchRecords = 1000;  // 20 owners a batch

struct Args {
  std::string data_dir;
  int64_t records = 0;
  std::string phones_file;
  std::string authority = "KZ-ABY";
  std::string journeys_dir;  // empty: no journeys data
  int64_t movements = -1;    // arrived movements of the journeys data; -1: records / 10
  int threads = 256;
  // The W2 owners' records are in the database already (a data set of this generator's records,
  // made before): only the phone list and the journeys data are written.
  bool journeys_only = false;
};

int Usage() {
  std::cerr << "usage: seed --data DIR --records N --phones FILE [--authority CODE] "
               "[--journeys DIR] [--movements N] [--threads N] [--journeys-only]\n"
               "       seed --schema-version\n";
  return 2;
}

// "+77011234567" -> "87011234567": the trunk prefix 8 is how Kazakh numbers are usually typed.
std::string LocalForm(const std::string& e164) { return "8" + e164.substr(2); }

VaccinationInput ToInput(const BenchRecord& r, Date today) {
  VaccinationInput in;
  in.id = r.id;
  in.owner_phone = r.owner_phone;
  in.owner_name = r.owner_name;
  in.animal_tags = {r.tag};
  in.species = r.species;
  in.head_count = 1;
  in.disease = r.disease;
  in.vaccine = r.vaccine;
  in.batch_no = r.batch_no;
  in.dose_ml = r.dose_ml;
  in.administered_on = today.AddDays(-r.days_ago);
  in.lat = r.lat;
  in.lon = r.lon;
  in.device_id = r.device_id;
  return in;
}

// --- the journeys data (issue 12) ----------------------------------------------------------------

constexpr int kTravellerMoves = 20;    // movements of a traveller's herd
constexpr int kTagChanges = 4;         // new tags of each traveller animal
constexpr int kFlockMoves = 8;         // movements of each bulk flock
constexpr int kFlockHead = 500;        // head of a bulk or pool flock
constexpr int kFlockSaleHead = 50;     // head a bulk flock sells to its pair at moves 3 and 7
constexpr int kPoolPerOwner = 100;     // planned certificates per pool flock
constexpr int64_t kHubPairEvery = 40;  // one flock pair in 40 goes through a market (issue 13)
constexpr int64_t kNewTagBase = 500'000'000'000;  // national numbers of replacement tags

// A tag of the AnimalTag form (country 398, 12 digits) for a replacement.
std::string NewTag(int64_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "398%012lld", static_cast<long long>(kNewTagBase + n));
  return buf;
}

// Runs fn(i) for i in [0, n) on `threads` threads; false when any call returned false.
template <class F>
bool ParallelFor(int64_t n, int threads, const char* what, F fn) {
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> done{0};
  std::atomic<bool> failed{false};
  const auto start = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (int64_t i; !failed && (i = next.fetch_add(1)) < n;) {
      if (!fn(i)) failed = true;
      done.fetch_add(1);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, threads); ++t) pool.emplace_back(worker);
  auto last = start;
  while (done.load() < n && !failed) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const auto now = std::chrono::steady_clock::now();
    if (now - last > std::chrono::seconds(10)) {
      last = now;
      std::fprintf(stderr, "seed: %s %lld / %lld, %.0f s\n", what,
                   static_cast<long long>(done.load()), static_cast<long long>(n),
                   std::chrono::duration<double>(now - start).count());
    }
  }
  for (auto& t : pool) t.join();
  return !failed;
}

bool Check(const Status& s, const char* what) {
  if (s.ok()) return true;
  std::cerr << "seed: " << what << ": " << s.message() << " (" << s.field() << ")\n";
  return false;
}

class JourneySeeder {
 public:
  JourneySeeder(Store& store, const Args& args, Timestamp now)
      : store_(store), args_(args), now_(now), today_(Date::Of(now)) {}

  int Run(int64_t regular_records) {
    const int64_t r = regular_records;
    const int64_t movements = args_.movements >= 0 ? args_.movements : r / 10;
    travellers_ = std::clamp<int64_t>(r / 50'000, 1, 200);
    buyers_ = std::clamp<int64_t>(r / 10'000, 1, 1000);
    pool_owners_ = std::clamp<int64_t>(r / 25'000, 1, 400);
    const int64_t bulk =
        std::max<int64_t>(0, movements - travellers_ * kTravellerMoves - buyers_ * 3);
    pairs_ = (bulk + 2 * kFlockMoves - 1) / (2 * kFlockMoves);
    const auto start = std::chrono::steady_clock::now();

    // Owners, animals and flocks: W1 records, as the regular owners.
    std::vector<VaccinationInput> batch;
    auto flush = [&]() -> bool {
      if (batch.empty()) return true;
      BatchContext ctx;
      ctx.authority = args_.authority;
      ctx.scope = args_.authority;
      ctx.at = now_;
      auto results = store_.RecordVaccinations(batch, ctx, Audit("vaccination.batch", "records"));
      if (!results.ok()) return Check(results.status(), "journey records");
      for (const RecordResult& res : *results) {
        if (res.outcome != RecordOutcome::kCreated) return Check(res.reason, "journey record");
      }
      records_ += static_cast<int64_t>(results->size());
      batch.clear();
      return true;
    };
    auto cattle = [&](int64_t owner) -> bool {
      for (int k = 0; k < kRecordsPerOwner; ++k) {
        const int days_ago = static_cast<int>(
            Mix(static_cast<uint64_t>(owner) * kRecordsPerOwner + static_cast<uint64_t>(k)) %
            kHistoryDays);
        batch.push_back(ToInput(MakeRecord(Uuid7(base_ms_, seq_++), owner, k % kAnimalsPerOwner,
                                           k / kAnimalsPerOwner, days_ago),
                                today_));
      }
      return batch.size() < 1000 || flush();
    };
    auto sheep = [&](int64_t owner) -> bool {
      VaccinationInput in;
      in.id = Uuid7(base_ms_, seq_++);
      in.owner_phone = OwnerPhone(owner);
      in.owner_name = OwnerName(owner);
      in.species = "sheep";
      in.head_count = kFlockHead;
      in.disease = "SGP";
      in.vaccine = "SGP-SHEEPPOX-LIVE";
      in.batch_no = "KZ-SGP-01";
      in.dose_ml = 1.0;
      in.administered_on = today_.AddDays(-1060);
      in.device_id = "odk-flock";
      batch.push_back(std::move(in));
      return batch.size() < 1000 || flush();
    };
    for (int64_t i = 0; i < travellers_; ++i) {
      if (!cattle(kTravellerOwners + i)) return 1;
    }
    for (int64_t i = 0; i < buyers_ * 3; ++i) {
      if (!cattle(kSellerOwners + i)) return 1;
    }
    for (int64_t i = 0; i < pool_owners_; ++i) {
      if (!sheep(kPoolOwners + i)) return 1;
    }
    for (int64_t i = 0; i < 2 * pairs_; ++i) {
      if (!sheep(kFlockOwners + i)) return 1;
    }
    if (!flush()) return 1;
    std::fprintf(stderr, "seed: journeys: %lld records of journey owners\n",
                 static_cast<long long>(records_));

    if (!SharedHoldings()) return 1;
    std::ofstream markets(args_.journeys_dir + "/markets.txt", std::ios::trunc);
    for (int64_t id : markets_) markets << id << '\n';
    markets.close();
    std::ofstream travellers(args_.journeys_dir + "/travellers.txt", std::ios::trunc);
    std::mutex travellers_mu;
    if (!ParallelFor(travellers_, args_.threads, "travellers", [&](int64_t i) {
          std::vector<std::string> tags;
          if (!Traveller(kTravellerOwners + i, tags)) return false;
          std::lock_guard lock(travellers_mu);
          for (const auto& t : tags) travellers << t << '\n';
          return true;
        })) {
      return 1;
    }
    travellers.close();
    std::ofstream buyers(args_.journeys_dir + "/buyers.txt", std::ios::trunc);
    for (int64_t i = 0; i < buyers_; ++i) buyers << LocalForm(OwnerPhone(kBuyerOwners + i)) << '\n';
    buyers.close();
    if (!ParallelFor(buyers_, args_.threads, "buyers", [&](int64_t i) { return Buyer(i); })) {
      return 1;
    }
    if (!ParallelFor(pairs_, args_.threads, "flock pairs", [&](int64_t i) { return Pair(i); })) {
      return 1;
    }
    std::vector<std::vector<std::string>> pool(static_cast<size_t>(pool_owners_));
    if (!ParallelFor(pool_owners_, args_.threads, "arrival pool", [&](int64_t i) {
          return Pool(kPoolOwners + i, pool[static_cast<size_t>(i)]);
        })) {
      return 1;
    }
    std::ofstream pool_a(args_.journeys_dir + "/arrivals-herdpass.txt", std::ios::trunc);
    std::ofstream pool_b(args_.journeys_dir + "/arrivals-raw.txt", std::ios::trunc);
    for (size_t k = 0; k < static_cast<size_t>(kPoolPerOwner); ++k) {
      for (const auto& lines : pool) (k % 2 == 0 ? pool_a : pool_b) << lines[k] << '\n';
    }
    pool_a.close();
    pool_b.close();
    if (!markets || !travellers || !buyers || !pool_a || !pool_b) {
      std::cerr << "seed: cannot write the journeys files in " << args_.journeys_dir << "\n";
      return 1;
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf(
        " journey_records=%lld holdings=%lld movements_arrived=%lld movements_planned=%lld "
        "sales=%lld passages=%lld tag_events=%lld travellers=%lld buyers=%lld hub_moves=%lld "
        "markets=%zu journey_seconds=%.1f",
        static_cast<long long>(records_), static_cast<long long>(holdings_.load()),
        static_cast<long long>(arrived_.load()), static_cast<long long>(planned_.load()),
        static_cast<long long>(sales_.load()), static_cast<long long>(passages_.load()),
        static_cast<long long>(tag_events_.load()),
        static_cast<long long>(travellers_ * kAnimalsPerOwner), static_cast<long long>(buyers_),
        static_cast<long long>(hub_moves_.load()), markets_.size(), secs);
    return 0;
  }

 private:
  AuditEntry Audit(const std::string& action, const std::string& target) const {
    AuditEntry a;
    a.at = now_;
    a.username = "bench-seed";
    a.action = action;
    a.target = target;
    a.detail = "{}";
    a.authority = args_.authority;
    return a;
  }

  Timestamp At(int days_ago, int hour) const {
    return now_ - std::chrono::days(days_ago) + std::chrono::hours(hour);
  }

  std::optional<int64_t> AddHolding(HoldingKind kind, const std::string& code,
                                    std::optional<int64_t> owner_id, const std::string& owner,
                                    uint64_t h) {
    Holding in;
    in.code = code;
    in.kind = kind;
    in.name = std::string(HoldingKindName(kind)) + " " + code;
    in.authority = args_.authority;
    in.owner_id = owner_id;
    if (owner_id) in.owner_masked_name = MaskName(owner);
    in.lat = 47.0 + static_cast<double>(Mix(h) % 300000) / 100000.0;
    in.lon = 77.0 + static_cast<double>((Mix(h) >> 20) % 600000) / 100000.0;
    in.opened_on = today_.AddDays(-2000);
    in.created_at = now_;
    auto made = store_.CreateHolding(in, Audit("holding.create", "holding:" + code));
    if (!made.ok()) {
      Check(made.status(), "holding");
      return std::nullopt;
    }
    holdings_.fetch_add(1);
    return made->id;
  }

  bool SharedHoldings() {
    const int64_t each = std::max<int64_t>(4, pairs_ / 25);
    auto add = [&](HoldingKind kind, const char* prefix, int64_t n, std::vector<int64_t>& out) {
      for (int64_t i = 0; i < n; ++i) {
        auto id = AddHolding(kind, prefix + std::to_string(i), std::nullopt, "",
                             std::hash<std::string>{}(prefix) + static_cast<uint64_t>(i));
        if (!id) return false;
        out.push_back(*id);
      }
      return true;
    };
    return add(HoldingKind::kSummerPasture, "SP-", each, pastures_) &&
           add(HoldingKind::kWinterCamp, "WC-", each, camps_) &&
           add(HoldingKind::kMarket, "MK-", 20, markets_) &&
           add(HoldingKind::kCheckpoint, "CP-", 20, checkpoints_);
  }

  struct Unit {
    int64_t owner_index = 0;
    Owner owner;
    std::vector<Animal> animals;  // the cattle, or the one flock
    int64_t farm = 0;
  };

  // The owner of `index` (made by its W1 records) with its animals, and a farm for it.
  bool LoadUnit(int64_t index, Unit& u) {
    u.owner_index = index;
    auto owner = store_.FindOwnerByPhone(OwnerPhone(index));
    if (!owner.ok()) return Check(owner.status(), "journey owner");
    u.owner = *owner;
    auto history = store_.LoadOwnerHistory(u.owner.id, today_.AddDays(-1));
    if (!history.ok()) return Check(history.status(), "journey owner's animals");
    u.animals = history->animals;
    auto farm = AddHolding(HoldingKind::kFarm, "F-" + std::to_string(index), u.owner.id,
                           u.owner.name, static_cast<uint64_t>(index));
    if (!farm) return false;
    u.farm = *farm;
    return true;
  }

  struct Move {
    std::vector<int64_t> animal_ids;
    std::vector<std::string> tags;  // sorted
    std::string species = "cattle";
    int32_t head = 0;
    Purpose purpose = Purpose::kGrazing;
    int64_t from = 0;
    int64_t to = 0;
    Timestamp issued_at{};
    bool planned = false;  // issued only (the arrival pool)
    std::string buyer_phone;
    std::string buyer_name;
    std::optional<int64_t> passage_at;  // a checkpoint passage on the way
  };

  // Issues the certificate of `m` for `owner` and, unless planned, consumes it the next day with
  // an arrival at m.to (head counted, tags seen), as an inspector at the destination does.
  std::optional<std::string> Issue(const Owner& owner, const Move& m) {
    const uint64_t n = cert_seq_.fetch_add(1);
    Certificate c;
    c.id = Uuid7(base_ms_ + 1'000'000, n);
    static constexpr char kB32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string suffix(8, 'A');
    for (int k = 7; k >= 0; --k) suffix[static_cast<size_t>(k)] = kB32[(n >> (5 * (7 - k))) & 31];
    std::string day = Date::Of(m.issued_at).ToString();
    day.erase(std::remove(day.begin(), day.end(), '-'), day.end());
    c.number = args_.authority + "-" + day + "-" + suffix;
    c.authority = args_.authority;
    c.kid = "0123456789abcdef";
    c.owner_id = owner.id;
    c.species = m.species;
    c.head_count = m.head;
    c.animal_ids = m.animal_ids;
    c.tags = m.tags;
    c.purpose = m.purpose;
    c.origin = args_.authority;
    c.origin_place = "farm";
    c.destination = args_.authority;
    c.destination_place = "holding";
    c.transport = "KZ 123 ABC 05";
    c.issued_at = m.issued_at;
    c.valid_until =
        m.planned ? m.issued_at + std::chrono::days(3650) : m.issued_at + std::chrono::days(5);
    c.vet_name = "bench-vet";
    c.owner_masked_name = MaskName(owner.name);
    c.owner_phone_last4 = owner.phone.substr(owner.phone.size() - 4);
    c.hp1 = "HP1:" + std::string(470, 'B');  // a placeholder of a real HP1 text's length
    c.origin_holding_id = m.from;
    c.destination_holding_id = m.to;
    c.buyer_phone = m.buyer_phone;
    c.buyer_name = m.buyer_name;
    if (!Check(store_.CreateCertificate(c, Audit("certificate.issue", "certificate:" + c.id)),
               "certificate")) {
      return std::nullopt;
    }
    if (m.planned) {
      planned_.fetch_add(1);
      return c.id;
    }
    if (m.passage_at) {
      PassageInput p;
      p.id = Uuid7(base_ms_ + 2'000'000, passage_seq_.fetch_add(1));
      p.certificate_id = c.id;
      p.holding_id = *m.passage_at;
      p.authority = args_.authority;
      p.at = m.issued_at + std::chrono::hours(6);
      p.head_seen = m.head;
      p.note = "checked on the road";
      p.received_at = p.at;
      p.unrestricted = true;
      auto stored = store_.RecordPassage(p, Audit("passage.record", "certificate:" + c.id));
      if (!stored.ok()) {
        Check(stored.status(), "passage");
        return std::nullopt;
      }
      passages_.fetch_add(1);
    }
    const Timestamp at = m.issued_at + std::chrono::days(1);
    Consumption use(0, "bench-inspector", "holding", at);
    auto arrival = CompareArrival(
        c, m.head, m.tags.empty() ? std::nullopt : std::optional<std::vector<std::string>>(m.tags));
    if (!arrival.ok()) {
      Check(arrival.status(), "arrival");
      return std::nullopt;
    }
    use.arrival = *arrival;
    use.arrival.holding_id = m.to;
    use.on = Date::Of(at);
    for (size_t i = 0; i < c.animal_ids.size(); ++i) {
      use.event_ids.push_back(Uuid7(base_ms_ + 3'000'000, event_seq_.fetch_add(1)));
    }
    auto consumed =
        store_.ConsumeCertificate(c.id, use, Audit("certificate.consume", "certificate:" + c.id));
    if (!consumed.ok()) {
      Check(consumed.status(), "arrival");
      return std::nullopt;
    }
    arrived_.fetch_add(1);
    if (!m.buyer_phone.empty()) sales_.fetch_add(1);
    return c.id;
  }

  // A herd of 10 cattle on the move: 20 movements farm -> summer pasture -> winter camp -> farm,
  // a passage on every fourth, and a new tag for every animal after every fifth.
  bool Traveller(int64_t index, std::vector<std::string>& tags_out) {
    Unit u;
    if (!LoadUnit(index, u)) return false;
    const auto i = static_cast<size_t>(index - kTravellerOwners);
    const int64_t pasture = pastures_[i % pastures_.size()];
    const int64_t camp = camps_[i % camps_.size()];
    const int64_t route[] = {u.farm, pasture, camp};
    std::vector<int64_t> ids;
    std::vector<std::string> tags;
    for (const Animal& a : u.animals) {
      ids.push_back(a.id);
      tags.push_back(a.tag.value_or(""));
    }
    for (int k = 0; k < kTravellerMoves; ++k) {
      const int days_ago = 850 - 40 * k;
      Move m;
      m.animal_ids = ids;
      m.tags = tags;
      std::sort(m.tags.begin(), m.tags.end());
      m.head = static_cast<int32_t>(ids.size());
      m.from = route[k % 3];
      m.to = route[(k + 1) % 3];
      m.issued_at = At(days_ago, 8);
      if (k % 4 == 1)
        m.passage_at = checkpoints_[(i + static_cast<size_t>(k)) % checkpoints_.size()];
      if (!Issue(u.owner, m)) return false;
      if (k % 5 != 4) continue;
      for (size_t a = 0; a < ids.size(); ++a) {
        AnimalEventInput e;
        e.id = Uuid7(base_ms_ + 4'000'000, event_seq_.fetch_add(1));
        e.animal_id = ids[a];
        e.kind = AnimalEventKind::kTagReplaced;
        e.on = Date::Of(At(days_ago - 3, 0));
        e.reason = "tag lost on the pasture";
        e.new_tag = NewTag(static_cast<int64_t>(i * kAnimalsPerOwner + a) * kTagChanges + k / 5);
        e.unrestricted = true;
        e.at = At(days_ago - 3, 10);
        auto r = store_.RecordAnimalEvent(e, Audit("animal.event", "animal:" + e.new_tag));
        if (!r.ok()) return Check(r.status(), "tag event");
        tags[a] = e.new_tag;
        tag_events_.fetch_add(1);
      }
    }
    tags_out = tags;
    return true;
  }

  // Buyer i bought 10 cattle at a market, 4 + 3 + 3 from three sellers, with sale certificates
  // that arrived today (after every dose, so that all 50 show as given under earlier owners).
  bool Buyer(int64_t i) {
    const int64_t buyer = kBuyerOwners + i;
    const int counts[3] = {4, 3, 3};
    for (int s = 0; s < 3; ++s) {
      Unit u;
      if (!LoadUnit(kSellerOwners + 3 * i + s, u)) return false;
      Move m;
      for (int a = 0; a < counts[s]; ++a) {
        m.animal_ids.push_back(u.animals[static_cast<size_t>(a)].id);
        m.tags.push_back(u.animals[static_cast<size_t>(a)].tag.value_or(""));
      }
      std::sort(m.tags.begin(), m.tags.end());
      m.head = counts[s];
      m.purpose = Purpose::kSale;
      m.from = u.farm;
      m.to = markets_[static_cast<size_t>(i) % markets_.size()];
      m.issued_at = now_ - std::chrono::hours(30 - s);
      m.buyer_phone = OwnerPhone(buyer);
      m.buyer_name = OwnerName(buyer);
      if (!Issue(u.owner, m)) return false;
    }
    return true;
  }

  // Two sheep flocks of 500 head: 8 movements each farm -> summer pasture -> winter camp -> farm,
  // the 4th and 8th a sale of 50 head to the other flock's owner (arriving at its farm).
  bool Pair(int64_t p) {
    Unit u[2];
    if (!LoadUnit(kFlockOwners + 2 * p, u[0]) || !LoadUnit(kFlockOwners + 2 * p + 1, u[1])) {
      return false;
    }
    const auto i = static_cast<size_t>(p);
    int32_t head[2] = {u[0].animals.at(0).head_count, u[1].animals.at(0).head_count};
    int64_t at[2] = {u[0].farm, u[1].farm};
    const int64_t route[] = {0, pastures_[i % pastures_.size()], camps_[i % camps_.size()]};
    for (int k = 0; k < kFlockMoves; ++k) {
      for (int s = 0; s < 2; ++s) {
        const int o = 1 - s;
        Move m;
        m.species = "sheep";
        m.animal_ids = {u[s].animals[0].id};
        m.issued_at = At(1000 - 120 * k - s, 7);
        m.from = at[s];
        if (k % 4 == 3) {
          m.purpose = Purpose::kSale;
          m.head = kFlockSaleHead;
          m.to = u[o].farm;
          m.buyer_phone = u[o].owner.phone;
          m.buyer_name = u[o].owner.name;
          head[s] -= kFlockSaleHead;
          head[o] += kFlockSaleHead;
        } else {
          const int64_t next = route[(k + 1) % 3];
          m.head = head[s];
          m.to = next == 0 ? u[s].farm : next;
          at[s] = m.to;
        }
        if (k == 1 && s == 0 && p % 5 == 0) {
          m.passage_at = checkpoints_[i % checkpoints_.size()];
        }
        if (!Issue(u[s].owner, m)) return false;
      }
    }
    // Issue 13's market hubs: one pair in kHubPairEvery takes both flocks through a market in the
    // last three weeks (to the market, back to the farm two days later, on to a pasture three days
    // after that), so that a trace forward from a market over 21 days finds farms at one hop and
    // pastures at two.
    if (p % kHubPairEvery != 0) return true;
    for (int s = 0; s < 2; ++s) {
      const auto k = static_cast<size_t>(p / kHubPairEvery) * 2 + static_cast<size_t>(s);
      const int days_ago = 8 + static_cast<int>(k % 12);
      const int64_t stops[] = {at[s], markets_[k % markets_.size()], u[s].farm,
                               pastures_[(i + 1) % pastures_.size()]};
      for (int leg = 0; leg < 3; ++leg) {
        Move m;
        m.species = "sheep";
        m.animal_ids = {u[s].animals[0].id};
        m.head = head[s];
        m.from = stops[leg];
        m.to = stops[leg + 1];
        m.issued_at = At(days_ago - (leg == 0 ? 0 : leg == 1 ? 2 : 5), 9);
        if (!Issue(u[s].owner, m)) return false;
        hub_moves_.fetch_add(1);
      }
    }
    return true;
  }

  // A 500-head flock with kPoolPerOwner planned certificates from its farm to a summer pasture.
  bool Pool(int64_t index, std::vector<std::string>& lines) {
    Unit u;
    if (!LoadUnit(index, u)) return false;
    const auto i = static_cast<size_t>(index - kPoolOwners);
    for (int k = 0; k < kPoolPerOwner; ++k) {
      Move m;
      m.species = "sheep";
      m.animal_ids = {u.animals.at(0).id};
      m.head = u.animals[0].head_count;
      m.from = u.farm;
      m.to = pastures_[i % pastures_.size()];
      m.issued_at = now_ - std::chrono::minutes(k);
      m.planned = true;
      auto id = Issue(u.owner, m);
      if (!id) return false;
      lines.push_back(*id + " " + std::to_string(m.to) + " " + std::to_string(m.head));
    }
    return true;
  }

  Store& store_;
  const Args& args_;
  const Timestamp now_;
  const Date today_;
  const uint64_t base_ms_ = static_cast<uint64_t>(now_.time_since_epoch().count()) + 86'400'000;
  uint64_t seq_ = 0;  // record ids (the main thread only)
  std::atomic<uint64_t> cert_seq_{0}, passage_seq_{0}, event_seq_{0};
  int64_t travellers_ = 0, buyers_ = 0, pool_owners_ = 0, pairs_ = 0, records_ = 0;
  std::vector<int64_t> pastures_, camps_, markets_, checkpoints_;
  std::atomic<int64_t> holdings_{0}, arrived_{0}, planned_{0}, sales_{0}, passages_{0},
      tag_events_{0}, hub_moves_{0};
};

int Run(const Args& args) {
  const int64_t owners = args.records / kRecordsPerOwner;
  if (owners < 1) {
    std::cerr << "seed: --records must be at least " << kRecordsPerOwner << "\n";
    return 2;
  }

  // Every phone must normalize to itself from the local form, or W2 lookups would miss.
  PhoneNormalizer phones("KZ");
  std::ofstream phone_list(args.phones_file, std::ios::trunc);
  for (int64_t i = 0; i < owners; ++i) {
    const std::string e164 = OwnerPhone(i);
    const std::string local = LocalForm(e164);
    auto normalized = phones.ToE164(local);
    if (!normalized.ok() || normalized.value() != e164) {
      std::cerr << "seed: phone " << local << " does not normalize to " << e164 << "\n";
      return 1;
    }
    phone_list << local << '\n';
  }
  phone_list.close();
  if (!phone_list) {
    std::cerr << "seed: cannot write " << args.phones_file << "\n";
    return 1;
  }

  SqliteOptions options;
  options.path = args.data_dir + "/herdpass.db";
  options.readers = args.journeys_dir.empty() ? 1 : 2;
  options.cache_kib = 256 * 1024;  // the seeder is alone with the file; a big cache saves re-reads
  auto store = OpenSqliteStore(options);
  if (!store.ok()) {
    std::cerr << "seed: cannot open " << options.path << ": " << store.status().message() << "\n";
    return 1;
  }

  SystemClock clock;
  const Date today = clock.Today();
  const auto base_ms = static_cast<uint64_t>(clock.Now().time_since_epoch().count());
  BatchContext ctx;
  ctx.user_id = 0;
  ctx.authority = args.authority;
  ctx.scope = args.authority;
  uint64_t seq = 0;
  int64_t created = 0;
  const auto start = std::chrono::steady_clock::now();
  auto last_report = start;
  std::vector<VaccinationInput> batch;
  batch.reserve(kBatchRecords);

  auto flush = [&]() -> bool {
    if (batch.empty()) return true;
    ctx.at = clock.Now();
    AuditEntry audit;
    audit.at = ctx.at;
    audit.username = "bench-seed";
    audit.action = "vaccination.batch";
    audit.target = "records:" + std::to_string(batch.size());
    audit.detail = "{}";
    audit.authority = ctx.authority;
    auto results = (*store)->RecordVaccinations(batch, ctx, audit);
    if (!results.ok()) {
      std::cerr << "seed: batch failed: " << results.status().message() << "\n";
      return false;
    }
    for (const RecordResult& r : *results) {
      if (r.outcome != RecordOutcome::kCreated) {
        std::cerr << "seed: record " << r.id << " was " << RecordOutcomeName(r.outcome) << ": "
                  << r.reason.message() << "\n";
        return false;
      }
    }
    created += static_cast<int64_t>(results->size());
    batch.clear();
    return true;
  };

  for (int64_t owner = args.journeys_only ? owners : 0; owner < owners; ++owner) {
    for (int k = 0; k < kRecordsPerOwner; ++k) {
      const int animal = k % kAnimalsPerOwner;
      const int disease = k / kAnimalsPerOwner;
      const int days_ago = static_cast<int>(
          Mix(static_cast<uint64_t>(owner) * kRecordsPerOwner + static_cast<uint64_t>(k)) %
          kHistoryDays);
      batch.push_back(
          ToInput(MakeRecord(Uuid7(base_ms, seq++), owner, animal, disease, days_ago), today));
    }
    if (batch.size() >= kBatchRecords && !flush()) return 1;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_report > std::chrono::seconds(10)) {
      last_report = now;
      const double secs = std::chrono::duration<double>(now - start).count();
      std::fprintf(stderr, "seed: %lld / %lld records, %.0f s, %.0f records/s\n",
                   static_cast<long long>(created),
                   static_cast<long long>(owners * kRecordsPerOwner), secs,
                   static_cast<double>(created) / secs);
    }
  }
  if (!flush()) return 1;
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  auto counts = (*store)->Counts();
  if (!counts.ok()) {
    std::cerr << "seed: cannot count: " << counts.status().message() << "\n";
    return 1;
  }
  if (args.journeys_only) {
    if (counts->vaccinations != owners * kRecordsPerOwner) {
      std::cerr << "seed: --journeys-only needs a database of exactly " << owners * kRecordsPerOwner
                << " records; it has " << counts->vaccinations << "\n";
      return 1;
    }
    created = counts->vaccinations;
  }
  std::printf("seeded owners=%lld animals=%lld vaccinations=%lld seconds=%.1f records_per_s=%.0f",
              static_cast<long long>(counts->owners), static_cast<long long>(counts->animals),
              static_cast<long long>(counts->vaccinations), secs,
              static_cast<double>(created) / secs);
  if (args.journeys_only) std::printf(" journeys_only=1");
  if (!args.journeys_dir.empty()) {
    JourneySeeder journeys(**store, args, clock.Now());
    if (journeys.Run(created) != 0) return 1;
  }
  std::printf("\n");
  return 0;
}

}  // namespace
}  // namespace herdpass::bench

int main(int argc, char** argv) {
  herdpass::bench::Args args;
  for (int i = 1; i < argc; ++i) {
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* a = argv[i];
    const char* v = nullptr;
    if (std::strcmp(a, "--schema-version") == 0) {
      std::printf("%d\n", herdpass::SqliteSchemaVersion());
      return 0;
    } else if (std::strcmp(a, "--data") == 0 && (v = value())) {
      args.data_dir = v;
    } else if (std::strcmp(a, "--records") == 0 && (v = value())) {
      args.records = std::atoll(v);
    } else if (std::strcmp(a, "--phones") == 0 && (v = value())) {
      args.phones_file = v;
    } else if (std::strcmp(a, "--authority") == 0 && (v = value())) {
      args.authority = v;
    } else if (std::strcmp(a, "--journeys") == 0 && (v = value())) {
      args.journeys_dir = v;
    } else if (std::strcmp(a, "--movements") == 0 && (v = value())) {
      args.movements = std::atoll(v);
    } else if (std::strcmp(a, "--journeys-only") == 0) {
      args.journeys_only = true;
    } else if (std::strcmp(a, "--threads") == 0 && (v = value())) {
      args.threads = std::atoi(v);
    } else {
      return herdpass::bench::Usage();
    }
  }
  if (args.data_dir.empty() || args.phones_file.empty()) return herdpass::bench::Usage();
  return herdpass::bench::Run(args);
}
