// Authentication and user administration: Argon2id passwords (libsodium crypto_pwhash_str), bearer
// tokens of 256 random bits stored only as their SHA-256, login throttled per username and address
// together (service/throttle.h).
#include <sodium.h>

#include <array>
#include <cctype>
#include <cstring>
#include <semaphore>

#include "domain/audit_detail.h"
#include "service/service.h"
#include "service/throttle.h"
#include "service/tokens.h"

namespace herdpass {
namespace {

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
  const auto limits = Throttle::LimitsOf(config_);
  bool wide = false;
  if (auto wait = throttle_->BeginLogin(username, address, now, limits, &wide)) {
    return Throttled(
        "too many failed sign-ins; try again in " + std::to_string(wait->count()) + " s", *wait);
  }
  // Argon2 runs two at a time (HashSlot); a flood beyond a few waiting is turned away at once
  // rather than holding the request threads that other requests need.
  if (!throttle_->pending_logins.TryEnter(config_.login_max_pending)) {
    throttle_->CancelLogin(username, address, wide);
    return Throttled("the server is busy checking passwords; try again in a second",
                     std::chrono::seconds(1));
  }
  struct Pending {
    ConcurrencyLimit& limit;
    ~Pending() { limit.Leave(); }
  } pending{throttle_->pending_logins};

  auto user = store_.FindUserByName(username);
  if (!user.ok() && user.status().code() != StatusCode::kNotFound) {
    throttle_->CancelLogin(username, address, wide);
    return user.status();
  }
  const bool matches = user.ok() ? PasswordMatches(user->password_hash, password)
                                 : (PasswordMatches(DummyHash(), password), false);
  const Timestamp checked = clock_.Now();
  if (!matches || user->disabled) {
    throttle_->EndLogin(username, address, checked, /*failed=*/true, limits, wide);
    Caller anon;
    anon.username = username;
    anon.address = address;
    // Failed sign-ins are security events: keep them in the audit log too.
    HP_RETURN_IF_ERROR(store_.AppendAudit(Audit(anon, "auth.login_failed", "user:" + username)));
    return Unauthenticated("wrong username or password");
  }

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
  Status saved = store_.SaveToken(rec, Audit(who, "auth.login", "user:" + username));
  if (saved.code() == StatusCode::kFailedPrecondition) {
    // Disabled while the password was checked: as for any disabled user.
    throttle_->EndLogin(username, address, checked, /*failed=*/true, limits, wide);
    return Unauthenticated("wrong username or password");
  }
  if (!saved.ok()) {
    throttle_->CancelLogin(username, address, wide);
    return saved;
  }
  throttle_->EndLogin(username, address, checked, /*failed=*/false, limits, wide);
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
  // The token's row decides, on every request and every server of the store: a logout deletes
  // it, and so does disabling or enabling its user (Store::SetUserDisabled), in the same
  // transaction; no token is saved for a disabled user (Store::SaveToken). One primary-key read;
  // who the token stands for is cached, as it never changes.
  auto rec = store_.FindToken(hash);
  if (!rec.ok()) {
    if (rec.status().code() == StatusCode::kNotFound) {
      throttle_->ForgetToken(hash);
      return Unauthenticated("the bearer token is not valid");
    }
    return rec.status();
  }
  if (rec->expires_at <= now) {
    throttle_->ForgetToken(hash);
    return Unauthenticated("the session has expired; sign in again");
  }
  if (auto cached = throttle_->FindToken(hash)) {
    cached->address = address;
    return std::move(cached).value();
  }
  auto user = store_.FindUserById(rec->user_id);
  if (!user.ok() || user->disabled) return Unauthenticated("the account is disabled");
  Caller c;
  c.user_id = user->id;
  c.username = user->username;
  c.role = user->role;
  c.authority = user->authority;
  throttle_->CacheToken(hash, c);
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
  HP_RETURN_IF_ERROR(CheckOwnCountry(authority, "authority"));
  if (!caller.system && !InJurisdiction(caller.authority, authority)) {
    return PermissionDenied("the authority " + authority + " is outside your jurisdiction");
  }
  HP_ASSIGN_OR_RETURN(auto hash, HashPassword(password));
  NewUser u;
  u.username = username;
  u.password_hash = hash;
  u.role = role;
  u.authority = authority;
  u.created_at = clock_.Now();
  auto created = store_.CreateUser(
      u, AuditFor(caller, authority, "user.create", "user:" + username,
                  AuditDetail().Add("role", RoleName(role)).Add("authority", authority).Text()));
  if (!created.ok() && created.status().code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("the username " + username + " is taken", created.status().detail());
  }
  return created;
}

Status HerdService::SetUserDisabled(const Caller& caller, const std::string& username,
                                    bool disabled) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kManageUsers));
  HP_ASSIGN_OR_RETURN(auto user, store_.FindUserByName(username));
  if (!caller.system && !InJurisdiction(caller.authority, user.authority)) {
    return NotFound("no user " + username);
  }
  HP_RETURN_IF_ERROR(store_.SetUserDisabled(
      username, disabled,
      AuditFor(caller, user.authority, disabled ? "user.disable" : "user.enable",
               "user:" + username)));
  throttle_->ForgetUser(user.id);
  return Status::Ok();
}

Result<std::vector<User>> HerdService::ListUsers(const Caller& caller) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kListUsers));
  HP_ASSIGN_OR_RETURN(auto users, store_.ListUsers());
  std::vector<User> out;
  for (auto& u : users) {
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
  HP_RETURN_IF_ERROR(CheckOwnCountry(authority.code, "code"));
  if (!authority.parent.empty()) {
    HP_RETURN_IF_ERROR(ValidateAuthorityCode(authority.parent, "parent"));
    HP_RETURN_IF_ERROR(CheckOwnCountry(authority.parent, "parent"));
  }
  if (!caller.system && !InJurisdiction(caller.authority, authority.code)) {
    return PermissionDenied("the authority " + authority.code + " is outside your jurisdiction");
  }
  return store_.SaveAuthority(
      authority, AuditFor(caller, authority.code, "authority.save", "authority:" + authority.code));
}

}  // namespace herdpass
