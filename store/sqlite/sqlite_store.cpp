// The SQLite Store: the store core (store/store_core.h) over SQLite's row codecs, defined here
// (store/record_codecs.h declares them) before the core is instantiated over them. See
// sqlite_store.h and store/store.h for the contracts.
#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "domain/animal_events.h"
#include "store/counters.h"
#include "store/not_found.h"
#include "store/record_codecs.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/id_list.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/queries.h"
#include "store/sqlite/writer_session.h"
#include "store/store_core.h"
#include "store/tag_list.h"

namespace herdpass {
namespace sqlite {
namespace {

int64_t Millis(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp FromMillis(int64_t ms) { return Timestamp(std::chrono::milliseconds(ms)); }
Date FromDays(int64_t days) { return Date::FromDays(static_cast<int32_t>(days)); }

Owner OwnerFromRow(const Statement& st) {
  return Owner{st.Int(0), st.Text(1), st.Text(2), st.Text(3), st.Text(4), FromMillis(st.Int(5))};
}

Animal AnimalFromRow(const Statement& st) {
  Animal a;
  a.id = st.Int(0);
  a.owner_id = st.Int(1);
  if (!st.IsNull(2)) a.tag = st.Text(2);
  a.species = st.Text(3);
  a.head_count = static_cast<int32_t>(st.Int(4));
  a.sex = st.Text(5);
  if (!st.IsNull(6)) a.birth_date = FromDays(st.Int(6));
  a.authority = st.Text(7);
  a.created_at = FromMillis(st.Int(8));
  if (!st.IsNull(9)) a.holding_id = st.Int(9);
  if (!st.IsNull(10)) {
    auto kind = ParseAnimalEventKind(st.Text(10));
    if (kind.ok()) a.ended_kind = *kind;
  }
  if (!st.IsNull(11)) a.ended_on = FromDays(st.Int(11));
  return a;
}

Result<Holding> HoldingFromRow(const Statement& st) {
  Holding h;
  h.id = st.Int(0);
  h.authority = st.Text(1);
  h.code = st.Text(2);
  auto kind = ParseHoldingKind(st.Text(3));
  if (!kind.ok()) return Internal("a stored holding has an unknown kind");
  h.kind = *kind;
  h.name = st.Text(4);
  if (!st.IsNull(5)) h.owner_id = st.Int(5);
  h.owner_masked_name = st.Text(6);
  h.lat = st.OptDouble(7).value_or(0);
  h.lon = st.OptDouble(8).value_or(0);
  h.opened_on = FromDays(st.Int(9));
  if (!st.IsNull(10)) h.closed_on = FromDays(st.Int(10));
  h.created_at = FromMillis(st.Int(11));
  return h;
}

Result<AnimalEvent> AnimalEventFromRow(const Statement& st) {
  AnimalEvent e;
  e.id = UuidFromBytes(st.Blob(0));
  e.animal_id = st.Int(1);
  auto kind = ParseAnimalEventKind(st.Text(2));
  if (!kind.ok()) return Internal("a stored animal event has an unknown kind");
  e.kind = *kind;
  e.on = FromDays(st.Int(3));
  e.reason = st.Text(4);
  e.old_tag = st.Text(5);
  e.new_tag = st.Text(6);
  e.head = static_cast<int32_t>(st.Int(7));
  e.head_after = static_cast<int32_t>(st.Int(8));
  e.recorded_by = st.Int(9);
  e.recorded_at = FromMillis(st.Int(10));
  e.authority = st.Text(11);
  return e;
}

Result<Passage> PassageFromRow(const Statement& st) {
  Passage p;
  p.id = UuidFromBytes(st.Blob(0));
  p.certificate_id = st.Text(1);
  p.holding_id = st.Int(2);
  p.at = FromMillis(st.Int(3));
  p.head_seen = static_cast<int32_t>(st.Int(4));
  p.note = st.Text(5);
  p.recorded_by = st.Int(6);
  p.received_at = FromMillis(st.Int(7));
  HP_ASSIGN_OR_RETURN(p.flag, ParsePassageFlag(st.Text(8)));
  p.authority = st.Text(9);
  return p;
}

Vaccination VaccinationFromRow(const Statement& st) {
  Vaccination v;
  v.id = UuidFromBytes(st.Blob(0));
  v.owner_id = st.Int(1);
  v.administered_on = FromDays(st.Int(2));
  v.animal_ids = DecodeIds(st.Blob(3));
  v.species = st.Text(4);
  v.head_count = static_cast<int32_t>(st.Int(5));
  v.disease = st.Text(6);
  v.vaccine = st.Text(7);
  v.batch_no = st.Text(8);
  v.dose_ml = st.OptDouble(9);
  v.lat = st.OptDouble(10);
  v.lon = st.OptDouble(11);
  v.device_id = st.Text(12);
  v.recorded_by = st.Int(13);
  v.recorded_at = FromMillis(st.Int(14));
  v.authority = st.Text(15);
  v.voided = st.Int(16) != 0;
  v.void_reason = st.Text(17);
  if (!st.IsNull(18)) v.voided_at = FromMillis(st.Int(18));
  if (!st.IsNull(19)) v.corrects = UuidFromBytes(st.Blob(19));
  if (!st.IsNull(20)) v.holding_id = st.Int(20);
  return v;
}

Result<User> UserFromRow(const Statement& st) {
  User u;
  u.id = st.Int(0);
  u.username = st.Text(1);
  u.password_hash = st.Text(2);
  auto role = ParseRole(st.Text(3));
  if (!role.ok()) return Internal("a stored user has an unknown role");
  u.role = *role;
  u.authority = st.Text(4);
  u.disabled = st.Int(5) != 0;
  u.created_at = FromMillis(st.Int(6));
  return u;
}

Result<Certificate> CertificateFromRow(const Statement& st) {
  Certificate c;
  c.id = st.Text(0);
  c.number = st.Text(1);
  c.authority = st.Text(2);
  c.kid = st.Text(3);
  c.owner_id = st.Int(4);
  c.species = st.Text(5);
  c.head_count = static_cast<int32_t>(st.Int(6));
  HP_ASSIGN_OR_RETURN(c.purpose, store::StoredPurpose(st.Text(7)));
  c.origin = st.Text(8);
  c.origin_place = st.Text(9);
  c.destination = st.Text(10);
  c.destination_place = st.Text(11);
  c.transport = st.Text(12);
  c.issued_at = FromMillis(st.Int(13));
  c.valid_until = FromMillis(st.Int(14));
  c.vet_id = st.Int(15);
  c.vet_name = st.Text(16);
  c.owner_masked_name = st.Text(17);
  c.owner_phone_last4 = st.Text(18);
  c.hp1 = st.Text(19);
  HP_ASSIGN_OR_RETURN(c.status, store::StoredCertificateStatus(st.Text(20)));
  if (!st.IsNull(21)) c.consumed_at = FromMillis(st.Int(21));
  c.consumed_by = st.Int(22);
  c.consumed_by_name = st.Text(23);
  c.consumed_place = st.Text(24);
  if (!st.IsNull(25)) c.revoked_at = FromMillis(st.Int(25));
  c.revoked_by = st.Int(26);
  c.revoke_reason = st.Text(27);
  return c;
}

// A page of the list: the fields CertificateListQuery promises.
Result<Certificate> ListedCertificateFromRow(const Statement& st) {
  Certificate c;
  c.id = st.Text(0);
  c.number = st.Text(1);
  c.authority = st.Text(2);
  c.owner_id = st.Int(3);
  c.species = st.Text(4);
  c.head_count = static_cast<int32_t>(st.Int(5));
  HP_ASSIGN_OR_RETURN(c.purpose, store::StoredPurpose(st.Text(6)));
  c.origin = st.Text(7);
  c.destination = st.Text(8);
  c.issued_at = FromMillis(st.Int(9));
  c.valid_until = FromMillis(st.Int(10));
  c.owner_masked_name = st.Text(11);
  HP_ASSIGN_OR_RETURN(c.status, store::StoredCertificateStatus(st.Text(12)));
  return c;
}

SigningKey SigningKeyFromRow(const Statement& st) {
  SigningKey k;
  k.kid = st.Text(0);
  k.authority = st.Text(1);
  k.country = st.Text(2);
  k.algorithm = st.Text(3);
  k.public_key = st.Text(4);
  k.root = st.Int(5) != 0;
  k.valid_from = FromMillis(st.Int(6));
  k.valid_until = FromMillis(st.Int(7));
  if (!st.IsNull(8)) k.retired_at = FromMillis(st.Int(8));
  k.source = st.Text(9);
  return k;
}

AuditRow AuditFromRow(const Statement& st) {
  AuditRow r;
  r.seq = st.Int(0);
  r.entry.at = FromMillis(st.Int(1));
  r.entry.user_id = st.Int(2);
  r.entry.username = st.Text(3);
  r.entry.action = st.Text(4);
  r.entry.target = st.Text(5);
  r.entry.detail = st.Text(6);
  r.entry.address = st.Text(7);
  r.prev_hash = st.Text(8);
  r.hash = st.Text(9);
  r.entry.authority = st.Text(10);
  return r;
}

template <typename T>
void BindOptional(Statement& st, int i, const std::optional<T>& v) {
  if (v) {
    st.Bind(i, *v);
  } else {
    st.BindNull(i);
  }
}

// Prepares `q` and binds its parameters with `bind`.
template <typename Bind>
Result<Statement> Bound(Connection& conn, const Query& q, Bind bind) {
  HP_ASSIGN_OR_RETURN(Statement st, conn.Prepare(q));
  bind(st);
  return st;
}

// Runs `q` (no rows expected); whether it changed a row.
template <typename Bind>
Result<bool> Change(Connection& conn, const Query& q, Bind bind) {
  HP_ASSIGN_OR_RETURN(Statement st, Bound(conn, q, bind));
  HP_RETURN_IF_ERROR(st.Run());
  return st.Changes() != 0;
}

template <typename Bind>
Status Write(Connection& conn, const Query& q, Bind bind) {
  return Change(conn, q, bind).status();
}

// The first row of `q` mapped with `map`; nullopt when there is none.
template <typename T, typename Bind, typename Map>
Result<std::optional<T>> ReadFirst(Connection& conn, const Query& q, Bind bind, Map map) {
  HP_ASSIGN_OR_RETURN(Statement st, Bound(conn, q, bind));
  HP_ASSIGN_OR_RETURN(const bool row, st.Next());
  if (!row) return std::optional<T>();
  return std::optional<T>(map(st));
}

// A single-row lookup: kNotFound (`not_found`) when there is no row.
template <typename T, typename Bind, typename Map>
Result<T> ReadOne(Connection& conn, const Query& q, Bind bind, Map map, const char* not_found) {
  HP_ASSIGN_OR_RETURN(auto row, ReadFirst<Result<T>>(conn, q, bind, map));
  if (!row) return NotFound(not_found);
  return std::move(*row);
}

// Every row of `q`, each handed to `add` (which may fail).
template <typename Bind, typename Add>
Status ForEachRow(Connection& conn, const Query& q, Bind bind, Add add) {
  HP_ASSIGN_OR_RETURN(Statement st, Bound(conn, q, bind));
  for (;;) {
    HP_ASSIGN_OR_RETURN(const bool row, st.Next());
    if (!row) return Status::Ok();
    HP_RETURN_IF_ERROR(add(st));
  }
}

// Every row of `q` mapped with `map` (T or Result<T>).
template <typename T, typename Bind, typename Map>
Result<std::vector<T>> ReadAll(Connection& conn, const Query& q, Bind bind, Map map) {
  std::vector<T> out;
  HP_RETURN_IF_ERROR(ForEachRow(conn, q, bind, [&](const Statement& st) -> Status {
    Result<T> one = map(st);
    HP_ASSIGN_OR_RETURN(T value, std::move(one));
    out.push_back(std::move(value));
    return Status::Ok();
  }));
  return out;
}

const auto kNoParams = [](Statement&) {};

// A bearer token's row: users' tokens (TokenRecord) and owners' sessions (OwnerSession) have the
// same four columns: the token's SHA-256, whose it is (`kHolder`), created, expires.
template <typename Row, int64_t Row::*kHolder>
Status InsertBearer(Connection& conn, const Query& q, const Row& row) {
  return Write(conn, q, [&](Statement& st) {
    st.Bind(1, row.token_hash)
        .Bind(2, row.*kHolder)
        .Bind(3, Millis(row.created_at))
        .Bind(4, Millis(row.expires_at));
  });
}

template <typename Row, int64_t Row::*kHolder>
Result<std::optional<Row>> ReadBearer(Connection& conn, const Query& q,
                                      const std::string& token_hash) {
  return ReadFirst<Row>(
      conn, q, [&](Statement& st) { st.Bind(1, token_hash); },
      [](const Statement& st) {
        Row row;
        row.token_hash = st.Text(0);
        row.*kHolder = st.Int(1);
        row.created_at = FromMillis(st.Int(2));
        row.expires_at = FromMillis(st.Int(3));
        return row;
      });
}

// A JSON array of ids, bound as one parameter and read through json_each.
std::string JsonIdList(const std::vector<int64_t>& ids) {
  std::string list = "[";
  for (size_t i = 0; i < ids.size(); ++i) list += (i > 0 ? "," : "") + std::to_string(ids[i]);
  return list + ']';
}

}  // namespace
}  // namespace sqlite

using sqlite::Connection;
using sqlite::Statement;
using Codecs = store::RecordCodecs<Connection>;

template <>
Result<Owner> Codecs::ReadOwnerById(Connection& conn, int64_t id) {
  return sqlite::ReadOne<Owner>(
      conn, sqlite::kSelectOwnerById, [&](Statement& st) { st.Bind(1, id); }, sqlite::OwnerFromRow,
      store::kNoSuchOwner);
}

template <>
Result<std::vector<Owner>> Codecs::ReadOwnersByIds(Connection& conn,
                                                   const std::vector<int64_t>& ids) {
  return sqlite::ReadAll<Owner>(
      conn, sqlite::kSelectOwnersByIds, [&](Statement& st) { st.Bind(1, sqlite::JsonIdList(ids)); },
      sqlite::OwnerFromRow);
}

template <>
Result<Owner> Codecs::ReadOwnerByPhone(Connection& conn, const std::string& e164) {
  return sqlite::ReadOne<Owner>(
      conn, sqlite::kSelectOwnerByPhone, [&](Statement& st) { st.Bind(1, e164); },
      sqlite::OwnerFromRow, store::kNoOwnerWithPhone);
}

template <>
Result<OwnerRevision> Codecs::ReadOwnerRevisionByPhone(Connection& conn, const std::string& e164) {
  return sqlite::ReadOne<OwnerRevision>(
      conn, sqlite::kSelectOwnerRevisionByPhone, [&](Statement& st) { st.Bind(1, e164); },
      [](const Statement& st) {
        return OwnerRevision{st.Int(0), st.Text(1), st.Int(2)};
      },
      store::kNoOwnerWithPhone);
}

template <>
Status Codecs::BumpOwnerRevision(Connection& conn, int64_t owner_id) {
  return sqlite::Write(conn, sqlite::kBumpOwnerRevision,
                       [&](Statement& st) { st.Bind(1, owner_id); });
}

template <>
Result<int64_t> Codecs::InsertOwner(Connection& conn, const NewOwner& owner) {
  HP_RETURN_IF_ERROR(sqlite::Write(conn, sqlite::kInsertOwner, [&](Statement& st) {
    st.Bind(1, owner.phone)
        .Bind(2, owner.name)
        .Bind(3, owner.village)
        .Bind(4, owner.authority)
        .Bind(5, sqlite::Millis(owner.created_at));
  }));
  return static_cast<int64_t>(sqlite3_last_insert_rowid(conn.db()));
}

template <>
Result<Animal> Codecs::ReadAnimalByTag(Connection& conn, const std::string& tag) {
  return sqlite::ReadOne<Animal>(
      conn, sqlite::kSelectAnimalByTag, [&](Statement& st) { st.Bind(1, tag); },
      sqlite::AnimalFromRow, store::kNoAnimalWithTag);
}

template <>
Result<std::vector<Animal>> Codecs::ReadAnimalsOfOwner(Connection& conn, int64_t owner_id) {
  return sqlite::ReadAll<Animal>(
      conn, sqlite::kSelectAnimalsByOwner, [&](Statement& st) { st.Bind(1, owner_id); },
      sqlite::AnimalFromRow);
}

template <>
Result<int64_t> Codecs::InsertAnimal(Connection& conn, const NewAnimal& animal) {
  std::optional<int64_t> birth_days;
  if (animal.birth_date) birth_days = animal.birth_date->days();
  HP_RETURN_IF_ERROR(sqlite::Write(conn, sqlite::kInsertAnimal, [&](Statement& st) {
    st.Bind(1, animal.owner_id);
    sqlite::BindOptional(st, 2, animal.tag);
    st.Bind(3, animal.species).Bind(4, animal.head_count).Bind(5, animal.sex);
    sqlite::BindOptional(st, 6, birth_days);
    st.Bind(7, animal.authority).Bind(8, sqlite::Millis(animal.created_at));
    sqlite::BindOptional(st, 9, animal.holding_id);
  }));
  return static_cast<int64_t>(sqlite3_last_insert_rowid(conn.db()));
}

// --- holdings ---

template <>
Result<int64_t> Codecs::InsertHolding(Connection& conn, const Holding& h) {
  std::optional<int64_t> closed_days;
  if (h.closed_on) closed_days = h.closed_on->days();
  HP_RETURN_IF_ERROR(sqlite::Write(conn, sqlite::kInsertHolding, [&](Statement& st) {
    st.Bind(1, h.authority).Bind(2, h.code).Bind(3, HoldingKindName(h.kind)).Bind(4, h.name);
    sqlite::BindOptional(st, 5, h.owner_id);
    st.Bind(6, h.owner_masked_name).Bind(7, h.lat).Bind(8, h.lon).Bind(9, h.opened_on.days());
    sqlite::BindOptional(st, 10, closed_days);
    st.Bind(11, sqlite::Millis(h.created_at));
  }));
  return static_cast<int64_t>(sqlite3_last_insert_rowid(conn.db()));
}

template <>
Result<Holding> Codecs::ReadHoldingById(Connection& conn, int64_t id) {
  return sqlite::ReadOne<Holding>(
      conn, sqlite::kSelectHoldingById, [&](Statement& st) { st.Bind(1, id); },
      sqlite::HoldingFromRow, store::kNoSuchHolding);
}

namespace sqlite {
namespace {
void BindHoldingFilters(Statement& st, const HoldingListQuery& q) {
  st.Bind(1, q.scope)
      .Bind(2, q.all_authorities ? 1 : 0)
      .Bind(3, q.kind ? HoldingKindName(*q.kind) : "");
}
}  // namespace
}  // namespace sqlite

template <>
Result<std::vector<Holding>> Codecs::ReadHoldingPage(Connection& conn, const HoldingListQuery& q,
                                                     int limit) {
  return sqlite::ReadAll<Holding>(
      conn, sqlite::kSelectHoldingPage,
      [&](Statement& st) {
        sqlite::BindHoldingFilters(st, q);
        st.Bind(4, q.after_id).Bind(5, limit);
      },
      sqlite::HoldingFromRow);
}

template <>
Result<std::vector<Holding>> Codecs::ReadHoldingsInBox(Connection& conn, const HoldingListQuery& q,
                                                       const GeoBox& box) {
  return sqlite::ReadAll<Holding>(
      conn, sqlite::kSelectHoldingsInBox,
      [&](Statement& st) {
        sqlite::BindHoldingFilters(st, q);
        st.Bind(4, box.min_lat).Bind(5, box.max_lat).Bind(6, box.min_lon).Bind(7, box.max_lon);
      },
      sqlite::HoldingFromRow);
}

template <>
Result<Animal> Codecs::ReadAnimalById(Connection& conn, int64_t id) {
  return sqlite::ReadOne<Animal>(
      conn, sqlite::kSelectAnimalById, [&](Statement& st) { st.Bind(1, id); },
      sqlite::AnimalFromRow, store::kNoSuchAnimal);
}

template <>
Result<std::vector<std::string>> Codecs::ReadFormerTags(Connection& conn, int64_t animal_id) {
  return sqlite::ReadAll<std::string>(
      conn, sqlite::kSelectFormerTags, [&](Statement& st) { st.Bind(1, animal_id); },
      [](const Statement& st) { return st.Text(0); });
}

// --- animal events ---

template <>
Result<std::optional<AnimalEvent>> Codecs::ReadAnimalEvent(Connection& conn,
                                                           const std::string& key) {
  HP_ASSIGN_OR_RETURN(
      auto row, sqlite::ReadFirst<Result<AnimalEvent>>(
                    conn, sqlite::kSelectAnimalEvent, [&](Statement& st) { st.BindBlob(1, key); },
                    sqlite::AnimalEventFromRow));
  if (!row) return std::optional<AnimalEvent>();
  HP_ASSIGN_OR_RETURN(AnimalEvent e, std::move(*row));
  return std::optional<AnimalEvent>(std::move(e));
}

template <>
Status Codecs::InsertAnimalEvent(Connection& conn, const std::string& key, const AnimalEvent& e) {
  return sqlite::Write(conn, sqlite::kInsertAnimalEvent, [&](Statement& st) {
    st.BindBlob(1, key)
        .Bind(2, e.animal_id)
        .Bind(3, AnimalEventKindName(e.kind))
        .Bind(4, e.on.days())
        .Bind(5, e.reason)
        .Bind(6, e.old_tag)
        .Bind(7, e.new_tag)
        .Bind(8, e.head)
        .Bind(9, e.head_after)
        .Bind(10, e.recorded_by)
        .Bind(11, sqlite::Millis(e.recorded_at))
        .Bind(12, e.authority);
  });
}

template <>
Result<std::vector<AnimalEvent>> Codecs::ReadAnimalEvents(Connection& conn, int64_t animal_id) {
  return sqlite::ReadAll<AnimalEvent>(
      conn, sqlite::kSelectAnimalEvents, [&](Statement& st) { st.Bind(1, animal_id); },
      sqlite::AnimalEventFromRow);
}

template <>
Result<bool> Codecs::EndAnimal(Connection& conn, int64_t animal_id, AnimalEventKind kind, Date on) {
  return sqlite::Change(conn, sqlite::kEndAnimal, [&](Statement& st) {
    st.Bind(1, animal_id).Bind(2, AnimalEventKindName(kind)).Bind(3, on.days());
  });
}

template <>
Status Codecs::SetHeadCount(Connection& conn, int64_t animal_id, int32_t head_count) {
  return sqlite::Write(conn, sqlite::kSetHeadCount,
                       [&](Statement& st) { st.Bind(1, animal_id).Bind(2, head_count); });
}

template <>
Status Codecs::ReplaceTag(Connection& conn, int64_t animal_id, const std::string& old_tag,
                          const std::string& new_tag, Date on) {
  HP_RETURN_IF_ERROR(sqlite::Write(conn, sqlite::kInsertFormerTag, [&](Statement& st) {
    st.Bind(1, old_tag).Bind(2, animal_id).Bind(3, on.days());
  }));
  return sqlite::Write(conn, sqlite::kUpdateAnimalTag,
                       [&](Statement& st) { st.Bind(1, animal_id).Bind(2, new_tag); });
}

// --- ownership (W8) ---

namespace sqlite {
namespace {

OwnershipChange ChangeFromRow(const Statement& st) {
  OwnershipChange c;
  c.animal_id = st.Int(0);
  c.to_animal_id = st.Int(1);
  if (!st.IsNull(2)) c.tag = st.Text(2);
  c.species = st.Text(3);
  c.head = static_cast<int32_t>(st.Int(4));
  c.from_owner_id = st.Int(5);
  c.to_owner_id = st.Int(6);
  c.on = FromDays(st.Int(7));
  if (!st.IsNull(8)) c.certificate_id = st.Text(8);
  if (!st.IsNull(9)) c.transfer_id = st.Text(9);
  c.recorded_by = st.Int(10);
  c.recorded_at = FromMillis(st.Int(11));
  return c;
}

std::optional<std::string> NullIfEmpty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace
}  // namespace sqlite

template <>
Status Codecs::SetAnimalOwner(Connection& conn, int64_t animal_id, int64_t owner_id,
                              const std::string& authority) {
  return sqlite::Write(conn, sqlite::kSetAnimalOwner, [&](Statement& st) {
    st.Bind(1, animal_id).Bind(2, owner_id).Bind(3, authority);
  });
}

template <>
Status Codecs::InsertOwnershipChange(Connection& conn, const OwnershipChange& c) {
  return sqlite::Write(conn, sqlite::kInsertOwnershipChange, [&](Statement& st) {
    st.Bind(1, c.animal_id).Bind(2, c.to_animal_id);
    sqlite::BindOptional(st, 3, c.tag);
    st.Bind(4, c.species)
        .Bind(5, c.head)
        .Bind(6, c.from_owner_id)
        .Bind(7, c.to_owner_id)
        .Bind(8, c.on.days());
    sqlite::BindOptional(st, 9, sqlite::NullIfEmpty(c.certificate_id));
    sqlite::BindOptional(st, 10, sqlite::NullIfEmpty(c.transfer_id));
    st.Bind(11, c.recorded_by).Bind(12, sqlite::Millis(c.recorded_at));
  });
}

template <>
Result<std::optional<Transfer>> Codecs::ReadTransfer(Connection& conn, const std::string& key) {
  return sqlite::ReadFirst<Transfer>(
      conn, sqlite::kSelectTransfer, [&](Statement& st) { st.BindBlob(1, key); },
      [&](const Statement& st) {
        Transfer t;
        t.id = sqlite::UuidFromBytes(key);
        t.seller_id = st.Int(0);
        t.buyer_id = st.Int(1);
        t.on = sqlite::FromDays(st.Int(2));
        t.recorded_by = st.Int(3);
        t.recorded_at = sqlite::FromMillis(st.Int(4));
        t.authority = st.Text(5);
        return t;
      });
}

template <>
Status Codecs::InsertTransfer(Connection& conn, const std::string& key, const Transfer& t) {
  return sqlite::Write(conn, sqlite::kInsertTransfer, [&](Statement& st) {
    st.BindBlob(1, key)
        .Bind(2, t.seller_id)
        .Bind(3, t.buyer_id)
        .Bind(4, t.on.days())
        .Bind(5, t.recorded_by)
        .Bind(6, sqlite::Millis(t.recorded_at))
        .Bind(7, t.authority);
  });
}

template <>
Result<std::vector<OwnershipChange>> Codecs::ReadTransferChanges(Connection& conn,
                                                                 const std::string& transfer_id) {
  return sqlite::ReadAll<OwnershipChange>(
      conn, sqlite::kSelectTransferChanges, [&](Statement& st) { st.Bind(1, transfer_id); },
      sqlite::ChangeFromRow);
}

template <>
Result<std::vector<OwnershipChange>> Codecs::ReadChangesIntoOwner(Connection& conn,
                                                                  int64_t owner_id) {
  return sqlite::ReadAll<OwnershipChange>(
      conn, sqlite::kSelectChangesIntoOwner, [&](Statement& st) { st.Bind(1, owner_id); },
      sqlite::ChangeFromRow);
}

template <>
Result<std::vector<OwnershipChange>> Codecs::ReadChangesFromOwner(Connection& conn,
                                                                  int64_t owner_id) {
  return sqlite::ReadAll<OwnershipChange>(
      conn, sqlite::kSelectChangesFromOwner, [&](Statement& st) { st.Bind(1, owner_id); },
      sqlite::ChangeFromRow);
}

template <>
Result<std::vector<OwnershipChange>> Codecs::ReadChangesOfAnimal(Connection& conn,
                                                                 int64_t animal_id) {
  return sqlite::ReadAll<OwnershipChange>(
      conn, sqlite::kSelectChangesOfAnimal, [&](Statement& st) { st.Bind(1, animal_id); },
      sqlite::ChangeFromRow);
}

template <>
Result<std::vector<OwnershipChange>> Codecs::ReadChangesOutOfAnimals(
    Connection& conn, const std::vector<int64_t>& animal_ids) {
  std::string ids = "[";
  for (size_t i = 0; i < animal_ids.size(); ++i) {
    if (i > 0) ids += ',';
    ids += std::to_string(animal_ids[i]);
  }
  ids += ']';
  return sqlite::ReadAll<OwnershipChange>(
      conn, sqlite::kSelectChangesOutOfAnimals, [&](Statement& st) { st.Bind(1, ids); },
      sqlite::ChangeFromRow);
}

template <>
Status Codecs::SetCertificateBuyer(Connection& conn, const std::string& id, int64_t buyer_id) {
  return sqlite::Write(conn, sqlite::kSetCertificateBuyer,
                       [&](Statement& st) { st.Bind(1, id).Bind(2, buyer_id); });
}

template <>
Result<int64_t> Codecs::ReadCertificateBuyer(Connection& conn, const std::string& id) {
  return sqlite::ReadOne<int64_t>(
      conn, sqlite::kSelectCertificateBuyer, [&](Statement& st) { st.Bind(1, id); },
      [](const Statement& st) { return st.Int(0); }, store::kNoSuchCertificate);
}

// --- vaccination records ---

template <>
std::optional<std::string> Codecs::RecordKey(const std::string& uuid) {
  return sqlite::UuidToBytes(uuid);
}

template <>
Result<Vaccination> Codecs::ReadVaccination(Connection& conn, const std::string& key) {
  return sqlite::ReadOne<Vaccination>(
      conn, sqlite::kSelectVaccination, [&](Statement& st) { st.BindBlob(1, key); },
      sqlite::VaccinationFromRow, store::kNoSuchVaccination);
}

template <>
Result<std::vector<Vaccination>> Codecs::ReadVaccinationsSince(Connection& conn, int64_t owner_id,
                                                               Date since) {
  return sqlite::ReadAll<Vaccination>(
      conn, sqlite::kSelectOwnerVaccinationsSince,
      [&](Statement& st) { st.Bind(1, owner_id).Bind(2, since.days()); },
      sqlite::VaccinationFromRow);
}

template <>
Result<std::vector<Vaccination>> Codecs::ReadVaccinationsOfAnimals(
    Connection& conn, int64_t owner_id, Date since, Date until,
    const std::vector<int64_t>& animal_ids) {
  return sqlite::ReadAll<Vaccination>(
      conn, sqlite::kSelectOwnerVaccinationsBetween,
      [&](Statement& st) {
        st.Bind(1, owner_id)
            .Bind(2, since.days())
            .Bind(3, until.days())
            .BindBlob(4, sqlite::EncodeIds(animal_ids));
      },
      sqlite::VaccinationFromRow);
}

template <>
Result<store::StoredRecord> Codecs::ReadStoredRecord(Connection& conn, const std::string& key) {
  return sqlite::ReadOne<store::StoredRecord>(
      conn, sqlite::kSelectVaccinationOwner, [&](Statement& st) { st.BindBlob(1, key); },
      [](const Statement& st) {
        return store::StoredRecord{st.Int(0), st.Text(1), st.Int(2) != 0};
      },
      store::kNoSuchVaccination);
}

template <>
Result<std::optional<store::Flock>> Codecs::ReadFlock(Connection& conn, int64_t owner_id,
                                                      const std::string& species) {
  return sqlite::ReadFirst<store::Flock>(
      conn, sqlite::kSelectFlock, [&](Statement& st) { st.Bind(1, owner_id).Bind(2, species); },
      [](const Statement& st) {
        store::Flock f{st.Int(0), st.Int(1), std::nullopt};
        if (!st.IsNull(2)) f.last_event_on = sqlite::FromDays(st.Int(2));
        return f;
      });
}

template <>
Status Codecs::RaiseFlockHeadCount(Connection& conn, int64_t flock_id, int32_t head_count) {
  return sqlite::Write(conn, sqlite::kRaiseFlockHeadCount,
                       [&](Statement& st) { st.Bind(1, flock_id).Bind(2, head_count); });
}

// The record, then its id in a table of their own.
template <>
Status Codecs::InsertVaccination(Connection& conn, const store::RecordRow& r) {
  const VaccinationInput& in = r.in;
  HP_RETURN_IF_ERROR(sqlite::Write(conn, sqlite::kInsertVaccination, [&](Statement& st) {
    st.Bind(1, r.owner_id)
        .Bind(2, in.administered_on.days())
        .BindBlob(3, r.key)
        .BindBlob(4, sqlite::EncodeIds(r.animal_ids))
        .Bind(5, in.species)
        .Bind(6, r.head_count)
        .Bind(7, in.disease)
        .Bind(8, in.vaccine)
        .Bind(9, in.batch_no)
        .Bind(10, in.dose_ml)
        .Bind(11, in.lat)
        .Bind(12, in.lon)
        .Bind(13, in.device_id)
        .Bind(14, r.ctx.user_id)
        .Bind(15, sqlite::Millis(r.ctx.at))
        .Bind(16, r.authority);
    if (r.corrects) {
      st.BindBlob(17, *r.corrects);
    } else {
      st.BindNull(17);
    }
    sqlite::BindOptional(st, 18, in.holding_id);
  }));
  return sqlite::Write(conn, sqlite::kInsertVaccinationId, [&](Statement& st) {
    st.BindBlob(1, r.key).Bind(2, r.owner_id).Bind(3, in.administered_on.days());
  });
}

template <>
Status Codecs::VoidVaccination(Connection& conn, const Vaccination& v, const std::string& key,
                               const std::string& reason, Timestamp at) {
  return sqlite::Write(conn, sqlite::kVoidVaccination, [&](Statement& st) {
    st.Bind(1, v.owner_id)
        .Bind(2, v.administered_on.days())
        .BindBlob(3, key)
        .Bind(4, reason)
        .Bind(5, sqlite::Millis(at));
  });
}

// --- users and tokens ---

template <>
Result<User> Codecs::ReadUserByName(Connection& conn, const std::string& username) {
  return sqlite::ReadOne<User>(
      conn, sqlite::kSelectUserByName, [&](Statement& st) { st.Bind(1, username); },
      sqlite::UserFromRow, store::kNoSuchUser);
}

template <>
Result<User> Codecs::ReadUserById(Connection& conn, int64_t id) {
  return sqlite::ReadOne<User>(
      conn, sqlite::kSelectUserById, [&](Statement& st) { st.Bind(1, id); }, sqlite::UserFromRow,
      store::kNoSuchUser);
}

template <>
Result<std::vector<User>> Codecs::ReadUsers(Connection& conn) {
  return sqlite::ReadAll<User>(conn, sqlite::kSelectUsers, sqlite::kNoParams, sqlite::UserFromRow);
}

template <>
Result<int64_t> Codecs::InsertUser(Connection& conn, const NewUser& user) {
  HP_RETURN_IF_ERROR(sqlite::Write(conn, sqlite::kInsertUser, [&](Statement& st) {
    st.Bind(1, user.username)
        .Bind(2, user.password_hash)
        .Bind(3, RoleName(user.role))
        .Bind(4, user.authority)
        .Bind(5, sqlite::Millis(user.created_at));
  }));
  return static_cast<int64_t>(sqlite3_last_insert_rowid(conn.db()));
}

template <>
Result<bool> Codecs::UpdateUserDisabled(Connection& conn, const std::string& username,
                                        bool disabled) {
  return sqlite::Change(conn, sqlite::kUpdateUserDisabled,
                        [&](Statement& st) { st.Bind(1, username).Bind(2, disabled ? 1 : 0); });
}

template <>
Result<bool> Codecs::UpdateUserPassword(Connection& conn, const std::string& username,
                                        const std::string& password_hash) {
  return sqlite::Change(conn, sqlite::kUpdateUserPassword,
                        [&](Statement& st) { st.Bind(1, username).Bind(2, password_hash); });
}

template <>
Status Codecs::DeleteUserTokens(Connection& conn, const std::string& username) {
  return sqlite::Write(conn, sqlite::kDeleteUserTokens,
                       [&](Statement& st) { st.Bind(1, username); });
}

template <>
Status Codecs::InsertToken(Connection& conn, const TokenRecord& token) {
  return sqlite::InsertBearer<TokenRecord, &TokenRecord::user_id>(conn, sqlite::kInsertToken,
                                                                  token);
}

template <>
Result<std::optional<TokenRecord>> Codecs::ReadToken(Connection& conn,
                                                     const std::string& token_hash) {
  return sqlite::ReadBearer<TokenRecord, &TokenRecord::user_id>(conn, sqlite::kSelectToken,
                                                                token_hash);
}

template <>
Result<bool> Codecs::DeleteToken(Connection& conn, const std::string& token_hash) {
  return sqlite::Change(conn, sqlite::kDeleteToken, [&](Statement& st) { st.Bind(1, token_hash); });
}

// --- authorities, signing keys, documents ---

template <>
Status Codecs::UpsertAuthority(Connection& conn, const Authority& authority) {
  return sqlite::Write(conn, sqlite::kUpsertAuthority, [&](Statement& st) {
    st.Bind(1, authority.code).Bind(2, authority.name).Bind(3, authority.parent);
  });
}

template <>
Result<std::vector<Authority>> Codecs::ReadAuthorities(Connection& conn) {
  return sqlite::ReadAll<Authority>(conn, sqlite::kSelectAuthorities, sqlite::kNoParams,
                                    [](const Statement& st) {
                                      return Authority{st.Text(0), st.Text(1), st.Text(2)};
                                    });
}

template <>
Result<std::vector<SigningKey>> Codecs::ReadSigningKeys(Connection& conn) {
  return sqlite::ReadAll<SigningKey>(conn, sqlite::kSelectSigningKeys, sqlite::kNoParams,
                                     sqlite::SigningKeyFromRow);
}

template <>
Status Codecs::InsertSigningKey(Connection& conn, const SigningKey& key) {
  std::optional<int64_t> retired_at;
  if (key.retired_at) retired_at = sqlite::Millis(*key.retired_at);
  return sqlite::Write(conn, sqlite::kInsertSigningKey, [&](Statement& st) {
    st.Bind(1, key.kid)
        .Bind(2, key.authority)
        .Bind(3, key.country)
        .Bind(4, key.algorithm)
        .Bind(5, key.public_key)
        .Bind(6, key.root ? 1 : 0)
        .Bind(7, sqlite::Millis(key.valid_from))
        .Bind(8, sqlite::Millis(key.valid_until));
    sqlite::BindOptional(st, 9, retired_at);
    st.Bind(10, key.source);
  });
}

template <>
Result<bool> Codecs::RetireSigningKey(Connection& conn, const std::string& kid, Timestamp at) {
  return sqlite::Change(conn, sqlite::kRetireSigningKey,
                        [&](Statement& st) { st.Bind(1, kid).Bind(2, sqlite::Millis(at)); });
}

template <>
Result<bool> Codecs::SigningKeyExists(Connection& conn, const std::string& kid) {
  HP_ASSIGN_OR_RETURN(auto row, sqlite::ReadFirst<bool>(
                                    conn, sqlite::kSelectSigningKeyRetiredAt,
                                    [&](Statement& st) { st.Bind(1, kid); },
                                    [](const Statement&) { return true; }));
  return row.has_value();
}

template <>
Result<std::map<std::string, Timestamp>> Codecs::ReadRetiredKeysOfSource(
    Connection& conn, const std::string& source) {
  std::map<std::string, Timestamp> retired;
  HP_RETURN_IF_ERROR(sqlite::ForEachRow(
      conn, sqlite::kSelectRetiredKeysOfSource, [&](Statement& st) { st.Bind(1, source); },
      [&](const Statement& st) {
        retired.emplace(st.Text(0), sqlite::FromMillis(st.Int(1)));
        return Status::Ok();
      }));
  return retired;
}

template <>
Status Codecs::DeleteKeysOfSource(Connection& conn, const std::string& source) {
  return sqlite::Write(conn, sqlite::kDeleteKeysOfSource,
                       [&](Statement& st) { st.Bind(1, source); });
}

template <>
Status Codecs::UpsertDocument(Connection& conn, const StoredDocument& doc) {
  return sqlite::Write(conn, sqlite::kUpsertDocument, [&](Statement& st) {
    st.Bind(1, doc.name)
        .Bind(2, doc.sequence)
        .Bind(3, doc.body)
        .Bind(4, sqlite::Millis(doc.saved_at));
  });
}

template <>
Result<std::optional<StoredDocument>> Codecs::ReadDocument(Connection& conn,
                                                           const std::string& name) {
  return sqlite::ReadFirst<StoredDocument>(
      conn, sqlite::kSelectDocument, [&](Statement& st) { st.Bind(1, name); },
      [](const Statement& st) {
        return StoredDocument{st.Text(0), st.Int(1), st.Text(2), sqlite::FromMillis(st.Int(3))};
      });
}

// --- certificates ---

template <>
Result<Certificate> Codecs::ReadCertificateRow(Connection& conn, store::CertificateKey by,
                                               const std::string& key) {
  return sqlite::ReadOne<Certificate>(
      conn,
      by == store::CertificateKey::kId ? sqlite::kSelectCertificateById
                                       : sqlite::kSelectCertificateByNumber,
      [&](Statement& st) { st.Bind(1, key); }, sqlite::CertificateFromRow,
      store::kNoSuchCertificate);
}

template <>
Result<std::vector<Certificate>> Codecs::ReadCertificatesOfAnimal(Connection& conn,
                                                                  int64_t animal_id) {
  return sqlite::ReadAll<Certificate>(
      conn, sqlite::kSelectCertificatesOfAnimal, [&](Statement& st) { st.Bind(1, animal_id); },
      sqlite::CertificateFromRow);
}

template <>
Result<std::vector<store::CertificateAnimal>> Codecs::ReadCertificateAnimals(
    Connection& conn, const std::string& certificate_id) {
  return sqlite::ReadAll<store::CertificateAnimal>(
      conn, sqlite::kSelectCertificateAnimals, [&](Statement& st) { st.Bind(1, certificate_id); },
      [](const Statement& st) {
        std::optional<std::string> tag;
        if (!st.IsNull(1)) tag = st.Text(1);
        return store::CertificateAnimal{st.Int(0), std::move(tag), st.Int(2)};
      });
}

template <>
Result<std::vector<CertificateVaccination>> Codecs::ReadCertificateVaccinations(
    Connection& conn, const std::string& certificate_id) {
  return sqlite::ReadAll<CertificateVaccination>(
      conn, sqlite::kSelectCertificateVaccinations,
      [&](Statement& st) { st.Bind(1, certificate_id); },
      [](const Statement& st) {
        return CertificateVaccination{st.Text(0), st.Text(1), sqlite::FromDays(st.Int(2)),
                                      st.Text(3)};
      });
}

template <>
Result<CertificateStatus> Codecs::ReadCertificateStatus(Connection& conn, const std::string& id) {
  return sqlite::ReadOne<CertificateStatus>(
      conn, sqlite::kSelectCertificateStatus, [&](Statement& st) { st.Bind(1, id); },
      [](const Statement& st) { return store::StoredCertificateStatus(st.Text(0)); },
      store::kNoSuchCertificate);
}

template <>
Result<bool> Codecs::InsertCertificate(Connection& conn, const Certificate& c) {
  Status s = sqlite::Write(conn, sqlite::kInsertCertificate, [&](Statement& st) {
    st.Bind(1, c.id)
        .Bind(2, c.number)
        .Bind(3, c.authority)
        .Bind(4, c.kid)
        .Bind(5, c.owner_id)
        .Bind(6, c.species)
        .Bind(7, c.head_count)
        .Bind(8, PurposeName(c.purpose))
        .Bind(9, c.origin)
        .Bind(10, c.origin_place)
        .Bind(11, c.destination)
        .Bind(12, c.destination_place)
        .Bind(13, c.transport)
        .Bind(14, sqlite::Millis(c.issued_at))
        .Bind(15, sqlite::Millis(c.valid_until))
        .Bind(16, c.vet_id)
        .Bind(17, c.vet_name)
        .Bind(18, c.owner_masked_name)
        .Bind(19, c.owner_phone_last4)
        .Bind(20, c.hp1);
  });
  if (s.code() == StatusCode::kAlreadyExists) return false;
  HP_RETURN_IF_ERROR(s);
  return true;
}

template <>
Status Codecs::InsertCertificateAnimals(Connection& conn, const Certificate& c) {
  for (size_t i = 0; i < c.animal_ids.size(); ++i) {
    HP_RETURN_IF_ERROR(sqlite::Write(conn, sqlite::kInsertCertificateAnimal, [&](Statement& st) {
      st.Bind(1, c.id).Bind(2, static_cast<int64_t>(i)).Bind(3, c.animal_ids[i]);
    }));
  }
  return Status::Ok();
}

template <>
Status Codecs::InsertCertificateVaccinations(Connection& conn, const Certificate& c) {
  for (size_t i = 0; i < c.vaccinations.size(); ++i) {
    const CertificateVaccination& v = c.vaccinations[i];
    HP_RETURN_IF_ERROR(
        sqlite::Write(conn, sqlite::kInsertCertificateVaccination, [&](Statement& st) {
          st.Bind(1, c.id)
              .Bind(2, static_cast<int64_t>(i))
              .Bind(3, v.record_id)
              .Bind(4, v.disease)
              .Bind(5, v.administered_on.days())
              .Bind(6, v.batch_no);
        }));
  }
  return Status::Ok();
}

template <>
Result<bool> Codecs::ConsumeCertificate(Connection& conn, const std::string& id,
                                        const Consumption& consumption) {
  return sqlite::Change(conn, sqlite::kConsumeCertificate, [&](Statement& st) {
    st.Bind(1, id)
        .Bind(2, sqlite::Millis(consumption.at))
        .Bind(3, consumption.user_id)
        .Bind(4, consumption.user_name)
        .Bind(5, consumption.place);
  });
}

template <>
Result<bool> Codecs::RevokeCertificate(Connection& conn, const std::string& id, int64_t user_id,
                                       const std::string& reason, Timestamp at) {
  return sqlite::Change(conn, sqlite::kRevokeCertificate, [&](Statement& st) {
    st.Bind(1, id).Bind(2, sqlite::Millis(at)).Bind(3, user_id).Bind(4, reason);
  });
}

template <>
Result<int64_t> Codecs::InsertRevocation(Connection& conn, const std::string& id, Timestamp at) {
  HP_RETURN_IF_ERROR(sqlite::Write(conn, sqlite::kInsertRevocation, [&](Statement& st) {
    st.Bind(1, id).Bind(2, sqlite::Millis(at));
  }));
  return static_cast<int64_t>(sqlite3_last_insert_rowid(conn.db()));
}

// --- checkpoint passages ---

template <>
Result<std::optional<Passage>> Codecs::ReadPassage(Connection& conn, const std::string& key) {
  HP_ASSIGN_OR_RETURN(auto row,
                      sqlite::ReadFirst<Result<Passage>>(
                          conn, sqlite::kSelectPassage, [&](Statement& st) { st.BindBlob(1, key); },
                          sqlite::PassageFromRow));
  if (!row) return std::optional<Passage>();
  HP_ASSIGN_OR_RETURN(Passage p, std::move(*row));
  return std::optional<Passage>(std::move(p));
}

template <>
Status Codecs::InsertPassage(Connection& conn, const std::string& key, const Passage& p) {
  return sqlite::Write(conn, sqlite::kInsertPassage, [&](Statement& st) {
    st.BindBlob(1, key)
        .Bind(2, p.certificate_id)
        .Bind(3, p.holding_id)
        .Bind(4, sqlite::Millis(p.at))
        .Bind(5, p.head_seen)
        .Bind(6, p.note)
        .Bind(7, p.recorded_by)
        .Bind(8, sqlite::Millis(p.received_at))
        .Bind(9, PassageFlagName(p.flag))
        .Bind(10, p.authority);
  });
}

template <>
Result<std::vector<Passage>> Codecs::ReadPassages(Connection& conn,
                                                  const std::string& certificate_id) {
  return sqlite::ReadAll<Passage>(
      conn, sqlite::kSelectPassages, [&](Statement& st) { st.Bind(1, certificate_id); },
      sqlite::PassageFromRow);
}

// --- outbreaks and zones (W14) ---

namespace sqlite {
namespace {

std::optional<int64_t> OptMillis(const std::optional<Timestamp>& t) {
  if (!t) return std::nullopt;
  return Millis(*t);
}

void BindOptInt(Statement& st, int i, const std::optional<int64_t>& v) {
  if (v) {
    st.Bind(i, *v);
  } else {
    st.BindNull(i);
  }
}

Result<Outbreak> OutbreakFromRow(const Statement& st) {
  Outbreak o;
  o.id = UuidFromBytes(st.Blob(0));
  o.holding_id = st.Int(1);
  o.authority = st.Text(2);
  o.disease = st.Text(3);
  o.species = st.Text(4);
  o.first_signs_on = FromDays(st.Int(5));
  o.head_sick = static_cast<int32_t>(st.Int(6));
  o.head_dead = static_cast<int32_t>(st.Int(7));
  o.lat = st.OptDouble(8).value_or(0);
  o.lon = st.OptDouble(9).value_or(0);
  o.note = st.Text(10);
  o.reported_by = st.Int(11);
  o.reported_at = FromMillis(st.Int(12));
  auto status = ParseOutbreakStatus(st.Text(13));
  if (!status.ok()) return Internal("a stored outbreak report has an unknown status");
  o.status = *status;
  o.decided_by = st.Int(14);
  if (!st.IsNull(15)) o.decided_at = FromMillis(st.Int(15));
  o.lab_reference = st.Text(16);
  o.decision_note = st.Text(17);
  return o;
}

Result<Zone> ZoneFromRow(const Statement& st) {
  Zone z;
  z.id = st.Int(0);
  z.disease = st.Text(1);
  if (!st.IsNull(2)) z.outbreak_id = UuidFromBytes(st.Blob(2));
  if (!st.IsNull(3)) z.holding_id = st.Int(3);
  z.lat = st.OptDouble(4).value_or(0);
  z.lon = st.OptDouble(5).value_or(0);
  z.protection_km = st.OptDouble(6).value_or(0);
  z.surveillance_km = st.OptDouble(7).value_or(0);
  z.authorities = store::SplitCodes(st.Text(8));
  z.species = store::SplitCodes(st.Text(9));
  z.starts_on = FromDays(st.Int(10));
  z.ends_on = FromDays(st.Int(11));
  z.authority = st.Text(12);
  z.declared_by = st.Int(13);
  z.declared_at = FromMillis(st.Int(14));
  if (!st.IsNull(15)) z.lifted_at = FromMillis(st.Int(15));
  z.lifted_by = st.Int(16);
  z.lift_reason = st.Text(17);
  return z;
}

}  // namespace
}  // namespace sqlite

template <>
Result<std::optional<Outbreak>> Codecs::ReadOutbreak(Connection& conn, const std::string& key) {
  HP_ASSIGN_OR_RETURN(
      auto row, sqlite::ReadFirst<Result<Outbreak>>(
                    conn, sqlite::kSelectOutbreak, [&](Statement& st) { st.BindBlob(1, key); },
                    sqlite::OutbreakFromRow));
  if (!row) return std::optional<Outbreak>();
  HP_ASSIGN_OR_RETURN(Outbreak o, std::move(*row));
  return std::optional<Outbreak>(std::move(o));
}

template <>
Status Codecs::InsertOutbreak(Connection& conn, const std::string& key, const Outbreak& o) {
  return sqlite::Write(conn, sqlite::kInsertOutbreak, [&](Statement& st) {
    st.BindBlob(1, key)
        .Bind(2, o.holding_id)
        .Bind(3, o.authority)
        .Bind(4, o.disease)
        .Bind(5, o.species)
        .Bind(6, o.first_signs_on.days())
        .Bind(7, o.head_sick)
        .Bind(8, o.head_dead)
        .Bind(9, o.lat)
        .Bind(10, o.lon)
        .Bind(11, o.note)
        .Bind(12, o.reported_by)
        .Bind(13, sqlite::Millis(o.reported_at))
        .Bind(14, OutbreakStatusName(o.status))
        .Bind(15, o.decided_by);
    sqlite::BindOptInt(st, 16, sqlite::OptMillis(o.decided_at));
    st.Bind(17, o.lab_reference).Bind(18, o.decision_note);
  });
}

template <>
Result<bool> Codecs::DecideOutbreak(Connection& conn, const std::string& key, const Outbreak& d) {
  return sqlite::Change(conn, sqlite::kDecideOutbreak, [&](Statement& st) {
    st.BindBlob(1, key).Bind(2, OutbreakStatusName(d.status)).Bind(3, d.decided_by);
    sqlite::BindOptInt(st, 4, sqlite::OptMillis(d.decided_at));
    st.Bind(5, d.lab_reference).Bind(6, d.decision_note);
  });
}

template <>
Result<std::vector<Outbreak>> Codecs::ReadOutbreaks(Connection& conn, const OutbreakListQuery& q) {
  return sqlite::ReadAll<Outbreak>(
      conn, sqlite::kSelectOutbreaks,
      [&](Statement& st) {
        st.Bind(1, q.scope)
            .Bind(2, q.all_authorities ? 1 : 0)
            .Bind(3, q.status ? OutbreakStatusName(*q.status) : "")
            .Bind(4, q.limit);
      },
      sqlite::OutbreakFromRow);
}

template <>
Result<int64_t> Codecs::InsertZone(Connection& conn, const Zone& z) {
  HP_RETURN_IF_ERROR(sqlite::Write(conn, sqlite::kInsertZone, [&](Statement& st) {
    st.Bind(1, z.disease);
    std::optional<std::string> outbreak_key;
    if (!z.outbreak_id.empty()) outbreak_key = sqlite::UuidToBytes(z.outbreak_id);
    if (outbreak_key) {
      st.BindBlob(2, *outbreak_key);
    } else {
      st.BindNull(2);
    }
    sqlite::BindOptInt(st, 3, z.holding_id ? std::optional<int64_t>(z.holding_id) : std::nullopt);
    st.Bind(4, z.lat)
        .Bind(5, z.lon)
        .Bind(6, z.protection_km)
        .Bind(7, z.surveillance_km)
        .Bind(8, store::JoinCodes(z.authorities))
        .Bind(9, store::JoinCodes(z.species))
        .Bind(10, z.starts_on.days())
        .Bind(11, z.ends_on.days())
        .Bind(12, z.authority)
        .Bind(13, z.declared_by)
        .Bind(14, sqlite::Millis(z.declared_at));
  }));
  return static_cast<int64_t>(sqlite3_last_insert_rowid(conn.db()));
}

template <>
Result<Zone> Codecs::ReadZone(Connection& conn, int64_t id) {
  return sqlite::ReadOne<Zone>(
      conn, sqlite::kSelectZone, [&](Statement& st) { st.Bind(1, id); }, sqlite::ZoneFromRow,
      store::kNoSuchZone);
}

template <>
Result<std::vector<Zone>> Codecs::ReadZonesInForce(Connection& conn, Date day) {
  return sqlite::ReadAll<Zone>(
      conn, sqlite::kSelectZonesInForce, [&](Statement& st) { st.Bind(1, day.days()); },
      sqlite::ZoneFromRow);
}

template <>
Result<int64_t> Codecs::ReadZoneRevision(Connection& conn) {
  return sqlite::ReadOne<int64_t>(
      conn, sqlite::kSelectZoneRevision, [](Statement&) {},
      [](const Statement& st) { return st.Int(0); }, "no zone revision");
}

template <>
Status Codecs::BumpZoneRevision(Connection& conn) {
  return sqlite::Write(conn, sqlite::kBumpZoneRevision, [](Statement&) {});
}

template <>
Result<bool> Codecs::LiftZone(Connection& conn, int64_t id, int64_t user_id, Timestamp at,
                              const std::string& reason) {
  return sqlite::Change(conn, sqlite::kLiftZone, [&](Statement& st) {
    st.Bind(1, id).Bind(2, user_id).Bind(3, sqlite::Millis(at)).Bind(4, reason);
  });
}

// --- SMS outbox ---

namespace sqlite {
namespace {
SmsMessage SmsFromRow(const Statement& st) {
  SmsMessage m;
  m.id = st.Int(0);
  m.owner_id = st.Int(1);
  m.phone = st.Text(2);
  m.authority = st.Text(3);
  m.kind = st.Text(4);
  m.dedupe_key = st.Text(5);
  m.body = st.Text(6);
  m.payload = st.Text(7);
  m.requested = st.Int(8) != 0;
  (void)ParseSmsStatus(st.Text(9), &m.status);
  m.attempts = static_cast<int>(st.Int(10));
  m.next_attempt_at = FromMillis(st.Int(11));
  m.created_at = FromMillis(st.Int(12));
  if (!st.IsNull(13)) m.sent_at = FromMillis(st.Int(13));
  m.dlr = static_cast<int>(st.Int(14));
  if (!st.IsNull(15)) m.dlr_at = FromMillis(st.Int(15));
  m.last_error = st.Text(16);
  return m;
}
}  // namespace
}  // namespace sqlite

template <>
Result<int64_t> Codecs::InsertSms(Connection& conn, const NewSms& sms) {
  HP_RETURN_IF_ERROR(sqlite::Write(conn, sqlite::kInsertSms, [&](Statement& st) {
    st.Bind(1, sms.owner_id)
        .Bind(2, sms.kind)
        .Bind(3, sms.dedupe_key)
        .Bind(4, sms.body)
        .Bind(5, sms.payload)
        .Bind(6, sms.requested ? 1 : 0)
        .Bind(7, sqlite::Millis(sms.at));
  }));
  return static_cast<int64_t>(sqlite3_last_insert_rowid(conn.db()));
}

template <>
Result<SmsMessage> Codecs::ReadSms(Connection& conn, int64_t id) {
  return sqlite::ReadOne<SmsMessage>(
      conn, sqlite::kSelectSms, [&](Statement& st) { st.Bind(1, id); }, sqlite::SmsFromRow,
      store::kNoSuchSms);
}

template <>
Result<std::optional<SmsMessage>> Codecs::ReadSmsByKey(Connection& conn, const std::string& key) {
  return sqlite::ReadFirst<SmsMessage>(
      conn, sqlite::kSelectSmsByKey, [&](Statement& st) { st.Bind(1, key); }, sqlite::SmsFromRow);
}

template <>
Status Codecs::UpdateSmsBody(Connection& conn, int64_t id, const std::string& body,
                             const std::string& payload) {
  return sqlite::Write(conn, sqlite::kUpdateSmsBody,
                       [&](Statement& st) { st.Bind(1, id).Bind(2, body).Bind(3, payload); });
}

template <>
Status Codecs::UpdateSmsState(Connection& conn, const SmsMessage& m) {
  return sqlite::Write(conn, sqlite::kUpdateSmsState, [&](Statement& st) {
    st.Bind(1, m.id)
        .Bind(2, SmsStatusName(m.status))
        .Bind(3, m.attempts)
        .Bind(4, sqlite::Millis(m.next_attempt_at));
    sqlite::BindOptInt(st, 5, sqlite::OptMillis(m.sent_at));
    st.Bind(6, m.dlr);
    sqlite::BindOptInt(st, 7, sqlite::OptMillis(m.dlr_at));
    st.Bind(8, m.last_error);
  });
}

template <>
Result<std::vector<SmsMessage>> Codecs::ReadDueSms(Connection& conn, Timestamp now, int limit,
                                                   std::span<const int64_t> except) {
  return sqlite::ReadAll<SmsMessage>(
      conn, sqlite::kSelectDueSms,
      [&](Statement& st) {
        st.Bind(1, sqlite::Millis(now))
            .Bind(2, limit)
            .Bind(3, sqlite::JsonIdList({except.begin(), except.end()}));
      },
      sqlite::SmsFromRow);
}

template <>
Result<std::vector<std::pair<int64_t, int64_t>>> Codecs::CountSmsSentSinceByOwner(
    Connection& conn, std::span<const int64_t> owner_ids, Timestamp since) {
  return sqlite::ReadAll<std::pair<int64_t, int64_t>>(
      conn, sqlite::kCountSmsSentSinceByOwner,
      [&](Statement& st) {
        st.Bind(1, sqlite::JsonIdList({owner_ids.begin(), owner_ids.end()}))
            .Bind(2, sqlite::Millis(since));
      },
      [](const Statement& st) { return std::pair(st.Int(0), st.Int(1)); });
}

template <>
Result<std::vector<SmsMessage>> Codecs::ReadSmsList(Connection& conn, const SmsListQuery& q) {
  return sqlite::ReadAll<SmsMessage>(
      conn, sqlite::kSelectSmsList,
      [&](Statement& st) {
        st.Bind(1, q.scope)
            .Bind(2, q.all_authorities ? 1 : 0)
            .Bind(3, q.before_id)
            .Bind(4, q.limit)
            .Bind(5, std::string(q.status ? SmsStatusName(*q.status) : ""));
      },
      sqlite::SmsFromRow);
}

template <>
Result<int64_t> Codecs::CountQueuedSms(Connection& conn, const SmsListQuery& q) {
  HP_ASSIGN_OR_RETURN(
      auto n, sqlite::ReadFirst<int64_t>(
                  conn, sqlite::kCountQueuedSms,
                  [&](Statement& st) { st.Bind(1, q.scope).Bind(2, q.all_authorities ? 1 : 0); },
                  [](const Statement& st) { return st.Int(0); }));
  return n.value_or(0);
}

template <>
Result<std::optional<SmsOwnerSettings>> Codecs::ReadSmsOwner(Connection& conn, int64_t owner_id) {
  return sqlite::ReadFirst<SmsOwnerSettings>(
      conn, sqlite::kSelectSmsOwner, [&](Statement& st) { st.Bind(1, owner_id); },
      [](const Statement& st) {
        return SmsOwnerSettings{st.Int(0), st.Int(1) != 0, st.Text(2),
                                sqlite::FromMillis(st.Int(3)), st.Text(4)};
      });
}

template <>
Result<bool> Codecs::InsertSmsInbound(Connection& conn, const std::string& digest, Timestamp at) {
  return sqlite::Change(conn, sqlite::kInsertSmsInbound,
                        [&](Statement& st) { st.BindBlob(1, digest).Bind(2, sqlite::Millis(at)); });
}

template <>
Status Codecs::UpsertSmsOwner(Connection& conn, const SmsOwnerSettings& s) {
  return sqlite::Write(conn, sqlite::kUpsertSmsOwner, [&](Statement& st) {
    st.Bind(1, s.owner_id)
        .Bind(2, s.stopped ? 1 : 0)
        .Bind(3, s.language)
        .Bind(4, sqlite::Millis(s.changed_at));
  });
}

template <>
Status Codecs::AddSms(Connection& conn, const NewSms& sms) {
  return Codecs::InsertSms(conn, sms).status();
}

// In-process: one statement per owner or key costs no round trip.
template <>
Result<store::SmsReceiptInputs> Codecs::ReadReceiptInputs(Connection& conn,
                                                          const std::vector<int64_t>& owner_ids,
                                                          const std::vector<std::string>& keys,
                                                          int64_t user_id) {
  store::SmsReceiptInputs in;
  for (const int64_t id : owner_ids) {
    HP_ASSIGN_OR_RETURN(auto one, Codecs::ReadSmsOwner(conn, id));
    if (one) in.settings.push_back(std::move(*one));
  }
  for (const std::string& key : keys) {
    HP_ASSIGN_OR_RETURN(auto one, Codecs::ReadSmsByKey(conn, key));
    if (one) in.existing.push_back(std::move(*one));
  }
  auto user = Codecs::ReadUserById(conn, user_id);
  if (user.ok()) {
    in.vaccinator = user->username;
  } else if (user.status().code() != StatusCode::kNotFound) {
    return user.status();
  }
  return in;
}

// --- owners' sign-in to /me (issue 15 item 4) ---

template <>
Result<int64_t> Codecs::InsertOwnerCode(Connection& conn, const OwnerCode& code) {
  HP_RETURN_IF_ERROR(sqlite::Write(conn, sqlite::kInsertOwnerCode, [&](Statement& st) {
    st.Bind(1, code.owner_id)
        .Bind(2, code.code_hash)
        .Bind(3, sqlite::Millis(code.created_at))
        .Bind(4, sqlite::Millis(code.expires_at))
        .Bind(5, code.tries)
        .Bind(6, code.used ? 1 : 0);
  }));
  return static_cast<int64_t>(sqlite3_last_insert_rowid(conn.db()));
}

template <>
Result<std::optional<OwnerCode>> Codecs::ReadNewestOwnerCode(Connection& conn, int64_t owner_id) {
  return sqlite::ReadFirst<OwnerCode>(
      conn, sqlite::kSelectNewestOwnerCode, [&](Statement& st) { st.Bind(1, owner_id); },
      [](const Statement& st) {
        return OwnerCode{st.Int(0),
                         st.Int(1),
                         st.Text(2),
                         sqlite::FromMillis(st.Int(3)),
                         sqlite::FromMillis(st.Int(4)),
                         static_cast<int>(st.Int(5)),
                         st.Int(6) != 0};
      });
}

template <>
Status Codecs::UpdateOwnerCode(Connection& conn, const OwnerCode& code) {
  return sqlite::Write(conn, sqlite::kUpdateOwnerCode, [&](Statement& st) {
    st.Bind(1, code.id).Bind(2, code.tries).Bind(3, code.used ? 1 : 0);
  });
}

template <>
Status Codecs::InsertOwnerSession(Connection& conn, const OwnerSession& session) {
  return sqlite::InsertBearer<OwnerSession, &OwnerSession::owner_id>(
      conn, sqlite::kInsertOwnerSession, session);
}

template <>
Result<std::optional<OwnerSession>> Codecs::ReadOwnerSession(Connection& conn,
                                                             const std::string& token_hash) {
  return sqlite::ReadBearer<OwnerSession, &OwnerSession::owner_id>(
      conn, sqlite::kSelectOwnerSession, token_hash);
}

template <>
Result<bool> Codecs::DeleteOwnerSession(Connection& conn, const std::string& token_hash) {
  return sqlite::Change(conn, sqlite::kDeleteOwnerSession,
                        [&](Statement& st) { st.Bind(1, token_hash); });
}

template <>
Result<std::vector<OwnerReader>> Codecs::ReadOwnerReaders(Connection& conn,
                                                          const std::string& target_a,
                                                          const std::string& target_b, int limit) {
  return sqlite::ReadAll<OwnerReader>(
      conn, sqlite::kSelectOwnerReaders,
      [&](Statement& st) { st.Bind(1, target_a).Bind(2, target_b).Bind(3, limit); },
      [](const Statement& st) {
        return OwnerReader{sqlite::FromMillis(st.Int(0)), st.Text(1), st.Text(2), st.Text(3),
                           st.Text(4)};
      });
}

// --- certificate uses (W5, issue 14 item 5) ---

namespace sqlite {
namespace {
CertificateUse CertificateUseFromRow(const Statement& st) {
  CertificateUse u;
  u.id = UuidFromBytes(st.Blob(0));
  u.certificate_id = st.Text(1);
  u.double_use = st.Int(2) != 0;
  u.scanned_at = FromMillis(st.Int(3));
  u.received_at = FromMillis(st.Int(4));
  u.user_id = st.Int(5);
  u.user_name = st.Text(6);
  u.place = st.Text(7);
  if (!st.IsNull(8)) u.holding_id = st.Int(8);
  if (!st.IsNull(9)) u.head_counted = static_cast<int32_t>(st.Int(9));
  u.authority = st.Text(10);
  return u;
}
}  // namespace
}  // namespace sqlite

template <>
Result<std::optional<CertificateUse>> Codecs::ReadCertificateUse(Connection& conn,
                                                                 const std::string& key) {
  return sqlite::ReadFirst<CertificateUse>(
      conn, sqlite::kSelectCertificateUse, [&](Statement& st) { st.BindBlob(1, key); },
      sqlite::CertificateUseFromRow);
}

template <>
Status Codecs::InsertCertificateUse(Connection& conn, const std::string& key,
                                    const CertificateUse& u) {
  std::optional<int64_t> head;
  if (u.head_counted) head = *u.head_counted;
  return sqlite::Write(conn, sqlite::kInsertCertificateUse, [&](Statement& st) {
    st.BindBlob(1, key)
        .Bind(2, u.certificate_id)
        .Bind(3, u.double_use ? 1 : 0)
        .Bind(4, sqlite::Millis(u.scanned_at))
        .Bind(5, sqlite::Millis(u.received_at))
        .Bind(6, u.user_id)
        .Bind(7, u.user_name)
        .Bind(8, u.place)
        .Bind(11, u.authority);
    sqlite::BindOptional(st, 9, u.holding_id);
    sqlite::BindOptional(st, 10, head);
  });
}

template <>
Result<std::vector<CertificateUse>> Codecs::ReadCertificateUses(Connection& conn,
                                                                const std::string& certificate_id) {
  return sqlite::ReadAll<CertificateUse>(
      conn, sqlite::kSelectCertificateUses, [&](Statement& st) { st.Bind(1, certificate_id); },
      sqlite::CertificateUseFromRow);
}

template <>
Result<std::vector<Certificate>> Codecs::ReadDoubleUsePage(Connection& conn,
                                                           const DoubleUseListQuery& q) {
  std::optional<int64_t> before;
  if (q.before_issued_at) before = sqlite::Millis(*q.before_issued_at);
  return sqlite::ReadAll<Certificate>(
      conn, sqlite::kSelectDoubleUsePage,
      [&](Statement& st) {
        st.Bind(1, q.scope)
            .Bind(2, q.all_authorities ? 1 : 0)
            .Bind(4, q.before_id)
            .Bind(5, std::clamp(q.limit, 1, 1000));
        sqlite::BindOptional(st, 3, before);
      },
      sqlite::ListedCertificateFromRow);
}

template <>
Result<std::vector<Revocation>> Codecs::ReadRevocationsAfter(Connection& conn,
                                                             int64_t after_sequence) {
  return sqlite::ReadAll<Revocation>(
      conn, sqlite::kSelectRevocationsAfter, [&](Statement& st) { st.Bind(1, after_sequence); },
      [](const Statement& st) {
        return Revocation{st.Int(0), st.Text(1), sqlite::FromMillis(st.Int(2))};
      });
}

// --- movements (W13) ---

namespace sqlite {
namespace {
// The movement columns (HP_MOVEMENT_COLUMNS) from column `at` on, into `c`.
void MovementFromRow(const Statement& st, int at, Certificate& c) {
  if (!st.IsNull(at)) c.origin_holding_id = st.Int(at);
  if (!st.IsNull(at + 1)) c.destination_holding_id = st.Int(at + 1);
  if (st.IsNull(at + 2)) return;
  Arrival a;
  a.at = FromMillis(st.Int(at + 2));
  if (!st.IsNull(at + 3)) a.holding_id = st.Int(at + 3);
  if (!st.IsNull(at + 4)) a.head_counted = static_cast<int32_t>(st.Int(at + 4));
  a.tags_seen = store::SplitTags(st.Text(at + 5));
  a.missing_tags = store::SplitTags(st.Text(at + 6));
  a.extra_tags = store::SplitTags(st.Text(at + 7));
  a.mismatch = st.Int(at + 8) != 0;
  c.arrival = std::move(a);
}
}  // namespace
}  // namespace sqlite

template <>
Status Codecs::InsertMovement(Connection& conn, const Certificate& c,
                              const std::string& destination_scope) {
  return sqlite::Write(conn, sqlite::kInsertMovement, [&](Statement& st) {
    st.Bind(1, c.id).Bind(4, destination_scope);
    sqlite::BindOptional(st, 2, c.origin_holding_id);
    sqlite::BindOptional(st, 3, c.destination_holding_id);
  });
}

template <>
Status Codecs::ReadMovement(Connection& conn, Certificate& c) {
  return sqlite::ForEachRow(
      conn, sqlite::kSelectMovement, [&](Statement& st) { st.Bind(1, c.id); },
      [&](const Statement& st) {
        sqlite::MovementFromRow(st, 0, c);
        return Status::Ok();
      });
}

template <>
Status Codecs::UpdateArrival(Connection& conn, const std::string& id, const Arrival& a) {
  std::optional<int64_t> head;
  if (a.head_counted) head = *a.head_counted;
  return sqlite::Write(conn, sqlite::kUpdateArrival, [&](Statement& st) {
    st.Bind(1, id)
        .Bind(2, sqlite::Millis(a.at))
        .Bind(5, store::JoinTags(a.tags_seen))
        .Bind(6, store::JoinTags(a.missing_tags))
        .Bind(7, store::JoinTags(a.extra_tags))
        .Bind(8, a.mismatch ? 1 : 0);
    sqlite::BindOptional(st, 3, a.holding_id);
    sqlite::BindOptional(st, 4, head);
  });
}

// --- journeys (issue 12 item 6) ---

template <>
Status Codecs::InsertHoldingStay(Connection& conn, const HoldingStay& stay) {
  std::optional<std::string> certificate;
  if (!stay.certificate_id.empty()) certificate = stay.certificate_id;
  return sqlite::Write(conn, sqlite::kInsertHoldingStay, [&](Statement& st) {
    st.Bind(1, stay.animal_id).Bind(2, stay.holding_id).Bind(3, sqlite::Millis(stay.since));
    sqlite::BindOptional(st, 4, certificate);
  });
}

template <>
Result<std::vector<Holding>> Codecs::ReadHoldingsByIds(Connection& conn,
                                                       const std::vector<int64_t>& ids) {
  return sqlite::ReadAll<Holding>(
      conn, sqlite::kSelectHoldingsByIds,
      [&](Statement& st) { st.Bind(1, sqlite::JsonIdList(ids)); }, sqlite::HoldingFromRow);
}

template <>
Result<std::vector<TraceMovement>> Codecs::ReadTraceWalk(Connection& conn, const TraceQuery& q) {
  return sqlite::ReadAll<TraceMovement>(
      conn, sqlite::kSelectTraceWalk,
      [&](Statement& st) {
        st.Bind(1, q.holding_id.value_or(0))
            .Bind(2, q.animal_id.value_or(0))
            .Bind(3, sqlite::Millis(q.from))
            .Bind(4, sqlite::Millis(q.to))
            .Bind(5, q.depth)
            .Bind(6, q.forward ? 1 : 0)
            .Bind(7, q.backward ? 1 : 0);
      },
      [](const Statement& st) {
        TraceMovement m;
        m.certificate_id = st.Text(0);
        m.number = st.Text(1);
        m.kind = st.Text(2);
        m.from_holding = st.Int(3);
        m.to_holding = st.Int(4);
        m.at = sqlite::FromMillis(st.Int(5));
        m.head = static_cast<int32_t>(st.Int(6));
        m.hop = static_cast<int>(st.Int(7));
        m.forward = st.Int(8) == 1;
        return m;
      });
}

template <>
Result<std::vector<HoldingStay>> Codecs::ReadHoldingStays(Connection& conn, int64_t animal_id) {
  return sqlite::ReadAll<HoldingStay>(
      conn, sqlite::kSelectHoldingStays, [&](Statement& st) { st.Bind(1, animal_id); },
      [](const Statement& st) {
        return HoldingStay{st.Int(0), st.Int(1), sqlite::FromMillis(st.Int(2)), st.Text(3)};
      });
}

template <>
Result<std::vector<Certificate>> Codecs::ReadMovementsOfAnimal(Connection& conn,
                                                               int64_t animal_id) {
  return sqlite::ReadAll<Certificate>(
      conn, sqlite::kSelectMovementsOfAnimal, [&](Statement& st) { st.Bind(1, animal_id); },
      [](const Statement& st) {
        Certificate c;
        c.id = st.Text(0);
        sqlite::MovementFromRow(st, 1, c);
        return c;
      });
}

template <>
Result<std::vector<Passage>> Codecs::ReadPassagesOfAnimal(Connection& conn, int64_t animal_id) {
  return sqlite::ReadAll<Passage>(
      conn, sqlite::kSelectPassagesOfAnimal, [&](Statement& st) { st.Bind(1, animal_id); },
      sqlite::PassageFromRow);
}

template <>
Status Codecs::SetAnimalHolding(Connection& conn, int64_t animal_id, int64_t holding_id) {
  return sqlite::Write(conn, sqlite::kSetAnimalHolding,
                       [&](Statement& st) { st.Bind(1, animal_id).Bind(2, holding_id); });
}

template <>
Result<std::vector<Certificate>> Codecs::ReadMovementPage(Connection& conn,
                                                          const MovementListQuery& q) {
  const bool incoming = q.side == MovementListQuery::Side::kIncoming;
  const int status = incoming ? 1 : (q.status ? static_cast<int>(*q.status) + 1 : 0);
  std::optional<int64_t> before;
  if (q.before_issued_at) before = sqlite::Millis(*q.before_issued_at);
  return sqlite::ReadAll<Certificate>(
      conn, sqlite::kSelectMovementPage,
      [&](Statement& st) {
        st.Bind(1, q.scope)
            .Bind(2, q.all_authorities ? 1 : 0)
            .Bind(3, incoming ? 1 : 0)
            .Bind(4, status)
            .Bind(5, sqlite::Millis(q.now))
            .Bind(7, q.before_id)
            .Bind(8, std::clamp(q.limit, 1, 1000));
        sqlite::BindOptional(st, 6, before);
      },
      [](const Statement& st) -> Result<Certificate> {
        HP_ASSIGN_OR_RETURN(Certificate c, sqlite::ListedCertificateFromRow(st));
        sqlite::MovementFromRow(st, 13, c);
        return c;
      });
}

template <>
Result<std::vector<Certificate>> Codecs::ReadCertificateList(Connection& conn,
                                                             const CertificateListQuery& q) {
  std::optional<int64_t> before;
  if (q.before_issued_at) before = sqlite::Millis(*q.before_issued_at);
  return sqlite::ReadAll<Certificate>(
      conn, sqlite::kSelectCertificateList,
      [&](Statement& st) {
        st.Bind(1, q.scope)
            .Bind(2, q.all_authorities ? 2 : (q.destination_too ? 1 : 0))
            .Bind(3, q.owner_id.value_or(0))
            .Bind(4, q.status ? CertificateStatusName(*q.status) : "")
            .Bind(5, !q.valid_at_now ? 0 : (*q.valid_at_now ? 1 : 2))
            .Bind(6, sqlite::Millis(q.now))
            .Bind(8, q.before_id)
            .Bind(9, std::clamp(q.limit, 1, 1000));
        sqlite::BindOptional(st, 7, before);
      },
      sqlite::ListedCertificateFromRow);
}

// --- audit, counters, reports ---

template <>
Result<std::vector<AuditRow>> Codecs::ReadAuditPage(Connection& conn, const AuditQuery& q,
                                                    int limit) {
  std::optional<int64_t> from, to;
  if (q.from) from = sqlite::Millis(*q.from);
  if (q.to) to = sqlite::Millis(*q.to);
  return sqlite::ReadAll<AuditRow>(
      conn, q.all_authorities ? sqlite::kSelectAuditPage : sqlite::kSelectAuditPageInScope,
      [&](Statement& st) {
        st.Bind(1, q.after_seq).Bind(2, q.action).Bind(3, q.user_id).Bind(6, limit);
        sqlite::BindOptional(st, 4, from);
        sqlite::BindOptional(st, 5, to);
        if (!q.all_authorities) st.Bind(7, q.scope);
      },
      sqlite::AuditFromRow);
}

template <>
Status Codecs::ReadAuditChain(Connection& conn, store::AuditChainWalk& walk) {
  return sqlite::ForEachRow(conn, sqlite::kSelectAuditAll, sqlite::kNoParams,
                            [&](const Statement& st) {
                              walk.Add(sqlite::AuditFromRow(st));
                              return Status::Ok();
                            });
}

// --- field copy (W10) ---

template <>
Status Codecs::InsertFieldChange(Connection& conn, const store::FieldChange& change) {
  return sqlite::Write(conn, sqlite::kInsertFieldChange, [&](Statement& st) {
    st.Bind(1, store::FieldChangeKindName(change.kind))
        .Bind(2, change.owner_id)
        .Bind(3, change.ref);
  });
}

template <>
Result<std::vector<store::FieldChange>> Codecs::ReadFieldChangesAfter(Connection& conn,
                                                                      int64_t after, int limit) {
  return sqlite::ReadAll<store::FieldChange>(
      conn, sqlite::kSelectFieldChangesAfter,
      [&](Statement& st) { st.Bind(1, after).Bind(2, limit); },
      [](const Statement& st) -> Result<store::FieldChange> {
        store::FieldChange c;
        c.seq = st.Int(0);
        auto kind = store::ParseFieldChangeKind(st.Text(1));
        if (!kind) return Internal("an unknown kind in field_changes");
        c.kind = *kind;
        c.owner_id = st.Int(2);
        c.ref = st.Text(3);
        return c;
      });
}

template <>
Result<int64_t> Codecs::ReadLatestFieldChange(Connection& conn) {
  return sqlite::ReadOne<int64_t>(
      conn, sqlite::kSelectLatestFieldChange, sqlite::kNoParams,
      [](const Statement& st) { return st.Int(0); }, "no change number");
}

template <>
Result<std::vector<int64_t>> Codecs::ReadOwnerIdsInScope(Connection& conn, const std::string& scope,
                                                         bool all_authorities) {
  return sqlite::ReadAll<int64_t>(
      conn, sqlite::kSelectOwnerIdsInScope,
      [&](Statement& st) { st.Bind(1, scope).Bind(2, all_authorities ? 1 : 0); },
      [](const Statement& st) { return st.Int(0); });
}

template <>
Result<StoreCounts> Codecs::ReadCounts(Connection& conn) {
  StoreCounts c;
  HP_RETURN_IF_ERROR(sqlite::ForEachRow(conn, sqlite::kSelectCounters, sqlite::kNoParams,
                                        [&](const Statement& st) {
                                          store::SetCount(c, st.Text(0), st.Int(1));
                                          return Status::Ok();
                                        }));
  return c;
}

namespace {

// Every non-voided record of the owners of `scope` administered on or before `through`, as
// (animal ids, day, disease, vaccine, head count): the doses of the W11 report and W15's due list.
template <typename Fn>
Status ForEachCoverageDose(Connection& conn, const std::string& scope, Date through, Fn fn) {
  return sqlite::ForEachRow(
      conn, sqlite::kSelectCoverageDoses,
      [&](Statement& st) { st.Bind(1, scope).Bind(2, static_cast<int64_t>(through.days())); },
      [&](const Statement& st) {
        fn(sqlite::DecodeIds(st.Blob(0)), sqlite::FromDays(st.Int(1)), st.Text(2), st.Text(3),
           st.Int(4));
        return Status::Ok();
      });
}

}  // namespace

template <>
Status Codecs::ReadCoverage(Connection& conn, const CoverageQuery& q, CoverageTally& tally) {
  HP_RETURN_IF_ERROR(sqlite::ForEachRow(
      conn, sqlite::kSelectCoverageUnits,
      [&](Statement& st) { st.Bind(1, q.scope).Bind(2, q.species); },
      [&](const Statement& st) {
        tally.AddUnit(st.Int(0), st.Text(1), st.Text(2), st.Int(3), st.Int(4) != 0,
                      sqlite::FromMillis(st.Int(5)));
        return Status::Ok();
      }));
  return ForEachCoverageDose(conn, q.scope, q.to, [&](auto&&... dose) { tally.AddDose(dose...); });
}

template <>
Status Codecs::ReadDue(Connection& conn, const DueQuery& q, DueListBuilder& due) {
  const auto scope = [&](Statement& st) { st.Bind(1, q.scope); };
  HP_RETURN_IF_ERROR(
      sqlite::ForEachRow(conn, sqlite::kSelectDueOwners, scope, [&](const Statement& st) {
        due.AddOwner(sqlite::OwnerFromRow(st));
        return Status::Ok();
      }));
  HP_RETURN_IF_ERROR(
      sqlite::ForEachRow(conn, sqlite::kSelectDueUnits, scope, [&](const Statement& st) {
        due.AddUnit(sqlite::AnimalFromRow(st));
        return Status::Ok();
      }));
  return ForEachCoverageDose(conn, q.scope, q.today, [&](auto&&... dose) { due.AddDose(dose...); });
}

template <>
Status Codecs::ReadReminders(Connection& conn, const ReminderQuery& q, ReminderBuilder& reminders) {
  return sqlite::ForEachRow(
      conn, sqlite::kSelectReminderRows,
      [&](Statement& st) {
        st.Bind(1, static_cast<int64_t>(reminders.DosesFrom().days()))
            .Bind(2, static_cast<int64_t>(q.today.days()))
            .Bind(3, sqlite::Millis(q.reminded_after));
      },
      [&](const Statement& st) {
        if (st.IsNull(0)) {
          reminders.AddDose(sqlite::DecodeIds(st.Blob(14)), sqlite::FromDays(st.Int(15)),
                            st.Text(16), st.Text(17), st.Int(18));
        } else {
          reminders.AddUnit(sqlite::AnimalFromRow(st), st.Text(12), st.Text(13));
        }
        return Status::Ok();
      });
}

template <>
Result<std::vector<Holding>> Codecs::ReadHoldingsOfAuthorities(
    Connection& conn, const std::vector<std::string>& authorities) {
  // Authority codes are validated ([A-Za-z0-9-]), so a JSON string needs no escaping.
  std::string list = "[";
  for (size_t i = 0; i < authorities.size(); ++i) {
    list += (i > 0 ? ",\"" : "\"") + authorities[i] + '"';
  }
  list += ']';
  return sqlite::ReadAll<Holding>(
      conn, sqlite::kSelectHoldingsOfAuthorities, [&](Statement& st) { st.Bind(1, list); },
      sqlite::HoldingFromRow);
}

template <>
Status Codecs::ReadRing(Connection& conn, const std::vector<int64_t>& holding_ids, Date today,
                        RingListBuilder& ring) {
  const std::string ids = sqlite::JsonIdList(holding_ids);
  HP_RETURN_IF_ERROR(sqlite::ForEachRow(
      conn, sqlite::kSelectRingUnits, [&](Statement& st) { st.Bind(1, ids); },
      [&](const Statement& st) {
        ring.AddUnit(sqlite::AnimalFromRow(st));
        return Status::Ok();
      }));
  HP_RETURN_IF_ERROR(sqlite::ForEachRow(
      conn, sqlite::kSelectRingOwners, [&](Statement& st) { st.Bind(1, ids); },
      [&](const Statement& st) {
        ring.AddOwner(sqlite::OwnerFromRow(st));
        return Status::Ok();
      }));
  return sqlite::ForEachRow(
      conn, sqlite::kSelectRingDoses,
      [&](Statement& st) { st.Bind(1, ids).Bind(2, static_cast<int64_t>(today.days())); },
      [&](const Statement& st) {
        ring.AddDose(sqlite::DecodeIds(st.Blob(0)), sqlite::FromDays(st.Int(1)), st.Text(2),
                     st.Text(3), st.Int(4));
        return Status::Ok();
      });
}

namespace sqlite {
namespace {

// What the store core needs of SQLite besides the codecs (store/store_core.h).
struct Backend {
  using Session = WriteSession;
  using Connection = sqlite::Connection;
  static Status Migrate(Connection& conn) { return sqlite::Migrate(conn); }
  // A read that failed inside its snapshot leaves nothing open: EndSnapshot ends it.
  static void ReturnReader(Connection&) {}
  static Status Ready(Connection&) { return Status::Ok(); }
  static Status BeginSnapshot(Connection& conn) { return conn.Exec(kBeginRead); }
  static void EndSnapshot(Connection& conn) {
    if (conn.InTransaction()) (void)conn.Exec(kCommit);
  }
};

using SqliteStore = store::StoreCore<Backend>;

}  // namespace
}  // namespace sqlite

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  return sqlite::SqliteStore::Open(
      [&](bool reader) {
        return Connection::Open(options.path, options.vfs, options.cache_kib, reader);
      },
      options.readers, options.max_group);
}

int SqliteSchemaVersion() { return sqlite::LatestSchemaVersion(); }

}  // namespace herdpass
