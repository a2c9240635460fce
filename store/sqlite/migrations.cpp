#include "store/sqlite/migrations.h"

#include <spdlog/spdlog.h>

#include <iterator>

namespace herdpass::sqlite {
namespace {

// Migration N is kMigrations[N - 1]. Each ends by setting user_version to its own number.
//
// Layout notes (DESIGN.md section 8):
// - vaccinations is WITHOUT ROWID, keyed (owner_id, administered_on, id): one owner's records of
//   three years sit side by side on one or two pages, and W2 reads them as one key range. Rows stay
//   small: dates as day numbers, times as ms, the id as 16 bytes, animal ids as a varint blob.
// - vaccination_ids maps a record id to its key, for idempotency checks and lookups by id.
// - counters holds row counts kept by the writer, so Counts() never scans the big tables.
constexpr Query kMigrations[] = {
    {"Migration1",
     R"sql(
CREATE TABLE authorities(
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  parent TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE owners(
  id INTEGER PRIMARY KEY,
  phone TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  village TEXT NOT NULL,
  authority TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE animals(
  id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES owners(id),
  tag TEXT UNIQUE,
  species TEXT NOT NULL,
  head_count INTEGER NOT NULL,
  sex TEXT NOT NULL,
  birth_date INTEGER,
  authority TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX animals_by_owner ON animals(owner_id, species);

CREATE TABLE vaccinations(
  owner_id INTEGER NOT NULL REFERENCES owners(id),
  administered_on INTEGER NOT NULL,
  id BLOB NOT NULL,
  animal_ids BLOB NOT NULL,
  species TEXT NOT NULL,
  head_count INTEGER NOT NULL,
  disease TEXT NOT NULL,
  vaccine TEXT NOT NULL,
  batch_no TEXT NOT NULL,
  dose_ml REAL,
  lat REAL,
  lon REAL,
  device_id TEXT NOT NULL,
  recorded_by INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL,
  authority TEXT NOT NULL,
  voided INTEGER NOT NULL DEFAULT 0,
  void_reason TEXT,
  voided_at INTEGER,
  corrects BLOB,
  PRIMARY KEY(owner_id, administered_on, id)
) WITHOUT ROWID;

CREATE TABLE vaccination_ids(
  id BLOB PRIMARY KEY,
  owner_id INTEGER NOT NULL,
  administered_on INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE users(
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  authority TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);

CREATE TABLE tokens(
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE audit(
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  username TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL,
  address TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);

CREATE TABLE counters(
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters(name, value) VALUES
  ('owners', 0), ('animals', 0), ('vaccinations', 0), ('users', 0), ('audit', 0);

PRAGMA user_version = 1;
)sql"},
    // The actor's authority on every audit row, so that an auditor lists only their own subtree.
    // Rows written before it get '' (as the operator's console), which ChainHash leaves out of the
    // hash: their chain still verifies. No index on (authority, seq): with one, SQLite answers a
    // scoped page (queries.h kSelectAuditPageInScope) by a MULTI-INDEX OR that reads and sorts
    // every matching row after the cursor, so a country-wide auditor paging through ten million
    // rows would sort millions per page. The rowid scan in seq order stops after `limit` matches.
    {"Migration2",
     R"sql(
ALTER TABLE audit ADD COLUMN authority TEXT NOT NULL DEFAULT '';

PRAGMA user_version = 2;
)sql"},
    // Certificates (W3-W6), the signing keys of authorities, signed documents and the revocation
    // list. Certificate ids are kept as the canonical text the CWT carries (`cti`): these tables
    // are small next to vaccinations, and the id is read back as text everywhere. A certificate's
    // animals and vaccinations keep their order by `position`; its ear tags are not stored but
    // read through the animals (tags never change). revocations.sequence is the rowid: the list
    // is read in sequence order from a cursor.
    {"Migration3",
     R"sql(
CREATE TABLE signing_keys(
  kid TEXT PRIMARY KEY,
  authority TEXT NOT NULL,
  country TEXT NOT NULL,
  algorithm TEXT NOT NULL,
  public_key TEXT NOT NULL,
  root INTEGER NOT NULL,
  valid_from INTEGER NOT NULL,
  valid_until INTEGER NOT NULL,
  retired_at INTEGER,
  source TEXT NOT NULL
);

CREATE TABLE documents(
  name TEXT PRIMARY KEY,
  sequence INTEGER NOT NULL,
  body TEXT NOT NULL,
  saved_at INTEGER NOT NULL
);

CREATE TABLE certificates(
  id TEXT PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  authority TEXT NOT NULL,
  kid TEXT NOT NULL,
  owner_id INTEGER NOT NULL REFERENCES owners(id),
  species TEXT NOT NULL,
  head_count INTEGER NOT NULL,
  purpose TEXT NOT NULL,
  origin TEXT NOT NULL,
  origin_place TEXT NOT NULL,
  destination TEXT NOT NULL,
  destination_place TEXT NOT NULL,
  transport TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  valid_until INTEGER NOT NULL,
  vet_id INTEGER NOT NULL,
  vet_name TEXT NOT NULL,
  owner_masked_name TEXT NOT NULL,
  owner_phone_last4 TEXT NOT NULL,
  hp1 TEXT NOT NULL,
  status TEXT NOT NULL CHECK(status IN ('issued', 'consumed', 'revoked')),
  consumed_at INTEGER,
  consumed_by INTEGER,
  consumed_by_name TEXT,
  consumed_place TEXT,
  revoked_at INTEGER,
  revoked_by INTEGER,
  revoke_reason TEXT
);
CREATE INDEX certificates_by_owner ON certificates(owner_id, issued_at);

CREATE TABLE certificate_animals(
  certificate_id TEXT NOT NULL REFERENCES certificates(id),
  position INTEGER NOT NULL,
  animal_id INTEGER NOT NULL REFERENCES animals(id),
  PRIMARY KEY(certificate_id, position)
) WITHOUT ROWID;

CREATE TABLE certificate_vaccinations(
  certificate_id TEXT NOT NULL REFERENCES certificates(id),
  position INTEGER NOT NULL,
  vaccination_id TEXT NOT NULL,
  disease TEXT NOT NULL,
  administered_on INTEGER NOT NULL,
  batch_no TEXT NOT NULL,
  PRIMARY KEY(certificate_id, position)
) WITHOUT ROWID;

CREATE TABLE revocations(
  sequence INTEGER PRIMARY KEY,
  certificate_id TEXT NOT NULL UNIQUE REFERENCES certificates(id),
  revoked_at INTEGER NOT NULL
);

INSERT INTO counters(name, value) VALUES('certificates', 0);

PRAGMA user_version = 3;
)sql"},
    // Holdings (W12): the places animals are kept or pass. (authority, code) is unique; the owner
    // is NULL for markets and other public places. holdings_by_lat serves the nearest-first list
    // (queries.h kSelectHoldingsInBox): a range of latitudes, the longitudes checked on the index
    // entries. Animals and flocks get their current holding and vaccination records the holding
    // where they were given: NULL for every row written before, which keep working as they were
    // (ADD COLUMN with no default rewrites nothing; vaccinations stays WITHOUT ROWID, keyed as
    // before).
    {"Migration4",
     R"sql(
CREATE TABLE holdings(
  id INTEGER PRIMARY KEY,
  authority TEXT NOT NULL,
  code TEXT NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('farm', 'winter_camp', 'summer_pasture', 'market',
    'slaughterhouse', 'quarantine_station', 'checkpoint', 'border_post')),
  name TEXT NOT NULL,
  owner_id INTEGER REFERENCES owners(id),
  owner_masked_name TEXT NOT NULL,
  lat REAL NOT NULL,
  lon REAL NOT NULL,
  opened_on INTEGER NOT NULL,
  closed_on INTEGER,
  created_at INTEGER NOT NULL,
  UNIQUE(authority, code)
);
CREATE INDEX holdings_by_lat ON holdings(lat, lon);

ALTER TABLE animals ADD COLUMN holding_id INTEGER REFERENCES holdings(id);
ALTER TABLE vaccinations ADD COLUMN holding_id INTEGER REFERENCES holdings(id);

PRAGMA user_version = 4;
)sql"},
    // Tag life (W12). An animal whose life ended keeps its row, with how (ended_kind, NULL while
    // alive: every animal stored before this migration is alive) and when (ended_on, a day
    // number). A replaced tag moves to former_tags, keyed by the tag, so that a lookup by any tag
    // an animal ever wore is one key probe of animals(tag) or of former_tags. animal_events keeps
    // every event, its device-made id (16 bytes) unique for idempotency, and is read per animal.
    {"Migration5",
     R"sql(
ALTER TABLE animals ADD COLUMN ended_kind TEXT;
ALTER TABLE animals ADD COLUMN ended_on INTEGER;

CREATE TABLE former_tags(
  tag TEXT PRIMARY KEY,
  animal_id INTEGER NOT NULL REFERENCES animals(id),
  replaced_on INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX former_tags_by_animal ON former_tags(animal_id);

CREATE TABLE animal_events(
  seq INTEGER PRIMARY KEY,
  id BLOB NOT NULL UNIQUE,
  animal_id INTEGER NOT NULL REFERENCES animals(id),
  kind TEXT NOT NULL,
  on_day INTEGER NOT NULL,
  reason TEXT NOT NULL,
  old_tag TEXT NOT NULL,
  new_tag TEXT NOT NULL,
  head INTEGER NOT NULL,
  head_after INTEGER NOT NULL,
  recorded_by INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL,
  authority TEXT NOT NULL
);
CREATE INDEX animal_events_by_animal ON animal_events(animal_id, on_day);

PRAGMA user_version = 5;
)sql"},
    // Movements (W13): one row per certificate, keyed by its id, with the holdings it names (none
    // for certificates issued without), the authority whose inspectors see it coming
    // (destination_scope, indexed for the incoming list) and the arrival (arrived_at NULL until
    // then). Every certificate stored before gets its row: a consumed one arrived when it was
    // consumed, with head_counted NULL (not counted) and no mismatch; tag lists are
    // comma-separated sorted tags.
    {"Migration6",
     R"sql(
CREATE TABLE movements(
  certificate_id TEXT PRIMARY KEY REFERENCES certificates(id),
  origin_holding_id INTEGER REFERENCES holdings(id),
  destination_holding_id INTEGER REFERENCES holdings(id),
  destination_scope TEXT NOT NULL,
  arrived_at INTEGER,
  arrival_holding_id INTEGER REFERENCES holdings(id),
  head_counted INTEGER,
  tags_seen TEXT NOT NULL DEFAULT '',
  missing_tags TEXT NOT NULL DEFAULT '',
  extra_tags TEXT NOT NULL DEFAULT '',
  mismatch INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX movements_by_destination ON movements(destination_scope);

INSERT INTO movements(certificate_id, destination_scope, arrived_at)
  SELECT id, destination, consumed_at FROM certificates;

PRAGMA user_version = 6;
)sql"},
    // Checkpoint passages (issue 12 item 4). Keyed by the device-made id (16 bytes),
    // so that a passage sent twice is stored once; read per certificate in scan order. flag is ""
    // or why the passage is suspect (domain/passage.h), judged when it was stored; authority is the
    // holding's, for who may see it.
    {"Migration7",
     R"sql(
CREATE TABLE passages(
  id BLOB PRIMARY KEY,
  certificate_id TEXT NOT NULL REFERENCES certificates(id),
  holding_id INTEGER NOT NULL REFERENCES holdings(id),
  scanned_at INTEGER NOT NULL,
  head_seen INTEGER NOT NULL,
  note TEXT NOT NULL,
  recorded_by INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  flag TEXT NOT NULL,
  authority TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX passages_by_certificate ON passages(certificate_id, scanned_at);

PRAGMA user_version = 7;
)sql"},
    // Sale (W8). A certificate for sale names its buyer (buyer_id, NULL for every certificate
    // before and for the other purposes). transfers keeps each sale at the farm under its
    // device-made id (16 bytes), stored once. ownership_changes keeps every change of owner: the
    // seller's unit and the buyer's (the same animal, or the buyer's flock that got a flock's
    // heads), the owners, the day, and the certificate or transfer that made it. W2 reads it by
    // the buyer's units (ownership_changes_by_to_animal, probed for each of the owner's animals in
    // one statement) and by the seller (ownership_changes_by_from_owner).
    {"Migration8",
     R"sql(
ALTER TABLE certificates ADD COLUMN buyer_id INTEGER REFERENCES owners(id);

CREATE TABLE transfers(
  id BLOB PRIMARY KEY,
  seller_id INTEGER NOT NULL REFERENCES owners(id),
  buyer_id INTEGER NOT NULL REFERENCES owners(id),
  on_day INTEGER NOT NULL,
  recorded_by INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL,
  authority TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE ownership_changes(
  seq INTEGER PRIMARY KEY,
  animal_id INTEGER NOT NULL REFERENCES animals(id),
  to_animal_id INTEGER NOT NULL REFERENCES animals(id),
  tag TEXT,
  species TEXT NOT NULL,
  head INTEGER NOT NULL,
  from_owner_id INTEGER NOT NULL REFERENCES owners(id),
  to_owner_id INTEGER NOT NULL REFERENCES owners(id),
  on_day INTEGER NOT NULL,
  certificate_id TEXT REFERENCES certificates(id),
  transfer_id TEXT,
  recorded_by INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE INDEX ownership_changes_by_to_animal ON ownership_changes(to_animal_id);
CREATE INDEX ownership_changes_by_animal ON ownership_changes(animal_id);
CREATE INDEX ownership_changes_by_from_owner ON ownership_changes(from_owner_id, on_day);
CREATE INDEX ownership_changes_by_transfer ON ownership_changes(transfer_id)
  WHERE transfer_id IS NOT NULL;

PRAGMA user_version = 8;
)sql"},
    // Issue 14 item 3 (the W2 answer cache): the owner's revision,
    // raised by the store inside every write that changes what the owner's W2 lookup shows
    // (store/owner_change.h), so that a cached answer is known stale by any server process.
    // Down: ALTER TABLE owners DROP COLUMN revision.
    {"Migration9",
     R"sql(
ALTER TABLE owners ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;

PRAGMA user_version = 9;
)sql"},
    // Journeys (issue 12 item 6). holding_stays keeps where each animal or flock was kept: one
    // row per holding it came to, since when (ms), and the certificate whose arrival brought it
    // there (NULL at registration); read per animal, oldest first, for the timeline. Every animal
    // kept at a holding before gets one row: that holding since its registration, the one stay
    // known. certificate_animals_by_animal serves the timeline's certificates, movements and
    // passages of one animal (the table's key starts with the certificate).
    {"Migration10",
     R"sql(
CREATE TABLE holding_stays(
  seq INTEGER PRIMARY KEY,
  animal_id INTEGER NOT NULL REFERENCES animals(id),
  holding_id INTEGER NOT NULL REFERENCES holdings(id),
  since INTEGER NOT NULL,
  certificate_id TEXT REFERENCES certificates(id)
);
CREATE INDEX holding_stays_by_animal ON holding_stays(animal_id, since);
INSERT INTO holding_stays(animal_id, holding_id, since)
  SELECT id, holding_id, created_at FROM animals WHERE holding_id IS NOT NULL ORDER BY id;

CREATE INDEX certificate_animals_by_animal ON certificate_animals(animal_id);

PRAGMA user_version = 10;
)sql"},
    // Uses of a certificate at its destination (W5, issue 14 item 5), keyed by the id the scanning
    // device made (16 bytes), so that a scan sent twice is one use. double_use 0 is the use that
    // consumed the certificate (at most one per certificate: certificate_uses_first), 1 a later
    // scan kept as a double use; authority is where it was scanned (the holding's, else the
    // inspector's), for who may see it. Every certificate consumed before gets its first use, with
    // a made-up id, scanned and received when it was consumed, at its destination.
    {"Migration11",
     R"sql(
CREATE TABLE certificate_uses(
  id BLOB PRIMARY KEY,
  certificate_id TEXT NOT NULL REFERENCES certificates(id),
  double_use INTEGER NOT NULL,
  scanned_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  user_name TEXT NOT NULL,
  place TEXT NOT NULL,
  holding_id INTEGER REFERENCES holdings(id),
  head_counted INTEGER,
  authority TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX certificate_uses_by_certificate ON certificate_uses(certificate_id, scanned_at);
CREATE UNIQUE INDEX certificate_uses_first ON certificate_uses(certificate_id)
  WHERE double_use = 0;
CREATE INDEX certificate_uses_doubles ON certificate_uses(certificate_id) WHERE double_use = 1;

INSERT INTO certificate_uses(id, certificate_id, double_use, scanned_at, received_at, user_id,
                             user_name, place, holding_id, head_counted, authority)
  SELECT randomblob(16), c.id, 0, c.consumed_at, c.consumed_at, coalesce(c.consumed_by, 0),
         coalesce(c.consumed_by_name, ''), coalesce(c.consumed_place, ''), m.arrival_holding_id,
         m.head_counted, c.destination
  FROM certificates c LEFT JOIN movements m ON m.certificate_id = c.id
  WHERE c.consumed_at IS NOT NULL;

PRAGMA user_version = 11;
)sql"},
    // Field copy (W10). field_changes is the change log a refresh reads (store/field_changes.h):
    // one row per changed owner, animal, vaccination record or certificate, numbered by seq (the
    // rowid: one writer, so numbers only grow), with the owner whose copy it concerns. A full copy
    // reads the owners of an authority subtree by owners_by_authority instead of scanning owners.
    {"Migration12",
     R"sql(
CREATE TABLE field_changes(
  seq INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  owner_id INTEGER NOT NULL,
  ref TEXT NOT NULL
);
CREATE INDEX owners_by_authority ON owners(authority, id);

PRAGMA user_version = 12;
)sql"},
    // Outbreaks and zones (W14). outbreaks keeps each report once under its device-made id (16
    // bytes), with the vet's decision (decided_at NULL while reported); authority is its holding's.
    // zones: a zone of radii has a centre (the outbreak's holding) and radii in km; a zone of
    // authority codes lists them, space-separated, as it lists its species. Issuance reads the
    // zones in force by their last day.
    {"Migration13",
     R"sql(
CREATE TABLE outbreaks(
  id BLOB PRIMARY KEY,
  holding_id INTEGER NOT NULL REFERENCES holdings(id),
  authority TEXT NOT NULL,
  disease TEXT NOT NULL,
  species TEXT NOT NULL,
  first_signs_on INTEGER NOT NULL,
  head_sick INTEGER NOT NULL,
  head_dead INTEGER NOT NULL,
  lat REAL NOT NULL,
  lon REAL NOT NULL,
  note TEXT NOT NULL,
  reported_by INTEGER NOT NULL,
  reported_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  decided_by INTEGER NOT NULL,
  decided_at INTEGER,
  lab_reference TEXT NOT NULL,
  decision_note TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX outbreaks_by_authority ON outbreaks(authority, reported_at);
CREATE TABLE zones(
  id INTEGER PRIMARY KEY,
  disease TEXT NOT NULL,
  outbreak_id BLOB REFERENCES outbreaks(id),
  holding_id INTEGER REFERENCES holdings(id),
  lat REAL NOT NULL,
  lon REAL NOT NULL,
  protection_km REAL NOT NULL,
  surveillance_km REAL NOT NULL,
  authorities TEXT NOT NULL,
  species TEXT NOT NULL,
  starts_on INTEGER NOT NULL,
  ends_on INTEGER NOT NULL,
  authority TEXT NOT NULL,
  declared_by INTEGER NOT NULL,
  declared_at INTEGER NOT NULL,
  lifted_at INTEGER,
  lifted_by INTEGER NOT NULL,
  lift_reason TEXT NOT NULL
);
CREATE INDEX zones_by_end ON zones(ends_on);

PRAGMA user_version = 13;
)sql"},
    // SMS to owners (W15, domain/sms.h): the outbox, written in the transaction of the event that
    // causes a message (a receipt in a W1 batch's) and read by the sender by due time; a message
    // with a dedupe key (a receipt: owner and day) exists once. sms_owners keeps an owner's STOP
    // and language; sms_inbound the digests of the owners' messages taken, so that a replayed one
    // changes nothing.
    {"Migration14",
     R"sql(
CREATE TABLE sms_outbox(
  id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES owners(id),
  kind TEXT NOT NULL,
  dedupe_key TEXT,
  body TEXT NOT NULL,
  payload TEXT NOT NULL,
  requested INTEGER NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  sent_at INTEGER,
  dlr INTEGER NOT NULL,
  dlr_at INTEGER,
  last_error TEXT NOT NULL
);
CREATE UNIQUE INDEX sms_outbox_by_key ON sms_outbox(dedupe_key);
CREATE INDEX sms_outbox_due ON sms_outbox(next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX sms_outbox_by_owner ON sms_outbox(owner_id, sent_at);
CREATE TABLE sms_owners(
  owner_id INTEGER PRIMARY KEY REFERENCES owners(id),
  stopped INTEGER NOT NULL,
  language TEXT NOT NULL,
  changed_at INTEGER NOT NULL
);
CREATE TABLE sms_inbound(
  digest BLOB PRIMARY KEY,
  received_at INTEGER NOT NULL
) WITHOUT ROWID;

PRAGMA user_version = 14;
)sql"},
    // Tracing (W14, issue 13): the trace's recursive walk (queries.h SelectTraceWalk) steps from a
    // holding to the movements that left it (movements_by_origin) or came to it (movements_by_end:
    // where it arrived, else where it was going, as the walk reads it), each by arrival time, and
    // to the passages at a checkpoint by scan time (passages_by_holding); without them every step
    // read every movement. Issuance reads the zones in force: zones_in_force keeps only those not
    // lifted, by their last day, in place of zones_by_end. The ring list of a zone reads the
    // animals kept on its holdings (animals_by_holding).
    {"Migration15",
     R"sql(
CREATE INDEX movements_by_origin ON movements(origin_holding_id, arrived_at);
CREATE INDEX movements_by_end
  ON movements(coalesce(arrival_holding_id, destination_holding_id), arrived_at);
CREATE INDEX passages_by_holding ON passages(holding_id, scanned_at);
DROP INDEX zones_by_end;
CREATE INDEX zones_in_force ON zones(ends_on) WHERE lifted_at IS NULL;
CREATE INDEX animals_by_holding ON animals(holding_id);

PRAGMA user_version = 15;
)sql"},
    // Owners signing in to /me (issue 15 item 4, domain/owner_code.h): their one-time codes (only
    // a salted hash of each; the newest of an owner counts) and their sessions, as users' tokens.
    // audit_by_target finds the reads of one owner's number (GET /me/readers) among all the rows.
    {"Migration16",
     R"sql(
CREATE TABLE owner_codes(
  id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES owners(id),
  code_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  tries INTEGER NOT NULL,
  used INTEGER NOT NULL
);
CREATE INDEX owner_codes_by_owner ON owner_codes(owner_id, id);
CREATE TABLE owner_sessions(
  token_hash TEXT PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES owners(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX audit_by_target ON audit(target, seq);

PRAGMA user_version = 16;
)sql"},
    // The trace's steps read index pages only (issue 13, "Measured"): each step out of or into a
    // holding found a movement in movements_by_origin or movements_by_end and then read its row
    // for the ends and head, and each edge kept read its certificate's row (a random page of the
    // largest table, with its HP1 text) for the number, purpose, status, issue time and head.
    // Both movement indexes now carry the columns the walk reads (the certificate id is the
    // key of the table: in every index), and certificates_for_trace the certificate's (queries.h
    // SelectTraceWalk names it: SQLite would otherwise take the unique index on id and the row).
    {"Migration17",
     R"sql(
DROP INDEX movements_by_origin;
CREATE INDEX movements_by_origin ON movements(origin_holding_id, arrived_at,
  arrival_holding_id, destination_holding_id, head_counted);
DROP INDEX movements_by_end;
CREATE INDEX movements_by_end
  ON movements(coalesce(arrival_holding_id, destination_holding_id), arrived_at,
    origin_holding_id, arrival_holding_id, destination_holding_id, head_counted);
CREATE INDEX certificates_for_trace
  ON certificates(id, issued_at, status, purpose, head_count, number);

PRAGMA user_version = 17;
)sql"},
};

constexpr int kLatest = static_cast<int>(std::size(kMigrations));

Result<int> ReadVersion(Connection& conn) {
  HP_ASSIGN_OR_RETURN(Statement st, conn.Prepare(kUserVersion));
  HP_ASSIGN_OR_RETURN(const bool row, st.Next());
  if (!row) return Unavailable("cannot read the database schema version");
  return static_cast<int>(st.Int(0));
}

}  // namespace

int LatestSchemaVersion() { return kLatest; }

Status Migrate(Connection& conn) {
  HP_RETURN_IF_ERROR(conn.Exec(kBeginImmediate));
  auto rollback = [&conn](Status s) {
    (void)conn.Exec(kRollback);
    return s;
  };
  auto version = ReadVersion(conn);
  if (!version.ok()) return rollback(version.status());
  if (*version > kLatest) {
    spdlog::error("sqlite: database schema version {} is newer than this program's {}", *version,
                  kLatest);
    return rollback(FailedPrecondition(
        "the database was written by a newer version of HerdPass (schema " +
        std::to_string(*version) + ", this program knows up to " + std::to_string(kLatest) + ")"));
  }
  for (int v = *version + 1; v <= kLatest; ++v) {
    Status s = conn.ExecScript(kMigrations[v - 1]);
    if (!s.ok()) {
      spdlog::error("sqlite: {} failed", kMigrations[v - 1].name);
      return rollback(Unavailable("cannot upgrade the database schema"));
    }
  }
  Status s = conn.Exec(kCommit);
  if (!s.ok()) return rollback(Unavailable("cannot upgrade the database schema"));
  return Status::Ok();
}

}  // namespace herdpass::sqlite
