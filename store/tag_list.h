// The movement's tag lists (tags seen, missing, extra) as both backends store them: sorted tags
// joined by commas (an ear tag is digits only), "" for none.
#pragma once

#include <string>
#include <vector>

namespace herdpass::store {

inline std::string JoinTags(const std::vector<std::string>& tags) {
  std::string out;
  for (const std::string& t : tags) {
    if (!out.empty()) out += ',';
    out += t;
  }
  return out;
}

inline std::vector<std::string> SplitTags(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace herdpass::store
