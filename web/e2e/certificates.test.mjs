// Certificates end to end (W2 to W6) on the real server: a vet issues a slaughter certificate in the
// app (QR code and HP1 text shown, the server holds it, the phone keeps it), is refused with the
// failing movement rule for an owner missing PPR (nothing issued), an inspector checks the owner
// by phone and the certificate by its text, consumes it once and is refused a second use, and a
// certificate the vet revokes in the app checks as revoked. The two owners are prepared once for
// the file and only read; a test that needs a certificate issued (or consumed) before it starts
// makes its own through the API, so any test runs alone or in any order. Every check of the page
// after an action waits for it.
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
  expectText,
  expectValue,
  serverToday,
  freshPhone as freshPhoneOn,
  freshTag,
} from './harness.mjs';

let server;
let browser;
let vetToken;
const freshPhone = () => freshPhoneOn(server.url, vetToken);
let auditorToken;
let today;

// The two owners prepared through the API: `good` meets the slaughter rule, `bad` lacks PPR.
const good = { name: 'Serik Abenov', village: 'Karaul' };
const bad = { name: 'Aigul Nurlanova', village: 'Kokpekty' };

async function apiPost(token, path, body) {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function vaccinate(owner, diseases) {
  const vaccine = { 'FMD-O': 'FMD-OA-INACT', 'FMD-A': 'FMD-OA-INACT', PPR: 'PPR-LIVE' };
  const records = diseases.map((disease) => ({
    id: randomUUID(),
    owner_phone: owner.phone,
    owner_name: owner.name,
    animal_tags: [owner.tag],
    species: 'sheep',
    disease,
    vaccine: vaccine[disease],
    batch_no: `E2E-${disease}-1`,
    dose_ml: 1.0,
    administered_on: today,
  }));
  const res = await apiPost(vetToken, '/vaccinations/batch', { records });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.created, diseases.length, JSON.stringify(res.body));
}

// A slaughter certificate for `good`'s sheep, issued through the API as the demo vet.
async function issueThroughApi() {
  const res = await apiPost(vetToken, '/certificates', {
    owner_phone: good.phone,
    animal_tags: [good.tag],
    species: 'sheep',
    purpose: 'slaughter',
    destination: 'KZ-ABY',
    destination_place: 'Abay meat plant',
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

// Consumes certificate `id` at `place` through the API as the demo inspector.
async function consumeThroughApi(id, place) {
  const res = await apiPost(await apiLogin(server.url, 'inspector'), `/certificates/${id}/consume`, { place });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.status, 'consumed');
}

async function issueCount() {
  const res = await apiGet(server.url, auditorToken, '/audit?action=certificate.issue&limit=1000');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.items.length;
}

async function newPage(role) {
  const context = await phone(browser);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`page error (${role}):`, e));
  await signIn(page, server.url, role);
  return { context, page };
}

function noRawKeys(page) {
  return expectAllTranslated(page);
}

before(async () => {
  server = await startServer({ owners: 20 });
  browser = await launch();
  vetToken = await apiLogin(server.url, 'vet');
  auditorToken = await apiLogin(server.url, 'auditor');
  // The server's calendar day (vaccination dates are local dates).
  today = await serverToday(server, vetToken);
  Object.assign(good, { phone: await freshPhone(), tag: freshTag() });
  Object.assign(bad, { phone: await freshPhone(), tag: freshTag() });
  await vaccinate(good, ['FMD-O', 'FMD-A', 'PPR']);
  await vaccinate(bad, ['FMD-O', 'FMD-A']);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the vet issues a slaughter certificate: QR code, HP1 text, stored on the server and on the phone', async () => {
  const { context, page } = await newPage('vet');
  try {
    await page.getByTestId('vet-phone-input').fill(good.phone);
    await page.getByTestId('vet-phone-submit').click();
    await page.getByTestId('vet-owner-name').filter({ hasText: good.name }).waitFor();
    const option = page.locator(`[data-testid="animal-option"][data-tag="${good.tag}"]`);
    await option.check();
    await page.getByTestId('purpose').selectOption('slaughter');
    await expectValue(page.getByTestId('destination'), 'KZ-ABY', "destination defaults to the vet's authority");
    await page.getByTestId('destination-place').fill('Abay meat plant');
    await page.getByTestId('transport').fill('truck 123 ABC 02');
    await shot(page, 'vet-issue');
    await noRawKeys(page);

    await page.getByTestId('issue-submit').click();
    const qr = page.getByTestId('cert-qr');
    await qr.waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector('[data-testid="cert-qr"]');
      return img && img.complete && img.naturalWidth > 0;
    });
    await eventually(async () => {
      const box = await qr.boundingBox();
      assert.ok(box.width >= 300, `the QR code fills the phone's width (${box.width}px)`);
    });
    const hp1 = await eventually(async () => {
      const text = await page.getByTestId('cert-hp1').inputValue({ timeout: 1000 });
      assert.match(text, /^HP1:[0-9A-Z $%*+\-./:]+$/);
      return text;
    });
    const number = (await expectText(page.getByTestId('cert-number'), /\S/)).trim();
    const id = await eventually(async () => {
      const value = await page.getByTestId('cert-shown').getAttribute('data-id', { timeout: 1000 });
      assert.ok(value, 'the certificate shown has an id');
      return value;
    });

    // The server holds exactly this certificate.
    const stored = await apiGet(server.url, vetToken, `/certificates/${id}`);
    assert.equal(stored.status, 200);
    assert.equal(stored.body.number, number);
    assert.equal(stored.body.hp1, hp1);
    assert.equal(stored.body.status, 'issued');
    assert.equal(stored.body.purpose, 'slaughter');
    assert.equal(stored.body.species, 'sheep');
    assert.deepEqual(stored.body.tags, [good.tag]);
    assert.equal(stored.body.destination, 'KZ-ABY');
    assert.equal(stored.body.destination_place, 'Abay meat plant');
    assert.deepEqual(stored.body.vaccinations.map((v) => v.disease).sort(), ['FMD-A', 'FMD-O', 'PPR']);

    // ... and so does the phone, with the QR code's SVG for showing it offline.
    const kept = await page.evaluate(
      (certId) =>
        new Promise((ok, fail) => {
          const open = indexedDB.open('herdpass');
          open.onerror = () => fail(open.error);
          open.onsuccess = () => {
            const get = open.result.transaction('certs').objectStore('certs').get(certId);
            get.onsuccess = () => ok(get.result ?? null);
            get.onerror = () => fail(get.error);
          };
        }),
      id,
    );
    assert.ok(kept, 'the certificate is kept in IndexedDB');
    assert.equal(kept.number, number);
    assert.equal(kept.hp1, hp1);
    assert.match(kept.qr_svg, /<svg/);
    await page.getByTestId('cert-saved').waitFor();
    await shot(page, 'vet-qr');

    // Print: the server's printable page, in the app's language, goes into a hidden frame.
    await page.getByTestId('cert-print').click();
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="print-frame"]')?.contentDocument?.body?.innerText.includes(n),
      number,
    );
    await eventually(async () =>
      assert.equal(await page.locator('[data-testid="print-frame"]').evaluate((f) => f.contentDocument.documentElement.lang), 'en'),
    );
    await noRawKeys(page);

    // Offline, the phone shows the kept QR code again.
    await context.setOffline(true);
    await page.getByTestId('cert-new').click();
    await page.getByTestId('cert-shown').waitFor({ state: 'detached' });
    await page.locator(`[data-testid="cert-item"][data-id="${id}"]`).getByTestId('cert-show').click();
    await page.getByTestId('cert-qr').waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector('[data-testid="cert-qr"]');
      return img && img.complete && img.naturalWidth > 0;
    });
    await expectValue(page.getByTestId('cert-hp1'), hp1);
    await context.setOffline(false);
  } finally {
    await context.close();
  }
});

test('an owner missing PPR: the vet sees the failing rule and nothing is issued', async () => {
  const before = await issueCount();
  const { context, page } = await newPage('vet');
  try {
    await page.getByTestId('vet-phone-input').fill(bad.phone);
    await page.getByTestId('vet-phone-submit').click();
    await page.getByTestId('vet-owner-name').filter({ hasText: bad.name }).waitFor();
    await page.locator(`[data-testid="animal-option"][data-tag="${bad.tag}"]`).check();
    await page.getByTestId('destination-place').fill('Abay meat plant');
    await page.getByTestId('issue-submit').click();
    const failures = page.getByTestId('rule-failure');
    await failures.first().waitFor();
    await expectCount(failures, 1, 'one rule fails for one animal: PPR');
    const failure = failures.first();
    await expectAttr(failure, 'data-disease', 'PPR');
    await expectAttr(failure, 'data-state', 'never');
    await expectAttr(failure, 'data-animal', bad.tag);
    await expectText(failure, /PPR/);
    await expectText(failure, /Never vaccinated/);
    await expectText(failure, new RegExp(bad.tag));
    await expectCount(page.getByTestId('cert-qr'), 0, 'no QR code is shown');
    await shot(page, 'vet-rule-failures');
    await noRawKeys(page);
  } finally {
    await context.close();
  }
  assert.equal(await issueCount(), before, 'the server issued nothing');
});

test('the phone check says when the server throttles and when there is no network', async () => {
  // No service worker here, so that page.route sees every request.
  const context = await phone(browser, { serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    await signIn(page, server.url, 'inspector');
    await page.route('**/api/v1/lookup?**', (route) =>
      route.fulfill({
        status: 429,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: 'https://herdpass.org/problems/resource-exhausted', title: 'Too many requests', status: 429 }),
      }),
    );
    await page.getByTestId('phone-input').fill(good.phone);
    await page.getByTestId('phone-submit').click();
    await expectText(page.getByTestId('lookup-throttled'), /Wait a minute/);
    await page.unroute('**/api/v1/lookup?**');
    await context.setOffline(true);
    await page.getByTestId('phone-submit').click();
    await expectText(page.getByTestId('lookup-offline'), /No network/);
    await expectCount(page.getByTestId('owner-name'), 0);
    await context.setOffline(false);
    await page.getByTestId('phone-submit').click();
    await page.getByTestId('owner-name').filter({ hasText: good.name }).waitFor();
    await noRawKeys(page);
  } finally {
    await context.close();
  }
});

test('the inspector checks the owner by phone, then checks, consumes and is refused a second use', async () => {
  const issued = await issueThroughApi();
  const inspectorToken = await apiLogin(server.url, 'inspector');
  const { context, page } = await newPage('inspector');
  try {
    // W2: an unknown number, then the owner.
    await page.getByTestId('phone-input').fill(await freshPhone());
    await page.getByTestId('phone-submit').click();
    await page.getByTestId('lookup-not-found').waitFor();

    await page.getByTestId('phone-input').fill(good.phone);
    await page.getByTestId('phone-submit').click();
    await page.getByTestId('owner-name').filter({ hasText: good.name }).waitFor();
    const lookup = await apiGet(server.url, inspectorToken, `/lookup?phone=${encodeURIComponent(good.phone)}&years=3`);
    assert.equal(lookup.status, 200);
    assert.ok(lookup.body.coverage.length >= 3);
    const words = { covered: /Covered until/, never: /Never vaccinated/ };
    // The status per disease is a detail, opened on demand.
    await page.getByTestId('owner-coverage-toggle').click();
    for (const c of lookup.body.coverage) {
      const el = page.locator(`[data-testid="disease-status"][data-disease="${c.disease}"]`);
      await expectAttr(el, 'data-state', c.status, c.disease);
      await expectText(el, words[c.status] ?? /\S/, c.disease);
    }
    for (const code of ['FMD-O', 'FMD-A', 'PPR']) {
      await expectAttr(page.locator(`[data-testid="disease-status"][data-disease="${code}"]`), 'data-state', 'covered', code);
    }
    await expectCount(page.getByTestId('vaccination'), 3);
    await shot(page, 'inspector-phone-check');
    await noRawKeys(page);

    // W4: the pasted text checks valid online.
    await page.getByTestId('cert-input').fill(issued.hp1);
    await page.getByTestId('cert-check').click();
    const result = page.getByTestId('cert-result');
    await page.locator('[data-testid="cert-result"][data-status="valid"]').waitFor();
    await expectText(result.getByTestId('cert-number'), issued.number);
    await expectText(result, /Valid/);
    await expectText(result.getByTestId('checked-how'), /server/);
    await shot(page, 'inspector-certificate');

    // W5: consumed once, at the place the inspector gives (the authority by default).
    await page.getByTestId('cert-consume').click();
    await expectValue(page.getByTestId('consume-place'), 'KZ-ABY');
    const place = 'Abay meat plant, gate 2';
    await page.getByTestId('consume-place').fill(place);
    await page.getByTestId('consume-confirm').click();
    await page.locator('[data-testid="cert-result"][data-status="consumed"]').waitFor();
    await page.getByTestId('consume-done').waitFor();
    const after = await apiGet(server.url, inspectorToken, `/certificates/${issued.id}`);
    assert.equal(after.body.status, 'consumed');
    assert.equal(after.body.consumed.place, place);
    await noRawKeys(page);

    // A second check says it was used; a second use is refused with the first place.
    await page.getByTestId('cert-check').click();
    await page.locator('[data-testid="cert-result"][data-status="consumed"]').waitFor();
    await page.getByTestId('cert-consume').click();
    await page.getByTestId('consume-place').fill('Another checkpoint');
    await page.getByTestId('consume-confirm').click();
    const conflict = page.getByTestId('consume-conflict');
    const conflictText = await expectText(conflict, /ALREADY USED/);
    assert.ok(conflictText.includes(place), `the first place is shown: ${conflictText}`);
    assert.ok(conflictText.includes('demo-inspector'), `the first inspector is shown: ${conflictText}`);
    const still = await apiGet(server.url, inspectorToken, `/certificates/${issued.id}`);
    assert.equal(still.body.consumed.place, place, 'the second use changed nothing');
    await shot(page, 'inspector-already-used');
    await noRawKeys(page);
  } finally {
    await context.close();
  }
});

test('the vet revokes a certificate in the app; the inspector then sees it revoked', async () => {
  const res = await apiPost(vetToken, '/certificates', {
    owner_phone: good.phone,
    animal_tags: [good.tag],
    species: 'sheep',
    purpose: 'sale',
    destination: 'KZ-ABY',
    destination_place: 'Ayagoz market',
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const second = res.body;

  const vet = await newPage('vet');
  try {
    const { page } = vet;
    const item = page.locator(`[data-testid="cert-item"][data-id="${second.id}"]`);
    // A server that lists certificates (GET /certificates) shows this one at once; else the vet
    // finds it by its number and the list says it holds this phone's certificates.
    // The server lists certificates (GET /certificates), newest first: this one is on the first page.
    const listed = await apiGet(server.url, vetToken, '/certificates?limit=30');
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.ok(listed.body.items.some((i) => i.id === second.id));
    await item.waitFor();
    await expectCount(page.getByTestId('list-source'), 0);
    await expectAttr(item.getByTestId('cert-item-status'), 'data-status', 'issued');
    await item.getByTestId('cert-revoke').click();
    await item.getByTestId('revoke-reason').fill('animals sold before the trip');
    await item.getByTestId('revoke-confirm').click();
    await item.locator('[data-testid="cert-item-status"][data-status="revoked"]').waitFor();
    await item.getByTestId('revoke-done').waitFor();
    await noRawKeys(page);
  } finally {
    await vet.context.close();
  }
  const stored = await apiGet(server.url, vetToken, `/certificates/${second.id}`);
  assert.equal(stored.body.status, 'revoked');
  assert.equal(stored.body.revoked.reason, 'animals sold before the trip');

  const inspector = await newPage('inspector');
  try {
    const { page } = inspector;
    await page.getByTestId('cert-input').fill(second.hp1);
    await page.getByTestId('cert-check').click();
    const result = page.locator('[data-testid="cert-result"][data-status="revoked"]');
    await result.waitFor();
    await expectCount(result.locator('[data-testid="cert-reason"][data-code="revoked"]'), 1);
    await expectText(result.getByTestId('cert-status'), /Revoked/);
    await expectCount(page.getByTestId('cert-consume'), 0, 'a revoked certificate cannot be consumed');
    await noRawKeys(page);

    // Offline, the lists this screen fetched when it opened (after the revocation) say the same.
    await page.waitForFunction(() =>
      new Promise((ok) => {
        const open = indexedDB.open('herdpass');
        open.onerror = () => ok(false);
        open.onsuccess = () => {
          const get = open.result.transaction('kv').objectStore('kv').get('lists_checked_at');
          get.onsuccess = () => ok(!!get.result);
          get.onerror = () => ok(false);
        };
      }),
    );
    await inspector.context.setOffline(true);
    await page.getByTestId('cert-check').click();
    await page.getByTestId('checked-how').filter({ hasText: 'OFFLINE' }).waitFor();
    await page.locator('[data-testid="cert-result"][data-status="revoked"]').waitFor();
    await expectText(page.getByTestId('lists-age'), /Trust list: issued .*Revocation list: issued/s);
    await expectText(page.getByTestId('cert-number'), second.number);
    await expectCount(page.locator('[data-testid="cert-reason"][data-code="revoked"]'), 1);
    await shot(page, 'inspector-offline-revoked');
    await noRawKeys(page);
  } finally {
    await inspector.context.close();
  }
});

test('Uyghur (right to left) and Chinese: the phone check and the rule failures, every string translated', async () => {
  const issued = await issueThroughApi();
  await consumeThroughApi(issued.id, 'Abay meat plant');
  const context = await phone(browser);
  try {
    const page = await context.newPage();
    await signIn(page, server.url, 'inspector', { lang: 'ug' });
    await expectEval(page, () => document.documentElement.dir, 'rtl');
    await page.getByTestId('phone-input').fill(bad.phone);
    await page.getByTestId('phone-submit').click();
    await page.getByTestId('owner-name').filter({ hasText: bad.name }).waitFor();
    await expectAttr(page.locator('[data-testid="disease-status"][data-disease="PPR"]'), 'data-state', 'never');
    await shot(page, 'inspector-phone-check-ug');
    await noRawKeys(page);
    await page.getByTestId('cert-input').fill(issued.hp1);
    await page.getByTestId('cert-check').click();
    await page.locator('[data-testid="cert-result"][data-status="consumed"]').waitFor();
    await shot(page, 'inspector-certificate-ug');
    await noRawKeys(page);
  } finally {
    await context.close();
  }
  const zh = await phone(browser, { locale: 'zh-CN' });
  try {
    const page = await zh.newPage();
    await signIn(page, server.url, 'vet', { lang: 'zh-Hans' });
    await page.getByTestId('vet-phone-input').fill(bad.phone);
    await page.getByTestId('vet-phone-submit').click();
    await page.locator(`[data-testid="animal-option"][data-tag="${bad.tag}"]`).check();
    await page.getByTestId('issue-submit').click();
    const failure = page.locator('[data-testid="rule-failure"][data-disease="PPR"]');
    await expectText(failure, /PPR/);
    await shot(page, 'vet-rule-failures-zh');
    await noRawKeys(page);
  } finally {
    await zh.close();
  }
});

test('an administrator finds a certificate on the vet screen but is offered no issuing', async () => {
  const issued = await issueThroughApi();
  await consumeThroughApi(issued.id, 'Abay meat plant');
  const { context, page } = await newPage('admin');
  try {
    await page.getByTestId('nav-vet').click();
    await page.getByTestId('issue-not-allowed').waitFor();
    await expectCount(page.getByTestId('vet-phone-input'), 0);
    await page.getByTestId('cert-find-input').fill(issued.number);
    await page.getByTestId('cert-find').click();
    const item = page.locator(`[data-testid="cert-item"][data-id="${issued.id}"]`);
    await item.locator('[data-testid="cert-item-status"][data-status="consumed"]').waitFor();
    await noRawKeys(page);
  } finally {
    await context.close();
  }
});
