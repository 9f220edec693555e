import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MonthlyPartitionsOfLotsAndEvents1796041000000 } from '../entities/migrations/1796041000000-MonthlyPartitionsOfLotsAndEvents.js';
import { monthsBetween, monthStart, partitionedTables, partitionName } from '../entities/partitioned-tables.js';
import { accountByCode, balanceOf, programAccounts } from '../loyalty/ledger/accounts.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { seedDemoProgram } from '../wiring/demo-program.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

// The demo program's lots and events, some backdated by months and years, taken back to plain
// tables and converted in place: every row kept, each in its month's partition.
let db: TestDatabase;
const migration = new MonthlyPartitionsOfLotsAndEvents1796041000000();

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoProgram(db.dataSource);
}, 120_000);
afterAll(() => db.drop());

async function migrate(direction: 'up' | 'down') {
  const runner = db.dataSource.createQueryRunner();
  try {
    await migration[direction](runner);
  } finally {
    await runner.release();
  }
}

const rows = (table: string) => db.dataSource.query(`SELECT to_jsonb(t) AS row FROM ${table} t ORDER BY id`);
const partitioned = async (table: string) =>
  (await db.dataSource.query(`SELECT relkind FROM pg_class WHERE relname = $1`, [table]))[0].relkind === 'p';
const partitions = async (table: string) =>
  (
    await db.dataSource.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY 1`,
      [table],
    )
  ).map((r: { relname: string }) => r.relname);

it('converts point_lot and member_event to monthly partitions keeping every row, and the ledger still balances and earns', async () => {
  await migrate('down');
  expect(await partitioned('point_lot')).toBe(false);
  // Lots of a year ago and events of two years ago, and one event dated after the partitions made ahead.
  await db.dataSource.query(`UPDATE point_lot SET "createdAt" = "createdAt" - interval '13 months' WHERE "fundingPartnerId" IS NOT NULL`);
  await db.dataSource.query(`UPDATE member_event SET "occurredAt" = "occurredAt" - interval '25 months' WHERE points > 0`);
  const [[{ id: future }]] = await db.dataSource.query(
    `UPDATE member_event SET "occurredAt" = now() + interval '2 years' WHERE id = (SELECT MIN(id::text)::uuid FROM member_event) RETURNING id`,
  );
  const before = { lots: await rows('point_lot'), events: await rows('member_event'), consumptions: await rows('lot_consumption') };
  expect(before.lots.length).toBeGreaterThan(0);
  expect(before.events.length).toBeGreaterThan(1);

  await migrate('up');

  expect(await partitioned('point_lot')).toBe(true);
  expect(await partitioned('member_event')).toBe(true);
  expect({ lots: await rows('point_lot'), events: await rows('member_event'), consumptions: await rows('lot_consumption') }).toEqual(
    before,
  );
  const now = new Date((await db.dataSource.query('SELECT now() AS now'))[0].now);
  // ledger_transfer was partitioned by its own migration before (test/ledger-partitioning-migration.test.ts).
  for (const { table, column } of partitionedTables.filter((t) => t.table !== 'ledger_transfer')) {
    const [{ oldest }] = await db.dataSource.query(`SELECT MIN("${column}") AS oldest FROM ${table} WHERE "${column}" < now()`);
    const months = monthsBetween(new Date(oldest), monthStart(now, 3)).map((month) => partitionName(table, month));
    expect(months.length).toBeGreaterThanOrEqual(table === 'point_lot' ? 14 : 26);
    expect(await partitions(table)).toEqual([...months, `${table}_pdefault`].sort());
  }
  expect(await db.dataSource.query(`SELECT id FROM member_event_pdefault`)).toEqual([{ id: future }]);
  expect((await checkLedger(db.dataSource.manager, { mode: 'full' })).violations).toEqual([]);

  // Lots written, consumed and restored through the ledger's function on the partitioned table.
  const [{ memberAccountId, partnerId }] = await db.dataSource.query(
    `SELECT "memberAccountId", "fundingPartnerId" AS "partnerId" FROM point_lot WHERE "fundingPartnerId" IS NOT NULL LIMIT 1`,
  );
  const [{ id: walletId }] = await db.dataSource.query(`SELECT id FROM ledger_account WHERE "partnerId" = $1 AND kind = 'partner_wallet'`, [
    partnerId,
  ]);
  const redemption = await accountByCode(db.dataSource.manager, programAccounts.redemption);
  const available = (await balanceOf(db.dataSource.manager, memberAccountId)).available;
  const ledger = new Ledger(db.dataSource);
  await ledger.transfer({
    source: 'test',
    key: randomUUID(),
    legs: [{ debitAccountId: walletId, creditAccountId: memberAccountId, amount: 7, kind: 'earn' }],
  });
  const burn = await ledger.transfer({
    source: 'test',
    key: randomUUID(),
    legs: [{ debitAccountId: memberAccountId, creditAccountId: redemption.id, amount: available + 7, kind: 'burn' }],
  });
  expect((await balanceOf(db.dataSource.manager, memberAccountId)).available).toBe(0);
  await ledger.reverse({ source: 'test', key: randomUUID(), transferId: burn.transfers[0]!.id });
  expect((await balanceOf(db.dataSource.manager, memberAccountId)).available).toBe(available + 7);
  expect((await checkLedger(db.dataSource.manager, { mode: 'full' })).violations).toEqual([]);

  // And back: plain tables with the same rows.
  const after = { lots: await rows('point_lot'), events: await rows('member_event') };
  await migrate('down');
  expect(await partitioned('member_event')).toBe(false);
  expect({ lots: await rows('point_lot'), events: await rows('member_event') }).toEqual(after);
  await migrate('up');
  expect((await checkLedger(db.dataSource.manager, { mode: 'full' })).violations).toEqual([]);
});
