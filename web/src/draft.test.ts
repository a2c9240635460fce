// The visit draft: read back only for its user, checked field by field, blank drafts removed,
// writes kept in order.
import { describe, expect, it } from 'vitest';
import { NO_PRODUCT } from './batch';
import { DraftKeeper, draftKey, isBlank, readDraft, type DraftPort, type VisitDraft } from './draft';

type State = Omit<VisitDraft, 'version' | 'user' | 'saved_at'>;

function blank(): State {
  return {
    phone: '',
    ownerStage: 'ask',
    owner: null,
    newName: '',
    newVillage: '',
    animals: [],
    addMode: 'tag',
    tagSpecies: 'cattle',
    flockSpecies: 'cattle',
    tagText: '',
    headCount: '',
    disease: '',
    also: [],
    product: { ...NO_PRODUCT },
    date: '2026-12-06',
    dateChanged: false,
  };
}

function visit(): State {
  return {
    ...blank(),
    phone: '+7 701 555 12 34',
    ownerStage: 'chosen',
    owner: { typed: '+7 701 555 12 34', name: 'Aigerim', village: 'Karaul', source: 'new' },
    animals: [
      { kind: 'tag', tag: '398000000000001', species: 'sheep' },
      { kind: 'flock', species: 'goat', head_count: 40 },
    ],
    tagText: '398 0000 0000',
    disease: 'PPR',
    product: { ...NO_PRODUCT, vaccine: 'PPR-LIVE', batch: 'P-1', batchFor: 'PPR-LIVE' },
  };
}

class MapPort implements DraftPort {
  readonly map = new Map<string, unknown>();
  readonly log: string[] = [];
  async get(key: string) {
    return structuredClone(this.map.get(key));
  }
  async set(key: string, value: unknown) {
    await new Promise((r) => setTimeout(r, Math.random() * 5));
    this.log.push(`set ${key}`);
    this.map.set(key, structuredClone(value));
  }
  async delete(key: string) {
    this.log.push(`delete ${key}`);
    this.map.delete(key);
  }
}

describe('visit draft', () => {
  it('a blank screen is no draft; anything typed is', () => {
    expect(isBlank(blank())).toBe(true);
    expect(isBlank({ ...blank(), tagText: '398' })).toBe(false);
    expect(isBlank({ ...blank(), phone: '+7 701' })).toBe(false);
    expect(isBlank({ ...blank(), dateChanged: true })).toBe(false);
    expect(isBlank(visit())).toBe(false);
  });

  it('comes back whole for its user', async () => {
    const port = new MapPort();
    const keeper = new DraftKeeper('u1', port);
    await keeper.save(visit());
    const back = await keeper.load('2026-12-06');
    expect(back).toMatchObject({ version: 1, user: 'u1', ...visit() });
  });

  it('another user never gets it', async () => {
    const port = new MapPort();
    await new DraftKeeper('u1', port).save(visit());
    expect(await new DraftKeeper('u2', port).load('2026-12-06')).toBeNull();
    // Even copied under the other user's key, it names its user.
    port.map.set(draftKey('u2'), port.map.get(draftKey('u1')));
    expect(await new DraftKeeper('u2', port).load('2026-12-06')).toBeNull();
  });

  it('the last write stays, and a blank state removes the draft', async () => {
    const port = new MapPort();
    const keeper = new DraftKeeper('u1', port);
    void keeper.save({ ...visit(), tagText: '1' });
    void keeper.save({ ...visit(), tagText: '12' });
    await keeper.save({ ...visit(), tagText: '123' });
    expect((await keeper.load('2026-12-06'))?.tagText).toBe('123');
    await keeper.save(blank());
    expect(port.map.has(draftKey('u1'))).toBe(false);
    await keeper.save(visit());
    await keeper.clear();
    expect(await keeper.load('2026-12-06')).toBeNull();
  });

  it('entry() gives what Save writes with the records: the draft, or undefined for a blank one; idle() waits for queued writes', async () => {
    const port = new MapPort();
    const keeper = new DraftKeeper('u1', port);
    void keeper.save({ ...visit(), tagText: 'queued' });
    await keeper.idle();
    expect((port.map.get(draftKey('u1')) as VisitDraft).tagText).toBe('queued');
    const e = keeper.entry({ ...visit(), disease: '', product: { ...NO_PRODUCT } });
    expect(e.key).toBe(draftKey('u1'));
    expect(e.value).toMatchObject({ version: 1, user: 'u1', disease: '', product: NO_PRODUCT });
    expect(keeper.entry(blank())).toEqual({ key: draftKey('u1'), value: undefined });
  });

  it('a date the user did not set becomes today the next day; one they set stays', () => {
    const stored = { version: 1, user: 'u1', saved_at: '2026-12-05T10:00:00Z', ...visit(), date: '2026-12-05' };
    expect(readDraft(stored, 'u1', '2026-12-06')?.date).toBe('2026-12-06');
    expect(readDraft({ ...stored, dateChanged: true }, 'u1', '2026-12-06')?.date).toBe('2026-12-05');
  });

  it('what is not a draft, or is broken, gives nothing wrong', () => {
    expect(readDraft(null, 'u1', '2026-12-06')).toBeNull();
    expect(readDraft('x', 'u1', '2026-12-06')).toBeNull();
    expect(readDraft({ version: 2, user: 'u1', phone: '1' }, 'u1', '2026-12-06')).toBeNull();
    const bad = readDraft(
      {
        version: 1,
        user: 'u1',
        phone: '+7',
        ownerStage: 'chosen',
        owner: { name: 'no typed number' },
        animals: [{ kind: 'tag', tag: '12', species: 'sheep' }, { kind: 'flock', species: 'goat', head_count: -3 }, 'x'],
        product: 'nonsense',
      },
      'u1',
      '2026-12-06',
    );
    expect(bad).toMatchObject({ phone: '+7', ownerStage: 'ask', owner: null, animals: [], product: NO_PRODUCT });
  });
});
