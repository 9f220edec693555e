import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { generateBenchData } from './data-generator.js';

// The generator drops the loaded tables' keys and indexes, COPYs, and rebuilds them. It broke
// unseen when tables became partitioned (COPY FREEZE refused, partitions' keys dropped twice, indexes
// rebuilt ON ONLY the parent): a small set shows it still loads a ledger that checks, fully indexed.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

it('generates a small coalition whose ledger checks, with every index and key back on every partition', async () => {
  const indexesBefore = await db.dataSource.query(`SELECT COUNT(*)::int AS n FROM pg_indexes WHERE schemaname = 'public'`);

  await generateBenchData(db.dataSource, db.url, { members: 200, transfers: 1_000, partners: 5, dueLots: 20, months: 6 }, () => undefined);

  const [{ transfers, lots, events }] = await db.dataSource.query(
    `SELECT (SELECT COUNT(*) FROM ledger_transfer)::int AS transfers, (SELECT COUNT(*) FROM point_lot)::int AS lots,
            (SELECT COUNT(*) FROM member_event)::int AS events`,
  );
  expect(transfers).toBeGreaterThanOrEqual(1_000);
  expect(lots).toBeGreaterThan(0);
  expect(events).toBeGreaterThan(0);
  expect(await db.dataSource.query(`SELECT COUNT(*)::int AS n FROM pg_indexes WHERE schemaname = 'public'`)).toEqual(indexesBefore);
  expect(await db.dataSource.query(`SELECT indexrelid::regclass::text AS index FROM pg_index WHERE NOT indisvalid`)).toEqual([]);
  expect((await checkLedger(db.dataSource.manager, { mode: 'full' })).violations).toEqual([]);
});
