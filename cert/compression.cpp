// Stage 3 of HP1: zlib (RFC 1950) with zlib itself.
#include <zlib.h>

#include <algorithm>
#include <limits>

#include "cert/hp1.h"

namespace herdpass::cert {

Bytes Deflate(ByteView data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  Bytes out(size);
  // compress2 fails only on memory exhaustion or a buffer smaller than compressBound; neither can
  // happen here short of the process running out of memory, which abort()s elsewhere anyway.
  int rc = compress2(out.data(), &size, data.data(), static_cast<uLong>(data.size()),
                     Z_BEST_COMPRESSION);
  if (rc != Z_OK) return {};
  out.resize(size);
  return out;
}

Result<Bytes> Inflate(ByteView data, size_t max) {
  auto bad = [](const std::string& why) {
    return InvalidArgument(std::string(reason::kCompression), why);
  };
  if (data.empty()) return bad("no data");
  if (data.size() > std::numeric_limits<uInt>::max()) return bad("input too large");
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return Internal("zlib inflateInit failed");
  zs.next_in = const_cast<Bytef*>(data.data());
  zs.avail_in = static_cast<uInt>(data.size());
  Bytes out;
  // Grow the output (doubling, from 4 times the input: a certificate compresses about 1:1.2) and
  // stop one byte past `max`: the size of a zlib stream's output is known only by inflating it,
  // and a bomb (10 MB of zeros in 10 KB) must cost no more than `max` + 1 bytes.
  int rc = Z_OK;
  while (rc == Z_OK) {
    const size_t have = out.size();
    if (have > max) break;
    const size_t grow =
        std::min(std::max(have, std::max<size_t>(1024, 4 * data.size())), max + 1 - have);
    out.resize(have + grow);
    zs.next_out = out.data() + have;
    zs.avail_out = static_cast<uInt>(grow);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.resize(have + grow - zs.avail_out);
  }
  const size_t unread = zs.avail_in;
  inflateEnd(&zs);
  if (out.size() > max) {
    return bad("inflates to more than " + std::to_string(max) + " bytes");
  }
  if (rc != Z_STREAM_END) {
    const bool truncated = rc == Z_OK || rc == Z_BUF_ERROR;
    return bad(truncated ? "zlib stream is truncated" : "not a valid zlib stream");
  }
  if (unread != 0) return bad(std::to_string(unread) + " bytes after the zlib stream");
  return out;
}

}  // namespace herdpass::cert
