// VerifyHp1 of cert/hp1.cpp in TypeScript: the checks of docs/hp1-format.md section 7, in its
// order, with its reason codes. Pure: the trust list's keys, the revocation list's hashes and the
// clock come in as arguments (trust.ts keeps the lists; index.ts puts them together).
import * as ed from '@noble/ed25519';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { Base45Error, base45Decode } from './base45';
import { ALG_EDDSA, ALG_ES256, ALG_PS256, CoseError, kidOf, parseCoseSign1, sigStructure, type CoseSign1 } from './cose';
import { ClaimError, decodeCwt, type Hp1Certificate } from './cwt';
import { CompressionError, inflateZlib } from './zlib';

// Ed25519 with @noble/ed25519's synchronous path and @noble/hashes' SHA-512 rather than
// verifyAsync's WebCrypto SHA-512: crypto.subtle exists only in secure contexts, and a county
// station's server on a local network may well be plain http://. The same holds for SHA-256 below.
ed.hashes.sha512 = sha512;

export const REASON_CODES = [
  'prefix',
  'base45',
  'compression',
  'cbor',
  'cose',
  'kid',
  'unknown_kid',
  'algorithm',
  'signature',
  'cwt',
  'claim',
  'key_retired',
  'key_expired',
  'not_yet_valid',
  'expired',
  'revoked',
  'consumed',
  'trust_list',
  'revocation_list',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export interface Reason {
  code: string;
  message: string;
}

export interface Limits {
  maxText: number; // characters of the HP1 text
  maxInflated: number; // bytes after zlib
  maxCborDepth: number; // nesting of arrays, maps and tags (64 at most is honoured)
}
export const DEFAULT_LIMITS: Limits = { maxText: 16 * 1024, maxInflated: 64 * 1024, maxCborDepth: 16 };

// A signing key of a trust list (docs/hp1-format.md section 8), as trust.ts keeps it.
export interface TrustedKey {
  kid: string; // 16 lowercase hex digits
  authority: string;
  country: string;
  alg: string; // "EdDSA"
  public_key: string; // base64 of the raw 32 bytes
  valid_from: string; // RFC 3339
  valid_until: string;
  retired_at?: string;
}

export interface VerifyInput {
  keys: TrustedKey[];
  // Hex SHA-256 of the cti of each revoked certificate (the revocation list's `revoked`).
  revoked: ReadonlySet<string> | readonly string[];
  now: Date;
  limits?: Partial<Limits>;
}

export type OutcomeStatus = 'valid' | 'invalid' | 'revoked' | 'expired' | 'not_yet_valid';

export interface Outcome {
  valid: boolean;
  status: OutcomeStatus;
  reasons: Reason[]; // empty when valid
  certificate: Hp1Certificate | null; // whenever the payload could be decoded, valid or not
  kid: string | null; // hex, when read
}

const PREFIX = 'HP1:';

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

export function fromBase64(s: string): Uint8Array | null {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) return null;
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function sha256Hex(b: Uint8Array): string {
  return toHex(sha256(b));
}

// The certificate's check code, as the owner's "certificate issued" SMS gives it
// (domain/sms_certificate.cpp CertificateCheckCode; tests/domain/sms_text_test.cpp and
// hp1.test.ts check both against the same vectors): the first four bytes of SHA-256 over the HP1
// text, big-endian, modulo one million, as six digits. The page shows it so that whoever checks a
// certificate can compare it with the SMS the driver shows.
export function certificateCheckCode(hp1: string): string {
  const h = sha256(new TextEncoder().encode(hp1));
  const n = ((h[0] << 24) >>> 0) + (h[1] << 16) + (h[2] << 8) + h[3];
  return String(n % 1000000).padStart(6, '0');
}

// kid = first 8 bytes of SHA-256 over the raw public key, as hex.
export function kidOfKey(raw: Uint8Array): string {
  return toHex(sha256(raw).subarray(0, 8));
}

// The raw key of an EdDSA trusted key whose kid really is its SHA-256; null otherwise. Cached per
// key object: trust lists are checked once, certificates many times.
const rawKeys = new WeakMap<TrustedKey, Uint8Array | null>();
export function ed25519KeyOf(k: TrustedKey): Uint8Array | null {
  if (rawKeys.has(k)) return rawKeys.get(k)!;
  let raw: Uint8Array | null = null;
  if (k.alg === 'EdDSA') {
    const b = fromBase64(k.public_key);
    if (b && b.length === 32 && kidOfKey(b) === k.kid.toLowerCase()) raw = b;
  }
  rawKeys.set(k, raw);
  return raw;
}

// Ed25519 signature check, strict (RFC 8032, as libsodium: canonical S and encodings, not ZIP-215's
// relaxed rules); never throws. Each call is counted in globalThis.__hpEd25519 (per thread): the
// first one on a thread builds @noble/ed25519's tables, a long task, which the end-to-end test
// keeps off the page's load (e2e/loading.test.mjs).
export function ed25519Verify(signature: Uint8Array, message: Uint8Array, key: Uint8Array): boolean {
  const g = globalThis as { __hpEd25519?: number };
  g.__hpEd25519 = (g.__hpEd25519 ?? 0) + 1;
  try {
    return ed.verify(signature, message, key, { zip215: false });
  } catch {
    return false;
  }
}

function ms(iso: string | undefined): number {
  return iso ? Date.parse(iso) : NaN;
}

// domain/certificate.h SigningKey::usable_at: valid_from <= t <= valid_until and t < retired_at.
export function keyUsableAt(k: TrustedKey, t: number): boolean {
  const retired = ms(k.retired_at);
  return t >= ms(k.valid_from) && t <= ms(k.valid_until) && (Number.isNaN(retired) || t < retired);
}

function verifySignature(cose: CoseSign1, key: TrustedKey, raw: Uint8Array | null): Reason | null {
  if (cose.alg === null) return { code: 'algorithm', message: 'alg is missing' };
  const alg = Number(cose.alg);
  if (alg !== ALG_EDDSA && alg !== ALG_ES256 && alg !== ALG_PS256) {
    return { code: 'algorithm', message: `alg ${cose.alg} is not supported` };
  }
  // Trust lists carry EdDSA keys only (section 8); ES256/PS256 keys come in X.509 certificates,
  // which the browser's lists never hold.
  const keyAlg = key.alg === 'EdDSA' ? ALG_EDDSA : null;
  if (alg !== keyAlg) return { code: 'algorithm', message: `alg ${alg} does not match the key's alg ${keyAlg ?? key.alg}` };
  if (!raw) return { code: 'algorithm', message: 'the key is not a 32-byte Ed25519 public key' };
  if (cose.signature.length !== 64) {
    return { code: 'signature', message: `an EdDSA signature is 64 bytes, got ${cose.signature.length}` };
  }
  if (!ed25519Verify(cose.signature, sigStructure(cose), raw)) return { code: 'signature', message: 'signature does not verify' };
  return null;
}

function uuidBytes(id: string): Uint8Array {
  const h = id.replace(/-/g, '');
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
  return out;
}

// The revocation list's entry for a certificate: hex SHA-256 of its 16-byte cti.
export function revocationHash(certificateId: string): string {
  return sha256Hex(uuidBytes(certificateId));
}

export function verifyHp1(text: string, input: VerifyInput): Outcome {
  const limits = { ...DEFAULT_LIMITS, ...input.limits };
  const out: Outcome = { valid: false, status: 'invalid', reasons: [], certificate: null, kid: null };
  const invalid = (code: string, message: string): Outcome => {
    out.valid = false;
    out.status = 'invalid';
    out.reasons.push({ code, message });
    return out;
  };
  try {
    if (!text.startsWith(PREFIX)) return invalid('prefix', `does not start with "${PREFIX}"`);
    if (text.length > limits.maxText) return invalid('base45', `text is longer than ${limits.maxText} characters`);
    let cose: CoseSign1;
    try {
      const compressed = base45Decode(text.slice(PREFIX.length));
      const bytes = inflateZlib(compressed, limits.maxInflated);
      cose = parseCoseSign1(bytes, limits.maxCborDepth);
    } catch (e) {
      if (e instanceof Base45Error) return invalid('base45', e.message);
      if (e instanceof CompressionError) return invalid('compression', e.message);
      if (e instanceof CoseError) return invalid(e.code, e.message);
      throw e;
    }

    // The payload is decoded before the signature is checked so that the page can show what a
    // refused certificate claims; `valid` and `status` say whether to believe it.
    let claimError: ClaimError | null = null;
    try {
      out.certificate = decodeCwt(cose.payload, limits.maxCborDepth);
    } catch (e) {
      if (!(e instanceof ClaimError)) throw e;
      claimError = e;
    }

    const kid = kidOf(cose);
    if (!kid || kid.length !== 8) return invalid('kid', kid ? `kid is ${kid.length} bytes, not 8` : 'kid is missing');
    out.kid = toHex(kid);
    const key = input.keys.find((k) => k.kid.toLowerCase() === out.kid);
    if (!key) return invalid('unknown_kid', `no trusted key has kid ${out.kid}`);
    const bad = verifySignature(cose, key, ed25519KeyOf(key));
    if (bad) return invalid(bad.code, bad.message);
    if (claimError) return invalid(claimError.code, claimError.message);
    const c = out.certificate!;

    // The key must have been good when it signed and still be good now: a retired key's
    // certificates are all refused, since nobody can tell which ones a thief signed.
    for (const t of [c.iat * 1000, input.now.getTime()]) {
      if (keyUsableAt(key, t)) continue;
      const retired = key.retired_at !== undefined && t >= ms(key.retired_at);
      return retired
        ? invalid('key_retired', `key ${out.kid} was retired at ${key.retired_at}`)
        : invalid(
            'key_expired',
            `key ${out.kid} is valid from ${key.valid_from} to ${key.valid_until}, not at ${new Date(t).toISOString()}`,
          );
    }

    // Whole seconds, both ends inclusive: exp 12:00:00 is good until 12:00:00.999.
    const now = Math.floor(input.now.getTime() / 1000);
    let window: Reason | null = null;
    if (now < c.iat) window = { code: 'not_yet_valid', message: `issued at ${c.issued_at}, after the verifier's clock` };
    else if (now > c.exp) window = { code: 'expired', message: `expired at ${c.valid_until}` };
    if (window) out.reasons.push(window);
    const hash = revocationHash(c.id);
    const revoked = 'has' in input.revoked ? input.revoked.has(hash) : input.revoked.includes(hash);
    if (revoked) out.reasons.push({ code: 'revoked', message: `certificate ${c.id} is in the revocation list` });
    out.valid = !window && !revoked;
    out.status = revoked ? 'revoked' : window ? (window.code as OutcomeStatus) : 'valid';
    return out;
  } catch (e) {
    // Never throws: anything unforeseen in outside input is a refusal, not a crash.
    return invalid('cbor', `cannot read the certificate: ${(e as Error)?.message ?? e}`);
  }
}

// RFC 8032 section 7.1, test 1: verified once when the page opens, so that @noble/ed25519 builds
// its precomputed tables then and not during the first real check. Returns whether it verified.
const RFC8032_KEY = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const RFC8032_SIG =
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
export function warmUp(): boolean {
  const bytes = (h: string) => Uint8Array.from(h.match(/../g)!, (b) => parseInt(b, 16));
  return ed25519Verify(bytes(RFC8032_SIG), new Uint8Array(0), bytes(RFC8032_KEY));
}
