import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pointsUnit } from '../entities/index.js';
import { HoldingFigures1796042000000 } from '../entities/migrations/1796042000000-HoldingFigures.js';
import { accountByCode, partnerWallet, programAccounts } from '../loyalty/ledger/accounts.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { refreshDailyFigures } from '../reports/daily-figures.js';
import { liabilityByFunder } from '../reports/liability.js';
import { seedDemoProgram } from '../wiring/demo-program.js';
import { openDataSource } from '../wiring/database.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

// A database of the version before the kept holdings, whose daily figures were refreshed and whose
// ledger moved since, gets them from `npm run migrate` (openDataSource is what that command runs).
let db: TestDatabase;

type FunderPoints = { fundingPartnerId: string | null; points: number };
const byFunder = (a: FunderPoints, b: FunderPoints) => (a.fundingPartnerId ?? '').localeCompare(b.fundingPartnerId ?? '');
const openLotsByFunder = async (manager: {
  query: (sql: string, parameters: unknown[]) => Promise<FunderPoints[]>;
}): Promise<FunderPoints[]> =>
  manager.query(
    `SELECT l."fundingPartnerId", SUM(l.remaining)::int AS points
       FROM point_lot l JOIN ledger_account m ON m.id = l."memberAccountId" AND m.unit = $1
      WHERE l.remaining > 0 GROUP BY 1 ORDER BY 2 DESC, 1`,
    [pointsUnit],
  );

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoProgram(db.dataSource);
  await refreshDailyFigures(db.dataSource);
  // Written after the figures' watermark: the migration must not count these twice or miss them.
  const [{ partnerId, memberAccountId }] = await db.dataSource.query(
    `SELECT l."fundingPartnerId" AS "partnerId", l."memberAccountId" FROM point_lot l
      WHERE l."fundingPartnerId" IS NOT NULL AND l.remaining > 5 LIMIT 1`,
  );
  const ledger = new Ledger(db.dataSource);
  const wallet = await partnerWallet(db.dataSource.manager, partnerId);
  const redemption = await accountByCode(db.dataSource.manager, programAccounts.redemption);
  await ledger.transfer({
    source: 'test',
    key: randomUUID(),
    legs: [
      { debitAccountId: wallet.id, creditAccountId: memberAccountId, amount: 40, kind: 'earn', expiresAt: new Date(Date.now() + 9e9) },
    ],
  });
  await ledger.transfer({
    source: 'test',
    key: randomUUID(),
    legs: [{ debitAccountId: memberAccountId, creditAccountId: redemption.id, amount: 5, kind: 'burn' }],
  });
  const runner = db.dataSource.createQueryRunner();
  try {
    await new HoldingFigures1796042000000().down(runner);
  } finally {
    await runner.release();
  }
  await db.dataSource.query(`DELETE FROM schema_migration WHERE name = 'HoldingFigures1796042000000'`);
}, 120_000);
afterAll(() => db.drop());

it('gives a program with daily figures its holdings as of their watermark, so that the liability stays the open lots', async () => {
  const migrated = await openDataSource(db.url);
  try {
    const expected = (await openLotsByFunder(migrated)).sort(byFunder);
    const fromHoldings = async () =>
      (await liabilityByFunder(migrated.manager)).funders.map((f) => ({ fundingPartnerId: f.funderId, points: f.points })).sort(byFunder);
    expect(await fromHoldings()).toEqual(expected);
    await refreshDailyFigures(migrated);
    expect(await fromHoldings()).toEqual(expected);
    const kept = () =>
      migrated.query(
        `SELECT "fundingPartnerId", unit, "expiryMonth"::text, SUM(points)::int AS points FROM holding_figure GROUP BY 1, 2, 3 HAVING SUM(points) <> 0 ORDER BY 1, 2, 3`,
      );
    const refreshed = await kept();
    await refreshDailyFigures(migrated, { rebuild: true });
    expect(await kept()).toEqual(refreshed);
  } finally {
    await migrated.destroy();
  }
});
