import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PointLot, ProgramSettings } from '../../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram } from '../../test/support/program.js';
import { expireLot } from '../expiry.js';
import { checkLedger } from '../ledger/invariants.js';
import { movementStatement } from './movement-statement.js';
import { outstandingLiability } from './outstanding-liability.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let t1: Date;
let t2: Date;
const accounts: Record<string, string> = {};
let shopId: string;

/** A moment strictly between two writes (transfers are dated by their transaction's start). */
async function moment(): Promise<Date> {
  await sleep(20);
  const at = new Date();
  await sleep(20);
  return at;
}

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, currency: 'EUR', pointValueMinor: 0.5 });
  const shop = await p.partner(10_000);
  shopId = shop.partner.id;
  for (const name of ['ann', 'bob', 'cy']) accounts[name] = (await p.member(`liability-${name}`)).account.id;
  const move = (key: string, debit: string, credit: string, amount: number, kind: 'earn' | 'burn' | 'adjust' | 'transfer') =>
    p.ledger.transfer({
      source: 'test',
      key,
      legs: [{ debitAccountId: debit, creditAccountId: credit, amount, kind, expiresAt: new Date(Date.now() + 86_400_000 * 365) }],
    });

  // Before the period: Ann earns 100.
  await move('before-earn', shop.wallet.id, accounts.ann!, 100, 'earn');
  t1 = await moment();
  // During: Bob earns 50, Ann spends 30, a refund takes 10 of Bob's back and the other 40 expire,
  // care gives Cy 20, Ann holds 5 (not posted) and gives Bob 10 (between members: nothing owed changes).
  const bobEarn = await move('during-earn', shop.wallet.id, accounts.bob!, 50, 'earn');
  await move('during-burn', accounts.ann!, p.program.redemption.id, 30, 'burn');
  await p.ledger.reverse({ source: 'test', key: 'during-refund', transferId: bobEarn.transfers[0]!.id, amount: 10 });
  const bobLot = await db.dataSource.manager.findOneByOrFail(PointLot, { creditTransferId: bobEarn.transfers[0]!.id });
  await db.dataSource.manager.update(PointLot, { id: bobLot.id }, { expiresAt: new Date(Date.now() - 1_000) });
  await expireLot(
    db.dataSource,
    p.ledger,
    { id: bobLot.id, memberAccountId: accounts.bob!, memberId: null, member: 'liability-bob' },
    new Date(),
  );
  await move('during-care', p.program.care.id, accounts.cy!, 20, 'adjust');
  await p.ledger.hold({
    source: 'test',
    key: 'during-hold',
    until: new Date(Date.now() + 3_600_000),
    legs: [{ debitAccountId: accounts.ann!, creditAccountId: p.program.redemption.id, amount: 5, kind: 'burn' }],
  });
  await move('during-gift', accounts.ann!, accounts.bob!, 10, 'transfer');
  t2 = await moment();
  // After: Ann earns 70.
  await move('after-earn', shop.wallet.id, accounts.ann!, 70, 'earn');
});
afterAll(() => db.drop());

const membersPosted = async () =>
  Number(
    (
      await db.dataSource.query(
        `SELECT SUM(b."creditsPosted" - b."debitsPosted") AS posted FROM ledger_balance b JOIN ledger_account a ON a.id = b."accountId" WHERE a.kind = 'member'`,
      )
    )[0].posted,
  );

it('states the movements of a period: opening + issued − redeemed − expired ± reversals and adjustments = closing', async () => {
  const statement = await movementStatement(db.dataSource.manager, t1, t2);
  expect(statement.opening).toEqual({ points: 100, valueMinor: 50 });
  expect(statement.lines.map((l) => [l.label, l.points, l.valueMinor])).toEqual([
    ['Issued: earned', 50, 25],
    ['Redeemed', -30, -15],
    ['Expired', -40, -20],
    ['Reversed: refunds taking points back', -10, -5],
    ['Adjusted: care credits', 20, 10],
  ]);
  expect(statement.closing).toEqual({ points: 90, valueMinor: 45 });
  expect(statement.currency).toBe('EUR');
});

it('matches the ledger exactly: periods chain, and the closing of all time is what members hold', async () => {
  const before = await movementStatement(db.dataSource.manager, new Date(0), t1);
  const during = await movementStatement(db.dataSource.manager, t1, t2);
  const after = await movementStatement(db.dataSource.manager, t2, new Date(Date.now() + 60_000));
  expect(before.closing.points).toBe(during.opening.points);
  expect(during.closing.points).toBe(after.opening.points);
  expect(after.closing.points).toBe(await membersPosted());
  expect(after.closing.points).toBe(160);
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});

it('values what members hold per funder and per age, with the breakage the history predicts', async () => {
  const annFirst = await db.dataSource.manager.findOneByOrFail(PointLot, { memberAccountId: accounts.ann!, points: 100 });
  await db.dataSource.manager.update(PointLot, { id: annFirst.id }, { createdAt: new Date(Date.now() - 120 * 86_400_000) });
  await db.dataSource.query(`UPDATE point_lot SET "createdAt" = now() - interval '13 months' WHERE "memberAccountId" = $1`, [accounts.cy]);

  const liability = await outstandingLiability(db.dataSource.manager);
  // The hold's 5 points are still Ann's: the total is members' posted balances.
  expect(liability.points).toBe(await membersPosted());
  expect(liability).toMatchObject({ points: 160, valueMinor: 80, currency: 'EUR', pointValueMinor: 0.5 });
  expect(liability.funders.map((f) => [f.funderId, f.points, f.valueMinor])).toEqual([
    [shopId, 140, 70],
    [null, 20, 10],
  ]);
  expect(liability.funders[1]!.funder).toBe('The program');
  expect(liability.byAge.map((a) => [a.bucket, a.points])).toEqual([
    ['0-3', 80],
    ['3-6', 60],
    ['6-12', 0],
    ['12+', 20],
  ]);
  // Bob's lot of 50 ended with 40 expired: 80 % of what is held is expected to expire.
  expect(liability.breakage).toEqual({ rate: 0.8, endedPoints: 50, expiredPoints: 40, expectedPoints: 128, expectedValueMinor: 64 });
});
