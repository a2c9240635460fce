// Outbreaks (W14, issue 13 items 1 and 2) end to end on the real server: a vaccinator reports a
// suspected outbreak with no network (saved on the phone, its position given by the phone only when
// asked), and the report reaches the server once when the network is back; a vet with the outbreak
// screen open sees a new report appear without reloading and confirms it; and the offline verifier
// warns that a certificate's origin is now in a zone once the lists were refreshed (zones travel
// with the revocation list), with the network off. Each test makes what it needs through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import {
  startServer,
  launch,
  phone,
  signIn,
  shot,
  apiLogin,
  apiGet,
  apiPost as harnessPost,
  coveredSheep,
  slaughterCertificate,
  eventually,
  eventuallyValue,
  expectAllTranslated,
  expectAttr,
  expectCount,
  expectEval,
  expectValue,
  idbGet,
  serverToday,
} from './harness.mjs';

let server;
let browser;
let vetToken;
let vaccinatorToken;
let today;

const apiPost = (token, path, body) => harnessPost(server.url, token, path, body);

before(async () => {
  server = await startServer({ owners: 10 });
  browser = await launch();
  vetToken = await apiLogin(server.url, 'vet');
  vaccinatorToken = await apiLogin(server.url, 'vaccinator');
  today = await serverToday(server, vetToken);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function openOutbreaks(role, options = {}) {
  const context = await phone(browser, options);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`page error (${role}):`, e));
  await signIn(page, server.url, role);
  await page.getByTestId('nav-outbreaks').click();
  await page.waitForFunction(() => document.body.dataset.screen === 'outbreaks');
  return { context, page };
}

// A farm of the vet's authority at a random point far from the demo's (its zone holds FARM-OB-01's
// surroundings only), and `more` holdings north of it, `km` apart.
async function farms(n = 1, km = 2) {
  const at = { lat: 44 + randomInt(0, 1000) / 1000, lon: 77 + randomInt(0, 1000) / 1000 };
  const made = [];
  for (let i = 0; i < n; i++) {
    const r = await apiPost(vetToken, '/holdings', {
      code: `E2E-OB-${randomInt(0, 1e9)}`,
      kind: 'farm',
      name: `Outbreak farm ${i}`,
      lat: at.lat + (i * km) / 111,
      lon: at.lon,
      opened_on: today,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    made.push(r.body);
  }
  return made;
}

const reportsOf = async (holding) => {
  const r = await apiGet(server.url, vetToken, '/outbreaks?limit=1000');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.items.filter((o) => o.holding === holding);
};

test('a report made offline is kept on the phone and reaches the server once when the network is back', { timeout: 180_000 }, async () => {
  const [farm] = await farms();
  const position = { latitude: 44.123456, longitude: 77.654321 };
  const { context, page } = await openOutbreaks('vaccinator', { geolocation: position, permissions: ['geolocation'] });
  try {
    // The holdings and the catalogue are on the phone once the screen was open online.
    const holding = page.getByTestId('outbreak-holding');
    await expectCount(holding.locator(`option[value="${farm.id}"]`), 1);
    await expectCount(page.getByTestId('outbreak-disease').locator('option[value="SGP"]'), 1);
    await context.setOffline(true);
    await holding.selectOption(String(farm.id));
    await page.getByTestId('outbreak-disease').selectOption('SGP');
    await page.getByTestId('outbreak-species').selectOption('sheep');
    await page.getByTestId('outbreak-first-signs').fill(today);
    await page.getByTestId('outbreak-head-sick').fill('7');
    await page.getByTestId('outbreak-head-dead').fill('1');
    // No position until asked for: then the phone's.
    await expectValue(page.getByTestId('outbreak-lat'), '');
    await expectValue(page.getByTestId('outbreak-lon'), '');
    await page.getByTestId('outbreak-locate').click();
    await expectValue(page.getByTestId('outbreak-lat'), '44.123456');
    await expectValue(page.getByTestId('outbreak-lon'), '77.654321');
    await page.getByTestId('outbreak-note').fill('pox lesions, e2e');
    await page.getByTestId('outbreak-save').click();
    await expectAttr(page.getByTestId('outbreak-saved'), 'role', 'status');
    const item = page.getByTestId('outbreak-mine-item');
    await expectCount(item, 1);
    await expectAttr(item, 'data-state', 'pending');
    const id = await item.first().getAttribute('data-id', { timeout: 1000 });
    const kept = await eventuallyValue(() => idbGet(page, 'outbreaks', id), (r) => r?.state === 'pending', 'the report on the phone');
    assert.deepEqual(
      { ...kept.record, holding_name: undefined },
      { id, holding: farm.id, disease: 'SGP', species: 'sheep', first_signs_on: today, head_sick: 7, head_dead: 1, lat: 44.123456, lon: 77.654321, note: 'pox lesions, e2e', holding_name: undefined },
    );
    // The form starts empty for the next report: no position carried over.
    await expectValue(page.getByTestId('outbreak-lat'), '');
    assert.deepEqual(await reportsOf(farm.id), [], 'nothing reached the server while offline');

    await context.setOffline(false);
    await expectAttr(item, 'data-state', 'sent');
    const stored = await reportsOf(farm.id);
    assert.equal(stored.length, 1, JSON.stringify(stored));
    assert.equal(stored[0].id, id);
    assert.equal(stored[0].status, 'reported');
    assert.equal(stored[0].head_sick, 7);
    // A resend of the same id (a phone that lost the answer) is not a second report.
    const again = await apiPost(vaccinatorToken, '/outbreaks', { ...kept.record, holding_name: undefined });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.duplicate, true);
    assert.equal((await reportsOf(farm.id)).length, 1);
    await expectAllTranslated(page);
  } finally {
    await context.close();
  }
});

test('a vet sees a new report appear without reloading, and confirms it with a lab reference', { timeout: 180_000 }, async () => {
  const [farm] = await farms();
  const { context, page } = await openOutbreaks('vet');
  try {
    // The demo's outbreak at FARM-OB-01 is listed, confirmed.
    const items = page.getByTestId('outbreak-item');
    await expectCount(items.filter({ hasText: 'FARM-OB-01' }), 1);
    await expectAttr(items.filter({ hasText: 'FARM-OB-01' }), 'data-status', 'confirmed');
    await page.evaluate(() => (window.__sameDocument = true));
    const id = randomUUID();
    const sent = await apiPost(vaccinatorToken, '/outbreaks', {
      id,
      holding: farm.id,
      disease: 'SGP',
      species: 'sheep',
      first_signs_on: today,
      head_sick: 3,
      head_dead: 0,
      lat: 44.5,
      lon: 77.5,
      note: 'e2e: seen from the vet screen',
    });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    // It arrives by the screen's polling (every 10 s): waited for, not slept on.
    const item = page.locator(`[data-testid="outbreak-item"][data-id="${id}"]`);
    await eventually(async () => assert.equal(await item.count(), 1), { timeout: 40_000, interval: 250 });
    await expectAttr(item, 'data-new', 'true');
    await expectAttr(item, 'data-status', 'reported');
    await expectEval(page, () => window.__sameDocument === true, true, 'the page was not reloaded');
    await shot(page, 'outbreaks-vet-new');

    await item.getByTestId('outbreak-open').click();
    // Confirming without a lab reference is refused on the phone, and nothing is sent.
    await item.getByTestId('outbreak-confirm').click();
    await expectCount(item.getByTestId('outbreak-decide-error'), 1);
    assert.equal((await reportsOf(farm.id))[0].status, 'reported');
    await item.getByTestId('outbreak-lab').fill('NRL-E2E-7');
    await item.getByTestId('outbreak-confirm').click();
    await expectAttr(item, 'data-status', 'confirmed');
    await expectCount(item.getByTestId('outbreak-lab-shown'), 1);
    const [stored] = await reportsOf(farm.id);
    assert.equal(stored.status, 'confirmed');
    assert.equal(stored.lab_reference, 'NRL-E2E-7');
    await expectAllTranslated(page);
  } finally {
    await context.close();
  }
});

test('the offline verifier warns that a certificate comes from inside a zone once the lists were refreshed', { timeout: 240_000 }, async () => {
  // A farm with an outbreak, and a holding 2 km away the animals leave from (inside 3 km).
  const [farm, near] = await farms(2, 2);
  const owner = await coveredSheep(server.url, vetToken, { today, count: 1, name: 'Zone E2E', batch: 'E2E-ZONE' });
  const cert = await slaughterCertificate(server.url, vetToken, owner, { origin_holding: near.id });

  const context = await phone(browser);
  const page = await context.newPage();
  try {
    await page.goto(`${server.url}/verify`);
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await page.locator('[data-testid="lists"][data-refreshing="false"]').waitFor();

    // With the lists from before the zone, offline: valid, no warning.
    await context.setOffline(true);
    await page.getByTestId('verify-input').fill(cert.hp1);
    await page.getByTestId('verify-submit').click();
    await page.locator('[data-testid="verify-result"][data-status="valid"]').waitFor();
    await expectCount(page.getByTestId('verify-zone'), 0);

    // The outbreak is reported, confirmed, and a zone declared around it.
    const id = randomUUID();
    const report = await apiPost(vaccinatorToken, '/outbreaks', {
      id, holding: farm.id, disease: 'SGP', species: 'sheep', first_signs_on: today, head_sick: 2, head_dead: 0, lat: farm.lat, lon: farm.lon,
    });
    assert.equal(report.status, 201, JSON.stringify(report.body));
    const confirmed = await apiPost(vetToken, `/outbreaks/${id}/confirm`, { lab_reference: 'NRL-E2E-ZONE' });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    const endsOn = new Date(Date.parse(`${today}T00:00:00Z`) + 21 * 86_400_000).toISOString().slice(0, 10);
    const zone = await apiPost(vetToken, '/zones', { outbreak_id: id, protection_km: 3, surveillance_km: 10, species: ['sheep', 'goat'], ends_on: endsOn });
    assert.equal(zone.status, 201, JSON.stringify(zone.body));

    // Still offline: the phone's lists know no zone.
    await page.getByTestId('verify-submit').click();
    await page.locator('[data-testid="verify-result"][data-status="valid"]').waitFor();
    await expectCount(page.getByTestId('verify-zone'), 0);

    // Online, the lists are refreshed; then offline again, the warning comes from the phone alone.
    await context.setOffline(false);
    await page.locator('[data-testid="lists"][data-refreshing="false"]').waitFor();
    await page.getByTestId('lists-refresh').click();
    await eventuallyValue(
      () => idbGet(page, 'kv', 'revocations'),
      (r) => (r?.list?.zones ?? []).some((z) => z.id === zone.body.id),
      'the revocation list with the zone on the phone',
    );
    await context.setOffline(true);
    await page.reload();
    await page.getByTestId('lists-age').waitFor();
    await page.getByTestId('verify-input').fill(cert.hp1);
    await page.getByTestId('verify-submit').click();
    await page.locator('[data-testid="verify-result"][data-status="valid"]').waitFor();
    const warning = page.getByTestId('verify-zone');
    await expectAttr(warning, 'data-source', 'phone');
    await expectAttr(page.getByTestId('verify-zone-item'), 'data-zone', String(zone.body.id));
    await shot(page, 'verify-zone-offline');
    await expectAllTranslated(page);
  } finally {
    await context.close();
  }
});
