// The frame around every screen (header, navigation, language, connection and sync state) and
// small helpers the screens share. Rendering is lit-html: templates are plain tagged strings, values
// are escaped, and re-rendering only touches what changed.
import { html, render, nothing, type TemplateResult } from 'lit-html';
import { ApiError, OfflineError } from './api';
import { clearSession, screensFor, session } from './auth';
import { LANGUAGES, language, setLanguage, t } from './i18n';

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
window.addEventListener('hp:outbox', (e) => {
  pending = (e as CustomEvent<number>).detail;
  renderShellState();
});
window.addEventListener('online', () => renderShellState());
window.addEventListener('offline', () => renderShellState());

const NAV_KEYS: Record<string, string> = {
  '/vaccinator': 'nav.vaccinator',
  '/vet': 'nav.vet',
  '/inspector': 'nav.inspector',
  '/dashboard': 'nav.dashboard',
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
        <a class="brand" href="/" @click=${link('/')}><img src="/icon.svg" alt="" width="28" height="28" />${t('app_name')}</a>
        <span id="shell-state" class="shell-state"></span>
        <label class="lang">
          <span class="sr-only">${t('language')}</span>
          <select data-testid="language" @change=${changeLanguage} aria-label=${t('language')}>
            ${LANGUAGES.map((l) => html`<option value=${l.code} ?selected=${l.code === language().code}>${l.name}</option>`)}
          </select>
        </label>
      </header>
      <nav class="tabs" aria-label=${t('navigation')}>
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
      </nav>
      <main id="screen" class="screen"></main>`,
    app,
  );
  // Rendered on its own (not inside the template above): renderShellState() renders into this
  // span, and lit-html rendering into a container that holds another template's output appends.
  renderShellState();
  return document.getElementById('screen')!;
}

function link(path: string) {
  return (e: Event) => {
    e.preventDefault();
    navigateTo(path);
  };
}

function signOut(): void {
  // Records waiting on the phone stay in IndexedDB and go with the next user who signs in here.
  clearSession();
  navigateTo('/signin');
}

export function currentRoute(): string {
  return currentPath;
}

// A message for the user about a failed call, in their language, with the server's own words (the
// problem's title and field) underneath when there are any.
export function errorText(e: unknown): string {
  if (e instanceof OfflineError) return t('error.offline');
  if (e instanceof ApiError) {
    const key =
      e.status === 400 ? 'error.invalid'
      : e.status === 401 ? 'error.unauthorized'
      : e.status === 403 ? 'error.forbidden'
      : e.status === 404 ? 'error.not_found'
      : e.status === 409 ? 'error.conflict'
      : e.status === 413 ? 'error.too_large'
      : e.status === 422 ? 'error.unprocessable'
      : e.status === 429 ? 'error.too_many'
      : e.status >= 500 ? 'error.server'
      : 'error.unknown';
    const detail = [e.problem.title, e.problem.field && `(${e.problem.field})`].filter(Boolean).join(' ');
    return detail ? `${t(key)} — ${detail}` : t(key);
  }
  return t('error.unknown');
}

export function errorBox(e: unknown): TemplateResult {
  return html`<p class="error" role="alert" data-testid="error">${errorText(e)}</p>`;
}
