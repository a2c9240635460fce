#include "store/postgres/records.h"

#include <algorithm>
#include <utility>

namespace herdpass::postgres {
namespace {

Owner OwnerFromRow(const Rows& r, int i) {
  Owner o;
  o.id = r.Int(i, 0);
  o.phone = r.Text(i, 1);
  o.name = r.Text(i, 2);
  o.village = r.Text(i, 3);
  o.authority = r.Text(i, 4);
  o.created_at = r.Time(i, 5);
  return o;
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
  return a;
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
  auto purpose = ParsePurpose(r.Text(i, 7));
  if (!purpose.ok()) return Internal("a stored certificate has an unknown purpose");
  c.purpose = *purpose;
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
  auto status = ParseCertificateStatus(r.Text(i, 20));
  if (!status.ok()) return Internal("a stored certificate has an unknown status");
  c.status = *status;
  c.consumed_at = r.OptTime(i, 21);
  c.consumed_by = r.Int(i, 22);
  c.consumed_by_name = r.Text(i, 23);
  c.consumed_place = r.Text(i, 24);
  c.revoked_at = r.OptTime(i, 25);
  c.revoked_by = r.Int(i, 26);
  c.revoke_reason = r.Text(i, 27);
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

// Runs a single-row lookup and maps its row with `map`.
template <typename T, typename Map>
Result<T> ReadOne(Connection& conn, const Query& q, std::initializer_list<Param> params, Map map,
                  const char* not_found) {
  auto rows = conn.Run(q, params);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound(not_found);
  return map(*rows, 0);
}

template <typename T, typename Map>
Result<std::vector<T>> ReadAll(Connection& conn, const Query& q,
                               std::initializer_list<Param> params, Map map) {
  auto rows = conn.Run(q, params);
  if (!rows.ok()) return rows.status();
  std::vector<T> out;
  out.reserve(static_cast<size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) out.push_back(map(*rows, i));
  return out;
}

// The row of `q` (by id or by number), then its animals and vaccinations. Run inside one
// transaction (a reader's snapshot or the writer's) so that the parts agree.
Result<Certificate> ReadCertificate(Connection& conn, const Query& q, const std::string& key) {
  auto row =
      ReadOne<Result<Certificate>>(conn, q, {key}, CertificateFromRow, "no such certificate");
  if (!row.ok()) return row.status();
  if (!row->ok()) return row->status();
  Certificate c = std::move(*row).value();
  HP_RETURN_IF_ERROR(ReadCertificateAnimals(conn, c.id, c.animal_ids, c.tags));
  auto rows = conn.Run(kSelectCertificateVaccinations, {c.id});
  if (!rows.ok()) return rows.status();
  for (int i = 0; i < rows->size(); ++i) {
    c.vaccinations.push_back(CertificateVaccination{rows->Text(i, 0), rows->Text(i, 1),
                                                    rows->Day(i, 2), rows->Text(i, 3)});
  }
  return c;
}

}  // namespace

Result<Owner> ReadOwnerById(Connection& conn, int64_t id) {
  return ReadOne<Owner>(conn, kSelectOwnerById, {id}, OwnerFromRow, "no such owner");
}

Result<Owner> ReadOwnerByPhone(Connection& conn, const std::string& e164) {
  return ReadOne<Owner>(conn, kSelectOwnerByPhone, {e164}, OwnerFromRow,
                        "no owner with this phone number");
}

Result<Animal> ReadAnimalByTag(Connection& conn, const std::string& tag) {
  return ReadOne<Animal>(conn, kSelectAnimalByTag, {tag}, AnimalFromRow, "no animal with this tag");
}

Result<std::vector<Animal>> ReadAnimalsOfOwner(Connection& conn, int64_t owner_id) {
  return ReadAll<Animal>(conn, kSelectAnimalsByOwner, {owner_id}, AnimalFromRow);
}

Result<Vaccination> ReadVaccination(Connection& conn, const std::string& id) {
  return ReadOne<Vaccination>(conn, kSelectVaccination, {id}, VaccinationFromRow,
                              "no such vaccination record");
}

Result<std::vector<Vaccination>> ReadVaccinationsSince(Connection& conn, int64_t owner_id,
                                                       Date since) {
  return ReadAll<Vaccination>(conn, kSelectOwnerVaccinationsSince, {owner_id, since},
                              VaccinationFromRow);
}

Result<User> ReadUserByName(Connection& conn, const std::string& username) {
  auto r = ReadOne<Result<User>>(conn, kSelectUserByName, {username}, UserFromRow, "no such user");
  if (!r.ok()) return r.status();
  return std::move(r).value();
}

Result<User> ReadUserById(Connection& conn, int64_t id) {
  auto r = ReadOne<Result<User>>(conn, kSelectUserById, {id}, UserFromRow, "no such user");
  if (!r.ok()) return r.status();
  return std::move(r).value();
}

Result<std::vector<User>> ReadUsers(Connection& conn) {
  auto rows = conn.Run(kSelectUsers);
  if (!rows.ok()) return rows.status();
  std::vector<User> out;
  for (int i = 0; i < rows->size(); ++i) {
    auto user = UserFromRow(*rows, i);
    if (!user.ok()) return user.status();
    out.push_back(std::move(user).value());
  }
  return out;
}

Result<int64_t> InsertOwner(Connection& conn, const NewOwner& owner) {
  auto rows = conn.Run(kInsertOwner,
                       {owner.phone, owner.name, owner.village, owner.authority, owner.created_at});
  if (!rows.ok()) return rows.status();
  return rows->Int(0, 0);
}

Result<int64_t> InsertAnimal(Connection& conn, const NewAnimal& animal) {
  auto rows =
      conn.Run(kInsertAnimal, {animal.owner_id, animal.tag, animal.species, animal.head_count,
                               animal.sex, animal.birth_date, animal.authority, animal.created_at});
  if (!rows.ok()) return rows.status();
  return rows->Int(0, 0);
}

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
  auto rows = conn.Run(kSelectCertificateAnimals, {certificate_id});
  if (!rows.ok()) return rows.status();
  for (int i = 0; i < rows->size(); ++i) {
    ids.push_back(rows->Int(i, 0));
    if (!rows->IsNull(i, 1)) tags.push_back(rows->Text(i, 1));
    if (owners != nullptr) owners->push_back(rows->Int(i, 2));
  }
  std::sort(tags.begin(), tags.end());
  return Status::Ok();
}

Result<CertificateStatus> ReadCertificateStatus(Connection& conn, const std::string& id) {
  auto rows = conn.Run(kSelectCertificateStatus, {id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound("no such certificate");
  auto status = ParseCertificateStatus(rows->Text(0, 0));
  if (!status.ok()) return Internal("a stored certificate has an unknown status");
  return *status;
}

Result<std::vector<SigningKey>> ReadSigningKeys(Connection& conn) {
  return ReadAll<SigningKey>(conn, kSelectSigningKeys, {}, SigningKeyFromRow);
}

Status InsertSigningKey(Connection& conn, const SigningKey& key) {
  return conn
      .Run(kInsertSigningKey,
           {key.kid, key.authority, key.country, key.algorithm, key.public_key, key.root,
            key.valid_from, key.valid_until, key.retired_at, key.source})
      .status();
}

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

}  // namespace herdpass::postgres
