// Signing keys and trust lists (DESIGN.md sections 6 and 9, W9): the operator's console. Private
// halves live in files under config().key_dir (cert/keys.h) and are read only to sign; they never
// reach a log line, an audit row or an answer.
#include "cert/keys.h"

#include <sodium.h>

#include <algorithm>
#include <atomic>

#include "cert/documents.h"
#include "domain/audit_detail.h"
#include "service/cert_state.h"
#include "service/service.h"

namespace herdpass {
namespace {

constexpr char kTrustListDocument[] = "trust-list";
constexpr int kMaxKeyDays = 100 * 366;

// Snapshot generations are unique in the process, so that a per-thread copy made from one
// HerdService's snapshot is never mistaken for another's.
std::atomic<uint64_t> g_key_generation{0};

std::string Base64(const std::vector<uint8_t>& bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::vector<uint8_t>> FromBase64(const std::string& text) {
  std::vector<uint8_t> out(text.size());
  size_t len = 0;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), " \t\r\n", &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

// The newest local root key of `country` usable at `now`, if any.
std::optional<SigningKey> LocalRoot(const std::vector<SigningKey>& keys, const std::string& country,
                                    Timestamp now) {
  std::optional<SigningKey> best;
  for (const SigningKey& k : keys) {
    if (!IsOwnLocalKey(k, country) || !k.root || !k.usable_at(now)) continue;
    if (!best || k.valid_from > best->valid_from) best = k;
  }
  return best;
}

}  // namespace

// --- CertState: keys and signers ---

Result<std::shared_ptr<const KeySnapshot>> HerdService::CertState::Keys(
    Store& store, Timestamp now, std::chrono::seconds cache_for) {
  std::shared_ptr<const KeySnapshot> cached;
  {
    std::lock_guard lock(keys_mu_);
    if (keys_ && now >= keys_->loaded_at && now - keys_->loaded_at < cache_for) return keys_;
    cached = keys_;
  }
  auto keys = store.ListSigningKeys();
  if (!keys.ok()) {
    if (cached) return cached;  // the last key set known: better than none while the store fails
    return keys.status();
  }
  auto snap = std::make_shared<KeySnapshot>();
  snap->generation = ++g_key_generation;
  snap->loaded_at = now;
  snap->all = std::move(keys).value();
  for (const SigningKey& k : snap->all) {
    if (k.root) continue;
    // One at a time: a malformed key (bad base64 from an import) must not hide the others.
    auto t = cert::ToTrustedKeys({k});
    if (t.ok()) {
      for (auto& tk : t.value()) snap->trusted.push_back(std::move(tk));
    }
  }
  std::lock_guard lock(keys_mu_);
  keys_ = snap;
  return std::shared_ptr<const KeySnapshot>(snap);
}

void HerdService::CertState::InvalidateKeys() {
  std::lock_guard lock(keys_mu_);
  keys_.reset();
}

Result<std::shared_ptr<const cert::Ed25519Signer>> HerdService::CertState::Signer(
    const std::string& dir, const std::string& kid) {
  {
    std::lock_guard lock(keys_mu_);
    auto it = signers_.find(kid);
    if (it != signers_.end()) return it->second;
  }
  HP_ASSIGN_OR_RETURN(auto signer, cert::ReadKeyFile(dir, kid));
  auto shared = std::make_shared<const cert::Ed25519Signer>(std::move(signer));
  std::lock_guard lock(keys_mu_);
  signers_[kid] = shared;
  return shared;
}

void HerdService::CertState::ForgetSigner(const std::string& kid) {
  std::lock_guard lock(keys_mu_);
  signers_.erase(kid);
}

// --- HerdService ---

Result<std::pair<SigningKey, std::shared_ptr<const cert::Ed25519Signer>>> HerdService::SignerFor(
    const std::string& authority, Timestamp valid_until) {
  const Timestamp now = clock_.Now();
  HP_ASSIGN_OR_RETURN(auto snap, certs_->Keys(store_, now, config_.key_cache_for));
  std::vector<const SigningKey*> candidates;
  bool any_lasts = false;
  for (const SigningKey& k : snap->all) {
    if (!IsOwnLocalKey(k, config_.country) || k.root || !k.usable_at(now) ||
        !InJurisdiction(k.authority, authority))
      continue;
    candidates.push_back(&k);
    any_lasts = any_lasts || k.valid_until >= valid_until;
  }
  // A key that outlives the certificate keeps it verifiable to the end (verifiers check the key's
  // validity too); among those, the most specific authority, then the newest key.
  if (any_lasts) {
    std::erase_if(candidates, [&](const SigningKey* k) { return k->valid_until < valid_until; });
  }
  std::sort(candidates.begin(), candidates.end(), [](const SigningKey* a, const SigningKey* b) {
    if (a->authority.size() != b->authority.size())
      return a->authority.size() > b->authority.size();
    return a->valid_from > b->valid_from;
  });
  const std::string hint = "run `herdpass key new --authority " + authority + "`";
  if (config_.key_dir.empty()) {
    return FailedPrecondition("no signing key for authority " + authority +
                              ": no key directory is configured");
  }
  Status first_error;
  for (const SigningKey* k : candidates) {
    auto signer = certs_->Signer(config_.key_dir, k->kid);
    if (signer.ok()) return std::make_pair(*k, std::move(signer).value());
    if (first_error.ok()) first_error = signer.status();
  }
  if (!first_error.ok()) {
    return FailedPrecondition("no signing key for authority " + authority + ": the key file of " +
                              candidates.front()->kid + " cannot be used (" +
                              first_error.message() + ")");
  }
  return FailedPrecondition("no signing key for authority " + authority + ": " + hint);
}

Status HerdService::ResignTrustList(const Caller& caller) {
  HP_ASSIGN_OR_RETURN(auto keys, store_.ListSigningKeys());
  const Timestamp now = clock_.Now();
  auto root = LocalRoot(keys, config_.country, now);
  if (!root || config_.key_dir.empty()) return Status::Ok();
  // The root key may be kept offline, away from the server: then the operator signs elsewhere.
  auto signer = cert::ReadKeyFile(config_.key_dir, root->kid);
  if (!signer.ok()) return Status::Ok();
  cert::TrustList list;
  list.country = root->country;
  list.issued_at = now;
  // A root vouches for its own country's keys only (docs/hp1-format.md section 8): a verifier
  // refuses a list naming any other as a whole. Keys of another country are left out and named in
  // the audit row.
  std::vector<std::string> skipped;
  for (const SigningKey& k : keys) {
    if (k.source != "local" || k.root) continue;
    if (IsOwnLocalKey(k, list.country)) {
      list.keys.push_back(k);
    } else {
      skipped.push_back(k.kid);
    }
  }
  auto previous = store_.LoadDocument(kTrustListDocument);
  if (!previous.ok() && previous.status().code() != StatusCode::kNotFound) {
    return previous.status();
  }
  list.sequence = (previous.ok() ? previous->sequence : 0) + 1;
  StoredDocument doc;
  doc.name = kTrustListDocument;
  doc.sequence = list.sequence;
  doc.body = cert::SignTrustList(list, signer.value());
  doc.saved_at = now;
  AuditDetail detail;
  detail.Add("keys", list.keys.size()).Add("root_kid", root->kid).Add("sequence", list.sequence);
  if (!skipped.empty()) detail.Add("skipped", skipped);
  return store_.SaveDocument(
      doc, AuditFor(caller, root->country, "trust_list.sign",
                    std::string("document:") + kTrustListDocument, detail.Text()));
}

Result<SigningKey> HerdService::NewSigningKey(const Caller& caller, const std::string& authority,
                                              bool root, int valid_days) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kManageKeys));
  HP_RETURN_IF_ERROR(ValidateAuthorityCode(authority, "authority"));
  HP_RETURN_IF_ERROR(CheckOwnCountry(authority, "authority"));
  if (root && authority.find('-') != std::string::npos) {
    return InvalidArgument("authority",
                           "a root key belongs to a country: give its 2-letter code, "
                           "such as " +
                               CountryOf(authority));
  }
  if (valid_days < 1 || valid_days > kMaxKeyDays) {
    return InvalidArgument("valid_days",
                           "valid_days must be from 1 to " + std::to_string(kMaxKeyDays));
  }
  if (!caller.system && !InJurisdiction(caller.authority, authority)) {
    return PermissionDenied("the authority " + authority + " is outside your jurisdiction");
  }
  if (config_.key_dir.empty()) {
    return FailedPrecondition("no key directory is configured: keys cannot be made here");
  }
  const cert::Ed25519Signer signer = cert::Ed25519Signer::Generate();
  const Timestamp now = clock_.Now();
  SigningKey key;
  key.kid = signer.kid_hex();
  key.authority = authority;
  key.country = CountryOf(authority);
  key.public_key = Base64(signer.public_key());
  key.root = root;
  // Whole seconds, as the CWT's iat: a certificate signed in the same second as its key was made
  // has iat = that second, which must not fall before valid_from.
  key.valid_from = std::chrono::floor<std::chrono::seconds>(now);
  key.valid_until = key.valid_from + std::chrono::days(valid_days);
  key.source = "local";

  std::lock_guard lock(certs_->key_change_mu);
  HP_RETURN_IF_ERROR(cert::WriteKeyFile(config_.key_dir, signer));
  const std::string detail = AuditDetail()
                                 .Add("authority", authority)
                                 .Add("root", root)
                                 .Add("valid_until", FormatRfc3339(key.valid_until))
                                 .Text();
  Status saved =
      store_.SaveSigningKey(key, AuditFor(caller, authority, "key.new", "key:" + key.kid, detail));
  if (!saved.ok()) {
    // The public half could not be stored: the private file would sign nothing anyone trusts.
    std::error_code ec;
    std::filesystem::remove(std::filesystem::path(config_.key_dir) / (key.kid + ".key"), ec);
    return saved;
  }
  certs_->InvalidateKeys();
  HP_RETURN_IF_ERROR(ResignTrustList(caller));
  return key;
}

Status HerdService::RetireSigningKey(const Caller& caller, const std::string& kid) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kManageKeys));
  if (kid.empty()) return InvalidArgument("kid", "kid is required");
  if (kid.size() > 64) return InvalidArgument("kid", "kid is a 16-character hex string");
  std::lock_guard lock(certs_->key_change_mu);
  HP_ASSIGN_OR_RETURN(auto keys, store_.ListSigningKeys());
  auto it =
      std::find_if(keys.begin(), keys.end(), [&](const SigningKey& k) { return k.kid == kid; });
  if (it == keys.end()) return NotFound("no signing key " + kid);
  if (!caller.system && !InJurisdiction(caller.authority, it->authority)) {
    return PermissionDenied("the key " + kid + " of " + it->authority +
                            " is outside your jurisdiction");
  }
  HP_RETURN_IF_ERROR(store_.RetireSigningKey(
      kid, clock_.Now(),
      AuditFor(caller, it->authority, "key.retire", "key:" + kid,
               AuditDetail().Add("authority", it->authority).Add("root", it->root).Text())));
  certs_->InvalidateKeys();
  certs_->ForgetSigner(kid);
  return ResignTrustList(caller);
}

Result<std::vector<SigningKey>> HerdService::ListSigningKeys(const Caller& caller) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kManageKeys));
  return store_.ListSigningKeys();
}

Result<TrustRoot> HerdService::TrustRootKeys() {
  HP_ASSIGN_OR_RETURN(auto snap, certs_->Keys(store_, clock_.Now(), config_.key_cache_for));
  std::vector<SigningKey> roots;
  for (const SigningKey& k : snap->all) {
    if (k.source == "local" && k.root) roots.push_back(k);
  }
  if (roots.empty()) {
    return NotFound(
        "this node has no root key: create one with `herdpass key new --root`, or pin the "
        "country's root key given by its operator");
  }
  std::sort(roots.begin(), roots.end(), [](const SigningKey& a, const SigningKey& b) {
    if (a.valid_from != b.valid_from) return a.valid_from > b.valid_from;
    return a.kid < b.kid;
  });
  TrustRoot out;
  out.country = roots.front().country;
  std::erase_if(roots, [&](const SigningKey& k) { return k.country != out.country; });
  out.keys = std::move(roots);
  return out;
}

Result<std::vector<SigningKey>> HerdService::ImportTrustList(const Caller& caller,
                                                             const std::string& jws,
                                                             const std::string& root_b64) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kManageKeys));
  // Trusting another country's keys is a national decision.
  if (!caller.system && caller.authority.find('-') != std::string::npos) {
    return PermissionDenied("only a national administrator imports trust lists");
  }
  if (jws.empty()) return InvalidArgument("trust_list", "the trust list is required");
  if (jws.size() > 1024 * 1024) {
    return InvalidArgument("trust_list", "the trust list is larger than 1 MiB");
  }
  auto raw = FromBase64(root_b64);
  if (!raw || raw->size() != 32) {
    return InvalidArgument("root_public_key",
                           "the root public key is the base64 of 32 bytes (an Ed25519 key)");
  }
  const Timestamp now = clock_.Now();
  SigningKey root;
  const auto kid = cert::KidOf(*raw);
  root.kid = cert::KidHex(kid);
  root.public_key = Base64(*raw);
  root.root = true;
  root.valid_from = Timestamp{};
  root.valid_until = now + std::chrono::days(kMaxKeyDays);
  const auto named = cert::TrustListCountry(jws);
  if (!named) {
    return InvalidArgument("trust_list",
                           "not a trust list: a JWS in the flattened JSON "
                           "serialization whose payload names a country");
  }
  const std::string country = *named;
  if (!ValidateAuthorityCode(country, "trust_list").ok() ||
      country.find('-') != std::string::npos) {
    return InvalidArgument("trust_list", "the trust list's country is not a 2-letter code");
  }
  root.authority = country;
  root.country = country;
  root.source = "pinned:" + country;
  auto list = cert::OpenTrustList(jws, {root});
  if (!list.ok()) {
    return InvalidArgument("trust_list", "the trust list is refused: " + list.status().message());
  }

  std::lock_guard lock(certs_->key_change_mu);
  HP_ASSIGN_OR_RETURN(auto own, store_.ListSigningKeys());
  for (const SigningKey& k : own) {
    if (k.source == "local" && k.country == country) {
      return FailedPrecondition("the trust list is of " + country +
                                ", this node's own country: its keys are made here");
    }
  }
  std::vector<SigningKey> keys;
  for (SigningKey k : list->keys) {
    if (k.root) continue;  // a trust list carries signing keys; roots are pinned, never imported
    if (!InJurisdiction(country, k.authority) || k.country != country) {
      return InvalidArgument("trust_list", "the trust list of " + country + " carries a key of " +
                                               k.authority + ": refused");
    }
    k.source = "import:" + country;
    keys.push_back(std::move(k));
  }
  const std::string detail = AuditDetail()
                                 .Add("keys", keys.size())
                                 .Add("root_kid", root.kid)
                                 .Add("sequence", list->sequence)
                                 .Text();
  HP_RETURN_IF_ERROR(store_.ReplaceKeys("pinned:" + country, {root},
                                        Audit(caller, "trust_list.pin", "root:" + country,
                                              AuditDetail().Add("kid", root.kid).Text())));
  HP_RETURN_IF_ERROR(
      store_.ReplaceKeys("import:" + country, keys,
                         Audit(caller, "trust_list.import", "trust-list:" + country, detail)));
  certs_->InvalidateKeys();
  return keys;
}

}  // namespace herdpass
