// Work in progress: implementation follows shortly.
#include "domain/ear_tag.h"

namespace herdpass {

const char* EarTagSchemeName(EarTagScheme s) {
  return s == EarTagScheme::kChina ? "cn" : "iso11784";
}
Result<EarTagScheme> ParseEarTagScheme(std::string_view) { return Internal("not implemented yet"); }
Result<EarTag> ParseEarTag(std::string_view, const std::vector<EarTagScheme>&, std::string_view) {
  return Internal("not implemented yet");
}

}  // namespace herdpass
