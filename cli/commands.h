// The `herdpass` subcommands. Each returns the process exit code: 0 on success, 1 when the command
// ran but found a problem (e.g. a broken audit chain), 2 for bad usage or input.
#pragma once

#include <memory>
#include <string>

#include "domain/catalogue.h"
#include "domain/status.h"
#include "service/service.h"
#include "store/store.h"

namespace herdpass::cli {

// The deployment settings kept in DIR/herdpass.conf (TOML-style "key = value" lines) by `init`.
struct Deployment {
  std::string data_dir;
  std::string region = "KZ";
  std::string authority = "KZ";
  std::string listen = "127.0.0.1:8080";
};

std::string DatabasePath(const std::string& data_dir);
std::string ConfigPath(const std::string& data_dir);
// Reads DIR/herdpass.conf into `d` (fields not in the file keep their values).
Status LoadDeployment(Deployment& d);
Status SaveDeployment(const Deployment& d);

// An opened data directory: store, clock and service wired together.
struct Opened {
  std::unique_ptr<Store> store;
  SystemClock clock;
  std::unique_ptr<HerdService> service;
};
Result<std::unique_ptr<Opened>> OpenDataDir(const Deployment& d, const ServiceConfig& config);

int Fail(const Status& s);  // prints "herdpass: <message>" to stderr, returns 1 or 2

struct DemoResult {
  std::string example_phone;  // an owner to try the phone check with
};
// Seeds a synthetic county into the opened store. Deterministic for a given seed and "today".
Result<DemoResult> SeedDemo(HerdService& service, const Deployment& d, int owners, uint32_t seed);

}  // namespace herdpass::cli
