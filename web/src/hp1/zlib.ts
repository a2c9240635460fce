// zlib (RFC 1950), stage 3 of HP1 (docs/hp1-format.md section 3), with fflate's streaming inflate.
//
// As cert/compression.cpp: any complete zlib stream is accepted; a broken or truncated one, bytes
// after its end, a wrong Adler-32 and one that inflates past `max` are refused (`compression`).
// fflate's one-shot unzlibSync would do none of that: it skips the Adler-32, ignores what follows
// the deflate stream and inflates a bomb whole. So the deflate data is fed in small slices to the
// streaming Inflate, whose output is counted as it comes (one slice of SLICE bytes can inflate to
// at most about 1032 x SLICE bytes, so a bomb costs no more than `max` + ~66 KB), and its state
// (fflate 0.8's `s` and `p`: final block seen, bit position, unread bytes) says where the stream
// ended, so that the 4 bytes after it can be checked as the Adler-32 and nothing may follow them.
import { Inflate } from 'fflate';

export class CompressionError extends Error {}

const SLICE = 64;

interface InflateState {
  s: { f?: number; l?: unknown; p?: number };
  p: Uint8Array;
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; ) {
    // Reduced every 5552 bytes as zlib does (there to keep 32-bit sums from overflowing).
    const end = Math.min(i + 5552, data.length);
    for (; i < end; i++) {
      a += data[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export function inflateZlib(data: Uint8Array, max: number): Uint8Array {
  if (data.length === 0) throw new CompressionError('no data');
  if (data.length < 2) throw new CompressionError('zlib stream is truncated');
  const cmf = data[0];
  const flg = data[1];
  if ((cmf & 15) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 !== 0) {
    throw new CompressionError('not a valid zlib stream');
  }
  if (flg & 0x20) throw new CompressionError('not a valid zlib stream: it needs a preset dictionary');

  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk: Uint8Array) => {
    total += chunk.length;
    if (total <= max) chunks.push(chunk);
  });
  const state = inflater as unknown as InflateState;
  const finished = () => state.s.f === 1 && !state.s.l;
  const body = data.subarray(2);
  let next = 0; // bytes of `body` pushed so far
  try {
    while (next < body.length && total <= max && !finished()) {
      inflater.push(body.subarray(next, next + SLICE), false);
      next = Math.min(next + SLICE, body.length);
    }
  } catch {
    if (total > max) throw new CompressionError(`inflates to more than ${max} bytes`);
    throw new CompressionError('not a valid zlib stream');
  }
  if (total > max) throw new CompressionError(`inflates to more than ${max} bytes`);
  if (!finished()) throw new CompressionError('zlib stream is truncated');

  // What follows the deflate stream: the unread bytes fflate holds (the first one only partly
  // used when the stream ended inside it: its padding bits), then the bytes not pushed yet.
  const held = state.p.subarray((state.s.p ?? 0) & 7 ? 1 : 0);
  const rest = body.subarray(next);
  const trailer = new Uint8Array(held.length + rest.length);
  trailer.set(held);
  trailer.set(rest, held.length);

  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  if (trailer.length < 4) throw new CompressionError('zlib stream is truncated');
  const want = ((trailer[0] << 24) | (trailer[1] << 16) | (trailer[2] << 8) | trailer[3]) >>> 0;
  if (want !== adler32(out)) throw new CompressionError('not a valid zlib stream: Adler-32 does not match');
  if (trailer.length > 4) throw new CompressionError(`${trailer.length - 4} bytes after the zlib stream`);
  return out;
}
