import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Bonus, EarningRule, ProgramSettings, Reward, Tier } from '../../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram, days, memberIdOf } from '../../test/support/program.js';
import { expireDueLots } from '../expiry.js';
import { checkLedger } from '../ledger/invariants.js';
import { inTransaction } from '../ledger/transaction.js';
import { redeemReward } from '../redemptions.js';
import { forgetProgramConfiguration } from './program-configuration.js';
import { recordEvent, type EventInput } from './record-event.js';
import { refundEvent, type RefundRequest } from './refund-event.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let shop: Awaited<ReturnType<typeof p.partner>>;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'never' } });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  await m.insert(Bonus, [
    { name: 'welcome', moment: 'registration', points: 50 },
    { name: 'first order', moment: 'first_purchase', points: 100 },
  ]);
  await m.insert(Reward, { code: 'everything', name: 'Everything', pointsPrice: 1 });
});
afterAll(() => db.drop());
beforeEach(async () => {
  shop = await p.partner(100_000);
  await db.dataSource.manager.update(ProgramSettings, { id: 1 }, { refundShortfall: 'debt' });
  forgetProgramConfiguration(db.dataSource);
});

const coffeeOrder = (externalId: string, extra: Partial<EventInput> = {}): EventInput => ({
  partnerId: shop.partner.id,
  member: { externalId },
  type: 'purchase',
  amountCents: 4_200,
  currency: 'EUR',
  lines: [
    { reference: 'BEANS-1KG', category: 'coffee', quantity: 1, unitPriceCents: 2_400 },
    { reference: 'FLAT-WHITE', category: 'coffee', quantity: 4, unitPriceCents: 450 },
  ],
  occurredAt: new Date(),
  receivedAt: new Date(),
  ...extra,
});
const record = (input: EventInput) => inTransaction(db.dataSource, (m) => recordEvent(m, p.ledger, input));
const refund = (eventId: string, lines?: RefundRequest['lines']) =>
  inTransaction(db.dataSource, (m) => refundEvent(m, p.ledger, { partnerId: shop.partner.id, eventId, lines, key: randomUUID() }));
const ledgerTrue = async () => expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);

it('refunds a line only as often as it was bought, naming the line', async () => {
  const order = await record(coffeeOrder('rf-ann'));
  expect(await refund(order.event.id, [{ reference: 'FLAT-WHITE', quantity: 4 }])).toMatchObject({ refundedCents: 1_800 });
  for (let i = 0; i < 3; i++) {
    await expect(refund(order.event.id, [{ reference: 'FLAT-WHITE', quantity: 4 }])).rejects.toThrow(
      'lines[0].quantity: 0 of the 4 × FLAT-WHITE bought are left to refund',
    );
  }
  expect(await refund(order.event.id)).toMatchObject({ refundedCents: 2_400, remainingCents: 0 });
  await ledgerTrue();
});

it('counts two entries of one line in one refund together', async () => {
  const order = await record(coffeeOrder('rf-bo'));
  await expect(
    refund(order.event.id, [
      { reference: 'FLAT-WHITE', quantity: 3 },
      { reference: 'FLAT-WHITE', quantity: 3 },
    ]),
  ).rejects.toThrow('lines[1].quantity: 4 of the 4 × FLAT-WHITE bought are left to refund, 6 asked');
  expect(
    await refund(order.event.id, [
      { reference: 'FLAT-WHITE', quantity: 2 },
      { reference: 'FLAT-WHITE', quantity: 2 },
    ]),
  ).toMatchObject({
    refundedCents: 1_800,
  });
});

it('takes back the first-purchase bonus with a full refund, and keeps the welcome bonus', async () => {
  const order = await record(coffeeOrder('rf-cy'));
  expect(order).toMatchObject({ points: 42, bonusPoints: 150 });
  await refund(order.event.id, [{ reference: 'FLAT-WHITE', quantity: 1 }]);
  expect(await p.available(order.memberAccountId)).toBe(188);
  const full = await refund(order.event.id);
  expect(full).toMatchObject({ pointsReversed: 38, bonusPointsReversed: 100, pointsOwed: 0 });
  expect(await p.available(order.memberAccountId)).toBe(50);
  await ledgerTrue();
});

it('takes what is left of spent points and recovers the rest from the next earns (program policy "debt")', async () => {
  const order = await record(coffeeOrder('rf-dee'));
  await inTransaction(db.dataSource, async (m) =>
    redeemReward(m, p.ledger, {
      memberId: await memberIdOf(m, 'rf-dee'),
      rewardCode: 'everything',
      quantity: 180,
      partnerId: null,
      key: randomUUID(),
    }),
  );
  expect(await p.available(order.memberAccountId)).toBe(12);
  const full = await refund(order.event.id);
  expect(full).toMatchObject({ refundedCents: 4_200, pointsReversed: 12, bonusPointsReversed: 0, pointsOwed: 130 });
  expect(await p.available(order.memberAccountId)).toBe(0);
  await ledgerTrue();

  const next = await record(coffeeOrder('rf-dee', { amountCents: 10_000, lines: [] }));
  expect(next.points).toBe(100);
  expect(next.explanation.at(-1)).toMatchObject({ rule: 'refund recovery', points: -100 });
  expect(await p.available(order.memberAccountId)).toBe(0);
  const last = await record(coffeeOrder('rf-dee', { amountCents: 5_000, lines: [] }));
  expect(last.explanation.at(-1)).toMatchObject({ rule: 'refund recovery', points: -30 });
  expect(await p.available(order.memberAccountId)).toBe(20);
  expect(await p.available(shop.wallet.id)).toBe(100_000 - 200);
  await ledgerTrue();
});

it('refuses a refund whose points were spent when the program says so, writing nothing', async () => {
  await db.dataSource.manager.update(ProgramSettings, { id: 1 }, { refundShortfall: 'refuse' });
  forgetProgramConfiguration(db.dataSource);
  const order = await record(coffeeOrder('rf-eve'));
  await inTransaction(db.dataSource, async (m) =>
    redeemReward(m, p.ledger, {
      memberId: await memberIdOf(m, 'rf-eve'),
      rewardCode: 'everything',
      quantity: 190,
      partnerId: null,
      key: randomUUID(),
    }),
  );
  await expect(refund(order.event.id)).rejects.toMatchObject({
    code: 'refund_refused',
    message: 'the member has already spent 140 of the 142 points this refund takes back',
  });
  expect(await p.available(order.memberAccountId)).toBe(2);
  await record(coffeeOrder('rf-eve', { amountCents: 1_000, lines: [] }));
  expect(await refund(order.event.id, [{ reference: 'FLAT-WHITE', quantity: 1 }])).toMatchObject({
    pointsReversed: 4,
    remainingCents: 3_750,
  });
  expect(await p.available(order.memberAccountId)).toBe(8);
  await ledgerTrue();
});

describe('what a refund cannot take back', () => {
  it('takes nothing back for points that already expired, from no other lot, owing nothing', async () => {
    const other = await p.partner(10_000);
    const order = await record(coffeeOrder('rf-expired', { lines: [] }));
    // The purchase's points expire (breakage, attributed to the shop); valid points of another partner remain.
    await db.dataSource.query(`UPDATE point_lot SET "expiresAt" = now() - interval '1 day' WHERE "creditTransferId" = ANY($1::uuid[])`, [
      (await db.dataSource.query(`SELECT id FROM ledger_transfer WHERE "idempotencyKey" = $1`, [`event:${order.event.id}`])).map(
        (t: { id: string }) => t.id,
      ),
    ]);
    await p.ledger.transfer({
      source: 'test',
      key: 'rf-expired-other',
      legs: [{ debitAccountId: other.wallet.id, creditAccountId: order.memberAccountId, amount: 100, kind: 'earn', expiresAt: days(300) }],
    });
    expect((await expireDueLots(db.dataSource, p.ledger, new Date())).byPartner[shop.partner.id]).toBe(192);
    expect(await refund(order.event.id)).toMatchObject({ pointsReversed: 0, bonusPointsReversed: 0, pointsOwed: 0, remainingCents: 0 });
    expect(await p.available(order.memberAccountId)).toBe(100);
    expect(await p.available(shop.wallet.id)).toBe(100_000 - 192);
    await ledgerTrue();
  });

  it('records the refund of a purchase whose points expired even when the program refuses shortfalls', async () => {
    await db.dataSource.manager.update(ProgramSettings, { id: 1 }, { refundShortfall: 'refuse' });
    forgetProgramConfiguration(db.dataSource);
    const order = await record(coffeeOrder('rf-expired-refuse', { lines: [] }));
    await db.dataSource.query(`UPDATE point_lot SET "expiresAt" = now() - interval '1 day' WHERE "memberAccountId" = $1`, [
      order.memberAccountId,
    ]);
    await expireDueLots(db.dataSource, p.ledger, new Date());
    expect(await p.available(order.memberAccountId)).toBe(0);
    expect(await refund(order.event.id)).toMatchObject({ remainingCents: 0, pointsOwed: 0 });
  });

  it('takes back only what care has not reversed already, and a debt care settled stops counting', async () => {
    const order = await record(coffeeOrder('rf-care', { lines: [] }));
    await p.ledger.reverse({ source: 'back-office', key: 'rf-care-part', transferId: order.event.earnTransferId!, amount: 10 });
    expect(await refund(order.event.id)).toMatchObject({ pointsReversed: 32, bonusPointsReversed: 100, pointsOwed: 0 });
    expect(await p.available(order.memberAccountId)).toBe(50);
    expect((await record(coffeeOrder('rf-care', { amountCents: 1_000, lines: [] }))).points).toBe(10);
    await ledgerTrue();
  });

  it('lets the member earn again when care reverses the transfer a debt was recovering', async () => {
    const order = await record(coffeeOrder('rf-debt-care', { lines: [] }));
    await inTransaction(db.dataSource, async (m) =>
      redeemReward(m, p.ledger, {
        memberId: await memberIdOf(m, 'rf-debt-care'),
        rewardCode: 'everything',
        quantity: 192,
        partnerId: null,
        key: randomUUID(),
      }),
    );
    expect(await refund(order.event.id)).toMatchObject({ pointsOwed: 142 });
    // Goodwill, then a supervisor reverses the original earn in full from the back office.
    await p.ledger.transfer({
      source: 'care',
      key: 'rf-debt-care-goodwill',
      legs: [{ debitAccountId: p.program.care.id, creditAccountId: order.memberAccountId, amount: 100, kind: 'adjust' }],
    });
    await p.ledger.reverse({ source: 'back-office', key: 'rf-debt-care-reverse', transferId: order.event.earnTransferId! });
    expect(await p.available(order.memberAccountId)).toBe(58);
    // The earn's debt is settled by that reversal; the first-purchase bonus's is still recovered.
    const next = await record(coffeeOrder('rf-debt-care', { amountCents: 1_000, lines: [] }));
    expect(next).toMatchObject({ points: 10, recoveredPoints: 10 });
    expect(await p.available(order.memberAccountId)).toBe(58);
    await ledgerTrue();
  });
});

it('pays a tier-upgrade bonus once: refunding the lines that made the tier and buying again pays nothing more', async () => {
  await db.dataSource.manager.insert(Tier, { code: 'gold-once', name: 'Gold', threshold: 250, multiplier: 1 });
  await db.dataSource.manager.insert(Bonus, { name: 'Gold reached', moment: 'tier_upgrade', points: 50, tierCode: 'gold-once' });
  forgetProgramConfiguration(db.dataSource);
  try {
    let upgradeBonuses = 0;
    for (let round = 0; round < 3; round++) {
      const order = await record(
        coffeeOrder('rf-tier', {
          amountCents: 10_000,
          lines: [
            { reference: 'TV', category: 'tv', quantity: 1, unitPriceCents: 9_900 },
            { reference: 'CABLE', category: 'tv', quantity: 1, unitPriceCents: 100 },
          ],
        }),
      );
      upgradeBonuses += order.explanation.filter((e) => e.rule === 'Gold reached').reduce((sum, e) => sum + e.points, 0);
      await refund(order.event.id, [{ reference: 'TV', quantity: 1 }]);
    }
    expect(upgradeBonuses).toBe(50);
  } finally {
    await db.dataSource.query(`DELETE FROM bonus WHERE moment = 'tier_upgrade'`);
    await db.dataSource.query(`DELETE FROM tier`);
    forgetProgramConfiguration(db.dataSource);
  }
});

it("takes back a yen purchase's points a yen at a time, and says the refund in yen", async () => {
  await db.dataSource.manager.update(ProgramSettings, { id: 1 }, { currency: 'JPY' });
  forgetProgramConfiguration(db.dataSource);
  try {
    const ramen = await record(coffeeOrder('rf-yen', { amountCents: 1_200, currency: 'JPY', lines: [] }));
    expect(ramen.points).toBe(1_200);
    expect(await refund(ramen.event.id)).toMatchObject({ refundedCents: 1_200, pointsReversed: 1_200 });
    const [{ explanation }] = await db.dataSource.query(`SELECT explanation FROM ledger_transfer WHERE "reversesTransferId" = $1`, [
      ramen.event.earnTransferId,
    ]);
    expect(explanation).toEqual([{ rule: 'refund', points: -1_200, reason: 'refund of 1200' }]);
  } finally {
    await db.dataSource.manager.update(ProgramSettings, { id: 1 }, { currency: 'EUR' });
    forgetProgramConfiguration(db.dataSource);
  }
  await ledgerTrue();
});
