// Flock events (W12) on the vaccinator screen, end to end, as the vet and as the vaccinator (the
// owner's flocks come from GET /flocks?phone=, which both may call): the owner's flocks found
// online and kept; deaths recorded with no network wait on the phone (also across a reload) and
// reach the server once when the network is back, changing the flock's head count; a death of more
// head than the flock has is refused on the phone; births add head. The screen at 390 px in Uyghur,
// Kazakh and Russian. One server for the file; each test makes its own owner and flock through the
// API, so any one runs alone. Every check of the page after an action waits for it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  startServer,
  launch,
  phone,
  signIn,
  shotOf,
  apiLogin,
  apiGet,
  eventuallyValue,
  expectAllTranslated,
  expectAttr,
  expectCount,
  expectText,
  expectValue,
  serverToday,
  freshPhone,
  smallTargetsIn,
} from './harness.mjs';

let server;
let browser;
let vetToken;
let today;

before(async () => {
  server = await startServer({ owners: 5 });
  browser = await launch();
  vetToken = await apiLogin(server.url, 'vet');
  today = await serverToday(server, vetToken);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// A new owner with a flock of 40 sheep vaccinated today; returns the phone and the flock.
async function ownerWithFlock() {
  const owner = await freshPhone(server.url, vetToken);
  const res = await fetch(`${server.url}/api/v1/vaccinations/batch`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${vetToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      records: [
        {
          id: randomUUID(),
          owner_phone: owner,
          owner_name: 'Flock Life E2E',
          head_count: 40,
          species: 'sheep',
          disease: 'PPR',
          vaccine: 'PPR-LIVE',
          batch_no: 'E2E-FLOCK-LIFE',
          dose_ml: 1,
          administered_on: today,
        },
      ],
    }),
  });
  assert.equal(res.status, 200);
  return { owner, flock: await flockOf(owner) };
}

async function flockOf(owner) {
  const l = await apiGet(server.url, vetToken, `/lookup?phone=${encodeURIComponent(owner)}`);
  assert.equal(l.status, 200, JSON.stringify(l.body));
  const flock = l.body.animals.find((a) => a.kind === 'flock' && a.species === 'sheep');
  assert.ok(flock, JSON.stringify(l.body.animals));
  return flock;
}

// The vaccinator screen as `role` (the vet unless said), controlled by the service worker (so that
// it reloads offline).
async function openScreen(context, lang = 'en', role = 'vet') {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await signIn(page, server.url, role, { lang });
  await page.goto(`${server.url}/vaccinator`);
  await page.waitForFunction(() => document.body.dataset.screen === 'vaccinator');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => !!navigator.serviceWorker.controller);
  await page.getByTestId('flock-life-form').waitFor();
  return page;
}

async function findFlocks(page, owner, flock) {
  await page.getByTestId('flock-life-phone').fill(owner);
  await page.getByTestId('flock-life-find').click();
  await page.locator(`[data-testid="flock-life-flock"] option[value="${flock.id}"]`).waitFor({ state: 'attached' });
}

const flockItems = (page, state) => page.locator(`[data-testid="event-item"][data-kind="died"]${state ? `[data-state="${state}"]` : ''}`);

test('deaths in a flock recorded offline wait on the phone and reach the server once; too many head is refused on the phone', { timeout: 240_000 }, async () => {
  const { owner, flock } = await ownerWithFlock();
  const context = await phone(browser);
  try {
    const page = await openScreen(context);
    await findFlocks(page, owner, flock);
    await expectValue(page.getByTestId('flock-life-flock'), '', 'no flock chosen by default');
    await expectValue(page.getByTestId('flock-life-head'), '', 'no head by default');

    await context.setOffline(true);
    await page.getByTestId('net-state').filter({ hasText: 'Offline' }).waitFor();
    await page.getByTestId('flock-life-flock').selectOption(String(flock.id));
    await page.getByTestId('flock-life-kind').selectOption('died');
    await page.getByTestId('flock-life-head').fill('41');
    await page.getByTestId('flock-life-date').fill(today);
    await page.getByTestId('flock-life-save').click();
    await expectText(page.locator('[data-testid="flock-life-error"][data-field="head"]'), 'More head than the flock has.');
    await expectCount(flockItems(page), 0);

    await page.getByTestId('flock-life-head').fill('3');
    await page.getByTestId('flock-life-reason').fill('cold night');
    await page.getByTestId('flock-life-save').click();
    await expectAttr(page.getByTestId('flock-life-saved'), 'data-kind', 'died');
    await expectCount(flockItems(page, 'pending'), 1);
    await expectText(flockItems(page, 'pending'), /Flock of Sheep: 3 head/);
    // The form is empty for the next event (the flocks stay listed).
    await expectValue(page.getByTestId('flock-life-flock'), '');
    await expectValue(page.getByTestId('flock-life-head'), '');
    await expectValue(page.getByTestId('flock-life-reason'), '');
    const id = await flockItems(page, 'pending').getAttribute('data-id');
    assert.equal((await flockOf(owner)).head_count, 40, 'nothing reached the server offline');

    // A reload with no network keeps it waiting, and the flocks found before are offered.
    await page.reload();
    await page.getByTestId('flock-life-form').waitFor();
    await expectCount(flockItems(page, 'pending'), 1);
    await findFlocks(page, owner, flock);
    await page.getByTestId('flock-life-kept').waitFor();

    await context.setOffline(false);
    await page.getByTestId('outbox-count').and(page.locator('[data-count="0"]')).waitFor();
    const after = await eventuallyValue(() => flockOf(owner), (f) => f.head_count !== 40, 'the flock after the event');
    assert.equal(after.head_count, 37);
    const tl = await apiGet(server.url, vetToken, `/flocks/${flock.id}/timeline`);
    assert.equal(tl.status, 200, JSON.stringify(tl.body));
    const died = JSON.stringify(tl.body).split(id).length - 1;
    assert.ok(died >= 1, 'the event is on the flock timeline by the phone-made id');
    // A second sync sends nothing again.
    await page.getByTestId('sync-now').click();
    await page.getByTestId('sync-status').and(page.locator('[data-state="done"]')).waitFor();
    assert.equal((await flockOf(owner)).head_count, 37);
  } finally {
    await context.close();
  }
});

test('a vaccinator finds the owner\'s flocks and records a death, which reaches the server', { timeout: 120_000 }, async () => {
  const { owner, flock } = await ownerWithFlock();
  const context = await phone(browser);
  try {
    const page = await openScreen(context, 'en', 'vaccinator');
    await findFlocks(page, owner, flock);
    await expectCount(page.getByTestId('flock-life-find-error'), 0);
    await expectText(page.locator(`[data-testid="flock-life-flock"] option[value="${flock.id}"]`), /Sheep: 40 head/);
    await page.getByTestId('flock-life-flock').selectOption(String(flock.id));
    await page.getByTestId('flock-life-kind').selectOption('died');
    await page.getByTestId('flock-life-head').fill('2');
    await page.getByTestId('flock-life-date').fill(today);
    await page.getByTestId('flock-life-save').click();
    await expectAttr(page.getByTestId('flock-life-saved'), 'data-kind', 'died');
    const after = await eventuallyValue(() => flockOf(owner), (f) => f.head_count !== 40, 'the flock after the death');
    assert.equal(after.head_count, 38);
    // An owner the server does not know: said so, not a network failure.
    await page.getByTestId('flock-life-phone').fill(await freshPhone(server.url, vetToken));
    await page.getByTestId('flock-life-find').click();
    await expectText(page.getByTestId('flock-life-find-error'), 'No owner with this phone number.');
  } finally {
    await context.close();
  }
});

test('births add head to the flock', { timeout: 120_000 }, async () => {
  const { owner, flock } = await ownerWithFlock();
  const context = await phone(browser);
  try {
    const page = await openScreen(context);
    await findFlocks(page, owner, flock);
    await page.getByTestId('flock-life-flock').selectOption(String(flock.id));
    await page.getByTestId('flock-life-kind').selectOption('born');
    await page.getByTestId('flock-life-head').fill('5');
    await page.getByTestId('flock-life-date').fill(today);
    await page.getByTestId('flock-life-save').click();
    await expectAttr(page.getByTestId('flock-life-saved'), 'data-kind', 'born');
    const after = await eventuallyValue(() => flockOf(owner), (f) => f.head_count !== 40, 'the flock after the births');
    assert.equal(after.head_count, 45);
  } finally {
    await context.close();
  }
});

test('the flock events form in ug, kk and ru at 390 px', { timeout: 240_000 }, async () => {
  const { owner, flock } = await ownerWithFlock();
  for (const lang of ['ug', 'kk', 'ru']) {
    const context = await phone(browser);
    try {
      const page = await openScreen(context, lang);
      await findFlocks(page, owner, flock);
      await page.getByTestId('flock-life-flock').selectOption(String(flock.id));
      await page.getByTestId('flock-life-kind').selectOption('died');
      await page.getByTestId('flock-life-head').fill('999');
      await page.getByTestId('flock-life-save').click();
      await page.locator('[data-testid="flock-life-error"][data-field="head"]').waitFor();
      await expectAllTranslated(page);
      await shotOf(page.getByTestId('flock-life'), `flock-life-form-${lang}`);
      assert.deepEqual(await smallTargetsIn(page.getByTestId('flock-life')), [], `${lang}: controls under 48 px`);
    } finally {
      await context.close();
    }
  }
});
