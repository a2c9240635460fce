// Certificate benchmarks (DESIGN.md section 10), each against its libsodium reference measured in
// the same run, on the same machine:
//
//   W3 issuance: HerdService::IssueCertificate (validation, movement rules over the owner's
//      records, Ed25519 signature, CBOR/zlib/base45, durable insert with its audit row), from
//      `--threads` concurrent issuers, against raw crypto_sign_detached on one core.
//   W4 verification: cert::VerifyHp1 of one HP1 string (prefix, base45, inflate, COSE, CWT, trust
//      list lookup, signature, validity, revocation list of `--revoked` ids) on one core, against
//      raw crypto_sign_verify_detached on one core.
//
//   With --zones N (issue 13): W3 issuance with N zones in force against none, from an origin
//      holding outside every zone (so that each zone is judged by its distance), the two
//      alternating in four runs of S/2 seconds (none, N, none, N): issue_per_s is then the rate
//      with none and issue_zones_per_s the rate with N.
//
// Prints "HP_RESULT key=value ..." lines for bench/run.sh.
//
//   cert_bench --data DIR [--seconds S] [--threads N] [--owners N] [--revoked N] [--zones N]
#include <sodium.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "bench/workload.h"
#include "cert/documents.h"
#include "cert/hp1.h"
#include "domain/catalogue.h"
#include "domain/holding.h"
#include "domain/outbreak.h"
#include "domain/time.h"
#include "service/service.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace herdpass::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string data_dir;
  double seconds = 10;
  int threads = 16;
  int owners = 2000;
  int revoked = 1000;
  int zones = 0;
};

int Usage() {
  std::cerr << "usage: cert_bench --data DIR [--seconds S] [--threads N] [--owners N] "
               "[--revoked N] [--zones N]\n";
  return 2;
}

double Elapsed(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs `op` on one thread for `seconds`; returns operations per second.
template <typename Op>
double PerSecondOneCore(double seconds, Op op) {
  int64_t n = 0;
  auto start = Clock::now();
  while (true) {
    for (int k = 0; k < 64; ++k) op();
    n += 64;
    if (Elapsed(start) >= seconds) break;
  }
  return static_cast<double>(n) / Elapsed(start);
}

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::cerr << "cert_bench: " << what << ": " << s.ToString() << "\n";
  std::exit(1);
}

// Owners with two cattle each, vaccinated against FMD O and A 30 days ago: they meet the slaughter
// rules, so every issuance passes and signs.
void SeedOwners(Store& store, int owners) {
  constexpr int kPerBatch = 500;
  const Date today = Date::Of(SystemClock().Now());
  std::vector<VaccinationInput> batch;
  BatchContext ctx;
  ctx.authority = "KZ-ABY";
  ctx.scope = "KZ-ABY";
  ctx.unrestricted = true;
  uint64_t seq = 0;
  const uint64_t base_ms = 1'700'000'000'000ULL;
  for (int i = 0; i < owners; ++i) {
    VaccinationInput in;
    in.id = Uuid7(base_ms, seq++);
    in.owner_phone = OwnerPhone(kW1OwnerBase + i);
    in.owner_name = OwnerName(i);
    in.animal_tags = {AnimalTag(kW1OwnerBase + i, 0), AnimalTag(kW1OwnerBase + i, 1)};
    in.species = "cattle";
    in.head_count = 2;
    in.disease = "FMD-O";
    in.vaccine = "FMD-OA-INACT";
    in.batch_no = "KZ-FMD-2026-01";
    in.administered_on = today.AddDays(-30);
    batch.push_back(std::move(in));
    if (static_cast<int>(batch.size()) == kPerBatch || i + 1 == owners) {
      ctx.at = SystemClock().Now();
      AuditEntry audit;
      audit.at = ctx.at;
      audit.username = "bench";
      audit.action = "vaccination.batch";
      auto r = store.RecordVaccinations(batch, ctx, audit);
      if (!r.ok()) Die("seeding", r.status());
      for (const auto& rr : r.value()) {
        if (rr.outcome != RecordOutcome::kCreated) Die("seeding " + rr.id, rr.reason);
      }
      batch.clear();
    }
  }
}

int Run(const Args& args) {
  if (sodium_init() < 0) return 1;
  namespace fs = std::filesystem;
  fs::create_directories(args.data_dir);

  // --- references: raw libsodium on one core ---
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  std::vector<unsigned char> message(300, 'x');  // about the size of an HP1 Sig_structure
  unsigned char sig[crypto_sign_BYTES];
  const double raw_signs = PerSecondOneCore(3, [&] {
    crypto_sign_detached(sig, nullptr, message.data(), message.size(), sk);
    message[0]++;
  });
  crypto_sign_detached(sig, nullptr, message.data(), message.size(), sk);
  const double raw_verifies = PerSecondOneCore(3, [&] {
    if (crypto_sign_verify_detached(sig, message.data(), message.size(), pk) != 0) std::abort();
  });

  // --- a node: store, service, keys, owners ---
  SqliteOptions options;
  options.path = (fs::path(args.data_dir) / "herdpass.db").string();
  auto opened = OpenSqliteStore(options);
  if (!opened.ok()) Die("opening the store", opened.status());
  Store& store = *opened.value();
  SystemClock clock;
  ServiceConfig config;
  config.key_dir = (fs::path(args.data_dir) / "keys").string();
  // Issuance counts as a phone lookup (its answer tells whose a number is); the benchmark measures
  // issuance, not that limit, as the server benchmarks run with --lookups-per-minute 0.
  config.lookups_per_minute = 0;
  HerdService service(store, clock, DefaultCatalogue(), config);
  const Caller system = HerdService::SystemCaller();
  if (auto k = service.NewSigningKey(system, "KZ", true, 3650); !k.ok())
    Die("root key", k.status());
  if (auto k = service.NewSigningKey(system, "KZ-ABY", false, 730); !k.ok()) {
    Die("signing key", k.status());
  }
  auto vet =
      service.AddUser(system, "bench-vet", "bench-password-0123456789", Role::kVet, "KZ-ABY");
  if (!vet.ok()) Die("vet user", vet.status());
  SeedOwners(store, args.owners);

  Caller caller;
  caller.user_id = vet.value().id;
  caller.username = vet.value().username;
  caller.role = Role::kVet;
  caller.authority = "KZ-ABY";
  caller.address = "127.0.0.1";

  // --- W3 issuance from concurrent issuers ---
  std::optional<int64_t> origin_holding;
  AuditEntry audit;
  audit.at = clock.Now();
  audit.username = "bench";
  audit.action = "bench";
  if (args.zones > 0) {
    Holding farm;
    farm.code = "F-BENCH";
    farm.kind = HoldingKind::kFarm;
    farm.name = "bench farm";
    farm.authority = "KZ-ABY";
    farm.lat = 47.5;
    farm.lon = 78.5;
    farm.opened_on = clock.Today().AddDays(-1000);
    farm.created_at = clock.Now();
    auto made = store.CreateHolding(farm, audit);
    if (!made.ok()) Die("origin holding", made.status());
    origin_holding = made->id;
  }
  std::atomic<int64_t> issued{0};
  std::atomic<int64_t> failed{0};
  std::atomic<bool> stop{false};
  std::string sample_hp1;
  std::mutex sample_mu;
  auto issuer = [&](int t) {
    int64_t i = t;
    while (!stop.load(std::memory_order_relaxed)) {
      const int64_t owner = i % args.owners;
      i += args.threads;
      CertificateRequest req;
      req.owner_phone = OwnerPhone(kW1OwnerBase + owner);
      req.animal_tags = {AnimalTag(kW1OwnerBase + owner, 0), AnimalTag(kW1OwnerBase + owner, 1)};
      req.species = "cattle";
      req.purpose = "slaughter";
      req.destination = "KZ-ABY";
      req.destination_place = "Ayagoz meat plant";
      req.transport = "truck 123 ABC 05";
      req.origin_holding = origin_holding;
      auto c = service.IssueCertificate(caller, req);
      if (!c.ok()) {
        if (failed.fetch_add(1) == 0)
          std::cerr << "cert_bench: issue: " << c.status().ToString() << "\n";
        continue;
      }
      if (issued.fetch_add(1) == 0) {
        std::lock_guard lock(sample_mu);
        sample_hp1 = c.value().hp1;
      }
    }
  };
  // One run of `seconds` from --threads issuers: adds what it issued and its time.
  auto run = [&](double seconds, int64_t& count, double& elapsed) {
    const int64_t before = issued.load();
    stop = false;
    auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < args.threads; ++t) threads.emplace_back(issuer, t);
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& th : threads) th.join();
    elapsed += Elapsed(start);
    count += issued.load() - before;
  };
  int64_t plain_count = 0, zoned_count = 0;
  double plain_seconds = 0, zoned_seconds = 0;
  std::vector<int64_t> zone_ids;
  // N zones in force for cattle, 3 and 10 km around points some 700 km from the origin holding.
  auto declare = [&] {
    for (int z = 0; z < args.zones; ++z) {
      Zone zone;
      zone.disease = "FMD-O";
      zone.lat = 42.0 + 0.05 * z;
      zone.lon = 70.0;
      zone.protection_km = 3;
      zone.surveillance_km = 10;
      zone.species = {"cattle", "sheep"};
      zone.starts_on = clock.Today().AddDays(-1);
      zone.ends_on = clock.Today().AddDays(30);
      zone.authority = "KZ-ABY";
      zone.declared_by = caller.user_id;
      zone.declared_at = clock.Now();
      auto made = store.CreateZone(zone, audit);
      if (!made.ok()) Die("zone", made.status());
      zone_ids.push_back(made->id);
    }
  };
  if (args.zones == 0) {
    run(args.seconds, plain_count, plain_seconds);
  } else {
    for (int round = 0; round < 2; ++round) {
      run(args.seconds / 4, plain_count, plain_seconds);
      declare();
      auto in_force = store.ListZonesInForce(clock.Today());
      if (!in_force.ok()) Die("zones in force", in_force.status());
      if (static_cast<int>(in_force->size()) != args.zones) {
        std::cerr << "cert_bench: " << in_force->size() << " zones in force, not " << args.zones
                  << "\n";
        return 1;
      }
      run(args.seconds / 4, zoned_count, zoned_seconds);
      for (int64_t id : zone_ids) {
        auto lifted = store.LiftZone(id, caller.user_id, clock.Now(), "bench", audit);
        if (!lifted.ok()) Die("lift zone", lifted.status());
      }
      zone_ids.clear();
    }
  }
  const double issue_seconds = plain_seconds;
  const double issue_rate = static_cast<double>(plain_count) / issue_seconds;
  if (issued.load() == 0) {
    std::cerr << "cert_bench: no certificate was issued\n";
    return 1;
  }
  if (args.zones > 0) {
    std::printf(
        "HP_RESULT zones=%d issued_zones=%lld issue_zones_seconds=%.2f "
        "issue_zones_per_s=%.0f\n",
        args.zones, static_cast<long long>(zoned_count), zoned_seconds,
        static_cast<double>(zoned_count) / zoned_seconds);
  }

  // --- W4 verification of one HP1 string on one core ---
  auto keys = store.ListSigningKeys();
  if (!keys.ok()) Die("keys", keys.status());
  std::vector<SigningKey> signing;
  for (const auto& k : keys.value()) {
    if (!k.root) signing.push_back(k);
  }
  // A trust list of realistic size: the node's key plus 19 other authorities' keys.
  for (int i = 0; i < 19; ++i) {
    auto other = cert::Ed25519Signer::Generate();
    SigningKey k = signing.front();
    k.kid = other.kid_hex();
    k.authority = "KZ-R" + std::to_string(i);
    k.public_key = std::string(sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(k.public_key.data(), k.public_key.size(), other.public_key().data(), 32,
                      sodium_base64_VARIANT_ORIGINAL);
    k.public_key.resize(std::strlen(k.public_key.c_str()));
    signing.push_back(k);
  }
  auto trusted = cert::ToTrustedKeys(signing);
  if (!trusted.ok()) Die("trusted keys", trusted.status());
  cert::VerifyInput input;
  input.keys = trusted.value();
  input.now = clock.Now();
  // A revocation list of --revoked ids, held as a verifier holding a long list would: a hash set.
  std::unordered_set<std::string> revoked;
  for (int i = 0; i < args.revoked; ++i) revoked.insert(Uuid7(1'600'000'000'000ULL, i));
  input.revoked_set = &revoked;
  auto check = cert::VerifyHp1(sample_hp1, input);
  if (!check.valid) {
    std::cerr << "cert_bench: the sample certificate does not verify: " << check.status;
    for (const auto& r : check.reasons) std::cerr << "; " << r.code << ": " << r.message;
    std::cerr << "\n";
    return 1;
  }
  const double verify_rate = PerSecondOneCore(3, [&] {
    if (!cert::VerifyHp1(sample_hp1, input).valid) std::abort();
  });

  std::printf(
      "HP_RESULT raw_signs_per_s=%.0f raw_verifies_per_s=%.0f issued=%lld issue_failed=%lld "
      "issue_seconds=%.2f issue_per_s=%.0f issue_threads=%d verify_per_s=%.0f hp1_chars=%zu "
      "revoked=%d trusted_keys=%zu\n",
      raw_signs, raw_verifies, static_cast<long long>(plain_count),
      static_cast<long long>(failed.load()), issue_seconds, issue_rate, args.threads, verify_rate,
      sample_hp1.size(), args.revoked, input.keys.size());
  return 0;
}

}  // namespace
}  // namespace herdpass::bench

int main(int argc, char** argv) {
  herdpass::bench::Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--data" && (v = next())) {
      args.data_dir = v;
    } else if (a == "--seconds" && (v = next())) {
      args.seconds = std::atof(v);
    } else if (a == "--threads" && (v = next())) {
      args.threads = std::atoi(v);
    } else if (a == "--owners" && (v = next())) {
      args.owners = std::atoi(v);
    } else if (a == "--revoked" && (v = next())) {
      args.revoked = std::atoi(v);
    } else if (a == "--zones" && (v = next())) {
      args.zones = std::atoi(v);
    } else {
      return herdpass::bench::Usage();
    }
  }
  if (args.data_dir.empty() || args.threads < 1 || args.owners < 1 || args.seconds <= 0) {
    return herdpass::bench::Usage();
  }
  return herdpass::bench::Run(args);
}
