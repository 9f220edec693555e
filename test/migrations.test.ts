import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrations } from '../entities/migrations/index.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { seedDemoProgram } from '../wiring/demo-program.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

// Existing data migrates without losing a point: the demo program's data, taken back to before
// this version's migrations and brought forward again, keeps every point and every invariant.
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoProgram(db.dataSource);
});
afterAll(() => db.drop());

/** Every points figure the program keeps, summed per column. */
async function pointsEverywhere() {
  const [row] = await db.dataSource.query(`
    SELECT (SELECT SUM(points) FROM point_lot) AS lot_points, (SELECT SUM(remaining) FROM point_lot) AS lot_remaining,
           (SELECT SUM(points) FROM member_event) AS event_points, (SELECT SUM("bonusPoints") FROM member_event) AS event_bonus,
           (SELECT SUM(points) FROM redemption) AS redemption_points, (SELECT SUM(points) FROM invoice) AS invoice_points,
           (SELECT SUM("pointsPrice") FROM reward) AS reward_prices, (SELECT SUM(threshold) FROM tier) AS tier_thresholds,
           (SELECT SUM(points) FROM bonus) AS bonus_points, (SELECT SUM(points) FROM point_package) AS package_points,
           (SELECT SUM("creditsPosted" - "debitsPosted") FROM ledger_balance b JOIN ledger_account a ON a.id = b."accountId" WHERE a.kind = 'member') AS members_hold`);
  return row;
}

it("takes the demo program's data through this version's migrations without losing a point", async () => {
  const before = await pointsEverywhere();
  expect(Number(before.lot_remaining)).toBeGreaterThan(0);
  const ours = migrations.slice(migrations.findIndex((m) => m.name.startsWith('RefundsDebtsAndEventTime')));
  expect(ours.length).toBeGreaterThanOrEqual(3);
  const runner = db.dataSource.createQueryRunner();
  try {
    for (const migration of [...ours].reverse()) await new migration().down(runner);
    for (const migration of ours) await new migration().up(runner);
  } finally {
    await runner.release();
  }
  expect(await pointsEverywhere()).toEqual(before);
  const [{ type }] = await db.dataSource.query(
    `SELECT data_type AS type FROM information_schema.columns WHERE table_name = 'point_lot' AND column_name = 'remaining'`,
  );
  expect(type).toBe('bigint');
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});
