// Reading and writing HerdPass records on one PostgreSQL connection: the row codecs shared by the
// writer's jobs and the readers. Every function runs inside whatever transaction `conn` has open.
// Thread-compatible (as Connection).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/certificate.h"
#include "domain/model.h"
#include "domain/status.h"
#include "store/postgres/connection.h"
#include "store/store.h"

namespace herdpass::postgres {

// Lookups return kNotFound (with a message in user terms) when there is no such row.
Result<Owner> ReadOwnerById(Connection& conn, int64_t id);
Result<Owner> ReadOwnerByPhone(Connection& conn, const std::string& e164);
Result<Animal> ReadAnimalByTag(Connection& conn, const std::string& tag);
Result<std::vector<Animal>> ReadAnimalsOfOwner(Connection& conn, int64_t owner_id);
// REQUIRES: `id` is a canonical UUID (NormalizeUuid).
Result<Vaccination> ReadVaccination(Connection& conn, const std::string& id);
Result<std::vector<Vaccination>> ReadVaccinationsSince(Connection& conn, int64_t owner_id,
                                                       Date since);
Result<User> ReadUserByName(Connection& conn, const std::string& username);
Result<User> ReadUserById(Connection& conn, int64_t id);
Result<std::vector<User>> ReadUsers(Connection& conn);  // by id

Result<int64_t> InsertOwner(Connection& conn, const NewOwner& owner);
Result<int64_t> InsertAnimal(Connection& conn, const NewAnimal& animal);

// A certificate with its animals (in their stored order), its tags (sorted) and its
// vaccinations (in their stored order). kNotFound when there is none.
Result<Certificate> ReadCertificateById(Connection& conn, const std::string& id);
Result<Certificate> ReadCertificateByNumber(Connection& conn, const std::string& number);
// The animals of a stored certificate as they are now: ids in order, and the sorted tags of the
// tagged ones. `owners` (optional) receives each animal's current owner id, 0 for an id with no
// animal.
Status ReadCertificateAnimals(Connection& conn, const std::string& certificate_id,
                              std::vector<int64_t>& ids, std::vector<std::string>& tags,
                              std::vector<int64_t>* owners = nullptr);
// The stored status; kNotFound when there is no such certificate.
Result<CertificateStatus> ReadCertificateStatus(Connection& conn, const std::string& id);

Result<std::vector<SigningKey>> ReadSigningKeys(Connection& conn);  // oldest first
Status InsertSigningKey(Connection& conn, const SigningKey& key);

// Array literals in PostgreSQL's text format: {1,2,3} and {"a","b \"c\""}.
std::string IntArrayLiteral(const std::vector<int64_t>& values);
std::string TextArrayLiteral(const std::vector<std::string>& values);

}  // namespace herdpass::postgres
