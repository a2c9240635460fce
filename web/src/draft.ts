// The visit in progress on the vaccinator's screen (the owner chosen, the animals and ear tags
// typed, the form's fields), kept in IndexedDB as it changes, so that a tab the phone killed (the
// camera or a call opened) comes back where it was. One draft per user on the phone; it holds no
// vaccination once Save has stored it (the form's fields are empty again) and is gone after "Next
// owner" or Discard.
//
// The checks of a stored draft are pure (draft.test.ts); the store is a small port, IndexedDB in
// the app and a Map in the tests.
import { NO_PRODUCT, readProduct, type ProductFields } from './batch';
import { kvDelete, kvGet, kvSet } from './db';

export type DraftAnimal = { kind: 'tag'; tag: string; species: string } | { kind: 'flock'; species: string; head_count: number };

export interface DraftOwner {
  typed: string;
  name: string;
  village: string;
  id?: number;
  e164?: string;
  source: 'server' | 'local' | 'new';
}

export interface VisitDraft {
  version: 1;
  user: string; // the user's id: another user never sees this draft
  saved_at: string; // ISO time
  phone: string;
  ownerStage: 'ask' | 'new' | 'chosen';
  owner: DraftOwner | null;
  newName: string;
  newVillage: string;
  animals: DraftAnimal[];
  addMode: 'tag' | 'flock';
  tagSpecies: string;
  flockSpecies: string;
  tagText: string;
  headCount: string;
  disease: string;
  also: string[];
  product: ProductFields;
  date: string; // yyyy-mm-dd
  dateChanged: boolean; // the user set the date (else it is the day's own)
}

export function draftKey(userId: string): string {
  return `visit_draft:${userId}`;
}

// Nothing typed or chosen that a reload should bring back.
export function isBlank(d: Omit<VisitDraft, 'version' | 'user' | 'saved_at'>): boolean {
  return (
    !d.phone.trim() &&
    !d.owner &&
    !d.newName.trim() &&
    !d.newVillage.trim() &&
    d.animals.length === 0 &&
    !d.tagText.trim() &&
    !d.headCount.trim() &&
    !d.disease &&
    !d.product.vaccine &&
    !d.product.batch.trim() &&
    !d.product.dose.trim() &&
    !d.dateChanged
  );
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function readOwner(v: unknown): DraftOwner | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  if (typeof o.typed !== 'string' || typeof o.name !== 'string' || !['server', 'local', 'new'].includes(String(o.source))) return null;
  return {
    typed: o.typed,
    name: o.name,
    village: str(o.village),
    ...(typeof o.id === 'number' ? { id: o.id } : {}),
    ...(typeof o.e164 === 'string' ? { e164: o.e164 } : {}),
    source: o.source as DraftOwner['source'],
  };
}

function readAnimals(v: unknown): DraftAnimal[] {
  if (!Array.isArray(v)) return [];
  const out: DraftAnimal[] = [];
  for (const a of v) {
    if (!a || typeof a !== 'object' || typeof a.species !== 'string') continue;
    if (a.kind === 'tag' && typeof a.tag === 'string' && /^\d{15}$/.test(a.tag)) out.push({ kind: 'tag', tag: a.tag, species: a.species });
    else if (a.kind === 'flock' && Number.isInteger(a.head_count) && a.head_count > 0) out.push({ kind: 'flock', species: a.species, head_count: a.head_count });
  }
  return out;
}

// A stored draft checked for `userId` and today's date (yyyy-mm-dd), or null when there is none,
// it is another user's, or it is not a draft. A draft from an earlier day whose date the user did
// not set takes today's: the date of a vaccination is never yesterday's by accident.
export function readDraft(raw: unknown, userId: string, today: string): VisitDraft | null {
  if (!raw || typeof raw !== 'object') return null;
  const o = raw as Record<string, unknown>;
  if (o.version !== 1 || o.user !== userId) return null;
  const ownerStage = o.ownerStage === 'new' || o.ownerStage === 'chosen' ? o.ownerStage : 'ask';
  const owner = readOwner(o.owner);
  const dateChanged = o.dateChanged === true;
  const date = /^\d{4}-\d{2}-\d{2}$/.test(str(o.date)) && dateChanged ? str(o.date) : today;
  const d: VisitDraft = {
    version: 1,
    user: userId,
    saved_at: str(o.saved_at),
    phone: str(o.phone),
    ownerStage: ownerStage === 'chosen' && !owner ? 'ask' : ownerStage,
    owner: ownerStage === 'chosen' ? owner : null,
    newName: str(o.newName),
    newVillage: str(o.newVillage),
    animals: readAnimals(o.animals),
    addMode: o.addMode === 'flock' ? 'flock' : 'tag',
    tagSpecies: str(o.tagSpecies),
    flockSpecies: str(o.flockSpecies),
    tagText: str(o.tagText),
    headCount: str(o.headCount),
    disease: str(o.disease),
    also: Array.isArray(o.also) ? o.also.filter((x): x is string => typeof x === 'string') : [],
    product: o.product ? readProduct(o.product) : { ...NO_PRODUCT },
    date,
    dateChanged,
  };
  return isBlank(d) ? null : d;
}

export interface DraftPort {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}

export const idbDrafts: DraftPort = { get: kvGet, set: kvSet, delete: kvDelete };

// Writes one user's draft, one write at a time and in order, so the last state is what stays.
// A blank draft removes the stored one.
export class DraftKeeper {
  private queue: Promise<void> = Promise.resolve();
  constructor(
    private readonly userId: string,
    private readonly port: DraftPort = idbDrafts,
  ) {}

  async load(today: string): Promise<VisitDraft | null> {
    return readDraft(await this.port.get(draftKey(this.userId)), this.userId, today);
  }

  // The stored form of `state`: its key, and the draft or undefined (remove it) when blank. For a
  // caller that writes it in a transaction of its own (Save, with the records), after idle().
  entry(state: Omit<VisitDraft, 'version' | 'user' | 'saved_at'>, now = new Date()): { key: string; value: VisitDraft | undefined } {
    const value: VisitDraft | undefined = isBlank(state)
      ? undefined
      : { version: 1, user: this.userId, saved_at: now.toISOString(), ...structuredClone(state) };
    return { key: draftKey(this.userId), value };
  }

  // Resolves when the writes asked for so far are done.
  idle(): Promise<void> {
    return this.queue;
  }

  save(state: Omit<VisitDraft, 'version' | 'user' | 'saved_at'>, now = new Date()): Promise<void> {
    const { key, value } = this.entry(state, now);
    this.queue = this.queue
      .then(() => (value ? this.port.set(key, value) : this.port.delete(key)))
      .catch(() => {}); // storage refused: the screen goes on, only the reload safety is lost
    return this.queue;
  }

  clear(): Promise<void> {
    const key = draftKey(this.userId);
    this.queue = this.queue.then(() => this.port.delete(key)).catch(() => {});
    return this.queue;
  }
}
