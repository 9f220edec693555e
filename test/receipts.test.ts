import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBackOffice } from '../admin/back-office.js';
import { hashPassword } from '../admin/passwords.js';
import { AuditEntry, EarningRule, Partner, PointOfSale, ProgramSettings, Receipt, StaffUser } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { openMemberSession } from '../loyalty/member-sessions.js';
import { portalRouter } from '../portal/portal-router.js';
import { createRecordingMailer } from '../reports/mailer.js';
import { createWebApp } from '../wiring/web-app.js';
import { temporalCareApprovals } from '../workflows/care-approvals.js';
import { artifactsDir, launchBrowser, settle, signInToBackOffice } from './support/browser.js';
import { listen } from './support/http.js';
import { createProgram } from './support/program.js';
import { receiptImage, totalOf, type ReceiptFacts } from './support/receipt-images.js';
import { startDevServer, startWorkerHarness, testTiming, type WorkerHarness } from './support/temporal.js';

let harness: WorkerHarness;
let base: string;
const closers: (() => Promise<void>)[] = [];
const password = 'a-care-password-of-some-length';
let apiKey = '';
let p: Awaited<ReturnType<typeof createProgram>>;

// Images are kept 40 seconds here: care looks at one within seconds of its upload (some 10 s on two
// busy cores), and the last test waits out what is left of the first receipt's 40 s.
beforeAll(async () => {
  harness = await startWorkerHarness(startDevServer, 'receipts-test', { timing: { ...testTiming, receiptImageRetention: '40 seconds' } });
  const db = harness.db.dataSource;
  p = await createProgram(db);
  await db.manager.insert(ProgramSettings, { id: 1, eventBackdateDays: 62 });
  await db.manager.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  forgetProgramConfiguration(db);
  await db.manager.insert(StaffUser, {
    email: 'care@receipts.test',
    name: 'Carla Care',
    role: 'care_agent',
    passwordHash: await hashPassword(password),
  });
  const backOffice = createBackOffice({
    dataSource: db,
    care: {
      ledger: p.ledger,
      approvals: temporalCareApprovals(harness.env.client),
      processes: harness.processes,
      receiptImages: harness.receiptImages,
    },
    mailer: createRecordingMailer(harness.sink.smtpUrl, 'Tessera <no-reply@tessera.test>', db),
    databaseUrl: harness.db.url,
    sessionSecret: 'a-test-session-secret-of-more-than-32-characters',
  });
  const codes = { secret: 'test-code-secret', messenger: { sendCode: async () => undefined } };
  const served = await listen(
    createWebApp({
      health: {},
      api: { dataSource: db, ledger: p.ledger, processes: harness.processes, receiptImages: harness.receiptImages },
      backOffice: backOffice.router,
      portal: portalRouter({
        dataSource: db,
        codes,
        publicUrl: 'http://127.0.0.1',
        ledger: p.ledger,
        processes: harness.processes,
        receiptImages: harness.receiptImages,
      }),
    }),
  );
  base = served.url;
  closers.push(served.close, () => backOffice.close());
}, 180_000);
afterAll(async () => {
  for (const close of closers) await close();
  await harness?.stop();
});

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const facts: ReceiptFacts = {
  store: 'Green Grocer',
  date: daysAgo(2),
  lines: [
    { label: 'Apples 1kg', cents: 349 },
    { label: 'Bread', cents: 215 },
    { label: 'Olive oil', cents: 899 },
  ],
};
const image = receiptImage(facts, { level: 0.2, seed: 11 }, 'jpeg');

const sendReceipt = (externalId: string, body: Buffer, type = 'image/jpeg', key = randomUUID()) =>
  fetch(`${base}/api/v1/members/${externalId}/receipts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': type, 'idempotency-key': key },
    body: new Uint8Array(body),
  });
const member = async (externalId: string) =>
  (await (await fetch(`${base}/api/v1/members/${externalId}`, { headers: { authorization: `Bearer ${apiKey}` } })).json()) as {
    balance: { available: number };
  };
async function settled(id: string): Promise<Receipt> {
  for (let i = 0; i < 240; i++) {
    const receipt = await harness.db.dataSource.manager.findOneByOrFail(Receipt, { id });
    if (receipt.status !== 'reading') return receipt;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`receipt ${id} was never read`);
}

let firstId = '';
let annCookie = '';

it('reads a generated receipt photo and pays what the same purchase pays through POST /api/v1/events, once per key', async () => {
  const db = harness.db.dataSource;
  const green = await p.partner(100_000);
  apiKey = (await issueApiKey(db.manager, green.partner.id, 'test')).secret;
  await db.manager.insert(PointOfSale, {
    partnerId: green.partner.id,
    code: 'high-street',
    name: 'High Street',
    channel: 'store',
    receiptNames: ['Green Grocer'],
  });
  const ann = await p.member('ann', green.partner.id);
  await p.member('bob', green.partner.id);
  annCookie = `tessera_member=${(await openMemberSession(db.manager, { memberId: ann.member.id, partnerId: null })).token}`;

  const key = randomUUID();
  const sent = await sendReceipt('ann', image, 'image/jpeg', key);
  expect(sent.status).toBe(202);
  const body = (await sent.json()) as { id: string; status: string };
  expect(body.status).toBe('reading');
  firstId = body.id;
  // The same key and image: the first answer again, one receipt.
  const again = await sendReceipt('ann', image, 'image/jpeg', key);
  expect([again.status, again.headers.get('idempotent-replayed'), ((await again.json()) as { id: string }).id]).toEqual([
    202,
    'true',
    firstId,
  ]);

  const receipt = await settled(firstId);
  expect(receipt).toMatchObject({ status: 'awarded', purchasedOn: facts.date, partnerId: green.partner.id });
  expect(Math.abs(receipt.totalCents! - totalOf(facts))).toBeLessThanOrEqual(1);
  expect(receipt.storeName).toMatch(/green.*grocer/i);

  // Bob's same purchase at the same store through the API earns what Ann's receipt earned.
  const twin = await fetch(`${base}/api/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({
      member: { externalId: 'bob' },
      type: 'purchase',
      amountCents: totalOf(facts),
      currency: 'EUR',
      pointOfSale: 'high-street',
      occurredAt: `${facts.date}T12:00:00Z`,
    }),
  });
  const twinAnswer = (await twin.json()) as { totalPoints: number };
  expect(twin.status, JSON.stringify(twinAnswer)).toBe(201);
  const twinPoints = twinAnswer.totalPoints;
  expect(twinPoints).toBe(14);
  expect(receipt.points).toBe(twinPoints);
  expect((await member('ann')).balance.available).toBe(14);
  const read = await fetch(`${base}/api/v1/members/ann/receipts/${firstId}`, { headers: { authorization: `Bearer ${apiKey}` } });
  expect(await read.json()).toMatchObject({ id: firstId, status: 'awarded', points: 14, rejectionReason: null });
  expect((await checkLedger(db.manager)).violations).toEqual([]);
}, 120_000);

it('refuses what is not a receipt image, naming the field, and keeps nothing', async () => {
  const count = () => harness.db.dataSource.manager.count(Receipt);
  const before = await count();
  const wrongType = await sendReceipt('ann', image, 'text/plain');
  expect(wrongType.status).toBe(415);
  expect(((await wrongType.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('header.Content-Type');
  const notAnImage = await sendReceipt('ann', Buffer.from('%PDF-1.7 not an image'), 'image/png');
  expect(notAnImage.status).toBe(422);
  expect(await notAnImage.json()).toMatchObject({
    code: 'receipt_refused',
    errors: [{ field: 'body', message: 'must be a JPEG or PNG image' }],
  });
  const tooLarge = await sendReceipt('ann', Buffer.alloc(10 * 1024 * 1024 + 1, 0xff), 'image/jpeg');
  expect(tooLarge.status).toBe(413);
  const unknown = await sendReceipt('nobody', image);
  expect(unknown.status).toBe(404);

  // On the dashboard: the error under the field, and the same for a file too large.
  const form = new FormData();
  form.append('image', new Blob([Buffer.from('hello')], { type: 'text/plain' }), 'notes.txt');
  const page = await fetch(`${base}/member/receipts`, { method: 'POST', body: form, headers: { cookie: annCookie, origin: base } });
  expect(page.status).toBe(422);
  expect(await page.text()).toContain('<p class="error" id="image-error">The photo must be a JPEG or PNG image</p>');
  const large = new FormData();
  large.append('image', new Blob([Buffer.alloc(10 * 1024 * 1024 + 100 * 1024, 0xff)], { type: 'image/jpeg' }), 'big.jpg');
  const largePage = await fetch(`${base}/member/receipts`, { method: 'POST', body: large, headers: { cookie: annCookie, origin: base } });
  expect(largePage.status).toBe(413);
  expect(await largePage.text()).toContain('The photo is too large: at most 10 MB');
  expect(await count()).toBe(before);
});

it('sends a duplicate and an unknown store to review; care is refused the duplicate, told what was paid, and rejects it with a reason the member reads; care accepts the other (once, on a double click)', async () => {
  const db = harness.db.dataSource;
  const upload = async (bytes: Buffer) => {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), 'receipt.jpg');
    const answer = await fetch(`${base}/member/receipts`, {
      method: 'POST',
      body: form,
      headers: { cookie: annCookie, origin: base },
      redirect: 'manual',
    });
    expect([answer.status, answer.headers.get('location')]).toEqual([303, '/member/receipts?sent=1']);
    const [latest] = await db.manager.find(Receipt, { order: { uploadedAt: 'DESC' }, take: 1 });
    return settled(latest!.id);
  };
  const duplicate = await upload(image);
  expect(duplicate).toMatchObject({ status: 'review', reviewReason: 'duplicate' });
  const unknown = await upload(receiptImage({ ...facts, store: 'Moonlight Bakery' }, { level: 0.1, seed: 5 }, 'jpeg'));
  expect(unknown).toMatchObject({ status: 'review', reviewReason: 'unknown_store', partnerId: null });
  const dashboard = await (await fetch(`${base}/member/receipts`, { headers: { cookie: annCookie } })).text();
  expect(dashboard.match(/Being checked by our team/g)).toHaveLength(2);

  const browser = await launchBrowser();
  try {
    const page = await signInToBackOffice(browser, base, 'care@receipts.test', password);
    await page.goto(`${base}/admin/resources/Receipt/records/${duplicate.id}/review`);
    await page.getByTestId('receipt-review-form').waitFor();
    await page.getByText('Why it waits: Same receipt sent before').waitFor();
    await page.getByText('The member sent this same receipt before.').waitFor();
    // Still within its retention: care sees the photo itself.
    await page.getByAltText('The receipt as the member sent it').waitFor();
    await settle(page);
    await page.screenshot({ path: join(artifactsDir, 'receipt-review.png'), fullPage: true });
    // Accepting the copy pays nothing: care is told what was paid, and rejects it with a reason.
    await page.getByRole('button', { name: 'Accept and pay the points' }).click();
    await page.getByText(/Not paid: the same receipt was already paid: 14 points, sent on \d{4}-\d{2}-\d{2}\. Reject it/).waitFor();
    await settle(page);
    await page.screenshot({ path: join(artifactsDir, 'receipt-duplicate-refused.png'), fullPage: true });
    expect(await db.manager.findOneByOrFail(Receipt, { id: duplicate.id })).toMatchObject({ status: 'review', points: null });
    // A reason too short is refused under its field, then the rejection is recorded.
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByText('tell the member why, in a sentence').waitFor();
    await page.fill('#rejectionReason', 'You sent this receipt before: its points were paid once.');
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByText('Rejected: the member sees your reason').waitFor();
    expect((await member('ann')).balance.available).toBe(14);

    // The unknown store: care picks the store (Green Grocer is its High Street shop) and the total it reads on the photo;
    // it pays once however often it is clicked.
    await page.goto(`${base}/admin/resources/Receipt/records/${unknown.id}/review`);
    await page.getByTestId('receipt-review-form').waitFor();
    await page.locator('#store').fill('High Street');
    await page.keyboard.press('Enter');
    await page.fill('#total', '9.99');
    const accept = page.getByRole('button', { name: 'Accept and pay the points' });
    // A double click: both clicks land before the form can disable its button (a forced second click raced the first).
    await accept.dblclick();
    await page.getByText('Accepted: 9 points paid to the member').waitFor();
    await settle(page);
    await page.screenshot({ path: join(artifactsDir, 'receipt-accepted.png'), fullPage: true });
    const replay = await page.evaluate(
      async (id) => (await fetch(`/admin/api/resources/Receipt/records/${id}/review`, { method: 'POST', body: new FormData() })).status,
      unknown.id,
    );
    expect(replay).not.toBe(500);
    expect(await db.manager.findOneByOrFail(Receipt, { id: unknown.id })).toMatchObject({ status: 'awarded', points: 9 });
    expect((await member('ann')).balance.available).toBe(23);

    await browser.addCookies([{ name: 'tessera_member', value: annCookie.split('=')[1]!, url: base }]);
    const memberPage = await browser.newPage();
    await memberPage.goto(`${base}/member/receipts`);
    await memberPage.getByText('Rejected: You sent this receipt before: its points were paid once.').waitFor();
    await memberPage.screenshot({ path: join(artifactsDir, 'receipt-member-dashboard.png'), fullPage: true });
  } finally {
    await browser.close();
  }
  expect((await member('ann')).balance.available).toBe(23);
  expect((await checkLedger(db.manager)).violations).toEqual([]);
}, 240_000);

it('leaves to care a receipt whose purchase the rules refuse (its store short of points), paying nothing', async () => {
  const db = harness.db.dataSource;
  const broke = await p.partner(0);
  await db.manager.insert(PointOfSale, { partnerId: broke.partner.id, code: 'main', name: 'Broke Books', channel: 'store' });
  const ann = await db.manager.findOneByOrFail(Receipt, { id: firstId });
  const form = new FormData();
  const bytes = receiptImage({ ...facts, store: 'Broke Books' }, { level: 0.1, seed: 3 }, 'png');
  form.append('image', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), 'receipt.png');
  await fetch(`${base}/member/receipts`, { method: 'POST', body: form, headers: { cookie: annCookie, origin: base }, redirect: 'manual' });
  const [latest] = await db.manager.find(Receipt, { where: { memberId: ann.memberId }, order: { uploadedAt: 'DESC' }, take: 1 });
  expect(await settled(latest!.id)).toMatchObject({ status: 'review', reviewReason: 'award_refused', partnerId: broke.partner.id });
  expect((await member('ann')).balance.available).toBe(23);
  expect((await checkLedger(db.manager)).violations).toEqual([]);
}, 120_000);

it("refuses care's impossible purchase date under its field, leaving the receipt waiting and nothing paid", async () => {
  const db = harness.db.dataSource;
  // A receipt whose date could not be read, at a store known and able to pay, waiting for care.
  const { member: dora } = await p.member(`dora-${randomUUID()}`);
  const store = await p.partner(1_000);
  const waiting = await waitingForCare({ memberId: dora.id, partnerId: store.partner.id, reviewReason: 'unreadable', totalCents: 1_463 });
  const signedIn = await fetch(`${base}/admin/login`, {
    method: 'POST',
    headers: { origin: base },
    body: new URLSearchParams({ email: 'care@receipts.test', password }),
    redirect: 'manual',
  });
  const cookie = signedIn.headers
    .getSetCookie()
    .find((c) => c.startsWith('tessera_admin='))!
    .split(';')[0]!;
  const transfers = await p.transferCount();
  // Crafted requests: the form's date picker would not send these, but the server must not stumble on them.
  for (const purchasedOn of ['2026-02-30', '0000-01-01']) {
    const form = new FormData();
    form.append('purchasedOn', purchasedOn);
    const answer = await fetch(`${base}/admin/api/resources/Receipt/records/${waiting.id}/review`, {
      method: 'POST',
      body: form,
      headers: { cookie, origin: base },
    });
    expect.soft(answer.status, purchasedOn).toBe(200);
    const body = await answer.json().catch(() => null);
    expect.soft(body?.record?.errors?.purchasedOn?.message, purchasedOn).toBe('must be a date (YYYY-MM-DD)');
  }
  expect(await db.manager.findOneByOrFail(Receipt, { id: waiting.id })).toMatchObject({
    status: 'review',
    purchasedOn: null,
    points: null,
  });
  expect(await p.transferCount()).toBe(transfers);
}, 60_000);

it('lets care accept anyway, with a reason it records, a receipt of a second purchase of the same day and total as the store sent, paying once on a double click', async () => {
  const db = harness.db.dataSource;
  const externalId = `eve-${randomUUID()}`;
  const cafe = await p.partner(10_000);
  const { member: eve, account } = await p.member(externalId, cafe.partner.id);
  await db.manager.update(Partner, { id: cafe.partner.id }, { name: 'Corner Café' });
  // Eve's first coffee came through the café's app; the second, paid cash, on her receipt.
  const purchasedAt = new Date(`${daysAgo(1)}T08:15:00Z`);
  await inTransaction(db, (manager) =>
    recordEvent(manager, p.ledger, {
      partnerId: cafe.partner.id,
      member: { externalId },
      type: 'purchase',
      amountCents: 350,
      occurredAt: purchasedAt,
      receivedAt: new Date(),
    }),
  );
  expect(await p.available(account.id)).toBe(3);
  const waiting = await waitingForCare({
    memberId: eve.id,
    partnerId: cafe.partner.id,
    reviewReason: 'likely_duplicate',
    purchasedOn: daysAgo(1),
    totalCents: 350,
  });
  const browser = await launchBrowser();
  try {
    const page = await signInToBackOffice(browser, base, 'care@receipts.test', password);
    await page.goto(`${base}/admin/resources/Receipt/records/${waiting.id}/review`);
    await page.getByTestId('receipt-review-form').waitFor();
    // Accepting is refused as before, naming the store's purchase; only then is the override offered.
    expect(await page.getByRole('button', { name: 'Accept anyway: it is another purchase' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Accept and pay the points' }).click();
    await page
      .getByText(
        /Not paid: the store already sent this purchase \(3\.50 at \d{4}-\d{2}-\d{2} 08:15 UTC\) and it paid 3 points\. Reject it with a reason for the member, or accept it anyway/,
      )
      .waitFor();
    const anyway = page.getByRole('button', { name: 'Accept anyway: it is another purchase' });
    await anyway.click();
    await page.getByText('say why it is another purchase (at least 5 characters)').waitFor();
    await page.fill('#anotherPurchase', 'Two coffees: one through the app, one paid cash (the till roll shows both)');
    await settle(page);
    await page.screenshot({ path: join(artifactsDir, 'receipt-accept-anyway.png'), fullPage: true });
    await anyway.dblclick();
    await page.getByText('Accepted as another purchase: 3 points paid to the member').waitFor();
    await settle(page);
    await page.screenshot({ path: join(artifactsDir, 'receipt-accepted-anyway.png'), fullPage: true });
    // The queue reads as care reads a receipt: the total as money, the status as written.
    const row = page.getByRole('row').filter({ hasText: 'Corner Café' });
    await row.getByText('Points awarded', { exact: true }).waitFor();
    expect(await row.textContent()).toMatch(/€3\.50/);
    // Why each was sent to care stays on settled receipts too; the store short of points reads as a refused payment.
    await page.getByText('Sent to care because', { exact: true }).first().waitFor();
    await page.getByText('Payment refused', { exact: true }).first().waitFor();
    // Members and stores are not offered as sort orders: they would sort by their ids, an order nobody reads.
    await page.getByText('Member', { exact: true }).first().waitFor();
    expect(await page.locator('a[href*="sortBy=memberId"], a[href*="sortBy=partnerId"]').count()).toBe(0);
    await page.goto(`${base}/admin/resources/Receipt/records/${waiting.id}/show`);
    await page.getByText('Two coffees: one through the app, one paid cash').waitFor();
    // Its purchase past its retention (the month's partition dropped): still paid, never "Not paid".
    const { eventId } = await db.manager.findOneByOrFail(Receipt, { id: waiting.id });
    await db.manager.update(Receipt, { id: waiting.id }, { eventId: randomUUID() });
    await page.reload();
    await page.getByText('Paid (the purchase is no longer kept)').waitFor();
    await db.manager.update(Receipt, { id: waiting.id }, { eventId });
  } finally {
    await browser.close();
  }
  expect(await db.manager.findOneByOrFail(Receipt, { id: waiting.id })).toMatchObject({
    status: 'awarded',
    points: 3,
    acceptedAnywayReason: 'Two coffees: one through the app, one paid cash (the till roll shows both)',
  });
  expect(await p.available(account.id)).toBe(6);
  const audit = await db.manager.findBy(AuditEntry, { resource: 'Receipt', recordId: waiting.id });
  expect(audit.map((entry) => [entry.action, entry.staffEmail, entry.after])).toEqual([
    [
      'acceptAnyway',
      'care@receipts.test',
      { status: 'awarded', points: 3, acceptedAnywayReason: 'Two coffees: one through the app, one paid cash (the till roll shows both)' },
    ],
  ]);
  expect((await checkLedger(db.manager)).violations).toEqual([]);
}, 120_000);

it('deletes a receipt image once its retention ends', async () => {
  const db = harness.db.dataSource;
  const first = await db.manager.findOneByOrFail(Receipt, { id: firstId });
  for (let i = 0; i < 240 && !(await db.manager.findOneByOrFail(Receipt, { id: firstId })).imageDeletedAt; i++)
    await new Promise((resolve) => setTimeout(resolve, 500));
  expect((await db.manager.findOneByOrFail(Receipt, { id: firstId })).imageDeletedAt).not.toBeNull();
  expect(await harness.receiptImages.get(first.imageKey)).toBeNull();
}, 150_000);

/** A receipt sent from the dashboard that waits for care, its image never stored (the review shows it gone). */
function waitingForCare(fields: Pick<Receipt, 'memberId' | 'partnerId' | 'reviewReason' | 'totalCents'> & Partial<Receipt>) {
  const db = harness.db.dataSource;
  return db.manager.save(
    db.manager.create(Receipt, {
      source: 'dashboard',
      status: 'review',
      imageKey: `never-stored-${randomUUID()}`,
      imageType: 'image/jpeg',
      ...fields,
    }),
  );
}
