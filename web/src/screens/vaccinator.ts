// W1, the vaccinator's screen: find or register the owner by phone, add animals (ear tags typed or
// scanned, or a flock by head count), record a vaccination for all of them at once, and see what
// waits on the phone to be sent. Everything works with no network: a record is saved in the outbox
// (sync.ts) the moment it is made, with an id made here (UUIDv7), and sent when the network is back.
// The batch and dose belong to the product chosen (batch.ts); the visit in progress is kept on the
// phone as it changes and comes back after a reload (draft.ts).
import { live } from 'lit-html/directives/live.js';
import { api, ApiError, OfflineError, TimeoutError } from '../api';
import { session } from '../auth';
import {
  NO_PRODUCT,
  afterSave,
  batchProblem,
  chooseProduct,
  offerBatch,
  showSuggestion,
  takeSuggestion,
  typeBatch,
  typeDose,
  type ProductFields,
} from '../batch';
import { db, kvGet, kvSet, type OutboxRecord } from '../db';
import { DraftKeeper, type DraftAnimal, type DraftOwner, type VisitDraft } from '../draft';
import { formatDate, formatDateTime, formatNumber, t } from '../i18n';
import { scanCode } from '../scan';
import {
  addRecords,
  deviceId,
  discard,
  exportUnsent,
  importUnsent,
  listOutbox,
  phoneKey,
  resend,
  syncNow,
  syncState,
  type SyncState,
} from '../sync';
import { diseaseName, speciesName } from '../labels';
import { LAST_FLOCK_SPECIES, LAST_TAG_SPECIES, pickSpecies, rememberSpecies } from '../species';
import { downloadText, errorBox, errorText, exportFileName, html, nothing, render, tParts, type Mount, type TemplateResult } from '../ui';
import { uuidv7 } from '../uuid';
import type { Catalogue, CatalogueDisease as Disease, CatalogueSpecies as Species, CatalogueVaccine as Vaccine, OwnerJson } from '../wire';
import './vaccinator.css';

// `typed`: the number as entered, sent with the records (the server normalises it).
type Owner = DraftOwner;

type Animal = DraftAnimal;

// One record goes per (disease, group): the tagged animals of one species, or one flock.
interface Group {
  species: string;
  animal_tags?: string[];
  head_count?: number;
}

const OUTBOX_SHOWN = 200;

// The server's reason for refusing a record, in the user's words; its own text follows underneath.
function reasonHeadline(code: string | undefined): string {
  switch (code) {
    case 'invalid-argument':
      return t('error.invalid');
    case 'failed-precondition':
      return t('error.unprocessable');
    case 'already-exists':
      return t('error.conflict');
    case 'permission-denied':
      return t('error.forbidden');
    case 'not-found':
      return t('error.not_found');
    default:
      return t('error.unknown');
  }
}

function localDate(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// An ear tag as the server stores it: its 15 digits (spaces, '-' and '.' between groups allowed).
export function normaliseTag(text: string): string | null {
  if (!/^[\d\s.-]+$/.test(text.trim())) return null;
  const digits = text.replace(/\D/g, '');
  return digits.length === 15 ? digits : null;
}

function groupsOf(animals: Animal[]): Group[] {
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

async function findLocalOwner(typed: string): Promise<Record<string, unknown> | undefined> {
  const key = phoneKey(typed);
  const owners = await (await db()).getAll('owners');
  const exact = owners.find((o) => o.phone === key || (o.e164 && o.e164 === key));
  if (exact) return exact;
  // "8 701 555 12 34" and "+7 701 555 12 34" are the same number: compare the subscriber's digits.
  const tail = key.replace(/\D/g, '').slice(-9);
  if (tail.length < 9) return undefined;
  return owners.find((o) => [o.phone, o.e164].some((p) => typeof p === 'string' && p.replace(/\D/g, '').endsWith(tail)));
}

// The draft is read back whenever this screen opens (also after another tab or a language change);
// only the first time after the page loaded is it news to the user.
let firstMount = true;

export const mount: Mount = (root, ctx) => {
  let alive = true;
  let catalogue: Catalogue | null = null;
  let catalogueError: unknown = null;

  // Owner
  let phone = '';
  let owner: Owner | null = null;
  let ownerStage: 'ask' | 'new' | 'chosen' = 'ask';
  let ownerBusy = false;
  let ownerError: unknown = null;
  let ownerOffline: false | 'offline' | 'timeout' = false;
  let newName = '';
  let newVillage = '';
  let ownerFieldError = '';

  // Animals
  let animals: Animal[] = [];
  let addMode: 'tag' | 'flock' = 'tag';
  let tagSpecies = '';
  let flockSpecies = '';
  let tagText = '';
  let headCount = '';
  let animalError = '';

  // Vaccination: the product, its batch and dose together (batch.ts)
  let disease = '';
  let product: ProductFields = { ...NO_PRODUCT };
  const also = new Set<string>();
  let date = localDate();
  let dateChanged = false;
  let formError = '';
  let saved: { count: number } | null = null;
  let saving = false;

  // Location
  let gps: { lat: number; lon: number; accuracy: number } | null = null;
  let gpsState: 'waiting' | 'ok' | 'none' = 'waiting';

  // Outbox
  let outbox: OutboxRecord[] = [];
  let sync: SyncState = syncState();
  let fileNotice = '';
  let fileError = '';
  let confirmDiscard = '';

  // The visit in progress, kept on the phone (draft.ts). Nothing is written until the stored draft
  // has been read back, so the empty first screen never overwrites it.
  const user = session()?.user.id ?? '';
  const drafts = new DraftKeeper(user);
  let draftReady = false;
  let restored = false;

  const draftState = (): Omit<VisitDraft, 'version' | 'user' | 'saved_at'> => ({
    phone,
    ownerStage,
    owner,
    newName,
    newVillage,
    animals,
    addMode,
    tagSpecies,
    flockSpecies,
    tagText,
    headCount,
    disease,
    also: [...also],
    product,
    date,
    dateChanged,
  });

  // Not while Save stores the records: it writes the draft itself, with them.
  const persist = () => {
    if (draftReady && alive && !saving) void drafts.save(draftState());
  };

  const restoreDraft = async () => {
    const d = await drafts.load(localDate());
    if (!alive) return;
    if (d) {
      phone = d.phone;
      ownerStage = d.ownerStage;
      owner = d.owner;
      newName = d.newName;
      newVillage = d.newVillage;
      animals = d.animals;
      addMode = d.addMode;
      tagSpecies = d.tagSpecies || tagSpecies;
      flockSpecies = d.flockSpecies || flockSpecies;
      tagText = d.tagText;
      headCount = d.headCount;
      disease = d.disease;
      also.clear();
      for (const c of d.also) also.add(c);
      product = d.product;
      date = d.date;
      dateChanged = d.dateChanged;
      restored = firstMount;
    }
    firstMount = false;
    draftReady = true;
    draw();
  };

  const discardDraft = () => {
    restored = false;
    nextVisit();
    addMode = 'tag';
    tagText = '';
    headCount = '';
    date = localDate();
    dateChanged = false;
    formError = '';
    draw();
    void drafts.clear();
  };

  const draw = () => {
    if (!alive) return;
    render(view(), root);
    persist();
  };

  // --- data ---

  const loadCatalogue = async () => {
    const cached = await kvGet<Catalogue>('catalogue');
    if (cached) {
      catalogue = cached;
      draw();
    }
    try {
      const fresh = await api<Catalogue>('GET', '/catalogue');
      catalogue = fresh;
      catalogueError = null;
      await kvSet('catalogue', fresh);
    } catch (e) {
      if (!catalogue) catalogueError = e;
    }
    const all = catalogue?.species ?? [];
    tagSpecies ||= pickSpecies(all.filter((s) => !s.flock_only).map((s) => s.code), localStorage.getItem(LAST_TAG_SPECIES));
    flockSpecies ||= pickSpecies(all.map((s) => s.code), localStorage.getItem(LAST_FLOCK_SPECIES));
    draw();
  };

  const loadOutbox = async () => {
    outbox = await listOutbox();
    draw();
  };

  const locate = () => {
    if (!('geolocation' in navigator)) {
      gpsState = 'none';
      return;
    }
    gpsState = 'waiting';
    navigator.geolocation.getCurrentPosition(
      (p) => {
        gps = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy };
        gpsState = 'ok';
        draw();
      },
      () => {
        gpsState = gps ? 'ok' : 'none';
        draw();
      },
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 5 * 60_000 },
    );
  };

  // --- owner ---

  const findOwner = async (e?: Event) => {
    e?.preventDefault();
    ownerError = null;
    ownerFieldError = '';
    const typed = phone.trim();
    if (phoneKey(typed).replace('+', '').length < 5) {
      ownerFieldError = t('vaccinator:owner.phone_required');
      draw();
      return;
    }
    ownerBusy = true;
    ownerOffline = false;
    draw();
    try {
      const o = await api<OwnerJson>(
        'GET',
        `/owners?phone=${encodeURIComponent(typed)}`,
      );
      owner = { typed, name: o.name, village: o.village ?? '', id: o.id, e164: o.phone, source: 'server' };
      ownerStage = 'chosen';
      // Kept on the phone, so this owner is found again with no network.
      await (await db()).put('owners', { phone: phoneKey(o.phone), typed, e164: o.phone, id: o.id, name: o.name, village: o.village ?? '' });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        ownerStage = 'new';
      } else if (err instanceof OfflineError) {
        // No network, or a server that does not answer in time: what this phone knows.
        const local = await findLocalOwner(typed);
        if (local) {
          owner = {
            typed: String(local.typed ?? local.e164 ?? local.phone),
            name: String(local.name ?? ''),
            village: String(local.village ?? ''),
            id: typeof local.id === 'number' ? local.id : undefined,
            e164: typeof local.e164 === 'string' ? local.e164 : undefined,
            source: 'local',
          };
          ownerStage = 'chosen';
        } else {
          ownerOffline = err instanceof TimeoutError ? 'timeout' : 'offline';
          ownerStage = 'new';
        }
      } else {
        ownerError = err;
      }
    }
    ownerBusy = false;
    draw();
  };

  const createOwner = async (e: Event) => {
    e.preventDefault();
    ownerFieldError = '';
    if (!newName.trim()) {
      ownerFieldError = t('vaccinator:owner.name_required');
      draw();
      return;
    }
    const typed = phone.trim();
    owner = { typed, name: newName.trim(), village: newVillage.trim(), source: 'new' };
    ownerStage = 'chosen';
    // The batch creates the owner from the record's phone and name; a village needs POST /owners,
    // which sync makes before the owner's first batch (`register`).
    await (await db()).put('owners', {
      phone: phoneKey(typed),
      typed,
      name: owner.name,
      village: owner.village,
      local: true,
      register: owner.village !== '',
    });
    draw();
  };

  const changeOwner = () => {
    owner = null;
    ownerStage = 'ask';
    ownerOffline = false;
    newName = '';
    newVillage = '';
    saved = null;
    draw();
  };

  const nextVisit = () => {
    changeOwner();
    phone = '';
    animals = [];
    disease = '';
    product = afterSave();
    also.clear();
    saved = null;
    restored = false;
    draw();
  };

  // --- animals ---

  const addTag = (text: string) => {
    animalError = '';
    const tag = normaliseTag(text);
    if (!tag) {
      animalError = t('vaccinator:animals.tag_invalid');
    } else if (animals.some((a) => a.kind === 'tag' && a.tag === tag)) {
      animalError = t('vaccinator:animals.tag_twice');
    } else if (tagSpecies) {
      animals = [...animals, { kind: 'tag', tag, species: tagSpecies }];
      tagText = '';
      saved = null;
    }
    draw();
  };

  const scan = async () => {
    animalError = '';
    const code = await scanCode({ kind: 'tag' });
    if (!alive) return;
    if (code) {
      tagText = code;
      addTag(code);
    } else {
      animalError = t('vaccinator:animals.scan_none');
      draw();
    }
  };

  const addFlock = () => {
    animalError = '';
    const n = Number(headCount);
    if (!Number.isInteger(n) || n < 1 || n > 1_000_000) {
      animalError = t('vaccinator:animals.count_invalid');
    } else if (flockSpecies) {
      // An owner has one flock per species: adding it again sets its head count.
      animals = [...animals.filter((a) => !(a.kind === 'flock' && a.species === flockSpecies)), { kind: 'flock', species: flockSpecies, head_count: n }];
      headCount = '';
      saved = null;
    }
    draw();
  };

  const removeAnimal = (i: number) => {
    animals = animals.filter((_, k) => k !== i);
    draw();
  };

  // --- vaccination ---

  const groups = () => groupsOf(animals);
  const diseaseByCode = (code: string) => catalogue?.diseases.find((d) => d.code === code);
  const diseasesForAnimals = (): Disease[] => {
    const species = new Set(animals.map((a) => a.species));
    return (catalogue?.diseases ?? []).filter((d) => d.species.some((s) => species.has(s)));
  };
  const vaccinesFor = (code: string): Vaccine[] => (catalogue?.vaccines ?? []).filter((v) => v.diseases.includes(code));
  // Other diseases the chosen vaccine protects against that apply to these animals (FMD O+A).
  const alsoDiseases = (): Disease[] => {
    const v = catalogue?.vaccines.find((x) => x.code === product.vaccine);
    if (!v) return [];
    const offered = new Set(diseasesForAnimals().map((d) => d.code));
    return v.diseases.filter((c) => c !== disease && offered.has(c)).map((c) => diseaseByCode(c)!).filter(Boolean);
  };
  const chosenDiseases = (): string[] => (disease ? [disease, ...alsoDiseases().map((d) => d.code).filter((c) => also.has(c))] : []);
  const plannedRecords = (): { disease: string; group: Group }[] => {
    const out: { disease: string; group: Group }[] = [];
    for (const code of chosenDiseases()) {
      const d = diseaseByCode(code);
      if (!d) continue;
      for (const g of groups()) if (d.species.includes(g.species)) out.push({ disease: code, group: g });
    }
    return out;
  };

  const chooseDisease = async (code: string) => {
    disease = code;
    const list = vaccinesFor(code);
    const only = list.length === 1 ? list[0].code : '';
    // A product chosen for another disease that does not protect against this one goes.
    if (only) await chooseVaccine(only);
    else if (!list.some((v) => v.code === product.vaccine)) await chooseVaccine('');
    else await chooseVaccine(product.vaccine);
    draw();
  };

  const chooseVaccine = async (code: string) => {
    product = chooseProduct(product, code);
    also.clear();
    for (const d of alsoDiseases()) also.add(d.code);
    draw();
    // The batch number last used with this product on this phone (the same vial box, most days):
    // offered, never filled in.
    const last = code ? await kvGet<string>(`batch_no:${code}`) : undefined;
    product = offerBatch(product, code, last);
    draw();
  };

  const save = async (e: Event) => {
    e.preventDefault();
    formError = '';
    saved = null;
    const planned = plannedRecords();
    const tomorrow = localDate(new Date(Date.now() + 86_400_000));
    if (!owner) formError = t('vaccinator:vacc.need_owner');
    else if (animals.length === 0) formError = t('vaccinator:vacc.need_animals');
    else if (!disease) formError = t('vaccinator:vacc.pick_disease');
    else if (!product.vaccine) formError = t('vaccinator:vacc.pick_vaccine');
    else if (batchProblem(product)) formError = t(`vaccinator:vacc.${batchProblem(product)}`);
    else if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || date > tomorrow) formError = t('vaccinator:vacc.date_invalid');
    else if (product.dose.trim() && !(Number(product.dose) > 0 && Number(product.dose) <= 1000)) formError = t('vaccinator:vacc.dose_invalid');
    else if (planned.length === 0) formError = t('vaccinator:vacc.need_animals');
    if (formError || !owner) {
      draw();
      return;
    }
    saving = true;
    draw();
    const { vaccine, batch: batchNo, dose } = product;
    const device = await deviceId();
    const records = planned.map(({ disease: code, group }) => ({
      id: uuidv7(),
      owner_phone: owner!.e164 ?? owner!.typed,
      owner_name: owner!.name,
      species: group.species,
      ...(group.animal_tags ? { animal_tags: group.animal_tags } : { head_count: group.head_count }),
      disease: code,
      vaccine,
      batch_no: batchNo.trim(),
      ...(dose.trim() ? { dose_ml: Number(dose) } : {}),
      administered_on: date,
      ...(gps ? { lat: Math.round(gps.lat * 1e6) / 1e6, lon: Math.round(gps.lon * 1e6) / 1e6 } : {}),
      device_id: device,
    }));
    // Ready for the next disease for the same owner and animals: no product, batch or dose. The
    // records and the draft without them are stored in one transaction, so a reload at any moment
    // brings back either the filled form and no records, or the records and an empty form: never
    // both, which would let the same vaccination be saved twice.
    disease = '';
    product = afterSave();
    also.clear();
    restored = false;
    await drafts.idle();
    await addRecords(records, [drafts.entry(draftState()), { key: `batch_no:${vaccine}`, value: batchNo.trim() }]);
    saving = false;
    saved = { count: records.length };
    await loadOutbox();
  };

  // --- outbox ---

  const doSync = async () => {
    await syncNow(true);
    await loadOutbox();
  };

  const doExport = async () => {
    fileNotice = '';
    fileError = '';
    const { text, count } = await exportUnsent();
    if (count === 0) {
      fileNotice = t('vaccinator:file.nothing');
      draw();
      return;
    }
    downloadText(text, exportFileName());
    fileNotice = t('vaccinator:file.exported', { count });
    draw();
  };

  const doImport = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    fileNotice = '';
    fileError = '';
    if (!file) return;
    try {
      const r = await importUnsent(await file.text());
      fileNotice = t('vaccinator:file.imported', { added: r.added, skipped: r.skipped });
    } catch {
      fileError = t('vaccinator:file.bad');
    }
    input.value = '';
    await loadOutbox();
  };

  const doDiscard = async (id: string) => {
    if (confirmDiscard !== id) {
      confirmDiscard = id;
      draw();
      return;
    }
    confirmDiscard = '';
    await discard(id);
    await loadOutbox();
  };

  // --- views ---

  const ownerView = (): TemplateResult => {
    if (ownerStage === 'chosen' && owner) {
      return html`<div class="vacc-owner" data-testid="owner-chosen" data-source=${owner.source}>
        <div>
          <strong data-testid="owner-chosen-name">${owner.name}</strong>
          <div class="muted" dir="ltr">${owner.e164 ?? owner.typed}</div>
          ${owner.village ? html`<div class="muted">${owner.village}</div>` : nothing}
          <span class="badge ${owner.source === 'server' ? 'badge-ok' : 'badge-warn'}"
            >${owner.source === 'server' ? t('vaccinator:owner.found') : owner.source === 'local' ? t('vaccinator:owner.found_local') : t('vaccinator:owner.new_badge')}</span
          >
        </div>
        <button class="btn btn-small" data-testid="owner-change" @click=${changeOwner}>${t('vaccinator:owner.change')}</button>
      </div>`;
    }
    return html`<form @submit=${findOwner} class="row vacc-phone-row">
        <label class="field">${t('vaccinator:owner.phone')}
          <input type="tel" inputmode="tel" autocomplete="off" dir="ltr" data-testid="owner-phone" .value=${live(phone)}
            @input=${(e: Event) => { phone = (e.target as HTMLInputElement).value; if (ownerStage === 'new') { ownerStage = 'ask'; draw(); } else persist(); }} />
        </label>
        <button class="btn btn-primary" ?disabled=${ownerBusy} data-testid="owner-find">${ownerBusy ? t('vaccinator:owner.finding') : t('vaccinator:owner.find')}</button>
      </form>
      ${ownerFieldError ? html`<p class="field-error" data-testid="owner-error">${ownerFieldError}</p>` : nothing}
      ${ownerError ? errorBox(ownerError, () => void findOwner(), 'owner-find-error') : nothing}
      ${ownerStage === 'new'
        ? html`<form @submit=${createOwner} data-testid="owner-new">
            <p class="notice ${ownerOffline ? 'notice-warn' : ''}" data-testid="owner-new-why" data-why=${ownerOffline || 'not-found'}>
              ${ownerOffline === 'timeout' ? t('vaccinator:owner.timeout_new') : ownerOffline ? t('vaccinator:owner.offline_new') : t('vaccinator:owner.not_found')}
            </p>
            <label class="field">${t('vaccinator:owner.name')}
              <input data-testid="owner-name-input" autocomplete="off" .value=${live(newName)} @input=${(e: Event) => { newName = (e.target as HTMLInputElement).value; persist(); }} />
            </label>
            <label class="field">${t('vaccinator:owner.village')}
              <input data-testid="owner-village" autocomplete="off" .value=${live(newVillage)} @input=${(e: Event) => { newVillage = (e.target as HTMLInputElement).value; persist(); }} />
            </label>
            <button class="btn btn-primary btn-block" data-testid="owner-create">${t('vaccinator:owner.use')}</button>
          </form>`
        : nothing}`;
  };

  const speciesOptions = (list: Species[], selected: string) =>
    list.map((s) => html`<option value=${s.code} ?selected=${s.code === selected}>${speciesName(s.code, s.name)}</option>`);

  const animalsView = (): TemplateResult => {
    const species = catalogue?.species ?? [];
    return html`<div class="vacc-modes" role="tablist">
        <button class="btn btn-small ${addMode === 'tag' ? 'btn-primary' : ''}" role="tab" aria-selected=${addMode === 'tag'} data-testid="mode-tag"
          @click=${() => { addMode = 'tag'; draw(); }}>${t('vaccinator:animals.by_tag')}</button>
        <button class="btn btn-small ${addMode === 'flock' ? 'btn-primary' : ''}" role="tab" aria-selected=${addMode === 'flock'} data-testid="mode-flock"
          @click=${() => { addMode = 'flock'; draw(); }}>${t('vaccinator:animals.flock')}</button>
      </div>
      ${addMode === 'tag'
        ? html`<form class="vacc-add" @submit=${(e: Event) => { e.preventDefault(); addTag(tagText); }}>
            <label class="field">${t('vaccinator:animals.species')}
              <select data-testid="tag-species" @change=${(e: Event) => { tagSpecies = (e.target as HTMLSelectElement).value; rememberSpecies(localStorage, LAST_TAG_SPECIES, tagSpecies); persist(); }}>
                ${speciesOptions(species.filter((s) => !s.flock_only), tagSpecies)}
              </select>
            </label>
            <label class="field">${t('vaccinator:animals.tag')}
              <input inputmode="numeric" autocomplete="off" dir="ltr" data-testid="tag-input" .value=${live(tagText)}
                @input=${(e: Event) => { tagText = (e.target as HTMLInputElement).value; persist(); }} />
            </label>
            <div class="row">
              <button type="button" class="btn" data-testid="tag-scan" @click=${scan}>${t('vaccinator:animals.scan')}</button>
              <button class="btn btn-primary" data-testid="tag-add">${t('vaccinator:animals.add')}</button>
            </div>
          </form>`
        : html`<form class="vacc-add" novalidate @submit=${(e: Event) => { e.preventDefault(); addFlock(); }}>
            <label class="field">${t('vaccinator:animals.species')}
              <select data-testid="flock-species" @change=${(e: Event) => { flockSpecies = (e.target as HTMLSelectElement).value; rememberSpecies(localStorage, LAST_FLOCK_SPECIES, flockSpecies); persist(); }}>
                ${speciesOptions(species, flockSpecies)}
              </select>
            </label>
            <label class="field">${t('vaccinator:animals.head_count')}
              <input type="number" inputmode="numeric" min="1" max="1000000" data-testid="flock-count" .value=${live(headCount)}
                @input=${(e: Event) => { headCount = (e.target as HTMLInputElement).value; persist(); }} />
            </label>
            <button class="btn btn-primary btn-block" data-testid="flock-add">${t('vaccinator:animals.add_flock')}</button>
          </form>`}
      ${animalError ? html`<p class="field-error" data-testid="animal-error">${animalError}</p>` : nothing}
      ${animals.length === 0
        ? html`<p class="muted">${t('vaccinator:animals.none')}</p>`
        : html`<ul class="vacc-animals" data-testid="animal-list">
            ${animals.map(
              (a, i) => html`<li data-testid="animal-item">
                <span>${a.kind === 'tag'
                  ? html`${speciesName(a.species, a.species)} · <span dir="ltr" class="tag">${a.tag}</span>`
                  : t('vaccinator:animals.flock_item', { species: speciesName(a.species, a.species), count: formatNumber(a.head_count) })}</span>
                <button class="btn btn-small btn-danger" aria-label=${t('vaccinator:animals.remove')} @click=${() => removeAnimal(i)}>${t('vaccinator:animals.remove')}</button>
              </li>`,
            )}
          </ul>`}`;
  };

  const groupLabel = (g: Group) =>
    g.animal_tags
      ? t('vaccinator:animals.tagged', { species: speciesName(g.species, g.species), count: formatNumber(g.animal_tags.length) })
      : t('vaccinator:animals.flock_item', { species: speciesName(g.species, g.species), count: formatNumber(g.head_count ?? 0) });

  const vaccinationView = (): TemplateResult => {
    if (!catalogue) {
      return catalogueError
        ? html`<div class="error" data-testid="catalogue-missing">
            <span>${catalogueError instanceof TimeoutError ? t('error.timeout') : t('vaccinator:vacc.no_catalogue')}</span>
            <button type="button" class="btn btn-small error-retry" data-testid="catalogue-retry" @click=${() => { catalogueError = null; draw(); void loadCatalogue(); }}>${t('retry')}</button>
          </div>`
        : html`<p class="muted">${t('loading')}</p>`;
    }
    const diseases = diseasesForAnimals();
    const vaccines = disease ? vaccinesFor(disease) : [];
    const vaccine = product.vaccine;
    const applies = disease ? groups().filter((g) => diseaseByCode(disease)?.species.includes(g.species)) : [];
    const planned = plannedRecords();
    return html`<form novalidate @submit=${save} data-testid="vacc-form">
      <label class="field">${t('vaccinator:vacc.disease')}
        <select data-testid="vacc-disease" ?disabled=${diseases.length === 0} @change=${(e: Event) => chooseDisease((e.target as HTMLSelectElement).value)}>
          <option value="" ?selected=${!disease}>${diseases.length ? t('vaccinator:vacc.choose') : t('vaccinator:vacc.need_animals')}</option>
          ${diseases.map((d) => html`<option value=${d.code} ?selected=${d.code === disease}>${diseaseName(d.code, d.name)}</option>`)}
        </select>
      </label>
      ${applies.length ? html`<p class="muted" data-testid="vacc-applies">${t('vaccinator:vacc.applies', { groups: applies.map(groupLabel).join('; ') })}</p>` : nothing}
      <label class="field">${t('vaccinator:vacc.vaccine')}
        <select data-testid="vacc-vaccine" ?disabled=${!disease} @change=${(e: Event) => chooseVaccine((e.target as HTMLSelectElement).value)}>
          <option value="" ?selected=${!vaccine}>${t('vaccinator:vacc.choose')}</option>
          ${vaccines.map((v) => html`<option value=${v.code} ?selected=${v.code === vaccine}>${v.name} (${v.code})</option>`)}
        </select>
      </label>
      ${alsoDiseases().length
        ? html`<fieldset class="vacc-also"><legend>${t('vaccinator:vacc.also')}</legend>
            ${alsoDiseases().map(
              (d) => html`<label class="check"><input type="checkbox" data-testid="vacc-also" data-disease=${d.code} .checked=${live(also.has(d.code))}
                  @change=${(e: Event) => { if ((e.target as HTMLInputElement).checked) also.add(d.code); else also.delete(d.code); draw(); }} />
                ${diseaseName(d.code, d.name)}</label>`,
            )}
          </fieldset>`
        : nothing}
      <div class="row">
        <label class="field">${t('vaccinator:vacc.batch')}
          <input autocomplete="off" dir="ltr" data-testid="vacc-batch" ?disabled=${!vaccine} .value=${live(product.batch)}
            @input=${(e: Event) => { product = typeBatch(product, (e.target as HTMLInputElement).value); draw(); }} />
        </label>
        <label class="field">${t('vaccinator:vacc.dose')}
          <input type="number" inputmode="decimal" step="any" min="0" data-testid="vacc-dose" ?disabled=${!vaccine} .value=${live(product.dose)}
            @input=${(e: Event) => { product = typeDose(product, (e.target as HTMLInputElement).value); persist(); }} />
        </label>
      </div>
      ${showSuggestion(product)
        ? html`<p class="vacc-suggest" data-testid="batch-suggestion" data-batch=${product.suggestion}>
            <span>${tParts('vaccinator:vacc.batch_last', {}, { batch: html`<bdi class="nowrap" dir="ltr">${product.suggestion}</bdi>` })}</span>
            <button type="button" class="btn btn-small" data-testid="batch-use" @click=${() => { product = takeSuggestion(product); draw(); }}
              >${t('vaccinator:vacc.batch_use')}</button>
          </p>`
        : nothing}
      <label class="field">${t('vaccinator:vacc.date')}
        <input type="date" data-testid="vacc-date" max=${localDate(new Date(Date.now() + 86_400_000))} .value=${live(date)}
          @input=${(e: Event) => { date = (e.target as HTMLInputElement).value; dateChanged = true; persist(); }} />
      </label>
      <p class="muted vacc-gps" data-testid="gps-state" data-state=${gpsState}>
        ${gpsState === 'ok' && gps
          ? t('vaccinator:gps.ok', { lat: gps.lat.toFixed(5), lon: gps.lon.toFixed(5), accuracy: formatNumber(Math.round(gps.accuracy)) })
          : gpsState === 'waiting' ? t('vaccinator:gps.waiting') : t('vaccinator:gps.none')}
        ${gpsState === 'none' ? html`<button type="button" class="btn btn-small" @click=${() => { locate(); draw(); }}>${t('vaccinator:gps.retry')}</button>` : nothing}
      </p>
      ${formError ? html`<p class="error" role="alert" data-testid="vacc-error">${formError}</p>` : nothing}
      <button class="btn btn-primary btn-block btn-save" ?disabled=${saving} data-testid="vacc-save">
        ${planned.length ? t('vaccinator:vacc.save', { count: formatNumber(planned.length) }) : t('save')}
      </button>
      ${saved ? html`<p class="notice" role="status" data-testid="vacc-saved">${t('vaccinator:vacc.saved', { count: formatNumber(saved.count) })}</p>` : nothing}
    </form>`;
  };

  const syncLine = (): TemplateResult | typeof nothing => {
    if (sync.running) return html`<p class="notice" data-testid="sync-status" data-state="running">${t('vaccinator:sync.running')}</p>`;
    const last = sync.last;
    if (!last) return nothing;
    const counts = last.created || last.duplicate || last.rejected
      ? html`<br /><span>${t('vaccinator:sync.result', { created: formatNumber(last.created), duplicate: formatNumber(last.duplicate), rejected: formatNumber(last.rejected) })}</span>`
      : nothing;
    switch (last.outcome) {
      case 'done':
        return html`<p class="notice" data-testid="sync-status" data-state="done">${t('vaccinator:sync.done', { time: formatDateTime(last.at) })}${counts}</p>`;
      case 'retry':
        return html`<p class="notice notice-warn" data-testid="sync-status" data-state="retry">
          ${last.error instanceof OfflineError ? t('vaccinator:sync.offline') : errorText(last.error)}
          ${sync.nextAttemptAt ? html`<br />${t('vaccinator:sync.retry', { time: formatDateTime(new Date(sync.nextAttemptAt)) })}` : nothing}${counts}
        </p>`;
      case 'unauthorized':
        return html`<p class="error" data-testid="sync-status" data-state="unauthorized">${t('vaccinator:sync.unauthorized')}
          <button class="btn btn-small" data-testid="sync-signin" @click=${() => ctx.navigate('/signin')}>${t('vaccinator:sync.sign_in')}</button></p>`;
      case 'forbidden':
        return html`<p class="error" data-testid="sync-status" data-state="forbidden">${t('vaccinator:sync.forbidden')}</p>`;
      case 'busy':
        return html`<p class="notice" data-testid="sync-status" data-state="busy">${t('vaccinator:sync.busy')}</p>`;
    }
  };

  const outboxItem = (r: OutboxRecord): TemplateResult => {
    const rec = r.record as Record<string, unknown>;
    const tags = Array.isArray(rec.animal_tags) ? (rec.animal_tags as string[]) : null;
    const species = String(rec.species ?? '');
    const code = String(rec.disease ?? '');
    const rejected = r.state === 'rejected';
    return html`<li class="vacc-item ${rejected ? 'is-rejected' : ''}" data-testid="outbox-item" data-state=${r.state} data-id=${r.id}>
      <div class="vacc-item-head">
        <strong>${diseaseName(code, code)}</strong>
        <span class="st ${rejected ? 'st-never' : 'st-overdue'}">${rejected ? t('vaccinator:outbox.state_rejected') : t('vaccinator:outbox.state_pending')}</span>
      </div>
      <div>${speciesName(species, species)} ·
        ${tags ? t('vaccinator:outbox.tags', { count: formatNumber(tags.length) }) : t('vaccinator:outbox.heads', { count: formatNumber(Number(rec.head_count ?? 0)) })}</div>
      <div class="muted">${String(rec.owner_name ?? '')} · <span dir="ltr">${String(rec.owner_phone ?? '')}</span> ·
        ${formatDate(String(rec.administered_on ?? ''))} · ${t('vaccinator:outbox.batch', { batch: String(rec.batch_no ?? '') })}</div>
      ${rejected && r.error
        ? html`<div class="vacc-reason" data-testid="outbox-error" title=${r.error.field ?? ''}>
              <strong>${t('vaccinator:outbox.reason', { reason: reasonHeadline(r.error.code) })}</strong>
              <div dir="auto">${r.error.message}</div>
            </div>
            <div class="row">
              <button class="btn btn-small btn-danger" data-testid="outbox-discard" @click=${() => doDiscard(r.id)}>
                ${confirmDiscard === r.id ? t('vaccinator:outbox.discard_confirm') : t('vaccinator:outbox.discard')}</button>
              <button class="btn btn-small" data-testid="outbox-resend" @click=${async () => { await resend(r.id); await loadOutbox(); }}>${t('vaccinator:outbox.resend')}</button>
            </div>`
        : nothing}
    </li>`;
  };

  const outboxView = (): TemplateResult => {
    const pending = outbox.filter((r) => r.state === 'pending').length;
    const rejected = outbox.filter((r) => r.state === 'rejected').length;
    return html`<div class="vacc-counts">
        <span class="st ${pending ? 'st-overdue' : 'st-covered'}" data-testid="outbox-count" data-count=${pending}
          >${pending ? t('vaccinator:outbox.pending', { count: formatNumber(pending) }) : t('vaccinator:outbox.empty')}</span
        >
        ${rejected ? html`<span class="st st-never" data-testid="rejected-count" data-count=${rejected}>${t('vaccinator:outbox.rejected', { count: formatNumber(rejected) })}</span>` : nothing}
      </div>
      <button class="btn btn-primary btn-block" data-testid="sync-now" ?disabled=${sync.running} @click=${doSync}>${t('vaccinator:outbox.sync_now')}</button>
      ${syncLine()}
      ${outbox.length
        ? html`<ul class="vacc-outbox" data-testid="outbox-list">${outbox.slice(0, OUTBOX_SHOWN).map(outboxItem)}</ul>
            ${outbox.length > OUTBOX_SHOWN ? html`<p class="muted">${t('vaccinator:outbox.more', { count: formatNumber(outbox.length - OUTBOX_SHOWN) })}</p>` : nothing}`
        : nothing}
      <div class="row vacc-files">
        <button class="btn" data-testid="export" @click=${doExport}>${t('vaccinator:file.export')}</button>
        <label class="btn vacc-import">${t('vaccinator:file.import')}
          <input type="file" accept="application/json,.json" data-testid="import" @change=${doImport} />
        </label>
      </div>
      ${fileNotice ? html`<p class="notice" data-testid="file-notice">${fileNotice}</p>` : nothing}
      ${fileError ? html`<p class="error" data-testid="file-error">${fileError}</p>` : nothing}`;
  };

  const view = (): TemplateResult => html`<div class="vacc" data-testid="vaccinator">
    <h1>${t('vaccinator:title')}</h1>
    ${restored
      ? html`<div class="notice vacc-restored" role="status" data-testid="draft-restored">
          <span>${t('vaccinator:draft.restored')}</span>
          <button class="btn btn-small" data-testid="draft-discard" @click=${discardDraft}>${t('vaccinator:draft.discard')}</button>
        </div>`
      : nothing}
    <section class="card" aria-labelledby="vacc-owner-h">
      <h2 id="vacc-owner-h">${t('vaccinator:owner.heading')}</h2>
      ${ownerView()}
    </section>
    <section class="card" aria-labelledby="vacc-animals-h">
      <h2 id="vacc-animals-h">${t('vaccinator:animals.heading')}</h2>
      ${animalsView()}
    </section>
    <section class="card" aria-labelledby="vacc-vacc-h">
      <h2 id="vacc-vacc-h">${t('vaccinator:vacc.heading')}</h2>
      ${vaccinationView()}
      ${owner ? html`<button class="btn btn-block vacc-next" data-testid="visit-next" @click=${nextVisit}>${t('vaccinator:vacc.next_visit')}</button>` : nothing}
    </section>
    <section class="card" aria-labelledby="vacc-outbox-h" data-testid="outbox">
      <h2 id="vacc-outbox-h">${t('vaccinator:outbox.heading')}</h2>
      ${outboxView()}
    </section>
  </div>`;

  const onOutbox = () => void loadOutbox();
  const onSync = (e: Event) => {
    sync = (e as CustomEvent<SyncState>).detail;
    draw();
  };
  const onNet = () => draw();
  window.addEventListener('hp:outbox', onOutbox);
  window.addEventListener('hp:sync', onSync);
  window.addEventListener('online', onNet);
  window.addEventListener('offline', onNet);

  draw();
  locate();
  void restoreDraft();
  void loadCatalogue();
  void loadOutbox().then(() => {
    if (alive && navigator.onLine && outbox.some((r) => r.state === 'pending')) void syncNow();
  });

  return () => {
    alive = false;
    window.removeEventListener('hp:outbox', onOutbox);
    window.removeEventListener('hp:sync', onSync);
    window.removeEventListener('online', onNet);
    window.removeEventListener('offline', onNet);
    render(nothing, root);
  };
};
