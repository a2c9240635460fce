// The in-browser HP1 verifier against the C++ implementation: fixtures made by the real
// cert/ code (testdata/make.sh): the worked example of docs/hp1-format.md section 11 and a demo
// node's lists, certificates and POST /verify answers.
import { describe, expect, it } from 'vitest';
import { zlibSync } from 'fflate';
import { Encoder, Tag } from 'cbor-x';
import * as ed from '@noble/ed25519';
import { loadFixture as load } from './testdata/fixtures';
import { base45Decode, base45Encode, Base45Error } from './base45';
import { CborError, CborTree } from './cbor';
import { parseCoseSign1, sigStructure } from './cose';
import { DocumentError, openRevocationList, openTrustList, readTrustListUnverified, type RootKey } from './documents';
import { inflateZlib, CompressionError } from './zlib';
import { certificateCheckCode, kidOfKey, revocationHash, toHex, verifyHp1, fromBase64, warmUp, REASON_CODES, type TrustedKey, type VerifyInput } from './verify';
import { acceptTrustList, configuredRoots } from '../trust';

const sample = load('sample.json');
const docs = load('sample-documents.json');
const demo = load('demo.json');

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
const root = (b64: string, country = 'KZ'): RootKey => ({ kid: kidOfKey(fromBase64(b64)!), country, public_key: b64 });
const hp1Of = (cose: Uint8Array) => 'HP1:' + base45Encode(zlibSync(cose, { level: 9 }));

// The sample's key, as a trust list holds it.
const sampleTrust = openTrustList(docs.trust_list_jws, [root(docs.root_public_key_b64)]).list;
const sampleRevocations = openRevocationList(docs.revocation_list_jws, sampleTrust.keys);
const sampleInput = (over: Partial<VerifyInput> = {}): VerifyInput => ({
  keys: sampleTrust.keys,
  revoked: [],
  now: new Date((sample.expected.iat + 3600) * 1000),
  ...over,
});

const demoTrust = openTrustList(demo.trust_list_jws, [root(demo.root_key)]).list;
const demoRevocations = openRevocationList(demo.revocations_jws, demoTrust.keys);
const demoClaims = demo.server_verify_valid.certificate;
const demoInput = (over: Partial<VerifyInput> = {}): VerifyInput => ({
  keys: demoTrust.keys,
  revoked: new Set(demoRevocations.revoked),
  now: new Date(Date.parse(demoClaims.issued_at) + 60_000),
  ...over,
});

describe('base45 (RFC 9285)', () => {
  it('encodes and decodes the examples of the spec', () => {
    const enc = (s: string) => base45Encode(new TextEncoder().encode(s));
    expect(enc('AB')).toBe('BB8');
    expect(enc('ietf!')).toBe('QED8WEX0');
    expect(new TextDecoder().decode(base45Decode('QED8WEX0'))).toBe('ietf!');
    expect(new TextDecoder().decode(base45Decode('%69 VD92EX0'))).toBe('Hello!!');
  });
  it('refuses what is not base45', () => {
    expect(() => base45Decode('GGW1')).toThrow(Base45Error); // length 3k+1
    expect(() => base45Decode('GGw')).toThrow(/not base45/); // lower case
    expect(() => base45Decode('GGÄ')).toThrow(/not base45/);
    expect(() => base45Decode(':::')).toThrow(/over 65535/); // 44 + 44*45 + 44*2025 = 91124
    expect(() => base45Decode('::')).toThrow(/over 255/);
    expect(base45Decode('FGW')).toEqual(new Uint8Array([255, 255])); // 15 + 16*45 + 32*2025 = 65535
  });
});

describe('Ed25519', () => {
  it('verifies RFC 8032 test 1 (the warm-up)', () => {
    expect(warmUp()).toBe(true);
  });
});

describe('the worked example (docs/hp1-format.md section 11)', () => {
  const s = sample.stages;
  it('decodes every stage to the bytes of cert/', () => {
    expect(toHex(base45Decode(s.base45))).toBe(s.zlib_hex);
    expect(toHex(inflateZlib(hex(s.zlib_hex), 65536))).toBe(s.cose_hex);
    const cose = parseCoseSign1(hex(s.cose_hex), 16);
    expect(toHex(cose.protectedHeader)).toBe(s.protected_hex);
    expect(toHex(cose.payload)).toBe(s.cwt_hex);
    expect(toHex(cose.signature)).toBe(s.signature_hex);
    expect(cose.alg).toBe(-8);
    expect(toHex(cose.kidProtected!)).toBe(sample.kid);
    // The Sig_structure byte for byte as cert/ writes it.
    expect(toHex(sigStructure(cose))).toBe(s.sig_structure_hex);
    expect(kidOfKey(fromBase64(sample.public_key_b64)!)).toBe(sample.kid);
  });
  it('verifies with the claims cert/ wrote', () => {
    const out = verifyHp1(sample.hp1, sampleInput());
    expect(out.reasons).toEqual([]);
    expect(out.status).toBe('valid');
    expect(out.valid).toBe(true);
    const e = sample.expected;
    const c = out.certificate!;
    expect(c).toMatchObject({
      id: e.id,
      authority: e.iss,
      iat: e.iat,
      exp: e.exp,
      number: e.number,
      purpose: e.purpose,
      species: e.species,
      head_count: e.head_count,
      tags: e.tags,
      tag_count: e.tag_count,
      origin: e.origin,
      origin_place: e.origin_place,
      destination: e.destination,
      destination_place: e.destination_place,
      transport: e.transport,
      vet: e.vet,
      owner_masked_name: e.owner_masked_name,
      owner_phone_last4: e.owner_phone_last4,
    });
    expect(c.vaccinations.map((v) => [v.disease, v.administered_on, v.batch_no])).toEqual(e.vaccinations);
    expect(c.tags_sha256).toBeUndefined();
    expect(out.kid).toBe(sample.kid);
  });
  it('opens the example trust list and revocation list, and finds the certificate revoked', () => {
    expect(sampleTrust).toMatchObject({ country: 'KZ', sequence: 3, issued_at: '2026-11-28T00:00:00.000Z' });
    expect(sampleTrust.keys.map((k) => k.kid)).toEqual([sample.kid]);
    expect(sampleRevocations).toMatchObject({ authority: 'KZ-ABY', sequence: 1 });
    expect(revocationHash(sample.expected.id)).toBe(sampleRevocations.revoked[0]);
    const out = verifyHp1(sample.hp1, sampleInput({ revoked: sampleRevocations.revoked }));
    expect(out.status).toBe('revoked');
    expect(out.valid).toBe(false);
    expect(out.reasons.map((r) => r.code)).toEqual(['revoked']);
  });
});

describe('Sig_structure (RFC 9052 section 4.4)', () => {
  // cose.ts writes it by hand (cbor-x's probe breaks the page's CSP): the same bytes as cbor-x's
  // shortest-form encoder at every length where the head changes size.
  const cborx = new Encoder({ tagUint8Array: false, useRecords: false });
  it.each([0, 1, 23, 24, 255, 256, 65535, 65536])('byte strings of %i bytes', (n) => {
    const protectedHeader = Uint8Array.from({ length: n }, (_, i) => i & 0xff);
    const payload = Uint8Array.from({ length: n + 3 }, (_, i) => (i * 7) & 0xff);
    const cose = { protectedHeader, payload } as Parameters<typeof sigStructure>[0];
    const expected = cborx.encode(['Signature1', protectedHeader, new Uint8Array(0), payload]);
    expect(toHex(sigStructure(cose))).toBe(toHex(new Uint8Array(expected)));
  });
});

describe('a real node (herdpass init + demo, its GET /trust-list and /revocations)', () => {
  it('agrees with the C++ verifier (POST /verify) on a valid certificate and its claims', () => {
    const out = verifyHp1(demo.hp1_valid, demoInput());
    expect(demo.server_verify_valid.status).toBe('valid');
    expect(out.status).toBe('valid');
    expect(out.valid).toBe(true);
    expect(out.reasons).toEqual([]);
    const c = out.certificate!;
    for (const k of Object.keys(demoClaims)) {
      if (k === 'kid') continue;
      expect((c as unknown as Record<string, unknown>)[k], k).toEqual(demoClaims[k]);
    }
    expect(out.kid).toBe(demoClaims.kid);
  });
  it('agrees on a revoked certificate', () => {
    const out = verifyHp1(demo.hp1_revoked, demoInput());
    expect(demo.server_verify_revoked.status).toBe('revoked');
    expect(out.status).toBe('revoked');
    expect(out.reasons.map((r) => r.code)).toEqual(demo.server_verify_revoked.reasons.map((r: { code: string }) => r.code));
  });
  it('says expired after exp (inclusive, whole seconds) and not_yet_valid before iat', () => {
    const exp = Date.parse(demoClaims.valid_until);
    expect(verifyHp1(demo.hp1_valid, demoInput({ now: new Date(exp + 999) })).status).toBe('valid');
    const late = verifyHp1(demo.hp1_valid, demoInput({ now: new Date(exp + 1000) }));
    expect(late.status).toBe('expired');
    expect(late.valid).toBe(false);
    expect(late.reasons.map((r) => r.code)).toEqual(['expired']);
    expect(late.certificate?.number).toBe(demoClaims.number);
    // The demo key was made a moment before the certificate: before it, the key itself is not valid.
    const before = new Date(Date.parse(demoClaims.issued_at) - 3_600_000);
    expect(verifyHp1(demo.hp1_valid, demoInput({ now: before })).reasons.map((r) => r.code)).toEqual(['key_expired']);
    const olderKey = { ...demoTrust.keys[0], valid_from: '2026-01-01T00:00:00.000Z' };
    const early = verifyHp1(demo.hp1_valid, demoInput({ now: before, keys: [olderKey] }));
    expect(early.status).toBe('not_yet_valid');
    expect(early.reasons.map((r) => r.code)).toEqual(['not_yet_valid']);
    // Revoked and expired: both reported, revoked wins.
    const both = verifyHp1(demo.hp1_revoked, demoInput({ now: new Date(exp + 86_400_000) }));
    expect(both.status).toBe('revoked');
    expect(both.reasons.map((r) => r.code).sort()).toEqual(['expired', 'revoked']);
  });
  it('refuses a certificate whose kid is not in the trust list', () => {
    const out = verifyHp1(demo.hp1_valid, sampleInput({ now: demoInput().now }));
    expect(out.status).toBe('invalid');
    expect(out.reasons.map((r) => r.code)).toEqual(['unknown_kid']);
    // What it claims can still be shown (as refused).
    expect(out.certificate?.number).toBe(demoClaims.number);
    expect(verifyHp1(demo.hp1_valid, demoInput({ keys: [] })).reasons[0].code).toBe('unknown_kid');
  });
  it('refuses a certificate of a retired key, and outside the key validity', () => {
    const k = demoTrust.keys[0];
    const at = (iso: string): TrustedKey => ({ ...k, retired_at: iso });
    const iat = Date.parse(demoClaims.issued_at);
    const retiredLater = verifyHp1(demo.hp1_valid, demoInput({ keys: [at(new Date(iat + 30_000).toISOString())] }));
    expect(retiredLater.reasons.map((r) => r.code)).toEqual(['key_retired']);
    expect(retiredLater.status).toBe('invalid');
    const ended = verifyHp1(demo.hp1_valid, demoInput({ keys: [{ ...k, valid_until: new Date(iat + 30_000).toISOString() }] }));
    expect(ended.reasons.map((r) => r.code)).toEqual(['key_expired']);
  });
});

describe('tampered and hostile input: a clean reason, never an exception', () => {
  const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
  const codes = (text: string, input = demoInput()) => verifyHp1(text, input).reasons.map((r) => r.code);

  it('one changed character in the middle makes it invalid', () => {
    const t = demo.hp1_valid as string;
    const mid = Math.floor(t.length / 2);
    const swapped = t.slice(0, mid) + (t[mid] === 'A' ? 'B' : 'A') + t.slice(mid + 1);
    const out = verifyHp1(swapped, demoInput());
    expect(out.valid).toBe(false);
    expect(out.status).toBe('invalid');
    expect(out.reasons).toHaveLength(1);
    expect(['signature', 'base45', 'compression', 'cbor', 'cose', 'cwt', 'claim', 'kid', 'unknown_kid']).toContain(out.reasons[0].code);
  });
  it('every single-character change at 60 places is refused, unless no signed byte changed', () => {
    const t = demo.hp1_valid as string;
    // The COSE bytes a text inflates to, or "" when it does not decode. A change that falls only on
    // the unused bits after the deflate stream's last block leaves every signed byte as it was:
    // such a text verifies, rightly. Which positions do that depends on the certificate the build
    // made, so the test asks of each change exactly that, and no more than one such position.
    const signed = (text: string) => {
      try {
        return toHex(inflateZlib(base45Decode(text.slice(4)), 65536));
      } catch {
        return '';
      }
    };
    const original = signed(t);
    let unchanged = 0;
    for (let i = 0; i < 60; i++) {
      const pos = 4 + Math.floor(((t.length - 4) * i) / 60);
      const c = ALPHABET[(ALPHABET.indexOf(t[pos]) + 1 + (i % 44)) % 45]; // never the same character
      const changed = t.slice(0, pos) + c + t.slice(pos + 1);
      const same = signed(changed) === original;
      if (same) unchanged++;
      const out = verifyHp1(changed, demoInput());
      expect(out.valid, `position ${pos}`).toBe(same);
      expect(out.reasons.length > 0, `position ${pos}`).toBe(!same);
      expect(out.reasons.every((r) => (REASON_CODES as readonly string[]).includes(r.code))).toBe(true);
    }
    expect(unchanged).toBeLessThanOrEqual(1);
  });
  it('a signature that does not verify is `signature`', () => {
    const cose = hex(sample.stages.cose_hex);
    cose[cose.length - 1] ^= 1;
    expect(codes(hp1Of(cose), sampleInput())).toEqual(['signature']);
  });
  it('prefix and base45', () => {
    expect(codes('HC1:' + demo.hp1_valid.slice(4))).toEqual(['prefix']);
    expect(codes('hp1:' + demo.hp1_valid.slice(4))).toEqual(['prefix']);
    expect(codes('HP1:abc')).toEqual(['base45']);
    expect(codes('HP1:A')).toEqual(['base45']);
    expect(codes('HP1::::')).toEqual(['base45']);
    expect(codes('HP1:' + 'A'.repeat(16 * 1024))).toEqual(['base45']); // over the text limit
  });
  it('a truncated certificate is `compression`', () => {
    const t = demo.hp1_valid as string;
    // Whole base45 triples only: a trailing pair of the original text may stand for a value over
    // 255 when read as a last single byte, which would make the answer depend on the fixture.
    const keep = Math.floor(((t.length - 4) * 2) / 3);
    const cut = t.slice(0, 4 + keep - (keep % 3));
    expect(codes(cut)).toEqual(['compression']);
    const z = zlibSync(hex(sample.stages.cose_hex));
    expect(() => inflateZlib(z.subarray(0, z.length - 2), 65536)).toThrow(/truncated/);
  });
  it('a zlib bomb is refused at the cap, quickly', () => {
    const bomb = zlibSync(new Uint8Array(10 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(16 * 1024);
    const t0 = performance.now();
    const out = verifyHp1('HP1:' + base45Encode(bomb), demoInput());
    expect(out.reasons.map((r) => r.code)).toEqual(['compression']);
    expect(out.reasons[0].message).toMatch(/more than 65536/);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(() => inflateZlib(zlibSync(new Uint8Array(65537)), 65536)).toThrow(CompressionError);
    expect(inflateZlib(zlibSync(new Uint8Array(65536)), 65536)).toHaveLength(65536);
  });
  it('zlib: bytes after the stream, a wrong Adler-32 and raw COSE are `compression`', () => {
    const z = zlibSync(hex(sample.stages.cose_hex));
    const trailing = new Uint8Array([...z, 0]);
    expect(() => inflateZlib(trailing, 65536)).toThrow(/after the zlib stream/);
    const adler = z.slice();
    adler[adler.length - 1] ^= 1;
    expect(() => inflateZlib(adler, 65536)).toThrow(/Adler-32/);
    expect(codes('HP1:' + base45Encode(hex(sample.stages.cose_hex)))).toEqual(['compression']);
  });
  it('deep CBOR nesting is `cbor`, also far past the stack', () => {
    for (const depth of [17, 100, 100_000]) {
      const deep = new Uint8Array(depth + 1).fill(0x81);
      deep[depth] = 0x01;
      const out = verifyHp1(hp1Of(deep), demoInput({ limits: { maxInflated: 1 << 20 } }));
      expect(out.reasons.map((r) => r.code), `depth ${depth}`).toEqual(['cbor']);
      expect(out.reasons[0].message).toMatch(/nested deeper than 16/);
    }
    expect(() => CborTree.parse(new Uint8Array(200).fill(0x81), 64)).toThrow(CborError);
    // 16 levels are fine for the reader.
    const ok = new Uint8Array(17).fill(0x81);
    ok[16] = 0x01;
    expect(CborTree.parse(ok, 16).root().isArray()).toBe(true);
  });
  it('malformed CBOR and COSE structures have their codes', () => {
    expect(codes(hp1Of(new Uint8Array([0xd2, 0x84, 0x40, 0xa0, 0x40])))).toEqual(['cbor']); // truncated
    expect(codes(hp1Of(new Uint8Array([0x01, 0x02])))).toEqual(['cbor']); // bytes after the item
    expect(codes(hp1Of(new Uint8Array([0xd2, 0x83, 0x40, 0xa0, 0x40])))).toEqual(['cose']); // 3 items
    expect(codes(hp1Of(new Uint8Array([0xd8, 0x20, 0x84, 0x40, 0xa0, 0x40, 0x40])))).toEqual(['cose']); // tag 32
    expect(codes(hp1Of(new Uint8Array([0xd2, 0x84, 0x40, 0xa0, 0xf6, 0x40])))).toEqual(['cose']); // detached
    expect(codes(hp1Of(new Uint8Array([0xd2, 0x84, 0x40, 0xa0, 0x40, 0x40])))).toEqual(['kid']); // no kid
    expect(codes(hp1Of(new Uint8Array([0xd2, 0x84, 0x40, 0xa1, 0x04, 0x41, 0x01, 0x40, 0x40])))).toEqual(['kid']); // 1 byte
    // Text that is not UTF-8 is not well-formed.
    expect(() => CborTree.parse(new Uint8Array([0x62, 0xc3, 0x28]), 16)).toThrow(/UTF-8/);
    // Indefinite lengths are accepted.
    expect(CborTree.parse(new Uint8Array([0x9f, 0x01, 0x7f, 0x61, 0x61, 0x61, 0x62, 0xff, 0xff]), 16).root().items()[1].text()).toBe('ab');
  });
  it('tag 61 around tag 18 and the untagged array are read; a changed protected header breaks the signature', () => {
    const cose = hex(sample.stages.cose_hex);
    expect(verifyHp1(hp1Of(new Uint8Array([0xd8, 0x3d, ...cose])), sampleInput()).status).toBe('valid');
    expect(verifyHp1(hp1Of(cose.subarray(1)), sampleInput()).status).toBe('valid');
  });
});

describe('trust list and revocation list (JWS)', () => {
  const swapSignature = (jws: string) => {
    const o = JSON.parse(jws);
    const s: string = o.signature;
    o.signature = s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11);
    return JSON.stringify(o);
  };
  it('refuses a trust list whose signature is broken', () => {
    expect(() => openTrustList(swapSignature(docs.trust_list_jws), [root(docs.root_public_key_b64)])).toThrow(/signature does not verify/);
    expect(() => openTrustList(swapSignature(demo.trust_list_jws), [root(demo.root_key)])).toThrow(DocumentError);
  });
  it('refuses a trust list with a changed payload, of another root, or of another country', () => {
    const o = JSON.parse(docs.trust_list_jws);
    const payload = JSON.parse(atob(o.payload.replace(/-/g, '+').replace(/_/g, '/')));
    payload.sequence = 4;
    const edited = JSON.stringify({ ...o, payload: btoa(JSON.stringify(payload)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_') });
    expect(() => openTrustList(edited, [root(docs.root_public_key_b64)])).toThrow(/signature does not verify/);
    expect(() => openTrustList(docs.trust_list_jws, [root(demo.root_key)])).toThrow(/not a trusted key/);
    expect(() => openTrustList(docs.trust_list_jws, [root(docs.root_public_key_b64, 'CN')])).toThrow(/signed by the root of CN/);
    expect(() => openTrustList(docs.trust_list_jws, [])).toThrow(DocumentError);
  });
  it('refuses one kind of list for the other, and a revocation list not signed by a trusted key', () => {
    expect(() => openTrustList(docs.revocation_list_jws, [root(docs.root_public_key_b64)])).toThrow(/typ is not/);
    expect(() => openRevocationList(docs.trust_list_jws, sampleTrust.keys)).toThrow(/typ is not/);
    expect(() => openRevocationList(docs.revocation_list_jws, demoTrust.keys)).toThrow(/not a trusted key/);
    expect(() => openRevocationList(swapSignature(demo.revocations_jws), demoTrust.keys)).toThrow(/signature/);
    expect(() => openRevocationList('{"payload":1}', demoTrust.keys)).toThrow(DocumentError);
    expect(() => openRevocationList('not json', demoTrust.keys)).toThrow(DocumentError);
  });
  it('trust on first use: a list verifies against the pinned key, another root is refused, a pinned root is required when configured', () => {
    const pinnedKey = root(demo.root_key);
    const pin = { kid: pinnedKey.kid, country: 'KZ', keys: [pinnedKey], pinned_at: '' };
    const first = acceptTrustList(demo.trust_list_jws, [], pin, null);
    expect(first.anchor).toBe('origin');
    expect(first.root_kid).toBe(readTrustListUnverified(demo.trust_list_jws).rootKid);
    expect(() => acceptTrustList(swapSignature(demo.trust_list_jws), [], pin, null)).toThrow(/signature does not verify/);
    expect(() => acceptTrustList(docs.trust_list_jws, [], pin, null)).toThrow(/not by the root .* this device pinned/);
    // Nothing is accepted on the kid alone: neither with no pin nor with a pin of a kid only.
    expect(() => acceptTrustList(demo.trust_list_jws, [], null, null)).toThrow(/no root key is pinned/);
    expect(() => acceptTrustList(demo.trust_list_jws, [], { kid: pinnedKey.kid, country: 'KZ', pinned_at: '' }, null)).toThrow(/no root key is pinned/);
    const roots = configuredRoots(`KZ:${demo.root_key}`);
    expect(roots).toHaveLength(1);
    expect(acceptTrustList(demo.trust_list_jws, roots, null, null).anchor).toBe('pinned');
    expect(() => acceptTrustList(swapSignature(demo.trust_list_jws), roots, null, null)).toThrow(/signature/);
    expect(() => acceptTrustList(docs.trust_list_jws, roots, null, null)).toThrow(/not a trusted key/);
    // No going back in sequence.
    const held = { jws: '', list: { ...first.list, sequence: first.list.sequence + 1 }, root_kid: first.root_kid, anchor: 'origin' as const, fetched_at: '' };
    expect(() => acceptTrustList(demo.trust_list_jws, [], pin, held)).toThrow(/older/);
  });
});

describe('claims, signed with the example key (the checks after the signature)', () => {
  const cbor = new Encoder({ tagUint8Array: false, useRecords: false, mapsAsObjects: false });
  const seed = hex(sample.seed_hex);
  const kid = hex(sample.kid);
  const protectedHeader = new Uint8Array([0xa2, 0x01, 0x27, 0x04, 0x48, ...kid]);
  // A COSE_Sign1 over `payload` bytes, signed with the sample's key, as HP1 text.
  const signed = (payload: Uint8Array) => {
    const sig = ed.sign(sigStructure({ protectedHeader, payload } as never), seed);
    return hp1Of(new Uint8Array(cbor.encode(new Tag([protectedHeader, new Map(), payload, sig], 18))));
  };
  const e = sample.expected;
  const certificate = () =>
    new Map<number, unknown>([
      [1, e.number],
      [2, e.purpose],
      [3, e.species],
      [4, e.head_count],
      [5, e.tags],
      [7, e.origin],
      [8, e.origin_place],
      [9, e.destination],
      [10, e.destination_place],
      [11, e.transport],
      [12, e.vaccinations],
      [13, e.vet],
      [14, e.owner_masked_name],
      [15, e.owner_phone_last4],
    ]);
  const cwt = (cert: Map<number, unknown> = certificate()) =>
    new Map<number, unknown>([
      [1, e.iss],
      [4, e.exp],
      [6, e.iat],
      [7, hex(e.id.replace(/-/g, ''))],
      [-65537, cert],
    ]);
  const codes = (payload: Uint8Array) => verifyHp1(signed(payload), sampleInput()).reasons.map((r) => r.code);
  const enc = (v: unknown) => new Uint8Array(cbor.encode(v));

  it('a payload written here verifies like the example (the signing helper is right)', () => {
    const out = verifyHp1(signed(enc(cwt())), sampleInput());
    expect(out.status).toBe('valid');
    expect(out.certificate?.number).toBe(e.number);
  });
  it('folded ear tags (a count and a SHA-256) are read', () => {
    const cert = certificate();
    cert.delete(5);
    cert.set(6, new Map<number, unknown>([[1, 250], [2, new Uint8Array(32).fill(0xab)]]));
    const out = verifyHp1(signed(enc(cwt(cert))), sampleInput());
    expect(out.status).toBe('valid');
    expect(out.certificate).toMatchObject({ tags: [], tag_count: 250, tags_sha256: 'ab'.repeat(32) });
  });
  it('iat and exp as floats with a fraction (RFC 8392 NumericDate) are truncated to the second', () => {
    const withFloats = cwt();
    withFloats.set(4, e.exp + 0.75);
    withFloats.set(6, e.iat + 0.25);
    const payload = enc(withFloats);
    // cbor-x wrote doubles (0xfb) for both: the test is about floats, not integers.
    expect(toHex(payload)).toContain('04fb');
    expect(toHex(payload)).toContain('06fb');
    const out = verifyHp1(signed(payload), sampleInput());
    expect(out.reasons).toEqual([]);
    expect(out.status).toBe('valid');
    expect(out.certificate).toMatchObject({ iat: e.iat, exp: e.exp });
    // Half and single precision: {6: 1.0} and {6: 1.5} as the smallest CBOR reads them.
    const half = CborTree.parse(new Uint8Array([0xa1, 0x06, 0xf9, 0x3c, 0x00]), 8).root().get(6);
    expect(half.float()).toBe(1);
    const single = CborTree.parse(new Uint8Array([0xa1, 0x06, 0xfa, 0x3f, 0xc0, 0x00, 0x00]), 8).root().get(6);
    expect(single.float()).toBe(1.5);
    expect(single.int()).toBeNull();
  });
  it('CWT claims: missing, mistyped, out of range, duplicate -> `cwt`', () => {
    const without = (k: number) => {
      const m = cwt();
      m.delete(k);
      return enc(m);
    };
    expect(codes(without(1))).toEqual(['cwt']);
    expect(codes(without(4))).toEqual(['cwt']);
    expect(codes(without(7))).toEqual(['cwt']);
    for (const notADate of [NaN, Infinity, true]) {
      const bad = cwt();
      bad.set(6, notADate);
      expect(codes(enc(bad))).toEqual(['cwt']);
    }
    const farFloat = cwt();
    farFloat.set(4, 1e300);
    expect(codes(enc(farFloat))).toEqual(['cwt']);
    const shortCti = cwt();
    shortCti.set(7, new Uint8Array(8));
    expect(codes(enc(shortCti))).toEqual(['cwt']);
    const backwards = cwt();
    backwards.set(4, e.iat - 1);
    expect(codes(enc(backwards))).toEqual(['cwt']);
    const far = cwt();
    far.set(4, 253402300800); // 10000-01-01
    expect(codes(enc(far))).toEqual(['cwt']);
    // {1: "KZ-ABY", 1: "KZ-ABY", ...}: a claim twice.
    const payload = enc(cwt());
    const dup = new Uint8Array([0xa6, 0x01, 0x66, ...new TextEncoder().encode('KZ-ABY'), ...payload.subarray(1)]);
    expect(codes(dup)).toEqual(['cwt']);
    expect(codes(enc([1, 2]))).toEqual(['cwt']);
  });
  it('certificate map: missing fields, bad types, both or neither tag forms, unreal dates -> `claim`', () => {
    const edit = (f: (m: Map<number, unknown>) => void) => {
      const m = certificate();
      f(m);
      return codes(enc(cwt(m)));
    };
    expect(edit((m) => m.delete(13))).toEqual(['claim']);
    expect(edit((m) => m.set(4, -1))).toEqual(['claim']);
    expect(edit((m) => m.set(4, 2 ** 31))).toEqual(['claim']);
    expect(edit((m) => m.set(2, 7))).toEqual(['claim']);
    expect(edit((m) => m.delete(5))).toEqual(['claim']);
    expect(edit((m) => m.set(6, new Map([[1, 1], [2, new Uint8Array(32)]])))).toEqual(['claim']);
    expect(edit((m) => m.set(12, [['fmd_o', '2026-02-30', 'X']]))).toEqual(['claim']);
    expect(edit((m) => m.set(12, [['fmd_o', '2026-9-01', 'X']]))).toEqual(['claim']);
    expect(edit((m) => m.set(12, [['fmd_o', '2026-09-01']]))).toEqual(['claim']);
    expect(edit((m) => m.set(99, 'a later version'))).toEqual([]); // unknown keys are ignored
    const noCert = cwt();
    noCert.delete(-65537);
    expect(codes(enc(noCert))).toEqual(['claim']);
    expect(edit((m) => m.set(12, [['ppr', '2024-02-29', 'leap']]))).toEqual([]);
  });
  it('a claim error is reported only when the signature is good', () => {
    const bad = cwt();
    bad.delete(1);
    const text = signed(enc(bad));
    // Same payload, another kid: unknown_kid comes first.
    expect(verifyHp1(text, demoInput()).reasons.map((r) => r.code)).toEqual(['unknown_kid']);
  });
});

describe('certificateCheckCode', () => {
  // The vectors of tests/domain/sms_text_test.cpp (the server's CertificateCheckCode), so the code
  // on the verify page is the one in the owner's SMS; 'HP1:C' (Python's hashlib) pads three zeros.
  it('is six digits of the text’s SHA-256, as the server’s SMS gives it', () => {
    expect(certificateCheckCode('HP1:TEST')).toBe('601542');
    expect(certificateCheckCode('')).toBe('012610');
    expect(certificateCheckCode('HP1:C')).toBe('000578');
    expect(certificateCheckCode('HP1:TESU')).not.toBe(certificateCheckCode('HP1:TEST'));
  });
});
