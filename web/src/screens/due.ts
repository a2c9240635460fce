// W15, the due list screen (vaccinators and vets): choose a disease and how many days ahead, see the
// owners and animals due by village with their counts, print it for the campaign, and see the last
// list again, with its age, when the network is gone. The decisions are due.ts's; this is the view.
import './due.css';
import { live } from 'lit-html/directives/live.js';
import { api } from '../api';
import { ageWords, isolate } from '../age';
import { session } from '../auth';
import { loadCatalogue } from '../catalogue';
import { kvDelete, kvGet, kvSet } from '../db';
import { DEFAULT_DAYS, DueState, MAX_DAYS, MIN_DAYS, parseDays, type DueOwner, type DueUnit, type DueVillage } from '../due';
import { formatDate, formatNumber, t } from '../i18n';
import { diseaseName, speciesName } from '../labels';
import { errorBox, html, nothing, render, type Mount, type TemplateResult } from '../ui';
import type { CatalogueDisease } from '../wire';

const n = (v: number) => isolate(formatNumber(v));

// "never vaccinated", "lapsed on 11 Nov", "lapses on 11 Dec".
function lapseWords(d: DueUnit['due'][number], today: string): string {
  if (d.status === 'never') return t('due:never');
  if (!d.lapses_on) return t('due:short');
  return d.lapses_on <= today ? t('due:lapsed', { date: formatDate(d.lapses_on) }) : t('due:lapses', { date: formatDate(d.lapses_on) });
}

function unitWords(u: DueUnit): TemplateResult {
  if (u.tag) return html`<bdi dir="ltr" class="nowrap">${u.tag}</bdi> <span class="muted">${speciesName(u.species)}</span>`;
  return html`${t('due:flock', { species: speciesName(u.species), head: n(u.head_count) })}`;
}

// The owner on a row of their own across the table, then one row per animal or flock: two columns
// fit a phone, where three (owner, animal, due) pushed the due words off its edge.
function ownerRows(o: DueOwner, today: string): TemplateResult[] {
  const rows: TemplateResult[] = [
    html`<tr class="due-owner-row">
      <th scope="rowgroup" colspan="2" class="due-owner">
        <span data-testid="due-owner-name">${o.name}</span>
        ${o.phone ? html` · <bdi dir="ltr" class="nowrap due-phone">${o.phone}</bdi>` : nothing}
      </th>
    </tr>`,
  ];
  for (const u of o.units) {
    rows.push(html`<tr data-testid="due-unit" data-tag=${u.tag ?? ''} data-owner=${o.id}>
      <td>${unitWords(u)}</td>
      <td>
        ${u.due.map(
          (d) => html`<div class="due-entry" data-testid="due-entry" data-disease=${d.disease} data-status=${d.status} data-lapses=${d.lapses_on ?? ''}>
            <span class="due-disease">${diseaseName(d.disease, d.disease_name)}</span>: ${lapseWords(d, today)}
          </div>`,
        )}
      </td>
    </tr>`);
  }
  return rows;
}

function villageSection(v: DueVillage, today: string): TemplateResult {
  return html`<section class="card due-village" data-testid="due-village" data-village=${v.village} data-owners=${v.owner_count} data-units=${v.unit_count}>
    <h2>${v.village || t('due:no_village')}</h2>
    <p class="muted due-counts">${t('due:village_counts', { owners: n(v.owner_count), units: n(v.unit_count), head: n(v.head_count) })}</p>
    <div class="due-table-wrap">
      <table class="due-table">
        <thead>
          <tr><th scope="col">${t('due:col_animal')}</th><th scope="col">${t('due:col_due')}</th></tr>
        </thead>
        <tbody>${v.owners.map((o) => ownerRows(o, today))}</tbody>
      </table>
    </div>
  </section>`;
}

export const mount: Mount = (root) => {
  const s = session();
  const st = new DueState(
    {
      getJson: <T>(path: string, signal?: AbortSignal) => api<T>('GET', path, undefined, signal),
      kv: { get: kvGet, set: kvSet, delete: kvDelete },
      now: () => new Date(),
    },
    s ? String(s.user.id) : '',
  );
  let diseases: CatalogueDisease[] = [];
  let daysText = String(DEFAULT_DAYS);
  let disease = '';
  let daysBad = false;

  void loadCatalogue({ getJson: <T>(path: string) => api<T>('GET', path), kv: { get: kvGet, set: kvSet } }, (c) => {
    diseases = c.diseases;
    draw();
  }).then(({ catalogue }) => {
    if (catalogue) diseases = catalogue.diseases;
    draw();
  });

  const show = (e: Event) => {
    e.preventDefault();
    const days = parseDays(daysText);
    daysBad = days === null;
    if (days === null) return draw();
    void st.load({ disease, days });
  };

  function summary(): TemplateResult | typeof nothing {
    const list = st.list;
    if (!list) return nothing;
    const tot = st.totals();
    const what = list.disease ? diseaseName(list.disease) : t('due:all_diseases');
    return html`<div class="card due-head">
      <h2 class="due-title" data-testid="due-title">${t('due:list_title', { disease: what, date: formatDate(list.through), area: isolate(list.authority) })}</h2>
      <p data-testid="due-summary" data-owners=${tot.owners} data-units=${tot.units}>
        ${t('due:summary', { villages: n(tot.villages), owners: n(tot.owners), units: n(tot.units), head: n(tot.heads) })}
      </p>
      ${list.truncated ? html`<p class="notice" data-testid="due-truncated">${t('due:truncated', { owners: n(tot.owners) })}</p>` : nothing}
      ${tot.owners === 0 ? html`<p data-testid="due-empty">${t('due:empty')}</p>` : nothing}
      <button type="button" class="btn no-print" data-testid="due-print" @click=${() => window.print()}>${t('due:print')}</button>
    </div>`;
  }

  function draw(): void {
    const list = st.list;
    render(
      html`<div class="due" data-testid="due" data-status=${st.status}>
        <form class="card due-form no-print" @submit=${show} novalidate>
          <h1>${t('due:title')}</h1>
          <p class="muted">${t('due:intro')}</p>
          <div class="due-fields">
            <label class="field">${t('due:disease')}
              <select data-testid="due-disease" @change=${(e: Event) => (disease = (e.target as HTMLSelectElement).value)}>
                <option value="" ?selected=${disease === ''}>${t('due:all_diseases')}</option>
                ${diseases.map((d) => html`<option value=${d.code} ?selected=${d.code === disease}>${diseaseName(d.code, d.name)}</option>`)}
              </select>
            </label>
            <label class="field">${t('due:days')}
              <input type="number" inputmode="numeric" min=${MIN_DAYS} max=${MAX_DAYS} data-testid="due-days" .value=${live(daysText)}
                aria-invalid=${daysBad ? 'true' : 'false'} @input=${(e: Event) => (daysText = (e.target as HTMLInputElement).value)} />
              ${daysBad ? html`<span class="field-error" data-testid="due-days-error">${t('due:days_bad', { min: MIN_DAYS, max: MAX_DAYS })}</span>` : nothing}
            </label>
          </div>
          <button class="btn btn-primary" data-testid="due-show" ?disabled=${st.status === 'loading'}>${st.status === 'loading' ? t('loading') : t('due:show')}</button>
        </form>
        ${st.status === 'offline'
          ? html`<p class="notice due-kept" role="status" data-testid="due-kept" data-saved-at=${st.savedAt ?? ''}>
              ${st.savedAt ? t('due:kept', { age: ageWords(st.savedAt, new Date()) }) : t('due:offline_none')}
            </p>`
          : nothing}
        ${st.status === 'error' ? errorBox(st.error) : nothing}
        ${summary()}
        ${list ? list.villages.map((v) => villageSection(v, list.today)) : nothing}
      </div>`,
      root,
    );
    // The form shows what the list shown was asked for (a kept one's, offline).
    if (st.status === 'offline' || st.status === 'ready') {
      disease = st.query.disease;
      daysText = String(st.query.days);
    }
  }

  const onOnline = () => {
    if (st.status === 'offline') void st.load(st.query);
  };
  window.addEventListener('online', onOnline);
  st.onChange = () => {
    if (st.status === 'offline' || st.status === 'ready') {
      disease = st.query.disease;
      daysText = String(st.query.days);
    }
    draw();
  };
  draw();
  // Without network the last list kept on the phone is shown at once; online, the user asks.
  if (!navigator.onLine) void st.restore();

  return () => {
    st.close();
    window.removeEventListener('online', onOnline);
    render(nothing, root);
  };
};
