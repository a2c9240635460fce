// service/: the use cases of HerdPass (DESIGN.md section 2), authorization by role and
// jurisdiction, and the audit log. It takes a Store, a Clock and the reference Catalogue from
// outside, so tests can run it against any backend with a fake clock.
//
// Inputs come as the client sent them (phone numbers in local forms, tags with separators, dates as
// text); the service validates and normalizes them and names the failing field in its Status.
//
// Thread-safe: one HerdService serves all request threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/audit.h"
#include "domain/catalogue.h"
#include "domain/coverage.h"
#include "domain/ear_tag.h"
#include "domain/model.h"
#include "domain/phone.h"
#include "domain/status.h"
#include "domain/time.h"
#include "service/permissions.h"
#include "store/store.h"

namespace herdpass {

struct ServiceConfig {
  std::string default_region = "KZ";  // how to read phone numbers without a country code
  std::vector<EarTagScheme> ear_tag_schemes = {EarTagScheme::kIso11784, EarTagScheme::kChina};
  int lookup_years_default = 3;
  int lookup_years_max = 10;
  std::chrono::minutes token_ttl{12 * 60};
  int max_batch = 1000;
  // Login throttle: after this many failures within the window, further attempts for that username
  // or from that address are refused (429) until the window has passed.
  int login_max_failures = 5;
  std::chrono::minutes login_window{15};
  // Phone lookups (W2, GET /owners?phone=) per user per minute; 0 = unlimited.
  int lookups_per_minute = 600;
  // Vaccination dates more than this many years back are refused.
  int max_record_age_years = 10;
};

// Who is calling: the authenticated user, or the public.
struct Caller {
  int64_t user_id = 0;
  std::string username;
  std::optional<Role> role;  // empty for the public
  std::string authority;
  std::string address;  // client address, for the audit log
  bool system = false;  // the operator at the server's console (CLI): every role, every place
};

struct LoginResult {
  std::string token;  // the bearer token: shown once, stored only hashed
  Timestamp expires_at{};
  User user;
};

struct OwnerInput {
  std::string phone;
  std::string name;
  std::string village;
  std::string authority;  // optional: defaults to the caller's; must be within it
};

struct AnimalInput {
  std::string tag;
  std::string species;
  int64_t owner_id = 0;
  std::string sex;
  std::string birth_date;  // "" or YYYY-MM-DD
};

// One record of a W1 batch as the device sent it.
struct VaccinationRecordInput {
  std::string id;
  std::optional<int64_t> owner_id;
  std::string owner_phone;
  std::string owner_name;
  std::vector<std::string> animal_tags;
  std::string species;
  std::optional<int64_t> head_count;
  std::string disease;
  std::string vaccine;
  std::string batch_no;
  std::optional<double> dose_ml;
  std::string administered_on;
  std::optional<double> lat;
  std::optional<double> lon;
  std::string device_id;
  std::string corrects;
};

struct BatchSummary {
  std::vector<RecordResult> results;  // one per input record, same order
  int created = 0;
  int duplicate = 0;
  int rejected = 0;
};

struct AnimalView {
  Animal animal;
  Owner owner;
  std::vector<Vaccination> vaccinations;  // of this animal, newest first
  std::vector<DiseaseCoverage> coverage;
};

// W2: what the inspector sees.
struct LookupResult {
  Owner owner;
  std::vector<Animal> animals;
  std::vector<Vaccination> vaccinations;  // within the window, newest first, voided included
  OwnerCoverage coverage;
  Date today;
  Date since;
};

class HerdService {
 public:
  HerdService(Store& store, const Clock& clock, const Catalogue& catalogue, ServiceConfig config);
  ~HerdService();

  const ServiceConfig& config() const { return config_; }
  const Catalogue& catalogue() const { return catalogue_; }
  const PhoneNormalizer& phones() const { return phones_; }
  const Clock& clock() const { return clock_; }
  Store& store() { return store_; }

  // --- authentication (service/auth.cpp) ---
  Result<LoginResult> Login(const std::string& username, const std::string& password,
                            const std::string& address);
  Status Logout(const std::string& token, const Caller& caller);
  // Resolves a bearer token to its caller; kUnauthenticated when missing, unknown, expired, or the
  // user is disabled.
  Result<Caller> Authenticate(const std::string& token, const std::string& address);

  // --- users (CLI and admin) ---
  Result<User> AddUser(const Caller& caller, const std::string& username,
                       const std::string& password, Role role, const std::string& authority);
  Status SetUserDisabled(const Caller& caller, const std::string& username, bool disabled);
  Result<std::vector<User>> ListUsers(const Caller& caller);
  Status AddAuthority(const Caller& caller, const Authority& authority);

  // --- owners, animals, vaccinations (service/records.cpp) ---
  Result<Owner> RegisterOwner(const Caller& caller, const OwnerInput& input);
  Result<Owner> FindOwnerByPhone(const Caller& caller, const std::string& phone);
  Result<Animal> RegisterAnimal(const Caller& caller, const AnimalInput& input);
  Result<AnimalView> GetAnimal(const Caller& caller, const std::string& tag);
  Result<BatchSummary> RecordBatch(const Caller& caller,
                                   const std::vector<VaccinationRecordInput>& records);
  Status VoidVaccination(const Caller& caller, const std::string& id, const std::string& reason);

  // --- W2 (service/lookup.cpp) ---
  Result<LookupResult> Lookup(const Caller& caller, const std::string& phone,
                              std::optional<int> years);

  // --- audit ---
  Result<std::vector<AuditRow>> ListAudit(const Caller& caller, const AuditQuery& query);

  // The system itself (CLI commands run by the operator on the server's machine).
  static Caller SystemCaller();

 private:
  struct Throttle;

  AuditEntry Audit(const Caller& caller, std::string action, std::string target,
                   std::string detail = {}) const;
  Status CheckLookupRate(const Caller& caller);
  // The answer to registering a phone that is taken: the owner's id when the caller may see it.
  Status OwnerConflict(const Caller& caller, const std::string& e164);
  Result<VaccinationInput> ValidateRecord(const VaccinationRecordInput& in, size_t index,
                                          Date today) const;

  Store& store_;
  const Clock& clock_;
  const Catalogue& catalogue_;
  ServiceConfig config_;
  PhoneNormalizer phones_;
  std::unique_ptr<Throttle> throttle_;
};

}  // namespace herdpass
