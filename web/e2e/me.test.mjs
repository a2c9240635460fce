// Issue 15 item 4, end to end with real Kannel: an owner opens /me, types their phone number, gets
// the one-time code by SMS (read from the test SMSC that plays the operator's network, behind a real
// bearerbox and smsbox: kannel.mjs), types it, and sees their animals and who looked up their
// number (an inspector's lookup made through the API). Then the screen at 390 px in ug (right to
// left), kk and ru, every string translated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startKannel } from './kannel.mjs';
import {
  apiGet,
  apiLogin,
  coveredSheep,
  eventually,
  eventuallyValue,
  expectAllTranslated,
  expectAttr,
  expectCount,
  launch,
  phone,
  serverToday,
  shot,
  startServer,
} from './harness.mjs';

test('an owner signs in to /me with the code Kannel delivered and sees their animals and readers', async (t) => {
  const kannel = await startKannel();
  t.after(() => kannel.stop());
  const server = await startServer({ owners: 5, serveArgs: kannel.serveArgs });
  t.after(() => server.stop());
  const vet = await apiLogin(server.url, 'vet');
  const owner = await coveredSheep(server.url, vet, { today: await serverToday(server, vet), count: 2, name: 'Gulnar Owner' });
  const inspector = await apiLogin(server.url, 'inspector');
  const looked = await apiGet(server.url, inspector, `/lookup?phone=${encodeURIComponent(owner.phone)}`);
  assert.equal(looked.status, 200, JSON.stringify(looked.body));
  const digits = owner.phone.replace(/\D/g, '').slice(-10);

  const browser = await launch();
  t.after(() => browser.close());
  const context = await phone(browser, { locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${server.url}/me`);
  // The owners' screen has no staff navigation.
  await page.getByTestId('me-phone').fill(owner.phone);
  await expectCount(page.locator('nav.tabs'), 0, 'no staff navigation on /me');
  await page.getByTestId('me-send-code').click();
  await page.getByTestId('me-code-sent').waitFor();

  // The code as the owner's phone got it: from Kannel's SMSC, to this owner's number.
  const sms = await eventuallyValue(
    // In the owner's language (their region's), the code first in every one of them.
    async () => kannel.messages.find((m) => m.receiver.replace(/\D/g, '').endsWith(digits) && /^\d{6} /.test(m.text) && /HerdPass/.test(m.text)),
    (m) => m !== undefined,
    'the code at the test SMSC',
    60_000,
  );
  const code = /^(\d{6}) /.exec(sms.text)[1];
  await page.getByTestId('me-code').fill(code);
  await page.getByTestId('me-sign-in').click();

  await expectCount(page.getByTestId('me-animal'), 2, 'the owner’s two sheep');
  for (const tag of owner.tags) await expectCount(page.locator(`[data-testid="me-animal"][data-tag="${tag}"]`), 1, `sheep ${tag}`);
  await expectAttr(page.locator('[data-testid="me-animal"] [data-status]').first(), 'data-status', 'covered', 'covered today');
  await expectCount(page.locator('[data-testid="me-reader"][data-role="inspector"]'), 1, 'the inspector’s lookup');
  // The official's name is not on the page.
  await eventually(async () => {
    const text = await page.getByTestId('me-readers').innerText();
    assert.ok(text.length > 0 && !text.includes('demo-inspector'), text);
  });
  await expectAllTranslated(page);
  await shot(page, 'me-records-en');

  // The same screen in ug (right to left), kk and ru, at 390 px: every string translated.
  for (const lang of ['ug', 'kk', 'ru']) {
    await page.getByTestId('language').selectOption(lang);
    await expectAttr(page.locator('html'), 'lang', lang, `page language ${lang}`);
    await expectCount(page.getByTestId('me-animal'), 2, `animals in ${lang}`);
    await expectCount(page.locator('[data-testid="me-reader"][data-role="inspector"]'), 1, `readers in ${lang}`);
    await expectAllTranslated(page);
    await shot(page, `me-records-${lang}`);
  }
  await expectAttr(page.locator('html'), 'dir', 'ltr', 'ru is left to right');

  // Signing out forgets the session: the phone form again.
  await page.getByTestId('me-sign-out').click();
  await page.getByTestId('me-phone').waitFor();
  await context.close();
});
