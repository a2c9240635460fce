// Stage 5 of HP1: the CWT (RFC 8392) and the certificate claim (docs/hp1-format.md).
#include <algorithm>
#include <cmath>
#include <optional>

#include "cert/detail/bytes.h"
#include "cert/detail/cbor.h"
#include "cert/hp1.h"
#include "domain/model.h"

namespace herdpass::cert {
namespace {

using detail::CborRef;

// CWT claim keys (RFC 8392 section 4).
constexpr int64_t kIss = 1;
constexpr int64_t kExp = 4;
constexpr int64_t kIat = 6;
constexpr int64_t kCti = 7;

// Keys of the certificate map (claim -65537). Written in this order: ascending, which is also
// the bytewise order of their one-byte encodings that deterministic CBOR asks for.
enum CertKey : int64_t {
  kNumber = 1,
  kPurpose = 2,
  kSpecies = 3,
  kHeadCount = 4,
  kTags = 5,       // array of text: all the ear tags
  kTagDigest = 6,  // {1: count, 2: SHA-256 bstr}: instead of kTags when they do not fit
  kOrigin = 7,
  kOriginPlace = 8,
  kDestination = 9,
  kDestinationPlace = 10,
  kTransport = 11,
  kVaccinations = 12,  // array of [disease, "YYYY-MM-DD", batch]
  kVet = 13,
  kOwnerMaskedName = 14,
  kOwnerPhoneLast4 = 15,
};
constexpr int64_t kDigestCount = 1;
constexpr int64_t kDigestSha256 = 2;

// NumericDate bounds: 0000-01-01 to 9999-12-31T23:59:59Z, the years the rest of HerdPass prints.
constexpr int64_t kMinSeconds = -62167219200;
constexpr int64_t kMaxSeconds = 253402300799;

int64_t Seconds(Timestamp t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}
Timestamp FromSeconds(int64_t s) { return Timestamp(std::chrono::seconds(s)); }

Status Bad(std::string_view code, std::string message) {
  return InvalidArgument(std::string(code), std::move(message));
}

Result<std::string> TextAt(CborRef map, int64_t key, std::string_view name) {
  auto text = map.Get(key).Text();
  if (!text) {
    return Bad(reason::kClaim,
               std::string(name) + " (key " + std::to_string(key) + ") is missing or not text");
  }
  return std::string(*text);
}

Result<int32_t> CountAt(CborRef map, int64_t key, std::string_view name) {
  auto n = map.Get(key).Int();
  if (!n || *n < 0 || *n > INT32_MAX) {
    return Bad(reason::kClaim, std::string(name) + " is missing or not a count from 0 to 2^31-1");
  }
  return static_cast<int32_t>(*n);
}

Status DecodeCertificate(CborRef map, Hp1Payload& p) {
  if (!map.present()) return Bad(reason::kClaim, "certificate claim -65537 is missing");
  if (!map.is_map()) return Bad(reason::kClaim, "certificate claim is not a map");
  if (map.HasDuplicateKeys()) return Bad(reason::kClaim, "certificate has a duplicate key");
  struct TextField {
    CertKey key;
    const char* name;
    std::string* out;
  };
  const TextField texts[] = {
      {kNumber, "number", &p.number},
      {kPurpose, "purpose", &p.purpose},
      {kSpecies, "species", &p.species},
      {kOrigin, "origin", &p.origin},
      {kOriginPlace, "origin place", &p.origin_place},
      {kDestination, "destination", &p.destination},
      {kDestinationPlace, "destination place", &p.destination_place},
      {kTransport, "transport", &p.transport},
      {kVet, "vet", &p.vet},
      {kOwnerMaskedName, "owner name", &p.owner_masked_name},
      {kOwnerPhoneLast4, "owner phone", &p.owner_phone_last4},
  };
  for (const auto& f : texts) {
    HP_ASSIGN_OR_RETURN(auto v, TextAt(map, f.key, f.name));
    *f.out = std::move(v);
  }
  HP_ASSIGN_OR_RETURN(auto head_count, CountAt(map, kHeadCount, "head count"));
  p.head_count = head_count;

  const CborRef tags = map.Get(kTags);
  const CborRef digest = map.Get(kTagDigest);
  if (tags.present() == digest.present()) {
    return Bad(reason::kClaim, "certificate must hold either the ear tags or their digest");
  }
  if (tags.present()) {
    if (!tags.is_array()) return Bad(reason::kClaim, "ear tags are not an array");
    for (CborRef t : tags.Items()) {
      auto tag = t.Text();
      if (!tag)
        return Bad(reason::kClaim, "ear tag " + std::to_string(p.tags.size()) + " is not text");
      p.tags.emplace_back(*tag);
    }
    p.tag_count = static_cast<int32_t>(p.tags.size());  // at most 64 KB of input: fits
  } else {
    if (!digest.is_map() || digest.HasDuplicateKeys()) {
      return Bad(reason::kClaim, "ear tag digest is not a map");
    }
    HP_ASSIGN_OR_RETURN(auto count, CountAt(digest, kDigestCount, "ear tag count"));
    p.tag_count = count;
    auto sha = digest.Get(kDigestSha256).Bytes();
    if (!sha || sha->size() != 32) {
      return Bad(reason::kClaim, "ear tag digest is not a 32-byte SHA-256");
    }
    p.tags_sha256 = detail::Hex(*sha);
  }

  const CborRef vaccinations = map.Get(kVaccinations);
  if (!vaccinations.is_array()) {
    return Bad(reason::kClaim, "vaccinations are missing or not an array");
  }
  for (CborRef v : vaccinations.Items()) {
    const size_t i = p.vaccinations.size();
    if (!v.is_array() || v.size() != 3) {
      return Bad(reason::kClaim,
                 "vaccination " + std::to_string(i) + " is not [disease, date, batch]");
    }
    const std::vector<CborRef> parts = v.Items();
    auto disease = parts[0].Text();
    auto date_text = parts[1].Text();
    auto batch = parts[2].Text();
    if (!disease || !date_text || !batch) {
      return Bad(reason::kClaim, "vaccination " + std::to_string(i) + " has a non-text part");
    }
    auto date = Date::Parse(*date_text);
    if (!date.ok()) {
      return Bad(reason::kClaim,
                 "vaccination " + std::to_string(i) + " date " + date.status().message());
    }
    p.vaccinations.push_back({"", std::string(*disease), date.value(), std::string(*batch)});
  }
  return Status::Ok();
}

// A NumericDate (RFC 8392 section 2): seconds since the epoch as an integer or, which the RFC also
// allows, a float with a fraction. HerdPass keeps whole seconds, so a float is truncated to the
// second it falls in (floor: 1.9 -> 1, -0.5 -> -1). A float beyond the years 0000-9999 comes back
// just outside kMinSeconds..kMaxSeconds, so the range check of the caller reports it as it does
// for an integer. nullopt for anything else, NaN and infinities included. Written as integers
// (EncodeCwt), so our own certificates never carry a fraction.
std::optional<int64_t> NumericDate(CborRef v) {
  if (auto i = v.Int()) return i;
  auto f = v.Float();
  if (!f || !std::isfinite(*f)) return std::nullopt;
  const double s = std::floor(*f);
  if (s < static_cast<double>(kMinSeconds)) return kMinSeconds - 1;
  if (s > static_cast<double>(kMaxSeconds)) return kMaxSeconds + 1;
  return static_cast<int64_t>(s);
}

Result<CwtClaims> ClaimsOf(CborRef map) {
  if (!map.is_map()) return Bad(reason::kCwt, "CWT payload is not a map");
  if (map.HasDuplicateKeys()) return Bad(reason::kCwt, "CWT has a duplicate claim");
  CwtClaims claims;
  if (CborRef v = map.Get(kIss); v.present()) {
    auto iss = v.Text();
    if (!iss) return Bad(reason::kCwt, "iss is not text");
    claims.iss = std::string(*iss);
  }
  if (CborRef v = map.Get(kIat); v.present()) {
    claims.iat = NumericDate(v);
    if (!claims.iat) return Bad(reason::kCwt, "iat is not a NumericDate (an integer or a float)");
  }
  if (CborRef v = map.Get(kExp); v.present()) {
    claims.exp = NumericDate(v);
    if (!claims.exp) return Bad(reason::kCwt, "exp is not a NumericDate (an integer or a float)");
  }
  if (CborRef v = map.Get(kCti); v.present()) {
    auto cti = v.Bytes();
    if (!cti) return Bad(reason::kCwt, "cti is not a byte string");
    claims.cti.assign(cti->begin(), cti->end());
  }
  return claims;
}

}  // namespace

Result<CwtClaims> ParseCwt(ByteView payload, const Limits& limits) {
  HP_ASSIGN_OR_RETURN(auto tree, detail::CborTree::Parse(payload, limits.max_cbor_depth));
  return ClaimsOf(tree.root());
}

Status CheckValidityWindow(const CwtClaims& claims, Timestamp now) {
  // Compared in seconds, exp inclusive: a certificate with exp = 12:00:00 is good until
  // 12:00:00.999.
  const int64_t t = Seconds(now);
  if (claims.iat && t < *claims.iat) {
    return Bad(reason::kNotYetValid,
               "issued at " +
                   FormatRfc3339(FromSeconds(std::clamp(*claims.iat, kMinSeconds, kMaxSeconds))) +
                   ", after the verifier's clock");
  }
  if (claims.exp && t > *claims.exp) {
    return Bad(reason::kExpired, "expired at " + FormatRfc3339(FromSeconds(std::clamp(
                                                     *claims.exp, kMinSeconds, kMaxSeconds))));
  }
  return Status::Ok();
}

std::string TagsDigest(std::vector<std::string> tags) {
  std::sort(tags.begin(), tags.end());
  std::string joined;
  for (size_t i = 0; i < tags.size(); ++i) {
    if (i > 0) joined += '\n';
    joined += tags[i];
  }
  return detail::Hex(detail::Sha256(detail::AsBytes(joined)));
}

Bytes EncodeCwt(const Hp1Payload& p) {
  detail::CborWriter w;
  w.Map(5);
  w.Uint(kIss);
  w.Text(p.iss);
  w.Uint(kExp);
  w.Int(Seconds(p.exp));
  w.Uint(kIat);
  w.Int(Seconds(p.iat));
  w.Uint(kCti);
  w.Bytes(detail::UuidBytes(p.id).value_or(Bytes{}));
  w.Int(kClaimCertificate);

  const bool folded = p.tags.empty() && !p.tags_sha256.empty();
  w.Map(14);
  w.Uint(kNumber);
  w.Text(p.number);
  w.Uint(kPurpose);
  w.Text(p.purpose);
  w.Uint(kSpecies);
  w.Text(p.species);
  w.Uint(kHeadCount);
  w.Int(p.head_count);
  if (folded) {
    w.Uint(kTagDigest);
    w.Map(2);
    w.Uint(kDigestCount);
    w.Int(p.tag_count);
    w.Uint(kDigestSha256);
    w.Bytes(detail::FromHex(p.tags_sha256).value_or(Bytes{}));
  } else {
    w.Uint(kTags);
    w.Array(p.tags.size());
    for (const auto& t : p.tags) w.Text(t);
  }
  w.Uint(kOrigin);
  w.Text(p.origin);
  w.Uint(kOriginPlace);
  w.Text(p.origin_place);
  w.Uint(kDestination);
  w.Text(p.destination);
  w.Uint(kDestinationPlace);
  w.Text(p.destination_place);
  w.Uint(kTransport);
  w.Text(p.transport);
  w.Uint(kVaccinations);
  w.Array(p.vaccinations.size());
  for (const auto& v : p.vaccinations) {
    w.Array(3);
    w.Text(v.disease);
    w.Text(v.administered_on.ToString());
    w.Text(v.batch_no);
  }
  w.Uint(kVet);
  w.Text(p.vet);
  w.Uint(kOwnerMaskedName);
  w.Text(p.owner_masked_name);
  w.Uint(kOwnerPhoneLast4);
  w.Text(p.owner_phone_last4);
  return w.Take();
}

Result<Hp1Payload> DecodeCwt(ByteView payload, const Limits& limits) {
  HP_ASSIGN_OR_RETURN(auto tree, detail::CborTree::Parse(payload, limits.max_cbor_depth));
  HP_ASSIGN_OR_RETURN(auto claims, ClaimsOf(tree.root()));
  const CwtClaims& c = claims;
  if (c.iss.empty()) return Bad(reason::kCwt, "iss is missing");
  if (!c.iat || !c.exp) return Bad(reason::kCwt, "iat or exp is missing");
  for (int64_t s : {*c.iat, *c.exp}) {
    if (s < kMinSeconds || s > kMaxSeconds) {
      return Bad(reason::kCwt, "iat or exp is outside the years 0000-9999");
    }
  }
  if (*c.exp < *c.iat) return Bad(reason::kCwt, "exp is before iat");
  if (c.cti.size() != 16) return Bad(reason::kCwt, "cti is not the 16 bytes of a UUID");

  Hp1Payload p;
  p.iss = c.iss;
  p.iat = FromSeconds(*c.iat);
  p.exp = FromSeconds(*c.exp);
  p.id = UuidText(std::span<const uint8_t, 16>(c.cti.data(), 16));
  HP_RETURN_IF_ERROR(DecodeCertificate(tree.root().Get(kClaimCertificate), p));
  return p;
}

}  // namespace herdpass::cert
