// Movements (W13) end to end on the real server: the vet names the holdings the animals leave from
// and go to when issuing (the pickers offer the nearest first when the phone gives a position, the
// authority's holdings when it does not, and start empty for each certificate); the destination's
// inspector sees the certificate incoming with the head and ear tags expected, records the arrival
// with one tag missing and sees the mismatch, and a second inspector's arrival is refused (409) in
// words; the origin vet sees the mismatch listed. Each test makes its own owner, holdings and
// certificate through the API, so any one runs alone. Every check of the page after an action waits
// for it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import {
  startServer,
  launch,
  phone,
  signIn,
  shot,
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
  expectValue,
  serverToday,
  freshTag,
} from './harness.mjs';

let server;
let browser;
let vetToken;
let inspectorToken;
let today;

const apiPost = (token, path, body) => harnessPost(server.url, token, path, body);

// A new owner with two ear-tagged sheep covered for slaughter (FMD-O, FMD-A, PPR today).
const ownerWithSheep = () => coveredSheep(server.url, vetToken, { today, count: 2, name: 'Movement E2E', batch: 'E2E-MOVE' });

// Two holdings of the vet's authority far from the demo's (so that the nearest to `at` is `farm`):
// the owner's farm at `at` and a slaughterhouse about 5 km north.
async function holdings(owner) {
  const at = { latitude: 49 + randomInt(0, 1000) / 1000, longitude: 82 + randomInt(0, 1000) / 1000 };
  const code = () => `E2E-${randomInt(0, 1e9)}`;
  const farm = await apiPost(vetToken, '/holdings', {
    code: code(),
    kind: 'farm',
    name: 'Movement farm',
    owner_phone: owner.phone,
    lat: at.latitude,
    lon: at.longitude,
    opened_on: today,
  });
  assert.equal(farm.status, 201, JSON.stringify(farm.body));
  const plant = await apiPost(vetToken, '/holdings', {
    code: code(),
    kind: 'slaughterhouse',
    name: 'Movement plant',
    lat: at.latitude + 0.045,
    lon: at.longitude,
    opened_on: today,
  });
  assert.equal(plant.status, 201, JSON.stringify(plant.body));
  return { at, farm: farm.body, plant: plant.body };
}

// A slaughter certificate for both of the owner's sheep from the farm to the plant, through the API.
const issueThroughApi = (owner, h) =>
  slaughterCertificate(server.url, vetToken, owner, {
    destination_place: 'Movement plant',
    origin_holding: h.farm.id,
    destination_holding: h.plant.id,
  });

async function openAs(role, { lang = 'en', position = null } = {}) {
  const context = await phone(browser, position ? { geolocation: position, permissions: ['geolocation'] } : {});
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`page error (${role}):`, e));
  await signIn(page, server.url, role, { lang });
  return { context, page };
}

before(async () => {
  server = await startServer({ owners: 10 });
  browser = await launch();
  vetToken = await apiLogin(server.url, 'vet');
  inspectorToken = await apiLogin(server.url, 'inspector');
  today = await serverToday(server, vetToken);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// The value of the option of `select` whose text contains `text`.
const optionValue = (select, text) => select.locator('option', { hasText: text }).first().getAttribute('value', { timeout: 1000 });

test('the vet picks origin and destination holdings, nearest first, and a new certificate starts with none', { timeout: 180_000 }, async () => {
  const owner = await ownerWithSheep();
  const h = await holdings(owner);
  const { context, page } = await openAs('vet', { position: h.at });
  try {
    await page.getByTestId('vet-phone-input').fill(owner.phone);
    await page.getByTestId('vet-phone-submit').click();
    await page.getByTestId('issue-form').waitFor();
    // With the phone's position: the owner's farm (at the position) first, the plant second.
    await expectAttr(page.getByTestId('holdings-order'), 'data-near', 'true');
    const origin = page.getByTestId('origin-holding');
    const destination = page.getByTestId('destination-holding');
    await eventually(async () => {
      const values = await origin.locator('option').evaluateAll((o) => o.map((x) => x.value));
      assert.deepEqual(values.slice(0, 3), ['', String(h.farm.id), String(h.plant.id)], 'none, then nearest first');
    });
    await expectValue(origin, '', 'no holding picked by default');
    await expectValue(destination, '', 'no holding picked by default');
    await origin.selectOption(String(h.farm.id));
    await destination.selectOption(String(h.plant.id));
    for (const tag of owner.tags) await page.locator(`[data-testid="animal-option"][data-tag="${tag}"]`).check();
    await page.getByTestId('issue-submit').click();
    const id = await eventually(async () => {
      const value = await page.getByTestId('cert-shown').getAttribute('data-id', { timeout: 1000 });
      assert.ok(value);
      return value;
    });
    const stored = await apiGet(server.url, vetToken, `/certificates/${id}`);
    assert.equal(stored.status, 200, JSON.stringify(stored.body));
    assert.equal(stored.body.movement.origin_holding, h.farm.id);
    assert.equal(stored.body.movement.destination_holding, h.plant.id);
    assert.equal(stored.body.movement.status, 'planned');

    // The next certificate (the same owner again) starts with no holding picked, and one issued
    // without picking names none.
    await page.getByTestId('cert-new').click();
    await page.getByTestId('vet-phone-input').fill(owner.phone);
    await page.getByTestId('vet-phone-submit').click();
    await page.getByTestId('issue-form').waitFor();
    await expectValue(page.getByTestId('origin-holding'), '');
    await expectValue(page.getByTestId('destination-holding'), '');
  } finally {
    await context.close();
  }

  // No position from the phone: the authority's holdings, the new ones among them.
  const denied = await openAs('vet');
  try {
    await denied.page.getByTestId('vet-phone-input').fill(owner.phone);
    await denied.page.getByTestId('vet-phone-submit').click();
    await expectAttr(denied.page.getByTestId('holdings-order'), 'data-near', 'false');
    await eventually(async () => assert.equal(await optionValue(denied.page.getByTestId('origin-holding'), h.farm.code), String(h.farm.id)));
  } finally {
    await denied.context.close();
  }
});

test('the destination inspector sees it incoming, arrives with a tag missing and sees the mismatch; a second arrival is refused', { timeout: 180_000 }, async () => {
  const owner = await ownerWithSheep();
  const h = await holdings(owner);
  const cert = await issueThroughApi(owner, h);
  const first = await openAs('inspector', { position: h.at });
  const second = await openAs('inspector');
  try {
    const item = (page) => page.locator(`[data-testid="incoming-item"][data-id="${cert.id}"]`);
    // Incoming, with the ear tags expected.
    const tagsText = await expectText(item(first.page).getByTestId('incoming-tags'), new RegExp(owner.tags[0]));
    assert.match(tagsText, new RegExp(owner.tags[1]));
    await expectText(item(first.page).getByTestId('movement-number'), cert.number);
    await item(second.page).waitFor();
    await item(second.page).getByTestId('arrival-open').click();
    await item(second.page).getByTestId('arrival-form').waitFor();

    await item(first.page).getByTestId('arrival-open').click();
    const form = item(first.page).getByTestId('arrival-form');
    await form.waitFor();
    await expectValue(form.getByTestId('arrival-holding'), '', 'no holding picked by default');
    await eventually(async () => assert.equal(await optionValue(form.getByTestId('arrival-holding'), h.plant.code), String(h.plant.id)));
    await form.getByTestId('arrival-holding').selectOption(String(h.plant.id));
    await form.getByTestId('arrival-head-count').fill('1');
    await form.getByTestId('arrival-tags').fill(owner.tags[0]);
    await form.getByTestId('arrival-submit').click();

    const result = item(first.page).getByTestId('arrival-result');
    await expectAttr(result, 'data-mismatch', 'true').catch(async (e) => {
      throw new Error(`${e.message}\nthe item says: ${await item(first.page).innerText()}`);
    });
    await expectText(result.getByTestId('missing-tags'), owner.tags[1]);
    await expectAttr(result.getByTestId('arrival-head'), 'data-diff', '-1');
    await expectCount(result.getByTestId('extra-tags'), 0);
    const stored = await apiGet(server.url, inspectorToken, `/certificates/${cert.id}`);
    assert.equal(stored.body.movement.status, 'mismatch');
    assert.equal(stored.body.movement.arrival.holding, h.plant.id);
    assert.equal(stored.body.movement.arrival.head_count, 1);
    assert.deepEqual(stored.body.movement.arrival.missing_tags, [owner.tags[1]]);
    await expectAllTranslated(first.page);

    // The second inspector, whose list was loaded before, is told it has arrived already.
    const late = item(second.page).getByTestId('arrival-form');
    await late.getByTestId('arrival-head-count').fill('2');
    // Neither a holding nor a place: said, and nothing sent.
    await late.getByTestId('arrival-submit').click();
    await expectText(item(second.page).getByTestId('arrival-error'), 'Pick the holding or type the place.');
    await late.getByTestId('arrival-place').fill('Gate 2');
    await late.getByTestId('arrival-submit').click();
    await expectText(item(second.page).getByTestId('arrival-conflict'), /Already arrived/);
    await expectCount(item(second.page).getByTestId('arrival-result'), 0);
    const after = await apiGet(server.url, inspectorToken, `/certificates/${cert.id}`);
    assert.equal(after.body.movement.arrival.head_count, 1, 'the first arrival stands');

    // Gone from the incoming list once it has arrived.
    await first.page.reload();
    await expectAttr(first.page.getByTestId('incoming'), 'data-state', 'loaded');
    await expectCount(item(first.page), 0);
    const listed = await apiGet(server.url, inspectorToken, '/movements/incoming?limit=1000');
    assert.equal(listed.body.items.filter((i) => i.id === cert.id).length, 0);
  } finally {
    await first.context.close();
    await second.context.close();
  }
});

test('the origin vet sees the arrival with a tag missing in the mismatches', { timeout: 120_000 }, async () => {
  const owner = await ownerWithSheep();
  const h = await holdings(owner);
  const cert = await issueThroughApi(owner, h);
  const arrived = await apiPost(inspectorToken, `/certificates/${cert.id}/consume`, {
    place: 'Movement plant',
    holding: h.plant.id,
    head_count: 1,
    tags: [owner.tags[0]],
  });
  assert.equal(arrived.status, 200, JSON.stringify(arrived.body));
  assert.equal(arrived.body.movement.status, 'mismatch');
  const { context, page } = await openAs('vet');
  try {
    const item = page.locator(`[data-testid="mismatch-item"][data-id="${cert.id}"]`);
    await expectText(item.getByTestId('movement-number'), cert.number);
    await expectAttr(item.getByTestId('mismatch-result'), 'data-mismatch', 'true');
    await expectText(item.getByTestId('missing-tags'), owner.tags[1]);
    await expectAttr(item.getByTestId('arrival-head'), 'data-diff', '-1');
    await expectAllTranslated(page);
  } finally {
    await context.close();
  }
});

// The new parts at a phone's width in Uyghur (right to left), Kazakh and Russian, for a person to
// read: the vet's pickers and mismatches, the inspector's incoming list with the arrival form open
// and a mismatch recorded. Each language: no untranslated string.
test('the movement screens in ug, kk and ru', { timeout: 240_000 }, async () => {
  const owner = await ownerWithSheep();
  const h = await holdings(owner);
  const mismatch = await issueThroughApi(owner, h);
  // A certificate per language, of animals not yet slaughtered (an arrival at the plant slaughters).
  const others = { ug: await ownerWithSheep(), kk: await ownerWithSheep(), ru: await ownerWithSheep() };
  const res = await apiPost(inspectorToken, `/certificates/${mismatch.id}/consume`, { place: 'P', holding: h.plant.id, head_count: 1, tags: [owner.tags[0], freshTag()] });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  for (const lang of ['ug', 'kk', 'ru']) {
    const incoming = await issueThroughApi(others[lang], { ...h, farm: (await holdings(others[lang])).farm });
    const vet = await openAs('vet', { lang, position: h.at });
    try {
      await vet.page.getByTestId('vet-phone-input').fill(owner.phone);
      await vet.page.getByTestId('vet-phone-submit').click();
      await expectAttr(vet.page.getByTestId('holdings-order'), 'data-near', 'true');
      await vet.page.locator(`[data-testid="mismatch-item"][data-id="${mismatch.id}"]`).waitFor();
      await expectAllTranslated(vet.page);
      await shotOf(vet.page.getByTestId('holdings-picks'), `movements-vet-holdings-${lang}`);
      await shotOf(vet.page.locator(`[data-testid="mismatch-item"][data-id="${mismatch.id}"]`), `movements-vet-mismatch-${lang}`);
    } finally {
      await vet.context.close();
    }
    const insp = await openAs('inspector', { lang, position: h.at });
    try {
      const item = insp.page.locator(`[data-testid="incoming-item"][data-id="${incoming.id}"]`);
      await item.getByTestId('arrival-open').click();
      await item.getByTestId('arrival-form').waitFor();
      await expectAttr(item.getByTestId('holdings-order'), 'data-near', 'true');
      await expectAllTranslated(insp.page);
      await shotOf(item, `movements-incoming-form-${lang}`);
      await item.getByTestId('arrival-holding').selectOption(String(h.plant.id));
      await item.getByTestId('arrival-head-count').fill('1');
      await item.getByTestId('arrival-tags').fill(`${others[lang].tags[0]}\n${freshTag()}`);
      await item.getByTestId('arrival-submit').click();
      await expectAttr(item.getByTestId('arrival-result'), 'data-mismatch', 'true');
      await expectAllTranslated(insp.page);
      await shotOf(item, `movements-incoming-result-${lang}`);
      await shot(insp.page, `movements-inspector-${lang}`);
    } finally {
      await insp.context.close();
    }
  }
});
