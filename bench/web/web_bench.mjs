// Web app benchmarks (issue 3, issue 11 item 13): JavaScript size, time to interactive with the CPU
// throttled 4x, Lighthouse (mobile) on / and /verify, a cold load over a poor link (400 kbps,
// 400 ms round trip, CPU 4x), and offline verification of an HP1 string in the browser. Run by bench/run.sh (BENCH_ONLY=web, or in
// the full run) as
//   node bench/web/web_bench.mjs HERDPASS_BIN WEB_DIST
// It starts its own server (fresh data directory, demo data) and Debian's chromium, and prints
// "HP_RESULT key=value ..." lines. Each browser figure comes with a reference measured in the same
// run on the same browser: a blank page's load for the time to interactive, and a bare WebCrypto
// Ed25519 verification for the HP1 verification.
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const [bin, dist] = process.argv.slice(2);
if (!bin || !dist) {
  console.error('usage: web_bench.mjs HERDPASS_BIN WEB_DIST');
  process.exit(2);
}
process.env.HERDPASS_BIN = bin;
process.env.HERDPASS_WEB_DIST = dist;
const { startServer, launch, phone, signIn } = await import('../../web/e2e/harness.mjs');

const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 7);
const LIGHTHOUSE_RUNS = Number(process.env.BENCH_WEB_LIGHTHOUSE_RUNS ?? 3);
const POOR_RUNS = Number(process.env.BENCH_WEB_POOR_RUNS ?? 5);
const VERIFY_RUNS = Number(process.env.BENCH_WEB_VERIFY_RUNS ?? 40);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const kib = (n) => (n / 1024).toFixed(1);
const result = (fields) =>
  console.log('HP_RESULT ' + Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(' '));

const server = await startServer({ owners: 20 });
const browser = await launch();
const blank = createServer((_, res) => res.end('<!doctype html><title>blank</title><p id="x">x</p>'));
await new Promise((r) => blank.listen(0, '127.0.0.1', r));
const blankUrl = `http://127.0.0.1:${blank.address().port}/`;

try {
  // --- JavaScript size: what the first screen loads, and everything -------------------------------
  {
    const context = await phone(browser, { serviceWorkers: 'block' });
    const page = await context.newPage();
    const scripts = new Map();
    page.on('response', async (res) => {
      if (res.request().resourceType() === 'script') scripts.set(res.url(), await res.body());
    });
    await page.goto(server.url + '/');
    await page.waitForFunction(() => performance.getEntriesByName('hp-screen-ready').length > 0);
    await page.waitForLoadState('networkidle');
    const first = [...scripts.values()].reduce((n, b) => n + gz(b), 0);
    const firstRaw = [...scripts.values()].reduce((n, b) => n + b.length, 0);
    const assets = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js'));
    const all = assets.reduce((n, f) => n + gz(readFileSync(join(dist, 'assets', f))), 0);
    let biggest = ['', 0];
    for (const f of assets) {
      const n = gz(readFileSync(join(dist, 'assets', f)));
      if (n > biggest[1]) biggest = [f, n];
    }
    result({
      js_first_gzip_kib: kib(first),
      js_first_raw_kib: kib(firstRaw),
      js_first_files: scripts.size,
      js_all_gzip_kib: kib(all),
      js_all_files: assets.length,
      js_biggest: biggest[0],
      js_biggest_gzip_kib: kib(biggest[1]),
    });
    await context.close();
  }

  // --- Lighthouse, mobile (its default: simulated slow 4G, CPU 4x), on / and /verify ---------------
  // The npm package (web/package.json devDependencies) driving Debian's chromium through
  // chrome-launcher; median of LIGHTHOUSE_RUNS runs, each on a fresh profile.
  {
    const webRequire = createRequire(new URL('../../web/package.json', import.meta.url));
    const { default: lighthouse } = await import(webRequire.resolve('lighthouse'));
    const chromeLauncher = await import(webRequire.resolve('chrome-launcher'));
    const flags = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
      '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
    for (const [name, path] of [['root', '/'], ['verify', '/verify']]) {
      const perf = [];
      const tbt = [];
      const a11y = [];
      for (let i = 0; i < LIGHTHOUSE_RUNS; i++) {
        const chrome = await chromeLauncher.launch({ chromePath: process.env.CHROMIUM ?? '/usr/bin/chromium', chromeFlags: flags });
        try {
          const r = await lighthouse(server.url + path, {
            port: chrome.port,
            output: 'json',
            logLevel: 'error',
            onlyCategories: ['performance', 'accessibility'],
          });
          perf.push(Math.round(r.lhr.categories.performance.score * 100));
          a11y.push(Math.round(r.lhr.categories.accessibility.score * 100));
          tbt.push(r.lhr.audits['total-blocking-time'].numericValue);
        } finally {
          chrome.kill();
        }
      }
      result({
        [`lighthouse_${name}_performance`]: median(perf),
        [`lighthouse_${name}_performance_all`]: perf.join(','),
        [`lighthouse_${name}_tbt_ms`]: median(tbt).toFixed(0),
        [`lighthouse_${name}_tbt_all`]: tbt.map((x) => x.toFixed(0)).join(','),
        [`lighthouse_${name}_accessibility`]: Math.min(...a11y),
        lighthouse_runs: LIGHTHOUSE_RUNS,
      });
    }
  }

  // --- cold load over a poor link: 400 kbps, 400 ms round trip, CPU 4x (DevTools throttling) ------
  // No cache, no service worker. "Painted": the first contentful paint (the page's frame, header
  // and the screen's title, is what paints first); "usable": the first screen is on the page with
  // its handlers (the hp-screen-ready mark, as for the time to interactive).
  async function poorLoad(url) {
    const context = await phone(browser, { serviceWorkers: 'block' });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 400,
      downloadThroughput: (400 * 1000) / 8,
      uploadThroughput: (400 * 1000) / 8,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await page.goto(url, { waitUntil: 'commit' });
    const times = await page
      .waitForFunction(
        () => {
          const ready = performance.getEntriesByName('hp-screen-ready')[0];
          const paint = performance.getEntriesByName('first-contentful-paint')[0];
          return ready && paint ? [paint.startTime, ready.startTime] : false;
        },
        null,
        { timeout: 120000 },
      )
      .then((h) => h.jsonValue());
    await context.close();
    return times;
  }
  for (const [name, path] of [['root', '/'], ['verify', '/verify']]) {
    const painted = [];
    const usable = [];
    for (let i = 0; i < POOR_RUNS; i++) {
      const [p, u] = await poorLoad(server.url + path);
      painted.push(p);
      usable.push(u);
    }
    result({
      [`poor_${name}_painted_median_ms`]: median(painted).toFixed(0),
      [`poor_${name}_usable_median_ms`]: median(usable).toFixed(0),
      [`poor_${name}_usable_max_ms`]: Math.max(...usable).toFixed(0),
      poor_runs: POOR_RUNS,
    });
  }

  // --- time to interactive, CPU throttled 4x, cold (no cache, no service worker) -------------------
  async function coldLoad(url, readyExpr) {
    const context = await phone(browser, { serviceWorkers: 'block' });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await page.goto(url, { waitUntil: 'commit' });
    const ms = await page.waitForFunction(readyExpr, null, { timeout: 60000 }).then((h) => h.jsonValue());
    await context.close();
    return ms;
  }
  const tti = [];
  const blankTimes = [];
  for (let i = 0; i < RUNS; i++) {
    tti.push(
      await coldLoad(server.url + '/', () => {
        const m = performance.getEntriesByName('hp-screen-ready')[0];
        return m ? m.startTime : false;
      }),
    );
    blankTimes.push(
      await coldLoad(blankUrl, () => {
        const n = performance.getEntriesByType('navigation')[0];
        return n && n.loadEventEnd > 0 ? n.loadEventEnd : false;
      }),
    );
  }
  result({
    tti_4x_median_ms: median(tti).toFixed(0),
    tti_4x_max_ms: Math.max(...tti).toFixed(0),
    blank_4x_median_ms: median(blankTimes).toFixed(0),
    runs: RUNS,
  });

  // --- a signed-in vaccinator reopening the app (service worker cache), CPU 4x ---------------------
  {
    const context = await phone(browser);
    const page = await context.newPage();
    await signIn(page, server.url, 'vaccinator');
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    const warm = [];
    for (let i = 0; i < RUNS; i++) {
      await page.reload({ waitUntil: 'commit' });
      warm.push(
        await page
          .waitForFunction(() => {
            const m = performance.getEntriesByName('hp-screen-ready')[0];
            return document.body.dataset.screen === 'vaccinator' && m ? m.startTime : false;
          })
          .then((h) => h.jsonValue()),
      );
    }
    result({ reopen_vaccinator_4x_median_ms: median(warm).toFixed(0) });
    await context.close();
  }

  // --- offline HP1 verification in the browser -----------------------------------------------------
  const hp1 = server.demoValue('demo certificate hp1');
  if (!hp1) throw new Error('the demo printed no certificate');
  for (const rate of [1, 4]) {
    const context = await phone(browser);
    const page = await context.newPage();
    await page.goto(server.url + '/verify');
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await page.getByTestId('lists-age').waitFor();
    await context.setOffline(true);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    const times = [];
    for (let i = 0; i < VERIFY_RUNS; i++) {
      await page.evaluate(() => performance.clearMeasures('hp1-verify'));
      await page.getByTestId('verify-input').fill(hp1);
      await page.getByTestId('verify-submit').click();
      const ms = await page
        .waitForFunction(() => performance.getEntriesByName('hp1-verify')[0]?.duration ?? false)
        .then((h) => h.jsonValue());
      times.push(ms);
    }
    const status = await page.getByTestId('verify-result').getAttribute('data-status');
    // The reference: one bare Ed25519 verification with the browser's WebCrypto, same page, same rate.
    const raw = await page.evaluate(async (n) => {
      const key = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
      const msg = new Uint8Array(300).fill(7);
      const sig = await crypto.subtle.sign({ name: 'Ed25519' }, key.privateKey, msg);
      // The page's clock ticks in 0.1 ms steps, coarser than one verification: time a run of them.
      const reps = n * 25;
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) await crypto.subtle.verify({ name: 'Ed25519' }, key.publicKey, sig, msg);
      return (performance.now() - t0) / reps;
    }, VERIFY_RUNS);
    result({
      [`verify_${rate}x_median_ms`]: median(times).toFixed(2),
      [`verify_${rate}x_p95_ms`]: p95(times).toFixed(2),
      [`raw_ed25519_${rate}x_mean_ms`]: raw.toFixed(3),
      [`verify_${rate}x_status`]: status,
      hp1_chars: hp1.length,
    });
    await context.close();
  }
} finally {
  blank.close();
  await browser.close();
  await server.stop();
}
