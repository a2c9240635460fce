// Long lists, end to end: the inspector's incoming list and the vet's mismatches show the first
// page and then, on "Show more", the next one (the server's next_cursor); the checkpoint picker
// holds every place of the inspector's area, not only the first page of each kind, and a search
// field finds one among many. One server for the file; each test makes what it lists through the
// API (more than a page), so any one runs alone. Every check of the page after an action waits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import {
  startServer,
  launch,
  phone,
  signIn,
  shotOf,
  apiLogin,
  apiGet,
  apiPost as harnessPost,
  coveredSheep,
  slaughterCertificate,
  eventually,
  expectAllTranslated,
  expectAttr,
  expectCount,
  expectText,
  serverToday,
  smallTargetsIn,
} from './harness.mjs';

// The app's page sizes (movements_view.ts INCOMING_PAGE, vet_state.ts MISMATCH_PAGE).
const PAGE = 50;

let server;
let browser;
let vetToken;
let inspectorToken;
let today;

const apiPost = (token, path, body) => harnessPost(server.url, token, path, body);

before(async () => {
  server = await startServer({ owners: 5 });
  browser = await launch();
  vetToken = await apiLogin(server.url, 'vet');
  inspectorToken = await apiLogin(server.url, 'inspector');
  today = await serverToday(server, vetToken);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// `n` slaughter certificates of one sheep each, for a new owner's sheep covered today, to the
// demo's county (the inspector's jurisdiction), oldest first.
async function certificates(n) {
  const owner = await coveredSheep(server.url, vetToken, { today, count: n, name: 'Pages E2E', batch: 'E2E-PAGES' });
  const made = [];
  for (const tag of owner.tags) made.push(await slaughterCertificate(server.url, vetToken, owner, { tags: [tag] }));
  return made;
}

async function openAs(role, lang = 'en') {
  const context = await phone(browser);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`page error (${role}):`, e));
  await signIn(page, server.url, role, { lang });
  return { context, page };
}

test('the inspector sees the incoming list past its first page with Show more', { timeout: 240_000 }, async () => {
  await certificates(PAGE + 1);
  // The server's order: the first page's and one past it.
  const all = await apiGet(server.url, inspectorToken, '/movements/incoming?limit=1000');
  assert.equal(all.status, 200);
  assert.ok(all.body.items.length > PAGE);
  const first = all.body.items[0];
  const later = all.body.items[PAGE];
  const { context, page } = await openAs('inspector');
  try {
    const item = (c) => page.locator(`[data-testid="incoming-item"][data-id="${c.id}"]`);
    await expectText(item(first).getByTestId('movement-number'), first.number);
    await expectAttr(page.getByTestId('incoming'), 'data-state', 'loaded');
    await expectCount(page.getByTestId('incoming-item'), PAGE, 'the first page');
    await expectCount(item(later), 0, 'past the first page');
    await page.getByTestId('incoming-more').click();
    await expectText(item(later).getByTestId('movement-number'), later.number);
    // Each certificate once, the first page's still there.
    await expectCount(item(first), 1);
    await expectCount(item(later), 1);
    await expectCount(page.getByTestId('incoming-item'), Math.min(all.body.items.length, 2 * PAGE));
    await expectAllTranslated(page);
  } finally {
    await context.close();
  }
});

test('the vet sees the mismatches past the first page with Show more', { timeout: 300_000 }, async () => {
  const certs = await certificates(PAGE + 1);
  for (const c of certs) {
    // Counted none of the one sheep certified: a mismatch.
    const res = await apiPost(inspectorToken, `/certificates/${c.id}/consume`, { place: 'Abay meat plant', head_count: 0 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.movement.status, 'mismatch', JSON.stringify(res.body.movement));
  }
  const all = await apiGet(server.url, vetToken, '/movements?status=mismatch&limit=1000');
  assert.equal(all.status, 200);
  assert.ok(all.body.items.length > PAGE);
  const first = all.body.items.slice(0, PAGE).map((i) => i.id);
  const later = all.body.items[PAGE];
  const { context, page } = await openAs('vet');
  try {
    const item = (id) => page.locator(`[data-testid="mismatch-item"][data-id="${id}"]`);
    await expectCount(page.getByTestId('mismatch-item'), PAGE, 'the first page');
    await expectCount(item(later.id), 0, 'past the first page');
    await page.getByTestId('mismatches-more').click();
    await expectText(item(later.id).getByTestId('movement-number'), later.number);
    await expectCount(page.getByTestId('mismatch-item'), Math.min(all.body.items.length, 2 * PAGE));
    await expectCount(item(first[0]), 1);
    await expectAllTranslated(page);
  } finally {
    await context.close();
  }
});

test('the checkpoint picker holds every place of the area and finds one by name', { timeout: 240_000 }, async () => {
  const admin = await apiLogin(server.url, 'admin');
  const me = await apiGet(server.url, inspectorToken, '/auth/me');
  const authority = me.body.authority ?? me.body.user?.authority;
  // More markets than a page: the one made last comes after the first page.
  const run = randomInt(0, 1e9);
  let last;
  for (let n = 0; n <= PAGE; n++) {
    const res = await apiPost(admin, '/holdings', {
      code: `E2E-MKT-${run}-${n}`,
      kind: 'market',
      name: n === PAGE ? `Zhanaauyl livestock market ${run}` : `Market ${run}-${n}`,
      authority,
      lat: 48 + n / 1000,
      lon: 80,
      opened_on: '2020-01-01',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    last = res.body;
  }
  const firstPage = await apiGet(server.url, inspectorToken, '/holdings?kind=market');
  assert.equal(firstPage.body.items.filter((h) => h.id === last.id).length, 0, 'the last market is past the first page');
  for (const lang of ['en', 'ug', 'kk', 'ru']) {
    const { context, page } = await openAs('inspector', lang);
    try {
      await page.getByTestId('passage-open').click();
      const picker = page.getByTestId('passage-holding');
      await picker.locator(`option[value="${last.id}"]`).waitFor({ state: 'attached' });
      await page.getByTestId('passage-place-search').fill(`zhanaauyl ${run}`);
      // Only the place searched for (and the empty choice) is offered.
      await expectCount(picker.locator('option'), 2);
      await picker.selectOption(String(last.id));
      await expectAttr(picker.locator('option:checked'), 'value', String(last.id));
      // The pick stays when the search changes.
      await page.getByTestId('passage-place-search').fill('no such place');
      await expectCount(picker.locator('option'), 2);
      await expectAttr(picker.locator('option:checked'), 'value', String(last.id));
      await expectAllTranslated(page);
      if (lang !== 'en') await shotOf(page.getByTestId('passage-card'), `pages-checkpoint-search-${lang}`);
      assert.deepEqual(await smallTargetsIn(page.getByTestId('passage-card')), [], `${lang}: controls under 48 px`);
    } finally {
      await context.close();
    }
  }
});

// Show more at 390 px in Uyghur (right to left), Kazakh and Russian, for a person to read: the
// inspector's incoming list and the vet's mismatches, each past a page; every string translated.
test('Show more in ug, kk and ru', { timeout: 300_000 }, async () => {
  const arrived = await certificates(PAGE + 1);
  for (const c of arrived) {
    const res = await apiPost(inspectorToken, `/certificates/${c.id}/consume`, { place: 'Abay meat plant', head_count: 0 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
  await certificates(PAGE + 1);
  for (const lang of ['ug', 'kk', 'ru']) {
    for (const [role, list, more] of [
      ['inspector', 'incoming', 'incoming-more'],
      ['vet', 'mismatches', 'mismatches-more'],
    ]) {
      const { context, page } = await openAs(role, lang);
      try {
        await page.getByTestId(more).waitFor();
        await expectAllTranslated(page);
        await shotOf(page.getByTestId(more), `pages-${list}-more-${lang}`);
        assert.deepEqual(await smallTargetsIn(page.getByTestId(list)), [], `${lang} ${list}: controls under 48 px`);
        const before = await page.getByTestId(list).locator('li').count();
        await page.getByTestId(more).click();
        await eventually(async () => assert.ok((await page.getByTestId(list).locator('li').count()) > before));
        await expectAllTranslated(page);
      } finally {
        await context.close();
      }
    }
  }
});
