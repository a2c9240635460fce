// Stage 4 of HP1: COSE_Sign1 (RFC 9052 section 4.2) with the DCC's variations (tag 61 around
// tag 18, an untagged array, the kid or even the alg in the unprotected header).
#include <algorithm>
#include <vector>

#include "cert/detail/cbor.h"
#include "cert/hp1.h"

namespace herdpass::cert {
namespace {

using detail::CborRef;

constexpr uint64_t kTagCoseSign1 = 18;
constexpr uint64_t kTagCwt = 61;
constexpr int64_t kHeaderAlg = 1;
constexpr int64_t kHeaderKid = 4;

Status Bad(std::string_view code, std::string message) {
  return InvalidArgument(std::string(code), std::move(message));
}

// Reads alg and kid from one header map into `cose`. `is_protected` says which bucket.
Status ReadHeader(CborRef map, bool is_protected, CoseSign1& cose) {
  if (!map.is_map()) {
    return Bad(reason::kCose,
               is_protected ? "protected header is not a map" : "unprotected header is not a map");
  }
  if (map.HasDuplicateKeys()) return Bad(reason::kCose, "header has a duplicate label");
  if (CborRef alg = map.Get(kHeaderAlg); alg.present()) {
    // A text alg (allowed by RFC 9052) names nothing HerdPass supports: left unset, it makes
    // VerifySignature answer "algorithm".
    auto v = alg.Int();
    if (v && (is_protected || !cose.alg)) cose.alg = v;
  }
  if (CborRef kid = map.Get(kHeaderKid); kid.present()) {
    auto bytes = kid.Bytes();
    if (!bytes) return Bad(reason::kKid, "kid is not a byte string");
    (is_protected ? cose.kid_protected : cose.kid_unprotected) =
        Bytes(bytes->begin(), bytes->end());
  }
  return Status::Ok();
}

// The tags in front of the COSE array, read by hand: libcbor 0.8's decoder refuses tags 6 to 20 in
// their one-byte form (0xC6-0xD4, "unassigned" to it), and COSE_Sign1's tag 18 is written 0xD2.
// So the leading tags are taken off here and libcbor reads the item after them. Tags further
// inside are still read by libcbor (and those forms refused there as malformed CBOR: COSE and
// CWT use none).
struct LeadingTags {
  std::vector<uint64_t> tags;
  size_t length = 0;  // bytes they take
};

Result<LeadingTags> ReadLeadingTags(ByteView data, int max_depth) {
  LeadingTags out;
  size_t pos = 0;
  while (pos < data.size() && (data[pos] >> 5) == 6) {
    const unsigned info = data[pos] & 0x1F;
    uint64_t value = info;
    size_t extra = 0;
    if (info >= 24 && info <= 27) {
      extra = size_t{1} << (info - 24);
    } else if (info > 27) {
      return Bad(reason::kCbor, "malformed CBOR tag at byte " + std::to_string(pos));
    }
    if (data.size() - pos - 1 < extra) return Bad(reason::kCbor, "CBOR tag is truncated");
    if (extra > 0) {
      value = 0;
      for (size_t i = 1; i <= extra; ++i) value = (value << 8) | data[pos + i];
    }
    pos += 1 + extra;
    out.tags.push_back(value);
    if (static_cast<int>(out.tags.size()) >= std::min(max_depth, detail::kHardMaxCborDepth)) {
      return Bad(reason::kCbor, "CBOR nested deeper than " + std::to_string(max_depth) + " levels");
    }
  }
  out.length = pos;
  return out;
}

}  // namespace

std::optional<Bytes> CoseSign1::kid() const {
  if (kid_protected) return kid_protected;
  return kid_unprotected;
}

Result<CoseSign1> ParseCoseSign1(ByteView data, const Limits& limits) {
  HP_ASSIGN_OR_RETURN(auto leading, ReadLeadingTags(data, limits.max_cbor_depth));
  const std::vector<uint64_t>& tags = leading.tags;
  HP_ASSIGN_OR_RETURN(
      auto tree, detail::CborTree::Parse(data.subspan(leading.length),
                                         limits.max_cbor_depth - static_cast<int>(tags.size())));
  const CborRef item = tree.root();
  if (item.is_tag()) {
    // Only tag forms libcbor reads can get here (D8 12, ...); ReadLeadingTags took them all.
    return Bad(reason::kCose, "unexpected tag inside the COSE message");
  }
  // Untagged, [18], or [61, 18].
  const bool cose_tag = tags.empty() || tags.back() == kTagCoseSign1;
  if (!cose_tag || tags.size() > 2 || (tags.size() == 2 && tags[0] != kTagCwt)) {
    const uint64_t bad = !cose_tag ? tags.back() : tags[0];
    return Bad(reason::kCose, bad == kTagCwt ? "CWT tag 61 does not wrap a COSE_Sign1 (tag 18)"
                                             : "tag " + std::to_string(bad) +
                                                   " is not COSE_Sign1 (18) or CWT (61)");
  }
  if (!item.is_array() || item.size() != 4) {
    return Bad(reason::kCose, "not a COSE_Sign1 array of 4 items");
  }
  const std::vector<CborRef> parts = item.Items();

  CoseSign1 cose;
  auto prot = parts[0].Bytes();
  if (!prot) return Bad(reason::kCose, "protected header is not a byte string");
  cose.protected_header.assign(prot->begin(), prot->end());
  if (!cose.protected_header.empty()) {
    HP_ASSIGN_OR_RETURN(auto header,
                        detail::CborTree::Parse(cose.protected_header, limits.max_cbor_depth));
    HP_RETURN_IF_ERROR(ReadHeader(header.root(), /*is_protected=*/true, cose));
  }
  HP_RETURN_IF_ERROR(ReadHeader(parts[1], /*is_protected=*/false, cose));

  auto payload = parts[2].Bytes();
  if (!payload) {
    return Bad(reason::kCose, parts[2].is_null() ? "detached payloads are not supported"
                                                 : "payload is not a byte string");
  }
  cose.payload.assign(payload->begin(), payload->end());
  auto signature = parts[3].Bytes();
  if (!signature) return Bad(reason::kCose, "signature is not a byte string");
  cose.signature.assign(signature->begin(), signature->end());
  return cose;
}

Bytes SigStructure(const CoseSign1& cose) {
  detail::CborWriter w;
  w.Array(4);
  w.Text("Signature1");
  w.Bytes(cose.protected_header);
  w.Bytes({});  // external_aad: none
  w.Bytes(cose.payload);
  return w.Take();
}

Bytes EncodeProtectedHeader(std::optional<int64_t> alg, std::optional<ByteView> kid) {
  if (!alg && !kid) return {};
  detail::CborWriter w;
  w.Map((alg ? 1 : 0) + (kid ? 1 : 0));
  if (alg) {
    w.Uint(kHeaderAlg);
    w.Int(*alg);
  }
  if (kid) {
    w.Uint(kHeaderKid);
    w.Bytes(*kid);
  }
  return w.Take();
}

Bytes EncodeCoseSign1(const CoseSign1& cose) {
  detail::CborWriter w;
  w.Tag(kTagCoseSign1);
  w.Array(4);
  w.Bytes(cose.protected_header);
  if (cose.kid_unprotected) {
    w.Map(1);
    w.Uint(kHeaderKid);
    w.Bytes(*cose.kid_unprotected);
  } else {
    w.Map(0);
  }
  w.Bytes(cose.payload);
  w.Bytes(cose.signature);
  return w.Take();
}

}  // namespace herdpass::cert
