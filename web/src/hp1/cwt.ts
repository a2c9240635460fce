// The CWT (RFC 8392) and the certificate claim -65537 (docs/hp1-format.md section 5), as
// cert/cwt.cpp decodes them. Integer keys become the names the API uses for a certificate
// (http/routes/json_mapping.cpp PublicClaims).
import { CborError, CborTree, type CborRef } from './cbor';

export class ClaimError extends Error {
  constructor(
    readonly code: 'cbor' | 'cwt' | 'claim',
    message: string,
  ) {
    super(message);
  }
}

export interface Vaccination {
  disease: string;
  administered_on: string; // YYYY-MM-DD
  batch_no: string;
}

// The certificate as the QR code carries it (no full phone number, a masked owner name).
export interface Hp1Certificate {
  id: string; // UUID text of the cti
  authority: string; // iss
  issued_at: string; // RFC 3339, from iat
  valid_until: string; // RFC 3339, from exp
  iat: number;
  exp: number;
  number: string;
  purpose: string;
  species: string;
  head_count: number;
  tags: string[]; // empty when folded
  tag_count: number;
  tags_sha256?: string; // hex, only when the tags are folded (section 5.2)
  origin: string;
  origin_place: string;
  destination: string;
  destination_place: string;
  transport: string;
  vaccinations: Vaccination[];
  vet: string;
  owner_masked_name: string;
  owner_phone_last4: string;
}

const ISS = 1;
const EXP = 4;
const IAT = 6;
const CTI = 7;
export const CLAIM_CERTIFICATE = -65537;

// NumericDate bounds: 0000-01-01 to 9999-12-31T23:59:59Z.
const MIN_SECONDS = -62167219200;
const MAX_SECONDS = 253402300799;
const INT32_MAX = 2147483647;

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export function uuidText(b: Uint8Array): string {
  const h = hex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function secondsToIso(s: number): string {
  return new Date(s * 1000).toISOString();
}

const claim = (m: string) => new ClaimError('claim', m);
const cwt = (m: string) => new ClaimError('cwt', m);

function textAt(map: CborRef, key: number, name: string): string {
  const t = map.get(key).text();
  if (t === null) throw claim(`${name} (key ${key}) is missing or not text`);
  return t;
}

function countAt(map: CborRef, key: number, name: string): number {
  const n = map.get(key).int();
  if (n === null || n < 0 || n > INT32_MAX) throw claim(`${name} is missing or not a count from 0 to 2^31-1`);
  return Number(n);
}

// "YYYY-MM-DD", a real day of the proleptic Gregorian calendar (years 0000 to 9999).
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  return d <= days;
}

type Partial = Omit<Hp1Certificate, 'id' | 'authority' | 'issued_at' | 'valid_until' | 'iat' | 'exp'>;

function decodeCertificate(map: CborRef): Partial {
  if (!map.present()) throw claim('certificate claim -65537 is missing');
  if (!map.isMap()) throw claim('certificate claim is not a map');
  if (map.hasDuplicateKeys()) throw claim('certificate has a duplicate key');
  const p: Partial = {
    number: textAt(map, 1, 'number'),
    purpose: textAt(map, 2, 'purpose'),
    species: textAt(map, 3, 'species'),
    origin: textAt(map, 7, 'origin'),
    origin_place: textAt(map, 8, 'origin place'),
    destination: textAt(map, 9, 'destination'),
    destination_place: textAt(map, 10, 'destination place'),
    transport: textAt(map, 11, 'transport'),
    vet: textAt(map, 13, 'vet'),
    owner_masked_name: textAt(map, 14, 'owner name'),
    owner_phone_last4: textAt(map, 15, 'owner phone'),
    head_count: countAt(map, 4, 'head count'),
    tags: [],
    tag_count: 0,
    vaccinations: [],
  };
  const tags = map.get(5);
  const digest = map.get(6);
  if (tags.present() === digest.present()) throw claim('certificate must hold either the ear tags or their digest');
  if (tags.present()) {
    if (!tags.isArray()) throw claim('ear tags are not an array');
    for (const t of tags.items()) {
      const tag = t.text();
      if (tag === null) throw claim(`ear tag ${p.tags.length} is not text`);
      p.tags.push(tag);
    }
    p.tag_count = p.tags.length;
  } else {
    if (!digest.isMap() || digest.hasDuplicateKeys()) throw claim('ear tag digest is not a map');
    p.tag_count = countAt(digest, 1, 'ear tag count');
    const sha = digest.get(2).bytes();
    if (!sha || sha.length !== 32) throw claim('ear tag digest is not a 32-byte SHA-256');
    p.tags_sha256 = hex(sha);
  }
  const vaccinations = map.get(12);
  if (!vaccinations.isArray()) throw claim('vaccinations are missing or not an array');
  for (const v of vaccinations.items()) {
    const i = p.vaccinations.length;
    if (!v.isArray() || v.size() !== 3) throw claim(`vaccination ${i} is not [disease, date, batch]`);
    const [disease, date, batch] = v.items().map((x) => x.text());
    if (disease === null || date === null || batch === null) throw claim(`vaccination ${i} has a non-text part`);
    if (!isCalendarDate(date)) throw claim(`vaccination ${i} date is not a real calendar day written as YYYY-MM-DD`);
    p.vaccinations.push({ disease, administered_on: date, batch_no: batch });
  }
  return p;
}

// A NumericDate (RFC 8392 section 2): an integer or, which the RFC also allows, a float with a
// fraction, truncated to the second it falls in (floor: 1.9 -> 1, -0.5 -> -1), as cert/'s
// NumericDate (cwt.cpp) does. A float beyond the years 0000-9999 stays out of range, so the
// caller's range check refuses it; NaN and infinities are null.
function numericDate(v: CborRef): number | bigint | null {
  const i = v.int();
  if (i !== null) return i;
  const f = v.float();
  if (f === null || !Number.isFinite(f)) return null;
  return Math.floor(f);
}

// Parses and checks the CWT payload: iss, iat, exp and a 16-byte cti (`cwt`), the certificate
// map (`claim`); malformed CBOR is `cbor`.
export function decodeCwt(payload: Uint8Array, maxDepth: number): Hp1Certificate {
  let tree: CborTree;
  try {
    tree = CborTree.parse(payload, maxDepth);
  } catch (e) {
    if (e instanceof CborError) throw new ClaimError('cbor', e.message);
    throw e;
  }
  const map = tree.root();
  if (!map.isMap()) throw cwt('CWT payload is not a map');
  if (map.hasDuplicateKeys()) throw cwt('CWT has a duplicate claim');
  let iss = '';
  let iat: number | bigint | null = null;
  let exp: number | bigint | null = null;
  let cti: Uint8Array | null = null;
  const vIss = map.get(ISS);
  if (vIss.present()) {
    const t = vIss.text();
    if (t === null) throw cwt('iss is not text');
    iss = t;
  }
  const vIat = map.get(IAT);
  if (vIat.present()) {
    iat = numericDate(vIat);
    if (iat === null) throw cwt('iat is not a NumericDate (an integer or a float)');
  }
  const vExp = map.get(EXP);
  if (vExp.present()) {
    exp = numericDate(vExp);
    if (exp === null) throw cwt('exp is not a NumericDate (an integer or a float)');
  }
  const vCti = map.get(CTI);
  if (vCti.present()) {
    cti = vCti.bytes();
    if (cti === null) throw cwt('cti is not a byte string');
  }
  if (iss === '') throw cwt('iss is missing');
  if (iat === null || exp === null) throw cwt('iat or exp is missing');
  for (const s of [iat, exp]) {
    if (s < MIN_SECONDS || s > MAX_SECONDS) throw cwt('iat or exp is outside the years 0000-9999');
  }
  if (exp < iat) throw cwt('exp is before iat');
  if (!cti || cti.length !== 16) throw cwt('cti is not the 16 bytes of a UUID');
  const iatN = Number(iat);
  const expN = Number(exp);
  const cert = decodeCertificate(map.get(CLAIM_CERTIFICATE));
  return {
    id: uuidText(cti),
    authority: iss,
    issued_at: secondsToIso(iatN),
    valid_until: secondsToIso(expN),
    iat: iatN,
    exp: expN,
    ...cert,
  };
}
