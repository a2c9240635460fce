// The audit log entry and its hash chain.
//
// Every write and every read of personal data appends one entry. Each stored row carries the hash
// of the row before it, so removing or changing any row breaks the chain (`herdpass audit verify`).
// ChainHash is the one definition of that hash, shared by every storage backend and the verifier.
#pragma once

#include <cstdint>
#include <string>

#include "domain/time.h"

namespace herdpass {

struct AuditEntry {
  Timestamp at{};
  int64_t user_id = 0;    // 0 for the system or an anonymous caller
  std::string username;   // as it was at the time
  std::string action;     // "vaccination.batch", "lookup.phone", "owner.create", ...
  std::string target;     // what was touched: "owner:12", "phone:+77012345678", ...
  std::string detail;     // small JSON object with the rest (counts, reasons)
  std::string address;    // client address, "" for the CLI
  std::string authority;  // the actor's authority: auditors see the rows of their subtree. The
                          // console (no authority) records the one it acted for, "" for none.
};

struct AuditRow {
  int64_t seq = 0;  // 1, 2, 3, ... in commit order
  AuditEntry entry;
  std::string prev_hash;  // 64 hex chars; 64 zeros for the first row
  std::string hash;       // ChainHash(prev_hash, seq, entry)
};

// A std::string (not a std::string_view) because callers and tests use it as the prev_hash string
// itself; only bad_alloc of 64 bytes at startup could throw.
inline const std::string kAuditGenesisHash(64, '0');  // NOLINT(cert-err58-cpp)

// SHA-256 (hex) over prev_hash, seq and every field of the entry, each length-prefixed so that no
// two different rows can serialize alike. `authority` joins the encoding only when it is not empty:
// rows stored before the field existed (all with authority "") keep the hash they were written
// with. The encoding stays injective: the field is last, so an entry with an authority always
// encodes longer than the same prefix without one.
std::string ChainHash(const std::string& prev_hash, int64_t seq, const AuditEntry& entry);

}  // namespace herdpass
