// The SQLite encoding of a record's animal ids (`vaccinations.animal_ids`, schema.md): a blob of
// LEB128 varints, a few bytes for the usual handful of ids. Shared by the row codecs
// (sqlite_store.cpp) and the SQL function hp_names_any (connection.cpp) that filters records by
// their ids inside a statement.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace herdpass::sqlite {

inline std::string EncodeIds(const std::vector<int64_t>& ids) {
  std::string out;
  for (int64_t id : ids) {
    auto v = static_cast<uint64_t>(id);
    while (v >= 0x80) {
      out.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  }
  return out;
}

// Calls fn(id) for each id of `blob` in order, until fn returns true; whether one did.
template <class Fn>
bool AnyId(std::string_view blob, Fn fn) {
  uint64_t v = 0;
  int shift = 0;
  for (char c : blob) {
    auto b = static_cast<unsigned char>(c);
    if (shift < 64) v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (b & 0x80) {
      shift += 7;
    } else {
      if (fn(static_cast<int64_t>(v))) return true;
      v = 0;
      shift = 0;
    }
  }
  return false;
}

inline std::vector<int64_t> DecodeIds(std::string_view blob) {
  std::vector<int64_t> out;
  AnyId(blob, [&](int64_t id) {
    out.push_back(id);
    return false;
  });
  return out;
}

// Whether the ids of `blob` name one of `sorted`, without decoding the list.
inline bool NamesAnyOf(std::string_view blob, const std::vector<int64_t>& sorted) {
  return AnyId(blob,
               [&](int64_t id) { return std::binary_search(sorted.begin(), sorted.end(), id); });
}

}  // namespace herdpass::sqlite
