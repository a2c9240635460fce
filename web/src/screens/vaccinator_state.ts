// What the vaccinator's screen (W1) knows and decides, without a browser: the owner found or made,
// the animals added, the vaccination form and its checks, the records Save makes and the outbox
// shown. Its dependencies come in as ports (the API, the phone's stores, the outbox, the draft,
// the clock, the id maker), so vaccinator_state.test.ts runs it in node with fakes; vaccinator.ts
// binds the ports to fetch and IndexedDB and only renders and wires events.
//
// Messages are translation keys (`vaccinator:…`), turned into words by the view.
import { ApiError, OfflineError, TimeoutError } from '../api';
import { afterSave, batchProblem, chooseProduct, NO_PRODUCT, offerBatch, type ProductFields } from '../batch';
import { loadCatalogue, type CataloguePorts } from '../catalogue';
import type { OutboxRecord } from '../db';
import type { DraftAnimal, DraftOwner, VisitDraft } from '../draft';
import { pickSpecies } from '../species';
import { phoneKey, type SyncState } from '../sync';
import { normaliseTag } from '../tag_life';
import type { Catalogue, CatalogueDisease, CatalogueVaccine, OwnerJson } from '../wire';
import type { Message } from './message';

// `typed`: the number as entered, sent with the records (the server normalises it).
export type Owner = DraftOwner;
export type Animal = DraftAnimal;

// One record goes per (disease, group): the tagged animals of one species, or one flock.
export interface Group {
  species: string;
  animal_tags?: string[];
  head_count?: number;
}

export type DraftState = Omit<VisitDraft, 'version' | 'user' | 'saved_at'>;

export interface VaccinatorPorts extends CataloguePorts {
  // The owners this phone knows (IndexedDB `owners`).
  owners: { all(): Promise<Record<string, unknown>[]>; put(owner: Record<string, unknown>): Promise<void> };
  // W10: the owner of a number in this user's field copy (fieldcopy.ts ownerFromCopy), when the
  // phone has not met them itself; in the shape `owners` keeps.
  copyOwner?(typed: string): Promise<Record<string, unknown> | null>;
  outbox: {
    list(): Promise<OutboxRecord[]>;
    // The records and the other key-value entries, in one transaction.
    add(records: Record<string, unknown>[], kv: { key: string; value: unknown }[]): Promise<void>;
    deviceId(): Promise<string>;
    sync(manual: boolean): Promise<unknown>;
    resend(id: string): Promise<void>;
    discard(id: string): Promise<void>;
    exportUnsent(): Promise<{ text: string; count: number }>;
    importUnsent(text: string): Promise<{ added: number; skipped: number }>;
  };
  drafts: {
    load(today: string): Promise<VisitDraft | null>;
    save(state: DraftState): Promise<void>;
    clear(): Promise<void>;
    idle(): Promise<void>;
    entry(state: DraftState): { key: string; value: VisitDraft | undefined };
  };
  // The species last chosen on this phone (localStorage), for the tag and the flock form.
  rememberedSpecies(): { tag: string | null; flock: string | null };
  now(): Date;
  newId(): string;
}

export function localDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export { normaliseTag };

export function groupsOf(animals: Animal[]): Group[] {
  const tagged = new Map<string, string[]>();
  const groups: Group[] = [];
  for (const a of animals) {
    if (a.kind === 'tag') {
      if (!tagged.has(a.species)) tagged.set(a.species, []);
      tagged.get(a.species)!.push(a.tag);
    } else {
      groups.push({ species: a.species, head_count: a.head_count });
    }
  }
  return [...[...tagged].map(([species, animal_tags]) => ({ species, animal_tags })), ...groups];
}

export class VaccinatorState {
  // Called after every change the screen shows.
  onChange: () => void = () => {};
  private closed = false;

  catalogue: Catalogue | null = null;
  catalogueError: unknown = null;

  // Owner
  phone = '';
  owner: Owner | null = null;
  ownerStage: 'ask' | 'new' | 'chosen' = 'ask';
  ownerBusy = false;
  ownerError: unknown = null;
  ownerOffline: false | 'offline' | 'timeout' = false;
  newName = '';
  newVillage = '';
  ownerFieldError = '';

  // Animals
  animals: Animal[] = [];
  addMode: 'tag' | 'flock' = 'tag';
  tagSpecies = '';
  flockSpecies = '';
  tagText = '';
  headCount = '';
  animalError = '';

  // Vaccination: the product, its batch and dose together (batch.ts)
  disease = '';
  product: ProductFields = { ...NO_PRODUCT };
  readonly also = new Set<string>();
  date: string;
  dateChanged = false;
  formError = '';
  saved: { count: number } | null = null;
  saving = false;

  // Location
  gps: { lat: number; lon: number; accuracy: number } | null = null;
  gpsState: 'waiting' | 'ok' | 'none' = 'waiting';

  // Outbox
  outbox: OutboxRecord[] = [];
  sync: SyncState;
  fileNotice: Message | null = null;
  fileError = '';
  confirmDiscard = '';

  // The visit in progress, kept on the phone (draft.ts). Nothing is written until the stored draft
  // has been read back, so the empty first screen never overwrites it.
  private draftReady = false;
  restored = false;

  constructor(
    private readonly ports: VaccinatorPorts,
    sync: SyncState,
  ) {
    this.sync = sync;
    this.date = this.today();
  }

  close(): void {
    this.closed = true;
  }

  private changed(): void {
    if (!this.closed) this.onChange();
  }

  today(): string {
    return localDate(this.ports.now());
  }

  tomorrow(): string {
    return localDate(new Date(this.ports.now().getTime() + 86_400_000));
  }

  draftState(): DraftState {
    return {
      phone: this.phone,
      ownerStage: this.ownerStage,
      owner: this.owner,
      newName: this.newName,
      newVillage: this.newVillage,
      animals: this.animals,
      addMode: this.addMode,
      tagSpecies: this.tagSpecies,
      flockSpecies: this.flockSpecies,
      tagText: this.tagText,
      headCount: this.headCount,
      disease: this.disease,
      also: [...this.also],
      product: this.product,
      date: this.date,
      dateChanged: this.dateChanged,
    };
  }

  // Not while Save stores the records: it writes the draft itself, with them.
  persist(): void {
    if (this.draftReady && !this.closed && !this.saving) void this.ports.drafts.save(this.draftState());
  }

  // `first`: the first time the screen opens after the page loaded; only then is a draft news to
  // the user. False when the screen closed before the draft was read.
  async restoreDraft(first: boolean): Promise<boolean> {
    const d = await this.ports.drafts.load(this.today());
    if (this.closed) return false;
    if (d) {
      this.phone = d.phone;
      this.ownerStage = d.ownerStage;
      this.owner = d.owner;
      this.newName = d.newName;
      this.newVillage = d.newVillage;
      this.animals = d.animals;
      this.addMode = d.addMode;
      this.tagSpecies = d.tagSpecies || this.tagSpecies;
      this.flockSpecies = d.flockSpecies || this.flockSpecies;
      this.tagText = d.tagText;
      this.headCount = d.headCount;
      this.disease = d.disease;
      this.also.clear();
      for (const c of d.also) this.also.add(c);
      this.product = d.product;
      this.date = d.date;
      this.dateChanged = d.dateChanged;
      this.restored = first;
    }
    this.draftReady = true;
    this.changed();
    return true;
  }

  discardDraft(): void {
    this.restored = false;
    this.nextVisit();
    this.addMode = 'tag';
    this.tagText = '';
    this.headCount = '';
    this.date = this.today();
    this.dateChanged = false;
    this.formError = '';
    this.changed();
    void this.ports.drafts.clear();
  }

  // --- data ---

  // The phone's copy at once, then the server's; the server's is kept for next time (catalogue.ts).
  async loadCatalogue(): Promise<void> {
    const { catalogue, error } = await loadCatalogue(this.ports, (cached) => {
      this.catalogue = cached;
      this.changed();
    });
    this.catalogue = catalogue;
    this.catalogueError = catalogue ? null : error;
    const all = this.catalogue?.species ?? [];
    const remembered = this.ports.rememberedSpecies();
    this.tagSpecies ||= pickSpecies(all.filter((s) => !s.flock_only).map((s) => s.code), remembered.tag);
    this.flockSpecies ||= pickSpecies(all.map((s) => s.code), remembered.flock);
    this.changed();
  }

  retryCatalogue(): void {
    this.catalogueError = null;
    this.changed();
    void this.loadCatalogue();
  }

  async loadOutbox(): Promise<void> {
    this.outbox = await this.ports.outbox.list();
    this.changed();
  }

  // At start: the outbox, and a sync when records wait and there is a network.
  async startOutbox(online: () => boolean): Promise<void> {
    await this.loadOutbox();
    if (!this.closed && online() && this.outbox.some((r) => r.state === 'pending')) void this.ports.outbox.sync(false);
  }

  setSync(s: SyncState): void {
    this.sync = s;
    this.changed();
  }

  // --- owner ---

  private async findLocalOwner(typed: string): Promise<Record<string, unknown> | undefined> {
    const key = phoneKey(typed);
    const owners = await this.ports.owners.all();
    const exact = owners.find((o) => o.phone === key || (o.e164 && o.e164 === key));
    if (exact) return exact;
    // "8 701 555 12 34" and "+7 701 555 12 34" are the same number: compare the subscriber's digits.
    const tail = key.replace(/\D/g, '').slice(-9);
    if (tail.length < 9) return undefined;
    const met = owners.find((o) => [o.phone, o.e164].some((p) => typeof p === 'string' && p.replace(/\D/g, '').endsWith(tail)));
    return met ?? (await this.ports.copyOwner?.(typed).catch(() => null)) ?? undefined;
  }

  async findOwner(): Promise<void> {
    this.ownerError = null;
    this.ownerFieldError = '';
    const typed = this.phone.trim();
    if (phoneKey(typed).replace('+', '').length < 5) {
      this.ownerFieldError = 'vaccinator:owner.phone_required';
      this.changed();
      return;
    }
    this.ownerBusy = true;
    this.ownerOffline = false;
    this.changed();
    try {
      const o = await this.ports.getJson<OwnerJson>(`/owners?phone=${encodeURIComponent(typed)}`);
      this.owner = { typed, name: o.name, village: o.village ?? '', id: o.id, e164: o.phone, source: 'server' };
      this.ownerStage = 'chosen';
      // Kept on the phone, so this owner is found again with no network.
      await this.ports.owners.put({ phone: phoneKey(o.phone), typed, e164: o.phone, id: o.id, name: o.name, village: o.village ?? '' });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        this.ownerStage = 'new';
      } else if (err instanceof OfflineError) {
        // No network, or a server that does not answer in time: what this phone knows.
        const local = await this.findLocalOwner(typed);
        if (local) {
          this.owner = {
            typed: String(local.typed ?? local.e164 ?? local.phone),
            name: String(local.name ?? ''),
            village: String(local.village ?? ''),
            id: typeof local.id === 'number' ? local.id : undefined,
            e164: typeof local.e164 === 'string' ? local.e164 : undefined,
            source: 'local',
          };
          this.ownerStage = 'chosen';
        } else {
          this.ownerOffline = err instanceof TimeoutError ? 'timeout' : 'offline';
          this.ownerStage = 'new';
        }
      } else {
        this.ownerError = err;
      }
    }
    this.ownerBusy = false;
    this.changed();
  }

  // The phone number typed: a "not found" answer no longer applies to it.
  typePhone(text: string): void {
    this.phone = text;
    if (this.ownerStage === 'new') {
      this.ownerStage = 'ask';
      this.changed();
    } else this.persist();
  }

  async createOwner(): Promise<void> {
    this.ownerFieldError = '';
    if (!this.newName.trim()) {
      this.ownerFieldError = 'vaccinator:owner.name_required';
      this.changed();
      return;
    }
    const typed = this.phone.trim();
    const owner: Owner = { typed, name: this.newName.trim(), village: this.newVillage.trim(), source: 'new' };
    this.owner = owner;
    this.ownerStage = 'chosen';
    // The batch creates the owner from the record's phone and name; a village needs POST /owners,
    // which sync makes before the owner's first batch (`register`).
    await this.ports.owners.put({
      phone: phoneKey(typed),
      typed,
      name: owner.name,
      village: owner.village,
      local: true,
      register: owner.village !== '',
    });
    this.changed();
  }

  changeOwner(): void {
    this.owner = null;
    this.ownerStage = 'ask';
    this.ownerOffline = false;
    this.newName = '';
    this.newVillage = '';
    this.saved = null;
    this.changed();
  }

  nextVisit(): void {
    this.changeOwner();
    this.phone = '';
    this.animals = [];
    this.disease = '';
    this.product = afterSave();
    this.also.clear();
    this.saved = null;
    this.restored = false;
    this.changed();
  }

  // --- animals ---

  setMode(mode: 'tag' | 'flock'): void {
    this.addMode = mode;
    this.changed();
  }

  addTag(text: string): void {
    this.animalError = '';
    const tag = normaliseTag(text);
    if (!tag) {
      this.animalError = 'vaccinator:animals.tag_invalid';
    } else if (this.animals.some((a) => a.kind === 'tag' && a.tag === tag)) {
      this.animalError = 'vaccinator:animals.tag_twice';
    } else if (this.tagSpecies) {
      this.animals = [...this.animals, { kind: 'tag', tag, species: this.tagSpecies }];
      this.tagText = '';
      this.saved = null;
    }
    this.changed();
  }

  startScan(): void {
    this.animalError = '';
  }

  // What the camera read (null: nothing).
  scanned(code: string | null): void {
    if (this.closed) return;
    if (code) {
      this.tagText = code;
      this.addTag(code);
    } else {
      this.animalError = 'vaccinator:animals.scan_none';
      this.changed();
    }
  }

  addFlock(): void {
    this.animalError = '';
    const n = Number(this.headCount);
    if (!Number.isInteger(n) || n < 1 || n > 1_000_000) {
      this.animalError = 'vaccinator:animals.count_invalid';
    } else if (this.flockSpecies) {
      // An owner has one flock per species: adding it again sets its head count.
      const species = this.flockSpecies;
      this.animals = [...this.animals.filter((a) => !(a.kind === 'flock' && a.species === species)), { kind: 'flock', species, head_count: n }];
      this.headCount = '';
      this.saved = null;
    }
    this.changed();
  }

  removeAnimal(i: number): void {
    this.animals = this.animals.filter((_, k) => k !== i);
    this.changed();
  }

  // --- vaccination ---

  groups(): Group[] {
    return groupsOf(this.animals);
  }

  diseaseByCode(code: string): CatalogueDisease | undefined {
    return this.catalogue?.diseases.find((d) => d.code === code);
  }

  diseasesForAnimals(): CatalogueDisease[] {
    const species = new Set(this.animals.map((a) => a.species));
    return (this.catalogue?.diseases ?? []).filter((d) => d.species.some((s) => species.has(s)));
  }

  vaccinesFor(code: string): CatalogueVaccine[] {
    return (this.catalogue?.vaccines ?? []).filter((v) => v.diseases.includes(code));
  }

  // The groups the chosen disease applies to.
  applies(): Group[] {
    const d = this.disease ? this.diseaseByCode(this.disease) : undefined;
    return this.disease ? this.groups().filter((g) => d?.species.includes(g.species)) : [];
  }

  // Other diseases the chosen vaccine protects against that apply to these animals (FMD O+A).
  alsoDiseases(): CatalogueDisease[] {
    const v = this.catalogue?.vaccines.find((x) => x.code === this.product.vaccine);
    if (!v) return [];
    const offered = new Set(this.diseasesForAnimals().map((d) => d.code));
    return v.diseases
      .filter((c) => c !== this.disease && offered.has(c))
      .map((c) => this.diseaseByCode(c)!)
      .filter(Boolean);
  }

  chosenDiseases(): string[] {
    return this.disease ? [this.disease, ...this.alsoDiseases().map((d) => d.code).filter((c) => this.also.has(c))] : [];
  }

  plannedRecords(): { disease: string; group: Group }[] {
    const out: { disease: string; group: Group }[] = [];
    for (const code of this.chosenDiseases()) {
      const d = this.diseaseByCode(code);
      if (!d) continue;
      for (const g of this.groups()) if (d.species.includes(g.species)) out.push({ disease: code, group: g });
    }
    return out;
  }

  async chooseDisease(code: string): Promise<void> {
    this.disease = code;
    const list = this.vaccinesFor(code);
    const only = list.length === 1 ? list[0].code : '';
    // A product chosen for another disease that does not protect against this one goes.
    if (only) await this.chooseVaccine(only);
    else if (!list.some((v) => v.code === this.product.vaccine)) await this.chooseVaccine('');
    else await this.chooseVaccine(this.product.vaccine);
    this.changed();
  }

  async chooseVaccine(code: string): Promise<void> {
    this.product = chooseProduct(this.product, code);
    this.also.clear();
    for (const d of this.alsoDiseases()) this.also.add(d.code);
    this.changed();
    // The batch number last used with this product on this phone (the same vial box, most days):
    // offered, never filled in.
    const last = code ? await this.ports.kv.get<string>(`batch_no:${code}`) : undefined;
    this.product = offerBatch(this.product, code, last);
    this.changed();
  }

  setAlso(code: string, on: boolean): void {
    if (on) this.also.add(code);
    else this.also.delete(code);
    this.changed();
  }

  setDate(value: string): void {
    this.date = value;
    this.dateChanged = true;
    this.persist();
  }

  // The first reason the form cannot be saved, as a message key; '' when it can.
  problem(): string {
    const p = this.product;
    if (!this.owner) return 'vaccinator:vacc.need_owner';
    if (this.animals.length === 0) return 'vaccinator:vacc.need_animals';
    if (!this.disease) return 'vaccinator:vacc.pick_disease';
    if (!p.vaccine) return 'vaccinator:vacc.pick_vaccine';
    const batch = batchProblem(p);
    if (batch) return `vaccinator:vacc.${batch}`;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(this.date) || this.date > this.tomorrow()) return 'vaccinator:vacc.date_invalid';
    if (p.dose.trim() && !(Number(p.dose) > 0 && Number(p.dose) <= 1000)) return 'vaccinator:vacc.dose_invalid';
    if (this.plannedRecords().length === 0) return 'vaccinator:vacc.need_animals';
    return '';
  }

  // Save: the records go to the outbox with ids made here, and the form is ready for the next
  // disease for the same owner and animals.
  async save(): Promise<void> {
    this.formError = '';
    this.saved = null;
    const planned = this.plannedRecords();
    this.formError = this.problem();
    const owner = this.owner;
    if (this.formError || !owner) {
      this.changed();
      return;
    }
    this.saving = true;
    this.changed();
    const { vaccine, batch: batchNo, dose } = this.product;
    const device = await this.ports.outbox.deviceId();
    const gps = this.gps;
    const records = planned.map(({ disease: code, group }) => ({
      id: this.ports.newId(),
      owner_phone: owner.e164 ?? owner.typed,
      owner_name: owner.name,
      species: group.species,
      ...(group.animal_tags ? { animal_tags: group.animal_tags } : { head_count: group.head_count }),
      disease: code,
      vaccine,
      batch_no: batchNo.trim(),
      ...(dose.trim() ? { dose_ml: Number(dose) } : {}),
      administered_on: this.date,
      ...(gps ? { lat: Math.round(gps.lat * 1e6) / 1e6, lon: Math.round(gps.lon * 1e6) / 1e6 } : {}),
      device_id: device,
    }));
    // Ready for the next disease for the same owner and animals: no product, batch or dose. The
    // records and the draft without them are stored in one transaction, so a reload at any moment
    // brings back either the filled form and no records, or the records and an empty form: never
    // both, which would let the same vaccination be saved twice.
    this.disease = '';
    this.product = afterSave();
    this.also.clear();
    this.restored = false;
    await this.ports.drafts.idle();
    await this.ports.outbox.add(records, [this.ports.drafts.entry(this.draftState()), { key: `batch_no:${vaccine}`, value: batchNo.trim() }]);
    this.saving = false;
    this.saved = { count: records.length };
    await this.loadOutbox();
  }

  // --- outbox ---

  async syncNow(): Promise<void> {
    await this.ports.outbox.sync(true);
    await this.loadOutbox();
  }

  // The unsent records as a file's text, or null when there are none (then a notice says so).
  async exportUnsent(): Promise<string | null> {
    this.fileNotice = null;
    this.fileError = '';
    const { text, count } = await this.ports.outbox.exportUnsent();
    if (count === 0) {
      this.fileNotice = { key: 'vaccinator:file.nothing' };
      this.changed();
      return null;
    }
    this.fileNotice = { key: 'vaccinator:file.exported', values: { count } };
    return text;
  }

  exported(): void {
    this.changed();
  }

  startImport(): void {
    this.fileNotice = null;
    this.fileError = '';
  }

  // `read`: the file's text.
  async importUnsent(read: () => Promise<string>): Promise<void> {
    try {
      const r = await this.ports.outbox.importUnsent(await read());
      this.fileNotice = { key: 'vaccinator:file.imported', values: { added: r.added, skipped: r.skipped } };
    } catch {
      this.fileError = 'vaccinator:file.bad';
    }
    await this.loadOutbox();
  }

  // A rejected record goes only when Discard is pressed twice.
  async discard(id: string): Promise<void> {
    if (this.confirmDiscard !== id) {
      this.confirmDiscard = id;
      this.changed();
      return;
    }
    this.confirmDiscard = '';
    await this.ports.outbox.discard(id);
    await this.loadOutbox();
  }

  async resend(id: string): Promise<void> {
    await this.ports.outbox.resend(id);
    await this.loadOutbox();
  }
}
