// The inspector's screen (roles inspector and vet): W2, the phone check at slaughter (the owner,
// each animal or flock, every vaccination of the window and the coverage per disease), and W4/W5,
// checking a certificate (scanned or pasted; online through POST /verify, offline with the cached
// lists) and consuming it once.
import i18next from 'i18next';
import { api, ApiError, OfflineError, TimeoutError } from '../api';
import { session } from '../auth';
import type { VerifyResult } from '../hp1/index';
import { formatDate, formatDateTime, formatNumber, language, t } from '../i18n';
import { knownOnPhone, rememberLookup, type LocalKnowledge } from '../phone_check';
import { coverageWords, diseaseName, purposeName, reasonWords, speciesName } from '../labels';
import { scanCode } from '../scan';
import { errorText, html, nothing, render, type Mount, type TemplateResult } from '../ui';
import type { CertClaims, ConsumeAnswer, ConsumedFields, Coverage, FirstUse, LookupAnimal as Animal, LookupResult } from '../wire';
import './inspector.css';

interface Checked {
  result: VerifyResult & ConsumedFields;
  offline: boolean;
  at: Date;
}

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

// --- the screen ---

export const mount: Mount = (root) => {
  const s = session();
  const isInspector = s?.user.role === 'inspector';
  const controller = new AbortController();
  let alive = true;

  // W2. When the server does not answer (no network, or not in time), what this phone knows.
  let lookupBusy = false;
  let lookup: LookupResult | null = null;
  let lookupError: TemplateResult | null = null;
  let lookupPhoneText = '';
  let local: { knows: LocalKnowledge<LookupResult>; timeout: boolean } | null = null;

  // W4/W5
  let certText = '';
  let checkBusy = false;
  let checked: Checked | null = null;
  let checkError: string | null = null;
  let consumeOpen = false;
  let consumeBusy = false;
  let consumeDone: FirstUse | null = null;
  let consumeConflict: FirstUse | null = null;
  let consumeError: string | null = null;

  const lookupPhone = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const phone = String(new FormData(form).get('phone') ?? '').trim();
    if (!phone) return;
    await runLookup(phone);
  };

  const runLookup = async (phone: string) => {
    lookupPhoneText = phone;
    lookupBusy = true;
    lookupError = null;
    lookup = null;
    local = null;
    draw();
    try {
      lookup = await api<LookupResult>('GET', `/lookup?phone=${encodeURIComponent(phone)}&years=3`, undefined, controller.signal);
      // Kept on the phone for the next time the server does not answer.
      void rememberLookup(lookup.owner.phone, lookup).catch(() => {});
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') return;
      const knows = err instanceof OfflineError ? await knownOnPhone<LookupResult>(phone).catch(() => null) : null;
      if (knows) local = { knows, timeout: err instanceof TimeoutError };
      else lookupError = lookupProblem(err);
    }
    lookupBusy = false;
    if (alive) draw();
  };

  const retryLookup = () => void runLookup(lookupPhoneText);

  const lookupProblem = (err: unknown): TemplateResult => {
    let text: string;
    let testid = 'lookup-error';
    let retry = true;
    if (err instanceof TimeoutError) {
      text = t('inspector:lookup_timeout');
      testid = 'lookup-timeout';
    } else if (err instanceof OfflineError) {
      text = t('inspector:lookup_offline');
      testid = 'lookup-offline';
    } else if (err instanceof ApiError && err.status === 404) {
      text = t('inspector:no_owner');
      testid = 'lookup-not-found';
      retry = false;
    } else if (err instanceof ApiError && err.status === 429) {
      text = t('inspector:throttled');
      testid = 'lookup-throttled';
    } else if (err instanceof ApiError && err.status === 400) {
      text = t('inspector:bad_phone');
      retry = false;
    } else {
      text = errorText(err);
    }
    return html`<div class="error big-message" role="alert" data-testid=${testid}>
      <span>${text}</span>
      ${retry ? html`<button type="button" class="btn btn-small error-retry" data-testid="lookup-retry" @click=${retryLookup}>${t('retry')}</button>` : nothing}
    </div>`;
  };

  // The server did not answer: what the phone knows, said as such, and a way to ask the server again.
  const localView = (l: NonNullable<typeof local>) => {
    const k = l.knows;
    const who = k.cached?.result.owner ?? k.owner;
    return html`<section class="card local-card" data-testid="lookup-local" data-cached=${k.cached ? 'true' : 'false'}>
        <p class="notice notice-warn" role="status">
          <span>${l.timeout ? t('inspector:local_timeout') : t('inspector:local_offline')}</span>
          <button type="button" class="btn btn-small error-retry" data-testid="lookup-retry" @click=${retryLookup}>${t('retry')}</button>
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

  const check = async (text?: string) => {
    const hp1 = (text ?? certText).trim();
    certText = hp1;
    if (!hp1) return;
    checkBusy = true;
    checkError = null;
    checked = null;
    consumeOpen = false;
    consumeDone = null;
    consumeConflict = null;
    consumeError = null;
    draw();
    try {
      if (!navigator.onLine) throw new OfflineError();
      const result = await api<Checked['result']>('POST', '/verify', { hp1 }, controller.signal);
      checked = { result, offline: false, at: new Date() };
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') return;
      if (err instanceof OfflineError) {
        try {
          // The verifier is loaded only when needed (the service worker keeps it for offline use).
          const { verifyOffline } = await import('../hp1/index');
          checked = { result: await verifyOffline(hp1), offline: true, at: new Date() };
        } catch (e2) {
          checkError = `${t('inspector:offline_check_failed')} ${(e2 as Error)?.message ?? ''}`.trim();
        }
      } else {
        checkError = errorText(err);
      }
    }
    checkBusy = false;
    if (alive) draw();
    if (alive && checked) root.querySelector('[data-testid="cert-result"]')?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  };

  const scan = async () => {
    try {
      const text = await scanCode({ kind: 'qr' });
      if (!alive || !text) return;
      certText = text;
      const area = root.querySelector<HTMLTextAreaElement>('[data-testid="cert-input"]');
      if (area) area.value = text;
      await check(text);
    } catch (err) {
      checkError = `${t('inspector:scan_failed')} ${(err as Error)?.message ?? ''}`.trim();
      draw();
    }
  };

  const consume = async (e: Event) => {
    e.preventDefault();
    const claims = (checked?.result.certificate ?? null) as CertClaims | null;
    const ref = claims?.id || claims?.number;
    if (!ref || !checked) return;
    const place = String(new FormData(e.target as HTMLFormElement).get('place') ?? '').trim();
    if (!place) return;
    consumeBusy = true;
    consumeError = null;
    consumeConflict = null;
    draw();
    try {
      const cert = await api<ConsumeAnswer>(
        'POST',
        `/certificates/${encodeURIComponent(ref)}/consume`,
        { place },
        controller.signal,
      );
      consumeDone = cert.consumed ?? { place };
      consumeOpen = false;
      checked.result = {
        ...checked.result,
        valid: false,
        status: 'consumed',
        consumed_at: cert.consumed?.at,
        consumed_place: cert.consumed?.place ?? place,
      };
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') return;
      if (err instanceof ApiError && err.status === 409 && err.problem.first_consumed) {
        consumeConflict = err.problem.first_consumed as FirstUse;
        consumeOpen = false;
        checked.result = {
          ...checked.result,
          valid: false,
          status: 'consumed',
          consumed_at: consumeConflict.at,
          consumed_place: consumeConflict.place,
        };
      } else if (err instanceof OfflineError && !(err instanceof TimeoutError)) {
        consumeError = t('inspector:consume_offline');
      } else if (err instanceof ApiError && err.status === 409) {
        consumeError = t('inspector:consume_refused');
      } else {
        consumeError = errorText(err);
      }
    }
    consumeBusy = false;
    if (alive) draw();
  };

  // --- templates ---

  const coverageRow = (c: Coverage, testid: string) =>
    html`<li class="cov-item st st-${c.status}" data-testid=${testid} data-disease=${c.disease} data-state=${c.status}>
      <span class="cov-disease">${diseaseName(c.disease, c.disease_name)}</span>
      <span class="cov-words">${coverageWords(c)}</span>
    </li>`;

  const animalLabel = (a: Animal) =>
    a.kind === 'flock'
      ? t('inspector:flock', { species: speciesName(a.species), count: formatNumber(a.head_count) })
      : `${speciesName(a.species)} · ${a.tag ?? ''}`;

  const lookupView = (r: LookupResult) => {
    const byId = new Map(r.animals.map((a) => [a.id, a]));
    const vaccinations = [...r.vaccinations].sort((a, b) => b.administered_on.localeCompare(a.administered_on));
    return html`<section class="card owner-card" data-testid="lookup-result">
        <h2 class="owner-name" data-testid="owner-name">${r.owner.name}</h2>
        <p class="owner-meta">
          ${r.owner.village ? html`<span data-testid="owner-village">${r.owner.village}</span> · ` : nothing}<span dir="ltr">${r.owner.phone}</span>
        </p>
        <p class="muted">${t('inspector:window', { since: formatDate(r.since), today: formatDate(r.today) })}</p>
        <h3>${t('inspector:owner_summary')}</h3>
        ${r.coverage.length
          ? html`<ul class="cov-list cov-big" data-testid="owner-coverage">${r.coverage.map((c) => coverageRow(c, 'disease-status'))}</ul>`
          : html`<p class="muted">${t('inspector:no_coverage')}</p>`}
      </section>
      <section class="card">
        <h3>${t('inspector:animals', { count: formatNumber(r.animals.length) })}</h3>
        ${r.animals.length === 0 ? html`<p class="muted">${t('inspector:no_animals')}</p>` : nothing}
        <ul class="animal-list">
          ${r.animals.map(
            (a) => html`<li class="animal" data-testid="animal" data-tag=${a.tag ?? ''} data-kind=${a.kind}>
              <div class="animal-head">${animalLabel(a)}</div>
              ${a.coverage.length
                ? html`<ul class="cov-list">${a.coverage.map((c) => coverageRow(c, 'animal-disease-status'))}</ul>`
                : html`<p class="muted">${t('inspector:no_coverage')}</p>`}
            </li>`,
          )}
        </ul>
      </section>
      <section class="card">
        <h3>${t('inspector:vaccinations', { count: formatNumber(r.vaccinations.length) })}</h3>
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
              ${v.voided && v.void_reason ? html`<div class="vacc-detail">${t('inspector:void_reason', { reason: v.void_reason })}</div>` : nothing}
            </li>`,
          )}
        </ul>
      </section>`;
  };

  const listsAge = (lists: VerifyResult['lists']) => {
    if (!lists) return html`<p class="muted" data-testid="lists-age">${t('inspector:lists_unknown')}</p>`;
    const age = (iso?: string) => {
      if (!iso) return t('inspector:age_unknown');
      const hours = Math.max(0, (Date.now() - new Date(iso).getTime()) / 3600000);
      if (hours < 1) return t('inspector:age_minutes', { date: formatDateTime(iso), minutes: formatNumber(Math.floor(hours * 60)) });
      return t('inspector:age_hours', { date: formatDateTime(iso), hours: formatNumber(hours, { maximumFractionDigits: 1 }) });
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
    const claims = (r.certificate ?? null) as CertClaims | null;
    const canConsume = isInspector && !!claims && !!(claims.id || claims.number) && (r.status === 'valid' || r.status === 'consumed');
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
            ${r.reasons.map((x) => html`<li data-testid="cert-reason" data-code=${x.code}>${reasonWords(x.code, x.message)}</li>`)}
          </ul>`
        : nothing}
      ${claims
        ? html`${r.status === 'invalid' ? html`<p class="error">${t('inspector:refused_claims')}</p>` : nothing}${claimsView(claims)}`
        : nothing}
      ${consumeDone
        ? html`<p class="notice big-message" data-testid="consume-done">
            ${t('inspector:consumed_now', { place: consumeDone.place ?? '', date: formatDateTime(consumeDone.at) })}
          </p>`
        : nothing}
      ${consumeConflict
        ? html`<div class="error big-message" role="alert" data-testid="consume-conflict">
            <strong>${t('inspector:already_used')}</strong>
            <div>${t('inspector:first_used', { date: formatDateTime(consumeConflict.at), place: consumeConflict.place ?? '', by: consumeConflict.by ?? '' })}</div>
          </div>`
        : nothing}
      ${consumeError ? html`<p class="error" role="alert" data-testid="consume-error">${consumeError}</p>` : nothing}
      ${canConsume && !consumeOpen && !consumeDone
        ? html`<button class="btn btn-primary btn-block" data-testid="cert-consume" @click=${() => { consumeOpen = true; draw(); }}>
            ${t('inspector:consume')}
          </button>`
        : nothing}
      ${canConsume && consumeOpen
        ? html`<form class="consume-form" @submit=${consume} data-testid="consume-form">
            <label class="field">${t('inspector:consume_place')}
              <input name="place" required maxlength="200" data-testid="consume-place" .value=${s?.user.authority ?? ''} />
            </label>
            <div class="row">
              <button class="btn btn-primary" ?disabled=${consumeBusy} data-testid="consume-confirm">
                ${consumeBusy ? t('inspector:consuming') : t('inspector:consume_confirm')}
              </button>
              <button type="button" class="btn" @click=${() => { consumeOpen = false; draw(); }}>${t('cancel')}</button>
            </div>
          </form>`
        : nothing}
    </section>`;
  };

  const draw = () => {
    if (!alive) return;
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
            <button class="btn btn-primary btn-block" ?disabled=${lookupBusy} data-testid="phone-submit">
              ${lookupBusy ? t('loading') : t('inspector:phone_submit')}
            </button>
          </form>
          ${lookupError ?? nothing}
        </section>
        ${lookup ? lookupView(lookup) : nothing}
        ${local ? localView(local) : nothing}
        <section class="card">
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
              .value=${certText}
              @input=${(e: Event) => (certText = (e.target as HTMLTextAreaElement).value)}
            ></textarea>
          </label>
          <button class="btn btn-primary btn-block" ?disabled=${checkBusy} data-testid="cert-check" @click=${() => check()}>
            ${checkBusy ? t('inspector:checking') : t('inspector:check')}
          </button>
          ${checkError ? html`<p class="error" role="alert" data-testid="cert-error">${checkError}</p>` : nothing}
        </section>
        ${checked ? resultView(checked) : nothing}
      </div>`,
      root,
    );
  };

  draw();
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
    alive = false;
    controller.abort();
    render(nothing, root);
  };
};
