#include "domain/owner_code.h"

namespace herdpass {

const char* OwnerCodeOutcomeName(OwnerCodeOutcome o) {
  switch (o) {
    case OwnerCodeOutcome::kSignedIn:
      return "signed_in";
    case OwnerCodeOutcome::kWrong:
      return "wrong";
    case OwnerCodeOutcome::kSpent:
      return "spent";
    case OwnerCodeOutcome::kExpired:
      return "expired";
    case OwnerCodeOutcome::kNone:
      return "none";
  }
  return "none";
}

OwnerCodeOutcome TryOwnerCode(OwnerCode& code, bool matches, Timestamp now) {
  if (code.used || code.tries >= kOwnerCodeMaxTries) return OwnerCodeOutcome::kSpent;
  if (now >= code.expires_at) return OwnerCodeOutcome::kExpired;
  if (matches) {
    code.used = true;
    return OwnerCodeOutcome::kSignedIn;
  }
  code.tries += 1;
  return code.tries >= kOwnerCodeMaxTries ? OwnerCodeOutcome::kSpent : OwnerCodeOutcome::kWrong;
}

bool IsOwnerCodeForm(const std::string& text) {
  if (text.size() != static_cast<size_t>(kOwnerCodeDigits)) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string MaskOwnerCode(const std::string& text) {
  std::string out = text;
  size_t i = 0;
  while (i < out.size()) {
    if (out[i] < '0' || out[i] > '9') {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < out.size() && out[end] >= '0' && out[end] <= '9') ++end;
    if (end - i == static_cast<size_t>(kOwnerCodeDigits)) out.replace(i, end - i, end - i, '*');
    i = end;
  }
  return out;
}

}  // namespace herdpass
