#include "store/audit_chain.h"

namespace herdpass::store {

void AuditChainWalk::Add(const AuditRow& r) {
  ++v_.rows;
  if (!v_.ok) return;  // count the rest, report the first problem
  const char* problem = nullptr;
  if (r.seq != expected_seq_) {
    problem = "a row is missing before this one";
  } else if (r.prev_hash != prev_) {
    problem = "the row does not link to the row before it";
  } else if (r.hash != ChainHash(r.prev_hash, r.seq, r.entry)) {
    problem = "the row's content does not match its hash";
  }
  if (problem != nullptr) {
    v_.ok = false;
    v_.first_bad_seq = r.seq;
    v_.problem = problem;
  }
  prev_ = r.hash;
  expected_seq_ = r.seq + 1;
}

}  // namespace herdpass::store
