// The trust list and the revocation list on this device (W4 offline): fetched from
// GET /api/v1/trust-list and /api/v1/revocations (public), their JWS checked as
// docs/hp1-format.md sections 8 to 10 say, kept in IndexedDB (kv 'trust_list' and 'revocations',
// each with the JWS as received, the opened list and fetched_at) and refreshed whenever online.
//
// How the root key is trusted in the browser. The spec has verifiers pin the root keys of the
// countries they trust, given by their operator. The server publishes no root public key (root
// keys are never in the list; `herdpass trust export` hands it over by a second channel), so:
//
// 1. Pinned by the operator at build time: VITE_HERDPASS_ROOT_KEYS="KZ:<base64>,CN:<base64>".
//    Then a trust list must verify against one of them (country and validity as in section 8),
//    or it is refused: the full rule of the spec.
// 2. Otherwise, trust on first use of this origin. The first trust list fetched from the origin
//    that served this app is accepted with all its rules checked except the root signature, which
//    cannot be checked without the root key, and the kid and country of the root that signed it
//    are pinned in kv 'trust_root'. This adds no trust the app does not already place in the
//    origin: the same origin served the verifier's code, which could say "valid" to anything.
//    Later lists must name the same root (a list signed by another root is refused and the cached
//    one kept), must be of the same country and must not go back in sequence; a new root needs the
//    site's data cleared, on purpose. What this cannot stop is an origin that is compromised
//    later serving a list with the pinned kid in its header: only a pinned key can (way 1), and
//    the server would have to publish the root key for the browser to pin it on first use.
// In both ways the revocation list is fully verified: it must be signed by a signing key of the
// trust list in hand, valid and not retired when the list was issued.
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

interface RootPin {
  kid: string;
  country: string;
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

// Opens a trust list as the rules above say, against the pin and the list already held.
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
    const { list, rootKid } = readTrustListUnverified(jws);
    if (pin && pin.kid !== rootKid) {
      throw new DocumentError('trust_list', `signed by root ${rootKid}, not by the root ${pin.kid} this device pinned`);
    }
    if (pin && pin.country !== list.country) {
      throw new DocumentError('trust_list', `a list of ${list.country}, not of ${pin.country}`);
    }
    out = { list, root_kid: rootKid, anchor: 'origin' };
  }
  if (held && held.list.country === out.list.country && out.list.sequence < held.list.sequence) {
    throw new DocumentError('trust_list', `sequence ${out.list.sequence} is older than the ${held.list.sequence} held`);
  }
  return out;
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

async function fetchText(path: string, signal?: AbortSignal): Promise<string | null> {
  const res = await fetch(`/api/v1${path}`, { cache: 'no-store', signal, headers: { Accept: 'application/json' } });
  if (res.status === 404) return null; // this node has no list yet
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.text();
}

export interface RefreshOutcome {
  lists: CachedLists;
  online: boolean; // the server answered
  errors: { code: 'trust_list' | 'revocation_list'; message: string }[]; // lists refused
}

let running: Promise<RefreshOutcome> | null = null;

// Fetches both lists and keeps those that pass; a refused or unreachable list leaves the cached
// one in place. Never throws. One refresh at a time.
export function refreshLists(signal?: AbortSignal): Promise<RefreshOutcome> {
  running ??= doRefresh(signal).finally(() => (running = null));
  return running;
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
    if (trustJws !== null && trustJws !== held.trust?.jws) {
      try {
        const pin = (await kvGet<RootPin>('trust_root')) ?? null;
        const accepted = acceptTrustList(trustJws, configuredRoots(), pin, held.trust);
        if (!pin && accepted.anchor === 'origin') {
          await kvSet('trust_root', { kid: accepted.root_kid, country: accepted.list.country, pinned_at: now } satisfies RootPin);
        }
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
