// The raw SQLite references of bench/run.sh (leveldb's db_bench_sqlite3 in spirit): what SQLite
// alone does with the same records and the same schema, with nothing of HerdPass around it.
//
//   raw_sqlite_bench insert --db NEW.db --schema-from HERDPASS.db [--txn 500] [--seconds 10]
//       Inserts W1 records (bench/workload.h, the same generator as the HTTP load) into the
//       vaccinations and vaccination_ids tables, in transactions of --txn records, WAL +
//       synchronous=FULL. The DDL is copied from a database that HerdPass's own migrations made,
//       so the reference follows the real layout.
//   raw_sqlite_bench lookup --db HERDPASS.db --phones FILE [--seconds 5]
//       W2's reads as point queries on one connection: owner by phone, the owner's animals, the
//       owner's vaccinations of the last three years (every column read).
//   raw_sqlite_bench timeline --db HERDPASS.db --tags FILE [--seconds 10]
//       An animal's timeline (W12): the SELECTs the SQLite store runs for one, with the SQL of
//       store/sqlite/queries.h, for a random tag of the list.
//   raw_sqlite_bench arrival --db HERDPASS.db --arrivals FILE [--seconds 15]
//       Arrivals of planned certificates (W13): the store's writes of one arrival, one durable
//       transaction each, for each line of the pool until it or the time runs out.
//   raw_sqlite_bench trace --db HERDPASS.db --holdings FILE --from-ms MS --to-ms MS [--depth 2]
//       [--seconds 10]
//       A trace forward (W14, issue 13): the store's recursive walk (SelectTraceWalk of
//       store/sqlite/queries.h) from a random holding of the list over [from, to), every column
//       of every row read, each in its own read transaction.
//
//   raw_sqlite_bench ring --db HERDPASS.db --lat LAT --lon LON --radius-km KM --day DAYS
//       [--seconds 10]
//       The ring list of a zone of radii (W14, issue 13 item 4): the store's statements (Ring
//       below).
//   raw_sqlite_bench reminders --db HERDPASS.db [--runs 3]
//       W15's reminder selection (issue 15): the store's one statement (SelectReminderRows of
//       store/sqlite/queries.h) as the SQLite store binds it for today (doses from the
//       catalogue's longest immunity period back, no reminder in the last 7 days), every column
//       of every row read, in one read transaction; the best of --runs.
//
//   raw_sqlite_bench pg-trace-sql
//       Prints the PostgreSQL store's trace query (store/postgres/queries.h SelectTraceWalk) for
//       pgbench, its parameters named :holding :animal :from_ms :to_ms :depth :forward :backward
//       (bench/pg_trace.sh, the PostgreSQL reference of the trace).
//
//   --threads N (timeline, trace, ring; default 1)
//       N threads run the same loop at once, each with its own read-only connection and its own
//       statements, for --seconds: N operations always in flight, as N closed-loop HTTP clients
//       keep N requests in flight (bench/run.sh runs 32 against wrk's 32 connections). The rate is
//       over all threads; p50 and p99 over every operation of every thread, each timed from the
//       end of its thread's previous one (so at N > cores they include the wait for a core).
//
// Prints one line "HP_RESULT key=value ...". The other modes are single-threaded.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <latch>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/workload.h"
// The catalogue's immunity periods (reference data) set how far back the selection reads doses.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#include "domain/catalogue.h"
#pragma GCC diagnostic pop
#include "store/postgres/queries.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/id_list.h"
#include "store/sqlite/queries.h"

namespace herdpass::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string mode;
  std::string db;
  std::string schema_from;
  std::string phones;
  std::string tags;      // timeline: one ear tag a line
  std::string arrivals;  // arrival: one "certificate_id holding_id head" a line
  std::string holdings;  // trace: one holding id a line
  double lat = 0;        // ring: the zone's centre, radius and day (days since 1970-01-01)
  double lon = 0;
  double radius_km = 0;
  int64_t day = 0;
  int64_t from_ms = 0;  // trace: the window [from_ms, to_ms)
  int64_t to_ms = 0;
  int depth = 2;
  int runs = 3;  // reminders: the best of this many
  int txn = 500;
  int pool_owners = 1000;
  double seconds = 10;
  int threads = 1;  // timeline, trace, ring: threads, each with its own connection
};

[[noreturn]] void Die(sqlite3* db, const char* what) {
  std::fprintf(stderr, "raw_sqlite_bench: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
  std::exit(1);
}

void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "raw_sqlite_bench: %s: %s\n", sql.c_str(), err ? err : "");
    std::exit(1);
  }
}

sqlite3_stmt* Prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK) {
    Die(db, sql);
  }
  return st;
}

// The CREATE statements of the vaccination tables (and their indexes) of a HerdPass database.
std::vector<std::string> VaccinationDdl(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    Die(db, "open --schema-from");
  }
  sqlite3_stmt* st = Prepare(db,
                             "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN "
                             "('vaccinations', 'vaccination_ids') ORDER BY type DESC, name");
  std::vector<std::string> ddl;
  while (sqlite3_step(st) == SQLITE_ROW) {
    ddl.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  if (ddl.size() < 2) {
    std::fprintf(stderr, "raw_sqlite_bench: %s has no vaccination tables\n", path.c_str());
    std::exit(1);
  }
  return ddl;
}

// The bytes of every column of the current row, each read as a real reader would.
size_t RowBytes(sqlite3_stmt* st) {
  size_t bytes = 0;
  for (int c = 0; c < sqlite3_column_count(st); ++c) {
    if (sqlite3_column_blob(st, c) != nullptr) {
      bytes += static_cast<size_t>(sqlite3_column_bytes(st, c));
    }
  }
  return bytes;
}

// One animal id as the store encodes a list of them: LEB128 varints.
std::string EncodeId(int64_t id) {
  std::string out;
  auto v = static_cast<uint64_t>(id);
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    if (v != 0) byte |= 0x80;
    out.push_back(static_cast<char>(byte));
  } while (v != 0);
  return out;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(k), v.end());
  return v[k];
}

int Insert(const Args& args) {
  const auto ddl = VaccinationDdl(args.schema_from);
  std::remove(args.db.c_str());
  std::remove((args.db + "-wal").c_str());
  std::remove((args.db + "-shm").c_str());
  sqlite3* db = nullptr;
  if (sqlite3_open(args.db.c_str(), &db) != SQLITE_OK) Die(db, "open --db");
  Exec(db, "PRAGMA journal_mode=WAL");
  Exec(db, "PRAGMA synchronous=FULL");
  for (const std::string& sql : ddl) Exec(db, sql);

  sqlite3_stmt* ins = Prepare(
      db,
      "INSERT INTO vaccinations(owner_id, administered_on, id, animal_ids, species, head_count, "
      "disease, vaccine, batch_no, dose_ml, lat, lon, device_id, recorded_by, recorded_at, "
      "authority, corrects) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
      "?15, ?16, ?17)");
  sqlite3_stmt* ins_id =
      Prepare(db, "INSERT INTO vaccination_ids(id, owner_id, administered_on) VALUES(?1, ?2, ?3)");

  const auto now_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  const auto today = static_cast<int64_t>(now_ms / 86'400'000);
  std::mt19937_64 rng(42);
  uint64_t seq = 0;
  int64_t records = 0;
  int64_t txns = 0;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(args.seconds);
  while (Clock::now() < deadline) {
    Exec(db, "BEGIN IMMEDIATE");
    for (int k = 0; k < args.txn; ++k) {
      // The same draw as the HTTP load: a pool owner, one of its animals, a disease, a recent day.
      const auto pool_owner = static_cast<int64_t>(rng() % static_cast<uint64_t>(args.pool_owners));
      const int animal = static_cast<int>(rng() % kAnimalsPerOwner);
      const int disease = static_cast<int>(rng() % 5);
      const int days_ago = static_cast<int>(rng() % 30);
      const BenchRecord r =
          MakeRecord(Uuid7(now_ms, seq++), kW1OwnerBase + pool_owner, animal, disease, days_ago);
      const std::string id = UuidBytes(r.id);
      const std::string animal_ids = EncodeId(pool_owner * kAnimalsPerOwner + animal + 1);
      const int64_t owner_id = pool_owner + 1;
      const int64_t day = today - r.days_ago;
      sqlite3_bind_int64(ins, 1, owner_id);
      sqlite3_bind_int64(ins, 2, day);
      sqlite3_bind_blob(ins, 3, id.data(), 16, SQLITE_TRANSIENT);
      sqlite3_bind_blob(ins, 4, animal_ids.data(), static_cast<int>(animal_ids.size()),
                        SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 5, r.species, -1, SQLITE_STATIC);
      sqlite3_bind_int(ins, 6, 1);
      sqlite3_bind_text(ins, 7, r.disease, -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 8, r.vaccine, -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 9, r.batch_no.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_double(ins, 10, r.dose_ml);
      sqlite3_bind_double(ins, 11, r.lat);
      sqlite3_bind_double(ins, 12, r.lon);
      sqlite3_bind_text(ins, 13, r.device_id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(ins, 14, 2);
      sqlite3_bind_int64(ins, 15, static_cast<int64_t>(now_ms));
      sqlite3_bind_text(ins, 16, "KZ-ABY", -1, SQLITE_STATIC);
      sqlite3_bind_null(ins, 17);
      if (sqlite3_step(ins) != SQLITE_DONE) Die(db, "insert vaccination");
      sqlite3_reset(ins);
      sqlite3_bind_blob(ins_id, 1, id.data(), 16, SQLITE_TRANSIENT);
      sqlite3_bind_int64(ins_id, 2, owner_id);
      sqlite3_bind_int64(ins_id, 3, day);
      if (sqlite3_step(ins_id) != SQLITE_DONE) Die(db, "insert vaccination id");
      sqlite3_reset(ins_id);
    }
    Exec(db, "COMMIT");
    records += args.txn;
    ++txns;
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  sqlite3_finalize(ins);
  sqlite3_finalize(ins_id);
  sqlite3_close(db);
  std::printf("HP_RESULT records=%lld txns=%lld seconds=%.2f records_per_s=%.0f\n",
              static_cast<long long>(records), static_cast<long long>(txns), secs,
              static_cast<double>(records) / secs);
  return 0;
}

int Lookup(const Args& args) {
  std::vector<std::string> phones;
  {
    std::ifstream in(args.phones);
    // The list holds local forms ("8701..."); the database holds E.164 ("+7701...").
    for (std::string line; std::getline(in, line);) {
      if (line.size() == 11) phones.push_back("+7" + line.substr(1));
    }
  }
  if (phones.empty()) {
    std::fprintf(stderr, "raw_sqlite_bench: no phones in %s\n", args.phones.c_str());
    return 1;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(args.db.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    Die(db, "open --db");
  }
  sqlite3_stmt* owner = Prepare(
      db, "SELECT id, phone, name, village, authority, created_at FROM owners WHERE phone = ?1");
  sqlite3_stmt* animals =
      Prepare(db,
              "SELECT id, owner_id, tag, species, head_count, sex, birth_date, authority, "
              "created_at FROM animals WHERE owner_id = ?1 ORDER BY id");
  sqlite3_stmt* vaccinations = Prepare(
      db,
      "SELECT id, owner_id, administered_on, animal_ids, species, head_count, disease, vaccine, "
      "batch_no, dose_ml, lat, lon, device_id, recorded_by, recorded_at, authority, voided, "
      "void_reason, voided_at, corrects FROM vaccinations WHERE owner_id = ?1 AND "
      "administered_on >= ?2 ORDER BY administered_on DESC, id DESC");

  // Reads every column of every row, as a real reader would.
  size_t bytes_read = 0;
  auto drain = [&bytes_read](sqlite3_stmt* st) {
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
      ++rows;
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        if (sqlite3_column_blob(st, c) != nullptr) {
          bytes_read += static_cast<size_t>(sqlite3_column_bytes(st, c));
        }
      }
    }
    sqlite3_reset(st);
    return rows;
  };

  const auto today = std::chrono::duration_cast<std::chrono::days>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  std::mt19937_64 rng(7);
  std::vector<double> latencies_us;
  int64_t queries = 0;
  int64_t rows = 0;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(args.seconds);
  for (auto t0 = start; t0 < deadline;) {
    const std::string& phone = phones[rng() % phones.size()];
    Exec(db, "BEGIN");
    sqlite3_bind_text(owner, 1, phone.c_str(), -1, SQLITE_STATIC);
    if (sqlite3_step(owner) != SQLITE_ROW) Die(db, "owner not found");
    const int64_t owner_id = sqlite3_column_int64(owner, 0);
    sqlite3_reset(owner);
    sqlite3_bind_int64(animals, 1, owner_id);
    rows += drain(animals);
    sqlite3_bind_int64(vaccinations, 1, owner_id);
    sqlite3_bind_int64(vaccinations, 2, today - 3 * 365);
    rows += drain(vaccinations);
    Exec(db, "COMMIT");
    ++queries;
    const auto t1 = Clock::now();
    latencies_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    t0 = t1;
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  sqlite3_finalize(owner);
  sqlite3_finalize(animals);
  sqlite3_finalize(vaccinations);
  sqlite3_close(db);
  const double p50 = Percentile(latencies_us, 50);
  const double p99 = Percentile(latencies_us, 99);
  std::printf(
      "HP_RESULT queries=%lld rows_per_query=%.1f bytes_per_query=%.0f seconds=%.2f "
      "queries_per_s=%.0f p50_us=%.1f p99_us=%.1f\n",
      static_cast<long long>(queries),
      static_cast<double>(rows) / static_cast<double>(std::max<int64_t>(queries, 1)),
      static_cast<double>(bytes_read) / static_cast<double>(std::max<int64_t>(queries, 1)), secs,
      static_cast<double>(queries) / secs, p50, p99);
  return 0;
}

// --- the journeys references (issue 12, BENCH_ONLY=journeys) ------------------------------------

// The animal ids of a record's varint blob (the store's encoding, EncodeId above).
std::vector<int64_t> DecodeIds(const void* blob, int size) {
  std::vector<int64_t> ids;
  const auto* p = static_cast<const uint8_t*>(blob);
  uint64_t v = 0;
  int shift = 0;
  for (int i = 0; i < size; ++i) {
    v |= static_cast<uint64_t>(p[i] & 0x7f) << shift;
    shift += 7;
    if ((p[i] & 0x80) == 0) {
      ids.push_back(static_cast<int64_t>(v));
      v = 0;
      shift = 0;
    }
  }
  return ids;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

sqlite3_stmt* Prepare(sqlite3* db, const store::Query& q) { return Prepare(db, q.sql); }

// What the threads of a timed run measured (RunThreads): every operation's latency, the rows and
// bytes read, the ring's holdings within the radius; seconds is the longest thread's time.
struct Tally {
  std::vector<double> latencies_us;
  int64_t ops = 0;
  int64_t rows = 0;
  int64_t holdings = 0;
  size_t bytes = 0;
  double seconds = 0;
};

// A connection for one thread's reads. SQLITE_OPEN_NOMUTEX: it is that thread's alone, as each of
// the store's connections is.
sqlite3* OpenReadOnly(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    Die(db, "open --db");
  }
  // The store's SQL functions (hp_names_any: a buyer's earlier doses), as each of its connections.
  if (herdpass::sqlite::RegisterFunctions(db) != SQLITE_OK) Die(db, "register functions");
  return db;
}

// Runs Session::Once(rng, tally) in a loop for args.seconds on each of args.threads threads, each
// with a Session of its own (its own connection and statements, made and closed in its thread) and
// a random stream seeded with seed + its number, and times every call. The threads start the clock
// together, once each has opened its connection. With N threads N operations are in flight, as N
// closed-loop clients would keep them (bench/run.sh compares this at 32 with wrk's 32 connections).
template <typename Session, typename... SessionArgs>
Tally RunThreads(const Args& args, uint64_t seed, const SessionArgs&... session_args) {
  const int n = std::max(args.threads, 1);
  std::vector<Tally> tallies(static_cast<size_t>(n));
  std::latch ready(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      Tally& t = tallies[static_cast<size_t>(i)];
      Session session(args, session_args...);
      std::mt19937_64 rng(seed + static_cast<uint64_t>(i));
      ready.arrive_and_wait();
      const auto start = Clock::now();
      const auto deadline = start + std::chrono::duration<double>(args.seconds);
      for (auto t0 = start; t0 < deadline;) {
        session.Once(rng, t);
        ++t.ops;
        const auto t1 = Clock::now();
        t.latencies_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        t0 = t1;
      }
      t.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    });
  }
  for (std::thread& th : threads) th.join();
  Tally all;
  for (Tally& t : tallies) {
    all.latencies_us.insert(all.latencies_us.end(), t.latencies_us.begin(), t.latencies_us.end());
    all.ops += t.ops;
    all.rows += t.rows;
    all.holdings += t.holdings;
    all.bytes += t.bytes;
    all.seconds = std::max(all.seconds, t.seconds);
  }
  return all;
}

// Every column of the current row read, as a real reader would; its bytes counted.
void ReadRow(sqlite3_stmt* st, Tally& t) { t.bytes += RowBytes(st); }

// GET /animals/{tag}/timeline's reads, as the SQLite store runs them (store_core.h
// FindAnimalByTag, then LoadAnimalTimeline with its LoadJourney, each in its own snapshot), with
// the SQL text of store/sqlite/queries.h itself; every column of every row read. Not included: the
// token lookup and the audit row of the read (as for W2's reference), and the JSON. When the
// store's timeline reads change, change the steps here to match. One thread's connection.
class TimelineSession {
 public:
  TimelineSession(const Args& args, const std::vector<std::string>& tags)
      : tags_(tags), db_(OpenReadOnly(args.db)) {}
  ~TimelineSession() {
    for (sqlite3_stmt* st : {by_tag_, former_, by_id_, owner_, events_, records_, certificates_,
                             holding_, user_, stays_, movements_, passages_, changes_, between_}) {
      sqlite3_finalize(st);
    }
    sqlite3_close(db_);
  }
  TimelineSession(const TimelineSession&) = delete;
  TimelineSession& operator=(const TimelineSession&) = delete;

  // The timeline of a random tag of the list.
  void Once(std::mt19937_64& rng, Tally& t);

 private:
  int Drain(sqlite3_stmt* st, Tally& t) {
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
      ++rows;
      ReadRow(st, t);
    }
    sqlite3_reset(st);
    return rows;
  }

  const std::vector<std::string>& tags_;
  sqlite3* db_;
  sqlite3_stmt* by_tag_ = Prepare(db_, herdpass::sqlite::kSelectAnimalByTag);
  sqlite3_stmt* former_ = Prepare(db_, herdpass::sqlite::kSelectFormerTags);
  sqlite3_stmt* by_id_ = Prepare(db_, herdpass::sqlite::kSelectAnimalById);
  sqlite3_stmt* owner_ = Prepare(db_, herdpass::sqlite::kSelectOwnerById);
  sqlite3_stmt* events_ = Prepare(db_, herdpass::sqlite::kSelectAnimalEvents);
  sqlite3_stmt* records_ = Prepare(db_, herdpass::sqlite::kSelectOwnerVaccinationsSince);
  sqlite3_stmt* certificates_ = Prepare(db_, herdpass::sqlite::kSelectCertificatesOfAnimal);
  sqlite3_stmt* holding_ = Prepare(db_, herdpass::sqlite::kSelectHoldingById);
  sqlite3_stmt* user_ = Prepare(db_, herdpass::sqlite::kSelectUserById);
  // The journey (store_core.h LoadJourney).
  sqlite3_stmt* stays_ = Prepare(db_, herdpass::sqlite::kSelectHoldingStays);
  sqlite3_stmt* movements_ = Prepare(db_, herdpass::sqlite::kSelectMovementsOfAnimal);
  sqlite3_stmt* passages_ = Prepare(db_, herdpass::sqlite::kSelectPassagesOfAnimal);
  sqlite3_stmt* changes_ = Prepare(db_, herdpass::sqlite::kSelectChangesOfAnimal);
  sqlite3_stmt* between_ = Prepare(db_, herdpass::sqlite::kSelectOwnerVaccinationsBetween);
};

void TimelineSession::Once(std::mt19937_64& rng, Tally& t) {
  const std::string& tag = tags_[rng() % tags_.size()];
  // FindAnimalByTag: the animal by its tag, with its former tags.
  Exec(db_, "BEGIN");
  sqlite3_bind_text(by_tag_, 1, tag.c_str(), -1, SQLITE_STATIC);
  if (sqlite3_step(by_tag_) != SQLITE_ROW) Die(db_, "animal not found");
  ReadRow(by_tag_, t);
  const int64_t animal_id = sqlite3_column_int64(by_tag_, 0);
  sqlite3_reset(by_tag_);
  sqlite3_bind_int64(former_, 1, animal_id);
  t.rows += 1 + Drain(former_, t);
  Exec(db_, "COMMIT");
  // LoadAnimalTimeline.
  Exec(db_, "BEGIN");
  sqlite3_bind_int64(by_id_, 1, animal_id);
  if (sqlite3_step(by_id_) != SQLITE_ROW) Die(db_, "animal by id");
  ReadRow(by_id_, t);
  const int64_t owner_id = sqlite3_column_int64(by_id_, 1);
  std::vector<int64_t> holdings, users;
  if (sqlite3_column_type(by_id_, 9) != SQLITE_NULL) {
    holdings.push_back(sqlite3_column_int64(by_id_, 9));
  }
  sqlite3_reset(by_id_);
  sqlite3_bind_int64(former_, 1, animal_id);
  t.rows += 1 + Drain(former_, t);
  sqlite3_bind_int64(owner_, 1, owner_id);
  t.rows += Drain(owner_, t);
  sqlite3_bind_int64(events_, 1, animal_id);
  while (sqlite3_step(events_) == SQLITE_ROW) {
    ++t.rows;
    ReadRow(events_, t);
    users.push_back(sqlite3_column_int64(events_, 9));  // recorded_by
  }
  sqlite3_reset(events_);
  // The owner's records since 1900-01-01, narrowed to those naming the animal.
  sqlite3_bind_int64(records_, 1, owner_id);
  sqlite3_bind_int64(records_, 2, -25567);
  while (sqlite3_step(records_) == SQLITE_ROW) {
    ++t.rows;
    ReadRow(records_, t);
    const auto ids = DecodeIds(sqlite3_column_blob(records_, 3), sqlite3_column_bytes(records_, 3));
    if (std::find(ids.begin(), ids.end(), animal_id) == ids.end()) continue;
    if (sqlite3_column_type(records_, 20) != SQLITE_NULL) {
      holdings.push_back(sqlite3_column_int64(records_, 20));
    }
    users.push_back(sqlite3_column_int64(records_, 13));  // recorded_by
  }
  sqlite3_reset(records_);
  sqlite3_bind_int64(certificates_, 1, animal_id);
  const int certificate_rows = Drain(certificates_, t);
  t.rows += certificate_rows;
  // LoadJourney: the stays; the movements and passages of its certificates, when it has any; its
  // changes of owner, the owners they name, and the doses given under earlier owners.
  sqlite3_bind_int64(stays_, 1, animal_id);
  while (sqlite3_step(stays_) == SQLITE_ROW) {
    ++t.rows;
    ReadRow(stays_, t);
    holdings.push_back(sqlite3_column_int64(stays_, 1));
  }
  sqlite3_reset(stays_);
  if (certificate_rows > 0) {
    sqlite3_bind_int64(movements_, 1, animal_id);
    while (sqlite3_step(movements_) == SQLITE_ROW) {
      ++t.rows;
      ReadRow(movements_, t);
      // An arrival's holding (arrived_at, arrival_holding_id).
      if (sqlite3_column_type(movements_, 3) != SQLITE_NULL &&
          sqlite3_column_type(movements_, 4) != SQLITE_NULL) {
        holdings.push_back(sqlite3_column_int64(movements_, 4));
      }
    }
    sqlite3_reset(movements_);
    sqlite3_bind_int64(passages_, 1, animal_id);
    while (sqlite3_step(passages_) == SQLITE_ROW) {
      ++t.rows;
      ReadRow(passages_, t);
      holdings.push_back(sqlite3_column_int64(passages_, 2));
      users.push_back(sqlite3_column_int64(passages_, 6));  // recorded_by
    }
    sqlite3_reset(passages_);
  }
  // A change as the store's reads use it (HP_CHANGE_COLUMNS).
  struct Change {
    int64_t animal_id, to_animal_id, head, from, to, on;
    bool tagged;
  };
  auto read_changes = [&](int64_t unit) {
    std::vector<Change> out;
    sqlite3_bind_int64(changes_, 1, unit);
    while (sqlite3_step(changes_) == SQLITE_ROW) {
      ++t.rows;
      ReadRow(changes_, t);
      out.push_back({sqlite3_column_int64(changes_, 0), sqlite3_column_int64(changes_, 1),
                     sqlite3_column_int64(changes_, 4), sqlite3_column_int64(changes_, 5),
                     sqlite3_column_int64(changes_, 6), sqlite3_column_int64(changes_, 7),
                     sqlite3_column_type(changes_, 2) != SQLITE_NULL});
      users.push_back(sqlite3_column_int64(changes_, 10));  // recorded_by
    }
    sqlite3_reset(changes_);
    return out;
  };
  const std::vector<Change> of_animal = read_changes(animal_id);
  if (!of_animal.empty()) {
    std::vector<int64_t> owners;
    std::vector<Change> into;
    for (const Change& c : of_animal) {
      owners.push_back(c.from);
      owners.push_back(c.to);
      if (c.to_animal_id == animal_id) into.push_back(c);
    }
    std::sort(owners.begin(), owners.end());
    owners.erase(std::unique(owners.begin(), owners.end()), owners.end());
    for (int64_t id : owners) {
      sqlite3_bind_int64(owner_, 1, id);
      t.rows += Drain(owner_, t);
    }
    // WithEarlierFlockChanges: the changes into the earlier flocks, back up to 16 sales.
    std::vector<Change> frontier;
    for (const Change& c : into) {
      if (!c.tagged && c.animal_id != c.to_animal_id) frontier.push_back(c);
    }
    for (int hop = 0; hop < 16 && !frontier.empty(); ++hop) {
      std::vector<Change> next;
      for (const Change& later : frontier) {
        for (Change e : read_changes(later.animal_id)) {
          if (e.to_animal_id != later.animal_id || e.animal_id == later.animal_id) continue;
          if (e.on > later.on) continue;
          e.to_animal_id = later.to_animal_id;
          into.push_back(e);
          next.push_back(e);
        }
      }
      frontier = std::move(next);
    }
    // EarlierDosesOf: per earlier owner, its records up to the last day a unit left it, of the
    // rows naming a unit that left it; and the owner (its masked name).
    std::vector<int64_t> earlier;
    for (const Change& c : into) {
      if (c.from != owner_id) earlier.push_back(c.from);
    }
    std::sort(earlier.begin(), earlier.end());
    earlier.erase(std::unique(earlier.begin(), earlier.end()), earlier.end());
    for (int64_t from : earlier) {
      int64_t until = std::numeric_limits<int64_t>::min();
      std::vector<int64_t> left;
      for (const Change& c : into) {
        if (c.from != from) continue;
        until = std::max(until, c.on);
        left.push_back(c.animal_id);
      }
      std::sort(left.begin(), left.end());
      left.erase(std::unique(left.begin(), left.end()), left.end());
      const std::string units = herdpass::sqlite::EncodeIds(left);
      sqlite3_bind_int64(between_, 1, from);
      sqlite3_bind_int64(between_, 2, -25567);
      sqlite3_bind_int64(between_, 3, until);
      sqlite3_bind_blob(between_, 4, units.data(), static_cast<int>(units.size()), SQLITE_STATIC);
      while (sqlite3_step(between_) == SQLITE_ROW) {  // only the rows naming a unit of `left`
        ++t.rows;
        ReadRow(between_, t);
        if (sqlite3_column_type(between_, 20) != SQLITE_NULL) {
          holdings.push_back(sqlite3_column_int64(between_, 20));
        }
        users.push_back(sqlite3_column_int64(between_, 13));  // recorded_by
      }
      sqlite3_reset(between_);
      sqlite3_bind_int64(owner_, 1, from);
      t.rows += Drain(owner_, t);
    }
  }
  for (auto* ids : {&holdings, &users}) {
    std::sort(ids->begin(), ids->end());
    ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
  }
  for (int64_t id : holdings) {
    sqlite3_bind_int64(holding_, 1, id);
    t.rows += Drain(holding_, t);
  }
  for (int64_t id : users) {
    sqlite3_bind_int64(user_, 1, id);
    t.rows += Drain(user_, t);
  }
  Exec(db_, "COMMIT");
}

int Timeline(const Args& args) {
  const std::vector<std::string> tags = ReadLines(args.tags);
  if (tags.empty()) {
    std::fprintf(stderr, "raw_sqlite_bench: no tags in %s\n", args.tags.c_str());
    return 1;
  }
  Tally t = RunThreads<TimelineSession>(args, 11, tags);
  const double n = static_cast<double>(std::max<int64_t>(t.ops, 1));
  std::printf(
      "HP_RESULT timelines=%lld rows_per_timeline=%.1f bytes_per_timeline=%.0f seconds=%.2f "
      "timelines_per_s=%.0f p50_us=%.1f p99_us=%.1f threads=%d\n",
      static_cast<long long>(t.ops), static_cast<double>(t.rows) / n,
      static_cast<double>(t.bytes) / n, t.seconds, static_cast<double>(t.ops) / t.seconds,
      Percentile(t.latencies_us, 50), Percentile(t.latencies_us, 99), std::max(args.threads, 1));
  return 0;
}

// The writes of an arrival (POST /certificates/{id}/consume with holding and head_count), as the
// SQLite store makes them in ConsumeCertificate and ApplyArrival, with the SQL text of
// store/sqlite/queries.h, one arrival a durable transaction (WAL, synchronous=FULL, foreign keys
// on: the store's settings): the certificate consumed, the movement's arrival recorded, the
// certificate's animals read and moved to the holding, and an audit row appended after the chain's
// head. Not included: the store's other reads (the certificate, its holdings and animals read
// again for the answer), the audit hash, HTTP and JSON. One line of the pool per arrival:
// "certificate_id holding_id head"; stops when the pool or the time runs out.
int Arrival(const Args& args) {
  const std::vector<std::string> pool = ReadLines(args.arrivals);
  if (pool.empty()) {
    std::fprintf(stderr, "raw_sqlite_bench: no arrivals in %s\n", args.arrivals.c_str());
    return 1;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(args.db.c_str(), &db) != SQLITE_OK) Die(db, "open --db");
  sqlite3_busy_timeout(db, 5000);
  Exec(db, "PRAGMA journal_mode=WAL");
  Exec(db, "PRAGMA synchronous=FULL");
  Exec(db, "PRAGMA foreign_keys=ON");
  namespace q = herdpass::sqlite;
  sqlite3_stmt* consume = Prepare(db, q::kConsumeCertificate);
  sqlite3_stmt* arrival = Prepare(db, q::kUpdateArrival);
  sqlite3_stmt* animals = Prepare(db, q::kSelectCertificateAnimals);
  sqlite3_stmt* move = Prepare(db, q::kSetAnimalHolding);
  sqlite3_stmt* head = Prepare(db, q::kSelectAuditHead);
  sqlite3_stmt* audit = Prepare(db, q::kInsertAudit);
  const std::string hash(64, 'a');

  std::vector<double> latencies_us;
  int64_t arrivals = 0;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(args.seconds);
  auto t0 = start;
  for (const std::string& line : pool) {
    if (t0 >= deadline) break;
    char id[64];
    long long holding = 0, head_count = 0;
    if (std::sscanf(line.c_str(), "%63s %lld %lld", id, &holding, &head_count) != 3) {
      std::fprintf(stderr, "raw_sqlite_bench: bad arrival line: %s\n", line.c_str());
      return 1;
    }
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    Exec(db, "BEGIN IMMEDIATE");
    sqlite3_bind_text(consume, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(consume, 2, now_ms);
    sqlite3_bind_int64(consume, 3, 1);
    sqlite3_bind_text(consume, 4, "bench-inspector", -1, SQLITE_STATIC);
    sqlite3_bind_text(consume, 5, "bench", -1, SQLITE_STATIC);
    if (sqlite3_step(consume) != SQLITE_DONE || sqlite3_changes(db) != 1) {
      Die(db, "consume (was the certificate consumed before?)");
    }
    sqlite3_reset(consume);
    sqlite3_bind_text(arrival, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(arrival, 2, now_ms);
    sqlite3_bind_int64(arrival, 3, holding);
    sqlite3_bind_int64(arrival, 4, head_count);
    for (int k = 5; k <= 7; ++k) sqlite3_bind_text(arrival, k, "", -1, SQLITE_STATIC);
    sqlite3_bind_int(arrival, 8, 0);
    if (sqlite3_step(arrival) != SQLITE_DONE) Die(db, "arrival");
    sqlite3_reset(arrival);
    sqlite3_bind_text(animals, 1, id, -1, SQLITE_TRANSIENT);
    std::vector<int64_t> ids;
    while (sqlite3_step(animals) == SQLITE_ROW) ids.push_back(sqlite3_column_int64(animals, 0));
    sqlite3_reset(animals);
    for (int64_t a : ids) {
      sqlite3_bind_int64(move, 1, a);
      sqlite3_bind_int64(move, 2, holding);
      if (sqlite3_step(move) != SQLITE_DONE) Die(db, "move");
      sqlite3_reset(move);
    }
    int64_t seq = 0;
    std::string prev(64, '0');
    if (sqlite3_step(head) == SQLITE_ROW) {
      seq = sqlite3_column_int64(head, 0);
      prev = reinterpret_cast<const char*>(sqlite3_column_text(head, 1));
    }
    sqlite3_reset(head);
    const std::string target = std::string("certificate:") + id;
    const std::string detail =
        "{\"number\":\"KZ-ABY-20261206-AAAAAAAA\",\"place\":\"bench\","
        "\"holding\":" +
        std::to_string(holding) + ",\"head_count\":" + std::to_string(head_count) + "}";
    sqlite3_bind_int64(audit, 1, seq + 1);
    sqlite3_bind_int64(audit, 2, now_ms);
    sqlite3_bind_int64(audit, 3, 1);
    sqlite3_bind_text(audit, 4, "bench-inspector", -1, SQLITE_STATIC);
    sqlite3_bind_text(audit, 5, "certificate.consume", -1, SQLITE_STATIC);
    sqlite3_bind_text(audit, 6, target.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(audit, 7, detail.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(audit, 8, "127.0.0.1", -1, SQLITE_STATIC);
    sqlite3_bind_text(audit, 9, prev.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(audit, 10, hash.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(audit, 11, "KZ-ABY", -1, SQLITE_STATIC);
    if (sqlite3_step(audit) != SQLITE_DONE) Die(db, "audit");
    sqlite3_reset(audit);
    Exec(db, "COMMIT");
    ++arrivals;
    const auto t1 = Clock::now();
    latencies_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    t0 = t1;
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  for (sqlite3_stmt* st : {consume, arrival, animals, move, head, audit}) sqlite3_finalize(st);
  sqlite3_close(db);
  std::printf(
      "HP_RESULT arrivals=%lld pool=%zu seconds=%.2f arrivals_per_s=%.0f p50_ms=%.2f "
      "p99_ms=%.2f\n",
      static_cast<long long>(arrivals), pool.size(), secs, static_cast<double>(arrivals) / secs,
      Percentile(latencies_us, 50) / 1000, Percentile(latencies_us, 99) / 1000);
  return 0;
}

// GET /api/v1/trace's one query (store_core.h Trace: Codecs::ReadTraceWalk), forward from a
// random holding of the list, as the SQLite store binds it. Not included: the holdings and owners
// the server then reads by id, the audit row, and the JSON. One thread's connection.
class TraceSession {
 public:
  TraceSession(const Args& args, const std::vector<std::string>& holdings)
      : args_(args), holdings_(holdings), db_(OpenReadOnly(args.db)) {}
  ~TraceSession() {
    sqlite3_finalize(walk_);
    sqlite3_close(db_);
  }
  TraceSession(const TraceSession&) = delete;
  TraceSession& operator=(const TraceSession&) = delete;

  void Once(std::mt19937_64& rng, Tally& t) {
    const int64_t holding = std::atoll(holdings_[rng() % holdings_.size()].c_str());
    Exec(db_, "BEGIN");
    sqlite3_bind_int64(walk_, 1, holding);
    sqlite3_bind_int64(walk_, 2, 0);
    sqlite3_bind_int64(walk_, 3, args_.from_ms);
    sqlite3_bind_int64(walk_, 4, args_.to_ms);
    sqlite3_bind_int64(walk_, 5, args_.depth);
    sqlite3_bind_int64(walk_, 6, 1);
    sqlite3_bind_int64(walk_, 7, 0);
    int rc;
    while ((rc = sqlite3_step(walk_)) == SQLITE_ROW) {
      ++t.rows;
      ReadRow(walk_, t);
    }
    if (rc != SQLITE_DONE) Die(db_, "trace");
    sqlite3_reset(walk_);
    Exec(db_, "COMMIT");
  }

 private:
  const Args& args_;
  const std::vector<std::string>& holdings_;
  sqlite3* db_;
  sqlite3_stmt* walk_ = Prepare(db_, herdpass::sqlite::kSelectTraceWalk);
};

int Trace(const Args& args) {
  const std::vector<std::string> holdings = ReadLines(args.holdings);
  if (holdings.empty()) {
    std::fprintf(stderr, "raw_sqlite_bench: no holdings in %s\n", args.holdings.c_str());
    return 1;
  }
  Tally t = RunThreads<TraceSession>(args, 13, holdings);
  std::printf(
      "HP_RESULT traces=%lld seconds=%.2f traces_per_s=%.1f p50_us=%.0f p99_us=%.0f "
      "rows_per_trace=%.1f bytes=%zu threads=%d\n",
      static_cast<long long>(t.ops), t.seconds, static_cast<double>(t.ops) / t.seconds,
      Percentile(t.latencies_us, 50), Percentile(t.latencies_us, 99),
      static_cast<double>(t.rows) / static_cast<double>(std::max<int64_t>(t.ops, 1)), t.bytes,
      std::max(args.threads, 1));
  return 0;
}

// GET /api/v1/zones/{id}/ring's statements (store_core.h ListRing, Codecs::ReadRing) for a zone of
// radii, as the SQLite store runs them in one read transaction: the holdings in the box round the
// outer circle (SelectHoldingsInBox), those within the radius kept (haversine, as
// domain/holding.cpp DistanceMeters), then the units on them, their owners and their owners' doses
// (SelectRingUnits, SelectRingOwners, SelectRingDoses), every column of every row read. Not
// included: the coverage worked out from the doses, the order, the audit row and the JSON. One
// thread's connection.
class RingSession {
 public:
  explicit RingSession(const Args& args) : args_(args), db_(OpenReadOnly(args.db)) {}
  ~RingSession() {
    for (sqlite3_stmt* st : {box_, units_, owners_, doses_}) sqlite3_finalize(st);
    sqlite3_close(db_);
  }
  RingSession(const RingSession&) = delete;
  RingSession& operator=(const RingSession&) = delete;

  void Once(std::mt19937_64& /*rng*/, Tally& t) {
    Exec(db_, "BEGIN");
    sqlite3_bind_text(box_, 1, "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(box_, 2, 1);
    sqlite3_bind_text(box_, 3, "", -1, SQLITE_STATIC);
    sqlite3_bind_double(box_, 4, args_.lat - dlat_);
    sqlite3_bind_double(box_, 5, args_.lat + dlat_);
    sqlite3_bind_double(box_, 6, args_.lon - dlon_);
    sqlite3_bind_double(box_, 7, args_.lon + dlon_);
    std::string ids = "[";
    const int lat_col = 7, lon_col = 8;  // HP_HOLDING_COLUMNS: ... lat, lon ...
    int rc;
    while ((rc = sqlite3_step(box_)) == SQLITE_ROW) {
      ++t.rows;
      ReadRow(box_, t);
      if (Distance(sqlite3_column_double(box_, lat_col), sqlite3_column_double(box_, lon_col)) <=
          r_) {
        ids += (ids.size() > 1 ? "," : "") + std::to_string(sqlite3_column_int64(box_, 0));
        ++t.holdings;
      }
    }
    if (rc != SQLITE_DONE) Die(db_, "ring holdings");
    sqlite3_reset(box_);
    ids += "]";
    sqlite3_bind_text(units_, 1, ids.c_str(), -1, SQLITE_TRANSIENT);
    ReadAll(units_, t);
    sqlite3_bind_text(owners_, 1, ids.c_str(), -1, SQLITE_TRANSIENT);
    ReadAll(owners_, t);
    sqlite3_bind_text(doses_, 1, ids.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(doses_, 2, args_.day);
    ReadAll(doses_, t);
    Exec(db_, "COMMIT");
  }

 private:
  static constexpr double kEarthRadiusM = 6371008.8;
  static constexpr double kRad = 3.14159265358979323846 / 180;

  double Distance(double lat, double lon) const {
    const double p1 = args_.lat * kRad, p2 = lat * kRad;
    const double dp = p2 - p1, dl = (lon - args_.lon) * kRad;
    const double a = std::sin(dp / 2) * std::sin(dp / 2) +
                     std::cos(p1) * std::cos(p2) * std::sin(dl / 2) * std::sin(dl / 2);
    return 2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(a)));
  }
  void ReadAll(sqlite3_stmt* st, Tally& t) {
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      ++t.rows;
      ReadRow(st, t);
    }
    if (rc != SQLITE_DONE) Die(db_, "ring");
    sqlite3_reset(st);
  }

  const Args& args_;
  sqlite3* db_;
  const double r_ = args_.radius_km * 1000;
  const double dlat_ = r_ / kEarthRadiusM / kRad;
  const double dlon_ =
      std::asin(std::sin(r_ / kEarthRadiusM) / std::cos((std::abs(args_.lat) + dlat_) * kRad)) /
      kRad;
  sqlite3_stmt* box_ = Prepare(db_, herdpass::sqlite::kSelectHoldingsInBox);
  sqlite3_stmt* units_ = Prepare(db_, herdpass::sqlite::kSelectRingUnits);
  sqlite3_stmt* owners_ = Prepare(db_, herdpass::sqlite::kSelectRingOwners);
  sqlite3_stmt* doses_ = Prepare(db_, herdpass::sqlite::kSelectRingDoses);
};

int Ring(const Args& args) {
  Tally t = RunThreads<RingSession>(args, 0);
  const double n = static_cast<double>(std::max<int64_t>(t.ops, 1));
  std::printf(
      "HP_RESULT rings=%lld seconds=%.2f rings_per_s=%.1f p50_us=%.0f p99_us=%.0f "
      "holdings_per_ring=%.1f rows_per_ring=%.1f bytes=%zu threads=%d\n",
      static_cast<long long>(t.ops), t.seconds, static_cast<double>(t.ops) / t.seconds,
      Percentile(t.latencies_us, 50), Percentile(t.latencies_us, 99),
      static_cast<double>(t.holdings) / n, static_cast<double>(t.rows) / n, t.bytes,
      std::max(args.threads, 1));
  return 0;
}

// The reminder job's selection (store_core.h SelectReminders: Codecs::ReadReminders), bound as the
// SQLite store binds it. Not included: the W2 coverage rule over the rows (store/reminders.h), the
// messages rendered and queued, the audit row.
int Reminders(const Args& args) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(args.db.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    Die(db, "open --db");
  }
  int longest = 0;
  for (const auto& d : herdpass::DefaultCatalogue().diseases()) {
    longest = std::max(longest, d.immunity_days);
  }
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const int64_t today = now_ms / 86400000;
  sqlite3_stmt* select = Prepare(db, herdpass::sqlite::kSelectReminderRows);
  double best = std::numeric_limits<double>::max();
  int64_t rows = 0, units = 0;
  size_t bytes_read = 0;
  for (int run = 0; run < std::max(args.runs, 1); ++run) {
    rows = units = 0;
    bytes_read = 0;
    const auto t0 = Clock::now();
    Exec(db, "BEGIN");
    sqlite3_bind_int64(select, 1, today - longest);
    sqlite3_bind_int64(select, 2, today);
    sqlite3_bind_int64(select, 3, now_ms - 7 * 86400000LL);
    int rc;
    while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
      ++rows;
      if (sqlite3_column_type(select, 0) != SQLITE_NULL) ++units;
      for (int c = 0; c < sqlite3_column_count(select); ++c) {
        if (sqlite3_column_blob(select, c) != nullptr) {
          bytes_read += static_cast<size_t>(sqlite3_column_bytes(select, c));
        }
      }
    }
    if (rc != SQLITE_DONE) Die(db, "reminders");
    sqlite3_reset(select);
    Exec(db, "COMMIT");
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::printf("HP_RESULT seconds=%.3f rows=%lld units=%lld doses=%lld bytes=%zu runs=%d\n", best,
              static_cast<long long>(rows), static_cast<long long>(units),
              static_cast<long long>(rows - units), bytes_read, std::max(args.runs, 1));
  sqlite3_finalize(select);
  sqlite3_close(db);
  return 0;
}

// The PostgreSQL trace query with pgbench's variables for its parameters, on one line.
int PgTraceSql() {
  static constexpr const char* kNames[] = {":holding", ":animal",  ":from_ms", ":to_ms",
                                           ":depth",   ":forward", ":backward"};
  std::string sql = herdpass::postgres::kSelectTraceWalk.sql;
  std::string out;
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] == '$' && i + 1 < sql.size() && sql[i + 1] >= '1' && sql[i + 1] <= '7') {
      out += kNames[sql[i + 1] - '1'];
      ++i;
    } else {
      out += sql[i] == '\n' ? ' ' : sql[i];
    }
  }
  std::printf("%s;\n", out.c_str());
  return 0;
}

}  // namespace
}  // namespace herdpass::bench

int main(int argc, char** argv) {
  herdpass::bench::Args args;
  if (argc < 2) {
    std::cerr
        << "usage: raw_sqlite_bench insert|lookup|timeline|arrival|trace --db PATH [options]\n";
    return 2;
  }
  args.mode = argv[1];
  if (args.mode == "pg-trace-sql" && argc == 2) return herdpass::bench::PgTraceSql();
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "raw_sqlite_bench: " << a << " needs a value\n";
      return 2;
    }
    const char* v = argv[++i];
    if (a == "--db") {
      args.db = v;
    } else if (a == "--schema-from") {
      args.schema_from = v;
    } else if (a == "--phones") {
      args.phones = v;
    } else if (a == "--tags") {
      args.tags = v;
    } else if (a == "--arrivals") {
      args.arrivals = v;
    } else if (a == "--holdings") {
      args.holdings = v;
    } else if (a == "--from-ms") {
      args.from_ms = std::atoll(v);
    } else if (a == "--to-ms") {
      args.to_ms = std::atoll(v);
    } else if (a == "--lat") {
      args.lat = std::atof(v);
    } else if (a == "--lon") {
      args.lon = std::atof(v);
    } else if (a == "--radius-km") {
      args.radius_km = std::atof(v);
    } else if (a == "--day") {
      args.day = std::atoll(v);
    } else if (a == "--depth") {
      args.depth = std::atoi(v);
    } else if (a == "--txn") {
      args.txn = std::atoi(v);
    } else if (a == "--pool-owners") {
      args.pool_owners = std::atoi(v);
    } else if (a == "--runs") {
      args.runs = std::atoi(v);
    } else if (a == "--seconds") {
      args.seconds = std::atof(v);
    } else if (a == "--threads") {
      args.threads = std::atoi(v);
    } else {
      std::cerr << "raw_sqlite_bench: unknown option " << a << "\n";
      return 2;
    }
  }
  if (args.threads != 1 && args.mode != "timeline" && args.mode != "trace" && args.mode != "ring") {
    std::cerr << "raw_sqlite_bench: --threads is for timeline, trace and ring only\n";
    return 2;
  }
  if (args.threads < 1) {
    std::cerr << "raw_sqlite_bench: --threads must be at least 1\n";
    return 2;
  }
  if (args.mode == "insert" && !args.db.empty() && !args.schema_from.empty()) {
    return herdpass::bench::Insert(args);
  }
  if (args.mode == "lookup" && !args.db.empty() && !args.phones.empty()) {
    return herdpass::bench::Lookup(args);
  }
  if (args.mode == "timeline" && !args.db.empty() && !args.tags.empty()) {
    return herdpass::bench::Timeline(args);
  }
  if (args.mode == "arrival" && !args.db.empty() && !args.arrivals.empty()) {
    return herdpass::bench::Arrival(args);
  }
  if (args.mode == "reminders" && !args.db.empty()) return herdpass::bench::Reminders(args);
  if (args.mode == "trace" && !args.db.empty() && !args.holdings.empty() && args.to_ms > 0) {
    return herdpass::bench::Trace(args);
  }
  if (args.mode == "ring" && !args.db.empty() && args.radius_km > 0 && args.day > 0) {
    return herdpass::bench::Ring(args);
  }
  std::cerr << "usage: raw_sqlite_bench insert --db NEW --schema-from HERDPASS.db | lookup --db "
               "HERDPASS.db --phones FILE | timeline --db HERDPASS.db --tags FILE | arrival --db "
               "HERDPASS.db --arrivals FILE | trace --db HERDPASS.db --holdings FILE --from-ms MS "
               "--to-ms MS [--depth N] | ring --db HERDPASS.db --lat LAT --lon LON --radius-km KM "
               "--day DAYS | reminders --db HERDPASS.db [--runs N]; timeline, trace and ring take "
               "[--threads N]\n";
  return 2;
}
