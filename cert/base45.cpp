// Stages 1 and 2 of HP1: the "HP1:" prefix and base45 (RFC 9285).
//
// base45 is hand-written: Debian 12 packages no C or C++ library for it, and RFC 9285 is a page
// of arithmetic (two bytes -> three characters of the QR alphanumeric alphabet).
#include <array>

#include "cert/hp1.h"

namespace herdpass::cert {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

// Value of each alphabet character, -1 for anything else (lowercase included: RFC 9285 has none).
constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  }
  return t;
}
constexpr std::array<int8_t, 256> kDecode = MakeDecodeTable();

}  // namespace

Result<std::string_view> StripPrefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size() || text.substr(0, prefix.size()) != prefix) {
    return InvalidArgument(std::string(reason::kPrefix),
                           "does not start with \"" + std::string(prefix) + "\"");
  }
  return text.substr(prefix.size());
}

std::string Base45Encode(ByteView data) {
  std::string out;
  out.reserve(data.size() / 2 * 3 + 2);
  size_t i = 0;
  for (; i + 1 < data.size(); i += 2) {
    unsigned n = data[i] * 256u + data[i + 1];
    out += kAlphabet[n % 45];
    out += kAlphabet[n / 45 % 45];
    out += kAlphabet[n / 2025];
  }
  if (i < data.size()) {
    unsigned n = data[i];
    out += kAlphabet[n % 45];
    out += kAlphabet[n / 45];
  }
  return out;
}

Result<Bytes> Base45Decode(std::string_view text) {
  if (text.size() % 3 == 1) {
    return InvalidArgument(std::string(reason::kBase45),
                           "length " + std::to_string(text.size()) + " is not a base45 length");
  }
  Bytes out;
  out.reserve(text.size() / 3 * 2 + 1);
  for (size_t i = 0; i < text.size(); i += 3) {
    const size_t n = std::min<size_t>(3, text.size() - i);
    unsigned v = 0;
    unsigned weight = 1;
    for (size_t k = 0; k < n; ++k) {
      const int d = kDecode[static_cast<unsigned char>(text[i + k])];
      if (d < 0) {
        return InvalidArgument(std::string(reason::kBase45),
                               "character " + std::to_string(i + k) + " is not base45");
      }
      v += static_cast<unsigned>(d) * weight;
      weight *= 45;
    }
    if (n == 3) {
      if (v > 0xFFFF) {
        return InvalidArgument(std::string(reason::kBase45),
                               "group at " + std::to_string(i) + " is over 65535");
      }
      out.push_back(static_cast<uint8_t>(v >> 8));
      out.push_back(static_cast<uint8_t>(v & 0xFF));
    } else {
      if (v > 0xFF) {
        return InvalidArgument(std::string(reason::kBase45), "last group is over 255");
      }
      out.push_back(static_cast<uint8_t>(v));
    }
  }
  return out;
}

}  // namespace herdpass::cert
