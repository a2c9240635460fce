// Issue 11 item 13: what a phone shows while the app loads over a slow link, and a clean console.
// 1. The JavaScript bundle is held back (the request intercepted and not answered, as on a slow
//    link before it arrives): the page already shows the app's frame and the screen's title in
//    the language stored on the phone, in its direction, not an empty page. When the bundle comes,
//    the app takes over.
// 2. No Content-Security-Policy violation and no console error on / and /verify (cbor-x used to
//    probe `new Function('')`, which the policy refuses). A deliberate violation made at the end
//    (an image from another origin) marks that every earlier report has arrived.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, launch, phone, eventually, expectAttr, expectText } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ owners: 2 });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const strings = (lang, ns) => JSON.parse(readFileSync(new URL(`../src/locales/${lang}/${ns}.json`, import.meta.url), 'utf8'));

// Opens `path` with every JavaScript file of the app held until release() is called.
async function openHeld(ctx, path) {
  const page = await ctx.newPage();
  const held = [];
  const asked = [];
  let released = false;
  await page.route(/\/assets\/.*\.js$/, (route) => {
    asked.push(new URL(route.request().url()).pathname);
    if (released) return route.continue();
    held.push(route);
  });
  await page.goto(`${server.url}${path}`, { waitUntil: 'commit' });
  const release = async () => {
    released = true;
    for (const r of held.splice(0)) await r.continue();
  };
  return { page, held: () => held.length, asked: () => asked.slice(), release };
}

for (const [lang, dir] of [
  ['en', 'ltr'],
  ['ug', 'rtl'],
]) {
  test(`/verify paints its frame and title in ${lang} before the JavaScript arrives`, async () => {
    const ctx = await phone(browser, { serviceWorkers: 'block' });
    try {
      await ctx.addInitScript((l) => localStorage.setItem('hp.lang', l), lang);
      const { page, held, asked, release } = await openHeld(ctx, '/verify');
      // The bundle was asked for and is held: nothing of the app's code has run.
      await eventually(async () => assert.ok(held() > 0, 'the bundle was not requested'));
      // The screen's own code (the trust lists' module, which only the verifier imports) was asked
      // for at once by the page, not after the bundle ran: on a slow link each step costs a round trip.
      await eventually(async () => assert.ok(asked().some((p) => /^\/assets\/trust-[\w-]+\.js$/.test(p)), `asked: ${asked().join(' ')}`));
      await expectText(page.getByTestId('boot-title'), strings(lang, 'verify').title);
      await expectText(page.locator('header.topbar .brand-name'), strings(lang, 'common').app_name);
      await expectText(page.getByTestId('boot-status'), strings(lang, 'common').loading);
      await expectAttr(page.locator('html'), 'lang', lang);
      await expectAttr(page.locator('html'), 'dir', dir);
      assert.equal(await page.evaluate(() => document.body.dataset.screen ?? null), null, 'the app ran');
      const box = await page.getByTestId('boot-title').boundingBox();
      assert.ok(box && box.height > 0 && box.y < 844, `title not on the first screen: ${JSON.stringify(box)}`);
      // The bundle arrives: the real screen replaces the frame.
      await release();
      await eventually(async () => assert.equal(await page.evaluate(() => document.body.dataset.screen), 'verify'));
      await expectText(page.locator('#screen h1'), strings(lang, 'verify').title);
      await eventually(async () => assert.equal(await page.getByTestId('boot-title').count(), 0, 'the frame stayed'));
      await eventually(async () => assert.equal(await page.locator('header.topbar').count(), 1, 'two headers'));
    } finally {
      await ctx.close();
    }
  });
}

test('the sign-in page paints its title before the JavaScript arrives; with no JavaScript, the frame says it is needed', async () => {
  const ctx = await phone(browser, { serviceWorkers: 'block' });
  try {
    await ctx.addInitScript(() => localStorage.setItem('hp.lang', 'kk'));
    const { page, held } = await openHeld(ctx, '/');
    await eventually(async () => assert.ok(held() > 0, 'the bundle was not requested'));
    await expectText(page.getByTestId('boot-title'), strings('kk', 'common').sign_in);
    await expectAttr(page.locator('html'), 'lang', 'kk');
  } finally {
    await ctx.close();
  }
  // JavaScript off: the frame, and a word saying the app needs JavaScript.
  const off = await phone(browser, { serviceWorkers: 'block', javaScriptEnabled: false });
  try {
    const page = await off.newPage();
    await page.goto(`${server.url}/verify`);
    await expectText(page.locator('header.topbar .brand-name'), 'HerdPass');
    await expectText(page.locator('.noscript'), 'HerdPass needs JavaScript.');
  } finally {
    await off.close();
  }
});

for (const path of ['/', '/verify']) {
  test(`${path}: no Content-Security-Policy violation and no console error`, async () => {
    const ctx = await phone(browser);
    try {
      const page = await ctx.newPage();
      const errors = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      await ctx.addInitScript(() => {
        window.__hpViolations = [];
        document.addEventListener('securitypolicyviolation', (e) =>
          window.__hpViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
        );
      });
      await page.goto(`${server.url}${path}`);
      await eventually(async () => assert.ok(await page.evaluate(() => performance.getEntriesByName('hp-screen-ready').length > 0)));
      // The screen is mounted: its modules (for /verify the verifier, hp1 and cbor) have run.
      // The marker: a violation made now, reported after any earlier one.
      const marker = 'http://marker.invalid/hp-marker.png';
      await page.evaluate((src) => {
        new Image().src = src;
      }, marker);
      const seen = await eventually(async () => {
        const v = await page.evaluate(() => window.__hpViolations.slice());
        assert.ok(v.some((x) => x.includes('marker.invalid')), `marker not reported yet: ${JSON.stringify(v)}`);
        return v;
      });
      assert.deepEqual(seen.filter((x) => !x.includes('marker.invalid')), [], 'CSP violations');
      await eventually(async () => assert.ok(errors.some((e) => e.includes('marker.invalid')), 'marker not in the console yet'));
      assert.deepEqual(errors.filter((e) => !e.includes('marker.invalid')), [], 'console errors');
    } finally {
      await ctx.close();
    }
  });
}

// The trust and revocation lists are checked (Ed25519) when /verify opens online; the first check
// on a thread builds @noble/ed25519's tables, a long task on a slow phone. hp1/verify.ts counts
// the checks made on each thread (__hpEd25519): none on the page while it loads (the lists are
// checked in a worker, the tables built when the user first reaches for a check).
test('/verify checks its lists off the page and builds the Ed25519 tables only when the user reaches for a check', async () => {
  const ctx = await phone(browser);
  try {
    const page = await ctx.newPage();
    await page.goto(`${server.url}/verify`);
    // The lists were fetched, checked and kept: their age is shown and the refresh is over.
    await expectAttr(page.getByTestId('lists'), 'data-refreshing', 'false');
    await expectText(page.getByTestId('lists-age'), /\S/);
    assert.equal(await page.evaluate(() => globalThis.__hpEd25519 ?? 0), 0, 'Ed25519 checks on the page while it loaded');
    // A tap into the text field: the tables are built now (one check of the RFC 8032 example).
    await page.getByTestId('verify-input').focus();
    await eventually(async () => assert.equal(await page.evaluate(() => globalThis.__hpEd25519 ?? 0), 1));
  } finally {
    await ctx.close();
  }
});
