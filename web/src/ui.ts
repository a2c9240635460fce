// The frame around every screen (header, navigation, language, connection and sync state) and
// small helpers the screens share. Rendering is lit-html: templates are plain tagged strings, values
// are escaped, and re-rendering only touches what changed.
import { html, render, nothing, type TemplateResult } from 'lit-html';
import { ApiError, TimeoutError } from './api';
import { errorMessage, problemCode, type ErrorContext } from './errors';
import { clearSession, screensFor, session } from './auth';
import { LANGUAGES, formatNumber, language, setLanguage, t } from './i18n';

export { html, render, nothing };
export type { TemplateResult };

export interface ScreenContext {
  navigate(path: string): void;
  params: URLSearchParams;
}

// A screen module exports `mount`, which renders into `root` and returns a function that undoes
// whatever it set up (timers, listeners, camera).
export type Mount = (root: HTMLElement, ctx: ScreenContext) => Promise<() => void> | (() => void);

let pending = 0;
// Unsent records other users made on this phone: never sent in this session (sync.ts), named here.
let others: { username: string; count: number }[] = [];
window.addEventListener('hp:outbox', (e) => {
  pending = (e as CustomEvent<number>).detail;
  renderShellState();
});
window.addEventListener('hp:outbox-others', (e) => {
  others = (e as CustomEvent<{ username: string; count: number }[]>).detail;
  renderShellNote();
});
window.addEventListener('online', () => renderShellState());
window.addEventListener('offline', () => renderShellState());

const NAV_KEYS: Record<string, string> = {
  '/vaccinator': 'nav.vaccinator',
  '/vet': 'nav.vet',
  '/inspector': 'nav.inspector',
  '/dashboard': 'nav.dashboard',
  '/outbreaks': 'nav.outbreaks',
  '/due': 'nav.due',
  '/map': 'nav.map',
  '/sms': 'nav.sms',
  '/verify': 'nav.verify',
};

let currentPath = '/';
let navigateTo: (p: string) => void = () => {};

function shellState(): TemplateResult {
  const online = navigator.onLine;
  return html`<span class="net ${online ? 'net-on' : 'net-off'}" data-testid="net-state"
      >${online ? t('online') : t('offline')}</span
    >${pending > 0
      ? html`<span class="badge badge-warn" data-testid="pending-count">${t('pending_sync', { count: pending })}</span>`
      : nothing}`;
}

function renderShellState(): void {
  const el = document.getElementById('shell-state');
  if (el) render(shellState(), el);
}

function shellNote(): TemplateResult | typeof nothing {
  if (others.length === 0) return nothing;
  return html`<div class="shell-note" data-testid="others-waiting">
    ${others.map(
      (o) =>
        html`<p data-user=${o.username} data-count=${o.count}>${tParts('others_waiting', { count: formatNumber(o.count) }, {
          user: html`<bdi class="nowrap" dir="ltr">${o.username}</bdi>`,
        })}</p>`,
    )}
  </div>`;
}

// A translated sentence with some of its values as markup (a user name or a batch number kept
// whole and in its own direction inside Uyghur text): `parts` fill their {{placeholders}}.
export function tParts(key: string, values: Record<string, unknown>, parts: Record<string, TemplateResult>): TemplateResult {
  const mark = (name: string) => `\u2063${name}\u2063`;
  const text = t(key, { ...values, ...Object.fromEntries(Object.keys(parts).map((k) => [k, mark(k)])) });
  const pieces = text.split('\u2063');
  // Odd pieces are the names of parts (the text splits around each mark).
  return html`${pieces.map((piece, i) => (i % 2 === 1 && parts[piece] ? parts[piece] : piece))}`;
}

function renderShellNote(): void {
  const el = document.getElementById('shell-note');
  if (el) render(shellNote(), el);
}

// --- signing out with records that are not sent ---

let signOutAsk: { count: number; exported?: number } | null = null;

function signOutDialog(): TemplateResult | typeof nothing {
  if (!signOutAsk) return nothing;
  return html`<div class="card signout-warning" role="alertdialog" aria-labelledby="signout-h" data-testid="signout-warning" data-count=${signOutAsk.count}>
    <h2 id="signout-h">${t('signout.heading')}</h2>
    <p>${t('signout.unsent', { count: formatNumber(signOutAsk.count) })}</p>
    ${signOutAsk.exported !== undefined
      ? html`<p class="notice" role="status" data-testid="signout-exported">${t('signout.exported', { count: formatNumber(signOutAsk.exported) })}</p>`
      : nothing}
    <div class="row">
      <button class="btn" data-testid="signout-export" @click=${exportBeforeSignOut}>${t('signout.export')}</button>
      <button class="btn btn-danger" data-testid="signout-confirm" @click=${finishSignOut}>${t('signout.anyway')}</button>
      <button class="btn" data-testid="signout-cancel" @click=${() => { signOutAsk = null; renderSignOut(); }}>${t('cancel')}</button>
    </div>
  </div>`;
}

function renderSignOut(): void {
  const el = document.getElementById('shell-dialog');
  if (el) render(signOutDialog(), el);
  if (signOutAsk) el?.querySelector<HTMLElement>('[data-testid="signout-export"]')?.focus();
}

async function exportBeforeSignOut(): Promise<void> {
  const { exportUnsent } = await import('./sync');
  const { text, count } = await exportUnsent();
  if (count > 0) downloadText(text, exportFileName());
  if (signOutAsk) signOutAsk = { ...signOutAsk, exported: count };
  renderSignOut();
}

// W10: the field copy (personal data of a whole district) goes with the session. The session is
// cleared first, so that nothing answers from the copy while it is being deleted.
function finishSignOut(): void {
  signOutAsk = null;
  clearSession();
  renderSignOut();
  // W15: the last due list kept for offline use names owners and phones too.
  const dueGone = Promise.all([import('./due'), import('./db')])
    .then(([due, store]) => due.wipeDue({ delete: store.kvDelete }))
    .catch((e) => console.warn('due list not deleted:', e));
  // The map's last load (map_state.ts) goes too: places and outbreaks of the user's jurisdiction.
  void import('./db').then((m) => m.kvDelete('map.last')).catch(() => {});
  void import('./fieldcopy')
    .then((m) => m.wipeFieldCopy())
    .catch((e) => console.warn('field copy not deleted:', e))
    .then(() => dueGone)
    .finally(() => navigateTo('/signin'));
}

// The name of a file of unsent records: the day and something unique.
export function exportFileName(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `herdpass-unsent-${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}-${now.getTime().toString(36)}.json`;
}

// Saves `text` as a file the user keeps (the browser's download).
export function downloadText(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

// /me (issue 15 item 4) is the owners' screen: the header and no staff navigation.
export function shell(path: string, navigate: (p: string) => void): HTMLElement {
  currentPath = path;
  navigateTo = navigate;
  const app = document.getElementById('app')!;
  const s = session();
  const links = s ? screensFor(s.user.role) : ['/verify'];
  const changeLanguage = async (e: Event) => {
    await setLanguage((e.target as HTMLSelectElement).value);
    window.dispatchEvent(new CustomEvent('hp:language'));
  };
  render(
    html`<header class="topbar">
        <a class="brand" href="/" @click=${link('/')}><img src="/icon.svg" alt="" width="28" height="28" /><span class="brand-name">${t('app_name')}</span></a>
        <span id="shell-state" class="shell-state"></span>
        <label class="lang">
          <span class="sr-only">${t('language')}</span>
          <select data-testid="language" @change=${changeLanguage} aria-label=${t('language')}>
            ${LANGUAGES.map((l) => html`<option value=${l.code} ?selected=${l.code === language().code}>${l.name}</option>`)}
          </select>
        </label>
      </header>
      ${path === '/me' ? nothing : html`<nav class="tabs" aria-label=${t('navigation')}>
        ${links.map(
          (p) =>
            html`<a href=${p} class=${p === path ? 'tab active' : 'tab'} data-testid=${'nav-' + p.slice(1)} @click=${link(p)}
              >${t(NAV_KEYS[p])}</a
            >`,
        )}
        ${s
          ? html`<span class="who" data-testid="who">${s.user.username} · ${t('role.' + s.user.role)}</span>
              <button class="btn btn-small" data-testid="sign-out" @click=${signOut}>${t('sign_out')}</button>`
          : html`<a href="/signin" class="tab" data-testid="nav-signin" @click=${link('/signin')}>${t('sign_in')}</a>`}
      </nav>`}
      <div id="shell-note"></div>
      <div id="shell-dialog" class="shell-dialog"></div>
      <main id="screen" class="screen"></main>`,
    app,
  );
  // Rendered on their own (not inside the template above): renderShellState() renders into this
  // span, and lit-html rendering into a container that holds another template's output appends.
  renderShellState();
  renderShellNote();
  renderSignOut();
  // Whose records wait here depends on who is signed in: count again.
  void import('./sync').then((m) => m.announceOutbox());
  return document.getElementById('screen')!;
}

function link(path: string) {
  return (e: Event) => {
    e.preventDefault();
    navigateTo(path);
  };
}

// Records the user has not sent stay on the phone and go only when they sign in here again (not
// with the next user): signing out with such records asks first and offers to export them.
async function signOut(): Promise<void> {
  const { listEvents, listOutbox, listPassages } = await import('./sync');
  // Passages stay on the phone once sent (with the server's answer): only those not stored count.
  const passages = (await listPassages()).filter((r) => r.state !== 'sent').length;
  const count = (await listOutbox()).length + (await listEvents()).length + passages;
  if (count === 0) {
    finishSignOut();
    return;
  }
  signOutAsk = { count };
  renderSignOut();
}

export function currentRoute(): string {
  return currentPath;
}

// A message for the user about a failed call, in their language, chosen by the problem's stable
// type (errors.ts), with the name of the field at fault; the server's English title and detail are
// not shown.
export function errorText(e: unknown, context?: ErrorContext): string {
  return errorMessage(e, t, context);
}

// The message, and a "Try again" button when the caller can repeat what failed.
export function errorBox(e: unknown, retry?: () => void, testid = 'error', context?: ErrorContext): TemplateResult {
  const code = e instanceof ApiError ? problemCode(e.problem.type) : undefined;
  return html`<div class="error" role="alert" data-testid=${testid} data-timeout=${e instanceof TimeoutError ? 'true' : 'false'} data-code=${code ?? ''}>
    <span>${errorText(e, context)}</span>
    ${retry ? html`<button type="button" class="btn btn-small error-retry" data-testid=${testid + '-retry'} @click=${retry}>${t('retry')}</button>` : nothing}
  </div>`;
}
