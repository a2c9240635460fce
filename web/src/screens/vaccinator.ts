// W1, the vaccinator's screen: find or register the owner by phone, add animals (ear tags typed or
// scanned, or a flock by head count), record a vaccination for all of them at once, and see what
// waits on the phone to be sent. Everything works with no network: a record is saved in the outbox
// (sync.ts) the moment it is made, with an id made here (UUIDv7), and sent when the network is back.
// The batch and dose belong to the product chosen (batch.ts); the visit in progress is kept on the
// phone as it changes and comes back after a reload (draft.ts).
//
// This file is the view: it renders VaccinatorState (vaccinator_state.ts, which holds what the
// screen knows and decides) and wires the page's events, the camera and the GPS to it.
import { live } from 'lit-html/directives/live.js';
import { api, OfflineError, TimeoutError } from '../api';
import { session } from '../auth';
import { FieldCopyPanel, fieldCopyView } from './field_copy_view';
import { showSuggestion, takeSuggestion, typeBatch, typeDose } from '../batch';
import { db, kvGet, kvSet, type OutboxRecord } from '../db';
import { DraftKeeper } from '../draft';
import { recordErrorMessage } from '../errors';
import { formatDate, formatDateTime, formatNumber, t } from '../i18n';
import { diseaseName, speciesName } from '../labels';
import { scanCode } from '../scan';
import {
  addEvent,
  addFlockEvent,
  phoneKey,
  addRecords,
  deviceId,
  discard,
  discardEvent,
  exportUnsent,
  importUnsent,
  listEvents,
  listOutbox,
  resend,
  resendEvent,
  syncNow,
  syncState,
  type SyncState,
} from '../sync';
import { EVENT_KINDS, REASON_MAX, type EventRecord, type TagEventForm } from '../tag_life';
import { LAST_FLOCK_SPECIES, LAST_TAG_SPECIES, rememberSpecies } from '../species';
import { downloadText, errorBox, errorText, exportFileName, html, nothing, render, tParts, type Mount, type TemplateResult } from '../ui';
import { uuidv7 } from '../uuid';
import type { CatalogueSpecies as Species } from '../wire';
import { say } from './message';
import { TagLifeState } from './tag_life_state';
import { FlockLifeState } from './flock_life_state';
import { FLOCK_KINDS, flockChoices, flocksPath, type FlockChoice, type FlockEventRecord, type OwnerFlocks } from '../flock_life';
import { timelineRoute } from '../timeline';
import { VaccinatorState, type Group } from './vaccinator_state';
import './vaccinator.css';

const OUTBOX_SHOWN = 200;

// The draft is read back whenever this screen opens (also after another tab or a language change);
// only the first time after the page loaded is it news to the user.
let firstMount = true;

export const mount: Mount = (root, ctx) => {
  let alive = true;
  const st = new VaccinatorState(
    {
      getJson: <T>(path: string) => api<T>('GET', path),
      kv: { get: kvGet, set: kvSet },
      owners: {
        all: async () => (await (await db()).getAll('owners')) as Record<string, unknown>[],
        put: async (o) => void (await (await db()).put('owners', o as never)),
      },
      copyOwner: async (typed) => {
        const fc = await import('../fieldcopy');
        const s = session();
        return fc.ownerFromCopy(await fc.idbCopyStore(), typed, s ? String(s.user.id) : undefined, await fc.keepDaysSetting(), new Date());
      },
      outbox: {
        list: listOutbox,
        add: addRecords,
        deviceId,
        sync: (manual) => syncNow(manual),
        resend,
        discard,
        exportUnsent,
        importUnsent,
      },
      drafts: new DraftKeeper(session()?.user.id ?? ''),
      rememberedSpecies: () => ({ tag: localStorage.getItem(LAST_TAG_SPECIES), flock: localStorage.getItem(LAST_FLOCK_SPECIES) }),
      now: () => new Date(),
      newId: uuidv7,
    },
    syncState(),
  );

  const life = new TagLifeState({
    list: listEvents,
    add: addEvent,
    discard: discardEvent,
    resend: resendEvent,
    now: () => new Date(),
    newId: uuidv7,
  });

  // W10: the vaccinator's field copy (the owners of the district found with no network).
  const copyAbort = new AbortController();
  const fieldCopy = session()?.user.role === 'vaccinator' ? new FieldCopyPanel(copyAbort.signal, () => draw()) : null;

  // Flock events (W12): the owner's flocks come from GET /flocks?phone=, which the server gives to
  // the roles that read owners: the vaccinator, who records flock doses and events, and the vet.
  const flocksKey = (phone: string) => `flocks:${phoneKey(phone)}`;
  const role = session()?.user.role;
  const flockLife = role === 'vaccinator' || role === 'vet'
    ? new FlockLifeState({
        fetchFlocks: async (phone) => flockChoices(await api<OwnerFlocks>('GET', flocksPath(phone))),
        kept: (phone) => kvGet<FlockChoice[]>(flocksKey(phone)),
        keep: (phone, flocks) => kvSet(flocksKey(phone), flocks),
        add: addFlockEvent,
        now: () => new Date(),
        newId: uuidv7,
      })
    : null;

  const draw = () => {
    if (!alive) return;
    render(view(), root);
    st.persist();
  };
  st.onChange = draw;
  life.onChange = draw;
  if (flockLife) flockLife.onChange = draw;

  const locate = () => {
    if (!('geolocation' in navigator)) {
      st.gpsState = 'none';
      return;
    }
    st.gpsState = 'waiting';
    navigator.geolocation.getCurrentPosition(
      (p) => {
        st.gps = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy };
        st.gpsState = 'ok';
        draw();
      },
      () => {
        st.gpsState = st.gps ? 'ok' : 'none';
        draw();
      },
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 5 * 60_000 },
    );
  };

  const findOwner = (e?: Event) => {
    e?.preventDefault();
    void st.findOwner();
  };

  const createOwner = (e: Event) => {
    e.preventDefault();
    void st.createOwner();
  };

  const scan = async () => {
    st.startScan();
    const code = await scanCode({ kind: 'tag' });
    if (!alive) return;
    st.scanned(code);
  };

  const save = (e: Event) => {
    e.preventDefault();
    void st.save();
  };

  const doExport = async () => {
    const text = await st.exportUnsent();
    if (text === null) return;
    downloadText(text, exportFileName());
    st.exported();
  };

  const doImport = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    st.startImport();
    if (!file) return;
    await st.importUnsent(() => file.text());
    input.value = '';
  };


  const ownerView = (): TemplateResult => {
    if (st.ownerStage === 'chosen' && st.owner) {
      return html`<div class="vacc-owner" data-testid="owner-chosen" data-source=${st.owner.source}>
        <div>
          <strong data-testid="owner-chosen-name">${st.owner.name}</strong>
          <div class="muted" dir="ltr">${st.owner.e164 ?? st.owner.typed}</div>
          ${st.owner.village ? html`<div class="muted">${st.owner.village}</div>` : nothing}
          <span class="badge ${st.owner.source === 'server' ? 'badge-ok' : 'badge-warn'}"
            >${st.owner.source === 'server' ? t('vaccinator:owner.found') : st.owner.source === 'local' ? t('vaccinator:owner.found_local') : t('vaccinator:owner.new_badge')}</span
          >
        </div>
        <button class="btn btn-small" data-testid="owner-change" @click=${() => st.changeOwner()}>${t('vaccinator:owner.change')}</button>
      </div>`;
    }
    return html`<form @submit=${findOwner} class="row vacc-phone-row">
        <label class="field">${t('vaccinator:owner.phone')}
          <input type="tel" inputmode="tel" autocomplete="off" dir="ltr" data-testid="owner-phone" .value=${live(st.phone)}
            @input=${(e: Event) => { st.typePhone((e.target as HTMLInputElement).value); }} />
        </label>
        <button class="btn btn-primary" ?disabled=${st.ownerBusy} data-testid="owner-find">${st.ownerBusy ? t('vaccinator:owner.finding') : t('vaccinator:owner.find')}</button>
      </form>
      ${st.ownerFieldError ? html`<p class="field-error" data-testid="owner-error">${t(st.ownerFieldError)}</p>` : nothing}
      ${st.ownerError ? errorBox(st.ownerError, () => void findOwner(), 'owner-find-error') : nothing}
      ${st.ownerStage === 'new'
        ? html`<form @submit=${createOwner} data-testid="owner-new">
            <p class="notice ${st.ownerOffline ? 'notice-warn' : ''}" data-testid="owner-new-why" data-why=${st.ownerOffline || 'not-found'}>
              ${st.ownerOffline === 'timeout' ? t('vaccinator:owner.timeout_new') : st.ownerOffline ? t('vaccinator:owner.offline_new') : t('vaccinator:owner.not_found')}
            </p>
            <label class="field">${t('vaccinator:owner.name')}
              <input data-testid="owner-name-input" autocomplete="off" .value=${live(st.newName)} @input=${(e: Event) => { st.newName = (e.target as HTMLInputElement).value; st.persist(); }} />
            </label>
            <label class="field">${t('vaccinator:owner.village')}
              <input data-testid="owner-village" autocomplete="off" .value=${live(st.newVillage)} @input=${(e: Event) => { st.newVillage = (e.target as HTMLInputElement).value; st.persist(); }} />
            </label>
            <button class="btn btn-primary btn-block" data-testid="owner-create">${t('vaccinator:owner.use')}</button>
          </form>`
        : nothing}`;
  };

  const speciesOptions = (list: Species[], selected: string) =>
    list.map((s) => html`<option value=${s.code} ?selected=${s.code === selected}>${speciesName(s.code, s.name)}</option>`);

  const animalsView = (): TemplateResult => {
    const species = st.catalogue?.species ?? [];
    return html`<div class="vacc-modes" role="tablist">
        <button class="btn btn-small ${st.addMode === 'tag' ? 'btn-primary' : ''}" role="tab" aria-selected=${st.addMode === 'tag'} data-testid="mode-tag"
          @click=${() => st.setMode('tag')}>${t('vaccinator:animals.by_tag')}</button>
        <button class="btn btn-small ${st.addMode === 'flock' ? 'btn-primary' : ''}" role="tab" aria-selected=${st.addMode === 'flock'} data-testid="mode-flock"
          @click=${() => st.setMode('flock')}>${t('vaccinator:animals.flock')}</button>
      </div>
      ${st.addMode === 'tag'
        ? html`<form class="vacc-add" @submit=${(e: Event) => { e.preventDefault(); st.addTag(st.tagText); }}>
            <label class="field">${t('vaccinator:animals.species')}
              <select data-testid="tag-species" @change=${(e: Event) => { st.tagSpecies = (e.target as HTMLSelectElement).value; rememberSpecies(localStorage, LAST_TAG_SPECIES, st.tagSpecies); st.persist(); }}>
                ${speciesOptions(species.filter((s) => !s.flock_only), st.tagSpecies)}
              </select>
            </label>
            <label class="field">${t('vaccinator:animals.tag')}
              <input inputmode="numeric" autocomplete="off" dir="ltr" data-testid="tag-input" .value=${live(st.tagText)}
                @input=${(e: Event) => { st.tagText = (e.target as HTMLInputElement).value; st.persist(); }} />
            </label>
            <div class="row">
              <button type="button" class="btn" data-testid="tag-scan" @click=${scan}>${t('vaccinator:animals.scan')}</button>
              <button class="btn btn-primary" data-testid="tag-add">${t('vaccinator:animals.add')}</button>
            </div>
          </form>`
        : html`<form class="vacc-add" novalidate @submit=${(e: Event) => { e.preventDefault(); st.addFlock(); }}>
            <label class="field">${t('vaccinator:animals.species')}
              <select data-testid="flock-species" @change=${(e: Event) => { st.flockSpecies = (e.target as HTMLSelectElement).value; rememberSpecies(localStorage, LAST_FLOCK_SPECIES, st.flockSpecies); st.persist(); }}>
                ${speciesOptions(species, st.flockSpecies)}
              </select>
            </label>
            <label class="field">${t('vaccinator:animals.head_count')}
              <input type="number" inputmode="numeric" min="1" max="1000000" data-testid="flock-count" .value=${live(st.headCount)}
                @input=${(e: Event) => { st.headCount = (e.target as HTMLInputElement).value; st.persist(); }} />
            </label>
            <button class="btn btn-primary btn-block" data-testid="flock-add">${t('vaccinator:animals.add_flock')}</button>
          </form>`}
      ${st.animalError ? html`<p class="field-error" data-testid="animal-error">${t(st.animalError)}</p>` : nothing}
      ${st.animals.length === 0
        ? html`<p class="muted">${t('vaccinator:animals.none')}</p>`
        : html`<ul class="vacc-animals" data-testid="animal-list">
            ${st.animals.map(
              (a, i) => html`<li data-testid="animal-item">
                <span>${a.kind === 'tag'
                  ? html`${speciesName(a.species, a.species)} · <span dir="ltr" class="tag">${a.tag}</span>`
                  : t('vaccinator:animals.flock_item', { species: speciesName(a.species, a.species), count: formatNumber(a.head_count) })}</span>
                <button class="btn btn-small btn-danger" aria-label=${t('vaccinator:animals.remove')} @click=${() => st.removeAnimal(i)}>${t('vaccinator:animals.remove')}</button>
              </li>`,
            )}
          </ul>`}`;
  };

  const groupLabel = (g: Group) =>
    g.animal_tags
      ? t('vaccinator:animals.tagged', { species: speciesName(g.species, g.species), count: formatNumber(g.animal_tags.length) })
      : t('vaccinator:animals.flock_item', { species: speciesName(g.species, g.species), count: formatNumber(g.head_count ?? 0) });

  const vaccinationView = (): TemplateResult => {
    if (!st.catalogue) {
      return st.catalogueError
        ? html`<div class="error" data-testid="catalogue-missing">
            <span>${st.catalogueError instanceof TimeoutError ? t('error.timeout') : t('vaccinator:vacc.no_catalogue')}</span>
            <button type="button" class="btn btn-small error-retry" data-testid="catalogue-retry" @click=${() => st.retryCatalogue()}>${t('retry')}</button>
          </div>`
        : html`<p class="muted">${t('loading')}</p>`;
    }
    const diseases = st.diseasesForAnimals();
    const vaccines = st.disease ? st.vaccinesFor(st.disease) : [];
    const vaccine = st.product.vaccine;
    const applies = st.applies();
    const planned = st.plannedRecords();
    return html`<form novalidate @submit=${save} data-testid="vacc-form">
      <label class="field">${t('vaccinator:vacc.disease')}
        <select data-testid="vacc-disease" ?disabled=${diseases.length === 0} @change=${(e: Event) => st.chooseDisease((e.target as HTMLSelectElement).value)}>
          <option value="" ?selected=${!st.disease}>${diseases.length ? t('vaccinator:vacc.choose') : t('vaccinator:vacc.need_animals')}</option>
          ${diseases.map((d) => html`<option value=${d.code} ?selected=${d.code === st.disease}>${diseaseName(d.code, d.name)}</option>`)}
        </select>
      </label>
      ${applies.length ? html`<p class="muted" data-testid="vacc-applies">${t('vaccinator:vacc.applies', { groups: applies.map(groupLabel).join('; ') })}</p>` : nothing}
      <label class="field">${t('vaccinator:vacc.vaccine')}
        <select data-testid="vacc-vaccine" ?disabled=${!st.disease} @change=${(e: Event) => st.chooseVaccine((e.target as HTMLSelectElement).value)}>
          <option value="" ?selected=${!vaccine}>${t('vaccinator:vacc.choose')}</option>
          ${vaccines.map((v) => html`<option value=${v.code} ?selected=${v.code === vaccine}>${v.name} (${v.code})</option>`)}
        </select>
      </label>
      ${st.alsoDiseases().length
        ? html`<fieldset class="vacc-also"><legend>${t('vaccinator:vacc.also')}</legend>
            ${st.alsoDiseases().map(
              (d) => html`<label class="check"><input type="checkbox" data-testid="vacc-also" data-disease=${d.code} .checked=${live(st.also.has(d.code))}
                  @change=${(e: Event) => st.setAlso(d.code, (e.target as HTMLInputElement).checked)} />
                ${diseaseName(d.code, d.name)}</label>`,
            )}
          </fieldset>`
        : nothing}
      <div class="row">
        <label class="field">${t('vaccinator:vacc.batch')}
          <input autocomplete="off" dir="ltr" data-testid="vacc-batch" ?disabled=${!vaccine} .value=${live(st.product.batch)}
            @input=${(e: Event) => { st.product = typeBatch(st.product, (e.target as HTMLInputElement).value); draw(); }} />
        </label>
        <label class="field">${t('vaccinator:vacc.dose')}
          <input type="number" inputmode="decimal" step="any" min="0" data-testid="vacc-dose" ?disabled=${!vaccine} .value=${live(st.product.dose)}
            @input=${(e: Event) => { st.product = typeDose(st.product, (e.target as HTMLInputElement).value); st.persist(); }} />
        </label>
      </div>
      ${showSuggestion(st.product)
        ? html`<p class="vacc-suggest" data-testid="batch-suggestion" data-batch=${st.product.suggestion}>
            <span>${tParts('vaccinator:vacc.batch_last', {}, { batch: html`<bdi class="nowrap" dir="ltr">${st.product.suggestion}</bdi>` })}</span>
            <button type="button" class="btn btn-small" data-testid="batch-use" @click=${() => { st.product = takeSuggestion(st.product); draw(); }}
              >${t('vaccinator:vacc.batch_use')}</button>
          </p>`
        : nothing}
      <label class="field">${t('vaccinator:vacc.date')}
        <input type="date" data-testid="vacc-date" max=${st.tomorrow()} .value=${live(st.date)}
          @input=${(e: Event) => st.setDate((e.target as HTMLInputElement).value)} />
      </label>
      <p class="muted vacc-gps" data-testid="gps-state" data-state=${st.gpsState}>
        ${st.gpsState === 'ok' && st.gps
          ? t('vaccinator:gps.ok', { lat: st.gps.lat.toFixed(5), lon: st.gps.lon.toFixed(5), accuracy: formatNumber(Math.round(st.gps.accuracy)) })
          : st.gpsState === 'waiting' ? t('vaccinator:gps.waiting') : t('vaccinator:gps.none')}
        ${st.gpsState === 'none' ? html`<button type="button" class="btn btn-small" @click=${() => { locate(); draw(); }}>${t('vaccinator:gps.retry')}</button>` : nothing}
      </p>
      ${st.formError ? html`<p class="error" role="alert" data-testid="vacc-error">${t(st.formError)}</p>` : nothing}
      <button class="btn btn-primary btn-block btn-save" ?disabled=${st.saving} data-testid="vacc-save">
        ${planned.length ? t('vaccinator:vacc.save', { count: formatNumber(planned.length) }) : t('save')}
      </button>
      ${st.saved ? html`<p class="notice" role="status" data-testid="vacc-saved">${t('vaccinator:vacc.saved', { count: formatNumber(st.saved.count) })}</p>` : nothing}
    </form>`;
  };

  const syncLine = (): TemplateResult | typeof nothing => {
    if (st.sync.running) return html`<p class="notice" data-testid="sync-status" data-state="running">${t('vaccinator:sync.running')}</p>`;
    const last = st.sync.last;
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
          ${st.sync.nextAttemptAt ? html`<br />${t('vaccinator:sync.retry', { time: formatDateTime(new Date(st.sync.nextAttemptAt)) })}` : nothing}${counts}
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
        ? html`<div class="vacc-reason" data-testid="outbox-error" data-code=${r.error.code ?? ''}>
              <strong>${t('vaccinator:outbox.reason', { reason: recordErrorMessage(r.error, t) })}</strong>
            </div>
            <div class="row">
              <button class="btn btn-small btn-danger" data-testid="outbox-discard" @click=${() => st.discard(r.id)}>
                ${st.confirmDiscard === r.id ? t('vaccinator:outbox.discard_confirm') : t('vaccinator:outbox.discard')}</button>
              <button class="btn btn-small" data-testid="outbox-resend" @click=${() => st.resend(r.id)}>${t('vaccinator:outbox.resend')}</button>
            </div>`
        : nothing}
    </li>`;
  };

  // Tag life (W12): an animal's death or other end, or its new ear tag. Every field starts empty.
  const lifeField = (field: keyof TagEventForm) => (e: Event) => life.set(field, (e.target as HTMLInputElement).value);
  const lifeError = (field: keyof TagEventForm) =>
    life.errors[field] ? html`<p class="field-error" data-testid="life-error" data-field=${field}>${t(life.errors[field]!)}</p>` : nothing;

  const lifeView = (): TemplateResult => {
    const tagged = [...new Set(st.animals.flatMap((a) => (a.kind === 'tag' ? [a.tag] : [])))];
    const f = life.form;
    return html`<form class="vacc-life" novalidate data-testid="life-form" @submit=${(e: Event) => { e.preventDefault(); void life.save(); }}>
      <p class="muted">${t('vaccinator:life.intro')}</p>
      <label class="field">${t('vaccinator:life.tag')}
        <input inputmode="numeric" autocomplete="off" dir="ltr" data-testid="life-tag" .value=${live(f.tag)} @input=${lifeField('tag')} />
      </label>
      ${tagged.length
        ? html`<label class="field">${t('vaccinator:life.from_owner')}
            <select data-testid="life-pick" @change=${(e: Event) => { const v = (e.target as HTMLSelectElement).value; if (v) life.set('tag', v); }}>
              <option value="" ?selected=${!tagged.includes(f.tag)}>${t('vaccinator:life.pick')}</option>
              ${tagged.map((tag) => html`<option value=${tag} ?selected=${tag === f.tag}>${tag}</option>`)}
            </select>
          </label>`
        : nothing}
      ${lifeError('tag')}
      ${f.tag.replace(/[\s-]/g, '')
        ? html`<button type="button" class="btn btn-small tl-link" data-testid="life-timeline"
            @click=${() => ctx.navigate(timelineRoute({ tag: f.tag.replace(/[\s-]/g, '') }))}>${t('timeline:open')}</button>`
        : nothing}
      <label class="field">${t('vaccinator:life.kind')}
        <select data-testid="life-kind" @change=${lifeField('kind')}>
          <option value="" ?selected=${f.kind === ''}>${t('vaccinator:life.choose')}</option>
          ${EVENT_KINDS.map((k) => html`<option value=${k} ?selected=${f.kind === k}>${t(`vaccinator:life.kinds.${k}`)}</option>`)}
        </select>
      </label>
      ${lifeError('kind')}
      ${f.kind === 'tag_replaced'
        ? html`<label class="field">${t('vaccinator:life.new_tag')}
              <input inputmode="numeric" autocomplete="off" dir="ltr" data-testid="life-new-tag" .value=${live(f.new_tag)} @input=${lifeField('new_tag')} />
            </label>
            ${lifeError('new_tag')}`
        : nothing}
      <label class="field">${t('vaccinator:life.date')}
        <input type="date" data-testid="life-date" max=${life.tomorrow()} .value=${live(f.date)} @input=${lifeField('date')} />
      </label>
      ${lifeError('date')}
      <label class="field">${t('vaccinator:life.reason')}
        <input autocomplete="off" maxlength=${REASON_MAX} data-testid="life-reason" .value=${live(f.reason)} @input=${lifeField('reason')} />
      </label>
      ${lifeError('reason')}
      <button class="btn btn-primary btn-block" ?disabled=${life.saving} data-testid="life-save">${t('vaccinator:life.save')}</button>
      ${life.saved
        ? html`<p class="notice" role="status" data-testid="life-saved" data-kind=${life.saved.kind}>
            ${tParts('vaccinator:life.saved', { kind: t(`vaccinator:life.kinds.${life.saved.kind}`) }, { tag: html`<bdi class="nowrap" dir="ltr">${life.saved.tag}</bdi>` })}</p>`
        : nothing}
    </form>`;
  };

  // Flock events: the owner's phone, their flocks, then what happened to how many head, when, why.
  const flockLifeView = (fl: FlockLifeState): TemplateResult => {
    const f = fl.form;
    const field = (name: keyof typeof f) => (e: Event) => fl.set(name, (e.target as HTMLInputElement).value);
    const err = (name: keyof typeof f) =>
      fl.errors[name] ? html`<p class="field-error" data-testid="flock-life-error" data-field=${name}>${t(fl.errors[name]!)}</p>` : nothing;
    return html`<form class="vacc-life" novalidate data-testid="flock-life-form" @submit=${(e: Event) => { e.preventDefault(); void fl.save(); }}>
      <p class="muted">${t('vaccinator:flock_life.intro')}</p>
      <label class="field">${t('vaccinator:flock_life.phone')}
        <input type="tel" inputmode="tel" dir="ltr" autocomplete="off" data-testid="flock-life-phone" .value=${live(fl.phone)}
          @input=${(e: Event) => fl.typePhone((e.target as HTMLInputElement).value)} />
      </label>
      <button type="button" class="btn btn-block flock-find" data-testid="flock-life-find" ?disabled=${fl.finding} @click=${() => void fl.find()}>
        ${fl.finding ? t('loading') : t('vaccinator:flock_life.find')}</button>
      ${fl.findError ? html`<p class="field-error" data-testid="flock-life-find-error">${t(fl.findError)}</p>` : nothing}
      ${fl.flocks?.length
        ? html`${fl.fromPhone ? html`<p class="muted" data-testid="flock-life-kept">${t('vaccinator:flock_life.kept')}</p>` : nothing}
            <label class="field">${t('vaccinator:flock_life.flock')}
              <select data-testid="flock-life-flock" @change=${field('flock')}>
                <option value="" ?selected=${f.flock === ''}>${t('vaccinator:flock_life.choose_flock')}</option>
                ${fl.flocks.map((x) => html`<option value=${String(x.id)} ?selected=${f.flock === String(x.id)}>${t('vaccinator:flock_life.flock_item', { species: speciesName(x.species), n: formatNumber(x.head_count) })}</option>`)}
              </select>
            </label>
            ${err('flock')}
            <label class="field">${t('vaccinator:life.kind')}
              <select data-testid="flock-life-kind" @change=${field('kind')}>
                <option value="" ?selected=${f.kind === ''}>${t('vaccinator:life.choose')}</option>
                ${FLOCK_KINDS.map((k) => html`<option value=${k} ?selected=${f.kind === k}>${t(`vaccinator:flock_life.kinds.${k}`)}</option>`)}
              </select>
            </label>
            ${err('kind')}
            <label class="field">${t('vaccinator:flock_life.head')}
              <input type="number" inputmode="numeric" min="1" dir="ltr" data-testid="flock-life-head" .value=${live(f.head)} @input=${field('head')} />
            </label>
            ${err('head')}
            <label class="field">${t('vaccinator:life.date')}
              <input type="date" data-testid="flock-life-date" max=${fl.tomorrow()} .value=${live(f.date)} @input=${field('date')} />
            </label>
            ${err('date')}
            <label class="field">${t('vaccinator:life.reason')}
              <input autocomplete="off" maxlength=${REASON_MAX} data-testid="flock-life-reason" .value=${live(f.reason)} @input=${field('reason')} />
            </label>
            ${err('reason')}
            <button class="btn btn-primary btn-block" ?disabled=${fl.saving} data-testid="flock-life-save">${t('vaccinator:life.save')}</button>`
        : nothing}
      ${fl.saved
        ? html`<p class="notice" role="status" data-testid="flock-life-saved" data-kind=${fl.saved.kind}>
            ${t('vaccinator:flock_life.saved', { kind: t(`vaccinator:flock_life.kinds.${fl.saved.kind}`), species: speciesName(fl.saved.species), n: formatNumber(fl.saved.head) })}</p>`
        : nothing}
    </form>`;
  };

  const lifeTag = (tag: string) => html`<bdi dir="ltr" class="tag nowrap">${tag}</bdi>`;

  const eventItem = (r: EventRecord | FlockEventRecord): TemplateResult => {
    const e = r.record as EventRecord['record'] & Partial<FlockEventRecord['record']>;
    const rejected = r.state === 'rejected';
    return html`<li class="vacc-item ${rejected ? 'is-rejected' : ''}" data-testid="event-item" data-state=${r.state} data-id=${r.id} data-kind=${e.kind}>
      <div class="vacc-item-head">
        <strong>${t(`vaccinator:life.kinds.${e.kind}`)}</strong>
        <span class="st ${rejected ? 'st-never' : 'st-overdue'}">${rejected ? t('vaccinator:outbox.state_rejected') : t('vaccinator:outbox.state_pending')}</span>
      </div>
      <div>${typeof e.flock === 'number'
        ? t('vaccinator:flock_life.item', { species: speciesName(e.species ?? ''), n: formatNumber(e.head ?? 0) })
        : e.new_tag
          ? tParts('vaccinator:life.replaced_item', {}, { old: lifeTag(e.tag), new: lifeTag(e.new_tag) })
          : lifeTag(e.tag)}</div>
      <div>${formatDate(e.date)}</div>
      ${e.reason ? html`<div class="muted">${e.reason}</div>` : nothing}
      ${rejected && r.error
        ? html`<div class="vacc-reason" data-testid="event-error" data-code=${r.error.code ?? ''}>
              <strong>${t('vaccinator:outbox.reason', { reason: recordErrorMessage(r.error, t) })}</strong>
            </div>
            <div class="row">
              <button class="btn btn-small btn-danger" data-testid="event-discard" @click=${() => life.discard(r.id)}>
                ${life.confirmDiscard === r.id ? t('vaccinator:outbox.discard_confirm') : t('vaccinator:outbox.discard')}</button>
              <button class="btn btn-small" data-testid="event-resend" @click=${() => life.resend(r.id)}>${t('vaccinator:outbox.resend')}</button>
            </div>`
        : nothing}
    </li>`;
  };

  const outboxView = (): TemplateResult => {
    const pending = st.outbox.filter((r) => r.state === 'pending').length + life.events.filter((r) => r.state === 'pending').length;
    const rejected = st.outbox.filter((r) => r.state === 'rejected').length + life.events.filter((r) => r.state === 'rejected').length;
    return html`<div class="vacc-counts">
        <span class="st ${pending ? 'st-overdue' : 'st-covered'}" data-testid="outbox-count" data-count=${pending}
          >${pending ? t('vaccinator:outbox.pending', { count: formatNumber(pending) }) : t('vaccinator:outbox.empty')}</span
        >
        ${rejected ? html`<span class="st st-never" data-testid="rejected-count" data-count=${rejected}>${t('vaccinator:outbox.rejected', { count: formatNumber(rejected) })}</span>` : nothing}
      </div>
      <button class="btn btn-primary btn-block" data-testid="sync-now" ?disabled=${st.sync.running} @click=${() => st.syncNow()}>${t('vaccinator:outbox.sync_now')}</button>
      ${syncLine()}
      ${life.events.length ? html`<ul class="vacc-outbox" data-testid="event-list">${life.events.slice(0, OUTBOX_SHOWN).map(eventItem)}</ul>` : nothing}
      ${st.outbox.length
        ? html`<ul class="vacc-outbox" data-testid="outbox-list">${st.outbox.slice(0, OUTBOX_SHOWN).map(outboxItem)}</ul>
            ${st.outbox.length > OUTBOX_SHOWN ? html`<p class="muted">${t('vaccinator:outbox.more', { count: formatNumber(st.outbox.length - OUTBOX_SHOWN) })}</p>` : nothing}`
        : nothing}
      <div class="row vacc-files">
        <button class="btn" data-testid="export" @click=${doExport}>${t('vaccinator:file.export')}</button>
        <label class="btn vacc-import">${t('vaccinator:file.import')}
          <input type="file" accept="application/json,.json" data-testid="import" @change=${doImport} />
        </label>
      </div>
      ${st.fileNotice ? html`<p class="notice" data-testid="file-notice">${say(st.fileNotice)}</p>` : nothing}
      ${st.fileError ? html`<p class="error" data-testid="file-error">${t(st.fileError)}</p>` : nothing}`;
  };

  const view = (): TemplateResult => html`<div class="vacc" data-testid="vaccinator">
    <h1>${t('vaccinator:title')}</h1>
    ${st.restored
      ? html`<div class="notice vacc-restored" role="status" data-testid="draft-restored">
          <span>${t('vaccinator:draft.restored')}</span>
          <button class="btn btn-small" data-testid="draft-discard" @click=${() => st.discardDraft()}>${t('vaccinator:draft.discard')}</button>
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
      ${st.owner ? html`<button class="btn btn-block vacc-next" data-testid="visit-next" @click=${() => st.nextVisit()}>${t('vaccinator:vacc.next_visit')}</button>` : nothing}
    </section>
    <section class="card" aria-labelledby="vacc-life-h" data-testid="life">
      <h2 id="vacc-life-h">${t('vaccinator:life.heading')}</h2>
      ${lifeView()}
    </section>
    ${flockLife
      ? html`<section class="card" aria-labelledby="vacc-flock-life-h" data-testid="flock-life">
          <h2 id="vacc-flock-life-h">${t('vaccinator:flock_life.heading')}</h2>
          ${flockLifeView(flockLife)}
        </section>`
      : nothing}
    <section class="card" aria-labelledby="vacc-outbox-h" data-testid="outbox">
      <h2 id="vacc-outbox-h">${t('vaccinator:outbox.heading')}</h2>
      ${outboxView()}
    </section>
    ${fieldCopy ? fieldCopyView(fieldCopy) : nothing}
  </div>`;


  const onOutbox = () => {
    void st.loadOutbox();
    void life.load();
  };
  const onSync = (e: Event) => st.setSync((e as CustomEvent<SyncState>).detail);
  const onNet = () => draw();
  window.addEventListener('hp:outbox', onOutbox);
  window.addEventListener('hp:sync', onSync);
  window.addEventListener('online', onNet);
  window.addEventListener('offline', onNet);

  draw();
  void fieldCopy?.load();
  locate();
  void st.restoreDraft(firstMount).then((done) => {
    if (done) firstMount = false;
  });
  void st.loadCatalogue();
  void st.startOutbox(() => navigator.onLine);
  void life.load();

  return () => {
    copyAbort.abort();
    alive = false;
    st.close();
    window.removeEventListener('hp:outbox', onOutbox);
    window.removeEventListener('hp:sync', onSync);
    window.removeEventListener('online', onNet);
    window.removeEventListener('offline', onNet);
    render(nothing, root);
  };
};
