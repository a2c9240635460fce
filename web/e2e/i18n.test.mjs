// Issue test 4: the language is chosen on the first screen and remembered; in every language every
// main screen shows no untranslated string; Uyghur lays out right to left. Also the installable-app
// basics: manifest, icons, service worker, offline start, persistent storage asked for. Each test has
// its own browser context; every check of the page after an action waits for it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer,
  launch,
  phone,
  signIn,
  shot,
  eventually,
  expectAllTranslated,
  expectEval,
  expectText,
  expectValue,
  LANGS,
} from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// The screens a vet can open cover every signed-in screen; the public verify page is the same for
// everyone.
const SCREENS = ['vet', 'inspector', 'vaccinator', 'dashboard', 'outbreaks', 'map', 'verify'];

async function open(page, screen) {
  await page.getByTestId(`nav-${screen}`).click();
  await page.waitForFunction((s) => document.body.dataset.screen === s, screen);
  await page.waitForLoadState('networkidle');
}

for (const lang of LANGS) {
  test(`${lang}: chosen first, remembered, and every main screen translated`, async () => {
    const context = await phone(browser);
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    // The first screen asks for the language before anything else.
    await page.getByTestId(`lang-${lang}`).click();
    await page.getByTestId('signin-form').waitFor();
    await expectEval(page, () => document.documentElement.lang, lang);
    await expectAllTranslated(page);
    await shot(page, `lang-${lang}-signin`);

    // Remembered: a reload goes straight to the sign-in form in the same language.
    await page.reload();
    await page.getByTestId('signin-form').waitFor();
    await expectEval(page, () => document.documentElement.lang, lang);
    await expectValue(page.getByTestId('language'), lang);

    await signIn(page, server.url, 'vet', { lang });
    for (const screen of SCREENS) {
      await open(page, screen);
      await expectAllTranslated(page);
      if (lang === 'ug' || lang === 'zh-Hans' || lang === 'ru') await shot(page, `lang-${lang}-${screen}`);
    }
    await context.close();
  });
}

test('Uyghur lays out right to left, and switching back to Kazakh restores left to right', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await page.getByTestId('lang-ug').click();
  await signIn(page, server.url, 'inspector', { lang: 'ug' });
  await expectEval(page, () => document.documentElement.dir, 'rtl');
  await expectEval(page, () => getComputedStyle(document.querySelector('main')).direction, 'rtl');
  // The brand, first in the header, sits at the right edge; the sign-out button, last in the
  // navigation bar, at the left.
  const width = page.viewportSize().width;
  await eventually(async () => {
    const brand = await page.locator('.brand').boundingBox();
    const signOut = await page.getByTestId('sign-out').boundingBox();
    assert.ok(brand.x + brand.width > width * 0.6, `brand at x=${brand.x}`);
    assert.ok(signOut.x < width * 0.4, `sign-out at x=${signOut.x}`);
  });
  // The text is Uyghur (Arabic script), not English.
  await expectText(page.locator('nav'), /[\u0600-\u06FF]/);

  await page.getByTestId('language').selectOption('kk');
  await page.waitForFunction(() => document.documentElement.dir === 'ltr' && document.documentElement.lang === 'kk');
  await expectText(page.locator('nav'), /[\u0400-\u04FF]/);
  await context.close();
});

test('installable and starts offline: manifest, icons, service worker, persistent storage asked', async () => {
  const context = await phone(browser);
  await context.addInitScript(() => {
    // Record that the app asks the browser to keep its data (records waiting to sync live there).
    const real = navigator.storage?.persist?.bind(navigator.storage);
    if (real) navigator.storage.persist = () => ((window.__persistAsked = true), real());
  });
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
  const manifest = await (await fetch(new URL(manifestHref, server.url))).json();
  assert.equal(manifest.display, 'standalone');
  for (const icon of manifest.icons) {
    const res = await fetch(new URL(icon.src, server.url));
    assert.equal(res.status, 200, icon.src);
  }
  await page.getByTestId('lang-en').click();
  await signIn(page, server.url, 'vaccinator');
  await expectEval(page, () => window.__persistAsked === true, true);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

  await context.setOffline(true);
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.screen === 'vaccinator');
  await expectText(page.getByTestId('net-state'), 'Offline');
  // A deep link opened offline is served by the service worker too.
  await page.goto(`${server.url}/verify`);
  await page.waitForFunction(() => document.body.dataset.screen === 'verify');
  await context.close();
});
