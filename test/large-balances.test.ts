import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ProgramSettings, Reward } from '../entities/index.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { creditPurchasedPoints, walletStatus } from '../loyalty/funding.js';
import { dueFundingAlerts } from '../loyalty/funding-alerts.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { memberHistory } from '../loyalty/member-history.js';
import { memberSummary } from '../loyalty/member-summary.js';
import { transferBetweenMembers } from '../loyalty/member-transfers.js';
import { redeemReward } from '../loyalty/redemptions.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram, days, memberIdOf } from './support/program.js';

// Points are BIGINT end to end: a balance, a lot, a price or a sum past 2^31 is an ordinary number.
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
const billions = (n: number) => n * 1_000_000_000;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, {
    id: 1,
    transferMaxPoints: billions(4),
    transferMaxPointsPerDay: billions(8),
    careApprovalThreshold: billions(3),
  });
  forgetProgramConfiguration(db.dataSource);
});
afterAll(() => db.drop());

it('keeps balances, lots, prices, limits and sums beyond 2^31 points exact', async () => {
  const { partner, wallet } = await p.partner();
  await creditPurchasedPoints(db.dataSource.manager, p.ledger, { walletAccountId: wallet.id, points: billions(9), key: 'big-purchase' });
  expect((await walletStatus(db.dataSource.manager, partner.id)).available).toBe(billions(9));
  expect(await dueFundingAlerts(db.dataSource)).toEqual([]);

  const { account: ann } = await p.member('big-ann');
  const { account: bo } = await p.member('big-bo');
  await p.ledger.transfer({
    source: 'test',
    key: 'big-earn',
    legs: [{ debitAccountId: wallet.id, creditAccountId: ann.id, amount: billions(6), kind: 'earn', expiresAt: days(20) }],
  });
  const [lot] = await db.dataSource.query(`SELECT points, remaining FROM point_lot WHERE "memberAccountId" = $1`, [ann.id]);
  expect([Number(lot.points), Number(lot.remaining)]).toEqual([billions(6), billions(6)]);
  expect((await memberSummary(db.dataSource.manager, await memberIdOf(db.dataSource.manager, 'big-ann'))).expiring).toEqual({
    days30: billions(6),
    days60: billions(6),
    days90: billions(6),
  });

  await inTransaction(db.dataSource, async (manager) =>
    transferBetweenMembers(manager, p.ledger, {
      fromMemberId: await memberIdOf(manager, 'big-ann'),
      toMemberId: await memberIdOf(manager, 'big-bo'),
      points: billions(3),
      key: randomUUID(),
    }),
  );
  await db.dataSource.manager.insert(Reward, { code: 'island', name: 'An island', pointsPrice: billions(2.5) });
  const redemption = await inTransaction(db.dataSource, async (manager) =>
    redeemReward(manager, p.ledger, {
      memberId: await memberIdOf(manager, 'big-bo'),
      rewardCode: 'island',
      quantity: 1,
      partnerId: null,
      key: randomUUID(),
    }),
  );
  expect(redemption.points).toBe(billions(2.5));
  expect(await p.available(ann.id)).toBe(billions(3));
  expect(await p.available(bo.id)).toBe(billions(0.5));
  const history = await memberHistory(db.dataSource.manager, await memberIdOf(db.dataSource.manager, 'big-bo'), { limit: 10 });
  expect(history.entries.map((e) => e.points)).toEqual([-billions(2.5), billions(3)]);
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});
