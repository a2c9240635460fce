// The inspector's phone check on a 390 px phone (issue 11 item 8): for an owner with 12 sheep, what
// matters for slaughter comes first (per disease the slaughter rule asks for, how many head are
// covered; which animals fail), the certificate check is reached without scrolling past every
// animal, the per-animal details open on demand (from the keyboard too), and a disease no rule asks
// for is never shown as a failure; offline, the rules come from the catalogue kept on the phone.
// One server for the file; each test makes its own owner through the API, so any one runs alone or
// in any order. Every check of the page after an action waits.
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
  apiGet,
  eventually,
  expectAllTranslated,
  expectAttr,
  expectCount,
  expectEval,
  freshPhone,
  freshTag,
  serverToday,
} from './harness.mjs';

let server;
let browser;

// The phone's screen height (harness.phone()).
const SCREEN = 844;
// The page before any detail is opened is at most this many screens (it was about 21).
const MAX_SCREENS = 3;

before(async () => {
  server = await startServer({ owners: 3 });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// An owner with 12 sheep: PPR for all, FMD (O and A) for the first 10, nothing else (sheep pox,
// anthrax, brucellosis, FMD Asia1: asked by no slaughter rule). Returns { phone, name, tags }.
async function ownerWithTwelveSheep() {
  const vet = await apiLogin(server.url, 'vet');
  const ownerPhone = await freshPhone(server.url, vet);
  const today = await serverToday(server, vet);
  const tags = Array.from({ length: 12 }, () => freshTag());
  const name = `Inspector Summary ${randomUUID().slice(0, 6)}`;
  const record = (tagsOf, disease, vaccine) => ({
    id: randomUUID(),
    owner_phone: ownerPhone,
    owner_name: name,
    animal_tags: tagsOf,
    species: 'sheep',
    disease,
    vaccine,
    batch_no: `E2E-${disease}-${randomUUID().slice(0, 6)}`,
    dose_ml: 2,
    administered_on: today,
  });
  const token = await apiLogin(server.url, 'vaccinator');
  const res = await fetch(`${server.url}/api/v1/vaccinations/batch`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ records: [record(tags, 'PPR', 'PPR-LIVE'), record(tags.slice(0, 10), 'FMD-O', 'FMD-OA-INACT')] }),
  });
  const answer = await res.json();
  assert.equal(res.status, 200, JSON.stringify(answer));
  assert.equal(answer.created, 2, JSON.stringify(answer));
  // What the server says, so the test knows which diseases of sheep no rule asks for.
  const lookup = await apiGet(server.url, vet, `/lookup?phone=${encodeURIComponent(ownerPhone)}`);
  assert.equal(lookup.status, 200, JSON.stringify(lookup.body));
  assert.equal(lookup.body.animals.length, 12);
  return { phone: ownerPhone, name, tags, lookup: lookup.body };
}

async function checkOwner(lang, owner) {
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, server.url, 'inspector', { lang });
  await page.waitForFunction(() => document.body.dataset.screen === 'inspector');
  await page.getByTestId('phone-input').fill(owner.phone);
  await page.getByTestId('phone-submit').click();
  await page.getByTestId('owner-name').filter({ hasText: owner.name }).waitFor();
  return { context, page };
}

// The top of the first element `testid` names, in page pixels.
const ruleRow = (page, disease) => page.locator(`[data-testid="rule-disease"][data-disease="${disease}"]`);

// The slaughter summary of ownerWithTwelveSheep(): per disease the rule asks for, the head covered
// of 12; not ready; the two animals without FMD, by tag, and no other.
async function expectTwelveSheepSummary(page, owner) {
  for (const [d, covered] of [['FMD-O', '10'], ['FMD-A', '10'], ['PPR', '12']]) {
    await expectAttr(ruleRow(page, d), 'data-covered', covered, d);
    await expectAttr(ruleRow(page, d), 'data-head', '12', d);
  }
  await expectCount(page.getByTestId('rule-disease'), 3, 'the slaughter rule asks for FMD O, FMD A and PPR only');
  await expectAttr(page.getByTestId('slaughter-verdict'), 'data-ready', 'false');
  await expectEval(
    page,
    () => [...document.querySelectorAll('[data-testid="failing-animal"]')].map((e) => e.dataset.tag).sort(),
    owner.tags.slice(10).sort(),
    'the animals that fail',
  );
}

const topOf = (page, testid) =>
  page.getByTestId(testid).first().evaluate((el) => el.getBoundingClientRect().top + window.scrollY, undefined, { timeout: 1000 });

test('the phone check of 12 sheep: the slaughter summary and the certificate check first, details on demand', { timeout: 120_000 }, async () => {
  const owner = await ownerWithTwelveSheep();
  const { context, page } = await checkOwner('en', owner);
  try {
    // What the slaughter rule asks for, each with the head covered.
    await expectTwelveSheepSummary(page, owner);

    // The summary, then the certificate check, then the animals; the page is a few screens long.
    await eventually(async () => {
      const summary = await topOf(page, 'slaughter-summary');
      const cert = await topOf(page, 'cert-card');
      const animals = await topOf(page, 'animals-details');
      assert.ok(summary < cert, `summary at ${summary}, certificate check at ${cert}`);
      assert.ok(cert < animals, `certificate check at ${cert}, animals at ${animals}`);
    });
    await eventually(async () => {
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      assert.ok(height <= MAX_SCREENS * SCREEN, `page ${height} px, more than ${MAX_SCREENS} screens of ${SCREEN} px`);
    });
    // The per-animal rows are there but folded away.
    await expectEval(page, () => [...document.querySelectorAll('[data-testid="animal"]')].filter((e) => e.checkVisibility()).length, 0);

    // Opened from the keyboard: every animal, each disease of its lookup.
    await page.getByTestId('animals-toggle').focus();
    await page.keyboard.press('Enter');
    await expectEval(page, () => [...document.querySelectorAll('[data-testid="animal"]')].filter((e) => e.checkVisibility()).length, 12);

    // A disease of sheep no slaughter rule asks for, never vaccinated: said, but not as a failure.
    const notAsked = owner.lookup.coverage.filter((c) => !['FMD-O', 'FMD-A', 'PPR'].includes(c.disease)).map((c) => c.disease);
    assert.ok(notAsked.includes('SGP'), `the lookup lists sheep pox: ${notAsked}`);
    for (const d of notAsked) {
      const rows = page.locator(`[data-testid="animal-disease-status"][data-disease="${d}"]`);
      await expectCount(rows, 12, d);
      await expectEval(
        page,
        (disease) =>
          [...document.querySelectorAll(`[data-testid="animal-disease-status"][data-disease="${disease}"]`)].map((e) => [
            e.dataset.asked,
            e.dataset.state,
            // The failure's red (styles.css --red, --red-bg).
            [getComputedStyle(e).color, getComputedStyle(e).backgroundColor].some((c) => c === 'rgb(163, 22, 27)' || c === 'rgb(253, 229, 229)'),
          ]),
        Array.from({ length: 12 }, () => ['false', 'never', false]),
        `${d}: asked by no rule, never vaccinated, not in the failure's red`,
        d,
      );
    }
    // An FMD row of a failing animal is the failure it is.
    const failed = page.locator(`[data-testid="animal"][data-tag="${owner.tags[11]}"] [data-testid="animal-disease-status"][data-disease="FMD-O"]`);
    await expectAttr(failed, 'data-asked', 'true');
    await expectAttr(failed, 'data-state', 'never');
  } finally {
    await context.close();
  }
});

// The rules come from the server's catalogue, which the phone keeps (IndexedDB, as the vaccinator
// keeps it): with no network, a reload and the lookup the phone kept, the summary is still there.
test('offline, the phone check still says what the slaughter rules ask for, from the catalogue kept on the phone', { timeout: 120_000 }, async () => {
  const owner = await ownerWithTwelveSheep();
  const { context, page } = await checkOwner('en', owner);
  try {
    // Online: the summary (so the catalogue is kept and the lookup remembered), and the service
    // worker in control for the offline reload.
    await expectAttr(ruleRow(page, 'PPR'), 'data-covered', '12');
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await page.waitForFunction(() => !!navigator.serviceWorker.controller);
    await page.waitForFunction(() => document.body.dataset.screen === 'inspector');

    await context.setOffline(true);
    await page.getByTestId('net-state').filter({ hasText: 'Offline' }).waitFor();
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.screen === 'inspector');
    await page.getByTestId('phone-input').fill(owner.phone);
    await page.getByTestId('phone-submit').click();
    await expectAttr(page.getByTestId('lookup-local'), 'data-cached', 'true', 'the lookup this phone kept');
    await expectTwelveSheepSummary(page, owner);
    await expectCount(page.getByTestId('rules-unknown'), 0, 'the rules are known');
  } finally {
    await context.close();
  }
});

test('the phone check summary is in the user language (ug, kk, ru), with screenshots', { timeout: 180_000 }, async () => {
  const owner = await ownerWithTwelveSheep();
  for (const lang of ['ug', 'kk', 'ru']) {
    const { context, page } = await checkOwner(lang, owner);
    try {
      await expectAttr(page.locator('[data-testid="rule-disease"][data-disease="PPR"]'), 'data-covered', '12', lang);
      await expectCount(page.getByTestId('failing-animal'), 2, lang);
      await expectAllTranslated(page);
      await shot(page, `inspector-summary-${lang}`);
      await page.getByTestId('animals-toggle').click();
      await expectEval(page, () => [...document.querySelectorAll('[data-testid="animal"]')].filter((e) => e.checkVisibility()).length, 12, lang);
      await expectAllTranslated(page);
      await shot(page, `inspector-summary-${lang}-animals`);
    } finally {
      await context.close();
    }
  }
});
