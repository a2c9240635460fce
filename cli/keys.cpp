// `herdpass key ...` and `herdpass trust ...`: the operator's console for signing keys and trust
// lists (DESIGN.md section 6, W9). Private keys are written by the service into <data dir>/keys and
// never printed; these commands show public halves and kids only.
#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"

namespace herdpass::cli {
namespace {

bool IsLocalUsable(const SigningKey& k, Timestamp now) {
  return k.source == "local" && k.usable_at(now);
}

std::string KindOf(const SigningKey& k) { return k.root ? "root" : "signing"; }

std::string Day(Timestamp t) { return Date::Of(t).ToString(); }

void PrintKey(std::ostream& out, const SigningKey& k) {
  out << KindOf(k) << " key " << k.kid << " for " << k.authority << ", valid " << Day(k.valid_from)
      << " to " << Day(k.valid_until) << "\n";
}

Result<std::unique_ptr<Opened>> Open(const Deployment& d, const ServiceConfig& config) {
  return OpenDataDir(d, config);
}

// The kid of the key that signed a JWS, from its protected header; "" when it cannot be read.
std::string JwsKid(const std::string& jws) {
  auto doc = nlohmann::json::parse(jws, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("protected") || !doc["protected"].is_string()) return "";
  const std::string b64 = doc["protected"].get<std::string>();
  std::string header(b64.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(header.data()), header.size(), b64.data(),
                        b64.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return "";
  }
  header.resize(len);
  auto h = nlohmann::json::parse(header, nullptr, /*allow_exceptions=*/false);
  if (!h.is_object() || !h.contains("kid") || !h["kid"].is_string()) return "";
  return h["kid"].get<std::string>();
}

}  // namespace

std::string CountryOf(const std::string& authority) {
  return authority.substr(0, authority.find('-'));
}

Status EnsureSigningKeys(HerdService& service, const Deployment& d, std::ostream& out) {
  const Caller system = HerdService::SystemCaller();
  HP_ASSIGN_OR_RETURN(auto keys, service.ListSigningKeys(system));
  const Timestamp now = service.clock().Now();
  const std::string country = CountryOf(d.authority);
  bool have_root = false, have_signing = false;
  for (const auto& k : keys) {
    if (!IsLocalUsable(k, now)) continue;
    if (k.root && k.authority == country) have_root = true;
    if (!k.root && k.authority == d.authority) have_signing = true;
  }
  // The root first: adding the signing key then re-signs the trust list with it.
  if (!have_root) {
    HP_ASSIGN_OR_RETURN(auto root,
                        service.NewSigningKey(system, country, /*root=*/true, kRootKeyValidDays));
    PrintKey(out, root);
  }
  if (!have_signing) {
    HP_ASSIGN_OR_RETURN(auto signing, service.NewSigningKey(system, d.authority, /*root=*/false,
                                                            kSigningKeyValidDays));
    PrintKey(out, signing);
  }
  return Status::Ok();
}

int KeyNew(const Deployment& d, const ServiceConfig& config, const KeyNewOptions& o) {
  std::string authority = o.root ? o.country : o.authority;
  if (o.root && authority.empty()) authority = CountryOf(d.authority);
  if (authority.empty()) {
    return Fail(InvalidArgument("authority", "give --authority CODE, or --root [--country CC]"));
  }
  if (o.root && authority.find('-') != std::string::npos) {
    return Fail(InvalidArgument("country", "a root key belongs to a country: give a code like KZ"));
  }
  if (Status s = ValidateAuthorityCode(authority, o.root ? "country" : "authority"); !s.ok()) {
    return Fail(s);
  }
  const int days =
      o.valid_days > 0 ? o.valid_days : (o.root ? kRootKeyValidDays : kSigningKeyValidDays);
  auto opened = Open(d, config);
  if (!opened.ok()) return Fail(opened.status());
  auto key =
      opened.value()->service->NewSigningKey(HerdService::SystemCaller(), authority, o.root, days);
  if (!key.ok()) return Fail(key.status());
  PrintKey(std::cout, key.value());
  std::cout << "public key: " << key->public_key << "\n"
            << "private key file: " << config.key_dir << "/" << key->kid << ".key (mode 0600)\n";
  return 0;
}

int KeyList(const Deployment& d, const ServiceConfig& config) {
  auto opened = Open(d, config);
  if (!opened.ok()) return Fail(opened.status());
  auto keys = opened.value()->service->ListSigningKeys(HerdService::SystemCaller());
  if (!keys.ok()) return Fail(keys.status());
  const Timestamp now = opened.value()->clock.Now();
  std::cout << "kid\tauthority\tkind\tvalid_from\tvalid_until\tretired\tsource\tusable\n";
  for (const auto& k : keys.value()) {
    std::cout << k.kid << "\t" << k.authority << "\t" << KindOf(k) << "\t"
              << FormatRfc3339(k.valid_from) << "\t" << FormatRfc3339(k.valid_until) << "\t"
              << (k.retired_at ? FormatRfc3339(*k.retired_at) : "-") << "\t" << k.source << "\t"
              << (k.usable_at(now) ? "yes" : "no") << "\n";
  }
  return 0;
}

int KeyRetire(const Deployment& d, const ServiceConfig& config, const std::string& kid) {
  auto opened = Open(d, config);
  if (!opened.ok()) return Fail(opened.status());
  if (Status s = opened.value()->service->RetireSigningKey(HerdService::SystemCaller(), kid);
      !s.ok()) {
    return Fail(s);
  }
  std::cout << "key " << kid << " retired: certificates it signed no longer verify\n";
  return 0;
}

int TrustExport(const Deployment& d, const ServiceConfig& config, const std::string& file) {
  auto opened = Open(d, config);
  if (!opened.ok()) return Fail(opened.status());
  HerdService& service = *opened.value()->service;
  auto doc = service.TrustListDocument();
  if (!doc.ok()) return Fail(doc.status());
  auto keys = service.ListSigningKeys(HerdService::SystemCaller());
  if (!keys.ok()) return Fail(keys.status());
  const std::string kid = JwsKid(doc.value());
  const SigningKey* root = nullptr;
  for (const auto& k : keys.value()) {
    if (k.root && k.kid == kid) root = &k;
  }
  if (root == nullptr) {
    return Fail(
        Internal("the trust list is signed by key '" + kid + "', which is not a root key here"));
  }
  if (Status s = WriteTextFile(file, doc.value()); !s.ok()) return Fail(s);
  const std::string root_file = file + ".root-key";
  if (Status s = WriteTextFile(root_file, root->public_key + "\n"); !s.ok()) return Fail(s);
  std::cout << "trust list of " << root->authority << " written to " << file << "\n"
            << "root key " << root->kid << " (" << root->authority
            << "): the importing side pins this public key:\n"
            << "  " << root->public_key << "\n"
            << "written to " << root_file << "; check it with the other side by a second channel "
            << "(phone, letter) before they import:\n"
            << "  herdpass trust import " << file << " --root-key " << root->public_key
            << " --data DIR\n";
  return 0;
}

int TrustImport(const Deployment& d, const ServiceConfig& config, const std::string& file,
                const std::string& root_key) {
  auto text = ReadTextFile(file);
  if (!text.ok()) return Fail(text.status());
  auto opened = Open(d, config);
  if (!opened.ok()) return Fail(opened.status());
  auto keys =
      opened.value()->service->ImportTrustList(HerdService::SystemCaller(), text.value(), root_key);
  if (!keys.ok()) return Fail(keys.status());
  std::cout << "imported " << keys->size() << " signing key(s) from " << file << ":\n";
  for (const auto& k : keys.value()) PrintKey(std::cout, k);
  return 0;
}

Result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument("file", "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return InvalidArgument("file", "cannot read " + path);
  return ss.str();
}

Status WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Unavailable("cannot write " + path);
  return Status::Ok();
}

}  // namespace herdpass::cli
