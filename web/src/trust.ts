// The trust list and the revocation list on this device (W4 offline): fetched from
// GET /api/v1/trust-list and /api/v1/revocations (public), their JWS checked as
// docs/hp1-format.md sections 8 to 10 say, kept in IndexedDB (kv 'trust_list' and 'revocations',
// each with the JWS as received, the opened list and fetched_at) and refreshed whenever online.
//
// How the root key is trusted in the browser. The spec has verifiers pin the root keys of the
// countries they trust, given by their operator. Every trust list is verified in full against a
// pinned root key (signature, country, the root valid and not retired at issued_at); what differs
// is where that key came from:
//
// 1. Pinned by the operator at build time: VITE_HERDPASS_ROOT_KEYS="KZ:<base64>,CN:<base64>".
//    The strong form: the key reached the build by a channel other than the server.
// 2. Otherwise, trust on first use of this origin. Before the first trust list is accepted, the
//    app fetches GET /api/v1/trust-root (the node's own root public keys), refuses the answer
//    unless every kid is the SHA-256 of its key, and pins the keys themselves (kid, country,
//    public key, validity) in kv 'trust_root'. That one fetch is the only step taken on trust,
//    and it adds none the app does not already place in the origin that served its code. From
//    then on a list must verify against the pinned keys exactly as in way 1: a list signed by
//    another root (a rotated root, or a later compromised origin) or with a bad signature is
//    refused with its reason and the cached list kept. A new root needs the site's data cleared,
//    on purpose; the next refresh pins again. A device that pinned only a root's kid and country
//    (before the server published its keys) pins that root's key on its next refresh, and only
//    that one.
// Either way a list must not go back in sequence, and the revocation list is fully verified: it
// must be signed by a signing key of the trust list in hand, valid and not retired when the list
// was issued.
import {
  DocumentError,
  openRevocationList,
  openTrustList,
  readTrustListUnverified,
  type RevocationList,
  type RootKey,
  type TrustList,
} from './hp1/documents';
import { fromBase64, kidOfKey } from './hp1/verify';
import { kvGet, kvSet } from './db';
import { fetchWithin } from './api';

export interface StoredTrustList {
  jws: string;
  list: TrustList;
  root_kid: string;
  anchor: 'pinned' | 'origin'; // how its root was trusted (see above)
  fetched_at: string;
}

export interface StoredRevocations {
  jws: string;
  list: RevocationList;
  fetched_at: string;
}

export interface CachedLists {
  trust: StoredTrustList | null;
  revocations: StoredRevocations | null;
  checked_at: string | null; // last time a refresh reached the server
}

// kv 'trust_root': the root keys pinned on first use (way 2). A pin from before the server
// published its root keys has only kid and country; it is completed on the next refresh.
export interface RootPin {
  kid: string; // of the newest key pinned
  country: string;
  keys?: RootKey[];
  pinned_at: string;
}

// Operator-pinned root keys of this build: "CC:base64" separated by commas or spaces.
export function configuredRoots(spec: string | undefined = import.meta.env.VITE_HERDPASS_ROOT_KEYS as string | undefined): RootKey[] {
  const roots: RootKey[] = [];
  for (const item of (spec ?? '').split(/[\s,]+/).filter(Boolean)) {
    const m = /^([A-Z]{2}):(.+)$/.exec(item);
    const raw = m && fromBase64(m[2]);
    if (!m || !raw || raw.length !== 32) continue;
    roots.push({ kid: kidOfKey(raw), country: m[1], public_key: m[2] });
  }
  return roots;
}

// The keys of a GET /trust-root answer, to pin: refused unless each kid is the SHA-256 of its key
// and the times read. With `legacy` (a pin of a kid and country only), only the key it named.
// Throws DocumentError('trust_list').
export function readTrustRoot(text: string, legacy: { kid: string; country: string } | null = null): RootKey[] {
  const bad = (m: string) => new DocumentError('trust_list', `the server's root key: ${m}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  const o = doc as { country?: unknown; keys?: unknown };
  if (typeof o !== 'object' || o === null || typeof o.country !== 'string' || !/^[A-Z]{2}$/.test(o.country) || !Array.isArray(o.keys)) {
    throw bad('needs country and keys');
  }
  const country = o.country;
  const time = (v: unknown, name: string, kid: string) => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw bad(`${name} of ${kid} is not a time`);
    return v;
  };
  const keys: RootKey[] = [];
  for (const k of o.keys as unknown[]) {
    const e = (k ?? {}) as Record<string, unknown>;
    if (typeof e.kid !== 'string' || !/^[0-9a-f]{16}$/.test(e.kid) || typeof e.public_key !== 'string') {
      throw bad('each key needs kid and public_key');
    }
    const raw = fromBase64(e.public_key);
    if (!raw || raw.length !== 32) throw bad(`${e.kid} is not a 32-byte Ed25519 key`);
    if (kidOfKey(raw) !== e.kid) throw bad(`kid ${e.kid} is not the SHA-256 of its key`);
    const key: RootKey = { kid: e.kid, country, public_key: e.public_key };
    const validFrom = time(e.valid_from, 'valid_from', e.kid);
    const validUntil = time(e.valid_until, 'valid_until', e.kid);
    const retiredAt = time(e.retired_at, 'retired_at', e.kid);
    if (validFrom) key.valid_from = validFrom;
    if (validUntil) key.valid_until = validUntil;
    if (retiredAt) key.retired_at = retiredAt;
    keys.push(key);
  }
  if (legacy) {
    const kept = keys.filter((k) => k.kid === legacy.kid && k.country === legacy.country);
    if (!kept.length) throw bad(`it no longer names the root ${legacy.kid} of ${legacy.country} this device pinned`);
    return kept;
  }
  if (!keys.length) throw bad('none');
  return keys;
}

// Opens a trust list as the rules above say: against the operator's roots when there are any,
// else against the keys pinned on first use, and not older than the list already held.
// Throws DocumentError('trust_list').
export function acceptTrustList(
  jws: string,
  roots: RootKey[],
  pin: RootPin | null,
  held: StoredTrustList | null,
): { list: TrustList; root_kid: string; anchor: 'pinned' | 'origin' } {
  let out: { list: TrustList; root_kid: string; anchor: 'pinned' | 'origin' };
  if (roots.length) {
    const { list, root } = openTrustList(jws, roots);
    out = { list, root_kid: root.kid, anchor: 'pinned' };
  } else {
    const pinned = pin?.keys ?? [];
    if (!pinned.length) throw new DocumentError('trust_list', 'no root key is pinned on this device: the list cannot be checked');
    // The kid in the header, read only to say which root signed a refused list.
    const signedBy = readTrustListUnverified(jws).rootKid;
    if (!pinned.some((k) => k.kid === signedBy)) {
      throw new DocumentError(
        'trust_list',
        `signed by root ${signedBy.slice(0, 32)}, not by the root ${pinned.map((k) => k.kid).join(', ')} this device pinned; ` +
          "clear this site's data to pin another",
      );
    }
    const { list, root } = openTrustList(jws, pinned);
    out = { list, root_kid: root.kid, anchor: 'origin' };
  }
  if (held && held.list.country === out.list.country && out.list.sequence < held.list.sequence) {
    throw new DocumentError('trust_list', `sequence ${out.list.sequence} is older than the ${held.list.sequence} held`);
  }
  return out;
}

// Pins the server's root keys (way 2) when no key is pinned yet, or completes a pin of a kid alone.
// Throws DocumentError('trust_list') when the server has none or its answer is refused; fetch
// errors pass through (offline).
async function pinServerRoot(old: RootPin | null, now: string, signal?: AbortSignal): Promise<RootPin> {
  const text = await fetchText('/trust-root', signal);
  if (text === null) throw new DocumentError('trust_list', 'the server publishes no root key: the list cannot be checked');
  const keys = readTrustRoot(text, old);
  const pin: RootPin = { kid: keys[0].kid, country: keys[0].country, keys, pinned_at: now };
  await kvSet('trust_root', pin);
  return pin;
}

// The lists as last read or written by this tab, so that a verification does not wait for
// IndexedDB (it is timed: performance.measure('hp1-verify')). Another tab's update is seen when this
// tab updates or reloads.
let memo: CachedLists | null = null;

export async function cachedLists(): Promise<CachedLists> {
  if (memo) return memo;
  try {
    const [trust, revocations, checked] = await Promise.all([
      kvGet<StoredTrustList>('trust_list'),
      kvGet<StoredRevocations>('revocations'),
      kvGet<string>('lists_checked_at'),
    ]);
    memo = { trust: trust ?? null, revocations: revocations ?? null, checked_at: checked ?? null };
    return memo;
  } catch {
    return { trust: null, revocations: null, checked_at: null };
  }
}

// With the time limit every request has (api.ts): a stalled link leaves the cached lists in place.
async function fetchText(path: string, signal?: AbortSignal): Promise<string | null> {
  const { res, text } = await fetchWithin(`/api/v1${path}`, { cache: 'no-store', signal, headers: { Accept: 'application/json' } });
  if (res.status === 404) return null; // this node has no list yet
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return text;
}

export interface RefreshOutcome {
  lists: CachedLists;
  online: boolean; // the server answered
  errors: { code: 'trust_list' | 'revocation_list'; message: string }[]; // lists refused
}

let running: Promise<RefreshOutcome> | null = null;

// Fetches both lists and keeps those that pass; a refused or unreachable list leaves the cached
// one in place. Never throws. One refresh at a time.
// In a page, the refresh runs in a worker (trust_worker.ts), so that checking the lists does not
// block the page; where the worker cannot start, here.
export function refreshLists(signal?: AbortSignal): Promise<RefreshOutcome> {
  running ??= (inPage() ? refreshInWorker(signal) : doRefresh(signal)).finally(() => (running = null));
  return running;
}

// The refresh in this thread (the worker's, or tests').
export function refreshListsHere(signal?: AbortSignal): Promise<RefreshOutcome> {
  running ??= doRefresh(signal).finally(() => (running = null));
  return running;
}

function inPage(): boolean {
  return typeof window !== 'undefined' && typeof Worker !== 'undefined';
}

let worker: Worker | null = null;

async function refreshInWorker(signal?: AbortSignal): Promise<RefreshOutcome> {
  let outcome: RefreshOutcome;
  try {
    worker ??= new Worker(new URL('./trust_worker.ts', import.meta.url), { type: 'module' });
    const w = worker;
    outcome = await new Promise<RefreshOutcome>((resolve, reject) => {
      w.onmessage = (e: MessageEvent<RefreshOutcome>) => resolve(e.data);
      w.onerror = (e) => {
        e.preventDefault();
        reject(new Error(e.message));
      };
      w.postMessage(null);
    });
  } catch {
    worker?.terminate();
    worker = null;
    return doRefresh(signal);
  }
  // The worker wrote IndexedDB: this tab's copy is its answer.
  memo = outcome.lists;
  return outcome;
}

async function doRefresh(signal?: AbortSignal): Promise<RefreshOutcome> {
  const errors: RefreshOutcome['errors'] = [];
  let online = false;
  memo = null; // read what IndexedDB holds now (another tab may have updated it)
  let held = await cachedLists();
  try {
    const now = new Date().toISOString();
    const [trustJws, revocationsJws] = await Promise.all([fetchText('/trust-list', signal), fetchText('/revocations', signal)]);
    online = true;
    let trust = held.trust;
    const roots = configuredRoots();
    let pin = roots.length ? null : ((await kvGet<RootPin>('trust_root')) ?? null);
    // A list held before its root's key was pinned (accepted on the kid alone) is checked again.
    const unpinned = !roots.length && !pin?.keys?.length;
    if (trustJws !== null && (trustJws !== held.trust?.jws || unpinned)) {
      try {
        if (unpinned) pin = await pinServerRoot(pin, now, signal);
        const accepted = acceptTrustList(trustJws, roots, pin, held.trust);
        trust = { jws: trustJws, ...accepted, fetched_at: now };
        await kvSet('trust_list', trust);
      } catch (e) {
        if (!(e instanceof DocumentError)) throw e;
        errors.push({ code: e.code, message: e.message });
      }
    } else if (trust) {
      trust = { ...trust, fetched_at: now };
      await kvSet('trust_list', trust);
    }
    if (revocationsJws !== null && trust) {
      try {
        const list = openRevocationList(revocationsJws, trust.list.keys);
        const old = held.revocations?.list;
        if (old && old.authority === list.authority && list.sequence < old.sequence) {
          throw new DocumentError('revocation_list', `sequence ${list.sequence} is older than the ${old.sequence} held`);
        }
        await kvSet('revocations', { jws: revocationsJws, list, fetched_at: now } satisfies StoredRevocations);
      } catch (e) {
        if (!(e instanceof DocumentError)) throw e;
        errors.push({ code: e.code, message: e.message });
      }
    }
    await kvSet('lists_checked_at', now);
  } catch {
    // Offline, server down, aborted, storage refused: the cached lists stay as they are.
  }
  memo = null;
  held = await cachedLists();
  return { lists: held, online, errors };
}

// Whatever screen loads the verifier (this page, the inspector's) keeps the lists fresh: an update
// when it loads online and whenever the network comes back, so that they are there when it is gone.
if (typeof window !== 'undefined' && typeof indexedDB !== 'undefined') {
  if (navigator.onLine) void refreshLists();
  window.addEventListener('online', () => void refreshLists());
}
