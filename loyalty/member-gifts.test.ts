import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EarningRule, Member, ProgramSettings } from '../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { createProgram } from '../test/support/program.js';
import { recordEvent } from './earning/record-event.js';
import { checkLedger } from './ledger/invariants.js';
import { inTransaction } from './ledger/transaction.js';
import { giftAllowance, giftRecipient, giftSent, giveToMember } from './member-gifts.js';
import { memberStatement } from './member-statement.js';
import { memberSummary } from './member-summary.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let shopId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'never' }, transferMaxPoints: 100, transferMaxPointsPerDay: 150 });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  shopId = (await p.partner(100_000)).partner.id;
});
afterAll(() => db.drop());

/** A customer of the shop with `points`, who proved their email (or not) and has a display name (or not). */
async function customer(points: number, options: { verified?: boolean; displayName?: string; phone?: string } = {}) {
  const customerId = `gf-${randomUUID().slice(0, 8)}`;
  const email = `${customerId}@example.test`;
  const earned = await inTransaction(db.dataSource, (m) =>
    recordEvent(m, p.ledger, {
      partnerId: shopId,
      member: {
        externalId: customerId,
        email,
        emailVerified: options.verified ?? true,
        phone: options.phone,
        phoneVerified: !!options.phone,
      },
      type: 'purchase',
      amountCents: points * 100,
      currency: 'EUR',
      occurredAt: new Date(),
      receivedAt: new Date(),
    }),
  );
  if (options.displayName) await db.dataSource.manager.update(Member, { id: earned.memberId }, { displayName: options.displayName });
  return { id: earned.memberId, email };
}

const give = (fromMemberId: string, to: string, points: number, key = `dashboard:${randomUUID()}`) =>
  inTransaction(db.dataSource, (m) => giveToMember(m, p.ledger, { fromMemberId, to, points, key }));
const available = async (memberId: string) => (await memberSummary(db.dataSource.manager, memberId)).balance.available;

it('finds the recipient only by an address they proved, and says nothing more of anyone else', async () => {
  const ann = await customer(100);
  const bo = await customer(0, { displayName: 'Bo Jansen' });
  const cleo = await customer(0, { phone: '+31612345678' });
  const unproven = await customer(0, { verified: false });
  const find = (to: string) => giftRecipient(db.dataSource.manager, ann.id, to);
  expect(await find(bo.email.toUpperCase())).toEqual({ memberId: bo.id, label: 'Bo Jansen' });
  expect(await find('+31 6 12 34 56 78')).toEqual({ memberId: cleo.id, label: '+31•••78' });
  for (const nobody of [unproven.email, 'nobody@example.test', '+31699999999', 'not an address']) {
    await expect(find(nobody)).rejects.toThrow('to: no member can receive points at this address');
  }
  await expect(find(ann.email)).rejects.toThrow('to: this is your own address');
});

it('refuses a gift over the limit per gift, naming the limit, and moves nothing', async () => {
  const ann = await customer(500);
  const bo = await customer(0);
  await expect(give(ann.id, bo.email, 101)).rejects.toThrow('points: at most 100 points per transfer');
  expect([await available(ann.id), await available(bo.id)]).toEqual([500, 0]);
});

it("refuses a gift over the day's limit, naming it and what was already given today", async () => {
  const ann = await customer(500);
  const bo = await customer(0);
  await give(ann.id, bo.email, 100);
  await expect(give(ann.id, bo.email, 60)).rejects.toThrow('points: at most 150 points a day; 100 already sent today');
  expect(await giftAllowance(db.dataSource.manager, ann.id)).toEqual({ perGift: 100, perDay: 150, sentToday: 100, available: 400 });
  expect(await available(bo.id)).toBe(100);
});

it("gives once for a form sent twice, even when the day's limit leaves no room for a second", async () => {
  const ann = await customer(500, { displayName: 'Ann de Vries' });
  const bo = await customer(0, { displayName: 'Bo Jansen' });
  const key = `dashboard:${randomUUID()}`;
  const first = await give(ann.id, bo.email, 90, key);
  const again = await give(ann.id, bo.email, 90, key);
  expect([first.replayed, again.replayed]).toEqual([false, true]);
  expect(again.transfer.id).toBe(first.transfer.id);
  expect([await available(ann.id), await available(bo.id)]).toEqual([410, 90]);
  expect(await giftSent(db.dataSource.manager, ann.id, key)).toMatchObject({ points: 90, to: 'Bo Jansen' });
  // The key is the giver's: another member cannot read a gift by it.
  expect(await giftSent(db.dataSource.manager, bo.id, key)).toBeNull();

  const line = async (memberId: string) => (await memberStatement(db.dataSource.manager, memberId, { limit: 1 })).lines[0];
  expect(await line(ann.id)).toMatchObject({ description: 'Gift to Bo Jansen', points: -90 });
  expect(await line(bo.id)).toMatchObject({ description: 'Gift from Ann de Vries', points: 90 });
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});
