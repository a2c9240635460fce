// Deterministic CBOR writing and bounded CBOR reading (cert/detail/cbor.h).
#include "cert/detail/cbor.h"

#include <cbor.h>

#include <bit>
#include <cstring>
#include <string>
#include <vector>

namespace herdpass::cert::detail {

// --- writing ---

template <typename F>
void CborWriter::Head(F encode) {
  unsigned char buf[9];  // the longest CBOR head: initial byte + 8-byte argument
  size_t n = encode(buf, sizeof buf);
  out_.insert(out_.end(), buf, buf + n);
}

void CborWriter::Uint(uint64_t v) {
  Head([&](unsigned char* b, size_t s) { return cbor_encode_uint(v, b, s); });
}

void CborWriter::Int(int64_t v) {
  if (v >= 0) {
    Uint(static_cast<uint64_t>(v));
  } else {
    // CBOR stores a negative n as -1 - n; computed in unsigned arithmetic so INT64_MIN is fine.
    const uint64_t arg = ~static_cast<uint64_t>(v);
    Head([&](unsigned char* b, size_t s) { return cbor_encode_negint(arg, b, s); });
  }
}

void CborWriter::Bytes(ByteView b) {
  Head([&](unsigned char* p, size_t s) { return cbor_encode_bytestring_start(b.size(), p, s); });
  Raw(b);
}

void CborWriter::Text(std::string_view t) {
  Head([&](unsigned char* p, size_t s) { return cbor_encode_string_start(t.size(), p, s); });
  out_.insert(out_.end(), t.begin(), t.end());
}

void CborWriter::Array(size_t n) {
  Head([&](unsigned char* p, size_t s) { return cbor_encode_array_start(n, p, s); });
}

void CborWriter::Map(size_t n) {
  Head([&](unsigned char* p, size_t s) { return cbor_encode_map_start(n, p, s); });
}

void CborWriter::Tag(uint64_t t) {
  Head([&](unsigned char* p, size_t s) { return cbor_encode_tag(t, p, s); });
}

// --- reading ---
namespace {

// What the last cbor_stream_decode call saw.
struct Event {
  enum Kind {
    kNone,
    kUint,
    kNegint,
    kFloat,       // half, single or double precision, `value` holds the double's bits
    kOther,       // bool, null, undefined
    kBytes,       // definite byte string
    kText,        // definite text string
    kIndefBytes,  // start of a chunked byte string
    kIndefText,   // start of a chunked text string
    kArray,       // definite array, `value` items
    kIndefArray,
    kMap,  // definite map, `value` pairs
    kIndefMap,
    kTag,
    kBreak,
  };
  Kind kind = kNone;
  uint64_t value = 0;
  const uint8_t* data = nullptr;
  size_t length = 0;
};

Event* Ev(void* ctx) { return static_cast<Event*>(ctx); }
void OnU8(void* c, uint8_t v) { *Ev(c) = {Event::kUint, v}; }
void OnU16(void* c, uint16_t v) { *Ev(c) = {Event::kUint, v}; }
void OnU32(void* c, uint32_t v) { *Ev(c) = {Event::kUint, v}; }
void OnU64(void* c, uint64_t v) { *Ev(c) = {Event::kUint, v}; }
void OnN8(void* c, uint8_t v) { *Ev(c) = {Event::kNegint, v}; }
void OnN16(void* c, uint16_t v) { *Ev(c) = {Event::kNegint, v}; }
void OnN32(void* c, uint32_t v) { *Ev(c) = {Event::kNegint, v}; }
void OnN64(void* c, uint64_t v) { *Ev(c) = {Event::kNegint, v}; }
void OnFloat(void* c, float v) {
  *Ev(c) = {Event::kFloat, std::bit_cast<uint64_t>(static_cast<double>(v))};
}
void OnDouble(void* c, double v) { *Ev(c) = {Event::kFloat, std::bit_cast<uint64_t>(v)}; }
void OnBool(void* c, bool) { Ev(c)->kind = Event::kOther; }
void OnNull(void* c) { *Ev(c) = {Event::kOther, 22}; }  // simple value 22 is null
void OnUndefined(void* c) { *Ev(c) = {Event::kOther, 23}; }
void OnBytes(void* c, cbor_data d, size_t n) { *Ev(c) = {Event::kBytes, 0, d, n}; }
void OnText(void* c, cbor_data d, size_t n) { *Ev(c) = {Event::kText, 0, d, n}; }
void OnIndefBytes(void* c) { Ev(c)->kind = Event::kIndefBytes; }
void OnIndefText(void* c) { Ev(c)->kind = Event::kIndefText; }
void OnArray(void* c, size_t n) { *Ev(c) = {Event::kArray, n}; }
void OnIndefArray(void* c) { Ev(c)->kind = Event::kIndefArray; }
void OnMap(void* c, size_t n) { *Ev(c) = {Event::kMap, n}; }
void OnIndefMap(void* c) { Ev(c)->kind = Event::kIndefMap; }
void OnTag(void* c, uint64_t t) { *Ev(c) = {Event::kTag, t}; }
void OnBreak(void* c) { Ev(c)->kind = Event::kBreak; }

// libcbor's callbacks.h labels some of these fields the wrong way round; the types are right:
// byte_string/string (with data) are definite strings, *_start (no data) chunked ones;
// array_start/map_start (with a size) definite containers, indef_* chunked ones.
const cbor_callbacks kCallbacks = {
    .uint8 = OnU8,
    .uint16 = OnU16,
    .uint32 = OnU32,
    .uint64 = OnU64,
    .negint64 = OnN64,
    .negint32 = OnN32,
    .negint16 = OnN16,
    .negint8 = OnN8,
    .byte_string_start = OnIndefBytes,
    .byte_string = OnBytes,
    .string = OnText,
    .string_start = OnIndefText,
    .indef_array_start = OnIndefArray,
    .array_start = OnArray,
    .indef_map_start = OnIndefMap,
    .map_start = OnMap,
    .tag = OnTag,
    .float2 = OnFloat,
    .float4 = OnFloat,
    .float8 = OnDouble,
    .undefined = OnUndefined,
    .null = OnNull,
    .boolean = OnBool,
    .indef_break = OnBreak,
};

// An item still open: a container waiting for its items, a tag for its item, a chunked string
// for its chunks.
struct Open {
  uint32_t node;
  bool definite;
  uint64_t remaining;  // definite: items still expected (a map's pairs count twice)
  uint64_t seen;       // chunked arrays and maps: items so far
};

using Kind = CborNode::Kind;

}  // namespace

Result<CborTree> CborTree::Parse(ByteView data, int max_depth) {
  auto bad = [](std::string why) { return InvalidArgument(std::string(reason::kCbor), why); };
  if (max_depth > kHardMaxCborDepth) max_depth = kHardMaxCborDepth;
  if (data.empty()) return bad("no CBOR data");
  if (data.size() >= UINT32_MAX) return bad("CBOR data too large");
  CborTree tree;
  std::vector<CborNode>& nodes = tree.nodes_;
  std::vector<Open> stack;
  size_t pos = 0;
  bool done = false;
  while (!done) {
    if (pos >= data.size()) return bad("CBOR item is truncated");
    Event ev;
    cbor_decoder_result r =
        cbor_stream_decode(data.data() + pos, data.size() - pos, &kCallbacks, &ev);
    if (r.status == CBOR_DECODER_NEDATA) return bad("CBOR item is truncated");
    if (r.status != CBOR_DECODER_FINISHED || ev.kind == Event::kNone) {
      return bad("malformed CBOR at byte " + std::to_string(pos));
    }
    pos += r.read;
    const size_t left = data.size() - pos;

    if (ev.kind == Event::kText &&
        !IsValidUtf8({reinterpret_cast<const char*>(ev.data), ev.length})) {
      return bad("CBOR text string is not UTF-8");
    }
    // Inside a chunked string only definite strings of the same kind, then a break, may follow.
    if (!stack.empty() && nodes[stack.back().node].owned >= 0) {
      CborNode& s = nodes[stack.back().node];
      if (ev.kind == (s.kind == Kind::kBytes ? Event::kBytes : Event::kText)) {
        tree.chunked_[static_cast<size_t>(s.owned)].insert(
            tree.chunked_[static_cast<size_t>(s.owned)].end(), ev.data, ev.data + ev.length);
        continue;
      }
      if (ev.kind != Event::kBreak) return bad("malformed chunked CBOR string");
    }

    bool complete = false;  // an item (scalar, or a container just closed) is finished
    auto push = [&](CborNode n) {
      n.end = static_cast<uint32_t>(nodes.size() + 1);
      nodes.push_back(n);
    };
    auto open = [&](CborNode n, bool definite, uint64_t remaining) -> bool {
      if (static_cast<int>(stack.size()) >= max_depth) return false;
      push(n);
      stack.push_back({static_cast<uint32_t>(nodes.size() - 1), definite, remaining, 0});
      return true;
    };
    switch (ev.kind) {
      case Event::kUint:
        push({Kind::kUint, ev.value});
        complete = true;
        break;
      case Event::kNegint:
        push({Kind::kNegint, ev.value});
        complete = true;
        break;
      case Event::kFloat:
        push({Kind::kFloat, ev.value});
        complete = true;
        break;
      case Event::kOther:
        push({Kind::kOther, ev.value});
        complete = true;
        break;
      case Event::kBytes:
      case Event::kText: {
        CborNode n{ev.kind == Event::kBytes ? Kind::kBytes : Kind::kText};
        n.data = ev.data;
        n.length = ev.length;
        push(n);
        complete = true;
        break;
      }
      case Event::kIndefBytes:
      case Event::kIndefText: {
        CborNode n{ev.kind == Event::kIndefBytes ? Kind::kBytes : Kind::kText};
        n.owned = static_cast<int32_t>(tree.chunked_.size());
        tree.chunked_.emplace_back();
        if (!open(n, /*definite=*/false, 0))
          return bad("CBOR nested deeper than " + std::to_string(max_depth) + " levels");
        break;
      }
      case Event::kArray:
        // Each item takes at least one byte: a longer declared length cannot be real.
        if (ev.value > left) return bad("CBOR array longer than its data");
        if (ev.value == 0) {
          push({Kind::kArray});
          complete = true;
        } else if (!open({Kind::kArray, 0, static_cast<uint32_t>(ev.value)}, true, ev.value)) {
          return bad("CBOR nested deeper than " + std::to_string(max_depth) + " levels");
        }
        break;
      case Event::kMap:
        if (ev.value > left / 2) return bad("CBOR map longer than its data");
        if (ev.value == 0) {
          push({Kind::kMap});
          complete = true;
        } else if (!open({Kind::kMap, 0, static_cast<uint32_t>(ev.value)}, true, ev.value * 2)) {
          return bad("CBOR nested deeper than " + std::to_string(max_depth) + " levels");
        }
        break;
      case Event::kIndefArray:
        if (!open({Kind::kArray}, false, 0))
          return bad("CBOR nested deeper than " + std::to_string(max_depth) + " levels");
        break;
      case Event::kIndefMap:
        if (!open({Kind::kMap}, false, 0))
          return bad("CBOR nested deeper than " + std::to_string(max_depth) + " levels");
        break;
      case Event::kTag:
        if (!open({Kind::kTag, ev.value, 1}, true, 1))
          return bad("CBOR nested deeper than " + std::to_string(max_depth) + " levels");
        break;
      case Event::kBreak: {
        if (stack.empty() || stack.back().definite) {
          return bad("CBOR break outside a chunked item");
        }
        const Open top = stack.back();
        CborNode& n = nodes[top.node];
        if (n.kind == Kind::kMap) {
          if (top.seen % 2 != 0) return bad("CBOR map with a key and no value");
          n.count = static_cast<uint32_t>(top.seen / 2);
        } else if (n.kind == Kind::kArray) {
          n.count = static_cast<uint32_t>(top.seen);
        }
        n.end = static_cast<uint32_t>(nodes.size());
        stack.pop_back();
        complete = true;
        break;
      }
      case Event::kNone:
        return bad("malformed CBOR");
    }

    // A completed item counts toward its container; a container whose last item arrived is
    // itself a completed item of the one around it.
    while (complete) {
      if (stack.empty()) {
        done = true;
        break;
      }
      Open& top = stack.back();
      if (!top.definite) {
        ++top.seen;
        break;
      }
      if (--top.remaining > 0) break;
      nodes[top.node].end = static_cast<uint32_t>(nodes.size());
      stack.pop_back();
    }
  }
  if (pos != data.size()) {
    return bad("unexpected " + std::to_string(data.size() - pos) + " bytes after the CBOR item");
  }
  return tree;
}

const CborNode& CborRef::node() const { return tree_->nodes_[index_]; }

bool CborRef::is(CborNode::Kind k) const { return tree_ != nullptr && node().kind == k; }

bool CborRef::is_null() const { return is(Kind::kOther) && node().arg == 22; }

std::optional<int64_t> CborRef::Int() const {
  if (tree_ == nullptr) return std::nullopt;
  const CborNode& n = node();
  if (n.kind != Kind::kUint && n.kind != Kind::kNegint) return std::nullopt;
  if (n.arg > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return n.kind == Kind::kUint ? static_cast<int64_t>(n.arg) : -1 - static_cast<int64_t>(n.arg);
}

std::optional<double> CborRef::Float() const {
  if (!is(Kind::kFloat)) return std::nullopt;
  return std::bit_cast<double>(node().arg);
}

std::optional<ByteView> CborRef::Bytes() const {
  if (!is(Kind::kBytes)) return std::nullopt;
  const CborNode& n = node();
  if (n.owned >= 0) return ByteView(tree_->chunked_[static_cast<size_t>(n.owned)]);
  return ByteView(n.data, n.length);
}

std::optional<std::string_view> CborRef::Text() const {
  if (!is(Kind::kText)) return std::nullopt;
  const CborNode& n = node();
  if (n.owned >= 0) {
    const cert::Bytes& b = tree_->chunked_[static_cast<size_t>(n.owned)];
    return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
  }
  return std::string_view(reinterpret_cast<const char*>(n.data), n.length);
}

uint64_t CborRef::tag() const { return node().arg; }

CborRef CborRef::tagged() const { return CborRef(tree_, index_ + 1); }

size_t CborRef::size() const { return is_array() || is_map() ? node().count : 0; }

std::vector<CborRef> CborRef::Items() const {
  std::vector<CborRef> out;
  if (!is_array() && !is_map()) return out;
  const uint32_t end = node().end;
  for (uint32_t i = index_ + 1; i < end; i = tree_->nodes_[i].end) out.emplace_back(tree_, i);
  return out;
}

CborRef CborRef::Get(int64_t key) const {
  if (!is_map()) return {};
  const uint32_t end = node().end;
  for (uint32_t i = index_ + 1; i < end;) {
    const uint32_t value = tree_->nodes_[i].end;
    auto k = CborRef(tree_, i).Int();
    if (k && *k == key) return CborRef(tree_, value);
    i = tree_->nodes_[value].end;
  }
  return {};
}

bool CborRef::HasDuplicateKeys() const {
  std::vector<CborRef> items = Items();
  // Quadratic, but maps here have a handful of keys and the input is capped (Limits).
  for (size_t i = 0; i < items.size(); i += 2) {
    auto ki = items[i].Int();
    auto ti = ki ? std::nullopt : items[i].Text();
    if (!ki && !ti) continue;
    for (size_t j = i + 2; j < items.size(); j += 2) {
      if (ki ? items[j].Int() == ki : items[j].Text() == ti) return true;
    }
  }
  return false;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

}  // namespace herdpass::cert::detail
