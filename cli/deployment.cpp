#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace herdpass::cli {

std::string DatabasePath(const std::string& data_dir) { return data_dir + "/herdpass.db"; }
std::string ConfigPath(const std::string& data_dir) { return data_dir + "/herdpass.conf"; }
std::string KeyDir(const std::string& data_dir) { return data_dir + "/keys"; }

namespace {

// The database holds personal data and herdpass.conf may hold a database password: the owner's
// alone. SQLite gives the -wal and -shm files the database file's mode, so the database is made
// 0600 before SQLite opens it; files left readable by an older version are closed up.
Status KeepPrivate(const std::string& db_path) {
  const int fd = ::open(db_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Unavailable("cannot open " + db_path + ": " + std::strerror(errno));
  ::close(fd);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string path = db_path + suffix;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 077) == 0) continue;
    if (::chmod(path.c_str(), 0600) != 0) {
      return Unavailable("cannot make " + path + " private (chmod 600): " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

}  // namespace

Status LoadDeployment(Deployment& d) {
  const std::string path = ConfigPath(d.data_dir);
  if (!std::filesystem::exists(path)) return Status::Ok();
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_file(path);
  } catch (const CLI::Error& e) {
    return InvalidArgument("config", path + ": " + e.what());
  }
  for (const auto& item : items) {
    if (item.inputs.empty()) continue;
    const std::string& v = item.inputs.front();
    if (item.name == "region")
      d.region = v;
    else if (item.name == "authority")
      d.authority = v;
    else if (item.name == "listen")
      d.listen = v;
    else if (item.name == "db")
      d.db = v;
  }
  return Status::Ok();
}

Status SaveDeployment(const Deployment& d) {
  const std::string path = ConfigPath(d.data_dir);
  std::ofstream out(path, std::ios::trunc);
  out << "# HerdPass deployment settings, written by `herdpass init`.\n"
      << "# Command-line options and HERDPASS_* environment variables take precedence.\n"
      << "region = \"" << d.region << "\"\n"
      << "authority = \"" << d.authority << "\"\n"
      << "listen = \"" << d.listen << "\"\n";
  if (!d.db.empty()) out << "db = \"" << d.db << "\"\n";
  out.close();
  if (!out) return Unavailable("cannot write " + path);
  if (::chmod(path.c_str(), 0600) != 0) return Unavailable("cannot chmod 600 " + path);
  return Status::Ok();
}

Result<std::unique_ptr<Store>> OpenStore(const Deployment& d) {
  if (IsPostgresUri(d.db)) {
    PostgresOptions opts;
    opts.conninfo = d.db;
    return OpenPostgresStore(opts);
  }
  if (!d.db.empty()) {
    return InvalidArgument("db", "--db takes a postgresql:// URI; without it the database is " +
                                     DatabasePath(d.data_dir));
  }
  SqliteOptions opts;
  opts.path = DatabasePath(d.data_dir);
  HP_RETURN_IF_ERROR(KeepPrivate(opts.path));
  return OpenSqliteStore(opts);
}

Result<bool> DatabaseExists(const Deployment& d) {
  if (!IsPostgresUri(d.db)) return std::filesystem::exists(DatabasePath(d.data_dir));
  HP_ASSIGN_OR_RETURN(auto store, OpenStore(d));
  HP_ASSIGN_OR_RETURN(auto counts, store->Counts());
  return counts.users > 0;
}

Result<std::unique_ptr<Opened>> OpenDataDir(const Deployment& d, const ServiceConfig& config) {
  if (!IsPostgresUri(d.db) && !std::filesystem::exists(DatabasePath(d.data_dir))) {
    return FailedPrecondition("no HerdPass database in " + d.data_dir +
                              "; create one with `herdpass init --data " + d.data_dir + "`");
  }
  HP_ASSIGN_OR_RETURN(auto store, OpenStore(d));
  if (IsPostgresUri(d.db)) {
    HP_ASSIGN_OR_RETURN(auto counts, store->Counts());
    if (counts.users == 0) {
      return FailedPrecondition(
          "the PostgreSQL database holds no HerdPass deployment yet; create one with `herdpass "
          "init --data " +
          d.data_dir + " --db postgresql://...`");
    }
  }
  auto opened = std::make_unique<Opened>();
  opened->store = std::move(store);
  opened->service = std::make_unique<HerdService>(*opened->store, opened->clock, DefaultCatalogue(),
                                                  config, opened->random);
  return opened;
}

int Fail(const Status& s) {
  std::cerr << "herdpass: " << (s.field().empty() ? "" : s.field() + ": ") << s.message() << "\n";
  return s.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

}  // namespace herdpass::cli
