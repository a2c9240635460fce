// Tag life (W12) on the vaccinator's phone, end to end: a death and a tag replacement recorded with
// no network wait on the phone (also across a reload), go to the server once when the network is
// back, and the server then has each event once, the dead animal ended and the old tag resolving to
// the animal with its new tag. An event the server refuses stays on the phone, shown refused in the
// user's language. One server for the file; each test makes its own owner and ear tags through the
// API, so any one runs alone. Every check of the page after an action waits for it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  startServer,
  launch,
  phone,
  signIn,
  shot,
  shotOf,
  apiLogin,
  apiGet,
  eventually,
  eventuallyValue,
  expectAllTranslated,
  expectAttr,
  expectCount,
  expectText,
  expectValue,
  freshPhone,
  freshTag,
  serverToday,
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

// A new owner with `n` ear-tagged sheep, vaccinated through the API as the demo vaccinator.
async function ownerWithSheep(n) {
  const vet = await apiLogin(server.url, 'vet');
  const today = await serverToday(server, vet);
  const phoneText = await freshPhone(server.url, vet);
  const tags = Array.from({ length: n }, freshTag);
  const token = await apiLogin(server.url, 'vaccinator');
  const res = await fetch(`${server.url}/api/v1/vaccinations/batch`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      records: [
        {
          id: randomUUID(),
          owner_phone: phoneText,
          owner_name: 'Tag Life E2E',
          animal_tags: tags,
          species: 'sheep',
          disease: 'PPR',
          vaccine: 'PPR-LIVE',
          batch_no: 'E2E-LIFE',
          dose_ml: 1,
          administered_on: today,
        },
      ],
    }),
  });
  const answer = await res.json();
  assert.equal(res.status, 200, JSON.stringify(answer));
  assert.equal(answer.created, 1, JSON.stringify(answer));
  return { phone: phoneText, tags, today };
}

async function animal(tag) {
  return apiGet(server.url, await apiLogin(server.url, 'vet'), `/animals/${tag}`);
}

// Opens the vaccinator's screen and waits until the service worker controls it (so that it reloads
// with no network).
async function openVaccinator(context, lang = 'en') {
  const page = await context.newPage();
  await signIn(page, server.url, 'vaccinator', { lang });
  await page.waitForFunction(() => document.body.dataset.screen === 'vaccinator');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => !!navigator.serviceWorker.controller);
  await page.getByTestId('life-form').waitFor();
  return page;
}

async function fillEvent(page, { tag, kind, date, reason, newTag }) {
  await page.getByTestId('life-tag').fill(tag);
  await page.getByTestId('life-kind').selectOption(kind);
  if (newTag !== undefined) await page.getByTestId('life-new-tag').fill(newTag);
  await page.getByTestId('life-date').fill(date);
  if (reason !== undefined) await page.getByTestId('life-reason').fill(reason);
}

const eventItems = (page, state) => page.locator(`[data-testid="event-item"]${state ? `[data-state="${state}"]` : ''}`);

test('a death and a tag replacement recorded offline sync once; the old tag then resolves to the animal', { timeout: 240_000 }, async () => {
  const owner = await ownerWithSheep(2);
  const [deadTag, oldTag] = owner.tags;
  const newTag = freshTag();
  const context = await phone(browser, { acceptDownloads: true });
  try {
    const page = await openVaccinator(context);
    await context.setOffline(true);
    await page.getByTestId('net-state').filter({ hasText: 'Offline' }).waitFor();

    // An empty form saves nothing and says which fields are missing.
    await page.getByTestId('life-save').click();
    await expectCount(page.getByTestId('life-error'), 3);
    await expectCount(eventItems(page), 0);

    // The death.
    await fillEvent(page, { tag: deadTag.replace(/^(\d{3})(\d{4})/, '$1 $2 '), kind: 'died', date: owner.today, reason: 'wolves' });
    await page.getByTestId('life-save').click();
    await expectAttr(page.getByTestId('life-saved'), 'data-kind', 'died');
    await expectCount(eventItems(page, 'pending'), 1);
    // The form is empty again: nothing of the death is left for the next event.
    await expectValue(page.getByTestId('life-tag'), '');
    await expectValue(page.getByTestId('life-kind'), '');
    await expectValue(page.getByTestId('life-date'), '');
    await expectValue(page.getByTestId('life-reason'), '');

    // The tag replacement; a malformed new tag is refused on the phone first.
    await fillEvent(page, { tag: oldTag, kind: 'tag_replaced', date: owner.today, newTag: '398 12' });
    await page.getByTestId('life-save').click();
    await expectAttr(page.getByTestId('life-error'), 'data-field', 'new_tag');
    await page.getByTestId('life-new-tag').fill(newTag);
    await page.getByTestId('life-save').click();
    await expectAttr(page.getByTestId('life-saved'), 'data-kind', 'tag_replaced');
    await expectCount(eventItems(page, 'pending'), 2);
    await page.getByTestId('pending-count').filter({ hasText: '2' }).waitFor();

    // Still offline, a reload keeps both.
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.screen === 'vaccinator');
    await expectCount(eventItems(page, 'pending'), 2);
    await expectAllTranslated(page);
    const ids = {};
    for (const kind of ['died', 'tag_replaced']) {
      ids[kind] = await page.locator(`[data-testid="event-item"][data-kind="${kind}"]`).getAttribute('data-id');
      assert.match(ids[kind], /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    // Exported while offline, the file has both events (a cleared browser would lose nothing).
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
    assert.deepEqual(exported.records, []);
    assert.deepEqual(
      exported.events.map((e) => [e.id, e.record.kind, e.record.tag]).sort(),
      [[ids.died, 'died', deadTag], [ids.tag_replaced, 'tag_replaced', oldTag]].sort(),
    );
    const before = await animal(deadTag);
    assert.equal(before.status, 200);
    assert.equal(before.body.status, 'alive', 'nothing reached the server while offline');

    // Online: both go, and nothing waits any more.
    await context.setOffline(false);
    await page.getByTestId('sync-now').click();
    await expectCount(eventItems(page), 0);
    await page.getByTestId('outbox-count').and(page.locator('[data-count="0"]')).waitFor();
    await page.getByTestId('pending-count').waitFor({ state: 'detached' });

    // The server has each event once, with the phone's id.
    const dead = await animal(deadTag);
    assert.equal(dead.status, 200, JSON.stringify(dead.body));
    assert.equal(dead.body.status, 'died');
    assert.equal(dead.body.ended_on, owner.today);
    assert.deepEqual(
      dead.body.events.map((e) => [e.id, e.kind, e.date, e.reason]),
      [[ids.died, 'died', owner.today, 'wolves']],
    );
    const byOld = await animal(oldTag);
    const byNew = await animal(newTag);
    assert.equal(byOld.status, 200, JSON.stringify(byOld.body));
    assert.equal(byNew.status, 200, JSON.stringify(byNew.body));
    assert.equal(byOld.body.id, byNew.body.id, 'the old and the new tag are the same animal');
    assert.equal(byOld.body.tag, newTag);
    assert.equal(byOld.body.status, 'alive');
    assert.deepEqual(byOld.body.former_tags, [oldTag]);
    assert.deepEqual(
      byOld.body.events.map((e) => [e.id, e.kind, e.old_tag, e.new_tag]),
      [[ids.tag_replaced, 'tag_replaced', oldTag, newTag]],
    );

    // A second sync sends nothing again.
    await page.getByTestId('sync-now').click();
    await page.getByTestId('sync-status').and(page.locator('[data-state="done"]')).waitFor();
    assert.equal((await animal(deadTag)).body.events.length, 1);
    assert.equal((await animal(newTag)).body.events.length, 1);
  } finally {
    await context.close();
  }
});

test('an animal picked from the visit; an event the server refuses stays on the phone with the reason in the user\'s language', { timeout: 180_000 }, async () => {
  const owner = await ownerWithSheep(2);
  const [tag, other] = owner.tags;
  // The animal died already (recorded by someone else).
  const token = await apiLogin(server.url, 'vet');
  const res = await fetch(`${server.url}/api/v1/animals/${tag}/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: randomUUID(), kind: 'died', date: owner.today }),
  });
  assert.equal(res.status, 201, await res.text());
  const context = await phone(browser, { locale: 'ru-RU' });
  try {
    const page = await openVaccinator(context, 'ru');
    // The owner and the sheep on the visit; the sheep is then picked for the event.
    await page.getByTestId('owner-phone').fill(owner.phone);
    await page.getByTestId('owner-find').click();
    await page.getByTestId('owner-chosen').waitFor();
    await page.locator('[data-testid="tag-species"] option[value="sheep"]').waitFor({ state: 'attached' });
    await page.getByTestId('tag-species').selectOption('sheep');
    await page.getByTestId('tag-input').fill(tag);
    await page.getByTestId('tag-add').click();
    await expectCount(page.getByTestId('animal-item'), 1);
    await page.getByTestId('life-pick').selectOption(tag);
    await expectValue(page.getByTestId('life-tag'), tag);
    await page.getByTestId('life-kind').selectOption('lost');
    await page.getByTestId('life-date').fill(owner.today);
    await page.getByTestId('life-save').click();
    await expectCount(eventItems(page, 'rejected'), 1);
    // The other sheep's new tag is the first one's: another animal wears it.
    await fillEvent(page, { tag: other, kind: 'tag_replaced', date: owner.today, newTag: tag });
    await page.getByTestId('life-save').click();

    // Refused: kept, with the translated reason by its code and field, never the server's English.
    await expectCount(eventItems(page, 'rejected'), 2);
    const ru = (ns) => JSON.parse(readFileSync(new URL(`../src/locales/ru/${ns}.json`, import.meta.url), 'utf8'));
    const reason = (key, field) => ru('vaccinator').outbox.reason.replace('{{reason}}', `${ru('common').error[key]} \u2066(${field})\u2069`);
    const lost = page.locator('[data-testid="event-item"][data-kind="lost"] [data-testid="event-error"]');
    const replaced = page.locator('[data-testid="event-item"][data-kind="tag_replaced"] [data-testid="event-error"]');
    await expectAttr(lost, 'data-code', 'failed-precondition');
    await expectText(lost, reason('life_ended', 'kind'));
    await expectAttr(replaced, 'data-code', 'already-exists');
    await expectText(replaced, reason('tag_taken', 'new_tag'));
    await expectAllTranslated(page);
    await shotOf(page.getByTestId('outbox'), 'tag-life-refused-ru');
    const dead = await animal(tag);
    assert.deepEqual(dead.body.events.map((e) => e.kind), ['died'], 'the refused event changed nothing');
    const alive = await animal(other);
    assert.equal(alive.body.tag, other, 'the refused replacement changed nothing');
    assert.deepEqual(alive.body.events, []);

    // Given up, it leaves the phone (asked twice).
    const discard = page.locator('[data-testid="event-item"][data-kind="lost"] [data-testid="event-discard"]');
    await discard.click();
    await discard.click();
    await expectCount(eventItems(page), 1);
    await expectCount(page.locator('[data-testid="event-item"][data-kind="tag_replaced"]'), 1);
  } finally {
    await context.close();
  }
});

// The form at 390 px in Uyghur (right to left), Kazakh and Russian, online and offline: every string
// translated, nothing wider than the screen, every control at least 48 px high. Screenshots in
// web/screenshots/tag-life-<lang>-<online|offline>.png.
test('the tag-life form fits a 390 px phone in ug, kk and ru, online and offline', { timeout: 240_000 }, async () => {
  for (const lang of ['ug', 'kk', 'ru']) {
    const context = await phone(browser);
    try {
      const page = await openVaccinator(context, lang);
      const form = page.getByTestId('life');
      const fits = async () => {
        await eventually(async () => {
          const wide = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(wide <= 390, `${lang}: the page is ${wide} px wide`);
          const small = await form.evaluate((el) =>
            [...el.querySelectorAll('input, select, button')]
              .map((c) => ({ id: c.getAttribute('data-testid'), h: c.getBoundingClientRect().height }))
              .filter((c) => c.h < 48),
          );
          assert.deepEqual(small, [], `${lang}: controls under 48 px`);
        });
        await expectAllTranslated(page);
      };
      await page.getByTestId('life-kind').selectOption('tag_replaced');
      await page.getByTestId('life-save').click();
      await expectCount(page.getByTestId('life-error'), 3);
      await fits();
      await shotOf(form, `tag-life-${lang}-online`);

      await context.setOffline(true);
      await page.locator('[data-testid="net-state"].net-off').waitFor();
      await fillEvent(page, { tag: freshTag(), kind: 'tag_replaced', date: await page.evaluate(() => new Date().toISOString().slice(0, 10)), newTag: freshTag(), reason: 'سىناق' });
      await page.getByTestId('life-save').click();
      await expectAttr(page.getByTestId('life-saved'), 'data-kind', 'tag_replaced');
      await expectCount(eventItems(page, 'pending'), 1);
      await fits();
      await shotOf(form, `tag-life-${lang}-offline`);
      await shotOf(page.getByTestId('outbox'), `tag-life-${lang}-offline-outbox`);
      await shot(page, `tag-life-${lang}-offline-page`);
    } finally {
      await context.close();
    }
  }
});

// A phone that ran the app before events existed has IndexedDB version 1 with a W1 record waiting:
// the app opens it as version 3 (adding the events and passages stores), the record is still there and goes to
// the server, and an event goes after it.
test('the upgrade to the events store keeps the W1 records waiting on the phone', { timeout: 180_000 }, async () => {
  const owner = await ownerWithSheep(1);
  const [tag] = owner.tags;
  const vet = await apiLogin(server.url, 'vet');
  const newPhone = await freshPhone(server.url, vet);
  const recordId = randomUUID();
  const record = {
    id: recordId,
    owner_phone: newPhone,
    owner_name: 'Before The Upgrade',
    animal_tags: [freshTag()],
    species: 'sheep',
    disease: 'PPR',
    vaccine: 'PPR-LIVE',
    batch_no: 'E2E-V1',
    dose_ml: 1,
    administered_on: owner.today,
  };
  const context = await phone(browser);
  try {
    const page = await context.newPage();
    await page.goto(`${server.url}/healthz`);
    // The database as version 1 of the app made it, with one record waiting.
    await page.evaluate(
      (rec) =>
        new Promise((ok, fail) => {
          const open = indexedDB.open('herdpass', 1);
          open.onupgradeneeded = () => {
            const d = open.result;
            d.createObjectStore('outbox', { keyPath: 'id' }).createIndex('state', 'state');
            d.createObjectStore('owners', { keyPath: 'phone' });
            d.createObjectStore('certs', { keyPath: 'id' });
            d.createObjectStore('kv');
          };
          open.onerror = () => fail(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('outbox', 'readwrite');
            tx.objectStore('outbox').put({ id: rec.id, state: 'pending', created_at: new Date().toISOString(), record: rec, attempts: 0 });
            tx.oncomplete = () => {
              open.result.close();
              ok();
            };
            tx.onerror = () => fail(tx.error);
          };
        }),
      record,
    );
    await signIn(page, server.url, 'vaccinator');
    await page.getByTestId('life-form').waitFor();
    assert.deepEqual(
      await page.evaluate(() => new Promise((ok) => {
        const open = indexedDB.open('herdpass');
        open.onsuccess = () => {
          const d = open.result;
          ok([d.version, [...d.objectStoreNames].sort()]);
          d.close();
        };
      })),
      [5, ['certs', 'events', 'fieldcopy', 'kv', 'outbox', 'outbreaks', 'owners', 'passages']],
    );
    // The record from before the upgrade goes to the server once signed in, and an event after it.
    const lookup = await eventuallyValue(
      () => apiGet(server.url, vet, `/lookup?phone=${encodeURIComponent(newPhone)}`),
      (r) => r.status === 200,
      'the owner of the record made before the upgrade',
    );
    assert.deepEqual(lookup.body.vaccinations.map((v) => v.id), [recordId]);
    await page.getByTestId('outbox-count').and(page.locator('[data-count="0"]')).waitFor();
    await fillEvent(page, { tag, kind: 'slaughtered', date: owner.today });
    await page.getByTestId('life-save').click();
    await expectAttr(page.getByTestId('life-saved'), 'data-kind', 'slaughtered');
    await page.getByTestId('sync-now').click();
    await expectCount(eventItems(page), 0);
    await eventuallyValue(() => animal(tag), (r) => r.body?.status === 'slaughtered', 'the slaughtered animal');
    const slaughtered = await animal(tag);
    assert.equal(slaughtered.body.status, 'slaughtered');
    assert.equal(slaughtered.body.events.length, 1);
  } finally {
    await context.close();
  }
});
