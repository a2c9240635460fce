// Owners in /me (issue 15 item 4): phone, then the code of the SMS, then the owner's own animals,
// their cover, their certificates and who looked up the number. A screen of its own: no staff
// navigation (ui.ts shell, for /me), simple words, large targets. The calls and the session: me.ts.
import './me.css';
import { ApiError } from '../api';
import { formatDate, formatDateTime, formatNumber, t } from '../i18n';
import { coverageWords, diseaseName, speciesName } from '../labels';
import { LANGUAGES } from '../languages';
import { OwnerClient, readerActionKey, type OwnerRecords, type Reader } from '../me';
import { errorBox, html, nothing, render, type Mount, type TemplateResult } from '../ui';

type Step = 'phone' | 'code' | 'records';

export const mount: Mount = (root) => {
  const client = new OwnerClient(sessionStorage);
  let step: Step = client.session() ? 'records' : 'phone';
  let phone = '';
  let busy = false;
  let error: unknown = null;
  let records: OwnerRecords | null = null;
  let readers: Reader[] | null = null;
  let closed = false;
  // The language of the owner's SMS: what they picked in the list (null: not changed yet), and
  // whether it is saving, saved, or was refused.
  let picked: string | null = null;
  let languageState: 'idle' | 'saving' | 'saved' = 'idle';
  let languageError: unknown = null;

  const failure = (e: unknown): TemplateResult => {
    if (e instanceof ApiError && e.status === 401 && step === 'code') {
      return html`<div class="error" role="alert" data-testid="me-error" data-code="unauthenticated">${t('me:wrong_code')}</div>`;
    }
    if (e instanceof ApiError && e.status === 429) {
      return html`<div class="error" role="alert" data-testid="me-error" data-code="throttled">${t('me:too_many')}</div>`;
    }
    return errorBox(e, undefined, 'me-error');
  };

  const load = async () => {
    busy = true;
    error = null;
    draw();
    try {
      const [r, who] = await Promise.all([client.records(), client.readers()]);
      if (closed) return;
      records = r;
      readers = who;
    } catch (e) {
      if (closed) return;
      error = e;
      if (!client.session()) step = 'phone';
    }
    busy = false;
    draw();
  };

  const askCode = async (e: Event) => {
    e.preventDefault();
    phone = String(new FormData(e.target as HTMLFormElement).get('phone') ?? '');
    busy = true;
    error = null;
    draw();
    try {
      await client.requestCode(phone);
      step = 'code';
    } catch (err) {
      error = err;
    }
    busy = false;
    draw();
    root.querySelector<HTMLInputElement>('[data-testid="me-code"]')?.focus();
  };

  const signIn = async (e: Event) => {
    e.preventDefault();
    const code = String(new FormData(e.target as HTMLFormElement).get('code') ?? '');
    busy = true;
    error = null;
    draw();
    try {
      await client.signIn(phone, code);
      step = 'records';
      await load();
      return;
    } catch (err) {
      error = err;
    }
    busy = false;
    draw();
  };

  const saveLanguage = async (e: Event) => {
    e.preventDefault();
    if (!records || picked === null) return;
    const language = picked;
    languageState = 'saving';
    languageError = null;
    draw();
    try {
      await client.setLanguage(language);
      if (closed) return;
      records = { ...records, language, language_in_use: language };
      picked = null;
      languageState = 'saved';
    } catch (err) {
      if (closed) return;
      languageError = err;
      languageState = 'idle';
      if (!client.session()) step = 'phone';
    }
    draw();
  };

  // The language list shows what the owner's messages go in now; Save is open only once the owner
  // has picked another one, so that nothing is saved that they did not choose.
  const languageForm = (r: OwnerRecords) => {
    const shown = picked ?? r.language_in_use;
    return html`<form class="me-language" @submit=${saveLanguage} data-testid="me-language-form">
      <label class="field">${t('me:sms_language')}
        <select name="language" data-testid="me-language" .value=${shown}
          @change=${(e: Event) => { picked = (e.target as HTMLSelectElement).value; languageState = 'idle'; languageError = null; draw(); }}>
          ${LANGUAGES.map((l) => html`<option value=${l.code} lang=${l.code} dir=${l.dir} ?selected=${l.code === shown}>${l.name}</option>`)}
        </select>
      </label>
      <p class="muted">${t('me:sms_language_note')}</p>
      ${languageError ? errorBox(languageError, undefined, 'me-language-error') : nothing}
      ${languageState === 'saved' ? html`<p class="notice" role="status" data-testid="me-language-saved">${t('me:language_saved')}</p>` : nothing}
      <button class="btn btn-primary" data-testid="me-save-language"
        ?disabled=${picked === null || picked === r.language_in_use || languageState === 'saving'}>${languageState === 'saving' ? t('me:saving_language') : t('me:save_language')}</button>
    </form>`;
  };

  const signOut = async () => {
    try {
      await client.signOut();
    } catch {
      // The session is forgotten on this phone either way.
    }
    step = 'phone';
    records = null;
    readers = null;
    error = null;
    picked = null;
    languageState = 'idle';
    languageError = null;
    draw();
  };

  const phoneForm = () => html`<section class="card narrow me-card">
    <h1>${t('me:title')}</h1>
    <p>${t('me:intro')}</p>
    <form @submit=${askCode} data-testid="me-phone-form">
      <label class="field">${t('me:phone')}
        <input name="phone" type="tel" inputmode="tel" autocomplete="tel" dir="ltr" required .value=${phone} data-testid="me-phone" />
      </label>
      ${error ? failure(error) : nothing}
      <button class="btn btn-primary btn-block" ?disabled=${busy} data-testid="me-send-code">${busy ? t('me:sending') : t('me:send_code')}</button>
    </form>
  </section>`;

  const codeForm = () => html`<section class="card narrow me-card">
    <h1>${t('me:title')}</h1>
    <p class="notice" role="status" data-testid="me-code-sent">${t('me:code_sent')}</p>
    <form @submit=${signIn} data-testid="me-code-form">
      <label class="field">${t('me:code')}
        <input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="7" dir="ltr" required class="me-code" data-testid="me-code" />
      </label>
      ${error ? failure(error) : nothing}
      <button class="btn btn-primary btn-block" ?disabled=${busy} data-testid="me-sign-in">${busy ? t('signing_in') : t('me:open')}</button>
    </form>
    <p><a href="#" class="tap-link" data-testid="me-other-number" @click=${(e: Event) => { e.preventDefault(); step = 'phone'; error = null; draw(); }}>${t('me:other_number')}</a></p>
  </section>`;

  const animal = (a: OwnerRecords['animals'][number]) => html`<li class="me-animal" data-testid="me-animal" data-tag=${a.tag ?? ''}>
    <div class="me-animal-head">
      <strong>${speciesName(a.species)}</strong>
      ${a.kind === 'flock'
        ? html`<span>${t('me:flock_head', { head: formatNumber(a.head_count) })}</span>`
        : html`<bdi dir="ltr" class="nowrap">${a.tag}</bdi>`}
    </div>
    ${a.holding ? html`<div class="muted">${t('me:kept_at', { place: a.holding.name })}</div>` : nothing}
    <ul class="me-cover">
      ${a.coverage.map((c) => html`<li class=${'cov-' + c.status} data-status=${c.status}>${diseaseName(c.disease)}: ${coverageWords(c)}</li>`)}
    </ul>
  </li>`;

  const reader = (r: Reader) => html`<li class="me-reader" data-testid="me-reader" data-role=${r.role}>
    <span class="me-reader-date">${formatDateTime(r.at)}</span>
    <span>${t(readerActionKey(r.action), { role: t('role.' + r.role), place: r.authority_name || r.authority })}</span>
  </li>`;

  const recordsView = () => html`<section class="card me-card">
      <div class="me-top">
        <h1>${t('me:title')}</h1>
        <button class="btn btn-small" data-testid="me-sign-out" @click=${signOut}>${t('sign_out')}</button>
      </div>
      ${error ? failure(error) : nothing}
      ${busy && !records ? html`<p class="muted">${t('me:loading')}</p>` : nothing}
      ${records
        ? html`<p data-testid="me-owner"><bdi>${records.owner.name}</bdi> · <bdi dir="ltr" class="nowrap">${records.owner.phone}</bdi></p>
            ${languageForm(records)}
            <h2>${t('me:animals')}</h2>
            ${records.animals.length === 0
              ? html`<p class="muted" data-testid="me-no-animals">${t('me:no_animals')}</p>`
              : html`<ul class="me-list" data-testid="me-animals">${records.animals.map(animal)}</ul>`}
            <h2>${t('me:certificates')}</h2>
            ${records.certificates.items.length === 0
              ? html`<p class="muted">${t('me:no_certificates')}</p>`
              : html`<ul class="me-list">
                  ${records.certificates.items.map(
                    (c) => html`<li class="me-cert" data-testid="me-certificate">
                      <bdi dir="ltr" class="nowrap">${c.number}</bdi> · ${t('cert_status.' + (c.status === 'issued' ? 'valid' : c.status))}
                      <div class="muted">${t('me:cert_route', { from: c.origin, to: c.destination })} · ${t('me:valid_until', { date: formatDate(c.valid_until) })}</div>
                    </li>`,
                  )}
                </ul>`}`
        : nothing}
      ${readers
        ? html`<h2>${t('me:readers')}</h2>
            <p class="muted">${t('me:readers_note')}</p>
            ${readers.length === 0
              ? html`<p class="muted" data-testid="me-no-readers">${t('me:no_readers')}</p>`
              : html`<ul class="me-list" data-testid="me-readers">${readers.map(reader)}</ul>`}`
        : nothing}
    </section>`;

  const draw = () => render(step === 'phone' ? phoneForm() : step === 'code' ? codeForm() : recordsView(), root);
  draw();
  if (step === 'records') void load();
  return () => {
    closed = true;
    render(nothing, root);
  };
};
