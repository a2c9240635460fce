// Entry point: languages, the service worker, and a small router over history.pushState. Each screen
// is its own chunk, loaded when first opened (and precached by the service worker for offline use).
import './styles.css';
import { registerSW } from 'virtual:pwa-register';
import { screensFor, session } from './auth';
import { initI18n } from './i18n';
import { shell, type Mount } from './ui';

const SCREENS: Record<string, () => Promise<{ mount: Mount }>> = {
  '/signin': () => import('./screens/signin'),
  '/verify': () => import('./screens/verify'),
  '/vaccinator': () => import('./screens/vaccinator'),
  '/inspector': () => import('./screens/inspector'),
  '/vet': () => import('./screens/vet'),
  '/dashboard': () => import('./screens/dashboard'),
  '/timeline': () => import('./screens/timeline'),
  '/outbreaks': () => import('./screens/outbreaks'),
  '/due': () => import('./screens/due'),
  '/map': () => import('./screens/map'),
  '/sms': () => import('./screens/sms'),
  '/ring': () => import('./screens/ring'),
  // Issue 15 item 4: owners, signed in by a code sent by SMS, apart from the staff's sessions.
  '/me': () => import('./screens/me'),
};
const PUBLIC = new Set(['/signin', '/verify', '/me']);
// Screens every signed-in role may open that are not in the navigation: they are reached from
// where an animal is shown (W12 timeline).
const SIGNED_IN = new Set(['/timeline']);
// Screens not in the navigation that the roles of the screen they are opened from may open: the
// ring list of a zone, from the map.
const OPENED_FROM: Record<string, string> = { '/ring': '/map' };

let unmount: (() => void) | null = null;
let generation = 0;

function resolve(path: string): string {
  const s = session();
  if (path === '/' || !SCREENS[path]) return s ? screensFor(s.user.role)[0] : '/signin';
  if (SIGNED_IN.has(path)) return s ? path : '/signin';
  if (OPENED_FROM[path]) {
    if (!s) return '/signin';
    return screensFor(s.user.role).includes(OPENED_FROM[path]) ? path : screensFor(s.user.role)[0];
  }
  if (!PUBLIC.has(path) && (!s || !screensFor(s.user.role).includes(path))) return s ? screensFor(s.user.role)[0] : '/signin';
  return path;
}

async function show(pathAndQuery: string, push: boolean): Promise<void> {
  // A path may carry its own query ("/timeline?tag=..."); without one, the page's stays.
  const q = pathAndQuery.indexOf('?');
  const path = q < 0 ? pathAndQuery : pathAndQuery.slice(0, q);
  const search = q < 0 ? location.search : pathAndQuery.slice(q);
  const target = resolve(path);
  if (push || target !== location.pathname || search !== location.search) history[push ? 'pushState' : 'replaceState'](null, '', target + (target === path ? search : ''));
  const mine = ++generation;
  unmount?.();
  unmount = null;
  const root = shell(target, navigate);
  const mod = await SCREENS[target]();
  if (mine !== generation) return;
  unmount = await mod.mount(root, { navigate, params: new URLSearchParams(location.search) });
  document.body.dataset.screen = target.slice(1);
  reveal();
  // The first screen is on the page with its handlers attached: bench/web_bench.mjs reads this mark
  // as the time to interactive.
  if (performance.getEntriesByName('hp-screen-ready').length === 0) performance.mark('hp-screen-ready');
}

// index.html paints a frame (header, the screen's title) before this code arrives; the app is
// hidden behind it until its first screen is on the page, then takes its place.
function reveal(): void {
  document.getElementById('boot')?.remove();
  document.getElementById('app')!.hidden = false;
}

export function navigate(path: string): void {
  void show(path, true);
}

window.addEventListener('popstate', () => void show(location.pathname, false));
window.addEventListener('hp:language', () => void show(location.pathname, false));
window.addEventListener('hp:session', () => void show(location.pathname, false));

async function start(): Promise<void> {
  try {
    // The first screen's code is fetched while the strings load, not after: on a slow link each
    // step in turn costs a round trip.
    SCREENS[resolve(location.pathname)]().catch(() => {});
    await initI18n();
    await show(location.pathname, false);
  } finally {
    reveal();
  }
  if ('serviceWorker' in navigator) registerSW({ immediate: true });
  // W10: a field copy past its days, or not of the user signed in, is deleted before anything reads it
  // again (a read checks the same).
  void import('./fieldcopy').then((m) => m.expireFieldCopy(session() ? String(session()!.user.id) : undefined)).catch(() => {});
  // Records waiting on the phone go out whenever the network is back, whatever screen is open.
  void import('./sync').then((m) => m.startAutoSync());
}

void start();
