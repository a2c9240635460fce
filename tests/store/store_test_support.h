// Test support for the store suites: temporary directories, one factory per backend, and builders
// of valid inputs. The conformance suite is typed over the factories listed in StoreFactories
// (store_conformance_test.cpp): SQLite, and PostgreSQL on the `postgres` CTest fixture.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "domain/certificate.h"
#include "domain/status.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "tests/support/pg_test_db.h"

namespace herdpass::testing {

// Waits (without sleeping) until `calls` write calls, made after the writer had taken
// `jobs_before` jobs, are taken by the writer or queued behind it. Returns how many got there:
// `calls`, or fewer when 60 s pass (a deadline that only ends a failing run).
inline int64_t AwaitWriterCalls(const Store& store, int64_t jobs_before, int64_t calls) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    const WriterStats s = store.GetWriterStats();
    const int64_t reached = s.jobs - jobs_before + s.queued;
    if (reached == calls || std::chrono::steady_clock::now() > deadline) return reached;
    std::this_thread::yield();
  }
}

// A fresh directory under the test temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::path(::testing::TempDir()) / "herdpass_store_XXXXXX");
    char* made = mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Opens SQLite stores on one database file in a temp directory; Open() again reopens the same data.
class SqliteStoreFactory {
 public:
  Result<std::unique_ptr<Store>> Open() { return OpenSqliteStore(options()); }
  SqliteOptions options() const {
    SqliteOptions o;
    o.path = (dir_.path() / "herdpass.db").string();
    o.readers = 2;
    return o;
  }
  std::string db_path() const { return options().path; }

 private:
  TempDir dir_;
};

// Opens PostgreSQL stores on a database of its own (PgTestDatabase), dropped with the factory;
// Open() again reopens the same data. Without a test server, Open() fails and says why.
class PostgresStoreFactory {
 public:
  Result<std::unique_ptr<Store>> Open() {
    if (!db_.ok()) return Unavailable(db_.error());
    return OpenPostgresStore(options());
  }
  PostgresOptions options() const {
    PostgresOptions o;
    o.conninfo = db_.conninfo();
    o.pool_size = 2;
    return o;
  }
  const PgTestDatabase& db() const { return db_; }

 private:
  PgTestDatabase db_;
};

inline ::testing::AssertionResult HasCode(const Status& s, StatusCode code) {
  if (s.code() == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected " << StatusCodeName(code) << ", got " << s.ToString();
}

// `s` has `code` and names `field` (the field a 400 names).
inline ::testing::AssertionResult HasField(const Status& s, StatusCode code,
                                           const std::string& field) {
  if (s.code() == code && s.field() == field) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected " << StatusCodeName(code) << " naming " << field
                                       << ", got " << s.ToString() << " naming " << s.field();
}

inline Timestamp At(int64_t ms) { return Timestamp(std::chrono::milliseconds(ms)); }
inline Date Day(const char* text) { return Date::Parse(text).value(); }

inline AuditEntry MakeAudit(const std::string& action, int64_t user_id = 7,
                            const std::string& target = "") {
  AuditEntry e;
  e.at = At(1'790'000'000'000);
  e.user_id = user_id;
  e.username = "user" + std::to_string(user_id);
  e.action = action;
  e.target = target;
  e.detail = "{}";
  e.address = "10.0.0.1";
  return e;
}

// A canonical UUID whose last 12 hex digits are `n`.
inline std::string Uuid(int64_t n) {
  char buf[64];
  snprintf(buf, sizeof buf, "0190a1b2-c3d4-7e5f-8a6b-%012llx", static_cast<unsigned long long>(n));
  return buf;
}

inline std::string Phone(int64_t n) { return "+7701" + std::to_string(1000000 + n); }
inline std::string Tag(int64_t n) {
  std::string digits = std::to_string(n);
  return "398" + std::string(12 - digits.size(), '0') + digits;
}

inline VaccinationInput MakeRecord(int64_t n, const std::string& phone,
                                   std::vector<std::string> tags = {}) {
  VaccinationInput v;
  v.id = Uuid(n);
  v.owner_phone = phone;
  v.owner_name = "Owner of " + phone;
  v.animal_tags = std::move(tags);
  v.species = "cattle";
  v.head_count = v.animal_tags.empty() ? 5 : 0;
  v.disease = "FMD-O";
  v.vaccine = "FMD-OA-INACT";
  v.batch_no = "B-2026-" + std::to_string(n);
  v.dose_ml = 2.0;
  v.administered_on = Day("2026-05-10");
  v.lat = 43.25;
  v.lon = 76.95;
  v.device_id = "phone-1";
  return v;
}

// MakeRecord given on `day` (YYYY-MM-DD).
inline VaccinationInput MakeRecordOn(int64_t n, const std::string& phone, const char* day) {
  VaccinationInput v = MakeRecord(n, phone);
  v.administered_on = Day(day);
  return v;
}

// A certificate numbered after `n` for `animal_ids` of `owner_id`, whose tagged animals carry
// `tags`; every other field filled with a distinct value, so that a round trip checks them all.
inline Certificate MakeCertificate(int64_t n, int64_t owner_id, std::vector<int64_t> animal_ids,
                                   std::vector<std::string> tags) {
  static constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string suffix(8, 'A');
  for (int i = 0; i < 8; ++i) suffix[7 - i] = kBase32[(n >> (5 * i)) & 31];
  Certificate c;
  c.id = Uuid(0xce0000 + n);
  c.number = "KZ-ABY-01-20260601-" + suffix;
  c.authority = "KZ-ABY-01";
  c.kid = "0123456789abcdef";
  c.owner_id = owner_id;
  c.species = "sheep";
  c.head_count = 32;
  c.animal_ids = std::move(animal_ids);
  c.tags = std::move(tags);
  c.purpose = Purpose::kSale;
  c.origin = "KZ-ABY-01";
  c.origin_place = "Kokpekty, farm 3";
  c.destination = "KZ-ALA";
  c.destination_place = "Almaty meat plant";
  c.transport = "KZ 123 ABC 05";
  c.issued_at = At(1'790'000'000'000 + n);
  c.valid_until = c.issued_at + std::chrono::hours(72);
  c.vaccinations = {{Uuid(1000 + n), "PPR", Day("2025-09-15"), "PPR-2025-7"},
                    {Uuid(2000 + n), "FMD-O", Day("2026-03-01"), "FMD-2026-1"}};
  c.vet_id = 3;
  c.vet_name = "Dr. Aliya Sapar";
  c.owner_masked_name = "A****** N*********";
  c.owner_phone_last4 = "4650";
  c.hp1 = "HP1:NCFOXN%TS3DH" + suffix;
  return c;
}

// A holding of KZ-ABY-01 at 48.1 N 80.1 E, open since 2020-05-01, named after its code.
inline Holding MakeHolding(const std::string& code, HoldingKind kind) {
  Holding h;
  h.code = code;
  h.kind = kind;
  h.name = code;
  h.authority = "KZ-ABY-01";
  h.lat = 48.1;
  h.lon = 80.1;
  h.opened_on = Day("2020-05-01");
  h.created_at = At(7000);
  return h;
}

// A trace forward from `holding` to `depth` hops over every time.
inline TraceQuery TraceForwardFrom(int64_t holding, int depth) {
  TraceQuery q;
  q.holding_id = holding;
  q.from = At(0);
  q.to = At(4'000'000'000'000);
  q.depth = depth;
  q.forward = true;
  return q;
}

inline SigningKey MakeKey(const std::string& kid, const std::string& source = "local",
                          int64_t valid_from_ms = 1000) {
  SigningKey k;
  k.kid = kid;
  k.authority = "KZ-ABY-01";
  k.country = "KZ";
  k.public_key = "pub-" + kid;
  k.valid_from = At(valid_from_ms);
  k.valid_until = At(valid_from_ms + 1'000'000);
  k.source = source;
  return k;
}

inline BatchContext MakeContext(const std::string& scope = "KZ-ABY") {
  BatchContext c;
  c.user_id = 7;
  c.authority = "KZ-ABY-01";
  c.scope = scope;
  c.at = At(1'790'000'000'000);
  return c;
}

}  // namespace herdpass::testing
