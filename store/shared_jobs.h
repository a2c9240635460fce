// Write and read steps that both backends take alike, written once. Each is a template over the
// backend's WriteTxn or Connection and calls the backend's row codecs (store/<backend>/records.h,
// which both declare with the same names and signatures) unqualified, so that argument-dependent
// lookup on the Connection type finds them. A backend keeps its SQL in its codecs; the rules, the
// checks and the messages live here. Thread-compatible (as the connection).
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "domain/certificate.h"
#include "domain/model.h"
#include "domain/status.h"
#include "store/counters.h"
#include "store/store.h"

namespace herdpass::store {

// CreateOwner's job (store.h): kAlreadyExists with detail = the existing owner's id.
template <class Txn>
Result<Owner> CreateOwnerIn(Txn& tx, const NewOwner& owner) {
  auto existing = ReadOwnerByPhone(tx.conn(), owner.phone);
  if (existing.ok()) {
    return AlreadyExists("an owner with this phone number exists", std::to_string(existing->id));
  }
  if (existing.status().code() != StatusCode::kNotFound) return existing.status();
  auto id = InsertOwner(tx.conn(), owner);
  if (!id.ok()) return id.status();
  tx.Count(Counter::kOwners);
  return Owner{*id, owner.phone, owner.name, owner.village, owner.authority, owner.created_at};
}

// CreateAnimal's job (store.h): kNotFound for no owner; kAlreadyExists with detail = the existing
// animal's id when the tag is known.
template <class Txn>
Result<Animal> CreateAnimalIn(Txn& tx, const NewAnimal& animal) {
  auto owner = ReadOwnerById(tx.conn(), animal.owner_id);
  if (!owner.ok()) return owner.status();
  if (animal.tag) {
    auto existing = ReadAnimalByTag(tx.conn(), *animal.tag);
    if (existing.ok()) {
      return AlreadyExists("an animal with this tag exists", std::to_string(existing->id));
    }
    if (existing.status().code() != StatusCode::kNotFound) return existing.status();
  }
  auto id = InsertAnimal(tx.conn(), animal);
  if (!id.ok()) return id.status();
  tx.Count(Counter::kAnimals);
  return Animal{
      *id,        animal.owner_id,   animal.tag,       animal.species,   animal.head_count,
      animal.sex, animal.birth_date, animal.authority, animal.created_at};
}

// SaveSigningKey's insert: kAlreadyExists (detail: the kid) when the kid is known.
template <class Connection>
Status InsertNewSigningKey(Connection& conn, const SigningKey& key) {
  Status s = InsertSigningKey(conn, key);
  if (s.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("a signing key with this kid exists", key.kid);
  }
  return s;
}

// ReplaceKeys' inserts, after the keys of `source` were deleted: each key stored under `source`.
// A retirement made here (`retired`: kid to when, read before the delete) outlives the
// replacement: a key this node stopped trusting is not trusted again because its country's next
// list still carries it.
template <class Connection>
Status InsertReplacementKeys(Connection& conn, const std::string& source,
                             const std::vector<SigningKey>& keys,
                             const std::map<std::string, Timestamp>& retired) {
  for (const SigningKey& in : keys) {
    SigningKey key = in;
    key.source = source;
    if (auto it = retired.find(key.kid); it != retired.end()) {
      key.retired_at = key.retired_at ? std::min(*key.retired_at, it->second) : it->second;
    }
    // Our own keys are gone by now: a conflict is a kid of another source, or one listed twice.
    // Either way the job fails and its savepoint restores every key it deleted.
    Status s = InsertSigningKey(conn, key);
    if (s.code() == StatusCode::kAlreadyExists) {
      return AlreadyExists(
          "a signing key with this kid exists under another source, or is listed twice", key.kid);
    }
    HP_RETURN_IF_ERROR(s);
  }
  return Status::Ok();
}

// ConsumeCertificate after its conditional UPDATE (`changed`: it changed a row): the consumed
// certificate; or why nothing changed: kFailedPrecondition when revoked, kAlreadyExists (detail:
// the id) when consumed before, kNotFound.
template <class Connection>
Result<Certificate> ConsumedCertificate(Connection& conn, const std::string& id, bool changed) {
  if (!changed) {
    auto status = ReadCertificateStatus(conn, id);
    if (!status.ok()) return status.status();
    if (*status == CertificateStatus::kRevoked) {
      return FailedPrecondition("the certificate is revoked");
    }
    return AlreadyExists("the certificate was consumed before", id);
  }
  return ReadCertificateById(conn, id);
}

}  // namespace herdpass::store
