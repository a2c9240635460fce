#include "store/store.h"

namespace herdpass {

const char* RecordOutcomeName(RecordOutcome o) {
  switch (o) {
    case RecordOutcome::kCreated:
      return "created";
    case RecordOutcome::kDuplicate:
      return "duplicate";
    case RecordOutcome::kRejected:
      return "rejected";
  }
  return "rejected";
}

}  // namespace herdpass
