// A small HTTP/1.1 load client for the W1 benchmarks of bench/run.sh.
//
// wrk drives W2 (GETs); W1 needs fresh record ids in every body and batches of 500 records, which
// is cheaper to make in C++ than in wrk's Lua on a 2-core machine shared with the server. One
// blocking keep-alive connection per thread; loopback only.
//
//   load_client login --port P --username U             password on stdin; prints the token
//   load_client setup --port P --token T [--pool-owners 1000]
//       registers the pool's owners and their 10 animals each (one record per animal), so that the
//       measured runs write records for known owners and animals, as steady-state sync does
//   load_client w1 --port P --token T --batch 500 --connections 4 --seconds 15 [--pool-owners 1000]
//       POST /api/v1/vaccinations/batch in a loop; every record new (fresh UUIDv7)
//   load_client arrive --port P --token T --arrivals FILE --connections 4 --seconds 15
//       POST /api/v1/certificates/{id}/consume (holding, head_count) for each planned certificate
//       of the pool, each once, until the pool or the time runs out
//
// Prints one line "HP_RESULT key=value ...".
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/workload.h"

namespace herdpass::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string mode;
  int port = 0;
  std::string token;
  std::string username;
  int pool_owners = 1000;
  int batch = 500;
  int connections = 4;
  double seconds = 15;
  std::string arrivals;  // arrive: the pool file
};

struct Response {
  int status = 0;
  std::string body;
};

// One keep-alive HTTP/1.1 connection to 127.0.0.1:port. Not thread-safe; one per thread.
class Connection {
 public:
  explicit Connection(int port) : port_(port) {}
  ~Connection() { Close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends one request and reads its response; reconnects once if the server closed the connection.
  std::optional<Response> Send(const std::string& method, const std::string& path,
                               const std::string& token, const std::string& body) {
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
    req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n";
    req += body;
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0 && !Connect()) return std::nullopt;
      if (WriteAll(req)) {
        auto res = ReadResponse();
        if (res) return res;
      }
      Close();
    }
    return std::nullopt;
  }

 private:
  bool Connect() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      Close();
      return false;
    }
    buf_.clear();
    return true;
  }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  bool WriteAll(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  bool Fill() {
    char tmp[65536];
    ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  std::optional<Response> ReadResponse() {
    size_t header_end;
    while ((header_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    Response res;
    if (buf_.compare(0, 5, "HTTP/") != 0 || buf_.size() < 12) return std::nullopt;
    res.status = std::atoi(buf_.c_str() + 9);
    size_t length = 0;
    bool have_length = false;
    for (size_t pos = buf_.find("\r\n") + 2; pos < header_end;) {
      const size_t eol = buf_.find("\r\n", pos);
      std::string line = buf_.substr(pos, eol - pos);
      std::transform(line.begin(), line.end(), line.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (line.rfind("content-length:", 0) == 0) {
        length = std::strtoull(line.c_str() + 15, nullptr, 10);
        have_length = true;
      }
      pos = eol + 2;
    }
    if (!have_length) return std::nullopt;  // the server always sends Content-Length
    const size_t total = header_end + 4 + length;
    while (buf_.size() < total) {
      if (!Fill()) return std::nullopt;
    }
    res.body = buf_.substr(header_end + 4, length);
    buf_.erase(0, total);
    return res;
  }

  int port_;
  int fd_ = -1;
  std::string buf_;
};

// "YYYY-MM-DD" of today (UTC, as the server's clock) minus `days_ago`.
std::string DateDaysAgo(int days_ago) {
  using namespace std::chrono;
  const auto day = floor<days>(system_clock::now()) - days(days_ago);
  const year_month_day ymd(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

void AppendRecordJson(std::string& out, const BenchRecord& r) {
  char nums[96];
  std::snprintf(nums, sizeof nums, "\"dose_ml\":%.1f,\"lat\":%.5f,\"lon\":%.5f", r.dose_ml, r.lat,
                r.lon);
  out += "{\"id\":\"" + r.id + "\",\"owner_phone\":\"" + r.owner_phone + "\",\"owner_name\":\"" +
         r.owner_name + "\",\"animal_tags\":[\"" + r.tag + "\"],\"species\":\"" + r.species +
         "\",\"disease\":\"" + r.disease + "\",\"vaccine\":\"" + r.vaccine + "\",\"batch_no\":\"" +
         r.batch_no + "\"," + nums + ",\"administered_on\":\"" + DateDaysAgo(r.days_ago) +
         "\",\"device_id\":\"" + r.device_id + "\"}";
}

std::string BatchBody(const std::vector<BenchRecord>& records) {
  std::string body = "{\"records\":[";
  body.reserve(records.size() * 360);
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) body += ',';
    AppendRecordJson(body, records[i]);
  }
  body += "]}";
  return body;
}

// The "created" count of a batch answer ({"created":N,...}); -1 when absent.
int CreatedCount(const std::string& body) {
  const size_t pos = body.find("\"created\":");
  return pos == std::string::npos ? -1 : std::atoi(body.c_str() + pos + 10);
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(k), v.end());
  return v[k];
}

uint64_t NowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

int Login(const Args& args) {
  std::string password;
  std::getline(std::cin, password);
  Connection conn(args.port);
  const std::string body =
      "{\"username\":\"" + args.username + "\",\"password\":\"" + password + "\"}";
  auto res = conn.Send("POST", "/api/v1/auth/login", "", body);
  if (!res || res->status != 200) {
    std::fprintf(stderr, "load_client: login failed: %d %s\n", res ? res->status : 0,
                 res ? res->body.c_str() : "no answer");
    return 1;
  }
  const size_t pos = res->body.find("\"token\":\"");
  if (pos == std::string::npos) {
    std::fprintf(stderr, "load_client: no token in %s\n", res->body.c_str());
    return 1;
  }
  const size_t start = pos + 9;
  std::printf("%s\n", res->body.substr(start, res->body.find('"', start) - start).c_str());
  return 0;
}

int Setup(const Args& args) {
  Connection conn(args.port);
  const uint64_t base_ms = NowMs();
  uint64_t seq = 1ULL << 40;  // far from the sequence numbers of the measured run
  std::vector<BenchRecord> batch;
  int created = 0;
  auto flush = [&]() {
    if (batch.empty()) return true;
    auto res = conn.Send("POST", "/api/v1/vaccinations/batch", args.token, BatchBody(batch));
    if (!res || res->status != 200 || CreatedCount(res->body) != static_cast<int>(batch.size())) {
      std::fprintf(stderr, "load_client: setup batch failed: %d %.400s\n", res ? res->status : 0,
                   res ? res->body.c_str() : "no answer");
      return false;
    }
    created += static_cast<int>(batch.size());
    batch.clear();
    return true;
  };
  for (int o = 0; o < args.pool_owners; ++o) {
    for (int a = 0; a < kAnimalsPerOwner; ++a) {
      batch.push_back(MakeRecord(Uuid7(base_ms, seq++), kW1OwnerBase + o, a, 0, 40));
      if (batch.size() == 500 && !flush()) return 1;
    }
  }
  if (!flush()) return 1;
  std::printf("HP_RESULT setup_records=%d owners=%d\n", created, args.pool_owners);
  return 0;
}

int W1(const Args& args) {
  const uint64_t base_ms = NowMs();
  std::atomic<uint64_t> seq{0};
  std::atomic<int64_t> records{0};
  std::atomic<int64_t> requests{0};
  std::atomic<int64_t> errors{0};
  std::mutex mu;
  std::vector<double> latencies_ms;
  std::string first_error;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(args.seconds);
  std::vector<Clock::time_point> finished(static_cast<size_t>(args.connections), start);

  auto worker = [&](int t) {
    Connection conn(args.port);
    std::mt19937_64 rng(static_cast<uint64_t>(t) * 7919 + 1);
    std::vector<double> mine;
    std::vector<BenchRecord> batch;
    while (Clock::now() < deadline) {
      batch.clear();
      for (int k = 0; k < args.batch; ++k) {
        const auto owner = static_cast<int64_t>(rng() % static_cast<uint64_t>(args.pool_owners));
        const int animal = static_cast<int>(rng() % kAnimalsPerOwner);
        const int disease = static_cast<int>(rng() % 5);
        const int days_ago = static_cast<int>(rng() % 30);
        batch.push_back(MakeRecord(Uuid7(base_ms, seq.fetch_add(1)), kW1OwnerBase + owner, animal,
                                   disease, days_ago));
      }
      const std::string body = BatchBody(batch);
      const auto t0 = Clock::now();
      auto res = conn.Send("POST", "/api/v1/vaccinations/batch", args.token, body);
      const auto t1 = Clock::now();
      if (!res || res->status != 200 || CreatedCount(res->body) != args.batch) {
        if (errors.fetch_add(1) == 0) {
          std::lock_guard lock(mu);
          first_error =
              res ? std::to_string(res->status) + " " + res->body.substr(0, 300) : "no answer";
        }
        if (!res) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      mine.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      records += args.batch;
      ++requests;
      finished[static_cast<size_t>(t)] = t1;
    }
    std::lock_guard lock(mu);
    latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < args.connections; ++t) threads.emplace_back(worker, t);
  for (auto& th : threads) th.join();

  const auto end = *std::max_element(finished.begin(), finished.end());
  const double secs = std::chrono::duration<double>(end - start).count();
  if (!first_error.empty())
    std::fprintf(stderr, "load_client: first error: %s\n", first_error.c_str());
  const double p50 = Percentile(latencies_ms, 50);
  const double p99 = Percentile(latencies_ms, 99);
  std::printf(
      "HP_RESULT requests=%lld records=%lld errors=%lld seconds=%.2f requests_per_s=%.1f "
      "records_per_s=%.0f p50_ms=%.2f p99_ms=%.2f\n",
      static_cast<long long>(requests.load()), static_cast<long long>(records.load()),
      static_cast<long long>(errors.load()), secs,
      secs > 0 ? static_cast<double>(requests.load()) / secs : 0.0,
      secs > 0 ? static_cast<double>(records.load()) / secs : 0.0, p50, p99);
  return errors.load() > 0 && requests.load() == 0 ? 1 : 0;
}

// Arrivals (W13): POST /api/v1/certificates/{id}/consume with the holding and the head counted,
// for each line of the pool ("certificate_id holding_id head", planned certificates of the seeded
// data set, each used once), on `connections` connections until the pool or the time runs out.
int Arrive(const Args& args) {
  std::vector<std::string> pool;
  {
    std::ifstream in(args.arrivals);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) pool.push_back(line);
    }
  }
  if (pool.empty()) {
    std::fprintf(stderr, "load_client: no arrivals in %s\n", args.arrivals.c_str());
    return 1;
  }
  std::atomic<size_t> next{0};
  std::atomic<int64_t> arrivals{0};
  std::atomic<int64_t> errors{0};
  std::mutex mu;
  std::vector<double> latencies_ms;
  std::string first_error;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(args.seconds);
  std::vector<Clock::time_point> finished(static_cast<size_t>(args.connections), start);

  auto worker = [&](int t) {
    Connection conn(args.port);
    std::vector<double> mine;
    for (size_t i; Clock::now() < deadline && (i = next.fetch_add(1)) < pool.size();) {
      char id[64];
      long long holding = 0, head = 0;
      if (std::sscanf(pool[i].c_str(), "%63s %lld %lld", id, &holding, &head) != 3) {
        errors.fetch_add(1);
        continue;
      }
      const std::string body = "{\"place\":\"bench\",\"holding\":" + std::to_string(holding) +
                               ",\"head_count\":" + std::to_string(head) + "}";
      const auto t0 = Clock::now();
      auto res = conn.Send("POST", std::string("/api/v1/certificates/") + id + "/consume",
                           args.token, body);
      const auto t1 = Clock::now();
      if (!res || res->status != 200) {
        if (errors.fetch_add(1) == 0) {
          std::lock_guard lock(mu);
          first_error =
              res ? std::to_string(res->status) + " " + res->body.substr(0, 300) : "no answer";
        }
        continue;
      }
      mine.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      ++arrivals;
      finished[static_cast<size_t>(t)] = t1;
    }
    std::lock_guard lock(mu);
    latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < args.connections; ++t) threads.emplace_back(worker, t);
  for (auto& th : threads) th.join();

  const auto end = *std::max_element(finished.begin(), finished.end());
  const double secs = std::chrono::duration<double>(end - start).count();
  if (!first_error.empty())
    std::fprintf(stderr, "load_client: first error: %s\n", first_error.c_str());
  std::printf(
      "HP_RESULT arrivals=%lld pool=%zu errors=%lld seconds=%.2f arrivals_per_s=%.1f "
      "p50_ms=%.2f p99_ms=%.2f\n",
      static_cast<long long>(arrivals.load()), pool.size(), static_cast<long long>(errors.load()),
      secs, secs > 0 ? static_cast<double>(arrivals.load()) / secs : 0.0,
      Percentile(latencies_ms, 50), Percentile(latencies_ms, 99));
  return errors.load() > 0 ? 1 : 0;
}

}  // namespace
}  // namespace herdpass::bench

namespace herdpass::bench {

// One W1 batch body of `args.batch` records, as the W1 run sends them (the records of a sync
// batch, JSON as the web app's JSON.stringify writes it), on stdout: for bench/run.sh to measure
// it sent as it is and gzip-encoded.
int WriteBatchBody(const Args& args) {
  std::mt19937_64 rng(20261207);
  const uint64_t base_ms = 1796601600000;  // 2026-12-07: fixed, so that the body is too
  std::vector<BenchRecord> batch;
  for (int k = 0; k < args.batch; ++k) {
    const auto owner = static_cast<int64_t>(rng() % static_cast<uint64_t>(args.pool_owners));
    const int animal = static_cast<int>(rng() % kAnimalsPerOwner);
    const int disease = static_cast<int>(rng() % 5);
    const int days_ago = static_cast<int>(rng() % 30);
    batch.push_back(MakeRecord(Uuid7(base_ms, static_cast<uint64_t>(k)), kW1OwnerBase + owner,
                               animal, disease, days_ago));
  }
  std::cout << BatchBody(batch);
  return std::cout.good() ? 0 : 1;
}

}  // namespace herdpass::bench

int main(int argc, char** argv) {
  herdpass::bench::Args args;
  if (argc < 2) {
    std::cerr << "usage: load_client login|setup|w1|arrive|batch-body --port P [options]\n";
    return 2;
  }
  args.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "load_client: " << a << " needs a value\n";
      return 2;
    }
    const char* v = argv[++i];
    if (a == "--port") {
      args.port = std::atoi(v);
    } else if (a == "--token") {
      args.token = v;
    } else if (a == "--username") {
      args.username = v;
    } else if (a == "--pool-owners") {
      args.pool_owners = std::atoi(v);
    } else if (a == "--batch") {
      args.batch = std::atoi(v);
    } else if (a == "--connections") {
      args.connections = std::atoi(v);
    } else if (a == "--seconds") {
      args.seconds = std::atof(v);
    } else if (a == "--arrivals") {
      args.arrivals = v;
    } else {
      std::cerr << "load_client: unknown option " << a << "\n";
      return 2;
    }
  }
  if (args.mode == "batch-body") return herdpass::bench::WriteBatchBody(args);
  if (args.port <= 0 || args.port > 65535) {
    std::cerr << "load_client: --port is required\n";
    return 2;
  }
  if (args.mode == "login") return herdpass::bench::Login(args);
  if (args.mode == "setup") return herdpass::bench::Setup(args);
  if (args.mode == "w1") return herdpass::bench::W1(args);
  if (args.mode == "arrive") return herdpass::bench::Arrive(args);
  std::cerr << "load_client: unknown mode " << args.mode << "\n";
  return 2;
}
