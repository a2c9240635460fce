// W14 tracing (issue 13 item 3), written once for both backends: the rows of the recursive walk
// (RecordCodecs::ReadTraceWalk, one statement per backend) folded into the answer. The walk gives
// one row per edge, hop and direction it followed (an edge reached by several paths comes several
// times) and one row per start; here each movement is kept once at its fewest hops, and each
// holding once with its fewest hops and the first and last time a traced movement touched it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "store/store.h"

namespace herdpass::store {

struct TraceFold {
  std::vector<TraceMovement> movements;  // by hop, then time, then number
  std::map<int64_t, TraceHolding> holdings;  // by id; holding filled in by the caller
};

inline TraceFold FoldTraceWalk(const std::vector<TraceMovement>& walk) {
  TraceFold out;
  using Key = std::tuple<std::string, std::string, int64_t, int64_t, bool>;
  std::map<Key, TraceMovement> kept;
  auto touch = [&](int64_t id, int hop, Timestamp at) {
    auto [it, inserted] = out.holdings.try_emplace(id);
    TraceHolding& h = it->second;
    if (inserted || hop < h.hop) h.hop = hop;
    if (inserted || at < h.first_at) h.first_at = at;
    if (inserted || at > h.last_at) h.last_at = at;
  };
  for (const TraceMovement& m : walk) {
    if (m.certificate_id.empty()) continue;
    Key key{m.certificate_id, m.kind, m.from_holding, m.to_holding, m.forward};
    auto [it, inserted] = kept.try_emplace(key, m);
    if (!inserted && m.hop < it->second.hop) it->second.hop = m.hop;
  }
  for (auto& [key, m] : kept) out.movements.push_back(m);
  for (const TraceMovement& m : out.movements) {
    // The holding the hop reached, and the one it left (reached one hop before, or the start).
    const int64_t reached = m.forward ? m.to_holding : m.from_holding;
    const int64_t left = m.forward ? m.from_holding : m.to_holding;
    touch(reached, m.hop, m.at);
    touch(left, m.hop - 1, m.at);
  }
  // The starts are at hop 0; their times are those of the movements that touched them, or, with
  // none, the start of the walk.
  for (const TraceMovement& m : walk) {
    if (!m.certificate_id.empty()) continue;
    auto found = out.holdings.find(m.to_holding);
    if (found == out.holdings.end()) {
      touch(m.to_holding, 0, m.at);
    } else {
      found->second.hop = 0;
    }
  }
  std::sort(out.movements.begin(), out.movements.end(),
            [](const TraceMovement& a, const TraceMovement& b) {
              return std::tie(a.hop, a.at, a.number, a.kind, a.from_holding, a.forward) <
                     std::tie(b.hop, b.at, b.number, b.kind, b.from_holding, b.forward);
            });
  return out;
}

}  // namespace herdpass::store
