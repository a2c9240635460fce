// W10 in the browser (issue 14 item 4): the inspector takes a field copy of the district online
// (IndexedDB), refreshes it with the cursor, goes offline (context.setOffline), and the phone check
// is answered from the copy, saying so, with the same slaughter summary as the server's answer;
// signing out deletes the copy. A copy over the server's row limit shows its limit. The card and
// the answer in ug, kk and ru at 390 px, with screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiGet,
  apiLogin,
  eventually,
  expectAllTranslated,
  expectAttr,
  expectCount,
  expectEval,
  expectText,
  idbGet,
  eventuallyValue,
  launch,
  phone,
  shotOf,
  signIn,
  smallTargetsIn,
  startServer,
} from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ owners: 20 });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// What the copy holds in the page's IndexedDB: its rows (records), its meta and the reads kept.
const copyInDb = (page) =>
  page.evaluate(
    () =>
      new Promise((ok, fail) => {
        const open = indexedDB.open('herdpass');
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const d = open.result;
          if (!d.objectStoreNames.contains('fieldcopy')) return ok({ rows: -1, meta: null, reads: 0 });
          const tx = d.transaction(['fieldcopy', 'kv']);
          // One record per owner, each with the rows of that owner.
          const all = tx.objectStore('fieldcopy').getAll();
          const meta = tx.objectStore('kv').get('fieldcopy_meta');
          const reads = tx.objectStore('kv').get('fieldcopy_reads');
          tx.oncomplete = () => {
            const rows = all.result.reduce((n, b) => n + Object.keys(b.rows).length, 0);
            ok({ rows, meta: meta.result ?? null, reads: (reads.result ?? []).length });
            d.close();
          };
          tx.onerror = () => fail(tx.error);
        };
      }),
  );

// The slaughter summary as the screen shows it: per disease the head and head covered, the verdict,
// the failing animals' tags.
const summaryOnScreen = (page) =>
  page.evaluate(() => ({
    rules: [...document.querySelectorAll('[data-testid="rule-disease"]')].map((e) => `${e.dataset.disease} ${e.dataset.covered}/${e.dataset.head}`),
    ready: document.querySelector('[data-testid="slaughter-verdict"]')?.getAttribute('data-ready') ?? null,
    failing: [...document.querySelectorAll('[data-testid="failing-animal"]')].map((e) => e.dataset.tag).sort(),
    owner: document.querySelector('[data-testid="owner-name"]')?.textContent ?? null,
  }));

async function takeCopy(page) {
  const card = page.getByTestId('fieldcopy');
  await expectAttr(card, 'data-state', 'none', 'no copy on a fresh phone');
  await page.getByTestId('fieldcopy-summary').click();
  await page.getByTestId('fieldcopy-take').click();
  await expectAttr(card, 'data-state', 'held', 'the copy is held');
}

async function checkPhone(page, phoneNumber) {
  await page.getByTestId('phone-input').fill(phoneNumber);
  await page.getByTestId('phone-submit').click();
}

test('take a copy online, refresh it, answer the phone check from it offline, and sign-out deletes it', { timeout: 180_000 }, async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  const copyRequests = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/field-copy')) copyRequests.push(new URL(r.url()).searchParams.get('since'));
  });
  try {
    await signIn(page, server.url, 'inspector');
    await expectAttr(page.locator('body'), 'data-screen', 'inspector');
    await takeCopy(page);
    // Its size and age on the card, and in IndexedDB every record the meta counts.
    const held = await eventually(async () => {
      const c = await copyInDb(page);
      assert.ok(c.meta, 'meta kept');
      assert.equal(c.rows, c.meta.records, 'rows kept = records counted');
      assert.ok(c.rows > 20, `a copy of 20 households has more than 20 records, got ${c.rows}`);
      assert.match(c.meta.cursor, /^fc1\.\d+$/);
      return c;
    });
    // Counts and sizes are set apart (U+2068…U+2069) so that they read whole in Uyghur too.
    await expectText(page.getByTestId('fieldcopy-size'), new RegExp(`^Records: \u2068${held.meta.records.toLocaleString('en-GB')}\u2069 · \u2068\\d+ KB\u2069 · KZ-ABY$`));
    await expectText(page.getByTestId('fieldcopy-age'), /^Taken just now · \u2068\d+ KB\u2069 downloaded$/);
    assert.deepEqual(copyRequests, [null], 'the first copy is a full one');

    // Refresh: asks only for what changed since the cursor, and keeps the copy whole.
    await expectText(page.getByTestId('fieldcopy-take'), 'Refresh');
    await page.getByTestId('fieldcopy-take').click();
    await eventually(async () => assert.deepEqual(copyRequests, [null, held.meta.cursor], 'the refresh sends the cursor'));
    await eventually(async () => {
      const c = await copyInDb(page);
      assert.equal(c.rows, held.rows, 'nothing changed on the server: the same records');
      assert.notEqual(c.meta.fetched_at, held.meta.fetched_at, 'the refresh is recorded');
    });

    // A record voided on the server: the next refresh brings that one row, voided, and the cursor moves.
    const owner = server.demoValue('demo owner phone');
    const vet = await apiLogin(server.url, 'vet');
    const before = await apiGet(server.url, vet, `/lookup?phone=${encodeURIComponent(owner)}`);
    const dose = before.body.vaccinations.find((v) => !v.voided);
    const voided = await fetch(`${server.url}/api/v1/vaccinations/${dose.id}/void`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${vet}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'entered twice' }),
    });
    assert.equal(voided.status, 200, await voided.text());
    const refreshed = (await copyInDb(page)).meta;
    await page.getByTestId('fieldcopy-take').click();
    await eventually(async () => assert.equal(copyRequests.length, 3, 'a second refresh'));
    assert.equal(copyRequests[2], refreshed.cursor, 'sent with the last cursor');
    await expectEval(
      page,
      (id) =>
        new Promise((ok) => {
          const open = indexedDB.open('herdpass');
          open.onsuccess = () => {
            const g = open.result.transaction('fieldcopy').objectStore('fieldcopy').getAll();
            g.onsuccess = () => ok(g.result.map((b) => b.rows[`vaccination:${id}`]?.row.voided).filter((x) => x !== undefined));
          };
        }),
      [true],
      'the voided record is voided in the copy',
      dose.id,
    );
    await eventually(async () => {
      const c = await copyInDb(page);
      assert.equal(c.rows, held.rows, 'a voided record stays, voided');
      assert.notEqual(c.meta.cursor, refreshed.cursor, 'the cursor moved');
    });

    // The server's answer for the demo owner, online.
    await checkPhone(page, owner);
    const online = await eventually(async () => {
      const s = await summaryOnScreen(page);
      assert.ok(s.owner && s.rules.length > 0 && s.ready !== null, `the online answer: ${JSON.stringify(s)}`);
      return s;
    });
    await expectCount(page.getByTestId('lookup-from-copy'), 0, 'online: the server answered');

    // Offline: the copy answers, says so, and its summary is the server's.
    await context.setOffline(true);
    await page.getByTestId('phone-input').fill('');
    await checkPhone(page, owner);
    await expectText(page.getByTestId('lookup-from-copy'), /^No network: answered from your copy taken .+\. The server has not seen this check\./);
    await eventually(async () => assert.deepEqual(await summaryOnScreen(page), online, 'the same summary from the copy as from the server'));
    await eventually(async () => assert.equal((await copyInDb(page)).reads, 1, 'the read from the copy is kept on the phone'));

    // A number the copy does not hold: no answer from it.
    await page.getByTestId('phone-input').fill('+77019999999');
    await page.getByTestId('phone-submit').click();
    await expectCount(page.getByTestId('lookup-offline'), 1, 'no owner with this number in the copy: offline, said so');
    await expectCount(page.getByTestId('lookup-from-copy'), 0, 'no answer from the copy');

    // Taking a copy with no network says so and keeps the copy held.
    await page.getByTestId('fieldcopy-take').click();
    await expectText(page.getByTestId('fieldcopy-error'), 'No network: a copy is taken or refreshed only online.');
    await eventually(async () => assert.equal((await copyInDb(page)).rows, held.rows));

    // Sign-out deletes the copy.
    await context.setOffline(false);
    await page.getByTestId('sign-out').click();
    await expectAttr(page.locator('body'), 'data-screen', 'signin');
    await expectEval(page, async () => {
      const open = indexedDB.open('herdpass');
      const d = await new Promise((ok) => (open.onsuccess = () => ok(open.result)));
      const tx = d.transaction(['fieldcopy', 'kv']);
      const rows = await new Promise((ok) => (tx.objectStore('fieldcopy').count().onsuccess = (e) => ok(e.target.result)));
      const meta = await new Promise((ok) => (tx.objectStore('kv').get('fieldcopy_meta').onsuccess = (e) => ok(e.target.result ?? null)));
      d.close();
      return { rows, meta };
    }, { rows: 0, meta: null }, 'the copy is gone after sign-out');
  } finally {
    await context.close();
  }
});

test('a vaccinator takes a copy and, offline, finds an owner this phone never met in it', { timeout: 120_000 }, async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  try {
    await signIn(page, server.url, 'vaccinator');
    await expectAttr(page.locator('body'), 'data-screen', 'vaccinator');
    await takeCopy(page);
    await context.setOffline(true);
    await page.getByTestId('owner-phone').fill(server.demoValue('demo owner phone'));
    await page.getByTestId('owner-find').click();
    await expectAttr(page.getByTestId('owner-chosen'), 'data-source', 'local', 'found on the phone: in the copy');
    await expectText(page.getByTestId('owner-chosen-name'), /\S/);
  } finally {
    await context.close();
  }
});

test('a copy over the server limit shows the limit and keeps nothing', { timeout: 120_000 }, async () => {
  const small = await startServer({ owners: 3, serveArgs: ['--field-copy-max-rows', '10'] });
  const context = await phone(browser);
  const page = await context.newPage();
  try {
    await signIn(page, small.url, 'inspector');
    await page.getByTestId('fieldcopy-summary').click();
    await page.getByTestId('fieldcopy-take').click();
    await expectText(page.getByTestId('fieldcopy-too-large'), 'The copy would have more than 10 records. Choose a smaller district.');
    await expectAttr(page.getByTestId('fieldcopy'), 'data-state', 'none');
    await eventually(async () => assert.deepEqual(await copyInDb(page), { rows: 0, meta: null, reads: 0 }));
    // An area outside the jurisdiction is refused on the phone, naming the user's.
    await page.getByTestId('fieldcopy-area').fill('KZ-ALA');
    await page.getByTestId('fieldcopy-take').click();
    await expectText(page.getByTestId('fieldcopy-error'), /^Choose KZ-ABY or a district under it/);
  } finally {
    await context.close();
    await small.stop();
  }
});

test('a copy past its days is deleted at app start and never answered from', { timeout: 120_000 }, async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  try {
    await signIn(page, server.url, 'inspector');
    await takeCopy(page);
    await page.getByTestId('fieldcopy-days').selectOption('3');
    await eventually(async () => assert.ok((await copyInDb(page)).rows > 0));
    await eventuallyValue(() => idbGet(page, 'kv', 'fieldcopy_days'), (days) => days === 3, 'the setting is kept');
    // Taken three days ago, as far as the phone knows.
    await page.evaluate(() => new Promise((ok, fail) => {
      const open = indexedDB.open('herdpass');
      open.onsuccess = () => {
        const tx = open.result.transaction('kv', 'readwrite');
        const kv = tx.objectStore('kv');
        const g = kv.get('fieldcopy_meta');
        g.onsuccess = () => kv.put({ ...g.result, fetched_at: new Date(Date.now() - 3 * 86_400_000).toISOString() }, 'fieldcopy_meta');
        tx.oncomplete = () => ok();
        tx.onerror = () => fail(tx.error);
      };
    }));
    await page.reload();
    await expectAttr(page.locator('body'), 'data-screen', 'inspector');
    await eventually(async () => assert.deepEqual(await copyInDb(page), { rows: 0, meta: null, reads: 0 }, 'deleted at start'));
    await expectAttr(page.getByTestId('fieldcopy'), 'data-state', 'none');
  } finally {
    await context.close();
  }
});

test('the field copy card and the answer from it in ug, kk and ru at 390 px, with screenshots', { timeout: 240_000 }, async () => {
  const owner = server.demoValue('demo owner phone');
  for (const lang of ['ug', 'kk', 'ru']) {
    const context = await phone(browser);
    const page = await context.newPage();
    try {
      await signIn(page, server.url, 'inspector', { lang });
      await takeCopy(page);
      const card = page.getByTestId('fieldcopy');
      await expectAllTranslated(page);
      // Nothing wider than the phone, every control big enough for a thumb.
      await eventually(async () => {
        const wide = await card.evaluate((el) => el.scrollWidth - el.clientWidth);
        assert.ok(wide <= 0, `${lang}: the card scrolls sideways by ${wide} px`);
      });
      await eventually(async () => assert.deepEqual(await smallTargetsIn(card), [], `${lang}: small targets`));
      await shotOf(card, `field-copy-card-${lang}`);
      // Wait for the catalogue to be kept before the network goes.
      await eventuallyValue(() => idbGet(page, 'kv', 'catalogue'), (kept) => !!kept, `${lang}: the catalogue kept`);
      await context.setOffline(true);
      await checkPhone(page, owner);
      const notice = page.getByTestId('lookup-from-copy');
      await expectCount(notice, 1, `${lang}: answered from the copy`);
      await expectCount(page.getByTestId('rule-disease').first(), 1);
      await expectAllTranslated(page);
      await shotOf(page.locator('.inspector'), `field-copy-answer-${lang}`);
    } finally {
      await context.close();
    }
  }
});
