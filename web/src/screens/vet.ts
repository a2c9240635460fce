// The vet's screen (roles vet and admin): W3, issuing a quarantine certificate for animals of one
// owner (movement rules that fail are listed at once, one line each), showing its QR code full
// screen, printing it and keeping it on the phone for offline use; W6, revoking a certificate.
import i18next from 'i18next';
import { api, ApiError, apiText, OfflineError, TimeoutError } from '../api';
import { session } from '../auth';
import { db } from '../db';
import { formatDate, formatDateTime, formatNumber, language, t } from '../i18n';
import { coverageWords, diseaseName, purposeName, speciesName } from '../labels';
import { errorText, html, nothing, render, type Mount } from '../ui';
import type { Certificate, Coverage, LookupAnimal as Animal, LookupResult, RuleFailure } from '../wire';
import './vet.css';

// One line of the recent certificates: from GET /certificates?… or from this phone's IndexedDB.
interface CertItem {
  id: string;
  number: string;
  status: string;
  purpose?: string;
  species?: string;
  head_count?: number;
  issued_at?: string;
  valid_until?: string;
  origin?: string;
  destination?: string;
  owner_masked_name?: string;
  hp1?: string;
  qr_svg?: string;
}

// What the certificate view shows: a fresh one, or one kept on the phone.
interface Shown {
  id: string;
  number: string;
  status: string;
  hp1: string;
  valid_until?: string;
  qrUrl: string | null;
  qrError: string | null;
  saved: boolean;
}

const PURPOSES = ['slaughter', 'sale', 'breeding', 'grazing', 'export'];

function statusWords(status: string): string {
  if (status === 'issued') return t('vet:status_issued');
  return i18next.exists('cert_status.' + status) ? t('cert_status.' + status) : status;
}

function statusClass(status: string): string {
  return status === 'issued' ? 'st-valid' : 'st-' + status;
}

function unitName(animal: string): string {
  if (animal.startsWith('flock:')) return t('vet:flock_of', { species: speciesName(animal.slice(6)) });
  return animal;
}

function itemOf(c: Partial<Certificate> & { id: string; number: string; status: string }): CertItem {
  return {
    id: c.id,
    number: c.number,
    status: c.status,
    purpose: c.purpose,
    species: c.species,
    head_count: c.head_count,
    issued_at: c.issued_at,
    valid_until: c.valid_until,
    origin: c.origin,
    destination: c.destination,
    owner_masked_name: c.owner_masked_name,
    hp1: c.hp1,
  };
}

async function keepOnDevice(item: CertItem & Record<string, unknown>): Promise<void> {
  const d = await db();
  const before = await d.get('certs', item.id);
  await d.put('certs', { ...(before ?? {}), ...item, saved_at: new Date().toISOString() });
}

async function deviceCerts(): Promise<CertItem[]> {
  const all = (await (await db()).getAll('certs')) as unknown as CertItem[];
  return all
    .filter((c) => c && c.id && c.number)
    .sort((a, b) => String(b.issued_at ?? '').localeCompare(String(a.issued_at ?? '')))
    .slice(0, 50);
}

export const mount: Mount = (root) => {
  const s = session();
  // Only vets issue (and look owners up); an administrator revokes.
  const canIssue = s?.user.role === 'vet';
  const controller = new AbortController();
  const blobUrls: string[] = [];
  let alive = true;

  // owner and animals
  let lookupBusy = false;
  let lookup: LookupResult | null = null;
  let lookupError: string | null = null;
  let species = '';
  let selected = new Set<string>();
  let flockHeads = '';

  // issuing
  let issueBusy = false;
  let failures: RuleFailure[] | null = null;
  // The purpose the refused request asked for: the rules' words name it.
  let failedPurpose = '';
  let issueError: string | null = null;
  let shown: Shown | null = null;
  let qrFull = false;
  let copied = false;
  let printError: string | null = null;

  // recent certificates and revoking
  let items: CertItem[] = [];
  let listSource: 'server' | 'device' | null = null;
  let listError: string | null = null;
  let listStatus = '';
  let listBusy = false;
  let nextCursor: string | null = null;
  let findBusy = false;
  let findError: string | null = null;
  let revokeOpen: string | null = null;
  let revokeBusy = false;
  let revokeError: string | null = null;
  let revokeErrorFor: string | null = null;
  let revokedNow: string | null = null;

  const remember = (url: string) => {
    blobUrls.push(url);
    return url;
  };

  // --- owner ---

  const findOwner = async (e: Event) => {
    e.preventDefault();
    const phone = String(new FormData(e.target as HTMLFormElement).get('phone') ?? '').trim();
    if (!phone) return;
    lookupBusy = true;
    lookupError = null;
    lookup = null;
    failures = null;
    issueError = null;
    draw();
    try {
      lookup = await api<LookupResult>('GET', `/lookup?phone=${encodeURIComponent(phone)}&years=3`, undefined, controller.signal);
      const kinds = speciesOf(lookup);
      species = kinds[0] ?? '';
      selected = new Set();
      flockHeads = '';
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') return;
      lookupError =
        err instanceof ApiError && err.status === 404 ? t('vet:no_owner')
        : err instanceof ApiError && err.status === 429 ? t('vet:throttled')
        : err instanceof TimeoutError ? errorText(err)
        : err instanceof OfflineError ? t('vet:lookup_offline')
        : errorText(err);
    }
    lookupBusy = false;
    if (alive) draw();
  };

  const speciesOf = (r: LookupResult): string[] => [...new Set(r.animals.map((a) => a.species))];

  // --- issuing ---

  const issue = async (e: Event) => {
    e.preventDefault();
    if (!lookup) return;
    const data = new FormData(e.target as HTMLFormElement);
    const get = (k: string) => String(data.get(k) ?? '').trim();
    const heads = parseInt(flockHeads, 10);
    failures = null;
    issueError = null;
    if (selected.size === 0 && !(heads > 0)) {
      issueError = t('vet:choose_animals');
      draw();
      return;
    }
    const body: Record<string, unknown> = {
      owner_id: lookup.owner.id,
      species,
      animal_tags: [...selected],
      purpose: get('purpose'),
      destination: get('destination'),
      destination_place: get('destination_place'),
      origin_place: get('origin_place'),
      transport: get('transport'),
    };
    if (heads > 0) body.head_count = heads;
    if (get('origin')) body.origin = get('origin');
    const hours = parseInt(get('valid_hours'), 10);
    if (hours > 0) body.valid_hours = hours;
    issueBusy = true;
    draw();
    try {
      const cert = await api<Certificate>('POST', '/certificates', body, controller.signal);
      await showCertificate(cert, true);
      lookup = null;
      selected = new Set();
      flockHeads = '';
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') return;
      if (err instanceof ApiError && err.status === 422 && Array.isArray(err.problem.failures)) {
        failures = err.problem.failures as RuleFailure[];
        failedPurpose = String(body.purpose ?? '');
      } else if (err instanceof OfflineError && !(err instanceof TimeoutError)) {
        issueError = t('vet:issue_offline');
      } else {
        issueError = errorText(err);
      }
    }
    issueBusy = false;
    if (alive) draw();
    if (alive && failures) root.querySelector('[data-testid="rule-failures"]')?.scrollIntoView({ block: 'start' });
  };

  // Shows a certificate with its QR code; a fresh one (or one found online) is kept on the phone
  // with the QR code's SVG text so that it can be shown again offline.
  const showCertificate = async (cert: Partial<Certificate> & { id: string; number: string; status: string; hp1?: string }, fresh: boolean, svg?: string) => {
    shown = { id: cert.id, number: cert.number, status: cert.status, hp1: cert.hp1 ?? '', valid_until: cert.valid_until, qrUrl: null, qrError: null, saved: false };
    qrFull = false;
    copied = false;
    printError = null;
    draw();
    window.scrollTo({ top: 0 });
    let qrSvg = svg;
    try {
      if (qrSvg) {
        shown.qrUrl = remember(URL.createObjectURL(new Blob([qrSvg], { type: 'image/svg+xml' })));
      } else {
        qrSvg = await apiText(`/certificates/${encodeURIComponent(cert.id)}/qr.svg`);
        shown.qrUrl = remember(URL.createObjectURL(new Blob([qrSvg], { type: 'image/svg+xml' })));
      }
    } catch (err) {
      shown.qrError = err instanceof TimeoutError ? errorText(err) : err instanceof OfflineError ? t('vet:qr_offline') : errorText(err);
    }
    if (fresh || qrSvg) {
      try {
        const item = { ...itemOf(cert), ...(qrSvg ? { qr_svg: qrSvg } : {}) };
        await keepOnDevice(item);
        shown.saved = true;
        items = [item, ...items.filter((i) => i.id !== item.id)];
      } catch {
        shown.saved = false;
      }
    }
    if (alive) draw();
  };

  const copyHp1 = async () => {
    if (!shown) return;
    try {
      await navigator.clipboard.writeText(shown.hp1);
      copied = true;
    } catch {
      const area = root.querySelector<HTMLTextAreaElement>('[data-testid="cert-hp1"]');
      area?.select();
      copied = document.execCommand?.('copy') ?? false;
    }
    draw();
  };

  // The printable page in the app's language, printed from a hidden frame (the app's CSP allows
  // no blob: frames, so the page's text goes in as srcdoc).
  const print = async () => {
    if (!shown) return;
    printError = null;
    try {
      const text = await apiText(`/certificates/${encodeURIComponent(shown.id)}/print?lang=${encodeURIComponent(language().code)}`);
      const frame = document.createElement('iframe');
      frame.setAttribute('aria-hidden', 'true');
      frame.style.cssText = 'position:fixed;inset-inline-start:-10000px;width:1px;height:1px;border:0';
      frame.dataset.testid = 'print-frame';
      frame.addEventListener('load', () => {
        frame.contentWindow?.focus();
        frame.contentWindow?.print();
        setTimeout(() => frame.remove(), 60000);
      });
      frame.srcdoc = text;
      document.body.appendChild(frame);
    } catch (err) {
      printError = err instanceof TimeoutError ? errorText(err) : err instanceof OfflineError ? t('vet:print_offline') : errorText(err);
      draw();
    }
  };

  // --- recent certificates ---

  // `more`: the next page of the server's list (cursor-paginated), after what is shown.
  const loadList = async (more = false) => {
    listError = null;
    listBusy = true;
    if (more) draw();
    try {
      const query = `/certificates?limit=30${listStatus ? `&status=${listStatus}` : ''}${more && nextCursor ? `&cursor=${encodeURIComponent(nextCursor)}` : ''}`;
      const res = await api<{ items?: CertItem[]; next_cursor?: string | null } | CertItem[]>('GET', query, undefined, controller.signal);
      const list = Array.isArray(res) ? res : res.items ?? [];
      nextCursor = Array.isArray(res) ? null : res.next_cursor ?? null;
      const device = new Map((await deviceCerts().catch(() => [] as CertItem[])).map((c) => [c.id, c]));
      const fromServer = list.map((i) => ({ ...device.get(i.id), ...i }));
      items = mergeItems(items, fromServer);
      listSource = 'server';
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') return;
      const expected = err instanceof OfflineError || (err instanceof ApiError && (err.status === 404 || err.status === 405));
      if (!expected) listError = errorText(err);
      nextCursor = null;
      items = mergeItems(items, await deviceCerts().catch(() => []));
      listSource = 'device';
    }
    listBusy = false;
    if (alive) draw();
  };

  // Items already on screen (just issued or found) keep their place at the top.
  const mergeItems = (first: CertItem[], rest: CertItem[]): CertItem[] => {
    const seen = new Set<string>();
    const out: CertItem[] = [];
    const later = new Map(rest.map((i) => [i.id, i]));
    for (const i of first) {
      if (seen.has(i.id)) continue;
      seen.add(i.id);
      out.push({ ...i, ...later.get(i.id) });
    }
    for (const i of rest) if (!seen.has(i.id)) (seen.add(i.id), out.push(i));
    return out;
  };

  const find = async (e: Event) => {
    e.preventDefault();
    const text = String(new FormData(e.target as HTMLFormElement).get('ref') ?? '').trim();
    if (!text) return;
    findBusy = true;
    findError = null;
    draw();
    try {
      const cert = await api<Certificate>('GET', `/certificates/${encodeURIComponent(text)}`, undefined, controller.signal);
      const item = itemOf(cert);
      const before = (await (await db()).get('certs', cert.id)) as CertItem | undefined;
      await keepOnDevice({ ...item, ...(before?.qr_svg ? { qr_svg: before.qr_svg } : {}) });
      items = [{ ...before, ...item }, ...items.filter((i) => i.id !== item.id)];
      (e.target as HTMLFormElement).reset();
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') return;
      findError = err instanceof ApiError && err.status === 404 ? t('vet:cert_not_found') : errorText(err);
    }
    findBusy = false;
    if (alive) draw();
  };

  // From the phone's copy when it has the QR code; else (a certificate listed by the server) the
  // full certificate is read first.
  const showItem = async (item: CertItem) => {
    if (item.qr_svg || item.hp1) {
      await showCertificate({ ...item, hp1: item.hp1 ?? '' }, false, item.qr_svg);
      return;
    }
    try {
      const cert = await api<Certificate>('GET', `/certificates/${encodeURIComponent(item.id)}`, undefined, controller.signal);
      Object.assign(item, itemOf(cert));
      await showCertificate(cert, true);
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') return;
      revokeError = err instanceof TimeoutError ? errorText(err) : err instanceof OfflineError ? t('vet:qr_offline') : errorText(err);
      revokeErrorFor = item.id;
      draw();
    }
  };

  const revoke = async (e: Event, item: CertItem) => {
    e.preventDefault();
    const reason = String(new FormData(e.target as HTMLFormElement).get('reason') ?? '').trim();
    if (!reason) return;
    revokeBusy = true;
    revokeError = null;
    revokeErrorFor = item.id;
    draw();
    let status: string | null = null;
    try {
      const cert = await api<Certificate>('POST', `/certificates/${encodeURIComponent(item.id)}/revoke`, { reason }, controller.signal);
      status = cert.status;
      revokedNow = item.id;
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') return;
      if (err instanceof ApiError && err.status === 409 && /revoked/i.test(String(err.problem.detail ?? ''))) {
        status = 'revoked';
        revokeError = t('vet:already_revoked');
      } else {
        revokeError = err instanceof TimeoutError ? errorText(err) : err instanceof OfflineError ? t('vet:revoke_offline') : errorText(err);
      }
    }
    if (status) {
      item.status = status;
      revokeOpen = null;
      if (shown?.id === item.id) shown.status = status;
      try {
        const d = await db();
        const before = await d.get('certs', item.id);
        if (before) await d.put('certs', { ...before, status });
      } catch {
        /* the list on screen is right; the phone's copy catches up on the next load */
      }
    }
    revokeBusy = false;
    if (alive) draw();
  };

  // --- templates ---

  const animalOption = (a: Animal) => {
    const tag = a.tag ?? '';
    const checked = selected.has(tag);
    return html`<li class="pick ${checked ? 'picked' : ''}">
      <label class="pick-label">
        <input
          type="checkbox"
          class="pick-box"
          data-testid="animal-option"
          data-tag=${tag}
          .checked=${checked}
          @change=${(e: Event) => {
            if ((e.target as HTMLInputElement).checked) selected.add(tag);
            else selected.delete(tag);
            draw();
          }}
        />
        <span class="pick-tag" dir="ltr">${tag}</span>
      </label>
      ${coverageChips(a.coverage)}
    </li>`;
  };

  const coverageChips = (list: Coverage[]) =>
    list.length
      ? html`<ul class="chips">
          ${list.map(
            (c) => html`<li class="st st-${c.status} chip" data-testid="animal-coverage" data-disease=${c.disease} data-state=${c.status}>
              ${diseaseName(c.disease, c.disease_name)}: ${coverageWords(c)}
            </li>`,
          )}
        </ul>`
      : html`<p class="muted">${t('vet:no_vaccinations')}</p>`;

  const ownerView = (r: LookupResult) => {
    const kinds = speciesOf(r);
    const tagged = r.animals.filter((a) => a.kind === 'animal' && a.species === species && a.tag);
    // The server takes head counts from the owner's first flock of the species.
    const flock = r.animals.find((a) => a.kind === 'flock' && a.species === species);
    return html`<section class="card">
      <h2 class="owner-name" data-testid="vet-owner-name">${r.owner.name}</h2>
      <p class="muted">${r.owner.village ? html`${r.owner.village} · ` : nothing}<bdi dir="ltr" data-testid="vet-owner-phone">${r.owner.phone}</bdi>${r.owner.authority ? html` · <bdi dir="ltr">${r.owner.authority}</bdi>` : nothing}</p>
      ${kinds.length === 0
        ? html`<p class="error" data-testid="no-animals">${t('vet:no_animals')}</p>`
        : html`<form @submit=${issue} data-testid="issue-form">
            <label class="field">${t('vet:species')}
              <select
                name="species"
                data-testid="species"
                @change=${(e: Event) => {
                  species = (e.target as HTMLSelectElement).value;
                  selected = new Set();
                  flockHeads = '';
                  draw();
                }}
              >
                ${kinds.map((k) => html`<option value=${k} ?selected=${k === species}>${speciesName(k)}</option>`)}
              </select>
            </label>
            ${tagged.length
              ? html`<fieldset class="picks">
                  <legend>${t('vet:animals_label')}</legend>
                  <button
                    type="button"
                    class="btn btn-small"
                    data-testid="select-all"
                    @click=${() => {
                      const all = tagged.every((a) => selected.has(a.tag!));
                      selected = all ? new Set() : new Set(tagged.map((a) => a.tag!));
                      draw();
                    }}
                  >
                    ${t('vet:select_all')}
                  </button>
                  <ul class="pick-list">${tagged.map(animalOption)}</ul>
                  <p class="muted" data-testid="selected-count">${t('vet:selected', { count: formatNumber(selected.size) })}</p>
                </fieldset>`
              : nothing}
            ${flock
              ? html`<fieldset class="picks">
                  <legend>${t('vet:flock_label', { species: speciesName(flock.species), count: formatNumber(flock.head_count) })}</legend>
                  <label class="field">${t('vet:flock_heads')}
                    <input
                      type="number"
                      inputmode="numeric"
                      min="0"
                      max=${flock.head_count}
                      data-testid="flock-heads"
                      data-species=${flock.species}
                      .value=${flockHeads}
                      @input=${(e: Event) => (flockHeads = (e.target as HTMLInputElement).value)}
                    />
                  </label>
                  ${coverageChips(flock.coverage)}
                </fieldset>`
              : nothing}
            <label class="field">${t('vet:purpose')}
              <select name="purpose" data-testid="purpose">
                ${PURPOSES.map((p) => html`<option value=${p}>${purposeName(p)}</option>`)}
              </select>
            </label>
            <div class="row">
              <label class="field">${t('vet:origin')}
                <input name="origin" dir="ltr" autocapitalize="characters" placeholder=${r.owner.authority} data-testid="origin" />
              </label>
              <label class="field">${t('vet:origin_place')}
                <input name="origin_place" maxlength="200" value=${r.owner.village ?? ''} data-testid="origin-place" />
              </label>
            </div>
            <div class="row">
              <label class="field">${t('vet:destination')}
                <input name="destination" dir="ltr" autocapitalize="characters" required value=${s?.user.authority ?? ''} data-testid="destination" />
              </label>
              <label class="field">${t('vet:destination_place')}
                <input name="destination_place" maxlength="200" data-testid="destination-place" />
              </label>
            </div>
            <label class="field">${t('vet:transport')}
              <input name="transport" maxlength="200" placeholder=${t('vet:transport_hint')} data-testid="transport" />
            </label>
            <label class="field">${t('vet:valid_hours')}
              <input name="valid_hours" type="number" inputmode="numeric" min="1" placeholder=${t('vet:valid_hours_hint')} data-testid="valid-hours" />
            </label>
            ${failures ? failuresView(failures) : nothing}
            ${issueError ? html`<p class="error" role="alert" data-testid="issue-error">${issueError}</p>` : nothing}
            <button class="btn btn-primary btn-block btn-issue" ?disabled=${issueBusy} data-testid="issue-submit">
              ${issueBusy ? t('vet:issuing') : t('vet:issue')}
            </button>
          </form>`}
    </section>`;
  };

  const failuresView = (list: RuleFailure[]) =>
    html`<div class="failures" role="alert" data-testid="rule-failures">
      <h3>${t('vet:failures_title', { count: formatNumber(list.length) })}</h3>
      <ul>
        ${list.map(
          (f) => html`<li class="failure st-${f.state === 'covered' ? 'overdue' : f.state}" data-testid="rule-failure" data-disease=${f.disease} data-animal=${f.animal} data-rule=${f.rule} data-state=${f.state}>
            <div class="failure-head"><strong dir="auto">${unitName(f.animal)}</strong>: ${diseaseName(f.disease)} (${f.disease})</div>
            <div class="failure-state">
              ${f.state === 'covered' ? t('vet:dose_too_old') : coverageWords({ status: f.state, covered_until: f.covered_until, overdue_since: f.overdue_since })}
            </div>
            <div class="muted">
              ${f.last_dose ? t('vet:last_dose', { date: formatDate(f.last_dose) }) : t('vet:no_dose')}
              ${f.covered_until && f.state !== 'covered' ? html` · ${t('coverage.covered_until', { date: formatDate(f.covered_until) })}` : nothing}
              · <span data-testid="rule-words">${t('vet:rule', { purpose: purposeName(failedPurpose), disease: diseaseName(f.disease) })}</span>
            </div>
          </li>`,
        )}
      </ul>
    </div>`;

  const certView = (c: Shown) =>
    html`<section class="card cert-shown" data-testid="cert-shown" data-id=${c.id}>
      <div class="cert-head">
        <div>
          <div class="muted">${t('vet:number')}</div>
          <div class="cert-number" data-testid="cert-number" dir="ltr">${c.number}</div>
        </div>
        <span class="st ${statusClass(c.status)} cert-status" data-testid="cert-status" data-status=${c.status}>${statusWords(c.status)}</span>
      </div>
      ${c.valid_until ? html`<p class="muted">${t('vet:valid_until', { date: formatDateTime(c.valid_until) })}</p>` : nothing}
      ${c.qrUrl
        ? html`<button class="qr-button ${qrFull ? 'qr-full' : ''}" data-testid="qr-toggle" aria-label=${qrFull ? t('close') : t('vet:qr_full')} @click=${() => { qrFull = !qrFull; draw(); }}>
            <img class="cert-qr" src=${c.qrUrl} alt=${t('vet:qr_alt', { number: c.number })} data-testid="cert-qr" />
            ${qrFull ? html`<span class="qr-number" dir="ltr">${c.number}</span><span class="qr-close">${t('close')}</span>` : nothing}
          </button>`
        : nothing}
      ${c.qrError ? html`<p class="error" data-testid="qr-error">${c.qrError}</p>` : nothing}
      ${c.hp1
        ? html`<label class="field">${t('vet:hp1_label')}
              <textarea class="hp1-box" readonly rows="4" dir="ltr" data-testid="cert-hp1" .value=${c.hp1} @focus=${(e: Event) => (e.target as HTMLTextAreaElement).select()}></textarea>
            </label>`
        : nothing}
      <div class="row">
        ${c.hp1 ? html`<button class="btn" data-testid="cert-copy" @click=${copyHp1}>${copied ? t('vet:copied') : t('vet:copy')}</button>` : nothing}
        <button class="btn" data-testid="cert-print" @click=${print}>${t('vet:print')}</button>
        <button class="btn" data-testid="cert-new" @click=${() => { shown = null; qrFull = false; draw(); }}>${t('vet:new_certificate')}</button>
      </div>
      ${printError ? html`<p class="error" data-testid="print-error">${printError}</p>` : nothing}
      ${c.saved ? html`<p class="muted" data-testid="cert-saved">${t('vet:saved_on_device')}</p>` : nothing}
    </section>`;

  // The phone's copies keep the status they had when kept: one issued whose validity has passed
  // is expired now (as the server derives it). The status filter applies to them too.
  const statusNow = (i: CertItem) => (i.status === 'issued' && i.valid_until && new Date(i.valid_until).getTime() < Date.now() ? 'expired' : i.status);
  const shownInList = (i: CertItem) => !listStatus || statusNow(i) === listStatus;

  const listView = () =>
    html`<section class="card">
      <h2>${t('vet:recent_title')}</h2>
      <label class="field">${t('vet:list_status')}
        <select
          data-testid="list-status"
          @change=${(e: Event) => {
            listStatus = (e.target as HTMLSelectElement).value;
            nextCursor = null;
            void loadList();
          }}
        >
          <option value="" ?selected=${listStatus === ''}>${t('vet:status_all')}</option>
          ${['issued', 'expired', 'consumed', 'revoked'].map((st) => html`<option value=${st} ?selected=${listStatus === st}>${statusWords(st)}</option>`)}
        </select>
      </label>
      ${listSource === 'device' ? html`<p class="muted" data-testid="list-source">${t('vet:list_from_device')}</p>` : nothing}
      ${listError ? html`<p class="error" data-testid="list-error">${listError}</p>` : nothing}
      <form class="find-form row" @submit=${find} data-testid="cert-find-form">
        <label class="field">${t('vet:find_label')}
          <input name="ref" dir="ltr" autocapitalize="characters" data-testid="cert-find-input" />
        </label>
        <button class="btn" ?disabled=${findBusy} data-testid="cert-find">${t('vet:find')}</button>
      </form>
      ${findError ? html`<p class="error" data-testid="find-error">${findError}</p>` : nothing}
      ${items.filter(shownInList).length === 0 && listSource ? html`<p class="muted">${t('vet:no_certificates')}</p>` : nothing}
      <ul class="cert-list">
        ${items.filter(shownInList).map(
          (i) => html`<li class="cert-item" data-testid="cert-item" data-id=${i.id} data-number=${i.number}>
            <div class="cert-item-head">
              <strong dir="ltr" data-testid="cert-item-number">${i.number}</strong>
              <span class="st ${statusClass(statusNow(i))}" data-testid="cert-item-status" data-status=${statusNow(i)}>${statusWords(statusNow(i))}</span>
            </div>
            <div class="muted">
              ${[
                purposeName(i.purpose),
                i.species ? `${speciesName(i.species)} × ${formatNumber(i.head_count ?? 0)}` : i.head_count ? t('vet:heads', { count: formatNumber(i.head_count) }) : '',
                i.destination ? `${language().dir === 'rtl' ? '←' : '→'} ${i.destination}` : '',
                i.owner_masked_name ?? '',
                i.issued_at ? formatDateTime(i.issued_at) : '',
              ]
                .filter(Boolean)
                // Each part in its own direction: a masked Latin name next to an Uyghur date
                // would otherwise run into it.
                .map((part, n) => html`${n > 0 ? ' · ' : ''}<bdi>${part}</bdi>`)}
            </div>
            ${revokedNow === i.id && i.status === 'revoked' ? html`<p class="notice" data-testid="revoke-done">${t('vet:revoked_now')}</p>` : nothing}
            <div class="row item-actions">
              <button class="btn btn-small" data-testid="cert-show" @click=${() => showItem(i)}>${t('vet:show_qr')}</button>
              ${i.status !== 'revoked' && revokeOpen !== i.id
                ? html`<button class="btn btn-small btn-danger" data-testid="cert-revoke" @click=${() => { revokeOpen = i.id; revokeError = null; draw(); }}>
                    ${t('vet:revoke')}
                  </button>`
                : nothing}
            </div>
            ${revokeOpen === i.id
              ? html`<form class="revoke-form" @submit=${(e: Event) => revoke(e, i)} data-testid="revoke-form">
                  <label class="field">${t('vet:revoke_reason')}
                    <input name="reason" required maxlength="500" data-testid="revoke-reason" />
                  </label>
                  <div class="row">
                    <button class="btn btn-danger" ?disabled=${revokeBusy} data-testid="revoke-confirm">${t('vet:revoke_confirm')}</button>
                    <button type="button" class="btn" @click=${() => { revokeOpen = null; draw(); }}>${t('cancel')}</button>
                  </div>
                </form>`
              : nothing}
            ${revokeError && revokeErrorFor === i.id ? html`<p class="error" data-testid="revoke-error">${revokeError}</p>` : nothing}
          </li>`,
        )}
      </ul>
      ${nextCursor && listSource === 'server'
        ? html`<button class="btn btn-block" ?disabled=${listBusy} data-testid="cert-more" @click=${() => loadList(true)}>
            ${listBusy ? t('loading') : t('vet:more')}
          </button>`
        : nothing}
    </section>`;

  const draw = () => {
    if (!alive) return;
    render(
      html`<div class="vet">
        ${shown ? certView(shown) : nothing}
        ${canIssue
          ? html`<section class="card">
              <h1>${t('vet:issue_title')}</h1>
              <form @submit=${findOwner} data-testid="vet-phone-form">
                <label class="field">${t('vet:owner_phone')}
                  <input name="phone" type="tel" inputmode="tel" dir="ltr" autocomplete="off" required class="phone-input" data-testid="vet-phone-input" />
                </label>
                <button class="btn btn-primary btn-block" ?disabled=${lookupBusy} data-testid="vet-phone-submit">
                  ${lookupBusy ? t('loading') : t('vet:find_owner')}
                </button>
              </form>
              ${lookupError ? html`<p class="error" role="alert" data-testid="vet-lookup-error">${lookupError}</p>` : nothing}
            </section>`
          : html`<section class="card" data-testid="issue-not-allowed"><h1>${t('vet:revoke_title')}</h1><p class="muted">${t('vet:admin_note')}</p></section>`}
        ${lookup ? ownerView(lookup) : nothing}
        ${listView()}
      </div>`,
      root,
    );
  };

  draw();
  void loadList();
  return () => {
    alive = false;
    controller.abort();
    for (const url of blobUrls) URL.revokeObjectURL(url);
    render(nothing, root);
  };
};
