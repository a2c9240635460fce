// The in-browser HP1 verifier (docs/hp1-format.md): verifyHp1 (verify.ts) against the trust list
// and revocation list cached on this device (../trust.ts), with no network.
import { cachedLists, type CachedLists } from '../trust';
import type { Hp1Certificate } from './cwt';
import { offlineZoneWarnings, zoneDayOf, type PublishedZone } from './documents';
import { certificateCheckCode, revocationHash, verifyHp1, type Limits } from './verify';

export type { Hp1Certificate } from './cwt';
export { REASON_CODES, certificateCheckCode, verifyHp1 } from './verify';

// The spec's statuses and the server's `consumed` (POST /verify only: a phone cannot know).
export type VerifyStatus = 'valid' | 'invalid' | 'revoked' | 'expired' | 'not_yet_valid' | 'consumed';

export interface VerifyResult {
  valid: boolean;
  status: VerifyStatus;
  reasons: { code: string; message: string }[];
  // W14: the zones of the cached revocation list that now hold the certificate's origin (a warning,
  // not a refusal: it was issued before the zone).
  warnings: { code: 'origin_in_zone'; zone: PublishedZone }[];
  // The certificate's claims with the API's names (PublicClaims), also when refused: then shown as
  // refused. Null when it could not be read.
  certificate: (Hp1Certificate & { kid?: string }) | null;
  // The six-digit check code of the text (certificateCheckCode), as the owner's SMS gives it; null
  // when no certificate could be read from it.
  check_code: string | null;
  // How old the cached trust list and revocation list were (ISO times of their issue and fetch).
  lists: {
    trust_list_issued_at?: string;
    revocations_issued_at?: string;
    fetched_at?: string;
    trust_list_sequence?: number;
    revocations_sequence?: number;
    root_anchor?: 'pinned' | 'origin';
  } | null;
}

export function listsInfo(c: CachedLists): VerifyResult['lists'] {
  if (!c.trust) return null;
  const fetched = [c.trust.fetched_at, c.revocations?.fetched_at].filter((x): x is string => !!x).sort()[0];
  return {
    trust_list_issued_at: c.trust.list.issued_at,
    revocations_issued_at: c.revocations?.list.issued_at,
    fetched_at: fetched,
    trust_list_sequence: c.trust.list.sequence,
    revocations_sequence: c.revocations?.list.sequence,
    root_anchor: c.trust.anchor,
  };
}

// Verifies `hp1` offline. With no trust list on the device every certificate is `unknown_kid`
// (and `lists` is null, so the page can say that the lists are missing). Never throws.
// performance.measure('hp1-verify') times it, lists read from IndexedDB included.
export async function verifyOffline(hp1: string, now: Date = new Date(), limits?: Partial<Limits>): Promise<VerifyResult> {
  performance.mark('hp1-verify-start');
  try {
    const cached = await cachedLists();
    const revoked = new Set(cached.revocations?.list.revoked ?? []);
    const out = verifyHp1(hp1, { keys: cached.trust?.list.keys ?? [], revoked, now, limits });
    const c = out.certificate;
    const list = cached.revocations?.list;
    const warnings =
      c && out.status !== 'invalid' && list
        ? offlineZoneWarnings(list, revocationHash(c.id), c.species, c.origin, zoneDayOf(list, now))
        : [];
    return {
      valid: out.valid,
      status: out.status,
      reasons: out.reasons,
      warnings,
      certificate: out.certificate ? { ...out.certificate, ...(out.kid ? { kid: out.kid } : {}) } : null,
      check_code: out.certificate ? certificateCheckCode(hp1) : null,
      lists: listsInfo(cached),
    };
  } finally {
    performance.measure('hp1-verify', 'hp1-verify-start');
  }
}
