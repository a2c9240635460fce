// The species new animals are added as: the one last used on this phone (a vaccinator working
// through a district of sheep farmers should not turn every new tag from cattle to sheep), while
// the catalogue still offers it; else the catalogue's first.
export const LAST_TAG_SPECIES = 'hp.species.tag';
export const LAST_FLOCK_SPECIES = 'hp.species.flock';

export function pickSpecies(offered: string[], remembered: string | null | undefined): string {
  if (remembered && offered.includes(remembered)) return remembered;
  return offered[0] ?? '';
}

export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function rememberSpecies(store: KeyValue, key: string, code: string): void {
  if (!code) return;
  try {
    store.setItem(key, code);
  } catch {
    // storage refused (private mode, full): only the default is lost
  }
}
