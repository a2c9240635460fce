// Deterministic CBOR writing and bounded CBOR reading (cert/detail/cbor.h).
#include "cert/detail/cbor.h"

#include <cbor.h>

#include <cstring>
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

// --- scanning ---
namespace {

enum class Event {
  kNone,
  kScalar,      // integer, float, simple value
  kBytes,       // definite byte string (data already checked present by libcbor)
  kText,        // definite text string
  kIndefBytes,  // start of a chunked byte string
  kIndefText,   // start of a chunked text string
  kArray,       // definite array, `size` items
  kIndefArray,
  kMap,  // definite map, `size` pairs
  kIndefMap,
  kTag,
  kBreak,
};

struct ScanEvent {
  Event event = Event::kNone;
  uint64_t size = 0;
};

ScanEvent* Ev(void* ctx) { return static_cast<ScanEvent*>(ctx); }
void OnU8(void* c, uint8_t) { Ev(c)->event = Event::kScalar; }
void OnU16(void* c, uint16_t) { Ev(c)->event = Event::kScalar; }
void OnU32(void* c, uint32_t) { Ev(c)->event = Event::kScalar; }
void OnU64(void* c, uint64_t) { Ev(c)->event = Event::kScalar; }
void OnFloat(void* c, float) { Ev(c)->event = Event::kScalar; }
void OnDouble(void* c, double) { Ev(c)->event = Event::kScalar; }
void OnBool(void* c, bool) { Ev(c)->event = Event::kScalar; }
void OnSimple(void* c) { Ev(c)->event = Event::kScalar; }
void OnBytes(void* c, cbor_data, size_t) { Ev(c)->event = Event::kBytes; }
void OnText(void* c, cbor_data, size_t) { Ev(c)->event = Event::kText; }
void OnIndefBytes(void* c) { Ev(c)->event = Event::kIndefBytes; }
void OnIndefText(void* c) { Ev(c)->event = Event::kIndefText; }
void OnArray(void* c, size_t n) { *Ev(c) = {Event::kArray, n}; }
void OnIndefArray(void* c) { Ev(c)->event = Event::kIndefArray; }
void OnMap(void* c, size_t n) { *Ev(c) = {Event::kMap, n}; }
void OnIndefMap(void* c) { Ev(c)->event = Event::kIndefMap; }
void OnTag(void* c, uint64_t) { Ev(c)->event = Event::kTag; }
void OnBreak(void* c) { Ev(c)->event = Event::kBreak; }

// libcbor's callbacks.h labels some of these fields the wrong way round; the types are right:
// byte_string/string (with data) are definite strings, *_start (no data) chunked ones;
// array_start/map_start (with a size) definite containers, indef_* chunked ones.
const cbor_callbacks kScanCallbacks = {
    .uint8 = OnU8,
    .uint16 = OnU16,
    .uint32 = OnU32,
    .uint64 = OnU64,
    .negint64 = OnU64,
    .negint32 = OnU32,
    .negint16 = OnU16,
    .negint8 = OnU8,
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
    .undefined = OnSimple,
    .null = OnSimple,
    .boolean = OnBool,
    .indef_break = OnBreak,
};

enum class Frame { kArray, kMap, kTag, kIndefArray, kIndefMap, kIndefBytes, kIndefText };

struct Open {
  Frame frame;
  uint64_t remaining;  // items still expected (definite frames); items seen (chunked maps)
};

}  // namespace

std::optional<std::string> ScanCbor(ByteView data, int max_depth) {
  if (max_depth > kHardMaxCborDepth) max_depth = kHardMaxCborDepth;
  if (data.empty()) return "no CBOR data";
  std::vector<Open> stack;
  size_t pos = 0;
  bool done = false;
  while (!done) {
    if (pos >= data.size()) return "CBOR item is truncated";
    ScanEvent ev;
    cbor_decoder_result r =
        cbor_stream_decode(data.data() + pos, data.size() - pos, &kScanCallbacks, &ev);
    if (r.status == CBOR_DECODER_NEDATA) return "CBOR item is truncated";
    if (r.status != CBOR_DECODER_FINISHED || ev.event == Event::kNone) {
      return "malformed CBOR at byte " + std::to_string(pos);
    }
    pos += r.read;
    const size_t left = data.size() - pos;

    // Inside a chunked string only definite strings of the same kind, then a break, may follow.
    if (!stack.empty() &&
        (stack.back().frame == Frame::kIndefBytes || stack.back().frame == Frame::kIndefText)) {
      const bool bytes = stack.back().frame == Frame::kIndefBytes;
      if (ev.event == (bytes ? Event::kBytes : Event::kText)) continue;
      if (ev.event != Event::kBreak) return "malformed chunked CBOR string";
    }

    bool item_complete = false;
    auto open = [&](Frame f, uint64_t remaining) -> std::optional<std::string> {
      if (static_cast<int>(stack.size()) >= max_depth) {
        return "CBOR nested deeper than " + std::to_string(max_depth) + " levels";
      }
      stack.push_back({f, remaining});
      return std::nullopt;
    };
    switch (ev.event) {
      case Event::kScalar:
      case Event::kBytes:
      case Event::kText:
        item_complete = true;
        break;
      case Event::kArray:
        // Each item takes at least one byte: a longer declared length cannot be real.
        if (ev.size > left) return "CBOR array longer than its data";
        if (ev.size == 0) {
          item_complete = true;
        } else if (auto e = open(Frame::kArray, ev.size)) {
          return e;
        }
        break;
      case Event::kMap:
        if (ev.size > left / 2) return "CBOR map longer than its data";
        if (ev.size == 0) {
          item_complete = true;
        } else if (auto e = open(Frame::kMap, ev.size * 2)) {
          return e;
        }
        break;
      case Event::kTag:
        if (auto e = open(Frame::kTag, 1)) return e;
        break;
      case Event::kIndefArray:
        if (auto e = open(Frame::kIndefArray, 0)) return e;
        break;
      case Event::kIndefMap:
        if (auto e = open(Frame::kIndefMap, 0)) return e;
        break;
      case Event::kIndefBytes:
        if (auto e = open(Frame::kIndefBytes, 0)) return e;
        break;
      case Event::kIndefText:
        if (auto e = open(Frame::kIndefText, 0)) return e;
        break;
      case Event::kBreak: {
        if (stack.empty()) return "CBOR break outside a chunked item";
        const Open top = stack.back();
        if (top.frame == Frame::kArray || top.frame == Frame::kMap || top.frame == Frame::kTag) {
          return "CBOR break inside a definite-length item";
        }
        if (top.frame == Frame::kIndefMap && top.remaining % 2 != 0) {
          return "CBOR map with a key and no value";
        }
        stack.pop_back();
        item_complete = true;
        break;
      }
      case Event::kNone:
        return "malformed CBOR";
    }

    // A completed item counts toward its container; a container whose last item arrived is
    // itself a completed item of the one around it.
    while (item_complete) {
      if (stack.empty()) {
        done = true;
        break;
      }
      Open& top = stack.back();
      if (top.frame == Frame::kIndefArray || top.frame == Frame::kIndefMap) {
        ++top.remaining;
        break;
      }
      if (--top.remaining > 0) break;
      stack.pop_back();
    }
  }
  if (pos != data.size()) {
    return "unexpected " + std::to_string(data.size() - pos) + " bytes after the CBOR item";
  }
  return std::nullopt;
}

Result<CborItem> LoadCbor(ByteView data, int max_depth) {
  const std::string field(reason::kCbor);
  if (auto why = ScanCbor(data, max_depth)) return InvalidArgument(field, *why);
  cbor_load_result result{};
  CborItem item(cbor_load(data.data(), data.size(), &result));
  if (!item || result.error.code != CBOR_ERR_NONE || result.read != data.size()) {
    return InvalidArgument(field, "malformed CBOR");
  }
  return item;
}

// --- reading ---

std::optional<int64_t> AsInt(const cbor_item_t* item) {
  if (item == nullptr) return std::nullopt;
  if (cbor_isa_uint(item)) {
    uint64_t v = cbor_get_int(item);
    if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(v);
  }
  if (cbor_isa_negint(item)) {
    uint64_t v = cbor_get_int(item);  // the value is -1 - v
    if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return -1 - static_cast<int64_t>(v);
  }
  return std::nullopt;
}

std::optional<cert::Bytes> AsBytes(const cbor_item_t* item) {
  if (item == nullptr || !cbor_isa_bytestring(item)) return std::nullopt;
  cert::Bytes out;
  if (cbor_bytestring_is_definite(item)) {
    const unsigned char* p = cbor_bytestring_handle(item);
    out.assign(p, p + cbor_bytestring_length(item));
    return out;
  }
  cbor_item_t** chunks = cbor_bytestring_chunks_handle(item);
  for (size_t i = 0; i < cbor_bytestring_chunk_count(item); ++i) {
    if (!cbor_isa_bytestring(chunks[i]) || !cbor_bytestring_is_definite(chunks[i])) {
      return std::nullopt;
    }
    const unsigned char* p = cbor_bytestring_handle(chunks[i]);
    out.insert(out.end(), p, p + cbor_bytestring_length(chunks[i]));
  }
  return out;
}

std::optional<std::string> AsText(const cbor_item_t* item) {
  if (item == nullptr || !cbor_isa_string(item)) return std::nullopt;
  std::string out;
  if (cbor_string_is_definite(item)) {
    out.assign(reinterpret_cast<const char*>(cbor_string_handle(item)), cbor_string_length(item));
  } else {
    cbor_item_t** chunks = cbor_string_chunks_handle(item);
    for (size_t i = 0; i < cbor_string_chunk_count(item); ++i) {
      if (!cbor_isa_string(chunks[i]) || !cbor_string_is_definite(chunks[i])) return std::nullopt;
      out.append(reinterpret_cast<const char*>(cbor_string_handle(chunks[i])),
                 cbor_string_length(chunks[i]));
    }
  }
  if (!IsValidUtf8(out)) return std::nullopt;
  return out;
}

const cbor_item_t* MapGet(const cbor_item_t* map, int64_t key) {
  const cbor_pair* pairs = cbor_map_handle(map);
  for (size_t i = 0; i < cbor_map_size(map); ++i) {
    auto k = AsInt(pairs[i].key);
    if (k && *k == key) return pairs[i].value;
  }
  return nullptr;
}

bool HasDuplicateKeys(const cbor_item_t* map) {
  const cbor_pair* pairs = cbor_map_handle(map);
  const size_t n = cbor_map_size(map);
  // Quadratic, but maps here have a handful of keys and the input is capped (Limits).
  for (size_t i = 0; i < n; ++i) {
    auto ki = AsInt(pairs[i].key);
    auto ti = ki ? std::nullopt : AsText(pairs[i].key);
    if (!ki && !ti) continue;
    for (size_t j = i + 1; j < n; ++j) {
      if (ki) {
        auto kj = AsInt(pairs[j].key);
        if (kj && *kj == *ki) return true;
      } else {
        auto tj = AsText(pairs[j].key);
        if (tj && *tj == *ti) return true;
      }
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
