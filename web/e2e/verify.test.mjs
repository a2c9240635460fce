// Issue test 3: the public /verify page checks certificates offline. As demo-vet through the API:
// vaccinate a new owner's sheep today against FMD-O, FMD-A and PPR, issue slaughter certificates
// for them and download one's QR code as a PNG. Then, in fresh browser contexts with no sign-in:
// open /verify online once (app and lists cached, the service worker in control), go offline,
// reload, and upload the photo -> valid; paste the text with one character changed -> invalid with
// a reason; revoke another certificate, update the lists online, go offline -> revoked; and with
// no lists and no network the page says so; and the camera (Chromium's fake camera playing a
// video of the QR code) reads it. The certificate photographed is made once for the file and
// never changed; the test that revokes one makes its own. Every check of the page after an action
// waits for it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium } from 'playwright-core';
import {
  startServer,
  launch,
  phone,
  shot,
  shotOnFailure,
  apiGet,
  apiLogin,
  eventually,
  expectAllTranslated,
  expectAttr,
  expectCount,
  expectEval,
  expectText,
  expectValue,
  serverToday,
} from './harness.mjs';

let server;
let browser;
let token;
let dir;
let today; // the server's
let first; // the certificate whose QR code is photographed; never revoked
let pngPath;

async function call(method, path, body) {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// A new owner whose sheep meet the slaughter rule (vaccinated today against FMD O, FMD A and
// PPR), and a certificate for them.
async function issueCertificate(n) {
  const phoneNumber = `+7701${String(5550000 + n * 101 + Math.floor(Math.random() * 90)).padStart(7, '0')}`;
  const record = (disease, vaccine, batch) => ({
    id: randomUUID(),
    owner_phone: phoneNumber,
    owner_name: `Verify Test Owner ${n}`,
    species: 'sheep',
    head_count: 12,
    disease,
    vaccine,
    batch_no: batch,
    administered_on: today,
  });
  const batch = await call('POST', '/vaccinations/batch', {
    records: [record('FMD-O', 'FMD-OA-INACT', 'E2E-FMD-1'), record('FMD-A', 'FMD-OA-INACT', 'E2E-FMD-1'), record('PPR', 'PPR-LIVE', 'E2E-PPR-1')],
  });
  assert.equal(batch.status, 200, JSON.stringify(batch.body));
  assert.equal(batch.body.created, 3, JSON.stringify(batch.body));
  const cert = await call('POST', '/certificates', {
    owner_phone: phoneNumber,
    species: 'sheep',
    head_count: 12,
    purpose: 'slaughter',
    destination: 'KZ-ALA',
    destination_place: 'Almaty meat plant',
    transport: 'truck 777 E2E 02',
  });
  assert.equal(cert.status, 201, JSON.stringify(cert.body));
  assert.match(cert.body.hp1, /^HP1:/);
  return cert.body;
}

before(async () => {
  server = await startServer({ owners: 5 });
  browser = await launch();
  token = await apiLogin(server.url, 'vet');
  dir = mkdtempSync(join(tmpdir(), 'herdpass-verify-'));
  today = await serverToday(server, token);
  first = await issueCertificate(1);
  const png = await fetch(`${server.url}/api/v1/certificates/${first.id}/qr.png`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(png.status, 200);
  assert.match(png.headers.get('content-type') ?? '', /image\/png/);
  pngPath = join(dir, 'certificate-qr.png');
  writeFileSync(pngPath, Buffer.from(await png.arrayBuffer()));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// The check code of `cert` in its owner's "certificate issued" SMS, as the admin's Messages list
// (GET /sms/messages, newest first, a page at a time) shows it: the six digits standing alone.
async function smsCheckCodeOf(cert) {
  const admin = await apiLogin(server.url, 'admin');
  const code = (m) => m.text.replace(cert.number, '').match(/(?<!\d)\d{6}(?!\d)/)?.[0];
  let before = '';
  for (;;) {
    const res = await apiGet(server.url, admin, `/sms/messages?limit=200${before}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const sms = res.body.items.find((m) => m.kind === 'certificate' && m.text.includes(cert.number) && code(m));
    if (sms) return code(sms);
    assert.ok(res.body.next_before, `no "issued" SMS names ${cert.number}`);
    before = `&before=${res.body.next_before}`;
  }
}

// Opens /verify online until the service worker controls the page and the lists are saved.
async function openOnline(context) {
  const page = await context.newPage();
  await page.goto(`${server.url}/verify`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.getByTestId('lists-age').waitFor();
  // The update the page starts when online has finished (it writes the lists).
  await page.locator('[data-testid="lists"][data-refreshing="false"]').waitFor();
  return page;
}

async function resultOf(page) {
  const result = page.locator('[data-testid="verify-result"][data-status]');
  await result.waitFor();
  return result;
}

function tamper(hp1) {
  const mid = Math.floor(hp1.length / 2);
  return hp1.slice(0, mid) + (hp1[mid] === 'A' ? 'B' : 'A') + hp1.slice(mid + 1);
}

test('offline: a photo of the QR code verifies, a tampered text is refused with a reason', async (t) => {
  const context = await phone(browser);
  const page = await openOnline(context);
  await context.setOffline(true);
  await page.reload();
  await page.getByTestId('lists-age').waitFor();
  await expectText(page.getByTestId('net-state'), 'Offline');

  await page.getByTestId('verify-upload').setInputFiles(pngPath);
  let result = await resultOf(page);
  await expectAttr(result, 'data-status', 'valid');
  await expectText(page.getByTestId('verify-number'), first.number);
  // The code the owner was sent by SMS, computed here on the phone from the text alone.
  await expectText(page.getByTestId('verify-check-code'), await smsCheckCodeOf(first));
  await expectCount(page.getByTestId('verify-reason'), 0);
  await expectValue(page.getByTestId('verify-input'), first.hp1);
  // Offline: the phone's answer only, and nothing personal on the page.
  await eventually(async () => {
    assert.doesNotMatch(await page.getByTestId('verify-how').innerText({ timeout: 1000 }), /server/i);
    assert.doesNotMatch(await result.innerText({ timeout: 1000 }), /Verify Test Owner/);
  });
  const ms = await page.evaluate(() => performance.getEntriesByName('hp1-verify').at(-1)?.duration);
  assert.ok(typeof ms === 'number' && ms > 0, 'performance.measure hp1-verify');
  t.diagnostic(`in-browser verification of the uploaded certificate: ${ms.toFixed(1)} ms`);
  await shot(page, 'verify-valid');

  await page.getByTestId('verify-input').fill(tamper(first.hp1));
  await page.getByTestId('verify-submit').click();
  await page.locator('[data-testid="verify-result"][data-status="invalid"]').waitFor();
  result = await resultOf(page);
  const reasons = page.getByTestId('verify-reason');
  await eventually(async () => {
    const code = await reasons.first().getAttribute('data-code', { timeout: 1000 });
    assert.ok(['signature', 'base45', 'compression', 'cbor', 'cose', 'cwt', 'claim', 'kid', 'unknown_kid'].includes(code), code);
    const words = await reasons.first().innerText({ timeout: 1000 });
    assert.ok(words.length > 10 && !words.includes('reason.'), words);
  });
  await expectText(result, /Invalid/);
  await shot(page, 'verify-invalid');
  await expectAllTranslated(page);
  await context.close();
});

test('revoked: after the lists are updated online, the certificate shows revoked offline', async () => {
  const second = await issueCertificate(2);
  const context = await phone(browser);
  const page = await openOnline(context);
  const before = Number(await page.getByTestId('lists-age').getAttribute('data-revoked'));
  await context.setOffline(true);
  await page.reload();
  await page.getByTestId('verify-input').fill(second.hp1);
  await page.getByTestId('verify-submit').click();
  await page.locator('[data-testid="verify-result"][data-status="valid"]').waitFor();

  const revoke = await call('POST', `/certificates/${second.id}/revoke`, { reason: 'e2e: animals sold elsewhere' });
  assert.ok(revoke.status === 200 || revoke.status === 204, JSON.stringify(revoke.body));

  await context.setOffline(false);
  await page.reload();
  await page.locator('[data-testid="lists"][data-refreshing="false"]').waitFor();
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="lists-age"]')?.getAttribute('data-revoked')) > n, before);
  await context.setOffline(true);
  await page.reload();
  await page.getByTestId('lists-age').waitFor();
  await page.getByTestId('verify-input').fill(second.hp1);
  await page.getByTestId('verify-submit').click();
  await page.locator('[data-testid="verify-result"][data-status="revoked"]').waitFor();
  await eventually(async () =>
    assert.deepEqual(await page.getByTestId('verify-reason').evaluateAll((els) => els.map((e) => e.getAttribute('data-code'))), ['revoked']),
  );
  // The other certificate is still valid with the same lists.
  await page.getByTestId('verify-input').fill(first.hp1);
  await page.getByTestId('verify-submit').click();
  await page.locator('[data-testid="verify-result"][data-status="valid"]').waitFor();
  await shot(page, 'verify-revoked');
  await context.close();
});

test('no lists on the phone and no network: the page says so', async () => {
  const context = await phone(browser);
  const page = await openOnline(context);
  await page.evaluate(
    () =>
      new Promise((ok, fail) => {
        const open = indexedDB.open('herdpass');
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('kv', 'readwrite');
          for (const k of ['trust_list', 'revocations', 'trust_root', 'lists_checked_at']) tx.objectStore('kv').delete(k);
          tx.oncomplete = () => ok();
          tx.onerror = () => fail(tx.error);
        };
      }),
  );
  await context.setOffline(true);
  await page.reload();
  const missing = page.getByTestId('lists-missing');
  await expectText(missing, /no network/i);
  await expectCount(page.getByTestId('lists-age'), 0);
  await page.getByTestId('verify-input').fill(first.hp1);
  await page.getByTestId('verify-submit').click();
  await page.locator('[data-testid="verify-result"][data-status="invalid"]').waitFor();
  await expectAttr(page.getByTestId('verify-reason'), 'data-code', 'unknown_kid');
  await shot(page, 'verify-no-lists');
  await context.close();
});

// A YUV4MPEG2 video (Chromium's fake camera loops it) of the QR code on white at a few distances,
// as a hand holding a phone gives (zxing's detector misses some codes at one size and finds them
// at another), or of white alone. The PNG is drawn by the browser: no image library needed here.
async function cameraVideo(png, path) {
  const W = 640;
  const H = 480;
  const page = await (await browser.newContext()).newPage();
  const frames = await page.evaluate(
    async ({ data, W, H }) => {
      const img = new Image();
      if (data) {
        img.src = 'data:image/png;base64,' + data;
        await img.decode();
      }
      return (data ? [300, 340, 380, 420, 460] : [0]).map((size) => {
        const c = document.createElement('canvas');
        c.width = W;
        c.height = H;
        const g = c.getContext('2d');
        g.fillStyle = '#fff';
        g.fillRect(0, 0, W, H);
        if (size) g.drawImage(img, (W - size) / 2, (H - size) / 2, size, size);
        const d = g.getImageData(0, 0, W, H).data;
        return Array.from({ length: W * H }, (_, i) => Math.round(0.299 * d[i * 4] + 0.587 * d[i * 4 + 1] + 0.114 * d[i * 4 + 2]));
      });
    },
    { data: png ? png.toString('base64') : null, W, H },
  );
  await page.context().close();
  const chroma = Buffer.alloc(W * H / 2, 128);
  const parts = [Buffer.from(`YUV4MPEG2 W${W} H${H} F5:1 Ip A1:1 C420jpeg\n`)];
  for (const luma of frames) parts.push(Buffer.from('FRAME\n'), Buffer.from(luma), chroma);
  writeFileSync(path, Buffer.concat(parts));
}

// Waits until the certificate read by the camera shows as valid. A failure says what the screen
// showed instead (a result of another status, the scanner's error, or the overlay still open and
// scanning), and keeps a screenshot of it (verify-scan-failed.png).
async function expectScannedValid(page, timeout) {
  await shotOnFailure(page, 'verify-scan-failed', () =>
    eventually(
      async () => {
        const status = await page.getByTestId('verify-result').first().getAttribute('data-status', { timeout: 500 }).catch(() => 'none');
        const error = await page.getByTestId('scan-error').first().innerText({ timeout: 500 }).catch(() => 'none');
        const overlays = await page.getByTestId('scan-overlay').count();
        assert.equal(status, 'valid', `verify-result status: ${status}; scan error: ${error}; overlays open: ${overlays}`);
      },
      { timeout, interval: 250 },
    ),
  );
}

async function withCamera(video, fn, init = null) {
  const camera = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-dev-shm-usage',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  try {
    const context = await phone(camera);
    await context.grantPermissions(['camera'], { origin: server.url });
    const page = await context.newPage();
    if (init) await page.addInitScript(init);
    await page.goto(`${server.url}/verify`);
    await page.getByTestId('lists-age').waitFor();
    await fn(page);
  } finally {
    await camera.close();
  }
}

test('camera: the overlay shows the rear camera and closes; a QR code in view is read and verified', async () => {
  const blank = join(dir, 'blank.y4m');
  const qr = join(dir, 'qr.y4m');
  await cameraVideo(null, blank);
  await cameraVideo(readFileSync(pngPath), qr);

  await withCamera(blank, async (page) => {
    await page.getByTestId('verify-scan').click();
    const overlay = page.getByTestId('scan-overlay');
    await overlay.waitFor();
    await page.waitForFunction(() => (document.querySelector('[data-testid="scan-overlay"] video')?.videoWidth ?? 0) > 0);
    await expectEval(page, () => document.querySelector('[data-testid="scan-overlay"] video')?.srcObject?.getVideoTracks().length, 1);
    await shot(page, 'verify-scan');
    await page.getByTestId('scan-close').click();
    await overlay.waitFor({ state: 'detached' });
    await expectCount(page.getByTestId('verify-result'), 0);
    // The camera is off once the overlay is closed.
    await expectCount(page.locator('video'), 0);
  });

  await withCamera(qr, async (page) => {
    await page.getByTestId('verify-scan').click();
    await expectScannedValid(page, 20_000);
    await expectText(page.getByTestId('verify-number'), first.number);
    await expectCount(page.getByTestId('scan-overlay'), 0);
  });
});

// A camera whose first play() request fails late (as when Chromium interrupts it with a new load,
// or a slow phone's camera): the video starts on its own meanwhile (autoplay), and the scanner still
// reads the code. zxing's own start-up waited for a 'canplay' that had already passed, gave up after
// 5 s and, the video playing by then, never started scanning.
test('camera: a code is read when the first play() of the video fails late', async () => {
  const qr = join(dir, 'qr-late.y4m');
  await cameraVideo(readFileSync(pngPath), qr);
  const playFailsOnceLate = () => {
    const play = HTMLMediaElement.prototype.play;
    let first = true;
    HTMLMediaElement.prototype.play = function () {
      if (!first) return play.call(this);
      first = false;
      return new Promise((_, reject) => {
        const fail = () => reject(new DOMException('The play() request was interrupted', 'AbortError'));
        this.addEventListener('playing', () => setTimeout(fail, 200), { once: true });
      });
    };
  };
  await withCamera(
    qr,
    async (page) => {
      await page.getByTestId('verify-scan').click();
      await expectScannedValid(page, 30_000);
      await expectText(page.getByTestId('verify-number'), first.number);
      await expectCount(page.getByTestId('scan-overlay'), 0);
    },
    playFailsOnceLate,
  );
});
