// Backup and restore. See backup/backup.h for the contracts and docs/backup-format.md for the
// directory and its manifest.
#include "backup/backup.h"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

namespace herdpass::backup {

namespace detail {

std::string StripTrailingSlashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace detail

namespace {

using detail::kManifestName;
using detail::kTmpSuffix;
using detail::StripTrailingSlashes;
using nlohmann::json;

constexpr const char* kFormatName = "herdpass-backup";
constexpr const char* kDatabaseName = "herdpass.db";
constexpr const char* kConfName = "herdpass.conf";
constexpr const char* kKeysDirName = "keys";
// Beside the data directory's database during a restore, and what a forced restore keeps of the
// database it replaces.
constexpr const char* kRestoringName = "herdpass.db.restoring";
constexpr const char* kReplacedName = "herdpass.db.replaced";

std::string Join(const std::string& dir, const std::string& name) { return dir + "/" + name; }

std::string ParentOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

void RemoveQuietly(FileSystem& fs, const std::string& path) { (void)fs.RemoveAll(path); }

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Prints "<what>: 35% (<done> of <total> <unit>)" at each 5% once a run has lasted a second:
// short runs stay quiet. (Real time, as the operator watching it sees time; it decides only
// whether a line is printed.)
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
// the bytes also go to that NEW file (0600), which is fsynced before this returns: the digest is
// then of exactly what was written. A failed copy is removed.
Result<Digest> HashFile(FileSystem& fs, const std::string& path, const std::string& copy_to = "",
                        const std::function<void(int64_t, int64_t)>& progress = nullptr) {
  HP_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> in, fs.OpenForRead(path));
  std::unique_ptr<WritableFile> out;
  if (!copy_to.empty()) {
    HP_ASSIGN_OR_RETURN(out, fs.CreateNewFile(copy_to));
  }
  auto fail = [&](Status s) -> Status {
    if (out != nullptr) {
      out.reset();
      RemoveQuietly(fs, copy_to);
    }
    return s;
  };

  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::vector<char> buf(1 << 20);
  Digest d;
  for (;;) {
    auto n = in->Read(buf.data(), buf.size());
    if (!n.ok()) return fail(n.status());
    if (*n == 0) break;
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(buf.data()), *n);
    d.size += static_cast<int64_t>(*n);
    if (out != nullptr) {
      if (Status s = out->Append(std::string_view(buf.data(), *n)); !s.ok()) return fail(s);
    }
    if (progress) progress(d.size, in->size());
  }
  if (out != nullptr) {
    if (Status s = out->Sync(); !s.ok()) return fail(s);
    if (Status s = out->Close(); !s.ok()) return fail(s);
  }

  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, hash);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  d.sha256 = hex;
  return d;
}

Status WriteNewFile(FileSystem& fs, const std::string& path, const std::string& text) {
  HP_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, fs.CreateNewFile(path));
  HP_RETURN_IF_ERROR(f->Append(text));
  HP_RETURN_IF_ERROR(f->Sync());
  return f->Close();
}

Result<std::string> ReadWholeFile(FileSystem& fs, const std::string& path) {
  HP_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> in, fs.OpenForRead(path));
  std::string text;
  char buf[1 << 14];
  for (;;) {
    HP_ASSIGN_OR_RETURN(const size_t n, in->Read(buf, sizeof buf));
    if (n == 0) return text;
    text.append(buf, n);
  }
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

Result<Manifest> ReadManifest(FileSystem& fs, const std::string& backup_dir) {
  const std::string path = Join(backup_dir, kManifestName);
  if (!fs.IsDirectory(backup_dir)) return FailedPrecondition(backup_dir + " is not a directory");
  if (!fs.Exists(path)) {
    return FailedPrecondition(path +
                              " is missing: not a HerdPass backup, or one that did not finish");
  }
  auto text = ReadWholeFile(fs, path);
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
std::vector<std::string> CheckFiles(FileSystem& fs, const std::string& backup_dir,
                                    const Manifest& m) {
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
    const std::string path = Join(backup_dir, f.path);
    if (!fs.IsRegularFile(path)) {
      problems.push_back(f.path + " is missing");
      continue;
    }
    auto d = HashFile(fs, path);
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

// Runs `fn` when it goes out of scope, unless disarmed.
class Undo {
 public:
  explicit Undo(std::function<void()> fn) : fn_(std::move(fn)) {}
  ~Undo() {
    if (armed_) fn_();
  }
  Undo(const Undo&) = delete;
  Undo& operator=(const Undo&) = delete;
  void Disarm() { armed_ = false; }

 private:
  std::function<void()> fn_;
  bool armed_ = true;
};

}  // namespace

namespace detail {

bool OnlyBackupFiles(FileSystem& fs, const std::string& dir) {
  auto entries = fs.ListDirectory(dir);
  if (!entries.ok()) return false;
  for (const auto& e : *entries) {
    if (e.name != kDatabaseName && e.name != std::string(kDatabaseName) + "-journal" &&
        e.name != kConfName && e.name != kKeysDirName && e.name != kManifestName) {
      return false;
    }
  }
  return true;
}

}  // namespace detail

BackupEnv SystemBackupEnv() {
  static const SystemClock clock;
  return {PosixFileSystem(), SqliteDatabaseFiles(), clock};
}

Result<BackupSummary> TakeBackup(const BackupEnv& env, const std::string& data_dir,
                                 const std::string& out_dir_arg, std::ostream* progress,
                                 const std::atomic<bool>* cancel) {
  FileSystem& fs = env.fs;
  const auto start = std::chrono::steady_clock::now();
  const std::string out_dir = StripTrailingSlashes(out_dir_arg);
  const std::string tmp = out_dir + kTmpSuffix;
  const std::string database = Join(data_dir, kDatabaseName);
  if (!fs.Exists(database)) return NotFound("no HerdPass database in " + data_dir + " to back up");
  if (fs.Exists(out_dir)) {
    return AlreadyExists(out_dir + " already exists: a backup goes into a new directory");
  }
  if (fs.Exists(tmp)) {
    // Left by a backup that was interrupted; never a directory of someone else's files.
    if (!fs.IsDirectory(tmp) || !detail::OnlyBackupFiles(fs, tmp)) {
      return AlreadyExists(tmp + " exists and is not an unfinished HerdPass backup");
    }
    RemoveQuietly(fs, tmp);
  }
  HP_RETURN_IF_ERROR(fs.CreatePrivateDirectory(tmp));
  Undo cleanup([&fs, &tmp] { RemoveQuietly(fs, tmp); });

  // 1. The database, as of now.
  ProgressPrinter printer(progress, "backup", "pages");
  SqliteBackupOptions options;
  options.progress = [&printer](int64_t done, int64_t total) { printer(done, total); };
  options.cancel = cancel;
  const std::string db_copy = Join(tmp, kDatabaseName);
  HP_ASSIGN_OR_RETURN(SqliteFileFacts facts, env.db.Copy(database, db_copy, options));
  (void)fs.RestrictToOwner(db_copy);  // it holds personal data

  Manifest m;
  m.created_at = FormatRfc3339(env.clock.Now());
  m.source = fs.Absolute(data_dir);
  m.schema_version = facts.schema_version;
  m.counts = facts.counts;
  m.audit_head = facts.audit_head;
  m.integrity_check = facts.integrity;
  m.page_size = facts.page_size;
  m.page_count = facts.page_count;

  // 2. The key files, after the snapshot: every key the copy knows was written to its file before
  // its row was committed (service/keys.cpp), so its file is here too.
  std::vector<std::pair<std::string, std::string>> copies;  // relative path, source
  const std::string key_dir = Join(data_dir, kKeysDirName);
  if (fs.IsDirectory(key_dir)) {
    HP_RETURN_IF_ERROR(fs.CreatePrivateDirectory(Join(tmp, kKeysDirName)));
    HP_ASSIGN_OR_RETURN(const std::vector<DirectoryEntry> entries, fs.ListDirectory(key_dir));
    std::vector<std::string> names;
    for (const auto& e : entries) {
      if (e.is_regular_file && e.name.size() > 4 && e.name.ends_with(".key")) {
        names.push_back(e.name);
      }
    }
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      copies.emplace_back(std::string(kKeysDirName) + "/" + n, Join(key_dir, n));
    }
  }
  const std::string conf = Join(data_dir, kConfName);
  if (fs.IsRegularFile(conf)) copies.emplace_back(kConfName, conf);

  HP_ASSIGN_OR_RETURN(const Digest db_digest, HashFile(fs, db_copy));
  m.files.push_back({kDatabaseName, db_digest.size, db_digest.sha256});
  for (const auto& [rel, src] : copies) {
    HP_ASSIGN_OR_RETURN(const Digest d, HashFile(fs, src, Join(tmp, rel)));
    m.files.push_back({rel, d.size, d.sha256});
  }

  // 3. The manifest, then the directory becomes a backup in one rename.
  HP_RETURN_IF_ERROR(WriteNewFile(fs, Join(tmp, kManifestName), ToJson(m).dump(2) + "\n"));
  if (fs.IsDirectory(Join(tmp, kKeysDirName))) {
    HP_RETURN_IF_ERROR(fs.SyncPath(Join(tmp, kKeysDirName)));
  }
  HP_RETURN_IF_ERROR(fs.SyncPath(tmp));
  HP_RETURN_IF_ERROR(fs.Rename(tmp, out_dir));
  cleanup.Disarm();
  HP_RETURN_IF_ERROR(fs.SyncPath(ParentOf(out_dir)));

  BackupSummary summary;
  summary.dir = out_dir;
  summary.facts = std::move(facts);
  for (const auto& f : m.files) summary.bytes += f.size;
  summary.seconds = SecondsSince(start);
  return summary;
}

Result<RestoreSummary> RestoreBackup(const BackupEnv& env, const std::string& data_dir,
                                     const std::string& backup_dir_arg, bool force,
                                     std::ostream* progress) {
  FileSystem& fs = env.fs;
  const std::string backup_dir = StripTrailingSlashes(backup_dir_arg);
  auto damaged = [&backup_dir](const std::string& what) {
    return FailedPrecondition("the backup in " + backup_dir +
                              " is damaged; nothing was restored: " + what);
  };
  // 1. The backup, on its own: manifest and files.
  HP_ASSIGN_OR_RETURN(const Manifest m, ReadManifest(fs, backup_dir));
  if (auto problems = CheckFiles(fs, backup_dir, m); !problems.empty()) {
    return damaged(JoinProblems(problems));
  }
  if (m.schema_version > env.db.SchemaVersion()) {
    return FailedPrecondition("the backup has schema version " + std::to_string(m.schema_version) +
                              ", newer than this program's " +
                              std::to_string(env.db.SchemaVersion()) +
                              ": restore it with a newer herdpass");
  }

  // 2. The target.
  const std::string database = Join(data_dir, kDatabaseName);
  const bool had_database = fs.Exists(database);
  if (had_database) {
    HP_ASSIGN_OR_RETURN(const bool in_use, env.db.InUse(database));
    if (in_use) {
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
  const bool created_dir = !fs.Exists(data_dir);
  HP_RETURN_IF_ERROR(fs.CreatePrivateDirectory(data_dir));
  const std::string restoring = Join(data_dir, kRestoringName);
  auto remove_restoring = [&fs, &restoring] {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      RemoveQuietly(fs, restoring + suffix);
    }
  };
  remove_restoring();  // left by an interrupted restore
  Undo undo([&] {
    remove_restoring();
    if (created_dir) RemoveQuietly(fs, data_dir);
  });

  // 3. The database copy beside the target, checked: the bytes copied are the manifest's, and the
  // copy is sound, holds what the manifest says, and its audit chain verifies.
  const ManifestFile* db_entry = nullptr;
  for (const auto& f : m.files) {
    if (f.path == kDatabaseName) db_entry = &f;
  }
  ProgressPrinter printer(progress, "restore", "bytes");
  HP_ASSIGN_OR_RETURN(const Digest copied,
                      HashFile(fs, Join(backup_dir, kDatabaseName), restoring,
                               [&printer](int64_t done, int64_t total) { printer(done, total); }));
  if (copied.sha256 != db_entry->sha256) {
    return damaged(std::string(kDatabaseName) + " changed while it was being restored");
  }
  auto facts = env.db.Inspect(restoring);
  if (!facts.ok()) return damaged(std::string(kDatabaseName) + ": " + facts.status().message());
  if (auto problems = CheckCopy(*facts, m); !problems.empty()) {
    return damaged(JoinProblems(problems));
  }
  HP_ASSIGN_OR_RETURN(const AuditVerification audit, env.db.VerifyAudit(restoring));
  if (!audit.ok) {
    return damaged("the audit chain is broken at row " + std::to_string(audit.first_bad_seq) +
                   ": " + audit.problem);
  }
  // The store checkpointed and removed its WAL on close; what is left is the whole database.
  if (fs.Exists(restoring + "-wal")) {
    return Internal("the checked copy kept a write-ahead log; nothing was restored");
  }
  RemoveQuietly(fs, restoring + "-shm");
  HP_RETURN_IF_ERROR(fs.SyncPath(restoring));

  // 4. The key files and the settings: each through a temp file renamed into place. A key the
  // target has and the backup does not stays: it may sign for this node still.
  RestoreSummary summary;
  const std::string key_dir = Join(data_dir, kKeysDirName);
  for (const auto& f : m.files) {
    const bool is_key = f.path.rfind(std::string(kKeysDirName) + "/", 0) == 0;
    if (!is_key && f.path != kConfName) continue;
    const std::string target = Join(data_dir, f.path);
    if (f.path == kConfName && fs.Exists(target) && !created_dir) continue;  // the node's own
    if (is_key) HP_RETURN_IF_ERROR(fs.CreatePrivateDirectory(key_dir));
    const std::string temp = target + ".restoring";
    RemoveQuietly(fs, temp);
    HP_ASSIGN_OR_RETURN(const Digest d, HashFile(fs, Join(backup_dir, f.path), temp));
    if (d.sha256 != f.sha256) {
      RemoveQuietly(fs, temp);
      return FailedPrecondition("the backup in " + backup_dir + " is damaged: " + f.path +
                                " changed while it was being restored");
    }
    HP_RETURN_IF_ERROR(fs.Rename(temp, target));
    summary.key_files += is_key;
    summary.conf_restored = summary.conf_restored || f.path == kConfName;
  }
  if (summary.key_files > 0) HP_RETURN_IF_ERROR(fs.SyncPath(key_dir));

  // 5. The database into place. The one it replaces goes aside with its WAL, as a pair, so that
  // its WAL is never applied to the restored file and nothing of it is lost.
  const std::string replaced = Join(data_dir, kReplacedName);
  if (had_database) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      RemoveQuietly(fs, replaced + suffix);
    }
    HP_RETURN_IF_ERROR(fs.Rename(database, replaced));
    summary.replaced = replaced;
  }
  if (fs.Exists(database + "-wal"))
    HP_RETURN_IF_ERROR(fs.Rename(database + "-wal", replaced + "-wal"));
  RemoveQuietly(fs, database + "-shm");
  RemoveQuietly(fs, database + "-journal");
  HP_RETURN_IF_ERROR(fs.Rename(restoring, database));
  undo.Disarm();
  HP_RETURN_IF_ERROR(fs.SyncPath(data_dir));

  summary.created_at = m.created_at;
  summary.counts = facts->counts;
  summary.audit_rows = audit.rows;
  return summary;
}

}  // namespace herdpass::backup
