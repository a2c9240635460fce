// Authentication and user administration: Argon2id passwords (libsodium crypto_pwhash_str), bearer
// tokens of 256 random bits stored only as their SHA-256, login throttled per username and address.
#include <sodium.h>

#include <array>
#include <cctype>
#include <cstring>
#include <semaphore>

#include "service/service.h"
#include "service/throttle.h"

namespace herdpass {
namespace {

std::string ToHex(const unsigned char* data, size_t n) {
  std::string hex(n * 2, '\0');
  sodium_bin2hex(hex.data(), hex.size() + 1, data, n);
  return hex;
}

std::string TokenHash(const std::string& token) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> h{};
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return ToHex(h.data(), h.size());
}

std::string NewToken() {
  std::array<unsigned char, 32> raw{};
  randombytes_buf(raw.data(), raw.size());
  return ToHex(raw.data(), raw.size());
}

// Argon2id takes 64 MiB and ~0.1 s of a core per hash: at most this many run at once, so that a
// burst of sign-ins (or an attack) queues instead of taking the machine's memory.
std::counting_semaphore<> g_hash_slots(2);

struct HashSlot {
  HashSlot() { g_hash_slots.acquire(); }
  ~HashSlot() { g_hash_slots.release(); }
  HashSlot(const HashSlot&) = delete;
  HashSlot& operator=(const HashSlot&) = delete;
};

Result<std::string> HashPassword(const std::string& password) {
  HashSlot slot;
  std::string out(crypto_pwhash_STRBYTES, '\0');
  if (crypto_pwhash_str(out.data(), password.data(), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Unavailable("not enough memory to hash the password");
  }
  out.resize(std::strlen(out.c_str()));
  return out;
}

bool PasswordMatches(const std::string& hash, const std::string& password) {
  HashSlot slot;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

// A fixed Argon2id hash of a random password, verified against when the username is unknown, so
// that a failed login takes as long whether or not the user exists.
const std::string& DummyHash() {
  static const std::string hash = [] {
    auto h = HashPassword(NewToken());
    return h.ok() ? h.value() : std::string();
  }();
  return hash;
}

Status ValidateUsername(const std::string& name) {
  if (name.size() < 3 || name.size() > 64) {
    return InvalidArgument("username", "a username has 3 to 64 characters");
  }
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (!(std::islower(c) || std::isdigit(c) || ch == '.' || ch == '_' || ch == '-')) {
      return InvalidArgument("username",
                             "a username uses only lowercase letters, digits, '.', '_' and '-'");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<LoginResult> HerdService::Login(const std::string& username, const std::string& password,
                                       const std::string& address) {
  if (username.empty()) return InvalidArgument("username", "username is required");
  if (password.empty()) return InvalidArgument("password", "password is required");
  if (username.size() > 64 || password.size() > 1024) {
    return Unauthenticated("wrong username or password");
  }
  const Timestamp now = clock_.Now();
  const std::string user_key = "user:" + username;
  const std::string addr_key = "addr:" + address;
  if (!throttle_->TryAttempt(user_key, now, config_.login_max_failures, config_.login_window)) {
    return ResourceExhausted("too many failed sign-ins; wait a few minutes and try again");
  }
  if (!address.empty() &&
      !throttle_->TryAttempt(addr_key, now, config_.login_max_failures * 4, config_.login_window)) {
    throttle_->Forgive(user_key);
    return ResourceExhausted("too many failed sign-ins; wait a few minutes and try again");
  }

  auto user = store_.FindUserByName(username);
  if (!user.ok() && user.status().code() != StatusCode::kNotFound) {
    throttle_->Forgive(user_key);
    if (!address.empty()) throttle_->Forgive(addr_key);
    return user.status();
  }
  const bool matches = user.ok() ? PasswordMatches(user->password_hash, password)
                                 : (PasswordMatches(DummyHash(), password), false);
  if (!matches || user->disabled) {
    Caller anon;
    anon.username = username;
    anon.address = address;
    // Failed sign-ins are security events: keep them in the audit log too.
    HP_RETURN_IF_ERROR(store_.AppendAudit(Audit(anon, "auth.login_failed", "user:" + username)));
    return Unauthenticated("wrong username or password");
  }
  throttle_->ClearLoginFailures(user_key);
  if (!address.empty()) throttle_->Forgive(addr_key);

  LoginResult out;
  out.token = NewToken();
  out.expires_at = now + config_.token_ttl;
  out.user = user.value();
  out.user.password_hash.clear();
  TokenRecord rec;
  rec.token_hash = TokenHash(out.token);
  rec.user_id = out.user.id;
  rec.created_at = now;
  rec.expires_at = out.expires_at;
  Caller who;
  who.user_id = out.user.id;
  who.username = out.user.username;
  who.address = address;
  who.authority = out.user.authority;
  HP_RETURN_IF_ERROR(store_.SaveToken(rec, Audit(who, "auth.login", "user:" + username)));
  return out;
}

Status HerdService::Logout(const std::string& token, const Caller& caller) {
  const std::string hash = TokenHash(token);
  throttle_->ForgetToken(hash);
  return store_.DeleteToken(hash, Audit(caller, "auth.logout", "user:" + caller.username));
}

Result<Caller> HerdService::Authenticate(const std::string& token, const std::string& address) {
  if (token.empty()) return Unauthenticated("sign in first: no bearer token");
  if (token.size() != 64) return Unauthenticated("the bearer token is not valid");
  const std::string hash = TokenHash(token);
  const Timestamp now = clock_.Now();
  // A cached token is trusted for a short while, so that disabling a user takes effect within
  // this interval without a database read on every request.
  constexpr auto kCacheFor = std::chrono::seconds(30);
  if (auto cached = throttle_->FindToken(hash)) {
    if (cached->expires_at <= now) {
      throttle_->ForgetToken(hash);
      return Unauthenticated("the session has expired; sign in again");
    }
    if (now - cached->cached_at < kCacheFor) {
      Caller c = cached->caller;
      c.address = address;
      return c;
    }
  }
  auto rec = store_.FindToken(hash);
  if (!rec.ok()) {
    if (rec.status().code() == StatusCode::kNotFound) {
      return Unauthenticated("the bearer token is not valid");
    }
    return rec.status();
  }
  if (rec->expires_at <= now) return Unauthenticated("the session has expired; sign in again");
  auto user = store_.FindUserById(rec->user_id);
  if (!user.ok() || user->disabled) return Unauthenticated("the account is disabled");
  Caller c;
  c.user_id = user->id;
  c.username = user->username;
  c.role = user->role;
  c.authority = user->authority;
  throttle_->CacheToken(hash, {c, rec->expires_at, now});
  c.address = address;
  return c;
}

Result<User> HerdService::AddUser(const Caller& caller, const std::string& username,
                                  const std::string& password, Role role,
                                  const std::string& authority) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kManageUsers));
  HP_RETURN_IF_ERROR(ValidateUsername(username));
  if (password.size() < 8) {
    return InvalidArgument("password", "a password has at least 8 characters");
  }
  if (password.size() > 1024) return InvalidArgument("password", "the password is too long");
  HP_RETURN_IF_ERROR(ValidateAuthorityCode(authority));
  if (!caller.system && !InJurisdiction(caller.authority, authority)) {
    return PermissionDenied("the authority " + authority + " is outside your jurisdiction");
  }
  auto hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  NewUser u;
  u.username = username;
  u.password_hash = hash.value();
  u.role = role;
  u.authority = authority;
  u.created_at = clock_.Now();
  auto created = store_.CreateUser(u, AuditFor(caller, authority, "user.create", "user:" + username,
                                               std::string(R"({"role":")") + RoleName(role) +
                                                   R"(","authority":")" + authority + "\"}"));
  if (!created.ok() && created.status().code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("the username " + username + " is taken", created.status().detail());
  }
  return created;
}

Status HerdService::SetUserDisabled(const Caller& caller, const std::string& username,
                                    bool disabled) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kManageUsers));
  auto user = store_.FindUserByName(username);
  if (!user.ok()) return user.status();
  if (!caller.system && !InJurisdiction(caller.authority, user->authority)) {
    return NotFound("no user " + username);
  }
  HP_RETURN_IF_ERROR(store_.SetUserDisabled(
      username, disabled,
      AuditFor(caller, user->authority, disabled ? "user.disable" : "user.enable",
               "user:" + username)));
  throttle_->ForgetUser(user->id);
  return Status::Ok();
}

Result<std::vector<User>> HerdService::ListUsers(const Caller& caller) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kListUsers));
  auto users = store_.ListUsers();
  if (!users.ok()) return users;
  std::vector<User> out;
  for (auto& u : users.value()) {
    if (caller.system || InJurisdiction(caller.authority, u.authority)) {
      u.password_hash.clear();
      out.push_back(std::move(u));
    }
  }
  return out;
}

Status HerdService::AddAuthority(const Caller& caller, const Authority& authority) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kManageAuthorities));
  HP_RETURN_IF_ERROR(ValidateAuthorityCode(authority.code, "code"));
  if (!authority.parent.empty())
    HP_RETURN_IF_ERROR(ValidateAuthorityCode(authority.parent, "parent"));
  if (!caller.system && !InJurisdiction(caller.authority, authority.code)) {
    return PermissionDenied("the authority " + authority.code + " is outside your jurisdiction");
  }
  return store_.SaveAuthority(
      authority, AuditFor(caller, authority.code, "authority.save", "authority:" + authority.code));
}

}  // namespace herdpass
