// Every SQL statement of the SQLite backend, each a named constant.
//
// The name is what logs and metrics show; the SQL text never leaves this backend (it never appears
// in a Status). Statements are prepared once per connection and cached by the address of their
// constant (Connection::Prepare), so each constant must be `inline constexpr` (one address per
// program).
//
// Column lists of SELECTs are read by position in sqlite_store.cpp; keep the two in step.
#pragma once

#include "store/query.h"

namespace herdpass::sqlite {

using Query = store::Query;

// --- transactions ---
inline constexpr Query kBeginImmediate{"BeginImmediate", "BEGIN IMMEDIATE"};
inline constexpr Query kBeginRead{"BeginRead", "BEGIN"};
inline constexpr Query kCommit{"Commit", "COMMIT"};
// Between transactions only: a commit under FULL syncs the WAL to disk before it returns; under
// NORMAL it is written to the WAL (safe from a crash of the process) and synced by the next FULL
// commit or checkpoint.
inline constexpr Query kSyncFull{"SyncFull", "PRAGMA synchronous=FULL"};
inline constexpr Query kSyncNormal{"SyncNormal", "PRAGMA synchronous=NORMAL"};
inline constexpr Query kRollback{"Rollback", "ROLLBACK"};
inline constexpr Query kDataVersion{"DataVersion", "PRAGMA data_version"};
inline constexpr Query kUserVersion{"UserVersion", "PRAGMA user_version"};

// --- owners ---
inline constexpr Query kInsertOwner{
    "InsertOwner",
    "INSERT INTO owners(phone, name, village, authority, created_at) VALUES(?1, ?2, ?3, ?4, ?5)"};
inline constexpr Query kSelectOwnerById{
    "SelectOwnerById",
    "SELECT id, phone, name, village, authority, created_at FROM owners WHERE id = ?1"};
inline constexpr Query kSelectOwnersByIds{
    "SelectOwnersByIds",
    "SELECT id, phone, name, village, authority, created_at FROM owners WHERE id IN (SELECT value "
    "FROM json_each(?1)) ORDER BY id"};
inline constexpr Query kSelectOwnerRevisionByPhone{
    "SelectOwnerRevisionByPhone", "SELECT id, authority, revision FROM owners WHERE phone = ?1"};
inline constexpr Query kBumpOwnerRevision{
    "BumpOwnerRevision", "UPDATE owners SET revision = revision + 1 WHERE id = ?1"};
inline constexpr Query kSelectOwnerByPhone{
    "SelectOwnerByPhone",
    "SELECT id, phone, name, village, authority, created_at FROM owners WHERE phone = ?1"};

// --- animals ---
#define HP_ANIMAL_COLUMNS                                                                \
  "a.id, a.owner_id, a.tag, a.species, a.head_count, a.sex, a.birth_date, a.authority, " \
  "a.created_at, a.holding_id, a.ended_kind, a.ended_on"
inline constexpr Query kInsertAnimal{"InsertAnimal",
                                     "INSERT INTO animals(owner_id, tag, species, head_count, sex, "
                                     "birth_date, authority, created_at, holding_id) "
                                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"};
// By the current tag or a former one: one probe of each key, at most one row.
inline constexpr Query kSelectAnimalByTag{
    "SelectAnimalByTag",
    "SELECT " HP_ANIMAL_COLUMNS
    " FROM animals a WHERE a.tag = ?1 UNION ALL SELECT " HP_ANIMAL_COLUMNS
    " FROM former_tags f JOIN animals a ON a.id = f.animal_id WHERE f.tag = ?1"};
inline constexpr Query kSelectAnimalById{
    "SelectAnimalById", "SELECT " HP_ANIMAL_COLUMNS " FROM animals a WHERE a.id = ?1"};
inline constexpr Query kSelectAnimalsByOwner{"SelectAnimalsByOwner",
                                             "SELECT " HP_ANIMAL_COLUMNS
                                             " FROM animals a WHERE a.owner_id = ?1 ORDER BY a.id"};
// The owner's animals of the species (animals_by_owner): without INDEXED BY, SQLite takes
// `tag IS NULL` for an equality on the unique tag index and walks its NULL entries, which are every
// flock of every owner.
inline constexpr Query kSelectFlock{
    "SelectFlock",
    "SELECT id, head_count, (SELECT max(e.on_day) FROM animal_events e WHERE e.animal_id = "
    "animals.id) FROM animals INDEXED BY animals_by_owner WHERE owner_id = ?1 AND species = ?2 "
    "AND tag IS NULL "
    "ORDER BY id LIMIT 1"};
inline constexpr Query kRaiseFlockHeadCount{
    "RaiseFlockHeadCount", "UPDATE animals SET head_count = ?2 WHERE id = ?1 AND head_count < ?2"};
inline constexpr Query kSelectFormerTags{
    "SelectFormerTags",
    "SELECT tag FROM former_tags WHERE animal_id = ?1 ORDER BY replaced_on, tag"};
inline constexpr Query kInsertFormerTag{
    "InsertFormerTag", "INSERT INTO former_tags(tag, animal_id, replaced_on) VALUES(?1, ?2, ?3)"};
inline constexpr Query kUpdateAnimalTag{"UpdateAnimalTag",
                                        "UPDATE animals SET tag = ?2 WHERE id = ?1"};
inline constexpr Query kEndAnimal{
    "EndAnimal",
    "UPDATE animals SET ended_kind = ?2, ended_on = ?3 WHERE id = ?1 AND ended_kind IS NULL"};
inline constexpr Query kSetHeadCount{"SetHeadCount",
                                     "UPDATE animals SET head_count = ?2 WHERE id = ?1"};
#define HP_EVENT_COLUMNS                                                                   \
  "id, animal_id, kind, on_day, reason, old_tag, new_tag, head, head_after, recorded_by, " \
  "recorded_at, authority"
inline constexpr Query kInsertAnimalEvent{
    "InsertAnimalEvent", "INSERT INTO animal_events(" HP_EVENT_COLUMNS
                         ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"};
inline constexpr Query kSelectAnimalEvent{
    "SelectAnimalEvent", "SELECT " HP_EVENT_COLUMNS " FROM animal_events WHERE id = ?1"};
inline constexpr Query kSelectAnimalEvents{
    "SelectAnimalEvents",
    "SELECT " HP_EVENT_COLUMNS " FROM animal_events WHERE animal_id = ?1 ORDER BY on_day, seq"};
#undef HP_EVENT_COLUMNS

// --- holdings ---
#define HP_HOLDING_COLUMNS                                                                         \
  "id, authority, code, kind, name, owner_id, owner_masked_name, lat, lon, opened_on, closed_on, " \
  "created_at"
inline constexpr Query kInsertHolding{
    "InsertHolding",
    "INSERT INTO holdings(authority, code, kind, name, owner_id, owner_masked_name, lat, lon, "
    "opened_on, closed_on, created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"};
inline constexpr Query kSelectHoldingById{
    "SelectHoldingById", "SELECT " HP_HOLDING_COLUMNS " FROM holdings WHERE id = ?1"};
// ?1 scope, ?2 every authority (1) or the scope's subtree (0; the range as for the audit), ?3 kind
// or ''. A page by id from ?4, at most ?5 rows: the rowid in order, stopping after ?5 matches.
#define HP_HOLDING_FILTERS                                                                         \
  "(?2 = 1 OR authority = ?1 OR (authority >= ?1 || '-' AND authority < ?1 || '.')) AND (?3 = '' " \
  "OR kind = ?3)"
inline constexpr Query kSelectHoldingPage{
    "SelectHoldingPage", "SELECT " HP_HOLDING_COLUMNS " FROM holdings WHERE " HP_HOLDING_FILTERS
                         " AND id > ?4 ORDER BY id LIMIT ?5"};
// Nearest first: the holdings in the box lat [?4, ?5], lon [?6, ?7] (domain/holding.h BoxAround),
// read as one range of holdings_by_lat; the store core computes the distances and orders them.
inline constexpr Query kSelectHoldingsInBox{
    "SelectHoldingsInBox", "SELECT " HP_HOLDING_COLUMNS
                           " FROM holdings INDEXED BY holdings_by_lat WHERE lat BETWEEN ?4 "
                           "AND ?5 AND lon BETWEEN ?6 AND ?7 AND " HP_HOLDING_FILTERS};
#undef HP_HOLDING_FILTERS
// Every holding of ?1 (a list of ids), by id.
inline constexpr Query kSelectHoldingsByIds{
    "SelectHoldingsByIds",
    "SELECT " HP_HOLDING_COLUMNS
    " FROM holdings WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id"};
// W14's ring list of a zone of codes: every holding of the subtrees of ?1 (a JSON list of codes;
// each subtree as HP_HOLDING_FILTERS reads one). A scan of holdings, which are few next to the
// animals and records.
inline constexpr Query kSelectHoldingsOfAuthorities{
    "SelectHoldingsOfAuthorities",
    "SELECT " HP_HOLDING_COLUMNS
    " FROM holdings WHERE EXISTS (SELECT 1 FROM json_each(?1) s WHERE authority = s.value OR "
    "(authority >= s.value || '-' AND authority < s.value || '.'))"};
#undef HP_HOLDING_COLUMNS

// --- vaccinations ---
#define HP_VACCINATION_COLUMNS                                                                  \
  "v.id, v.owner_id, v.administered_on, v.animal_ids, v.species, v.head_count, v.disease, "     \
  "v.vaccine, v.batch_no, v.dose_ml, v.lat, v.lon, v.device_id, v.recorded_by, v.recorded_at, " \
  "v.authority, v.voided, v.void_reason, v.voided_at, v.corrects, v.holding_id"
inline constexpr Query kInsertVaccination{
    "InsertVaccination",
    "INSERT INTO vaccinations(owner_id, administered_on, id, animal_ids, species, head_count, "
    "disease, vaccine, batch_no, dose_ml, lat, lon, device_id, recorded_by, recorded_at, "
    "authority, corrects, holding_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
    "?13, ?14, ?15, ?16, ?17, ?18)"};
inline constexpr Query kInsertVaccinationId{
    "InsertVaccinationId",
    "INSERT INTO vaccination_ids(id, owner_id, administered_on) VALUES(?1, ?2, ?3)"};
// The owner and authority of a stored record id: for idempotency and the checks of `corrects`.
inline constexpr Query kSelectVaccinationOwner{
    "SelectVaccinationOwner",
    "SELECT i.owner_id, v.authority, v.voided FROM vaccination_ids i JOIN vaccinations v ON "
    "v.owner_id = i.owner_id AND v.administered_on = i.administered_on AND v.id = i.id "
    "WHERE i.id = ?1"};
inline constexpr Query kSelectVaccination{
    "SelectVaccination",
    "SELECT " HP_VACCINATION_COLUMNS
    " FROM vaccination_ids i JOIN vaccinations v ON v.owner_id = i.owner_id AND "
    "v.administered_on = i.administered_on AND v.id = i.id WHERE i.id = ?1"};
// W2's hot query: one range of the (owner_id, administered_on, id) key, read backwards.
inline constexpr Query kSelectOwnerVaccinationsSince{
    "SelectOwnerVaccinationsSince",
    "SELECT " HP_VACCINATION_COLUMNS
    " FROM vaccinations v WHERE v.owner_id = ?1 AND v.administered_on >= ?2 "
    "ORDER BY v.administered_on DESC, v.id DESC"};
// W2 of a buyer: one earlier owner's records from ?2 to ?3 (the same key range, bounded at both
// ends) that name one of the units of ?4 (an id blob, id_list.h). The filter runs in the scan
// (hp_names_any, connection.h), so a row of another unit costs the read of its ids only: no
// columns are taken out of it, and it never comes back to the codec.
inline constexpr Query kSelectOwnerVaccinationsBetween{
    "SelectOwnerVaccinationsBetween",
    "SELECT " HP_VACCINATION_COLUMNS
    " FROM vaccinations v WHERE v.owner_id = ?1 AND v.administered_on >= ?2 AND "
    "v.administered_on <= ?3 AND hp_names_any(v.animal_ids, ?4) "
    "ORDER BY v.administered_on DESC, v.id DESC"};
inline constexpr Query kVoidVaccination{
    "VoidVaccination",
    "UPDATE vaccinations SET voided = 1, void_reason = ?4, voided_at = ?5 "
    "WHERE owner_id = ?1 AND administered_on = ?2 AND id = ?3 AND voided = 0"};
#undef HP_VACCINATION_COLUMNS

// --- users and tokens ---
#define HP_USER_COLUMNS "id, username, password_hash, role, authority, disabled, created_at"
inline constexpr Query kInsertUser{
    "InsertUser",
    "INSERT INTO users(username, password_hash, role, authority, disabled, created_at) "
    "VALUES(?1, ?2, ?3, ?4, 0, ?5)"};
inline constexpr Query kSelectUserByName{
    "SelectUserByName", "SELECT " HP_USER_COLUMNS " FROM users WHERE username = ?1"};
inline constexpr Query kSelectUserById{"SelectUserById",
                                       "SELECT " HP_USER_COLUMNS " FROM users WHERE id = ?1"};
inline constexpr Query kSelectUsers{"SelectUsers",
                                    "SELECT " HP_USER_COLUMNS " FROM users ORDER BY id"};
inline constexpr Query kUpdateUserDisabled{"UpdateUserDisabled",
                                           "UPDATE users SET disabled = ?2 WHERE username = ?1"};
inline constexpr Query kUpdateUserPassword{
    "UpdateUserPassword", "UPDATE users SET password_hash = ?2 WHERE username = ?1"};
#undef HP_USER_COLUMNS
inline constexpr Query kInsertToken{
    "InsertToken",
    "INSERT INTO tokens(token_hash, user_id, created_at, expires_at) VALUES(?1, ?2, ?3, ?4)"};
inline constexpr Query kSelectToken{
    "SelectToken",
    "SELECT token_hash, user_id, created_at, expires_at FROM tokens WHERE token_hash = ?1"};
inline constexpr Query kDeleteToken{"DeleteToken", "DELETE FROM tokens WHERE token_hash = ?1"};
inline constexpr Query kDeleteUserTokens{
    "DeleteUserTokens",
    "DELETE FROM tokens WHERE user_id = (SELECT id FROM users WHERE username = ?1)"};

// --- authorities ---
inline constexpr Query kUpsertAuthority{
    "UpsertAuthority",
    "INSERT INTO authorities(code, name, parent) VALUES(?1, ?2, ?3) "
    "ON CONFLICT(code) DO UPDATE SET name = excluded.name, parent = excluded.parent"};
inline constexpr Query kSelectAuthorities{
    "SelectAuthorities", "SELECT code, name, parent FROM authorities ORDER BY code"};

// --- signing keys and signed documents ---
#define HP_SIGNING_KEY_COLUMNS                                                                  \
  "kid, authority, country, algorithm, public_key, root, valid_from, valid_until, retired_at, " \
  "source"
inline constexpr Query kInsertSigningKey{"InsertSigningKey",
                                         "INSERT INTO signing_keys(" HP_SIGNING_KEY_COLUMNS
                                         ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"};
inline constexpr Query kSelectSigningKeyRetiredAt{
    "SelectSigningKeyRetiredAt", "SELECT retired_at FROM signing_keys WHERE kid = ?1"};
inline constexpr Query kRetireSigningKey{
    "RetireSigningKey",
    "UPDATE signing_keys SET retired_at = ?2 WHERE kid = ?1 AND retired_at IS NULL"};
// Oldest first: by the start of validity, the kid breaking ties so that the order is stable.
inline constexpr Query kSelectSigningKeys{"SelectSigningKeys",
                                          "SELECT " HP_SIGNING_KEY_COLUMNS
                                          " FROM signing_keys ORDER BY valid_from, kid"};
// Retirements of a source's keys, carried over when ReplaceKeys brings the same kid back.
inline constexpr Query kSelectRetiredKeysOfSource{
    "SelectRetiredKeysOfSource",
    "SELECT kid, retired_at FROM signing_keys WHERE source = ?1 AND retired_at IS NOT NULL"};
inline constexpr Query kDeleteKeysOfSource{"DeleteKeysOfSource",
                                           "DELETE FROM signing_keys WHERE source = ?1"};
#undef HP_SIGNING_KEY_COLUMNS
inline constexpr Query kUpsertDocument{
    "UpsertDocument",
    "INSERT INTO documents(name, sequence, body, saved_at) VALUES(?1, ?2, ?3, ?4) "
    "ON CONFLICT(name) DO UPDATE SET sequence = excluded.sequence, body = excluded.body, "
    "saved_at = excluded.saved_at"};
inline constexpr Query kSelectDocument{
    "SelectDocument", "SELECT name, sequence, body, saved_at FROM documents WHERE name = ?1"};

// --- certificates ---
#define HP_CERTIFICATE_COLUMNS                                                                 \
  "id, number, authority, kid, owner_id, species, head_count, purpose, origin, origin_place, " \
  "destination, destination_place, transport, issued_at, valid_until, vet_id, vet_name, "      \
  "owner_masked_name, owner_phone_last4, hp1, status, consumed_at, consumed_by, "              \
  "consumed_by_name, consumed_place, revoked_at, revoked_by, revoke_reason"
inline constexpr Query kInsertCertificate{
    "InsertCertificate",
    "INSERT INTO certificates(id, number, authority, kid, owner_id, species, head_count, purpose, "
    "origin, origin_place, destination, destination_place, transport, issued_at, valid_until, "
    "vet_id, vet_name, owner_masked_name, owner_phone_last4, hp1, status) VALUES(?1, ?2, ?3, ?4, "
    "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, 'issued')"};
inline constexpr Query kInsertCertificateAnimal{
    "InsertCertificateAnimal",
    "INSERT INTO certificate_animals(certificate_id, position, animal_id) VALUES(?1, ?2, ?3)"};
inline constexpr Query kInsertCertificateVaccination{
    "InsertCertificateVaccination",
    "INSERT INTO certificate_vaccinations(certificate_id, position, vaccination_id, disease, "
    "administered_on, batch_no) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"};
inline constexpr Query kSelectCertificateById{
    "SelectCertificateById", "SELECT " HP_CERTIFICATE_COLUMNS " FROM certificates WHERE id = ?1"};
inline constexpr Query kSelectCertificateByNumber{"SelectCertificateByNumber",
                                                  "SELECT " HP_CERTIFICATE_COLUMNS
                                                  " FROM certificates WHERE number = ?1"};
// A certificate's animals in their order, with the tag and the owner each has now (the tag is NULL
// for a flock).
inline constexpr Query kSelectCertificateAnimals{
    "SelectCertificateAnimals",
    "SELECT c.animal_id, a.tag, a.owner_id FROM certificate_animals c "
    "LEFT JOIN animals a ON a.id = c.animal_id WHERE c.certificate_id = ?1 ORDER BY c.position"};
inline constexpr Query kSelectCertificateVaccinations{
    "SelectCertificateVaccinations",
    "SELECT vaccination_id, disease, administered_on, batch_no FROM certificate_vaccinations "
    "WHERE certificate_id = ?1 ORDER BY position"};
inline constexpr Query kSelectCertificateStatus{"SelectCertificateStatus",
                                                "SELECT status FROM certificates WHERE id = ?1"};
// W5: only an issued certificate is consumed; a second consumption changes no row.
inline constexpr Query kConsumeCertificate{
    "ConsumeCertificate",
    "UPDATE certificates SET status = 'consumed', consumed_at = ?2, consumed_by = ?3, "
    "consumed_by_name = ?4, consumed_place = ?5 WHERE id = ?1 AND status = 'issued'"};
// W6: issued or consumed alike; the consumption stays recorded.
inline constexpr Query kRevokeCertificate{
    "RevokeCertificate",
    "UPDATE certificates SET status = 'revoked', revoked_at = ?2, revoked_by = ?3, "
    "revoke_reason = ?4 WHERE id = ?1 AND status <> 'revoked'"};
// The next sequence number is computed here rather than left to SQLite's rowid choice, which
// does not promise max + 1.
inline constexpr Query kInsertRevocation{
    "InsertRevocation",
    "INSERT INTO revocations(sequence, certificate_id, revoked_at) "
    "SELECT COALESCE(MAX(sequence), 0) + 1, ?1, ?2 FROM revocations"};
inline constexpr Query kSelectRevocationsAfter{
    "SelectRevocationsAfter",
    "SELECT sequence, certificate_id, revoked_at FROM revocations WHERE sequence > ?1 "
    "ORDER BY sequence"};
// W12 timeline: the certificates naming an animal, through certificate_animals_by_animal.
inline constexpr Query kSelectCertificatesOfAnimal{
    "SelectCertificatesOfAnimal",
    "SELECT " HP_CERTIFICATE_COLUMNS
    " FROM certificates WHERE id IN (SELECT certificate_id FROM certificate_animals WHERE "
    "animal_id = ?1) ORDER BY issued_at, id"};
#undef HP_CERTIFICATE_COLUMNS

// --- audit ---
#define HP_AUDIT_COLUMNS \
  "seq, at, user_id, username, action, target, detail, address, prev_hash, hash, authority"
inline constexpr Query kInsertAudit{"InsertAudit",
                                    "INSERT INTO audit(" HP_AUDIT_COLUMNS
                                    ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"};
inline constexpr Query kSelectAuditHead{"SelectAuditHead",
                                        "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"};
// Optional filters: an empty action, a zero user id and NULL times match everything.
#define HP_AUDIT_FILTERS                                                \
  "seq > ?1 AND (?2 = '' OR action = ?2) AND (?3 = 0 OR user_id = ?3) " \
  "AND (?4 IS NULL OR at >= ?4) AND (?5 IS NULL OR at <= ?5)"
inline constexpr Query kSelectAuditPage{"SelectAuditPage", "SELECT " HP_AUDIT_COLUMNS
                                                           " FROM audit WHERE " HP_AUDIT_FILTERS
                                                           " ORDER BY seq LIMIT ?6"};
// Rows of authority ?7, of any authority below it ("?7-..."), and of no authority. "Below" is the
// range [?7 || '-', ?7 || '.'): '.' follows '-' in the binary collation, so the range holds every
// code that starts with "?7-" and nothing else (LIKE would be case-insensitive and treat '_' as a
// wildcard). An empty ?7 is nobody's scope: it matches only the rows of no authority.
inline constexpr Query kSelectAuditPageInScope{
    "SelectAuditPageInScope",
    "SELECT " HP_AUDIT_COLUMNS " FROM audit WHERE " HP_AUDIT_FILTERS
    " AND (authority = '' OR authority = ?7 OR "
    "(?7 <> '' AND authority >= ?7 || '-' AND authority < ?7 || '.')) ORDER BY seq LIMIT ?6"};
#undef HP_AUDIT_FILTERS
inline constexpr Query kSelectAuditAll{"SelectAuditAll",
                                       "SELECT " HP_AUDIT_COLUMNS " FROM audit ORDER BY seq"};
#undef HP_AUDIT_COLUMNS

// --- counters (kept by the writer so that Counts() never scans 10 M rows) ---
inline constexpr Query kAddCounter{"AddCounter",
                                   "UPDATE counters SET value = value + ?2 WHERE name = ?1"};
inline constexpr Query kSelectCounters{"SelectCounters", "SELECT name, value FROM counters"};
// W14: the zones' revision (RecordCodecs::ReadZoneRevision), a row of its own in counters.
inline constexpr Query kSelectZoneRevision{
    "SelectZoneRevision",
    "SELECT coalesce((SELECT value FROM counters WHERE name = 'zone_changes'), 0)"};
inline constexpr Query kBumpZoneRevision{
    "BumpZoneRevision",
    "INSERT INTO counters(name, value) VALUES('zone_changes', 1) ON CONFLICT(name) DO UPDATE SET "
    "value = value + 1"};

// --- certificate lists ---
// ?1 scope, ?2 which authorities (0: issued in scope, 1: issued in or destined to scope, 2: all),
// ?3 owner id or 0, ?4 status or '', ?5 validity (0 any, 1 valid_until >= ?6, 2 valid_until < ?6),
// ?7/?8 the cursor (issued_at, id) or NULL, ?9 limit. Certificates are few next to vaccinations:
// a scan and a sort of the matching rows, no index of their own.
// --- movements (W13) ---
inline constexpr Query kInsertMovement{
    "InsertMovement",
    "INSERT INTO movements(certificate_id, origin_holding_id, destination_holding_id, "
    "destination_scope) VALUES(?1, ?2, ?3, ?4)"};
#define HP_MOVEMENT_COLUMNS                                                             \
  "m.origin_holding_id, m.destination_holding_id, m.arrived_at, m.arrival_holding_id, " \
  "m.head_counted, m.tags_seen, m.missing_tags, m.extra_tags, m.mismatch"
inline constexpr Query kSelectMovement{"SelectMovement",
                                       "SELECT " HP_MOVEMENT_COLUMNS
                                       " FROM movements m WHERE m.certificate_id = ?1"};
inline constexpr Query kUpdateArrival{
    "UpdateArrival",
    "UPDATE movements SET arrived_at = ?2, arrival_holding_id = ?3, head_counted = ?4, "
    "tags_seen = ?5, missing_tags = ?6, extra_tags = ?7, mismatch = ?8 WHERE certificate_id = ?1"};
inline constexpr Query kSetAnimalHolding{"SetAnimalHolding",
                                         "UPDATE animals SET holding_id = ?2 WHERE id = ?1"};
// ?1 scope, ?2 every authority (1), ?3 incoming (1) or outgoing (0), ?4 status (0 any, 1 planned,
// 2 arrived, 3 mismatch, 4 revoked, 5 expired), ?5 now, ?6 ?7 the cursor, ?8 limit.
inline constexpr Query kSelectMovementPage{
    "SelectMovementPage",
    "SELECT c.id, c.number, c.authority, c.owner_id, c.species, c.head_count, c.purpose, "
    "c.origin, c.destination, c.issued_at, c.valid_until, c.owner_masked_name, "
    "c.status, " HP_MOVEMENT_COLUMNS
    " FROM certificates c JOIN movements m ON m.certificate_id = c.id WHERE "
    "(?2 = 1 OR (?3 = 1 AND (m.destination_scope = ?1 OR (m.destination_scope >= ?1 || '-' AND "
    "m.destination_scope < ?1 || '.') OR c.destination = ?1 OR (c.destination >= ?1 || '-' AND "
    "c.destination < ?1 || '.'))) OR (?3 = 0 AND (c.authority = ?1 OR (c.authority >= ?1 || '-' "
    "AND c.authority < ?1 || '.')))) "
    "AND (?4 = 0 OR (?4 = 1 AND c.status = 'issued' AND c.valid_until >= ?5) OR "
    "(?4 = 2 AND c.status = 'consumed' AND m.mismatch = 0) OR "
    "(?4 = 3 AND c.status = 'consumed' AND m.mismatch = 1) OR (?4 = 4 AND c.status = 'revoked') "
    "OR (?4 = 5 AND c.status = 'issued' AND c.valid_until < ?5)) "
    "AND (?6 IS NULL OR c.issued_at < ?6 OR (c.issued_at = ?6 AND c.id < ?7)) "
    "ORDER BY c.issued_at DESC, c.id DESC LIMIT ?8"};

inline constexpr Query kSelectCertificateList{
    "SelectCertificateList",
    "SELECT id, number, authority, owner_id, species, head_count, purpose, origin, destination, "
    "issued_at, valid_until, owner_masked_name, status FROM certificates WHERE "
    "(?2 = 2 OR authority = ?1 OR (authority >= ?1 || '-' AND authority < ?1 || '.') OR "
    "(?2 = 1 AND (destination = ?1 OR (destination >= ?1 || '-' AND destination < ?1 || '.')))) "
    "AND (?3 = 0 OR owner_id = ?3) AND (?4 = '' OR status = ?4) "
    "AND (?5 = 0 OR (?5 = 1 AND valid_until >= ?6) OR (?5 = 2 AND valid_until < ?6)) "
    "AND (?7 IS NULL OR issued_at < ?7 OR (issued_at = ?7 AND id < ?8)) "
    "ORDER BY issued_at DESC, id DESC LIMIT ?9"};

// --- reports (W11) ---
// Owners in scope: `authority = ?1` or the range [?1 || '-', ?1 || '.'), every code below ?1
// (exact and case-sensitive, as for the audit). Owners are few next to their records: the scan of
// owners drives the key lookups into animals (by owner) and vaccinations (by owner and date).
#define HP_OWNER_IN_SCOPE \
  "(o.authority = ?1 OR (o.authority >= ?1 || '-' AND o.authority < ?1 || '.'))"
inline constexpr Query kSelectCoverageUnits{
    "SelectCoverageUnits",
    "SELECT a.id, o.authority, a.species, a.head_count, a.tag IS NULL, a.created_at "
    "FROM owners o JOIN animals a ON a.owner_id = o.id WHERE " HP_OWNER_IN_SCOPE
    " AND (?2 = '' OR a.species = ?2)"};
inline constexpr Query kSelectCoverageDoses{
    "SelectCoverageDoses",
    "SELECT v.animal_ids, v.administered_on, v.disease, v.vaccine, v.head_count "
    "FROM owners o JOIN vaccinations v ON v.owner_id = o.id WHERE " HP_OWNER_IN_SCOPE
    " AND v.administered_on <= ?2 AND v.voided = 0"};
// W15's due list (store/due_list.h): the owners and the units of the scope; their doses are
// SelectCoverageDoses' up to today.
inline constexpr Query kSelectDueOwners{"SelectDueOwners",
                                        "SELECT o.id, o.phone, o.name, o.village, o.authority, "
                                        "o.created_at FROM owners o WHERE " HP_OWNER_IN_SCOPE};
inline constexpr Query kSelectDueUnits{
    "SelectDueUnits",
    "SELECT " HP_ANIMAL_COLUMNS
    " FROM owners o JOIN animals a ON a.owner_id = o.id WHERE " HP_OWNER_IN_SCOPE};
// W14's ring list (store/ring_list.h), ?1 a JSON list of holding ids: the units kept on them, the
// owners those units and holdings name, and the records of those owners (and of the earlier owners
// of the tagged animals among the units: their history follows them) up to ?2.
inline constexpr Query kSelectRingUnits{
    "SelectRingUnits", "SELECT " HP_ANIMAL_COLUMNS
                       " FROM animals a WHERE a.holding_id IN (SELECT value FROM json_each(?1))"};
inline constexpr Query kSelectRingOwners{
    "SelectRingOwners",
    "SELECT o.id, o.phone, o.name, o.village, o.authority, o.created_at FROM owners o WHERE o.id "
    "IN (SELECT a.owner_id FROM animals a WHERE a.holding_id IN (SELECT value FROM json_each(?1)) "
    "UNION SELECT h.owner_id FROM holdings h WHERE h.id IN (SELECT value FROM json_each(?1)))"};
inline constexpr Query kSelectRingDoses{
    "SelectRingDoses",
    "SELECT v.animal_ids, v.administered_on, v.disease, v.vaccine, v.head_count FROM vaccinations "
    "v WHERE v.owner_id IN (SELECT a.owner_id FROM animals a WHERE a.holding_id IN (SELECT value "
    "FROM json_each(?1)) UNION SELECT c.from_owner_id FROM animals a JOIN ownership_changes c ON "
    "c.to_animal_id = a.id WHERE a.holding_id IN (SELECT value FROM json_each(?1)) AND a.tag IS "
    "NOT NULL) AND v.administered_on <= ?2 AND v.voided = 0"};
// W15's reminders (store/reminders.h), one statement: the units of the owners that may be
// reminded (no STOP stored, no reminder queued after ?3), each with the owner's stored language
// (column 12) and authority (13); then, with a NULL unit id, the non-voided doses (columns 14 to
// 18) administered from ?1 to ?2 of those owners and of the earlier owners of their tagged
// animals (their history follows them, W8). The owners are read by the primary key, the doses by
// vaccinations' owner index, the reminders of the last week by sms_outbox_by_owner.
#define HP_REMINDER_OWNERS                                                                    \
  "WITH eligible(id, language, authority) AS (SELECT o.id, coalesce(s.language, ''), "        \
  "o.authority FROM owners o LEFT JOIN sms_owners s ON s.owner_id = o.id WHERE "              \
  "coalesce(s.stopped, 0) = 0 AND NOT EXISTS (SELECT 1 FROM sms_outbox m WHERE m.owner_id = " \
  "o.id AND m.kind = 'reminder' AND m.created_at > ?3)) "
inline constexpr Query kSelectReminderRows{
    "SelectReminderRows", HP_REMINDER_OWNERS
    "SELECT " HP_ANIMAL_COLUMNS
    ", e.language, e.authority, NULL, NULL, NULL, NULL, NULL FROM eligible e JOIN animals a ON "
    "a.owner_id = e.id UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, NULL, NULL, NULL, v.animal_ids, v.administered_on, v.disease, v.vaccine, "
    "v.head_count FROM vaccinations v WHERE v.owner_id IN (SELECT id FROM eligible UNION SELECT "
    "c.from_owner_id FROM eligible e JOIN animals a ON a.owner_id = e.id JOIN ownership_changes "
    "c ON c.to_animal_id = a.id WHERE a.tag IS NOT NULL) AND v.administered_on >= ?1 AND "
    "v.administered_on <= ?2 AND v.voided = 0"};
#undef HP_REMINDER_OWNERS
#undef HP_OWNER_IN_SCOPE
#undef HP_ANIMAL_COLUMNS

// --- outbreaks and zones (W14) ---
#define HP_OUTBREAK_COLUMNS                                                                  \
  "id, holding_id, authority, disease, species, first_signs_on, head_sick, head_dead, lat, " \
  "lon, note, reported_by, reported_at, status, decided_by, decided_at, lab_reference, "     \
  "decision_note"
inline constexpr Query kInsertOutbreak{
    "InsertOutbreak", "INSERT INTO outbreaks(" HP_OUTBREAK_COLUMNS
                      ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
                      "?16, ?17, ?18)"};
inline constexpr Query kSelectOutbreak{
    "SelectOutbreak", "SELECT " HP_OUTBREAK_COLUMNS " FROM outbreaks WHERE id = ?1"};
inline constexpr Query kDecideOutbreak{
    "DecideOutbreak",
    "UPDATE outbreaks SET status = ?2, decided_by = ?3, decided_at = ?4, lab_reference = ?5, "
    "decision_note = ?6 WHERE id = ?1 AND status = 'reported'"};
// ?1 scope, ?2 every authority (1) or the scope's subtree (0), ?3 status or '', ?4 limit.
inline constexpr Query kSelectOutbreaks{
    "SelectOutbreaks",
    "SELECT " HP_OUTBREAK_COLUMNS
    " FROM outbreaks WHERE (?2 = 1 OR authority = ?1 OR (authority >= ?1 || '-' AND authority < "
    "?1 || '.')) AND (?3 = '' OR status = ?3) ORDER BY reported_at DESC, id DESC LIMIT ?4"};
#undef HP_OUTBREAK_COLUMNS
#define HP_ZONE_COLUMNS                                                                           \
  "id, disease, outbreak_id, holding_id, lat, lon, protection_km, surveillance_km, authorities, " \
  "species, starts_on, ends_on, authority, declared_by, declared_at, lifted_at, lifted_by, "      \
  "lift_reason"
inline constexpr Query kInsertZone{
    "InsertZone",
    "INSERT INTO zones(disease, outbreak_id, holding_id, lat, lon, protection_km, "
    "surveillance_km, authorities, species, starts_on, ends_on, authority, declared_by, "
    "declared_at, lifted_at, lifted_by, lift_reason) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
    "?10, ?11, ?12, ?13, ?14, NULL, 0, '')"};
inline constexpr Query kSelectZone{"SelectZone",
                                   "SELECT " HP_ZONE_COLUMNS " FROM zones WHERE id = ?1"};
// Issuance asks it for every certificate: a range of zones_in_force (those not lifted, by their
// last day), named, since without statistics SQLite would rather scan the table in id order than
// sort the few zones in force.
inline constexpr Query kSelectZonesInForce{
    "SelectZonesInForce", "SELECT " HP_ZONE_COLUMNS
                          " FROM zones INDEXED BY zones_in_force WHERE ends_on >= ?1 AND "
                          "starts_on <= ?1 AND lifted_at IS NULL ORDER BY id"};
inline constexpr Query kLiftZone{
    "LiftZone",
    "UPDATE zones SET lifted_at = ?3, lifted_by = ?2, lift_reason = ?4 WHERE id = ?1 AND "
    "lifted_at IS NULL"};
#undef HP_ZONE_COLUMNS

// --- checkpoint passages (issue 12 item 4) ---
#define HP_PASSAGE_COLUMNS                                                                  \
  "id, certificate_id, holding_id, scanned_at, head_seen, note, recorded_by, received_at, " \
  "flag, authority"
inline constexpr Query kInsertPassage{"InsertPassage",
                                      "INSERT INTO passages(" HP_PASSAGE_COLUMNS
                                      ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"};
inline constexpr Query kSelectPassage{"SelectPassage",
                                      "SELECT " HP_PASSAGE_COLUMNS " FROM passages WHERE id = ?1"};
inline constexpr Query kSelectPassages{
    "SelectPassages", "SELECT " HP_PASSAGE_COLUMNS
                      " FROM passages WHERE certificate_id = ?1 ORDER BY scanned_at, id"};
inline constexpr Query kSelectPassagesOfAnimal{
    "SelectPassagesOfAnimal",
    "SELECT " HP_PASSAGE_COLUMNS
    " FROM passages WHERE certificate_id IN (SELECT certificate_id FROM certificate_animals WHERE "
    "animal_id = ?1) ORDER BY scanned_at, id"};
#undef HP_PASSAGE_COLUMNS

// --- journeys (issue 12 item 6) ---
inline constexpr Query kInsertHoldingStay{
    "InsertHoldingStay",
    "INSERT INTO holding_stays(animal_id, holding_id, since, certificate_id) VALUES(?1, ?2, ?3, "
    "?4)"};
inline constexpr Query kSelectHoldingStays{
    "SelectHoldingStays",
    "SELECT animal_id, holding_id, since, coalesce(certificate_id, '') FROM holding_stays WHERE "
    "animal_id = ?1 ORDER BY since, seq"};
inline constexpr Query kSelectMovementsOfAnimal{
    "SelectMovementsOfAnimal",
    "SELECT m.certificate_id, " HP_MOVEMENT_COLUMNS
    " FROM movements m WHERE m.certificate_id IN (SELECT certificate_id FROM certificate_animals "
    "WHERE animal_id = ?1)"};

// --- certificate uses (W5, issue 14 item 5) ---
#define HP_USE_COLUMNS                                                                   \
  "id, certificate_id, double_use, scanned_at, received_at, user_id, user_name, place, " \
  "holding_id, head_counted, authority"
inline constexpr Query kInsertCertificateUse{
    "InsertCertificateUse", "INSERT INTO certificate_uses(" HP_USE_COLUMNS
                            ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"};
inline constexpr Query kSelectCertificateUse{
    "SelectCertificateUse", "SELECT " HP_USE_COLUMNS " FROM certificate_uses WHERE id = ?1"};
inline constexpr Query kSelectCertificateUses{
    "SelectCertificateUses",
    "SELECT " HP_USE_COLUMNS
    " FROM certificate_uses WHERE certificate_id = ?1 ORDER BY double_use, scanned_at, id"};
#undef HP_USE_COLUMNS
// ?1 scope, ?2 every authority (1), ?3 ?4 the cursor (issued_at, id) or NULL, ?5 limit. Driven by
// the double uses (certificate_uses_doubles), few; in scope as the issuer, the destination or
// where one of its uses was scanned.
#define HP_IN_SCOPE(col) "(" col " = ?1 OR (" col " >= ?1 || '-' AND " col " < ?1 || '.'))"
inline constexpr Query kSelectDoubleUsePage{
    "SelectDoubleUsePage",
    "SELECT c.id, c.number, c.authority, c.owner_id, c.species, c.head_count, c.purpose, "
    "c.origin, c.destination, c.issued_at, c.valid_until, c.owner_masked_name, c.status "
    "FROM certificates c WHERE c.id IN (SELECT certificate_id FROM certificate_uses WHERE "
    "double_use = 1) AND (?2 = 1 OR " HP_IN_SCOPE("c.authority") " OR " HP_IN_SCOPE(
        "c.destination") " OR EXISTS (SELECT 1 FROM certificate_uses u WHERE u.certificate_id = "
                         "c.id AND " HP_IN_SCOPE("u.authority") ")) "
    "AND (?3 IS NULL OR c.issued_at < ?3 OR (c.issued_at = ?3 AND c.id < ?4)) "
    "ORDER BY c.issued_at DESC, c.id DESC LIMIT ?5"};
#undef HP_IN_SCOPE

// --- ownership (W8) ---
#define HP_CHANGE_COLUMNS                                                             \
  "animal_id, to_animal_id, tag, species, head, from_owner_id, to_owner_id, on_day, " \
  "certificate_id, transfer_id, recorded_by, recorded_at"
inline constexpr Query kSetAnimalOwner{
    "SetAnimalOwner", "UPDATE animals SET owner_id = ?2, authority = ?3 WHERE id = ?1"};
inline constexpr Query kInsertOwnershipChange{
    "InsertOwnershipChange", "INSERT INTO ownership_changes(" HP_CHANGE_COLUMNS
                             ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"};
inline constexpr Query kSelectTransfer{
    "SelectTransfer",
    "SELECT seller_id, buyer_id, on_day, recorded_by, recorded_at, authority FROM transfers "
    "WHERE id = ?1"};
inline constexpr Query kInsertTransfer{
    "InsertTransfer",
    "INSERT INTO transfers(id, seller_id, buyer_id, on_day, recorded_by, recorded_at, authority) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"};
inline constexpr Query kSelectTransferChanges{
    "SelectTransferChanges",
    "SELECT " HP_CHANGE_COLUMNS " FROM ownership_changes WHERE transfer_id = ?1 ORDER BY seq"};
inline constexpr Query kSelectChangesIntoOwner{
    "SelectChangesIntoOwner",
    "SELECT " HP_CHANGE_COLUMNS
    " FROM ownership_changes WHERE to_animal_id IN (SELECT id FROM animals WHERE owner_id = ?1) "
    "ORDER BY on_day, seq"};
inline constexpr Query kSelectChangesFromOwner{
    "SelectChangesFromOwner",
    "SELECT " HP_CHANGE_COLUMNS
    " FROM ownership_changes WHERE from_owner_id = ?1 ORDER BY on_day DESC, seq DESC"};
inline constexpr Query kSelectChangesOfAnimal{
    "SelectChangesOfAnimal",
    "SELECT " HP_CHANGE_COLUMNS
    " FROM ownership_changes WHERE animal_id = ?1 OR to_animal_id = ?1 ORDER BY on_day, seq"};
// ?1: the animal ids as a JSON array.
inline constexpr Query kSelectChangesOutOfAnimals{
    "SelectChangesOutOfAnimals",
    "SELECT " HP_CHANGE_COLUMNS
    " FROM ownership_changes WHERE animal_id IN (SELECT value FROM json_each(?1)) "
    "ORDER BY on_day, seq"};
inline constexpr Query kSetCertificateBuyer{"SetCertificateBuyer",
                                            "UPDATE certificates SET buyer_id = ?2 WHERE id = ?1"};
inline constexpr Query kSelectCertificateBuyer{
    "SelectCertificateBuyer", "SELECT coalesce(buyer_id, 0) FROM certificates WHERE id = ?1"};
#undef HP_CHANGE_COLUMNS

// --- field copy (W10) ---
inline constexpr Query kInsertFieldChange{
    "InsertFieldChange", "INSERT INTO field_changes(kind, owner_id, ref) VALUES(?1, ?2, ?3)"};
inline constexpr Query kSelectFieldChangesAfter{
    "SelectFieldChangesAfter",
    "SELECT seq, kind, owner_id, ref FROM field_changes WHERE seq > ?1 ORDER BY seq LIMIT ?2"};
inline constexpr Query kSelectLatestFieldChange{"SelectLatestFieldChange",
                                                "SELECT coalesce(max(seq), 0) FROM field_changes"};
// ?1 the scope, ?2 = 1 for every owner: owners_by_authority, as the holdings' scope filter.
inline constexpr Query kSelectOwnerIdsInScope{
    "SelectOwnerIdsInScope",
    "SELECT id FROM owners WHERE ?2 = 1 OR authority = ?1 OR (authority >= ?1 || '-' AND "
    "authority < ?1 || '.') ORDER BY id"};

// --- W14 tracing (store/store.h TraceQuery) ---
// The edges the trace follows, from a certificate's movement (m) and certificate (c): the movement
// itself, from its origin to where it arrived (else its destination while not revoked), at its
// arrival (else its issue), of its head counted (else certified); and its passages (p), from the
// origin to the checkpoint at the scan, and from the checkpoint on to the end at the later of the
// scan and the movement. Only movements with both ends, and with ?2 (an animal) those naming it.
#define HP_TRACE_END "coalesce(m.arrival_holding_id, m.destination_holding_id)"
#define HP_TRACE_AT "coalesce(m.arrived_at, c.issued_at)"
#define HP_TRACE_CERT                                                           \
  "c.id, c.number, CASE c.purpose WHEN 'sale' THEN 'sale' ELSE 'arrival' END, " \
  "m.origin_holding_id, " HP_TRACE_END
#define HP_TRACE_PASSAGE "c.id, c.number, 'passage'"
// The certificate of a movement (m) by certificates_for_trace, which holds every column the walk
// reads of it (migration 17): SQLite would take the unique index on id and then read the row.
#define HP_TRACE_CERTIFICATE \
  "certificates c INDEXED BY certificates_for_trace ON c.id = m.certificate_id"
#define HP_TRACE_MOVED                                                                  \
  " m.origin_holding_id IS NOT NULL AND " HP_TRACE_END                                  \
  " IS NOT NULL AND (m.arrived_at IS NOT NULL OR c.status <> 'revoked') AND (?2 = 0 OR" \
  " m.certificate_id IN (SELECT certificate_id FROM certificate_animals WHERE animal_id = ?2))"
// ?1 start holding (0: none), ?2 animal (0: every certificate), ?3 and ?4 the window [from, to) in
// ms, ?5 depth, ?6 forward (1/0), ?7 backward (1/0). seeds: the start, or for an animal (aedges:
// its edges in the window) the origin of its first edge (forward) and the end of its last
// (backward). walk: each hop forward out of a holding by an edge in the window no earlier than it
// was reached, backward into it by one no later; each kind of edge and direction is its own
// recursive SELECT, so that each step is a search of an index by the holding (movements_by_origin,
// movements_by_end, passages_by_holding; migration 15) and, for arrived movements, the time, and
// reads index pages only (migration 17: the movement indexes and certificates_for_trace carry the
// columns read). A step through the passages of the movements out of (or into) a holding searches
// passages before the certificate (CROSS JOIN fixes that order): a movement passes a checkpoint
// seldom, and the movements of every time out of a holding are many. One row per (edge, hop,
// direction), and one per seed (certificate_id '', dst the seed).
inline constexpr Query kSelectTraceWalk{
    "SelectTraceWalk",
    "WITH RECURSIVE "
    "amoves(certificate_id, number, kind, src, dst, at, head) AS ("
    " SELECT " HP_TRACE_CERT ", " HP_TRACE_AT
    ", coalesce(m.head_counted, c.head_count)"
    " FROM certificate_animals a JOIN movements m ON m.certificate_id = a.certificate_id"
    " JOIN " HP_TRACE_CERTIFICATE " WHERE ?1 = 0 AND a.animal_id = ?2 AND" HP_TRACE_MOVED
    "), "
    "aedges(certificate_id, src, dst, at) AS ("
    " SELECT certificate_id, src, dst, at FROM amoves WHERE at >= ?3 AND at < ?4"
    " UNION ALL"
    " SELECT v.certificate_id, v.src, p.holding_id, p.scanned_at"
    " FROM amoves v JOIN passages p ON p.certificate_id = v.certificate_id"
    " WHERE p.scanned_at >= ?3 AND p.scanned_at < ?4 AND p.holding_id <> v.src"
    " UNION ALL"
    " SELECT v.certificate_id, p.holding_id, v.dst, max(v.at, p.scanned_at)"
    " FROM amoves v JOIN passages p ON p.certificate_id = v.certificate_id"
    " WHERE max(v.at, p.scanned_at) >= ?3 AND max(v.at, p.scanned_at) < ?4"
    "  AND p.holding_id <> v.dst), "
    "seeds(holding, at, dir) AS ("
    " SELECT ?1, ?3, 1 WHERE ?1 <> 0 AND ?6 = 1"
    " UNION ALL SELECT ?1, ?4, 0 WHERE ?1 <> 0 AND ?7 = 1"
    " UNION ALL SELECT * FROM (SELECT src, at, 1 FROM aedges WHERE ?1 = 0 AND ?6 = 1"
    "  ORDER BY at, certificate_id LIMIT 1)"
    " UNION ALL SELECT * FROM (SELECT dst, at, 0 FROM aedges WHERE ?1 = 0 AND ?7 = 1"
    "  ORDER BY at DESC, certificate_id DESC LIMIT 1)), "
    "walk(holding, at, hop, dir, certificate_id, number, kind, src, dst, head) AS ("
    " SELECT holding, at, 0, dir, '', '', '', 0, holding, 0 FROM seeds"
    // Forward: movements out of the holding that arrived, then those not (yet) arrived.
    " UNION"
    " SELECT " HP_TRACE_END ", m.arrived_at, w.hop + 1, 1, " HP_TRACE_CERT
    ", coalesce(m.head_counted, c.head_count)"
    " FROM walk w JOIN movements m ON m.origin_holding_id = w.holding"
    " JOIN " HP_TRACE_CERTIFICATE
    " WHERE w.dir = 1 AND w.hop < ?5 AND m.arrived_at >= max(w.at, ?3) AND m.arrived_at < ?4"
    "  AND" HP_TRACE_MOVED
    " UNION"
    " SELECT " HP_TRACE_END ", c.issued_at, w.hop + 1, 1, " HP_TRACE_CERT
    ", coalesce(m.head_counted, c.head_count)"
    " FROM walk w JOIN movements m ON m.origin_holding_id = w.holding AND m.arrived_at IS NULL"
    " JOIN " HP_TRACE_CERTIFICATE
    " WHERE w.dir = 1 AND w.hop < ?5 AND c.issued_at >= max(w.at, ?3) AND c.issued_at < ?4"
    "  AND" HP_TRACE_MOVED
    // Forward: from the origin to a checkpoint its movement passed.
    " UNION"
    " SELECT p.holding_id, p.scanned_at, w.hop + 1, 1, " HP_TRACE_PASSAGE
    ", m.origin_holding_id, p.holding_id, p.head_seen"
    " FROM walk w JOIN movements m ON m.origin_holding_id = w.holding"
    " CROSS JOIN passages p ON p.certificate_id = m.certificate_id"
    " CROSS JOIN " HP_TRACE_CERTIFICATE
    " WHERE w.dir = 1 AND w.hop < ?5 AND p.scanned_at >= max(w.at, ?3) AND p.scanned_at < ?4"
    "  AND p.holding_id <> m.origin_holding_id AND" HP_TRACE_MOVED
    // Forward: from a checkpoint on to the end of the movement that passed it.
    " UNION"
    " SELECT " HP_TRACE_END ", max(" HP_TRACE_AT ", p.scanned_at), w.hop + 1, 1, " HP_TRACE_PASSAGE
    ", p.holding_id, " HP_TRACE_END
    ", p.head_seen"
    " FROM walk w JOIN passages p ON p.holding_id = w.holding AND p.scanned_at < ?4"
    " JOIN movements m ON m.certificate_id = p.certificate_id"
    " JOIN " HP_TRACE_CERTIFICATE " WHERE w.dir = 1 AND w.hop < ?5 AND max(" HP_TRACE_AT
    ", p.scanned_at) >= max(w.at, ?3)"
    "  AND max(" HP_TRACE_AT ", p.scanned_at) < ?4 AND p.holding_id <> " HP_TRACE_END
    "  AND" HP_TRACE_MOVED
    // Backward: movements into the holding that arrived, then those not (yet) arrived.
    " UNION"
    " SELECT m.origin_holding_id, m.arrived_at, w.hop + 1, 0, " HP_TRACE_CERT
    ", coalesce(m.head_counted, c.head_count)"
    " FROM walk w JOIN movements m ON " HP_TRACE_END
    " = w.holding"
    " JOIN " HP_TRACE_CERTIFICATE
    " WHERE w.dir = 0 AND w.hop < ?5 AND m.arrived_at >= ?3 AND m.arrived_at <= w.at"
    "  AND m.arrived_at < ?4 AND" HP_TRACE_MOVED
    " UNION"
    " SELECT m.origin_holding_id, c.issued_at, w.hop + 1, 0, " HP_TRACE_CERT
    ", coalesce(m.head_counted, c.head_count)"
    " FROM walk w JOIN movements m ON " HP_TRACE_END
    " = w.holding AND m.arrived_at IS NULL"
    " JOIN " HP_TRACE_CERTIFICATE
    " WHERE w.dir = 0 AND w.hop < ?5 AND c.issued_at >= ?3 AND c.issued_at <= w.at"
    "  AND c.issued_at < ?4 AND" HP_TRACE_MOVED
    // Backward: into a checkpoint, from the origin of the movement that passed it.
    " UNION"
    " SELECT m.origin_holding_id, p.scanned_at, w.hop + 1, 0, " HP_TRACE_PASSAGE
    ", m.origin_holding_id, p.holding_id, p.head_seen"
    " FROM walk w JOIN passages p ON p.holding_id = w.holding AND p.scanned_at >= ?3"
    " JOIN movements m ON m.certificate_id = p.certificate_id"
    " JOIN " HP_TRACE_CERTIFICATE
    " WHERE w.dir = 0 AND w.hop < ?5 AND p.scanned_at <= w.at AND p.scanned_at < ?4"
    "  AND p.holding_id <> m.origin_holding_id AND" HP_TRACE_MOVED
    // Backward: into the end of a movement, from a checkpoint it passed.
    " UNION"
    " SELECT p.holding_id, max(" HP_TRACE_AT ", p.scanned_at), w.hop + 1, 0, " HP_TRACE_PASSAGE
    ", p.holding_id, " HP_TRACE_END
    ", p.head_seen"
    " FROM walk w JOIN movements m ON " HP_TRACE_END
    " = w.holding"
    " CROSS JOIN passages p ON p.certificate_id = m.certificate_id"
    " CROSS JOIN " HP_TRACE_CERTIFICATE " WHERE w.dir = 0 AND w.hop < ?5 AND max(" HP_TRACE_AT
    ", p.scanned_at) >= ?3"
    "  AND max(" HP_TRACE_AT ", p.scanned_at) <= w.at AND max(" HP_TRACE_AT
    ", p.scanned_at) < ?4"
    "  AND p.holding_id <> " HP_TRACE_END " AND" HP_TRACE_MOVED
    ") "
    "SELECT certificate_id, number, kind, src, dst, at, head, hop, dir FROM walk"};
#undef HP_TRACE_MOVED
#undef HP_TRACE_CERTIFICATE
#undef HP_TRACE_PASSAGE
#undef HP_TRACE_CERT
#undef HP_TRACE_AT
#undef HP_TRACE_END
// --- SMS outbox (W15) ---
#define HP_SMS_COLUMNS                                                                         \
  "m.id, m.owner_id, o.phone, o.authority, m.kind, coalesce(m.dedupe_key, ''), m.body, "       \
  "m.payload, m.requested, m.status, m.attempts, m.next_attempt_at, m.created_at, m.sent_at, " \
  "m.dlr, m.dlr_at, m.last_error FROM sms_outbox m JOIN owners o ON o.id = m.owner_id"
inline constexpr Query kInsertSms{
    "InsertSms",
    "INSERT INTO sms_outbox(owner_id, kind, dedupe_key, body, payload, requested, status, "
    "attempts, next_attempt_at, created_at, sent_at, dlr, dlr_at, last_error) VALUES(?1, ?2, "
    "nullif(?3, ''), ?4, ?5, ?6, 'queued', 0, ?7, ?7, NULL, 0, NULL, '')"};
inline constexpr Query kSelectSms{"SelectSms", "SELECT " HP_SMS_COLUMNS " WHERE m.id = ?1"};
inline constexpr Query kSelectSmsByKey{"SelectSmsByKey",
                                       "SELECT " HP_SMS_COLUMNS " WHERE m.dedupe_key = ?1"};
inline constexpr Query kUpdateSmsBody{
    "UpdateSmsBody", "UPDATE sms_outbox SET body = ?2, payload = ?3 WHERE id = ?1"};
inline constexpr Query kUpdateSmsState{
    "UpdateSmsState",
    "UPDATE sms_outbox SET status = ?2, attempts = ?3, next_attempt_at = ?4, sent_at = ?5, "
    "dlr = ?6, dlr_at = ?7, last_error = ?8 WHERE id = ?1"};
// ?1 now, ?2 limit, ?3 the ids left out (a JSON array: the sender's messages in flight).
inline constexpr Query kSelectDueSms{
    "SelectDueSms",
    "SELECT " HP_SMS_COLUMNS
    " WHERE m.status = 'queued' AND m.next_attempt_at <= ?1 AND m.id NOT IN (SELECT value FROM "
    "json_each(?3)) ORDER BY m.next_attempt_at, m.id LIMIT ?2"};
// ?1 the owners' ids (a JSON array), ?2 since: (owner, messages handed over since), owners with
// none left out.
inline constexpr Query kCountSmsSentSinceByOwner{
    "CountSmsSentSinceByOwner",
    "SELECT owner_id, count(*) FROM sms_outbox WHERE owner_id IN (SELECT value FROM json_each(?1)) "
    "AND sent_at >= ?2 GROUP BY owner_id"};
// ?1 scope, ?2 every authority (1) or the scope's subtree (0), ?3 below this id (0: from the
// newest), ?4 limit, ?5 the status ('' = any).
inline constexpr Query kSelectSmsList{
    "SelectSmsList",
    "SELECT " HP_SMS_COLUMNS
    " WHERE (?2 = 1 OR o.authority = ?1 OR (o.authority >= ?1 || '-' AND o.authority < ?1 || "
    "'.')) AND (?3 = 0 OR m.id < ?3) AND (?5 = '' OR m.status = ?5) ORDER BY m.id DESC LIMIT ?4"};
#undef HP_SMS_COLUMNS
// ?1 scope, ?2 every authority (1) or the scope's subtree (0); through sms_outbox_due.
inline constexpr Query kCountQueuedSms{
    "CountQueuedSms",
    "SELECT count(*) FROM sms_outbox m JOIN owners o ON o.id = m.owner_id WHERE m.status = "
    "'queued' AND (?2 = 1 OR o.authority = ?1 OR (o.authority >= ?1 || '-' AND o.authority < "
    "?1 || '.'))"};
// Every owner has settings: the stored ones, else messages on and the region's language.
inline constexpr Query kSelectSmsOwner{
    "SelectSmsOwner",
    "SELECT o.id, coalesce(s.stopped, 0), coalesce(s.language, ''), coalesce(s.changed_at, 0), "
    "o.authority FROM owners o LEFT JOIN sms_owners s ON s.owner_id = o.id WHERE o.id = ?1"};
inline constexpr Query kInsertSmsInbound{
    "InsertSmsInbound",
    "INSERT INTO sms_inbound(digest, received_at) VALUES(?1, ?2) ON CONFLICT DO NOTHING"};
inline constexpr Query kUpsertSmsOwner{
    "UpsertSmsOwner",
    "INSERT INTO sms_owners(owner_id, stopped, language, changed_at) VALUES(?1, ?2, ?3, ?4) "
    "ON CONFLICT(owner_id) DO UPDATE SET stopped = excluded.stopped, "
    "language = excluded.language, changed_at = excluded.changed_at"};

// --- owners' sign-in to /me (issue 15 item 4) ---
inline constexpr Query kInsertOwnerCode{
    "InsertOwnerCode",
    "INSERT INTO owner_codes(owner_id, code_hash, created_at, expires_at, tries, used) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)"};
inline constexpr Query kSelectNewestOwnerCode{
    "SelectNewestOwnerCode",
    "SELECT id, owner_id, code_hash, created_at, expires_at, tries, used FROM owner_codes "
    "WHERE owner_id = ?1 ORDER BY id DESC LIMIT 1"};
inline constexpr Query kUpdateOwnerCode{
    "UpdateOwnerCode", "UPDATE owner_codes SET tries = ?2, used = ?3 WHERE id = ?1"};
inline constexpr Query kInsertOwnerSession{
    "InsertOwnerSession",
    "INSERT INTO owner_sessions(token_hash, owner_id, created_at, expires_at) "
    "VALUES(?1, ?2, ?3, ?4)"};
inline constexpr Query kSelectOwnerSession{
    "SelectOwnerSession",
    "SELECT token_hash, owner_id, created_at, expires_at FROM owner_sessions "
    "WHERE token_hash = ?1"};
inline constexpr Query kDeleteOwnerSession{"DeleteOwnerSession",
                                           "DELETE FROM owner_sessions WHERE token_hash = ?1"};
// The signed-in users' rows (user_id names a user: owners and the console have none) of two
// targets, by the audit_by_target index.
inline constexpr Query kSelectOwnerReaders{
    "SelectOwnerReaders",
    "SELECT a.at, a.action, u.role, a.authority, coalesce(au.name, '') FROM audit a "
    "JOIN users u ON u.id = a.user_id LEFT JOIN authorities au ON au.code = a.authority "
    "WHERE a.target IN (?1, ?2) ORDER BY a.seq DESC LIMIT ?3"};

}  // namespace herdpass::sqlite
