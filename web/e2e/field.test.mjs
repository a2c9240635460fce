// W1 in the field, end to end: a vaccinator records offline on a phone, the records survive a
// reload with no network, go to the server when the network is back (once, however often they are
// sent), and an inspector then finds the owner by a local form of the phone number with the right
// status per disease. One server for the file; each test makes its own owners (fresh numbers and
// ear tags, set up through the API when entering them is not what the test is about), so any one
// of them runs alone or in any order. Every check of the page after an action waits for it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomInt, randomUUID } from 'node:crypto';
import {
  startServer,
  launch,
  phone,
  signIn,
  shot,
  apiLogin,
  apiGet,
  expectAllTranslated,
  expectAttr,
  expectChecked,
  expectCount,
  expectText,
  serverToday,
} from './harness.mjs';

let server;
let browser;

const OWNER = 'Айгерим Field-Test';
const VILLAGE = 'Қараул';
const RECORDS = [
  { disease: 'FMD-O', vaccine: 'FMD-O-INACT', batch: `E2E-FMD-${randomInt(0, 10_000)}` },
  { disease: 'PPR', vaccine: 'PPR-LIVE', batch: `E2E-PPR-${randomInt(0, 10_000)}` },
  { disease: 'SGP', vaccine: 'SGP-SHEEPPOX-LIVE', batch: `E2E-SGP-${randomInt(0, 10_000)}` },
];
const HERE = { latitude: 50.4111, longitude: 80.2275 };

// A new owner: a Kazakh mobile number +7 701 5xx xx xx (the demo owners have others) in its three
// forms, and two ear tags, none used before in this run.
let made = 0;
function freshOwner() {
  const six = String(randomInt(0, 1000)).padStart(3, '0') + String(made++ % 1000).padStart(3, '0');
  const [a, b, c] = [six.slice(0, 2), six.slice(2, 4), six.slice(4, 6)];
  const tag = () => '398' + String(randomInt(0, 1_000_000)).padStart(6, '0') + String(randomInt(0, 1_000_000)).padStart(6, '0');
  return {
    phone: `+7 701 5${a} ${b} ${c}`,
    local: `8 701 5${a} ${b} ${c}`,
    e164: `+77015${six}`,
    tags: [tag(), tag()],
  };
}

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function lookup(phoneText) {
  const token = await apiLogin(server.url, 'vet');
  return apiGet(server.url, token, `/lookup?phone=${encodeURIComponent(phoneText)}`);
}

// Records `records` (disease, vaccine, batch) for the owner's ear-tagged sheep through the API, as
// the demo vaccinator, dated the server's today.
async function recordThroughApi(owner, records) {
  const today = await serverToday(server, await apiLogin(server.url, 'vet'));
  const token = await apiLogin(server.url, 'vaccinator');
  const body = {
    records: records.map((r) => ({
      id: randomUUID(),
      owner_phone: owner.phone,
      owner_name: OWNER,
      animal_tags: owner.tags,
      species: 'sheep',
      disease: r.disease,
      vaccine: r.vaccine,
      batch_no: r.batch,
      dose_ml: 2,
      administered_on: today,
    })),
  };
  const res = await fetch(`${server.url}/api/v1/vaccinations/batch`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await res.json();
  assert.equal(res.status, 200, JSON.stringify(answer));
  assert.equal(answer.created, records.length, JSON.stringify(answer));
}

function outboxItems(page) {
  return page.getByTestId('outbox-item');
}

test('a vaccinator records offline, the records survive a reload and sync once when online', { timeout: 240_000 }, async () => {
  const owner = freshOwner();
  const context = await phone(browser, { geolocation: HERE, permissions: ['geolocation'], acceptDownloads: true });
  const page = await context.newPage();
  // The Content-Encoding of every batch the app sends (gzip, CompressionStream: issue 14).
  const batchEncodings = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/v1/vaccinations/batch')) batchEncodings.push(r.headers()['content-encoding']);
  });
  try {
    await signIn(page, server.url, 'vaccinator');
    await page.waitForFunction(() => document.body.dataset.screen === 'vaccinator');
    // The catalogue is fetched and kept on the phone, and the service worker takes control.
    await page.locator('[data-testid="tag-species"] option[value="sheep"]').waitFor({ state: 'attached' });
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await page.waitForFunction(() => !!navigator.serviceWorker.controller);
    await page.locator('[data-testid="tag-species"] option[value="sheep"]').waitFor({ state: 'attached' });
    assert.equal((await lookup(owner.phone)).status, 404, 'the owner is new to the server');

    await context.setOffline(true);
    await page.getByTestId('net-state').filter({ hasText: 'Offline' }).waitFor();

    // A new owner: not on the server (unreachable) nor on this phone, so entered on the spot.
    await page.getByTestId('owner-phone').fill(owner.phone);
    await page.getByTestId('owner-find').click();
    await page.getByTestId('owner-name-input').fill(OWNER);
    await page.getByTestId('owner-village').fill(VILLAGE);
    await page.getByTestId('owner-create').click();
    await page.getByTestId('owner-chosen-name').filter({ hasText: OWNER }).waitFor();

    // Two ear-tagged sheep; a malformed tag is refused on the phone.
    await page.getByTestId('tag-species').selectOption('sheep');
    await page.getByTestId('tag-input').fill('398 0000 12');
    await page.getByTestId('tag-add').click();
    await page.getByTestId('animal-error').waitFor();
    for (const [i, tag] of owner.tags.entries()) {
      await page.getByTestId('tag-input').fill(tag.replace(/^(\d{3})(\d{4})/, '$1 $2 '));
      await page.getByTestId('tag-add').click();
      await expectCount(page.getByTestId('animal-item'), i + 1);
    }

    // A bivalent FMD vaccine offers to record FMD A too; a monovalent one does not.
    await page.getByTestId('vacc-disease').selectOption('FMD-O');
    await page.getByTestId('vacc-vaccine').selectOption('FMD-OA-INACT');
    await expectChecked(page.locator('[data-testid="vacc-also"][data-disease="FMD-A"]'), true);
    await page.getByTestId('vacc-vaccine').selectOption('FMD-O-INACT');
    await expectCount(page.getByTestId('vacc-also'), 0);

    for (const [i, r] of RECORDS.entries()) {
      if (i > 0) {
        await page.getByTestId('vacc-disease').selectOption(r.disease);
        await page.getByTestId('vacc-vaccine').selectOption(r.vaccine);
      }
      await page.getByTestId('vacc-batch').fill(r.batch);
      await page.getByTestId('vacc-dose').fill('2');
      // Both sheep in one record per disease.
      await expectText(page.getByTestId('vacc-save'), /\b1\b/);
      if (i === RECORDS.length - 1) await shot(page, 'vaccinator-record');
      await page.getByTestId('vacc-save').click();
      await page.getByTestId('vacc-saved').waitFor();
      await page.locator('[data-testid="outbox-item"][data-state="pending"]').nth(i).waitFor();
    }
    await expectCount(outboxItems(page), 3);
    await page.getByTestId('pending-count').filter({ hasText: '3' }).waitFor();

    // Exported while offline: a cleared browser would lose nothing.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
    assert.equal(exported.format, 'herdpass-outbox');
    assert.equal(exported.records.length, 3);
    const ids = exported.records.map((r) => r.id).sort();
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    // Still offline, the page reloads from the service worker and the records are still waiting.
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.screen === 'vaccinator');
    await page.getByTestId('pending-count').filter({ hasText: '3' }).waitFor();
    await page.locator('[data-testid="outbox-item"][data-state="pending"]').nth(2).waitFor();
    await expectCount(outboxItems(page), 3);
    await expectAllTranslated(page);
    await shot(page, 'vaccinator-pending');
    assert.equal((await lookup(owner.phone)).status, 404, 'nothing reached the server while offline');

    // Back online: the records go (on the online event, or the button) and nothing waits any more.
    await context.setOffline(false);
    await page.getByTestId('sync-now').click();
    await page.getByTestId('outbox-count').and(page.locator('[data-count="0"]')).waitFor();
    await page.getByTestId('pending-count').waitFor({ state: 'detached' });
    await expectCount(outboxItems(page), 0);
    assert.ok(batchEncodings.length >= 1, 'a batch was sent');
    assert.deepEqual([...new Set(batchEncodings)], ['gzip'], 'every batch went gzip-encoded');

    // The server holds exactly those records, for the new owner with their village and two sheep.
    const first = await lookup(owner.local);
    assert.equal(first.status, 200);
    const body = first.body;
    assert.equal(body.owner.phone, owner.e164);
    assert.equal(body.owner.name, OWNER);
    assert.equal(body.owner.village, VILLAGE);
    assert.deepEqual(body.animals.map((a) => a.tag).sort(), [...owner.tags].sort());
    assert.ok(body.animals.every((a) => a.species === 'sheep' && a.kind === 'animal'));
    assert.equal(body.vaccinations.length, 3);
    assert.deepEqual(body.vaccinations.map((v) => v.id).sort(), ids);
    const animalIds = body.animals.map((a) => a.id).sort();
    for (const r of RECORDS) {
      const v = body.vaccinations.find((x) => x.disease === r.disease);
      assert.ok(v, `a ${r.disease} record`);
      assert.equal(v.vaccine, r.vaccine);
      assert.equal(v.batch_no, r.batch);
      assert.equal(v.dose_ml, 2);
      assert.equal(v.species, 'sheep');
      assert.equal(v.head_count, 2);
      assert.deepEqual([...v.animal_ids].sort(), animalIds);
      assert.equal(v.administered_on, body.today);
      assert.ok(Math.abs(v.lat - HERE.latitude) < 1e-4 && Math.abs(v.lon - HERE.longitude) < 1e-4, 'GPS recorded');
      assert.ok(v.device_id, 'device id recorded');
      assert.equal(body.coverage.find((c) => c.disease === r.disease)?.status, 'covered');
    }
    assert.equal(new Set(body.vaccinations.map((v) => v.device_id)).size, 1);

    // A second sync adds nothing.
    await page.getByTestId('sync-now').click();
    await page.locator('[data-testid="sync-status"][data-state="done"]').waitFor();
    const second = await lookup(owner.phone);
    assert.equal(second.body.vaccinations.length, 3);
    assert.equal(second.body.animals.length, 2);

    // The exported file imported again sends the same records once more: the server answers
    // duplicate for each and still holds three.
    await page.getByTestId('import').setInputFiles(await download.path());
    await page.getByTestId('file-notice').filter({ hasText: '3' }).waitFor();
    // Imported records go at once when online (no button pressed).
    await page.getByTestId('outbox-count').and(page.locator('[data-count="0"]')).waitFor();
    await page.locator('[data-testid="sync-status"][data-state="done"]').filter({ hasText: /already on the server: 3/ }).waitFor();
    const third = await lookup(owner.phone);
    assert.deepEqual(third.body.vaccinations.map((v) => v.id).sort(), ids);
    assert.equal(third.body.animals.length, 2);
  } finally {
    await context.close();
  }
});

test('an inspector finds an owner by a local form of the number, with the status per disease', { timeout: 120_000 }, async () => {
  const owner = freshOwner();
  await recordThroughApi(owner, RECORDS);
  const expected = await lookup(owner.phone);
  assert.equal(expected.status, 200, JSON.stringify(expected.body));
  const context = await phone(browser);
  const page = await context.newPage();
  try {
    await signIn(page, server.url, 'inspector');
    await page.waitForFunction(() => document.body.dataset.screen === 'inspector');
    await page.getByTestId('phone-input').fill(owner.local);
    await page.getByTestId('phone-submit').click();
    await page.getByTestId('owner-name').filter({ hasText: OWNER }).waitFor();
    // The status per disease is a detail, opened on demand.
    await page.getByTestId('owner-coverage-toggle').click();
    for (const r of RECORDS) {
      const row = page.locator(`[data-testid="disease-status"][data-disease="${r.disease}"]`);
      await expectAttr(row, 'data-state', 'covered', r.disease);
      await expectText(row, /\S/, `${r.disease} has words`);
    }
    // Diseases of sheep that were not recorded are never vaccinated, as the server says; the
    // screen lists every disease of the lookup.
    const never = expected.body.coverage.filter((c) => c.status === 'never').map((c) => c.disease);
    assert.ok(never.length > 0, 'the lookup lists unrecorded diseases of sheep');
    for (const code of never) {
      await expectAttr(page.locator(`[data-testid="disease-status"][data-disease="${code}"]`), 'data-state', 'never', code);
    }
    await expectCount(page.getByTestId('disease-status'), expected.body.coverage.length);
    await shot(page, 'inspector-field-owner');
  } finally {
    await context.close();
  }
});

test('online: a known owner is found by phone, a flock recorded; a record the server rejects shows its reason, is not resent, and is discarded', { timeout: 180_000 }, async () => {
  const owner = freshOwner();
  await recordThroughApi(owner, RECORDS.slice(0, 1));
  const other = freshOwner();
  const context = await phone(browser);
  const page = await context.newPage();
  try {
    await signIn(page, server.url, 'vaccinator');
    await page.waitForFunction(() => document.body.dataset.screen === 'vaccinator');
    await page.getByTestId('owner-phone').fill(owner.local);
    await page.getByTestId('owner-find').click();
    const chosen = page.getByTestId('owner-chosen');
    await expectAttr(chosen, 'data-source', 'server');
    await expectText(page.getByTestId('owner-chosen-name'), OWNER);

    // A flock of 40 goats, PPR.
    await page.getByTestId('mode-flock').click();
    await page.getByTestId('flock-species').selectOption('goat');
    await page.getByTestId('flock-count').fill('40');
    await page.getByTestId('flock-add').click();
    await page.getByTestId('vacc-disease').selectOption('PPR');
    await page.getByTestId('vacc-vaccine').selectOption('PPR-LIVE-C9');
    await page.getByTestId('vacc-batch').fill('E2E-FLOCK-1');
    await page.getByTestId('vacc-save').click();
    await page.getByTestId('vacc-saved').waitFor();
    // Online, it goes at once.
    await page.locator('[data-testid="sync-status"][data-state="done"]').waitFor();
    await page.getByTestId('outbox-count').and(page.locator('[data-count="0"]')).waitFor();
    const known = (await lookup(owner.phone)).body;
    assert.equal(known.vaccinations.length, 2);
    const flock = known.animals.find((a) => a.kind === 'flock');
    assert.ok(flock, 'a flock');
    assert.equal(flock.species, 'goat');
    assert.equal(flock.head_count, 40);
    const v = known.vaccinations.find((x) => x.batch_no === 'E2E-FLOCK-1');
    assert.deepEqual([v.disease, v.vaccine, v.head_count, v.animal_ids], ['PPR', 'PPR-LIVE-C9', 40, [flock.id]]);

    // Another owner with an ear tag that belongs to the first: rejected, with the reason at the record.
    await page.getByTestId('visit-next').click();
    await page.getByTestId('owner-phone').fill(other.phone);
    await page.getByTestId('owner-find').click();
    await page.getByTestId('owner-name-input').fill('Second Owner');
    await page.getByTestId('owner-create').click();
    await page.getByTestId('mode-tag').click();
    await page.getByTestId('tag-species').selectOption('sheep');
    await page.getByTestId('tag-input').fill(owner.tags[0]);
    await page.getByTestId('tag-add').click();
    await page.getByTestId('vacc-disease').selectOption('SGP');
    await page.getByTestId('vacc-vaccine').selectOption('SGP-SHEEPPOX-LIVE');
    await page.getByTestId('vacc-batch').fill('E2E-REJECT-1');
    await page.getByTestId('vacc-save').click();
    const item = page.locator('[data-testid="outbox-item"][data-state="rejected"]');
    await item.waitFor();
    await expectText(item.getByTestId('outbox-error'), /^Reason: This conflicts with what the server already has\. \u2066\(animal_tags\)\u2069$/);
    await expectCount(page.getByTestId('pending-count'), 0, 'a rejected record is not waiting to sync');
    await shot(page, 'vaccinator-rejected');

    // Not sent again by Sync now; the server never got the second owner (the record was refused whole).
    await page.getByTestId('sync-now').click();
    await page.locator('[data-testid="sync-status"][data-state="done"]').waitFor();
    await expectCount(item, 1);
    assert.equal((await lookup(other.phone)).status, 404);
    assert.equal((await lookup(owner.phone)).body.vaccinations.length, 2);

    // Discarding takes two taps (gloves): the first asks again and keeps the record.
    await item.getByTestId('outbox-discard').click();
    await expectText(item.getByTestId('outbox-discard'), /Tap again/);
    await expectCount(item, 1);
    await item.getByTestId('outbox-discard').click();
    await item.waitFor({ state: 'detached' });
    await expectCount(page.getByTestId('outbox-item'), 0);
  } finally {
    await context.close();
  }
});

test('a token the server no longer accepts stops the sync, keeps the record, and signing in again sends it', { timeout: 180_000 }, async () => {
  const owner = freshOwner();
  const context = await phone(browser);
  const page = await context.newPage();
  try {
    await signIn(page, server.url, 'vaccinator');
    await page.waitForFunction(() => document.body.dataset.screen === 'vaccinator');
    await page.locator('[data-testid="tag-species"] option[value="sheep"]').waitFor({ state: 'attached' });
    // Recorded offline, for an owner entered by hand.
    await context.setOffline(true);
    await page.getByTestId('owner-phone').fill(owner.phone);
    await page.getByTestId('owner-find').click();
    await page.getByTestId('owner-name-input').fill(OWNER);
    await page.getByTestId('owner-create').click();
    await page.getByTestId('tag-species').selectOption('sheep');
    await page.getByTestId('tag-input').fill(owner.tags[1]);
    await page.getByTestId('tag-add').click();
    await page.getByTestId('vacc-disease').selectOption('BRUCELLOSIS');
    await page.getByTestId('vacc-vaccine').selectOption('BRU-S2');
    await page.getByTestId('vacc-batch').fill('E2E-401-1');
    await page.getByTestId('vacc-save').click();
    await page.getByTestId('pending-count').filter({ hasText: '1' }).waitFor();
    // The server ends the session behind the phone's back (expired, or signed out elsewhere).
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem('hp.session')).token);
    const out = await fetch(`${server.url}/api/v1/auth/logout`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    assert.ok(out.ok, `logout ${out.status}`);
    await context.setOffline(false);
    await page.getByTestId('sync-now').click();
    await page.locator('[data-testid="sync-status"][data-state="unauthorized"]').waitFor();
    await expectCount(page.locator('[data-testid="outbox-item"][data-state="pending"]'), 1, 'the record is kept');
    assert.equal((await lookup(owner.phone)).status, 404, 'nothing reached the server');

    // Signing in again sends it.
    await page.getByTestId('sync-signin').click();
    await page.getByTestId('signin-form').waitFor();
    await page.getByTestId('username').fill('demo-vaccinator');
    await page.getByTestId('password').fill('demo-vaccinator-pass');
    await page.getByTestId('signin-submit').click();
    await page.waitForFunction(() => document.body.dataset.screen === 'vaccinator');
    await page.getByTestId('outbox-count').and(page.locator('[data-count="0"]')).waitFor();
    const body = (await lookup(owner.phone)).body;
    assert.equal(body.vaccinations.length, 1);
    assert.equal(body.vaccinations.find((v) => v.batch_no === 'E2E-401-1')?.disease, 'BRUCELLOSIS');
    const sheep = body.animals.find((a) => a.tag === owner.tags[1]);
    assert.equal(sheep.coverage.find((c) => c.disease === 'BRUCELLOSIS')?.status, 'covered');
  } finally {
    await context.close();
  }
});
