// The walk that VerifyAudit makes over the audit chain, written once for both backends: each
// backend reads the rows in seq order (in one snapshot) and hands them here. Thread-compatible.
#pragma once

#include <cstdint>
#include <string>

#include "domain/audit.h"
#include "store/store.h"

namespace herdpass::store {

class AuditChainWalk {
 public:
  // The next row. REQUIRES: rows come in increasing seq order.
  void Add(const AuditRow& row);
  // Every row counted; the first row whose seq, link or hash is wrong, if any.
  const AuditVerification& result() const { return v_; }

 private:
  AuditVerification v_;
  std::string prev_ = kAuditGenesisHash;
  int64_t expected_seq_ = 1;
};

}  // namespace herdpass::store
