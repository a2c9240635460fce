// The vet's screen (roles vet and admin): W3, issuing a quarantine certificate for animals of one
// owner (movement rules that fail are listed at once, one line each), showing its QR code full
// screen, printing it and keeping it on the phone for offline use; W6, revoking a certificate.
//
// This file is the view: it renders VetState (vet_state.ts, which holds what the screen knows and
// decides) and wires the page's events, the clipboard and printing to it.
import i18next from 'i18next';
import { api, apiText, OfflineError, TimeoutError } from '../api';
import { session } from '../auth';
import { db, kvGet, kvSet } from '../db';
import { formatDate, formatDateTime, formatNumber, language, t } from '../i18n';
import { coverageWords, diseaseName, purposeName, speciesName } from '../labels';
import { errorText, html, nothing, render, type Mount } from '../ui';
import type { Coverage, LookupAnimal as Animal, LookupResult, RuleFailure } from '../wire';
import { say } from './message';
import { currentPosition, DoubleUsePanel, doubleUsesView, holdingSelect, holdingsNote, mismatchesView } from './movements_view';
import { TransferState, type TransferField } from './transfer_state';
import { uuidv7 } from '../uuid';
import { LIST_STATUSES, PURPOSES, SALE, VetState, type CertItem, type IssueFields, type Shown, type UnitReadiness } from './vet_state';
import './vet.css';

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

export const mount: Mount = (root) => {
  const s = session();
  // Only vets issue (and look owners up); an administrator revokes.
  const canIssue = s?.user.role === 'vet';
  const controller = new AbortController();
  const blobUrls: string[] = [];
  let alive = true;
  let copied = false;
  let printError: string | null = null;

  const st = new VetState({
    api: <T>(method: 'GET' | 'POST', path: string, body?: unknown) => api<T>(method, path, body, controller.signal),
    apiText: (path) => apiText(path),
    certs: {
      get: async (id) => (await (await db()).get('certs', id)) as (CertItem & Record<string, unknown>) | undefined,
      put: async (item) => void (await (await db()).put('certs', item as never)),
      all: async () => (await (await db()).getAll('certs')) as unknown as CertItem[],
    },
    qrUrl: (svg) => {
      const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
      blobUrls.push(url);
      return url;
    },
    now: () => new Date(),
    kv: { get: kvGet, set: kvSet },
  });
  const sale = new TransferState({
    api: <T>(method: 'GET' | 'POST', path: string, body?: unknown) => api<T>(method, path, body, controller.signal),
    newId: () => uuidv7(),
  });
  st.onShow = () => {
    copied = false;
    printError = null;
    window.scrollTo({ top: 0 });
  };

  const text = (form: EventTarget | null, name: string) => String(new FormData(form as HTMLFormElement).get(name) ?? '').trim();

  const findOwner = (e: Event) => {
    e.preventDefault();
    void st.findOwner(text(e.target, 'phone'));
  };

  const issue = async (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const get = (k: keyof IssueFields) => String(data.get(k) ?? '');
    await st.issue({
      purpose: get('purpose'),
      destination: get('destination'),
      destination_place: get('destination_place'),
      origin_place: get('origin_place'),
      transport: get('transport'),
      origin: get('origin'),
      valid_hours: get('valid_hours'),
    });
    if (alive && st.failures) root.querySelector('[data-testid="rule-failures"]')?.scrollIntoView({ block: 'start' });
  };

  // W8: for a sale, the buyer (a new owner is made on the spot); the phone is required. Bound to
  // the state, which clears them for another purpose and after each certificate.
  const buyerFields = () =>
    html`<fieldset class="buyer" data-testid="buyer-fields">
      <legend>${t('vet:buyer')}</legend>
      <label class="field">${t('vet:buyer_phone')}
        <input
          name="buyer_phone"
          type="tel"
          inputmode="tel"
          dir="ltr"
          autocomplete="off"
          required
          class="phone-input"
          data-testid="buyer-phone"
          aria-invalid=${st.buyerError ? 'true' : 'false'}
          .value=${st.buyerPhone}
          @input=${(e: Event) => st.typeBuyer('phone', (e.target as HTMLInputElement).value)}
        />
      </label>
      ${st.buyerError ? html`<p class="error" role="alert" data-testid="buyer-phone-error">${say(st.buyerError)}</p>` : nothing}
      <label class="field">${t('vet:buyer_name')}
        <input
          name="buyer_name"
          maxlength="200"
          autocomplete="off"
          data-testid="buyer-name"
          .value=${st.buyerName}
          @input=${(e: Event) => st.typeBuyer('name', (e.target as HTMLInputElement).value)}
        />
      </label>
    </fieldset>`;

  const find = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    if (await st.find(text(form, 'ref'))) form.reset();
  };

  const revoke = (e: Event, item: CertItem) => {
    e.preventDefault();
    void st.revoke(item, text(e.target, 'reason'));
  };

  const copyHp1 = async () => {
    if (!st.shown) return;
    try {
      await navigator.clipboard.writeText(st.shown.hp1);
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
    const shown = st.shown;
    if (!shown) return;
    printError = null;
    try {
      const page = await apiText(`/certificates/${encodeURIComponent(shown.id)}/print?lang=${encodeURIComponent(language().code)}`);
      const frame = document.createElement('iframe');
      frame.setAttribute('aria-hidden', 'true');
      frame.style.cssText = 'position:fixed;inset-inline-start:-10000px;width:1px;height:1px;border:0';
      frame.dataset.testid = 'print-frame';
      frame.addEventListener('load', () => {
        frame.contentWindow?.focus();
        frame.contentWindow?.print();
        setTimeout(() => frame.remove(), 60000);
      });
      frame.srcdoc = page;
      document.body.appendChild(frame);
    } catch (err) {
      printError = err instanceof TimeoutError ? errorText(err) : err instanceof OfflineError ? t('vet:print_offline') : errorText(err);
      draw();
    }
  };

  // --- templates ---

  // Whether an animal or flock meets the rules of the purpose chosen, in words: before Issue, so
  // that the vet picks only animals that may go.
  const rulesLine = (a: Animal, ready: Map<number, UnitReadiness> | null) => {
    const r = ready?.get(a.id);
    if (!r) return nothing;
    const purpose = purposeName(st.purpose);
    return r.meets
      ? html`<p class="rules-line rules-meets" data-testid="unit-rules" data-unit=${a.tag ?? 'flock:' + a.species} data-meets="true">${t('vet:rules_meets', { purpose })}</p>`
      : html`<p class="rules-line rules-fails" data-testid="unit-rules" data-unit=${a.tag ?? 'flock:' + a.species} data-meets="false">
          ${t('vet:rules_fails', { purpose, diseases: r.failures.map((c) => diseaseName(c.disease, c.disease_name)).join('; ') })}
        </p>`;
  };

  const animalOption = (a: Animal, ready: Map<number, UnitReadiness> | null) => {
    const tag = a.tag ?? '';
    const checked = st.selected.has(tag);
    return html`<li class="pick ${checked ? 'picked' : ''}">
      <label class="pick-label">
        <input
          type="checkbox"
          class="pick-box"
          data-testid="animal-option"
          data-tag=${tag}
          .checked=${checked}
          @change=${(e: Event) => {
            st.pick(tag, (e.target as HTMLInputElement).checked);
          }}
        />
        <span class="pick-tag" dir="ltr">${tag}</span>
      </label>
      ${rulesLine(a, ready)}
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
    const kinds = VetState.speciesOf(r);
    const tagged = st.tagged();
    const flock = st.flock();
    const ready = st.readiness();
    const tally = st.tallyOf(tagged);
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
                @change=${(e: Event) => st.chooseSpecies((e.target as HTMLSelectElement).value)}
              >
                ${kinds.map((k) => html`<option value=${k} ?selected=${k === st.species}>${speciesName(k)}</option>`)}
              </select>
            </label>
            <label class="field">${t('vet:purpose')}
              <select name="purpose" data-testid="purpose" @change=${(e: Event) => st.choosePurpose((e.target as HTMLSelectElement).value)}>
                ${PURPOSES.map((p) => html`<option value=${p} ?selected=${p === st.purpose}>${purposeName(p)}</option>`)}
              </select>
            </label>
            ${st.purpose === SALE ? buyerFields() : nothing}
            ${st.rules ? nothing : html`<p class="muted" data-testid="rules-unknown">${t('vet:rules_unknown')}</p>`}
            ${tagged.length
              ? html`<fieldset class="picks">
                  <legend>${t('vet:animals_label')}</legend>
                  <button
                    type="button"
                    class="btn btn-small"
                    data-testid="select-all"
                    @click=${() => st.pickAll()}
                  >
                    ${t('vet:select_all')}
                  </button>
                  ${tally
                    ? html`<p class="rules-tally" data-testid="rules-tally" data-meets=${tally.meets} data-of=${tally.of}>
                        ${t('vet:rules_tally', { purpose: purposeName(st.purpose), count: formatNumber(tally.meets), total: formatNumber(tally.of) })}
                      </p>`
                    : nothing}
                  <ul class="pick-list">${tagged.map((a) => animalOption(a, ready))}</ul>
                  <p class="muted" data-testid="selected-count">${t('vet:selected', { count: formatNumber(st.selected.size) })}</p>
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
                      .value=${st.flockHeads}
                      @input=${(e: Event) => (st.flockHeads = (e.target as HTMLInputElement).value)}
                    />
                  </label>
                  ${rulesLine(flock, ready)}
                  ${coverageChips(flock.coverage)}
                </fieldset>`
              : nothing}
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
            <fieldset class="picks" data-testid="holdings-picks">
              <legend>${t('movement.holdings_legend')}</legend>
              ${holdingsNote(st.holdingsNear, st.holdingsError)}
              ${holdingSelect({
                label: t('movement.origin_holding'),
                testid: 'origin-holding',
                items: st.holdings,
                chosen: st.originHolding,
                onPick: (id) => st.chooseHolding('origin', id),
              })}
              ${holdingSelect({
                label: t('movement.destination_holding'),
                testid: 'destination-holding',
                items: st.holdings,
                chosen: st.destinationHolding,
                onPick: (id) => st.chooseHolding('destination', id),
              })}
            </fieldset>
            <label class="field">${t('vet:transport')}
              <input name="transport" maxlength="200" placeholder=${t('vet:transport_hint')} data-testid="transport" />
            </label>
            <label class="field">${t('vet:valid_hours')}
              <input name="valid_hours" type="number" inputmode="numeric" min="1" placeholder=${t('vet:valid_hours_hint')} data-testid="valid-hours" />
            </label>
            ${st.failures ? failuresView(st.failures) : nothing}
            ${st.issueError ? html`<p class="error" role="alert" data-testid="issue-error">${say(st.issueError)}</p>` : nothing}
            <button class="btn btn-primary btn-block btn-issue" ?disabled=${st.issueBusy} data-testid="issue-submit">
              ${st.issueBusy ? t('vet:issuing') : t('vet:issue')}
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
              · <span data-testid="rule-words">${t('vet:rule', { purpose: purposeName(st.failedPurpose), disease: diseaseName(f.disease) })}</span>
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
        ? html`<button class="qr-button ${st.qrFull ? 'qr-full' : ''}" data-testid="qr-toggle" aria-label=${st.qrFull ? t('close') : t('vet:qr_full')} @click=${() => st.toggleQr()}>
            <img class="cert-qr" src=${c.qrUrl} alt=${t('vet:qr_alt', { number: c.number })} data-testid="cert-qr" />
            ${st.qrFull ? html`<span class="qr-number" dir="ltr">${c.number}</span><span class="qr-close">${t('close')}</span>` : nothing}
          </button>`
        : nothing}
      ${c.qrError ? html`<p class="error" data-testid="qr-error">${say(c.qrError)}</p>` : nothing}
      ${c.hp1
        ? html`<label class="field">${t('vet:hp1_label')}
              <textarea class="hp1-box" readonly rows="4" dir="ltr" data-testid="cert-hp1" .value=${c.hp1} @focus=${(e: Event) => (e.target as HTMLTextAreaElement).select()}></textarea>
            </label>`
        : nothing}
      <div class="row">
        ${c.hp1 ? html`<button class="btn" data-testid="cert-copy" @click=${copyHp1}>${copied ? t('vet:copied') : t('vet:copy')}</button>` : nothing}
        <button class="btn" data-testid="cert-print" @click=${print}>${t('vet:print')}</button>
        <button class="btn" data-testid="cert-new" @click=${() => st.hideCertificate()}>${t('vet:new_certificate')}</button>
      </div>
      ${printError ? html`<p class="error" data-testid="print-error">${printError}</p>` : nothing}
      ${c.saved ? html`<p class="muted" data-testid="cert-saved">${t('vet:saved_on_device')}</p>` : nothing}
    </section>`;

  const statusNow = (i: CertItem) => st.statusNow(i);

  const listView = () =>
    html`<section class="card">
      <h2>${t('vet:recent_title')}</h2>
      <label class="field">${t('vet:list_status')}
        <select
          data-testid="list-status"
          @change=${(e: Event) => st.filterList((e.target as HTMLSelectElement).value)}
        >
          <option value="" ?selected=${st.listStatus === ''}>${t('vet:status_all')}</option>
          ${LIST_STATUSES.map((code) => html`<option value=${code} ?selected=${st.listStatus === code}>${statusWords(code)}</option>`)}
        </select>
      </label>
      ${st.listSource === 'device' ? html`<p class="muted" data-testid="list-source">${t('vet:list_from_device')}</p>` : nothing}
      ${st.listError ? html`<p class="error" data-testid="list-error">${say(st.listError)}</p>` : nothing}
      <form class="find-form row" @submit=${find} data-testid="cert-find-form">
        <label class="field">${t('vet:find_label')}
          <input name="ref" dir="ltr" autocapitalize="characters" data-testid="cert-find-input" />
        </label>
        <button class="btn" ?disabled=${st.findBusy} data-testid="cert-find">${t('vet:find')}</button>
      </form>
      ${st.findError ? html`<p class="error" data-testid="find-error">${say(st.findError)}</p>` : nothing}
      ${st.listed().length === 0 && st.listSource ? html`<p class="muted">${t('vet:no_certificates')}</p>` : nothing}
      <ul class="cert-list">
        ${st.listed().map(
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
            ${st.revokedNow === i.id && i.status === 'revoked' ? html`<p class="notice" data-testid="revoke-done">${t('vet:revoked_now')}</p>` : nothing}
            <div class="row item-actions">
              <button class="btn btn-small" data-testid="cert-show" @click=${() => st.showItem(i)}>${t('vet:show_qr')}</button>
              ${i.status !== 'revoked' && st.revokeOpen !== i.id
                ? html`<button class="btn btn-small btn-danger" data-testid="cert-revoke" @click=${() => st.openRevoke(i.id)}>
                    ${t('vet:revoke')}
                  </button>`
                : nothing}
            </div>
            ${st.revokeOpen === i.id
              ? html`<form class="revoke-form" @submit=${(e: Event) => revoke(e, i)} data-testid="revoke-form">
                  <label class="field">${t('vet:revoke_reason')}
                    <input name="reason" required maxlength="500" data-testid="revoke-reason" />
                  </label>
                  <div class="row">
                    <button class="btn btn-danger" ?disabled=${st.revokeBusy} data-testid="revoke-confirm">${t('vet:revoke_confirm')}</button>
                    <button type="button" class="btn" @click=${() => st.openRevoke(null)}>${t('cancel')}</button>
                  </div>
                </form>`
              : nothing}
            ${st.revokeError && st.revokeErrorFor === i.id ? html`<p class="error" data-testid="revoke-error">${say(st.revokeError)}</p>` : nothing}
          </li>`,
        )}
      </ul>
      ${st.nextCursor && st.listSource === 'server'
        ? html`<button class="btn btn-block" ?disabled=${st.listBusy} data-testid="cert-more" @click=${() => st.loadList(true)}>
            ${st.listBusy ? t('loading') : t('vet:more')}
          </button>`
        : nothing}
    </section>`;

  // W8: a sale at the farm without a movement; each field bound to TransferState.
  const transferField = (field: TransferField, label: string, input: (bind: { value: string; onInput: (e: Event) => void; invalid: string }) => unknown) => {
    const err = sale.fieldError?.field === field ? sale.fieldError.message : null;
    return html`<label class="field">${label}
        ${input({ value: sale.fields[field], onInput: (e: Event) => sale.type(field, (e.target as HTMLInputElement).value), invalid: err ? 'true' : 'false' })}
      </label>
      ${err ? html`<p class="error" role="alert" data-testid="transfer-error-${field}">${say(err)}</p>` : nothing}`;
  };

  // The seller's flock sold from (no ear tags) and its head: listed once asked for (GET /lookup).
  const transferFlock = () =>
    sale.flocks === null
      ? html`<button type="button" class="btn btn-block" data-testid="transfer-flocks-load" ?disabled=${sale.flocksBusy} @click=${() => void sale.loadFlocks()}>
            ${sale.flocksBusy ? t('loading') : t('vet:transfer_flocks_load')}
          </button>
          ${sale.flocksError ? html`<p class="error" role="alert" data-testid="transfer-flocks-error">${say(sale.flocksError)}</p>` : nothing}`
      : sale.flocks.length === 0
        ? html`<p class="muted" data-testid="transfer-flocks-none">${t('vet:transfer_flocks_none')}</p>`
        : html`${transferField('flock', t('vet:transfer_flock'), (b) => html`<select data-testid="transfer-flock" aria-invalid=${b.invalid} @change=${b.onInput}>
              <option value="" ?selected=${b.value === ''}>${t('vet:transfer_flock_none')}</option>
              ${sale.flocks!.map((f) => html`<option value=${String(f.id)} ?selected=${b.value === String(f.id)}>${t('vet:transfer_flock_item', { species: speciesName(f.species), n: formatNumber(f.head_count) })}</option>`)}
            </select>`)}
            ${transferField('head', t('vet:transfer_head'), (b) => html`<input type="number" inputmode="numeric" min="1" max=${sale.chosenFlock()?.head_count ?? nothing} dir="ltr" data-testid="transfer-head" aria-invalid=${b.invalid} .value=${b.value} @input=${b.onInput} />`)}`;

  const transferView = () =>
    html`<section class="card" data-testid="transfer-card">
      <details class="more" ?open=${!!(sale.fieldError || sale.error || sale.done)}>
        <summary data-testid="transfer-toggle">${t('vet:transfer_title')}</summary>
        <form data-testid="transfer-form" @submit=${(e: Event) => { e.preventDefault(); void sale.submit(); }}>
          ${transferField('seller_phone', t('vet:transfer_seller_phone'), (b) => html`<input type="tel" inputmode="tel" dir="ltr" autocomplete="off" class="phone-input" data-testid="transfer-seller-phone" aria-invalid=${b.invalid} .value=${b.value} @input=${b.onInput} />`)}
          ${transferField('buyer_phone', t('vet:buyer_phone'), (b) => html`<input type="tel" inputmode="tel" dir="ltr" autocomplete="off" class="phone-input" data-testid="transfer-buyer-phone" aria-invalid=${b.invalid} .value=${b.value} @input=${b.onInput} />`)}
          ${transferField('buyer_name', t('vet:buyer_name'), (b) => html`<input maxlength="200" autocomplete="off" data-testid="transfer-buyer-name" aria-invalid=${b.invalid} .value=${b.value} @input=${b.onInput} />`)}
          ${transferField('tags', t('vet:transfer_tags'), (b) => html`<textarea rows="3" dir="ltr" spellcheck="false" data-testid="transfer-tags" aria-invalid=${b.invalid} .value=${b.value} @input=${b.onInput}></textarea>`)}
          ${transferFlock()}
          ${transferField('date', t('vet:transfer_date'), (b) => html`<input type="date" data-testid="transfer-date" aria-invalid=${b.invalid} .value=${b.value} @input=${b.onInput} />`)}
          ${sale.error ? html`<p class="error" role="alert" data-testid="transfer-error">${say(sale.error)}</p>` : nothing}
          ${sale.done
            ? html`<p class="notice" role="status" data-testid="transfer-done" data-status=${sale.done.status}>
                ${t('vet:transfer_done', { count: formatNumber((sale.done.changes ?? []).reduce((n, c) => n + (c.head ?? 1), 0)) })}
              </p>`
            : nothing}
          <button class="btn btn-primary btn-block" ?disabled=${sale.busy} data-testid="transfer-submit">${sale.busy ? t('loading') : t('vet:transfer_submit')}</button>
        </form>
      </details>
    </section>`;

  const draw = () => {
    if (!alive) return;
    render(
      html`<div class="vet">
        ${st.shown ? certView(st.shown) : nothing}
        ${canIssue
          ? html`<section class="card">
              <h1>${t('vet:issue_title')}</h1>
              <form @submit=${findOwner} data-testid="vet-phone-form">
                <label class="field">${t('vet:owner_phone')}
                  <input name="phone" type="tel" inputmode="tel" dir="ltr" autocomplete="off" required class="phone-input" data-testid="vet-phone-input" />
                </label>
                <button class="btn btn-primary btn-block" ?disabled=${st.lookupBusy} data-testid="vet-phone-submit">
                  ${st.lookupBusy ? t('loading') : t('vet:find_owner')}
                </button>
              </form>
              ${st.lookupError ? html`<p class="error" role="alert" data-testid="vet-lookup-error">${say(st.lookupError)}</p>` : nothing}
            </section>`
          : html`<section class="card" data-testid="issue-not-allowed"><h1>${t('vet:revoke_title')}</h1><p class="muted">${t('vet:admin_note')}</p></section>`}
        ${st.lookup ? ownerView(st.lookup) : nothing}
        ${canIssue ? transferView() : nothing}
        ${mismatchesView(st.mismatches, st.mismatchesError, { more: st.mismatchesCursor !== null, busy: st.mismatchesLoadingMore, onMore: () => void st.loadMismatches(true) })}
        ${doubleUsesView(doubleUses)}
        ${listView()}
      </div>`,
      root,
    );
  };


  // Issue 14 item 5: the certificates this vet's jurisdiction issued that were used twice.
  const doubleUses = new DoubleUsePanel(controller.signal, () => alive && draw());
  st.onChange = draw;
  sale.onChange = draw;
  draw();
  void doubleUses.load();
  void st.loadList();
  if (canIssue) void st.loadRules();
  void st.loadMismatches();
  if (canIssue) void currentPosition().then((position) => (alive ? st.loadHoldings(position) : undefined));
  return () => {
    alive = false;
    st.close();
    controller.abort();
    for (const url of blobUrls) URL.revokeObjectURL(url);
    render(nothing, root);
  };
};
