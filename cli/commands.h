// The `herdpass` subcommands. Each returns the process exit code: 0 on success, 1 when the command
// ran but found a problem (e.g. a broken audit chain), 2 for bad usage or input.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "domain/catalogue.h"
#include "domain/status.h"
#include "service/service.h"
#include "store/store.h"

namespace herdpass::cli {

// The deployment settings kept in DIR/herdpass.conf (TOML-style "key = value" lines) by `init`.
struct Deployment {
  std::string data_dir;
  // The database: "" for SQLite in DIR/herdpass.db (the default), or a postgresql:// URI
  // (store/postgres/postgres_store.h). DIR still holds herdpass.conf and the signing keys.
  std::string db;
  std::string region = "KZ";
  std::string authority = "KZ";
  std::string listen = "127.0.0.1:8080";
};

std::string DatabasePath(const std::string& data_dir);
std::string ConfigPath(const std::string& data_dir);
// Where the private signing keys live: <data dir>/keys (ServiceConfig::key_dir).
std::string KeyDir(const std::string& data_dir);
// Reads DIR/herdpass.conf into `d` (fields not in the file keep their values).
Status LoadDeployment(Deployment& d);
Status SaveDeployment(const Deployment& d);

// Opens the deployment's database, SQLite or PostgreSQL (the one place that chooses), creating and
// migrating it as needed. kInvalidArgument (field "db") for a --db that is not a postgresql:// URI.
Result<std::unique_ptr<Store>> OpenStore(const Deployment& d);
// Whether the deployment's database exists and was set up by `init`: the SQLite file is there, or
// the PostgreSQL database has users. kUnavailable when PostgreSQL cannot be reached.
Result<bool> DatabaseExists(const Deployment& d);

// An opened data directory: store, clock, randomness and service wired together.
struct Opened {
  std::unique_ptr<Store> store;
  SystemClock clock;
  SystemRandom random;
  std::unique_ptr<HerdService> service;
};
Result<std::unique_ptr<Opened>> OpenDataDir(const Deployment& d, const ServiceConfig& config);

int Fail(const Status& s);  // prints "herdpass: <message>" to stderr, returns 1 or 2

// Whole small files (trust lists, revocation lists, PNGs). Reading fails with kInvalidArgument
// naming "file" (exit code 2: a usage error); writing with kUnavailable.
Result<std::string> ReadTextFile(const std::string& path);
Status WriteTextFile(const std::string& path, const std::string& text);

// --- signing keys and trust lists (cli/keys.cpp) ---
inline constexpr int kRootKeyValidDays = 3650;    // a country root key: 10 years
inline constexpr int kSigningKeyValidDays = 730;  // an authority's signing key: 2 years

// "KZ-ABY" -> "KZ".
std::string CountryOf(const std::string& authority);
// Makes the country's root key and the node authority's signing key when this node has no usable
// local one, so that a fresh data directory can issue certificates; prints each key made to `out`.
Status EnsureSigningKeys(HerdService& service, const Deployment& d, std::ostream& out);

struct KeyNewOptions {
  std::string authority;  // a signing key for this authority
  bool root = false;      // or a root key for `country` (default: the node's country)
  std::string country;
  int valid_days = 0;  // 0: kRootKeyValidDays or kSigningKeyValidDays
};
int KeyNew(const Deployment& d, const ServiceConfig& config, const KeyNewOptions& options);
int KeyList(const Deployment& d, const ServiceConfig& config);
int KeyRetire(const Deployment& d, const ServiceConfig& config, const std::string& kid);
// Writes the current signed trust list to `file` and the public root key that signed it to
// `file`.root-key, and prints that key: the importing country pins it.
int TrustExport(const Deployment& d, const ServiceConfig& config, const std::string& file);
int TrustImport(const Deployment& d, const ServiceConfig& config, const std::string& file,
                const std::string& root_key);

// --- offline verification (cli/verify.cpp): no data directory, no server ---
struct VerifyOptions {
  std::string hp1;                       // the text, or
  std::string png;                       // a PNG file holding its QR code
  std::vector<std::string> trust_lists;  // files, each signed by one of the pinned roots
  std::vector<std::string> revocations;  // files, each signed by a key of the trust lists
  std::vector<std::string> root_keys;    // pinned root public keys, base64
  std::string now;                       // RFC 3339; default: the system clock
};
// Exit code 0 when valid, 1 when not, 2 on usage or file errors.
int VerifyOffline(const VerifyOptions& options);

// One certificate the demo issued.
struct DemoCertificate {
  std::string id;
  std::string number;
  std::string status;  // issued, consumed, revoked
  std::string hp1;
  Timestamp valid_until{};
};

struct DemoResult {
  std::string example_phone;  // an owner to try the phone check with
  std::vector<DemoCertificate> certificates;
  // Tag life (W12), when the county has more households than certificates are tried for: the
  // owner, the tag of the animal that died, and the replaced tag with its successor.
  std::string tag_life_phone;
  std::string dead_tag;
  std::string replaced_tag;
  std::string new_tag;
  // Journeys (issue 12): the buyer of the re-tagged animal (a sale at the farm), the certificate
  // that arrived one head short, and the one with a checkpoint passage; empty when not made.
  std::string buyer_phone;
  std::string mismatch_certificate;
  std::string passage_certificate;
  // A sale certificate (W8) issued to a demo buyer and arrived: its number, the buyer's phone
  // (E.164) and the ear tags sold; empty when not made.
  std::string sale_certificate;
  std::string sale_buyer_phone;
  std::vector<std::string> sale_tags;
  // W14: a confirmed outbreak of FMD at a remote demo farm and the zone around it (3 and 10 km);
  // empty and 0 when not made.
  std::string outbreak_id;
  int64_t zone_id = 0;
};
// Seeds a synthetic county into the opened store. Deterministic for a given seed and "today".
// Then issues a few certificates as demo-vet for households whose animals meet the movement rules
// (the service checks them), consumes two as demo-inspector and revokes one: the demo users must
// exist. The certificates are new on every run.
Result<DemoResult> SeedDemo(HerdService& service, const Deployment& d, int owners, uint32_t seed);

}  // namespace herdpass::cli
