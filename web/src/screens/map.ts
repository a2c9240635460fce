// W14 map (issue 13 item 5): zones as circles, holdings by kind, outbreaks by status and a trace's
// movements as lines with arrowheads, on Leaflet, with the table of what is shown beside it (below
// it on a phone). Selecting a row selects the feature and the other way round; a selected holding
// can be traced from (GET /trace). map_state.ts decides what is shown; this file only draws it.
//
// Tiles: the server's --tile-url (GET /map/tiles); with none, or offline, the map is a blank
// ground with a scale bar and no request goes to any tile server. Leaflet (npm, with its CSS) is
// imported here only, so it loads with this screen's chunk.
//
// Offline: the service worker keeps the app; the last load (holdings, outbreaks, zones and the last
// trace, no owners) is kept in IndexedDB (key-value `map.last`, this user's only, deleted at sign
// out) and shown with the time it was loaded when the server does not answer.
import 'leaflet/dist/leaflet.css';
import './map.css';
import L from 'leaflet';
import { api } from '../api';
import { session } from '../auth';
import type { Catalogue } from '../wire';
import { kvGet, kvSet } from '../db';
import { formatDate, formatDateTime, formatNumber, language, t } from '../i18n';
import { diseaseName } from '../labels';
import { errorBox, html, nothing, render, type Mount, type TemplateResult } from '../ui';
import { LAYERS, MAX_DEPTH, MapState, isActiveZone, type Layer, type Row, type Shape, type TraceDirection } from './map_state';

interface TileSettings {
  url: string | null;
  attribution: string | null;
}

// Colours by holding kind and outbreak status (the legend repeats them beside each layer's box).
const KIND_COLOUR: Record<string, string> = {
  farm: '#1d5c3a',
  winter_camp: '#3b7d5a',
  summer_pasture: '#6a9f3a',
  market: '#1f5fa8',
  slaughterhouse: '#6b3fa0',
  quarantine_station: '#a0522d',
  checkpoint: '#444444',
  border_post: '#000000',
};
const STATUS_COLOUR: Record<string, string> = { reported: '#d98e04', confirmed: '#c0392b', ruled_out: '#7f8c8d' };
const TRACE_COLOUR = { forward: '#b03a2e', backward: '#1f5fa8' };
const KINDS = Object.keys(KIND_COLOUR);

// Leaflet's scale bar writes "km" and "m" in English: these write them in the user's language.
// (Leaflet has no option for the units' names; _updateScale is the one place it writes them.)
const LocalScale: new (options: L.Control.ScaleOptions) => L.Control.Scale = L.Control.Scale.extend({
  _updateScale(this: { options: L.Control.ScaleOptions }, scale: HTMLElement, text: string, ratio: number) {
    const m = /^([\d.]+) (k?m)$/.exec(text);
    scale.style.width = Math.round((this.options.maxWidth ?? 100) * ratio) + 'px';
    scale.innerHTML = '';
    scale.textContent = m ? t(m[2] === 'km' ? 'map:km' : 'map:m', { n: formatNumber(Number(m[1])) }) : text;
  },
});

function kindName(kind: string): string {
  return KINDS.includes(kind) ? t('map:kind.' + kind) : kind;
}

function statusName(status: string): string {
  return t('map:status.' + status);
}

export const mount: Mount = async (root, ctx) => {
  const user = session()?.user;
  const st = new MapState(
    {
      getJson: <T>(path: string, signal?: AbortSignal) => api<T>('GET', path, undefined, signal),
      kv: { get: kvGet, set: kvSet },
      now: () => new Date(),
    },
    String(user?.id ?? ''),
  );
  let alive = true;
  let map: L.Map | null = null;
  const drawn = L.layerGroup();
  let fitted = false;
  let fittedTrace: unknown = null;
  let tiles: TileSettings = { url: null, attribution: null };
  let form = { direction: 'forward' as TraceDirection, depth: 2, disease: '' };
  let diseases: string[] = [];
  let diseaseChosen = false; // once the user picks one (even "none"), the default stays out of it
  let panTo: string | null = null; // a row picked in the table: the map goes to its feature
  let showRow = false; // a feature picked on the map: the table scrolls to its row

  const pick = (key: string, fromTable: boolean) => {
    if (fromTable && key !== st.selected) panTo = key;
    showRow = !fromTable;
    st.select(key);
  };

  const layerBox = (layer: Layer): TemplateResult => html`<label class="map-layer">
    <input type="checkbox" data-testid=${'layer-' + layer} .checked=${st.shown.has(layer)} @change=${(e: Event) => st.toggle(layer, (e.target as HTMLInputElement).checked)} />
    <span class=${'map-swatch map-swatch-' + layer} aria-hidden="true"></span>${t('map:layer.' + layer)}
  </label>`;

  const rowText = (r: Row): { what: string; name: TemplateResult | string; detail: string } => {
    switch (r.layer) {
      case 'zones': {
        const z = r.zone;
        const radii = z.protection_km && z.surveillance_km
          ? t('map:zone_radii', { protection: formatNumber(z.protection_km), surveillance: formatNumber(z.surveillance_km) })
          : t('map:zone_authorities', { codes: (z.authorities ?? []).join(', ') });
        const state = z.lifted_at ? t('map:zone_lifted') : isActiveZone(z, today()) ? t('map:zone_active') : t('map:zone_inactive');
        return {
          what: t('map:what.zone'),
          name: `${diseaseName(z.disease)} · ${radii}`,
          detail: [state, t('map:zone_dates', { from: formatDate(z.starts_on), to: formatDate(z.ends_on) }), r.on_map ? '' : t('map:not_on_map')].filter(Boolean).join(' · '),
        };
      }
      case 'outbreaks': {
        const o = r.outbreak;
        return {
          what: t('map:what.outbreak'),
          name: html`${diseaseName(o.disease)} · <bdi>${r.holding ? r.holding.name : '#' + o.holding}</bdi>`,
          detail: [statusName(o.status), t('map:first_signs', { date: formatDate(o.first_signs_on) }), t('map:sick_dead', { sick: formatNumber(o.head_sick), dead: formatNumber(o.head_dead) })].join(' · '),
        };
      }
      case 'holdings': {
        const h = r.holding;
        return {
          what: kindName(h.kind),
          name: html`<bdi>${h.name}</bdi> <bdi class="nowrap" dir="ltr">${h.code}</bdi>`,
          detail: [h.authority, r.hop === null ? '' : t('map:hop', { n: formatNumber(r.hop) })].filter(Boolean).join(' · '),
        };
      }
      case 'trace': {
        const m = r.movement;
        const name = (h: typeof r.from, id: number) => (h ? h.code : '#' + id);
        return {
          what: t('map:what.movement'),
          name: t('map:from_to', { from: name(r.from, m.from_holding), to: name(r.to, m.to_holding) }),
          detail: [formatDateTime(m.at), t('map:move_kind.' + m.kind), t('map:head', { n: formatNumber(m.head) }), m.number].join(' · '),
        };
      }
    }
  };

  const table = (): TemplateResult => {
    const rows = st.rows();
    if (rows.length === 0) return html`<p class="muted" data-testid="map-empty">${t('map:empty')}</p>`;
    return html`<div class="map-table-wrap">
      <table class="map-table" data-testid="map-table">
        <caption class="sr-only">${t('map:table_caption')}</caption>
        <thead>
          <tr><th scope="col">${t('map:col_what')}</th><th scope="col">${t('map:col_name')}</th></tr>
        </thead>
        <tbody>
          ${rows.map((r) => {
            const x = rowText(r);
            const selected = r.key === st.selected;
            return html`<tr data-testid="map-row" data-key=${r.key} data-layer=${r.layer} class=${selected ? 'map-row selected' : 'map-row'} aria-selected=${selected ? 'true' : 'false'} @click=${() => pick(r.key, true)}>
              <td class="map-what"><span class=${'map-dot map-dot-' + dotClass(r)} aria-hidden="true"></span>${x.what}</td>
              <th scope="row">
                <button type="button" class="map-pick" data-testid="map-pick" aria-pressed=${selected ? 'true' : 'false'} @click=${(e: Event) => { e.stopPropagation(); pick(r.key, true); }}>${x.name}</button>
                ${x.detail ? html`<span class="map-detail">${x.detail}</span>` : nothing}
              </th>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>`;
  };

  // A selected zone opens its ring list (screens/ring.ts): whom to vaccinate first round it.
  const zonePanel = (): TemplateResult | typeof nothing => {
    const key = st.selected;
    if (!key?.startsWith('z:')) return nothing;
    const zone = st.zones.find((z) => 'z:' + z.id === key);
    if (!zone) return nothing;
    return html`<section class="map-trace" data-testid="zone-panel">
      <h2>${diseaseName(zone.disease)}</h2>
      <button class="btn btn-primary" type="button" data-testid="zone-ring" @click=${() => ctx.navigate('/ring?zone=' + zone.id)}>${t('map:ringlist.open')}</button>
    </section>`;
  };

  const tracePanel = (): TemplateResult | typeof nothing => {
    const h = st.selectedHolding();
    const done = st.trace && st.traceRequest;
    if (!h && !done) return nothing;
    const start = done ? st.holdingById().get(st.traceRequest!.holding) : undefined;
    return html`<section class="map-trace" data-testid="trace-panel">
      ${h
        ? html`<form class="map-trace-form" data-testid="trace-form" @submit=${(e: Event) => { e.preventDefault(); void st.runTrace({ holding: h.id, ...form }); }}>
            <h2>${t('map:trace_from', { name: h.name })}</h2>
            <label class="field">${t('map:direction')}
              <select data-testid="trace-direction" @change=${(e: Event) => (form = { ...form, direction: (e.target as HTMLSelectElement).value as TraceDirection })}>
                ${(['forward', 'backward', 'both'] as const).map((d) => html`<option value=${d} ?selected=${form.direction === d}>${t('map:direction_' + d)}</option>`)}
              </select>
            </label>
            <label class="field">${t('map:depth')}
              <select data-testid="trace-depth" @change=${(e: Event) => (form = { ...form, depth: Number((e.target as HTMLSelectElement).value) })}>
                ${Array.from({ length: MAX_DEPTH }, (_, i) => i + 1).map((n) => html`<option value=${n} ?selected=${form.depth === n}>${formatNumber(n)}</option>`)}
              </select>
            </label>
            <label class="field">${t('map:disease')}
              <select data-testid="trace-disease" @change=${(e: Event) => { form = { ...form, disease: (e.target as HTMLSelectElement).value }; diseaseChosen = true; }}>
                <option value="" ?selected=${form.disease === ''}>${t('map:disease_none')}</option>
                ${diseases.map((d) => html`<option value=${d} ?selected=${form.disease === d}>${diseaseName(d)}</option>`)}
              </select>
            </label>
            <button class="btn btn-primary" type="submit" data-testid="trace-run" ?disabled=${st.tracing}>${st.tracing ? t('map:tracing') : t('map:trace_run')}</button>
          </form>`
        : nothing}
      ${st.traceError ? errorBox(st.traceError, undefined, 'trace-error') : nothing}
      ${done
        ? html`<p class="map-trace-summary" data-testid="trace-summary" role="status">
              ${t('map:trace_summary', {
                name: start ? start.name : '#' + st.traceRequest!.holding,
                holdings: formatNumber(st.trace!.holdings.filter((x) => x.hop > 0).length),
                movements: formatNumber(st.trace!.movements.length),
                from: formatDate(st.trace!.from),
                to: formatDate(st.trace!.to),
              })}
            </p>
            <button class="btn btn-small" type="button" data-testid="trace-clear" @click=${() => st.clearTrace()}>${t('map:trace_clear')}</button>`
        : nothing}
    </section>`;
  };

  const status = (): TemplateResult | typeof nothing => {
    switch (st.status) {
      case 'loading':
        return html`<p class="muted" data-testid="loading" role="status">${t('loading')}</p>`;
      case 'error':
        return html`${errorBox(st.error, () => void st.load())}`;
      case 'offline':
        return html`<div class="map-offline" data-testid="offline" role="status">
          ${st.saved_at
            ? html`<p class="notice" data-testid="cached">${t('map:cached_at', { time: formatDateTime(st.saved_at) })}</p>`
            : html`<p class="error">${t('map:no_cache')}</p>`}
          <button class="btn btn-small" data-testid="retry" @click=${() => void st.load()}>${t('retry')}</button>
        </div>`;
      case 'ready':
        return nothing;
    }
  };

  const legend = (): TemplateResult => html`<details class="map-legend" data-testid="map-legend">
    <summary>${t('map:legend')}</summary>
    <ul>
      ${KINDS.map((k) => html`<li><span class="map-dot" style=${`background:${KIND_COLOUR[k]}`} aria-hidden="true"></span>${kindName(k)}</li>`)}
      ${Object.keys(STATUS_COLOUR).map((s) => html`<li><span class="map-dot map-dot-outbreak" style=${`border-color:${STATUS_COLOUR[s]}`} aria-hidden="true"></span>${t('map:what.outbreak')}: ${statusName(s)}</li>`)}
      <li><span class="map-ring map-ring-protection" aria-hidden="true"></span>${t('map:ring.protection')}</li>
      <li><span class="map-ring map-ring-surveillance" aria-hidden="true"></span>${t('map:ring.surveillance')}</li>
      <li><span class="map-line" aria-hidden="true"></span>${t('map:legend_line')}</li>
    </ul>
  </details>`;

  const draw = () => {
    if (!alive) return;
    render(
      html`<div class="map-screen" data-testid="map-screen" data-state=${st.status} data-selected=${st.selected ?? ''}>
        <section class="card map-head">
          <h1>${t('map:title')}</h1>
          <div aria-live="polite">${status()}</div>
          <fieldset class="map-layers">
            <legend class="sr-only">${t('map:layers')}</legend>
            ${LAYERS.map(layerBox)}
          </fieldset>
          ${st.status !== 'loading' && !st.zones_listed ? html`<p class="muted" data-testid="zones-unlisted">${t('map:zones_unlisted')}</p>` : nothing}
        </section>
        <div class="map-body">
          <div class="map-canvas-wrap">
            <div class="map-canvas" data-testid="map-canvas" data-tiles=${tiles.url ? 'server' : 'none'} dir="ltr" role="region" aria-label=${t('map:map_label')}></div>
            ${legend()}
          </div>
          <div class="map-side">
            ${zonePanel()}
            ${tracePanel()}
            ${table()}
          </div>
        </div>
      </div>`,
      root,
    );
    drawMap();
  };

  function drawMap(): void {
    const el = root.querySelector<HTMLElement>('.map-canvas');
    if (!el) return;
    if (!map) {
      map = L.map(el, {
        zoomControl: true,
        attributionControl: !!tiles.url,
        // No tiles at all unless the server names a tile server: the ground is blank.
        preferCanvas: false,
        worldCopyJump: false,
      }).setView([0, 0], 2);
      if (tiles.url) L.tileLayer(tiles.url, { attribution: tiles.attribution ?? '', maxZoom: 19 }).addTo(map);
      new LocalScale({ metric: true, imperial: false, position: 'bottomleft' }).addTo(map);
      drawn.addTo(map);
    }
    drawn.clearLayers();
    const shapes = st.shapes();
    for (const s of shapes) for (const layer of leafletOf(s)) drawn.addLayer(layer);
    for (const layer of drawn.getLayers() as L.Path[]) {
      const key = (layer.options as { hpKey?: string }).hpKey;
      const elem = layer.getElement?.();
      if (key && elem) {
        elem.setAttribute('data-key', key);
        elem.setAttribute('data-testid', (layer.options as { hpTestid?: string }).hpTestid ?? '');
      }
    }
    const bounds = st.bounds();
    if (bounds && (!fitted || (st.trace && st.trace !== fittedTrace))) {
      map.fitBounds(bounds, { padding: [16, 16], animate: false, maxZoom: 13 });
      fitted = true;
      fittedTrace = st.trace;
    }
    if (panTo) {
      const target = shapes.find((s) => s.key === panTo);
      panTo = null;
      if (target) map.panTo(target.type === 'line' ? target.points[1] : target.type === 'circle' ? target.center : target.at, { animate: false });
    }
    if (showRow) root.querySelector('tr.map-row.selected')?.scrollIntoView({ block: 'nearest' });
    showRow = false;
  }

  // Leaflet layers for one shape, each carrying its key (click selects it) and a test id.
  function leafletOf(s: Shape): L.Path[] {
    const click = (layer: L.Path) => {
      layer.on('click', (e) => {
        L.DomEvent.stopPropagation(e);
        pick(s.key, false);
      });
      return layer;
    };
    const sel = s.selected ? ' hp-selected' : '';
    switch (s.type) {
      case 'circle':
        return [
          click(
            L.circle(s.center, {
              radius: s.radius_m,
              color: s.ring === 'protection' ? '#c0392b' : '#d98e04',
              weight: s.selected ? 4 : 2,
              fillOpacity: s.ring === 'protection' ? 0.15 : 0.06,
              dashArray: s.ring === 'surveillance' ? '6 4' : undefined,
              className: `hp-zone hp-zone-${s.ring}${sel}`,
              hpKey: s.key,
              hpTestid: 'zone-' + s.ring,
            } as L.CircleMarkerOptions),
          ),
        ];
      case 'line': {
        const colour = TRACE_COLOUR[s.direction];
        const opts = { color: colour, weight: s.selected ? 6 : 3, className: `hp-move hp-move-${s.direction}${sel}`, hpKey: s.key, hpTestid: 'trace-line' };
        return [
          click(L.polyline(s.points, opts as L.PolylineOptions)),
          click(L.polygon(s.arrow, { color: colour, weight: 1, fillColor: colour, fillOpacity: 1, className: `hp-arrow${sel}`, hpKey: s.key, hpTestid: 'trace-arrow' } as L.PolylineOptions)),
        ];
      }
      case 'point':
        if (s.layer === 'holdings') {
          return [
            click(
              L.circleMarker(s.at, {
                radius: s.selected ? 9 : 6,
                color: s.selected ? '#000' : '#fff',
                weight: s.selected ? 3 : 1.5,
                fillColor: KIND_COLOUR[s.kind] ?? '#555',
                fillOpacity: 1,
                className: `hp-holding hp-kind-${s.kind}${s.hop !== null ? ' hp-traced' : ''}${sel}`,
                hpKey: s.key,
                hpTestid: 'holding-point',
              } as L.CircleMarkerOptions),
            ),
          ];
        }
        return [
          click(
            L.circleMarker(s.at, {
              radius: s.selected ? 14 : 11,
              color: STATUS_COLOUR[s.status],
              weight: s.selected ? 5 : 3,
              fill: false,
              className: `hp-outbreak hp-status-${s.status}${sel}`,
              hpKey: s.key,
              hpTestid: 'outbreak-point',
            } as L.CircleMarkerOptions),
          ),
        ];
    }
  }

  function dotClass(r: Row): string {
    if (r.layer === 'holdings') return 'kind-' + r.holding.kind;
    if (r.layer === 'outbreaks') return 'status-' + r.outbreak.status;
    if (r.layer === 'zones') return 'zone';
    return 'move';
  }

  function today(): string {
    const d = new Date();
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  }

  st.onChange = () => {
    // The diseases to trace for: those of the reports and zones shown, and the catalogue's.
    const seen = new Set<string>([...st.outbreaks.map((o) => o.disease), ...st.zones.map((z) => z.disease), ...diseases]);
    diseases = [...seen].sort((a, b) => diseaseName(a).localeCompare(diseaseName(b), language().intl));
    if (!diseaseChosen && !form.disease) {
      const newest = [...st.outbreaks].filter((o) => o.status === 'confirmed').sort((a, b) => b.first_signs_on.localeCompare(a.first_signs_on))[0];
      if (newest) form = { ...form, disease: newest.disease };
    }
    draw();
  };

  // The tile server, if the server names one; with none (or no answer) the ground stays blank.
  tiles = await api<TileSettings>('GET', '/map/tiles').catch(() => ({ url: null, attribution: null }));
  const catalogue = await kvGet<Catalogue>('catalogue').catch(() => undefined);
  diseases = (catalogue?.diseases ?? []).map((d) => d.code);
  if (!alive) return () => {};
  draw();
  void st.load();

  return () => {
    alive = false;
    st.close();
    map?.remove();
    map = null;
    render(nothing, root);
  };
};
