import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { monthStart, partitionName } from '../../entities/partitioned-tables.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram, days } from '../../test/support/program.js';
import { checkLedger } from '../ledger/invariants.js';
import { keepPartitionsAhead } from './maintenance.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
});
afterAll(() => db.drop());

it('moves a lot out of the default partition while a burn of its points waits: the burn then finds it', async () => {
  const shop = await p.partner(10_000);
  const ivy = await p.member('maint-ivy');
  await p.ledger.transfer({
    source: 'test',
    key: 'ivy-1',
    legs: [{ debitAccountId: shop.wallet.id, creditAccountId: ivy.account.id, amount: 100, kind: 'earn', expiresAt: days(300) }],
  });
  const later = monthStart(new Date(), 5);
  await db.dataSource.query(`UPDATE point_lot SET "createdAt" = $2 WHERE "memberAccountId" = $1`, [ivy.account.id, later]);
  const holder = db.dataSource.createQueryRunner();
  await holder.connect();
  await holder.startTransaction();
  await holder.query(`SELECT 1 FROM point_lot_pdefault LIMIT 1`);
  const kept = keepPartitionsAhead(db.dataSource, later);
  for (let i = 0; i < 100; i++) {
    const [{ waiting }] = await db.dataSource.query(
      `SELECT COUNT(*)::int AS waiting FROM pg_locks WHERE NOT granted AND relation = 'point_lot_pdefault'::regclass`,
    );
    if (waiting > 0) break;
    await sleep(20);
  }
  const burn = p.ledger.transfer({
    source: 'test',
    key: 'ivy-burn',
    legs: [{ debitAccountId: ivy.account.id, creditAccountId: p.program.redemption.id, amount: 30, kind: 'burn' }],
  });
  await sleep(300);
  await holder.commitTransaction();
  await holder.release();
  // Before: the burn, planned without the partition attached meanwhile, found no lot ("Lots of account … miss 30 points").
  expect((await Promise.allSettled([kept, burn])).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
  const lots = await db.dataSource.query(`SELECT tableoid::regclass::text AS part, remaining FROM point_lot WHERE "memberAccountId" = $1`, [
    ivy.account.id,
  ]);
  expect(lots).toEqual([{ part: partitionName('point_lot', later), remaining: '70' }]);
  expect((await checkLedger(db.dataSource.manager, { mode: 'full' })).violations).toEqual([]);
});
