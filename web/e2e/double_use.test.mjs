// Arrivals offline and double uses (issue 14 item 5), end to end: a consume made with no network
// waits in the phone's outbox with the id the phone made, reaches the server once when the network
// is back (the server has one use under that id, and a reload sends nothing again); a second
// inspector's offline consume of a certificate another inspector used meanwhile comes back as a
// double use naming the first use, and both inspectors and the origin vet see it listed. The screens
// at 390 px in Uyghur, Kazakh and Russian. Plain HTTP: the test's own API calls (node's fetch) have
// no way to the HTTPS server's host name; web_e2e_https covers the app over TLS.
// One server for the file; each test issues its own certificate, so any one runs alone. Every check
// of the page after an action waits for it.
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
  apiPost as harnessPost,
  coveredSheep,
  slaughterCertificate,
  eventuallyValue,
  expectAllTranslated,
  expectCount,
  serverToday,
} from './harness.mjs';

const SECOND = { role: 'inspector', username: 'e2e-inspector-2', password: 'e2e-inspector-2-pass', authority: 'KZ-ABY' };

let server;
let browser;
let vetToken;
let inspectorToken;
let today;
let destination;

const apiPost = (token, path, body) => harnessPost(server.url, token, path, body);

before(async () => {
  server = await startServer({ users: [SECOND] });
  browser = await launch();
  vetToken = await apiLogin(server.url, 'vet');
  inspectorToken = await apiLogin(server.url, 'inspector');
  today = await serverToday(server, vetToken);
  // Bound for the demo inspector's own jurisdiction, where both inspectors consume.
  const me = await apiGet(server.url, inspectorToken, '/auth/me');
  assert.equal(me.status, 200, JSON.stringify(me.body));
  destination = me.body.authority ?? me.body.user?.authority;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// A slaughter certificate for a new owner's sheep, covered as the rules ask, issued as the demo vet.
async function certificate() {
  const owner = await coveredSheep(server.url, vetToken, { today, name: 'Double use E2E', batch: 'E2E-DU' });
  return slaughterCertificate(server.url, vetToken, owner, { destination });
}

async function certificateStatus(id) {
  const res = await apiGet(server.url, vetToken, `/certificates/${id}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

// The item of GET /double-uses for certificate `id` as `token` sees it, or null.
async function doubleUseOf(token, id) {
  const res = await apiGet(server.url, token, '/double-uses?limit=1000');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.items.find((i) => i.id === id) ?? null;
}

const scans = (page, state) => page.locator(`[data-testid="arrival-scan"]${state ? `[data-state="${state}"]` : ''}`);

// Signs in as `role`, checks the certificate online (the answer shows), and opens the consume form.
async function checkCertificate(context, role, cert, lang = 'en') {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await signIn(page, server.url, role, { lang });
  await page.getByTestId('cert-input').fill(cert.hp1);
  await page.getByTestId('cert-check').click();
  await page.getByTestId('cert-result').waitFor();
  // The list is read (it stays hidden while it has nothing to show).
  await page.getByTestId('double-uses').and(page.locator('[data-state="loaded"]')).waitFor({ state: 'attached' });
  return page;
}

// Goes offline, consumes the certificate checked at `place`, and waits for it to be queued.
async function consumeOffline(page, context, place) {
  await context.setOffline(true);
  await page.locator('[data-testid="net-state"].net-off').waitFor();
  await page.getByTestId('cert-consume').click();
  await page.getByTestId('consume-place').fill(place);
  await page.getByTestId('consume-confirm').click();
  await page.getByTestId('consume-queued').waitFor();
  await expectCount(scans(page, 'pending'), 1);
}

test('an arrival consumed offline waits on the phone and reaches the server once', { timeout: 240_000 }, async () => {
  const cert = await certificate();
  const context = await phone(browser);
  try {
    const page = await checkCertificate(context, 'inspector', cert);
    await consumeOffline(page, context, 'Abay meat plant, gate 1');
    const id = await scans(page, 'pending').getAttribute('data-id');
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal((await certificateStatus(cert.id)).status, 'issued', 'nothing reached the server while offline');

    // Back online: sent, answered, consumed by this inspector at this place.
    await context.setOffline(false);
    await expectCount(scans(page, 'arrived'), 1);
    const stored = await eventuallyValue(() => certificateStatus(cert.id), (c) => c.status === 'consumed', 'the consumed certificate');
    assert.equal(stored.consumed.place, 'Abay meat plant, gate 1');
    assert.equal(stored.consumed.by, 'demo-inspector');

    // A reload (and the sync it starts) sends nothing again.
    await page.reload();
    await page.getByTestId('cert-input').waitFor();
    await expectCount(scans(page, 'arrived'), 1);
    await expectCount(scans(page, 'pending'), 0);
    // One use on the server, under the phone's id: that id again is the same use, and there is no
    // double use of the certificate.
    const again = await apiPost(inspectorToken, `/certificates/${cert.id}/consume`, { id, place: 'Abay meat plant, gate 1' });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.use.id, id);
    assert.equal(again.body.use.duplicate, true);
    assert.equal(await doubleUseOf(vetToken, cert.id), null);
  } finally {
    await context.close();
  }
});

test("a second inspector's offline consume becomes a double use seen by both inspectors", { timeout: 300_000 }, async () => {
  const cert = await certificate();
  const second = await phone(browser);
  const first = await phone(browser);
  try {
    // The second inspector checks it while it is still valid, then loses the network.
    const page = await checkCertificate(second, SECOND.username, cert);
    await consumeOffline(page, second, 'Abay market');
    // Meanwhile the first inspector consumes it online.
    const used = await apiPost(inspectorToken, `/certificates/${cert.id}/consume`, {
      id: randomUUID(),
      at: new Date().toISOString(),
      place: 'Abay meat plant, gate 2',
    });
    assert.equal(used.status, 200, JSON.stringify(used.body));

    // The second inspector's network comes back: the scan is kept as a double use naming the first.
    await second.setOffline(false);
    const doubled = scans(page, 'double_use');
    await expectCount(doubled, 1);
    await doubled.getByText('Abay meat plant, gate 2').waitFor();
    await doubled.getByText('demo-inspector').waitFor();
    // ... and listed on the second inspector's screen with both scans.
    const listed = page.locator(`[data-testid="double-use"][data-id="${cert.id}"]`);
    await expectCount(listed.locator('[data-testid="double-use-scan"]'), 2);

    // The first inspector sees it too.
    const other = await first.newPage();
    await signIn(other, server.url, 'inspector');
    const theirs = other.locator(`[data-testid="double-use"][data-id="${cert.id}"]`);
    await expectCount(theirs.locator('[data-testid="double-use-scan"][data-double="true"]'), 1);
    await theirs.getByText(SECOND.username).waitFor();

    // On the server: the first use kept, the second recorded with both scans, for the origin vet too.
    const item = await doubleUseOf(vetToken, cert.id);
    assert.ok(item, 'listed for the origin vet');
    assert.deepEqual(
      item.uses.map((u) => [u.by, u.place, u.double_use]),
      [
        ['demo-inspector', 'Abay meat plant, gate 2', false],
        [SECOND.username, 'Abay market', true],
      ],
    );
    assert.equal((await certificateStatus(cert.id)).consumed.by, 'demo-inspector');
  } finally {
    await second.close();
    await first.close();
  }
});

test('the arrival and double-use cards at 390 px in ug, kk and ru', { timeout: 300_000 }, async () => {
  for (const lang of ['ug', 'kk', 'ru']) {
    const cert = await certificate();
    const context = await phone(browser);
    try {
      const page = await checkCertificate(context, SECOND.username, cert, lang);
      await consumeOffline(page, context, `Abay ${lang}`);
      await expectAllTranslated(page);
      await shotOf(page.getByTestId('cert-result'), `double-use-${lang}-queued`);
      const used = await apiPost(inspectorToken, `/certificates/${cert.id}/consume`, { id: randomUUID(), place: 'Abay meat plant' });
      assert.equal(used.status, 200, JSON.stringify(used.body));
      await context.setOffline(false);
      await expectCount(scans(page, 'double_use'), 1);
      await expectCount(page.locator(`[data-testid="double-use"][data-id="${cert.id}"] [data-testid="double-use-scan"]`), 2);
      await expectAllTranslated(page);
      await shotOf(page.getByTestId('arrival-scans'), `double-use-${lang}-answer`);
      await shotOf(page.getByTestId('double-uses'), `double-use-${lang}-list`);
    } finally {
      await context.close();
    }
  }
});
