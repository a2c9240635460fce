#include "store/sqlite/records.h"

#include <algorithm>
#include <utility>

namespace herdpass::sqlite {
namespace {

Owner OwnerFromRow(const Statement& st) {
  Owner o;
  o.id = st.Int(0);
  o.phone = st.Text(1);
  o.name = st.Text(2);
  o.village = st.Text(3);
  o.authority = st.Text(4);
  o.created_at = FromMillis(st.Int(5));
  return o;
}

Animal AnimalFromRow(const Statement& st) {
  Animal a;
  a.id = st.Int(0);
  a.owner_id = st.Int(1);
  if (!st.IsNull(2)) a.tag = st.Text(2);
  a.species = st.Text(3);
  a.head_count = static_cast<int32_t>(st.Int(4));
  a.sex = st.Text(5);
  if (!st.IsNull(6)) a.birth_date = Date::FromDays(static_cast<int32_t>(st.Int(6)));
  a.authority = st.Text(7);
  a.created_at = FromMillis(st.Int(8));
  return a;
}

Vaccination VaccinationFromRow(const Statement& st) {
  Vaccination v;
  v.id = UuidFromBytes(st.Blob(0));
  v.owner_id = st.Int(1);
  v.administered_on = Date::FromDays(static_cast<int32_t>(st.Int(2)));
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
  auto purpose = ParsePurpose(st.Text(7));
  if (!purpose.ok()) return Internal("a stored certificate has an unknown purpose");
  c.purpose = *purpose;
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
  auto status = ParseCertificateStatus(st.Text(20));
  if (!status.ok()) return Internal("a stored certificate has an unknown status");
  c.status = *status;
  if (!st.IsNull(21)) c.consumed_at = FromMillis(st.Int(21));
  c.consumed_by = st.Int(22);
  c.consumed_by_name = st.Text(23);
  c.consumed_place = st.Text(24);
  if (!st.IsNull(25)) c.revoked_at = FromMillis(st.Int(25));
  c.revoked_by = st.Int(26);
  c.revoke_reason = st.Text(27);
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

// Runs a single-row lookup and maps its row with `map`.
template <typename T, typename Bind, typename Map>
Result<T> ReadOne(Connection& conn, const Query& q, Bind bind, Map map, const char* not_found) {
  auto st = conn.Prepare(q);
  if (!st.ok()) return st.status();
  bind(*st);
  auto row = st->Next();
  if (!row.ok()) return row.status();
  if (!*row) return NotFound(not_found);
  return Result<T>(map(*st));
}

}  // namespace

Result<Owner> ReadOwnerById(Connection& conn, int64_t id) {
  return ReadOne<Owner>(
      conn, kSelectOwnerById, [&](Statement& st) { st.Bind(1, id); }, OwnerFromRow,
      "no such owner");
}

Result<Owner> ReadOwnerByPhone(Connection& conn, const std::string& e164) {
  return ReadOne<Owner>(
      conn, kSelectOwnerByPhone, [&](Statement& st) { st.Bind(1, e164); }, OwnerFromRow,
      "no owner with this phone number");
}

Result<Animal> ReadAnimalByTag(Connection& conn, const std::string& tag) {
  return ReadOne<Animal>(
      conn, kSelectAnimalByTag, [&](Statement& st) { st.Bind(1, tag); }, AnimalFromRow,
      "no animal with this tag");
}

Result<std::vector<Animal>> ReadAnimalsOfOwner(Connection& conn, int64_t owner_id) {
  auto st = conn.Prepare(kSelectAnimalsByOwner);
  if (!st.ok()) return st.status();
  st->Bind(1, owner_id);
  std::vector<Animal> out;
  for (;;) {
    auto row = st->Next();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(AnimalFromRow(*st));
  }
  return out;
}

Result<Vaccination> ReadVaccination(Connection& conn, const std::string& id_bytes) {
  return ReadOne<Vaccination>(
      conn, kSelectVaccination, [&](Statement& st) { st.BindBlob(1, id_bytes); },
      VaccinationFromRow, "no such vaccination record");
}

Result<std::vector<Vaccination>> ReadVaccinationsSince(Connection& conn, int64_t owner_id,
                                                       Date since) {
  auto st = conn.Prepare(kSelectOwnerVaccinationsSince);
  if (!st.ok()) return st.status();
  st->Bind(1, owner_id).Bind(2, since.days());
  std::vector<Vaccination> out;
  for (;;) {
    auto row = st->Next();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(VaccinationFromRow(*st));
  }
  return out;
}

Result<User> ReadUserByName(Connection& conn, const std::string& username) {
  auto r = ReadOne<Result<User>>(
      conn, kSelectUserByName, [&](Statement& st) { st.Bind(1, username); }, UserFromRow,
      "no such user");
  if (!r.ok()) return r.status();
  return std::move(r).value();
}

Result<User> ReadUserById(Connection& conn, int64_t id) {
  auto r = ReadOne<Result<User>>(
      conn, kSelectUserById, [&](Statement& st) { st.Bind(1, id); }, UserFromRow, "no such user");
  if (!r.ok()) return r.status();
  return std::move(r).value();
}

Result<std::vector<User>> ReadUsers(Connection& conn) {
  auto st = conn.Prepare(kSelectUsers);
  if (!st.ok()) return st.status();
  std::vector<User> out;
  for (;;) {
    auto row = st->Next();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto user = UserFromRow(*st);
    if (!user.ok()) return user.status();
    out.push_back(std::move(user).value());
  }
  return out;
}

Result<int64_t> InsertOwner(Connection& conn, const NewOwner& owner) {
  auto st = conn.Prepare(kInsertOwner);
  if (!st.ok()) return st.status();
  st->Bind(1, owner.phone)
      .Bind(2, owner.name)
      .Bind(3, owner.village)
      .Bind(4, owner.authority)
      .Bind(5, Millis(owner.created_at));
  HP_RETURN_IF_ERROR(st->Run());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(conn.db()));
}

Result<int64_t> InsertAnimal(Connection& conn, const NewAnimal& animal) {
  auto st = conn.Prepare(kInsertAnimal);
  if (!st.ok()) return st.status();
  st->Bind(1, animal.owner_id);
  if (animal.tag) {
    st->Bind(2, *animal.tag);
  } else {
    st->BindNull(2);
  }
  st->Bind(3, animal.species).Bind(4, animal.head_count).Bind(5, animal.sex);
  if (animal.birth_date) {
    st->Bind(6, animal.birth_date->days());
  } else {
    st->BindNull(6);
  }
  st->Bind(7, animal.authority).Bind(8, Millis(animal.created_at));
  HP_RETURN_IF_ERROR(st->Run());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(conn.db()));
}

namespace {

// The row of `q` (by id or by number), then its animals and vaccinations. Run inside one
// transaction (a reader's snapshot or the writer's) so that the parts agree.
Result<Certificate> ReadCertificate(Connection& conn, const Query& q, const std::string& key) {
  auto row = ReadOne<Result<Certificate>>(
      conn, q, [&](Statement& st) { st.Bind(1, key); }, CertificateFromRow, "no such certificate");
  if (!row.ok()) return row.status();
  if (!row->ok()) return row->status();
  Certificate c = std::move(*row).value();
  HP_RETURN_IF_ERROR(ReadCertificateAnimals(conn, c.id, c.animal_ids, c.tags));
  auto st = conn.Prepare(kSelectCertificateVaccinations);
  if (!st.ok()) return st.status();
  st->Bind(1, c.id);
  for (;;) {
    auto next = st->Next();
    if (!next.ok()) return next.status();
    if (!*next) break;
    c.vaccinations.push_back(CertificateVaccination{
        st->Text(0), st->Text(1), Date::FromDays(static_cast<int32_t>(st->Int(2))), st->Text(3)});
  }
  return c;
}

}  // namespace

Result<Certificate> ReadCertificateById(Connection& conn, const std::string& id) {
  return ReadCertificate(conn, kSelectCertificateById, id);
}

Result<Certificate> ReadCertificateByNumber(Connection& conn, const std::string& number) {
  return ReadCertificate(conn, kSelectCertificateByNumber, number);
}

Status ReadCertificateAnimals(Connection& conn, const std::string& certificate_id,
                              std::vector<int64_t>& ids, std::vector<std::string>& tags,
                              std::vector<int64_t>* owners) {
  ids.clear();
  tags.clear();
  if (owners != nullptr) owners->clear();
  auto st = conn.Prepare(kSelectCertificateAnimals);
  if (!st.ok()) return st.status();
  st->Bind(1, certificate_id);
  for (;;) {
    auto row = st->Next();
    if (!row.ok()) return row.status();
    if (!*row) break;
    ids.push_back(st->Int(0));
    if (!st->IsNull(1)) tags.push_back(st->Text(1));
    if (owners != nullptr) owners->push_back(st->Int(2));
  }
  std::sort(tags.begin(), tags.end());
  return Status::Ok();
}

Result<CertificateStatus> ReadCertificateStatus(Connection& conn, const std::string& id) {
  auto st = conn.Prepare(kSelectCertificateStatus);
  if (!st.ok()) return st.status();
  st->Bind(1, id);
  auto row = st->Next();
  if (!row.ok()) return row.status();
  if (!*row) return NotFound("no such certificate");
  auto status = ParseCertificateStatus(st->Text(0));
  if (!status.ok()) return Internal("a stored certificate has an unknown status");
  return *status;
}

Result<std::vector<SigningKey>> ReadSigningKeys(Connection& conn) {
  auto st = conn.Prepare(kSelectSigningKeys);
  if (!st.ok()) return st.status();
  std::vector<SigningKey> out;
  for (;;) {
    auto row = st->Next();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(SigningKeyFromRow(*st));
  }
  return out;
}

Status InsertSigningKey(Connection& conn, const SigningKey& key) {
  auto st = conn.Prepare(kInsertSigningKey);
  if (!st.ok()) return st.status();
  st->Bind(1, key.kid)
      .Bind(2, key.authority)
      .Bind(3, key.country)
      .Bind(4, key.algorithm)
      .Bind(5, key.public_key)
      .Bind(6, key.root ? 1 : 0)
      .Bind(7, Millis(key.valid_from))
      .Bind(8, Millis(key.valid_until));
  if (key.retired_at) {
    st->Bind(9, Millis(*key.retired_at));
  } else {
    st->BindNull(9);
  }
  st->Bind(10, key.source);
  return st->Run();
}

std::string EncodeIds(const std::vector<int64_t>& ids) {
  std::string out;
  for (int64_t id : ids) {
    auto v = static_cast<uint64_t>(id);
    while (v >= 0x80) {
      out.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  }
  return out;
}

std::vector<int64_t> DecodeIds(const std::string& blob) {
  std::vector<int64_t> out;
  uint64_t v = 0;
  int shift = 0;
  for (char c : blob) {
    auto b = static_cast<unsigned char>(c);
    if (shift < 64) v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (b & 0x80) {
      shift += 7;
    } else {
      out.push_back(static_cast<int64_t>(v));
      v = 0;
      shift = 0;
    }
  }
  return out;
}

}  // namespace herdpass::sqlite
