// W10, the field copy's card (inspector and vaccinator): take a copy of a district of the user's
// jurisdiction, its size and age, refresh it (only the changes come), delete it, and how many days
// the phone keeps it. The copy itself: fieldcopy.ts.
import { OfflineError, TimeoutError } from '../api';
import { session } from '../auth';
import {
  CopyTooLargeError,
  DEFAULT_KEEP_DAYS,
  idbCopyStore,
  inSubtree,
  keepDaysSetting,
  setKeepDays,
  takeCopy,
  usableCopy,
  type CopyMeta,
} from '../fieldcopy';
import { formatDateTime, formatNumber, t } from '../i18n';
import { html, nothing } from '../ui';
import { say, type Message } from './message';
import './field_copy.css';

const DAY_CHOICES = [1, 3, 7, 14, 30];

import { ageWords, isolate } from '../age';

export { ageWords };

// A line that starts with the age ("жаңа ғана алынды") starts with a capital.
const sentence = (s: string) => s.charAt(0).toLocaleUpperCase() + s.slice(1);

// Bytes as KB or MB.
export function sizeWords(bytes: number): string {
  if (bytes >= 1_000_000) return isolate(t('fieldcopy.size_mb', { n: formatNumber(bytes / 1_000_000, { maximumFractionDigits: 1 }) }));
  return isolate(t('fieldcopy.size_kb', { n: formatNumber(Math.max(1, Math.round(bytes / 1000))) }));
}

export class FieldCopyPanel {
  meta: CopyMeta | null = null;
  busy = false;
  error: Message | null = null;
  // A copy too large (413): the server's limit (its max_rows), said in the user's words with what
  // to narrow; the server's own detail is English.
  tooLarge: number | null = null;
  days = DEFAULT_KEEP_DAYS;
  area = session()?.user.authority ?? '';
  loaded = false;
  open = false;

  constructor(
    private readonly signal: AbortSignal,
    private readonly redraw: () => void,
  ) {}

  redrawNow(): void {
    this.redraw();
  }

  async load(): Promise<void> {
    this.days = await keepDaysSetting();
    this.meta = await usableCopy(await idbCopyStore(), session()?.user.id !== undefined ? String(session()?.user.id) : undefined, this.days, new Date());
    if (this.meta) this.area = this.meta.authority;
    this.loaded = true;
    this.redraw();
  }

  async take(): Promise<void> {
    const s = session();
    if (!s || this.busy) return;
    const area = this.area.trim().toUpperCase();
    this.error = null;
    this.tooLarge = null;
    if (!inSubtree(s.user.authority, area)) {
      this.error = { key: 'fieldcopy.outside', values: { area: s.user.authority } };
      this.redraw();
      return;
    }
    this.busy = true;
    this.redraw();
    // bench/web/fieldcopy_bench.mjs reads the 'hp-fieldcopy-take' measure: request to stored.
    const start = performance.now();
    try {
      const store = await idbCopyStore();
      // Another area than the copy held: the new one replaces it.
      if (this.meta && this.meta.authority !== area) await store.wipe();
      this.meta = await takeCopy(store, { user_id: String(s.user.id), authority: area, token: s.token }, this.days, () => new Date(), this.signal);
      performance.measure('hp-fieldcopy-take', { start, detail: { records: this.meta.records, transferred: this.meta.last_transfer } });
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') return;
      if (err instanceof CopyTooLargeError) this.tooLarge = Number(err.problem.max_rows) || 0;
      else if (err instanceof OfflineError && !(err instanceof TimeoutError)) this.error = { key: 'fieldcopy.offline' };
      else this.error = { error: err };
    } finally {
      this.busy = false;
    }
    this.redraw();
  }

  async remove(): Promise<void> {
    await (await idbCopyStore()).wipe();
    this.meta = null;
    this.redraw();
  }

  async setDays(days: number): Promise<void> {
    this.days = await setKeepDays(days);
    await this.load();
  }
}

// Folded to one line (its state) until opened, so that the phone check above stays short; open
// while it has something to say (busy, an error).
export const fieldCopyView = (p: FieldCopyPanel) => {
  const m = p.meta;
  const now = new Date();
  const open = p.open || p.busy || p.error !== null || p.tooLarge !== null;
  return html`<details class="card fieldcopy-card" data-testid="fieldcopy" data-state=${!p.loaded ? 'loading' : m ? 'held' : 'none'} ?open=${open}
    @toggle=${(e: Event) => (p.open = (e.target as HTMLDetailsElement).open)}>
    <summary data-testid="fieldcopy-summary">
      <strong>${t('fieldcopy.title')}</strong>
      <span class="muted fieldcopy-state">${m ? t('fieldcopy.state_held', { records: isolate(formatNumber(m.records)), age: ageWords(m.fetched_at, now) }) : t('fieldcopy.none')}</span>
    </summary>
    ${m
      ? html`<p data-testid="fieldcopy-size">
            ${t('fieldcopy.size', { records: isolate(formatNumber(m.records)), size: sizeWords(m.bytes) })} · <span dir="ltr">${m.authority}</span>
          </p>
          <p class="muted" data-testid="fieldcopy-age" title=${formatDateTime(m.fetched_at)}>
            ${sentence(t('fieldcopy.age', { age: ageWords(m.fetched_at, now) }))} · ${t('fieldcopy.transfer', { size: sizeWords(m.last_transfer) })}
          </p>`
      : nothing}
    <label class="field"
      >${t('fieldcopy.area_label')}
      <input
        dir="ltr"
        autocapitalize="characters"
        spellcheck="false"
        data-testid="fieldcopy-area"
        .value=${p.area}
        @input=${(e: Event) => {
          p.area = (e.target as HTMLInputElement).value;
          p.redrawNow();
        }}
      />
      <span class="hint">${t('fieldcopy.area_hint', { area: session()?.user.authority ?? '' })}</span>
    </label>
    <div class="row">
      <button class="btn btn-primary" ?disabled=${p.busy} data-testid="fieldcopy-take" @click=${() => void p.take()}>
        ${p.busy ? t('loading') : m && m.authority === p.area.trim().toUpperCase() ? t('fieldcopy.refresh') : t('fieldcopy.take')}
      </button>
      ${m ? html`<button class="btn" ?disabled=${p.busy} data-testid="fieldcopy-delete" @click=${() => void p.remove()}>${t('fieldcopy.delete')}</button>` : nothing}
    </div>
    <label class="field"
      >${t('fieldcopy.days_label')}
      <select data-testid="fieldcopy-days" @change=${(e: Event) => void p.setDays(Number((e.target as HTMLSelectElement).value))}>
        ${DAY_CHOICES.map((d) => html`<option value=${d} ?selected=${d === p.days}>${formatNumber(d)}</option>`)}
      </select>
    </label>
    ${p.tooLarge !== null
      ? html`<p class="error" role="alert" data-testid="fieldcopy-too-large">${t('fieldcopy.too_large', { max: formatNumber(p.tooLarge) })}</p>`
      : nothing}
    ${p.error ? html`<p class="error" role="alert" data-testid="fieldcopy-error">${say(p.error)}</p>` : nothing}
  </details>`;
};
