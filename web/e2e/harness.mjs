// Shared by the end-to-end tests: a real `herdpass` server on a free port with its own data
// directory and demo data, Debian's chromium driven by playwright-core (never a downloaded
// browser), phone-sized pages, sign-in, screenshots and the untranslated-string check.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomInt, randomUUID, X509Certificate, createHash } from 'node:crypto';
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
export const WEB_DIST = process.env.HERDPASS_WEB_DIST ?? resolve(here, '../dist');
export const BIN = process.env.HERDPASS_BIN ?? resolve(here, '../../build/cli/herdpass');
export const SCREENSHOTS = process.env.HERDPASS_SCREENSHOTS ?? resolve(here, '../screenshots');
export const LANGS = ['zh-Hans', 'ug', 'kk', 'ky', 'uz', 'tg', 'ru', 'en', 'fr'];

export const USERS = {
  vaccinator: ['demo-vaccinator', 'demo-vaccinator-pass'],
  vet: ['demo-vet', 'demo-vet-pass'],
  inspector: ['demo-inspector', 'demo-inspector-pass'],
  admin: ['demo-admin', 'demo-admin-pass'],
  auditor: ['demo-auditor', 'demo-auditor-pass'],
};

// Starts `herdpass serve` on a fresh data directory seeded by `herdpass demo` (demo users,
// `owners` households, certificates), with `serveArgs` added to `serve`. Returns { url, data, demo,
// log (stderr), output (stdout), stop }.
//
// `tls`: a host name (e.g. "herdpass.lan"): `herdpass tls self-signed --host tls` makes a CA and a
// certificate, the server speaks HTTPS only, `url` is https://tls:PORT (a browser maps the name to
// 127.0.0.1: launch({ tls: server })) and `spki` is the certificate's SPKI hash for Chromium.
//
// `users`: more users, [{ role, username, password, authority }], added before the server starts;
// each is also signed in by signIn(page, url, username).
export async function startServer({ owners = 20, serveArgs = [], tls = null, users = [] } = {}) {
  if (!existsSync(BIN)) throw new Error(`no herdpass binary at ${BIN} (set HERDPASS_BIN)`);
  if (!existsSync(join(WEB_DIST, 'index.html'))) throw new Error(`no web build at ${WEB_DIST} (npm run build)`);
  const data = mkdtempSync(join(tmpdir(), 'herdpass-e2e-'));
  execFileSync(BIN, ['init', '--data', data, '--region', 'KZ', '--authority', 'KZ-ABY'], { stdio: 'pipe' });
  const demo = execFileSync(BIN, ['demo', '--data', data, '--owners', String(owners)], { encoding: 'utf8' });
  for (const u of users) {
    const args = ['user', 'add', '--data', data, '--username', u.username, '--role', u.role, '--authority', u.authority];
    execFileSync(BIN, args, { input: `${u.password}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
    USERS[u.username] = [u.username, u.password];
  }
  let spki = null;
  if (tls) {
    const dir = join(data, 'tls');
    execFileSync(BIN, ['tls', 'self-signed', '--host', tls, '--out', dir], { stdio: 'pipe' });
    serveArgs = ['--tls-cert', join(dir, 'server.crt'), '--tls-key', join(dir, 'server.key'), ...serveArgs];
    const key = new X509Certificate(readFileSync(join(dir, 'server.crt'))).publicKey;
    spki = createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('base64');
  }
  const proc = spawn(BIN, ['serve', '--data', data, '--listen', '127.0.0.1:0', '--web', WEB_DIST, ...serveArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let out = '';
  proc.stderr.on('data', (d) => (log += d));
  const port = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}\n${log}`)), 30000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /\(port (\d+)[,)]/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(Number(m[1]));
      }
    });
    proc.on('exit', (code) => fail(new Error(`server exited ${code}:\n${out}\n${log}`)));
  });
  const url = tls ? `https://${tls}:${port}` : `http://127.0.0.1:${port}`;
  return {
    url,
    host: tls,
    spki,
    data,
    demo,
    log: () => log,
    output: () => out, // what serve printed (its log lines, e.g. --sms-print-codes's codes)
    demoValue(label) {
      const m = new RegExp(`^${label}: (.*)$`, 'm').exec(demo);
      return m ? m[1].trim() : null;
    },
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
      rmSync(data, { recursive: true, force: true });
    },
  };
}

// `tls`: a server started with startServer({ tls }): Chromium resolves its host name to 127.0.0.1
// and trusts its certificate by SPKI hash (--ignore-certificate-errors-spki-list, which keeps the
// origin a secure context, unlike --ignore-certificate-errors). `args`: more Chromium flags.
export async function launch({ tls = null, args = [] } = {}) {
  const trust = tls
    ? [`--host-resolver-rules=MAP ${tls.host} 127.0.0.1`, `--ignore-certificate-errors-spki-list=${tls.spki}`]
    : [];
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    // The machine's network is closed: without these Chromium keeps trying Google's services.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      ...trust,
      ...args,
    ],
  });
}

// A phone-sized browser context (a cheap Android phone's viewport).
export async function phone(browser, { locale = 'en-GB', ...rest } = {}) {
  return browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale,
    serviceWorkers: 'allow',
    ...rest,
  });
}

// Opens the app, chooses `lang` on the first screen if asked, signs in as `role`, and waits for the
// role's home screen.
export async function signIn(page, url, role, { lang = 'en' } = {}) {
  const [user, pass] = USERS[role];
  await page.goto(`${url}/signin`);
  const picker = page.getByTestId(`lang-${lang}`);
  const form = page.getByTestId('signin-form');
  await picker.or(form).first().waitFor();
  if (await picker.isVisible()) await picker.click();
  await page.getByTestId('username').fill(user);
  await page.getByTestId('password').fill(pass);
  await page.getByTestId('signin-submit').click();
  await page.waitForFunction(() => document.body.dataset.screen && document.body.dataset.screen !== 'signin');
}

export async function shot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

// Runs `check`; if it throws, keeps a screenshot of the page as `name`.png and throws the same
// error: a failure that is hard to reproduce leaves what the page showed.
export async function shotOnFailure(page, name, check) {
  try {
    return await check();
  } catch (e) {
    await shot(page, name).catch(() => {});
    throw e;
  }
}

// A screenshot of one part of the page (`locator`'s first element), for a long page whose full
// shot is too tall to read.
export async function shotOf(locator, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await locator.first().screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

// Strings the page asked for that its language does not have (collected by i18n.ts), plus any text
// on the page that looks like a raw key ("vet:title", "nav.vet").
export async function untranslated(page) {
  return page.evaluate(() => {
    const missing = [...(window.__hpMissing ?? [])];
    const text = document.body.innerText;
    const raw = text.match(/\b(?:common|vaccinator|inspector|vet|verify|dashboard|due|map|sms|me):[A-Za-z_][\w.-]*/g) ?? [];
    const dotted = text.match(/\b(?:nav|role|error|species|disease|purpose|coverage|cert_status)\.[A-Za-z_][\w-]*/g) ?? [];
    return [...missing, ...raw, ...dotted];
  });
}

// The number of vaccination records the server holds for a phone, read through the API as the demo
// vet (for checks that the UI sent exactly what it should).
export async function apiLogin(url, role) {
  const [username, password] = USERS[role];
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login ${role}: ${res.status}`);
  return (await res.json()).token;
}

export async function apiGet(url, token, path) {
  const res = await fetch(`${url}/api/v1${path}`, { headers: { Authorization: `Bearer ${token}` } });
  const body = await res.text();
  return { status: res.status, body: body ? JSON.parse(body) : null };
}

// POSTs `body` as JSON to the API as `token`: { status, body }.
export async function apiPost(url, token, path, body) {
  const res = await fetch(`${url}/api/v1${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// A new owner named `name` with `count` ear-tagged sheep covered for slaughter as the rules ask
// (FMD-O, FMD-A and PPR, given on `today`, the server's day), recorded through the API as `token`
// (a vet's); `batch` prefixes the batch numbers. Returns { phone, name, tags }.
export async function coveredSheep(url, token, { today, count = 1, name = 'E2E owner', batch = 'E2E' }) {
  const owner = { phone: await freshPhone(url, token), name, tags: Array.from({ length: count }, () => freshTag()) };
  const vaccine = { 'FMD-O': 'FMD-OA-INACT', 'FMD-A': 'FMD-OA-INACT', PPR: 'PPR-LIVE' };
  const records = Object.entries(vaccine).map(([disease, v]) => ({
    id: randomUUID(),
    owner_phone: owner.phone,
    owner_name: owner.name,
    animal_tags: owner.tags,
    species: 'sheep',
    disease,
    vaccine: v,
    batch_no: `${batch}-${disease}`,
    dose_ml: 1.0,
    administered_on: today,
  }));
  const res = await apiPost(url, token, '/vaccinations/batch', { records });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.created, records.length, JSON.stringify(res.body));
  return owner;
}

// A slaughter certificate for `tags` (all of them by default) of `owner` (coveredSheep's), issued
// through the API as `token` (a vet's), to `destination` at `destination_place`; `more`: further
// fields of the request (origin_holding, destination_holding). Returns the certificate.
export async function slaughterCertificate(
  url,
  token,
  owner,
  { tags = owner.tags, destination = 'KZ-ABY', destination_place = 'Abay meat plant', ...more } = {},
) {
  const res = await apiPost(url, token, '/certificates', {
    owner_phone: owner.phone,
    animal_tags: tags,
    species: 'sheep',
    purpose: 'slaughter',
    destination,
    destination_place,
    ...more,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

export function readText(path) {
  return readFileSync(path, 'utf8');
}

// --- waiting assertions ---
// The screen re-renders when its data is ready, not when the action that asked for it returns: a
// read of the page right after an action may see the old screen. Every check of the page after an
// action goes through these; each polls until it holds or `timeout` passes, then fails with the
// last thing it saw.

export const WAIT_MS = 15_000;

// Runs `check` (async; it asserts, and returns what it read) until it passes, or throws its last
// failure after `timeout` ms. The pause between tries only spaces them.
export async function eventually(check, { timeout = WAIT_MS, interval = 50 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

// `locator` matches exactly `n` elements.
export function expectCount(locator, n, message) {
  return eventually(async () => assert.equal(await locator.count(), n, message));
}

// The first element of `locator` has attribute `name` equal to `value`.
export function expectAttr(locator, name, value, message) {
  return eventually(async () => assert.equal(await locator.first().getAttribute(name, { timeout: 1000 }), value, message));
}

// The first element's innerText matches `pattern` (a RegExp) or, for a string, equals it trimmed.
// Returns the text.
export function expectText(locator, pattern, message) {
  return eventually(async () => {
    const text = await locator.first().innerText({ timeout: 1000 });
    if (pattern instanceof RegExp) assert.match(text, pattern, message);
    else assert.equal(text.trim(), pattern, message);
    return text;
  });
}

// The first element's input value equals `value`.
export function expectValue(locator, value, message) {
  return eventually(async () => assert.equal(await locator.first().inputValue({ timeout: 1000 }), value, message));
}

// The first element is checked (or not).
export function expectChecked(locator, checked, message) {
  return eventually(async () => assert.equal(await locator.first().isChecked({ timeout: 1000 }), checked, message));
}

// `fn` evaluated in the page equals `value` (deep).
export function expectEval(page, fn, value, message, arg) {
  return eventually(async () => assert.deepEqual(await page.evaluate(fn, arg), value, message));
}

// The value kept under `key` in the object store `store` of the page's IndexedDB ('herdpass'),
// undefined when there is none; an error opening or reading fails.
export function idbGet(page, store, key) {
  return page.evaluate(
    ([store, key]) =>
      new Promise((ok, fail) => {
        const open = indexedDB.open('herdpass');
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const d = open.result;
          const g = d.transaction(store).objectStore(store).get(key);
          g.onsuccess = () => {
            ok(g.result);
            d.close();
          };
          g.onerror = () => fail(g.error);
        };
      }),
    [store, key],
  );
}

// No untranslated string on the page (see untranslated()), once it has rendered.
export function expectAllTranslated(page) {
  return eventually(async () => assert.deepEqual(await untranslated(page), [], 'untranslated strings on the page'));
}

// The server's calendar day (YYYY-MM-DD): the `today` of a lookup of the demo owner. Dates sent
// to the server are its days, which across midnight UTC are not the test's.
export async function serverToday(server, token) {
  const r = await apiGet(server.url, token, `/lookup?phone=${encodeURIComponent(server.demoValue('demo owner phone'))}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.today;
}

// Reads `read()` until `accept` takes its value, which it returns, or fails after `timeout` ms with
// the last value seen, described as `what`.
export function eventuallyValue(read, accept, what, timeout = 20_000) {
  return eventually(async () => {
    const value = await read();
    assert.ok(accept(value), `${what}: still ${JSON.stringify(value)}`);
    return value;
  }, { timeout, interval: 100 });
}

// A Kazakh mobile number (the test servers' region is KZ) that no owner on `url`'s server has,
// in local form; `token` is a vet's or inspector's, who may search owners by phone.
export async function freshPhone(url, token) {
  for (;;) {
    const digits = String(randomInt(0, 10_000_000)).padStart(7, '0');
    const local = `8 701 ${digits.slice(0, 3)} ${digits.slice(3)}`;
    const found = await apiGet(url, token, `/owners?phone=${encodeURIComponent(local)}`);
    if (found.status === 404) return local;
  }
}

// A 15-digit Kazakh ear tag (country code 398), random enough not to meet another test's.
export const freshTag = () =>
  '398' + String(randomInt(0, 1_000_000)).padStart(6, '0') + String(randomInt(0, 1_000_000)).padStart(6, '0');

// The controls inside `locator` (its first element) people tap that are under 48 CSS px either way,
// each as "testid WxH" (ux.test.mjs checks whole screens the same way).
export async function smallTargetsIn(locator) {
  return locator.first().evaluate((root) => {
    const out = [];
    const sel = 'a[href], button, select, input:not([type=hidden]), textarea, summary, [role=button], [role=link]';
    for (const el of root.querySelectorAll(sel)) {
      let target = el;
      if (el instanceof HTMLInputElement && ['checkbox', 'radio', 'file'].includes(el.type)) target = el.closest('label') ?? el;
      if (!target.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
      const r = target.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (r.width < 48 || r.height < 48) out.push(`${el.dataset.testid ?? el.tagName.toLowerCase()} ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
    return out;
  });
}
