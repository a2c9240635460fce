// Private to cert/: deterministic CBOR writing with libcbor's encoding functions, and bounded
// CBOR reading with libcbor's streaming decoder (CborTree).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cert/hp1.h"
#include "domain/status.h"

namespace herdpass::cert::detail {

// Nesting deeper than this is refused whatever Limits::max_cbor_depth says (a QR code's
// certificate needs 5 levels).
inline constexpr int kHardMaxCborDepth = 64;

// Writes CBOR the deterministic way (RFC 8949 section 4.2.1): definite lengths and the shortest
// form of every integer and length (libcbor's cbor_encode_uint/_negint/_*_start pick it). The
// caller writes map keys in their sorted order.
class CborWriter {
 public:
  void Uint(uint64_t v);
  void Int(int64_t v);
  void Bytes(ByteView b);
  void Text(std::string_view s);
  void Array(size_t n);
  void Map(size_t n);
  void Tag(uint64_t t);
  void Raw(ByteView b) { out_.insert(out_.end(), b.begin(), b.end()); }

  const cert::Bytes& bytes() const { return out_; }
  cert::Bytes Take() { return std::move(out_); }

 private:
  template <typename F>
  void Head(F encode);
  cert::Bytes out_;
};

// One item of a parsed CBOR buffer. Items are stored in preorder; a container's items follow it,
// and `end` is the index just past its last descendant.
struct CborNode {
  enum class Kind : uint8_t { kUint, kNegint, kBytes, kText, kArray, kMap, kTag, kFloat, kOther };
  Kind kind = Kind::kOther;
  // kUint: the value; kNegint: n where the value is -1 - n; kTag: the tag; kFloat: the bits of
  // the value as a double (half and single precision widened); kOther: the simple value.
  uint64_t arg = 0;
  uint32_t count = 0;  // kArray: items; kMap: pairs; kTag: 1
  uint32_t end = 0;
  const uint8_t* data = nullptr;  // definite strings: their bytes inside the parsed buffer
  size_t length = 0;
  int32_t owned = -1;  // chunked strings: their bytes joined, in CborTree's own storage
};

class CborTree;

// A read-only handle on one item of a CborTree, or on nothing (an absent map key): then every
// accessor answers "not that type". Valid while its tree lives.
class CborRef {
 public:
  CborRef() = default;
  CborRef(const CborTree* tree, uint32_t index) : tree_(tree), index_(index) {}

  bool present() const { return tree_ != nullptr; }
  bool is_array() const { return is(CborNode::Kind::kArray); }
  bool is_map() const { return is(CborNode::Kind::kMap); }
  bool is_tag() const { return is(CborNode::Kind::kTag); }
  bool is_null() const;

  // An integer as int64; nullopt when not an integer or outside int64.
  std::optional<int64_t> Int() const;
  // A floating-point number (half, single or double precision) as a double, NaN and infinities
  // included; nullopt when not a float (an integer is not a float).
  std::optional<double> Float() const;
  // A byte string's bytes (chunks joined); nullopt when not a byte string.
  std::optional<ByteView> Bytes() const;
  // A text string (valid UTF-8: the parser refused anything else); nullopt when not text.
  std::optional<std::string_view> Text() const;

  uint64_t tag() const;                // REQUIRES: is_tag()
  CborRef tagged() const;              // REQUIRES: is_tag()
  size_t size() const;                 // items of an array, pairs of a map, 0 otherwise
  std::vector<CborRef> Items() const;  // an array's items, a map's keys and values alternating
  // The value of integer key `key` in a map; absent when missing or not a map.
  CborRef Get(int64_t key) const;
  // True when two keys of the map are the same integer or the same text.
  bool HasDuplicateKeys() const;

 private:
  bool is(CborNode::Kind k) const;
  const CborNode& node() const;
  const CborTree* tree_ = nullptr;
  uint32_t index_ = 0;
};

// One CBOR item parsed from a buffer with libcbor's streaming decoder (cbor_stream_decode), without
// cbor_load. Why not cbor_load: it builds the tree with a malloc per item and frees it
// recursively (cbor_decref), which costs more than the Ed25519 check the HP1 verifier is measured
// against (DESIGN.md section 10) and could exhaust the stack on deep input; and it allocates an
// array's slots from the declared length before reading them. Here: one flat vector, no recursion,
// and the checks outside input needs.
class CborTree {
 public:
  // Parses exactly one well-formed CBOR item (nothing after it), nested at most `max_depth` deep
  // (arrays, maps and tags each count one level; never more than kHardMaxCborDepth), with every
  // declared length within the bytes that follow, and text strings in valid UTF-8. Errors:
  // kInvalidArgument, field "cbor". REQUIRES: `data` outlives the tree.
  static Result<CborTree> Parse(ByteView data, int max_depth);

  CborRef root() const { return CborRef(this, 0); }

 private:
  friend class CborRef;
  std::vector<CborNode> nodes_;
  std::vector<cert::Bytes> chunked_;
};

// Strict UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF). Hand-written: neither
// libcbor 0.8 nor the standard library checks it, and text that is not UTF-8 would make
// nlohmann::json throw when a caller writes it into a response.
bool IsValidUtf8(std::string_view s);

}  // namespace herdpass::cert::detail
