import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { generateBenchData } from './data-generator.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await generateBenchData(db.dataSource, db.url, { members: 40, transfers: 400, partners: 3, dueLots: 10, months: 18 }, () => undefined);
}, 120_000);
afterAll(() => db.drop());

it('generates a ledger that ledger:check passes, whose transfers a replay of their request finds', async () => {
  expect((await checkLedger(db.dataSource.manager, { mode: 'full' })).violations).toEqual([]);
  const [{ source, key, requestHash, id }] = await db.dataSource.query(
    `SELECT "idempotencySource" AS source, "idempotencyKey" AS key, "requestHash", id FROM ledger_transfer ORDER BY seq LIMIT 1`,
  );
  const [{ answer }] = await db.dataSource.query(`SELECT ledger_replay_v2($1, $2, $3) AS answer`, [source, key, requestHash]);
  expect(answer).toMatchObject({ result: 'ok', replayed: true, transfers: [{ id }] });
});

it('puts the 18 months of history into their monthly partitions, none into a default one', async () => {
  const [{ left }] = await db.dataSource.query(
    `SELECT (SELECT COUNT(*) FROM ledger_transfer_pdefault) + (SELECT COUNT(*) FROM point_lot_pdefault)
            + (SELECT COUNT(*) FROM member_event_pdefault) AS left`,
  );
  expect(Number(left)).toBe(0);
});

it('rebuilds every index it dropped, valid and on every partition', async () => {
  expect(await db.dataSource.query(`SELECT indexrelid::regclass::text AS index FROM pg_index WHERE NOT indisvalid`)).toEqual([]);
  // Each partition of ledger_transfer has the parent's indexes (a rebuild ON ONLY the parent gives them none).
  const [{ parent, fewest }] = await db.dataSource.query(
    `SELECT (SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'ledger_transfer')::int AS parent,
            (SELECT MIN(n) FROM (SELECT COUNT(i.indexrelid)::int AS n FROM pg_inherits h LEFT JOIN pg_index i ON i.indrelid = h.inhrelid
                                  WHERE h.inhparent = 'ledger_transfer'::regclass GROUP BY h.inhrelid) c) AS fewest`,
  );
  expect(fewest).toBe(parent);
});
