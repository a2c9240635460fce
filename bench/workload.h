// The synthetic herd data shared by the benchmark programs: the seeder (bench/seed.cpp), the HTTP
// load client (bench/load_client.cpp) and the raw SQLite reference (bench/raw_sqlite_bench.cpp) all
// make their owners, ear tags, record ids and vaccination fields here, so that HerdPass and the
// reference store the same records.
//
// Everything is a pure function of its arguments (deterministic for a given index), so two programs
// agree on, say, owner 123's phone number without sharing a file. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>

namespace herdpass::bench {

// Owners of the seeded database are 0 .. owners-1. The W1 benchmarks write into a fresh data
// directory with their own pool of owners starting here, so their phones never meet seeded ones.
inline constexpr int64_t kW1OwnerBase = 9'000'000;

// The owners of the journeys data (bench/seed.cpp, BENCH_ONLY=journeys): holdings, movements,
// sales, passages and tag events. They start here, above every seeded W2 owner, and are never in
// the W2 phone list, so that the W2 benchmarks read the same owners as before. Sub-ranges:
inline constexpr int64_t kJourneyOwnerBase = 5'000'000;
inline constexpr int64_t kTravellerOwners = kJourneyOwnerBase;          // cattle on the move
inline constexpr int64_t kSellerOwners = kJourneyOwnerBase + 100'000;   // sold to the buyers
inline constexpr int64_t kBuyerOwners = kJourneyOwnerBase + 200'000;    // bought from 3 each
inline constexpr int64_t kPoolOwners = kJourneyOwnerBase + 300'000;     // the arrival pool
inline constexpr int64_t kFlockOwners = kJourneyOwnerBase + 1'000'000;  // the bulk movements

inline constexpr int kAnimalsPerOwner = 10;
inline constexpr int kRecordsPerOwner = 50;  // 10 animals x 5 diseases, all within the last 3 years
inline constexpr int kHistoryDays = 3 * 365 - 5;

// Kazakhstan mobile prefixes (after +7) that libphonenumber accepts as KZ mobile numbers.
inline constexpr std::array<int, 9> kKzMobilePrefixes = {701, 702, 705, 707, 747,
                                                         771, 775, 777, 778};

// E.164 phone of owner `i` (0 <= i < 9e7). Distinct owners get distinct numbers: the prefix is
// i mod 9 and the 7-digit subscriber number is a bijection of i / 9 modulo 10^7.
inline std::string OwnerPhone(int64_t i) {
  const int prefix = kKzMobilePrefixes[static_cast<size_t>(i % 9)];
  const int64_t subscriber = ((i / 9) * 7919 + 1'234'567) % 10'000'000;
  char buf[24];
  std::snprintf(buf, sizeof buf, "+7%d%07lld", prefix, static_cast<long long>(subscriber));
  return buf;
}

inline std::string OwnerName(int64_t i) { return "Bench Owner " + std::to_string(i); }

// 15-digit ISO 11784 tag of animal `a` of owner `i`: country code 398 (Kazakhstan), then a
// 12-digit national number.
inline std::string AnimalTag(int64_t owner, int animal) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "398%012lld",
                static_cast<long long>(owner * kAnimalsPerOwner + animal));
  return buf;
}

// Cattle vaccinations that the default catalogue accepts (disease, vaccine product).
struct DiseaseVaccine {
  const char* disease;
  const char* vaccine;
};
inline constexpr std::array<DiseaseVaccine, 5> kCattleVaccinations = {{
    {"FMD-O", "FMD-O-INACT"},
    {"FMD-A", "FMD-OA-INACT"},
    {"ANTHRAX", "ANTHRAX-SPORE"},
    {"BRUCELLOSIS", "BRU-A19"},
    {"LSD", "LSD-NEETHLING"},
}};

// SplitMix64: a small, fast, well-mixed generator; the data only needs to look random.
inline uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A time-ordered UUIDv7 (RFC 9562), as the phone app makes them: 48-bit milliseconds, then a
// sequence number in the 12 "rand_a" bits and the low random bits, so ids made in order sort in
// order. `seq` must be unique per `base_ms`.
inline std::string Uuid7(uint64_t base_ms, uint64_t seq) {
  const uint64_t ms = base_ms + (seq >> 12);
  const uint64_t rand_a = seq & 0xfff;
  const uint64_t rand_b = Mix(seq) >> 2;  // 62 bits
  std::array<uint8_t, 16> b{};
  for (int k = 0; k < 6; ++k) b[static_cast<size_t>(k)] = static_cast<uint8_t>(ms >> (40 - 8 * k));
  b[6] = static_cast<uint8_t>(0x70 | (rand_a >> 8));
  b[7] = static_cast<uint8_t>(rand_a);
  b[8] = static_cast<uint8_t>(0x80 | ((rand_b >> 56) & 0x3f));
  for (int k = 9; k < 16; ++k)
    b[static_cast<size_t>(k)] = static_cast<uint8_t>(rand_b >> (8 * (15 - k)));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t k = 0; k < 16; ++k) {
    if (k == 4 || k == 6 || k == 8 || k == 10) out.push_back('-');
    out.push_back(kHex[b[k] >> 4]);
    out.push_back(kHex[b[k] & 0xf]);
  }
  return out;
}

// The 16 bytes of a canonical UUID string (REQUIRES: `uuid` is canonical, as Uuid7 makes them).
inline std::string UuidBytes(const std::string& uuid) {
  std::string out;
  out.reserve(16);
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t k = 0; k + 1 < uuid.size(); ++k) {
    if (uuid[k] == '-') continue;
    out.push_back(static_cast<char>(nibble(uuid[k]) << 4 | nibble(uuid[k + 1])));
    ++k;
  }
  return out;
}

// One W1 record in wire terms. Made by MakeRecord from (owner, animal, disease index, age in days).
struct BenchRecord {
  std::string id;
  int64_t owner = 0;
  std::string owner_phone;
  std::string owner_name;
  std::string tag;
  const char* species = "cattle";
  const char* disease = "";
  const char* vaccine = "";
  std::string batch_no;
  double dose_ml = 2.0;
  int days_ago = 0;  // administered_on = today - days_ago
  double lat = 0;
  double lon = 0;
  std::string device_id;
};

inline BenchRecord MakeRecord(std::string id, int64_t owner, int animal, int disease,
                              int days_ago) {
  BenchRecord r;
  r.id = std::move(id);
  r.owner = owner;
  r.owner_phone = OwnerPhone(owner);
  r.owner_name = OwnerName(owner);
  r.tag = AnimalTag(owner, animal);
  const DiseaseVaccine& dv = kCattleVaccinations[static_cast<size_t>(disease) % 5];
  r.disease = dv.disease;
  r.vaccine = dv.vaccine;
  char batch[16];
  std::snprintf(batch, sizeof batch, "KZ%06d",
                static_cast<int>(Mix(static_cast<uint64_t>(owner)) % 1000000));
  r.batch_no = batch;
  r.days_ago = days_ago;
  // Somewhere in the Abay region: 47-50 N, 77-83 E.
  const uint64_t h = Mix(static_cast<uint64_t>(owner) * 31 + static_cast<uint64_t>(animal));
  r.lat = 47.0 + static_cast<double>(h % 300000) / 100000.0;
  r.lon = 77.0 + static_cast<double>((h >> 20) % 600000) / 100000.0;
  r.device_id = "odk-" + std::to_string(owner % 997);
  return r;
}

}  // namespace herdpass::bench
