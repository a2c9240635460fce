// The outbreak screen (W14, issue 13 items 1 and 2). A vaccinator or vet reports a suspected
// outbreak at a holding: saved on the phone at once and sent with the W1 records (outbreaks.ts,
// sync.ts), offline too. Vets and administrators see the reports of their jurisdiction, newest
// first, a report that arrives while the screen is open marked new; a vet confirms one (with the
// laboratory's reference) or rules it out.
//
// How new reports arrive: the screen asks GET /outbreaks again every POLL_MS while it is open, the
// page is visible and the phone online, and at once when the network comes back or the page is
// shown again. The app already works this way (sync.ts sends on a timer and on `online`); the server
// answers request by request behind the same limits and proxies as every other call, where
// server-sent events would hold one connection per open screen through Asio, nginx and the service
// worker, and a phone that sleeps drops them anyway. A report reaches an open screen within
// POLL_MS of being stored; each read is audited by the server (outbreak.list).
import { live } from 'lit-html/directives/live.js';
import { api } from '../api';
import { session } from '../auth';
import { loadCatalogue } from '../catalogue';
import { kvGet, kvSet } from '../db';
import { formatDate, formatDateTime, formatNumber, t } from '../i18n';
import { diseaseName, speciesName } from '../labels';
import { loadHoldings, type HoldingItem } from '../movements';
import { EMPTY_REPORT, localDay, OutbreakBoard, reportFrom, type OutbreakItem, type OutbreakRecord, type ReportErrors, type ReportForm } from '../outbreaks';
import { addOutbreak, listOutbreakReports } from '../sync';
import { errorBox, html, nothing, render, type Mount } from '../ui';
import { uuidv7 } from '../uuid';
import type { Catalogue } from '../wire';
import { currentPosition } from './movements_view';
import './outbreaks.css';

export const POLL_MS = 10_000;
const HOLDINGS_KEY = 'outbreak-holdings';

const statusWords = (s: string) => t('outbreak:status.' + s);

export const mount: Mount = (root) => {
  const s = session();
  const role = s?.user.role;
  const canReport = role === 'vaccinator' || role === 'vet';
  const canSee = role === 'vet' || role === 'admin';
  const canDecide = role === 'vet';
  const controller = new AbortController();
  let alive = true;

  let form: ReportForm = { ...EMPTY_REPORT };
  let errors: ReportErrors = {};
  let saved = false;
  let locating = false;
  let located: boolean | null = null;
  let catalogue: Catalogue | null = null;
  let holdings: HoldingItem[] = [];
  let mine: OutbreakRecord[] = [];
  // The report the vet has open, and what they typed for it.
  let open: string | null = null;
  let lab = '';
  let note = '';
  let decideError: string | null = null;
  let decideFailure: unknown = null;
  let busy = false;
  // A vaccinator comes here to report: the form is open. A vet comes mostly for the reports: theirs
  // is folded below them until asked for.
  let reportOpen = role === 'vaccinator';

  const board = new OutbreakBoard({
    list: () => api('GET', '/outbreaks?limit=200', undefined, controller.signal),
    decide: (id, action, body) => api('POST', `/outbreaks/${encodeURIComponent(id)}/${action}`, body, controller.signal),
  });

  const holdingName = (id: number) => {
    const h = holdings.find((x) => x.id === id);
    return h ? `${h.name} (${h.code})` : `#${id}`;
  };

  const set = (key: keyof ReportForm) => (e: Event) => {
    form = { ...form, [key]: (e.target as HTMLInputElement).value };
    if (key === 'disease') {
      // A species the disease does not affect is cleared, never swapped for another.
      const d = catalogue?.diseases.find((x) => x.code === form.disease);
      if (d && form.species && !d.species.includes(form.species)) form = { ...form, species: '' };
      draw();
    }
  };

  const err = (key: keyof ReportForm) => (errors[key] ? html`<span class="error" data-testid=${'outbreak-error-' + key}>${t(errors[key]!)}</span>` : nothing);

  const locate = async () => {
    locating = true;
    draw();
    const p = await currentPosition();
    if (!alive) return;
    locating = false;
    located = p !== null;
    // Only on the reporter's asking, for this report: the form never starts with a position.
    if (p) form = { ...form, lat: p.lat.toFixed(6), lon: p.lon.toFixed(6) };
    draw();
  };

  const save = async (e: Event) => {
    e.preventDefault();
    const made = reportFrom(form, uuidv7(), localDay(new Date()), catalogue?.diseases ?? []);
    saved = false;
    if (!made.ok) {
      errors = made.errors;
      draw();
      return;
    }
    errors = {};
    const h = holdings.find((x) => x.id === made.body.holding);
    await addOutbreak(made.body, h ? `${h.name} (${h.code})` : undefined);
    form = { ...EMPTY_REPORT };
    located = null;
    saved = true;
    await refreshMine();
  };

  const refreshMine = async () => {
    mine = await listOutbreakReports();
    if (alive) draw();
  };

  const decide = async (id: string, action: 'confirm' | 'rule-out') => {
    busy = true;
    decideError = null;
    decideFailure = null;
    draw();
    try {
      decideError = await board.decide(id, action, lab, note);
      if (!decideError) {
        open = null;
        lab = '';
        note = '';
      }
    } catch (e) {
      if ((e as Error)?.name === 'AbortError') return;
      decideFailure = e;
    }
    busy = false;
    draw();
  };

  const diseaseOptions = () => catalogue?.diseases ?? [];
  const speciesOptions = () => {
    const d = catalogue?.diseases.find((x) => x.code === form.disease);
    const all = catalogue?.species ?? [];
    return d ? all.filter((sp) => d.species.includes(sp.code)) : all;
  };

  const reportView = () =>
    reportOpen
      ? reportForm()
      : html`<section class="card" data-testid="outbreak-report" data-open="false">
          <button class="btn btn-block" data-testid="outbreak-report-open" @click=${() => ((reportOpen = true), draw())}>${t('outbreak:report_title')}</button>
        </section>`;

  const reportForm = () => html`<section class="card" data-testid="outbreak-report" data-open="true">
    <h1>${t('outbreak:report_title')}</h1>
    <p class="muted">${t('outbreak:report_hint')}</p>
    <form @submit=${save} data-testid="outbreak-form" novalidate>
      <label class="field">${t('outbreak:holding')}
        <select dir="auto" data-testid="outbreak-holding" .value=${live(form.holding)} @change=${set('holding')}>
          <option value="">${holdings.length ? t('outbreak:holding_pick') : t('outbreak:holding_none')}</option>
          ${holdings.map((h) => html`<option value=${String(h.id)} ?selected=${String(h.id) === form.holding}>${h.name} (${h.code})</option>`)}
        </select>
        ${err('holding')}
      </label>
      <label class="field">${t('outbreak:disease')}
        <select data-testid="outbreak-disease" .value=${live(form.disease)} @change=${set('disease')}>
          <option value="">${t('outbreak:pick')}</option>
          ${diseaseOptions().map((d) => html`<option value=${d.code} ?selected=${d.code === form.disease}>${diseaseName(d.code, d.name)}</option>`)}
        </select>
        ${err('disease')}
      </label>
      <label class="field">${t('outbreak:species')}
        <select data-testid="outbreak-species" .value=${live(form.species)} @change=${set('species')}>
          <option value="">${t('outbreak:pick')}</option>
          ${speciesOptions().map((sp) => html`<option value=${sp.code} ?selected=${sp.code === form.species}>${speciesName(sp.code, sp.name)}</option>`)}
        </select>
        ${err('species')}
      </label>
      <label class="field">${t('outbreak:first_signs')}
        <input type="date" dir="ltr" data-testid="outbreak-first-signs" max=${localDay(new Date())} .value=${live(form.first_signs_on)} @input=${set('first_signs_on')} />
        ${err('first_signs_on')}
      </label>
      <div class="ob-pair">
        <label class="field">${t('outbreak:head_sick')}
          <input type="number" inputmode="numeric" min="0" dir="ltr" data-testid="outbreak-head-sick" .value=${live(form.head_sick)} @input=${set('head_sick')} />
          ${err('head_sick')}
        </label>
        <label class="field">${t('outbreak:head_dead')}
          <input type="number" inputmode="numeric" min="0" dir="ltr" data-testid="outbreak-head-dead" .value=${live(form.head_dead)} @input=${set('head_dead')} />
          ${err('head_dead')}
        </label>
      </div>
      <fieldset class="ob-gps">
        <legend>${t('outbreak:position')}</legend>
        <button type="button" class="btn btn-small" data-testid="outbreak-locate" ?disabled=${locating} @click=${locate}>
          ${locating ? t('outbreak:locating') : t('outbreak:locate')}
        </button>
        ${located === false ? html`<p class="muted" data-testid="outbreak-no-position">${t('outbreak:no_position')}</p>` : nothing}
        <div class="ob-pair">
          <label class="field">${t('outbreak:lat')}
            <input inputmode="decimal" dir="ltr" autocomplete="off" data-testid="outbreak-lat" .value=${live(form.lat)} @input=${set('lat')} />
            ${err('lat')}
          </label>
          <label class="field">${t('outbreak:lon')}
            <input inputmode="decimal" dir="ltr" autocomplete="off" data-testid="outbreak-lon" .value=${live(form.lon)} @input=${set('lon')} />
            ${err('lon')}
          </label>
        </div>
      </fieldset>
      <label class="field">${t('outbreak:note')}
        <textarea rows="2" maxlength="1000" data-testid="outbreak-note" .value=${live(form.note)} @input=${set('note')}></textarea>
        ${err('note')}
      </label>
      <button class="btn btn-primary btn-block" data-testid="outbreak-save">${t('outbreak:save')}</button>
      ${saved
        ? html`<p class="notice" role="status" data-testid="outbreak-saved">${navigator.onLine ? t('outbreak:saved') : t('outbreak:saved_offline')}</p>`
        : nothing}
    </form>
    ${mine.length
      ? html`<h2>${t('outbreak:mine')}</h2>
          <ul class="ob-list" data-testid="outbreak-mine">
            ${mine.map(
              (r) => html`<li data-testid="outbreak-mine-item" data-id=${r.id} data-state=${r.state} class=${r.state === 'rejected' ? 'error' : ''}>
                <strong>${diseaseName(r.record.disease)}</strong> · ${speciesName(r.record.species)} ·
                <bdi>${r.record.holding_name ?? `#${r.record.holding}`}</bdi>
                <div>${r.state === 'pending' ? t('outbreak:waiting') : r.state === 'sent' ? t('outbreak:sent') : t('outbreak:refused', { field: r.error?.field ?? '' })}</div>
              </li>`,
            )}
          </ul>`
      : nothing}
  </section>`;

  const decisionForm = (o: OutbreakItem) => html`<div class="ob-decide" data-testid="outbreak-decide">
    <label class="field">${t('outbreak:lab_reference')}
      <input dir="ltr" autocomplete="off" maxlength="100" data-testid="outbreak-lab" .value=${live(lab)} @input=${(e: Event) => (lab = (e.target as HTMLInputElement).value)} />
    </label>
    <label class="field">${t('outbreak:decision_note')}
      <input maxlength="1000" data-testid="outbreak-decision-note" .value=${live(note)} @input=${(e: Event) => (note = (e.target as HTMLInputElement).value)} />
    </label>
    ${decideError ? html`<p class="error" role="alert" data-testid="outbreak-decide-error">${t(decideError)}</p>` : nothing}
    ${decideFailure ? errorBox(decideFailure, undefined, 'outbreak-decide-failure') : nothing}
    <div class="row">
      <button class="btn btn-primary" ?disabled=${busy} data-testid="outbreak-confirm" @click=${() => decide(o.id, 'confirm')}>${t('outbreak:confirm')}</button>
      <button class="btn" ?disabled=${busy} data-testid="outbreak-rule-out" @click=${() => decide(o.id, 'rule-out')}>${t('outbreak:rule_out')}</button>
    </div>
  </div>`;

  const itemView = (o: OutbreakItem) => {
    const isNew = board.fresh.has(o.id);
    return html`<li class="ob-item st-${o.status} ${isNew ? 'ob-new' : ''}" data-testid="outbreak-item" data-id=${o.id} data-status=${o.status} data-new=${isNew ? 'true' : 'false'}>
      <div class="ob-head">
        <strong>${diseaseName(o.disease)}</strong> · ${speciesName(o.species)}
        ${isNew ? html`<span class="badge badge-warn" data-testid="outbreak-new">${t('outbreak:new')}</span>` : nothing}
        <span class="badge" data-testid="outbreak-status">${statusWords(o.status)}</span>
      </div>
      <div><bdi data-testid="outbreak-holding-name">${holdingName(o.holding)}</bdi> · <span dir="ltr">${o.authority}</span></div>
      <div>${t('outbreak:first_signs_on', { date: formatDate(o.first_signs_on) })} ·
        ${t('outbreak:sick_dead', { sick: formatNumber(o.head_sick), dead: formatNumber(o.head_dead) })}</div>
      <div class="muted">${t('outbreak:reported_at', { at: formatDateTime(o.reported_at) })} ·
        <span dir="ltr">${formatNumber(o.lat, { maximumFractionDigits: 5 })}; ${formatNumber(o.lon, { maximumFractionDigits: 5 })}</span></div>
      ${o.note ? html`<div dir="auto">${o.note}</div>` : nothing}
      ${o.status === 'confirmed' ? html`<div data-testid="outbreak-lab-shown">${t('outbreak:lab_shown', { lab: o.lab_reference ?? '' })}</div>` : nothing}
      ${canDecide && o.status === 'reported'
        ? open === o.id
          ? decisionForm(o)
          : html`<button class="btn btn-small" data-testid="outbreak-open" @click=${() => {
              open = o.id;
              lab = '';
              note = '';
              decideError = null;
              decideFailure = null;
              board.seen(o.id);
              draw();
            }}>${t('outbreak:decide')}</button>`
        : nothing}
    </li>`;
  };

  const boardView = () => html`<section class="card" data-testid="outbreak-board">
    <h1>${t('outbreak:board_title')}</h1>
    ${board.error ? errorBox(board.error, () => void poll(), 'outbreak-board-error') : nothing}
    ${board.items === null
      ? html`<p class="muted">${t('loading')}</p>`
      : board.items.length === 0
        ? html`<p class="muted" data-testid="outbreak-none">${t('outbreak:none')}</p>`
        : html`<ul class="ob-list" data-testid="outbreak-items">${board.items.map(itemView)}</ul>`}
  </section>`;

  function draw(): void {
    if (!alive) return;
    render(html`<div class="screen outbreaks">${canSee ? boardView() : nothing}${canReport ? reportView() : nothing}</div>`, root);
  }

  let polling = false;
  const poll = async () => {
    if (!canSee || polling || !navigator.onLine || document.visibilityState === 'hidden') return;
    polling = true;
    await board.refresh();
    polling = false;
    draw();
  };
  const timer = canSee ? window.setInterval(() => void poll(), POLL_MS) : undefined;
  const onOnline = () => void poll();
  const onVisible = () => void poll();
  const onOutbox = () => void refreshMine();
  window.addEventListener('online', onOnline);
  document.addEventListener('visibilitychange', onVisible);
  window.addEventListener('hp:outbox', onOutbox);

  draw();
  void (async () => {
    holdings = (await kvGet<HoldingItem[]>(HOLDINGS_KEY).catch(() => undefined)) ?? [];
    await refreshMine();
    const got = await loadCatalogue({ getJson: (path) => api('GET', path, undefined, controller.signal), kv: { get: kvGet, set: kvSet } }, (c) => {
      catalogue = c;
      draw();
    });
    if (got.catalogue) catalogue = got.catalogue;
    draw();
    if (navigator.onLine) {
      try {
        // The holdings of the user's authority, kept for a report made with no network.
        holdings = (await loadHoldings((path) => api('GET', path, undefined, controller.signal), null)).items;
        await kvSet(HOLDINGS_KEY, holdings);
      } catch {
        // Offline or refused: the kept list stays.
      }
      draw();
    }
    await poll();
  })();

  return () => {
    alive = false;
    if (timer !== undefined) window.clearInterval(timer);
    window.removeEventListener('online', onOnline);
    document.removeEventListener('visibilitychange', onVisible);
    window.removeEventListener('hp:outbox', onOutbox);
    controller.abort();
    render(nothing, root);
  };
};
