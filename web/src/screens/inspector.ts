// The inspector's screen (roles inspector and vet): W2, the phone check at slaughter, and W4/W5,
// checking a certificate (scanned or pasted; online through POST /verify, offline with the cached
// lists) and consuming it once. The phone check says first what matters for slaughter (per disease
// the server's movement rules ask for (GET /catalogue, kept on the phone for offline use), the head covered, and the animals that fail: inspector_summary.ts),
// then the certificate check, then the details on demand: the owner's status per disease (a
// disease no rule asks for is said, not flagged as a failure), each animal or flock, every
// vaccination of the window.
//
// This file is the view: it renders InspectorState (inspector_state.ts, which holds what the screen
// knows and decides) and wires the page's events and the camera to it.
import i18next from 'i18next';
import { api } from '../api';
import { kvGet, kvSet } from '../db';
import { session } from '../auth';
import type { VerifyResult } from '../hp1/index';
import { formatDate, formatDateTime, formatNumber, language, t } from '../i18n';
import { knownOnPhone, rememberLookup } from '../phone_check';
import { coverageWords, diseaseName, purposeName, reasonWords, speciesName } from '../labels';
import type { LookupProblem } from '../lookup';
import { scanCode } from '../scan';
import { errorText, html, nothing, render, type Mount } from '../ui';
import { timelineRoute } from '../timeline';
import { earlierOwner, soldUnits } from '../sale';
import type { CertClaims, Coverage, LookupAnimal as Animal, LookupResult, LookupVaccination, MovementRule } from '../wire';
import { say } from './message';
import { Checkpoint } from './checkpoint';
import {
  arrivalFields,
  arrivalResult,
  arrivalsView,
  currentPosition,
  DoubleUsePanel,
  doubleUsesView,
  holdingsNote,
  incomingView,
  IncomingPanel,
} from './movements_view';
import type { PassageRecord } from '../passages';
import { addArrival, listArrivals } from '../sync';
import { InspectorState, listAge, type Checked } from './inspector_state';
import { FieldCopyPanel, fieldCopyView } from './field_copy_view';
import { idbCopyStore, keepDaysSetting, lookupFromCopy, rememberOfflineRead } from '../fieldcopy';
import { CATALOGUE_KEY } from '../catalogue';
import type { Catalogue } from '../wire';
import { INSPECTOR_PURPOSE, purposeSummary, type DiseaseSummary, type PurposeSummary, type UnitFailure } from './inspector_summary';
import './inspector.css';

// --- words for codes, never a raw key on screen (the common ones: labels.ts) ---

function statusWords(status: string): string {
  if (i18next.exists('cert_status.' + status)) return t('cert_status.' + status);
  if (i18next.exists('inspector:status.' + status)) return t('inspector:status.' + status);
  return status;
}

// From -> to, pointing the way the page reads.
const arrow = () => (language().dir === 'rtl' ? '←' : '→');

function stateClass(status: string): string {
  if (status === 'issued') return 'st-valid';
  if (status === 'not_yet_valid') return 'st-expired';
  return 'st-' + status;
}

// The animals that fail are listed open up to this many; more are folded, so that the certificate
// check stays near the top.
const FAILING_OPEN = 6;

// --- the screen ---

export const mount: Mount = (root, ctx) => {
  const s = session();
  const controller = new AbortController();
  let alive = true;
  const st = new InspectorState(
    {
      api: <T>(method: 'GET' | 'POST', path: string, body?: unknown) => api<T>(method, path, body, controller.signal),
      kv: { get: kvGet, set: kvSet },
      rememberLookup: (phone, result) => rememberLookup(phone, result),
      knownOnPhone: (phone) => knownOnPhone<LookupResult>(phone),
      // W10: the field copy answers when the server does not (this user's, not expired).
      // bench/web/fieldcopy_bench.mjs reads the 'hp-fieldcopy-lookup' measure.
      lookupFromCopy: async (phone) => {
        const start = performance.now();
        const answer = await lookupFromCopy(
          await idbCopyStore(),
          phone,
          { user_id: s ? String(s.user.id) : undefined, days: await keepDaysSetting(), catalogue: await kvGet<Catalogue>(CATALOGUE_KEY) },
          new Date(),
        );
        performance.measure('hp-fieldcopy-lookup', { start });
        return answer;
      },
      rememberCopyRead: (answer) =>
        rememberOfflineRead({ at: new Date().toISOString(), user_id: answer.meta.user_id, owner_id: answer.result.owner.id, phone: answer.result.owner.phone }),
      // The verifier is loaded only when needed (the service worker keeps it for offline use).
      verifyOffline: async (hp1) => (await import('../hp1/index')).verifyOffline(hp1),
      online: () => navigator.onLine,
      now: () => new Date(),
      queueArrival: (certificate, scan) => addArrival(certificate, scan),
    },
    s?.user.role === 'inspector',
  );

  // The checkpoint scan, for inspectors (issue 12 item 4): a passage of the certificate checked.
  const checkpoint = s?.user.role === 'inspector' ? new Checkpoint() : null;
  // Issue 14 item 5: the arrivals this phone scanned, with the server's answers, and the double
  // uses of the inspector's jurisdiction.
  let arrivals: PassageRecord[] = [];
  const doubleUses = new DoubleUsePanel(controller.signal, () => draw());
  const refreshPassages = () => {
    void checkpoint?.refreshList();
    void listArrivals().then((list) => {
      const answered = list.filter((r) => r.state !== 'pending').length;
      const before = arrivals.filter((r) => r.state !== 'pending').length;
      arrivals = list;
      if (alive) draw();
      // A waiting arrival was answered: a double use may be new.
      if (alive && answered !== before) void doubleUses.load();
    });
  };

  // W13: the inspector's incoming movements (and the holdings an arrival is recorded at).
  const isInspector = s?.user.role === 'inspector';
  const incoming = new IncomingPanel(controller.signal, () => draw());
  // W10: the field copy, for the roles that may take one (inspector; the vaccinator's own screen).
  const fieldCopy = isInspector ? new FieldCopyPanel(controller.signal, () => draw()) : null;

  const scanArrivalTag = async () => {
    try {
      const text = await scanCode({ kind: 'tag' });
      if (text) st.arrivalTags = st.arrivalTags.trim() ? `${st.arrivalTags.trim()}\n${text}` : text;
    } catch {
      /* no camera: the tags are typed */
    }
    draw();
  };

  const lookupPhone = (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    void st.runLookup(String(new FormData(form).get('phone') ?? '').trim());
  };

  // Why the lookup gave nothing, in words, with a way to ask again where that may help.
  const LOOKUP_WORDS: Record<LookupProblem['kind'], [string | null, string]> = {
    timeout: ['inspector:lookup_timeout', 'lookup-timeout'],
    offline: ['inspector:lookup_offline', 'lookup-offline'],
    'not-found': ['inspector:no_owner', 'lookup-not-found'],
    throttled: ['inspector:throttled', 'lookup-throttled'],
    'bad-phone': ['inspector:bad_phone', 'lookup-error'],
    error: [null, 'lookup-error'],
  };
  const lookupProblemView = (p: LookupProblem) => {
    const [key, testid] = LOOKUP_WORDS[p.kind];
    return html`<div class="error big-message" role="alert" data-testid=${testid}>
      <span>${key ? t(key) : errorText(p.error)}</span>
      ${p.retry ? html`<button type="button" class="btn btn-small error-retry" data-testid="lookup-retry" @click=${() => st.retryLookup()}>${t('retry')}</button>` : nothing}
    </div>`;
  };

  const check = async (text?: string) => {
    await st.check(text);
    if (alive && st.checked) root.querySelector('[data-testid="cert-result"]')?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  };

  const scan = async () => {
    try {
      const text = await scanCode({ kind: 'qr' });
      if (!alive || !text) return;
      st.certText = text;
      const area = root.querySelector<HTMLTextAreaElement>('[data-testid="cert-input"]');
      if (area) area.value = text;
      await check(text);
    } catch (err) {
      st.scanFailed(err);
    }
  };

  const consume = (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    void st.consume(String(data.get('place') ?? '').trim(), String(data.get('head') ?? ''));
  };

  // The server did not answer: what the phone knows, said as such, and a way to ask the server again.
  const localView = (l: NonNullable<typeof st.local>) => {
    const k = l.knows;
    const who = k.cached?.result.owner ?? k.owner;
    return html`<section class="card local-card" data-testid="lookup-local" data-cached=${k.cached ? 'true' : 'false'}>
        <p class="notice notice-warn" role="status">
          <span>${l.timeout ? t('inspector:local_timeout') : t('inspector:local_offline')}</span>
          <button type="button" class="btn btn-small error-retry" data-testid="lookup-retry" @click=${() => st.retryLookup()}>${t('retry')}</button>
        </p>
        ${k.cached
          ? html`<p class="muted" data-testid="lookup-local-age">${t('inspector:local_as_of', { date: formatDateTime(k.cached.at) })}</p>`
          : html`${who
                ? html`<h2 class="owner-name" data-testid="owner-name">${who.name}</h2>
                    <p class="owner-meta">${who.village ? html`${who.village} · ` : nothing}<span dir="ltr">${who.phone}</span></p>`
                : nothing}
              <p class="muted">${t('inspector:local_no_status')}</p>`}
        ${k.pending.length
          ? html`<h3>${t('inspector:local_pending', { count: formatNumber(k.pending.length) })}</h3>
              <ul class="vacc-list" data-testid="lookup-local-pending">
                ${k.pending.map(
                  (r) => html`<li class="vacc">
                    <strong>${formatDate(String(r.administered_on ?? ''))}</strong> · ${diseaseName(String(r.disease ?? ''))} ·
                    ${speciesName(String(r.species ?? ''))}
                  </li>`,
                )}
              </ul>`
          : nothing}
      </section>
      ${k.cached ? lookupView(k.cached.result) : nothing}`;
  };

  // W10: the answer came from the field copy: said so, with the copy's age, and a way to ask the
  // server again.
  const fromCopyView = (c: NonNullable<typeof st.fromCopy>) =>
    html`<p class="notice notice-warn" role="status" data-testid="lookup-from-copy">
      <span>${t('fieldcopy.answered', { date: formatDateTime(c.meta.fetched_at) })}</span>
      <button type="button" class="btn btn-small error-retry" data-testid="lookup-retry" @click=${() => st.retryLookup()}>${t('retry')}</button>
    </p>`;

  // The lookup shown: the server's answer, the field copy's, or the one this phone kept.
  const shownLookup = (): LookupResult | null => st.lookup ?? st.fromCopy?.result ?? st.local?.knows.cached?.result ?? null;

  // --- templates ---

  const coverageRow = (c: Coverage, testid: string) =>
    html`<li class="cov-item st st-${c.status}" data-testid=${testid} data-disease=${c.disease} data-state=${c.status} data-asked="true">
      <span class="cov-disease">${diseaseName(c.disease, c.disease_name)}</span>
      <span class="cov-words">${coverageWords(c)}</span>
    </li>`;

  // A status list: the diseases the rules ask for in their colours, then on one plain line those no
  // rule asks for, said but not flagged as failures.
  const coverageList = (list: Coverage[], asked: Set<string>, testid: string, listTestid?: string) => {
    const others = list.filter((c) => !asked.has(c.disease));
    return html`<ul class="cov-list" data-testid=${listTestid ?? nothing}>${list.filter((c) => asked.has(c.disease)).map((c) => coverageRow(c, testid))}</ul>
      ${others.length
        ? html`<p class="cov-others">
            <span class="cov-others-head">${t('inspector:not_asked')}</span>
            ${others.map(
              (c, i) => html`${i ? '; ' : ''}<span class="cov-other" data-testid=${testid} data-disease=${c.disease} data-state=${c.status} data-asked="false"
                  >${diseaseName(c.disease, c.disease_name)}: ${coverageWords(c)}</span
                >`,
            )}
          </p>`
        : nothing}`;
  };

  const animalLabel = (a: Animal) =>
    a.kind === 'flock'
      ? t('inspector:flock', { species: speciesName(a.species), count: formatNumber(a.head_count) })
      : `${speciesName(a.species)} · ${a.tag ?? ''}`;

  const ruleDiseaseRow = (d: DiseaseSummary) =>
    html`<li
      class="cov-item st st-${d.state === 'covered' ? 'covered' : d.state === 'partly' ? 'overdue' : 'never'}"
      data-testid="rule-disease"
      data-disease=${d.disease}
      data-state=${d.state}
      data-covered=${d.covered_head}
      data-head=${d.head}
    >
      <span class="cov-disease">${diseaseName(d.disease, d.disease_name)}</span>
      <span class="cov-words">${t('inspector:head_covered', { covered: formatNumber(d.covered_head), head: formatNumber(d.head) })}</span>
    </li>`;

  const failingRow = (f: UnitFailure) =>
    html`<li class="failing" data-testid="failing-animal" data-tag=${f.animal.tag ?? ''} data-kind=${f.animal.kind}>
      <strong dir="auto">${animalLabel(f.animal)}</strong>
      <span>${f.failures.map((c, i) => html`${i ? '; ' : ''}${diseaseName(c.disease, c.disease_name)}: ${coverageWords(c)}`)}</span>
    </li>`;

  // The summary for the inspector's purpose by the server's rules; null while they are not known.
  const summaryOf = (r: LookupResult, rules: MovementRule[] | null) => (rules ? purposeSummary(r, INSPECTOR_PURPOSE, rules) : null);

  // Neither the server nor the phone has given the rules yet: no verdict, and every disease shown.
  const noRulesView = () =>
    st.rulesLoading
      ? html`<p class="muted" data-testid="rules-loading">${t('loading')}</p>`
      : html`<p class="notice notice-warn" role="status" data-testid="rules-unknown">${t('inspector:rules_unknown')}</p>`;

  // What matters at slaughter, first: the verdict, each disease the rules ask for with the head
  // covered, and the animals or flocks that fail (folded when there are many).
  const summaryView = (sum: PurposeSummary, animals: number) =>
    html`<div class="purpose-summary" data-testid="slaughter-summary" data-purpose=${sum.purpose}>
      <h3>${t('inspector:rules_title', { purpose: purposeName(sum.purpose) })}</h3>
      ${animals === 0
        ? html`<p class="muted">${t('inspector:no_animals')}</p>`
        : sum.diseases.length === 0
          ? html`<p class="verdict st st-other" data-testid="slaughter-verdict" data-ready="true">${t('inspector:nothing_asked')}</p>`
          : html`<p class="verdict st ${sum.ready ? 'st-covered' : 'st-never'}" data-testid="slaughter-verdict" data-ready=${sum.ready ? 'true' : 'false'}>
                ${sum.ready ? t('inspector:verdict_ready') : t('inspector:verdict_not_ready', { count: formatNumber(sum.failing.length) })}
              </p>
              <ul class="cov-list cov-big" data-testid="rule-diseases">${sum.diseases.map(ruleDiseaseRow)}</ul>`}
      ${sum.failing.length
        ? html`<details class="failing-details" ?open=${sum.failing.length <= FAILING_OPEN}>
            <summary data-testid="failing-toggle">${t('inspector:failing_title', { count: formatNumber(sum.failing.length) })}</summary>
            <ul class="failing-list">${sum.failing.map(failingRow)}</ul>
          </details>`
        : nothing}
    </div>`;

  // The owner and the summary; the details are drawn after the certificate check (detailsView).
  const lookupView = (r: LookupResult) =>
    html`<section class="card owner-card" data-testid="lookup-result">
      <h2 class="owner-name" data-testid="owner-name">${r.owner.name}</h2>
      <p class="owner-meta">
        ${r.owner.village ? html`<span data-testid="owner-village">${r.owner.village}</span> · ` : nothing}<span dir="ltr">${r.owner.phone}</span>
      </p>
      <p class="muted">${t('inspector:window', { since: formatDate(r.since), today: formatDate(r.today) })}</p>
      ${(() => {
        const sum = summaryOf(r, st.rules);
        return sum ? summaryView(sum, r.animals.length) : noRulesView();
      })()}
    </section>`;

  // W12: the animal's or flock's timeline, a screen of its own.
  const timelineLink = (target: { tag: string } | { flock: number }) => {
    const route = timelineRoute(target);
    return html`<a class="btn btn-small tl-link" href=${route} data-testid="animal-timeline"
      @click=${(e: Event) => { e.preventDefault(); ctx.navigate(route); }}>${t('timeline:open')}</a>`;
  };

  const detailsView = (r: LookupResult) => {
    const sum = summaryOf(r, st.rules);
    // With no rules known, no disease is said to be asked by none: all are shown as they are.
    const asked = (list: Coverage[], id?: number) =>
      sum ? (id === undefined ? sum.askedAny : (sum.asked.get(id) ?? new Set<string>())) : new Set(list.map((c) => c.disease));
    const byId = new Map(r.animals.map((a) => [a.id, a]));
    const vaccinations = [...r.vaccinations].sort((a, b) => b.administered_on.localeCompare(a.administered_on));
    return html`<section class="card details-card" data-testid="lookup-details">
      <details class="more" data-testid="owner-coverage-details">
        <summary data-testid="owner-coverage-toggle">${t('inspector:owner_summary')}</summary>
        ${r.coverage.length ? coverageList(r.coverage, asked(r.coverage), 'disease-status', 'owner-coverage') : html`<p class="muted">${t('inspector:no_coverage')}</p>`}
      </details>
      <details class="more" data-testid="animals-details">
        <summary data-testid="animals-toggle">${t('inspector:animals', { count: formatNumber(r.animals.length) })}</summary>
        ${r.animals.length === 0 ? html`<p class="muted">${t('inspector:no_animals')}</p>` : nothing}
        <ul class="animal-list">
          ${r.animals.map(
            (a) => html`<li class="animal" data-testid="animal" data-tag=${a.tag ?? ''} data-kind=${a.kind}>
              <div class="animal-head">${animalLabel(a)}
                ${timelineLink(a.tag ? { tag: a.tag } : { flock: a.id })}</div>
              ${a.coverage.length
                ? coverageList(a.coverage, asked(a.coverage, a.id), 'animal-disease-status')
                : html`<p class="muted">${t('inspector:no_coverage')}</p>`}
            </li>`,
          )}
        </ul>
      </details>
      <details class="more" data-testid="vaccinations-details">
        <summary data-testid="vaccinations-toggle">${t('inspector:vaccinations', { count: formatNumber(r.vaccinations.length) })}</summary>
        ${vaccinations.length === 0 ? html`<p class="muted">${t('inspector:no_vaccinations')}</p>` : nothing}
        <ul class="vacc-list">
          ${vaccinations.map(
            (v) => html`<li class=${v.voided ? 'vacc voided' : 'vacc'} data-testid="vaccination" data-voided=${v.voided ? 'true' : 'false'}>
              <div class="vacc-top">
                <strong>${formatDate(v.administered_on)}</strong> · ${diseaseName(v.disease)}
                ${v.voided ? html`<span class="st st-revoked" data-testid="voided">${t('inspector:voided')}</span>` : nothing}
              </div>
              <div class="vacc-detail">
                ${v.animal_ids
                  .map((id) => byId.get(id))
                  .filter((a): a is Animal => !!a)
                  .map((a) => (a.kind === 'flock' ? t('inspector:flock', { species: speciesName(a.species), count: formatNumber(v.head_count) }) : a.tag))
                  .join(', ') || t('inspector:flock', { species: speciesName(v.species), count: formatNumber(v.head_count) })}
              </div>
              <div class="vacc-detail muted">${t('inspector:vaccine_batch', { vaccine: v.vaccine, batch: v.batch_no })}</div>
              ${previousOwnerLine(v)}
              ${v.voided && v.void_reason ? html`<div class="vacc-detail">${t('inspector:void_reason', { reason: v.void_reason })}</div>` : nothing}
            </li>`,
          )}
        </ul>
      </details>
      ${soldView(r)}
    </section>`;
  };

  // W8: a dose a bought animal had before the sale, under whom (masked) and until when. The name is
  // isolated (FSI…PDI): its asterisks would otherwise be laid out right to left in ug.
  const previousOwnerLine = (v: LookupVaccination) => {
    const p = earlierOwner(v);
    return p
      ? html`<div class="vacc-detail vacc-previous" data-testid="previous-owner" data-sold-on=${p.sold_on}>
          ${t('inspector:previous_owner', { name: `\u2068${p.masked_name}\u2069`, date: formatDate(p.sold_on) })}
        </div>`
      : nothing;
  };

  // W8: what the owner sold, each with the day; nothing when nothing was sold.
  const soldView = (r: LookupResult) => {
    const sold = soldUnits(r);
    if (!sold.length) return nothing;
    return html`<details class="more" data-testid="sold-details">
      <summary data-testid="sold-toggle">${t('inspector:sold_title', { count: formatNumber(sold.length) })}</summary>
      <ul class="animal-list">
        ${sold.map(
          (u) => html`<li class="animal sold" data-testid="sold-animal" data-tag=${u.tag ?? ''} data-sold-on=${u.sold_on}>
            <div class="animal-head">${u.tag ? html`${speciesName(u.species)} · <span dir="ltr">${u.tag}</span>` : t('inspector:flock', { species: speciesName(u.species), count: formatNumber(u.head) })}</div>
            <div class="vacc-detail muted">${t('inspector:sold_on', { date: formatDate(u.sold_on) })}</div>
          </li>`,
        )}
      </ul>
    </details>`;
  };

  const listsAge = (lists: VerifyResult['lists']) => {
    if (!lists) return html`<p class="muted" data-testid="lists-age">${t('inspector:lists_unknown')}</p>`;
    const age = (iso?: string) => {
      const a = listAge(iso, new Date());
      if (!iso || !a) return t('inspector:age_unknown');
      if ('minutes' in a) return t('inspector:age_minutes', { date: formatDateTime(iso), minutes: formatNumber(a.minutes) });
      return t('inspector:age_hours', { date: formatDateTime(iso), hours: formatNumber(a.hours, { maximumFractionDigits: 1 }) });
    };
    return html`<ul class="muted lists-age" data-testid="lists-age">
      <li>${t('inspector:trust_list_age', { age: age(lists.trust_list_issued_at) })}</li>
      <li>${t('inspector:revocations_age', { age: age(lists.revocations_issued_at) })}</li>
      ${lists.fetched_at ? html`<li>${t('inspector:lists_fetched', { date: formatDateTime(lists.fetched_at) })}</li>` : nothing}
    </ul>`;
  };

  const claimsView = (c: CertClaims) => {
    const rows: [string, unknown][] = [
      [t('inspector:claim.number'), html`<span data-testid="cert-number" dir="ltr">${c.number ?? ''}</span>`],
      [t('inspector:claim.purpose'), c.purpose ? purposeName(c.purpose) : ''],
      [
        t('inspector:claim.animals'),
        t('inspector:head_of', { species: c.species ? speciesName(c.species) : '', count: formatNumber(c.head_count ?? 0) }),
      ],
      [
        t('inspector:claim.tags'),
        c.tags && c.tags.length ? html`<span dir="ltr">${c.tags.join(', ')}</span>` : c.tag_count ? formatNumber(c.tag_count) : '—',
      ],
      [t('inspector:claim.route'), html`<span data-testid="cert-route"><bdi>${place(c.origin, c.origin_place)}</bdi> ${arrow()} <bdi>${place(c.destination, c.destination_place)}</bdi></span>`],
      [t('inspector:claim.transport'), c.transport || '—'],
      [t('inspector:claim.issued'), formatDateTime(c.issued_at)],
      [t('inspector:claim.valid_until'), html`<strong data-testid="cert-valid-until">${formatDateTime(c.valid_until)}</strong>`],
      [t('inspector:claim.owner'), `${c.owner_masked_name ?? ''}${c.owner_phone_last4 ? ` · …${c.owner_phone_last4}` : ''}`],
      [t('inspector:claim.vet'), c.vet ?? ''],
    ];
    return html`<dl class="claims">
        ${rows.map(([k, v]) => html`<div class="claim"><dt>${k}</dt><dd>${v}</dd></div>`)}
      </dl>
      <h4>${t('inspector:claim.vaccinations')}</h4>
      ${c.vaccinations && c.vaccinations.length
        ? html`<ul class="cert-vacc">
            ${c.vaccinations.map(
              (v) => html`<li data-testid="cert-vaccination" data-disease=${v.disease}>
                <strong>${diseaseName(v.disease)}</strong> · ${formatDate(v.administered_on)} · <span dir="ltr">${v.batch_no}</span>
              </li>`,
            )}
          </ul>`
        : html`<p class="muted">—</p>`}`;
  };

  const place = (code?: string, where?: string) => [code, where].filter(Boolean).join(', ');

  const resultView = (ch: Checked) => {
    const r = ch.result;
    const claims = st.claims();
    const canConsume = st.canConsume();
    return html`<section class="card cert-result ${stateClass(r.status)}" data-testid="cert-result" data-status=${r.status} aria-live="polite">
      <div class="cert-status-big" data-testid="cert-status">${statusWords(r.status)}</div>
      <p class="checked-how" data-testid="checked-how">
        ${ch.offline ? t('inspector:checked_offline', { date: formatDateTime(ch.at) }) : t('inspector:checked_online', { date: formatDateTime(ch.at) })}
      </p>
      ${ch.offline ? listsAge(r.lists) : nothing}
      ${r.consumed_at || r.consumed_place
        ? html`<p class="used-at" data-testid="cert-used-at">${t('inspector:used_at', { place: r.consumed_place ?? '', date: formatDateTime(r.consumed_at) })}</p>`
        : nothing}
      ${r.reasons.length
        ? html`<ul class="reasons" data-testid="cert-reasons">
            ${r.reasons.map((x) => html`<li data-testid="cert-reason" data-code=${x.code}>${reasonWords(x.code)}</li>`)}
          </ul>`
        : nothing}
      ${claims
        ? html`${r.status === 'invalid' ? html`<p class="error">${t('inspector:refused_claims')}</p>` : nothing}${claimsView(claims)}`
        : nothing}
      ${st.consumeDone
        ? html`<p class="notice big-message" data-testid="consume-done">
            ${t('inspector:consumed_now', { place: st.consumeDone.place ?? '', date: formatDateTime(st.consumeDone.at) })}
          </p>`
        : nothing}
      ${st.consumeArrival ? arrivalResult(st.consumeArrival) : nothing}
      ${st.consumeConflict
        ? html`<div class="error big-message" role="alert" data-testid="consume-conflict">
            <strong>${t('inspector:already_used')}</strong>
            <div>${t('inspector:first_used', { date: formatDateTime(st.consumeConflict.at), place: st.consumeConflict.place ?? '', by: st.consumeConflict.by ?? '' })}</div>
            ${st.consumeDoubleUse ? html`<div data-testid="consume-double-use">${t('movement.double_use_recorded')}</div>` : nothing}
          </div>`
        : nothing}
      ${st.consumeQueued ? html`<p class="notice big-message" role="status" data-testid="consume-queued">${t('movement.arrival_queued')}</p>` : nothing}
      ${st.consumeError ? html`<p class="error" role="alert" data-testid="consume-error">${say(st.consumeError)}</p>` : nothing}
      ${canConsume && !st.consumeOpen && !st.consumeDone && !st.consumeQueued
        ? html`<button class="btn btn-primary btn-block" data-testid="cert-consume" @click=${() => st.openConsume(true)}>
            ${t('inspector:consume')}
          </button>`
        : nothing}
      ${canConsume && st.consumeOpen
        ? html`<form class="consume-form" @submit=${consume} data-testid="consume-form">
            <label class="field">${t('inspector:consume_place')}
              <input name="place" required maxlength="200" data-testid="consume-place" .value=${s?.user.authority ?? ''} />
            </label>
            ${holdingsNote(incoming.holdingsNear, incoming.holdingsError)}
            ${arrivalFields({
              holdings: incoming.holdings,
              holding: st.arrivalHolding,
              onHolding: (id) => (st.arrivalHolding = id),
              tags: st.arrivalTags,
              onTags: (text) => (st.arrivalTags = text),
              onScan: () => void scanArrivalTag(),
              maxHead: claims?.head_count,
            })}
            <div class="row">
              <button class="btn btn-primary" ?disabled=${st.consumeBusy} data-testid="consume-confirm">
                ${st.consumeBusy ? t('inspector:consuming') : t('inspector:consume_confirm')}
              </button>
              <button type="button" class="btn" @click=${() => st.openConsume(false)}>${t('cancel')}</button>
            </div>
          </form>`
        : nothing}
    </section>`;
  };

  const draw = () => {
    if (!alive) return;
    const shown = shownLookup();
    render(
      html`<div class="inspector">
        <section class="card">
          <h1>${t('inspector:phone_title')}</h1>
          <form @submit=${lookupPhone} data-testid="phone-form">
            <label class="field">${t('inspector:phone_label')}
              <input
                name="phone"
                type="tel"
                inputmode="tel"
                autocomplete="off"
                dir="ltr"
                class="phone-input"
                placeholder=${t('inspector:phone_placeholder')}
                required
                data-testid="phone-input"
              />
            </label>
            <button class="btn btn-primary btn-block" ?disabled=${st.lookupBusy} data-testid="phone-submit">
              ${st.lookupBusy ? t('loading') : t('inspector:phone_submit')}
            </button>
          </form>
          ${st.lookupError ? lookupProblemView(st.lookupError) : nothing}
        </section>
        ${st.lookup ? lookupView(st.lookup) : nothing}
        ${st.fromCopy ? html`${fromCopyView(st.fromCopy)}${lookupView(st.fromCopy.result)}` : nothing}
        ${st.local ? localView(st.local) : nothing}
        <section class="card" data-testid="cert-card">
          <h1>${t('inspector:cert_title')}</h1>
          <button class="btn btn-block btn-scan" data-testid="cert-scan" @click=${scan}>${t('inspector:scan')}</button>
          <label class="field">${t('inspector:paste_label')}
            <textarea
              rows="4"
              dir="ltr"
              spellcheck="false"
              autocapitalize="off"
              class="hp1-input"
              data-testid="cert-input"
              .value=${st.certText}
              @input=${(e: Event) => (st.certText = (e.target as HTMLTextAreaElement).value)}
            ></textarea>
          </label>
          <button class="btn btn-primary btn-block" ?disabled=${st.checkBusy} data-testid="cert-check" @click=${() => check()}>
            ${st.checkBusy ? t('inspector:checking') : t('inspector:check')}
          </button>
          ${st.checkError ? html`<p class="error" role="alert" data-testid="cert-error">${say(st.checkError)}</p>` : nothing}
        </section>
        ${st.checked ? resultView(st.checked) : nothing}
        ${checkpoint ? checkpoint.view(st.claims()?.head_count) : nothing}
        ${isInspector ? arrivalsView(arrivals) : nothing}
        ${isInspector ? incomingView(incoming) : nothing}
        ${isInspector ? doubleUsesView(doubleUses) : nothing}
        ${shown ? detailsView(shown) : nothing}
        ${fieldCopy ? fieldCopyView(fieldCopy) : nothing}
      </div>`,
      root,
    );
  };


  st.onChange = () => {
    const c = st.claims();
    checkpoint?.useCertificate(c?.id ?? c?.number);
    draw();
  };
  if (checkpoint) {
    checkpoint.onChange = draw;
    void checkpoint.load(controller.signal);
    window.addEventListener('hp:outbox', refreshPassages);
  }
  draw();
  void st.loadRules();
  void fieldCopy?.load();
  if (isInspector) {
    void incoming.load();
    void doubleUses.load();
    refreshPassages();
    void currentPosition().then((position) => (alive ? incoming.loadHoldings(position) : undefined));
  }
  // The offline verifier and fresh lists while there is a network, so that a check in the pasture
  // works and says how old the lists are.
  const refresh = () => {
    if (!navigator.onLine) return;
    void import('../trust').then((m) => m.refreshLists(controller.signal)).catch(() => {});
  };
  void import('../hp1/index').catch(() => {});
  refresh();
  window.addEventListener('online', refresh);
  return () => {
    window.removeEventListener('online', refresh);
    window.removeEventListener('hp:outbox', refreshPassages);
    alive = false;
    st.close();
    controller.abort();
    render(nothing, root);
  };
};
