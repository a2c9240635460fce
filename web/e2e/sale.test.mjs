// Sale (W8), end to end: a sale at the farm made through the API (POST /transfers), then the
// buyer's phone check (W2) shows the dose the animal had before the sale, marked as given under the
// previous owner (masked name, until the day of the sale), and the seller's shows the animal as
// sold, with the day; and the vet's sale certificate names the buyer (refused phone said at the
// field, the fields cleared for another purpose and for the next certificate); and the vet records
// a sale at the farm in the app (an animal already sold refused at the tags). One server for the
// file; each test makes its own owners and ear tags through the API, so any one runs alone. Every
// check of the page after an action waits for it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  startServer,
  launch,
  phone,
  signIn,
  shotOf,
  apiLogin,
  apiGet,
  expectAllTranslated,
  expectAttr,
  expectCount,
  eventually,
  expectText,
  expectValue,
  freshPhone,
  freshTag,
  serverToday,
  smallTargetsIn,
} from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// `day` (YYYY-MM-DD) moved by `n` days.
function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

async function post(path, role, body) {
  const token = await apiLogin(server.url, role);
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// A seller with two vaccinated sheep (ten days ago), one of them sold two days ago at the farm to
// a new buyer, through the API as the demo vet.
async function saleAtTheFarm() {
  const vet = await apiLogin(server.url, 'vet');
  const today = await serverToday(server, vet);
  const seller = await freshPhone(server.url, vet);
  const buyer = await freshPhone(server.url, vet);
  const tags = [freshTag(), freshTag()];
  const vaccinated = addDays(today, -10);
  const soldOn = addDays(today, -2);
  const batch = await post('/vaccinations/batch', 'vaccinator', {
    records: [
      {
        id: randomUUID(),
        owner_phone: seller,
        owner_name: 'Serik Tulegenov',
        animal_tags: tags,
        species: 'sheep',
        disease: 'PPR',
        vaccine: 'PPR-LIVE',
        batch_no: 'E2E-SALE',
        dose_ml: 1,
        administered_on: vaccinated,
      },
    ],
  });
  assert.equal(batch.status, 200, JSON.stringify(batch.body));
  assert.equal(batch.body.created, 1, JSON.stringify(batch.body));
  const sale = await post('/transfers', 'vet', {
    id: randomUUID(),
    seller_phone: seller,
    buyer_phone: buyer,
    buyer_name: 'Daulet Nurlanov',
    tags: [tags[0]],
    date: soldOn,
  });
  assert.equal(sale.status, 201, JSON.stringify(sale.body));
  // What the server says the buyer's lookup holds: the one dose, under the masked seller.
  const b = await apiGet(server.url, vet, `/lookup?phone=${encodeURIComponent(buyer)}`);
  assert.equal(b.status, 200, JSON.stringify(b.body));
  assert.equal(b.body.vaccinations.length, 1, JSON.stringify(b.body));
  const masked = b.body.vaccinations[0].previous_owner.masked_name;
  assert.ok(masked && !masked.includes('Serik'), masked);
  return { seller, buyer, tags, vaccinated, soldOn, masked };
}

async function checkPhone(number, lang = 'en') {
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, server.url, 'inspector', { lang });
  await page.waitForFunction(() => document.body.dataset.screen === 'inspector');
  await page.getByTestId('phone-input').fill(number);
  await page.getByTestId('phone-submit').click();
  return { context, page };
}

test('the buyer’s phone check shows the dose before the sale, under the masked previous owner, until the day of the sale', async () => {
  const s = await saleAtTheFarm();
  const { context, page } = await checkPhone(s.buyer);
  try {
    await expectText(page.getByTestId('owner-name'), 'Daulet Nurlanov');
    await page.getByTestId('vaccinations-toggle').click();
    await expectCount(page.getByTestId('vaccination'), 1, 'the dose given before the sale');
    const mark = page.getByTestId('vaccination').getByTestId('previous-owner');
    await expectCount(mark, 1, 'the dose is marked as given under the previous owner');
    await expectAttr(mark, 'data-sold-on', s.soldOn);
    const text = await expectText(mark, /under the previous owner/i);
    assert.ok(text.includes(s.masked), `the masked name in: ${text}`);
    assert.ok(!text.includes('Serik'), `never the previous owner's name: ${text}`);
    // The buyer sold nothing.
    await expectCount(page.getByTestId('sold-details'), 0, 'nothing sold by the buyer');
    await expectAllTranslated(page);
  } finally {
    await context.close();
  }
});

test('the seller’s phone check lists the sold animal with the day, and keeps the other', async () => {
  const s = await saleAtTheFarm();
  const { context, page } = await checkPhone(s.seller);
  try {
    await expectText(page.getByTestId('owner-name'), 'Serik Tulegenov');
    await page.getByTestId('sold-toggle').click();
    await expectCount(page.getByTestId('sold-animal'), 1, 'one animal sold');
    const sold = page.getByTestId('sold-animal');
    await expectAttr(sold, 'data-tag', s.tags[0]);
    await expectAttr(sold, 'data-sold-on', s.soldOn);
    await expectText(sold, /Sold/);
    await page.getByTestId('animals-toggle').click();
    await expectCount(page.getByTestId('animal'), 1, 'the seller keeps the other sheep');
    await expectAttr(page.getByTestId('animal'), 'data-tag', s.tags[1]);
    // The seller's own dose is not marked as an earlier owner's.
    await page.getByTestId('vaccinations-toggle').click();
    await expectCount(page.getByTestId('vaccination'), 1);
    await expectCount(page.getByTestId('previous-owner'), 0, 'the seller’s own dose names no earlier owner');
    await expectAllTranslated(page);
  } finally {
    await context.close();
  }
});

for (const lang of ['ug', 'kk', 'ru']) {
  test(`the buyer’s phone check in ${lang}: the earlier dose marked, every string translated (screenshot)`, async () => {
    const s = await saleAtTheFarm();
    const { context, page } = await checkPhone(s.buyer, lang);
    try {
      await expectText(page.getByTestId('owner-name'), 'Daulet Nurlanov');
      await page.getByTestId('vaccinations-toggle').click();
      const mark = page.getByTestId('previous-owner');
      await expectAttr(mark, 'data-sold-on', s.soldOn);
      const text = await expectText(mark, /\S/);
      assert.ok(text.includes(s.masked), `the masked name in: ${text}`);
      await expectAllTranslated(page);
      await shotOf(page.getByTestId('lookup-details'), `sale-lookup-earlier-dose-${lang}`);
    } finally {
      await context.close();
    }
  });
}

test('the vet’s sale certificate names the buyer: a bad phone said at the field, the buyer made, the fields empty for the next one', async () => {
  const vet = await apiLogin(server.url, 'vet');
  const today = await serverToday(server, vet);
  const seller = await freshPhone(server.url, vet);
  const buyer = await freshPhone(server.url, vet);
  const tag = freshTag();
  const vaccine = { 'FMD-O': 'FMD-OA-INACT', 'FMD-A': 'FMD-OA-INACT', PPR: 'PPR-LIVE' };
  const batch = await post('/vaccinations/batch', 'vaccinator', {
    records: Object.entries(vaccine).map(([disease, v]) => ({
      id: randomUUID(),
      owner_phone: seller,
      owner_name: 'Seller Sale E2E',
      animal_tags: [tag],
      species: 'sheep',
      disease,
      vaccine: v,
      batch_no: `E2E-SALE-${disease}`,
      dose_ml: 1,
      administered_on: today,
    })),
  });
  assert.equal(batch.status, 200, JSON.stringify(batch.body));
  assert.equal(batch.body.created, 3, JSON.stringify(batch.body));

  const context = await phone(browser);
  const page = await context.newPage();
  try {
    await signIn(page, server.url, 'vet');
    const findSeller = async () => {
      await page.getByTestId('vet-phone-input').fill(seller);
      await page.getByTestId('vet-phone-submit').click();
      await page.getByTestId('vet-owner-name').filter({ hasText: 'Seller Sale E2E' }).waitFor();
      await page.locator(`[data-testid="animal-option"][data-tag="${tag}"]`).check();
    };
    await findSeller();
    await expectCount(page.getByTestId('buyer-fields'), 0, 'no buyer asked for slaughter');
    await page.getByTestId('purpose').selectOption('sale');
    await page.getByTestId('buyer-phone').fill('12');
    await page.getByTestId('buyer-name').fill('Buyer Sale E2E');
    await page.getByTestId('destination-place').fill('Karaul');
    await page.getByTestId('issue-submit').click();
    await expectText(page.getByTestId('buyer-phone-error'), /buyer's phone number cannot be read/);
    await expectAttr(page.getByTestId('buyer-phone'), 'aria-invalid', 'true');
    await expectCount(page.getByTestId('cert-shown'), 0, 'no certificate for a bad buyer phone');

    // Another purpose hides and clears the buyer; back to sale, the fields are empty.
    await page.getByTestId('purpose').selectOption('slaughter');
    await expectCount(page.getByTestId('buyer-fields'), 0, 'no buyer for slaughter');
    await page.getByTestId('purpose').selectOption('sale');
    await expectValue(page.getByTestId('buyer-phone'), '');
    await expectValue(page.getByTestId('buyer-name'), '');

    await page.getByTestId('buyer-phone').fill(buyer);
    await page.getByTestId('buyer-name').fill('Buyer Sale E2E');
    await page.getByTestId('issue-submit').click();
    await expectText(page.getByTestId('cert-number'), /\S/);
    const id = await eventually(async () => {
      const value = await page.getByTestId('cert-shown').getAttribute('data-id', { timeout: 1000 });
      assert.ok(value, 'the certificate shown has an id');
      return value;
    });
    const stored = await apiGet(server.url, vet, `/certificates/${id}`);
    assert.equal(stored.status, 200, JSON.stringify(stored.body));
    assert.equal(stored.body.purpose, 'sale');
    // The buyer was made on the spot with the name typed.
    const made = await apiGet(server.url, vet, `/owners?phone=${encodeURIComponent(buyer)}`);
    assert.equal(made.status, 200, JSON.stringify(made.body));
    assert.ok(JSON.stringify(made.body).includes('Buyer Sale E2E'), JSON.stringify(made.body));

    // The next certificate starts with no buyer.
    await page.getByTestId('cert-new').click();
    await findSeller();
    await page.getByTestId('purpose').selectOption('sale');
    await expectValue(page.getByTestId('buyer-phone'), '');
    await expectValue(page.getByTestId('buyer-name'), '');
    await expectAllTranslated(page);
  } finally {
    await context.close();
  }
});

test('the vet records a sale at the farm: an animal already sold said at the tags, then the sale stored and the form empty', async () => {
  const s = await saleAtTheFarm();
  const vet = await apiLogin(server.url, 'vet');
  const today = await serverToday(server, vet);
  const buyer2 = await freshPhone(server.url, vet);
  const context = await phone(browser);
  const page = await context.newPage();
  try {
    await signIn(page, server.url, 'vet');
    await page.getByTestId('transfer-toggle').click();
    await page.getByTestId('transfer-seller-phone').fill(s.seller);
    await page.getByTestId('transfer-buyer-phone').fill(buyer2);
    await page.getByTestId('transfer-buyer-name').fill('Second Buyer E2E');
    // tags[0] was sold before: no longer the seller's.
    await page.getByTestId('transfer-tags').fill(s.tags[0]);
    await page.getByTestId('transfer-date').fill(today);
    await page.getByTestId('transfer-submit').click();
    const refused = await expectText(page.getByTestId('transfer-error-tags'), /no longer the seller's/);
    assert.ok(refused.includes(s.tags[0]), refused);
    await expectAttr(page.getByTestId('transfer-tags'), 'aria-invalid', 'true');
    assert.equal((await apiGet(server.url, vet, `/owners?phone=${encodeURIComponent(buyer2)}`)).status, 404, 'nothing stored');

    await page.getByTestId('transfer-tags').fill(s.tags[1]);
    await page.getByTestId('transfer-submit').click();
    await expectAttr(page.getByTestId('transfer-done'), 'data-status', 'created');
    await expectText(page.getByTestId('transfer-done'), /Animals passed to the buyer: 1$/);
    for (const id of ['transfer-seller-phone', 'transfer-buyer-phone', 'transfer-buyer-name', 'transfer-tags', 'transfer-date']) {
      await expectValue(page.getByTestId(id), '', `${id} empty for the next sale`);
    }
    const b = await apiGet(server.url, vet, `/lookup?phone=${encodeURIComponent(buyer2)}`);
    assert.equal(b.status, 200, JSON.stringify(b.body));
    assert.equal(b.body.owner.name, 'Second Buyer E2E');
    assert.deepEqual(b.body.animals.map((a) => a.tag), [s.tags[1]]);
    await expectAllTranslated(page);
  } finally {
    await context.close();
  }
});

// A seller with a flock of 40 sheep vaccinated today (no ear tags), through the API.
async function sellerWithFlock() {
  const vet = await apiLogin(server.url, 'vet');
  const today = await serverToday(server, vet);
  const seller = await freshPhone(server.url, vet);
  const batch = await post('/vaccinations/batch', 'vaccinator', {
    records: [
      {
        id: randomUUID(),
        owner_phone: seller,
        owner_name: 'Flock Seller E2E',
        head_count: 40,
        species: 'sheep',
        disease: 'PPR',
        vaccine: 'PPR-LIVE',
        batch_no: 'E2E-SALE-FLOCK',
        dose_ml: 1,
        administered_on: today,
      },
    ],
  });
  assert.equal(batch.status, 200, JSON.stringify(batch.body));
  assert.equal(batch.body.created, 1, JSON.stringify(batch.body));
  const l = await apiGet(server.url, vet, `/lookup?phone=${encodeURIComponent(seller)}`);
  const flock = l.body.animals.find((a) => a.kind === 'flock' && a.species === 'sheep');
  assert.equal(flock?.head_count, 40, JSON.stringify(l.body.animals));
  return { vet, today, seller, flock };
}

test('the vet sells head of a flock at the farm: the seller’s flocks listed, a head above the flock’s said, then the head passed to the buyer', async () => {
  const s = await sellerWithFlock();
  const buyer = await freshPhone(server.url, s.vet);
  const context = await phone(browser);
  const page = await context.newPage();
  try {
    await signIn(page, server.url, 'vet');
    await page.getByTestId('transfer-toggle').click();
    await page.getByTestId('transfer-seller-phone').fill(s.seller);
    await page.getByTestId('transfer-buyer-phone').fill(buyer);
    await page.getByTestId('transfer-date').fill(s.today);
    await page.getByTestId('transfer-flocks-load').click();
    const flock = page.getByTestId('transfer-flock');
    await flock.locator(`option[value="${s.flock.id}"]`).waitFor({ state: 'attached' });
    await expectValue(flock, '', 'no flock chosen by default');
    await expectValue(page.getByTestId('transfer-head'), '', 'no head by default');
    // Neither tags nor a flock chosen: said, nothing sent.
    await page.getByTestId('transfer-submit').click();
    await expectText(page.getByTestId('transfer-error-tags'), /choose a flock/);
    await flock.selectOption(String(s.flock.id));
    await page.getByTestId('transfer-head').fill('41');
    await page.getByTestId('transfer-submit').click();
    await expectText(page.getByTestId('transfer-error-head'), 'The flock has only 40 head.');
    assert.equal((await apiGet(server.url, s.vet, `/owners?phone=${encodeURIComponent(buyer)}`)).status, 404, 'nothing stored');

    await page.getByTestId('transfer-head').fill('12');
    await page.getByTestId('transfer-submit').click();
    await expectAttr(page.getByTestId('transfer-done'), 'data-status', 'created');
    await expectText(page.getByTestId('transfer-done'), /Animals passed to the buyer: 12$/);
    for (const id of ['transfer-seller-phone', 'transfer-buyer-phone', 'transfer-tags', 'transfer-date']) {
      await expectValue(page.getByTestId(id), '', `${id} empty for the next sale`);
    }
    // The next sale lists no flock until asked for again.
    await expectCount(page.getByTestId('transfer-flock'), 0);
    const b = await apiGet(server.url, s.vet, `/lookup?phone=${encodeURIComponent(buyer)}`);
    assert.equal(b.status, 200, JSON.stringify(b.body));
    assert.deepEqual(b.body.animals.filter((a) => a.kind === 'flock').map((a) => [a.species, a.head_count]), [['sheep', 12]]);
    const left = await apiGet(server.url, s.vet, `/lookup?phone=${encodeURIComponent(s.seller)}`);
    assert.equal(left.body.animals.find((a) => a.id === s.flock.id).head_count, 28);
    await expectAllTranslated(page);
  } finally {
    await context.close();
  }
});

// The flock part of the sale form at 390 px in Uyghur (right to left), Kazakh and Russian, with a
// head refused, for a person to read; every string translated.
test('the flock sale form in ug, kk and ru', async () => {
  const s = await sellerWithFlock();
  for (const lang of ['ug', 'kk', 'ru']) {
    const context = await phone(browser);
    const page = await context.newPage();
    try {
      await signIn(page, server.url, 'vet', { lang });
      await page.getByTestId('transfer-toggle').click();
      await page.getByTestId('transfer-seller-phone').fill(s.seller);
      await page.getByTestId('transfer-buyer-phone').fill(await freshPhone(server.url, s.vet));
      await page.getByTestId('transfer-date').fill(s.today);
      await page.getByTestId('transfer-flocks-load').click();
      await page.getByTestId('transfer-flock').selectOption(String(s.flock.id));
      await page.getByTestId('transfer-head').fill('41');
      await page.getByTestId('transfer-submit').click();
      await page.getByTestId('transfer-error-head').waitFor();
      await expectAllTranslated(page);
      await shotOf(page.getByTestId('transfer-card'), `sale-farm-flock-${lang}`);
      assert.deepEqual(await smallTargetsIn(page.getByTestId('transfer-card')), [], `${lang}: controls under 48 px`);
    } finally {
      await context.close();
    }
  }
});
