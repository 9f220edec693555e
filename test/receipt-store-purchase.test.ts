import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Bonus, EarningRule, MemberEvent, PointsDebt, ProgramSettings, Receipt, Reward } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { mergeMembers } from '../loyalty/member-identity.js';
import { memberReceipts } from '../loyalty/receipts/member-receipts.js';
import { settleReceiptReading } from '../loyalty/receipts/receipt-outcome.js';
import { acceptReceipt } from '../loyalty/receipts/receipt-review.js';
import { redeemReward } from '../loyalty/redemptions.js';
import { createWebApp } from '../wiring/web-app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

/**
 * A receipt paid first, then the store sends the same purchase through its API (the till was
 * offline, or the store batches its sales): the member is paid once, by the store's purchase, and the
 * receipt says it was replaced. Through the lean path and the full one, at the same moment as the
 * reading, after the member spent the receipt's points, and after the member was merged.
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
  // Refunds the members spent are refused by the program: the store's purchase must stand anyway.
  await m.insert(ProgramSettings, { id: 1, eventBackdateDays: 62, refundShortfall: 'refuse' });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  await m.insert(Reward, { code: 'ten', name: 'Ten points', pointsPrice: 10 });
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

const day = new Date(Date.now() - 86_400_000);
const printed = `${String(day.getUTCDate()).padStart(2, '0')}/${String(day.getUTCMonth() + 1).padStart(2, '0')}/${day.getUTCFullYear()}`;
const receiptText = (total: string) => `GREEN GROCER\n12 Market Street\nDate: ${printed}\nTOTAL ${total}\nCARD ${total}\n`;
/** Noon UTC of the receipt's day, moved by `hours`. */
const onTheDay = (hours = 0) => new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 12 + hours));

async function memberWithReceipt(externalId: string) {
  const member = await p.member(externalId, shop.partner.id);
  const receipt = await db.dataSource.manager.save(
    db.dataSource.manager.create(Receipt, {
      memberId: member.member.id,
      source: 'dashboard',
      imageKey: `receipts/${randomUUID()}.jpg`,
      imageType: 'image/jpeg',
    }),
  );
  return { memberId: member.member.id, account: member.account.id, receipt };
}
const read = (id: string, total: string) => settleReceiptReading(db.dataSource, p.ledger, id, { text: receiptText(total), confidence: 95 });
const receiptOf = (id: string) => db.dataSource.manager.findOneByOrFail(Receipt, { id });
const wallet = () => p.available(shop.wallet.id);

/** The store's purchase through `POST /events`; a point of sale's code takes the full path, none the lean one. */
async function storeSends(externalId: string, amountCents: number, occurredAt = onTheDay(), extra: object = {}) {
  const response = await fetch(`${base}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({
      member: { externalId },
      type: 'purchase',
      amountCents,
      currency: 'EUR',
      occurredAt: occurredAt.toISOString(),
      ...extra,
    }),
  });
  const body = (await response.json()) as { id: string; points: number; recoveredPoints: number };
  expect({ status: response.status, body }).toMatchObject({ status: 201 });
  return { ...body, eventId: body.id };
}
const ledgerTrue = async () => expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);

it("pays a purchase once when the member's receipt was paid before the store sent it: the store's purchase replaces the receipt's", async () => {
  const { memberId, account, receipt } = await memberWithReceipt('rs-replaced');
  expect((await read(receipt.id, '18.40')).outcome).toBe('awarded');
  expect(await p.available(account)).toBe(18);
  const walletAfterReceipt = await wallet();

  const sent = await storeSends('rs-replaced', 1_840);
  expect(sent.points).toBe(18);
  // Once: the member has 18, and the store's wallet paid 18 in all.
  expect(await p.available(account)).toBe(18);
  expect(await wallet()).toBe(walletAfterReceipt);
  const replaced = await receiptOf(receipt.id);
  expect(replaced).toMatchObject({ status: 'awarded', replacedByEventId: sent.eventId });
  const paidByReceipt = await db.dataSource.manager.findOneByOrFail(MemberEvent, { id: replaced.eventId! });
  expect(paidByReceipt.refundedCents).toBe(1_840);
  // The member reads why on their receipt.
  const [shown] = await memberReceipts(db.dataSource.manager, memberId);
  expect(shown).toMatchObject({ id: receipt.id, replacedByStore: true });

  // The store sending a second purchase of the same total that day is another purchase: it pays.
  await storeSends('rs-replaced', 1_840, onTheDay(2));
  expect(await p.available(account)).toBe(36);
  await ledgerTrue();
});

it("does not replace the receipt for another total, another day or another store, and does late on the receipt's day in New York", async () => {
  const { account, receipt } = await memberWithReceipt('rs-full');
  expect((await read(receipt.id, '7.25')).outcome).toBe('awarded');
  await storeSends('rs-full', 726);
  await storeSends('rs-full', 725, onTheDay(-72));
  expect(await p.available(account)).toBe(7 + 7 + 7);
  expect((await receiptOf(receipt.id)).replacedByEventId).toBeNull();

  const other = await p.partner(1_000);
  const otherKey = (await issueApiKey(db.dataSource.manager, other.partner.id, 'till')).secret;
  const elsewhere = await fetch(`${base}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${otherKey}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({
      member: { externalId: 'rs-full' },
      type: 'purchase',
      amountCents: 725,
      currency: 'EUR',
      occurredAt: onTheDay().toISOString(),
    }),
  });
  expect(elsewhere.status).toBe(201);
  expect((await receiptOf(receipt.id)).replacedByEventId).toBeNull();

  // Late in the evening in New York is the receipt's day too (00:30 UTC the day after).
  const lateInNewYork = new Date(onTheDay().getTime() + 12.5 * 3_600_000);
  const sent = await storeSends('rs-full', 725, lateInNewYork < new Date() ? lateInNewYork : onTheDay());
  expect((await receiptOf(receipt.id)).replacedByEventId).toBe(sent.eventId);
  expect(await p.available(account)).toBe(7 + 7 + 7);
  await ledgerTrue();
});

it('replaces a receipt whose points the member spent, though refunds the member cannot cover are refused: the debt is paid by the store purchase itself', async () => {
  const { memberId, account, receipt } = await memberWithReceipt('rs-spent');
  expect((await read(receipt.id, '12.00')).outcome).toBe('awarded');
  await inTransaction(db.dataSource, (m) =>
    redeemReward(m, p.ledger, { memberId, rewardCode: 'ten', quantity: 1, partnerId: null, key: `rs-spent-${memberId}` }),
  );
  expect(await p.available(account)).toBe(2);
  const walletBefore = await wallet();

  expect((await storeSends('rs-spent', 1_200)).recoveredPoints).toBe(10);
  // 12 paid once: 10 spent, 2 left; nothing owed.
  expect(await p.available(account)).toBe(2);
  const debts = await db.dataSource.manager.findBy(PointsDebt, { memberAccountId: account });
  expect(debts.map((d) => ({ owed: d.owed, stillOwed: d.points }))).toEqual([{ owed: 10, stillOwed: 0 }]);
  expect(await wallet()).toBe(walletBefore);
  expect((await receiptOf(receipt.id)).replacedByEventId).not.toBeNull();
  await ledgerTrue();
});

it('keeps a receipt care accepted anyway as another purchase: its reason stands', async () => {
  const { account, receipt } = await memberWithReceipt('rs-anyway');
  await storeSends('rs-anyway', 350, onTheDay(-3));
  expect((await read(receipt.id, '3.50')).outcome).toBe('review');
  await acceptReceipt(db.dataSource, p.ledger, {
    receiptId: receipt.id,
    agentId: randomUUID(),
    corrections: { anotherPurchase: 'Two coffees: one through the app, one paid cash' },
  });
  expect(await p.available(account)).toBe(6);
  await storeSends('rs-anyway', 350, onTheDay(-1));
  expect(await p.available(account)).toBe(9);
  expect((await receiptOf(receipt.id)).replacedByEventId).toBeNull();
  await ledgerTrue();
});

it('replaces the receipt a member sent before they were merged, when the store sends the purchase for whom they became', async () => {
  const { memberId, receipt } = await memberWithReceipt('rs-old-card');
  expect((await read(receipt.id, '21.00')).outcome).toBe('awarded');
  const survivor = await p.member('rs-new-card', shop.partner.id);
  await inTransaction(db.dataSource, (m) =>
    mergeMembers(m, p.ledger, { fromMemberId: memberId, intoMemberId: survivor.member.id, cause: 'care', requestedBy: 'care@test' }),
  );
  expect(await p.available(survivor.account.id)).toBe(21);
  const sent = await storeSends('rs-new-card', 2_100);
  expect(await p.available(survivor.account.id)).toBe(21);
  expect((await receiptOf(receipt.id)).replacedByEventId).toBe(sent.eventId);
  await ledgerTrue();
});

it('pays once when the reading and the store purchase arrive at the same moment', async () => {
  // Each member's own total: the same text twice would be one receipt sent by two members.
  const members = await Promise.all(Array.from({ length: 8 }, (_, i) => memberWithReceipt(`rs-race-${i}`)));
  const walletBefore = await wallet();
  await Promise.all(members.flatMap((m, i) => [read(m.receipt.id, `${31 + i}.00`), storeSends(`rs-race-${i}`, (31 + i) * 100)]));
  for (const [i, m] of members.entries()) {
    expect(await p.available(m.account)).toBe(31 + i);
    // Either the receipt waits for care as the store's purchase, or it paid first and was replaced.
    const settled = await receiptOf(m.receipt.id);
    expect(
      settled.status === 'review' ? settled.reviewReason : settled.replacedByEventId ? 'replaced' : `paid twice: ${settled.status}`,
    ).toMatch(/likely_duplicate|replaced/);
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

it("keeps the first-purchase bonus when the store's purchase replaces the receipt of the member's first purchase", async () => {
  await db.dataSource.manager.insert(Bonus, { name: 'first order', moment: 'first_purchase', points: 100 });
  forgetProgramConfiguration(db.dataSource);
  const { account, receipt } = await memberWithReceipt('rs-first');
  expect((await read(receipt.id, '5.00')).outcome).toBe('awarded');
  expect(await p.available(account)).toBe(105);
  await storeSends('rs-first', 500);
  // The receipt's 105 were taken back; the store's purchase is the first one and pays its bonus.
  expect(await p.available(account)).toBe(105);
  await ledgerTrue();
});
