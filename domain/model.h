// The records HerdPass keeps: owners, animals and flocks, vaccinations, users, authorities, tokens.
// Plain value types, no behaviour beyond small helpers; store/ persists them, service/ enforces
// rules.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/status.h"
#include "domain/time.h"

namespace herdpass {

enum class Role { kVaccinator, kVet, kInspector, kAdmin, kAuditor };

const char* RoleName(Role r);  // "vaccinator", "vet", ...
Result<Role> ParseRole(std::string_view name);
inline constexpr Role kAllRoles[] = {Role::kVaccinator, Role::kVet, Role::kInspector, Role::kAdmin,
                                     Role::kAuditor};

// Authority codes form a tree by dash-separated prefixes: "CN" > "CN-65" > "CN-65-650203".
// True when `code` is `scope` itself or below it. An empty scope is nobody's.
bool InJurisdiction(std::string_view scope, std::string_view code);
// Checks the shape of an authority code: 2-letter country, then '-' separated parts of [A-Z0-9].
Status ValidateAuthorityCode(std::string_view code, std::string_view field = "authority");

struct Authority {
  std::string code;  // "KZ-ABY"
  std::string name;
  std::string parent;  // "" for a country
};

struct Owner {
  int64_t id = 0;
  std::string phone;  // E.164
  std::string name;
  std::string village;
  std::string authority;
  Timestamp created_at{};
};

// What happens in an animal's life after it is registered (W12). The end kinds (died, slaughtered,
// lost, stolen, culled) end a tagged animal; on a flock they take heads away, and born adds heads.
// domain/animal_events.h holds the rules.
// kSold: heads of a flock sold (W8), recorded by the sale itself, never by POST .../events.
enum class AnimalEventKind {
  kTagReplaced,
  kDied,
  kSlaughtered,
  kLost,
  kStolen,
  kCulled,
  kBorn,
  kSold
};

// An individual animal (tag set, head_count 1) or a flock (no tag, head_count >= 0).
struct Animal {
  int64_t id = 0;
  int64_t owner_id = 0;
  std::optional<std::string> tag;  // normalized 15 digits
  std::string species;
  int32_t head_count = 1;
  std::string sex;  // "", "m", "f"
  std::optional<Date> birth_date;
  std::string authority;
  Timestamp created_at{};
  std::optional<int64_t> holding_id;  // where it is kept now (W12); none for records before
  // Set when a tagged animal's life ended (died, slaughtered, ...): how, and on which day.
  std::optional<AnimalEventKind> ended_kind;
  std::optional<Date> ended_on;
  // The tags it wore before its current one, oldest first. Filled only where said (the store's
  // FindAnimalByTag); empty elsewhere.
  std::vector<std::string> former_tags;

  bool is_flock() const { return !tag.has_value(); }
  // Alive now: a tagged animal not ended, a flock with at least one head.
  bool alive() const { return is_flock() ? head_count > 0 : !ended_kind.has_value(); }
};

// One event of an animal's or a flock's life, as stored.
struct AnimalEvent {
  std::string id;  // UUID made on the device, canonical lowercase text
  int64_t animal_id = 0;
  AnimalEventKind kind = AnimalEventKind::kDied;
  Date on;
  std::string reason;
  std::string old_tag;     // tag_replaced: the tag given up
  std::string new_tag;     // tag_replaced: the tag put on
  int32_t head = 0;        // heads the event concerns (1 for a tagged animal)
  int32_t head_after = 0;  // the unit's head count after it
  int64_t recorded_by = 0;
  Timestamp recorded_at{};
  std::string authority;  // the animal's
};

struct Vaccination {
  std::string id;  // UUID made on the device, canonical lowercase text
  int64_t owner_id = 0;
  std::vector<int64_t> animal_ids;  // the animals or the flock vaccinated
  std::string species;
  int32_t head_count = 0;  // heads vaccinated
  std::string disease;
  std::string vaccine;
  std::string batch_no;
  std::optional<double> dose_ml;
  Date administered_on;
  std::optional<double> lat;
  std::optional<double> lon;
  std::string device_id;
  int64_t recorded_by = 0;  // user id
  Timestamp recorded_at{};
  std::string authority;
  bool voided = false;
  std::string void_reason;
  std::optional<Timestamp> voided_at;
  std::string corrects;               // id of the voided record this one replaces, if any
  std::optional<int64_t> holding_id;  // where it was given (W12), when the record says
};

struct User {
  int64_t id = 0;
  std::string username;
  std::string password_hash;  // Argon2id, libsodium crypto_pwhash_str format
  Role role = Role::kInspector;
  std::string authority;
  bool disabled = false;
  Timestamp created_at{};
};

// A bearer token as stored: only its SHA-256, never the token itself.
struct TokenRecord {
  std::string token_hash;  // 64 hex chars
  int64_t user_id = 0;
  Timestamp created_at{};
  Timestamp expires_at{};
};

// Checks a UUID's text form (8-4-4-4-12 hex, any case) and returns it lowercased.
Result<std::string> NormalizeUuid(std::string_view text, std::string_view field = "id");
// The canonical text (lowercase 8-4-4-4-12) of a UUID's 16 bytes.
std::string UuidText(std::span<const uint8_t, 16> bytes);

}  // namespace herdpass
