// W15 in the browser (issue 15 item 5): the demo vaccinator opens Due, sees the owners of the county
// due for a dose within 30 days by village (the same owners the API gives), the list is kept on
// the phone, shown again with its age once the network is cut, and deleted on sign-out. The screen
// in ug, kk and ru at 390 px, with screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiGet,
  apiLogin,
  eventuallyValue,
  expectAllTranslated,
  expectAttr,
  expectCount,
  expectText,
  idbGet,
  launch,
  phone,
  shotOf,
  signIn,
  smallTargetsIn,
  startServer,
} from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ owners: 20 });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// The owners the server lists for the demo vaccinator, by village.
async function dueOnServer(query) {
  const token = await apiLogin(server.url, 'vaccinator');
  const r = await apiGet(server.url, token, `/due?${query}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

async function showDue(page, days) {
  await page.getByTestId('nav-due').click();
  await expectAttr(page.locator('body'), 'data-screen', 'due');
  await page.getByTestId('due-days').fill(String(days));
  await page.getByTestId('due-show').click();
  await expectAttr(page.getByTestId('due'), 'data-status', 'ready', 'the list came');
}

test('the due list by village, kept on the phone, shown offline with its age, deleted on sign-out', { timeout: 180_000 }, async () => {
  const want = await dueOnServer('days=30');
  const owners = want.villages.reduce((n, v) => n + v.owner_count, 0);
  assert.ok(owners > 0, 'the demo county has owners due within 30 days');
  const context = await phone(browser);
  const page = await context.newPage();
  try {
    await signIn(page, server.url, 'vaccinator');
    await showDue(page, 30);
    await expectAttr(page.getByTestId('due-summary'), 'data-owners', String(owners), 'as many owners as the server lists');
    await expectCount(page.getByTestId('due-village'), want.villages.length, 'one section per village');
    await expectAttr(page.getByTestId('due-village').first(), 'data-village', want.villages[0].village, 'in the server order');
    await expectCount(page.getByTestId('due-print'), 1, 'a print button');
    await expectAllTranslated(page);

    // Kept on the phone for this user.
    const kept = await eventuallyValue(() => idbGet(page, 'kv', 'due:last'), (k) => k !== undefined && k.query.days === 30, 'the list is kept');
    assert.equal(kept.list.villages.length, want.villages.length);

    // The network cut: opening the screen again shows the kept list, said to be kept, with its age.
    await context.setOffline(true);
    await page.getByTestId('nav-vaccinator').click();
    await expectAttr(page.locator('body'), 'data-screen', 'vaccinator');
    await page.getByTestId('nav-due').click();
    await expectAttr(page.getByTestId('due'), 'data-status', 'offline');
    await expectText(page.getByTestId('due-kept'), /^No network: this is the list kept on this phone, fetched (just now|\u2068\d+\u2069 min ago)\.$/);
    await expectAttr(page.getByTestId('due-summary'), 'data-owners', String(owners), 'the kept list, whole');
    await expectCount(page.getByTestId('due-village'), want.villages.length);
    // Asking again without network: the same kept list.
    await page.getByTestId('due-show').click();
    await expectAttr(page.getByTestId('due-kept'), 'data-saved-at', kept.saved_at, 'the kept one, not a new one');

    // Sign-out deletes it.
    await context.setOffline(false);
    await page.getByTestId('sign-out').click();
    await expectAttr(page.locator('body'), 'data-screen', 'signin');
    await eventuallyValue(() => idbGet(page, 'kv', 'due:last'), (k) => k === undefined, 'the list is gone after sign-out');
  } finally {
    await context.close();
  }
});

test('days out of range are refused on the phone and nothing is asked', { timeout: 120_000 }, async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  const asked = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/due')) asked.push(r.url());
  });
  try {
    await signIn(page, server.url, 'vaccinator');
    await page.getByTestId('nav-due').click();
    await page.getByTestId('due-days').fill('400');
    await page.getByTestId('due-show').click();
    await expectText(page.getByTestId('due-days-error'), 'Enter a whole number of days from 1 to 365.');
    await expectAttr(page.getByTestId('due'), 'data-status', 'idle');
    assert.deepEqual(asked, []);
  } finally {
    await context.close();
  }
});

for (const lang of ['ug', 'kk', 'ru']) {
  test(`${lang}: the due list at 390 px`, { timeout: 120_000 }, async () => {
    const context = await phone(browser);
    const page = await context.newPage();
    try {
      await signIn(page, server.url, 'vaccinator', { lang });
      await showDue(page, 60);
      await expectAllTranslated(page);
      assert.deepEqual(await smallTargetsIn(page.getByTestId('due')), [], 'controls under 48 px');
      // The form, the list's heading and the first village: the whole list is too tall to read.
      await shotOf(page.locator('.due-form'), `due-${lang}-form`);
      await shotOf(page.locator('.due-head'), `due-${lang}-head`);
      await shotOf(page.getByTestId('due-village'), `due-${lang}-village`);
    } finally {
      await context.close();
    }
  });
}
