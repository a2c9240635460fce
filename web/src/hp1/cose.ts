// COSE_Sign1 (RFC 9052 section 4.2), stage 4 of HP1 (docs/hp1-format.md section 4), as
// cert/cose.cpp reads it: tag 18, tag 61 around tag 18, or the untagged array; alg and kid from
// the protected header, or from the unprotected one when the protected has none.
import { CborError, CborTree, HARD_MAX_DEPTH, type CborRef } from './cbor';

export class CoseError extends Error {
  constructor(
    readonly code: 'cbor' | 'cose' | 'kid',
    message: string,
  ) {
    super(message);
  }
}

export const ALG_EDDSA = -8;
export const ALG_ES256 = -7;
export const ALG_PS256 = -37;

export interface CoseSign1 {
  protectedHeader: Uint8Array; // the bstr as received: it is signed over
  alg: number | bigint | null;
  kidProtected: Uint8Array | null;
  kidUnprotected: Uint8Array | null;
  payload: Uint8Array;
  signature: Uint8Array;
}

// The kid to look up: the protected one, else the unprotected one (only a hint).
export function kidOf(c: CoseSign1): Uint8Array | null {
  return c.kidProtected ?? c.kidUnprotected;
}

const TAG_COSE_SIGN1 = 18;
const TAG_CWT = 61;

function readHeader(map: CborRef, isProtected: boolean, cose: CoseSign1): void {
  if (!map.isMap()) {
    throw new CoseError('cose', isProtected ? 'protected header is not a map' : 'unprotected header is not a map');
  }
  if (map.hasDuplicateKeys()) throw new CoseError('cose', 'header has a duplicate label');
  const alg = map.get(1);
  if (alg.present()) {
    // A text alg (allowed by RFC 9052) names nothing supported: left unset, it gives `algorithm`.
    const v = alg.int();
    if (v !== null && (isProtected || cose.alg === null)) cose.alg = v;
  }
  const kid = map.get(4);
  if (kid.present()) {
    const b = kid.bytes();
    if (!b) throw new CoseError('kid', 'kid is not a byte string');
    if (isProtected) cose.kidProtected = b;
    else cose.kidUnprotected = b;
  }
}

// The tags in front of the COSE array, read by hand as cert/ does (so the depth they take and the
// messages match).
function readLeadingTags(data: Uint8Array, maxDepth: number): { tags: number[]; length: number } {
  const tags: number[] = [];
  let pos = 0;
  while (pos < data.length && data[pos] >> 5 === 6) {
    const info = data[pos] & 0x1f;
    let value = info;
    let extra = 0;
    if (info >= 24 && info <= 27) extra = 1 << (info - 24);
    else if (info > 27) throw new CoseError('cbor', `malformed CBOR tag at byte ${pos}`);
    if (data.length - pos - 1 < extra) throw new CoseError('cbor', 'CBOR tag is truncated');
    if (extra > 0) {
      value = 0;
      // Tags past 2^53 are not 18 or 61 either: the exact value does not matter.
      for (let i = 1; i <= extra; i++) value = value * 256 + data[pos + i];
    }
    pos += 1 + extra;
    tags.push(value);
    if (tags.length >= Math.min(maxDepth, HARD_MAX_DEPTH)) {
      throw new CoseError('cbor', `CBOR nested deeper than ${maxDepth} levels`);
    }
  }
  return { tags, length: pos };
}

function parseTree(data: Uint8Array, maxDepth: number): CborTree {
  try {
    return CborTree.parse(data, maxDepth);
  } catch (e) {
    if (e instanceof CborError) throw new CoseError('cbor', e.message);
    throw e;
  }
}

export function parseCoseSign1(data: Uint8Array, maxDepth: number): CoseSign1 {
  const { tags, length } = readLeadingTags(data, maxDepth);
  const item = parseTree(data.subarray(length), maxDepth - tags.length).root();
  if (item.isTag()) throw new CoseError('cose', 'unexpected tag inside the COSE message');
  const coseTag = tags.length === 0 || tags[tags.length - 1] === TAG_COSE_SIGN1;
  if (!coseTag || tags.length > 2 || (tags.length === 2 && tags[0] !== TAG_CWT)) {
    const badTag = !coseTag ? tags[tags.length - 1] : tags[0];
    throw new CoseError(
      'cose',
      badTag === TAG_CWT ? 'CWT tag 61 does not wrap a COSE_Sign1 (tag 18)' : `tag ${badTag} is not COSE_Sign1 (18) or CWT (61)`,
    );
  }
  if (!item.isArray() || item.size() !== 4) throw new CoseError('cose', 'not a COSE_Sign1 array of 4 items');
  const parts = item.items();
  const prot = parts[0].bytes();
  if (!prot) throw new CoseError('cose', 'protected header is not a byte string');
  const cose: CoseSign1 = {
    protectedHeader: prot,
    alg: null,
    kidProtected: null,
    kidUnprotected: null,
    payload: new Uint8Array(0),
    signature: new Uint8Array(0),
  };
  if (prot.length > 0) readHeader(parseTree(prot, maxDepth).root(), true, cose);
  readHeader(parts[1], false, cose);
  const payload = parts[2].bytes();
  if (!payload) {
    throw new CoseError('cose', parts[2].isNull() ? 'detached payloads are not supported' : 'payload is not a byte string');
  }
  cose.payload = payload;
  const signature = parts[3].bytes();
  if (!signature) throw new CoseError('cose', 'signature is not a byte string');
  cose.signature = signature;
  return cose;
}

// The Sig_structure ["Signature1", protected, h'', payload] (RFC 9052 section 4.4), written here in
// the shortest forms with definite lengths (RFC 8949 section 4.2.1), as cert/ writes it. Not with
// cbor-x: loading it runs a `new Function('')` probe that the page's Content-Security-Policy
// refuses (a violation in the console on every page that verifies).
export function sigStructure(cose: CoseSign1): Uint8Array {
  const context = new TextEncoder().encode('Signature1');
  const parts: Uint8Array[] = [
    Uint8Array.of(0x84), // array of 4
    head(3, context.length),
    context,
    head(2, cose.protectedHeader.length),
    cose.protectedHeader,
    head(2, 0),
    head(2, cose.payload.length),
    cose.payload,
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// The head of a CBOR item of major type `major` (2 bytes, 3 text) and length `n`, shortest form.
function head(major: number, n: number): Uint8Array {
  const m = major << 5;
  if (n < 24) return Uint8Array.of(m | n);
  if (n < 0x100) return Uint8Array.of(m | 24, n);
  if (n < 0x10000) return Uint8Array.of(m | 25, n >> 8, n & 0xff);
  if (n <= 0xffffffff) return Uint8Array.of(m | 26, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
  throw new CoseError('cose', `a byte string of ${n} bytes is too long`);
}
