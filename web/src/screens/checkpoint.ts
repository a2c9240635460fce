// The inspector's checkpoint scan (issue 12 item 4): after a certificate is checked (scanned or
// pasted above, src/screens/inspector.ts), or with its number typed, the inspector picks the
// checkpoint (border post, market, quarantine station) where they stand, the head seen and a note,
// and records the passage. It is saved on the phone first (passages.ts, the `passages` store) and
// sent once when there is a network; the list below says, per passage, whether it waits, was
// refused, or was stored, and when the server flagged it (the certificate revoked, used or expired
// when scanned), why. The places are fetched while online and kept on the phone for offline use.
import { live } from 'lit-html/directives/live.js';
import { api } from '../api';
import { kvGet, kvSet } from '../db';
import { formatDateTime, formatNumber, t } from '../i18n';
import { allPages, filterHoldings } from '../movements';
import { EMPTY_PASSAGE, passageFrom, type PassageErrors, type PassageBody, type PassageForm, type PassageRecord } from '../passages';
import { addPassage, listPassages } from '../sync';
import { html, nothing } from '../ui';
import { uuidv7 } from '../uuid';

export const PASSAGE_KINDS = ['checkpoint', 'border_post', 'market', 'quarantine_station'] as const;
const PLACES_KEY = 'passage-places';
// Places asked for per page; at most 20 pages of each kind are kept on the phone.
const PLACES_PAGE = 200;

interface Place {
  id: number;
  code: string;
  name: string;
  kind: string;
}

// With more places than this the picker has a search field.
const PLACE_SEARCH_FROM = 8;

export class Checkpoint {
  form: PassageForm = { ...EMPTY_PASSAGE };
  errors: PassageErrors = {};
  places: Place[] = [];
  passages: PassageRecord[] = [];
  saved = false;
  // What the inspector typed to find the place among many (not sent; narrows the list).
  placeQuery = '';
  // Folded until asked for (or a certificate is checked): the phone check above stays short.
  open = false;
  onChange: () => void = () => {};

  // The places where passages are recorded, from the server when online (kept), else as kept.
  async load(signal?: AbortSignal): Promise<void> {
    const kept = await kvGet<Place[]>(PLACES_KEY);
    if (kept) this.places = kept;
    await this.refreshList();
    if (!navigator.onLine) return;
    try {
      // Every page of each kind (the server has no search by name): the phone searches them,
      // offline too.
      const found: Place[] = [];
      for (const kind of PASSAGE_KINDS) {
        found.push(...(await allPages<Place>((path) => api('GET', path, undefined, signal), `/holdings?kind=${kind}&limit=${PLACES_PAGE}`)));
      }
      this.places = found.map(({ id, code, name, kind }) => ({ id, code, name, kind }));
      await kvSet(PLACES_KEY, this.places);
    } catch {
      // Offline or refused: the kept list stays.
    }
    this.onChange();
  }

  async refreshList(): Promise<void> {
    this.passages = await listPassages();
    this.onChange();
  }

  // The certificate checked above: its id (or number) and head count, for the form.
  useCertificate(certificate: string | undefined): void {
    if (certificate && !this.form.certificate) {
      this.form = { ...this.form, certificate };
      this.open = true;
    }
  }

  async save(maxHead?: number): Promise<void> {
    const made = passageFrom(this.form, uuidv7(), new Date(), maxHead);
    this.saved = false;
    if (!made.ok) {
      this.errors = made.errors;
      this.onChange();
      return;
    }
    this.errors = {};
    await addPassage(made.certificate, made.body);
    this.form = { ...EMPTY_PASSAGE, holding: this.form.holding }; // the inspector stays at one place
    this.saved = true;
    await this.refreshList();
  }

  view(maxHead: number | undefined) {
    const f = this.form;
    const set = (key: keyof PassageForm) => (e: Event) => {
      this.form = { ...this.form, [key]: (e.target as HTMLInputElement).value };
    };
    const err = (key: keyof PassageForm) =>
      this.errors[key] ? html`<span class="error" data-testid=${'passage-error-' + key}>${t(this.errors[key]!)}</span>` : nothing;
    const submit = (e: Event) => {
      e.preventDefault();
      void this.save(maxHead);
    };
    const waiting = this.passages.filter((p) => p.state === 'pending').length;
    if (!this.open) {
      return html`<section class="card" data-testid="passage-card" data-open="false">
        <button class="btn btn-block" data-testid="passage-open" @click=${() => ((this.open = true), this.onChange())}>
          ${t('inspector:passage.title')}${waiting ? html` · ${t('inspector:passage.waiting')}: ${formatNumber(waiting)}` : nothing}
        </button>
      </section>`;
    }
    return html`<section class="card" data-testid="passage-card" data-open="true">
      <h1>${t('inspector:passage.title')}</h1>
      <form @submit=${submit} data-testid="passage-form" novalidate>
        <label class="field">${t('inspector:passage.certificate')}
          <input dir="ltr" autocomplete="off" data-testid="passage-certificate" .value=${live(f.certificate)} @input=${set('certificate')} />
          ${err('certificate')}
        </label>
        ${this.places.length > PLACE_SEARCH_FROM
          ? html`<label class="field">${t('inspector:passage.place_search')}
              <input type="search" autocomplete="off" data-testid="passage-place-search" .value=${live(this.placeQuery)}
                @input=${(e: Event) => ((this.placeQuery = (e.target as HTMLInputElement).value), this.onChange())} />
            </label>`
          : nothing}
        <label class="field">${t('inspector:passage.place')}
          <select dir="auto" data-testid="passage-holding" .value=${live(f.holding)} @change=${set('holding')}>
            <option value="">${this.places.length ? t('inspector:passage.place_pick') : t('inspector:passage.place_none')}</option>
            ${this.shownPlaces().map((p) => html`<option value=${String(p.id)} ?selected=${String(p.id) === f.holding}>${p.name} (${p.code})</option>`)}
          </select>
          ${err('holding')}
        </label>
        <label class="field">${maxHead !== undefined ? t('inspector:passage.head_of', { n: formatNumber(maxHead) }) : t('inspector:passage.head')}
          <input type="number" inputmode="numeric" min="0" dir="ltr" data-testid="passage-head" .value=${live(f.head_seen)} @input=${set('head_seen')} />
          ${err('head_seen')}
        </label>
        <label class="field">${t('inspector:passage.note')}
          <input maxlength="500" data-testid="passage-note" .value=${live(f.note)} @input=${set('note')} />
          ${err('note')}
        </label>
        <button class="btn btn-primary btn-block" data-testid="passage-save">${t('inspector:passage.save')}</button>
        ${this.saved
          ? html`<p class="notice" role="status" data-testid="passage-saved">${navigator.onLine ? t('inspector:passage.saved') : t('inspector:passage.saved_offline')}</p>`
          : nothing}
      </form>
      ${this.passages.length
        ? html`<ul class="passages" data-testid="passage-list">
            ${this.passages.map((p) => this.item(p))}
          </ul>`
        : nothing}
    </section>`;
  }

  // The places the picker offers: those the search leaves, and the one picked even when the search
  // leaves it out (a pick is never dropped by typing).
  shownPlaces(): Place[] {
    const found = filterHoldings(this.places, this.placeQuery);
    const picked = this.places.find((p) => String(p.id) === this.form.holding);
    return picked && !found.includes(picked) ? [picked, ...found] : found;
  }

  private item(p: PassageRecord) {
    const flag = p.answer?.flag;
    const state = p.state === 'sent' ? (flag ? 'flagged' : 'sent') : p.state;
    return html`<li data-testid="passage-item" data-id=${p.id} data-state=${state} class=${state === 'flagged' || state === 'rejected' ? 'error' : ''}>
      <strong dir="ltr">${p.answer?.certificate_number ?? p.record.certificate}</strong> · ${formatDateTime(p.record.at)} ·
      ${t('inspector:passage.head_seen', { n: formatNumber((p.record as PassageBody).head_seen) })}
      <div data-testid="passage-state">
        ${state === 'pending' ? t('inspector:passage.waiting') : nothing}
        ${state === 'sent' ? t('inspector:passage.stored') : nothing}
        ${state === 'flagged' ? html`<strong>${t('inspector:passage.flag.' + flag)}</strong>` : nothing}
        ${state === 'rejected' ? t('inspector:passage.refused', { field: p.error?.field ?? '' }) : nothing}
      </div>
    </li>`;
  }
}
