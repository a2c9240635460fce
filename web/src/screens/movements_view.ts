// Movements (W13) on screen: the holding pickers, an arrival's result (arrived, or a mismatch with
// the head difference and the tags missing or extra), the vet's list of mismatches and the
// inspector's incoming list with its arrival form. Used by vet.ts and inspector.ts; the decisions
// are in movements.ts.
import { api, OfflineError, TimeoutError } from '../api';
import { formatDateTime, formatNumber, language, t } from '../i18n';
import { purposeName, speciesName } from '../labels';
import {
  appendPage,
  arrivalProblem,
  arrivalScan,
  headDifference,
  loadHoldings,
  type ArrivalProblem,
  type HoldingItem,
  type MovementInfo,
  type MovementItem,
  type Page,
  type Position,
  pagePath,
  scanBody,
  unsent,
} from '../movements';
import { isArrival, type PassageRecord } from '../passages';
import { addArrival } from '../sync';
import { uuidv7 } from '../uuid';
import { scanCode } from '../scan';
import { html, nothing } from '../ui';
import { say, type Message } from './message';
import './movements.css';

// The phone's position, or null when the browser has none or the user refused it.
export function currentPosition(timeoutMs = 8000): Promise<Position | null> {
  return new Promise((resolve) => {
    if (!('geolocation' in navigator)) return resolve(null);
    try {
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude }),
        () => resolve(null),
        { timeout: timeoutMs, maximumAge: 300000 },
      );
    } catch {
      resolve(null);
    }
  });
}

export function holdingLabel(h: HoldingItem): string {
  const far = h.distance_m === undefined ? '' : ` · ${t('movement.km', { km: formatNumber(h.distance_m / 1000, { maximumFractionDigits: 1 }) })}`;
  return `${h.name} (${h.code})${far}`;
}

// A picker of holdings, none chosen by default.
export const holdingSelect = (o: { label: string; testid: string; items: HoldingItem[]; chosen: string; onPick: (id: string) => void }) =>
  html`<label class="field">${o.label}
    <select data-testid=${o.testid} @change=${(e: Event) => o.onPick((e.target as HTMLSelectElement).value)}>
      <option value="" ?selected=${o.chosen === ''}>${t('movement.no_holding')}</option>
      ${o.items.map((h) => html`<option value=${String(h.id)} ?selected=${o.chosen === String(h.id)}>${holdingLabel(h)}</option>`)}
    </select>
  </label>`;

export const holdingsNote = (near: boolean | null, error: Message | null) =>
  error
    ? html`<p class="error" data-testid="holdings-error">${say(error)}</p>`
    : near === null
      ? html`<p class="muted" data-testid="holdings-order" data-near="">${t('loading')}</p>`
      : html`<p class="muted" data-testid="holdings-order" data-near=${near ? 'true' : 'false'}>${near ? t('movement.nearest_first') : t('movement.authority_list')}</p>`;

const arrow = () => (language().dir === 'rtl' ? '←' : '→');

const tagList = (tags: string[], testid: string) =>
  html`<span data-testid=${testid} dir="ltr">${tags.length ? tags.join(', ') : '—'}</span>`;

// The arrival as recorded: arrived, or the mismatch in words.
export const arrivalResult = (m: MovementInfo, testid = 'arrival-result') => {
  const a = m.arrival;
  if (!a) return nothing;
  const diff = headDifference(m);
  return html`<div class="notice ${a.mismatch ? 'notice-warn' : ''}" role="status" data-testid=${testid} data-mismatch=${a.mismatch ? 'true' : 'false'}>
    <strong>${a.mismatch ? t('movement.result_mismatch') : t('movement.result_arrived')}</strong>
    <div data-testid="arrival-head" data-diff=${diff === null ? '' : String(diff)}>
      ${a.head_count === null
        ? t('movement.head_not_counted', { expected: formatNumber(m.head_expected) })
        : t('movement.head_counted', { counted: formatNumber(a.head_count), expected: formatNumber(m.head_expected) })}
      ${diff !== null && diff !== 0 ? html` (<bdi>${formatNumber(diff, { signDisplay: 'exceptZero' })}</bdi>)` : nothing}
    </div>
    ${a.missing_tags.length ? html`<div>${t('movement.missing_tags')}: ${tagList(a.missing_tags, 'missing-tags')}</div>` : nothing}
    ${a.extra_tags.length ? html`<div>${t('movement.extra_tags')}: ${tagList(a.extra_tags, 'extra-tags')}</div>` : nothing}
    <div class="muted">${formatDateTime(a.at)}</div>
  </div>`;
};

const itemHead = (i: MovementItem) =>
  html`<div class="mv-item-head"><strong dir="ltr" data-testid="movement-number">${i.number}</strong></div>
    <div class="muted">
      ${[purposeName(i.purpose), `${speciesName(i.species)} × ${formatNumber(i.movement.head_expected)}`, `${i.origin} ${arrow()} ${i.destination}`, i.owner_masked_name]
        .filter(Boolean)
        .map((part, n) => html`${n > 0 ? ' · ' : ''}<bdi>${part}</bdi>`)}
    </div>`;

// The button that asks for the next page of a list (shown while the server has more).
export const moreButton = (o: { testid: string; more: boolean; busy: boolean; onMore: () => void }) =>
  o.more
    ? html`<button type="button" class="btn btn-block" data-testid=${o.testid} ?disabled=${o.busy} @click=${o.onMore}>${o.busy ? t('loading') : t('movement.show_more')}</button>`
    : nothing;

// The vet's mismatches (GET /movements?status=mismatch), with the next page on request.
export const mismatchesView = (items: MovementItem[] | null, error: Message | null, more?: { more: boolean; busy: boolean; onMore: () => void }) =>
  html`<section class="card" data-testid="mismatches">
    <h2>${t('movement.mismatches_title')}</h2>
    ${error ? html`<p class="error" data-testid="mismatches-error">${say(error)}</p>` : nothing}
    ${items === null && !error ? html`<p class="muted">${t('loading')}</p>` : nothing}
    ${items && items.length === 0 ? html`<p class="muted" data-testid="mismatches-none">${t('movement.no_mismatches')}</p>` : nothing}
    <ul class="mv-list">
      ${(items ?? []).map(
        (i) => html`<li class="mv-item" data-testid="mismatch-item" data-id=${i.id} data-number=${i.number}>
          ${itemHead(i)} ${arrivalResult(i.movement, 'mismatch-result')}
        </li>`,
      )}
    </ul>
    ${more ? moreButton({ testid: 'mismatches-more', ...more }) : nothing}
  </section>`;

// --- the inspector's incoming list and arrival form ---

// Movements asked for per page of the incoming list.
export const INCOMING_PAGE = 50;

interface Answered {
  movement?: MovementInfo;
  problem?: ArrivalProblem;
  queued?: boolean; // no network: waits on the phone (issue 14 item 5)
}

// The inspector's incoming movements and the arrival of one of them. Holds its own state and asks
// the screen to draw again through `redraw`.
export class IncomingPanel {
  items: MovementItem[] | null = null;
  error: Message | null = null;
  // The server's next_cursor of the last page shown: null when every page is shown.
  cursor: string | null = null;
  loadingMore = false;
  holdings: HoldingItem[] = [];
  holdingsNear: boolean | null = null;
  holdingsError: Message | null = null;
  open: string | null = null;
  busy = false;
  answers = new Map<string, Answered>();
  // What the open form holds, per certificate (a new form starts empty).
  holding = '';
  tags = '';

  constructor(
    private readonly signal: AbortSignal,
    private readonly redraw: () => void,
  ) {}

  // The first page (`more` false), or the page after the last shown, added after it.
  async load(more = false): Promise<void> {
    if (more && (!this.cursor || this.loadingMore)) return;
    this.error = null;
    this.loadingMore = more;
    if (more) this.redraw();
    try {
      const page = await api<Page<MovementItem>>('GET', pagePath(`/movements/incoming?limit=${INCOMING_PAGE}`, more ? this.cursor : null), undefined, this.signal);
      this.items = more ? appendPage(this.items, page) : page.items;
      this.cursor = page.next_cursor;
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') return;
      this.error = err instanceof OfflineError && !(err instanceof TimeoutError) ? { key: 'movement.list_offline' } : { error: err };
    }
    this.loadingMore = false;
    this.redraw();
  }

  async loadHoldings(position: Position | null): Promise<void> {
    try {
      const got = await loadHoldings((path) => api('GET', path, undefined, this.signal), position);
      this.holdings = got.items;
      this.holdingsNear = got.near;
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') return;
      this.holdingsError = { key: 'movement.holdings_offline' };
    }
    this.redraw();
  }

  openFor(id: string | null): void {
    this.open = id;
    this.holding = '';
    this.tags = '';
    this.redraw();
  }

  async submit(item: MovementItem, form: HTMLFormElement): Promise<void> {
    const data = new FormData(form);
    // The server records a place with every use: the one typed, else the holding picked.
    const picked = this.holdings.find((h) => String(h.id) === this.holding);
    const place = String(data.get('place') ?? '').trim() || (picked ? `${picked.name} (${picked.code})` : '');
    if (!place) {
      this.answers.set(item.id, { problem: { kind: 'error', message: { key: 'movement.place_needed' } } });
      this.redraw();
      return;
    }
    const scan = arrivalScan({ holding: this.holding, head: String(data.get('head') ?? ''), tags: this.tags }, place, uuidv7(), new Date());
    this.busy = true;
    this.redraw();
    try {
      if (!navigator.onLine) throw new OfflineError();
      const cert = await api<{ movement?: MovementInfo }>('POST', `/certificates/${encodeURIComponent(item.id)}/consume`, scanBody(scan), this.signal);
      this.answers.set(item.id, { movement: cert.movement });
      this.open = null;
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') return;
      if (unsent(err)) {
        await addArrival(item.id, scan);
        this.answers.set(item.id, { queued: true });
        this.open = null;
      } else {
        const problem = arrivalProblem(err);
        this.answers.set(item.id, { problem });
        if (problem.kind === 'conflict') this.open = null;
      }
    }
    this.busy = false;
    this.redraw();
  }

  async scanTag(): Promise<void> {
    try {
      const text = await scanCode({ kind: 'tag' });
      if (!text) return;
      this.tags = this.tags.trim() ? `${this.tags.trim()}\n${text}` : text;
    } catch {
      /* no camera: the tags are typed */
    }
    this.redraw();
  }
}

export const problemView = (p: ArrivalProblem) =>
  p.kind === 'conflict'
    ? html`<div class="error big-message" role="alert" data-testid="arrival-conflict" data-recorded=${p.recorded ? 'true' : 'false'}>
        <strong>${t('movement.already_arrived')}</strong>
        ${p.at ? html`<div>${t('inspector:first_used', { date: formatDateTime(p.at), place: p.place ?? '', by: p.by ?? '' })}</div>` : nothing}
        ${p.recorded ? html`<div>${t('movement.double_use_recorded')}</div>` : nothing}
      </div>`
    : html`<p class="error" role="alert" data-testid="arrival-error">${say(p.message)}</p>`;

// The fields of an arrival (holding, head counted, tags seen), inside a form the caller makes.
export const arrivalFields = (o: {
  holdings: HoldingItem[];
  holding: string;
  onHolding: (id: string) => void;
  tags: string;
  onTags: (text: string) => void;
  onScan: () => void;
  maxHead?: number;
}) =>
  html`${holdingSelect({ label: t('movement.arrival_holding'), testid: 'arrival-holding', items: o.holdings, chosen: o.holding, onPick: o.onHolding })}
    <label class="field">${t('movement.head_label')}
      <input name="head" type="number" inputmode="numeric" min="0" max=${o.maxHead ?? nothing} data-testid="arrival-head-count" />
    </label>
    <label class="field">${t('movement.tags_label')}
      <textarea
        rows="3"
        dir="ltr"
        spellcheck="false"
        autocapitalize="off"
        data-testid="arrival-tags"
        placeholder=${t('movement.tags_hint')}
        .value=${o.tags}
        @input=${(e: Event) => o.onTags((e.target as HTMLTextAreaElement).value)}
      ></textarea>
    </label>
    <button type="button" class="btn btn-small" data-testid="arrival-scan" @click=${o.onScan}>${t('movement.scan_tag')}</button>`;

export const incomingView = (p: IncomingPanel) =>
  html`<section class="card" data-testid="incoming" data-state=${p.error ? 'error' : p.items === null ? 'loading' : 'loaded'}>
    <h1>${t('movement.incoming_title')}</h1>
    ${p.error ? html`<p class="error" data-testid="incoming-error">${say(p.error)}</p>` : nothing}
    ${p.items === null && !p.error ? html`<p class="muted">${t('loading')}</p>` : nothing}
    ${p.items && p.items.length === 0 ? html`<p class="muted" data-testid="incoming-none">${t('movement.no_incoming')}</p>` : nothing}
    <ul class="mv-list">
      ${(p.items ?? []).map((i) => {
        const answer = p.answers.get(i.id);
        return html`<li class="mv-item" data-testid="incoming-item" data-id=${i.id} data-number=${i.number}>
          ${itemHead(i)}
          <div>${t('movement.expected_tags')}: ${tagList(i.tags, 'incoming-tags')}</div>
          <div class="muted">${t('inspector:claim.valid_until')}: ${formatDateTime(i.valid_until)}</div>
          ${answer?.movement ? arrivalResult(answer.movement) : nothing}
          ${answer?.problem ? problemView(answer.problem) : nothing}
          ${answer?.queued ? html`<p class="notice" role="status" data-testid="arrival-queued">${t('movement.arrival_queued')}</p>` : nothing}
          ${p.open !== i.id && !answer?.movement && !answer?.queued && answer?.problem?.kind !== 'conflict'
            ? html`<button class="btn btn-primary btn-small" data-testid="arrival-open" @click=${() => p.openFor(i.id)}>${t('movement.record_arrival')}</button>`
            : nothing}
          ${p.open === i.id
            ? html`<form
                class="consume-form"
                data-testid="arrival-form"
                @submit=${(e: Event) => {
                  e.preventDefault();
                  void p.submit(i, e.target as HTMLFormElement);
                }}
              >
                ${holdingsNote(p.holdingsNear, p.holdingsError)}
                <label class="field">${t('movement.place_label')}
                  <input name="place" maxlength="200" data-testid="arrival-place" />
                </label>
                ${arrivalFields({
                  holdings: p.holdings,
                  holding: p.holding,
                  onHolding: (id) => (p.holding = id),
                  tags: p.tags,
                  onTags: (text) => (p.tags = text),
                  onScan: () => void p.scanTag(),
                  maxHead: i.movement.head_expected,
                })}
                <div class="row">
                  <button class="btn btn-primary" ?disabled=${p.busy} data-testid="arrival-submit">${t('movement.confirm_arrival')}</button>
                  <button type="button" class="btn" @click=${() => p.openFor(null)}>${t('cancel')}</button>
                </div>
              </form>`
            : nothing}
        </li>`;
      })}
    </ul>
    ${moreButton({ testid: 'incoming-more', more: p.cursor !== null, busy: p.loadingMore, onMore: () => void p.load(true) })}
  </section>`;

// --- issue 14 item 5: arrivals scanned on this phone, and double uses ---

// The state of an arrival kept on the phone: waiting, consumed, a double use (the first use named),
// or refused.
export function arrivalState(r: PassageRecord): 'pending' | 'arrived' | 'double_use' | 'rejected' {
  if (r.state === 'pending') return 'pending';
  if (r.state === 'rejected') return 'rejected';
  return r.answer?.status === 'double_use' ? 'double_use' : 'arrived';
}

// The arrivals this phone scanned (newest first), with what the server answered.
export const arrivalsView = (records: PassageRecord[]) => {
  const list = records.filter(isArrival);
  if (!list.length) return nothing;
  return html`<section class="card" data-testid="arrival-scans">
    <h2>${t('movement.scans_title')}</h2>
    <ul class="mv-list">
      ${list.map((r) => {
        const state = arrivalState(r);
        const first = r.answer?.first;
        return html`<li class="mv-item ${state === 'double_use' || state === 'rejected' ? 'error' : ''}" data-testid="arrival-scan" data-id=${r.id} data-state=${state}>
          <strong dir="ltr">${r.record.certificate}</strong> · ${formatDateTime(r.record.at)} · ${r.record.place}
          <div data-testid="arrival-scan-state">
            ${state === 'pending' ? t('movement.scan_waiting') : nothing}
            ${state === 'arrived' ? t('movement.scan_arrived') : nothing}
            ${state === 'double_use'
              ? html`<strong>${t('movement.already_arrived')}</strong>
                  <div>${t('inspector:first_used', { date: first?.at ? formatDateTime(first.at) : '', place: first?.place ?? '', by: first?.by ?? '' })}</div>
                  <div>${t('movement.double_use_recorded')}</div>`
              : nothing}
            ${state === 'rejected' ? t('inspector:passage.refused', { field: r.error?.field ?? '' }) : nothing}
          </div>
        </li>`;
      })}
    </ul>
  </section>`;
};

interface UseItem {
  id: string;
  double_use: boolean;
  scanned_at: string;
  received_at: string;
  by: string;
  place: string;
  holding: number | null;
}

interface DoubleUseItem {
  id: string;
  number: string;
  origin: string;
  destination: string;
  uses: UseItem[];
}

// GET /double-uses: the certificates used more than once that the user may see (the inspectors of
// both scans and the origin vet), each with every use.
export class DoubleUsePanel {
  items: DoubleUseItem[] | null = null;
  error: Message | null = null;

  constructor(
    private readonly signal: AbortSignal,
    private readonly redraw: () => void,
  ) {}

  async load(): Promise<void> {
    this.error = null;
    try {
      const page = await api<Page<DoubleUseItem>>('GET', '/double-uses?limit=50', undefined, this.signal);
      this.items = page.items;
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') return;
      this.error = err instanceof OfflineError && !(err instanceof TimeoutError) ? { key: 'movement.list_offline' } : { error: err };
    }
    this.redraw();
  }
}

// Shown only while there is something to say (a double use, or the list could not be read): the
// inspector's phone check stays short (at most 3 screens) on the days with none.
export const doubleUsesView = (p: DoubleUsePanel) =>
  html`<section class="card" data-testid="double-uses" data-state=${p.error ? 'error' : p.items === null ? 'loading' : 'loaded'}
      ?hidden=${!p.error && (p.items === null || p.items.length === 0)}>
    <h2>${t('movement.double_uses_title')}</h2>
    ${p.error ? html`<p class="error" data-testid="double-uses-error">${say(p.error)}</p>` : nothing}
    <ul class="mv-list">
      ${(p.items ?? []).map(
        (i) => html`<li class="mv-item" data-testid="double-use" data-id=${i.id} data-number=${i.number}>
          <strong dir="ltr">${i.number}</strong> · <span dir="ltr" class="nowrap">${i.origin} ${arrow()} ${i.destination}</span>
          <ol class="mv-uses">
            ${i.uses.map(
              (u) => html`<li data-testid="double-use-scan" data-double=${u.double_use ? 'true' : 'false'}>
                <strong>${u.double_use ? t('movement.use_double') : t('movement.use_first')}</strong>:
                ${t('movement.use_line', { by: u.by, place: u.place, scanned: formatDateTime(u.scanned_at), received: formatDateTime(u.received_at) })}
              </li>`,
            )}
          </ol>
        </li>`,
      )}
    </ul>
  </section>`;
