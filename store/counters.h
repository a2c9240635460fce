// The row counters both backends keep in their `counters` table, so that Counts() reads six rows
// instead of counting tables. Shared by the writer (store/writer.h), which applies a group's
// changes, and by each backend's Counts(). Thread-safe (constants and pure functions).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "store/store.h"

namespace herdpass::store {

// Rows counted in the counters table.
enum class Counter { kOwners, kAnimals, kVaccinations, kUsers, kAudit, kCertificates };
inline constexpr int kCounterCount = 6;
using CounterDeltas = std::array<int64_t, kCounterCount>;

const char* CounterName(Counter c);  // the counters table's key

// Sets the field of `counts` that the counters table's row `name` holds; a name this program does
// not know (a newer schema's) is ignored.
void SetCount(StoreCounts& counts, std::string_view name, int64_t value);

}  // namespace herdpass::store
