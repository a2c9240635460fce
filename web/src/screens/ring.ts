// W14 ring list screen (issue 13 item 4), opened from a zone on the map (/ring?zone=ID): for vets,
// admins and auditors, the holdings of each ring of the zone with their animals of its species and
// each one's coverage, as the server orders them (whom to vaccinate first at the top); the CSV the
// server writes, and a printable list for the vaccination teams (ring.css: the table alone). The
// decisions are ring.ts's; this is the view.
import './ring.css';
import { api, apiText } from '../api';
import { isolate } from '../age';
import { formatDate, formatNumber, t } from '../i18n';
import { diseaseName, speciesName } from '../labels';
import { RingState, parseZoneId, ringCounts, ringCsvName, ringRows, type RingOwner, type RingRow, type RingUnit } from '../ring';
import { errorBox, html, nothing, render, type Mount, type TemplateResult } from '../ui';

const n = (v: number) => isolate(formatNumber(v));

function coverageWords(u: RingUnit): string {
  switch (u.status) {
    case 'covered':
      return u.covered_until ? t('map:ringlist.covered_until', { date: formatDate(u.covered_until) }) : t('map:ringlist.covered');
    case 'overdue':
      return u.overdue_since ? t('map:ringlist.lapsed', { date: formatDate(u.overdue_since) }) : t('map:ringlist.lapsed_part');
    case 'never':
      return t('map:ringlist.never');
  }
}

function ownerWords(o: RingOwner | null): TemplateResult | string {
  if (!o) return '—';
  return html`<bdi>${o.name}</bdi>${o.phone ? html` <bdi dir="ltr" class="nowrap">${o.phone}</bdi>` : nothing}`;
}

function row(r: RingRow): TemplateResult {
  const h = r.holding;
  const u = r.unit;
  const where = h.distance_m === null ? '' : t('map:km', { n: formatNumber(Math.round(h.distance_m / 100) / 10) });
  const label = (key: string) => t('map:ringlist.col_' + key);
  return html`<tr data-testid="ring-row" data-ring=${r.ring} data-holding=${h.holding.code} data-tag=${u?.tag ?? ''} data-species=${u?.species ?? ''} data-status=${u?.status ?? ''}
      class=${[r.first ? 'ring-first' : '', r.uncovered ? 'ring-uncovered' : ''].filter(Boolean).join(' ')}>
    <td class="ring-ring" data-label=${label('ring')}>${r.first ? html`${t('map:ring.' + r.ring)}${where ? html` <span class="muted nowrap">${where}</span>` : nothing}` : nothing}</td>
    <td class="ring-holding" data-label=${label('holding')}>${r.first ? html`<bdi>${h.holding.name}</bdi> <bdi dir="ltr" class="muted nowrap">${h.holding.code}</bdi>` : nothing}</td>
    <td class="ring-owner" data-label=${label('owner')}>${ownerWords(r.owner)}</td>
    <td class="ring-head" data-label=${label('head')}>${u ? n(u.head) : n(0)}</td>
    <td class="ring-species" data-label=${label('species')}>${u ? html`${speciesName(u.species)}${u.tag ? html` <bdi dir="ltr" class="nowrap muted ring-tag">${u.tag}</bdi>` : nothing}` : nothing}</td>
    <td class="ring-coverage" data-label=${label('coverage')} data-testid="ring-coverage">${u ? coverageWords(u) : t('map:ringlist.no_animals')}</td>
  </tr>`;
}

export const mount: Mount = (root, ctx) => {
  const zone = parseZoneId(ctx.params.get('zone'));
  const st = new RingState({
    getJson: <T>(path: string, signal?: AbortSignal) => api<T>('GET', path, undefined, signal),
    getText: (path: string, signal?: AbortSignal) => apiText(path, signal),
  });
  let csvError: unknown = null;

  const download = async () => {
    const list = st.list;
    if (!list) return;
    try {
      const text = await st.csv();
      csvError = null;
      const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = ringCsvName(list);
      a.dataset.testid = 'ring-csv-link';
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 30000);
    } catch (e) {
      csvError = e;
    }
    draw();
  };

  function head(): TemplateResult | typeof nothing {
    const list = st.list;
    if (!list) return nothing;
    const holdings = list.holdings.length;
    return html`<section class="card ring-head">
      <h1 data-testid="ring-title">${t('map:ringlist.title', { disease: diseaseName(list.disease, list.disease_name), id: n(list.zone.id) })}</h1>
      <p class="muted">${t('map:ringlist.intro')}</p>
      <p data-testid="ring-summary" data-holdings=${holdings} data-uncovered=${list.head_uncovered}>
        ${t('map:ringlist.summary', { holdings: n(holdings), head: n(list.head), uncovered: n(list.head_uncovered) })}
        ${ringCounts(list).map((c) => html` · ${t('map:ring.' + c.ring)}: ${n(c.holdings)}`)}
      </p>
      <p class="muted">${t('map:ringlist.as_of', { date: formatDate(list.today), until: formatDate(list.zone.ends_on) })}</p>
      ${list.truncated ? html`<p class="notice" data-testid="ring-truncated">${t('map:ringlist.truncated', { holdings: n(holdings) })}</p>` : nothing}
      <div class="ring-actions no-print">
        <button type="button" class="btn" data-testid="ring-csv" @click=${() => void download()}>${t('map:ringlist.csv')}</button>
        <button type="button" class="btn" data-testid="ring-print" @click=${() => window.print()}>${t('map:ringlist.print')}</button>
        <button type="button" class="btn btn-small" data-testid="ring-back" @click=${() => ctx.navigate('/map')}>${t('map:ringlist.back')}</button>
      </div>
      ${csvError ? errorBox(csvError, undefined, 'ring-csv-error') : nothing}
    </section>`;
  }

  function table(): TemplateResult | typeof nothing {
    const list = st.list;
    if (!list) return nothing;
    if (list.holdings.length === 0) return html`<p class="card" data-testid="ring-empty">${t('map:ringlist.empty')}</p>`;
    return html`<div class="ring-table-wrap">
      <table class="ring-table" data-testid="ring-table">
        <thead>
          <tr>
            <th scope="col">${t('map:ringlist.col_ring')}</th>
            <th scope="col">${t('map:ringlist.col_holding')}</th>
            <th scope="col">${t('map:ringlist.col_owner')}</th>
            <th scope="col">${t('map:ringlist.col_head')}</th>
            <th scope="col">${t('map:ringlist.col_species')}</th>
            <th scope="col">${t('map:ringlist.col_coverage')}</th>
          </tr>
        </thead>
        <tbody>${ringRows(list).map(row)}</tbody>
      </table>
    </div>`;
  }

  function draw(): void {
    render(
      html`<div class="ring" data-testid="ring" data-status=${st.status}>
        ${zone === null ? html`<p class="error" data-testid="ring-no-zone">${t('map:ringlist.no_zone')}</p>` : nothing}
        ${st.status === 'loading' ? html`<p class="muted" role="status" data-testid="loading">${t('loading')}</p>` : nothing}
        ${st.status === 'error' || st.status === 'offline' ? errorBox(st.error, zone === null ? undefined : () => void st.load(zone)) : nothing}
        ${head()}
        ${table()}
      </div>`,
      root,
    );
  }

  st.onChange = draw;
  draw();
  if (zone !== null) void st.load(zone);
  return () => {
    st.close();
    render(nothing, root);
  };
};
