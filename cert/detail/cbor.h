// Private to cert/: deterministic CBOR writing and bounded CBOR reading on top of libcbor 0.8.
//
// Reading outside input with libcbor needs two guards that libcbor 0.8 does not give:
//  - depth: cbor_load builds the whole tree and cbor_decref frees it recursively, so a deeply
//    nested item could exhaust the stack; ScanCbor walks the bytes first with the streaming
//    decoder (cbor_stream_decode, no recursion, no allocation) and refuses anything deeper than
//    the limit;
//  - declared sizes: cbor_load allocates an array's or a map's slots from its declared length
//    before reading them, so a 9-byte header could ask for terabytes; ScanCbor refuses a length
//    that the remaining bytes cannot hold.
// Only after ScanCbor accepts the bytes does LoadCbor call cbor_load.
#pragma once

#include <cbor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "cert/hp1.h"
#include "domain/status.h"

namespace herdpass::cert::detail {

// Nesting deeper than this is refused whatever Limits::max_cbor_depth says: it bounds the
// recursion of cbor_decref and of our own walkers.
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

// Checks that `data` is exactly one well-formed CBOR item (nothing after it), nested at most
// `max_depth` deep (arrays, maps and tags each count one level), and that every declared length
// fits in the bytes that follow. Returns a non-empty reason when not.
std::optional<std::string> ScanCbor(ByteView data, int max_depth);

// Owns one reference to a libcbor item.
class CborItem {
 public:
  CborItem() = default;
  explicit CborItem(cbor_item_t* item) : item_(item) {}
  CborItem(const CborItem&) = delete;
  CborItem& operator=(const CborItem&) = delete;
  CborItem(CborItem&& o) noexcept : item_(std::exchange(o.item_, nullptr)) {}
  CborItem& operator=(CborItem&& o) noexcept {
    if (this != &o) {
      Reset();
      item_ = std::exchange(o.item_, nullptr);
    }
    return *this;
  }
  ~CborItem() { Reset(); }

  cbor_item_t* get() const { return item_; }
  explicit operator bool() const { return item_ != nullptr; }

 private:
  void Reset() {
    if (item_ != nullptr) cbor_decref(&item_);
  }
  cbor_item_t* item_ = nullptr;
};

// ScanCbor, then cbor_load. Errors: kInvalidArgument, field "cbor" (reason::kCbor), wherever the
// bytes come from (the COSE message, its protected header, its payload).
Result<CborItem> LoadCbor(ByteView data, int max_depth);

// --- reading loaded items ---
// An integer item as int64; nullopt when not an integer or outside int64.
std::optional<int64_t> AsInt(const cbor_item_t* item);
// A byte string (definite or chunked); nullopt when not a byte string.
std::optional<cert::Bytes> AsBytes(const cbor_item_t* item);
// A text string (definite or chunked) that is valid UTF-8; nullopt otherwise.
std::optional<std::string> AsText(const cbor_item_t* item);
// The value of integer key `key` in a map; nullptr when absent. REQUIRES: cbor_isa_map(map).
const cbor_item_t* MapGet(const cbor_item_t* map, int64_t key);
// True when two entries of the map have the same integer or text key.
bool HasDuplicateKeys(const cbor_item_t* map);

// Strict UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF). Hand-written: neither
// libcbor 0.8 nor the standard library checks it, and text that is not UTF-8 would make
// nlohmann::json throw when a caller writes it into a response.
bool IsValidUtf8(std::string_view s);

}  // namespace herdpass::cert::detail
