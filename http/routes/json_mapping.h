// JSON <-> service types for the API of DESIGN.md section 7. The only place that knows the wire
// field names. Type errors name the field as the client wrote it ("records[2].head_count").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/status.h"
#include "http/response.h"
#include "service/service.h"

namespace herdpass::http {

// Reads typed members of one JSON object of a request body, and is the one place of the API's
// policy for members it does not know (openapi.json, info.description): every request parser reads
// its members through a FieldReader and ends with Done(), which refuses any member that no call
// asked for. A misspelt optional field ("valid_hour") would otherwise be dropped without a word,
// and a default saved that the user did not mean.
//
// Absent and null members read as empty; a member of the wrong type records an error (the first one
// wins) and reads as empty. Field names in errors carry `prefix` ("records[2].").
// REQUIRES: `object` is a JSON object and outlives the reader.
class FieldReader {
 public:
  FieldReader(const nlohmann::json& object, std::string prefix);

  std::string String(const char* key);
  std::optional<int64_t> Integer(const char* key);
  std::optional<double> Number(const char* key);
  std::vector<std::string> StringList(const char* key);
  // An array member, for the caller to read element by element; nullptr when absent, or (with a
  // type error saying it must be `expected`) when it is no array.
  const nlohmann::json* Array(const char* key, const char* expected);

  // Ok when every member was asked for and had its type. Otherwise kInvalidArgument naming the
  // first unknown member ("unknown field"), or else the first member of the wrong type.
  [[nodiscard]] Status Done() const;

 private:
  const nlohmann::json* Member(const char* key);
  void TypeError(const char* key, const char* expected);

  const nlohmann::json& object_;
  std::string prefix_;
  std::vector<std::string_view> asked_;
  Status status_;
};

// The body must be a JSON object; otherwise a 400 naming "body".
Status RequireObject(const nlohmann::json& body);

Result<std::vector<VaccinationRecordInput>> ParseBatch(const nlohmann::json& body);

// The body of POST /certificates (W3). Unknown members and wrong types are kInvalidArgument naming
// the field (FieldReader); the service checks the values.
Result<CertificateRequest> ParseCertificateRequest(const nlohmann::json& body);

// Responses are written with RapidJSON's streaming Writer straight into the body string: the W2
// answer carries ~50 records and ~60 coverage entries, and building an nlohmann::json tree for it
// cost ~90% of a lookup's CPU (callgrind, bench/). Requests are still parsed with nlohmann::json.
std::string OwnerJson(const Owner& o);
// With "holding": {id, code, name, kind} when the animal has one among `holdings`.
std::string AnimalJson(const Animal& a, std::span<const Holding> holdings = {});
// W12: a holding, the owner by id and masked name only; a page of them ({items, next_cursor}),
// each item with distance_m when the list was asked near a point.
std::string HoldingJson(const Holding& h);
std::string HoldingPageJson(const HoldingPage& page);
std::string LoginJson(const LoginResult& r);
std::string BatchSummaryJson(const BatchSummary& s);
std::string AuditPageJson(const std::vector<AuditRow>& rows, std::optional<int64_t> next_cursor);
std::string LookupJson(const LookupResult& r, const Catalogue& catalogue);
std::string AnimalViewJson(const AnimalView& v, const Catalogue& catalogue);
// W12: {status: created | duplicate, event: {...}, animal: {... former_tags}}.
std::string AnimalEventJson(const AnimalEventResult& r);
// Issue 12 item 4: {status: created | duplicate, passage: {...}} and {items: [passage, ...]}; a
// passage's flag and flag_reason are null unless it is flagged.
std::string PassageJson(const PassageView& v);
std::string PassageListJson(const std::vector<PassageView>& items);

// W12: {animal: {... former_tags}, owner: {masked, id, name, phone, village, authority},
// entries: [{kind, date, at, by, and per kind owner, holding, event, vaccination, certificate}]}
// (the OpenAPI document's AnimalTimeline); certificate status as CertificateStatusAt at `now`.
std::string TimelineJson(const AnimalTimeline& t, Timestamp now);

// W8: POST /transfers.
Result<TransferRequest> ParseTransferRequest(const nlohmann::json& body);
std::string TransferJson(const TransferResult& r);
// GET /catalogue: species, diseases, vaccines, and the movement rules the service checks on issue
// (its configured ones, so the app can say what a purpose asks for without a copy of them).
std::string CatalogueJson(const Catalogue& c, std::span<const MovementRule> movement_rules);
// W11: {region, from, to, rows: [{authority, disease, species, month, vaccinated_head,
// registered_head, coverage}], truncated}.
std::string CoverageJson(const CoverageAnswer& a);
// W15: GET /due as {authority, disease, days, today, through, masked, truncated, villages:
// [{village, owner_count, unit_count, head_count, owners: [{id, name, phone, village, authority,
// units: [{animal_id, tag, species, head_count, holding_id, due: [{disease, disease_name, status,
// last_dose, lapses_on}]}]}]}]} (the OpenAPI document's DueList); phone left out when masked.
std::string DueJson(const DueAnswer& a, const Catalogue& catalogue);
// The same as CSV (RFC 4180, a header line, CRLF): one line per unit and disease due, in the same
// order: village, authority, owner_id, owner_name, owner_phone, tag, species, head_count,
// disease, status, last_dose, lapses_on.
std::string DueCsv(const DueAnswer& a);

// W10: the lines of GET /field-copy, each a JSON object with its "type" and a final "\n".
std::string FieldCopyOwnerLine(const Owner& o);
std::string FieldCopyAnimalLine(const Animal& a);
std::string FieldCopyVaccinationLine(const Vaccination& v);
std::string FieldCopyCertificateLine(const Certificate& c, Timestamp now);
std::string FieldCopyAnimalGoneLine(int64_t animal_id, int64_t owner_id);
std::string FieldCopyEndLine(const FieldCopySummary& s, bool incremental, Timestamp taken_at);

// The status a client sees at `now` is CertificateStatusAt (domain/certificate.h).
// A certificate for its vet or an inspector (signed in, within jurisdiction): everything it holds,
// including who consumed or revoked it, and links to its QR code and printable page.
std::string CertificateJson(const Certificate& c, Timestamp now);
// GET /certificates: {items: [{id, number, status, purpose, issued_at, valid_until, origin,
// destination, owner_masked_name, head_count}], next_cursor: string | null}; status as
// CertificateStatusAt.
std::string CertificatePageJson(const CertificatePage& page, Timestamp now);
// GET /movements and /movements/incoming (W13): as CertificatePageJson, each item also with
// species, tags (expected) and movement {status, origin_holding, destination_holding,
// head_expected, arrival} (as GET /certificates/{id} gives it).
std::string MovementPageJson(const CertificatePage& page, Timestamp now);
// Issue 14 item 5. POST /certificates/{id}/consume: CertificateJson with a member "use" {id,
// double_use, scanned_at, received_at, by, by_id, place, holding, head_counted, authority,
// duplicate} (duplicate: the scan was sent before, nothing changed).
std::string CertificateUseAnswerJson(const CertificateUseAnswer& a, Timestamp now);
// GET /double-uses: as CertificatePageJson, each item also with species, head_count and uses
// [use, ...]: the first, then each double use.
std::string DoubleUsePageJson(const DoubleUsePage& page, Timestamp now);
// The public answer of POST /verify: only what the signed payload carries (masked owner, last four
// digits of the phone), never the owner's id, name or number, nor who consumed it.
std::string VerifyResultJson(const VerifyResult& r);

// W14: a report, with whether this send was a duplicate; the list of reports; a zone; what
// revoking a zone's certificates did.
std::string OutbreakJson(const Outbreak& o, bool duplicate);
std::string OutbreakListJson(const std::vector<Outbreak>& items);
// W15: the admin's list of messages to owners, with their coding and segments (domain/sms.h).
// `queued`: how many of the jurisdiction's wait; `gateway`: whether serve hands them to one.
std::string SmsListJson(const std::vector<SmsMessage>& items, int64_t queued, bool gateway);
// Issue 15 item 4: GET /me and GET /me/readers.
std::string OwnerRecordsJson(const OwnerRecords& r, const Catalogue& catalogue, Timestamp now);
std::string OwnerReadersJson(const std::vector<OwnerReader>& items);
std::string ZoneJson(const Zone& z);
std::string ZoneListJson(const std::vector<Zone>& items);  // {items: [Zone]}
std::string ZoneRevocationJson(const ZoneRevocation& r);
// GET /trust-root: {country, keys: [{kid, public_key, valid_from, valid_until, retired_at}]}, the
// public halves only (retired_at null unless retired).
std::string TrustRootJson(const TrustRoot& r);
// W14 GET /trace: {start, from, to, depth, direction, disease, holdings, movements, owners}
// (openapi.json); as GeoJSON, a FeatureCollection of the holdings (Points) and the movements
// (LineStrings), each with the JSON's members as properties; as CSV, one row per movement with
// the holdings' codes.
std::string TraceJson(const TraceAnswer& a);
std::string TraceGeoJson(const TraceAnswer& a);
std::string TraceCsv(const TraceAnswer& a);
// W14 GET /zones/{id}/ring: {zone, disease, disease_name, today, truncated, head, head_uncovered,
// holdings: [{ring, distance_m, holding, owner, head, head_uncovered, units: [{animal_id, tag,
// species, head, owner, status, covered_until, last_dose, overdue_since}]}]} in the list's order
// (openapi.json RingList); owners as the timeline shows them (masked or in full). As CSV, one row
// per unit (one per holding with none): ring, distance_km, holding_code, holding_name,
// holding_authority, owner_name, owner_phone, tag, species, head, status, covered_until,
// last_dose.
std::string RingJson(const RingAnswer& a, const Catalogue& catalogue);
std::string RingCsv(const RingAnswer& a);
// The problem answer of a failed service call: ProblemFromStatus, plus what the typed payloads of
// service/service.h tell the client. The one place that reads them:
//   ExistingRecord    409  member "id" (a number)
//   RetryAfter        429  header "Retry-After: <seconds>" and member "retry_after"
//   FirstConsumption  409  member "first_consumed": {at, place, by}
//   DoubleUseRecorded 409  members "first_consumed" (as above), "first_use" and "double_use"
//                          (uses as CertificateUseAnswerJson writes them)
//   UnmetRules        422  member "failures": [RuleFailure] (openapi.json)
//   FieldCopyTooLarge 413  type field-copy-too-large, members "max_rows" and "field" (W10)
Response ApiProblem(const Status& status);

}  // namespace herdpass::http
