// The signed trust list and revocation list (docs/hp1-format.md sections 8 to 10): JWS in the
// flattened JSON serialization, EdDSA, opened as cert/documents.cpp opens them. Pure functions;
// src/trust.ts fetches and keeps the lists.
import { ed25519KeyOf, ed25519Verify, type TrustedKey } from './verify';

export interface TrustList {
  country: string;
  sequence: number;
  issued_at: string;
  keys: TrustedKey[];
}

export interface RevocationList {
  authority: string;
  sequence: number;
  issued_at: string;
  revoked: string[]; // hex SHA-256 of each revoked certificate's 16-byte cti
  // W14: the zones in force when the list was issued (absent from lists without any, and from
  // lists kept before zones were published): cert/documents.h PublishedZone.
  zones?: PublishedZone[];
  // The zones' days are days of the local time UTC + this many minutes, the publishing node's
  // (cert/documents.h RevocationList::zones_utc_offset); absent from lists made before it.
  zones_utc_offset_minutes?: number;
}

export interface PublishedZone {
  id: number;
  disease: string;
  species: string[];
  starts_on: string; // YYYY-MM-DD
  ends_on: string; // the last day it holds
  authorities?: string[]; // a zone of authority codes: the codes
  certificates: string[]; // hex SHA-256 of the cti of each certificate it caught
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const AUTHORITY_RE = /^[A-Z]{2}(-[A-Z0-9]+)*$/;

// The list's "zones", checked as cert/documents.cpp ZonesOf checks them.
function zonesOf(doc: Json, bad: (m: string) => DocumentError): PublishedZone[] | undefined {
  const raw = (doc as Record<string, unknown>).zones;
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) throw bad('zones is not an array');
  const strings = (v: unknown, ok: (s: string) => boolean) =>
    Array.isArray(v) && v.every((s) => typeof s === 'string' && ok(s)) ? (v as string[]) : null;
  return raw.map((z: unknown) => {
    const o = (z ?? {}) as Record<string, unknown>;
    const species = strings(o.species, (s) => s !== '');
    const certificates = strings(o.certificates, (s) => isLowerHex(s, 64));
    const authorities = o.authorities === undefined ? [] : strings(o.authorities, (s) => AUTHORITY_RE.test(s));
    if (
      typeof o.id !== 'number' || !Number.isInteger(o.id) || typeof o.disease !== 'string' ||
      typeof o.starts_on !== 'string' || !DAY_RE.test(o.starts_on) || typeof o.ends_on !== 'string' || !DAY_RE.test(o.ends_on) ||
      !species || !certificates || !authorities
    ) {
      throw bad('a zone needs id, disease, species, starts_on, ends_on and certificates');
    }
    return {
      id: o.id,
      disease: o.disease,
      species,
      starts_on: o.starts_on,
      ends_on: o.ends_on,
      ...(authorities.length ? { authorities } : {}),
      certificates,
    };
  });
}

// The zone warnings of a certificate checked offline (cert/documents.h OfflineZoneWarnings): for each
// zone holding on `today` that restricts the certificate's species and holds it (its hash listed, or
// its origin authority at or below one of the zone's codes), code "origin_in_zone" as POST /verify.
export function offlineZoneWarnings(
  list: Pick<RevocationList, 'zones'>,
  hash: string,
  species: string,
  origin: string,
  today: string,
): { code: 'origin_in_zone'; zone: PublishedZone }[] {
  const inside = (scope: string) => origin === scope || origin.startsWith(scope + '-');
  return (list.zones ?? [])
    .filter((z) => z.starts_on <= today && today <= z.ends_on && z.species.includes(species))
    .filter((z) => z.certificates.includes(hash) || (z.authorities ?? []).some(inside))
    .map((zone) => ({ code: 'origin_in_zone' as const, zone }));
}

// A root key a verifier pins: its raw key as base64, the country it vouches for, and its validity
// when known (an operator's pin without dates is taken as always valid).
export interface RootKey {
  kid: string;
  country: string;
  public_key: string;
  valid_from?: string;
  valid_until?: string;
  retired_at?: string;
}

export class DocumentError extends Error {
  constructor(
    readonly code: 'trust_list' | 'revocation_list',
    message: string,
  ) {
    super(message);
  }
}

const TRUST_TYPE = 'herdpass-trust-list';
const REVOCATION_TYPE = 'herdpass-revocation-list';
const TRUST_TYP = 'herdpass-trust-list+json';
const REVOCATION_TYP = 'herdpass-revocation-list+json';
const MAX_DOCUMENT = 16 * 1024 * 1024;

type Json = Record<string, unknown>;

export function fromBase64Url(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return null;
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
function parseJson(b: Uint8Array | string): unknown {
  try {
    return JSON.parse(typeof b === 'string' ? b : utf8.decode(b));
  } catch {
    return undefined;
  }
}
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Json, k: string): string | null => (typeof o[k] === 'string' ? (o[k] as string) : null);
const int = (o: Json, k: string): number | null => (Number.isSafeInteger(o[k]) ? (o[k] as number) : null);

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
function time(o: Json, k: string): string | null {
  const s = str(o, k);
  if (s === null || !RFC3339.test(s) || Number.isNaN(Date.parse(s))) return null;
  return s;
}

function usableAt(k: { valid_from?: string; valid_until?: string; retired_at?: string }, t: number): boolean {
  const from = k.valid_from ? Date.parse(k.valid_from) : -Infinity;
  const until = k.valid_until ? Date.parse(k.valid_until) : Infinity;
  const retired = k.retired_at ? Date.parse(k.retired_at) : Infinity;
  return t >= from && t <= until && t < retired;
}

interface Jws {
  header: Json;
  kid: string;
  protectedB64: string;
  payloadB64: string;
  signature: Uint8Array;
}

// The parts and header of a JWS, checked up to (not including) the signature.
function readJws(text: string, typ: string, code: DocumentError['code']): Jws {
  const bad = (m: string) => new DocumentError(code, m);
  if (text.length > MAX_DOCUMENT) throw bad('document is too large');
  const jws = parseJson(text);
  if (!isObject(jws)) throw bad('not a JWS JSON object');
  const protectedB64 = str(jws, 'protected');
  const payloadB64 = str(jws, 'payload');
  const signatureB64 = str(jws, 'signature');
  if (protectedB64 === null || payloadB64 === null || signatureB64 === null) {
    throw bad('JWS needs protected, payload and signature strings');
  }
  const headerBytes = fromBase64Url(protectedB64);
  if (!headerBytes) throw bad('protected header is not base64url');
  const header = parseJson(headerBytes);
  if (!isObject(header)) throw bad('protected header is not a JSON object');
  if (str(header, 'alg') !== 'EdDSA') throw bad('alg is not EdDSA');
  // RFC 7515 section 4.1.11: extensions we do not know must make the JWS invalid.
  if ('crit' in header) throw bad('critical header extensions are not supported');
  if (str(header, 'typ') !== typ) throw bad(`typ is not ${typ}`);
  const kid = str(header, 'kid');
  if (kid === null) throw bad('kid is missing');
  const signature = fromBase64Url(signatureB64);
  if (!signature || signature.length !== 64) throw bad('signature is not 64 bytes of base64url');
  return { header, kid, protectedB64, payloadB64, signature };
}

function payloadOf(jws: Jws, code: DocumentError['code']): Json {
  const bytes = fromBase64Url(jws.payloadB64);
  if (!bytes) throw new DocumentError(code, 'payload is not base64url');
  const doc = parseJson(bytes);
  if (!isObject(doc)) throw new DocumentError(code, 'payload is not a JSON object');
  return doc;
}

function checkSignature(jws: Jws, raw: Uint8Array, code: DocumentError['code']): void {
  const input = new TextEncoder().encode(`${jws.protectedB64}.${jws.payloadB64}`);
  if (!ed25519Verify(jws.signature, input, raw)) throw new DocumentError(code, 'signature does not verify');
}

const isLowerHex = (s: string, n: number) => s.length === n && /^[0-9a-f]*$/.test(s);

function trustListOf(doc: Json): TrustList {
  const bad = (m: string) => new DocumentError('trust_list', m);
  if (str(doc, 'type') !== TRUST_TYPE || int(doc, 'version') !== 1) throw bad('not a version 1 herdpass-trust-list');
  const country = str(doc, 'country');
  const sequence = int(doc, 'sequence');
  const issuedAt = time(doc, 'issued_at');
  const keys = doc.keys;
  if (country === null || sequence === null || sequence < 0 || issuedAt === null || !Array.isArray(keys)) {
    throw bad('needs country, sequence, issued_at and keys');
  }
  const list: TrustList = { country, sequence, issued_at: issuedAt, keys: [] };
  keys.forEach((k: unknown, i: number) => {
    const where = `keys[${i}]`;
    if (!isObject(k)) throw bad(`${where} is not an object`);
    const kid = str(k, 'kid');
    const authority = str(k, 'authority');
    const keyCountry = str(k, 'country');
    const alg = str(k, 'alg');
    const publicKey = str(k, 'public_key');
    const validFrom = time(k, 'valid_from');
    const validUntil = time(k, 'valid_until');
    if (kid === null || authority === null || keyCountry === null || alg === null || publicKey === null || validFrom === null || validUntil === null) {
      throw bad(`${where} needs kid, authority, country, alg, public_key, valid_from and valid_until`);
    }
    const key: TrustedKey = {
      kid,
      authority,
      country: keyCountry,
      alg,
      public_key: publicKey,
      valid_from: validFrom,
      valid_until: validUntil,
    };
    if (key.country !== country) throw bad(`${where} is not a key of ${country}`);
    if (!isLowerHex(key.kid, 16)) throw bad(`${where}.kid is not 16 lowercase hex digits`);
    if ('retired_at' in k) {
      const retired = time(k, 'retired_at');
      if (retired === null) throw bad(`${where}.retired_at is not an RFC 3339 time`);
      key.retired_at = retired;
    }
    if (!ed25519KeyOf(key)) throw bad(`${where} is not an EdDSA key of 32 bytes whose kid is its SHA-256`);
    if (Date.parse(key.valid_until) < Date.parse(key.valid_from)) throw bad(`${where} ends before it starts`);
    list.keys.push(key);
  });
  return list;
}

// A trust list signed by one of the pinned `roots` (section 8): the root's country only, the root
// valid at issued_at. Throws DocumentError('trust_list').
export function openTrustList(text: string, roots: RootKey[]): { list: TrustList; root: RootKey } {
  const bad = (m: string) => new DocumentError('trust_list', m);
  const jws = readJws(text, TRUST_TYP, 'trust_list');
  let root: RootKey | null = null;
  let raw: Uint8Array | null = null;
  for (const r of roots) {
    if (r.kid.toLowerCase() !== jws.kid.toLowerCase()) continue;
    raw = ed25519KeyOf({ ...r, authority: r.country, alg: 'EdDSA', valid_from: '', valid_until: '' });
    if (raw) {
      root = r;
      break;
    }
  }
  if (!root || !raw) throw bad(`signed by ${jws.kid.slice(0, 32)}, not a trusted key`);
  checkSignature(jws, raw, 'trust_list');
  const doc = payloadOf(jws, 'trust_list');
  // The root's country and validity are checked after the list's own form, as cert/ does.
  if (str(doc, 'type') !== TRUST_TYPE || int(doc, 'version') !== 1) throw bad('not a version 1 herdpass-trust-list');
  const country = str(doc, 'country');
  const issuedAt = time(doc, 'issued_at');
  if (country !== null && issuedAt !== null) {
    if (country !== root.country) throw bad(`list of ${country.slice(0, 8)} signed by the root of ${root.country}`);
    if (!usableAt(root, Date.parse(issuedAt))) throw bad(`root key ${root.kid} was not valid when the list was issued`);
  }
  return { list: trustListOf(doc), root };
}

// A trust list read without checking its signature: every other rule is checked, and the kid of
// the root that claims to have signed it is returned. Never a reason to accept a list: src/trust.ts
// uses it only to name that root when the list is refused.
export function readTrustListUnverified(text: string): { list: TrustList; rootKid: string } {
  const jws = readJws(text, TRUST_TYP, 'trust_list');
  const list = trustListOf(payloadOf(jws, 'trust_list'));
  return { list, rootKid: jws.kid.toLowerCase() };
}

// A revocation list signed by a signing key of the trust list, valid and not retired at its
// issued_at (section 9). Throws DocumentError('revocation_list').
export function openRevocationList(text: string, keys: TrustedKey[]): RevocationList {
  const bad = (m: string) => new DocumentError('revocation_list', m);
  const jws = readJws(text, REVOCATION_TYP, 'revocation_list');
  let signer: TrustedKey | null = null;
  let raw: Uint8Array | null = null;
  for (const k of keys) {
    if (k.kid.toLowerCase() !== jws.kid.toLowerCase()) continue;
    raw = ed25519KeyOf(k);
    if (raw) {
      signer = k;
      break;
    }
  }
  if (!signer || !raw) throw bad(`signed by ${jws.kid.slice(0, 32)}, not a trusted key`);
  checkSignature(jws, raw, 'revocation_list');
  const doc = payloadOf(jws, 'revocation_list');
  if (str(doc, 'type') !== REVOCATION_TYPE || int(doc, 'version') !== 1) throw bad('not a version 1 herdpass-revocation-list');
  const authority = str(doc, 'authority');
  const sequence = int(doc, 'sequence');
  const issuedAt = time(doc, 'issued_at');
  const revoked = doc.revoked;
  if (authority === null || sequence === null || sequence < 0 || issuedAt === null || !Array.isArray(revoked)) {
    throw bad('needs authority, sequence, issued_at and revoked');
  }
  if (!usableAt(signer, Date.parse(issuedAt))) throw bad(`key ${signer.kid} was not valid when the list was issued`);
  for (const h of revoked) {
    if (typeof h !== 'string' || !isLowerHex(h, 64)) throw bad('revoked holds something other than a lowercase hex SHA-256');
  }
  const zones = zonesOf(doc, bad);
  let offset: number | undefined;
  if ((doc as Record<string, unknown>).zones_utc_offset_minutes !== undefined) {
    // UTC-12:00 to UTC+14:00, the offsets in use anywhere (as cert/documents.cpp checks it).
    const o = int(doc, 'zones_utc_offset_minutes');
    if (o === null || o < -720 || o > 840) throw bad('zones_utc_offset_minutes is not a whole number of minutes from -720 to 840');
    offset = o;
  }
  return {
    authority,
    sequence,
    issued_at: issuedAt,
    revoked: revoked as string[],
    ...(zones ? { zones } : {}),
    ...(offset !== undefined ? { zones_utc_offset_minutes: offset } : {}),
  };
}

// The day (YYYY-MM-DD) on which a verifier judges `list`'s zones at `now`: the day in the list's
// zone offset, or, for a list without one, the phone's own local day (cert/documents.h ZoneDayOf).
export function zoneDayOf(list: Pick<RevocationList, 'zones_utc_offset_minutes'>, now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  if (list.zones_utc_offset_minutes === undefined) {
    return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
  }
  return new Date(now.getTime() + list.zones_utc_offset_minutes * 60_000).toISOString().slice(0, 10);
}
