// Seeds a HerdPass database with synthetic owners for the benchmarks (bench/run.sh).
//
// Writes through Store::RecordVaccinations, in batches of 1,000 records, on the data directory's
// database (created by `herdpass init`): the same code path as W1 minus HTTP and validation, which
// are not what seeding measures. Owner i has 10 cattle (tags from bench/workload.h) and 50
// vaccination records spread over the last three years. Also writes the owners' phone numbers, in
// the local form an inspector types ("8 701 ..." without spaces), one a line, for the W2 load.
//
//   seed --data DIR --records N --phones FILE [--authority KZ-ABY]
//   seed --schema-version        prints the schema version this build writes
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "bench/workload.h"
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
};

int Usage() {
  std::cerr << "usage: seed --data DIR --records N --phones FILE [--authority CODE]\n"
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
  options.readers = 1;
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

  for (int64_t owner = 0; owner < owners; ++owner) {
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
  std::printf("seeded owners=%lld animals=%lld vaccinations=%lld seconds=%.1f records_per_s=%.0f\n",
              static_cast<long long>(counts->owners), static_cast<long long>(counts->animals),
              static_cast<long long>(counts->vaccinations), secs,
              static_cast<double>(created) / secs);
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
    } else {
      return herdpass::bench::Usage();
    }
  }
  if (args.data_dir.empty() || args.phones_file.empty()) return herdpass::bench::Usage();
  return herdpass::bench::Run(args);
}
