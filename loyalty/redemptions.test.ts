import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EarningRule, ProgramSettings, Redemption, Reward } from '../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { createProgram } from '../test/support/program.js';
import { recordEvent } from './earning/record-event.js';
import { checkLedger } from './ledger/invariants.js';
import { inTransaction } from './ledger/transaction.js';
import { memberSummary } from './member-summary.js';
import { redeemRewardOnce, type RedemptionRequest } from './redemptions.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let shopId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'never' } });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  await m.insert(Reward, [
    { code: 'voucher', name: 'Coffee voucher', pointsPrice: 100, stock: 10 },
    { code: 'kite', name: 'Stunt kite', pointsPrice: 300, needsFulfilment: true, stock: 3 },
  ]);
  shopId = (await p.partner(100_000)).partner.id;
});
afterAll(() => db.drop());

/** A member of the coalition with `points` to spend. */
async function memberWith(points: number): Promise<string> {
  const customerId = `rd-${randomUUID().slice(0, 8)}`;
  const earned = await inTransaction(db.dataSource, (m) =>
    recordEvent(m, p.ledger, {
      partnerId: shopId,
      member: { externalId: customerId, email: `${customerId}@example.test`, emailVerified: true },
      type: 'purchase',
      amountCents: points * 100,
      currency: 'EUR',
      occurredAt: new Date(),
      receivedAt: new Date(),
    }),
  );
  return earned.memberId;
}

const redeem = (request: RedemptionRequest) => inTransaction(db.dataSource, (m) => redeemRewardOnce(m, p.ledger, request));
const stock = async (code: string) => (await db.dataSource.manager.findOneByOrFail(Reward, { code })).stock;
const available = async (memberId: string) => (await memberSummary(db.dataSource.manager, memberId)).balance.available;
const redemptionsOf = (memberId: string) => db.dataSource.manager.countBy(Redemption, { memberId });

it('redeems once for a form sent twice: the second finds the first, and points and stock are taken once', async () => {
  const memberId = await memberWith(500);
  const request = { memberId, rewardCode: 'voucher', quantity: 1, partnerId: null, key: `dashboard:${randomUUID()}` };
  const first = await redeem(request);
  const second = await redeem(request);
  expect(first.replayed).toBe(false);
  expect(second.replayed).toBe(true);
  expect(second.redemption).toMatchObject({ id: first.redemption.id, code: first.redemption.code });
  expect(await redemptionsOf(memberId)).toBe(1);
  expect(await available(memberId)).toBe(400);
  expect(await stock('voucher')).toBe(9);
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});

it('redeems once for a form sent twice at the same moment', async () => {
  const memberId = await memberWith(1_000);
  const request = { memberId, rewardCode: 'kite', quantity: 1, partnerId: null, key: `dashboard:${randomUUID()}` };
  const both = await Promise.all([redeem(request), redeem(request)]);
  expect(both.map((b) => b.replayed).sort()).toEqual([false, true]);
  expect(both[0].redemption.id).toBe(both[1].redemption.id);
  expect(await redemptionsOf(memberId)).toBe(1);
  expect((await memberSummary(db.dataSource.manager, memberId)).balance).toMatchObject({ available: 700, held: 300 });
  expect(await stock('kite')).toBe(2);
});

it('refuses the same form key for another reward rather than answering with the first', async () => {
  const memberId = await memberWith(1_000);
  const key = `dashboard:${randomUUID()}`;
  await redeem({ memberId, rewardCode: 'voucher', quantity: 1, partnerId: null, key });
  await expect(redeem({ memberId, rewardCode: 'kite', quantity: 1, partnerId: null, key })).rejects.toThrow(
    'was already used for a different request',
  );
  expect(await redemptionsOf(memberId)).toBe(1);
});

it('keeps the delivery address with a reward to ship, and none with a code', async () => {
  const memberId = await memberWith(1_000);
  const shipTo = { name: 'Ann de Vries', street: 'Damrak 1', postalCode: '1012 LG', city: 'Amsterdam', country: 'NL' };
  const kite = await redeem({ memberId, rewardCode: 'kite', quantity: 1, partnerId: null, key: randomUUID(), shipTo });
  const voucher = await redeem({ memberId, rewardCode: 'voucher', quantity: 1, partnerId: null, key: randomUUID(), shipTo });
  const stored = (id: string) => db.dataSource.manager.findOneByOrFail(Redemption, { id });
  expect(await stored(kite.redemption.id)).toMatchObject({
    shipToName: 'Ann de Vries',
    shipToStreet: 'Damrak 1',
    shipToPostalCode: '1012 LG',
    shipToCity: 'Amsterdam',
    shipToCountry: 'NL',
  });
  expect(await stored(voucher.redemption.id)).toMatchObject({ shipToName: null, shipToStreet: null, shipToCountry: null });
});
