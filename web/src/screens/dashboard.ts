// W11: the authority's dashboard. Vaccination coverage (vaccinated head / registered head) by
// sub-region, disease, species and month, as charts with the same numbers in tables underneath, and
// the report's monthly rows as CSV. The server answers, per owner's authority, monthly rows and
// period totals; coverage.ts sums them up the authority tree: the period's figures (sub-region,
// disease, species, every total row) from the totals, only the months from the monthly rows.
// Chart.js is imported here only, so it loads with this screen's chunk; only the
// pieces two bar-and-line charts need are registered.
import './dashboard.css';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { api } from '../api';
import { session } from '../auth';
import { csvFileName, toCsv, totals, type Aggregate, type CoverageFilters, type CoverageReport } from '../coverage';
import { kvGet, kvSet } from '../db';
import { formatDateTime, formatMonth, formatNumber, formatPercent, language, t } from '../i18n';
import { diseaseName, speciesName } from '../labels';
import { errorBox, html, nothing, render, type Mount, type TemplateResult } from '../ui';
import { axisLabel, DashboardState, PANELS, tables, type Panel } from './dashboard_state';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip);

const GREEN = '#1d5c3a';

// The name of a species or disease in the user's language, or its code when the app has none.
function named(kind: 'species' | 'disease', code: string): string {
  return kind === 'disease' ? diseaseName(code) : speciesName(code);
}

function pct(c: number | null): string {
  return c === null ? '—' : formatPercent(c);
}

export const mount: Mount = (root, ctx) => {
  const st = new DashboardState(
    {
      getJson: <T>(path: string, signal?: AbortSignal) => api<T>('GET', path, undefined, signal),
      kv: { get: kvGet, set: kvSet },
      showQuery: (query) => history.replaceState(history.state, '', `${location.pathname}?${query}`),
      now: () => new Date(),
    },
    session()?.user.authority ?? '',
    ctx.params,
  );
  const filters = st.filters;
  let alive = true;
  const charts = new Map<Panel, Chart>();

  const setFilter = (name: keyof CoverageFilters) => (e: Event) => st.setFilter(name, (e.target as HTMLInputElement | HTMLSelectElement).value);

  const download = () => {
    const report = st.report;
    if (!report) return;
    const blob = new Blob([toCsv(report.rows)], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = csvFileName(report.region, report.from, report.to);
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30000);
  };

  const label = (panel: Panel, key: string, region: string): string => {
    switch (panel) {
      case 'region':
        return key === region ? t('dashboard:region_direct', { code: key }) : key;
      case 'disease':
        return named('disease', key);
      case 'species':
        return named('species', key);
      case 'month':
        return formatMonth(key);
    }
  };

  const regionSelect = (): TemplateResult => {
    const { up, current, down } = st.regionChoices();
    return html`<select data-testid="filter-region" name="region" @change=${setFilter('region')}>
      ${up.map((code) => html`<option value=${code}>${t('dashboard:region_up', { code })}</option>`)}
      <option value=${current} selected>${current}</option>
      ${down.map((code) => html`<option value=${code}>${t('dashboard:region_down', { code })}</option>`)}
    </select>`;
  };

  const codeSelect = (kind: 'disease' | 'species', all: string): TemplateResult => {
    const chosen = filters[kind] ?? '';
    const sorted = st.codes(kind).sort((a, b) => named(kind, a).localeCompare(named(kind, b), language().intl));
    return html`<select data-testid=${'filter-' + kind} name=${kind} @change=${setFilter(kind)}>
      <option value="" ?selected=${chosen === ''}>${all}</option>
      ${sorted.map((code) => html`<option value=${code} ?selected=${code === chosen}>${named(kind, code)}</option>`)}
    </select>`;
  };

  const table = (panel: Panel, rows: Aggregate[], r: CoverageReport): TemplateResult => {
    // The period's figure from the server's totals, under the months too: never months added up.
    const sum = st.total() ?? totals([]);
    // The table scrolls sideways inside its own box on a narrow phone; data-more (set by
    // scrollCues) says on which side columns are hidden, for the shadow and the hint.
    return html`<p class="dash-scroll-hint muted" data-testid=${'scroll-hint-' + panel} id=${'dash-hint-' + panel}>${t('dashboard:scroll_hint')}</p>
      <div
        class="dash-table-wrap"
        data-testid=${'table-scroll-' + panel}
        data-more="none"
        tabindex="0"
        role="region"
        aria-labelledby=${'dash-h-' + panel}
        aria-describedby=${'dash-hint-' + panel}
        @scroll=${(e: Event) => scrollCue(e.currentTarget as HTMLElement)}
      >
      <table class="dash-table" data-testid=${'table-' + panel}>
        <caption class="sr-only">${t('dashboard:by_' + panel)}</caption>
        <thead>
          <tr>
            <th scope="col">${t('dashboard:col_' + panel)}</th>
            <th scope="col" class="num">${t('dashboard:col_coverage')}</th>
            <th scope="col" class="num">${t('dashboard:col_vaccinated')}</th>
            <th scope="col" class="num">${t('dashboard:col_registered')}</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (a) => html`<tr
              data-testid="row"
              data-key=${a.key}
              data-vaccinated=${String(a.vaccinated)}
              data-registered=${String(a.registered)}
              data-coverage=${a.coverage === null ? '' : String(a.coverage)}
            >
              <th scope="row">
                ${panel === 'region' && a.key !== r.region
                  ? html`<button type="button" class="dash-link" data-testid="drill" @click=${() => st.drillDown(a.key)}>${a.key}</button>`
                  : label(panel, a.key, r.region)}
              </th>
              <td class="num" data-col="coverage">${pct(a.coverage)}</td>
              <td class="num" data-col="vaccinated">${formatNumber(a.vaccinated)}</td>
              <td class="num" data-col="registered">${formatNumber(a.registered)}</td>
            </tr>`,
          )}
        </tbody>
        <tfoot>
          <tr data-testid="total">
            <th scope="row">${t('dashboard:total')}</th>
            <td class="num">${pct(sum.coverage)}</td>
            <td class="num">${formatNumber(sum.vaccinated)}</td>
            <td class="num">${formatNumber(sum.registered)}</td>
          </tr>
        </tfoot>
      </table>
    </div>`;
  };

  const panels = (r: CoverageReport): TemplateResult => {
    const data = tables(r);
    return html`${PANELS.map(
      (p) => html`<section class="card dash-panel" data-testid=${'panel-' + p}>
        <h2 id=${'dash-h-' + p}>${t('dashboard:by_' + p)}</h2>
        <div class="dash-chart" style=${`block-size: ${chartHeight(p, data[p], r.region)}px`}>
          <canvas data-chart=${p} data-testid=${'chart-' + p} role="img" aria-label=${`${t('dashboard:by_' + p)}. ${t('dashboard:chart_note')}`}></canvas>
        </div>
        ${table(p, data[p], r)}
      </section>`,
    )}`;
  };

  const status = (): TemplateResult => {
    switch (st.status) {
      case 'loading':
        return html`<p class="muted" data-testid="loading" role="status">${t('loading')}</p>`;
      case 'error':
        return html`${errorBox(st.error)}<button class="btn btn-small" data-testid="retry" @click=${() => void st.load()}>${t('retry')}</button>`;
      case 'offline':
        return html`<div class="dash-offline" data-testid="offline" role="status">
          <p class="error">${t('dashboard:needs_network')}</p>
          ${st.savedAt
            ? html`<p class="notice" data-testid="cached">${t('dashboard:cached_at', { time: formatDateTime(st.savedAt) })}</p>`
            : html`<p class="muted">${t('dashboard:no_cache')}</p>`}
          <button class="btn btn-small" data-testid="retry" @click=${() => void st.load()}>${t('retry')}</button>
        </div>`;
      case 'empty':
        return html`<p class="notice" data-testid="empty" role="status">${t('dashboard:empty')}</p>`;
      case 'ready':
        return html``;
    }
  };

  const draw = () => {
    if (!alive) return;
    const r = st.report;
    const showData = r !== null && r.rows.length > 0;
    render(
      html`<div class="dash" data-testid="dashboard" data-state=${st.status} data-query=${st.shownQuery}>
        <section class="card">
          <h1>${t('dashboard:title')}</h1>
          <p class="muted">${t('dashboard:intro')}</p>
          <form class="dash-filters" @submit=${(e: Event) => e.preventDefault()}>
            <label class="field">${t('dashboard:region')} ${regionSelect()}</label>
            <label class="field">${t('dashboard:disease')} ${codeSelect('disease', t('dashboard:all_diseases'))}</label>
            <label class="field">${t('dashboard:species')} ${codeSelect('species', t('dashboard:all_species'))}</label>
            <label class="field">${t('dashboard:from')}
              <input type="month" data-testid="filter-from" name="from" pattern="\\d{4}-\\d{2}" placeholder="YYYY-MM" .value=${filters.from ?? ''} @change=${setFilter('from')} />
            </label>
            <label class="field">${t('dashboard:to')}
              <input type="month" data-testid="filter-to" name="to" pattern="\\d{4}-\\d{2}" placeholder="YYYY-MM" .value=${filters.to ?? ''} @change=${setFilter('to')} />
            </label>
          </form>
          <div aria-live="polite">${status()}</div>
          ${r
            ? html`<p class="dash-summary" data-testid="summary">
                ${t('dashboard:summary', { region: r.region, from: formatMonth(r.from), to: formatMonth(r.to) })}
              </p>`
            : nothing}
          ${r?.truncated ? html`<p class="error" data-testid="truncated">${t('dashboard:truncated')}</p>` : nothing}
          ${showData
            ? html`<button class="btn" data-testid="csv-download" @click=${download}>${t('dashboard:csv')}</button>`
            : nothing}
        </section>
        ${showData ? panels(r!) : nothing}
      </div>`,
      root,
    );
    // A select shows the filter in force, whatever the user or an earlier render left selected.
    for (const k of ['region', 'disease', 'species'] as const) {
      const el = root.querySelector<HTMLSelectElement>(`select[name="${k}"]`);
      if (el) el.value = k === 'region' ? filters.region || st.top : (filters[k] ?? '');
    }
    syncCharts();
    for (const box of root.querySelectorAll<HTMLElement>('.dash-table-wrap')) {
      scrollCue(box);
      resizes.observe(box);
      if (box.firstElementChild) resizes.observe(box.firstElementChild);
    }
  };

  // Which sides of a table's box have columns scrolled out of sight: "start", "end", "both" or
  // "none" (scrollLeft runs negative right to left, hence the absolute value).
  function scrollCue(box: HTMLElement): void {
    const hidden = box.scrollWidth - box.clientWidth;
    const at = Math.abs(box.scrollLeft);
    const start = hidden > 1 && at > 1;
    const end = hidden > 1 && at < hidden - 1;
    const more = start && end ? 'both' : start ? 'start' : end ? 'end' : 'none';
    if (box.dataset.more !== more) box.dataset.more = more;
  }
  const resizes = new ResizeObserver((entries) => {
    for (const e of entries) {
      const box = (e.target as HTMLElement).closest<HTMLElement>('.dash-table-wrap');
      if (box) scrollCue(box);
    }
  });

  // Room for each bar and its label's lines (a long name is wrapped, see axisLabel).
  function chartHeight(panel: Panel, rows: Aggregate[], region: string): number {
    if (panel === 'month') return 240;
    const lines = rows.reduce((sum, a) => sum + Math.max(2, axisLabel(label(panel, a.key, region)).length), 0);
    return Math.max(120, 48 + 15 * lines);
  }

  function config(panel: Panel, rows: Aggregate[], region: string): ChartConfiguration<'bar' | 'line', (number | null)[], string | string[]> {
    const rtl = language().dir === 'rtl';
    const full = rows.map((a) => label(panel, a.key, region));
    const values = rows.map((a) => a.coverage);
    const valueAxis = {
      min: 0,
      suggestedMax: 1,
      ticks: { callback: (v: string | number) => formatPercent(Number(v)) },
    };
    const tooltip = {
      rtl,
      callbacks: {
        title: (items: { dataIndex: number }[]) => (items.length ? full[items[0].dataIndex] : ''),
        label: (item: { dataIndex: number }) => {
          const a = rows[item.dataIndex];
          return t('dashboard:tooltip', {
            coverage: pct(a.coverage),
            vaccinated: formatNumber(a.vaccinated),
            registered: formatNumber(a.registered),
          });
        },
      },
    };
    if (panel === 'month') {
      return {
        type: 'line',
        data: {
          labels: full,
          datasets: [{ label: t('dashboard:col_coverage'), data: values, borderColor: GREEN, backgroundColor: GREEN, pointRadius: 3, spanGaps: false }],
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          locale: language().intl,
          scales: {
            x: { reverse: rtl, ticks: { autoSkip: true, maxRotation: 0 } },
            y: { ...valueAxis, position: rtl ? 'right' : 'left' },
          },
          plugins: { tooltip },
        },
      };
    }
    // Horizontal bars: long names (diseases, codes) read on a phone without turning.
    return {
      type: 'bar',
      data: {
        labels: full.map((name) => axisLabel(name)),
        datasets: [{ label: t('dashboard:col_coverage'), data: values, backgroundColor: GREEN, maxBarThickness: 22 }],
      },
      options: {
        indexAxis: 'y',
        animation: false,
        maintainAspectRatio: false,
        locale: language().intl,
        scales: {
          x: { ...valueAxis, reverse: rtl },
          y: { position: rtl ? 'right' : 'left', ticks: { autoSkip: false } },
        },
        plugins: { tooltip },
      },
    };
  }

  function syncCharts(): void {
    const r = st.report;
    const data = st.shownTables();
    for (const p of PANELS) {
      const canvas = root.querySelector<HTMLCanvasElement>(`canvas[data-chart="${p}"]`);
      let chart = charts.get(p);
      if (chart && (!canvas || chart.canvas !== canvas || !data)) {
        chart.destroy();
        charts.delete(p);
        chart = undefined;
      }
      if (!canvas || !data || !r) continue;
      const cfg = config(p, data[p], r.region);
      if (chart) {
        chart.data = cfg.data;
        chart.update();
      } else {
        charts.set(p, new Chart(canvas, cfg as ChartConfiguration));
      }
    }
  }

  const onOnline = () => st.online();
  window.addEventListener('online', onOnline);

  st.onChange = draw;
  void st.loadCatalogue();
  void st.load();

  return () => {
    alive = false;
    st.close();
    window.removeEventListener('online', onOnline);
    resizes.disconnect();
    for (const c of charts.values()) c.destroy();
    charts.clear();
    render(nothing, root);
  };
};
