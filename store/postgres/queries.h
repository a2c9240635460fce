// Every SQL statement of the PostgreSQL backend, each a named constant. The name is the prepared
// statement's name on every connection and what the log shows when it fails; the SQL text never
// reaches a user.
//
// Encodings at the boundary: a timestamp travels as milliseconds since the epoch and is stored as
// timestamptz (hp_ts() in, hp_ms() out); a date travels as days since 1970-01-01 and is stored as
// date (hp_date() in, hp_days() out). The four functions are created by migration 1
// (migrations.cpp). Parameters whose type the server cannot infer from their place carry a cast.
#pragma once

#include "store/query.h"

namespace herdpass::postgres {

using Query = store::Query;

// Advisory lock keys (pg_advisory_xact_lock): one for schema migrations, one for writers. Every
// HerdPass process writing to the database takes the writer lock for each write transaction, so
// that the audit chain, the counters and the revocation sequence advance one transaction at a
// time even with several servers (or the CLI) on one database.
#define HP_MIGRATION_LOCK "7237385358924713729"
#define HP_WRITER_LOCK "7237385358924713730"

// --- transactions ---
// A write transaction: the writer lock, then the audit head as the last writer left it. One round
// trip: under READ COMMITTED the SELECT's snapshot is taken after the lock is granted.
inline constexpr Query kBeginWrite{"BeginWrite",
                                   "BEGIN; SELECT pg_advisory_xact_lock(" HP_WRITER_LOCK
                                   "); SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"};
// The same for a group of audit rows alone (Store::AppendAudit): the commit returns once it is in
// the server's WAL buffers and is flushed by the WAL writer or the next synchronous commit.
inline constexpr Query kBeginWriteAsync{
    "BeginWriteAsync",
    "BEGIN; SET LOCAL synchronous_commit = off; SELECT pg_advisory_xact_lock(" HP_WRITER_LOCK
    "); SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"};
// Reads that must agree with each other (W2, a certificate with its parts, the audit chain).
inline constexpr Query kBeginSnapshot{"BeginSnapshot",
                                      "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"};
inline constexpr Query kCommit{"Commit", "COMMIT"};
inline constexpr Query kRollback{"Rollback", "ROLLBACK"};

// --- schema migrations (migrations.cpp) ---
inline constexpr Query kBeginMigration{
    "BeginMigration",
    "BEGIN; SELECT pg_advisory_xact_lock(" HP_MIGRATION_LOCK
    "); CREATE TABLE IF NOT EXISTS schema_migrations(version integer PRIMARY KEY, name text NOT "
    "NULL, applied_at timestamptz NOT NULL DEFAULT now())"};
inline constexpr Query kSchemaVersion{"SchemaVersion",
                                      "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"};
inline constexpr Query kInsertMigration{
    "InsertMigration", "INSERT INTO schema_migrations(version, name) VALUES($1::integer, $2)"};

// --- owners ---
#define HP_OWNER_COLUMNS "id, phone, name, village, authority, hp_ms(created_at)"
inline constexpr Query kInsertOwner{
    "InsertOwner",
    "INSERT INTO owners(phone, name, village, authority, created_at) "
    "VALUES($1, $2, $3, $4, hp_ts($5)) RETURNING id"};
inline constexpr Query kSelectOwnerById{
    "SelectOwnerById", "SELECT " HP_OWNER_COLUMNS " FROM owners WHERE id = $1::bigint"};
// The keys through unnest, not = ANY (see kBatchOwners below).
inline constexpr Query kSelectOwnersByIds{
    "SelectOwnersByIds", "SELECT " HP_OWNER_COLUMNS
                         " FROM owners WHERE id IN (SELECT unnest($1::bigint[])) ORDER BY id"};
inline constexpr Query kSelectOwnerRevisionByPhone{
    "SelectOwnerRevisionByPhone", "SELECT id, authority, revision FROM owners WHERE phone = $1"};
inline constexpr Query kBumpOwnerRevision{
    "BumpOwnerRevision", "UPDATE owners SET revision = revision + 1 WHERE id = $1::bigint"};
inline constexpr Query kSelectOwnerByPhone{
    "SelectOwnerByPhone", "SELECT " HP_OWNER_COLUMNS " FROM owners WHERE phone = $1"};
#undef HP_OWNER_COLUMNS

// --- animals ---
#define HP_ANIMAL_COLUMNS                                                            \
  "a.id, a.owner_id, a.tag, a.species, a.head_count, a.sex, hp_days(a.birth_date), " \
  "a.authority, hp_ms(a.created_at), a.holding_id, a.ended_kind, hp_days(a.ended_on)"
inline constexpr Query kInsertAnimal{
    "InsertAnimal",
    "INSERT INTO animals(owner_id, tag, species, head_count, sex, birth_date, authority, "
    "created_at, holding_id) VALUES($1, $2, $3, $4, $5, hp_date($6), $7, hp_ts($8), $9::bigint) "
    "RETURNING id"};
// By the current tag or a former one: one probe of each key, at most one row.
inline constexpr Query kSelectAnimalByTag{
    "SelectAnimalByTag",
    "SELECT " HP_ANIMAL_COLUMNS
    " FROM animals a WHERE a.tag = $1 UNION ALL SELECT " HP_ANIMAL_COLUMNS
    " FROM former_tags f JOIN animals a ON a.id = f.animal_id WHERE f.tag = $1"};
inline constexpr Query kSelectAnimalById{
    "SelectAnimalById", "SELECT " HP_ANIMAL_COLUMNS " FROM animals a WHERE a.id = $1::bigint"};
inline constexpr Query kSelectAnimalsByOwner{
    "SelectAnimalsByOwner",
    "SELECT " HP_ANIMAL_COLUMNS " FROM animals a WHERE a.owner_id = $1::bigint ORDER BY a.id"};
inline constexpr Query kSelectFlock{
    "SelectFlock",
    "SELECT id, head_count, hp_days((SELECT max(e.on_day) FROM animal_events e WHERE "
    "e.animal_id = animals.id)) FROM animals WHERE owner_id = $1 AND species = $2 AND tag IS "
    "NULL ORDER BY id LIMIT 1"};
inline constexpr Query kRaiseFlockHeadCount{
    "RaiseFlockHeadCount", "UPDATE animals SET head_count = $2 WHERE id = $1 AND head_count < $2"};
inline constexpr Query kSelectFormerTags{
    "SelectFormerTags",
    "SELECT tag FROM former_tags WHERE animal_id = $1::bigint ORDER BY replaced_on, tag"};
inline constexpr Query kInsertFormerTag{
    "InsertFormerTag",
    "INSERT INTO former_tags(tag, animal_id, replaced_on) VALUES($1, $2::bigint, hp_date($3))"};
inline constexpr Query kUpdateAnimalTag{"UpdateAnimalTag",
                                        "UPDATE animals SET tag = $2 WHERE id = $1::bigint"};
inline constexpr Query kEndAnimal{"EndAnimal",
                                  "UPDATE animals SET ended_kind = $2, ended_on = hp_date($3) "
                                  "WHERE id = $1::bigint AND ended_kind IS NULL"};
inline constexpr Query kSetHeadCount{"SetHeadCount",
                                     "UPDATE animals SET head_count = $2 WHERE id = $1::bigint"};
#define HP_EVENT_COLUMNS                                                               \
  "id, animal_id, kind, hp_days(on_day), reason, old_tag, new_tag, head, head_after, " \
  "recorded_by, hp_ms(recorded_at), authority"
inline constexpr Query kInsertAnimalEvent{
    "InsertAnimalEvent",
    "INSERT INTO animal_events(id, animal_id, kind, on_day, reason, old_tag, new_tag, head, "
    "head_after, recorded_by, recorded_at, authority) VALUES($1::uuid, $2::bigint, $3, "
    "hp_date($4), $5, $6, $7, $8, $9, $10::bigint, hp_ts($11), $12)"};
inline constexpr Query kSelectAnimalEvent{
    "SelectAnimalEvent", "SELECT " HP_EVENT_COLUMNS " FROM animal_events WHERE id = $1::uuid"};
inline constexpr Query kSelectAnimalEvents{
    "SelectAnimalEvents", "SELECT " HP_EVENT_COLUMNS
                          " FROM animal_events WHERE animal_id = $1::bigint ORDER BY on_day, seq"};
#undef HP_EVENT_COLUMNS

// --- holdings ---
#define HP_HOLDING_COLUMNS                                                                       \
  "id, authority, code, kind, name, owner_id, owner_masked_name, lat, lon, hp_days(opened_on), " \
  "hp_days(closed_on), hp_ms(created_at)"
inline constexpr Query kInsertHolding{
    "InsertHolding",
    "INSERT INTO holdings(authority, code, kind, name, owner_id, owner_masked_name, lat, lon, "
    "opened_on, closed_on, created_at) VALUES($1, $2, $3, $4, $5::bigint, $6, $7, $8, hp_date($9), "
    "hp_date($10::integer), hp_ts($11)) RETURNING id"};
inline constexpr Query kSelectHoldingById{
    "SelectHoldingById", "SELECT " HP_HOLDING_COLUMNS " FROM holdings WHERE id = $1::bigint"};
// $1 scope, $2 every authority (1) or the scope's subtree (0; compared in "C" order as for the
// audit), $3 kind or ''.
#define HP_HOLDING_FILTERS                                                                         \
  "($2::integer = 1 OR authority = $1::text OR (authority >= ($1::text || '-') COLLATE \"C\" AND " \
  "authority < ($1::text || '.') COLLATE \"C\")) AND ($3::text = '' OR kind = $3::text)"
// A page by id from $4, at most $5 rows.
inline constexpr Query kSelectHoldingPage{
    "SelectHoldingPage", "SELECT " HP_HOLDING_COLUMNS " FROM holdings WHERE " HP_HOLDING_FILTERS
                         " AND id > $4::bigint ORDER BY id LIMIT $5::integer"};
// Nearest first: the holdings in the box lat [$4, $5], lon [$6, $7] (domain/holding.h BoxAround),
// a range of holdings_by_lat; the store core computes the distances and orders them.
inline constexpr Query kSelectHoldingsInBox{
    "SelectHoldingsInBox",
    "SELECT " HP_HOLDING_COLUMNS
    " FROM holdings WHERE lat BETWEEN $4::float8 AND $5::float8 AND lon BETWEEN $6::float8 AND "
    "$7::float8 AND " HP_HOLDING_FILTERS};
#undef HP_HOLDING_FILTERS
// Every holding of $1 (an array of ids), by id.
inline constexpr Query kSelectHoldingsByIds{
    "SelectHoldingsByIds",
    "SELECT " HP_HOLDING_COLUMNS " FROM holdings WHERE id = ANY($1::bigint[]) ORDER BY id"};
// W14's ring list of a zone of codes: every holding of the subtrees of $1 (a text array; each
// subtree compared in "C" order, as HP_HOLDING_FILTERS).
inline constexpr Query kSelectHoldingsOfAuthorities{
    "SelectHoldingsOfAuthorities",
    "SELECT " HP_HOLDING_COLUMNS
    " FROM holdings WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) s(code) WHERE authority = "
    "s.code OR (authority >= (s.code || '-') COLLATE \"C\" AND authority < (s.code || '.') "
    "COLLATE \"C\"))"};
#undef HP_HOLDING_COLUMNS

// --- vaccinations ---
#define HP_VACCINATION_COLUMNS                                                                   \
  "v.id, v.owner_id, hp_days(v.administered_on), v.animal_ids, v.species, v.head_count, "        \
  "v.disease, v.vaccine, v.batch_no, v.dose_ml, v.lat, v.lon, v.device_id, v.recorded_by, "      \
  "hp_ms(v.recorded_at), v.authority, v.voided, v.void_reason, hp_ms(v.voided_at), v.corrects, " \
  "v.holding_id"
// The record and its id (for idempotency) in one statement.
inline constexpr Query kInsertVaccination{
    "InsertVaccination",
    "WITH id AS (INSERT INTO vaccination_ids(id, owner_id, administered_on) "
    "VALUES($3::uuid, $1::bigint, hp_date($2))) "
    "INSERT INTO vaccinations(owner_id, administered_on, id, animal_ids, species, head_count, "
    "disease, vaccine, batch_no, dose_ml, lat, lon, device_id, recorded_by, recorded_at, "
    "authority, corrects, holding_id) VALUES($1::bigint, hp_date($2), $3::uuid, $4::bigint[], $5, "
    "$6, $7, $8, $9, $10, $11, $12, $13, $14, hp_ts($15), $16, $17::uuid, $18::bigint)"};
// The owner and authority of a stored record id: for idempotency and the checks of `corrects`.
inline constexpr Query kSelectVaccinationOwner{
    "SelectVaccinationOwner",
    "SELECT i.owner_id, v.authority, v.voided FROM vaccination_ids i JOIN vaccinations v ON "
    "v.owner_id = i.owner_id AND v.administered_on = i.administered_on AND v.id = i.id "
    "WHERE i.id = $1::uuid"};
inline constexpr Query kSelectVaccination{
    "SelectVaccination",
    "SELECT " HP_VACCINATION_COLUMNS
    " FROM vaccination_ids i JOIN vaccinations v ON v.owner_id = i.owner_id AND "
    "v.administered_on = i.administered_on AND v.id = i.id WHERE i.id = $1::uuid"};
// W2's hot query: one range of the primary key (owner_id, administered_on, id), read backwards
// as an index-only scan (the key INCLUDEs every column; schema.md).
inline constexpr Query kSelectOwnerVaccinationsSince{
    "SelectOwnerVaccinationsSince",
    "SELECT " HP_VACCINATION_COLUMNS
    " FROM vaccinations v WHERE v.owner_id = $1::bigint AND v.administered_on >= hp_date($2) "
    "ORDER BY v.administered_on DESC, v.id DESC"};
// W2 of a buyer: one earlier owner's records from $2 to $3 that name one of the animals $4 (array
// overlap), the same range of the primary key bounded at both ends.
inline constexpr Query kSelectOwnerVaccinationsOfAnimals{
    "SelectOwnerVaccinationsOfAnimals",
    "SELECT " HP_VACCINATION_COLUMNS
    " FROM vaccinations v WHERE v.owner_id = $1::bigint AND v.administered_on >= hp_date($2) AND "
    "v.administered_on <= hp_date($3) AND v.animal_ids && $4::bigint[] "
    "ORDER BY v.administered_on DESC, v.id DESC"};
inline constexpr Query kVoidVaccination{
    "VoidVaccination",
    "UPDATE vaccinations SET voided = true, void_reason = $4, voided_at = hp_ts($5) "
    "WHERE owner_id = $1::bigint AND administered_on = hp_date($2) AND id = $3::uuid AND NOT "
    "voided"};
#undef HP_VACCINATION_COLUMNS

// --- users and tokens ---
#define HP_USER_COLUMNS "id, username, password_hash, role, authority, disabled, hp_ms(created_at)"
inline constexpr Query kInsertUser{
    "InsertUser",
    "INSERT INTO users(username, password_hash, role, authority, disabled, created_at) "
    "VALUES($1, $2, $3, $4, false, hp_ts($5)) RETURNING id"};
inline constexpr Query kSelectUserByName{
    "SelectUserByName", "SELECT " HP_USER_COLUMNS " FROM users WHERE username = $1"};
inline constexpr Query kSelectUserById{
    "SelectUserById", "SELECT " HP_USER_COLUMNS " FROM users WHERE id = $1::bigint"};
inline constexpr Query kSelectUsers{"SelectUsers",
                                    "SELECT " HP_USER_COLUMNS " FROM users ORDER BY id"};
inline constexpr Query kUpdateUserDisabled{
    "UpdateUserDisabled", "UPDATE users SET disabled = $2::boolean WHERE username = $1"};
inline constexpr Query kUpdateUserPassword{
    "UpdateUserPassword", "UPDATE users SET password_hash = $2 WHERE username = $1"};
#undef HP_USER_COLUMNS
inline constexpr Query kInsertToken{
    "InsertToken",
    "INSERT INTO tokens(token_hash, user_id, created_at, expires_at) "
    "VALUES($1, $2, hp_ts($3), hp_ts($4))"};
inline constexpr Query kSelectToken{
    "SelectToken",
    "SELECT token_hash, user_id, hp_ms(created_at), hp_ms(expires_at) FROM tokens "
    "WHERE token_hash = $1"};
inline constexpr Query kDeleteToken{"DeleteToken", "DELETE FROM tokens WHERE token_hash = $1"};
inline constexpr Query kDeleteUserTokens{
    "DeleteUserTokens",
    "DELETE FROM tokens WHERE user_id = (SELECT id FROM users WHERE username = $1)"};

// --- authorities ---
inline constexpr Query kUpsertAuthority{
    "UpsertAuthority",
    "INSERT INTO authorities(code, name, parent) VALUES($1, $2, $3) "
    "ON CONFLICT(code) DO UPDATE SET name = excluded.name, parent = excluded.parent"};
inline constexpr Query kSelectAuthorities{
    "SelectAuthorities", "SELECT code, name, parent FROM authorities ORDER BY code"};

// --- signing keys and signed documents ---
#define HP_SIGNING_KEY_COLUMNS                                                                    \
  "kid, authority, country, algorithm, public_key, root, hp_ms(valid_from), hp_ms(valid_until), " \
  "hp_ms(retired_at), source"
inline constexpr Query kInsertSigningKey{
    "InsertSigningKey",
    "INSERT INTO signing_keys(kid, authority, country, algorithm, public_key, root, valid_from, "
    "valid_until, retired_at, source) VALUES($1, $2, $3, $4, $5, $6::boolean, hp_ts($7), "
    "hp_ts($8), hp_ts($9), $10)"};
inline constexpr Query kSelectSigningKeyRetiredAt{
    "SelectSigningKeyRetiredAt", "SELECT hp_ms(retired_at) FROM signing_keys WHERE kid = $1"};
inline constexpr Query kRetireSigningKey{
    "RetireSigningKey",
    "UPDATE signing_keys SET retired_at = hp_ts($2) WHERE kid = $1 AND retired_at IS NULL"};
// Oldest first: by the start of validity, the kid (bytewise, as on SQLite) breaking ties.
inline constexpr Query kSelectSigningKeys{
    "SelectSigningKeys",
    "SELECT " HP_SIGNING_KEY_COLUMNS " FROM signing_keys ORDER BY valid_from, kid COLLATE \"C\""};
// Retirements of a source's keys, carried over when ReplaceKeys brings the same kid back.
inline constexpr Query kSelectRetiredKeysOfSource{
    "SelectRetiredKeysOfSource",
    "SELECT kid, hp_ms(retired_at) FROM signing_keys WHERE source = $1 AND retired_at IS NOT "
    "NULL"};
inline constexpr Query kDeleteKeysOfSource{"DeleteKeysOfSource",
                                           "DELETE FROM signing_keys WHERE source = $1"};
#undef HP_SIGNING_KEY_COLUMNS
inline constexpr Query kUpsertDocument{
    "UpsertDocument",
    "INSERT INTO documents(name, sequence, body, saved_at) VALUES($1, $2, $3, hp_ts($4)) "
    "ON CONFLICT(name) DO UPDATE SET sequence = excluded.sequence, body = excluded.body, "
    "saved_at = excluded.saved_at"};
inline constexpr Query kSelectDocument{
    "SelectDocument",
    "SELECT name, sequence, body, hp_ms(saved_at) FROM documents WHERE name = $1"};

// --- certificates ---
#define HP_CERTIFICATE_COLUMNS                                                                 \
  "id, number, authority, kid, owner_id, species, head_count, purpose, origin, origin_place, " \
  "destination, destination_place, transport, hp_ms(issued_at), hp_ms(valid_until), vet_id, "  \
  "vet_name, owner_masked_name, owner_phone_last4, hp1, status, hp_ms(consumed_at), "          \
  "consumed_by, consumed_by_name, consumed_place, hp_ms(revoked_at), revoked_by, revoke_reason"
// A taken id or number inserts nothing (no error, which would abort the transaction); the caller
// tells which from the row count and a lookup by id.
inline constexpr Query kInsertCertificate{
    "InsertCertificate",
    "INSERT INTO certificates(id, number, authority, kid, owner_id, species, head_count, purpose, "
    "origin, origin_place, destination, destination_place, transport, issued_at, valid_until, "
    "vet_id, vet_name, owner_masked_name, owner_phone_last4, hp1, status) VALUES($1, $2, $3, $4, "
    "$5, $6, $7, $8, $9, $10, $11, $12, $13, hp_ts($14), hp_ts($15), $16, $17, $18, $19, $20, "
    "'issued') ON CONFLICT DO NOTHING"};
// The certificate's animals in their order, in one statement. An unknown animal id fails the
// foreign key.
inline constexpr Query kInsertCertificateAnimals{
    "InsertCertificateAnimals",
    "INSERT INTO certificate_animals(certificate_id, position, animal_id) "
    "SELECT $1, a.position - 1, a.id FROM unnest($2::bigint[]) WITH ORDINALITY AS a(id, position)"};
inline constexpr Query kInsertCertificateVaccinations{
    "InsertCertificateVaccinations",
    "INSERT INTO certificate_vaccinations(certificate_id, position, vaccination_id, disease, "
    "administered_on, batch_no) SELECT $1, v.position - 1, v.id, v.disease, hp_date(v.day), "
    "v.batch_no FROM unnest($2::text[], $3::text[], $4::integer[], $5::text[]) WITH ORDINALITY "
    "AS v(id, disease, day, batch_no, position)"};
inline constexpr Query kSelectCertificateById{
    "SelectCertificateById", "SELECT " HP_CERTIFICATE_COLUMNS " FROM certificates WHERE id = $1"};
inline constexpr Query kSelectCertificateByNumber{"SelectCertificateByNumber",
                                                  "SELECT " HP_CERTIFICATE_COLUMNS
                                                  " FROM certificates WHERE number = $1"};
// A certificate's animals in their order, with the tag and the owner each has now (the tag is NULL
// for a flock).
inline constexpr Query kSelectCertificateAnimals{
    "SelectCertificateAnimals",
    "SELECT c.animal_id, a.tag, a.owner_id FROM certificate_animals c "
    "LEFT JOIN animals a ON a.id = c.animal_id WHERE c.certificate_id = $1 ORDER BY c.position"};
inline constexpr Query kSelectCertificateVaccinations{
    "SelectCertificateVaccinations",
    "SELECT vaccination_id, disease, hp_days(administered_on), batch_no FROM "
    "certificate_vaccinations WHERE certificate_id = $1 ORDER BY position"};
inline constexpr Query kSelectCertificateStatus{"SelectCertificateStatus",
                                                "SELECT status FROM certificates WHERE id = $1"};
// W5: only an issued certificate is consumed; a second consumption changes no row.
inline constexpr Query kConsumeCertificate{
    "ConsumeCertificate",
    "UPDATE certificates SET status = 'consumed', consumed_at = hp_ts($2), consumed_by = $3, "
    "consumed_by_name = $4, consumed_place = $5 WHERE id = $1 AND status = 'issued'"};
// W6: issued or consumed alike; the consumption stays recorded.
inline constexpr Query kRevokeCertificate{
    "RevokeCertificate",
    "UPDATE certificates SET status = 'revoked', revoked_at = hp_ts($2), revoked_by = $3, "
    "revoke_reason = $4 WHERE id = $1 AND status <> 'revoked'"};
// MAX + 1 under the writer lock: 1, 2, 3, ... with no gap, which a sequence does not promise
// (a rolled-back nextval() is lost).
inline constexpr Query kInsertRevocation{
    "InsertRevocation",
    "INSERT INTO revocations(sequence, certificate_id, revoked_at) "
    "SELECT COALESCE(MAX(sequence), 0) + 1, $1, hp_ts($2) FROM revocations RETURNING sequence"};
inline constexpr Query kSelectRevocationsAfter{
    "SelectRevocationsAfter",
    "SELECT sequence, certificate_id, hp_ms(revoked_at) FROM revocations "
    "WHERE sequence > $1::bigint ORDER BY sequence"};
// W12 timeline: the certificates naming an animal, through certificate_animals_by_animal.
inline constexpr Query kSelectCertificatesOfAnimal{
    "SelectCertificatesOfAnimal",
    "SELECT " HP_CERTIFICATE_COLUMNS
    " FROM certificates WHERE id IN (SELECT certificate_id FROM certificate_animals WHERE "
    "animal_id = $1::bigint) ORDER BY issued_at, id"};
#undef HP_CERTIFICATE_COLUMNS

// --- audit ---
#define HP_AUDIT_COLUMNS                                                                  \
  "seq, hp_ms(at), user_id, username, action, target, detail, address, prev_hash, hash, " \
  "authority"
inline constexpr Query kInsertAudit{
    "InsertAudit",
    "INSERT INTO audit(seq, at, user_id, username, action, target, detail, address, prev_hash, "
    "hash, authority) VALUES($1, hp_ts($2), $3, $4, $5, $6, $7, $8, $9, $10, $11)"};
// Optional filters: an empty action, a zero user id and NULL times match everything.
#define HP_AUDIT_FILTERS                                                                        \
  "seq > $1::bigint AND ($2::text = '' OR action = $2::text) AND ($3::bigint = 0 OR user_id = " \
  "$3::bigint) AND ($4::bigint IS NULL OR at >= hp_ts($4::bigint)) AND ($5::bigint IS NULL OR " \
  "at <= hp_ts($5::bigint))"
inline constexpr Query kSelectAuditPage{"SelectAuditPage", "SELECT " HP_AUDIT_COLUMNS
                                                           " FROM audit WHERE " HP_AUDIT_FILTERS
                                                           " ORDER BY seq LIMIT $6"};
// Rows of authority $7, of any authority below it ("$7-..."), and of no authority: the range
// [$7 || '-', $7 || '.') in the bytewise "C" collation holds every code that starts with "$7-"
// and nothing else (as on SQLite; LIKE would treat '_' as a wildcard). An empty $7 is nobody's
// scope. Scanned in seq order by the primary key, stopping after $6 matches.
inline constexpr Query kSelectAuditPageInScope{
    "SelectAuditPageInScope",
    "SELECT " HP_AUDIT_COLUMNS " FROM audit WHERE " HP_AUDIT_FILTERS
    " AND (authority = '' OR authority = $7::text OR ($7::text <> '' AND authority COLLATE \"C\" "
    ">= ($7::text || '-') COLLATE \"C\" AND authority COLLATE \"C\" < ($7::text || '.') COLLATE "
    "\"C\")) ORDER BY seq LIMIT $6"};
#undef HP_AUDIT_FILTERS
// The chain in pages (VerifyAudit), so that ten million rows never sit in memory at once.
inline constexpr Query kSelectAuditChunk{
    "SelectAuditChunk",
    "SELECT " HP_AUDIT_COLUMNS " FROM audit WHERE seq > $1::bigint ORDER BY seq LIMIT $2"};
#undef HP_AUDIT_COLUMNS

// --- counters (kept by the writer so that Counts() never scans 10 M rows) ---
// A whole group's changes in one statement: names and deltas as two arrays.
inline constexpr Query kAddCounters{
    "AddCounters",
    "UPDATE counters SET value = counters.value + d.delta FROM unnest($1::text[], $2::bigint[]) "
    "AS d(name, delta) WHERE counters.name = d.name"};
inline constexpr Query kSelectCounters{"SelectCounters", "SELECT name, value FROM counters"};
// W14: the zones' revision (RecordCodecs::ReadZoneRevision), a row of its own in counters.
inline constexpr Query kSelectZoneRevision{
    "SelectZoneRevision",
    "SELECT coalesce((SELECT value FROM counters WHERE name = 'zone_changes'), 0)"};
inline constexpr Query kBumpZoneRevision{
    "BumpZoneRevision",
    "INSERT INTO counters(name, value) VALUES('zone_changes', 1) ON CONFLICT(name) DO UPDATE SET "
    "value = counters.value + 1"};

// --- certificate lists ---
// As in SQLite (../sqlite/queries.h): $1 scope, $2 mode, $3 owner id or 0, $4 status or '', $5
// validity, $6 now (ms), $7/$8 the cursor or NULL, $9 limit. Codes and ids compare in "C" order,
// as SQLite compares them.
// --- movements (W13) ---
inline constexpr Query kInsertMovement{
    "InsertMovement",
    "INSERT INTO movements(certificate_id, origin_holding_id, destination_holding_id, "
    "destination_scope) VALUES($1, $2::bigint, $3::bigint, $4)"};
#define HP_MOVEMENT_COLUMNS                                                                    \
  "m.origin_holding_id, m.destination_holding_id, hp_ms(m.arrived_at), m.arrival_holding_id, " \
  "m.head_counted, m.tags_seen, m.missing_tags, m.extra_tags, m.mismatch"
inline constexpr Query kSelectMovement{"SelectMovement",
                                       "SELECT " HP_MOVEMENT_COLUMNS
                                       " FROM movements m WHERE m.certificate_id = $1"};
inline constexpr Query kUpdateArrival{
    "UpdateArrival",
    "UPDATE movements SET arrived_at = hp_ts($2), arrival_holding_id = $3::bigint, "
    "head_counted = $4::integer, tags_seen = $5, missing_tags = $6, extra_tags = $7, "
    "mismatch = $8::boolean WHERE certificate_id = $1"};
inline constexpr Query kSetAnimalHolding{
    "SetAnimalHolding", "UPDATE animals SET holding_id = $2::bigint WHERE id = $1::bigint"};
// $1 scope, $2 every authority (1), $3 incoming (1) or outgoing (0), $4 status (0 any, 1 planned,
// 2 arrived, 3 mismatch, 4 revoked, 5 expired), $5 now, $6 $7 the cursor, $8 limit.
#define HP_IN_SCOPE(column)                                       \
  "(" column " = $1::text OR (" column                            \
  " COLLATE \"C\" >= ($1::text || '-') COLLATE \"C\" AND " column \
  " COLLATE \"C\" < ($1::text || '.') COLLATE \"C\"))"
inline constexpr Query kSelectMovementPage{
    "SelectMovementPage",
    "SELECT c.id, c.number, c.authority, c.owner_id, c.species, c.head_count, c.purpose, "
    "c.origin, c.destination, hp_ms(c.issued_at), hp_ms(c.valid_until), c.owner_masked_name, "
    "c.status, " HP_MOVEMENT_COLUMNS
    " FROM certificates c JOIN movements m ON m.certificate_id = c.id WHERE "
    "($2::integer = 1 OR ($3::integer = 1 AND (" HP_IN_SCOPE("m.destination_scope") " OR "
    HP_IN_SCOPE("c.destination") ")) OR ($3::integer = 0 AND " HP_IN_SCOPE("c.authority") ")) "
    "AND ($4::integer = 0 OR ($4::integer = 1 AND c.status = 'issued' AND "
    "c.valid_until >= hp_ts($5::bigint)) OR ($4::integer = 2 AND c.status = 'consumed' AND NOT "
    "m.mismatch) OR ($4::integer = 3 AND c.status = 'consumed' AND m.mismatch) OR "
    "($4::integer = 4 AND c.status = 'revoked') OR ($4::integer = 5 AND c.status = 'issued' AND "
    "c.valid_until < hp_ts($5::bigint))) "
    "AND ($6::bigint IS NULL OR c.issued_at < hp_ts($6::bigint) OR "
    "(c.issued_at = hp_ts($6::bigint) AND c.id < $7::text)) "
    "ORDER BY c.issued_at DESC, c.id DESC LIMIT $8::integer"};
#undef HP_IN_SCOPE

inline constexpr Query kSelectCertificateList{
    "SelectCertificateList",
    "SELECT id, number, authority, owner_id, species, head_count, purpose, origin, destination, "
    "hp_ms(issued_at), hp_ms(valid_until), owner_masked_name, status FROM certificates WHERE "
    "($2::integer = 2 OR authority = $1::text OR (authority COLLATE \"C\" >= ($1::text || '-') "
    "COLLATE \"C\" AND authority COLLATE \"C\" < ($1::text || '.') COLLATE \"C\") OR "
    "($2::integer = 1 AND (destination = $1::text OR (destination COLLATE \"C\" >= ($1::text || "
    "'-') COLLATE \"C\" AND destination COLLATE \"C\" < ($1::text || '.') COLLATE \"C\")))) "
    "AND ($3::bigint = 0 OR owner_id = $3::bigint) AND ($4::text = '' OR status = $4::text) "
    "AND ($5::integer = 0 OR ($5::integer = 1 AND valid_until >= hp_ts($6::bigint)) OR "
    "($5::integer = 2 AND valid_until < hp_ts($6::bigint))) "
    "AND ($7::bigint IS NULL OR issued_at < hp_ts($7::bigint) OR (issued_at = hp_ts($7::bigint) "
    "AND id COLLATE \"C\" < $8::text COLLATE \"C\")) "
    "ORDER BY issued_at DESC, id COLLATE \"C\" DESC LIMIT $9::integer"};

// --- reports (W11) ---
// Owners in scope: `authority = $1` or every code below it, compared in "C" order as for the audit.
#define HP_OWNER_IN_SCOPE                                                                         \
  "(o.authority = $1::text OR (o.authority >= ($1::text || '-') COLLATE \"C\" AND o.authority < " \
  "($1::text || '.') COLLATE \"C\"))"
inline constexpr Query kSelectCoverageUnits{
    "SelectCoverageUnits",
    "SELECT a.id, o.authority, a.species, a.head_count, a.tag IS NULL, hp_ms(a.created_at) "
    "FROM owners o JOIN animals a ON a.owner_id = o.id WHERE " HP_OWNER_IN_SCOPE
    " AND ($2::text = '' OR a.species = $2::text)"};
inline constexpr Query kSelectCoverageDoses{
    "SelectCoverageDoses",
    "SELECT v.animal_ids, hp_days(v.administered_on), v.disease, v.vaccine, v.head_count "
    "FROM owners o JOIN vaccinations v ON v.owner_id = o.id WHERE " HP_OWNER_IN_SCOPE
    " AND v.administered_on <= hp_date($2::integer) AND NOT v.voided"};
// W15's due list (store/due_list.h): the owners and the units of the scope; their doses are
// SelectCoverageDoses' up to today.
inline constexpr Query kSelectDueOwners{
    "SelectDueOwners",
    "SELECT o.id, o.phone, o.name, o.village, o.authority, hp_ms(o.created_at) FROM owners o "
    "WHERE " HP_OWNER_IN_SCOPE};
inline constexpr Query kSelectDueUnits{
    "SelectDueUnits",
    "SELECT " HP_ANIMAL_COLUMNS
    " FROM owners o JOIN animals a ON a.owner_id = o.id WHERE " HP_OWNER_IN_SCOPE};
// W14's ring list (store/ring_list.h), $1 an array of holding ids: as SelectRing* on SQLite.
inline constexpr Query kSelectRingUnits{"SelectRingUnits",
                                        "SELECT " HP_ANIMAL_COLUMNS
                                        " FROM animals a WHERE a.holding_id = ANY($1::bigint[])"};
inline constexpr Query kSelectRingOwners{
    "SelectRingOwners",
    "SELECT o.id, o.phone, o.name, o.village, o.authority, hp_ms(o.created_at) FROM owners o "
    "WHERE o.id IN (SELECT a.owner_id FROM animals a WHERE a.holding_id = ANY($1::bigint[]) "
    "UNION SELECT h.owner_id FROM holdings h WHERE h.id = ANY($1::bigint[]))"};
inline constexpr Query kSelectRingDoses{
    "SelectRingDoses",
    "SELECT v.animal_ids, hp_days(v.administered_on), v.disease, v.vaccine, v.head_count FROM "
    "vaccinations v WHERE v.owner_id IN (SELECT a.owner_id FROM animals a WHERE a.holding_id = "
    "ANY($1::bigint[]) UNION SELECT c.from_owner_id FROM animals a JOIN ownership_changes c ON "
    "c.to_animal_id = a.id WHERE a.holding_id = ANY($1::bigint[]) AND a.tag IS NOT NULL) AND "
    "v.administered_on <= hp_date($2::integer) AND NOT v.voided"};
// W15's reminders (store/reminders.h), one statement, as SQLite's: the units of the owners that
// may be reminded (no STOP stored, no reminder queued after $3), each with the owner's stored
// language (column 12) and authority (13); then, with a NULL unit id, the non-voided doses
// (columns 14 to 18) administered from $1 to $2 of those owners and of the earlier owners of
// their tagged animals (their history follows them, W8).
#define HP_REMINDER_OWNERS                                                                    \
  "WITH eligible(id, language, authority) AS (SELECT o.id, coalesce(s.language, ''), "        \
  "o.authority FROM owners o LEFT JOIN sms_owners s ON s.owner_id = o.id WHERE NOT "          \
  "coalesce(s.stopped, false) AND NOT EXISTS (SELECT 1 FROM sms_outbox m WHERE m.owner_id = " \
  "o.id AND m.kind = 'reminder' AND m.created_at > hp_ts($3))) "
inline constexpr Query kSelectReminderRows{
    "SelectReminderRows", HP_REMINDER_OWNERS
    "SELECT " HP_ANIMAL_COLUMNS
    ", e.language, e.authority, NULL::bigint[], NULL::integer, NULL::text, NULL::text, "
    "NULL::integer FROM eligible e JOIN animals a ON a.owner_id = e.id UNION ALL SELECT NULL, "
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, v.animal_ids, "
    "hp_days(v.administered_on), v.disease, v.vaccine, v.head_count FROM vaccinations v WHERE "
    "v.owner_id IN (SELECT id FROM eligible UNION SELECT c.from_owner_id FROM eligible e JOIN "
    "animals a ON a.owner_id = e.id JOIN ownership_changes c ON c.to_animal_id = a.id WHERE "
    "a.tag IS NOT NULL) AND v.administered_on >= hp_date($1::integer) AND v.administered_on <= "
    "hp_date($2::integer) AND NOT v.voided"};
#undef HP_REMINDER_OWNERS
#undef HP_OWNER_IN_SCOPE
#undef HP_ANIMAL_COLUMNS

// --- outbreaks and zones (W14) ---
#define HP_OUTBREAK_COLUMNS                                                                      \
  "id, holding_id, authority, disease, species, hp_days(first_signs_on), head_sick, head_dead, " \
  "lat, lon, note, reported_by, hp_ms(reported_at), status, decided_by, hp_ms(decided_at), "     \
  "lab_reference, decision_note"
inline constexpr Query kInsertOutbreak{
    "InsertOutbreak",
    "INSERT INTO outbreaks(id, holding_id, authority, disease, species, first_signs_on, "
    "head_sick, head_dead, lat, lon, note, reported_by, reported_at, status, decided_by, "
    "decided_at, lab_reference, decision_note) VALUES($1::uuid, $2::bigint, $3, $4, $5, "
    "hp_date($6::integer), $7::integer, $8::integer, $9::double precision, $10::double precision, "
    "$11, $12::bigint, hp_ts($13), $14, $15::bigint, hp_ts($16::bigint), $17, $18)"};
inline constexpr Query kSelectOutbreak{
    "SelectOutbreak", "SELECT " HP_OUTBREAK_COLUMNS " FROM outbreaks WHERE id = $1::uuid"};
inline constexpr Query kDecideOutbreak{
    "DecideOutbreak",
    "UPDATE outbreaks SET status = $2, decided_by = $3::bigint, decided_at = hp_ts($4::bigint), "
    "lab_reference = $5, decision_note = $6 WHERE id = $1::uuid AND status = 'reported'"};
// $1 scope, $2 every authority (1) or the scope's subtree (0), $3 status or '', $4 limit.
inline constexpr Query kSelectOutbreaks{
    "SelectOutbreaks",
    "SELECT " HP_OUTBREAK_COLUMNS
    " FROM outbreaks WHERE ($2::integer = 1 OR authority = $1::text OR (authority >= ($1::text "
    "|| '-') COLLATE \"C\" AND authority < ($1::text || '.') COLLATE \"C\")) AND ($3::text = '' "
    "OR status = $3::text) ORDER BY reported_at DESC, id DESC LIMIT $4::integer"};
#undef HP_OUTBREAK_COLUMNS
#define HP_ZONE_COLUMNS                                                                           \
  "id, disease, outbreak_id, holding_id, lat, lon, protection_km, surveillance_km, authorities, " \
  "species, hp_days(starts_on), hp_days(ends_on), authority, declared_by, hp_ms(declared_at), "   \
  "hp_ms(lifted_at), lifted_by, lift_reason"
inline constexpr Query kInsertZone{
    "InsertZone",
    "INSERT INTO zones(disease, outbreak_id, holding_id, lat, lon, protection_km, "
    "surveillance_km, authorities, species, starts_on, ends_on, authority, declared_by, "
    "declared_at, lifted_at, lifted_by, lift_reason) VALUES($1, $2::uuid, $3::bigint, "
    "$4::double precision, $5::double precision, $6::double precision, $7::double precision, $8, "
    "$9, hp_date($10::integer), hp_date($11::integer), $12, $13::bigint, hp_ts($14), NULL, 0, '') "
    "RETURNING id"};
inline constexpr Query kSelectZone{"SelectZone",
                                   "SELECT " HP_ZONE_COLUMNS " FROM zones WHERE id = $1::bigint"};
inline constexpr Query kSelectZonesInForce{
    "SelectZonesInForce",
    "SELECT " HP_ZONE_COLUMNS
    " FROM zones WHERE ends_on >= hp_date($1::integer) AND starts_on <= hp_date($1::integer) AND "
    "lifted_at IS NULL ORDER BY id"};
inline constexpr Query kLiftZone{
    "LiftZone",
    "UPDATE zones SET lifted_at = hp_ts($3), lifted_by = $2::bigint, lift_reason = $4 WHERE id = "
    "$1::bigint AND lifted_at IS NULL"};
#undef HP_ZONE_COLUMNS

// --- checkpoint passages (issue 12 item 4) ---
#define HP_PASSAGE_COLUMNS                                                            \
  "id, certificate_id, holding_id, hp_ms(scanned_at), head_seen, note, recorded_by, " \
  "hp_ms(received_at), flag, authority"
inline constexpr Query kInsertPassage{
    "InsertPassage",
    "INSERT INTO passages(id, certificate_id, holding_id, scanned_at, head_seen, note, "
    "recorded_by, received_at, flag, authority) VALUES($1::uuid, $2, $3::bigint, hp_ts($4), $5, "
    "$6, $7::bigint, hp_ts($8), $9, $10)"};
inline constexpr Query kSelectPassage{
    "SelectPassage", "SELECT " HP_PASSAGE_COLUMNS " FROM passages WHERE id = $1::uuid"};
inline constexpr Query kSelectPassages{
    "SelectPassages", "SELECT " HP_PASSAGE_COLUMNS
                      " FROM passages WHERE certificate_id = $1 ORDER BY scanned_at, id"};
inline constexpr Query kSelectPassagesOfAnimal{
    "SelectPassagesOfAnimal",
    "SELECT " HP_PASSAGE_COLUMNS
    " FROM passages WHERE certificate_id IN (SELECT certificate_id FROM certificate_animals WHERE "
    "animal_id = $1::bigint) ORDER BY scanned_at, id"};
#undef HP_PASSAGE_COLUMNS

// --- journeys (issue 12 item 6) ---
inline constexpr Query kInsertHoldingStay{
    "InsertHoldingStay",
    "INSERT INTO holding_stays(animal_id, holding_id, since, certificate_id) VALUES($1::bigint, "
    "$2::bigint, hp_ts($3), $4)"};
inline constexpr Query kSelectHoldingStays{
    "SelectHoldingStays",
    "SELECT animal_id, holding_id, hp_ms(since), coalesce(certificate_id, '') FROM holding_stays "
    "WHERE animal_id = $1::bigint ORDER BY since, seq"};
inline constexpr Query kSelectMovementsOfAnimal{
    "SelectMovementsOfAnimal",
    "SELECT m.certificate_id, " HP_MOVEMENT_COLUMNS
    " FROM movements m WHERE m.certificate_id IN (SELECT certificate_id FROM certificate_animals "
    "WHERE animal_id = $1::bigint)"};

// --- certificate uses (W5, issue 14 item 5) ---
#define HP_USE_COLUMNS                                                               \
  "id, certificate_id, double_use, hp_ms(scanned_at), hp_ms(received_at), user_id, " \
  "user_name, place, holding_id, head_counted, authority"
inline constexpr Query kInsertCertificateUse{
    "InsertCertificateUse",
    "INSERT INTO certificate_uses(id, certificate_id, double_use, scanned_at, received_at, "
    "user_id, user_name, place, holding_id, head_counted, authority) VALUES($1::uuid, $2, "
    "$3::boolean, hp_ts($4), hp_ts($5), $6::bigint, $7, $8, $9::bigint, $10::integer, $11)"};
inline constexpr Query kSelectCertificateUse{
    "SelectCertificateUse", "SELECT " HP_USE_COLUMNS " FROM certificate_uses WHERE id = $1::uuid"};
inline constexpr Query kSelectCertificateUses{
    "SelectCertificateUses",
    "SELECT " HP_USE_COLUMNS
    " FROM certificate_uses WHERE certificate_id = $1 ORDER BY double_use, scanned_at, id"};
#undef HP_USE_COLUMNS
// $1 scope, $2 every authority (1), $3 $4 the cursor (issued_at, id) or NULL, $5 limit; as on
// SQLite, codes compared in "C" order.
#define HP_IN_SCOPE(col)                                                                      \
  "(" col " = $1::text OR (" col " COLLATE \"C\" >= ($1::text || '-') COLLATE \"C\" AND " col \
  " COLLATE \"C\" < ($1::text || '.') COLLATE \"C\"))"
inline constexpr Query kSelectDoubleUsePage{
    "SelectDoubleUsePage",
    "SELECT c.id, c.number, c.authority, c.owner_id, c.species, c.head_count, c.purpose, "
    "c.origin, c.destination, hp_ms(c.issued_at), hp_ms(c.valid_until), c.owner_masked_name, "
    "c.status FROM certificates c WHERE c.id IN (SELECT certificate_id FROM certificate_uses "
    "WHERE double_use) AND ($2::integer = 1 OR " HP_IN_SCOPE("c.authority") " OR " HP_IN_SCOPE(
        "c.destination") " OR EXISTS (SELECT 1 FROM certificate_uses u WHERE u.certificate_id = "
                         "c.id AND " HP_IN_SCOPE("u.authority") ")) "
    "AND ($3::bigint IS NULL OR c.issued_at < hp_ts($3::bigint) OR (c.issued_at = "
    "hp_ts($3::bigint) AND c.id COLLATE \"C\" < $4::text COLLATE \"C\")) "
    "ORDER BY c.issued_at DESC, c.id COLLATE \"C\" DESC LIMIT $5::integer"};
#undef HP_IN_SCOPE

// --- ownership (W8) ---
#define HP_CHANGE_COLUMNS                                                                      \
  "animal_id, to_animal_id, tag, species, head, from_owner_id, to_owner_id, hp_days(on_day), " \
  "certificate_id, transfer_id, recorded_by, hp_ms(recorded_at)"
inline constexpr Query kSetAnimalOwner{
    "SetAnimalOwner",
    "UPDATE animals SET owner_id = $2::bigint, authority = $3 WHERE id = $1::bigint"};
inline constexpr Query kInsertOwnershipChange{
    "InsertOwnershipChange",
    "INSERT INTO ownership_changes(animal_id, to_animal_id, tag, species, head, from_owner_id, "
    "to_owner_id, on_day, certificate_id, transfer_id, recorded_by, recorded_at) "
    "VALUES($1::bigint, $2::bigint, $3, $4, $5::integer, $6::bigint, $7::bigint, hp_date($8), $9, "
    "$10::uuid, $11::bigint, hp_ts($12))"};
inline constexpr Query kSelectTransfer{
    "SelectTransfer",
    "SELECT seller_id, buyer_id, hp_days(on_day), recorded_by, hp_ms(recorded_at), authority "
    "FROM transfers WHERE id = $1::uuid"};
inline constexpr Query kInsertTransfer{
    "InsertTransfer",
    "INSERT INTO transfers(id, seller_id, buyer_id, on_day, recorded_by, recorded_at, authority) "
    "VALUES($1::uuid, $2::bigint, $3::bigint, hp_date($4), $5::bigint, hp_ts($6), $7)"};
inline constexpr Query kSelectTransferChanges{
    "SelectTransferChanges", "SELECT " HP_CHANGE_COLUMNS
                             " FROM ownership_changes WHERE transfer_id = $1::uuid ORDER BY seq"};
inline constexpr Query kSelectChangesIntoOwner{
    "SelectChangesIntoOwner",
    "SELECT " HP_CHANGE_COLUMNS
    " FROM ownership_changes WHERE to_animal_id IN (SELECT id FROM animals WHERE owner_id = "
    "$1::bigint) ORDER BY on_day, seq"};
inline constexpr Query kSelectChangesFromOwner{
    "SelectChangesFromOwner",
    "SELECT " HP_CHANGE_COLUMNS
    " FROM ownership_changes WHERE from_owner_id = $1::bigint ORDER BY on_day DESC, seq DESC"};
inline constexpr Query kSelectChangesOfAnimal{
    "SelectChangesOfAnimal",
    "SELECT " HP_CHANGE_COLUMNS
    " FROM ownership_changes WHERE animal_id = $1::bigint OR to_animal_id = $1::bigint ORDER BY "
    "on_day, seq"};
inline constexpr Query kSelectChangesOutOfAnimals{
    "SelectChangesOutOfAnimals",
    "SELECT " HP_CHANGE_COLUMNS
    " FROM ownership_changes WHERE animal_id = ANY($1::bigint[]) ORDER BY on_day, seq"};
inline constexpr Query kSetCertificateBuyer{
    "SetCertificateBuyer", "UPDATE certificates SET buyer_id = $2::bigint WHERE id = $1"};
inline constexpr Query kSelectCertificateBuyer{
    "SelectCertificateBuyer", "SELECT coalesce(buyer_id, 0) FROM certificates WHERE id = $1"};
#undef HP_CHANGE_COLUMNS

// --- a W1 batch's rows, read ahead (postgres_store.cpp BatchPort) ---
// Each takes every key of the batch at once and answers with the key asked for in column 0 (or,
// for animals, in the last two columns), so that a key absent from the answer is known absent. The
// rows are those of the one-key queries above: kSelectVaccinationOwner, kSelectOwnerById and
// kSelectOwnerByPhone, kSelectAnimalByTag, kSelectFlock.
// The keys come as arrays joined through unnest (x IN (SELECT unnest($1))), never as
// x = ANY($1): the prepared statement's generic plan, made while a table was small, may scan it,
// and a scan testing every row against an array parameter costs rows x keys comparisons
// (measured: 127 ms a batch of 500 tags against 10,000 animals, more than the rest of the batch).
// A table that grows under a running server is the other trap: the generic plan is made at the
// sixth run and kept while the table grows. kBatchStoredRecords joined unnest to vaccination_ids
// directly, and the plan made while the first batches were stored (a few thousand rows) hashed a
// scan of the whole table; at 200,000 records that took 6.1 ms of every batch (pg_stat_statements,
// bench/RESULTS.md), as long as the records' own INSERT. The keys now go through a LATERAL
// subquery kept apart by OFFSET 0: it is planned for one key, which an index finds at any size,
// and run once per key.
inline constexpr Query kBatchStoredRecords{
    "BatchStoredRecords",
    "SELECT k, r.owner_id, r.authority, r.voided FROM unnest($1::text[]) k CROSS JOIN LATERAL "
    "(SELECT i.owner_id, v.authority, v.voided FROM vaccination_ids i JOIN vaccinations v ON "
    "v.owner_id = i.owner_id AND v.administered_on = i.administered_on AND v.id = i.id WHERE "
    "i.id = k::uuid OFFSET 0) r"};
inline constexpr Query kBatchOwners{
    "BatchOwners",
    "SELECT id, phone, name, village, authority, hp_ms(created_at) FROM owners WHERE id IN "
    "(SELECT unnest($1::bigint[])) UNION SELECT id, phone, name, village, authority, "
    "hp_ms(created_at) FROM owners WHERE phone IN (SELECT unnest($2::text[]))"};
// The animal's columns as HP_ANIMAL_COLUMNS, then the tag asked for and 0 for a current tag, 1
// for a former one.
#define HP_BATCH_ANIMAL_COLUMNS                                                      \
  "a.id, a.owner_id, a.tag, a.species, a.head_count, a.sex, hp_days(a.birth_date), " \
  "a.authority, hp_ms(a.created_at), a.holding_id, a.ended_kind, hp_days(a.ended_on)"
inline constexpr Query kBatchAnimalsByTag{
    "BatchAnimalsByTag",
    "SELECT " HP_BATCH_ANIMAL_COLUMNS
    ", a.tag, 0 FROM animals a WHERE a.tag IN (SELECT unnest($1::text[])) UNION ALL "
    "SELECT " HP_BATCH_ANIMAL_COLUMNS
    ", f.tag, 1 FROM former_tags f JOIN animals a ON a.id = f.animal_id WHERE f.tag IN "
    "(SELECT unnest($1::text[]))"};
#undef HP_BATCH_ANIMAL_COLUMNS
// Every flock (untagged unit) of kBatchOwners' owners, the first by id of each species.
inline constexpr Query kBatchFlocks{
    "BatchFlocks",
    "SELECT DISTINCT ON (owner_id, species) owner_id, species, id, head_count, hp_days((SELECT "
    "max(e.on_day) FROM animal_events e WHERE e.animal_id = animals.id)) FROM animals WHERE "
    "owner_id IN (SELECT unnest($1::bigint[]) UNION SELECT id FROM owners WHERE phone IN (SELECT "
    "unnest($2::text[]))) AND tag IS NULL ORDER BY owner_id, species, id"};

// --- field copy (W10) ---
inline constexpr Query kInsertFieldChange{
    "InsertFieldChange",
    "INSERT INTO field_changes(kind, owner_id, ref) VALUES($1::text, $2::bigint, $3::text)"};

// --- a W1 batch's writes, many rows a statement (Connection's collected writes, connection.h) ---
// Each is the set form of the one-row statement named in kCollected: parameter $n is an array of
// the one-row statement's $n, one element per row, in the order the rows were written (the
// ordinality orders the inserts, so that field_changes numbers them as the one-row statements
// would). A bigint[] parameter of the one-row form comes as text[] of its array literals.
inline constexpr Query kInsertVaccinations{
    "InsertVaccinations",
    "WITH r AS (SELECT * FROM unnest($1::bigint[], $2::integer[], $3::uuid[], $4::text[], "
    "$5::text[], $6::integer[], $7::text[], $8::text[], $9::text[], $10::float8[], $11::float8[], "
    "$12::float8[], $13::text[], $14::bigint[], $15::bigint[], $16::text[], $17::uuid[], "
    "$18::bigint[]) WITH ORDINALITY AS r(owner_id, day, id, animal_ids, species, head_count, "
    "disease, vaccine, batch_no, dose_ml, lat, lon, device_id, recorded_by, recorded_at, "
    "authority, corrects, holding_id, n)), "
    "ids AS (INSERT INTO vaccination_ids(id, owner_id, administered_on) "
    "SELECT id, owner_id, hp_date(day) FROM r ORDER BY n) "
    "INSERT INTO vaccinations(owner_id, administered_on, id, animal_ids, species, head_count, "
    "disease, vaccine, batch_no, dose_ml, lat, lon, device_id, recorded_by, recorded_at, "
    "authority, corrects, holding_id) SELECT owner_id, hp_date(day), id, animal_ids::bigint[], "
    "species, head_count, disease, vaccine, batch_no, dose_ml, lat, lon, device_id, recorded_by, "
    "hp_ts(recorded_at), authority, corrects, holding_id FROM r ORDER BY n"};
// Each owner's revision raised once for each time it is named.
inline constexpr Query kBumpOwnerRevisions{
    "BumpOwnerRevisions",
    "UPDATE owners o SET revision = o.revision + c.times FROM (SELECT id, count(*) AS times FROM "
    "unnest($1::bigint[]) AS u(id) GROUP BY id) c WHERE o.id = c.id"};
inline constexpr Query kInsertFieldChanges{
    "InsertFieldChanges",
    "INSERT INTO field_changes(kind, owner_id, ref) SELECT kind, owner_id, ref FROM "
    "unnest($1::text[], $2::bigint[], $3::text[]) WITH ORDINALITY AS c(kind, owner_id, ref, n) "
    "ORDER BY n"};
inline constexpr Query kSelectFieldChangesAfter{
    "SelectFieldChangesAfter",
    "SELECT seq, kind, owner_id, ref FROM field_changes WHERE seq > $1::bigint ORDER BY seq "
    "LIMIT $2::integer"};
inline constexpr Query kSelectLatestFieldChange{"SelectLatestFieldChange",
                                                "SELECT coalesce(max(seq), 0) FROM field_changes"};
// $1 the scope, $2 = 1 for every owner: owners_by_authority, as the holdings' scope filter.
inline constexpr Query kSelectOwnerIdsInScope{
    "SelectOwnerIdsInScope",
    "SELECT id FROM owners WHERE $2::integer = 1 OR authority = $1::text OR (authority >= "
    "($1::text "
    "|| '-') COLLATE \"C\" AND authority < ($1::text || '.') COLLATE \"C\") ORDER BY id"};

// --- W14 tracing (store/store.h TraceQuery), as SelectTraceWalk on SQLite ---
// The edges, as on SQLite: a movement (m) of a certificate (c) from its origin to its end, and its
// passages (p) through a checkpoint. Only movements with both ends, and with $2 (an animal) those
// naming it.
#define HP_TRACE_END "coalesce(m.arrival_holding_id, m.destination_holding_id)"
#define HP_TRACE_AT "coalesce(m.arrived_at, c.issued_at)"
#define HP_TRACE_CERT                                                           \
  "c.id, c.number, CASE c.purpose WHEN 'sale' THEN 'sale' ELSE 'arrival' END, " \
  "m.origin_holding_id, " HP_TRACE_END
#define HP_TRACE_PASSAGE "c.id, c.number, 'passage'"
#define HP_TRACE_HEAD "coalesce(m.head_counted, c.head_count)"
#define HP_TRACE_MOVED                                                                          \
  " m.origin_holding_id IS NOT NULL AND " HP_TRACE_END                                          \
  " IS NOT NULL AND (m.arrived_at IS NOT NULL OR c.status <> 'revoked') AND ($2::bigint = 0 OR" \
  " m.certificate_id IN (SELECT certificate_id FROM certificate_animals WHERE animal_id = "     \
  "$2::bigint))"
// The certificate of a passage (p), for the arms over every movement out of or into a holding
// and its passages: searched only once a passage is found (the planner, which may join in any
// order, took the certificate first, for each of a farm's movements of every time: 53 of 64 ms
// of a trace from a market at 10 M). OFFSET 0 keeps the subquery whole, and a subquery naming p
// is joined after p.
#define HP_TRACE_CERTIFICATE_OF_PASSAGE                                                        \
  "(SELECT c.id, c.number, c.purpose, c.status, c.issued_at, c.head_count FROM certificates c" \
  " WHERE c.id = p.certificate_id OFFSET 0) c"
#define HP_TRACE_FROM "hp_ts($3::bigint)"
#define HP_TRACE_TO "hp_ts($4::bigint)"
// $1 start holding (0: none), $2 animal (0: every certificate), $3 and $4 the window [from, to) in
// ms, $5 depth, $6 forward (1/0), $7 backward (1/0). As on SQLite: seeds from the start or an
// animal's edges (aedges); each step of the walk searches an index by the holding and time
// (migration 15), index-only once VACUUM has marked the pages (migration 17: the indexes carry the
// columns read), here in one LATERAL subquery per row of the walk (PostgreSQL allows the walk
// named once in its recursive term), each kind of edge and direction an arm of it. One row per
// (edge, hop, direction) and one per seed (certificate_id '', dst the seed).
inline constexpr Query kSelectTraceWalk{
    "SelectTraceWalk",
    "WITH RECURSIVE "
    "amoves(certificate_id, src, dst, at) AS ("
    " SELECT c.id, m.origin_holding_id, " HP_TRACE_END ", " HP_TRACE_AT
    " FROM certificate_animals a JOIN movements m ON m.certificate_id = a.certificate_id"
    " JOIN certificates c ON c.id = m.certificate_id"
    " WHERE $1::bigint = 0 AND a.animal_id = $2::bigint AND" HP_TRACE_MOVED
    "), "
    "aedges(certificate_id, src, dst, at) AS ("
    " SELECT certificate_id, src, dst, at FROM amoves"
    " WHERE at >= " HP_TRACE_FROM " AND at < " HP_TRACE_TO
    " UNION ALL"
    " SELECT v.certificate_id, v.src, p.holding_id, p.scanned_at"
    " FROM amoves v JOIN passages p ON p.certificate_id = v.certificate_id"
    " WHERE p.scanned_at >= " HP_TRACE_FROM " AND p.scanned_at < " HP_TRACE_TO
    "  AND p.holding_id <> v.src"
    " UNION ALL"
    " SELECT v.certificate_id, p.holding_id, v.dst, greatest(v.at, p.scanned_at)"
    " FROM amoves v JOIN passages p ON p.certificate_id = v.certificate_id"
    " WHERE greatest(v.at, p.scanned_at) >= " HP_TRACE_FROM
    "  AND greatest(v.at, p.scanned_at) < " HP_TRACE_TO
    " AND p.holding_id <> v.dst), "
    "seeds(holding, at, dir) AS ("
    " SELECT $1::bigint, " HP_TRACE_FROM
    ", 1 WHERE $1::bigint <> 0 AND $6::integer = 1"
    " UNION ALL SELECT $1::bigint, " HP_TRACE_TO
    ", 0 WHERE $1::bigint <> 0 AND $7::integer = 1"
    " UNION ALL (SELECT src, at, 1 FROM aedges WHERE $1::bigint = 0 AND $6::integer = 1"
    "  ORDER BY at, certificate_id LIMIT 1)"
    " UNION ALL (SELECT dst, at, 0 FROM aedges WHERE $1::bigint = 0 AND $7::integer = 1"
    "  ORDER BY at DESC, certificate_id DESC LIMIT 1)), "
    "walk(holding, at, hop, dir, certificate_id, number, kind, src, dst, head) AS ("
    " SELECT holding, at, 0, dir, ''::text, ''::text, ''::text, 0::bigint, holding, 0 FROM seeds"
    " UNION"
    " SELECT e.* FROM walk w CROSS JOIN LATERAL ("
    // Forward: movements out of the holding that arrived, then those not (yet) arrived.
    "  SELECT " HP_TRACE_END ", m.arrived_at, w.hop + 1, 1, " HP_TRACE_CERT ", " HP_TRACE_HEAD
    "  FROM movements m JOIN certificates c ON c.id = m.certificate_id"
    "  WHERE w.dir = 1 AND m.origin_holding_id = w.holding"
    "   AND m.arrived_at >= greatest(w.at, " HP_TRACE_FROM ") AND m.arrived_at < " HP_TRACE_TO
    "   AND" HP_TRACE_MOVED
    "  UNION ALL"
    "  SELECT " HP_TRACE_END ", c.issued_at, w.hop + 1, 1, " HP_TRACE_CERT ", " HP_TRACE_HEAD
    "  FROM movements m JOIN certificates c ON c.id = m.certificate_id"
    "  WHERE w.dir = 1 AND m.origin_holding_id = w.holding AND m.arrived_at IS NULL"
    "   AND c.issued_at >= greatest(w.at, " HP_TRACE_FROM ") AND c.issued_at < " HP_TRACE_TO
    "   AND" HP_TRACE_MOVED
    // Forward: from the origin to a checkpoint its movement passed.
    "  UNION ALL"
    "  SELECT p.holding_id, p.scanned_at, w.hop + 1, 1, " HP_TRACE_PASSAGE
    ", m.origin_holding_id, p.holding_id, p.head_seen"
    "  FROM movements m JOIN passages p ON p.certificate_id = m.certificate_id"
    "  CROSS JOIN LATERAL " HP_TRACE_CERTIFICATE_OF_PASSAGE
    "  WHERE w.dir = 1 AND m.origin_holding_id = w.holding"
    "   AND p.scanned_at >= greatest(w.at, " HP_TRACE_FROM ") AND p.scanned_at < " HP_TRACE_TO
    "   AND p.holding_id <> m.origin_holding_id AND" HP_TRACE_MOVED
    // Forward: from a checkpoint on to the end of the movement that passed it.
    "  UNION ALL"
    "  SELECT " HP_TRACE_END ", greatest(" HP_TRACE_AT
    ", p.scanned_at), w.hop + 1, 1, " HP_TRACE_PASSAGE ", p.holding_id, " HP_TRACE_END
    ", p.head_seen"
    "  FROM passages p JOIN movements m ON m.certificate_id = p.certificate_id"
    "  JOIN certificates c ON c.id = m.certificate_id"
    "  WHERE w.dir = 1 AND p.holding_id = w.holding AND p.scanned_at < " HP_TRACE_TO
    "   AND greatest(" HP_TRACE_AT ", p.scanned_at) >= greatest(w.at, " HP_TRACE_FROM
    ")"
    "   AND greatest(" HP_TRACE_AT ", p.scanned_at) < " HP_TRACE_TO
    "   AND p.holding_id <> " HP_TRACE_END " AND" HP_TRACE_MOVED
    // Backward: movements into the holding that arrived, then those not (yet) arrived.
    "  UNION ALL"
    "  SELECT m.origin_holding_id, m.arrived_at, w.hop + 1, 0, " HP_TRACE_CERT ", " HP_TRACE_HEAD
    "  FROM movements m JOIN certificates c ON c.id = m.certificate_id"
    "  WHERE w.dir = 0 AND " HP_TRACE_END " = w.holding AND m.arrived_at >= " HP_TRACE_FROM
    "   AND m.arrived_at <= w.at AND m.arrived_at < " HP_TRACE_TO " AND" HP_TRACE_MOVED
    "  UNION ALL"
    "  SELECT m.origin_holding_id, c.issued_at, w.hop + 1, 0, " HP_TRACE_CERT ", " HP_TRACE_HEAD
    "  FROM movements m JOIN certificates c ON c.id = m.certificate_id"
    "  WHERE w.dir = 0 AND " HP_TRACE_END
    " = w.holding AND m.arrived_at IS NULL"
    "   AND c.issued_at >= " HP_TRACE_FROM
    " AND c.issued_at <= w.at"
    "   AND c.issued_at < " HP_TRACE_TO " AND" HP_TRACE_MOVED
    // Backward: into a checkpoint, from the origin of the movement that passed it.
    "  UNION ALL"
    "  SELECT m.origin_holding_id, p.scanned_at, w.hop + 1, 0, " HP_TRACE_PASSAGE
    ", m.origin_holding_id, p.holding_id, p.head_seen"
    "  FROM passages p JOIN movements m ON m.certificate_id = p.certificate_id"
    "  JOIN certificates c ON c.id = m.certificate_id"
    "  WHERE w.dir = 0 AND p.holding_id = w.holding AND p.scanned_at >= " HP_TRACE_FROM
    "   AND p.scanned_at <= w.at AND p.scanned_at < " HP_TRACE_TO
    "   AND p.holding_id <> m.origin_holding_id AND" HP_TRACE_MOVED
    // Backward: into the end of a movement, from a checkpoint it passed.
    "  UNION ALL"
    "  SELECT p.holding_id, greatest(" HP_TRACE_AT
    ", p.scanned_at), w.hop + 1, 0, " HP_TRACE_PASSAGE ", p.holding_id, " HP_TRACE_END
    ", p.head_seen"
    "  FROM movements m JOIN passages p ON p.certificate_id = m.certificate_id"
    "  CROSS JOIN LATERAL " HP_TRACE_CERTIFICATE_OF_PASSAGE "  WHERE w.dir = 0 AND " HP_TRACE_END
    " = w.holding"
    "   AND greatest(" HP_TRACE_AT ", p.scanned_at) >= " HP_TRACE_FROM
    "   AND greatest(" HP_TRACE_AT
    ", p.scanned_at) <= w.at"
    "   AND greatest(" HP_TRACE_AT ", p.scanned_at) < " HP_TRACE_TO
    "   AND p.holding_id <> " HP_TRACE_END " AND" HP_TRACE_MOVED
    " ) e(holding, at, hop, dir, certificate_id, number, kind, src, dst, head)"
    " WHERE w.hop < $5::integer) "
    "SELECT certificate_id, number, kind, src, dst, hp_ms(at), head, hop, dir FROM walk"};
#undef HP_TRACE_TO
#undef HP_TRACE_FROM
#undef HP_TRACE_CERTIFICATE_OF_PASSAGE
#undef HP_TRACE_MOVED
#undef HP_TRACE_HEAD
#undef HP_TRACE_PASSAGE
#undef HP_TRACE_CERT
#undef HP_TRACE_AT
#undef HP_TRACE_END
// --- SMS outbox (W15) ---
#define HP_SMS_COLUMNS                                                                            \
  "m.id, m.owner_id, o.phone, o.authority, m.kind, coalesce(m.dedupe_key, ''), m.body, "          \
  "m.payload, m.requested, m.status, m.attempts, hp_ms(m.next_attempt_at), hp_ms(m.created_at), " \
  "hp_ms(m.sent_at), m.dlr, hp_ms(m.dlr_at), m.last_error FROM sms_outbox m JOIN owners o ON "    \
  "o.id = m.owner_id"
inline constexpr Query kInsertSms{
    "InsertSms",
    "INSERT INTO sms_outbox(owner_id, kind, dedupe_key, body, payload, requested, status, "
    "attempts, next_attempt_at, created_at, sent_at, dlr, dlr_at, last_error) VALUES($1::bigint, "
    "$2, nullif($3::text, ''), $4, $5, $6::boolean, 'queued', 0, hp_ts($7), hp_ts($7), NULL, 0, "
    "NULL, '') RETURNING id"};
inline constexpr Query kAddSms{
    "AddSms",
    "INSERT INTO sms_outbox(owner_id, kind, dedupe_key, body, payload, requested, status, "
    "attempts, next_attempt_at, created_at, sent_at, dlr, dlr_at, last_error) VALUES($1::bigint, "
    "$2, nullif($3::text, ''), $4, $5, $6::boolean, 'queued', 0, hp_ts($7), hp_ts($7), NULL, 0, "
    "NULL, '')"};
// The keys through unnest, never = ANY($1) (see kBatchOwners): a W1 batch reads its owners'
// receipts of the day with it.
inline constexpr Query kSelectSmsByKeys{"SelectSmsByKeys",
                                        "SELECT " HP_SMS_COLUMNS
                                        " WHERE m.dedupe_key IN (SELECT unnest($1::text[]))"};
inline constexpr Query kBatchReceipts{
    "BatchReceipts",
    "SELECT r.* FROM (SELECT unnest($1::bigint[]) AS id UNION SELECT id FROM owners WHERE phone IN "
    "(SELECT unnest($2::text[]))) b CROSS JOIN LATERAL (SELECT " HP_SMS_COLUMNS
    " WHERE m.dedupe_key = $3::text || b.id::text || $4::text OFFSET 0) r"};
inline constexpr Query kSelectSms{"SelectSms", "SELECT " HP_SMS_COLUMNS " WHERE m.id = $1::bigint"};
inline constexpr Query kSelectSmsByKey{"SelectSmsByKey",
                                       "SELECT " HP_SMS_COLUMNS " WHERE m.dedupe_key = $1::text"};
inline constexpr Query kUpdateSmsBody{
    "UpdateSmsBody", "UPDATE sms_outbox SET body = $2, payload = $3 WHERE id = $1::bigint"};
// Set forms of kAddSms and kUpdateSmsBody for a W1 batch's receipts (kCollected; a receipt each
// per owner of the batch).
inline constexpr Query kAddSmsRows{
    "AddSmsRows",
    "INSERT INTO sms_outbox(owner_id, kind, dedupe_key, body, payload, requested, status, "
    "attempts, next_attempt_at, created_at, sent_at, dlr, dlr_at, last_error) SELECT owner_id, "
    "kind, nullif(dedupe_key, ''), body, payload, requested, 'queued', 0, hp_ts(at), hp_ts(at), "
    "NULL, 0, NULL, '' FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], "
    "$6::boolean[], $7::bigint[]) WITH ORDINALITY AS s(owner_id, kind, dedupe_key, body, payload, "
    "requested, at, n) ORDER BY n"};
inline constexpr Query kUpdateSmsBodies{
    "UpdateSmsBodies",
    "UPDATE sms_outbox m SET body = u.body, payload = u.payload FROM unnest($1::bigint[], "
    "$2::text[], $3::text[]) AS u(id, body, payload) WHERE m.id = u.id"};
inline constexpr Query kUpdateSmsState{
    "UpdateSmsState",
    "UPDATE sms_outbox SET status = $2, attempts = $3::integer, next_attempt_at = hp_ts($4), "
    "sent_at = hp_ts($5), dlr = $6::integer, dlr_at = hp_ts($7), last_error = $8 WHERE id = "
    "$1::bigint"};
// $1 now, $2 limit, $3 the ids left out (the sender's messages in flight).
inline constexpr Query kSelectDueSms{
    "SelectDueSms",
    "SELECT " HP_SMS_COLUMNS
    " WHERE m.status = 'queued' AND m.next_attempt_at <= hp_ts($1) AND m.id <> ALL($3::bigint[]) "
    "ORDER BY m.next_attempt_at, m.id LIMIT $2::integer"};
// $1 the owners' ids, $2 since: (owner, messages handed over since), owners with none left out.
inline constexpr Query kCountSmsSentSinceByOwner{
    "CountSmsSentSinceByOwner",
    "SELECT owner_id, count(*) FROM sms_outbox WHERE owner_id IN (SELECT unnest($1::bigint[])) "
    "AND sent_at >= hp_ts($2) GROUP BY owner_id"};
// $1 scope, $2 every authority (1) or the scope's subtree (0), $3 below this id (0: from the
// newest), $4 limit, $5 the status ('' = any).
inline constexpr Query kSelectSmsList{
    "SelectSmsList",
    "SELECT " HP_SMS_COLUMNS
    " WHERE ($2::integer = 1 OR o.authority = $1::text OR (o.authority >= ($1::text || '-') "
    "COLLATE \"C\" AND o.authority < ($1::text || '.') COLLATE \"C\")) AND ($3::bigint = 0 OR "
    "m.id < $3::bigint) AND ($5::text = '' OR m.status = $5::text) ORDER BY m.id DESC LIMIT "
    "$4::integer"};
#undef HP_SMS_COLUMNS
// $1 scope, $2 every authority (1) or the scope's subtree (0); through sms_outbox_due.
inline constexpr Query kCountQueuedSms{
    "CountQueuedSms",
    "SELECT count(*) FROM sms_outbox m JOIN owners o ON o.id = m.owner_id WHERE m.status = "
    "'queued' AND ($2::integer = 1 OR o.authority = $1::text OR (o.authority >= ($1::text || "
    "'-') COLLATE \"C\" AND o.authority < ($1::text || '.') COLLATE \"C\"))"};
// Every owner has settings: the stored ones, else messages on and the region's language. The
// batch's owners join through unnest, not = ANY, whose cached plan may read the whole table.
#define HP_SMS_OWNER_COLUMNS                                                                       \
  "o.id, coalesce(s.stopped, false), coalesce(s.language, ''), coalesce(hp_ms(s.changed_at), 0), " \
  "o.authority FROM owners o LEFT JOIN sms_owners s ON s.owner_id = o.id"
inline constexpr Query kSelectSmsOwners{"SelectSmsOwners",
                                        "SELECT " HP_SMS_OWNER_COLUMNS
                                        " WHERE o.id IN (SELECT unnest($1::bigint[]))"};
inline constexpr Query kSelectSmsOwner{"SelectSmsOwner",
                                       "SELECT " HP_SMS_OWNER_COLUMNS " WHERE o.id = $1::bigint"};
// A W1 batch's receipts' reads, sent with its other reads (BatchPort::Start) for every owner the
// batch names by id ($1) or phone ($2), before it knows which records will be stored: the owners'
// settings as kSelectSmsOwners, and the day's receipts as kSelectSmsByKeys, each key made as
// VaccinationReceipt::Key makes it ($3 || id || $4, KeyAround) and looked up alone (LATERAL ...
// OFFSET 0, see kBatchStoredRecords: sms_outbox grows by a row per owner and day).
inline constexpr Query kBatchSmsOwners{
    "BatchSmsOwners",
    "SELECT " HP_SMS_OWNER_COLUMNS
    " WHERE o.id IN (SELECT unnest($1::bigint[]) UNION SELECT id FROM owners WHERE phone IN "
    "(SELECT unnest($2::text[])))"};
#undef HP_SMS_OWNER_COLUMNS
inline constexpr Query kInsertSmsInbound{
    "InsertSmsInbound",
    "INSERT INTO sms_inbound(digest, received_at) VALUES(decode($1, 'hex'), hp_ts($2)) "
    "ON CONFLICT DO NOTHING"};
inline constexpr Query kUpsertSmsOwner{
    "UpsertSmsOwner",
    "INSERT INTO sms_owners(owner_id, stopped, language, changed_at) "
    "VALUES($1::bigint, $2::boolean, $3, hp_ts($4)) ON CONFLICT(owner_id) DO UPDATE SET "
    "stopped = excluded.stopped, language = excluded.language, changed_at = excluded.changed_at"};

// The one-row statements a W1 batch collects (Connection::SetDeferWrites), each with its set form
// above, in the order SendCollected sends them.
struct CollectedForm {
  const Query* row;
  const Query* set;
};
inline constexpr CollectedForm kCollected[] = {{&kInsertVaccination, &kInsertVaccinations},
                                               {&kBumpOwnerRevision, &kBumpOwnerRevisions},
                                               {&kInsertFieldChange, &kInsertFieldChanges},
                                               {&kAddSms, &kAddSmsRows},
                                               {&kUpdateSmsBody, &kUpdateSmsBodies}};

// --- owners' sign-in to /me (issue 15 item 4) ---
inline constexpr Query kInsertOwnerCode{
    "InsertOwnerCode",
    "INSERT INTO owner_codes(owner_id, code_hash, created_at, expires_at, tries, used) "
    "VALUES($1::bigint, $2, hp_ts($3), hp_ts($4), $5::integer, $6::boolean) RETURNING id"};
inline constexpr Query kSelectNewestOwnerCode{
    "SelectNewestOwnerCode",
    "SELECT id, owner_id, code_hash, hp_ms(created_at), hp_ms(expires_at), tries, used "
    "FROM owner_codes WHERE owner_id = $1::bigint ORDER BY id DESC LIMIT 1"};
inline constexpr Query kUpdateOwnerCode{
    "UpdateOwnerCode",
    "UPDATE owner_codes SET tries = $2::integer, used = $3::boolean WHERE id = $1::bigint"};
inline constexpr Query kInsertOwnerSession{
    "InsertOwnerSession",
    "INSERT INTO owner_sessions(token_hash, owner_id, created_at, expires_at) "
    "VALUES($1, $2::bigint, hp_ts($3), hp_ts($4))"};
inline constexpr Query kSelectOwnerSession{
    "SelectOwnerSession",
    "SELECT token_hash, owner_id, hp_ms(created_at), hp_ms(expires_at) FROM owner_sessions "
    "WHERE token_hash = $1"};
inline constexpr Query kDeleteOwnerSession{"DeleteOwnerSession",
                                           "DELETE FROM owner_sessions WHERE token_hash = $1"};
// The signed-in users' rows (user_id names a user: owners and the console have none) of two
// targets, by the audit_by_target index.
inline constexpr Query kSelectOwnerReaders{
    "SelectOwnerReaders",
    "SELECT hp_ms(a.at), a.action, u.role, a.authority, coalesce(au.name, '') FROM audit a "
    "JOIN users u ON u.id = a.user_id LEFT JOIN authorities au ON au.code = a.authority "
    "WHERE a.target IN ($1::text, $2::text) ORDER BY a.seq DESC LIMIT $3::integer"};

}  // namespace herdpass::postgres
