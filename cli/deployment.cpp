#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "store/sqlite/sqlite_store.h"

namespace herdpass::cli {

std::string DatabasePath(const std::string& data_dir) { return data_dir + "/herdpass.db"; }
std::string ConfigPath(const std::string& data_dir) { return data_dir + "/herdpass.conf"; }
std::string KeyDir(const std::string& data_dir) { return data_dir + "/keys"; }

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
  out.close();
  if (!out) return Unavailable("cannot write " + path);
  return Status::Ok();
}

Result<std::unique_ptr<Opened>> OpenDataDir(const Deployment& d, const ServiceConfig& config) {
  if (!std::filesystem::exists(DatabasePath(d.data_dir))) {
    return FailedPrecondition("no HerdPass database in " + d.data_dir +
                              "; create one with `herdpass init --data " + d.data_dir + "`");
  }
  SqliteOptions opts;
  opts.path = DatabasePath(d.data_dir);
  auto store = OpenSqliteStore(opts);
  if (!store.ok()) return store.status();
  auto opened = std::make_unique<Opened>();
  opened->store = std::move(store).value();
  opened->service =
      std::make_unique<HerdService>(*opened->store, opened->clock, DefaultCatalogue(), config);
  return opened;
}

int Fail(const Status& s) {
  std::cerr << "herdpass: " << (s.field().empty() ? "" : s.field() + ": ") << s.message() << "\n";
  return s.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

}  // namespace herdpass::cli
