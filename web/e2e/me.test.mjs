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
  expectValue,
  launch,
  phone,
  serverToday,
  shot,
  startServer,
} from './harness.mjs';

// A phone (a fresh browser) with /me open, the owner's number typed and a code asked for; waits
// until the page says the code was sent.
async function askCodeOnMe(t, server, owner) {
  const browser = await launch();
  t.after(() => browser.close());
  const context = await phone(browser, { locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${server.url}/me`);
  await page.getByTestId('me-phone').fill(owner.phone);
  await page.getByTestId('me-send-code').click();
  await page.getByTestId('me-code-sent').waitFor();
  return { context, page };
}

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

  const { context, page } = await askCodeOnMe(t, server, owner);
  // The owners' screen has no staff navigation.
  await expectCount(page.locator('nav.tabs'), 0, 'no staff navigation on /me');

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

// Issue 15: the owner chooses the language of their SMS on /me. The list shows the language their
// messages go in now (their region's), Save opens only once they pick another, and the choice is
// kept on the server (audited) and shown again after a reload. No gateway: the code is read from
// serve's output (--sms-print-codes). Then the screen at 390 px in ug, kk and ru.
test('an owner picks the language of their SMS on /me and it is saved', async (t) => {
  const server = await startServer({ owners: 5, serveArgs: ['--sms-print-codes'] });
  t.after(() => server.stop());
  const vet = await apiLogin(server.url, 'vet');
  const admin = await apiLogin(server.url, 'admin');
  const owner = await coveredSheep(server.url, vet, { today: await serverToday(server, vet), count: 1, name: 'Language Owner' });
  const digits = owner.phone.replace(/\D/g, '').slice(-10);

  const { context, page } = await askCodeOnMe(t, server, owner);
  const code = await eventuallyValue(
    async () => new RegExp(`one-time code for \\+?\\d*${digits} \\(owner \\d+\\): (\\d{6})`).exec(server.output())?.[1],
    (c) => c !== undefined,
    'the code in serve\'s output',
  );
  await page.getByTestId('me-code').fill(code);
  await page.getByTestId('me-sign-in').click();

  await expectValue(page.getByTestId('me-language'), 'kk', 'the region’s language (KZ) shown first');
  await expectAttr(page.getByTestId('me-save-language'), 'disabled', '', 'nothing to save before a choice');
  await page.getByTestId('me-language').selectOption('ru');
  await page.getByTestId('me-save-language').click();
  await page.getByTestId('me-language-saved').waitFor();
  await expectAttr(page.getByTestId('me-save-language'), 'disabled', '', 'saved: nothing more to save');

  // On the server: one me.language row naming ru, and /me answers ru after a reload.
  await eventually(async () => {
    const r = await apiGet(server.url, admin, '/audit?action=me.language&limit=100');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.items.length, 1, JSON.stringify(r.body));
    assert.equal(r.body.items[0].detail.language, 'ru', JSON.stringify(r.body.items[0]));
  });
  await page.reload();
  await expectValue(page.getByTestId('me-language'), 'ru', 'the saved language after a reload');
  await expectAllTranslated(page);

  for (const lang of ['ug', 'kk', 'ru']) {
    await page.getByTestId('language').selectOption(lang);
    await expectAttr(page.locator('html'), 'lang', lang, `page language ${lang}`);
    await expectValue(page.getByTestId('me-language'), 'ru', `the SMS language kept in ${lang}`);
    await expectAllTranslated(page);
    await shot(page, `me-language-${lang}`);
  }
  await context.close();
});
