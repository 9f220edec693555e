import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPartitionSql, monthStart, partitionName } from '../entities/partitioned-tables.js';
import { expireDueLots } from '../loyalty/expiry.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram, days } from './support/program.js';

// point_lot is partitioned by month of creation and its key is (id, "createdAt"). A lot updated by
// id alone is looked for in every month's key index, so a burn would grow slower with each month of
// history. The ledger updates a lot by id and "createdAt": one partition's index, however old the program.
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;

beforeAll(async () => {
  // One connection, so that this process's statistics are the ledger's statements'.
  db = await createTestDatabase({ poolSize: 1 });
  p = await createProgram(db.dataSource);
});
afterAll(() => db.drop());

const history = Array.from({ length: 12 }, (_, i) => monthStart(new Date(), -(i + 1)));

/** Index scans of each point_lot partition's primary key since the statistics were reset. */
async function keyScans(): Promise<Record<string, number>> {
  await db.dataSource.query('SELECT pg_stat_force_next_flush()');
  await db.dataSource.query('SELECT pg_stat_clear_snapshot()');
  const rows: { partition: string; scans: string }[] = await db.dataSource.query(
    `SELECT relname AS partition, idx_scan AS scans FROM pg_stat_user_indexes
      WHERE relname LIKE 'point_lot_p%' AND indexrelname LIKE '%pkey'`,
  );
  return Object.fromEntries(rows.map((r) => [r.partition, Number(r.scans)]));
}

it('takes and gives back points of an old lot through its own month’s key index only (finding a member’s open lots still reads each month)', async () => {
  for (const month of history) await db.dataSource.query(createPartitionSql('point_lot', month));
  const shop = await p.partner(100_000);
  const ann = await p.member('pruned-ann');
  for (const [i, month] of history.entries()) {
    await p.ledger.transfer({
      source: 'test',
      key: `old-earn-${i}`,
      legs: [{ debitAccountId: shop.wallet.id, creditAccountId: ann.account.id, amount: 10, kind: 'earn', expiresAt: days(400 + i) }],
    });
    await db.dataSource.query(
      `UPDATE point_lot SET "createdAt" = $2 WHERE "creditTransferId" IN (SELECT id FROM ledger_transfer WHERE "idempotencyKey" = $1)`,
      [`old-earn-${i}`, new Date(month.getTime() + 86_400_000)],
    );
  }
  // The lot taken first expires first: the one of the oldest month, alone in its partition.
  const oldest = partitionName('point_lot', history.at(-1)!);
  await db.dataSource.query(`UPDATE point_lot SET "expiresAt" = $2 WHERE "memberAccountId" = $1 AND "createdAt" < $3`, [
    ann.account.id,
    days(30),
    history.at(-2)!,
  ]);
  const before = await keyScans();

  const held = await p.ledger.hold({
    source: 'test',
    key: 'pruned-hold',
    until: days(1),
    legs: [{ debitAccountId: ann.account.id, creditAccountId: p.program.redemption.id, amount: 6, kind: 'burn' }],
  });
  await p.ledger.void({ source: 'test', key: 'pruned-void', pendingTransferId: held.transfers[0]!.id });
  await p.ledger.transfer({
    source: 'test',
    key: 'pruned-burn',
    legs: [{ debitAccountId: ann.account.id, creditAccountId: p.program.redemption.id, amount: 4, kind: 'burn' }],
  });

  const after = await keyScans();
  const probed = Object.keys(after).filter((partition) => after[partition]! > (before[partition] ?? 0));
  expect(probed).toEqual([oldest]);
  const [{ remaining }] = await db.dataSource.query(`SELECT remaining FROM ${oldest}`);
  expect(Number(remaining)).toBe(6);
  expect((await checkLedger(db.dataSource.manager, { mode: 'full' })).violations).toEqual([]);
});

it('expires an old lot through its own month’s key index only', async () => {
  const shop = await p.partner(100_000);
  const bea = await p.member('pruned-bea');
  await p.ledger.transfer({
    source: 'test',
    key: 'bea-earn',
    legs: [{ debitAccountId: shop.wallet.id, creditAccountId: bea.account.id, amount: 25, kind: 'earn', expiresAt: days(400) }],
  });
  const month = history.at(-3)!;
  await db.dataSource.query(`UPDATE point_lot SET "createdAt" = $2, "expiresAt" = $3 WHERE "memberAccountId" = $1`, [
    bea.account.id,
    new Date(month.getTime() + 86_400_000),
    new Date(month.getTime() + 2 * 86_400_000),
  ]);
  const before = await keyScans();

  const expired = await expireDueLots(db.dataSource, p.ledger, new Date());

  expect(expired.lots).toBe(1);
  const after = await keyScans();
  const probed = Object.keys(after).filter((partition) => after[partition]! > (before[partition] ?? 0));
  expect(probed).toEqual([partitionName('point_lot', month)]);
  expect((await checkLedger(db.dataSource.manager, { mode: 'full' })).violations).toEqual([]);
});
