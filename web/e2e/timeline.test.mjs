// An animal's timeline (W12) in the web app, end to end: reached from the phone check's animals
// (inspector) and from the vaccinator's animal's life card, shown newest first with every source
// the server has; an auditor, whose role reads no personal data, sees the owner masked; an unknown
// tag says so. Screenshots at 390 px in Uyghur (right to left), Kazakh and Russian. One server for
// the file; each test makes its own owner and ear tags through the API, so any one runs alone.
// Every check of the page after an action waits for it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  startServer,
  launch,
  phone,
  signIn,
  shot,
  apiLogin,
  eventually,
  expectAllTranslated,
  expectAttr,
  expectCount,
  expectText,
  freshPhone,
  freshTag,
  serverToday,
} from './harness.mjs';

let server;
let browser;

before(async () => {
  // Local time is UTC, so that the day of the registration (a time, shown on its local day) is the
  // UTC day the doses and events are dated on, whatever the hour the test runs.
  server = await startServer({ owners: 4, serveArgs: ['--utc-offset', '+00:00'] });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function post(token, path, body) {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await res.json();
  return { status: res.status, answer };
}

// A new owner with one ear-tagged sheep vaccinated against PPR today, its tag then replaced: the
// timeline has registered, vaccination and tag_replaced (newest first: tag_replaced first).
async function sheepWithNewTag() {
  const vet = await apiLogin(server.url, 'vet');
  const today = await serverToday(server, vet);
  const ownerPhone = await freshPhone(server.url, vet);
  const [oldTag, newTag] = [freshTag(), freshTag()];
  const token = await apiLogin(server.url, 'vaccinator');
  const batch = await post(token, '/vaccinations/batch', {
    records: [
      {
        id: randomUUID(),
        owner_phone: ownerPhone,
        owner_name: 'Aigul Timeline',
        animal_tags: [oldTag],
        species: 'sheep',
        disease: 'PPR',
        vaccine: 'PPR-LIVE',
        batch_no: 'E2E-TL',
        dose_ml: 1,
        administered_on: today,
      },
    ],
  });
  assert.equal(batch.status, 200, JSON.stringify(batch.answer));
  assert.equal(batch.answer.created, 1, JSON.stringify(batch.answer));
  const event = await post(token, `/animals/${oldTag}/events`, { id: randomUUID(), kind: 'tag_replaced', new_tag: newTag, date: today });
  assert.equal(event.status, 201, JSON.stringify(event.answer));
  return { phone: ownerPhone, oldTag, newTag };
}

const entries = (page) => page.getByTestId('timeline-entry');

async function expectSheepTimeline(page, { newTag }) {
  await page.waitForFunction(() => document.body.dataset.screen === 'timeline');
  await expectCount(entries(page), 3);
  // Newest first: the tag replaced, then the dose, then the registration.
  await expectAttr(entries(page).nth(0), 'data-kind', 'life_event');
  await expectAttr(entries(page).nth(0), 'data-event', 'tag_replaced');
  await expectAttr(entries(page).nth(1), 'data-kind', 'vaccination');
  await expectAttr(entries(page).nth(2), 'data-kind', 'registered');
  await expectText(page.getByTestId('timeline-animal'), new RegExp(newTag));
  await expectCount(page.getByTestId('timeline-former'), 1);
}

test('the inspector opens an animal’s timeline from the phone check, newest first, owner in full', { timeout: 180_000 }, async () => {
  const sheep = await sheepWithNewTag();
  const context = await phone(browser);
  try {
    const page = await context.newPage();
    await signIn(page, server.url, 'inspector');
    await page.waitForFunction(() => document.body.dataset.screen === 'inspector');
    await page.getByTestId('phone-input').fill(sheep.phone);
    await page.getByTestId('phone-submit').click();
    await page.getByTestId('owner-name').filter({ hasText: 'Aigul Timeline' }).waitFor();
    await page.getByTestId('animals-toggle').click();
    await page.locator(`[data-testid="animal"][data-tag="${sheep.newTag}"] [data-testid="animal-timeline"]`).click();
    await expectSheepTimeline(page, sheep);
    await expectAttr(page.getByTestId('timeline-owner'), 'data-masked', 'false');
    await expectText(page.getByTestId('timeline-owner'), /Aigul Timeline/);
    await expectCount(page.getByTestId('timeline-masked-note'), 0);
    await expectAllTranslated(page);
    // Back returns to the phone check.
    await page.goBack();
    await page.waitForFunction(() => document.body.dataset.screen === 'inspector');
  } finally {
    await context.close();
  }
});

test('the vaccinator opens the timeline from the animal’s life card by its old tag', { timeout: 180_000 }, async () => {
  const sheep = await sheepWithNewTag();
  const context = await phone(browser);
  try {
    const page = await context.newPage();
    await signIn(page, server.url, 'vaccinator');
    await page.getByTestId('life-form').waitFor();
    await expectCount(page.getByTestId('life-timeline'), 0);
    await page.getByTestId('life-tag').fill(sheep.oldTag);
    await page.getByTestId('life-timeline').click();
    await expectSheepTimeline(page, sheep);
    await expectAttr(page.getByTestId('timeline-owner'), 'data-masked', 'false');
  } finally {
    await context.close();
  }
});

test('an auditor sees the owner masked, and an unknown tag is said to be unknown', { timeout: 180_000 }, async () => {
  const sheep = await sheepWithNewTag();
  const context = await phone(browser);
  try {
    const page = await context.newPage();
    await signIn(page, server.url, 'auditor');
    await page.goto(`${server.url}/timeline?tag=${sheep.newTag}`);
    await expectSheepTimeline(page, sheep);
    await expectAttr(page.getByTestId('timeline-owner'), 'data-masked', 'true');
    await expectText(page.getByTestId('timeline-owner'), /A\*+ T\*+/);
    await expectCount(page.getByTestId('timeline-masked-note'), 1);
    await eventually(async () => assert.doesNotMatch(await page.locator('body').innerText(), /Aigul/));

    // Another tag typed on the screen: none such.
    await page.getByTestId('timeline-tag').fill(freshTag());
    await page.getByTestId('timeline-show').click();
    await page.getByTestId('timeline-missing').waitFor();
    await expectCount(entries(page), 0);
  } finally {
    await context.close();
  }
});

// A sheep sold at the farm (POST /transfers): its timeline has the change of owner, titled and
// named (issue 12 item 6), and the dose given before the sale, marked as under the earlier owner.
test('a sold sheep’s timeline shows its new owner and the dose under the earlier one', { timeout: 180_000 }, async () => {
  const sheep = await sheepWithNewTag();
  const vet = await apiLogin(server.url, 'vet');
  const today = await serverToday(server, vet);
  const buyer = await freshPhone(server.url, vet);
  const sale = await post(vet, '/transfers', {
    id: randomUUID(),
    seller_phone: sheep.phone,
    buyer_phone: buyer,
    buyer_name: 'Daulet Timeline',
    tags: [sheep.newTag],
    date: today,
  });
  assert.equal(sale.status, 201, JSON.stringify(sale.answer));
  for (const lang of ['en', 'ru']) {
    const context = await phone(browser);
    try {
      const page = await context.newPage();
      await signIn(page, server.url, 'inspector', { lang });
      await page.goto(`${server.url}/timeline?tag=${sheep.newTag}`);
      await page.waitForFunction(() => document.body.dataset.screen === 'timeline');
      const change = page.locator('[data-testid="timeline-entry"][data-kind="ownership_change"]');
      await expectCount(change, 1);
      await expectText(change, lang === 'en' ? /New owner/ : /Новый владелец/);
      await expectText(change, /Daulet Timeline/);
      const dose = page.locator('[data-testid="timeline-entry"][data-kind="vaccination"]');
      await expectText(dose, lang === 'en' ? /Given under an earlier owner/ : /Привито при прежнем владельце/);
      await expectAllTranslated(page);
    } finally {
      await context.close();
    }
  }
});

for (const lang of ['ug', 'kk', 'ru']) {
  test(`${lang}: the timeline is translated and fits 390 px`, { timeout: 180_000 }, async () => {
    const sheep = await sheepWithNewTag();
    const context = await phone(browser);
    try {
      const page = await context.newPage();
      await signIn(page, server.url, 'inspector', { lang });
      await page.goto(`${server.url}/timeline?tag=${sheep.newTag}`);
      await expectSheepTimeline(page, sheep);
      await expectAllTranslated(page);
      // Nothing wider than the phone: no sideways scrolling.
      await eventually(async () =>
        assert.ok(
          (await page.evaluate(() => document.documentElement.scrollWidth)) <= 390,
          'the page is wider than 390 px',
        ),
      );
      if (lang === 'ug') await eventually(async () => assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl'));
      await shot(page, `timeline-${lang}`);
    } finally {
      await context.close();
    }
  });
}
