// W10: what a field copy reads, written once for both backends over their codecs
// (record_codecs.h). Runs inside one read snapshot opened by the caller (StoreCore::ReadFieldCopy),
// so that the rows and the cursor agree: a row changed after the snapshot has a change number
// above the cursor and comes with the next refresh.
// Thread-compatible: uses the caller's connection only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "domain/model.h"
#include "domain/status.h"
#include "store/field_changes.h"
#include "store/store.h"

namespace herdpass::store {

inline constexpr int kFieldChangesPerRead = 5000;
inline constexpr int kCertificatesPerRead = 1000;

// Every certificate of the owner, newest first, a page at a time.
template <class Codecs, class Connection>
Status CopyCertificatesOf(Connection& conn, int64_t owner_id, FieldCopySink& sink) {
  CertificateListQuery q;
  q.all_authorities = true;
  q.owner_id = owner_id;
  q.limit = kCertificatesPerRead;
  while (true) {
    HP_ASSIGN_OR_RETURN(const auto page, Codecs::ReadCertificateList(conn, q));
    for (const Certificate& c : page) HP_RETURN_IF_ERROR(sink.OnCertificate(c));
    if (page.size() < static_cast<size_t>(kCertificatesPerRead)) return Status::Ok();
    q.before_issued_at = page.back().issued_at;
    q.before_id = page.back().id;
  }
}

// The whole of one owner: the owner, its animals and flocks, every record (voided included) and
// every certificate.
template <class Codecs, class Connection>
Status CopyOwner(Connection& conn, int64_t owner_id, FieldCopySink& sink) {
  HP_ASSIGN_OR_RETURN(const Owner owner, Codecs::ReadOwnerById(conn, owner_id));
  HP_RETURN_IF_ERROR(sink.OnOwner(owner));
  HP_ASSIGN_OR_RETURN(const auto animals, Codecs::ReadAnimalsOfOwner(conn, owner_id));
  for (const Animal& a : animals) HP_RETURN_IF_ERROR(sink.OnAnimal(a));
  // Since 1900-01-01: all of them.
  HP_ASSIGN_OR_RETURN(const auto records,
                      Codecs::ReadVaccinationsSince(conn, owner_id, Date::FromDays(-25567)));
  for (const Vaccination& v : records) HP_RETURN_IF_ERROR(sink.OnVaccination(v));
  return CopyCertificatesOf<Codecs>(conn, owner_id, sink);
}

// One noted change as the row is now. An animal no longer the noted owner's was sold away.
template <class Codecs, class Connection>
Status CopyChange(Connection& conn, const FieldChange& change, FieldCopySink& sink) {
  switch (change.kind) {
    case FieldChangeKind::kOwner: {
      HP_ASSIGN_OR_RETURN(const Owner o, Codecs::ReadOwnerById(conn, change.owner_id));
      return sink.OnOwner(o);
    }
    case FieldChangeKind::kAnimal: {
      HP_ASSIGN_OR_RETURN(const Animal a, Codecs::ReadAnimalById(conn, std::stoll(change.ref)));
      if (a.owner_id != change.owner_id) return sink.OnAnimalGone(a.id, change.owner_id);
      return sink.OnAnimal(a);
    }
    case FieldChangeKind::kVaccination: {
      auto key = Codecs::RecordKey(change.ref);
      if (!key) return Internal("a noted record id is not a UUID");
      HP_ASSIGN_OR_RETURN(const Vaccination v, Codecs::ReadVaccination(conn, *key));
      return sink.OnVaccination(v);
    }
    case FieldChangeKind::kCertificate: {
      HP_ASSIGN_OR_RETURN(const Certificate c,
                          Codecs::ReadCertificateRow(conn, CertificateKey::kId, change.ref));
      return sink.OnCertificate(c);
    }
  }
  return Status::Ok();
}

// The copy `q` asks for; returns the cursor (the newest change number in the snapshot).
template <class Codecs, class Connection>
Result<int64_t> CopyForTheField(Connection& conn, const FieldCopyQuery& q, FieldCopySink& sink) {
  HP_ASSIGN_OR_RETURN(const int64_t cursor, Codecs::ReadLatestFieldChange(conn));
  if (!q.since) {
    std::vector<int64_t> owners = q.owner_ids;
    if (owners.empty()) {
      HP_ASSIGN_OR_RETURN(owners, Codecs::ReadOwnerIdsInScope(conn, q.scope, q.all_authorities));
    }
    for (int64_t id : owners) HP_RETURN_IF_ERROR(CopyOwner<Codecs>(conn, id, sink));
    return cursor;
  }
  const std::set<int64_t> listed(q.owner_ids.begin(), q.owner_ids.end());
  std::map<int64_t, bool> in_copy;  // owner id: is it in the copy
  auto owner_in_copy = [&](int64_t owner_id) -> Result<bool> {
    if (auto it = in_copy.find(owner_id); it != in_copy.end()) return it->second;
    bool in = false;
    if (!listed.empty()) {
      in = listed.count(owner_id) != 0;
    } else {
      HP_ASSIGN_OR_RETURN(const Owner o, Codecs::ReadOwnerById(conn, owner_id));
      in = q.all_authorities || InJurisdiction(q.scope, o.authority);
    }
    in_copy.emplace(owner_id, in);
    return in;
  };
  // Each changed row once, in the order of its latest change, however often it changed.
  std::map<std::tuple<FieldChangeKind, int64_t, std::string>, FieldChange> latest;
  int64_t after = *q.since;
  while (after < cursor) {
    HP_ASSIGN_OR_RETURN(const auto page,
                        Codecs::ReadFieldChangesAfter(conn, after, kFieldChangesPerRead));
    if (page.empty()) break;
    for (const FieldChange& c : page) {
      after = c.seq;
      if (c.seq > cursor) break;
      HP_ASSIGN_OR_RETURN(const bool in, owner_in_copy(c.owner_id));
      if (in) latest[{c.kind, c.owner_id, c.ref}] = c;
    }
  }
  std::vector<const FieldChange*> order;
  order.reserve(latest.size());
  for (const auto& [key, c] : latest) order.push_back(&c);
  std::sort(order.begin(), order.end(),
            [](const FieldChange* a, const FieldChange* b) { return a->seq < b->seq; });
  for (const FieldChange* c : order) HP_RETURN_IF_ERROR(CopyChange<Codecs>(conn, *c, sink));
  return cursor;
}

}  // namespace herdpass::store
