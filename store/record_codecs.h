// The row codecs of a backend: every read and write of HerdPass records, each one statement (or a
// few) of the backend's SQL, declared once here for both backends. A backend defines them all as
// explicit specializations for its Connection (store/sqlite/sqlite_store.cpp,
// store/postgres/postgres_store.cpp), in the one file that also instantiates the store core
// (store_core.h) over them, so that each specialization is declared before it is used.
//
// A codec holds no rule: it reads or writes rows and reports what the database said. Which
// outcome is an error, and its message, is decided once by the caller in store/ (store_core.h,
// record_rules.cpp) — except the lookups marked "kNotFound", whose messages (store/not_found.h)
// the callers pass on as they are. Every codec runs inside whatever transaction `conn` has open.
// Thread-compatible (as the Connection).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "domain/certificate.h"
#include "domain/model.h"
#include "domain/status.h"
#include "store/audit_chain.h"
#include "store/certificate_checks.h"
#include "store/coverage_tally.h"
#include "store/due_list.h"
#include "store/field_changes.h"
#include "store/record_rules.h"
#include "store/reminders.h"
#include "store/ring_list.h"
#include "store/store.h"

namespace herdpass::store {

enum class CertificateKey { kId, kNumber };

// An animal a certificate names: its id, its tag (if tagged) and its current owner's id (0 when
// there is no such animal).
// What the SMS receipts of a W1 batch read (Codecs::ReadReceiptInputs, sms_core.h QueueReceipts).
struct SmsReceiptInputs {
  std::vector<SmsOwnerSettings> settings;  // of the owners that have some
  std::vector<SmsMessage> existing;        // the messages holding any of the day's keys
  std::string vaccinator;                  // the recording user's name; "" when there is none
};

struct CertificateAnimal {
  int64_t id = 0;
  std::optional<std::string> tag;
  int64_t owner_id = 0;
};

// A zone's lists of codes (authorities, species), stored as one text, space-separated: codes
// hold no space (ValidateAuthorityCode, the catalogue).
inline std::string JoinCodes(const std::vector<std::string>& codes) {
  std::string out;
  for (const std::string& c : codes) out += (out.empty() ? "" : " ") + c;
  return out;
}
inline std::vector<std::string> SplitCodes(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

template <class Connection>
struct RecordCodecs {
  // --- owners and animals --- (kNotFound with a message in user terms when there is no such row)
  static Result<Owner> ReadOwnerById(Connection& conn, int64_t id);
  static Result<Owner> ReadOwnerByPhone(Connection& conn, const std::string& e164);
  // Every owner of `ids` (sorted, unique), by id: one statement (W14: a trace's owners).
  static Result<std::vector<Owner>> ReadOwnersByIds(Connection& conn,
                                                    const std::vector<int64_t>& ids);
  static Result<OwnerRevision> ReadOwnerRevisionByPhone(Connection& conn, const std::string& e164);
  static Status BumpOwnerRevision(Connection& conn, int64_t owner_id);  // no owner: no change
  static Result<int64_t> InsertOwner(Connection& conn, const NewOwner& owner);  // the new id
  static Result<Animal> ReadAnimalByTag(Connection& conn, const std::string& tag);
  static Result<std::vector<Animal>> ReadAnimalsOfOwner(Connection& conn, int64_t owner_id);
  static Result<int64_t> InsertAnimal(Connection& conn, const NewAnimal& animal);  // the new id
  static Result<Animal> ReadAnimalById(Connection& conn, int64_t id);              // kNotFound
  // Oldest first.
  static Result<std::vector<std::string>> ReadFormerTags(Connection& conn, int64_t animal_id);

  // --- animal events (W12) --- (`key` as RecordKey gives it)
  static Result<std::optional<AnimalEvent>> ReadAnimalEvent(Connection& conn,
                                                            const std::string& key);
  static Status InsertAnimalEvent(Connection& conn, const std::string& key, const AnimalEvent& e);
  // Oldest first.
  static Result<std::vector<AnimalEvent>> ReadAnimalEvents(Connection& conn, int64_t animal_id);
  // Ends a tagged animal not ended yet; false when it was ended already.
  static Result<bool> EndAnimal(Connection& conn, int64_t animal_id, AnimalEventKind kind, Date on);
  static Status SetHeadCount(Connection& conn, int64_t animal_id, int32_t head_count);
  // Moves the animal's current tag to its former tags (replaced on `on`) and puts on `new_tag`.
  static Status ReplaceTag(Connection& conn, int64_t animal_id, const std::string& old_tag,
                           const std::string& new_tag, Date on);

  // --- ownership (W8) --- (`key` as RecordKey gives it)
  // Gives the unit to another owner (its owner and authority).
  static Status SetAnimalOwner(Connection& conn, int64_t animal_id, int64_t owner_id,
                               const std::string& authority);
  static Status InsertOwnershipChange(Connection& conn, const OwnershipChange& change);
  // The transfer's own row (no changes); nullopt when there is none.
  static Result<std::optional<Transfer>> ReadTransfer(Connection& conn, const std::string& key);
  static Status InsertTransfer(Connection& conn, const std::string& key, const Transfer& t);
  // The changes a transfer made, in the order stored.
  static Result<std::vector<OwnershipChange>> ReadTransferChanges(Connection& conn,
                                                                  const std::string& transfer_id);
  // One indexed read each. Into: every change whose buyer's unit is now one of the owner's
  // animals (the whole chain of earlier owners of a tagged animal), oldest first. From: every
  // change out of the owner, newest first.
  static Result<std::vector<OwnershipChange>> ReadChangesIntoOwner(Connection& conn,
                                                                   int64_t owner_id);
  static Result<std::vector<OwnershipChange>> ReadChangesFromOwner(Connection& conn,
                                                                   int64_t owner_id);
  // Oldest first.
  static Result<std::vector<OwnershipChange>> ReadChangesOfAnimal(Connection& conn,
                                                                  int64_t animal_id);
  // Every change out of one of `animal_ids` (its animal_id), oldest first: one statement.
  static Result<std::vector<OwnershipChange>> ReadChangesOutOfAnimals(
      Connection& conn, const std::vector<int64_t>& animal_ids);
  static Status SetCertificateBuyer(Connection& conn, const std::string& id, int64_t buyer_id);
  static Result<int64_t> ReadCertificateBuyer(Connection& conn, const std::string& id);  // 0: none

  // --- holdings ---
  // The new id; kAlreadyExists when (authority, code) is taken, kFailedPrecondition when owner_id
  // names no owner.
  static Result<int64_t> InsertHolding(Connection& conn, const Holding& h);
  static Result<Holding> ReadHoldingById(Connection& conn, int64_t id);  // kNotFound
  // Without q.near: the page by id ascending after q.after_id, at most `limit`. REQUIRES: 1 <=
  // limit <= 1000.
  static Result<std::vector<Holding>> ReadHoldingPage(Connection& conn, const HoldingListQuery& q,
                                                      int limit);
  // With q.near: every holding of the query's scope and kind inside `box`, in no order.
  static Result<std::vector<Holding>> ReadHoldingsInBox(Connection& conn, const HoldingListQuery& q,
                                                        const GeoBox& box);

  // Every holding of `ids` (sorted, unique), by id: one statement.
  static Result<std::vector<Holding>> ReadHoldingsByIds(Connection& conn,
                                                        const std::vector<int64_t>& ids);
  // W14 tracing: the walk of TraceQuery, one row per (edge, hop, direction) it followed, and one
  // row per start (an empty certificate_id, to_holding the start): one recursive statement.
  static Result<std::vector<TraceMovement>> ReadTraceWalk(Connection& conn, const TraceQuery& q);

  // --- vaccination records ---
  // The backend's key for a record id (SQLite: 16 bytes; PostgreSQL: the canonical text), or
  // nullopt when `uuid` is not a UUID. Every `key` below is one.
  static std::optional<std::string> RecordKey(const std::string& uuid);
  static Result<Vaccination> ReadVaccination(Connection& conn,
                                             const std::string& key);  // kNotFound
  static Result<std::vector<Vaccination>> ReadVaccinationsSince(Connection& conn, int64_t owner_id,
                                                                Date since);
  // W2 of a buyer: the owner's records administered from `since` to `until` (both included) whose
  // animal_ids name at least one of `animal_ids` (sorted ascending), newest first as above. A row
  // naming none of them is not decoded.
  static Result<std::vector<Vaccination>> ReadVaccinationsOfAnimals(
      Connection& conn, int64_t owner_id, Date since, Date until,
      const std::vector<int64_t>& animal_ids);
  static Result<StoredRecord> ReadStoredRecord(Connection& conn, const std::string& key);  // ditto
  static Result<std::optional<Flock>> ReadFlock(Connection& conn, int64_t owner_id,
                                                const std::string& species);
  static Status RaiseFlockHeadCount(Connection& conn, int64_t flock_id, int32_t head_count);
  // The record and whatever makes its id unique.
  static Status InsertVaccination(Connection& conn, const RecordRow& row);
  static Status VoidVaccination(Connection& conn, const Vaccination& v, const std::string& key,
                                const std::string& reason, Timestamp at);

  // --- users and tokens --- (the Result<bool>s: whether a row changed)
  static Result<User> ReadUserByName(Connection& conn, const std::string& username);  // kNotFound
  static Result<User> ReadUserById(Connection& conn, int64_t id);                     // kNotFound
  static Result<std::vector<User>> ReadUsers(Connection& conn);                       // by id
  static Result<int64_t> InsertUser(Connection& conn, const NewUser& user);           // the new id
  static Result<bool> UpdateUserDisabled(Connection& conn, const std::string& username,
                                         bool disabled);
  static Result<bool> UpdateUserPassword(Connection& conn, const std::string& username,
                                         const std::string& password_hash);
  static Status DeleteUserTokens(Connection& conn, const std::string& username);
  static Status InsertToken(Connection& conn, const TokenRecord& token);  // kAlreadyExists
  static Result<std::optional<TokenRecord>> ReadToken(Connection& conn,
                                                      const std::string& token_hash);
  static Result<bool> DeleteToken(Connection& conn, const std::string& token_hash);

  // --- authorities, signing keys, documents ---
  static Status UpsertAuthority(Connection& conn, const Authority& authority);
  static Result<std::vector<Authority>> ReadAuthorities(Connection& conn);
  static Result<std::vector<SigningKey>> ReadSigningKeys(Connection& conn);  // oldest first
  static Status InsertSigningKey(Connection& conn, const SigningKey& key);   // kAlreadyExists
  // Retires a key not retired yet.
  static Result<bool> RetireSigningKey(Connection& conn, const std::string& kid, Timestamp at);
  static Result<bool> SigningKeyExists(Connection& conn, const std::string& kid);
  // The keys of `source` retired by this node: kid to when.
  static Result<std::map<std::string, Timestamp>> ReadRetiredKeysOfSource(
      Connection& conn, const std::string& source);
  static Status DeleteKeysOfSource(Connection& conn, const std::string& source);
  static Status UpsertDocument(Connection& conn, const StoredDocument& doc);
  static Result<std::optional<StoredDocument>> ReadDocument(Connection& conn,
                                                            const std::string& name);

  // --- certificates ---
  // A certificate's own row (without its animals, tags and vaccinations); kNotFound when there
  // is none.
  static Result<Certificate> ReadCertificateRow(Connection& conn, CertificateKey by,
                                                const std::string& key);
  // The animals of a stored certificate as they are now, in their stored order.
  static Result<std::vector<CertificateAnimal>> ReadCertificateAnimals(
      Connection& conn, const std::string& certificate_id);
  // In their stored order.
  static Result<std::vector<CertificateVaccination>> ReadCertificateVaccinations(
      Connection& conn, const std::string& certificate_id);
  // Every certificate naming the animal through its animals, oldest issued first (issued_at, id).
  static Result<std::vector<Certificate>> ReadCertificatesOfAnimal(Connection& conn,
                                                                   int64_t animal_id);
  // The stored status; kNotFound when there is no such certificate.
  static Result<CertificateStatus> ReadCertificateStatus(Connection& conn, const std::string& id);
  // The certificate's row; false when one of its unique keys (id, number) is taken.
  static Result<bool> InsertCertificate(Connection& conn, const Certificate& c);
  // kFailedPrecondition when an animal does not exist.
  static Status InsertCertificateAnimals(Connection& conn, const Certificate& c);
  static Status InsertCertificateVaccinations(Connection& conn, const Certificate& c);
  // Marks an issued certificate consumed.
  static Result<bool> ConsumeCertificate(Connection& conn, const std::string& id,
                                         const Consumption& consumption);
  // Marks a certificate not revoked yet revoked.
  static Result<bool> RevokeCertificate(Connection& conn, const std::string& id, int64_t user_id,
                                        const std::string& reason, Timestamp at);
  static Result<int64_t> InsertRevocation(Connection& conn, const std::string& id,
                                          Timestamp at);  // its sequence number
  static Result<std::vector<Revocation>> ReadRevocationsAfter(Connection& conn,
                                                              int64_t after_sequence);
  // --- movements (W13) ---
  // The movement row of a new certificate: its holdings, and the authority whose inspectors see
  // it coming (`destination_scope`: the destination holding's, else the certificate's
  // destination).
  static Status InsertMovement(Connection& conn, const Certificate& c,
                               const std::string& destination_scope);
  // Fills c's holdings and arrival from its movement row (left empty when it has none).
  static Status ReadMovement(Connection& conn, Certificate& c);
  static Status UpdateArrival(Connection& conn, const std::string& id, const Arrival& a);
  static Status SetAnimalHolding(Connection& conn, int64_t animal_id, int64_t holding_id);
  // A page of movements: the list fields of ReadCertificateList, the holdings and the arrival.
  static Result<std::vector<Certificate>> ReadMovementPage(Connection& conn,
                                                           const MovementListQuery& q);

  // A page of the list: the fields that CertificateListQuery promises.
  static Result<std::vector<Certificate>> ReadCertificateList(Connection& conn,
                                                              const CertificateListQuery& q);

  // --- checkpoint passages (issue 12 item 4) --- (`key` as RecordKey gives it)
  static Result<std::optional<Passage>> ReadPassage(Connection& conn, const std::string& key);
  static Status InsertPassage(Connection& conn, const std::string& key, const Passage& p);
  // In scan order, then id.
  static Result<std::vector<Passage>> ReadPassages(Connection& conn,
                                                   const std::string& certificate_id);

  // --- certificate uses (W5, issue 14 item 5) --- (`key` as RecordKey gives it)
  static Result<std::optional<CertificateUse>> ReadCertificateUse(Connection& conn,
                                                                  const std::string& key);
  static Status InsertCertificateUse(Connection& conn, const std::string& key,
                                     const CertificateUse& use);
  // The first use, then the double uses in scan order (then id).
  static Result<std::vector<CertificateUse>> ReadCertificateUses(Connection& conn,
                                                                 const std::string& certificate_id);
  // A page of certificates used twice: the list fields of ReadCertificateList.
  static Result<std::vector<Certificate>> ReadDoubleUsePage(Connection& conn,
                                                            const DoubleUseListQuery& q);

  // --- field copy (W10) ---
  // Appends one row to the change log under the next change number (store/field_changes.h).
  static Status InsertFieldChange(Connection& conn, const FieldChange& change);
  // The changes numbered after `after`, oldest first, at most `limit`.
  static Result<std::vector<FieldChange>> ReadFieldChangesAfter(Connection& conn, int64_t after,
                                                                int limit);
  static Result<int64_t> ReadLatestFieldChange(Connection& conn);  // 0 when there is none
  // The ids of the owners whose authority is `scope` or below it (every owner with
  // all_authorities), ascending.
  static Result<std::vector<int64_t>> ReadOwnerIdsInScope(Connection& conn,
                                                          const std::string& scope,
                                                          bool all_authorities);

  // --- audit, counters, reports ---
  // REQUIRES: 1 <= limit <= 1000.
  static Result<std::vector<AuditRow>> ReadAuditPage(Connection& conn, const AuditQuery& q,
                                                     int limit);
  // Every audit row in order, into `walk`.
  static Status ReadAuditChain(Connection& conn, AuditChainWalk& walk);
  static Result<StoreCounts> ReadCounts(Connection& conn);
  // The coverage query's units and doses, into `tally`.
  static Status ReadCoverage(Connection& conn, const CoverageQuery& q, CoverageTally& tally);
  // The due list's owners, units and doses (store/due_list.h), into `due`, in that order.
  static Status ReadDue(Connection& conn, const DueQuery& q, DueListBuilder& due);
  // W15's reminders (store/reminders.h): the units of the owners that may be reminded and the
  // doses that can protect them, into `reminders`: one statement.
  static Status ReadReminders(Connection& conn, const ReminderQuery& q, ReminderBuilder& reminders);
  // W14's ring list (store/ring_list.h). Every holding of the subtrees of `authorities`, in no
  // order: one statement.
  static Result<std::vector<Holding>> ReadHoldingsOfAuthorities(
      Connection& conn, const std::vector<std::string>& authorities);
  // Into `ring`: the units whose current holding is one of `holding_ids`, the owners they and
  // those holdings name, and the non-voided records up to `today` of their current owners and of
  // the earlier owners of the animals among them: three set-based statements.
  static Status ReadRing(Connection& conn, const std::vector<int64_t>& holding_ids, Date today,
                         RingListBuilder& ring);

  // --- journeys (issue 12 item 6): an animal's holdings, movements and passages ---
  static Status InsertHoldingStay(Connection& conn, const HoldingStay& stay);
  // Oldest first (since, then the order stored). One index range (holding_stays_by_animal).
  static Result<std::vector<HoldingStay>> ReadHoldingStays(Connection& conn, int64_t animal_id);
  // The movements of the certificates naming the animal: each Certificate has its id, holdings
  // and arrival only (as ReadMovement fills them). Through certificate_animals_by_animal.
  static Result<std::vector<Certificate>> ReadMovementsOfAnimal(Connection& conn,
                                                                int64_t animal_id);
  // The passages of the certificates naming the animal, in scan order, then id.
  static Result<std::vector<Passage>> ReadPassagesOfAnimal(Connection& conn, int64_t animal_id);

  // --- outbreaks and zones (W14) --- (`key` as RecordKey gives it)
  static Result<std::optional<Outbreak>> ReadOutbreak(Connection& conn, const std::string& key);
  static Status InsertOutbreak(Connection& conn, const std::string& key, const Outbreak& o);
  // Sets the decision while the report is reported; false when it was not (or is no report).
  static Result<bool> DecideOutbreak(Connection& conn, const std::string& key, const Outbreak& d);
  static Result<std::vector<Outbreak>> ReadOutbreaks(Connection& conn, const OutbreakListQuery& q);
  static Result<int64_t> InsertZone(Connection& conn, const Zone& z);  // the new id
  static Result<Zone> ReadZone(Connection& conn, int64_t id);          // kNotFound
  // The zones' revision: the count of zones declared and lifted, kept in the counters table (row
  // "zone_changes", absent = 0), so that a server keeping the zones in force learns in one read of
  // one row whether any process changed them since.
  static Result<int64_t> ReadZoneRevision(Connection& conn);
  static Status BumpZoneRevision(Connection& conn);
  static Result<std::vector<Zone>> ReadZonesInForce(Connection& conn, Date day);
  // Lifts the zone while it is not lifted; false when it was (or is no zone).
  static Result<bool> LiftZone(Connection& conn, int64_t id, int64_t user_id, Timestamp at,
                               const std::string& reason);

  // --- SMS outbox (W15) ---
  static Result<int64_t> InsertSms(Connection& conn, const NewSms& sms);  // the new id
  static Result<SmsMessage> ReadSms(Connection& conn, int64_t id);        // kNotFound
  static Result<std::optional<SmsMessage>> ReadSmsByKey(Connection& conn, const std::string& key);
  static Status UpdateSmsBody(Connection& conn, int64_t id, const std::string& body,
                              const std::string& payload);
  // Writes status, attempts, next_attempt_at, sent_at, dlr, dlr_at and last_error of `sms.id`.
  static Status UpdateSmsState(Connection& conn, const SmsMessage& sms);
  // Queued messages due at `now`, earliest first, at most `limit`, none of `except` (one
  // statement).
  static Result<std::vector<SmsMessage>> ReadDueSms(Connection& conn, Timestamp now, int limit,
                                                    std::span<const int64_t> except);
  // (owner, messages handed over since `since`) of `owner_ids`, in one statement; owners with none
  // are left out.
  static Result<std::vector<std::pair<int64_t, int64_t>>> CountSmsSentSinceByOwner(
      Connection& conn, std::span<const int64_t> owner_ids, Timestamp since);
  static Result<std::vector<SmsMessage>> ReadSmsList(Connection& conn, const SmsListQuery& q);
  static Result<int64_t> CountQueuedSms(Connection& conn, const SmsListQuery& q);
  static Result<std::optional<SmsOwnerSettings>> ReadSmsOwner(Connection& conn, int64_t owner_id);
  // What a W1 batch's receipts need, read in one round trip whatever the batch's size: the
  // settings of those of `owner_ids` that have some, the messages holding any of `keys`, and the
  // name of the recording user `user_id` ("" when there is none).
  static Result<SmsReceiptInputs> ReadReceiptInputs(Connection& conn,
                                                    const std::vector<int64_t>& owner_ids,
                                                    const std::vector<std::string>& keys,
                                                    int64_t user_id);
  // InsertSms without waiting for the id (a batch's writes go out without waiting on PostgreSQL).
  static Status AddSms(Connection& conn, const NewSms& sms);
  // W15 inbound: keeps the digest of an owner's message; false when it was kept before.
  static Result<bool> InsertSmsInbound(Connection& conn, const std::string& digest, Timestamp at);
  // Stores `s.stopped` and changed_at (a new row keeps `s.language`; an existing one its own).
  static Status UpsertSmsOwner(Connection& conn, const SmsOwnerSettings& s);

  // --- owners' sign-in to /me (issue 15 item 4) ---
  static Result<int64_t> InsertOwnerCode(Connection& conn, const OwnerCode& code);  // the new id
  static Result<std::optional<OwnerCode>> ReadNewestOwnerCode(Connection& conn, int64_t owner_id);
  static Status UpdateOwnerCode(Connection& conn, const OwnerCode& code);  // tries and used
  static Status InsertOwnerSession(Connection& conn, const OwnerSession& session);
  static Result<std::optional<OwnerSession>> ReadOwnerSession(Connection& conn,
                                                              const std::string& token_hash);
  static Result<bool> DeleteOwnerSession(Connection& conn, const std::string& token_hash);
  // The OwnerReader rows of audit targets `target_a` and `target_b`, newest first.
  static Result<std::vector<OwnerReader>> ReadOwnerReaders(Connection& conn,
                                                           const std::string& target_a,
                                                           const std::string& target_b, int limit);
};

}  // namespace herdpass::store
