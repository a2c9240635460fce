// The storage interface of HerdPass (DESIGN.md section 8).
//
// One narrow interface, implemented by store/sqlite/ and store/postgres/; the conformance
// suite in tests/store/ runs against every implementation. Inputs arrive already validated and
// normalized by service/ (E.164 phones, 15-digit tags, known catalogue codes); the store enforces
// only integrity: uniqueness, idempotency by record id, atomicity, and the audit chain.
//
// Durability: a write method returns only after its transaction is durably committed (SQLite:
// WAL + synchronous=FULL). Concurrent writers share commits (group commit). Every write method
// takes the AuditEntry that describes it and appends it in the same transaction, so a write and its
// audit row are stored together or not at all.
//
// Thread safety: every method may be called from any number of threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "domain/audit.h"
#include "domain/catalogue.h"
#include "domain/certificate.h"
#include "domain/certificate_use.h"
#include "domain/coverage.h"
#include "domain/holding.h"
#include "domain/model.h"
#include "domain/movement.h"
#include "domain/outbreak.h"
#include "domain/owner_code.h"
#include "domain/passage.h"
#include "domain/sms.h"
#include "domain/sms_reminder.h"
#include "domain/status.h"
#include "domain/time.h"

namespace herdpass {

struct NewOwner {
  std::string phone;  // E.164
  std::string name;
  std::string village;
  std::string authority;
  Timestamp created_at{};
};

struct NewAnimal {
  int64_t owner_id = 0;
  std::optional<std::string> tag;  // normalized; empty for a flock
  std::string species;
  int32_t head_count = 1;
  std::string sex;
  std::optional<Date> birth_date;
  std::string authority;
  Timestamp created_at{};
  std::optional<int64_t> holding_id;  // its current holding
};

struct NewUser {
  std::string username;
  std::string password_hash;
  Role role = Role::kInspector;
  std::string authority;
  Timestamp created_at{};
};

// One record of a W1 batch, validated and normalized by service/.
struct VaccinationInput {
  std::string id;  // canonical lowercase UUID made on the device
  // The owner: by id, or by E.164 phone. An unknown phone creates the owner (name from owner_name).
  std::optional<int64_t> owner_id;
  std::string owner_phone;
  std::string owner_name;
  // Either tagged animals (unknown tags are created for the owner with `species`), or a flock:
  // empty animal_tags, `species` and head_count > 0. The owner's flock of that species is used (its
  // head count raised to head_count if lower, unless the record is dated on or before the flock's
  // latest head event: W12) or created.
  std::vector<std::string> animal_tags;
  std::string species;
  int32_t head_count = 0;
  std::string disease;
  std::string vaccine;
  std::string batch_no;
  std::optional<double> dose_ml;
  Date administered_on;
  std::optional<double> lat;
  std::optional<double> lon;
  std::string device_id;
  std::string corrects;  // optional id of a voided record this one replaces
  // Where it was given (W12): a holding the service has found in the writer's jurisdiction. Animals
  // the record creates are kept there.
  std::optional<int64_t> holding_id;
};

// Who writes a batch and where new rows belong.
struct BatchContext {
  int64_t user_id = 0;
  std::string authority;      // authority of owners/animals created by the batch
  std::string scope;          // the writer's jurisdiction: existing owners outside it are rejected
  bool unrestricted = false;  // the operator's console (CLI): no jurisdiction check
  Timestamp at{};
};

enum class RecordOutcome { kCreated, kDuplicate, kRejected };
const char* RecordOutcomeName(RecordOutcome o);  // "created", "duplicate", "rejected"

struct RecordResult {
  std::string id;
  RecordOutcome outcome = RecordOutcome::kRejected;
  Status reason;         // set when rejected (e.g. a tag that belongs to another owner)
  int64_t owner_id = 0;  // set when created or duplicate
};

// The audit row of a batch: a fixed one, or one made from the records' outcomes inside the batch's
// transaction (none when it gives std::nullopt), so that the row names what was stored.
class BatchAudit {
 public:
  using Maker = std::function<std::optional<AuditEntry>(std::span<const RecordResult>)>;
  BatchAudit(AuditEntry fixed)  // NOLINT(google-explicit-constructor): a fixed row converts
      : make_([e = std::move(fixed)](std::span<const RecordResult>) { return e; }) {}
  explicit BatchAudit(Maker make) : make_(std::move(make)) {}
  std::optional<AuditEntry> For(std::span<const RecordResult> results) const {
    return make_(results);
  }

 private:
  Maker make_;
};

// An event of an animal's or a flock's life (W12), validated by service/.
struct AnimalEventInput {
  std::string id;  // canonical lowercase UUID made on the device
  int64_t animal_id = 0;
  AnimalEventKind kind = AnimalEventKind::kDied;
  Date on;
  std::string reason;
  std::string new_tag;  // tag_replaced: normalized
  int32_t head = 0;     // flocks: heads born, died, ...
  int64_t user_id = 0;
  std::string scope;          // the recorder's jurisdiction: animals outside it are refused
  bool unrestricted = false;  // the operator's console
  Timestamp at{};
};

struct AnimalEventResult {
  AnimalEvent event;  // as stored (for a duplicate: the first one)
  bool duplicate = false;
  Animal animal;  // the unit as it is after the event (former tags included)
};

// W8: one ownership change as stored: a tagged animal, or heads of a flock, passing from one owner
// to another on a day.
struct OwnershipChange {
  int64_t animal_id = 0;           // the seller's unit: the animal, or the seller's flock
  int64_t to_animal_id = 0;        // the buyer's unit: the same animal, or the buyer's flock
  std::optional<std::string> tag;  // a tagged animal's tag on the day of the sale
  std::string species;
  int32_t head = 1;  // 1 for a tagged animal
  int64_t from_owner_id = 0;
  int64_t to_owner_id = 0;
  Date on;
  std::string certificate_id;  // the sale certificate whose arrival made it, or ""
  std::string transfer_id;     // the transfer at the farm that made it, or ""
  int64_t recorded_by = 0;
  Timestamp recorded_at{};
};

// What passes in one sale, for store::TransferOwnership (store/ownership_core.h). Ids already
// resolved; the store checks each unit against the rule (domain/ownership.h) inside the
// transaction.
struct OwnershipTransfer {
  int64_t seller_id = 0;
  int64_t buyer_id = 0;
  std::vector<int64_t> animal_ids;  // tagged animals passing whole
  std::vector<std::string> fields;  // the field naming each of animal_ids in a refusal ("tags[0]")
  std::optional<int64_t> flock_id;  // the seller's flock, `head` heads of which pass
  int32_t head = 0;
  Date on;
  std::string certificate_id;  // one of these two names what made the change
  std::string transfer_id;
  std::string certificate_number;  // with certificate_id: its number (the flock's head event)
  int64_t recorded_by = 0;
  Timestamp at{};
};

// W8: POST /transfers, validated and normalized by service/.
struct TransferInput {
  std::string id;                    // canonical lowercase UUID made on the device
  std::optional<int64_t> seller_id;  // the seller by id, or
  std::string seller_phone;          // by E.164 phone
  std::string buyer_phone;           // E.164; an unknown phone creates the buyer
  std::string buyer_name;            // the new buyer's name
  std::vector<std::string> tags;     // normalized tags of the seller's animals
  std::optional<int64_t> flock_id;   // the seller's flock
  int32_t head = 0;                  // heads of the flock sold
  Date on;
  int64_t user_id = 0;
  std::string scope;          // the vet's jurisdiction: a seller outside it is refused
  bool unrestricted = false;  // the operator's console
  Timestamp at{};
};

// A transfer as stored, with its ownership changes (tagged animals in the order given, then the
// flock's).
struct Transfer {
  std::string id;
  int64_t seller_id = 0;
  int64_t buyer_id = 0;
  Date on;
  int64_t recorded_by = 0;
  Timestamp recorded_at{};
  std::string authority;  // the seller's
  std::vector<OwnershipChange> changes;
};

struct TransferResult {
  Transfer transfer;
  bool duplicate = false;      // the id was stored before: nothing changed
  bool buyer_created = false;  // the buyer was created by this transfer
};

// A dose a bought animal (or the flock it came from) had under an earlier owner (W8).
struct EarlierDose {
  Vaccination vaccination;   // as stored: owner_id is the earlier owner's
  int64_t to_animal_id = 0;  // the unit of the present owner it concerns
  int32_t head = 0;          // heads of that unit it concerns (a flock's sold heads at most)
  std::string previous_owner_masked;  // MaskName of the earlier owner: never the name or phone
  Date sold_on;                       // when the unit left that owner
};

// What W2 needs of one owner, read in one consistent snapshot.
// An owner's revision (W2's answer cache, service/lookup_cache.h): a number the store raises inside
// every write transaction that changes what the owner's lookup shows (OwnerRowChanged,
// owner_change.h), so that an answer kept by any server process on the same database is known stale
// by one indexed read.
struct OwnerRevision {
  int64_t owner_id = 0;
  std::string authority;  // the owner's
  int64_t revision = 0;
};

struct OwnerHistory {
  Owner owner;
  std::vector<Animal> animals;  // all of the owner's animals and flocks
  std::vector<Vaccination>
      vaccinations;               // administered on or after `since`, voided included, newest first
  std::vector<Holding> holdings;  // every holding the animals and vaccinations name, by id
  // W8: the doses of the owner's animals given under earlier owners (each earlier owner's records
  // administered on or after `since` and on or before the day the unit left it, voided included,
  // newest first), and what the owner sold (newest first). An owner who never bought or sold
  // gets none; both are read with one indexed read each of ownership_changes, plus one W2 read per
  // earlier owner.
  std::vector<EarlierDose> earlier_vaccinations;
  std::vector<OwnershipChange> sold;
};

// One stay of an animal or flock at a holding (issue 12 item 6): kept there since `since`,
// brought by the arrival of `certificate_id` ("" when registered there).
struct HoldingStay {
  int64_t animal_id = 0;
  int64_t holding_id = 0;
  Timestamp since{};
  std::string certificate_id;
};

// What an animal's timeline needs (W12), read in one consistent snapshot.
struct AnimalTimelineData {
  Animal animal;                    // with its former tags
  Owner owner;                      // its owner now
  std::vector<AnimalEvent> events;  // oldest first
  // The records naming it (its owner's, voided included), newest first.
  std::vector<Vaccination> vaccinations;
  // The certificates naming it (through their animals), oldest issued first; without hp1.
  std::vector<Certificate> certificates;
  std::vector<Holding> holdings;  // every holding the animal and its records name, by id
  std::vector<User> recorders;    // who recorded its records and events: id and username only
  // Journeys (issue 12 item 6); the certificates above carry their movement and arrival.
  std::vector<HoldingStay> stays;        // where it was kept, oldest first
  std::vector<Passage> passages;         // of its certificates, in scan order
  std::vector<OwnershipChange> changes;  // as seller's or buyer's unit, oldest first
  std::vector<Owner> owners;             // every owner the changes name, by id
  // The doses it (or the flock its heads came from) had under earlier owners, as W2 shows them to
  // the present owner (EarlierDosesOf), newest first.
  std::vector<EarlierDose> earlier_vaccinations;
};

struct AuditQuery {
  // Rows whose actor's authority is `scope` or below it, plus rows with no authority (anonymous
  // callers, the operator's console where it acted for no authority). Empty with
  // all_authorities: every row.
  std::string scope;
  bool all_authorities = false;
  int64_t after_seq = 0;  // cursor: rows with seq > after_seq
  int limit = 100;
  std::string action;   // exact match when not empty
  int64_t user_id = 0;  // when not 0
  std::optional<Timestamp> from;
  std::optional<Timestamp> to;
};

struct AuditVerification {
  int64_t rows = 0;
  bool ok = true;
  int64_t first_bad_seq = 0;  // when !ok: the first row whose hash or link does not match
  std::string problem;
};

struct StoreCounts {
  int64_t owners = 0;
  int64_t animals = 0;
  int64_t vaccinations = 0;
  int64_t users = 0;
  int64_t audit_rows = 0;
  int64_t certificates = 0;
};

// What a store's writer has done since the store was opened: for /metrics, and for tests that
// check that concurrent writes really shared commits.
struct WriterStats {
  int64_t jobs = 0;                 // write calls run (committed or not)
  int64_t commits = 0;              // transactions committed (one fsync or WAL flush each)
  int64_t failed_transactions = 0;  // groups that failed as a whole (every job got kUnavailable)
  int64_t queued = 0;               // write calls waiting for the writer right now
};

// Who consumed a certificate (W5), where and when.
struct Consumption {
  Consumption() = default;
  Consumption(int64_t by, std::string by_name, std::string where, Timestamp when)
      : user_id(by), user_name(std::move(by_name)), place(std::move(where)), at(when) {}

  int64_t user_id = 0;
  std::string user_name;
  std::string place;  // free text: the slaughterhouse, the market, the border post
  Timestamp at{};
  // The arrival (W13), compared with the certificate by CompareArrival (domain/movement.h); its
  // holding, when named, is one the service found in the inspector's jurisdiction.
  Arrival arrival;
  // One UUID per animal of the certificate, in its order: the ids of the tag-life events the
  // arrival records when its holding is a slaughterhouse, dated `on` (the local day).
  std::vector<std::string> event_ids;
  Date on;
};

// A page of movements (W13), newest first as the certificate list (issued_at, then id, both
// descending). Each carries the fields ListCertificates gives, plus the holdings, the tags and
// the arrival.
struct MovementListQuery {
  // kIncoming: planned movements (issued, valid at `now`) whose destination holding's authority or
  // destination authority is `scope` or below it. kOutgoing: movements issued by `scope` or below.
  enum class Side { kIncoming, kOutgoing };
  Side side = Side::kOutgoing;
  std::string scope;
  bool all_authorities = false;
  std::optional<MovementStatus> status;  // kOutgoing only
  Timestamp now{};
  std::optional<Timestamp> before_issued_at;
  std::string before_id;
  int limit = 50;  // 1 to 1000
};

// A page of holdings (W12). Without `near`: by id ascending, from after_id. With `near`: nearest
// first (distance in whole metres, then id), only those within radius_m, from after the cursor
// (after_distance_m, after_id).
struct HoldingListQuery {
  std::string scope;  // holdings of `scope` or below it; all_authorities: every holding
  bool all_authorities = false;
  std::optional<HoldingKind> kind;
  struct Near {
    double lat = 0;
    double lon = 0;
    double radius_m = 100000;
  };
  std::optional<Near> near;
  int64_t after_distance_m = -1;  // with near: -1 for the first page
  int64_t after_id = 0;
  int limit = 50;  // 1 to 1000
};

struct HoldingListItem {
  Holding holding;
  std::optional<int64_t> distance_m;  // with near
};

// A signed document kept as issued, served as is (the trust list).
struct StoredDocument {
  std::string name;  // "trust-list"
  int64_t sequence = 0;
  std::string body;
  Timestamp saved_at{};
};

// The vet's and the inspector's list of certificates, newest first (issued_at, then id, both
// descending), a page at a time.
struct CertificateListQuery {
  // Certificates issued by `scope` or an authority below it; with destination_too, also those
  // whose destination is there (the animals an inspector's posts receive). all_authorities: every
  // certificate (the operator's console).
  std::string scope;
  bool destination_too = false;
  bool all_authorities = false;
  std::optional<int64_t> owner_id;
  std::optional<CertificateStatus> status;  // the stored status
  // With status issued: true for only those valid at `now` (valid_until >= now), false for only
  // the expired ones; empty for both.
  std::optional<bool> valid_at_now;
  Timestamp now{};
  // Cursor: only certificates after this one in the list's order (issued_at, id) descending.
  std::optional<Timestamp> before_issued_at;
  std::string before_id;
  int limit = 50;  // 1 to 1000
};

// W14: a report as stored, and whether its id was stored before (the first report is returned).
struct OutbreakResult {
  Outbreak outbreak;
  bool duplicate = false;
};

// W14: the reports of `scope` or an authority below it (every one with all_authorities), of one
// status when given.
struct OutbreakListQuery {
  std::string scope;
  bool all_authorities = false;
  std::optional<OutbreakStatus> status;
  int limit = 100;  // 1 to 1000
};

// W14 tracing (issue 13 item 3): where animals went from, or came to, a holding over a window.
// The edges are the movements by certificate that name an origin holding: each certificate's
// movement to where it arrived (or, not arrived yet and not revoked, to its destination holding),
// kind "sale" for a certificate of purpose sale and "arrival" otherwise, at its arrival (else its
// issue); and each passage of it at a checkpoint or market, as two edges of kind "passage": from
// the origin to the passage's holding at the scan, and from there on to where it arrived. Forward,
// a hop follows an edge out of a holding reached no earlier than the edge; backward, an edge into
// it no later. Answered by one recursive query per backend.
struct TraceQuery {
  std::optional<int64_t> holding_id;  // start here; or
  std::optional<int64_t> animal_id;   // only this animal's certificates, from its first (forward)
                                      // or last (backward) movement in the window
  Timestamp from{};                   // the window, [from, to)
  Timestamp to{};
  int depth = 2;  // 1 to 5 hops
  bool forward = true;
  bool backward = false;
  bool owners = false;  // also read the owners of the holdings reached (TraceResult::owners)
};

// One movement the trace followed, at the fewest hops it was reached (1 = out of the start).
struct TraceMovement {
  std::string certificate_id;
  std::string number;
  std::string kind;  // "arrival", "sale", "passage"
  int64_t from_holding = 0;
  int64_t to_holding = 0;
  Timestamp at{};
  int32_t head = 0;
  int hop = 0;
  bool forward = true;
};

// A holding the trace reached (the start at hop 0), with the first and last time it was reached.
struct TraceHolding {
  Holding holding;
  int hop = 0;
  Timestamp first_at{};
  Timestamp last_at{};
};

struct TraceResult {
  std::vector<TraceHolding> holdings;    // by hop, then id
  std::vector<TraceMovement> movements;  // by hop, then time, then certificate number
  std::vector<Owner> owners;  // with TraceQuery::owners: of the holdings reached, by id, one read
};

// An SMS to an owner (W15, domain/sms.h) as the outbox holds it.
struct SmsMessage {
  int64_t id = 0;
  int64_t owner_id = 0;
  std::string phone;       // the owner's as stored now (E.164): personal data
  std::string authority;   // the owner's
  std::string kind;        // "receipt" (W1), "reply" (to the owner's own message), ...
  std::string dedupe_key;  // "" = none; else the message exists once (a receipt: owner and day)
  std::string body;        // the text as it goes out
  std::string payload;     // what a merged message is made from (a receipt's records, JSON)
  bool requested = false;  // the owner asked for it: quiet hours do not hold it
  SmsStatus status = SmsStatus::kQueued;
  int attempts = 0;  // hand-overs to the gateway tried
  Timestamp next_attempt_at{};
  Timestamp created_at{};
  std::optional<Timestamp> sent_at;  // accepted by the gateway
  int dlr = 0;                       // the last delivery report's code (Kannel's), 0 = none
  std::optional<Timestamp> dlr_at;
  std::string last_error;
};

// An owner's choices for SMS (STOP, language), as stored; an owner with no row has messages on and
// the region's language (changed_at 0).
struct SmsOwnerSettings {
  int64_t owner_id = 0;
  bool stopped = false;
  std::string language;  // a web app locale code; "" = the region's
  Timestamp changed_at{};
  std::string authority;  // the owner's (read from owners): the region of the default language
};

// What the sender made of one message handed over, or held back, in a pass (ApplySmsOutcomes).
struct SmsOutcome {
  enum class Kind { kSent, kDefer, kFailedAttempt };
  int64_t id = 0;
  Kind kind = Kind::kSent;
  Timestamp at{};     // kSent: when; kDefer, kFailedAttempt: the next attempt
  std::string error;  // kFailedAttempt: what the gateway said
};

struct NewSms {
  int64_t owner_id = 0;
  std::string kind;
  std::string dedupe_key;  // "" = none
  std::string body;
  std::string payload;
  bool requested = false;
  Timestamp at{};  // queued at, and due from
};

// An owner's message taken from the gateway (POST /sms/inbound), applied in one transaction: its
// digest kept (a replayed one is refused), STOP or START stored, the reply queued.
struct InboundSmsChange {
  std::string digest;  // SHA-256 of the message as the gateway gave it (32 bytes)
  Timestamp at{};
  int64_t owner_id = 0;         // 0: no owner has the sender's number (nothing but the digest)
  std::optional<bool> stopped;  // STOP: true, START: false
  std::optional<std::string> language;  // LANG: the owner's language from now on (one of the nine)
  std::optional<NewSms> reply;
  // Written in the same transaction: the read of the owner's record a STATUS reply carries.
  std::optional<AuditEntry> audit;
};

// An owner's session in /me (issue 15 item 4), as TokenRecord is a user's: the token stored only
// as its SHA-256.
struct OwnerSession {
  std::string token_hash;
  int64_t owner_id = 0;
  Timestamp created_at{};
  Timestamp expires_at{};
};

// A user's read of an owner's number or record, as the owner sees it (GET /me/readers): the role
// and the place, never who. From the audit log: the rows of signed-in users whose target is the
// owner's phone ("phone:+7...") or the owner ("owner:12"); the role is the user's now.
struct OwnerReader {
  Timestamp at{};
  std::string action;          // the audit action: "lookup.phone", "owner.read", ...
  std::string role;            // RoleName
  std::string authority;       // the user's authority code (the station)
  std::string authority_name;  // its name, "" when the authority is not on this node
};

// The admin's list (GET /sms/messages): messages to owners of `scope` or an authority below it
// (every one with all_authorities), newest first, below `before_id` when it is not 0, of
// `status` alone when it is set.
struct SmsListQuery {
  std::string scope;
  bool all_authorities = false;
  int64_t before_id = 0;
  int limit = 100;  // 1 to 1000
  std::optional<SmsStatus> status;
};

// A checkpoint passage (issue 12 item 4), validated by service/ (the holding takes passages, is in
// the caller's jurisdiction and `at` is not in the future).
struct PassageInput {
  std::string id;  // canonical lowercase UUID made on the device
  std::string certificate_id;
  int64_t holding_id = 0;
  std::string authority;  // the holding's
  Timestamp at{};         // when it was scanned
  int32_t head_seen = 0;
  std::string note;
  int64_t user_id = 0;
  Timestamp received_at{};
  std::string scope;          // the recorder's jurisdiction: a duplicate id outside it is refused
  bool unrestricted = false;  // the operator's console
};

struct PassageResult {
  Passage passage;  // as stored (for a duplicate: the first one)
  bool duplicate = false;
};

// Issue 14 item 5: a use of a certificate at its destination, as Store::UseCertificate takes it.
// `use` is the scan (its id, times, who, where); `consumption` the arrival applied when this scan
// consumes the certificate (as Store::ConsumeCertificate takes it). `consumed` is the audit entry
// appended when it consumes, `double_used` the one appended when it is recorded as a double use.
struct CertificateUseInput {
  CertificateUse use;
  Consumption consumption;
  AuditEntry consumed;
  AuditEntry double_used;
};

struct CertificateUseResult {
  CertificateUse use;    // as stored (for a duplicate: the one stored before under this id)
  CertificateUse first;  // the use that consumed the certificate (== use when it did)
  bool duplicate = false;
  Certificate certificate;  // as it is now
};

// The certificates used more than once, newest issued first (issued_at, then id, both descending),
// a page at a time, as CertificateListQuery pages. A certificate is in `scope` when it was issued
// there (the origin vet), is destined there, or one of its uses was scanned there (the inspectors
// of both scans). all_authorities: every one (the operator's console).
struct DoubleUseListQuery {
  std::string scope;
  bool all_authorities = false;
  std::optional<Timestamp> before_issued_at;
  std::string before_id;
  int limit = 50;  // 1 to 1000
};

// W11: vaccination coverage of the owners of one authority subtree, per (owner's authority,
// disease, species, calendar month). Definitions, shared by both backends (store/coverage_tally.h):
//  - registered_head: head of that species registered with owners of that authority by the end of
//    the month: a tagged animal counts 1, a flock its head count as stored now (the store keeps
//    no history of a flock's size, so a flock that grew counts its present size in every month
//    since its registration). An animal or flock counts from its registration date, which is the
//    earlier of the UTC date of its `created_at` and its first non-voided vaccination: W1 creates
//    animals on the spot from records dated in the past (offline sync, paper records entered
//    later), and an animal vaccinated on a day certainly existed on it.
//  - vaccinated_head: head of that species with a non-voided vaccination against that disease
//    administered in that month: each tagged animal once per month and disease however many doses
//    it had; a flock the heads of its doses that month added up, at most its head count. A dose is
//    against a disease when recorded under it or when its vaccine product covers it (the bivalent
//    FMD O+A vaccine recorded under FMD-O counts for FMD-A too), as in W2's coverage.
//  - coverage: vaccinated_head / registered_head rounded to 4 decimals, 0 when registered_head is
//  0.
// Only diseases that apply to the species (the catalogue) appear, and only rows with a non-zero
// vaccinated_head or registered_head. Rows are ordered by authority, disease, species, month.
//
// Period totals (CoverageReport::totals), per (authority, disease, species) over from..to as one
// period. Monthly rows must never be added up across months: a cow present all year would count
// twelve times, and one vaccinated in three months three times.
//  - registered_head: head present in the period, each unit once: a unit registered (as above) on
//    or before `to` counts its head once. (With animal end events, a unit ended before `from`
//    would not count; one ended within the period still would, as present in it.)
//  - vaccinated_head: head vaccinated against the disease at least once in the period: each
//    tagged animal once however many months it had doses in; a flock the heads of all its doses
//    in the period added up, at most its head count.
//  - coverage as for the monthly rows. A period of one month gives the same figures as its row.
// Totals are ordered by authority, disease, species; across authorities, diseases or species
// they may be added up (the units are distinct), across months not.
struct CoverageQuery {
  std::string scope;    // owners whose authority is `scope` or below it. REQUIRES: not empty
  Date from;            // the first day of the first month
  Date to;              // the last day of the last month
  std::string disease;  // only this disease when not empty
  std::string species;  // only this species when not empty
  // Which diseases apply to which species, and what each vaccine product protects against.
  // REQUIRES: not null.
  const Catalogue* catalogue = nullptr;
  size_t max_rows = 50000;  // at most this many rows; `truncated` says when more there were
};

struct CoverageRow {
  std::string authority;
  std::string disease;
  std::string species;
  std::string month;  // "YYYY-MM"
  int64_t vaccinated_head = 0;
  int64_t registered_head = 0;
  double coverage = 0;
};

struct CoverageReport {
  std::vector<CoverageRow> rows;  // per month
  // Per (authority, disease, species) over the whole period (`month` empty), counted as the
  // comment on CoverageQuery says: never the sum of the monthly rows.
  std::vector<CoverageRow> totals;
  bool truncated = false;  // rows or totals stop at max_rows; more matched
};

// W15: a vaccinator's due list. Every living animal and flock of the owners of `scope` (or below
// it) that is due for a dose of a disease (DueBy in domain/coverage.h, through today + days):
// covered today but lapsing on or before that day, lapsed already, or never vaccinated, for each
// catalogue disease of its species (only `disease` when not empty). Coverage is the W2 rule
// (CoverageOf) over the non-voided records of the owners in scope administered on or before
// `today` that name the unit; a dose given to a tagged animal under an earlier owner counts when
// that owner is in scope too (as in the W11 report), and a bought flock's doses from its seller's
// flock do not.
struct DueQuery {
  std::string scope;  // REQUIRES: not empty
  Date today;
  int days = 30;        // REQUIRES: >= 0
  std::string disease;  // only this disease when not empty
  // Which diseases apply to which species, their immunity periods, and what each vaccine product
  // protects against. REQUIRES: not null.
  const Catalogue* catalogue = nullptr;
  size_t max_owners = 5000;  // at most this many owners; `truncated` says when more were due
};

// One unit due for one disease.
struct DueUnit {
  Animal unit;  // the animal or flock as stored
  DiseaseCoverage coverage;
  std::optional<Date> lapses_on;  // LapsesOn(coverage): unset when never vaccinated
};

struct DueOwner {
  Owner owner;
  std::vector<DueUnit> units;  // by tag (flocks last, by species), then catalogue disease order
};

struct DueList {
  Date today;
  Date through;  // today + days
  // Owners with at least one unit due, by village (owners with no village last), then authority,
  // name and id.
  std::vector<DueOwner> owners;
  bool truncated = false;  // more owners were due than max_owners
};

// W15's reminders (domain/sms_reminder.h): the owners, not STOPped and with no reminder queued
// after `reminded_after`, whose living animals and flocks are covered today and lapse within the
// next `days` (LapsesWithin), each unit's coverage being the W2 rule over the non-voided records
// that name it (its current owner's, and for a tagged animal its earlier owners': its history
// follows it, W8).
struct ReminderQuery {
  Date today;
  int days = 14;               // REQUIRES: >= 0
  Timestamp reminded_after{};  // now - kReminderEveryDays
  // Which diseases apply to which species, their immunity periods, and what each vaccine product
  // protects against. REQUIRES: not null.
  const Catalogue* catalogue = nullptr;
};

struct OwnerReminder {
  int64_t owner_id = 0;
  std::string language;             // SmsLanguageFor the owner's stored choice and region
  std::vector<ReminderLine> lines;  // per disease, in catalogue order
};
// W14: the zones in force on `day` and the zones' revision they were read at (the count of zones
// declared and lifted so far, by any process sharing the database).
struct ZonesInForce {
  Date day;
  int64_t revision = 0;
  std::vector<Zone> zones;  // by id
};

// What Store::CreateCertificate answers when a zone was declared or lifted since the revision
// given: the caller judges the zones again.
inline Status ZonesChangedStatus() {
  return Status(StatusCode::kFailedPrecondition, "a zone was declared or lifted meanwhile",
                "zones_revision");
}
inline bool ZonesChanged(const Status& s) {
  return s.code() == StatusCode::kFailedPrecondition && s.field() == "zones_revision";
}

// W14's ring list (issue 13 item 4): whom to vaccinate first around an outbreak. The holdings the
// zone holds (ZoneRingOf in domain/outbreak.h: within each radius of a zone of radii, by their
// distance from its centre; of its authorities' subtrees for a zone of codes), not closed before
// `today`; on each, the living animals and flocks kept there now (Animal::holding_id) of a species
// the zone restricts, each with its coverage against the zone's disease: the W2 rule (CoverageOf)
// over the non-voided records that name it, its current owner's and, for a tagged animal, those
// of its earlier owners (its history follows it, W8).
struct RingQuery {
  Zone zone;  // REQUIRES: ValidateZone holds
  Date today;
  // The disease's immunity period and what each vaccine product protects against. REQUIRES: not
  // null.
  const Catalogue* catalogue = nullptr;
  size_t max_holdings = 5000;  // at most this many holdings; `truncated` says when more matched
};

struct RingUnit {
  Animal unit;  // as stored
  DiseaseCoverage coverage;
  int64_t head = 1;  // 1 for a tagged animal, the flock's head count
};

struct RingHolding {
  Holding holding;
  std::string ring;                   // "protection", "surveillance" or "authority" (ZoneRingOf)
  std::optional<int64_t> distance_m;  // from the zone's centre, whole metres (zones of radii)
  // Not covered first (never vaccinated, then lapsed), then covered, soonest to lapse first;
  // then by tag (flocks last) and id.
  std::vector<RingUnit> units;
  int64_t head = 0;            // of the units
  int64_t head_uncovered = 0;  // of the units not covered today
};

struct RingList {
  Date today;
  // By ring (protection before surveillance), then those with heads not covered first, then those
  // all covered, then those with no unit of the species; within each, nearest first, then by id.
  std::vector<RingHolding> holdings;
  // Every owner the holdings or their units name (personal data: service/ decides who sees it),
  // by id.
  std::vector<Owner> owners;
  bool truncated = false;  // more holdings matched than max_holdings
};

// W10: the field copy. Every write that changes an owner, an animal or flock, a vaccination
// record or a certificate notes it in the field-copy change log, in the same transaction, under a
// change number that only grows (store/field_changes.h does it, once for both backends). A copy
// taken "since" a change number brings the current state of everything noted after it.
enum class FieldChangeKind { kOwner, kAnimal, kVaccination, kCertificate };

// What a field copy reads.
struct FieldCopyQuery {
  // Owners whose authority is `scope` or below it (all_authorities: every owner), or, when
  // owner_ids is not empty, those owners only (the service found each in the caller's
  // jurisdiction).
  std::string scope;
  bool all_authorities = false;
  std::vector<int64_t> owner_ids;
  // A cursor (a change number) from an earlier copy: only what changed after it. Without: all.
  std::optional<int64_t> since;
};

// Receives a field copy row by row, in one read snapshot: each owner before its animals, records
// and certificates in a full copy; in a refresh, the current state of each changed row once. A
// non-ok Status from any call stops the copy and is returned as it is.
class FieldCopySink {
 public:
  virtual ~FieldCopySink() = default;
  virtual Status OnOwner(const Owner& owner) = 0;
  virtual Status OnAnimal(const Animal& animal) = 0;
  virtual Status OnVaccination(const Vaccination& vaccination) = 0;  // voided ones included
  // Without animals, vaccinations and HP1 text: the list fields of ListCertificates.
  virtual Status OnCertificate(const Certificate& certificate) = 0;
  // Refresh only: the animal or flock `animal_id` is no longer `owner_id`'s (it was sold).
  virtual Status OnAnimalGone(int64_t animal_id, int64_t owner_id) = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // --- owners and animals ---
  // kAlreadyExists with detail = existing owner id when the phone is known.
  virtual Result<Owner> CreateOwner(const NewOwner& owner, const AuditEntry& audit) = 0;
  virtual Result<Owner> FindOwnerById(int64_t id) = 0;
  virtual Result<Owner> FindOwnerByPhone(const std::string& e164) = 0;
  // The owner's id, authority and revision (OwnerRevision); kNotFound when no owner has the phone.
  virtual Result<OwnerRevision> FindOwnerRevisionByPhone(const std::string& e164) = 0;
  // kAlreadyExists with detail = existing animal id when the tag is known; kNotFound for no owner.
  virtual Result<Animal> CreateAnimal(const NewAnimal& animal, const AuditEntry& audit) = 0;
  // By its current tag or by any tag it wore before (a replaced tag), in one indexed read; the
  // animal carries its former tags. kNotFound.
  virtual Result<Animal> FindAnimalByTag(const std::string& tag) = 0;
  // A flock or an animal by id (without its former tags). kNotFound.
  virtual Result<Animal> FindAnimalById(int64_t id) = 0;
  // W12: stores an event of an animal's or a flock's life and applies it (domain/animal_events.h)
  // in one transaction: a tagged animal's life ends, a flock's head count changes, a replaced tag
  // is kept as a former tag of the animal. An event whose id is stored already is a duplicate,
  // whatever its content: nothing changes and the stored event is returned (kPermissionDenied,
  // field "id", when that event's animal is outside in.scope). Otherwise: kNotFound for no such
  // animal; kPermissionDenied when the animal is outside in.scope; the rule's refusals
  // (ApplyAnimalEvent); kAlreadyExists (field "new_tag") when the new tag is any animal's current
  // or former tag. Of concurrent events ending one animal, exactly one succeeds.
  virtual Result<AnimalEventResult> RecordAnimalEvent(const AnimalEventInput& in,
                                                      const AuditEntry& audit) = 0;
  // W8: a sale at the farm. Stores the transfer and its ownership changes
  // (store::TransferOwnership, store/ownership_core.h) in one transaction, with the buyer created
  // on the spot when its phone is unknown (name in.buyer_name, the seller's authority). An id
  // stored already is a duplicate, whatever its content: nothing changes and the stored transfer is
  // returned (kPermissionDenied, field "id", when its seller is outside in.scope). Otherwise:
  // kNotFound (field "seller_phone" or "seller_id") for no such seller; kPermissionDenied when the
  // seller is outside in.scope; kNotFound (field "tags[i]" or "flock_id") for an unknown tag or
  // flock; the sale rule's refusals (PlanSale: kFailedPrecondition naming "tags[i]", "flock_id" or
  // "head" for what is no longer the seller's or not that many head). Nothing is stored on any
  // refusal.
  virtual Result<TransferResult> RecordTransfer(const TransferInput& in,
                                                const AuditEntry& audit) = 0;
  // The ownership changes of one unit (as seller's or buyer's unit), oldest first.
  virtual Result<std::vector<OwnershipChange>> ListOwnershipChanges(int64_t animal_id) = 0;
  // The events of one animal or flock, oldest first (by date, then the order stored).
  virtual Result<std::vector<AnimalEvent>> ListAnimalEvents(int64_t animal_id) = 0;
  // W12: the animal or flock with this id and what its timeline needs, in one snapshot.
  // kNotFound when there is no such animal.
  virtual Result<AnimalTimelineData> LoadAnimalTimeline(int64_t animal_id) = 0;
  // The owner with its animals and its records administered on or after `since`, read in one
  // snapshot. kNotFound when there is no such owner.
  virtual Result<OwnerHistory> LoadOwnerHistory(int64_t owner_id, Date since) = 0;
  // As LoadOwnerHistory, for the owner with this E.164 phone: the owner and the history in one
  // call and one snapshot (W2, issuance).
  virtual Result<OwnerHistory> LoadOwnerHistoryByPhone(const std::string& e164, Date since) = 0;

  // --- holdings (W12) ---
  // Stores a new holding (its id and fields as given, the id chosen here) and returns it.
  // kAlreadyExists with field "code" when its authority has a holding of that code; kNotFound when
  // owner_id names no owner.
  virtual Result<Holding> CreateHolding(const Holding& holding, const AuditEntry& audit) = 0;
  virtual Result<Holding> FindHolding(int64_t id) = 0;  // kNotFound
  virtual Result<std::vector<HoldingListItem>> ListHoldings(const HoldingListQuery& query) = 0;

  // --- vaccinations ---
  // Stores the records atomically: either the whole call commits (each record created, duplicate by
  // id, or rejected with a reason) or nothing does and the Status says why (kUnavailable on I/O
  // failure). A record whose id is already stored is a duplicate, whatever its content.
  virtual Result<std::vector<RecordResult>> RecordVaccinations(
      std::span<const VaccinationInput> records, const BatchContext& ctx,
      const BatchAudit& audit) = 0;
  virtual Result<Vaccination> FindVaccination(const std::string& id) = 0;
  // kNotFound; kFailedPrecondition when already voided.
  virtual Status VoidVaccination(const std::string& id, const std::string& reason, Timestamp at,
                                 const AuditEntry& audit) = 0;

  // --- users and tokens ---
  virtual Result<User> CreateUser(const NewUser& user, const AuditEntry& audit) = 0;
  virtual Result<User> FindUserByName(const std::string& username) = 0;
  virtual Result<User> FindUserById(int64_t id) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;
  // Deletes every token of the user in the same transaction, whichever way `disabled` goes: a
  // disabled user's tokens end at once, and enabling brings none back. kNotFound.
  virtual Status SetUserDisabled(const std::string& username, bool disabled,
                                 const AuditEntry& audit) = 0;
  virtual Status SetUserPassword(const std::string& username, const std::string& password_hash,
                                 const AuditEntry& audit) = 0;
  // kNotFound for an unknown user; kFailedPrecondition when the user is disabled (a sign-in that
  // checked the password before a disable committed stores nothing after it); kAlreadyExists.
  virtual Status SaveToken(const TokenRecord& token, const AuditEntry& audit) = 0;
  virtual Result<TokenRecord> FindToken(const std::string& token_hash) = 0;
  virtual Status DeleteToken(const std::string& token_hash, const AuditEntry& audit) = 0;

  // --- authorities ---
  virtual Status SaveAuthority(const Authority& authority, const AuditEntry& audit) = 0;
  virtual Result<std::vector<Authority>> ListAuthorities() = 0;

  // --- signing keys and signed documents (public halves only; private keys live in files) ---
  // kAlreadyExists (detail: the kid) when the kid is known.
  virtual Status SaveSigningKey(const SigningKey& key, const AuditEntry& audit) = 0;
  // Sets retired_at. kNotFound; kFailedPrecondition when already retired.
  virtual Status RetireSigningKey(const std::string& kid, Timestamp at,
                                  const AuditEntry& audit) = 0;
  // Every key: local, imported and pinned roots, retired ones included, oldest first (by
  // valid_from, then kid).
  virtual Result<std::vector<SigningKey>> ListSigningKeys() = 0;
  // Replaces every key whose source is `source` ("import:UZ", "pinned:UZ") by `keys`, atomically;
  // each is stored with source = `source`, whatever its own field says. kAlreadyExists (detail:
  // the kid) when a kid is known under another source or listed twice: then nothing changes. A
  // key retired here stays retired when the replacement brings its kid back (the earlier
  // retired_at wins), so that a new list from its country does not restore a key refused here.
  virtual Status ReplaceKeys(const std::string& source, const std::vector<SigningKey>& keys,
                             const AuditEntry& audit) = 0;
  // Insert or replace the document named `doc.name`.
  virtual Status SaveDocument(const StoredDocument& doc, const AuditEntry& audit) = 0;
  virtual Result<StoredDocument> LoadDocument(const std::string& name) = 0;  // kNotFound

  // --- certificates (W3-W6) ---
  // Stores a new certificate with status issued (whatever its status, consumption and revocation
  // fields say), with its animals and the vaccinations it rests on, both in the given order.
  // kAlreadyExists when the id or the number is taken, the Status's field saying which ("id",
  // "number"); kNotFound when the owner is unknown; kFailedPrecondition when an animal id is
  // unknown or belongs to another owner; kInvalidArgument (field "tags") when the tags are not
  // exactly those of the tagged animals. Tags are read back through the animals, sorted.
  // W8: a certificate with a buyer_phone names its buyer (stored as buyer_id): the owner of that
  // phone, or one created in the same transaction (name buyer_name, authority the certificate's
  // destination, or its issuing authority for export); kInvalidArgument (field "buyer_phone")
  // when the buyer is the owner. The animals pass to the buyer only at arrival
  // (store::TransferOwnership).
  // W14: with `zones_revision`, the zones' revision (ZonesInForce::revision) the caller judged
  // the certificate's zones at, read again in the same transaction: when a zone was declared or
  // lifted since (by any process), nothing is stored and the answer is ZonesChanged.
  virtual Status CreateCertificate(const Certificate& certificate, const AuditEntry& audit,
                                   std::optional<int64_t> zones_revision) = 0;
  Status CreateCertificate(const Certificate& certificate, const AuditEntry& audit) {
    return CreateCertificate(certificate, audit, std::nullopt);
  }
  virtual Result<Certificate> FindCertificate(const std::string& id) = 0;  // kNotFound
  virtual Result<Certificate> FindCertificateByNumber(const std::string& number) = 0;
  // W5 and W13: issued -> consumed, once, atomically; returns the consumed certificate. The
  // arrival is applied in the same transaction (ApplyArrival in store_core.h): recorded on the
  // movement, the animals that arrived (the tags seen, or all without tags) kept at the arrival
  // holding, and at a slaughterhouse the tagged ones slaughtered and the flock's head lowered.
  // kAlreadyExists (detail: the id) when it was consumed before (the caller reads when, where and
  // by whom with FindCertificate); kFailedPrecondition when revoked; kNotFound. Of any number of
  // concurrent calls for one certificate, exactly one succeeds.
  virtual Result<Certificate> ConsumeCertificate(const std::string& id,
                                                 const Consumption& consumption,
                                                 const AuditEntry& audit) = 0;
  // W6: marks it revoked (issued or consumed alike) and appends a Revocation with the next
  // sequence number. kFailedPrecondition when already revoked; kNotFound.
  virtual Result<Revocation> RevokeCertificate(const std::string& id, int64_t user_id,
                                               const std::string& reason, Timestamp at,
                                               const AuditEntry& audit) = 0;
  // A page of certificates (CertificateListQuery). Each carries only id, number, authority,
  // owner_id, species, head_count, purpose, origin, destination, issued_at, valid_until,
  // owner_masked_name and status: no animals, vaccinations, HP1 text, consumption or revocation.
  virtual Result<std::vector<Certificate>> ListCertificates(const CertificateListQuery& query) = 0;
  // A page of movements (MovementListQuery).
  virtual Result<std::vector<Certificate>> ListMovements(const MovementListQuery& query) = 0;
  // Revocations with sequence > after_sequence, in sequence order.
  virtual Result<std::vector<Revocation>> ListRevocations(int64_t after_sequence = 0) = 0;
  // Issue 12 item 4: stores a checkpoint passage, flagged (PassageFlagAt) by the certificate's
  // state read in the same transaction. A passage whose id is stored already is a duplicate,
  // whatever its content: nothing changes and the stored passage is returned (kPermissionDenied,
  // field "id", when that passage's holding is outside in.scope). Otherwise kNotFound when there is
  // no such certificate, with nothing stored. REQUIRES: the holding exists (service/ found it).
  virtual Result<PassageResult> RecordPassage(const PassageInput& in, const AuditEntry& audit) = 0;
  // The passages of one certificate, in scan order (then id).
  virtual Result<std::vector<Passage>> ListPassages(const std::string& certificate_id) = 0;
  // Issue 14 item 5: a scan of a certificate at its destination, in one transaction. A use whose
  // id is stored already is a duplicate, whatever its content: nothing changes, the stored use is
  // returned (kPermissionDenied, field "id", when it is another certificate's). Otherwise an
  // issued certificate is consumed as ConsumeCertificate does (the use stored as its first, the
  // `consumed` audit entry appended); a consumed one keeps its first use and this scan is stored
  // as a double use (the `double_used` entry appended). kFailedPrecondition when revoked, with
  // nothing stored; kNotFound. Of any number of concurrent calls for one certificate, exactly one
  // consumes it and every other is a double use.
  virtual Result<CertificateUseResult> UseCertificate(const std::string& certificate_id,
                                                      const CertificateUseInput& in) = 0;
  // The uses of one certificate: the first, then the double uses in scan order (then id).
  virtual Result<std::vector<CertificateUse>> ListCertificateUses(
      const std::string& certificate_id) = 0;
  // A page of certificates with at least one double use (DoubleUseListQuery), with the fields
  // ListCertificates gives.
  virtual Result<std::vector<Certificate>> ListDoubleUsedCertificates(
      const DoubleUseListQuery& query) = 0;

  // --- outbreaks and zones (W14, issue 13) ---
  // Stores a report under its device-made id. A report whose id is stored already is a
  // duplicate, whatever its content: nothing changes and the stored report is returned
  // (kPermissionDenied, field "id", when that report's authority is outside `scope` and not
  // `unrestricted`). REQUIRES: service/ validated it and found its holding.
  virtual Result<OutbreakResult> RecordOutbreak(const Outbreak& outbreak, const std::string& scope,
                                                bool unrestricted, const AuditEntry& audit) = 0;
  virtual Result<Outbreak> FindOutbreak(const std::string& id) = 0;  // kNotFound
  // Sets the decision (status confirmed or ruled out, decided_by, decided_at, lab_reference,
  // decision_note of `decision`) on the report `decision.id` while it is reported;
  // kFailedPrecondition, with nothing changed, when it was decided before; kNotFound.
  virtual Result<Outbreak> DecideOutbreak(const Outbreak& decision, const AuditEntry& audit) = 0;
  // Newest reported first (reported_at, then id, both descending), at most `limit`.
  virtual Result<std::vector<Outbreak>> ListOutbreaks(const OutbreakListQuery& query) = 0;
  // Stores a zone (ValidateZone holds) and returns it with its new id.
  virtual Result<Zone> CreateZone(const Zone& zone, const AuditEntry& audit) = 0;
  virtual Result<Zone> FindZone(int64_t id) = 0;  // kNotFound
  // The zones not lifted whose days include `day` (ZoneInForce), by id: what issuance checks.
  virtual Result<std::vector<Zone>> ListZonesInForce(Date day) = 0;
  // The same with the zones' revision, from one read snapshot: what issuance keeps in memory.
  virtual Result<ZonesInForce> LoadZonesInForce(Date day) = 0;
  // Lifts the zone now (`at`, by `user_id`, with `reason`); kFailedPrecondition when lifted
  // before; kNotFound.
  virtual Result<Zone> LiftZone(int64_t id, int64_t user_id, Timestamp at,
                                const std::string& reason, const AuditEntry& audit) = 0;

  // W14 tracing (TraceQuery): every movement and holding reached, from one read snapshot.
  virtual Result<TraceResult> Trace(const TraceQuery& query) = 0;
  // W14 ring list (RingQuery), from one read snapshot: a fixed number of set-based statements.
  virtual Result<RingList> ListRing(const RingQuery& query) = 0;

  // --- SMS outbox (W15, domain/sms.h) ---
  // Durable on return, as every write. RecordVaccinations queues the owners' receipts in its own
  // transaction (store/sms_core.h). The sender's calls (ListDueSms, ApplySmsOutcomes and the
  // single MarkSmsSent, DeferSms, FailSmsAttempt) are the outbox's only readers by due time: a
  // crash between a hand-over to the gateway and the commit of its mark leaves the message queued,
  // and it goes again (docs/sms.md).
  //
  // Queues `sms` for an owner (kNotFound when there is none) and returns its id; one whose
  // dedupe_key is already used is not queued again: the id of the one there is returned.
  virtual Result<int64_t> QueueSms(const NewSms& sms) = 0;
  virtual Result<SmsMessage> FindSms(int64_t id) = 0;  // kNotFound
  // Queued messages due at `now` (next_attempt_at <= now), the earliest due first, at most `limit`,
  // leaving out the ids in `except` (the sender's messages in flight: handed over, or about to be,
  // and not yet marked; one statement whatever their number).
  virtual Result<std::vector<SmsMessage>> ListDueSms(Timestamp now, int limit,
                                                     std::span<const int64_t> except) = 0;
  Result<std::vector<SmsMessage>> ListDueSms(Timestamp now, int limit) {
    return ListDueSms(now, limit, {});
  }
  // The gateway took a queued message: sent, one attempt more. kNotFound when there is no such
  // message; kFailedPrecondition when it is not queued.
  virtual Status MarkSmsSent(int64_t id, Timestamp at) = 0;
  // A queued message waits until `until` (quiet hours, a rate limit): no attempt is counted.
  virtual Status DeferSms(int64_t id, Timestamp until) = 0;
  // A hand-over failed with `error`: one attempt more, tried again at `retry_at`, or failed for
  // good once kSmsMaxAttempts are spent.
  virtual Status FailSmsAttempt(int64_t id, Timestamp retry_at, const std::string& error) = 0;
  // The outcomes of one pass of the sender, in one transaction (one commit for the group: the
  // outbox's group commit), each applied as MarkSmsSent, DeferSms or FailSmsAttempt applies it.
  // Returns one status per outcome, in order: kNotFound or kFailedPrecondition there concern that
  // message alone, and the others are applied. An error of the store itself (the returned status)
  // applies none of them: every message handed over stays queued, as after a crash (docs/sms.md).
  virtual Result<std::vector<Status>> ApplySmsOutcomes(std::span<const SmsOutcome> outcomes) = 0;
  // A delivery report (Kannel's dlr-url): its code and time; the status follows
  // SmsStatusAfterReport. kNotFound when there is no such message.
  virtual Status RecordSmsDelivery(int64_t id, int dlr, Timestamp at) = 0;
  // Messages sent to the owner at or after `since` (for the per-owner rate limit).
  virtual Result<int64_t> CountSmsSentSince(int64_t owner_id, Timestamp since) = 0;
  // The same for each of `owner_ids` (one read job for a pass of the sender, one indexed count per
  // owner), in the order given; an owner with none sent is 0.
  virtual Result<std::vector<int64_t>> CountSmsSentSinceEach(std::span<const int64_t> owner_ids,
                                                             Timestamp since) = 0;
  virtual Result<std::vector<SmsMessage>> ListSms(const SmsListQuery& query) = 0;
  // How many messages to owners of the query's scope (its before_id, limit and status aside) are
  // queued: the admin's "waiting" count, read through the outbox's index of queued messages.
  virtual Result<int64_t> CountQueuedSms(const SmsListQuery& query) = 0;
  // The owner's SMS choices (a default one when none are stored). kNotFound when there is no owner.
  virtual Result<SmsOwnerSettings> FindSmsOwner(int64_t owner_id) = 0;
  // The owner's language for SMS from now on (their choice in /me; SetSmsLanguageIn), with
  // `audit`, in one transaction. kInvalidArgument naming "language" unless it is one of the nine
  // (domain/sms_text.h IsSmsLanguage), kNotFound when there is no owner: nothing changes then.
  virtual Status SetSmsOwnerLanguage(int64_t owner_id, const std::string& language, Timestamp at,
                                     const AuditEntry& audit) = 0;
  // An owner's message (store/sms_core.h TakeInboundSmsIn): kAlreadyExists naming "message" when
  // its digest was taken before, and nothing changes; kNotFound when owner_id names no owner.
  virtual Status TakeInboundSms(const InboundSmsChange& change) = 0;
  // Queues every one of `messages` as QueueSms does, in one transaction: all or none. The ids, in
  // the same order.
  virtual Result<std::vector<int64_t>> QueueSmsBatch(std::span<const NewSms> messages) = 0;
  // W15's reminders (ReminderQuery): the owners to remind, by id, from one read snapshot with one
  // set-based statement (store/reminders.h).
  virtual Result<std::vector<OwnerReminder>> SelectReminders(const ReminderQuery& query) = 0;

  // --- owners' sign-in to /me (issue 15 item 4, domain/owner_code.h; store/owner_access_core.h)
  // --- Stores `code` for its owner, queues `sms` (the code's text) and appends `audit`, in one
  // transaction; the new code's id. kNotFound when the owner does not exist.
  virtual Result<int64_t> SaveOwnerCode(const OwnerCode& code, const NewSms& sms,
                                        const AuditEntry& audit) = 0;
  // One try of the owner's newest code (TryOwnerCode, domain/owner_code.h), `matches` telling
  // whether the code typed is it: the try is counted (or the code used and `session` saved) and
  // `audit(outcome)` appended in one transaction, whatever the outcome; kNone when the owner has
  // no code. Tries of one owner are serialized by the writer: five at once spend five tries.
  virtual Result<OwnerCodeOutcome> TryOwnerCode(
      int64_t owner_id, const std::function<bool(const OwnerCode&)>& matches, Timestamp now,
      const OwnerSession& session, const std::function<AuditEntry(OwnerCodeOutcome)>& audit) = 0;
  virtual Result<OwnerSession> FindOwnerSession(const std::string& token_hash) = 0;  // kNotFound
  // kNotFound when there is no such session.
  virtual Status DeleteOwnerSession(const std::string& token_hash, const AuditEntry& audit) = 0;
  // The reads of the owner `owner_id`, whose phone is `e164` (OwnerReader), newest first, at most
  // `limit`. One indexed read of the audit log per target.
  virtual Result<std::vector<OwnerReader>> ListOwnerReaders(int64_t owner_id,
                                                            const std::string& e164, int limit) = 0;

  // --- field copy (W10) ---
  // Streams the copy `query` asks for into `sink` from one read snapshot, and returns the cursor
  // for the next refresh: the newest change number the snapshot saw (0 before any change).
  // Certificates of an owner are read 1,000 at a time.
  virtual Result<int64_t> ReadFieldCopy(const FieldCopyQuery& query, FieldCopySink& sink) = 0;

  // --- audit ---
  // Appends an entry on its own (reads of personal data, failed sign-ins). On return the row is
  // committed to the database's log: it survives a crash of the server process. Its flush to disk
  // may be shared with the next durable write, so that a read, which changes no record, does not
  // wait for an fsync of its own; a power cut can lose the audit rows of the last such reads.
  // (Every write above stays durable on return, its audit row with it.)
  virtual Status AppendAudit(const AuditEntry& entry) = 0;
  // As AppendAudit, without holding the calling thread: `then` gets what AppendAudit would return,
  // once the row is committed as AppendAudit's is (or failed), on the store's writer thread; it
  // must only hand the result on (post it elsewhere), never block nor call the store.
  virtual void AppendAuditThen(const AuditEntry& entry, std::function<void(Status)> then) = 0;
  virtual Result<std::vector<AuditRow>> ListAudit(const AuditQuery& query) = 0;
  virtual Result<AuditVerification> VerifyAudit() = 0;

  virtual Result<StoreCounts> Counts() = 0;
  // What the writer has done since the store was opened, whichever the backend. Reads counters
  // only: never waits for a write.
  virtual WriterStats GetWriterStats() const = 0;

  // --- reports ---
  // W11, read in one snapshot. See CoverageQuery for what is counted.
  virtual Result<CoverageReport> ReportCoverage(const CoverageQuery& query) = 0;
  // W15, read in one snapshot with three set-based reads (owners, units, doses of the scope). See
  // DueQuery for what is listed.
  virtual Result<DueList> ListDue(const DueQuery& query) = 0;
};

}  // namespace herdpass
