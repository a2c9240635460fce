// GET /catalogue as the phone keeps it: the phone's copy (IndexedDB key-value `catalogue`) at once,
// then the server's, kept for next time and for when there is no network. One cache for every
// screen that reads the catalogue (the vaccinator's species, diseases and vaccines; the inspector's
// movement rules).
import type { Catalogue } from './wire';

export interface CataloguePorts {
  getJson<T>(path: string): Promise<T>;
  kv: { get<T>(key: string): Promise<T | undefined>; set(key: string, value: unknown): Promise<void> };
}

export const CATALOGUE_KEY = 'catalogue';

// Calls `shown` with the phone's copy when there is one, then asks the server. Resolves the
// server's answer (kept), or, when the server did not answer, the phone's copy (null if none) and
// the error.
export async function loadCatalogue(
  ports: CataloguePorts,
  shown: (cached: Catalogue) => void,
): Promise<{ catalogue: Catalogue | null; error: unknown }> {
  // A store the phone cannot read is as no copy.
  const cached = (await ports.kv.get<Catalogue>(CATALOGUE_KEY).catch(() => undefined)) ?? null;
  if (cached) shown(cached);
  try {
    const fresh = await ports.getJson<Catalogue>('/catalogue');
    // A copy the phone could not keep costs only the next offline start, not this answer.
    await ports.kv.set(CATALOGUE_KEY, fresh).catch(() => {});
    return { catalogue: fresh, error: null };
  } catch (error) {
    return { catalogue: cached, error };
  }
}
