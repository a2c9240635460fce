// src/trust.ts end to end over a fake server and a fake kv: with no root key from the operator, the
// first refresh pins the key GET /trust-root serves (refused when a kid is not its key's SHA-256)
// and every trust list from then on must verify against that key: a bad signature or another root
// is refused and the cached list kept. Fixtures as in hp1/hp1.test.ts (made by the real cert/ code).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadFixture as load } from './hp1/testdata/fixtures';
import { fromBase64, kidOfKey } from './hp1/verify';

const kv = vi.hoisted(() => new Map<string, unknown>());
vi.mock('./db', () => ({
  kvGet: async (key: string) => structuredClone(kv.get(key)),
  kvSet: async (key: string, value: unknown) => void kv.set(key, structuredClone(value)),
}));

import { readTrustRoot, refreshLists, type RootPin, type StoredTrustList } from './trust';

const demo = load('demo.json'); // a real node's lists; its root key
const docs = load('sample-documents.json'); // lists of another KZ root (the spec's worked example)

const kidOf = (b64: string) => kidOfKey(fromBase64(b64)!);
const trustRoot = (b64: string, kid = kidOf(b64)) =>
  JSON.stringify({
    country: 'KZ',
    keys: [{ kid, public_key: b64, valid_from: '2026-01-01T00:00:00.000Z', valid_until: '2036-01-01T00:00:00.000Z', retired_at: null }],
  });
const swapSignature = (jws: string) => {
  const o = JSON.parse(jws);
  const s: string = o.signature;
  o.signature = s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11);
  return JSON.stringify(o);
};

// What the fake server answers, by path under /api/v1; a missing path is 404.
let served: Record<string, string> = {};
let asked: string[] = [];

beforeEach(() => {
  kv.clear();
  asked = [];
  served = { '/trust-list': demo.trust_list_jws, '/revocations': demo.revocations_jws, '/trust-root': trustRoot(demo.root_key) };
  vi.stubGlobal('fetch', async (url: string) => {
    const path = url.replace(/^\/api\/v1/, '');
    asked.push(path);
    return path in served ? new Response(served[path], { status: 200 }) : new Response('{}', { status: 404 });
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const pinned = () => kv.get('trust_root') as RootPin | undefined;
const heldList = () => kv.get('trust_list') as StoredTrustList | undefined;

describe('trust on first use: the server root key pinned, then every list verified with it', () => {
  it('pins the key on first use and accepts a list that verifies with it', async () => {
    const out = await refreshLists();
    expect(out.errors).toEqual([]);
    expect(out.online).toBe(true);
    expect(pinned()).toMatchObject({ kid: kidOf(demo.root_key), country: 'KZ' });
    expect(pinned()!.keys).toEqual([
      { kid: kidOf(demo.root_key), country: 'KZ', public_key: demo.root_key, valid_from: '2026-01-01T00:00:00.000Z', valid_until: '2036-01-01T00:00:00.000Z' },
    ]);
    expect(out.lists.trust).toMatchObject({ jws: demo.trust_list_jws, anchor: 'origin', root_kid: kidOf(demo.root_key) });
    expect(out.lists.revocations?.jws).toBe(demo.revocations_jws);
    // Pinned once: later refreshes do not ask again, and the list is verified with the pinned key.
    await refreshLists();
    expect(asked.filter((p) => p === '/trust-root')).toHaveLength(1);
  });

  it('after pinning, refuses a list whose root signature is bad and keeps the cached one', async () => {
    await refreshLists();
    served['/trust-list'] = swapSignature(demo.trust_list_jws);
    const out = await refreshLists();
    expect(out.errors).toEqual([{ code: 'trust_list', message: 'signature does not verify' }]);
    expect(out.lists.trust?.jws).toBe(demo.trust_list_jws);
    expect(heldList()?.jws).toBe(demo.trust_list_jws);
  });

  it('refuses a list signed by another root, even when the server now serves that root', async () => {
    await refreshLists();
    served['/trust-list'] = docs.trust_list_jws;
    served['/trust-root'] = trustRoot(docs.root_public_key_b64);
    const out = await refreshLists();
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0].code).toBe('trust_list');
    expect(out.errors[0].message).toMatch(new RegExp(`signed by root ${docs.root_kid}, not by the root ${kidOf(demo.root_key)} this device pinned`));
    expect(out.errors[0].message).toMatch(/clear this site's data/);
    expect(out.lists.trust?.jws).toBe(demo.trust_list_jws);
    expect(pinned()!.keys!.map((k) => k.public_key)).toEqual([demo.root_key]);
    // Clearing the site's data pins again.
    kv.clear();
    served['/revocations'] = docs.revocation_list_jws;
    const again = await refreshLists();
    expect(again.errors).toEqual([]);
    expect(again.lists.trust?.jws).toBe(docs.trust_list_jws);
    expect(pinned()!.keys!.map((k) => k.public_key)).toEqual([docs.root_public_key_b64]);
  });

  it('refuses a trust root whose kid is not its key: nothing pinned, no list taken', async () => {
    served['/trust-root'] = trustRoot(demo.root_key, kidOf(docs.root_public_key_b64));
    const out = await refreshLists();
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]).toMatchObject({ code: 'trust_list' });
    expect(out.errors[0].message).toMatch(/is not the SHA-256 of its key/);
    expect(pinned()).toBeUndefined();
    expect(out.lists.trust).toBeNull();
    expect(out.lists.revocations).toBeNull();
  });

  it('takes no list when the server publishes no root key', async () => {
    delete served['/trust-root'];
    const out = await refreshLists();
    expect(out.errors.map((e) => e.message)).toEqual(['the server publishes no root key: the list cannot be checked']);
    expect(out.lists.trust).toBeNull();
  });

  it("completes a pin of a kid alone with that root's key, and checks the list held again", async () => {
    const kid = kidOf(demo.root_key);
    kv.set('trust_root', { kid, country: 'KZ', pinned_at: '2026-11-01T00:00:00.000Z' });
    kv.set('trust_list', { jws: demo.trust_list_jws, list: {}, root_kid: kid, anchor: 'origin', fetched_at: '' });
    served['/trust-root'] = JSON.stringify({
      country: 'KZ',
      keys: [JSON.parse(trustRoot(docs.root_public_key_b64)).keys[0], JSON.parse(trustRoot(demo.root_key)).keys[0]],
    });
    const out = await refreshLists();
    expect(out.errors).toEqual([]);
    expect(pinned()!.keys!.map((k) => k.kid)).toEqual([kid]); // only the root it had pinned
    expect(out.lists.trust?.list.country).toBe('KZ');
    // A server that no longer names the pinned root is refused.
    kv.set('trust_root', { kid, country: 'KZ', pinned_at: '' });
    served['/trust-root'] = trustRoot(docs.root_public_key_b64);
    const refused = await refreshLists();
    expect(refused.errors[0].message).toMatch(/no longer names the root/);
  });
});

describe('readTrustRoot', () => {
  it('reads the keys and refuses what is not a trust root', () => {
    expect(readTrustRoot(trustRoot(demo.root_key))[0].public_key).toBe(demo.root_key);
    expect(() => readTrustRoot('not json')).toThrow(/not JSON/);
    expect(() => readTrustRoot('{"country":"KZ","keys":[]}')).toThrow(/none/);
    expect(() => readTrustRoot('{"country":"kz","keys":[]}')).toThrow(/needs country and keys/);
    const short = JSON.stringify({ country: 'KZ', keys: [{ kid: '0011223344556677', public_key: 'AAAA' }] });
    expect(() => readTrustRoot(short)).toThrow(/32-byte/);
    const badTime = JSON.parse(trustRoot(demo.root_key));
    badTime.keys[0].retired_at = 'soon';
    expect(() => readTrustRoot(JSON.stringify(badTime))).toThrow(/retired_at .* is not a time/);
  });
});
