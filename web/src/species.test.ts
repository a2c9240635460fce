import { describe, expect, it } from 'vitest';
import { LAST_TAG_SPECIES, pickSpecies, rememberSpecies } from './species';

class Store {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
}

describe('species of new animals', () => {
  it('is the one last used while it is offered', () => {
    const s = new Store();
    rememberSpecies(s, LAST_TAG_SPECIES, 'sheep');
    expect(pickSpecies(['cattle', 'sheep', 'goat'], s.getItem(LAST_TAG_SPECIES))).toBe('sheep');
  });
  it('is the first offered when none was used, or the one used is no longer offered', () => {
    expect(pickSpecies(['cattle', 'sheep'], null)).toBe('cattle');
    expect(pickSpecies(['cattle', 'sheep'], 'yak')).toBe('cattle');
    expect(pickSpecies([], 'yak')).toBe('');
  });
  it('remembers nothing for an empty choice and survives a storage that refuses', () => {
    const s = new Store();
    rememberSpecies(s, LAST_TAG_SPECIES, '');
    expect(s.getItem(LAST_TAG_SPECIES)).toBeNull();
    const refusing = { getItem: () => null, setItem: () => { throw new Error('quota'); } };
    expect(() => rememberSpecies(refusing, LAST_TAG_SPECIES, 'goat')).not.toThrow();
  });
});
