// W14 map (issue 13 item 5), end to end: a real `herdpass serve` with the demo county (its outbreak
// FARM-OB-01, the zone of 3 and 10 km around it, the public places and the farms), Chromium at
// phone size, and no tile server: the map must draw points, circles and lines on a blank ground and
// ask no tile host for anything. What the page shows is checked against the API's answers for the
// same user; a journey of two sales (farm, market, farm) made through the API gives a trace to
// draw. One test starts a second server with --tile-url pointing at a fake tile server on
// loopback (tiles come from outside the machine in the field), to see that the option reaches the
// map and the page's Content-Security-Policy lets the tiles in. Each test opens its own browser
// context; every check of the page after an action waits.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  apiGet,
  apiLogin,
  apiPost,
  eventually,
  expectAllTranslated,
  expectAttr,
  expectCount,
  expectEval,
  expectText,
  freshPhone,
  freshTag,
  idbGet,
  launch,
  phone,
  serverToday,
  shot,
  signIn,
  startServer,
} from './harness.mjs';

let server;
let browser;
let holdings; // the demo vet's, from GET /holdings
let outbreaks; // the demo vet's, from GET /outbreaks
let farm; // FARM-OB-01

// Movements worth tracing, made through the API before the map reads anything: a cow of farm A
// sold at market M, a cow of M's sold on to farm B, both arrived (the holdings near the demo
// county's centre). Returns A's id.
async function makeJourney(vet) {
  const inspector = await apiLogin(server.url, 'inspector');
  const u = randomUUID().slice(0, 6);
  const holding = async (code, kind, lat, lon) => {
    const r = await apiPost(server.url, vet, '/holdings', { code: `${code}-${u}`, kind, name: `Trace ${code} ${u}`, lat, lon, opened_on: '2020-01-01' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id;
  };
  const a = await holding('A', 'farm', 47.8, 80.2);
  const m = await holding('M', 'market', 47.86, 80.62);
  const b = await holding('B', 'farm', 48.05, 80.75);
  const move = async (from, to) => {
    const phone = await freshPhone(server.url, vet);
    const tag = freshTag();
    const dose = { id: randomUUID(), owner_phone: phone, owner_name: 'Trace owner', animal_tags: [tag], species: 'cattle', disease: 'FMD-O', vaccine: 'FMD-OA-INACT', batch_no: 'TRACE-1', dose_ml: 2.0, administered_on: await serverToday(server, vet) };
    const batch = await apiPost(server.url, vet, '/vaccinations/batch', { records: [dose] });
    assert.equal(batch.status, 200, JSON.stringify(batch.body));
    const issued = await apiPost(server.url, vet, '/certificates', {
      owner_phone: phone, animal_tags: [tag], species: 'cattle', purpose: 'sale', origin_place: 'Kopa village', origin_holding: from,
      destination: 'KZ-ABY', destination_place: 'next holding', destination_holding: to, transport: 'truck 123 ABC 05',
    });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    const arrived = await apiPost(server.url, inspector, `/certificates/${issued.body.id}/consume`, { place: 'gate', holding: to });
    assert.equal(arrived.status, 200, JSON.stringify(arrived.body));
  };
  await move(a, m);
  await move(m, b);
  return a;
}

let journeyStart; // farm A of makeJourney

before(async () => {
  server = await startServer({ owners: 12 });
  browser = await launch();
  const vet = await apiLogin(server.url, 'vet');
  journeyStart = await makeJourney(vet);
  const h = await apiGet(server.url, vet, '/holdings?limit=1000');
  assert.equal(h.status, 200, JSON.stringify(h.body));
  assert.equal(h.body.next_cursor, null, 'the demo county fits one page');
  holdings = h.body.items;
  const o = await apiGet(server.url, vet, '/outbreaks?limit=1000');
  assert.equal(o.status, 200, JSON.stringify(o.body));
  outbreaks = o.body.items;
  farm = holdings.find((x) => x.code === 'FARM-OB-01');
  assert.ok(farm, 'the demo has its outbreak farm');
  assert.ok(outbreaks.some((x) => x.holding === farm.id && x.status === 'confirmed'), 'the demo outbreak is confirmed');
  assert.ok(holdings.length >= 5, `holdings: ${holdings.length}`);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// A fresh phone signed in as `role` (in `lang`), on the map once it has drawn the holdings; every
// request the page makes is in `requests`.
async function onMap(role, fn, { lang = 'en', url = () => server.url } = {}) {
  const context = await phone(browser);
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  try {
    await signIn(page, url(), role, { lang });
    await page.getByTestId('nav-map').click();
    await expectAttr(page.getByTestId('map-screen'), 'data-state', 'ready');
    return await fn(page, context, requests);
  } finally {
    await context.close();
  }
}

const points = (page) => page.locator('path[data-testid="holding-point"]');
const keyOf = (page, key) => page.locator(`path[data-key="${key}"]`);
const rowOf = (page, key) => page.locator(`tr[data-testid="map-row"][data-key="${key}"]`);

test('the vet’s map draws every holding and the outbreak on a blank ground, lists them, and asks no tile server', () =>
  onMap('vet', async (page, _context, requests) => {
    await expectCount(points(page), holdings.length, 'one point per holding of the jurisdiction');
    // Each point is of its holding's kind.
    for (const h of holdings) await expectEval(page, (key) => [...document.querySelector(`path[data-key="${key}"]`).classList].find((c) => c.startsWith('hp-kind-')), `hp-kind-${h.kind}`, h.code, `h:${h.id}`);
    await expectCount(page.locator('path[data-testid="outbreak-point"]'), outbreaks.length);
    const outbreak = outbreaks.find((x) => x.holding === farm.id);
    await expectCount(page.locator(`path[data-key="o:${outbreak.id}"].hp-status-confirmed`), 1);
    // The table lists the same.
    await expectCount(page.locator('tr[data-testid="map-row"][data-layer="holdings"]'), holdings.length);
    await expectCount(page.locator('tr[data-testid="map-row"][data-layer="outbreaks"]'), outbreaks.length);
    await expectText(rowOf(page, `h:${farm.id}`), /FARM-OB-01/);
    await expectText(rowOf(page, `o:${outbreak.id}`), /confirmed/);
    // A blank ground with a scale bar: no tile layer, no tile image.
    await expectAttr(page.getByTestId('map-canvas'), 'data-tiles', 'none');
    await expectCount(page.locator('.leaflet-control-scale-line'), 1);
    await expectText(page.locator('.leaflet-control-scale-line'), /^\d[\d,.]* k?m$/);
    await expectCount(page.locator('img.leaflet-tile'), 0);
    const origin = new URL(server.url).origin;
    const elsewhere = requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
    assert.deepEqual(elsewhere, [], 'no request leaves the HerdPass server');
    assert.deepEqual(requests.filter((u) => /\/\d+\/\d+\/\d+(@2x)?\.(png|jpg|webp|pbf)/.test(u)), [], 'no tile requested');
    assert.ok(requests.some((u) => u.startsWith(`${origin}/api/v1/map/tiles`)), 'the map asked its server for a tile server');
  }));

// The demo zone (3 and 10 km round FARM-OB-01), as GET /api/v1/zones lists it for the vet: drawn
// as two circles round the farm's point and listed once in the table; the note for a server with
// no zone list is not shown.
test('the demo zone is listed and drawn as its protection and surveillance circles', async () => {
  const vet = await apiLogin(server.url, 'vet');
  const z = await apiGet(server.url, vet, '/zones');
  assert.equal(z.status, 200, JSON.stringify(z.body));
  const zone = z.body.items.find((x) => x.holding === farm.id);
  assert.ok(zone, `the demo zone round FARM-OB-01 is listed: ${JSON.stringify(z.body)}`);
  assert.equal(z.body.items.length, 1, 'the demo has one zone in force');
  await onMap('vet', async (page) => {
    await expectCount(page.getByTestId('zones-unlisted'), 0);
    await expectCount(page.locator('path[data-testid="zone-protection"]'), 1);
    await expectCount(page.locator('path[data-testid="zone-surveillance"]'), 1);
    await expectCount(page.locator('tr[data-testid="map-row"][data-layer="zones"]'), 1);
    await expectText(page.locator('tr[data-testid="map-row"][data-layer="zones"]'), /3 \/ 10 km/);
    // The surveillance circle is the larger, and both stand round the outbreak farm's point.
    await eventually(async () => {
      const box = async (sel) => page.locator(sel).first().boundingBox({ timeout: 1000 });
      const [p, s, f] = [await box('path[data-testid="zone-protection"]'), await box('path[data-testid="zone-surveillance"]'), await box(`path[data-key="h:${farm.id}"]`)];
      assert.ok(s.width > p.width * 2.5, `surveillance ${s.width} against protection ${p.width}`);
      const centre = (b) => [b.x + b.width / 2, b.y + b.height / 2];
      const [fx, fy] = centre(f);
      for (const [cx, cy] of [centre(p), centre(s)]) assert.ok(Math.hypot(cx - fx, cy - fy) < 3, `circle centre ${cx},${cy} against the farm ${fx},${fy}`);
    });
    await expectCount(page.locator(`tr[data-testid="map-row"][data-key="z:${zone.id}"]`), 1);
  });
});

test('selecting a row marks its feature on the map, and tapping a feature selects its row', () =>
  onMap('vet', async (page) => {
    await expectCount(points(page), holdings.length);
    await rowOf(page, `h:${farm.id}`).getByTestId('map-pick').click();
    await expectAttr(rowOf(page, `h:${farm.id}`), 'aria-selected', 'true');
    await expectEval(page, (key) => document.querySelector(`path[data-key="${key}"]`).classList.contains('hp-selected'), true, 'the farm is marked', `h:${farm.id}`);
    await expectCount(page.locator('path.hp-selected'), 1);
    await expectText(page.getByTestId('trace-form').locator('h2'), /Remote summer farm/);
    // A tap on another holding's point (a click event on the SVG path Leaflet drew).
    const other = holdings.find((h) => h.kind === 'market') ?? holdings.find((h) => h.id !== farm.id);
    await keyOf(page, `h:${other.id}`).dispatchEvent('click');
    await expectAttr(rowOf(page, `h:${other.id}`), 'aria-selected', 'true');
    await expectAttr(rowOf(page, `h:${farm.id}`), 'aria-selected', 'false');
    await expectEval(page, () => [...document.querySelectorAll('path.hp-selected')].map((p) => p.dataset.key), [`h:${other.id}`]);
    // Tapping it again clears the selection, and the trace form goes with it.
    await keyOf(page, `h:${other.id}`).dispatchEvent('click');
    await expectCount(page.locator('tr[data-testid="map-row"][aria-selected="true"]'), 0);
    await expectCount(page.getByTestId('trace-form'), 0);
    // Layers: turning holdings off takes them off the map and out of the table.
    await page.getByTestId('layer-holdings').uncheck();
    await expectCount(points(page), 0);
    await expectCount(page.locator('tr[data-testid="map-row"][data-layer="holdings"]'), 0);
    await expectCount(page.locator('tr[data-testid="map-row"][data-layer="outbreaks"]'), outbreaks.length);
  }));

// Farm A of makeJourney and the API's forward trace from it for FMD (serotype O): the page must
// draw exactly that.
async function traceStart() {
  const vet = await apiLogin(server.url, 'vet');
  const r = await apiGet(server.url, vet, `/trace?holding=${journeyStart}&direction=forward&depth=2&disease=FMD-O`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.movements.length, 2, JSON.stringify(r.body));
  return { start: holdings.find((h) => h.id === journeyStart), answer: r.body };
}

test('a trace from a holding draws each movement as a line from its origin with an arrow, and lists it', async () => {
  const { start, answer } = await traceStart();
  await onMap('vet', async (page) => {
    await expectCount(points(page), holdings.length);
    await rowOf(page, `h:${start.id}`).getByTestId('map-pick').click();
    await page.getByTestId('trace-direction').selectOption('forward');
    await page.getByTestId('trace-depth').selectOption('2');
    await page.getByTestId('trace-disease').selectOption('FMD-O');
    await page.getByTestId('trace-run').click();
    await expectCount(page.locator('path[data-testid="trace-line"]'), answer.movements.length);
    await expectCount(page.locator('path[data-testid="trace-arrow"]'), answer.movements.length);
    await expectCount(page.locator('tr[data-testid="map-row"][data-layer="trace"]'), answer.movements.length);
    await expectText(page.getByTestId('trace-summary'), new RegExp(`${answer.movements.length}`));
    // Each line starts at its origin's point and ends at its destination's.
    for (const [i, m] of answer.movements.entries()) {
      const key = `m:${i}:${m.certificate_id}`;
      await eventually(async () => {
        const ends = await page.evaluate((k) => {
          const line = document.querySelector(`path[data-testid="trace-line"][data-key="${k}"]`);
          const nums = line.getAttribute('d').match(/-?\d+(\.\d+)?/g).map(Number);
          return { from: [nums[0], nums[1]], to: [nums.at(-2), nums.at(-1)] };
        }, key);
        const centre = async (id) =>
          page.evaluate((hk) => {
            const b = document.querySelector(`path[data-key="${hk}"]`).getBBox();
            return [b.x + b.width / 2, b.y + b.height / 2];
          }, `h:${id}`);
        const [a, b] = [await centre(m.from_holding), await centre(m.to_holding)];
        assert.ok(Math.hypot(ends.from[0] - a[0], ends.from[1] - a[1]) < 1.5, `${key} starts at its origin: ${ends.from} vs ${a}`);
        assert.ok(Math.hypot(ends.to[0] - b[0], ends.to[1] - b[1]) < 1.5, `${key} ends at its destination: ${ends.to} vs ${b}`);
      });
    }
    // A movement's row selects its line.
    const first = `m:0:${answer.movements[0].certificate_id}`;
    await rowOf(page, first).getByTestId('map-pick').click();
    await expectEval(page, (k) => [...document.querySelectorAll('path.hp-selected')].every((p) => p.dataset.key === k) && document.querySelectorAll('path.hp-selected').length === 2, true, 'the line and its arrow are marked', first);
    // Cleared: the lines and rows go.
    await page.getByTestId('trace-clear').click();
    await expectCount(page.locator('path[data-testid="trace-line"]'), 0);
    await expectCount(page.locator('tr[data-testid="map-row"][data-layer="trace"]'), 0);
  });
});

test('offline, the map shows what was last loaded, with when', () =>
  onMap('vet', async (page, context) => {
    await expectCount(points(page), holdings.length);
    const kept = await eventually(async () => {
      const v = await idbGet(page, 'kv', 'map.last');
      assert.equal(v?.holdings?.length, holdings.length);
      return v;
    });
    assert.ok(!JSON.stringify(kept).includes('owner_masked_name'), 'no owner kept with the map');
    // The service worker has the app once it is ready, and serves the page from the next load.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await page.waitForFunction(() => !!navigator.serviceWorker.controller);
    await expectAttr(page.getByTestId('map-screen'), 'data-state', 'ready');
    await context.setOffline(true);
    try {
      await page.reload();
      await expectAttr(page.getByTestId('map-screen'), 'data-state', 'offline');
      await expectText(page.getByTestId('cached'), /\d/);
      await expectCount(points(page), holdings.length);
      await expectCount(page.locator('tr[data-testid="map-row"][data-layer="holdings"]'), holdings.length);
      await expectAllTranslated(page);
    } finally {
      await context.setOffline(false);
    }
  }));

test('vets, admins and auditors have the map; vaccinators and inspectors do not', async () => {
  for (const role of ['admin', 'auditor']) {
    await onMap(role, async (page) => {
      await expectCount(points(page).first(), 1, `${role} sees holdings`);
      await expectCount(page.locator('path[data-testid="outbreak-point"]'), outbreaks.length);
    });
  }
  for (const role of ['vaccinator', 'inspector']) {
    const context = await phone(browser);
    const page = await context.newPage();
    try {
      await signIn(page, server.url, role);
      await expectCount(page.getByTestId('nav-map'), 0, `${role} has no map entry`);
      await page.goto(`${server.url}/map`);
      await page.waitForFunction(() => document.body.dataset.screen && document.body.dataset.screen !== 'signin');
      await expectEval(page, () => document.body.dataset.screen !== 'map' && location.pathname !== '/map', true, `${role} is sent home from /map`);
      await expectCount(page.getByTestId('map-screen'), 0);
    } finally {
      await context.close();
    }
  }
});

for (const lang of ['ug', 'kk', 'ru']) {
  test(`the map at 390 px in ${lang}: every text translated, nothing wider than the phone`, () =>
    onMap(
      'vet',
      async (page) => {
        await expectCount(points(page), holdings.length);
        // A trace drawn, so that its rows and summary are read too.
        await rowOf(page, `h:${journeyStart}`).getByTestId('map-pick').click();
        await page.getByTestId('trace-disease').selectOption('FMD-O');
        await page.getByTestId('trace-run').click();
        await expectCount(page.locator('tr[data-testid="map-row"][data-layer="trace"]'), 2);
        await expectCount(page.getByTestId('trace-summary'), 1);
        await expectCount(page.getByTestId('trace-form'), 1);
        await expectAllTranslated(page);
        await expectEval(page, () => document.documentElement.scrollWidth <= window.innerWidth, true, 'no sideways scroll');
        await expectEval(page, () => document.documentElement.dir, lang === 'ug' ? 'rtl' : 'ltr');
        // The map keeps north up and east right in a right-to-left page.
        await expectEval(page, () => document.querySelector('[data-testid="map-canvas"]').getAttribute('dir'), 'ltr');
        await shot(page, `map-${lang}`);
      },
      { lang },
    ));
}

test('with --tile-url the map draws the tile server’s tiles, which the page’s policy lets in', async () => {
  // A fake tile server on loopback: a 1x1 PNG for any /z/x/y.png, counting what it is asked.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
  const asked = [];
  const tiles = createServer((req, res) => {
    asked.push(req.url);
    if (!/^\/\d+\/\d+\/\d+\.png$/.test(req.url)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'no-store' }).end(png);
  });
  await new Promise((ok) => tiles.listen(0, '127.0.0.1', ok));
  const tileUrl = `http://127.0.0.1:${tiles.address().port}/{z}/{x}/{y}.png`;
  const withTiles = await startServer({ owners: 3, serveArgs: ['--tile-url', tileUrl, '--tile-attribution', 'Test tiles'] });
  try {
    const cfg = await apiGet(withTiles.url, null, '/map/tiles');
    assert.deepEqual(cfg.body, { url: tileUrl, attribution: 'Test tiles' });
    await onMap(
      'vet',
      async (page) => {
        await expectAttr(page.getByTestId('map-canvas'), 'data-tiles', 'server');
        await eventually(async () => assert.ok((await page.locator('img.leaflet-tile-loaded').count()) > 0, 'tiles loaded'));
        await expectText(page.locator('.leaflet-control-attribution'), /Test tiles/);
        assert.ok(asked.some((u) => /^\/\d+\/\d+\/\d+\.png$/.test(u)), `the tile server was asked: ${asked.slice(0, 5)}`);
      },
      { url: () => withTiles.url },
    );
  } finally {
    await withTiles.stop();
    await new Promise((ok) => tiles.close(ok));
  }
});
