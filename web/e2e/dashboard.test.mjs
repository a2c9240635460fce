// W11 dashboard, end to end: a real `herdpass serve` with the demo county, plus owners that the demo
// vet registers in sub-authorities (KZ-ABY-01, KZ-ABY-01-03, KZ-ABY-02-05) so that the breakdown by
// sub-region has more than one row and a code two levels down must roll up into its parent.
// The numbers on the page are checked against GET /reports/coverage for the same query, summed here
// independently of the app's coverage.ts: the period's (by sub-region, disease, species, and each
// table's total) from the report's `totals`, the months from its monthly rows. Each test opens its own page (its own browser context),
// so none depends on the filters another left; every check of the page after an action waits.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import {
  LANGS,
  apiGet,
  apiLogin,
  eventually,
  expectAllTranslated,
  expectAttr,
  expectCount,
  expectEval,
  expectText,
  expectValue,
  launch,
  phone,
  shot,
  signIn,
  startServer,
} from './harness.mjs';

let server;
let browser;
let auditor; // API token

function uuidv7() {
  const b = randomBytes(16);
  const ms = BigInt(Date.now());
  for (let i = 0; i < 6; i++) b[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = 0x70 | (b[6] & 0x0f);
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

async function apiPost(token, path, body) {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// Sums rows by key; coverage = sum vaccinated / sum registered (null when nothing is registered).
function sumBy(rows, keyOf) {
  const m = new Map();
  for (const r of rows) {
    const k = keyOf(r);
    if (k === null) continue;
    const s = m.get(k) ?? { vaccinated: 0, registered: 0 };
    s.vaccinated += r.vaccinated_head;
    s.registered += r.registered_head;
    m.set(k, s);
  }
  return new Map([...m].map(([k, s]) => [k, { ...s, coverage: s.registered > 0 ? s.vaccinated / s.registered : null }]));
}

// KZ-ABY-01-03 under KZ-ABY is KZ-ABY-01; the region itself stays itself.
function nextLevel(authority, region) {
  if (authority === region) return region;
  if (!authority.startsWith(region + '-')) return null;
  return `${region}-${authority.slice(region.length + 1).split('-')[0]}`;
}

const num = (n) => new Intl.NumberFormat('en-GB').format(n);
const pct = (c) => (c === null ? '—' : new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 }).format(c));

// The rows of a table on the page: key, the raw sums, and the cells as shown (coverage, vaccinated,
// registered).
async function readTable(p, name) {
  return p.getByTestId(`table-${name}`).locator('tbody [data-testid="row"]').evaluateAll((trs) =>
    trs.map((tr) => ({
      key: tr.dataset.key,
      vaccinated: Number(tr.dataset.vaccinated),
      registered: Number(tr.dataset.registered),
      text: [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()),
    })),
  );
}

// Every row of the page's table matches the API's sums, as numbers and as English-formatted text,
// and the table has exactly the API's keys.
function assertTableMatches(p, name, expected) {
  return eventually(() => tableMatches(p, name, expected));
}
async function tableMatches(p, name, expected) {
  const rows = await readTable(p, name);
  assert.deepEqual(rows.map((r) => r.key).sort(), [...expected.keys()].sort(), `${name}: keys`);
  for (const r of rows) {
    const want = expected.get(r.key);
    assert.equal(r.vaccinated, want.vaccinated, `${name} ${r.key}: vaccinated`);
    assert.equal(r.registered, want.registered, `${name} ${r.key}: registered`);
    assert.deepEqual(r.text, [pct(want.coverage), num(want.vaccinated), num(want.registered)], `${name} ${r.key}: text`);
  }
  return rows;
}

async function waitReady(p, queryPart = '') {
  await p.waitForFunction(
    (q) => {
      const d = document.querySelector('[data-testid="dashboard"]');
      return d && (d.dataset.state === 'ready' || d.dataset.state === 'empty') && d.dataset.query.includes(q);
    },
    queryPart,
    { timeout: 20000 },
  );
  return p.getByTestId('dashboard').getAttribute('data-query');
}

// RFC 4180: quoted fields, doubled quotes, CRLF records.
function parseCsv(text) {
  const out = [];
  let rec = [];
  let i = 0;
  while (i < text.length) {
    let f = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quote');
        if (text[i] === '"' && text[i + 1] === '"') (f += '"'), (i += 2);
        else if (text[i] === '"') {
          i++;
          break;
        } else f += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n') throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`);
        f += text[i++];
      }
    }
    rec.push(f);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) (out.push(rec), (rec = []), (i += 2));
    else throw new Error(`expected , or CRLF at ${i}`);
  }
  return out;
}

before(async () => {
  server = await startServer({ owners: 20 });
  browser = await launch();
  auditor = await apiLogin(server.url, 'auditor');
  const vet = await apiLogin(server.url, 'vet');
  // The server's calendar day (the test's may differ across midnight): from a lookup.
  const demo = await apiGet(server.url, vet, `/lookup?phone=${encodeURIComponent(server.demoValue('demo owner phone'))}`);
  assert.equal(demo.status, 200, JSON.stringify(demo.body));
  const today = demo.body.today;
  const seeds = [
    ['+77019990001', 'KZ-ABY-01', 'sheep', 100, 'FMD-O', 'FMD-O-INACT'],
    ['+77019990002', 'KZ-ABY-01-03', 'goat', 50, 'PPR', 'PPR-LIVE'],
    ['+77019990003', 'KZ-ABY-02-05', 'sheep', 40, 'FMD-O', 'FMD-O-INACT'],
  ];
  for (const [phoneNo, authority, species, heads, disease, vaccine] of seeds) {
    const o = await apiPost(vet, '/owners', { phone: phoneNo, name: `Owner ${authority}`, authority });
    assert.equal(o.status, 201, JSON.stringify(o.body));
    // A flock of `heads`, every head vaccinated against `disease` today.
    const records = [
      { id: uuidv7(), owner_phone: phoneNo, species, head_count: heads, disease, vaccine, batch_no: 'E2E-1', administered_on: today },
    ];
    const b = await apiPost(vet, '/vaccinations/batch', { records });
    assert.equal(b.status, 200, JSON.stringify(b.body));
    assert.equal(b.body.created, 1, JSON.stringify(b.body));
  }
});

// A new phone signed in as the auditor, on the dashboard with its default query, ready.
async function openDashboard() {
  const context = await phone(browser, { acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, server.url, 'auditor');
  await waitReady(page);
  return { context, page };
}

// Runs `body(page, context)` on a fresh dashboard page and closes it.
async function onDashboard(body) {
  const { context, page } = await openDashboard();
  try {
    await body(page, context);
  } finally {
    await context.close();
  }
}

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the auditor lands on the dashboard: four charts, four tables, the region table equals the API', async () => {
  const context = await phone(browser);
  try {
    const page = await context.newPage();
    await signIn(page, server.url, 'auditor');
    assert.equal(new URL(page.url()).pathname, '/dashboard');
    const query = await waitReady(page);
    assert.match(query, /^region=KZ-ABY(&|$)/);

    const canvases = page.locator('canvas[data-chart]');
    await expectCount(canvases, 4);
    for (const box of await canvases.evaluateAll((cs) => cs.map((c) => ({ w: c.width, h: c.height, drawn: !!c.getContext('2d') })))) {
      assert.ok(box.w > 0 && box.h > 0 && box.drawn, JSON.stringify(box));
    }
    for (const t of ['region', 'disease', 'species', 'month']) await expectCount(page.getByTestId(`table-${t}`), 1, t);

    const api = await apiGet(server.url, auditor, `/reports/coverage?${query}`);
    assert.equal(api.status, 200);
    assert.equal(api.body.region, 'KZ-ABY');
    assert.ok(api.body.rows.length > 0);
    const regions = await assertTableMatches(page, 'region', sumBy(api.body.totals, (r) => nextLevel(r.authority, 'KZ-ABY')));
    // The demo county's own owners, and the two sub-regions; KZ-ABY-01-03 and KZ-ABY-02-05 roll up.
    assert.deepEqual(regions.map((r) => r.key), ['KZ-ABY', 'KZ-ABY-01', 'KZ-ABY-02']);
    await assertTableMatches(page, 'disease', sumBy(api.body.totals, (r) => r.disease));
    await assertTableMatches(page, 'species', sumBy(api.body.totals, (r) => r.species));
    // Every table's total is the period's, from the server's totals, the months' table's too: the
    // demo's animals are present all year, and adding up months would count them twelve times.
    const period = sumBy(api.body.totals, () => '').get('');
    const monthsAddedUp = sumBy(api.body.rows, () => '').get('');
    assert.ok(monthsAddedUp.registered > 6 * period.registered, 'the months added up differ from the period');
    for (const t of ['region', 'disease', 'species', 'month']) {
      await expectEval(
        page,
        (name) => [...document.querySelectorAll(`[data-testid="table-${name}"] [data-testid="total"] td`)].map((td) => td.textContent.trim()),
        [pct(period.coverage), num(period.vaccinated), num(period.registered)],
        t,
        t,
      );
    }
    // The months, each from its own rows.
    await assertTableMatches(page, 'month', sumBy(api.body.rows, (r) => r.month));

    // Months: every month of the period, oldest first, labelled in the language.
    const [y, m] = api.body.to.split('-').map(Number);
    const want = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 15)));
    await eventually(async () => {
      const months = await readTable(page, 'month');
      assert.equal(months.length, 12);
      assert.equal(months[0].key, api.body.from);
      assert.equal(months.at(-1).key, api.body.to);
      const labels = await page.getByTestId('table-month').locator('tbody th').allTextContents();
      assert.equal(labels.at(-1).trim(), want);
    });

    // The filters show the period the server chose.
    await expectValue(page.getByTestId('filter-from'), api.body.from);
    await expectValue(page.getByTestId('filter-to'), api.body.to);
    await expectAllTranslated(page);
    await shot(page, 'dashboard');
  } finally {
    await context.close();
  }
});

test('changing the disease filter: the tables follow the API for the new query', () =>
  onDashboard(async (page) => {
    await eventually(async () => assert.ok((await readTable(page, 'disease')).length > 1, 'more than one disease before filtering'));
    await page.getByTestId('filter-disease').selectOption('FMD-O');
    const query = await waitReady(page, 'disease=FMD-O');
    const api = await apiGet(server.url, auditor, `/reports/coverage?${query}`);
    assert.equal(api.status, 200);
    assert.ok(api.body.rows.every((r) => r.disease === 'FMD-O'));
    const diseases = await assertTableMatches(page, 'disease', sumBy(api.body.totals, (r) => r.disease));
    assert.deepEqual(diseases.map((r) => r.key), ['FMD-O']);
    const regions = await assertTableMatches(page, 'region', sumBy(api.body.totals, (r) => nextLevel(r.authority, 'KZ-ABY')));
    await assertTableMatches(page, 'species', sumBy(api.body.totals, (r) => r.species));
    // The seeded KZ-ABY-02-05 flock: 40 of 40 sheep against FMD-O this month.
    assert.equal(regions.find((r) => r.key === 'KZ-ABY-02')?.vaccinated, 40);
    await expectValue(page.getByTestId('filter-disease'), 'FMD-O');
    await shot(page, 'dashboard-filtered');
  }));

test('the CSV download is exactly the API rows for the query shown', () =>
  onDashboard(async (page) => {
    await page.getByTestId('filter-disease').selectOption('FMD-O');
    const query = await waitReady(page, 'disease=FMD-O');
    const api = await apiGet(server.url, auditor, `/reports/coverage?${query}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-download').click()]);
    assert.equal(download.suggestedFilename(), `coverage-${api.body.region}-${api.body.from}-${api.body.to}.csv`);
    const bytes = readFileSync(await download.path());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte order mark');
    const records = parseCsv(bytes.subarray(3).toString('utf8'));
    const cols = ['authority', 'disease', 'species', 'month', 'vaccinated_head', 'registered_head', 'coverage'];
    assert.deepEqual(records[0], cols);
    const rows = records.slice(1).map((rec) => ({
      authority: rec[0],
      disease: rec[1],
      species: rec[2],
      month: rec[3],
      vaccinated_head: Number(rec[4]),
      registered_head: Number(rec[5]),
      coverage: Number(rec[6]),
    }));
    assert.ok(rows.length > 0, 'the seeded FMD-O flocks are in the file');
    assert.equal(rows.length, api.body.rows.length);
    assert.deepEqual(rows, api.body.rows.map((r) => Object.fromEntries(cols.map((c) => [c, r[c]]))));
  }));

test('choosing a sub-region goes one level down, and the way back up is offered', () =>
  onDashboard(async (page) => {
    await page.getByTestId('filter-region').selectOption('KZ-ABY-01');
    const query = await waitReady(page, 'region=KZ-ABY-01');
    const api = await apiGet(server.url, auditor, `/reports/coverage?${query}`);
    assert.equal(api.body.region, 'KZ-ABY-01');
    const rows = await assertTableMatches(page, 'region', sumBy(api.body.totals, (r) => nextLevel(r.authority, 'KZ-ABY-01')));
    assert.deepEqual(rows.map((r) => r.key), ['KZ-ABY-01', 'KZ-ABY-01-03']);
    await eventually(async () => {
      const options = await page.getByTestId('filter-region').locator('option').evaluateAll((os) => os.map((o) => o.value));
      assert.ok(options.includes('KZ-ABY'), `up to KZ-ABY offered: ${options}`);
    });
    await page.getByTestId('filter-region').selectOption('KZ-ABY');
    await waitReady(page, 'region=KZ-ABY&');
    await eventually(async () => assert.ok((await readTable(page, 'region')).some((r) => r.key === 'KZ-ABY-02')));
  }));

test('offline: the dashboard says it needs the network and shows the last report kept, with its time', () =>
  onDashboard(async (page, context) => {
    const shownBefore = await eventually(async () => {
      const rows = await readTable(page, 'region');
      assert.ok(rows.length > 0);
      return rows;
    });
    await context.setOffline(true);
    try {
      await page.getByTestId('filter-species').selectOption('sheep');
      await page.waitForFunction(() => document.querySelector('[data-testid="dashboard"]')?.dataset.state === 'offline');
      await expectCount(page.getByTestId('offline'), 1);
      await expectText(page.getByTestId('cached'), /\d/);
      // The kept report is the last one fetched (no species filter): its tables are still there,
      // and the filters say so.
      await eventually(async () => assert.deepEqual(await readTable(page, 'region'), shownBefore));
      await expectValue(page.getByTestId('filter-species'), '');
      await expectAllTranslated(page);
    } finally {
      await context.setOffline(false);
    }
    // Back online: the screen loads from the server by itself, and then the species filter works.
    await page.waitForFunction(() => document.querySelector('[data-testid="dashboard"]')?.dataset.state === 'ready');
    await expectCount(page.getByTestId('cached'), 0);
    await page.getByTestId('filter-species').selectOption('sheep');
    const query = await waitReady(page, 'species=sheep');
    const api = await apiGet(server.url, auditor, `/reports/coverage?${query}`);
    const species = await assertTableMatches(page, 'species', sumBy(api.body.totals, (r) => r.species));
    assert.deepEqual(species.map((r) => r.key), ['sheep']);
  }));

test('filters that match nothing: the empty state, no charts, no CSV', () =>
  onDashboard(async (page) => {
    await page.getByTestId('filter-species').selectOption('yak');
    const query = await waitReady(page, 'species=yak');
    const api = await apiGet(server.url, auditor, `/reports/coverage?${query}`);
    assert.equal(api.status, 200);
    assert.equal(api.body.rows.length, 0);
    await expectAttr(page.getByTestId('dashboard'), 'data-state', 'empty');
    await expectCount(page.getByTestId('empty'), 1);
    await expectCount(page.locator('canvas'), 0);
    await expectCount(page.getByTestId('csv-download'), 0);
  }));

test('every language has every string; Uyghur lays the dashboard out right to left', () =>
  onDashboard(async (page) => {
    for (const lang of LANGS) {
      await page.getByTestId('language').selectOption(lang);
      await page.waitForFunction((l) => document.documentElement.lang === l, lang);
      await waitReady(page);
      await expectCount(page.locator('canvas[data-chart]'), 4, lang);
      await expectAllTranslated(page);
      if (lang === 'ug') {
        await expectEval(page, () => document.documentElement.dir, 'rtl');
        // Month names in Uyghur (Arabic script) even where the browser's Intl has no Uyghur.
        await eventually(async () => {
          const last = (await page.getByTestId('table-month').locator('tbody th').allTextContents()).at(-1);
          assert.match(last, /[\u0600-\u06FF]/, last);
        });
        await shot(page, 'dashboard-ug');
      }
      if (lang === 'kk' || lang === 'ru') await shot(page, `dashboard-${lang}`);
    }
  }));

test('at 390 px a wide table scrolls inside its own box, with a cue, and the page does not overflow', () =>
  onDashboard(async (page) => {
    // French: the disease table is wider than a 390 px phone (long disease names and headers).
    await page.getByTestId('language').selectOption('fr');
    await page.waitForFunction(() => document.documentElement.lang === 'fr');
    await waitReady(page);
    const box = page.getByTestId('table-scroll-disease');
    await expectEval(page, () => document.documentElement.scrollWidth, 390, 'the page is no wider than the phone');
    await eventually(async () => {
      const m = await box.evaluate((el) => ({ client: el.clientWidth, scroll: el.scrollWidth, overflow: getComputedStyle(el).overflowX }));
      assert.ok(m.scroll > m.client, `the table is wider than its box: ${JSON.stringify(m)}`);
      assert.equal(m.overflow, 'auto');
    });
    // The cue: more to the end, nothing before the start, and the hint in words.
    await expectAttr(box, 'data-more', 'end');
    const hint = page.getByTestId('scroll-hint-disease');
    await eventually(async () => assert.ok(await hint.isVisible(), 'the scroll hint shows'));
    await expectText(hint, /glisser/);
    // Scrolled to the end the cue moves to the start; a table that fits has none.
    await box.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
    await expectAttr(box, 'data-more', 'start');
    await page.getByTestId('language').selectOption('zh-Hans');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-Hans');
    await waitReady(page);
    await expectAttr(box, 'data-more', 'none');
    await eventually(async () => assert.equal(await hint.isVisible(), false, 'no hint when the table fits'));
    await shot(page, 'dashboard-zh-fits');
  }));

test('a bad month from the address bar shows the server\u2019s complaint naming the field', () =>
  onDashboard(async (page) => {
    await page.goto(`${server.url}/dashboard?region=KZ-ABY&from=2026-13`);
    await page.waitForFunction(() => document.querySelector('[data-testid="dashboard"]')?.dataset.state === 'error');
    await expectText(page.getByTestId('error'), /\(from\)/);
  }));

test('a vaccinator is not offered the dashboard and is sent home', async () => {
  const ctx = await phone(browser);
  try {
    const p = await ctx.newPage();
    await signIn(p, server.url, 'vaccinator');
    await p.waitForFunction(() => document.body.dataset.screen === 'vaccinator');
    await expectCount(p.getByTestId('nav-dashboard'), 0);
    await p.goto(`${server.url}/dashboard`);
    await p.waitForFunction(() => document.body.dataset.screen === 'vaccinator');
    assert.equal(new URL(p.url()).pathname, '/vaccinator');
    await expectCount(p.getByTestId('dashboard'), 0);
    const token = await apiLogin(server.url, 'vaccinator');
    assert.equal((await apiGet(server.url, token, '/reports/coverage')).status, 403);
  } finally {
    await ctx.close();
  }
});
