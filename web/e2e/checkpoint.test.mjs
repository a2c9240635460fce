// The inspector's checkpoint scan (issue 12 item 4), end to end: a passage recorded with no network
// waits on the phone, reaches the server once when the network is back (and not again after a
// reload), and a passage of a revoked certificate comes back flagged and is shown so. The card at
// 390 px in Uyghur, Kazakh and Russian, online and offline. One server for the file; each test
// issues its own certificate through the API, so any one runs alone. Every check of the page after
// an action waits for it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
  expectValue,
  serverToday,
} from './harness.mjs';

let server;
let browser;
let vetToken;
let today;
let postId;

const apiPost = (token, path, body) => harnessPost(server.url, token, path, body);

before(async () => {
  server = await startServer();
  browser = await launch();
  vetToken = await apiLogin(server.url, 'vet');
  today = await serverToday(server, vetToken);
  // A checkpoint in the demo inspector's jurisdiction, made by the admin.
  const inspector = await apiGet(server.url, await apiLogin(server.url, 'inspector'), '/auth/me');
  assert.equal(inspector.status, 200, JSON.stringify(inspector.body));
  const authority = inspector.body.authority ?? inspector.body.user?.authority;
  const made = await apiPost(await apiLogin(server.url, 'admin'), '/holdings', {
    code: 'E2E-CP-1',
    kind: 'checkpoint',
    name: 'Kalbatau checkpoint',
    authority,
    lat: 49.3,
    lon: 81.6,
    opened_on: '2020-01-01',
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  postId = made.body.id;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// A slaughter certificate for a new owner's sheep, covered as the rules ask, issued as the demo vet.
async function certificate() {
  const owner = await coveredSheep(server.url, vetToken, { today, name: 'Checkpoint E2E', batch: 'E2E-CP' });
  return slaughterCertificate(server.url, vetToken, owner);
}

async function passagesOf(id) {
  const res = await apiGet(server.url, vetToken, `/certificates/${id}/passages`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.items;
}

const items = (page, state) => page.locator(`[data-testid="passage-item"]${state ? `[data-state="${state}"]` : ''}`);

async function openInspector(context, lang = 'en') {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await signIn(page, server.url, 'inspector', { lang });
  // Folded until asked for, so that the phone check above stays short.
  await page.getByTestId('passage-open').click();
  await page.locator('[data-testid="passage-card"][data-open="true"]').waitFor();
  // The checkpoint list came from the server (and is kept for offline use).
  await page.locator(`[data-testid="passage-holding"] option[value="${postId}"]`).waitFor({ state: 'attached' });
  return page;
}

async function fillPassage(page, { certificate, head, note }) {
  await page.getByTestId('passage-certificate').fill(certificate);
  await page.getByTestId('passage-holding').selectOption(String(postId));
  await page.getByTestId('passage-head').fill(String(head));
  if (note) await page.getByTestId('passage-note').fill(note);
}

test('a passage recorded offline reaches the server once when the network is back', { timeout: 240_000 }, async () => {
  const cert = await certificate();
  const context = await phone(browser);
  try {
    const page = await openInspector(context);
    // The certificate checked above (pasted here, as a scan would fill it) fills the passage's.
    await page.getByTestId('cert-input').fill(cert.hp1);
    await page.getByTestId('cert-check').click();
    await page.getByTestId('cert-result').waitFor();
    await expectValue(page.getByTestId('passage-certificate'), cert.number);
    await page.getByTestId('passage-certificate').fill('');
    await context.setOffline(true);
    await page.getByTestId('net-state').filter({ hasText: 'Offline' }).waitFor();

    // An empty form saves nothing and names what is missing.
    await page.getByTestId('passage-save').click();
    await page.getByTestId('passage-error-certificate').waitFor();
    await page.getByTestId('passage-error-head_seen').waitFor();
    await expectCount(items(page), 0);

    await fillPassage(page, { certificate: cert.id, head: 1, note: 'truck 05' });
    await page.getByTestId('passage-save').click();
    await page.getByTestId('passage-saved').waitFor();
    await expectCount(items(page, 'pending'), 1);
    // The form is empty again but for the place: nothing of this passage is left for the next.
    await expectValue(page.getByTestId('passage-certificate'), '');
    await expectValue(page.getByTestId('passage-head'), '');
    await expectValue(page.getByTestId('passage-note'), '');
    await expectValue(page.getByTestId('passage-holding'), String(postId));
    const id = await items(page, 'pending').getAttribute('data-id');
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(await passagesOf(cert.id), [], 'nothing reached the server while offline');

    // Back online: sent, once, with the phone's id and the time of the scan.
    await context.setOffline(false);
    await expectCount(items(page, 'sent'), 1);
    const stored = await eventuallyValue(() => passagesOf(cert.id), (list) => list.length === 1, 'the passage on the server');
    assert.equal(stored[0].id, id);
    assert.equal(stored[0].holding, postId);
    assert.equal(stored[0].head_seen, 1);
    assert.equal(stored[0].note, 'truck 05');
    assert.equal(stored[0].flag, null);

    // A reload (and the sync it starts) sends nothing again.
    await page.reload();
    await page.getByTestId('passage-open').click();
    await expectCount(items(page, 'sent'), 1);
    await expectCount(items(page, 'pending'), 0);
    assert.equal((await passagesOf(cert.id)).length, 1);
  } finally {
    await context.close();
  }
});

test('a passage of a revoked certificate is stored flagged and shown so', { timeout: 240_000 }, async () => {
  const cert = await certificate();
  const revoked = await apiPost(vetToken, `/certificates/${cert.id}/revoke`, { reason: 'forged' });
  assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
  const context = await phone(browser);
  try {
    const page = await openInspector(context);
    await fillPassage(page, { certificate: cert.number, head: 1 });
    await page.getByTestId('passage-save').click();
    const flagged = items(page, 'flagged');
    await expectCount(flagged, 1);
    await flagged.getByText('Flagged: the certificate was revoked').waitFor();
    const stored = await passagesOf(cert.id);
    assert.equal(stored.length, 1);
    assert.equal(stored[0].flag, 'revoked');
  } finally {
    await context.close();
  }
});

test('the checkpoint card at 390 px in ug, kk and ru, online and offline', { timeout: 300_000 }, async () => {
  const cert = await certificate();
  for (const lang of ['ug', 'kk', 'ru']) {
    const context = await phone(browser);
    try {
      const page = await openInspector(context, lang);
      await fillPassage(page, { certificate: cert.number, head: 1, note: lang });
      await page.getByTestId('passage-save').click();
      await expectCount(items(page, 'sent'), 1);
      await expectAllTranslated(page);
      await shotOf(page.getByTestId('passage-card'), `checkpoint-${lang}-online`);
      await context.setOffline(true);
      await page.getByTestId('passage-save').click(); // the certificate and head were emptied
      await page.getByTestId('passage-error-certificate').waitFor();
      await fillPassage(page, { certificate: cert.number, head: 1 });
      await page.getByTestId('passage-save').click();
      await expectCount(items(page, 'pending'), 1);
      await expectAllTranslated(page);
      await shotOf(page.getByTestId('passage-card'), `checkpoint-${lang}-offline`);
    } finally {
      await context.close();
    }
  }
});

test('a passage waiting offline goes in the file of unsent records the inspector exports when signing out', { timeout: 180_000 }, async () => {
  const cert = await certificate();
  const context = await phone(browser);
  try {
    const page = await openInspector(context);
    await context.setOffline(true);
    await page.getByTestId('net-state').filter({ hasText: 'Offline' }).waitFor();
    await fillPassage(page, { certificate: cert.id, head: 1, note: 'export me' });
    await page.getByTestId('passage-save').click();
    await expectCount(items(page, 'pending'), 1);
    const id = await items(page, 'pending').getAttribute('data-id');

    await page.getByTestId('sign-out').click();
    await page.locator('[data-testid="signout-warning"][data-count="1"]').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('signout-export').click()]);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
    assert.equal(exported.format, 'herdpass-outbox');
    assert.deepEqual(exported.records, []);
    assert.equal(exported.passages?.length, 1, JSON.stringify(exported));
    const p = exported.passages[0];
    assert.equal(p.id, id);
    assert.equal(p.user.username, 'demo-inspector');
    assert.deepEqual(
      { certificate: p.record.certificate, holding: p.record.holding, head_seen: p.record.head_seen, note: p.record.note, id: p.record.id },
      { certificate: cert.id, holding: postId, head_seen: 1, note: 'export me', id },
    );
    await page.locator('[data-testid="signout-exported"]').waitFor();
  } finally {
    await context.close();
  }
});
