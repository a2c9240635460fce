// `herdpass backup`, `herdpass restore` and scheduled backups. See cli/backup.h for the contracts
// and docs/backup-format.md for the directory and its manifest.
#include "cli/backup.h"

#include <fcntl.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "domain/time.h"
#include "http/metrics.h"
#include "store/sqlite/sqlite_store.h"

namespace herdpass::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::system_clock;

constexpr const char* kFormatName = "herdpass-backup";
constexpr const char* kManifestName = "manifest.json";
constexpr const char* kDatabaseName = "herdpass.db";
constexpr const char* kConfName = "herdpass.conf";
constexpr const char* kKeysDirName = "keys";
constexpr const char* kTmpSuffix = ".tmp";
// Beside the data directory's database during a restore, and what a forced restore keeps of the
// database it replaces.
constexpr const char* kRestoringName = "herdpass.db.restoring";
constexpr const char* kReplacedName = "herdpass.db.replaced";
constexpr const char* kScheduledPrefix = "herdpass-";
constexpr int64_t kMiB = int64_t{1024} * 1024;

// strerror's text, thread-safely (the scheduler's thread and the server's run at once).
std::string ErrnoText(int e) { return std::error_code(e, std::generic_category()).message(); }

std::string StripTrailingSlashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// fsync of a file or a directory (a rename is durable once its directory is synced).
Status SyncPath(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unavailable("cannot open " + path + ": " + ErrnoText(errno));
  const int rc = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  if (rc != 0) return Unavailable("cannot sync " + path + " to disk: " + ErrnoText(e));
  return Status::Ok();
}

Status MakePrivateDir(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return Unavailable("cannot create " + path + ": " + ec.message());
  if (::chmod(path.c_str(), 0700) != 0) {
    return Unavailable("cannot restrict " + path + " to its owner: " + ErrnoText(errno));
  }
  return Status::Ok();
}

Status Rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return Unavailable("cannot rename " + from + " to " + to + ": " + ErrnoText(errno));
  }
  return Status::Ok();
}

void RemoveQuietly(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
}

// Prints "<what>: 35% (<done> of <total> <unit>)" at each 5% once a run has lasted a second:
// short runs stay quiet.
class ProgressPrinter {
 public:
  ProgressPrinter(std::ostream* out, std::string what, std::string unit)
      : out_(out), what_(std::move(what)), unit_(std::move(unit)) {}

  void operator()(int64_t done, int64_t total) {
    if (out_ == nullptr || total <= 0) return;
    if (std::chrono::steady_clock::now() - start_ < std::chrono::seconds(1)) return;
    const int64_t percent = done * 100 / total;
    if (percent / 5 <= last_step_) return;
    last_step_ = percent / 5;
    *out_ << what_ << ": " << percent << "% (" << done << " of " << total << " " << unit_ << ")"
          << std::endl;
  }

 private:
  std::ostream* out_;
  std::string what_;
  std::string unit_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  int64_t last_step_ = -1;
};

struct Digest {
  int64_t size = 0;
  std::string sha256;  // lowercase hex
};

// Reads `path` through SHA-256 (libsodium, as everywhere in HerdPass). When `copy_to` is given,
// the bytes also go to that NEW file (O_EXCL, `mode`), which is fsynced before this returns: the
// digest is then of exactly what was written.
Result<Digest> HashFile(const std::string& path, const std::string& copy_to = "",
                        mode_t mode = 0600,
                        const std::function<void(int64_t, int64_t)>& progress = nullptr) {
  const int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Unavailable("cannot read " + path + ": " + ErrnoText(errno));
  struct stat st {};
  ::fstat(in, &st);
  int out = -1;
  if (!copy_to.empty()) {
    out = ::open(copy_to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (out < 0) {
      const int e = errno;
      ::close(in);
      return Unavailable("cannot create " + copy_to + ": " + ErrnoText(e));
    }
    ::fchmod(out, mode);  // whatever the umask
  }
  auto fail = [&](const std::string& message) -> Status {
    ::close(in);
    if (out >= 0) {
      ::close(out);
      ::unlink(copy_to.c_str());
    }
    return Unavailable(message);
  };

  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::vector<unsigned char> buf(1 << 20);
  Digest d;
  for (;;) {
    const ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot read " + path + ": " + ErrnoText(errno));
    }
    if (n == 0) break;
    crypto_hash_sha256_update(&state, buf.data(), static_cast<unsigned long long>(n));
    d.size += n;
    for (ssize_t written = 0; out >= 0 && written < n;) {
      const ssize_t w = ::write(out, buf.data() + written, static_cast<size_t>(n - written));
      if (w < 0) {
        if (errno == EINTR) continue;
        return fail("cannot write " + copy_to + ": " + ErrnoText(errno));
      }
      written += w;
    }
    if (progress) progress(d.size, st.st_size);
  }
  if (out >= 0 && ::fsync(out) != 0)
    return fail("cannot sync " + copy_to + ": " + ErrnoText(errno));
  ::close(in);
  if (out >= 0) ::close(out);

  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, hash);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  d.sha256 = hex;
  return d;
}

Status WriteNewFile(const std::string& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Unavailable("cannot create " + path + ": " + ErrnoText(errno));
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t w = ::write(fd, text.data() + written, text.size() - written);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      const int e = errno;
      ::close(fd);
      return Unavailable("cannot write " + path + ": " + ErrnoText(e));
    }
    written += static_cast<size_t>(w);
  }
  const bool synced = ::fsync(fd) == 0;
  const int e = errno;
  ::close(fd);
  if (!synced) return Unavailable("cannot sync " + path + ": " + ErrnoText(e));
  return Status::Ok();
}

// --- the manifest ---

struct ManifestFile {
  std::string path;  // relative to the backup directory, '/'-separated
  int64_t size = 0;
  std::string sha256;
};

struct Manifest {
  int format_version = kBackupFormatVersion;
  std::string created_at;  // RFC 3339 UTC
  std::string source;      // the data directory backed up
  int schema_version = 0;
  StoreCounts counts;
  AuditHead audit_head;
  std::string integrity_check;
  int64_t page_size = 0;
  int64_t page_count = 0;
  std::vector<ManifestFile> files;
};

// The counts by their manifest names, in manifest order.
std::vector<std::pair<const char*, int64_t*>> CountFields(StoreCounts& c) {
  return {
      {"owners", &c.owners}, {"animals", &c.animals},           {"vaccinations", &c.vaccinations},
      {"users", &c.users},   {"certificates", &c.certificates}, {"audit", &c.audit_rows}};
}

// Written in this order (ordered_json) for a reader's sake; read by name.
nlohmann::ordered_json ToJson(Manifest m) {
  nlohmann::ordered_json counts = nlohmann::ordered_json::object();
  for (auto [name, value] : CountFields(m.counts)) counts[name] = *value;
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const auto& f : m.files) {
    files.push_back({{"path", f.path}, {"size", f.size}, {"sha256", f.sha256}});
  }
  return {{"format", kFormatName},
          {"format_version", m.format_version},
          {"created_at", m.created_at},
          {"source", m.source},
          {"schema_version", m.schema_version},
          {"database",
           {{"file", kDatabaseName},
            {"integrity_check", m.integrity_check},
            {"page_size", m.page_size},
            {"page_count", m.page_count}}},
          {"counts", counts},
          {"audit_head", {{"seq", m.audit_head.seq}, {"hash", m.audit_head.hash}}},
          {"files", files}};
}

// A path the manifest may name: herdpass.db, herdpass.conf or keys/<file>; nothing that leaves
// the backup directory.
bool SafeBackupPath(const std::string& p) {
  if (p == kDatabaseName || p == kConfName) return true;
  const std::string keys = std::string(kKeysDirName) + "/";
  if (p.rfind(keys, 0) != 0) return false;
  const std::string name = p.substr(keys.size());
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

Result<Manifest> ReadManifest(const std::string& backup_dir) {
  const std::string path = backup_dir + "/" + kManifestName;
  std::error_code ec;
  if (!fs::is_directory(backup_dir, ec)) {
    return FailedPrecondition(backup_dir + " is not a directory");
  }
  if (!fs::exists(path, ec)) {
    return FailedPrecondition(path +
                              " is missing: not a HerdPass backup, or one that did not finish");
  }
  auto text = ReadTextFile(path);
  if (!text.ok()) return FailedPrecondition("cannot read " + path);
  const json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("format", "") != kFormatName) {
    return FailedPrecondition(path + " is not a HerdPass backup manifest");
  }
  Manifest m;
  try {
    m.format_version = j.at("format_version").get<int>();
    if (m.format_version != kBackupFormatVersion) {
      return FailedPrecondition(
          path + ": backup format version " + std::to_string(m.format_version) +
          " is not one this program reads (it reads " + std::to_string(kBackupFormatVersion) + ")");
    }
    m.created_at = j.at("created_at").get<std::string>();
    m.source = j.value("source", "");
    m.schema_version = j.at("schema_version").get<int>();
    m.integrity_check = j.at("database").at("integrity_check").get<std::string>();
    for (auto [name, value] : CountFields(m.counts))
      *value = j.at("counts").at(name).get<int64_t>();
    m.audit_head.seq = j.at("audit_head").at("seq").get<int64_t>();
    m.audit_head.hash = j.at("audit_head").at("hash").get<std::string>();
    for (const auto& f : j.at("files")) {
      m.files.push_back({f.at("path").get<std::string>(), f.at("size").get<int64_t>(),
                         f.at("sha256").get<std::string>()});
    }
  } catch (const json::exception& e) {
    return FailedPrecondition(path + " is damaged: " + e.what());
  }
  return m;
}

// The checks of a backup's files against its manifest: each problem, named.
std::vector<std::string> CheckFiles(const std::string& backup_dir, const Manifest& m) {
  std::vector<std::string> problems;
  bool has_database = false;
  std::set<std::string> seen;
  for (const auto& f : m.files) {
    if (!SafeBackupPath(f.path)) {
      problems.push_back("the manifest names \"" + f.path + "\", which is not a backup file");
      continue;
    }
    if (!seen.insert(f.path).second) {
      problems.push_back("the manifest lists " + f.path + " twice");
      continue;
    }
    has_database = has_database || f.path == kDatabaseName;
    const std::string path = backup_dir + "/" + f.path;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      problems.push_back(f.path + " is missing");
      continue;
    }
    auto d = HashFile(path);
    if (!d.ok()) {
      problems.push_back(f.path + ": " + d.status().message());
    } else if (d->size != f.size) {
      problems.push_back(f.path + " has " + std::to_string(d->size) + " bytes, the manifest says " +
                         std::to_string(f.size));
    } else if (d->sha256 != f.sha256) {
      problems.push_back(f.path + ": its SHA-256 is not the manifest's (the file is damaged)");
    }
  }
  if (!has_database) problems.push_back(std::string("the manifest lists no ") + kDatabaseName);
  if (m.integrity_check != "ok") {
    problems.push_back("the manifest records a failed integrity_check: " + m.integrity_check);
  }
  return problems;
}

std::string JoinProblems(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += (out.empty() ? "" : "; ") + p;
  return out;
}

// The checks of a database copy against the manifest: integrity, schema, counts, audit head.
std::vector<std::string> CheckCopy(const SqliteFileFacts& f, const Manifest& m) {
  std::vector<std::string> problems;
  if (f.integrity != "ok") problems.push_back("integrity_check of the copy: " + f.integrity);
  if (f.schema_version != m.schema_version) {
    problems.push_back("the copy has schema version " + std::to_string(f.schema_version) +
                       ", the manifest says " + std::to_string(m.schema_version));
  }
  StoreCounts have = f.counts;
  StoreCounts want = m.counts;
  auto have_fields = CountFields(have);
  auto want_fields = CountFields(want);
  for (size_t i = 0; i < have_fields.size(); ++i) {
    if (*have_fields[i].second != *want_fields[i].second) {
      problems.push_back(std::string(have_fields[i].first) + ": the copy holds " +
                         std::to_string(*have_fields[i].second) + " rows, the manifest says " +
                         std::to_string(*want_fields[i].second));
    }
  }
  if (!(f.audit_head == m.audit_head)) {
    problems.push_back("the audit chain of the copy ends at row " +
                       std::to_string(f.audit_head.seq) + ", the manifest says row " +
                       std::to_string(m.audit_head.seq) + " with another hash");
  }
  return problems;
}

std::string UtcStamp(Clock::time_point t) {
  const std::time_t tt = Clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::optional<Clock::time_point> ParseUtcStamp(const std::string& s) {
  std::tm tm{};
  const char* end = ::strptime(s.c_str(), "%Y%m%dT%H%M%SZ", &tm);
  if (end == nullptr) return std::nullopt;
  return Clock::from_time_t(::timegm(&tm));
}

// Files of a directory a backup left unfinished: only those are removed with it.
bool OnlyBackupFiles(const std::string& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename();
    if (name != kDatabaseName && name != std::string(kDatabaseName) + "-journal" &&
        name != kConfName && name != kKeysDirName && name != kManifestName) {
      return false;
    }
  }
  return !ec;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Result<BackupSummary> TakeBackup(const std::string& data_dir, const std::string& out_dir_arg,
                                 std::ostream* progress, const std::atomic<bool>* cancel) {
  const auto start = std::chrono::steady_clock::now();
  const std::string out_dir = StripTrailingSlashes(out_dir_arg);
  const std::string tmp = out_dir + kTmpSuffix;
  const std::string database = DatabasePath(data_dir);
  std::error_code ec;
  if (!fs::exists(database, ec)) {
    return NotFound("no HerdPass database in " + data_dir + " to back up");
  }
  if (fs::exists(out_dir, ec)) {
    return AlreadyExists(out_dir + " already exists: a backup goes into a new directory");
  }
  if (fs::exists(tmp, ec)) {
    // Left by a backup that was interrupted; never a directory of someone else's files.
    if (!fs::is_directory(tmp, ec) || !OnlyBackupFiles(tmp)) {
      return AlreadyExists(tmp + " exists and is not an unfinished HerdPass backup");
    }
    RemoveQuietly(tmp);
  }
  HP_RETURN_IF_ERROR(MakePrivateDir(tmp));
  struct Cleanup {
    std::string dir;
    bool armed = true;
    ~Cleanup() {
      if (armed) RemoveQuietly(dir);
    }
  } cleanup{tmp};

  // 1. The database, as of now.
  ProgressPrinter printer(progress, "backup", "pages");
  SqliteBackupOptions options;
  options.progress = [&printer](int64_t done, int64_t total) { printer(done, total); };
  options.cancel = cancel;
  const std::string db_copy = tmp + "/" + kDatabaseName;
  auto facts = BackupSqliteDatabase(database, db_copy, options);
  if (!facts.ok()) return facts.status();
  ::chmod(db_copy.c_str(), 0600);  // it holds personal data

  Manifest m;
  m.created_at = FormatRfc3339(SystemClock().Now());
  m.source = fs::absolute(data_dir, ec).lexically_normal().string();
  m.schema_version = facts->schema_version;
  m.counts = facts->counts;
  m.audit_head = facts->audit_head;
  m.integrity_check = facts->integrity;
  m.page_size = facts->page_size;
  m.page_count = facts->page_count;

  // 2. The key files, after the snapshot: every key the copy knows was written to its file before
  // its row was committed (service/keys.cpp), so its file is here too.
  std::vector<std::pair<std::string, std::string>> copies;  // relative path, source
  const std::string key_dir = KeyDir(data_dir);
  if (fs::is_directory(key_dir, ec)) {
    HP_RETURN_IF_ERROR(MakePrivateDir(tmp + "/" + kKeysDirName));
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(key_dir, ec)) {
      if (e.is_regular_file() && e.path().extension() == ".key")
        names.push_back(e.path().filename());
    }
    if (ec) return Unavailable("cannot list " + key_dir + ": " + ec.message());
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      copies.emplace_back((fs::path(kKeysDirName) / n).string(), (fs::path(key_dir) / n).string());
    }
  }
  if (fs::is_regular_file(ConfigPath(data_dir), ec))
    copies.emplace_back(kConfName, ConfigPath(data_dir));

  auto db_digest = HashFile(db_copy);
  if (!db_digest.ok()) return db_digest.status();
  m.files.push_back({kDatabaseName, db_digest->size, db_digest->sha256});
  for (const auto& [rel, src] : copies) {
    auto d = HashFile(src, (fs::path(tmp) / rel).string(), 0600);
    if (!d.ok()) return d.status();
    m.files.push_back({rel, d->size, d->sha256});
  }

  // 3. The manifest, then the directory becomes a backup in one rename.
  HP_RETURN_IF_ERROR(WriteNewFile(tmp + "/" + kManifestName, ToJson(m).dump(2) + "\n", 0600));
  if (fs::is_directory(tmp + "/" + kKeysDirName, ec)) {
    HP_RETURN_IF_ERROR(SyncPath(tmp + "/" + kKeysDirName));
  }
  HP_RETURN_IF_ERROR(SyncPath(tmp));
  HP_RETURN_IF_ERROR(Rename(tmp, out_dir));
  cleanup.armed = false;
  const std::string parent = fs::path(out_dir).parent_path().empty()
                                 ? std::string(".")
                                 : fs::path(out_dir).parent_path().string();
  HP_RETURN_IF_ERROR(SyncPath(parent));

  BackupSummary summary;
  summary.dir = out_dir;
  summary.facts = std::move(facts).value();
  for (const auto& f : m.files) summary.bytes += f.size;
  summary.seconds = SecondsSince(start);
  return summary;
}

int BackupCommand(const std::string& data_dir, const std::string& out_dir) {
  auto r = TakeBackup(data_dir, out_dir, &std::cerr);
  if (!r.ok()) return Fail(r.status());
  const StoreCounts& c = r->facts.counts;
  std::cout << "backup of " << data_dir << " written to " << r->dir << " in " << std::fixed
            << std::setprecision(2) << r->seconds << " s: " << c.owners << " owners, " << c.animals
            << " animals and flocks, " << c.vaccinations << " vaccinations, " << c.certificates
            << " certificates, " << c.users << " users, " << c.audit_rows
            << " audit rows (chain head " << r->facts.audit_head.seq << "), " << r->bytes / kMiB
            << " MiB; integrity_check ok\n";
  return 0;
}

namespace {

// Restores; every failure before the final renames leaves `data_dir` as it was.
Status Restore(const std::string& data_dir, const std::string& backup_dir_arg, bool force,
               std::ostream& out) {
  const std::string backup_dir = StripTrailingSlashes(backup_dir_arg);
  // 1. The backup, on its own: manifest and files.
  auto m = ReadManifest(backup_dir);
  if (!m.ok()) return m.status();
  if (auto problems = CheckFiles(backup_dir, *m); !problems.empty()) {
    return FailedPrecondition("the backup in " + backup_dir +
                              " is damaged; nothing was restored: " + JoinProblems(problems));
  }
  if (m->schema_version > SqliteSchemaVersion()) {
    return FailedPrecondition("the backup has schema version " + std::to_string(m->schema_version) +
                              ", newer than this program's " +
                              std::to_string(SqliteSchemaVersion()) +
                              ": restore it with a newer herdpass");
  }

  // 2. The target.
  const std::string database = DatabasePath(data_dir);
  std::error_code ec;
  const bool had_database = fs::exists(database, ec);
  if (had_database) {
    auto in_use = SqliteFileInUse(database);
    if (!in_use.ok()) return in_use.status();
    if (*in_use) {
      return FailedPrecondition("a server (or another herdpass command) has " + database +
                                " open: stop it before restoring");
    }
    if (!force) {
      return AlreadyExists(data_dir +
                           " already holds a HerdPass database; restore --force replaces it "
                           "(the replaced database is kept as " +
                           kReplacedName + ")");
    }
  }
  const bool created_dir = !fs::exists(data_dir, ec);
  HP_RETURN_IF_ERROR(MakePrivateDir(data_dir));
  const std::string restoring = data_dir + "/" + kRestoringName;
  auto remove_restoring = [&restoring] {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) RemoveQuietly(restoring + suffix);
  };
  remove_restoring();  // left by an interrupted restore
  struct Undo {
    std::function<void()> fn;
    bool armed = true;
    ~Undo() {
      if (armed) fn();
    }
  } undo{[&] {
    remove_restoring();
    if (created_dir) RemoveQuietly(data_dir);
  }};

  // 3. The database copy beside the target, checked: the bytes copied are the manifest's, and the
  // copy is sound, holds what the manifest says, and its audit chain verifies.
  const ManifestFile* db_entry = nullptr;
  for (const auto& f : m->files) {
    if (f.path == kDatabaseName) db_entry = &f;
  }
  ProgressPrinter printer(&std::cerr, "restore", "bytes");
  auto copied = HashFile(backup_dir + "/" + kDatabaseName, restoring, 0600,
                         [&printer](int64_t done, int64_t total) { printer(done, total); });
  if (!copied.ok()) return copied.status();
  if (copied->sha256 != db_entry->sha256) {
    return FailedPrecondition("the backup in " + backup_dir +
                              " is damaged; nothing was restored: " + kDatabaseName +
                              " changed while it was being restored");
  }
  auto facts = InspectSqliteFile(restoring);
  if (!facts.ok()) {
    return FailedPrecondition("the backup in " + backup_dir +
                              " is damaged; nothing was restored: " + kDatabaseName + ": " +
                              facts.status().message());
  }
  if (auto problems = CheckCopy(*facts, *m); !problems.empty()) {
    return FailedPrecondition("the backup in " + backup_dir +
                              " is damaged; nothing was restored: " + JoinProblems(problems));
  }
  int64_t audit_rows = 0;
  {
    SqliteOptions opts;
    opts.path = restoring;
    opts.readers = 1;
    auto store = OpenSqliteStore(opts);
    if (!store.ok()) return store.status();
    auto v = store.value()->VerifyAudit();
    if (!v.ok()) return v.status();
    if (!v->ok) {
      return FailedPrecondition("the backup in " + backup_dir +
                                " is damaged; nothing was restored: the audit chain is broken at "
                                "row " +
                                std::to_string(v->first_bad_seq) + ": " + v->problem);
    }
    audit_rows = v->rows;
  }
  // The store checkpointed and removed its WAL on close; what is left is the whole database.
  if (fs::exists(restoring + "-wal", ec)) {
    return Internal("the checked copy kept a write-ahead log; nothing was restored");
  }
  RemoveQuietly(restoring + "-shm");
  HP_RETURN_IF_ERROR(SyncPath(restoring));

  // 4. The key files and the settings: each through a temp file renamed into place. A key the
  // target has and the backup does not stays: it may sign for this node still.
  int keys = 0;
  bool conf_restored = false;
  for (const auto& f : m->files) {
    const bool is_key = f.path.rfind(std::string(kKeysDirName) + "/", 0) == 0;
    if (!is_key && f.path != kConfName) continue;
    const std::string target = data_dir + "/" + f.path;
    if (f.path == kConfName && fs::exists(target, ec) && !created_dir) continue;  // the node's own
    if (is_key) HP_RETURN_IF_ERROR(MakePrivateDir(KeyDir(data_dir)));
    const std::string temp = target + ".restoring";
    RemoveQuietly(temp);
    auto d = HashFile(backup_dir + "/" + f.path, temp, 0600);
    if (!d.ok()) return d.status();
    if (d->sha256 != f.sha256) {
      RemoveQuietly(temp);
      return FailedPrecondition("the backup in " + backup_dir + " is damaged: " + f.path +
                                " changed while it was being restored");
    }
    HP_RETURN_IF_ERROR(Rename(temp, target));
    keys += is_key;
    conf_restored = conf_restored || f.path == kConfName;
  }
  if (keys > 0) HP_RETURN_IF_ERROR(SyncPath(KeyDir(data_dir)));

  // 5. The database into place. The one it replaces goes aside with its WAL, as a pair, so that
  // its WAL is never applied to the restored file and nothing of it is lost.
  const std::string replaced = data_dir + "/" + kReplacedName;
  if (had_database) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) RemoveQuietly(replaced + suffix);
    HP_RETURN_IF_ERROR(Rename(database, replaced));
  }
  if (fs::exists(database + "-wal", ec))
    HP_RETURN_IF_ERROR(Rename(database + "-wal", replaced + "-wal"));
  RemoveQuietly(database + "-shm");
  RemoveQuietly(database + "-journal");
  HP_RETURN_IF_ERROR(Rename(restoring, database));
  undo.armed = false;
  HP_RETURN_IF_ERROR(SyncPath(data_dir));

  const StoreCounts& c = facts->counts;
  out << "restored the backup of " << m->created_at << " into " << data_dir << ": " << c.owners
      << " owners, " << c.animals << " animals and flocks, " << c.vaccinations << " vaccinations, "
      << c.certificates << " certificates, " << c.users << " users; audit "
      << "chain verified (" << audit_rows << " rows); " << keys << " key files"
      << (conf_restored ? ", herdpass.conf" : "") << "\n";
  if (had_database) {
    out << "the database it replaced is kept as " << replaced << " (delete it when not needed)\n";
  }
  return Status::Ok();
}

}  // namespace

int RestoreCommand(const std::string& data_dir, const std::string& backup_dir, bool force) {
  if (Status s = Restore(data_dir, backup_dir, force, std::cout); !s.ok()) return Fail(s);
  return 0;
}

Result<std::chrono::seconds> ParseBackupPeriod(const std::string& text) {
  auto bad = [&text] {
    return InvalidArgument("backup-every", "'" + text +
                                               "' is not a period: give a whole number and s, m, "
                                               "h or d, such as 30m or 1h");
  };
  if (text.size() < 2) return bad();
  int64_t n = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9' || n > 1000000) return bad();
    n = n * 10 + (text[i] - '0');
  }
  if (n <= 0) return bad();
  switch (text.back()) {
    case 's':
      return std::chrono::seconds(n);
    case 'm':
      return std::chrono::seconds(n * 60);
    case 'h':
      return std::chrono::seconds(n * 3600);
    case 'd':
      return std::chrono::seconds(n * 86400);
    default:
      return bad();
  }
}

// --- scheduled backups ---

namespace {

class SystemScheduleClock : public ScheduleClock {
 public:
  std::chrono::system_clock::time_point Now() override { return Clock::now(); }
  void WaitUntil(std::chrono::system_clock::time_point until) override {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, until - Clock::now(), [this] { return woken_; });
  }
  void Wake() override {
    std::lock_guard lock(mu_);
    woken_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;  // guarded by mu_
};

}  // namespace

std::unique_ptr<ScheduleClock> RealScheduleClock() {
  return std::make_unique<SystemScheduleClock>();
}

BackupScheduler::BackupScheduler(std::string data_dir, BackupSchedule schedule,
                                 ScheduleClock* clock)
    : data_dir_(std::move(data_dir)),
      schedule_(std::move(schedule)),
      own_clock_(clock == nullptr ? RealScheduleClock() : nullptr),
      clock_(clock == nullptr ? own_clock_.get() : clock) {
  if (schedule_.dir.empty()) schedule_.dir = data_dir_ + "/backups";
  schedule_.dir = StripTrailingSlashes(schedule_.dir);
  if (schedule_.keep < 1) schedule_.keep = 1;
  if (schedule_.every <= std::chrono::seconds(0)) schedule_.every = std::chrono::hours(1);
  thread_ = std::thread([this] { Loop(); });
}

BackupScheduler::~BackupScheduler() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cancel_ = true;
  clock_->Wake();
  thread_.join();
}

BackupScheduler::Stats BackupScheduler::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

namespace {

// Complete scheduled backups in `dir`, oldest first (their names sort by time).
std::vector<std::string> ScheduledBackups(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename();
    if (name.rfind(kScheduledPrefix, 0) != 0 || name.ends_with(kTmpSuffix)) continue;
    std::error_code ec2;
    if (!e.is_directory(ec2) || !fs::exists(e.path() / kManifestName, ec2)) continue;
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

void BackupScheduler::Loop() {
  // The first backup is due `every` after the newest one already there, so that restarting the
  // server does not put backups off; at once when there is none.
  auto wait = Clock::duration::zero();
  const auto existing = ScheduledBackups(schedule_.dir);
  if (!existing.empty()) {
    const std::string stamp = existing.back().substr(std::string(kScheduledPrefix).size(), 16);
    if (auto t = ParseUtcStamp(stamp)) {
      const auto age = clock_->Now() - *t;
      if (age < schedule_.every) {
        wait = std::min<Clock::duration>(schedule_.every - age, schedule_.every);
      }
    }
  }
  auto next = clock_->Now() + wait;
  for (;;) {
    clock_->WaitUntil(next);
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    next = clock_->Now() + schedule_.every;
    RunOnce();
  }
}

void BackupScheduler::RunOnce() {
  const auto start = std::chrono::steady_clock::now();
  Status result;
  std::string target;
  try {
    if (Status s = MakePrivateDir(schedule_.dir); !s.ok()) {
      result = s;
    } else {
      const std::string base = schedule_.dir + "/" + kScheduledPrefix + UtcStamp(clock_->Now());
      target = base;
      std::error_code ec;
      for (int i = 2; fs::exists(target, ec) || fs::exists(target + kTmpSuffix, ec); ++i) {
        target = base + "-" + std::to_string(i);
      }
      auto r = TakeBackup(data_dir_, target, nullptr, &cancel_);
      if (r.ok()) {
        spdlog::info("backup: {} written in {:.2f} s ({} vaccinations, {} MiB)", target, r->seconds,
                     r->facts.counts.vaccinations, r->bytes / kMiB);
      } else {
        result = r.status();
      }
    }
  } catch (const std::exception& e) {
    result = Internal(std::string("backup failed: ") + e.what());
  }
  if (result.ok()) {
    try {
      Prune();
    } catch (const std::exception& e) {
      spdlog::error("backup: removing old backups failed: {}", e.what());
    }
  }
  {
    std::lock_guard lock(mu_);
    stats_.last_duration_seconds = SecondsSince(start);
    if (result.ok()) {
      ++stats_.succeeded;
      stats_.last_success = clock_->Now();
    } else {
      ++stats_.failed;
      stats_.last_failure = clock_->Now();
    }
  }
  if (!result.ok()) {
    spdlog::error("backup into {} failed: {}", target.empty() ? schedule_.dir : target,
                  result.message());
  }
}

void BackupScheduler::Prune() {
  auto names = ScheduledBackups(schedule_.dir);
  const size_t keep = static_cast<size_t>(schedule_.keep);
  for (size_t i = 0; i + keep < names.size(); ++i) {
    std::error_code ec;
    fs::remove_all(schedule_.dir + "/" + names[i], ec);
    if (ec) {
      spdlog::warn("backup: cannot remove old backup {}: {}", names[i], ec.message());
    } else {
      spdlog::info("backup: removed old backup {} (keeping the newest {})", names[i], keep);
    }
  }
  // Unfinished ones of a run that crashed: none is in progress here.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(schedule_.dir, ec)) {
    const std::string name = e.path().filename();
    if (name.rfind(kScheduledPrefix, 0) == 0 && name.ends_with(kTmpSuffix) &&
        OnlyBackupFiles(e.path())) {
      RemoveQuietly(e.path());
    }
  }
}

void RegisterBackupMetrics(http::MetricsRegistry& metrics, const BackupScheduler& backups) {
  metrics.RegisterGaugeFamily("herdpass_backups_total",
                              "Scheduled backups since the server started, by result", [&backups] {
                                auto s = backups.stats();
                                return std::vector<std::pair<http::Labels, double>>{
                                    {{{"result", "ok"}}, static_cast<double>(s.succeeded)},
                                    {{{"result", "failed"}}, static_cast<double>(s.failed)}};
                              });
  auto seconds = [](const std::optional<Clock::time_point>& t) {
    return t ? std::chrono::duration<double>(t->time_since_epoch()).count() : 0.0;
  };
  metrics.RegisterGauge("herdpass_backup_last_success_timestamp_seconds",
                        "When the last scheduled backup succeeded (Unix time; 0: never)",
                        [&backups, seconds] { return seconds(backups.stats().last_success); });
  metrics.RegisterGauge("herdpass_backup_last_failure_timestamp_seconds",
                        "When the last scheduled backup failed (Unix time; 0: never)",
                        [&backups, seconds] { return seconds(backups.stats().last_failure); });
  metrics.RegisterGauge("herdpass_backup_last_duration_seconds",
                        "How long the last scheduled backup took",
                        [&backups] { return backups.stats().last_duration_seconds; });
}

}  // namespace herdpass::cli
