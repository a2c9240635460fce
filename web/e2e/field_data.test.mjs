// The field app must not save wrong data nor lose work (issue 11, items 1-4), end to end in
// Chromium against the real server: a batch number never carries over to another vaccine; records
// left on a shared phone go only under the name of the user who made them; a visit in progress
// survives a reload; a server that does not answer ends in a message, a retry and what the phone
// knows. One server for the file; each test makes its own owners and uses its own browser context.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, launch, phone, signIn, apiLogin, apiGet, untranslated, expectCount, eventuallyValue as eventually, freshPhone as freshPhoneOn, freshTag } from './harness.mjs';

let server;
let browser;
let vetToken;
const freshPhone = () => freshPhoneOn(server.url, vetToken);

before(async () => {
  server = await startServer();
  browser = await launch();
  vetToken = await apiLogin(server.url, 'vet');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const valueIs = (locator, want, what, timeout) => eventually(() => locator.inputValue(), (v) => v === want, `${what} is ${JSON.stringify(want)}`, timeout);

function lookup(phoneText) {
  return apiGet(server.url, vetToken, `/lookup?phone=${encodeURIComponent(phoneText)}`);
}

async function vaccinatorPage(options = {}) {
  const context = await phone(browser, options);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await signIn(page, server.url, 'vaccinator');
  await page.waitForFunction(() => document.body.dataset.screen === 'vaccinator');
  // The catalogue is on the phone.
  await page.locator('[data-testid="tag-species"] option[value="sheep"]').waitFor({ state: 'attached' });
  return { context, page };
}

// A new owner, entered on the spot.
async function newOwner(page, phoneText, name) {
  await page.getByTestId('owner-phone').fill(phoneText);
  await page.getByTestId('owner-find').click();
  await page.getByTestId('owner-name-input').fill(name);
  await page.getByTestId('owner-create').click();
  await page.getByTestId('owner-chosen-name').filter({ hasText: name }).waitFor();
}

async function addFlock(page, species, count) {
  await page.getByTestId('mode-flock').click();
  await page.getByTestId('flock-species').selectOption(species);
  await page.getByTestId('flock-count').fill(String(count));
  await page.getByTestId('flock-add').click();
  await page.getByTestId('animal-item').filter({ hasText: String(count) }).waitFor();
}

test('the batch number and dose of one vaccine never carry over to the next; the last batch is only offered', { timeout: 120_000 }, async () => {
  const { context, page } = await vaccinatorPage();
  const ownerPhone = await freshPhone();
  try {
    await newOwner(page, ownerPhone, 'Batch Test Owner');
    await addFlock(page, 'sheep', 12);
    const batch = page.getByTestId('vacc-batch');
    const dose = page.getByTestId('vacc-dose');

    await page.getByTestId('vacc-disease').selectOption('FMD-O');
    await page.getByTestId('vacc-vaccine').selectOption('FMD-O-INACT');
    await batch.fill('LOT-FMD-77');
    await dose.fill('2');
    await page.getByTestId('vacc-save').click();
    await page.getByTestId('vacc-saved').waitFor();

    // PPR next: its batch and dose start empty, not the FMD vaccine's.
    await page.getByTestId('vacc-disease').selectOption('PPR');
    await page.getByTestId('vacc-vaccine').selectOption('PPR-LIVE');
    await valueIs(batch, '', 'the batch after choosing PPR-LIVE');
    await valueIs(dose, '', 'the dose after choosing PPR-LIVE');
    // Save refuses a record with no batch.
    await page.getByTestId('vacc-save').click();
    await page.getByTestId('vacc-error').filter({ hasText: 'Enter the batch number.' }).waitFor();

    // A batch typed for one product goes when the product changes.
    await batch.fill('LOT-PPR-1');
    await page.getByTestId('vacc-vaccine').selectOption('PPR-LIVE-C9');
    await valueIs(batch, '', 'the batch after changing the product');

    // Back to the FMD vaccine: its last batch is offered, the field stays empty until taken.
    await page.getByTestId('vacc-disease').selectOption('FMD-O');
    await page.getByTestId('vacc-vaccine').selectOption('FMD-O-INACT');
    await page.locator('[data-testid="batch-suggestion"][data-batch="LOT-FMD-77"]').waitFor();
    await valueIs(batch, '', 'the batch while only offered');
    await page.getByTestId('batch-use').click();
    await valueIs(batch, 'LOT-FMD-77', 'the batch once taken');
    await page.getByTestId('batch-suggestion').waitFor({ state: 'detached' });

    // PPR with its own batch and no dose: saved as such.
    await page.getByTestId('vacc-disease').selectOption('PPR');
    await page.getByTestId('vacc-vaccine').selectOption('PPR-LIVE');
    await valueIs(batch, '', 'the batch for PPR-LIVE');
    await batch.fill('LOT-PPR-2');
    await page.getByTestId('vacc-save').click();
    await page.getByTestId('vacc-saved').waitFor();
    await page.getByTestId('outbox-count').and(page.locator('[data-count="0"]')).waitFor();
    const body = await eventually(() => lookup(ownerPhone), (r) => r.status === 200 && r.body.vaccinations.length === 2, 'two records on the server');
    const byDisease = Object.fromEntries(body.body.vaccinations.map((v) => [v.disease, v]));
    assert.deepEqual([byDisease['FMD-O'].vaccine, byDisease['FMD-O'].batch_no, byDisease['FMD-O'].dose_ml], ['FMD-O-INACT', 'LOT-FMD-77', 2]);
    assert.deepEqual([byDisease.PPR.vaccine, byDisease.PPR.batch_no, byDisease.PPR.dose_ml ?? null], ['PPR-LIVE', 'LOT-PPR-2', null]);
    assert.deepEqual(await untranslated(page), []);
  } finally {
    await context.close();
  }
});

test('records left on a shared phone go only under the name of the user who made them', { timeout: 180_000 }, async () => {
  const { context, page } = await vaccinatorPage({ acceptDownloads: true });
  const ownerPhone = await freshPhone();
  try {
    await context.setOffline(true);
    await page.getByTestId('net-state').filter({ hasText: 'Offline' }).waitFor();
    await newOwner(page, ownerPhone, 'Shared Phone Owner');
    await addFlock(page, 'goat', 5);
    await page.getByTestId('vacc-disease').selectOption('PPR');
    await page.getByTestId('vacc-vaccine').selectOption('PPR-LIVE');
    await page.getByTestId('vacc-batch').fill('LOT-SHARED-1');
    await page.getByTestId('vacc-save').click();
    await page.getByTestId('pending-count').filter({ hasText: '1' }).waitFor();

    // Signing out asks first, and offers the records as a file with their maker.
    await page.getByTestId('sign-out').click();
    await page.locator('[data-testid="signout-warning"][data-count="1"]').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('signout-export').click()]);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
    assert.equal(exported.records.length, 1);
    assert.equal(exported.records[0].user.username, 'demo-vaccinator');
    assert.equal(exported.records[0].record.batch_no, 'LOT-SHARED-1');
    await page.getByTestId('signout-exported').waitFor();
    await page.getByTestId('signout-confirm').click();
    await page.getByTestId('signin-form').waitFor();
    await context.setOffline(false);

    // A vet signs in on the same phone: told whose records wait, and sends none of them.
    await signIn(page, server.url, 'vet');
    await page.locator('[data-testid="others-waiting"] [data-user="demo-vaccinator"][data-count="1"]').waitFor();
    await page.getByTestId('nav-vaccinator').click();
    await page.getByTestId('sync-now').click();
    await page.locator('[data-testid="sync-status"][data-state="done"]').waitFor();
    await page.getByTestId('outbox-count').and(page.locator('[data-count="0"]')).waitFor();
    assert.equal((await lookup(ownerPhone)).status, 404, "the vet's session sent nothing of the vaccinator's");
    await expectCount(page.getByTestId('pending-count'), 0, 'nothing of the vet waits');
    await page.getByTestId('others-waiting').filter({ hasText: 'demo-vaccinator' }).waitFor();

    // An inspector, who may not record, is told the same instead of "waiting to sync".
    await page.getByTestId('sign-out').click();
    await page.getByTestId('signin-form').waitFor();
    await signIn(page, server.url, 'inspector');
    await page.locator('[data-testid="others-waiting"] [data-user="demo-vaccinator"][data-count="1"]').waitFor();
    await expectCount(page.getByTestId('pending-count'), 0, 'nothing of the inspector waits');
    assert.deepEqual(await untranslated(page), []);
    assert.equal((await lookup(ownerPhone)).status, 404);

    // The vaccinator signs in again: the record goes, under the vaccinator's name.
    await page.getByTestId('sign-out').click();
    await page.getByTestId('signin-form').waitFor();
    await signIn(page, server.url, 'vaccinator');
    await page.getByTestId('outbox-count').and(page.locator('[data-count="0"]')).waitFor();
    await page.getByTestId('others-waiting').waitFor({ state: 'detached' });
    const sent = await eventually(() => lookup(ownerPhone), (r) => r.status === 200 && r.body.vaccinations.length === 1, 'the record on the server');
    const recordedBy = sent.body.vaccinations[0].recorded_by;
    const vaccinatorId = await page.evaluate(() => JSON.parse(localStorage.getItem('hp.session')).user.id);
    assert.equal(String(recordedBy), String(vaccinatorId));
  } finally {
    await context.close();
  }
});

// The visit draft as IndexedDB holds it now (for waiting until a change is kept).
function storedDraft(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('herdpass');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const d = open.result;
          const get = d.transaction('kv').objectStore('kv').getAll();
          get.onsuccess = () => {
            d.close();
            resolve(get.result.find((v) => v && typeof v === 'object' && v.version === 1 && 'ownerStage' in v) ?? null);
          };
          get.onerror = () => reject(get.error);
        };
      }),
  );
}

test('a visit in progress comes back after the tab reloads, and goes after Discard', { timeout: 120_000 }, async () => {
  const { context, page } = await vaccinatorPage();
  const ownerPhone = await freshPhone();
  const tags = [freshTag(), freshTag()];
  try {
    await newOwner(page, ownerPhone, 'Reload Test Owner');
    await page.getByTestId('tag-species').selectOption('sheep');
    for (const tag of tags) {
      await page.getByTestId('tag-input').fill(tag);
      await page.getByTestId('tag-add').click();
    }
    await page.getByTestId('animal-item').nth(1).waitFor();
    await page.getByTestId('tag-input').fill('398 1234');
    await page.getByTestId('vacc-disease').selectOption('PPR');
    await page.getByTestId('vacc-vaccine').selectOption('PPR-LIVE');
    await page.getByTestId('vacc-batch').fill('LOT-DRAFT-1');
    await page.getByTestId('vacc-dose').fill('1.5');
    await eventually(
      () => storedDraft(page),
      (d) => d?.product?.dose === '1.5' && d.tagText === '398 1234' && d.animals?.length === 2,
      'the draft kept on the phone',
    );

    // The phone killed the tab: everything typed is back.
    await page.reload();
    await page.getByTestId('draft-restored').waitFor();
    await page.getByTestId('owner-chosen-name').filter({ hasText: 'Reload Test Owner' }).waitFor();
    for (const tag of tags) await page.getByTestId('animal-item').filter({ hasText: tag }).waitFor();
    await valueIs(page.getByTestId('tag-input'), '398 1234', 'the tag being typed');
    await valueIs(page.getByTestId('vacc-disease'), 'PPR', 'the disease');
    await valueIs(page.getByTestId('vacc-vaccine'), 'PPR-LIVE', 'the vaccine');
    await valueIs(page.getByTestId('vacc-batch'), 'LOT-DRAFT-1', 'the batch');
    await valueIs(page.getByTestId('vacc-dose'), '1.5', 'the dose');

    // Saved: the draft keeps the owner and animals for the next disease, no vaccination.
    await page.getByTestId('vacc-save').click();
    await page.getByTestId('vacc-saved').waitFor();
    await eventually(() => storedDraft(page), (d) => d && d.disease === '' && d.product.vaccine === '' && d.product.batch === '', 'the draft after Save');
    await page.reload();
    await page.getByTestId('owner-chosen-name').filter({ hasText: 'Reload Test Owner' }).waitFor();
    await page.getByTestId('animal-item').nth(1).waitFor();
    await valueIs(page.getByTestId('vacc-disease'), '', 'the disease after Save and reload');
    await valueIs(page.getByTestId('vacc-batch'), '', 'the batch after Save and reload');
    await eventually(() => lookup(ownerPhone), (r) => r.status === 200 && r.body.vaccinations.length === 1, 'the record on the server, once');

    // Discard: the visit is gone, also after a reload.
    await page.getByTestId('draft-discard').click();
    await page.getByTestId('owner-phone').waitFor();
    await eventually(() => storedDraft(page), (d) => d === null, 'no draft after Discard');
    await page.reload();
    await page.locator('[data-testid="tag-species"] option[value="sheep"]').waitFor({ state: 'attached' });
    await valueIs(page.getByTestId('owner-phone'), '', 'the owner phone after Discard and reload');
    await expectCount(page.getByTestId('draft-restored'), 0, 'no draft notice after Discard');
    await expectCount(page.getByTestId('animal-item'), 0, 'no animals after Discard');
  } finally {
    await context.close();
  }
});

test('a server that does not answer: a message and a retry, and the phone check shows what the phone knows', { timeout: 240_000 }, async () => {
  // No service worker, so that page.route sees every request; a route never fulfilled stands for a
  // stalled link.
  const context = await phone(browser, { serviceWorkers: 'block' });
  const page = await context.newPage();
  const stall = () => {};
  try {
    await signIn(page, server.url, 'inspector');
    await page.waitForFunction(() => document.body.dataset.screen === 'inspector');
    const demoPhone = server.demoValue('demo owner phone');
    assert.ok(demoPhone, 'the demo names an owner');

    // A number this phone never checked: the check ends with a message and a retry.
    await page.route('**/api/v1/lookup?**', stall);
    await page.getByTestId('phone-input').fill(demoPhone);
    await page.getByTestId('phone-submit').click();
    await page.getByTestId('lookup-timeout').filter({ hasText: 'did not answer in time' }).waitFor({ timeout: 40_000 });
    await page.locator('[data-testid="phone-submit"]:not([disabled])').waitFor();

    // The link is back: Try again answers.
    await page.unroute('**/api/v1/lookup?**', stall);
    await page.getByTestId('lookup-retry').click();
    const ownerName = page.getByTestId('owner-name');
    await page.getByTestId('lookup-result').waitFor();
    const name = (await ownerName.first().innerText()).trim();
    assert.ok(name.length > 0);

    // Stalled again: what the phone knows from that answer, said as such.
    await page.route('**/api/v1/lookup?**', stall);
    await page.getByTestId('phone-submit').click();
    await page.locator('[data-testid="lookup-local"][data-cached="true"]').filter({ hasText: 'did not answer in time' }).waitFor({ timeout: 40_000 });
    await page.getByTestId('lookup-local-age').waitFor();
    await page.getByTestId('owner-name').filter({ hasText: name }).waitFor();
    await page.getByTestId('rule-disease').first().waitFor();
    assert.deepEqual(await untranslated(page), []);
    await page.unroute('**/api/v1/lookup?**', stall);
  } finally {
    await context.close();
  }

  // The vaccinator's owner search over a stalled link ends too, and lets the owner be entered.
  const v = await phone(browser, { serviceWorkers: 'block' });
  const vp = await v.newPage();
  try {
    await signIn(vp, server.url, 'vaccinator');
    await vp.waitForFunction(() => document.body.dataset.screen === 'vaccinator');
    await vp.route('**/api/v1/owners?**', stall);
    await vp.getByTestId('owner-phone').fill(await freshPhone());
    await vp.getByTestId('owner-find').click();
    await vp.locator('[data-testid="owner-new-why"][data-why="timeout"]').waitFor({ timeout: 40_000 });
    await vp.locator('[data-testid="owner-find"]:not([disabled])').waitFor();
    await vp.getByTestId('owner-name-input').waitFor();
  } finally {
    await v.close();
  }
});
