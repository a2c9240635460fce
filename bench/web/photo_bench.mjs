// Photo decoding benchmark (issue 11 item 12): the app's reading of the photos of
// web/e2e/photos.mjs (a real certificate's QR code at 60 % and 50 % size, in perspective, turned,
// blurred and noisy, dim, small in a 12 MP photo, and a 12 MP photo with no code) against zbarimg's
// on the same photos in the same run. Run by bench/run.sh (BENCH_ONLY=photo, or in the full run) as
//   node bench/web/photo_bench.mjs HERDPASS_BIN WEB_DIST
// It starts its own server (demo data) and Debian's chromium, and prints "HP_RESULT key=value"
// lines: for each photo, whether zbarimg and the app read it (the right text) and their times
// (medians); the share of photos each reads; and the app's total time over zbarimg's. No figure
// at a throttled CPU: Chromium's CPU throttling slows the page's thread and not the worker the
// decoding runs in (measured: the same time at "4x" as at 1x). The app's decoder is the one a
// phone without BarcodeDetector uses (zxing-cpp in WebAssembly, in a worker; Chromium on Linux has
// no BarcodeDetector), its time the page's 'hp-photo-decode' measure; zbarimg's time includes
// starting the process, as the app's includes opening the photo.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [bin, dist] = process.argv.slice(2);
if (!bin || !dist) {
  console.error('usage: photo_bench.mjs HERDPASS_BIN WEB_DIST');
  process.exit(2);
}
process.env.HERDPASS_BIN = bin;
process.env.HERDPASS_WEB_DIST = dist;
const { startServer, launch, phone, apiLogin } = await import('../../web/e2e/harness.mjs');
const { makePhotos } = await import('../../web/e2e/photos.mjs');

const RUNS = Number(process.env.BENCH_PHOTO_RUNS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const result = (fields) => console.log('HP_RESULT ' + Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(' '));

const server = await startServer({ owners: 3 });
const browser = await launch();
const dir = mkdtempSync(join(tmpdir(), 'herdpass-photo-bench-'));
try {
  const token = await apiLogin(server.url, 'vet');
  const id = server.demoValue('demo certificate to verify')?.split(' ')[0];
  const hp1 = server.demoValue('demo certificate hp1');
  const png = await fetch(`${server.url}/api/v1/certificates/${id}/qr.png`, { headers: { Authorization: `Bearer ${token}` } });
  if (!id || !hp1 || png.status !== 200) throw new Error(`no demo certificate PNG (${png.status})`);
  const pngPath = join(dir, 'certificate-qr.png');
  writeFileSync(pngPath, Buffer.from(await png.arrayBuffer()));
  const photos = makePhotos(pngPath, dir);

  const zbarRead = (path) => {
    const start = process.hrtime.bigint();
    const r = spawnSync('zbarimg', ['-q', '--raw', '-Sdisable', '-Sqrcode.enable', path], { encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0 && r.status !== 4) throw new Error(`zbarimg ${path}: exit ${r.status}`);
    return { text: r.status === 0 ? r.stdout.replace(/\n$/, '') : null, ms };
  };

  const context = await phone(browser);
  await context.addInitScript(() => {
    delete window.BarcodeDetector;
  });
  const page = await context.newPage();
  await page.goto(`${server.url}/verify`);
  await page.getByTestId('verify-upload').waitFor({ state: 'attached' });
  // One read in the page: the decoded text and the 'hp-photo-decode' measure's duration.
  const appRead = async (path) => {
    const n = await page.evaluate(() => performance.getEntriesByName('hp-photo-decode').length);
    await page.getByTestId('verify-input').fill('');
    await page.getByTestId('verify-upload').setInputFiles(path);
    await page.waitForFunction((k) => performance.getEntriesByName('hp-photo-decode').length > k, n, { timeout: 300_000 });
    await page.locator('[data-testid="verify-upload"]:not([disabled])').waitFor({ state: 'attached' });
    const ms = await page.evaluate(() => performance.getEntriesByName('hp-photo-decode').at(-1).duration);
    return { text: (await page.getByTestId('verify-input').inputValue()) || null, ms };
  };

  await appRead(photos[0].path); // loads the worker and the .wasm once, outside the figures
  let zbarTotal = 0;
  let appTotal = 0;
  let zbarReads = 0;
  let appReads = 0;
  for (const photo of photos) {
    const z = [];
    const a = [];
    for (let i = 0; i < RUNS; i++) {
      z.push(zbarRead(photo.path));
      a.push(await appRead(photo.path));
    }
    const zOk = z[0].text === hp1;
    const aOk = a[0].text === hp1;
    zbarReads += zOk ? 1 : 0;
    appReads += aOk ? 1 : 0;
    const zMs = median(z.map((r) => r.ms));
    const aMs = median(a.map((r) => r.ms));
    zbarTotal += zMs;
    appTotal += aMs;
    if (photo.name === 'photo-12mp-none') result({ none_12mp_app_ms: aMs.toFixed(0), none_12mp_zbar_ms: zMs.toFixed(0) });
    result({ photo: photo.name, zbar: zOk ? 'read' : 'none', app: aOk ? 'read' : 'none', zbar_ms: zMs.toFixed(0), app_ms: aMs.toFixed(0) });
  }
  result({
    photos: photos.length,
    runs: RUNS,
    zbar_read: zbarReads,
    app_read: appReads,
    zbar_ms_total: zbarTotal.toFixed(0),
    app_ms_total: appTotal.toFixed(0),
  });
} finally {
  await browser.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
