// What confused or slowed people on a 390 px phone (issue 11, items 5, 7, 9, 11 and 14), end to
// end in Chromium against the real server (serve --public-url https://vet.example.kz --utc-offset
// +05:00): the header fits the screen offline with a record waiting; a wrong password and a record
// the server refused are said in the user's language, with no English; the vet sees before Issue
// which animals meet the movement rules of the purpose, and a refused certificate names the rule in
// words; the printed certificate shows local times and the full verify address with its QR code;
// every visible control on every screen is at least 48 px; new tags start as the species last
// used. One server for the file; each test has its own browser context and its own owners.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { startServer, launch, phone, signIn, apiLogin, apiGet, untranslated, shot, shotOf, readText, eventuallyValue as eventually, freshPhone as freshPhoneOn, freshTag } from './harness.mjs';
import { fileURLToPath } from 'node:url';

let server;
let browser;
let vetToken;
const freshPhone = () => freshPhoneOn(server.url, vetToken);
let today;

const locale = (lang, ns) => JSON.parse(readText(fileURLToPath(new URL(`../src/locales/${lang}/${ns}.json`, import.meta.url))));

before(async () => {
  server = await startServer({ serveArgs: ['--public-url', 'https://vet.example.kz', '--utc-offset', '+05:00'] });
  browser = await launch();
  vetToken = await apiLogin(server.url, 'vet');
  const demo = await apiGet(server.url, vetToken, `/lookup?phone=${encodeURIComponent(server.demoValue('demo owner phone'))}&years=3`);
  assert.equal(demo.status, 200, JSON.stringify(demo.body));
  today = demo.body.today;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage(role, lang = 'en') {
  const context = await phone(browser);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`page error (${role}):`, e));
  await signIn(page, server.url, role, { lang });
  return { context, page };
}

// The page's width, and which controls stick out beyond the 390 px screen.
const pageWidth = (page) => page.evaluate(() => document.documentElement.scrollWidth);

// The size of each control `locator` matches, as "testid WxH".
async function sizes(locator) {
  const out = [];
  for (const el of await locator.all()) {
    const box = await el.boundingBox();
    out.push({ id: (await el.getAttribute('data-testid')) ?? (await el.innerText()), w: box?.width ?? 0, h: box?.height ?? 0 });
  }
  return out;
}
const small = (list) => list.filter((s) => s.w < 48 || s.h < 48);

test('at 390 px, offline with a record waiting, the header fits the screen in ru, kk, en and ug', { timeout: 180_000 }, async () => {
  const { context, page } = await newPage('vaccinator');
  try {
    await page.locator('[data-testid="tag-species"] option[value="sheep"]').waitFor({ state: 'attached' });
    // Each language's strings once while online: a language's files load when first chosen.
    for (const lang of ['ru', 'kk', 'ug', 'en']) {
      await page.getByTestId('language').selectOption(lang);
      await page.waitForFunction((l) => document.documentElement.lang === l && document.body.dataset.screen === 'vaccinator', lang);
    }
    await page.locator('[data-testid="tag-species"] option[value="sheep"]').waitFor({ state: 'attached' });
    await context.setOffline(true);
    await page.getByTestId('net-state').filter({ hasText: 'Offline' }).waitFor();
    // A record saved offline: the vaccinator's normal state in the field.
    await page.getByTestId('owner-phone').fill(await freshPhone());
    await page.getByTestId('owner-find').click();
    await page.getByTestId('owner-name-input').fill('Header Test Owner');
    await page.getByTestId('owner-create').click();
    await page.getByTestId('owner-chosen-name').waitFor();
    await page.getByTestId('mode-flock').click();
    await page.getByTestId('flock-species').selectOption('sheep');
    await page.getByTestId('flock-count').fill('7');
    await page.getByTestId('flock-add').click();
    await page.getByTestId('animal-item').first().waitFor();
    await page.getByTestId('vacc-disease').selectOption('FMD-O');
    await page.getByTestId('vacc-vaccine').selectOption('FMD-O-INACT');
    await page.getByTestId('vacc-batch').fill('LOT-HDR-1');
    await page.getByTestId('vacc-dose').fill('2');
    await page.getByTestId('vacc-save').click();
    await page.getByTestId('vacc-saved').waitFor();
    await page.getByTestId('pending-count').waitFor();
    for (const lang of ['ru', 'kk', 'en', 'ug']) {
      await page.getByTestId('language').selectOption(lang);
      await page.waitForFunction((l) => document.documentElement.lang === l && document.body.dataset.screen === 'vaccinator', lang);
      await page.getByTestId('pending-count').waitFor();
      await eventually(() => pageWidth(page), (w) => w <= 390, `${lang}: the page width at 390 px`);
      // The language menu is on the screen, not pushed off it.
      const box = await page.getByTestId('language').boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `${lang}: the language menu at ${JSON.stringify(box)}`);
      await shot(page, `ux-header-offline-${lang}`);
    }
  } finally {
    await context.close();
  }
});

test('a wrong password in Uyghur: its own message, translated, with no English', { timeout: 60_000 }, async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  try {
    await page.goto(`${server.url}/signin`);
    await page.getByTestId('lang-ug').click();
    await page.getByTestId('username').fill('demo-vaccinator');
    await page.getByTestId('password').fill('not-the-password');
    await page.getByTestId('signin-submit').click();
    const want = locale('ug', 'common').error.wrong_login;
    const error = page.getByTestId('error');
    const text = await eventually(() => error.innerText(), (s) => s.trim().length > 0, 'the sign-in error');
    assert.equal(text.trim(), want);
    assert.doesNotMatch(text, /[A-Za-z]/, 'no Latin letters (English) in the Uyghur message');
    assert.equal(await error.getAttribute('data-code'), 'unauthenticated');
    assert.deepEqual(await untranslated(page), []);
    await shot(page, 'ux-wrong-password-ug');
  } finally {
    await context.close();
  }
});

test('a refused certificate names the movement rule in words, not its code (ru and en)', { timeout: 120_000 }, async () => {
  const owner = { phone: await freshPhone(), name: `Rule Words ${randomInt(1000, 9999)}`, tag: freshTag() };
  const records = ['FMD-O', 'FMD-A'].map((disease) => ({
    id: randomUUID(),
    owner_phone: owner.phone,
    owner_name: owner.name,
    animal_tags: [owner.tag],
    species: 'sheep',
    disease,
    vaccine: 'FMD-OA-INACT',
    batch_no: `UX-${disease}-1`,
    dose_ml: 1.0,
    administered_on: today,
  }));
  const res = await fetch(`${server.url}/api/v1/vaccinations/batch`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${vetToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ records }),
  });
  assert.equal(res.status, 200);
  for (const lang of ['ru', 'en']) {
    const { context, page } = await newPage('vet', lang);
    try {
      await page.getByTestId('vet-phone-input').fill(owner.phone);
      await page.getByTestId('vet-phone-submit').click();
      await page.getByTestId('vet-owner-name').filter({ hasText: owner.name }).waitFor();
      await page.locator(`[data-testid="animal-option"][data-tag="${owner.tag}"]`).check();
      await page.getByTestId('purpose').selectOption('slaughter');
      await page.getByTestId('destination-place').fill('Abay meat plant');
      await page.getByTestId('issue-submit').click();
      const failure = page.locator('[data-testid="rule-failure"][data-disease="PPR"]');
      await failure.waitFor();
      const common = locale(lang, 'common');
      const want = locale(lang, 'vet').rule.replace('{{purpose}}', common.purpose.slaughter).replace('{{disease}}', common.disease.PPR);
      const text = await eventually(() => failure.innerText(), (t) => t.includes(want), `${lang}: the rule in words ${JSON.stringify(want)}`);
      assert.doesNotMatch(text, /slaughter-fmd-ppr/);
      assert.deepEqual(await untranslated(page), []);
      await shot(page, `ux-rule-words-${lang}`);
    } finally {
      await context.close();
    }
  }
});

test('at 390 px the controls people tap are at least 48 px high and wide', { timeout: 120_000 }, async () => {
  // Sign-in: the language links.
  const context = await phone(browser);
  const page = await context.newPage();
  try {
    await page.goto(`${server.url}/signin`);
    await page.getByTestId('lang-kk').click();
    await page.getByTestId('signin-form').waitFor();
    const signinControls = page.locator('[data-testid="change-language"], [data-testid="language"], main a[href="/verify"]');
    await eventually(() => signinControls.count(), (n) => n === 3, 'the sign-in page language and verify links');
    assert.deepEqual(small(await sizes(signinControls)), [], 'sign-in controls under 48 px');
  } finally {
    await context.close();
  }
  // The vet: sign out, language menu, and Show QR and Revoke side by side in the list.
  const vet = await newPage('vet', 'ru');
  try {
    const items = vet.page.getByTestId('cert-item');
    await items.first().waitFor();
    const controls = vet.page.locator('[data-testid="sign-out"], [data-testid="language"], [data-testid^="nav-"]');
    assert.deepEqual(small(await sizes(controls)), [], 'header and navigation controls under 48 px');
    // An item that can still be revoked: Show QR and Revoke side by side.
    const first = items.filter({ has: vet.page.getByTestId('cert-revoke') }).first();
    await first.waitFor();
    const actions = first.locator('[data-testid="cert-show"], [data-testid="cert-revoke"]');
    assert.equal(await actions.count(), 2);
    assert.deepEqual(small(await sizes(actions)), [], 'Show QR and Revoke under 48 px');
  } finally {
    await vet.context.close();
  }
});

test('new tags start as the species last used on this phone, not cattle', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage('vaccinator');
  try {
    const select = page.getByTestId('tag-species');
    await page.locator('[data-testid="tag-species"] option[value="sheep"]').waitFor({ state: 'attached' });
    await eventually(() => select.inputValue(), (v) => v === 'cattle', 'the first species on a new phone');
    await select.selectOption('goat');
    // A new visit, after the tab was closed: the species used last is the default.
    await page.reload();
    await page.locator('[data-testid="tag-species"] option[value="goat"]').waitFor({ state: 'attached' });
    await eventually(() => select.inputValue(), (v) => v === 'goat', 'the species of new tags after a reload');
    // For flocks too.
    await page.getByTestId('mode-flock').click();
    await page.getByTestId('flock-species').selectOption('camel');
    await page.reload();
    await page.getByTestId('mode-flock').click();
    await eventually(() => page.getByTestId('flock-species').inputValue(), (v) => v === 'camel', 'the species of a new flock after a reload');
  } finally {
    await context.close();
  }
});

test('a record the server refused says why in the user language (ug, kk, ru), never the English detail', { timeout: 180_000 }, async () => {
  // An owner whose ear tag a second owner's record then names: refused, failed-precondition on animal_tags.
  const first = { phone: await freshPhone(), tag: freshTag() };
  const res = await fetch(`${server.url}/api/v1/vaccinations/batch`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${vetToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      records: [
        {
          id: randomUUID(),
          owner_phone: first.phone,
          owner_name: 'Refused Reason First',
          animal_tags: [first.tag],
          species: 'sheep',
          disease: 'SGP',
          vaccine: 'SGP-SHEEPPOX-LIVE',
          batch_no: 'UX-REFUSED-1',
          dose_ml: 1.0,
          administered_on: today,
        },
      ],
    }),
  });
  assert.equal(res.status, 200);
  for (const lang of ['ug', 'kk', 'ru']) {
    const { context, page } = await newPage('vaccinator', lang);
    try {
      await page.getByTestId('owner-phone').fill(await freshPhone());
      await page.getByTestId('owner-find').click();
      await page.getByTestId('owner-name-input').fill(`Refused Reason ${lang}`);
      await page.getByTestId('owner-create').click();
      await page.getByTestId('owner-chosen-name').waitFor();
      await page.getByTestId('mode-tag').click();
      await page.getByTestId('tag-species').selectOption('sheep');
      await page.getByTestId('tag-input').fill(first.tag);
      await page.getByTestId('tag-add').click();
      await page.getByTestId('vacc-disease').selectOption('SGP');
      await page.getByTestId('vacc-vaccine').selectOption('SGP-SHEEPPOX-LIVE');
      await page.getByTestId('vacc-batch').fill(`UX-REFUSED-${lang}`);
      await page.getByTestId('vacc-save').click();
      const error = page.locator('[data-testid="outbox-item"][data-state="rejected"] [data-testid="outbox-error"]');
      await error.waitFor();
      const reason = `${locale(lang, 'common').error.conflict} (animal_tags)`;
      const want = locale(lang, 'vaccinator').outbox.reason.replace('{{reason}}', reason);
      const text = await eventually(
        async () => (await error.innerText()).replace(/[\u2066\u2069]/g, '').trim(),
        (s) => s === want,
        `${lang}: the reason ${JSON.stringify(want)}`,
      );
      assert.doesNotMatch(text, /another owner|ear tag/i, `${lang}: the server's English detail`);
      assert.equal(await error.getAttribute('data-code'), 'failed-precondition');
      assert.deepEqual(await untranslated(page), []);
      await shot(page, `ux-refused-record-${lang}`);
      await shotOf(page.locator('[data-testid="outbox-item"][data-state="rejected"]'), `ux-refused-record-item-${lang}`);
    } finally {
      await context.close();
    }
  }
});

test('before Issue, the vet sees which animals meet the movement rules for the purpose chosen, in words (ug, kk, ru)', { timeout: 180_000 }, async () => {
  // Two sheep: one vaccinated against all that slaughter asks (FMD-O, FMD-A, PPR), one against sheep pox only.
  const owner = { phone: await freshPhone(), name: `Ready Sheep ${randomInt(1000, 9999)}`, ready: freshTag(), short: freshTag() };
  const record = (tag, disease, vaccine) => ({
    id: randomUUID(),
    owner_phone: owner.phone,
    owner_name: owner.name,
    animal_tags: [tag],
    species: 'sheep',
    disease,
    vaccine,
    batch_no: `UX-READY-${disease}`,
    dose_ml: 1.0,
    administered_on: today,
  });
  const records = [
    record(owner.ready, 'FMD-O', 'FMD-OA-INACT'),
    record(owner.ready, 'FMD-A', 'FMD-OA-INACT'),
    record(owner.ready, 'PPR', 'PPR-LIVE-C9'),
    record(owner.short, 'SGP', 'SGP-SHEEPPOX-LIVE'),
  ];
  const res = await fetch(`${server.url}/api/v1/vaccinations/batch`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${vetToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ records }),
  });
  const answer = await res.json();
  assert.equal(res.status, 200);
  assert.deepEqual(answer.results.map((r) => r.status), ['created', 'created', 'created', 'created'], JSON.stringify(answer));
  for (const lang of ['ug', 'kk', 'ru']) {
    const { context, page } = await newPage('vet', lang);
    try {
      const common = locale(lang, 'common');
      const vet = locale(lang, 'vet');
      const words = (key, purpose, extra = {}) =>
        Object.entries({ purpose: common.purpose[purpose], ...extra }).reduce((s, [k, v]) => s.replaceAll(`{{${k}}}`, v), vet[key]);
      await page.getByTestId('vet-phone-input').fill(owner.phone);
      await page.getByTestId('vet-phone-submit').click();
      await page.getByTestId('vet-owner-name').filter({ hasText: owner.name }).waitFor();
      const line = (tag) => page.locator(`[data-testid="unit-rules"][data-unit="${tag}"]`);
      const text = (loc) => loc.innerText().then((s) => s.trim());
      // Slaughter (the first purpose): the first sheep meets the rules, the second lacks all three.
      await eventually(() => page.getByTestId('purpose').inputValue(), (v) => v === 'slaughter', `${lang}: the purpose`);
      await eventually(() => text(line(owner.ready)), (s) => s === words('rules_meets', 'slaughter'), `${lang}: the ready sheep for slaughter`);
      const lacking = words('rules_fails', 'slaughter', { diseases: ['FMD-O', 'FMD-A', 'PPR'].map((d) => common.disease[d]).join('; ') });
      await eventually(() => text(line(owner.short)), (s) => s === lacking, `${lang}: the short sheep for slaughter`);
      const tally = words('rules_tally', 'slaughter', { count: '1', total: '2' });
      await eventually(() => text(page.getByTestId('rules-tally')), (s) => s === tally, `${lang}: the tally for slaughter`);
      await shot(page, `ux-vet-rules-${lang}`);
      await shotOf(page.locator('fieldset.picks'), `ux-vet-rules-animals-${lang}`);
      // Export asks SGP and anthrax too: now neither meets the rules, as words, never a rule's code.
      await page.getByTestId('purpose').selectOption('export');
      const exportLacking = words('rules_fails', 'export', { diseases: `${common.disease.SGP}; ${common.disease.ANTHRAX}` });
      const readyText = await eventually(() => text(line(owner.ready)), (s) => s === exportLacking, `${lang}: the ready sheep for export`);
      assert.doesNotMatch(readyText, /export-fmd|slaughter-fmd|[A-Z]+-[A-Z]/, `${lang}: no rule or disease code`);
      await eventually(() => text(page.getByTestId('rules-tally')), (s) => s === words('rules_tally', 'export', { count: '0', total: '2' }), `${lang}: the tally for export`);
      assert.deepEqual(await untranslated(page), []);
    } finally {
      await context.close();
    }
  }
});

test('the printed certificate in ug, kk and ru: local time and the full verify address with its QR code', { timeout: 120_000 }, async () => {
  const id = server.demoValue('demo certificate to verify').split(' ')[0];
  for (const lang of ['ug', 'kk', 'ru']) {
    const res = await fetch(`${server.url}/api/v1/certificates/${id}/print?lang=${lang}`, { headers: { Authorization: `Bearer ${vetToken}` } });
    assert.equal(res.status, 200);
    const html = await res.text();
    const context = await phone(browser, { viewport: { width: 794, height: 1123 }, isMobile: false, hasTouch: false });
    try {
      const page = await context.newPage();
      await page.setContent(html);
      const link = page.locator('footer a[href="https://vet.example.kz/verify"]');
      await eventually(() => link.innerText(), (s) => s === 'https://vet.example.kz/verify', `${lang}: the verify address`);
      const qr = page.locator('footer .verify-qr svg');
      const box = await eventually(() => qr.boundingBox(), (b) => b !== null && b.width >= 100 && b.height >= 100, `${lang}: the address QR code`);
      assert.ok(box.width >= 100, `${lang}: QR ${JSON.stringify(box)}`);
      const times = await page.locator('table.facts bdi').allInnerTexts();
      assert.ok(times.some((t) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\+05:00$/.test(t)), `${lang}: local times in ${JSON.stringify(times)}`);
      await shot(page, `ux-print-page-${lang}`);
    } finally {
      await context.close();
    }
  }
});

// Every visible control a person taps, on the whole page (scrolled or not): links, buttons,
// menus, fields, summaries; a checkbox or radio by the label around it, which is what a finger
// hits. Each as "what WxH" when under 48 CSS px either way.
async function smallTargets(page) {
  return page.evaluate(() => {
    const out = [];
    const sel = 'a[href], button, select, input:not([type=hidden]), textarea, summary, [role=button], [role=link], [tabindex]:not([tabindex="-1"])';
    for (const el of document.querySelectorAll(sel)) {
      let target = el;
      if (el instanceof HTMLInputElement && ['checkbox', 'radio', 'file'].includes(el.type)) target = el.closest('label') ?? el;
      if (!target.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
      const r = target.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || r.right <= 0 || r.left >= window.innerWidth) continue;
      if (r.width < 48 || r.height < 48) {
        const what = el.dataset.testid ?? `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ')[0] : ''} "${(el.textContent ?? '').trim().slice(0, 20)}"`;
        out.push(`${what} ${Math.round(r.width)}x${Math.round(r.height)}`);
      }
    }
    return out;
  });
}

// Waits until the screen shows `ready` (a locator), then until nothing on it is under 48 px; what
// is still under after the wait goes into `found[where]`, so that one run names every screen's.
async function expectNoSmallTargets(page, ready, where, found) {
  await ready.first().waitFor();
  try {
    await eventually(() => smallTargets(page), (list) => list.length === 0, `${where}: controls under 48x48 px`, 5_000);
  } catch {
    found[where] = await smallTargets(page);
  }
}

test('at 390 px every visible control on every screen is at least 48x48 px (kk, ug)', { timeout: 600_000 }, async () => {
  const found = {};
  for (const lang of ['kk', 'ug']) {
    // Signed out: the language choice, the sign-in form, the public check.
    {
      const context = await phone(browser);
      const page = await context.newPage();
      try {
        await page.goto(`${server.url}/signin`);
        await expectNoSmallTargets(page, page.getByTestId(`lang-${lang}`), `${lang}: language choice`, found);
        await page.getByTestId(`lang-${lang}`).click();
        await expectNoSmallTargets(page, page.getByTestId('signin-form'), `${lang}: sign-in`, found);
        await page.goto(`${server.url}/verify`);
        await expectNoSmallTargets(page, page.locator('body[data-screen="verify"]'), `${lang}: verify (signed out)`, found);
      } finally {
        await context.close();
      }
    }
    // The vaccinator with an owner chosen and a tag added.
    {
      const { context, page } = await newPage('vaccinator', lang);
      try {
        await expectNoSmallTargets(page, page.getByTestId('owner-phone'), `${lang}: vaccinator`, found);
        await page.getByTestId('owner-phone').fill(await freshPhone());
        await page.getByTestId('owner-find').click();
        await page.getByTestId('owner-name-input').fill('Touch Target Owner');
        await page.getByTestId('owner-create').click();
        await page.getByTestId('mode-tag').click();
        await page.getByTestId('tag-input').fill(freshTag());
        await page.getByTestId('tag-add').click();
        await expectNoSmallTargets(page, page.getByTestId('animal-item'), `${lang}: vaccinator with an animal`, found);
      } finally {
        await context.close();
      }
    }
    // The vet: an owner looked up (animals to pick, purpose) and the recent certificates.
    {
      const { context, page } = await newPage('vet', lang);
      try {
        await expectNoSmallTargets(page, page.getByTestId('cert-item'), `${lang}: vet`, found);
        // A certificate shown (copy, print, the QR code) and the revoke form open.
        const item = page.getByTestId('cert-item').filter({ has: page.getByTestId('cert-revoke') }).first();
        await item.getByTestId('cert-show').click();
        await expectNoSmallTargets(page, page.getByTestId('cert-print'), `${lang}: vet: a certificate shown`, found);
        await item.getByTestId('cert-revoke').click();
        await expectNoSmallTargets(page, page.getByTestId('revoke-form'), `${lang}: vet: revoking`, found);
        await page.getByTestId('vet-phone-input').fill(server.demoValue('demo owner phone'));
        await page.getByTestId('vet-phone-submit').click();
        await expectNoSmallTargets(page, page.getByTestId('issue-form'), `${lang}: vet with an owner`, found);
        for (const tab of ['inspector', 'dashboard', 'verify']) {
          await page.getByTestId(`nav-${tab}`).click();
          await expectNoSmallTargets(page, page.locator(`body[data-screen="${tab}"]`), `${lang}: vet: ${tab}`, found);
        }
      } finally {
        await context.close();
      }
    }
    // The inspector after a phone check (the details closed: their summaries count).
    {
      const { context, page } = await newPage('inspector', lang);
      try {
        await page.getByTestId('phone-input').fill(server.demoValue('demo owner phone'));
        await page.getByTestId('phone-submit').click();
        await expectNoSmallTargets(page, page.getByTestId('owner-name'), `${lang}: inspector with an owner`, found);
      } finally {
        await context.close();
      }
    }
    // The administrator: the dashboard.
    {
      const { context, page } = await newPage('admin', lang);
      try {
        await expectNoSmallTargets(page, page.locator('body[data-screen="dashboard"]'), `${lang}: dashboard`, found);
      } finally {
        await context.close();
      }
    }
  }
  assert.deepEqual(found, {}, 'controls under 48x48 px, per screen');
});
