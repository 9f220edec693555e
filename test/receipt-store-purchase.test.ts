import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Bonus, CreditProgram, EarningRule, MemberEvent, ProgramSettings, Receipt } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { mergeMembers } from '../loyalty/member-identity.js';
import { memberReceipts } from '../loyalty/receipts/member-receipts.js';
import { settleReceiptReading } from '../loyalty/receipts/receipt-outcome.js';
import { acceptReceipt } from '../loyalty/receipts/receipt-review.js';
import { saveInstantWinCampaign } from '../loyalty/engagement/instant-win-form.js';
import { createWebApp } from '../wiring/web-app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';
import { receiptSent } from './support/receipt-sent.js';

/**
 * A receipt paid first, then the store sends the same purchase through its API (the till was
 * offline, or the store batches its sales): the member is paid once, the store is answered with the
 * receipt's purchase, and nothing the purchase earned (cashback, a draw, a goal) happens twice.
 * Through the lean path and the full one, at the same moment as the reading, after a merge, and
 * with the sales sent out of order.
 */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let shop: Awaited<ReturnType<typeof p.partner>>;
let key: string;
let server: Server;
let base: string;
const funded = 1_000_000;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, { id: 1, eventBackdateDays: 62 });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  forgetProgramConfiguration(db.dataSource);
  shop = await p.partner(funded);
  await m.update('partner', { id: shop.partner.id }, { name: 'Green Grocer' });
  key = (await issueApiKey(m, shop.partner.id, 'till')).secret;
  server = createWebApp({ health: {}, api: { dataSource: db.dataSource, ledger: p.ledger } }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  server.close();
  await db.drop();
});

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);
const day = daysAgo(1);
const printed = (d: Date) =>
  `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
const receiptText = (total: string, on = day, store = 'GREEN GROCER', lines = '') =>
  `${store}\n12 Market Street\nDate: ${printed(on)}\n${lines}TOTAL ${total}\nCARD ${total}\n`;
/** Noon UTC of the receipt's day (yesterday unless said), moved by `hours`. */
const onTheDay = (hours = 0, on = day) => new Date(Date.UTC(on.getUTCFullYear(), on.getUTCMonth(), on.getUTCDate(), 12 + hours));

/** A receipt `memberId` sent, waiting for its reading. */
const receiptSentBy = (memberId: string) => receiptSent(db.dataSource.manager, memberId);

async function memberWithReceipt(externalId: string) {
  const member = await p.member(externalId, shop.partner.id);
  return { memberId: member.member.id, account: member.account.id, receipt: await receiptSentBy(member.member.id) };
}

/** Another store, with the name its receipts print and a key for its till. */
async function storeNamed(name: string) {
  const store = await p.partner(1_000_000);
  await db.dataSource.manager.update('partner', { id: store.partner.id }, { name });
  return { ...store, key: (await issueApiKey(db.dataSource.manager, store.partner.id, 'till')).secret };
}
const read = (id: string, total: string, text = receiptText(total)) =>
  settleReceiptReading(db.dataSource, p.ledger, id, { text, confidence: 95 });
const eventsOf = (memberId: string) => db.dataSource.manager.countBy(MemberEvent, { memberId });
const receiptOf = (id: string) => db.dataSource.manager.findOneByOrFail(Receipt, { id });
const wallet = () => p.available(shop.wallet.id);

/** The store's purchase through `POST /events` (the lean path unless something sends it to the full one). */
async function storeSends(externalId: string, amountCents: number, occurredAt = onTheDay(), apiKey = key, idempotencyKey = randomUUID()) {
  const response = await fetch(`${base}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify({
      member: { externalId },
      type: 'purchase',
      amountCents,
      currency: 'EUR',
      occurredAt: occurredAt.toISOString(),
    }),
  });
  const body = (await response.json()) as { id: string; points: number; bonusPoints: number; explanation: { reason: string }[] };
  expect({ status: response.status, body }).toMatchObject({ status: 201 });
  return body;
}
const ledgerTrue = async () => expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);

it("pays a purchase once when the member's receipt was paid before the store sent it: the store is answered with the receipt's purchase", async () => {
  const { memberId, account, receipt } = await memberWithReceipt('rs-confirmed');
  expect((await read(receipt.id, '18.40')).outcome).toBe('awarded');
  expect(await p.available(account)).toBe(18);
  const walletAfterReceipt = await wallet();
  const paidBy = (await receiptOf(receipt.id)).eventId!;

  const sent = await storeSends('rs-confirmed', 1_840);
  expect(sent).toMatchObject({ id: paidBy, points: 18, bonusPoints: 0 });
  // The receipt's printed day, whenever it was read.
  expect(sent.explanation.at(-1)!.reason).toBe(
    `paid already from the member's receipt of ${day.toISOString().slice(0, 10)}: the same purchase, recorded once`,
  );
  // Once: the member has 18, the store's wallet paid 18 in all, and there is one purchase.
  expect(await p.available(account)).toBe(18);
  expect(await wallet()).toBe(walletAfterReceipt);
  expect(await eventsOf(memberId)).toBe(1);
  expect((await receiptOf(receipt.id)).confirmedByStoreAt).not.toBeNull();
  const [shown] = await memberReceipts(db.dataSource.manager, memberId);
  expect(shown).toMatchObject({ id: receipt.id, points: 18, total: '€18.40', confirmedByStore: true });

  // A second sale of the same total that day is another purchase: it pays.
  await storeSends('rs-confirmed', 1_840, onTheDay(2));
  expect(await p.available(account)).toBe(36);
  // The store refunds the sale it was answered with: the receipt's points go back.
  const refunded = await fetch(`${base}/events/${sent.id}/refunds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({}),
  });
  expect(refunded.status).toBe(201);
  expect(await p.available(account)).toBe(18);
  await ledgerTrue();
});

it("does not take the store's sale for the receipt at another total, another day or another store, and does late on the receipt's day in New York", async () => {
  const { account, receipt } = await memberWithReceipt('rs-full');
  expect((await read(receipt.id, '7.25')).outcome).toBe('awarded');
  await storeSends('rs-full', 726);
  await storeSends('rs-full', 725, onTheDay(-72));
  expect(await p.available(account)).toBe(7 + 7 + 7);
  expect((await receiptOf(receipt.id)).confirmedByStoreAt).toBeNull();

  // Another store's sale of the total (its own customer of that id) is not this receipt's.
  const other = await p.partner(1_000);
  await storeSends('rs-full', 725, onTheDay(), (await issueApiKey(db.dataSource.manager, other.partner.id, 'till')).secret);
  expect((await receiptOf(receipt.id)).confirmedByStoreAt).toBeNull();

  // Late in the evening in New York is the receipt's day too (00:30 UTC the day after).
  const lateInNewYork = new Date(onTheDay().getTime() + 12.5 * 3_600_000);
  const sent = await storeSends('rs-full', 725, lateInNewYork < new Date() ? lateInNewYork : onTheDay());
  expect(sent.id).toBe((await receiptOf(receipt.id)).eventId);
  expect(await p.available(account)).toBe(7 + 7 + 7);
  await ledgerTrue();
});

it('pairs each sale with the receipt of its own day when the till sends Tuesday before Monday', async () => {
  const { memberId, account, receipt: monday } = await memberWithReceipt('rs-order');
  expect((await read(monday.id, '8.00', receiptText('8.00', daysAgo(3)))).outcome).toBe('awarded');
  const tuesday = await receiptSentBy(memberId);
  expect((await read(tuesday.id, '8.00', receiptText('8.00', daysAgo(2)))).outcome).toBe('awarded');
  // Morning coffees at 09:00 UTC: each day's sale is on both receipts' local days.
  const tuesdaySale = await storeSends('rs-order', 800, onTheDay(-3, daysAgo(2)));
  const mondaySale = await storeSends('rs-order', 800, onTheDay(-3, daysAgo(3)));
  expect([tuesdaySale.id, mondaySale.id]).toEqual([(await receiptOf(tuesday.id)).eventId, (await receiptOf(monday.id)).eventId]);
  expect(await p.available(account)).toBe(16);
  await ledgerTrue();
});

it("answers with what is left of a receipt's purchase the store refunded in part, paying nothing again", async () => {
  const { account, receipt } = await memberWithReceipt('rs-returned');
  const text = receiptText('18.40', day, 'GREEN GROCER', 'APPLES 5.00\nBREAD 13.40\n');
  expect((await read(receipt.id, '18.40', text)).outcome).toBe('awarded');
  const eventId = (await receiptOf(receipt.id)).eventId!;
  const { lines } = await db.dataSource.manager.findOneByOrFail(MemberEvent, { id: eventId });
  const apples = lines.find((l) => l.unitPriceCents === 500)!.reference;
  const returned = await fetch(`${base}/events/${eventId}/refunds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ lines: [{ reference: apples, quantity: 1 }] }),
  });
  expect(returned.status).toBe(201);
  const afterReturn = await p.available(account);
  expect(afterReturn).toBe(14);
  expect((await storeSends('rs-returned', 1_840)).id).toBe(eventId);
  expect(await p.available(account)).toBe(afterReturn);
  await ledgerTrue();
});

it("pays a sale the store says happened after the member sent the receipt: it cannot be the receipt's purchase", async () => {
  const { account, receipt } = await memberWithReceipt('rs-evening');
  // The photo was sent at 10:00 UTC on the receipt's day (a reading moves nothing but the receipt's own row).
  await db.dataSource.manager.update(Receipt, { id: receipt.id }, { uploadedAt: onTheDay(-2) });
  expect((await read(receipt.id, '4.00')).outcome).toBe('awarded');
  // 18:00 UTC: the same again, the card shown this time; and 07:00 UTC the next day.
  const evening = await storeSends('rs-evening', 400, onTheDay(6));
  expect(evening.id).not.toBe((await receiptOf(receipt.id)).eventId);
  expect(await p.available(account)).toBe(8);
  // At the end of a till's clock skew after the upload, both sides call it another purchase.
  expect((await storeSends('rs-evening', 400, new Date(onTheDay(-2).getTime() + 5 * 60_000))).id).not.toBe(
    (await receiptOf(receipt.id)).eventId,
  );
  expect(await p.available(account)).toBe(12);
  // A till a few minutes fast is still the receipt's own sale.
  expect((await storeSends('rs-evening', 400, new Date(onTheDay(-2).getTime() + 4 * 60_000))).id).toBe(
    (await receiptOf(receipt.id)).eventId,
  );
  expect(await p.available(account)).toBe(12);
  await ledgerTrue();
});

it("takes a sale sent with lines and no amount for the receipt of their total, and gives the receipt's purchase the store's lines, so the store refunds by its own references", async () => {
  const { account, receipt } = await memberWithReceipt('rs-lines');
  expect((await read(receipt.id, '20.00', receiptText('20.00', day, 'GREEN GROCER', 'APPLES 12.00\nPEARS 8.00\n'))).outcome).toBe(
    'awarded',
  );
  const paidBy = (await receiptOf(receipt.id)).eventId!;
  const response = await fetch(`${base}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({
      member: { externalId: 'rs-lines' },
      type: 'purchase',
      lines: [
        { reference: 'SKU-APPLES', quantity: 2, unitPriceCents: 600 },
        { reference: 'SKU-PEARS', quantity: 1, unitPriceCents: 800 },
      ],
      occurredAt: onTheDay().toISOString(),
    }),
  });
  expect(response.status).toBe(201);
  expect(((await response.json()) as { id: string }).id).toBe(paidBy);
  expect(await p.available(account)).toBe(20);
  // What the store reads back is its own sale: its customer and its lines.
  const view = (await (await fetch(`${base}/events/${paidBy}`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
    member: { externalId: string };
    lines: { reference: string }[];
  };
  expect({ member: view.member.externalId, lines: view.lines.map((l) => l.reference) }).toEqual({
    member: 'rs-lines',
    lines: ['SKU-APPLES', 'SKU-PEARS'],
  });
  const pears = await fetch(`${base}/events/${paidBy}/refunds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ lines: [{ reference: 'SKU-PEARS', quantity: 1 }] }),
  });
  expect(pears.status).toBe(201);
  expect(await p.available(account)).toBe(12);
  await ledgerTrue();
});

it('sends a receipt of a sale the store sent with lines and no amount to care, as for one with an amount', async () => {
  const member = await p.member('rs-lines-first', shop.partner.id);
  const response = await fetch(`${base}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({
      member: { externalId: 'rs-lines-first' },
      type: 'purchase',
      lines: [{ reference: 'SKU-KALE', quantity: 3, unitPriceCents: 250 }],
      occurredAt: onTheDay(-1).toISOString(),
    }),
  });
  expect(response.status).toBe(201);
  const receipt = await receiptSentBy(member.member.id);
  expect((await read(receipt.id, '7.50')).outcome).toBe('review');
  expect(await receiptOf(receipt.id)).toMatchObject({ reviewReason: 'likely_duplicate', points: null });
  await ledgerTrue();
});

it('takes the sale for a receipt care accepted as another purchase: that sale is the other purchase', async () => {
  const { account, receipt } = await memberWithReceipt('rs-anyway');
  await storeSends('rs-anyway', 350, onTheDay(-3));
  expect((await read(receipt.id, '3.50')).outcome).toBe('review');
  await acceptReceipt(db.dataSource, p.ledger, {
    receiptId: receipt.id,
    agentId: randomUUID(),
    corrections: { anotherPurchase: 'Two coffees: one through the app, one paid cash' },
  });
  expect(await p.available(account)).toBe(6);
  // The store sends the cash coffee afterwards: the receipt paid it.
  expect((await storeSends('rs-anyway', 350, onTheDay(-1))).id).toBe((await receiptOf(receipt.id)).eventId);
  expect(await p.available(account)).toBe(6);
  // A third coffee pays.
  await storeSends('rs-anyway', 350, onTheDay(1));
  expect(await p.available(account)).toBe(9);
  await ledgerTrue();
});

it('takes the sale for the receipt a member sent before they were merged, when the store sends it for whom they became', async () => {
  const { memberId, receipt } = await memberWithReceipt('rs-old-card');
  expect((await read(receipt.id, '21.00')).outcome).toBe('awarded');
  const survivor = await p.member('rs-new-card', shop.partner.id);
  await inTransaction(db.dataSource, (m) =>
    mergeMembers(m, p.ledger, { fromMemberId: memberId, intoMemberId: survivor.member.id, cause: 'care', requestedBy: 'care@test' }),
  );
  expect(await p.available(survivor.account.id)).toBe(21);
  expect((await storeSends('rs-new-card', 2_100)).id).toBe((await receiptOf(receipt.id)).eventId);
  expect(await p.available(survivor.account.id)).toBe(21);
  await ledgerTrue();
});

it('answers a sale sent three times at once and replayed with one purchase, paid once', async () => {
  const { account, receipt } = await memberWithReceipt('rs-replay');
  expect((await read(receipt.id, '23.00')).outcome).toBe('awarded');
  const idempotencyKey = randomUUID();
  const answers = await Promise.all([1, 2, 3].map(() => storeSends('rs-replay', 2_300, onTheDay(), key, idempotencyKey)));
  const replayed = await storeSends('rs-replay', 2_300, onTheDay(), key, idempotencyKey);
  expect(new Set([...answers, replayed].map((a) => a.id))).toEqual(new Set([(await receiptOf(receipt.id)).eventId]));
  expect(await p.available(account)).toBe(23);
  await ledgerTrue();
});

it('pays cashback once when the store sends the sale a receipt paid', async () => {
  const m = db.dataSource.manager;
  const baker = await storeNamed('Blue Baker');
  const bakerKey = baker.key;
  await m.insert(CreditProgram, { name: 'Baker cashback', currency: 'EUR', partnerIds: [baker.partner.id], cashbackPercent: 10 });
  const member = await p.member('rs-cash', baker.partner.id);
  const receipt = await receiptSentBy(member.member.id);
  expect((await read(receipt.id, '50.00', receiptText('50.00', day, 'BLUE BAKER'))).outcome).toBe('awarded');
  const credit = async () => {
    const response = await fetch(`${base}/members/rs-cash`, { headers: { authorization: `Bearer ${bakerKey}` } });
    return ((await response.json()) as { credit: { availableMinor: number }[] }).credit[0]!.availableMinor;
  };
  expect(await credit()).toBe(500);
  await storeSends('rs-cash', 5_000, onTheDay(), bakerKey);
  expect(await credit()).toBe(500);
  expect(await p.available(member.account.id)).toBe(50);
  await ledgerTrue();
});

it('draws an instant win once for a purchase the receipt paid and the store sent, leaving the budget to others', async () => {
  const ring = await storeNamed('Red Ring');
  const ringKey = ring.key;
  await inTransaction(db.dataSource, (tx) =>
    saveInstantWinCampaign(
      tx,
      {
        name: 'Every purchase wins',
        mode: 'probability',
        winChance: '100',
        startsAt: daysAgo(5).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        prizePoints: '200',
        prizeBudget: '2',
        status: 'live',
      },
      { kind: 'partner', partnerId: ring.partner.id },
    ),
  );
  forgetProgramConfiguration(db.dataSource);
  const member = await p.member('rs-win', ring.partner.id);
  const other = await p.member('rs-win-other', ring.partner.id);
  const receipt = await receiptSentBy(member.member.id);
  expect((await read(receipt.id, '10.00', receiptText('10.00', day, 'RED RING'))).outcome).toBe('awarded');
  expect(await p.available(member.account.id)).toBe(210);
  await storeSends('rs-win', 1_000, onTheDay(), ringKey);
  expect(await p.available(member.account.id)).toBe(210);
  // The budget's second prize is still there for another customer.
  await storeSends('rs-win-other', 1_000, new Date(Date.now() - 60_000), ringKey);
  expect(await p.available(other.account.id)).toBe(210);
  await ledgerTrue();
});

it('pays once when the reading and the store purchase arrive at the same moment', async () => {
  // Each member's own total: the same text twice would be one receipt sent by two members.
  const members = await Promise.all(Array.from({ length: 8 }, (_, i) => memberWithReceipt(`rs-race-${i}`)));
  const walletBefore = await wallet();
  await Promise.all(members.flatMap((m, i) => [read(m.receipt.id, `${31 + i}.00`), storeSends(`rs-race-${i}`, (31 + i) * 100)]));
  for (const [i, m] of members.entries()) {
    expect(await p.available(m.account)).toBe(31 + i);
    // Either the receipt waits for care as the store's purchase, or it paid first and the store's sale was answered with it.
    const settled = await receiptOf(m.receipt.id);
    expect(
      settled.status === 'review' ? settled.reviewReason : settled.confirmedByStoreAt ? 'confirmed' : `paid twice: ${settled.status}`,
    ).toMatch(/likely_duplicate|confirmed/);
  }
  expect(walletBefore - (await wallet())).toBe(8 * 31 + 28);
  await ledgerTrue();
});

/** Until `count` sessions wait for a member's lock (lockMemberAccounts). */
async function waitingForMemberLock(count: number) {
  for (let tries = 0; tries < 200; tries++) {
    const [{ waiting }] = await db.dataSource.query(
      `SELECT COUNT(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FROM ledger_balance%FOR UPDATE%'`,
    );
    if (waiting >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`fewer than ${count} sessions waited for the member's lock`);
}

it("pays once when the store's purchase takes the member's lock just before the reading pays the receipt", async () => {
  const { account, receipt } = await memberWithReceipt('rs-store-first');
  // Another write for the member holds their lock: the store's purchase queues for it first, then the reading.
  const blocker = db.dataSource.createQueryRunner();
  await blocker.connect();
  await blocker.startTransaction();
  await blocker.query(`SELECT 1 FROM ledger_balance WHERE "accountId" = $1 FOR UPDATE`, [account]);
  const store = storeSends('rs-store-first', 4_100);
  await waitingForMemberLock(1);
  const reading = read(receipt.id, '41.00');
  await waitingForMemberLock(2);
  await blocker.rollbackTransaction();
  await blocker.release();
  expect((await reading).outcome).toBe('review');
  await store;
  expect(await p.available(account)).toBe(41);
  expect(await receiptOf(receipt.id)).toMatchObject({ status: 'review', reviewReason: 'likely_duplicate', points: null });
  await ledgerTrue();
});

it('pays no "two purchases" goal bonus for one purchase the receipt paid and the store sent (last: adds a program-wide goal)', async () => {
  await db.dataSource.manager.insert(Bonus, {
    name: 'two visits',
    moment: 'goal',
    points: 50,
    goal: { eventType: 'purchase', count: 2, withinDays: 30 },
  });
  forgetProgramConfiguration(db.dataSource);
  const { account, receipt } = await memberWithReceipt('rs-goal');
  expect((await read(receipt.id, '6.00')).outcome).toBe('awarded');
  expect(await p.available(account)).toBe(6);
  expect(await storeSends('rs-goal', 600)).toMatchObject({ bonusPoints: 0 });
  expect(await p.available(account)).toBe(6);
  // A second purchase reaches the goal.
  expect(await storeSends('rs-goal', 700, onTheDay(3))).toMatchObject({ bonusPoints: 50 });
  expect(await p.available(account)).toBe(63);
  await ledgerTrue();
});
