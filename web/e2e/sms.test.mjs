// W15 in the browser (issue 15, "make run shows the demo owner's messages"): the demo admin opens
// Messages and sees the demo owners' receipts, queued since this server has no SMS gateway, newest
// first, with the warning that nothing sends them; the filter by state; offline, a message and a
// retry; the screen in ug (right to left), kk and ru at 390 px, with screenshots. Only admins have
// the tab.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiGet,
  apiLogin,
  expectAllTranslated,
  expectAttr,
  expectCount,
  expectEval,
  expectText,
  launch,
  phone,
  shot,
  signIn,
  smallTargetsIn,
  startServer,
} from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ owners: 5 });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// The first page of messages as the server gives it to the demo admin.
async function messagesOnServer(query = '') {
  const token = await apiLogin(server.url, 'admin');
  const r = await apiGet(server.url, token, `/sms/messages?limit=50${query}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

// A number as the screen shows it: kept whole in its own direction (age.ts isolate).
const shown = (v) => new RegExp(`^\u2068${v}\u2069$`);

async function openMessages(page) {
  await page.getByTestId('nav-sms').click();
  await expectAttr(page.locator('body'), 'data-screen', 'sms');
  await expectAttr(page.getByTestId('sms'), 'data-status', 'ready', 'the list came');
}

test('the admin sees the demo owners\' queued messages, newest first, and that no gateway sends them', { timeout: 120_000 }, async () => {
  const want = await messagesOnServer();
  assert.equal(want.gateway, false, 'the test server has no --sms-gateway');
  assert.ok(want.queued > 0, 'the demo queued messages');
  assert.ok(want.items.length > 0);
  const newest = want.items[0];
  assert.equal(newest.status, 'queued');
  const context = await phone(browser);
  const page = await context.newPage();
  try {
    await signIn(page, server.url, 'admin');
    await openMessages(page);
    const items = page.getByTestId('sms-item');
    await expectCount(items, want.items.length, 'every message of the first page');
    // Newest first, as the server lists them.
    await expectAttr(items.first(), 'data-id', String(newest.id));
    await expectAttr(items.last(), 'data-id', String(want.items.at(-1).id));
    const first = items.first();
    await expectText(first.getByTestId('sms-phone'), newest.phone);
    await expectText(first.getByTestId('sms-status'), 'Waiting');
    // The demo queues receipts, certificates' messages and reminders: the newest's kind in words.
    const kinds = { receipt: 'Vaccination receipt', certificate: 'Certificate', reminder: 'Reminder', reply: 'Reply', otp: 'Sign-in code' };
    assert.ok(kinds[newest.kind], `a kind the test knows: ${newest.kind}`);
    await expectText(first.getByTestId('sms-kind'), kinds[newest.kind]);
    await expectText(first.getByTestId('sms-coding'), newest.coding === 'gsm7' ? 'GSM-7 (Latin)' : 'UCS-2 (any script)');
    await expectText(first.getByTestId('sms-segments'), shown(newest.segments));
    await expectText(first.getByTestId('sms-attempts'), shown(0));
    // The warning, with the jurisdiction's count of waiting messages.
    const banner = page.getByTestId('sms-no-gateway');
    await expectAttr(banner, 'data-queued', String(want.queued));
    await expectText(banner, new RegExp(`Waiting to be sent: \\u2068${want.queued}\\u2069\\. No SMS gateway`));
    await expectAllTranslated(page);
    assert.deepEqual(await smallTargetsIn(page.getByTestId('sms')), [], 'every control is big enough to tap');

    // The filter: nothing has been sent, yet the warning stays (it counts the waiting ones).
    await page.getByTestId('sms-filter').selectOption('sent');
    await expectAttr(page.getByTestId('sms'), 'data-status', 'ready');
    await page.getByTestId('sms-empty').waitFor();
    await expectCount(items, 0);
    await expectAttr(banner, 'data-queued', String(want.queued));
    await page.getByTestId('sms-filter').selectOption('queued');
    await expectCount(items, want.items.filter((m) => m.status === 'queued').length);
    await expectAttr(items.first(), 'data-status', 'queued');

    // Offline: the list is not kept on the phone (it names phones), so the screen says the network
    // is gone and offers to try again, which works once it is back.
    await context.setOffline(true);
    await page.getByTestId('sms-filter').selectOption('failed');
    await expectAttr(page.getByTestId('sms'), 'data-status', 'error');
    await expectText(page.getByTestId('error'), /No network/);
    await expectCount(items, 0);
    await context.setOffline(false);
    await page.getByTestId('error-retry').click();
    await expectAttr(page.getByTestId('sms'), 'data-status', 'ready');
    await page.getByTestId('sms-empty').waitFor();
  } finally {
    await context.close();
  }
});

test('only an admin has the Messages tab; a vet sent to /sms is taken home', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  try {
    await signIn(page, server.url, 'vet');
    await page.getByTestId('nav-vet').waitFor();
    await expectCount(page.getByTestId('nav-sms'), 0);
    await page.goto(`${server.url}/sms`);
    await expectAttr(page.locator('body'), 'data-screen', 'vet');
    await expectEval(page, () => location.pathname, '/vet');
    // The server refuses the list to a vet too (the route's own rule, not the app's).
    const token = await apiLogin(server.url, 'vet');
    assert.equal((await apiGet(server.url, token, '/sms/messages')).status, 403);
  } finally {
    await context.close();
  }
});

for (const lang of ['ug', 'kk', 'ru']) {
  test(`${lang}: the Messages screen at 390 px, translated`, async () => {
    const want = await messagesOnServer();
    const context = await phone(browser);
    const page = await context.newPage();
    try {
      await signIn(page, server.url, 'admin', { lang });
      await expectEval(page, () => document.documentElement.lang, lang);
      await openMessages(page);
      await expectCount(page.getByTestId('sms-item'), want.items.length);
      await page.getByTestId('sms-no-gateway').waitFor();
      await expectAllTranslated(page);
      if (lang === 'ug') await expectEval(page, () => getComputedStyle(document.querySelector('.sms')).direction, 'rtl');
      // Nothing wider than the phone: no sideways scrolling.
      await expectEval(page, () => document.documentElement.scrollWidth <= window.innerWidth, true);
      await shot(page, `sms-${lang}`);
    } finally {
      await context.close();
    }
  });
}
