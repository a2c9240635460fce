// Placeholder until the in-browser HP1 verifier lands (docs/hp1-format.md).
export type VerifyStatus = 'valid' | 'invalid' | 'revoked' | 'expired' | 'consumed';

export interface VerifyResult {
  valid: boolean;
  status: VerifyStatus;
  reasons: { code: string; message: string }[];
  certificate: Record<string, unknown> | null;
  // How old the cached trust list and revocation list were (ISO times of their issue and fetch).
  lists: { trust_list_issued_at?: string; revocations_issued_at?: string; fetched_at?: string } | null;
}

export async function verifyOffline(_hp1: string, _now: Date = new Date()): Promise<VerifyResult> {
  return { valid: false, status: 'invalid', reasons: [{ code: 'not_implemented', message: 'not implemented' }], certificate: null, lists: null };
}
