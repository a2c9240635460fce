// service/: the use cases of HerdPass (DESIGN.md section 2), authorization by role and
// jurisdiction, and the audit log. It takes a Store, a Clock and the reference Catalogue from
// outside, so tests can run it against any backend with a fake clock; randomness too (certificate
// ids and numbers), so that a test can make two certificates draw the same number.
//
// Inputs come as the client sent them (phone numbers in local forms, tags with separators, dates as
// text); the service validates and normalizes them and names the failing field in its Status.
//
// Thread-safe: one HerdService serves all request threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "domain/audit.h"
#include "domain/catalogue.h"
#include "domain/certificate.h"
#include "domain/coverage.h"
#include "domain/ear_tag.h"
#include "domain/holding.h"
#include "domain/model.h"
#include "domain/movement_rules.h"
#include "domain/phone.h"
#include "domain/random.h"
#include "domain/sms_reminder.h"
#include "domain/sms_text.h"
#include "domain/status.h"
#include "domain/time.h"
#include "domain/timeline.h"
#include "service/lookup_cache.h"
#include "service/permissions.h"
#include "store/store.h"

namespace herdpass {

namespace cert {
class Ed25519Signer;
}  // namespace cert
struct ZoneSnapshot;  // service/cert_state.h

struct ServiceConfig {
  std::string default_region = "KZ";  // how to read phone numbers without a country code
  // This node's country (ISO 3166 alpha-2; "": default_region): users, authorities and signing
  // keys are of this country only, and its root signs a trust list of this country's keys only
  // (DESIGN.md section 9, docs/hp1-format.md section 8).
  std::string country;
  std::vector<EarTagScheme> ear_tag_schemes = {EarTagScheme::kIso11784, EarTagScheme::kChina};
  int lookup_years_default = 3;
  int lookup_years_max = 10;
  std::chrono::minutes token_ttl{12 * 60};
  int max_batch = 1000;
  // Login throttle (DESIGN.md section 9). Failed sign-ins are counted per username and address
  // together: after login_free_failures of them, each further failure makes that pair wait
  // login_first_delay, doubled with every failure up to login_max_delay (429 with the time to
  // wait). An attacker's failures therefore slow the attacker's own address alone. Two wider counts
  // slow attacks spread out: per address over all usernames (password spraying) after
  // login_address_free_failures, and per username over all addresses after
  // login_user_free_failures; neither holds up a user signing in from an address where they signed
  // in before (in the last 30 days, as this process remembers). A count with no failure for
  // login_forget_after starts afresh. Attempts refused while waiting do not count.
  int login_free_failures = 5;
  int login_address_free_failures = 20;
  int login_user_free_failures = 50;
  std::chrono::seconds login_first_delay{30};
  std::chrono::seconds login_max_delay{15 * 60};
  std::chrono::minutes login_forget_after{60};
  // Password checks (Argon2id: 64 MiB and ~0.1 s of a core each, two at a time) running or waiting
  // at once; a sign-in beyond them is answered 429 at once rather than holding a request thread.
  int login_max_pending = 8;
  // Phone lookups (W2, GET /owners?phone=) per user per minute; 0 = unlimited.
  int lookups_per_minute = 600;
  // W2's answer cache (service/lookup_cache.h), in bytes; 0 = none (serve --lookup-cache-mib).
  size_t lookup_cache_bytes = size_t{16} << 20;
  // Vaccination dates more than this many years back are refused.
  int max_record_age_years = 10;
  // W10: the most rows (owners, animals, records, certificates, removals) one field copy may
  // carry; a larger one is refused (413) and the user asked to narrow it. The demo county (2,000
  // owners, ~222 k rows) fits.
  int64_t field_copy_max_rows = 400000;
  // The most owners a field copy may name by phone.
  int field_copy_max_owners = 1000;
  // W15: a due list looks this many days ahead unless asked (1 to due_days_max), and names at
  // most due_max_owners owners (the rest is said to be cut off).
  int due_days_default = 30;
  int due_days_max = 365;
  int due_max_owners = 5000;
  // W15: reminders go this many days before a disease's coverage lapses (serve
  // --sms-reminder-days, `herdpass sms remind --days`).
  int reminder_days = kReminderDaysDefault;

  // --- certificates (W3-W6) ---
  // Where private key files live (<data dir>/keys); empty: certificates cannot be issued.
  std::string key_dir;
  std::vector<MovementRule> movement_rules = DefaultMovementRules();
  // Default and longest validity: within a province, until the end of the day of issue in local
  // time (UTC + local_utc_offset); across provinces and for export, this many days. The printed
  // certificate shows its times in this local time too (serve --utc-offset).
  std::chrono::minutes local_utc_offset{5 * 60};
  // The server's address as its users reach it ("https://vet.example.kz", no trailing slash;
  // serve --public-url, checked by ParsePublicUrl): the printed certificate shows <it>/verify as
  // text and as a QR code. Empty: the page shows the path /verify alone.
  std::string public_url;
  // The map screen's tile server (serve --tile-url, checked by http::ParseTileServer) and its
  // attribution, as GET /map/tiles gives them to the web app. Empty: no tiles, a blank ground.
  std::string map_tile_url;
  std::string map_tile_attribution;
  int validity_days_across_provinces = 5;
  // How long verifiers may rely on a cached revocation list before they should fetch a new one:
  // GET /revocations is re-signed at least this often even with no new revocation.
  std::chrono::minutes revocation_list_max_age{60};
  // How long the key set read from the store is relied on before it is read again: keys another
  // process (the CLI) adds or retires show within this. 0 reads them for every use (tests that
  // change keys beside a running server, instead of waiting).
  std::chrono::seconds key_cache_for{5};

  // --- SMS (W15, docs/sms.md) ---
  // The secret shared with the gateway (serve --sms-secret): it keys the delivery reports' tokens
  // (service/sms_callback.h). Empty: no report is taken, and no owner's message
  // (POST /sms/inbound, whose token is SmsInboundToken of it).
  std::string sms_secret;
  // Whether serve hands messages to a gateway (serve --sms-gateway); false: they stay queued, and
  // the admin's list says so.
  bool sms_gateway = false;
  // Where owners' messages may come from (serve --sms-inbound-from, networks as --trusted-proxy
  // takes them): smsbox's address. Checked by http/ against the client's address.
  std::vector<std::string> sms_inbound_from{"127.0.0.0/8", "::1"};

  // --- owners in /me (issue 15 item 4, domain/owner_code.h) ---
  // One-time codes asked for per phone number and per client address in any hour; more are 429.
  int owner_codes_per_phone_per_hour = 3;
  int owner_codes_per_address_per_hour = 10;
  std::chrono::minutes owner_session_ttl{60};
  // serve --sms-print-codes: each code is also written to the server's log, for a demo with no
  // gateway (make run). Staff never see codes: the admin's list masks them (MaskOwnerCode).
  bool print_owner_codes = false;
};

// An owner's message as smsbox's sms-service posts it (docs/sms.md): the sender, our number,
// Kannel's id and time of the message, its text, and the token of the URL.
struct InboundSms {
  std::string from;
  std::string to;
  std::string id;
  std::string time;
  std::string text;
  std::string token;
};

struct InboundSmsOutcome {
  bool owner_known = false;  // false: no owner has the sender's number; nothing was answered
  SmsKeyword keyword = SmsKeyword::kNone;
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

// An owner signed in to /me with a one-time code (issue 15 item 4). Not a Caller: no role, no
// authority, and no use case but the owner's own (HerdService::Owner*) takes one; a staff route
// never sees it, since its token is an owner session's, which Authenticate does not know.
struct OwnerCaller {
  int64_t owner_id = 0;
  std::string address;  // client address, for the audit log
};

struct OwnerLoginResult {
  std::string token;  // shown once, stored only hashed
  Timestamp expires_at{};
};

// What an owner sees of their own records (GET /me): as W2 shows them, with the same coverage
// rule, and the certificates for their animals (list fields only).
struct OwnerRecords {
  Owner owner;
  std::vector<Animal> animals;
  std::vector<Holding> holdings;
  OwnerCoverage coverage;
  Date today;
  std::vector<Certificate> certificates;  // newest first
  std::string language;                   // the owner's choice for SMS, "" = none (their region's)
  std::string language_in_use;            // what their messages go in (SmsLanguageFor)
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
  std::string birth_date;          // "" or YYYY-MM-DD
  std::optional<int64_t> holding;  // its current holding: one of the caller's jurisdiction
};

// W12: a holding as the client sent it.
struct HoldingInput {
  std::string code;
  std::string kind;
  std::string name;
  std::string authority;  // optional: defaults to the caller's; must be within it
  // The owner, for a farm, winter camp or summer pasture only: by id or by phone (any local form).
  std::optional<int64_t> owner_id;
  std::string owner_phone;
  std::optional<double> lat;
  std::optional<double> lon;
  std::string opened_on;  // YYYY-MM-DD, required
  std::string closed_on;  // "" or YYYY-MM-DD
};

// GET /holdings as the client asked. Every field may be empty.
struct HoldingListRequest {
  std::string authority;  // the subtree to list; default the caller's authority
  std::string kind;
  std::string near;                 // "LAT,LON": nearest first, within radius_km
  std::optional<double> radius_km;  // with near only: 0.1 to 1000, default 100
  std::optional<int64_t> limit;     // 1 to 1000; default 50
  std::string cursor;               // "" or the next_cursor of the page before
};

struct HoldingPage {
  std::vector<HoldingListItem> items;
  std::string next_cursor;  // "" on the last page
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
  std::optional<int64_t> holding;  // where it was given: a holding of the caller's jurisdiction
};

struct BatchSummary {
  std::vector<RecordResult> results;  // one per input record, same order
  int created = 0;
  int duplicate = 0;
  int rejected = 0;
};

struct AnimalView {
  Animal animal;                    // with its former tags
  std::vector<AnimalEvent> events;  // its life, oldest first
  Owner owner;
  std::vector<Vaccination> vaccinations;  // of this animal, newest first
  std::vector<DiseaseCoverage> coverage;
  std::vector<Holding> holdings;  // those the animal and its vaccinations name
};

// W12: an animal's or a flock's timeline (service/timeline.cpp).
struct AnimalTimeline {
  Animal animal;  // with its former tags
  ShownOwner owner;
  std::vector<TimelineEntry> entries;  // in time order, oldest first (SortTimeline)
  std::vector<Holding> holdings;       // every holding the animal and its records name
};

// W12: an owner's flocks (GET /flocks?phone=), to record what happened to their heads.
struct OwnerFlocks {
  Owner owner;
  std::vector<Animal> flocks;     // every flock of the owner by id, those of no head left included
  std::vector<Holding> holdings;  // those the flocks are kept at
};

// W12: an event of an animal's or a flock's life as the device sent it.
struct AnimalEventRequest {
  std::string id;    // UUID made on the device: a second send is stored once
  std::string kind;  // tag_replaced, died, slaughtered, lost, stolen, culled; born (flocks)
  std::string date;  // YYYY-MM-DD
  std::string reason;
  std::string new_tag;          // tag_replaced only
  std::optional<int64_t> head;  // flocks only: heads born, died, ...
};

// Issue 12 item 4: a certificate scanned at a checkpoint, as the device sent it.
struct PassageRequest {
  std::string id;                    // UUID made on the device: a second send is stored once
  std::optional<int64_t> holding;    // a checkpoint, border post, market or quarantine station
  std::string at;                    // RFC 3339: when it was scanned (offline scans arrive late)
  std::optional<int64_t> head_seen;  // 0 to the certificate's head count
  std::string note;                  // up to 500 characters
};

// A passage as answered: the stored passage, and why it is flagged in words.
struct PassageView {
  Passage passage;
  bool duplicate = false;  // the id was stored already: this is the first passage sent with it
  std::string certificate_number;
  std::string flag_reason;  // "" when not flagged
};

// W8: a sale at the farm, as the vet sends it (POST /transfers).
struct TransferRequest {
  std::string id;                    // UUID made on the device: a second send is stored once
  std::optional<int64_t> seller_id;  // the seller by id, or
  std::string seller_phone;          // by phone, any local form
  std::string buyer_phone;           // any local form; an unknown phone creates the buyer
  std::string buyer_name;            // the new buyer's name
  std::vector<std::string> tags;     // the seller's tagged animals sold
  std::optional<int64_t> flock_id;   // the seller's flock, `head` heads of which are sold
  std::optional<int64_t> head;
  std::string date;  // YYYY-MM-DD
};

// W3: what the vet asks for.
struct CertificateRequest {
  std::optional<int64_t> owner_id;
  std::string owner_phone;               // instead of owner_id, any local form
  std::vector<std::string> animal_tags;  // tagged animals of the owner, all of `species`
  std::string species;                   // required; must match the tags
  std::optional<int64_t> head_count;     // heads from the owner's flock of `species`
  std::string purpose;
  std::string origin;  // authority code; default the owner's authority
  std::string origin_place;
  std::string destination;  // authority code, or a country code for export
  std::string destination_place;
  std::string transport;
  std::optional<int64_t> valid_hours;  // shorter than the default only
  // W13: the holdings the animals leave from (in the vet's jurisdiction) and go to; optional.
  std::optional<int64_t> origin_holding;
  std::optional<int64_t> destination_holding;
  // W8: a certificate for sale may name the buyer (any local form; unknown: created on the spot
  // with buyer_name). Refused for the other purposes.
  std::string buyer_phone;
  std::string buyer_name;
};

// W5 and W13: POST /certificates/{id}/consume as the client asked. Every field but place is
// optional (older clients send place only).
struct ArrivalRequest {
  std::string place;
  std::optional<int64_t> holding;                // where they arrived: a holding of the inspector's
  std::optional<int64_t> head_count;             // head counted, 0 to the certificate's
  std::optional<std::vector<std::string>> tags;  // ear tags seen or scanned
  // Issue 14 item 5: the id the device made for this scan (a UUID; "" from older clients: the
  // server makes one) and when it was scanned (RFC 3339; "": now).
  std::string id;
  std::string at;
};

// Issue 14 item 5: what a scan at the destination did (HerdService::UseCertificate).
struct CertificateUseAnswer {
  Certificate certificate;
  CertificateUse use;      // this scan as stored (the first time it was sent)
  bool duplicate = false;  // the device sent it before: nothing changed
};

// GET /double-uses as the client asked.
struct DoubleUseListRequest {
  std::optional<int64_t> limit;  // 1 to 1000; default 50
  std::string cursor;            // "" or the next_cursor of the page before
};

// A certificate used more than once, with every use: the first, then each double use.
struct DoubleUseItem {
  Certificate certificate;  // the list fields (Store::ListCertificates)
  std::vector<CertificateUse> uses;
};

struct DoubleUsePage {
  std::vector<DoubleUseItem> items;
  std::string next_cursor;  // "" on the last page
};

// GET /movements and GET /movements/incoming as the client asked.
struct MovementListRequest {
  std::string status;  // "", planned, arrived, mismatch, revoked, expired (GET /movements)
  std::optional<int64_t> limit;  // 1 to 1000; default 50
  std::string cursor;            // "" or the next_cursor of the page before
};

// RuleFailure, one unmet movement rule for one animal or flock, is in domain/movement_rules.h.

// The typed details service/ attaches to a failed Status (Status::WithPayload) for http/ to tell
// the client; http/routes/ reads them back by type in one place and never parses message text.
//
// kAlreadyExists of a registration: the existing record, when the caller may know it.
struct ExistingRecord {
  int64_t id = 0;
};
// kResourceExhausted of a throttle: how long to wait before trying again (at least a second).
struct RetryAfter {
  std::chrono::seconds wait{1};
};
// kAlreadyExists of W5: when, where and by whom the certificate was used up.
struct FirstConsumption {
  std::optional<Timestamp> at;
  std::string place;
  std::string by;
};
// kAlreadyExists of W5 when the scan was recorded as a double use (issue 14 item 5): both scans.
struct DoubleUseRecorded {
  CertificateUse first;
  CertificateUse second;
};
// kUnprocessable of W3: every unmet movement rule for every animal.
struct UnmetRules {
  std::vector<RuleFailure> failures;
};

// kResourceExhausted of W10: the field copy would carry more than `max_rows` rows.
struct FieldCopyTooLarge {
  int64_t max_rows = 0;
};

// W10: GET /field-copy as the client asked. Exactly one of authority and owners.
struct FieldCopyRequest {
  std::string authority;            // an authority subtree, or
  std::vector<std::string> owners;  // owners by phone, in any usual local form
  std::string since;                // the cursor of an earlier copy of the same owners, or ""
};

// What a field copy carried, for its last line and its audit row.
struct FieldCopySummary {
  std::string cursor;  // for the next refresh (since=)
  int64_t owners = 0;
  int64_t animals = 0;
  int64_t vaccinations = 0;
  int64_t certificates = 0;
  int64_t removed = 0;  // animals sold away from an owner of the copy (refresh only)
  int64_t rows() const { return owners + animals + vaccinations + certificates + removed; }
};

// W14: a suspected outbreak as the device sent it (POST /outbreaks).
struct OutbreakReportRequest {
  std::string id;                  // UUID made on the device: a second send is stored once
  std::optional<int64_t> holding;  // where: a holding of the caller's jurisdiction
  std::string disease;             // catalogue code
  std::string species;             // catalogue code; the disease must apply to it
  std::string first_signs_on;      // YYYY-MM-DD
  std::optional<int64_t> head_sick;
  std::optional<int64_t> head_dead;
  std::optional<double> lat;  // the phone's GPS fix
  std::optional<double> lon;
  std::string note;  // up to 1,000 characters
};

// GET /outbreaks as the client asked.
struct OutbreakListRequest {
  std::string authority;         // the subtree; default the caller's authority
  std::string status;            // "", reported, confirmed, ruled_out
  std::optional<int64_t> limit;  // 1 to 1000; default 100
};

// W14: GET /zones, the zones in force today of an authority subtree.
struct ZoneListRequest {
  std::string authority;  // the subtree; default the caller's authority
};

// W14: a zone as the vet or admin declares it (POST /zones). Radii around a confirmed outbreak's
// holding, or authority codes (with or without an outbreak).
struct ZoneRequest {
  std::string outbreak_id;
  std::string disease;  // default the outbreak's; must be it when both are given
  std::optional<double> protection_km;
  std::optional<double> surveillance_km;
  std::vector<std::string> authorities;
  std::vector<std::string> species;  // default the outbreak's species
  std::string starts_on;             // YYYY-MM-DD; default today
  std::string ends_on;               // YYYY-MM-DD, required
};

// W14 tracing (GET /trace) as the client asked.
struct TraceRequest {
  std::optional<int64_t> holding;  // start at this holding of the caller's jurisdiction, or
  std::string tag;                 // trace this animal (any tag it wore)
  std::string from;                // YYYY-MM-DD; default `to` less the disease's incubation period
  std::string to;                  // YYYY-MM-DD, the last day; default today
  std::optional<int64_t> depth;    // 1 to 5; default 2 (5 for an animal: its whole way)
  std::string direction;           // forward (default), backward, both
  std::string disease;             // catalogue code, for the default window
};

// An owner a trace reached: the fewest hops to one of its holdings; the personal fields only for
// callers who may read owners (Operation::kReadOwner) within their jurisdiction.
struct TraceOwner {
  int64_t id = 0;
  int hop = 0;
  std::string masked_name;
  std::optional<Owner> person;
};

struct TraceAnswer {
  std::optional<Holding> start_holding;
  std::string start_tag;  // the tag asked for, as normalized
  Date from;
  Date to;
  int depth = 2;
  std::string direction;
  std::string disease;  // "" when none
  TraceResult result;
  std::vector<TraceOwner> owners;  // by hop, then id
};

// W14's ring list of a zone (service/ring_list.cpp): whom to vaccinate first around an outbreak.
struct RingAnswer {
  Zone zone;
  RingList list;  // definitions: RingQuery in store/store.h
  // Each owner the list names (a holding's owner_id, a unit's owner_id), by id: in full to the
  // roles that read owners within their jurisdiction, else the masked name and authority only.
  std::map<int64_t, ShownOwner> owners;
};

// What revoking a zone's certificates did: each revoked, and those that could not be.
struct ZoneRevocation {
  std::vector<Certificate> revoked;
  std::vector<std::pair<std::string, std::string>> failed;  // certificate number, why
};

// The result of W4 as the public API answers it: no personal data.
struct VerifyResult {
  bool valid = false;
  std::string status;  // valid, invalid, expired, not_yet_valid, revoked, consumed
  std::vector<std::pair<std::string, std::string>> reasons;  // code, message
  std::optional<Certificate> certificate;  // from the signed payload: masked owner only
  // When the server knows it was consumed: when and where (never by whom to the public).
  std::optional<Timestamp> consumed_at;
  std::string consumed_place;
  // W14: what the verifier should know although the certificate holds: (code, message), e.g.
  // ("origin_in_zone", "the origin is now in the protection zone 3 ...").
  std::vector<std::pair<std::string, std::string>> warnings;
};

// W2: what the inspector sees.
struct LookupResult {
  Owner owner;
  std::vector<Animal> animals;
  std::vector<Vaccination> vaccinations;  // within the window, newest first, voided included
  OwnerCoverage coverage;
  Date today;
  Date since;
  std::vector<Holding> holdings;  // those the animals and vaccinations name, by id
  // W8: doses of bought animals given under earlier owners (masked names only), within the
  // window, newest first; and what the owner sold, newest first.
  std::vector<EarlierDose> earlier_vaccinations;
  std::vector<OwnershipChange> sold;
};

// GET /certificates as the client asked.
struct CertificateListRequest {
  std::optional<int64_t> owner_id;
  std::string status;            // "", "valid", "consumed", "revoked" or "expired"
  std::optional<int64_t> limit;  // 1 to 1000; default 50
  std::string cursor;            // "" or the next_cursor of the page before
};

struct CertificatePage {
  std::vector<Certificate> items;  // newest first; only the fields Store::ListCertificates fills
  std::string next_cursor;         // "" on the last page
};

// W11: GET /reports/coverage as the client asked. Every field may be empty.
struct CoverageRequest {
  std::string region;  // authority code; default the caller's authority
  std::string disease;
  std::string species;
  std::string from;  // "YYYY-MM"; default 11 months before `to`
  std::string to;    // "YYYY-MM"; default the current month (the service's clock, UTC)
};

struct CoverageAnswer {
  std::string region;
  std::string from;  // "YYYY-MM"
  std::string to;
  CoverageReport report;  // definitions: CoverageQuery in store/store.h
};

// W15: GET /due as the client asked. Every field may be empty.
struct DueRequest {
  std::string authority;    // default the caller's authority
  std::string disease;      // default every disease
  std::optional<int> days;  // default ServiceConfig::due_days_default
};

struct DueAnswer {
  std::string authority;
  std::string disease;
  int days = 0;
  // For admins, owners' names are masked (MaskName) and their phones left out: an admin plans
  // with the counts, the vaccinators of the area call the owners.
  bool masked = false;
  DueList list;  // definitions: DueQuery in store/store.h
};

// GET /trust-root: the public halves of this node's own country root keys, which a verifier with
// no key given by its operator pins on first use (docs/hp1-format.md section 8).
struct TrustRoot {
  std::string country;
  // Local root keys of `country`, newest (valid_from) first, retired and expired ones included so
  // that a verifier learns of a retirement. Only what the store holds of them: never a key file.
  std::vector<SigningKey> keys;
};

class HerdService {
 public:
  // `random` draws certificate ids and numbers; it must outlive the service, as must `clock`.
  HerdService(Store& store, const Clock& clock, const Catalogue& catalogue, ServiceConfig config,
              const RandomSource& random = SystemRandomSource());
  ~HerdService();

  const ServiceConfig& config() const { return config_; }
  const Catalogue& catalogue() const { return catalogue_; }
  const PhoneNormalizer& phones() const { return phones_; }
  const Clock& clock() const { return clock_; }
  Store& store() { return store_; }

  // --- authentication (service/auth.cpp) ---
  // kUnauthenticated for a wrong username or password or a disabled user; kResourceExhausted
  // with the seconds to wait in its detail when throttled (ServiceConfig::login_*).
  Result<LoginResult> Login(const std::string& username, const std::string& password,
                            const std::string& address);
  Status Logout(const std::string& token, const Caller& caller);
  // Resolves a bearer token to its caller; kUnauthenticated when missing, unknown (ended by a
  // logout, or by disabling or enabling its user, on any server of the store), expired, or the
  // user is disabled. Reads the token from the store every time: one primary-key lookup.
  Result<Caller> Authenticate(const std::string& token, const std::string& address);

  // --- owners in /me (issue 15 item 4, service/owner_access.cpp) ---
  // Sends a one-time code to the owner of `phone` (any local form) when there is one: the code's
  // salted hash stored and its SMS queued (requested: quiet hours do not hold it), audited
  // (me.code) in one transaction. The answer is the same whether the phone is an owner's or not;
  // an unknown phone is audited too. kInvalidArgument naming phone; kResourceExhausted with a
  // RetryAfter when the phone or the address asked ServiceConfig::owner_codes_per_* times in the
  // last hour (counted known or not).
  Status RequestOwnerCode(const std::string& phone, const std::string& address);
  // Signs in with the code the owner got: a session of ServiceConfig::owner_session_ttl. Every
  // try is audited (me.sign_in, with its outcome). kInvalidArgument naming phone or code (not 6
  // digits); kUnauthenticated for a wrong, expired or spent code, or no code, or no owner, alike.
  Result<OwnerLoginResult> OwnerSignIn(const std::string& phone, const std::string& code,
                                       const std::string& address);
  // kUnauthenticated for no token, one that is not an owner session's (a user's included), or an
  // expired one.
  Result<OwnerCaller> AuthenticateOwner(const std::string& token, const std::string& address);
  Status OwnerSignOut(const std::string& token, const OwnerCaller& owner);
  // The owner's animals and flocks, holdings, coverage per disease (the W2 rule,
  // ComputeOwnerCoverage over the same doses W2 uses) and the certificates for their animals.
  // Audited (me.read).
  Result<OwnerRecords> OwnerOwnRecords(const OwnerCaller& owner);
  // Who read the owner's number or record since the owner was registered
  // (Store::ListOwnerReaders): role, place and date, newest first, at most 200. Audited
  // (me.readers).
  Result<std::vector<OwnerReader>> OwnerReaders(const OwnerCaller& owner);
  // The owner's language for SMS from now on (one of the nine, domain/sms_text.h), audited
  // (me.language) in the same transaction. kInvalidArgument naming language, and nothing changes.
  Status OwnerSetLanguage(const OwnerCaller& owner, const std::string& language);

  // --- users (CLI and admin) ---
  // Users, authorities and keys (below) of another country than config().country are
  // kInvalidArgument naming the field.
  Result<User> AddUser(const Caller& caller, const std::string& username,
                       const std::string& password, Role role, const std::string& authority);
  // Disabling, and enabling again, ends every token of the user at once, on every server of the
  // store: enabling does not bring back a token issued before.
  Status SetUserDisabled(const Caller& caller, const std::string& username, bool disabled);
  Result<std::vector<User>> ListUsers(const Caller& caller);
  Status AddAuthority(const Caller& caller, const Authority& authority);

  // --- owners, animals, vaccinations (service/records.cpp) ---
  // Counts as a phone lookup (the answer tells whether the number is held): kResourceExhausted
  // when the caller's lookups of the minute are spent. kInvalidArgument "name" when blank.
  Result<Owner> RegisterOwner(const Caller& caller, const OwnerInput& input);
  Result<Owner> FindOwnerByPhone(const Caller& caller, const std::string& phone);
  Result<Animal> RegisterAnimal(const Caller& caller, const AnimalInput& input);
  // Names the owner: counts as a phone lookup and is audited.
  Result<AnimalView> GetAnimal(const Caller& caller, const std::string& tag);
  // W12: records an event of the animal with this tag (current or former). kNotFound when no
  // such animal is in the caller's jurisdiction; the store's refusals (Store::RecordAnimalEvent).
  // An inspector records only slaughtered (kPermissionDenied, field "kind").
  Result<AnimalEventResult> RecordAnimalEvent(const Caller& caller, const std::string& tag,
                                              const AnimalEventRequest& request);
  // The same for a flock, by its id; `head` is required.
  // W8, a sale at the farm (service/transfers.cpp): kInvalidArgument naming the field for a
  // malformed request; kUnprocessable naming buyer_phone when it is not a phone number; the
  // store's refusals (Store::RecordTransfer: 404 seller, 403 seller outside the vet's
  // jurisdiction, 404 tags[i]/flock_id, 409 naming the field for what is no longer the seller's).
  Result<TransferResult> RecordTransfer(const Caller& caller, const TransferRequest& request);
  Result<AnimalEventResult> RecordFlockEvent(const Caller& caller, int64_t flock_id,
                                             const AnimalEventRequest& request);
  // W1. Each distinct owner_phone that is not of an owner of the caller's jurisdiction counts as
  // a phone lookup; kResourceExhausted, with nothing stored, when the batch needs more than the
  // caller has left this minute. The `vaccination.batch` audit row names the records created (none
  // when nothing was).
  Result<BatchSummary> RecordBatch(const Caller& caller,
                                   const std::vector<VaccinationRecordInput>& records);
  Status VoidVaccination(const Caller& caller, const std::string& id, const std::string& reason);

  // --- an owner's flocks, W12 (service/flocks.cpp) ---
  // The flocks of the owner of this phone (any local form), for the roles that read owners
  // (Operation::kReadOwner: the vaccinator, who records flock doses and flock events, the vet and
  // the inspector). As FindOwnerByPhone: counts as a phone lookup (kResourceExhausted when spent),
  // audited (owner.flocks) found or not; kInvalidArgument "phone"; kNotFound when no owner of the
  // phone is in the caller's jurisdiction.
  Result<OwnerFlocks> ListOwnerFlocks(const Caller& caller, const std::string& phone);

  // --- timeline, W12 (service/timeline.cpp) ---
  // The life of the animal with this tag (current or former): registration, life events,
  // vaccinations, certificates naming it and their use, in time order. Any role may read any
  // animal of this node; the owner is shown in full only to a role that reads personal data
  // (Operation::kReadOwner) within its jurisdiction, otherwise masked (and the records' GPS left
  // out). Counts as a phone lookup (kResourceExhausted when spent) and is audited
  // (animal.timeline), found or not. kInvalidArgument "tag"; kNotFound.
  Result<AnimalTimeline> AnimalTimelineByTag(const Caller& caller, const std::string& tag);
  // The same for a flock, which has no tag, by its id. kNotFound for no flock of this id.
  Result<AnimalTimeline> FlockTimeline(const Caller& caller, int64_t flock_id);

  // --- holdings, W12 (service/holdings.cpp) ---
  // Vets and admins create any kind; vaccinators, who register owners and animals in the field,
  // the kinds kept by an owner (farm, winter camp, summer pasture), kPermissionDenied naming "kind"
  // for the others. kInvalidArgument naming the field (domain/holding.h ValidateHolding; owner_id
  // or owner_phone for an unknown owner, one outside the caller's jurisdiction, or an owner of a
  // kind that has none); kPermissionDenied naming "authority" outside the caller's jurisdiction;
  // kAlreadyExists naming "code" when the authority has that code. Audited (holding.create).
  Result<Holding> CreateHolding(const Caller& caller, const HoldingInput& input);
  // kNotFound for no holding of the caller's jurisdiction. Holdings carry the owner's masked name
  // only: not audited per read.
  Result<Holding> GetHolding(const Caller& caller, int64_t id);
  // kInvalidArgument naming authority, kind, near, radius_km, limit or cursor; kPermissionDenied
  // naming "authority" outside the caller's jurisdiction.
  Result<HoldingPage> ListHoldings(const Caller& caller, const HoldingListRequest& request);

  // --- outbreaks and zones, W14 (service/outbreaks.cpp) ---
  // A suspected outbreak reported from the field (vaccinators and vets), stored once under its
  // device-made id; a second send answers the first report (duplicate). kInvalidArgument naming
  // the field (id, holding: none in the caller's jurisdiction, disease, species, first_signs_on,
  // head_sick, head_dead, lat, lon, note). Audited (outbreak.report).
  Result<OutbreakResult> ReportOutbreak(const Caller& caller, const OutbreakReportRequest& request);
  // A vet of the report's jurisdiction decides it, once: confirmed with the laboratory's
  // reference (required, field lab_reference), or ruled out. kNotFound for no report in the
  // caller's jurisdiction; kFailedPrecondition when decided before. Audited (outbreak.confirm,
  // outbreak.rule_out).
  Result<Outbreak> ConfirmOutbreak(const Caller& caller, const std::string& id,
                                   const std::string& lab_reference, const std::string& note);
  Result<Outbreak> RuleOutOutbreak(const Caller& caller, const std::string& id,
                                   const std::string& note);
  // The reports of an authority subtree, newest first. kInvalidArgument naming authority, status
  // or limit; kPermissionDenied naming authority outside the caller's jurisdiction.
  Result<std::vector<Outbreak>> ListOutbreaks(const Caller& caller,
                                              const OutbreakListRequest& request);
  // Vets and admins. Radii: around the holding of a confirmed outbreak (outbreak_id, of the
  // caller's jurisdiction: kInvalidArgument naming outbreak_id otherwise, kFailedPrecondition
  // naming it while not confirmed). Authorities: each within the caller's jurisdiction
  // (kPermissionDenied naming authorities[i]). The rules of ValidateZone (kInvalidArgument naming
  // the field); species of the catalogue. Audited (zone.declare).
  Result<Zone> DeclareZone(const Caller& caller, const ZoneRequest& request);
  // The zones in force today (the local day, ServiceConfig::local_utc_offset) whose authority is in
  // the subtree, ordered by id; the roles that read outbreaks, scoped as ListOutbreaks (400 or 403
  // naming authority). For the map and the zone list; a zone names a holding and no person.
  Result<std::vector<Zone>> ListZones(const Caller& caller, const ZoneListRequest& request);
  // One zone of the caller's jurisdiction, in force, ended or lifted (kNotFound otherwise, as
  // LiftZone); the roles that read outbreaks.
  Result<Zone> GetZone(const Caller& caller, int64_t id);
  // Lifts a zone of the caller's jurisdiction at once (kNotFound otherwise; kFailedPrecondition
  // when lifted before; reason required). Audited (zone.lift).
  Result<Zone> LiftZone(const Caller& caller, int64_t id, const std::string& reason);
  // The certificates issued before the zone was declared, still valid and unused (planned
  // movements), whose origin holding is in the zone, for a species it restricts: newest first.
  // kNotFound for no zone of the caller's jurisdiction.
  Result<std::vector<Certificate>> ZoneCertificates(const Caller& caller, int64_t id);
  // Revokes every one of ZoneCertificates with one reason (required), each as RevokeCertificate
  // does (its own audit row); those that fail (revoked meanwhile) are listed with why.
  Result<ZoneRevocation> RevokeZoneCertificates(const Caller& caller, int64_t id,
                                                const std::string& reason);

  // W14 (service/ring_list.cpp): the ring list of a zone of the caller's jurisdiction (kNotFound
  // otherwise, as GetZone), as of today (the clock's day, as coverage is judged). Vets, admins and
  // auditors. Audited (zone.ring) with the counts and the owners whose personal fields it shows.
  Result<RingAnswer> ZoneRing(const Caller& caller, int64_t id);

  // W14 (service/trace.cpp): every holding, movement and owner reached from a holding or an
  // animal over the window (store/store.h TraceQuery). Vets, admins and auditors; the start in the
  // caller's jurisdiction. kInvalidArgument naming holding, tag, from, to, depth, direction or
  // disease. Audited (trace) with its parameters and the owners whose personal fields it shows.
  Result<TraceAnswer> Trace(const Caller& caller, const TraceRequest& request);

  // --- W2 (service/lookup.cpp) ---
  Result<LookupResult> Lookup(const Caller& caller, const std::string& phone,
                              std::optional<int> years);
  // W2 answered encoded, through the answer cache (service/lookup_cache.cpp): the same checks,
  // errors, rate limit and audit row as Lookup, on every call, the jurisdiction checked and the
  // rate counted before a kept answer is handed out. On a miss Lookup runs and `encode` makes the
  // answer, kept while the owner's revision (OwnerRevision, store/store.h) and the day stay the
  // same, for callers of the same authority and role. `encode` is told whether its answer will be
  // kept (true) or is made for this caller alone (false: the cache is off, or the answer is one
  // the cache does not keep), so that it compresses only what is worth compressing once.
  using LookupEncoder = std::function<EncodedLookup(const LookupResult&, bool kept)>;
  Result<std::shared_ptr<const EncodedLookup>> LookupEncoded(const Caller& caller,
                                                             const std::string& phone,
                                                             std::optional<int> years,
                                                             const LookupEncoder& encode);
  // LookupEncoded without holding the calling thread while a kept answer's audit row is committed
  // (Store::AppendAuditThen): `done` gets what LookupEncoded would return, once, the answer only
  // after its audit row is committed. A miss, and every error, is answered on the calling thread
  // before this returns; a hit on the store's writer thread, where `done` must only hand it on.
  using LookupDone = std::function<void(Result<std::shared_ptr<const EncodedLookup>>)>;
  void LookupEncodedThen(const Caller& caller, const std::string& phone, std::optional<int> years,
                         const LookupEncoder& encode, LookupDone done);
  LookupCacheStats lookup_cache_stats() const { return lookup_cache_.stats(); }

  // --- W10 field copy (service/field_copy.cpp) ---
  // Streams the owners of one authority subtree, or the owners named by phone, with their
  // animals, every record (voided marked) and their certificates, into `sink` as the store reads
  // them; with `since`, only what changed after that cursor, and the animals sold away
  // (OnAnimalGone). Inspectors and vaccinators only. kInvalidArgument naming authority, owners,
  // owners[i] or since; kPermissionDenied naming "authority" outside the caller's jurisdiction;
  // kNotFound naming owners[i] for a phone with no owner in it; kResourceExhausted with a
  // FieldCopyTooLarge payload, as soon as the copy passes ServiceConfig::field_copy_max_rows
  // (what the sink got by then is to be thrown away). One audit row per copy given, with its
  // counts, written before it returns: a copy that cannot be audited fails.
  Result<FieldCopySummary> TakeFieldCopy(const Caller& caller, const FieldCopyRequest& request,
                                         FieldCopySink& sink);

  // --- certificates (service/certificates.cpp) ---
  // W3. kInvalidArgument naming the field (owner_phone when it is not the phone of owner_id's
  // owner); kPermissionDenied when the owner, or the origin (naming "origin"), is outside the
  // vet's jurisdiction; kUnprocessable with an UnmetRules payload listing every failure when
  // movement rules are not met (nothing is stored); kFailedPrecondition when no signing key is
  // usable for the vet's authority.
  Result<Certificate> IssueCertificate(const Caller& caller, const CertificateRequest& request);
  // Below, `id` is the certificate's UUID or its number ("KZ-ABY-20261129-7KQ2M9XD"); kNotFound
  // when there is none. Vets and admins read and revoke those issued in their subtree; inspectors
  // read those issued in their subtree or bound for it (what ListCertificates shows them), and
  // consume only those bound for their subtree (DESIGN.md W5). kNotFound for a certificate the
  // caller may not read, kPermissionDenied for one the caller may not revoke or consume. Anyone
  // may Verify a certificate.
  Result<Certificate> GetCertificate(const Caller& caller, const std::string& id);
  // The certificates of the caller's jurisdiction, newest first: for vets and admins those issued
  // in their subtree (what GetCertificate shows them), for inspectors also those destined to it.
  // kInvalidArgument naming status, limit or cursor. Items carry the owner's masked name only:
  // not audited per read.
  Result<CertificatePage> ListCertificates(const Caller& caller,
                                           const CertificateListRequest& request);
  // W5: once. kAlreadyExists with the first consumption as a FirstConsumption payload;
  // kFailedPrecondition when revoked or expired; `place` is required.
  Result<Certificate> ConsumeCertificate(const Caller& caller, const std::string& id,
                                         const std::string& place);
  // W5 as arrival (W13): as above, and the arrival compared with the certificate
  // (CompareArrival: head_count above the certificate's is kUnprocessable naming head_count) and
  // applied in the consumption's transaction (Store::ConsumeCertificate). kInvalidArgument naming
  // holding (unknown) or tags[i] (not an ear tag); kPermissionDenied naming holding when it is
  // outside the inspector's jurisdiction. Inspectors of the destination holding's authority may
  // consume too. Nothing is stored on any refusal.
  Result<Certificate> ConsumeCertificate(const Caller& caller, const std::string& id,
                                         const ArrivalRequest& arrival);
  // Issue 14 item 5: as above, for a scan that may have waited offline. The scan is kept under
  // its id: sent again, it answers as the first time (nothing changes). The first use is final: a
  // later scan of a consumed certificate (another id, online or offline) is stored as a double use
  // with both scans, audited ("certificate.double_use"), and answered kAlreadyExists with a
  // DoubleUseRecorded payload naming the first use. kInvalidArgument naming id (not a UUID) or at
  // (not RFC 3339, more than a day ahead, older than max_record_age_years); an expired
  // certificate is judged at the scan's time; kFailedPrecondition when revoked (nothing stored).
  Result<CertificateUseAnswer> UseCertificate(const Caller& caller, const std::string& id,
                                              const ArrivalRequest& arrival);
  // Issue 14 item 5: the certificates used more than once that the caller may see (issued in,
  // destined to, or scanned in their jurisdiction: the origin vet and the inspectors of both
  // scans), each with its uses; newest issued first, paged as ListCertificates. kInvalidArgument
  // naming limit or cursor.
  Result<DoubleUsePage> ListDoubleUses(const Caller& caller, const DoubleUseListRequest& request);
  // W13: what is coming to the inspector's jurisdiction (planned movements whose destination
  // holding or destination is there), with expected head and tags; newest first, paged as
  // ListCertificates.
  Result<CertificatePage> ListIncomingMovements(const Caller& caller,
                                                const MovementListRequest& request);
  // W13: the movements issued in the caller's jurisdiction (the origin vet's), by status, with
  // the arrival and its mismatch. kInvalidArgument naming status, limit or cursor.
  Result<CertificatePage> ListMovements(const Caller& caller, const MovementListRequest& request);
  // W6. `reason` is required; kFailedPrecondition when already revoked. Verify and the revocation
  // list see it at once.
  Result<Certificate> RevokeCertificate(const Caller& caller, const std::string& id,
                                        const std::string& reason);
  // Issue 12 item 4 (service/passages.cpp). `certificate` is its UUID or number, of any
  // jurisdiction (the inspector scanned its QR code): kNotFound when there is none, with nothing
  // stored. `holding` must take passages (domain/passage.h) and be within the caller's
  // jurisdiction (kInvalidArgument naming "holding"); head_seen above the certificate's head is
  // kUnprocessable naming "head_seen"; `at` at most one day ahead of now (as tag-life dates). A
  // passage of a certificate revoked, used or expired at `at` is stored flagged.
  Result<PassageView> RecordPassage(const Caller& caller, const std::string& certificate,
                                    const PassageRequest& request);
  // The passages of a certificate, in scan order: all of them for whoever may read the
  // certificate (GetCertificate), else an inspector's those at holdings of their jurisdiction;
  // kNotFound when the caller may see none.
  Result<std::vector<PassageView>> ListPassages(const Caller& caller,
                                                const std::string& certificate);
  // W4, public: the HP1 text checked against this node's trust and revocation lists and its own
  // knowledge of consumption. Never fails: bad input is status "invalid" with a reason. The
  // certificate is filled only when the signature verified, from the signed payload alone.
  VerifyResult Verify(const Caller& caller, const std::string& hp1);
  // Signed documents for offline verifiers (JWS JSON text), public. The trust list as last signed
  // (kNotFound before a root key signed one); the revocation list signed by the newest usable local
  // signing key (kFailedPrecondition when there is none), re-signed at each revocation and at least
  // every config().revocation_list_max_age.
  Result<std::string> TrustListDocument();
  Result<std::string> RevocationListDocument();

  // --- signing keys and trust lists (service/keys.cpp): the operator's console ---
  // A new Ed25519 key: its private half written to config().key_dir, its public half stored, the
  // trust list re-signed when a root key is present. `root` makes a country root key.
  Result<SigningKey> NewSigningKey(const Caller& caller, const std::string& authority, bool root,
                                   int valid_days);
  // Admins act within their jurisdiction (the key's authority); the system caller anywhere.
  // Certificates signed by a retired key no longer verify; the trust list is re-signed.
  Status RetireSigningKey(const Caller& caller, const std::string& kid);
  Result<std::vector<SigningKey>> ListSigningKeys(const Caller& caller);
  // Public: this node's own root public keys (no personal data, not audited). The country is that
  // of the newest local root key; kNotFound when the node has none. Read from the key cache: a key
  // made by another process shows within ServiceConfig::key_cache_for.
  Result<TrustRoot> TrustRootKeys();
  // Another country's trust list, checked against its pinned root public key (base64); replaces the
  // keys previously imported from that country. Only the system caller or a national admin (an
  // authority that is a country code). kInvalidArgument "root_public_key" / "trust_list" when the
  // key is malformed or the list does not open with it; kFailedPrecondition for this node's own
  // country.
  Result<std::vector<SigningKey>> ImportTrustList(const Caller& caller, const std::string& jws,
                                                  const std::string& root_public_key_b64);

  // --- reports (service/reports.cpp) ---
  // W11 coverage of the region's owners. kInvalidArgument naming the field (region, disease,
  // species, from, to); kPermissionDenied when the region is outside the caller's subtree. Counts
  // of heads carry no personal data: not audited per read.
  Result<CoverageAnswer> ReportCoverage(const Caller& caller, const CoverageRequest& request);
  // W15: the owners and units of the authority (default the caller's) due for a dose within the
  // days asked, by village. Vaccinators and vets see names and phones; admins masked names only.
  // kInvalidArgument naming the field (authority, disease, days: 1 to due_days_max);
  // kPermissionDenied naming "authority" outside the caller's subtree; kResourceExhausted past the
  // caller's phone-lookup rate (one list counts as one lookup). One audit row per list given, with
  // its parameters and counts, written before it returns: a list that cannot be audited fails.
  Result<DueAnswer> ListDue(const Caller& caller, const DueRequest& request);

  // --- audit ---
  Result<std::vector<AuditRow>> ListAudit(const Caller& caller, const AuditQuery& query);

  // The system itself (CLI commands run by the operator on the server's machine).
  static Caller SystemCaller();

  // --- SMS to owners (W15, service/sms.cpp; the sender: service/sms_sender.h) ---
  // A delivery report from the gateway (GET /sms/dlr): `token` must be the message's
  // (SmsCallbackToken); else kPermissionDenied naming "token" and nothing changes. kNotFound
  // (before the token is looked at: message ids are no secret).
  Status RecordSmsDelivery(int64_t id, int dlr, const std::string& token);
  // The messages to owners of the caller's jurisdiction (every one for the console), newest first,
  // below `before_id` when not 0, of one status when `status` is not "" (kInvalidArgument naming
  // "status" for a name that is none); 1 to 1000 (`limit`, default 100). With them, how many of
  // the jurisdiction's are queued and whether a gateway takes them. They name phone numbers: the
  // read is audited (sms.list).
  struct SmsPage {
    std::vector<SmsMessage> messages;
    int64_t queued = 0;    // in the jurisdiction, whatever the filter
    bool gateway = false;  // ServiceConfig::sms_gateway
  };
  Result<SmsPage> ListSmsMessages(const Caller& caller, int64_t before_id,
                                  std::optional<int64_t> limit, std::string_view status = "");
  // An owner's message from the gateway (POST /sms/inbound, docs/sms.md). `token` must be
  // SmsInboundToken of the SMS secret, else kPermissionDenied naming "token"; `from` a phone
  // number (kInvalidArgument naming "from"). A message taken before (the same sender, number, id,
  // time and text) is kAlreadyExists naming "message". A sender no owner has is taken and not
  // answered. An owner's STATUS, STOP, START (ParseSmsKeyword) or anything else queues a reply
  // (requested: quiet hours do not hold it) in their language; STOP and START change whether
  // receipts and reminders are queued for them. STATUS reads the owner's coverage: audited
  // (sms.status).
  Result<InboundSmsOutcome> ReceiveSms(const InboundSms& message);
  // W15's reminder job (service/reminders.cpp, domain/sms_reminder.h), run nightly by serve and by
  // hand (`herdpass sms remind`): queues one reminder to each owner whose animals' coverage of a
  // disease lapses within `days` (default ServiceConfig::reminder_days; kInvalidArgument naming
  // "days" outside 1 to kReminderDaysMax), in the owner's language, not to an owner who sent STOP
  // nor to one reminded in the last kReminderEveryDays. Each message is queued (requested = false:
  // quiet hours hold it) in the same transaction as its mark (the reminder in the outbox is the
  // mark), kReminderBatch owners a transaction: a job stopped half-way has queued whole batches,
  // and the next run reminds the rest, no one twice. One audit row (sms.remind) with the counts.
  struct ReminderRun {
    int days = 0;
    int64_t owners = 0;  // reminders queued
  };
  static constexpr size_t kReminderBatch = 500;
  Result<ReminderRun> QueueReminders(std::optional<int> days = std::nullopt);

 private:
  struct Throttle;
  struct CertState;  // caches of keys, signers, revocations (service/cert_state.h)

  AuditEntry Audit(const Caller& caller, std::string action, std::string target,
                   std::string detail = {}) const;
  // The same for an action on something of `authority` (a user, a key): the operator's console,
  // which has no authority of its own, acts for that one, and the row is that authority's (its
  // auditors see it, others do not). Other callers' rows stay their own authority's.
  AuditEntry AuditFor(const Caller& caller, const std::string& authority, std::string action,
                      std::string target, std::string detail = {}) const;
  // kInvalidArgument naming `field` unless `authority` is of this node's country.
  Status CheckOwnCountry(const std::string& authority, const std::string& field) const;
  Status CheckLookupRate(const Caller& caller);
  // W2's read of an owner by phone: their history (doses since `since`, and every dose that can
  // still protect on `today`) and its coverage on `today`, by the one coverage rule. kNotFound.
  struct OwnerHistoryCoverage : OwnerHistory {
    OwnerCoverage coverage;
  };
  Result<OwnerHistoryCoverage> LoadOwnerCoverage(const std::string& e164, Date today, Date since);
  // W2's coverage rule, for Lookup and OwnerOwnRecords alike: the earliest day to read doses from
  // to show `since` onwards (coverage needs every dose that can still protect today, PPR's three
  // years included), and the coverage of `history` (read from that day) on `today`, the doses its
  // bought animals had under earlier owners included.
  Date CoverageLoadSince(Date since, Date today) const;
  OwnerCoverage HistoryCoverage(const OwnerHistory& history, Date today) const;
  // The audit row of a W2 lookup: found (with the owner's id) or not.
  AuditEntry LookupAudit(const Caller& caller, const std::string& e164,
                         std::optional<int64_t> owner_id);
  // The lookups a batch's records take by naming owners by phone (service/records.cpp):
  // kResourceExhausted, with nothing taken, when fewer are left.
  Status CheckBatchPhones(const Caller& caller, const std::vector<VaccinationInput>& records);
  // The answer to registering a phone that is taken: the owner's id when the caller may see it.
  Status OwnerConflict(const Caller& caller, const std::string& e164);
  // The holding `id` names for the caller: kInvalidArgument naming `field` when there is none in
  // the caller's jurisdiction.
  Result<Holding> HoldingFor(const Caller& caller, int64_t id, const std::string& field);
  // W8: the buyer's phone in E.164; kUnprocessable naming buyer_phone when it is not a phone
  // number (a sale's buyer must be reachable).
  Result<std::string> BuyerPhone(const std::string& text) const;
  // The common part of RecordAnimalEvent and RecordFlockEvent, for `unit` already found in the
  // caller's jurisdiction.
  Result<AnimalEventResult> StoreAnimalEvent(const Caller& caller, const Animal& unit,
                                             const AnimalEventRequest& request);
  // The common part of AnimalTimelineByTag and FlockTimeline: the unit `unit_id` (0: none) read,
  // audited under `target`, and its timeline made; `not_found` is the kNotFound message.
  Result<AnimalTimeline> TimelineOf(const Caller& caller, int64_t unit_id,
                                    const std::string& target, const std::string& not_found);
  Result<VaccinationInput> ValidateRecord(const VaccinationRecordInput& in, size_t index,
                                          Date today) const;
  // Re-signs and stores the trust list of the local signing keys when a local root key is usable
  // now and its key file can be read; does nothing otherwise. REQUIRES: certs_->key_change_mu held.
  Status ResignTrustList(const Caller& caller);
  // The local signing key that signs the certificates of `authority` valid until `valid_until`, and
  // its private half. kFailedPrecondition when there is none.
  Result<std::pair<SigningKey, std::shared_ptr<const cert::Ed25519Signer>>> SignerFor(
      const std::string& authority, Timestamp valid_until);
  // Steps of IssueCertificate (service/certificates.cpp); the others are free functions there.
  // The owner the request names (owner_id, or owner_phone), with its animals and the records since
  // `since`, in one read: kInvalidArgument naming the field when there is none or owner_phone is
  // not owner_id's; kPermissionDenied, audited, when the owner is outside the caller's
  // jurisdiction.
  // W13: the holdings a certificate request names, checked (service/movements.cpp): each known
  // (kInvalidArgument naming the field), the origin's in the vet's jurisdiction (kPermissionDenied
  // naming origin_holding), the destination's inside the destination authority; both open today.
  Status CheckMovementHoldings(const Caller& caller, const CertificateRequest& request, Date today);
  Result<CertificatePage> MovementPage(MovementListQuery q, const MovementListRequest& request);
  // W14: the zones in force on `today` whose restriction a movement of `species` out of the
  // origin (the holding origin_holding names, else the origin authority code) breaks: the 422
  // failures, rule "zone" (domain/outbreak.h ZoneFailures). An unknown holding gives none (the
  // holding checks refuse it).
  Result<std::vector<RuleFailure>> ZoneFailuresFor(std::span<const Zone> zones,
                                                   std::optional<int64_t> origin_holding,
                                                   const std::string& origin,
                                                   const std::string& species, Date today);
  // The zones in force on `today` as issuance judges them (CertState::ZonesForIssuance), read
  // from the store with their revision when not kept.
  Result<std::shared_ptr<const ZonesInForce>> ZonesForIssuance(Date today);
  // W14: Verify's warnings for a stored certificate whose origin is in a zone in force today.
  Result<std::vector<std::pair<std::string, std::string>>> ZoneWarnings(
      const std::string& certificate_id, Date today);
  // The zone `id` of the caller's jurisdiction; kNotFound otherwise.
  Result<Zone> ZoneFor(const Caller& caller, int64_t id);
  // The certificates of this node still valid and unused, issued before `z` was declared, whose
  // origin holding the zone holds (judged on its first day, lifted or not): what it caught.
  Result<std::vector<Certificate>> CertificatesCaughtBy(Zone z);
  // The zones in force on `today`, as published with the revocation list (service/outbreaks.cpp),
  // reloaded after kRevocationCacheFor or when a zone changes here.
  Result<std::shared_ptr<const ZoneSnapshot>> PublishedZones(Date today, Timestamp now);

  Result<OwnerHistory> LoadOwnerToCertify(const Caller& caller, const CertificateRequest& request,
                                          Date since);
  // Draws the id and number of `certificate` (from random_; `today` is the local day of issue),
  // signs it and stores it with its audit row, drawing again while the id or number is taken, up
  // to kIssueAttempts times in all; then the store's kAlreadyExists. REQUIRES: everything else of
  // `certificate` is filled.
  // With `zones_revision`, the store refuses (store::ZonesChanged) when the zones changed since.
  Result<Certificate> NumberSignAndStore(const Caller& caller, Certificate certificate,
                                         const cert::Ed25519Signer& signer, Date today,
                                         std::optional<int64_t> zones_revision);

  Store& store_;
  const Clock& clock_;
  const RandomSource& random_;
  const Catalogue& catalogue_;
  ServiceConfig config_;
  PhoneNormalizer phones_;
  std::unique_ptr<Throttle> throttle_;
  std::unique_ptr<CertState> certs_;
  LookupCache lookup_cache_{config_.lookup_cache_bytes};
};

}  // namespace herdpass
