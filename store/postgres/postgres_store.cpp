// The PostgreSQL Store: the store core (store/store_core.h) over PostgreSQL's row codecs, defined
// here (store/record_codecs.h declares them) before the core is instantiated over them. See
// postgres_store.h, schema.md and store/store.h for the contracts.
#include "store/postgres/postgres_store.h"

#include <sodium.h>

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <map>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "domain/animal_events.h"
#include "domain/sms_receipt.h"
#include "store/counters.h"
#include "store/not_found.h"
#include "store/postgres/connection.h"
#include "store/postgres/migrations.h"
#include "store/postgres/queries.h"
#include "store/postgres/writer_session.h"
#include "store/record_codecs.h"
#include "store/store_core.h"
#include "store/tag_list.h"

namespace herdpass {
namespace postgres {
namespace {

// Array literals in PostgreSQL's text format: {1,2,3} and {"a","b \"c\""}.
std::string IntArrayLiteral(const std::vector<int64_t>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(values[i]);
  }
  out += '}';
  return out;
}

std::string TextArrayLiteral(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

Owner OwnerFromRow(const Rows& r, int i) {
  return Owner{r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4), r.Time(i, 5)};
}

Animal AnimalFromRow(const Rows& r, int i) {
  Animal a;
  a.id = r.Int(i, 0);
  a.owner_id = r.Int(i, 1);
  if (!r.IsNull(i, 2)) a.tag = r.Text(i, 2);
  a.species = r.Text(i, 3);
  a.head_count = static_cast<int32_t>(r.Int(i, 4));
  a.sex = r.Text(i, 5);
  if (!r.IsNull(i, 6)) a.birth_date = r.Day(i, 6);
  a.authority = r.Text(i, 7);
  a.created_at = r.Time(i, 8);
  if (!r.IsNull(i, 9)) a.holding_id = r.Int(i, 9);
  if (!r.IsNull(i, 10)) {
    auto kind = ParseAnimalEventKind(r.Text(i, 10));
    if (kind.ok()) a.ended_kind = *kind;
  }
  if (!r.IsNull(i, 11)) a.ended_on = r.Day(i, 11);
  return a;
}

Result<Holding> HoldingFromRow(const Rows& r, int i) {
  Holding h;
  h.id = r.Int(i, 0);
  h.authority = r.Text(i, 1);
  h.code = r.Text(i, 2);
  auto kind = ParseHoldingKind(r.Text(i, 3));
  if (!kind.ok()) return Internal("a stored holding has an unknown kind");
  h.kind = *kind;
  h.name = r.Text(i, 4);
  if (!r.IsNull(i, 5)) h.owner_id = r.Int(i, 5);
  h.owner_masked_name = r.Text(i, 6);
  h.lat = r.Double(i, 7);
  h.lon = r.Double(i, 8);
  h.opened_on = r.Day(i, 9);
  if (!r.IsNull(i, 10)) h.closed_on = r.Day(i, 10);
  h.created_at = r.Time(i, 11);
  return h;
}

Param OptionalId(const std::optional<int64_t>& id) { return id ? Param(*id) : Param(std::nullopt); }

Result<AnimalEvent> AnimalEventFromRow(const Rows& r, int i) {
  AnimalEvent e;
  e.id = r.Text(i, 0);
  e.animal_id = r.Int(i, 1);
  auto kind = ParseAnimalEventKind(r.Text(i, 2));
  if (!kind.ok()) return Internal("a stored animal event has an unknown kind");
  e.kind = *kind;
  e.on = r.Day(i, 3);
  e.reason = r.Text(i, 4);
  e.old_tag = r.Text(i, 5);
  e.new_tag = r.Text(i, 6);
  e.head = static_cast<int32_t>(r.Int(i, 7));
  e.head_after = static_cast<int32_t>(r.Int(i, 8));
  e.recorded_by = r.Int(i, 9);
  e.recorded_at = r.Time(i, 10);
  e.authority = r.Text(i, 11);
  return e;
}

Result<Passage> PassageFromRow(const Rows& r, int i) {
  Passage p;
  p.id = r.Text(i, 0);
  p.certificate_id = r.Text(i, 1);
  p.holding_id = r.Int(i, 2);
  p.at = r.Time(i, 3);
  p.head_seen = static_cast<int32_t>(r.Int(i, 4));
  p.note = r.Text(i, 5);
  p.recorded_by = r.Int(i, 6);
  p.received_at = r.Time(i, 7);
  HP_ASSIGN_OR_RETURN(p.flag, ParsePassageFlag(r.Text(i, 8)));
  p.authority = r.Text(i, 9);
  return p;
}

Vaccination VaccinationFromRow(const Rows& r, int i) {
  Vaccination v;
  v.id = r.Text(i, 0);
  v.owner_id = r.Int(i, 1);
  v.administered_on = r.Day(i, 2);
  v.animal_ids = r.IntArray(i, 3);
  v.species = r.Text(i, 4);
  v.head_count = static_cast<int32_t>(r.Int(i, 5));
  v.disease = r.Text(i, 6);
  v.vaccine = r.Text(i, 7);
  v.batch_no = r.Text(i, 8);
  v.dose_ml = r.OptDouble(i, 9);
  v.lat = r.OptDouble(i, 10);
  v.lon = r.OptDouble(i, 11);
  v.device_id = r.Text(i, 12);
  v.recorded_by = r.Int(i, 13);
  v.recorded_at = r.Time(i, 14);
  v.authority = r.Text(i, 15);
  v.voided = r.Bool(i, 16);
  v.void_reason = r.Text(i, 17);
  v.voided_at = r.OptTime(i, 18);
  v.corrects = r.Text(i, 19);
  if (!r.IsNull(i, 20)) v.holding_id = r.Int(i, 20);
  return v;
}

Result<User> UserFromRow(const Rows& r, int i) {
  User u;
  u.id = r.Int(i, 0);
  u.username = r.Text(i, 1);
  u.password_hash = r.Text(i, 2);
  auto role = ParseRole(r.Text(i, 3));
  if (!role.ok()) return Internal("a stored user has an unknown role");
  u.role = *role;
  u.authority = r.Text(i, 4);
  u.disabled = r.Bool(i, 5);
  u.created_at = r.Time(i, 6);
  return u;
}

Result<Certificate> CertificateFromRow(const Rows& r, int i) {
  Certificate c;
  c.id = r.Text(i, 0);
  c.number = r.Text(i, 1);
  c.authority = r.Text(i, 2);
  c.kid = r.Text(i, 3);
  c.owner_id = r.Int(i, 4);
  c.species = r.Text(i, 5);
  c.head_count = static_cast<int32_t>(r.Int(i, 6));
  HP_ASSIGN_OR_RETURN(c.purpose, store::StoredPurpose(r.Text(i, 7)));
  c.origin = r.Text(i, 8);
  c.origin_place = r.Text(i, 9);
  c.destination = r.Text(i, 10);
  c.destination_place = r.Text(i, 11);
  c.transport = r.Text(i, 12);
  c.issued_at = r.Time(i, 13);
  c.valid_until = r.Time(i, 14);
  c.vet_id = r.Int(i, 15);
  c.vet_name = r.Text(i, 16);
  c.owner_masked_name = r.Text(i, 17);
  c.owner_phone_last4 = r.Text(i, 18);
  c.hp1 = r.Text(i, 19);
  HP_ASSIGN_OR_RETURN(c.status, store::StoredCertificateStatus(r.Text(i, 20)));
  c.consumed_at = r.OptTime(i, 21);
  c.consumed_by = r.Int(i, 22);
  c.consumed_by_name = r.Text(i, 23);
  c.consumed_place = r.Text(i, 24);
  c.revoked_at = r.OptTime(i, 25);
  c.revoked_by = r.Int(i, 26);
  c.revoke_reason = r.Text(i, 27);
  return c;
}

// A page of the list: the fields CertificateListQuery promises.
Result<Certificate> ListedCertificateFromRow(const Rows& r, int i) {
  Certificate c;
  c.id = r.Text(i, 0);
  c.number = r.Text(i, 1);
  c.authority = r.Text(i, 2);
  c.owner_id = r.Int(i, 3);
  c.species = r.Text(i, 4);
  c.head_count = static_cast<int32_t>(r.Int(i, 5));
  HP_ASSIGN_OR_RETURN(c.purpose, store::StoredPurpose(r.Text(i, 6)));
  c.origin = r.Text(i, 7);
  c.destination = r.Text(i, 8);
  c.issued_at = r.Time(i, 9);
  c.valid_until = r.Time(i, 10);
  c.owner_masked_name = r.Text(i, 11);
  HP_ASSIGN_OR_RETURN(c.status, store::StoredCertificateStatus(r.Text(i, 12)));
  return c;
}

SigningKey SigningKeyFromRow(const Rows& r, int i) {
  SigningKey k;
  k.kid = r.Text(i, 0);
  k.authority = r.Text(i, 1);
  k.country = r.Text(i, 2);
  k.algorithm = r.Text(i, 3);
  k.public_key = r.Text(i, 4);
  k.root = r.Bool(i, 5);
  k.valid_from = r.Time(i, 6);
  k.valid_until = r.Time(i, 7);
  k.retired_at = r.OptTime(i, 8);
  k.source = r.Text(i, 9);
  return k;
}

AuditRow AuditFromRow(const Rows& rows, int i) {
  AuditRow r;
  r.seq = rows.Int(i, 0);
  r.entry.at = rows.Time(i, 1);
  r.entry.user_id = rows.Int(i, 2);
  r.entry.username = rows.Text(i, 3);
  r.entry.action = rows.Text(i, 4);
  r.entry.target = rows.Text(i, 5);
  r.entry.detail = rows.Text(i, 6);
  r.entry.address = rows.Text(i, 7);
  r.prev_hash = rows.Text(i, 8);
  r.hash = rows.Text(i, 9);
  r.entry.authority = rows.Text(i, 10);
  return r;
}

using Params = std::initializer_list<Param>;

// Runs `q` (no rows expected); whether it changed a row.
Result<bool> Change(Connection& conn, const Query& q, Params params) {
  HP_ASSIGN_OR_RETURN(const Rows rows, conn.Run(q, params));
  return rows.affected() != 0;
}

// Runs `q` (no rows expected); sent without waiting while the connection defers writes
// (Connection::SetDeferWrites).
Status Write(Connection& conn, const Query& q, Params params) {
  if (conn.DeferWrites()) return conn.Send(q, params);
  return conn.Run(q, params).status();
}

// The first row of `q` mapped with `map`; nullopt when there is none.
template <typename T, typename Map>
Result<std::optional<T>> ReadFirst(Connection& conn, const Query& q, Params params, Map map) {
  HP_ASSIGN_OR_RETURN(const Rows rows, conn.Run(q, params));
  if (rows.empty()) return std::optional<T>();
  return std::optional<T>(map(rows, 0));
}

// A single-row lookup: kNotFound (`not_found`) when there is no row.
template <typename T, typename Map>
Result<T> ReadOne(Connection& conn, const Query& q, Params params, Map map, const char* not_found) {
  HP_ASSIGN_OR_RETURN(auto row, ReadFirst<Result<T>>(conn, q, params, map));
  if (!row) return NotFound(not_found);
  return std::move(*row);
}

// Every row of `q` mapped with `map` (T or Result<T>).
template <typename T, typename Map>
Result<std::vector<T>> ReadAll(Connection& conn, const Query& q, Params params, Map map) {
  HP_ASSIGN_OR_RETURN(const Rows rows, conn.Run(q, params));
  std::vector<T> out;
  out.reserve(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    Result<T> one = map(rows, i);
    HP_ASSIGN_OR_RETURN(T value, std::move(one));
    out.push_back(std::move(value));
  }
  return out;
}

// A bearer token's row: users' tokens (TokenRecord) and owners' sessions (OwnerSession) have the
// same four columns: the token's SHA-256, whose it is (`kHolder`), created, expires.
template <typename Row, int64_t Row::*kHolder>
Status InsertBearer(Connection& conn, const Query& q, const Row& row) {
  return Write(conn, q, {row.token_hash, row.*kHolder, row.created_at, row.expires_at});
}

template <typename Row, int64_t Row::*kHolder>
Result<std::optional<Row>> ReadBearer(Connection& conn, const Query& q,
                                      const std::string& token_hash) {
  return ReadFirst<Row>(conn, q, {token_hash}, [](const Rows& r, int i) {
    Row row;
    row.token_hash = r.Text(i, 0);
    row.*kHolder = r.Int(i, 1);
    row.created_at = r.Time(i, 2);
    row.expires_at = r.Time(i, 3);
    return row;
  });
}

}  // namespace
}  // namespace postgres

using postgres::Connection;
using postgres::Rows;
using Codecs = store::RecordCodecs<Connection>;

template <>
Result<Owner> Codecs::ReadOwnerById(Connection& conn, int64_t id) {
  return postgres::ReadOne<Owner>(conn, postgres::kSelectOwnerById, {id}, postgres::OwnerFromRow,
                                  store::kNoSuchOwner);
}

template <>
Result<std::vector<Owner>> Codecs::ReadOwnersByIds(Connection& conn,
                                                   const std::vector<int64_t>& ids) {
  return postgres::ReadAll<Owner>(conn, postgres::kSelectOwnersByIds,
                                  {postgres::IntArrayLiteral(ids)}, postgres::OwnerFromRow);
}

template <>
Result<Owner> Codecs::ReadOwnerByPhone(Connection& conn, const std::string& e164) {
  return postgres::ReadOne<Owner>(conn, postgres::kSelectOwnerByPhone, {e164},
                                  postgres::OwnerFromRow, store::kNoOwnerWithPhone);
}

template <>
Result<OwnerRevision> Codecs::ReadOwnerRevisionByPhone(Connection& conn, const std::string& e164) {
  return postgres::ReadOne<OwnerRevision>(
      conn, postgres::kSelectOwnerRevisionByPhone, {e164},
      [](const Rows& r, int i) {
        return OwnerRevision{r.Int(i, 0), r.Text(i, 1), r.Int(i, 2)};
      },
      store::kNoOwnerWithPhone);
}

template <>
Status Codecs::BumpOwnerRevision(Connection& conn, int64_t owner_id) {
  return postgres::Write(conn, postgres::kBumpOwnerRevision, {owner_id});
}

template <>
Result<int64_t> Codecs::InsertOwner(Connection& conn, const NewOwner& owner) {
  HP_ASSIGN_OR_RETURN(const Rows rows,
                      conn.Run(postgres::kInsertOwner, {owner.phone, owner.name, owner.village,
                                                        owner.authority, owner.created_at}));
  return rows.Int(0, 0);
}

template <>
Result<Animal> Codecs::ReadAnimalByTag(Connection& conn, const std::string& tag) {
  return postgres::ReadOne<Animal>(conn, postgres::kSelectAnimalByTag, {tag},
                                   postgres::AnimalFromRow, store::kNoAnimalWithTag);
}

template <>
Result<std::vector<Animal>> Codecs::ReadAnimalsOfOwner(Connection& conn, int64_t owner_id) {
  return postgres::ReadAll<Animal>(conn, postgres::kSelectAnimalsByOwner, {owner_id},
                                   postgres::AnimalFromRow);
}

template <>
Result<int64_t> Codecs::InsertAnimal(Connection& conn, const NewAnimal& animal) {
  HP_ASSIGN_OR_RETURN(const Rows rows,
                      conn.Run(postgres::kInsertAnimal,
                               {animal.owner_id, animal.tag, animal.species, animal.head_count,
                                animal.sex, animal.birth_date, animal.authority, animal.created_at,
                                postgres::OptionalId(animal.holding_id)}));
  return rows.Int(0, 0);
}

// --- holdings ---

template <>
Result<int64_t> Codecs::InsertHolding(Connection& conn, const Holding& h) {
  HP_ASSIGN_OR_RETURN(
      const Rows rows,
      conn.Run(postgres::kInsertHolding, {h.authority, h.code, HoldingKindName(h.kind), h.name,
                                          postgres::OptionalId(h.owner_id), h.owner_masked_name,
                                          h.lat, h.lon, h.opened_on, h.closed_on, h.created_at}));
  return rows.Int(0, 0);
}

template <>
Result<Holding> Codecs::ReadHoldingById(Connection& conn, int64_t id) {
  return postgres::ReadOne<Holding>(conn, postgres::kSelectHoldingById, {id},
                                    postgres::HoldingFromRow, store::kNoSuchHolding);
}

template <>
Result<std::vector<Holding>> Codecs::ReadHoldingPage(Connection& conn, const HoldingListQuery& q,
                                                     int limit) {
  return postgres::ReadAll<Holding>(conn, postgres::kSelectHoldingPage,
                                    {q.scope, q.all_authorities ? 1 : 0,
                                     q.kind ? HoldingKindName(*q.kind) : "", q.after_id, limit},
                                    postgres::HoldingFromRow);
}

template <>
Result<std::vector<Holding>> Codecs::ReadHoldingsInBox(Connection& conn, const HoldingListQuery& q,
                                                       const GeoBox& box) {
  return postgres::ReadAll<Holding>(
      conn, postgres::kSelectHoldingsInBox,
      {q.scope, q.all_authorities ? 1 : 0, q.kind ? HoldingKindName(*q.kind) : "", box.min_lat,
       box.max_lat, box.min_lon, box.max_lon},
      postgres::HoldingFromRow);
}

template <>
Result<std::vector<Holding>> Codecs::ReadHoldingsByIds(Connection& conn,
                                                       const std::vector<int64_t>& ids) {
  return postgres::ReadAll<Holding>(conn, postgres::kSelectHoldingsByIds,
                                    {postgres::IntArrayLiteral(ids)}, postgres::HoldingFromRow);
}

template <>
Result<std::vector<TraceMovement>> Codecs::ReadTraceWalk(Connection& conn, const TraceQuery& q) {
  return postgres::ReadAll<TraceMovement>(
      conn, postgres::kSelectTraceWalk,
      {q.holding_id.value_or(0), q.animal_id.value_or(0), q.from, q.to, q.depth, q.forward ? 1 : 0,
       q.backward ? 1 : 0},
      [](const postgres::Rows& r, int i) {
        TraceMovement m;
        m.certificate_id = r.Text(i, 0);
        m.number = r.Text(i, 1);
        m.kind = r.Text(i, 2);
        m.from_holding = r.Int(i, 3);
        m.to_holding = r.Int(i, 4);
        m.at = Timestamp(std::chrono::milliseconds(r.Int(i, 5)));
        m.head = static_cast<int32_t>(r.Int(i, 6));
        m.hop = static_cast<int>(r.Int(i, 7));
        m.forward = r.Int(i, 8) == 1;
        return m;
      });
}

template <>
Result<Animal> Codecs::ReadAnimalById(Connection& conn, int64_t id) {
  return postgres::ReadOne<Animal>(conn, postgres::kSelectAnimalById, {id}, postgres::AnimalFromRow,
                                   store::kNoSuchAnimal);
}

template <>
Result<std::vector<std::string>> Codecs::ReadFormerTags(Connection& conn, int64_t animal_id) {
  return postgres::ReadAll<std::string>(conn, postgres::kSelectFormerTags, {animal_id},
                                        [](const Rows& r, int i) { return r.Text(i, 0); });
}

// --- animal events ---

template <>
Result<std::optional<AnimalEvent>> Codecs::ReadAnimalEvent(Connection& conn,
                                                           const std::string& key) {
  HP_ASSIGN_OR_RETURN(
      auto row, postgres::ReadFirst<Result<AnimalEvent>>(conn, postgres::kSelectAnimalEvent, {key},
                                                         postgres::AnimalEventFromRow));
  if (!row) return std::optional<AnimalEvent>();
  HP_ASSIGN_OR_RETURN(AnimalEvent e, std::move(*row));
  return std::optional<AnimalEvent>(std::move(e));
}

template <>
Status Codecs::InsertAnimalEvent(Connection& conn, const std::string& key, const AnimalEvent& e) {
  return postgres::Write(
      conn, postgres::kInsertAnimalEvent,
      {key, e.animal_id, AnimalEventKindName(e.kind), e.on, e.reason, e.old_tag, e.new_tag, e.head,
       e.head_after, e.recorded_by, e.recorded_at, e.authority});
}

template <>
Result<std::vector<AnimalEvent>> Codecs::ReadAnimalEvents(Connection& conn, int64_t animal_id) {
  return postgres::ReadAll<AnimalEvent>(conn, postgres::kSelectAnimalEvents, {animal_id},
                                        postgres::AnimalEventFromRow);
}

template <>
Result<bool> Codecs::EndAnimal(Connection& conn, int64_t animal_id, AnimalEventKind kind, Date on) {
  return postgres::Change(conn, postgres::kEndAnimal, {animal_id, AnimalEventKindName(kind), on});
}

template <>
Status Codecs::SetHeadCount(Connection& conn, int64_t animal_id, int32_t head_count) {
  return postgres::Write(conn, postgres::kSetHeadCount, {animal_id, head_count});
}

template <>
Status Codecs::ReplaceTag(Connection& conn, int64_t animal_id, const std::string& old_tag,
                          const std::string& new_tag, Date on) {
  HP_RETURN_IF_ERROR(postgres::Write(conn, postgres::kInsertFormerTag, {old_tag, animal_id, on}));
  return postgres::Write(conn, postgres::kUpdateAnimalTag, {animal_id, new_tag});
}

// --- ownership (W8) ---

namespace postgres {
namespace {

OwnershipChange ChangeFromRow(const Rows& r, int i) {
  OwnershipChange c;
  c.animal_id = r.Int(i, 0);
  c.to_animal_id = r.Int(i, 1);
  if (!r.IsNull(i, 2)) c.tag = r.Text(i, 2);
  c.species = r.Text(i, 3);
  c.head = static_cast<int32_t>(r.Int(i, 4));
  c.from_owner_id = r.Int(i, 5);
  c.to_owner_id = r.Int(i, 6);
  c.on = r.Day(i, 7);
  if (!r.IsNull(i, 8)) c.certificate_id = r.Text(i, 8);
  if (!r.IsNull(i, 9)) c.transfer_id = r.Text(i, 9);
  c.recorded_by = r.Int(i, 10);
  c.recorded_at = r.Time(i, 11);
  return c;
}

Param TextOrNull(const std::string& s) { return s.empty() ? Param(std::nullopt) : Param(s); }

}  // namespace
}  // namespace postgres

template <>
Status Codecs::SetAnimalOwner(Connection& conn, int64_t animal_id, int64_t owner_id,
                              const std::string& authority) {
  return postgres::Write(conn, postgres::kSetAnimalOwner, {animal_id, owner_id, authority});
}

template <>
Status Codecs::InsertOwnershipChange(Connection& conn, const OwnershipChange& c) {
  return postgres::Write(conn, postgres::kInsertOwnershipChange,
                         {c.animal_id, c.to_animal_id, c.tag, c.species, c.head, c.from_owner_id,
                          c.to_owner_id, c.on, postgres::TextOrNull(c.certificate_id),
                          postgres::TextOrNull(c.transfer_id), c.recorded_by, c.recorded_at});
}

template <>
Result<std::optional<Transfer>> Codecs::ReadTransfer(Connection& conn, const std::string& key) {
  return postgres::ReadFirst<Transfer>(conn, postgres::kSelectTransfer, {key},
                                       [&](const Rows& r, int i) {
                                         Transfer t;
                                         t.id = key;
                                         t.seller_id = r.Int(i, 0);
                                         t.buyer_id = r.Int(i, 1);
                                         t.on = r.Day(i, 2);
                                         t.recorded_by = r.Int(i, 3);
                                         t.recorded_at = r.Time(i, 4);
                                         t.authority = r.Text(i, 5);
                                         return t;
                                       });
}

template <>
Status Codecs::InsertTransfer(Connection& conn, const std::string& key, const Transfer& t) {
  return postgres::Write(
      conn, postgres::kInsertTransfer,
      {key, t.seller_id, t.buyer_id, t.on, t.recorded_by, t.recorded_at, t.authority});
}

template <>
Result<std::vector<OwnershipChange>> Codecs::ReadTransferChanges(Connection& conn,
                                                                 const std::string& transfer_id) {
  return postgres::ReadAll<OwnershipChange>(conn, postgres::kSelectTransferChanges, {transfer_id},
                                            postgres::ChangeFromRow);
}

template <>
Result<std::vector<OwnershipChange>> Codecs::ReadChangesIntoOwner(Connection& conn,
                                                                  int64_t owner_id) {
  return postgres::ReadAll<OwnershipChange>(conn, postgres::kSelectChangesIntoOwner, {owner_id},
                                            postgres::ChangeFromRow);
}

template <>
Result<std::vector<OwnershipChange>> Codecs::ReadChangesFromOwner(Connection& conn,
                                                                  int64_t owner_id) {
  return postgres::ReadAll<OwnershipChange>(conn, postgres::kSelectChangesFromOwner, {owner_id},
                                            postgres::ChangeFromRow);
}

template <>
Result<std::vector<OwnershipChange>> Codecs::ReadChangesOfAnimal(Connection& conn,
                                                                 int64_t animal_id) {
  return postgres::ReadAll<OwnershipChange>(conn, postgres::kSelectChangesOfAnimal, {animal_id},
                                            postgres::ChangeFromRow);
}

template <>
Result<std::vector<OwnershipChange>> Codecs::ReadChangesOutOfAnimals(
    Connection& conn, const std::vector<int64_t>& animal_ids) {
  return postgres::ReadAll<OwnershipChange>(conn, postgres::kSelectChangesOutOfAnimals,
                                            {postgres::IntArrayLiteral(animal_ids)},
                                            postgres::ChangeFromRow);
}

template <>
Status Codecs::SetCertificateBuyer(Connection& conn, const std::string& id, int64_t buyer_id) {
  return postgres::Write(conn, postgres::kSetCertificateBuyer, {id, buyer_id});
}

template <>
Result<int64_t> Codecs::ReadCertificateBuyer(Connection& conn, const std::string& id) {
  return postgres::ReadOne<int64_t>(
      conn, postgres::kSelectCertificateBuyer, {id},
      [](const Rows& r, int i) { return r.Int(i, 0); }, store::kNoSuchCertificate);
}

// --- vaccination records ---

template <>
std::optional<std::string> Codecs::RecordKey(const std::string& uuid) {
  auto canonical = NormalizeUuid(uuid);
  if (!canonical.ok()) return std::nullopt;
  return std::move(canonical).value();
}

template <>
Result<Vaccination> Codecs::ReadVaccination(Connection& conn, const std::string& key) {
  return postgres::ReadOne<Vaccination>(conn, postgres::kSelectVaccination, {key},
                                        postgres::VaccinationFromRow, store::kNoSuchVaccination);
}

template <>
Result<std::vector<Vaccination>> Codecs::ReadVaccinationsSince(Connection& conn, int64_t owner_id,
                                                               Date since) {
  return postgres::ReadAll<Vaccination>(conn, postgres::kSelectOwnerVaccinationsSince,
                                        {owner_id, since}, postgres::VaccinationFromRow);
}

template <>
Result<std::vector<Vaccination>> Codecs::ReadVaccinationsOfAnimals(
    Connection& conn, int64_t owner_id, Date since, Date until,
    const std::vector<int64_t>& animal_ids) {
  return postgres::ReadAll<Vaccination>(
      conn, postgres::kSelectOwnerVaccinationsOfAnimals,
      {owner_id, since, until, postgres::IntArrayLiteral(animal_ids)},
      postgres::VaccinationFromRow);
}

template <>
Result<store::StoredRecord> Codecs::ReadStoredRecord(Connection& conn, const std::string& key) {
  return postgres::ReadOne<store::StoredRecord>(
      conn, postgres::kSelectVaccinationOwner, {key},
      [](const Rows& r, int i) {
        return store::StoredRecord{r.Int(i, 0), r.Text(i, 1), r.Bool(i, 2)};
      },
      store::kNoSuchVaccination);
}

template <>
Result<std::optional<store::Flock>> Codecs::ReadFlock(Connection& conn, int64_t owner_id,
                                                      const std::string& species) {
  return postgres::ReadFirst<store::Flock>(conn, postgres::kSelectFlock, {owner_id, species},
                                           [](const Rows& r, int i) {
                                             store::Flock f{r.Int(i, 0), r.Int(i, 1), std::nullopt};
                                             if (!r.IsNull(i, 2)) f.last_event_on = r.Day(i, 2);
                                             return f;
                                           });
}

template <>
Status Codecs::RaiseFlockHeadCount(Connection& conn, int64_t flock_id, int32_t head_count) {
  return postgres::Write(conn, postgres::kRaiseFlockHeadCount, {flock_id, head_count});
}

// The record and its id in one statement.
template <>
Status Codecs::InsertVaccination(Connection& conn, const store::RecordRow& r) {
  const VaccinationInput& in = r.in;
  return postgres::Write(
      conn, postgres::kInsertVaccination,
      {r.owner_id, in.administered_on, r.key, postgres::IntArrayLiteral(r.animal_ids), in.species,
       r.head_count, in.disease, in.vaccine, in.batch_no, in.dose_ml, in.lat, in.lon, in.device_id,
       r.ctx.user_id, r.ctx.at, r.authority, r.corrects, postgres::OptionalId(in.holding_id)});
}

template <>
Status Codecs::VoidVaccination(Connection& conn, const Vaccination& v, const std::string& key,
                               const std::string& reason, Timestamp at) {
  return postgres::Write(conn, postgres::kVoidVaccination,
                         {v.owner_id, v.administered_on, key, reason, at});
}

// --- users and tokens ---

template <>
Result<User> Codecs::ReadUserByName(Connection& conn, const std::string& username) {
  return postgres::ReadOne<User>(conn, postgres::kSelectUserByName, {username},
                                 postgres::UserFromRow, store::kNoSuchUser);
}

template <>
Result<User> Codecs::ReadUserById(Connection& conn, int64_t id) {
  return postgres::ReadOne<User>(conn, postgres::kSelectUserById, {id}, postgres::UserFromRow,
                                 store::kNoSuchUser);
}

template <>
Result<std::vector<User>> Codecs::ReadUsers(Connection& conn) {
  return postgres::ReadAll<User>(conn, postgres::kSelectUsers, {}, postgres::UserFromRow);
}

template <>
Result<int64_t> Codecs::InsertUser(Connection& conn, const NewUser& user) {
  HP_ASSIGN_OR_RETURN(
      const Rows rows,
      conn.Run(postgres::kInsertUser, {user.username, user.password_hash, RoleName(user.role),
                                       user.authority, user.created_at}));
  return rows.Int(0, 0);
}

template <>
Result<bool> Codecs::UpdateUserDisabled(Connection& conn, const std::string& username,
                                        bool disabled) {
  return postgres::Change(conn, postgres::kUpdateUserDisabled, {username, disabled});
}

template <>
Result<bool> Codecs::UpdateUserPassword(Connection& conn, const std::string& username,
                                        const std::string& password_hash) {
  return postgres::Change(conn, postgres::kUpdateUserPassword, {username, password_hash});
}

template <>
Status Codecs::DeleteUserTokens(Connection& conn, const std::string& username) {
  return postgres::Write(conn, postgres::kDeleteUserTokens, {username});
}

template <>
Status Codecs::InsertToken(Connection& conn, const TokenRecord& token) {
  return postgres::InsertBearer<TokenRecord, &TokenRecord::user_id>(conn, postgres::kInsertToken,
                                                                    token);
}

template <>
Result<std::optional<TokenRecord>> Codecs::ReadToken(Connection& conn,
                                                     const std::string& token_hash) {
  return postgres::ReadBearer<TokenRecord, &TokenRecord::user_id>(conn, postgres::kSelectToken,
                                                                  token_hash);
}

template <>
Result<bool> Codecs::DeleteToken(Connection& conn, const std::string& token_hash) {
  return postgres::Change(conn, postgres::kDeleteToken, {token_hash});
}

// --- authorities, signing keys, documents ---

template <>
Status Codecs::UpsertAuthority(Connection& conn, const Authority& authority) {
  return postgres::Write(conn, postgres::kUpsertAuthority,
                         {authority.code, authority.name, authority.parent});
}

template <>
Result<std::vector<Authority>> Codecs::ReadAuthorities(Connection& conn) {
  return postgres::ReadAll<Authority>(conn, postgres::kSelectAuthorities, {},
                                      [](const Rows& r, int i) {
                                        return Authority{r.Text(i, 0), r.Text(i, 1), r.Text(i, 2)};
                                      });
}

template <>
Result<std::vector<SigningKey>> Codecs::ReadSigningKeys(Connection& conn) {
  return postgres::ReadAll<SigningKey>(conn, postgres::kSelectSigningKeys, {},
                                       postgres::SigningKeyFromRow);
}

template <>
Status Codecs::InsertSigningKey(Connection& conn, const SigningKey& key) {
  return postgres::Write(conn, postgres::kInsertSigningKey,
                         {key.kid, key.authority, key.country, key.algorithm, key.public_key,
                          key.root, key.valid_from, key.valid_until, key.retired_at, key.source});
}

template <>
Result<bool> Codecs::RetireSigningKey(Connection& conn, const std::string& kid, Timestamp at) {
  return postgres::Change(conn, postgres::kRetireSigningKey, {kid, at});
}

template <>
Result<bool> Codecs::SigningKeyExists(Connection& conn, const std::string& kid) {
  HP_ASSIGN_OR_RETURN(const Rows rows, conn.Run(postgres::kSelectSigningKeyRetiredAt, {kid}));
  return !rows.empty();
}

template <>
Result<std::map<std::string, Timestamp>> Codecs::ReadRetiredKeysOfSource(
    Connection& conn, const std::string& source) {
  HP_ASSIGN_OR_RETURN(const Rows rows, conn.Run(postgres::kSelectRetiredKeysOfSource, {source}));
  std::map<std::string, Timestamp> retired;
  for (int i = 0; i < rows.size(); ++i) retired.emplace(rows.Text(i, 0), rows.Time(i, 1));
  return retired;
}

template <>
Status Codecs::DeleteKeysOfSource(Connection& conn, const std::string& source) {
  return postgres::Write(conn, postgres::kDeleteKeysOfSource, {source});
}

template <>
Status Codecs::UpsertDocument(Connection& conn, const StoredDocument& doc) {
  return postgres::Write(conn, postgres::kUpsertDocument,
                         {doc.name, doc.sequence, doc.body, doc.saved_at});
}

template <>
Result<std::optional<StoredDocument>> Codecs::ReadDocument(Connection& conn,
                                                           const std::string& name) {
  return postgres::ReadFirst<StoredDocument>(
      conn, postgres::kSelectDocument, {name}, [](const Rows& r, int i) {
        return StoredDocument{r.Text(i, 0), r.Int(i, 1), r.Text(i, 2), r.Time(i, 3)};
      });
}

// --- certificates ---

template <>
Result<Certificate> Codecs::ReadCertificateRow(Connection& conn, store::CertificateKey by,
                                               const std::string& key) {
  const postgres::Query& q = by == store::CertificateKey::kId
                                 ? postgres::kSelectCertificateById
                                 : postgres::kSelectCertificateByNumber;
  return postgres::ReadOne<Certificate>(conn, q, {key}, postgres::CertificateFromRow,
                                        store::kNoSuchCertificate);
}

template <>
Result<std::vector<Certificate>> Codecs::ReadCertificatesOfAnimal(Connection& conn,
                                                                  int64_t animal_id) {
  return postgres::ReadAll<Certificate>(conn, postgres::kSelectCertificatesOfAnimal, {animal_id},
                                        postgres::CertificateFromRow);
}

template <>
Result<std::vector<store::CertificateAnimal>> Codecs::ReadCertificateAnimals(
    Connection& conn, const std::string& certificate_id) {
  return postgres::ReadAll<store::CertificateAnimal>(
      conn, postgres::kSelectCertificateAnimals, {certificate_id}, [](const Rows& r, int i) {
        std::optional<std::string> tag;
        if (!r.IsNull(i, 1)) tag = r.Text(i, 1);
        return store::CertificateAnimal{r.Int(i, 0), std::move(tag), r.Int(i, 2)};
      });
}

template <>
Result<std::vector<CertificateVaccination>> Codecs::ReadCertificateVaccinations(
    Connection& conn, const std::string& certificate_id) {
  return postgres::ReadAll<CertificateVaccination>(
      conn, postgres::kSelectCertificateVaccinations, {certificate_id}, [](const Rows& r, int i) {
        return CertificateVaccination{r.Text(i, 0), r.Text(i, 1), r.Day(i, 2), r.Text(i, 3)};
      });
}

template <>
Result<CertificateStatus> Codecs::ReadCertificateStatus(Connection& conn, const std::string& id) {
  return postgres::ReadOne<CertificateStatus>(
      conn, postgres::kSelectCertificateStatus, {id},
      [](const Rows& r, int i) { return store::StoredCertificateStatus(r.Text(i, 0)); },
      store::kNoSuchCertificate);
}

// ON CONFLICT DO NOTHING: a taken key inserts no row (and leaves the transaction usable).
template <>
Result<bool> Codecs::InsertCertificate(Connection& conn, const Certificate& c) {
  return postgres::Change(conn, postgres::kInsertCertificate,
                          {c.id,
                           c.number,
                           c.authority,
                           c.kid,
                           c.owner_id,
                           c.species,
                           c.head_count,
                           PurposeName(c.purpose),
                           c.origin,
                           c.origin_place,
                           c.destination,
                           c.destination_place,
                           c.transport,
                           c.issued_at,
                           c.valid_until,
                           c.vet_id,
                           c.vet_name,
                           c.owner_masked_name,
                           c.owner_phone_last4,
                           c.hp1});
}

// The animals in one statement, as an array.
template <>
Status Codecs::InsertCertificateAnimals(Connection& conn, const Certificate& c) {
  if (c.animal_ids.empty()) return Status::Ok();
  return postgres::Write(conn, postgres::kInsertCertificateAnimals,
                         {c.id, postgres::IntArrayLiteral(c.animal_ids)});
}

// The vaccinations in one statement, as four arrays.
template <>
Status Codecs::InsertCertificateVaccinations(Connection& conn, const Certificate& c) {
  if (c.vaccinations.empty()) return Status::Ok();
  std::vector<std::string> ids, diseases, batches;
  std::vector<int64_t> days;
  for (const CertificateVaccination& v : c.vaccinations) {
    ids.push_back(v.record_id);
    diseases.push_back(v.disease);
    days.push_back(v.administered_on.days());
    batches.push_back(v.batch_no);
  }
  return postgres::Write(
      conn, postgres::kInsertCertificateVaccinations,
      {c.id, postgres::TextArrayLiteral(ids), postgres::TextArrayLiteral(diseases),
       postgres::IntArrayLiteral(days), postgres::TextArrayLiteral(batches)});
}

template <>
Result<bool> Codecs::ConsumeCertificate(Connection& conn, const std::string& id,
                                        const Consumption& consumption) {
  return postgres::Change(
      conn, postgres::kConsumeCertificate,
      {id, consumption.at, consumption.user_id, consumption.user_name, consumption.place});
}

template <>
Result<bool> Codecs::RevokeCertificate(Connection& conn, const std::string& id, int64_t user_id,
                                       const std::string& reason, Timestamp at) {
  return postgres::Change(conn, postgres::kRevokeCertificate, {id, at, user_id, reason});
}

template <>
Result<int64_t> Codecs::InsertRevocation(Connection& conn, const std::string& id, Timestamp at) {
  HP_ASSIGN_OR_RETURN(const Rows rows, conn.Run(postgres::kInsertRevocation, {id, at}));
  return rows.Int(0, 0);
}

// --- checkpoint passages ---

template <>
Result<std::optional<Passage>> Codecs::ReadPassage(Connection& conn, const std::string& key) {
  HP_ASSIGN_OR_RETURN(auto row,
                      postgres::ReadFirst<Result<Passage>>(conn, postgres::kSelectPassage, {key},
                                                           postgres::PassageFromRow));
  if (!row) return std::optional<Passage>();
  HP_ASSIGN_OR_RETURN(Passage p, std::move(*row));
  return std::optional<Passage>(std::move(p));
}

template <>
Status Codecs::InsertPassage(Connection& conn, const std::string& key, const Passage& p) {
  return postgres::Write(conn, postgres::kInsertPassage,
                         {key, p.certificate_id, p.holding_id, p.at, p.head_seen, p.note,
                          p.recorded_by, p.received_at, PassageFlagName(p.flag), p.authority});
}

template <>
Result<std::vector<Passage>> Codecs::ReadPassages(Connection& conn,
                                                  const std::string& certificate_id) {
  return postgres::ReadAll<Passage>(conn, postgres::kSelectPassages, {certificate_id},
                                    postgres::PassageFromRow);
}

// --- outbreaks and zones (W14) ---

namespace postgres {
namespace {

Result<Outbreak> OutbreakFromRow(const Rows& r, int i) {
  Outbreak o;
  o.id = r.Text(i, 0);
  o.holding_id = r.Int(i, 1);
  o.authority = r.Text(i, 2);
  o.disease = r.Text(i, 3);
  o.species = r.Text(i, 4);
  o.first_signs_on = r.Day(i, 5);
  o.head_sick = static_cast<int32_t>(r.Int(i, 6));
  o.head_dead = static_cast<int32_t>(r.Int(i, 7));
  o.lat = r.Double(i, 8);
  o.lon = r.Double(i, 9);
  o.note = r.Text(i, 10);
  o.reported_by = r.Int(i, 11);
  o.reported_at = r.Time(i, 12);
  auto status = ParseOutbreakStatus(r.Text(i, 13));
  if (!status.ok()) return Internal("a stored outbreak report has an unknown status");
  o.status = *status;
  o.decided_by = r.Int(i, 14);
  o.decided_at = r.OptTime(i, 15);
  o.lab_reference = r.Text(i, 16);
  o.decision_note = r.Text(i, 17);
  return o;
}

Result<Zone> ZoneFromRow(const Rows& r, int i) {
  Zone z;
  z.id = r.Int(i, 0);
  z.disease = r.Text(i, 1);
  if (!r.IsNull(i, 2)) z.outbreak_id = r.Text(i, 2);
  if (!r.IsNull(i, 3)) z.holding_id = r.Int(i, 3);
  z.lat = r.Double(i, 4);
  z.lon = r.Double(i, 5);
  z.protection_km = r.Double(i, 6);
  z.surveillance_km = r.Double(i, 7);
  z.authorities = store::SplitCodes(r.Text(i, 8));
  z.species = store::SplitCodes(r.Text(i, 9));
  z.starts_on = r.Day(i, 10);
  z.ends_on = r.Day(i, 11);
  z.authority = r.Text(i, 12);
  z.declared_by = r.Int(i, 13);
  z.declared_at = r.Time(i, 14);
  z.lifted_at = r.OptTime(i, 15);
  z.lifted_by = r.Int(i, 16);
  z.lift_reason = r.Text(i, 17);
  return z;
}

}  // namespace
}  // namespace postgres

template <>
Result<std::optional<Outbreak>> Codecs::ReadOutbreak(Connection& conn, const std::string& key) {
  HP_ASSIGN_OR_RETURN(auto row,
                      postgres::ReadFirst<Result<Outbreak>>(conn, postgres::kSelectOutbreak, {key},
                                                            postgres::OutbreakFromRow));
  if (!row) return std::optional<Outbreak>();
  HP_ASSIGN_OR_RETURN(Outbreak o, std::move(*row));
  return std::optional<Outbreak>(std::move(o));
}

template <>
Status Codecs::InsertOutbreak(Connection& conn, const std::string& key, const Outbreak& o) {
  return postgres::Write(
      conn, postgres::kInsertOutbreak,
      {key, o.holding_id, o.authority, o.disease, o.species, o.first_signs_on, o.head_sick,
       o.head_dead, o.lat, o.lon, o.note, o.reported_by, o.reported_at,
       OutbreakStatusName(o.status), o.decided_by, o.decided_at, o.lab_reference, o.decision_note});
}

template <>
Result<bool> Codecs::DecideOutbreak(Connection& conn, const std::string& key, const Outbreak& d) {
  return postgres::Change(conn, postgres::kDecideOutbreak,
                          {key, OutbreakStatusName(d.status), d.decided_by, d.decided_at,
                           d.lab_reference, d.decision_note});
}

template <>
Result<std::vector<Outbreak>> Codecs::ReadOutbreaks(Connection& conn, const OutbreakListQuery& q) {
  return postgres::ReadAll<Outbreak>(
      conn, postgres::kSelectOutbreaks,
      {q.scope, q.all_authorities ? 1 : 0, q.status ? OutbreakStatusName(*q.status) : "", q.limit},
      postgres::OutbreakFromRow);
}

template <>
Result<int64_t> Codecs::InsertZone(Connection& conn, const Zone& z) {
  HP_ASSIGN_OR_RETURN(
      const Rows rows,
      conn.Run(
          postgres::kInsertZone,
          {z.disease,
           z.outbreak_id.empty() ? postgres::Param(std::nullopt) : postgres::Param(z.outbreak_id),
           z.holding_id ? postgres::Param(z.holding_id) : postgres::Param(std::nullopt), z.lat,
           z.lon, z.protection_km, z.surveillance_km, store::JoinCodes(z.authorities),
           store::JoinCodes(z.species), z.starts_on, z.ends_on, z.authority, z.declared_by,
           z.declared_at}));
  return rows.Int(0, 0);
}

template <>
Result<Zone> Codecs::ReadZone(Connection& conn, int64_t id) {
  return postgres::ReadOne<Zone>(conn, postgres::kSelectZone, {id}, postgres::ZoneFromRow,
                                 store::kNoSuchZone);
}

template <>
Result<std::vector<Zone>> Codecs::ReadZonesInForce(Connection& conn, Date day) {
  return postgres::ReadAll<Zone>(conn, postgres::kSelectZonesInForce, {day}, postgres::ZoneFromRow);
}

template <>
Result<int64_t> Codecs::ReadZoneRevision(Connection& conn) {
  return postgres::ReadOne<int64_t>(
      conn, postgres::kSelectZoneRevision, {}, [](const Rows& r, int i) { return r.Int(i, 0); },
      "no zone revision");
}

template <>
Status Codecs::BumpZoneRevision(Connection& conn) {
  return postgres::Write(conn, postgres::kBumpZoneRevision, {});
}

template <>
Result<bool> Codecs::LiftZone(Connection& conn, int64_t id, int64_t user_id, Timestamp at,
                              const std::string& reason) {
  return postgres::Change(conn, postgres::kLiftZone, {id, user_id, at, reason});
}

// --- SMS outbox ---

namespace postgres {
namespace {
SmsMessage SmsFromRow(const Rows& r, int i) {
  SmsMessage m;
  m.id = r.Int(i, 0);
  m.owner_id = r.Int(i, 1);
  m.phone = r.Text(i, 2);
  m.authority = r.Text(i, 3);
  m.kind = r.Text(i, 4);
  m.dedupe_key = r.Text(i, 5);
  m.body = r.Text(i, 6);
  m.payload = r.Text(i, 7);
  m.requested = r.Bool(i, 8);
  (void)ParseSmsStatus(r.Text(i, 9), &m.status);
  m.attempts = static_cast<int>(r.Int(i, 10));
  m.next_attempt_at = r.Time(i, 11);
  m.created_at = r.Time(i, 12);
  m.sent_at = r.OptTime(i, 13);
  m.dlr = static_cast<int>(r.Int(i, 14));
  m.dlr_at = r.OptTime(i, 15);
  m.last_error = r.Text(i, 16);
  return m;
}

// A row of kSelectSmsOwners or kSelectSmsOwner.
SmsOwnerSettings SmsOwnerFromRow(const Rows& r, int i) {
  return SmsOwnerSettings{r.Int(i, 0), r.Bool(i, 1), r.Text(i, 2), r.Time(i, 3), r.Text(i, 4)};
}
}  // namespace
}  // namespace postgres

template <>
Result<int64_t> Codecs::InsertSms(Connection& conn, const NewSms& sms) {
  HP_ASSIGN_OR_RETURN(const Rows rows, conn.Run(postgres::kInsertSms,
                                                {sms.owner_id, sms.kind, sms.dedupe_key, sms.body,
                                                 sms.payload, sms.requested, sms.at}));
  return rows.Int(0, 0);
}

template <>
Result<SmsMessage> Codecs::ReadSms(Connection& conn, int64_t id) {
  return postgres::ReadOne<SmsMessage>(conn, postgres::kSelectSms, {id}, postgres::SmsFromRow,
                                       store::kNoSuchSms);
}

template <>
Result<std::optional<SmsMessage>> Codecs::ReadSmsByKey(Connection& conn, const std::string& key) {
  return postgres::ReadFirst<SmsMessage>(conn, postgres::kSelectSmsByKey, {key},
                                         postgres::SmsFromRow);
}

template <>
Status Codecs::UpdateSmsBody(Connection& conn, int64_t id, const std::string& body,
                             const std::string& payload) {
  return postgres::Write(conn, postgres::kUpdateSmsBody, {id, body, payload});
}

template <>
Status Codecs::UpdateSmsState(Connection& conn, const SmsMessage& m) {
  return postgres::Write(conn, postgres::kUpdateSmsState,
                         {m.id, SmsStatusName(m.status), m.attempts, m.next_attempt_at, m.sent_at,
                          m.dlr, m.dlr_at, m.last_error});
}

template <>
Result<std::vector<SmsMessage>> Codecs::ReadDueSms(Connection& conn, Timestamp now, int limit,
                                                   std::span<const int64_t> except) {
  return postgres::ReadAll<SmsMessage>(
      conn, postgres::kSelectDueSms,
      {now, limit, postgres::IntArrayLiteral({except.begin(), except.end()})},
      postgres::SmsFromRow);
}

template <>
Result<std::vector<std::pair<int64_t, int64_t>>> Codecs::CountSmsSentSinceByOwner(
    Connection& conn, std::span<const int64_t> owner_ids, Timestamp since) {
  return postgres::ReadAll<std::pair<int64_t, int64_t>>(
      conn, postgres::kCountSmsSentSinceByOwner,
      {postgres::IntArrayLiteral({owner_ids.begin(), owner_ids.end()}), since},
      [](const Rows& r, int i) { return std::pair(r.Int(i, 0), r.Int(i, 1)); });
}

template <>
Result<std::vector<SmsMessage>> Codecs::ReadSmsList(Connection& conn, const SmsListQuery& q) {
  return postgres::ReadAll<SmsMessage>(conn, postgres::kSelectSmsList,
                                       {q.scope, q.all_authorities ? 1 : 0, q.before_id, q.limit,
                                        std::string(q.status ? SmsStatusName(*q.status) : "")},
                                       postgres::SmsFromRow);
}

template <>
Result<int64_t> Codecs::CountQueuedSms(Connection& conn, const SmsListQuery& q) {
  HP_ASSIGN_OR_RETURN(const Rows rows,
                      conn.Run(postgres::kCountQueuedSms, {q.scope, q.all_authorities ? 1 : 0}));
  return rows.Int(0, 0);
}

template <>
Status Codecs::AddSms(Connection& conn, const NewSms& sms) {
  return postgres::Write(
      conn, postgres::kAddSms,
      {sms.owner_id, sms.kind, sms.dedupe_key, sms.body, sms.payload, sms.requested, sms.at});
}

namespace postgres {
namespace {
// The receipts' inputs from the rows of the owners' settings, the messages and the user (of
// kSelectSmsOwners or kBatchSmsOwners, kSelectSmsByKeys or kBatchReceipts, kSelectUserById).
Result<store::SmsReceiptInputs> ReceiptInputsFromRows(const Rows& settings, const Rows& messages,
                                                      const Rows& user) {
  store::SmsReceiptInputs in;
  for (int i = 0; i < settings.size(); ++i) in.settings.push_back(SmsOwnerFromRow(settings, i));
  for (int i = 0; i < messages.size(); ++i) in.existing.push_back(SmsFromRow(messages, i));
  if (!user.empty()) {
    HP_ASSIGN_OR_RETURN(const User u, UserFromRow(user, 0));
    in.vaccinator = u.username;
  }
  return in;
}
}  // namespace
}  // namespace postgres

// The three reads in one round trip (in a W1 batch, the writer's pipeline).
template <>
Result<store::SmsReceiptInputs> Codecs::ReadReceiptInputs(Connection& conn,
                                                          const std::vector<int64_t>& owner_ids,
                                                          const std::vector<std::string>& keys,
                                                          int64_t user_id) {
  HP_ASSIGN_OR_RETURN(
      const std::vector<Rows> read,
      conn.RunAll({{postgres::kSelectSmsOwners, {postgres::IntArrayLiteral(owner_ids)}},
                   {postgres::kSelectSmsByKeys, {postgres::TextArrayLiteral(keys)}},
                   {postgres::kSelectUserById, {user_id}}}));
  return postgres::ReceiptInputsFromRows(read[0], read[1], read[2]);
}

template <>
Result<std::optional<SmsOwnerSettings>> Codecs::ReadSmsOwner(Connection& conn, int64_t owner_id) {
  return postgres::ReadFirst<SmsOwnerSettings>(conn, postgres::kSelectSmsOwner, {owner_id},
                                               postgres::SmsOwnerFromRow);
}

template <>
Result<bool> Codecs::InsertSmsInbound(Connection& conn, const std::string& digest, Timestamp at) {
  std::string hex(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(digest.data()),
                 digest.size());
  hex.pop_back();
  return postgres::Change(conn, postgres::kInsertSmsInbound, {hex, at});
}

template <>
Status Codecs::UpsertSmsOwner(Connection& conn, const SmsOwnerSettings& s) {
  return postgres::Write(conn, postgres::kUpsertSmsOwner,
                         {s.owner_id, s.stopped, s.language, s.changed_at});
}

// --- owners' sign-in to /me (issue 15 item 4) ---

template <>
Result<int64_t> Codecs::InsertOwnerCode(Connection& conn, const OwnerCode& code) {
  HP_ASSIGN_OR_RETURN(const Rows rows, conn.Run(postgres::kInsertOwnerCode,
                                                {code.owner_id, code.code_hash, code.created_at,
                                                 code.expires_at, code.tries, code.used}));
  return rows.Int(0, 0);
}

template <>
Result<std::optional<OwnerCode>> Codecs::ReadNewestOwnerCode(Connection& conn, int64_t owner_id) {
  return postgres::ReadFirst<OwnerCode>(
      conn, postgres::kSelectNewestOwnerCode, {owner_id}, [](const Rows& r, int i) {
        return OwnerCode{r.Int(i, 0),  r.Int(i, 1),  r.Text(i, 2),
                         r.Time(i, 3), r.Time(i, 4), static_cast<int>(r.Int(i, 5)),
                         r.Bool(i, 6)};
      });
}

template <>
Status Codecs::UpdateOwnerCode(Connection& conn, const OwnerCode& code) {
  return postgres::Write(conn, postgres::kUpdateOwnerCode, {code.id, code.tries, code.used});
}

template <>
Status Codecs::InsertOwnerSession(Connection& conn, const OwnerSession& session) {
  return postgres::InsertBearer<OwnerSession, &OwnerSession::owner_id>(
      conn, postgres::kInsertOwnerSession, session);
}

template <>
Result<std::optional<OwnerSession>> Codecs::ReadOwnerSession(Connection& conn,
                                                             const std::string& token_hash) {
  return postgres::ReadBearer<OwnerSession, &OwnerSession::owner_id>(
      conn, postgres::kSelectOwnerSession, token_hash);
}

template <>
Result<bool> Codecs::DeleteOwnerSession(Connection& conn, const std::string& token_hash) {
  return postgres::Change(conn, postgres::kDeleteOwnerSession, {token_hash});
}

template <>
Result<std::vector<OwnerReader>> Codecs::ReadOwnerReaders(Connection& conn,
                                                          const std::string& target_a,
                                                          const std::string& target_b, int limit) {
  return postgres::ReadAll<OwnerReader>(
      conn, postgres::kSelectOwnerReaders, {target_a, target_b, limit}, [](const Rows& r, int i) {
        return OwnerReader{r.Time(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4)};
      });
}

// --- certificate uses (W5, issue 14 item 5) ---

namespace postgres {
namespace {
CertificateUse CertificateUseFromRow(const Rows& r, int i) {
  CertificateUse u;
  u.id = r.Text(i, 0);
  u.certificate_id = r.Text(i, 1);
  u.double_use = r.Text(i, 2) == "t";
  u.scanned_at = r.Time(i, 3);
  u.received_at = r.Time(i, 4);
  u.user_id = r.Int(i, 5);
  u.user_name = r.Text(i, 6);
  u.place = r.Text(i, 7);
  if (!r.IsNull(i, 8)) u.holding_id = r.Int(i, 8);
  if (!r.IsNull(i, 9)) u.head_counted = static_cast<int32_t>(r.Int(i, 9));
  u.authority = r.Text(i, 10);
  return u;
}
}  // namespace
}  // namespace postgres

template <>
Result<std::optional<CertificateUse>> Codecs::ReadCertificateUse(Connection& conn,
                                                                 const std::string& key) {
  return postgres::ReadFirst<CertificateUse>(conn, postgres::kSelectCertificateUse, {key},
                                             postgres::CertificateUseFromRow);
}

template <>
Status Codecs::InsertCertificateUse(Connection& conn, const std::string& key,
                                    const CertificateUse& u) {
  std::optional<int64_t> head;
  if (u.head_counted) head = *u.head_counted;
  return postgres::Write(
      conn, postgres::kInsertCertificateUse,
      {key, u.certificate_id, u.double_use, u.scanned_at, u.received_at, u.user_id, u.user_name,
       u.place, postgres::OptionalId(u.holding_id), postgres::OptionalId(head), u.authority});
}

template <>
Result<std::vector<CertificateUse>> Codecs::ReadCertificateUses(Connection& conn,
                                                                const std::string& certificate_id) {
  return postgres::ReadAll<CertificateUse>(conn, postgres::kSelectCertificateUses, {certificate_id},
                                           postgres::CertificateUseFromRow);
}

template <>
Result<std::vector<Certificate>> Codecs::ReadDoubleUsePage(Connection& conn,
                                                           const DoubleUseListQuery& q) {
  postgres::Param before = q.before_issued_at
                               ? postgres::Param(q.before_issued_at->time_since_epoch().count())
                               : postgres::Param(std::nullopt);
  return postgres::ReadAll<Certificate>(
      conn, postgres::kSelectDoubleUsePage,
      {q.scope, q.all_authorities ? 1 : 0, before, q.before_id, std::clamp(q.limit, 1, 1000)},
      postgres::ListedCertificateFromRow);
}

template <>
Result<std::vector<Revocation>> Codecs::ReadRevocationsAfter(Connection& conn,
                                                             int64_t after_sequence) {
  return postgres::ReadAll<Revocation>(conn, postgres::kSelectRevocationsAfter, {after_sequence},
                                       [](const Rows& r, int i) {
                                         return Revocation{r.Int(i, 0), r.Text(i, 1), r.Time(i, 2)};
                                       });
}

// --- movements (W13) ---

namespace postgres {
namespace {
// The movement columns (HP_MOVEMENT_COLUMNS) from column `at` on, into `c`.
void MovementFromRow(const Rows& r, int i, int at, Certificate& c) {
  if (!r.IsNull(i, at)) c.origin_holding_id = r.Int(i, at);
  if (!r.IsNull(i, at + 1)) c.destination_holding_id = r.Int(i, at + 1);
  if (r.IsNull(i, at + 2)) return;
  Arrival a;
  a.at = r.Time(i, at + 2);
  if (!r.IsNull(i, at + 3)) a.holding_id = r.Int(i, at + 3);
  if (!r.IsNull(i, at + 4)) a.head_counted = static_cast<int32_t>(r.Int(i, at + 4));
  a.tags_seen = store::SplitTags(r.Text(i, at + 5));
  a.missing_tags = store::SplitTags(r.Text(i, at + 6));
  a.extra_tags = store::SplitTags(r.Text(i, at + 7));
  a.mismatch = r.Text(i, at + 8) == "t";
  c.arrival = std::move(a);
}
}  // namespace
}  // namespace postgres

template <>
Status Codecs::InsertMovement(Connection& conn, const Certificate& c,
                              const std::string& destination_scope) {
  return postgres::Write(conn, postgres::kInsertMovement,
                         {c.id, postgres::OptionalId(c.origin_holding_id),
                          postgres::OptionalId(c.destination_holding_id), destination_scope});
}

template <>
Status Codecs::ReadMovement(Connection& conn, Certificate& c) {
  HP_ASSIGN_OR_RETURN(const Rows rows, conn.Run(postgres::kSelectMovement, {c.id}));
  if (!rows.empty()) postgres::MovementFromRow(rows, 0, 0, c);
  return Status::Ok();
}

template <>
Status Codecs::UpdateArrival(Connection& conn, const std::string& id, const Arrival& a) {
  std::optional<int64_t> head;
  if (a.head_counted) head = *a.head_counted;
  return postgres::Write(conn, postgres::kUpdateArrival,
                         {id, a.at, postgres::OptionalId(a.holding_id), postgres::OptionalId(head),
                          store::JoinTags(a.tags_seen), store::JoinTags(a.missing_tags),
                          store::JoinTags(a.extra_tags), a.mismatch});
}

// --- journeys (issue 12 item 6) ---

template <>
Status Codecs::InsertHoldingStay(Connection& conn, const HoldingStay& stay) {
  return postgres::Write(
      conn, postgres::kInsertHoldingStay,
      {stay.animal_id, stay.holding_id, stay.since, postgres::TextOrNull(stay.certificate_id)});
}

template <>
Result<std::vector<HoldingStay>> Codecs::ReadHoldingStays(Connection& conn, int64_t animal_id) {
  return postgres::ReadAll<HoldingStay>(
      conn, postgres::kSelectHoldingStays, {animal_id}, [](const Rows& r, int i) {
        return HoldingStay{r.Int(i, 0), r.Int(i, 1), r.Time(i, 2), r.Text(i, 3)};
      });
}

template <>
Result<std::vector<Certificate>> Codecs::ReadMovementsOfAnimal(Connection& conn,
                                                               int64_t animal_id) {
  return postgres::ReadAll<Certificate>(conn, postgres::kSelectMovementsOfAnimal, {animal_id},
                                        [](const Rows& r, int i) {
                                          Certificate c;
                                          c.id = r.Text(i, 0);
                                          postgres::MovementFromRow(r, i, 1, c);
                                          return c;
                                        });
}

template <>
Result<std::vector<Passage>> Codecs::ReadPassagesOfAnimal(Connection& conn, int64_t animal_id) {
  return postgres::ReadAll<Passage>(conn, postgres::kSelectPassagesOfAnimal, {animal_id},
                                    postgres::PassageFromRow);
}

template <>
Status Codecs::SetAnimalHolding(Connection& conn, int64_t animal_id, int64_t holding_id) {
  return postgres::Write(conn, postgres::kSetAnimalHolding, {animal_id, holding_id});
}

template <>
Result<std::vector<Certificate>> Codecs::ReadMovementPage(Connection& conn,
                                                          const MovementListQuery& q) {
  const bool incoming = q.side == MovementListQuery::Side::kIncoming;
  const int status = incoming ? 1 : (q.status ? static_cast<int>(*q.status) + 1 : 0);
  postgres::Param before = q.before_issued_at
                               ? postgres::Param(q.before_issued_at->time_since_epoch().count())
                               : postgres::Param(std::nullopt);
  return postgres::ReadAll<Certificate>(
      conn, postgres::kSelectMovementPage,
      {q.scope, q.all_authorities ? 1 : 0, incoming ? 1 : 0, status,
       q.now.time_since_epoch().count(), before, q.before_id, std::clamp(q.limit, 1, 1000)},
      [](const Rows& r, int i) -> Result<Certificate> {
        HP_ASSIGN_OR_RETURN(Certificate c, postgres::ListedCertificateFromRow(r, i));
        postgres::MovementFromRow(r, i, 13, c);
        return c;
      });
}

template <>
Result<std::vector<Certificate>> Codecs::ReadCertificateList(Connection& conn,
                                                             const CertificateListQuery& q) {
  const int mode = q.all_authorities ? 2 : (q.destination_too ? 1 : 0);
  const int validity = !q.valid_at_now ? 0 : (*q.valid_at_now ? 1 : 2);
  const int64_t now = q.now.time_since_epoch().count();
  postgres::Param before = q.before_issued_at
                               ? postgres::Param(q.before_issued_at->time_since_epoch().count())
                               : postgres::Param(std::nullopt);
  return postgres::ReadAll<Certificate>(
      conn, postgres::kSelectCertificateList,
      {q.scope, mode, q.owner_id.value_or(0),
       std::string(q.status ? CertificateStatusName(*q.status) : ""), validity, now, before,
       q.before_id, std::clamp(q.limit, 1, 1000)},
      postgres::ListedCertificateFromRow);
}

// --- audit, counters, reports ---

template <>
Result<std::vector<AuditRow>> Codecs::ReadAuditPage(Connection& conn, const AuditQuery& q,
                                                    int limit) {
  auto millis = [](const std::optional<Timestamp>& t) -> postgres::Param {
    return t ? postgres::Param(t->time_since_epoch().count()) : postgres::Param(std::nullopt);
  };
  return q.all_authorities
             ? postgres::ReadAll<AuditRow>(
                   conn, postgres::kSelectAuditPage,
                   {q.after_seq, q.action, q.user_id, millis(q.from), millis(q.to), limit},
                   postgres::AuditFromRow)
             : postgres::ReadAll<AuditRow>(
                   conn, postgres::kSelectAuditPageInScope,
                   {q.after_seq, q.action, q.user_id, millis(q.from), millis(q.to), limit, q.scope},
                   postgres::AuditFromRow);
}

// In chunks, so that a long chain is not held in memory at once.
template <>
Status Codecs::ReadAuditChain(Connection& conn, store::AuditChainWalk& walk) {
  constexpr int kChunk = 10000;
  int64_t after = 0;
  for (;;) {
    HP_ASSIGN_OR_RETURN(const Rows rows, conn.Run(postgres::kSelectAuditChunk, {after, kChunk}));
    for (int i = 0; i < rows.size(); ++i) {
      AuditRow r = postgres::AuditFromRow(rows, i);
      after = r.seq;
      walk.Add(r);
    }
    if (rows.size() < kChunk) return Status::Ok();
  }
}

// --- field copy (W10) ---

template <>
Status Codecs::InsertFieldChange(Connection& conn, const store::FieldChange& change) {
  return postgres::Write(
      conn, postgres::kInsertFieldChange,
      {std::string(store::FieldChangeKindName(change.kind)), change.owner_id, change.ref});
}

template <>
Result<std::vector<store::FieldChange>> Codecs::ReadFieldChangesAfter(Connection& conn,
                                                                      int64_t after, int limit) {
  return postgres::ReadAll<store::FieldChange>(
      conn, postgres::kSelectFieldChangesAfter, {after, limit},
      [](const Rows& r, int i) -> Result<store::FieldChange> {
        store::FieldChange c;
        c.seq = r.Int(i, 0);
        auto kind = store::ParseFieldChangeKind(r.Text(i, 1));
        if (!kind) return Internal("an unknown kind in field_changes");
        c.kind = *kind;
        c.owner_id = r.Int(i, 2);
        c.ref = r.Text(i, 3);
        return c;
      });
}

template <>
Result<int64_t> Codecs::ReadLatestFieldChange(Connection& conn) {
  return postgres::ReadOne<int64_t>(
      conn, postgres::kSelectLatestFieldChange, {},
      [](const Rows& r, int i) { return r.Int(i, 0); }, "no change number");
}

template <>
Result<std::vector<int64_t>> Codecs::ReadOwnerIdsInScope(Connection& conn, const std::string& scope,
                                                         bool all_authorities) {
  return postgres::ReadAll<int64_t>(conn, postgres::kSelectOwnerIdsInScope,
                                    {scope, all_authorities ? 1 : 0},
                                    [](const Rows& r, int i) { return r.Int(i, 0); });
}

template <>
Result<StoreCounts> Codecs::ReadCounts(Connection& conn) {
  HP_ASSIGN_OR_RETURN(const Rows rows, conn.Run(postgres::kSelectCounters));
  StoreCounts c;
  for (int i = 0; i < rows.size(); ++i) store::SetCount(c, rows.Text(i, 0), rows.Int(i, 1));
  return c;
}

namespace {

// Every non-voided record of the owners of `scope` administered on or before `through`, as
// (animal ids, day, disease, vaccine, head count): the doses of the W11 report and W15's due list.
template <typename Fn>
Status ForEachCoverageDose(Connection& conn, const std::string& scope, Date through, Fn fn) {
  HP_ASSIGN_OR_RETURN(const Rows rows,
                      conn.Run(postgres::kSelectCoverageDoses, {scope, through.days()}));
  for (int i = 0; i < rows.size(); ++i) {
    fn(rows.IntArray(i, 0), rows.Day(i, 1), rows.Text(i, 2), rows.Text(i, 3), rows.Int(i, 4));
  }
  return Status::Ok();
}

}  // namespace

template <>
Status Codecs::ReadCoverage(Connection& conn, const CoverageQuery& q, CoverageTally& tally) {
  {
    HP_ASSIGN_OR_RETURN(const Rows rows,
                        conn.Run(postgres::kSelectCoverageUnits, {q.scope, q.species}));
    for (int i = 0; i < rows.size(); ++i) {
      tally.AddUnit(rows.Int(i, 0), rows.Text(i, 1), rows.Text(i, 2), rows.Int(i, 3),
                    rows.Bool(i, 4), rows.Time(i, 5));
    }
  }
  return ForEachCoverageDose(conn, q.scope, q.to, [&](auto&&... dose) { tally.AddDose(dose...); });
}

template <>
Status Codecs::ReadDue(Connection& conn, const DueQuery& q, DueListBuilder& due) {
  {
    HP_ASSIGN_OR_RETURN(const Rows rows, conn.Run(postgres::kSelectDueOwners, {q.scope}));
    for (int i = 0; i < rows.size(); ++i) due.AddOwner(postgres::OwnerFromRow(rows, i));
  }
  {
    HP_ASSIGN_OR_RETURN(const Rows rows, conn.Run(postgres::kSelectDueUnits, {q.scope}));
    for (int i = 0; i < rows.size(); ++i) due.AddUnit(postgres::AnimalFromRow(rows, i));
  }
  return ForEachCoverageDose(conn, q.scope, q.today, [&](auto&&... dose) { due.AddDose(dose...); });
}

template <>
Status Codecs::ReadReminders(Connection& conn, const ReminderQuery& q, ReminderBuilder& reminders) {
  HP_ASSIGN_OR_RETURN(const Rows rows,
                      conn.Run(postgres::kSelectReminderRows,
                               {reminders.DosesFrom().days(), q.today.days(), q.reminded_after}));
  for (int i = 0; i < rows.size(); ++i) {
    if (rows.IsNull(i, 0)) {
      reminders.AddDose(rows.IntArray(i, 14), rows.Day(i, 15), rows.Text(i, 16), rows.Text(i, 17),
                        rows.Int(i, 18));
    } else {
      reminders.AddUnit(postgres::AnimalFromRow(rows, i), rows.Text(i, 12), rows.Text(i, 13));
    }
  }
  return Status::Ok();
}

template <>
Result<std::vector<Holding>> Codecs::ReadHoldingsOfAuthorities(
    Connection& conn, const std::vector<std::string>& authorities) {
  return postgres::ReadAll<Holding>(conn, postgres::kSelectHoldingsOfAuthorities,
                                    {postgres::TextArrayLiteral(authorities)},
                                    postgres::HoldingFromRow);
}

template <>
Status Codecs::ReadRing(Connection& conn, const std::vector<int64_t>& holding_ids, Date today,
                        RingListBuilder& ring) {
  const std::string ids = postgres::IntArrayLiteral(holding_ids);
  {
    HP_ASSIGN_OR_RETURN(const Rows rows, conn.Run(postgres::kSelectRingUnits, {ids}));
    for (int i = 0; i < rows.size(); ++i) ring.AddUnit(postgres::AnimalFromRow(rows, i));
  }
  {
    HP_ASSIGN_OR_RETURN(const Rows rows, conn.Run(postgres::kSelectRingOwners, {ids}));
    for (int i = 0; i < rows.size(); ++i) ring.AddOwner(postgres::OwnerFromRow(rows, i));
  }
  HP_ASSIGN_OR_RETURN(const Rows rows, conn.Run(postgres::kSelectRingDoses, {ids, today.days()}));
  for (int i = 0; i < rows.size(); ++i) {
    ring.AddDose(rows.IntArray(i, 0), rows.Day(i, 1), rows.Text(i, 2), rows.Text(i, 3),
                 rows.Int(i, 4));
  }
  return Status::Ok();
}

namespace postgres {
namespace {

// Sorts `v` and removes its repeated values.
template <class T>
void Unique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// The row numbers of `rows`.
std::vector<int> Range(const Rows& rows) {
  std::vector<int> out(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) out[static_cast<size_t>(i)] = i;
  return out;
}

// The record rules' port for a W1 batch (store_core.h BatchPortOf): the same reads and writes as
// CodecRecordPort, in fewer round trips. Start() reads the rows the batch's records name (their
// ids, the records they correct, their owners by id or phone, their tags, those owners' flocks)
// with one statement each, in one round trip; the rules' reads of those rows are then
// answered from what was read, kept up to date with the batch's own writes (and undone with a
// record's savepoint), and the writes that return nothing are not waited for: the record rows,
// the owners' revisions and the field changes are collected (Connection::SetDeferWrites) and
// sent at Finish as one statement each (queries.h kCollected), except that the record rows of
// every kPostgresRecordsPerSend stored records go out at once as one statement, so that the server
// inserts them while the rules work on the next records (the rows of a record not yet done stay
// collected, to be forgotten with it); the rest (flock head counts,
// savepoints) in the writer's pipeline (writer_session.h). A record's savepoint is sent only
// before its first write that goes out at once (a new owner or animal, a flock's head count):
// a record that writes only collected rows is undone by forgetting them. A read of anything else,
// or an insert returning an id (a new owner, a new animal), waits for everything sent before it
// in one round trip. Correct only because the writer holds the writer lock (queries.h) for the
// whole transaction: no other writer changes these rows, and no read of the batch's reads a row
// collected and not yet sent (stored records are answered from stored_; revisions and field
// changes are not read).
template <class Txn>
class BatchPort final : public store::RecordPort {
 public:
  explicit BatchPort(Txn& tx) : tx_(tx), conn_(tx.conn()) {}
  ~BatchPort() override { conn_.SetDeferWrites(false); }
  BatchPort(const BatchPort&) = delete;
  BatchPort& operator=(const BatchPort&) = delete;

  Status Start(std::span<const VaccinationInput> records, const BatchContext& ctx) {
    std::vector<std::string> keys;
    std::vector<int64_t> owner_ids;
    std::vector<std::string> phones;
    std::vector<std::string> tags;
    for (const VaccinationInput& in : records) {
      if (auto key = Codecs::RecordKey(in.id)) keys.push_back(std::move(*key));
      if (!in.corrects.empty()) {
        if (auto key = Codecs::RecordKey(in.corrects)) keys.push_back(std::move(*key));
      }
      if (in.owner_id) {
        owner_ids.push_back(*in.owner_id);
      } else if (!in.owner_phone.empty()) {
        phones.push_back(in.owner_phone);
      }
      for (const std::string& tag : in.animal_tags) tags.push_back(tag);
    }
    // Each key once: a batch names most of its owners several times.
    Unique(keys);
    Unique(owner_ids);
    Unique(phones);
    Unique(tags);
    // One round trip (the writer's pipeline): the records, the owners, the tags, the flocks, and
    // what the receipts read (ReadReceiptInputs) for every owner named.
    const std::string owner_list = IntArrayLiteral(owner_ids);
    const std::string phone_list = TextArrayLiteral(phones);
    auto [key_before, key_after] = VaccinationReceipt::KeyAround(Date::Of(ctx.at));
    HP_ASSIGN_OR_RETURN(
        const std::vector<Rows> read,
        conn_.RunAll({{kBatchStoredRecords, {TextArrayLiteral(keys)}},
                      {kBatchOwners, {owner_list, phone_list}},
                      {kBatchAnimalsByTag, {TextArrayLiteral(tags)}},
                      {kBatchFlocks, {owner_list, phone_list}},
                      {kBatchSmsOwners, {owner_list, phone_list}},
                      {kBatchReceipts, {owner_list, phone_list, key_before, key_after}},
                      {kSelectUserById, {ctx.user_id}}}));
    HP_ASSIGN_OR_RETURN(receipts_, ReceiptInputsFromRows(read[4], read[5], read[6]));
    receipts_user_ = ctx.user_id;
    for (const SmsOwnerSettings& s : receipts_.settings) receipt_owners_.insert(s.owner_id);
    for (const std::string& key : keys) stored_[key] = std::nullopt;
    for (const Rows& rows = read[0]; int i : Range(rows)) {
      stored_[rows.Text(i, 0)] =
          store::StoredRecord{rows.Int(i, 1), rows.Text(i, 2), rows.Bool(i, 3)};
    }
    for (int64_t id : owner_ids) owner_by_id_[id] = std::nullopt;
    for (const std::string& phone : phones) owner_by_phone_[phone] = std::nullopt;
    for (const Rows& rows = read[1]; int i : Range(rows)) {
      Owner o = OwnerFromRow(rows, i);
      flocks_known_.insert(o.id);
      owner_by_id_[o.id] = o;
      owner_by_phone_[o.phone] = std::move(o);
    }
    for (const std::string& tag : tags) animal_by_tag_[tag] = std::nullopt;
    // As kSelectAnimalByTag's first row: the animal wearing the tag before one that wore it.
    for (int pass = 0; pass < 2; ++pass) {
      for (const Rows& rows = read[2]; int i : Range(rows)) {
        if (rows.Int(i, 13) != pass) continue;
        std::optional<Animal>& slot = animal_by_tag_[rows.Text(i, 12)];
        if (!slot) slot = AnimalFromRow(rows, i);
      }
    }
    for (const Rows& rows = read[3]; int i : Range(rows)) {
      store::Flock f{rows.Int(i, 2), rows.Int(i, 3), std::nullopt};
      if (!rows.IsNull(i, 4)) f.last_event_on = rows.Day(i, 4);
      flocks_[{rows.Int(i, 0), rows.Text(i, 1)}] = f;
    }
    // The records' own writes go out without waiting (Connection::SetDeferWrites).
    conn_.SetDeferWrites(true);
    return Status::Ok();
  }

  // Sends the collected rows; the batch's writes wait again. Their failures come with the next
  // statement that waits (the job's audit row, or WriteSession::StatementFailed).
  Status Finish() {
    Status sent = conn_.SendCollected();
    conn_.SetDeferWrites(false);
    return sent;
  }

  // From what Start read, when it read for every owner asked about (every owner has settings);
  // an owner the batch added (by a phone no owner had) is read as Codecs::ReadReceiptInputs does.
  // Nothing the batch writes before its receipts changes these rows.
  Result<store::SmsReceiptInputs> ReadReceiptInputs(const std::vector<int64_t>& owner_ids,
                                                    const std::vector<std::string>& keys,
                                                    int64_t user_id) {
    bool read = user_id == receipts_user_;
    for (int64_t id : owner_ids) read = read && receipt_owners_.contains(id);
    if (!read) return Codecs::ReadReceiptInputs(conn_, owner_ids, keys, user_id);
    const std::set<int64_t> owners(owner_ids.begin(), owner_ids.end());
    const std::set<std::string> wanted(keys.begin(), keys.end());
    store::SmsReceiptInputs in;
    for (const SmsOwnerSettings& s : receipts_.settings) {
      if (owners.contains(s.owner_id)) in.settings.push_back(s);
    }
    for (const SmsMessage& m : receipts_.existing) {
      if (wanted.contains(m.dedupe_key)) in.existing.push_back(m);
    }
    in.vaccinator = receipts_.vaccinator;
    return in;
  }

  std::optional<std::string> RecordKey(const std::string& uuid) override {
    return Codecs::RecordKey(uuid);
  }
  Result<store::StoredRecord> ReadStoredRecord(const std::string& key) override {
    auto it = stored_.find(key);
    if (it == stored_.end()) return Codecs::ReadStoredRecord(conn_, key);
    if (!it->second) return NotFound(store::kNoSuchVaccination);
    return *it->second;
  }
  Result<Owner> OwnerById(int64_t id) override {
    auto it = owner_by_id_.find(id);
    if (it == owner_by_id_.end()) return Codecs::ReadOwnerById(conn_, id);
    if (!it->second) return NotFound(store::kNoSuchOwner);
    return *it->second;
  }
  Result<Owner> OwnerByPhone(const std::string& e164) override {
    auto it = owner_by_phone_.find(e164);
    if (it == owner_by_phone_.end()) return Codecs::ReadOwnerByPhone(conn_, e164);
    if (!it->second) return NotFound(store::kNoOwnerWithPhone);
    return *it->second;
  }
  Result<int64_t> AddOwner(const NewOwner& owner) override {
    HP_RETURN_IF_ERROR(tx_.SaveNested());
    HP_ASSIGN_OR_RETURN(const int64_t id, store::AddRecordOwner<Codecs>(tx_, owner));
    Owner o{id, owner.phone, owner.name, owner.village, owner.authority, owner.created_at};
    Put(owner_by_id_, id, std::optional<Owner>(o));
    Put(owner_by_phone_, owner.phone, std::optional<Owner>(o));
    if (flocks_known_.insert(id).second) undo_.push_back([this, id] { flocks_known_.erase(id); });
    return id;
  }
  Result<Animal> AnimalByTag(const std::string& tag) override {
    auto it = animal_by_tag_.find(tag);
    if (it == animal_by_tag_.end()) return Codecs::ReadAnimalByTag(conn_, tag);
    if (!it->second) return NotFound(store::kNoAnimalWithTag);
    return *it->second;
  }
  Result<int64_t> AddAnimal(const NewAnimal& animal) override {
    HP_RETURN_IF_ERROR(tx_.SaveNested());
    HP_ASSIGN_OR_RETURN(const int64_t id, store::AddRecordAnimal<Codecs>(tx_, animal));
    if (animal.tag) {
      Put(animal_by_tag_, *animal.tag, std::optional<Animal>(store::StoredAnimal(id, animal)));
    } else if (flocks_known_.contains(animal.owner_id) &&
               !flocks_.contains({animal.owner_id, animal.species})) {
      Put(flocks_, std::pair(animal.owner_id, animal.species),
          store::Flock{id, animal.head_count, std::nullopt});
    }
    return id;
  }
  Result<std::optional<store::Flock>> ReadFlock(int64_t owner_id,
                                                const std::string& species) override {
    if (!flocks_known_.contains(owner_id)) return Codecs::ReadFlock(conn_, owner_id, species);
    auto it = flocks_.find({owner_id, species});
    if (it == flocks_.end()) return std::optional<store::Flock>();
    return std::optional<store::Flock>(it->second);
  }
  Status RaiseFlockHeadCount(int64_t owner_id, int64_t flock_id, int32_t head_count) override {
    HP_RETURN_IF_ERROR(tx_.SaveNested());
    HP_RETURN_IF_ERROR(store::RaiseRecordFlock<Codecs>(tx_, owner_id, flock_id, head_count));
    for (auto& [unit, flock] : flocks_) {
      if (flock.id != flock_id || flock.head_count >= head_count) continue;
      store::Flock raised = flock;
      raised.head_count = head_count;
      Put(flocks_, unit, raised);
    }
    return Status::Ok();
  }
  Status InsertVaccination(const store::RecordRow& row) override {
    HP_RETURN_IF_ERROR(store::InsertRecordRow<Codecs>(tx_, row));
    Put(stored_, row.key,
        std::optional<store::StoredRecord>(
            store::StoredRecord{row.owner_id, row.authority, false}));
    return Status::Ok();
  }
  void Count(store::Counter c) override { tx_.Count(c); }
  Status BeginNested() override {
    undo_.clear();
    record_mark_ = conn_.CollectedMark();
    return tx_.BeginNested(/*lazy=*/true);
  }
  Status ReleaseNested() override {
    undo_.clear();
    HP_RETURN_IF_ERROR(tx_.ReleaseNested());
    // Every kPostgresRecordsPerSend records, their rows go to the server at once: it inserts them
    // while the rules go on with the next records, instead of all at Finish.
    if (++unsent_records_ < kPostgresRecordsPerSend) return Status::Ok();
    unsent_records_ = 0;
    return conn_.SendCollected(&kInsertVaccination);
  }
  Status RollbackNested() override {
    for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) (*it)();
    undo_.clear();
    conn_.DropCollected(record_mark_);
    return tx_.RollbackNested();
  }
  bool InTransaction() override { return tx_.InTransaction(); }

 private:
  // Sets m[k] = v, remembering how to undo it if the record's savepoint is rolled back.
  template <class Map, class Key, class Value>
  void Put(Map& m, const Key& k, Value v) {
    auto it = m.find(k);
    if (it == m.end()) {
      undo_.push_back([&m, k] { m.erase(k); });
    } else {
      undo_.push_back([&m, k, old = it->second] { m.insert_or_assign(k, old); });
    }
    m.insert_or_assign(k, std::move(v));
  }

  Txn& tx_;
  Connection& conn_;
  int unsent_records_ = 0;  // stored since their rows were last sent
  // What was read ahead, and written since; nullopt: known not to exist.
  std::map<std::string, std::optional<store::StoredRecord>> stored_;
  std::map<int64_t, std::optional<Owner>> owner_by_id_;
  std::map<std::string, std::optional<Owner>> owner_by_phone_;
  std::map<std::string, std::optional<Animal>> animal_by_tag_;
  std::set<int64_t> flocks_known_;  // owners whose flocks are all in flocks_
  std::map<std::pair<int64_t, std::string>, store::Flock> flocks_;
  // Undoes the current record's changes to the above, newest last.
  std::vector<std::function<void()>> undo_;
  // The connection's collected rows when the current record began.
  size_t record_mark_ = 0;
  // The receipts' inputs read by Start for the batch's owners (receipt_owners_) and user.
  store::SmsReceiptInputs receipts_;
  std::set<int64_t> receipt_owners_;
  int64_t receipts_user_ = 0;
};

// What the store core needs of PostgreSQL besides the codecs (store/store_core.h). A reader left
// inside a transaction (a failed read) is rolled back when returned to the pool (ReturnReader); a
// connection the server dropped is opened again when next leased (Ready).
struct Backend {
  using Session = WriteSession;
  template <class Txn>
  using BatchPort = postgres::BatchPort<Txn>;
  using Connection = postgres::Connection;
  static Status Migrate(Connection& conn) { return postgres::Migrate(conn); }
  static void ReturnReader(Connection& conn) {
    (void)conn.EndPipeline();
    if (!conn.Broken() && conn.InTransaction()) (void)conn.Exec(kRollback);
  }
  static Status Ready(Connection& conn) { return conn.Broken() ? conn.Reset() : Status::Ok(); }
  // Read-only REPEATABLE READ: every statement inside sees one snapshot. In pipeline mode, so that
  // the BEGIN goes with the first read and the COMMIT is one round trip with whatever is left.
  static Status BeginSnapshot(Connection& conn) {
    HP_RETURN_IF_ERROR(conn.BeginPipeline());
    return conn.Exec(kBeginSnapshot);
  }
  static void EndSnapshot(Connection& conn) {
    if (conn.InPipeline()) {
      if (!conn.Broken()) (void)conn.Exec(kCommit);
      (void)conn.EndPipeline();
      return;
    }
    if (!conn.Broken() && conn.InTransaction()) (void)conn.Exec(kCommit);
  }
  // An owner's history (store_core.h OwnerHistoryOf): its reads by the owner's id, sent at once.
  static void ReadAheadOwnerHistory(Connection& conn, int64_t owner_id, Date since) {
    conn.SendAhead(kSelectAnimalsByOwner, {owner_id});
    conn.SendAhead(kSelectOwnerVaccinationsSince, {owner_id, since});
    conn.SendAhead(kSelectChangesIntoOwner, {owner_id});
    conn.SendAhead(kSelectChangesFromOwner, {owner_id});
  }
};

using PostgresStore = store::StoreCore<Backend>;

}  // namespace
}  // namespace postgres

bool IsPostgresUri(std::string_view db) {
  return db.starts_with("postgresql://") || db.starts_with("postgres://");
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options) {
  int readers = options.pool_size;
  if (readers <= 0) readers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return postgres::PostgresStore::Open([&](bool) { return Connection::Open(options.conninfo); },
                                       readers, options.max_group);
}

int64_t PostgresRoundTrips() { return postgres::RoundTrips(); }
int64_t PostgresStatements() { return postgres::Statements(); }

int PostgresSchemaVersion() { return postgres::LatestSchemaVersion(); }

}  // namespace herdpass
