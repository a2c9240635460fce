// Issue 11 item 12: reading a certificate's QR code from a photo. The demo's certificate's QR PNG
// is made into the photos of photos.mjs (60 % size, perspective, rotation, blur and noise, dim, a
// 12 MP photo with the code small in it, a 12 MP photo with none); zbarimg reads each, and the app,
// offline on /verify (so the decoder and its .wasm come from the service worker's cache), must read
// every photo zbarimg reads, with the same text, and say "no QR code" for the photo without one.
// The demo certificate's text changes every run, so one more far photo has a fixed text that
// needs the decoder's fixed-threshold pass (photos.mjs makeFixedFarPhoto).
// With Chromium's BarcodeDetector taken away, zxing-cpp (WebAssembly, in a worker) is the decoder
// read by the first test; the next ones give the page a BarcodeDetector of the test's own and check
// the app asks it first and falls back to zxing when it finds nothing. Every check after an action
// waits for it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launch, phone, apiLogin, eventually, expectText, WEB_DIST } from './harness.mjs';
import { makePhotos, makeFixedFarPhoto, zbar } from './photos.mjs';

let server;
let browser;
let dir;
let hp1; // the demo certificate's
let photos; // [{name, what, path, zbar}]

before(async () => {
  server = await startServer({ owners: 3 });
  browser = await launch();
  const token = await apiLogin(server.url, 'vet');
  const id = server.demoValue('demo certificate to verify')?.split(' ')[0];
  hp1 = server.demoValue('demo certificate hp1');
  assert.ok(id && hp1, server.demo);
  const png = await fetch(`${server.url}/api/v1/certificates/${id}/qr.png`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(png.status, 200);
  dir = mkdtempSync(join(tmpdir(), 'herdpass-photo-'));
  const pngPath = join(dir, 'certificate-qr.png');
  writeFileSync(pngPath, Buffer.from(await png.arrayBuffer()));
  photos = [...makePhotos(pngPath, dir), await makeFixedFarPhoto(dir)].map((p) => ({ ...p, zbar: zbar(p.path) }));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// No BarcodeDetector on the page: the app's own decoder, zxing-cpp, is the one read.
const WITHOUT_NATIVE = () => {
  delete window.BarcodeDetector;
};

// Opens /verify online until the service worker controls it, then goes offline and reloads.
async function openOffline(context) {
  const page = await context.newPage();
  await page.goto(`${server.url}/verify`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.locator('[data-testid="lists"][data-refreshing="false"]').waitFor();
  await context.setOffline(true);
  await page.reload();
  await expectText(page.getByTestId('net-state'), 'Offline');
  return page;
}

// Uploads the photo and waits for the app's answer: {text, decoder}, text being what the app put
// in the input ('' when it read nothing and says so), decoder the one its 'hp-photo-decode'
// measure names (null when none read the photo, or there is no such measure). The wait is long:
// a 12 MP photo takes a while on a loaded machine; how long is the benchmark's business.
async function upload(page, path) {
  await page.getByTestId('verify-input').fill('');
  const before = await page.evaluate(() => performance.getEntriesByName('hp-photo-decode').length);
  await page.getByTestId('verify-upload').setInputFiles(path);
  const state = await eventually(
    async () => {
      const s = await page.evaluate(() => ({
        busy: document.querySelector('[data-testid="verify-upload"]')?.disabled ?? true,
        text: document.querySelector('[data-testid="verify-input"]')?.value ?? '',
        message: document.querySelector('[data-testid="verify-message"]')?.textContent ?? null,
      }));
      assert.ok(!s.busy && (s.text !== '' || s.message !== null), `the app answered: ${JSON.stringify(s)}`);
      return s;
    },
    { timeout: 120_000 },
  );
  const decoder = await page.evaluate((n) => {
    const all = performance.getEntriesByName('hp-photo-decode');
    return all.length > n ? (all.at(-1).detail?.decoder ?? null) : null;
  }, before);
  return { decoder, text: state.text };
}

test('zbarimg reads the certificate in the photos the issue names, and nothing in the photo without a code', () => {
  const read = Object.fromEntries(photos.map((p) => [p.name, p.zbar]));
  for (const name of ['server-png', 'small-60', 'perspective', 'photo-12mp']) assert.equal(read[name], hp1, name);
  assert.equal(read['photo-12mp-none'], null);
  const fixed = photos.find((p) => p.name === 'photo-12mp-far-fixed');
  assert.equal(fixed.zbar, fixed.text);
});

test('offline, without a BarcodeDetector, the app reads every photo zbarimg reads, with the same text', async (t) => {
  const context = await phone(browser);
  await context.addInitScript(WITHOUT_NATIVE);
  const page = await openOffline(context);
  await page.waitForFunction(() => !('BarcodeDetector' in window), null, { timeout: 10000 });
  const table = [];
  const missed = []; // photos zbarimg reads and the app does not (or reads differently)
  const decoders = new Set();
  for (const photo of photos) {
    const app = await upload(page, photo.path);
    table.push(`${photo.name}: zbarimg ${photo.zbar === null ? 'none' : 'read'}, app ${app.decoder ?? (app.text ? 'read' : 'none')}`);
    if (photo.zbar === null) continue;
    if (app.text !== photo.zbar) missed.push(`${photo.name} (${photo.what})`);
    else decoders.add(app.decoder);
  }
  assert.deepEqual(missed, [], `photos zbarimg reads and the app does not: ${table.join('; ')}`);
  assert.deepEqual([...decoders], ['zxing']);
  t.diagnostic(table.join('; '));
  // The photo with no code: the app says so.
  const none = photos.find((p) => p.name === 'photo-12mp-none');
  const app = await upload(page, none.path);
  assert.deepEqual(app, { decoder: null, text: '' });
  await expectText(page.getByTestId('verify-message'), /No QR code found in this photo/);
  await context.close();
});

test("the decoder's .wasm is HerdPass's own, served as application/wasm, and the service worker precaches it", async () => {
  const wasm = readdirSync(join(WEB_DIST, 'assets')).filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, wasm.join());
  const res = await fetch(`${server.url}/assets/${wasm[0]}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/wasm');
  assert.deepEqual([...new Uint8Array(await res.arrayBuffer()).slice(0, 4)], [0, 0x61, 0x73, 0x6d]);
  const sw = await (await fetch(`${server.url}/sw.js`)).text();
  assert.ok(sw.includes(`assets/${wasm[0]}`), 'sw.js precaches the .wasm');
  // The page's CSP lets it compile WebAssembly.
  const page = await fetch(`${server.url}/verify`);
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self' 'wasm-unsafe-eval'/);
});

// A BarcodeDetector of the test's own: it reads QR codes, answers `answer` for every image, and
// counts its calls in window.detectCalls.
function fakeNative(answer) {
  window.detectCalls = 0;
  window.BarcodeDetector = class {
    static async getSupportedFormats() {
      return ['qr_code', 'code_128'];
    }
    constructor(options) {
      this.formats = options.formats;
    }
    async detect(image) {
      if (!(image instanceof ImageBitmap) || !this.formats.includes('qr_code')) throw new Error('bad call');
      window.detectCalls++;
      return answer === null ? [] : [{ rawValue: answer, format: 'qr_code' }];
    }
  };
}

test("where the phone has a BarcodeDetector the app takes its answer", async () => {
  const context = await phone(browser);
  await context.addInitScript(fakeNative, 'HP1:FROM-THE-PHONE');
  const page = await context.newPage();
  await page.goto(`${server.url}/verify`);
  await page.getByTestId('verify-upload').waitFor({ state: 'attached' });
  // The photo has no code: only the phone's detector could have read this.
  const app = await upload(page, photos.find((p) => p.name === 'photo-12mp-none').path);
  assert.deepEqual(app, { decoder: 'native', text: 'HP1:FROM-THE-PHONE' });
  await page.waitForFunction(() => window.detectCalls === 1, null, { timeout: 10000 });
  await context.close();
});

test('when the phone\'s BarcodeDetector finds nothing, zxing reads the photo', async () => {
  const context = await phone(browser);
  await context.addInitScript(fakeNative, null);
  const page = await context.newPage();
  await page.goto(`${server.url}/verify`);
  await page.getByTestId('verify-upload').waitFor({ state: 'attached' });
  const app = await upload(page, photos.find((p) => p.name === 'small-60').path);
  assert.deepEqual(app, { decoder: 'zxing', text: hp1 });
  await page.waitForFunction(() => window.detectCalls === 1, null, { timeout: 10000 });
  await context.close();
});
