// Field copy benchmark (W10, issue 14 item 4): the web app taking a copy of the demo district
// (`herdpass demo --owners N`, BENCH_FIELDCOPY_OWNERS, default 2000) into IndexedDB, against a plain
// fetch() of the same gzip body in the same page and run (the reference: the server's work, the
// wire and the browser's gunzip, with no parsing and no storing), at CPU 1x and 4x; the download
// alone at 1 Mbit/s (Chromium's network emulation); a refresh with nothing new; and the offline
// phone check answered from the copy at CPU 4x. Run by bench/run.sh (BENCH_ONLY=fieldcopy, or in
// the full run) as
//   node bench/web/fieldcopy_bench.mjs HERDPASS_BIN WEB_DIST
// It starts its own server and Debian's chromium and prints "HP_RESULT key=value" lines. The app's
// times are its own performance measures ('hp-fieldcopy-take': request to stored;
// 'hp-fieldcopy-lookup': the answer from the copy), medians of BENCH_FIELDCOPY_RUNS (default 3).
// No time is asserted anywhere but in run.sh's table.
process.env.HERDPASS_BIN = process.argv[2];
process.env.HERDPASS_WEB_DIST = process.argv[3];
if (!process.argv[2] || !process.argv[3]) {
  console.error('usage: fieldcopy_bench.mjs HERDPASS_BIN WEB_DIST');
  process.exit(2);
}
const { startServer, launch, phone, signIn } = await import('../../web/e2e/harness.mjs');

const OWNERS = Number(process.env.BENCH_FIELDCOPY_OWNERS ?? 2000);
const RUNS = Number(process.env.BENCH_FIELDCOPY_RUNS ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const result = (fields) => console.log('HP_RESULT ' + Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(' '));
const round = (x) => Math.round(x * 10) / 10;

const server = await startServer({ owners: OWNERS, serveArgs: ['--field-copy-max-rows', '5000000'] });
const browser = await launch();
try {
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, server.url, 'inspector');
  await page.getByTestId('fieldcopy').waitFor({ state: 'attached' });
  // The catalogue kept on the phone (the copy's answer needs it), before any figure.
  await page.waitForFunction(
    () =>
      new Promise((ok) => {
        const open = indexedDB.open('herdpass');
        open.onsuccess = () => {
          const g = open.result.transaction('kv').objectStore('kv').get('catalogue');
          g.onsuccess = () => ok(!!g.result);
        };
      }),
    undefined,
    { timeout: 60_000 },
  );
  const cdp = await context.newCDPSession(page);

  // The reference: the same request, its body read as text, nothing else.
  const plainFetch = () =>
    page.evaluate(async () => {
      const token = JSON.parse(localStorage.getItem('hp.session')).token;
      const t0 = performance.now();
      const res = await fetch('/api/v1/field-copy?authority=KZ-ABY', { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
      const text = await res.text();
      return { ms: performance.now() - t0, status: res.status, wire: Number(res.headers.get('Content-Length')), text: new TextEncoder().encode(text).length, lines: text.split('\n').length - 1 };
    });

  // The app: Delete (when held), then Take a copy, timed by its own measure.
  await page.getByTestId('fieldcopy-summary').click();
  const appTake = async () => {
    if ((await page.getByTestId('fieldcopy').getAttribute('data-state')) === 'held') {
      await page.getByTestId('fieldcopy-delete').click();
      await page.locator('[data-testid="fieldcopy"][data-state="none"]').waitFor({ state: 'attached' });
    }
    return timedTake();
  };
  const timedTake = async () => {
    const n = await page.evaluate(() => performance.getEntriesByName('hp-fieldcopy-take').length);
    await page.getByTestId('fieldcopy-take').click();
    await page.waitForFunction((k) => performance.getEntriesByName('hp-fieldcopy-take').length > k, n, { timeout: 600_000 });
    return page.evaluate(() => {
      const m = performance.getEntriesByName('hp-fieldcopy-take').at(-1);
      return { ms: m.duration, records: m.detail.records, wire: m.detail.transferred };
    });
  };

  const figures = {};
  let copy = null;
  for (const rate of [1, 4]) {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    const ref = [];
    const app = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await plainFetch();
      if (r.status !== 200) throw new Error(`plain fetch: HTTP ${r.status}`);
      ref.push(r.ms);
      copy = r;
      const a = await appTake();
      app.push(a.ms);
      figures.records = a.records;
    }
    figures[`take_${rate}x_ms`] = round(median(app));
    figures[`ref_${rate}x_ms`] = round(median(ref));
    figures[`records_per_s_${rate}x`] = Math.round(figures.records / (median(app) / 1000));
  }

  // A refresh with nothing new: the cursor only (CPU 1x).
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  const refresh = await timedTake();

  // The download alone at 1 Mbit/s (100 ms latency).
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 100, downloadThroughput: 125_000, uploadThroughput: 125_000 });
  const slow = await plainFetch();
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

  // The phone check answered from the copy, offline, CPU 4x.
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await context.setOffline(true);
  const owner = server.demoValue('demo owner phone');
  const lookups = [];
  for (let i = 0; i < Math.max(RUNS, 5); i++) {
    const n = await page.evaluate(() => performance.getEntriesByName('hp-fieldcopy-lookup').length);
    await page.getByTestId('phone-input').fill(owner);
    await page.getByTestId('phone-submit').click();
    await page.waitForFunction((k) => performance.getEntriesByName('hp-fieldcopy-lookup').length > k, n, { timeout: 60_000 });
    await page.getByTestId('lookup-from-copy').waitFor({ state: 'attached' });
    lookups.push(await page.evaluate(() => performance.getEntriesByName('hp-fieldcopy-lookup').at(-1).duration));
  }
  await context.setOffline(false);

  result({
    owners: OWNERS,
    runs: RUNS,
    records: figures.records,
    lines: copy.lines,
    gzip_bytes: copy.wire,
    text_bytes: copy.text,
    ...Object.fromEntries(Object.entries(figures).filter(([k]) => k !== 'records')),
    refresh_ms: round(refresh.ms),
    refresh_bytes: refresh.wire,
    download_1mbit_ms: Math.round(slow.ms),
    lookup_4x_ms: round(median(lookups)),
  });
} finally {
  await browser.close();
  await server.stop();
}
